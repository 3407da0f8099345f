"""Text cleaning shared by every normalizer: pre-cleaning, Dutch title case, match keys.

Rules (dutch.md, "General rules"): Unicode NFKC; typographic quotes to ``'``; dashes to
``-``; whitespace collapsed and stripped. Display values keep accents; match keys fold them.
Dutch capitalises the digraph *ij* as one letter (``IJmuiden``), writes ``'s`` and ``'t``
lowercase (``'s-Gravenhage``), and Python's ``str.title()`` gets all of that wrong.

Example:
    >>> dutch_title("'S-GRAVENHAGE")
    "'s-Gravenhage"
    >>> dutch_title("ijmuiden")
    'IJmuiden'
    >>> text_key("Coöperatie  Hoëvell-Müller")
    'cooperatiehoevellmuller'
"""

from __future__ import annotations

import contextlib
import functools
import gc
import multiprocessing
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

import numpy as np
import pandas as pd

__all__ = [
    "PARALLEL_MIN_ITEMS",
    "Background",
    "chunks_by_length",
    "dutch_title",
    "factorize_text",
    "fold_accents",
    "in_background",
    "map_unique",
    "object_frame",
    "parallel_map",
    "preclean",
    "text_key",
    "word_key",
]

T = TypeVar("T")

_QUOTES = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'", "‛": "'", "′": "'"})
_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-"})
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\ufeff]")


def preclean(text: object) -> str | None:
    """Clean one raw value: NFKC, plain quotes and dashes, single spaces, stripped.

    Returns ``None`` for ``None``, NaN and values that are empty after cleaning. Non-strings
    are converted with ``str`` (a float that holds an integer loses its ``.0``).

    Example:
        >>> preclean("  Jansen –  de\u00a0Vries ")
        'Jansen - de Vries'
        >>> preclean("   ") is None
        True
    """
    if text is None:
        return None
    if isinstance(text, float):
        if text != text:  # NaN
            return None
        text = str(int(text)) if text.is_integer() else str(text)
    elif not isinstance(text, str):
        if text is pd.NA or text is pd.NaT:
            return None
        text = str(text)
    if text.isascii() and text.isprintable():  # fast path: the common case, same result
        if text and text[0] != " " and text[-1] != " " and "  " not in text and "`" not in text:
            return text  # already clean: nothing to map, nothing to collapse
        return " ".join(text.replace("`", "'").split()) or None
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).translate(_DASHES)
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    return text or None


def fold_accents(text: str) -> str:
    """Remove diacritics (``é→e``, ``ë→e``, ``ö→o``); other characters are kept.

    Example:
        >>> fold_accents("Hoëvell Müller Coöperatie")
        'Hoevell Muller Cooperatie'
    """
    if text.isascii():  # ASCII has no decompositions and no combining marks
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def word_key(text: str | None) -> str | None:
    """Match key that keeps word boundaries: casefolded, accents folded, punctuation removed.

    Example:
        >>> word_key("  Van der BERG-Müller ")
        'van der berg muller'
    """
    text = preclean(text)
    if text is None:
        return None
    text = fold_accents(text).casefold()
    text = _SPACES.sub(" ", re.sub(r"[^0-9a-z]+", " ", text)).strip()
    return text or None


def text_key(text: str | None) -> str | None:
    """Match key without word boundaries: like :func:`word_key` with the spaces removed.

    Example:
        >>> text_key("Sint-Jansstraat")
        'sintjansstraat'
    """
    key = word_key(text)
    return key.replace(" ", "") if key else None


def _cap_word(word: str) -> str:
    lower = word.lower()
    if lower.startswith("ij"):
        return "IJ" + lower[2:]
    first = lower[:1].upper()
    if len(first) != 1:  # "ß".upper() == "SS": keep the letter rather than change the length
        first = lower[:1]
    return first + lower[1:]


