"""String-level corruptions for the generator: typos, transpositions, case, spaces, blanks.

Example:
    >>> _transpose("Jansen", 0.0), _whitespace("de Vries", 2), _noisy_case("de Vries", 0)
    ('aJnsen', 'de  Vries', 'DE VRIES')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

import numpy as np

_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


@cache
def _neighbours() -> dict[str, str]:
    out: dict[str, str] = {}
    for r, row in enumerate(_KEYBOARD):
        for c, ch in enumerate(row):
            near = [row[c - 1] if c else "", row[c + 1] if c + 1 < len(row) else ""]
            for rr in (r - 1, r + 1):
                if 0 <= rr < len(_KEYBOARD):
                    near += [_KEYBOARD[rr][k] for k in (c - 1, c) if 0 <= k < len(_KEYBOARD[rr])]
            out[ch] = "".join(n for n in near if n)
    return out


# --------------------------------------------------------------------------- string corruptions

#: Fields a typo, transposition or case/whitespace noise can hit.
TEXT_FIELDS = (
    "full_name",
    "first_name",
    "surname",
    "street",
    "city",
    "email",
    "organisation",
    "address",
)
#: Fields a "missing" corruption can blank.
MISSING_FIELDS = (
    "phone",
    "mobile",
    "email",
    "birth_date",
    "first_name",
    "initials",
    "street",
    "house_number",
    "postcode",
    "city",
    "gender",
    "address",
    "kvk_number",
)


def _typo(s: str, u: float, op: int) -> str:
    pos = 1 + int(u * (len(s) - 1))
    pos = min(pos, len(s) - 1)
    ch = s[pos]
    near = _neighbours().get(ch.lower(), "")
    if op == 0 and near:
        rep = near[int(u * 997) % len(near)]
        return s[:pos] + (rep.upper() if ch.isupper() else rep) + s[pos + 1 :]
    if op == 1 and len(s) > 3:
        return s[:pos] + s[pos + 1 :]
    extra = near[int(u * 991) % len(near)] if near else ch
    return s[:pos] + extra + s[pos:]


def _transpose(s: str, u: float) -> str | None:
    spots = [
        i for i in range(len(s) - 1) if s[i] != s[i + 1] and s[i].isalnum() and s[i + 1].isalnum()
    ]
    if not spots:
        return None
    i = spots[int(u * len(spots)) % len(spots)]
    return s[:i] + s[i + 1] + s[i] + s[i + 2 :]


def _noisy_case(s: str, op: int) -> str:
    if op == 0:
        return s.upper()
    if op == 1:
        return s.lower()
    return " ".join(t[:1].upper() + t[1:].lower() for t in s.split(" "))


def _whitespace(s: str, op: int) -> str:
    if op == 0:
        return s + " "
    if op == 1:
        return " " + s
    if " " in s:
        return s.replace(" ", "  ", 1)
    return s + "  "


def corrupt_strings(
    rng: np.random.Generator,
    cols: dict[str, np.ndarray],
    bits: np.ndarray,
    rates: dict[str, float],
    kinds: Sequence[str],
) -> None:
    """Apply typo, transposition, case, whitespace and missing-field noise in place.

    Each kind hits a record with its rate; a record where the kind finds no usable field is left
    alone and not labelled. ``bits`` gets bit ``kinds.index(kind)`` for every record changed.
    """
    n = len(bits)

    def apply(
        kind: str,
        fields: Sequence[str],
        func: Callable[[str, float, int], object],
        many: bool = False,
        min_len: int = 3,
    ) -> None:
        sel = np.flatnonzero(rng.random(n) < rates[kind])
        us = rng.random((len(sel), 3))
        ops = rng.integers(0, 3, len(sel))
        bit = np.int64(1) << kinds.index(kind)
        for k, i in enumerate(sel):
            avail = [
                f for f in fields if isinstance(cols[f][i], str) and len(cols[f][i]) >= min_len
            ]
            if not avail:
                continue
            todo = [avail[int(us[k, 0] * len(avail))]]
            if many and us[k, 2] < 0.3 and len(avail) > 1:
                todo.append(avail[(avail.index(todo[0]) + 1) % len(avail)])
            changed = False
            for f in todo:
                new = func(cols[f][i], us[k, 1], int(ops[k]))
                if new is not None and new != cols[f][i]:
                    cols[f][i] = new
                    changed = True
            if changed:
                bits[i] |= bit

    apply("typo", TEXT_FIELDS, _typo)
    apply("transposition", (*TEXT_FIELDS, "phone", "mobile"), lambda s, u, op: _transpose(s, u))
    apply("case_noise", TEXT_FIELDS, lambda s, u, op: _noisy_case(s, op))
    apply("whitespace", (*TEXT_FIELDS, "postcode", "phone"), lambda s, u, op: _whitespace(s, op))
    apply("missing", MISSING_FIELDS, lambda s, u, op: np.nan, many=True, min_len=1)
