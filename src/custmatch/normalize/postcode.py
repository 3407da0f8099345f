"""Dutch postcodes and country codes, plus the status vocabulary of the address normalizers.

A Dutch postcode (PostNL) is four digits ``1000``-``9999`` followed by two capital letters;
the canonical form has one space: ``1234 AB``. The letter pairs ``SA``, ``SD`` and ``SS`` are
never issued. A postcode of four digits without letters may be foreign (Belgian, Danish) or
Dutch with the letters lost: it is *invalid*, never padded (dutch.md 2.1). Countries become
ISO 3166-1 alpha-2 codes through the word list ``data/countries.txt`` (dutch.md 2.6).

Every ``*_column`` function of the address normalizers reports a status per row, one of
:data:`STATUSES`:

- ``"empty"``: the input is null or blank after :func:`~custmatch.normalize.text.preclean`;
- ``"valid"``: the output equals the pre-cleaned input (already canonical);
- ``"repaired"``: usable output that differs from the pre-cleaned input (reformatted,
  expanded, an alias resolved);
- ``"invalid"``: non-blank input without usable output (the value is ``None``).

Example:
    >>> normalize_postcode("nl-1234ab")
    '1234 AB'
    >>> is_valid_postcode("1234 SS")
    False
    >>> normalize_country("Pays-Bas")
    'NL'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Literal, TypeVar

import numpy as np
import pandas as pd
import phonenumbers

from custmatch.normalize.text import factorize_text, object_frame, preclean, word_key
from custmatch.normalize.wordlists import load_mapping

__all__ = [
    "STATUSES",
    "Status",
    "is_valid_postcode",
    "normalize_country",
    "normalize_postcode",
    "postcode4",
    "postcode_column",
]

T = TypeVar("T")

#: Status of one normalised value; see the module docstring.
Status = Literal["empty", "valid", "repaired", "invalid"]

#: Every status value, in the order of the module docstring.
STATUSES: tuple[str, ...] = ("empty", "valid", "repaired", "invalid")

_POSTCODE = re.compile(r"(?:NL)?([1-9][0-9]{3})([A-Z]{2})")
_POSTCODE_JUNK = re.compile(r"[\s\-.]+")
_BANNED_LETTERS = frozenset({"SA", "SD", "SS"})


def status_of(clean: str | None, out: object) -> Status:
    """Status of one value from its pre-cleaned input and its output (shared, internal)."""
    if clean is None:
        return "empty"
    if out is None:
        return "invalid"
    return "valid" if out == clean else "repaired"


def factorize_values(values: pd.Series | Iterable[object]) -> tuple[pd.Series, np.ndarray, list]:
    """Series, factorize codes (``-1`` for null) and distinct values of a column (internal)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    codes, uniques = factorize_text(series)
    return series, codes, list(uniques)


def broadcast(codes: np.ndarray, per_unique: list[T], null_value: T) -> np.ndarray:
    """Object array of ``per_unique[code]`` per row, ``null_value`` where code is -1."""
    table = np.empty(len(per_unique) + 1, dtype=object)
    table[: len(per_unique)] = per_unique
    table[-1] = null_value
    return table[codes]


def _postcode_from_clean(text: str) -> str | None:
    compact = _POSTCODE_JUNK.sub("", text.upper())
    match = _POSTCODE.fullmatch(compact)
    if match is None or match.group(2) in _BANNED_LETTERS:
        return None
    return f"{match.group(1)} {match.group(2)}"


def normalize_postcode(text: object) -> str | None:
    """Canonical Dutch postcode ``"1234 AB"``, or ``None`` when it is not a valid one.

    Spaces, hyphens and dots are removed, letters upper-cased and a leading ``NL`` country
    prefix dropped. Digits must run ``1000``-``9999``; ``SA``, ``SD`` and ``SS`` are
    rejected; four digits without letters are invalid (never padded). Never raises.

    Args:
        text: Raw postcode (any type; non-strings are converted with ``str``).

    Returns:
        The postcode as ``"1234 AB"``, or ``None``.

    Example:
        >>> [normalize_postcode(s) for s in ["1234ab", "1234 - ab", "NL-1234 AB", "nl 1234ab"]]
        ['1234 AB', '1234 AB', '1234 AB', '1234 AB']
        >>> [normalize_postcode(s) for s in ["0123 AB", "1234 SS", "1234", None]]
        [None, None, None, None]
    """
    clean = preclean(text)
    if clean is None or len(clean) > 24:
        return None
    return _postcode_from_clean(clean)