@functools.lru_cache(maxsize=64)
def _casefolded(words: frozenset[str]) -> frozenset[str]:
    return frozenset(w.casefold() for w in words)


def dutch_title(text: str | None, lower_words: Iterable[str] = ()) -> str | None:
    """Title-case Dutch text: ``IJ`` as one letter, ``'s``/``'t``/``d'`` kept lowercase.

    Words in ``lower_words`` (compared case-insensitively) stay lowercase unless they start
    the text, e.g. ``aan``, ``den``, ``op`` inside a place name.

    Example:
        >>> dutch_title("ALPHEN AAN DEN RIJN", lower_words={"aan", "den"})
        'Alphen aan den Rijn'
        >>> dutch_title("van 't hof")
        "Van 't Hof"
    """
    text = preclean(text)
    if text is None:
        return None
    small = (_casefolded(lower_words) if isinstance(lower_words, frozenset)
             else {w.casefold() for w in lower_words})
    out: list[str] = []
    pos = 0
    first_word = True
    for match in re.finditer(r"[^\W\d_]+", text):
        word = match.group(0)
        start = match.start()
        out.append(text[pos:start])
        before = text[start - 1] if start else ""
        lower = word.lower()
        if before == "'" and lower in {"s", "t"}:
            out.append(lower)  # 's-Gravenhage, van 't Hof
        elif lower == "d" and text[match.end() : match.end() + 1] == "'":
            out.append(lower)  # d'Ancona
        elif not first_word and lower in small:
            out.append(lower)
        else:
            out.append(_cap_word(word))
        first_word = False
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)


