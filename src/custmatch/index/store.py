"""The SQLite store of a :class:`~custmatch.index.MatchIndex`: schema, connections, and rows
of normalised records as JSON.

One file holds everything (WAL mode, so readers never block the one writer and a killed
writer leaves the last committed state):

* ``meta``: the format version, the settings with the trained model, the survivorship
  specs and the column schema of the normalised records;
* ``records``: one row per source record: ``rid`` (internal integer), ``record_id``,
  ``source``, ``golden_id``, the normalised record as JSON (raw values and pass-through
  columns included) and its blocking keys (``int64`` array as bytes);
* ``keys``: ``(key, rid)``, one row per blocking-key value of a record (the key is a hash of
  rule and value, its low byte the rule number), so candidates are indexed lookups;
* ``tf``, ``tf_total``: value counts behind the model's term-frequency adjustments;
* ``edges``: scored pairs at or above the review threshold, stored in both directions;
* ``golden``: one golden record per cluster, with its lineage, as JSON;
* ``events``: the event log (never personal data: ids, event names, changed field names).

``PRAGMA secure_delete`` is on, so deleted rows (AVG erasure) are overwritten in the file.

Rows are written from frames (:func:`encode_rows`) or from one normalised record as a dict
(:func:`encode_record`, the same JSON), and read back as frames (:func:`decode_rows`) or as
the cells of one row (:func:`decode_cells`, the values those frames hold).

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"record_id": ["r1"], "house_number": pd.array([12], "Int64")})
    >>> schema = column_schema(frame)
    >>> schema
    {'record_id': 'object', 'house_number': 'Int64'}
    >>> rows = encode_rows(frame, schema)
    >>> rows
    ['{"record_id":"r1","house_number":12}']
    >>> decode_rows(rows, schema)["house_number"].dtype
    Int64Dtype()
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from custmatch._frames import frame_from_arrays
from custmatch.errors import InputError

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "SCHEMA",
    "column_schema",
    "connect",
    "decode_cells",
    "decode_dicts",
    "decode_rows",
    "dumps",
    "encode_record",
    "encode_rows",
]

FORMAT = "custmatch.MatchIndex"
FORMAT_VERSION = 1

SCHEMA = """
CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE records(rid INTEGER PRIMARY KEY, record_id TEXT NOT NULL UNIQUE,
                     source TEXT, golden_id TEXT NOT NULL, data TEXT NOT NULL,
                     keys BLOB NOT NULL);
CREATE INDEX records_golden ON records(golden_id);
CREATE TABLE keys(key INTEGER NOT NULL, rid INTEGER NOT NULL,
                  PRIMARY KEY(key, rid)) WITHOUT ROWID;
CREATE TABLE tf(spec INTEGER NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL,
                PRIMARY KEY(spec, value)) WITHOUT ROWID;
