"""Term-frequency adjustment: agreeing on a rare value is stronger evidence.

Two records that both say "Jansen" agree on the most common Dutch surname; two that both say
"Wijngaarden-Tjoa" almost certainly are one person. For a pair on an adjusted level, the
level's u probability (chance agreement among non-matches, averaged over all values) is
replaced by the frequency of the agreed value in the data, i.e. the weight gains
``weight * (log2(u_level) - log2(frequency))`` bits, where frequency is the larger of the two
records' value frequencies (the values may differ slightly on fuzzy levels).

Example:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"surname_key": ["jansen"] * 3 + ["tjoa", None]})
    >>> TermFrequency("surname", ("surname_key",)).frequencies(df).round(2).tolist()
    [0.75, 0.75, 0.75, 0.25, nan]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from custmatch._codes import combine_codes
from custmatch.errors import ConfigError, SchemaError

__all__ = ["KEY_FUNCTIONS", "TermFrequency"]


def _email_domain(value: object) -> str | None:
    text = str(value)
    return text.rsplit("@", 1)[1] if "@" in text else None


#: Named value transforms a term-frequency spec may use (names keep models saveable).
KEY_FUNCTIONS: dict[str, Callable[[object], object]] = {"email_domain": _email_domain}


@dataclass(frozen=True)
class TermFrequency:
    """Adjust ``comparison``'s weight on ``levels`` by the frequency of the values in
    ``columns`` (combined when several, e.g. street + city).

    Attributes:
        comparison: name of the comparison to adjust.
        columns: record columns whose (combined) value is counted.
        levels: labels of the levels the adjustment applies to.
        weight: share of the full adjustment to apply (0..1).
        key: optional name in :data:`KEY_FUNCTIONS` applied to the first column's values
            (``"email_domain"``).
    """

    comparison: str
    columns: tuple[str, ...]
    levels: tuple[str, ...] = ("exact",)
    weight: float = 1.0
    key: str | None = None

    def __post_init__(self) -> None:
        if not self.columns:
            raise ConfigError(f"term frequency for {self.comparison!r} needs columns")
        if not 0.0 <= self.weight <= 1.0:
            raise ConfigError(f"term frequency weight must be in [0, 1], got {self.weight!r}")
        if self.key is not None and self.key not in KEY_FUNCTIONS:
            raise ConfigError(f"unknown term frequency key {self.key!r}; "
                              f"known: {sorted(KEY_FUNCTIONS)}")

    def codes(self, frame: pd.DataFrame) -> NDArray[np.int64]:
        """One code per record for its (combined) value, ``-1`` where any part is null."""
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            raise SchemaError(f"term frequency for {self.comparison!r} needs column(s) "
                              f"{missing}")
        combined = np.zeros(len(frame), dtype=np.int64)
        valid = np.ones(len(frame), dtype=bool)
        for i, column in enumerate(self.columns):
            values = frame[column]
            if i == 0 and self.key is not None:
                func = KEY_FUNCTIONS[self.key]
                codes, uniques = pd.factorize(values, use_na_sentinel=True)
                mapped = pd.Series([func(v) for v in uniques], dtype=object)
                key_codes, _ = pd.factorize(mapped, use_na_sentinel=True)
                codes = np.append(key_codes, -1)[codes]
            else:
                codes, _ = pd.factorize(values, use_na_sentinel=True)
            codes = np.asarray(codes, dtype=np.int64)
            valid &= codes >= 0
            combined = combine_codes(combined, codes)
        combined[~valid] = -1
        return combined

    def frequencies(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        """Per record, the share of records with a value that have the same value (NaN
        where the value is null)."""
        codes = self.codes(frame)
        valid = codes >= 0
        out = np.full(len(codes), np.nan)
        if valid.any():
            counts = np.bincount(codes[valid])
            out[valid] = counts[codes[valid]] / valid.sum()
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"comparison": self.comparison, "columns": list(self.columns),
                "levels": list(self.levels), "weight": self.weight, "key": self.key}

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> TermFrequency:
        return cls(str(spec["comparison"]), tuple(spec["columns"]),
                   tuple(spec.get("levels", ("exact",))), float(spec.get("weight", 1.0)),
                   spec.get("key"))
