"""Scoring a new record against its candidates, value by value (the record path).

A real-time call scores one record against the few stored records its blocking keys meet.
:func:`candidate_scores` reads their stored rows, takes the cells scoring needs
(:func:`~custmatch.index.store.decode_cells`), looks their term frequencies up in the
index and scores the pairs with the model's comparisons and weights
(:func:`~custmatch.index.scoring.score_rows`): what decoding the rows into a frame and
running :meth:`MatchModel.predict`'s steps on it gives, without the per-call cost of
building frames for a handful of pairs.

Example:
    >>> candidate_scores.__doc__.split(";")[0]
    'Scored pairs of the candidate ``rows`` (left) and ``one`` (right, after them)'
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from custmatch.index import store
from custmatch.index.scoring import count_row_values, score_rows
from custmatch.model import PairScores

if TYPE_CHECKING:
    from custmatch.index.core import MatchIndex
    from custmatch.index.prepare import One

__all__ = ["candidate_scores"]


def candidate_scores(index: MatchIndex, one: One, rows: list[tuple], *, pending: bool
                     ) -> PairScores:
    """Scored pairs of the candidate ``rows`` (left) and ``one`` (right, after them);
    ``pending``: ``one`` is counted in the term frequencies as if it were stored."""
    k = len(rows)
    dicts = [json.loads(r[3]) for r in rows]
    dicts.append(one.row)
    cells = [store.decode_cells(d, index.cell_schema) for d in dicts[:-1]]
    cells.append(one.cells)
    tf = count_row_values(index._con, index.model, cells, pending=k if pending else None)
    left = np.arange(k, dtype=np.int64)
    right = np.full(k, k, dtype=np.int64)
    return score_rows(index.model, cells, dicts, index.schema, left, right, tf)
