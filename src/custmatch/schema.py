"""Canonical column names, recognition of source headers, and record-frame checks.

Source systems name the same field in many ways (``Voornaam``, ``first_name``, ``Roepnaam``,
``E-mailadres``, ``Huisnr.``). :func:`infer_columns` maps the headers of a frame to custmatch's
canonical *input roles*; an explicit mapping always wins. :func:`validate_records` checks (or
creates) the ``record_id`` and ``source`` columns every later stage relies on.

Example:
    >>> import pandas as pd
    >>> df = pd.DataFrame(columns=["Klantnummer", "Voorletters", "Tussenvoegsel", "Achternaam",
    ...                            "Postcode", "Huisnr.", "Woonplaats", "E-mailadres"])
    >>> infer_columns(df)  # doctest: +NORMALIZE_WHITESPACE
    {'customer_number': 'Klantnummer', 'initials': 'Voorletters', 'prefix': 'Tussenvoegsel',
     'surname': 'Achternaam', 'house_number': 'Huisnr.', 'postcode': 'Postcode',
     'city': 'Woonplaats', 'email': 'E-mailadres'}
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from custmatch.errors import CustmatchWarning, InputError, SchemaError, show_values

__all__ = [
    "CANONICAL_COLUMNS",
    "ID_COLUMNS",
    "INPUT_ROLES",
    "header_key",
    "infer_columns",
    "record_identity",
    "validate_records",
]

#: Identity columns every record frame carries through the pipeline.
ID_COLUMNS: tuple[str, ...] = ("record_id", "source")

#: Canonical columns of a normalised record frame (architecture.md), all nullable.
CANONICAL_COLUMNS: tuple[str, ...] = (
    "title",
    "first_name",
    "initials",
    "prefix",
    "surname",
    "organisation",
    "street",
    "house_number",
    "house_number_addition",
    "postcode",
    "city",
    "country",
    "phone",
    "phone_kind",
    "email",
    "email_key",
    "birth_date",
    "gender",
)

# Input roles in recognition order, each with header synonyms written as compact keys
# (see :func:`header_key`). Specific roles come before general ones, so that a header that
# could mean both (``telefoon_mobiel``) goes to the specific role.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "record_id": ("recordid", "record", "rowid", "id"),
    "source": ("source", "bron", "bronsysteem", "systeem", "system", "sourcesystem"),
    "customer_number": (
        "klantnummer", "klantnr", "klantid", "klantcode", "relatienummer", "relatienr",
        "debiteurnummer", "debiteurnr", "customernumber", "customerno", "customerid",
        "clientid", "clientnumber", "accountnumber", "sourceid",
    ),
    "id_number": (
        "idnummer", "identiteitsnummer", "iddocumentnummer", "documentnummer",
        "paspoortnummer", "legitimatienummer", "rijbewijsnummer", "idnumber", "identitynumber",
        "nationalid", "nationalidnumber", "personalidnumber", "passportnumber", "passportno",
        "socsecid", "socialsecuritynumber", "ssn",
    ),
    "full_name": (
        "volledigenaam", "fullname", "klantnaam", "contactnaam", "contactpersoon",
        "naamvolledig", "tenaamstelling", "name",
    ),
    "title": ("aanhef", "titel", "title", "salutation", "titulatuur"),
    "nickname": ("roepnaam", "nickname", "roepnm", "knownas"),
    "first_name": ("voornaam", "voornamen", "firstname", "givenname", "forename", "vnaam"),
    "initials": ("voorletters", "initialen", "initials", "vl"),
    "prefix": ("tussenvoegsel", "tussenvoegsels", "voorvoegsel", "tussenv", "prefix", "infix"),
    "surname": (
        "achternaam", "geslachtsnaam", "familienaam", "lastname", "surname", "familyname",
        "anaam",
    ),
    "partner_surname": ("partnernaam", "naampartner", "aangetrouwdenaam", "partnersurname"),
    "organisation": (
        "bedrijfsnaam", "bedrijf", "organisatie", "organisatienaam", "company", "companyname",
        "organisation", "organization", "firma", "handelsnaam",
    ),
    "house_number_addition": (
        "huisnummertoevoeging", "toevoeging", "huisnrtoevoeging", "huisletter", "toev",
        "addition", "housenumberaddition", "housenumbersuffix",
    ),
    "house_number": ("huisnummer", "huisnr", "nr", "nummer", "housenumber", "houseno"),
    "street": ("straatnaam", "straat", "street", "streetname", "openbareruimte"),
    "address": ("adres", "adresregel", "address", "addressline", "address1", "volledigadres"),
    "postcode": ("postcode", "postalcode", "zipcode", "zip", "pc", "postcodewoonplaats"),
    "city": ("woonplaats", "plaats", "plaatsnaam", "stad", "city", "town", "place"),
    "country": ("land", "landcode", "country", "countrycode"),
    "mobile": ("mobiel", "mobielnummer", "mobieletelefoon", "gsm", "mobile", "mobilephone",
               "cellphone", "cell"),
    "phone": ("telefoon", "telefoonnummer", "telnr", "tel", "phone", "phonenumber",
              "telephone", "vastetelefoon", "vastnummer"),
    "email": ("emailadres", "email", "mail", "mailadres", "emailaddress"),
    "birth_date": ("geboortedatum", "gebdatum", "gebdat", "birthdate", "dateofbirth", "dob",
                   "geboren"),
    "gender": ("geslacht", "gender", "sex", "mv"),
    "updated_at": ("updatedat", "gewijzigd", "laatstgewijzigd", "gewijzigdop", "mutatiedatum",
                   "wijzigingsdatum", "lastmodified", "modified", "modifiedat", "lastupdated"),
    "created_at": ("createdat", "aangemaakt", "aangemaaktop", "aanmaakdatum", "created"),
    "consent_email": ("consentemail", "optinemail", "emailoptin", "toestemmingemail",
                      "nieuwsbrief", "newsletter"),
    # not "bel mij niet" (do not call): its "ja" is an opt-out, the opposite of consent
    "consent_phone": ("consentphone", "optintelefoon", "phoneoptin", "toestemmingtelefoon"),
}

#: Every input role :func:`infer_columns` can recognise.
INPUT_ROLES: tuple[str, ...] = tuple(_SYNONYMS)

# "naam" is the surname beside first-name columns, else the full name.
_NAME_PART_ROLES = ("first_name", "initials", "nickname")


def header_key(header: object) -> str:
    """Compact key of a column header: case- and accent-folded, letters and digits only.

    Example:
        >>> header_key(" E-mail adres ")
        'emailadres'
        >>> header_key("Huisnr.")
        'huisnr'
    """
    text = unicodedata.normalize("NFKD", str(header)).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", text)


def _tokens(header: object) -> list[str]:
    text = unicodedata.normalize("NFKD", str(header)).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"e[-_ ]mail", "email", text)
    return [t for t in re.split(r"[^a-z0-9]+", text) if t]


def infer_columns(
    df: pd.DataFrame, columns: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Map canonical input roles to the columns of ``df`` that hold them.

    Headers are compared case-, accent- and punctuation-insensitively against Dutch and
    English synonyms (``voornaam``/``first name``, ``huisnr``/``house number``, ...). A header
    that matches no synonym whole is tried token by token (``klant_voornaam`` -> first_name).
    ``naam`` means the surname when the frame also has a first-name or initials column, and
    the full name otherwise; ``adres`` means the street when a house-number column exists,
    and a one-line address otherwise.

    Args:
        df: the source frame (only its headers are read).
        columns: explicit ``{role: column}`` entries; they always win over inference. A role
            mapped to ``None`` is switched off.

    Returns:
        ``{role: column}`` in the order of :data:`INPUT_ROLES`.

    Raises:
        SchemaError: an explicit mapping names an unknown role or a column not in ``df``.

    Example:
        >>> import pandas as pd
        >>> infer_columns(pd.DataFrame(columns=["naam", "zip", "phone"]))
        {'full_name': 'naam', 'postcode': 'zip', 'phone': 'phone'}
        >>> infer_columns(pd.DataFrame(columns=["naam", "voornaam"]), {"surname": "naam"})
        {'first_name': 'voornaam', 'surname': 'naam'}
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"expected a pandas DataFrame, got {type(df).__name__}")
    explicit = dict(columns or {})
    for role, column in explicit.items():
        if role not in _SYNONYMS:
            raise SchemaError(
                f"unknown role {role!r} in columns mapping; known roles: {', '.join(INPUT_ROLES)}"
            )
        if column is not None and column not in df.columns:
            raise SchemaError(
                f"columns mapping {role!r} -> {column!r}: no such column; "
                f"found {[str(c) for c in df.columns][:20]}"
            )
    taken = {c for c in explicit.values() if c is not None}
    found: dict[str, str] = {}
    headers = [c for c in df.columns if c not in taken]
    keys = {c: header_key(c) for c in headers}

    # Pass 1: whole-header synonyms; pass 2: any token of the header.
    for whole in (True, False):
        for role, synonyms in _SYNONYMS.items():
            if role in explicit or role in found:
                continue
            for synonym in synonyms:
                match = next(
                    (
                        c
                        for c in headers
                        if c not in found.values()
                        and (keys[c] == synonym if whole else synonym in _tokens(c))
                    ),
                    None,
                )
                if match is not None and (whole or len(synonym) >= 3):
                    found[role] = match
                    break

    # Context-dependent headers: "naam" and "adres".
    for column in headers:
        if column in found.values():
            continue
        if keys[column] == "naam":
            has_parts = any(r in found or r in explicit for r in _NAME_PART_ROLES)
            role = "surname" if has_parts else "full_name"
            if role not in found and role not in explicit:
                found[role] = column
    has_number = "house_number" in (found.keys() | explicit.keys())
    if "address" in found and has_number and "street" not in (found.keys() | explicit.keys()):
        found["street"] = found.pop("address")
    merged = {**found, **{r: c for r, c in explicit.items() if c is not None}}
    return {role: merged[role] for role in INPUT_ROLES if role in merged}


def validate_records(
    df: pd.DataFrame,
    *,
    id_column: str = "record_id",
    source_column: str = "source",
    default_source: str = "default",
) -> pd.DataFrame:
    """Check the identity columns of a record frame and return a copy ready for the pipeline.

    * ``record_id``: taken from ``id_column`` when present; it must be non-null and unique
      and is converted to ``str``. When absent, ids ``"0"``, ``"1"``, ... are generated from the
      row positions.
    * ``source``: taken from ``source_column`` when present; null entries are filled with
      ``default_source`` (with a warning naming how many). When absent, every row gets
      ``default_source``.

    The result has ``record_id`` and ``source`` as its first two columns, a fresh
    ``RangeIndex``, and every other column unchanged. The input frame is not modified.

    Raises:
        InputError: ``df`` is not a DataFrame.
        SchemaError: duplicate column names, null or duplicate record ids.

    Example:
        >>> import pandas as pd
        >>> out = validate_records(pd.DataFrame({"naam": ["Jansen", "de Vries"]}))
        >>> out.to_dict("list")
        {'record_id': ['0', '1'], 'source': ['default', 'default'], 'naam': ['Jansen', 'de Vries']}
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"expected a pandas DataFrame of records, got {type(df).__name__}")
    ids, source = record_identity(df, id_column=id_column, source_column=source_column,
                                  default_source=default_source)
    rest = df.drop(columns=[c for c in (id_column, source_column) if c in df.columns])
    out = rest.reset_index(drop=True)
    out.insert(0, "source", source)
    out.insert(0, "record_id", ids)
    return out


