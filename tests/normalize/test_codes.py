"""Tests for custmatch.normalize.codes: gender and consent fields."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custmatch.errors import InputError
from custmatch.normalize.codes import (
    consent_column,
    gender_column,
    normalize_gender,
    parse_consent,
)

GENDER_CASES: list[tuple[object, str | None]] = [
    ("M", "M"),
    ("m", "M"),
    ("V", "F"),
    ("v", "F"),
    ("F", "F"),
    ("man", "M"),
    ("Vrouw", "F"),
    ("MALE", "M"),
    ("female", "F"),
    ("Mannelijk", "M"),
    ("vrouwelijk", "F"),
    ("heer", "M"),
    ("De heer", "M"),
    ("Dhr.", "M"),
    ("mevrouw", "F"),
    ("Mevr.", "F"),
    ("Mw.", "F"),
    ("X", "X"),
    ("divers", "X"),
    ("Anders", "X"),
    ("non-binair", "X"),
    ("m/v", None),
    ("M/V", None),
    ("onbekend", None),
    ("Mr.", None),  # Dutch law degree, not "Mister" (dutch.md case 13)
    ("1", None),  # ambiguous numeric code
    ("2", None),
    (1, None),
    ("", None),
    ("  ", None),
    (None, None),
    (float("nan"), None),
    ("fam.", None),
    ("mannen", None),
]


@pytest.mark.parametrize(("raw", "expected"), GENDER_CASES, ids=[repr(c[0]) for c in GENDER_CASES])
def test_normalize_gender_table(raw: object, expected: str | None) -> None:
    assert normalize_gender(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", "M"), ("2", "F"), (2.0, "F"), ("0", None), ("9", None), ("V", "F")]
)
def test_normalize_gender_iso5218(raw: object, expected: str | None) -> None:
    assert normalize_gender(raw, numeric="iso5218") == expected


def test_normalize_gender_bad_numeric_option() -> None:
    with pytest.raises(InputError):
        normalize_gender("M", numeric="sap")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        gender_column(pd.Series(["M"]), numeric="sap")  # type: ignore[arg-type]


CONSENT_CASES: list[tuple[object, bool | None]] = [
    ("ja", True),
    ("Ja", True),
    ("J", True),
    ("yes", True),
    ("Y", True),
    ("true", True),
    ("TRUE", True),
    ("1", True),
    (1, True),
    (1.0, True),
    (True, True),
    (np.bool_(True), True),
    ("opt-in", True),
    ("Opt in", True),
    ("optin", True),
    ("aangemeld", True),
    ("toestemming", True),
    ("Akkoord", True),
    ("nee", False),
    ("N", False),
    ("no", False),
    ("false", False),
    ("0", False),
    (0, False),
    (False, False),
    ("opt-out", False),
    ("OPTOUT", False),
    ("afgemeld", False),
    ("uitgeschreven", False),
    ("bezwaar", False),
    ("Bel mij niet", False),
    ("bel-me-niet", False),
    ("geen toestemming", False),
    ("", None),
    (None, None),
    (float("nan"), None),
    (pd.NA, None),
    ("misschien", None),
    ("ja, graag", None),
    ("2", None),
    ("x", None),
    ("onbekend", None),
]


@pytest.mark.parametrize(
    ("raw", "expected"), CONSENT_CASES, ids=[repr(c[0]) for c in CONSENT_CASES]
)
def test_parse_consent_table(raw: object, expected: bool | None) -> None:
    assert parse_consent(raw) is expected


def test_gender_column_keeps_index_and_matches_scalar() -> None:
    raw = [c[0] for c in GENDER_CASES]
    series = pd.Series(raw, index=range(100, 100 + len(raw)), dtype=object)
    result = gender_column(series)
    assert result.index.equals(series.index)
    assert result.dtype == object
    assert result.name == "gender"
    assert result.tolist() == [normalize_gender(v) for v in raw]


def test_consent_column_keeps_index_and_matches_scalar() -> None:
    raw = [c[0] for c in CONSENT_CASES if not isinstance(c[0], (bool, np.bool_))]
    series = pd.Series(raw, index=list(reversed(range(len(raw)))), dtype=object)
    result = consent_column(series)
    assert result.index.equals(series.index)
    assert str(result.dtype) == "boolean"
    assert result.name == "consent"
    expected = [parse_consent(v) for v in raw]
    assert [None if v is pd.NA else bool(v) for v in result.tolist()] == expected


def test_columns_on_empty_and_bool_series() -> None:
    assert len(gender_column(pd.Series([], dtype=object))) == 0
    assert len(consent_column(pd.Series([], dtype=object))) == 0
    assert consent_column(pd.Series([True, False, None], dtype=object)).tolist() == [
        True,
        False,
        pd.NA,
    ]


_values = st.one_of(
    st.text(max_size=20),
    st.sampled_from([c[0] for c in GENDER_CASES + CONSENT_CASES]),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_codes_never_raise(value: object) -> None:
    assert normalize_gender(value) in ("M", "F", "X", None)
    assert normalize_gender(value, numeric="iso5218") in ("M", "F", "X", None)
    assert parse_consent(value) in (True, False, None)


@settings(max_examples=100, deadline=None)
@given(st.lists(_values, max_size=20))
def test_columns_match_scalar(values: list[object]) -> None:
    series = pd.Series(values, dtype=object)
    assert gender_column(series).tolist() == [normalize_gender(v) for v in values]
    consent = [None if v is pd.NA else bool(v) for v in consent_column(series).tolist()]
    assert consent == [parse_consent(v) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([c[0] for c in GENDER_CASES if isinstance(c[0], str)]))
def test_normalize_gender_is_idempotent(value: str) -> None:
    first = normalize_gender(value)
    assert first is None or normalize_gender(first) == first
