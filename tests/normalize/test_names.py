"""Tests for custmatch.normalize.names (dutch.md section 1 and test cases 1-27)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custmatch.normalize import names
from custmatch.normalize.names import (
    NAME_COLUMNS,
    NameParts,
    display_name,
    dutch_phonetic,
    format_initials,
    full_surname_key,
    name_column,
    name_from_parts,
    name_parts_column,
    name_status,
    normalize_initials,
    official_names,
    organisation_key,
    parse_name,
    sort_name,
    surname_key,
)
from custmatch.normalize.phonetic import sound_key
from custmatch.normalize.text import text_key

F = NameParts._fields

# (input, expected fields). Fields not listed must be empty (None / False / no flag check).
PARSE_CASES: list[tuple[str, dict[str, object]]] = [
    # dutch.md section 8, cases 1-19 and 24-27
    ("Dhr. J.H. van der Berg", {"initials": "JH", "prefix": "van der", "surname": "Berg",
                                "gender": "M"}),
    ("Berg, J.H. van der", {"initials": "JH", "prefix": "van der", "surname": "Berg"}),
    ("Van der Berg, J.", {"initials": "J", "prefix": "van der", "surname": "Berg"}),
    ("VAN DER BERG J H", {"initials": "JH", "prefix": "van der", "surname": "Berg"}),
    ("J. v.d. Berg", {"initials": "J", "prefix": "v.d.", "surname": "Berg",
                      "flags+": "ambiguous_prefix"}),
    ("Jan vd Berg", {"first_name": "Jan", "initials": "J", "prefix": "v.d.", "surname": "Berg",
                     "flags+": "ambiguous_prefix"}),
    ("Th.J. van 't Hof", {"initials": "TJ", "prefix": "van 't", "surname": "Hof"}),
    ("dhr. M. d'Ancona", {"initials": "M", "prefix": "d'", "surname": "Ancona", "gender": "M"}),
    ("J.H. (Henk) de Jong", {"first_name": "Henk", "initials": "JH", "prefix": "de",
                             "surname": "Jong"}),
    ("Jan-Willem de Vries", {"first_name": "Jan-Willem", "initials": "JW", "prefix": "de",
                             "surname": "Vries"}),
    ("JANSEN, PIETER", {"first_name": "Pieter", "initials": "P", "surname": "Jansen"}),
    ("prof. dr. ir. P.C. de Jong MBA", {"title": "prof. dr. ir. MBA", "initials": "PC",
                                        "prefix": "de", "surname": "Jong"}),
    ("mr. A. Visser", {"title": "mr.", "initials": "A", "surname": "Visser"}),
    ("Mevr. A. Jansen - de Vries", {"initials": "A", "surname": "Jansen",
                                    "partner_prefix": "de", "partner_surname": "Vries",
                                    "gender": "F", "flags+": "hyphenated"}),
    ("Mw. A. de Vries e/v Jansen", {"initials": "A", "prefix": "de", "surname": "Vries",
                                    "partner_surname": "Jansen", "gender": "F"}),
    ("Mw. A. Jansen geb. de Vries", {"initials": "A", "prefix": "de", "surname": "Vries",
                                     "partner_surname": "Jansen", "gender": "F"}),
    ("Wed. J. Bakker-Smit", {"initials": "J", "surname": "Bakker", "partner_surname": "Smit",
                             "gender": "F", "flags+": "widow"}),
    ("fam. De Boer", {"prefix": "de", "surname": "Boer", "household": True}),
    ("ijsbrand van ijzendoorn", {"first_name": "IJsbrand", "initials": "IJ", "prefix": "van",
                                 "surname": "IJzendoorn"}),
    ("Bakkerij Jansen B.V.", {"organisation": "Bakkerij Jansen", "legal_form": "B.V."}),
    ("Coöperatie Rabobank Utrecht U.A.", {"organisation": "Rabobank Utrecht",
                                          "legal_form": "Coöperatie U.A."}),
    ("Jansen Installatie h.o.d.n. Klusbedrijf Jansen", {
        "organisation": "Jansen Installatie", "trade_name": "Klusbedrijf Jansen",
        "flags+": "trade_name"}),
    ("Stichting De Zonnebloem, t.a.v. dhr. P. de Vries", {
        "organisation": "De Zonnebloem", "legal_form": "Stichting", "initials": "P",
        "prefix": "de", "surname": "Vries", "gender": "M", "flags+": "contact"}),
    # initials notations
    ("J.H. Jansen", {"initials": "JH", "surname": "Jansen"}),
    ("J.H Jansen", {"initials": "JH", "surname": "Jansen"}),
    ("JH Jansen", {"initials": "JH", "surname": "Jansen"}),
    ("J. H. Jansen", {"initials": "JH", "surname": "Jansen"}),
    ("j.h. jansen", {"initials": "JH", "surname": "Jansen"}),
    ("J H Jansen", {"initials": "JH", "surname": "Jansen"}),
    ("Chr. Ph. Jansen", {"initials": "CP", "surname": "Jansen"}),
    ("Joh. Jansen", {"initials": "J", "surname": "Jansen"}),
    ("IJ. de Boer", {"initials": "IJ", "prefix": "de", "surname": "Boer"}),
    ("JHM de Boer", {"initials": "JHM", "prefix": "de", "surname": "Boer"}),
    ("JAN DE BOER", {"first_name": "Jan", "initials": "J", "prefix": "de", "surname": "Boer"}),
    # the administrative "SURNAME [prefix] INITIALS" notation (finance, old registers)
    ("Tering EPC", {"initials": "EPC", "surname": "Tering"}),
    ("Kraker de MC", {"initials": "MC", "prefix": "de", "surname": "Kraker"}),
    ("ROOIJ VAN EE", {"initials": "EE", "prefix": "van", "surname": "Rooij"}),
    ("WIT DE RTh", {"initials": "RT", "prefix": "de", "surname": "Wit"}),
    ("Stalberg Ath", {"initials": "AT", "surname": "Stalberg"}),
    ("korenhoven jhm", {"initials": "JHM", "surname": "Korenhoven"}),
    ("DAM-DE LEEUW VAN EE", {"initials": "EE", "prefix": "van", "surname": "Dam",
                             "partner_prefix": "de", "partner_surname": "Leeuw"}),
    # ... but a first name first, or a two-letter surname, stays given name + surname
    ("Anna IJ", {"first_name": "Anna", "initials": "A", "surname": "IJ"}),
    ("Wei Li", {"first_name": "Wei", "initials": "W", "surname": "Li"}),
    ("Jan van Ee", {"first_name": "Jan", "initials": "J", "prefix": "van", "surname": "Ee"}),
    ("Jan H. de Vries", {"first_name": "Jan", "initials": "JH", "prefix": "de",
                         "surname": "Vries"}),
    ("Jan Hendrik de Vries", {"first_name": "Jan Hendrik", "initials": "JH", "prefix": "de",
                              "surname": "Vries"}),
    ("Jan H.", {"first_name": "Jan", "initials": "JH"}),
    ('J.H. "Henk" de Jong', {"first_name": "Henk", "initials": "JH", "prefix": "de",
                             "surname": "Jong"}),
    ("J.H. 'Henk' de Jong", {"first_name": "Henk", "initials": "JH", "prefix": "de",
                             "surname": "Jong"}),
    # prefix abbreviations
    ("J. v. Dam", {"initials": "J", "prefix": "van", "surname": "Dam",
                   "flags+": "prefix_expanded"}),
    ("J. v Dam", {"initials": "J", "prefix": "van", "surname": "Dam"}),
    ("J. v.h. Veld", {"initials": "J", "prefix": "van het", "surname": "Veld"}),
    ("J. vh Veld", {"initials": "J", "prefix": "van het", "surname": "Veld"}),
    ("J. v.'t Hof", {"initials": "J", "prefix": "van 't", "surname": "Hof"}),
    ("J. i.'t Veld", {"initials": "J", "prefix": "in 't", "surname": "Veld"}),
    ("J. in t Veld", {"initials": "J", "prefix": "in 't", "surname": "Veld"}),
    ("J. t Hart", {"initials": "J", "prefix": "'t", "surname": "Hart"}),
    ("J. v/d Berg", {"initials": "J", "prefix": "v.d.", "surname": "Berg",
                     "flags+": "ambiguous_prefix"}),
    ("J. v. d. Berg", {"initials": "J", "prefix": "v.d.", "surname": "Berg"}),
    ("J. vd. Berg", {"initials": "J", "prefix": "v.d.", "surname": "Berg"}),
    ("J. v.d Berg", {"initials": "J", "prefix": "v.d.", "surname": "Berg"}),
    ("J. V.D. BERG", {"initials": "J", "prefix": "v.d.", "surname": "Berg"}),
    ("J. v.der Berg", {"initials": "J", "prefix": "van der", "surname": "Berg"}),
    # spelled-out prefixes and foreign prefixes
    ("P. van den Bosch", {"initials": "P", "prefix": "van den", "surname": "Bosch"}),
    ("P. Van Den Bosch", {"initials": "P", "prefix": "van den", "surname": "Bosch"}),
    ("A. in 't Veld", {"initials": "A", "prefix": "in 't", "surname": "Veld"}),
    ("H. ter Horst", {"initials": "H", "prefix": "ter", "surname": "Horst"}),
    ("K. von der Heide", {"initials": "K", "prefix": "von der", "surname": "Heide"}),
    ("M. de la Cruz", {"initials": "M", "prefix": "de la", "surname": "Cruz"}),
    ("Ben de Vries", {"first_name": "Ben", "initials": "B", "prefix": "de", "surname": "Vries"}),
    ("Van", {"surname": "Van"}),
    ("de Vries", {"prefix": "de", "surname": "Vries"}),
    ("J. Bosch van Drakestein", {"initials": "J", "surname": "Bosch van Drakestein"}),
    # reversed orders
    ("Berg van der, J.H.", {"initials": "JH", "prefix": "van der", "surname": "Berg"}),
    ("Berg J.H. van der", {"initials": "JH", "prefix": "van der", "surname": "Berg"}),
    ("JANSEN J", {"initials": "J", "surname": "Jansen"}),
    ("Jansen, J.H.", {"initials": "JH", "surname": "Jansen"}),
    ("Vries, Anna de", {"first_name": "Anna", "initials": "A", "prefix": "de",
                        "surname": "Vries"}),
    ("De Vries, dhr. J.", {"initials": "J", "prefix": "de", "surname": "Vries", "gender": "M"}),
    ("De Heer, J.", {"initials": "J", "prefix": "de", "surname": "Heer"}),
    ("Van der Berg Jan", {"first_name": "Jan", "initials": "J", "prefix": "van der",
                          "surname": "Berg"}),
    # married names and markers
    ("A. Jansen-de Vries", {"initials": "A", "surname": "Jansen", "partner_prefix": "de",
                            "partner_surname": "Vries"}),
    ("A. Jansen -de Vries", {"initials": "A", "surname": "Jansen", "partner_prefix": "de",
                             "partner_surname": "Vries"}),
    ("A. de Vries-Jansen", {"initials": "A", "prefix": "de", "surname": "Vries",
                            "partner_surname": "Jansen"}),
    ("A. van der Berg-van Dam", {"initials": "A", "prefix": "van der", "surname": "Berg",
                                 "partner_prefix": "van", "partner_surname": "Dam"}),
    ("Mevrouw A. Smit echtg. van Dijk", {"initials": "A", "surname": "Smit",
                                         "partner_prefix": "van", "partner_surname": "Dijk",
                                         "gender": "F"}),
    ("A. Smit weduwe van J. Bakker", {"initials": "A", "surname": "Smit",
                                      "partner_surname": "Bakker", "gender": "F",
                                      "flags+": "widow"}),
    ("Mw. A. Jansen geboren de Vries", {"initials": "A", "prefix": "de", "surname": "Vries",
                                        "partner_surname": "Jansen", "gender": "F"}),
    ("'s-Gravesande", {"surname": "'s-Gravesande"}),
    # salutations and titles
    ("De heer Jansen", {"surname": "Jansen", "gender": "M"}),
    ("Mevrouw Van den Bosch", {"prefix": "van den", "surname": "Bosch", "gender": "F"}),
    ("mej. K. Pietersen", {"initials": "K", "surname": "Pietersen", "gender": "F"}),
    ("Dhr. ing. J. de Wit", {"title": "ing.", "initials": "J", "prefix": "de",
                             "surname": "Wit", "gender": "M"}),
    ("Drs. J. Smit RA", {"title": "drs. RA", "initials": "J", "surname": "Smit"}),
    ("jhr. mr. W. van Lynden", {"title": "jhr. mr.", "initials": "W", "prefix": "van",
                                "surname": "Lynden"}),
    ("J. de Boer MSc", {"title": "MSc", "initials": "J", "prefix": "de", "surname": "Boer"}),
    ("J. de Boer jr.", {"title": "jr.", "initials": "J", "prefix": "de", "surname": "Boer"}),
    ("Dhr. en mevr. Jansen", {"surname": "Jansen", "household": True}),
    ("J. en A. de Vries", {"prefix": "de", "surname": "Vries", "household": True,
                           "flags+": "multiple_persons"}),
    ("J. Jansen p/a Bakker", {"initials": "J", "surname": "Jansen", "flags+": "care_of"}),
    # organisations
    ("Jansen BV", {"organisation": "Jansen", "legal_form": "B.V."}),
    ("Philips N.V.", {"organisation": "Philips", "legal_form": "N.V."}),
    ("V.O.F. De Gouden Leeuw", {"organisation": "De Gouden Leeuw", "legal_form": "V.O.F."}),
    ("Maatschap Huisartsen Noord", {"organisation": "Huisartsen Noord",
                                    "legal_form": "Maatschap"}),
    ("VvE Kerkstraat 12", {"organisation": "Kerkstraat", "legal_form": "VvE",
                           "flags+": "junk_removed"}),
    ("Vereniging van Eigenaars De Linde", {"organisation": "De Linde", "legal_form": "VvE"}),
    ("Müller GmbH", {"organisation": "Müller", "legal_form": "GmbH"}),
    ("Jansen Beheer B.V. i.o.", {"organisation": "Jansen Beheer", "legal_form": "B.V.",
                                "flags+": "in_formation"}),
    ("Stichting De Zonnebloem", {"organisation": "De Zonnebloem", "legal_form": "Stichting"}),
    ("Gemeente Utrecht", {"organisation": "Gemeente Utrecht"}),
    ("Gemeente Utrecht t.a.v. mw. A. Bos", {"organisation": "Gemeente Utrecht",
                                           "initials": "A", "surname": "Bos", "gender": "F",
                                           "flags+": "contact"}),
    ("C.V. de Vries", {"initials": "CV", "prefix": "de", "surname": "Vries"}),
    # garbage and empties
    ("", {}),
    ("   ", {}),
    ("1234", {"flags+": "placeholder"}),
    ("xxx", {"flags+": "placeholder"}),
    ("Onbekend", {"flags+": "placeholder"}),
    ("???", {"flags+": "placeholder"}),
    ("Jansen!!", {"surname": "Jansen", "flags+": "junk_removed"}),
]


@pytest.mark.parametrize(
    ("text", "expected"), PARSE_CASES, ids=[c[0] or "empty" for c in PARSE_CASES]
)
def test_parse_name_cases(text: str, expected: dict[str, object]) -> None:
    parts = parse_name(text)
    want = dict(expected)
    flag = want.pop("flags+", None)
    for field in F:
        if field == "flags":
            continue
        default = False if field == "household" else None
        assert getattr(parts, field) == want.get(field, default), (field, parts)
    if flag is not None:
        assert flag in parts.flags, parts.flags


DISPLAY_CASES = [
    ("Dhr. J.H. van der Berg", "J.H. van der Berg", "Berg, J.H. van der"),
    ("Berg, J.H. van der", "J.H. van der Berg", "Berg, J.H. van der"),
    ("Th.J. van 't Hof", "T.J. van 't Hof", "Hof, T.J. van 't"),
    ("van 't Hof", "Van 't Hof", "Hof, van 't"),
    ("mevrouw d'Ancona", "d'Ancona", "Ancona, d'"),
    ("dr. Van Dam", "dr. Van Dam", "Dam, van"),
    ("mr. N. van Dam", "mr. N. van Dam", "Dam, N. van"),
    ("J.H. (Henk) de Jong", "J.H. (Henk) de Jong", "Jong, J.H. (Henk) de"),
    ("Mevr. A. Jansen - de Vries", "A. Jansen-de Vries", "Jansen-de Vries, A."),
    ("Bakkerij Jansen B.V.", "Bakkerij Jansen B.V.", "Bakkerij Jansen B.V."),
    ("Coöperatie Rabobank Utrecht U.A.", "Coöperatie Rabobank Utrecht U.A.",
     "Coöperatie Rabobank Utrecht U.A."),
]


@pytest.mark.parametrize(("text", "display", "sort"), DISPLAY_CASES)
def test_display_and_sort_forms(text: str, display: str, sort: str) -> None:
    parts = parse_name(text)
    assert display_name(parts) == display
    assert sort_name(parts) == sort


FROM_PARTS_CASES: list[tuple[tuple[str | None, ...], dict[str, object]]] = [
    (("Jan", "J.H.", "van der", "Berg"), {"first_name": "Jan", "initials": "JH",
                                          "prefix": "van der", "surname": "Berg"}),
    (("J.H.", None, None, "Berg"), {"initials": "JH", "surname": "Berg"}),
    (("Jan H.", None, None, "Berg"), {"first_name": "Jan", "initials": "JH", "surname": "Berg"}),
    ((None, "JH", "V.D.", "Berg"), {"initials": "JH", "prefix": "v.d.", "surname": "Berg",
                                    "flags+": "ambiguous_prefix"}),
    ((None, "j. h.", "Van Der", "BERG"), {"initials": "JH", "prefix": "van der",
                                          "surname": "Berg"}),
    ((None, "J", None, "Berg, van den"), {"initials": "J", "prefix": "van den",
                                          "surname": "Berg"}),
    ((None, "J", None, "van den Berg"), {"initials": "J", "prefix": "van den",
                                         "surname": "Berg"}),
    ((None, "J", None, "Berg van den"), {"initials": "J", "prefix": "van den",
                                         "surname": "Berg"}),
    ((None, "J", "v.d.", "van den Berg"), {"initials": "J", "prefix": "van den",
                                           "surname": "Berg"}),
    ((None, "J", "van", "den Berg"), {"initials": "J", "prefix": "van den", "surname": "Berg"}),
    ((None, "A", None, "Jansen-de Vries"), {"initials": "A", "surname": "Jansen",
                                            "partner_prefix": "de",
                                            "partner_surname": "Vries"}),
    ((None, "Th.J.", "'T", "Hof"), {"initials": "TJ", "prefix": "'t", "surname": "Hof"}),
    (("Henk", "J.H.", "de", "Jong"), {"first_name": "Henk", "initials": "JH", "prefix": "de",
                                      "surname": "Jong"}),
    (("Jan-Willem", None, "de", "Vries"), {"first_name": "Jan-Willem", "initials": "JW",
                                           "prefix": "de", "surname": "Vries"}),
    ((None, None, None, "J. de Vries"), {"initials": "J", "prefix": "de", "surname": "Vries"}),
    ((None, None, None, "Bakkerij Jansen B.V."), {"organisation": "Bakkerij Jansen",
                                                  "legal_form": "B.V."}),
    (("Dhr. Jan", None, None, "Jansen"), {"first_name": "Jan", "initials": "J",
                                          "surname": "Jansen", "gender": "M"}),
    ((None, None, "d'", "Ancona"), {"prefix": "d'", "surname": "Ancona"}),
    # a marker inside the surname column: the own name and the partner's name
    (("Manon", None, None, "Zwart geb. Kleinwijk"), {"first_name": "Manon", "initials": "M",
                                                     "surname": "Kleinwijk",
                                                     "partner_surname": "Zwart"}),
    ((None, "M.", None, "Brugland e/v Terbeek"), {"initials": "M", "surname": "Brugland",
                                                   "partner_surname": "Terbeek"}),
    ((None, "J.", "van den", "Elzen geb. Tjeerdberg"), {"initials": "J", "surname": "Tjeerdberg",
                                                         "partner_prefix": "van den",
                                                         "partner_surname": "Elzen"}),
    ((None, None, None, None), {}),
]


@pytest.mark.parametrize(
    ("cols", "expected"), FROM_PARTS_CASES, ids=[str(c[0]) for c in FROM_PARTS_CASES]
)
def test_name_from_parts_cases(cols: tuple[str | None, ...], expected: dict[str, object]) -> None:
    parts = name_from_parts(*cols)
    want = dict(expected)
    flag = want.pop("flags+", None)
    for field in F:
        if field == "flags":
            continue
        default = False if field == "household" else None
        assert getattr(parts, field) == want.get(field, default), (field, parts)
    if flag is not None:
        assert flag in parts.flags


PHONETIC_CASES = [
    ("Meijer", "meier"), ("Meyer", "meier"), ("Meier", "meier"), ("Janssen", "jansen"),
    ("Janssens", "jansens"), ("Backer", "baker"), ("Bakker", "baker"), ("Smidt", "smit"),
    ("Smid", "smit"), ("Smit", "smit"), ("Huygens", "huigens"), ("Huijgens", "huigens"),
    ("IJzendoorn", "eisendorn"), ("Hendrix", "hendriks"), ("Hendriks", "hendriks"),
    ("de Jongh", "jong"), ("de Jong", "jong"), ("van den Bosch", "bos"), ("van den Bos", "bos"),
    ("Zwart", "swart"), ("Swart", "swart"), ("Maes", "mas"), ("Maas", "mas"),
    ("Claassen", "klasen"), ("Klaassen", "klasen"), ("Dijkstra", "deikstra"),
    ("Dykstra", "deikstra"), ("Kuijpers", "kuipers"), ("Kuypers", "kuipers"),
    ("Raaijmakers", "raimakers"), ("Raaymakers", "raimakers"), ("Schouten", "sgouten"),
    ("Gerrits", "gerits"), ("Gerritsen", "geritsen"), ("Bosch, van den", "bos"),
    ("", None), (None, None), ("123", None),
]


@pytest.mark.parametrize(("text", "key"), PHONETIC_CASES)
def test_dutch_phonetic_cases(text: str | None, key: str | None) -> None:
    assert dutch_phonetic(text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [("de Vries", "vries"), ("Vries", "vries"), ("DE VRIES", "vries"), ("Vries, de", "vries"),
     ("de Jongh", "jongh"), ("IJzendoorn", "ijzendoorn"), ("van der Berg", "berg"),
     ("Hoëvell", "hoevell"), ("d'Ancona", "ancona"), ("Jansen-de Vries", "jansen"),
     ("", None), (None, None)],
)
def test_surname_key_cases(text: str | None, key: str | None) -> None:
    assert surname_key(text) == key


def test_other_keys_and_helpers() -> None:
    assert full_surname_key("van der", "Berg") == "vanderberg"
    assert full_surname_key(None, "Van der Berg") == "vanderberg"
    assert organisation_key("Bakkerij Jansen B.V.") == "bakkerij jansen"
    assert organisation_key("Jansen Beheer B.V.") != organisation_key("Jansen B.V.")
    assert official_names("Kees") == ("cornelis",)
    assert official_names(None) == ()
    assert format_initials("IJH") == "IJ.H."
    assert [normalize_initials(s) for s in ("J.H.", "JH", "J. H.", "j.h.", "J H", "Th.J.")] == [
        "JH"] * 5 + ["TJ"]
    assert normalize_initials("") is None


@pytest.mark.parametrize(
    ("text", "status"),
    [(None, "empty"), ("  ", "empty"), ("1234", "invalid"), ("Dhr.", "invalid"),
     ("Jan H.", "invalid"), ("J. de Vries", "valid"), ("J. DE VRIES", "repaired"),
     ("J. v. Dam", "repaired"), ("J. de Vries #1", "repaired"), ("Jansen B.V.", "valid")],
)
def test_name_status(text: str | None, status: str) -> None:
    assert name_status(parse_name(text), text) == status


def test_mr_is_male_option() -> None:
    assert parse_name("Mr. A. Visser").gender is None
    english = parse_name("Mr. A. Visser", mr_is_male=True)
    assert english.gender == "M"
    assert english.title is None


# ---------------------------------------------------------------------------------------
# columns

SAMPLE = [
    "Dhr. J.H. van der Berg", "Berg, J.H. van der", None, "", "Bakkerij Jansen B.V.",
    "Mw. A. Jansen geb. de Vries", "fam. De Boer", "Dhr. J.H. van der Berg", "1234",
    "Stichting De Zonnebloem, t.a.v. dhr. P. de Vries", float("nan"),
]


def _expected_row(parts: NameParts) -> dict[str, object]:
    """Row the column functions must produce for ``parts``."""
    flags = parts.flags + (("household",) if parts.household else ())
    return {
        "title": parts.title, "first_name": parts.first_name, "initials": parts.initials,
        "prefix": parts.prefix, "surname": parts.surname,
        "partner_prefix": parts.partner_prefix, "partner_surname": parts.partner_surname,
        "organisation": parts.organisation, "legal_form": parts.legal_form,
        "gender": parts.gender, "name_flags": ",".join(flags) or None,
        # the key columns are computed on the core surname directly
        "surname_key": text_key(parts.surname),
        "surname_phonetic": sound_key(parts.surname),
    }


def test_name_column_matches_scalar() -> None:
    series = pd.Series(SAMPLE, index=range(100, 100 + len(SAMPLE)))
    frame = name_column(series)
    assert list(frame.columns) == list(NAME_COLUMNS)
    assert frame.index.equals(series.index)
    for idx, value in series.items():
        parts = parse_name(value)
        row = frame.loc[idx]
        for col, want in _expected_row(parts).items():
            assert row[col] == want, (value, col)
        assert row["name_status"] == name_status(parts, value)
    assert frame.loc[102, "name_status"] == "empty"
    assert frame.loc[108, "name_status"] == "invalid"
    assert frame.loc[104, "organisation_key"] == "bakkerij jansen"
    assert frame.loc[105, "partner_surname_key"] == "jansen"


def test_name_parts_column_matches_scalar() -> None:
    rows = [("Jan", "J.H.", "van der", "Berg"), (None, "JH", "V.D.", "BERG"),
            (None, None, None, None), ("Jan", "J.H.", "van der", "Berg"),
            (None, None, None, "Bakkerij Jansen B.V."), (float("nan"), "", None, "de Vries")]
    df = pd.DataFrame(rows, columns=["f", "i", "p", "s"], index=list("abcdef"))
    frame = name_parts_column(df["f"], df["i"], df["p"], df["s"])
    assert frame.index.equals(df.index)
    for idx, row in df.iterrows():
        parts = name_from_parts(*row.tolist())
        for col, want in _expected_row(parts).items():
            assert frame.loc[idx, col] == want, (idx, col)
    assert frame.loc["c", "name_status"] == "empty"
    assert frame.loc["b", "name_status"] == "repaired"
    only_surname = name_parts_column(surname=df["s"])
    assert only_surname.loc["f", "surname"] == "Vries"


# ---------------------------------------------------------------------------------------
# properties

_INITIALS = st.sampled_from(["J.", "J.H.", "JH", "P.C.", "Th.J.", "A.", "IJ.", "W.F.M."])
_FIRST = st.sampled_from(["Jan", "Anna", "Pieter", "Jan-Willem", "Henk", "Maria", "IJsbrand"])
_PREFIX = st.sampled_from(["", "", "de", "van", "van der", "van den", "in 't", "ter", "d'"])
_CORE = st.sampled_from(["Berg", "Vries", "Jansen", "Bakker", "IJzendoorn", "Hof", "Jong",
                         "Ancona", "Müller", "Smit"])
_TITLE = st.sampled_from(["", "", "dr.", "mr.", "prof. dr. ir.", "ing."])
_POST = st.sampled_from(["", "", "MSc", "MBA", "RA"])


@st.composite
def person_names(draw: st.DrawFn) -> str:
    given = draw(st.one_of(_INITIALS, _FIRST, st.tuples(_FIRST, _INITIALS).map(" ".join)))
    prefix = draw(_PREFIX)
    core = draw(_CORE)
    surname = f"{prefix}{core}" if prefix.endswith("'") else f"{prefix} {core}".strip()
    if draw(st.booleans()):
        partner = draw(_CORE)
        pprefix = draw(_PREFIX)
        surname += "-" + (f"{pprefix} {partner}".strip() if not pprefix.endswith("'") else
                          f"{pprefix}{partner}")
    parts = [draw(_TITLE), given, surname, draw(_POST)]
    return " ".join(p for p in parts if p)


_STABLE_FIELDS = ("title", "first_name", "initials", "prefix", "surname", "partner_prefix",
                  "partner_surname", "organisation", "legal_form")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_scalar_functions_never_raise(text: str) -> None:
    parts = parse_name(text)
    assert isinstance(parts, NameParts)
    name_from_parts(text, text, text, text)
    name_from_parts(None, None, None, text)
    display_name(parts)
    sort_name(parts)
    surname_key(text)
    organisation_key(text)
    assert name_status(parts, text) in {"empty", "valid", "repaired", "invalid"}


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_dutch_phonetic_total_and_idempotent(text: str) -> None:
    key = dutch_phonetic(text)
    assert key is None or (key.isascii() and key.isalpha() and key.islower())
    assert dutch_phonetic(key) == key


@settings(max_examples=300, deadline=None)
@given(person_names())
def test_parse_display_parse_is_stable(text: str) -> None:
    """Idempotence: parsing the display form gives the same name fields (not gender/flags)."""
    first = parse_name(text)
    again = parse_name(display_name(first))
    for field in _STABLE_FIELDS:
        assert getattr(again, field) == getattr(first, field), (text, field, first, again)


# name-like noise: words in normal casing (or single capitals) joined by spaces, dots,
# commas and hyphens. Random casing inside words ("dA") and brackets are excluded.
_NAMEISH = st.lists(
    st.tuples(st.from_regex(r"[A-Z]?[a-z]{0,5}|[A-Z]\.", fullmatch=True),
              st.sampled_from([" ", ", ", "-", ". "])).map("".join),
    max_size=6,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_NAMEISH)
def test_parse_display_parse_stable_on_nameish_text_for_surname(text: str) -> None:
    """On name-like noise the display form keeps the surname key stable.

    Checked for one-word cores only: a multi-word core without an inner prefix (``Aa Bb``
    read from ``Aa Bb, Jan``) cannot be told from given names when written given-name-first.
    """
    first = parse_name(text)
    shown = display_name(first)
    one_word = " " not in (first.surname or "") + (first.partner_surname or "")
    if shown and first.surname and one_word and not first.organisation:
        again = parse_name(shown)
        if "placeholder" not in again.flags:  # "AAA-B" shows as the placeholder "Aaa"
            assert surname_key(again.surname) == surname_key(first.surname)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), person_names(), st.text(max_size=12)), max_size=12))
def test_name_column_equals_scalar_rowwise(values: list[str | None]) -> None:
    series = pd.Series(values, index=[f"r{i}" for i in range(len(values))], dtype=object)
    frame = name_column(series)
    assert len(frame) == len(series)
    assert frame.index.equals(series.index)
    for idx, value in series.items():
        parts = parse_name(value)
        for col, want in _expected_row(parts).items():
            assert frame.loc[idx, col] == want


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(*(st.one_of(st.none(), st.text(max_size=8)),) * 4), max_size=10))
def test_name_parts_column_equals_scalar_rowwise(rows: list[tuple[str | None, ...]]) -> None:
    df = pd.DataFrame(rows, columns=["f", "i", "p", "s"], dtype=object)
    frame = name_parts_column(df["f"], df["i"], df["p"], df["s"])
    assert len(frame) == len(df)
    assert frame.index.equals(df.index)
    for idx, row in df.iterrows():
        parts = name_from_parts(*row.tolist())
        for col, want in _expected_row(parts).items():
            assert frame.loc[idx, col] == want


_FAST_CORPUS = [
    "Dhr. J.H. van der Berg", "Jan Jansen", "Mevrouw A. de Vries", "de heer J. Bos",
    "DHR. J. Bos", "Mw. A.B.C. van 't Hof", "Ben Jansen", "J. Van Der Berg", "Jan-Willem Smit",
    "Dhr. Jan van den Bosch", "Jan Bakkerij", "Piet Stichting", "J. Ijssel", "Anna Test",
    "mevr. P. ter Horst", "Hr. K. op de Beek", "Ms A. Jones", "J. Mba", "Niet Bekend",
    "Xx Xxx", "Geen Naam",
]


@pytest.mark.parametrize("text", _FAST_CORPUS)
def test_fast_path_equals_full_parser(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = parse_name(text)
    monkeypatch.setattr(names, "_fast_parse", lambda _text: None)
    assert parse_name(text) == fast


@settings(max_examples=200, deadline=None)
@given(person_names(), st.sampled_from(["", "Dhr. ", "mevr. ", "de heer ", "Mw "]))
def test_fast_path_equals_full_parser_on_generated_names(text: str, salutation: str) -> None:
    text = salutation + text
    fast = parse_name(text)
    original = names._fast_parse
    names._fast_parse = lambda _text: None  # type: ignore[assignment]
    try:
        slow = parse_name(text)
    finally:
        names._fast_parse = original
    assert slow == fast


# --------------------------------------------------------------------------------------
# composition fast path of name_parts_column


def _direct_frame(first, initials, prefix, surname):
    from custmatch.normalize.names import _parts_row

    rows = [_parts_row(tuple(None if v is None or v != v else v for v in combo), False)
            for combo in zip(first, initials, prefix, surname, strict=True)]
    return pd.DataFrame(rows, columns=NAME_COLUMNS, dtype=object)


def test_name_parts_column_composition_equals_direct_parse_on_generator_data() -> None:
    from custmatch.datasets import generate_customers

    records, _ = generate_customers(3000, seed=5)
    cols = [records[c] for c in ("first_name", "initials", "prefix", "surname")]
    fast = name_parts_column(*cols).reset_index(drop=True)
    slow = _direct_frame(*cols)
    pd.testing.assert_frame_equal(fast, slow)


_given_names = st.sampled_from(["Jan", "Piet", "Anna", "Jan-Willem", "Henk", "Dhr", "Mevr",
                                "Ir", "Van", "De", "Ter", "Bv", "Ma", "Heer", "Fam", "Zn",
                                "Chantal Maria", "Johannes Hendrikus", " Jacoba Johanna",
                                "Jan Van", "Anna De", "Prof", "Jhr", "Wed", "Geb", "Mr"])
_clean_initials = st.sampled_from(["J.", "J.H.", "A.B.C.", "P.", "Th.", "I.J.", "EJ", "IJ",
                                   "Th.J.", "JH", "MSC", "BV", "MR", "J. H.", "A. B. C.",
                                   "Th. J.", "I. J.", "M. R.", "H. R.", "B. V.", "E. N."])
_prefixes = st.sampled_from(["van", "de", "van der", "van den", "ter", "'t", "v.d.", "in 't"])
_surnames = st.sampled_from(["Berg", "Jansen", "Vries", "Jansen-Smit", "Heer", "Bv", "Van",
                             "Stichting", "Ma", "Fam", "Mevrouw", "Geb", "Wed", "Holding", "Zn",
                             "Dijk", "Zwaneveld", "Maarten", "Msc", "Ramaker-de Wolff",
                             "Jansen - de Vries", " Schipper", "Veer  ", "Berg van", "D'Ancona",
                             "Jansen Geb", "Vries E", "Bakker Bv", "Jansen-van der Berg"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.none() | _given_names, st.none() | _clean_initials,
                          st.none() | _prefixes, _surnames), min_size=1, max_size=12))
def test_name_parts_column_composition_equals_direct_parse(rows) -> None:
    columns = zip(*rows, strict=True)
    first, initials, prefix, surname = (pd.Series(list(c), dtype=object) for c in columns)
    fast = name_parts_column(first, initials, prefix, surname).reset_index(drop=True)
    slow = _direct_frame(first, initials, prefix, surname)
    pd.testing.assert_frame_equal(fast, slow)


def test_roepnaam_in_brackets_may_spell_a_legal_form_in_name_case() -> None:
    # regression (found by the display round-trip property): "Ba" is a name here, not B.A.
    first = parse_name("aa, A. ba ")
    again = parse_name(display_name(first))
    assert (again.first_name, again.initials, again.surname) == ("Ba", "AB", "Aa")
    assert parse_name("Coöperatie Rabobank Utrecht B.A.").legal_form == "Coöperatie B.A."


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), person_names(), st.text(max_size=12)), max_size=12))
def test_name_fields_column_equals_name_column(values: list[str | None]) -> None:
    from custmatch.normalize.names import NAME_FIELDS, name_fields_column

    series = pd.Series(values, dtype=object)
    pd.testing.assert_frame_equal(name_fields_column(series),
                                  name_column(series)[list(NAME_FIELDS)])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(), person_names(), _surnames))
def test_surname_keys_equal_surname_key_and_dutch_phonetic(text: str | None) -> None:
    from custmatch.normalize.names import surname_keys

    assert surname_keys(text) == (surname_key(text), dutch_phonetic(text))


@pytest.mark.parametrize(("text", "shown"), [
    ("Bbb S. A.", "S.A. Bbb"),      # initials first: "S.A." after a comma is a legal form
    ("Bth, Anna", "Bth, Anna"),     # a surname that reads as initials keeps its comma
    ("Stalberg Ath", "A.T. Stalberg"),
    ("A. aa, fa ", "F. Aa"),        # "Fa Aa" would read as a firm (Fa. = firma)
])
def test_display_form_of_initials_like_names_parses_back(text: str, shown: str) -> None:
    first = parse_name(text)
    assert display_name(first) == shown
    again = parse_name(shown)
    assert (again.surname, again.initials) == (first.surname, first.initials)
