"""Golden records of a match index: written with their lineage, recomputed per cluster.

Only the clusters a call touched are recomputed, with
:func:`custmatch.survive.golden_records` and the index's survivorship specs, on the records
of those clusters: the golden record of a cluster depends on its own records only, so it
equals what a batch run gives for the same cluster.

Example:
    >>> refresh_golden.__doc__.split(";")[0]
    'Recompute the golden records of ``golden_ids``'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from custmatch.index import store
from custmatch.survive import golden_records

if TYPE_CHECKING:
    from custmatch.index.core import MatchIndex

__all__ = ["refresh_golden", "store_golden"]


def store_golden(index: MatchIndex, golden: pd.DataFrame, lineage: pd.DataFrame) -> None:
    """Write golden records and their lineage (one JSON list per golden record)."""
    data = store.encode_rows(golden)
    ids = golden["golden_id"].astype(str).tolist()
    sizes = golden["n_records"].astype(int).tolist()
    lin = lineage.assign(golden_id=lineage["golden_id"].astype(str)).sort_values(
        "golden_id", kind="stable")
    columns = [c for c in ("field", "value", "record_id", "source", "rule")
               if c in lin.columns]
    values = [lin[c].astype(object).where(lin[c].notna(), None).tolist() for c in columns]
    keys = lin["golden_id"].tolist()
    grouped: dict[str, list] = {}
    for key, *row in zip(keys, *values, strict=True):
        grouped.setdefault(key, []).append([store._plain(v) for v in row])
    index._con.executemany(
        "INSERT OR REPLACE INTO golden VALUES (?, ?, ?, ?)",
        ((g, n, d, store.dumps(grouped.get(g, [])))
         for g, n, d in zip(ids, sizes, data, strict=True)))


def refresh_golden(index: MatchIndex, golden_ids: set[str]) -> None:
    """Recompute the golden records of ``golden_ids``; delete those without records."""
    wanted = sorted(g for g in golden_ids if g)
    rows = index._rows(wanted, golden=True)
    alive = {r[2] for r in rows}
    for golden_id in set(wanted) - alive:
        index._con.execute("DELETE FROM golden WHERE golden_id=?", (golden_id,))
    if not rows:
        return
    frame = store.decode_rows([r[3] for r in rows], index.schema)
    clusters = pd.DataFrame({"record_id": [r[1] for r in rows],
                             "cluster_id": [r[2] for r in rows]})
    result = golden_records(frame, clusters, index.survivorship)
    store_golden(index, result.golden, result.lineage)
