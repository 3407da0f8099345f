"""The Fellegi-Sunter match model: m/u per comparison level, a prior, and scores.

``m`` is the probability of a level among true matches, ``u`` among non-matches; a pair's
match weight is ``log2(prior odds) + sum(log2(m/u))`` over its comparisons (null levels add
nothing), plus term-frequency adjustments; its probability is the logistic of the weight.

Training without labels, the way Splink does it, but on unique comparison patterns:

1. :meth:`MatchModel.estimate_u`: u from random record pairs (almost all non-matches);
2. :meth:`MatchModel.estimate_m`: EM on the pairs of each training blocking rule, with the
   comparisons that rule blocks on held fixed, m averaged over the rules (EM also fits how
   the non-matches inside each block agree: they are not random pairs);
3. :meth:`MatchModel.estimate_prior`: the share of matches among candidate pairs (EM with m
   and u fixed), scaled to all record pairs; or
   :meth:`MatchModel.estimate_prior_from_rules` from deterministic rules and their recall.

Example:
    >>> from custmatch.datasets import load_example
    >>> from custmatch.normalize import normalize_frame
    >>> records = normalize_frame(load_example()[0])
    >>> model = MatchModel().fit(records)
    >>> scored = model.predict(records, threshold=0.9)
    >>> bool(scored["match_probability"].min() >= 0.9)
    True
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from custmatch.block import (
    BlockingRule,
    Pairs,
    _positional,
    dedupe,
    default_rules,
    link_stacked,
    stack_frames,
)
from custmatch.compare.engine import Comparison, Levels, compare, reuse_encodings
from custmatch.errors import ConfigError, CustmatchWarning, InputError, ModelError
from custmatch.model.conditional import Conditional, default_conditionals
from custmatch.model.defaults import (
    default_cannot_link,
    default_comparisons,
    default_must_link,
    default_term_frequencies,
    default_training_rules,
)
from custmatch.model.em import (
    MIN_PROBABILITY,
    expectation_maximisation,
    pattern_counts,
)
from custmatch.model.rules import CannotLink, MustLink, level_mask
from custmatch.model.rules import rule_from_dict as link_rule_from_dict
from custmatch.model.rules import rule_to_dict as link_rule_to_dict
from custmatch.model.tf import TermFrequency

__all__ = ["FORMAT_VERSION", "MatchModel", "PairScores", "TrainingRun", "probability_from_weight"]

#: Version of the saved-model JSON layout.
FORMAT_VERSION = 1

#: Pairs scored at a time (bounds the per-comparison weight arrays).
_SCORE_CHUNK = 2_000_000

Records = pd.DataFrame | Mapping[str, pd.DataFrame] | Sequence[pd.DataFrame]


def probability_from_weight(weight: ArrayLike) -> NDArray[np.float64]:
    """Match probability from a match weight (log2 odds), without overflow.

    Example:
        >>> probability_from_weight([0.0, 10.0, -2000.0]).round(4).tolist()
        [0.5, 0.999, 0.0]
    """
    w = np.clip(np.asarray(weight, dtype=np.float64), -1000, 1000)
    return 0.5 * (1.0 + np.tanh(w * (math.log(2) / 2)))


def _weight_from_probability(p: float) -> float:
    p = min(max(p, 1e-300), 1 - 1e-16)
    return math.log2(p) - math.log2(1 - p)


@dataclass(frozen=True)
class TrainingRun:
    """One EM run of :meth:`MatchModel.estimate_m`: rule, pairs, patterns, fixed
    comparisons, iterations, convergence and the prior inside the rule's blocks."""

    rule: str
    pairs: int
    patterns: int
    fixed: tuple[str, ...]
    iterations: int
    converged: bool
    prior_in_blocks: float


@dataclass(frozen=True)
class PairScores:
    """Scores of pairs, one aligned array each (:meth:`MatchModel.score_levels`).

    ``match_weight`` (bits, prior included), ``match_probability`` (1 where a must-link
    rule decided, 0 where a cannot-link rule did), ``evidence_weight`` (the weight without
    the prior), ``must_link`` / ``cannot_link`` (a rule decided), ``must_rule`` /
    ``cannot_rule`` (1-based number of the deciding rule in the model's list, 0: none).
    """

    match_weight: NDArray[np.float64]
    match_probability: NDArray[np.float64]
    evidence_weight: NDArray[np.float64]
    must_link: NDArray[np.bool_]
    cannot_link: NDArray[np.bool_]
    must_rule: NDArray[np.int16]
    cannot_rule: NDArray[np.int16]

    def __len__(self) -> int:
        return len(self.match_weight)

    @classmethod
    def empty(cls) -> PairScores:
        """No pairs."""
        floats, flags, rules = np.zeros(0), np.zeros(0, dtype=bool), np.zeros(0, np.int16)
        return cls(floats, floats, floats, flags, flags, rules, rules)


def _stack(records: Records) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """The records as one frame and where each input frame starts (link mode)."""
    if isinstance(records, pd.DataFrame):
        return _positional(records), (0,)
    frames = list(records.values()) if isinstance(records, Mapping) else list(records)
    if not frames or not all(isinstance(f, pd.DataFrame) for f in frames):
        raise InputError("records must be a DataFrame, or a list/dict of DataFrames to link")
    if len(frames) == 1:
        return _positional(frames[0]), (0,)
    return stack_frames(frames)


def _record_ids(frame: pd.DataFrame) -> NDArray[np.object_]:
    if "record_id" in frame.columns:
        return frame["record_id"].astype(str).to_numpy(dtype=object)
    return np.array([str(i) for i in range(len(frame))], dtype=object)


def _rule_columns(rule: BlockingRule | MustLink) -> set[str]:
    keys = getattr(rule, "keys", None)
    if keys is None:
        keys = (rule.key,)  # type: ignore[attr-defined]
    columns: set[str] = set()
    for key in keys:
        columns.add(key.column)
        columns.update(getattr(key, "others", ()))
    return columns


def _starting_m(n_levels: int) -> NDArray[np.float64]:
    """Starting m: 5% disagreement, the rest rising towards the strongest level."""
    if n_levels == 1:
        return np.ones(1)
    agree = 2.0 ** np.arange(n_levels - 1)
    return np.r_[0.05, 0.95 * agree / agree.sum()]


