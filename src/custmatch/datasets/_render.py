"""Source layouts for the generator: which columns each source fills, in which notation.

The generator (``generator.py``) decides *what* each record says (which name, address, phone,
birth date, ...); this module decides *how* each of the five source systems writes it down.
``_noise.py`` then adds the string-level corruptions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from custmatch.datasets import _vocab
from custmatch.datasets._notation import (
    abbreviate_street,
    addition_split,
    cap_prefix,
    dotted,
    fmt_date,
    fmt_phone,
    fmt_postcode,
    glue_lower,
    house_inline,
    join_name,
)

__all__ = ["RECORD_COLUMNS", "SOURCES", "abbreviate_street", "join_name", "render_records"]

SOURCES = ("crm", "webshop", "service", "contracts", "finance")
CRM, WEBSHOP, SERVICE, CONTRACTS, FINANCE = range(5)

RECORD_COLUMNS = (
    "record_id",
    "source",
    "customer_number",
    "crm_reference",
    "title",
    "full_name",
    "first_name",
    "initials",
    "prefix",
    "surname",
    "organisation",
    "kvk_number",
    "street",
    "house_number",
    "house_number_addition",
    "address",
    "postcode",
    "city",
    "phone",
    "mobile",
    "email",
    "birth_date",
    "gender",
    "updated_at",
    "consent_email",
    "consent_phone",
)

# --------------------------------------------------------------------------- rendering


def _map_unique(values: np.ndarray, func: Callable[[object], object]) -> np.ndarray:
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [func(u) for u in uniques]
    return mapped[codes]


def _obj(values: Sequence[object]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


class _Writer:
    """Column buffers (object arrays filled with NaN) and random helpers for one render."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.rng = rng
        self.cols = {c: np.full(n, np.nan, dtype=object) for c in RECORD_COLUMNS}

    def coin(self, n: int, p: float) -> np.ndarray:
        return self.rng.random(n) < p

    def pick(self, n: int, probs: Sequence[float]) -> np.ndarray:
        p = np.asarray(probs, dtype=float)
        return np.searchsorted(np.cumsum(p / p.sum()), self.rng.random(n), side="right")

    def put(self, col: str, idx: np.ndarray, values: Sequence[object] | np.ndarray) -> None:
        if len(idx):
            self.cols[col][idx] = _obj(values) if isinstance(values, list) else values


