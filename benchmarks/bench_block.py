"""Benchmark: candidate-pair generation (blocking) with custmatch's default Dutch rules.

Main figure: generator data (``--records``, default 1M, medium difficulty), normalised first
(not part of the blocking time), then ``custmatch.block.dedupe`` with
``custmatch.block.default_rules()``: time, pairs, pairs per record, pair completeness,
reduction ratio and peak memory.

Side by side, in the same run and each engine in its own subprocess (so its peak memory is
its own), on FEBRL4 (link, 5000 x 5000) and on ``--peer-records`` generator records
(default 100k): custmatch, recordlinkage's ``Index`` with the same blocking keys, and
Splink's blocking (DuckDB) with the same rules when installed. All engines block on the same
precomputed key columns, so pair counts agree and the times compare like for like.

Usage:
    python benchmarks/bench_block.py --records 1000000 [--peer-records 100000] [--no-peers]

Prints one JSON line.
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
from _harness import (
    base_record,
    emit,
    engine_child,
    log,
    run_child,
    side_by_side,
)

# ----------------------------------------------------------------------------- data


def _initial(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip().str[:1].str.lower()


#: The default rules that every peer can express (exact keys on precomputed columns; no
#: multi-valued keys, no per-rule caps): custmatch runs the same list in the peer runs.
PEER_RULES = [["postcode", "house_number"], ["email_key"], ["phone"], ["phone_2"],
              ["surname_phonetic", "birth_date"], ["birth_date", "initial"],
              ["street_key", "house_number", "city_key"], ["surname_phonetic", "pc4"]]


def prepare_generator(n_records: int, seed: int, difficulty: str, path: str,
                      *, default: bool) -> dict:
    """Generate and normalise; pickle the key columns with the truth labels.

    ``default``: custmatch runs ``default_rules()`` (the main figure); otherwise every engine
    runs :data:`PEER_RULES`.
    """
    from custmatch.datasets.generator import generate_customers, n_entities_for_records
    from custmatch.normalize import normalize_frame

    records, truth = generate_customers(n_entities_for_records(n_records), seed=seed,
                                        difficulty=difficulty)
    start = time.perf_counter()
    frame = normalize_frame(records)
    normalize_s = time.perf_counter() - start
    keys = ["postcode", "house_number", "email_key", "phone", "phone_2", "surname_phonetic",
            "surname_key", "partner_surname_key",
            "partner_surname_phonetic", "birth_date", "initials", "street_key", "city_key",
            "id_number"]
    frame = frame[[k for k in keys if k in frame.columns]].copy()
    frame["initial"] = _initial(frame["initials"])
    frame["pc4"] = frame["postcode"].str[:4]
    pd.to_pickle({"frame": frame, "labels": truth["entity_id"].to_numpy(), "link": None,
                  "rules": PEER_RULES, "default": default}, path)
    return {"normalize_s": round(normalize_s, 3), "records": len(frame)}


def prepare_febrl4(path: str) -> dict:
    """FEBRL4 with a Dutch-phonetic surname key column; rules on raw FEBRL fields."""
    from custmatch.datasets import load_febrl
    from custmatch.normalize.names import dutch_phonetic
    from custmatch.normalize.text import map_unique

    records, truth = load_febrl(4)
    frame = records[["source", "postcode", "birth_date", "soc_sec_id", "first_name"]].copy()
    frame["surname_phonetic"] = map_unique(records["surname"], dutch_phonetic)
    frame["initial"] = _initial(records["first_name"])
    rules = [["postcode", "initial"], ["birth_date"], ["surname_phonetic", "initial"],
             ["soc_sec_id"]]
    pd.to_pickle({"frame": frame, "labels": truth["entity_id"].to_numpy(),
                  "link": frame["source"].to_numpy(), "rules": rules}, path)
    return {"records": len(frame)}


# ----------------------------------------------------------------------------- engines


def _pair_metrics(left: np.ndarray, right: np.ndarray, data: dict) -> dict:
    from custmatch.evaluate import evaluate_pairs

    labels = data["labels"]
    if data["link"] is not None:
        is_a = data["link"] == "A"
        pos_a, pos_b = np.flatnonzero(is_a), np.flatnonzero(~is_a)
        local = np.empty(len(labels), dtype=np.int64)
        local[pos_a], local[pos_b] = np.arange(len(pos_a)), np.arange(len(pos_b))
        m = evaluate_pairs(local[left], local[right], labels[pos_a], labels[pos_b])
    else:
        m = evaluate_pairs(left, right, labels)
    n = len(labels)
    out = {"pairs": m.n_pairs, "pairs_per_record": round(m.n_pairs / max(n, 1), 2),
           "pair_completeness": round(m.pair_completeness, 5),
           "reduction_ratio": round(m.reduction_ratio, 7)}
    if data["link"] is None:
        out["pair_completeness_transitive"] = round(_transitive_completeness(left, right,
                                                                            labels), 5)
    return out


def _transitive_completeness(left: np.ndarray, right: np.ndarray, labels: np.ndarray) -> float:
    """Share of true pairs whose records are joined by a chain of true candidate pairs: the
    most that clustering (transitive links) can recover, an upper bound on cluster recall."""
    from custmatch.cluster import connected_components

    codes = pd.factorize(labels)[0].astype(np.int64)
    same = codes[left] == codes[right]
    component = connected_components(len(codes), left[same], right[same])
    entity_size = np.bincount(codes)
    true_pairs = int((entity_size * (entity_size - 1) // 2).sum())
    if true_pairs == 0:
        return 1.0
    # within each entity, records in the same component are reachable from one another
    joint = pd.Series(codes * len(codes) + component).value_counts().to_numpy()
    return float((joint * (joint - 1) // 2).sum() / true_pairs)


def run_custmatch(data: dict) -> tuple[np.ndarray, np.ndarray, dict]:
    from custmatch.block import block_on, dedupe, default_rules, link

    frame = data["frame"]
    peer_rules = [block_on(*keys) for keys in data["rules"]]
    rules = default_rules() if data.get("default") else peer_rules
    start = time.perf_counter()
    if data["link"] is not None:
        is_a = data["link"] == "A"
        pairs = link([frame[is_a], frame[~is_a]], rules)
        order = np.concatenate([np.flatnonzero(is_a), np.flatnonzero(~is_a)])
        left, right = order[pairs.left], order[pairs.right]
    else:
        pairs = dedupe(frame, rules)
        left, right = pairs.left, pairs.right
    seconds = time.perf_counter() - start
    report = pairs.report[["rule", "pairs", "new_pairs", "skipped_blocks"]].to_dict("records")
    return left, right, {"seconds": round(seconds, 3), "rules": report}


def run_recordlinkage(data: dict) -> tuple[np.ndarray, np.ndarray, dict]:
    """recordlinkage ``Index`` + ``Block`` per rule, on the rows whose keys are all present
    (its merge-based blocking would otherwise pair every record with a null key with every
    other), then the union of the rules' MultiIndexes."""
    import recordlinkage as rl

    frame = data["frame"].reset_index(drop=True)
    start = time.perf_counter()
    found = []
    for keys in data["rules"]:
        sub = frame.dropna(subset=list(keys))
        indexer = rl.Index()
        indexer.block(left_on=list(keys), right_on=list(keys))
        if data["link"] is not None:
            is_a = data["link"][sub.index.to_numpy()] == "A"
            found.append(indexer.index(sub[is_a], sub[~is_a]))
        else:
            found.append(indexer.index(sub))
    index = found[0]
    for more in found[1:]:
        index = index.union(more)
    seconds = time.perf_counter() - start
    left = np.asarray(index.get_level_values(0), dtype=np.int64)
    right = np.asarray(index.get_level_values(1), dtype=np.int64)
    return np.minimum(left, right), np.maximum(left, right), {"seconds": round(seconds, 3)}


