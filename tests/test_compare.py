from __future__ import annotations

import dataclasses
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
from custmatch.compare.organisation import Organisation, OrganisationContact, organisation_key
from custmatch.compare.person import _FEW_VALUES, BirthDate, FirstName, Gender, Surname
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
        "exact", "day_month_swapped", "one_digit", "within_2_years", "same_year",
        "within_2_years", "else", "null", "null"]
    assert bd.disagreement_levels == ("within_2_years",)


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

    # no postcode: street and place may hold a typo, with the same number
    left = values((None, 150, None, "heard street", "st agnes"),
                  (None, 51, None, "hurley street", "kempsey"),
                  (None, 5, None, "kerkstraat", "ede"),
                  (None, 5, None, "molenstraat", "ede"),
                  (None, 5, None, "kerkstraat", "ede"))
    right = values((None, 150, None, "heard sreet", "st agnes"),
                   (None, 51, None, "hurley street", "kempsdy"),
                   (None, 5, None, "kerkpad", "ede"),
                   (None, 5, None, "molenweg", "ede"),
                   (None, 6, None, "kerkstrat", "ede"))
    assert levels_of(ad, left, right) == [
        "same_street_number", "same_street_number", "else", "else", "else"]
    with pytest.raises(ConfigError, match="typo_similarity"):
        Address(typo_similarity=0)


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


def phone_values(*rows: tuple) -> dict:
    cols = ["phone", "phone_kind", "phone_2", "phone_2_kind"]
    return {c: arr(*[r[i] for r in rows]) for i, c in enumerate(cols)}


def test_phone_other_kind_is_no_disagreement_but_two_mobiles_are() -> None:
    ph = Phone()
    left = phone_values(("+31612345678", "mobile", None, None),
                        ("+31612345678", "mobile", None, None),
                        ("+31201234567", "fixed", None, None),
                        ("+31612345678", "mobile", "+31201234567", "fixed"),
                        ("+31612345678", "mobile", None, None))
    right = phone_values(("+31201234567", "fixed", None, None),
                         ("+31687654321", "mobile", None, None),
                         ("+31207654321", "fixed", None, None),
                         ("+31207654321", "fixed", None, None),
                         ("+31881234567", "organisation", None, None))
    assert ph.labels == ("else", "other_kind", "shared_landline", "shared_mobile")
    assert ph.disagreement_levels == ("other_kind",)
    assert levels_of(ph, left, right) == ["other_kind", "else", "else", "else", "null"]
    old = Phone(other_kind=False)  # the levels of models saved before other_kind
    assert old.labels == ("else", "shared_landline", "shared_mobile")
    assert old.disagreement_levels == ()
    assert levels_of(old, left, right) == ["else", "else", "else", "else", "null"]


def given_names(first: tuple, initials: tuple) -> dict:
    return {"first_name": arr(*first), "initials": arr(*initials)}


def test_first_name_all_initials_level() -> None:
    fn = FirstName()
    assert fn.labels == ("else", "swapped", "initials", "all_initials", "short_name",
                         "similar", "nickname", "exact")
    got = levels_of(fn, given_names((None, None, None, "Jan Hendrik", None),
                                    ("JH", "J", "JH", None, "JHM")),
                    given_names((None, None, None, None, None), ("JH", "J", "J", "JH", "JH")))
    assert got == ["all_initials", "initials", "initials", "all_initials", "initials"]


def test_first_and_surname_exchanged_between_records() -> None:
    """A system that filled the columns the other way round: both comparisons see the swap
    (accents, case and tussenvoegsel spacing aside); a one-sided match is no swap."""
    from custmatch.compare import compare

    records = pd.DataFrame({
        "first_name": ["Jan", "Peters", "Jan", "Émile", "Dijk", "Piet", "Pieters", "Stubbs",
                       "Jack"],
        "initials": ["J", None, "J", "E", None, "P", None, None, "J"],
        "surname_key": ["peters", "jan", "jansen", "dijk", "emile", "peters", "jaxn", "jaxck",
                        "stubbs"],
        "partner_surname_key": [None] * 9,
        "surname_phonetic": ["ptrs", "jn", "jnsn", "dk", "eml", "ptrs", "jxn", "jxk", "stbs"],
        "partner_surname_phonetic": [None] * 9,
        "prefix": [None] * 9,
    })
    # Jan Peters ~ Peters Jan; Jan Jansen !~ Peters Jan (one crossing only); Émile Dijk ~
    # Dijk Emile; Jan Peters !~ Piet Peters; Jan Peters !~ Pieters Jaxn (two typos);
    # Jack Stubbs-like: one crossing exact, the other one typo
    left, right = np.array([0, 2, 3, 0, 0, 8]), np.array([1, 1, 4, 5, 6, 7])
    levels = compare(records, left, right, [FirstName(), Surname()])
    names = [[c.labels[k] for k in levels.matrix[:, j]]
             for j, c in enumerate((FirstName(), Surname()))]
    assert names[0] == ["swapped", "else", "swapped", "else", "else", "swapped"]
    assert names[1] == ["swapped", "else", "swapped", "exact", "else", "swapped"]
    assert FirstName(swapped=False).labels[1] == "initials"
    assert Surname(swapped=False).labels == ("else", "similar", "either_part", "phonetic",
                                             "exact")


