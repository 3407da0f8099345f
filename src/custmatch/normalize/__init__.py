"""Normalisation of Dutch customer data: names, addresses, phones, e-mail, dates, codes.

Each field kind has its own module with pure scalar functions (total: they never raise on
arbitrary text and return ``None`` for unusable input) and a vectorised ``*_column``
function that works over the distinct values of a column. :func:`normalize_frame` applies
them all to a records frame; :func:`quality_report` summarises what it found.

Example:
    >>> normalize_postcode("1234ab"), normalize_phone("06-12345678")
    ('1234 AB', '+31612345678')
    >>> parse_name("Dhr. J.H. van der Berg")[2:5]
    ('JH', 'van der', 'Berg')
"""

from __future__ import annotations

from custmatch.normalize.address import AddressParts, parse_address
from custmatch.normalize.city import city_key, normalize_city
from custmatch.normalize.codes import normalize_gender, parse_consent
from custmatch.normalize.dates import parse_date, parse_date_details
from custmatch.normalize.email import email_key, is_role_address, normalize_email
from custmatch.normalize.frame import NORMALIZED_COLUMNS, normalize_frame, quality_report
from custmatch.normalize.housenumber import addition_key, parse_house_number
from custmatch.normalize.names import (
    NameParts,
    dutch_phonetic,
    name_from_parts,
    parse_name,
    surname_key,
)
from custmatch.normalize.phone import normalize_phone, phone_kind
from custmatch.normalize.postcode import normalize_country, normalize_postcode
from custmatch.normalize.street import normalize_street, street_key

__all__ = [
    "NORMALIZED_COLUMNS",
    "AddressParts",
    "NameParts",
    "addition_key",
    "city_key",
    "dutch_phonetic",
    "email_key",
    "is_role_address",
    "name_from_parts",
    "normalize_city",
    "normalize_country",
    "normalize_email",
    "normalize_frame",
    "normalize_gender",
    "normalize_phone",
    "normalize_postcode",
    "normalize_street",
    "parse_address",
    "parse_consent",
    "parse_date",
    "parse_date_details",
    "parse_house_number",
    "parse_name",
    "phone_kind",
    "quality_report",
    "street_key",
    "surname_key",
]
