"""A Dutch phonetic key for surnames (dutch.md 1.6).

Soundex, Metaphone and NYSIIS follow English spelling: they split ``Meijer`` from ``Meyer``
and read ``ch`` as in *church*. This key folds the Dutch spelling variants instead
(``ij``/``ei``/``y``, ``sch`` at the end, ``ck``, ``dt``, doubled letters). The text is
casefolded, accents are folded, only the letters ``a``-``z`` are kept, and then the rewrite
list below is applied in order, repeatedly, until the string stops changing. The result is
therefore a fixed point of the rewrites, which makes the key idempotent.

Patronymic endings (``Gerrits``/``Gerritsen``, ``Janssen``/``Janssens``) and ``ie``/``i`` are
deliberately *not* folded: they are different registered names.

This module works on a bare word. :func:`custmatch.normalize.names.dutch_phonetic` first
strips the tussenvoegsel (``van den Bosch`` -> ``Bosch``) and then calls :func:`sound_key`.

Example:
    >>> [sound_key(s) for s in ("Meijer", "Meyer", "Meier", "Bosch", "IJzendoorn")]
    ['meier', 'meier', 'meier', 'bos', 'eisendorn']
"""

from __future__ import annotations

import re
from collections.abc import Callable

from custmatch.normalize.text import fold_accents

__all__ = ["sound_key"]

_NON_LETTERS = re.compile(r"[^a-z]+")


def _rule(pattern: str, table: dict[str, str]) -> Callable[[str], str]:
    regex = re.compile(pattern)

    def apply(text: str) -> str:
        return regex.sub(lambda m: table[m.group(0)], text)

    return apply


def _simple(pattern: str, repl: str) -> Callable[[str], str]:
    regex = re.compile(pattern)
    return lambda text: regex.sub(repl, text)


# The rewrite list of dutch.md 1.6, in order. Alternations list longer spellings first, so
# that ``aaij`` is rewritten as a whole before ``aij`` could match inside it.
_REWRITES: tuple[Callable[[str], str], ...] = (
    _simple(r"sch$", "s"),  # 1. Bosch = Bos
    _simple(r"sch", "sg"),  #    Schouten
    _simple(r"ae", "a"),  # 2. Maes = Maas
    _rule(  # 3. Raaijmakers, Mooij, Huygens
        r"aaij|aay|aij|ay|ooij|ooy|oij|oy|uij|uy",
        {"aaij": "ai", "aay": "ai", "aij": "ai", "ay": "ai", "ooij": "oi", "ooy": "oi",
         "oij": "oi", "oy": "oi", "uij": "ui", "uy": "ui"},
    ),
    _rule(r"eij|ey|ij|y", {"eij": "ei", "ey": "ei", "ij": "ei", "y": "ei"}),  # 4. Meijer = Meyer
    _rule(  # 5. consonant spellings
        r"ch|gh|ph|th|ck|qu|q|x|c",
        {"ch": "g", "gh": "g", "ph": "f", "th": "t", "ck": "k", "qu": "kw", "q": "k",
         "x": "ks", "c": "k"},
    ),
    _rule(r"au|z|v", {"au": "ou", "z": "s", "v": "f"}),  # 6.
    _simple(r"dt$", "t"),  # 7. Smidt = Smit
    _simple(r"d$", "t"),  #    Smid = Smit
    _simple(r"(.)\1+", r"\1"),  # 8. collapse doubled letters
)

_MAX_ROUNDS = 50  # every rewrite removes a letter or a spelling, so a few rounds suffice


def sound_key(text: str | None) -> str | None:
    """Dutch phonetic key of one word (no tussenvoegsel handling).

    Args:
        text: A surname core such as ``"Huygens"``; anything else is accepted too.

    Returns:
        The key (lowercase letters ``a``-``z`` only), or ``None`` when the text holds no
        letters ``a``-``z`` after accent folding.

    Example:
        >>> sound_key("Huygens"), sound_key("Smidt"), sound_key("Hendrix"), sound_key("Jongh")
        ('huigens', 'smit', 'hendriks', 'jong')
        >>> sound_key("Janssen"), sound_key("Janssens")
        ('jansen', 'jansens')
    """
    if not text:
        return None
    if not text.isascii():
        text = fold_accents(text)
    key = _NON_LETTERS.sub("", text.casefold())
    if not key.isascii():  # casefold can produce non-ASCII (rare); fold again
        key = _NON_LETTERS.sub("", fold_accents(key))
    if not key:
        return None
    for _ in range(_MAX_ROUNDS):
        before = key
        for rewrite in _REWRITES:
            key = rewrite(key)
        if key == before:
            break
    return key