def test_first_name_nickname_initial_and_roepnaam_beside_official_initials() -> None:
    fn = FirstName()
    left = given_names(("Hans", "Toon", "Toos", "Piet", "Ans", "Piet"),
                       (None, None, "CP", None, "J", None))
    right = given_names((None, None, "Catharina Petronella", "Paul", "Johanna Maria", None),
                        ("J", "A", "CP", None, "JM", "K"))
    # Hans stands for Johannes (J.), Toon for Antonius (A.); Toos with initials C.P. is the
    # roepnaam of Catharina Petronella, Ans (J.) of Johanna Maria; two names with no
    # initials of their own decide alone
    assert levels_of(fn, left, right) == ["initials", "initials", "all_initials", "else",
                                          "initials", "else"]


def test_first_name_short_names_cut_from_official_names() -> None:
    fn = FirstName()
    left = given_names(("Bert", "Tineke", "Frans", "Marco", "Peter", "Jan", "Ronaild"),
                       (None,) * 7)
    right = given_names(("Albertus Petrus", "Martina", "Franciscus Antonius", "Maria",
                         "Petrus", "Janneke", "Ronald Nicolaas"), (None,) * 7)
    assert levels_of(fn, left, right) == ["short_name", "short_name", "short_name", "else",
                                          "short_name", "short_name", "similar"]
    old = FirstName(all_initials=False, short_names=False, swapped=False)
    assert old.labels == ("else", "initials", "similar", "nickname", "exact")
    assert levels_of(old, left, right) == ["else"] * 7


def test_surname_with_tussenvoegsel_written_against_it() -> None:
    sn = Surname()
    cols = ["surname_key", "partner_surname_key", "surname_phonetic",
            "partner_surname_phonetic", "prefix"]

    def values(*rows):
        return {c: arr(*[r[i] for r in rows]) for i, c in enumerate(cols)}

    left = values(("vanginkel", None, "fanginkel", None, None),
                  ("vanthof", None, "fantof", None, None),
                  ("vries", None, "fries", None, "de"),
                  ("ginkel", None, "ginkel", None, None))
    right = values(("ginkel", None, "ginkel", None, "van"),
                   ("hof", None, "hof", None, "van 't"),
                   ("vries", None, "fries", None, None),
                   ("vanginkel", None, "fanginkel", None, None))
    assert levels_of(sn, left, right) == ["exact", "exact", "exact", "else"]
    # without a prefix column the core surnames decide
    no_prefix = {k: v for k, v in left.items() if k != "prefix"}
    assert levels_of(sn, no_prefix, {k: v for k, v in right.items() if k != "prefix"}) == [
        "else", "else", "exact", "else"]


def test_gender_levels() -> None:
    g = Gender()
    got = levels_of(g, {"gender": arr("M", "F", "M", "X", None, "m")},
                    {"gender": arr("M", "M", None, "M", "F", "M")})
    assert got == ["exact", "else", "null", "null", "null", "exact"]
    assert g.optional_columns == ("gender",)


def test_organisation_levels() -> None:
    org = Organisation()
    left = {"organisation": arr("Bakkerij Jansen", "Maatschap Peters & Zwart", "De Regenboog",
                                "Bakkerij Jansen", "Zuivel Breda", None, None, "De Boer"),
            "kvk_number": arr(None, None, "30123456", "1234567", None, "30123456", None, None)}
    right = {"organisation": arr("BAKKERIJ JANSEN.", "Peters & Zwart", "De Regenboog",
                                 "Jansen Bakkerij", "Zuivel Utrecht", None, "X", "Boer"),
             "kvk_number": arr(None, None, "40123456", "01234567", None, "30123456", None,
                               None)}
    assert levels_of(org, left, right) == ["exact", "similar", "else", "same_kvk", "else",
                                           "same_kvk", "null", "else"]
    assert organisation_key("Café 't Hoekje") == "cafethoekje"
    assert organisation_key(" ") is None


