"""Benchmark: the incremental match index (``custmatch.index.MatchIndex``) on generator records.

Steps (all in this process):

1. generate about ``--records`` records (medium difficulty) and hold ``--adds`` of them back;
2. ``deduplicate`` the rest (timed: ``batch_s``);
3. ``MatchIndex.create(path, result)`` (timed: ``build_s``; ``build_vs_batch`` is the ratio,
   the target is <= 2);
4. ``match`` for ``--queries`` records (stored records under a new id, and held-back ones):
   latency p50 / p99 in ms (targets 2 / 20);
5. ``add`` the held-back records one by one: latency p50 / p99 in ms (target p50 5);
6. the file size after a checkpoint, and the peak memory.

Usage:
    python benchmarks/bench_index.py --records 1000000 [--seed 0] [--queries 1000] [--adds 1000]

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _harness import base_record, emit, log, peak_rss_mb, timed


def _ms(values: list[float]) -> dict[str, float]:
    array = np.asarray(values) * 1000
    return {"p50_ms": round(float(np.percentile(array, 50)), 3),
            "p99_ms": round(float(np.percentile(array, 99)), 3),
            "mean_ms": round(float(array.mean()), 3), "n": len(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--adds", type=int, default=1000)
    parser.add_argument("--path", default=None, help="index file (default: a temporary one)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    import custmatch
    from custmatch.datasets.generator import generate_customers, n_entities_for_records
    from custmatch.index import MatchIndex

    stages: dict[str, float] = {}
    log(f"generating ~{args.records:,} records ...")
    with timed(stages, "generate"):
        records, _ = generate_customers(n_entities_for_records(args.records), seed=args.seed)
    rng = np.random.default_rng(args.seed)
    held = np.zeros(len(records), dtype=bool)
    held[rng.choice(len(records), size=min(args.adds, len(records) // 10), replace=False)] = True
    base, later = records[~held].reset_index(drop=True), records[held].reset_index(drop=True)

    log(f"batch deduplicate of {len(base):,} records ...")
    with timed(stages, "batch"):
        result = custmatch.deduplicate(base, progress=False)
    folder = Path(args.path).parent if args.path else Path(tempfile.mkdtemp())
    path = Path(args.path) if args.path else folder / "index.db"
    log(f"building the index at {path} ...")
    with timed(stages, "build"):
        index = MatchIndex.create(path, result)
    n_golden = len(result.golden)
    del result

    log(f"{args.queries} matches ...")
    picks = rng.choice(len(base), size=args.queries, replace=True)
    queries = []
    for k, i in enumerate(picks.tolist()):
        row = base.iloc[i].dropna().to_dict()
        queries.append({**row, "record_id": f"query-{k}"})
    match_times, matched = [], 0
    for query in queries:
        start = time.perf_counter()
        decision = index.match(query)
        match_times.append(time.perf_counter() - start)
        matched += decision.is_match

    log(f"{len(later)} adds ...")
    add_times, events = [], {}
    for row in later.to_dict("records"):
        record = {k: v for k, v in row.items() if isinstance(v, str)}
        start = time.perf_counter()
        decision = index.add(record)
        add_times.append(time.perf_counter() - start)
        events[decision.event] = events.get(decision.event, 0) + 1
    problems = index.check() if args.records <= 200_000 else "skipped (large)"
    index._con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    index.close()
    size = sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal")
               if Path(f"{path}{s}").exists())
    emit({
        **base_record("bench_index"),
        "dataset": "generator(medium)", "n_records": len(records), "seed": args.seed,
        "indexed_records": len(base), "golden": n_golden,
        "stages": stages,
        "batch_s": stages["batch"], "build_s": stages["build"],
        "build_vs_batch": round(stages["build"] / stages["batch"], 3),
        "match": _ms(match_times), "match_share_matched": round(matched / len(queries), 4),
        "add": _ms(add_times), "add_events": events,
        "file_mb": round(size / 2**20, 1), "bytes_per_record": round(size / len(base)),
        "check": problems,
        "targets": {"match_p50_ms": 2, "match_p99_ms": 20, "add_p50_ms": 5,
                    "build_vs_batch": 2},
        "peak_rss_mb": peak_rss_mb(),
    })


if __name__ == "__main__":
    main()
