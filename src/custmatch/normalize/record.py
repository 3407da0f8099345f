"""Normalise one record without pandas: :func:`normalize_frame` for a single row.

:func:`normalize_frame` is built for columns: it factorises every input column, runs each
field normaliser over the distinct values and assembles a DataFrame. On one record (a
real-time lookup, :class:`custmatch.index.MatchIndex`) that pandas machinery costs some
25 ms. :func:`normalize_record` walks the same steps value by value with the same scalar
normalisers (``name_from_parts``, ``parse_name``, the phone and e-mail column fast paths,
``parse_date_details``, the address parsers, ...) and returns the row as a dict, in the
column order of :func:`normalize_frame`, in a few hundred microseconds.

The result equals ``normalize_frame(pd.DataFrame([record]), ...)`` value for value
(``tests/normalize/test_record.py`` compares the two on generator records and on tricky
Dutch cases). Missing values are ``None`` in every column; the other values are what the
frame holds: text, ``int`` for the ``Int64`` columns (``house_number``, ``po_box``,
``birth_year``), ``bool`` for ``email_role`` and the consents, a ``pandas.Timestamp`` for
``birth_date`` (naive) and the ``updated_at``/``created_at`` timestamps (UTC). Records
whose values are not all text (or missing) are normalised through :func:`normalize_frame`
itself, so the function is total.

Example:
    >>> row = normalize_record({"klantnummer": "K1", "naam": "Dhr. J.H. van der Berg",
    ...                         "postcode": "1234ab", "huisnr": "12-a",
    ...                         "telefoon": "06-12345678", "email": "Jan@GMAIL.con"})
    >>> [row[c] for c in ("initials", "prefix", "surname", "gender", "postcode",
    ...                   "house_number", "house_number_addition", "phone", "email_key")]
    ['JH', 'van der', 'Berg', 'M', '1234 AB', 12, 'A', '+31612345678', 'jan@gmail.com']
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from custmatch.errors import CustmatchWarning, InputError, SchemaError
from custmatch.normalize.address import (
    MAX_LENGTH,
    AddressParts,
    _address_status,
    _fast_rows,
    _parse_general,
    _street_line_rows,
)
from custmatch.normalize.city import city_key, normalize_city
from custmatch.normalize.codes import normalize_gender, parse_consent
from custmatch.normalize.dates import _resolve_today, parse_date_details
from custmatch.normalize.email import _column_value as _email_value
from custmatch.normalize.frame import (
    _ADDRESS_COLUMNS,
    _NAME_COLUMNS,
    _PART_ROLES,
    NORMALIZED_COLUMNS,
    STATUS_COLUMNS,
    normalize_frame,
    parse_timestamps,
)
from custmatch.normalize.housenumber import _NONE, _clean_input, _house_status, _parse_clean
from custmatch.normalize.names import (
    NameParts,
    name_from_parts,
    name_status,
    parse_name,
    surname_keys,
)
from custmatch.normalize.phone import _column_value as _phone_value
from custmatch.normalize.postcode import _postcode_from_clean, normalize_country, status_of
from custmatch.normalize.street import _street_key_from_display, normalize_street, street_key
from custmatch.normalize.text import dutch_title, preclean, text_key
from custmatch.schema import (
    _NAME_PART_ROLES,
    _SYNONYMS,
    INPUT_ROLES,
    _tokens,
    header_key,
    infer_columns,
)

__all__ = ["normalize_record", "record_roles"]

_EMPTY_NAME = NameParts()


def _missing(value: object) -> bool:
    """What ``pd.isna`` says of a scalar: None, NaN, ``pd.NA`` and ``NaT``."""
    return value is None or value is pd.NA or value is pd.NaT or (
        isinstance(value, float) and value != value)


def _scalar_ok(value: object) -> bool:
    """Values the scalar path handles exactly: text and missing values."""
    return value is None or type(value) is str or (type(value) is float and value != value)


# ------------------------------------------------------------------------------ roles
@functools.lru_cache(maxsize=4096)
def _header(header: str) -> tuple[str, frozenset[str]]:
    return header_key(header), frozenset(_tokens(header))


@functools.lru_cache(maxsize=4096)
def _infer(headers: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """:func:`~custmatch.schema.infer_columns` without an explicit mapping, by lookups
    instead of scans (the same passes, synonyms and tie-breaks; a record's fields vary from
    record to record, so this runs often). ``tests/normalize/test_record.py`` checks it
    against ``infer_columns``."""
    keys = {h: _header(h) for h in headers}
    by_key: dict[str, list[str]] = {}
    by_token: dict[str, list[str]] = {}
    for h in headers:
        by_key.setdefault(keys[h][0], []).append(h)
        for token in keys[h][1]:
            by_token.setdefault(token, []).append(h)
    found: dict[str, str] = {}
    used: set[str] = set()
    for table, whole in ((by_key, True), (by_token, False)):
        for role, synonyms in _SYNONYMS.items():
            if role in found:
                continue
            for synonym in synonyms:
                match = next((h for h in table.get(synonym, ()) if h not in used), None)
                if match is not None and (whole or len(synonym) >= 3):
                    found[role] = match
                    used.add(match)
                    break
    for h in headers:
        if h in found.values() or keys[h][0] != "naam":
            continue
        role = "surname" if any(r in found for r in _NAME_PART_ROLES) else "full_name"
        if role not in found:
            found[role] = h
    if "address" in found and "house_number" in found and "street" not in found:
        found["street"] = found.pop("address")
    return tuple((role, found[role]) for role in INPUT_ROLES if role in found)


@functools.lru_cache(maxsize=256)
def _roles_cached(headers: tuple[str, ...], columns: tuple[tuple[str, Any], ...]
                  ) -> tuple[tuple[str, str], ...]:
    frame = pd.DataFrame(np.empty((0, len(headers)), dtype=object), columns=list(headers))
    return tuple(infer_columns(frame, dict(columns)).items())


def record_roles(headers: Sequence[str], columns: Mapping[str, str] | None = None
                 ) -> dict[str, str]:
    """``infer_columns`` for the fields of a record (cached per set of fields): the
    ``{role: field}`` mapping :func:`normalize_frame` would use."""
    names = tuple(headers)
    if not all(type(h) is str for h in names):
        return infer_columns(pd.DataFrame(columns=list(names)), columns)
    if not columns:
        return dict(_infer(names))
    try:
        return dict(_roles_cached(names, tuple(columns.items())))
    except TypeError:  # an unhashable mapping value: no cache
        return infer_columns(pd.DataFrame(columns=list(names)), columns)


# ------------------------------------------------------------------------------ output
class _Row:
    """The output columns of one record (``_Output`` of :mod:`~custmatch.normalize.frame`
    for one row): status columns default to ``"empty"``, the others to ``None``."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        return "empty" if name in STATUS_COLUMNS else None

    def __setitem__(self, name: str, value: Any) -> None:
        self.values[name] = value

    def take(self, source: Mapping[str, Any], columns: Sequence[str], where: bool = True
             ) -> None:
        """Fill columns from ``source`` where the output is still empty."""
        if not where:
            return
        for c in columns:
            value = source.get(c)
            if not _missing(value) and _missing(self.values.get(c)):
                self.values[c] = value


