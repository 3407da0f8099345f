"""Quality of a clustering or a candidate-pair set against ground truth.

Pairwise figures come from the contingency table of (predicted cluster, true entity) counts,
never from enumerating pairs: a cluster of ``n`` records holds ``n * (n - 1) / 2`` pairs, so
true positives are ``sum C(n_ij, 2)`` over the table's cells, predicted pairs ``sum C(a_i, 2)``
over clusters and true pairs ``sum C(b_j, 2)`` over entities. A million records take about
a second.

Conventions for empty denominators: with no predicted pairs precision is 1.0 (nothing was
merged wrongly); with no true pairs recall is 1.0 (nothing could be missed); F1 is the
harmonic mean, 0.0 when both precision and recall are 0.

Example:
    >>> import pandas as pd
    >>> truth = pd.DataFrame({"record_id": ["a", "b", "c", "d"], "entity_id": [1, 1, 1, 2]})
    >>> clusters = pd.DataFrame({"record_id": ["a", "b", "c", "d"],
    ...                          "cluster_id": ["x", "x", "y", "y"]})
    >>> m = evaluate_clusters(clusters, truth)
    >>> (m.true_positives, m.predicted_pairs, m.true_pairs)
    (1, 2, 3)
    >>> round(m.precision, 3), round(m.recall, 3), round(m.f1, 3)
    (0.5, 0.333, 0.4)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from custmatch.errors import InputError, SchemaError, show_values

__all__ = [
    "ClusterMetrics",
    "PairSetMetrics",
    "evaluate_clusters",
    "evaluate_pairs",
    "false_merges",
    "false_splits",
    "pair_completeness",
    "reduction_ratio",
    "truth_labels",
]

_CLUSTER_COLUMNS = ("cluster_id", "entity_id", "golden_id")
_TRUTH_COLUMNS = ("entity_id", "cluster_id")


@dataclass(frozen=True)
class ClusterMetrics:
    """Pairwise and B-cubed quality of a clustering (see the module docstring for counts)."""

    n_records: int
    n_clusters: int
    n_entities: int
    true_positives: int
    predicted_pairs: int
    true_pairs: int
    precision: float
    recall: float
    f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float

    @property
    def false_positives(self) -> int:
        """Predicted pairs whose records belong to different entities."""
        return self.predicted_pairs - self.true_positives

    @property
    def false_negatives(self) -> int:
        """True pairs the clustering split apart."""
        return self.true_pairs - self.true_positives

    def to_dict(self) -> dict[str, float | int]:
        """Plain dict, e.g. for a benchmark's JSON line."""
        out: dict[str, float | int] = asdict(self)
        out["false_positives"] = self.false_positives
        out["false_negatives"] = self.false_negatives
        return out


@dataclass(frozen=True)
class PairSetMetrics:
    """Quality of a candidate-pair set (blocking) or of a set of predicted links."""

    n_pairs: int
    true_positives: int
    true_pairs: int
    possible_pairs: int
    pair_completeness: float
    reduction_ratio: float
    precision: float
    f1: float

    def to_dict(self) -> dict[str, float | int]:
        """Plain dict, e.g. for a benchmark's JSON line."""
        return asdict(self)


def _f1(precision: float, recall: float) -> float:
    total = precision + recall
    return 0.0 if total == 0 else 2 * precision * recall / total


