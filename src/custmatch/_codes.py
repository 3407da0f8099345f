"""Integer codes for combinations of values: the join-on-integers step every stage shares.

Example:
    >>> import numpy as np
    >>> combine_codes(np.array([0, 0, 1, 0]), np.array([5, -1, 5, 5])).tolist()
    [0, 1, 2, 0]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

__all__ = ["combine_all", "combine_codes", "dense_codes", "first_positions", "python_values"]


def combine_codes(combined: ArrayLike, codes: ArrayLike) -> NDArray[np.int64]:
    """A dense code per distinct ``(combined[i], codes[i])``, numbered in order of first
    appearance; ``-1`` (null) in ``codes`` counts as a value of its own."""
    combined = np.asarray(combined, dtype=np.int64)
    codes = np.asarray(codes, dtype=np.int64)
    width = int(codes.max()) + 2 if len(codes) else 1
    return dense_codes(combined * width + (codes + 1))


def combine_all(codes: Sequence[ArrayLike], n: int) -> NDArray[np.int64]:
    """:func:`combine_codes` over several code arrays of length ``n`` at once: a dense code
    per distinct row of values, numbered in order of first appearance (``-1`` counts as a
    value). The columns are packed into one integer and factorised once, while that fits.

    Example:
        >>> combine_all([np.array([0, 0, 1, 0]), np.array([5, -1, 5, 5])], 4).tolist()
        [0, 1, 2, 0]
    """
    combined = np.zeros(n, dtype=np.int64)
    span = 1  # every combined value is below span
    for part in codes:
        part = np.asarray(part, dtype=np.int64)
        width = int(part.max()) + 2 if n else 1
        if span * width >= 2**62:
            combined = dense_codes(combined)
            span = int(combined.max()) + 1 if n else 1
        combined = combined * width + (part + 1)
        span *= width
    return dense_codes(combined)


#: Up to this many values :func:`dense_codes` numbers them with a dict (a real-time call's
#: few records), where ``pd.factorize``'s fixed cost is most of the work.
_FEW = 64


def dense_codes(values: ArrayLike) -> NDArray[np.int64]:
    """``pd.factorize(values)[0]`` of integers: a code per distinct value, numbered in order
    of first appearance.

    Example:
        >>> dense_codes(np.array([7, 3, 7, 9])).tolist()
        [0, 1, 0, 2]
    """
    values = np.asarray(values, dtype=np.int64)
    if len(values) <= _FEW:
        seen: dict[int, int] = {}
        return np.array([seen.setdefault(v, len(seen)) for v in values.tolist()],
                        dtype=np.int64)
    return np.asarray(pd.factorize(values)[0], dtype=np.int64)


def first_positions(codes: ArrayLike, n_codes: int) -> NDArray[np.int64]:
    """For each dense code ``0 .. n_codes - 1``, the position where it first appears.

    Example:
        >>> first_positions(np.array([1, 0, 1, 2]), 3).tolist()
        [1, 0, 3]
    """
    codes = np.asarray(codes, dtype=np.int64)
    first = np.zeros(n_codes, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1, dtype=np.int64)
    return first


def python_values(values: object) -> NDArray[np.object_]:
    """The values of an array (such as the distinct values ``pd.factorize`` returns) as an
    object array of Python values, converted in one call: iterating a pyarrow-backed
    array yields its values one slow step at a time.

    Example:
        >>> python_values(pd.array(["a", "b"], dtype="string")).tolist()
        ['a', 'b']
    """
    return np.asarray(values, dtype=object)
