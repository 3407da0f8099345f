from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custmatch.errors import InputError, SchemaError
from custmatch.evaluate import (
    evaluate_clusters,
    evaluate_pairs,
    false_merges,
    false_splits,
    pair_completeness,
    reduction_ratio,
)


def labels(ids: str, values: list[object]) -> pd.Series:
    return pd.Series(values, index=list(ids))


def brute_force(pred: list[int], true: list[int]) -> tuple[int, int, int]:
    """True positives, predicted pairs and true pairs by enumerating every pair."""
    tp = pp = tpairs = 0
    for i, j in itertools.combinations(range(len(pred)), 2):
        same_pred, same_true = pred[i] == pred[j], true[i] == true[j]
        pp += same_pred
        tpairs += same_true
        tp += same_pred and same_true
    return tp, pp, tpairs


def test_hand_computed_case() -> None:
    # truth: {a,b,c} {d,e}; predicted: {a,b} {c,d,e}
    truth = labels("abcde", [1, 1, 1, 2, 2])
    pred = labels("abcde", ["x", "x", "y", "y", "y"])
    m = evaluate_clusters(pred, truth)
    assert (m.true_positives, m.predicted_pairs, m.true_pairs) == (2, 4, 4)
    assert m.precision == 0.5
    assert m.recall == 0.5
    assert m.f1 == 0.5
    assert (m.false_positives, m.false_negatives) == (2, 2)
    # B-cubed: precision per record a,b: 1; c: 1/3; d,e: 2/3 -> (1+1+1/3+2/3+2/3)/5
    assert m.bcubed_precision == pytest.approx((2 + 1 / 3 + 4 / 3) / 5)
    # recall per record a,b: 2/3; c: 1/3; d,e: 1 -> (4/3 + 1/3 + 2)/5
    assert m.bcubed_recall == pytest.approx((4 / 3 + 1 / 3 + 2) / 5)
    assert (m.n_records, m.n_clusters, m.n_entities) == (5, 2, 2)


def test_perfect_and_all_singletons() -> None:
    truth = labels("abcd", [1, 1, 2, 3])
    assert evaluate_clusters(truth, truth).f1 == 1.0
    alone = evaluate_clusters(labels("abcd", [1, 2, 3, 4]), truth)
    assert (alone.precision, alone.recall, alone.f1) == (1.0, 0.0, 0.0)
    assert alone.bcubed_precision == 1.0


def test_accepts_frames_with_label_column_and_ignores_row_order() -> None:
    truth = pd.DataFrame({"record_id": ["a", "b", "c"], "entity_id": [1, 1, 2],
                          "relation": ["x", "y", "z"]})
    clusters = pd.DataFrame({"record_id": ["c", "a", "b"], "cluster_id": [9, 8, 8]})
    assert evaluate_clusters(clusters, truth).f1 == 1.0


def test_ids_missing_from_truth_raise_naming_them() -> None:
    truth = labels("ab", [1, 1])
    with pytest.raises(InputError, match=r"missing from the truth.*'c'"):
        evaluate_clusters(labels("abc", [1, 1, 2]), truth)
    with pytest.raises(InputError, match=r"missing from the clustering.*'b'"):
        evaluate_clusters(labels("a", [1]), truth)


def test_bad_frames_raise() -> None:
    with pytest.raises(SchemaError, match="record_id"):
        evaluate_clusters(pd.DataFrame({"id": [1]}), labels("a", [1]))
    with pytest.raises(SchemaError, match="cluster_id"):
        evaluate_clusters(pd.DataFrame({"record_id": ["a"]}), labels("a", [1]))
    with pytest.raises(InputError, match="more than once"):
        evaluate_clusters(labels("aa", [1, 2]), labels("a", [1]))
    with pytest.raises(InputError, match="null label"):
        evaluate_clusters(labels("ab", [1, None]), labels("ab", [1, 1]))
    with pytest.raises(InputError, match="DataFrame or Series"):
        evaluate_clusters([1, 2], labels("ab", [1, 1]))  # type: ignore[arg-type]


def test_empty_clustering() -> None:
    empty = pd.Series([], dtype=object)
    m = evaluate_clusters(empty, empty)
    assert (m.n_records, m.predicted_pairs, m.f1) == (0, 0, 1.0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=0, max_size=30))
def test_count_based_pairwise_equals_brute_force(rows: list[tuple[int, int]]) -> None:
    pred = [p for p, _ in rows]
    true = [t for _, t in rows]
    ids = [f"r{i}" for i in range(len(rows))]
    m = evaluate_clusters(pd.Series(pred, index=ids, dtype=object),
                          pd.Series(true, index=ids, dtype=object))
    tp, pp, tpairs = brute_force(pred, true)
    assert (m.true_positives, m.predicted_pairs, m.true_pairs) == (tp, pp, tpairs)
    precision = tp / pp if pp else 1.0
    recall = tp / tpairs if tpairs else 1.0
    assert m.precision == pytest.approx(precision)
    assert m.recall == pytest.approx(recall)
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    assert m.f1 == pytest.approx(f1)


def test_evaluate_pairs_dedupe_counts_each_pair_once_and_ignores_self_pairs() -> None:
    m = evaluate_pairs([0, 1, 0, 2], [1, 0, 0, 3], ["p", "p", "q", "r"])
    assert m.n_pairs == 2  # (0,1) once, (0,0) dropped, (2,3)
    assert m.true_positives == 1
    assert m.true_pairs == 1
    assert m.pair_completeness == 1.0
    assert m.precision == 0.5
    assert m.possible_pairs == 6


