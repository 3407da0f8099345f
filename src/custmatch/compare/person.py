"""Dutch person comparisons: first name with initials and nicknames, surname, birth date.

They read the columns that :func:`custmatch.normalize.normalize_frame` produces
(``first_name``, ``initials``, ``surname_key``, ``partner_surname_key``,
``surname_phonetic``, ``partner_surname_phonetic``, ``birth_date``, ``birth_year``).

Example:
    >>> import numpy as np
    >>> fn = FirstName()
    >>> arr = lambda *v: np.array(v, dtype=object)
    >>> left = fn.prepare({"first_name": arr("Jan", None, None, "Henk"),
    ...                    "initials": arr("J", "J", "J", "JH")})
    >>> right = fn.prepare({"first_name": arr("Johannes", "Jan", "Piet", "Johannes Hendrikus"),
    ...                     "initials": arr("J", None, "P", "JH")})
    >>> [fn.labels[k] for k in fn.levels(left, right)]
    ['nickname', 'initials', 'else', 'nickname']
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from rapidfuzz import fuzz as _fuzz
from rapidfuzz.distance import JaroWinkler as _JaroWinkler

from custmatch.compare.engine import Comparison, TakenValues, Values
from custmatch.compare.library import present, row_hashes, similarity, text_codes, unique_rows
from custmatch.errors import ConfigError
from custmatch.normalize.text import fold_accents, text_key
from custmatch.normalize.wordlists import load_mapping

__all__ = ["BirthDate", "FirstName", "Gender", "Surname", "nickname_groups"]

_MAX_NAMES = 3  # given names compared per record
_FEW_VALUES = 512  # up to this many values (a real-time call), work them out one by one,
#                    remembering common ones across calls


@functools.cache
def nickname_groups() -> dict[str, str]:
    """Name key -> group key, from the roepnaam table in ``normalize/data``.

    Names linked through the table (``jan``, ``hans`` and ``johannes``) share one group key,
    so a nickname and the official name it abbreviates compare as equivalent.

    Example:
        >>> groups = nickname_groups()
        >>> groups["jan"] == groups["johannes"] == groups["hans"]
        True
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for nickname, officials in load_mapping("nicknames.txt").items():
        for official in officials.split(","):
            a, b = find(_key(nickname) or ""), find(_key(official) or "")
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {name: find(name) for name in list(parent)}


@functools.cache
def _default_group_letters() -> dict[str, int]:
    """:func:`_group_letters` of :func:`nickname_groups` (read only)."""
    return _group_letters(nickname_groups())


def _group_letters(groups: Mapping[str, str]) -> dict[str, int]:
    """Group key -> bit set of the initials of every name in the group (``jan``, ``hans``,
    ``johannes``: J and H)."""
    out: dict[str, int] = {}
    for name, group in groups.items():
        out[group] = out.get(group, 0) | _letter_bits(_initial_letters(name)[:1])
    return out


def _key(text: object) -> str | None:
    if text is None or text != text:
        return None
    key = fold_accents(str(text)).casefold().strip()
    return key or None


def _letter_bits(letters: str) -> int:
    bits = 0
    for ch in letters:
        if "a" <= ch <= "z":
            bits |= 1 << (ord(ch) - 97)
    return bits


def _initial_letters(initials: str) -> str:
    """``"IJH"`` -> ``"ih"``: one letter per initial, ``IJ`` counted as one (``i``)."""
    text = initials.casefold().replace("ij", "i")
    return "".join(ch for ch in text if ch.isalpha())


