"""Scoring inside a match index: the batch model's comparisons and weights, with term
frequencies counted over the whole index instead of the small frame being scored.

:meth:`MatchModel.predict` counts term frequencies in the frame it is given. A frame of one
new record and its twenty candidates would make every surname look common, so the index
keeps the value counts of all its records (tables ``tf``/``tf_total``) and scores with
those: a record's adjustment is what a batch run over the same records would give.

Example:
    >>> import numpy as np
    >>> counts = {"jansen": 3}
    >>> frequencies(np.array(["jansen", "tjoa", None], dtype=object), counts, 4).tolist()
    [0.75, 0.25, nan]
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from custmatch.index.keys import tf_values
from custmatch.index.store import chunks
from custmatch.model import MatchModel

__all__ = ["count_values", "frequencies", "score_pairs"]


def frequencies(values: NDArray[np.object_], counts: Mapping[str, int], total: int
                ) -> NDArray[np.float64]:
    """Share of counted records with each value (NaN where the value is None); a value not
    counted yet counts once (the record itself)."""
    out = np.full(len(values), np.nan)
    if total <= 0:
        return out
    for i, value in enumerate(values):
        if value is not None:
            out[i] = max(counts.get(value, 0), 1) / total
    return out


def count_values(con: sqlite3.Connection, model: MatchModel, frame: pd.DataFrame,
                 pending: int | None = None) -> list[NDArray[np.float64]]:
    """Per term-frequency spec of ``model``, each row's value frequency over the index.

    ``pending`` is the row of a record not stored yet (a new record being added or
    matched): it is counted as if it were stored, so an ``add`` scores as a batch run over
    the index plus that record would.
    """
    out = []
    for k, values in enumerate(tf_values(frame, model.term_frequencies)):
        wanted = sorted({v for v in values if v is not None})
        counts: dict[str, int] = {}
        for part in chunks(wanted):
            marks = ",".join("?" * len(part))
            counts.update(con.execute(f"SELECT value, n FROM tf WHERE spec=? AND value IN "
                                      f"({marks})", (k, *part)).fetchall())
        row = con.execute("SELECT n FROM tf_total WHERE spec=?", (k,)).fetchone()
        total = int(row[0]) if row else 0
        if pending is not None and values[pending] is not None:
            counts[values[pending]] = counts.get(values[pending], 0) + 1
            total += 1
        out.append(frequencies(values, counts, total))
    return out


def score_pairs(model: MatchModel, frame: pd.DataFrame, left: Sequence[int] | NDArray[np.int64],
                right: Sequence[int] | NDArray[np.int64],
                tf: Sequence[NDArray[np.float64]]) -> pd.DataFrame:
    """Scored pairs as :meth:`MatchModel.predict` gives them (``left``, ``right``,
    ``match_weight``, ``match_probability``, ``must_link``, ``cannot_link``,
    ``evidence_weight``, levels), with the index's term frequencies ``tf``."""
    lpos = np.asarray(left, dtype=np.int64)
    rpos = np.asarray(right, dtype=np.int64)
    levels = model.compare(frame, (lpos, rpos))
    return model._score(frame, lpos, rpos, levels.matrix, list(tf))
