"""Tests for custmatch.normalize.phone: exact Dutch cases, properties, fast path == library."""

from __future__ import annotations

import random
import re

import pandas as pd
import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custmatch.normalize import phone as ph
from custmatch.normalize.phone import (
    PhoneDetails,
    is_valid_phone,
    normalize_phone,
    phone_column,
    phone_details,
    phone_kind,
)
from custmatch.normalize.wordlists import load_list

E164 = re.compile(r"\+[1-9][0-9]{6,14}")
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# (input, e164, kind, status, extension)
CASES: list[tuple[object, str | None, str | None, str, str | None]] = [
    # dutch.md section 8, cases 45-52
    ("06-12345678", "+31612345678", "mobile", "valid", None),
    ("+31 (0)6 1234 5678", "+31612345678", "mobile", "valid", None),
    ("0031612345678", "+31612345678", "mobile", "valid", None),
    ("020-1234567", "+31201234567", "fixed", "valid", None),
    ("0118-123456", "+31118123456", "fixed", "valid", None),
    ("088 1234567", "+31881234567", "organisation", "valid", None),
    ("0800-1234", "+318001234", "service", "valid", None),
    ("612345678", "+31612345678", "mobile", "repaired", None),
    ("06-1234567", None, None, "invalid", None),
    ("06-12345678 (na 18u)", "+31612345678", "mobile", "valid", None),
    ("020-1234567 tst. 12", "+31201234567", "fixed", "valid", "12"),
    # other notations from dutch.md section 3
    ("06 1234 5678", "+31612345678", "mobile", "valid", None),
    ("(06) 12345678", "+31612345678", "mobile", "valid", None),
    ("06.12.34.56.78", "+31612345678", "mobile", "valid", None),
    ("+310612345678", "+31612345678", "mobile", "valid", None),
    ("31612345678", "+31612345678", "mobile", "repaired", None),
    ("(020) 123 45 67", "+31201234567", "fixed", "valid", None),
    ("0031 (0)20 1234567", "+31201234567", "fixed", "valid", None),
    ("+31-20-1234567", "+31201234567", "fixed", "valid", None),
    ("020/1234567", "+31201234567", "fixed", "valid", None),
    ("0591-123456", "+31591123456", "fixed", "valid", None),
    ("0900-1234567", "+319001234567", "service", "valid", None),
    ("0909 1234", "+319091234", "service", "valid", None),
    ("085 1234567", "+31851234567", "voip", "valid", None),
    ("091 1234567", "+31911234567", "voip", "valid", None),
    ("084 1234567", "+31841234567", "personal", "valid", None),
    ("087 1234567", "+31871234567", "personal", "valid", None),
    ("066 1234567", "+31661234567", "pager", "valid", None),
    ("0970 12345678", "+3197012345678", "m2m", "valid", None),
    ("+3197012345678", "+3197012345678", "m2m", "valid", None),
    ("14020", "+3114020", "organisation", "valid", None),
    # pre-cleaning
    ("O6-12345678", "+31612345678", "mobile", "repaired", None),
    ("o20 1234567", "+31201234567", "fixed", "repaired", None),
    ("06-12345678 toestel 123", "+31612345678", "mobile", "valid", "123"),
    ("020 1234567 tst 4", "+31201234567", "fixed", "valid", "4"),
    ("+31 20 1234567 x 45", "+31201234567", "fixed", "valid", "45"),
    ("020-1234567 ext. 99", "+31201234567", "fixed", "valid", "99"),
    ("tel: 06 123 456 78", "+31612345678", "mobile", "valid", None),
    ("06-12345678 / 020-1234567", "+31612345678", "mobile", "valid", None),
    ("06-1234567 / 020-1234567", "+31201234567", "fixed", "valid", None),
    ("06-12345678, 020-1234567", "+31612345678", "mobile", "valid", None),
    ("06-12345678 of 020-1234567", "+31612345678", "mobile", "valid", None),
    ("werk 020 1234567 en mobiel 06 12345678", "+31201234567", "fixed", "valid", None),
    ("06-12345678 (privé)", "+31612345678", "mobile", "valid", None),
    # numbers from CSV columns
    (612345678, "+31612345678", "mobile", "repaired", None),
    (612345678.0, "+31612345678", "mobile", "repaired", None),
    (31201234567, "+31201234567", "fixed", "repaired", None),
    # foreign numbers are kept
    ("+32 2 555 12 12", "+3225551212", "fixed", "valid", None),
    ("+49 30 1234567", "+49301234567", "fixed", "valid", None),
    ("0049 30 1234567", "+49301234567", "fixed", "valid", None),
    ("+44 7911 123456", "+447911123456", "mobile", "valid", None),
    ("+1 212 555 0123", "+12125550123", "other", "valid", None),
    # placeholders and empties
    ("0612345678", None, None, "placeholder", None),
    ("0600000000", None, None, "placeholder", None),
    ("0000000000", None, None, "placeholder", None),
    ("0123456789", None, None, "placeholder", None),
    ("1234567890", None, None, "placeholder", None),
    ("06-11111111", None, None, "placeholder", None),
    ("+31 6 00000000", None, None, "invalid", None),
    (None, None, None, "empty", None),
    (float("nan"), None, None, "empty", None),
    ("", None, None, "empty", None),
    ("   ", None, None, "empty", None),
    ("geen", None, None, "empty", None),
    ("n.v.t.", None, None, "empty", None),
    ("112", None, None, "invalid", None),
    ("0123-456789", None, None, "invalid", None),
    ("06-123456789", None, None, "invalid", None),
]


