"""normalize_record (one record, no pandas) against normalize_frame on a one-row frame:
the same columns in the same order, the same values, the same stored JSON row."""

from __future__ import annotations

import datetime as dt
import random
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custmatch.datasets.generator import generate_customers
from custmatch.errors import CustmatchWarning, InputError, SchemaError
from custmatch.index.prepare import RECORD_KINDS
from custmatch.index.store import column_schema, encode_record, encode_rows
from custmatch.normalize import normalize_frame
from custmatch.normalize.frame import parse_timestamps
from custmatch.normalize.record import _timestamp, normalize_record, record_roles
from custmatch.schema import _SYNONYMS, infer_columns

TODAY = dt.date(2025, 6, 1)


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: object) -> object:
    if _missing(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def assert_same(record: dict, **options: object) -> None:
    """normalize_record == normalize_frame on the one-row frame, value for value (missing
    values as None, types as ``to_numpy(dtype=object)`` gives them), and the same JSON row
    for the frame's own schema and a schema of all normalised kinds."""
    options = {"today": TODAY, **options}
    frame = normalize_frame(pd.DataFrame([record]), **options)
    row = normalize_record(record, **options)
    assert list(row) == [str(c) for c in frame.columns]
    for column in frame.columns:
        expected = _plain(frame[column].to_numpy(dtype=object)[0])
        got = row[str(column)]
        assert type(got) is type(expected) and (got == expected or got is expected), \
            (column, expected, got, record)
    for schema in (column_schema(frame), {}):
        assert encode_record(row, schema, RECORD_KINDS)[1] == encode_rows(frame, schema)[0]


@pytest.mark.parametrize("seed, difficulty", [(0, "medium"), (1, "hard"), (2, "easy")])
def test_generator_records_agree(seed: int, difficulty: str) -> None:
    records, _ = generate_customers(150, seed=seed, difficulty=difficulty)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(len(records)):
            row = records.iloc[i]
            # the fields a source filled, or every field with NaN for the empty ones
            assert_same(row.dropna().to_dict() if i % 2 else row.to_dict())


TRICKY = [
    {"record_id": "t1", "naam": "Dhr. J.H. van der Berg", "postcode": "1234ab",
     "huisnr": "12-a", "telefoon": "06-12345678", "email": "Jan@GMAIL.con"},
    {"record_id": "t2", "full_name": "Berg, J. van der", "address":
     "Kerkstraat 12 A 1234AB AMSTERDAM", "phone": "+31 (0)6 1234 5678"},
    {"record_id": "t3", "first_name": "Jan", "initials": "J.H.", "prefix": "V.D.",
     "surname": "BERG", "birth_date": "3 apr. '75", "gender": "Mevr."},
    {"record_id": "t4", "voornaam": "Els", "naam": "Jansen-de Vries",
     "straat": "burg. de withstr. 7", "plaats": "den haag", "geboortedatum": "31-04-1975"},
    {"record_id": "t5", "organisation": "Bakkerij Jansen B.V.", "address":
     "Postbus 626, 1000 AP Amsterdam", "email": "info@bakkerijjansen.nl",
     "kvk_number": "12345678"},
    {"record_id": "t6", "first_name": "Hans", "surname": "Vries, de", "nickname": "Hansje",
     "street": "Kerkstraat 12a", "city": "'s-Gravenhage", "country": "Nederland",
     "birth_date": "1975", "consent_email": "ja", "consent_phone": "nee"},
    {"record_id": "t7", "title": "mr. drs.", "full_name": "A. de Wit", "house_number": "12",
     "house_number_addition": "bis", "postcode": "1234 SS", "mobile": "0612345678",
     "phone": "020-1234567", "updated_at": "2024-01-15T10:00:00+01:00",
     "created_at": "15-01-2024 10:00"},
    {"record_id": "t8", "full_name": "  ", "surname": "", "email": "not-an-email",
     "phone": "n.v.t.", "birth_date": "00-00-0000", "updated_at": "gisteren",
     "customer_number": "  K 12 ", "source": "  "},
    {"record_id": "t9", "full_name": "Fam. Jansen", "house_number": "12-14",
     "postcode": "NL-1234 AB", "email": "fam.jansen@ziggo.nl", "gender": "x",
     "updated_at": "20240122", "surname_key": "clash", "colour": "blauw"},
    {"record_id": "t10", "first_name": "Maria", "surname": "Haverboom", "mobile":
     "06-48094198", "phone": "06-48094198", "birth_date": "27000",
     "updated_at": "2015-09-11 09:53:56", "consent_phone": "opt-out"},
    {"record_id": "t11", "partnernaam": "de Vries", "achternaam": "Jansen",
     "voorletters": "A.", "adres": "Kon. Julianaln 3", "huisnummer": "3",
     "geslacht": "V", "bron": "crm"},
    {"record_id": "t12", "first_name": "Zwaantje", "surname": "Wijngaarden-Tjoa",
     "address": "Plein 1944 5, 6511 AB Nijmegen", "birth_date": "23-11-1949",
     "updated_at": "2024-02-30 10:00", "created_at": "2024-01-15T10:00:00.123456789Z"},
    {"record_id": "t13", "full_name": float("nan"), "surname": "Bakker", "email": None,
     "postcode": "5678CD"},
]


@pytest.mark.parametrize("record", TRICKY, ids=[r["record_id"] for r in TRICKY])
def test_tricky_dutch_cases_agree(record: dict) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(record)
        assert_same(record, keep_raw=False, region="BE", default_source="web")


def test_explicit_columns_other_values_and_ids() -> None:
    record = {"klant": "K1", "n": "J. Jansen", "pc": "1234 AB", "nr": 12, "dob": 19750403}
    columns = {"record_id": "klant", "full_name": "n", "birth_date": "dob"}
    assert_same(record, columns=columns)  # numbers: through normalize_frame itself
    assert_same({"surname": "Jansen", "postcode": "1234 AB"})  # no id: "0", as a frame
    assert normalize_record({"record_id": 7.0, "surname": "Jansen"})["record_id"] == "7"
    with pytest.raises(SchemaError, match="null"):
        normalize_record({"record_id": None, "surname": "Jansen"})
    with pytest.raises(SchemaError, match="no such column"):
        normalize_record({"record_id": "a"}, {"surname": "achternaam"})
    with pytest.raises(InputError):
        normalize_record(["record_id", "a"])  # type: ignore[arg-type]
    with pytest.warns(CustmatchWarning, match="empty value"):
        assert normalize_record({"record_id": "a", "source": " "})["source"] == "default"


def test_roles_equal_infer_columns_on_random_headers() -> None:
    generated = list(generate_customers(20, seed=1)[0].columns)
    synonyms = [s for values in _SYNONYMS.values() for s in values]
    pool = [*generated, *synonyms, *(s.upper() for s in synonyms[:30]),
            *(f"klant {s}" for s in synonyms[:40]),
            "naam", "Naam", "adres", "Huisnr.", "Telefoon mobiel", "E-mail adres",
            "klant_voornaam", "postcode woonplaats", "geb. datum", "telefoon_mobiel", "x"]
    rng = random.Random(0)
    for _ in range(3000):
        headers = list(dict.fromkeys(rng.sample(pool, rng.randint(0, 14))))
        expected = infer_columns(pd.DataFrame(columns=headers))
        got = record_roles(headers)
        assert list(got.items()) == list(expected.items()), headers
    explicit = {"surname": "naam", "first_name": None}
    assert record_roles(["naam", "voornaam"], explicit) == \
        infer_columns(pd.DataFrame(columns=["naam", "voornaam"]), explicit)


def _shapes(draw: st.DrawFn) -> str:
    def n(lo: int, hi: int, width: int) -> str:
        return str(draw(st.integers(lo, hi))).zfill(width)

    y, m, d = n(1600, 2300, 4), n(0, 13, 2), n(0, 32, 2)
    hh, mm, ss = n(0, 25, 2), n(0, 61, 2), n(0, 61, 2)
    frac = draw(st.from_regex(r"[0-9]{1,9}", fullmatch=True))
    zone = draw(st.sampled_from(["", "Z", "+01:00", "-05:30", "+0100", " +01:00"]))
    sep = draw(st.sampled_from(["T", " "]))
    return draw(st.sampled_from([
        f"{y}-{m}-{d}", f"{y}-{m}-{d}{sep}{hh}:{mm}", f"{y}-{m}-{d}{sep}{hh}:{mm}:{ss}",
        f"{y}-{m}-{d}{sep}{hh}:{mm}:{ss}.{frac}", f"{y}-{m}-{d}{sep}{hh}:{mm}:{ss}{zone}",
        f"{y}-{m}-{d}{zone}", f"{d}-{m}-{y}", f"{d}-{m}-{y} {hh}:{mm}",
        f"{d}/{m}/{y} {hh}:{mm}:{ss}", f"{d}.{m}.{y} {hh}:{mm}", f"{d}.{m}.{y} {hh}:{mm}:{ss}",
        f"{y}{m}{d}", f"{y}{m}{d}{hh}{mm}{ss}", f" {y}-{m}-{d} ", f"{d}-{m}-{y[2:]}",
        f"{int(d)}-{int(m)}-{y}"]))


@settings(max_examples=300, deadline=None)
@given(st.composite(_shapes)())
def test_timestamps_equal_parse_timestamps(text: str) -> None:
    expected = parse_timestamps(pd.Series([text], dtype=object)).iloc[0]
    got = _timestamp(text)
    if pd.isna(expected):
        assert got is None
    else:
        assert got == expected
