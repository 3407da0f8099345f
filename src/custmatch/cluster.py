"""Clustering: scored pairs -> entity clusters, with a chaining guard, households and stable ids.

:func:`cluster_pairs` turns scored pairs into clusters, one per real customer:

1. **Links.** A pair with ``match_probability >= threshold`` is a link (``must_link`` pairs
   count as probability 1.0; ``cannot_link`` pairs never link). Connected components over
   the links (:func:`connected_components`, numpy union-find with pointer jumping) are the
   first clusters. Every record is in exactly one cluster; a record without links is a
   singleton.
2. **Chaining guard.** A component that holds a *conflict* is rebuilt. A conflict is a
   scored pair whose two records both lie in the component and either has
   ``match_probability < conflict_below`` (the model clearly says these are two people) or
   is flagged ``cannot_link``. When the pairs carry an ``evidence_weight`` (the match weight
   without the prior, as :meth:`custmatch.model.MatchModel.predict` gives), a
   low-probability pair is a conflict only if that evidence is below ``conflict_evidence``
   bits: a probability is low for two records that merely have too little in common (the
   same person after a move and a new phone number), and such a pair must not cut a chain
   that a third record explains. The component is rebuilt by *constrained single linkage*: its
   links in decreasing probability (ties broken by the record ids of the pair, so the result
   does not depend on row order), joining two groups only when no conflict pair lies between
   them. So a household chain A~B~C, where A and C score 0.001, becomes two clusters: the
   stronger of A~B and B~C is kept and the other link is refused. No cluster ever holds a
   conflict pair, so every rebuilt component splits; each is one row of
   :attr:`Clusters.splits` (with the strongest refused link and the conflict pair that
   refused it). Only scored pairs can be conflicts: if A and C were never compared, the
   chain stays. ``cannot_link`` wins over ``must_link``.
3. **Review queue.** Pairs with ``review_threshold <= probability < threshold`` never merge.
   When their records ended up in different clusters they are listed in
   :attr:`Clusters.review` with both record ids and both cluster ids, strongest first.
4. **Households** (:func:`household_ids`), a level above clusters that never merges people.
   Clusters are in one household when records of different clusters share an address
   (``postcode``, ``house_number`` and ``house_number_addition``; a null or missing addition
   is the value ``""``) and also a surname (any of ``surname_key``/``partner_surname_key``
   on one side equals any on the other) or a landline (``phone``/``phone_2`` whose
   ``phone_kind``/``phone_2_kind`` is ``fixed`` or ``voip``). Households are transitive (a
   union-find over clusters). The id is ``"H-"`` + the smallest cluster id in it; a cluster
   alone in its household has ``household_id`` None. A missing column only disables its
   signal; without ``postcode`` or ``house_number`` there are no households.
5. **Stable ids** (:func:`stable_ids`). Without a previous run, a cluster's id is ``"G"`` +
   the first 12 hex digits of the SHA-1 of its smallest ``record_id`` (longer on a clash), so
   ids do not depend on row order. With the previous membership, previous ids are handed out
   greedily by overlap (shared record ids, largest first; ties: smaller previous id, then
   the cluster with the smaller record id): each cluster keeps at most one previous id and
   each previous id goes to at most one cluster. Other clusters get a fresh hash id that is
   never one of the previous ids. Events, one row per cluster: ``new`` (no member was in the
   previous run), ``merged`` (members from two or more previous clusters), ``split`` (its
   members come from one previous cluster whose records are now in two or more clusters),
   ``unchanged`` (exactly the members of one previous cluster), ``changed`` (otherwise:
   records added or removed); and one ``retired`` row per previous id no cluster kept.

Results are deterministic and do not depend on the row order of ``records`` or ``pairs``.
Clusters are listed in the order of their smallest ``record_id``.

Example:
    >>> import pandas as pd
    >>> records = pd.DataFrame({"record_id": ["a", "b", "c", "d"]})
    >>> pairs = pd.DataFrame({"left": [0, 1, 0, 2], "right": [1, 2, 2, 3],
    ...                       "match_probability": [0.99, 0.98, 0.001, 0.7]})
    >>> result = cluster_pairs(records, pairs, households=False)
    >>> result.assignments["cluster_id"].tolist()
    ['G86f7e437faa5', 'G86f7e437faa5', 'G84a516841ba7', 'G3c363836cf4e']
    >>> result.splits[["component", "size_before", "sizes_after"]].to_dict("records")
    [{'component': 'a', 'size_before': 3, 'sizes_after': (2, 1)}]
    >>> result.review[["left_id", "right_id", "match_probability"]].to_dict("records")
    [{'left_id': 'c', 'right_id': 'd', 'match_probability': 0.7}]
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from custmatch._codes import combine_codes, python_values
from custmatch.errors import ConfigError, InputError, SchemaError, show_value

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "CLUSTER_COLUMNS",
    "DEFAULT_THRESHOLD",
    "EVENT_COLUMNS",
    "LANDLINE_KINDS",
    "REVIEW_COLUMNS",
    "SPLIT_COLUMNS",
    "Clusters",
    "cluster_pairs",
    "connected_components",
    "household_ids",
    "stable_ids",
]

#: Match probability at or above which a pair links two records, for :func:`cluster_pairs`
#: and :class:`~custmatch.settings.Settings` alike (see ``cluster_pairs`` for how it was chosen).
DEFAULT_THRESHOLD = 0.9

ASSIGNMENT_COLUMNS = ("record_id", "cluster_id", "household_id", "cluster_size")
CLUSTER_COLUMNS = ("cluster_id", "size", "n_links", "min_probability", "mean_probability",
                   "household_id", "guard_split")
REVIEW_COLUMNS = ("left_id", "right_id", "match_probability", "left_cluster", "right_cluster")
SPLIT_COLUMNS = ("component", "size_before", "sizes_after", "cluster_ids", "blocked_left_id",
                 "blocked_right_id", "blocked_probability", "conflict_left_id",
                 "conflict_right_id", "conflict_probability", "conflict_reason", "n_conflicts",
                 "n_blocked")
EVENT_COLUMNS = ("cluster_id", "event", "previous_ids", "size")
#: Phone kinds that count as a shared household line (mobiles are personal).
LANDLINE_KINDS = ("fixed", "voip")

_I64 = np.int64
_MAX_FIXED_WIDTH = 64  # longer strings are sorted as Python objects


@dataclass(frozen=True, repr=False)
class Clusters:
    """Result of :func:`cluster_pairs`.

    Attributes:
        assignments: one row per input record, in input order: ``record_id``,
            ``cluster_id``, ``household_id``, ``cluster_size``.
        clusters: one row per cluster, ordered by smallest record id: ``cluster_id``,
            ``size``, ``n_links`` (links inside it), ``min_probability`` and
            ``mean_probability`` of those links (NaN for a singleton), ``household_id``,
            ``guard_split`` (it comes from a component the chaining guard split).
        review: doubtful pairs between different clusters: ``left_id``, ``right_id``,
            ``match_probability``, ``left_cluster``, ``right_cluster``.
        splits: one row per component the chaining guard split (:data:`SPLIT_COLUMNS`):
            its smallest record id, sizes before/after, the resulting cluster ids, the
            strongest link cut and the conflict pair that cut it.
        events: changes against the previous run (:data:`EVENT_COLUMNS`); empty without one.
    """

    assignments: pd.DataFrame
    clusters: pd.DataFrame
    review: pd.DataFrame
    splits: pd.DataFrame
    events: pd.DataFrame

    def __len__(self) -> int:
        """Number of clusters."""
        return len(self.clusters)

    def __repr__(self) -> str:
        return (f"Clusters(records={len(self.assignments)}, clusters={len(self.clusters)}, "
                f"review={len(self.review)}, splits={len(self.splits)}, "
                f"events={len(self.events)})")


# --------------------------------------------------------------------------- components
def connected_components(n: int, left: ArrayLike, right: ArrayLike) -> NDArray[np.int64]:
    """Component label of each of ``n`` nodes: the smallest node index in its component.

    Vectorised union-find: every round hooks the larger root of each edge under the smaller
    one, then pointer jumping flattens the trees; edges inside one tree are dropped.

    Example:
        >>> connected_components(6, [4, 1, 5], [1, 0, 3]).tolist()
        [0, 0, 2, 3, 0, 3]
    """
    if not isinstance(n, int | np.integer) or n < 0:
        raise InputError(f"n must be a non-negative int, got {show_value(n)}")
    a = _positions(left, int(n), "left")
    b = _positions(right, int(n), "right")
    if len(a) != len(b):
        raise InputError(f"left and right differ in length ({len(a)} vs {len(b)})")
    return _components(int(n), a, b)


def _positions(values: ArrayLike, n: int, name: str) -> NDArray[np.int64]:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InputError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise InputError(f"{name} must hold integer row positions, got dtype {arr.dtype}")
    arr = arr.astype(_I64, copy=False)
    bad = np.flatnonzero((arr < 0) | (arr >= n))
    if bad.size:
        raise InputError(f"{name}[{bad[0]}] = {arr[bad[0]]} is not a row position "
                         f"(0..{n - 1}); {bad.size} such value(s)")
    return arr


def _components(n: int, left: NDArray[np.int64], right: NDArray[np.int64]) -> NDArray[np.int64]:
    parent = np.arange(n, dtype=_I64)
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    keep = lo != hi
    lo, hi = lo[keep], hi[keep]
    while lo.size:
        parent[hi] = lo  # hi is a root; any smaller root will do (the min wins in the end)
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
        lo, hi = parent[lo], parent[hi]
        lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)
        keep = lo != hi
        lo, hi = lo[keep], hi[keep]
    return parent  # parent[x] <= x always, so each root is its component's smallest node


# --------------------------------------------------------------------------- validation
def _check_thresholds(threshold: float, review_threshold: float, conflict_below: float) -> None:
    for name, value in (("threshold", threshold), ("review_threshold", review_threshold),
                        ("conflict_below", conflict_below)):
        if isinstance(value, bool) or not isinstance(value, int | float | np.floating) \
                or not 0.0 <= value <= 1.0:
            raise ConfigError(f"{name} must be a number in [0, 1], got {show_value(value)}")
    if review_threshold > threshold:
        raise ConfigError(f"review_threshold ({review_threshold}) must not exceed "
                          f"threshold ({threshold})")
    if conflict_below > review_threshold:
        raise ConfigError(f"conflict_below ({conflict_below}) must not exceed "
                          f"review_threshold ({review_threshold})")


def _string_ranks(values: NDArray[np.object_]) -> tuple[NDArray[np.int64], object]:
    """Rank of each string in code-point order, and a duplicated value (None if unique)."""
    n = len(values)
    lengths = np.fromiter(map(len, values), dtype=_I64, count=n)
    ranks = np.empty(n, dtype=_I64)
    if n and lengths.max() <= _MAX_FIXED_WIDTH:  # fast path: fixed-width unicode
        fixed = values.astype(f"U{max(int(lengths.max()), 1)}")
        order = np.argsort(fixed, kind="stable")
        ordered = fixed[order]
        if not np.any(ordered[1:] == ordered[:-1]):  # else a duplicate, or ids with NULs
            ranks[order] = np.arange(n, dtype=_I64)
            return ranks, None
    order = np.asarray(sorted(range(n), key=values.__getitem__), dtype=_I64)
    ranks[order] = np.arange(n, dtype=_I64)
    ordered_obj = values[order]
    dup = np.flatnonzero(ordered_obj[1:] == ordered_obj[:-1]) if n > 1 else np.zeros(0, _I64)
    return ranks, (ordered_obj[dup[0]] if dup.size else None)


def _id_column(frame: pd.DataFrame, column: str, what: str) -> NDArray[np.object_]:
    if column not in frame.columns:
        raise SchemaError(f"{what} has no {column!r} column; found {list(frame.columns)[:15]}")
    series = frame[column]
    nulls = np.flatnonzero(series.isna().to_numpy())
    if nulls.size:
        raise InputError(f"{what}: {column} is null in row {nulls[0]} ({nulls.size} row(s))")
    values = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) not in ("string", "empty"):
        bad = next(v for v in values if not isinstance(v, str))
        raise SchemaError(f"{what}: {column} must hold strings, found {show_value(bad)}; "
                          f"convert with .astype(str)")
    return values


def _record_ids(records: pd.DataFrame) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    if not isinstance(records, pd.DataFrame):
        raise InputError(f"records must be a DataFrame, got {type(records).__name__}")
    ids = _id_column(records, "record_id", "records")
    ranks, dup = _string_ranks(ids)
    if dup is not None:
        raise SchemaError(f"records: record_id {show_value(dup)} occurs more than once; "
                          f"record ids must be unique")
    return ids, ranks


def _flag(pairs: pd.DataFrame, column: str) -> NDArray[np.bool_]:
    if column not in pairs.columns:
        return np.zeros(len(pairs), dtype=bool)
    series = pairs[column]
    if not pd.api.types.is_bool_dtype(series.dtype):
        raise SchemaError(f"pairs: {column} must be a bool column, got dtype {series.dtype}")
    return series.fillna(False).to_numpy(dtype=bool)  # null: no rule applies


def _edges(pairs: pd.DataFrame, n: int) -> tuple[NDArray[np.int64], NDArray[np.int64],
                                                  NDArray[np.float64], NDArray[np.bool_]]:
    """``left, right, probability`` (must-links as 1.0) and ``cannot_link``, validated."""
    if not isinstance(pairs, pd.DataFrame):
        raise InputError(f"pairs must be a DataFrame, got {type(pairs).__name__}")
    missing = [c for c in ("left", "right", "match_probability") if c not in pairs.columns]
    if missing:
        raise SchemaError(f"pairs has no column(s) {missing}; found {list(pairs.columns)[:15]}")
    ends = []
    for name in ("left", "right"):
        series = pairs[name]
        if len(series) and not pd.api.types.is_integer_dtype(series.dtype):
            raise SchemaError(f"pairs: {name} must hold integer row positions of records, "
                              f"got dtype {series.dtype}")
        if series.hasnans:
            row = int(np.flatnonzero(series.isna().to_numpy())[0])
            raise InputError(f"pairs: {name} is null in row {row}")
        arr = series.to_numpy(dtype=_I64)
        bad = np.flatnonzero((arr < 0) | (arr >= n))
        if bad.size:
            raise InputError(f"pairs: {name} = {arr[bad[0]]} in row {bad[0]} is not a row "
                             f"position of records (0..{n - 1}); {bad.size} such row(s)")
        ends.append(arr)
    left, right = ends
    same = np.flatnonzero(left == right)
    if same.size:
        raise InputError(f"pairs: row {same[0]} pairs record {left[same[0]]} with itself")
    prob_series = pairs["match_probability"]
    if not pd.api.types.is_numeric_dtype(prob_series.dtype) \
            or pd.api.types.is_bool_dtype(prob_series.dtype):
        raise SchemaError(f"pairs: match_probability must be numeric, got {prob_series.dtype}")
    prob = prob_series.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(~((prob >= 0.0) & (prob <= 1.0)))  # also NaN
    if bad.size:
        raise InputError(f"pairs: match_probability = {prob[bad[0]]} in row {bad[0]} is not "
                         f"a probability in [0, 1]; {bad.size} such row(s)")
    must, cannot = _flag(pairs, "must_link"), _flag(pairs, "cannot_link")
    both = np.flatnonzero(must & cannot)
    if both.size:
        raise InputError(f"pairs: row {both[0]} is flagged both must_link and cannot_link")
    return left, right, np.where(must, 1.0, prob), cannot


def _against(pairs: pd.DataFrame, conflict_evidence: float | None,
             n: int) -> NDArray[np.bool_]:
    """Pairs whose own evidence counts against a match (all pairs without the column)."""
    if conflict_evidence is None or "evidence_weight" not in pairs.columns:
        return np.ones(n, dtype=bool)
    evidence = pd.to_numeric(pairs["evidence_weight"], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)
    return ~(evidence >= conflict_evidence)  # a missing evidence weight stays a conflict


# --------------------------------------------------------------------------- chaining guard
@dataclass(frozen=True)
class _Guard:
    """What the chaining guard did: rebuilt components and, per component, what it cut."""

    nodes: NDArray[np.int64]       # records of rebuilt components, ascending
    component: NDArray[np.int64]   # component label (smallest position) per node
    report: dict[int, list[int]]   # component -> [blocked pair, conflict pair, n_blocked]
    n_conflicts: dict[int, int]


def _chaining_guard(labels: NDArray[np.int64], left: NDArray[np.int64],
                    right: NDArray[np.int64], prob: NDArray[np.float64],
                    cannot: NDArray[np.bool_], link: NDArray[np.bool_],
                    conflict: NDArray[np.bool_], ranks: NDArray[np.int64]
                    ) -> tuple[NDArray[np.int64], _Guard | None]:
    """Rebuild components holding a conflict by constrained single linkage (module docstring).

    Python work only for those components: their links in order, a union-find, and per group
    the groups it conflicts with (and through which pair, the most decisive one kept).
    """
    conflicts = np.flatnonzero(conflict)
    conflicts = conflicts[labels[left[conflicts]] == labels[right[conflicts]]]
    if not conflicts.size:
        return labels, None
    n = len(labels)
    rebuilt = np.zeros(n, dtype=bool)
    rebuilt[labels[left[conflicts]]] = True
    in_rebuilt = rebuilt[labels]
    nodes = np.flatnonzero(in_rebuilt)
    local = np.full(n, -1, dtype=_I64)
    local[nodes] = np.arange(len(nodes), dtype=_I64)

    def by_ids(idx: NDArray[np.int64], *keys: NDArray) -> NDArray[np.int64]:
        lo = np.minimum(ranks[left[idx]], ranks[right[idx]])
        hi = np.maximum(ranks[left[idx]], ranks[right[idx]])
        return idx[np.lexsort((hi, lo, *keys))]

    links = np.flatnonzero(link & in_rebuilt[left])
    links = by_ids(links, -prob[links])
    conflicts = by_ids(conflicts, prob[conflicts], ~cannot[conflicts])  # cannot_link first

    parent = list(range(len(nodes)))
    size = [1] * len(nodes)
    between: list[dict[int, int]] = [{} for _ in nodes]  # root -> {root: conflict}
    for i, (a, b) in enumerate(zip(local[left[conflicts]].tolist(),
                                   local[right[conflicts]].tolist(), strict=True)):
        between[a].setdefault(b, i)  # i: position in decisiveness order, smaller wins
        between[b].setdefault(a, i)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    report: dict[int, list[int]] = {}
    for pair, a, b in zip(links.tolist(), local[left[links]].tolist(),
                          local[right[links]].tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        blocker = between[ra].get(rb)
        if blocker is not None:
            entry = report.setdefault(int(labels[left[pair]]),
                                      [pair, int(conflicts[blocker]), 0])
            entry[2] += 1
            continue
        if size[ra] < size[rb]:
            ra, rb = rb, ra
        parent[rb] = ra
        size[ra] += size[rb]
        for other, c in between[rb].items():
            del between[other][rb]
            known = between[ra].get(other)
            if known is None or c < known:
                between[ra][other] = between[other][ra] = c
        between[rb] = {}

    roots = np.fromiter((find(i) for i in range(len(nodes))), dtype=_I64, count=len(nodes))
    group_min = np.full(len(nodes), n, dtype=_I64)
    np.minimum.at(group_min, roots, nodes)
    comp, counts = np.unique(labels[left[conflicts]], return_counts=True)
    component = labels[nodes]
    labels = labels.copy()
    labels[nodes] = group_min[roots]
    return labels, _Guard(nodes, component, report,
                          dict(zip(comp.tolist(), counts.tolist(), strict=True)))


# --------------------------------------------------------------------------- ids
def _order_clusters(codes: NDArray[np.int64], k: int, ranks: NDArray[np.int64]
                    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Renumber clusters ``0..k-1`` by smallest record id; also each one's smallest record."""
    n = len(codes)
    min_rank = np.full(k, n, dtype=_I64)
    np.minimum.at(min_rank, codes, ranks)
    order = np.argsort(min_rank)
    renumber = np.empty(k, dtype=_I64)
    renumber[order] = np.arange(k, dtype=_I64)
    position_of_rank = np.empty(n, dtype=_I64)
    position_of_rank[ranks] = np.arange(n, dtype=_I64)
    return renumber[codes], position_of_rank[min_rank[order]]


