"""Phone numbers: E.164 form, number kind and quality flags for Dutch customer data.

Rules come from dutch.md section 3 (Dutch numbering plan, as published by the ACM) and the
numbering metadata of the ``phonenumbers`` package (Google libphonenumber).

Pipeline for one raw value (the *library path*, used by the scalar functions):

1. :func:`~custmatch.normalize.text.preclean` (NFKC, dashes, spaces).
2. Split into candidate numbers on ``,`` ``;`` ``|`` ``&`` `` of `` `` en `` (and ``/``: a
   piece with a slash is tried whole first, then per part, so ``020/1234567`` stays one
   number). The first candidate that gives a valid number wins.
3. Per candidate: take a Dutch extension (``toestel``, ``tst.``, ``ext``, ``x``; list in
   ``data/phone_extension_words.txt``) out; turn a letter ``O`` next to a digit into ``0``;
   drop text before the first digit or ``+``; cut at the first letter after it
   (``06-12345678 (na 18u)``); trim to the last digit.
4. A candidate equal to an entry of ``data/phone_placeholders.txt`` is a placeholder.
5. ``phonenumbers.parse`` / ``is_valid_number`` / ``number_type`` / E.164 formatting.
   A valid NL number whose subscriber digits are all one digit (``06-11111111``) is a
   placeholder too.

Status values: ``empty`` (nothing with a digit in it), ``valid``, ``repaired`` (valid, but
the trunk ``0`` / country code was missing, as in ``612345678`` and ``31612345678``, or a
letter O stood for a zero), ``invalid`` and ``placeholder``. Only ``valid`` and
``repaired`` carry a number.

Kinds and identity weight: ``mobile`` (good evidence for one person), ``fixed`` (a landline
is household evidence: family members share it), ``voip`` (085/091, weak), ``service``
(0800 toll-free, 0900/0906/0909 premium: organisations, never person evidence),
``organisation`` (088 company-wide numbers and 14 0xx municipality numbers: never person
evidence), ``personal`` (084/087 personal-assistant numbers, weak), ``m2m`` (+3197, machines:
never person evidence), ``pager`` (066) and ``other``. Foreign numbers get the same kinds
(``mobile``, ``fixed``, ...); numbers that ``phonenumbers`` cannot tell apart
(``FIXED_LINE_OR_MOBILE``, e.g. the USA) get ``other``. The country is in the E.164 prefix.

:func:`phone_column` gives exactly the same answers as the scalar functions but avoids
``phonenumbers.parse`` (about 20-50 µs a call) for the common Dutch notations: a strict
character check plus digit logic that mirrors libphonenumber's parsing rules for NL, and a
table of number types per (length, first three digits) that is derived lazily from
``phonenumbers.number_type`` itself (never typed in by hand).

Example:
    >>> normalize_phone("06-12345678")
    '+31612345678'
    >>> phone_details("020-1234567 tst. 12")
    PhoneDetails(e164='+31201234567', kind='fixed', extension='12', status='valid')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from phonenumbers.phonemetadata import PhoneMetadata

from custmatch.normalize.text import chunks_by_length, factorize_text, object_frame, preclean
from custmatch.normalize.wordlists import load_list

__all__ = [
    "PhoneDetails",
    "PhoneKind",
    "PhoneStatus",
    "is_valid_phone",
    "normalize_phone",
    "phone_column",
    "phone_details",
    "phone_kind",
    "phone_table",
]

PhoneKind = Literal[
    "mobile", "fixed", "voip", "service", "organisation", "m2m", "pager", "personal", "other"
]
PhoneStatus = Literal["empty", "valid", "repaired", "invalid", "placeholder"]


class PhoneDetails(NamedTuple):
    """Result of :func:`phone_details`.

    Attributes:
        e164: The number in E.164 form (``+31612345678``), or ``None``.
        kind: The number kind (see the module docstring), or ``None`` when invalid.
        extension: The extension digits found after the number (not part of ``e164``).
        status: ``empty``, ``valid``, ``repaired``, ``invalid`` or ``placeholder``.
    """

    e164: str | None
    kind: str | None
    extension: str | None
    status: str


_EMPTY = PhoneDetails(None, None, None, "empty")
_INVALID = PhoneDetails(None, None, None, "invalid")
_PLACEHOLDER = PhoneDetails(None, None, None, "placeholder")

_SPLIT_RE = re.compile(r"\s*(?:[,;|&]|\s(?:of|en|or|and)\s)\s*", re.IGNORECASE)
_O_RE = re.compile(r"(?<=[0-9])[oO]|[oO](?=[0-9])")
_START_RE = re.compile(r"[+0-9]")
_LETTER_RE = re.compile(r"[^\W\d_]")
_TAIL_RE = re.compile(r"[^0-9]+\Z")
# Raw values made only of these characters need no text pre-cleaning at all.
_PLAIN_RE = re.compile(r"[0-9 ().+\-]+")
# Candidates the fast path may decide: an optional leading plus, then digits and separators.
_FAST_RE = re.compile(r"\+?[0-9][0-9 ().\-]*")
_DROP_NON_DIGITS = str.maketrans("", "", " ().-+")

_NL_CC = 31
_NSN_LENGTHS = range(7, 12)  # NSN lengths the fast path handles (0800-1234 ... +3197...)
_UNSAFE = -1  # table marker: the first three digits do not decide the type

_KIND_BY_TYPE: dict[int, str] = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.TOLL_FREE: "service",
    PhoneNumberType.PREMIUM_RATE: "service",
    PhoneNumberType.SHARED_COST: "service",
    PhoneNumberType.UAN: "organisation",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
    PhoneNumberType.PAGER: "pager",
}


@functools.cache
def _placeholders() -> frozenset[str]:
    return frozenset(load_list("phone_placeholders.txt"))


@functools.cache
def _extension_re() -> re.Pattern[str]:
    words = sorted(load_list("phone_extension_words.txt"), key=len, reverse=True)
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(
        rf"(?<![^\W\d_])(?:{alternatives})\.?\s*(?:nr\.?|nummer)?\s*[:.]?\s*([0-9]{{1,6}})"
        r"(?![0-9])(?![ .\-]?[0-9])",
        re.IGNORECASE,
    )


@functools.cache
def _nl_general_re() -> re.Pattern[str]:
    metadata = PhoneMetadata.metadata_for_region("NL")
    assert metadata is not None and metadata.general_desc is not None
    return re.compile(metadata.general_desc.national_number_pattern)


# (NSN length, first three digits) -> phonenumbers number type, filled lazily.
_NL_TYPES: dict[tuple[int, str], int] = {}


def _nl_type(length: int, prefix: str) -> int:
    """``phonenumbers.number_type`` of NL numbers with this length and 3-digit prefix.

    Derived from ``phonenumbers`` itself on several sample subscriber numbers. If the
    samples disagree, the prefix alone does not decide the type and ``_UNSAFE`` is
    returned, which sends such numbers to the library path.
    """
    key = (length, prefix)
    found = _NL_TYPES.get(key)
    if found is not None:
        return found
    rest = length - len(prefix)
    samples = ("0" * rest, "9" * rest, "5" * rest, "1234567890"[:rest], "8642097531"[:rest])
    types = {
        phonenumbers.number_type(
            phonenumbers.PhoneNumber(country_code=_NL_CC, national_number=int(prefix + s))
        )
        for s in samples
    }
    result = types.pop() if len(types) == 1 else _UNSAFE
    _NL_TYPES[key] = result
    return result


def _fast_nl(cand: str) -> tuple[str, int] | None:
    """National significant number and type for the common Dutch notations, else ``None``.

    Mirrors libphonenumber's parsing for region NL: ``+31``/``0031`` with an optional
    trunk ``0`` after it, national ``0`` + number, 9 bare digits (missing trunk ``0``) and
    ``31`` + 9 digits (missing plus). Anything else returns ``None`` (library path).
    """
    if _FAST_RE.fullmatch(cand) is None:
        return None
    digits = cand.translate(_DROP_NON_DIGITS)
    if cand[0] == "+" or digits.startswith("0031"):
        if cand[0] == "+":
            if not digits.startswith("31"):
                return None
            nsn = digits[2:]
        else:
            nsn = digits[4:]
        if nsn[:1] == "0":
            nsn = nsn[1:]
    elif digits[0] == "0":
        nsn = digits[1:]
    elif len(digits) == 9 and not digits.startswith("31"):
        nsn = digits
    elif (
        len(digits) == 11
        and digits.startswith("31")
        and digits[2] != "0"
        and _nl_general_re().fullmatch(digits[2:]) is not None
        and _nl_general_re().fullmatch(digits) is None
    ):
        nsn = digits[2:]
    else:
        return None
    if len(nsn) not in _NSN_LENGTHS or nsn[0] == "0":
        return None
    ptype = _NL_TYPES.get((len(nsn), nsn[:3]))
    if ptype is None:
        ptype = _nl_type(len(nsn), nsn[:3])
    if ptype == _UNSAFE:
        return None
    return nsn, ptype


def _kind(country_code: int, nsn: str, ptype: int) -> str:
    if country_code == _NL_CC:
        if ptype == PhoneNumberType.MOBILE and nsn.startswith("97"):
            return "m2m"  # phonenumbers calls 097 numbers MOBILE; the ACM plan says M2M
        if ptype == PhoneNumberType.UAN and nsn[:2] in ("84", "87"):
            return "personal"
    return _KIND_BY_TYPE.get(ptype, "other")


def _is_placeholder_number(country_code: int, nsn: str) -> bool:
    return country_code == _NL_CC and nsn[1:] == nsn[1] * (len(nsn) - 1)


def _finish(
    country_code: int, nsn: str, ptype: int, ext: str | None, o_fixed: bool, bare: bool
) -> PhoneDetails:
    """Build the outcome; ``bare``: written without ``+`` or trunk ``0``."""
    if ptype == PhoneNumberType.UNKNOWN:
        return _INVALID
    if _is_placeholder_number(country_code, nsn):
        return _PLACEHOLDER
    return PhoneDetails(
        f"+{country_code}{nsn}",
        _kind(country_code, nsn, ptype),
        ext,
        # A bare 14 0xx municipality number is dialled like that: nothing was missing.
        "repaired" if o_fixed or (bare and len(nsn) > 6) else "valid",
    )


def _library(cand: str, region: str) -> tuple[int, str, int, str | None] | None:
    try:
        number = phonenumbers.parse(cand, region)
        if not phonenumbers.is_valid_number(number):
            return (0, "", PhoneNumberType.UNKNOWN, None)
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        cc = number.country_code
        nsn = e164[len(str(cc)) + 1 :]
        return (cc, nsn, phonenumbers.number_type(number), number.extension or None)
    except NumberParseException:
        return None
    except Exception:  # totality: a parser surprise on odd text must not stop a run
        return None


def _resolve(cand: str, ext: str | None, o_fixed: bool, region: str, fast: bool) -> PhoneDetails:
    """Outcome for one cleaned candidate (never ``empty``)."""
    if cand in _placeholders():
        return _PLACEHOLDER
    bare = cand[0] not in "+0"
    if fast and region == "NL":
        found = _fast_nl(cand)
        if found is not None:
            return _finish(_NL_CC, found[0], found[1], ext, o_fixed, bare)
    parsed = _library(cand, region)
    if parsed is None:
        return _INVALID
    cc, nsn, ptype, lib_ext = parsed
    return _finish(cc, nsn, ptype, ext or lib_ext, o_fixed, bare)


def _clean_candidate(piece: str) -> tuple[str, str | None, bool] | None:
    """Cut one candidate down to its number: (number text, extension, O-for-zero fixed)."""
    ext = None
    if any(ch.isalpha() for ch in piece):
        match = _extension_re().search(piece)
        if match is not None:
            ext = match.group(1)
            piece = f"{piece[: match.start()]} {piece[match.end() :]}"
    fixed = piece
    if "o" in piece or "O" in piece:
        while True:
            new = _O_RE.sub("0", fixed)
            if new == fixed:
                break
            fixed = new
    start = _START_RE.search(fixed)
    if start is None:
        return None
    text = fixed[start.start() :]
    letter = _LETTER_RE.search(text)
    if letter is not None:
        text = text[: letter.start()]
    text = _TAIL_RE.sub("", text)
    if not text:
        return None
    return text, ext, fixed != piece


def _candidates(text: str) -> Iterable[str]:
    for piece in _SPLIT_RE.split(text):
        if piece:
            yield piece
            if "/" in piece:
                yield from (part for part in piece.split("/") if part.strip())


def _details(value: object, region: str, fast: bool) -> PhoneDetails:
    text = preclean(value)
    if text is None:
        return _EMPTY
    saw_number = saw_placeholder = False
    for piece in _candidates(text):
        cleaned = _clean_candidate(piece)
        if cleaned is None:
            continue
        saw_number = True
        outcome = _resolve(*cleaned, region=region, fast=fast)
        if outcome.e164 is not None:
            return outcome
        saw_placeholder = saw_placeholder or outcome.status == "placeholder"
    if saw_placeholder:
        return _PLACEHOLDER
    return _INVALID if saw_number else _EMPTY


def phone_details(s: object, region: str = "NL") -> PhoneDetails:
    """Parse one raw phone value into E.164, kind, extension and status.

    Never raises. Accepts ``str``, ``int``, ``float`` (CSV columns) and ``None``.

    Args:
        s: The raw value.
        region: Region for numbers written without a country code (ISO 3166 alpha-2).

    Returns:
        A :class:`PhoneDetails`.

    Example:
        >>> phone_details("612345678")
        PhoneDetails(e164='+31612345678', kind='mobile', extension=None, status='repaired')
        >>> phone_details("06-1234567").status
        'invalid'
        >>> phone_details("0612345678").status
        'placeholder'
    """
    return _details(s, region, fast=False)


def normalize_phone(s: object, region: str = "NL") -> str | None:
    """Return the number in E.164 form, or ``None`` when empty, invalid or a placeholder.

    Idempotent: an E.164 output normalises to itself.

    Args:
        s: The raw value (``str``, ``int``, ``float`` or ``None``).
        region: Region for numbers written without a country code.

    Returns:
        The E.164 string, or ``None``.

    Example:
        >>> normalize_phone("+31 (0)6 1234 5678")
        '+31612345678'
        >>> normalize_phone("(020) 123 45 67")
        '+31201234567'
        >>> normalize_phone("06-12345678 (na 18u)")
        '+31612345678'
        >>> normalize_phone("+32 2 555 12 12")
        '+3225551212'
        >>> normalize_phone("06-1234567") is None
        True
    """
    return phone_details(s, region).e164


def phone_kind(s: object, region: str = "NL") -> str | None:
    """Return the kind of number (``mobile``, ``fixed``, ``service``, ...), ``None`` if invalid.

    Identity weight: ``mobile`` is good person evidence; ``fixed`` is household evidence;
    ``service`` (0800/090x), ``organisation`` (088, 14 0xx) and ``m2m`` (+3197) are never
    person evidence; ``voip`` (085/091) and ``personal`` (084/087) are weak.

    Args:
        s: The raw value.
        region: Region for numbers written without a country code.

    Returns:
        The kind, or ``None``.

    Example:
        >>> phone_kind("088 1234567")
        'organisation'
        >>> phone_kind("0800-1234")
        'service'
        >>> phone_kind("+3197012345678")
        'm2m'
    """
    return phone_details(s, region).kind


def is_valid_phone(s: object, region: str = "NL") -> bool:
    """Return ``True`` when the value holds a valid, non-placeholder number. Never raises.

    Example:
        >>> is_valid_phone("0118-123456"), is_valid_phone("06-1234567")
        (True, False)
    """
    return phone_details(s, region).e164 is not None


def _column_value(value: object, region: str) -> PhoneDetails:
    """:func:`phone_details` with the fast path; same answer, usually without parsing."""
    text = value if type(value) is str else preclean(value)
    if text is None:
        return _EMPTY
    if region == "NL" and _PLAIN_RE.fullmatch(text) is not None:
        # Only digits and separators: cleaning reduces to trimming (see _clean_candidate).
        cand = text.lstrip(" ().-").rstrip(" ().-+")
        if cand:
            if cand in _placeholders():
                return _PLACEHOLDER
            found = _fast_nl(cand)
            if found is not None:
                return _finish(_NL_CC, found[0], found[1], None, False, cand[0] not in "+0")
    return _details(text, region, fast=True)


def phone_column(
    series: pd.Series | Iterable[object], region: str = "NL", *, fast: bool = True
) -> pd.DataFrame:
    """Normalise a column of phone values; each distinct value is handled once.

    The common Dutch notations skip ``phonenumbers.parse`` (see the module docstring);
    the answers are identical to :func:`phone_details` (tested with hypothesis).

    Args:
        series: Raw values (a Series keeps its index; other iterables get a RangeIndex).
        region: Region for numbers written without a country code.
        fast: Use the fast path (``False`` forces the library path, for checks).

    Returns:
        A DataFrame with columns ``phone``, ``phone_kind``, ``phone_status``.

    Example:
        >>> phone_column(pd.Series(["06-12345678", None, "0800-1234", "06-1234567"]))
                  phone phone_kind phone_status
        0  +31612345678     mobile        valid
        1          None       None        empty
        2    +318001234    service        valid
        3          None       None      invalid
    """
    if not isinstance(series, pd.Series):
        series = pd.Series(list(series), dtype=object)
    codes, uniques = factorize_text(series)
    e164, kind, status = _phone_table(uniques, region, fast)
    return object_frame(
        {"phone": e164[codes], "phone_kind": kind[codes], "phone_status": status[codes]},
        index=series.index,
    )


def phone_table(uniques: np.ndarray, region: str = "NL") -> dict[str, np.ndarray]:
    """:func:`phone_column` over distinct values, without broadcasting.

    Args:
        uniques: Distinct raw values (an object array, no nulls).
        region: Region for numbers written without a country code.

    Returns:
        ``phone``, ``phone_kind`` and ``phone_status`` arrays with one entry per value and
        one more at the end: the result for a null.

    Example:
        >>> phone_table(np.array(["06-12345678"], dtype=object))["phone"].tolist()
        ['+31612345678', None]
    """
    e164, kind, status = _phone_table(uniques, region, True)
    return {"phone": e164, "phone_kind": kind, "phone_status": status}


def _phone_table(
    uniques: np.ndarray, region: str, fast: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """E.164, kind and status of each distinct value, plus a last entry for nulls."""
    n = len(uniques)
    e164 = np.full(n + 1, None, dtype=object)
    kind = np.full(n + 1, None, dtype=object)
    status = np.full(n + 1, "empty", dtype=object)
    decided = np.zeros(n, dtype=bool)
    if fast and region == "NL" and n:
        decided = _plain_dutch(uniques, e164, kind, status)
    # one call per remaining distinct value; cheaper here than shipping values to workers
    handle = _column_value if fast else phone_details
    for i in np.flatnonzero(~decided):
        e164[i], kind[i], _, status[i] = handle(uniques[i], region)
    return e164, kind, status


# --- the fast path over a whole array of distinct values -------------------------------------

_WIDTHS = (16, 24)  # values are handled in groups of these widths; longer ones one by one
_MAX_DIGITS = 18  # digit strings that fit an int64
_CHUNK = 1 << 16
_SEPARATOR_CODES = np.array([ord(c) for c in " ().-"], dtype=np.uint32)


def _plain_dutch(
    values: np.ndarray, e164: np.ndarray, kind: np.ndarray, status: np.ndarray
) -> np.ndarray:
    """:func:`_column_value` for the plain Dutch notations, as array operations.

    Decides the strings that :func:`_column_value` sends through :func:`_fast_nl` with the
    national ``0``, ``+31`` or ``0031`` prefix or as 9 bare digits, and fills their outcome
    into ``e164``, ``kind`` and ``status``. Returns the mask of decided values; everything
    else (other shapes, placeholders from the list, unsafe prefixes) is left to the scalar
    path. A test compares both paths.
    """
    lengths = np.fromiter((len(v) if type(v) is str else 0 for v in values), dtype=np.int64,
                          count=len(values))
    decided = np.zeros(len(values), dtype=bool)
    for rows, width in chunks_by_length(lengths, _WIDTHS, _CHUNK):
        found = _parse_plain(values[rows].astype(f"U{width}"), lengths[rows])
        if found is None:
            continue
        ok, numbers, nsn_kind, nsn_status = found
        decided[rows[ok]] = True
        e164[rows[ok]] = numbers
        kind[rows[ok]] = nsn_kind
        status[rows[ok]] = nsn_status
    return decided


def _parse_plain(
    text: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Mask of decided strings and their E.164, kind and status (see :func:`_plain_dutch`)."""
    width = text.dtype.itemsize // 4
    chars = text.view(np.uint32).reshape(len(text), width)
    inside = np.arange(width) < lengths[:, None]
    digit = (chars >= 48) & (chars <= 57) & inside
    sep = np.isin(chars, _SEPARATOR_CODES) & inside
    plus = (chars == 43) & inside
    n_digits = digit.sum(axis=1)
    ok = ((digit | sep | plus | ~inside).all(axis=1) & (n_digits > 0)
          & (n_digits <= _MAX_DIGITS))
    # the candidate: separators stripped on the left (then a digit or "+" starts it);
    # separators and "+" stripped on the right (then it ends with a digit)
    start = np.argmax(~sep & inside, axis=1)
    lead_plus = plus[np.arange(len(text)), start]
    after = np.minimum(start + 1, width - 1)
    ok &= ~lead_plus | digit[np.arange(len(text)), after]
    last = width - 1 - np.argmax(digit[:, ::-1], axis=1)
    plus_inside = (plus & (np.arange(width) <= last[:, None])).sum(axis=1)
    ok &= plus_inside == lead_plus  # "+" only in front
    if not ok.any():
        return None
    # the digits, left-aligned, as numbers 0-9
    order = np.argsort(~digit, axis=1, kind="stable")
    numerals = (np.take_along_axis(chars, order, axis=1) - 48).astype(np.int64)
    numerals[np.arange(width) >= n_digits[:, None]] = 0
    offset, bare = _nsn_offset(numerals, n_digits, lead_plus)
    size = n_digits - offset
    ok &= (offset >= 0) & (size >= _NSN_LENGTHS.start) & (size < _NSN_LENGTHS.stop)
    nsn = np.take_along_axis(numerals, np.clip(offset[:, None] + np.arange(11), 0, width - 1),
                             axis=1)
    nsn[np.arange(11) >= size[:, None]] = 0
    ok &= nsn[:, 0] != 0
    ok &= ~_listed_placeholder(numerals, n_digits)
    keys = size * 1000 + nsn[:, 0] * 100 + nsn[:, 1] * 10 + nsn[:, 2]
    ptype, kinds = _types_of(keys, ok)
    ok &= ptype != _UNSAFE
    ok_rows = np.flatnonzero(ok)
    nsn, size, ptype = nsn[ok_rows], size[ok_rows], ptype[ok_rows]
    same = (nsn[:, 1:] == nsn[:, 1:2]) | (np.arange(1, 11) >= size[:, None])
    unknown = ptype == PhoneNumberType.UNKNOWN
    placeholder = same.all(axis=1) & ~unknown
    good = ~unknown & ~placeholder
    numbers = np.full(len(ok_rows), None, dtype=object)
    numbers[good] = _e164_strings(nsn[good], size[good])
    kind = np.where(good, kinds[ok_rows], None)
    status = np.where(good, np.where(bare[ok_rows], "repaired", "valid"),
                      np.where(unknown, "invalid", "placeholder")).astype(object)
    return ok, numbers, kind, status