class MatchModel:
    """A Fellegi-Sunter model over comparisons, with deterministic rules and term
    frequencies (see the module docstring for training).

    Args:
        comparisons: default :func:`~custmatch.model.defaults.default_comparisons`.
        blocking_rules: candidate-pair rules for :meth:`predict` (default
            :func:`custmatch.block.default_rules`).
        must_link, cannot_link: deterministic rules (default: none / birth dates apart).
        term_frequencies: adjustments (default first name, surname, street + city).
        prior: probability that two random records match (set by training).
        max_block_size: block-size cap for candidate pairs.

    Attributes:
        m, u: per comparison name, probabilities per non-null level (level 0 = else).
        training: the EM runs of the last :meth:`estimate_m`.
    """

    def __init__(
        self,
        comparisons: Sequence[Comparison] | None = None,
        blocking_rules: Sequence[BlockingRule] | None = None,
        *,
        must_link: Sequence[MustLink] | None = None,
        cannot_link: Sequence[CannotLink] | None = None,
        term_frequencies: Sequence[TermFrequency] | None = None,
        conditionals: Sequence[Conditional] | None = None,
        prior: float | None = None,
        max_block_size: int = 1000,
    ) -> None:
        self.comparisons = list(default_comparisons() if comparisons is None else comparisons)
        if not self.comparisons:
            raise ConfigError("a match model needs at least one comparison")
        names = [c.name for c in self.comparisons]
        if len(set(names)) != len(names):
            raise ConfigError(f"comparison names must be unique, got {names}")
        self.blocking_rules = list(default_rules() if blocking_rules is None
                                   else blocking_rules)
        names_given = set(names)
        self.must_link = list(default_must_link() if must_link is None else must_link)
        # defaults that need a comparison apply only when the model has it
        self.cannot_link = list(cannot_link) if cannot_link is not None else [
            r for r in default_cannot_link()
            if r.comparison is None or r.comparison.name in names_given]
        self.term_frequencies = list(term_frequencies) if term_frequencies is not None else [
            t for t in default_term_frequencies() if t.comparison in names_given]
        by_name = {c.name: c for c in self.comparisons}
        for tf in self.term_frequencies:
            if tf.comparison not in by_name:
                raise ConfigError(f"term frequency names comparison {tf.comparison!r}, "
                                  f"not among {names}")
            unknown = set(tf.levels) - set(by_name[tf.comparison].labels)
            if unknown:
                raise ConfigError(f"term frequency for {tf.comparison!r} names unknown "
                                  f"level(s) {sorted(unknown)}")
        self.conditionals = list(conditionals) if conditionals is not None else [
            c for c in default_conditionals() if {c.given, *c.comparisons} <= names_given]
        for cond in self.conditionals:
            unknown = {cond.given, *cond.comparisons} - set(by_name)
            if unknown:
                raise ConfigError(f"conditional {cond.name!r} names unknown comparison(s) "
                                  f"{sorted(unknown)}")
            bad = set(cond.levels) - set(by_name[cond.given].labels)
            if bad:
                raise ConfigError(f"conditional {cond.name!r} names unknown level(s) "
                                  f"{sorted(bad)} of {cond.given!r}")
        #: per conditional (by position) and comparison name: conditional m and u
        self.conditional_m: list[dict[str, NDArray[np.float64]]] = [{} for _ in
                                                                     self.conditionals]
        self.conditional_u: list[dict[str, NDArray[np.float64]]] = [{} for _ in
                                                                     self.conditionals]
        self.max_block_size = max_block_size
        self.m: dict[str, NDArray[np.float64]] = {
            c.name: _starting_m(c.n_levels) for c in self.comparisons}
        self.u: dict[str, NDArray[np.float64]] = {
            c.name: np.full(c.n_levels, 1.0 / c.n_levels) for c in self.comparisons}
        self.prior = 1e-4 if prior is None else float(prior)
        self._check_prior(self.prior)
        self.training: list[TrainingRun] = []
        self.trained: dict[str, bool] = {"u": False, "m": False, "prior": prior is not None,
                                         "conditionals": False}

    # ------------------------------------------------------------------ basics
    def __repr__(self) -> str:
        return (f"MatchModel({len(self.comparisons)} comparisons, prior={self.prior:.3g}, "
                f"trained={[k for k, v in self.trained.items() if v]})")

    @staticmethod
    def _check_prior(prior: float) -> None:
        if not (0.0 < prior < 1.0) or not math.isfinite(prior):
            raise ConfigError(f"prior must be in (0, 1), got {prior!r}")

    @property
    def comparison_names(self) -> list[str]:
        return [c.name for c in self.comparisons]

    def weights(self) -> pd.DataFrame:
        """Per comparison level: label, m, u, Bayes factor and weight (log2 m/u)."""
        rows = []
        for c in self.comparisons:
            m, u = self.m[c.name], self.u[c.name]
            rows.append({"comparison": c.name, "level": -1, "label": "null", "m": np.nan,
                         "u": np.nan, "bayes_factor": 1.0, "weight": 0.0})
            for level, label in enumerate(c.labels):
                rows.append({"comparison": c.name, "level": level, "label": label,
                             "m": float(m[level]), "u": float(u[level]),
                             "bayes_factor": float(m[level] / u[level]),
                             "weight": float(np.log2(m[level]) - np.log2(u[level]))})
        return pd.DataFrame(rows)

    def _weight_tables(self) -> list[NDArray[np.float64]]:
        return [np.r_[0.0, np.log2(self.m[c.name]) - np.log2(self.u[c.name])]
                for c in self.comparisons]

    @property
    def prior_weight(self) -> float:
        """``log2(prior / (1 - prior))``: the weight of a pair before any evidence."""
        return _weight_from_probability(self.prior)

    # ------------------------------------------------------------------ pairs
    def candidate_pairs(self, records: Records) -> Pairs:
        """Candidate pairs: the union of the blocking rules and the must-link rules."""
        frame, offsets = _stack(records)
        rules = [*self.blocking_rules, *(r.blocking_rule() for r in self.must_link)]
        if not rules:
            raise ConfigError("the model has no blocking rules to make candidate pairs with")
        return self._rule_pairs(frame, offsets, rules)

    def compare(self, records: Records, pairs: Pairs | ArrayLike | pd.DataFrame) -> Levels:
        """Comparison levels of ``pairs`` (a :class:`Pairs`, a frame with ``left``/``right``
        row positions, or a ``(left, right)`` tuple)."""
        frame, _ = _stack(records)
        left, right = _positions(pairs)
        return compare(frame, left, right, self.comparisons)

    # ------------------------------------------------------------------ training
    def estimate_u(self, records: Records, *, max_pairs: int = 1_000_000,
                   seed: int = 0) -> MatchModel:
        """u probabilities from ``max_pairs`` random record pairs (deterministic per seed).

        Random pairs are almost all non-matches, so the share of each level among them is
        u. A pseudo-count of one per level keeps unseen levels above zero.
        """
        frame, offsets = _stack(records)
        left, right = _random_pairs(len(frame), offsets, max_pairs, seed)
        if len(left) == 0:
            raise InputError("estimate_u needs at least two records "
                             "(two non-empty frames to link)")
        levels = compare(frame, left, right, self.comparisons).matrix
        for j, c in enumerate(self.comparisons):
            column = levels[:, j]
            counts = np.bincount(column[column >= 0].astype(np.int64),
                                 minlength=c.n_levels)[: c.n_levels]
            self.u[c.name] = (counts + 1.0) / (counts.sum() + c.n_levels)
        self.trained["u"] = True
        return self

    def estimate_m(
        self,
        records: Records,
        training_rules: Sequence[BlockingRule] | None = None,
        *,
        max_iterations: int = 300,
        tolerance: float = 1e-5,
        max_pairs_per_rule: int | None = 20_000_000,
        seed: int = 0,
        block_u: bool = True,
    ) -> MatchModel:
        """m probabilities by EM on the pairs of each training rule (see the module doc).

        Per rule, comparisons that use a column the rule blocks on are held fixed; each
        other comparison's m is the mean of its estimates over the rules that estimated it.
        With ``block_u`` (the default) EM also fits, inside each rule's pairs, how the
        non-matches there agree: the non-matches of a block are not random pairs (those
        sharing an e-mail address are mostly one household, and agree on surname, address
        and landline), and scoring them with the u of random pairs would count them as
        matches. Only m is kept; the model's u stays the one from random pairs.
        Agreement levels whose m falls below u are set to u (weight 0) with a warning:
        agreeing can not be evidence against a match (levels a comparison declares as
        ``disagreement_levels`` may stay below u). Comparisons no rule estimated keep their
        current m, with a warning.
        """
        frame, offsets = _stack(records)
        rules = list(default_training_rules() if training_rules is None else training_rules)
        if not rules:
            raise ConfigError("estimate_m needs at least one training rule")
        if not self.trained["u"]:
            warnings.warn("estimate_m before estimate_u: u is still uniform; "
                          "call estimate_u first", CustmatchWarning, stacklevel=2)
        estimates: dict[str, list[NDArray[np.float64]]] = {c.name: [] for c in self.comparisons}
        seen = {c.name: np.zeros(c.n_levels, dtype=bool) for c in self.comparisons}
        runs: list[TrainingRun] = []
        n_levels = [c.n_levels for c in self.comparisons]
        for rule in rules:
            left, right = _sample_pairs(self._rule_pairs(frame, offsets, rule),
                                        max_pairs_per_rule, seed)
            fixed_columns = _rule_columns(rule)
            fixed = [j for j, c in enumerate(self.comparisons)
                     if set(c.columns) & fixed_columns]
            if len(left) == 0:
                warnings.warn(f"training rule {rule.name} made no pairs; skipped",
                              CustmatchWarning, stacklevel=2)
                continue
            if len(fixed) == len(self.comparisons):
                warnings.warn(f"training rule {rule.name} blocks on every comparison; "
                              "it can estimate nothing and is skipped",
                              CustmatchWarning, stacklevel=2)
                continue
            matrix = compare(frame, left, right, self.comparisons).matrix
            patterns, counts = pattern_counts(matrix, n_levels)
            result = expectation_maximisation(
                patterns, counts,
                [self.m[c.name] for c in self.comparisons],
                [self.u[c.name] for c in self.comparisons],
                prior=0.3, fixed=fixed, max_iterations=max_iterations, tolerance=tolerance,
                estimate_u=block_u)
            if not result.converged:
                warnings.warn(f"EM on {rule.name} did not converge in {result.iterations} "
                              f"iterations (last change {result.max_change:.2g})",
                              CustmatchWarning, stacklevel=2)
            for j, c in enumerate(self.comparisons):
                if j not in fixed:
                    estimates[c.name].append(result.m[j])
                    column = patterns[:, j]
                    seen[c.name] |= np.bincount(column[column >= 0].astype(np.int64),
                                                minlength=c.n_levels)[: c.n_levels] > 0
            runs.append(TrainingRun(rule.name, len(left), len(patterns),
                                    tuple(self.comparisons[j].name for j in fixed),
                                    result.iterations, result.converged, result.prior))
        for c in self.comparisons:
            found = estimates[c.name]
            if not found:
                warnings.warn(f"no training rule estimated m for {c.name!r}; it keeps its "
                              "starting values", CustmatchWarning, stacklevel=2)
                continue
            self.m[c.name] = self._guard_m(c, np.mean(found, axis=0), unseen=~seen[c.name])
        self.training = runs
        self.trained["m"] = bool(runs)
        return self

    def _guard_m(self, comparison: Comparison, m: NDArray[np.float64],
                 u: NDArray[np.float64] | None = None, quiet: bool = False,
                 unseen: NDArray[np.bool_] | None = None) -> NDArray[np.float64]:
        """m with agreement levels below u raised to u (weight 0), with a warning unless
        ``quiet`` or the level never occurred in training (``unseen``: nothing learned,
        e.g. year-only birth dates in data that has none)."""
        m = np.maximum(np.asarray(m, dtype=np.float64), MIN_PROBABILITY)
        u = self.u[comparison.name] if u is None else u
        partial = set(getattr(comparison, "disagreement_levels", ()))
        agreement = np.array([label not in partial for label in comparison.labels[1:]],
                             dtype=bool)
        low = np.flatnonzero((m[1:] < u[1:]) & agreement) + 1
        if unseen is not None and len(low):
            silent = low[np.asarray(unseen, dtype=bool)[low]]
            m[silent] = u[silent]
            low = low[~np.asarray(unseen, dtype=bool)[low]]
        if len(low) and quiet:
            m[low] = u[low]
        elif len(low):
            labels = [comparison.labels[k] for k in low]
            warnings.warn(f"{comparison.name}: m < u on agreement level(s) {labels}; "
                          "set to u (weight 0)", CustmatchWarning, stacklevel=3)
            m[low] = u[low]
        return m / m.sum()

    def _rule_pairs(self, frame: pd.DataFrame, offsets: tuple[int, ...],
                    rules: BlockingRule | Sequence[BlockingRule]) -> Pairs:
        listed = [rules] if isinstance(rules, BlockingRule) else list(rules)
        if len(offsets) == 1:
            return dedupe(frame, listed, max_block_size=self.max_block_size)
        return link_stacked(frame, offsets, listed, max_block_size=self.max_block_size)

    def estimate_conditionals(self, records: Records, *, max_iterations: int = 300,
                              tolerance: float = 1e-5, max_pairs: int = 20_000_000,
                              seed: int = 0) -> MatchModel:
        """Conditional m and u (see :mod:`custmatch.model.conditional`): EM on the pairs of
        each conditional's rule where the condition holds, with the conditioning comparison
        held out, the conditional comparisons' m and u re-estimated and all other
        comparisons frozen at their trained values. A conditional only ever applies where no
        earlier one holds for the same comparisons, so it trains on those pairs only."""
        frame, offsets = _stack(records)
        names = self.comparison_names
        n_levels = [c.n_levels for c in self.comparisons]
        for k, cond in enumerate(self.conditionals):
            left, right = _sample_pairs(self._rule_pairs(frame, offsets, cond.rule),
                                        max_pairs, seed)
            matrix = compare(frame, left, right, self.comparisons).matrix
            keep = self._condition_holds(k, matrix)
            for earlier in range(k):
                if set(self.conditionals[earlier].comparisons) & set(cond.comparisons):
                    keep &= ~self._condition_holds(earlier, matrix)
            given = names.index(cond.given)
            matrix = matrix[keep]
            self.conditional_m[k], self.conditional_u[k] = {}, {}
            if len(matrix) == 0:
                warnings.warn(f"conditional {cond.name!r}: no training pairs; the "
                              "comparisons keep their unconditional weights",
                              CustmatchWarning, stacklevel=2)
                continue
            patterns, counts = pattern_counts(matrix, n_levels)
            targets = [names.index(c) for c in cond.comparisons]
            frozen = [j for j in range(len(names)) if j not in targets and j != given]
            result = expectation_maximisation(
                patterns, counts, [self.m[n] for n in names], [self.u[n] for n in names],
                prior=0.3, fixed=[given], frozen=frozen, estimate_u=targets,
                max_iterations=max_iterations, tolerance=tolerance)
            for j in targets:
                c = self.comparisons[j]
                u = np.maximum(result.u[j], MIN_PROBABILITY)
                u = u / u.sum()
                self.conditional_u[k][c.name] = u
                m = result.m[j] if cond.estimate_m else self.m[c.name].copy()
                self.conditional_m[k][c.name] = self._guard_m(c, m, u, quiet=True)
        self.trained["conditionals"] = True
        return self

    def _condition_holds(self, k: int, matrix: NDArray[np.int8]) -> NDArray[np.bool_]:
        """Per row of a level matrix, whether conditional ``k``'s condition holds."""
        cond = self.conditionals[k]
        given = self.comparison_names.index(cond.given)
        return level_mask(self.comparisons[given], cond.levels)[
            matrix[:, given].astype(np.intp) + 1]

    def estimate_prior(self, records: Records,
                       pairs: Pairs | ArrayLike | pd.DataFrame | None = None, *,
                       levels: Levels | None = None, max_iterations: int = 200) -> MatchModel:
        """The prior from candidate pairs: EM with m and u fixed gives the share of matches
        among the candidates; times candidates over all record pairs gives the prior
        (assumes the blocking rules find nearly all matches). ``levels`` of the pairs,
        when already computed (:meth:`compare`), are reused for :meth:`predict` too."""
        frame, offsets = _stack(records)
        if pairs is None:
            pairs = self.candidate_pairs(records)
        left, right = _positions(pairs)
        total = _total_pairs(len(frame), offsets)
        if len(left) == 0 or total == 0:
            warnings.warn("no candidate pairs: the prior keeps its value", CustmatchWarning,
                          stacklevel=2)
            return self
        levels = self._levels_for(frame, left, right, levels)
        patterns, counts = pattern_counts(levels.matrix, [c.n_levels for c in self.comparisons])
        result = expectation_maximisation(
            patterns, counts, [self.m[c.name] for c in self.comparisons],
            [self.u[c.name] for c in self.comparisons], prior=0.1, prior_only=True,
            max_iterations=max_iterations)
        matches = result.prior * len(left)
        self.prior = float(min(max(matches / total, 1e-12), 0.5))
        self.trained["prior"] = True
        return self

    def estimate_prior_from_rules(self, records: Records, rules: Sequence[BlockingRule],
                                  recall: float) -> MatchModel:
        """The prior from deterministic rules: pairs they find, divided by their assumed
        ``recall``, over all record pairs (Splink's approach)."""
        if not 0.0 < recall <= 1.0:
            raise ConfigError(f"recall must be in (0, 1], got {recall!r}")
        if not rules:
            raise ConfigError("estimate_prior_from_rules needs at least one rule")
        frame, offsets = _stack(records)
        n_pairs = len(self._rule_pairs(frame, offsets, rules))
        total = _total_pairs(len(frame), offsets)
        if total == 0:
            raise InputError("the prior needs at least two records")
        self.prior = float(min(max(n_pairs / recall / total, 1e-12), 0.5))
        self.trained["prior"] = True
        return self

    def fit(self, records: Records, *, max_u_pairs: int = 1_000_000, seed: int = 0,
            training_rules: Sequence[BlockingRule] | None = None,
            pairs: Pairs | None = None) -> MatchModel:
        """Unsupervised training: :meth:`estimate_u`, :meth:`estimate_m`,
        :meth:`estimate_conditionals`, :meth:`estimate_prior` (on ``pairs`` or the model's
        candidate pairs)."""
        if isinstance(records, pd.DataFrame):
            records = _positional(records)  # one frame object: its encodings are reused
        with reuse_encodings():
            self.estimate_u(records, max_pairs=max_u_pairs, seed=seed)
            self.estimate_m(records, training_rules, seed=seed)
            if self.conditionals:
                self.estimate_conditionals(records, seed=seed)
            self.estimate_prior(records, pairs)
        return self

    def fit_labelled(self, records: Records, pairs: Pairs | ArrayLike | pd.DataFrame,
                     labels: ArrayLike | pd.DataFrame | pd.Series, *,
                     estimate_u: bool = False) -> MatchModel:
        """Supervised fit: m from the labelled matches among ``pairs``; u from the labelled
        non-matches (or keep the random-pair u with ``estimate_u=False`` after
        :meth:`estimate_u`); prior from the number of true pairs.

        ``labels`` is a boolean per pair, or a truth clustering (``DataFrame[record_id,
        entity_id]`` or a Series indexed by record id) from which the labels follow.
        """
        frame, offsets = _stack(records)
        left, right = _positions(pairs)
        truth_entities = None
        if isinstance(labels, pd.DataFrame | pd.Series) and not _is_bool_like(labels, len(left)):
            truth_entities = _entity_codes(frame, labels)
            is_match = truth_entities[left] == truth_entities[right]
        else:
            is_match = np.asarray(labels, dtype=bool)
            if is_match.shape != (len(left),):
                raise InputError(f"labels must be one boolean per pair ({len(left)}), "
                                 f"got shape {is_match.shape}")
        if not is_match.any():
            raise ModelError("fit_labelled needs at least one labelled match")
        matrix = compare(frame, left, right, self.comparisons).matrix
        for j, c in enumerate(self.comparisons):
            column = matrix[:, j]
            for target, mask in (("m", is_match), ("u", ~is_match)):
                if target == "u" and not estimate_u:
                    continue
                chosen = column[mask & (column >= 0)].astype(np.int64)
                counts = np.bincount(chosen, minlength=c.n_levels)[: c.n_levels]
                probs = (counts + 0.5) / (counts.sum() + 0.5 * c.n_levels)
                getattr(self, target)[c.name] = probs
        self.m = {c.name: self._guard_m(c, self.m[c.name]) for c in self.comparisons}
        total = _total_pairs(len(frame), offsets)
        if truth_entities is not None:
            sizes = np.bincount(truth_entities)
            true_pairs = float((sizes * (sizes - 1) // 2).sum()) if len(offsets) == 1 \
                else float(is_match.sum())
        else:
            true_pairs = float(is_match.sum())
        self.prior = float(min(max(true_pairs / max(total, 1), 1e-12), 0.5))
        self.trained.update(m=True, prior=True, u=self.trained["u"] or estimate_u)
        return self

    # ------------------------------------------------------------------ scoring
    def score(self, records: Records, pairs: Pairs | ArrayLike | pd.DataFrame,
              levels: Levels | None = None) -> pd.DataFrame:
        """Every pair scored: see :meth:`predict` (which also thresholds)."""
        frame, _ = _stack(records)
        left, right = _positions(pairs)
        levels = self._levels_for(frame, left, right, levels)
        return self._score(frame, left, right, levels.matrix, self._frequencies(frame))

    def _levels_for(self, frame: pd.DataFrame, left: NDArray[np.int64],
                    right: NDArray[np.int64], levels: Levels | None) -> Levels:
        """``levels`` if they fit the pairs and comparisons, else freshly compared."""
        if levels is None:
            return compare(frame, left, right, self.comparisons)
        if levels.matrix.shape != (len(left), len(self.comparisons)) or \
                list(levels.names) != self.comparison_names:
            raise InputError(f"levels of shape {levels.matrix.shape} for {list(levels.names)} "
                             f"do not fit {len(left)} pairs x {self.comparison_names}")
        return levels

    def score_levels(self, frame: pd.DataFrame, left: NDArray[np.int64],
                     right: NDArray[np.int64], matrix: NDArray[np.int8],
                     frequencies: Sequence[NDArray[np.float64]]) -> PairScores:
        """The scores of pairs whose comparison levels are known, as arrays: what
        :meth:`score` computes before it builds its frame. For callers that score few pairs
        often (a real-time index) and read only the numbers.

        ``frame``: the records (read by the must-link and cannot-link rules); ``left`` /
        ``right``: row positions of each pair; ``matrix``: the levels, pairs x
        :attr:`comparison_names`; ``frequencies``: per term-frequency spec, each record's
        value frequency (NaN: no adjustment).

        Example:
            >>> model = MatchModel()
            >>> frame = pd.DataFrame({"record_id": ["a", "b"]})
            >>> levels = np.full((1, len(model.comparisons)), -1, dtype=np.int8)
            >>> nan = [np.full(2, np.nan)] * len(model.term_frequencies)
            >>> scores = model.score_levels(frame, np.array([0]), np.array([1]), levels, nan)
            >>> bool(scores.match_weight[0] == model.prior_weight)
            True
        """
        weight = np.full(len(left), self.prior_weight, dtype=np.float64)
        for start in range(0, len(left), _SCORE_CHUNK):
            part = slice(start, start + _SCORE_CHUNK)
            for _, weights, adjust, _ in self._contributions(
                    frequencies, left[part], right[part], matrix[part]):
                weight[part] += weights
                weight[part] += adjust
        by_name = {name: matrix[:, j] for j, name in enumerate(self.comparison_names)}
        must, must_rule = self._deciding_rule(self.must_link, frame, left, right, by_name)
        cannot, cannot_rule = self._deciding_rule(self.cannot_link, frame, left, right, by_name)
        probability = probability_from_weight(weight)
        probability[must] = 1.0
        probability[cannot] = 0.0
        return PairScores(match_weight=weight, match_probability=probability,
                          evidence_weight=weight - self.prior_weight, must_link=must,
                          cannot_link=cannot, must_rule=must_rule, cannot_rule=cannot_rule)

    def _score(self, frame: pd.DataFrame, left: NDArray[np.int64], right: NDArray[np.int64],
               matrix: NDArray[np.int8], frequencies: Sequence[NDArray[np.float64]]
               ) -> pd.DataFrame:
        scores = self.score_levels(frame, left, right, matrix, frequencies)
        must, cannot = scores.must_link, scores.cannot_link
        must_rule, cannot_rule = scores.must_rule, scores.cannot_rule
        ids = _record_ids(frame)
        categories = pd.Index(ids)
        if categories.has_duplicates:
            categories = pd.Index(np.arange(len(ids)).astype(str))
        rule_names = ["", *(r.name for r in self.must_link), *(r.name for r in self.cannot_link)]
        name_codes, unique_names = pd.factorize(np.array(rule_names, dtype=object))
        rule_codes = name_codes[np.where(cannot, cannot_rule + len(self.must_link), must_rule)]
        columns = {
            "left": left, "right": right,
            "left_id": pd.Categorical.from_codes(left, categories=categories),
            "right_id": pd.Categorical.from_codes(right, categories=categories),
            "match_weight": scores.match_weight,
            "match_probability": scores.match_probability,
            "must_link": must, "cannot_link": cannot,
            "rule": pd.Categorical.from_codes(rule_codes, categories=unique_names),
        }
        for j, name in enumerate(self.comparison_names):
            columns[f"level_{name}"] = matrix[:, j]
        # copy=False: the frame takes the arrays as they are (no block consolidation, which
        # costs seconds at 10M+ pairs)
        out = pd.DataFrame(columns, copy=False)
        out["evidence_weight"] = scores.evidence_weight
        return out

    @staticmethod
    def _deciding_rule(rules: Sequence[MustLink] | Sequence[CannotLink], frame: pd.DataFrame,
                       left: NDArray[np.int64], right: NDArray[np.int64],
                       by_name: Mapping[str, NDArray[np.int8]]
                       ) -> tuple[NDArray[np.bool_], NDArray[np.int16]]:
        """Which pairs a rule decides, and the 1-based number of the first rule that does
        (0: none)."""
        decided = np.zeros(len(left), dtype=bool)
        first = np.zeros(len(left), dtype=np.int16)
        for number, rule in enumerate(rules, start=1):
            hit = rule.holds(frame, left, right, by_name) & ~decided
            first[hit] = number
            decided |= hit
        return decided, first

    def predict(self, records: Records, pairs: Pairs | ArrayLike | pd.DataFrame | None = None,
                *, threshold: float | None = None,
                threshold_weight: float | None = None,
                levels: Levels | None = None) -> pd.DataFrame:
        """Scored candidate pairs: ``left, right`` (row positions), ``left_id, right_id``,
        ``match_weight``, ``match_probability``, ``must_link``, ``cannot_link``, ``rule``
        (the deterministic rule that decided, if any), one ``level_<comparison>`` column
        each, and ``evidence_weight`` (the match weight without the prior: what the
        comparisons alone say, in bits; negative when they favour two people). Pairs
        default to the model's candidate pairs; ``threshold`` (probability) or
        ``threshold_weight`` keep only pairs at or above it. Must-link pairs have
        probability 1 and cannot-link pairs 0, whatever their weight. ``levels`` of the
        same pairs (:meth:`compare`) are used as given instead of comparing again.
        """
        if pairs is None:
            pairs = self.candidate_pairs(records)
        scored = self.score(records, pairs, levels)
        keep = np.ones(len(scored), dtype=bool)
        if threshold is not None:
            if not 0.0 <= threshold <= 1.0:
                raise ConfigError(f"threshold is a probability in [0, 1], got {threshold!r}")
            keep &= scored["match_probability"].to_numpy() >= threshold
        if threshold_weight is not None:
            keep &= scored["match_weight"].to_numpy() >= threshold_weight
        if keep.all():
            return scored
        return scored[keep].reset_index(drop=True)

    def _frequencies(self, frame: pd.DataFrame) -> list[NDArray[np.float64]]:
        """Per term-frequency spec, the value frequency of each record (NaN, so no
        adjustment, where the spec reads an optional column of its comparison that the
        records lack)."""
        by_name = {c.name: c for c in self.comparisons}
        out = []
        for tf in self.term_frequencies:
            optional = set(getattr(by_name[tf.comparison], "optional_columns", ()))
            if any(c not in frame.columns and c in optional for c in tf.columns):
                out.append(np.full(len(frame), np.nan))
            else:
                out.append(tf.frequencies(frame))
        return out

    def _contributions(
        self, frequencies: Sequence[NDArray[np.float64]], left: NDArray[np.int64],
        right: NDArray[np.int64], matrix: NDArray[np.int8],
    ) -> Iterator[tuple[int, NDArray[np.float64], NDArray[np.float64], NDArray[np.int16]]]:
        """Per comparison ``j``: the weight of each pair (conditional weights where a
        conditional holds), its term-frequency adjustment, and which conditional supplied m
        and u (``-1``: the unconditional ones). One column at a time, so scoring many pairs
        never holds a pairs x comparisons float matrix."""
        names = self.comparison_names
        holds = [self._condition_holds(k, matrix) if self.conditional_m[k] else None
                 for k in range(len(self.conditionals))]
        for j, table in enumerate(self._weight_tables()):
            name = names[j]
            index = matrix[:, j].astype(np.intp) + 1  # level -1 (null) -> table row 0
            weights = table[index]
            source = np.full(len(index), -1, dtype=np.int16)
            for k, cond in enumerate(self.conditionals):
                if holds[k] is None or name not in cond.comparisons:
                    continue
                rows = np.flatnonzero(holds[k] & (source < 0))
                m, u = self.conditional_m[k][name], self.conditional_u[k][name]
                weights[rows] = np.r_[0.0, np.log2(m) - np.log2(u)][index[rows]]
                source[rows] = k
            adjust = np.zeros(len(index), dtype=np.float64)
            for k, tf in enumerate(self.term_frequencies):
                if tf.comparison != name:
                    continue
                applies = level_mask(self.comparisons[j], tf.levels)
                rows = np.flatnonzero(applies[index] & (source < 0))
                if not len(rows):
                    continue
                u_level = np.r_[np.nan, self.u[name]][index[rows]]
                f = np.fmax(frequencies[k][left[rows]], frequencies[k][right[rows]])
                ok = np.isfinite(f) & (f > 0)
                part = np.zeros(len(rows))
                part[ok] = tf.weight * (np.log2(u_level[ok]) - np.log2(f[ok]))
                adjust[rows] += part
            yield j, weights, adjust, source

    # ------------------------------------------------------------------ explain
    def explain(self, records: Records, left: str | int, right: str | int) -> Explanation:
        """Why the model scores two records as it does: per comparison the level, m, u and
        weight, the term-frequency adjustments, the prior and deterministic rules.

        ``left`` / ``right`` are record ids (or row positions when given as ints and the
        records have no such id).
        """
        frame, _ = _stack(records)
        ids = _record_ids(frame)
        positions = [_position_of(ids, x) for x in (left, right)]
        lpos, rpos = np.array([positions[0]]), np.array([positions[1]])
        matrix = compare(frame, lpos, rpos, self.comparisons, workers=1).matrix
        frequencies = self._frequencies(frame)
        row = self._score(frame, lpos, rpos, matrix, frequencies).iloc[0]
        weights = np.zeros(matrix.shape)
        tf = np.zeros(matrix.shape)
        source = np.full(matrix.shape, -1, dtype=np.int16)
        for j, weight, adjust, src in self._contributions(frequencies, lpos, rpos, matrix):
            weights[:, j], tf[:, j], source[:, j] = weight, adjust, src
        rows = []
        for j, c in enumerate(self.comparisons):
            level = int(matrix[0, j])
            m = u = float("nan")
            if level >= 0:
                k = int(source[0, j])
                m_table = self.m if k < 0 else self.conditional_m[k]
                u_table = self.u if k < 0 else self.conditional_u[k]
                m, u = float(m_table[c.name][level]), float(u_table[c.name][level])
            rows.append({
                "comparison": c.name, "level": level, "label": c.level_labels()[level],
                "m": m, "u": u, "weight": float(weights[0, j]),
                "tf_adjustment": float(tf[0, j]),
                "left_value": _show(frame, c.columns, positions[0]),
                "right_value": _show(frame, c.columns, positions[1]),
            })
        table = pd.DataFrame(rows)
        return Explanation(
            left_id=str(ids[positions[0]]), right_id=str(ids[positions[1]]),
            prior_weight=self.prior_weight, table=table,
            match_weight=float(row["match_weight"]),
            match_probability=float(row["match_probability"]),
            must_link=str(row["rule"]) if row["must_link"] and not row["cannot_link"] else "",
            cannot_link=str(row["rule"]) if row["cannot_link"] else "",
        )

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        """The model as JSON-able data (see :meth:`save`)."""
        from custmatch.serialize import comparison_to_dict, rule_to_dict

        return {
            "format": "custmatch.MatchModel",
            "version": FORMAT_VERSION,
            "prior": self.prior,
            "max_block_size": self.max_block_size,
            "trained": dict(self.trained),
            "comparisons": [
                {**comparison_to_dict(c), "name": c.name, "labels": list(c.labels),
                 "m": self.m[c.name].tolist(), "u": self.u[c.name].tolist()}
                for c in self.comparisons
            ],
            "blocking_rules": [rule_to_dict(r) for r in self.blocking_rules],
            "must_link": [link_rule_to_dict(r) for r in self.must_link],
            "cannot_link": [link_rule_to_dict(r) for r in self.cannot_link],
            "term_frequencies": [tf.to_dict() for tf in self.term_frequencies],
            "conditionals": [
                {**cond.to_dict(),
                 "m": {n: v.tolist() for n, v in self.conditional_m[k].items()},
                 "u": {n: v.tolist() for n, v in self.conditional_u[k].items()}}
                for k, cond in enumerate(self.conditionals)
            ],
            "training": [{**run.__dict__, "fixed": list(run.fixed)} for run in self.training],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MatchModel:
        """The model :meth:`to_dict` described."""
        from custmatch.serialize import comparison_from_dict, rule_from_dict

        if data.get("format") != "custmatch.MatchModel":
            raise ModelError("not a custmatch model (missing format 'custmatch.MatchModel')")
        version = data.get("version")
        if version != FORMAT_VERSION:
            raise ModelError(f"model format version {version!r} is not supported "
                             f"(this custmatch reads version {FORMAT_VERSION})")
        comparisons = [comparison_from_dict(_with_legacy_fields(spec))
                       for spec in data["comparisons"]]
        model = cls(
            comparisons,
            [rule_from_dict(r) for r in data.get("blocking_rules", [])],
            must_link=[link_rule_from_dict(r) for r in data.get("must_link", [])],
            cannot_link=[link_rule_from_dict(r) for r in data.get("cannot_link", [])],
            term_frequencies=[TermFrequency.from_dict(t)
                              for t in data.get("term_frequencies", [])],
            conditionals=[Conditional.from_dict(c) for c in data.get("conditionals", [])],
            prior=float(data["prior"]),
            max_block_size=int(data.get("max_block_size", 1000)),
        )
        for spec, comparison in zip(data["comparisons"], comparisons, strict=True):
            if list(spec.get("labels", comparison.labels)) != list(comparison.labels):
                raise ModelError(f"comparison {comparison.name!r} has levels "
                                 f"{list(comparison.labels)}, the file {spec.get('labels')}")
            for target in ("m", "u"):
                values = np.asarray(spec[target], dtype=np.float64)
                if values.shape != (comparison.n_levels,) or not np.all(values > 0):
                    raise ModelError(f"{target} of {comparison.name!r} must be "
                                     f"{comparison.n_levels} positive numbers")
                getattr(model, target)[comparison.name] = values
        for k, spec in enumerate(data.get("conditionals", [])):
            for target in ("m", "u"):
                store = model.conditional_m if target == "m" else model.conditional_u
                store[k] = {n: np.asarray(v, dtype=np.float64)
                            for n, v in dict(spec.get(target, {})).items()}
        model.trained = {k: bool(v) for k, v in dict(data.get("trained", {})).items()} or \
            model.trained
        model.training = [TrainingRun(**{**run, "fixed": tuple(run.get("fixed", ()))})
                          for run in data.get("training", [])]
        return model

    def save(self, path: str | Path) -> Path:
        """Write the model as readable JSON (with a format version) and return the path."""
        from custmatch.serialize import write_json

        return write_json(self.to_dict(), path)

    @classmethod
    def load(cls, path: str | Path) -> MatchModel:
        """Read a model written by :meth:`save`."""
        from custmatch.serialize import read_json

        return cls.from_dict(read_json(path, ModelError, "model"))

    # ------------------------------------------------------------------ charts
    def plot_weights(self):  # pragma: no cover - needs matplotlib
        """Bar charts of m, u and the weight per level (needs matplotlib)."""
        from custmatch.model.plots import plot_weights

        return plot_weights(self)


@dataclass(frozen=True)
class Explanation:
    """Per-comparison contributions to one pair's match weight (waterfall data)."""

    left_id: str
    right_id: str
    prior_weight: float
    table: pd.DataFrame = field(repr=False)
    match_weight: float
    match_probability: float
    must_link: str = ""
    cannot_link: str = ""

    def waterfall(self) -> pd.DataFrame:
        """Steps from the prior to the final weight: ``step, weight, cumulative``."""
        steps = [("prior", self.prior_weight)]
        for row in self.table.itertuples():
            steps.append((f"{row.comparison}: {row.label}", float(row.weight)))
            if row.tf_adjustment:
                steps.append((f"{row.comparison}: term frequency", float(row.tf_adjustment)))
        frame = pd.DataFrame(steps, columns=["step", "weight"])
        frame["cumulative"] = frame["weight"].cumsum()
        return frame

    def text(self) -> str:
        """A readable rendering for the person who has to trust the merge."""
        lines = [f"{self.left_id} ~ {self.right_id}: match weight {self.match_weight:+.2f}, "
                 f"probability {self.match_probability:.4f}",
                 f"  {'prior':<34} {self.prior_weight:+7.2f}"]
        for row in self.table.itertuples():
            shown = f"{row.left_value} | {row.right_value}"
            tf = f" (tf {row.tf_adjustment:+.2f})" if row.tf_adjustment else ""
            lines.append(f"  {row.comparison + ': ' + row.label:<34} {row.weight:+7.2f}{tf}"
                         f"   {shown}")
        if self.cannot_link:
            lines.append(f"  cannot-link rule {self.cannot_link!r} holds: never linked")
        elif self.must_link:
            lines.append(f"  must-link rule {self.must_link!r} holds: always linked")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def plot(self):  # pragma: no cover - needs matplotlib
        """A waterfall chart of :meth:`waterfall` (needs matplotlib)."""
        from custmatch.model.plots import plot_waterfall

        return plot_waterfall(self)


# --------------------------------------------------------------------------- helpers
def _with_legacy_fields(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    """A saved comparison description, completed with the ``legacy_fields`` of its class:
    constructor fields added later, at the values that give the levels the file was
    trained on (a model saved before ``Phone`` had ``other_kind`` loads with
    ``other_kind=False``)."""
    import importlib

    module_name, _, class_name = str(spec.get("class", "")).rpartition(".")
    if not module_name.startswith("custmatch."):
        return spec
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError):
        return spec  # comparison_from_dict names the problem
    fields = dict(spec.get("fields", {}))
    missing = {k: v for k, v in dict(getattr(cls, "legacy_fields", {})).items()
               if k not in fields}
    return {**spec, "fields": {**fields, **missing}} if missing else spec


def _show(frame: pd.DataFrame, columns: Sequence[str], position: int) -> str:
    """The values a comparison read for one record, for explanations."""
    values = []
    for column in columns:
        if column not in frame.columns:  # an optional column the records lack
            continue
        value = frame[column].iloc[position]
        if isinstance(value, bool | np.bool_) or value is None:
            continue
        try:
            if pd.isna(value):
                continue
        except (TypeError, ValueError):
            pass
        if isinstance(value, pd.Timestamp):
            value = value.date()
        values.append(str(value))
    return " ".join(values) if values else "-"


def _position_of(ids: NDArray[np.object_], value: str | int) -> int:
    hits = np.flatnonzero(ids == str(value))
    if len(hits):
        return int(hits[0])
    if isinstance(value, int | np.integer) and 0 <= int(value) < len(ids):
        return int(value)
    raise InputError(f"record {value!r} not found")


def _positions(pairs: Pairs | ArrayLike | pd.DataFrame) -> tuple[NDArray[np.int64],
                                                                  NDArray[np.int64]]:
    if isinstance(pairs, Pairs):
        left, right = pairs.left, pairs.right
    elif isinstance(pairs, pd.DataFrame):
        missing = [c for c in ("left", "right") if c not in pairs.columns]
        if missing:
            raise InputError(f"a pairs frame needs columns 'left' and 'right' (row positions); "
                             f"missing {missing}")
        left, right = pairs["left"].to_numpy(), pairs["right"].to_numpy()
    elif isinstance(pairs, tuple) and len(pairs) == 2:
        left, right = pairs
    else:
        raise InputError("pairs must be Pairs, a DataFrame with left/right, or (left, right)")
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    if left.shape != right.shape or left.ndim != 1:
        raise InputError("left and right pair positions must be 1-d arrays of equal length")
    return left, right


def _sample_pairs(pairs: Pairs, max_pairs: int | None,
                  seed: int) -> tuple[NDArray[np.integer], NDArray[np.integer]]:
    """The pairs' positions, a seeded random ``max_pairs`` of them (kept in order) when
    there are more."""
    left, right = pairs.left, pairs.right
    if max_pairs is not None and len(left) > max_pairs:
        keep = np.sort(np.random.default_rng(seed).choice(len(left), max_pairs, replace=False))
        left, right = left[keep], right[keep]
    return left, right


def _total_pairs(n: int, offsets: tuple[int, ...]) -> float:
    if len(offsets) == 1:
        return n * (n - 1) / 2
    sizes = np.diff(np.r_[np.asarray(offsets), n]).astype(np.float64)
    return float((sizes.sum() ** 2 - (sizes**2).sum()) / 2)


def _random_pairs(n: int, offsets: tuple[int, ...], max_pairs: int,
                  seed: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Up to ``max_pairs`` random distinct pairs (across frames when linking)."""
    if not isinstance(max_pairs, int) or max_pairs < 1:
        raise ConfigError(f"max_pairs must be a positive integer, got {max_pairs!r}")
    rng = np.random.default_rng(seed)
    total = _total_pairs(n, offsets)
    if total < 1:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    k = int(min(max_pairs, total))
    if len(offsets) == 1:
        if total <= max_pairs:  # every pair
            left, right = np.triu_indices(n, 1)
            return left.astype(np.int64), right.astype(np.int64)
        left = rng.integers(0, n, size=int(k * 1.1) + 10)
        right = rng.integers(0, n, size=len(left))
        ok = left != right
        left, right = np.minimum(left, right)[ok][:k], np.maximum(left, right)[ok][:k]
        return left, right
    bounds = np.r_[np.asarray(offsets), n]
    sizes = np.diff(bounds)
    frame_pairs = [(a, b) for a in range(len(sizes)) for b in range(a + 1, len(sizes))]
    weights = np.array([sizes[a] * sizes[b] for a, b in frame_pairs], dtype=np.float64)
    choice = rng.choice(len(frame_pairs), size=k, p=weights / weights.sum())
    fa, fb = np.array(frame_pairs, dtype=np.int64)[choice].T
    left = bounds[fa] + (rng.random(k) * sizes[fa]).astype(np.int64)
    right = bounds[fb] + (rng.random(k) * sizes[fb]).astype(np.int64)
    return left.astype(np.int64), right.astype(np.int64)


def _is_bool_like(labels: pd.DataFrame | pd.Series, n: int) -> bool:
    return isinstance(labels, pd.Series) and labels.dtype == bool and len(labels) == n


def _entity_codes(frame: pd.DataFrame, truth: pd.DataFrame | pd.Series) -> NDArray[np.int64]:
    """Per record of ``frame``, an integer code of its true entity."""
    from custmatch.evaluate import _TRUTH_COLUMNS, _labels

    ids = _record_ids(frame)
    mapped = _labels(truth, _TRUTH_COLUMNS, "truth").reindex(ids)
    if mapped.isna().any():
        missing = ids[mapped.isna().to_numpy()][:5].tolist()
        raise InputError(f"truth has no entity for record(s) {missing}")
    return pd.factorize(mapped)[0].astype(np.int64)
