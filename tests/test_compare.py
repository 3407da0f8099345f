from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import JaroWinkler as RfJaroWinkler
from rapidfuzz.distance import Levenshtein as RfLevenshtein

from custmatch.compare import (
    Comparison,
    DamerauLevenshtein,
    Exact,
    JaroWinkler,
    Levenshtein,
    check_comparison,
    compare,
)
from custmatch.compare.contact import Address, Email, Phone
from custmatch.compare.person import BirthDate, FirstName, Surname
from custmatch.errors import ConfigError, InputError, SchemaError


def arr(*values: object) -> np.ndarray:
    return np.array(values, dtype=object)


def levels_of(comparison: Comparison, left: dict, right: dict) -> list[str]:
    out = check_comparison(comparison, left, right)
    labels = comparison.level_labels()
    return [labels[int(k)] for k in out]


# ------------------------------------------------------------------ general comparisons
def test_exact_levels_with_nulls_on_either_side() -> None:
    got = levels_of(Exact("pc"), {"pc": arr("1234 AB", None, "1234 AB", "")},
                    {"pc": arr("1234 AB", "1234 AB", "5678 CD", "x")})
    assert got == ["exact", "null", "else", "null"]


def test_jaro_winkler_levels() -> None:
    jw = JaroWinkler("s", thresholds=(0.95, 0.85))
    got = levels_of(jw, {"s": arr("jansen", "jansen", "jansen", "jansen", None)},
                    {"s": arr("jansen", "janssen", "jensen", "visser", "x")})
    # jw(jansen, janssen) = 0.97; jw(jansen, jensen) = 0.9
    assert got == ["exact", "jaro_winkler >= 0.95", "jaro_winkler >= 0.85", "else", "null"]


def test_levenshtein_and_damerau_levels() -> None:
    lev = Levenshtein("s", thresholds=(1, 2))
    assert levels_of(lev, {"s": arr("kerkstraat", "kerkstraat", "kerkstraat")},
                     {"s": arr("kerkstraat", "kerkstrat", "kerkstr")}) == [
        "exact", "levenshtein <= 1", "else"]
    dam = DamerauLevenshtein("s", thresholds=(1,))
    assert levels_of(dam, {"s": arr("jansen")}, {"s": arr("jasnen")}) == [
        "damerau_levenshtein <= 1"]
    assert levels_of(lev, {"s": arr("jansen")}, {"s": arr("jasnen")}) == ["levenshtein <= 2"]


@pytest.mark.parametrize(
    "build",
    [
        lambda: JaroWinkler("s", thresholds=(0.8, 0.9)),
        lambda: JaroWinkler("s", thresholds=(1.2,)),
        lambda: JaroWinkler("s", thresholds=()),
        lambda: Levenshtein("s", thresholds=(2, 1)),
        lambda: Levenshtein("s", thresholds=(0.5,)),
        lambda: Exact(""),
        lambda: BirthDate(year_distances=(5, 1)),
        lambda: FirstName(threshold=0),
    ],
)
def test_bad_declarations_raise_config_error(build) -> None:
    with pytest.raises(ConfigError):
        build()


# ------------------------------------------------------------------ Dutch comparisons
def test_first_name_levels() -> None:
    fn = FirstName()
    left = {"first_name": arr("Jan", "Jan", None, None, "Piet", "Anna", None, "Henk", "Jan"),
            "initials": arr("J", None, "J", "JH", None, None, None, None, None)}
    right = {"first_name": arr("Jan", "Johannes", "Jan", "J", "Kees", "Anne", "Jan", None,
                               "Jaan"),
             "initials": arr(None, "JH", None, None, "K", None, None, "JH", None)}
    assert levels_of(fn, left, right) == [
        "exact", "nickname", "initials", "initials", "else", "else", "null", "initials",
        "similar"]


def test_first_name_roepnaam_matches_any_given_name() -> None:
    fn = FirstName()
    got = levels_of(fn, {"first_name": arr("Henk"), "initials": arr("JH")},
                    {"first_name": arr("Johannes Hendrikus"), "initials": arr("JH")})
    assert got == ["nickname"]


def test_first_name_initials_conflict_is_else() -> None:
    fn = FirstName()
    got = levels_of(fn, {"first_name": arr(None, None), "initials": arr("JH", "J")},
                    {"first_name": arr(None, None), "initials": arr("JP", "P")})
    assert got == ["else", "else"]


def surname_values(*rows: tuple[object, object, object, object]) -> dict:
    cols = ["surname_key", "partner_surname_key", "surname_phonetic", "partner_surname_phonetic"]
    return {c: arr(*[r[i] for r in rows]) for i, c in enumerate(cols)}


def test_surname_levels() -> None:
    left = surname_values(("berg", None, "berg", None), ("meijer", None, "meier", None),
                          ("jansen", "vries", "jansen", "fries"), ("jansen", None, "jansen", None),
                          ("jansen", None, "jansen", None), (None, None, None, None))
    right = surname_values(("berg", None, "berg", None), ("meyer", None, "meier", None),
                           ("vries", None, "fries", None), ("janssen", None, "jansen", None),
                           ("bakker", None, "baker", None), ("berg", None, "berg", None))
    assert levels_of(Surname(), left, right) == [
        "exact", "phonetic", "either_part", "phonetic", "else", "null"]


