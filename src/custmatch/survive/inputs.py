"""Input checks for golden records: cluster alignment, record-id order, spec validation.

Example:
    >>> import numpy as np, pandas as pd
    >>> codes, ids = cluster_codes(pd.DataFrame(index=range(3)), pd.Series(["b", "a", "b"]),
    ...                            np.array(["r1", "r2", "r3"], dtype=object))
    >>> codes.tolist(), ids.tolist()
    ([1, 0, 1], ['a', 'b'])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from custmatch.errors import ConfigError, InputError, SchemaError, show_value, show_values
from custmatch.survive.rules import ConsentSpec, FieldSpec, Spec

__all__ = ["check_specs", "cluster_codes", "record_rank"]

_CLUSTER_COLUMNS = ("cluster_id", "golden_id", "entity_id")


def cluster_codes(records: pd.DataFrame, clusters: pd.Series | pd.DataFrame,
                   record_ids: np.ndarray) -> tuple[NDArray[np.int64], np.ndarray]:
    """Cluster code per record (codes follow the sorted cluster ids) and the sorted ids.

    ``record_ids`` (the records' ids as text) must be unique."""
    n = len(records)
    if isinstance(clusters, pd.DataFrame):
        if "record_id" not in clusters.columns:
            raise SchemaError(f"clusters frame has no 'record_id' column; found "
                              f"{list(clusters.columns)[:10]}")
        label = next((c for c in _CLUSTER_COLUMNS if c in clusters.columns), None)
        if label is None:
            raise SchemaError(f"clusters frame needs a 'cluster_id' column; found "
                              f"{list(clusters.columns)[:10]}")
        given = clusters["record_id"].astype(str).to_numpy(dtype=object)
        if np.array_equal(given, record_ids):  # the records' own ids in their order
            values = clusters[label].to_numpy(dtype=object)
        else:
            values = _aligned(given, record_ids, clusters[label])
    elif isinstance(clusters, pd.Series):
        if len(clusters) != n:
            raise InputError(f"clusters Series has {len(clusters)} entries for {n} records; "
                             "pass one cluster id per record, aligned to the records")
        if clusters.index.equals(records.index):
            values = clusters.to_numpy(dtype=object)
        else:
            index = pd.Index(clusters.index.astype(str).to_numpy(dtype=object))
            position = index.get_indexer(record_ids) if index.is_unique else None
            if position is None or (position < 0).any():
                raise InputError("clusters Series is not aligned to the records: its index "
                                 "is neither the records' index nor their record ids")
            values = clusters.to_numpy(dtype=object)[position]
    else:
        raise InputError(f"clusters must be a Series of cluster ids or a DataFrame "
                         f"[record_id, cluster_id], got {type(clusters).__name__}")
    nulls = pd.isna(values)
    if nulls.any():
        raise InputError(f"null cluster id for record id(s) {record_ids[nulls][:5].tolist()}")
    codes, uniques = pd.factorize(values)
    uniques = np.asarray(uniques, dtype=object)
    try:
        rank = np.argsort(uniques, kind="stable")
    except TypeError:  # mixed types: order by type name, then text
        rank = np.lexsort(([str(u) for u in uniques], [type(u).__name__ for u in uniques]))
    remap = np.empty(len(uniques), dtype=np.int64)
    remap[rank] = np.arange(len(uniques))
    return remap[codes], uniques[rank]


def _aligned(given: np.ndarray, record_ids: np.ndarray, labels: pd.Series) -> np.ndarray:
    """The cluster labels of a ``[record_id, cluster_id]`` frame in the records' order;
    every record exactly once."""
    ids = pd.Index(given)
    if ids.has_duplicates:
        dups = ids[ids.duplicated()].unique()[:5].tolist()
        raise InputError(f"clusters list record id(s) more than once: {dups}")
    position = ids.get_indexer(record_ids)
    if (position < 0).any():
        missing = record_ids[position < 0][:5].tolist()
        raise InputError(f"{int((position < 0).sum())} record id(s) are in no cluster "
                         f"(every record must be in exactly one), e.g. "
                         f"{show_values(missing)}")
    if len(ids) != len(record_ids):
        extra = ids.difference(pd.Index(record_ids))[:5].tolist()
        raise InputError(f"clusters name {len(ids) - len(record_ids)} record id(s) not in the "
                         f"records, e.g. {show_values(extra)}")
    return labels.to_numpy(dtype=object)[position]


def record_rank(record_ids: np.ndarray) -> NDArray[np.int64]:
    """Rank of each record id as text (the final, order-independent tie-break)."""
    if len(record_ids) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(record_ids.astype(str), kind="stable")
    rank = np.empty(len(record_ids), dtype=np.int64)
    rank[order] = np.arange(len(record_ids))
    return rank


def check_specs(specs: Sequence[Spec], columns: set[str]) -> list[Spec]:
    """Validate specs: later specs with the same name replace earlier ones."""
    by_name: dict[str, Spec] = {}
    for spec in specs:
        if not isinstance(spec, FieldSpec | ConsentSpec):
            raise ConfigError(f"rules must be field(...), group(...) or consent(...) specs; "
                              f"got {show_value(spec)}")
        by_name.pop(spec.name, None)
        by_name[spec.name] = spec
    owner: dict[str, str] = {}
    outputs: dict[str, str] = {}
    for spec in by_name.values():
        produced: list[str] = []
        if isinstance(spec, FieldSpec):
            for c in spec.fields:
                if c in owner:
                    raise ConfigError(f"field {c!r} is in two specs: {owner[c]!r} and "
                                      f"{spec.name!r}; a field survives by one spec only")
                owner[c] = spec.name
            produced = list(spec.fields) if spec.selects else []
            if spec.collect is not None:
                produced.append(spec.collect_name)
        else:
            produced = [spec.column, f"{spec.column}_source", f"{spec.column}_at"]
        for c in produced:
            if c in outputs or c in ("golden_id", "n_records", "sources"):
                raise ConfigError(f"golden column {c!r} would be written twice (specs "
                                  f"{outputs.get(c, 'golden')!r} and {spec.name!r})")
            outputs[c] = spec.name
        missing = [c for c in spec.required_columns() if c not in columns]
        if missing:
            raise SchemaError(f"survivorship spec {spec.name!r} needs column(s) {missing} "
                              f"missing from the records; found {sorted(columns)[:12]}...")
    return list(by_name.values())
