from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import example as hypothesis_example
from hypothesis import given, settings
from hypothesis import strategies as st

from custmatch.datasets import load_example
from custmatch.errors import InputError, SchemaError
from custmatch.normalize import NORMALIZED_COLUMNS, normalize_frame, quality_report
from custmatch.schema import CANONICAL_COLUMNS

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def example() -> tuple[pd.DataFrame, pd.DataFrame]:
    records, _ = load_example()
    return records, normalize_frame(records, today=TODAY)


def test_same_rows_same_order_ids_kept(example) -> None:
    records, normalized = example
    assert len(normalized) == len(records)
    assert normalized["record_id"].tolist() == records["record_id"].tolist()
    assert normalized["source"].tolist() == records["source"].tolist()


def test_canonical_columns_present_and_in_order(example) -> None:
    _, normalized = example
    assert tuple(normalized.columns[: len(NORMALIZED_COLUMNS)]) == NORMALIZED_COLUMNS
    assert set(CANONICAL_COLUMNS) <= set(normalized.columns)


def test_original_values_are_never_lost(example) -> None:
    records, normalized = example
    for role in ("full_name", "surname", "postcode", "email", "birth_date", "address"):
        assert normalized[f"raw_{role}"].fillna("<na>").tolist() == \
            records[role].fillna("<na>").tolist()
    for column in ("customer_number", "crm_reference", "kvk_number"):
        assert normalized[column].fillna("<na>").tolist() == \
            records[column].fillna("<na>").tolist()


def test_normalised_values_are_canonical(example) -> None:
    _, normalized = example
    postcodes = normalized["postcode"].dropna()
    assert postcodes.str.fullmatch(r"[1-9][0-9]{3} [A-Z]{2}").all()
    phones = normalized["phone"].dropna()
    assert phones.str.fullmatch(r"\+[1-9][0-9]{6,14}").all()
    assert normalized["email_key"].dropna().str.fullmatch(r"[^A-Z\s]+@[^A-Z\s]+").all()
    assert normalized["house_number"].dtype == "Int64"
    assert set(normalized["gender"].dropna()) <= {"M", "F", "X"}
    assert normalized["country"].dropna().str.fullmatch(r"[A-Z]{2}").all()


def test_filled_shares_on_the_example_are_high(example) -> None:
    _, normalized = example
    person = normalized["organisation"].isna()
    assert normalized.loc[person, "surname"].notna().mean() > 0.97
    assert normalized["postcode"].notna().mean() > 0.85
    assert normalized["email"].notna().mean() > 0.5
    assert normalized["phone"].notna().mean() > 0.5


def test_dutch_row_end_to_end() -> None:
    raw = pd.DataFrame({
        "Klantnummer": ["K1", "K2"],
        "Naam": ["Dhr. J.H. van der Berg", "Mevr. A. Jansen - de Vries"],
        "Adres": ["Kerkstraat 12a, 1234 AB Amsterdam", "Burg. de Withstr. 5 hs, 2511BT Den Haag"],
        "Telefoon": ["020-1234567", "+31 (0)6 1234 5678"],
        "Mobiel": ["06-12345678", None],
        "E-mail": ["Jan.Jansen@GMAIL.con", "info@bakkerij.nl"],
        "Geboortedatum": ["7 maart 1980", "03-04-1975"],
    })
    out = normalize_frame(raw, today=TODAY)
    first, second = out.iloc[0], out.iloc[1]
    assert first["record_id"] == "0"
    assert (first["initials"], first["prefix"], first["surname"], first["gender"]) == (
        "JH", "van der", "Berg", "M")
    assert (first["street"], first["house_number"], first["house_number_addition"],
            first["postcode"], first["city"], first["country"]) == (
        "Kerkstraat", 12, "A", "1234 AB", "Amsterdam", "NL")
    assert (first["phone"], first["phone_kind"], first["phone_2"], first["phone_2_kind"]) == (
        "+31612345678", "mobile", "+31201234567", "fixed")
    assert first["email_key"] == "janjansen@gmail.com"
    assert pd.Timestamp(first["birth_date"]).date() == dt.date(1980, 3, 7)
    assert first["customer_number"] == "K1"
    assert (second["surname"], second["partner_prefix"], second["partner_surname"],
            second["gender"]) == ("Jansen", "de", "Vries", "F")
    assert second["city"] == "'s-Gravenhage"
    assert second["street"] == "Burgemeester de Withstraat"
    assert second["house_number_addition"] == "HS"
    assert bool(second["email_role"]) is True
    assert pd.Timestamp(second["birth_date"]).date() == dt.date(1975, 4, 3)
    assert second["surname_key"] == "jansen"
    assert second["partner_surname_key"] == "vries"


