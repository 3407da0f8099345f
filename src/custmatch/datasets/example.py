"""The bundled example: about 2,000 synthetic Dutch customer records with their truth.

The files ``data/example_records.csv`` and ``data/example_truth.csv`` hold the output of
``generate_customers(EXAMPLE_ENTITIES, seed=EXAMPLE_SEED, difficulty="medium")``. Regenerate
them (after a generator change) with ``python -m custmatch.datasets.example``.

Example:
    >>> records, truth = load_example()
    >>> 1_800 <= len(records) <= 2_300, bool((records.record_id == truth.record_id).all())
    (True, True)
"""

from __future__ import annotations

import io
import sys
from importlib import resources
from pathlib import Path

import pandas as pd

__all__ = ["EXAMPLE_ENTITIES", "EXAMPLE_SEED", "load_example", "write_example"]

#: Entities in the bundled example (about 2,000 records).
EXAMPLE_ENTITIES = 950
#: Seed of the bundled example.
EXAMPLE_SEED = 2024
_RECORDS = "example_records.csv"
_TRUTH = "example_truth.csv"


def _read(name: str) -> pd.DataFrame:
    text = resources.files("custmatch.datasets").joinpath("data", name).read_text("utf-8")
    return pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False, na_values=[""])


def load_example() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Load the bundled example records and truth.

    Returns:
        ``(records, truth)`` as :func:`~custmatch.datasets.generate_customers` returns them:
        every column of ``object`` dtype holding ``str`` or NaN (empty cells are NaN; only
        ``truth.corruptions`` uses ``""`` for "no corruption"), rows aligned on ``record_id``.

    Example:
        >>> records, truth = load_example()
        >>> records.dtypes.unique().tolist() == [object], truth.entity_id.nunique()
        (True, 950)
    """
    records = _read(_RECORDS)
    truth = _read(_TRUTH)
    truth["corruptions"] = truth["corruptions"].fillna("")
    return records, truth


def write_example(directory: str | Path | None = None) -> tuple[Path, Path]:
    """Regenerate the example CSV files (default: the package's ``data`` directory).

    Returns:
        The paths of the records and truth files.
    """
    from custmatch.datasets.generator import generate_customers

    target = Path(directory) if directory is not None else Path(__file__).parent / "data"
    records, truth = generate_customers(EXAMPLE_ENTITIES, seed=EXAMPLE_SEED, difficulty="medium")
    paths = target / _RECORDS, target / _TRUTH
    records.to_csv(paths[0], index=False, lineterminator="\n")
    truth.to_csv(paths[1], index=False, lineterminator="\n")
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m custmatch.datasets.example [DIRECTORY]``."""
    args = sys.argv[1:] if argv is None else argv
    paths = write_example(args[0] if args else None)
    sys.stderr.write(f"wrote {paths[0]} and {paths[1]}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
