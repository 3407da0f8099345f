"""The comparison engine: comparisons x candidate pairs -> an ``int8`` level matrix.

A :class:`Comparison` maps two aligned arrays of values (left and right records) to levels:
``-1`` null (no evidence), ``0`` else (disagree), ``1..k`` agreement, higher is stronger. The
engine calls it on **unique value combinations** only: names, postcodes and dates repeat a
lot, so ten million pairs usually hold a few hundred thousand distinct (left, right)
combinations. Results are broadcast back to the pairs. Pairs are processed in chunks so
memory stays bounded.

Example:
    >>> import pandas as pd
    >>> from custmatch.compare.library import Exact
    >>> df = pd.DataFrame({"postcode": ["1234 AB", "1234 AB", None]})
    >>> levels = compare(df, [0, 0, 1], [1, 2, 2], [Exact("postcode")])
    >>> levels.matrix[:, 0].tolist()
    [1, -1, -1]
"""

from __future__ import annotations

import multiprocessing
import pickle
import sys
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from custmatch._codes import combine_all, first_positions
from custmatch._run_cache import active as run_cache_active
from custmatch._run_cache import cached, remembered, run_cache, store
from custmatch.errors import ConfigError, InputError, SchemaError

__all__ = ["Comparison", "Levels", "TakenValues", "check_comparison", "compare",
           "remember_levels", "reuse_encodings"]

Values = Mapping[str, NDArray[np.object_]]


class TakenValues(Mapping[str, np.ndarray]):
    """Prepared values at some positions (``values[name][at]``), each array taken when it
    is first read: a comparison reads only some of what it prepared, or only for some
    pairs, and taking every array for millions of pairs costs more than the levels.
    Taking from taken values composes the positions instead of copying the arrays.

    Example:
        >>> base = {"a": np.array([10, 20, 30]), "b": np.array(["x", "y", "z"], dtype=object)}
        >>> taken = TakenValues(TakenValues(base, np.array([2, 0, 0])), np.array([1, 2]))
        >>> taken["a"].tolist(), "b" in taken, sorted(taken)
        ([10, 10], True, ['a', 'b'])
    """

    __slots__ = ("_at", "_taken", "_values")

    def __init__(self, values: Values, at: NDArray[np.integer]) -> None:
        if isinstance(values, TakenValues):
            values, at = values._values, values._at[at]
        self._values, self._at = values, at
        self._taken: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        found = self._taken.get(name)
        if found is None:
            found = self._taken[name] = np.asarray(self._values[name])[self._at]
        return found

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

#: Pairs per chunk: 2M pairs x a handful of object arrays stays well under a gigabyte.
DEFAULT_CHUNK_SIZE = 2_000_000


class Comparison:
    """Base class: subclasses set ``columns``, ``name``, ``labels`` and implement ``levels``.

    ``labels[k]`` names level ``k`` (``labels[0]`` is the else level); the null level ``-1``
    is always "null". ``levels(left, right)`` receives mappings ``column -> array`` of
    equal length (unique value combinations; missing values are ``None``) and returns an
    ``int8`` array of levels. Write it vectorised; it is the extension point for your own
    comparisons (see :func:`check_comparison`).

    ``prepare(values)`` runs once per distinct value combination before any pair is
    compared, and may add derived arrays (keys, bit sets) that ``levels`` then reads; the
    default passes the values through.

    ``optional_columns`` (a subset of ``columns``) may be absent from the records: they are
    then read as all missing instead of raising :class:`~custmatch.errors.SchemaError`
    (e.g. a KvK number that only business sources export).

    ``disagreement_levels`` names levels above else that are partial *disagreements*, not
    agreements (birth dates a year apart, a mobile on one side and a landline on the other):
    a model may give them a negative weight. Every other level above else is an agreement,
    and a model never lets agreeing count against a match.

    ``legacy_fields`` maps constructor fields added after models were first saved to the
    value that reproduces the older levels; a saved model that lacks such a field loads
    with it (see :meth:`custmatch.model.MatchModel.from_dict`).

    ``distinct_pairs`` (default true): :func:`compare` calls ``levels`` once per distinct
    pair of value combinations and spreads the result. A comparison whose levels are a few
    integer operations sets it false: ``levels`` then gets every compared pair, since
    finding the distinct pairs (a hash table over millions of pairs) costs more than it
    saves. The levels are the same either way.
    """

    columns: tuple[str, ...] = ()
    optional_columns: tuple[str, ...] = ()
    disagreement_levels: tuple[str, ...] = ()
    legacy_fields: ClassVar[Mapping[str, object]] = {}
    distinct_pairs: ClassVar[bool] = True
    name: str = ""
    labels: tuple[str, ...] = ("else",)

    def prepare(self, values: Values) -> Values:
        """Derived arrays per distinct value combination (default: the values themselves)."""
        return values

    def levels(self, left: Values, right: Values) -> NDArray[np.int8]:  # pragma: no cover
        raise NotImplementedError

    def null_side(self, values: Values, prepared: Values) -> NDArray[np.bool_]:
        """Where one side alone makes a pair null (level ``-1`` whatever the other side).

        ``values`` are the raw column values and ``prepared`` what :meth:`prepare` made of
        them, one entry per distinct combination. :func:`compare` skips such pairs without
        calling :meth:`levels`. Default: every compared value missing (the contract of
        :func:`check_comparison`); override when a side is null for more reasons.
        """
        n = len(next(iter(values.values()))) if values else 0
        missing = np.ones(n, dtype=bool)
        for column in self.columns:
            if column in values:
                missing &= _missing(values[column])
        return missing

    @property
    def n_levels(self) -> int:
        """Number of non-null levels (else + agreement levels)."""
        return len(self.labels)

    def level_labels(self) -> dict[int, str]:
        """``{level: label}`` including the null level ``-1``.

        Example:
            >>> from custmatch.compare.library import Exact
            >>> Exact("postcode").level_labels()
            {-1: 'null', 0: 'else', 1: 'exact'}
        """
        return {-1: "null", **dict(enumerate(self.labels))}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


