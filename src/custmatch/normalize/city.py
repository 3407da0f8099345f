"""Dutch place names (woonplaats): display form, official names for aliases, match key.

Display casing follows Dutch rules (dutch.md 2.5): ``'s-Gravenhage`` (lower-case ``'s``,
then a hyphen), ``IJmuiden``, ``Den Helder``, ``Bergen op Zoom``; the small words of
``data/address_small_words.txt`` are lower case inside a name. Aliases resolve to the
official BAG name through ``data/city_aliases.txt`` only (``Den Haag`` -> ``'s-Gravenhage``,
``Alphen a/d Rijn`` -> ``Alphen aan den Rijn``, Frisian doubles such as ``Snits`` ->
``Sneek``); ``a/d`` is never guessed. ``Den Helder`` is a real name: ``Den`` is never
stripped. Some names occur more than once (``Hengelo``, ``Bergen``), so a place alone is
weak evidence; prefer the postcode.

Example:
    >>> normalize_city("'s Gravenhage"), city_key("Den Haag")
    ("'s-Gravenhage", 'sgravenhage')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import pandas as pd

from custmatch.normalize.postcode import (
    column_over_uniques,
    normalize_postcode,
)
from custmatch.normalize.street import EDGE_PUNCT, LETTER, MAX_LENGTH, safe_title, small_words
from custmatch.normalize.text import map_unique, preclean, text_key, word_key
from custmatch.normalize.wordlists import load_mapping

__all__ = ["city_column", "city_key", "normalize_city", "postal_line"]

_LEADING_POSTCODE = re.compile(
    r"(?:NL[\s-]*)?[1-9][0-9]{3}\s?-?\s?[A-Z]{2}(?![^\W\d_])\s*|[0-9]{4,5}\s+", re.IGNORECASE
)
_SHORT_PAREN = re.compile(r"\(([^\W\d_]{1,3})\)")


@functools.cache
def _city_aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    mapping = load_mapping("city_aliases.txt")
    for official in mapping.values():
        key = word_key(official)
        if key:
            table[key] = official
    for alias, official in mapping.items():
        key = word_key(alias)
        if key:
            table[key] = official
    return table


@functools.lru_cache(maxsize=65536)
def _city_from_clean(clean: str) -> str | None:
    text = clean
    lead = _LEADING_POSTCODE.match(text)
    if lead is not None and LETTER.search(text[lead.end() :]):
        text = text[lead.end() :]
    text = text.strip(EDGE_PUNCT + ".")
    if not LETTER.search(text):
        return None
    key = word_key(text)
    if key is not None:
        official = _city_aliases().get(key)
        if official is not None:
            return official
    display = safe_title(text, small_words())
    return _SHORT_PAREN.sub(lambda m: f"({m.group(1).upper()})", display)


def normalize_city(text: object) -> str | None:
    """Display form of a place name (woonplaats): Dutch case and official names for aliases.

    Never raises; ``None`` for empty input or text without letters. A leading postcode is
    dropped (``"1234 AB Amsterdam"``). Idempotent.

    Args:
        text: Raw place name.

    Returns:
        The official or tidied place name, or ``None``.

    Example:
        >>> [normalize_city(s) for s in ["AMSTERDAM", "IJMUIDEN", "bergen op zoom", "den helder"]]
        ['Amsterdam', 'IJmuiden', 'Bergen op Zoom', 'Den Helder']
        >>> [normalize_city(s) for s in ["Den Haag", "den bosch", "Alphen a/d Rijn", "Snits"]]
        ["'s-Gravenhage", "'s-Hertogenbosch", 'Alphen aan den Rijn', 'Sneek']
    """
    clean = preclean(text)
    if clean is None or len(clean) > MAX_LENGTH:
        return None
    return _city_from_clean(clean)


def city_key(text: object) -> str | None:
    """Match key of a place name: aliases resolved, casefolded, accents and punctuation gone.

    Args:
        text: Raw or normalised place name.

    Returns:
        The key, or ``None``.

    Example:
        >>> city_key("'s-Gravenhage"), city_key("Den Haag"), city_key("IJmuiden")
        ('sgravenhage', 'sgravenhage', 'ijmuiden')
    """
    return text_key(normalize_city(text))


def postal_line(postcode: object, city: object) -> str | None:
    """PostNL postcode line: postcode, two spaces, place name in capitals.

    Args:
        postcode: Raw or canonical postcode.
        city: Raw or canonical place name.

    Returns:
        ``"1234 AB  AMSTERDAM"``; ``None`` when both parts are missing.

    Example:
        >>> postal_line("1971ab", "ijmuiden")
        '1971 AB  IJMUIDEN'
    """
    parts = [normalize_postcode(postcode), normalize_city(city)]
    text = "  ".join(p for p in parts if p)
    return text.upper() or None



def city_column(values: pd.Series | Iterable[object]) -> pd.DataFrame:
    """Normalise a place-name column over its distinct values.

    Args:
        values: Raw place names.

    Returns:
        DataFrame (input index) with ``city``, ``city_key`` and ``city_status``.

    Example:
        >>> city_column(["Den Haag", "Amsterdam", ""]).to_dict("list")
        {'city': ["'s-Gravenhage", 'Amsterdam', None], 'city_key': ['sgravenhage', \
'amsterdam', None], 'city_status': ['repaired', 'valid', 'empty']}
    """
    frame = column_over_uniques(values, normalize_city, "city")
    keys = map_unique(frame["city"], text_key)
    frame.insert(1, "city_key", pd.Series(keys, index=frame.index, dtype=object))
    return frame
