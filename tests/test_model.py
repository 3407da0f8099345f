"""Tests for custmatch.model: EM, term frequencies, deterministic rules, predict, save/load."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custmatch.block import block_on, default_rules, substr
from custmatch.compare import Exact
from custmatch.datasets import load_example
from custmatch.errors import ConfigError, InputError, ModelError
from custmatch.model import (
    MatchModel,
    TermFrequency,
    cannot_link,
    expectation_maximisation,
    must_link,
    pattern_counts,
    probability_from_weight,
)
from custmatch.model import core as model_core
from custmatch.normalize import normalize_frame
from custmatch.serialize import rule_from_dict, rule_to_dict


@pytest.fixture(scope="module")
def example() -> tuple[pd.DataFrame, pd.DataFrame]:
    records, truth = load_example()
    return normalize_frame(records), truth


@pytest.fixture(scope="module")
def fitted(example) -> MatchModel:
    return MatchModel().fit(example[0])


def _simulate(n: int, prior: float, m: list[np.ndarray], u: list[np.ndarray], seed: int,
              null_share: float = 0.1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    is_match = rng.random(n) < prior
    matrix = np.empty((n, len(m)), dtype=np.int8)
    for j, (mj, uj) in enumerate(zip(m, u, strict=True)):
        k = len(mj)
        draws = np.where(is_match, rng.choice(k, n, p=mj), rng.choice(k, n, p=uj))
        draws[rng.random(n) < null_share] = -1
        matrix[:, j] = draws
    return matrix


# ------------------------------------------------------------------ EM
def test_pattern_counts_equal_numpy_unique():
    rng = np.random.default_rng(1)
    matrix = rng.integers(-1, 3, size=(5000, 4)).astype(np.int8)
    patterns, counts = pattern_counts(matrix, [3, 3, 3, 3])
    expected, expected_counts = np.unique(matrix, axis=0, return_counts=True)
    assert patterns.tolist() == expected.tolist()
    assert counts.tolist() == expected_counts.tolist()
    assert counts.sum() == 5000


def test_em_recovers_known_m_u_and_prior():
    m = [np.array([0.05, 0.15, 0.8]), np.array([0.1, 0.9]), np.array([0.05, 0.1, 0.25, 0.6]),
         np.array([0.2, 0.8])]
    u = [np.array([0.9, 0.08, 0.02]), np.array([0.85, 0.15]),
         np.array([0.8, 0.15, 0.04, 0.01]), np.array([0.95, 0.05])]
    matrix = _simulate(400_000, 0.2, m, u, seed=3)
    patterns, counts = pattern_counts(matrix, [len(x) for x in m])
    start_m = [np.r_[0.3, np.full(len(x) - 1, 0.7 / (len(x) - 1))] for x in m]
    start_u = [np.r_[0.7, np.full(len(x) - 1, 0.3 / (len(x) - 1))] for x in m]
    result = expectation_maximisation(patterns, counts, start_m, start_u, 0.5,
                                      estimate_u=True, max_iterations=500)
    assert result.converged
    assert abs(result.prior - 0.2) < 0.01
    for j in range(len(m)):  # tolerance: 0.02 absolute per probability
        assert np.abs(result.m[j] - m[j]).max() < 0.02, (j, result.m[j])
        assert np.abs(result.u[j] - u[j]).max() < 0.02, (j, result.u[j])


def test_em_with_u_fixed_recovers_m_and_held_out_comparison_is_untouched():
    m = [np.array([0.1, 0.9]), np.array([0.05, 0.25, 0.7]), np.array([0.3, 0.7])]
    u = [np.array([0.9, 0.1]), np.array([0.9, 0.08, 0.02]), np.array([0.6, 0.4])]
    matrix = _simulate(200_000, 0.3, m, u, seed=5)
    patterns, counts = pattern_counts(matrix, [2, 3, 2])
    start = [np.array([0.5, 0.5]), np.array([0.2, 0.3, 0.5]), np.array([0.5, 0.5])]
    result = expectation_maximisation(patterns, counts, start, u, 0.5, fixed=[2])
    assert abs(result.prior - 0.3) < 0.01
    assert np.abs(result.m[0] - m[0]).max() < 0.02
    assert np.abs(result.m[1] - m[1]).max() < 0.02
    assert result.m[2].tolist() == [0.5, 0.5]


def test_em_on_no_pairs_returns_inputs_without_nan():
    result = expectation_maximisation(np.zeros((0, 1), np.int8), np.zeros(0, np.int64),
                                      [np.array([0.5, 0.5])], [np.array([0.9, 0.1])], 0.1)
    assert result.iterations == 0 and not result.converged
    assert result.m[0].tolist() == [0.5, 0.5]


def test_probability_from_weight_is_stable_at_extremes():
    p = probability_from_weight([-5000.0, -1.0, 0.0, 1.0, 5000.0])
    assert np.isfinite(p).all()
    assert p.tolist()[0] == 0.0 and p.tolist()[-1] == 1.0
    assert abs(p[1] - 1 / 3) < 1e-12 and p[2] == 0.5 and abs(p[3] - 2 / 3) < 1e-12


# ------------------------------------------------------------------ training on data
def test_fit_gives_finite_weights_for_every_level_including_unseen(example, fitted):
    weights = fitted.weights()
    assert np.isfinite(weights["weight"]).all()
    assert (weights.loc[weights["level"] >= 0, ["m", "u"]] > 0).all().all()
    for name in fitted.comparison_names:
        assert abs(fitted.m[name].sum() - 1) < 1e-9 and abs(fitted.u[name].sum() - 1) < 1e-9
    # agreeing exactly is evidence for a match, in every comparison the records hold values
    # for (the example has no identity numbers: that comparison keeps its starting weights)
    frame, _ = example
    assert frame["id_number"].isna().all()
    exact = weights[(weights["label"] == "exact")
                    & ~weights["comparison"].isin(["gender", "id_number"])]
    assert (exact["weight"] > 3).all()
    # half of all pairs share a gender: agreeing is weak evidence, disagreeing strong
    gender = weights[weights["comparison"] == "gender"].set_index("label")["weight"]
    assert 0 < gender["exact"] < 2 and gender["else"] < -5
    other = weights[(weights["label"] == "else")]
    assert (other["weight"] < 0).all()


def test_fit_scores_the_example_well(example, fitted):
    frame, truth = example
    scored = fitted.predict(frame)
    entity = truth.set_index("record_id")["entity_id"].reindex(frame["record_id"]).to_numpy()
    is_match = entity[scored["left"]] == entity[scored["right"]]
    chosen = scored["match_probability"].to_numpy() >= 0.9
    precision = (is_match & chosen).sum() / chosen.sum()
    recall = (is_match & chosen).sum() / is_match.sum()
    assert precision > 0.9 and recall > 0.85


def test_conditional_weights_lower_household_evidence(example):
    frame, truth = example
    with_cond = MatchModel().fit(frame)
    without = MatchModel(conditionals=[]).fit(frame)
    pairs = with_cond.candidate_pairs(frame)
    entity = truth.set_index("record_id")["entity_id"].reindex(frame["record_id"]).to_numpy()
    a = with_cond.predict(frame, pairs)
    b = without.predict(frame, pairs)
    same_address = (a["level_address"] == 4).to_numpy()
    wrong = entity[a["left"]] != entity[a["right"]]
    household = same_address & wrong
    assert household.sum() > 10
    assert a["match_weight"][household].mean() < b["match_weight"][household].mean() - 3
    merged_with = (a["match_probability"][household] >= 0.9).sum()
    merged_without = (b["match_probability"][household] >= 0.9).sum()
    assert merged_with < merged_without / 2
    assert with_cond.conditional_u[0]["surname"][-1] > with_cond.u["surname"][-1] * 10


def test_estimate_u_is_deterministic_per_seed(example):
    frame, _ = example
    a = MatchModel().estimate_u(frame, max_pairs=20_000, seed=1)
    b = MatchModel().estimate_u(frame, max_pairs=20_000, seed=1)
    c = MatchModel().estimate_u(frame, max_pairs=20_000, seed=2)
    assert all(np.array_equal(a.u[n], b.u[n]) for n in a.comparison_names)
    assert not all(np.array_equal(a.u[n], c.u[n]) for n in a.comparison_names)


def test_estimate_u_needs_two_records():
    with pytest.raises(InputError, match="at least two records"):
        MatchModel([Exact("x")], [block_on("x")]).estimate_u(pd.DataFrame({"x": ["a"]}))


def test_training_rule_that_makes_no_pairs_warns_and_keeps_start(example):
    frame, _ = example
    model = MatchModel([Exact("postcode"), Exact("city_key")], [block_on("postcode")],
                       cannot_link=[], term_frequencies=[], conditionals=[])
    model.estimate_u(frame, max_pairs=10_000)
    empty = frame.assign(nothing=None)
    with pytest.warns(Warning, match="made no pairs"):
        model.estimate_m(empty, [block_on("nothing")])
    assert np.isfinite(model.m["postcode"]).all()


def test_fit_labelled_from_truth(example):
    frame, truth = example
    model = MatchModel().estimate_u(frame)
    pairs = model.candidate_pairs(frame)
    model.fit_labelled(frame, pairs, truth)
    sizes = truth["entity_id"].value_counts().to_numpy()
    n = len(frame)
    assert model.prior == pytest.approx((sizes * (sizes - 1) / 2).sum() / (n * (n - 1) / 2))
    assert model.m["birth_date"][-1] > 0.5  # exact birth date among true matches


# ------------------------------------------------------------------ term frequencies
def test_term_frequency_lowers_frequent_and_raises_rare_values():
    frame = pd.DataFrame({"surname_key": ["jansen"] * 40 + ["tjoa"] * 2 + [f"s{i}" for i in
                                                                           range(58)]})
    model = MatchModel([Exact("surname_key", name="surname")], [block_on("surname_key")],
                       cannot_link=[], conditionals=[],
                       term_frequencies=[TermFrequency("surname", ("surname_key",))])
    model.m["surname"] = np.array([0.05, 0.95])
    model.u["surname"] = np.array([0.9, 0.1])
    scored = model.predict(frame, (np.array([0, 40]), np.array([1, 41])))
    base = np.log2(0.95 / 0.1) + model.prior_weight
    jansen, tjoa = scored["match_weight"].tolist()
    assert jansen == pytest.approx(base + np.log2(0.1 / 0.4))
    assert tjoa == pytest.approx(base + np.log2(0.1 / 0.02))
    assert jansen < base < tjoa


def test_term_frequency_with_key_function_and_bad_specs():
    frame = pd.DataFrame({"email_key": ["a@gmail.com", "b@gmail.com", "c@tjoa.nl", None]})
    freq = TermFrequency("email", ("email_key",), key="email_domain").frequencies(frame)
    assert freq[:3].round(3).tolist() == [0.667, 0.667, 0.333] and np.isnan(freq[3])
    with pytest.raises(ConfigError, match="unknown term frequency key"):
        TermFrequency("email", ("email_key",), key="nope")
    with pytest.raises(ConfigError, match="not among"):
        MatchModel(term_frequencies=[TermFrequency("nope", ("x",))])


# ------------------------------------------------------------------ predict
def test_predict_is_invariant_to_pair_order_and_chunking(example, fitted, monkeypatch):
    frame, _ = example
    pairs = fitted.candidate_pairs(frame)
    base = fitted.predict(frame, pairs)
    order = np.random.default_rng(0).permutation(len(pairs))
    shuffled = fitted.predict(frame, (pairs.left[order], pairs.right[order]))
    assert np.allclose(shuffled["match_weight"].to_numpy(), base["match_weight"].to_numpy()[order])
    monkeypatch.setattr(model_core, "_SCORE_CHUNK", 97)
    chunked = fitted.predict(frame, pairs)
    assert np.array_equal(chunked["match_weight"].to_numpy(), base["match_weight"].to_numpy())
    assert list(base.columns[:9]) == ["left", "right", "left_id", "right_id", "match_weight",
                                      "match_probability", "must_link", "cannot_link", "rule"]
    assert base["left_id"].astype(str).tolist()[:3] == \
        frame["record_id"].to_numpy()[pairs.left[:3]].tolist()


def test_predict_and_prior_reuse_given_levels_and_refuse_mismatched_ones(example, fitted):
    frame, _ = example
    pairs = fitted.candidate_pairs(frame)
    levels = fitted.compare(frame, pairs)
    given_levels = fitted.predict(frame, pairs, levels=levels)
    assert given_levels.equals(fitted.predict(frame, pairs))
    again = MatchModel.from_dict(fitted.to_dict())
    assert again.estimate_prior(frame, pairs, levels=levels).prior == \
        MatchModel.from_dict(fitted.to_dict()).estimate_prior(frame, pairs).prior
    short = fitted.compare(frame, (pairs.left[:5], pairs.right[:5]))
    with pytest.raises(InputError, match="do not fit"):
        fitted.predict(frame, pairs, levels=short)


def test_predict_threshold_keeps_only_pairs_above(example, fitted):
    frame, _ = example
    kept = fitted.predict(frame, threshold=0.99)
    assert len(kept) and (kept["match_probability"] >= 0.99).all()
    by_weight = fitted.predict(frame, threshold_weight=10)
    assert (by_weight["match_weight"] >= 10).all()
    with pytest.raises(ConfigError, match="probability"):
        fitted.predict(frame, threshold=2)


def test_must_link_and_cannot_link_override_the_score():
    frame = pd.DataFrame({"crm": ["C1", "C1", None, None], "kvk": ["1", "1", "2", "3"],
                          "name": ["a", "b", "c", "c"]})
    model = MatchModel([Exact("name")], [block_on("name")], term_frequencies=[],
                       conditionals=[], must_link=[must_link("crm")],
                       cannot_link=[cannot_link("kvk")], prior=0.5)
    model.m["name"], model.u["name"] = np.array([0.05, 0.95]), np.array([0.99, 0.01])
    scored = model.predict(frame)
    by_pair = {(int(a), int(b)): row for a, b, row in
               zip(scored["left"], scored["right"], scored.itertuples(), strict=True)}
    assert set(by_pair) == {(0, 1), (2, 3)}  # must-link pairs are candidates too
    assert by_pair[(0, 1)].match_probability == 1.0 and by_pair[(0, 1)].must_link
    assert by_pair[(0, 1)].rule == "must_link(crm)"
    assert by_pair[(2, 3)].match_probability == 0.0 and by_pair[(2, 3)].cannot_link
    assert by_pair[(2, 3)].match_weight > 0  # the score itself said match
    text = model.explain(frame, 2, 3).text()
    assert "cannot-link rule 'cannot_link(kvk)' holds" in text


def test_birth_dates_years_apart_cannot_link_but_typos_can(example):
    frame = pd.DataFrame({
        "record_id": ["a", "b", "c", "d"],
        "birth_date": pd.to_datetime(["1980-03-07", "1957-11-20", "1980-07-03", None]).date,
        "birth_year": [1980, 1957, 1980, None],
    })
    from custmatch.model import default_cannot_link

    rule = default_cannot_link()[0]
    assert rule.holds(frame, [0, 0, 0], [1, 2, 3]).tolist() == [True, False, False]




def test_the_same_identity_number_overrides_birth_dates_years_apart():
    frame = pd.DataFrame({
        "record_id": ["a", "b", "c", "d"],
        "birth_date": pd.to_datetime(["1980-03-07", "1957-11-20", "1957-11-20", None]).date,
        "birth_year": [1980, 1957, 1957, None],
        "id_number": ["NX4512KL", "NX4512KL", "NX4512KX", None],
    })
    from custmatch.compare import compare
    from custmatch.model import default_cannot_link, default_comparisons

    rule = default_cannot_link()[0]
    wanted = [c for c in default_comparisons() if c.name in ("birth_date", "id_number")]
    left, right = np.array([0, 0]), np.array([1, 2])
    levels = compare(frame, left, right, wanted)
    by_name = {n: levels.matrix[:, j] for j, n in enumerate(levels.names)}
    # same number: one of the dates is wrong; one typo apart is not enough
    assert rule.holds(frame, left, right, by_name).tolist() == [False, True]
    # without the levels (or without an id_number comparison) the rule holds as before
    assert rule.holds(frame, left, right).tolist() == [True, True]
    from custmatch.model.rules import rule_from_dict as link_rule_from_dict
    from custmatch.model.rules import rule_to_dict as link_rule_to_dict

    assert link_rule_from_dict(json.loads(json.dumps(link_rule_to_dict(rule)))) == rule


def test_unless_names_known_levels_only():
    from custmatch.compare.person import BirthDate
    from custmatch.model import cannot_link_on

    with pytest.raises(ConfigError, match="needs levels among"):
        cannot_link_on(BirthDate(), ("else",), unless={Exact("passport"): ("same",)})
    with pytest.raises(ConfigError, match="comparison, levels"):
        model_core.CannotLink(comparison=BirthDate(), levels=("else",),
                              unless=(("passport", ("exact",)),))
# ------------------------------------------------------------------ explain
def test_explain_waterfall_adds_up(example, fitted):
    frame, _ = example
    scored = fitted.predict(frame, threshold=0.99)
    row = scored.iloc[0]
    explanation = fitted.explain(frame, str(row["left_id"]), str(row["right_id"]))
    waterfall = explanation.waterfall()
    assert waterfall["cumulative"].iloc[-1] == pytest.approx(row["match_weight"])
    assert explanation.match_probability == pytest.approx(row["match_probability"])
    text = str(explanation)
    assert all(name in text for name in fitted.comparison_names)
    shown = explanation.table[explanation.table["level"] >= 0]  # m and u are those applied
    assert np.allclose(np.log2(shown["m"]) - np.log2(shown["u"]), shown["weight"])
    assert (explanation.table.loc[explanation.table["level"] < 0, "weight"] == 0).all()
    with pytest.raises(InputError, match="not found"):
        fitted.explain(frame, "no-such-id", str(row["right_id"]))


# ------------------------------------------------------------------ save / load
def test_save_load_round_trip_gives_identical_weights(example, fitted, tmp_path):
    frame, _ = example
    path = fitted.save(tmp_path / "model.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == 1 and data["format"] == "custmatch.MatchModel"
    loaded = MatchModel.load(path)
    new_data = frame.sample(frac=0.5, random_state=1)
    a = fitted.predict(new_data)
    b = loaded.predict(new_data)
    assert np.array_equal(a["match_weight"].to_numpy(), b["match_weight"].to_numpy())
    assert [r.name for r in loaded.blocking_rules] == [r.name for r in default_rules()]
    assert loaded.to_dict() == fitted.to_dict()


def test_load_rejects_bad_files(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="cannot read"):
        MatchModel.load(bad)
    bad.write_text(json.dumps({"format": "custmatch.MatchModel", "version": 99}))
    with pytest.raises(ModelError, match="version 99"):
        MatchModel.load(bad)
    bad.write_text(json.dumps([1, 2]))
    with pytest.raises(ModelError, match="JSON object"):
        MatchModel.load(bad)


def test_rules_with_user_functions_refuse_to_save():
    from custmatch.block import derived

    model = MatchModel(blocking_rules=[block_on(derived("email_key", len, "length"))])
    with pytest.raises(ConfigError, match="user function"):
        model.to_dict()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["postcode", "city", "surname_key", "email_key"]),
                min_size=1, max_size=3, unique=True),
       st.integers(1, 6))
def test_blocking_rule_descriptions_round_trip(columns, length):
    rule = block_on(substr(columns[0], length), *columns[1:])
    assert rule_from_dict(json.loads(json.dumps(rule_to_dict(rule)))).name == rule.name


# ------------------------------------------------------------------ link mode and errors
def test_link_mode_fits_and_scores_across_frames(example):
    frame, _ = example
    half = len(frame) // 2
    frames = {"a": frame.iloc[:half], "b": frame.iloc[half:]}
    model = MatchModel().fit(frames)
    scored = model.predict(frames)
    assert len(scored)
    assert ((scored["left"] < half) & (scored["right"] >= half)).all()


def test_bad_configuration_errors():
    with pytest.raises(ConfigError, match="prior"):
        MatchModel(prior=1.5)
    with pytest.raises(ConfigError, match="at least one comparison"):
        MatchModel([])
    with pytest.raises(ConfigError, match="unique"):
        MatchModel([Exact("a"), Exact("a")])
    with pytest.raises(InputError, match="needs columns 'left' and 'right'"):
        MatchModel([Exact("a")], [block_on("a")]).predict(pd.DataFrame({"a": ["x"]}),
                                                          pd.DataFrame({"l": [0]}))


def test_plots_draw_with_matplotlib(example, fitted):
    pytest.importorskip("matplotlib", reason="matplotlib (the plot extra) is not installed")
    import matplotlib

    matplotlib.use("Agg")
    frame, _ = example
    row = fitted.predict(frame, threshold=0.99).iloc[0]
    fig = fitted.plot_weights()
    assert len(fig.axes[0].patches) == (fitted.weights()["level"] >= 0).sum()
    explanation = fitted.explain(frame, str(row["left_id"]), str(row["right_id"]))
    fig = explanation.plot()
    assert len(fig.axes[0].patches) == len(explanation.waterfall())


# ------------------------------------------------------------------ Dutch household evidence
def test_disagreement_levels_may_keep_a_negative_weight():
    from custmatch.compare.person import BirthDate

    model = MatchModel([BirthDate()], [block_on("birth_date")], cannot_link=[],
                       term_frequencies=[], conditionals=[])
    model.u["birth_date"] = np.array([0.8, 0.1, 0.05, 0.02, 0.02, 0.01])
    m = np.array([0.05, 0.01, 0.01, 0.01, 0.02, 0.9])  # same_year, one_digit below u
    with pytest.warns(Warning, match=r"\['same_year', 'one_digit'\]"):
        guarded = model._guard_m(model.comparisons[0], m)
    # within_2_years is a partial disagreement (another date): its m stays below u
    assert np.allclose(guarded, np.array([0.05, 0.01, 0.05, 0.02, 0.02, 0.9]) / 1.05)
    # a level no training pair showed (no year-only dates in the data) is set to u quietly
    unseen = np.array([False, False, True, False, False, False])
    with pytest.warns(Warning, match=r"\['one_digit'\]") as caught:
        model._guard_m(model.comparisons[0], m, unseen=unseen)
    assert len(caught) == 1


def _households(n_people: int = 400, seed: int = 0) -> pd.DataFrame:
    """Two records per person; people come in pairs of partners who share an e-mail
    address, a postcode and a surname, but not a first name, a mobile or a birth date.
    One record in twenty carries a typo in one of the personal fields."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(n_people):
        family = p // 2
        for _ in range(2):
            row = {"first_name": f"f{p}", "mobile": f"m{p}", "birth": f"b{p}",
                   "surname": f"s{family}", "postcode": f"pc{family}", "email": f"e{family}"}
            if rng.random() < 0.05:
                row[str(rng.choice(["first_name", "mobile", "birth"]))] = f"typo{p}"
            rows.append(row)
    return pd.DataFrame(rows)


