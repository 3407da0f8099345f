"""Tests for the address normalizers (dutch.md section 2 and test cases 28-44)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custmatch.normalize.address import (
    STATUSES,
    AddressParts,
    addition_key,
    address_column,
    city_column,
    city_key,
    format_address,
    format_house_number,
    house_number_column,
    is_valid_postcode,
    normalize_city,
    normalize_country,
    normalize_postcode,
    normalize_street,
    parse_address,
    parse_house_number,
    parse_house_number_range,
    postal_line,
    postcode4,
    postcode_column,
    street_column,
    street_key,
)

POSTCODE_RE = re.compile(r"^[1-9][0-9]{3} [A-Z]{2}$")

# ------------------------------------------------------------------------------- postcode

POSTCODE_CASES = [
    ("1234ab", "1234 AB"),  # case 28
    ("1234 - ab", "1234 AB"),  # case 28
    ("NL-1234 AB", "1234 AB"),  # case 28
    ("1234 ab", "1234 AB"),
    ("1234-AB", "1234 AB"),
    ("1234  AB", "1234 AB"),
    ("nl 1234ab", "1234 AB"),
    (" 1234AB ", "1234 AB"),
    ("1000 AA", "1000 AA"),
    ("9999 ZZ", "9999 ZZ"),
    ("1234 FQ", "1234 FQ"),  # F, I, O, Q, U, Y allowed since 2005
    ("0123 AB", None),  # case 29: first digit 0
    ("1234 SS", None),  # case 30
    ("1234 SA", None),
    ("1234 sd", None),
    ("1234", None),  # case 31: never padded
    ("12345 AB", None),
    ("1234 ABC", None),
    ("AB 1234", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), POSTCODE_CASES)
def test_normalize_postcode_table(raw: str | None, expected: str | None) -> None:
    assert normalize_postcode(raw) == expected
    assert is_valid_postcode(raw) is (expected is not None)


def test_postcode4_gives_digits_of_valid_postcodes_only() -> None:
    assert postcode4("1234ab") == "1234"
    assert postcode4("1234") is None


def test_postcode_column_statuses() -> None:
    values = pd.Series(["1234ab", "1234 AB", "1234", None, "  "], index=list("abcde"))
    frame = postcode_column(values)
    assert list(frame.index) == list("abcde")
    assert frame["postcode"].tolist() == ["1234 AB", "1234 AB", None, None, None]
    assert frame["postcode_status"].tolist() == ["repaired", "valid", "invalid", "empty", "empty"]


# --------------------------------------------------------------------------- house number

HOUSE_NUMBER_CASES = [
    ("12a", (12, "A")),
    ("12 A", (12, "A")),
    ("12-A", (12, "A")),
    ("12-a", (12, "A")),
    ("12-2", (12, "2")),
    ("12/2", (12, "2")),
    ("12 2", (12, "2")),
    ("12-02", (12, "2")),
    ("12a-2", (12, "A2")),
    ("12 A 2", (12, "A2")),
    ("12A/2", (12, "A2")),
    ("12 hs", (12, "HS")),
    ("12-H", (12, "HS")),
    ("12 huis", (12, "HS")),
    ("12 bg", (12, "BG")),
    ("12 bel-etage", (12, "BG")),
    ("12 beletage", (12, "BG")),
    ("12 begane grond", (12, "BG")),
    ("12 bv", (12, "BOVEN")),
    ("12 boven", (12, "BOVEN")),
    ("12 I", (12, "I")),
    ("12-II", (12, "II")),
    ("12 III", (12, "III")),
    ("12 3 hoog", (12, "3")),
    ("12 3-hoog", (12, "3")),
    ("12 3e etage", (12, "3")),
    ("12 3hg", (12, "3")),
    ("12 2de verdieping", (12, "2")),
    ("12 bis", (12, "BIS")),
    ("12 rd", (12, "RD")),
    ("12 zw", (12, "ZW")),
    ("12 t/m 14", (12, None)),
    ("nr. 12", (12, None)),
    ("0012", (12, None)),
    ("99999", (99999, None)),
    ("100000", (None, None)),
    ("0", (None, None)),
    ("abc", (None, None)),
    ("", (None, None)),
    (None, (None, None)),
    (12, (12, None)),
    (12.0, (12, None)),
    (np.int64(7), (7, None)),
    (12.5, (None, None)),
    (0, (None, None)),
    (-3, (None, None)),
    (True, (None, None)),
    (float("nan"), (None, None)),
]


@pytest.mark.parametrize(("raw", "expected"), HOUSE_NUMBER_CASES)
def test_parse_house_number_table(raw: object, expected: tuple[int | None, str | None]) -> None:
    assert parse_house_number(raw) == expected


def test_parse_house_number_range_gives_end_and_flags_hyphen_ranges() -> None:
    assert parse_house_number_range("12 t/m 14")[:4] == (12, None, 14, False)
    assert parse_house_number_range("12-14")[:4] == (12, None, 14, True)  # ambiguous
    assert parse_house_number_range("12-13")[:3] == (12, "13", None)  # other side: a flat
    assert parse_house_number_range("12-2")[:3] == (12, "2", None)


@pytest.mark.parametrize(
    ("left", "right"),
    [("II", "2"), ("III", "3"), ("12 III", "3"), ("BG", "HS"), ("bel-etage", "hs"), ("A 2", "A2")],
)
def test_addition_key_equates_compatible_additions(left: str, right: str) -> None:
    key = addition_key(left) if not left[0].isdigit() else addition_key(left.split(" ", 1)[1])
    assert key == addition_key(right)


def test_addition_key_keeps_distinct_additions_apart() -> None:
    assert addition_key("I") != addition_key("1")  # a single I may be a huisletter
    assert addition_key("A") != addition_key("B")
    assert addition_key(None) is None and addition_key("") is None


def test_house_number_column_with_separate_addition() -> None:
    frame = house_number_column(
        pd.Series(["12", 12.0, "7", None], index=[5, 6, 7, 8]),
        addition=pd.Series(["a", None, "hs", "b"], index=[5, 6, 7, 8]),
    )
    assert list(frame.index) == [5, 6, 7, 8]
    assert frame["house_number"].dtype == "Int64"
    assert frame["house_number"].tolist() == [12, 12, 7, pd.NA]
    assert frame["house_number_addition"].tolist() == ["A", None, "HS", None]
    assert frame["house_number_status"].tolist() == ["repaired", "valid", "repaired", "empty"]


# --------------------------------------------------------------------------------- streets

STREET_CASES = [
    ("burg. de withstr.", "Burgemeester de Withstraat"),
    ("KERKSTRAAT", "Kerkstraat"),
    ("kerkstraat", "Kerkstraat"),
    ("  Kerkstr. ", "Kerkstraat"),
    ("Kerkstr", "Kerkstraat"),
    ("St. Jansstraat", "Sint Jansstraat"),
    ("Sint-Jansstraat", "Sint-Jansstraat"),
    ("St.Jansstraat", "Sint Jansstraat"),
    ("Burg. v.d. Heuvelstr.", "Burgemeester v.d. Heuvelstraat"),
    ("Dr. H. Colijnln", "Doctor H. Colijnlaan"),
    ("Prof. Lorentzpl", "Professor Lorentzplein"),
    ("Gen. Foulkesweg", "Generaal Foulkesweg"),
    ("Mr. Visserpln", "Meester Visserplein"),
    ("Ds. Kuipersln", "Dominee Kuiperslaan"),
    ("Past. van Arskd", "Pastoor van Arskade"),
    ("Mgr. Nolensplnts", "Monseigneur Nolensplantsoen"),
    ("Jhr. v. Karnebeekln", "Jonkheer van Karnebeeklaan"),
    ("Gebr. Spanjaardwg", "Gebroeders Spanjaardweg"),
    ("Keizersgr.", "Keizersgracht"),
    ("Stadhoudersdk", "Stadhoudersdijk"),
    ("Kon. Wilhelminaln", "Kon. Wilhelminalaan"),
    ("Pr. Hendrikkd", "Pr. Hendrikkade"),
    ("Julianasngl", "Julianasingel"),
    ("Oranjeplsn", "Oranjeplantsoen"),
    ("Grote Mkt", "Grote Markt"),
    ("Zeeblvd", "Zeeboulevard"),
    ("Noordprom", "Noordpromenade"),
    ("laan van meerdervoort", "Laan van Meerdervoort"),
    ("WILLEM DE ZWIJGERLAAN", "Willem de Zwijgerlaan"),
    ("Burgemeester De Withstraat", "Burgemeester de Withstraat"),
    ("van baerlestraat", "Van Baerlestraat"),
    ("'t hoogt", "'t Hoogt"),
    ("ijsselmeerweg", "IJsselmeerweg"),
    ("2e jan steenstraat", "2e Jan Steenstraat"),
    ("j.p. coenstraat", "J.P. Coenstraat"),
    ("Willem ii straat", "Willem II Straat"),
    ("18 septemberplein", "18 Septemberplein"),
    ("Plein 1944", "Plein 1944"),
    ("Koninginnegracht", "Koninginnegracht"),
    ("Laan van Nieuw Oost-Indië", "Laan van Nieuw Oost-Indië"),
    ("1234", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), STREET_CASES)
def test_normalize_street_table(raw: str | None, expected: str | None) -> None:
    assert normalize_street(raw) == expected


@pytest.mark.parametrize(
    ("names", "key"),
    [
        (
            ["St. Jansstraat", "Sint-Jansstraat", "Sint Jansstraat", "SINT JANSSTRAAT"],
            "sintjansstraat",
        ),
        (
            ["Burg. v.d. Heuvelstr.", "Burgemeester van der Heuvelstraat"],
            "burgemeesterheuvelstraat",
        ),
        (
            ["Kon. Wilhelminalaan", "Koningin Wilhelminalaan", "Koning Wilhelminaln"],
            "konwilhelminalaan",
        ),
        (["Pr. Hendrikkade", "Prins Hendrikkade", "Prinses Hendrikkade"], "prhendrikkade"),
        (["Koninginnegracht"], "koninginnegracht"),
        (["Van Baerlestraat", "Baerlestraat"], "baerlestraat"),
        (["Laan van Nieuw Oost-Indië", "laan v. nieuw oost indie"], "laannieuwoostindie"),
        (["Kerkstr.", "Kerk Straat", "kerkstraat"], "kerkstraat"),
    ],
)
def test_street_key_groups(names: list[str], key: str) -> None:
    assert {street_key(name) for name in names} == {key}


def test_street_key_of_empty_is_none() -> None:
    assert street_key(None) is None and street_key(" ") is None and street_key("12") is None


# ---------------------------------------------------------------------------------- cities

CITY_CASES = [
    ("AMSTERDAM", "Amsterdam"),
    ("IJMUIDEN", "IJmuiden"),  # case 43
    ("ijmuiden", "IJmuiden"),  # case 43
    ("bergen op zoom", "Bergen op Zoom"),
    ("den helder", "Den Helder"),
    ("Den Haag", "'s-Gravenhage"),  # case 40
    ("s-Gravenhage", "'s-Gravenhage"),  # case 40
    ("'s Gravenhage", "'s-Gravenhage"),
    ("'S-GRAVENHAGE", "'s-Gravenhage"),
    ("The Hague", "'s-Gravenhage"),
    ("den bosch", "'s-Hertogenbosch"),  # case 41
    ("s-Hertogenbosch", "'s-Hertogenbosch"),
    ("Alphen a/d Rijn", "Alphen aan den Rijn"),  # case 42
    ("Alphen a.d. Rijn", "Alphen aan den Rijn"),
    ("ALPHEN AAN DEN RIJN", "Alphen aan den Rijn"),
    ("Capelle a/d IJssel", "Capelle aan den IJssel"),
    ("Krimpen a/d IJssel", "Krimpen aan den IJssel"),
    ("Ouderkerk a/d Amstel", "Ouderkerk aan de Amstel"),
    ("Ljouwert", "Leeuwarden"),
    ("Snits", "Sneek"),
    ("s heerenberg", "'s-Heerenberg"),
    ("hoek van holland", "Hoek van Holland"),
    ("wijk bij duurstede", "Wijk bij Duurstede"),
    ("etten-leur", "Etten-Leur"),
    ("1234 AB Amsterdam", "Amsterdam"),
    ("123", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), CITY_CASES)
def test_normalize_city_table(raw: str | None, expected: str | None) -> None:
    assert normalize_city(raw) == expected


def test_city_key_and_postal_line() -> None:
    assert city_key("'s-Gravenhage") == city_key("Den Haag") == "sgravenhage"  # case 40
    assert postal_line("1971ab", "ijmuiden") == "1971 AB  IJMUIDEN"  # case 43
    assert postal_line(None, None) is None


# -------------------------------------------------------------------------------- countries

COUNTRY_CASES = [
    ("NL", "NL"),
    ("NLD", "NL"),
    ("Nederland", "NL"),
    ("Holland", "NL"),
    ("The Netherlands", "NL"),  # case 44
    ("Netherlands", "NL"),
    ("Niederlande", "NL"),
    ("Pays-Bas", "NL"),
    ("België", "BE"),
    ("Belgium", "BE"),
    ("BE", "BE"),
    ("Deutschland", "DE"),
    ("Duitsland", "DE"),
    ("Curaçao", "CW"),
    ("fr", "FR"),
    ("Atlantis", None),
    ("XX", None),
    ("", None),
]


@pytest.mark.parametrize(("raw", "expected"), COUNTRY_CASES)
def test_normalize_country_table(raw: str, expected: str | None) -> None:
    assert normalize_country(raw) == expected


# ------------------------------------------------------------------------- one-line address

KERKSTRAAT_12A = AddressParts("Kerkstraat", 12, "A", "1234 AB", "Amsterdam", "NL")

ADDRESS_CASES = [
    ("Kerkstraat 12a, 1234 AB Amsterdam", KERKSTRAAT_12A),  # case 32
    ("Kerkstraat 12 A 1234AB AMSTERDAM", KERKSTRAAT_12A),  # case 33
    ("Kerkstraat 12a, 1234 AB Amsterdam, Nederland", KERKSTRAAT_12A),
    ("kerkstr. 12-a 1234 ab amsterdam nl", KERKSTRAAT_12A),
    ("Kerkstr. 12-2", AddressParts("Kerkstraat", 12, "2")),  # case 34
    ("Kerkstraat 12/2", AddressParts("Kerkstraat", 12, "2")),  # case 34
    ("Kerkstraat 12 hs", AddressParts("Kerkstraat", 12, "HS")),  # case 35
    ("Kerkstraat 12 3 hoog", AddressParts("Kerkstraat", 12, "3")),  # case 35
    ("Kerkstraat 12 III", AddressParts("Kerkstraat", 12, "III")),  # case 35
    ("Industrieweg 12 t/m 14", AddressParts("Industrieweg", 12, house_number_to=14)),  # 36
    ("Burg. v.d. Heuvelstr. 5", AddressParts("Burgemeester v.d. Heuvelstraat", 5)),  # 37
    ("St. Jansstraat 1", AddressParts("Sint Jansstraat", 1)),  # case 38
    (
        "Postbus 626, 1000 AP Amsterdam",  # case 39
        AddressParts(None, None, None, "1000 AP", "Amsterdam", "NL", po_box=626),
    ),
    ("Pb 626", AddressParts(po_box=626)),
    ("P.O. Box 626", AddressParts(po_box=626)),
    ("Postbus626", AddressParts(po_box=626)),
    (
        "Antwoordnummer 1234, 1000 VB Amsterdam",
        AddressParts(postcode="1000 VB", city="Amsterdam", country="NL", reply_number=1234),
    ),
    (
        "Plein 1944 5, 6511 AA Nijmegen",
        AddressParts("Plein 1944", 5, None, "6511 AA", "Nijmegen", "NL"),
    ),
    (
        "18 Septemberplein 3, 5611 AA Eindhoven",
        AddressParts("18 Septemberplein", 3, None, "5611 AA", "Eindhoven", "NL"),
    ),
    ("Kerkstraat 12a", AddressParts("Kerkstraat", 12, "A")),
    ("Kerkstraat12", AddressParts("Kerkstraat", 12)),
    ("Kerkstraat nr. 12", AddressParts("Kerkstraat", 12)),
    (
        "Kerkstraat 12, 2e etage, 1234 AB Amsterdam",
        AddressParts("Kerkstraat", 12, "2", "1234 AB", "Amsterdam", "NL"),
    ),
    ("Kerkstraat 12a, Amsterdam", AddressParts("Kerkstraat", 12, "A", city="Amsterdam")),
    (
        "Hoofdstraat 1, 1234 AB Hoek van Holland",
        AddressParts("Hoofdstraat", 1, None, "1234 AB", "Hoek van Holland", "NL"),
    ),
    (
        "Dorpsstraat 3 2511 AB Den Haag Nederland",
        AddressParts("Dorpsstraat", 3, None, "2511 AB", "'s-Gravenhage", "NL"),
    ),
    (
        "Meir 1, 2000 Antwerpen, België",
        AddressParts("Meir", 1, None, None, "Antwerpen", "BE"),
    ),
    ("1234AB", AddressParts(postcode="1234 AB", country="NL")),  # case 44: empty + valid PC
    ("", AddressParts()),
    (None, AddressParts()),
]


@pytest.mark.parametrize(("raw", "expected"), ADDRESS_CASES)
def test_parse_address_table(raw: str | None, expected: AddressParts) -> None:
    assert parse_address(raw) == expected


def test_parse_address_street_key_for_cases_37_and_38() -> None:
    assert street_key(parse_address("Burg. v.d. Heuvelstr. 5").street) == "burgemeesterheuvelstraat"
    assert street_key(parse_address("St. Jansstraat 1").street) == street_key(
        parse_address("Sint-Jansstraat 1").street
    )


@pytest.mark.parametrize(("raw", "expected"), ADDRESS_CASES[:24])
def test_format_address_round_trips(raw: str | None, expected: AddressParts) -> None:
    assert parse_address(format_address(expected)) == expected


def test_address_column_shape_and_status() -> None:
    values = pd.Series(
        ["Kerkstraat 12a, 1234 AB Amsterdam", "Kerkstraat 12 A, 1234 AB Amsterdam", None, "???"],
        index=[10, 11, 12, 13],
    )
    frame = address_column(values)
    assert list(frame.columns) == [*AddressParts._fields, "address_status"]
    assert list(frame.index) == [10, 11, 12, 13]
    assert frame["house_number"].dtype == "Int64"
    assert frame["address_status"].tolist() == ["repaired", "valid", "empty", "invalid"]


# ------------------------------------------------------------------------------ properties

TEXT = st.text(max_size=40)
ADDRESSY = st.text(alphabet="0123456789 aAbBhHsSgGtTmM/-.,'eEiIvVxXkKrRpPlLnNoOdD", max_size=30)
RAW = st.one_of(st.none(), TEXT, ADDRESSY)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
)


@settings(max_examples=300, deadline=None)
@given(RAW)
def test_scalar_functions_never_raise(text: str | None) -> None:
    for func in (
        normalize_postcode, is_valid_postcode, postcode4, normalize_street, street_key,
        normalize_city, city_key, normalize_country, parse_house_number,
        parse_house_number_range, addition_key, parse_address,
    ):
        func(text)
    format_address(parse_address(text))
    postal_line(text, text)


@settings(max_examples=200, deadline=None)
@given(NUMBERS)
def test_house_number_functions_never_raise_on_numbers(value: float) -> None:
    number, _ = parse_house_number(value)
    assert number is None or 1 <= number <= 99999
    parse_address(value)


@settings(max_examples=300, deadline=None)
@given(st.one_of(TEXT, st.from_regex(r"\A(NL-?)?\s?[0-9]{4}\s?-?\s?[A-Za-z]{2}\s?\Z")))
def test_normalize_postcode_is_canonical_and_idempotent(text: str) -> None:
    out = normalize_postcode(text)
    if out is not None:
        assert POSTCODE_RE.match(out)
        assert out[5:] not in {"SA", "SD", "SS"}
        assert normalize_postcode(out) == out


@settings(max_examples=300, deadline=None)
@given(RAW)
def test_normalize_street_and_city_are_idempotent(text: str | None) -> None:
    street = normalize_street(text)
    if street is not None:
        assert normalize_street(street) == street
        assert street_key(street) == street_key(text)
    city = normalize_city(text)
    if city is not None:
        assert normalize_city(city) == city
        assert city_key(city) == city_key(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(TEXT, ADDRESSY, st.integers(min_value=-5, max_value=200000)))
def test_parse_house_number_of_rendered_output_is_stable(value: object) -> None:
    parsed = parse_house_number_range(value)
    rendered = format_house_number(parsed.number, parsed.addition, parsed.number_to)
    again = parse_house_number_range(rendered)
    assert again[:3] == parsed[:3]
    if parsed.addition is not None:
        assert re.fullmatch(r"[^\W_]+", parsed.addition)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), ADDRESSY, st.sampled_from([r for r, _ in ADDRESS_CASES])),
                max_size=15))
def test_column_functions_match_scalar_functions(values: list[str | None]) -> None:
    index = pd.RangeIndex(100, 100 + len(values))
    series = pd.Series(values, index=index, dtype=object)
    postcodes = postcode_column(series)
    streets = street_column(series)
    cities = city_column(series)
    houses = house_number_column(series)
    addresses = address_column(series)
    for frame in (postcodes, streets, cities, houses, addresses):
        assert len(frame) == len(series)
        assert frame.index.equals(index)
        status = frame[next(c for c in frame.columns if c.endswith("_status"))]
        assert set(status) <= set(STATUSES)
    for i, value in zip(index, values, strict=True):
        assert postcodes.at[i, "postcode"] == normalize_postcode(value)
        assert streets.at[i, "street"] == normalize_street(value)
        assert streets.at[i, "street_key"] == street_key(value)
        assert cities.at[i, "city"] == normalize_city(value)
        assert cities.at[i, "city_key"] == city_key(value)
        number, addition = parse_house_number(value)
        got = houses.at[i, "house_number"]
        assert (None if got is pd.NA else got) == number
        assert houses.at[i, "house_number_addition"] == addition
        row = addresses.loc[i]
        parts = tuple(None if row[f] is pd.NA else row[f] for f in AddressParts._fields)
        assert parts == tuple(parse_address(value))
        clean = None if value is None else " ".join(value.split()) or None
        expected = (
            "empty" if clean is None
            else "invalid" if parse_address(value) == AddressParts()
            else "valid" if format_address(parse_address(value)) == clean
            else "repaired"
        )
        assert row["address_status"] == expected


FAST_SHAPED = st.builds(
    "{} {}{}{}{}{}".format,
    st.sampled_from(["Kerkstraat", "Burg. de Withstr.", "Postbus", "Pb", "van Baerlestr", "Nr"]),
    st.from_regex(r"\A[0-9]{1,5}( ?-? ?[A-Za-z]{1,2}| ?[-/] ?[0-9]{1,3})?\Z"),
    st.sampled_from([" ", ", ", ","]),
    st.from_regex(r"\A[0-9]{4} ?[A-Za-z]{2}\Z"),
    st.sampled_from([" ", ", "]),
    st.sampled_from(["Amsterdam", "Den Haag nl", "Hoek van Holland", "'s-Gravenhage, Nederland",
                     "Ee", "Bergen NL", "Antwerpen België"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(FAST_SHAPED, min_size=1, max_size=5))
def test_address_fast_path_equals_general_parser(lines: list[str]) -> None:
    from custmatch.normalize.address import _parse_general

    frame = address_column(lines)
    for i, line in enumerate(lines):
        general = _parse_general(" ".join(line.split()))
        assert parse_address(line) == general
        row = frame.iloc[i]
        assert tuple(None if row[f] is pd.NA else row[f] for f in AddressParts._fields) == general


STREET_LINE_SHAPED = st.builds(
    "{} {}".format,
    st.sampled_from(["Kerkstraat", "Burg. de Withstr.", "Postbus", "Pb", "P.O. Box", "Nr",
                     "Antwoordnummer", "van Baerlestr", "Laan van Meerdervoort", "Kerkstr nr",
                     "Plein", "A", "'s-Gravelandseweg", "Oude Gracht"]),
    st.from_regex(r"\A[0-9]{1,5}( ?-? ?[A-Za-z]{1,2}| ?[-/] ?[0-9]{1,3})?\Z"),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(STREET_LINE_SHAPED, min_size=1, max_size=5))
def test_street_line_fast_path_equals_general_parser(lines: list[str]) -> None:
    from custmatch.normalize.address import _address_status, _parse_general

    frame = address_column(lines)
    for i, line in enumerate(lines):
        clean = " ".join(line.split())
        general = _parse_general(clean)
        row = frame.iloc[i]
        assert tuple(None if row[f] is pd.NA else row[f] for f in AddressParts._fields) == general
        assert row["address_status"] == _address_status(clean, general)
