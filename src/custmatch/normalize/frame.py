"""Normalise a whole records frame: raw source columns -> canonical custmatch columns.

:func:`normalize_frame` recognises the source columns (:func:`custmatch.schema.infer_columns`,
always overridable), runs every field normaliser over the distinct values of its column,
and returns one row per input row, in the same order, with:

* ``record_id``, ``source``;
* the canonical columns of architecture.md (``title, first_name, initials, prefix,
  surname, organisation, street, house_number, house_number_addition, postcode, city,
  country, phone, phone_kind, email, email_key, birth_date, gender``);
* derived matching columns (``partner_prefix``, ``partner_surname``, ``legal_form``,
  ``surname_key``, ``surname_phonetic``, ``partner_surname_key``,
  ``partner_surname_phonetic``, ``street_key``, ``city_key``, ``po_box``, ``phone_2``,
  ``phone_2_kind``, ``email_role``, ``birth_year``);
* one ``<field>_status`` column per field group (``empty``, ``valid``, ``repaired``,
  ``invalid``, and for some fields ``placeholder``, ``future``, ...), read by
  :func:`quality_report`;
* the original values: ``raw_<role>`` for every recognised input column (when
  ``keep_raw``), and every unrecognised column passed through under its own name.

Example:
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"klantnummer": ["K1"], "naam": ["Dhr. J.H. van der Berg"],
    ...                     "postcode": ["1234ab"], "huisnr": ["12-a"],
    ...                     "telefoon": ["06-12345678"], "email": ["Jan@GMAIL.con"]})
    >>> row = normalize_frame(raw).iloc[0]
    >>> row[["initials", "prefix", "surname", "gender", "postcode", "house_number",
    ...      "house_number_addition", "phone", "phone_kind", "email_key"]].astype(str).tolist()
    ['JH', 'van der', 'Berg', 'M', '1234 AB', '12', 'A', '+31612345678', 'mobile', 'jan@gmail.com']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from custmatch.errors import InputError
from custmatch.normalize.address import address_column
from custmatch.normalize.city import city_column, city_key
from custmatch.normalize.codes import consent_column, gender_column
from custmatch.normalize.dates import date_column
from custmatch.normalize.email import email_column
from custmatch.normalize.housenumber import house_number_column
from custmatch.normalize.names import dutch_phonetic, name_column, name_parts_column, surname_key
from custmatch.normalize.phone import phone_column
from custmatch.normalize.postcode import normalize_country, postcode_column
from custmatch.normalize.street import street_column, street_key
from custmatch.normalize.text import dutch_title, factorize_text, map_unique, preclean
from custmatch.schema import CANONICAL_COLUMNS, infer_columns, record_identity

__all__ = [
    "CARRIED_COLUMNS",
    "DERIVED_COLUMNS",
    "NORMALIZED_COLUMNS",
    "STATUS_COLUMNS",
    "normalize_frame",
    "parse_timestamps",
    "quality_report",
]

_NAME_COLUMNS = ("title", "first_name", "initials", "prefix", "surname", "partner_prefix",
                 "partner_surname", "organisation", "legal_form", "gender")
_ADDRESS_COLUMNS = ("street", "house_number", "house_number_addition", "postcode", "city",
                    "country", "po_box")

#: Derived columns added beside the canonical ones, for blocking and comparison.
DERIVED_COLUMNS: tuple[str, ...] = (
    "partner_prefix", "partner_surname", "legal_form", "surname_key", "surname_phonetic",
    "partner_surname_key", "partner_surname_phonetic", "street_key", "city_key", "po_box",
    "phone_2", "phone_2_kind", "email_role", "birth_year",
)

#: Status columns, one per field group, and the input roles whose raw values they judge.
STATUS_COLUMNS: dict[str, tuple[str, ...]] = {
    "name_status": ("full_name", "first_name", "initials", "prefix", "surname", "nickname"),
    "organisation_status": ("organisation",),
    "street_status": ("street",),
    "house_number_status": ("house_number", "house_number_addition"),
    "postcode_status": ("postcode",),
    "city_status": ("city",),
    "address_status": ("address",),
    "phone_status": ("phone",),
    "mobile_status": ("mobile",),
    "email_status": ("email",),
    "birth_date_status": ("birth_date",),
    "gender_status": ("gender",),
}

#: Recognised columns carried over under their role name: customer numbers as text,
#: timestamps parsed (UTC), consent parsed to True/False/missing (missing is never consent).
CARRIED_COLUMNS: tuple[str, ...] = ("customer_number", "updated_at", "created_at",
                                    "consent_email", "consent_phone")

#: Every column :func:`normalize_frame` writes before the raw and pass-through columns.
NORMALIZED_COLUMNS: tuple[str, ...] = (
    "record_id", "source", *CANONICAL_COLUMNS, *DERIVED_COLUMNS, *CARRIED_COLUMNS,
    *STATUS_COLUMNS,
)


def _role_series(raw: pd.DataFrame, roles: Mapping[str, str], role: str) -> pd.Series:
    if role in roles:
        return raw[roles[role]].reset_index(drop=True)
    return pd.Series([None] * len(raw), dtype=object)


def _per_value(series: pd.Series, test: Callable[[object], bool]) -> np.ndarray:
    """``test`` once per distinct non-null value, broadcast; False for nulls."""
    return np.array(map_unique(series, lambda v: v is not None and bool(test(v))), dtype=bool)


def _filled(series: pd.Series) -> np.ndarray:
    """True where a value is present and not blank."""
    return _per_value(series, lambda v: str(v).strip() != "")


class _Columns(dict):  # type: ignore[type-arg]
    """Output columns under construction; remembers which were written after creation."""

    def __init__(self, initial: dict[str, pd.Series]) -> None:
        super().__init__(initial)
        self.written: set[str] = set()

    def __setitem__(self, key: str, value: pd.Series) -> None:
        super().__setitem__(key, value)
        self.written.add(key)


def _take(target: _Columns, source: pd.DataFrame, columns: tuple[str, ...],
          where: np.ndarray) -> None:
    """Fill ``target[c]`` from ``source[c]`` on rows ``where`` the target is still empty."""
    for c in columns:
        if c not in source.columns:
            continue
        values = source[c].to_numpy(dtype=object, na_value=None)
        rows = where & ~pd.isna(values)
        if c in target.written:  # a column never written is empty everywhere
            rows &= pd.isna(target[c].to_numpy(dtype=object, na_value=None))
        if rows.any():
            updated = target[c].to_numpy(dtype=object, na_value=None).copy()
            updated[rows] = values[rows]
            target[c] = pd.Series(updated, dtype=object)


def _clean_text(values: pd.Series) -> pd.Series:
    """Identifiers as text: trimmed, empty -> None (vectorised for plain strings)."""
    values = values.reset_index(drop=True)
    if pd.api.types.infer_dtype(values, skipna=True) == "string":
        text = values.astype(object).str.strip()
        return text.where(text.str.len() > 0, None).astype(object)
    return pd.Series(map_unique(values, preclean), dtype=object)


def _names(raw: pd.DataFrame, roles: Mapping[str, str], out: _Columns) -> None:
    n = len(raw)
    part_roles = ("first_name", "initials", "prefix", "surname")
    status = pd.Series(["empty"] * n, dtype=object)
    if any(r in roles for r in part_roles):
        parts = name_parts_column(*(_role_series(raw, roles, r) for r in part_roles))
        used = (parts["name_status"] != "empty").to_numpy()
        _take(out, parts, _NAME_COLUMNS, used)
        status[used] = parts["name_status"].to_numpy()[used]
    if "full_name" in roles:
        full = name_column(_role_series(raw, roles, "full_name"))
        used = (full["name_status"] != "empty").to_numpy() & (status == "empty").to_numpy()
        _take(out, full, _NAME_COLUMNS, used)
        status[used] = full["name_status"].to_numpy()[used]
    if "nickname" in roles:  # a roepnaam column: the name people use, beside official names
        nick = _role_series(raw, roles, "nickname")
        shown = pd.Series(map_unique(nick, dutch_title), dtype=object)
        has = shown.notna().to_numpy()
        first = out["first_name"].astype(object).copy()
        first[has] = shown[has]
        out["first_name"] = first
        status[has & (status == "empty").to_numpy()] = "valid"
    if "title" in roles:  # a salutation column ("Dhr.", "Mevr.", "mr. drs.")
        salutation = name_column(_role_series(raw, roles, "title"))
        _take(out, salutation, ("title", "gender"), np.ones(n, dtype=bool))
    if "partner_surname" in roles:
        partner = name_column(_role_series(raw, roles, "partner_surname"))
        renamed = partner.rename(columns={"prefix": "partner_prefix",
                                          "surname": "partner_surname"})
        _take(out, renamed, ("partner_prefix", "partner_surname"), np.ones(n, dtype=bool))
    out["name_status"] = status
    org_status = pd.Series(["empty"] * n, dtype=object)
    if "organisation" in roles:
        org = name_column(_role_series(raw, roles, "organisation"))
        org_name = org["organisation"].where(org["organisation"].notna(), None)
        # a plain name in an organisation column is still the organisation's name
        fallback = pd.Series(map_unique(_role_series(raw, roles, "organisation"), dutch_title),
                             dtype=object)
        org_name = org_name.where(org_name.notna(), fallback)
        out["organisation"] = org_name.astype(object).where(org_name.notna(), None)
        _take(out, org, ("legal_form",), np.ones(n, dtype=bool))
        org_status = pd.Series(np.where(_filled(_role_series(raw, roles, "organisation")),
                                        np.where(org_name.notna(), "valid", "invalid"),
                                        "empty"), dtype=object)
    out["organisation_status"] = org_status
    out["surname_key"] = pd.Series(map_unique(out["surname"], surname_key), dtype=object)
    out["surname_phonetic"] = pd.Series(map_unique(out["surname"], dutch_phonetic), dtype=object)
    out["partner_surname_key"] = pd.Series(map_unique(out["partner_surname"], surname_key),
                                           dtype=object)
    out["partner_surname_phonetic"] = pd.Series(
        map_unique(out["partner_surname"], dutch_phonetic), dtype=object)


def _address(raw: pd.DataFrame, roles: Mapping[str, str], out: _Columns) -> None:
    n = len(raw)
    everywhere = np.ones(n, dtype=bool)
    if "street" in roles:
        street_raw = _role_series(raw, roles, "street")
        has_number = _filled(_role_series(raw, roles, "house_number"))
        # a street field that also holds the number ("Kerkstraat 12a") when no number column
        # value is given: parse it as a street line
        has_digit = _per_value(street_raw, lambda v: any(c.isdecimal() for c in str(v)))
        combined = ~has_number & has_digit
        streets = street_column(street_raw.where(~combined, None))
        _take(out, streets, ("street", "street_key"), everywhere)
        status = streets["street_status"].copy()
        if combined.any():
            line = address_column(street_raw.where(combined, None))
            _take(out, line, ("street", "house_number", "house_number_addition", "po_box"),
                  combined)
            status[combined] = line["address_status"].to_numpy()[combined]
        out["street_status"] = status
    if "house_number" in roles or "house_number_addition" in roles:
        numbers = house_number_column(_role_series(raw, roles, "house_number"),
                                      addition=_role_series(raw, roles, "house_number_addition")
                                      if "house_number_addition" in roles else None)
        _take(out, numbers, ("house_number", "house_number_addition"), everywhere)
        out["house_number_status"] = numbers["house_number_status"]
    if "postcode" in roles:
        postcodes = postcode_column(_role_series(raw, roles, "postcode"))
        _take(out, postcodes, ("postcode",), everywhere)
        out["postcode_status"] = postcodes["postcode_status"]
    if "city" in roles:
        cities = city_column(_role_series(raw, roles, "city"))
        _take(out, cities, ("city", "city_key"), everywhere)
        out["city_status"] = cities["city_status"]
    if "address" in roles:
        lines = address_column(_role_series(raw, roles, "address"))
        _take(out, lines, _ADDRESS_COLUMNS, everywhere)
        out["address_status"] = lines["address_status"]
    if "country" in roles:
        countries = pd.Series(map_unique(_role_series(raw, roles, "country"), normalize_country),
                              dtype=object)
        _take(out, pd.DataFrame({"country": countries}), ("country",), everywhere)
    # keys for street and city values that came from one-line addresses
    out["street_key"] = out["street_key"].where(
        out["street_key"].notna(), pd.Series(map_unique(out["street"], street_key), dtype=object))
    out["city_key"] = out["city_key"].where(
        out["city_key"].notna(), pd.Series(map_unique(out["city"], city_key), dtype=object))
    dutch = out["postcode"].notna() & out["country"].isna()
    out["country"] = out["country"].astype(object).where(~dutch, "NL")


def _phones(raw: pd.DataFrame, roles: Mapping[str, str], region: str,
            out: _Columns) -> None:
    found = []
    for role in ("mobile", "phone"):
        if role in roles:
            table = phone_column(_role_series(raw, roles, role), region=region)
            out[f"{role}_status"] = table["phone_status"]
            found.append(table)
    if not found:
        return
    first, second = found[0], (found[1] if len(found) > 1 else None)
    primary = first["phone"].astype(object)
    kind = first["phone_kind"].astype(object)
    if second is not None:
        use_second = primary.isna()
        primary = primary.where(~use_second, second["phone"])
        kind = kind.where(~use_second, second["phone_kind"])
        other = second["phone"].where(~use_second & (second["phone"] != primary), None)
        other_kind = second["phone_kind"].where(other.notna(), None)
        out["phone_2"] = other.astype(object)
        out["phone_2_kind"] = other_kind.astype(object)
    out["phone"] = primary
    out["phone_kind"] = kind


_TIMESTAMP_FORMATS = ("%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%Y %H:%M:%S",
                      "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y%m%d",
                      "%Y%m%d%H%M%S")


def parse_timestamps(values: pd.Series) -> pd.Series:
    """Parse source timestamps (ISO with or without ``T``/zone, ``dd-mm-yyyy hh:mm``,
    ``yyyymmdd``) to UTC, once per distinct value; unparseable values become NaT.

    Day-first applies to ambiguous numeric dates, the Dutch order.

    Example:
        >>> stamps = parse_timestamps(pd.Series(["2024-01-15T10:00:00Z", "15-01-2024 10:00"]))
        >>> stamps.dt.strftime("%Y-%m-%d %H:%M %Z").tolist()
        ['2024-01-15 10:00 UTC', '2024-01-15 10:00 UTC']
    """
    codes, uniques = factorize_text(values.reset_index(drop=True))
    texts = pd.Series(uniques, dtype=object)
    plain = texts.map(type).eq(str).all() if len(texts) else True
    texts = texts.str.strip() if plain else pd.Series([preclean(v) for v in uniques],
                                                      dtype=object)
    texts = texts.where(texts.str.len() > 0, None) if plain else texts
    stamps = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[ns]")
    todo = texts.notna().to_numpy().copy()

    def parse(fmt: str, **kwargs: object) -> None:
        rows = np.flatnonzero(todo)
        got = pd.to_datetime(texts.iloc[rows], format=fmt, errors="coerce", utc=True, **kwargs)
        values = got.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")
        ok = ~np.isnat(values)
        stamps[rows[ok]] = values[ok]
        todo[rows[ok]] = False

    iso = texts.str.match(r"\d{4}-\d\d-\d\d", na=False).to_numpy()
    if iso.any():
        todo_all = todo.copy()
        todo[:] = todo_all & iso
        parse("ISO8601")
        todo |= todo_all & ~iso
    for fmt in _TIMESTAMP_FORMATS:  # explicit formats, each on the values still unparsed
        if not todo.any():
            break
        parse(fmt)
    if todo.any():  # the odd remainder: pandas' per-value parser, day first
        parse("mixed", dayfirst=True)
    table = np.append(stamps, np.datetime64("NaT", "ns"))
    return pd.Series(table[codes]).dt.tz_localize("UTC")


def normalize_frame(
    df: pd.DataFrame,
    columns: Mapping[str, str] | None = None,
    *,
    region: str = "NL",
    today: dt.date | None = None,
    keep_raw: bool = True,
    default_source: str = "default",
) -> pd.DataFrame:
    """Normalise every recognised column of a records frame (see the module docstring).

    Args:
        df: raw records, one row per source record.
        columns: explicit ``{role: column}`` mapping; wins over header recognition.
        region: default region for phone numbers without a country code.
        today: reference day for birth dates (two-digit years, future dates, ages).
        keep_raw: keep the original values of recognised columns as ``raw_<role>``.
        default_source: source name for rows without one.

    Returns:
        A new frame, same rows in the same order, ids kept (as strings).

    Raises:
        InputError: ``df`` is not a DataFrame.
        SchemaError: bad ``columns`` mapping, null or duplicate record ids.
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"expected a pandas DataFrame of records, got {type(df).__name__}")
    roles = infer_columns(df, columns)
    record_ids, sources = record_identity(
        df,
        id_column=roles.get("record_id", "record_id"),
        source_column=roles.get("source", "source"),
        default_source=default_source,
    )
    raw = df.reset_index(drop=True)
    n = len(raw)
    out = _Columns({
        c: pd.Series(np.full(n, "empty" if c in STATUS_COLUMNS else None, dtype=object))
        for c in NORMALIZED_COLUMNS if c not in ("record_id", "source")
    })
    _names(raw, roles, out)
    _address(raw, roles, out)
    _phones(raw, roles, region, out)
    if "email" in roles:
        emails = email_column(_role_series(raw, roles, "email"))
        for c in ("email", "email_key", "email_role", "email_status"):
            out[c] = emails[c].astype(object)
    if "birth_date" in roles:
        dates = date_column(_role_series(raw, roles, "birth_date"), today=today)
        out["birth_date"] = dates["birth_date"]
        out["birth_date_status"] = dates["birth_date_status"].astype(object)
        out["birth_year"] = dates["birth_year"]
    if "customer_number" in roles:
        numbers = _role_series(raw, roles, "customer_number")
        out["customer_number"] = _clean_text(numbers)
    for role in ("updated_at", "created_at"):
        if role in roles:
            out[role] = parse_timestamps(_role_series(raw, roles, role))
    for role in ("consent_email", "consent_phone"):
        if role in roles:
            out[role] = consent_column(_role_series(raw, roles, role)).reset_index(drop=True)
    if "gender" in roles:
        raw_gender = _role_series(raw, roles, "gender")
        genders = gender_column(raw_gender).reset_index(drop=True).astype(object)
        given = genders.notna()
        out["gender"] = genders.where(given, out["gender"])
        out["gender_status"] = pd.Series(
            np.where(_filled(raw_gender), np.where(given, "valid", "invalid"), "empty"),
            dtype=object)

    result = pd.DataFrame({"record_id": pd.Series(record_ids, dtype=object),
                           "source": pd.Series(sources, dtype=object)})
    for c in NORMALIZED_COLUMNS[2:]:
        result[c] = out[c].array
    result["house_number"] = pd.array(result["house_number"], dtype="Int64")
    result["po_box"] = pd.array(result["po_box"], dtype="Int64")
    result["birth_year"] = pd.array(result["birth_year"], dtype="Int64")
    for role in ("updated_at", "created_at"):
        if result[role].dtype == object:
            result[role] = pd.to_datetime(result[role], utc=True)
    for role in ("consent_email", "consent_phone"):
        result[role] = pd.array(result[role].astype(object), dtype="boolean")
    for c in STATUS_COLUMNS:
        result[c] = result[c].astype("category")
    if keep_raw:
        for role, column in roles.items():
            if role not in ("record_id", "source"):
                result[f"raw_{role}"] = raw[column].to_numpy()
    mapped = set(roles.values())
    for column in raw.columns:
        if column in mapped:
            continue
        name = str(column)
        target = name if name not in result.columns else f"input_{name}"
        result[target] = raw[column].to_numpy()
    return result


