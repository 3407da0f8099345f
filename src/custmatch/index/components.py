"""Clustering a link component of a match index again, as the batch does.

When a record links into several clusters, conflicts with a member of the cluster it links
to, changes or leaves, the index takes the *link component* around it (:func:`closure`:
its clusters, the records linked to them at or above the threshold, their clusters, ...),
makes the candidate pairs among those records that the batch would make (shared blocking
keys in blocks within the caps, :func:`component_pairs`), scores them and runs
:func:`custmatch.cluster_pairs` on them with the current membership as ``previous``
(:func:`recluster`): the chaining guard, the review band and the stable ids are the batch's.

Example:
    >>> closure.__doc__.split(":")[0]
    'The link component around ``rids``'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from custmatch.cluster import cluster_pairs
from custmatch.index import store
from custmatch.index.scoring import count_values, score_pairs

if TYPE_CHECKING:
    from custmatch.index.core import MatchIndex

__all__ = ["closure", "component_pairs", "recluster"]


def closure(index: MatchIndex, rids: set[int]) -> set[int]:
    """The link component around ``rids``: their clusters, the records linked to them
    (probability >= threshold), their clusters, and so on."""
    members = set(rids)
    seen_golden: set[str] = set()
    frontier = set(rids)
    while frontier:
        part = sorted(frontier)
        found: set[int] = set()
        for chunk in store.chunks(part):
            marks = ",".join("?" * len(chunk))
            goldens = {g for (g,) in index._con.execute(
                f"SELECT golden_id FROM records WHERE rid IN ({marks})", tuple(chunk))
                if g and g not in seen_golden}
            seen_golden |= goldens
            for golden_id in sorted(goldens):
                found.update(r for (r,) in index._con.execute(
                    "SELECT rid FROM records WHERE golden_id=?", (golden_id,)))
            found.update(b for (b,) in index._con.execute(
                f"SELECT b FROM edges WHERE a IN ({marks}) AND probability >= ?",
                (*chunk, index.settings.threshold)))
        frontier = found - members
        members |= found
    return members


def component_pairs(index: MatchIndex, rows: list[tuple]) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs among a component's records (shared keys in blocks within the
    caps), as positions into ``rows``."""
    entries = [(k, i) for i, row in enumerate(rows)
               for k in np.frombuffer(row[4], dtype=np.int64).tolist()]
    table = pd.DataFrame(entries, columns=["key", "pos"])
    shared = table[table.duplicated("key", keep=False)]
    pairs: set[tuple[int, int]] = set()
    for key, group in shared.groupby("key", sort=True):
        cap = index.caps[int(key) & 0xFF]
        size = index._con.execute("SELECT COUNT(*) FROM (SELECT 1 FROM keys WHERE key=? "
                                 "LIMIT ?)", (int(key), cap + 1)).fetchone()[0]
        if size > cap:
            continue
        members = sorted(set(group["pos"].tolist()))
        pairs.update((a, b) for j, a in enumerate(members) for b in members[j + 1:])
    ordered = sorted(pairs)
    left = np.array([p[0] for p in ordered], dtype=np.int64)
    right = np.array([p[1] for p in ordered], dtype=np.int64)
    return left, right


def recluster(index: MatchIndex, rids: set[int], before: dict[str, dict[str, Any]],
              record_id: str | None, moved: bool = False) -> dict[str, Any]:
    """Cluster the link component around ``rids`` again with ``cluster_pairs``; store
    the new membership and edges; return the record's golden id, event, retired ids
    and the golden ids to recompute."""
    component = closure(index, rids)
    rows = index._rows(component)
    frame = store.decode_rows([r[3] for r in rows], index.score_schema)
    left, right = component_pairs(index, rows)
    tf = count_values(index._con, index.model, frame)
    scored = score_pairs(index.model, frame, left, right, tf) if len(left) else \
        pd.DataFrame({"left": left, "right": right,
                      "match_probability": np.zeros(0), "match_weight": np.zeros(0)})
    previous = pd.DataFrame({"record_id": [r[1] for r in rows if r[2]],
                             "golden_id": [r[2] for r in rows if r[2]]})
    index._remember(previous["golden_id"], before)
    clustered = cluster_pairs(frame, scored, threshold=index.settings.threshold,
                              review_threshold=index.settings.review_threshold,
                              conflict_below=index.settings.conflict_below,
                              previous=previous if len(previous) else None,
                              households=False)
    assigned = clustered.assignments["cluster_id"].astype(str).tolist()
    old_ids = set(previous["golden_id"])
    renamed: dict[str, str] = {}
    for golden_id in dict.fromkeys(assigned):
        if golden_id in old_ids:
            continue
        clash = index._con.execute("SELECT 1 FROM golden WHERE golden_id=?",
                                  (golden_id,)).fetchone()
        if clash:
            smallest = min(r[1] for r, g in zip(rows, assigned, strict=True)
                           if g == golden_id)
            renamed[golden_id] = index._fresh_id(smallest, [golden_id, *old_ids])
    assigned = [renamed.get(g, g) for g in assigned]
    for row, golden_id in zip(rows, assigned, strict=True):
        if row[2] != golden_id:
            index._set_golden(row[0], golden_id)
    rid_list = [r[0] for r in rows]
    for a in rid_list:  # edges inside the component are replaced by the new scores
        for chunk in store.chunks(rid_list):
            marks = ",".join("?" * len(chunk))
            index._con.execute(f"DELETE FROM edges WHERE a=? AND b IN ({marks})",
                              (a, *chunk))
    if len(scored):
        prob = scored["match_probability"].to_numpy()
        weight = scored["match_weight"].to_numpy()
        keep = np.flatnonzero(prob >= index.settings.review_threshold)
        lpos, rpos = scored["left"].to_numpy(), scored["right"].to_numpy()
        index._con.executemany("INSERT OR REPLACE INTO edges VALUES (?, ?, ?, ?)", [
            edge for i in keep.tolist() for edge in (
                (rid_list[lpos[i]], rid_list[rpos[i]], float(prob[i]), float(weight[i])),
                (rid_list[rpos[i]], rid_list[lpos[i]], float(prob[i]), float(weight[i])))])
    now_ids = set(assigned)
    retired = tuple(sorted(old_ids - now_ids))
    # what happened: per previous cluster, into how many clusters its records went
    spread: dict[str, set[str]] = {}
    for row, golden_id in zip(rows, assigned, strict=True):
        if row[2] and not (moved and row[1] == record_id):
            spread.setdefault(row[2], set()).add(golden_id)
    split = any(len(v) > 1 for v in spread.values())
    golden_id = None
    event = "split" if split else "unchanged"
    if record_id is not None:
        own = next(i for i, r in enumerate(rows) if r[1] == record_id)
        golden_id = assigned[own]
        own_previous = rows[own][2]
        members = {r[1] for r, g in zip(rows, assigned, strict=True) if g == golden_id}
        came_from = {r[2] for r, g in zip(rows, assigned, strict=True)
                     if g == golden_id and r[2] and r[1] != record_id}
        if split:
            event = "split"
        elif len(came_from) >= 2:
            event = "merged"
        elif len(came_from) == 1:
            (previous_id,) = came_from
            was = {r[1] for r in rows if r[2] == previous_id}
            event = "unchanged" if moved and own_previous == previous_id == golden_id \
                and members == was else "attached"
        else:
            event = "unchanged" if moved and own_previous == golden_id else "new"
    return {"golden_id": golden_id, "event": event, "retired": retired,
            "dirty": now_ids | set(retired)}