def _hash_id(text: str, length: int = 12, salt: int = 0) -> str:
    data = (text if salt == 0 else f"{text}#{salt}").encode("utf-8", "surrogatepass")
    return "G" + hashlib.sha1(data).hexdigest()[:length]


def _fresh_ids(smallest: NDArray[np.object_], taken: NDArray[np.object_] | None
               ) -> NDArray[np.object_]:
    """``"G"`` + 12 hex of SHA-1(smallest record id); every id in a clash grows longer."""
    sha1 = hashlib.sha1
    try:
        out = np.array(["G" + sha1(r.encode()).hexdigest()[:12] for r in smallest], dtype=object)
    except UnicodeEncodeError:  # lone surrogates
        out = np.array([_hash_id(r) for r in smallest], dtype=object)
    attempt = 0
    while True:
        series = pd.Series(out, dtype=object)
        clash = series.duplicated(keep=False).to_numpy()
        if taken is not None and len(taken):
            clash = clash | series.isin(taken).to_numpy()  # to_numpy may be read-only
        clashing = np.flatnonzero(clash)
        if not clashing.size:
            return out
        attempt += 1
        for i in clashing.tolist():
            out[i] = _hash_id(smallest[i], min(12 + 8 * attempt, 40), max(0, attempt - 4))


