"""Proposed updates per source system: where a source record differs from its golden record.

A correction made once (a new address, a spelled-out first name) then reaches every linked
record. Rules:

* a field is proposed when the golden value is not null and the record's value is null or
  different; a missing golden value never erases a source value;
* derived matching columns (``*_key``, ``*_phonetic``, ``email_role``, ``birth_year``,
  ``phone_kind``, ``legal_form``) and collected lists are not proposed;
* consent (a golden column with a ``<column>_source`` beside it): only opt-outs spread, as
  AVG art. 21 requires: a record is told to opt out when the golden value is an explicit
  opt-out and the record does not already say ``False``. Opt-ins are never copied to other
  records (an opt-in covers only the channel value it was given for).

Example:
    >>> import pandas as pd
    >>> from custmatch.survive import field, golden_records, most_recent
    >>> recs = pd.DataFrame({"record_id": ["a", "b"], "source": ["crm", "webshop"],
    ...     "city": ["Den Haag", "Delft"],
    ...     "updated_at": pd.to_datetime(["2020-01-01", "2023-01-01"], utc=True)})
    >>> result = golden_records(recs, pd.Series([1, 1]), [field("city", most_recent())])
    >>> changes_for_sources(recs, result).values.tolist()
    [['a', 'crm', 'city', 'Den Haag', 'Delft', 1]]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from custmatch.errors import InputError, SchemaError, show_values
from custmatch.survive.golden import GoldenRecords, _column, _text

__all__ = ["CHANGE_COLUMNS", "changes_for_sources"]

CHANGE_COLUMNS = ("record_id", "source", "field", "current_value", "golden_value", "golden_id")
_SKIP = {"golden_id", "n_records", "sources", "record_id", "source", "email_role",
         "birth_year", "phone_kind", "phone_2_kind", "legal_form"}


def _derived(column: str) -> bool:
    return column in _SKIP or column.endswith(("_key", "_phonetic"))


def _texts(values: np.ndarray) -> np.ndarray:
    return np.array([None if v is None or v is pd.NA or v is pd.NaT
                     or (isinstance(v, float) and np.isnan(v)) else _text(v)
                     for v in values], dtype=object)


def changes_for_sources(records: pd.DataFrame, golden: GoldenRecords, *,
                        fields: Sequence[str] | None = None) -> pd.DataFrame:
    """The updates each source record needs to agree with its golden record.

    Args:
        records: the records the golden records were built from (``record_id``, ``source``
            and the fields).
        golden: the :func:`golden_records` result.
        fields: fields to compare; default every golden single-value field the records
            have, except derived matching columns (see the module docstring).

    Returns:
        Long format ``record_id, source, field, current_value, golden_value, golden_id``,
        values as text, in record order then field order.

    Raises:
        InputError: ``golden`` is not a GoldenRecords, or a record id is in no golden record.
        SchemaError: ``record_id``/``source`` or a requested field is missing.

    Example:
        >>> changes_for_sources(pd.DataFrame({"record_id": [], "source": []}),
        ...                     GoldenRecords(pd.DataFrame({"golden_id": []}),
        ...                                   pd.DataFrame(), pd.DataFrame(
        ...                                       {"record_id": [], "golden_id": []}))).shape
        (0, 6)
    """
    if not isinstance(golden, GoldenRecords):
        raise InputError(f"golden must be the GoldenRecords that golden_records returned, "
                         f"got {type(golden).__name__}")
    if not isinstance(records, pd.DataFrame):
        raise InputError(f"records must be a pandas DataFrame, got {type(records).__name__}")
    for c in ("record_id", "source"):
        if c not in records.columns:
            raise SchemaError(f"records have no {c!r} column; found {list(records.columns)[:10]}")
    records = records.reset_index(drop=True)
    frame = golden.golden
    consent = [c for c in frame.columns if f"{c}_source" in frame.columns
               and f"{c}_at" in frame.columns]
    hidden = {x for c in consent for x in (f"{c}_source", f"{c}_at")}
    if fields is None:
        lists = {c for c in frame.columns if len(frame) and isinstance(frame[c].iloc[0], list)}
        fields = [c for c in frame.columns if c in records.columns and not _derived(c)
                  and c not in hidden and c not in lists]
    else:
        missing = [c for c in fields if c not in records.columns or c not in frame.columns]
        if missing:
            raise SchemaError(f"fields {missing} are missing from the records or the golden "
                              "records")
    record_ids = records["record_id"].astype(str).to_numpy(dtype=object)
    members = golden.members
    member_ids = pd.Index(members["record_id"].astype(str).to_numpy(dtype=object))
    at = member_ids.get_indexer(record_ids)
    if (at < 0).any():
        raise InputError(f"record id(s) in no golden record: "
                         f"{show_values(record_ids[at < 0][:5])}")
    golden_index = pd.Index(frame["golden_id"].to_numpy(dtype=object))
    row = golden_index.get_indexer(members["golden_id"].to_numpy(dtype=object)[at])
    parts: list[pd.DataFrame] = []
    for order, c in enumerate(fields):
        gold = pd.Series(frame[c].array.take(row, allow_fill=True))
        current = records[c].reset_index(drop=True)
        gold_null = gold.isna().to_numpy()
        cur_null = current.isna().to_numpy()
        if c in consent:
            stated = frame[f"{c}_source"].notna().to_numpy()[row]
            opt_out = ~gold_null & ~gold.fillna(True).astype(bool).to_numpy() & stated
            already = ~cur_null & ~current.fillna(True).astype(bool).to_numpy()
            hit = opt_out & ~already
        else:
            equal = np.asarray((current.astype(object) == gold.astype(object)).fillna(False),
                               dtype=bool)
            hit = ~gold_null & (cur_null | ~equal)
        idx = np.flatnonzero(hit)
        if len(idx) == 0:
            continue
        parts.append(pd.DataFrame({
            "position": idx, "order": np.full(len(idx), order),
            "record_id": _column(records["record_id"].to_numpy(dtype=object)[idx]),
            "source": _column(records["source"].to_numpy(dtype=object)[idx]),
            "field": pd.Series([c] * len(idx), dtype=object),
            "current_value": pd.Series(_texts(current.to_numpy(dtype=object)[idx]),
                                       dtype=object),
            "golden_value": pd.Series(_texts(gold.to_numpy(dtype=object)[idx]), dtype=object),
            "golden_id": _column(frame["golden_id"].to_numpy(dtype=object)[row[idx]]),
        }))
    if not parts:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in CHANGE_COLUMNS})
    out = pd.concat(parts, ignore_index=True).sort_values(["position", "order"], kind="stable")
    result = pd.DataFrame({c: _column(out[c].to_numpy(dtype=object)) for c in CHANGE_COLUMNS})
    result["field"] = result["field"].astype(object)
    return result
