from __future__ import annotations

import pytest

from custmatch.errors import (
    ConfigError,
    CustmatchError,
    InputError,
    ModelError,
    SchemaError,
    show_value,
)


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [(SchemaError, ValueError), (InputError, ValueError), (ConfigError, ValueError),
     (ModelError, RuntimeError)],
)
def test_error_classes_derive_from_root_and_builtin(cls: type, builtin: type) -> None:
    err = cls("column 'postcode' missing")
    assert isinstance(err, CustmatchError)
    assert isinstance(err, builtin)
    assert str(err) == "column 'postcode' missing"


def test_show_value_truncates_long_values_and_keeps_short_ones() -> None:
    assert show_value("1234 AB") == "'1234 AB'"
    shown = show_value("x" * 100, limit=10)
    assert len(shown) == 10
    assert shown.endswith("…")
