from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from custmatch.errors import CustmatchWarning, InputError, SchemaError
from custmatch.schema import (
    CANONICAL_COLUMNS,
    INPUT_ROLES,
    header_key,
    infer_columns,
    validate_records,
)


def frame(*headers: str) -> pd.DataFrame:
    return pd.DataFrame(columns=list(headers))


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Voornaam", "first_name"),
        ("Roepnaam", "nickname"),
        ("Voorletters", "initials"),
        ("Tussenvoegsel", "prefix"),
        ("Achternaam", "surname"),
        ("Straatnaam", "street"),
        ("Straat", "street"),
        ("Huisnummer", "house_number"),
        ("Huisnr.", "house_number"),
        ("Toevoeging", "house_number_addition"),
        ("Huisnummertoevoeging", "house_number_addition"),
        ("Postcode", "postcode"),
        ("Woonplaats", "city"),
        ("Plaats", "city"),
        ("Telefoon", "phone"),
        ("Telefoonnummer", "phone"),
        ("Mobiel", "mobile"),
        ("E-mail", "email"),
        ("Emailadres", "email"),
        ("E-mailadres", "email"),
        ("Geboortedatum", "birth_date"),
        ("Geslacht", "gender"),
        ("Klantnummer", "customer_number"),
        ("First Name", "first_name"),
        ("last_name", "surname"),
        ("ZIP", "postcode"),
        ("zip_code", "postcode"),
        ("City", "city"),
        ("Phone", "phone"),
        ("Date of birth", "birth_date"),
        ("Company", "organisation"),
        ("Bedrijfsnaam", "organisation"),
        ("Land", "country"),
        ("Bron", "source"),
        ("klant_voornaam", "first_name"),
        ("contact_email", "email"),
        ("Laatst gewijzigd", "updated_at"),
    ],
)
def test_infer_columns_recognises_dutch_and_english_headers(header: str, role: str) -> None:
    assert infer_columns(frame(header, "unrelated")) == {role: header}


def test_infer_columns_naam_is_surname_beside_first_name_else_full_name() -> None:
    assert infer_columns(frame("voornaam", "naam")) == {"first_name": "voornaam", "surname": "naam"}
    assert infer_columns(frame("naam", "postcode")) == {"full_name": "naam", "postcode": "postcode"}


def test_infer_columns_adres_is_street_beside_house_number_else_one_line_address() -> None:
    assert infer_columns(frame("adres", "huisnummer")) == {"house_number": "huisnummer",
                                                           "street": "adres"}
    assert infer_columns(frame("adres")) == {"address": "adres"}


def test_infer_columns_phone_and_mobile_are_separate_roles() -> None:
    assert infer_columns(frame("telefoon", "mobiel")) == {"mobile": "mobiel", "phone": "telefoon"}


def test_infer_columns_explicit_mapping_wins_and_none_switches_a_role_off() -> None:
    df = frame("postcode_nl", "postcode", "tel")
    got = infer_columns(df, {"postcode": "postcode_nl", "phone": None})
    assert got == {"postcode": "postcode_nl"}


def test_infer_columns_bad_explicit_mapping_names_the_problem() -> None:
    with pytest.raises(SchemaError, match="no such column"):
        infer_columns(frame("a"), {"postcode": "zip"})
    with pytest.raises(SchemaError, match="unknown role 'zipcode'"):
        infer_columns(frame("a"), {"zipcode": "a"})
    with pytest.raises(InputError):
        infer_columns(["not", "a", "frame"])  # type: ignore[arg-type]


def test_infer_columns_on_frame_without_known_headers_is_empty() -> None:
    assert infer_columns(frame("foo", "bar")) == {}


def test_infer_columns_returns_each_column_at_most_once() -> None:
    df = frame("Voornaam", "Achternaam", "Naam", "E-mail", "Mail", "Telefoon", "Tel")
    got = infer_columns(df)
    assert len(set(got.values())) == len(got)
    assert got["first_name"] == "Voornaam"
    assert got["surname"] == "Achternaam"
    assert got["email"] == "E-mail"