@dataclass(frozen=True, repr=False)
class FirstName(Comparison):
    """First name that understands initials and nicknames.

    Levels: ``exact`` (same name), ``nickname`` (same name group: Jan ~ Johannes, Henk ~
    Hendrikus; any given name counts), ``similar`` (Jaro-Winkler >= ``threshold``),
    ``all_initials`` (the same two or more initials, ``J.H.M.`` ~ ``Jan Hendrik Maria``; only
    with ``all_initials=True``), ``initials`` (compatible initials: ``J.`` vs ``Jan``, ``JH``
    vs ``J``, or a roepnaam's initial, or that of the official name it stands for, among the
    other's initials as in ``Henk`` vs ``J.H.`` or ``Hans`` vs ``J.``), ``swapped`` (first
    name and surname exchanged between the records, a column mix-up in one system:
    ``Jan``/``Peters`` ~ ``Peters``/``Jan``; only with ``swapped=True``; reads the optional
    ``surname`` column), else. When both
    sides have a name, the names decide, unless a side's initials are not those of its name
    (a roepnaam beside official initials: ``Nel``, ``P.A.``); then the initials count as
    above. Null when a side has neither a name nor initials.
    """

    first_name: str = "first_name"
    initials: str = "initials"
    threshold: float = 0.9
    nicknames: Mapping[str, str] | None = None
    all_initials: bool = True
    short_names: bool = True
    swapped: bool = True
    surname: str = "surname_key"
    name: str = "first_name"  # type: ignore[assignment]
    legacy_fields: ClassVar[Mapping[str, object]] = {"all_initials": False,
                                                     "short_names": False, "swapped": False}
    labels: tuple[str, ...] = field(
        default=("else", "initials", "similar", "nickname", "exact"), init=False
    )

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"FirstName threshold must be in (0, 1], got {self.threshold!r}")
        object.__setattr__(self, "columns", (self.first_name, self.initials))
        labels = ["else", "initials", "similar", "nickname", "exact"]
        if self.short_names:
            labels.insert(2, "short_name")
        if self.all_initials:
            labels.insert(2, "all_initials")
        if self.swapped:
            labels.insert(1, "swapped")
            object.__setattr__(self, "columns", (*self.columns, self.surname))
            object.__setattr__(self, "optional_columns", (self.surname,))
        object.__setattr__(self, "labels", tuple(labels))

    def prepare(self, values: Values) -> Values:
        names, inits = values[self.first_name], values[self.initials]
        # the name work is done once per distinct (name, initials): with the surname of the
        # swap check among the columns, there are many more combinations than names
        row = row_hashes(*text_codes(names, inits))
        first, inverse = unique_rows(row)
        out = {k: v[inverse] for k, v in self._prepare_names(
            np.asarray(names, dtype=object)[first],
            np.asarray(inits, dtype=object)[first]).items()}
        out["row"] = row
        if self.swapped:
            surnames = values.get(self.surname)
            out.update(_swap_keys(out["key"], np.full(len(names), None, dtype=object)
                                  if surnames is None else surnames))
        return out

    def null_side(self, values: Values, prepared: Values) -> NDArray[np.bool_]:
        """A side with neither a first name nor initials (the surname is only read for the
        swap check)."""
        return ~(present(values[self.first_name]) | present(values[self.initials]))

    def _prepare_names(self, names: NDArray[np.object_], inits: NDArray[np.object_]
                       ) -> Values:
        if self.nicknames is None:  # the bundled groups: their letters worked out once
            groups, group_letters = nickname_groups(), _default_group_letters()
        else:
            groups = self.nicknames
            group_letters = _group_letters(groups)
        n = len(names)
        key = np.empty(n, dtype=object)
        group = np.full((n, _MAX_NAMES), None, dtype=object)
        bits = np.zeros(n, dtype=np.int64)
        first_initial = np.zeros(n, dtype=np.int64)
        name_initial = np.zeros(n, dtype=np.int64)
        own_initials = np.zeros(n, dtype=bool)
        text = np.full(n, "", dtype=object)
        first_token = np.full(n, "", dtype=object)
        chunk = np.full(n, "", dtype=object)
        n_tokens = np.zeros(n, dtype=np.int64)
        # a real-time call's few names repeat across calls (common names): remembered
        memo = self.nicknames is None and n <= _FEW_VALUES
        for i in range(n):
            name, init = names[i], inits[i]
            if memo and _memo_key(name) and _memo_key(init):
                fields = _default_name_fields(name, init)
            else:
                fields = _name_fields(name, init, groups, group_letters)
            (key[i], group[i, :], bits[i], first_initial[i], name_initial[i], own_initials[i],
             text[i], first_token[i], chunk[i], n_tokens[i]) = fields
        # texts compared for equality also as integer codes (-1 missing): the levels are
        # computed for millions of pairs, where comparing objects is slow
        key_code, text_code = text_codes(key, text)
        group_code = np.stack(text_codes(*group.T), axis=1) if n else \
            np.full((0, _MAX_NAMES), -1, dtype=np.int64)
        return {"key": key, "key_code": key_code, "group_code": group_code, "bits": bits,
                "first": first_initial, "name_initial": name_initial,
                "own_initials": own_initials, "text_code": text_code,
                "n_initials": np.array([len(t) for t in text], dtype=np.int64),
                "first_token": first_token, "chunk": chunk, "n_tokens": n_tokens,
                "token_length": np.array([len(t) for t in first_token], dtype=np.int64)}

    def levels(self, left: Values, right: Values) -> NDArray[np.int8]:
        out = _by_distinct_pairs(self._name_levels, left, right)
        if self.swapped:
            out[(out == 0) & _swapped(left, right, self.threshold)] = 1
        return out

    def _name_levels(self, left: Values, right: Values) -> NDArray[np.int8]:
        lk, rk = left["key_code"], right["key_code"]
        lb, rb = left["bits"], right["bits"]
        has_l, has_r = lk >= 0, rk >= 0
        null = ((~has_l) & (lb == 0)) | ((~has_r) & (rb == 0))
        both = has_l & has_r
        out = np.zeros(len(lk), dtype=np.int8)

        # initials: same first initial and one set inside the other, or (one side name only)
        # the name's initial among the other side's initials (roepnaam from a later name, or
        # a nickname of an official name: Hans ~ J.)
        nested = ((lb & rb) == lb) | ((lb & rb) == rb)
        compatible = (left["first"] == right["first"]) & nested
        roepnaam = (has_l & ~has_r & ((left["name_initial"] & rb) != 0)) | (
            has_r & ~has_l & ((right["name_initial"] & lb) != 0)
        )
        # with two names, the names decide, unless a side's initials are not those of its
        # name (a roepnaam beside the official initials: Nel P.A. ~ Petronella Anna P.A.);
        # then compatible initials are evidence as for initials alone
        official = both & (left["own_initials"] | right["own_initials"]) & compatible
        swap = int(self.swapped)  # "swapped" sits between else and initials
        initials = np.where(compatible | roepnaam, 1 + swap, 0).astype(np.int8)
        if self.all_initials:
            several = (left["n_initials"] >= 2) & (left["text_code"] == right["text_code"])
            initials[several & compatible] = 2 + swap
        out[~both] = initials[~both]
        top = self.n_levels - 1

        idx = np.flatnonzero(both)
        if len(idx):
            a, b = left["key"][idx], right["key"][idx]  # texts on both sides
            level = np.where(official[idx], initials[idx], 0).astype(np.int8)
            if self.short_names:
                level[self._short_name(left, right, idx, a, b)] = top - 3
            level[self._similar(left, right, idx, a, b)] = top - 2
            lg, rg = left["group_code"][idx], right["group_code"][idx]
            same_group = np.zeros(len(idx), dtype=bool)
            for i in range(_MAX_NAMES):
                for j in range(_MAX_NAMES):
                    same_group |= (lg[:, i] >= 0) & (lg[:, i] == rg[:, j])
            level[same_group] = top - 1
            level[lk[idx] == rk[idx]] = top
            out[idx] = level
        out[null] = -1
        return out

    def _similar(self, left: Values, right: Values, idx: NDArray[np.int64],
                 a: NDArray[np.object_], b: NDArray[np.object_]) -> NDArray[np.bool_]:
        """Jaro-Winkler of the names, or of the first given names (a typo in ``Ronaild
        Nicolaas`` ~ ``Ronald``), >= threshold."""
        jw = _JaroWinkler.normalized_similarity
        close = similarity(jw, a, b) >= self.threshold
        if not self.short_names:
            return close
        close |= similarity(jw, left["first_token"][idx], right["first_token"][idx]) >= \
            self.threshold
        return close

    @staticmethod
    def _short_name(left: Values, right: Values, idx: NDArray[np.int64],
                    a: NDArray[np.object_], b: NDArray[np.object_]) -> NDArray[np.bool_]:
        """A roepnaam formed from an official given name on the other side: its first three
        letters (after a diminutive -je/-tje/-ke) inside one of the other's names, which is
        longer or one of several (Bert ~ Albertus, Nel ~ Petronella, Tineke ~ Martina,
        Frans ~ Franciscus Antonius), as roepnamen are cut from BRP names."""
        out = np.zeros(len(idx), dtype=bool)
        for this, other, other_names in ((left, right, b), (right, left, a)):
            chunk = this["chunk"][idx]
            longer = (other["n_tokens"][idx] >= 2) | (
                other["token_length"][idx] > this["token_length"][idx])
            usable = present(chunk) & longer & (this["n_tokens"][idx] == 1)
            rows = np.flatnonzero(usable)
            if len(rows):
                found = similarity(_fuzz.partial_ratio, chunk[rows].astype(object),
                                   other_names[rows]) >= 100.0
                out[rows[found]] = True
        return out