def factorize_text(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` (``-1`` for nulls) that keeps strings apart which differ only after a
    NUL character (pandas' object hash table stops comparing at a NUL).

    Example:
        >>> nul = chr(0)
        >>> codes, uniques = factorize_text(pd.Series([nul + "a", nul + "b", None]))
        >>> codes.tolist(), len(uniques)
        ([0, 1, -1], 2)
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    if _arrow_backed(values) or not _may_hold_nul(values, codes, uniques):
        return codes, uniques
    as_list = values.tolist()
    # the merged strings are missing from ``uniques``, so look at the values themselves
    if any(type(v) is str and "\x00" in v for v in as_list):
        keys: dict[object, int] = {}
        out = np.empty(len(as_list), dtype=np.int64)
        for k, v in enumerate(as_list):
            if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
                out[k] = -1
            else:
                out[k] = keys.setdefault(v, len(keys))
        return out, np.array(list(keys), dtype=object)
    return codes, uniques


def _arrow_backed(values: object) -> bool:
    """Whether ``values`` are pyarrow strings, which pandas factorizes by comparing their
    bytes (a NUL character does not end the comparison there)."""
    dtype = getattr(values, "dtype", None)
    return (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow") or \
        isinstance(dtype, pd.ArrowDtype)


def _may_hold_nul(values: pd.Series, codes: np.ndarray, uniques: np.ndarray) -> bool:
    """Whether some value may be a string with a NUL character (vectorised check).

    If every non-null value equals the distinct value it was coded as, no strings were
    merged, and a value holds a NUL only if its distinct value does; so it suffices to look
    at the (few) distinct values. Any doubt answers ``True`` (the caller then checks all).
    """
    try:
        nul_in_uniques = "\x00" in "".join(uniques)  # all strings: one search
    except TypeError:  # not all strings
        nul_in_uniques = any(isinstance(u, str) and "\x00" in u for u in uniques)
    if not nul_in_uniques:
        known = codes >= 0
        try:
            row_values = np.asarray(values, dtype=object)[known]
            same = row_values == uniques[codes[known]]
        except Exception:  # odd objects that do not compare element-wise
            return True
        return not (isinstance(same, np.ndarray) and same.dtype == bool and same.all())
    return True


def map_unique(values: pd.Series | Iterable[object], func: Callable[[object], T]) -> list[T]:
    """Apply ``func`` once per distinct value and broadcast the results back.

    Nulls (``None``/NaN) are passed to ``func`` once as ``None``. This is the vectorised
    wrapper every ``*_column`` function uses: names and places repeat a lot, so a million
    rows usually hold a few hundred thousand distinct values.

    Example:
        >>> map_unique(["a", "b", "a", None], lambda v: v and v.upper())
        ['A', 'B', 'A', None]
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    codes, uniques = factorize_text(series)
    results = [func(u) for u in uniques]
    results.append(func(None))  # position -1: null
    table = np.empty(len(results), dtype=object)
    table[:] = results
    return table[codes].tolist()


#: Below this many items :func:`parallel_map` stays in the calling process (a worker pool
#: costs more than it saves on small inputs).
PARALLEL_MIN_ITEMS = 50_000


def _default_workers() -> int:
    env = os.environ.get("CUSTMATCH_WORKERS")
    if env and env.isdigit():
        return max(1, int(env))
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _apply_chunk(func: Callable[[object], T], chunk: list[object]) -> list[T]:
    return [func(item) for item in chunk]


def parallel_map(
    func: Callable[[object], T], items: list[object], *, workers: int | None = None
) -> list[T]:
    """``[func(x) for x in items]``, split over worker processes for large inputs.

    Used for the slow pure-Python normalisers (full names: ~25 µs a value) over the distinct
    values of a column; for cheap functions (~5 µs) shipping values to workers costs more
    than it saves. Runs in the calling process when ``workers`` is 1, when there are
    fewer than :data:`PARALLEL_MIN_ITEMS` items, or where processes cannot be forked
    (Windows, macOS): the result is the same, only slower. ``func`` must be picklable (a
    module-level function or a ``functools.partial`` of one). Default workers: the CPUs this
    process may use, or ``$CUSTMATCH_WORKERS``.

    Example:
        >>> parallel_map(str.upper, ["jan", "piet"])
        ['JAN', 'PIET']
    """
    n_workers = _default_workers() if workers is None else max(1, int(workers))
    if n_workers == 1 or len(items) < PARALLEL_MIN_ITEMS or not sys.platform.startswith("linux"):
        return [func(item) for item in items]
    n_chunks = n_workers * 4
    size = -(-len(items) // n_chunks)
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=n_workers, mp_context=context) as pool:
        parts = pool.map(_apply_chunk, [func] * len(chunks), chunks)
        return [result for part in parts for result in part]


class Background(Generic[T]):
    """A value computed in a forked child process (see :func:`in_background`)."""

    def __init__(self, func: Callable[[], T], pack: Callable[[T], object] | None,
                 unpack: Callable[[object], T] | None, enabled: bool) -> None:
        self._func = func
        self._unpack = unpack
        self._child: multiprocessing.process.BaseProcess | None = None
        self._reader: Connection | None = None
        if enabled:
            self._start(pack)

    def _start(self, pack: Callable[[T], object] | None) -> None:
        context = multiprocessing.get_context("fork")
        reader, writer = context.Pipe(duplex=False)
        frozen = gc.get_freeze_count() == 0
        if frozen:
            gc.freeze()  # the child's garbage collector leaves inherited objects alone
        try:
            child = context.Process(target=_child_main, args=(self._func, pack, writer))
            child.start()
        except Exception:  # no child (a daemon process cannot fork one): compute here
            reader.close()
            return
        finally:
            writer.close()
            if frozen:
                gc.unfreeze()
        self._child, self._reader = child, reader

    def result(self) -> T:
        """The value: the child's, or ``func()`` computed here if the child did not run."""
        if self._reader is None:
            return self._func()
        try:
            ok, value = self._reader.recv()
        except (EOFError, OSError):  # the child died
            ok, value = False, None
        finally:
            self._release(wait=True)
        if not ok:
            return self._func()
        return self._unpack(value) if self._unpack is not None else value  # type: ignore[return-value]

    def cancel(self) -> None:
        """Stop the child (if still running) and release it; the value is not needed."""
        self._release(wait=False)

    def _release(self, wait: bool) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._child is not None:
            if wait:  # the child has sent its value and is ending
                self._child.join(timeout=5)
            if self._child.is_alive():
                self._child.terminate()
            self._child.join()
            self._child = None


def in_background(
    func: Callable[[], T],
    *,
    enabled: bool = True,
    pack: Callable[[T], object] | None = None,
    unpack: Callable[[object], T] | None = None,
) -> Background[T]:
    """Start ``func()`` in a forked child process; ``.result()`` gives its value.

    The child inherits this process's memory (nothing is sent to it) and sends back
    ``pack(value)``, which ``result()`` turns back with ``unpack``. Meanwhile this process
    does other work: two independent stages run side by side. Where the child cannot run
    (``enabled`` false, not Linux, a daemon process) or fails, ``func()`` runs in this
    process when the value is asked for: the result is the same, only later. Call
    ``cancel()`` when the value is no longer needed (after an error). The child may start
    worker processes of its own (:func:`parallel_map`): with more busy processes than
    CPUs, the operating system shares the CPUs between both stages until the shorter ends.

    Example:
        >>> in_background(lambda: sum(range(10))).result()
        45
    """
    enabled = (enabled and sys.platform.startswith("linux")
               and not multiprocessing.current_process().daemon)
    return Background(func, pack, unpack, enabled)


def _child_main(func: Callable[[], object], pack: Callable[[object], object] | None,
                writer: Connection) -> None:
    try:
        value = func()
        message: tuple[bool, object] = (True, pack(value) if pack is not None else value)
    except Exception:  # the parent recomputes, and raises the error itself
        message = (False, None)
    try:
        writer.send(message)  # pickled before anything is written
    except Exception:  # an unpicklable value (the parent recomputes), or no parent waiting
        with contextlib.suppress(Exception):
            writer.send((False, None))
    finally:
        writer.close()


def chunks_by_length(
    lengths: np.ndarray, widths: tuple[int, ...], size: int
) -> Iterable[tuple[np.ndarray, int]]:
    """Positions of the values with ``0 < length <= max(widths)``, in chunks of at most
    ``size``, each with the smallest of ``widths`` that holds its values.

    For array code over fixed-width strings (``numpy`` ``U<width>``): short values do not
    pay for the longest, and small chunks keep the arrays in cache.

    Example:
        >>> [(rows.tolist(), w) for rows, w in chunks_by_length(np.array([3, 0, 9, 5]), (4, 8), 2)]
        [([0], 4), ([3], 8)]
    """
    low = 0
    for width in sorted(widths):
        rows = np.flatnonzero((lengths > low) & (lengths <= width))
        for begin in range(0, len(rows), size):
            yield rows[begin : begin + size], width
        low = width


def object_frame(
    data: dict[str, object], index: pd.Index | None = None, columns: list[str] | None = None
) -> pd.DataFrame:
    """A DataFrame whose text columns keep ``object`` dtype (``None`` for missing).

    pandas 3 turns object arrays of strings into its ``str`` dtype with NaN for missing;
    custmatch's frames keep ``object`` on every pandas version so that values and their
    missing marker are the same everywhere. Columns that already are pandas arrays
    (``Int64``, ``datetime64``, ``boolean``) pass through unchanged.

    Example:
        >>> object_frame({"postcode": np.array(["1234 AB", None], dtype=object)}).dtypes.tolist()
        [dtype('O')]
    """
    out = {}
    for name, values in data.items():
        if (isinstance(values, np.ndarray) and values.dtype == object) or isinstance(values, list):
            out[name] = pd.Series(values, index=index, dtype=object)
        elif isinstance(values, pd.Series) and values.dtype == object:
            out[name] = values.astype(object)
        else:
            out[name] = values
    return pd.DataFrame(out, index=index, columns=columns)
