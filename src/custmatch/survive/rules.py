"""Survivorship rules: which record's value survives into the golden record.

A rule turns the records of every cluster into one or more *rank keys*, one number per
record, smaller is better. A spec (:func:`field`, :func:`group`) chains rules: the first key
decides, later ones only break its ties, and the record id (as text) breaks what is left,
so the result never depends on the input row order. Before any rule, every chain ranks

1. records that hold a value (any field of the group) before records that hold none, and
2. values that passed validation before values whose ``<field>_status`` says ``invalid``,
   ``placeholder``, ``future``, ... (a failed value never survives over a usable one).

Example:
    >>> spec = field("email", most_recent("updated_at"), collect_all())
    >>> spec.name, spec.fields, [r.label for r in spec.rules]
    ('email', ('email',), ['most_recent(updated_at)', 'collect_all'])
    >>> group("address", ("street", "postcode"), most_recent()).fields
    ('street', 'postcode')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from custmatch.errors import ConfigError, show_value

if TYPE_CHECKING:
    from custmatch.survive.golden import RankContext

__all__ = [
    "FIELD_STATUS",
    "GOOD_STATUSES",
    "CollectAll",
    "ConsentSpec",
    "FieldSpec",
    "FirstValid",
    "Longest",
    "MostComplete",
    "MostFrequent",
    "MostRecent",
    "Required",
    "Rule",
    "SourcePriority",
    "SpelledOut",
    "UserRule",
    "collect_all",
    "consent",
    "custom",
    "field",
    "first_valid",
    "group",
    "longest",
    "most_complete",
    "most_frequent",
    "most_recent",
    "required",
    "source_priority",
    "spelled_out",
]

#: Statuses that never count against a value ("empty" means: no status was recorded for it,
#: e.g. a phone number taken from the mobile column is judged by ``mobile_status``).
GOOD_STATUSES: frozenset[str] = frozenset({"valid", "repaired", "empty", "year_only"})

#: The status columns that judge each canonical field. A value is *failed* when none of its
#: status columns is valid/repaired and at least one holds a failure (``invalid``, ...).
FIELD_STATUS: dict[str, tuple[str, ...]] = {
    **{c: ("name_status",) for c in (
        "title", "first_name", "initials", "prefix", "surname", "partner_prefix",
        "partner_surname", "surname_key", "surname_phonetic", "partner_surname_key",
        "partner_surname_phonetic")},
    "organisation": ("organisation_status",),
    "legal_form": ("organisation_status",),
    "street": ("street_status", "address_status"),
    "street_key": ("street_status", "address_status"),
    "house_number": ("house_number_status", "address_status"),
    "house_number_addition": ("house_number_status", "address_status"),
    "postcode": ("postcode_status", "address_status"),
    "city": ("city_status", "address_status"),
    "city_key": ("city_status", "address_status"),
    "country": ("address_status",),
    "po_box": ("address_status",),
    **{c: ("phone_status", "mobile_status") for c in ("phone", "phone_kind", "phone_2",
                                                      "phone_2_kind")},
    **{c: ("email_status",) for c in ("email", "email_key", "email_role")},
    "birth_date": ("birth_date_status",),
    "birth_year": ("birth_date_status",),
    "gender": ("gender_status",),
}

Key = NDArray[np.int64] | NDArray[np.float64]


@dataclass(frozen=True)
class Rule:
    """Base class of survivorship rules. Subclasses implement :meth:`keys`.

    ``keys(ctx, spec)`` returns rank keys, one value per record (smaller is better), read
    from ``ctx`` (a :class:`custmatch.survive.golden.RankContext`: ``ctx.records``,
    ``ctx.codes(column)``, ``ctx.timestamps(column)``, ``ctx.usable(column, statuses)``...).
    """

    @property
    def label(self) -> str:
        """Name of the rule in lineage."""
        return type(self).__name__.lower()

    def columns(self) -> tuple[str, ...]:
        """Record columns this rule reads besides the spec's own fields."""
        return ()

    def keys(self, ctx: RankContext, spec: FieldSpec) -> list[Key]:  # pragma: no cover
        """Rank keys, one per record; smaller ranks first."""
        raise NotImplementedError


