"""General comparisons: exact match and string similarity at thresholds (via rapidfuzz).

Levels follow one convention: ``-1`` null (either side missing), ``0`` else, then agreement
levels, strongest highest. For the string comparisons the top level is an exact match and
each threshold adds a level below it, in the order given (strongest first).

Example:
    >>> import numpy as np
    >>> jw = JaroWinkler("surname_key", thresholds=(0.95, 0.88))
    >>> jw.labels
    ('else', 'jaro_winkler >= 0.88', 'jaro_winkler >= 0.95', 'exact')
    >>> vals = lambda *v: {"surname_key": np.array(v, dtype=object)}
    >>> jw.levels(vals("jansen", "jansen", "visser", None),
    ...           vals("jansen", "janssen", "bakker", "jansen")).tolist()
    [3, 2, 0, -1]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein as _Damerau
from rapidfuzz.distance import JaroWinkler as _JaroWinkler
from rapidfuzz.distance import Levenshtein as _Levenshtein

from custmatch._codes import first_positions
from custmatch.compare.engine import Comparison, Values
from custmatch.errors import ConfigError

__all__ = [
    "DamerauLevenshtein",
    "Exact",
    "JaroWinkler",
    "Levenshtein",
    "present",
    "row_hashes",
    "similarity",
    "text_codes",
    "unique_rows",
]


def present(values: NDArray[np.object_]) -> NDArray[np.bool_]:
    """True where a value is usable: not None/NaN and not an empty string.

    Example:
        >>> present(np.array(["a", None, "", float("nan"), pd.NA], dtype=object)).tolist()
        [True, False, False, False, False]
    """
    values = np.asarray(values, dtype=object)
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    usable = ~pd.isna(values)
    if usable.all():
        return values != ""
    # only the values that are there are compared (``pd.NA != ""`` has no truth value)
    usable[usable] = values[usable] != ""
    return usable


def text_codes(*arrays: NDArray[np.object_]) -> list[NDArray[np.int64]]:
    """The arrays' values as integers: equal text, equal integer (a stable 63-bit hash, the
    same in every call and process, so sides prepared apart still compare); ``-1`` where a
    value is missing or empty (see :func:`present`). Comparing them is what comparing the
    texts would say (a false equality has odds of about 1 in 10**18 per pair), at integer
    speed.

    Example:
        >>> a = np.array(["x", None, "y"], dtype=object)
        >>> b = np.array(["y", "", "x"], dtype=object)
        >>> ca, cb = text_codes(a, b)
        >>> [bool(ca[0] == cb[2]), bool(ca[2] == cb[0]), bool(ca[0] == ca[2])]
        [True, True, False]
        >>> int(ca[1]), int(cb[1])
        (-1, -1)
    """
    parts = [np.asarray(array, dtype=object) for array in arrays]
    if not parts:
        return []
    # all arrays hashed in one call (each value's hash is its own: the same codes as
    # array by array, with the per-call overhead paid once in a real-time call)
    values = np.concatenate(parts) if len(parts) > 1 else parts[0]
    usable = present(values)
    codes = np.full(len(values), -1, dtype=np.int64)
    if usable.any():
        # hash_array hashes str values as they are and any other value as its str()
        # (without factorizing first: faster on mostly distinct values, and small calls)
        codes[usable] = (pd.util.hash_array(values[usable], categorize=False)
                         >> np.uint64(1)).astype(np.int64)
    bounds = np.cumsum([len(part) for part in parts])[:-1]
    return np.split(codes, bounds) if len(parts) > 1 else [codes]


_MIX = np.uint64(0x9E3779B97F4A7C15)


def row_hashes(*codes: NDArray[np.int64]) -> NDArray[np.uint64]:
    """One 64-bit hash per row of aligned integer arrays (such as :func:`text_codes`):
    equal rows, equal hashes, in every call and process; different rows collide with odds
    of about 1 in 10**18.

    Example:
        >>> a, b = np.array([1, 1, 2]), np.array([5, 5, 5])
        >>> h = row_hashes(a, b)
        >>> bool(h[0] == h[1]), bool(h[0] == h[2])
        (True, False)
    """
    out = np.zeros(len(codes[0]) if codes else 0, dtype=np.uint64)
    for code in codes:
        out ^= np.asarray(code).astype(np.uint64, copy=False)
        out *= _MIX
        out ^= out >> np.uint64(29)
    return out


def unique_rows(hashes: NDArray[np.uint64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``(first, inverse)``: the first row of each distinct hash, and for every row the
    position of its hash among them (``first[inverse]`` picks an equal row for each row).
    Lets a comparison do its costly work once per distinct combination of values.

    Example:
        >>> first, inverse = unique_rows(np.array([7, 3, 7], dtype=np.uint64))
        >>> first.tolist(), inverse.tolist()
        ([0, 1], [0, 1, 0])
    """
    inverse, uniques = pd.factorize(hashes)
    inverse = np.asarray(inverse, dtype=np.int64)
    return first_positions(inverse, len(uniques)), inverse


def similarity(
    scorer: Callable[..., float], left: NDArray[np.object_], right: NDArray[np.object_]
) -> NDArray[np.float64]:
    """Element-wise ``scorer(left[i], right[i])`` with rapidfuzz's ``cpdist`` (all cores for
    large inputs; small ones, such as a real-time lookup's few pairs, stay on the calling
    thread, where starting worker threads would cost more than the work).

    Both arrays must hold strings only.
    """
    if len(left) == 0:
        return np.zeros(0, dtype=np.float64)
    workers = -1 if len(left) >= _PARALLEL_PAIRS else 1
    return np.asarray(
        process.cpdist(list(left), list(right), scorer=scorer, workers=workers),
        dtype=np.float64,
    )


