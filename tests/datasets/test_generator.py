"""Tests for the synthetic Dutch customer generator."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custmatch.datasets import generate_customers
from custmatch.datasets.generator import (
    CORRUPTIONS,
    DIFFICULTY,
    MEAN_RECORDS_PER_ENTITY,
    RECORD_COLUMNS,
    RECORDS_PER_ENTITY,
    SOURCES,
    TRUTH_COLUMNS,
    n_entities_for_records,
)
from custmatch.errors import ConfigError, InputError

POSTCODE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
RECORD_LEVEL = ("typo", "transposition", "missing", "abbreviation", "case_noise", "whitespace")


@pytest.fixture(scope="module")
def medium() -> pd.DataFrame:
    records, truth = generate_customers(3000, seed=11)
    return records.merge(truth, on="record_id", validate="one_to_one")


def kinds(frame: pd.DataFrame) -> pd.Series:
    """One row per (record, corruption kind)."""
    return frame.corruptions.str.split(";").explode().loc[lambda s: s != ""]


def test_same_seed_same_frames_and_other_seed_differs() -> None:
    a = generate_customers(300, seed=5)
    b = generate_customers(300, seed=5)
    c = generate_customers(300, seed=6)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])
    assert not a[0].equals(c[0])


def test_columns_dtypes_and_values(medium: pd.DataFrame) -> None:
    records, truth = generate_customers(200, seed=2)
    assert tuple(records.columns) == RECORD_COLUMNS
    assert tuple(truth.columns) == TRUTH_COLUMNS
    assert all(pd.api.types.is_object_dtype(d) for d in records.dtypes)
    assert all(pd.api.types.is_object_dtype(d) for d in truth.dtypes)
    for col in RECORD_COLUMNS:
        values = medium[col]
        ok = values.map(lambda v: (isinstance(v, str) and v != "") or v is np.nan)
        assert ok.all(), (col, values[~ok].head().tolist())
    assert medium.record_id.is_unique
    assert medium.record_id.str.fullmatch(r"r\d{7}").all()
    assert set(medium.source) == set(SOURCES)


def test_truth_covers_every_record_once() -> None:
    records, truth = generate_customers(500, seed=3)
    assert (records.record_id == truth.record_id).all()
    assert truth.record_id.is_unique and len(truth) == len(records)
    assert truth.entity_id.nunique() == 500
    assert set(truth.entity_kind) == {"person", "organisation"}
    assert truth.corruptions.map(lambda v: isinstance(v, str)).all()


def test_entity_sizes_and_shuffle(medium: pd.DataFrame) -> None:
    sizes = medium.groupby("entity_id").size()
    assert sizes.between(1, 6).all()
    counts = sizes.value_counts()
    assert counts.idxmax() == 1
    assert set(counts.index) == set(RECORDS_PER_ENTITY)
    assert abs(len(medium) / 3000 - MEAN_RECORDS_PER_ENTITY) < 0.1
    same_as_next = (medium.entity_id.to_numpy()[1:] == medium.entity_id.to_numpy()[:-1]).mean()
    assert same_as_next < 0.01


def test_n_entities_for_records() -> None:
    assert n_entities_for_records(0) == 0
    n = n_entities_for_records(20_000)
    assert abs(n * MEAN_RECORDS_PER_ENTITY - 20_000) < 5
    with pytest.raises(InputError):
        n_entities_for_records(-5)


def test_source_layouts(medium: pd.DataFrame) -> None:
    clean = medium[medium.corruptions == ""]
    by = {s: clean[clean.source == s] for s in SOURCES}
    assert by["crm"].full_name.isna().all() and by["crm"].surname.notna().mean() > 0.9
    assert by["crm"].birth_date.dropna().str.fullmatch(r"\d{2}-\d{2}-\d{4}").all()
    assert by["webshop"].email.notna().all()
    assert by["webshop"].full_name.notna().mean() > 0.9
    assert by["contracts"].birth_date.dropna().str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert (
        by["contracts"]
        .title.dropna()
        .isin(["Dhr.", "Mevr.", "mr.", "drs.", "ir.", "dr.", "ing."])
        .all()
    )
    assert by["finance"].address.notna().all() and by["finance"].street.isna().all()
    assert by["finance"].address.str.contains(r"[1-9]\d{3} ?[A-Z]{2}").all()
    service_names = by["service"].full_name.dropna()
    assert service_names.str.contains(",").any() and service_names.str.contains(r"\(").any()
    assert service_names.str.match(r"(Dhr|Mevr|Mw)\.").any()
    assert medium.customer_number.notna().all()
    for source, pattern in [("crm", r"CRM-\d+"), ("webshop", r"WS\d+"), ("finance", r"DEB\d+")]:
        assert medium[medium.source == source].customer_number.str.fullmatch(pattern).all()
    refs = medium.crm_reference.dropna()
    assert len(refs) and medium.loc[refs.index, "source"].isin(["contracts", "finance"]).all()
    crm_numbers = set(medium.loc[medium.source == "crm", "customer_number"])
    assert refs.map(lambda r: r if r.startswith("CRM-") else f"CRM-{r}").isin(crm_numbers).all()
    assert set(medium.consent_email.dropna()) <= {
        "ja",
        "nee",
        "opt-in",
        "opt-out",
        "Y",
        "N",
        "yes",
        "no",
    }
    assert set(medium.gender.dropna()) <= {"M", "V", "man", "vrouw", "male", "female"}


def test_dutch_notations_present(medium: pd.DataFrame) -> None:
    text = lambda col: medium[col].dropna()  # noqa: E731
    assert text("city").isin(["Den Haag", "Den Bosch", "s-Gravenhage", "'s Gravenhage"]).any()
    assert (
        text("full_name").str.contains(r"\bv\.d\.|\bvd\b|\bv/d\b").any()
        or text("prefix").isin(["v.d.", "vd", "v/d"]).any()
    )
    surnames = pd.concat([text("surname"), text("full_name")])
    assert surnames.str.contains(r"\w-(?:van |de |den |ter |in 't )?[A-Z]").any()
    assert surnames.str.contains(r" e/v | geb\. ").any()
    assert text("postcode").str.fullmatch(r"\d{4}[a-z]{2}").any()
    assert text("postcode").str.fullmatch(r"\d{4}-[A-Z]{2}").any()
    assert text("birth_date").str.fullmatch(r"\d{1,2} [a-z]+ \d{4}").any()
    assert text("birth_date").isin(["01-01-1900", "1900-01-01", "19000101"]).any()
    assert (
        text("email")
        .str.contains(r"@(?:gmail\.con|hotmial\.com|gmial\.com|ziggo\.nll|zigo\.nl)")
        .any()
        or (kinds(medium) == "email_typo").any()
    )
    assert (
        text("house_number_addition")
        .isin(["A", "a", "HS", "hs", "II", "III", "2 hoog", "3 hoog"])
        .any()
    )
    orgs = medium[medium.entity_kind == "organisation"]
    assert 0.02 < orgs.entity_id.nunique() / medium.entity_id.nunique() < 0.07
    assert (
        orgs.organisation.dropna().str.contains(r"B\.?V\.?|V\.O\.F\.|Stichting", case=False).any()
    )
    assert orgs.kvk_number.dropna().str.fullmatch(r"\d{7,8}").all()
    assert orgs.full_name.dropna().str.startswith("t.a.v.").any()
    assert orgs.email.dropna().str.match(r"(info|contact|administratie)@").any()
    # contracts use official BRP names where other sources use the roepnaam
    jan = medium[medium.first_name.isin(["Jan", "Henk", "Kees", "Piet"])].entity_id
    official = medium[medium.entity_id.isin(jan) & (medium.source == "contracts")].first_name
    assert official.dropna().str.match(r"(Johannes|Hendrik|Cornelis|Petrus)").any()


def test_every_hard_negative_kind_present(medium: pd.DataFrame) -> None:
    ents = medium.drop_duplicates("entity_id")
    assert set(ents.relation.dropna()) == {"household", "twin", "father_son", "common_name"}
    per_household = ents.dropna(subset=["household_id"]).groupby("household_id").entity_id.nunique()
    assert per_household.between(2, 4).all()
    twins = ents[ents.relation == "twin"]
    assert (twins.groupby("household_id").size() == 2).all()
    # twins share birth date and address: compare their uncorrupted CRM/contracts records
    clean = medium[(medium.corruptions == "") & medium.source.isin(["crm", "contracts"])]
    tw = clean[clean.relation == "twin"].copy()
    from custmatch.normalize.dates import parse_date

    tw["iso"] = tw.birth_date.map(parse_date)  # Dutch notations, day first
    per = tw.groupby("household_id").agg(
        n=("entity_id", "nunique"),
        dates=("iso", "nunique"),
        pcs=("postcode", lambda s: s.str.replace(" ", "").nunique()),
    )
    both = per[per.n == 2]
    assert len(both) and (both.dates <= 1).all() and (both.pcs <= 1).all()
    # father and son: same first name and surname on clean records, different birth years
    fs = clean[clean.relation == "father_son"].dropna(subset=["surname"])
    assert len(fs)
    common = clean[clean.relation == "common_name"].dropna(subset=["surname"])
    key = common.surname + "|" + common.city.str.upper()
    assert (common.groupby(key).entity_id.nunique() >= 2).any()


def test_corruption_rates_near_configuration(medium: pd.DataFrame) -> None:
    rates = DIFFICULTY["medium"]
    counts = kinds(medium).value_counts()
    assert set(counts.index) == set(CORRUPTIONS)
    n = len(medium)
    for kind in RECORD_LEVEL:
        observed = counts[kind] / n
        assert 0.6 * rates[kind] <= observed <= 1.2 * rates[kind] + 0.005, (kind, observed)
    multi = medium.groupby("entity_id").size().loc[lambda s: s >= 2].index
    moved = medium[medium.corruptions.str.contains("move")].entity_id.nunique()
    assert 0.6 * rates["move"] <= moved / len(multi) <= 1.4 * rates["move"]
    changed = medium[medium.corruptions.str.contains("email_change")].entity_id.nunique()
    assert 0 < changed / len(multi) <= 1.2 * rates["email_change"]
    shown = medium.birth_date.notna().sum()
    for kind in ("date_swap", "date_typo", "placeholder_date"):
        assert 0 < counts[kind] / shown <= 1.5 * rates[kind], kind


def test_difficulty_orders_corruption_totals() -> None:
    totals = []
    for level in ("easy", "medium", "hard"):
        _, truth = generate_customers(1500, seed=4, difficulty=level)
        totals.append(kinds(truth).size / len(truth))
    assert totals[0] < totals[1] < totals[2]


def test_postcodes_are_valid_where_present(medium: pd.DataFrame) -> None:
    pcs = medium.postcode.dropna().str.replace(r"[\s-]", "", regex=True).str.upper()
    assert pcs.str.fullmatch(POSTCODE.pattern).all()
    assert not pcs.str[-2:].isin(["SA", "SD", "SS"]).any()


def test_phones_are_valid_numbers(medium: pd.DataFrame) -> None:
    clean = medium[~medium.corruptions.str.contains("transposition")]
    values = pd.concat([clean.phone.dropna(), clean.mobile.dropna()])
    sample = values.sample(800, random_state=0)
    bad = [v for v in sample if not phonenumbers.is_valid_number(phonenumbers.parse(v, "NL"))]
    assert bad == []
    mobiles = clean.mobile.dropna().str.replace(r"\D", "", regex=True)
    assert mobiles.str.contains(r"^(?:0031|31|0)6[1-58]").mean() > 0.8
    assert values.str.startswith("+31").any() and values.str.startswith("0031").any()
    assert values.str.match(r"\(0\d+\) ").any() and values.str.match(r"0\d{3}-\d{6}$").any()


@pytest.mark.parametrize("bad", [-1, True, 1.5, "10", None, np.float64(3.0)])
def test_bad_counts_raise_input_error(bad: object) -> None:
    with pytest.raises(InputError, match=re.escape(repr(bad)[:10])):
        generate_customers(bad)  # type: ignore[arg-type]


def test_unknown_difficulty_raises_config_error() -> None:
    with pytest.raises(ConfigError, match="extreme"):
        generate_customers(10, difficulty="extreme")  # type: ignore[arg-type]


def test_zero_entities_gives_empty_frames_with_columns() -> None:
    records, truth = generate_customers(0)
    assert records.empty and truth.empty
    assert tuple(records.columns) == RECORD_COLUMNS and tuple(truth.columns) == TRUTH_COLUMNS
    assert generate_customers(np.int64(3), seed=1)[1].entity_id.nunique() == 3


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(0, 40),
    seed=st.integers(0, 2**32 - 1),
    difficulty=st.sampled_from(["easy", "medium", "hard"]),
)
def test_structure_holds_for_any_small_input(n: int, seed: int, difficulty: str) -> None:
    records, truth = generate_customers(n, seed=seed, difficulty=difficulty)  # type: ignore[arg-type]
    assert (records.record_id.to_numpy() == truth.record_id.to_numpy()).all()
    assert truth.entity_id.nunique() == n
    if n:
        assert truth.groupby("entity_id").size().between(1, 6).all()
        assert records.record_id.is_unique
        assert set(kinds(truth)) <= set(CORRUPTIONS)
