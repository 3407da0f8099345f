"""Blocking keys and term-frequency values of records, as values that outlive one frame.

Batch blocking (:mod:`custmatch.block`) turns key values into integer codes that only mean
something inside one frame. The index needs values it can store and look up later, so each
rule's key values of a record are joined to a text and hashed to a signed 64-bit integer
whose low byte is the rule's number (:func:`record_keys`). The same key functions decide
the values (``Key.factorize`` for single-valued keys, the multi-valued ``AnyOf`` keys value
by value), so a record meets in the index exactly the records it would meet in a batch run;
blocks over a rule's cap are skipped as in the batch (:func:`rule_caps`). One record's keys
come from its cells alone (:func:`cell_keys`, the same keys without a frame).

Term-frequency values (:func:`tf_values`, one record: :func:`tf_row_values`) are the texts
the model's :class:`~custmatch.model.tf.TermFrequency` specs count.

Example:
    >>> import pandas as pd
    >>> from custmatch.block import block_on
    >>> frame = pd.DataFrame({"postcode": ["1234 AB", "1234 AB", None],
    ...                       "house_number": [12, 12, 12]})
    >>> rows, keys = record_keys(frame, [block_on("postcode", "house_number")])
    >>> rows.tolist(), bool(keys[0] == keys[1]), int(keys[0] & 0xFF)
    ([0, 1], True, 0)
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from custmatch._codes import python_values
from custmatch.block import AnyOf, BlockingRule, BlockOn, Key
from custmatch.errors import ConfigError, SchemaError
from custmatch.model import MatchModel
from custmatch.model.tf import KEY_FUNCTIONS, TermFrequency

__all__ = [
    "cell_keys",
    "index_rules",
    "record_keys",
    "rule_caps",
    "rule_of",
    "tf_row_values",
    "tf_values",
]

_SEP = "\x1f"
_RULE_BITS = 0xFF


def index_rules(model: MatchModel) -> list[BlockOn]:
    """The rules that make a model's candidate pairs: blocking rules, then must-link rules
    (as :meth:`MatchModel.candidate_pairs`); every one must be a ``block_on`` rule."""
    rules: list[BlockingRule] = [*model.blocking_rules,
                                 *(r.blocking_rule() for r in model.must_link)]
    if len(rules) > _RULE_BITS:
        raise ConfigError(f"a match index supports at most {_RULE_BITS} blocking rules")
    for rule in rules:
        if not isinstance(rule, BlockOn):
            raise ConfigError(f"blocking rule {rule.name!r} is not a block_on rule; a match "
                              "index looks candidates up by key and cannot use it")
    return rules  # type: ignore[return-value]


def rule_caps(model: MatchModel, rules: Sequence[BlockOn]) -> list[int]:
    """The block-size cap of each rule (its own, else the model's)."""
    return [int(r.max_block_size or model.max_block_size) for r in rules]


def rule_of(keys: NDArray[np.int64]) -> NDArray[np.int64]:
    """The rule number of each key."""
    return np.asarray(keys, dtype=np.int64) & _RULE_BITS


def _ramp(counts: NDArray[np.int64]) -> NDArray[np.int64]:
    ends = np.cumsum(counts)
    return np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(ends - counts, counts)


def _key_texts(frame: pd.DataFrame, key: Key) -> tuple[NDArray[np.int64], NDArray[np.object_]]:
    """``(rows, texts)``: one entry per row and distinct key value (null keys: none)."""
    n = len(frame)
    if not isinstance(key, AnyOf):
        codes, values = key.factorize(frame)
        table = np.array([str(v) for v in python_values(values)] + [None], dtype=object)
        rows = np.flatnonzero(codes >= 0).astype(np.int64)
        return rows, table[codes[rows]]
    all_rows, all_texts = [], []
    for column in (key.column, *key.others):
        if column not in frame.columns:
            raise SchemaError(f"blocking key {key.name!r} needs column {column!r}")
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
        per_value = [tuple(str(k) for k in key._keys(u)) for u in python_values(uniques)]
        counts = np.array([len(v) for v in per_value] + [0], dtype=np.int64)[codes]
        flat = np.array([k for v in per_value for k in v], dtype=object)
        starts = np.concatenate(([0], np.cumsum([len(v) for v in per_value])))[:-1]
        rows = np.repeat(np.arange(n, dtype=np.int64), counts)
        if len(flat):
            offset = np.repeat(starts.astype(np.int64)[np.maximum(codes, 0)], counts)
            all_texts.append(flat[offset + _ramp(counts)])
        else:
            all_texts.append(np.zeros(0, dtype=object))
        all_rows.append(rows)
    joined = pd.DataFrame({"row": np.concatenate(all_rows),
                           "text": np.concatenate(all_texts)}).drop_duplicates()
    return joined["row"].to_numpy(dtype=np.int64), joined["text"].to_numpy(dtype=object)


def _hash(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _cell_keys(key: Key, value: object) -> tuple[str, ...]:
    """The key texts of one cell (what :func:`_key_texts` gives per distinct value)."""
    try:
        if pd.isna(value):  # type: ignore[arg-type]
            return ()
    except (TypeError, ValueError):
        pass
    if isinstance(key, AnyOf):
        return tuple(str(k) for k in key._keys(value))
    found = key._key(value)
    return () if found is None else (str(found),)


def cell_keys(cells: Mapping[str, object], rules: Sequence[BlockOn]) -> list[int]:
    """The 64-bit keys of one record from its cells (``column -> value``, as the decoded
    frame holds them): what :func:`record_keys` gives for a one-row frame, in the same
    order, without building one."""
    out: list[int] = []
    for number, rule in enumerate(rules):
        texts = [str(number)]
        for key in rule.keys:
            columns = (key.column, *key.others) if isinstance(key, AnyOf) else (key.column,)
            values: dict[str, None] = {}
            for column in columns:
                if column not in cells:
                    raise SchemaError(f"blocking key {key.name!r} needs column {column!r}")
                values.update(dict.fromkeys(_cell_keys(key, cells[column])))
            texts = [t + _SEP + v for t in texts for v in values]
            if not texts:
                break
        out.extend((_hash(text) & ~_RULE_BITS) | number for text in dict.fromkeys(texts))
    return out


def _few_rows_keys(frame: pd.DataFrame, rules: Sequence[BlockOn]
                   ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """:func:`record_keys` value by value: the same keys, without pandas overhead (for the
    few records of a real-time call)."""
    cells = {c: frame[c].tolist() for c in frame.columns}
    out_rows: list[int] = []
    out_keys: list[int] = []
    for row in range(len(frame)):
        keys = cell_keys({c: values[row] for c, values in cells.items()}, rules)
        out_rows.extend([row] * len(keys))
        out_keys.extend(keys)
    return np.array(out_rows, dtype=np.int64), np.array(out_keys, dtype=np.int64)


def record_keys(frame: pd.DataFrame, rules: Sequence[BlockOn]
                ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``(rows, keys)``: every blocking-key value of every row, as 64-bit keys (rule number
    in the low byte); a row whose key is null for a rule has no key for it."""
    if len(frame) <= 20:
        return _few_rows_keys(frame, rules)
    out_rows, out_keys = [], []
    for number, rule in enumerate(rules):
        current = pd.DataFrame({"row": np.arange(len(frame), dtype=np.int64),
                                "text": np.full(len(frame), str(number), dtype=object)})
        for key in rule.keys:
            rows, texts = _key_texts(frame, key)
            part = pd.DataFrame({"row": rows, "value": texts})
            current = current.merge(part, on="row", how="inner", sort=False)
            current["text"] = current["text"] + _SEP + current["value"]
            current = current.drop(columns="value")
        if not len(current):
            continue
        codes, uniques = pd.factorize(current["text"])
        hashes = np.array([(_hash(t) & ~_RULE_BITS) | number for t in python_values(uniques)],
                          dtype=np.int64)
        out_rows.append(current["row"].to_numpy(dtype=np.int64))
        out_keys.append(hashes[codes])
    if not out_rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    rows = np.concatenate(out_rows)
    keys = np.concatenate(out_keys)
    order = np.argsort(rows, kind="stable")
    return rows[order], keys[order]


def tf_values(frame: pd.DataFrame, specs: Sequence[TermFrequency]
              ) -> list[NDArray[np.object_]]:
    """Per term-frequency spec, each row's counted value as text (None: not counted, as
    where :meth:`TermFrequency.codes` gives ``-1``, or where a column is missing)."""
    out = []
    for spec in specs:
        if any(c not in frame.columns for c in spec.columns):
            out.append(np.full(len(frame), None, dtype=object))
            continue
        parts = []
        for i, column in enumerate(spec.columns):
            codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
            if i == 0 and spec.key is not None:
                func = KEY_FUNCTIONS[spec.key]
                mapped = [func(u) for u in python_values(uniques)]
                texts = [None if m is None or (isinstance(m, float) and m != m) else str(m)
                         for m in mapped]
            else:
                texts = [str(u) for u in python_values(uniques)]
            parts.append(np.array([*texts, None], dtype=object)[codes])
        joined = np.full(len(frame), None, dtype=object)
        for row in range(len(frame)):
            values = [p[row] for p in parts]
            if all(v is not None for v in values):
                joined[row] = _SEP.join(values)
        out.append(joined)
    return out


def tf_row_values(cells: Mapping[str, object], specs: Sequence[TermFrequency]
                  ) -> list[str | None]:
    """:func:`tf_values` of one record from its cells: per spec, the counted text or None."""
    out: list[str | None] = []
    for spec in specs:
        if any(c not in cells for c in spec.columns):
            out.append(None)
            continue
        parts: list[str] = []
        for i, column in enumerate(spec.columns):
            value = cells[column]
            if _is_null(value):
                break
            if i == 0 and spec.key is not None:
                mapped = KEY_FUNCTIONS[spec.key](value)
                if _is_null(mapped):
                    break
                parts.append(str(mapped))
            else:
                parts.append(str(value))
        out.append(_SEP.join(parts) if len(parts) == len(spec.columns) else None)
    return out


def _is_null(value: object) -> bool:
    """What ``pd.factorize`` counts as missing (None, NaN, ``pd.NA``, ``NaT``)."""
    return value is None or value is pd.NA or value is pd.NaT or (
        isinstance(value, float) and value != value)
