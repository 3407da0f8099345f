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

Each input column is factorised once; split name columns (and house number + addition) are
handled once per distinct combination. From :data:`BACKGROUND_MIN_ROWS` rows (Linux, more
than one CPU) the person names, the slowest fields, are normalised in a forked child process
while this one does the other fields; the result is the same either way.

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
import re
from collections.abc import Callable, Mapping
from functools import partial

import numpy as np
import pandas as pd

from custmatch.errors import InputError
from custmatch.normalize.address import address_column
from custmatch.normalize.city import city_column, city_key
from custmatch.normalize.codes import normalize_gender, parse_consent
from custmatch.normalize.dates import date_column
from custmatch.normalize.email import email_table
from custmatch.normalize.housenumber import house_number_column
from custmatch.normalize.identifiers import normalize_id_number
from custmatch.normalize.names import name_fields_table, name_parts_column, surname_keys
from custmatch.normalize.phone import phone_table
from custmatch.normalize.postcode import normalize_country, postcode_column
from custmatch.normalize.street import street_column, street_key
from custmatch.normalize.text import (
    _default_workers,
    dutch_title,
    factorize_text,
    in_background,
    map_unique,
    preclean,
)
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

_PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3

#: From this many rows :func:`normalize_frame` normalises the names in a child process
#: beside the other fields (Linux, more than one CPU; see ``in_background``).
BACKGROUND_MIN_ROWS = 100_000
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

#: Recognised columns carried over under their role name: customer numbers as text, identity
#: numbers as compact keys (:func:`~custmatch.normalize.identifiers.normalize_id_number`),
#: timestamps parsed (UTC), consent parsed to True/False/missing (missing is never consent).
CARRIED_COLUMNS: tuple[str, ...] = ("customer_number", "id_number", "updated_at", "created_at",
                                    "consent_email", "consent_phone")

#: Every column :func:`normalize_frame` writes before the raw and pass-through columns.
NORMALIZED_COLUMNS: tuple[str, ...] = (
    "record_id", "source", *CANONICAL_COLUMNS, *DERIVED_COLUMNS, *CARRIED_COLUMNS,
    *STATUS_COLUMNS,
)


Table = dict[str, np.ndarray]


class _Inputs:
    """The recognised input columns, each copied and factorised at most once.

    Field normalisers work over distinct values: :meth:`table` runs a ``*_column`` function
    on the distinct values of a column (plus one null) and broadcasts its result to the rows,
    which gives the same rows as running it on the whole column.
    """

    def __init__(self, raw: pd.DataFrame, roles: Mapping[str, str]) -> None:
        self.raw = raw
        self.roles = roles
        self.n = len(raw)
        self._series: dict[str, pd.Series] = {}
        self._coded: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __contains__(self, role: str) -> bool:
        return role in self.roles

    def series(self, role: str) -> pd.Series:
        """The column of ``role`` with a range index (all ``None`` when not recognised)."""
        found = self._series.get(role)
        if found is None:
            if role in self.roles:
                found = self.raw[self.roles[role]]
                if not found.index.equals(pd.RangeIndex(self.n)):
                    found = found.reset_index(drop=True)  # (a copy: only when needed)
            else:
                found = pd.Series(np.full(self.n, None, dtype=object), dtype=object)
            self._series[role] = found
        return found

    def coded(self, role: str) -> tuple[np.ndarray, np.ndarray]:
        """``factorize_text`` codes (-1: null) and distinct values of a column."""
        found = self._coded.get(role)
        if found is None:
            found = self._coded[role] = factorize_text(self.series(role))
        return found

    def values(self, role: str) -> np.ndarray:
        """The raw values of a column as an object array."""
        return self.series(role).to_numpy(dtype=object)

    def per_unique(self, role: str, func: Callable[[object], object]) -> np.ndarray:
        """``func`` once per distinct value (``None`` for nulls), broadcast to the rows."""
        codes, uniques = self.coded(role)
        results = np.empty(len(uniques) + 1, dtype=object)
        results[: len(uniques)] = [func(u) for u in uniques]
        results[-1] = func(None)
        return results[codes]

    def flags(self, role: str, test: Callable[[object], bool]) -> np.ndarray:
        """``test`` once per distinct non-null value, broadcast; False for nulls."""
        codes, uniques = self.coded(role)
        results = np.zeros(len(uniques) + 1, dtype=bool)
        results[: len(uniques)] = [bool(test(u)) for u in uniques]
        return results[codes]

    def filled(self, role: str) -> np.ndarray:
        """True where a value is present and not blank."""
        return self.flags(role, lambda v: str(v).strip() != "")

    def unique_table(self, role: str, per_unique: Callable[[np.ndarray], Table],
                     columns: tuple[str, ...] | None = None) -> Table:
        """``per_unique(distinct values)`` (arrays with one more entry, for nulls, at the
        end) broadcast to the rows (only ``columns``, when given)."""
        codes, uniques = self.coded(role)
        return {c: values[codes] for c, values in per_unique(uniques).items()
                if columns is None or c in columns}

    def table(self, role: str, column: Callable[[pd.Series], pd.DataFrame],
              rows: np.ndarray | None = None) -> Table:
        """``column`` over the distinct values of a column, broadcast to the rows.

        With ``rows`` (a mask), only the values on those rows are used; the other rows get
        the result for a null value.
        """
        codes, uniques = self.coded(role)
        if rows is not None:
            used = np.unique(codes[rows & (codes >= 0)])
            local = np.full(len(uniques) + 1, len(used), dtype=np.int64)
            local[used] = np.arange(len(used))
            codes = np.where(rows, local[codes], len(used))
            uniques = uniques[used]
        per_value = column(pd.Series([*uniques, None], dtype=object))
        return {c: per_value[c].to_numpy(dtype=object, na_value=None)[codes]
                for c in per_value.columns}