@dataclass(frozen=True)
class Levels:
    """Comparison levels of candidate pairs.

    Attributes:
        matrix: ``int8`` array of shape ``(n_pairs, n_comparisons)``.
        names: comparison names, one per column of ``matrix``.
        labels: per comparison, ``{level: label}``.
    """

    matrix: NDArray[np.int8]
    names: tuple[str, ...]
    labels: tuple[dict[int, str], ...]

    def __len__(self) -> int:
        return int(self.matrix.shape[0])

    def frame(self) -> pd.DataFrame:
        """The matrix as a DataFrame with one ``int8`` column per comparison."""
        return pd.DataFrame(self.matrix, columns=list(self.names))


def _missing(values: NDArray[np.object_]) -> NDArray[np.bool_]:
    """True where a value is None or NaN."""
    return np.asarray(pd.isna(values), dtype=bool)


def _encode(frame: pd.DataFrame, columns: tuple[str, ...]) -> tuple[NDArray[np.int64], dict]:
    """One code per row for the combination of ``columns`` and the values of each code."""
    combined = combine_all([pd.factorize(frame[column], use_na_sentinel=True)[0]
                            for column in columns if column in frame.columns],  # optional
                           len(frame))
    first_row = first_positions(combined, int(combined.max()) + 1 if len(combined) else 0)
    values = {}
    for column in columns:
        if column not in frame.columns:
            values[column] = np.full(len(first_row), None, dtype=object)
            continue
        # the first rows only: converting a whole datetime column to objects costs
        # more than the rest of the encoding
        values[column] = frame[column].take(first_row).to_numpy(dtype=object, na_value=None)
    return combined, values


@dataclass(frozen=True)
class _Encoded:
    """One comparison's view of a frame: a code per row, the prepared values per code and
    which codes make a pair null on their own."""

    codes: NDArray[np.int64]
    width: np.int64
    values: Values
    null_code: NDArray[np.bool_]


@contextmanager
def reuse_encodings() -> Iterator[None]:
    """Within the block, :func:`compare` encodes and prepares each (frame, comparison)
    once and reuses it for later calls on the same frame object (u sampling, EM per
    training rule, conditionals and scoring compare the same records many times); blocking
    keys are likewise made once. Do not change the frame's columns inside the block.

    Example:
        >>> import pandas as pd
        >>> from custmatch.compare.library import Exact
        >>> df = pd.DataFrame({"city": ["Ede", "Ede", "Epe"]})
        >>> with reuse_encodings():
        ...     a = compare(df, [0], [1], [Exact("city")]).matrix[:, 0].tolist()
        ...     b = compare(df, [0], [2], [Exact("city")]).matrix[:, 0].tolist()
        >>> a, b
        ([1], [0])
    """
    with run_cache():
        yield


