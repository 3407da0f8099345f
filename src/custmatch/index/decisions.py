"""What a :class:`~custmatch.index.MatchIndex` call returns: matches, decisions, a person.

Example:
    >>> m = Match("crm-1", "G1", 21.5, 0.9999)
    >>> d = Decision("web-7", "attached", "G1", (m,), ("email",))
    >>> d.matched_ids, d.is_match
    (('crm-1',), True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

__all__ = ["EVENTS", "Decision", "Event", "Match", "Person"]

#: What happened to a record's cluster: ``new`` (a cluster of its own), ``attached`` (joined
#: one existing cluster), ``merged`` (joined two or more clusters into one), ``split`` (a
#: cluster it was in or joined fell apart), ``unchanged`` (an update that changed nothing, or
#: a read-only match), ``removed`` (the record left its cluster), ``forgotten`` (AVG erasure).
Event = Literal["new", "attached", "merged", "split", "unchanged", "removed", "forgotten"]
EVENTS: tuple[str, ...] = ("new", "attached", "merged", "split", "unchanged", "removed",
                           "forgotten")


@dataclass(frozen=True)
class Match:
    """A stored record a query scored against: its ids, match weight and probability."""

    record_id: str
    golden_id: str
    match_weight: float
    match_probability: float


@dataclass(frozen=True)
class Decision:
    """The outcome of :meth:`~custmatch.index.MatchIndex.add` / ``update`` / ``remove`` /
    ``match``.

    Attributes:
        record_id: the record decided on.
        event: see :data:`EVENTS`.
        golden_id: the record's golden record (for ``match``: the best matching golden
            record, or None; for ``removed``: the golden record it left, None if that one
            is gone).
        matches: the stored records scored at or above the threshold (links), strongest
            first.
        changed_fields: the golden fields whose value changed (all filled fields of a new
            golden record).
        retired_ids: golden ids that no longer exist after this call (merged away).
        golden: the record's golden record after the call (field -> value), empty if none.
        review: stored records scored in the review band (possible matches), strongest
            first.
    """

    record_id: str
    event: Event
    golden_id: str | None
    matches: tuple[Match, ...] = ()
    changed_fields: tuple[str, ...] = ()
    retired_ids: tuple[str, ...] = ()
    golden: Mapping[str, Any] = field(default_factory=dict, repr=False)
    review: tuple[Match, ...] = field(default=(), repr=False)

    @property
    def matched_ids(self) -> tuple[str, ...]:
        """Record ids of :attr:`matches`."""
        return tuple(m.record_id for m in self.matches)

    @property
    def is_match(self) -> bool:
        """Whether the record matched at least one stored record."""
        return bool(self.matches)


@dataclass(frozen=True)
class Person:
    """Everything an index holds about one person (AVG right of access).

    Attributes:
        golden_ids: the golden records found.
        golden: one row per golden record.
        records: every source record of those golden records, normalised values and the
            raw values as received (``raw_<role>``) and pass-through columns.
        lineage: per golden record and field, the record, source and rule that supplied it.
    """

    golden_ids: tuple[str, ...]
    golden: pd.DataFrame = field(repr=False)
    records: pd.DataFrame = field(repr=False)
    lineage: pd.DataFrame = field(repr=False)

    def __len__(self) -> int:
        return len(self.records)
