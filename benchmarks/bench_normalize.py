"""Benchmark: normalise generator records (all fields) with ``normalize_frame``.

Data generation is not timed: a child process writes the records to a temporary pickle and
this process only reads and normalises them, so ``peak_rss_mb`` is the normaliser's (plus its
input frame); ``peak_rss_workers_mb`` is the largest peak of the child processes the
normaliser starts (forked: pages shared with this process count in both). A naive per-row
baseline (the scalar normalisers called row by row) runs on a sample and is extrapolated, to
show what the vectorised path buys.

Usage:
    python benchmarks/bench_normalize.py --records 1000000 [--seed 0] [--naive-sample 50000]

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from _harness import base_record, emit, log, peak_rss_children_mb, peak_rss_mb


def _write_records(n_records: int, seed: int, difficulty: str,
                   path: str) -> subprocess.Popen[bytes]:
    """Generate the records in a child process that writes ``path`` and prints ``done``.

    The child is returned unreaped (call ``wait()`` later): until then its memory does not
    count in this process's children's peak RSS, which is meant for the normaliser's
    workers.
    """
    code = (
        "import sys, pandas as pd\n"
        "from custmatch.datasets.generator import generate_customers, n_entities_for_records\n"
        "records, _ = generate_customers(n_entities_for_records(int(sys.argv[1])),"
        " seed=int(sys.argv[2]), difficulty=sys.argv[3])\n"
        "records.to_pickle(sys.argv[4])\n"
        "print('done', flush=True)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(n_records), str(seed), difficulty, path],
        stdout=subprocess.PIPE)
    assert child.stdout is not None
    if child.stdout.readline().strip() != b"done":
        raise subprocess.CalledProcessError(child.wait(), "generate_customers")
    return child


def naive_per_row(records: pd.DataFrame) -> float:
    """Seconds to normalise ``records`` by calling the scalar functions row by row."""
    from custmatch.normalize.address import parse_address
    from custmatch.normalize.city import normalize_city
    from custmatch.normalize.codes import normalize_gender
    from custmatch.normalize.dates import parse_date
    from custmatch.normalize.email import email_key, normalize_email
    from custmatch.normalize.housenumber import parse_house_number
    from custmatch.normalize.names import name_from_parts, parse_name
    from custmatch.normalize.phone import normalize_phone, phone_kind
    from custmatch.normalize.postcode import normalize_postcode
    from custmatch.normalize.street import normalize_street

    start = time.perf_counter()
    for row in records.itertuples(index=False):
        if isinstance(row.full_name, str):
            parse_name(row.full_name)
        else:
            name_from_parts(row.first_name, row.initials, row.prefix, row.surname)
        if isinstance(row.address, str):
            parse_address(row.address)
        normalize_street(row.street)
        parse_house_number(row.house_number)
        normalize_postcode(row.postcode)
        normalize_city(row.city)
        for phone in (row.phone, row.mobile):
            normalize_phone(phone)
            phone_kind(phone)
        normalize_email(row.email)
        email_key(row.email)
        parse_date(row.birth_date)
        normalize_gender(row.gender)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--difficulty", default="medium")
    parser.add_argument("--naive-sample", type=int, default=50_000)
    args = parser.parse_args()

    from custmatch.normalize import normalize_frame, quality_report

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "records.pkl")
        log(f"generating {args.records:,} records (not timed)")
        generator = _write_records(args.records, args.seed, args.difficulty, path)
        records = pd.read_pickle(path)
    log(f"normalising {len(records):,} records")
    start = time.perf_counter()
    normalized = normalize_frame(records)
    seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    peak_workers = peak_rss_children_mb()  # the normaliser's child processes
    generator.wait()
    report = quality_report(normalized)

    sample = records.sample(min(args.naive_sample, len(records)), random_state=args.seed)
    log(f"naive per-row baseline on {len(sample):,} rows")
    naive = naive_per_row(sample)
    naive_full = naive * len(records) / max(len(sample), 1)

    result = base_record("normalize")
    result.update({
        "dataset": f"generator-{args.difficulty}",
        "seed": args.seed,
        "records": len(records),
        "seconds": round(seconds, 3),
        "records_per_second": round(len(records) / seconds) if seconds else None,
        "peak_rss_mb": peak,
        "peak_rss_workers_mb": peak_workers,
        "naive_sample": len(sample),
        "naive_seconds": round(naive, 3),
        "naive_extrapolated_seconds": round(naive_full, 1),
        "speedup_vs_naive": round(naive_full / seconds, 1) if seconds else None,
        "quality": {row.field: {"filled": row.filled, "invalid": row.invalid,
                                "repaired": row.repaired, "unusable": row.unusable}
                    for row in report.itertuples()},
    })
    emit(result)


if __name__ == "__main__":
    main()