def _filled(value: object) -> bool:
    return not _missing(value) and str(value).strip() != ""


def _name_fields(parts: NameParts, status: str) -> dict[str, Any]:
    return {"title": parts.title, "first_name": parts.first_name, "initials": parts.initials,
            "prefix": parts.prefix, "surname": parts.surname,
            "partner_prefix": parts.partner_prefix, "partner_surname": parts.partner_surname,
            "organisation": parts.organisation, "legal_form": parts.legal_form,
            "gender": parts.gender, "name_status": status}


def _full_name(value: object) -> dict[str, Any]:
    """``name_fields_table`` of one value (a null gives the empty row)."""
    if _missing(value):
        return _name_fields(_EMPTY_NAME, "empty")
    parts = parse_name(value)  # type: ignore[arg-type]
    return _name_fields(parts, name_status(parts, value))


# ------------------------------------------------------------------------------ fields
def _person_names(raw: Mapping[str, Any], out: _Row) -> None:
    status = "empty"
    if any(r in raw for r in _PART_ROLES):
        values = tuple(raw.get(r) for r in _PART_ROLES)
        parts = name_from_parts(*values)  # type: ignore[arg-type]
        text = " ".join(str(v) for v in values if preclean(v) is not None)
        found = _name_fields(parts, name_status(parts, text))
        if found["name_status"] != "empty":
            out.take(found, _NAME_COLUMNS)
            status = found["name_status"]
    if "full_name" in raw:
        full = _full_name(raw["full_name"])
        if full["name_status"] != "empty" and status == "empty":
            out.take(full, _NAME_COLUMNS)
            status = full["name_status"]
    if "nickname" in raw:
        shown = dutch_title(raw["nickname"])
        if not _missing(shown):
            out["first_name"] = shown
            if status == "empty":
                status = "valid"
    if "partner_surname" in raw:
        partner = _full_name(raw["partner_surname"])
        out.take({"partner_prefix": partner["prefix"], "partner_surname": partner["surname"]},
                 ("partner_prefix", "partner_surname"))
    out["name_status"] = status
    for side in ("", "partner_"):
        out[f"{side}surname_key"], out[f"{side}surname_phonetic"] = surname_keys(
            out.get(f"{side}surname"))


