"""AVG (GDPR) requests on a match index: right of access, right to erasure; and the
consistency check that a crashed writer must pass.

* :func:`find_person` returns every source record and golden record of a person (by golden
  id, record id, or a record matched as in :meth:`MatchIndex.match`), and logs the access.
* :func:`forget` deletes all of a person's records, the golden record with its lineage,
  their blocking keys, term-frequency counts, scored pairs and every event that names
  their ids; one tombstone event remains (``op='forget'``, no ids, a count of records).
  ``PRAGMA secure_delete`` overwrites the freed space and the write-ahead log is
  checkpointed, so the values are gone from the file, not only unlinked.

Example:
    >>> import tempfile, pathlib, custmatch
    >>> from custmatch.index import MatchIndex
    >>> records, _ = custmatch.load_example()
    >>> index = MatchIndex.create(pathlib.Path(tempfile.mkdtemp()) / "k.db",
    ...                           custmatch.deduplicate(records, progress=False))
    >>> person = index.find_person(str(records["record_id"].iloc[0]))
    >>> len(person.golden_ids)
    1
    >>> index.forget(person.golden_ids[0]).event
    'forgotten'
    >>> index.find_person(person.golden_ids[0]).golden_ids
    ()
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from custmatch.errors import InputError
from custmatch.index import store
from custmatch.index.decisions import Decision, Person
from custmatch.index.keys import tf_values

if TYPE_CHECKING:
    from custmatch.index.core import MatchIndex

__all__ = ["check", "find_person", "forget"]

_LINEAGE = ["golden_id", "field", "value", "record_id", "source", "rule"]


def _golden_ids(index: MatchIndex, query: str | Mapping[str, Any]) -> list[str]:
    con = index._con
    if isinstance(query, Mapping):
        decision = index.match(query)
        return sorted({m.golden_id for m in decision.matches})
    if not isinstance(query, str) or not query.strip():
        raise InputError(f"find_person needs a golden id, a record id or a record (dict), "
                         f"got {query!r}")
    text = query.strip()
    if con.execute("SELECT 1 FROM golden WHERE golden_id=?", (text,)).fetchone():
        return [text]
    row = con.execute("SELECT golden_id FROM records WHERE record_id=?", (text,)).fetchone()
    return [row[0]] if row else []


def find_person(index: MatchIndex, query: str | Mapping[str, Any]) -> Person:
    """Every record and golden record of the person ``query`` names (see module doc)."""
    from custmatch.index.core import _person_frame

    golden_ids = _golden_ids(index, query)
    rows = index._rows(golden_ids, golden=True)
    golden = [index.golden(g) for g in golden_ids]
    lineage: list[list[Any]] = []
    for golden_id in golden_ids:
        found = index._con.execute("SELECT lineage FROM golden WHERE golden_id=?",
                                   (golden_id,)).fetchone()
        lineage.extend([golden_id, *row] for row in json.loads(found[0]) if found)
    if not index.readonly:
        with index._write():
            for golden_id in golden_ids:
                index._log("access", None, golden_id, "access", {"records": sum(
                    1 for r in rows if r[2] == golden_id)})
    return Person(tuple(golden_ids), pd.DataFrame(golden),
                  _person_frame(rows, index.schema) if rows else pd.DataFrame(),
                  pd.DataFrame(lineage, columns=_LINEAGE))


def forget(index: MatchIndex, golden_id: str) -> Decision:
    """Erase the person of ``golden_id`` (see module doc)."""
    golden_id = str(golden_id)
    con = index._con
    rows = index._rows([golden_id], golden=True)
    if not rows and not con.execute("SELECT 1 FROM golden WHERE golden_id=?",
                                    (golden_id,)).fetchone():
        raise InputError(f"golden id {golden_id!r} is not in the index")
    record_ids = [r[1] for r in rows]
    rids = {r[0] for r in rows}
    with index._write():
        before: dict[str, dict[str, Any]] = {}
        neighbours = index._closure(rids) - rids
        for rid in sorted(rids):
            index._delete_record(rid)
        con.execute("DELETE FROM golden WHERE golden_id=?", (golden_id,))
        for part in store.chunks(record_ids):
            marks = ",".join("?" * len(part))
            con.execute(f"DELETE FROM events WHERE record_id IN ({marks})", tuple(part))
        con.execute("DELETE FROM events WHERE golden_id=?", (golden_id,))
        if neighbours:  # clusters the erased records held apart or together: cluster again
            outcome = index._recluster(neighbours, before, None)
            index._refresh_golden(set(outcome["dirty"]))
        index._log("forget", None, None, "forgotten", {"records": len(rows)})
    with contextlib.suppress(sqlite3.Error):  # a reader holds the log: pages stay zeroed
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Decision("", "forgotten", None, (), (), (golden_id,))


def check(index: MatchIndex) -> list[str]:
    """Consistency problems of the store (see :meth:`MatchIndex.check`)."""
    con = index._con
    problems = [f"integrity: {r[0]}" for r in con.execute("PRAGMA integrity_check")
                if r[0] != "ok"]
    orphans = con.execute("SELECT COUNT(*) FROM records r LEFT JOIN golden g ON "
                          "r.golden_id = g.golden_id WHERE g.golden_id IS NULL").fetchone()[0]
    if orphans:
        problems.append(f"{orphans} record(s) without a golden record")
    sizes = con.execute("SELECT g.golden_id, g.n_records, COUNT(r.rid) FROM golden g LEFT JOIN "
                        "records r ON r.golden_id = g.golden_id GROUP BY g.golden_id "
                        "HAVING g.n_records != COUNT(r.rid) LIMIT 5").fetchall()
    problems.extend(f"golden {g} says {n} record(s), holds {m}" for g, n, m in sizes)
    stored = 0
    for (blob,) in con.execute("SELECT keys FROM records"):
        stored += len(np.frombuffer(blob, dtype=np.int64))
    n_keys = con.execute("SELECT COUNT(*) FROM keys").fetchone()[0]
    if stored != n_keys:
        problems.append(f"{n_keys} key rows for {stored} record keys")
    dangling = con.execute("SELECT COUNT(*) FROM keys k LEFT JOIN records r ON k.rid = r.rid "
                           "WHERE r.rid IS NULL").fetchone()[0]
    if dangling:
        problems.append(f"{dangling} key row(s) of missing records")
    dangling = con.execute("SELECT COUNT(*) FROM edges e LEFT JOIN records r ON e.a = r.rid "
                           "WHERE r.rid IS NULL").fetchone()[0]
    if dangling:
        problems.append(f"{dangling} edge(s) of missing records")
    data = [r[0] for r in con.execute("SELECT data FROM records")]
    if data:
        frame = store.decode_rows(data, index.schema)
        for k, values in enumerate(tf_values(frame, index.model.term_frequencies)):
            total = int(pd.Series(values, dtype=object).notna().sum())
            row = con.execute("SELECT n FROM tf_total WHERE spec=?", (k,)).fetchone()
            if (int(row[0]) if row else 0) != total:
                problems.append(f"term-frequency total {k}: {row[0] if row else 0} stored, "
                                f"{total} counted")
    return problems
