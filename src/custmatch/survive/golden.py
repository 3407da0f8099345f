"""Golden records: one row per cluster, each field from the record its rules rank first.

Vectorised: for every spec the rules give rank keys per record; one sort by (cluster, keys
..., record id) puts each cluster's best record first. There is no loop over clusters.

Example:
    >>> import pandas as pd
    >>> from custmatch.survive.rules import field, most_recent
    >>> recs = pd.DataFrame({
    ...     "record_id": ["a", "b", "c"], "source": ["crm", "webshop", "crm"],
    ...     "email": ["jan@kpn.nl", "jan@ziggo.nl", "els@xs4all.nl"],
    ...     "updated_at": pd.to_datetime(["2020-01-01", "2023-05-01", "2021-01-01"], utc=True)})
    >>> result = golden_records(recs, pd.Series([1, 1, 2]), [field("email", most_recent())])
    >>> result.golden[["golden_id", "email", "n_records", "sources"]].values.tolist()
    [[1, 'jan@ziggo.nl', 2, 'crm; webshop'], [2, 'els@xs4all.nl', 1, 'crm']]
    >>> result.lineage[["golden_id", "field", "record_id", "rule"]].values.tolist()
    [[1, 'email', 'b', 'most_recent(updated_at)'], [2, 'email', 'c', 'only_value']]
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pandas.api.extensions import ExtensionArray

from custmatch._codes import combine_all, dense_codes
from custmatch._frames import frame_from_arrays
from custmatch.errors import ConfigError, InputError, SchemaError
from custmatch.survive.inputs import check_specs, cluster_codes, record_rank
from custmatch.survive.rules import (
    GOOD_STATUSES,
    ConsentSpec,
    FieldSpec,
    Key,
    Spec,
)

__all__ = ["GoldenRecords", "RankContext", "golden_records"]

_NO_WINNER = -1
_FEW = 1000  # records up to which a text column is factorised in Python
_OBJECT = np.dtype(object)


@dataclass(frozen=True, eq=False)
class GoldenRecords:
    """Golden records with lineage; unpacks as ``golden, lineage = result``.

    Attributes:
        golden: one row per cluster, sorted by ``golden_id`` (the cluster id given):
            ``golden_id, n_records, sources`` then the surviving fields, consent columns
            (``<consent>``, ``<consent>_source``, ``<consent>_at``) and collected lists.
        lineage: long format ``golden_id, field, value, record_id, source, rule``: one row
            per non-null golden value (one per list element; every consent decision).
        members: ``record_id, golden_id``: every input record, in input order.
    """

    golden: pd.DataFrame
    lineage: pd.DataFrame
    members: pd.DataFrame

    def __iter__(self) -> Iterator[pd.DataFrame]:
        return iter((self.golden, self.lineage))

    def __len__(self) -> int:
        return len(self.golden)

    def __repr__(self) -> str:
        return (f"GoldenRecords(golden={len(self.golden)} rows, records={len(self.members)}, "
                f"lineage={len(self.lineage)} rows)")


class RankContext:
    """Records plus cached per-column arrays that rules read (codes, times, statuses).

    Each column is read from ``records`` once; text columns are worked on as integer codes
    into their distinct values, so golden values and lineage texts come from those tables.
    """

    def __init__(self, records: pd.DataFrame, cluster: NDArray[np.int64], n_clusters: int,
                 rid_rank: NDArray[np.int64]) -> None:
        self.records = records
        self.n = len(records)
        self.cluster = cluster
        self.n_clusters = n_clusters
        self.rid_rank = rid_rank
        self._names = set(records.columns.tolist())
        self._series: dict[str, pd.Series] = {}
        self._codes: dict[str, tuple[NDArray[np.int64], np.ndarray]] = {}
        self._texts: dict[str, np.ndarray | None] = {}
        self._failed: dict[tuple[str, ...], NDArray[np.bool_]] = {}
        self._statuses: dict[str, tuple[NDArray[np.bool_], NDArray[np.bool_]]] = {}
        self._usable: dict[tuple[str, tuple[str, ...]], NDArray[np.bool_]] = {}
        self._group: dict[tuple[str, ...], NDArray[np.int64]] = {}
        self._null: dict[str, NDArray[np.bool_]] = {}
        self._times: dict[str, NDArray[np.int64]] = {}

    def column(self, column: str) -> pd.Series:
        """The records' column (read once)."""
        series = self._series.get(column)
        if series is None:
            series = self._series[column] = self.records[column]
        return series

    def codes(self, column: str) -> tuple[NDArray[np.int64], np.ndarray]:
        """Integer codes of a column's values (``-1`` for null) and the distinct values."""
        if column not in self._codes:
            series = self.column(column)
            found = None
            if self.n <= _FEW and _is_text(series.dtype):  # a few texts: faster by hand
                found = _factorize_texts(_text_list(series))
            if found is None:
                codes, uniques = pd.factorize(_plain(series), use_na_sentinel=True)
                found = (np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object))
            self._codes[column] = found
        return self._codes[column]

    def isnull(self, column: str) -> NDArray[np.bool_]:
        """True where the column is null."""
        if column not in self._null:
            if column in self._codes or (self.n <= _FEW and _is_text(self.column(column).dtype)):
                self._null[column] = self.codes(column)[0] < 0
            else:
                self._null[column] = np.asarray(pd.isna(_plain(self.column(column))),
                                                dtype=bool)
        return self._null[column]

    def texts(self, column: str) -> np.ndarray | None:
        """Lineage text of each distinct value (``codes(column)[1]``), or None when equal
        values of the column may print differently (mixed objects, floats)."""
        if column not in self._texts:
            uniques = self.codes(column)[1]
            dtype = self.column(column).dtype
            kind = getattr(dtype, "kind", "O")
            inferred = pd.api.types.infer_dtype(uniques, skipna=False)
            if inferred in ("string", "empty"):
                self._texts[column] = uniques
            elif isinstance(dtype, pd.StringDtype | pd.CategoricalDtype) or kind in "biumM":
                self._texts[column] = np.array([_text(u) for u in uniques], dtype=object)
            else:
                self._texts[column] = None
        return self._texts[column]

    def take(self, column: str, rows: NDArray[np.int64]) -> np.ndarray | ExtensionArray:
        """The column's values at ``rows`` (``-1`` gives a missing value), keeping the dtype;
        text becomes object dtype (as :func:`_take`: NaN at ``-1``, a string column's own
        missing values ``None``)."""
        series = self.column(column)
        if series.dtype == _OBJECT:
            values = series.to_numpy()[rows]
        elif isinstance(series.dtype, pd.StringDtype):
            codes, uniques = self.codes(column)
            values = np.append(uniques, None)[codes[rows]]
        else:
            return series.array.take(rows, allow_fill=True)
        values[rows < 0] = np.nan
        return values

    def objects(self, column: str, rows: NDArray[np.int64]) -> np.ndarray:
        """The column's non-null values at ``rows`` as Python objects (``to_numpy(object)``)."""
        series = self.column(column)
        if series.dtype == object:
            return series.to_numpy()[rows]
        if isinstance(series.dtype, pd.StringDtype):
            codes, uniques = self.codes(column)
            return uniques[codes[rows]]
        return series.to_numpy(dtype=object)[rows]

    def failed(self, status_columns: tuple[str, ...]) -> NDArray[np.bool_]:
        """True where no status column is usable and one holds a failure (``invalid``...)."""
        failed = self._failed.get(status_columns)
        if failed is None:
            good = np.zeros(self.n, dtype=bool)
            bad = np.zeros(self.n, dtype=bool)
            for c in status_columns:
                if c in self._names:
                    usable, failure = self._status(c)
                    good |= usable
                    bad |= failure
            failed = self._failed[status_columns] = bad & ~good
        return failed

    def usable(self, column: str, status_columns: tuple[str, ...]) -> NDArray[np.bool_]:
        """True where ``column`` holds a value that did not fail validation."""
        key = (column, status_columns)
        if key not in self._usable:
            self._usable[key] = ~self.isnull(column) & ~self.failed(status_columns)
        return self._usable[key]

    def _status(self, column: str) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
        """(valid or repaired, a failure) per record of a status column."""
        if column not in self._statuses:
            series = self.column(column)
            if isinstance(series.dtype, pd.CategoricalDtype) and column not in self._codes:
                codes = series.array.codes  # statuses are categories: no factorising
                uniques = series.array.categories.to_numpy(dtype=object)
            else:
                codes, uniques = self.codes(column)
            texts = [str(u) for u in uniques]
            good = np.array([t in ("valid", "repaired") for t in texts] + [False])[codes]
            bad = np.array([t not in GOOD_STATUSES for t in texts] + [False])[codes]
            self._statuses[column] = (good, bad)
        return self._statuses[column]

    def timestamps(self, column: str) -> NDArray[np.int64]:
        """Dense rank of the times (or numbers) in ``column``: 0 for missing, then 1, 2, ...
        from the oldest; equal times get equal ranks."""
        if column in self._times:
            return self._times[column]
        values = self.column(column)
        if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
                values.dtype):
            stamps = values.array
            if isinstance(values.dtype, pd.DatetimeTZDtype):
                stamps = stamps.tz_localize(None)
            raw = np.asarray(stamps, dtype="datetime64[ns]")
            missing = np.isnat(raw)
            numbers: np.ndarray = raw.view(np.int64)
        elif pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
                values.dtype):
            floats = pd.to_numeric(values).astype("Float64")
            missing = np.asarray(floats.isna(), dtype=bool)
            numbers = floats.fillna(0).to_numpy(dtype=np.float64)
        else:
            raise SchemaError(f"column {column!r} must hold timestamps or numbers for "
                              f"most_recent/consent; found dtype {values.dtype}")
        rank = np.zeros(self.n, dtype=np.int64)
        if (~missing).any():
            _, inverse = np.unique(numbers[~missing], return_inverse=True)
            rank[~missing] = inverse.reshape(-1) + 1
        self._times[column] = rank
        return rank

    def group_codes(self, columns: tuple[str, ...]) -> NDArray[np.int64]:
        """One code per distinct combination of the columns' values (nulls included),
        numbered in order of first appearance."""
        if columns not in self._group:
            self._group[columns] = combine_all([self.codes(c)[0] for c in columns], self.n)
        return self._group[columns]

    def frequency(self, columns: tuple[str, ...]) -> NDArray[np.int64]:
        """How many records of the same cluster share this record's values."""
        values = self.group_codes(columns)
        key = self.cluster * (int(values.max(initial=0)) + 1) + values
        codes = dense_codes(key)
        return np.bincount(codes)[codes].astype(np.int64)

    def lengths(self, column: str) -> NDArray[np.int64]:
        """Characters in the value as text (0 for null)."""
        codes, uniques = self.codes(column)
        table = np.array([len(str(u)) for u in uniques] + [0], dtype=np.int64)
        return table[codes]

    def spelled(self, column: str) -> NDArray[np.int64]:
        """1 where a text value is spelled out (no abbreviation dot, two letters or more)."""
        if column in ("title", "initials") or column.endswith(("_key", "_phonetic")):
            return np.zeros(self.n, dtype=np.int64)
        codes, uniques = self.codes(column)
        table = np.array([int(isinstance(u, str) and "." not in u
                              and sum(map(str.isalpha, u)) >= 2) for u in uniques] + [0],
                         dtype=np.int64)
        return table[codes]