def test_block_u_keeps_family_mailboxes_from_teaching_em_that_names_may_differ():
    frame = _households()
    comparisons = [Exact(c) for c in ("first_name", "mobile", "birth", "surname",
                                      "postcode", "email")]

    def fitted_m(block_u: bool) -> float:
        model = MatchModel(comparisons, [block_on("email")], cannot_link=[],
                           term_frequencies=[], conditionals=[])
        model.estimate_u(frame, seed=0).estimate_m(frame, [block_on("email")],
                                                   block_u=block_u)
        return float(model.m["first_name"][0])  # first names disagree among matches

    # truth: under 2% of one person's record pairs disagree on the first name; with the u
    # of random pairs, EM takes the partners sharing a mailbox for matches
    assert fitted_m(block_u=True) < 0.05
    assert fitted_m(block_u=False) > 0.3


def test_conditionals_train_where_no_earlier_one_holds_and_may_keep_m(example, monkeypatch):
    frame, _ = example
    seen: list[np.ndarray] = []
    real = model_core.expectation_maximisation

    def spy(patterns, *args, **kwargs):
        if kwargs.get("estimate_u") not in (True, False):  # the conditional runs
            seen.append(np.asarray(patterns))
        return real(patterns, *args, **kwargs)

    model = MatchModel().estimate_u(frame).estimate_m(frame)
    monkeypatch.setattr(model_core, "expectation_maximisation", spy)
    model.estimate_conditionals(frame)
    names = model.comparison_names
    address = model.comparisons[names.index("address")]
    household = [address.labels.index(x) for x in ("exact", "other_addition",
                                                    "same_street_number")]
    assert [c.name for c in model.conditionals] == [
        "address=exact/same_street_number -> surname, phone, email, birth_date",
        "phone=shared_landline -> surname, email", "surname=exact -> email"]
    assert len(seen) == 3
    assert np.isin(seen[0][:, names.index("address")], household).all()
    for later in seen[1:]:  # never trained on pairs the address conditional covers
        assert not np.isin(later[:, names.index("address")], household).any()
    assert not (seen[2][:, names.index("phone")] == 2).any()  # nor the landline one
    for k in (1, 2):  # estimate_m=False: the unconditional m, guarded against the new u
        assert not model.conditionals[k].estimate_m
        for name, m in model.conditional_m[k].items():
            comparison = model.comparisons[names.index(name)]
            expected = model._guard_m(comparison, model.m[name], model.conditional_u[k][name],
                                      quiet=True)
            assert np.array_equal(m, expected)