#: What :func:`_name_fields` gives for one name and its initials, in that order.
_NameFields = tuple[str | None, tuple[str | None, ...], int, int, int, bool, str, str, str, int]


def _name_fields(name: object, inits: object, groups: Mapping[str, str],
                 group_letters: Mapping[str, int]) -> _NameFields:
    """What FirstName compares of one first name with its initials: the name key, the
    nickname groups of its first given names, the initials as letter bits, the first
    initial, the initial(s) the name stands for, whether the initials are not those of the
    name, the initials text, the first given name, its short-name chunk and the number of
    given names."""
    name_key = _key(name)
    init_text = _initial_letters(str(inits)) if _usable(inits) else ""
    tokens = name_key.replace("-", " ").split() if name_key else []
    group: list[str | None] = [None] * _MAX_NAMES
    name_initial, own_initials, first_token, chunk = 0, False, "", ""
    if name_key:
        derived = "".join(_initial_letters(t)[:1] for t in tokens)
        # the roepnaam's initial, or that of an official name it stands for (Hans,
        # Johannes: H or J)
        first_group = groups.get(tokens[0], tokens[0])
        name_initial = _letter_bits(_initial_letters(tokens[0])[:1]) | \
            group_letters.get(first_group, 0)
        for j, token in enumerate(tokens[:_MAX_NAMES]):
            group[j] = groups.get(token, token)
        first_token = tokens[0]
        chunk = _short_name_chunk(tokens[0])
        # initials that the name does not explain: the official names behind a
        # roepnaam (Nel, P.A.) or initials added to the name (Jan H.)
        own_initials = bool(init_text) and not (
            init_text.startswith(derived) or derived.startswith(init_text))
        if not init_text:
            init_text = derived
    return (name_key, tuple(group), _letter_bits(init_text), _letter_bits(init_text[:1]),
            name_initial, own_initials, init_text, first_token, chunk, len(tokens))