def test_organisation_contact_levels() -> None:
    oc = OrganisationContact()
    cols = ["organisation", "kvk_number", "phone", "phone_kind", "phone_2", "phone_2_kind",
            "email_key"]

    def values(*rows):
        return {c: arr(*[r[i] for r in rows]) for i, c in enumerate(cols)}

    left = values(("Hofman Bouw", None, "+31881234567", "organisation", None, None, None),
                  ("Hofman Bouw", None, None, None, None, None, "info@hofmanbouw.nl"),
                  (None, None, "+31881234567", "organisation", None, None, None),
                  ("Hofman Bouw", None, None, None, None, None, "p.hofman@gmail.com"),
                  (None, "12345678", "+31881234567", "organisation", None, None, None),
                  ("Hofman Bouw", None, "+31612345678", "mobile", None, None, None))
    right = values((None, None, "+31881234567", "service", None, None, None),
                   (None, None, None, None, None, None, "p.smit@hofmanbouw.nl"),
                   (None, None, "+31881234567", "organisation", None, None, None),
                   ("Smit Bouw", None, None, None, None, None, "p.hofman@gmail.com"),
                   ("Smit Bouw", None, "+31887654321", "organisation", None, None,
                    "info@smitbouw.nl"),
                   ("Hofman Bouw", None, "+31612345678", "mobile", None, None, None))
    # two persons sharing a company number: no business record, no evidence; a consumer
    # mailbox is no organisation's; a mobile is a person's number
    assert levels_of(oc, left, right) == ["same_number", "same_domain", "null", "null",
                                          "else", "null"]


def test_optional_columns_may_be_absent(frame: pd.DataFrame) -> None:
    records = pd.DataFrame({"organisation": ["Bakkerij Jansen", "bakkerij jansen", None],
                            "surname_key": ["jansen", "jansen", "jansen"]})
    levels = compare(records, [0, 0], [1, 2], [Organisation(), Gender()])
    assert levels.matrix.tolist() == [[2, -1], [-1, -1]]
    person_only = compare(records.drop(columns="organisation"), [0], [1],
                          [Organisation(), OrganisationContact()])
    assert person_only.matrix.tolist() == [[-1, -1]]
    with pytest.raises(SchemaError, match="surname_key"):
        compare(records.drop(columns="surname_key"), [0], [1], [Surname()])


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


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_levels_per_pair_equal_levels_per_distinct_pair(seed: int) -> None:
    """distinct_pairs only changes how often levels runs: Phone, Email and BirthDate
    (per pair) give what they give when run once per distinct pair, and vice versa."""
    rng = np.random.default_rng(seed)
    n = 80
    frame = pd.DataFrame({
        "phone": rng.choice(["+31612345678", "+31201234567", "+31687654321", None], n),
        "phone_kind": rng.choice(["mobile", "landline", None], n),
        "phone_2": rng.choice(["+31612345678", "+31301234567", None], n),
        "phone_2_kind": rng.choice(["mobile", "landline", None], n),
        "email_key": rng.choice(["jan.devries@ziggo.nl", "jan.devries@kpnmail.nl",
                                 "info@bakkerij.nl", None], n),
        "email_role": rng.choice([True, False], n),
        "birth_date": pd.to_datetime(rng.choice(["1980-03-04", "1980-04-03", "1981-03-04",
                                                 None], n)),
        "birth_year": rng.choice([1980, 1981, None], n),
    })
    left, right = rng.integers(0, n, 400), rng.integers(0, n, 400)
    comps = [Phone(), Email(), BirthDate()]
    assert not any(c.distinct_pairs for c in comps)
    per_pair = compare(frame, left, right, comps, workers=1, chunk_size=97).matrix
    flipped = [type(c.name, (type(c),), {"distinct_pairs": True})() for c in comps]
    per_distinct = compare(frame, left, right, flipped, workers=1, chunk_size=97).matrix
    assert np.array_equal(per_pair, per_distinct)


