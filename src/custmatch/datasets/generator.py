"""Synthetic Dutch customer records with ground truth: :func:`generate_customers`.

The generator builds a population of *entities* (people and ~4% organisations) living in a
consistent address universe (real place names with plausible PC4 ranges and area codes; every
street owns one to four postcodes), then writes 1-6 *records* per entity as five source systems
would export them (``crm``, ``webshop``, ``service``, ``contracts``, ``finance``, each with its
own columns and notations), and finally corrupts them. The records frame is one stacked export:
every value is a ``str`` or ``NaN``, as if read from CSV files as text.

Records per entity (:data:`RECORDS_PER_ENTITY`, mean :data:`MEAN_RECORDS_PER_ENTITY` ~ 2.09):

==========  =====  =====  =====  =====  =====  =====
records         1      2      3      4      5      6
share        0.46   0.24   0.14   0.09   0.05   0.02
==========  =====  =====  =====  =====  =====  =====

Corruption rates per difficulty (:data:`DIFFICULTY`). "record": the share of all records hit;
"entity": the share of entities with two or more records that undergo the event (their later
records then show the old address or e-mail); the other kinds count only records where they can
apply (a birth date is shown; the e-mail provider has known typos; the woman is married):

================  ======  ======  ======  ====================================================
kind               easy   medium   hard   what it does
================  ======  ======  ======  ====================================================
typo               0.03    0.08    0.15   record: keyboard-adjacent substitution, deletion or
                                          insertion in one text field
transposition      0.01    0.03    0.06   record: two adjacent characters swapped (text, phone)
missing            0.05    0.12    0.20   record: one or two filled fields blanked
abbreviation       0.05    0.12    0.20   record: first name -> initials, van der -> v.d.,
                                          Kerkstraat -> Kerkstr., Burgemeester -> Burg.
case_noise         0.03    0.08    0.15   record: one field upper/lower/title-cased
whitespace         0.02    0.05    0.10   record: leading/trailing/double spaces in a field
move               0.04    0.10    0.20   entity: some later records keep the old address
                                          (and old landline)
email_change       0.04    0.10    0.20   entity: some later records keep the old e-mail at
                                          another provider
marriage           0.15    0.30    0.45   married woman's record: Jansen-de Vries, de Vries-
                                          Jansen, partner name only, "e/v" or "geb." forms
date_swap          0.01    0.03    0.06   shown birth date: day and month swapped (day <= 12)
date_typo          0.01    0.03    0.06   shown birth date: one digit changed (still a date)
placeholder_date   0.005   0.01    0.02   shown birth date: 01-01-1900, 01-01-1901, 01-01-1970
email_typo         0.01    0.03    0.06   shown e-mail: domain typo (gmail.con, hotmial.com)
================  ======  ======  ======  ====================================================

Notations that every source uses anyway (postcode ``1234ab``/``1234-AB``, phone notations, city
aliases such as Den Haag, roepnaam versus the official BRP names, capitals in CONTRACTS city
fields) are *not* corruptions and are not labelled.

Hard negatives (:data:`HARD_NEGATIVES`, share of entities): households (partner and adult
children at one address with one landline, often one surname, sometimes a family e-mail),
twins (same surname, address, landline and birth date; sometimes the same initial), father and
son (same roepnaam and surname, 20-40 years apart, often the same initials; at the same address
in about half the cases) and common names (several entities with the same first name and a
frequent surname in the same big city, at different addresses).

Truth columns: ``record_id``, ``entity_id``; ``entity_kind`` (``person``/``organisation``);
``household_id`` (shared by the people of one household, twins and father/son at one address,
else NaN); ``relation`` (the hard-negative group of the entity: ``household``, ``twin``,
``father_son``, ``common_name`` or NaN); ``corruptions`` (``;``-joined kinds applied to the
record, ``""`` if none).

Example:
    >>> records, truth = generate_customers(200, seed=7)
    >>> list(truth.columns[:2]), bool((records.record_id == truth.record_id).all())
    (['record_id', 'entity_id'], True)
    >>> truth.entity_id.nunique()
    200
"""

from __future__ import annotations

import numbers
from typing import Literal

import numpy as np
import pandas as pd

from custmatch.datasets import _noise, _notation, _render, _vocab
from custmatch.datasets._population import (
    ORGANISATION_SHARE,
    REF_DAY,
    RELATIONS,
    YEAR,
    build_entities,
    obj_array,
    pick,
)
from custmatch.datasets._render import RECORD_COLUMNS, SOURCES
from custmatch.errors import ConfigError, InputError, show_value
from custmatch.normalize.text import object_frame

