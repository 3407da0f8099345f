"""Writing a dataset (records + truth) to CSV files.

Example:
    >>> import tempfile, pandas as pd
    >>> folder = tempfile.mkdtemp()
    >>> paths = save_dataset(pd.DataFrame({"record_id": ["a"]}),
    ...                      pd.DataFrame({"record_id": ["a"], "entity_id": ["e1"]}), folder)
    >>> [p.name for p in paths]
    ['records.csv', 'truth.csv']
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

__all__ = ["save_dataset"]


def save_dataset(
    records: pd.DataFrame, truth: pd.DataFrame, folder: str | os.PathLike[str]
) -> list[Path]:
    """Write ``records.csv`` and ``truth.csv`` (UTF-8) into ``folder``, creating it.

    Each file is written under a temporary name and renamed when complete, so an interrupted
    run never leaves a half-written CSV behind.
    """
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    paths = [target / "records.csv", target / "truth.csv"]
    for frame, path in zip((records, truth), paths, strict=True):
        tmp = path.with_name(path.name + ".partial")
        try:
            frame.to_csv(tmp, index=False)
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
    return paths
