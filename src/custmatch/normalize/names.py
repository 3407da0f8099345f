"""Dutch person and organisation names: parse, normalise, match keys (dutch.md 1).

:func:`parse_name` splits one free-text name line (``Dhr. J.H. van der Berg``,
``Berg, J.H. van der``, ``Mw. A. Jansen geb. de Vries``, ``Stichting De Zonnebloem, t.a.v.
dhr. P. de Vries``) into :class:`NameParts`; :func:`name_from_parts` does the same for sources
with split columns. :func:`name_column` and :func:`name_parts_column` are the vectorised
versions that work over unique values. Word lists (tussenvoegsels, titles, legal forms, ...)
live in ``normalize/data/`` and load once per process.

Conventions of the parts:

* ``initials``: letters only, upper case, one letter per given name (``Th.J.`` -> ``TJ``).
  ``IJ`` counts as one letter, so ``IJsbrand`` gives ``IJ``; the canonical form cannot tell
  ``I.J.`` from ``IJ.`` (both are ``IJ``). :func:`format_initials` gives ``J.H.``.
* ``prefix`` (tussenvoegsel) lower case (``van der``); the ambiguous ``v.d.``/``vd``/``v/d``
  family is kept as ``v.d.`` with flag ``ambiguous_prefix``.
* ``surname`` is the core surname in Dutch casing (``Berg``, ``IJzendoorn``, ``Ancona``).
  A hyphenated surname is split: the part written first goes to ``prefix``/``surname``, the
  second to ``partner_prefix``/``partner_surname``. The order as written says nothing about
  which part is the birth name. With the markers ``e/v``, ``echtg.``, ``wed.`` the name after
  the marker is the partner's; with ``geb.`` it is the own (birth) name.
* ``title``: pre-nominal titles in canonical form (``prof. dr. ir. mr. drs. ing. bc. ds. jhr.
  jkvr.``), in input order, then post-nominals (``MSc``, ``MBA``, ``jr.``), joined by spaces.
  ``mr.`` is the Dutch law degree and gives no gender.
* ``flags``: ``ambiguous_prefix``, ``prefix_expanded``, ``hyphenated``, ``reversed``
  (surname written first), ``widow``, ``care_of``, ``contact`` (a contact person of the
  organisation), ``multiple_persons``, ``in_formation`` (``i.o.``), ``trade_name``
  (``h.o.d.n.``), ``recased``, ``junk_removed``, ``unknown_prefix``, ``placeholder``.

Example:
    >>> p = parse_name("Dhr. J.H. van der Berg")
    >>> p.initials, p.prefix, p.surname, p.gender
    ('JH', 'van der', 'Berg', 'M')
    >>> display_name(p), sort_name(p)
    ('J.H. van der Berg', 'Berg, J.H. van der')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from functools import partial
from typing import NamedTuple

import numpy as np
import pandas as pd

from custmatch.normalize.phonetic import sound_key
from custmatch.normalize.text import (
    dutch_title,
    factorize_text,
    fold_accents,
    object_frame,
    parallel_map,
    preclean,
    text_key,
    word_key,
)
from custmatch.normalize.wordlists import load_list, load_mapping

__all__ = [
    "NAME_COLUMNS",
    "NAME_FIELDS",
    "NameParts",
    "display_name",
    "dutch_phonetic",
    "format_initials",
    "full_surname_key",
    "name_column",
    "name_fields_column",
    "name_fields_table",
    "name_from_parts",
    "name_parts_column",
    "name_status",
    "normalize_initials",
    "official_names",
    "organisation_key",
    "parse_name",
    "sort_name",
    "surname_key",
    "surname_keys",
]


class NameParts(NamedTuple):
    """The parts of one name line; every field is ``None``/empty when unknown."""

    title: str | None = None
    first_name: str | None = None
    initials: str | None = None
    prefix: str | None = None
    surname: str | None = None
    partner_prefix: str | None = None
    partner_surname: str | None = None
    organisation: str | None = None
    legal_form: str | None = None
    gender: str | None = None
    household: bool = False
    flags: tuple[str, ...] = ()
    trade_name: str | None = None


_EMPTY = NameParts()

#: Columns of :func:`name_column` and :func:`name_parts_column`, in order.
NAME_COLUMNS: tuple[str, ...] = (
    "title", "first_name", "initials", "prefix", "surname", "partner_prefix",
    "partner_surname", "organisation", "legal_form", "gender", "name_flags", "surname_key",
    "surname_phonetic", "partner_surname_key", "organisation_key", "name_status",
)

_REPAIR_FLAGS = frozenset({"recased", "junk_removed", "prefix_expanded"})
_LEADING_FORMS = frozenset(
    {"Stichting", "Vereniging", "Coöperatie", "Maatschap", "Eenmanszaak", "VvE", "Kerkgenootschap"}
)
_LIABILITY = frozenset({"U.A.", "W.A.", "B.A."})
_VOWELS = frozenset("AEIOUY")

# ---------------------------------------------------------------------------------------
# word lists


class _Lex:
    """All name word lists, loaded once (see :func:`_lex`)."""

    def __init__(self) -> None:
        def phrases(mapping: dict[str, str]) -> dict[tuple[str, ...], str]:
            return {tuple(k.split()): v for k, v in mapping.items()}

        self.prefixes: dict[tuple[str, ...], str] = {
            tuple(p.split()): p for p in load_list("tussenvoegsels.txt")
        }
        self.prefix_words = frozenset(w for key in self.prefixes for w in key)
        self.abbrevs = {
            tuple(_key(w) for w in k.split()): v
            for k, v in load_mapping("prefix_abbreviations.txt").items()
        }
        self.salutations = phrases(load_mapping("salutations.txt"))
        self.titles = load_mapping("titles.txt")
        self.postnominals = load_mapping("postnominals.txt")
        self.legal = phrases(load_mapping("legal_forms.txt"))
        self.legal_first = frozenset({k[0] for k in self.legal} | {"io", "in"})
        self.markers = phrases(load_mapping("name_markers.txt"))
        self.marker_first = frozenset(k[0] for k in self.markers)
        self.first_names = frozenset(load_list("first_names.txt"))
        self.placeholders = frozenset(load_list("name_placeholders.txt"))
        words = load_list("organisation_words.txt")
        self.org_words = frozenset(w for w in words if not w.startswith("*"))
        self.org_suffixes = tuple(w[1:] for w in words if w.startswith("*"))
        self.org_abbrevs = load_mapping("organisation_abbreviations.txt")
        # fast path (see _fast_parse): words that need the full parser
        self.special = frozenset(
            {k[0] for table in (self.prefixes, self.abbrevs, self.salutations, self.legal,
                                self.markers) for k in table}
            | set(self.titles) | set(self.postnominals) | self.org_words | self.placeholders
        )
        sal = sorted((k for k, v in self.salutations.items() if v in "MF"), key=len, reverse=True)
        words = sorted((k for k in self.prefixes if k[0].isalpha() and "'" not in k[-1]),
                       key=len, reverse=True)
        self.fast = re.compile(
            r"(?:(?P<sal>(?i:" + "|".join(r"\.?\s".join(map(re.escape, k)) for k in sal)
            + r"))\.?\s)?"
            r"(?P<given>(?:[A-Z]\.){1,6}|[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s"
            r"(?:(?P<prefix>" + "|".join(r"\s".join(map(re.escape, k)) for k in words)
            + r")\s)?(?P<core>[A-Z][a-z]{1,40})"
        )
        self.nicknames = {
            k: tuple(v.strip() for v in value.split(","))
            for k, value in load_mapping("nicknames.txt").items()
        }


@functools.cache
def _lex() -> _Lex:
    return _Lex()


# ---------------------------------------------------------------------------------------
# token helpers

_JUNK = re.compile(r"[^\w\s'.,/&()\"-]|[\d_]")
_SPACES = re.compile(r"\s+")
_HYPHEN_SPACES = re.compile(r"\s*-\s*")
_COMMA = re.compile(r"\s*,\s*")
_BRACKET = re.compile(r"\(([^()]*)\)|\"([^\"]*)\"|(?<!\w)'([^\W\d_]{2,}(?:-[^\W\d_]+)*)'(?!\w)")
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:[-'][^\W\d_]+)*$")
_DOTTED = re.compile(r"^(?:(?:IJ|Ij|ij|[A-Z][a-z]{1,3}|[^\W\d_])\.)+(?:IJ|[^\W\d_])?$")
_SEGMENT = re.compile(r"IJ|Ij|ij|[^\W\d_][a-z]*")
_GLUED = re.compile(r"^([dDlL]')([^\W\d_].*)$")
_SPLIT_HYPHEN = re.compile(r"(?<!'s)(?<!'t)(?<!'S)(?<!'T)-")
_LETTER = re.compile(r"[^\W\d_]")
_STRIP_PUNCT = " ,.-&/;:"
_PLACEHOLDER_CHARS = re.compile(r"[^0-9a-z]+")


@functools.lru_cache(maxsize=1 << 16)
def _key(token: str) -> str:
    """Lookup key of a token: lower case, accents folded, dots and edge punctuation removed."""
    if not token.isascii():
        token = fold_accents(token)
    return token.lower().replace(".", "").strip(",;:")


_FIRST: dict[int, frozenset[str]] = {}


def _match(
    keys: Sequence[str], i: int, table: dict[tuple[str, ...], str], longest: int = 4
) -> tuple[str, int] | None:
    first = _FIRST.get(id(table))
    if first is None:
        first = _FIRST[id(table)] = frozenset(key[0] for key in table)
    if keys[i] not in first:
        return None
    for n in range(min(longest, len(keys) - i), 0, -1):
        value = table.get(tuple(keys[i : i + n]))
        if value is not None:
            return value, n
    return None


@functools.lru_cache(maxsize=1 << 17)
def _initials_score(token: str) -> int:
    """How surely a token is initials: 3 dotted/single letter, 2/1 all-caps, 0 no."""
    if len(token) == 1:
        return 3 if token.isalpha() else 0
    if "." in token:
        return 3 if _DOTTED.match(token) else 0
    if 2 <= len(token) <= 4 and token.isalpha() and token.isupper():
        if token.lower() in _lex().first_names:
            return 0
        return 1 if any(c in _VOWELS for c in token) else 2
    return 0


@functools.lru_cache(maxsize=1 << 17)
def _initial_letters(token: str) -> str:
    """Canonical initials of one token: initials notation or a spelled-out given name."""
    if "." in token or (token.isupper() and len(token) <= 4) or len(token) == 1:
        segments = _SEGMENT.findall(token) if "." in token else list(token.replace("IJ", "\0"))
        out = []
        for seg in segments:
            if seg == "\0" or seg.lower() == "ij":
                out.append("IJ")
            elif seg:
                out.append(seg[0].upper())
        return "".join(out)
    out = []
    for part in token.split("-"):
        if part[:2].lower() == "ij":
            out.append("IJ")
        elif part:
            out.append(part[0].upper())
    return "".join(out)


@functools.lru_cache(maxsize=1 << 17)
def _recase(word: str) -> tuple[str, bool]:
    """Dutch casing for a name written all upper or all lower case."""
    if word.isupper() or word.islower():
        cased = dutch_title(word, lower_words=_lex().prefix_words) or word
        return cased, cased != word
    if word[:2] == "Ij":
        return "IJ" + word[2:], True
    return word, False


def _tokens(text: str) -> list[str]:
    text = _HYPHEN_SPACES.sub("-", text)
    text = _COMMA.sub(" , ", text)
    return [t.strip("-") for t in text.split(" ") if t.strip("-")]


# ---------------------------------------------------------------------------------------
# prefixes and surnames


def _prefix_at(
    tokens: Sequence[str], keys: Sequence[str], i: int, in_surname: bool = False
) -> tuple[str, int, str] | None:
    """Prefix starting at ``i`` that is followed by a core token: (canonical, length, flag).

    An all-capitals abbreviation (``V.D.``, ``VD``) only counts between initials and one core
    token, or at the start of a part already known to be a surname (``in_surname``).
    """
    lex = _lex()
    n = len(tokens)
    hit = _match(keys, i, lex.prefixes, 3)
    flag = ""
    abbrev = _match(keys, i, lex.abbrevs, 2)
    if abbrev is not None and (hit is None or abbrev[1] > hit[1]):
        raw = "".join(tokens[i : i + abbrev[1]])
        # "V.D." or "VD" is an abbreviation only between initials and one core token
        if not (raw.isupper() and "/" not in raw and "'" not in raw) or (
            i + abbrev[1] == n - 1 and (in_surname or (i > 0 and _initials_score(tokens[i - 1])))
        ):
            hit = abbrev
            flag = "ambiguous_prefix" if hit[0] == "v.d." else "prefix_expanded"
    if hit is None:
        return None
    value, length = hit
    if i + length >= n or (i == 0 and length == 1 and keys[0] in lex.first_names):
        return None  # "Ben de Vries", "Ben Jansen": a first name, not the prefix "ben"
    nxt = keys[i + length]
    if nxt in ("", ",") or (nxt in lex.prefix_words and i + length + 1 < n):
        return None
    return value, length, flag


def _trailing_prefix(keys: Sequence[str]) -> tuple[str, int, str] | None:
    lex = _lex()
    for n in (3, 2, 1):
        if len(keys) > n:
            tail = tuple(keys[-n:])
            if tail in lex.prefixes:
                return lex.prefixes[tail], n, ""
            if tail in lex.abbrevs:
                value = lex.abbrevs[tail]
                return value, n, "ambiguous_prefix" if value == "v.d." else "prefix_expanded"
    return None


def _split_glued(tokens: list[str]) -> list[str]:
    out = []
    for tok in tokens:
        m = _GLUED.match(tok) if "'" in tok else None
        if m:
            out.extend((m.group(1).lower(), m.group(2)))
        else:
            out.append(tok)
    return out


def _one_surname(text: str, flags: list[str]) -> tuple[str | None, str | None]:
    """(prefix, core) of one surname part such as ``van der Berg`` or ``d'Ancona``."""
    prefix, core, added = _one_surname_cached(text)
    flags.extend(added)
    return prefix, core


