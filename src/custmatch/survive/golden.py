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

from custmatch._codes import combine_codes
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
    """Records plus cached per-column arrays that rules read (codes, times, statuses)."""

    def __init__(self, records: pd.DataFrame, cluster: NDArray[np.int64], n_clusters: int,
                 rid_rank: NDArray[np.int64]) -> None:
        self.records = records
        self.n = len(records)
        self.cluster = cluster
        self.n_clusters = n_clusters
        self.rid_rank = rid_rank
        self._codes: dict[str, tuple[NDArray[np.int64], np.ndarray]] = {}
        self._failed: dict[tuple[str, ...], NDArray[np.bool_]] = {}
        self._group: dict[tuple[str, ...], NDArray[np.int64]] = {}
        self._null: dict[str, NDArray[np.bool_]] = {}
        self._times: dict[str, NDArray[np.int64]] = {}

    def codes(self, column: str) -> tuple[NDArray[np.int64], np.ndarray]:
        """Integer codes of a column's values (``-1`` for null) and the distinct values."""
        if column not in self._codes:
            codes, uniques = pd.factorize(self.records[column], use_na_sentinel=True)
            self._codes[column] = (np.asarray(codes, dtype=np.int64),
                                   np.asarray(uniques, dtype=object))
        return self._codes[column]

    def isnull(self, column: str) -> NDArray[np.bool_]:
        """True where the column is null."""
        if column not in self._null:
            if column in self._codes:
                self._null[column] = self._codes[column][0] < 0
            else:
                self._null[column] = np.asarray(self.records[column].isna(), dtype=bool)
        return self._null[column]

    def failed(self, status_columns: tuple[str, ...]) -> NDArray[np.bool_]:
        """True where no status column is usable and one holds a failure (``invalid``...)."""
        cols = tuple(c for c in status_columns if c in self.records.columns)
        if cols not in self._failed:
            good = np.zeros(self.n, dtype=bool)
            bad = np.zeros(self.n, dtype=bool)
            for c in cols:
                codes, uniques = self.codes(c)
                texts = [str(u) for u in uniques]
                good |= np.array([t in ("valid", "repaired") for t in texts] + [False])[codes]
                bad |= np.array([t not in GOOD_STATUSES for t in texts] + [False])[codes]
            self._failed[cols] = bad & ~good if cols else np.zeros(self.n, dtype=bool)
        return self._failed[cols]

    def timestamps(self, column: str) -> NDArray[np.int64]:
        """Dense rank of the times (or numbers) in ``column``: 0 for missing, then 1, 2, ...
        from the oldest; equal times get equal ranks."""
        if column in self._times:
            return self._times[column]
        values = self.records[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
                values.dtype):
            stamps = values.dt.tz_localize(None) if isinstance(
                values.dtype, pd.DatetimeTZDtype) else values
            raw = stamps.to_numpy(dtype="datetime64[ns]")
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
        """One code per distinct combination of the columns' values (nulls included)."""
        if columns not in self._group:
            combined = np.zeros(self.n, dtype=np.int64)
            for c in columns:
                combined = combine_codes(combined, self.codes(c)[0])
            self._group[columns] = combined
        return self._group[columns]

    def frequency(self, columns: tuple[str, ...]) -> NDArray[np.int64]:
        """How many records of the same cluster share this record's values."""
        values = self.group_codes(columns)
        key = self.cluster * (int(values.max(initial=0)) + 1) + values
        _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        return counts[inverse.reshape(-1)].astype(np.int64)

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
                              and sum(ch.isalpha() for ch in u) >= 2) for u in uniques] + [0],
                         dtype=np.int64)
        return table[codes]