def test_timestamps_and_consent_are_parsed_with_raw_values_kept() -> None:
    raw = pd.DataFrame({"updated_at": ["2017-06-14T20:00:23Z", "15-01-2024 20:06", "20121130",
                                       "gisteren"],
                        "consent_email": ["ja", "opt-out", None, "misschien"]})
    out = normalize_frame(raw)
    stamps = out["updated_at"]
    assert stamps.iloc[0] == pd.Timestamp("2017-06-14 20:00:23", tz="UTC")
    assert stamps.iloc[1] == pd.Timestamp("2024-01-15 20:06", tz="UTC")
    assert stamps.iloc[2] == pd.Timestamp("2012-11-30", tz="UTC")
    assert pd.isna(stamps.iloc[3])
    assert out["consent_email"].tolist()[:2] == [True, False]
    assert out["consent_email"].isna().tolist()[2:] == [True, True]
    assert out["raw_consent_email"].tolist()[3] == "misschien"


def test_explicit_column_mapping_wins() -> None:
    raw = pd.DataFrame({"pc": ["1234ab"], "postcode": ["9999 ZZ"]})
    out = normalize_frame(raw, columns={"postcode": "pc"})
    assert out.loc[0, "postcode"] == "1234 AB"
    assert out.loc[0, "input_postcode"] == "9999 ZZ"


def test_unrecognised_columns_pass_through_and_raw_kept() -> None:
    raw = pd.DataFrame({"postcode": ["1234ab"], "loyalty_tier": ["gold"]})
    out = normalize_frame(raw)
    assert out.loc[0, "loyalty_tier"] == "gold"
    assert out.loc[0, "raw_postcode"] == "1234ab"
    assert "raw_postcode" not in normalize_frame(raw, keep_raw=False).columns


def test_garbage_values_give_nulls_and_invalid_status_not_errors() -> None:
    raw = pd.DataFrame({"postcode": ["!!!", "1234"], "telefoon": ["bel maar", "06-1234567"],
                        "email": ["geen", "a@@b"], "geboortedatum": ["31-04-1975", "ooit"],
                        "achternaam": ["???", "\x00"]})
    out = normalize_frame(raw)
    assert out["postcode"].isna().all()
    assert out["phone"].isna().all()
    assert out["email"].isna().all()
    assert out["birth_date"].isna().all()
    assert (out["postcode_status"].astype(str) == "invalid").all()


def test_empty_frame_keeps_all_columns() -> None:
    out = normalize_frame(pd.DataFrame(columns=["voornaam", "achternaam", "postcode"]))
    assert len(out) == 0
    assert set(NORMALIZED_COLUMNS) <= set(out.columns)


def test_bad_input_raises_clear_errors() -> None:
    with pytest.raises(InputError):
        normalize_frame("records.csv")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="duplicated id"):
        normalize_frame(pd.DataFrame({"record_id": ["a", "a"], "postcode": ["1234ab", None]}))
    with pytest.raises(SchemaError, match="no such column"):
        normalize_frame(pd.DataFrame({"a": [1]}), columns={"postcode": "zip"})


def test_index_of_input_does_not_matter() -> None:
    raw = pd.DataFrame({"postcode": ["1234ab", "5678cd"]}, index=[10, 3])
    out = normalize_frame(raw)
    assert out["postcode"].tolist() == ["1234 AB", "5678 CD"]
    assert out.index.tolist() == [0, 1]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=15), st.text(max_size=15), st.text(max_size=15)),
                min_size=0, max_size=8))
def test_never_raises_on_arbitrary_text_and_keeps_rows(rows: list[tuple[str, str, str]]) -> None:
    raw = pd.DataFrame(rows, columns=["naam", "adres", "telefoon"], dtype=object)
    out = normalize_frame(raw)
    assert len(out) == len(raw)
    assert out["record_id"].tolist() == [str(i) for i in range(len(raw))]


def test_quality_report_counts(example) -> None:
    _, normalized = example
    report = quality_report(normalized).set_index("field")
    assert {"name", "postcode", "phone", "email", "birth_date"} <= set(report.index)
    row = report.loc["postcode"]
    assert row["filled"] == row["valid"] + row["repaired"] + row["invalid"] + row["unusable"]
    assert 0 < row["filled_share"] <= 1
    assert (report["rows"] == len(normalized)).all()


