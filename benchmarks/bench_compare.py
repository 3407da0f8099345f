"""Benchmark: comparison levels for candidate pairs.

Main figure: ``--pairs`` (default 10M) candidate pairs from the default blocking rules on
normalised generator data, compared with the six Dutch comparisons (first name, surname,
birth date, address, phone, e-mail): seconds, pairs per second, unique value combinations
and peak memory of the comparing process (data preparation runs in another process).

Side by side, each engine in its own subprocess: custmatch and recordlinkage's ``Compare``
with equivalent features (Jaro-Winkler strings, exact keys, dates) on the same pairs, on
FEBRL4 (its candidate pairs from blocking on postcode, birth date and surname) and on
``--peer-records`` generator records.

Usage:
    python benchmarks/bench_compare.py --pairs 10000000 [--peer-records 100000] [--no-peers]

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

DUTCH = "dutch"
FEBRL = "febrl"


def prepare_generator(n_pairs: int | None, n_records: int, seed: int, path: str) -> dict:
    """Normalised generator records and their default-rule candidate pairs (capped)."""
    from custmatch.block import dedupe, default_rules
    from custmatch.datasets.generator import generate_customers, n_entities_for_records
    from custmatch.normalize import normalize_frame

    records, _ = generate_customers(n_entities_for_records(n_records), seed=seed)
    frame = normalize_frame(records)
    pairs = dedupe(frame, default_rules())
    left, right = pairs.left, pairs.right
    if n_pairs is not None and len(left) > n_pairs:
        keep = np.random.default_rng(seed).choice(len(left), n_pairs, replace=False)
        keep.sort()
        left, right = left[keep], right[keep]
    columns = ["first_name", "initials", "surname_key", "partner_surname_key",
               "surname_phonetic", "partner_surname_phonetic", "birth_date", "birth_year",
               "postcode", "house_number", "house_number_addition", "street_key", "city_key",
               "phone", "phone_kind", "phone_2", "phone_2_kind", "email_key", "email_role"]
    pd.to_pickle({"kind": DUTCH, "frame": frame[columns], "left": left, "right": right}, path)
    return {"records": len(frame), "pairs": len(left)}


def prepare_febrl4(path: str) -> dict:
    from custmatch.block import block_on, link
    from custmatch.datasets import load_febrl

    records, _ = load_febrl(4)
    is_a = (records["source"] == "A").to_numpy()
    pairs = link([records[is_a], records[~is_a]],
                 [block_on("postcode"), block_on("birth_date"), block_on("surname")])
    order = np.concatenate([np.flatnonzero(is_a), np.flatnonzero(~is_a)])
    frame = records.reset_index(drop=True)
    frame["birth_date"] = pd.to_datetime(frame["birth_date"], format="%Y%m%d", errors="coerce")
    pd.to_pickle({"kind": FEBRL, "frame": frame, "left": order[pairs.left],
                  "right": order[pairs.right]}, path)
    return {"records": len(frame), "pairs": len(pairs)}


def run_custmatch(data: dict) -> dict:
    from custmatch.compare import Exact, JaroWinkler, compare
    from custmatch.compare.contact import Address, Email, Phone
    from custmatch.compare.person import BirthDate, FirstName, Surname

    if data["kind"] == DUTCH:
        comparisons = [FirstName(), Surname(), BirthDate(), Address(), Phone(), Email()]
    else:
        comparisons = [JaroWinkler("first_name", thresholds=(0.88,)),
                       JaroWinkler("surname", thresholds=(0.88,)),
                       JaroWinkler("street", thresholds=(0.85,)), Exact("postcode"),
                       Exact("birth_date"), Exact("soc_sec_id")]
    start = time.perf_counter()
    levels = compare(data["frame"], data["left"], data["right"], comparisons)
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 3), "comparisons": list(levels.names),
            "null_share": round(float((levels.matrix == -1).mean()), 4)}


def run_recordlinkage(data: dict) -> dict:
    import recordlinkage as rl

    frame = data["frame"]
    index = pd.MultiIndex.from_arrays([data["left"], data["right"]])
    compare = rl.Compare(n_jobs=2)
    if data["kind"] == DUTCH:
        compare.string("first_name", "first_name", method="jarowinkler", threshold=0.9)
        compare.string("surname_key", "surname_key", method="jarowinkler", threshold=0.9)
        compare.date("birth_date", "birth_date")
        compare.exact("postcode", "postcode")
        compare.exact("phone", "phone")
        compare.exact("email_key", "email_key")
    else:
        compare.string("first_name", "first_name", method="jarowinkler", threshold=0.88)
        compare.string("surname", "surname", method="jarowinkler", threshold=0.88)
        compare.string("street", "street", method="jarowinkler", threshold=0.85)
        compare.exact("postcode", "postcode")
        compare.date("birth_date", "birth_date")
        compare.exact("soc_sec_id", "soc_sec_id")
    start = time.perf_counter()
    features = compare.compute(index, frame)
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 3), "features": features.shape[1]}


ENGINES = {"custmatch": run_custmatch, "recordlinkage": run_recordlinkage}


def engine_main(engine: str, path: str) -> None:
    def with_rate(data: dict, info: dict) -> dict:
        seconds = info["seconds"]
        return {**info, "pairs": len(data["left"]),
                "pairs_per_second": round(len(data["left"]) / seconds) if seconds else None}

    engine_child(ENGINES, engine, path, with_rate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000_000)
    parser.add_argument("--records", type=int, default=1_000_000,
                        help="generator records to draw the main pairs from")
    parser.add_argument("--peer-records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        engine_main(args.engine, args.data)
        return

    result = base_record("compare")
    result.update({"dataset": "generator-medium", "seed": args.seed})
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "main.pkl")
        log(f"preparing up to {args.pairs:,} pairs from {args.records:,} records (not timed)")
        result.update(prepare_generator(args.pairs, args.records, args.seed, path))
        main_run = run_child(__file__, "custmatch", path)
        result.update({k: v for k, v in main_run.items() if k not in ("engine", "pairs")})
        if not args.no_peers:
            peers = {}
            peer_path = os.path.join(tmp, "peer.pkl")
            prepare_generator(None, args.peer_records, args.seed, peer_path)
            log(f"peers on {args.peer_records:,} generator records")
            peers[f"generator_{args.peer_records}"] = side_by_side(__file__, list(ENGINES),
                                                                   peer_path)
            febrl_path = os.path.join(tmp, "febrl4.pkl")
            try:
                prepare_febrl4(febrl_path)
            except ImportError as exc:
                peers["febrl4"] = {"skipped": str(exc)}
            else:
                log("peers on FEBRL4")
                peers["febrl4"] = side_by_side(__file__, list(ENGINES), febrl_path)
            result["peers"] = peers
    emit(result)


if __name__ == "__main__":
    main()
