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

import numpy as np
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
    columns = [c for c in ("field", "value", "record_id", "source", "rule")
               if c in lineage.columns]
    # each golden id's lineage rows, in lineage order (what a stable sort by golden id
    # keeps within a group); every distinct value made plain once
    codes, keys = pd.factorize(lineage["golden_id"].to_numpy(dtype=object).astype(str))
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(keys) + 1)).tolist()
    rows = list(zip(*(_plain_column(lineage[c])[order].tolist() for c in columns),
                    strict=True))
    grouped = {str(key): rows[bounds[g]:bounds[g + 1]] for g, key in enumerate(keys)}
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
    # the frame's rows are the records in this order: their clusters by position
    cluster_ids = np.empty(len(rows), dtype=object)
    cluster_ids[:] = [r[2] for r in rows]
    clusters = pd.Series(cluster_ids, index=frame.index, dtype=object)
    result = golden_records(frame, clusters, index.survivorship)
    store_golden(index, result.golden, result.lineage)


def _plain_column(column: pd.Series) -> np.ndarray:
    """The column's cells as :func:`~custmatch.index.store._plain` writes them (JSON
    values); a categorical column's categories are made plain once."""
    plain = store._plain
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.array.codes
        categories = column.array.categories.to_numpy(dtype=object)
        values = np.empty(len(categories) + 1, dtype=object)
        values[:-1] = [plain(v) for v in categories]
        values[-1] = None
        return values[codes]
    out = np.empty(len(column), dtype=object)
    out[:] = [v if type(v) is str else plain(v) for v in column.to_numpy(dtype=object)]
    return out