#: Below this many pairs :func:`similarity` runs on one thread.
_PARALLEL_PAIRS = 10_000


def _name(explicit: str | None, column: str) -> str:
    return explicit or column


@dataclass(frozen=True, repr=False)
class Exact(Comparison):
    """Two levels: exact agreement (1) or not (0); null when either side is missing.

    Example:
        >>> Exact("postcode").labels
        ('else', 'exact')
    """

    column: str
    name: str = ""  # type: ignore[assignment]
    labels: tuple[str, ...] = field(default=("else", "exact"), init=False)

    def __post_init__(self) -> None:
        _check_column(self.column)
        object.__setattr__(self, "name", _name(self.name, self.column))
        object.__setattr__(self, "columns", (self.column,))

    def levels(self, left: Values, right: Values) -> NDArray[np.int8]:
        a, b = left[self.column], right[self.column]
        ok = present(a) & present(b)
        out = np.full(len(a), -1, dtype=np.int8)
        out[ok] = (a[ok] == b[ok]).astype(np.int8)
        return out


def _check_column(column: object) -> None:
    if not isinstance(column, str) or not column:
        raise ConfigError(f"a comparison needs a column name (str), got {column!r}")


@dataclass(frozen=True, repr=False)
class _Thresholded(Comparison):
    """Exact, then one level per threshold on a rapidfuzz measure, strongest first."""

    column: str
    thresholds: Sequence[float] = (0.9,)
    name: str = ""  # type: ignore[assignment]
    optional: bool = False  # records without the column: null, not an error

    measure: str = field(default="", init=False)
    higher_is_closer: bool = field(default=True, init=False)

    def __post_init__(self) -> None:
        _check_column(self.column)
        limits = tuple(self.thresholds)
        if not limits:
            raise ConfigError(
                f"{type(self).__name__}({self.column!r}): give at least one threshold"
            )
        if self.higher_is_closer:
            ordered = all(a > b for a, b in pairwise(limits))
            valid = all(0.0 <= t <= 1.0 for t in limits)
            rule = "similarities in [0, 1], strictly decreasing"
        else:
            ordered = all(a < b for a, b in pairwise(limits))
            valid = all(isinstance(t, int) and t >= 1 for t in limits)
            rule = "distances as integers >= 1, strictly increasing"
        if not (ordered and valid):
            raise ConfigError(
                f"{type(self).__name__}({self.column!r}): thresholds {limits} must be {rule} "
                "(strongest level first)"
            )
        object.__setattr__(self, "thresholds", limits)
        object.__setattr__(self, "name", _name(self.name, self.column))
        object.__setattr__(self, "columns", (self.column,))
        if self.optional:
            object.__setattr__(self, "optional_columns", (self.column,))
        op = ">=" if self.higher_is_closer else "<="
        below = [f"{self.measure} {op} {t}" for t in reversed(limits)]
        object.__setattr__(self, "labels", ("else", *below, "exact"))

    def _scores(self, a: NDArray[np.object_], b: NDArray[np.object_]) -> NDArray[np.float64]:
        raise NotImplementedError

    def levels(self, left: Values, right: Values) -> NDArray[np.int8]:
        a, b = left[self.column], right[self.column]
        ok = present(a) & present(b)
        out = np.full(len(a), -1, dtype=np.int8)
        idx = np.flatnonzero(ok)
        sa = np.array([str(v) for v in a[idx]], dtype=object)
        sb = np.array([str(v) for v in b[idx]], dtype=object)
        level = np.zeros(len(idx), dtype=np.int8)
        scores = self._scores(sa, sb)
        k = len(self.thresholds)
        for rank, limit in enumerate(self.thresholds):  # strongest first
            hit = scores >= limit if self.higher_is_closer else scores <= limit
            level = np.where(hit & (level == 0), k - rank, level).astype(np.int8)
        level[sa == sb] = k + 1
        out[idx] = level
        return out


@dataclass(frozen=True, repr=False)
class JaroWinkler(_Thresholded):
    """Exact, then Jaro-Winkler similarity at thresholds (e.g. ``(0.95, 0.88)``)."""

    thresholds: Sequence[float] = (0.95, 0.88)
    measure: str = field(default="jaro_winkler", init=False)

    def _scores(self, a: NDArray[np.object_], b: NDArray[np.object_]) -> NDArray[np.float64]:
        return similarity(_JaroWinkler.normalized_similarity, a, b)


@dataclass(frozen=True, repr=False)
class Levenshtein(_Thresholded):
    """Exact, then Levenshtein edit distance at most each threshold (e.g. ``(1, 2)``).

    Example:
        >>> Levenshtein("street_key", thresholds=(1, 2)).labels
        ('else', 'levenshtein <= 2', 'levenshtein <= 1', 'exact')
    """

    thresholds: Sequence[float] = (1, 2)
    measure: str = field(default="levenshtein", init=False)
    higher_is_closer: bool = field(default=False, init=False)

    def _scores(self, a: NDArray[np.object_], b: NDArray[np.object_]) -> NDArray[np.float64]:
        return similarity(_Levenshtein.distance, a, b)


@dataclass(frozen=True, repr=False)
class DamerauLevenshtein(_Thresholded):
    """Exact, then Damerau-Levenshtein distance (a transposition costs 1) at thresholds."""

    thresholds: Sequence[float] = (1, 2)
    measure: str = field(default="damerau_levenshtein", init=False)
    higher_is_closer: bool = field(default=False, init=False)

    def _scores(self, a: NDArray[np.object_], b: NDArray[np.object_]) -> NDArray[np.float64]:
        return similarity(_Damerau.distance, a, b)
