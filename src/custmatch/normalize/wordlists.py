"""Loading of the word lists in ``custmatch/normalize/data/`` (data, not code).

Each list is a UTF-8 text file with one entry per line; a line starting with ``#`` and text
after `` #`` are comments, blank lines are skipped. Mappings are two-column files separated
by a tab or by `` -> `` (``str. -> straat``). Files load lazily, once per process.

Example:
    >>> parse_mapping_lines(["# street suffixes", "str. -> straat", "ln\\tlaan"])
    {'str.': 'straat', 'ln': 'laan'}
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib import resources

__all__ = ["load_list", "load_mapping", "parse_mapping_lines"]


def _lines(name: str) -> list[str]:
    folder = resources.files("custmatch.normalize").joinpath("data")
    return folder.joinpath(name).read_text("utf-8").splitlines()


def _content(lines: Iterable[str]) -> list[str]:
    out = []
    for line in lines:
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


@functools.cache
def load_list(name: str) -> tuple[str, ...]:
    """Entries of the list file ``data/<name>``, in file order."""
    return tuple(_content(_lines(name)))


def parse_mapping_lines(lines: Iterable[str]) -> dict[str, str]:
    """Parse ``key -> value`` or ``key<TAB>value`` lines into a dict (later lines win)."""
    mapping: dict[str, str] = {}
    for line in _content(lines):
        key, sep, value = line.partition(" -> ")
        if not sep:
            key, sep, value = line.partition("\t")
        if not sep:
            raise ValueError(f"word list line without '->' or tab: {line!r}")
        mapping[key.strip()] = value.strip()
    return mapping


@functools.cache
def load_mapping(name: str) -> dict[str, str]:
    """Mapping file ``data/<name>`` as a dict (do not mutate: it is cached)."""
    return parse_mapping_lines(_lines(name))