def is_valid_postcode(text: object) -> bool:
    """Whether ``text`` holds a valid Dutch postcode in any accepted spelling. Never raises.

    Args:
        text: Raw postcode.

    Returns:
        ``True`` when :func:`normalize_postcode` gives a postcode.

    Example:
        >>> is_valid_postcode("1234 ab"), is_valid_postcode("1234 SD"), is_valid_postcode("1234")
        (True, False, False)
    """
    return normalize_postcode(text) is not None


def postcode4(text: object) -> str | None:
    """The four digits (PC4) of a valid Dutch postcode: a coarse blocking key.

    Args:
        text: Raw postcode.

    Returns:
        ``"1234"`` or ``None`` when the postcode is not valid.

    Example:
        >>> postcode4("1234ab"), postcode4("1234")
        ('1234', None)
    """
    postcode = normalize_postcode(text)
    return postcode[:4] if postcode else None


def postcode_column(values: pd.Series | Iterable[object]) -> pd.DataFrame:
    """Normalise a postcode column: one call per distinct value, then broadcast.

    Args:
        values: Raw postcodes (a Series keeps its index; other iterables get a range index).

    Returns:
        A DataFrame with the input's index and columns ``postcode`` (``"1234 AB"`` or
        ``None``) and ``postcode_status`` (see :data:`STATUSES`).

    Example:
        >>> postcode_column(["1234ab", "1234 AB", "1234", None]).to_dict("list")
        {'postcode': ['1234 AB', '1234 AB', None, None], 'postcode_status': ['repaired', \
'valid', 'invalid', 'empty']}
    """
    series, codes, uniques = factorize_values(values)
    out: list[str | None] = []
    status: list[Status] = []
    for value in uniques:
        clean = preclean(value)
        result = None if clean is None or len(clean) > 24 else _postcode_from_clean(clean)
        out.append(result)
        status.append(status_of(clean, result))
    return object_frame(
        {
            "postcode": broadcast(codes, out, None),
            "postcode_status": broadcast(codes, status, "empty"),
        },
        index=series.index,
    )


@functools.cache
def _country_table() -> dict[str, str]:
    table = {word_key(name) or "": code for name, code in load_mapping("countries.txt").items()}
    table.pop("", None)
    return table


@functools.cache
def _iso_codes() -> frozenset[str]:
    codes = set(phonenumbers.SUPPORTED_REGIONS) | set(_country_table().values())
    return frozenset(code for code in codes if len(code) == 2 and code.isalpha())


def normalize_country(text: object) -> str | None:
    """ISO 3166-1 alpha-2 code of a country name or code (Dutch, English, German, French).

    Names come from ``data/countries.txt``; any two-letter ISO code is accepted as itself.
    Unknown text gives ``None``. Never raises.

    Args:
        text: A country name (``"Nederland"``, ``"The Netherlands"``), alpha-2 or alpha-3 code.

    Returns:
        The alpha-2 code, e.g. ``"NL"``, or ``None``.

    Example:
        >>> [normalize_country(s) for s in ["Nederland", "NLD", "Holland", "België", "Duitsland"]]
        ['NL', 'NL', 'NL', 'BE', 'DE']
        >>> normalize_country("Atlantis") is None
        True
    """
    clean = preclean(text)
    if clean is None or len(clean) > 60:
        return None
    key = word_key(clean)
    if key is None:
        return None
    code = _country_table().get(key)
    if code is not None:
        return code
    upper = key.upper()
    if len(upper) == 2 and upper in _iso_codes():
        return upper
    return None


def column_over_uniques(
    values: pd.Series | Iterable[object], func: Callable[[object], str | None], name: str
) -> pd.DataFrame:
    """Generic ``<name>`` + ``<name>_status`` column for a scalar normalizer (internal)."""
    series, codes, uniques = factorize_values(values)
    out: list[str | None] = []
    status: list[Status] = []
    for value in uniques:
        result = func(value)
        out.append(result)
        status.append(status_of(preclean(value), result))
    return object_frame(
        {name: broadcast(codes, out, None), f"{name}_status": broadcast(codes, status, "empty")},
        index=series.index,
    )