def record_identity(
    df: pd.DataFrame,
    *,
    id_column: str = "record_id",
    source_column: str = "source",
    default_source: str = "default",
) -> tuple[np.ndarray, np.ndarray]:
    """The checked ``record_id`` and ``source`` values of a frame, as object arrays.

    The same checks and defaults as :func:`validate_records`, without building a new frame
    (what the pipeline stages need on a million rows).

    Example:
        >>> import pandas as pd
        >>> ids, source = record_identity(pd.DataFrame({"record_id": [7, 8]}))
        >>> ids.tolist(), source.tolist()
        (['7', '8'], ['default', 'default'])
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"expected a pandas DataFrame of records, got {type(df).__name__}")
    duplicated = df.columns[df.columns.duplicated()].unique().tolist()
    if duplicated:
        raise SchemaError(f"duplicate column names {duplicated}; rename them before matching")
    n = len(df)
    if id_column in df.columns:
        ids = df[id_column].reset_index(drop=True)
        null = ids.isna()
        if null.any():
            rows = null.to_numpy().nonzero()[0][:5].tolist()
            raise SchemaError(
                f"column {id_column!r} has {int(null.sum())} null value(s), at row(s) {rows}; "
                "every record needs an id (drop the column to have ids generated)"
            )
        if pd.api.types.infer_dtype(ids, skipna=False) != "string":
            ids = ids.map(_id_to_str)  # numbers (12.0 from a CSV with gaps -> "12")
        dup = ids.duplicated(keep=False)
        if dup.any():
            examples = ids[dup].unique()[:5].tolist()
            rows = dup.to_numpy().nonzero()[0][:6].tolist()
            raise SchemaError(
                f"column {id_column!r} has {int(ids[dup].nunique())} duplicated id(s), "
                f"e.g. {show_values(examples)} at rows {rows}; "
                "record ids must be unique"
            )
        id_values = ids.to_numpy(dtype=object)
    else:
        id_values = np.array([str(i) for i in range(n)], dtype=object)

    if source_column in df.columns:
        source = df[source_column].reset_index(drop=True).astype(object)
        text = pd.api.types.infer_dtype(source, skipna=True) == "string"
        blank = source.str.strip().eq("") if text else source.map(lambda v: str(v).strip() == "")
        null = source.isna() | blank.fillna(False).astype(bool)
        if null.any():
            warnings.warn(
                f"column {source_column!r}: {int(null.sum())} empty value(s) set to "
                f"{default_source!r}",
                CustmatchWarning,
                stacklevel=3,
            )
        source = source.where(~null, default_source)
        if not text:
            source = source.map(str)
        source_values = source.to_numpy(dtype=object)
    else:
        source_values = np.full(n, default_source, dtype=object)
    return id_values, source_values


def _id_to_str(value: object) -> str:
    """Ids read as floats (``12.0`` after a CSV with gaps) become ``"12"``, not ``"12.0"``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
