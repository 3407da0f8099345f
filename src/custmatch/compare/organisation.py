"""Organisation comparison: trade name and Chamber of Commerce (KvK) number.

Business customers are recorded by organisation name (``Bakkerij Jansen``, the legal form
already split off by the normalizer) and often a KvK number; the person on the record is a
contact who changes over time, so for these records the organisation, not the person name,
says who the customer is. Person records have no organisation: the comparison is null for
them and adds nothing.

Example:
    >>> import numpy as np
    >>> org = Organisation()
    >>> arr = lambda *v: np.array(v, dtype=object)
    >>> left = org.prepare({"organisation": arr("Bakkerij Jansen", "Café 't Hoekje",
    ...                                          "Bakkerij Jansen", "De Regenboog", None),
    ...                     "kvk_number": arr(None, None, "1234567", "30123456", None)})
    >>> right = org.prepare({"organisation": arr("BAKKERIJ JANSEN", "Cafe t Hoekje.",
    ...                                           "Bakkerij Janssen", "De Regenboog",
    ...                                           "De Regenboog"),
    ...                      "kvk_number": arr(None, None, "01234567", "40123456", None)})
    >>> [org.level_labels()[k] for k in org.levels(left, right)]
    ['exact', 'exact', 'same_kvk', 'else', 'null']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from rapidfuzz import fuzz as _fuzz
from rapidfuzz.distance import JaroWinkler as _JaroWinkler

from custmatch.compare.engine import Comparison, Values
from custmatch.compare.library import present, similarity
from custmatch.errors import ConfigError
from custmatch.normalize.text import fold_accents

__all__ = ["ORGANISATION_PHONE_KINDS", "Organisation", "OrganisationContact", "organisation_key"]

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def organisation_key(value: object) -> str | None:
    """Matching key of an organisation name: accents folded, case folded, everything but
    letters and digits removed (``Café 't Hoekje`` -> ``cafethoekje``); ``None`` if empty.

    Example:
        >>> organisation_key("Van Der Schaaf Advies"), organisation_key("  ")
        ('vanderschaafadvies', None)
    """
    if value is None or value != value:
        return None
    key = _NOT_ALNUM.sub("", fold_accents(str(value)).casefold())
    return key or None


def _kvk(value: object) -> str | None:
    from custmatch.normalize.identifiers import normalize_kvk

    if value is None or value != value:
        return None
    return normalize_kvk(value)


@dataclass(frozen=True, repr=False)
class Organisation(Comparison):
    """Organisation name and KvK number.

    Levels: ``same_kvk`` (both have the same KvK number; a 7-digit number that lost its
    leading zero in a spreadsheet is padded first), ``exact`` (same name key:
    :func:`organisation_key`), ``similar`` (Jaro-Winkler of the keys >= ``threshold``, or
    one key, of at least ``min_contained`` characters, inside the other: a typo, a legal form
    left in the name), else. Two different KvK numbers are two registered organisations
    (franchisees and namesakes share a name, not a number): else, whatever the names. Null
    when a side has neither a name nor a KvK number, or only one side has a name and the
    other only a number. Either column may be absent from the records.
    """

    organisation: str = "organisation"
    kvk: str | None = "kvk_number"
    threshold: float = 0.92
    min_contained: int = 6
    name: str = "organisation"  # type: ignore[assignment]
    labels: tuple[str, ...] = field(default=("else", "similar", "exact", "same_kvk"),
                                    init=False)

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"Organisation threshold must be in (0, 1], "
                              f"got {self.threshold!r}")
        columns = (self.organisation,) if self.kvk is None else (self.organisation, self.kvk)
        object.__setattr__(self, "columns", columns)
        # only business sources export a KvK number (records without the column compare on
        # the name alone), and person-only records may have no organisation column at all
        object.__setattr__(self, "optional_columns", columns)

    def prepare(self, values: Values) -> Values:
        keys = np.array([organisation_key(v) for v in values[self.organisation]], dtype=object)
        if self.kvk is None:
            kvk = np.full(len(keys), None, dtype=object)
        else:
            kvk = np.array([_kvk(v) for v in values[self.kvk]], dtype=object)
        return {"key": keys, "kvk": kvk}

    def levels(self, left: Values, right: Values) -> NDArray[np.int8]:
        lk, rk, lv, rv = left["key"], right["key"], left["kvk"], right["kvk"]
        names = present(lk) & present(rk)
        numbers = present(lv) & present(rv)
        out = np.zeros(len(lk), dtype=np.int8)
        idx = np.flatnonzero(names)
        if len(idx):
            a = np.array([str(v) for v in lk[idx]], dtype=object)
            b = np.array([str(v) for v in rk[idx]], dtype=object)
            level = np.zeros(len(idx), dtype=np.int8)
            close = similarity(_JaroWinkler.normalized_similarity, a, b) >= self.threshold
            shorter = np.minimum(np.char.str_len(a.astype(str)), np.char.str_len(b.astype(str)))
            inside = (shorter >= self.min_contained) & (
                similarity(_fuzz.partial_ratio, a, b) >= 100.0)
            level[close | inside] = 1
            level[a == b] = 2
            out[idx] = level
        out[numbers & (lv == rv)] = 3
        out[numbers & (lv != rv)] = 0
        out[~(names | numbers)] = -1
        return out


#: Phone kinds of an organisation's own lines: company-wide 088, service 0800/090x.
ORGANISATION_PHONE_KINDS = frozenset({"organisation", "service"})


def _business_domains(email_keys: NDArray[np.object_]) -> NDArray[np.object_]:
    """The domain of each e-mail key unless it is a consumer mailbox provider (``None``).

    Each distinct key is split once, in plain Python: cheaper than string-array operations
    both on a million keys and on the handful of a real-time lookup.

    Example:
        >>> keys = np.array(["info@Bakker.nl", "jan@ziggo.nl", None, "geen"], dtype=object)
        >>> _business_domains(keys).tolist()
        ['bakker.nl', None, None, None]
    """
    from custmatch.normalize.email import is_consumer_domain

    keys = np.asarray(email_keys, dtype=object)
    out = np.full(len(keys), None, dtype=object)
    usable = np.flatnonzero(present(keys))
    if not len(usable):
        return out
    codes, uniques = pd.factorize(keys[usable])
    domains = np.empty(len(uniques), dtype=object)
    for k, key in enumerate(uniques):
        _, at, domain = str(key).rpartition("@")
        domain = domain.strip().lower()
        domains[k] = domain if at and domain and not is_consumer_domain(domain) else None
    out[usable] = domains[codes]
    return out


@dataclass(frozen=True, repr=False)
class OrganisationContact(Comparison):
    """An organisation's own contact details, as evidence about business customers.

    A company-wide number (088, 0800, 090x) and an e-mail domain of the organisation's own
    (``info@bakkerijjansen.nl``, ``p.smit@bakkerijjansen.nl``; not a consumer provider such
    as ``ziggo.nl``) say nothing about which *person* a record is, so :class:`Phone` and
    :class:`Email` ignore them; but they do say which *organisation* it is. Compared only
    when a side is a business record (it names an organisation or has a KvK number).

    Levels: ``same_number`` (a common organisation phone number), ``same_domain`` (the same
    organisation e-mail domain), else (both have such details and none is shared). Null
    when neither side is a business record, or a side has no such details. Any of the
    columns may be absent from the records.
    """

    organisation: str = "organisation"
    kvk: str | None = "kvk_number"
    phone: str = "phone"
    kind: str = "phone_kind"
    phone_2: str = "phone_2"
    kind_2: str = "phone_2_kind"
    email_key: str = "email_key"
    name: str = "organisation_contact"  # type: ignore[assignment]
    labels: tuple[str, ...] = field(default=("else", "same_domain", "same_number"),
                                    init=False)

    def __post_init__(self) -> None:
        columns = (self.organisation, self.phone, self.kind, self.phone_2, self.kind_2,
                   self.email_key)
        if self.kvk is not None:
            columns = (*columns, self.kvk)
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "optional_columns", columns)

    def prepare(self, values: Values) -> Values:
        business = present(values[self.organisation])
        if self.kvk is not None:
            business |= present(values[self.kvk])
        out: dict[str, NDArray[np.object_]] = {"business": business}
        kinds = np.array(sorted(ORGANISATION_PHONE_KINDS), dtype=object)
        for slot, (number_col, kind_col) in enumerate(((self.phone, self.kind),
                                                       (self.phone_2, self.kind_2))):
            numbers = values[number_col]
            own = np.isin(np.asarray(values[kind_col], dtype=object), kinds) & present(numbers)
            out[f"n{slot}"] = np.where(own, numbers, None)
        out["domain"] = _business_domains(values[self.email_key])
        return out

    def null_side(self, values: Values, prepared: Values) -> NDArray[np.bool_]:
        """A side without an organisation phone number or e-mail domain of its own."""
        return ~(present(prepared["n0"]) | present(prepared["n1"])
                 | present(prepared["domain"]))

    def levels(self, left: Values, right: Values) -> NDArray[np.int8]:
        has_l = present(left["n0"]) | present(left["n1"]) | present(left["domain"])
        has_r = present(right["n0"]) | present(right["n1"]) | present(right["domain"])
        out = np.zeros(len(has_l), dtype=np.int8)
        ld, rd = left["domain"], right["domain"]
        out[present(ld) & (ld == rd)] = 1
        for i in (0, 1):
            for j in (0, 1):
                a, b = left[f"n{i}"], right[f"n{j}"]
                out[present(a) & (a == b)] = 2
        out[~(has_l & has_r & (left["business"] | right["business"]))] = -1
        return out
