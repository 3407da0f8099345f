"""End to end: deduplicate() / link() on the bundled example and on small hand-made frames."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import custmatch
from custmatch import ConfigError, InputError, SchemaError, Settings
from custmatch.pipeline import Result, deduplicate, link
from custmatch.survive import field, most_recent, source_priority

# The example's F1 with the defaults is about 0.92 (precision 0.996); a fixed floor below it
# catches a regression in any stage.
EXAMPLE_F1_FLOOR = 0.90
EXAMPLE_PRECISION_FLOOR = 0.98


@pytest.fixture(scope="module")
def example() -> tuple[pd.DataFrame, pd.DataFrame]:
    return custmatch.load_example()


@pytest.fixture(scope="module")
def result(example: tuple[pd.DataFrame, pd.DataFrame]) -> Result:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return deduplicate(example[0], progress=False)


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


def test_every_record_in_exactly_one_cluster(result: Result,
                                             example: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    records = example[0]
    assert len(result.clusters) == len(records)
    assert sorted(result.clusters["record_id"]) == sorted(records["record_id"].astype(str))
    assert not result.clusters["record_id"].duplicated().any()
    assert result.clusters["cluster_id"].notna().all()


def test_golden_count_equals_cluster_count(result: Result) -> None:
    assert len(result.golden) == result.clusters["cluster_id"].nunique()
    assert set(result.golden["golden_id"]) == set(result.clusters["cluster_id"])
    sizes = result.clusters.groupby("cluster_id").size()
    golden = result.golden.set_index("golden_id")["n_records"]
    assert (golden.loc[sizes.index].to_numpy() == sizes.to_numpy()).all()


def test_quality_against_the_truth_is_above_the_floor(
        result: Result, example: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    m = result.metrics(example[1])
    assert m["f1"] >= EXAMPLE_F1_FLOOR
    assert m["precision"] >= EXAMPLE_PRECISION_FLOOR
    assert m["candidate_pairs"] == len(result.pairs)
    assert 0.95 <= m["pair_completeness"] <= 1.0


def test_result_parts_are_consistent(result: Result) -> None:
    assert set(result.timings) == {"normalize", "block", "compare", "train", "score",
                                   "cluster", "survive"}
    assert result.model.trained["m"] and result.model.trained["u"]
    assert result.settings.model is result.model
    assert {"left_id", "right_id", "match_weight", "match_probability"} <= set(result.pairs)
    assert result.pairs["match_probability"].between(0, 1).all()
    assert set(result.clusters.columns) >= {"record_id", "source", "cluster_id", "household_id"}
    assert len(result.quality) > 0 and len(result.blocking) > 0
    linked = result.pairs[result.pairs["match_probability"] >= 0.95]
    cluster_of = result.clusters.set_index("record_id")["cluster_id"]
    # a linked pair that the chaining guard did not cut ends in one cluster
    same = (cluster_of.loc[linked["left_id"].astype(str)].to_numpy()
            == cluster_of.loc[linked["right_id"].astype(str)].to_numpy())
    assert same.mean() > 0.98
    assert "golden records" in result.summary()
    assert repr(result).startswith("Result(2,053 records")


def test_explain_names_both_records(result: Result) -> None:
    row = result.pairs.iloc[0]
    explanation = result.explain(str(row["left_id"]), str(row["right_id"]))
    assert explanation.left_id == str(row["left_id"])
    assert explanation.match_probability == pytest.approx(row["match_probability"])


def test_saved_settings_repeat_the_run_exactly(result: Result, tmp_path,
                                                example: tuple[pd.DataFrame, pd.DataFrame]
                                                ) -> None:
    path = result.settings.save(tmp_path / "settings.json")
    again = _quiet(deduplicate, example[0], settings=Settings.load(path), progress=False)
    assert again.timings["train"] < result.timings["train"]  # applied, not trained again
    assert (again.clusters["cluster_id"].to_numpy() == result.clusters["cluster_id"].to_numpy()
            ).all()
    np.testing.assert_array_equal(again.pairs["match_weight"].to_numpy(),
                                  result.pairs["match_weight"].to_numpy())


def test_the_same_input_gives_the_same_run(result: Result,
                                           example: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    shuffled = example[0].sample(frac=1.0, random_state=3)
    again = _quiet(deduplicate, shuffled, progress=False)
    left = result.clusters.set_index("record_id")["cluster_id"]
    right = again.clusters.set_index("record_id")["cluster_id"]
    agree = (left.loc[right.index] == right).mean()
    assert agree > 0.99  # training samples depend on row order; ids are content-based


def test_previous_run_keeps_golden_ids(result: Result,
                                       example: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    records = example[0]
    old = records.iloc[: len(records) - 100]
    first = _quiet(deduplicate, old, settings=result.settings, progress=False)
    second = _quiet(deduplicate, records, settings=result.settings, previous=first,
                    progress=False)
    kept = second.clusters.set_index("record_id")["cluster_id"].loc[first.clusters["record_id"]]
    assert (kept.to_numpy() == first.clusters["cluster_id"].to_numpy()).mean() > 0.97
    assert len(second.events) > 0


def test_threshold_argument_overrides_settings(example: tuple[pd.DataFrame, pd.DataFrame],
                                               result: Result) -> None:
    strict = _quiet(deduplicate, example[0], settings=result.settings, threshold=0.999999,
                    progress=False)
    assert strict.settings.threshold == 0.999999
    assert len(strict.golden) >= len(result.golden)


def test_survivorship_specs_are_used_and_saved(example: tuple[pd.DataFrame, pd.DataFrame],
                                               result: Result, tmp_path) -> None:
    specs = [field("phone", source_priority(["finance"]), most_recent())]
    run = _quiet(deduplicate, example[0], settings=result.settings, survivorship=specs,
                 progress=False)
    assert "phone" in run.golden.columns and "email" not in run.golden.columns
    loaded = Settings.load(run.settings.save(tmp_path / "s.json"))
    assert loaded.survivorship == specs


def test_link_names_sources_and_keeps_unique_ids(example: tuple[pd.DataFrame, pd.DataFrame],
                                                  result: Result) -> None:
    records, truth = example
    parts = {name: part.drop(columns=["source"]) for name, part in records.groupby("source")}
    linked = _quiet(link, parts, settings=result.settings, progress=False)
    assert sorted(linked.records["source"].unique()) == sorted(parts)
    assert set(linked.clusters["record_id"]) == set(records["record_id"])
    assert linked.metrics(truth)["f1"] >= EXAMPLE_F1_FLOOR


def test_link_prefixes_ids_that_repeat_across_sources() -> None:
    crm = pd.DataFrame({"id": ["1", "2"], "Voornaam": ["Jan", "Piet"],
                        "Achternaam": ["Berg", "Vries"], "Postcode": ["1234AB", "9999ZZ"],
                        "Huisnr": ["1", "2"]})
    shop = pd.DataFrame({"id": ["1"], "first_name": ["Jan"], "last name": ["van den Berg"],
                         "zip": ["1234 ab"], "house number": ["1"]})
    with pytest.warns(custmatch.CustmatchWarning, match="prefixed with its source name"):
        linked = link({"crm": crm, "webshop": shop}, progress=False)
    assert sorted(linked.clusters["record_id"]) == ["crm:1", "crm:2", "webshop:1"]
    assert sorted(linked.records["source_record_id"]) == ["1", "1", "2"]
    assert linked.records.set_index("record_id").loc["webshop:1", "surname"] == "Berg"


def test_link_takes_a_column_mapping_per_source() -> None:
    crm = pd.DataFrame({"k": ["c1"], "anaam_klant": ["Jansen"], "pc": ["1234AB"]})
    shop = pd.DataFrame({"k": ["w1"], "naam2": ["Jansen"], "pc": ["1234 AB"]})
    columns = {"crm": {"record_id": "k", "surname": "anaam_klant"},
               "shop": {"record_id": "k", "surname": "naam2"}}
    linked = _quiet(link, {"crm": crm, "shop": shop}, columns=columns, progress=False)
    assert linked.records["surname"].tolist() == ["Jansen", "Jansen"]


def test_one_record_is_its_own_golden_record() -> None:
    one = pd.DataFrame({"record_id": ["a"], "voornaam": ["Jan"], "achternaam": ["Jansen"]})
    run = deduplicate(one, progress=False)
    assert run.clusters["record_id"].tolist() == ["a"]
    assert len(run.golden) == 1 and len(run.pairs) == 0
    assert not run.model.trained["m"]


@pytest.mark.parametrize(("records", "error", "message"), [
    ("not a frame", InputError, "must be a pandas DataFrame"),
    (pd.DataFrame({"voornaam": pd.Series([], dtype=object)}), InputError, "empty"),
    (pd.DataFrame(), SchemaError, "no columns"),
    (pd.DataFrame({"kleur": ["rood"], "maat": ["L"]}), SchemaError, "no recognisable"),
    (pd.DataFrame({"record_id": ["a", "a"], "achternaam": ["X", "Y"]}), SchemaError,
     "duplicated id"),
])
def test_bad_input_names_the_problem(records: object, error: type[Exception],
                                     message: str) -> None:
    with pytest.raises(error, match=message):
        deduplicate(records, progress=False)  # type: ignore[arg-type]


def test_bad_settings_are_refused() -> None:
    records = pd.DataFrame({"achternaam": ["X", "Y"]})
    with pytest.raises(ConfigError, match="threshold"):
        deduplicate(records, threshold=1.5, progress=False)
    with pytest.raises(ConfigError, match="unknown setting"):
        deduplicate(records, settings={"treshold": 0.9}, progress=False)
    with pytest.raises(InputError, match="non-empty dict"):
        link({}, progress=False)
    with pytest.raises(InputError, match="previous"):
        deduplicate(records, previous="run-1", progress=False)  # type: ignore[arg-type]


def test_garbage_values_are_kept_not_dropped() -> None:
    records = pd.DataFrame({
        "record_id": ["a", "b", "c", "d"],
        "naam": ["\x00\x01", "Jan Jansen", "𝔍𝔞𝔫 ✓", None],
        "postcode": ["????", "1234 AB", "1234ab", ""],
        "telefoon": ["06-12345678", "0612345678", "abc", "+31 6 1234 5678"],
    })
    run = _quiet(deduplicate, records, progress=False)
    assert sorted(run.clusters["record_id"]) == ["a", "b", "c", "d"]
    assert run.golden["n_records"].sum() == 4


def test_bsn_columns_are_masked_unless_allowed() -> None:
    records = pd.DataFrame({"record_id": ["a", "b"], "achternaam": ["Jansen", "Bakker"],
                            "sofinummer": ["123456782", "111222333"]})
    with pytest.warns(custmatch.CustmatchWarning, match=r"\['sofinummer'\] look like BSNs"):
        run = deduplicate(records, progress=False)
    assert run.records["sofinummer"].tolist() == ["*********", "*********"]
    assert "123456782" not in run.golden.to_string() + run.lineage.to_string()
    kept = _quiet(deduplicate, records, settings={"allow_bsn": True}, progress=False)
    assert kept.records["sofinummer"].tolist() == ["123456782", "111222333"]


def test_training_on_few_records_warns() -> None:
    records = pd.DataFrame({"achternaam": ["Jansen", "Jansen", "Bakker"],
                            "postcode": ["1234AB", "1234 AB", "9999ZZ"]})
    with pytest.warns(custmatch.CustmatchWarning, match="training on only 3 records"):
        deduplicate(records, progress=False)


def test_a_trained_model_gives_the_same_clusters_in_any_row_order(
        result: Result, example: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    shuffled = example[0].sample(frac=1.0, random_state=5)
    again = _quiet(deduplicate, shuffled, settings=result.settings, progress=False)
    left = result.clusters.set_index("record_id")["cluster_id"]
    right = again.clusters.set_index("record_id")["cluster_id"]
    assert (left.loc[right.index] == right).all()


def test_changes_for_sources_from_a_result(result: Result) -> None:
    changes = result.changes()
    assert len(changes) > 0
    assert set(changes["record_id"]) <= set(result.clusters["record_id"])