@functools.lru_cache(maxsize=16384)
def _default_name_fields(name: str | None, inits: str | None) -> _NameFields:
    """:func:`_name_fields` with the bundled nickname groups, remembered per value."""
    return _name_fields(name, inits, nickname_groups(), _default_group_letters())


def _memo_key(value: object) -> bool:
    """Whether a value can key a memo (a text or None: hashable, equal to itself)."""
    return value is None or type(value) is str


def _usable(value: object) -> bool:
    """:func:`~custmatch.compare.library.present` of one value."""
    return not (value is None or value is pd.NA or value is pd.NaT or
                (isinstance(value, float) and value != value) or
                (isinstance(value, str) and value == ""))


def _short_name_chunk(token: str) -> str:
    """The first three letters of a given name without a diminutive ending (``marieke`` ->
    ``mar``, ``tineke`` -> ``tin``); ``""`` when fewer than three letters remain."""
    stem = token
    for ending in ("tje", "je", "ke"):
        if stem.endswith(ending) and len(stem) - len(ending) >= 3:
            stem = stem[: -len(ending)]
            break
    letters = "".join(ch for ch in stem if ch.isalpha())
    return letters[:3] if len(letters) >= 3 else ""


@dataclass(frozen=True, repr=False)
class Surname(Comparison):
    """Surname without tussenvoegsel, aware of married names and Dutch spelling variants.

    Levels: ``exact`` (same core surname, or the same letters once the tussenvoegsel is
    written against it: ``Vanginkel`` ~ ``van Ginkel``, as typed into web forms),
    ``phonetic`` (same Dutch phonetic key, e.g. Meijer/Meyer), ``either_part`` (a part of a
    hyphenated or partner name matches a part of the other: Jansen-de Vries ~ de Vries),
    ``similar`` (Jaro-Winkler >= ``threshold``), ``swapped`` (first name and surname
    exchanged between the records; only with ``swapped=True``, reading the optional
    ``first_name`` column), else. Null when either side has no surname. The ``prefix``
    (tussenvoegsel) column may be absent or ``None``.
    """

    surname_key: str = "surname_key"
    partner_key: str = "partner_surname_key"
    phonetic: str = "surname_phonetic"
    partner_phonetic: str = "partner_surname_phonetic"
    threshold: float = 0.9
    prefix: str | None = "prefix"
    swapped: bool = True
    first_name: str = "first_name"
    name: str = "surname"  # type: ignore[assignment]
    legacy_fields: ClassVar[Mapping[str, object]] = {"swapped": False}
    labels: tuple[str, ...] = field(
        default=("else", "similar", "either_part", "phonetic", "exact"), init=False
    )

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"Surname threshold must be in (0, 1], got {self.threshold!r}")
        columns = (self.surname_key, self.partner_key, self.phonetic, self.partner_phonetic)
        optional: tuple[str, ...] = ()
        if self.prefix is not None:
            optional = (*optional, self.prefix)
        if self.swapped:
            optional = (*optional, self.first_name)
            object.__setattr__(self, "labels", ("else", "swapped", "similar", "either_part",
                                                "phonetic", "exact"))
        object.__setattr__(self, "optional_columns", optional)
        object.__setattr__(self, "columns", (*columns, *optional))

    def prepare(self, values: Values) -> Values:
        out = dict(values)
        keys = values[self.surname_key]
        prefixes = values.get(self.prefix) if self.prefix is not None else None
        if prefixes is None:
            prefixes = np.full(len(keys), None, dtype=object)
        if len(keys) <= _FEW_VALUES:  # a real-time call's few surnames: remembered
            glued = np.array([_remembered_glued(p, k) if _memo_key(p) and _memo_key(k)
                              else _glued(p, k) for p, k in zip(prefixes, keys, strict=True)],
                             dtype=object)
        else:
            glued = np.array([_glued(p, k) for p, k in zip(prefixes, keys, strict=True)],
                             dtype=object)
        # compared for equality over millions of pairs: as integer codes (-1 missing)
        (out["key_code"], out["partner_code"], out["phonetic_code"],
         out["partner_phonetic_code"], out["glued_code"]) = text_codes(
            keys, values[self.partner_key], values[self.phonetic],
            values[self.partner_phonetic], glued)
        if self.swapped:
            names = values.get(self.first_name)
            out.update(_swap_keys(np.full(len(keys), None, dtype=object) if names is None
                                  else names, keys))
            surname_columns = [values[c] for c in (self.surname_key, self.partner_key,
                                                   self.phonetic, self.partner_phonetic)]
            out["row"] = row_hashes(*text_codes(*surname_columns, prefixes))
        return out

    def null_side(self, values: Values, prepared: Values) -> NDArray[np.bool_]:
        """A side without a surname (the first name is only read for the swap check)."""
        return ~present(values[self.surname_key])

    def levels(self, left: Values, right: Values) -> NDArray[np.int8]:
        out = _by_distinct_pairs(self._surname_levels, left, right)
        if self.swapped:
            out[out > 0] += 1  # "swapped" sits between else and similar
            out[(out == 0) & _swapped(left, right, self.threshold)] = 1
        return out

    def _surname_levels(self, left: Values, right: Values) -> NDArray[np.int8]:
        """The levels without ``swapped`` (else, similar, either_part, phonetic, exact)."""
        ls, rs = left["key_code"], right["key_code"]
        out = np.full(len(ls), -1, dtype=np.int8)
        idx = np.flatnonzero((ls >= 0) & (rs >= 0))
        if not len(idx):
            return out
        ls, rs = ls[idx], rs[idx]
        level = np.zeros(len(idx), dtype=np.int8)
        level[similarity(_JaroWinkler.normalized_similarity, left[self.surname_key][idx],
                         right[self.surname_key][idx]) >= self.threshold] = 1
        for own, partner in (("key_code", "partner_code"),
                             ("phonetic_code", "partner_phonetic_code")):
            lo, ro = left[own][idx], right[own][idx]
            lp, rp = left[partner][idx], right[partner][idx]
            level[((lp >= 0) & ((lp == ro) | (lp == rp))) | ((rp >= 0) & (rp == lo))] = 2
        lf, rf = left["phonetic_code"][idx], right["phonetic_code"][idx]
        level[(lf >= 0) & (lf == rf)] = 3
        lg, rg = left["glued_code"][idx], right["glued_code"][idx]
        level[(ls == rs) | ((lg >= 0) & (lg == rg))] = 4
        out[idx] = level
        return out