def _titles_and_organisations(raw: Mapping[str, Any], out: _Row) -> None:
    if "title" in raw:
        out.take(_full_name(raw["title"]), ("title", "gender"))
    if "organisation" in raw:
        value = raw["organisation"]
        org = _full_name(value)
        fallback = dutch_title(value)  # type: ignore[arg-type]
        name = org["organisation"] if not _missing(org["organisation"]) else fallback
        out["organisation"] = name
        out.take(org, ("legal_form",))
        out["organisation_status"] = ("valid" if not _missing(name) else "invalid") \
            if _filled(value) else "empty"


def _gender(raw: Mapping[str, Any], out: _Row) -> None:
    if "gender" in raw:
        value = raw["gender"]
        gender = normalize_gender(None if _missing(value) else value)
        if not _missing(gender):
            out["gender"] = gender
        out["gender_status"] = ("valid" if not _missing(gender) else "invalid") \
            if _filled(value) else "empty"


def _street_fields(value: object) -> dict[str, Any]:
    """``street_column`` of one value."""
    if _missing(value):
        return {"street": None, "street_key": None, "street_status": "empty"}
    street = normalize_street(value)
    return {"street": street, "street_key": _street_key_from_display(street) if street else None,
            "street_status": status_of(preclean(value), street)}


def _address_fields(value: object) -> dict[str, Any]:
    """``address_column`` of one value (its fast paths, then the general parser)."""
    fields = {f: np.full(1, None, dtype=object) for f in AddressParts._fields}
    status = np.full(1, "empty", dtype=object)
    if not _missing(value):
        clean = preclean(value)
        cleans = [clean if clean is not None and len(clean) <= MAX_LENGTH else None]
        fast = _fast_rows(cleans, fields, status)
        fast |= _street_line_rows(cleans, fields, status, fast)
        if not fast[0] and cleans[0] is not None:
            parts = _parse_general(cleans[0])
            for f, v in zip(AddressParts._fields, parts, strict=True):
                fields[f][0] = v
            status[0] = _address_status(cleans[0], parts)
    out = {f: values[0] for f, values in fields.items()}
    for f in ("house_number", "po_box", "house_number_to", "reply_number"):
        out[f] = None if _missing(out[f]) else int(out[f])
    out["address_status"] = status[0]
    return out


def _house_number_fields(value: object) -> dict[str, Any]:
    """``house_number_column`` of one (combined) value."""
    if _missing(value):
        return {"house_number": None, "house_number_addition": None,
                "house_number_status": "empty"}
    clean = _clean_input(value)
    parsed = _NONE if clean is None else _parse_clean(clean)
    return {"house_number": parsed.number, "house_number_addition": parsed.addition,
            "house_number_status": _house_status(preclean(value), value, parsed)}


def _street(raw: Mapping[str, Any], out: _Row) -> None:
    value = raw["street"]
    has_number = _filled(raw["house_number"]) if "house_number" in raw else False
    has_digit = not _missing(value) and any(c.isdecimal() for c in str(value))
    combined = not has_number and has_digit
    streets = _street_fields(None if combined else value)
    out.take(streets, ("street", "street_key"))
    status = streets["street_status"]
    if combined:
        line = _address_fields(value)
        out.take(line, ("street", "house_number", "house_number_addition", "po_box"))
        status = line["address_status"]
    out["street_status"] = status


def _house_numbers(raw: Mapping[str, Any], out: _Row) -> None:
    if "house_number_addition" in raw:
        number = raw.get("house_number")
        extra = preclean(raw["house_number_addition"])
        value = number
        if extra is not None:
            head = preclean(number)
            value = f"{head} {extra}" if head is not None else None
    else:
        value = raw["house_number"]
    numbers = _house_number_fields(value)
    out.take(numbers, ("house_number", "house_number_addition"))
    out["house_number_status"] = numbers["house_number_status"]