def _sort_order(keys: Sequence[Key]) -> NDArray[np.intp]:
    """Row order by keys[0], then keys[1], ...; small-range keys are packed into one int64."""
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
        return np.argsort(packed[0], kind="stable")
    return np.lexsort(packed[::-1])


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
    w, o = winner[has], other[has]
    out = np.full(len(w), len(keys) - 1, dtype=np.int64)
    open_ = np.ones(len(w), dtype=bool)
    for i, key in enumerate(keys):
        hit = open_ & (key[w] != key[o])
        out[hit] = i
        open_ &= ~hit
    decided[has] = out
    return decided


def _select(ctx: RankContext, spec: FieldSpec, starts: NDArray[np.int64]) -> _Selection:
    null_all = np.ones(ctx.n, dtype=bool)
    for c in spec.value_fields:
        null_all &= ctx.isnull(c)
    failed = np.zeros(ctx.n, dtype=np.int64)
    for cols in dict.fromkeys(spec.status_of(c) for c in spec.fields):
        failed += ctx.failed(cols)
    keys: list[Key] = [null_all.astype(np.int64), failed]
    labels = ["only_value", "valid_over_invalid"]
    for rule in spec.rules:
        for key in rule.keys(ctx, spec):
            keys.append(np.asarray(key, dtype=np.int64))
            labels.append(rule.label)
    keys.append(ctx.rid_rank)
    labels.append("record_id")
    order = _sort_order([ctx.cluster, *keys])
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
    field_rows = {c: rows.copy() for c in spec.fields}
    field_label = {c: decided.copy() for c in spec.fields}
    if spec.complete_from:
        _complete(ctx, spec, order, rows, field_rows, field_label, len(labels))
        labels.append(f"same_{spec.name}({', '.join(spec.complete_from)})")
    return _Selection(rows, decided, labels, order, field_rows, field_label)


def _complete(ctx: RankContext, spec: FieldSpec, order: NDArray[np.intp],
              rows: NDArray[np.int64], field_rows: dict[str, NDArray[np.int64]],
              field_label: dict[str, NDArray[np.int64]], label: int) -> None:
    """Fill fields the winner lacks from the best record with the same key values."""
    key_ok = np.ones(ctx.n, dtype=bool)
    for c in spec.complete_from:
        key_ok &= ~ctx.isnull(c) & ~ctx.failed(spec.status_of(c))
    keycode = ctx.group_codes(spec.complete_from)
    width = int(keycode.max(initial=0)) + 1
    pair = ctx.cluster * width + keycode
    has_winner = rows >= 0
    winner_rows = rows[has_winner]
    winner_ok = key_ok[winner_rows]
    for c in spec.complete:
        usable = key_ok & ~ctx.isnull(c) & ~ctx.failed(spec.status_of(c))
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
        field_rows[c][targets] = donor_rows[at[found]]
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
    """Lineage rows collected as arrays (values as text objects), assembled once."""

    def __init__(self, ctx: RankContext) -> None:
        self.ctx = ctx
        self.parts: list[tuple[NDArray[np.int32], int, np.ndarray, NDArray[np.int32],
                               NDArray[np.int32]]] = []
        self.fields: dict[str, int] = {}
        self.rules: dict[str, int] = {}

    def code(self, table: dict[str, int], name: str) -> int:
        return table.setdefault(name, len(table))

    def add(self, golden: NDArray[np.int64], field: str, texts: np.ndarray,
            rows: NDArray[np.int64], rules: NDArray[np.int64]) -> None:
        """Rows: golden index, field name, value text, record row (-1), rule code."""
        self.parts.append((golden.astype(np.int32), self.code(self.fields, field),
                           np.asarray(texts, dtype=object), rows.astype(np.int32),
                           rules.astype(np.int32)))

    def add_column(self, column: str, field: str, golden: NDArray[np.int64],
                   rows: NDArray[np.int64], rules: NDArray[np.int64]) -> None:
        """Rows for the values of record ``column`` at ``rows`` (nulls skipped)."""
        present, texts = _as_text(_take(self.ctx.records[column], rows))
        self.add(golden[present], field, texts, rows[present], rules[present])

    def frame(self, golden_ids: np.ndarray, record_ids: np.ndarray) -> pd.DataFrame:
        parts, self.parts = self.parts, []
        if not parts:
            parts = [(np.zeros(0, np.int32), 0, np.zeros(0, object), np.zeros(0, np.int32),
                      np.zeros(0, np.int32))]
        golden = np.concatenate([p[0] for p in parts])
        order = np.argsort(golden, kind="stable")
        golden = golden[order]
        fields = np.concatenate([np.full(len(p[0]), p[1], dtype=np.int32) for p in parts])[order]
        rows = np.concatenate([p[3] for p in parts])[order]
        rules = np.concatenate([p[4] for p in parts])[order]
        values = np.concatenate([p[2] for p in parts])[order]
        del parts, order
        source_codes, sources = self.ctx.codes("source")
        has = rows >= 0
        source = np.where(has, source_codes[np.where(has, rows, 0)], -1)
        return pd.DataFrame({
            "golden_id": _categorical(golden, golden_ids),
            "field": _categorical(fields, list(self.fields)),
            "value": pd.Series(values, dtype=object),
            "record_id": _categorical(rows, record_ids),
            "source": _categorical(source, list(sources)),
            "rule": _categorical(rules, list(self.rules)),
        })