CREATE TABLE tf_total(spec INTEGER PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE edges(a INTEGER NOT NULL, b INTEGER NOT NULL, probability REAL NOT NULL,
                   weight REAL NOT NULL, PRIMARY KEY(a, b)) WITHOUT ROWID;
CREATE TABLE golden(golden_id TEXT PRIMARY KEY, n_records INTEGER NOT NULL,
                    data TEXT NOT NULL, lineage TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE events(seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,
                    op TEXT NOT NULL, record_id TEXT, golden_id TEXT, event TEXT NOT NULL,
                    detail TEXT NOT NULL);
CREATE INDEX events_record ON events(record_id);
CREATE INDEX events_golden ON events(golden_id);
"""


def connect(path: str | Path, *, readonly: bool = False, timeout: float = 30.0
            ) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, secure delete.

    ``readonly`` opens the file with ``mode=ro``: a lookup can never write.
    """
    target = Path(path)
    if readonly:
        con = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True,
                              timeout=timeout, isolation_level=None,
                              check_same_thread=False)
    else:
        con = sqlite3.connect(str(target), timeout=timeout, isolation_level=None,
                              check_same_thread=False)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA secure_delete=ON")
    con.execute("PRAGMA cache_size=-65536")
    return con


# ------------------------------------------------------------------------ JSON rows
def _kind(dtype: object) -> str:
    """How a column is stored; datetimes keep their exact dtype (``datetime:datetime64[us]``)
    so they come back in the resolution they had (pandas 2 and 3 differ)."""
    if isinstance(dtype, pd.DatetimeTZDtype):
        return f"datetime_utc:datetime64[{dtype.unit}, UTC]"
    if pd.api.types.is_datetime64_dtype(dtype):
        return f"datetime:{dtype}"
    name = str(dtype)
    if name in ("Int64", "boolean", "Float64"):
        return name
    if name == "bool":
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "Int64"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    return "object"


def column_schema(frame: pd.DataFrame) -> dict[str, str]:
    """Per column of a normalised frame, how its values are stored and rebuilt."""
    return {str(c): _kind(frame[c].dtype) for c in frame.columns}


def _plain(value: Any) -> Any:
    """A cell as a JSON value (None for every kind of missing)."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _column_values(series: pd.Series, kind: str) -> list[Any]:
    kind = kind.split(":", 1)[0]
    if kind in ("datetime", "datetime_utc") and len(series) <= 20 and \
            pd.api.types.is_datetime64_any_dtype(series.dtype):  # one record: no pandas detour
        out = []
        for v in series.tolist():
            if v is pd.NaT or v is None:
                out.append(None)
                continue
            if v.tzinfo is not None:
                v = v.tz_convert("UTC").tz_localize(None)
            out.append(v.strftime("%Y-%m-%dT%H:%M:%S.%f"))
        return out
    if kind in ("datetime", "datetime_utc"):
        if not pd.api.types.is_datetime64_any_dtype(series.dtype):  # e.g. all missing
            series = pd.to_datetime(series, errors="coerce", utc=kind == "datetime_utc")
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_convert("UTC")
        stamps = series.dt.tz_convert(None) if kind == "datetime_utc" else series
        texts = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.%f")
        return [None if isinstance(t, float) or t is None else t
                for t in texts.to_numpy(dtype=object, na_value=None)]
    values = series.to_numpy(dtype=object, na_value=None)
    if kind == "object":
        return [v if v is None or type(v) is str else _plain(v) for v in values]
    return [_plain(v) for v in values]


def dumps(value: Any) -> str:
    """Compact JSON (non-ASCII kept)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_plain)


def encode_rows(frame: pd.DataFrame, schema: dict[str, str] | None = None) -> list[str]:
    """One JSON object per row: its non-missing cells (columns not in ``schema`` are
    stored by their own dtype)."""
    schema = schema or {}
    names = [str(c) for c in frame.columns]
    if len(frame) <= _FEW_ROWS and frame.columns.is_unique:
        return _encode_few(frame, names, schema)
    if not frame.columns.is_unique:  # a dict per row: a repeated name keeps its last cell
        columns = [_column_values(frame[c], schema.get(str(c)) or _kind(frame[c].dtype))
                   for c in frame.columns]
        return [_ENCODER.encode({n: v for n, v in zip(names, row, strict=True)
                                 if v is not None}) for row in zip(*columns, strict=True)]
    # each row joined from its cells' ready-made '"name":value' texts: what encoding the
    # row's dict gives, with every distinct value of a column encoded once
    fragments = [_column_fragments(frame.iloc[:, j], names[j],
                                   schema.get(names[j]) or _kind(frame.iloc[:, j].dtype))
                 for j in range(len(names))]
    return ["{" + ",".join([f for f in row if f is not None]) + "}"
            for row in zip(*fragments, strict=True)]


def _column_fragments(series: pd.Series, name: str, kind: str) -> NDArray[np.object_]:
    """Per cell, the ``"name":value`` text the row's JSON object holds for it (``None``
    where the cell is missing and left out). Values are encoded once per distinct value
    where the column's values compare exactly (not floats, where ``0.0 == -0.0``, nor
    mixed objects, where ``1 == True``)."""
    prefix = _ENCODER.encode(name) + ":"
    dtype = series.dtype
    exact = not pd.api.types.is_float_dtype(dtype) and (
        not pd.api.types.is_object_dtype(dtype)
        or pd.api.types.infer_dtype(series, skipna=True) in _EXACT_OBJECTS)
    if not exact:
        values = _column_values(series, kind)
        out = np.empty(len(values), dtype=object)
        out[:] = [None if v is None else prefix + _json_value(v) for v in values]
        return out
    codes, uniques = pd.factorize(series)
    plain = _column_values(pd.Series(uniques), kind)
    texts = np.empty(len(plain) + 1, dtype=object)  # the last one for code -1 (missing)
    texts[:-1] = [None if v is None else prefix + _json_value(v) for v in plain]
    texts[-1] = None
    return texts[codes]