def _sort_order(keys: Sequence[Key], distinct: bool = False) -> NDArray[np.intp]:
    """Row order by keys[0], then keys[1], ...; small-range keys are packed into one int64.

    ``distinct``: no two rows tie on all keys (the last key is the record rank), so any
    sort gives the stable order and the faster unstable one is used.
    """
    if keys and 0 < len(keys[0]) <= _FEW:  # a few rows: packing costs more than it saves
        return np.lexsort(keys[::-1])
    packed: list[NDArray[np.int64]] = []
    current: NDArray[np.int64] | None = None
    span = 1
    for key in keys:
        if len(key) == 0:
            break
        lo, hi = int(key.min()), int(key.max())
        width = hi - lo + 1
        if width == 1:
            continue
        shifted = key - lo if width < 2**63 else key
        if current is not None and span * width < 2**62:
            current = current * width + shifted
            span *= width
        else:
            if current is not None:
                packed.append(current)
            current, span = np.asarray(shifted, dtype=np.int64), width
    if current is not None:
        packed.append(current)
    if not packed:
        return np.arange(len(keys[0]) if keys else 0)
    if len(packed) == 1:
        return np.argsort(packed[0], kind="quicksort" if distinct else "stable")
    return np.lexsort(packed[::-1])


def _argsort_stable(values: NDArray[np.int64], bound: int) -> NDArray[np.intp]:
    """Stable order of values in ``[0, bound)``: sorted with the row number as a last key,
    which makes every key distinct (and allows the faster unstable sort)."""
    n = len(values)
    if bound * max(n, 1) >= 2**62:
        return np.argsort(values, kind="stable")
    return np.argsort(values.astype(np.int64) * n + np.arange(n))