def _pairs(counts: NDArray[np.int64]) -> int:
    counts = counts.astype(np.int64, copy=False)
    return int((counts * (counts - 1) // 2).sum())


def _labels(obj: pd.DataFrame | pd.Series, candidates: tuple[str, ...], what: str) -> pd.Series:
    """A Series of labels indexed by record id, from a frame or a Series."""
    if isinstance(obj, pd.Series):
        series = obj
    elif isinstance(obj, pd.DataFrame):
        if "record_id" not in obj.columns:
            raise SchemaError(
                f"{what} frame has no 'record_id' column; found {list(obj.columns)[:10]}"
            )
        label = next((c for c in candidates if c in obj.columns), None)
        if label is None:
            raise SchemaError(
                f"{what} frame needs one of the columns {list(candidates)}; "
                f"found {list(obj.columns)[:10]}"
            )
        series = pd.Series(obj[label].to_numpy(), index=obj["record_id"].to_numpy())
    else:
        raise InputError(f"{what} must be a DataFrame or Series, got {type(obj).__name__}")
    index = series.index
    if len(series) and pd.api.types.infer_dtype(index, skipna=False) != "string":
        index = index.astype(str)
    series = pd.Series(series.to_numpy(), index=index)
    if series.index.has_duplicates:
        dups = series.index[series.index.duplicated()].unique()[:5].tolist()
        raise InputError(f"{what}: record id(s) listed more than once: {dups}")
    nulls = series.isna()
    if nulls.any():
        ids = series.index[nulls.to_numpy()][:5].tolist()
        raise InputError(f"{what}: null label for record id(s) {ids}")
    return series


def truth_labels(truth: pd.DataFrame | pd.Series, record_ids: ArrayLike) -> np.ndarray:
    """The truth label of each record id, in the order given (for pair metrics by position).

    Example:
        >>> import pandas as pd
        >>> truth_labels(pd.Series(["p", "q"], index=["a", "b"]), ["b", "a"]).tolist()
        ['q', 'p']
    """
    series = _labels(truth, _TRUTH_COLUMNS, "truth")
    ids = pd.Index(np.asarray(record_ids, dtype=object)).astype(str)
    labels = series.reindex(ids)
    missing = labels.isna().to_numpy()
    if missing.any():
        raise InputError(f"truth has no label for record id(s) {ids[missing][:5].tolist()}")
    return labels.to_numpy(dtype=object)


def _aligned_codes(
    clusters: pd.DataFrame | pd.Series, truth: pd.DataFrame | pd.Series
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    pred, true, _, _ = _aligned(clusters, truth)
    return pred, true


def _aligned(
    clusters: pd.DataFrame | pd.Series, truth: pd.DataFrame | pd.Series
) -> tuple[NDArray[np.int64], NDArray[np.int64], pd.Series, pd.Series]:
    """Cluster and entity codes per record (in the clustering's order), and both label
    Series aligned to the clustering's record ids."""
    predicted = _labels(clusters, _CLUSTER_COLUMNS, "clusters")
    actual = _labels(truth, _TRUTH_COLUMNS, "truth")
    if len(predicted) != len(actual) or not predicted.index.equals(actual.index):
        missing = predicted.index.difference(actual.index)
        if len(missing):
            raise InputError(
                f"{len(missing)} record id(s) in the clustering are missing from the truth, "
                f"e.g. {show_values(missing[:5].tolist())}"
            )
        extra = actual.index.difference(predicted.index)
        if len(extra):
            raise InputError(
                f"{len(extra)} record id(s) in the truth are missing from the clustering "
                f"(every record must be in exactly one cluster), "
                f"e.g. {show_values(extra[:5].tolist())}"
            )
        actual = actual.reindex(predicted.index)
    pred_codes = pd.factorize(predicted.to_numpy())[0].astype(np.int64)
    true_codes = pd.factorize(actual.to_numpy())[0].astype(np.int64)
    return pred_codes, true_codes, predicted, actual


def _unique_counts(values: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Sorted distinct values and their counts (sort-based: ``np.unique`` is far slower on
    tens of millions of int64 keys with some numpy 2.x versions)."""
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = np.diff(np.append(starts, len(ordered))).astype(np.int64)
    return ordered[starts], counts


def _contingency(
    pred: NDArray[np.int64], true: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Non-empty cells as (cluster code, entity code, count)."""
    if len(pred) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    n_true = int(true.max()) + 1
    cells, counts = _unique_counts(pred * n_true + true)
    return cells // n_true, cells % n_true, counts


def evaluate_clusters(
    clusters: pd.DataFrame | pd.Series, truth: pd.DataFrame | pd.Series
) -> ClusterMetrics:
    """Pairwise and B-cubed precision, recall and F1 of a clustering against the truth.

    Args:
        clusters: ``DataFrame[record_id, cluster_id]`` (``entity_id`` or ``golden_id`` are
            accepted as the label column) or a Series of labels indexed by record id.
        truth: ``DataFrame[record_id, entity_id]`` or a Series indexed by record id. Extra
            columns are ignored.

    Raises:
        InputError: record ids missing on either side, duplicated, or with null labels.

    Example:
        >>> import pandas as pd
        >>> truth = pd.Series([1, 1, 2], index=["a", "b", "c"])
        >>> evaluate_clusters(pd.Series([7, 7, 7], index=["a", "b", "c"]), truth).precision
        0.3333333333333333
    """
    pred, true = _aligned_codes(clusters, truth)
    cluster_of, entity_of, cell = _contingency(pred, true)
    n = len(pred)
    cluster_size = np.bincount(pred).astype(np.int64) if n else np.zeros(0, np.int64)
    entity_size = np.bincount(true).astype(np.int64) if n else np.zeros(0, np.int64)
    tp, predicted_pairs, true_pairs = _pairs(cell), _pairs(cluster_size), _pairs(entity_size)
    precision = tp / predicted_pairs if predicted_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    if n:
        squares = cell.astype(np.float64) ** 2
        b3_precision = float((squares / cluster_size[cluster_of]).sum() / n)
        b3_recall = float((squares / entity_size[entity_of]).sum() / n)
    else:
        b3_precision = b3_recall = 1.0
    return ClusterMetrics(
        n_records=n,
        n_clusters=len(cluster_size),
        n_entities=len(entity_size),
        true_positives=tp,
        predicted_pairs=predicted_pairs,
        true_pairs=true_pairs,
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        bcubed_precision=b3_precision,
        bcubed_recall=b3_recall,
        bcubed_f1=_f1(b3_precision, b3_recall),
    )


def _as_positions(values: ArrayLike, name: str, limit: int) -> NDArray[np.int64]:
    array = np.asarray(values)
    if array.ndim != 1 or (array.size and not np.issubdtype(array.dtype, np.integer)):
        raise InputError(f"{name} must be a 1-d array of integer row positions")
    array = array.astype(np.int64, copy=False)
    if array.size and (array.min() < 0 or array.max() >= limit):
        bad = array[(array < 0) | (array >= limit)][:5].tolist()
        raise InputError(f"{name} holds row positions outside 0..{limit - 1}: {bad}")
    return array


def evaluate_pairs(
    left: ArrayLike,
    right: ArrayLike,
    left_labels: ArrayLike,
    right_labels: ArrayLike | None = None,
) -> PairSetMetrics:
    """Pair completeness, reduction ratio, precision and F1 of a set of record pairs.

    Dedupe mode (``right_labels`` is None): ``left`` and ``right`` are row positions in one
    frame whose true entity labels are ``left_labels``; a pair and its mirror count once and
    self-pairs are ignored. Link mode: ``left`` indexes ``left_labels`` and ``right`` indexes
    ``right_labels``, and a true pair is a cross-frame pair with the same label.

    Example:
        >>> m = evaluate_pairs([0, 0, 2], [1, 2, 3], ["p", "p", "q", "q"])
        >>> m.true_positives, m.true_pairs, m.n_pairs, m.pair_completeness
        (2, 2, 3, 1.0)
        >>> round(m.reduction_ratio, 3)
        0.5
    """
    labels_l = pd.factorize(np.asarray(left_labels, dtype=object))[0]
    link = right_labels is not None
    if link:
        both = np.concatenate([np.asarray(left_labels, dtype=object),
                               np.asarray(right_labels, dtype=object)])
        codes = pd.factorize(both)[0]
        labels_l, labels_r = codes[: len(labels_l)], codes[len(labels_l):]
    else:
        labels_r = labels_l
    left_pos = _as_positions(left, "left", len(labels_l))
    right_pos = _as_positions(right, "right", len(labels_r))
    if len(left_pos) != len(right_pos):
        raise InputError(f"left and right differ in length: {len(left_pos)} vs {len(right_pos)}")
    if link:
        keys = left_pos * len(labels_r) + right_pos
        possible = len(labels_l) * len(labels_r)
        size_l = np.bincount(labels_l, minlength=codes.max() + 1 if len(codes) else 0)
        size_r = np.bincount(labels_r, minlength=len(size_l))
        true_pairs = int((size_l.astype(np.int64) * size_r).sum())
    else:
        lo, hi = np.minimum(left_pos, right_pos), np.maximum(left_pos, right_pos)
        keep = lo != hi
        keys = lo[keep] * len(labels_l) + hi[keep]
        possible = len(labels_l) * (len(labels_l) - 1) // 2
        true_pairs = _pairs(np.bincount(labels_l)) if len(labels_l) else 0
    keys = _unique_counts(keys)[0]
    width = len(labels_r) if link else len(labels_l)
    tp = int((labels_l[keys // width] == labels_r[keys % width]).sum()) if len(keys) else 0
    n_pairs = len(keys)
    completeness = tp / true_pairs if true_pairs else 1.0
    precision = tp / n_pairs if n_pairs else 1.0
    return PairSetMetrics(
        n_pairs=n_pairs,
        true_positives=tp,
        true_pairs=true_pairs,
        possible_pairs=possible,
        pair_completeness=completeness,
        reduction_ratio=1.0 - n_pairs / possible if possible else 1.0,
        precision=precision,
        f1=_f1(precision, completeness),
    )


def pair_completeness(
    left: ArrayLike,
    right: ArrayLike,
    left_labels: ArrayLike,
    right_labels: ArrayLike | None = None,
) -> float:
    """Share of the true matching pairs that a candidate-pair set contains (blocking recall).

    Example:
        >>> pair_completeness([0], [1], ["p", "p", "p"])
        0.3333333333333333
    """
    return evaluate_pairs(left, right, left_labels, right_labels).pair_completeness


def reduction_ratio(n_pairs: int, n_left: int, n_right: int | None = None) -> float:
    """``1 - n_pairs / possible pairs``: how much of the full comparison space blocking avoided.

    Example:
        >>> round(reduction_ratio(45, 100), 4)
        0.9909
        >>> reduction_ratio(10, 10, 20)
        0.95
    """
    if n_pairs < 0 or n_left < 0 or (n_right is not None and n_right < 0):
        raise InputError("pair and record counts must be non-negative")
    possible = n_left * n_right if n_right is not None else n_left * (n_left - 1) // 2
    return 1.0 - n_pairs / possible if possible else 1.0


def _error_table(
    clusters: pd.DataFrame | pd.Series,
    truth: pd.DataFrame | pd.Series,
    kind: Literal["merge", "split"],
    records: pd.DataFrame | None,
    top: int,
) -> pd.DataFrame:
    pred, true, predicted, actual = _aligned(clusters, truth)
    cluster_of, entity_of, cell = _contingency(pred, true)
    group_codes = cluster_of if kind == "merge" else entity_of
    group_of_record = pred if kind == "merge" else true
    n_groups = int(group_of_record.max()) + 1 if len(group_of_record) else 0
    sizes = np.bincount(group_of_record, minlength=n_groups).astype(np.int64)
    kept = np.bincount(group_codes, weights=cell * (cell - 1) // 2, minlength=n_groups)
    parts = np.bincount(group_codes, minlength=n_groups)
    wrong = sizes * (sizes - 1) // 2 - kept.astype(np.int64)
    order = np.argsort(-wrong, kind="stable")
    order = order[wrong[order] > 0][:top]
    rank = np.full(n_groups, -1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    member = rank[group_of_record] >= 0
    table = pd.DataFrame(
        {
            "rank": rank[group_of_record][member] + 1,
            "false_pairs" if kind == "merge" else "missed_pairs": wrong[group_of_record][member],
            "n_entities" if kind == "merge" else "n_clusters": parts[group_of_record][member],
            "cluster_id": predicted.to_numpy()[member],
            "entity_id": actual.to_numpy()[member],
            "record_id": predicted.index.to_numpy()[member],
        }
    )
    first = "cluster_id" if kind == "merge" else "entity_id"
    table = table.sort_values(["rank", first, "record_id"], kind="stable").reset_index(drop=True)
    if records is not None:
        if "record_id" not in records.columns:
            raise SchemaError("records frame has no 'record_id' column")
        ids = records["record_id"].astype(str)
        extra = records[ids.isin(table["record_id"]).to_numpy()]
        extra = extra.drop(columns=[c for c in records.columns
                                    if c in table.columns and c != "record_id"])
        extra = extra.assign(record_id=extra["record_id"].astype(str))
        table = table.merge(extra, on="record_id", how="left", validate="one_to_one")
    return table


def false_merges(
    clusters: pd.DataFrame | pd.Series,
    truth: pd.DataFrame | pd.Series,
    records: pd.DataFrame | None = None,
    *,
    top: int = 10,
) -> pd.DataFrame:
    """The ``top`` predicted clusters with the most false pairs, one row per member record.

    Columns: ``rank, false_pairs, n_entities, cluster_id, entity_id, record_id`` and, when
    ``records`` is given, that record's columns, for inspection.

    Example:
        >>> import pandas as pd
        >>> truth = pd.Series(["p", "q", "q"], index=["a", "b", "c"])
        >>> false_merges(pd.Series([1, 1, 1], index=["a", "b", "c"]), truth)[
        ...     ["rank", "false_pairs", "record_id"]].to_dict("list")
        {'rank': [1, 1, 1], 'false_pairs': [2, 2, 2], 'record_id': ['a', 'b', 'c']}
    """
    return _error_table(clusters, truth, "merge", records, top)


def false_splits(
    clusters: pd.DataFrame | pd.Series,
    truth: pd.DataFrame | pd.Series,
    records: pd.DataFrame | None = None,
    *,
    top: int = 10,
) -> pd.DataFrame:
    """The ``top`` true entities with the most missed pairs, one row per member record.

    Columns: ``rank, missed_pairs, n_clusters, cluster_id, entity_id, record_id`` and, when
    ``records`` is given, that record's columns.

    Example:
        >>> import pandas as pd
        >>> truth = pd.Series(["p", "p", "p"], index=["a", "b", "c"])
        >>> false_splits(pd.Series([1, 2, 2], index=["a", "b", "c"]), truth)[
        ...     ["missed_pairs", "n_clusters"]].iloc[0].tolist()
        [2, 2]
    """
    return _error_table(clusters, truth, "split", records, top)