@given(st.lists(st.text(max_size=20), max_size=8, unique=True))
def test_infer_columns_never_raises_and_maps_only_real_columns(headers: list[str]) -> None:
    got = infer_columns(frame(*headers))
    assert set(got) <= set(INPUT_ROLES)
    assert set(got.values()) <= set(headers)


def test_header_key_folds_case_accents_and_punctuation() -> None:
    assert header_key("Straatnaam ") == "straatnaam"
    assert header_key("Geboorte-datum") == "geboortedatum"
    assert header_key("Pláats") == "plaats"


def test_canonical_columns_match_architecture() -> None:
    assert CANONICAL_COLUMNS[:5] == ("title", "first_name", "initials", "prefix", "surname")
    assert {"phone_kind", "email_key", "house_number_addition"} <= set(CANONICAL_COLUMNS)


def test_validate_records_generates_ids_and_default_source_without_touching_input() -> None:
    df = pd.DataFrame({"naam": ["Jansen", "de Vries"]}, index=[10, 20])
    out = validate_records(df, default_source="crm")
    assert list(out.columns) == ["record_id", "source", "naam"]
    assert out["record_id"].tolist() == ["0", "1"]
    assert out["source"].tolist() == ["crm", "crm"]
    assert list(df.columns) == ["naam"]


def test_validate_records_keeps_given_ids_as_strings() -> None:
    out = validate_records(pd.DataFrame({"record_id": [3, 1, 2], "source": ["a", "b", "a"]}))
    assert out["record_id"].tolist() == ["3", "1", "2"]
    assert out["source"].tolist() == ["a", "b", "a"]


def test_validate_records_float_ids_from_csv_lose_their_decimal_point() -> None:
    out = validate_records(pd.DataFrame({"record_id": [12.0, 13.0]}))
    assert out["record_id"].tolist() == ["12", "13"]


def test_validate_records_duplicate_ids_raise_naming_id_and_rows() -> None:
    df = pd.DataFrame({"record_id": ["a", "b", "a"]})
    with pytest.raises(SchemaError, match=r"duplicated id.*'a'.*rows \[0, 2\]"):
        validate_records(df)


def test_validate_records_null_ids_raise_naming_rows() -> None:
    with pytest.raises(SchemaError, match=r"null value.*row\(s\) \[1\]"):
        validate_records(pd.DataFrame({"record_id": ["a", None]}))


def test_validate_records_fills_empty_source_with_warning() -> None:
    df = pd.DataFrame({"record_id": ["a", "b", "c"], "source": ["crm", None, " "]})
    with pytest.warns(CustmatchWarning, match="2 empty value"):
        out = validate_records(df, default_source="unknown")
    assert out["source"].tolist() == ["crm", "unknown", "unknown"]


def test_validate_records_duplicate_column_names_raise() -> None:
    df = pd.DataFrame([[1, 2]], columns=["postcode", "postcode"])
    with pytest.raises(SchemaError, match="duplicate column names"):
        validate_records(df)


def test_validate_records_empty_frame_keeps_columns() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = validate_records(pd.DataFrame(columns=["naam"]))
    assert list(out.columns) == ["record_id", "source", "naam"]
    assert len(out) == 0


def test_validate_records_rejects_non_frames() -> None:
    with pytest.raises(InputError, match="DataFrame"):
        validate_records({"record_id": [1]})  # type: ignore[arg-type]


def test_a_do_not_call_column_is_not_taken_for_phone_consent() -> None:
    # "Bel mij niet: ja" is an opt-out; mapping it to consent_phone would invert it
    roles = infer_columns(pd.DataFrame(columns=["naam", "Bel mij niet", "Toestemming telefoon"]))
    assert roles.get("consent_phone") == "Toestemming telefoon"
    assert "Bel mij niet" not in roles.values()