@dataclass
class _Selection:
    """Winner per cluster for one spec (row or ``-1``) and the sorted order behind it."""

    rows: NDArray[np.int64]
    label: NDArray[np.int64]
    labels: list[str]
    order: NDArray[np.intp]
    field_rows: dict[str, NDArray[np.int64]]
    field_label: dict[str, NDArray[np.int64]]


def _starts(ctx: RankContext) -> NDArray[np.int64]:
    counts = np.bincount(ctx.cluster, minlength=ctx.n_clusters)
    return np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)


def _decide(keys: list[Key], winner: NDArray[np.int64], other: NDArray[np.int64],
            n_labels: int) -> NDArray[np.int64]:
    """Index of the first key on which ``winner`` beats ``other`` (rows; -1 = no rival)."""
    has = other >= 0
    decided = np.full(len(winner), n_labels, dtype=np.int64)
    if not has.any():
        return decided
    w, o = winner[has], other[has]
    if len(keys[0]) <= _FEW:  # a few rows: all keys at once
        table = np.array(keys)
        differ = table[:, w] != table[:, o]
    else:
        differ = np.stack([key[w] != key[o] for key in keys])
    decided[has] = np.where(differ.any(axis=0), differ.argmax(axis=0), len(keys) - 1)
    return decided


def _select(ctx: RankContext, spec: FieldSpec, starts: NDArray[np.int64]) -> _Selection:
    null_all = np.logical_and.reduce([ctx.isnull(c) for c in spec.value_fields])
    failed = np.sum([ctx.failed(cols) for cols in dict.fromkeys(
        spec.status_of(c) for c in spec.fields)], axis=0, dtype=np.int64)
    keys: list[Key] = [null_all.astype(np.int64), failed]
    labels = ["only_value", "valid_over_invalid"]
    for rule in spec.rules:
        for key in rule.keys(ctx, spec):
            keys.append(np.asarray(key, dtype=np.int64))
            labels.append(rule.label)
    keys.append(ctx.rid_rank)
    labels.append("record_id")
    order = _sort_order([ctx.cluster, *keys], distinct=True)
    first = order[starts].astype(np.int64) if ctx.n else np.zeros(0, np.int64)
    rows = np.where(null_all[first], _NO_WINNER, first)
    # the rival: the best record of the cluster offering a different value
    values = ctx.group_codes(spec.value_fields)
    sorted_cluster = ctx.cluster[order]
    differs = (values[order] != values[first][sorted_cluster]) & ~null_all[order]
    position = np.where(differs, np.arange(ctx.n), ctx.n)
    rival_pos = np.minimum.reduceat(position, starts) if ctx.n else position
    rival = np.where(rival_pos < ctx.n, order[np.minimum(rival_pos, max(ctx.n - 1, 0))], -1)
    decided = _decide(keys, first, rival.astype(np.int64), len(labels))
    decided[decided == len(labels)] = 0  # no rival: the only value offered
    field_rows = dict.fromkeys(spec.fields, rows)  # _complete copies what it fills in
    field_label = dict.fromkeys(spec.fields, decided)
    if spec.complete_from:
        _complete(ctx, spec, order, rows, field_rows, field_label, len(labels))
        labels.append(f"same_{spec.name}({', '.join(spec.complete_from)})")
    return _Selection(rows, decided, labels, order, field_rows, field_label)