class _Output:
    """Output columns under construction, as object arrays made on first use."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.columns: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        found = self.columns.get(name)
        if found is None:
            empty = "empty" if name in STATUS_COLUMNS else None
            found = self.columns[name] = np.full(self.n, empty, dtype=object)
        return found

    def __setitem__(self, name: str, values: np.ndarray) -> None:
        self.columns[name] = values

    def take(self, source: Table, columns: tuple[str, ...], where: np.ndarray | None) -> None:
        """Fill columns from ``source`` on rows ``where`` (None: all) the output is empty."""
        for c in columns:
            values = source.get(c)
            if values is None:
                continue
            rows = pd.notna(values) if where is None else where & pd.notna(values)
            current = self.columns.get(c)
            if current is not None:  # a column never written is empty everywhere
                rows &= pd.isna(current)
            if rows.any():
                updated = self[c].copy()
                updated[rows] = values[rows]
                self.columns[c] = updated

    def fill_missing(self, name: str, source: str, func: Callable[[object], object]) -> None:
        """Fill the empty rows of a column with ``func`` of column ``source``."""
        missing = pd.isna(self[name])
        if missing.any():
            filled = self[name].copy()
            filled[missing] = _map_values(self[source][missing], func)[0]
            self.columns[name] = filled


def _map_values(values: np.ndarray, func: Callable[[object], object],
                width: int = 1) -> list[np.ndarray]:
    """``func`` once per distinct value of an object array (``None`` for nulls), broadcast
    to the rows; with ``width`` > 1, ``func`` returns that many values (one array each)."""
    codes, uniques = factorize_text(pd.Series(values, dtype=object, copy=False))
    results = [func(u) for u in uniques]
    results.append(func(None))
    if width == 1:
        results = [(r,) for r in results]
    table = np.empty((len(results), width), dtype=object)
    table[:] = results
    return [table[:, j][codes] for j in range(width)]


def _clean_text(values: pd.Series) -> np.ndarray:
    """Identifiers as text: trimmed, empty -> None (vectorised for plain strings)."""
    values = values.reset_index(drop=True)
    if pd.api.types.infer_dtype(values, skipna=True) == "string":  # strings and nulls
        cleaned = np.empty(len(values), dtype=object)
        cleaned[:] = [v.strip() or None if isinstance(v, str) else None
                      for v in values.to_numpy(dtype=object)]
        return cleaned
    return np.asarray(map_unique(values, preclean), dtype=object)


_PART_ROLES = ("first_name", "initials", "prefix", "surname")


def _combinations(src: _Inputs, roles: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the distinct combinations of several columns' values, and the first row of
    each combination (its values stand for all rows with that combination)."""
    combined = np.zeros(src.n, dtype=np.int64)
    for role in roles:
        if role in src:
            codes, uniques = src.coded(role)
            combined, _ = pd.factorize(combined * (len(uniques) + 1) + (codes + 1))
    _, first = np.unique(combined, return_index=True)
    return combined, first


