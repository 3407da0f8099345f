"""The population behind the generator: entities, households, addresses, phones, e-mail.

Everything here is entity-level truth; ``generator.py`` turns it into source records.

Example:
    >>> _initials("Johannes Hendrikus"), _initials("Theodorus Jan-Willem"), _initials("IJsbrand")
    ('J H', 'Th J W', 'IJ')
"""

from __future__ import annotations

import unicodedata
from functools import cache

import numpy as np
import pandas as pd

from custmatch.datasets import _notation, _vocab

RELATIONS = ("household", "twin", "father_son", "common_name")
#: Share of entities that are organisations.
ORGANISATION_SHARE = 0.04

REF_DAY = int(np.datetime64("2024-12-31", "D").astype(np.int64))
YEAR = 365.25
_PAIRS = np.array(
    [
        a + b
        for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        if a + b not in ("SA", "SD", "SS")
    ],
    dtype=object,
)
_ADDITIONS = np.array(
    [
        "",
        "A",
        "B",
        "C",
        "D",
        "1",
        "2",
        "3",
        "HS",
        "I",
        "II",
        "III",
        "BIS",
        "2 hoog",
        "3 hoog",
        "BG",
    ],
    dtype=object,
)
_ADD_P_TOWN = np.array(
    [
        0.84,
        0.05,
        0.03,
        0.01,
        0.005,
        0.012,
        0.012,
        0.006,
        0.01,
        0.004,
        0.005,
        0.003,
        0.003,
        0.005,
        0.004,
        0.006,
    ]
)
_ADD_P_CITY = np.array(
    [
        0.55,
        0.05,
        0.04,
        0.005,
        0.002,
        0.03,
        0.03,
        0.02,
        0.08,
        0.04,
        0.06,
        0.05,
        0.005,
        0.04,
        0.03,
        0.02,
    ]
)
_BIG_CITIES = ("Amsterdam", "Rotterdam", "'s-Gravenhage")
_ACADEMIC = np.array(["mr.", "drs.", "ir.", "dr.", "ing."], dtype=object)
# --------------------------------------------------------------------------- helpers


def pick(rng: np.random.Generator, n: int, probs: np.ndarray | list[float]) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right").clip(0, len(p) - 1)


def obj_array(values: list[object] | np.ndarray) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _ages(rng: np.random.Generator, n: int, lo: float, hi: float) -> np.ndarray:
    return lo + (hi - lo) * rng.beta(1.6, 2.2, n)