@functools.lru_cache(maxsize=1 << 17)
def _one_surname_cached(text: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """:func:`_one_surname` with the flags it adds, once per distinct text."""
    flags: list[str] = []
    prefix, core = _one_surname_parse(text, flags)
    return prefix, core, tuple(flags)


def _one_surname_parse(text: str, flags: list[str]) -> tuple[str | None, str | None]:
    tokens = _split_glued(text.split())
    if not tokens:
        return None, None
    keys = [_key(t) for t in tokens]
    prefix = None
    hit = _prefix_at(tokens, keys, 0, in_surname=True)
    if hit is not None:
        prefix, length, flag = hit
        if flag:
            flags.append(flag)
        tokens = tokens[length:]
    cased = []
    tokens = [t.replace(".", "") for t in tokens if t.replace(".", "")]
    while len(tokens) > 1 and len(tokens[0]) == 1:
        tokens = tokens[1:]  # a stray letter before the core ("A A", "B Berg") is not a surname
    for j, tok in enumerate(tokens):
        if j and tok.islower() and tok in _lex().prefix_words:
            cased.append(tok)  # "Bosch van Drakestein": the second prefix stays lower case
            continue
        word, changed = _recase(tok)
        if changed:
            flags.append("recased")
        cased.append(word)
    core = " ".join(cased).replace("' ", "'") if cased else None
    if core is not None and len(core) == 1:
        return None, None  # one letter is an initial, never a surname
    return prefix, core


def _surname(tokens: Sequence[str], flags: list[str]) -> tuple[str | None, ...]:
    """(prefix, surname, partner_prefix, partner_surname) from surname tokens."""
    text = " ".join(t for t in tokens if t != ",")
    parts = [p.strip() for p in _SPLIT_HYPHEN.split(text) if p.strip(" -")]
    if not parts:
        return None, None, None, None
    prefix, core = _one_surname(parts[0], flags)
    if len(parts) == 1:
        return prefix, core, None, None
    flags.append("hyphenated")
    pprefix, pcore = _one_surname("-".join(parts[1:]), flags)
    return prefix, core, pprefix, pcore


# ---------------------------------------------------------------------------------------
# given names


def _given(tokens: Sequence[str], flags: list[str]) -> tuple[str | None, str | None]:
    """(first_name, initials) from given-name tokens (initials and/or spelled-out names)."""
    first, initials, added = _given_cached(tuple(tokens))
    flags.extend(added)
    return first, initials


@functools.lru_cache(maxsize=1 << 17)
def _given_cached(tokens: tuple[str, ...]) -> tuple[str | None, str | None, tuple[str, ...]]:
    """:func:`_given` with the flags it adds, once per distinct token sequence."""
    flags: list[str] = []
    first, initials = _given_parse(tokens, flags)
    return first, initials, tuple(flags)


def _given_parse(tokens: Sequence[str], flags: list[str]) -> tuple[str | None, str | None]:
    names: list[str] = []
    initials: list[str] = []
    for tok in tokens:
        if tok == ",":
            continue
        if _initials_score(tok):
            initials.append(_initial_letters(tok))
        elif _NAME_WORD.match(tok):
            word, changed = _recase(tok)
            if changed:
                flags.append("recased")
            names.append(word)
            initials.append(_initial_letters(word))
        elif _LETTER.search(tok):
            letters = _initial_letters(tok.strip(".'-"))
            if letters:
                initials.append(letters)
    return (" ".join(names) or None), ("".join(initials) or None)


def _roepnaam(text: str) -> tuple[str, str | None]:
    """Take a roepnaam in brackets or quotes out of the text: (rest, roepnaam)."""
    found: list[str] = []

    def repl(m: re.Match[str]) -> str:
        inner = (m.group(1) or m.group(2) or m.group(3) or "").strip()
        words = inner.split()
        if not found and words and all(_NAME_WORD.match(w) for w in words) and len(inner) > 1:
            key = _key(inner)
            lex = _lex()
            # a word in name case ("Ba", "Bo") is a name even if its letters spell a legal
            # form (B.A.); legal forms are written with capitals or dots
            name_case = inner[:1].isupper() and inner[1:].islower() and inner.isalpha()
            legal = (key,) in lex.legal and not name_case
            if (key,) not in lex.markers and not legal and key not in lex.titles:
                found.append(inner)
                return " "
        return f" {inner} "

    rest = _BRACKET.sub(repl, text) if ("(" in text or '"' in text or "'" in text) else text
    return rest, (found[0] if found else None)


# ---------------------------------------------------------------------------------------
# persons


class _Person:
    """Mutable accumulator for one parse."""

    __slots__ = ("first", "flags", "gender", "household", "initials", "post", "pre")

    def __init__(self) -> None:
        self.pre: list[str] = []
        self.post: list[str] = []
        self.gender: str | None = None
        self.household = False
        self.flags: list[str] = []
        self.first: str | None = None
        self.initials: str | None = None


def _strip_lead(
    tokens: list[str], acc: _Person, mr_is_male: bool, keep_one: bool = False
) -> list[str]:
    """Remove salutations, titles and a leading widow/birth marker; record their meaning.

    With ``keep_one`` the last token is never removed (a surname column holding ``Heer``).
    """
    lex = _lex()
    keys = [_key(t) for t in tokens]
    i = 0
    stop = len(tokens) - 1 if keep_one else len(tokens)
    while i < stop:
        hit = _match(keys, i, lex.salutations, 5)
        if hit is not None and i + hit[1] > stop:
            hit = None
        if hit is not None and (i + hit[1] >= len(keys) or tokens[i + hit[1]] != ","):
            meaning, n = hit
            if meaning == "H":
                acc.household = True
            elif acc.gender is None:
                acc.gender = meaning
            i += n
            continue
        key = keys[i]
        if key in lex.titles and i + 1 < len(keys) and tokens[i + 1] != ",":
            if key == "mr" and mr_is_male:
                acc.gender = acc.gender or "M"
            else:
                acc.pre.append(lex.titles[key])
            i += 1
            continue
        hit = _match(keys, i, lex.markers, 3)
        if hit is not None and hit[0] in ("widow", "birth", "partner") and i + hit[1] < len(keys):
            if hit[0] == "widow":
                acc.flags.append("widow")
                if acc.gender is None:
                    acc.gender = "M" if keys[i].startswith("weduwnaar") else "F"
            i += hit[1]
            continue
        if key in ("en", "&", "/") and i > 0:
            i += 1
            continue
        break
    return tokens[i:]


def _strip_tail(tokens: list[str], acc: _Person, all_caps: bool) -> list[str]:
    lex = _lex()
    post: list[str] = []
    while len(tokens) > 1:
        tok = tokens[-1]
        key = _key(tok)
        if key not in lex.postnominals or tokens[-2] == "," or _initials_score(tokens[-2]) == 3:
            break  # "A. Ba" is a surname, not initials plus a post-nominal
        if len(key) <= 2 and "." not in tok and (all_caps or not tok.isupper()):
            break
        post.append(lex.postnominals[key])
        tokens = tokens[:-1]
    acc.post.extend(reversed(post))
    return [t for t in tokens if t != ","] if tokens and tokens[-1] == "," else tokens


_LOOSE_INITIALS = re.compile(r"^(?:[^\W\d_]?th|[bcdfghjklmnpqrstvwxz]{3,4})$", re.IGNORECASE)


def _loose_initials(token: str, key: str) -> bool:
    """Initials written without dots in mixed or lower case at the end of a surname-first
    line: "RTh"/"ath" (R.Th., A.Th.), "jhm". Never a known given name. Two letters ("Ga")
    are not enough: "Li", "Wu" and "Ek" are surnames."""
    return _LOOSE_INITIALS.match(token) is not None and key not in _lex().first_names


def _dotted(token: str) -> str:
    """Loose initials in dotted notation: "ath" -> "A.Th.", "Ga" -> "G.A."."""
    return "".join(unit.capitalize() + "." for unit in re.findall(r"th|.", token, re.IGNORECASE))


def _reversed_split(tokens: list[str], keys: list[str]) -> int | None:
    """Index where trailing given names start in a surname-first line without comma.

    Handles the administrative "SURNAME [prefix] INITIALS" notation ("Tering EPC",
    "Kraker de MC", "Stalberg Ath"); the caller moves a prefix left before the initials
    ("de") out of the surname.
    """
    lex = _lex()
    n = len(tokens)
    lead = _prefix_at(tokens, keys, 0)
    head = lead[1] if lead else 0
    end = n
    trail = _trailing_prefix(keys)
    if trail is not None and n - trail[1] - 1 > head and _initials_score(tokens[-trail[1] - 1]):
        end = n - trail[1]
    head_given = keys[head] in lex.first_names

    def score(j: int) -> int:
        found = _initials_score(tokens[j])
        if not found and j == end - 1 == n - 1 and j > head and not head_given \
                and len(keys[head]) > 2 and _loose_initials(tokens[j], keys[j]):
            return 1
        return found

    k = end
    while k > head + 1 and score(k - 1):
        if k < end and keys[k - 1] in lex.prefix_words and not head_given:
            break  # "Rooij van EE": the prefix belongs to the surname
        k -= 1
    if k < end:
        best = max(score(j) for j in range(k, end))
        head_score = _initials_score(tokens[head])
        prefix_before = (k - 1 > head and keys[k - 1] in lex.prefix_words and end == n
                         and not head_given)
        if prefix_before:
            return k  # "Kraker de MC": surname, prefix, initials
        if best == 1 and not tokens[head].isupper() and head_given:
            pass  # "Anna IJ": an all-caps word after a first name is a surname
        elif end < n or lead is not None or best > head_score:
            if head == 0 and k == 1 and head_given and end == n:
                return None  # "Jan H.": a first name with initials, no surname
            return k
    if lead is not None and head + 1 < n:
        first_names = lex.first_names
        if all(keys[j] in first_names or _initials_score(tokens[j]) for j in range(head + 1, n)):
            return head + 1
    return None


def _split_standard(tokens: list[str], keys: list[str]) -> int:
    """Index where the surname starts in a given-names-first line."""
    n = len(tokens)
    seen_initials = False
    i = 0
    while i < n - 1:
        tok = tokens[i]
        if _prefix_at(tokens, keys, i) is not None:
            return i
        head_part, _, tail_part = tok.partition("-")
        if (
            len(head_part) > 1
            and tail_part.lower() in _lex().prefix_words
            and _prefix_at([*tok.split("-")[1:], *tokens[i + 1 :]],
                           [*keys[i].split("-")[1:], *keys[i + 1 :]], 0)
        ):
            return i
        if _initials_score(tok):
            seen_initials = True
        elif seen_initials:
            return i
        i += 1
    if _initials_score(tokens[-1]) == 3 and n > 1:
        return n  # "Jan H.": no surname
    return n - 1


def _partner_marker(keys: Sequence[str]) -> tuple[int, str, int] | None:
    """``(position, role, length)`` of a partner marker after the first token (e/v, wed.,
    geb.), or ``None``."""
    lex = _lex()
    for i in range(1, len(keys) if lex.marker_first.intersection(keys) else 0):
        hit = _match(keys, i, lex.markers, 3)
        if hit is not None and hit[0] in ("partner", "widow", "birth"):
            return i, hit[0], hit[1]
    return None


def _person(tokens: list[str], acc: _Person, mr_is_male: bool, all_caps: bool) -> tuple:
    """Parse person tokens into (prefix, surname, partner_prefix, partner_surname)."""
    tokens = _strip_lead(tokens, acc, mr_is_male)
    tokens = _strip_tail(tokens, acc, all_caps)
    keys = [_key(t) for t in tokens]
    # partner markers in the middle: e/v, wed., geb.
    partner: tuple[str | None, str | None] | None = None
    birth = False
    marker = _partner_marker(keys)
    if marker is not None:
        i, role, n = marker
        if role == "widow":
            acc.flags.append("widow")
            if acc.gender is None:
                acc.gender = "M" if keys[i].startswith("weduwnaar") else "F"
        after = [t for t in tokens[i + n :] if t != ","]
        if after:
            # the name after the marker: drop given names and salutations written there
            sub = _Person()
            after = _strip_lead(after, sub, mr_is_male)
            akeys = [_key(t) for t in after]
            start = _split_standard(after, akeys) if len(after) > 1 else 0
            pp, ps, _, _ = _surname(after[min(start, len(after) - 1) :], acc.flags)
            partner = (pp, ps)
        birth = role == "birth"
        tokens, keys = tokens[:i], keys[:i]
    # several persons: "J. en A. Jansen", "Jan & Marie de Vries"
    for i in range(1, len(keys) - 1):
        if keys[i] in ("en", "&") or (keys[i] == "/" and not all_caps):
            acc.household = True
            acc.flags.append("multiple_persons")
            tokens, keys = tokens[i + 1 :], keys[i + 1 :]
            tokens = _strip_lead(tokens, acc, mr_is_male)
            keys = [_key(t) for t in tokens]
            break
    tokens = [t for t, k in zip(tokens, keys, strict=True) if k != "" or t == ","]
    keys = [_key(t) for t in tokens]
    surname_parts: tuple[str | None, ...] = (None, None, None, None)
    if "," in tokens:
        c = tokens.index(",")
        left = [t for t in tokens[:c]]
        right = _strip_lead([t for t in tokens[c + 1 :] if t != ","], acc, mr_is_male)
        rkeys = [_key(t) for t in right]
        trail_prefix = None
        hit = _trailing_prefix(rkeys) if right else None
        if hit is None and right and len(right) == len(rkeys):
            hit = None
        if hit is not None:
            trail_prefix = hit
            right = right[: -hit[1]]
        lkeys = [_key(t) for t in left]
        if trail_prefix is None and len(left) > 1:
            trail_prefix = _trailing_prefix(lkeys)
            if trail_prefix is not None:
                left = left[: -trail_prefix[1]]
        if left:
            acc.flags.append("reversed")
            acc.first, acc.initials = _given(right, acc.flags)
            surname_parts = _surname(left, acc.flags)
            if trail_prefix is not None and surname_parts[0] is None:
                if trail_prefix[2]:
                    acc.flags.append(trail_prefix[2])
                surname_parts = (trail_prefix[0], *surname_parts[1:])
        else:
            tokens = right
            keys = rkeys
    if surname_parts[1] is None and tokens and "," not in tokens:
        tokens = _split_glued(tokens)
        keys = [_key(t) for t in tokens]
        if len(tokens) == 1:
            if _initials_score(tokens[0]) == 3 and "." in tokens[0]:
                acc.initials = _initial_letters(tokens[0])
            else:
                surname_parts = _surname(tokens, acc.flags)
        else:
            k = _reversed_split(tokens, keys)
            if k is not None:
                acc.flags.append("reversed")
                trail = _trailing_prefix(keys)
                end = len(tokens)
                if trail is not None and _initials_score(tokens[-trail[1] - 1]) and k < end:
                    end -= trail[1]
                given = tokens[k:end]
                if len(given) == 1 and not _initials_score(given[0]) \
                        and _loose_initials(given[0], _key(given[0])):
                    given = [_dotted(given[0])]  # "Ath" -> "A.Th."
                acc.first, acc.initials = _given(given, acc.flags)
                before = _trailing_prefix(keys[:k]) if end == len(tokens) else None
                if before is not None:  # "Kraker de MC"
                    surname_parts = _surname(tokens[: k - before[1]], acc.flags)
                    if surname_parts[0] is None:
                        if before[2]:
                            acc.flags.append(before[2])
                        surname_parts = (before[0], *surname_parts[1:])
                else:
                    surname_parts = _surname(tokens[:k], acc.flags)
                if end < len(tokens) and surname_parts[0] is None:
                    if trail[2]:
                        acc.flags.append(trail[2])
                    surname_parts = (trail[0], *surname_parts[1:])
            else:
                s = _split_standard(tokens, keys)
                acc.first, acc.initials = _given(tokens[:s], acc.flags)
                surname_parts = _surname(tokens[s:], acc.flags)
    prefix, surname, pprefix, psurname = surname_parts
    if partner is not None:
        if birth:
            # "Jansen geb. de Vries": the name after the marker is the own name
            prefix, surname, pprefix, psurname = partner[0], partner[1], prefix, surname
        else:
            pprefix, psurname = partner
    return prefix, surname, pprefix, psurname


# ---------------------------------------------------------------------------------------
# organisations


@functools.lru_cache(maxsize=1 << 16)
def _org_key(token: str) -> str:
    return _key(token).strip(_STRIP_PUNCT)


def _maybe_org(tokens: Sequence[str]) -> bool:
    """Cheap pre-check: could any token start a legal form, ``i.o.`` or an org word?"""
    lex = _lex()
    for tok in tokens:
        key = _org_key(tok)
        if key in lex.legal_first or key in lex.org_words or key.endswith(lex.org_suffixes):
            return True
    return False


def _scan_org(tokens: Sequence[str]) -> tuple[list[str], str | None, bool]:
    """Remove legal forms and ``i.o.``: (name tokens, legal form, in formation)."""
    lex = _lex()
    keys = [_org_key(t) for t in tokens]
    n = len(keys)
    out: list[str] = []
    forms: list[str] = []
    liability = None
    in_formation = False
    i = 0
    while i < n:
        key = keys[i]
        if key == "io" and i > 0 and ("." in tokens[i] or (i == n - 1 and tokens[i] == "io")):
            in_formation = True
            i += 1
            continue
        if key == "in" and i + 1 < n and keys[i + 1] == "oprichting":
            in_formation = True
            i += 2
            continue
        hit = _match(keys, i, lex.legal, 3)
        if hit is not None:
            form, length = hit
            rest = [k for k in keys[i + length :] if k not in ("io", "")]
            raw = "".join(tokens[i : i + length])
            short = len("".join(keys[i : i + length])) <= 2
            if short and not (raw.isupper() or "." in raw or (raw.islower() and form != "SA")):
                hit = None  # "Sa", "Bv": a word, not a legal form
        if hit is not None:
            form, length = hit
            if form in _LIABILITY:
                ok = not rest and i > 0 and (form != "B.A." or "Coöperatie" in forms)
                if ok:
                    liability = form
                    i += length
                    continue
            elif not short or (i > 0 and not rest):
                forms.append(form)
                i += length
                continue
        out.append(tokens[i])
        i += 1
    legal = forms[0] if forms else None
    if liability:
        legal = f"{legal} {liability}" if legal else liability
    return out, legal, in_formation


def _looks_like_org(tokens: Sequence[str]) -> bool:
    lex = _lex()
    keys = [_org_key(t) for t in tokens]
    if any(_initials_score(t) == 3 for t in tokens):
        return False
    for i, key in enumerate(keys):
        if (key in lex.org_words or key.endswith(lex.org_suffixes)) and (
            i == 0 or keys[i - 1] not in lex.prefix_words
        ):
            return True
    return False


def _org_name(tokens: Sequence[str]) -> str | None:
    name = " ".join(tokens).replace(" ,", ",").strip(_STRIP_PUNCT)
    return name or None


# ---------------------------------------------------------------------------------------
# public scalar API


def _finish(acc: _Person, parts: Sequence[str | None], org: str | None, legal: str | None,
            trade: str | None = None) -> NameParts:
    title = " ".join(dict.fromkeys([*acc.pre, *acc.post])) or None
    flags = tuple(dict.fromkeys(acc.flags))
    first, initials = acc.first, acc.initials
    if acc.household:
        first = initials = None  # "fam. J. Jansen", "J. en A. Jansen": not one person
    prefix, surname, pprefix, psurname = parts
    return NameParts(title, first, initials, prefix, surname, pprefix, psurname, org, legal,
                     acc.gender, acc.household, flags, trade)


def _placeholder(text: str) -> bool:
    if len(text) > 24 and _LETTER.search(text):
        return False  # placeholders are short
    key = _PLACEHOLDER_CHARS.sub(" ", text.lower() if text.isascii() else word_key(text) or "")
    key = key.strip()
    if not key:
        return True
    compact = key.replace(" ", "")
    return key in _lex().placeholders or (len(compact) >= 3 and len(set(compact)) == 1)


def parse_name(text: str | None, *, mr_is_male: bool = False) -> NameParts:
    """Parse one free-text name line into :class:`NameParts`.

    Args:
        text: A person name (``Dhr. J.H. van der Berg``, ``Berg, J.H. van der``,
            ``Mw. A. de Vries e/v Jansen``) or an organisation (``Bakkerij Jansen B.V.``,
            ``Stichting De Zonnebloem, t.a.v. dhr. P. de Vries``). Any value is accepted.
        mr_is_male: Read ``Mr.`` as the English salutation (gender M) instead of the Dutch
            law degree (title ``mr.``). Only for English-language sources.

    Returns:
        The parts; :data:`NameParts` with all fields empty for empty or unusable input.
        Never raises.

    Example:
        >>> p = parse_name("Mw. A. Jansen geb. de Vries")
        >>> p.gender, p.initials, p.prefix, p.surname, p.partner_surname
        ('F', 'A', 'de', 'Vries', 'Jansen')
        >>> parse_name("Coöperatie Rabobank Utrecht U.A.")[7:9]
        ('Rabobank Utrecht', 'Coöperatie U.A.')
    """
    try:
        return _parse_name(text, mr_is_male)
    except Exception:  # pragma: no cover - defensive: the contract is "never raise"
        return NameParts(flags=("invalid",))


def _fast_parse(text: str) -> NameParts | None:
    """The common simple shapes in one regex: ``[Dhr.] J.H.|Jan [van der] Berg``.

    Gives exactly what the full parser gives (checked by a test on a corpus), or ``None``
    when the text needs the full parser.
    """
    lex = _lex()
    m = lex.fast.fullmatch(text)
    if m is None:
        return None
    compact = text.lower().replace(" ", "").replace(".", "")
    if len(set(compact)) == 1 or text.lower() in lex.placeholders:
        return None
    given, core = m.group("given"), m.group("core")
    core_key = core.lower()
    if core_key in lex.special or core_key.endswith(lex.org_suffixes) or core[:2] == "Ij":
        return None
    if "." not in given and given.lower() not in lex.first_names and _loose_initials(core,
                                                                                    core_key):
        return None  # "Stalberg Ath": surname and initials, for the full parser
    gender = None
    if m.group("sal"):
        gender = lex.salutations[tuple(_key(t) for t in m.group("sal").split())]
    if "." in given:
        first, initials = None, given.replace(".", "")
    else:
        key = given.lower()
        if key in lex.special or given[:2] == "Ij" or key.endswith(lex.org_suffixes):
            return None
        first, initials = given, _initial_letters(given)
    prefix = m.group("prefix")
    return NameParts(None, first, initials, prefix.lower() if prefix else None, core,
                     gender=gender)


def _parse_name(text: object, mr_is_male: bool) -> NameParts:
    s = preclean(text)
    if s is None:
        return _EMPTY
    fast = _fast_parse(s)
    if fast is not None:
        return fast
    acc = _Person()
    cleaned = _JUNK.sub(" ", s)
    if cleaned != s:
        acc.flags.append("junk_removed")
    if _placeholder(cleaned):
        return NameParts(flags=("placeholder",))
    cleaned, roepnaam = _roepnaam(cleaned)
    tokens = _tokens(cleaned)
    if not tokens:
        return NameParts(flags=tuple(acc.flags))
    all_caps = not any(c.islower() for c in s)
    keys = [_key(t) for t in tokens]
    lex = _lex()
    org_tokens: list[str] | None = None
    trade: str | None = None
    forced_org = False
    # t.a.v. / c/o / h.o.d.n. split the line
    for i in range(len(keys) if lex.marker_first.intersection(keys) else 0):
        hit = _match(keys, i, lex.markers, 4)
        if hit is None or hit[0] not in ("contact", "care_of", "trade"):
            continue
        role, n = hit
        left, right = tokens[:i], tokens[i + n :]
        if role == "contact":
            if any(_LETTER.search(t) for t in left):
                org_tokens, forced_org = left, True
            tokens = right
            acc.flags.append("contact")
        elif role == "care_of":
            acc.flags.append("care_of")
            tokens = left if any(_LETTER.search(t) for t in left) else right
        else:
            acc.flags.append("trade_name")
            org_tokens, forced_org = left, True
            trade_tokens, _, _ = _scan_org(right)
            trade = _org_name(trade_tokens)
            tokens = []
        break
    if org_tokens is None and _maybe_org(tokens):
        name_tokens, legal, in_formation = _scan_org(tokens)
        if legal or in_formation or _looks_like_org(tokens):
            org_tokens, tokens = tokens, []
    if org_tokens is not None:
        name_tokens, legal, in_formation = _scan_org(org_tokens)
        if in_formation:
            acc.flags.append("in_formation")
        org = _org_name(name_tokens)
        if not tokens or not forced_org:
            return _finish(acc, (None, None, None, None), org, legal, trade)
        parts = _person(tokens, acc, mr_is_male, all_caps)
        _apply_roepnaam(acc, roepnaam)
        return _finish(acc, parts, org, legal, trade)
    parts = _person(tokens, acc, mr_is_male, all_caps)
    _apply_roepnaam(acc, roepnaam)
    return _finish(acc, parts, None, None)


def _apply_roepnaam(acc: _Person, roepnaam: str | None) -> None:
    if roepnaam:
        word, changed = _recase(roepnaam)
        if changed:
            acc.flags.append("recased")
        acc.first = word


def _canonical_prefix(text: str, flags: list[str]) -> str | None:
    """Canonical prefix of a column value (``V.D.`` -> ``v.d.``, ``Van Der`` -> ``van der``)."""
    lex = _lex()
    keys = tuple(_key(t) for t in text.replace("'", "' ").split())
    keys = tuple(k for k in keys if k)
    joined = tuple(" ".join(keys).replace("' ", "'").split())
    for cand in (joined, keys):
        if cand in lex.prefixes:
            return lex.prefixes[cand]
        if cand in lex.abbrevs:
            value = lex.abbrevs[cand]
            flags.append("ambiguous_prefix" if value == "v.d." else "prefix_expanded")
            return value
    if not joined:
        return None
    flags.append("unknown_prefix")
    return " ".join(joined)


def _split_surname_text(text: str, acc: _Person) -> tuple[str | None, ...]:
    """(prefix, surname, partner_prefix, partner_surname) of a surname-only value.

    Accepts ``van den Berg``, ``Berg, van den``, ``Berg van den``, ``Jansen-de Vries``.
    """
    tokens = _tokens(_JUNK.sub(" ", text))
    tokens = _strip_lead(tokens, acc, False, keep_one=True)
    tokens = _strip_tail(tokens, acc, not any(c.islower() for c in text))
    marker = _partner_marker([_key(t) for t in tokens])
    if marker is not None and marker[0] + marker[2] < len(tokens):
        # "Zwart geb. Kleinwijk", "Brugland e/v Terbeek": two surnames around a marker
        i, role, n = marker
        own = _split_surname_text(" ".join(tokens[:i]), acc)
        other = _split_surname_text(" ".join(tokens[i + n :]), acc)
        if role == "widow":
            acc.flags.append("widow")
        if role == "birth":
            own, other = other, own
        return own[0], own[1], other[0], other[1]
    trail: tuple[str, int, str] | None = None
    if "," in tokens:
        c = tokens.index(",")
        right = [t for t in tokens[c + 1 :] if t != ","]
        rkeys = [_key(t) for t in right]
        if right and len(right) <= 3 and all(k in _lex().prefix_words or (k,) in _lex().abbrevs
                                             for k in rkeys):
            trail = _trailing_prefix(["", *rkeys])
        if trail is None and right and acc.first is None and acc.initials is None:
            acc.first, acc.initials = _given(right, acc.flags)
        tokens = tokens[:c]
    elif len(tokens) > 1:
        trail = _trailing_prefix([_key(t) for t in tokens])
        if trail is not None:
            tokens = tokens[: -trail[1]]
    parts = _surname(tokens, acc.flags)
    if trail is not None and parts[0] is None:
        if trail[2]:
            acc.flags.append(trail[2])
        parts = (trail[0], *parts[1:])
    return parts


def name_from_parts(
    first_name: str | None = None,
    initials: str | None = None,
    prefix: str | None = None,
    surname: str | None = None,
    *,
    mr_is_male: bool = False,
) -> NameParts:
    """Build :class:`NameParts` from split name columns, tidying messy values.

    Tolerates ``J.H.`` or ``Jan H.`` in the first-name column, any initials notation, a prefix
    such as ``V.D.`` or ``Van Der``, a surname holding its prefix (``van den Berg``,
    ``Berg, van den``) and hyphenated married surnames. A surname column with a legal form
    and no given names (``Bakkerij Jansen B.V.``) gives an organisation.

    Args:
        first_name: Given name(s) or roepnaam column value.
        initials: Initials column value.
        prefix: Tussenvoegsel column value.
        surname: Surname column value.
        mr_is_male: See :func:`parse_name`.

    Returns:
        The parts; all empty when every column is empty. Never raises.

    Example:
        >>> tuple(name_from_parts("J.H.", None, "V.D.", "Berg")[1:5])
        (None, 'JH', 'v.d.', 'Berg')
        >>> tuple(name_from_parts("Jan", "J.H.", None, "Berg, van den")[1:5])
        ('Jan', 'JH', 'van den', 'Berg')
    """
    try:
        return _name_from_parts(first_name, initials, prefix, surname, mr_is_male)
    except Exception:  # pragma: no cover - defensive: the contract is "never raise"
        return NameParts(flags=("invalid",))


def _name_from_parts(first_name: object, initials: object, prefix: object, surname: object,
                     mr_is_male: bool) -> NameParts:
    f, i, p, s = preclean(first_name), preclean(initials), preclean(prefix), preclean(surname)
    if f is None and i is None and p is None and s is None:
        return _EMPTY
    acc = _Person()
    all_caps = True
    for value in (f, i, p, s):
        if value is not None and any(c.islower() for c in value):
            all_caps = False
        if value is not None and _JUNK.search(value) and value not in ("-",):
            acc.flags.append("junk_removed")
    roepnaam = None
    if f is not None:
        text, roepnaam = _roepnaam(_JUNK.sub(" ", f))
        tokens = _strip_tail(_strip_lead(_tokens(text), acc, mr_is_male), acc, all_caps)
        acc.first, acc.initials = _given(tokens, acc.flags)
    if i is not None:
        tokens = _strip_lead(_tokens(_JUNK.sub(" ", i)), acc, mr_is_male)
        if len(tokens) == 1 and len(tokens[0]) > 1 and tokens[0].isalpha() and not (
            tokens[0].isupper() and _initials_score(tokens[0])
        ):
            tokens = list(tokens[0].upper()) if tokens[0].isupper() else tokens
        names, letters = _given(tokens, acc.flags)
        if letters:
            acc.initials = letters
        if names and acc.first is None:
            acc.first = names
    _apply_roepnaam(acc, roepnaam)
    if s is not None and f is None and i is None and _placeholder(s):
        return NameParts(flags=("placeholder",))
    if s is not None and f is None and i is None:
        tokens = _tokens(_JUNK.sub(" ", s))
        name_tokens, legal, in_formation = _scan_org(tokens)
        if legal or in_formation or _looks_like_org(tokens):
            if in_formation:
                acc.flags.append("in_formation")
            return _finish(acc, (None, None, None, None), _org_name(name_tokens), legal)
        # a full name in the surname column: "J. de Vries"
        lead = 0
        while lead < len(tokens) - 1 and "." in tokens[lead] and _initials_score(tokens[lead]):
            lead += 1
        if lead:
            acc.first, acc.initials = _given(tokens[:lead], acc.flags)
            s = " ".join(tokens[lead:])
    parts: tuple[str | None, ...] = (None, None, None, None)
    if s is not None and p is not None and _partner_marker([_key(t) for t in _tokens(s)]):
        s, p = f"{p} {s}", None  # the prefix belongs to the first surname written
    if s is not None:
        parts = _split_surname_text(s, acc)
    column_prefix = _canonical_prefix(p, acc.flags) if p is not None else None
    if column_prefix is not None:
        embedded = parts[0]
        if embedded is None:
            parts = (column_prefix, *parts[1:])
        elif embedded != column_prefix:
            combined = f"{column_prefix} {embedded}"
            if tuple(combined.split()) in _lex().prefixes:
                parts = (combined, *parts[1:])
            if column_prefix == "v.d." and "ambiguous_prefix" in acc.flags:
                acc.flags.remove("ambiguous_prefix")  # the surname spells it out
    if parts[1] is None and column_prefix is not None and s is None:
        acc.flags.append("prefix_without_surname")
    return _finish(acc, parts, None, None)


# ---------------------------------------------------------------------------------------
# display forms


def format_initials(initials: str | None) -> str | None:
    """Display form of canonical initials: ``JH`` -> ``J.H.``, ``IJH`` -> ``IJ.H.``.

    Example:
        >>> format_initials("TJ"), format_initials("IJ"), format_initials(None)
        ('T.J.', 'IJ.', None)
    """
    if not initials:
        return None
    return "".join(seg + "." for seg in re.findall(r"IJ|.", initials) if seg.strip())


def _surname_display(prefix: str | None, surname: str | None, capital: bool) -> str | None:
    if not surname:
        return None
    if not prefix:
        return surname
    if capital and prefix[0] != "'" and not prefix.endswith("'"):
        prefix = prefix[0].upper() + prefix[1:]
    return f"{prefix}{surname}" if prefix.endswith("'") else f"{prefix} {surname}"


def _full_surname(parts: NameParts, capital: bool) -> str | None:
    own = _surname_display(parts.prefix, parts.surname, capital)
    partner = _surname_display(parts.partner_prefix, parts.partner_surname, False)
    if own and partner:
        return f"{own}-{partner}"
    return own or partner


def _given_display(parts: NameParts) -> str | None:
    first, initials = parts.first_name, parts.initials
    if not initials:
        return first
    if not first:
        return format_initials(initials)
    own = "".join(_initial_letters(w) for w in first.split())
    if initials == own:
        return first
    if initials.startswith(own):
        return f"{first} {format_initials(initials[len(own):])}"
    return f"{format_initials(initials)} ({first})"


def _split_title(title: str | None) -> tuple[list[str], list[str]]:
    post_forms = set(_lex().postnominals.values())
    words = title.split() if title else []
    return [w for w in words if w not in post_forms], [w for w in words if w in post_forms]


def display_name(parts: NameParts) -> str | None:
    """Display form of parsed name parts in Dutch convention.

    The prefix is lower case after a given name or initials and capitalised when nothing
    precedes it (a title does not count). Salutations are not shown. Parsing the display
    form again gives the same title, given names, initials, prefixes, surnames,
    organisation and legal form (see the idempotence test).

    Example:
        >>> display_name(parse_name("dr. Van Dam")), display_name(parse_name("Berg, Jan van"))
        ('dr. Van Dam', 'Jan van Berg')
        >>> display_name(parse_name("Stichting De Zonnebloem, t.a.v. dhr. P. de Vries"))
        'Stichting De Zonnebloem, t.a.v. P. de Vries'
    """
    pre, post = _split_title(parts.title)
    given = _given_display(parts)
    lead = _key(given.split(" ", 1)[0].rstrip(".")) if parts.first_name and given else ""
    if lead and parts.initials and (lead in _lex().org_words or lead in _lex().org_abbrevs):
        # a given name that reads as a firm ("Fa Aa": Fa. is firma): its initials instead
        given = _given_display(parts._replace(first_name=None))
    person = [*pre]
    if given:
        person.append(given)
    surname = _full_surname(parts, capital=not given)
    last = surname.rsplit(" ", 1)[-1] if surname else ""
    if parts.first_name and given and surname and _loose_initials(last, _key(last)):
        person = [*pre, f"{surname},", given]  # "Bth, Anna": else read as initials
    elif surname:
        person.append(surname)
    person.extend(post)
    person_text = " ".join(person) if (given or surname) else None
    if parts.organisation or parts.legal_form:
        legal = parts.legal_form or ""
        main, _, liability = legal.partition(" ") if legal.split(" ")[0] in _LEADING_FORMS else (
            "", "", legal)
        org = " ".join(x for x in (main, parts.organisation, liability) if x)
        if parts.trade_name:
            org = f"{org} h.o.d.n. {parts.trade_name}"
        return f"{org}, t.a.v. {person_text}" if person_text else org
    return person_text


def sort_name(parts: NameParts) -> str | None:
    """Sort form used in Dutch registers: core surname first, prefix after the initials.

    Example:
        >>> sort_name(parse_name("J.H. van der Berg"))
        'Berg, J.H. van der'
    """
    if not parts.surname:
        return display_name(parts)
    surname = parts.surname
    partner = _surname_display(parts.partner_prefix, parts.partner_surname, False)
    if partner:
        surname = f"{surname}-{partner}"
    rest = " ".join(x for x in (_given_display(parts), parts.prefix) if x)
    return f"{surname}, {rest}" if rest else surname


# ---------------------------------------------------------------------------------------
# keys


def normalize_initials(text: str | None) -> str | None:
    """Canonical initials of any notation (``J.H.``, ``JH``, ``j. h.``, ``Th.J.``, ``Jan H.``).

    Example:
        >>> [normalize_initials(s) for s in ("J.H.", "j. h.", "J H", "Th.J.", "Jan-Willem")]
        ['JH', 'JH', 'JH', 'TJ', 'JW']
    """
    return name_from_parts(None, text, None, None).initials


def surname_key(surname: str | None) -> str | None:
    """Match key of the core surname: prefix removed, casefolded, accents and punctuation removed.

    For a hyphenated surname this is the key of the part written first.

    Example:
        >>> [surname_key(s) for s in ("de Vries", "Vries", "DE VRIES", "Vries, de", "Müller")]
        ['vries', 'vries', 'vries', 'vries', 'muller']
    """
    s = preclean(surname)
    if s is None:
        return None
    try:
        return text_key(_split_surname_text(s, _Person())[1])
    except Exception:  # pragma: no cover
        return None


def full_surname_key(prefix: str | None, surname: str | None) -> str | None:
    """Tie-breaker key of prefix plus core surname (``van der Berg`` -> ``vanderberg``).

    Example:
        >>> full_surname_key("van der", "Berg"), full_surname_key(None, "Van der Berg")
        ('vanderberg', 'vanderberg')
    """
    parts = name_from_parts(None, None, prefix, surname)
    return text_key(" ".join(x for x in (parts.prefix, parts.surname) if x) or None)


def dutch_phonetic(surname: str | None) -> str | None:
    """Dutch phonetic key (dutch.md 1.6) of the core surname, without tussenvoegsel.

    See :mod:`custmatch.normalize.phonetic` for the rewrite rules. For a hyphenated surname
    the key of the part written first is returned. Idempotent.

    Example:
        >>> [dutch_phonetic(s) for s in ("van den Bosch", "Meyer", "de Jongh", "IJzendoorn")]
        ['bos', 'meier', 'jong', 'eisendorn']
    """
    s = preclean(surname)
    if s is None:
        return None
    try:
        core = _split_surname_text(s, _Person())[1]
    except Exception:  # pragma: no cover
        core = None
    return sound_key(core or s)


def organisation_key(name: str | None) -> str | None:
    """Match key of an organisation name: legal form removed, abbreviations folded.

    ``&`` becomes ``en``, ``Gebr.`` ``gebroeders``, ``Zn.`` ``zonen``, ``Fa.`` ``firma``.
    ``Holding``, ``Beheer`` and ``Groep`` are kept: they name other legal entities.

    Example:
        >>> organisation_key("Gebr. Jansen & Zn. B.V.")
        'gebroeders jansen en zonen'
    """
    s = preclean(name)
    if s is None:
        return None
    tokens, _, _ = _scan_org(_tokens(s.replace("&", " en ")))
    key = word_key(" ".join(tokens))
    if key is None:
        return None
    abbrevs = _lex().org_abbrevs
    return " ".join(abbrevs.get(w, w) for w in key.split())


def official_names(name: str | None) -> tuple[str, ...]:
    """Official given names a roepnaam stands for (dutch.md 1.4), lower case; ``()`` if none.

    Example:
        >>> official_names("Henk"), official_names("Piet"), official_names("Xander")
        (('hendrik', 'hendrikus'), ('petrus', 'pieter'), ())
    """
    key = word_key(name)
    return _lex().nicknames.get(key, ()) if key else ()


def name_status(parts: NameParts, raw: object = "") -> str:
    """Quality of a parse: ``empty``, ``invalid``, ``repaired`` or ``valid``.

    ``empty``: no input. ``invalid``: no surname and no organisation was found (the parts
    that were found are still kept). ``repaired``: usable, but the casing, stray characters
    or an abbreviated prefix had to be fixed. ``valid``: usable as written.

    Example:
        >>> [name_status(parse_name(s), s) for s in (None, "1234", "J. JANSEN", "J. Jansen")]
        ['empty', 'invalid', 'repaired', 'valid']
    """
    if parts == _EMPTY and preclean(raw) is None:
        return "empty"
    if not parts.surname and not parts.organisation:
        return "invalid"
    if _REPAIR_FLAGS.intersection(parts.flags):
        return "repaired"
    return "valid"


# ---------------------------------------------------------------------------------------
# vectorised


def _row(
    parts: NameParts, status: str, cache: dict[str, tuple[str | None, str | None]]
) -> tuple:
    flags = parts.flags + (("household",) if parts.household else ())
    core = parts.surname
    key = phonetic = None
    if core:
        hit = cache.get(core)
        if hit is None:
            hit = cache[core] = (text_key(core), sound_key(core))
        key, phonetic = hit
    return (
        parts.title, parts.first_name, parts.initials, parts.prefix, parts.surname,
        parts.partner_prefix, parts.partner_surname, parts.organisation, parts.legal_form,
        parts.gender, ",".join(flags) or None, key, phonetic,
        text_key(parts.partner_surname) if parts.partner_surname else None,
        organisation_key(parts.organisation) if parts.organisation else None, status,
    )


def _frame(rows: list[tuple], codes: np.ndarray, index: pd.Index) -> pd.DataFrame:
    table = np.empty((len(rows), len(NAME_COLUMNS)), dtype=object)
    for j, row in enumerate(rows):
        table[j] = row
    taken = table[codes]
    return object_frame(
        {col: taken[:, j] for j, col in enumerate(NAME_COLUMNS)}, index=index, columns=NAME_COLUMNS
    )


def name_column(full_names: pd.Series, *, mr_is_male: bool = False) -> pd.DataFrame:
    """Parse a column of full names; :func:`parse_name` once per distinct value.

    Args:
        full_names: One free-text name line per row.
        mr_is_male: See :func:`parse_name`.

    Returns:
        A frame with the index of ``full_names`` and the columns :data:`NAME_COLUMNS`:
        the :class:`NameParts` fields (``household`` is reported as the flag
        ``household`` in the comma-separated ``name_flags``), ``surname_key``
        (:func:`surname_key` of the core), ``surname_phonetic`` (:func:`dutch_phonetic`),
        ``partner_surname_key``, ``organisation_key`` and ``name_status``
        (:func:`name_status`).

    Example:
        >>> df = name_column(pd.Series(["Dhr. J. de Vries", None, "Dhr. J. de Vries"]))
        >>> df[["initials", "prefix", "surname", "surname_key", "name_status"]].values.tolist()
        ... # doctest: +NORMALIZE_WHITESPACE
        [['J', 'de', 'Vries', 'vries', 'valid'], [None, None, None, None, 'empty'],
         ['J', 'de', 'Vries', 'vries', 'valid']]
    """
    codes, uniques = factorize_text(full_names)
    rows = parallel_map(partial(_full_name_row, mr_is_male=mr_is_male), list(uniques))
    rows.append(_row(_EMPTY, "empty", _ROW_CACHE))  # position -1: null
    return _frame(rows, codes, full_names.index)


_ROW_CACHE: dict[str, tuple[str | None, str | None]] = {}


def _full_name_row(value: object, mr_is_male: bool) -> tuple:
    parts = parse_name(value, mr_is_male=mr_is_male)  # type: ignore[arg-type]
    return _row(parts, name_status(parts, value), _ROW_CACHE)


#: Columns of :func:`name_fields_column`.
NAME_FIELDS: tuple[str, ...] = (
    "title", "first_name", "initials", "prefix", "surname", "partner_prefix",
    "partner_surname", "organisation", "legal_form", "gender", "name_status",
)


def name_fields_column(full_names: pd.Series, *, mr_is_male: bool = False) -> pd.DataFrame:
    """:func:`name_column` without the flags and match-key columns (:data:`NAME_FIELDS`).

    What :func:`~custmatch.normalize.frame.normalize_frame` needs; it derives the keys
    from the final surname column itself.

    Example:
        >>> name_fields_column(pd.Series(["Dhr. J. de Vries"]))[["prefix", "gender"]].values
        array([['de', 'M']], dtype=object)
    """
    codes, uniques = factorize_text(full_names)
    table = name_fields_table(uniques, mr_is_male=mr_is_male)
    return object_frame({col: table[col][codes] for col in NAME_FIELDS},
                        index=full_names.index, columns=list(NAME_FIELDS))


def name_fields_table(uniques: np.ndarray, *, mr_is_male: bool = False) -> dict[str, np.ndarray]:
    """:func:`name_fields_column` over distinct values, without broadcasting: one array per
    column of :data:`NAME_FIELDS`, each with one more entry at the end (for a null).

    Example:
        >>> name_fields_table(np.array(["J. de Vries"], dtype=object))["surname"].tolist()
        ['Vries', None]
    """
    rows = parallel_map(partial(_full_name_fields, mr_is_male=mr_is_male), list(uniques))
    rows.append((None,) * (len(NAME_FIELDS) - 1) + ("empty",))  # the last entry: null
    table = np.empty((len(rows), len(NAME_FIELDS)), dtype=object)
    table[:] = rows
    return {col: table[:, j] for j, col in enumerate(NAME_FIELDS)}


def _full_name_fields(value: object, mr_is_male: bool) -> tuple:
    parts = parse_name(value, mr_is_male=mr_is_male)  # type: ignore[arg-type]
    return (*parts[: len(NAME_FIELDS) - 1], name_status(parts, value))


def surname_keys(surname: str | None) -> tuple[str | None, str | None]:
    """``(surname_key(surname), dutch_phonetic(surname))``, reading the surname once.

    Example:
        >>> surname_keys("van den Bosch")
        ('bosch', 'bos')
    """
    s = preclean(surname)
    if s is None:
        return None, None
    try:
        core = _split_surname_text(s, _Person())[1]
    except Exception:  # pragma: no cover
        return None, sound_key(s)
    try:
        key = text_key(core)
    except Exception:  # pragma: no cover
        key = None
    return key, sound_key(core or s)


def _parts_row(values: tuple[object, ...], mr_is_male: bool) -> tuple:
    parts = name_from_parts(*values, mr_is_male=mr_is_male)  # type: ignore[arg-type]
    raw = " ".join(str(v) for v in values if preclean(v) is not None)
    return _row(parts, name_status(parts, raw), _ROW_CACHE)


def name_parts_column(
    first_name: pd.Series | None = None,
    initials: pd.Series | None = None,
    prefix: pd.Series | None = None,
    surname: pd.Series | None = None,
    *,
    mr_is_male: bool = False,
) -> pd.DataFrame:
    """Vectorised :func:`name_from_parts`, once per distinct combination of the four columns.

    Missing columns may be ``None``; the given ones must share one index.

    Returns:
        A frame like :func:`name_column`'s, with the index of the given columns.

    Example:
        >>> df = name_parts_column(pd.Series(["Jan", "Jan"]), pd.Series(["J.H.", "JH"]),
        ...                        pd.Series(["V.D.", "v.d."]), pd.Series(["BERG", "Berg"]))
        >>> df[["first_name", "initials", "prefix", "surname", "name_status"]].values.tolist()
        [['Jan', 'JH', 'v.d.', 'Berg', 'repaired'], ['Jan', 'JH', 'v.d.', 'Berg', 'valid']]
    """
    given = [c for c in (first_name, initials, prefix, surname) if c is not None]
    if not given:
        raise ValueError("name_parts_column needs at least one column")
    index = given[0].index
    n = len(index)
    cols = [
        np.full(n, None, dtype=object) if c is None else c.to_numpy(dtype=object)
        for c in (first_name, initials, prefix, surname)
    ]
    fast, composed = _compose_columns(cols, mr_is_male)
    # the other rows: name_from_parts once per distinct combination of the four values
    slow_rows = np.flatnonzero(~fast)
    codes = np.zeros(len(slow_rows), dtype=np.int64)
    for col in cols:
        col_codes, col_uniques = factorize_text(pd.Series(col[slow_rows], dtype=object))
        combined = codes * (len(col_uniques) + 1) + (col_codes + 1)
        codes, _ = pd.factorize(combined)
    _, first_pos = np.unique(codes, return_index=True)
    combos = [tuple(col[slow_rows[pos]] for col in cols) for pos in first_pos]
    rows = parallel_map(partial(_parts_row, mr_is_male=mr_is_male), combos)
    table = np.empty((max(len(rows), 1), len(NAME_COLUMNS)), dtype=object)
    for j, row in enumerate(rows):
        table[j] = row
    out = np.empty((n, len(NAME_COLUMNS)), dtype=object)
    out[slow_rows] = table[codes] if len(slow_rows) else out[slow_rows]
    for j, column in enumerate(NAME_COLUMNS):
        out[fast, j] = composed[column]
    return object_frame({col: out[:, j] for j, col in enumerate(NAME_COLUMNS)}, index=index,
                        columns=list(NAME_COLUMNS))


# The common shape of split name columns: a capitalised given name (or none), initials
# written "J.H." (or none), a lower-case tussenvoegsel (or none) and a capitalised surname.
# For it, name_from_parts is separable: the given-name side does not depend on the surname
# side and vice versa, so each side is parsed once per distinct value and the results are
# composed. tests/normalize/test_names.py checks composition == name_from_parts.
_CLEAN_FIRST = re.compile(r"[A-Z][a-zà-ÿ]+(?:[ -][A-Z][a-zà-ÿ]+){0,3}")
_CLEAN_INITIALS = re.compile(r"(?:[A-Z][a-z]{0,2}\. ?){0,4}[A-Z][a-z]{0,2}\.|[A-Z]{1,4}")
_CLEAN_SURNAME = re.compile(r"[A-Z][a-zà-ÿ']+(?:(?: |-|- | - )(?:[a-z']+ )*[A-Z][a-zà-ÿ']+){0,2}")
_DUMMY_SURNAME = "Zwaneveld"
_DUMMY_FIRST = "Maarten"


def _side_table(values: np.ndarray, parse: Callable[[object], NameParts]) -> tuple[
        np.ndarray, list[NameParts]]:
    """Codes of ``values`` (-1: None) and the parse of each distinct value."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    return codes, [parse(u) for u in uniques]


def _pick(codes: np.ndarray, parsed: list[NameParts], field: str) -> np.ndarray:
    table = np.empty(len(parsed) + 1, dtype=object)
    table[: len(parsed)] = [getattr(p, field) for p in parsed]
    table[-1] = None
    return table[codes]


def _compose_columns(cols: list[np.ndarray], mr_is_male: bool) -> tuple[np.ndarray, dict]:
    """Rows of the clean shape (see :func:`_composable`) and their output columns, built from
    one parse per distinct first name, per distinct initials and per distinct (prefix,
    surname): array composition, no per-row Python."""
    clean = [np.array(_map_clean(col), dtype=object) for col in cols]
    f, i, p, s = clean

    def shape_ok(values: np.ndarray, pattern: re.Pattern[str]) -> np.ndarray:
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        ok = np.array([pattern.fullmatch(u) is not None for u in uniques] + [False])
        return ok[codes]

    has_f, has_i, has_p = (~pd.isna(x) for x in (f, i, p))
    lex = _lex()
    p_codes, p_uniques = pd.factorize(pd.Series(p, dtype=object), use_na_sentinel=True)
    p_ok = np.array([u == u.lower() and tuple(u.split()) in lex.prefixes for u in p_uniques]
                    + [False])[p_codes]
    s_codes, s_uniques = pd.factorize(pd.Series(s, dtype=object), use_na_sentinel=True)
    s_ok = np.array([_CLEAN_SURNAME.fullmatch(u) is not None and _key(u) not in lex.prefix_words
                     for u in s_uniques] + [False])[s_codes]
    mask = (s_ok & (has_f | has_i) & (~has_f | shape_ok(f, _CLEAN_FIRST))
            & (~has_i | shape_ok(i, _CLEAN_INITIALS)) & (~has_p | p_ok))
    rows = np.flatnonzero(mask)
    if not len(rows):
        return mask, {c: np.empty(0, dtype=object) for c in NAME_COLUMNS}

    def given_part(value: object) -> NameParts:
        return name_from_parts(value, None, None, _DUMMY_SURNAME, mr_is_male=mr_is_male)

    def initials_part(value: object) -> NameParts:
        return name_from_parts(None, value, None, _DUMMY_SURNAME, mr_is_male=mr_is_male)

    def family_part(pair: object) -> NameParts:
        prefix, surname = pair  # type: ignore[misc]
        return name_from_parts(_DUMMY_FIRST, None, prefix, surname, mr_is_male=mr_is_male)

    fc, fp = _side_table(f[rows], given_part)
    ic, ip = _side_table(i[rows], initials_part)
    combined = p_codes[rows].astype(np.int64) * (len(s_uniques) + 1) + s_codes[rows]
    sc, pair_uniques = pd.factorize(combined)
    sp = [family_part((p_uniques[c // (len(s_uniques) + 1)] if c // (len(s_uniques) + 1) >= 0
                       else None, s_uniques[c % (len(s_uniques) + 1)])) for c in pair_uniques]
    # a side that reached into the other (a title in the initials or surname column, a
    # surname part on the given-name side): parse those rows whole
    bad_i = np.array([bool(x.title or x.gender or x.household or x.prefix or x.partner_surname)
                      for x in ip] + [False])[ic]
    bad_f = np.array([bool(x.prefix or x.partner_surname) for x in fp] + [False])[fc]
    bad_s = np.array([bool(x.title or x.gender or x.organisation or x.household) for x in sp]
                     + [False])[sc]
    bad = bad_i | bad_f | bad_s
    if bad.any():
        mask[rows[bad]] = False
        keep = ~bad
        rows, fc, ic, sc = rows[keep], fc[keep], ic[keep], sc[keep]
        if not len(rows):  # every row needs the whole-name parser
            return mask, {c: np.empty(0, dtype=object) for c in NAME_COLUMNS}

    first = _pick(fc, fp, "first_name")
    first_i = _pick(ic, ip, "first_name")
    first = np.where(pd.isna(first), first_i, first)
    initials = _pick(ic, ip, "initials")
    initials = np.where(pd.isna(initials), _pick(fc, fp, "initials"), initials)
    household = _pick(fc, fp, "household").astype(bool)
    first = np.where(household, None, first)
    initials = np.where(household, None, initials)
    flags = [_pick(fc, fp, "flags"), _pick(ic, ip, "flags"), _pick(sc, sp, "flags")]
    flag_text = np.full(len(rows), None, dtype=object)
    repaired = np.zeros(len(rows), dtype=bool)
    for k in np.flatnonzero(household | np.array(
            [bool(a) or bool(b) or bool(c) for a, b, c in zip(*flags, strict=True)],
            dtype=bool)):
        merged = tuple(dict.fromkeys((*(flags[0][k] or ()), *(flags[1][k] or ()),
                                      *(flags[2][k] or ()))))
        repaired[k] = bool(_REPAIR_FLAGS.intersection(merged))
        shown = merged + (("household",) if household[k] else ())
        flag_text[k] = ",".join(shown) or None
    surname = _pick(sc, sp, "surname")
    keys = {u: text_key(u) for u in set(surname.tolist()) if u}
    sounds = {u: sound_key(u) for u in keys}
    partner = _pick(sc, sp, "partner_surname")
    status = np.where(pd.isna(surname), "invalid", np.where(repaired, "repaired", "valid"))
    composed = {
        "title": _pick(fc, fp, "title"),
        "first_name": first,
        "initials": initials,
        "prefix": _pick(sc, sp, "prefix"),
        "surname": surname,
        "partner_prefix": _pick(sc, sp, "partner_prefix"),
        "partner_surname": partner,
        "organisation": np.full(len(rows), None, dtype=object),
        "legal_form": np.full(len(rows), None, dtype=object),
        "gender": _pick(fc, fp, "gender"),
        "name_flags": flag_text,
        "surname_key": np.array([keys.get(u) if u else None for u in surname], dtype=object),
        "surname_phonetic": np.array([sounds.get(u) if u else None for u in surname],
                                     dtype=object),
        "partner_surname_key": np.array([text_key(u) if u else None for u in partner],
                                        dtype=object),
        "organisation_key": np.full(len(rows), None, dtype=object),
        "name_status": status.astype(object),
    }
    return mask, composed


def _map_clean(values: np.ndarray) -> list[str | None]:
    """:func:`preclean` once per distinct value (what name_from_parts sees)."""
    codes, uniques = factorize_text(pd.Series(values, dtype=object))
    cleaned = np.array([preclean(u) for u in uniques] + [None], dtype=object)
    return cleaned[codes].tolist()