def _over_combinations(src: _Inputs, roles: tuple[str, ...],
                       column: Callable[..., pd.DataFrame], columns: tuple[str, ...]) -> Table:
    """``column(*series)`` once per distinct combination of the columns of ``roles``
    (``None`` for a role not recognised), broadcast to the rows (its ``columns``)."""
    combined, first = _combinations(src, roles)
    series = [pd.Series(src.values(role)[first], dtype=object) if role in src else None
              for role in roles]
    per_combination = column(*series)
    return {c: per_combination[c].to_numpy(dtype=object, na_value=None)[combined]
            for c in columns}


def _person_names(src: _Inputs, out: _Output) -> None:
    """Names from the split name columns, else the full-name column; nickname; partner
    surname; name status; surname keys."""
    status = np.full(src.n, "empty", dtype=object)
    if any(r in src for r in _PART_ROLES):
        parts = _over_combinations(src, _PART_ROLES, name_parts_column,
                                   (*_NAME_COLUMNS, "name_status"))
        used = parts["name_status"] != "empty"
        out.take(parts, _NAME_COLUMNS, used)
        status[used] = parts["name_status"][used]
    if "full_name" in src:
        full = src.unique_table("full_name", name_fields_table, (*_NAME_COLUMNS, "name_status"))
        used = (full["name_status"] != "empty") & (status == "empty")
        out.take(full, _NAME_COLUMNS, used)
        status[used] = full["name_status"][used]
    if "nickname" in src:  # a roepnaam column: the name people use, beside official names
        shown = src.per_unique("nickname", dutch_title)
        has = pd.notna(shown)
        first = out["first_name"].copy()
        first[has] = shown[has]
        out["first_name"] = first
        status[has & (status == "empty")] = "valid"
    if "partner_surname" in src:
        partner = src.unique_table("partner_surname", name_fields_table, ("prefix", "surname"))
        renamed = {"partner_prefix": partner["prefix"], "partner_surname": partner["surname"]}
        out.take(renamed, ("partner_prefix", "partner_surname"), None)
    out["name_status"] = status
    for side in ("", "partner_"):
        out[f"{side}surname_key"], out[f"{side}surname_phonetic"] = _map_values(
            out[f"{side}surname"], surname_keys, width=2)


def _title_and_organisation_tables(src: _Inputs) -> dict[str, Table]:
    """What :func:`_titles_and_organisations` needs from the input (the costly part)."""
    tables = {}
    if "title" in src:  # a salutation column ("Dhr.", "Mevr.", "mr. drs.")
        tables["title"] = src.unique_table("title", name_fields_table, ("title", "gender"))
    if "organisation" in src:
        org = src.unique_table("organisation", name_fields_table,
                               ("organisation", "legal_form"))
        # a plain name in an organisation column is still the organisation's name
        fallback = src.per_unique("organisation", dutch_title)
        org["name"] = np.where(pd.notna(org["organisation"]), org["organisation"], fallback)
        org["filled"] = src.filled("organisation")
        tables["organisation"] = org
    return tables


def _titles_and_organisations(tables: dict[str, Table], out: _Output) -> None:
    """A salutation column fills title and gender where the names gave none; an
    organisation column gives the organisation (it wins), its legal form and status."""
    if "title" in tables:
        out.take(tables["title"], ("title", "gender"), None)
    if "organisation" in tables:
        org = tables["organisation"]
        out["organisation"] = org["name"]
        out.take(org, ("legal_form",), None)
        out["organisation_status"] = np.where(
            org["filled"], np.where(pd.notna(org["name"]), "valid", "invalid"),
            "empty").astype(object)


def _street(src: _Inputs, out: _Output) -> None:
    has_number = src.filled("house_number") if "house_number" in src else np.zeros(src.n, bool)
    # a street field that also holds the number ("Kerkstraat 12a") when no number column
    # value is given: parse it as a street line
    has_digit = src.flags("street", lambda v: any(c.isdecimal() for c in str(v)))
    combined = ~has_number & has_digit
    streets = src.table("street", street_column, rows=~combined)
    out.take(streets, ("street", "street_key"), None)
    status = streets["street_status"]
    if combined.any():
        line = src.table("street", address_column, rows=combined)
        out.take(line, ("street", "house_number", "house_number_addition", "po_box"), combined)
        status[combined] = line["address_status"][combined]
    out["street_status"] = status


