"""Integer codes for combinations of values: the join-on-integers step every stage shares.

Example:
    >>> import numpy as np
    >>> combine_codes(np.array([0, 0, 1, 0]), np.array([5, -1, 5, 5])).tolist()
    [0, 1, 2, 0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

__all__ = ["combine_codes"]


def combine_codes(combined: ArrayLike, codes: ArrayLike) -> NDArray[np.int64]:
    """A dense code per distinct ``(combined[i], codes[i])``, numbered in order of first
    appearance; ``-1`` (null) in ``codes`` counts as a value of its own."""
    combined = np.asarray(combined, dtype=np.int64)
    codes = np.asarray(codes, dtype=np.int64)
    width = int(codes.max()) + 2 if len(codes) else 1
    return pd.factorize(combined * width + (codes + 1))[0].astype(np.int64)
