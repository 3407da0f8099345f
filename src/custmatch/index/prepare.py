"""Records into a match index: checked, BSN-masked, normalised and keyed, as :class:`One`.

Every record a :class:`~custmatch.index.MatchIndex` call takes in becomes a :class:`One`:
its stored JSON row (what :func:`custmatch.normalize.normalize_frame` makes of it, written
by :func:`~custmatch.index.store.encode_rows`), that row's cells in the dtypes of the
index schema, and its blocking keys. There are two ways to get there, with the same
result:

* the record path (:func:`prepare_records`, a handful of plain records: text values):
  :func:`custmatch.normalize.record.normalize_record` value by value, no pandas;
* the frame path (:func:`frame_records`): ``normalize_frame`` over a frame of the records,
  for many records at once and for values the record path does not take (numbers, dates).

Both see the records as the frame path does: the fields of all records of one call
together (a field one record lacks is missing in it), the input roles of the batch run
that the records lack as empty fields, and BSN-like fields masked (unless ``allow_bsn``).

Example:
    >>> check_records([{"record_id": " a1 ", "surname": "Berg"}], "record_id")
    ['a1']
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from custmatch.errors import InputError, SchemaError
from custmatch.index import store
from custmatch.index.keys import cell_keys, record_keys
from custmatch.normalize import normalize_frame
from custmatch.normalize.identifiers import looks_like_bsn, mask_bsn, mask_bsn_columns
from custmatch.normalize.record import normalize_record, record_roles
from custmatch.schema import infer_columns

if TYPE_CHECKING:
    from custmatch.index.core import MatchIndex

__all__ = ["One", "check_records", "frame_records", "mask_bsn_frame", "one_from_data",
           "prepare_records"]

#: Input roles of which a record needs at least one (as :func:`custmatch.deduplicate`).
MATCHING_ROLES = ("full_name", "first_name", "initials", "surname", "organisation", "address",
                  "street", "postcode", "phone", "mobile", "email", "birth_date")

#: Up to this many records a call normalises record by record; more go through one frame.
RECORD_PATH_MAX = 50

#: How a normalised column is stored when the index schema lacks it (its frame dtype).
RECORD_KINDS = {"house_number": "Int64", "po_box": "Int64", "birth_year": "Int64",
                "birth_date": "datetime:datetime64[ns]",
                "updated_at": "datetime_utc:datetime64[ns, UTC]",
                "created_at": "datetime_utc:datetime64[ns, UTC]",
                "consent_email": "boolean", "consent_phone": "boolean"}


@dataclass(frozen=True)
class One:
    """One record as the index handles it.

    Attributes:
        record_id, source: its id and source (normalised).
        data: the stored JSON row.
        row: that row as a dict (missing cells left out).
        cells: the cells of the columns scoring, blocking and term frequencies read, as
            the decoded frame holds them (:func:`~custmatch.index.store.decode_cells`).
        keys: its blocking keys (``int64``).
    """

    record_id: str
    source: str | None
    data: str
    row: dict[str, Any]
    cells: dict[str, Any]
    keys: np.ndarray


def id_column(index: MatchIndex) -> str:
    """The field that holds record ids."""
    columns = index.settings.columns or {}
    if all(isinstance(v, str) for v in columns.values()):
        return columns.get("record_id", "record_id")
    return "record_id"


def check_records(records: Sequence[Any], id_field: str) -> list[str]:
    """The records' ids (stripped); raises on a record that is not a mapping, lacks an id,
    or repeats one."""
    if not records:
        raise InputError("no records given")
    seen: dict[str, None] = {}
    for i, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise InputError(f"record {i} must be a mapping of field -> value (a dict), "
                             f"got {type(record).__name__}")
        value = record.get(id_field)
        if value is None or (isinstance(value, float) and value != value) or \
                not str(value).strip():
            raise InputError(f"record {i} has no {id_field!r}: every record needs an id")
        rid = str(value).strip()
        if rid in seen:
            raise InputError(f"record id {rid!r} occurs twice in the records given")
        seen[rid] = None
    return list(seen)


def _absent_roles(index: MatchIndex, roles: Mapping[str, str], fields: Sequence[str]
                  ) -> list[str]:
    """The input roles of the batch run (``raw_<role>`` columns) these records lack."""
    present = set(fields)
    return [c[4:] for c in index.schema if c.startswith("raw_") and c[4:] not in roles
            and c[4:] not in present]


def _no_matching_field(first_id: object, fields: Sequence[object]) -> SchemaError:
    return SchemaError(
        f"record {first_id!r}: no recognisable name, address, phone, e-mail or birth-date "
        f"field among {[str(c) for c in fields][:20]}")


def mask_bsn_frame(raw: pd.DataFrame, allow_bsn: bool) -> pd.DataFrame:
    """The records with every BSN-like column masked, as the batch does before matching
    (:func:`~custmatch.normalize.identifiers.mask_bsn_columns`, without its warning)."""
    return mask_bsn_columns(raw, allow_bsn=allow_bsn, warn=False)


def _mask_bsn_rows(rows: list[dict[str, Any]], fields: Sequence[str]) -> None:
    """:func:`mask_bsn_frame` on records of text values (in place)."""
    for field in fields:
        present = [row[field] for row in rows if row[field] is not None]
        if not present:
            continue
        if sum(looks_like_bsn(v) for v in present) / len(present) >= 0.5:
            for row in rows:
                if row[field] is not None:
                    row[field] = mask_bsn(row[field])


def _plain_text(value: object) -> bool:
    return value is None or type(value) is str or (type(value) is float and value != value)


def prepare_records(index: MatchIndex, records: Sequence[Any]) -> list[One] | None:
    """The records as :class:`One`, by the record path; None when a record holds values
    it does not take (anything but text and missing values) or the column mapping is not
    plain (then use :func:`frame_records`). Raises as the frame path does."""
    id_field = id_column(index)
    ids = check_records(records, id_field)
    columns = index.settings.columns
    if columns and not all(v is None or isinstance(v, str) for v in columns.values()):
        return None
    fields: dict[str, None] = {}
    for record in records:
        for field, value in record.items():
            if type(field) is not str or not _plain_text(value):
                return None
            fields.setdefault(field)
    roles = record_roles(list(fields), columns)
    absent = _absent_roles(index, roles, list(fields))
    if absent:
        fields.update(dict.fromkeys(absent))
        roles = record_roles(list(fields), columns)
    if not any(r in roles for r in MATCHING_ROLES):
        raise _no_matching_field(ids[0], list(fields))
    rows = []
    for record, rid in zip(records, ids, strict=True):
        row = {f: record.get(f) for f in fields}
        for f, value in row.items():
            if type(value) is float:  # NaN
                row[f] = None
        row[id_field] = rid
        rows.append(row)
    if not index.settings.allow_bsn:
        _mask_bsn_rows(rows, list(fields))
    out = []
    for row in rows:
        values = normalize_record(row, columns, region=index.settings.region,
                                  today=index.settings.today, roles=roles)
        try:
            stored, data = store.encode_record(values, index.schema, RECORD_KINDS)
        except store.Unencodable:
            return None
        out.append(_one(index, stored, data))
    return out


def frame_records(index: MatchIndex, records: Sequence[Any]
                  ) -> tuple[pd.DataFrame, list[str]]:
    """The frame path: the records normalised together by ``normalize_frame``; returns the
    stored rows decoded (a frame in the index schema) and the JSON rows."""
    id_field = id_column(index)
    ids = check_records(records, id_field)
    raw = pd.DataFrame([dict(r) for r in records])
    raw[id_field] = ids
    roles = infer_columns(raw, index.settings.columns)
    absent = _absent_roles(index, roles, list(raw.columns))
    if absent:
        raw = raw.assign(**{role: None for role in absent})
        roles = infer_columns(raw, index.settings.columns)
    if not any(r in roles for r in MATCHING_ROLES):
        raise _no_matching_field(raw[id_field].iloc[0], list(raw.columns))
    raw = mask_bsn_frame(raw, index.settings.allow_bsn)
    frame = _normalize(index, raw, roles, id_field)
    data = store.encode_rows(frame, index.schema)
    return store.decode_rows(data, index.schema), data


def _normalize(index: MatchIndex, raw: pd.DataFrame, roles: Mapping[str, str],
               id_field: str) -> pd.DataFrame:
    """``normalize_frame`` of the records. Name parsing fails on a frame whose only name
    combinations are all rejected (an empty-array bug in
    ``normalize.names._compose_columns``); then the records are normalised beside one
    plain extra record that is dropped again (normalisation works value by value, so the
    records' own output is the same)."""
    options = {"region": index.settings.region, "today": index.settings.today}
    try:
        return normalize_frame(raw, index.settings.columns, **options)
    except TypeError:
        pad: dict[str, Any] = {column: None for column in raw.columns}
        pad[id_field] = "\x00padding"
        for role, value in (("first_name", "Jan"), ("initials", "J"),
                            ("surname", "Jansen"), ("full_name", "Jan Jansen")):
            if role in roles:
                pad[roles[role]] = value
        padded = pd.concat([raw, pd.DataFrame([pad])], ignore_index=True)
        frame = normalize_frame(padded, index.settings.columns, **options)
        return frame.iloc[:-1].reset_index(drop=True)


def _one(index: MatchIndex, row: dict[str, Any], data: str) -> One:
    cells = store.decode_cells(row, index.cell_schema)
    source = row.get("source")
    return One(str(row.get("record_id")), None if source is None else str(source), data, row,
               cells, np.array(cell_keys(cells, index.rules), dtype=np.int64))


def one_from_data(index: MatchIndex, data: str) -> One:
    """A stored (or frame-path) JSON row as :class:`One`."""
    return _one(index, json.loads(data), data)


def one_from_frame(index: MatchIndex, frame1: pd.DataFrame, data: str) -> One:
    """:class:`One` of a decoded one-row frame, its keys by :func:`record_keys` (the frame
    path, kept as the reference the record path is tested against)."""
    one = one_from_data(index, data)
    keys = record_keys(frame1, index.rules)[1]
    return One(one.record_id, one.source, data, one.row, one.cells, keys)