@dataclass(frozen=True)
class SourcePriority(Rule):
    """Prefer sources in the given order; sources not listed come after all listed ones."""

    order: tuple[str, ...]

    def __post_init__(self) -> None:
        if isinstance(self.order, str) or not isinstance(self.order, Iterable):
            raise ConfigError(f"source_priority needs a list of source names, got "
                              f"{show_value(self.order)}; e.g. source_priority(['crm', 'finance'])")
        order = tuple(self.order)
        if not order or not all(isinstance(s, str) for s in order):
            raise ConfigError(f"source_priority needs a non-empty list of source names, got "
                              f"{show_value(order)}")
        if len(set(order)) != len(order):
            raise ConfigError(f"source_priority lists a source twice: {show_value(order)}")
        object.__setattr__(self, "order", order)

    @property
    def label(self) -> str:
        return "source_priority"

    def columns(self) -> tuple[str, ...]:
        return ("source",)

    def keys(self, ctx: RankContext, spec: FieldSpec) -> list[Key]:
        codes, uniques = ctx.codes("source")
        rank = {s: i for i, s in enumerate(self.order)}
        table = np.array([rank.get(u, len(self.order)) for u in uniques] + [len(self.order)],
                         dtype=np.int64)
        return [table[codes]]


@dataclass(frozen=True)
class MostRecent(Rule):
    """Prefer the record with the latest timestamp in ``column``; missing times come last."""

    column: str = "updated_at"

    def __post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column:
            raise ConfigError(f"most_recent needs a column name, got {show_value(self.column)}")

    @property
    def label(self) -> str:
        return f"most_recent({self.column})"

    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def keys(self, ctx: RankContext, spec: FieldSpec) -> list[Key]:
        return [-ctx.timestamps(self.column)]


@dataclass(frozen=True)
class MostFrequent(Rule):
    """Prefer the value (for a group: the combination of values) most records agree on."""

    @property
    def label(self) -> str:
        return "most_frequent"

    def keys(self, ctx: RankContext, spec: FieldSpec) -> list[Key]:
        return [-ctx.frequency(spec.value_fields)]


@dataclass(frozen=True)
class Longest(Rule):
    """Prefer the longest text (for a group: the most characters over its fields)."""

    @property
    def label(self) -> str:
        return "longest"

    def keys(self, ctx: RankContext, spec: FieldSpec) -> list[Key]:
        total = np.zeros(ctx.n, dtype=np.int64)
        for c in spec.value_fields:
            total += ctx.lengths(c)
        return [-total]


@dataclass(frozen=True)
class FirstValid(Rule):
    """Take the first usable value in record-id order (no further preference)."""

    @property
    def label(self) -> str:
        return "first_valid"

    def keys(self, ctx: RankContext, spec: FieldSpec) -> list[Key]:
        return []


@dataclass(frozen=True)
class MostComplete(Rule):
    """Prefer the record with the most usable (non-null, not failed) fields of the group."""

    only: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return "most_complete"

    def columns(self) -> tuple[str, ...]:
        return tuple(self.only)

    def keys(self, ctx: RankContext, spec: FieldSpec) -> list[Key]:
        usable = [ctx.usable(c, spec.status_of(c)) for c in self.only or spec.value_fields]
        return [-np.sum(usable, axis=0, dtype=np.int64)]


@dataclass(frozen=True)
class SpelledOut(Rule):
    """Prefer spelled-out values over abbreviations (dutch.md 1.1, 1.4).

    A spelled-out first name (not initials only) counts twice, every other field once when
    it has no abbreviation dot and more than one letter (``van der`` over ``v.d.``). A null
    value counts as neither.
    """

    @property
    def label(self) -> str:
        return "spelled_out"

    def keys(self, ctx: RankContext, spec: FieldSpec) -> list[Key]:
        total = np.zeros(ctx.n, dtype=np.int64)
        for c in spec.value_fields:
            weight = 2 if c == "first_name" else 1
            total += weight * ctx.spelled(c)
        return [-total]


@dataclass(frozen=True)
class Required(Rule):
    """Prefer records that hold every column of at least one of ``alternatives``.

    ``required(("postcode", "house_number"), ("street", "house_number", "city"))`` ranks a
    deliverable address before a city alone, whatever later rules say.
    """

    alternatives: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        alts = tuple((a,) if isinstance(a, str) else tuple(a) for a in self.alternatives)
        if not alts or not all(alts) or not all(isinstance(c, str) for a in alts for c in a):
            raise ConfigError(f"required needs one or more tuples of column names, got "
                              f"{show_value(self.alternatives)}")
        object.__setattr__(self, "alternatives", alts)

    @property
    def label(self) -> str:
        return "required"

    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for a in self.alternatives for c in a))

    def keys(self, ctx: RankContext, spec: FieldSpec) -> list[Key]:
        ok = np.logical_or.reduce([
            np.logical_and.reduce([ctx.usable(c, spec.status_of(c)) for c in alt])
            for alt in self.alternatives])
        return [(~ok).astype(np.int64)]


