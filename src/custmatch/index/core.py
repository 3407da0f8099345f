"""The incremental match index: a batch run's model, clusters and golden records in one SQLite
file, kept up to date record by record (real-time sync) with the batch rules.

:meth:`MatchIndex.add` normalises a record as :func:`custmatch.normalize.normalize_frame`
does, looks its blocking keys up (the model's rules and block-size caps), scores it against
those candidates with the trained model and then decides, as :func:`custmatch.cluster_pairs`
would on the whole data:

* no link (probability >= threshold): a new cluster;
* links into one cluster and no conflict with its members: the record is attached;
* otherwise (links into several clusters, or a conflict): the link component around the
  record is clustered again with ``cluster_pairs`` (chaining guard and stable ids
  included), which merges or splits clusters.

Only the golden records of the clusters involved are recomputed (with
:func:`custmatch.survive.golden_records`). Every call is one transaction: a killed process
leaves the state of the last committed call.

A call handles its records value by value, without pandas frames (the *record path*):
:mod:`custmatch.index.prepare` normalises them with
:func:`~custmatch.normalize.record.normalize_record` and :mod:`custmatch.index.candidates`
scores them against their candidates' stored rows. Records the record path does not take
(values other than text, more than :data:`~custmatch.index.prepare.RECORD_PATH_MAX` at once)
go through ``normalize_frame``. Both give the same stored rows, keys, scores and decisions;
``_record_path = False`` runs every call through frames (the reference the tests compare
with).

**Order effects** (where record-by-record loading can differ from one batch run on the same
records, measured in ``tests/test_index.py``): term frequencies are those of the records
stored so far; a block that grows past its rule's cap keeps the links made while it was
small (the batch skips the whole block); pairs are scored when the later of two records
arrives, and only link components touched by a new record are clustered again.

Example:
    >>> import tempfile, pathlib, custmatch
    >>> records, _ = custmatch.load_example()
    >>> result = custmatch.deduplicate(records, progress=False)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "customers.db"
    >>> index = MatchIndex.create(path, result)
    >>> len(index) == len(records)
    True
    >>> decision = index.add({"record_id": "web-1", "source": "webshop",
    ...                       "first_name": "Jan", "surname": "Vermeulen",
    ...                       "postcode": "9999 ZZ", "house_number": "1"})
    >>> decision.event
    'new'
    >>> index.close()
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from custmatch.cluster import stable_ids
from custmatch.errors import InputError, ModelError
from custmatch.index import store
from custmatch.index.candidates import candidate_scores
from custmatch.index.decisions import Decision, Match, Person
from custmatch.index.keys import index_rules, record_keys, rule_caps, tf_row_values, tf_values
from custmatch.index.prepare import (
    RECORD_PATH_MAX,
    One,
    frame_records,
    one_from_data,
    one_from_frame,
    prepare_records,
)
from custmatch.index.scoring import count_values, score_arrays
from custmatch.model import MatchModel, PairScores
from custmatch.normalize import normalize_frame
from custmatch.settings import Settings

__all__ = ["MatchIndex"]

_IGNORED_FIELDS = ("golden_id", "n_records")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


class MatchIndex:
    """Real-time matching on the model and rules of a batch run (see the module docstring).

    Create one with :meth:`create` (from a :class:`~custmatch.Result`, or empty with a trained
    model), open it again with :meth:`open`. Writes: :meth:`add`, :meth:`add_many`,
    :meth:`update`, :meth:`remove`, :meth:`forget`. Reads that never write:
    :meth:`candidates`, :meth:`match`, :meth:`golden`, :meth:`clusters`, :meth:`events`.
    """

    #: Records normalised and scored value by value (the record path); False: through
    #: pandas frames, as ``normalize_frame`` and ``MatchModel.predict`` do (the reference
    #: the record path is tested against, same results).
    _record_path: bool = True

    def __init__(self, path: Path, con: sqlite3.Connection, *, readonly: bool) -> None:
        self.path = path
        self._con = con
        self.readonly = readonly
        meta = dict(con.execute("SELECT name, value FROM meta").fetchall())
        if meta.get("format") != store.FORMAT:
            raise InputError(f"{str(path)!r} is not a custmatch match index")
        if int(meta.get("version", -1)) != store.FORMAT_VERSION:
            raise InputError(f"match index version {meta.get('version')} is not supported "
                             f"(this custmatch reads version {store.FORMAT_VERSION})")
        from custmatch.serialize import spec_from_dict

        self.settings = Settings.from_dict(json.loads(meta["settings"]))
        model = self.settings.model
        if model is None:
            raise ModelError("the index holds no model")
        self.model: MatchModel = model
        self.survivorship = [spec_from_dict(s) for s in json.loads(meta["survivorship"])]
        self.schema: dict[str, str] = json.loads(meta["schema"])
        self.rules = index_rules(self.model)
        self.caps = rule_caps(self.model, self.rules)
        needed = _scoring_columns(self.model)
        #: the columns scoring reads: candidates are decoded with these only
        self.score_schema = {c: k for c, k in self.schema.items() if c in needed}
        for rule in self.rules:
            for key in rule.keys:
                needed.update((key.column, *getattr(key, "others", ())))
        #: the cells a record is handled with (scoring, blocking keys, term frequencies)
        self.cell_schema = {c: k for c, k in self.schema.items() if c in needed}

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def create(cls, path: str | Path, result: Any = None, *, model: MatchModel | None = None,
               settings: Settings | None = None,
               survivorship: Sequence[Any] | None = None) -> MatchIndex:
        """A new index file at ``path``.

        Args:
            path: the SQLite file to create (must not exist).
            result: a batch :class:`~custmatch.Result`: its model, settings, normalised
                records, clusters, golden records and lineage are loaded. Without it the
                index starts empty.
            model: a trained model (default: the result's, or ``settings.model``).
            settings: thresholds, region and reference day (default: the result's).
            survivorship: survivorship specs (default: the settings', else the defaults
                fitted to the records' columns).

        Raises:
            InputError: ``path`` exists, or ``result`` is not a Result.
            ModelError: no trained model.
            ConfigError: a blocking rule the index cannot look up (sorted neighbourhood),
                survivorship specs that cannot be saved (user functions).
        """
        from custmatch.pipeline import Result
        from custmatch.serialize import spec_to_dict
        from custmatch.survive import default_rules

        target = store.check_path(path, exists=False)
        if result is not None and not isinstance(result, Result):
            raise InputError(f"result must be a custmatch Result, got {type(result).__name__}")
        base = settings or (result.settings if result is not None else Settings())
        chosen = model or (result.model if result is not None else None) or base.model
        if chosen is None or not (chosen.trained.get("m") and chosen.trained.get("u")):
            raise ModelError("a match index needs a trained model: pass the Result of "
                             "custmatch.deduplicate, or model= a trained MatchModel")
        index_rules(chosen)  # fails early on rules the index cannot use
        records = result.records if result is not None else _empty_records(base)
        specs = list(survivorship if survivorship is not None else
                     base.survivorship if base.survivorship is not None else
                     default_rules(records))
        stored_settings = base.replace(model=chosen)
        stored_settings = replace(stored_settings, survivorship=None,
                                  today=base.today or dt.date.today())
        meta = {"format": store.FORMAT, "version": str(store.FORMAT_VERSION),
                "settings": store.dumps(stored_settings.to_dict()),
                "survivorship": store.dumps([spec_to_dict(s) for s in specs]),
                "schema": store.dumps(store.column_schema(records)),
                "created_at": _now()}
        con = store.connect(target)
        try:
            con.executescript(store.SCHEMA)
            con.execute("BEGIN IMMEDIATE")
            con.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
            index = cls(target, con, readonly=False)
            if result is not None:
                index._load(result)
            index._log("create", None, None, "created", {"records": len(records)})
            con.execute("COMMIT")
        except BaseException:
            con.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            raise
        return index

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False) -> MatchIndex:
        """Open an existing index (``readonly``: a connection that cannot write)."""
        target = store.check_path(path, exists=True)
        try:
            con = store.connect(target, readonly=readonly)
            return cls(target, con, readonly=readonly)
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{str(target)!r} is not a custmatch match index: {exc}") from exc

    def close(self) -> None:
        """Close the connection."""
        self._con.close()

    def __enter__(self) -> MatchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return int(self._con.execute("SELECT COUNT(*) FROM records").fetchone()[0])

    def __repr__(self) -> str:
        n_golden = self._con.execute("SELECT COUNT(*) FROM golden").fetchone()[0]
        return f"MatchIndex({str(self.path)!r}: {len(self):,} records, {n_golden:,} golden)"

    @contextmanager
    def _write(self) -> Iterator[None]:
        if self.readonly:
            raise InputError("this index was opened read-only")
        self._con.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    # ------------------------------------------------------------------ bulk load
    def _load(self, result: Any) -> None:
        """Fill an empty index with a batch result (inside the create transaction)."""
        con = self._con
        frame = result.records.reset_index(drop=True)
        ids = frame["record_id"].astype(str).to_numpy(dtype=object)
        golden_of = dict(zip(result.clusters["record_id"].astype(str),
                             result.clusters["cluster_id"].astype(str), strict=True))
        rows, keys = record_keys(frame, self.rules)
        bounds = np.searchsorted(rows, np.arange(len(frame) + 1))
        data = store.encode_rows(frame, self.schema)
        sources = frame["source"].astype(str).to_numpy(dtype=object)
        con.executemany(
            "INSERT INTO records(rid, record_id, source, golden_id, data, keys) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            ((i + 1, ids[i], sources[i], golden_of[ids[i]], data[i],
              keys[bounds[i]:bounds[i + 1]].tobytes()) for i in range(len(frame))))
        order = np.lexsort((rows, keys))
        con.executemany("INSERT OR IGNORE INTO keys VALUES (?, ?)",
                        zip(keys[order].tolist(), (rows[order] + 1).tolist(), strict=True))
        self._count_tf(frame, +1)
        pairs = result.pairs
        keep = pairs["match_probability"].to_numpy() >= self.settings.review_threshold
        left = pairs["left"].to_numpy(dtype=np.int64)[keep] + 1
        right = pairs["right"].to_numpy(dtype=np.int64)[keep] + 1
        prob = pairs["match_probability"].to_numpy(dtype=np.float64)[keep]
        weight = pairs["match_weight"].to_numpy(dtype=np.float64)[keep]
        # both directions, in key order (a B-tree filled in order: no random page writes);
        # a pair listed twice keeps its later score, as row by row would
        a, b = np.concatenate([left, right]), np.concatenate([right, left])
        order = np.lexsort((b, a))
        con.executemany("INSERT OR REPLACE INTO edges VALUES (?, ?, ?, ?)",
                        zip(a[order].tolist(), b[order].tolist(),
                            np.concatenate([prob, prob])[order].tolist(),
                            np.concatenate([weight, weight])[order].tolist(), strict=True))
        self._store_golden(result.golden, result.lineage)

    # ------------------------------------------------------------------ records in
    def _prepare(self, records: Sequence[Any]) -> tuple[pd.DataFrame, list[str]]:
        """Validated, normalised records by the frame path (a frame in the index schema)
        and their JSON rows."""
        return frame_records(self, records)

    def _ones(self, records: Sequence[Any]) -> list[One]:
        """The records as :class:`~custmatch.index.prepare.One`: by the record path when
        it takes them, else by the frame path (same rows, keys and cells)."""
        if self._record_path and len(records) <= RECORD_PATH_MAX:
            found = prepare_records(self, records)
            if found is not None:
                return found
        frame, data = self._prepare(records)
        if self._record_path:
            return [one_from_data(self, d) for d in data]
        return [one_from_frame(self, frame.iloc[[i]].reset_index(drop=True), d)
                for i, d in enumerate(data)]

    def _as_list(self, records: Any) -> list[Any]:
        if isinstance(records, pd.DataFrame):
            return [{k: v for k, v in row.items()} for row in records.to_dict("records")]
        if isinstance(records, Mapping | pd.Series):
            return [dict(records)]
        if isinstance(records, Iterable) and not isinstance(records, str | bytes):
            return list(records)
        raise InputError(f"records must be a DataFrame or a list of dicts, got "
                         f"{type(records).__name__}")

    # ------------------------------------------------------------------ lookups
    def _rows(self, rids: Iterable[int], *, golden: bool = False) -> list[tuple]:
        """``(rid, record_id, golden_id, data, keys)`` of records by rid (or by golden id)."""
        out: list[tuple] = []
        wanted = list(rids)
        column = "golden_id" if golden else "rid"
        for part in store.chunks(wanted):
            marks = ",".join("?" * len(part))
            out.extend(self._con.execute(
                f"SELECT rid, record_id, golden_id, data, keys FROM records WHERE {column} IN "
                f"({marks})", tuple(part)).fetchall())
        return sorted(out)

    def _candidates_of(self, keys: np.ndarray, exclude: int | None = None) -> list[int]:
        """Stored records sharing a key with ``keys`` whose block stays within its cap."""
        found: set[int] = set()
        wanted = list(dict.fromkeys(keys.tolist()))
        members: dict[int, list[int]] = {key: [] for key in wanted}
        for part in store.chunks(wanted, 200):
            # each key's block read up to one past its cap, all keys in one statement
            branches = " UNION ALL ".join(
                ["SELECT * FROM (SELECT key, rid FROM keys WHERE key=? LIMIT ?)"] * len(part))
            arguments = [x for key in part for x in (key, self.caps[key & 0xFF] + 1)]
            for key, rid in self._con.execute(branches, arguments).fetchall():
                members[key].append(rid)
        for key, rids in members.items():
            if exclude is not None:
                rids = [r for r in rids if r != exclude]
            if len(rids) + 1 > self.caps[key & 0xFF]:
                continue  # the block is over the cap with this record: skipped, as in batch
            found.update(rids)
        return sorted(found)

    def _score_new(self, one: One, *, pending: bool, exclude: int | None = None
                   ) -> tuple[list[tuple], PairScores]:
        """Candidate rows and the scored pairs (left = candidate position, right = the new
        record, after the candidates)."""
        rows = self._rows(self._candidates_of(one.keys, exclude))
        if not rows:
            return rows, PairScores.empty()
        k = len(rows)
        if self._record_path:
            return rows, candidate_scores(self, one, rows, pending=pending)
        frame = store.decode_rows([*(r[3] for r in rows), one.data], self.score_schema)
        tf = count_values(self._con, self.model, frame, pending=k if pending else None)
        return rows, score_arrays(self.model, frame, np.arange(k), np.full(k, k), tf)

    def _matches(self, rows: list[tuple], scored: PairScores, low: float, high: float
                 ) -> tuple[Match, ...]:
        if not len(scored):
            return ()
        prob = scored.match_probability
        weight = scored.match_weight
        picked = [i for i in np.argsort(-weight, kind="stable").tolist()
                  if low <= prob[i] < high]
        return tuple(Match(rows[i][1], rows[i][2], round(float(weight[i]), 6),
                           float(prob[i])) for i in picked)

    def candidates(self, record: Mapping[str, Any]) -> pd.DataFrame:
        """Every stored record the blocking rules pair with ``record``, scored (read-only):
        ``record_id, golden_id, match_weight, match_probability``, strongest first."""
        (one,) = self._ones([record])
        rows, scored = self._score_new(one, pending=True, exclude=self._rid_of(one.record_id))
        matches = self._matches(rows, scored, -1.0, 2.0)
        return pd.DataFrame([m.__dict__ for m in matches],
                            columns=["record_id", "golden_id", "match_weight",
                                     "match_probability"])

    def match(self, record: Mapping[str, Any]) -> Decision:
        """What :meth:`add` would decide for ``record``, without writing anything ("is this
        caller already a customer?"). ``event`` is ``new``, ``attached`` or ``merged``
        (the chaining guard is not applied); ``golden_id`` is the golden record of the
        strongest link."""
        (one,) = self._ones([record])
        rows, scored = self._score_new(one, pending=True, exclude=self._rid_of(one.record_id))
        links = self._matches(rows, scored, self.settings.threshold, 2.0)
        review = self._matches(rows, scored, self.settings.review_threshold,
                               self.settings.threshold)
        clusters = dict.fromkeys(m.golden_id for m in links)
        event = "new" if not clusters else "attached" if len(clusters) == 1 else "merged"
        golden_id = links[0].golden_id if links else None
        return Decision(one.record_id, event, golden_id, links, (), (),  # type: ignore[arg-type]
                        self.golden(golden_id) if golden_id else {}, review)

    def _rid_of(self, record_id: str) -> int | None:
        row = self._con.execute("SELECT rid FROM records WHERE record_id=?",
                                (record_id,)).fetchone()
        return None if row is None else int(row[0])

    # ------------------------------------------------------------------ writes
    def add(self, record: Mapping[str, Any]) -> Decision:
        """Add a new record: match it, attach / merge / create its cluster, update the
        golden record(s) involved; one transaction.

        Raises:
            InputError: not a mapping, no record id, an id already in the index.
            SchemaError: no recognisable matching field.
        """
        return self.add_many([record])[0]

    def add_many(self, records: Any) -> list[Decision]:
        """Add several new records (a DataFrame or a list of dicts), one after the other, as
        :meth:`add` would, in one transaction: all are stored or none. Records are
        normalised together and golden records are computed once at the end, so this is
        the fast path for backfills; ``changed_fields`` are relative to the golden records
        before the call."""
        ones = self._ones(self._as_list(records))
        ids = [one.record_id for one in ones]
        for part in store.chunks(ids):
            marks = ",".join("?" * len(part))
            clash = self._con.execute(f"SELECT record_id FROM records WHERE record_id IN "
                                      f"({marks}) LIMIT 1", tuple(part)).fetchone()
            if clash:
                raise InputError(f"record id {clash[0]!r} is already in the index; use "
                                 "update() to change it")
        pending: list[dict[str, Any]] = []
        before: dict[str, dict[str, Any]] = {}
        with self._write():
            for one in ones:
                pending.append(self._add_one(one, before))
            decisions = self._finish(pending, before)
        return decisions

    def _insert(self, one: One, rid: int | None = None) -> int:
        cursor = self._con.execute(
            "INSERT INTO records(rid, record_id, source, golden_id, data, keys) "
            "VALUES (?, ?, ?, '', ?, ?)",
            (rid, one.record_id, one.source, one.data, one.keys.tobytes()))
        new_rid = int(cursor.lastrowid) if rid is None else rid
        self._con.executemany("INSERT OR IGNORE INTO keys VALUES (?, ?)",
                              [(k, new_rid) for k in one.keys.tolist()])
        self._count_one(one, +1)
        return new_rid

    def _store_edges(self, rid: int, rows: list[tuple], scored: PairScores) -> None:
        if not len(scored):
            return
        prob = scored.match_probability
        weight = scored.match_weight
        keep = np.flatnonzero(prob >= self.settings.review_threshold)
        self._con.executemany("INSERT OR REPLACE INTO edges VALUES (?, ?, ?, ?)", [
            edge for i in keep.tolist() for edge in (
                (rows[i][0], rid, float(prob[i]), float(weight[i])),
                (rid, rows[i][0], float(prob[i]), float(weight[i])))])

    def _add_one(self, one: One, before: dict[str, dict[str, Any]]) -> dict[str, Any]:
        record_id = one.record_id
        rows, scored = self._score_new(one, pending=True)
        rid = self._insert(one)
        self._store_edges(rid, rows, scored)
        links = self._matches(rows, scored, self.settings.threshold, 2.0)
        review = self._matches(rows, scored, self.settings.review_threshold,
                               self.settings.threshold)
        clusters = sorted({m.golden_id for m in links})
        self._remember(clusters, before)
        if not clusters:
            golden_id = self._fresh_id(record_id)
            self._set_golden(rid, golden_id)
            return {"record_id": record_id, "event": "new", "golden_id": golden_id,
                    "links": links, "review": review, "retired": (), "dirty": {golden_id}}
        if len(clusters) == 1 and not self._conflicts(rows, scored, clusters[0]):
            self._set_golden(rid, clusters[0])
            return {"record_id": record_id, "event": "attached", "golden_id": clusters[0],
                    "links": links, "review": review, "retired": (), "dirty": {clusters[0]}}
        outcome = self._recluster({rid}, before, record_id)
        return {"record_id": record_id, "links": links, "review": review, **outcome}

    def _conflicts(self, rows: list[tuple], scored: PairScores, golden_id: str) -> bool:
        """Whether the new record conflicts (chaining guard) with a member of a cluster."""
        conflict = scored.cannot_link | ((scored.match_probability < self.settings.conflict_below)
                                         & ~(scored.evidence_weight >= 3.0))
        return any(conflict[i] and rows[i][2] == golden_id for i in range(len(rows)))

    def update(self, record: Mapping[str, Any]) -> Decision:
        """Replace a stored record with a new version (same record id), match it again and
        re-cluster the clusters involved; one transaction.

        Raises:
            InputError: the id is not in the index (use :meth:`add`), or bad input.
        """
        (one,) = self._ones([record])
        record_id = one.record_id
        old = self._con.execute("SELECT rid, golden_id, data FROM records WHERE record_id=?",
                                (record_id,)).fetchone()
        if old is None:
            raise InputError(f"record id {record_id!r} is not in the index; use add()")
        rid, old_golden, old_data = old
        if old_data == one.data:
            with self._write():
                self._log("update", record_id, old_golden, "unchanged", {})
            return Decision(record_id, "unchanged", old_golden, (), (), (),
                            self.golden(old_golden))
        before: dict[str, dict[str, Any]] = {}
        with self._write():
            self._remember([old_golden], before)
            self._delete_record(rid)
            rows, scored = self._score_new(one, pending=True)
            self._insert(one, rid=rid)
            self._con.execute("UPDATE records SET golden_id=? WHERE rid=?", (old_golden, rid))
            self._store_edges(rid, rows, scored)
            links = self._matches(rows, scored, self.settings.threshold, 2.0)
            review = self._matches(rows, scored, self.settings.review_threshold,
                                   self.settings.threshold)
            self._remember(sorted({m.golden_id for m in links}), before)
            outcome = self._recluster({rid}, before, record_id, moved=True)
            info = {"record_id": record_id, "links": links, "review": review, **outcome}
            decision = self._finish([info], before, op="update")[0]
        return decision

    def remove(self, record_id: str) -> Decision:
        """Remove a record; its cluster is clustered again without it (it may split) and
        its golden record recomputed (or retired when it was the last record).

        Raises:
            InputError: the id is not in the index.
        """
        record_id = str(record_id)
        old = self._con.execute("SELECT rid, golden_id FROM records WHERE record_id=?",
                                (record_id,)).fetchone()
        if old is None:
            raise InputError(f"record id {record_id!r} is not in the index")
        rid, old_golden = old
        before: dict[str, dict[str, Any]] = {}
        with self._write():
            self._remember([old_golden], before)
            component = self._closure({rid}) - {rid}
            self._delete_record(rid)
            outcome = self._recluster(component, before, None) if component else \
                {"golden_id": None, "retired": (old_golden,), "dirty": {old_golden},
                 "event": "removed"}
            event = "split" if outcome.get("event") == "split" else "removed"
            alive = self._con.execute("SELECT 1 FROM records WHERE golden_id=? LIMIT 1",
                                      (old_golden,)).fetchone()
            info = {**outcome, "record_id": record_id, "event": event, "links": (),
                    "review": (), "golden_id": old_golden if alive else None}
            decision = self._finish([info], before, op="remove")[0]
        return decision

    # ------------------------------------------------------------------ clustering
    def _remember(self, golden_ids: Iterable[str], before: dict[str, dict[str, Any]]) -> None:
        for golden_id in golden_ids:
            if golden_id and golden_id not in before:
                before[golden_id] = self.golden(golden_id)

    def _set_golden(self, rid: int, golden_id: str) -> None:
        self._con.execute("UPDATE records SET golden_id=? WHERE rid=?", (golden_id, rid))

    def _fresh_id(self, record_id: str, taken: Sequence[str] = ()) -> str:
        """The batch id of a cluster whose smallest record id is ``record_id`` (longer when
        that id is taken)."""
        blocked = list(taken)
        while True:
            previous = pd.DataFrame({"record_id": [f"\x00{i}" for i in range(len(blocked))],
                                     "golden_id": blocked}) if blocked else None
            golden_id = str(stable_ids([record_id], [0], previous)[0].iloc[0])
            exists = self._con.execute("SELECT 1 FROM golden WHERE golden_id=? UNION ALL "
                                       "SELECT 1 FROM records WHERE golden_id=? LIMIT 1",
                                       (golden_id, golden_id)).fetchone()
            if not exists:
                return golden_id
            blocked.append(golden_id)

    def _closure(self, rids: set[int]) -> set[int]:
        from custmatch.index.components import closure

        return closure(self, rids)

    def _recluster(self, rids: set[int], before: dict[str, dict[str, Any]],
                   record_id: str | None, moved: bool = False) -> dict[str, Any]:
        from custmatch.index.components import recluster

        return recluster(self, rids, before, record_id, moved)

    def _delete_record(self, rid: int) -> None:
        """Delete a record's keys, term-frequency counts and edges (and the row)."""
        row = self._con.execute("SELECT data, keys FROM records WHERE rid=?", (rid,)).fetchone()
        if self._record_path:
            self._count_cells(store.decode_cells(json.loads(row[0]), self.cell_schema), -1)
        else:
            self._count_tf(store.decode_rows([row[0]], self.schema), -1)
        self._con.executemany("DELETE FROM keys WHERE key=? AND rid=?",
                              [(k, rid) for k in np.frombuffer(row[1], np.int64).tolist()])
        self._con.execute("DELETE FROM edges WHERE a=?", (rid,))
        self._con.execute("DELETE FROM edges WHERE b=?", (rid,))
        self._con.execute("DELETE FROM records WHERE rid=?", (rid,))

    def _count_one(self, one: One, sign: int) -> None:
        """Count one record's term-frequency values in (``sign`` +1) or out (-1)."""
        if self._record_path:
            self._count_cells(one.cells, sign)
        else:
            self._count_tf(store.decode_rows([one.data], self.schema), sign)

    def _count_cells(self, cells: Mapping[str, Any], sign: int) -> None:
        for k, value in enumerate(tf_row_values(cells, self.model.term_frequencies)):
            if value is None:
                continue
            self._con.execute("INSERT INTO tf VALUES (?, ?, ?) ON CONFLICT(spec, value) DO "
                              "UPDATE SET n = n + excluded.n", (k, value, sign))
            if sign < 0:
                self._con.execute("DELETE FROM tf WHERE spec=? AND value=? AND n <= 0",
                                  (k, value))
            self._con.execute("INSERT INTO tf_total VALUES (?, ?) ON CONFLICT(spec) DO UPDATE "
                              "SET n = n + excluded.n", (k, sign))

    def _count_tf(self, frame: pd.DataFrame, sign: int) -> None:
        for k, values in enumerate(tf_values(frame, self.model.term_frequencies)):
            counted = pd.Series(values, dtype=object).dropna().value_counts()
            if not len(counted):
                continue
            self._con.executemany(
                "INSERT INTO tf VALUES (?, ?, ?) ON CONFLICT(spec, value) DO UPDATE SET "
                "n = n + excluded.n", [(k, v, sign * int(n)) for v, n in counted.items()])
            if sign < 0:
                self._con.execute("DELETE FROM tf WHERE spec=? AND n <= 0", (k,)) \
                    if len(counted) > 50 else self._con.executemany(
                        "DELETE FROM tf WHERE spec=? AND value=? AND n <= 0",
                        [(k, v) for v in counted.index])
            self._con.execute("INSERT INTO tf_total VALUES (?, ?) ON CONFLICT(spec) DO UPDATE "
                              "SET n = n + excluded.n", (k, sign * int(counted.sum())))

    # ------------------------------------------------------------------ golden records
    def _store_golden(self, golden: pd.DataFrame, lineage: pd.DataFrame) -> None:
        from custmatch.index.golden import store_golden

        store_golden(self, golden, lineage)

    def _refresh_golden(self, golden_ids: set[str]) -> None:
        from custmatch.index.golden import refresh_golden

        refresh_golden(self, golden_ids)

    def _finish(self, pending: list[dict[str, Any]], before: dict[str, dict[str, Any]],
                op: str = "add") -> list[Decision]:
        """Recompute the golden records touched, log the events, build the decisions."""
        dirty: set[str] = set()
        for info in pending:
            dirty |= set(info["dirty"])
        self._refresh_golden(dirty)
        decisions = []
        current: dict[str, dict[str, Any]] = {}
        for info in pending:
            golden_id = info["golden_id"]
            if golden_id is not None and golden_id not in current:
                current[golden_id] = self.golden(golden_id)
            now = current.get(golden_id, {}) if golden_id else {}
            # alive now? (a later record of the same call may have merged it away)
            old = before.get(golden_id, {}) if golden_id else {}
            changed = tuple(f for f in dict.fromkeys([*old, *now])
                            if f not in _IGNORED_FIELDS and old.get(f) != now.get(f))
            decision = Decision(info["record_id"], info["event"], golden_id, info["links"],
                                changed, tuple(info["retired"]), now, info["review"])
            self._log(op, decision.record_id, golden_id, decision.event,
                      {"matches": len(decision.matches), "changed": list(changed),
                       "retired": list(decision.retired_ids)})
            decisions.append(decision)
        return decisions

    # ------------------------------------------------------------------ reads
    def golden(self, golden_id: str) -> dict[str, Any]:
        """A golden record as a dict (empty when there is none)."""
        row = self._con.execute("SELECT data FROM golden WHERE golden_id=?",
                                (str(golden_id),)).fetchone()
        return {} if row is None else json.loads(row[0])

    def clusters(self) -> pd.DataFrame:
        """``record_id, source, cluster_id`` of every record."""
        rows = self._con.execute("SELECT record_id, source, golden_id FROM records "
                                 "ORDER BY rid").fetchall()
        return pd.DataFrame(rows, columns=["record_id", "source", "cluster_id"])

    def events(self) -> pd.DataFrame:
        """The event log: ``seq, at, op, record_id, golden_id, event, detail``."""
        rows = self._con.execute("SELECT seq, at, op, record_id, golden_id, event, detail "
                                 "FROM events ORDER BY seq").fetchall()
        return pd.DataFrame(rows, columns=["seq", "at", "op", "record_id", "golden_id",
                                           "event", "detail"])

    def _log(self, op: str, record_id: str | None, golden_id: str | None, event: str,
             detail: Mapping[str, Any]) -> None:
        self._con.execute("INSERT INTO events(at, op, record_id, golden_id, event, detail) "
                          "VALUES (?, ?, ?, ?, ?, ?)",
                          (_now(), op, record_id, golden_id, event, store.dumps(detail)))

    # ------------------------------------------------------------------ AVG
    def find_person(self, query: str | Mapping[str, Any]) -> Person:
        """Everything held about one person (AVG right of access), logged as an event.

        ``query`` is a golden id, a record id, or a record (a dict of fields) matched as in
        :meth:`match` (every golden record it links to is returned)."""
        from custmatch.index.avg import find_person

        return find_person(self, query)

    def forget(self, golden_id: str) -> Decision:
        """Erase a person (AVG right to erasure): every record, the golden record, their
        blocking keys, counts, edges, lineage and events; a tombstone event without
        personal data remains. Returns a ``forgotten`` decision."""
        from custmatch.index.avg import forget

        return forget(self, golden_id)

    def check(self) -> list[str]:
        """Consistency problems of the store (empty when consistent): SQLite's integrity
        check, every record in a golden record of the right size, keys and counts in
        step with the records."""
        from custmatch.index.avg import check

        return check(self)


def _scoring_columns(model: MatchModel) -> set[str]:
    """Columns the model's comparisons, term frequencies and link rules read."""
    columns = {"record_id", "source"}
    for comparison in model.comparisons:
        columns.update(comparison.columns)
    for tf in model.term_frequencies:
        columns.update(tf.columns)
    for rule in (*model.must_link, *model.cannot_link):
        for key in rule.keys:
            columns.add(key.column)
            columns.update(getattr(key, "others", ()))
        if getattr(rule, "comparison", None) is not None:
            columns.update(rule.comparison.columns)
    return columns


def _empty_records(settings: Settings) -> pd.DataFrame:
    """The normalised columns of records in general (for an index that starts empty)."""
    return normalize_frame(pd.DataFrame({"record_id": pd.Series([], dtype=object)}),
                           settings.columns if settings.columns and all(
                               isinstance(v, str) for v in settings.columns.values()) else None,
                           region=settings.region, today=settings.today)


def _person_frame(rows: list[tuple], schema: dict[str, str]) -> pd.DataFrame:
    """Stored records with every stored column (schema columns first)."""
    frame = store.decode_rows([r[3] for r in rows], schema, extra=True)
    frame.insert(1, "golden_id", [r[2] for r in rows])
    return frame