def test_surname_similar_level_for_typos() -> None:
    left = surname_values(("wijngaarden", None, "weingarden", None))
    right = surname_values(("wijngaardne", None, "weingardne", None))
    assert levels_of(Surname(), left, right) == ["similar"]


def test_birth_date_levels() -> None:
    bd = BirthDate()
    left = {"birth_date": arr(dt.date(1980, 3, 7), dt.date(1980, 3, 7), "1980-03-07",
                              dt.date(1980, 3, 7), None, dt.date(1980, 3, 7),
                              dt.date(1980, 3, 7), None, dt.date(1980, 3, 7)),
            "birth_year": arr(1980, 1980, 1980, 1980, 1980, 1980, 1980, None, 1980)}
    right = {"birth_date": arr(dt.date(1980, 3, 7), dt.date(1980, 7, 3), dt.date(1980, 3, 8),
                               dt.date(1980, 11, 30), None, dt.date(1981, 6, 1),
                               dt.date(1955, 3, 7), dt.date(1980, 3, 7), pd.NaT),
             "birth_year": arr(1980, 1980, 1980, 1980, 1980, 1981, 1955, 1980, None)}
    assert levels_of(bd, left, right) == [
        "exact", "day_month_swapped", "one_digit", "same_year", "same_year", "within_2_years",
        "else", "null", "null"]


def test_address_levels() -> None:
    ad = Address()
    cols = ["postcode", "house_number", "house_number_addition", "street_key", "city_key"]

    def values(*rows):
        return {c: arr(*[r[i] for r in rows]) for i, c in enumerate(cols)}

    left = values(("1234 AB", 12, "A", "kerkstraat", "amsterdam"),
                  ("1234 AB", 12, "II", "kerkstraat", "amsterdam"),
                  ("1234 AB", 12, None, "kerkstraat", "amsterdam"),
                  ("1234 AB", 12, None, "kerkstraat", "amsterdam"),
                  ("1234 AB", 12, None, "kerkstraat", "amsterdam"),
                  ("1234 AB", 12, None, "kerkstraat", "amsterdam"),
                  (None, None, None, None, "amsterdam"))
    right = values(("1234 AB", 12, "A", "kerkstr", "amsterdam"),
                   ("1234 AB", 12, "2", "kerkstraat", "amsterdam"),
                   ("1234 AB", 12, "B", "kerkstraat", "amsterdam"),
                   ("1243 AB", 12, None, "kerkstraat", "amsterdam"),
                   (None, 14, None, "kerkstraat", "amsterdam"),
                   ("9999 ZZ", 1, None, "dorpsstraat", "ede"),
                   ("1234 AB", 12, None, "kerkstraat", "amsterdam"))
    assert levels_of(ad, left, right) == [
        "exact", "exact", "other_addition", "same_street_number", "same_street", "else", "null"]


def test_phone_levels_shared_landline_weaker_than_mobile() -> None:
    ph = Phone()
    cols = ["phone", "phone_kind", "phone_2", "phone_2_kind"]

    def values(*rows):
        return {c: arr(*[r[i] for r in rows]) for i, c in enumerate(cols)}

    left = values(("+31612345678", "mobile", None, None),
                  ("+31201234567", "fixed", "+31687654321", "mobile"),
                  ("+31201234567", "fixed", None, None),
                  ("+31800123", "service", None, None),
                  (None, None, None, None))
    right = values(("+31612345678", "mobile", None, None),
                   ("+31201234567", "fixed", None, None),
                   ("+31207654321", "fixed", None, None),
                   ("+31800123", "service", None, None),
                   ("+31612345678", "mobile", None, None))
    assert levels_of(ph, left, right) == [
        "shared_mobile", "shared_landline", "else", "null", "null"]


def test_email_levels_and_role_addresses_are_null() -> None:
    em = Email()
    left = {"email_key": arr("jan.jansen@ziggo.nl", "jan.jansen@hetnet.nl", "jan@x.nl",
                             "info@shop.nl", None),
            "email_role": arr(False, False, False, True, None)}
    right = {"email_key": arr("jan.jansen@ziggo.nl", "jan.jansen@kpnmail.nl", "jan@y.nl",
                              "info@shop.nl", "a@b.nl"),
             "email_role": arr(False, False, False, True, False)}
    assert levels_of(em, left, right) == ["exact", "same_local_part", "else", "null", "null"]


# ------------------------------------------------------------------ engine
@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"surname_key": ["jansen", "janssen", "jansen", None, "visser"] * 3,
                         "postcode": ["1234 AB", "1234 AB", None, "1234 AB", "5678 CD"] * 3})