@dataclass(frozen=True)
class UserRule(Rule):
    """A user function ``func(records, fields) -> sort key per record`` (smaller first).

    The key may be numbers, timestamps or text; missing keys rank last. With
    ``descending=True`` larger keys rank first.
    """

    func: Callable[[pd.DataFrame, tuple[str, ...]], object]
    name: str | None = None
    descending: bool = False

    def __post_init__(self) -> None:
        if not callable(self.func):
            raise ConfigError(f"custom rule needs a function, got {show_value(self.func)}")

    @property
    def label(self) -> str:
        return self.name or getattr(self.func, "__name__", "custom")

    def keys(self, ctx: RankContext, spec: FieldSpec) -> list[Key]:
        try:
            values = self.func(ctx.records, spec.fields)
        except Exception as exc:
            raise ConfigError(f"custom rule {self.label!r} failed on spec {spec.name!r}: "
                              f"{type(exc).__name__}: {exc}") from exc
        values = pd.Series(np.asarray(values, dtype=object) if not hasattr(values, "dtype")
                           else values).reset_index(drop=True)
        if len(values) != ctx.n:
            raise ConfigError(f"custom rule {self.label!r} returned {len(values)} keys for "
                              f"{ctx.n} records; return one key per record")
        try:
            codes, uniques = pd.factorize(values, sort=True)
        except TypeError as exc:
            raise ConfigError(f"custom rule {self.label!r} returned keys that cannot be "
                              f"sorted: {exc}") from exc
        codes = codes.astype(np.int64)
        if self.descending:
            codes = np.where(codes >= 0, len(uniques) - 1 - codes, codes)
        return [np.where(codes < 0, len(uniques), codes)]


@dataclass(frozen=True)
class CollectAll(Rule):
    """Also keep every distinct usable value of the field in the cluster, as a list.

    The list goes to the golden column ``name`` (default: the spec name plus ``s``), best
    ranked first; ``also`` adds more record columns (``phone_2`` beside ``phone``). Not a
    ranking rule: it adds no key.
    """

    name: str | None = None
    also: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        also = (self.also,) if isinstance(self.also, str) else tuple(self.also)
        if not all(isinstance(c, str) for c in also):
            raise ConfigError(f"collect_all(also=...) needs column names, got {show_value(also)}")
        object.__setattr__(self, "also", also)

    @property
    def label(self) -> str:
        return "collect_all"

    def columns(self) -> tuple[str, ...]:
        return self.also

    def keys(self, ctx: RankContext, spec: FieldSpec) -> list[Key]:
        return []


RuleLike = Rule | Callable[[pd.DataFrame, tuple[str, ...]], object]


def _as_rule(rule: object, where: str) -> Rule:
    if isinstance(rule, Rule):
        return rule
    if isinstance(rule, type) and issubclass(rule, Rule):
        raise ConfigError(f"{where}: got the rule class {rule.__name__}; call it, e.g. "
                          f"{rule.__name__}() or use the lower-case factory")
    if callable(rule):
        return UserRule(rule)
    raise ConfigError(f"{where}: {show_value(rule)} is not a survivorship rule; use "
                      "most_recent(), source_priority([...]), most_frequent(), longest(), "
                      "first_valid(), collect_all() or a function")


