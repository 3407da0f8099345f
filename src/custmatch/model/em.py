"""Expectation-maximisation for the Fellegi-Sunter model over unique comparison patterns.

Candidate pairs repeat the same few thousand level combinations ("patterns") millions of
times, so EM runs on ``(pattern, count)`` rows: its cost depends on the number of distinct
patterns, not on the number of pairs.

Example:
    >>> import numpy as np
    >>> levels = np.array([[1, 1], [1, 1], [0, 0], [0, -1]], dtype=np.int8)
    >>> patterns, counts = pattern_counts(levels, [2, 2])
    >>> patterns.tolist(), counts.tolist()
    ([[0, -1], [0, 0], [1, 1]], [1, 1, 2])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["EMResult", "expectation_maximisation", "match_log_odds", "pattern_counts"]

#: Probabilities never go below this, so every weight stays finite.
MIN_PROBABILITY = 1e-6


def pattern_counts(
    matrix: NDArray[np.int8], n_levels: Sequence[int]
) -> tuple[NDArray[np.int8], NDArray[np.int64]]:
    """Distinct rows of a level matrix and how often each occurs (rows in code order).

    ``n_levels[j]`` is the number of non-null levels of comparison ``j`` (levels run from
    ``-1`` to ``n_levels[j] - 1``).
    """
    matrix = np.asarray(matrix, dtype=np.int8)
    n_pairs, n_comparisons = matrix.shape
    radix = [int(k) + 1 for k in n_levels]
    space = int(np.prod(radix, dtype=object)) if radix else 1
    if n_comparisons == 0 or n_pairs == 0:
        return np.zeros((0, n_comparisons), dtype=np.int8), np.zeros(0, dtype=np.int64)
    if space < 2**62:
        codes = np.zeros(n_pairs, dtype=np.int64)
        for j in range(n_comparisons):
            codes *= radix[j]
            codes += matrix[:, j].astype(np.int64) + 1
        if space <= 50_000_000:
            counts_all = np.bincount(codes, minlength=space)
            unique_codes = np.flatnonzero(counts_all)
            counts = counts_all[unique_codes]
        else:
            sorted_codes = np.sort(codes)
            starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
            unique_codes = sorted_codes[starts]
            counts = np.diff(np.r_[starts, len(sorted_codes)])
        patterns = np.empty((len(unique_codes), n_comparisons), dtype=np.int8)
        rest = unique_codes.copy()
        for j in range(n_comparisons - 1, -1, -1):
            patterns[:, j] = rest % radix[j] - 1
            rest //= radix[j]
        return patterns, counts.astype(np.int64)
    rows, counts = np.unique(matrix, axis=0, return_counts=True)  # pragma: no cover
    return rows.astype(np.int8), counts.astype(np.int64)


def match_log_odds(
    patterns: NDArray[np.int8], m: Sequence[NDArray[np.float64]],
    u: Sequence[NDArray[np.float64]],
) -> NDArray[np.float64]:
    """Sum over comparisons of ``log2(m / u)`` at each row's level (null levels add 0)."""
    total = np.zeros(len(patterns), dtype=np.float64)
    for j in range(patterns.shape[1]):
        weights = np.r_[0.0, np.log2(m[j]) - np.log2(u[j])]
        total += weights[patterns[:, j].astype(np.int64) + 1]
    return total


@dataclass(frozen=True)
class EMResult:
    """Outcome of :func:`expectation_maximisation`.

    Attributes:
        m: per comparison, m probabilities per non-null level.
        u: per comparison, u probabilities (unchanged unless ``estimate_u`` was set).
        prior: share of matches among the pairs EM saw.
        iterations: iterations run.
        converged: whether the largest change fell below the tolerance.
        max_change: the largest change of any probability in the last iteration.
    """

    m: tuple[NDArray[np.float64], ...]
    u: tuple[NDArray[np.float64], ...]
    prior: float
    iterations: int
    converged: bool
    max_change: float


