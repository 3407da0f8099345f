"""Dutch street names (openbare ruimte): display form and match key (dutch.md 2.3).

Display: abbreviations are expanded (suffixes at the end of the final word, ``Kerkstr.`` ->
``Kerkstraat``, from ``data/street_suffixes.txt``; title words, ``Burg.`` -> ``Burgemeester``,
``St.`` -> ``Sint``, from ``data/street_title_words.txt``), case and spacing are tidied, and
the small words of ``data/address_small_words.txt`` (``van``, ``de``, ``aan`` ...) are lower
case inside the name. ``St. Jansstraat`` becomes ``Sint Jansstraat`` (with a space; input
written ``Sint-Jansstraat`` keeps its hyphen; the key makes them equal). ``v.d.`` is tidied
but never expanded (van de/den/der). ``Pr.`` and ``Kon.`` stay abbreviated, since
Prins/Prinses and Koning/Koningin cannot be told apart; the key maps the full words to
``pr``/``kon`` instead (``data/street_key_words.txt``). The BAG spelling, when a lookup is
configured, wins over all of this (dutch.md 2.7).

Example:
    >>> normalize_street("burg. de withstr.")
    'Burgemeester de Withstraat'
    >>> street_key("Burg. v.d. Heuvelstr.")
    'burgemeesterheuvelstraat'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import pandas as pd

from custmatch.normalize.postcode import (
    column_over_uniques,
)
from custmatch.normalize.text import dutch_title, fold_accents, map_unique, preclean, text_key
from custmatch.normalize.wordlists import load_list, load_mapping

__all__ = ["normalize_street", "street_column", "street_key"]

MAX_LENGTH = 300
LETTER = re.compile(r"[^\W\d_]")
EDGE_PUNCT = " ,;:/-"
ROMAN = re.compile(r"(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})")
_DOT_SPACE = re.compile(r"(?<=[^\W\d_]{2})\.(?=[^\s.,;])|\.(?=[^\W\d_]{2})")
_ASCII_WORD = re.compile(r"[A-Za-z]+")
_ORDINAL = re.compile(r"[0-9]+(?:e|de|ste)")


@functools.cache
def small_words() -> frozenset[str]:
    """Lower-case small words inside street and place names (shared with the city module)."""
    return frozenset(w.casefold() for w in load_list("address_small_words.txt"))


@functools.cache
def _suffixes() -> tuple[tuple[str, str], ...]:
    pairs = [(k.casefold().rstrip("."), v) for k, v in load_mapping("street_suffixes.txt").items()]
    return tuple(sorted(pairs, key=lambda kv: -len(kv[0])))


@functools.cache
def _titles() -> dict[str, str]:
    return {k.casefold(): v for k, v in load_mapping("street_title_words.txt").items()}


@functools.cache
def _key_words() -> dict[str, str]:
    return {k.casefold(): v for k, v in load_mapping("street_key_words.txt").items()}


@functools.cache
def _key_drop() -> frozenset[str]:
    return frozenset(w.casefold() for w in load_list("street_key_drop_words.txt"))


def _title_of(token: str) -> str | None:
    """Expansion of a title word token (``Burg.``, ``St``, ``v.d.``), else ``None``."""
    bare = token.casefold()
    if bare.endswith(".") and bare.count(".") == 1:
        bare = bare[:-1]
    elif "." in bare:
        bare = bare.replace(".", "")
        if not token.endswith(".") or len(bare) != 2:
            return None  # only the dotted pair v.d. among multi-dot tokens
    return _titles().get(bare)


def _expand_suffix(token: str) -> str:
    """Expand a suffix abbreviation at the end of the final word (``Kerkstr.``)."""
    word = token[:-1] if token.endswith(".") else token
    if not word or not word[-1].isalpha():
        return token
    low = word.casefold()
    for abbr, full in _suffixes():
        if low.endswith(abbr) and len(low) >= len(abbr):
            stem = word[: len(word) - len(abbr)]
            if stem and not (stem[-1].isalpha() or stem[-1] in "-'"):
                continue
            if not stem:
                return full[:1].upper() + full[1:]
            return stem + (full.upper() if stem.isupper() and len(stem) > 1 else full)
    return token


def _case_token(token: str, first: bool) -> str:
    """Dutch casing of one word of a street name."""
    if not LETTER.search(token):
        return token
    low = token.casefold()
    if not first and low in small_words():
        return low
    if low in {"v.d.", "'s", "'t"}:
        return low
    if _ORDINAL.fullmatch(low):
        return low
    if len(token) <= 4 and ROMAN.fullmatch(token.upper()) and not (len(token) == 1 and first):
        return token.upper()
    rest = token[1:]
    if any(c.isupper() for c in rest) and any(c.islower() for c in token):
        return token  # deliberate inner capitals: IJssel, McDonald, Sint-Jansstraat
    if _ASCII_WORD.fullmatch(token):  # fast path, same result as dutch_title
        return "IJ" + low[2:] if low.startswith("ij") else low[:1].upper() + low[1:]
    return safe_title(token)


def safe_title(text: str, lower_words: frozenset[str] = frozenset()) -> str:
    """:func:`dutch_title`, unless it changes the length (``ß`` -> ``SS``: not idempotent)."""
    titled = dutch_title(text, lower_words)
    return titled if titled is not None and len(titled) == len(text) else text


@functools.lru_cache(maxsize=131072)
def _street_from_clean(clean: str) -> str | None:
    text = _DOT_SPACE.sub(". ", clean).strip(EDGE_PUNCT)
    text = re.sub(r"\s*,\s*", ", ", text)
    tokens = text.split()
    if not tokens or not LETTER.search(text):
        return None
    last = len(tokens) - 1
    out: list[str] = []
    for i, token in enumerate(tokens):
        if i < last:
            title = _title_of(token)
            if title is not None:
                out.append(title)
                continue
        else:
            token = _expand_suffix(token)
            if token.endswith(".") and token.count(".") == 1 and len(token) > 5:
                token = token[:-1].rstrip(EDGE_PUNCT)  # stray full stop after a full word
                if not token:
                    continue
        out.append(token)
    cased = [_case_token(tok, i == 0) for i, tok in enumerate(out)]
    return " ".join(cased)


def normalize_street(text: object) -> str | None:
    """Display form of a street name: abbreviations expanded, Dutch case, single spaces.

    Never raises; returns ``None`` for empty input or text without letters. Idempotent.

    Args:
        text: Raw street name (without house number).

    Returns:
        The tidied street name, or ``None``.

    Example:
        >>> normalize_street("burg. de withstr.")
        'Burgemeester de Withstraat'
        >>> [normalize_street(s) for s in ["KERKSTRAAT", "St. Jansstraat", "Kon. Julianaln"]]
        ['Kerkstraat', 'Sint Jansstraat', 'Kon. Julianalaan']
    """
    clean = preclean(text)
    if clean is None or len(clean) > MAX_LENGTH:
        return None
    return _street_from_clean(clean)


@functools.lru_cache(maxsize=131072)
def _street_key_from_display(display: str) -> str | None:
    words: list[str] = []
    drop = _key_drop()
    rewrite = _key_words()
    for token in fold_accents(display).casefold().split():
        if token in drop:
            continue
        bare = token.rstrip(".")
        words.append(rewrite.get(bare, token))
    key = text_key(" ".join(words)) if words else None
    return key or text_key(display)


def street_key(text: object) -> str | None:
    """Match key of a street name (dutch.md 2.3).

    Casefolded, accents folded, abbreviations expanded, standalone prefix words (``van``,
    ``de``, ``den``, ``der``, ``v.``, ``v.d.``, ``vd``) dropped, then spaces, dots and
    hyphens removed. ``Prins``/``Prinses``/``Pr.`` key as ``pr`` and ``Koning``/
    ``Koningin``/``Kon.`` as ``kon`` (single words such as ``Koninginnegracht`` are kept).

    Args:
        text: Raw or normalised street name.

    Returns:
        The key, or ``None``.

    Example:
        >>> {street_key(s) for s in ["St. Jansstraat", "Sint-Jansstraat", "Sint Jansstraat"]}
        {'sintjansstraat'}
        >>> street_key("Burg. v.d. Heuvelstr.")
        'burgemeesterheuvelstraat'
        >>> street_key("Kon. Wilhelminalaan") == street_key("Koningin Wilhelminalaan")
        True
    """
    display = normalize_street(text)
    return None if display is None else _street_key_from_display(display)



def street_column(values: pd.Series | Iterable[object]) -> pd.DataFrame:
    """Normalise a street column over its distinct values.

    Args:
        values: Raw street names.

    Returns:
        DataFrame (input index) with ``street``, ``street_key`` and ``street_status``.

    Example:
        >>> street_column(["Kerkstr.", "Kerkstraat", None]).to_dict("list")
        {'street': ['Kerkstraat', 'Kerkstraat', None], 'street_key': ['kerkstraat', \
'kerkstraat', None], 'street_status': ['repaired', 'valid', 'empty']}
    """
    frame = column_over_uniques(values, normalize_street, "street")
    keys = map_unique(frame["street"], lambda v: _street_key_from_display(v) if v else None)
    frame.insert(1, "street_key", pd.Series(keys, index=frame.index, dtype=object))
    return frame
