"""Reading customer exports and writing a run's outputs."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from custmatch import InputError
from custmatch.files import decode_text, read_records

HEADER = "Klantnr;Achternaam;Postcode;Telefoon"
ROWS = ["007;Müller;0123;0612345678", "008;NA;1234 AB;"]


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("encoding", "prefix"), [
    ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("utf-16", b""),
])
def test_encodings_are_detected(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = "\r\n".join([HEADER, *ROWS]) + "\r\n"
    path = _write(tmp_path, "crm.csv", prefix + text.encode(encoding))
    frame = read_records(path)
    assert frame.columns.tolist() == ["Klantnr", "Achternaam", "Postcode", "Telefoon"]
    assert frame["Achternaam"].tolist() == ["Müller", "NA"]  # "NA" is a name, not missing
    assert frame["Klantnr"].tolist() == ["007", "008"]        # leading zeros kept
    assert frame["Postcode"].tolist() == ["0123", "1234 AB"]
    assert frame["Telefoon"].isna().tolist() == [False, True]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiters_are_detected(tmp_path: Path, sep: str) -> None:
    text = "\n".join(line.replace(";", sep) for line in [HEADER, *ROWS]) + "\n"
    frame = read_records(_write(tmp_path, "x.csv", text.encode("utf-8")))
    assert frame.shape == (2, 4)


def test_explicit_encoding_wins_and_bad_ones_are_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.csv", "naam\nJosé\n".encode("cp1252"))
    assert read_records(path, encoding="latin-1")["naam"].tolist() == ["José"]
    with pytest.raises(InputError, match="not readable as utf-8"):
        read_records(path, encoding="utf-8")
    with pytest.raises(InputError, match="unknown encoding"):
        read_records(path, encoding="klingon")


def test_decode_text_refuses_what_is_no_text() -> None:
    with pytest.raises(InputError, match="binary content"):
        decode_text(b"PK\x03\x04\x00\x00", "book.csv")
    with pytest.raises(InputError, match="unreadable encoding"):
        decode_text(b"naam\n\x81\x8d\x8f\x90\x9d\n", "odd.csv")
    assert decode_text("Zoë".encode())[1] == "utf-8"


def test_parquet_and_excel_are_read_as_given(tmp_path: Path) -> None:
    frame = pd.DataFrame({"Achternaam": ["Jansen", None], "Postcode": ["1234 AB", "0123"]})
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    frame.to_parquet(tmp_path / "x.parquet", index=False)
    back = read_records(tmp_path / "x.parquet")
    assert back["Postcode"].tolist() == ["1234 AB", "0123"]
    pytest.importorskip("openpyxl", reason="openpyxl is not installed")
    frame.to_excel(tmp_path / "x.xlsx", index=False)
    back = read_records(tmp_path / "x.xlsx")
    assert back["Achternaam"].tolist()[0] == "Jansen" and pd.isna(back["Achternaam"][1])


@pytest.mark.parametrize(("name", "data", "message"), [
    ("none.csv", None, "file not found"),
    ("empty.csv", b"  \n", "empty"),
    ("head.csv", b"naam;postcode\n", "no records"),
    ("x.docx", b"hello", "unknown file type"),
    ("broken.parquet", b"not parquet", "Parquet"),
    ("broken.xlsx", b"not a workbook", "Excel"),
])
def test_unreadable_files_name_the_problem(tmp_path: Path, name: str, data: bytes | None,
                                           message: str) -> None:
    path = tmp_path / name if data is None else _write(tmp_path, name, data)
    with pytest.raises(InputError, match=message):
        read_records(path)
    with pytest.raises(InputError, match="not a file"):
        read_records(tmp_path)


def test_a_windows_byte_after_the_first_megabyte_switches_to_cp1252(tmp_path: Path) -> None:
    rows = ["Achternaam;Postcode"] + [f"Jansen;{1000 + i % 9000} AB" for i in range(80_000)]
    data = ("\n".join(rows) + "\nCuraçao;1234 AB\n").encode("cp1252")
    assert len(data) > (1 << 20)
    frame = read_records(_write(tmp_path, "big.csv", data))
    assert len(frame) == 80_001
    assert frame["Achternaam"].iloc[-1] == "Curaçao"


_CELL = st.one_of(st.just(""), st.sampled_from(["NA", "null", " ", "0123", "van der Berg",
                                                 'Dhr. "Jan"', "a,b", "a;b", "regel\nregel",
                                                 "Müller", "ĳs", "\u00a0"]),
                  st.text(st.characters(blacklist_categories=("Cs",)), max_size=6))


@settings(max_examples=60, deadline=None)
@example(rows=[["", "", "\x00"]], sep=",", bom=False)  # pandas ends a value at a NUL byte
@given(st.lists(st.lists(_CELL, min_size=3, max_size=3), min_size=0, max_size=8),
       st.sampled_from([",", ";", "\t", "|"]), st.booleans())
def test_the_arrow_reader_reads_what_pandas_reads(tmp_path_factory, rows: list[list[str]],
                                                  sep: str, bom: bool) -> None:
    """Where pyarrow reads a UTF-8 export at all, it gives pandas' frame: same names,
    values, missing cells and dtypes (else pandas reads it)."""
    pytest.importorskip("pyarrow")
    from custmatch.files import _read_utf8_csv_with_arrow

    path = tmp_path_factory.mktemp("csv") / "export.csv"
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=sep)
        writer.writerow(["Naam", "Naam", "Plaats"])  # a repeated header name too
        writer.writerows(rows)
    expected = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                           encoding="utf-8-sig")
    found = _read_utf8_csv_with_arrow(path, sep)
    if found is not None:
        pd.testing.assert_frame_equal(found, expected)
        # missing cells are missing the same way (NaN), not merely both missing
        for column in range(found.shape[1]):
            assert [type(v) for v in found.iloc[:, column]] == \
                [type(v) for v in expected.iloc[:, column]]


def test_a_large_utf8_export_is_read_by_arrow_and_a_ragged_one_by_pandas(
        tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from custmatch.files import _read_utf8_csv_with_arrow

    good = _write(tmp_path, "good.csv", (HEADER + "\n" + "\n".join(ROWS) + "\n").encode())
    assert _read_utf8_csv_with_arrow(good, ";") is not None
    assert read_records(good).fillna("-").values.tolist() == [
        ["007", "Müller", "0123", "0612345678"], ["008", "NA", "1234 AB", "-"]]
    ragged = _write(tmp_path, "ragged.csv", (HEADER + "\n007;Müller\n").encode())
    assert _read_utf8_csv_with_arrow(ragged, ";") is None  # pandas fills the missing cells
    assert read_records(ragged).fillna("-").values.tolist() == [["007", "Müller", "-", "-"]]