def _previous_membership(previous: pd.DataFrame) -> tuple[pd.Index, NDArray[np.object_]]:
    """The previous run's record ids (a unique Index) and golden id per record."""
    if not isinstance(previous, pd.DataFrame):
        raise InputError(f"previous must be a DataFrame, got {type(previous).__name__}")
    label = next((c for c in ("golden_id", "cluster_id") if c in previous.columns), None)
    if label is None:
        raise SchemaError(f"previous needs a 'golden_id' (or 'cluster_id') column; "
                          f"found {list(previous.columns)[:15]}")
    index = pd.Index(_id_column(previous, "record_id", "previous"), dtype=object)
    if not index.is_unique:
        raise SchemaError(f"previous: record_id {show_value(index[index.duplicated()][0])} "
                          f"occurs more than once; a record belongs to one previous cluster")
    return index, _id_column(previous, label, "previous")


def _events(k: int, sizes: NDArray[np.int64], cand_new: NDArray[np.int64],
            cand_prev: NDArray[np.int64], overlap: NDArray[np.int64],
            prev_ids: NDArray[np.object_], prev_rank: NDArray[np.int64],
            prev_size: NDArray[np.int64], kept: NDArray[np.int64],
            cluster_ids: NDArray[np.object_]) -> pd.DataFrame:
    n_prev = np.bincount(cand_new, minlength=k)
    n_new = np.r_[np.bincount(cand_prev, minlength=len(prev_ids)), 0]  # padded: no ids
    prev_size = np.r_[prev_size, 0]
    one = n_prev[cand_new] == 1
    only = np.zeros(k, dtype=_I64)
    only[cand_new[one]] = cand_prev[one]
    only_overlap = np.zeros(k, dtype=_I64)
    only_overlap[cand_new[one]] = overlap[one]
    single = n_prev == 1
    split = single & (n_new[only] >= 2)
    same = single & ~split & (only_overlap == sizes) & (prev_size[only] == sizes)
    event = np.full(k, "changed", dtype=object)
    event[n_prev == 0] = "new"
    event[n_prev >= 2] = "merged"
    event[split] = "split"
    event[same] = "unchanged"
    involved: list[tuple[str, ...]] = [()] * k
    for c, name in zip(cand_new[one].tolist(), prev_ids[cand_prev[one]].tolist(), strict=True):
        involved[c] = (name,)
    multi = np.flatnonzero(~one)  # candidates of merged clusters: their ids have ranks
    multi = multi[np.lexsort((prev_rank[cand_prev[multi]], cand_new[multi]))]
    grouped_new, names = cand_new[multi], prev_ids[cand_prev[multi]].tolist()
    starts = np.flatnonzero(np.r_[True, grouped_new[1:] != grouped_new[:-1]]) \
        if len(multi) else np.zeros(0, dtype=_I64)
    ends = np.r_[starts, len(multi)][1:].astype(_I64)
    for c, s, e in zip(grouped_new[starts].tolist(), starts.tolist(), ends.tolist(),
                       strict=True):
        involved[c] = tuple(names[s:e])
    kept_prev = np.zeros(len(prev_ids), dtype=bool)
    kept_prev[kept[kept >= 0]] = True
    retired = sorted(prev_ids[~kept_prev].tolist())
    frame = pd.DataFrame({
        "cluster_id": pd.Series(np.r_[cluster_ids, np.full(len(retired), None, dtype=object)],
                                dtype=object),  # object: None stays None with pandas 3
        "event": np.r_[event, np.full(len(retired), "retired", dtype=object)],
        "previous_ids": involved + [(g,) for g in retired],
        "size": np.r_[sizes, np.zeros(len(retired), dtype=_I64)],
    }, columns=list(EVENT_COLUMNS))
    return frame


