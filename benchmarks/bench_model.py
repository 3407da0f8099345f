"""Benchmark: the unsupervised Fellegi-Sunter model, side by side with recordlinkage and Splink.

Per dataset (FEBRL4 link, FEBRL3 dedupe, ``--records`` generator records, ``--difficulty``
medium by default, ``--seed`` 0) each engine trains without labels and scores candidate
pairs; printed per engine: seconds, pairs, pairwise precision/recall/F1 at its default
threshold and F1 at the best threshold (on the scored pairs; for generator data also after
clustering with :func:`custmatch.cluster.cluster_pairs`' defaults, with the hard-negative
kinds of the record pairs wrongly clustered together). Engines run in their own subprocess
on the same candidate pairs (recordlinkage's ECMClassifier gets custmatch's comparison
levels one-hot encoded as its binary features) or, for Splink, on equivalent settings. A
last line measures EM alone on ``--em-pairs`` simulated pairs with 6 comparisons.

Usage:
    python benchmarks/bench_model.py [--records 100000] [--em-pairs 20000000] [--no-peers]
                                     [--seed 0] [--difficulty medium]

Prints one JSON line per dataset, then one for the EM timing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from _harness import base_record, emit, engine_child, log, side_by_side

DEFAULT_THRESHOLD = 0.9


def _febrl_model(link_mode: bool):
    from custmatch.block import block_on
    from custmatch.compare import Exact, JaroWinkler, Levenshtein
    from custmatch.model import MatchModel

    comparisons = [
        JaroWinkler("first_name", thresholds=(0.94, 0.88)),
        JaroWinkler("surname", thresholds=(0.94, 0.88)),
        Levenshtein("birth_date", thresholds=(1, 2)),
        Levenshtein("soc_sec_id", thresholds=(1, 2)),
        JaroWinkler("street", thresholds=(0.9,)),
        Exact("house_number"),
        Levenshtein("postcode", thresholds=(1,)),
        JaroWinkler("city", thresholds=(0.9,)),
    ]
    from custmatch.model import TermFrequency

    rules = [block_on("postcode"), block_on("birth_date"), block_on("surname"),
             block_on("soc_sec_id")]
    model = MatchModel(comparisons, rules, cannot_link=[], conditionals=[],
                       term_frequencies=[TermFrequency("surname", ("surname",), ("exact",)),
                                         TermFrequency("first_name", ("first_name",),
                                                       ("exact",))])
    training = [block_on("postcode"), block_on("birth_date"), block_on("surname"),
                block_on("first_name")]
    return model, training


def prepare(dataset: str, n_records: int, seed: int, path: str,
            difficulty: str = "medium") -> dict:
    """Records (normalised for generator data), truth labels and candidate pairs."""
    from custmatch.model import MatchModel

    if dataset.startswith("febrl"):
        from custmatch.datasets import load_febrl

        records, truth = load_febrl(int(dataset[-1]))
        records = records.astype(object).where(records.notna(), None)
        link_mode = dataset == "febrl4"
        model, _ = _febrl_model(link_mode)
    else:
        from custmatch.datasets.generator import generate_customers, n_entities_for_records
        from custmatch.normalize import normalize_frame

        raw, truth = generate_customers(n_entities_for_records(n_records), seed=seed,
                                        difficulty=difficulty)
        records = normalize_frame(raw)
        link_mode = False
        model = MatchModel()
    if link_mode:
        is_a = (records["source"] == "A").to_numpy()
        records = pd.concat([records[is_a], records[~is_a]], ignore_index=True)
        frames = [records.iloc[: is_a.sum()], records.iloc[is_a.sum():]]
        pairs = model.candidate_pairs(frames)
    else:
        frames = None
        pairs = model.candidate_pairs(records)
    entity = truth.set_index("record_id")["entity_id"].reindex(records["record_id"])
    labels = pd.factorize(entity)[0]
    sizes = np.bincount(labels)
    if link_mode:
        n_a = len(frames[0])
        a, b = np.bincount(labels[:n_a], minlength=len(sizes)), np.bincount(
            labels[n_a:], minlength=len(sizes))
        true_pairs = int((a * b).sum())
    else:
        true_pairs = int((sizes * (sizes - 1) // 2).sum())
    relation = truth.set_index("record_id")["relation"].reindex(records["record_id"]) \
        if "relation" in truth.columns else None
    pd.to_pickle({"dataset": dataset, "records": records, "relation": None if relation is None
                  else relation.fillna("").astype(str).to_numpy(), "n_a": None if frames is None
                  else len(frames[0]), "left": pairs.left.astype(np.int64),
                  "right": pairs.right.astype(np.int64), "labels": labels,
                  "true_pairs": true_pairs}, path)
    return {"records": len(records), "candidate_pairs": len(pairs), "true_pairs": true_pairs}


def _metrics(is_match: np.ndarray, probability: np.ndarray, true_pairs: int,
             threshold: float) -> dict:
    def at(th: float) -> tuple[float, float, float]:
        chosen = probability >= th
        tp = float((is_match & chosen).sum())
        precision = tp / max(chosen.sum(), 1)
        recall = tp / max(true_pairs, 1)
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        return precision, recall, f1

    precision, recall, f1 = at(threshold)
    grid = np.unique(np.r_[np.round(np.quantile(probability, np.linspace(0, 1, 201)), 6),
                           [0.5, 0.9, 0.99]])
    best = max(((at(t)[2], t) for t in grid), key=lambda x: x[0])
    return {"threshold": threshold, "precision": round(precision, 4),
            "recall": round(recall, 4), "f1": round(f1, 4),
            "best_f1": round(best[0], 4), "best_threshold": float(best[1])}


def _cluster_f1(records: pd.DataFrame, scored: pd.DataFrame, labels,
                relation: np.ndarray | None = None) -> dict:
    """Pairwise metrics after :func:`custmatch.cluster.cluster_pairs` with its defaults
    (auto-merge threshold, chaining guard), and the hard-negative kinds of the record pairs
    wrongly put in one cluster."""
    from custmatch.cluster import cluster_pairs
    from custmatch.evaluate import evaluate_clusters

    start = time.perf_counter()
    result = cluster_pairs(records, scored, households=False)
    seconds = time.perf_counter() - start
    truth = pd.DataFrame({"record_id": records["record_id"], "entity_id": labels})
    m = evaluate_clusters(result.assignments[["record_id", "cluster_id"]], truth)
    out = {"cluster_seconds": round(seconds, 3), "clusters": len(result),
           "chaining_splits": len(result.splits),
           "cluster_precision": round(m.precision, 4), "cluster_recall": round(m.recall, 4),
           "cluster_f1": round(m.f1, 4)}
    if relation is not None:
        cluster = pd.factorize(result.assignments["cluster_id"])[0]
        out["cluster_false_merge_kinds"] = _cluster_false_merges(cluster, labels, relation)
    return out


def _cluster_false_merges(cluster: np.ndarray, labels: np.ndarray,
                          relation: np.ndarray) -> dict:
    """Record pairs in one cluster but of two entities, by hard-negative kind (the kind
    both records share, else ``unrelated``)."""
    sizes = np.bincount(cluster)
    rows = np.flatnonzero(sizes[cluster] > 1)
    members = pd.DataFrame({"c": cluster[rows], "e": np.asarray(labels)[rows],
                            "r": np.asarray(relation)[rows], "i": rows})
    both = members.merge(members, on="c")
    wrong = both[(both["i_x"] < both["i_y"]) & (both["e_x"] != both["e_y"])]
    kind = np.where((wrong["r_x"] == wrong["r_y"]) & (wrong["r_x"] != ""), wrong["r_x"],
                    "unrelated")
    return pd.Series(kind, dtype=object).value_counts().head(8).to_dict()


def run_custmatch(data: dict) -> dict:
    from custmatch.model import MatchModel

    records, left, right = data["records"], data["left"], data["right"]
    start = time.perf_counter()
    if data["dataset"].startswith("febrl"):
        model, training = _febrl_model(data["n_a"] is not None)
    else:
        model, training = MatchModel(), None
    target = records if data["n_a"] is None else [records.iloc[: data["n_a"]],
                                                  records.iloc[data["n_a"]:]]
    model.estimate_u(target, seed=0)
    model.estimate_m(target, training)
    if model.conditionals:
        model.estimate_conditionals(target)
    levels = model.compare(target, (left, right))
    model.estimate_prior(target, (left, right), levels=levels)
    scored = model.predict(target, (left, right), levels=levels)
    seconds = time.perf_counter() - start
    probability = scored["match_probability"].to_numpy()
    is_match = data["labels"][left] == data["labels"][right]
    out = {"seconds": round(seconds, 3), "prior": model.prior,
           **_metrics(is_match, probability, data["true_pairs"], DEFAULT_THRESHOLD)}
    if data["n_a"] is None:
        out.update(_cluster_f1(records, scored, data["labels"], data.get("relation")))
        out["false_merge_kinds"] = _false_merge_kinds(data, scored)
    return out


def _false_merge_kinds(data: dict, scored: pd.DataFrame) -> dict:
    """Hard-negative kinds among the false links (scored pairs, before clustering) at
    :data:`DEFAULT_THRESHOLD`."""
    records = data["records"]
    kinds = data.get("relation")
    if kinds is None:
        return {}
    chosen = scored["match_probability"].to_numpy() >= DEFAULT_THRESHOLD
    left, right = data["left"][chosen], data["right"][chosen]
    wrong = data["labels"][left] != data["labels"][right]
    a, b = kinds[left[wrong]], kinds[right[wrong]]
    rel = np.where((a == b) & (a != ""), a, "unrelated")
    del records
    return pd.Series(rel).value_counts().head(8).to_dict()


def run_recordlinkage(data: dict) -> dict:
    import recordlinkage as rl

    from custmatch.model import MatchModel

    records, left, right = data["records"], data["left"], data["right"]
    if data["dataset"].startswith("febrl"):
        model, _ = _febrl_model(data["n_a"] is not None)
    else:
        model = MatchModel()
    levels = model.compare(records, (left, right))
    features = {}
    for j, name in enumerate(levels.names):
        for level in range(1, max(levels.labels[j]) + 1):
            features[f"{name}_{level}"] = (levels.matrix[:, j] == level).astype(np.int8)
    index = pd.MultiIndex.from_arrays([left, right])
    frame = pd.DataFrame(features, index=index)
    start = time.perf_counter()
    ecm = rl.ECMClassifier(binarize=None)
    ecm.fit(frame)
    probability = ecm.prob(frame).to_numpy()
    seconds = time.perf_counter() - start
    is_match = data["labels"][left] == data["labels"][right]
    return {"seconds": round(seconds, 3), "features": frame.shape[1],
            **_metrics(is_match, probability, data["true_pairs"], 0.5)}


def run_splink(data: dict) -> dict:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    records = data["records"].copy()
    records["unique_id"] = np.arange(len(records))
    febrl = data["dataset"].startswith("febrl")
    if febrl:
        keep = ["unique_id", "first_name", "surname", "birth_date", "soc_sec_id", "street",
                "house_number", "postcode", "city"]
        comparisons = [cl.JaroWinklerAtThresholds("first_name", [0.94, 0.88]),
                       cl.JaroWinklerAtThresholds("surname", [0.94, 0.88]),
                       cl.LevenshteinAtThresholds("birth_date", [1, 2]),
                       cl.LevenshteinAtThresholds("soc_sec_id", [1, 2]),
                       cl.JaroWinklerAtThresholds("street", [0.9]),
                       cl.ExactMatch("house_number"),
                       cl.LevenshteinAtThresholds("postcode", [1]),
                       cl.JaroWinklerAtThresholds("city", [0.9])]
        rules = [block_on("postcode"), block_on("birth_date"), block_on("surname"),
                 block_on("soc_sec_id")]
        training = [block_on("postcode"), block_on("birth_date"), block_on("surname"),
                    block_on("first_name")]
        deterministic = [block_on("soc_sec_id", "birth_date")]
    else:
        records["address_key"] = records["postcode"].astype(str) + " " + \
            records["house_number"].astype(str)
        records.loc[records["postcode"].isna() | records["house_number"].isna(),
                    "address_key"] = None
        keep = ["unique_id", "first_name", "surname_key", "birth_date", "address_key",
                "phone", "email_key", "postcode", "house_number", "city_key"]
        comparisons = [cl.JaroWinklerAtThresholds("first_name", [0.92, 0.8]),
                       cl.JaroWinklerAtThresholds("surname_key", [0.92, 0.8]),
                       cl.ExactMatch("birth_date"), cl.ExactMatch("address_key"),
                       cl.ExactMatch("phone"), cl.ExactMatch("email_key")]
        rules = [block_on("postcode", "house_number"), block_on("email_key"),
                 block_on("phone"), block_on("surname_key", "birth_date"),
                 block_on("birth_date", "first_name"), block_on("surname_key", "city_key")]
        training = [block_on("birth_date", "first_name"), block_on("email_key"),
                    block_on("surname_key", "first_name")]
        deterministic = [block_on("email_key", "birth_date"), block_on("phone", "first_name")]
    frame = records[keep].astype(object).where(records[keep].notna(), None)
    for column in keep[1:]:
        frame[column] = frame[column].map(lambda v: None if v is None else str(v))
    link_mode = data["n_a"] is not None
    settings = SettingsCreator(link_type="link_only" if link_mode else "dedupe_only",
                               blocking_rules_to_generate_predictions=rules,
                               comparisons=comparisons)
    db = DuckDBAPI()
    start = time.perf_counter()
    if link_mode:
        tables = [db.register(frame.iloc[: data["n_a"]]), db.register(frame.iloc[data["n_a"]:])]
        linker = Linker(tables, settings, log_level=40)
    else:
        linker = Linker(db.register(frame), settings, log_level=40)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=0)
    for rule in training:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict().as_pandas_dataframe()
    seconds = time.perf_counter() - start
    left = predictions["unique_id_l"].to_numpy(dtype=np.int64)
    right = predictions["unique_id_r"].to_numpy(dtype=np.int64)
    probability = predictions["match_probability"].to_numpy(dtype=np.float64)
    is_match = data["labels"][left] == data["labels"][right]
    return {"seconds": round(seconds, 3), "pairs": len(left),
            **_metrics(is_match, probability, data["true_pairs"], DEFAULT_THRESHOLD)}


ENGINES = {"custmatch": run_custmatch, "recordlinkage": run_recordlinkage,
           "splink": run_splink}


def em_timing(n_pairs: int, seed: int) -> dict:
    """EM (pattern counting + iterations) on simulated levels of 6 comparisons."""
    from custmatch.model.em import expectation_maximisation, pattern_counts

    rng = np.random.default_rng(seed)
    n_levels = [5, 5, 6, 5, 3, 3]
    is_match = rng.random(n_pairs) < 0.1
    matrix = np.empty((n_pairs, len(n_levels)), dtype=np.int8)
    for j, k in enumerate(n_levels):
        m = np.r_[0.05, np.full(k - 1, 0.95 / (k - 1))]
        u = np.r_[0.9, np.full(k - 1, 0.1 / (k - 1))]
        draws = np.where(is_match, rng.choice(k, n_pairs, p=m), rng.choice(k, n_pairs, p=u))
        draws[rng.random(n_pairs) < 0.1] = -1
        matrix[:, j] = draws
    start = time.perf_counter()
    patterns, counts = pattern_counts(matrix, n_levels)
    counted = time.perf_counter() - start
    start_m = [np.r_[0.1, np.full(k - 1, 0.9 / (k - 1))] for k in n_levels]
    start_u = [np.r_[0.8, np.full(k - 1, 0.2 / (k - 1))] for k in n_levels]
    result = expectation_maximisation(patterns, counts, start_m, start_u, 0.3,
                                      estimate_u=True, max_iterations=200)
    seconds = time.perf_counter() - start
    return {"dataset": "simulated", "em_pairs": n_pairs, "comparisons": len(n_levels),
            "patterns": len(patterns), "pattern_count_s": round(counted, 3),
            "em_seconds": round(seconds, 3), "iterations": result.iterations,
            "converged": result.converged, "prior_estimated": round(result.prior, 4),
            "prior_true": round(float(is_match.mean()), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--em-pairs", type=int, default=20_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--difficulty", default="medium", choices=["easy", "medium", "hard"])
    parser.add_argument("--datasets", default="febrl4,febrl3,generator")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        engine_child(ENGINES, args.engine, args.data)
        return
    engines = ["custmatch"] if args.no_peers else list(ENGINES)
    with tempfile.TemporaryDirectory() as tmp:
        for dataset in args.datasets.split(","):
            result = base_record("model")
            name = f"generator-{args.difficulty}-{args.records}" if dataset == "generator" \
                else dataset
            result["dataset"] = name
            path = os.path.join(tmp, f"{dataset}.pkl")
            log(f"preparing {name} (not timed)")
            try:
                result.update(prepare(dataset, args.records, args.seed, path, args.difficulty))
            except ImportError as exc:
                result["skipped"] = str(exc)
                emit(result)
                continue
            runs = side_by_side(__file__, engines, path)
            base = runs["custmatch"]
            for engine, run in runs.items():
                if engine != "custmatch" and run.get("f1") is not None and base.get("f1"):
                    run["f1_ratio_vs_custmatch"] = round(run["f1"] / base["f1"], 3)
            result.update({k: v for k, v in base.items() if k != "engine"})
            result["peers"] = {k: v for k, v in runs.items() if k != "custmatch"}
            emit(result)
    if args.em_pairs:
        record = base_record("model")
        record.update(em_timing(args.em_pairs, args.seed))
        emit(record)


if __name__ == "__main__":
    main()