@pytest.mark.parametrize(("raw", "e164", "kind", "status", "extension"), CASES)
def test_phone_details_exact_cases(
    raw: object, e164: str | None, kind: str | None, status: str, extension: str | None
) -> None:
    assert phone_details(raw) == PhoneDetails(e164, kind, extension, status)
    assert normalize_phone(raw) == e164
    assert phone_kind(raw) == kind
    assert is_valid_phone(raw) is (e164 is not None)


def test_phone_column_matches_exact_cases() -> None:
    raw = pd.Series([c[0] for c in CASES], index=range(100, 100 + len(CASES)), dtype=object)
    out = phone_column(raw)
    assert list(out.columns) == ["phone", "phone_kind", "phone_status"]
    assert out.index.equals(raw.index)
    assert out["phone"].tolist() == [c[1] for c in CASES]
    assert out["phone_kind"].tolist() == [c[2] for c in CASES]
    assert out["phone_status"].tolist() == [c[3] for c in CASES]


def test_phone_column_keeps_length_index_and_handles_numeric_dtypes() -> None:
    floats = pd.Series([612345678.0, None, 201234567.0, 612345678.0], index=list("abcd"))
    out = phone_column(floats)
    assert out.index.tolist() == list("abcd")
    assert out["phone"].tolist() == ["+31612345678", None, "+31201234567", "+31612345678"]
    ints = pd.Series([612345678, 201234567], dtype="int64")
    assert phone_column(ints)["phone_status"].tolist() == ["repaired", "repaired"]
    assert len(phone_column(pd.Series([], dtype=object))) == 0
    assert phone_column(["06-12345678"]).loc[0, "phone"] == "+31612345678"


def test_foreign_region_uses_library_path() -> None:
    assert normalize_phone("02 555 12 12", region="BE") == "+3225551212"
    out = phone_column(pd.Series(["02 555 12 12"]), region="BE")
    assert out.loc[0, "phone"] == "+3225551212"


def test_nl_type_table_agrees_with_phonenumbers() -> None:
    rnd = random.Random(7)
    for length in range(7, 12):
        for prefix in range(100, 1000):
            nsn = str(prefix) + "".join(rnd.choice("0123456789") for _ in range(length - 3))
            table = ph._nl_type(length, nsn[:3])
            number = phonenumbers.PhoneNumber(country_code=31, national_number=int(nsn))
            if table != ph._UNSAFE:
                assert table == phonenumbers.number_type(number), nsn


def test_nl_area_codes_come_from_metadata() -> None:
    fixed = {p for p in map(str, range(100, 1000)) if ph._nl_type(9, p) == 0}
    assert {"201", "101", "118", "591", "223", "704"} <= fixed  # 020, 010, 0118, 0591, ...
    assert not fixed & {"612", "800", "900", "881", "851", "970"}


def test_phone_data_files_are_clean() -> None:
    for entry in load_list("phone_placeholders.txt"):
        assert entry == "".join(entry.split()) and entry.isdigit()
    assert {"toestel", "tst", "x"} <= set(load_list("phone_extension_words.txt"))


# --- generated inputs ---------------------------------------------------------------------

_PREFIXES = [
    "0",
    "0",
    "0",
    "+31",
    "+31 ",
    "+31(0)",
    "+31 (0)",
    "+310",
    "0031",
    "0031 ",
    "0031 (0)",
    "00310",
    "31",
    "",
    "",
    "(0",
    "+",
    "00",
    "+32 ",
    "+49 ",
    "(+31) ",
    "O",
]
_SEPARATORS = ["", "", " ", "-", ".", "  ", " - ", ") ", "(", "/", " / "]
_TRAILERS = [
    "",
    "",
    "",
    " (na 18u)",
    " tst. 12",
    " toestel 3",
    " x12",
    " ext 7",
    "o",
    " of 06-12345678",
    ", 020 1234567",
    " mobiel",
    " (werk)",
    "/87654321",
    " #1",
]