def _assign_ids(cluster: NDArray[np.int64], k: int, record_ids: NDArray[np.object_],
                smallest: NDArray[np.int64], previous: pd.DataFrame | None
                ) -> tuple[NDArray[np.object_], pd.DataFrame]:
    """Id per cluster (clusters numbered by smallest record id) and the events table."""
    if previous is None:
        return _fresh_ids(record_ids[smallest], None), _empty(EVENT_COLUMNS)
    prev_records, prev_labels = _previous_membership(previous)
    prev_code, prev_ids = pd.factorize(prev_labels)
    prev_ids = np.asarray(prev_ids, dtype=object)
    n_prev_ids = max(len(prev_ids), 1)
    prev_size = np.bincount(prev_code, minlength=len(prev_ids)).astype(_I64)
    where = prev_records.get_indexer(record_ids)
    hit = where >= 0
    keys = np.sort(cluster[hit] * n_prev_ids + prev_code[where[hit]])
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else \
        np.zeros(0, dtype=_I64)
    overlap = np.diff(np.r_[starts, len(keys)]).astype(_I64)
    cand_new, cand_prev = keys[starts] // n_prev_ids, keys[starts] % n_prev_ids
    kept = np.full(k, -1, dtype=_I64)
    easy = (np.bincount(cand_new, minlength=k)[cand_new] == 1) & \
        (np.bincount(cand_prev, minlength=len(prev_ids))[cand_prev] == 1)
    kept[cand_new[easy]] = cand_prev[easy]  # one cluster, one previous id: no choice
    hard = np.flatnonzero(~easy)
    prev_rank = np.full(len(prev_ids), -1, dtype=_I64)  # only the contested ids need one
    contested = np.unique(cand_prev[hard])
    prev_rank[contested] = _string_ranks(prev_ids[contested])[0]
    hard = hard[np.lexsort((cand_new[hard], prev_rank[cand_prev[hard]], -overlap[hard]))]
    done_new: set[int] = set()
    done_prev: set[int] = set()
    for c, p in zip(cand_new[hard].tolist(), cand_prev[hard].tolist(), strict=True):
        if c not in done_new and p not in done_prev:  # greedy, largest overlap first
            kept[c] = p
            done_new.add(c)
            done_prev.add(p)
    ids = np.empty(k, dtype=object)
    has = kept >= 0
    ids[has] = prev_ids[kept[has]]
    ids[~has] = _fresh_ids(record_ids[smallest[~has]], prev_ids)
    sizes = np.bincount(cluster, minlength=k).astype(_I64)
    return ids, _events(k, sizes, cand_new, cand_prev, overlap, prev_ids, prev_rank,
                        prev_size, kept, ids)


