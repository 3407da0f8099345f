"""Default survivorship rules for the canonical columns of ``normalize_frame``.

Chosen for Dutch CRM, service, finance and webshop data:

* **name** (title, names, partner names and their keys) as one group: a record with a
  surname first, then spelled-out names (``Jan`` over ``J.``, ``van der`` over ``v.d.``,
  dutch.md 1.1), then the most complete, then the most recent;
* **organisation** with its legal form: the most frequent, then the most recent;
* **address** as one group: a deliverable address first (postcode and house number, street,
  number and city, or a PO box), then the most recent (movers), then the most complete;
  street and city missing from the winner are filled from a record of the cluster with the
  same postcode and house number (the same address, never another one);
* **phone**, **email**: the most recent usable value, plus every usable value as a list
  (``phones`` also takes ``phone_2``, ``emails``);
* **birth_date**, **gender**: the most frequent usable value, then the most recent;
* **customer_number**: every number, as the list ``customer_numbers``;
* every ``consent_*`` column: the most recent explicit statement (see
  :class:`~custmatch.survive.rules.ConsentSpec`); ``consent_email`` opt-ins are bound to the
  golden ``email`` and ``consent_phone`` opt-ins to the golden ``phone``.

Columns missing from the records are left out of the defaults (a rule whose column is
missing is dropped); explicit specs are strict and raise ``SchemaError`` instead.

Example:
    >>> [s.name for s in default_rules()][:4]
    ['name', 'organisation', 'address', 'phone']
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

from custmatch.errors import CustmatchWarning
from custmatch.survive.rules import (
    CollectAll,
    ConsentSpec,
    FieldSpec,
    Required,
    Rule,
    Spec,
    collect_all,
    consent,
    field,
    group,
    most_complete,
    most_frequent,
    most_recent,
    required,
    spelled_out,
)

__all__ = ["default_rules"]

NAME_FIELDS = ("title", "first_name", "initials", "prefix", "surname", "partner_prefix",
               "partner_surname", "surname_key", "surname_phonetic", "partner_surname_key",
               "partner_surname_phonetic")
NAME_KEYS = ("surname_key", "surname_phonetic", "partner_surname_key", "partner_surname_phonetic")
ADDRESS_FIELDS = ("street", "house_number", "house_number_addition", "postcode", "city",
                  "country", "po_box", "street_key", "city_key")
ADDRESS_KEYS = ("street_key", "city_key")
_CONSENT_CHANNEL = {"consent_email": "email", "consent_phone": "phone"}


def _all_defaults() -> list[Spec]:
    return [
        group("name", NAME_FIELDS, required("surname"), spelled_out(), most_complete(),
              most_recent(), carry=NAME_KEYS),
        group("organisation", ("organisation", "legal_form"), most_frequent(), most_recent(),
              carry=("legal_form",)),
        group("address", ADDRESS_FIELDS,
              required(("postcode", "house_number"), ("street", "house_number", "city"),
                       ("po_box", "postcode")),
              most_recent(), most_complete(),
              complete_from=("postcode", "house_number"),
              complete=("street", "street_key", "city", "city_key", "country"),
              carry=ADDRESS_KEYS),
        field("phone", most_recent(), collect_all(also=["phone_2"]), carry=["phone_kind"]),
        field("email", most_recent(), collect_all(), carry=["email_key", "email_role"]),
        field("birth_date", most_frequent(), most_recent(), carry=["birth_year"]),
        field("gender", most_frequent(), most_recent()),
        field("customer_number", collect_all()),
    ]


def _fit_rule(rule: Rule, columns: set[str]) -> Rule | None:
    if isinstance(rule, Required):
        alts = tuple(a for a in rule.alternatives if set(a) <= columns)
        return Required(alts) if alts else None
    if isinstance(rule, CollectAll):
        return CollectAll(rule.name, tuple(c for c in rule.also if c in columns))
    return rule if set(rule.columns()) <= columns else None


def _fit(spec: FieldSpec, columns: set[str]) -> FieldSpec | None:
    fields = tuple(c for c in spec.fields if c in columns)
    carry = tuple(c for c in spec.carry if c in columns)
    if set(fields) <= set(carry) or (spec.collect is not None and spec.fields[0] not in columns):
        return None
    rules = tuple(r for r in (_fit_rule(r, columns) for r in spec.rules) if r is not None)
    keys = tuple(c for c in spec.complete_from if c in columns)
    fill = tuple(c for c in spec.complete if c in columns)
    if keys != spec.complete_from or not fill:
        keys, fill = (), ()
    return replace(spec, fields=fields, rules=rules, complete_from=keys, complete=fill,
                   carry=carry)


def _holds_booleans(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values.dtype):
        return True
    present = values.dropna()
    return bool(present.map(lambda v: isinstance(v, (bool, np.bool_))).all())


def default_rules(records: pd.DataFrame | None = None) -> tuple[Spec, ...]:
    """The default specs; with ``records``, fitted to the columns it has.

    ``consent_*`` columns get a consent spec only when ``records`` is given (any column
    named ``consent_<purpose>`` that holds booleans: True/False/missing); without records,
    ``consent_email`` and ``consent_phone``. A ``consent_*`` column of text ("ja"/"nee")
    is left out with a warning: declare it with :func:`consent` after parsing it
    (:func:`custmatch.normalize.consent_column`), since a guess about consent is no consent.

    Example:
        >>> recs = pd.DataFrame({"record_id": ["a"], "source": ["crm"], "email": ["x@y.nl"],
        ...                      "consent_sms": [True]})
        >>> [s.name for s in default_rules(recs)]
        ['email', 'consent_sms']
    """
    specs: list[Spec] = _all_defaults()
    if records is None:
        return (*specs, *(consent(c, bind_to=b) for c, b in _CONSENT_CHANNEL.items()))
    columns = {str(c) for c in records.columns}
    fitted: list[Spec] = []
    for spec in specs:
        if isinstance(spec, FieldSpec):
            got = _fit(spec, columns)
            if got is not None:
                fitted.append(got)
    selected = {s.fields[0] for s in fitted if isinstance(s, FieldSpec) and s.selects}
    at = "updated_at" if "updated_at" in columns else None
    for c in sorted(c for c in columns if c.startswith("consent_")):
        if not _holds_booleans(records[c]):
            warnings.warn(f"column {c!r} does not hold True/False values; it gets no default "
                          "consent rule (parse it with custmatch.normalize.consent_column and "
                          "declare consent(...))", CustmatchWarning, stacklevel=2)
            continue
        bind = _CONSENT_CHANNEL.get(c)
        fitted.append(ConsentSpec(c, at, bind if bind in selected else None))
    return tuple(fitted)
