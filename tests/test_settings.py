"""Settings: validation, overrides and the JSON round trip (model and survivorship included)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from custmatch import ConfigError, MatchModel, ModelError, Settings
from custmatch.block import block_on
from custmatch.compare import Exact
from custmatch.survive import (
    consent,
    custom,
    field,
    group,
    most_recent,
    required,
    source_priority,
)


def test_defaults_round_trip_through_json(tmp_path: Path) -> None:
    path = Settings().save(tmp_path / "s.json")
    data = json.loads(path.read_text())
    assert data["format"] == "custmatch.Settings" and data["version"] == 1
    assert Settings.load(path) == Settings()


def test_every_field_round_trips(tmp_path: Path) -> None:
    model = MatchModel([Exact("surname")], [block_on("surname")], cannot_link=[],
                       term_frequencies=[], conditionals=[], prior=0.01)
    specs = [field("phone", source_priority(["finance", "crm"]), most_recent("changed")),
             group("address", ["postcode", "house_number"], required(("postcode",))),
             consent("consent_email", bind_to="email")]
    settings = Settings(threshold=0.9, review_threshold=0.4, conflict_below=0.05,
                        columns={"surname": "anaam"}, region="BE", today=dt.date(2026, 1, 2),
                        seed=7, max_u_pairs=1000, households=False, survivorship=specs,
                        model=model, retrain=True,
                        training_rules=[block_on("surname"), block_on("postcode", "city")])
    back = Settings.load(settings.save(tmp_path / "s.json"))
    assert back.survivorship == specs
    assert back.model.to_dict() == model.to_dict()
    assert back.today == dt.date(2026, 1, 2)
    assert back.to_dict() == settings.to_dict()
    assert [r.name for r in back.training_rules] == ["block_on(surname)",
                                                     "block_on(postcode, city)"]
    assert (back.threshold, back.region, back.seed, back.households, back.retrain) == \
        (0.9, "BE", 7, False, True)


def test_replace_ignores_none_and_refuses_unknown_names() -> None:
    assert Settings().replace(threshold=0.8, columns=None).threshold == 0.8
    with pytest.raises(ConfigError, match="unknown setting"):
        Settings().replace(treshold=0.8)


@pytest.mark.parametrize(("changes", "message"), [
    ({"threshold": 1.5}, "threshold must be a probability"),
    ({"threshold": float("nan")}, "threshold must be a probability"),
    ({"threshold": True}, "threshold must be a probability"),
    ({"threshold": 0.4, "review_threshold": 0.5}, "conflict_below <= review_threshold"),
    ({"today": "yesterday"}, "ISO date"),
    ({"seed": -1}, "non-negative integer"),
    ({"max_u_pairs": 0}, "at least 1"),
    ({"max_training_pairs": 0}, "at least 1"),
    ({"region": "Nederland"}, "two-letter"),
    ({"columns": ["surname"]}, "map roles"),
    ({"model": "default"}, "MatchModel"),
    ({"survivorship": "defaults"}, "list of specs"),
    ({"training_rules": ["surname"]}, "training_rules"),
    ({"training_rules": []}, "training_rules"),
])
def test_bad_values_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings(**changes)


def test_bad_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        Settings.load(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ConfigError, match="cannot read"):
        Settings.load(tmp_path / "bad.json")
    with pytest.raises(ConfigError, match="format"):
        Settings.from_dict({"format": "splink.Settings"})
    with pytest.raises(ConfigError, match="version"):
        Settings.from_dict({"format": "custmatch.Settings", "version": 99})
    with pytest.raises(ModelError, match="custmatch model"):
        Settings.from_dict({"model": {"format": "other"}})
    with pytest.raises(ConfigError, match="unknown survivorship rule"):
        Settings.from_dict({"survivorship": [{"kind": "field", "name": "x", "fields": ["x"],
                                              "rules": [{"rule": "Magic"}]}]})


def test_user_functions_cannot_be_saved() -> None:
    settings = Settings(survivorship=[field("phone", custom(lambda r, f: r["x"], name="x"))])
    with pytest.raises(ConfigError, match="user function"):
        settings.to_dict()


def test_hand_written_partial_settings_are_accepted(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text('{"threshold": 0.8, "columns": {"surname": "anaam"}}')
    settings = Settings.load(tmp_path / "s.json")
    assert settings.threshold == 0.8 and settings.columns == {"surname": "anaam"}
    assert settings.model is None and not settings.model_is_trained