def _label_codes(labels: ArrayLike, n: int, name: str,
                 per: str) -> tuple[NDArray[np.int64], NDArray[np.object_]]:
    """Codes and distinct values of ``n`` non-null labels (clear errors otherwise)."""
    values = pd.Series(labels, dtype=object)
    if len(values) != n:
        raise InputError(f"{name} has {len(values)} values for {n} {per}")
    if values.isna().any():
        raise InputError(f"{name} is null at position {int(np.argmax(values.isna()))}")
    codes, uniques = pd.factorize(values)
    return codes.astype(_I64), np.asarray(uniques, dtype=object)


def stable_ids(record_ids: ArrayLike, labels: ArrayLike, previous: pd.DataFrame | None = None
               ) -> tuple[pd.Series, pd.DataFrame]:
    """Stable cluster ids for a clustering given as one label per record.

    See the module docstring for the rule. ``previous`` is the previous run's membership,
    ``DataFrame[record_id, golden_id]`` (``cluster_id`` is accepted too).

    Returns:
        The id per record (a Series named ``cluster_id``, in input order) and the events
        table (:data:`EVENT_COLUMNS`; empty without ``previous``).

    Example:
        >>> previous = pd.DataFrame({"record_id": ["a", "b", "c"],
        ...                          "golden_id": ["G-1", "G-1", "G-2"]})
        >>> ids, events = stable_ids(["a", "b", "c", "d"], [0, 0, 0, 3], previous)
        >>> ids.tolist()
        ['G-1', 'G-1', 'G-1', 'G3c363836cf4e']
        >>> events[["cluster_id", "event", "previous_ids"]].to_dict("records")
        ... # doctest: +NORMALIZE_WHITESPACE
        [{'cluster_id': 'G-1', 'event': 'merged', 'previous_ids': ('G-1', 'G-2')},
         {'cluster_id': 'G3c363836cf4e', 'event': 'new', 'previous_ids': ()},
         {'cluster_id': None, 'event': 'retired', 'previous_ids': ('G-2',)}]
    """
    ids = _id_column(pd.DataFrame({"record_id": pd.Series(record_ids, dtype=object)}),
                     "record_id", "record_ids")
    ranks, dup = _string_ranks(ids)
    if dup is not None:
        raise SchemaError(f"record_ids: {show_value(dup)} occurs more than once")
    codes, uniques = _label_codes(labels, len(ids), "labels", "record ids")
    cluster, smallest = _order_clusters(codes, len(uniques), ranks)
    cluster_ids, events = _assign_ids(cluster, len(uniques), ids, smallest, previous)
    return pd.Series(cluster_ids[cluster], name="cluster_id", dtype=object), events