def _complete(ctx: RankContext, spec: FieldSpec, order: NDArray[np.intp],
              rows: NDArray[np.int64], field_rows: dict[str, NDArray[np.int64]],
              field_label: dict[str, NDArray[np.int64]], label: int) -> None:
    """Fill fields the winner lacks from the best record with the same key values."""
    key_ok = np.logical_and.reduce([ctx.usable(c, spec.status_of(c))
                                    for c in spec.complete_from])
    keycode = ctx.group_codes(spec.complete_from)
    width = int(keycode.max(initial=0)) + 1
    pair = ctx.cluster * width + keycode
    has_winner = rows >= 0
    winner_rows = rows[has_winner]
    winner_ok = key_ok[winner_rows]
    for c in spec.complete:
        usable = key_ok & ctx.usable(c, spec.status_of(c))
        donors = order[usable[order]]  # best ranked first
        if len(donors) == 0:
            continue
        donor_pairs, first = np.unique(pair[donors], return_index=True)
        donor_rows = donors[first]
        need = winner_ok & ctx.isnull(c)[winner_rows]
        want = pair[winner_rows[need]]
        at = np.searchsorted(donor_pairs, want)
        at = np.minimum(at, len(donor_pairs) - 1)
        found = donor_pairs[at] == want
        targets = np.flatnonzero(has_winner)[need][found]
        field_rows[c] = field_rows[c].copy()
        field_rows[c][targets] = donor_rows[at[found]]
        field_label[c] = field_label[c].copy()
        field_label[c][targets] = label


def _text(value: object) -> str:
    """A golden value as lineage text (dates without a time as ``YYYY-MM-DD``)."""
    if isinstance(value, pd.Timestamp):
        if value.tz is None and value == value.normalize():
            return value.date().isoformat()
        return value.isoformat()
    return str(value)