def run_splink(data: dict) -> tuple[np.ndarray, np.ndarray, dict]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    frame = data["frame"].reset_index(drop=True).copy()
    frame["unique_id"] = np.arange(len(frame))
    rules = [block_on(*keys) for keys in data["rules"]]
    link_mode = data["link"] is not None
    settings = SettingsCreator(
        link_type="link_only" if link_mode else "dedupe_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=[cl.ExactMatch(data["rules"][0][0])],
    )
    db = DuckDBAPI()
    start = time.perf_counter()
    if link_mode:
        is_a = data["link"] == "A"
        tables = [db.register(frame[is_a]), db.register(frame[~is_a])]
        linker = Linker(tables, settings, log_level=40)
    else:
        linker = Linker(db.register(frame), settings, log_level=40)
    blocked = linker.inference.deterministic_link().as_pandas_dataframe()
    seconds = time.perf_counter() - start
    left = blocked["unique_id_l"].to_numpy(dtype=np.int64)
    right = blocked["unique_id_r"].to_numpy(dtype=np.int64)
    return np.minimum(left, right), np.maximum(left, right), {"seconds": round(seconds, 3)}


ENGINES = {"custmatch": run_custmatch, "recordlinkage": run_recordlinkage, "splink": run_splink}
ENGINES_ORDER = list(ENGINES)


def engine_main(engine: str, path: str) -> None:
    """Child process: run one engine on one prepared dataset; print a JSON line."""

    def with_metrics(data: dict, result: tuple) -> dict:
        left, right, info = result
        return {**info, **_pair_metrics(left, right, data)}

    engine_child(ENGINES, engine, path, with_metrics)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--peer-records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--difficulty", default="medium")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        engine_main(args.engine, args.data)
        return

    from custmatch.block import default_rules

    result = base_record("block")
    result.update({"dataset": f"generator-{args.difficulty}", "seed": args.seed,
                   "rules": [r.name for r in default_rules()]})
    with tempfile.TemporaryDirectory() as tmp:
        main_path = os.path.join(tmp, "main.pkl")
        log(f"preparing {args.records:,} generator records (normalised, not timed)")
        result.update(prepare_generator(args.records, args.seed, args.difficulty, main_path,
                                        default=True))
        main_run = run_child(__file__, "custmatch", main_path)
        result.update({k: v for k, v in main_run.items() if k != "engine"})
        if not args.no_peers:
            peers = {}
            peer_path = os.path.join(tmp, "peer.pkl")
            log(f"peers on {args.peer_records:,} generator records")
            prepare_generator(args.peer_records, args.seed, args.difficulty, peer_path,
                              default=False)
            peers["rules"] = [" & ".join(keys) for keys in PEER_RULES]
            peers[f"generator_{args.peer_records}"] = side_by_side(
                __file__, ENGINES_ORDER, peer_path)
            febrl_path = os.path.join(tmp, "febrl4.pkl")
            try:
                prepare_febrl4(febrl_path)
            except ImportError as exc:
                peers["febrl4"] = {"skipped": str(exc)}
            else:
                log("peers on FEBRL4")
                peers["febrl4"] = side_by_side(__file__, ENGINES_ORDER, febrl_path)
            result["peers"] = peers
    emit(result)


if __name__ == "__main__":
    main()
