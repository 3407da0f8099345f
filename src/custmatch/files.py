"""Reading customer exports (CSV, Parquet, Excel) and writing a run's outputs.

Reading: CSV files are decoded as UTF-8 (with or without a byte-order mark), UTF-16 with a
byte-order mark, or Windows-1252 (what Excel and many Dutch back-office systems export);
the delimiter is detected (``,``, ``;``, tab, ``|``). Every value is read as text, so
postcodes, phone numbers and customer numbers keep their leading zeros; only empty cells
are missing values ("NA" and "null" stay text: they can be names). A file that is none of
these encodings, binary, empty or missing raises :class:`~custmatch.errors.InputError`
naming the file and the problem.

Writing (:func:`write_outputs`): every file of a run goes to a temporary folder first and
is moved into place only when all were written, so a failed run leaves no partial output.

Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "crm.csv"
    >>> _ = path.write_bytes("Achternaam;Postcode\\nM\\xfcller;0123\\n".encode("cp1252"))
    >>> read_records(path).values.tolist()
    [['Müller', '0123']]
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from custmatch.errors import InputError
from custmatch.normalize.text import in_background

if TYPE_CHECKING:  # pragma: no cover
    from custmatch.pipeline import Result

__all__ = [
    "CSV_ENCODINGS",
    "OUTPUT_FILES",
    "decode_text",
    "has_parquet",
    "read_records",
    "write_outputs",
]

#: Encodings tried, in order, for a CSV file without an explicit encoding.
CSV_ENCODINGS = ("utf-8", "cp1252")

#: Tables a run writes (each as ``<name>.parquet`` or ``<name>.csv``).
OUTPUT_FILES = ("clusters", "golden", "lineage", "pairs")

_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


def has_parquet() -> bool:
    """True when pyarrow is installed (Parquet in and out)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


# ---------------------------------------------------------------------- reading
def decode_text(data: bytes, name: str = "input", encoding: str | None = None) -> tuple[str, str]:
    """Decode a text export; return ``(text, encoding used)``.

    Example:
        >>> decode_text("café".encode("cp1252"))
        ('café', 'cp1252')
    """
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except LookupError as exc:
            raise InputError(f"{name}: unknown encoding {encoding!r}") from exc
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: not readable as {encoding} (byte {exc.start}: "
                             f"{exc.reason})") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: starts as UTF-16 but does not decode as it") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:65536]:
        raise InputError(f"{name}: binary content (NUL bytes), not a text CSV export; "
                         "Excel and Parquet files need their own extension")
    for candidate in CSV_ENCODINGS:
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise InputError(f"{name}: unreadable encoding: neither UTF-8 nor Windows-1252 "
                     "(cp1252); give the encoding with --encoding (e.g. latin-1, cp850)")


