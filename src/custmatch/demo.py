"""The ``custmatch demo`` job: the whole pipeline on the bundled example, evaluated.

Shows what the example holds (sources, records per customer, hard negatives), runs
:func:`custmatch.deduplicate` with its defaults, scores it against the example's truth next
to naive exact-key matchers, shows the worst remaining false merge, and writes the run's
files with ``report.html``.

Example:
    >>> text = run_demo(None)
    >>> "pairwise F1" in text
    True
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from custmatch.datasets import load_example
from custmatch.evaluate import evaluate_clusters, false_merges

if TYPE_CHECKING:  # pragma: no cover
    from custmatch.pipeline import Result

__all__ = ["naive_key_clusters", "run_demo"]


def naive_key_clusters(records: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    """Cluster records that share a non-null ``key``; a record without a key stays alone.

    Example:
        >>> import pandas as pd
        >>> recs = pd.DataFrame({"record_id": ["a", "b", "c"]})
        >>> naive_key_clusters(recs, pd.Series(["x", "x", None]))["cluster_id"].tolist()
        ['k:x', 'k:x', 'r:c']
    """
    ids = records["record_id"].astype(str).to_numpy()
    key = pd.Series(key.to_numpy(dtype=object), index=range(len(ids)))
    cluster = ("k:" + key.astype(str)).where(key.notna(), "r:" + pd.Series(ids))
    return pd.DataFrame({"record_id": ids, "cluster_id": cluster.to_numpy()})


def _email_key(records: pd.DataFrame) -> pd.Series:
    return records["email"].str.strip().str.lower()


def _address_key(records: pd.DataFrame) -> pd.Series:
    postcode = records["postcode"].str.upper().str.replace(r"[^0-9A-Z]", "", regex=True)
    number = records["house_number"].str.extract(r"(\d+)", expand=False)
    key = postcode + "|" + number
    return key.where(postcode.str.fullmatch(r"[1-9]\d{3}[A-Z]{2}", na=False))


def _table(counts: pd.Series) -> str:
    return ", ".join(f"{k}: {v}" for k, v in counts.items())


def _example_lines(records: pd.DataFrame, truth: pd.DataFrame) -> list[str]:
    lines = [
        "custmatch demo: the bundled example",
        f"  records: {len(records):,} from sources {_table(records['source'].value_counts())}",
        f"  real customers: {truth['entity_id'].nunique():,}",
    ]
    sizes = truth.groupby("entity_id").size().value_counts().sort_index()
    lines.append(f"  records per customer: {_table(sizes)}")
    relations = truth.drop_duplicates("entity_id")["relation"].value_counts()
    lines.append(f"  hard-negative groups (entities): {_table(relations)}")
    return lines


def _baseline_lines(records: pd.DataFrame, truth: pd.DataFrame) -> list[str]:
    lines = ["", "naive exact-key matchers, for comparison (pairwise precision / recall / F1):"]
    baselines = {
        "same e-mail (lower-cased)": _email_key(records),
        "same postcode + house number": _address_key(records),
    }
    for name, key in baselines.items():
        m = evaluate_clusters(naive_key_clusters(records, key), truth)
        lines.append(f"  {name:<30} P={m.precision:.3f}  R={m.recall:.3f}  F1={m.f1:.3f}")
    return lines


def _worst_merge_lines(result: Result, truth: pd.DataFrame) -> list[str]:
    worst = false_merges(result.clusters[["record_id", "cluster_id"]], truth, result.records,
                         top=1)
    if not len(worst):
        return ["", "no false merges against the truth"]
    show = [c for c in ("entity_id", "source", "first_name", "initials", "prefix", "surname",
                        "postcode", "house_number", "birth_date", "phone") if c in worst.columns]
    shown = worst[show].astype(object)
    text = shown.where(shown.notna(), "").to_string(index=False)
    lines = ["", "the worst remaining false merge (see report.html for all doubtful cases):"]
    lines.extend("  " + re.sub(r"\s+$", "", row) for row in text.splitlines())
    return lines


def run_demo(output: str | Path | None = "custmatch-demo", *, progress: bool = False) -> str:
    """Run the whole pipeline on the bundled example; return the report text.

    Args:
        output: folder for the run's files (clusters, golden records, lineage, pairs,
            model, settings, report.html, metrics.json, and the example's records.csv and
            truth.csv); None writes nothing.
        progress: show a progress bar over the stages.
    """
    from custmatch.files import write_outputs
    from custmatch.pipeline import deduplicate

    records, truth = load_example()
    lines = _example_lines(records, truth)
    result = deduplicate(records, progress=progress)
    m = result.metrics(truth)
    lines += ["", "custmatch (defaults, no labels):", *("  " + row for row in
                                                     result.summary().splitlines())]
    lines.append(f"  against the truth: precision {m['precision']:.3f}, recall {m['recall']:.3f},"
                 f" pairwise F1 {m['f1']:.3f} (B-cubed F1 {m['bcubed_f1']:.3f}); blocking pair "
                 f"completeness {m['pair_completeness']:.3f}")
    lines += _baseline_lines(records, truth)
    lines += _worst_merge_lines(result, truth)
    if output is not None:
        paths = write_outputs(result, output, truth=truth, extra={
            "records.csv": lambda p: records.to_csv(p, index=False),
            "truth.csv": lambda p: truth.to_csv(p, index=False)})
        lines += ["", f"wrote {', '.join(p.name for p in paths.values())} to {Path(output)}",
                  f"open {paths['report']} in a browser for the report"]
    return "\n".join(lines)
