"""Benchmark: golden records with lineage (``custmatch.survive``) for generator records.

Not timed: generating the records and normalising them with ``normalize_frame``
(``keep_raw=False``; about a minute for 1M records). Both run in a child process that
writes a pickle (kept in ``--cache`` to rerun quickly). The timed part runs in a fresh
child process (``--engine custmatch --data PATH``, through the harness's ``run_child``), so
``peak_rss_mb`` is that of loading the normalised records plus building golden records,
lineage and source updates with the true clusters (the generator's entity ids).

Usage:
    python benchmarks/bench_survive.py --records 1000000 [--seed 0] [--cache /tmp/x.pkl]

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from _harness import base_record, emit, log, peak_rss_mb, run_child, timed

_PREPARE = (
    "import sys, pandas as pd\n"
    "from custmatch.datasets.generator import generate_customers, n_entities_for_records\n"
    "from custmatch.normalize import normalize_frame\n"
    "records, truth = generate_customers(n_entities_for_records(int(sys.argv[1])),"
    " seed=int(sys.argv[2]))\n"
    "normalized = normalize_frame(records, keep_raw=False)\n"
    "del records\n"
    "clusters = pd.DataFrame({'record_id': truth['record_id'].astype(str).to_numpy(object),"
    " 'cluster_id': truth['entity_id'].to_numpy(object)})\n"
    "pd.to_pickle((normalized, clusters), sys.argv[3])\n"
)


def prepare(n_records: int, seed: int, path: str) -> None:
    """Generate and normalise records in a child process; pickle (records, clusters)."""
    subprocess.run([sys.executable, "-c", _PREPARE, str(n_records), str(seed), path],
                   check=True)


def measure(path: str) -> None:
    """Child process: load the pickle, time golden records and source updates."""
    import pandas as pd

    from custmatch.survive import changes_for_sources, golden_records

    records, clusters = pd.read_pickle(path)
    stages: dict[str, float] = {}
    with timed(stages, "golden_records"):
        result = golden_records(records, clusters)
    with timed(stages, "changes_for_sources"):
        changes = changes_for_sources(records, result)
    emit({
        "engine": "custmatch",
        "records": len(records),
        "golden": len(result.golden),
        "lineage_rows": len(result.lineage),
        "change_rows": len(changes),
        "golden_columns": len(result.golden.columns),
        "seconds": stages["golden_records"],
        "stages": stages,
        "peak_rss_mb": peak_rss_mb(),
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", default=None, help="pickle of the normalised records; "
                        "created when missing, reused when present")
    parser.add_argument("--engine", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--data", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine is not None:
        measure(args.data)
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = args.cache or os.path.join(tmp, "normalized.pkl")
        if not os.path.exists(path):
            log(f"generating and normalising {args.records:,} records (not timed)")
            start = time.perf_counter()
            prepare(args.records, args.seed, path)
            log(f"  prepared in {time.perf_counter() - start:.1f} s")
        log("golden records in a child process (timed)")
        child = run_child(os.path.abspath(__file__), "custmatch", path)
    if "error" in child:
        log("child failed:", *child["error"])
    result = base_record("survive")
    result.update({
        "dataset": "generator-medium",
        "seed": args.seed,
        "n_records": child.get("records", args.records),
        "n_golden": child.get("golden"),
        "lineage_rows": child.get("lineage_rows"),
        "change_rows": child.get("change_rows"),
        "stages": child.get("stages"),
        "total_s": child.get("seconds"),
        "peak_rss_mb": child.get("peak_rss_mb"),
        "limits": {"seconds": 20, "peak_rss_mb": 4096},
        "error": child.get("error"),
    })
    emit(result)


if __name__ == "__main__":
    main()
