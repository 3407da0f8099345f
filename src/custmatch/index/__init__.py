"""Incremental matching: real-time sync and AVG requests on the model of a batch run.

:class:`MatchIndex` keeps a batch run's normalised records, blocking keys, clusters, golden
records and lineage in one SQLite file and updates them record by record with the same
normalisation, blocking rules, model, clustering rules and survivorship;
:class:`Decision` is what each call returns. See ``docs/realtime.md``.

Example:
    >>> from custmatch.index import MatchIndex, Decision
    >>> MatchIndex.create.__doc__.splitlines()[0]
    'A new index file at ``path``.'
"""

from __future__ import annotations

from custmatch.index.core import MatchIndex
from custmatch.index.decisions import EVENTS, Decision, Match, Person

__all__ = ["EVENTS", "Decision", "Match", "MatchIndex", "Person"]
