"""Marketing consent per purpose (AVG/GDPR art. 7, 21; Telecommunicatiewet art. 11.7).

For each ``consent_*`` column the golden value is the most recent explicit statement
(``True`` opt-in or ``False`` opt-out) of the cluster, with its source and time:

* an explicit opt-out wins over an older opt-in, and on equal times the opt-out wins;
* a statement without a time ranks as the oldest; with ``strict`` any opt-out wins;
* missing is never consent: a cluster without any statement gets ``False`` with lineage
  rule ``no_statement`` (and no source or time), so the golden value is ``True`` only when
  an explicit ``True`` survived;
* with ``bind_to``, an opt-in given by a record holding another channel value than the
  golden one (another e-mail address) does not cover the golden value: ``False``, rule
  ``opt_in_other_value``.

Lineage rules: ``only_statement``, ``most_recent_statement``, ``opt_out_on_tie``,
``opt_out_wins`` (strict), ``no_statement``, ``opt_in_other_value``.

Example:
    >>> import pandas as pd
    >>> from custmatch.survive import golden_records, consent
    >>> recs = pd.DataFrame({"record_id": ["a", "b"], "source": ["crm", "webshop"],
    ...     "consent_email": pd.array([True, False], dtype="boolean"),
    ...     "updated_at": pd.to_datetime(["2020-01-01", "2022-01-01"], utc=True)})
    >>> g = golden_records(recs, pd.Series(["k", "k"]), [consent("consent_email")]).golden
    >>> g[["consent_email", "consent_email_source"]].values.tolist()
    [[False, 'webshop']]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from custmatch.errors import SchemaError
from custmatch.survive.rules import ConsentSpec

__all__ = ["CONSENT_RULES", "ConsentResult", "survive_consent"]

#: Lineage rule labels of consent decisions, by code.
CONSENT_RULES = ("only_statement", "most_recent_statement", "opt_out_on_tie", "opt_out_wins",
                 "no_statement", "opt_in_other_value")
_ONLY, _RECENT, _TIE, _OPT_OUT, _NONE, _OTHER = range(6)


@dataclass
class ConsentResult:
    """Per cluster: consent value, the stating record (``-1`` = none) and the rule code."""

    value: NDArray[np.bool_]
    rows: NDArray[np.int64]
    rule: NDArray[np.int64]


def _statements(raw: pd.Series, column: str) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(explicit, value) arrays of the consent column ``raw``: explicit where a True/False
    was stated."""
    if pd.api.types.is_bool_dtype(raw.dtype) and not isinstance(raw.dtype, pd.BooleanDtype):
        values = raw.to_numpy(dtype=bool).copy()
        return np.ones(len(raw), dtype=bool), values
    try:
        states = (raw.array if isinstance(raw.dtype, pd.BooleanDtype)
                  else pd.array(raw.astype(object), dtype="boolean"))
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"consent column {column!r} must hold True/False/missing (run "
                          f"normalize_frame to parse 'ja'/'nee'); found dtype {raw.dtype}"
                          ) from exc
    explicit = ~np.asarray(states.isna(), dtype=bool)
    values = np.asarray(states.fillna(False), dtype=bool).copy()
    return explicit, values


def survive_consent(ctx: object, spec: ConsentSpec, starts: NDArray[np.int64],
                    bound_rows: NDArray[np.int64] | None) -> ConsentResult:
    """Consent per cluster for ``spec``, vectorised (see the module docstring).

    ``ctx`` is the :class:`~custmatch.survive.golden.RankContext`; ``bound_rows`` the
    record that supplied the golden ``bind_to`` value per cluster (``-1`` = none).
    """
    from custmatch.survive.golden import _sort_order

    n = ctx.n  # type: ignore[attr-defined]
    cluster = ctx.cluster  # type: ignore[attr-defined]
    explicit, values = _statements(ctx.column(spec.column),  # type: ignore[attr-defined]
                                    spec.column)
    stamps = (ctx.timestamps(spec.at) if spec.at  # type: ignore[attr-defined]
              else np.zeros(n, dtype=np.int64))
    silent = (~explicit).astype(np.int64)
    opt_in = values.astype(np.int64)  # opt-out (0) first on ties
    if spec.strict:
        keys = [cluster, silent, opt_in, -stamps, ctx.rid_rank]  # type: ignore[attr-defined]
    else:
        keys = [cluster, silent, -stamps, opt_in, ctx.rid_rank]  # type: ignore[attr-defined]
    order = _sort_order(keys, distinct=True)  # the record rank breaks every tie
    n_clusters = len(starts)
    first = order[starts].astype(np.int64) if n else np.zeros(0, np.int64)
    stated = explicit[first]
    value = values[first] & stated
    n_stated = np.bincount(cluster[explicit], minlength=n_clusters)
    rule = np.full(n_clusters, _RECENT, dtype=np.int64)
    # the runner-up statement: the next sorted record, when it is an explicit one too
    nxt = np.minimum(starts + 1, max(n - 1, 0))
    second = order[nxt].astype(np.int64) if n else np.zeros(0, np.int64)
    has_second = n_stated >= 2
    same_time = stamps[first] == stamps[second]
    rule[has_second & same_time & (values[first] != values[second])] = _TIE
    if spec.strict:
        latest_in = np.full(n_clusters, np.iinfo(np.int64).min, dtype=np.int64)
        np.maximum.at(latest_in, cluster[explicit & values], stamps[explicit & values])
        rule[stated & ~value & (latest_in > stamps[first])] = _OPT_OUT
    rule[n_stated == 1] = _ONLY
    rule[~stated] = _NONE
    rows = np.where(stated, first, -1)
    if spec.bind_to is not None and bound_rows is not None:
        codes = ctx.codes(spec.bind_to)[0]  # type: ignore[attr-defined]
        own = codes[first]
        golden = np.where(bound_rows >= 0, codes[np.maximum(bound_rows, 0)], -1)
        other = value & (own >= 0) & (own != golden)
        value = value & ~other
        rule[other] = _OTHER
    return ConsentResult(value.astype(bool), rows.astype(np.int64), rule)