def _nsn_offset(numerals: np.ndarray, n_digits: np.ndarray,
                lead_plus: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the national significant number starts in the digits (-1: not decided here),
    and whether the number was written bare (no ``+`` and no trunk ``0``); see _fast_nl."""
    d = numerals
    starts_31 = (d[:, 0] == 3) & (d[:, 1] == 1)
    starts_0031 = (d[:, 0] == 0) & (d[:, 1] == 0) & (d[:, 2] == 3) & (d[:, 3] == 1)
    offset = np.full(len(d), -1, dtype=np.int64)
    plus_31 = lead_plus & starts_31
    offset[plus_31] = 2 + (d[plus_31, 2] == 0)
    zero_031 = ~lead_plus & starts_0031
    offset[zero_031] = 4 + (d[zero_031, 4] == 0)
    trunk = ~lead_plus & ~starts_0031 & (d[:, 0] == 0)
    offset[trunk] = 1
    bare = ~lead_plus & (d[:, 0] != 0) & (n_digits == 9) & ~starts_31
    offset[bare] = 0
    return offset, bare


@functools.cache
def _placeholder_digits() -> frozenset[tuple[int, int]]:
    found = set()
    for entry in _placeholders():
        digits = "".join(c for c in entry if "0" <= c <= "9")
        if digits and len(digits) <= _MAX_DIGITS:
            found.add((len(digits), int(digits)))
    return frozenset(found)


def _listed_placeholder(numerals: np.ndarray, n_digits: np.ndarray) -> np.ndarray:
    """True where the digits are those of a listed placeholder (the scalar path decides)."""
    value = np.zeros(len(numerals), dtype=np.int64)
    for j in range(min(_MAX_DIGITS, numerals.shape[1])):
        value = np.where(j < n_digits, value * 10 + numerals[:, j], value)
    hit = np.zeros(len(numerals), dtype=bool)
    for length, number in _placeholder_digits():
        hit |= (n_digits == length) & (value == number)
    return hit


def _types_of(keys: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Number type and kind per (NSN length, first three digits) key, via :func:`_nl_type`."""
    ptype = np.full(len(keys), _UNSAFE, dtype=np.int64)
    kinds = np.full(len(keys), None, dtype=object)
    distinct, inverse = np.unique(keys[ok], return_inverse=True)
    types = np.array([_nl_type(int(k) // 1000, f"{int(k) % 1000:03d}") for k in distinct],
                     dtype=np.int64)
    kind_of = np.array([_kind(_NL_CC, f"{int(k) % 1000:03d}", int(t))
                        for k, t in zip(distinct, types, strict=True)], dtype=object)
    ptype[ok] = types[inverse] if len(distinct) else ptype[ok]
    kinds[ok] = kind_of[inverse] if len(distinct) else kinds[ok]
    return ptype, kinds


def _e164_strings(nsn: np.ndarray, size: np.ndarray) -> np.ndarray:
    """``"+31" + nsn`` as Python strings, from digit rows."""
    codes = np.zeros((len(nsn), 14), dtype=np.uint32)
    codes[:, :3] = [ord("+"), ord("3"), ord("1")]
    codes[:, 3:] = np.where(np.arange(11) < size[:, None], nsn + 48, 0)
    return codes.view("U14").ravel().astype(object)
