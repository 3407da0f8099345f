"""Survivorship: golden records with per-field lineage, consent and source updates.

Declare per field (or per group of fields that must come from one record) a chain of
rules; :func:`golden_records` applies them to every cluster at once, vectorised, and
:func:`changes_for_sources` turns the result into the updates each source system needs.
Values that failed validation (``<field>_status``) never survive over usable ones; ties
end on the record id, so results do not depend on the input row order.

Example:
    >>> import pandas as pd
    >>> recs = pd.DataFrame({
    ...     "record_id": ["crm-1", "web-7", "fin-3"],
    ...     "source": ["crm", "webshop", "finance"],
    ...     "first_name": [None, "Jan", None], "initials": ["J", "J", "JH"],
    ...     "surname": ["Berg", "Berg", "Berg"], "prefix": ["v.d.", "van der", "van den"],
    ...     "updated_at": pd.to_datetime(["2023-01-01", "2019-01-01", "2024-01-01"], utc=True),
    ...     "consent_email": pd.array([True, None, False], dtype="boolean")})
    >>> golden, lineage = golden_records(recs, pd.Series(["k1", "k1", "k1"]))
    >>> golden[["first_name", "prefix", "surname", "consent_email"]].values.tolist()
    [['Jan', 'van der', 'Berg', False]]
    >>> lineage.loc[lineage.field == "first_name", ["record_id", "rule"]].values.tolist()
    [['web-7', 'spelled_out']]
"""

from __future__ import annotations

from custmatch.survive.changes import changes_for_sources
from custmatch.survive.defaults import default_rules
from custmatch.survive.golden import GoldenRecords, golden_records
from custmatch.survive.rules import (
    CollectAll,
    ConsentSpec,
    FieldSpec,
    FirstValid,
    Longest,
    MostComplete,
    MostFrequent,
    MostRecent,
    Required,
    Rule,
    SourcePriority,
    SpelledOut,
    UserRule,
    collect_all,
    consent,
    custom,
    field,
    first_valid,
    group,
    longest,
    most_complete,
    most_frequent,
    most_recent,
    required,
    source_priority,
    spelled_out,
)

__all__ = [
    "CollectAll",
    "ConsentSpec",
    "FieldSpec",
    "FirstValid",
    "GoldenRecords",
    "Longest",
    "MostComplete",
    "MostFrequent",
    "MostRecent",
    "Required",
    "Rule",
    "SourcePriority",
    "SpelledOut",
    "UserRule",
    "changes_for_sources",
    "collect_all",
    "consent",
    "custom",
    "default_rules",
    "field",
    "first_valid",
    "golden_records",
    "group",
    "longest",
    "most_complete",
    "most_frequent",
    "most_recent",
    "required",
    "source_priority",
    "spelled_out",
]