def _normalise(counts: NDArray[np.float64], fallback: NDArray[np.float64]) -> NDArray[np.float64]:
    total = counts.sum()
    if total <= 0:
        return fallback.copy()
    probs = np.maximum(counts / total, MIN_PROBABILITY)
    return probs / probs.sum()


def expectation_maximisation(
    patterns: NDArray[np.int8],
    counts: NDArray[np.int64],
    m: Sequence[NDArray[np.float64]],
    u: Sequence[NDArray[np.float64]],
    prior: float,
    *,
    fixed: Sequence[int] = (),
    frozen: Sequence[int] = (),
    estimate_u: bool | Sequence[int] = False,
    prior_only: bool = False,
    max_iterations: int = 100,
    tolerance: float = 1e-5,
) -> EMResult:
    """Fit m (and optionally u) and the prior to pattern counts by EM.

    Comparisons listed in ``fixed`` are held out: they neither shape the posterior of a
    pattern nor get re-estimated (a training rule that blocks on a field makes every pair
    agree on it, which says nothing about matches). Comparisons in ``frozen`` shape the
    posterior with their given m and u but are not re-estimated. ``estimate_u`` re-estimates
    u too: for every estimated comparison (True) or for those listed. With ``prior_only``
    only the prior is fitted, every comparison's m and u kept as given. Probabilities are floored at
    :data:`MIN_PROBABILITY` so weights stay finite for levels EM never sees.
    """
    m_now = [np.asarray(x, dtype=np.float64).copy() for x in m]
    u_now = [np.asarray(x, dtype=np.float64).copy() for x in u]
    weights = np.asarray(counts, dtype=np.float64)
    fixed_set = set(fixed)
    frozen_set = set(frozen)
    n_comparisons = patterns.shape[1]
    if isinstance(estimate_u, bool):
        u_set = set(range(n_comparisons)) if estimate_u else set()
    else:
        u_set = set(estimate_u)
    lam = float(min(max(prior, 1e-9), 1 - 1e-9))
    change = np.inf
    iteration = 0
    if weights.sum() <= 0:
        return EMResult(tuple(m_now), tuple(u_now), lam, 0, False, float("nan"))
    level_rows = [patterns[:, j].astype(np.int64) for j in range(patterns.shape[1])]
    active = [j for j in range(patterns.shape[1]) if prior_only or j not in fixed_set]
    for iteration in range(1, max_iterations + 1):
        odds = match_log_odds(patterns[:, active], [m_now[j] for j in active],
                              [u_now[j] for j in active])
        odds += np.log2(lam) - np.log2(1 - lam)
        posterior = 0.5 * (1.0 + np.tanh(np.clip(odds, -2000, 2000) * np.log(2) / 2))
        in_match = weights * posterior
        in_other = weights - in_match
        change = 0.0
        new_lam = float(in_match.sum() / weights.sum())
        new_lam = min(max(new_lam, 1e-9), 1 - 1e-9)
        change = max(change, abs(new_lam - lam))
        lam = new_lam
        for j, rows in enumerate(level_rows):
            if j in fixed_set or j in frozen_set or prior_only:
                continue
            k = len(m_now[j])
            observed = rows >= 0
            new_m = _normalise(np.bincount(rows[observed], in_match[observed], minlength=k),
                               m_now[j])
            change = max(change, float(np.abs(new_m - m_now[j]).max()))
            m_now[j] = new_m
            if j in u_set:
                new_u = _normalise(np.bincount(rows[observed], in_other[observed], minlength=k),
                                   u_now[j])
                change = max(change, float(np.abs(new_u - u_now[j]).max()))
                u_now[j] = new_u
        if change < tolerance:
            return EMResult(tuple(m_now), tuple(u_now), lam, iteration, True, change)
    return EMResult(tuple(m_now), tuple(u_now), lam, iteration, False, float(change))