def _by_distinct_pairs(levels_of: Callable[[Values, Values], NDArray[np.int8]],
                       left: Values, right: Values) -> NDArray[np.int8]:
    """``levels_of(left, right)`` computed once per distinct pair of prepared rows (by the
    ``row`` hashes ``prepare`` left, when both sides have them) and spread to every pair:
    the name comparisons read a column (for the swap check) that multiplies the distinct
    combinations the engine sees without changing the name levels."""
    if "row" not in left or "row" not in right:
        return np.asarray(levels_of(left, right), dtype=np.int8)
    first, inverse = unique_rows(row_hashes(left["row"], right["row"]))
    if len(first) == len(inverse):
        return np.asarray(levels_of(left, right), dtype=np.int8)
    return np.asarray(levels_of(TakenValues(left, first), TakenValues(right, first)),
                      dtype=np.int8)[inverse]


def _letter_keys(values: NDArray[np.object_]) -> NDArray[np.object_]:
    """Each name as its :func:`~custmatch.normalize.text.text_key` (letters and digits,
    accents folded, lower case; ``None`` when missing or empty), each distinct value worked
    out once: the form in which a first name and a surname are compared when looking for an
    exchange of the two."""
    values = np.asarray(values, dtype=object)
    out = np.full(len(values), None, dtype=object)
    usable = np.flatnonzero(present(values))
    if len(usable) <= _FEW_VALUES:  # a real-time call's few values: remembered across calls
        out[usable] = [_remembered_text_key(str(v)) for v in values[usable]]
    else:
        codes, uniques = pd.factorize(values[usable])
        keys = np.array([text_key(str(u)) for u in uniques], dtype=object)
        out[usable] = keys[codes]
    return out