__all__ = [
    "CORRUPTIONS",
    "DIFFICULTY",
    "HARD_NEGATIVES",
    "MEAN_RECORDS_PER_ENTITY",
    "RECORDS_PER_ENTITY",
    "RECORD_COLUMNS",
    "SOURCES",
    "TRUTH_COLUMNS",
    "generate_customers",
    "n_entities_for_records",
]

TRUTH_COLUMNS = ("record_id", "entity_id", "entity_kind", "household_id", "relation", "corruptions")

#: Share of entities with 1..6 records.
RECORDS_PER_ENTITY: dict[int, float] = {1: 0.46, 2: 0.24, 3: 0.14, 4: 0.09, 5: 0.05, 6: 0.02}
#: Expected records per entity (about 2.09).
MEAN_RECORDS_PER_ENTITY = sum(k * p for k, p in RECORDS_PER_ENTITY.items())

#: Corruption kinds, in the order used for the truth labels.
CORRUPTIONS = (
    "typo",
    "transposition",
    "missing",
    "abbreviation",
    "case_noise",
    "whitespace",
    "move",
    "email_change",
    "marriage",
    "date_swap",
    "date_typo",
    "placeholder_date",
    "email_typo",
)

#: Corruption rates per difficulty (see the module docstring for what each rate counts).
DIFFICULTY: dict[str, dict[str, float]] = {
    "easy": {
        "typo": 0.03,
        "transposition": 0.01,
        "missing": 0.05,
        "abbreviation": 0.05,
        "case_noise": 0.03,
        "whitespace": 0.02,
        "move": 0.04,
        "email_change": 0.04,
        "marriage": 0.15,
        "date_swap": 0.01,
        "date_typo": 0.01,
        "placeholder_date": 0.005,
        "email_typo": 0.01,
    },
    "medium": {
        "typo": 0.08,
        "transposition": 0.03,
        "missing": 0.12,
        "abbreviation": 0.12,
        "case_noise": 0.08,
        "whitespace": 0.05,
        "move": 0.10,
        "email_change": 0.10,
        "marriage": 0.30,
        "date_swap": 0.03,
        "date_typo": 0.03,
        "placeholder_date": 0.01,
        "email_typo": 0.03,
    },
    "hard": {
        "typo": 0.15,
        "transposition": 0.06,
        "missing": 0.20,
        "abbreviation": 0.20,
        "case_noise": 0.15,
        "whitespace": 0.10,
        "move": 0.20,
        "email_change": 0.20,
        "marriage": 0.45,
        "date_swap": 0.06,
        "date_typo": 0.06,
        "placeholder_date": 0.02,
        "email_typo": 0.06,
    },
}

#: Share of entities in each hard-negative group kind, per difficulty.
HARD_NEGATIVES: dict[str, dict[str, float]] = {
    "easy": {"household": 0.06, "twin": 0.004, "father_son": 0.006, "common_name": 0.01},
    "medium": {"household": 0.12, "twin": 0.01, "father_son": 0.015, "common_name": 0.02},
    "hard": {"household": 0.18, "twin": 0.02, "father_son": 0.03, "common_name": 0.04},
}
_SRC_P_PERSON = (0.30, 0.26, 0.18, 0.14, 0.12)
_SRC_P_ORG = (0.25, 0.10, 0.15, 0.20, 0.30)
_SHOW_BIRTH = np.array([0.8, 0.45, 0.15, 0.95, 0.2])
_SHOW_EMAIL_PERSON = np.array([0.75, 1.0, 0.5, 0.6, 0.35])
_SHOW_EMAIL_ORG = np.array([0.8, 1.0, 0.6, 0.7, 0.8])
_PREFIX_ABBR = {
    "van der": "v.d.",
    "van den": "v.d.",
    "van de": "vd",
    "van": "v.",
    "van het": "v.h.",
}


def n_entities_for_records(n_records: int) -> int:
    """Number of entities that yields about ``n_records`` records.

    Example:
        >>> n_entities_for_records(1_000_000)
        478469
    """
    return round(_check_count(n_records, "n_records") / MEAN_RECORDS_PER_ENTITY)


