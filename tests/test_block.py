from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custmatch.block import (
    Pairs,
    any_of,
    block_on,
    dedupe,
    derived,
    estimate_pairs,
    initial,
    link,
    sorted_neighbourhood,
    substr,
    year,
)
from custmatch.errors import ConfigError, CustmatchWarning, InputError, SchemaError


def pair_set(pairs: Pairs) -> set[tuple[int, int]]:
    return set(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True))


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "postcode": ["1234 AB", "1234 AB", "1234 AB", None, "5678 CD", "1234 AB"],
            "house_number": [12, 12, 14, 12, 1, 12],
            "first_name": ["Jan", "J.", "Piet", "Jan", "Kees", None],
            "email_key": ["jan@x.nl", "jan@x.nl", None, "", "kees@y.nl", "jan@x.nl"],
            "birth_date": ["1980-03-07", "1980-07-03", None, "1980-03-07", "1975-01-01", None],
        }
    )


def test_block_on_pairs_records_agreeing_on_all_keys(people: pd.DataFrame) -> None:
    pairs = dedupe(people, block_on("postcode", "house_number"))
    assert pair_set(pairs) == {(0, 1), (0, 5), (1, 5)}
    assert pairs.rule.tolist() == [0, 0, 0]


def test_null_and_empty_keys_never_block_together(people: pd.DataFrame) -> None:
    pairs = dedupe(people, block_on("email_key"))
    assert pair_set(pairs) == {(0, 1), (0, 5), (1, 5)}  # rows 2 (None) and 3 ("") unpaired


def test_union_counts_each_pair_once_and_records_first_rule(people: pd.DataFrame) -> None:
    rules = [block_on("email_key"), block_on("postcode", "house_number"),
             block_on(substr("postcode", 4), initial("first_name"))]
    pairs = dedupe(people, rules)
    keys = list(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True))
    assert len(keys) == len(set(keys))
    by_pair = dict(zip(keys, pairs.rule.tolist(), strict=True))
    assert by_pair[(0, 1)] == 0  # e-mail came first although the address rule also finds it
    assert by_pair == {(0, 1): 0, (0, 5): 0, (1, 5): 0}  # (0,1) initial j/j also rule 2
    assert pairs.report["pairs"].tolist() == [3, 3, 1]
    assert pairs.report["new_pairs"].tolist() == [3, 0, 0]


def test_dedupe_never_pairs_a_record_with_itself_and_left_is_smaller(people: pd.DataFrame) -> None:
    pairs = dedupe(people, [block_on("postcode"), sorted_neighbourhood("first_name", 4)])
    assert (pairs.left < pairs.right).all()
    assert pairs.left.dtype == np.int32


def test_link_never_pairs_within_a_frame() -> None:
    a = pd.DataFrame({"postcode": ["1234 AB", "1234 AB", "9999 ZZ"]})
    b = pd.DataFrame({"postcode": ["1234 AB", "9999 ZZ", "9999 ZZ"]})
    pairs = link({"crm": a, "shop": b}, block_on("postcode"))
    assert pair_set(pairs) == {(0, 3), (1, 3), (2, 4), (2, 5)}
    assert (pairs.frame_of(pairs.left) == 0).all()
    assert (pairs.frame_of(pairs.right) == 1).all()
    assert pairs.local(pairs.right).tolist() == [0, 0, 1, 2]


def test_link_three_frames_pairs_across_all_of_them() -> None:
    frames = [pd.DataFrame({"k": ["x"]}), pd.DataFrame({"k": ["x", "x"]}),
              pd.DataFrame({"k": ["x"]})]
    pairs = link(frames, block_on("k"))
    assert pair_set(pairs) == {(0, 1), (0, 2), (0, 3), (1, 3), (2, 3)}


def test_giant_blocks_are_skipped_reported_and_warned() -> None:
    df = pd.DataFrame({"email_key": ["info@shop.nl"] * 5 + ["a@b.nl", "a@b.nl"]})
    with pytest.warns(CustmatchWarning, match="skipped 1 block"):
        pairs = dedupe(df, block_on("email_key"), max_block_size=4)
    assert pair_set(pairs) == {(5, 6)}
    assert pairs.skipped.to_dict("records") == [
        {"rule": "block_on(email_key)", "key": "info@shop.nl", "block_size": 5,
         "first_position": 0}
    ]
    assert pairs.report["skipped_blocks"].tolist() == [1]


def test_per_rule_cap_overrides_the_default() -> None:
    df = pd.DataFrame({"k": ["x"] * 3})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(dedupe(df, block_on("k", max_block_size=3), max_block_size=2)) == 3