#: :func:`~custmatch.normalize.text.text_key` remembered per value (common names recur in
#: every real-time call)
_remembered_text_key = functools.lru_cache(maxsize=16384)(text_key)


def _swap_keys(names: NDArray[np.object_], surnames: NDArray[np.object_]) -> Values:
    """What :func:`_swapped` reads of each record: the first name and the surname as
    :func:`_letter_keys`, and those as integer codes (-1 missing)."""
    name_letters, surname_letters = _letter_keys(names), _letter_keys(surnames)
    name_code, surname_code = text_codes(name_letters, surname_letters)
    return {"name_letters": name_letters, "surname_letters": surname_letters,
            "name_code": name_code, "surname_code": surname_code}


def _swapped(left: Values, right: Values, threshold: float = 0.9) -> NDArray[np.bool_]:
    """Pairs whose first name and surname are exchanged: the left first name is the right
    surname and the left surname the right first name, one of the two crossings allowing a
    typo (Jaro-Winkler >= ``threshold``: ``Jack``/``Stubbs`` ~ ``Stubbs``/``Jaxck``)."""
    ln, ls = left["name_code"], left["surname_code"]
    rn, rs = right["name_code"], right["surname_code"]
    usable = (ln >= 0) & (ls >= 0) & (rn >= 0) & (rs >= 0) & (ln != ls)
    first_cross, second_cross = usable & (ln == rs), usable & (ls == rn)
    out = first_cross & second_cross
    typo = np.flatnonzero(first_cross ^ second_cross)
    if len(typo):
        exact_first = first_cross[typo]
        a = np.where(exact_first, left["surname_letters"][typo], left["name_letters"][typo])
        b = np.where(exact_first, right["name_letters"][typo], right["surname_letters"][typo])
        out[typo] = similarity(_JaroWinkler.normalized_similarity, a.astype(object),
                               b.astype(object)) >= threshold
    return out


