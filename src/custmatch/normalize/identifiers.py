"""Dutch identifiers: BSN, RSIN, KvK number, IBAN and BTW-id (VAT number).

Every identifier has the python-stdnum verbs (the contract only; this is our own code):
``compact_<id>`` strips separators, ``validate_<id>`` returns the compact form or raises
:class:`~custmatch.errors.InputError` with a machine-readable ``reason`` attribute
(``"empty"``, ``"invalid_format"``, ``"invalid_length"``, ``"invalid_checksum"``),
``is_valid_<id>`` never raises, ``normalize_<id>`` returns the stored form or ``None``, and
``format_<id>`` gives the display form. Rules from dutch.md section 6 (Belastingdienst, KvK,
ISO 13616, ISO 7064).

**BSN and privacy.** A BSN (burgerservicenummer) may only be processed to carry out a law that
prescribes it (UAVG article 46). custmatch never uses it as a key, never logs it, and error
messages about a BSN or RSIN never contain the number. :func:`find_bsn_columns` finds columns that
hold BSNs and :func:`mask_bsn` masks them in free text, so the pipeline can warn and mask.

Example:
    >>> is_valid_bsn("123456782"), is_valid_bsn("123456789")
    (True, False)
    >>> normalize_iban("NL91 ABNA 0417 1643 00")
    'NL91ABNA0417164300'
    >>> normalize_btw("nl 0000.99998.b57")
    'NL000099998B57'
    >>> parse_kvk("1234567")
    IdentifierParts(value='01234567', status='repaired', reason='padded')
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Hashable
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from custmatch.errors import CustmatchWarning, InputError, show_value
from custmatch.normalize.text import preclean

__all__ = [
    "IdentifierParts",
    "IdentifierStatus",
    "btw_may_contain_bsn",
    "compact_bsn",
    "compact_btw",
    "compact_iban",
    "compact_kvk",
    "compact_rsin",
    "find_bsn_columns",
    "format_bsn",
    "format_iban",
    "is_valid_bsn",
    "is_valid_btw",
    "is_valid_iban",
    "is_valid_kvk",
    "is_valid_rsin",
    "looks_like_bsn",
    "mask_bsn",
    "mask_bsn_columns",
    "normalize_bsn",
    "normalize_btw",
    "normalize_iban",
    "normalize_id_number",
    "normalize_kvk",
    "normalize_rsin",
    "parse_btw",
    "parse_kvk",
    "validate_bsn",
    "validate_btw",
    "validate_iban",
    "validate_kvk",
    "validate_rsin",
]

IdentifierStatus = Literal["empty", "valid", "repaired", "invalid"]


class IdentifierParts(NamedTuple):
    """Result of the ``parse_<id>`` functions.

    Attributes:
        value: The normalised identifier, or ``None`` when empty or invalid.
        status: ``"empty"``, ``"valid"``, ``"repaired"`` (e.g. a lost leading zero restored)
            or ``"invalid"``.
        reason: Why it was repaired or invalid (the ``reason`` of :func:`validate_kvk` etc.),
            else ``None``.
    """

    value: str | None
    status: IdentifierStatus
    reason: str | None


_SEPARATORS = re.compile(r"[\s.\-/]+")


def _fail(kind: str, reason: str, detail: str) -> InputError:
    error = InputError(f"invalid {kind} ({reason}): {detail}")
    error.reason = reason  # type: ignore[attr-defined]
    return error


def _text(value: object) -> str:
    """Pre-cleaned text of any value ('' for missing); never raises."""
    try:
        text = preclean(value)
    except (TypeError, ValueError):
        return ""
    return text or ""


def _compact(value: object) -> str:
    return _SEPARATORS.sub("", _text(value)).upper()


def _eleven_test(digits: str) -> bool:
    """The BSN/RSIN 11-proef: weights 9..2 and -1; all zeros fail."""
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        return False
    if digits == "000000000":
        return False
    weighted = zip(digits[:8], range(9, 1, -1), strict=True)
    total = sum(int(d) * w for d, w in weighted) - int(digits[8])
    return total % 11 == 0


def _mod97(text: str) -> int:
    """Remainder of the ISO 7064 mod 97-10 number (letters A=10 .. Z=35)."""
    return int("".join(str(int(ch, 36)) for ch in text)) % 97


# --- BSN and RSIN -----------------------------------------------------------------------


def compact_bsn(value: object) -> str:
    """Strip spaces, dots and hyphens; an 8-digit number gets its leading 0 back.

    Example:
        >>> compact_bsn("1234.56.782"), compact_bsn(12345672)
        ('123456782', '012345672')
    """
    text = _compact(value)
    if len(text) == 8 and text.isascii() and text.isdigit():
        text = "0" + text
    return text


def _validate_eleven(value: object, kind: str) -> str:
    text = compact_bsn(value)
    if not text:
        raise _fail(kind, "empty", "no value")
    if not (text.isascii() and text.isdigit()):
        raise _fail(kind, "invalid_format", "only digits, spaces, dots and hyphens allowed")
    if len(text) != 9:
        raise _fail(kind, "invalid_length", f"{len(text)} digits, expected 9 (or 8)")
    if not _eleven_test(text):
        raise _fail(kind, "invalid_checksum", "fails the 11-proef")
    return text


def validate_bsn(value: object) -> str:
    """Return the compact BSN or raise; the message never contains the number.

    Args:
        value: The raw BSN (string or number).

    Returns:
        The 9-digit BSN.

    Raises:
        InputError: With ``reason`` ``"empty"``, ``"invalid_format"``, ``"invalid_length"``
            or ``"invalid_checksum"`` (11-proef; ``000000000`` also fails).

    Example:
        >>> validate_bsn("111 222 333")
        '111222333'
        >>> validate_bsn("123456789")
        Traceback (most recent call last):
        ...
        custmatch.errors.InputError: invalid BSN (invalid_checksum): fails the 11-proef
    """
    return _validate_eleven(value, "BSN")


def is_valid_bsn(value: object) -> bool:
    """Whether ``value`` is a valid BSN (9 digits, or 8 with the leading 0 lost, 11-proef).

    Example:
        >>> is_valid_bsn("123456782"), is_valid_bsn("111222333"), is_valid_bsn("000000000")
        (True, True, False)
    """
    return _eleven_test(compact_bsn(value))


def normalize_bsn(value: object) -> str | None:
    """The 9-digit BSN, or ``None`` when it is not valid.

    Never use the result as a matching key unless the user opted in (``allow_bsn=True``).

    Example:
        >>> normalize_bsn("1234.56.782"), normalize_bsn("1234")
        ('123456782', None)
    """
    text = compact_bsn(value)
    return text if _eleven_test(text) else None


def format_bsn(value: object) -> str:
    """Display form ``1234.56.782`` (no validation; other lengths are returned compact).

    Example:
        >>> format_bsn("123456782")
        '1234.56.782'
    """
    text = compact_bsn(value)
    if len(text) != 9:
        return text
    return f"{text[:4]}.{text[4:6]}.{text[6:]}"


# 9 digits, plain or grouped 4-2-3 / 3-3-3 with one kind of separator
_BSN_SHAPE = r"[0-9]{9}|[0-9]{4}([ .-])[0-9]{2}\1[0-9]{3}|[0-9]{3}([ .-])[0-9]{3}\2[0-9]{3}"
_BSN_LAYOUT = re.compile(_BSN_SHAPE)


def looks_like_bsn(value: object) -> bool:
    """Whether a single value looks like a BSN, for detection and masking; never raises.

    Stricter than :func:`is_valid_bsn`: a string must be 9 digits, plain or grouped as
    ``1234.56.782`` / ``123 456 782`` (an 8-digit string is more likely a KvK number or a
    ``yyyymmdd`` date). A number (int or whole float) may have 8 digits, because a spreadsheet
    drops the leading zero.

    Example:
        >>> looks_like_bsn("123 456 782"), looks_like_bsn(12345672), looks_like_bsn("12345672")
        (True, True, False)
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        text = _text(value)
        if not _BSN_LAYOUT.fullmatch(text):
            return False
        return _eleven_test(re.sub("[^0-9]", "", text))
    if isinstance(value, (int, float)) or type(value).__module__ == "numpy":
        text = _text(value)
        if len(text) in (8, 9) and text.isascii() and text.isdigit():
            return _eleven_test(text.zfill(9))
    return False