def _delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        counts = {d: header.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _read_csv(path: Path, encoding: str | None) -> pd.DataFrame:
    """Detect the encoding and delimiter on the head of the file, then let pandas' C parser
    read the whole file; a later byte that does not decode falls back to the next encoding."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    if not head.strip():
        raise InputError(f"{path.name}: the file is empty (no header, no records)")
    text, detected = decode_text(head if len(head) < (1 << 20) else _whole_lines(head),
                                 path.name, encoding)
    sep = _delimiter(text)
    candidates = [detected] if encoding or detected == "utf-16" else \
        list(CSV_ENCODINGS[CSV_ENCODINGS.index(detected):])
    for k, candidate in enumerate(candidates):
        if candidate == "utf-8":
            fast = _read_utf8_csv_with_arrow(path, sep)
            if fast is not None:
                return fast
        try:
            return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False,
                               na_values=[""], encoding="utf-8-sig" if candidate == "utf-8"
                               else candidate)
        except UnicodeDecodeError as exc:
            if k + 1 == len(candidates):
                raise InputError(f"{path.name}: unreadable encoding: not {candidate} "
                                 f"throughout ({exc.reason} at byte {exc.start}); give the "
                                 "encoding with --encoding") from exc
        except (pd.errors.ParserError, csv.Error) as exc:
            raise InputError(f"{path.name}: not a readable CSV file: {exc}") from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _read_utf8_csv_with_arrow(path: Path, sep: str) -> pd.DataFrame | None:
    """A UTF-8 CSV file read by pyarrow's multi-threaded reader (a million rows: 0.5 s
    instead of 3 s), as pandas would read it: pandas' column names (duplicates renamed),
    every value text, only empty cells missing. ``None`` (pandas reads it then) without
    pyarrow, or when pyarrow refuses the file: bytes that are no UTF-8, a row with a
    different number of fields, a NUL byte in a value, anything it reads differently or
    not at all."""
    try:
        import pyarrow as pa
        from pyarrow import csv as arrow_csv
    except ImportError:
        return None
    if _has_nul(path):  # pandas' parser ends a value at a NUL byte, pyarrow keeps it
        return None
    try:
        header = pd.read_csv(path, sep=sep, dtype=str, nrows=0, encoding="utf-8-sig")
        names = [str(c) for c in header.columns]
        if len(set(names)) != len(names):
            return None
        table = arrow_csv.read_csv(
            path,
            read_options=arrow_csv.ReadOptions(column_names=names, skip_rows=1,
                                               encoding="utf8"),
            parse_options=arrow_csv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=arrow_csv.ConvertOptions(
                column_types={c: pa.string() for c in names}, null_values=[""],
                strings_can_be_null=True, quoted_strings_can_be_null=True))
    except Exception:  # any refusal: pandas reads the file and names the problem
        return None
    frame = table.to_pandas()
    if list(frame.columns) != list(header.columns):
        return None
    for column in [c for c in frame.columns if frame[c].dtype == np.dtype(object)]:
        values = frame[column].to_numpy()
        missing = pd.isna(values)
        if missing.any():  # as pandas reads an empty cell: NaN (pyarrow gives None)
            frame[column] = np.where(missing, np.nan, values)
    return frame


def _has_nul(path: Path) -> bool:
    """Whether the file holds a NUL byte (read in blocks; a million rows: ~0.1 s)."""
    with path.open("rb") as handle:
        while block := handle.read(1 << 24):
            if b"\x00" in block:
                return True
    return False


def _whole_lines(head: bytes) -> bytes:
    """The head of a file up to its last complete line (no character cut in two)."""
    cut = head.rfind(b"\n")
    return head[: cut + 1] if cut > 0 else head


def _read_parquet(path: Path) -> pd.DataFrame:
    if not has_parquet():
        raise InputError(f"{path.name}: reading Parquet needs pyarrow "
                         "(pip install 'custmatch[parquet]')")
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises its own error kinds for broken files
        raise InputError(f"{path.name}: not a readable Parquet file: {exc}") from exc


def _read_excel(path: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:
        raise InputError(f"{path.name}: reading Excel needs openpyxl "
                         "(pip install 'custmatch[excel]')") from exc
    try:
        return pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=str,
                             keep_default_na=False, na_values=[""])
    except ValueError as exc:
        raise InputError(f"{path.name}: {exc}") from exc
    except Exception as exc:  # openpyxl / zipfile errors for broken workbooks
        raise InputError(f"{path.name}: not a readable Excel workbook: {exc}") from exc


def read_records(path: str | os.PathLike[str], *, encoding: str | None = None,
                 sheet: str | int | None = None) -> pd.DataFrame:
    """Read one export as text columns: CSV (any delimiter), Parquet or Excel, by extension.

    Raises:
        InputError: missing file, unknown extension, unreadable encoding or content, no rows
            or no columns.
    """
    target = Path(path)
    if not target.exists():
        raise InputError(f"file not found: {target}")
    if not target.is_file():
        raise InputError(f"not a file: {target}")
    suffix = target.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        frame = _read_csv(target, encoding)
    elif suffix in _PARQUET_SUFFIXES:
        frame = _read_parquet(target)
    elif suffix in _EXCEL_SUFFIXES:
        frame = _read_excel(target, sheet)
    else:
        raise InputError(f"{target.name}: unknown file type {suffix or '(none)'!r}; use .csv, "
                         ".parquet or .xlsx")
    if frame.shape[1] == 0:
        raise InputError(f"{target.name}: no columns")
    if len(frame) == 0:
        raise InputError(f"{target.name}: a header but no records")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


# ---------------------------------------------------------------------- writing
def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists (collected phones, e-mails) as ``"a; b"`` text for CSV."""
    out = frame
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object and values.map(lambda v: isinstance(v, (list, tuple,
                                                                         np.ndarray))).any():
            if out is frame:
                out = frame.copy()
            out[column] = values.map(lambda v: "; ".join(map(str, v))
                                     if isinstance(v, (list, tuple, np.ndarray)) else v)
    return out


def _parquet_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns of mixed types (pass-through columns) as text, so pyarrow takes them."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype != object:
            continue
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind.startswith("mixed") or kind in ("decimal", "complex"):
            out[column] = values.map(lambda v: v if v is None or v is pd.NA or
                                     (isinstance(v, float) and np.isnan(v)) else str(v))
    return out


_BACKGROUND_CELLS = 5_000_000  # a table this large is written in a child process
_LARGE_DICTIONARY = 1 << 16  # categories above which a categorical is written plain


