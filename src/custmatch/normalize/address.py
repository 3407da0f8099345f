"""Dutch addresses: one-line parsing, and the facade of the address normalizers.

Rules follow dutch.md section 2 (PostNL, Kadaster BAG handbook, NEN 5825). This module
re-exports every address normalizer, so callers import from one place:

- :mod:`custmatch.normalize.postcode`: ``normalize_postcode``, ``is_valid_postcode``,
  ``postcode4``, ``normalize_country``, ``postcode_column``;
- :mod:`custmatch.normalize.housenumber`: ``parse_house_number``,
  ``parse_house_number_range``, ``format_house_number``, ``addition_key``,
  ``house_number_column``;
- :mod:`custmatch.normalize.street`: ``normalize_street``, ``street_key``, ``street_column``;
- :mod:`custmatch.normalize.city`: ``normalize_city``, ``city_key``, ``postal_line``,
  ``city_column``;
- here: :func:`parse_address`, :func:`format_address`, :func:`address_column`.

Column wrappers (``*_column``) work over the distinct values of a column and return a
DataFrame with the input's index: the value columns plus ``<field>_status``, one of
``"empty"``, ``"valid"``, ``"repaired"``, ``"invalid"`` (:data:`STATUSES`; defined in
:mod:`custmatch.normalize.postcode`).

Example:
    >>> parse_address("Kerkstraat 12a, 1234 AB Amsterdam")[:6]
    ('Kerkstraat', 12, 'A', '1234 AB', 'Amsterdam', 'NL')
    >>> parse_address("Postbus 626, 1000 AP Amsterdam")[:6]
    (None, None, None, '1000 AP', 'Amsterdam', 'NL')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple, TypeVar

import numpy as np
import pandas as pd

from custmatch.normalize.city import city_column, city_key, normalize_city, postal_line
from custmatch.normalize.housenumber import (
    HouseNumber,
    _floor_words,
    _words,
    addition_key,
    format_house_number,
    house_number_column,
    parse_house_number,
    parse_house_number_range,
)
from custmatch.normalize.postcode import (
    STATUSES,
    Status,
    broadcast,
    factorize_values,
    is_valid_postcode,
    normalize_country,
    normalize_postcode,
    postcode4,
    postcode_column,
)
from custmatch.normalize.street import (
    EDGE_PUNCT,
    LETTER,
    MAX_LENGTH,
    ROMAN,
    normalize_street,
    small_words,
    street_column,
    street_key,
)
from custmatch.normalize.text import object_frame, preclean

T = TypeVar("T")

__all__ = [
    "STATUSES",
    "AddressParts",
    "HouseNumber",
    "addition_key",
    "address_column",
    "city_column",
    "city_key",
    "format_address",
    "format_house_number",
    "house_number_column",
    "is_valid_postcode",
    "normalize_city",
    "normalize_country",
    "normalize_postcode",
    "normalize_street",
    "parse_address",
    "parse_house_number",
    "parse_house_number_range",
    "postal_line",
    "postcode4",
    "postcode_column",
    "street_column",
    "street_key",
]


class AddressParts(NamedTuple):
    """Components of a parsed address; every field is ``None`` when absent.

    Attributes:
        street: Street name (display form); ``None`` for PO boxes and reply numbers.
        house_number: House number 1-99999.
        house_number_addition: Canonical addition (``"A"``, ``"A2"``, ``"HS"``).
        postcode: Dutch postcode ``"1234 AB"``.
        city: Place name (display form).
        country: ISO alpha-2 code; ``"NL"`` when absent and the postcode is Dutch.
        po_box: Postbus number (``Postbus 626``, ``Pb 626``, ``P.O. Box 626``).
        house_number_to: End of a house-number range (``12 t/m 14``).
        reply_number: Antwoordnummer (business reply address; not a residence).
    """

    street: str | None = None
    house_number: int | None = None
    house_number_addition: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None
    po_box: int | None = None
    house_number_to: int | None = None
    reply_number: int | None = None


_EMPTY_PARTS = AddressParts()
_NO_HOUSE = HouseNumber(None, None, None, False)
_POSTCODE_IN_TEXT = re.compile(
    r"(?<![^\W_])(?:NL[\s-]*)?([1-9][0-9]{3})\s?-?\s?([A-Z]{2})(?![^\W_])", re.IGNORECASE
)
_PO_BOX = re.compile(
    r"(?:postbus|post\s+bus|postbox|p\.?\s*o\.?\s*box|p\.?\s*b\.?)\s*[.:]?\s*"
    r"([0-9]{1,7})(?![0-9])",
    re.IGNORECASE,
)
_REPLY = re.compile(
    r"(?:antwoordnummer|antwoordnr\.?|antw\.?\s*nr\.?)\s*[.:]?\s*([0-9]{1,7})(?![0-9])",
    re.IGNORECASE,
)
_DIGITS = "0123456789"
_BANNED = frozenset({"SA", "SD", "SS"})
_GLUED_NUMBER = re.compile(r"([^\W\d_]{3,}\.?)([0-9])")
_YEARLIKE = re.compile(r"(?:1[5-9]|20)[0-9][0-9](?:-[0-9]{2,4})?")
_NUMBER_WORDS = frozenset(
    {"e", "de", "ste", "t", "m", "tm", "tot", "en", "met", "bel", "etage", "begane", "grond"}
)
_RUN = re.compile(r"[^\W\d_]+|[0-9]+")
_NR_WORD = re.compile(r"(?:,|\s)*\b(?:nr|no|huisnummer|huisnr)\.?$", re.IGNORECASE)


def _addition_token_ok(token: str) -> bool:
    """Whether a word after the house number can belong to the addition."""
    for run in _RUN.findall(token.casefold()):
        if run.isascii() and run.isdigit():
            if len(run) > 5:
                return False
        elif not (
            len(run) <= 2
            or run in _NUMBER_WORDS
            or run in _words()
            or run in _floor_words()
            or (len(run) <= 4 and ROMAN.fullmatch(run.upper()))
        ):
            return False
    return True


def _split_street_line(line: str) -> tuple[str, str | None, str]:
    """Split ``Kerkstraat 12a`` into street text, house-number text and leftover words."""
    tokens = _GLUED_NUMBER.sub(r"\1 \2", line).split()
    seen_letter = False
    start = None
    for i, token in enumerate(tokens):
        if token[0] in _DIGITS and seen_letter:
            if _YEARLIKE.fullmatch(token) and i + 1 < len(tokens) and tokens[i + 1][0] in _DIGITS:
                continue  # "Plein 1944 5": a year inside the street name
            start = i
            break
        if LETTER.search(token):
            seen_letter = True
    if start is None:
        return line, None, ""
    end = start + 1
    while end < len(tokens) and _addition_token_ok(tokens[end]):
        end += 1
    street = _NR_WORD.sub("", " ".join(tokens[:start])).strip(EDGE_PUNCT)
    return street, " ".join(tokens[start:end]), " ".join(tokens[end:])


def _is_addition_segment(segment: str) -> bool:
    tokens = segment.split()
    return bool(tokens) and all(_addition_token_ok(t) for t in tokens)


def _split_country(city_text: str) -> tuple[str, str | None]:
    """Strip a trailing country name written after the place without a comma."""
    words = city_text.split()
    for n in (3, 2, 1):
        if len(words) <= n:
            continue
        tail = " ".join(words[-n:])
        head = words[:-n]
        if head[-1].casefold() in small_words():
            continue  # "Hoek van Holland"
        letters = tail.replace(" ", "")
        if len(letters) <= 3 and not (letters.isupper() or city_text.islower()):
            continue  # a short code only when written as one (NL), or all in lower case
        code = normalize_country(tail)
        if code is not None:
            return " ".join(head), code
    return city_text, None


def _city_and_country(segments: list[str]) -> tuple[str | None, str | None]:
    """Place text and country code of the comma segments after the street line."""
    if not segments:
        return None, None
    city_text, country = segments[0], None
    for segment in segments[1:]:
        country = normalize_country(segment)
        if country is not None:
            break
    if country is None:
        city_text, country = _split_country(city_text)
    return city_text, country


@functools.lru_cache(maxsize=65536)
def _parse_street_part(line: str) -> tuple[
    str | None, HouseNumber, int | None, int | None, str
]:
    """Street, house number, PO box and reply number of the text before the postcode."""
    line = line.strip(EDGE_PUNCT)
    po_box = _PO_BOX.match(line)
    if po_box is not None:
        rest = line[po_box.end() :].strip(EDGE_PUNCT)
        return None, _NO_HOUSE, int(po_box.group(1)) or None, None, rest
    reply = _REPLY.match(line)
    if reply is not None:
        rest = line[reply.end() :].strip(EDGE_PUNCT)
        return None, _NO_HOUSE, None, int(reply.group(1)) or None, rest
    street_text, house_text, leftover = _split_street_line(line)
    house = parse_house_number_range(house_text)
    return normalize_street(street_text), house, None, None, leftover


_FAST_PATTERN = (
    r"(?P<street>[^\W\d_][^,0-9]*?) "
    r"(?P<house>[0-9]{1,5}(?: ?-? ?[A-Za-z]{1,2}| ?[-/] ?[0-9]{1,3})?)"
    r"(?: ?, ?| )(?P<digits>[1-9][0-9]{3}) ?(?P<letters>[A-Za-z]{2})"
    r"(?: ?, ?| )(?P<city>(?:'|[^\W\d_])[^,0-9]*)"
)
_FAST = re.compile(_FAST_PATTERN)


@functools.lru_cache(maxsize=131072)
def _fast_street(text: str) -> str | None:
    return normalize_street(_NR_WORD.sub("", text).strip(EDGE_PUNCT))


@functools.lru_cache(maxsize=65536)
def _fast_house(text: str) -> HouseNumber:
    return parse_house_number_range(text)


@functools.lru_cache(maxsize=65536)
def _fast_city(text: str) -> tuple[str | None, str | None]:
    city_text, country = _city_and_country([text.strip(EDGE_PUNCT)])
    return (normalize_city(city_text) if city_text else None), country


def _parse_clean_address(clean: str) -> AddressParts:
    """Parse pre-cleaned text: a fast path for the common shape, else the general parser.

    The fast path (``<street> <number>[<addition>][,] <postcode> <place>``, no digits in the
    street) gives exactly what :func:`_parse_general` gives for such text, but caches the
    street, house number and place separately, which makes columns of unique address lines
    several times faster.
    """
    fast = _FAST.fullmatch(clean)
    if (
        fast is None
        or fast.group("letters").upper() in _BANNED
        or fast.group("house")[-2:].upper() == "NL"
        or _PO_BOX.match(clean)
        or _REPLY.match(clean)
    ):
        return _parse_general(clean)
    house = _fast_house(fast.group("house"))
    city, country = _fast_city(fast.group("city"))
    return AddressParts(
        street=_fast_street(fast.group("street")),
        house_number=house.number,
        house_number_addition=house.addition,
        postcode=f"{fast.group('digits')} {fast.group('letters').upper()}",
        city=city,
        country=country or "NL",
        house_number_to=house.number_to,
    )


def _parse_general(clean: str) -> AddressParts:
    """The general one-line parser (dutch.md 2.6)."""
    postcode = None
    match = None
    for candidate in _POSTCODE_IN_TEXT.finditer(clean):
        if candidate.group(2).upper() not in _BANNED:
            match = candidate
    if match is not None:
        postcode = f"{match.group(1)} {match.group(2).upper()}"
        before = clean[: match.start()]
        after_segments = [s.strip(EDGE_PUNCT) for s in clean[match.end() :].split(",")]
        segments = [s.strip(EDGE_PUNCT) for s in before.split(",")]
        segments = [s for s in segments if s]
    else:
        segments = [s.strip(EDGE_PUNCT) for s in clean.split(",")]
        segments = [s for s in segments if s]
        after_segments = []
    # the street segment: the first with a house number after a word, plus addition-only
    # segments after it ("Kerkstraat 12, 2e etage"); the rest (no postcode) is city/country
    pick = 0
    for i, segment in enumerate(segments):
        if _PO_BOX.match(segment) or _REPLY.match(segment) or _split_street_line(segment)[1]:
            pick = i
            break
    street_line = ""
    end = pick
    if segments:
        street_line = segments[pick]
        end = pick + 1
        while end < len(segments) and _is_addition_segment(segments[end]):
            street_line += " " + segments[end]
            end += 1
    if match is None:
        after_segments = segments[end:]
    if street_line:
        street, house, po_box, reply, leftover = _parse_street_part(street_line)
    else:
        street, house, po_box, reply, leftover = None, _NO_HOUSE, None, None, ""
    city_segments = [s for s in after_segments if s]
    if leftover and (not city_segments or match is None):
        city_segments.insert(0, leftover)
    city_text, country = _city_and_country(city_segments)
    city = normalize_city(city_text) if city_text else None
    if country is None and postcode is not None:
        country = "NL"
    return AddressParts(
        street=street,
        house_number=house.number,
        house_number_addition=house.addition,
        postcode=postcode,
        city=city,
        country=country,
        po_box=po_box,
        house_number_to=house.number_to,
        reply_number=reply,
    )


def parse_address(text: object) -> AddressParts:
    """Parse a one-line Dutch address into its parts (dutch.md 2.4, 2.6). Never raises.

    The postcode is found first, from the right; the text after it is the place (then an
    optional country), the text before it the street line, whose **last** number after a
    street word is the house number (``Plein 1944 5`` -> street ``Plein 1944``, number 5).
    ``Postbus``/``Pb``/``P.O. Box`` give ``po_box``, ``Antwoordnummer`` gives
    ``reply_number``; both leave ``street`` empty. The country defaults to ``NL`` when a
    valid Dutch postcode is present. A street line alone (``Kerkstraat 12a``) also parses.

    Args:
        text: The raw address line.

    Returns:
        An :class:`AddressParts` (all ``None`` for empty input).

    Example:
        >>> parse_address("Kerkstraat 12 A 1234AB AMSTERDAM")
        AddressParts(street='Kerkstraat', house_number=12, house_number_addition='A', \
postcode='1234 AB', city='Amsterdam', country='NL', po_box=None, house_number_to=None, \
reply_number=None)
        >>> parse_address("Postbus 626, 1000 AP Amsterdam").po_box
        626
    """
    clean = preclean(text)
    if clean is None or len(clean) > MAX_LENGTH:
        return _EMPTY_PARTS
    return _parse_clean_address(clean)


def format_address(parts: AddressParts) -> str | None:
    """One-line display of parsed parts; :func:`parse_address` reads it back.

    The country is written only when it is not the ``NL`` implied by a Dutch postcode.

    Args:
        parts: Parsed address.

    Returns:
        ``"Kerkstraat 12 A, 1234 AB Amsterdam"``, or ``None`` when all parts are empty.

    Example:
        >>> format_address(parse_address("kerkstr. 12a 1234ab amsterdam"))
        'Kerkstraat 12 A, 1234 AB Amsterdam'
    """
    if parts.po_box is not None:
        first: str | None = f"Postbus {parts.po_box}"
    elif parts.reply_number is not None:
        first = f"Antwoordnummer {parts.reply_number}"
    else:
        house = format_house_number(
            parts.house_number, parts.house_number_addition, parts.house_number_to
        )
        first = " ".join(p for p in (parts.street, house) if p) or None
    second = " ".join(p for p in (parts.postcode, parts.city) if p) or None
    pieces = [p for p in (first, second) if p]
    if parts.country and not (parts.country == "NL" and parts.postcode):
        pieces.append(parts.country)
    return ", ".join(pieces) or None


def _address_status(clean: str | None, parts: AddressParts) -> Status:
    if clean is None:
        return "empty"
    if not any(
        (parts.street, parts.house_number, parts.po_box, parts.reply_number, parts.postcode)
    ) and parts.city is None:
        return "invalid"
    return "valid" if format_address(parts) == clean else "repaired"



# ---------------------------------------------------------------------------------- columns


def address_column(values: pd.Series | Iterable[object]) -> pd.DataFrame:
    """Parse a column of one-line addresses over its distinct values.

    Args:
        values: Raw address lines.

    Returns:
        DataFrame (input index) with the :class:`AddressParts` fields as columns (numbers
        as nullable ``Int64``) and ``address_status``: ``"empty"``; ``"invalid"`` (no
        street, number, PO box, postcode or place found); ``"valid"`` (the input equals
        :func:`format_address` of the parts); else ``"repaired"``.

    Example:
        >>> df = address_column(["Kerkstraat 12a, 1234 AB Amsterdam", None])
        >>> df[["street", "house_number", "postcode", "address_status"]].to_dict("list")
        {'street': ['Kerkstraat', None], 'house_number': [12, None], 'postcode': \
['1234 AB', None], 'address_status': ['repaired', 'empty']}
    """
    series, codes, uniques = factorize_values(values)
    cleans = [preclean(value) for value in uniques]
    cleans = [c if c is not None and len(c) <= MAX_LENGTH else None for c in cleans]
    fields = {field: np.full(len(uniques), None, dtype=object) for field in AddressParts._fields}
    status = np.full(len(uniques), "empty", dtype=object)
    fast = _fast_rows(cleans, fields, status)
    fast |= _street_line_rows(cleans, fields, status, fast)
    for i in np.flatnonzero(~fast):
        clean = cleans[i]
        if clean is None:
            continue
        parts = _parse_general(clean)
        for field, value in zip(AddressParts._fields, parts, strict=True):
            fields[field][i] = value
        status[i] = _address_status(clean, parts)
    data: dict[str, object] = {}
    int_fields = {"house_number", "po_box", "house_number_to", "reply_number"}
    for field, per_unique in fields.items():
        column = broadcast(codes, list(per_unique), None)
        data[field] = pd.array(column, dtype="Int64") if field in int_fields else column
    data["address_status"] = broadcast(codes, list(status), "empty")
    return object_frame(data, index=series.index)


def _fast_rows(
    cleans: list[str | None], fields: dict[str, np.ndarray], status: np.ndarray
) -> np.ndarray:
    """Fast path of :func:`_parse_clean_address` over distinct cleaned lines, by component.

    Fills ``fields`` and ``status`` for the lines of the common shape and returns the mask
    of those lines; the caller parses the others one by one. Each component (street, house
    number, place) is normalised once per distinct value.
    """
    mask = np.zeros(len(cleans), dtype=bool)
    groups: list[tuple[str, ...]] = []
    for i, clean in enumerate(cleans):
        if clean is None:
            continue
        match = _FAST.fullmatch(clean)
        if match is None:
            continue
        street, house, digits, letters, city = match.groups()
        letters = letters.upper()
        if (
            letters in _BANNED
            or house[-2:].upper() == "NL"
            or (clean[:1] in "PpAa" and (_PO_BOX.match(clean) or _REPLY.match(clean)))
        ):
            continue
        mask[i] = True
        groups.append((street, house, f"{digits} {letters}", city))
    if not groups:
        return mask
    rows = np.flatnonzero(mask)
    streets_in, houses_in, postcodes, cities_in = zip(*groups, strict=True)
    street = _per_distinct(streets_in, _fast_street)
    house = _per_distinct(houses_in, _fast_house)
    city_country = _per_distinct(cities_in, _fast_city)
    house_text = _per_distinct(
        houses_in, lambda h: format_house_number(*_fast_house(h)[:2], _fast_house(h)[2])
    )
    fields["street"][rows] = street
    fields["house_number"][rows] = [h.number for h in house]
    fields["house_number_addition"][rows] = [h.addition for h in house]
    fields["house_number_to"][rows] = [h.number_to for h in house]
    fields["postcode"][rows] = postcodes
    fields["city"][rows] = [cc[0] for cc in city_country]
    fields["country"][rows] = [cc[1] or "NL" for cc in city_country]
    # status: the format_address rendering, inlined (the postcode is always present here)
    for j, i in enumerate(rows):
        first = " ".join(p for p in (street[j], house_text[j]) if p)
        city, country = city_country[j]
        second = f"{postcodes[j]} {city}" if city else postcodes[j]
        rendered = f"{first}, {second}" if first else second
        if country and country != "NL":
            rendered += f", {country}"
        status[i] = "valid" if rendered == cleans[i] else "repaired"
    return mask


_STREET_LINE = re.compile(
    r"(?P<street>[^\W\d_][^,0-9]*?) "
    r"(?P<house>[0-9]{1,5}(?: ?-? ?[A-Za-z]{1,2}| ?[-/] ?[0-9]{1,3})?)"
)


def _street_line_rows(
    cleans: list[str | None], fields: dict[str, np.ndarray], status: np.ndarray,
    done: np.ndarray,
) -> np.ndarray:
    """Street lines alone (``Kerkstraat 12a``: no postcode, place or comma), by component.

    :func:`_parse_general` reads such a line as street and house number only (no leftover
    words, so no place); here the street and the house number are normalised once per
    distinct value, as in :func:`_fast_rows`. Returns the mask of the lines filled in.
    """
    mask = np.zeros(len(cleans), dtype=bool)
    for i in np.flatnonzero(~done):
        clean = cleans[i]
        match = _STREET_LINE.fullmatch(clean) if clean is not None else None
        if (
            match is None
            or _POSTCODE_IN_TEXT.search(clean)
            or (clean[:1] in "PpAa" and (_PO_BOX.match(clean) or _REPLY.match(clean)))
        ):
            continue
        house = _fast_house(match.group("house"))
        parts = AddressParts(street=_fast_street(match.group("street")),
                             house_number=house.number, house_number_addition=house.addition,
                             house_number_to=house.number_to)
        for field, value in zip(AddressParts._fields, parts, strict=True):
            fields[field][i] = value
        status[i] = _address_status(clean, parts)
        mask[i] = True
    return mask


def _per_distinct(column: Sequence[str], func: Callable[[str], T]) -> list[T]:
    """``func`` of each value of a string column, called once per distinct value."""
    codes, distinct = pd.factorize(np.asarray(column, dtype=object))
    results = [func(value) for value in distinct]
    table = np.empty(len(results), dtype=object)
    table[:] = results
    return list(table[codes])
