"""Benchmark: clustering scored pairs (custmatch.cluster).

Synthetic data shaped like a scored candidate-pair set, built with numpy in a second or two
(not timed): ``--records`` records (default 1M) of ~600k people living at ~400k addresses
(household columns: postcode, house number, addition, surname keys, landline), and
``--pairs`` scored pairs (default 5M):

* every record of a person paired with the person's first record: probability 0.96-1.0
  (5% in the review band 0.5-0.95);
* every record paired with the first record at its address when they are different people
  (household pairs): mostly below 0.01 (conflicts), some in between, 5% in the review
  band, 1% wrongly above the threshold (these chain households; the guard must split them);
* the rest random pairs (blocking noise): mostly 0-0.3, 1% in the review band.

Times :func:`custmatch.cluster.connected_components` alone (over the links, and over all
pairs as if every pair were a link: a worst case with one giant component) and the whole
:func:`custmatch.cluster.cluster_pairs` (validation, components, chaining guard, stats,
review queue, households and ids), once without and once with a previous run's membership
(the first run's clusters with 1% of records removed).

Usage:
    python benchmarks/bench_cluster.py [--records 1000000] [--pairs 5000000] [--seed 0]

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from _harness import base_record, emit, log, peak_rss_mb


def _first_of_group(groups: np.ndarray) -> np.ndarray:
    """For each row, the row position of the first row with the same group value."""
    order = np.argsort(groups, kind="stable")
    ordered = groups[order]
    start = np.r_[True, ordered[1:] != ordered[:-1]]
    first = order[np.maximum.accumulate(np.where(start, np.arange(len(order)), 0))]
    out = np.empty(len(groups), dtype=np.int64)
    out[order] = first
    return out


def make_data(n_records: int, n_pairs: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_people = max(int(n_records * 0.6), 1)
    n_addresses = max(int(n_people * 0.67), 1)
    person = np.r_[np.arange(n_people), rng.integers(0, n_people, n_records - n_people)]
    person = person[rng.permutation(n_records)]
    address = rng.integers(0, n_addresses, n_people)[person]
    own_name = rng.random(n_people)[person] < 0.3  # 30% of people do not share the surname
    surname = np.where(own_name, 1_000_000 + person % 80_000, address % 50_000)
    landline = rng.random(n_addresses)[address] < 0.5
    records = pd.DataFrame({
        "record_id": np.char.add("R", rng.permutation(n_records).astype("U8")).astype(object),
        "postcode": np.char.add("PC", (address // 10).astype("U7")).astype(object),
        "house_number": (address % 10 + 1).astype(np.int64),
        "house_number_addition": np.where(address % 7 == 0, "A", None),
        "surname_key": np.char.add("s", surname.astype("U8")).astype(object),
        "partner_surname_key": None,
        "phone": np.where(landline, np.char.add("+3120", address.astype("U8")), None),
        "phone_kind": np.where(landline, "fixed", None),
    })

    rows = np.arange(n_records, dtype=np.int64)
    same_person = _first_of_group(person)
    m = same_person != rows
    match_l, match_r = same_person[m], rows[m]
    match_p = rng.uniform(0.96, 1.0, len(match_l))
    band = rng.random(len(match_l)) < 0.05
    match_p[band] = rng.uniform(0.5, 0.95, band.sum())

    same_address = _first_of_group(address)
    h = person[same_address] != person
    house_l, house_r = same_address[h], rows[h]
    u = rng.random(len(house_l))
    house_p = np.where(u < 0.6, rng.uniform(0, 0.009, len(u)), rng.uniform(0.01, 0.5, len(u)))
    house_p = np.where((u >= 0.94) & (u < 0.99), rng.uniform(0.5, 0.95, len(u)), house_p)
    house_p = np.where(u >= 0.99, rng.uniform(0.95, 0.99, len(u)), house_p)

    n_noise = max(n_pairs - len(match_l) - len(house_l), 0)
    noise_l = rng.integers(0, n_records, n_noise)
    noise_r = rng.integers(0, n_records, n_noise)
    keep = noise_l != noise_r
    noise_l, noise_r = noise_l[keep], noise_r[keep]
    noise_p = rng.uniform(0, 0.3, len(noise_l))
    band = rng.random(len(noise_l)) < 0.01
    noise_p[band] = rng.uniform(0.5, 0.95, band.sum())

    pairs = pd.DataFrame({
        "left": np.r_[match_l, house_l, noise_l],
        "right": np.r_[match_r, house_r, noise_r],
        "match_probability": np.r_[match_p, house_p, noise_p],
    })
    order = rng.permutation(len(pairs))
    return records, pairs.iloc[order].reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--pairs", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from custmatch.cluster import cluster_pairs, connected_components

    out = base_record("cluster")
    log(f"building {args.records:,} records and ~{args.pairs:,} pairs ...")
    start = time.perf_counter()
    records, pairs = make_data(args.records, args.pairs, args.seed)
    out.update(records=len(records), pairs=len(pairs),
               data_s=round(time.perf_counter() - start, 3))

    threshold = 0.95
    link = pairs["match_probability"].to_numpy() >= threshold
    left, right = pairs["left"].to_numpy()[link], pairs["right"].to_numpy()[link]
    log("connected_components ...")
    start = time.perf_counter()
    labels = connected_components(len(records), left, right)
    out["components_s"] = round(time.perf_counter() - start, 3)
    out["links"] = int(link.sum())
    out["components"] = int((labels == np.arange(len(labels))).sum())
    log("connected_components over every pair (worst case: one giant component) ...")
    start = time.perf_counter()
    labels = connected_components(len(records), pairs["left"].to_numpy(),
                                  pairs["right"].to_numpy())
    out["components_all_pairs_s"] = round(time.perf_counter() - start, 3)
    out["components_all_pairs"] = int((labels == np.arange(len(labels))).sum())

    log("cluster_pairs ...")
    start = time.perf_counter()
    result = cluster_pairs(records, pairs, threshold=threshold)
    out["seconds"] = round(time.perf_counter() - start, 3)
    clusters = result.clusters
    out.update(
        clusters=len(result),
        largest_cluster=int(clusters["size"].max()),
        guard_splits=len(result.splits),
        guard_split_clusters=int(clusters["guard_split"].sum()),
        review_pairs=len(result.review),
        households=int(clusters["household_id"].nunique()),
        clusters_in_households=int(clusters["household_id"].notna().sum()),
    )

    previous = result.assignments[["record_id", "cluster_id"]].rename(
        columns={"cluster_id": "golden_id"})
    drop = np.random.default_rng(args.seed + 1).random(len(previous)) < 0.01
    previous = previous[~drop]
    log("cluster_pairs with previous ...")
    start = time.perf_counter()
    again = cluster_pairs(records, pairs, threshold=threshold, previous=previous)
    out["seconds_with_previous"] = round(time.perf_counter() - start, 3)
    out["events"] = again.events["event"].value_counts().sort_index().to_dict()
    same = again.assignments["cluster_id"].to_numpy() == result.assignments["cluster_id"].to_numpy()
    out["records_keeping_cluster_id"] = round(float(same.mean()), 4)
    out["peak_rss_mb"] = peak_rss_mb()
    emit(out)


if __name__ == "__main__":
    main()