def test_parallel_workers_hand_their_encodings_back_to_the_run(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside reuse_encodings the workers encode (prepare) each comparison and send the
    encoding back: later calls in this process prepare nothing again. Prepared values that
    do not pickle are prepared again here instead, with the same levels."""
    import threading

    import custmatch.compare.engine as engine
    from custmatch.compare.engine import reuse_encodings

    main = threading.get_ident()

    @dataclasses.dataclass(frozen=True, repr=False)
    class Counted(Exact):
        lock: bool = False
        calls: list = dataclasses.field(default_factory=list, compare=False, hash=False)

        def prepare(self, values):  # type: ignore[no-untyped-def]
            self.calls.append(1)  # a worker's calls land in its own copy of the list
            out = dict(values)
            if self.lock:
                out["unpicklable"] = np.array([threading.Lock()] * len(values[self.column]),
                                              dtype=object)
            return out

    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"p": rng.choice(["1234 AB", "5678 CD", None], 400)})
    left, right = rng.integers(0, 400, 2000), rng.integers(0, 400, 2000)
    plain, locked = Counted("p", name="plain"), Counted("p", name="locked", lock=True)
    expected = compare(frame, left, right, [plain, locked], workers=1).matrix
    plain.calls.clear()
    locked.calls.clear()
    monkeypatch.setattr(engine, "PARALLEL_MIN_PAIRS", 10)
    with reuse_encodings():
        first = compare(frame, left, right, [plain, locked], workers=2).matrix
        assert (plain.calls, locked.calls) == ([], [])  # both prepared in the workers
        again = compare(frame, left[::-1], right, [plain, locked], workers=1).matrix
    assert threading.get_ident() == main
    assert plain.calls == [] and locked.calls == [1]  # only the unpicklable one again
    assert np.array_equal(first, expected)
    assert np.array_equal(again, compare(frame, left[::-1], right, [plain, locked],
                                         workers=1).matrix)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_reused_encodings_and_remembered_levels_give_the_same_matrix(seed: int) -> None:
    """Inside reuse_encodings, remembered pairs are looked up (in either order, in any
    subset) and the rest computed: the matrix equals a fresh compare."""
    from custmatch.compare.engine import remember_levels, reuse_encodings

    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"s": rng.choice(["jansen", "janssen", "visser", "", None], 60),
                          "p": rng.choice(["1234 AB", "5678 CD", None], 60)})
    comps = [JaroWinkler("s"), Exact("p")]
    left, right = rng.integers(0, 60, 200), rng.integers(0, 60, 200)
    fresh = compare(frame, left, right, comps).matrix
    known_l, known_r = rng.integers(0, 60, 150), rng.integers(0, 60, 150)
    with reuse_encodings():
        known = compare(frame, known_l, known_r, comps)
        remember_levels(frame, known_l, known_r, known, comps)
        reused = compare(frame, right, left, comps).matrix  # swapped: levels are symmetric
        other = compare(frame, left, right, [Exact("p")]).matrix  # other comparisons
    assert np.array_equal(reused, fresh)
    assert np.array_equal(other, fresh[:, [1]])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(-1, 3), min_size=6, max_size=6), min_size=0, max_size=4))
def test_combine_all_is_combine_codes_column_by_column(columns: list[list[int]]) -> None:
    """The packed combination gives the codes of combining one column at a time."""
    from custmatch._codes import combine_all, combine_codes, first_positions

    expected = np.zeros(6, dtype=np.int64)
    for column in columns:
        expected = combine_codes(expected, np.array(column))
    got = combine_all([np.array(c) for c in columns], 6)
    assert got.tolist() == expected.tolist()
    first = first_positions(got, int(got.max()) + 1)
    assert [got.tolist().index(code) for code in range(len(first))] == first.tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-(2**62), 2**62), max_size=80), st.integers(1, 5))
def test_dense_codes_are_pandas_factorize_codes(values: list[int], repeat: int) -> None:
    """Few values numbered by a dict, many by pandas: the same first-appearance codes."""
    from custmatch._codes import dense_codes

    array = np.array((values * repeat)[:150], dtype=np.int64)
    assert dense_codes(array).tolist() == pd.factorize(array)[0].tolist()


_NAME_CELLS = st.one_of(st.none(), st.just(float("nan")), st.just(""),
                        st.sampled_from(["Jan", "jan ", "Hans", "Johannes", "Ëlla-Marie",
                                         "J.H.", "P.A.", "van", "de", "Jansen", "Berg"]),
                        st.text(max_size=5))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(_NAME_CELLS, _NAME_CELLS, _NAME_CELLS, _NAME_CELLS), min_size=1,
                max_size=8))
def test_name_comparisons_prepare_few_values_as_many(rows: list[tuple]) -> None:
    """A real-time call's few values (worked out one by one, remembered across calls) are
    prepared exactly as the same values among many (the batch path). Missing values come
    as None or NaN (the engine and the index hand over None for pd.NA)."""
    few = len(rows)
    size = _FEW_VALUES + 8  # past the one-by-one path
    many = (rows * (size // few + 1))[:size]
    for comparison in (FirstName(), Surname()):
        def cells(chosen: list[tuple], comparison=comparison) -> dict[str, np.ndarray]:
            out = {}
            for k, column in enumerate(comparison.columns[:4]):
                values = np.empty(len(chosen), dtype=object)
                values[:] = [row[k] for row in chosen]
                out[column] = values
            return out
        small = comparison.prepare(cells(rows))
        large = comparison.prepare(cells(many))
        for name, values in small.items():
            assert np.asarray(values).tolist() == np.asarray(large[name])[:few].tolist(), name