@st.composite
def dutch_phone_strings(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(_PREFIXES))
    first = draw(st.sampled_from("66666622221345789"))
    rest = draw(st.text(alphabet="0123456789", min_size=0, max_size=12))
    digits = first + rest
    out = [prefix]
    pos = 0
    while pos < len(digits):
        step = draw(st.integers(1, 4))
        out.append(digits[pos : pos + step])
        out.append(draw(st.sampled_from(_SEPARATORS)))
        pos += step
    out.append(draw(st.sampled_from(_TRAILERS)))
    return "".join(out).strip() if draw(st.booleans()) else "".join(out)


def _check_output(details: PhoneDetails) -> None:
    if details.e164 is None:
        assert details.kind is None
        assert details.status in {"empty", "invalid", "placeholder"}
        return
    assert E164.fullmatch(details.e164)
    assert phonenumbers.is_valid_number(phonenumbers.parse(details.e164, None))
    assert details.status in {"valid", "repaired"}
    assert details.kind is not None


@PROPS
@given(st.lists(dutch_phone_strings() | st.text(max_size=30), min_size=1, max_size=25))
def test_fast_path_equals_library_path(values: list[str]) -> None:
    series = pd.Series(values, dtype=object)
    fast = phone_column(series)
    for i, value in enumerate(values):
        expected = phone_details(value)
        assert (fast.at[i, "phone"], fast.at[i, "phone_kind"], fast.at[i, "phone_status"]) == (
            expected.e164,
            expected.kind,
            expected.status,
        ), value


@PROPS
@given(dutch_phone_strings() | st.text() | st.integers(0, 10**12) | st.floats())
def test_phone_details_total_valid_and_idempotent(value: object) -> None:
    details = phone_details(value)
    _check_output(details)
    if details.e164 is not None:
        again = phone_details(details.e164)
        assert again.e164 == details.e164
        assert again.kind == details.kind
        assert normalize_phone(normalize_phone(value)) == normalize_phone(value)


@PROPS
@given(st.text(alphabet="0123456789 +-().oO/", max_size=20))
def test_fast_path_equals_library_path_on_separator_soup(value: str) -> None:
    assert ph._column_value(value, "NL") == phone_details(value)


# --- the array fast path of phone_column (_plain_dutch) ---------------------------------------

_PLAIN_CASES = [
    "06-12345678", "0612345678", "06 1234 5678", "(06) 12345678", "+31612345678",
    "+31 (0)6 1234 5678", "+310612345678", "0031612345678", "0031 0 6 12345678", "00310612345678",
    "612345678", "31612345678", "+3161234567", "06-1234567", "06-11111111", "0611111111",
    "0612345678", "06 12 34 56 78", "0123456789", "1234567890", "0000000000", "0800-1234",
    "0900 1234567", "088 1234567", "085 1234567", "084 1234567", "087 1234567", "066 1234567",
    "+3197012345678", "097012345678", "14 020", "+32 2 555 12 12", "+4930123456", "+",
    "++31612345678", "+31+612345678", "+ 31612345678", "(+31) 612345678", "-06-12345678-",
    "06-12345678+", " 06-12345678 ", ".06.12345678.", "0.6.1.2.3.4.5.6.7.8", "0" * 24,
    "06-123456789012345678", "06-12345678\x00", "06\u00a012345678", "٠٦١٢٣٤٥٦٧٨",
    "020-1234567", "0118-123456", "010 - 123 45 67", "(0118) 12 34 56", "9999999999",
]


@pytest.mark.parametrize("value", _PLAIN_CASES)
def test_array_fast_path_equals_scalar_path(value: str) -> None:
    got = phone_column(pd.Series([value], dtype=object)).iloc[0]
    expected = phone_details(value)
    assert (got["phone"], got["phone_kind"], got["phone_status"]) == (
        expected.e164, expected.kind, expected.status)


@PROPS
@given(st.lists(st.text(alphabet="0123456789 +-().", min_size=1, max_size=26), min_size=1,
                max_size=40))
def test_array_fast_path_equals_scalar_path_on_plain_strings(values: list[str]) -> None:
    table = ph.phone_table(pd.Series(values, dtype=object).unique())
    for i, value in enumerate(pd.Series(values, dtype=object).unique()):
        expected = phone_details(value)
        assert (table["phone"][i], table["phone_kind"][i], table["phone_status"][i]) == (
            expected.e164, expected.kind, expected.status), value


def test_phone_table_has_a_null_entry_and_decides_most_plain_numbers() -> None:
    import numpy as np

    # 06-12345678 has the digits of a listed placeholder: the scalar path decides it
    values = np.array(["06-23456789", "020 1234567", "geen", "06-12345678"], dtype=object)
    table = ph.phone_table(values)
    assert table["phone"].tolist() == ["+31623456789", "+31201234567", None, "+31612345678",
                                       None]
    assert table["phone_status"].tolist() == ["valid", "valid", "empty", "valid", "empty"]
    decided = ph._plain_dutch(values, *(np.full(5, None, dtype=object) for _ in range(3)))
    assert decided.tolist() == [True, True, False, False]