def _house_numbers(src: _Inputs, out: _Output) -> None:
    if "house_number_addition" in src:
        numbers = _over_combinations(
            src, ("house_number", "house_number_addition"),
            lambda number, addition: house_number_column(
                number if number is not None else pd.Series([None] * len(addition)),
                addition=addition),
            ("house_number", "house_number_addition", "house_number_status"))
    else:
        numbers = src.table("house_number", house_number_column)
    out.take(numbers, ("house_number", "house_number_addition"), None)
    out["house_number_status"] = numbers["house_number_status"]


def _address(src: _Inputs, out: _Output) -> None:
    if "street" in src:
        _street(src, out)
    if "house_number" in src or "house_number_addition" in src:
        _house_numbers(src, out)
    for role, column in (("postcode", postcode_column), ("city", city_column)):
        if role in src:
            found = src.table(role, column)
            out.take(found, (role, f"{role}_key"), None)
            out[f"{role}_status"] = found[f"{role}_status"]
    if "address" in src:
        lines = src.table("address", address_column)
        out.take(lines, _ADDRESS_COLUMNS, None)
        out["address_status"] = lines["address_status"]
    if "country" in src:
        out.take({"country": src.per_unique("country", normalize_country)}, ("country",), None)
    # keys for street and city values that came from one-line addresses
    out.fill_missing("street_key", "street", street_key)
    out.fill_missing("city_key", "city", city_key)
    dutch = pd.notna(out["postcode"]) & pd.isna(out["country"])
    out["country"] = np.where(dutch, "NL", out["country"]).astype(object)


def _phones(src: _Inputs, region: str, out: _Output) -> None:
    found = []
    for role in ("mobile", "phone"):
        if role in src:
            table = src.unique_table(role, partial(phone_table, region=region))
            out[f"{role}_status"] = table["phone_status"]
            found.append(table)
    if not found:
        return
    first, second = found[0], (found[1] if len(found) > 1 else None)
    primary, kind = first["phone"], first["phone_kind"]
    if second is not None:
        use_second = pd.isna(primary)
        primary = np.where(use_second, second["phone"], primary)
        kind = np.where(use_second, second["phone_kind"], kind)
        other = np.where(~use_second & (second["phone"] != primary), second["phone"], None)
        out["phone_2"] = other
        out["phone_2_kind"] = np.where(pd.notna(other), second["phone_kind"], None)
    out["phone"] = primary
    out["phone_kind"] = kind


def _contact_and_dates(src: _Inputs, out: _Output, today: dt.date | None) -> None:
    if "email" in src:
        emails = src.unique_table("email", email_table)
        for c in ("email", "email_key", "email_role", "email_status"):
            out[c] = emails[c]
    if "birth_date" in src:
        dates = date_column(src.series("birth_date"), today=today)
        out["birth_date"] = dates["birth_date"]
        out["birth_date_status"] = dates["birth_date_status"].to_numpy(dtype=object)
        out["birth_year"] = dates["birth_year"]
    if "customer_number" in src:
        out["customer_number"] = _clean_text(src.series("customer_number"))
    if "id_number" in src:
        out["id_number"] = src.per_unique("id_number", normalize_id_number)
    for role in ("updated_at", "created_at"):
        if role in src:
            out[role] = parse_timestamps(src.series(role))
    for role in ("consent_email", "consent_phone"):
        if role in src:
            out[role] = src.per_unique(role, parse_consent)


def _gender(src: _Inputs, out: _Output) -> None:
    """A gender column wins over the gender read from names and salutations."""
    if "gender" in src:
        genders = src.per_unique("gender", normalize_gender)
        given = pd.notna(genders)
        out["gender"] = np.where(given, genders, out["gender"])
        out["gender_status"] = np.where(src.filled("gender"),
                                        np.where(given, "valid", "invalid"), "empty")


def _person_name_columns(src: _Inputs) -> dict[str, np.ndarray]:
    """The fields of :func:`_person_names` as a dict of columns."""
    out = _Output(src.n)
    _person_names(src, out)
    return out.columns


#: Name columns no later step changes: the names process converts them to their final
#: (pandas 3: ``str``) arrays itself, off the serial path of the main process.
_FINAL_NAME_COLUMNS = ("first_name", "initials", "prefix", "surname", "partner_prefix",
                       "partner_surname", "surname_key", "surname_phonetic",
                       "partner_surname_key", "partner_surname_phonetic")