#: What :func:`pandas.api.types.infer_dtype` says of object columns whose values compare
#: exactly (all text, or all bool).
_EXACT_OBJECTS = ("string", "empty", "boolean")
_escape = json.encoder.encode_basestring  # what the encoder writes for a str


def _json_value(value: Any) -> str:
    """``_ENCODER.encode(value)``, with texts and lists of texts (a golden record's phone
    numbers) written directly."""
    if type(value) is str:
        return _escape(value)
    if type(value) is list and all(type(v) is str for v in value):
        return "[" + ",".join([_escape(v) for v in value]) + "]"
    return _ENCODER.encode(value)


#: Up to this many rows :func:`encode_rows` reads the frame as one object array.
_FEW_ROWS = 20


def _encode_few(frame: pd.DataFrame, names: list[str], schema: dict[str, str]) -> list[str]:
    """:func:`encode_rows` of a few rows (a golden record, a new record): the cells of
    ``frame.to_numpy(dtype=object)``, each written as :func:`_column_values` writes it."""
    kinds = [(schema.get(n) or _kind(d)).split(":", 1)[0]
             for n, d in zip(names, frame.dtypes, strict=True)]
    out = []
    for cells in frame.to_numpy(dtype=object):
        row: dict[str, Any] = {}
        for name, kind, value in zip(names, kinds, cells, strict=True):
            if kind == "object":
                cell = value if value is None or type(value) is str else _plain(value)
            elif kind in ("datetime", "datetime_utc"):
                cell = _record_value(None if value is pd.NaT or value is None else value,
                                     kind)
            else:
                cell = _plain(value)
            if cell is not None:
                row[name] = cell
        out.append(_ENCODER.encode(row))
    return out


class Unencodable(ValueError):
    """A value :func:`encode_record` cannot write as :func:`encode_rows` would (text in a
    datetime column: only pandas parses it the same way); use the frame path."""


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_plain)
_STAMP = "%Y-%m-%dT%H:%M:%S.%f"


def _record_value(value: Any, kind: str) -> Any:
    """One cell as :func:`_column_values` writes it (``value`` as ``to_numpy(dtype=object)``
    gives it: ``None`` for missing, a Timestamp for a datetime, an ``int`` for ``Int64``)."""
    if value is None:
        return None
    if kind.startswith("datetime"):
        if not isinstance(value, dt.datetime):
            raise Unencodable(f"{value!r} in a {kind} column")
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.strftime(_STAMP)
    if kind == "object" and type(value) is str:
        return value
    return _plain(value)


def encode_record(values: dict[str, Any], schema: dict[str, str],
                  kinds: dict[str, str] | None = None) -> tuple[dict[str, Any], str]:
    """One normalised record (a dict, as :func:`custmatch.normalize.normalize_record`
    gives it) as the JSON row :func:`encode_rows` writes for its one-row frame, and that
    row as a dict. ``kinds`` says how a column outside ``schema`` is stored (default:
    ``object``), as its frame dtype would.

    Raises:
        Unencodable: a value only the frame path writes the same way.
    """
    kinds = kinds or {}
    row: dict[str, Any] = {}
    for name, value in values.items():
        cell = _record_value(value, schema.get(name) or kinds.get(name) or "object")
        if cell is not None:
            row[name] = cell
    return row, _ENCODER.encode(row)