def _as_text(values: pd.Series | np.ndarray) -> tuple[NDArray[np.bool_], np.ndarray]:
    """(present, texts): which values are not null, and those values as lineage text."""
    array = np.asarray(values, dtype=object) if isinstance(values, np.ndarray) else (
        values.to_numpy(dtype=object) if values.dtype == object else None)
    if array is not None and pd.api.types.infer_dtype(array, skipna=True) in ("string",
                                                                                 "empty"):
        present = ~pd.isna(array)
        return present, array[present]
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    codes = np.asarray(codes)
    uniques = np.asarray(uniques, dtype=object)
    if pd.api.types.infer_dtype(uniques, skipna=False) != "string":
        uniques = np.array([_text(u) for u in uniques], dtype=object)
    present = codes >= 0
    return present, uniques[codes[present]]


class _Lineage:
    """Lineage rows collected as arrays, values as codes into tables of texts (one table
    per column); assembled once."""

    def __init__(self, ctx: RankContext) -> None:
        self.ctx = ctx
        self.parts: list[tuple[NDArray[np.int32], int, NDArray[np.int64], int,
                               NDArray[np.int32], NDArray[np.int32]]] = []
        self.tables: list[np.ndarray] = []
        self._table_of: dict[int, int] = {}
        self.fields: dict[str, int] = {}
        self.rules: dict[str, int] = {}

    def code(self, table: dict[str, int], name: str) -> int:
        return table.setdefault(name, len(table))

    def add(self, golden: NDArray[np.int64], field: str, texts: np.ndarray,
            rows: NDArray[np.int64], rules: NDArray[np.int64],
            codes: NDArray[np.int64] | None = None) -> None:
        """Rows: golden index, field name, value text (``texts[codes]``; without codes one
        text per row), record row (-1), rule code."""
        texts = np.asarray(texts, dtype=object)
        table = self._table_of.get(id(texts))
        if table is None:  # one table per array (kept alive below, so its id stays unique)
            table = self._table_of[id(texts)] = len(self.tables)
            self.tables.append(texts)
        if codes is None:
            codes = np.arange(len(golden), dtype=np.int64)
        self.parts.append((_compact(golden), self.code(self.fields, field), codes, table,
                           _compact(rows), _compact(rules)))

    def add_column(self, column: str, field: str, golden: NDArray[np.int64],
                   rows: NDArray[np.int64], rules: NDArray[np.int64]) -> None:
        """Rows for the values of record ``column`` at ``rows`` (nulls skipped)."""
        texts = self.ctx.texts(column)
        if texts is None:  # values that may print differently: as text one by one
            present, values = _as_text(_take(self.ctx.column(column), rows))
            self.add(golden[present], field, values, rows[present], rules[present])
            return
        codes = self.ctx.codes(column)[0][rows]
        present = codes >= 0
        if not present.all():
            golden, rows, rules, codes = (golden[present], rows[present], rules[present],
                                          codes[present])
        self.add(golden, field, texts, rows, rules, codes)

    def frame(self, golden_ids: np.ndarray, record_ids: np.ndarray) -> pd.DataFrame:
        parts, self.parts = self.parts, []
        tables, self.tables, self._table_of = self.tables, [], {}
        if not parts:
            parts = [(np.zeros(0, np.int32), 0, np.zeros(0, np.int64), 0,
                      np.zeros(0, np.int32), np.zeros(0, np.int32))]
            tables = [np.zeros(0, dtype=object)]
        sizes = [len(p[0]) for p in parts]
        golden = np.concatenate([p[0] for p in parts])
        order = np.argsort(golden, kind="stable")
        golden = golden[order]
        fields = np.repeat(np.array([p[1] for p in parts], dtype=np.int32), sizes)[order]
        rows = np.concatenate([p[4] for p in parts])[order]
        rules = np.concatenate([p[5] for p in parts])[order]
        offsets = np.cumsum([0, *(len(t) for t in tables)])  # of each table in one
        codes = np.concatenate([p[2] for p in parts], dtype=np.int64)
        codes += np.repeat(offsets[[p[3] for p in parts]], sizes)
        codes = codes[order]
        del parts, order
        values = np.concatenate(tables)[codes] if len(tables) > 1 else tables[0][codes]
        del codes, tables
        source_codes, sources = self.ctx.codes("source")
        has = rows >= 0
        source = np.where(has, source_codes[np.where(has, rows, 0)], -1)
        return frame_from_arrays({
            "golden_id": _categorical(golden, golden_ids),
            "field": _categorical(fields, list(self.fields)),
            "value": values,
            "record_id": _categorical(rows, record_ids),
            "source": _categorical(source, list(sources)),
            "rule": _categorical(rules, list(self.rules)),
        }, len(values))