def render_records(rng: np.random.Generator, rec: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Write every record in the layout and notations of its source.

    Args:
        rng: the generator's random stream.
        rec: record-level arrays prepared by the generator (see ``generator._records``).

    Returns:
        Column name -> object array of str/NaN, in the order of ``rec``.
    """
    n = len(rec["src"])
    w = _Writer(rng, n)
    cities = _vocab.cities()
    # Shared derived strings.
    rec["init_dot"] = _map_unique(rec["initials"], dotted)
    rec["city_name"] = cities.name[rec["city"]]
    for s, fn in enumerate((_crm, _webshop, _service, _contracts, _finance)):
        idx = np.flatnonzero(rec["src"] == s)
        w.put("source", idx, np.full(len(idx), SOURCES[s], dtype=object))
        if len(idx):
            fn(w, rec, idx)
    w.put("customer_number", np.arange(n), rec["customer_number"])
    ref = np.flatnonzero(rec["crm_reference"] != "")
    w.put("crm_reference", ref, rec["crm_reference"][ref])
    return w.cols


# -- shared pieces ----------------------------------------------------------------------------


def _first(rec: dict[str, np.ndarray], idx: np.ndarray) -> np.ndarray:
    """Roepnaam, or dotted initials where the record abbreviates the first name."""
    return np.where(rec["abbr"][idx] == 1, rec["init_dot"][idx], rec["roep"][idx])


def _city(
    w: _Writer,
    rec: dict[str, np.ndarray],
    idx: np.ndarray,
    alias: float,
    upper: float,
    lower: float = 0.0,
) -> list[str]:
    aliases = _vocab.cities().aliases
    style = w.pick(len(idx), (1 - alias - upper - lower, alias, upper, lower))
    alt = w.rng.integers(0, 4, len(idx))
    out = []
    for c, name, s, a in zip(rec["city"][idx], rec["city_name"][idx], style, alt, strict=True):
        if s == 1 and aliases[c]:
            name = aliases[c][a % len(aliases[c])]
        elif s == 2:
            name = name.upper()
        elif s == 3:
            name = name.lower()
        out.append(name)
    return out


def _street(rec: dict[str, np.ndarray], idx: np.ndarray) -> np.ndarray:
    return rec["street"][idx]


def _postcodes(
    w: _Writer, rec: dict[str, np.ndarray], idx: np.ndarray, probs: Sequence[float]
) -> list[str]:
    style = w.pick(len(idx), probs)
    return [
        fmt_postcode(p, lt, s)
        for p, lt, s in zip(rec["pc4"][idx], rec["pcl"][idx], style, strict=True)
    ]


def _split_address(
    w: _Writer, rec: dict[str, np.ndarray], idx: np.ndarray, pc_probs, alias: float, upper: float
) -> None:
    w.put("street", idx, _street(rec, idx))
    w.put("house_number", idx, [str(h) for h in rec["hn"][idx]])
    has_add = idx[rec["add"][idx] != ""]
    var = w.rng.integers(0, 12, len(has_add))
    w.put(
        "house_number_addition",
        has_add,
        [addition_split(a, v) for a, v in zip(rec["add"][has_add], var, strict=True)],
    )
    w.put("postcode", idx, _postcodes(w, rec, idx, pc_probs))
    w.put("city", idx, _city(w, rec, idx, alias, upper))


def _phones(
    w: _Writer,
    rec: dict[str, np.ndarray],
    idx: np.ndarray,
    col: str,
    numbers: np.ndarray,
    styles: Sequence[float],
) -> None:
    ok = np.array([isinstance(x, str) for x in numbers], dtype=bool)
    sel, nums = idx[ok], numbers[ok]
    style = w.pick(len(sel), styles)
    w.put(col, sel, [fmt_phone(x, s) for x, s in zip(nums, style, strict=True)])


def _birth(
    w: _Writer,
    rec: dict[str, np.ndarray],
    idx: np.ndarray,
    styles: Sequence[str],
    probs: Sequence[float],
) -> None:
    sel = idx[rec["show_birth"][idx]]
    style = w.pick(len(sel), probs)
    w.put(
        "birth_date",
        sel,
        [
            fmt_date(y, m, d, styles[s])
            for y, m, d, s in zip(
                rec["by"][sel], rec["bm"][sel], rec["bd"][sel], style, strict=True
            )
        ],
    )


def _email(w: _Writer, rec: dict[str, np.ndarray], idx: np.ndarray, plus_tag: float = 0.0) -> None:
    sel = idx[rec["show_email"][idx]]
    values = rec["email"][sel].copy()
    if plus_tag:
        tag = w.coin(len(sel), plus_tag)
        tags = ("shop", "web", "nl", "promo")
        for k in np.flatnonzero(tag):
            local, _, dom = values[k].partition("@")
            if dom in ("gmail.com", "googlemail.com", "outlook.com", "hotmail.com"):
                values[k] = f"{local}+{tags[k % 4]}@{dom}"
    w.put("email", sel, values)


def _gender(
    w: _Writer, rec: dict[str, np.ndarray], idx: np.ndarray, male: str, female: str, p: float
) -> None:
    sel = idx[(rec["kind"][idx] == 0) & w.coin(len(idx), p)]
    w.put("gender", sel, np.where(rec["gender"][sel] == 0, male, female))


_STAMP = {
    "sql": "{0:04d}-{1:02d}-{2:02d} {3:02d}:{4:02d}:{5:02d}",
    "iso_z": "{0:04d}-{1:02d}-{2:02d}T{3:02d}:{4:02d}:{5:02d}Z",
    "dmy_hm": "{2:02d}-{1:02d}-{0:04d} {3:02d}:{4:02d}",
    "date": "{0:04d}-{1:02d}-{2:02d}",
    "compact": "{0:04d}{1:02d}{2:02d}",
}


def _updated(w: _Writer, rec: dict[str, np.ndarray], idx: np.ndarray, style: str) -> None:
    secs = rec["updated"][idx]
    days = (secs // 86400).astype("datetime64[D]")
    y = days.astype("datetime64[Y]").astype(np.int64) + 1970
    m = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    tod = secs % 86400
    fmt = _STAMP[style].format
    w.put(
        "updated_at",
        idx,
        [
            fmt(*v)
            for v in zip(
                y.tolist(),
                m.tolist(),
                d.tolist(),
                (tod // 3600).tolist(),
                (tod // 60 % 60).tolist(),
                (tod % 60).tolist(),
                strict=True,
            )
        ],
    )


def _consent(
    w: _Writer, idx: np.ndarray, col: str, yes: str, no: str, p_yes: float, p_no: float
) -> None:
    c = w.pick(len(idx), (p_yes, p_no, 1 - p_yes - p_no))
    w.put(col, idx[c == 0], np.full((c == 0).sum(), yes, dtype=object))
    w.put(col, idx[c == 1], np.full((c == 1).sum(), no, dtype=object))


def _salutation(gender: int, style: int) -> str:
    return (("Dhr.", "De heer", "dhr.", "Hr."), ("Mevr.", "Mw.", "mevr.", "Mevrouw"))[gender][
        style % 4
    ]


def _org_display(w: _Writer, rec: dict[str, np.ndarray], idx: np.ndarray) -> list[str]:
    var = w.pick(len(idx), (0.6, 0.22, 0.1, 0.08))
    out = []
    for name, legal, v in zip(rec["org_name"][idx], rec["legal"][idx], var, strict=True):
        if legal and v < 3:
            legal = (legal, legal.replace(".", ""), legal.lower())[v]
            out.append(f"{name} {legal}")
        else:
            out.append(name)
    return out


def _contact(rec: dict[str, np.ndarray], idx: np.ndarray, style: np.ndarray) -> list[str]:
    out = []
    for g, ini, p, s, st in zip(
        rec["gender"][idx],
        rec["init_dot"][idx],
        rec["pfx"][idx],
        rec["sur"][idx],
        style,
        strict=True,
    ):
        name = join_name(ini.split(".")[0] + ".", p, s)
        out.append(f"t.a.v. {_salutation(g, 2)} {name}" if st == 0 else f"t.a.v. {name}")
    return out


def _org_common(
    w: _Writer, rec: dict[str, np.ndarray], idx: np.ndarray, kvk: float, kvk_unpadded: float
) -> None:
    w.put("organisation", idx, _org_display(w, rec, idx))
    sel = idx[w.coin(len(idx), kvk)]
    unpad = w.coin(len(sel), kvk_unpadded)
    w.put(
        "kvk_number",
        sel,
        [str(k) if u else f"{k:08d}" for k, u in zip(rec["kvk"][sel], unpad, strict=True)],
    )


# -- the five sources -------------------------------------------------------------------------


def _crm(w: _Writer, rec: dict[str, np.ndarray], idx: np.ndarray) -> None:
    n = len(idx)
    person = rec["kind"][idx] == 0
    named = idx[person | w.coin(n, 0.6)]
    abbr = rec["abbr"][named] == 1
    first = named[~abbr & w.coin(len(named), 0.95)]
    w.put("first_name", first, rec["roep"][first])
    ini = named[abbr | w.coin(len(named), 0.6)]
    style = w.pick(len(ini), (0.7, 0.2, 0.1))
    w.put(
        "initials",
        ini,
        [
            (d, d.replace(".", ""), d.replace(".", ". ").strip())[s]
            for d, s in zip(rec["init_dot"][ini], style, strict=True)
        ],
    )
    pf = named[rec["pfx"][named] != ""]
    w.put("prefix", pf, rec["pfx"][pf])
    w.put("surname", named, rec["sur"][named])
    _gender(w, rec, idx, "M", "V", 0.85)
    _split_address(w, rec, idx, (0.8, 0.2), alias=0.08, upper=0.0)
    land = np.where(person, rec["landline"][idx], rec["org_phone"][idx])
    alt = np.where(w.coin(n, 0.3), rec["mobile"][idx], None)
    land = np.where([isinstance(x, str) for x in land], land, alt)
    _phones(w, rec, idx, "phone", land, (0.7, 0.2, 0.1))
    mob = np.where(person & w.coin(n, 0.9), rec["mobile"][idx], None)
    _phones(w, rec, idx, "mobile", mob, (0.6, 0.25, 0.15))
    _email(w, rec, idx)
    _birth(w, rec, idx, ("dmy",), (1.0,))
    _updated(w, rec, idx, "sql")
    _consent(w, idx, "consent_email", "ja", "nee", 0.35, 0.25)
    _consent(w, idx, "consent_phone", "ja", "nee", 0.2, 0.3)
    org = idx[~person]
    _org_common(w, rec, org, kvk=0.4, kvk_unpadded=0.3)


def _webshop(w: _Writer, rec: dict[str, np.ndarray], idx: np.ndarray) -> None:
    n = len(idx)
    person = rec["kind"][idx] == 0
    named = idx[person | w.coin(n, 0.7)]
    style = w.pick(len(named), (0.55, 0.15, 0.1, 0.1, 0.1))
    style[rec["abbr"][named] == 1] = 3
    names = []
    for r, p, c, i, s in zip(
        rec["roep"][named],
        rec["pfx"][named],
        rec["sur"][named],
        rec["init_dot"][named],
        style,
        strict=True,
    ):
        if s == 0:
            names.append(join_name(r, p, c))
        elif s == 1:
            names.append(f"{r.lower()} {glue_lower(p, c)}")
        elif s == 2:
            names.append(join_name(r, p, c).lower())
        elif s == 3:
            names.append(join_name(i.split(".")[0] + ".", p, c))
        else:
            names.append(join_name(r, cap_prefix(p), c))
    w.put("full_name", named, names)
    inline = w.coin(n, 0.6)
    il = idx[inline]
    var = w.rng.integers(0, 12, len(il))
    w.put(
        "street",
        il,
        [
            f"{s} {house_inline(h, a, v)}"
            for s, h, a, v in zip(_street(rec, il), rec["hn"][il], rec["add"][il], var, strict=True)
        ],
    )
    sp = idx[~inline]
    w.put("street", sp, _street(rec, sp))
    w.put("house_number", sp, [str(h) for h in rec["hn"][sp]])
    ad = sp[rec["add"][sp] != ""]
    var = w.rng.integers(0, 12, len(ad))
    w.put(
        "house_number_addition",
        ad,
        [addition_split(a, v) for a, v in zip(rec["add"][ad], var, strict=True)],
    )
    w.put("postcode", idx, _postcodes(w, rec, idx, (0.3, 0.5, 0.2)))
    w.put("city", idx, _city(w, rec, idx, alias=0.1, upper=0.1, lower=0.05))
    mob = np.where(person, rec["mobile"][idx], rec["org_phone"][idx])
    alt = np.where(w.coin(n, 0.5), rec["landline"][idx], None)
    mob = np.where([isinstance(x, str) for x in mob], mob, alt)
    _phones(w, rec, idx, "mobile", mob, (0.2, 0.4, 0.15, 0.1, 0, 0, 0.15))
    extra = np.where(w.coin(n, 0.15), rec["landline"][idx], None)
    _phones(w, rec, idx, "phone", extra, (0.5, 0.5))
    _email(w, rec, idx, plus_tag=0.1)
    _birth(w, rec, idx, ("iso", "dmy"), (0.75, 0.25))
    _gender(w, rec, idx, "male", "female", 0.5)
    _updated(w, rec, idx, "iso_z")
    _consent(w, idx, "consent_email", "opt-in", "opt-out", 0.4, 0.2)
    _consent(w, idx, "consent_phone", "opt-in", "opt-out", 0.05, 0.1)
    org = idx[~person]
    _org_common(w, rec, org[w.coin(len(org), 0.7)], kvk=0.1, kvk_unpadded=0.0)


def _service_name(r: str, i: str, p: str, c: str, g: int, s: int, v: int) -> str:
    if s == 0:
        return join_name(_salutation(g, v), i, p, c)
    if s == 1:
        return f"{c}, {join_name(i, p)}"
    if s == 2:
        return join_name(p.upper(), c.upper(), i.replace(".", " ").strip())
    if s == 3:
        short = {"van der": "v.d.", "van den": "v.d.", "van de": "v.d.", "van": "v."}.get(p, p)
        return join_name(i.split(".")[0] + ".", short, c)
    if s == 4:
        return join_name(i, f"({r})", p, c) if r and not r.endswith(".") else join_name(i, p, c)
    if s == 5:
        return join_name(r, p, c)
    return f"{join_name(cap_prefix(p), c)}, {i.split('.')[0]}."


def _service(w: _Writer, rec: dict[str, np.ndarray], idx: np.ndarray) -> None:
    n = len(idx)
    person = rec["kind"][idx] == 0
    pi = idx[person]
    style = w.pick(len(pi), (0.25, 0.15, 0.1, 0.1, 0.1, 0.2, 0.1))
    first = _first(rec, pi)
    var = w.rng.integers(0, 4, len(pi))
    w.put(
        "full_name",
        pi,
        [
            _service_name(r, i, p, c, g, s, v)
            for r, i, p, c, g, s, v in zip(
                first,
                rec["init_dot"][pi],
                rec["pfx"][pi],
                rec["sur"][pi],
                rec["gender"][pi],
                style,
                var,
                strict=True,
            )
        ],
    )
    oi = idx[~person]
    named = oi[w.coin(len(oi), 0.6)]
    w.put("full_name", named, _contact(rec, named, w.rng.integers(0, 2, len(named))))
    _org_common(w, rec, oi[w.coin(len(oi), 0.9)], kvk=0.05, kvk_unpadded=0.0)
    use_mob = w.coin(n, 0.6)
    num = np.where(
        person, np.where(use_mob, rec["mobile"][idx], rec["landline"][idx]), rec["org_phone"][idx]
    )
    fallback = np.where(person, np.where(use_mob, rec["landline"][idx], rec["mobile"][idx]), None)
    num = np.where([isinstance(x, str) for x in num], num, fallback)
    _phones(w, rec, idx, "phone", num, (1,) * 9)
    _email(w, rec, idx)
    pc = idx[w.coin(n, 0.8)]
    w.put("postcode", pc, _postcodes(w, rec, pc, (0.4, 0.3, 0.2, 0.1)))
    hn = idx[w.coin(n, 0.8)]
    var = w.rng.integers(0, 12, len(hn))
    w.put(
        "house_number",
        hn,
        [house_inline(h, a, v) for h, a, v in zip(rec["hn"][hn], rec["add"][hn], var, strict=True)],
    )
    st = idx[w.coin(n, 0.5)]
    w.put("street", st, _street(rec, st))
    ct = idx[w.coin(n, 0.5)]
    w.put("city", ct, _city(w, rec, ct, alias=0.15, upper=0.1, lower=0.1))
    _birth(w, rec, idx, ("long", "dmy_short", "abbr"), (0.4, 0.4, 0.2))
    _gender(w, rec, idx, "man", "vrouw", 0.2)
    _updated(w, rec, idx, "dmy_hm")
    _consent(w, idx, "consent_email", "Y", "N", 0.05, 0.05)


def _contracts(w: _Writer, rec: dict[str, np.ndarray], idx: np.ndarray) -> None:
    n = len(idx)
    person = rec["kind"][idx] == 0
    named = idx[person | w.coin(n, 0.5)]
    academic = rec["title"][named]
    sal = w.pick(len(named), (0.7, 0.3))
    gs = rec["gender"][named]
    titles = [
        t if t and s == 0 else (_salutation(g, 0) if s == 0 else t)
        for t, s, g in zip(academic, sal, gs, strict=True)
    ]
    has_t = np.array([bool(t) for t in titles], dtype=bool)
    w.put("title", named[has_t], [t for t in titles if t])
    abbr = rec["abbr"][named] == 1
    off = named[~abbr]
    use_roep = w.coin(len(off), 0.1)
    w.put("first_name", off, np.where(use_roep, rec["roep"][off], rec["official"][off]))
    w.put("initials", named, rec["init_dot"][named])
    pf = named[rec["pfx"][named] != ""]
    w.put("prefix", pf, rec["pfx"][pf])
    w.put("surname", named, rec["sur"][named])
    _split_address(w, rec, idx, (0.9, 0.1), alias=0.03, upper=0.35)
    land = np.where(person, rec["landline"][idx], rec["org_phone"][idx])
    alt = np.where(person, rec["mobile"][idx], None)
    land = np.where([isinstance(x, str) for x in land], land, alt)
    _phones(w, rec, idx, "phone", land, (0, 0, 0.4, 0.3, 0, 0, 0, 0.3))
    mob = np.where(person & w.coin(n, 0.5), rec["mobile"][idx], None)
    _phones(w, rec, idx, "mobile", mob, (0.4, 0, 0, 0.2, 0.4))
    _email(w, rec, idx)
    _birth(w, rec, idx, ("iso",), (1.0,))
    _gender(w, rec, idx, "man", "vrouw", 0.9)
    _updated(w, rec, idx, "date")
    _consent(w, idx, "consent_email", "yes", "no", 0.35, 0.25)
    _consent(w, idx, "consent_phone", "yes", "no", 0.25, 0.35)
    _org_common(w, rec, idx[~person], kvk=0.9, kvk_unpadded=0.0)


def _finance_name(i: str, p: str, c: str, g: int, s: int) -> str:
    compact = i.replace(".", "")
    if s == 0:
        return join_name(c, p, compact)
    if s == 1:
        return join_name(i, p, c)
    if s == 2:
        return f"{c}, {join_name(i, p)}"
    if s == 3:
        return join_name(c.upper(), p.upper(), compact)
    return join_name(_salutation(g, 0), i, p, c)


def _finance(w: _Writer, rec: dict[str, np.ndarray], idx: np.ndarray) -> None:
    n = len(idx)
    person = rec["kind"][idx] == 0
    pi = idx[person]
    style = w.pick(len(pi), (0.35, 0.25, 0.2, 0.1, 0.1))
    w.put(
        "full_name",
        pi,
        [
            _finance_name(i, p, c, g, s)
            for i, p, c, g, s in zip(
                rec["init_dot"][pi],
                rec["pfx"][pi],
                rec["sur"][pi],
                rec["gender"][pi],
                style,
                strict=True,
            )
        ],
    )
    oi = idx[~person]
    named = oi[w.coin(len(oi), 0.4)]
    w.put("full_name", named, _contact(rec, named, w.rng.integers(0, 2, len(named))))
    _org_common(w, rec, oi[w.coin(len(oi), 0.98)], kvk=0.95, kvk_unpadded=0.5)
    style = w.pick(n, (0.5, 0.3, 0.2))
    var = w.rng.integers(0, 12, n)
    city = _city(w, rec, idx, alias=0.05, upper=0.0)
    lines = []
    for k, (s, h, a, p4, pl, st, v) in enumerate(
        zip(
            _street(rec, idx),
            rec["hn"][idx],
            rec["add"][idx],
            rec["pc4"][idx],
            rec["pcl"][idx],
            style,
            var,
            strict=True,
        )
    ):
        if st == 0:
            hn = f"{h} {a}" if len(a) == 1 and a.isalpha() else house_inline(h, a, v)
            lines.append(f"{s} {hn}, {p4}{pl} {city[k].upper()}")
        elif st == 1:
            lines.append(f"{s} {house_inline(h, a, v)} {p4} {pl} {city[k]}")
        else:
            lines.append(f"{s} {house_inline(h, a, v)}, {p4} {pl}  {city[k].upper()}")
    w.put("address", idx, lines)
    num = np.where(person, rec["landline"][idx], rec["org_phone"][idx])
    num = np.where([isinstance(x, str) for x in num], num, rec["mobile"][idx])
    _phones(w, rec, idx, "phone", num, (0, 0.6, 0, 0, 0, 0, 0.4))
    _email(w, rec, idx)
    _birth(w, rec, idx, ("compact", "dmy_slash2"), (0.5, 0.5))
    _gender(w, rec, idx, "M", "V", 0.1)
    _updated(w, rec, idx, "compact")
