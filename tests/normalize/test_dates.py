"""Tests for custmatch.normalize.dates: dutch.md cases 58-63, notations, flags, the column."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custmatch.errors import InputError
from custmatch.normalize.dates import (
    EXCEL_EPOCH,
    DateParts,
    date_column,
    parse_date,
    parse_date_details,
)

TODAY = dt.date(2026, 1, 15)
D = dt.date

# (input, expected date, expected status)
CASES: list[tuple[object, dt.date | None, str]] = [
    # dutch.md 58
    ("03-04-1975", D(1975, 4, 3), "valid"),
    ("3 apr. 1975", D(1975, 4, 3), "valid"),
    ("19750403", D(1975, 4, 3), "valid"),
    # dutch.md 59
    ("03 mrt 1975", D(1975, 3, 3), "valid"),
    ("3 maart 1975", D(1975, 3, 3), "valid"),
    ("17 okt 1980", D(1980, 10, 17), "valid"),
    # dutch.md 60-62
    ("1-5-75", D(1975, 5, 1), "repaired"),
    ("31-04-1975", None, "invalid"),
    ("01-01-1900", None, "placeholder"),
    # other numeric notations
    ("3-4-1975", D(1975, 4, 3), "valid"),
    ("03/04/1975", D(1975, 4, 3), "valid"),
    ("03.04.1975", D(1975, 4, 3), "valid"),
    ("03 04 1975", D(1975, 4, 3), "valid"),
    ("03/04/75", D(1975, 4, 3), "repaired"),
    ("03.04.'75", D(1975, 4, 3), "repaired"),
    ("29-02-2000", D(2000, 2, 29), "valid"),
    ("29-02-1999", None, "invalid"),
    ("00-04-1975", None, "invalid"),
    ("03-13-1975", None, "invalid"),
    ("03-04/1975", None, "invalid"),
    # ISO, with and without a time part
    ("1975-04-03", D(1975, 4, 3), "valid"),
    ("1975-4-3", D(1975, 4, 3), "valid"),
    ("1975/04/03", D(1975, 4, 3), "valid"),
    ("1975-04-03 00:00:00", D(1975, 4, 3), "valid"),
    ("1975-04-03T23:59:59.123Z", D(1975, 4, 3), "valid"),
    ("1975-04-03 10:00:00+02:00", D(1975, 4, 3), "valid"),
    ("03-04-1975 12:30", D(1975, 4, 3), "valid"),
    # month names, abbreviations, weekdays, English
    ("7 maart 1980", D(1980, 3, 7), "valid"),
    ("7 mrt. 1980", D(1980, 3, 7), "valid"),
    ("7 MAA 1980", D(1980, 3, 7), "valid"),
    ("3 apr. '75", D(1975, 4, 3), "repaired"),
    ("03-APR-75", D(1975, 4, 3), "repaired"),
    ("1 sept 1975", D(1975, 9, 1), "valid"),
    ("1 oct 1975", D(1975, 10, 1), "valid"),
    ("12 mei 1960", D(1960, 5, 12), "valid"),
    ("12 May 1960", D(1960, 5, 12), "valid"),
    ("April 3, 1975", D(1975, 4, 3), "valid"),
    ("3rd April 1975", D(1975, 4, 3), "valid"),
    ("za 7 maart 1980", D(1980, 3, 7), "valid"),
    ("Vrijdag, 7 maart 1980", D(1980, 3, 7), "valid"),
    ("Fri, 7 Mar 1980", D(1980, 3, 7), "valid"),
    ("di. 03-04-1975", D(1975, 4, 3), "valid"),
    ("3 foo 1975", None, "invalid"),
    # eight digits: yyyymmdd first, else ddmmyyyy
    ("20121975", D(1975, 12, 20), "valid"),
    ("01021990", D(1990, 2, 1), "valid"),
    ("20010203", D(2001, 2, 3), "valid"),
    ("19750431", None, "invalid"),
    (19750403, D(1975, 4, 3), "valid"),
    # Excel serials (documented range 10000..80000)
    ("29221", D(1980, 1, 1), "repaired"),
    (29221, D(1980, 1, 1), "repaired"),
    (29221.75, D(1980, 1, 1), "repaired"),
    ("29221,5", D(1980, 1, 1), "repaired"),
    ("9999", None, "future"),
    ("123", None, "invalid"),
    ("99999", None, "invalid"),
    # two-digit years around today (2026-01-15)
    ("01-01-26", D(2026, 1, 1), "repaired"),
    ("01-02-26", None, "future"),
    ("01-01-27", D(1927, 1, 1), "repaired"),
    # year only, month and year
    ("1975", None, "year_only"),
    ("maart 1975", None, "year_only"),
    ("03-1975", None, "year_only"),
    ("1975-03", None, "year_only"),
    ("13-1975", None, "invalid"),
    ("1850", None, "too_old"),
    # placeholders, future, too old
    ("01-01-1901", None, "placeholder"),
    ("01-01-1970", None, "placeholder"),
    ("1970-01-01", None, "placeholder"),
    ("11-11-1111", None, "placeholder"),
    ("31-12-9999", None, "placeholder"),
    ("00-00-0000", None, "placeholder"),
    ("0000-00-00 00:00:00", None, "placeholder"),
    ("00000000", None, "placeholder"),
    ("19000101", None, "placeholder"),
    ("16-01-2026", None, "future"),
    ("15-01-2026", D(2026, 1, 15), "valid"),
    ("15-01-1906", D(1906, 1, 15), "valid"),
    ("16-01-1905", D(1905, 1, 16), "valid"),
    ("15-01-1905", None, "too_old"),
    # missing and garbage
    (None, None, "empty"),
    (float("nan"), None, "empty"),
    (pd.NA, None, "empty"),
    (pd.NaT, None, "empty"),
    ("", None, "empty"),
    ("   ", None, "empty"),
    ("onbekend", None, "empty"),
    ("N.v.t.", None, "empty"),
    ("gisteren", None, "invalid"),
    ("3041975", None, "invalid"),
    ("030475", None, "invalid"),
    ("１９７５-04-03", D(1975, 4, 3), "valid"),
    # date-like objects
    (dt.datetime(1975, 4, 3, 23, 59), D(1975, 4, 3), "valid"),
    (D(1975, 4, 3), D(1975, 4, 3), "valid"),
    (pd.Timestamp("1975-04-03 10:00", tz="Europe/Amsterdam"), D(1975, 4, 3), "valid"),
    (np.datetime64("1975-04-03"), D(1975, 4, 3), "valid"),
    (np.datetime64("NaT"), None, "empty"),
    (D(1900, 1, 1), None, "placeholder"),
]


@pytest.mark.parametrize(("raw", "expected", "status"), CASES, ids=[repr(c[0]) for c in CASES])
def test_parse_date_details_table(raw: object, expected: dt.date | None, status: str) -> None:
    parts = parse_date_details(raw, today=TODAY)
    assert (parts.date, parts.status) == (expected, status)
    assert parse_date(raw, today=TODAY) == expected


def test_parse_date_details_year_only_keeps_year() -> None:
    assert parse_date_details("1975", today=TODAY) == DateParts(None, "year_only", 1975, False)
    assert parse_date_details("mrt. 1975", today=TODAY).year == 1975
    assert parse_date_details("1850", today=TODAY).year is None


def test_parse_date_details_swap_possible() -> None:
    # dutch.md 63: 03-04-1975 vs 04-03-1975 can be transposed
    assert parse_date_details("03-04-1975", today=TODAY).swap_possible
    assert parse_date_details("04-03-1975", today=TODAY).swap_possible
    assert not parse_date_details("13-04-1975", today=TODAY).swap_possible
    assert not parse_date_details("04-04-1975", today=TODAY).swap_possible
    assert not parse_date_details("31-04-1975", today=TODAY).swap_possible


def test_parse_date_today_accepts_datetime_and_rejects_garbage() -> None:
    assert parse_date("01-01-26", today=dt.datetime(2026, 6, 1, 12)) == D(2026, 1, 1)
    with pytest.raises(InputError):
        parse_date("01-01-1975", today="2026-01-01")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        parse_date("01-01-1975", today=D(1500, 1, 1))


def test_parse_date_default_today_is_today() -> None:
    assert parse_date(dt.date.today()) == dt.date.today()
    assert parse_date_details(dt.date.today() + dt.timedelta(days=1)).status == "future"


# --- date_column ------------------------------------------------------------------------


def _expected_frame(values: list[object], today: dt.date) -> list[tuple[object, ...]]:
    out = []
    for value in values:
        parts = parse_date_details(value, today=today)
        out.append((parts.date, parts.status, parts.year))
    return out


def _frame_rows(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    rows = []
    for day, status, year in frame.itertuples(index=False):
        rows.append(
            (None if pd.isna(day) else day.date(), status, None if pd.isna(year) else int(year))
        )
    return rows


def test_date_column_matches_table() -> None:
    values = [c[0] for c in CASES]
    frame = date_column(pd.Series(values, dtype=object), today=TODAY)
    assert _frame_rows(frame) == _expected_frame(values, TODAY)


def test_date_column_keeps_index_length_and_dtypes() -> None:
    series = pd.Series(["03-04-1975", None, "1975", "03-04-1975"], index=[10, 5, 7, 1])
    frame = date_column(series, today=TODAY)
    assert list(frame.index) == [10, 5, 7, 1]
    assert list(frame.columns) == ["birth_date", "birth_date_status", "birth_year"]
    assert str(frame["birth_date"].dtype) == "datetime64[ns]"
    assert frame["birth_date_status"].dtype == object
    assert str(frame["birth_year"].dtype) == "Int64"
    assert frame["birth_date_status"].tolist() == ["valid", "empty", "year_only", "valid"]


def test_date_column_empty_series() -> None:
    frame = date_column(pd.Series([], dtype=object), today=TODAY)
    assert len(frame) == 0
    assert str(frame["birth_date"].dtype) == "datetime64[ns]"


def test_date_column_name_prefix() -> None:
    frame = date_column(pd.Series(["1-1-1980"]), today=TODAY, name="dob")
    assert list(frame.columns) == ["dob", "dob_status", "dob_year"]


def test_date_column_numeric_and_string_dtypes() -> None:
    ints = pd.Series([19750403, 29221, 1975, 123], dtype="int64")
    assert _frame_rows(date_column(ints, today=TODAY)) == _expected_frame(ints.tolist(), TODAY)
    floats = pd.Series([19750403.0, np.nan, 29221.5])
    assert _frame_rows(date_column(floats, today=TODAY)) == _expected_frame(floats.tolist(), TODAY)
    strings = pd.Series(["03-04-1975", None, "x"], dtype="string")
    assert _frame_rows(date_column(strings, today=TODAY)) == _expected_frame(
        ["03-04-1975", None, "x"], TODAY
    )


@pytest.mark.parametrize("tz", [None, "Europe/Amsterdam"])
def test_date_column_datetime64_input(tz: str | None) -> None:
    stamps = pd.Series(
        pd.to_datetime(
            ["1975-04-03 23:00", None, "1900-01-01 00:00", "2030-01-01 00:00", "1890-05-05 00:00"]
        )
    )
    if tz:
        stamps = stamps.dt.tz_localize(tz)
    frame = date_column(stamps, today=TODAY)
    assert _frame_rows(frame) == _expected_frame(list(stamps), TODAY)
    assert frame["birth_date_status"].tolist() == [
        "valid",
        "empty",
        "placeholder",
        "future",
        "too_old",
    ]


# --- hypothesis -------------------------------------------------------------------------

_NL_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
              "september", "oktober", "november", "december"]  # fmt: skip
_ABBR = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
_EN = ["January", "Feb", "March", "Apr", "May", "June", "Jul", "August", "Sept", "Oct", "Nov",
       "December"]  # fmt: skip


def _notations(d: dt.date) -> list[str]:
    y, m, day = d.year, d.month, d.day
    yy = y % 100
    serial = (d - EXCEL_EPOCH).days
    return [
        f"{day:02d}-{m:02d}-{y:04d}",
        f"{day}-{m}-{y}",
        f"{day:02d}/{m:02d}/{y:04d}",
        f"{day:02d}.{m:02d}.{y:04d}",
        f"{day} {m} {y}",
        f"{day:02d}-{m:02d}-{yy:02d}",
        f"{day}/{m}/{yy:02d}",
        f"{day:02d}.{m:02d}.{yy:02d}",
        f"{y:04d}-{m:02d}-{day:02d}",
        f"{y:04d}-{m}-{day}",
        f"{y:04d}-{m:02d}-{day:02d}T10:11:12",
        f"{y:04d}-{m:02d}-{day:02d} 00:00:00.000",
        f"{y:04d}{m:02d}{day:02d}",
        f"{day:02d}{m:02d}{y:04d}",
        f"{day} {_NL_MONTHS[m - 1]} {y}",
        f"{day} {_ABBR[m - 1]}. {y}",
        f"{day} {_ABBR[m - 1]}. '{yy:02d}",
        f"{day:02d}-{_ABBR[m - 1].upper()}-{yy:02d}",
        f"{_EN[m - 1]} {day}, {y}",
        f"zo {day} {_NL_MONTHS[m - 1]} {y}",
        f" {day:02d}-{m:02d}-{y:04d} ",
        str(serial),
        f"{serial}.25",
        str(y),
        f"{m:02d}-{y:04d}",
        f"{_NL_MONTHS[m - 1]} {y}",
    ]


@st.composite
def date_strings(draw: st.DrawFn) -> str:
    d = draw(st.dates(min_value=D(1000, 1, 1), max_value=D(9999, 12, 31)))
    if draw(st.booleans()):  # concentrate on plausible birth dates
        d = draw(st.dates(min_value=D(1890, 1, 1), max_value=D(2030, 12, 31)))
    return draw(st.sampled_from(_notations(d)))


_components = st.builds(
    lambda d, m, y, sep, width: f"{d:0{width}d}{sep}{m:0{width}d}{sep}{y}",
    st.integers(0, 40),
    st.integers(0, 15),
    st.sampled_from(["0000", "1111", "1900", "1970", "1975", "2026", "9999", "00", "26", "75"]),
    st.sampled_from(["-", "/", ".", " "]),
    st.sampled_from([1, 2]),
)
_digit_runs = st.from_regex(r"\A[0-9]{1,9}([.,][0-9]{1,3})?\Z")
any_text = st.one_of(date_strings(), _components, _digit_runs, st.text(max_size=25))
_TODAYS = st.sampled_from([TODAY, D(2000, 2, 29), D(2026, 12, 31), D(2099, 6, 30)])


@settings(max_examples=300, deadline=None)
@given(any_text, _TODAYS)
def test_parse_date_never_raises_and_is_consistent(text: str, today: dt.date) -> None:
    parts = parse_date_details(text, today=today)
    assert parts.status in {
        "empty", "valid", "repaired", "year_only", "invalid", "placeholder", "future", "too_old"
    }  # fmt: skip
    assert (parts.date is not None) == (parts.status in {"valid", "repaired"})
    if parts.date is not None:
        assert parts.date <= today
        assert parts.year == parts.date.year
    if parts.status == "year_only":
        assert parts.year is not None and parts.year <= today.year


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True)))
def test_parse_date_never_raises_on_numbers(number: float) -> None:
    parts = parse_date_details(number, today=TODAY)
    assert isinstance(parts, DateParts)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_parse_date_iso_round_trip_is_idempotent(text: str) -> None:
    first = parse_date(text, today=TODAY)
    if first is not None:
        assert parse_date(first.isoformat(), today=TODAY) == first
        assert parse_date(first, today=TODAY) == first


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(any_text, max_size=30), _TODAYS)
def test_date_column_equals_parse_date_row_by_row(values: list[str], today: dt.date) -> None:
    series = pd.Series([*values, None], dtype=object)
    frame = date_column(series, today=today)
    assert len(frame) == len(series)
    assert frame.index.equals(series.index)
    assert _frame_rows(frame) == _expected_frame(list(series), today)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.integers(-10, 10**9), st.floats(allow_nan=True)), max_size=20))
def test_date_column_equals_parse_date_on_numbers(values: list[float]) -> None:
    series = pd.Series(values, dtype=object)
    assert _frame_rows(date_column(series, today=TODAY)) == _expected_frame(values, TODAY)
