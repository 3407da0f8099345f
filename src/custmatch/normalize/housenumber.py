"""Dutch house numbers (huisnummer) and additions (huisletter + huisnummertoevoeging).

The BAG (Kadaster) registers an integer ``huisnummer`` 1-99999, at most one ``huisletter``
and a ``huisnummertoevoeging`` of up to four letters or digits. Hyphens and slashes are display
only (dutch.md 2.2). custmatch returns the number as an ``int`` and the addition as one
upper-case token **without separators**: ``12a-2`` -> ``(12, "A2")``. (dutch.md 2.2 joins
the tokens with a space; the match key drops it anyway, and the issue asks for no separators.)

Canonical addition words (``data/house_number_words.txt``): ``HS`` (huis, ground floor),
``BG`` (begane grond, bel-etage), ``BOVEN``, ``BENEDEN``, ``BIS``; floors written
``3 hoog``/``3e etage``/``3hg`` become the digit ``3`` (``data/house_number_floor_words.txt``);
Roman floor numerals (``I``, ``II``, ``III``) and local codes (``RD``, ``ZW``) are kept as
given. Ranges (``12 t/m 14``) give the first number; :func:`parse_house_number_range` also
returns the end. ``12-14`` is ambiguous (a range of business premises, or flat 14): when the
second number is larger with the same parity it is read as a range and flagged ``ambiguous``.

For comparison, :func:`addition_key` maps ``II``/``III``/``IV`` to ``2``/``3``/``4`` and
``BG`` to ``HS``, so compatible additions get equal keys.

Example:
    >>> parse_house_number("12a-2")
    (12, 'A2')
    >>> parse_house_number_range("12 t/m 14")
    HouseNumber(number=12, addition=None, number_to=14, ambiguous=False)
    >>> addition_key("III") == addition_key("3")
    True
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import pandas as pd

from custmatch.errors import InputError
from custmatch.normalize.postcode import Status, broadcast, factorize_values
from custmatch.normalize.text import object_frame, preclean
from custmatch.normalize.wordlists import load_list, load_mapping

__all__ = [
    "HouseNumber",
    "addition_key",
    "format_house_number",
    "house_number_column",
    "parse_house_number",
    "parse_house_number_range",
]

MAX_HOUSE_NUMBER = 99999

_LEAD_WORD = re.compile(r"(?:huisnummer|huisnr|nummer|nr|no|n°|#)\s*[.:]?\s*", re.IGNORECASE)
_NUMBER = re.compile(r"([0-9]{1,8})(?![0-9])(.*)", re.DOTALL)
_RANGE = re.compile(r"\s*(?:t\s*/\s*m|t\.\s*m\.?|tm|tot\s+en\s+met|tot)\s*([0-9]{1,8})\s*", re.I)
_HYPHEN_NUMBER = re.compile(r"\s*-\s*([0-9]{1,8})\s*")
_PHRASES = (
    (re.compile(r"bel[\s\-]*[eé]tage", re.I), " beletage "),
    (re.compile(r"begane[\s\-]*grond", re.I), " bg "),
)
_TOKEN = re.compile(r"[^\W\d_]+|[0-9]+")
_ROMAN_KEY = {"II": "2", "III": "3", "IV": "4", "V": "5", "VI": "6"}


class HouseNumber(NamedTuple):
    """A parsed house number.

    Attributes:
        number: The house number, 1-99999, or ``None`` when there is none.
        addition: The canonical addition (``"A"``, ``"A2"``, ``"HS"``, ``"3"``) or ``None``.
        number_to: End of a range (``12 t/m 14`` -> 14), else ``None``.
        ambiguous: ``True`` for ``12-14``-style input read as a range (could be flat 14).
    """

    number: int | None
    addition: str | None
    number_to: int | None
    ambiguous: bool


_NONE = HouseNumber(None, None, None, False)


@functools.cache
def _words() -> dict[str, str]:
    return {key.casefold(): value for key, value in load_mapping("house_number_words.txt").items()}


@functools.cache
def _floor_words() -> frozenset[str]:
    return frozenset(word.casefold() for word in load_list("house_number_floor_words.txt"))


def _canonical_tokens(rest: str) -> list[str]:
    """Upper-case addition tokens of the text after the number (no range handling)."""
    text = rest
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    raw = _TOKEN.findall(text.casefold())
    words = _words()
    floors = _floor_words()
    out: list[str] = []
    i = 0
    while i < len(raw):
        tok = raw[i]
        if tok.isascii() and tok.isdigit():
            out.append(str(int(tok)) if len(tok) <= 8 else tok)
            # "3e etage", "3 hoog", "3-hoog", "3hg", "2de verdieping": keep the floor digit
            j = i + 1
            if j < len(raw) and raw[j] in {"e", "de", "ste"} and j + 1 < len(raw) and (
                raw[j + 1] in floors
            ):
                j += 1
            if j < len(raw) and raw[j] in floors:
                i = j + 1
                continue
            i += 1
            continue
        out.append(words.get(tok, tok.upper()))
        i += 1
    return out


def _parse_once(text: str) -> HouseNumber:
    """Parse pre-cleaned text once (see :func:`_parse_clean` for the fixpoint)."""
    lead = _LEAD_WORD.match(text)
    if lead is not None and lead.end() < len(text) and text[lead.end()] in "0123456789":
        text = text[lead.end() :]
    match = _NUMBER.match(text)
    if match is None:
        return _NONE
    number = int(match.group(1))
    if not 1 <= number <= MAX_HOUSE_NUMBER:
        return _NONE
    rest = match.group(2)
    ranged = _RANGE.fullmatch(rest)
    if ranged is not None:
        end = int(ranged.group(1))
        if number < end <= MAX_HOUSE_NUMBER:
            return HouseNumber(number, None, end, False)
        return HouseNumber(number, None, None, False)
    hyphen = _HYPHEN_NUMBER.fullmatch(rest)
    if hyphen is not None:
        end = int(hyphen.group(1))
        if number < end <= MAX_HOUSE_NUMBER and (end - number) % 2 == 0:
            return HouseNumber(number, None, end, True)
    addition = "".join(_canonical_tokens(rest)) or None
    return HouseNumber(number, addition, None, False)


@functools.lru_cache(maxsize=65536)
def _parse_clean(text: str) -> HouseNumber:
    """Parse, then re-parse the rendered result until it is stable.

    Joining tokens without separators can create a new token on re-reading (``"3 hoo g"`` ->
    ``"3HOOG"``), so the canonical form is the fixpoint of parse-render-parse.
    """
    result = _parse_once(text)
    for _ in range(4):
        rendered = format_house_number(result.number, result.addition, result.number_to)
        if rendered is None:
            break
        again = _parse_once(rendered)
        if again[:3] == result[:3]:
            break
        result = again._replace(ambiguous=result.ambiguous)
    return result


def _clean_input(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value == value and not value.is_integer():
        return None
    clean = preclean(value)
    if clean is None or len(clean) > 64:
        return None
    return clean


def parse_house_number_range(value: object) -> HouseNumber:
    """Parse a house number with its addition, range end and ambiguity flag. Never raises.

    Args:
        value: Raw house number: text (``"12a-2"``, ``"12 t/m 14"``), or an int/float from a
            CSV column.

    Returns:
        A :class:`HouseNumber`; all fields ``None`` (and ``ambiguous=False``) when there is
        no number 1-99999 at the start of the text.

    Example:
        >>> parse_house_number_range("12-14")
        HouseNumber(number=12, addition=None, number_to=14, ambiguous=True)
        >>> parse_house_number_range(12.0)
        HouseNumber(number=12, addition=None, number_to=None, ambiguous=False)
    """
    clean = _clean_input(value)
    return _NONE if clean is None else _parse_clean(clean)


def parse_house_number(value: object) -> tuple[int | None, str | None]:
    """Split a house number into the number and the canonical addition. Never raises.

    Args:
        value: Raw house number (text, int or float).

    Returns:
        ``(number, addition)``; ``(None, None)`` when there is no number 1-99999 at the
        start. Ranges give the first number (use :func:`parse_house_number_range` for the end).

    Example:
        >>> [parse_house_number(s) for s in ["12a", "12-2", "12 A 2", "12 hs", "12 3 hoog"]]
        [(12, 'A'), (12, '2'), (12, 'A2'), (12, 'HS'), (12, '3')]
        >>> parse_house_number("abc"), parse_house_number(0), parse_house_number(7)
        ((None, None), (None, None), (7, None))
    """
    parsed = parse_house_number_range(value)
    return parsed.number, parsed.addition


def format_house_number(
    number: int | None, addition: str | None = None, number_to: int | None = None
) -> str | None:
    """Display form of a parsed house number: ``"12"``, ``"12 A2"``, ``"12 t/m 14"``.

    The result parses back to the same ``(number, addition)``.

    Args:
        number: House number (``None`` gives ``None``).
        addition: Canonical addition.
        number_to: End of a range.

    Returns:
        The display string, or ``None`` without a number.

    Example:
        >>> format_house_number(12, "A2"), format_house_number(12, number_to=14)
        ('12 A2', '12 t/m 14')
    """
    if number is None:
        return None
    text = str(number)
    if addition:
        text += f" {addition}"
    if number_to is not None:
        text += f" t/m {number_to}"
    return text


def addition_key(addition: object) -> str | None:
    """Comparison key of an addition: Roman floors as digits, ``BG`` as ``HS``.

    ``II`` ~ ``2``, ``III`` ~ ``3``, ``IV`` ~ ``4``; ``BG`` (begane grond) and ``HS``
    (huis) both mean the ground-floor dwelling. A single ``I`` stays ``I`` (it may be a
    huisletter). Raw text is canonicalised first, so ``"bel-etage"`` works too. The later
    comparison stage compares additions by this key; ``None`` means "no addition".

    Args:
        addition: A canonical or raw addition.

    Returns:
        The key, or ``None`` for an empty addition.

    Example:
        >>> addition_key("II"), addition_key("BG"), addition_key("hs"), addition_key("A 2")
        ('2', 'HS', 'HS', 'A2')
    """
    clean = _clean_input(addition)
    if clean is None:
        return None
    parsed = _parse_clean(f"1 {clean}")
    canonical = parsed.addition
    if canonical is None:
        return None
    if canonical in _ROMAN_KEY:
        return _ROMAN_KEY[canonical]
    if canonical == "BG":
        return "HS"
    return canonical


def _house_status(clean: str | None, value: object, parsed: HouseNumber) -> Status:
    if clean is None:
        return "empty"
    if parsed.number is None:
        return "invalid"
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return "valid"
    rendered = format_house_number(parsed.number, parsed.addition, parsed.number_to)
    return "valid" if rendered == clean and not parsed.ambiguous else "repaired"


def house_number_column(
    values: pd.Series | Iterable[object], *, addition: pd.Series | Iterable[object] | None = None
) -> pd.DataFrame:
    """Parse a house-number column, one call per distinct value.

    Args:
        values: Raw house numbers (text or numbers).
        addition: Optional separate addition column (``Toevoeging``), aligned with
            ``values``; when given, each row is parsed as ``"<number> <addition>"``.

    Returns:
        A DataFrame with the input's index and columns ``house_number`` (nullable
        ``Int64``), ``house_number_addition`` (str or ``None``), ``house_number_to``
        (``Int64``, range end) and ``house_number_status`` (``"empty"``, ``"valid"``,
        ``"repaired"``, ``"invalid"``; ambiguous ``12-14`` ranges count as repaired).

    Example:
        >>> df = house_number_column(["12a", "12", 7, None, "abc"])
        >>> df["house_number"].tolist(), df["house_number_addition"].tolist()
        ([12, 12, 7, <NA>, <NA>], ['A', None, None, None, None])
        >>> df["house_number_status"].tolist()
        ['repaired', 'valid', 'valid', 'empty', 'invalid']
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if addition is not None:
        extra = addition if isinstance(addition, pd.Series) else pd.Series(list(addition))
        extra_text = np.array([preclean(v) for v in extra.tolist()], dtype=object)
        base = series.to_numpy(dtype=object)
        if len(extra_text) != len(base):
            raise InputError(
                "house number and addition columns differ in length: "
                f"{len(base)} vs {len(extra_text)}"
            )
        combined = base.copy()
        for i in np.flatnonzero(pd.notna(extra_text)):
            head = preclean(base[i])
            combined[i] = f"{head} {extra_text[i]}" if head is not None else None
        series = pd.Series(combined, index=series.index, dtype=object)
    series, codes, uniques = factorize_values(series)
    numbers: list[int | None] = []
    adds: list[str | None] = []
    ends: list[int | None] = []
    status: list[Status] = []
    for value in uniques:
        clean = _clean_input(value)
        parsed = _NONE if clean is None else _parse_clean(clean)
        numbers.append(parsed.number)
        adds.append(parsed.addition)
        ends.append(parsed.number_to)
        status.append(_house_status(preclean(value), value, parsed))
    return object_frame(
        {
            "house_number": pd.array(broadcast(codes, numbers, None), dtype="Int64"),
            "house_number_addition": broadcast(codes, adds, None),
            "house_number_to": pd.array(broadcast(codes, ends, None), dtype="Int64"),
            "house_number_status": broadcast(codes, status, "empty"),
        },
        index=series.index,
    )