def _compact(values: NDArray[np.int64]) -> NDArray[np.integer]:
    """Many row numbers or codes as int32 (half the memory); a few stay as they are."""
    return values.astype(np.int32) if len(values) > _FEW else values


def _is_text(dtype: object) -> bool:
    """Object or string dtype."""
    return dtype == _OBJECT or isinstance(dtype, pd.StringDtype)


def _text_list(series: pd.Series) -> list[object]:
    """A text column's values as a list (missing string values as ``None``)."""
    if isinstance(series.dtype, pd.StringDtype):
        if series.dtype.storage == "pyarrow":  # read from the arrow data: much faster
            return series.array.__arrow_array__().to_pylist()
        return series.to_numpy(dtype=object, na_value=None).tolist()
    return series.to_numpy().tolist()


def _factorize_texts(values: list[object]) -> tuple[NDArray[np.int64], np.ndarray] | None:
    """``pd.factorize`` of a few values that are all ``str`` or ``None``, by a dict (None
    when other values occur)."""
    seen: dict[str, int] = {}
    codes = []
    for v in values:
        if v is None:
            codes.append(-1)
        elif type(v) is str:
            codes.append(seen.setdefault(v, len(seen)))
        else:
            return None
    uniques = np.empty(len(seen), dtype=object)
    uniques[:] = list(seen)
    return np.array(codes, dtype=np.int64), uniques


def _plain(series: pd.Series) -> np.ndarray | ExtensionArray:
    """The column's values for factorising: the numpy array, or the extension array (also
    behind datetime columns, whose values factorise to timestamps)."""
    if isinstance(series.dtype, np.dtype) and series.dtype.kind not in "mM":
        return series.to_numpy()
    return series.array


def _categorical(codes: np.ndarray, categories: list[object] | np.ndarray) -> pd.Categorical:
    """Codes (``-1`` = missing, all below ``len(categories)``) as a categorical."""
    dtype = pd.CategoricalDtype(pd.Index(categories, dtype=object))
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int32), dtype=dtype,
                                     validate=False)


def _column(values: np.ndarray) -> pd.Series:
    """Ids as a column: text stays object dtype, numbers get their own dtype."""
    values = np.asarray(values, dtype=object)
    if all(isinstance(v, str) or v is None for v in values[:1000]):
        return pd.Series(values, dtype=object)
    return pd.Series(values, dtype=object).infer_objects()


def _take(series: pd.Series, rows: NDArray[np.int64]) -> pd.Series:
    """``series`` at ``rows`` (``-1`` gives a missing value), keeping the dtype (text
    becomes object dtype: NaN at ``-1``, a string column's missing values ``None``)."""
    if series.dtype == object or isinstance(series.dtype, pd.StringDtype):  # text: object
        values = (series.to_numpy(dtype=object) if series.dtype == object
                  else series.to_numpy(dtype=object, na_value=None))
        return pd.Series(pd.api.extensions.take(values, rows,
                                                allow_fill=True, fill_value=None), dtype=object)
    return pd.Series(series.array.take(rows, allow_fill=True))


def _sources(ctx: RankContext, starts: NDArray[np.int64]) -> np.ndarray:
    """The sorted distinct sources of each cluster, ``"; "``-joined."""
    codes, uniques = ctx.codes("source")
    names = [str(u) for u in uniques]
    if ctx.n == 0:
        return np.zeros(0, dtype=object)
    if len(names) > 62:
        frame = pd.DataFrame({"c": ctx.cluster, "s": np.asarray(names, dtype=object)[codes]})
        joined = frame.groupby("c")["s"].agg(lambda s: "; ".join(sorted(set(s))))
        return joined.to_numpy(dtype=object)
    rank = np.argsort(np.asarray(names, dtype=str))
    bit = np.empty(len(names), dtype=np.int64)
    bit[rank] = np.arange(len(names))
    masks = np.left_shift(np.int64(1), bit[codes])
    by_cluster = _argsort_stable(ctx.cluster, ctx.n_clusters)
    merged = np.bitwise_or.reduceat(masks[by_cluster], starts)
    distinct, inverse = np.unique(merged, return_inverse=True)
    ordered = [names[i] for i in rank]
    texts = np.array(["; ".join(ordered[b] for b in range(len(names)) if m >> b & 1)
                      for m in distinct.tolist()], dtype=object)
    return texts[inverse.reshape(-1)]