def _to_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Parquet with dictionary encoding except for categoricals of many categories (ids
    such as ``golden_id``/``record_id`` in the lineage): re-encoding their dictionary is
    slow and gives a larger file than plain values (lineage at 1M records: 4.8 s, 204 MB
    with it; 2.9 s, 104 MB without)."""
    plain = {c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)
             and len(frame[c].cat.categories) > _LARGE_DICTIONARY}
    dictionary = [str(c) for c in frame.columns if c not in plain]
    frame.to_parquet(path, index=False, use_dictionary=dictionary if plain else True)


def _write_table(frame: pd.DataFrame, folder: Path, name: str, parquet: bool) -> Path:
    if parquet:
        path = folder / f"{name}.parquet"
        try:
            _to_parquet(frame, path)
        except (TypeError, ValueError, ImportError, ArithmeticError):
            _to_parquet(_parquet_ready(frame), path)
        except Exception as exc:  # pyarrow.lib.ArrowException is not importable by name
            if "arrow" not in type(exc).__module__.lower():
                raise
            _to_parquet(_parquet_ready(frame), path)
        return path
    path = folder / f"{name}.csv"
    _csv_ready(frame).to_csv(path, index=False)
    return path


def _tables(result: Result, all_pairs: bool) -> dict[str, pd.DataFrame]:
    pairs = result.pairs
    if not all_pairs:
        pairs = pairs[pairs["match_probability"] >= result.settings.review_threshold]
    pairs = pairs.drop(columns=["left", "right"]).reset_index(drop=True)
    return {"clusters": result.clusters, "golden": result.golden, "lineage": result.lineage,
            "pairs": pairs}


def write_outputs(result: Result, folder: str | os.PathLike[str], *,
                  fmt: str = "auto", all_pairs: bool = False,
                  truth: pd.DataFrame | None = None,
                  extra: Mapping[str, Callable[[Path], Any]] | None = None) -> dict[str, Path]:
    """Write a run's tables, model, settings and report into ``folder``; return the paths.

    Tables (:data:`OUTPUT_FILES`) are Parquet when ``fmt`` is ``"parquet"`` or ``"auto"``
    with pyarrow installed, else CSV. ``pairs`` holds the pairs at or above the review
    threshold (every scored candidate pair with ``all_pairs``). Also ``model.json``,
    ``settings.json`` (repeats the run), ``report.html``, ``summary.txt`` and, with
    ``truth``, ``metrics.json``. ``extra`` maps more file names to writer functions.
    Nothing is left behind when a step fails.
    """
    from custmatch.report import write_report

    if fmt not in ("auto", "parquet", "csv"):
        raise InputError(f"output format must be auto, parquet or csv, got {fmt!r}")
    parquet = has_parquet() if fmt == "auto" else fmt == "parquet"
    if parquet and not has_parquet():
        raise InputError("Parquet output needs pyarrow (pip install 'custmatch[parquet]')")
    target = Path(folder)
    created = not target.exists()
    if target.exists() and not target.is_dir():
        raise InputError(f"output {target} exists and is not a folder")
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".custmatch-partial-", dir=target))
    try:
        # the largest table (the lineage: a dozen rows per golden record) is written by a
        # forked child process, which inherits it without copying; the others by two
        # threads while this one writes the model, settings and report (converting text
        # columns holds the GIL, so threads alone overlap little)
        frames = _tables(result, all_pairs)
        largest = max(frames, key=lambda name: frames[name].size)
        background = in_background(
            partial(_write_table, frames[largest], staging, largest, parquet),
            enabled=frames[largest].size >= _BACKGROUND_CELLS)
        try:
            with ThreadPoolExecutor(max_workers=2) as pool:
                tables = [pool.submit(_write_table, frame, staging, name, parquet)
                          for name, frame in frames.items() if name != largest]
                try:
                    others = [result.model.save(staging / "model.json"),
                              result.settings.save(staging / "settings.json"),
                              write_report(result, staging / "report.html", truth=truth)]
                finally:
                    written = [table.result() for table in tables]
            written.append(background.result())
        finally:
            background.cancel()
        written.extend(others)
        summary = staging / "summary.txt"
        summary.write_text(result.summary() + "\n", encoding="utf-8")
        written.append(summary)
        if truth is not None:
            metrics = staging / "metrics.json"
            metrics.write_text(json.dumps(result.metrics(truth), indent=2) + "\n",
                               encoding="utf-8")
            written.append(metrics)
        for name, writer in (extra or {}).items():
            writer(staging / name)
            written.append(staging / name)
        final = {}
        for path in written:
            destination = target / path.name
            os.replace(path, destination)
            final[path.stem if path.suffix != ".html" else "report"] = destination
        return final
    except BaseException:
        if created:
            shutil.rmtree(target, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
