"""Conditional evidence: comparisons whose weight depends on another comparison's level.

Fellegi-Sunter adds the evidence of each comparison as if they were independent. In Dutch
customer data they are not: people at one address (a household) share a surname, a
landline and often an e-mail address, and now and then a birth date (twins). Counted
independently, a shared address, surname and landline add some 38 bits, and a different
first name (-4 bits) cannot stop a merge of two family members. A :class:`Conditional`
declares that, given the address agrees, the surname, phone, e-mail and birth date
comparisons use their own m and u, estimated by EM on the pairs of the condition's blocking
rule (same postcode + house number): there, agreeing on the surname, the landline or even
the birth date is common among non-matches and weighs little, and first name, gender and a
personal mobile number decide.

A shared landline is household evidence too (dutch.md: a landline is shared by a
household): where the address is missing or differs, surname and family e-mail get household
weights given the landline. And an e-mail address is usually made of the person's name
(``jan.jansen@ziggo.nl``): given the surnames agree, the same mailbox name at another
provider is what namesakes have too, and only the exact address still counts. These two
re-estimate u only (``estimate_m=False``): a shared landline or surname says little about
how often one person's e-mail addresses agree, and EM in their blocks is easily misled.

Conditionals are tried in order; a comparison takes its weights from the first one that
holds for the pair.

Example:
    >>> [cond.name for cond in default_conditionals()]  # doctest: +NORMALIZE_WHITESPACE
    ['address=exact/same_street_number -> surname, phone, email, birth_date',
     'phone=shared_landline -> surname, email', 'surname=exact -> email']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from custmatch.block import BlockingRule, any_of, block_on
from custmatch.errors import ConfigError

__all__ = ["Conditional", "default_conditionals"]


@dataclass(frozen=True)
class Conditional:
    """When comparison ``given`` is on one of ``levels``, ``comparisons`` use their own m and
    u, trained on the pairs of ``rule`` that satisfy the condition.

    Attributes:
        given: name of the conditioning comparison (e.g. ``"address"``).
        levels: its levels (labels) on which the condition holds.
        comparisons: names of the comparisons with conditional m and u.
        rule: blocking rule whose pairs train the conditional probabilities.
        estimate_m: re-estimate m as well as u under the condition (False: keep the
            unconditional m; for conditions that tell nothing about matches).
    """

    given: str
    levels: tuple[str, ...]
    comparisons: tuple[str, ...]
    rule: BlockingRule
    estimate_m: bool = True

    def __post_init__(self) -> None:
        if not self.levels or not self.comparisons:
            raise ConfigError("a conditional needs levels and comparisons")
        if self.given in self.comparisons:
            raise ConfigError(f"{self.given!r} cannot be conditional on itself")

    @property
    def name(self) -> str:
        return f"{self.given}={'/'.join(self.levels)} -> {', '.join(self.comparisons)}"

    def to_dict(self) -> dict[str, Any]:
        from custmatch.serialize import rule_to_dict

        return {"given": self.given, "levels": list(self.levels),
                "comparisons": list(self.comparisons), "rule": rule_to_dict(self.rule),
                "estimate_m": self.estimate_m}

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Conditional:
        from custmatch.serialize import rule_from_dict

        return cls(str(spec["given"]), tuple(spec["levels"]), tuple(spec["comparisons"]),
                   rule_from_dict(spec["rule"]), bool(spec.get("estimate_m", True)))


def default_conditionals() -> list[Conditional]:
    """Given the same address (postcode + number + addition, or street + number + place
    when the postcode is missing; not neighbours with another addition in the same building,
    who rarely share a surname or a line), surname, phone, e-mail and birth date are
    household evidence and get their own, weaker weights; so are surname and e-mail given a
    shared landline (a household line, where the address is missing or differs); and given
    the same surname, so is an e-mail address (the last two re-estimate u only)."""
    surname = any_of("surname_phonetic", "partner_surname_phonetic", name="surname_phonetic*")
    return [
        Conditional("address", ("exact", "same_street_number"),
                    ("surname", "phone", "email", "birth_date"),
                    block_on("postcode", "house_number")),
        Conditional("phone", ("shared_landline",), ("surname", "email"), block_on("phone"),
                    estimate_m=False),
        Conditional("surname", ("exact",), ("email",), block_on(surname, "first_name"),
                    estimate_m=False),
    ]
