"""Tests for the bundled example data set."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custmatch.datasets import generate_customers, load_example
from custmatch.datasets.example import EXAMPLE_ENTITIES, EXAMPLE_SEED, write_example
from custmatch.datasets.generator import RECORD_COLUMNS, TRUTH_COLUMNS


def test_load_example_shape_and_alignment() -> None:
    records, truth = load_example()
    assert 1_800 <= len(records) <= 2_300
    assert tuple(records.columns) == RECORD_COLUMNS
    assert tuple(truth.columns) == TRUTH_COLUMNS
    assert (records.record_id == truth.record_id).all()
    assert truth.entity_id.nunique() == EXAMPLE_ENTITIES
    assert all(pd.api.types.is_object_dtype(d) for d in records.dtypes)
    values = records.drop(columns="record_id").stack(future_stack=True)
    assert values.map(lambda v: (isinstance(v, str) and v != "") or v is np.nan).all()
    assert (truth.corruptions == "").any() and truth.corruptions.notna().all()


def test_bundled_files_match_the_generator() -> None:
    records, truth = load_example()
    fresh_records, fresh_truth = generate_customers(EXAMPLE_ENTITIES, seed=EXAMPLE_SEED)
    pd.testing.assert_frame_equal(records, fresh_records)
    pd.testing.assert_frame_equal(truth, fresh_truth)


def test_write_example_to_a_directory(tmp_path) -> None:
    rec_path, truth_path = write_example(tmp_path)
    assert rec_path.exists() and truth_path.exists()
    back = pd.read_csv(rec_path, dtype=str, keep_default_na=False, na_values=[""])
    assert len(back) == len(load_example()[0])