def _pack(columns: dict[str, np.ndarray]) -> dict[str, object]:
    """Columns in a compact form for sending between processes: codes and distinct values,
    or (final name columns of texts, pandas 3 with pyarrow) their final arrays."""
    packed: dict[str, object] = {}
    for name, values in columns.items():
        packed[name] = values
        if name in _FINAL_NAME_COLUMNS and isinstance(values, np.ndarray) and \
                values.dtype == object:
            final = _inferred_array(values)
            if not isinstance(final, pd.arrays.NumpyExtensionArray):  # texts: pyarrow
                packed[name] = final
                continue
        if isinstance(values, np.ndarray) and values.dtype == object:
            codes, uniques = factorize_text(pd.Series(values, dtype=object, copy=False))
            if _all_none(values[codes < 0]):
                packed[name] = (codes.astype(np.int32), uniques)
    return packed


def _all_none(values: np.ndarray) -> bool:
    """Whether every element of an object array is ``None`` (not NaN or ``pd.NA``)."""
    try:
        return bool(np.equal(values, None).all())
    except TypeError:  # pd.NA
        return False


def _unpack(packed: dict[str, object]) -> dict[str, np.ndarray]:
    """The columns of :func:`_pack`."""
    columns = {}
    for name, value in packed.items():
        if isinstance(value, tuple):
            codes, uniques = value
            value = np.append(uniques, None)[codes]
        columns[name] = value
    return columns


def _result_column(name: str, values: object) -> object:
    """One output column in its final dtype (object columns as object arrays)."""
    if name in ("house_number", "po_box", "birth_year"):
        return pd.array(values, dtype="Int64")
    if name in ("updated_at", "created_at"):
        if isinstance(values, pd.Series):
            return values.array
        return pd.to_datetime(pd.Series(values, dtype=object), utc=True).array
    if name in ("consent_email", "consent_phone"):
        return pd.array(np.asarray(values, dtype=object), dtype="boolean")
    if name in STATUS_COLUMNS:
        return _categorical(np.asarray(values, dtype=object))
    if isinstance(values, pd.Series):
        return values.array
    if isinstance(values, pd.api.extensions.ExtensionArray):  # already final (see _pack)
        return values
    return np.asarray(values, dtype=object)


