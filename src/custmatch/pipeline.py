"""One call from raw customer records to golden records: :func:`deduplicate` and :func:`link`.

The stages run in order, each the library's own public function:
``normalize_frame`` -> ``MatchModel.candidate_pairs`` (blocking) -> ``MatchModel.compare`` ->
training (u from random pairs, m by EM, conditional weights, the prior) -> ``predict`` ->
``cluster_pairs`` -> ``golden_records``. Every choice comes from a :class:`Settings`; the
:class:`Result` keeps the settings with the trained model, so ``result.settings.save(path)``
and ``deduplicate(records, settings=Settings.load(path))`` repeat the run exactly.

Lenient cases (documented, not errors): fewer than two records give one golden record per
record and an untrained model; records without any usable matching value stay singletons;
training on fewer than :data:`FEW_RECORDS` records warns that the model has little to learn
from (apply the settings of an earlier, larger run instead). Columns that look like BSNs
are masked before anything else, with a warning naming the columns (never the values),
unless ``Settings.allow_bsn``.
Errors name the problem: no records (:class:`InputError`), no recognisable matching column or
duplicate record ids (:class:`SchemaError`), bad settings (:class:`ConfigError`).

Example:
    >>> import custmatch
    >>> records, truth = custmatch.load_example()
    >>> result = custmatch.deduplicate(records, progress=False)
    >>> len(result.golden) == result.clusters["cluster_id"].nunique()
    True
    >>> result.metrics(truth)["f1"] > 0.85
    True
"""

from __future__ import annotations

import copy
import datetime as dt
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from custmatch.block import Pairs
from custmatch.cluster import Clusters, cluster_pairs
from custmatch.compare.engine import remember_levels, reuse_encodings
from custmatch.errors import CustmatchWarning, InputError, SchemaError
from custmatch.evaluate import evaluate_clusters, evaluate_pairs, truth_labels
from custmatch.model import MatchModel
from custmatch.model.core import Explanation
from custmatch.normalize import normalize_frame, quality_report
from custmatch.normalize.identifiers import mask_bsn_columns
from custmatch.schema import infer_columns
from custmatch.settings import Settings
from custmatch.survive import golden_records

__all__ = ["FEW_RECORDS", "MATCHING_ROLES", "Result", "deduplicate", "link"]

#: Below this many records, unsupervised training warns that it has little to learn from.
FEW_RECORDS = 500

#: Input roles that carry identity evidence; a frame needs at least one of them.
MATCHING_ROLES = ("full_name", "first_name", "initials", "surname", "organisation", "address",
                  "street", "postcode", "phone", "mobile", "email", "birth_date")

_STAGES = ("normalize", "block", "compare", "train", "score", "cluster", "survive")