def _collect(ctx: RankContext, spec: FieldSpec, order: NDArray[np.intp],
             lineage: _Lineage, rule_code: int) -> pd.Series:
    """Every distinct usable value of the spec's primary (and ``also``) columns, as lists
    ordered by the spec's ranking; one lineage row per element."""
    collect = spec.collect
    assert collect is not None
    position = np.empty(ctx.n, dtype=np.int64)
    position[order] = np.arange(ctx.n)
    columns = (spec.fields[0], *collect.also)
    rows_parts, col_parts, code_parts, uniques_parts = [], [], [], []
    offset = 0
    for j, c in enumerate(columns):
        codes, uniques = ctx.codes(c)
        ok = np.flatnonzero(ctx.usable(c, spec.status_of(c)))
        rows_parts.append(ok)
        col_parts.append(np.full(len(ok), j, dtype=np.int64))
        code_parts.append(codes[ok] + offset)
        uniques_parts.append(uniques)
        offset += len(uniques)
    rows = np.concatenate(rows_parts).astype(np.int64)
    cols = np.concatenate(col_parts)
    # one code per distinct value over the columns: the columns' distinct values, merged
    if len(columns) == 1:
        vcodes, distinct = code_parts[0], uniques_parts[0]
    else:
        merged, distinct = pd.factorize(np.concatenate(uniques_parts), use_na_sentinel=True)
        vcodes = np.asarray(merged, dtype=np.int64)[np.concatenate(code_parts)]
    clusters = ctx.cluster[rows]
    # by cluster, rank and column: the rank (position in ``order``) follows the cluster
    ranked = np.argsort(position[rows] * len(columns) + cols)
    key = clusters[ranked] * (len(distinct) + 1) + vcodes[ranked]
    _, first = np.unique(key, return_index=True)
    kept = ranked[np.sort(first)]
    kept_cluster = clusters[kept]
    kept_cols = cols[kept]
    values = np.empty(len(kept), dtype=object)
    for j, c in enumerate(columns):
        mine = kept_cols == j
        values[mine] = ctx.objects(c, rows[kept[mine]])
    flat = values.tolist()
    counts = np.bincount(kept_cluster, minlength=ctx.n_clusters)
    ends = np.cumsum(counts).tolist()
    begins = [0, *ends[:-1]] if ends else []
    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of small lists: no cyclic garbage to find
    try:
        lists = [flat[a:b] for a, b in zip(begins, ends, strict=True)]
    finally:
        if collecting:
            gc.enable()
    if all(_is_text(ctx.column(c).dtype) and ctx.texts(c) is not None for c in columns):
        # text only: the distinct values are the lineage texts
        lineage.add(kept_cluster, spec.collect_name, np.asarray(distinct, dtype=object),
                    rows[kept], np.full(len(kept), rule_code), vcodes[kept])
    else:  # other values: as text one by one, as they are in the lists
        _, texts = _as_text(values)
        lineage.add(kept_cluster, spec.collect_name, texts, rows[kept],
                    np.full(len(kept), rule_code))
    return pd.Series(lists, dtype=object)


def _golden_id_column(golden_ids: np.ndarray) -> pd.Series:
    return _column(golden_ids)


