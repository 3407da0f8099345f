from __future__ import annotations

import custmatch


def test_all_is_sorted_and_every_name_exists() -> None:
    names = [n for n in custmatch.__all__ if n != "__version__"]
    assert names == sorted(names)
    for name in custmatch.__all__:
        assert hasattr(custmatch, name), name


def test_public_surface_is_what_we_promise() -> None:
    assert {"CustmatchError", "generate_customers", "load_febrl", "infer_columns",
            "validate_records"} <= set(custmatch.__all__)
    assert isinstance(custmatch.__version__, str)