def test_quality_report_shows_invalid_examples() -> None:
    report = quality_report(normalize_frame(pd.DataFrame({"postcode": ["1234", "0000 XX",
                                                                       "1234ab"]})))
    row = report.set_index("field").loc["postcode"]
    assert row["invalid"] == 2
    assert set(row["invalid_examples"]) == {"1234", "0000 XX"}
    assert np.isclose(row["filled_share"], 1.0)


def _row_by_row(raw: pd.DataFrame) -> pd.DataFrame:
    """normalize_frame of each row on its own, stacked (no sharing between rows)."""
    parts = [normalize_frame(raw.iloc[[i]], today=TODAY) for i in range(len(raw))]
    return pd.concat(parts, ignore_index=True)


def test_distinct_values_and_combinations_give_the_row_by_row_result(example) -> None:
    # the frame works over distinct values, and over distinct combinations of the split name
    # columns and of number + addition; that must not change any row
    records, _ = example
    sample = records.iloc[::40].reset_index(drop=True)
    whole = normalize_frame(sample, today=TODAY)
    single = _row_by_row(sample)
    for column in whole.columns:
        left = whole[column].astype(object).where(whole[column].notna(), None).tolist()
        right = single[column].astype(object).where(single[column].notna(), None).tolist()
        assert left == right, column


def test_names_in_a_child_process_give_the_same_frame(example, monkeypatch) -> None:
    from custmatch.normalize import frame

    records, normalized = example
    monkeypatch.setenv("CUSTMATCH_WORKERS", "2")
    monkeypatch.setattr(frame, "BACKGROUND_MIN_ROWS", 0)
    pd.testing.assert_frame_equal(normalize_frame(records, today=TODAY), normalized)


def test_names_are_computed_here_when_the_child_fails(example, monkeypatch) -> None:
    from custmatch.normalize import frame

    records, normalized = example
    monkeypatch.setenv("CUSTMATCH_WORKERS", "2")
    monkeypatch.setattr(frame, "BACKGROUND_MIN_ROWS", 0)
    monkeypatch.setattr(frame, "_pack", lambda columns: 1 / 0)  # fails in the child only
    pd.testing.assert_frame_equal(normalize_frame(records, today=TODAY), normalized)


def test_one_row_that_needs_the_whole_name_parser() -> None:
    """A frame whose only split-name row is rejected by the fast column path (initials that
    do not fit the first name) is parsed row by row, the same as within a larger frame."""
    row = {"record_id": "1", "first_name": "Thijs", "initials": "MW", "surname": "Jansen"}
    alone = normalize_frame(pd.DataFrame([row]))
    among = normalize_frame(pd.DataFrame([row, {"record_id": "2", "first_name": "Anna",
                                                "initials": "A", "surname": "Smit"}]))
    columns = ["first_name", "initials", "prefix", "surname"]
    assert alone[columns].iloc[0].tolist() == among[columns].iloc[0].tolist()
    assert alone.loc[0, "surname"] == "Jansen"


_OBJECT_CELLS = st.one_of(st.none(), st.just(float("nan")), st.just(pd.NA), st.text(max_size=3),
                          st.integers(-2, 2), st.binary(max_size=2))


@settings(max_examples=80, deadline=None)
@given(st.lists(_OBJECT_CELLS, max_size=12))
def test_output_columns_get_the_dtype_and_values_pandas_infers(cells: list) -> None:
    """A normalised column converted by pyarrow is what pandas itself makes of the object
    array in a frame (pandas 3: ``str`` when all values are texts or missing)."""
    from custmatch.normalize.frame import _inferred_array

    values = np.empty(len(cells), dtype=object)
    values[:] = cells
    expected = pd.DataFrame(index=range(len(cells)))
    expected["c"] = pd.Series(values, dtype=object).array
    got = pd.DataFrame(index=range(len(cells)))
    got["c"] = _inferred_array(values)
    pd.testing.assert_series_equal(got["c"], expected["c"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=3)), max_size=10),
       st.sampled_from(["object", "str", "string"]))
@hypothesis_example([], "str")
@hypothesis_example([None, None], "str")
@hypothesis_example(["a", None], "str")
def test_raw_columns_keep_what_their_values_would_be_inferred_as(cells: list, dtype: str) -> None:
    """An input column copied into the result (``raw_*``, pass-through) has the dtype and
    values its values would get as a fresh column, whatever dtype the input had."""
    from custmatch.normalize.frame import _raw_column

    series = pd.Series(cells, dtype=object).astype(dtype)
    expected = pd.DataFrame(index=range(len(cells)))
    expected["c"] = series.to_numpy()
    got = pd.DataFrame(index=range(len(cells)))
    got["c"] = _raw_column(series)
    pd.testing.assert_series_equal(got["c"], expected["c"])