# --------------------------------------------------------------------------- households
def _key_codes(series: pd.Series) -> NDArray[np.int64]:
    """Integer code per value; ``-1`` for null and blank strings."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    codes = codes.astype(_I64)
    blank = np.fromiter((isinstance(u, str) and not u.strip() for u in python_values(uniques)),
                        dtype=bool, count=len(uniques))
    if blank.any():
        codes = np.where(codes >= 0, np.where(np.r_[blank, False][codes], -1, codes), -1)
    return codes


def _combine(a: NDArray[np.int64], b: NDArray[np.int64]) -> NDArray[np.int64]:
    """Code of the pair ``(a, b)``; ``-1`` where either is ``-1``."""
    valid = (a >= 0) & (b >= 0)
    out = np.full(len(a), -1, dtype=_I64)
    out[valid] = combine_codes(a[valid], b[valid])
    return out


def _shared_key_edges(rows: NDArray[np.int64], keys: NDArray[np.int64],
                      cluster: NDArray[np.int64]
                      ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Cluster pairs linking each row with the first row of its key group (``-1``: no key),
    and each pair's key."""
    valid = keys >= 0
    rows, keys = rows[valid], keys[valid]
    order = np.argsort(keys, kind="stable")
    rows, keys = rows[order], keys[order]
    start = np.r_[True, keys[1:] != keys[:-1]] if len(keys) else np.zeros(0, dtype=bool)
    first = np.maximum.accumulate(np.where(start, np.arange(len(keys)), 0))
    a, b = cluster[rows[first]], cluster[rows]
    keep = a != b
    return a[keep], b[keep], keys[keep]


