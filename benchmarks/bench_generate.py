"""Benchmark: synthetic customer generation speed and memory.

Usage: ``python benchmarks/bench_generate.py --records 1000000 [--seed S] [--difficulty D]``.
Prints one JSON line on stdout (logs on stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import base_record, emit, log, peak_rss_mb, timed
from custmatch.datasets.generator import (
    DIFFICULTY,
    generate_customers,
    n_entities_for_records,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="target number of records")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--difficulty", choices=sorted(DIFFICULTY), default="medium")
    args = parser.parse_args(argv)

    n_entities = n_entities_for_records(args.records)
    stages: dict[str, float] = {}
    log(f"generating {n_entities} entities (~{args.records} records), seed={args.seed}")
    with timed(stages, "generate"):
        records, truth = generate_customers(n_entities, seed=args.seed, difficulty=args.difficulty)
    result = base_record("generate")
    result.update(
        {
            "difficulty": args.difficulty,
            "seed": args.seed,
            "entities": n_entities,
            "records": len(records),
            "columns": records.shape[1],
            "corrupted_share": round(float((truth.corruptions != "").mean()), 4),
            "seconds": stages["generate"],
            "records_per_second": round(len(records) / max(stages["generate"], 1e-9)),
            "peak_rss_mb": peak_rss_mb(),
        }
    )
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
