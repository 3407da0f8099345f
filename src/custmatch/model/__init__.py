"""The Fellegi-Sunter match model: training (u, EM for m, prior), term-frequency
adjustment, deterministic must-link / cannot-link rules, predict, explain and save/load.

See :class:`MatchModel`.
"""

from __future__ import annotations

from custmatch.model.core import (
    FORMAT_VERSION,
    Explanation,
    MatchModel,
    PairScores,
    TrainingRun,
    probability_from_weight,
)
from custmatch.model.defaults import (
    default_cannot_link,
    default_comparisons,
    default_must_link,
    default_term_frequencies,
    default_training_rules,
)
from custmatch.model.em import EMResult, expectation_maximisation, pattern_counts
from custmatch.model.rules import CannotLink, MustLink, cannot_link, cannot_link_on, must_link
from custmatch.model.tf import TermFrequency

__all__ = [
    "FORMAT_VERSION",
    "CannotLink",
    "EMResult",
    "Explanation",
    "MatchModel",
    "MustLink",
    "PairScores",
    "TermFrequency",
    "TrainingRun",
    "cannot_link",
    "cannot_link_on",
    "default_cannot_link",
    "default_comparisons",
    "default_must_link",
    "default_term_frequencies",
    "default_training_rules",
    "expectation_maximisation",
    "must_link",
    "pattern_counts",
    "probability_from_weight",
]