def _address(raw: Mapping[str, Any], out: _Row) -> None:
    if "street" in raw:
        _street(raw, out)
    if "house_number" in raw or "house_number_addition" in raw:
        _house_numbers(raw, out)
    if "postcode" in raw:
        value = raw["postcode"]
        postcode, status = None, "empty"
        if not _missing(value):
            clean = preclean(value)
            postcode = None if clean is None or len(clean) > 24 else _postcode_from_clean(clean)
            status = status_of(clean, postcode)
        out.take({"postcode": postcode}, ("postcode",))
        out["postcode_status"] = status
    if "city" in raw:
        value = raw["city"]
        city, status = None, "empty"
        if not _missing(value):
            city = normalize_city(value)
            status = status_of(preclean(value), city)
        out.take({"city": city, "city_key": text_key(city)}, ("city", "city_key"))
        out["city_status"] = status
    if "address" in raw:
        line = _address_fields(raw["address"])
        out.take(line, _ADDRESS_COLUMNS)
        out["address_status"] = line["address_status"]
    if "country" in raw:
        value = raw["country"]
        out.take({"country": normalize_country(None if _missing(value) else value)},
                 ("country",))
    if _missing(out.get("street_key")):
        out["street_key"] = street_key(out.get("street"))
    if _missing(out.get("city_key")):
        out["city_key"] = city_key(out.get("city"))
    if not _missing(out.get("postcode")) and _missing(out.get("country")):
        out["country"] = "NL"


def _phones(raw: Mapping[str, Any], region: str, out: _Row) -> None:
    found = []
    for role in ("mobile", "phone"):
        if role in raw:
            value = raw[role]
            if _missing(value):
                e164, kind, status = None, None, "empty"
            else:
                e164, kind, _, status = _phone_value(value, region)
            out[f"{role}_status"] = status
            found.append((e164, kind))
    if not found:
        return
    primary, kind = found[0]
    if len(found) > 1:
        second, second_kind = found[1]
        use_second = _missing(primary)
        if use_second:
            primary, kind = second, second_kind
        other = second if not use_second and second != primary else None
        out["phone_2"] = other
        out["phone_2_kind"] = second_kind if not _missing(other) else None
    out["phone"] = primary
    out["phone_kind"] = kind


_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})"
                  r"(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?")
_DMY = re.compile(r"([0-9]{2})([-/])([0-9]{2})\2([0-9]{4})(?: ([0-9]{2}):([0-9]{2})"
                  r"(?::([0-9]{2}))?)?|([0-9]{2})\.([0-9]{2})\.([0-9]{4})"
                  r"(?: ([0-9]{2}):([0-9]{2}))?")
_YMD = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_UTC = dt.timezone.utc


def _stamp(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
           micro: int = 0, offset: int = 0) -> pd.Timestamp | None:
    """The UTC timestamp, or None when the parts are no valid date (or near the edges of
    the nanosecond range): then pandas decides."""
    if not 1700 <= year <= 2200 or second > 59:
        return None
    try:
        moment = dt.datetime(year, month, day, hour, minute, second, micro)
    except ValueError:
        return None
    if offset:
        moment -= dt.timedelta(minutes=offset)
    return pd.Timestamp(moment.replace(tzinfo=_UTC))


