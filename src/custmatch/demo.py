"""The ``custmatch demo`` job: the bundled example, summarised and evaluated.

Until the matching pipeline lands, the demo shows the test bench itself: what the bundled
example holds (sources, entity sizes, hard negatives, corruptions) and how naive exact-key
matchers score on it, with the worst false merge they make, followed by the stages built so
far: normalisation quality per field and the recall of the default blocking rules.

Example:
    >>> text = run_demo()
    >>> "pairwise F1" in text
    True
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from custmatch.datasets import load_example
from custmatch.datasets.io import save_dataset
from custmatch.evaluate import evaluate_clusters, false_merges

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


def _stages(records: pd.DataFrame, truth: pd.DataFrame) -> list[str]:
    """Normalisation quality and blocking recall on the example (the stages built so far)."""
    from custmatch.block import dedupe, default_rules
    from custmatch.evaluate import evaluate_pairs
    from custmatch.normalize import normalize_frame, quality_report

    frame = normalize_frame(records)
    lines = ["", "normalisation (filled / repaired / invalid values per field):"]
    for row in quality_report(frame).itertuples():
        lines.append(f"  {row.field:<13} {row.filled:>5} / {row.repaired:>4} / {row.invalid:>3}")
    pairs = dedupe(frame, default_rules())
    m = evaluate_pairs(pairs.left, pairs.right, truth["entity_id"].to_numpy())
    lines.append("")
    lines.append(f"blocking (default Dutch rules): {m.n_pairs:,} candidate pairs "
                 f"({m.n_pairs / len(frame):.1f} per record), pair completeness "
                 f"{m.pair_completeness:.3f}, reduction ratio {m.reduction_ratio:.4f}")
    return lines


def _table(counts: pd.Series) -> str:
    return ", ".join(f"{k}: {v}" for k, v in counts.items())


def run_demo(output: Path | None = None) -> str:
    """Summarise the bundled example and score naive matchers on it; return the report text.

    Args:
        output: when given, the example's ``records.csv`` and ``truth.csv`` are written there.
    """
    records, truth = load_example()
    lines = [
        "custmatch demo: the bundled example",
        f"  records: {len(records):,} from sources {_table(records['source'].value_counts())}",
        f"  real customers: {truth['entity_id'].nunique():,}",
    ]
    sizes = truth.groupby("entity_id").size().value_counts().sort_index()
    lines.append(f"  records per customer: {_table(sizes)}")
    relations = truth.drop_duplicates("entity_id")["relation"].value_counts()
    lines.append(f"  hard-negative groups (entities): {_table(relations)}")
    kinds = truth["corruptions"].fillna("").str.split(";").explode()
    kinds = kinds[kinds.str.len() > 0].value_counts()
    lines.append(f"  corruptions (records): {_table(kinds)}")
    lines.append("")
    lines.append("naive exact-key matchers (pairwise precision / recall / F1):")
    worst = None
    baselines = {
        "every record alone": pd.Series([None] * len(records), dtype=object),
        "same e-mail (lower-cased)": _email_key(records),
        "same postcode + house number": _address_key(records),
    }
    for name, key in baselines.items():
        clusters = naive_key_clusters(records, key)
        m = evaluate_clusters(clusters, truth)
        lines.append(
            f"  {name:<30} P={m.precision:.3f}  R={m.recall:.3f}  pairwise F1={m.f1:.3f}"
            f"  (B-cubed F1={m.bcubed_f1:.3f})"
        )
        if name.startswith("same postcode"):
            worst = false_merges(clusters, truth, records, top=1)
    if worst is not None and len(worst):
        lines.append("")
        lines.append("worst false merge of the address matcher (a household, not one person):")
        show = [c for c in ("entity_id", "source", "full_name", "first_name", "surname",
                            "birth_date", "phone") if c in worst.columns]
        text = worst[show].fillna("").to_string(index=False)
        lines.extend("  " + re.sub(r"\s+$", "", row) for row in text.splitlines())
    lines.extend(_stages(records, truth))
    if output is not None:
        paths = save_dataset(records, truth, output)
        lines.append("")
        lines.append(f"wrote {paths[0]} and {paths[1]}")
    return "\n".join(lines)