def _encoded(frame: pd.DataFrame, comparison: Comparison) -> _Encoded:
    def encode() -> _Encoded:
        codes, raw = _encode(frame, comparison.columns)
        values = comparison.prepare(raw)
        null_code = np.asarray(comparison.null_side(raw, values), dtype=bool)
        width = np.int64(len(raw[comparison.columns[0]]) if comparison.columns else 1)
        return _Encoded(codes, width, values, null_code)

    return cached(frame, "compare.encoded", comparison, encode)


def _check_levels(comparison: Comparison, out: object, n: int) -> NDArray[np.int8]:
    array = np.asarray(out)
    if array.shape != (n,):
        raise ConfigError(
            f"comparison {comparison.name!r} returned shape {array.shape}, expected ({n},)"
        )
    array = array.astype(np.int8, copy=False)
    if n and (array.min() < -1 or array.max() >= comparison.n_levels):
        raise ConfigError(
            f"comparison {comparison.name!r} returned levels outside -1..{comparison.n_levels - 1}"
        )
    return array


def compare(
    frame: pd.DataFrame,
    left: ArrayLike,
    right: ArrayLike,
    comparisons: Sequence[Comparison],
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    workers: int | None = None,
) -> Levels:
    """Levels of every comparison for the pairs ``(left[i], right[i])`` of row positions.

    Args:
        frame: the (normalised) records; positions index its rows.
        left, right: aligned integer row positions (e.g. ``Pairs.left``/``Pairs.right``).
        comparisons: the comparisons, in column order of the result.
        chunk_size: pairs per chunk; results do not depend on it.
        workers: processes that compute comparisons side by side (default: the CPUs this
            process may use). Used from :data:`PARALLEL_MIN_PAIRS` pairs on Linux (fork);
            results do not depend on it.

    Raises:
        SchemaError: a comparison needs a column the frame lacks.
        InputError: bad positions.
        ConfigError: duplicate comparison names, or a comparison returning bad levels.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"expected a DataFrame of records, got {type(frame).__name__}")
    left_pos = np.asarray(left, dtype=np.int64)
    right_pos = np.asarray(right, dtype=np.int64)
    if left_pos.shape != right_pos.shape or left_pos.ndim != 1:
        raise InputError("left and right must be 1-d arrays of equal length")
    n = len(frame)
    if len(left_pos) and (min(left_pos.min(), right_pos.min()) < 0
                          or max(left_pos.max(), right_pos.max()) >= n):
        raise InputError(f"pair positions must lie in 0..{n - 1}")
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise ConfigError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    names = [c.name for c in comparisons]
    if len(set(names)) != len(names):
        raise ConfigError(f"comparison names must be unique, got {names}")
    for comparison in comparisons:
        missing = [c for c in comparison.columns
                   if c not in frame.columns and c not in comparison.optional_columns]
        if missing:
            raise SchemaError(
                f"comparison {comparison.name!r} needs column(s) {missing}; "
                f"found {list(frame.columns)[:20]}"
            )

    matrix = np.empty((len(left_pos), len(comparisons)), dtype=np.int8)
    known = _remembered(frame, comparisons)
    todo = np.arange(len(left_pos))
    if known is not None and len(left_pos):
        found, rows = known.lookup(left_pos, right_pos)
        matrix[found] = known.matrix[rows]
        todo = np.flatnonzero(~found)
    if len(todo) == len(left_pos):
        matrix[:] = _compute(frame, left_pos, right_pos, comparisons, chunk_size, workers)
    elif len(todo):
        matrix[todo] = _compute(frame, left_pos[todo], right_pos[todo], comparisons,
                                chunk_size, workers)
    return Levels(matrix, tuple(names), tuple(c.level_labels() for c in comparisons))


def _compute(frame: pd.DataFrame, left_pos: NDArray[np.int64], right_pos: NDArray[np.int64],
             comparisons: Sequence[Comparison], chunk_size: int,
             workers: int | None) -> NDArray[np.int8]:
    matrix = np.empty((len(left_pos), len(comparisons)), dtype=np.int8)
    n_workers = _workers(workers, len(left_pos), len(comparisons))
    if n_workers > 1:
        # fork: the workers inherit frame, positions, comparisons and the encodings made so
        # far; the column index goes out and one int8 column comes back per comparison,
        # with the encoding the worker made (encoding is a large part of the work: done in
        # the workers it runs side by side, and later steps of the run reuse it here)
        keep = run_cache_active()
        _SHARED.update(frame=frame, left=left_pos, right=right_pos, comparisons=comparisons,
                       chunk_size=chunk_size, keep=keep and _encodings_missing(frame,
                                                                               comparisons))
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=n_workers, mp_context=context) as pool:
                for j, (column, encoded) in enumerate(
                        pool.map(_shared_column, range(len(comparisons)))):
                    matrix[:, j] = column
                    if encoded is not None:
                        store(frame, "compare.encoded", comparisons[j], pickle.loads(encoded))
        finally:
            _SHARED.clear()
    else:
        for j, comparison in enumerate(comparisons):
            matrix[:, j] = _column(frame, left_pos, right_pos, comparison, chunk_size)
    return matrix


def _pair_keys(left: NDArray[np.int64], right: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """One integer per unordered pair of row positions (smaller position first)."""
    return np.minimum(left, right) * np.int64(n) + np.maximum(left, right)


def _is_sorted(keys: NDArray[np.int64]) -> bool:
    return len(keys) < 2 or bool((keys[1:] >= keys[:-1]).all())


@dataclass(frozen=True)
class _Known:
    """Levels already computed for some pairs of a frame (see :func:`remember_levels`)."""

    n_rows: int
    comparisons: tuple[Comparison, ...]
    keys: NDArray[np.int64]  # sorted pair keys (see _pair_keys)
    order: NDArray[np.int64] | None  # row of ``matrix`` per sorted key (None: same order)
    matrix: NDArray[np.int8]

    def lookup(self, left: NDArray[np.int64], right: NDArray[np.int64]
               ) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
        """Which pairs are known, and their rows in ``matrix`` (levels are symmetric)."""
        wanted = _pair_keys(left, right, self.n_rows)
        if _is_sorted(wanted):
            at = np.searchsorted(self.keys, wanted)
        else:
            order = np.argsort(wanted)  # sorted needles: searchsorted walks the keys once
            at = np.empty(len(wanted), dtype=np.int64)
            at[order] = np.searchsorted(self.keys, wanted[order])
        at[at == len(self.keys)] = 0
        found = (self.keys[at] == wanted) if len(self.keys) else np.zeros(len(left), bool)
        rows = at[found] if self.order is None else self.order[at[found]]
        return found, rows


def remember_levels(frame: pd.DataFrame, left: ArrayLike, right: ArrayLike,
                    levels: Levels, comparisons: Sequence[Comparison]) -> None:
    """Inside :func:`reuse_encodings`, let later :func:`compare` calls on ``frame`` with the
    same comparisons take these pairs' levels instead of computing them again (training
    blocks are mostly candidate pairs). Outside it, does nothing."""
    left_pos = np.asarray(left, dtype=np.int64)
    right_pos = np.asarray(right, dtype=np.int64)
    if not run_cache_active() or levels.matrix.shape != (len(left_pos), len(comparisons)):
        return
    keys = _pair_keys(left_pos, right_pos, len(frame))
    order = None
    if not _is_sorted(keys):
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
    store(frame, "compare.known", None,
          _Known(len(frame), tuple(comparisons), keys, order, levels.matrix))


def _remembered(frame: pd.DataFrame, comparisons: Sequence[Comparison]) -> _Known | None:
    known = remembered(frame, "compare.known", None)
    if not isinstance(known, _Known):
        return None
    try:
        same = known.comparisons == tuple(comparisons)
    except Exception:  # a comparison whose equality fails: do not reuse
        return None
    return known if same else None


#: Below this many pairs :func:`compare` stays in the calling process.
PARALLEL_MIN_PAIRS = 1_000_000

_SHARED: dict[str, object] = {}


def _workers(workers: int | None, n_pairs: int, n_comparisons: int) -> int:
    from custmatch.normalize.text import _default_workers

    wanted = _default_workers() if workers is None else max(1, int(workers))
    if n_pairs < PARALLEL_MIN_PAIRS or not sys.platform.startswith("linux"):
        return 1
    return min(wanted, n_comparisons)


def _encodings_missing(frame: pd.DataFrame, comparisons: Sequence[Comparison]) -> bool:
    return any(remembered(frame, "compare.encoded", c) is None for c in comparisons)


def _shared_column(j: int) -> tuple[NDArray[np.int8], bytes | None]:
    """In a worker: the levels of comparison ``j`` and, when the run keeps encodings and
    this worker made it, the pickled encoding (``None`` when it does not pickle, e.g. a
    user comparison preparing values that do not: the run then encodes it again)."""
    frame, comparison = _SHARED["frame"], _SHARED["comparisons"][j]  # type: ignore[index]
    made = _SHARED["keep"] and remembered(frame, "compare.encoded", comparison) is None
    column = _column(frame, _SHARED["left"], _SHARED["right"],  # type: ignore[arg-type]
                     comparison, _SHARED["chunk_size"])  # type: ignore[arg-type]
    if not made:
        return column, None
    try:
        encoded = pickle.dumps(_encoded(frame, comparison), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # unpicklable prepared values: the run encodes it again later
        encoded = None
    return column, encoded


def _column(frame: pd.DataFrame, left_pos: NDArray[np.int64], right_pos: NDArray[np.int64],
            comparison: Comparison, chunk_size: int) -> NDArray[np.int8]:
    """Levels of one comparison for all pairs, chunk by chunk, over unique combinations."""
    out = np.empty(len(left_pos), dtype=np.int8)
    encoded = _encoded(frame, comparison)
    codes, width, values, null_code = (encoded.codes, encoded.width, encoded.values,
                                       encoded.null_code)
    for start in range(0, len(left_pos), chunk_size):
        stop = min(start + chunk_size, len(left_pos))
        cl, cr = codes[left_pos[start:stop]], codes[right_pos[start:stop]]
        compared = np.flatnonzero(~(null_code[cl] | null_code[cr]))
        chunk = out[start:stop]
        chunk[:] = -1
        if len(compared) == 0:
            continue
        if not comparison.distinct_pairs:
            chunk[compared] = _check_levels(
                comparison, comparison.levels(TakenValues(values, cl[compared]),
                                              TakenValues(values, cr[compared])),
                len(compared))
            continue
        inverse, unique = pd.factorize(cl[compared] * width + cr[compared])
        ul, ur = unique // width, unique % width
        lv, rv = TakenValues(values, ul), TakenValues(values, ur)
        levels = _check_levels(comparison, comparison.levels(lv, rv), len(unique))
        chunk[compared] = levels[inverse]
    return out


def check_comparison(comparison: Comparison, left: Values, right: Values) -> NDArray[np.int8]:
    """Check a comparison against the contract and return its levels on the given values.

    The contract: ``int8`` levels of the right length within ``-1..n_levels-1``; a pair with
    every compared value missing on one side is ``-1``; swapping left and right gives the
    same levels (symmetry). Use it in the tests of your own comparisons.

    Example:
        >>> import numpy as np
        >>> from custmatch.compare.library import Exact
        >>> vals = {"city": np.array(["Ede", None, "Epe"], dtype=object)}
        >>> other = {"city": np.array(["Ede", "Ede", "Ede"], dtype=object)}
        >>> check_comparison(Exact("city"), vals, other).tolist()
        [1, -1, 0]
    """
    n = len(next(iter(left.values()))) if left else 0
    prepared_left, prepared_right = comparison.prepare(left), comparison.prepare(right)
    forward = _check_levels(comparison, comparison.levels(prepared_left, prepared_right), n)
    backward = _check_levels(comparison, comparison.levels(prepared_right, prepared_left), n)
    if not np.array_equal(forward, backward):
        bad = int(np.flatnonzero(forward != backward)[0])
        raise AssertionError(f"{comparison.name}: not symmetric at row {bad}")
    for side in (left, right):
        all_null = np.ones(n, dtype=bool)
        for column in comparison.columns:
            if column not in side and column in comparison.optional_columns:
                continue  # an absent optional column reads as all missing
            all_null &= pd.isna(pd.Series(side[column], dtype=object)).to_numpy()
        if (forward[all_null] != -1).any():
            bad = int(np.flatnonzero(all_null & (forward != -1))[0])
            raise AssertionError(f"{comparison.name}: all-null side at row {bad} is not -1")
    for side, prepared in ((left, prepared_left), (right, prepared_right)):
        null = np.asarray(comparison.null_side(side, prepared), dtype=bool)
        if (forward[null] != -1).any():
            bad = int(np.flatnonzero(null & (forward != -1))[0])
            raise AssertionError(f"{comparison.name}: null_side at row {bad} but level "
                                 f"{int(forward[bad])}, not -1")
    return forward