def _categorical(codes: np.ndarray, categories: list[object] | np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int32),
                                     categories=pd.Index(categories, dtype=object))


def _column(values: np.ndarray) -> pd.Series:
    """Ids as a column: text stays object dtype, numbers get their own dtype."""
    values = np.asarray(values, dtype=object)
    if all(isinstance(v, str) or v is None for v in values[:1000]):
        return pd.Series(values, dtype=object)
    return pd.Series(values, dtype=object).infer_objects()


def _take(series: pd.Series, rows: NDArray[np.int64]) -> pd.Series:
    """``series`` at ``rows`` (``-1`` gives a missing value), keeping the dtype (text
    becomes object dtype, missing ``None``)."""
    if series.dtype == object or isinstance(series.dtype, pd.StringDtype):  # text: object
        values = (series.to_numpy(dtype=object) if series.dtype == object
                  else series.to_numpy(dtype=object, na_value=None))
        return pd.Series(pd.api.extensions.take(values, rows,
                                                allow_fill=True, fill_value=None), dtype=object)
    return pd.Series(series.array.take(rows, allow_fill=True))


def _sources(ctx: RankContext, starts: NDArray[np.int64]) -> pd.Series:
    """The sorted distinct sources of each cluster, ``"; "``-joined."""
    codes, uniques = ctx.codes("source")
    names = [str(u) for u in uniques]
    if ctx.n == 0:
        return pd.Series([], dtype=object)
    if len(names) > 62:
        frame = pd.DataFrame({"c": ctx.cluster, "s": np.asarray(names, dtype=object)[codes]})
        joined = frame.groupby("c")["s"].agg(lambda s: "; ".join(sorted(set(s))))
        return pd.Series(joined.to_numpy(dtype=object), dtype=object)
    rank = np.argsort(np.asarray(names, dtype=str))
    bit = np.empty(len(names), dtype=np.int64)
    bit[rank] = np.arange(len(names))
    masks = np.left_shift(np.int64(1), bit[codes])
    by_cluster = np.argsort(ctx.cluster, kind="stable")
    merged = np.bitwise_or.reduceat(masks[by_cluster], starts)
    distinct, inverse = np.unique(merged, return_inverse=True)
    ordered = [names[i] for i in rank]
    texts = np.array(["; ".join(ordered[b] for b in range(len(names)) if m >> b & 1)
                      for m in distinct.tolist()], dtype=object)
    return pd.Series(texts[inverse.reshape(-1)], dtype=object)


