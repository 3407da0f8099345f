"""Conditional evidence: comparisons whose weight depends on another comparison's level.

Fellegi-Sunter adds the evidence of each comparison as if they were independent. In Dutch
customer data they are not: people at one address (a household) share a surname, a
landline and often an e-mail address. Counted independently, a shared address, surname and
landline add some 38 bits, and a different first name (-4 bits) cannot stop a merge of
two family members. A :class:`Conditional` declares that, given the address agrees, the
surname, phone and e-mail comparisons use their own m and u, estimated by EM on the pairs
of the condition's blocking rule (same postcode + house number): there, agreeing on the
surname or the landline is common among non-matches and weighs little, and first name and
birth date decide.

Example:
    >>> cond = default_conditionals()[0]
    >>> cond.name
    'address=exact/other_addition -> surname, phone, email'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from custmatch.block import BlockingRule, block_on
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
    """

    given: str
    levels: tuple[str, ...]
    comparisons: tuple[str, ...]
    rule: BlockingRule

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
                "comparisons": list(self.comparisons), "rule": rule_to_dict(self.rule)}

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Conditional:
        from custmatch.serialize import rule_from_dict

        return cls(str(spec["given"]), tuple(spec["levels"]), tuple(spec["comparisons"]),
                   rule_from_dict(spec["rule"]))


def default_conditionals() -> list[Conditional]:
    """Given the same address (postcode + number), surname, phone and e-mail are household
    evidence and get their own, weaker weights."""
    return [Conditional("address", ("exact", "other_addition"), ("surname", "phone", "email"),
                        block_on("postcode", "house_number"))]