def _household_roots(records: pd.DataFrame, cluster: NDArray[np.int64], k: int
                     ) -> NDArray[np.int64] | None:
    """Household label per cluster (its smallest cluster number), or None without addresses."""
    if "postcode" not in records.columns or "house_number" not in records.columns:
        return None
    address = _combine(_key_codes(records["postcode"]), _key_codes(records["house_number"]))
    if "house_number_addition" in records.columns:
        addition = _key_codes(records["house_number_addition"])
        addition[addition < 0] = addition.max(initial=-1) + 1  # null and "" are one value
        address = _combine(address, addition)
    # only records at an address shared by two or more clusters can link clusters
    everyone = np.arange(len(records), dtype=_I64)
    shared = np.zeros(int(address.max(initial=-1)) + 2, dtype=bool)  # [-1]: no address
    shared[_shared_key_edges(everyone, address, cluster)[2]] = True
    rows = np.flatnonzero(shared[address])
    wanted = [c for c in ("surname_key", "partner_surname_key", "phone", "phone_kind",
                          "phone_2", "phone_2_kind") if c in records.columns]
    # only the columns read below: a row subset of every column costs more than the rest
    subset, address, cluster = records[wanted].iloc[rows], address[rows], cluster[rows]
    signals = []
    names = [c for c in ("surname_key", "partner_surname_key") if c in subset.columns]
    if names:
        values = pd.concat([subset[c].astype(object) for c in names], ignore_index=True)
        signals.append(_key_codes(values))
    lines = [(p, q) for p, q in (("phone", "phone_kind"), ("phone_2", "phone_2_kind"))
             if p in subset.columns and q in subset.columns]
    if lines:
        values = pd.concat([subset[p].astype(object) for p, _ in lines], ignore_index=True)
        landline = np.concatenate([subset[q].isin(LANDLINE_KINDS).to_numpy(dtype=bool)
                                   for _, q in lines])
        signals.append(np.where(landline, _key_codes(values), -1))
    lefts, rights = [np.zeros(0, dtype=_I64)], [np.zeros(0, dtype=_I64)]
    for codes in signals:
        local = np.tile(np.arange(len(rows), dtype=_I64), len(codes) // max(len(rows), 1))
        a, b, _ = _shared_key_edges(local, _combine(address[local], codes), cluster)
        lefts.append(a)
        rights.append(b)
    return _components(k, np.concatenate(lefts), np.concatenate(rights))


def _household_names(roots: NDArray[np.int64] | None, cluster_ids: NDArray[np.object_]
                     ) -> NDArray[np.object_]:
    """``"H-"`` + the smallest cluster id of each household; None for a lone cluster."""
    names = np.full(len(cluster_ids), None, dtype=object)
    if roots is None:
        return names
    shared = np.flatnonzero(np.bincount(roots, minlength=len(roots))[roots] >= 2)
    if not shared.size:
        return names
    ids = np.array([str(c) for c in cluster_ids[shared]], dtype=object)
    ranks = _string_ranks(ids)[0]
    best = np.full(len(cluster_ids), len(ids), dtype=_I64)
    np.minimum.at(best, roots[shared], ranks)
    by_rank = np.empty(len(ids), dtype=object)
    by_rank[ranks] = ids
    names[shared] = "H-" + by_rank[best[roots[shared]]]
    return names


def household_ids(records: pd.DataFrame, cluster_ids: ArrayLike) -> pd.Series:
    """Household id per record, given each record's cluster id (rule: module docstring).

    Example:
        >>> records = pd.DataFrame({"postcode": ["1234 AB", "1234 AB", "1234 AB"],
        ...                         "house_number": [12, 12, 12],
        ...                         "surname_key": ["jansen", "jansen", "bakker"]})
        >>> household_ids(records, ["G1", "G2", "G3"]).tolist()
        ['H-G1', 'H-G1', None]
    """
    if not isinstance(records, pd.DataFrame):
        raise InputError(f"records must be a DataFrame, got {type(records).__name__}")
    codes, uniques = _label_codes(cluster_ids, len(records), "cluster_ids", "records")
    roots = _household_roots(records, codes, len(uniques))
    names = _household_names(roots, uniques)
    return pd.Series(names[codes], index=records.index, name="household_id", dtype=object)


# --------------------------------------------------------------------------- main
def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _oriented(left: NDArray[np.int64], right: NDArray[np.int64], ranks: NDArray[np.int64]
              ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Swap each pair so that the smaller record id comes first."""
    swap = ranks[left] > ranks[right]
    return np.where(swap, right, left), np.where(swap, left, right)


def _splits_table(guard: _Guard | None, cluster: NDArray[np.int64],
                  sizes: NDArray[np.int64], ids: NDArray[np.object_],
                  cluster_ids: NDArray[np.object_], smallest: NDArray[np.int64],
                  left: NDArray[np.int64], right: NDArray[np.int64],
                  prob: NDArray[np.float64], cannot: NDArray[np.bool_],
                  ranks: NDArray[np.int64]) -> pd.DataFrame:
    if guard is None:
        return _empty(SPLIT_COLUMNS)
    parts: dict[int, set[int]] = {}
    for comp, c in zip(guard.component.tolist(), cluster[guard.nodes].tolist(), strict=True):
        parts.setdefault(comp, set()).add(c)
    rows = []
    for comp, members in sorted(parts.items(), key=lambda item: min(item[1])):
        ordered = sorted(members, key=lambda c: (-sizes[c], c))
        blocked, conflict, n_blocked = guard.report[comp]
        row = {"component": ids[smallest[ordered and min(members)]],
               "size_before": int(sizes[ordered].sum()),
               "sizes_after": tuple(int(sizes[c]) for c in ordered),
               "cluster_ids": tuple(cluster_ids[c] for c in ordered)}
        for name, pair in (("blocked", blocked), ("conflict", conflict)):
            a, b = _oriented(left[[pair]], right[[pair]], ranks)
            row[f"{name}_left_id"], row[f"{name}_right_id"] = ids[a[0]], ids[b[0]]
            row[f"{name}_probability"] = float(prob[pair])
        row["conflict_reason"] = "cannot_link" if cannot[conflict] else "low_probability"
        row["n_conflicts"] = guard.n_conflicts[comp]
        row["n_blocked"] = n_blocked
        rows.append(row)
    return pd.DataFrame(rows, columns=list(SPLIT_COLUMNS))


def cluster_pairs(records: pd.DataFrame, pairs: pd.DataFrame, *,
                  threshold: float = DEFAULT_THRESHOLD, review_threshold: float = 0.5,
                  conflict_below: float = 0.01,
                  previous: pd.DataFrame | None = None, households: bool = True,
                  conflict_evidence: float | None = 3.0) -> Clusters:
    """Cluster records from scored pairs: links, chaining guard, review queue, households, ids.

    Args:
        records: one row per record with a unique string ``record_id``; the household
            columns (module docstring) are used when present.
        pairs: ``left``, ``right`` (row positions into ``records``), ``match_probability``,
            and optional bool columns ``must_link`` (merges, probability taken as 1.0) and
            ``cannot_link`` (never merges; a conflict). Each pair once (as from blocking).
        threshold: probability at or above which a pair links two records. The default
            0.9 was chosen by measurement (``benchmarks/bench_model.py``, generator data of
            medium and hard difficulty at 100k and 1M records, FEBRL3): cluster F1 0.976
            (100k medium), 0.973 (1M medium), 0.961 (100k hard) at a pairwise precision of
            0.98-0.99. At 0.8 F1 is the same at 100k but lower at 1M (0.970), where a
            household pattern (other first name, same surname, address and landline)
            scores just above 0.8. Raise it (0.95, 0.99) where a wrong merge is costly,
            e.g. for AVG access requests.
        review_threshold: pairs in ``[review_threshold, threshold)`` go to the review queue.
        conflict_below: pairs below this probability are conflicts for the chaining guard.
        previous: the previous run's ``DataFrame[record_id, golden_id]``, for stable ids.
        households: compute household ids (else ``household_id`` is None everywhere).
        conflict_evidence: when ``pairs`` has an ``evidence_weight`` column (the match
            weight without the prior, as :meth:`~custmatch.model.MatchModel.predict` gives),
            a pair below ``conflict_below`` is a conflict only if its evidence is below this
            many bits too (default 3: its comparisons do not favour one person by 8 to 1),
            not merely because it has too little in common to tell (the same person after
            a move and a new phone number). ``None``: the probability alone decides.

    Returns:
        A :class:`Clusters`.

    Raises:
        SchemaError: a missing column, a non-string or duplicate ``record_id``.
        InputError: a position out of range, a self-pair, a NaN or out-of-range probability,
            a pair flagged both ``must_link`` and ``cannot_link``.
        ConfigError: thresholds outside ``[0, 1]`` or not
            ``conflict_below <= review_threshold <= threshold``.

    Example:
        >>> records = pd.DataFrame({"record_id": ["r1", "r2", "r3"],
        ...                         "postcode": ["1234 AB"] * 3, "house_number": [5, 5, 5],
        ...                         "surname_key": ["jansen", "jansen", "jansen"]})
        >>> pairs = pd.DataFrame({"left": [0, 1], "right": [1, 2],
        ...                       "match_probability": [0.99, 0.2]})
        >>> cluster_pairs(records, pairs).assignments  # doctest: +NORMALIZE_WHITESPACE
          record_id     cluster_id     household_id  cluster_size
        0        r1  G5573e39b6600  H-G5573e39b6600             2
        1        r2  G5573e39b6600  H-G5573e39b6600             2
        2        r3  Gaa893358be4b  H-G5573e39b6600             1
    """
    _check_thresholds(threshold, review_threshold, conflict_below)
    if conflict_evidence is not None and (
            isinstance(conflict_evidence, bool)
            or not isinstance(conflict_evidence, int | float | np.floating)
            or not math.isfinite(conflict_evidence)):
        raise ConfigError(f"conflict_evidence must be a finite number of bits or None, "
                          f"got {show_value(conflict_evidence)}")
    ids, ranks = _record_ids(records)
    n = len(ids)
    left, right, prob, cannot = _edges(pairs, n)

    link = (prob >= threshold) & ~cannot
    labels = _components(n, left[link], right[link])
    conflict = cannot | ((prob < conflict_below)
                         & _against(pairs, conflict_evidence, len(prob)))
    labels, guard = _chaining_guard(labels, left, right, prob, cannot, link, conflict, ranks)
    is_root = labels == np.arange(n, dtype=_I64)
    codes = (np.cumsum(is_root) - 1)[labels]
    k = int(is_root.sum())
    cluster, smallest = _order_clusters(codes, k, ranks)
    cluster_ids, events = _assign_ids(cluster, k, ids, smallest, previous)
    sizes = np.bincount(cluster, minlength=k).astype(_I64)

    inside = np.flatnonzero(link & (cluster[left] == cluster[right]))
    owner, values = cluster[left[inside]], prob[inside]
    order = np.lexsort((values, owner))  # fixed summation order: mean independent of row order
    owner, values = owner[order], values[order]
    n_links = np.bincount(owner, minlength=k).astype(_I64)
    total = np.bincount(owner, weights=values, minlength=k)
    lowest = np.full(k, np.inf)
    np.minimum.at(lowest, owner, values)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_links > 0, total / np.maximum(n_links, 1), np.nan)
    lowest[n_links == 0] = np.nan

    roots = _household_roots(records, cluster, k) if households else None
    household = _household_names(roots, cluster_ids)
    guard_split = np.zeros(k, dtype=bool)
    if guard is not None:
        guard_split[cluster[guard.nodes]] = True

    doubtful = np.flatnonzero((prob >= review_threshold) & (prob < threshold) & ~cannot
                              & (cluster[left] != cluster[right]))
    a, b = _oriented(left[doubtful], right[doubtful], ranks)
    order = np.lexsort((ranks[b], ranks[a], -prob[doubtful]))
    a, b, doubtful = a[order], b[order], doubtful[order]

    assignments = pd.DataFrame({
        "record_id": ids, "cluster_id": cluster_ids[cluster],
        "household_id": pd.Series(household[cluster], dtype=object),
        "cluster_size": sizes[cluster]}, columns=list(ASSIGNMENT_COLUMNS))
    clusters = pd.DataFrame({
        "cluster_id": cluster_ids, "size": sizes, "n_links": n_links,
        "min_probability": lowest, "mean_probability": mean,
        "household_id": pd.Series(household, dtype=object),
        "guard_split": guard_split}, columns=list(CLUSTER_COLUMNS))
    review = pd.DataFrame({
        "left_id": ids[a], "right_id": ids[b], "match_probability": prob[doubtful],
        "left_cluster": cluster_ids[cluster[a]], "right_cluster": cluster_ids[cluster[b]]},
        columns=list(REVIEW_COLUMNS))
    splits = _splits_table(guard, cluster, sizes, ids, cluster_ids, smallest, left, right,
                           prob, cannot, ranks)
    return Clusters(assignments, clusters, review, splits, events)