def _check_count(n: object, name: str = "n_entities") -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise InputError(f"{name} must be a non-negative integer, got {show_value(n)}")
    if int(n) < 0:
        raise InputError(f"{name} must be a non-negative integer, got {show_value(n)}")
    return int(n)


def generate_customers(
    n_entities: int,
    *,
    seed: int = 0,
    difficulty: Literal["easy", "medium", "hard"] = "medium",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate Dutch customer records from five source systems, with the true entities.

    Args:
        n_entities: number of real customers (people and organisations); each gets 1-6
            records, about :data:`MEAN_RECORDS_PER_ENTITY` on average (see
            :func:`n_entities_for_records`).
        seed: seed for ``numpy.random.default_rng``; the same seed gives identical frames.
        difficulty: ``"easy"``, ``"medium"`` or ``"hard"``: the corruption rates and the share
            of hard negatives (tables in the module docstring).

    Returns:
        ``(records, truth)``: records with :data:`RECORD_COLUMNS` (all ``str`` or NaN, rows
        shuffled) and truth with :data:`TRUTH_COLUMNS`, aligned row by row.

    Raises:
        InputError: ``n_entities`` is negative, a bool or not an integer.
        ConfigError: unknown ``difficulty``.

    Example:
        >>> records, truth = generate_customers(30, seed=1, difficulty="easy")
        >>> sorted(set(records.source)) <= ["contracts", "crm", "finance", "service", "webshop"]
        True
        >>> generate_customers(0)[0].shape[1]
        26
    """
    n = _check_count(n_entities)
    if not isinstance(difficulty, str) or difficulty not in DIFFICULTY:
        raise ConfigError(
            f"difficulty must be one of {sorted(DIFFICULTY)}, got {show_value(difficulty)}"
        )
    if n == 0:
        return (
            pd.DataFrame({c: pd.Series(dtype=object) for c in RECORD_COLUMNS}),
            pd.DataFrame({c: pd.Series(dtype=object) for c in TRUTH_COLUMNS}),
        )
    rng = np.random.default_rng(seed)
    rates = DIFFICULTY[difficulty]
    ent = build_entities(
        rng, n, HARD_NEGATIVES[difficulty], rates, RECORDS_PER_ENTITY, ORGANISATION_SHARE
    )
    rec = _records(rng, ent, rates)
    cols = _render.render_records(rng, rec)
    _noise.corrupt_strings(rng, cols, rec["bits"], rates, CORRUPTIONS)
    return _assemble(rng, ent, rec, cols)


# --------------------------------------------------------------------------- records


def _records(rng: np.random.Generator, e: dict, rates: dict[str, float]) -> dict:
    """Expand entities into records and apply the record-level life events and date noise."""
    n, size = e["n"], e["size"]
    ent = np.repeat(np.arange(n), size)
    r = len(ent)
    first = np.cumsum(size) - size
    rank = np.arange(r) - np.repeat(first, size)
    kind = e["kind"][ent]
    src = np.where(kind == 0, pick(rng, r, _SRC_P_PERSON), pick(rng, r, _SRC_P_ORG))
    src[(src == 1) & ~e["has_email"][ent]] = 0  # a webshop account needs an e-mail address
    bits = np.zeros(r, dtype=np.int64)

    def mark(name: str, mask: np.ndarray) -> None:
        bits[mask] |= np.int64(1) << CORRUPTIONS.index(name)

    show_birth = (kind == 0) & (rng.random(r) < _SHOW_BIRTH[src])
    p_mail = np.where(kind == 0, _SHOW_EMAIL_PERSON[src], _SHOW_EMAIL_ORG[src])
    show_email = e["has_email"][ent] & (rng.random(r) < p_mail)

    # Moves: some later records of a mover keep the old address (at least one does).
    moved = e["mover"][ent] & (rank >= 1) & (rng.random(r) < 0.5)
    count = np.bincount(ent[moved], minlength=n)
    need = e["mover"] & (count == 0)
    moved[first[need] + 1] = True
    mark("move", moved)
    mover_pos = np.cumsum(e["mover"]) - 1  # row of each mover in e["old"]
    addr = {}
    for key in ("city", "street", "hn", "add"):
        cur = e[key][ent].copy()
        cur[moved] = e["old"][key][mover_pos[ent[moved]]]
        addr[key] = cur
    landline = np.where(moved, e["old_land"][ent], e["landline"][ent])
    uni = e["universe"]
    pc4, pcl = uni.postcode(addr["street"], addr["hn"])

    # E-mail changes and domain typos.
    email = e["email"][ent].copy()
    changed = e["changer"][ent] & (rank >= 1) & show_email & (rng.random(r) < 0.6)
    email[changed] = e["old_email"][ent[changed]]
    mark("email_change", changed)
    prov = _vocab.email_providers()
    typo_map = {d: t for d, t in zip(prov.domain, prov.typos, strict=True) if t}
    cand = np.flatnonzero(show_email & (rng.random(r) < rates["email_typo"]))
    hit = []
    for i, v in zip(cand, rng.integers(0, 100, len(cand)), strict=True):
        local, _, dom = email[i].partition("@")
        if dom in typo_map:
            email[i] = f"{local}@{typo_map[dom][v % len(typo_map[dom])]}"
            hit.append(i)
    mark("email_typo", np.array(hit, dtype=np.int64))

    # Names, with married-name forms on some records of married women.
    pfx, sur = e["pfx"][ent].copy(), e["core"][ent].copy()
    mar = np.flatnonzero(e["married"][ent] & (kind == 0) & (rng.random(r) < rates["marriage"]))
    form = pick(rng, len(mar), [0.45, 0.1, 0.25, 0.1, 0.1])
    for i, f in zip(mar, form, strict=True):
        op, oc = pfx[i], sur[i]
        pp, pc = e["partner_pfx"][ent[i]], e["partner_core"][ent[i]]
        own, other = _notation.join_name(op, oc), _notation.join_name(pp, pc)
        pfx[i], sur[i] = (
            (pp, f"{pc}-{own}"),
            (op, f"{oc}-{other}"),
            (pp, pc),
            (op, f"{oc} e/v {other}"),
            (pp, f"{pc} geb. {own}"),
        )[f]
    mark("marriage", mar)

    # Abbreviations: first name -> initials, van der -> v.d., Kerkstraat -> Kerkstr.
    street = uni.name[addr["street"]]
    abbr = np.zeros(r, dtype=np.int8)
    ab = np.flatnonzero(rng.random(r) < rates["abbreviation"])
    want = rng.integers(1, 4, len(ab))
    variants = rng.integers(0, 3, len(ab))
    for i, w, v in zip(ab, want, variants, strict=True):
        short_street = _notation.abbreviate_street(street[i])
        can = [
            k
            for k, ok in (
                (1, kind[i] == 0 and src[i] != 4),
                (2, kind[i] == 0 and pfx[i] in _PREFIX_ABBR),
                (3, short_street != street[i]),
            )
            if ok
        ]
        if not can:
            continue
        k = w if w in can else can[0]
        abbr[i] = k
        if k == 2:
            pfx[i] = (
                ("v.d.", "vd", "v/d")[v] if pfx[i].startswith("van d") else _PREFIX_ABBR[pfx[i]]
            )
        elif k == 3:
            street[i] = short_street
    mark("abbreviation", abbr > 0)

    # Birth dates and their corruptions.
    days = e["birth"][ent].astype("datetime64[D]")
    by = days.astype("datetime64[Y]").astype(np.int64) + 1970
    bm = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    bd = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    swap = show_birth & (bd <= 12) & (bd != bm) & (rng.random(r) < rates["date_swap"])
    bd[swap], bm[swap] = bm[swap], bd[swap].copy()
    mark("date_swap", swap)
    typo = show_birth & ~swap & (rng.random(r) < rates["date_typo"])
    op = rng.integers(0, 3, r)
    digit = rng.integers(1, 10, r)
    new_d = bd // 10 * 10 + (bd % 10 + digit) % 10
    new_m = (bm + digit - 1) % 9 + 1
    new_y = by // 10 * 10 + (by % 10 + digit) % 10
    new_y = np.where(new_y > 2006, new_y - 10, new_y)
    day_ok = typo & (op == 1) & (new_d >= 1) & (new_d <= 28) & (new_d != bd)
    month_ok = typo & (op == 2) & (bm <= 9) & (bd <= 28) & (new_m != bm)
    year_ok = typo & ~day_ok & ~month_ok
    bd[day_ok], bm[month_ok], by[year_ok] = new_d[day_ok], new_m[month_ok], new_y[year_ok]
    mark("date_typo", typo)
    ph = show_birth & ~swap & ~typo & (rng.random(r) < rates["placeholder_date"])
    which = pick(rng, r, [0.7, 0.1, 0.2])
    by[ph] = np.array([1900, 1901, 1970])[which[ph]]
    bm[ph], bd[ph] = 1, 1
    mark("placeholder_date", ph)

    # Customer numbers per source and the cross-reference to the CRM number.
    cust = np.empty(r, dtype=object)
    fmts = (
        lambda p: f"CRM-{100000 + p}",
        lambda p: f"WS{10000 + p}",
        lambda p: f"SRV{p + 1:06d}",
        lambda p: f"CNT-{2010 + p % 15}-{p + 1:05d}",
        lambda p: f"DEB{400000 + p}",
    )
    for s, fmt in enumerate(fmts):
        idx = np.flatnonzero(src == s)
        cust[idx] = [fmt(int(p)) for p in rng.permutation(len(idx))]
    crm = np.flatnonzero(src == 0)
    ents, pos = np.unique(ent[crm], return_index=True)
    ent_crm = np.full(n, "", dtype=object)
    ent_crm[ents] = cust[crm[pos]]
    crm_ref = np.full(r, "", dtype=object)
    ref = np.flatnonzero(
        ((src == 3) & (rng.random(r) < 0.45) | (src == 4) & (rng.random(r) < 0.5))
        & (ent_crm[ent] != "")
    )
    strip = rng.random(len(ref)) < 0.5
    crm_ref[ref] = [
        x[4:] if st and s == 4 else x
        for x, st, s in zip(ent_crm[ent[ref]], strip, src[ref], strict=True)
    ]

    # Timestamps: a mover's old-address records predate the move.
    lo, hi = np.full(r, REF_DAY - 13 * YEAR), np.full(r, float(REF_DAY))
    mv = e["mover"][ent]
    hi[mv & moved] = e["move_day"][ent[mv & moved]]
    lo[mv & ~moved] = e["move_day"][ent[mv & ~moved]]
    day = (lo + (hi - lo) * rng.random(r)).astype(np.int64)
    updated = day * 86400 + rng.integers(7 * 3600, 22 * 3600, r)

    return {
        "ent": ent,
        "src": src,
        "kind": kind,
        "bits": bits,
        "gender": e["gender"][ent],
        "roep": e["roep"][ent],
        "official": e["official"][ent],
        "initials": e["initials"][ent],
        "title": e["title"][ent],
        "pfx": pfx,
        "sur": sur,
        "abbr": abbr,
        "street": street,
        "hn": addr["hn"],
        "add": addr["add"],
        "city": addr["city"],
        "pc4": pc4,
        "pcl": pcl,
        "landline": landline,
        "mobile": e["mobile"][ent],
        "email": email,
        "show_email": show_email,
        "show_birth": show_birth,
        "by": by,
        "bm": bm,
        "bd": bd,
        "org_name": e["org_name"][ent],
        "legal": e["legal"][ent],
        "kvk": e["kvk"][ent],
        "org_phone": e["org_phone"][ent],
        "customer_number": cust,
        "crm_reference": crm_ref,
        "updated": updated,
    }


def _assemble(
    rng: np.random.Generator, e: dict, rec: dict, cols: dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    r = len(rec["ent"])
    order = rng.permutation(r)
    ids = obj_array([f"r{i:07d}" for i in range(1, r + 1)])
    records = {"record_id": ids}
    for c in RECORD_COLUMNS[1:]:
        col = cols[c][order]
        col[col == ""] = np.nan
        records[c] = col
    ent = rec["ent"][order]
    label = rng.permutation(e["n"]) + 1
    entity_id = obj_array([f"e{v:07d}" for v in label])[ent]
    kind = np.array(["person", "organisation"], dtype=object)[e["kind"][ent]]
    hh = e["household"][ent]
    household = np.full(r, np.nan, dtype=object)
    has = hh >= 0
    household[has] = [f"h{v + 1:06d}" for v in hh[has]]
    relations = np.array([np.nan, *RELATIONS], dtype=object)[e["rel"][ent]]
    bits = rec["bits"][order]
    codes, uniques = pd.factorize(bits)
    names = obj_array(
        [";".join(k for j, k in enumerate(CORRUPTIONS) if (int(b) >> j) & 1) for b in uniques]
    )
    truth = {
        "record_id": ids,
        "entity_id": entity_id,
        "entity_kind": kind,
        "household_id": household,
        "relation": relations,
        "corruptions": names[codes],
    }
    return object_frame(records), object_frame(truth)