def test_conditional_descriptions_round_trip_and_default_to_estimating_m():
    from custmatch.model.conditional import Conditional, default_conditionals

    for cond in default_conditionals():
        assert Conditional.from_dict(cond.to_dict()) == cond
    older = {k: v for k, v in default_conditionals()[1].to_dict().items() if k != "estimate_m"}
    assert Conditional.from_dict(older).estimate_m is True


def test_predict_gives_the_evidence_without_the_prior(example, fitted):
    frame, _ = example
    scored = fitted.predict(frame)
    assert list(scored.columns[-1:]) == ["evidence_weight"]
    assert np.array_equal(scored["evidence_weight"].to_numpy(),
                          scored["match_weight"].to_numpy() - fitted.prior_weight)


def test_models_saved_before_new_levels_load_with_their_old_levels(example, fitted):
    frame, _ = example
    data = json.loads(json.dumps(fitted.to_dict()))
    old = {"phone": ("other_kind",), "first_name": ("all_initials", "short_names", "swapped"),
           "surname": ("swapped",)}
    for spec in data["comparisons"]:
        if spec["name"] in old:
            added = set(old[spec["name"]])
            for field in added:
                del spec["fields"][field]
            keep = [i for i, label in enumerate(spec["labels"])
                    if label not in ("other_kind", "all_initials", "short_name", "swapped")]
            spec["labels"] = [spec["labels"][i] for i in keep]
            for target in ("m", "u"):
                values = np.array(spec[target])[keep]
                spec[target] = (values / values.sum()).tolist()
    for cond in data["conditionals"]:
        cond["m"], cond["u"] = {}, {}  # trained on the new levels; not part of this check
    loaded = MatchModel.from_dict(data)
    by_name = {c.name: c for c in loaded.comparisons}
    assert by_name["phone"].labels == ("else", "shared_landline", "shared_mobile")
    assert by_name["first_name"].labels == ("else", "initials", "similar", "nickname", "exact")
    assert by_name["surname"].labels == ("else", "similar", "either_part", "phonetic", "exact")
    scored = loaded.predict(frame)
    assert scored["level_phone"].max() <= 2 and np.isfinite(scored["match_weight"]).all()


