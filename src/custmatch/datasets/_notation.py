"""Dutch notations used by the generator's source layouts: phones, dates, postcodes, names.

Example:
    >>> fmt_phone("0201234567", 7), fmt_phone("0612345678", 4)
    ('(020) 123 45 67', '+31 (0)6-12345678')
    >>> fmt_date(1980, 3, 7, "long"), fmt_postcode(1234, "AB", 3)
    ('7 maart 1980', '1234-AB')
    >>> house_inline(12, "A", 0), house_inline(12, "3 hoog", 0)
    ('12a', '12 3 hoog')
    >>> abbreviate_street("Burgemeester de Withstraat"), abbreviate_street("Sint-Jansstraat")
    ('Burg. de Withstr.', 'St. Jansstr.')
"""

from __future__ import annotations

from functools import cache

from custmatch.datasets import _vocab

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
MONTHS_ABBR = (
    "jan.",
    "feb.",
    "mrt.",
    "apr.",
    "mei",
    "jun.",
    "jul.",
    "aug.",
    "sep.",
    "okt.",
    "nov.",
    "dec.",
)


@cache
def _area2() -> frozenset[str]:
    """Two-digit area codes (with trunk 0); every other geographic code has three digits."""
    return frozenset(c for c in _vocab.cities().area_code if len(c) == 3) | {"088"}


# Split (own column) and inline (after the house number) notations per canonical addition.
_ADDITION_NOTATION: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "HS": (("hs", "H", "huis", "HS"), (" hs", "-H", "hs", " huis")),
    "BG": (("bg", "BG", "bel-etage"), (" bg", " bel-etage", "-bg")),
    "BIS": (("bis", "BIS"), (" bis", "bis", " BIS")),
    "2 hoog": (("2 hoog", "2hg", "2e etage"), (" 2 hoog", " 2-hoog", " 2hg")),
    "3 hoog": (("3 hoog", "3hg", "3e etage"), (" 3 hoog", " 3-hoog", " 3hg")),
}
_DIGIT_SEPS = ("-", "/", " ", "-")
_LETTER_SEPS = ("", " ", "-", "")
_ROMAN_SEPS = (" ", "-")

# --------------------------------------------------------------------------- scalar notations


def fmt_phone(num: str, style: int) -> str:
    """Write a national number (``0201234567``) in one of nine Dutch notations (0-8)."""
    if num.startswith("06"):
        cut = 2
    elif num.startswith(("0800", "0900")):
        cut = 4
    else:
        cut = 3 if num[:3] in _area2() else 4
    area, sub = num[:cut], num[cut:]
    style %= 9
    if len(sub) <= 4 and style in (2, 7, 8):
        return f"{area} {sub}"
    if style == 0:
        return f"{area}-{sub}"
    if style == 1:
        return num
    if style == 2:
        if cut == 2:
            return f"{area} {sub[:4]} {sub[4:]}"
        return f"{area} {sub[:3]} {sub[3:]}"
    if style == 3:
        return f"+31 {area[1:]} {sub}"
    if style == 4:
        return f"+31 (0){area[1:]}-{sub}"
    if style == 5:
        return "0031" + num[1:]
    if style == 6:
        return "+31" + num[1:]
    if style == 7:
        if len(sub) == 7:
            return f"({area}) {sub[:3]} {sub[3:5]} {sub[5:]}"
        if len(sub) == 6:
            return f"({area}) {sub[:2]} {sub[2:4]} {sub[4:]}"
        return f"({area}) {sub}"
    if len(sub) % 2:
        return f"{area} {sub[:3]} " + " ".join(sub[i : i + 2] for i in range(3, len(sub), 2))
    return f"{area} " + " ".join(sub[i : i + 2] for i in range(0, len(sub), 2))


def fmt_date(y: int, m: int, d: int, style: str) -> str:
    """Write a date in a Dutch notation: dmy, dmy_short, dmy_slash2, long, abbr, iso, compact."""
    if style == "dmy":
        return f"{d:02d}-{m:02d}-{y:04d}"
    if style == "dmy_short":
        return f"{d}-{m}-{y}"
    if style == "dmy_slash2":
        return f"{d:02d}/{m:02d}/{y % 100:02d}"
    if style == "long":
        return f"{d} {MONTHS[m - 1]} {y}"
    if style == "abbr":
        return f"{d} {MONTHS_ABBR[m - 1]} {y}"
    if style == "iso":
        return f"{y:04d}-{m:02d}-{d:02d}"
    return f"{y:04d}{m:02d}{d:02d}"


def fmt_postcode(pc4: int, letters: str, style: int) -> str:
    """Postcode notations: ``1234 AB``, ``1234AB``, ``1234ab``, ``1234-AB``, ``1234 ab`` (0-4)."""
    return (
        f"{pc4} {letters}",
        f"{pc4}{letters}",
        f"{pc4}{letters.lower()}",
        f"{pc4}-{letters}",
        f"{pc4} {letters.lower()}",
    )[style % 5]


def addition_split(add: str, variant: int) -> str:
    """The addition as a source writes it in its own column."""
    if add in _ADDITION_NOTATION:
        forms = _ADDITION_NOTATION[add][0]
        return forms[variant % len(forms)]
    if add.isalpha() and len(add) == 1:
        return add if variant % 3 else add.lower()
    return add


def house_inline(hn: int, add: str, variant: int) -> str:
    """House number plus addition as written after the street (``12a``, ``12-2``, ``12 hs``)."""
    if not add:
        return str(hn)
    if add in _ADDITION_NOTATION:
        forms = _ADDITION_NOTATION[add][1]
        return f"{hn}{forms[variant % len(forms)]}"
    if add.isdigit():
        return f"{hn}{_DIGIT_SEPS[variant % 4]}{add}"
    if len(add) == 1 and add not in "I":
        sep = _LETTER_SEPS[variant % 4]
        return f"{hn}{sep}{add.lower() if variant % 4 == 0 else add}"
    return f"{hn}{_ROMAN_SEPS[variant % 2]}{add}"


def dotted(tokens: str) -> str:
    """``"J H"`` -> ``"J.H."`` (initial tokens, space separated)."""
    return "".join(t + "." for t in tokens.split())


def cap_prefix(prefix: str) -> str:
    """Capitalise a tussenvoegsel that starts a name (``Van der``), except ``'t`` and ``d'``."""
    if not prefix or prefix.startswith(("'", "d'")):
        return prefix
    return prefix[0].upper() + prefix[1:]


def join_name(*parts: str) -> str:
    """Join the non-empty parts with single spaces."""
    return " ".join(p for p in parts if p)


@cache
def abbreviate_street(name: str) -> str:
    """Apply the first matching start rule and end rule (``Burg. de Withstr.``)."""
    out = name
    for pos, full, abbr in _vocab.street_abbreviations():
        if pos == "start" and out.startswith(full):
            out = abbr + out[len(full) :]
            break
    for pos, full, abbr in _vocab.street_abbreviations():
        if pos == "end" and out.endswith(full) and len(out) > len(full) + 2:
            out = out[: -len(full)] + abbr
            break
    return out


def glue_lower(prefix: str, core: str) -> str:
    """How people type their surname in a web form: ``devries``, ``van der berg``."""
    return (prefix.replace(" ", "") + core).lower()