def _categorical(values: np.ndarray) -> pd.Categorical:
    """``pd.Categorical(values)`` (sorted categories) for a column of few distinct strings."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(order) + 1, dtype=codes.dtype)
    rank[order] = np.arange(len(order))
    rank[-1] = -1
    return pd.Categorical.from_codes(rank[codes], categories=uniques[order])


def _inferred_array(values: np.ndarray) -> object:
    """An object array as pandas 3 stores it in a frame: as its ``str`` dtype when every
    value is a text or missing, else as objects. Texts are converted by pyarrow in one pass,
    where pandas would first check each value and then convert (half the time, on the
    serial path of a million-row run)."""
    if _ARROW_TEXT is not None and pd.api.types.infer_dtype(values, skipna=True) == "string":
        import pyarrow as pa

        return pd.array(pa.array(values, type=pa.large_string(), from_pandas=True),
                        dtype=_ARROW_TEXT)
    return pd.Series(values, dtype=object).array


def _text_dtype_inferred() -> object:
    """The dtype pandas infers for a column of texts when it is pyarrow's large string
    (pandas 3 with pyarrow), else None."""
    inferred = pd.DataFrame({"c": pd.Series(np.array(["a"], dtype=object), dtype=object).array})
    dtype = inferred["c"].dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return dtype
    return None


_ARROW_TEXT = _text_dtype_inferred() if _PANDAS_3 else None


def _raw_column(series: pd.Series) -> object:
    """An input column as the result keeps it: its values, in the dtype pandas infers for
    them (an input already in that text dtype is taken as it is, without converting a
    million texts to objects and back)."""
    if _ARROW_TEXT is not None and series.dtype == _ARROW_TEXT and series.count() > 0:
        return series.array  # (a column with no text at all would become objects)
    return series.to_numpy()


def _assemble(record_ids: np.ndarray, sources: np.ndarray, out: _Output) -> pd.DataFrame:
    """The normalised columns as a frame (without copying them on pandas 2)."""
    data: dict[str, object] = {"record_id": record_ids, "source": sources}
    for c in NORMALIZED_COLUMNS[2:]:
        data[c] = _result_column(c, out[c])
    if _PANDAS_3:  # copy-on-write: column by column, as pandas 3 infers their dtypes
        result = pd.DataFrame({c: pd.Series(data.pop(c), dtype=object)
                               for c in ("record_id", "source")})
        for c, values in data.items():
            result[c] = _inferred_array(values) if isinstance(values, np.ndarray) else values
        return result
    return pd.DataFrame({c: pd.Series(v, dtype=object, copy=False) if isinstance(v, np.ndarray)
                         else pd.Series(v, copy=False) for c, v in data.items()}, copy=False)


_TIMESTAMP_FORMATS = ("%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%Y %H:%M:%S",
                      "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y%m%d",
                      "%Y%m%d%H%M%S")


_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")


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
    if all(type(v) is str for v in uniques):
        cleaned = [v.strip() or None for v in uniques]
    else:
        cleaned = [preclean(v) for v in uniques]
    texts = pd.Series(cleaned, dtype=object)
    stamps = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[ns]")
    todo = np.fromiter((t is not None for t in cleaned), dtype=bool, count=len(cleaned))

    def parse(fmt: str, **kwargs: object) -> None:
        rows = np.flatnonzero(todo)
        got = pd.to_datetime(texts.iloc[rows], format=fmt, errors="coerce", utc=True, **kwargs)
        values = got.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")
        ok = ~np.isnat(values)
        stamps[rows[ok]] = values[ok]
        todo[rows[ok]] = False

    iso = np.fromiter((t is not None and _ISO_DATE.match(t) is not None for t in cleaned),
                      dtype=bool, count=len(cleaned))
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
    src = _Inputs(df, roles)
    # names (the slowest fields) in a child process while this one does the others
    background = len(df) >= BACKGROUND_MIN_ROWS and _default_workers() > 1
    names = in_background(partial(_person_name_columns, src), enabled=background, pack=_pack,
                          unpack=_unpack)
    try:
        out = _Output(len(df))
        _address(src, out)
        _phones(src, region, out)
        _contact_and_dates(src, out, today)
        tables = _title_and_organisation_tables(src)
        out.columns.update(names.result())
    finally:
        names.cancel()
    _titles_and_organisations(tables, out)
    _gender(src, out)
    del src, names
    result = _assemble(record_ids, sources, out)
    del out
    if keep_raw:
        for role, column in roles.items():
            if role not in ("record_id", "source"):
                result[f"raw_{role}"] = _raw_column(df[column])
    mapped = set(roles.values())
    for column in df.columns:
        if column in mapped:
            continue
        name = str(column)
        target = name if name not in result.columns else f"input_{name}"
        result[target] = _raw_column(df[column])
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
        # counted on codes: the status columns are categorical, and comparing a million
        # status texts per column cost more than the rest of the report
        codes, uniques = pd.factorize(normalized[status_col], use_na_sentinel=True)
        codes = np.asarray(codes)
        tally = np.bincount(codes[codes >= 0], minlength=len(uniques))
        counts: dict[object, int] = {}
        for value, count in zip(uniques, tally.tolist(), strict=True):
            counts[value] = counts.get(value, 0) + count
        counts["empty"] = counts.get("empty", 0) + int((codes < 0).sum())
        n_rows = len(codes)
        filled = int(n_rows - counts["empty"])
        if filled == 0:
            continue
        invalid_at = [k for k, value in enumerate(uniques) if value == "invalid"]
        invalid_mask = np.isin(codes, invalid_at)
        shown: list[str] = []
        for role in raw_roles:
            column = f"raw_{role}"
            if column in normalized.columns and invalid_mask.any():
                values = normalized.loc[invalid_mask, column].dropna().astype(str).unique()
                shown.extend(v if len(v) <= 30 else v[:29] + "…" for v in values[:examples])
        usable = {"valid", "repaired", "invalid", "empty"}
        rows.append({
            "field": status_col.removesuffix("_status"),
            "rows": n_rows,
            "filled": filled,
            "valid": int(counts.get("valid", 0)),
            "repaired": int(counts.get("repaired", 0)),
            "invalid": int(counts.get("invalid", 0)),
            "unusable": int(sum(v for k, v in counts.items() if k not in usable)),
            "filled_share": round(filled / n_rows, 4) if n_rows else 0.0,
            "invalid_examples": shown[:examples],
        })
    return pd.DataFrame(rows, columns=["field", "rows", "filled", "valid", "repaired", "invalid",
                                       "unusable", "filled_share", "invalid_examples"])
