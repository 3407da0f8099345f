"""Benchmark: end to end, raw CSV exports -> clusters / golden records written, per tool.

Datasets: generator data (medium and hard) at the ``--sizes`` given, FEBRL3 (dedupe) and
FEBRL4 (two files to link). Tools, each in its own process on the same CSV files:

* ``custmatch``: ``read_records`` -> ``deduplicate`` (``link`` for several files) with the
  defaults -> ``write_outputs`` (clusters, golden records, lineage, pairs, model, settings,
  report.html; Parquet).
* ``splink`` (DuckDB): read CSV -> generic pandas cleaning (lower case, first/last token of
  a full name, postcode without spaces, phone digits, ISO dates: what a user without Dutch
  parsing writes) -> u by random sampling, prior from deterministic rules, EM per training
  rule -> predict -> clusters at 0.9 -> clusters CSV written.
* ``recordlinkage``: the same cleaning -> union of ``Block`` indexes -> ``Compare``
  (Jaro-Winkler names, exact others) -> ``ECMClassifier`` -> connected components -> CSV.
  Run up to ``--rl-max`` records (its MultiIndex and per-pair features do not scale to 1M
  on this machine).

The clock runs from reading the CSV to the last output file written; metrics are computed
afterwards (not timed) against the truth. Printed per tool and dataset, one JSON line:
seconds, peak RSS, candidate pairs, pair completeness, precision, recall, pairwise F1,
clusters, and for peers the time ratio and F1 difference against custmatch in the same run.

Usage:
    python benchmarks/e2e.py [--sizes 10000,100000,1000000] [--difficulties medium,hard]
                             [--no-febrl] [--tools custmatch,splink,recordlinkage]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from _harness import base_record, emit, log, peak_rss_children_mb, peak_rss_mb

SPLINK_THRESHOLD = 0.9
TOOLS = ("custmatch", "splink", "recordlinkage")


# ---------------------------------------------------------------------- datasets
def prepare(dataset: str, folder: Path) -> None:
    """Write ``input/*.csv`` and ``truth.csv`` for one dataset into ``folder``."""
    inputs = folder / "input"
    inputs.mkdir(parents=True)
    if dataset.startswith("febrl"):
        from custmatch.datasets import load_febrl

        records, truth = load_febrl(int(dataset[-1]))
        if dataset == "febrl4":
            for name, part in records.groupby("source"):
                part.drop(columns=["source"]).to_csv(inputs / f"{name}.csv", index=False)
        else:
            records.to_csv(inputs / "records.csv", index=False)
    else:
        from custmatch.datasets.generator import generate_customers, n_entities_for_records

        _, difficulty, size = dataset.split("-")
        records, truth = generate_customers(n_entities_for_records(int(size)), seed=0,
                                            difficulty=difficulty)
        records.to_csv(inputs / "records.csv", index=False)
    truth[["record_id", "entity_id"]].to_csv(folder / "truth.csv", index=False)


def _truth(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "truth.csv", dtype=str)


def _inputs(folder: Path) -> list[Path]:
    return sorted((folder / "input").glob("*.csv"))


def _scores(clusters: pd.DataFrame, truth: pd.DataFrame, left: np.ndarray, right: np.ndarray,
            record_ids: np.ndarray) -> dict:
    """Pairwise metrics of the clusters and pair completeness of the candidate pairs."""
    from custmatch.evaluate import evaluate_clusters, evaluate_pairs, truth_labels

    m = evaluate_clusters(clusters[["record_id", "cluster_id"]], truth)
    labels = truth_labels(truth, record_ids)
    pc = evaluate_pairs(left, right, labels)
    return {"candidate_pairs": pc.n_pairs, "pair_completeness": round(pc.pair_completeness, 4),
            "precision": round(m.precision, 4), "recall": round(m.recall, 4),
            "f1": round(m.f1, 4), "bcubed_f1": round(m.bcubed_f1, 4),
            "clusters": m.n_clusters, "entities": m.n_entities}


# ---------------------------------------------------------------------- custmatch
def run_custmatch(folder: Path, out: Path) -> dict:
    import custmatch
    from custmatch.files import read_records, write_outputs

    start = time.perf_counter()
    paths = _inputs(folder)
    frames = {p.stem: read_records(p) for p in paths}
    read = time.perf_counter()
    if len(frames) == 1:
        result = custmatch.deduplicate(next(iter(frames.values())), progress=False)
    else:
        result = custmatch.link(frames, progress=False)
    written = time.perf_counter()
    write_outputs(result, out, fmt="parquet")
    seconds = time.perf_counter() - start
    stages = {"read": round(read - start, 2), **{k: round(v, 2) for k, v in
                                                 result.timings.items()},
              "write": round(time.perf_counter() - written, 2)}
    return {"seconds": round(seconds, 2), "stages": stages, "golden_records": len(result.golden),
            **_scores(result.clusters, _truth(folder), result.pairs["left"].to_numpy(),
                      result.pairs["right"].to_numpy(),
                      result.records["record_id"].to_numpy())}


# ---------------------------------------------------------------------- generic cleaning
def _first(*series: pd.Series) -> pd.Series:
    out = series[0]
    for s in series[1:]:
        out = out.where(out.notna(), s)
    return out


def generic_clean(raw: pd.DataFrame) -> pd.DataFrame:
    """What a careful user without Dutch parsing does in pandas before Splink/recordlinkage."""
    def col(name: str) -> pd.Series:
        if name in raw.columns:
            return raw[name].astype("string").str.strip().str.lower().replace("", pd.NA)
        return pd.Series(pd.NA, index=raw.index, dtype="string")

    tokens = col("full_name").str.replace(r"[^\w\s-]", " ", regex=True).str.split()
    first_token = tokens.str[0]
    last_token = tokens.str[-1]
    address = col("address")
    out = pd.DataFrame({"record_id": raw["record_id"].astype(str)})
    out["first_name"] = _first(col("first_name"), first_token)
    out["surname"] = _first(col("surname"), last_token)
    postcode = col("postcode").str.upper().str.replace(r"[^0-9A-Z]", "", regex=True)
    found = address.str.extract(r"(\d{4})\s*([a-z]{2})\b")
    out["postcode"] = _first(postcode, (found[0] + found[1]).str.upper())
    number = col("house_number").str.extract(r"(\d+)", expand=False)
    out["house_number"] = _first(number, address.str.extract(r"\s(\d+)", expand=False))
    phone = _first(col("mobile"), col("phone")).str.replace(r"\D", "", regex=True).str[-9:]
    out["phone"] = phone.where(phone.str.len() == 9)
    out["email"] = col("email")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dates = pd.to_datetime(col("birth_date"), format="mixed", dayfirst=True,
                               errors="coerce")
    out["birth_date"] = dates.dt.strftime("%Y-%m-%d").astype("string")
    out["city"] = col("city")
    out["street"] = col("street")
    out["soc_sec_id"] = col("soc_sec_id")
    for c in out.columns:
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


def _read_clean(folder: Path) -> tuple[pd.DataFrame, int | None]:
    parts = [pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""])
             for p in _inputs(folder)]
    n_a = len(parts[0]) if len(parts) == 2 else None
    return generic_clean(pd.concat(parts, ignore_index=True)), n_a


# ---------------------------------------------------------------------- splink
def _splink_settings(febrl: bool, link_mode: bool):
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    if febrl:
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
        comparisons = [cl.JaroWinklerAtThresholds("first_name", [0.92, 0.8]),
                       cl.JaroWinklerAtThresholds("surname", [0.92, 0.8]),
                       cl.DateOfBirthComparison("birth_date", input_is_string=True),
                       cl.ExactMatch("postcode"), cl.ExactMatch("house_number"),
                       cl.ExactMatch("phone"), cl.EmailComparison("email")]
        rules = [block_on("postcode", "house_number"), block_on("email"), block_on("phone"),
                 block_on("surname", "birth_date"), block_on("birth_date", "first_name"),
                 block_on("surname", "city")]
        training = [block_on("birth_date", "first_name"), block_on("email"),
                    block_on("surname", "postcode")]
        deterministic = [block_on("email", "birth_date"), block_on("phone", "first_name")]
    settings = SettingsCreator(link_type="link_only" if link_mode else "dedupe_only",
                               blocking_rules_to_generate_predictions=rules,
                               comparisons=comparisons)
    return settings, training, deterministic


def run_splink(folder: Path, out: Path) -> dict:
    from splink import DuckDBAPI, Linker

    start = time.perf_counter()
    frame, n_a = _read_clean(folder)
    frame.insert(0, "unique_id", frame["record_id"])
    febrl = folder.name.startswith("febrl")
    keep = ["unique_id", "first_name", "surname", "birth_date", "postcode", "house_number",
            "city", *(["soc_sec_id", "street"] if febrl else ["phone", "email"])]
    settings, training, deterministic = _splink_settings(febrl, n_a is not None)
    db = DuckDBAPI()
    if n_a is not None:
        tables = [db.register(frame[keep].iloc[:n_a]), db.register(frame[keep].iloc[n_a:])]
        linker = Linker(tables, settings)
    else:
        linker = Linker(db.register(frame[keep]), settings)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=0)
    for rule in training:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict()
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=SPLINK_THRESHOLD).as_pandas_dataframe()
    out.mkdir(parents=True, exist_ok=True)
    clusters = pd.DataFrame({"record_id": clustered["unique_id"].astype(str),
                             "cluster_id": clustered["cluster_id"].astype(str)})
    clusters.to_csv(out / "clusters.csv", index=False)
    seconds = time.perf_counter() - start
    # only the two id columns: every scored pair with all its columns as pandas does not
    # fit in memory at 1M records (it is metrics, after the clock, not Splink's run)
    pairs = predictions.as_duckdbpyrelation().select("unique_id_l, unique_id_r").df()
    position = pd.Index(frame["record_id"])
    left = position.get_indexer(pairs["unique_id_l"].astype(str))
    right = position.get_indexer(pairs["unique_id_r"].astype(str))
    return {"seconds": round(seconds, 2),
            **_scores(clusters, _truth(folder), left, right, frame["record_id"].to_numpy())}


# ---------------------------------------------------------------------- recordlinkage
def run_recordlinkage(folder: Path, out: Path) -> dict:
    import recordlinkage as rl

    from custmatch.cluster import connected_components

    start = time.perf_counter()
    frame, n_a = _read_clean(folder)
    febrl = folder.name.startswith("febrl")
    blocks = ([["postcode"], ["birth_date"], ["surname"], ["soc_sec_id"]] if febrl else
              [["postcode", "house_number"], ["email"], ["phone"], ["surname", "birth_date"],
               ["birth_date", "first_name"], ["surname", "city"]])
    indexes = []
    data = frame.reset_index(drop=True)
    for on in blocks:
        indexer = rl.Index()
        indexer.block(on)
        if n_a is None:
            indexes.append(indexer.index(data))
        else:
            pairs = indexer.index(data.iloc[:n_a], data.iloc[n_a:])
            indexes.append(pd.MultiIndex.from_arrays(
                [pairs.get_level_values(0), pairs.get_level_values(1)]))
    candidates = indexes[0]
    for more in indexes[1:]:
        candidates = candidates.union(more)
    compare = rl.Compare()
    compare.string("first_name", "first_name", method="jarowinkler", threshold=0.85,
                   label="first_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    others = (["birth_date", "soc_sec_id", "postcode", "house_number", "street", "city"]
              if febrl else ["birth_date", "postcode", "house_number", "phone", "email"])
    for c in others:
        compare.exact(c, c, label=c)
    features = (compare.compute(candidates, data) if n_a is None else
                compare.compute(candidates, data.iloc[:n_a], data.iloc[n_a:]))
    ecm = rl.ECMClassifier(binarize=None)
    matches = ecm.fit_predict(features.fillna(0).astype(np.int8))
    left = np.asarray(matches.get_level_values(0), dtype=np.int64)
    right = np.asarray(matches.get_level_values(1), dtype=np.int64)
    labels = connected_components(len(data), left, right)
    clusters = pd.DataFrame({"record_id": data["record_id"], "cluster_id": labels.astype(str)})
    out.mkdir(parents=True, exist_ok=True)
    clusters.to_csv(out / "clusters.csv", index=False)
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 2),
            **_scores(clusters, _truth(folder),
                      np.asarray(candidates.get_level_values(0), dtype=np.int64),
                      np.asarray(candidates.get_level_values(1), dtype=np.int64),
                      data["record_id"].to_numpy())}


RUNNERS = {"custmatch": run_custmatch, "splink": run_splink,
           "recordlinkage": run_recordlinkage}


# ---------------------------------------------------------------------- driver
def child(tool: str, folder: Path) -> None:
    warnings.simplefilter("ignore")
    out = Path(tempfile.mkdtemp(prefix=f"e2e-{tool}-"))
    try:
        info = RUNNERS[tool](folder, out / "out")
    except ImportError as exc:
        print(json.dumps({"skipped": f"not installed: {exc.name}"}))
        return
    finally:
        shutil.rmtree(out, ignore_errors=True)
    info["peak_rss_mb"] = peak_rss_mb()
    info["peak_rss_workers_mb"] = peak_rss_children_mb()
    print(json.dumps(info))


def _run_child(tool: str, folder: Path, timeout: float) -> dict:
    try:
        done = subprocess.run([sys.executable, __file__, "--child", tool, "--data", str(folder)],
                              capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if done.returncode < 0:  # e.g. -9: the kernel's out-of-memory killer
        return {"error": f"killed by signal {-done.returncode}",
                "stderr": done.stderr.strip().splitlines()[-3:]}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-3:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--difficulties", default="medium,hard")
    parser.add_argument("--no-febrl", action="store_true")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--rl-max", type=int, default=100_000,
                        help="largest dataset recordlinkage runs on")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--child", choices=TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data)
        return
    datasets = [] if args.no_febrl else ["febrl3", "febrl4"]
    datasets += [f"generator-{d}-{int(s)}" for s in args.sizes.split(",") if s
                 for d in args.difficulties.split(",") if d]
    tools = [t for t in args.tools.split(",") if t]
    with tempfile.TemporaryDirectory(prefix="custmatch-e2e-") as tmp:
        for dataset in datasets:
            folder = Path(tmp) / dataset
            log(f"{dataset}: writing the CSV files ...")
            prepare(dataset, folder)
            n_records = len(_truth(folder))
            results = {}
            for tool in tools:
                if tool == "recordlinkage" and n_records > args.rl_max:
                    results[tool] = {"skipped": f"more than --rl-max={args.rl_max} records"}
                    continue
                log(f"  {tool} ...")
                results[tool] = _run_child(tool, folder, args.timeout)
            base = results.get("custmatch", {})
            for tool, res in results.items():
                if tool != "custmatch" and res.get("seconds") and base.get("seconds"):
                    res["time_ratio_vs_custmatch"] = round(res["seconds"] / base["seconds"], 2)
                    res["f1_minus_custmatch"] = round(res["f1"] - base["f1"], 4)
                emit({**base_record("e2e"), "dataset": dataset, "records": n_records,
                      "tool": tool, **res})
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