def test_compare_matrix_shape_dtype_and_values(frame: pd.DataFrame) -> None:
    left, right = np.array([0, 0, 0, 2]), np.array([1, 2, 3, 4])
    levels = compare(frame, left, right, [JaroWinkler("surname_key"), Exact("postcode")])
    assert levels.matrix.dtype == np.int8
    assert levels.matrix.shape == (4, 2)
    assert levels.names == ("surname_key", "postcode")
    assert levels.matrix[:, 1].tolist() == [1, -1, 1, -1]
    assert levels.matrix[:, 0].tolist() == [2, 3, -1, 0]
    assert list(levels.frame().columns) == ["surname_key", "postcode"]


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1000])
def test_results_identical_across_chunk_sizes(frame: pd.DataFrame, chunk: int) -> None:
    rng = np.random.default_rng(0)
    left = rng.integers(0, len(frame), 60)
    right = rng.integers(0, len(frame), 60)
    comps = [JaroWinkler("surname_key"), Exact("postcode")]
    expected = compare(frame, left, right, comps).matrix
    assert np.array_equal(compare(frame, left, right, comps, chunk_size=chunk).matrix, expected)


def test_compare_errors(frame: pd.DataFrame) -> None:
    with pytest.raises(SchemaError, match="city"):
        compare(frame, [0], [1], [Exact("city")])
    with pytest.raises(InputError):
        compare(frame, [0], [99], [Exact("postcode")])
    with pytest.raises(InputError):
        compare(frame, [0, 1], [1], [Exact("postcode")])
    with pytest.raises(ConfigError, match="unique"):
        compare(frame, [0], [1], [Exact("postcode"), Exact("postcode")])
    with pytest.raises(ConfigError):
        compare(frame, [0], [1], [Exact("postcode")], chunk_size=0)


def test_user_comparison_plugs_in_without_library_changes() -> None:
    class SameDomain(Comparison):
        columns = ("email",)
        name = "email_domain"
        labels = ("else", "same_domain")

        def levels(self, left, right):
            a, b = left["email"], right["email"]
            ok = np.array([x is not None and y is not None for x, y in zip(a, b, strict=True)])
            same = np.array([str(x).split("@")[-1] == str(y).split("@")[-1]
                             for x, y in zip(a, b, strict=True)])
            return np.where(ok, same.astype(np.int8), -1)

    df = pd.DataFrame({"email": ["a@x.nl", "b@x.nl", "c@y.nl", None]})
    levels = compare(df, [0, 0, 0], [1, 2, 3], [SameDomain()])
    assert levels.matrix[:, 0].tolist() == [1, 0, -1]


def test_comparison_returning_bad_levels_is_reported() -> None:
    class Broken(Comparison):
        columns = ("a",)
        name = "broken"
        labels = ("else", "exact")

        def levels(self, left, right):
            return np.full(len(left["a"]), 5)

    with pytest.raises(ConfigError, match="outside"):
        compare(pd.DataFrame({"a": [1, 2]}), [0], [1], [Broken()])


def test_empty_pairs_give_empty_matrix(frame: pd.DataFrame) -> None:
    levels = compare(frame, [], [], [Exact("postcode")])
    assert levels.matrix.shape == (0, 1)


names = st.sampled_from(["jansen", "janssen", "jansens", "visser", "fisser", "de vries", "",
                         None, "bakker", "backer"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(names, names), min_size=1, max_size=40),
       st.integers(1, 50))
def test_vectorised_levels_equal_slow_reference(rows: list[tuple], chunk: int) -> None:
    n = len(rows)
    df = pd.DataFrame({"s": [r[0] for r in rows] + [r[1] for r in rows]}, dtype=object)
    left, right = np.arange(n), np.arange(n, 2 * n)
    comps = [JaroWinkler("s", thresholds=(0.95, 0.85), name="jw"),
             Levenshtein("s", thresholds=(1, 2), name="lev"), Exact("s")]
    matrix = compare(df, left, right, comps, chunk_size=chunk).matrix

    def slow(a: object, b: object) -> tuple[int, int, int]:
        if not a or not b:
            return (-1, -1, -1)
        if a == b:
            return (3, 3, 1)
        jw = RfJaroWinkler.normalized_similarity(a, b)
        lev = RfLevenshtein.distance(a, b)
        return (2 if jw >= 0.95 else 1 if jw >= 0.85 else 0,
                2 if lev <= 1 else 1 if lev <= 2 else 0, 0)

    expected = np.array([slow(a, b) for a, b in rows], dtype=np.int8)
    assert np.array_equal(matrix, expected)


def test_parallel_workers_give_the_same_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    import custmatch.compare.engine as engine

    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"s": rng.choice(["jansen", "janssen", "visser", None], 500),
                          "p": rng.choice(["1234 AB", "5678 CD", None], 500)})
    left, right = rng.integers(0, 500, 3000), rng.integers(0, 500, 3000)
    comps = [JaroWinkler("s"), Exact("p")]
    sequential = compare(frame, left, right, comps, workers=1).matrix
    monkeypatch.setattr(engine, "PARALLEL_MIN_PAIRS", 10)
    parallel = compare(frame, left, right, comps, workers=2, chunk_size=700).matrix
    assert np.array_equal(parallel, sequential)