@dataclass
class Result:
    """Everything a run produced.

    Attributes:
        records: the normalised records (canonical columns, raw values, pass-through columns).
        clusters: ``record_id, source, cluster_id, household_id, cluster_size``; every
            record exactly once. ``cluster_id`` is the stable golden id.
        golden: one golden record per cluster (``golden_id`` = ``cluster_id``).
        lineage: per golden record and field, the record, source and rule that supplied it.
        pairs: every scored candidate pair (``left_id, right_id, match_weight,
            match_probability``, deterministic-rule flags, ``level_<comparison>``).
        model: the trained :class:`~custmatch.model.MatchModel`.
        settings: the settings used, with the trained model: save them to repeat the run.
        quality: the normalisation report (filled / valid / repaired / invalid per field).
        blocking: pairs per blocking rule (produced, new, skipped blocks).
        cluster_table: one row per cluster (size, links, lowest and mean link probability,
            household, whether the chaining guard split it).
        review: doubtful pairs between clusters, for a person to decide.
        splits: clusters the chaining guard cut apart, with the conflicting pair.
        events: against ``previous``: new / attached / merged / split golden ids.
        timings: seconds per stage.
    """

    records: pd.DataFrame
    clusters: pd.DataFrame
    golden: pd.DataFrame
    lineage: pd.DataFrame
    pairs: pd.DataFrame
    model: MatchModel
    settings: Settings
    quality: pd.DataFrame
    blocking: pd.DataFrame
    cluster_table: pd.DataFrame
    review: pd.DataFrame
    splits: pd.DataFrame
    events: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    skipped_blocks: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __repr__(self) -> str:
        return (f"Result({len(self.records):,} records -> {len(self.golden):,} golden records; "
                f"{len(self.pairs):,} candidate pairs; {len(self.review):,} to review)")

    @property
    def n_records(self) -> int:
        """Number of input records."""
        return len(self.records)

    def metrics(self, truth: pd.DataFrame | pd.Series) -> dict[str, float | int]:
        """Quality against a truth clustering (``DataFrame[record_id, entity_id]`` or a Series
        indexed by record id): pairwise precision / recall / F1 and B-cubed of the clusters,
        plus the pair completeness of the candidate pairs (blocking recall)."""
        out: dict[str, float | int] = dict(
            evaluate_clusters(self.clusters[["record_id", "cluster_id"]], truth).to_dict())
        labels = truth_labels(truth, self.records["record_id"])
        blocking = evaluate_pairs(self.pairs["left"].to_numpy(), self.pairs["right"].to_numpy(),
                                  labels)
        out["candidate_pairs"] = blocking.n_pairs
        out["pair_completeness"] = blocking.pair_completeness
        return out

    def explain(self, record_id_a: str, record_id_b: str) -> Explanation:
        """Why the model scores two records as it does (per-comparison contributions)."""
        return self.model.explain(self.records, str(record_id_a), str(record_id_b))

    def changes(self) -> pd.DataFrame:
        """The updates each source system needs to match the golden records
        (:func:`custmatch.changes_for_sources`)."""
        from custmatch.survive import GoldenRecords, changes_for_sources

        members = self.clusters[["record_id", "cluster_id"]].rename(
            columns={"cluster_id": "golden_id"})
        return changes_for_sources(self.records, GoldenRecords(self.golden, self.lineage,
                                                               members))

    def summary(self) -> str:
        """A one-screen text summary of the run."""
        sizes = self.clusters.groupby("cluster_id", sort=False).size()
        linked = int((self.pairs["match_probability"] >= self.settings.threshold).sum())
        lines = [
            f"records            {len(self.records):>12,}",
            f"sources            {self.records['source'].nunique():>12,}",
            f"candidate pairs    {len(self.pairs):>12,}",
            f"pairs linked       {linked:>12,}  (probability >= {self.settings.threshold:g})",
            f"golden records     {len(self.golden):>12,}",
            f"  of several       {int((sizes > 1).sum()):>12,}  (largest "
            f"{int(sizes.max()) if len(sizes) else 0})",
            f"households         {self.clusters['household_id'].nunique():>12,}",
            f"pairs to review    {len(self.review):>12,}",
            f"guard splits       {len(self.splits):>12,}",
            f"time               {sum(self.timings.values()):>12.1f} s  (" + ", ".join(
                f"{k} {v:.1f}" for k, v in self.timings.items()) + ")",
        ]
        return "\n".join(lines)