def _timestamp(value: object) -> pd.Timestamp | None:
    """``parse_timestamps`` of one value: the common exact shapes directly (ISO 8601,
    ``dd-mm-yyyy[ hh:mm[:ss]]``, ``yyyymmdd``), anything else through pandas itself."""
    if _missing(value):
        return None
    text = value.strip() if type(value) is str else preclean(value)
    if not text:
        return None
    found: pd.Timestamp | None = None
    iso = _ISO.fullmatch(text)
    if iso is not None:
        y, mo, d, h, mi, s, frac, zone = iso.groups()
        offset = 0
        if zone and zone != "Z":
            offset = (int(zone[1:3]) * 60 + int(zone[4:6])) * (1 if zone[0] == "+" else -1)
        found = _stamp(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0),
                       int((frac or "").ljust(6, "0")), offset)
    elif (dmy := _DMY.fullmatch(text)) is not None:
        parts = dmy.groups()
        d, _, mo, y, h, mi, s = parts[:7] if parts[0] is not None else (
            parts[7], ".", parts[8], parts[9], parts[10], parts[11], None)
        found = _stamp(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
    elif (ymd := _YMD.fullmatch(text)) is not None:
        found = _stamp(int(ymd.group(1)), int(ymd.group(2)), int(ymd.group(3)))
    if found is not None:
        return found
    parsed = parse_timestamps(pd.Series([value], dtype=object)).iloc[0]
    return None if _missing(parsed) else parsed


def _contact_and_dates(raw: Mapping[str, Any], out: _Row, today: dt.date) -> None:
    if "email" in raw:
        value = raw["email"]
        if _missing(value):
            out.values.update(email=None, email_key=None, email_role=False, email_status="empty")
        else:
            found = _email_value(value)
            out.values.update(email=found.email, email_key=found.key, email_role=bool(found.role),
                              email_status=found.status)
    if "birth_date" in raw:
        value = raw["birth_date"]
        parts = parse_date_details(None if _missing(value) else value, today=today)
        out["birth_date"] = None if parts.date is None else pd.Timestamp(parts.date)
        out["birth_date_status"] = parts.status
        out["birth_year"] = None if parts.year is None else int(parts.year)
    if "customer_number" in raw:
        value = raw["customer_number"]
        out["customer_number"] = value.strip() or None if isinstance(value, str) else None
    for role in ("updated_at", "created_at"):
        if role in raw:
            out[role] = _timestamp(raw[role])
    for role in ("consent_email", "consent_phone"):
        if role in raw:
            value = raw[role]
            out[role] = parse_consent(None if _missing(value) else value)


# ------------------------------------------------------------------------------ record
def _identity(record: Mapping[str, Any], roles: Mapping[str, str],
              default_source: str) -> tuple[str, str]:
    """``record_identity`` of one record: the id as text and the source."""
    id_column = roles.get("record_id", "record_id")
    if id_column in record:
        value = record[id_column]
        if _missing(value):
            raise SchemaError(f"column {id_column!r} has 1 null value(s), at row(s) [0]; "
                              "every record needs an id (drop the column to have ids "
                              "generated)")
        record_id = value if isinstance(value, str) else (
            str(int(value)) if isinstance(value, float) and value.is_integer() else str(value))
    else:
        record_id = "0"
    source_column = roles.get("source", "source")
    source = default_source
    if source_column in record:
        value = record[source_column]
        if _missing(value) or str(value).strip() == "":
            warnings.warn(f"column {source_column!r}: 1 empty value(s) set to "
                          f"{default_source!r}", CustmatchWarning, stacklevel=4)
        else:
            source = value if isinstance(value, str) else str(value)
    return record_id, source


def normalize_record(record: Mapping[str, Any], columns: Mapping[str, str] | None = None, *,
                     region: str = "NL", today: dt.date | None = None, keep_raw: bool = True,
                     default_source: str = "default",
                     roles: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One record normalised as :func:`normalize_frame` normalises it as a one-row frame.

    Args:
        record: field -> raw value (the fields are the frame's columns).
        columns, region, today, keep_raw, default_source: as for :func:`normalize_frame`.
        roles: the ``{role: field}`` mapping, when the caller knows it already (else
            :func:`record_roles` of the fields and ``columns``).

    Returns:
        ``{column: value}`` in the column order of :func:`normalize_frame` (see the module
        docstring for the value conventions; missing values are ``None``).

    Raises:
        InputError: ``record`` is not a mapping.
        SchemaError: a bad ``columns`` mapping, a null record id.
    """
    if not isinstance(record, Mapping):
        raise InputError(f"expected a mapping of field -> value, got {type(record).__name__}")
    if roles is None:
        roles = record_roles(list(record), columns)
    if not all(type(k) is str for k in record) or not all(_scalar_ok(v) for v in
                                                          record.values()):
        return _through_frame(record, columns, region=region, today=today, keep_raw=keep_raw,
                              default_source=default_source)
    ref = _resolve_today(today)
    record_id, source = _identity(record, roles, default_source)
    raw = {role: (None if _missing(record[column]) else record[column])
           for role, column in roles.items()}
    out = _Row()
    _person_names(raw, out)
    _address(raw, out)
    _phones(raw, region, out)
    _contact_and_dates(raw, out, ref)
    _titles_and_organisations(raw, out)
    _gender(raw, out)
    result: dict[str, Any] = {"record_id": record_id, "source": source}
    for c in NORMALIZED_COLUMNS[2:]:
        result[c] = out.get(c)
    if keep_raw:
        for role in roles:
            if role not in ("record_id", "source"):
                result[f"raw_{role}"] = raw[role]
    mapped = set(roles.values())
    for column, value in record.items():
        if column in mapped:
            continue
        target = column if column not in result else f"input_{column}"
        result[target] = None if _missing(value) else value
    return result


def _through_frame(record: Mapping[str, Any], columns: Mapping[str, str] | None,
                   **options: Any) -> dict[str, Any]:
    """The general path: ``normalize_frame`` of the one-row frame, as a dict."""
    frame = normalize_frame(pd.DataFrame([dict(record)]), columns, **options)
    out: dict[str, Any] = {}
    for c in frame.columns:
        value = frame[c].to_numpy(dtype=object)[0]
        if _missing(value):
            value = None
        elif isinstance(value, np.generic):
            value = value.item()
        elif isinstance(value, np.datetime64):  # pragma: no cover - object arrays box them
            value = pd.Timestamp(value)
        out[str(c)] = value
    return out
