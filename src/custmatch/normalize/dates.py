"""Birth dates from Dutch source exports: parse, validate and flag, one value or a column.

Dutch order is day-month-year (dutch.md section 5). Accepted notations:

* numeric day-month-year with ``-``, ``/``, ``.`` or a space: ``03-04-1975``, ``3/4/1975``,
  ``03.04.75`` (two-digit year, see below);
* ISO ``1975-04-03`` (also ``1975/04/03``), optionally followed by a time
  (``1975-04-03 00:00:00``, ``1975-04-03T10:15:00Z``), which is ignored;
* month names and abbreviations in Dutch and English (data file
  ``date_month_names.txt``): ``7 maart 1980``, ``7 mrt. 1980``, ``3 apr. '75``, ``03-APR-75``,
  ``April 3, 1975``; a leading weekday (``ma``, ``zondag``, ``Mon,``) is ignored;
* eight bare digits: ``yyyymmdd`` when the first four digits are 1900-2099 and form a real
  date, otherwise ``ddmmyyyy``;
* Excel serial numbers (day 0 = 1899-12-30) from :data:`EXCEL_SERIAL_MIN` to
  :data:`EXCEL_SERIAL_MAX`, i.e. 1927-05-18 to 2119-01-10, optionally with a fraction (time of
  day). The range is a trade-off: a bare house number or a postcode (at most four digits) is
  never read as a date (four digits are read as a year), at the price of not converting
  Excel serials for people born before 1927-05-18 (they are 99 or older). A five-digit
  number from 10000 up that is not a date (a rare house number) is still read as one, so
  only pass date columns. Serial dates get status ``"repaired"``.

Rules that never invent data:

* Two-digit years (birth dates): ``yy`` up to the two-digit year of ``today`` means this
  century, anything higher the previous one (``today`` in 2026: ``26`` -> 2026, ``27`` -> 1927).
  The result has status ``"repaired"``.
* Impossible dates (``31-04-1975``) are ``"invalid"``; a year alone (``1975``), a month and a
  year (``maart 1975``, ``03-1975``) give no date but status ``"year_only"`` and the year.
  Six and seven bare digits (``030475``, ``3041975``) are ambiguous and ``"invalid"``.
* Placeholders (``01-01-1900``, ``01-01-1970``, ``11-11-1111``, ``31-12-9999``, ``00-00-0000``;
  data file ``date_placeholders.txt``) are ``"placeholder"``; dates after ``today`` are
  ``"future"`` and dates of people older than :data:`MAX_AGE` are ``"too_old"``. None of these
  yields a date or a year. Null words (``onbekend``, ``n.v.t.``, ``NULL``; data file
  ``date_null_tokens.txt``) are ``"empty"``.
* ``swap_possible`` looks at the values only (day and month both at most 12 and different),
  whatever the notation, so the comparison stage can offer a "day/month transposed" level.

Example:
    >>> import datetime as dt
    >>> today = dt.date(2026, 1, 15)
    >>> parse_date("3 apr. '75", today=today)
    datetime.date(1975, 4, 3)
    >>> parse_date_details("1-5-75", today=today)
    DateParts(date=datetime.date(1975, 5, 1), status='repaired', year=1975, swap_possible=True)
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from custmatch.errors import InputError, show_value
from custmatch.normalize.text import factorize_text, fold_accents, preclean
from custmatch.normalize.wordlists import load_list, load_mapping

__all__ = [
    "EXCEL_EPOCH",
    "EXCEL_SERIAL_MAX",
    "EXCEL_SERIAL_MIN",
    "MAX_AGE",
    "DateParts",
    "DateStatus",
    "date_column",
    "parse_date",
    "parse_date_details",
]

DateStatus = Literal[
    "empty", "valid", "repaired", "year_only", "invalid", "placeholder", "future", "too_old"
]

#: Oldest accepted age in whole years; older birth dates get status ``"too_old"``.
MAX_AGE = 120
#: Excel's day 0 (the 1900 leap-year bug is absorbed by starting at 1899-12-30).
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Smallest number read as an Excel serial date (1927-05-18); see the module docstring.
EXCEL_SERIAL_MIN = 10_000
#: Largest number read as an Excel serial date (2119-01-10).
EXCEL_SERIAL_MAX = 80_000

_DATE_STATUSES: tuple[str, ...] = (
    "empty",
    "valid",
    "repaired",
    "year_only",
    "invalid",
    "placeholder",
    "future",
    "too_old",
)


class DateParts(NamedTuple):
    """Result of :func:`parse_date_details`.

    Attributes:
        date: The date, or ``None`` unless ``status`` is ``"valid"`` or ``"repaired"``.
        status: How the value was read (see :data:`DateStatus`).
        year: The year of ``date``, or the year of a ``"year_only"`` value; else ``None``.
        swap_possible: ``True`` when day and month are both at most 12 and differ, so the value
            could have been transposed by a US-format system (``03-04-1975`` vs ``04-03-1975``).
    """

    date: dt.date | None
    status: DateStatus
    year: int | None
    swap_possible: bool


_EMPTY = DateParts(None, "empty", None, False)
_INVALID = DateParts(None, "invalid", None, False)
_PLACEHOLDER = DateParts(None, "placeholder", None, False)
_FUTURE = DateParts(None, "future", None, False)
_TOO_OLD = DateParts(None, "too_old", None, False)

# --- word lists -------------------------------------------------------------------------


@functools.cache
def _months() -> dict[str, int]:
    return {key: int(value) for key, value in load_mapping("date_month_names.txt").items()}


@functools.cache
def _weekdays() -> frozenset[str]:
    return frozenset(load_list("date_weekday_names.txt"))


@functools.cache
def _null_tokens() -> frozenset[str]:
    return frozenset(fold_accents(t).casefold() for t in load_list("date_null_tokens.txt"))


@functools.cache
def _placeholders() -> frozenset[dt.date]:
    return frozenset(dt.date.fromisoformat(t) for t in load_list("date_placeholders.txt"))


@functools.cache
def _placeholder_keys() -> np.ndarray:
    return np.array(sorted(d.year * 10_000 + d.month * 100 + d.day for d in _placeholders()))


# --- scalar parser ----------------------------------------------------------------------

_YEAR = r"('?[0-9]{2}|[0-9]{4})"
_TIME = re.compile(
    r"(?:t|\s+)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?"
    r"(?:\s*(?:z|utc|[+-][0-9]{2}(?::?[0-9]{2})?))?$"
)
_WEEKDAY = re.compile(r"^([a-z]+)(?:[.,]+\s*|\s+)(?=\S)")
_ZERO_SHAPE = re.compile(r"[0-9 ./'-]+")
_DIGITS = re.compile(r"[0-9]+")
_SERIAL = re.compile(r"([0-9]{5})[.,][0-9]+")
_ISO = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})")
_DMY = re.compile(r"([0-9]{1,2})([-/. ])([0-9]{1,2})\2" + _YEAR)
_TEXT_DMY = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th|e)?[-/. ]*([a-z]+)[-/. ,]*" + _YEAR)
_TEXT_MDY = re.compile(r"([a-z]+)[-/. ]*([0-9]{1,2})(?:st|nd|rd|th)?[-/. ,]+" + _YEAR)
_TEXT_MY = re.compile(r"([a-z]+)[-/. ,]*([0-9]{4})")
_MY = re.compile(r"([0-9]{1,2})[-/. ]([0-9]{4})")
_YM = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})")


def _resolve_today(today: dt.date | None) -> dt.date:
    if today is None:
        return dt.date.today()
    if isinstance(today, dt.datetime):
        today = today.date()
    if not isinstance(today, dt.date) or not 1800 <= today.year <= 2200:
        raise InputError(
            f"today must be a date between 1800 and 2200, got {show_value(today)}; "
            "pass e.g. today=datetime.date(2026, 1, 15)"
        )
    return today


def _age(year: int, month: int, day: int, ref: dt.date) -> int:
    return ref.year - year - ((ref.month, ref.day) < (month, day))


def _expand_year(text: str, ref: dt.date) -> tuple[int, bool]:
    """Return (four-digit year, was two-digit) for a year group of the regexes above."""
    digits = text.lstrip("'")
    year = int(digits)
    if len(digits) == 4:
        return year, False
    century = ref.year // 100 * 100
    return (century + year if year <= ref.year % 100 else century - 100 + year), True


def _judge(day: dt.date, ref: dt.date, status: DateStatus) -> DateParts:
    if day in _placeholders():
        return _PLACEHOLDER
    if day > ref:
        return _FUTURE
    if _age(day.year, day.month, day.day, ref) > MAX_AGE:
        return _TOO_OLD
    swap = day.day <= 12 and day.month <= 12 and day.day != day.month
    return DateParts(day, status, day.year, swap)


def _build(year: int, month: int, day: int, ref: dt.date, status: DateStatus) -> DateParts:
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return _INVALID
    return _judge(value, ref, status)


def _year_only(year: int, ref: dt.date) -> DateParts:
    if year > ref.year:
        return _FUTURE
    # the latest day of that year a living person could have been born on
    last = (ref.month, ref.day) if year == ref.year else (12, 31)
    if _age(year, *last, ref) > MAX_AGE:
        return _TOO_OLD
    return DateParts(None, "year_only", year, False)


def _parse_digits(text: str, ref: dt.date) -> DateParts:
    if len(text) == 8:
        if 1900 <= int(text[:4]) <= 2099:
            try:
                value = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                pass
            else:
                return _judge(value, ref, "valid")
        return _build(int(text[4:]), int(text[2:4]), int(text[:2]), ref, "valid")
    if len(text) == 4:
        return _year_only(int(text), ref)
    if len(text) == 5:
        return _parse_serial(int(text), ref)
    return _INVALID


def _parse_serial(number: int, ref: dt.date) -> DateParts:
    if not EXCEL_SERIAL_MIN <= number <= EXCEL_SERIAL_MAX:
        return _INVALID
    return _judge(EXCEL_EPOCH + dt.timedelta(days=number), ref, "repaired")


def _parse_text(text: str, ref: dt.date) -> DateParts:
    """Parse a pre-cleaned, non-empty string."""
    text = fold_accents(text).casefold()
    if text in _null_tokens():
        return _EMPTY
    match = _WEEKDAY.match(text)
    if match and match.group(1) in _weekdays():
        text = text[match.end() :]
    match = _TIME.search(text)
    if match and match.start() > 0:
        text = text[: match.start()]
    if _ZERO_SHAPE.fullmatch(text):
        digits = re.sub("[^0-9]", "", text)
        if len(digits) >= 4 and digits.count("0") == len(digits):
            return _PLACEHOLDER
    if _DIGITS.fullmatch(text):
        return _parse_digits(text, ref)
    if match := _SERIAL.fullmatch(text):
        return _parse_serial(int(match.group(1)), ref)
    if match := _ISO.fullmatch(text):
        return _build(int(match[1]), int(match[3]), int(match[4]), ref, "valid")
    if match := _DMY.fullmatch(text):
        year, short = _expand_year(match[4], ref)
        return _build(year, int(match[3]), int(match[1]), ref, "repaired" if short else "valid")
    if match := _TEXT_DMY.fullmatch(text):
        day, month_word, year_text = match[1], match[2], match[3]
    elif match := _TEXT_MDY.fullmatch(text):
        month_word, day, year_text = match[1], match[2], match[3]
    else:
        return _parse_partial(text, ref)
    month = _months().get(month_word)
    if month is None:
        return _INVALID
    year, short = _expand_year(year_text, ref)
    return _build(year, month, int(day), ref, "repaired" if short else "valid")


def _parse_partial(text: str, ref: dt.date) -> DateParts:
    """Month and year without a day: only the year is kept."""
    if match := _TEXT_MY.fullmatch(text):
        ok = match[1] in _months()
        year = int(match[2])
    elif match := _MY.fullmatch(text):
        ok = 1 <= int(match[1]) <= 12
        year = int(match[2])
    elif match := _YM.fullmatch(text):
        ok = 1 <= int(match[2]) <= 12
        year = int(match[1])
    else:
        return _INVALID
    return _year_only(year, ref) if ok else _INVALID


def _parse_value(value: object, ref: dt.date) -> DateParts:
    if value is None or value is pd.NaT or value is pd.NA:
        return _EMPTY
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return _EMPTY
        value = value.astype("datetime64[D]").astype(object)
        if not isinstance(value, dt.date):  # beyond year 9999
            return _INVALID
    if isinstance(value, dt.datetime):
        return _judge(value.date(), ref, "valid")
    if isinstance(value, dt.date):
        return _judge(value, ref, "valid")
    try:
        text = preclean(value)
    except (TypeError, ValueError):  # an object whose str() fails
        return _INVALID
    if text is None:
        return _EMPTY
    return _parse_text(text, ref)


def parse_date_details(value: object, *, today: dt.date | None = None) -> DateParts:
    """Parse a birth date and say how it was read; never raises on any value.

    Args:
        value: A string, number (``yyyymmdd``, ``ddmmyyyy`` or Excel serial), ``datetime``,
            ``date``, ``numpy.datetime64`` or pandas ``Timestamp``; ``None``/NaN are empty.
        today: Reference day for two-digit years, future dates and ages; defaults to
            ``datetime.date.today()``.

    Returns:
        A :class:`DateParts` with the date (or ``None``), the status, the year and whether a
        day/month transposition is possible.

    Raises:
        InputError: If ``today`` is not a date between 1800 and 2200.

    Example:
        >>> import datetime as dt
        >>> today = dt.date(2026, 1, 15)
        >>> parse_date_details("03-04-1975", today=today)
        DateParts(date=datetime.date(1975, 4, 3), status='valid', year=1975, swap_possible=True)
        >>> parse_date_details("31-04-1975", today=today).status
        'invalid'
        >>> parse_date_details("01-01-1900", today=today).status
        'placeholder'
        >>> parse_date_details("1975", today=today)
        DateParts(date=None, status='year_only', year=1975, swap_possible=False)
    """
    return _parse_value(value, _resolve_today(today))


def parse_date(value: object, *, today: dt.date | None = None) -> dt.date | None:
    """Parse a birth date; ``None`` for anything that is not a full, plausible date.

    A shortcut for ``parse_date_details(value, today=today).date``; see the module docstring
    for the accepted notations and the two-digit-year rule.

    Args:
        value: The raw value (string, number, date-like or missing).
        today: Reference day for two-digit years, future dates and ages.

    Returns:
        The date, or ``None`` when the value is empty, invalid, a placeholder, in the future,
        more than :data:`MAX_AGE` years ago, or only a year.

    Example:
        >>> import datetime as dt
        >>> today = dt.date(2026, 1, 15)
        >>> parse_date("za 7 maart 1980", today=today)
        datetime.date(1980, 3, 7)
        >>> parse_date("19750403", today=today), parse_date(29221, today=today)
        (datetime.date(1975, 4, 3), datetime.date(1980, 1, 1))
        >>> parse_date("1975", today=today) is None
        True
    """
    return parse_date_details(value, today=today).date


# --- vectorised column ------------------------------------------------------------------

_FAST_ISO = (
    r"^([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?)?$"
)
_FAST_DMY4 = {
    sep: rf"^[0-9]{{1,2}}{re.escape(sep)}[0-9]{{1,2}}{re.escape(sep)}[0-9]{{4}}$" for sep in "-/. "
}
_FAST_DMY2 = r"^([0-9]{1,2})([-/.])([0-9]{1,2})\2([0-9]{2})$"
_FAST_8 = r"^[0-9]{8}$"
_FAST_4 = r"^[0-9]{4}$"
_FAST_SERIAL = r"^([0-9]{5})(?:[.,][0-9]+)?$"


class _Uniques:
    """Per-unique result arrays, filled by the fast path and then by the scalar parser."""

    def __init__(self, n: int) -> None:
        self.done = np.zeros(n, dtype=bool)
        self.status = np.full(n, "invalid", dtype=object)
        self.days = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        self.year = np.zeros(n, dtype=np.int64)
        self.has_year = np.zeros(n, dtype=bool)

    def put_dates(
        self,
        where: np.ndarray,
        ymd: tuple[np.ndarray, np.ndarray, np.ndarray],
        base: str,
        ref: dt.date,
    ) -> None:
        """Judge full dates (positions ``where``) exactly like :func:`_judge`."""
        year, month, day = ymd
        key = year * 10_000 + month * 100 + day
        ref_key = ref.year * 10_000 + ref.month * 100 + ref.day
        age = ref.year - year - ((ref.month * 100 + ref.day) < (month * 100 + day))
        status = np.full(len(where), base, dtype=object)
        status[age > MAX_AGE] = "too_old"
        status[key > ref_key] = "future"
        status[np.isin(key, _placeholder_keys())] = "placeholder"
        good = status == base
        self.status[where] = status
        self.done[where] = True
        self.days[where[good]] = _days_from_ymd(year[good], month[good], day[good])
        self.year[where[good]] = year[good]
        self.has_year[where[good]] = True

    def put_years(self, where: np.ndarray, year: np.ndarray, ref: dt.date) -> None:
        """Judge years alone exactly like :func:`_year_only`."""
        ref_md = ref.month * 100 + ref.day
        last_md = np.where(year == ref.year, ref_md, 1231)
        age = ref.year - year - (ref_md < last_md)
        status = np.full(len(where), "year_only", dtype=object)
        status[age > MAX_AGE] = "too_old"
        status[year > ref.year] = "future"
        good = status == "year_only"
        self.status[where] = status
        self.done[where] = True
        self.year[where[good]] = year[good]
        self.has_year[where[good]] = True

    def put_parts(self, position: int, parts: DateParts) -> None:
        self.status[position] = parts.status
        self.done[position] = True
        if parts.date is not None:
            self.days[position] = np.datetime64(parts.date, "D")
        if parts.year is not None:
            self.year[position] = parts.year
            self.has_year[position] = True


def _days_from_ymd(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    months = (year - 1970) * 12 + (month - 1)
    return months.astype("datetime64[M]").astype("datetime64[D]") + (day - 1)


def _ymd_of(parsed: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        parsed.dt.year.to_numpy(dtype=np.int64),
        parsed.dt.month.to_numpy(dtype=np.int64),
        parsed.dt.day.to_numpy(dtype=np.int64),
    )


def _try_format(
    res: _Uniques, texts: pd.Series, mask: np.ndarray, fmt: str, base: str, ref: dt.date
) -> None:
    """Parse ``texts[mask]`` with one explicit format; rows that fail stay for later."""
    where = np.flatnonzero(mask & ~res.done)
    if not len(where):
        return
    parsed = pd.to_datetime(texts.iloc[where], format=fmt, errors="coerce")
    ok = parsed.notna().to_numpy()
    if ok.any():
        res.put_dates(where[ok], _ymd_of(parsed[ok]), base, ref)


def _fast_path(res: _Uniques, texts: pd.Series, ref: dt.date) -> None:
    """Common shapes over the unique strings; only what the scalar parser reads the same way."""
    texts = texts.str.strip(" ")
    iso = texts.str.extract(_FAST_ISO, expand=False)
    _try_format(res, iso, iso.notna().to_numpy(), "%Y-%m-%d", "valid", ref)
    for sep, pattern in _FAST_DMY4.items():
        mask = texts.str.fullmatch(pattern).to_numpy(dtype=bool)
        _try_format(res, texts, mask, f"%d{sep}%m{sep}%Y", "valid", ref)

    short = texts.str.extract(_FAST_DMY2)
    mask = short[0].notna().to_numpy()
    if mask.any():
        yy = short[3].where(mask, "0").astype(np.int64)
        century = ref.year // 100 * 100
        full = np.where(yy <= ref.year % 100, century + yy, century - 100 + yy)
        rebuilt = short[0] + "-" + short[2] + "-" + pd.Series(full, index=short.index).astype(str)
        _try_format(res, rebuilt, mask, "%d-%m-%Y", "repaired", ref)

    mask8 = texts.str.fullmatch(_FAST_8).to_numpy(dtype=bool)
    if mask8.any():
        first4 = texts.str.slice(0, 4).where(mask8, "0").astype(np.int64).to_numpy()
        _try_format(res, texts, mask8 & (first4 >= 1900) & (first4 <= 2099), "%Y%m%d", "valid", ref)
        _try_format(res, texts, mask8, "%d%m%Y", "valid", ref)

    mask4 = texts.str.fullmatch(_FAST_4).to_numpy(dtype=bool) & ~res.done
    if mask4.any():
        years = texts.where(mask4, "0").astype(np.int64).to_numpy()
        keep = mask4 & (years >= 1000)
        res.put_years(np.flatnonzero(keep), years[keep], ref)

    serial = texts.str.extract(_FAST_SERIAL, expand=False)
    mask = serial.notna().to_numpy() & ~res.done
    if mask.any():
        numbers = serial.where(mask, "0").astype(np.int64).to_numpy()
        keep = mask & (numbers >= EXCEL_SERIAL_MIN) & (numbers <= EXCEL_SERIAL_MAX)
        where = np.flatnonzero(keep)
        days = np.datetime64(EXCEL_EPOCH, "D") + numbers[keep].astype("timedelta64[D]")
        ymd = _ymd_from_days(days)
        res.put_dates(where, ymd, "repaired", ref)


def _ymd_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    months = days.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def _datetime_uniques(res: _Uniques, uniques: pd.DatetimeIndex, ref: dt.date) -> None:
    if uniques.tz is not None:
        uniques = uniques.tz_localize(None)
    days = uniques.to_numpy().astype("datetime64[D]")
    res.put_dates(np.arange(len(days)), _ymd_from_days(days), "valid", ref)


def date_column(
    values: pd.Series, *, today: dt.date | None = None, name: str = "birth_date"
) -> pd.DataFrame:
    """Parse a whole column of birth dates; row by row equal to :func:`parse_date_details`.

    Works over the distinct values: the common numeric shapes go through
    ``pandas.to_datetime`` with one explicit format at a time (never ``dayfirst`` guessing),
    and only the rest goes through the scalar parser.

    Args:
        values: The raw column (strings, numbers, dates, or a ``datetime64`` column).
        today: Reference day for two-digit years, future dates and ages (default: today).
        name: Prefix of the output columns.

    Returns:
        A frame with the index of ``values`` and three columns (names for the default
        ``name``): ``birth_date`` as ``datetime64[ns]`` (NaT when there is no date; the unit
        is set explicitly, so pandas 2 and 3 give the same dtype; accepted dates always lie
        within the ``datetime64[ns]`` range), ``birth_date_status`` (object dtype, a
        :data:`DateStatus`) and ``birth_year`` (nullable ``Int64``). For another ``name`` the
        columns are ``<name>``, ``<name>_status`` and ``<name>_year``.

    Raises:
        InputError: If ``today`` is not a date between 1800 and 2200.

    Example:
        >>> import datetime as dt
        >>> import pandas as pd
        >>> raw = pd.Series(["03-04-1975", "3 apr. '75", None, "1975", "31-04-1975"])
        >>> date_column(raw, today=dt.date(2026, 1, 15))
          birth_date birth_date_status  birth_year
        0 1975-04-03             valid        1975
        1 1975-04-03          repaired        1975
        2        NaT             empty        <NA>
        3        NaT         year_only        1975
        4        NaT           invalid        <NA>
    """
    ref = _resolve_today(today)
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    is_datetime = isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
        series.dtype
    )
    if is_datetime:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        res = _Uniques(len(uniques))
        _datetime_uniques(res, pd.DatetimeIndex(uniques), ref)
    else:
        codes, uniques = factorize_text(pd.Series(series.to_numpy(dtype=object), dtype=object))
        objects = np.asarray(uniques, dtype=object)
        res = _Uniques(len(objects))
        texts = np.empty(len(objects), dtype=object)
        for position, value in enumerate(objects):
            if type(value) is str:
                texts[position] = value
            elif not isinstance(value, (dt.date, np.datetime64)):
                text = preclean(value)  # numbers: the scalar parser reads the same text
                if text is None:
                    res.put_parts(position, _EMPTY)
                texts[position] = text
        is_text = np.fromiter((type(t) is str for t in texts), dtype=bool, count=len(texts))
        if is_text.any():
            where = np.flatnonzero(is_text)
            sub = _Uniques(len(where))
            _fast_path(sub, pd.Series(texts[where], dtype=object), ref)
            res.done[where] = sub.done
            res.status[where] = sub.status
            res.days[where] = sub.days
            res.year[where] = sub.year
            res.has_year[where] = sub.has_year
        for position in np.flatnonzero(~res.done):
            res.put_parts(int(position), parse_date_details(objects[position], today=ref))

    # one extra slot at the end for missing values (code -1)
    idx = np.where(codes < 0, len(res.status), codes)
    status = np.append(res.status, "empty")[idx]
    days = np.append(res.days, np.datetime64("NaT", "D"))[idx]
    year = np.append(res.year, 0)[idx]
    has_year = np.append(res.has_year, False)[idx]
    year_name = "birth_year" if name == "birth_date" else f"{name}_year"
    return pd.DataFrame(
        {
            name: pd.Series(days.astype("datetime64[ns]"), index=series.index),
            f"{name}_status": pd.Series(status, index=series.index, dtype=object),
            year_name: pd.Series(pd.arrays.IntegerArray(year, ~has_year), index=series.index),
        },
        index=series.index,
    )