def test_any_of_puts_married_names_in_both_blocks() -> None:
    df = pd.DataFrame({"surname_key": ["jansen", "vries", "jansen", "bakker"],
                       "partner_surname_key": ["vries", None, None, "bakker"],
                       "initial": ["a", "a", "b", "c"]})
    pairs = dedupe(df, block_on(any_of("surname_key", "partner_surname_key")))
    assert pair_set(pairs) == {(0, 1), (0, 2)}  # row 3's two equal values: one entry
    with_initial = dedupe(df, block_on(any_of("surname_key", "partner_surname_key"), "initial"))
    assert pair_set(with_initial) == {(0, 1)}


_TEXT_DTYPES = ["object", "string"] + (["str"] if pd.__version__ >= "3" else [])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(*[st.sampled_from(["jansen", " jansen", "de vries", "", "  ", None,
                                              "Ålund"])] * 2), min_size=0, max_size=30),
       st.sampled_from(_TEXT_DTYPES))
def test_any_of_without_func_gives_the_entries_of_the_general_path(
        cells: list[tuple[str | None, str | None]], dtype: str) -> None:
    """The per-column path of a plain any_of (no func) numbers values and drops blanks
    exactly as the general per-value path does (reached here with an identity func), for
    text columns of every dtype."""
    frame = pd.DataFrame(cells, columns=["a", "b"], dtype=object).astype(dtype)
    plain = any_of("a", "b").entries(frame)
    general = any_of("a", "b", func=lambda v: v).entries(frame)
    assert [x.tolist() for x in plain] == [x.tolist() for x in general]


def test_any_of_needs_two_columns_and_cannot_be_sorted_on() -> None:
    with pytest.raises(ConfigError):
        any_of("surname_key")
    with pytest.raises(ConfigError, match="several"):
        sorted_neighbourhood(any_of("surname_key", "partner_surname_key"))


def test_two_any_of_keys_pair_rows_sharing_a_value_of_each() -> None:
    df = pd.DataFrame({"surname": ["jansen", "vries", "jansen", "jansen"],
                       "partner": ["vries", None, None, None],
                       "initials": ["JH", "A", "H", "P"],
                       "official": [None, "J", None, None]})
    letters = any_of("initials", "official", func=lambda v: tuple(str(v).lower()))
    pairs = dedupe(df, block_on(any_of("surname", "partner"), letters))
    # 0-1: vries + j (row 1's official initial); 0-2: jansen + h; row 3 shares no letter
    assert pair_set(pairs) == {(0, 1), (0, 2)}


def test_any_of_func_may_return_several_values() -> None:
    df = pd.DataFrame({"initials": ["JH", "HP", "K"], "x": [None, None, None]})
    pairs = dedupe(df, block_on(any_of("initials", "x", func=lambda v: tuple(str(v)))))
    assert pair_set(pairs) == {(0, 1)}


def test_declared_per_rule_cap_skips_quietly_but_reports() -> None:
    df = pd.DataFrame({"k": ["x"] * 5})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pairs = dedupe(df, block_on("k", max_block_size=3))
    assert len(pairs) == 0
    assert pairs.skipped["block_size"].tolist() == [5]
    assert pairs.report["skipped_blocks"].tolist() == [1]


def test_estimate_pairs_matches_materialised_counts(people: pd.DataFrame) -> None:
    rules = [block_on("postcode"), block_on("email_key"), sorted_neighbourhood("first_name", 3)]
    table = estimate_pairs(rules, people)
    for rule, row in zip(rules, table.iloc[:-1].itertuples(), strict=True):
        assert row.pairs == len(dedupe(people, rule)), rule.name
    assert table.iloc[-1]["rule"] == "total"
    assert table.iloc[-1]["pairs"] == table.iloc[:-1]["pairs"].sum()


def test_sorted_neighbourhood_pairs_neighbours_in_key_order() -> None:
    df = pd.DataFrame({"surname": ["Visser", "Jansen", "Bakker", None, "Janssen"]})
    pairs = dedupe(df, sorted_neighbourhood("surname", window=2))
    # order: Bakker(2) Jansen(1) Janssen(4) Visser(0)
    assert pair_set(pairs) == {(1, 2), (1, 4), (0, 4)}


def test_derived_keys_and_year(people: pd.DataFrame) -> None:
    pairs = dedupe(people, block_on(year("birth_date"), derived(
        "email_key", lambda v: str(v).split("@")[-1], "domain")))
    assert pair_set(pairs) == {(0, 1)}


def test_block_on_with_a_list_explains_the_right_call() -> None:
    with pytest.raises(TypeError, match=r"block_on\('postcode', 'house_number'\)"):
        block_on(["postcode", "house_number"])  # type: ignore[arg-type]