def _glued(prefix: object, key: object) -> str | None:
    """Letters of tussenvoegsel + core surname key, without spaces (``van 't`` + ``hof`` ->
    ``vanthof``); ``None`` without a surname."""
    if key is None or key != key or not str(key):
        return None
    text = str(key) if prefix is None or prefix != prefix else f"{prefix}{key}"
    return "".join(ch for ch in fold_accents(text).casefold() if ch.isalnum())


#: :func:`_glued` remembered per value, for a real-time call's few surnames
_remembered_glued = functools.lru_cache(maxsize=16384)(_glued)


def _ymd(value: object) -> tuple[int, int, int]:
    if value is None or value != value:
        return (-1, -1, -1)
    if isinstance(value, dt.date):
        return (value.year, value.month, value.day)
    text = str(value)[:10]
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return (-1, -1, -1)
    return (day.year, day.month, day.day)


@dataclass(frozen=True, repr=False)
class BirthDate(Comparison):
    """Birth date with Dutch data-entry errors in mind.

    Levels: ``exact``, ``day_month_swapped`` (3-4 vs 4-3, a US-format system in between),
    ``one_digit`` (one digit of ``yyyymmdd`` differs), ``same_year`` (a side only has a
    year, and it agrees), ``within_{n}_years`` for each of ``year_distances`` (years at most
    n apart, or two full dates in one year that differ by more than a typo), else. Null when
    a side has neither a date nor a year. Dates are ``datetime.date``, Timestamps or ISO
    strings; ``year`` (optional) names a column with the year of year-only records.

    The ``within_{n}_years`` levels are disagreements (:attr:`disagreement_levels`): two
    full dates a few months or years apart that no typo explains belong to two people
    (siblings), and a model may weigh them against a match.
    """

    distinct_pairs: ClassVar[bool] = False  # integer comparisons: cheaper per pair
    column: str = "birth_date"
    year: str | None = "birth_year"
    year_distances: tuple[int, ...] = (2,)
    name: str = "birth_date"  # type: ignore[assignment]

    def __post_init__(self) -> None:
        distances = tuple(self.year_distances)
        if any(not isinstance(d, int) or d < 1 for d in distances) or list(distances) != sorted(
            set(distances)
        ):
            raise ConfigError(
                f"BirthDate year_distances must be increasing integers >= 1, got {distances!r}"
            )
        object.__setattr__(self, "year_distances", distances)
        columns = (self.column,) if self.year is None else (self.column, self.year)
        object.__setattr__(self, "columns", columns)
        within = tuple(f"within_{d}_years" for d in reversed(distances))
        labels = ("else", *within, "same_year", "one_digit", "day_month_swapped", "exact")
        object.__setattr__(self, "labels", labels)
        # another date in the same or a near year is not a typo: siblings, not one person
        object.__setattr__(self, "disagreement_levels", within)

    def prepare(self, values: Values) -> Values:
        dates = values[self.column]
        parts = np.array([_ymd(v) for v in dates], dtype=np.int64).reshape(len(dates), 3)
        years = parts[:, 0].copy()
        if self.year is not None:
            extra = values[self.year]
            for i in np.flatnonzero(years < 0):
                v = extra[i]
                if v is not None and v == v:
                    with contextlib.suppress(TypeError, ValueError):
                        years[i] = int(v)
        digits = np.array([f"{y:04d}{m:02d}{d:02d}" if y >= 0 else "" for y, m, d in parts],
                          dtype="U8")
        return {"y": parts[:, 0], "m": parts[:, 1], "d": parts[:, 2], "year": years,
                "digits": digits}

    def levels(self, left: Values, right: Values) -> NDArray[np.int8]:
        ly, ry = left["year"], right["year"]
        out = np.zeros(len(ly), dtype=np.int8)
        full = (left["y"] >= 0) & (right["y"] >= 0)
        gap = np.abs(ly - ry)
        k = len(self.year_distances)
        for rank, distance in enumerate(reversed(self.year_distances)):  # widest first
            out[gap <= distance] = rank + 1
        out[(gap == 0) & ~full] = k + 1  # only a year to compare, and it agrees
        ld = left["digits"].view(np.uint32).reshape(len(ly), -1) if len(ly) else None
        if ld is not None:
            rd = right["digits"].view(np.uint32).reshape(len(ly), -1)
            one_digit = full & ((ld != rd).sum(axis=1) == 1)
            out[one_digit] = k + 2
        swapped = full & (ly == ry) & (left["m"] == right["d"]) & (left["d"] == right["m"]) & (
            left["m"] != left["d"])
        out[swapped] = k + 3
        out[full & (ly == ry) & (left["m"] == right["m"]) & (left["d"] == right["d"])] = k + 4
        out[(ly < 0) | (ry < 0)] = -1
        return out


@dataclass(frozen=True, repr=False)
class Gender(Comparison):
    """Gender, as read from a salutation (``Dhr.``/``Mevr.``) or a gender field.

    Levels: ``exact`` (both ``M`` or both ``F``), else. Partners in one household share a
    surname, an address and a landline, and often an initial; a salutation that says
    ``de heer`` on one record and ``mevrouw`` on the other tells them apart. Null when a side
    has no gender or one other than ``M``/``F`` (``X``: no evidence either way); the column
    may be absent.
    """

    column: str = "gender"
    name: str = "gender"  # type: ignore[assignment]
    labels: tuple[str, ...] = field(default=("else", "exact"), init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", (self.column,))
        object.__setattr__(self, "optional_columns", (self.column,))

    def prepare(self, values: Values) -> Values:
        codes = np.array([str(v).strip().upper()[:1] if v is not None and v == v else ""
                          for v in values[self.column]], dtype=object)
        return {"g": np.where(np.isin(codes, ["M", "F"]), codes, None)}

    def levels(self, left: Values, right: Values) -> NDArray[np.int8]:
        lg, rg = left["g"], right["g"]
        out = (lg == rg).astype(np.int8)
        out[~(present(lg) & present(rg))] = -1
        return out
