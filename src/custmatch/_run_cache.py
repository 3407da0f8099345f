"""One cache for the duration of a run: values derived from a frame (blocking key codes,
comparison encodings, levels already computed) are made once and reused by every later step
that reads the same frame object.

Entries hold the frame they were made from, so an id reused by another frame never hits.
Do not change a frame's columns while a run that reads it is active.

Example:
    >>> import pandas as pd
    >>> frame, calls = pd.DataFrame({"a": [1]}), []
    >>> with run_cache():
    ...     first = cached(frame, "demo", "a", lambda: calls.append(1) or 42)
    ...     again = cached(frame, "demo", "a", lambda: calls.append(1) or 42)
    >>> first, again, len(calls)
    (42, 42, 1)
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager, suppress
from typing import TypeVar

import pandas as pd

__all__ = ["active", "cached", "remembered", "run_cache", "store"]

T = TypeVar("T")

_CACHE: contextvars.ContextVar[dict | None] = contextvars.ContextVar("custmatch_run_cache",
                                                                     default=None)


@contextmanager
def run_cache() -> Iterator[None]:
    """Open a run's cache; inside an open one, join it (the outer run decides its life)."""
    if _CACHE.get() is not None:
        yield
        return
    token = _CACHE.set({})
    try:
        yield
    finally:
        _CACHE.reset(token)


def active() -> bool:
    """Whether a run's cache is open."""
    return _CACHE.get() is not None


def remembered(frame: pd.DataFrame, kind: str, key: Hashable) -> object | None:
    """The value stored for ``(frame, kind, key)`` in the open run, else ``None``."""
    cache = _CACHE.get()
    if cache is None:
        return None
    try:
        entry = cache.get((id(frame), kind, key))
    except TypeError:  # an unhashable key (e.g. built from an unhashable function object)
        return None
    return entry[1] if entry is not None and entry[0] is frame else None


def store(frame: pd.DataFrame, kind: str, key: Hashable, value: object) -> None:
    """Keep ``value`` for ``(frame, kind, key)`` while the run lasts (no-op outside one)."""
    cache = _CACHE.get()
    if cache is None:
        return
    with suppress(TypeError):  # an unhashable key: not kept
        cache[(id(frame), kind, key)] = (frame, value)


def cached(frame: pd.DataFrame, kind: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per ``(frame, kind, key)`` in the open run (every time outside)."""
    hit = remembered(frame, kind, key)
    if hit is not None:
        return hit  # type: ignore[return-value]
    value = compute()
    store(frame, kind, key, value)
    return value
