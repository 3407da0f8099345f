"""Scoring inside a match index: the batch model's comparisons and weights, with term
frequencies counted over the whole index instead of the small frame being scored.

:meth:`MatchModel.predict` counts term frequencies in the frame it is given. A frame of one
new record and its twenty candidates would make every surname look common, so the index
keeps the value counts of all its records (tables ``tf``/``tf_total``) and scores with
those: a record's adjustment is what a batch run over the same records would give.

Records come as a frame (:func:`count_values`, :func:`score_pairs`) or, for the few records
of a real-time call, as cells (:func:`count_row_values`, :func:`score_rows`: the comparisons'
``prepare``/``null_side``/``levels`` on arrays of cells, :func:`compare_rows`); the scores are
the same.

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

from custmatch.compare.engine import Comparison
from custmatch.errors import ConfigError, SchemaError
from custmatch.index import store
from custmatch.index.keys import tf_row_values, tf_values
from custmatch.index.store import chunks
from custmatch.model import MatchModel, PairScores

__all__ = ["compare_rows", "count_row_values", "count_values", "frequencies",
           "rule_columns", "score_arrays", "score_pairs", "score_rows"]


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
    return _counted(con, tf_values(frame, model.term_frequencies), pending)


def count_row_values(con: sqlite3.Connection, model: MatchModel,
                     cells: Sequence[Mapping[str, object]], pending: int | None = None
                     ) -> list[NDArray[np.float64]]:
    """:func:`count_values` of records given as cells (one dict per record)."""
    per_row = [tf_row_values(c, model.term_frequencies) for c in cells]
    values = []
    for k in range(len(model.term_frequencies)):
        column = np.empty(len(per_row), dtype=object)
        column[:] = [row[k] for row in per_row]
        values.append(column)
    return _counted(con, values, pending)


def _counted(con: sqlite3.Connection, per_spec: Sequence[NDArray[np.object_]],
             pending: int | None) -> list[NDArray[np.float64]]:
    # every spec's wanted values in one statement where they fit (a real-time call's few)
    wanted = [(k, v) for k, values in enumerate(per_spec)
              for v in sorted({v for v in values if v is not None})]
    found: dict[int, dict[str, int]] = {k: {} for k in range(len(per_spec))}
    for part in chunks(wanted, 450):  # two parameters per value
        marks = ",".join(["(?, ?)"] * len(part))
        # the wanted pairs drive the join: one primary-key lookup each
        for spec, value, n in con.execute(
                f"SELECT tf.spec, tf.value, tf.n FROM (VALUES {marks}) AS w CROSS JOIN tf "
                "ON tf.spec = w.column1 AND tf.value = w.column2",
                [x for pair in part for x in pair]).fetchall():
            found[spec][value] = n
    totals = dict(con.execute("SELECT spec, n FROM tf_total").fetchall()) if per_spec else {}
    out = []
    for k, values in enumerate(per_spec):
        counts = found[k]
        total = int(totals.get(k, 0))
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


def score_arrays(model: MatchModel, frame: pd.DataFrame,
                 left: Sequence[int] | NDArray[np.int64],
                 right: Sequence[int] | NDArray[np.int64],
                 tf: Sequence[NDArray[np.float64]]) -> PairScores:
    """:func:`score_pairs` as arrays (:meth:`MatchModel.score_levels`), without the frame."""
    lpos = np.asarray(left, dtype=np.int64)
    rpos = np.asarray(right, dtype=np.int64)
    levels = model.compare(frame, (lpos, rpos))
    return model.score_levels(frame, lpos, rpos, levels.matrix, list(tf))


def compare_rows(comparisons: Sequence[Comparison], cells: Sequence[Mapping[str, object]],
                 left: NDArray[np.int64], right: NDArray[np.int64]) -> NDArray[np.int8]:
    """The level matrix of the pairs ``(left[i], right[i])`` of records given as cells:
    what :func:`custmatch.compare.engine.compare` gives on their frame, through each
    comparison's own ``prepare``, ``null_side`` and ``levels`` (the extension API), without
    building a frame. Meant for few records (a query and its candidates)."""
    matrix = np.empty((len(left), len(comparisons)), dtype=np.int8)
    for j, comparison in enumerate(comparisons):
        raw: dict[str, NDArray[np.object_]] = {}
        for column in comparison.columns:
            values = np.empty(len(cells), dtype=object)
            if column in cells[0]:
                values[:] = [c[column] for c in cells]
            elif column in comparison.optional_columns:
                values[:] = None
            else:
                raise SchemaError(f"comparison {comparison.name!r} needs column(s) "
                                  f"[{column!r}]")
            raw[column] = values
        prepared = comparison.prepare(raw)
        null = np.asarray(comparison.null_side(raw, prepared), dtype=bool)
        column = np.full(len(left), -1, dtype=np.int8)
        compared = np.flatnonzero(~(null[left] | null[right]))
        if len(compared):
            lpos, rpos = left[compared], right[compared]
            found = np.asarray(comparison.levels({c: v[lpos] for c, v in prepared.items()},
                                                 {c: v[rpos] for c, v in prepared.items()}))
            if found.shape != (len(compared),):
                raise ConfigError(f"comparison {comparison.name!r} returned shape "
                                  f"{found.shape}, expected ({len(compared)},)")
            found = found.astype(np.int8, copy=False)
            if found.min() < -1 or found.max() >= comparison.n_levels:
                raise ConfigError(f"comparison {comparison.name!r} returned levels outside "
                                  f"-1..{comparison.n_levels - 1}")
            column[compared] = found
        matrix[:, j] = column
    return matrix


def rule_columns(model: MatchModel) -> list[str]:
    """The columns the model's must-link and cannot-link rules read from the records
    (a cannot-link rule on one of the model's comparisons reads its levels instead)."""
    names = set(model.comparison_names)
    columns: dict[str, None] = {}
    for rule in (*model.must_link, *model.cannot_link):
        comparison = getattr(rule, "comparison", None)
        if comparison is not None:
            if comparison.name not in names:
                columns.update(dict.fromkeys(comparison.columns))
            continue
        for key in rule.keys:
            columns.update(dict.fromkeys((key.column, *getattr(key, "others", ()))))
    return list(columns)


def score_rows(model: MatchModel, cells: Sequence[Mapping[str, object]],
               rows: Sequence[Mapping[str, object]], schema: Mapping[str, str],
               left: NDArray[np.int64], right: NDArray[np.int64],
               tf: Sequence[NDArray[np.float64]]) -> PairScores:
    """:func:`score_pairs` of records given as cells (``rows``: their stored JSON rows as
    dicts, read only for the columns of :func:`rule_columns`)."""
    matrix = compare_rows(model.comparisons, cells, left, right)
    wanted = {c: schema[c] for c in rule_columns(model) if c in schema}
    frame = store.decode_dicts(list(rows), wanted) if wanted else \
        pd.DataFrame(index=pd.RangeIndex(len(cells)))
    return model.score_levels(frame, left, right, matrix, list(tf))
