"""Dutch contact comparisons: address, phone, e-mail.

They read the columns :func:`custmatch.normalize.normalize_frame` produces (``postcode``,
``house_number``, ``house_number_addition``, ``street_key``, ``city_key``, ``phone``,
``phone_kind``, ``phone_2``, ``phone_2_kind``, ``email_key``, ``email_role``).

Example:
    >>> import numpy as np
    >>> arr = lambda *v: np.array(v, dtype=object)
    >>> ph = Phone()
    >>> left = ph.prepare({"phone": arr("+31612345678", "+31201234567", "+31881234567"),
    ...                    "phone_kind": arr("mobile", "fixed", "organisation"),
    ...                    "phone_2": arr(None, None, None), "phone_2_kind": arr(None, None, None)})
    >>> right = ph.prepare({"phone": arr("+31201234567", "+31201234567", "+31881234567"),
    ...                     "phone_kind": arr("fixed", "fixed", "organisation"),
    ...                     "phone_2": arr("+31612345678", None, None),
    ...                     "phone_2_kind": arr("mobile", None, None)})
    >>> [ph.level_labels()[k] for k in ph.levels(left, right)]
    ['shared_mobile', 'shared_landline', 'null']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray
from rapidfuzz.distance import JaroWinkler as _JaroWinkler

from custmatch.compare.engine import Comparison, Values
from custmatch.compare.library import present, similarity, text_codes
from custmatch.errors import ConfigError

__all__ = ["Address", "Email", "Phone"]

#: Phone kinds that identify a person (a mobile) or a household (a landline, VoIP).
PERSON_MOBILE_KINDS = frozenset({"mobile", "foreign_mobile"})
PERSON_SHARED_KINDS = frozenset({"fixed", "voip", "personal", "foreign_fixed", "other"})


def _text(values: NDArray[np.object_]) -> NDArray[np.object_]:
    """Values as strings, ``None`` where missing or empty."""
    ok = present(values)
    out = np.full(len(values), None, dtype=object)
    out[ok] = [str(v) for v in values[ok]]
    return out


@dataclass(frozen=True, repr=False)
class Address(Comparison):
    """Postal address: postcode + house number is the Dutch address key.

    Levels: ``exact`` (postcode, number and addition), ``other_addition`` (same postcode and
    number, another or a missing addition: another flat in the building or a dropped
    toevoeging), ``same_street_number`` (street, number and city agree, street and city
    allowing a typo, Jaro-Winkler >= ``typo_similarity``; postcode missing or mistyped),
    ``same_street`` (street and city agree, number differs), else (a different address:
    moved, or another person). Null when a side has neither postcode + number nor
    street + city. Additions compare by :func:`~custmatch.normalize.housenumber.addition_key`
    (``II`` ~ ``2``, ``BG`` ~ ``HS``).
    """

    postcode: str = "postcode"
    house_number: str = "house_number"
    addition: str = "house_number_addition"
    street_key: str = "street_key"
    city_key: str = "city_key"
    typo_similarity: float = 0.92
    name: str = "address"  # type: ignore[assignment]
    labels: tuple[str, ...] = field(
        default=("else", "same_street", "same_street_number", "other_addition", "exact"),
        init=False,
    )

    def __post_init__(self) -> None:
        if not 0.0 < self.typo_similarity <= 1.0:
            raise ConfigError(f"Address typo_similarity must be in (0, 1], got "
                              f"{self.typo_similarity!r}")
        object.__setattr__(self, "columns", (self.postcode, self.house_number, self.addition,
                                             self.street_key, self.city_key))

    def prepare(self, values: Values) -> Values:
        from custmatch.normalize.housenumber import addition_key

        numbers = values[self.house_number]
        number = np.array([int(v) if v is not None and v == v else -1 for v in numbers],
                          dtype=np.int64)
        additions = np.array([addition_key(v) or "" for v in values[self.addition]],
                             dtype=object)
        # integer codes (-1: missing; no addition is -1 on both sides, so equal)
        [pc], [add], [street], [city] = (text_codes(values[self.postcode]),
                                         text_codes(additions),
                                         text_codes(values[self.street_key]),
                                         text_codes(values[self.city_key]))
        return {"pc": pc, "nr": number, "add": add, "street": street, "city": city,
                "street_text": np.asarray(values[self.street_key], dtype=object),
                "city_text": np.asarray(values[self.city_key], dtype=object)}

    def null_side(self, values: Values, prepared: Values) -> NDArray[np.bool_]:
        """Neither postcode + number nor street + place."""
        return ~(((prepared["pc"] >= 0) & (prepared["nr"] >= 0))
                 | ((prepared["street"] >= 0) & (prepared["city"] >= 0)))

    def levels(self, left: Values, right: Values) -> NDArray[np.int8]:
        lpc, rpc = left["pc"], right["pc"]
        lnr, rnr = left["nr"], right["nr"]
        pc_nr_l = (lpc >= 0) & (lnr >= 0)
        pc_nr_r = (rpc >= 0) & (rnr >= 0)
        street_l = (left["street"] >= 0) & (left["city"] >= 0)
        street_r = (right["street"] >= 0) & (right["city"] >= 0)
        out = np.zeros(len(lpc), dtype=np.int8)
        same_street = street_l & street_r & (left["street"] == right["street"]) & (
            left["city"] == right["city"])
        out[same_street] = 1
        same_number = (lnr >= 0) & (lnr == rnr)
        out[same_street & same_number] = 2
        out[self._street_typo(left, right, street_l & street_r & same_number & ~same_street)] = 2
        same_pc_nr = pc_nr_l & pc_nr_r & (lpc == rpc) & (lnr == rnr)
        out[same_pc_nr] = 3
        out[same_pc_nr & (left["add"] == right["add"])] = 4
        out[~((pc_nr_l | street_l) & (pc_nr_r | street_r))] = -1
        return out

    def _street_typo(self, left: Values, right: Values, rows: NDArray[np.bool_]
                     ) -> NDArray[np.bool_]:
        """Of ``rows`` (same number, street or city not equal): street and city alike up to
        a typo (``Heard Street`` ~ ``Heard Sreet``, ``Kempsey`` ~ ``Kempsdy``)."""
        out = np.zeros(len(rows), dtype=bool)
        if "street_text" not in left or "street_text" not in right:
            return out
        idx = np.flatnonzero(rows)
        if not len(idx):
            return out
        jw = _JaroWinkler.normalized_similarity
        alike = np.ones(len(idx), dtype=bool)
        for part in ("street", "city"):
            differ = np.flatnonzero(left[part][idx] != right[part][idx])
            if len(differ):
                a = left[f"{part}_text"][idx[differ]].astype(str).astype(object)
                b = right[f"{part}_text"][idx[differ]].astype(str).astype(object)
                alike[differ] &= similarity(jw, a, b) >= self.typo_similarity
        out[idx] = alike
        return out


@dataclass(frozen=True, repr=False)
class Phone(Comparison):
    """Phone numbers (E.164), mobile versus shared lines.

    Each record may hold two numbers (``phone`` and ``phone_2``); a number in either
    matches either. Levels: ``shared_mobile`` (a common mobile: strong, personal evidence),
    ``shared_landline`` (a common landline or VoIP number: household evidence, weaker),
    ``other_kind`` (no common number, but nothing to disagree on either: one side gave only
    a mobile, the other only a landline, as one person does to different systems; only
    with ``other_kind=True``), else (both sides have a number of the same kind and none is
    shared: two different mobiles are two people). Organisation, service (0800/090x), M2M
    and pager numbers are no evidence about a person: a side with only those is null, like
    a side without a number.
    """

    distinct_pairs: ClassVar[bool] = False  # integer comparisons: cheaper per pair
    phone: str = "phone"
    kind: str = "phone_kind"
    phone_2: str = "phone_2"
    kind_2: str = "phone_2_kind"
    other_kind: bool = True
    name: str = "phone"  # type: ignore[assignment]
    labels: tuple[str, ...] = field(default=("else", "shared_landline", "shared_mobile"),
                                    init=False)
    legacy_fields: ClassVar[Mapping[str, object]] = {"other_kind": False}

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", (self.phone, self.kind, self.phone_2, self.kind_2))
        labels = ("else", "other_kind", "shared_landline", "shared_mobile") if self.other_kind \
            else ("else", "shared_landline", "shared_mobile")
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "disagreement_levels", ("other_kind",) if self.other_kind
                           else ())

    def prepare(self, values: Values) -> Values:
        out: dict[str, NDArray[np.object_]] = {}
        for slot, (number_col, kind_col) in enumerate(((self.phone, self.kind),
                                                       (self.phone_2, self.kind_2))):
            numbers, kinds = values[number_col], values[kind_col]
            mobile = np.array([k in PERSON_MOBILE_KINDS for k in kinds], dtype=bool)
            shared = np.array([k in PERSON_SHARED_KINDS for k in kinds], dtype=bool)
            usable = present(numbers) & (mobile | shared)
            out[f"n{slot}"] = np.where(usable, numbers, None)
            out[f"m{slot}"] = mobile & usable
            out[f"s{slot}"] = shared & usable
        # one code per number, shared by both slots (a number in either matches either)
        out["n0"], out["n1"] = text_codes(out["n0"], out["n1"])
        return out

    def null_side(self, values: Values, prepared: Values) -> NDArray[np.bool_]:
        """No personal phone number (none, or only organisation/service numbers)."""
        return (prepared["n0"] < 0) & (prepared["n1"] < 0)

    def levels(self, left: Values, right: Values) -> NDArray[np.int8]:
        has_l = (left["n0"] >= 0) | (left["n1"] >= 0)
        has_r = (right["n0"] >= 0) | (right["n1"] >= 0)
        out = np.zeros(len(has_l), dtype=np.int8)
        if self.other_kind:
            common_kind = ((left["m0"] | left["m1"]) & (right["m0"] | right["m1"])) | (
                (left["s0"] | left["s1"]) & (right["s0"] | right["s1"]))
            out[~common_kind] = 1
        top = self.n_levels - 1
        for i in (0, 1):
            for j in (0, 1):
                a, b = left[f"n{i}"], right[f"n{j}"]
                same = (a >= 0) & (a == b)
                level = np.where(left[f"m{i}"] | right[f"m{j}"], top, top - 1).astype(np.int8)
                out = np.where(same, np.maximum(out, level), out).astype(np.int8)
        out[~(has_l & has_r)] = -1
        return out


@dataclass(frozen=True, repr=False)
class Email(Comparison):
    """E-mail addresses by their matching key (``email_key``: typos fixed, gmail dots folded).

    Levels: ``exact`` (same key), ``same_local_part`` (same mailbox name at another provider,
    e.g. a move from hetnet.nl to kpnmail.nl; local parts of at least ``min_local`` letters),
    else. Role addresses (info@, klantenservice@, ...) are no evidence about a person: null.
    """

    distinct_pairs: ClassVar[bool] = False  # integer comparisons: cheaper per pair
    email_key: str = "email_key"
    role: str | None = "email_role"
    min_local: int = 5
    name: str = "email"  # type: ignore[assignment]
    labels: tuple[str, ...] = field(default=("else", "same_local_part", "exact"), init=False)

    def __post_init__(self) -> None:
        columns = (self.email_key,) if self.role is None else (self.email_key, self.role)
        object.__setattr__(self, "columns", columns)

    def prepare(self, values: Values) -> Values:
        keys = _text(values[self.email_key])
        if self.role is not None:
            role = np.array([v is True or v == 1 for v in values[self.role]], dtype=bool)
            keys = np.where(role, None, keys)
        local = np.array([k.rsplit("@", 1)[0] if k else None for k in keys], dtype=object)
        local = np.where([v is not None and len(v) >= self.min_local for v in local], local,
                         None)
        [key_codes], [local_codes] = text_codes(keys), text_codes(local)
        return {"key": key_codes, "local": local_codes}

    def null_side(self, values: Values, prepared: Values) -> NDArray[np.bool_]:
        """No e-mail key, or a role address."""
        return prepared["key"] < 0

    def levels(self, left: Values, right: Values) -> NDArray[np.int8]:
        lk, rk = left["key"], right["key"]
        out = np.zeros(len(lk), dtype=np.int8)
        out[(left["local"] >= 0) & (left["local"] == right["local"])] = 1
        out[lk == rk] = 2
        out[(lk < 0) | (rk < 0)] = -1
        return out