@dataclass(frozen=True)
class FieldSpec:
    """One field, or a group of fields that always come from the same record.

    ``fields[0]`` is the primary field (collected by :class:`CollectAll`); ``carry`` fields
    (derived keys such as ``email_key``) come along from the same record but do not count
    as holding a value, nor in completeness or agreement. When
    ``complete_from`` names key columns, group fields listed in ``complete`` that the
    winning record lacks are filled from the best other record of the cluster with the same
    key values (the same address: postcode and house number), never from another address.
    """

    name: str
    fields: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    complete_from: tuple[str, ...] = ()
    complete: tuple[str, ...] = ()
    status: dict[str, tuple[str, ...]] = dc_field(default_factory=dict, hash=False)
    carry: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError(f"a survivorship spec needs a name, got {show_value(self.name)}")
        fields = (self.fields,) if isinstance(self.fields, str) else tuple(self.fields)
        if not fields or not all(isinstance(c, str) and c for c in fields):
            raise ConfigError(f"spec {self.name!r} needs one or more field names, got "
                              f"{show_value(self.fields)}")
        if len(set(fields)) != len(fields):
            raise ConfigError(f"spec {self.name!r} lists a field twice: {list(fields)}")
        rules = tuple(_as_rule(r, f"spec {self.name!r}") for r in self.rules)
        collects = [r for r in rules if isinstance(r, CollectAll)]
        if len(collects) > 1:
            raise ConfigError(f"spec {self.name!r} has collect_all() more than once")
        for attr in ("complete_from", "complete", "carry"):
            value = getattr(self, attr)
            value = (value,) if isinstance(value, str) else tuple(value)
            object.__setattr__(self, attr, value)
        if bool(self.complete_from) != bool(self.complete):
            raise ConfigError(f"spec {self.name!r}: give both complete_from (key columns) and "
                              "complete (fields to fill), or neither")
        stray = [c for c in (*self.complete_from, *self.complete, *self.carry)
                 if c not in fields]
        if stray:
            raise ConfigError(f"spec {self.name!r}: complete/complete_from/carry name columns "
                              f"outside the group: {stray}")
        if set(fields) <= set(self.carry):
            raise ConfigError(f"spec {self.name!r}: every field is carried; at least one "
                              "field must hold the value")
        object.__setattr__(self, "fields", fields)
        object.__setattr__(self, "rules", rules)

    @property
    def value_fields(self) -> tuple[str, ...]:
        """Fields that hold the value (not carried along, like derived match keys)."""
        return tuple(c for c in self.fields if c not in self.carry)

    @property
    def collect(self) -> CollectAll | None:
        """The spec's :class:`CollectAll` rule, if any."""
        return next((r for r in self.rules if isinstance(r, CollectAll)), None)

    @property
    def selects(self) -> bool:
        """False when the spec only collects lists (no single surviving value)."""
        return not (self.collect is not None and len(self.rules) == 1)

    @property
    def collect_name(self) -> str:
        """Golden column of the collected list."""
        collect = self.collect
        return (collect.name if collect and collect.name else f"{self.name}s")

    def status_of(self, column: str) -> tuple[str, ...]:
        """Status columns that judge ``column`` in this spec."""
        return self.status.get(column, FIELD_STATUS.get(column, ()))

    def required_columns(self) -> tuple[str, ...]:
        """Every record column the spec reads (fields and rule columns)."""
        cols = [*self.fields]
        for r in self.rules:
            cols.extend(r.columns())
        return tuple(dict.fromkeys(cols))


@dataclass(frozen=True)
class ConsentSpec:
    """Marketing consent for one purpose/channel column (``consent_email``, ...).

    The most recent explicit statement (non-null, by ``at``) survives, with its source and
    time; on equal times an opt-out wins (with ``at=None`` all times are equal, so any
    opt-out wins); with ``strict`` any opt-out in the cluster wins; a statement without a
    time ranks as the oldest.
    With no statement the golden value is ``False`` (rule ``no_statement``): missing is never
    consent. With ``bind_to`` (e.g. ``"email"``) an opt-in survives only when the stating
    record holds no value in that column or the same value as the golden record: opting in
    with address X does not allow mailing address Y (rule ``opt_in_other_value``).
    """

    column: str
    at: str | None = "updated_at"
    bind_to: str | None = None
    strict: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column:
            raise ConfigError(f"consent() needs a column name, got {show_value(self.column)}")
        for attr in ("at", "bind_to"):
            value = getattr(self, attr)
            if value is not None and (not isinstance(value, str) or not value):
                raise ConfigError(f"consent({attr}=...) needs a column name or None, got "
                                  f"{show_value(value)}")

    @property
    def name(self) -> str:
        """Spec name (the consent column)."""
        return self.column

    def required_columns(self) -> tuple[str, ...]:
        """Record columns the consent rule reads."""
        return tuple(c for c in (self.column, self.at, self.bind_to) if c)


Spec = FieldSpec | ConsentSpec