def test_bad_configuration_raises_config_error() -> None:
    with pytest.raises(ConfigError):
        block_on()
    with pytest.raises(ConfigError):
        sorted_neighbourhood("surname", window=1)
    with pytest.raises(ConfigError):
        substr("postcode", 0)
    with pytest.raises(ConfigError):
        dedupe(pd.DataFrame({"a": [1]}), [])
    with pytest.raises(ConfigError, match="not a blocking rule"):
        dedupe(pd.DataFrame({"a": [1]}), ["a"])  # type: ignore[list-item]
    with pytest.raises(ConfigError):
        dedupe(pd.DataFrame({"a": [1]}), block_on("a"), max_block_size=1)


def test_missing_column_names_rule_and_column() -> None:
    with pytest.raises(SchemaError, match="postcode"):
        dedupe(pd.DataFrame({"a": [1]}), block_on("postcode"))


def test_bad_frames_raise_input_error() -> None:
    with pytest.raises(InputError):
        dedupe([1, 2], block_on("a"))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="at least two"):
        link([pd.DataFrame({"a": [1]})], block_on("a"))


def test_empty_frame_gives_no_pairs() -> None:
    pairs = dedupe(pd.DataFrame({"k": []}), block_on("k"))
    assert len(pairs) == 0
    assert pairs.report["pairs"].tolist() == [0]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["a", "b", "c", None, ""]), st.sampled_from([1, 2, None])),
             max_size=25),
    st.integers(2, 30),
)
def test_block_on_equals_brute_force(rows: list[tuple[object, object]], cap: int) -> None:
    df = pd.DataFrame(rows, columns=["k1", "k2"], dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CustmatchWarning)
        pairs = dedupe(df, block_on("k1", "k2"), max_block_size=cap)

    def usable(v: object) -> bool:
        return v is not None and v == v and v != ""

    groups: dict[tuple[object, object], list[int]] = {}
    for i, (a, b) in enumerate(rows):
        if usable(a) and usable(b):
            groups.setdefault((a, b), []).append(i)
    expected = {p for members in groups.values() if len(members) <= cap
                for p in itertools.combinations(members, 2)}
    assert pair_set(pairs) == expected
    assert len(pairs) == len(expected)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["x", "y", "z", None]), min_size=0, max_size=12),
       st.lists(st.sampled_from(["x", "y", "z", None]), min_size=0, max_size=12))
def test_link_equals_brute_force(a: list[object], b: list[object]) -> None:
    pairs = link([pd.DataFrame({"k": a}, dtype=object), pd.DataFrame({"k": b}, dtype=object)],
                 block_on("k"))
    expected = {(i, len(a) + j) for i, x in enumerate(a) for j, y in enumerate(b)
                if x is not None and x == y}
    assert pair_set(pairs) == expected


def test_default_rules_run_on_a_normalised_frame_and_find_the_example_duplicates() -> None:
    from custmatch.block import default_rules
    from custmatch.datasets import load_example
    from custmatch.evaluate import evaluate_pairs
    from custmatch.normalize import normalize_frame

    records, truth = load_example()
    frame = normalize_frame(records)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CustmatchWarning)  # no undeclared giant blocks here
        pairs = dedupe(frame, default_rules())
    metrics = evaluate_pairs(pairs.left, pairs.right, truth["entity_id"].to_numpy())
    assert metrics.pair_completeness > 0.95
    assert len(pairs) / len(frame) < 40
    assert list(pairs.report["rule"]) == [r.name for r in default_rules()]


def test_given_initials_links_a_roepnaam_to_official_initials() -> None:
    from custmatch.block import given_initials

    df = pd.DataFrame({"surname_key": ["vries", "vries", "vries"],
                       "initials": [None, "J", "P"],
                       "first_name": ["Hans", None, None]})
    pairs = dedupe(df, block_on("surname_key", given_initials()))
    assert pair_set(pairs) == {(0, 1)}  # Hans = Johannes ~ J.; not P.


def test_link_stacked_equals_link_and_rejects_bad_offsets():
    from custmatch.block import link_stacked, stack_frames

    a = pd.DataFrame({"postcode": ["1234 AB", "1234 AB", None]})
    b = pd.DataFrame({"postcode": ["1234 AB", "9999 ZZ"]})
    stacked, offsets = stack_frames([a, b])
    assert offsets == (0, 3)
    direct = link([a, b], block_on("postcode"))
    again = link_stacked(stacked, offsets, block_on("postcode"))
    assert again.left.tolist() == direct.left.tolist() == [0, 1]
    assert again.right.tolist() == direct.right.tolist() == [3, 3]
    for bad in [(0,), (1, 3), (0, 9), (0, 3, 2)]:
        with pytest.raises(InputError, match="offsets"):
            link_stacked(stacked, bad, block_on("postcode"))