def quality_report(normalized: pd.DataFrame, *, examples: int = 3) -> pd.DataFrame:
    """Per field group: how many values were filled, valid, repaired, invalid or unusable.

    Args:
        normalized: the output of :func:`normalize_frame` (a raw frame is normalised first).
        examples: how many distinct invalid raw values to show per field (truncated).

    Returns:
        One row per field group with columns ``field, rows, filled, valid, repaired,
        invalid, unusable, filled_share, invalid_examples``; ``unusable`` counts statuses
        other than valid/repaired/invalid/empty (placeholders, future dates, ...).

    Example:
        >>> import pandas as pd
        >>> report = quality_report(pd.DataFrame({"postcode": ["1234ab", "1234", None]}))
        >>> row = report.set_index("field").loc["postcode"]
        >>> int(row["filled"]), int(row["repaired"]), int(row["invalid"])
        (2, 1, 1)
    """
    if not isinstance(normalized, pd.DataFrame):
        raise InputError(f"expected a DataFrame, got {type(normalized).__name__}")
    if not any(c in normalized.columns for c in STATUS_COLUMNS):
        normalized = normalize_frame(normalized)
    rows = []
    for status_col, raw_roles in STATUS_COLUMNS.items():
        if status_col not in normalized.columns:
            continue
        status = normalized[status_col].astype(object).fillna("empty")
        counts = status.value_counts()
        filled = int(len(status) - counts.get("empty", 0))
        if filled == 0:
            continue
        invalid_mask = (status == "invalid").to_numpy()
        shown: list[str] = []
        for role in raw_roles:
            column = f"raw_{role}"
            if column in normalized.columns and invalid_mask.any():
                values = normalized.loc[invalid_mask, column].dropna().astype(str).unique()
                shown.extend(v if len(v) <= 30 else v[:29] + "…" for v in values[:examples])
        usable = {"valid", "repaired", "invalid", "empty"}
        rows.append({
            "field": status_col.removesuffix("_status"),
            "rows": len(status),
            "filled": filled,
            "valid": int(counts.get("valid", 0)),
            "repaired": int(counts.get("repaired", 0)),
            "invalid": int(counts.get("invalid", 0)),
            "unusable": int(sum(v for k, v in counts.items() if k not in usable)),
            "filled_share": round(filled / len(status), 4) if len(status) else 0.0,
            "invalid_examples": shown[:examples],
        })
    return pd.DataFrame(rows, columns=["field", "rows", "filled", "valid", "repaired", "invalid",
                                       "unusable", "filled_share", "invalid_examples"])