def source_priority(order: Sequence[str]) -> SourcePriority:
    """Prefer sources in this order, e.g. ``source_priority(["finance", "crm"])``.

    Example:
        >>> source_priority(["finance", "crm"]).order
        ('finance', 'crm')
    """
    return SourcePriority(tuple(order) if not isinstance(order, str) else order)  # type: ignore[arg-type]


def most_recent(column: str = "updated_at") -> MostRecent:
    """Prefer the most recently updated record (``column``: a timestamp column).

    Example:
        >>> most_recent().label
        'most_recent(updated_at)'
    """
    return MostRecent(column)


def most_frequent() -> MostFrequent:
    """Prefer the value most records of the cluster agree on.

    Example:
        >>> most_frequent().label
        'most_frequent'
    """
    return MostFrequent()


def longest() -> Longest:
    """Prefer the longest value (``Johannes`` over ``Jan``).

    Example:
        >>> longest().label
        'longest'
    """
    return Longest()


def first_valid() -> FirstValid:
    """Take the first usable value, in record-id order.

    Example:
        >>> first_valid().label
        'first_valid'
    """
    return FirstValid()


def most_complete(only: Sequence[str] = ()) -> MostComplete:
    """Prefer the record with the most usable fields of the group (or of ``only``).

    Example:
        >>> most_complete().label
        'most_complete'
    """
    return MostComplete(tuple(only))


def spelled_out() -> SpelledOut:
    """Prefer spelled-out names (``Jan`` over ``J.``, ``van der`` over ``v.d.``).

    Example:
        >>> spelled_out().label
        'spelled_out'
    """
    return SpelledOut()


def required(*alternatives: str | Sequence[str]) -> Required:
    """Prefer records holding all columns of one of the alternatives.

    Example:
        >>> required(("postcode", "house_number"), "po_box").alternatives
        (('postcode', 'house_number'), ('po_box',))
    """
    return Required(tuple(alternatives))  # type: ignore[arg-type]


def collect_all(name: str | None = None, *, also: Sequence[str] = ()) -> CollectAll:
    """Keep every distinct usable value as a list in golden column ``name``.

    Example:
        >>> collect_all(also=["phone_2"]).also
        ('phone_2',)
    """
    return CollectAll(name, tuple(also) if not isinstance(also, str) else also)  # type: ignore[arg-type]


def custom(func: Callable[[pd.DataFrame, tuple[str, ...]], object], *,
           name: str | None = None, descending: bool = False) -> UserRule:
    """A user rule: ``func(records, fields)`` returns one sort key per record.

    Example:
        >>> rule = custom(lambda recs, fields: recs["source"] == "finance", name="finance",
        ...               descending=True)
        >>> rule.label
        'finance'
    """
    return UserRule(func, name, descending)


def field(name: str, *rules: RuleLike, carry: Sequence[str] = (),
          status: Sequence[str] | None = None) -> FieldSpec:
    """Survive one field by a chain of rules; ``carry`` columns come along from the same
    record (``email_key`` with ``email``); ``status`` overrides its status columns.

    Example:
        >>> field("phone", most_recent(), carry=["phone_kind"]).fields
        ('phone', 'phone_kind')
    """
    fields = (name, *carry)
    mapping = {c: tuple(status) for c in fields} if status is not None else {}
    return FieldSpec(name, fields, tuple(_as_rule(r, f"field {name!r}") for r in rules),
                     status=mapping, carry=tuple(carry))


def group(name: str, fields: Sequence[str], *rules: RuleLike,
          complete_from: Sequence[str] = (), complete: Sequence[str] = (),
          carry: Sequence[str] = (),
          status: dict[str, tuple[str, ...]] | None = None) -> FieldSpec:
    """Survive several fields together: all come from the one record the rules pick
    (``carry``: fields in ``fields`` that only come along, see :class:`FieldSpec`).

    Example:
        >>> group("name", ["first_name", "surname"], spelled_out(), most_recent()).name
        'name'
    """
    return FieldSpec(name, tuple(fields), tuple(_as_rule(r, f"group {name!r}") for r in rules),
                     tuple(complete_from), tuple(complete), dict(status or {}), tuple(carry))


def consent(column: str, *, at: str | None = "updated_at", bind_to: str | None = None,
            strict: bool = False) -> ConsentSpec:
    """Consent for one purpose column (see :class:`ConsentSpec`).

    Example:
        >>> consent("consent_email", bind_to="email").at
        'updated_at'
    """
    return ConsentSpec(column, at, bind_to, strict)