_BSN_IN_TEXT = re.compile(rf"(?<![0-9])(?:{_BSN_SHAPE})(?![0-9])")


def mask_bsn(text: object) -> str:
    """Replace every BSN-like number in free text by asterisks; separators are kept.

    A 9-digit run (plain, or grouped ``1234.56.782`` / ``123 456 782``) that is not part of a
    longer number and passes the 11-proef is masked; other numbers are left alone. A run
    inside letters is masked too (``NL123456782B01``, an old BTW-id that contains a BSN).

    Args:
        text: Free text (non-strings are converted with ``str``; ``None`` gives ``''``).

    Returns:
        The text with each BSN's digits replaced by ``*``.

    Example:
        >>> mask_bsn("bsn 123456782, klantnr 123456789, tel 06-12345678")
        'bsn *********, klantnr 123456789, tel 06-12345678'
        >>> mask_bsn("BSN: 1112.22.333")
        'BSN: ****.**.***'
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        try:
            text = str(text)
        except (TypeError, ValueError):
            return ""

    def _mask(match: re.Match[str]) -> str:
        found = match.group(0)
        if _eleven_test(re.sub("[^0-9]", "", found)):
            return re.sub("[0-9]", "*", found)
        return found

    return _BSN_IN_TEXT.sub(_mask, text)


def find_bsn_columns(
    frame: pd.DataFrame,
    *,
    sample: int = 1000,
    min_share: float = 0.5,
    warn: bool = False,
) -> list[Hashable]:
    """Columns whose non-missing values mostly look like BSNs (:func:`looks_like_bsn`).

    Random 9-digit numbers pass the 11-proef about 1 time in 11, so a column where at least
    ``min_share`` of the sampled values pass is almost certainly a BSN column.

    Args:
        frame: The records.
        sample: At most this many non-missing values per column are checked (a fixed random
            sample, seed 0, so the answer is reproducible).
        min_share: Share of sampled values that must look like a BSN.
        warn: Also emit a :class:`~custmatch.errors.CustmatchWarning` naming the columns
            (never values).

    Returns:
        The column labels, in frame order.

    Raises:
        InputError: If ``sample`` is not positive or ``min_share`` is not in (0, 1].

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"klant": ["A1", "A2"], "sofinr": ["123456782", "111222333"]})
        >>> find_bsn_columns(df)
        ['sofinr']
    """
    if sample < 1:
        raise InputError(f"sample must be at least 1, got {sample}")
    if not 0 < min_share <= 1:
        raise InputError(f"min_share must be in (0, 1], got {min_share}")
    found: list[Hashable] = []
    for label in frame.columns:
        column = frame[label]
        if not isinstance(column, pd.Series):  # duplicate labels
            continue
        kind = column.dtype.kind
        if kind in "bmMc":  # bool, timedelta, datetime, complex
            continue
        values = column.dropna()
        if values.empty:
            continue
        if len(values) > sample:
            values = values.sample(sample, random_state=0)
        hits = sum(looks_like_bsn(v) for v in values.tolist())
        if hits / len(values) >= min_share:
            found.append(label)
    if warn and found:
        warnings.warn(
            f"columns {found!r} look like BSNs (burgerservicenummer); they are not used for "
            "matching and should be masked unless you have a legal basis (pass allow_bsn=True)",
            CustmatchWarning,
            stacklevel=2,
        )
    return found


def compact_rsin(value: object) -> str:
    """Like :func:`compact_bsn`: an RSIN has the same layout.

    Example:
        >>> compact_rsin("0020.54.115")
        '002054115'
    """
    return compact_bsn(value)


def validate_rsin(value: object) -> str:
    """Return the compact RSIN (legal entity number, 9 digits, 11-proef) or raise.

    Raises:
        InputError: With ``reason`` as for :func:`validate_bsn`.

    Example:
        >>> validate_rsin("002054115")
        '002054115'
    """
    return _validate_eleven(value, "RSIN")


def is_valid_rsin(value: object) -> bool:
    """Whether ``value`` is a valid RSIN; never raises.

    Example:
        >>> is_valid_rsin("002054115"), is_valid_rsin("002054118")
        (True, False)
    """
    return _eleven_test(compact_rsin(value))


def normalize_rsin(value: object) -> str | None:
    """The 9-digit RSIN, or ``None`` when it is not valid.

    Example:
        >>> normalize_rsin("0020.54.115"), normalize_rsin("2054115")
        ('002054115', None)
    """
    text = compact_rsin(value)
    return text if _eleven_test(text) else None


# --- KvK --------------------------------------------------------------------------------

_KVK_LABEL = re.compile(r"^KVK(?:NUMMER|NR)?:?")


def compact_kvk(value: object) -> str:
    """Strip separators and a leading ``KvK``/``KvK-nummer:`` label (no padding).

    Example:
        >>> compact_kvk("KvK 3012 3456")
        '30123456'
    """
    return _KVK_LABEL.sub("", _compact(value))


def parse_kvk(value: object) -> IdentifierParts:
    """Read a KvK number (8 digits, no checksum); 7 digits get their leading 0 back.

    A 12-digit vestigingsnummer (branch number) is a different identifier and is invalid here.

    Example:
        >>> parse_kvk("3012 3456")
        IdentifierParts(value='30123456', status='valid', reason=None)
        >>> parse_kvk("1234567")
        IdentifierParts(value='01234567', status='repaired', reason='padded')
    """
    text = compact_kvk(value)
    if not text:
        return IdentifierParts(None, "empty", None)
    if not (text.isascii() and text.isdigit()):
        return IdentifierParts(None, "invalid", "invalid_format")
    if len(text) == 7:
        return IdentifierParts("0" + text, "repaired", "padded")
    if len(text) != 8:
        return IdentifierParts(None, "invalid", "invalid_length")
    if text == "00000000":
        return IdentifierParts(None, "invalid", "invalid_component")
    return IdentifierParts(text, "valid", None)


def normalize_kvk(value: object) -> str | None:
    """The 8-digit KvK number (7 digits padded), or ``None``.

    Example:
        >>> normalize_kvk("3012 3456"), normalize_kvk(1234567), normalize_kvk("123")
        ('30123456', '01234567', None)
    """
    return parse_kvk(value).value


def validate_kvk(value: object) -> str:
    """Return the compact KvK number or raise; strict: exactly 8 digits (no padding).

    Raises:
        InputError: With ``reason`` ``"empty"``, ``"invalid_format"``, ``"invalid_length"``
            or ``"invalid_component"`` (all zeros).

    Example:
        >>> validate_kvk("30123456")
        '30123456'
    """
    parts = parse_kvk(value)
    if parts.status == "valid" and parts.value is not None:
        return parts.value
    reason = parts.reason if parts.status == "invalid" else "empty"
    if parts.status == "repaired":
        reason = "invalid_length"
    raise _fail("KvK number", reason or "invalid_format", f"{show_value(value)}; expected 8 digits")


def is_valid_kvk(value: object) -> bool:
    """Whether ``value`` is exactly an 8-digit KvK number; never raises.

    Example:
        >>> is_valid_kvk("30123456"), is_valid_kvk("1234567")
        (True, False)
    """
    return parse_kvk(value).status == "valid"


# --- IBAN -------------------------------------------------------------------------------

_IBAN_LABEL = re.compile(r"^IBAN:?")
_IBAN_GENERIC = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_IBAN_NL = re.compile(r"NL[0-9]{2}[A-Z]{4}[0-9]{10}")


def compact_iban(value: object) -> str:
    """Upper case without spaces, hyphens, dots or an ``IBAN`` label (no validation).

    Example:
        >>> compact_iban("iban: nl91 abna 0417 1643 00")
        'NL91ABNA0417164300'
    """
    return _IBAN_LABEL.sub("", _compact(value))


def validate_iban(value: object) -> str:
    """Return the compact IBAN or raise.

    Dutch IBANs are checked in full (``NL`` + 2 check digits + 4-letter bank code + 10
    digits); other countries only for the general shape and the ISO 13616 mod-97 check.

    Raises:
        InputError: With ``reason`` ``"empty"``, ``"invalid_format"`` or
            ``"invalid_checksum"``.

    Example:
        >>> validate_iban("nl91 abna 0417 1643 00")
        'NL91ABNA0417164300'
        >>> try:
        ...     validate_iban("NL92ABNA0417164300")
        ... except InputError as exc:
        ...     print(exc.reason)
        invalid_checksum
    """
    text = compact_iban(value)
    if not text:
        raise _fail("IBAN", "empty", "no value")
    pattern = _IBAN_NL if text.startswith("NL") else _IBAN_GENERIC
    if not (text.isascii() and pattern.fullmatch(text)):
        raise _fail("IBAN", "invalid_format", f"{show_value(text)} is not an IBAN")
    if _mod97(text[4:] + text[:4]) != 1:
        raise _fail("IBAN", "invalid_checksum", f"{show_value(text)} fails mod 97")
    return text


def is_valid_iban(value: object) -> bool:
    """Whether ``value`` is a valid IBAN; never raises.

    Example:
        >>> is_valid_iban("NL91 ABNA 0417 1643 00"), is_valid_iban("NL92ABNA0417164300")
        (True, False)
    """
    try:
        validate_iban(value)
    except InputError:
        return False
    return True


def normalize_iban(value: object) -> str | None:
    """The compact upper-case IBAN, or ``None`` when it is not valid.

    Example:
        >>> normalize_iban("nl91abna0417164300"), normalize_iban("NL92ABNA0417164300")
        ('NL91ABNA0417164300', None)
    """
    return compact_iban(value) if is_valid_iban(value) else None


def format_iban(value: object) -> str:
    """Display form in groups of four (no validation).

    Example:
        >>> format_iban("NL91ABNA0417164300")
        'NL91 ABNA 0417 1643 00'
    """
    text = compact_iban(value)
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


# --- BTW-id -----------------------------------------------------------------------------

_BTW = re.compile(r"NL([0-9]{9})B[0-9]{2}")
_BTW_NO_COUNTRY = re.compile(r"[0-9]{9}B[0-9]{2}")


def compact_btw(value: object) -> str:
    """Upper case without spaces, dots or hyphens (no validation).

    Example:
        >>> compact_btw("nl 0000.99998.b57")
        'NL000099998B57'
    """
    return _compact(value)


def parse_btw(value: object) -> IdentifierParts:
    """Read a Dutch BTW-id (VAT number): ``NL`` + 9 digits + ``B`` + 2 digits.

    Valid when the 9 digits pass the 11-proef (ids based on a BSN or RSIN) or the whole
    string passes ISO 7064 mod 97-10 (sole traders since 2020). A missing ``NL`` is added
    (status ``"repaired"``).

    Example:
        >>> parse_btw("NL004495445B01")
        IdentifierParts(value='NL004495445B01', status='valid', reason=None)
        >>> parse_btw("004495445B01")
        IdentifierParts(value='NL004495445B01', status='repaired', reason='country_added')
    """
    text = compact_btw(value)
    if not text:
        return IdentifierParts(None, "empty", None)
    status: IdentifierStatus = "valid"
    reason: str | None = None
    if text.isascii() and _BTW_NO_COUNTRY.fullmatch(text):
        text, status, reason = "NL" + text, "repaired", "country_added"
    match = _BTW.fullmatch(text) if text.isascii() else None
    if match is None:
        return IdentifierParts(None, "invalid", "invalid_format")
    if not (_eleven_test(match.group(1)) or _mod97(text) == 1):
        return IdentifierParts(None, "invalid", "invalid_checksum")
    return IdentifierParts(text, status, reason)


def normalize_btw(value: object) -> str | None:
    """The compact BTW-id, or ``None`` when it is not valid.

    Example:
        >>> normalize_btw("nl 0000.99998.b57"), normalize_btw("NL000099998B58")
        ('NL000099998B57', None)
    """
    return parse_btw(value).value


def validate_btw(value: object) -> str:
    """Return the compact BTW-id or raise.

    Raises:
        InputError: With ``reason`` ``"empty"``, ``"invalid_format"`` or
            ``"invalid_checksum"``.

    Example:
        >>> validate_btw("NL000099998B57")
        'NL000099998B57'
    """
    parts = parse_btw(value)
    if parts.value is not None:
        return parts.value
    reason = parts.reason or "empty"
    # the message never shows the digits: an old BTW-id can contain a BSN
    raise _fail("BTW-id", reason, "expected NL + 9 digits + B + 2 digits with a valid check")


def is_valid_btw(value: object) -> bool:
    """Whether ``value`` is a valid Dutch BTW-id (``NL`` prefix required); never raises.

    Example:
        >>> is_valid_btw("NL000099998B57"), is_valid_btw("NL004495445B01")
        (True, True)
    """
    parts = parse_btw(value)
    return parts.status == "valid"


def btw_may_contain_bsn(value: object) -> bool:
    """Whether a BTW-id's 9 digits pass the 11-proef, so they may be a sole trader's BSN.

    The old *omzetbelastingnummer* of a sole trader is BSN + ``B01``; it cannot be told apart
    from an RSIN-based id, so treat every such id like a BSN. Ids that pass only the mod 97-10
    check (issued since 2020) contain no BSN.

    Example:
        >>> btw_may_contain_bsn("NL123456782B01"), btw_may_contain_bsn("NL000099998B57")
        (True, False)
    """
    match = _BTW.fullmatch(compact_btw(value))
    return bool(match) and _eleven_test(match.group(1))



def mask_bsn_columns(records: pd.DataFrame, *, allow_bsn: bool = False, warn: bool = True,
                     stacklevel: int = 1) -> pd.DataFrame:
    """The records with every BSN-like column (:func:`find_bsn_columns`) masked value by value
    (:func:`mask_bsn`): a BSN is never a matching key unless ``allow_bsn`` (a legal basis).
    Returns ``records`` itself when nothing is masked, else a shallow copy; ``warn`` names the
    masked columns (never values) in a :class:`~custmatch.errors.CustmatchWarning`, reported
    ``stacklevel`` frames up from this function's caller (1: the caller itself).

    Raises:
        InputError: ``records`` is not a DataFrame.

    Example:
        >>> df = pd.DataFrame({"klant": ["A1", "A2"], "sofinr": ["123456782", "111222333"]})
        >>> mask_bsn_columns(df, warn=False)["sofinr"].tolist()
        ['*********', '*********']
    """
    if not isinstance(records, pd.DataFrame):
        raise InputError(f"records must be a pandas DataFrame, got {type(records).__name__}")
    if allow_bsn:
        return records
    columns = find_bsn_columns(records)
    if not columns:
        return records
    if warn:
        warnings.warn(f"column(s) {[str(c) for c in columns]} look like BSNs (burgerservicenummer)"
                      " and are masked before matching; set allow_bsn=True only with a legal "
                      "basis", CustmatchWarning, stacklevel=stacklevel + 1)
    out = records.copy(deep=False)
    for column in columns:
        codes, uniques = pd.factorize(out[column])
        masked = np.array([mask_bsn(v) for v in uniques] + [None], dtype=object)
        out[column] = masked[codes]
    return out

_ID_SEPARATORS = re.compile(r"[\s.\-/_]+")


def normalize_id_number(value: object) -> str | None:
    """A personal identity number (passport, ID card, driving licence, a foreign national
    or social-security number) as a compact matching key: upper case, separators (spaces,
    dots, dashes, slashes) removed. ``None`` for text that is no such number: fewer than 4
    characters, no digit, other punctuation, or masked digits (``*``, as left by
    :func:`mask_bsn`, so a masked BSN never matches another).

    Example:
        >>> normalize_id_number("nx-12 34.5a"), normalize_id_number(1804974)
        ('NX12345A', '1804974')
        >>> normalize_id_number("*********"), normalize_id_number("onbekend")
        (None, None)
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if value != value or not value.is_integer():
            return None
        value = int(value)
    text = _ID_SEPARATORS.sub("", str(value)).upper()
    if len(text) < 4 or not text.isascii() or not text.isalnum() or not any(
            ch.isdigit() for ch in text):
        return None
    return text