# ---------------------------------------------------------------------- progress
class _Progress:
    """Stage timings, with a tqdm bar over the stages when asked for."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.timings: dict[str, float] = {}
        self.bar = None
        if enabled:
            try:
                from tqdm.auto import tqdm
            except ImportError:  # pragma: no cover - tqdm is a dependency
                tqdm = None
            if tqdm is not None:
                self.bar = tqdm(total=total, desc="custmatch", unit="stage", leave=False)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.bar is not None:
            self.bar.set_description(f"custmatch: {name}")
        start = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - start
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ---------------------------------------------------------------------- inputs
def _check_frame(records: object, what: str) -> pd.DataFrame:
    if not isinstance(records, pd.DataFrame):
        raise InputError(f"{what} must be a pandas DataFrame, got {type(records).__name__}")
    if records.shape[1] == 0:
        raise SchemaError(f"{what} has no columns")
    return records


def _check_roles(records: pd.DataFrame, columns: Mapping[str, str] | None, what: str) -> None:
    roles = infer_columns(records, columns)
    if not any(r in roles for r in MATCHING_ROLES):
        raise SchemaError(
            f"{what}: no recognisable name, address, phone, e-mail or birth-date column among "
            f"{[str(c) for c in records.columns][:20]}; map them with columns={{role: column}} "
            "(roles: first_name, surname, postcode, house_number, phone, email, birth_date, ...)")


def _as_previous(previous: Result | pd.DataFrame | None) -> pd.DataFrame | None:
    if previous is None:
        return None
    if isinstance(previous, Result):
        return previous.clusters[["record_id", "cluster_id"]].rename(
            columns={"cluster_id": "golden_id"})
    if isinstance(previous, pd.DataFrame):
        if "golden_id" not in previous.columns and "cluster_id" in previous.columns:
            previous = previous.rename(columns={"cluster_id": "golden_id"})
        return previous
    raise InputError(f"previous must be a Result or a DataFrame[record_id, golden_id], got "
                     f"{type(previous).__name__}")


def _settings(settings: Settings | Mapping[str, Any] | None, **overrides: Any) -> Settings:
    """The run's settings: ``overrides`` applied, and the day recorded (``today``) so a saved
    run reads two-digit years and ages the same way when repeated later."""
    if settings is None:
        base = Settings()
    elif isinstance(settings, Settings):
        base = settings
    elif isinstance(settings, Mapping):
        base = Settings.from_dict(settings)
    else:
        raise InputError(f"settings must be a Settings object or a dict, got "
                         f"{type(settings).__name__}")
    return base.replace(**overrides, today=base.today or dt.date.today())


# ---------------------------------------------------------------------- the run
def _train(model: MatchModel, frame: pd.DataFrame, pairs: Pairs, levels: Any,
           settings: Settings) -> None:
    model.estimate_u(frame, max_pairs=settings.max_u_pairs, seed=settings.seed)
    model.estimate_m(frame, settings.training_rules, seed=settings.seed,
                     max_pairs_per_rule=settings.max_training_pairs)
    if model.conditionals:
        model.estimate_conditionals(frame, seed=settings.seed,
                                    max_pairs=settings.max_training_pairs)
    model.estimate_prior(frame, pairs, levels=levels)


def _run(frame: pd.DataFrame, settings: Settings, previous: pd.DataFrame | None,
         progress: _Progress) -> Result:
    with reuse_encodings():  # compare, train and score read the same records
        return _run_stages(frame, settings, previous, progress)


def _run_stages(frame: pd.DataFrame, settings: Settings, previous: pd.DataFrame | None,
                progress: _Progress) -> Result:
    model = copy.deepcopy(settings.model) if settings.model is not None else MatchModel()
    enough = len(frame) >= 2
    with progress.stage("block"):
        pairs = model.candidate_pairs(frame)
    with progress.stage("compare"):
        levels = model.compare(frame, pairs)
        # training blocks are mostly candidate pairs: their levels are looked up, not redone
        remember_levels(frame, pairs.left, pairs.right, levels, model.comparisons)
    with progress.stage("train"):
        if enough and (settings.retrain or not settings.model_is_trained):
            if len(frame) < FEW_RECORDS:
                warnings.warn(f"training on only {len(frame)} records: the model has little "
                              "to learn from and may link too little; apply the settings of "
                              "an earlier, larger run (settings=Settings.load(...))",
                              CustmatchWarning, stacklevel=4)
            _train(model, frame, pairs, levels, settings)
    with progress.stage("score"):
        scored = model.predict(frame, pairs, levels=levels)
    with progress.stage("cluster"):
        clustering: Clusters = cluster_pairs(
            frame, scored, threshold=settings.threshold,
            review_threshold=settings.review_threshold,
            conflict_below=settings.conflict_below, previous=previous,
            households=settings.households)
    with progress.stage("survive"):
        assignments = clustering.assignments
        survived = golden_records(frame, assignments[["record_id", "cluster_id"]],
                                  settings.survivorship)
    clusters = assignments.copy()
    clusters.insert(1, "source", frame["source"].to_numpy())
    return Result(
        records=frame, clusters=clusters, golden=survived.golden, lineage=survived.lineage,
        pairs=scored, model=model, settings=settings.replace(model=model),
        quality=quality_report(frame), blocking=pairs.report, cluster_table=clustering.clusters,
        review=clustering.review, splits=clustering.splits, events=clustering.events,
        timings=progress.timings, skipped_blocks=pairs.skipped)


def deduplicate(
    records: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    settings: Settings | Mapping[str, Any] | None = None,
    threshold: float | None = None,
    survivorship: list[Any] | None = None,
    previous: Result | pd.DataFrame | None = None,
    model: MatchModel | None = None,
    progress: bool = True,
) -> Result:
    """Find the customers in ``records`` and build one golden record per customer.

    Args:
        records: raw records, one row per source record; Dutch or English headers are
            recognised (``Voornaam``, ``Huisnr.``, ``E-mailadres``, ``zip``, ...). A
            ``record_id`` column is used when present (else row numbers), ``source`` too.
        columns: ``{role: column}`` for headers that are not recognised.
        settings: a :class:`Settings` (or its dict); the arguments below override it.
        threshold: match probability for a link (default 0.9, ``Settings.threshold``).
        survivorship: survivorship specs (default :func:`custmatch.survive.default_rules`).
        previous: the previous run (a :class:`Result` or ``DataFrame[record_id, golden_id]``)
            so golden ids stay stable and ``events`` lists what changed.
        model: a :class:`MatchModel` (trained: applied as is; untrained: trained here).
        progress: show a progress bar over the stages.

    Returns:
        A :class:`Result`.

    Raises:
        InputError: ``records`` is not a DataFrame or has no rows.
        SchemaError: no recognisable matching column, duplicate or null record ids.
        ConfigError: bad settings.
    """
    frame = _check_frame(records, "records")
    if len(frame) == 0:
        raise InputError("records is empty: there is nothing to deduplicate")
    run_settings = _settings(settings, columns=columns, threshold=threshold,
                             survivorship=survivorship, model=model)
    _check_roles(frame, run_settings.columns, "records")
    frame = mask_bsn_columns(frame, allow_bsn=run_settings.allow_bsn, stacklevel=2)
    bar = _Progress(progress, len(_STAGES))
    try:
        with bar.stage("normalize"):
            normalised = normalize_frame(frame, run_settings.columns, region=run_settings.region,
                                         today=run_settings.today)
        return _run(normalised, run_settings, _as_previous(previous), bar)
    finally:
        bar.close()


def _frame_columns(columns: Any, name: str) -> Mapping[str, str] | None:
    """The column mapping of one source: per-source mappings or one for all."""
    if not columns:
        return None
    if all(isinstance(v, Mapping) for v in columns.values()):
        return columns.get(name)
    return columns


def _stack_sources(normalised: list[pd.DataFrame], names: list[str]) -> pd.DataFrame:
    """One frame of all sources, record ids made unique across them when they collide."""
    ids = pd.concat([f["record_id"] for f in normalised], ignore_index=True)
    if ids.duplicated().any():
        example = ids[ids.duplicated()].iloc[0]
        warnings.warn(f"record ids repeat across sources (e.g. {example!r}); every record id "
                      "is prefixed with its source name ('crm:123'), the original kept in "
                      "source_record_id", CustmatchWarning, stacklevel=3)
        for frame, name in zip(normalised, names, strict=True):
            frame.insert(2, "source_record_id", frame["record_id"].to_numpy())
            frame["record_id"] = (name + ":" + frame["record_id"].astype(str)).to_numpy()
    stacked = pd.concat(normalised, ignore_index=True)
    for column in normalised[0].columns:
        if isinstance(normalised[0][column].dtype, pd.CategoricalDtype):
            stacked[column] = stacked[column].astype("category")
    if stacked["record_id"].duplicated().any():
        dup = stacked.loc[stacked["record_id"].duplicated(), "record_id"].iloc[0]
        raise SchemaError(f"record id {dup!r} occurs twice after prefixing with the source "
                          "name; make the ids unique per source")
    return stacked


def link(
    frames: Mapping[str, pd.DataFrame],
    *,
    columns: Mapping[str, str] | Mapping[str, Mapping[str, str]] | None = None,
    settings: Settings | Mapping[str, Any] | None = None,
    threshold: float | None = None,
    survivorship: list[Any] | None = None,
    previous: Result | pd.DataFrame | None = None,
    model: MatchModel | None = None,
    progress: bool = True,
) -> Result:
    """Link the customers of several sources (each may hold duplicates of its own).

    Each frame is normalised with its own header recognition (a CRM's ``Voornaam`` beside a
    webshop's ``first_name``); its name becomes the ``source`` of its records unless the frame
    has a ``source`` column. Record ids are kept when they are unique across the frames;
    when they repeat, every id becomes ``"<source name>:<id>"`` (a warning says so) and the
    original is kept in ``source_record_id``. Then the records are matched together as in
    :func:`deduplicate`, whose arguments these are; ``columns`` may also map each source name
    to its own ``{role: column}`` mapping.

    Example:
        >>> import pandas as pd, custmatch
        >>> crm = pd.DataFrame({"klantnr": ["1", "2"], "Voornaam": ["Jan", "Piet"],
        ...                     "Achternaam": ["Berg", "Vries"], "Postcode": ["1234AB", "9999ZZ"],
        ...                     "Huisnr": ["1", "2"]})
        >>> shop = pd.DataFrame({"id": ["w1"], "first_name": ["Jan"], "surname": ["van den Berg"],
        ...                      "zip": ["1234 ab"], "house number": ["1"]})
        >>> result = custmatch.link({"crm": crm, "webshop": shop}, progress=False)
        >>> sorted(result.records["source"].unique())
        ['crm', 'webshop']
    """
    if not isinstance(frames, Mapping) or not frames:
        raise InputError("link needs a non-empty dict {source name: DataFrame}")
    run_settings = _settings(settings, columns=columns, threshold=threshold,
                             survivorship=survivorship, model=model)
    names = [str(n) for n in frames]
    for name, frame in zip(names, frames.values(), strict=True):
        _check_frame(frame, f"source {name!r}")
        _check_roles(frame, _frame_columns(run_settings.columns, name), f"source {name!r}")
    if sum(len(f) for f in frames.values()) == 0:
        raise InputError("every source is empty: there is nothing to link")
    frames = {name: mask_bsn_columns(frame, allow_bsn=run_settings.allow_bsn,
                                     stacklevel=2)
              for name, frame in zip(names, frames.values(), strict=True)}
    bar = _Progress(progress, len(_STAGES))
    try:
        with bar.stage("normalize"):
            normalised = [
                normalize_frame(frame, _frame_columns(run_settings.columns, name),
                                region=run_settings.region, today=run_settings.today,
                                default_source=name)
                for name, frame in zip(names, frames.values(), strict=True)]
            stacked = _stack_sources(normalised, names)
        return _run(stacked, run_settings, _as_previous(previous), bar)
    finally:
        bar.close()