def test_default_term_frequencies():
    from custmatch.model import default_term_frequencies

    assert [(t.comparison, t.columns, t.levels) for t in default_term_frequencies()] == [
        ("first_name", ("first_name",), ("exact",)),
        ("surname", ("surname_key",), ("exact",)),
        # street frequency only for "same street": at the same number the address is rare
        ("address", ("street_key", "city_key"), ("same_street",)),
        ("organisation", ("organisation",), ("exact",)),
    ]


def test_default_model_fits_records_without_business_or_gender_columns(example):
    frame, _ = example
    persons = frame.drop(columns=[c for c in ("organisation", "kvk_number", "gender")
                                  if c in frame.columns])
    model = MatchModel().fit(persons)
    scored = model.predict(persons)
    assert (scored["level_organisation"] == -1).all() and (scored["level_gender"] == -1).all()
    assert np.isfinite(scored["match_weight"]).all()
    explained = model.explain(persons, scored["left_id"].iloc[0], scored["right_id"].iloc[0])
    assert explained.table.set_index("comparison").loc["organisation", "left_value"] == "-"


def test_score_levels_gives_the_numbers_of_score(example, fitted):
    frame, _ = example
    pairs = fitted.candidate_pairs(frame)
    scored = fitted.score(frame, pairs)
    levels = np.column_stack([scored[f"level_{n}"].to_numpy() for n in fitted.comparison_names])
    arrays = fitted.score_levels(frame, scored["left"].to_numpy(), scored["right"].to_numpy(),
                                 levels.astype(np.int8), fitted._frequencies(frame))
    assert len(arrays) == len(scored) and len(model_core.PairScores.empty()) == 0
    assert np.array_equal(arrays.match_weight, scored["match_weight"].to_numpy())
    assert np.array_equal(arrays.match_probability, scored["match_probability"].to_numpy())
    assert np.array_equal(arrays.evidence_weight, scored["evidence_weight"].to_numpy())
    assert np.array_equal(arrays.cannot_link, scored["cannot_link"].to_numpy())
    assert (arrays.cannot_rule[arrays.cannot_link] > 0).all()
    assert (arrays.cannot_rule[~arrays.cannot_link] == 0).all()
