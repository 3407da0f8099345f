"""Comparisons: candidate pairs -> per-field agreement levels (an ``int8`` matrix).

The engine (:func:`compare`) evaluates each :class:`Comparison` once per unique value
combination and broadcasts. The library holds general comparisons (``Exact``,
``JaroWinkler``, ``Levenshtein``, ``DamerauLevenshtein``); subclass :class:`Comparison` for
your own and test it with :func:`check_comparison`.
"""

from __future__ import annotations

from custmatch.compare.engine import Comparison, Levels, check_comparison, compare
from custmatch.compare.library import DamerauLevenshtein, Exact, JaroWinkler, Levenshtein

__all__ = [
    "Comparison",
    "DamerauLevenshtein",
    "Exact",
    "JaroWinkler",
    "Levels",
    "Levenshtein",
    "check_comparison",
    "compare",
]