def _collect(ctx: RankContext, spec: FieldSpec, order: NDArray[np.intp],
             lineage: _Lineage, rule_code: int) -> pd.Series:
    """Every distinct usable value of the spec's primary (and ``also``) columns, as lists
    ordered by the spec's ranking; one lineage row per element."""
    collect = spec.collect
    assert collect is not None
    position = np.empty(ctx.n, dtype=np.int64)
    position[order] = np.arange(ctx.n)
    rows_parts, col_parts, value_parts = [], [], []
    for j, c in enumerate((spec.fields[0], *collect.also)):
        ok = np.flatnonzero(~ctx.isnull(c) & ~ctx.failed(spec.status_of(c)))
        rows_parts.append(ok)
        col_parts.append(np.full(len(ok), j, dtype=np.int64))
        value_parts.append(ctx.records[c].to_numpy(dtype=object)[ok])
    rows = np.concatenate(rows_parts).astype(np.int64)
    cols = np.concatenate(col_parts)
    values = np.concatenate(value_parts) if value_parts else np.zeros(0, dtype=object)
    vcodes, uniques = pd.factorize(pd.Series(values, dtype=object))
    vcodes = np.asarray(vcodes, dtype=np.int64)
    clusters = ctx.cluster[rows]
    ranked = np.lexsort((cols, position[rows], clusters))
    key = clusters[ranked] * (len(uniques) + 1) + vcodes[ranked]
    _, first = np.unique(key, return_index=True)
    kept = ranked[np.sort(first)]
    kept_cluster = clusters[kept]
    flat = values[kept].tolist()
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
    _, texts = _as_text(values[kept])
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
    ids = records["record_id"]
    if ids.isna().any():
        raise SchemaError(f"null record_id at row(s) {np.flatnonzero(ids.isna())[:5].tolist()}")
    record_text = ids.astype(str).to_numpy(dtype=object)
    record_index = pd.Index(record_text)
    if record_index.has_duplicates:
        dups = record_index[record_index.duplicated()].unique()[:5]
        raise SchemaError(f"duplicate record_id(s): {dups.tolist()}")
    cluster, golden_ids = cluster_codes(records, clusters, record_text)
    columns = {str(c) for c in records.columns}
    specs = check_specs(default_rules(records) if rules is None else list(rules), columns)

    n_clusters = len(golden_ids)
    ctx = RankContext(records, cluster, n_clusters, record_rank(record_text))
    starts = _starts(ctx)
    lineage = _Lineage(ctx)
    out: dict[str, pd.Series] = {
        "golden_id": _golden_id_column(golden_ids),
        "n_records": pd.Series(np.bincount(cluster, minlength=n_clusters).astype(np.int64)),
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
            for c in spec.fields:
                rows = selection.field_rows[c]
                out[c] = _take(records[c], rows)
                supplier[c] = rows
                has = rows >= 0
                lineage.add_column(c, c, index[has], rows[has],
                                   rule_codes[selection.field_label[c][has]])
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
        out[spec.column] = pd.Series(result.value, dtype=bool)
        stated = np.where(result.rule == CONSENT_RULES.index("opt_in_other_value"), -1,
                          result.rows)
        out[f"{spec.column}_source"] = _take(records["source"], stated).astype(object)
        out[f"{spec.column}_at"] = (_take(records[spec.at], stated) if spec.at
                                    else pd.Series([pd.NaT] * n_clusters))
        texts = np.array(["False", "True"], dtype=object)[result.value.astype(np.int64)]
        lineage.add(index, spec.column, texts, result.rows,
                    np.asarray(consent_rules, dtype=np.int64)[result.rule])
    out.update(lists)
    golden = pd.DataFrame(out)
    members = pd.DataFrame({"record_id": _column(ids.to_numpy(dtype=object)),
                            "golden_id": _column(golden_ids[cluster])})
    return GoldenRecords(golden, lineage.frame(golden_ids, ids.to_numpy(dtype=object)), members)
