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
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from rapidfuzz.distance import JaroWinkler as _JaroWinkler

from custmatch.compare.engine import Comparison, Values
from custmatch.compare.library import present, similarity
from custmatch.errors import ConfigError
from custmatch.normalize.text import fold_accents
from custmatch.normalize.wordlists import load_mapping

__all__ = ["BirthDate", "FirstName", "Surname", "nickname_groups"]

_MAX_NAMES = 3  # given names compared per record


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
    ``initials`` (compatible initials: ``J.`` vs ``Jan``, ``JH`` vs ``J``, or a roepnaam's
    initial among the other's initials as in ``Henk`` vs ``J.H.``), else. Null when a side
    has neither a name nor initials.
    """

    first_name: str = "first_name"
    initials: str = "initials"
    threshold: float = 0.9
    nicknames: Mapping[str, str] | None = None
    name: str = "first_name"  # type: ignore[assignment]
    labels: tuple[str, ...] = field(
        default=("else", "initials", "similar", "nickname", "exact"), init=False
    )

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"FirstName threshold must be in (0, 1], got {self.threshold!r}")
        object.__setattr__(self, "columns", (self.first_name, self.initials))

    def prepare(self, values: Values) -> Values:
        groups = self.nicknames if self.nicknames is not None else nickname_groups()
        names, inits = values[self.first_name], values[self.initials]
        n = len(names)
        key = np.empty(n, dtype=object)
        group = np.full((n, _MAX_NAMES), None, dtype=object)
        bits = np.zeros(n, dtype=np.int64)
        first_initial = np.zeros(n, dtype=np.int64)
        name_initial = np.zeros(n, dtype=np.int64)
        for i in range(n):
            name_key = _key(names[i])
            key[i] = name_key
            init_text = _initial_letters(str(inits[i])) if present(inits[i:i + 1])[0] else ""
            tokens = name_key.replace("-", " ").split() if name_key else []
            if name_key:
                name_initial[i] = _letter_bits(_initial_letters(tokens[0])[:1])
                for j, token in enumerate(tokens[:_MAX_NAMES]):
                    group[i, j] = groups.get(token, token)
                if not init_text:
                    init_text = "".join(_initial_letters(t)[:1] for t in tokens)
            bits[i] = _letter_bits(init_text)
            first_initial[i] = _letter_bits(init_text[:1])
        return {"key": key, "group": group, "bits": bits, "first": first_initial,
                "name_initial": name_initial}

    def levels(self, left: Values, right: Values) -> NDArray[np.int8]:
        lk, rk = left["key"], right["key"]
        lb, rb = left["bits"], right["bits"]
        has_l, has_r = present(lk), present(rk)
        null = ((~has_l) & (lb == 0)) | ((~has_r) & (rb == 0))
        both = has_l & has_r
        out = np.zeros(len(lk), dtype=np.int8)

        # initials: same first initial and one set inside the other, or (one side name only)
        # the name's initial among the other side's initials (roepnaam from a later name)
        nested = ((lb & rb) == lb) | ((lb & rb) == rb)
        compatible = (left["first"] == right["first"]) & nested
        roepnaam = (has_l & ~has_r & ((left["name_initial"] & rb) != 0)) | (
            has_r & ~has_l & ((right["name_initial"] & lb) != 0)
        )
        out[(compatible | roepnaam) & ~both] = 1  # with two names, the names decide

        idx = np.flatnonzero(both)
        if len(idx):
            a = np.array([str(v) for v in lk[idx]], dtype=object)
            b = np.array([str(v) for v in rk[idx]], dtype=object)
            level = np.zeros(len(idx), dtype=np.int8)
            level[similarity(_JaroWinkler.normalized_similarity, a, b) >= self.threshold] = 2
            lg, rg = left["group"][idx], right["group"][idx]
            same_group = np.zeros(len(idx), dtype=bool)
            for i in range(_MAX_NAMES):
                for j in range(_MAX_NAMES):
                    same_group |= present(lg[:, i]) & (lg[:, i] == rg[:, j])
            level[same_group] = 3
            level[a == b] = 4
            out[idx] = level
        out[null] = -1
        return out


@dataclass(frozen=True, repr=False)
class Surname(Comparison):
    """Surname without tussenvoegsel, aware of married names and Dutch spelling variants.

    Levels: ``exact`` (same core surname), ``phonetic`` (same Dutch phonetic key, e.g.
    Meijer/Meyer), ``either_part`` (a part of a hyphenated or partner name matches a part of
    the other: Jansen-de Vries ~ de Vries), ``similar`` (Jaro-Winkler >= ``threshold``),
    else. Null when either side has no surname.
    """

    surname_key: str = "surname_key"
    partner_key: str = "partner_surname_key"
    phonetic: str = "surname_phonetic"
    partner_phonetic: str = "partner_surname_phonetic"
    threshold: float = 0.9
    name: str = "surname"  # type: ignore[assignment]
    labels: tuple[str, ...] = field(
        default=("else", "similar", "either_part", "phonetic", "exact"), init=False
    )

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"Surname threshold must be in (0, 1], got {self.threshold!r}")
        object.__setattr__(
            self, "columns", (self.surname_key, self.partner_key, self.phonetic,
                              self.partner_phonetic)
        )

    def levels(self, left: Values, right: Values) -> NDArray[np.int8]:
        ls, rs = left[self.surname_key], right[self.surname_key]
        lp, rp = left[self.partner_key], right[self.partner_key]
        lf, rf = left[self.phonetic], right[self.phonetic]
        lpf, rpf = left[self.partner_phonetic], right[self.partner_phonetic]
        has_l, has_r = present(ls), present(rs)
        both = has_l & has_r
        out = np.full(len(ls), -1, dtype=np.int8)
        idx = np.flatnonzero(both)
        if not len(idx):
            return out
        level = np.zeros(len(idx), dtype=np.int8)
        a = np.array([str(v) for v in ls[idx]], dtype=object)
        b = np.array([str(v) for v in rs[idx]], dtype=object)
        level[similarity(_JaroWinkler.normalized_similarity, a, b) >= self.threshold] = 1
        lpi, rpi = lp[idx], rp[idx]
        part = (present(lpi) & ((lpi == rs[idx]) | (lpi == rpi))) | (
            present(rpi) & (rpi == ls[idx])
        )
        lpfi, rpfi = lpf[idx], rpf[idx]
        part |= (present(lpfi) & ((lpfi == rf[idx]) | (lpfi == rpfi))) | (
            present(rpfi) & (rpfi == lf[idx])
        )
        level[part] = 2
        level[present(lf[idx]) & (lf[idx] == rf[idx])] = 3
        level[a == b] = 4
        out[idx] = level
        return out


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
    ``one_digit`` (one digit of ``yyyymmdd`` differs), ``same_year`` (also when a side
    only has a year), ``within_{n}_years`` for each of ``year_distances``, else. Null when
    a side has neither a date nor a year. Dates are ``datetime.date``, Timestamps or ISO
    strings; ``year`` (optional) names a column with the year of year-only records.
    """

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
        out[gap == 0] = k + 1
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