def _unique_ints(rng: np.random.Generator, n: int, draw) -> np.ndarray:
    """Draw ``n`` integers with ``draw(rng, k)`` and redraw duplicates until all are unique."""
    out = draw(rng, n)
    for _ in range(50):
        _, first = np.unique(out, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        if not dup.any():
            break
        out[dup] = draw(rng, int(dup.sum()))
    return out


@cache
def _slug(text: str) -> str:
    """Lower-case ASCII letters, digits and hyphens of ``text`` (for e-mail and domains)."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in folded if c.isascii() and (c.isalnum() or c in "-"))


# --------------------------------------------------------------------------- address universe


class _Universe:
    """Streets per city, each owning 1-4 consecutive postcodes in one PC4 area."""

    def __init__(self, rng: np.random.Generator) -> None:
        cities = _vocab.cities()
        names, weights = _vocab.streets()
        self.city_p = cities.weight / cities.weight.sum()
        n_st = np.clip(np.round(cities.weight * 0.35).astype(int), 8, len(names))
        self.offset = np.concatenate([[0], np.cumsum(n_st)[:-1]])
        self.count = n_st
        self.city = np.repeat(np.arange(len(n_st)), n_st)
        p = weights / weights.sum()
        self.name = names[
            np.concatenate([rng.choice(len(names), k, replace=False, p=p) for k in n_st])
        ]
        s = len(self.city)
        self.n_pc = pick(rng, s, [0.35, 0.35, 0.2, 0.1]) + 1
        self.max_no = self.n_pc * rng.integers(15, 70, s)
        span = cities.pc4_to[self.city] - cities.pc4_from[self.city] + 1
        pc4 = cities.pc4_from[self.city] + (rng.random(s) * span).astype(int)

        def draw(r: np.random.Generator, k: int) -> np.ndarray:
            return r.integers(0, len(_PAIRS) - 4, k)

        base = draw(rng, s)
        for _ in range(50):  # no two streets share a postcode
            codes = (pc4 * 1000)[:, None] + base[:, None] + np.arange(4)
            used = np.arange(4) < self.n_pc[:, None]
            flat = codes[used]
            _, inv, cnt = np.unique(flat, return_inverse=True, return_counts=True)
            clash = np.zeros(s, dtype=bool)
            clash[np.nonzero(used)[0][cnt[inv] > 1]] = True
            if not clash.any():
                break
            base[clash] = draw(rng, int(clash.sum()))
        self.pc4 = pc4
        self.base = base
        big = np.isin(cities.name, _BIG_CITIES)
        self.big_city = big

    def sample(self, rng: np.random.Generator, n: int, city: np.ndarray | None = None) -> dict:
        if city is None:
            city = pick(rng, n, self.city_p)
        street = self.offset[city] + (rng.random(n) * self.count[city]).astype(int)
        hn = 1 + (rng.random(n) ** 1.4 * self.max_no[street]).astype(int)
        add = np.where(
            self.big_city[city],
            _ADDITIONS[pick(rng, n, _ADD_P_CITY)],
            _ADDITIONS[pick(rng, n, _ADD_P_TOWN)],
        )
        return {"city": city, "street": street, "hn": hn, "add": add}

    def postcode(self, street: np.ndarray, hn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = (hn - 1) * self.n_pc[street] // self.max_no[street]
        k = np.minimum(k, self.n_pc[street] - 1)
        return self.pc4[street], _PAIRS[self.base[street] + k]


def _landlines(rng: np.random.Generator, city: np.ndarray) -> np.ndarray:
    """Unique geographic numbers with the city's 2- or 3-digit area code."""
    area = _vocab.cities().area_code[city]
    short = np.array([len(a) == 4 for a in area], dtype=bool)
    area_int = np.array([int(a) for a in area], dtype=np.int64)
    full = np.zeros(len(city), dtype=np.int64)
    todo = np.ones(len(city), dtype=bool)
    for _ in range(50):
        k = int(todo.sum())
        sub = rng.integers(2 * 10**6, 10**7, k)
        sub = np.where(short[todo], sub // 10, sub)
        full[todo] = area_int[todo] * np.where(short[todo], 10**6, 10**7) + sub
        _, first = np.unique(full, return_index=True)
        todo = np.ones(len(city), dtype=bool)
        todo[first] = False
        if not todo.any():
            break
    return obj_array([f"0{v}" for v in full])


def _mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    lead = np.array([1, 2, 3, 4, 5, 8])

    def draw(r: np.random.Generator, k: int) -> np.ndarray:
        return lead[pick(r, k, [0.25, 0.25, 0.2, 0.15, 0.1, 0.05])] * 10**7 + r.integers(
            0, 10**7, k
        )

    return obj_array([f"06{v:08d}" for v in _unique_ints(rng, n, draw)])


# --------------------------------------------------------------------------- entities

_DIGRAPH_INITIALS = {"Theodorus": "Th", "Christiaan": "Chr", "Christina": "Chr", "Philippus": "Ph"}


def _initials(official: object) -> str:
    tokens = []
    for name in str(official).replace("-", " ").split():
        if name in _DIGRAPH_INITIALS:
            tokens.append(_DIGRAPH_INITIALS[name])
        elif name.startswith("IJ"):
            tokens.append("IJ")
        else:
            tokens.append(name[0].upper())
    return " ".join(tokens)


def _groups(rng: np.random.Generator, n: int, n_org: int, shares: dict[str, float]) -> dict:
    """Lay out hard-negative groups as consecutive entity blocks after the organisations."""
    rel = np.zeros(n, dtype=np.int8)
    head = np.arange(n)
    rank = np.zeros(n, dtype=np.int64)
    grp = np.full(n, -1, dtype=np.int64)
    cursor, gid = n_org, 0
    specs = (
        ((2, 3, 4), (0.55, 0.3, 0.15)),
        ((2,), (1.0,)),
        ((2,), (1.0,)),
        ((2, 3, 4), (0.55, 0.3, 0.15)),
    )
    for code, (name, (choices, probs)) in enumerate(zip(RELATIONS, specs, strict=True), start=1):
        total = min(round(n * shares[name]), n - cursor)
        if total < 2:
            continue
        sizes = np.asarray(choices)[pick(rng, total, probs)]
        sizes = sizes[: np.searchsorted(np.cumsum(sizes), total, side="right")]
        m, k = int(sizes.sum()), len(sizes)
        members = np.arange(cursor, cursor + m)
        starts = np.repeat(cursor + np.cumsum(sizes) - sizes, sizes)
        rel[members], head[members], rank[members] = code, starts, members - starts
        grp[members] = gid + np.repeat(np.arange(k), sizes)
        gid, cursor = gid + k, cursor + m
    size = np.ones(n, dtype=np.int64)
    in_grp = grp >= 0
    size[in_grp] = np.bincount(grp[in_grp])[grp[in_grp]]
    return {"rel": rel, "head": head, "rank": rank, "grp": grp, "gsize": size}


def _first_names(rng: np.random.Generator, gender: np.ndarray, birth: np.ndarray) -> np.ndarray:
    fn = _vocab.first_names()
    year = 1970 + birth / YEAR
    era = (year >= 1960).astype(int) + (year >= 1990)
    out = np.zeros(len(gender), dtype=np.int64)
    for g in (0, 1):
        pool = np.flatnonzero(fn.gender == g)
        for e in (0, 1, 2):
            mask = (gender == g) & (era == e)
            out[mask] = pool[pick(rng, int(mask.sum()), fn.era_weight[e, pool])]
    return out


def _official(
    rng: np.random.Generator, roep: np.ndarray, gender: np.ndarray, birth: np.ndarray
) -> np.ndarray:
    """Official (BRP) given names: the roepnaam's official form plus 0-2 more names."""
    fn = _vocab.first_names()
    n = len(roep)
    year = 1970 + birth / YEAR
    era = (year >= 1960).astype(int) + (year >= 1990)
    second = np.full(n, -1, dtype=np.int64)
    third = np.full(n, -1, dtype=np.int64)
    has2 = rng.random(n) < np.array([0.85, 0.7, 0.45])[era]
    has3 = has2 & (era < 2) & (rng.random(n) < 0.12)
    for g in (0, 1):
        pool = np.flatnonzero((fn.gender == g) & (fn.second_weight > 0))
        m = (gender == g) & has2
        second[m] = pool[pick(rng, int(m.sum()), fn.second_weight[pool])]
        m = (gender == g) & has3
        third[m] = pool[pick(rng, int(m.sum()), fn.second_weight[pool])]
    swap = rng.random(n) < 0.08
    out = []
    for r, s, t, sw in zip(fn.official[roep], second, third, swap, strict=True):
        names = [r]
        for extra in (s, t):
            if extra >= 0 and fn.name[extra] not in names:
                names.append(fn.name[extra])
        if sw and len(names) > 1:
            names[0], names[1] = names[1], names[0]
        out.append(" ".join(names))
    return obj_array(out)


def _email_local(f: str, sur: str, core: str, pfx_letters: str, ini: str, y: int, s: int) -> str:
    if s == 0:
        return f"{f}.{sur}"
    if s == 1:
        return f"{f[:1]}.{sur}{y}"
    if s == 2:
        return f"{f}{pfx_letters}{core[:1]}" if pfx_letters else f"{f}{core[:1]}{y % 100:02d}"
    if s == 3:
        return f"{f}_{core}"
    if s == 4:
        return f"{f}{sur}"
    if s == 5:
        return f"{f}.{sur}{y % 100:02d}"
    if s == 6:
        return f"{f[:1]}{sur}"
    if s == 7:
        return f"{f}{y}"
    if s == 8:
        return f"{ini}{sur}"
    return f"{sur}{f[:1]}"


def _emails(
    rng: np.random.Generator,
    roep: np.ndarray,
    pfx: np.ndarray,
    core: np.ndarray,
    initials: np.ndarray,
    birth: np.ndarray,
    avoid: np.ndarray | None = None,
) -> np.ndarray:
    """Personal addresses (``jan.devries@ziggo.nl``, ``j.devries1975@gmail.com``), unique."""
    prov = _vocab.email_providers()
    n = len(roep)
    style = pick(rng, n, [0.22, 0.10, 0.06, 0.08, 0.15, 0.08, 0.12, 0.07, 0.07, 0.05])
    dom = pick(rng, n, prov.prob)
    if avoid is not None:  # a new address at another provider
        same = prov.domain[dom] == avoid
        dom[same] = (dom[same] + 1 + rng.integers(0, 5, int(same.sum()))) % len(prov.domain)
    year = (1970 + birth / YEAR).astype(int)
    locals_ = [
        _email_local(
            _slug(r), _slug(p + c), _slug(c), "".join(w[0] for w in p.split()), _slug(i), y, s
        )
        for r, p, c, i, y, s in zip(roep, pfx, core, initials, year, style, strict=True)
    ]
    emails = obj_array([f"{lo}@{d}" for lo, d in zip(locals_, prov.domain[dom], strict=True)])
    for _ in range(20):
        dup = pd.Series(emails).duplicated().to_numpy()
        if not dup.any():
            break
        k = np.flatnonzero(dup)
        extra = rng.integers(1, 100, len(k))
        emails[k] = [e.replace("@", f"{x}@", 1) for e, x in zip(emails[k], extra, strict=True)]
    return emails


def _organisations(
    rng: np.random.Generator, pfx: np.ndarray, core: np.ndarray, city: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Organisation names, legal forms and web domains."""
    words = _vocab.organisation_words()
    sn = _vocab.surnames()
    k = len(pfx)
    city_name = _vocab.cities().name[city]
    pat = pick(rng, k, [0.33, 0.25, 0.07, 0.05, 0.12, 0.06, 0.04, 0.08])
    legal_pick = rng.random(k)

    def word(kind: str) -> np.ndarray:
        w, p = words[kind]
        return w[pick(rng, k, p)]

    trade, suffix, found, assoc, coop = (
        word(x) for x in ("trade", "suffix", "foundation", "association", "cooperative")
    )
    other = pick(rng, k, sn.prob)
    names, legals, bases = [], [], []
    for i in range(k):
        own = _notation.join_name(pfx[i], core[i])
        lead = _notation.join_name(_notation.cap_prefix(pfx[i]), core[i])
        p, u = pat[i], legal_pick[i]
        if p == 0:
            name, legal = f"{trade[i]} {own}", ("B.V." if u < 0.35 else "V.O.F." if u < 0.6 else "")
        elif p == 1:
            name, legal = f"{lead} {suffix[i]}", ("B.V." if u < 0.75 else "")
        elif p == 2:
            name, legal = f"{lead} & Zn.", ("V.O.F." if u < 0.5 else "B.V.")
        elif p == 3:
            name, legal = f"Gebr. {lead}", ("B.V." if u < 0.7 else "V.O.F.")
        elif p == 4:
            name, legal = f"Stichting {found[i]}", ""
        elif p == 5:
            name, legal = (f"{assoc[i]} {city_name[i]}" if u < 0.5 else str(assoc[i])), ""
        elif p == 6:
            name, legal = f"Coöperatie {coop[i]} {city_name[i]}", "U.A."
        else:
            partner = _notation.join_name(
                _notation.cap_prefix(sn.prefix[other[i]]), sn.core[other[i]]
            )
            name, legal = f"Maatschap {lead} & {partner}", ""
        names.append(name)
        legals.append(legal)
        base = name.replace("Stichting ", "").replace("Maatschap ", "").replace("Coöperatie ", "")
        bases.append(_slug(base.replace(" & Zn.", "").replace("Gebr. ", "gebroeders")))
    domains = obj_array([f"{b}.nl" for b in bases])
    for _ in range(20):
        dup = pd.Series(domains).duplicated().to_numpy()
        if not dup.any():
            break
        j = np.flatnonzero(dup)
        domains[j] = [
            d.replace(".nl", f"-{_slug(c)}.nl") if i % 2 == 0 else d.replace(".nl", f"{i}.nl")
            for d, c, i in zip(domains[j], city_name[j], rng.integers(1, 99, len(j)), strict=True)
        ]
    return obj_array(names), obj_array(legals), domains


def build_entities(
    rng: np.random.Generator,
    n: int,
    shares: dict[str, float],
    rates: dict[str, float],
    sizes: dict[int, float],
    org_share: float,
) -> dict:
    """All entity-level facts: groups, names, birth dates, addresses, phones, e-mail."""
    fn, sn = _vocab.first_names(), _vocab.surnames()
    n_org = round(n * org_share)
    e = _groups(rng, n, n_org, shares)
    rel, head, rank, gsize = e["rel"], e["head"], e["rank"], e["gsize"]
    kind = np.zeros(n, dtype=np.int8)
    kind[:n_org] = 1
    member = rank > 0

    # Gender and age, heads first, then the members derived from their head.
    gender = (rng.random(n) < 0.51).astype(np.int8)
    age = _ages(rng, n, 18, 92)
    age[:n_org] = 25 + 40 * rng.random(n_org)
    parents = (rel == 1) & (rank == 0) & (gsize >= 3)
    age[parents] = _ages(rng, int(parents.sum()), 45, 85)
    fathers = (rel == 3) & (rank == 0)
    age[fathers] = _ages(rng, int(fathers.sum()), 42, 88)
    u = rng.random(n)
    partner = (rel == 1) & (rank == 1)
    gender[partner] = np.where(u[partner] < 0.92, 1 - gender[head[partner]], gender[head[partner]])
    age[partner] = np.clip(age[head[partner]] + rng.normal(0, 3, int(partner.sum())), 18, 95)
    child = (rel == 1) & (rank >= 2)
    hi = np.minimum(38, age[head[child]] - 18)
    age[child] = age[head[child]] - (22 + (hi - 22) * u[child])
    son = (rel == 3) & member
    gender[fathers | son] = 0
    hi = np.minimum(40, age[head[son]] - 18)
    age[son] = age[head[son]] - (20 + (hi - 20) * u[son])
    same_gender = (rel == 4) & member
    gender[same_gender] = gender[head[same_gender]]
    birth = REF_DAY - np.floor(age * YEAR).astype(np.int64)
    twin = (rel == 2) & member
    birth[twin] = birth[head[twin]]

    # First names (roepnaam) and surnames.
    roep = _first_names(rng, gender, birth)
    _twin_names(rng, roep, gender, head, np.flatnonzero(twin))
    copy_name = son | same_gender
    roep[copy_name] = roep[head[copy_name]]
    sur = np.searchsorted(np.cumsum(sn.prob), rng.random(n) * sn.prob.sum(), side="right")
    sur = np.minimum(sur, len(sn.prob) - 1)
    cn_head = (rel == 4) & (rank == 0)
    sur[cn_head] = pick(rng, int(cn_head.sum()), sn.prob[:25])
    share = child | twin | son | same_gender | (partner & (u < 0.45))
    sur[share] = sur[head[share]]
    partner_sur = np.full(n, -1, dtype=np.int64)
    wife = partner & (gender == 1) & (sur != sur[head])
    partner_sur[wife] = sur[head[wife]]
    married = (kind == 0) & (gender == 1) & (age >= 25) & (rel != 1) & (rng.random(n) < 0.45)
    partner_sur[married] = pick(rng, int(married.sum()), sn.prob)
    partner_sur[partner_sur == sur] = -1

    official = _official(rng, roep, gender, birth)
    same_ini = son & (rng.random(n) < 0.6)
    official[same_ini] = official[head[same_ini]]
    initials = _map_unique(official, _initials)
    title = np.full(n, "", dtype=object)
    academic = (kind == 0) & (age >= 25) & (rng.random(n) < 0.06)
    title[academic] = _ACADEMIC[pick(rng, int(academic.sum()), [0.3, 0.3, 0.2, 0.1, 0.1])]

    # Addresses: households and twins share the head's address, half the sons live at home.
    uni = _Universe(rng)
    addr = uni.sample(rng, n)
    top = np.argsort(-_vocab.cities().weight)[:8]
    cn_city = top[pick(rng, int(cn_head.sum()), _vocab.cities().weight[top])]
    addr["city"][cn_head] = cn_city
    cn = rel == 4
    moved = uni.sample(rng, int(cn.sum()), city=addr["city"][head[cn]])
    for key in addr:
        addr[key][cn] = moved[key]
    at_home = son & (rng.random(n) < 0.55)
    own_city = son & ~at_home & (rng.random(n) < 0.5)
    near = uni.sample(rng, int(own_city.sum()), city=addr["city"][head[own_city]])
    for key in addr:
        addr[key][own_city] = near[key]
    shared = ((rel == 1) | (rel == 2)) & member | at_home
    for key in addr:
        addr[key][shared] = addr[key][head[shared]]
    fs_home = (rel == 3) & np.isin(e["grp"], e["grp"][at_home])
    household = np.where((rel == 1) | (rel == 2) | fs_home, e["grp"], -1)

    # Phones: landline per address (shared in a household), mobile per person.
    p_land = np.where(age < 35, 0.15, np.where(age < 60, 0.45, 0.75))
    landline = np.where(rng.random(n) < p_land, _landlines(rng, addr["city"]), None)
    landline[shared] = landline[head[shared]]
    landline[:n_org] = None
    mobile = np.where(
        (rng.random(n) < np.where(age < 70, 0.96, 0.7)) & (kind == 0), _mobiles(rng, n), None
    )

    # E-mail: personal, sometimes a family address, organisations use their domain.
    pfx, core = sn.prefix[sur], sn.core[sur]
    email = _emails(rng, fn.name[roep], pfx, core, initials, birth)
    has_email = (kind == 1) | (rng.random(n) < np.where(age < 75, 0.93, 0.6))
    fam_grp = (rel == 1) & (rank == 0) & (rng.random(n) < 0.3)
    fam_ids = np.flatnonzero(fam_grp)
    fam_style = rng.integers(0, 3, len(fam_ids))
    prov = _vocab.email_providers()
    fam_dom = prov.domain[pick(rng, len(fam_ids), prov.prob)]
    fam_mail = {}
    for h, st, d in zip(fam_ids, fam_style, fam_dom, strict=True):
        s = _slug(pfx[h] + core[h])
        local = (f"fam.{s}", f"{s}s", f"familie{s}")[st]
        fam_mail[h] = f"{local}{h % 97 if st == 1 else ''}@{d}"
    uses_fam = (rel == 1) & np.isin(head, fam_ids) & ((rank == 0) | (rng.random(n) < 0.8))
    email[uses_fam] = [fam_mail[h] for h in head[uses_fam]]
    has_email |= uses_fam

    org_name = np.full(n, "", dtype=object)
    legal = np.full(n, "", dtype=object)
    kvk = np.zeros(n, dtype=np.int64)
    org_phone = np.full(n, None, dtype=object)
    if n_org:
        org = np.arange(n_org)
        o_sur = pick(rng, n_org, sn.prob)
        o_pfx, o_core = sn.prefix[o_sur], sn.core[o_sur]
        org_name[org], legal[org], domain = _organisations(rng, o_pfx, o_core, addr["city"][org])
        kvk[org] = _unique_ints(rng, n_org, lambda r, k: r.integers(10**6, 10**8, k))
        kind_ph = pick(rng, n_org, [0.35, 0.1, 0.55])
        land = _landlines(rng, addr["city"][org])
        ph = [f"088{v:07d}" for v in rng.integers(0, 10**7, n_org)]
        free = [
            f"0800{1000 + v % 9000}" if v % 2 else f"0800{v:07d}"
            for v in rng.integers(10**6, 10**7, n_org)
        ]
        org_phone[org] = np.where(
            kind_ph == 0, obj_array(ph), np.where(kind_ph == 1, obj_array(free), land)
        )
        role = pick(rng, n_org, [0.5, 0.1, 0.3, 0.1])
        email[org] = [
            (
                f"info@{d}",
                f"contact@{d}",
                f"{_slug(r)[:1]}.{_slug(p + c)}@{d}",
                f"administratie@{d}",
            )[x]
            for d, x, r, p, c in zip(
                domain, role, fn.name[roep[org]], pfx[org], core[org], strict=True
            )
        ]

    # Life events for entities with two or more records.
    size = np.array(list(sizes))[pick(rng, n, list(sizes.values()))]
    mover = (size >= 2) & (rng.random(n) < rates["move"])
    m = int(mover.sum())
    old_city = np.where(rng.random(m) < 0.6, addr["city"][mover], pick(rng, m, uni.city_p))
    old = uni.sample(rng, m, city=old_city)
    old_land = landline.copy()
    had = mover & np.array([isinstance(x, str) for x in landline], dtype=bool)
    old_land[had] = _landlines(rng, old_city[had[mover]])
    changer = (size >= 2) & has_email & (kind == 0) & (rng.random(n) < rates["email_change"])
    old_email = email.copy()
    c = np.flatnonzero(changer)
    old_email[c] = _emails(
        rng,
        fn.name[roep[c]],
        pfx[c],
        core[c],
        initials[c],
        birth[c],
        avoid=obj_array([x.split("@")[1] for x in email[c]]),
    )
    move_day = REF_DAY - (rng.random(n) * 8 + 1) * YEAR

    return {
        "n": n,
        "kind": kind,
        "rel": rel,
        "household": household,
        "size": size,
        "gender": gender,
        "birth": birth,
        "roep": fn.name[roep],
        "official": official,
        "initials": initials,
        "title": title,
        "pfx": pfx,
        "core": core,
        "partner_pfx": np.where(partner_sur >= 0, sn.prefix[np.maximum(partner_sur, 0)], ""),
        "partner_core": np.where(partner_sur >= 0, sn.core[np.maximum(partner_sur, 0)], ""),
        "married": partner_sur >= 0,
        "universe": uni,
        **addr,
        "landline": landline,
        "mobile": mobile,
        "email": email,
        "has_email": has_email,
        "org_name": org_name,
        "legal": legal,
        "kvk": kvk,
        "org_phone": org_phone,
        "mover": mover,
        "old": old,
        "old_land": old_land,
        "changer": changer,
        "old_email": old_email,
        "move_day": move_day,
    }


def _twin_names(
    rng: np.random.Generator,
    roep: np.ndarray,
    gender: np.ndarray,
    head: np.ndarray,
    twins: np.ndarray,
) -> None:
    """Give the second twin another name; about a third of the pairs share the initial."""
    fn = _vocab.first_names()
    live = fn.era_weight.sum(axis=0) > 0
    u = rng.random((len(twins), 2))
    for k, i in enumerate(twins):
        h_off = fn.official[roep[head[i]]]
        pool = np.flatnonzero(live & (fn.gender == gender[i]) & (fn.official != h_off))
        if u[k, 0] < 0.35:
            same = pool[[fn.official[j][0] == h_off[0] for j in pool]]
            if len(same):
                pool = same
        if fn.official[roep[i]] == h_off or u[k, 0] < 0.35:
            roep[i] = pool[int(u[k, 1] * len(pool))]


def _map_unique(values: np.ndarray, func) -> np.ndarray:
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return obj_array([func(x) for x in uniques])[codes]
