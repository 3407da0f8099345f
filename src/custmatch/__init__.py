"""custmatch: Dutch customer records from many source systems -> golden records.

The pipeline, each stage usable on its own: normalize -> block -> compare -> score ->
cluster -> survive; :func:`deduplicate` and :func:`link` run them all in one call. This module
re-exports the public surface only.

Example:
    >>> import custmatch
    >>> records, truth = custmatch.generate_customers(50, seed=1)
    >>> len(records) == len(truth)
    True
    >>> result = custmatch.deduplicate(records, progress=False)
    >>> len(result.golden) <= len(records)
    True
"""

from __future__ import annotations

from custmatch.cluster import Clusters, cluster_pairs
from custmatch.datasets import generate_customers, load_example, load_febrl
from custmatch.errors import (
    ConfigError,
    CustmatchError,
    CustmatchWarning,
    InputError,
    ModelError,
    SchemaError,
)
from custmatch.files import read_records
from custmatch.index import Decision, MatchIndex
from custmatch.model import MatchModel, cannot_link, cannot_link_on, must_link
from custmatch.pipeline import Result, deduplicate, link
from custmatch.report import render_report, write_report
from custmatch.schema import infer_columns, validate_records
from custmatch.settings import Settings
from custmatch.survive import GoldenRecords, changes_for_sources, golden_records

__version__ = "0.1.0"

__all__ = [
    "Clusters",
    "ConfigError",
    "CustmatchError",
    "CustmatchWarning",
    "Decision",
    "GoldenRecords",
    "InputError",
    "MatchIndex",
    "MatchModel",
    "ModelError",
    "Result",
    "SchemaError",
    "Settings",
    "__version__",
    "cannot_link",
    "cannot_link_on",
    "changes_for_sources",
    "cluster_pairs",
    "deduplicate",
    "generate_customers",
    "golden_records",
    "infer_columns",
    "link",
    "load_example",
    "load_febrl",
    "must_link",
    "read_records",
    "render_report",
    "validate_records",
    "write_report",
]
