"""Frames built from column arrays in one step, the way every stage assembles its output.

Example:
    >>> import numpy as np
    >>> frame = frame_from_arrays({"id": np.array(["a", "b"], dtype=object),
    ...                            "n": np.array([1, 2])}, 2)
    >>> [str(t) for t in frame.dtypes]
    ['object', 'int64']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

__all__ = ["frame_from_arrays"]


def frame_from_arrays(columns: dict[str, pd.Series | np.ndarray | ExtensionArray],
                      n: int) -> pd.DataFrame:
    """A frame of the columns, built once: an object array stays object dtype, any other
    array or Series gives the column ``pd.Series(values)`` would (the same dtypes and
    consolidated blocks as ``pd.DataFrame`` of such Series, without building them)."""
    index = pd.RangeIndex(n)
    arrays = [_stored(values) for values in columns.values()]
    from_arrays = getattr(pd.DataFrame, "_from_arrays", None)
    if from_arrays is not None:  # pandas' own constructor of frames from column arrays
        return from_arrays(arrays, columns=pd.Index(list(columns)), index=index,
                           verify_integrity=False)
    return _frame_of_series(dict(zip(columns, arrays, strict=True)), index)


def _frame_of_series(columns: dict[str, np.ndarray | ExtensionArray],
                     index: pd.RangeIndex) -> pd.DataFrame:
    """:func:`frame_from_arrays` by the public constructor (slower: a Series per column)."""
    return pd.DataFrame({
        name: pd.Series(values, index=index, dtype=object if values.dtype == object else None)
        for name, values in columns.items()}, index=index)


def _stored(values: pd.Series | np.ndarray | ExtensionArray) -> np.ndarray | ExtensionArray:
    """The array a column of these values holds (numpy-backed values as numpy arrays)."""
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, pd.arrays.NumpyExtensionArray):
        return values.to_numpy()
    return values
