"""Small coded fields from source exports: gender and marketing consent.

Both are read with a word list (data files ``gender_values.txt`` and ``consent_values.txt``),
matched on :func:`custmatch.normalize.text.word_key`, so case, accents and punctuation do not
matter (``"Mevr."``, ``"MEVROUW"``, ``"Opt-In"``). Anything not listed gives ``None``: these
functions never guess.

* Gender: ``"M"``, ``"F"`` (Dutch ``V``/``vrouw``), ``"X"`` (divers, anders, non-binair) or
  ``None``. Salutations count (``heer``, ``dhr``, ``mevrouw``, ``mw``); the Dutch law degree
  ``mr.`` does not (dutch.md case 13). ``m/v`` (a form label, or both ticked) and ``onbekend``
  give ``None``. Numeric codes are ambiguous between systems (ISO/IEC 5218 says 1 = male,
  2 = female, 9 = not applicable; others count from 0 or put women first), so ``"1"`` and ``"2"``
  give ``None`` unless you pass ``numeric="iso5218"``.
* Consent (AVG art. 7 and Telecommunicatiewet 11.7, dutch.md section 7): ``True`` only for an
  explicit yes or opt-in, ``False`` for an explicit no, opt-out, objection or "bel mij niet",
  ``None`` for anything else. A missing value is never consent.

Example:
    >>> normalize_gender("Mevr."), normalize_gender("V"), normalize_gender("m/v")
    ('F', 'F', None)
    >>> parse_consent("Opt-in"), parse_consent("bel mij niet"), parse_consent(None)
    (True, False, None)
"""

from __future__ import annotations

import functools
from typing import Literal

import pandas as pd

from custmatch.errors import InputError, show_value
from custmatch.normalize.text import map_unique, word_key
from custmatch.normalize.wordlists import load_mapping

__all__ = [
    "Gender",
    "consent_column",
    "gender_column",
    "normalize_gender",
    "parse_consent",
]

Gender = Literal["M", "F", "X"]

_ISO5218: dict[str, Gender | None] = {"0": None, "1": "M", "2": "F", "9": None}


def _key(value: object) -> str | None:
    if isinstance(value, bool):  # pandas factorizes True with 1 and False with 0
        return "1" if value else "0"
    try:
        return word_key(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):  # an object whose str() fails
        return None


@functools.cache
def _genders() -> dict[str, Gender | None]:
    table: dict[str, Gender | None] = {}
    for raw, code in load_mapping("gender_values.txt").items():
        key = word_key(raw)
        if key is None or code not in ("M", "F", "X", "-"):
            raise InputError(f"gender_values.txt: bad line {show_value(raw)} -> {code!r}")
        table[key] = None if code == "-" else code  # type: ignore[assignment]
    return table


@functools.cache
def _consents() -> dict[str, bool]:
    table: dict[str, bool] = {}
    for raw, answer in load_mapping("consent_values.txt").items():
        key = word_key(raw)
        if key is None or answer not in ("yes", "no"):
            raise InputError(f"consent_values.txt: bad line {show_value(raw)} -> {answer!r}")
        table[key] = answer == "yes"
    return table


def _check_numeric(numeric: str | None) -> None:
    if numeric not in (None, "iso5218"):
        raise InputError(f"numeric must be None or 'iso5218', got {show_value(numeric)}")


def normalize_gender(value: object, *, numeric: Literal["iso5218"] | None = None) -> Gender | None:
    """Read a gender code or word: ``"M"``, ``"F"``, ``"X"`` or ``None``; never raises.

    Args:
        value: The raw value (``M``, ``V``, ``F``, ``man``, ``vrouw``, ``dhr.``, ``Mevr.``,
            ``divers``, ...).
        numeric: ``"iso5218"`` reads ``1`` as M, ``2`` as F (``0`` and ``9`` as unknown);
            by default numeric codes give ``None`` because systems disagree on them.

    Returns:
        ``"M"``, ``"F"``, ``"X"``, or ``None`` for missing, unknown or ambiguous values.

    Raises:
        InputError: If ``numeric`` is not ``None`` or ``"iso5218"``.

    Example:
        >>> [normalize_gender(v) for v in ["M", "vrouw", "De heer", "X", "onbekend", "1"]]
        ['M', 'F', 'M', 'X', None, None]
        >>> normalize_gender(2, numeric="iso5218")
        'F'
    """
    _check_numeric(numeric)
    key = _key(value)
    if key is None:
        return None
    if numeric == "iso5218" and key in _ISO5218:
        return _ISO5218[key]
    return _genders().get(key)


def parse_consent(value: object) -> bool | None:
    """Read a consent/opt-in field: ``True``, ``False`` or ``None`` (unknown); never raises.

    Only explicit values count. Empty, missing and unrecognised values give ``None`` and must
    be treated as "no consent given" for opt-in channels; they are not an objection either.

    Args:
        value: The raw value (``ja``, ``J``, ``yes``, ``1``, ``opt-in``, ``aangemeld``,
            ``nee``, ``0``, ``opt-out``, ``afgemeld``, ``bezwaar``, ``bel mij niet``, a bool, ...).

    Returns:
        ``True`` for an explicit yes, ``False`` for an explicit no, else ``None``.

    Example:
        >>> [parse_consent(v) for v in ["ja", "N", 1, 0.0, "afgemeld", "misschien", ""]]
        [True, False, True, False, False, None, None]
    """
    key = _key(value)
    if key is None:
        return None
    return _consents().get(key)


def gender_column(values: pd.Series, *, numeric: Literal["iso5218"] | None = None) -> pd.Series:
    """Vectorised :func:`normalize_gender` over the distinct values of a column.

    Args:
        values: The raw column.
        numeric: As for :func:`normalize_gender`.

    Returns:
        An object Series (``"M"``/``"F"``/``"X"``/``None``) with the index of ``values``,
        named ``gender``.

    Raises:
        InputError: If ``numeric`` is not ``None`` or ``"iso5218"``.

    Example:
        >>> import pandas as pd
        >>> gender_column(pd.Series(["Dhr.", "Mw.", None, "M"])).tolist()
        ['M', 'F', None, 'M']
    """
    _check_numeric(numeric)
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    result = map_unique(series, lambda v: normalize_gender(v, numeric=numeric))
    return pd.Series(result, index=series.index, dtype=object, name="gender")


def consent_column(values: pd.Series) -> pd.Series:
    """Vectorised :func:`parse_consent` over the distinct values of a column.

    Returns:
        A nullable ``boolean`` Series (``<NA>`` = unknown) with the index of ``values``, named
        ``consent``; the dtype is the same on pandas 2 and 3.

    Example:
        >>> import pandas as pd
        >>> consent_column(pd.Series(["J", "opt-out", None])).tolist()
        [True, False, <NA>]
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    result = map_unique(series, parse_consent)
    return pd.Series(pd.array(result, dtype="boolean"), index=series.index, name="consent")
