"""custmatch: Dutch customer records from many source systems -> golden records.

The pipeline, each stage usable on its own: normalize -> block -> compare -> score ->
cluster -> survive. This module re-exports the public surface only.

Example:
    >>> import custmatch
    >>> records, truth = custmatch.generate_customers(50, seed=1)
    >>> len(records) == len(truth)
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
from custmatch.model import MatchModel, cannot_link, cannot_link_on, must_link
from custmatch.schema import infer_columns, validate_records
from custmatch.survive import GoldenRecords, changes_for_sources, golden_records

__version__ = "0.1.0"

__all__ = [
    "Clusters",
    "ConfigError",
    "CustmatchError",
    "CustmatchWarning",
    "GoldenRecords",
    "InputError",
    "MatchModel",
    "ModelError",
    "SchemaError",
    "__version__",
    "cannot_link",
    "cannot_link_on",
    "changes_for_sources",
    "cluster_pairs",
    "generate_customers",
    "golden_records",
    "infer_columns",
    "load_example",
    "load_febrl",
    "must_link",
    "validate_records",
]