def decode_cells(row: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    """The cells of a stored JSON row (a dict) for the columns of ``kinds`` (a schema), as
    the frame of :func:`decode_rows` holds them and ``to_numpy(dtype=object,
    na_value=None)`` returns them: ``None`` for missing values (``NaT`` in datetime
    columns), Timestamps for datetimes, ``int``/``bool``/``float`` for the nullable types."""
    texts, typed = _cell_plan(tuple(kinds.items()))
    out = {name: row.get(name) for name in texts}
    for name, convert in typed:
        out[name] = convert(row.get(name))
    return out


@functools.lru_cache(maxsize=64)
def _cell_plan(kinds: tuple[tuple[str, str], ...]
               ) -> tuple[tuple[str, ...], tuple[tuple[str, Any], ...]]:
    """The text columns of a schema and a converter for each other column."""
    texts = tuple(name for name, kind in kinds if kind == "object")
    typed = tuple((name, _converter(kind)) for name, kind in kinds if kind != "object")
    return texts, typed


def _converter(kind: str) -> Any:
    base, _, dtype = kind.partition(":")
    if base in ("datetime", "datetime_utc"):
        unit = _unit(dtype)
        tz = "UTC" if base == "datetime_utc" else None
        return lambda v: pd.NaT if v is None else _stamp(v, unit, tz)
    if base == "bool":
        return bool
    if base in ("Float64", "float"):
        return lambda v: None if v is None else float(v)
    return lambda v: v  # Int64, boolean: the JSON int / bool, or None


@functools.lru_cache(maxsize=65536)
def _stamp(text: str, unit: str, tz: str | None) -> pd.Timestamp:
    """A stored ISO text as a Timestamp (cached: birth dates and dates repeat)."""
    return pd.Timestamp(text, tz=tz).as_unit(unit)


def _unit(dtype: str) -> str:
    """The unit of a ``datetime64[..]`` dtype text (``ns`` when not given)."""
    start = dtype.find("[")
    return dtype[start + 1:].split(",")[0].rstrip("]") if start >= 0 else "ns"


def decode_rows(rows: Sequence[str], schema: dict[str, str],
                extra: bool = False) -> pd.DataFrame:
    """The frame of JSON rows in the dtypes of ``schema`` (every schema column present;
    with ``extra``, other stored columns too, as objects)."""
    return decode_dicts([json.loads(r) for r in rows], schema, extra)


def decode_dicts(dicts: Sequence[dict[str, Any]], schema: dict[str, str],
                 extra: bool = False) -> pd.DataFrame:
    """:func:`decode_rows` of rows already read from JSON.

    The columns become the frame in one step (object arrays for text: most of the schema is
    text, and a real-time call decodes a few rows of it).
    """
    names = list(schema)
    if extra:
        seen = dict.fromkeys(names)
        for d in dicts:
            seen.update(dict.fromkeys(d))
        names = list(seen)
    n = len(dicts)
    index = pd.RangeIndex(n)
    columns: dict[str, Any] = {}
    for name in names:
        kind = schema.get(name, "object")
        if kind == "object":
            column = columns[name] = np.empty(n, dtype=object)
            column[:] = [d.get(name) for d in dicts]
        else:
            columns[name] = _typed([d.get(name) for d in dicts], kind, index)
    return frame_from_arrays(columns, n)


def _typed(values: list[Any], kind: str, index: pd.RangeIndex) -> pd.Series:
    """A non-text column of :func:`decode_dicts`."""
    base, _, dtype = kind.partition(":")
    if base in ("datetime", "datetime_utc"):
        utc = base == "datetime_utc"
        target = dtype or ("datetime64[ns, UTC]" if utc else "datetime64[ns]")
        try:  # the stored ISO texts, parsed by numpy (exact, much faster than pandas)
            stamps = np.array(["NaT" if v is None else v for v in values],
                              dtype="datetime64[ns]")
        except (ValueError, TypeError):
            series = pd.to_datetime(pd.Series(values, dtype=object), utc=utc)
        else:
            series = pd.Series(pd.DatetimeIndex(stamps).tz_localize("UTC") if utc else stamps,
                               index=index)
        return series if str(series.dtype) == target else series.astype(target)
    if base in ("Int64", "boolean", "Float64"):
        return pd.Series(pd.array(values, dtype=base), index=index)
    if base == "bool":
        return pd.Series([bool(v) for v in values], dtype=bool, index=index)
    if base == "float":
        return pd.Series([np.nan if v is None else v for v in values], dtype=np.float64,
                         index=index)
    array = np.empty(len(values), dtype=object)  # pragma: no cover - "object" is a block
    array[:] = values
    return pd.Series(array, dtype=object, index=index, copy=False)


def chunks(values: Sequence[Any], size: int = 900) -> Iterable[Sequence[Any]]:
    """Slices of at most ``size`` values (SQLite limits the parameters of one query)."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def check_path(path: str | Path, *, exists: bool) -> Path:
    """The index path, checked to exist (open) or not to exist (create)."""
    target = Path(path)
    if exists and not target.is_file():
        raise InputError(f"no match index at {str(target)!r}; create one with "
                         "MatchIndex.create(path, result)")
    if not exists and target.exists():
        raise InputError(f"{str(target)!r} already exists; open it with MatchIndex.open "
                         "or choose another path")
    return target
