"""Deterministic rules beside the score: must-link and cannot-link.

A **must-link** rule says two records are the same customer whenever they agree on every key
(e.g. the same CRM number in a cross-reference column, or the same e-mail key and birth
date). It is declared like a blocking rule, and its pairs are always candidates.

A **cannot-link** rule says two records are never the same customer. It is either a key on
which both records have a value and differ (``cannot_link("kvk_number")``: two different
Chamber of Commerce numbers are two organisations) or a comparison level
(``cannot_link_on(BirthDate(), levels=("else",))``: both birth dates known, years apart and
not explained by a typo). Cannot-link always wins over the score and over must-link.

A cannot-link rule may name exceptions: comparison levels that, where a pair reaches them,
stop the rule (``unless={DamerauLevenshtein("id_number", ...): ("exact",)}``: two birth
dates years apart do not
separate records with the same passport or ID number; one of the dates is wrong). An
exception on a comparison the model does not have never applies.

Example:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"email_key": ["a@x.nl", "a@x.nl", "b@x.nl"],
    ...                    "kvk": ["123", "456", None]})
    >>> must_link("email_key").holds(df, [0, 0], [1, 2]).tolist()
    [True, False]
    >>> cannot_link("kvk").holds(df, [0, 0], [1, 2]).tolist()
    [True, False]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from custmatch.block import AnyOf, BlockOn, Key, _as_key, block_on
from custmatch.compare.engine import Comparison, compare
from custmatch.errors import ConfigError

__all__ = ["CannotLink", "MustLink", "cannot_link", "cannot_link_on", "must_link"]


def level_mask(comparison: Comparison, labels: Sequence[str]) -> NDArray[np.bool_]:
    """True at the named levels of ``comparison``, indexed by ``level + 1`` (row 0: null).

    Example:
        >>> from custmatch.compare import Exact
        >>> level_mask(Exact("postcode"), ["exact"]).tolist()
        [False, False, True]
    """
    mask = np.zeros(comparison.n_levels + 1, dtype=bool)
    mask[[comparison.labels.index(label) + 1 for label in labels]] = True
    return mask


def _at_levels(comparison: Comparison, labels: Sequence[str], column: ArrayLike
               ) -> NDArray[np.bool_]:
    """Which entries of a level column are at one of the named levels."""
    return level_mask(comparison, labels)[np.asarray(column).astype(np.intp) + 1]


def _check_keys(keys: tuple[Key, ...], what: str) -> None:
    if not keys:
        raise ConfigError(f"{what} needs at least one key")
    for key in keys:
        if isinstance(key, AnyOf):
            raise ConfigError(f"{what} compares one value per record; {key.name} has several")


@dataclass(frozen=True)
class MustLink:
    """Records that agree on every key (all non-null) are the same customer."""

    keys: tuple[Key, ...]
    label: str | None = None

    def __post_init__(self) -> None:
        _check_keys(self.keys, "must_link")

    @property
    def name(self) -> str:
        return self.label or f"must_link({', '.join(k.name for k in self.keys)})"

    def blocking_rule(self) -> BlockOn:
        """The blocking rule that yields every pair this rule links."""
        return block_on(*self.keys, name=self.name)

    def holds(self, frame: pd.DataFrame, left: ArrayLike, right: ArrayLike,
              levels: Mapping[str, NDArray[np.int8]] | None = None) -> NDArray[np.bool_]:
        """Whether the rule links each pair ``(left[i], right[i])`` of row positions."""
        lpos, rpos = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
        out = np.ones(len(lpos), dtype=bool)
        for key in self.keys:
            codes = key.codes(frame)
            out &= (codes[lpos] >= 0) & (codes[lpos] == codes[rpos])
        return out


@dataclass(frozen=True)
class CannotLink:
    """Records that conflict on a key or land on a comparison level are never linked."""

    keys: tuple[Key, ...] = ()
    comparison: Comparison | None = None
    levels: tuple[str, ...] = ()
    label: str | None = None
    #: exceptions: (comparison, levels) pairs; a pair at one of those levels is not held
    unless: tuple[tuple[Comparison, tuple[str, ...]], ...] = ()

    def __post_init__(self) -> None:
        unless = []
        for item in self.unless:
            if not (isinstance(item, tuple) and len(item) == 2
                    and isinstance(item[0], Comparison)):
                raise ConfigError(f"unless holds (comparison, levels) pairs, got {item!r}")
            comparison, labels = item
            labels = (labels,) if isinstance(labels, str) else tuple(labels)
            unknown = set(labels) - set(comparison.labels)
            if not labels or unknown:
                raise ConfigError(f"unless on {comparison.name} needs levels among "
                                  f"{list(comparison.labels)}, got {list(labels)}")
            unless.append((comparison, labels))
        object.__setattr__(self, "unless", tuple(unless))
        if self.comparison is None:
            _check_keys(self.keys, "cannot_link")
        else:
            unknown = set(self.levels) - set(self.comparison.labels)
            if not self.levels or unknown:
                raise ConfigError(
                    f"cannot_link_on({self.comparison.name}) needs levels among "
                    f"{list(self.comparison.labels)}, got {list(self.levels)}"
                )

    @property
    def name(self) -> str:
        if self.label:
            return self.label
        if self.comparison is not None:
            return f"cannot_link_on({self.comparison.name}: {'/'.join(self.levels)})"
        return f"cannot_link({', '.join(k.name for k in self.keys)})"

    def holds(self, frame: pd.DataFrame, left: ArrayLike, right: ArrayLike,
              levels: Mapping[str, NDArray[np.int8]] | None = None) -> NDArray[np.bool_]:
        """Whether each pair conflicts. ``levels`` may hold already computed level columns
        by comparison name (reused when the rule's comparison is among them)."""
        lpos, rpos = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
        if self.comparison is not None:
            column = None
            if levels is not None and self.comparison.name in levels:
                column = np.asarray(levels[self.comparison.name])
            if column is None:
                column = compare(frame, lpos, rpos, [self.comparison], workers=1).matrix[:, 0]
            out = _at_levels(self.comparison, self.levels, column)
        else:
            out = np.zeros(len(lpos), dtype=bool)
            for key in self.keys:
                codes = key.codes(frame)
                a, b = codes[lpos], codes[rpos]
                out |= (a >= 0) & (b >= 0) & (a != b)
        return out & ~self.excepted(levels, len(lpos))

    def excepted(self, levels: Mapping[str, NDArray[np.int8]] | None, n: int
                 ) -> NDArray[np.bool_]:
        """Pairs an ``unless`` exception frees from the rule, read from the level columns
        the model computed (by comparison name); an exception on a comparison the model
        does not have never applies."""
        out = np.zeros(n, dtype=bool)
        for comparison, labels in self.unless:
            column = None if levels is None else levels.get(comparison.name)
            if column is None:
                continue
            out |= _at_levels(comparison, labels, column)
        return out


def must_link(*keys: str | Key, name: str | None = None) -> MustLink:
    """A must-link rule on keys (column names or blocking keys), declared like ``block_on``.

    Example:
        >>> must_link("email_key", "birth_date").name
        'must_link(email_key, birth_date)'
    """
    return MustLink(tuple(_as_key(k) for k in keys), name)


def cannot_link(*keys: str | Key, name: str | None = None) -> CannotLink:
    """Never link records whose values on a key are both present and differ.

    Example:
        >>> cannot_link("kvk_number").name
        'cannot_link(kvk_number)'
    """
    return CannotLink(tuple(_as_key(k) for k in keys), label=name)


def cannot_link_on(comparison: Comparison, levels: tuple[str, ...] | list[str] = ("else",),
                   *, name: str | None = None,
                   unless: Mapping[Comparison, tuple[str, ...] | list[str]] | None = None
                   ) -> CannotLink:
    """Never link records whose comparison lands on one of ``levels``, except pairs that
    reach one of the ``unless`` levels of another comparison.

    Example:
        >>> from custmatch.compare.person import BirthDate
        >>> cannot_link_on(BirthDate()).name
        'cannot_link_on(birth_date: else)'
    """
    return CannotLink(comparison=comparison, levels=tuple(levels), label=name,
                      unless=tuple((c, tuple(v)) for c, v in (unless or {}).items()))


def rule_to_dict(rule: MustLink | CannotLink) -> dict[str, Any]:
    """A JSON-able description of a must-link or cannot-link rule."""
    from custmatch.serialize import _key_to_list, comparison_to_dict

    if isinstance(rule, MustLink):
        return {"kind": "must_link", "keys": [_key_to_list(k) for k in rule.keys],
                "name": rule.label}
    out: dict[str, Any] = {"kind": "cannot_link", "name": rule.label,
                           "keys": [_key_to_list(k) for k in rule.keys]}
    if rule.comparison is not None:
        out.update(comparison=comparison_to_dict(rule.comparison), levels=list(rule.levels))
    if rule.unless:
        out["unless"] = [{"comparison": comparison_to_dict(c), "levels": list(levels)}
                         for c, levels in rule.unless]
    return out


def rule_from_dict(spec: Mapping[str, Any]) -> MustLink | CannotLink:
    """The rule :func:`rule_to_dict` described."""
    from custmatch.serialize import _key_from_list, comparison_from_dict

    keys = tuple(_key_from_list(list(k)) for k in spec.get("keys", []))
    if spec.get("kind") == "must_link":
        return MustLink(keys, spec.get("name"))
    if spec.get("kind") == "cannot_link":
        unless = tuple((comparison_from_dict(u["comparison"]), tuple(u["levels"]))
                       for u in spec.get("unless", ()))
        if spec.get("comparison"):
            return CannotLink(comparison=comparison_from_dict(spec["comparison"]),
                              levels=tuple(spec.get("levels", ())), label=spec.get("name"),
                              unless=unless)
        return CannotLink(keys, label=spec.get("name"), unless=unless)
    raise ConfigError(f"unknown link rule description {dict(spec)!r}")
