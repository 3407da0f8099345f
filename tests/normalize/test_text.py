from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from custmatch.normalize.text import (
    dutch_title,
    fold_accents,
    map_unique,
    preclean,
    text_key,
    word_key,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Jansen  -  de Vries ", "Jansen - de Vries"),
        ("Jansen–de Vries", "Jansen-de Vries"),
        ("van ’t Hof", "van 't Hof"),
        ("d`Ancona", "d'Ancona"),
        ("ĳmuiden", "ijmuiden"),
        ("a\u00a0b", "a b"),
        ("a\tb\nc", "a b c"),
        ("zero\u200bwidth", "zerowidth"),
        ("", None),
        ("   ", None),
        (None, None),
        (float("nan"), None),
        (12.0, "12"),
        (12.5, "12.5"),
        (7, "7"),
        (pd.NA, None),
    ],
)
def test_preclean(raw: object, expected: str | None) -> None:
    assert preclean(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("'S-GRAVENHAGE", "'s-Gravenhage"),
        ("ijmuiden", "IJmuiden"),
        ("IJSSELSTEIN", "IJsselstein"),
        ("van 't hof", "Van 't Hof"),
        ("d'ancona", "d'Ancona"),
        ("o'neill", "O'Neill"),
        ("jan-willem", "Jan-Willem"),
        ("straße", "Straße"),
        ("ßtraße", "ßtraße"),
    ],
)
def test_dutch_title(raw: str, expected: str) -> None:
    assert dutch_title(raw) == expected


def test_dutch_title_keeps_small_words_lower_except_first() -> None:
    small = {"aan", "den", "op"}
    assert dutch_title("CAPELLE AAN DEN IJSSEL", small) == "Capelle aan den IJssel"
    assert dutch_title("den helder", small) == "Den Helder"


def test_keys_fold_case_accents_and_punctuation() -> None:
    assert fold_accents("Coöperatie Hoëvell") == "Cooperatie Hoevell"
    assert word_key(" Van der BERG-Müller ") == "van der berg muller"
    assert text_key("St.-Jans straat") == "stjansstraat"
    assert word_key("...") is None


def test_map_unique_broadcasts_and_passes_null_once() -> None:
    calls: list[object] = []

    def upper(v: object) -> object:
        calls.append(v)
        return v.upper() if isinstance(v, str) else "<null>"

    assert map_unique(["a", "b", "a", None, None], upper) == ["A", "B", "A", "<null>", "<null>"]
    assert calls == ["a", "b", None]


@given(st.text())
def test_preclean_is_idempotent_and_total(text: str) -> None:
    once = preclean(text)
    assert once is None or preclean(once) == once


@given(st.text())
def test_dutch_title_is_idempotent_and_total(text: str) -> None:
    once = dutch_title(text)
    assert once is None or dutch_title(once) == once


@given(st.text())
def test_keys_are_total_and_idempotent(text: str) -> None:
    key = word_key(text)
    assert key is None or word_key(key) == key
    compact = text_key(text)
    assert compact is None or " " not in compact


def test_map_unique_keeps_strings_apart_that_differ_after_a_nul() -> None:
    nul = chr(0)
    assert map_unique([nul + "a", nul + "b", nul + "a"], lambda v: v) == [
        nul + "a", nul + "b", nul + "a"]


def test_factorize_text_separates_nul_strings_and_handles_every_null() -> None:
    from custmatch.normalize.text import factorize_text

    nul = chr(0)
    codes, uniques = factorize_text(pd.Series(["", nul + "0", None, pd.NA, float("nan"), ""],
                                              dtype=object))
    assert codes.tolist() == [0, 1, -1, -1, -1, 0]
    assert uniques.tolist() == ["", nul + "0"]


def test_factorize_text_keeps_a_string_apart_from_its_nul_extension() -> None:
    from custmatch.normalize.text import factorize_text

    nul = chr(0)
    values = ["a", "a" + nul + "b", "b", "a", None, "a" + nul + "b"]
    codes, uniques = factorize_text(pd.Series(values, dtype=object))
    assert codes.tolist() == [0, 1, 2, 0, -1, 1]
    assert uniques.tolist() == ["a", "a" + nul + "b", "b"]


@given(st.lists(st.one_of(st.none(), st.text(alphabet="ab\x00", max_size=3), st.integers(0, 2),
                          st.floats(allow_nan=True)), max_size=30))
def test_factorize_text_codes_match_a_dict_of_distinct_values(values: list[object]) -> None:
    from custmatch.normalize.text import factorize_text

    codes, uniques = factorize_text(pd.Series(values, dtype=object))
    for value, code in zip(values, codes, strict=True):
        if value is None or (isinstance(value, float) and value != value):
            assert code == -1
        else:
            assert uniques[code] == value


@given(st.lists(st.one_of(st.none(), st.text(alphabet="ab\x00", max_size=3)), max_size=30),
       st.sampled_from(["string[pyarrow]", "large_string[pyarrow]"]))
def test_factorize_text_of_arrow_strings_keeps_nul_strings_apart(values: list[object],
                                                                dtype: str) -> None:
    """pyarrow-backed texts (as pandas 3 reads them) are factorized by their bytes: strings
    that differ after a NUL get their own codes."""
    pytest.importorskip("pyarrow")
    from custmatch.normalize.text import factorize_text

    codes, uniques = factorize_text(pd.Series(values, dtype=object).astype(dtype))
    distinct = list(dict.fromkeys(v for v in values if v is not None))
    assert [None if c < 0 else uniques[c] for c in codes] == values
    assert len(uniques) == len(distinct)


@given(st.text(max_size=12))
def test_fold_accents_of_ascii_text_is_the_text_and_matches_the_decomposition(text: str) -> None:
    """The ASCII shortcut gives what removing the combining marks of the NFKD form gives."""
    import unicodedata

    from custmatch.normalize.text import fold_accents

    decomposed = unicodedata.normalize("NFKD", text)
    expected = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    assert fold_accents(text) == expected
    ascii_text = text.encode("ascii", "ignore").decode()
    assert fold_accents(ascii_text) == ascii_text


def _fail() -> int:
    raise ValueError("no")


def test_in_background_gives_the_value_and_recomputes_when_the_child_fails() -> None:
    import numpy as np

    from custmatch.normalize.text import in_background

    assert in_background(lambda: 6 * 7).result() == 42
    assert in_background(lambda: 6 * 7, enabled=False).result() == 42
    big = in_background(lambda: np.arange(1_000_000), pack=lambda a: a * 2,
                        unpack=lambda a: a // 2).result()
    assert int(big.sum()) == 499999500000
    assert in_background(lambda: (lambda: 3)).result()() == 3  # unpicklable: computed here
    with pytest.raises(ValueError, match="no"):
        in_background(_fail).result()  # the parent recomputes and raises the error itself


def test_in_background_cancel_stops_the_child() -> None:
    import time

    from custmatch.normalize.text import in_background

    task = in_background(lambda: time.sleep(60))
    start = time.perf_counter()
    task.cancel()
    assert time.perf_counter() - start < 10