def test_evaluate_pairs_link_mode_counts_cross_frame_pairs() -> None:
    left_labels = ["a", "b", "c"]
    right_labels = ["b", "a", "a", "z"]
    m = evaluate_pairs([0, 1, 2], [1, 0, 3], left_labels, right_labels)
    assert m.true_pairs == 3  # a-a twice, b-b once
    assert m.true_positives == 2
    assert m.possible_pairs == 12
    assert m.pair_completeness == pytest.approx(2 / 3)
    assert m.reduction_ratio == pytest.approx(1 - 3 / 12)


def test_evaluate_pairs_bad_positions_raise() -> None:
    with pytest.raises(InputError, match="outside"):
        evaluate_pairs([0], [5], ["a", "b"])
    with pytest.raises(InputError, match="differ in length"):
        evaluate_pairs([0, 1], [1], ["a", "b"])
    with pytest.raises(InputError, match="integer"):
        evaluate_pairs([0.5], [1], ["a", "b"])


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_pair_completeness_equals_brute_force(data: st.DataObject) -> None:
    n = data.draw(st.integers(2, 12))
    lab = data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    all_pairs = list(itertools.combinations(range(n), 2))
    chosen = data.draw(st.lists(st.sampled_from(all_pairs), max_size=20))
    left = np.array([p[0] for p in chosen], dtype=np.int64)
    right = np.array([p[1] for p in chosen], dtype=np.int64)
    true = {p for p in all_pairs if lab[p[0]] == lab[p[1]]}
    found = true & set(chosen)
    expected = len(found) / len(true) if true else 1.0
    assert pair_completeness(left, right, lab) == pytest.approx(expected)


def test_reduction_ratio() -> None:
    assert reduction_ratio(0, 10) == 1.0
    assert reduction_ratio(45, 10) == 0.0
    assert reduction_ratio(5, 2, 5) == 0.5
    assert reduction_ratio(0, 1) == 1.0
    with pytest.raises(InputError):
        reduction_ratio(-1, 10)


def test_false_merges_lists_worst_cluster_records_with_record_columns() -> None:
    truth = labels("abcdef", [1, 2, 3, 4, 4, 5])
    pred = labels("abcdef", ["big", "big", "big", "ok", "ok", "pair"])
    records = pd.DataFrame({"record_id": list("abcdef"), "surname": list("UVWXYZ")})
    table = false_merges(pred, truth, records, top=5)
    assert table["cluster_id"].unique().tolist() == ["big"]
    assert table["false_pairs"].tolist() == [3, 3, 3]
    assert table["n_entities"].tolist() == [3, 3, 3]
    assert table["surname"].tolist() == ["U", "V", "W"]


def test_false_splits_lists_split_entities() -> None:
    truth = labels("abcde", [1, 1, 1, 2, 2])
    pred = labels("abcde", ["x", "y", "z", "w", "w"])
    table = false_splits(pred, truth)
    assert table["entity_id"].unique().tolist() == [1]
    assert table["missed_pairs"].tolist() == [3, 3, 3]
    assert table["n_clusters"].tolist() == [3, 3, 3]


def test_false_merges_empty_when_clustering_is_perfect() -> None:
    truth = labels("abc", [1, 1, 2])
    assert false_merges(truth, truth).empty
    assert false_splits(truth, truth).empty


@pytest.mark.parametrize("seed", range(5))
def test_agrees_with_recordlinkage_metrics(seed: int) -> None:
    rl = pytest.importorskip("recordlinkage")
    rng = np.random.default_rng(seed)
    n = 40
    true = rng.integers(0, 12, n)
    pred = np.where(rng.random(n) < 0.7, true, rng.integers(0, 12, n))
    ids = [f"r{i}" for i in range(n)]
    pairs = list(itertools.combinations(range(n), 2))
    true_links = pd.MultiIndex.from_tuples([(ids[i], ids[j]) for i, j in pairs
                                            if true[i] == true[j]])
    pred_links = pd.MultiIndex.from_tuples([(ids[i], ids[j]) for i, j in pairs
                                            if pred[i] == pred[j]])
    m = evaluate_clusters(pd.Series(pred, index=ids), pd.Series(true, index=ids))
    assert m.precision == pytest.approx(rl.precision(true_links, pred_links))
    assert m.recall == pytest.approx(rl.recall(true_links, pred_links))
    assert m.f1 == pytest.approx(rl.fscore(true_links, pred_links))
    assert reduction_ratio(len(pred_links), n) == pytest.approx(
        rl.reduction_ratio(pred_links, pd.DataFrame(index=ids)))


def test_truth_labels_follow_the_ids_and_name_what_is_missing() -> None:
    from custmatch.evaluate import truth_labels

    truth = pd.DataFrame({"record_id": [1, 2], "entity_id": ["p", "q"]})
    assert truth_labels(truth, ["2", "1", "2"]).tolist() == ["q", "p", "q"]
    with pytest.raises(InputError, match=r"no label for record id\(s\) \['9'\]"):
        truth_labels(truth, ["1", "9"])
    with pytest.raises(SchemaError, match="record_id"):
        truth_labels(pd.DataFrame({"id": [1]}), ["1"])
    with pytest.raises(InputError, match="DataFrame or Series"):
        truth_labels("truth.csv", ["1"])  # type: ignore[arg-type]
