"""Tests for custmatch.normalize.identifiers: dutch.md cases 64-67 and the stdnum-style contract."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custmatch.errors import CustmatchWarning, InputError
from custmatch.normalize.identifiers import (
    IdentifierParts,
    btw_may_contain_bsn,
    compact_bsn,
    find_bsn_columns,
    format_bsn,
    format_iban,
    is_valid_bsn,
    is_valid_btw,
    is_valid_iban,
    is_valid_kvk,
    is_valid_rsin,
    looks_like_bsn,
    mask_bsn,
    mask_bsn_columns,
    normalize_bsn,
    normalize_btw,
    normalize_iban,
    normalize_id_number,
    normalize_kvk,
    normalize_rsin,
    parse_btw,
    parse_kvk,
    validate_bsn,
    validate_btw,
    validate_iban,
    validate_kvk,
    validate_rsin,
)

BSN_CASES: list[tuple[object, bool]] = [
    ("123456782", True),  # dutch.md 64
    ("123456789", False),  # dutch.md 64
    ("111222333", True),
    ("000000000", False),
    ("1234.56.782", True),
    ("123 456 782", True),
    (" 123-456-782 ", True),
    ("12345672", True),  # 8 digits: leading 0 restored -> 012345672
    (12345672, True),
    (123456782, True),
    (123456782.0, True),
    ("12345678", False),
    ("1234567820", False),
    ("12345678a", False),
    ("", False),
    (None, False),
    (float("nan"), False),
]


@pytest.mark.parametrize(("raw", "valid"), BSN_CASES, ids=[repr(c[0]) for c in BSN_CASES])
def test_is_valid_bsn_table(raw: object, valid: bool) -> None:
    assert is_valid_bsn(raw) is valid
    assert (normalize_bsn(raw) is not None) is valid


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("12a456782", "invalid_format"),
        ("1234567", "invalid_length"),
        ("123456789", "invalid_checksum"),
        ("000000000", "invalid_checksum"),
    ],
)
def test_validate_bsn_reason_and_no_number_in_message(raw: str, reason: str) -> None:
    with pytest.raises(InputError) as info:
        validate_bsn(raw)
    assert info.value.reason == reason  # type: ignore[attr-defined]
    if raw:
        assert raw not in str(info.value)


def test_bsn_compact_format_validate() -> None:
    assert compact_bsn("1234.56.782") == "123456782"
    assert validate_bsn("12345672") == "012345672"
    assert format_bsn("123456782") == "1234.56.782"
    assert format_bsn("1234") == "1234"


@pytest.mark.parametrize(
    ("raw", "looks"),
    [
        ("123456782", True),
        ("1234.56.782", True),
        ("123 456 782", True),
        ("12345672", False),  # 8-digit string: rather a KvK number or a date
        (12345672, True),  # 8-digit number: leading zero lost in a spreadsheet
        (np.int64(123456782), True),
        ("123456789", False),
        ("12 345 6782", False),
        ("bsn 123456782", False),
        (True, False),
        (None, False),
    ],
)
def test_looks_like_bsn(raw: object, looks: bool) -> None:
    assert looks_like_bsn(raw) is looks


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("bsn 123456782", "bsn *********"),
        ("BSN: 1234.56.782.", "BSN: ****.**.***."),
        ("123 456 782 en 111222333", "*** *** *** en *********"),
        ("klantnr 123456789", "klantnr 123456789"),
        ("tel 0612345678", "tel 0612345678"),
        ("1234567820", "1234567820"),
        ("NL123456782B01", "NL*********B01"),
        ("NL91ABNA0417164300", "NL91ABNA0417164300"),
        ("", ""),
    ],
)
def test_mask_bsn(text: str, masked: str) -> None:
    assert mask_bsn(text) == masked


def test_mask_bsn_non_strings() -> None:
    assert mask_bsn(None) == ""
    assert mask_bsn(123456782) == "*********"


def test_find_bsn_columns() -> None:
    frame = pd.DataFrame(
        {
            "klantnummer": [123456789, 100000001, 100000002, 100000003],
            "sofinummer": ["123456782", "111222333", None, "012345672"],
            "bsn_float": [123456782.0, 111222333.0, np.nan, 12345672.0],
            "kvk": ["30123456", "12345672", "01234567", "11111111"],
            "naam": ["Jansen", "de Vries", "Bakker", "Visser"],
            "leeg": [None, None, None, None],
            "datum": pd.to_datetime(["1975-04-03"] * 4),
        }
    )
    assert find_bsn_columns(frame) == ["sofinummer", "bsn_float"]
    assert find_bsn_columns(frame, min_share=1.0) == ["sofinummer", "bsn_float"]
    big = pd.DataFrame({"x": ["123456782"] * 5000})
    assert find_bsn_columns(big, sample=10) == ["x"]


def test_find_bsn_columns_warns_without_values() -> None:
    frame = pd.DataFrame({"bsn": ["123456782"]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert find_bsn_columns(frame, warn=True) == ["bsn"]
    assert len(caught) == 1
    assert issubclass(caught[0].category, CustmatchWarning)
    assert "123456782" not in str(caught[0].message)


def test_find_bsn_columns_bad_arguments() -> None:
    with pytest.raises(InputError):
        find_bsn_columns(pd.DataFrame(), sample=0)
    with pytest.raises(InputError):
        find_bsn_columns(pd.DataFrame(), min_share=0)


def test_rsin() -> None:
    assert is_valid_rsin("002054115")
    assert not is_valid_rsin("002054118")
    assert normalize_rsin("0020.54.115") == "002054115"
    assert validate_rsin("0020.54.115") == "002054115"
    with pytest.raises(InputError) as info:
        validate_rsin("002054118")
    assert info.value.reason == "invalid_checksum"  # type: ignore[attr-defined]


KVK_CASES: list[tuple[object, IdentifierParts]] = [
    ("3012 3456", IdentifierParts("30123456", "valid", None)),  # dutch.md 67
    ("1234567", IdentifierParts("01234567", "repaired", "padded")),  # dutch.md 67
    (1234567, IdentifierParts("01234567", "repaired", "padded")),
    (30123456.0, IdentifierParts("30123456", "valid", None)),
    ("KvK-nummer: 30123456", IdentifierParts("30123456", "valid", None)),
    ("30.12.34.56", IdentifierParts("30123456", "valid", None)),
    ("000000001234", IdentifierParts(None, "invalid", "invalid_length")),
    ("00000000", IdentifierParts(None, "invalid", "invalid_component")),
    ("3012345X", IdentifierParts(None, "invalid", "invalid_format")),
    ("", IdentifierParts(None, "empty", None)),
    (None, IdentifierParts(None, "empty", None)),
]


@pytest.mark.parametrize(("raw", "parts"), KVK_CASES, ids=[repr(c[0]) for c in KVK_CASES])
def test_parse_kvk_table(raw: object, parts: IdentifierParts) -> None:
    assert parse_kvk(raw) == parts
    assert normalize_kvk(raw) == parts.value
    assert is_valid_kvk(raw) is (parts.status == "valid")


def test_validate_kvk() -> None:
    assert validate_kvk("30123456") == "30123456"
    for raw, reason in [("1234567", "invalid_length"), ("", "empty"), ("x", "invalid_format")]:
        with pytest.raises(InputError) as info:
            validate_kvk(raw)
        assert info.value.reason == reason  # type: ignore[attr-defined]


IBAN_CASES: list[tuple[object, str | None]] = [
    ("NL91 ABNA 0417 1643 00", "NL91ABNA0417164300"),  # dutch.md 65
    ("NL92ABNA0417164300", None),  # dutch.md 65: mod 97 fails
    ("nl91abna0417164300", "NL91ABNA0417164300"),
    ("IBAN: NL91-ABNA-0417-1643-00", "NL91ABNA0417164300"),
    ("NL91ABNA041716430", None),  # too short
    ("NL911BNA0417164300", None),  # bank code must be letters
    ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
    ("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432"),
    ("0417164300", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), IBAN_CASES, ids=[repr(c[0]) for c in IBAN_CASES])
def test_normalize_iban_table(raw: object, expected: str | None) -> None:
    assert normalize_iban(raw) == expected
    assert is_valid_iban(raw) is (expected is not None)


def test_iban_validate_and_format() -> None:
    assert validate_iban("NL91ABNA0417164300") == "NL91ABNA0417164300"
    assert format_iban("NL91ABNA0417164300") == "NL91 ABNA 0417 1643 00"
    for raw, reason in [
        ("", "empty"),
        ("NL91", "invalid_format"),
        ("NL92ABNA0417164300", "invalid_checksum"),
    ]:
        with pytest.raises(InputError) as info:
            validate_iban(raw)
        assert info.value.reason == reason  # type: ignore[attr-defined]


BTW_CASES: list[tuple[object, IdentifierParts]] = [
    ("nl 0000.99998.b57", IdentifierParts("NL000099998B57", "valid", None)),  # dutch.md 66
    ("NL004495445B01", IdentifierParts("NL004495445B01", "valid", None)),  # dutch.md 66
    ("NL000099998B58", IdentifierParts(None, "invalid", "invalid_checksum")),
    ("NL123456789B01", IdentifierParts(None, "invalid", "invalid_checksum")),
    ("NL123456782B01", IdentifierParts("NL123456782B01", "valid", None)),
    ("004495445B01", IdentifierParts("NL004495445B01", "repaired", "country_added")),
    ("NL004495445", IdentifierParts(None, "invalid", "invalid_format")),
    ("BE0123456789", IdentifierParts(None, "invalid", "invalid_format")),
    ("", IdentifierParts(None, "empty", None)),
]


@pytest.mark.parametrize(("raw", "parts"), BTW_CASES, ids=[repr(c[0]) for c in BTW_CASES])
def test_parse_btw_table(raw: object, parts: IdentifierParts) -> None:
    assert parse_btw(raw) == parts
    assert normalize_btw(raw) == parts.value
    assert is_valid_btw(raw) is (parts.status == "valid")


def test_btw_validate_and_bsn_hint() -> None:
    assert validate_btw("NL 004495445 B01") == "NL004495445B01"
    with pytest.raises(InputError) as info:
        validate_btw("NL123456782B0")
    assert info.value.reason == "invalid_format"  # type: ignore[attr-defined]
    assert "123456782" not in str(info.value)
    assert btw_may_contain_bsn("NL123456782B01")
    assert not btw_may_contain_bsn("NL000099998B57")
    assert not btw_may_contain_bsn("garbage")


_anything = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A(NL)?[0-9 .]{6,14}(B[0-9]{2})?\Z"),
    st.integers(),
    st.floats(allow_nan=True),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(_anything)
def test_predicates_never_raise(value: object) -> None:
    for predicate in (
        is_valid_bsn,
        is_valid_rsin,
        is_valid_kvk,
        is_valid_iban,
        is_valid_btw,
        looks_like_bsn,
        btw_may_contain_bsn,
    ):
        assert predicate(value) in (True, False)
    for normalizer in (normalize_bsn, normalize_rsin, normalize_kvk, normalize_iban, normalize_btw):
        result = normalizer(value)
        assert result is None or normalizer(result) == result  # idempotent
    assert isinstance(mask_bsn(value), str)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\A[0-9]{9}\Z"))
def test_bsn_checksum_properties(digits: str) -> None:
    assert is_valid_bsn(digits) == (looks_like_bsn(digits))
    masked = mask_bsn(f"x {digits} y")
    assert (masked == "x ********* y") is is_valid_bsn(digits)
    if is_valid_bsn(digits):
        with pytest.raises(InputError):
            validate_bsn(digits[:8] + str((int(digits[8]) + 1) % 10))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_mask_bsn_keeps_length_and_is_idempotent(text: str) -> None:
    masked = mask_bsn(text)
    assert len(masked) == len(text)
    assert mask_bsn(masked) == masked


# ------------------------------------------------------------------ identity numbers
@pytest.mark.parametrize(("raw", "key"), [
    ("NX-12 34.5a", "NX12345A"),       # Dutch passport number, separators and case dropped
    ("IAB123456", "IAB123456"),
    (" 1804974 ", "1804974"),          # FEBRL's soc_sec_id as text
    (1804974, "1804974"),              # ... and as a number from a spreadsheet
    (1804974.0, "1804974"),
    ("12/34/56", "123456"),
    ("*********", None),               # a BSN masked by mask_bsn is no key
    ("12**5678", None),
    ("onbekend", None),                # no digit
    ("123", None),                     # too short
    ("", None),
    (None, None),
    (float("nan"), None),
    (12.5, None),
    (True, None),
    ("ÅB12345", None),                 # not an identity-document alphabet
])
def test_normalize_id_number_table(raw: object, key: str | None) -> None:
    assert normalize_id_number(raw) == key


@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.none()))
@settings(max_examples=300)
def test_normalize_id_number_is_total_and_idempotent(raw: object) -> None:
    key = normalize_id_number(raw)
    assert key is None or (key.isalnum() and key == key.upper() and len(key) >= 4)
    assert key is None or normalize_id_number(key) == key


def test_normalize_frame_reads_identity_numbers_under_their_headers() -> None:
    from custmatch.normalize import normalize_frame

    raw = pd.DataFrame({"record_id": ["a", "b", "c"], "Achternaam": ["Jansen"] * 3,
                        "Paspoortnummer": ["nx-12 34.5a", None, "*********"]})
    out = normalize_frame(raw)
    keys = [v if pd.notna(v) else None for v in out["id_number"]]  # NaN on pandas 3
    assert keys == ["NX12345A", None, None]
    febrl = pd.DataFrame({"record_id": ["a"], "surname": ["green"], "soc_sec_id": ["1804974"]})
    assert normalize_frame(febrl)["id_number"].tolist() == ["1804974"]
    assert normalize_frame(raw[["record_id", "Achternaam"]])["id_number"].isna().all()


# ------------------------------------------------------------------ masking BSN columns
def test_mask_bsn_columns_masks_bsn_like_columns_and_names_them_in_a_warning() -> None:
    df = pd.DataFrame({"klant": ["A1", "A2", "A3"],
                       "sofinr": ["123456782", None, "111222333"],
                       "telefoon": ["0612345678", "0201234567", None]})
    with pytest.warns(CustmatchWarning, match=r"\['sofinr'\]") as caught:
        out = mask_bsn_columns(df)
    assert "123456782" not in str(caught[0].message)  # names the column, never a value
    masked = [v if pd.notna(v) else None for v in out["sofinr"]]  # NaN on pandas 3
    assert masked == ["*********", None, "*********"]
    assert out["klant"].tolist() == ["A1", "A2", "A3"]
    assert out["telefoon"].tolist() == df["telefoon"].tolist()
    assert df["sofinr"].tolist()[0] == "123456782"  # the input is left as it was


def test_mask_bsn_columns_passes_through_when_allowed_or_nothing_to_mask() -> None:
    df = pd.DataFrame({"sofinr": ["123456782"]})
    assert mask_bsn_columns(df, allow_bsn=True) is df
    plain = pd.DataFrame({"klant": ["A1"], "naam": ["Jansen"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mask_bsn_columns(plain) is plain
        assert mask_bsn_columns(df, warn=False)["sofinr"].tolist() == ["*********"]
    empty = pd.DataFrame()
    assert mask_bsn_columns(empty) is empty


@pytest.mark.parametrize("bad", [None, "123456782", ["123456782"], {"sofinr": ["123456782"]}])
def test_mask_bsn_columns_rejects_what_is_no_frame(bad: object) -> None:
    with pytest.raises(InputError, match="DataFrame"):
        mask_bsn_columns(bad)  # type: ignore[arg-type]