def golden_records(
    records: pd.DataFrame,
    clusters: pd.Series | pd.DataFrame,
    rules: Sequence[Spec] | None = None,
) -> GoldenRecords:
    """One golden record per cluster, with per-field lineage.

    Args:
        records: normalised records (``normalize_frame``): unique ``record_id``, ``source``
            and the columns the rules read.
        clusters: a Series of cluster ids aligned to ``records`` (same index, or indexed by
            record id), or a DataFrame ``[record_id, cluster_id]`` (``custmatch.cluster``'s
            assignments). The cluster id becomes the ``golden_id``.
        rules: specs (:func:`field`, :func:`group`, :func:`consent`); a later spec replaces
            an earlier one of the same name. Default: :func:`default_rules` fitted to the
            records' columns.

    Returns:
        :class:`GoldenRecords` (``golden``, ``lineage``, ``members``).

    Raises:
        InputError: records not a DataFrame; clusters not aligned, a record in no cluster,
            an unknown or duplicated record id, a null cluster id.
        SchemaError: ``record_id``/``source`` or a column a rule needs is missing; null or
            duplicate record ids.
        ConfigError: a bad spec (unknown rule, a field in two specs, clashing columns).

    Example:
        >>> import pandas as pd
        >>> recs = pd.DataFrame({"record_id": ["a", "b"], "source": ["crm", "finance"],
        ...                      "surname": ["Jansen", None]})
        >>> from custmatch.survive import field, first_valid
        >>> golden_records(recs, pd.Series(["x", "x"]), [field("surname", first_valid())]
        ...                ).golden["surname"].tolist()
        ['Jansen']
    """
    from custmatch.survive.consents import CONSENT_RULES, survive_consent
    from custmatch.survive.defaults import default_rules

    if not isinstance(records, pd.DataFrame):
        raise InputError(f"records must be a pandas DataFrame, got {type(records).__name__}")
    for c in ("record_id", "source"):
        if c not in records.columns:
            raise SchemaError(f"records have no {c!r} column; found "
                              f"{list(records.columns)[:10]}; run normalize_frame first")
    id_values = records["record_id"].to_numpy(dtype=object)
    null_ids = pd.isna(id_values)
    if null_ids.any():
        raise SchemaError(f"null record_id at row(s) {np.flatnonzero(null_ids)[:5].tolist()}")
    record_text = (id_values if pd.api.types.infer_dtype(id_values, skipna=False) == "string"
                   else records["record_id"].astype(str).to_numpy(dtype=object))
    if (len(set(record_text.tolist())) < len(record_text) if len(record_text) <= _FEW
            else pd.Index(record_text).has_duplicates):
        record_index = pd.Index(record_text)
        dups = record_index[record_index.duplicated()].unique()[:5]
        raise SchemaError(f"duplicate record_id(s): {dups.tolist()}")
    cluster, golden_ids = cluster_codes(records, clusters, record_text)
    columns = {str(c) for c in records.columns}
    specs = check_specs(default_rules(records) if rules is None else list(rules), columns)

    n_clusters = len(golden_ids)
    ctx = RankContext(records, cluster, n_clusters, record_rank(record_text))
    starts = _starts(ctx)
    lineage = _Lineage(ctx)
    out: dict[str, pd.Series | np.ndarray | ExtensionArray] = {
        "golden_id": _golden_id_column(golden_ids),
        "n_records": np.bincount(cluster, minlength=n_clusters).astype(np.int64),
        "sources": _sources(ctx, starts),
    }
    lists: dict[str, pd.Series] = {}
    supplier: dict[str, NDArray[np.int64]] = {}
    index = np.arange(n_clusters, dtype=np.int64)
    for spec in specs:
        if not isinstance(spec, FieldSpec):
            continue
        selection = _select(ctx, spec, starts)
        rule_codes = np.array([lineage.code(lineage.rules, label)
                               for label in selection.labels], dtype=np.int64)
        if spec.selects:
            winners: dict[tuple[int, int], tuple[NDArray[np.int64], ...]] = {}
            for c in spec.fields:
                rows = selection.field_rows[c]
                out[c] = ctx.take(c, rows)
                supplier[c] = rows
                # fields from the same record share these arrays (completed ones do not)
                label = selection.field_label[c]
                key = (id(rows), id(label))
                if key not in winners:
                    has = rows >= 0
                    winners[key] = (index[has], rows[has], rule_codes[label[has]])
                lineage.add_column(c, c, *winners[key])
        if spec.collect is not None:
            lists[spec.collect_name] = _collect(ctx, spec, selection.order, lineage,
                                                lineage.code(lineage.rules, "collect_all"))
    consent_rules = [lineage.code(lineage.rules, label) for label in CONSENT_RULES]
    for spec in specs:
        if not isinstance(spec, ConsentSpec):
            continue
        if spec.bind_to is not None and spec.bind_to not in supplier:
            raise ConfigError(f"consent {spec.column!r}: bind_to={spec.bind_to!r} must be a "
                              "field that survives by a spec (e.g. field('email', ...))")
        result = survive_consent(ctx, spec, starts,
                                 supplier.get(spec.bind_to) if spec.bind_to else None)
        out[spec.column] = result.value.astype(bool)
        stated = np.where(result.rule == CONSENT_RULES.index("opt_in_other_value"), -1,
                          result.rows)
        source = ctx.take("source", stated)
        out[f"{spec.column}_source"] = (source if isinstance(source, np.ndarray)
                                        else pd.Series(source).astype(object))
        out[f"{spec.column}_at"] = (ctx.take(spec.at, stated) if spec.at
                                    else pd.Series([pd.NaT] * n_clusters))
        lineage.add(index, spec.column, np.array(["False", "True"], dtype=object),
                    result.rows, np.asarray(consent_rules, dtype=np.int64)[result.rule],
                    result.value.astype(np.int64))
    out.update(lists)
    golden = frame_from_arrays(out, n_clusters)
    members = frame_from_arrays({"record_id": _column(id_values),
                                 "golden_id": _column(golden_ids[cluster])}, len(records))
    return GoldenRecords(golden, lineage.frame(golden_ids, id_values), members)
