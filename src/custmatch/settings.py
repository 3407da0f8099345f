"""Run settings for :func:`custmatch.deduplicate` / :func:`custmatch.link`, as one object that
round-trips through JSON together with the trained model.

Every field has a default that works on Dutch customer data; a run's
:attr:`~custmatch.pipeline.Result.settings` holds the values it used *and* the model it
trained, so ``Settings.load(path)`` repeats that run exactly (the model is applied as
trained, not fitted again, unless ``retrain=True``).

Fields:
    threshold: match probability at or above which two records are linked (0.9, the same
        default as :func:`~custmatch.cluster.cluster_pairs`; raise it where a wrong merge
        costs more than a missed one).
    review_threshold: pairs in ``[review_threshold, threshold)`` go to the review queue.
    conflict_below: pairs below this probability count as conflicts for the chaining guard.
    columns: ``{role: column}`` mapping for inputs whose headers are not recognised, e.g.
        ``{"surname": "achternaam_klant"}``; for :func:`~custmatch.link` also
        ``{source: {role: column}}`` per input frame.
    region: default phone region for numbers without a country code ("NL").
    today: reference day (ISO date) for two-digit years and ages; None = the run's day.
    seed: random seed of training (random pairs for u, EM samples).
    max_u_pairs: random pairs used to estimate u.
    max_training_pairs: pairs sampled per training rule (and per conditional) for EM; EM
        runs on comparison patterns, so a few million pairs estimate m as well as all of
        them, and training time stays bounded on large data.
    households: compute household ids.
    survivorship: survivorship specs (:mod:`custmatch.survive`); None = the defaults.
    model: a :class:`~custmatch.model.MatchModel`. Untrained: its comparisons, blocking
        rules and deterministic rules are used and it is trained on the data. Trained (m and
        u estimated): applied as it is, unless ``retrain``. None = the default model.
    retrain: train the given model again even when it is already trained.
    allow_bsn: keep columns that look like BSNs (burgerservicenummer) as they are. By
        default they are masked before anything else happens (AVG: a BSN may only be
        processed where a law prescribes it); switch this on only with such a legal basis.
    training_rules: blocking rules whose pairs train m by EM (each rule's own comparisons
        held out); None = :func:`custmatch.model.defaults.default_training_rules`. Needed
        with a model of your own comparisons, whose columns the default rules may not use.

Example:
    >>> s = Settings(threshold=0.9)
    >>> Settings.from_dict(s.to_dict()).threshold
    0.9
    >>> Settings.from_dict({"treshold": 0.9})
    Traceback (most recent call last):
    ...
    custmatch.errors.ConfigError: unknown setting(s) ['treshold']; known: ['allow_bsn', \
'columns', 'conflict_below', 'households', 'max_training_pairs', 'max_u_pairs', 'model', 'region', \
'retrain', 'review_threshold', 'seed', 'survivorship', 'threshold', 'today', \
'training_rules']
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from custmatch.block import BlockingRule
from custmatch.cluster import DEFAULT_THRESHOLD
from custmatch.errors import ConfigError
from custmatch.model import MatchModel

__all__ = ["SETTINGS_FORMAT", "SETTINGS_VERSION", "Settings"]

SETTINGS_FORMAT = "custmatch.Settings"
SETTINGS_VERSION = 1

ColumnMap = Mapping[str, str] | Mapping[str, Mapping[str, str]]


@dataclasses.dataclass
class Settings:
    """Everything that decides a run (see the module docstring for each field)."""

    threshold: float = DEFAULT_THRESHOLD
    review_threshold: float = 0.5
    conflict_below: float = 0.01
    columns: ColumnMap | None = None
    region: str = "NL"
    today: dt.date | None = None
    seed: int = 0
    max_u_pairs: int = 1_000_000
    max_training_pairs: int = 2_000_000
    households: bool = True
    survivorship: Sequence[Any] | None = None
    model: MatchModel | None = None
    retrain: bool = False
    allow_bsn: bool = False
    training_rules: Sequence[BlockingRule] | None = None

    def __post_init__(self) -> None:
        for name in ("threshold", "review_threshold", "conflict_below"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                    not math.isfinite(value) or not 0.0 <= value <= 1.0:
                raise ConfigError(f"setting {name} must be a probability in [0, 1], "
                                  f"got {value!r}")
            setattr(self, name, float(value))
        if not self.conflict_below <= self.review_threshold <= self.threshold:
            raise ConfigError(
                "settings need conflict_below <= review_threshold <= threshold, got "
                f"{self.conflict_below} / {self.review_threshold} / {self.threshold}")
        if isinstance(self.today, str):
            try:
                self.today = dt.date.fromisoformat(self.today)
            except ValueError as exc:
                raise ConfigError(f"setting today must be an ISO date, got "
                                  f"{self.today!r}") from exc
        if self.today is not None and not isinstance(self.today, dt.date):
            raise ConfigError(f"setting today must be a date, got {self.today!r}")
        for name in ("seed", "max_u_pairs", "max_training_pairs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"setting {name} must be a non-negative integer, "
                                  f"got {value!r}")
        for name in ("max_u_pairs", "max_training_pairs"):
            if getattr(self, name) < 1:
                raise ConfigError(f"setting {name} must be at least 1")
        if not isinstance(self.region, str) or len(self.region) != 2:
            raise ConfigError(f"setting region must be a two-letter region code such as "
                              f"'NL', got {self.region!r}")
        if self.columns is not None and not isinstance(self.columns, Mapping):
            raise ConfigError(f"setting columns must map roles to column names, got "
                              f"{type(self.columns).__name__}")
        if self.model is not None and not isinstance(self.model, MatchModel):
            raise ConfigError(f"setting model must be a MatchModel, got "
                              f"{type(self.model).__name__}")
        if self.training_rules is not None:
            rules = [self.training_rules] if isinstance(self.training_rules, BlockingRule) \
                else list(self.training_rules)
            if not rules or not all(isinstance(r, BlockingRule) for r in rules):
                raise ConfigError("setting training_rules must be a non-empty list of blocking "
                                  "rules (custmatch.block.block_on(...))")
            self.training_rules = rules
        if self.survivorship is not None:
            if isinstance(self.survivorship, (str, bytes, Mapping)) or \
                    not isinstance(self.survivorship, Sequence):
                raise ConfigError("setting survivorship must be a list of specs "
                                  "(custmatch.survive.field / group / consent)")
            self.survivorship = list(self.survivorship)

    # ------------------------------------------------------------------ overrides
    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied (``None`` values are ignored).

        Example:
            >>> Settings().replace(threshold=0.8, columns=None).threshold
            0.8
        """
        given = {k: v for k, v in changes.items() if v is not None}
        unknown = sorted(set(given) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise ConfigError(f"unknown setting(s) {unknown}")
        return dataclasses.replace(self, **given)

    @property
    def model_is_trained(self) -> bool:
        """True when :attr:`model` is given with m and u estimated."""
        return self.model is not None and bool(self.model.trained.get("m")) and \
            bool(self.model.trained.get("u"))

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON-able data, the model and survivorship specs included."""
        from custmatch.serialize import rule_to_dict, spec_to_dict

        out: dict[str, Any] = {"format": SETTINGS_FORMAT, "version": SETTINGS_VERSION}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "model":
                value = None if value is None else value.to_dict()
            elif f.name == "survivorship":
                value = None if value is None else [spec_to_dict(s) for s in value]
            elif f.name == "training_rules":
                value = None if value is None else [rule_to_dict(r) for r in value]
            elif f.name == "today":
                value = None if value is None else value.isoformat()
            elif f.name == "columns" and value is not None:
                value = json.loads(json.dumps(value))
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Settings:
        """Settings from :meth:`to_dict` output, or a plain dict of some fields."""
        from custmatch.serialize import rule_from_dict, spec_from_dict

        if not isinstance(data, Mapping):
            raise ConfigError(f"settings must be a JSON object, got {type(data).__name__}")
        data = dict(data)
        fmt = data.pop("format", SETTINGS_FORMAT)
        version = data.pop("version", SETTINGS_VERSION)
        if fmt != SETTINGS_FORMAT:
            raise ConfigError(f"not a custmatch settings file (format {fmt!r})")
        if version != SETTINGS_VERSION:
            raise ConfigError(f"settings version {version!r} is not supported (this "
                              f"custmatch reads version {SETTINGS_VERSION})")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown setting(s) {unknown}; known: {sorted(known)}")
        if data.get("model") is not None:
            data["model"] = MatchModel.from_dict(data["model"])
        if data.get("training_rules") is not None:
            if not isinstance(data["training_rules"], list):
                raise ConfigError("setting training_rules must be a list of rule objects")
            data["training_rules"] = [rule_from_dict(r) for r in data["training_rules"]]
        if data.get("survivorship") is not None:
            if not isinstance(data["survivorship"], list):
                raise ConfigError("setting survivorship must be a list of spec objects")
            data["survivorship"] = [spec_from_dict(s) for s in data["survivorship"]]
        return cls(**data)

    def save(self, path: str | Path) -> Path:
        """Write the settings (and model) as readable JSON; return the path."""
        from custmatch.serialize import write_json

        return write_json(self.to_dict(), path)

    @classmethod
    def load(cls, path: str | Path) -> Settings:
        """Read settings written by :meth:`save` (or hand-written JSON with some fields)."""
        from custmatch.serialize import read_json

        return cls.from_dict(read_json(path, ConfigError, "settings"))
