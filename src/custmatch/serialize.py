"""JSON-able descriptions of comparisons, blocking rules and survivorship specs, for saving
models and settings.

A comparison is stored as its class path and its constructor fields; a blocking rule as its
kind, its keys (each by the constructor that built it: ``column``, ``substr``, ``initial``,
``year``, ``phonetic``, ``any_of``, ``given_initials``) and its options. Keys with a user
function cannot be described; :func:`rule_to_dict` then raises :class:`ConfigError` naming
the key, so a save never writes something that loads differently. Survivorship specs
(:mod:`custmatch.survive`) are stored with their rules by rule class and fields; a
:func:`~custmatch.survive.custom` rule (a user function) cannot be saved either.

Example:
    >>> from custmatch.block import block_on, substr
    >>> spec = rule_to_dict(block_on(substr("postcode", 4), "surname_key"))
    >>> spec["keys"]
    [['substr', 'postcode', 4], ['column', 'surname_key']]
    >>> rule_from_dict(spec).name
    'block_on(substr(postcode, 4), surname_key)'
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from custmatch.block import (
    BlockingRule,
    BlockOn,
    Key,
    SortedNeighbourhood,
    any_of,
    block_on,
    given_initials,
    initial,
    phonetic,
    sorted_neighbourhood,
    substr,
    year,
)
from custmatch.compare.engine import Comparison
from custmatch.errors import ConfigError

__all__ = [
    "comparison_from_dict",
    "comparison_to_dict",
    "read_json",
    "rule_from_dict",
    "rule_to_dict",
    "spec_from_dict",
    "spec_to_dict",
    "write_json",
]


def comparison_to_dict(comparison: Comparison) -> dict[str, Any]:
    """Class path and constructor fields of a (dataclass) comparison."""
    if not dataclasses.is_dataclass(comparison):
        raise ConfigError(f"comparison {comparison!r} is not a dataclass and cannot be saved")
    fields = {}
    for f in dataclasses.fields(comparison):
        if not f.init:
            continue
        value = getattr(comparison, f.name)
        if isinstance(value, Mapping):
            value = dict(value)
        elif isinstance(value, tuple):
            value = list(value)
        fields[f.name] = value
    cls = type(comparison)
    return {"class": f"{cls.__module__}.{cls.__qualname__}", "fields": fields}


def comparison_from_dict(spec: Mapping[str, Any]) -> Comparison:
    """The comparison :func:`comparison_to_dict` described (custmatch classes only)."""
    path = str(spec.get("class", ""))
    module_name, _, class_name = path.rpartition(".")
    if not module_name.startswith("custmatch."):
        raise ConfigError(f"refusing to load comparison class {path!r}: not a custmatch class")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"unknown comparison class {path!r}") from exc
    fields = {}
    types = {f.name: f for f in dataclasses.fields(cls)}
    for name, value in dict(spec.get("fields", {})).items():
        if name in types and isinstance(value, list):
            value = tuple(value)
        fields[name] = value
    try:
        return cls(**fields)
    except TypeError as exc:
        raise ConfigError(f"cannot rebuild {path}: {exc}") from exc


def _key_to_list(key: Key) -> list[Any]:
    if key.spec:
        return list(key.spec)
    if type(key) is Key and key.func is None:
        return ["column", key.column]
    raise ConfigError(f"blocking key {key.name!r} uses a user function and cannot be saved; "
                      "build it from column names and custmatch key constructors")


def _key_from_list(spec: list[Any]) -> Key:
    kind, *args = spec
    makers = {"column": lambda c: Key(c, spec=("column", c)), "substr": substr,
              "initial": initial, "year": year, "phonetic": phonetic,
              "given_initials": given_initials}
    if kind == "any_of":
        columns, name = args
        return any_of(*columns, name=name)
    if kind not in makers:
        raise ConfigError(f"unknown blocking key kind {kind!r}")
    return makers[kind](*args)


def rule_to_dict(rule: BlockingRule) -> dict[str, Any]:
    """A JSON-able description of a :func:`block_on` or :func:`sorted_neighbourhood` rule."""
    if isinstance(rule, BlockOn):
        return {"kind": "block_on", "keys": [_key_to_list(k) for k in rule.keys],
                "name": rule.label, "max_block_size": rule.max_block_size}
    if isinstance(rule, SortedNeighbourhood):
        return {"kind": "sorted_neighbourhood", "keys": [_key_to_list(rule.key)],
                "window": rule.window, "name": rule.label}
    raise ConfigError(f"cannot describe blocking rule {rule!r}")


def rule_from_dict(spec: Mapping[str, Any]) -> BlockingRule:
    """The rule :func:`rule_to_dict` described."""
    keys = [_key_from_list(list(k)) for k in spec.get("keys", [])]
    if spec.get("kind") == "block_on":
        return block_on(*keys, name=spec.get("name"), max_block_size=spec.get("max_block_size"))
    if spec.get("kind") == "sorted_neighbourhood" and len(keys) == 1:
        return sorted_neighbourhood(keys[0], int(spec.get("window", 5)), name=spec.get("name"))
    raise ConfigError(f"unknown blocking rule description {dict(spec)!r}")



def _plain(value: Any) -> Any:
    """Tuples (also nested) and mappings as JSON lists and dicts."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _tupled(value: Any) -> Any:
    """JSON lists back to (nested) tuples, the form the survivorship dataclasses hold."""
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    if isinstance(value, dict):
        return {k: _tupled(v) for k, v in value.items()}
    return value


def _survive_rule_classes() -> dict[str, type]:
    from custmatch.survive import rules

    return {cls.__name__: cls for cls in (
        rules.SourcePriority, rules.MostRecent, rules.MostFrequent, rules.Longest,
        rules.FirstValid, rules.MostComplete, rules.SpelledOut, rules.Required,
        rules.CollectAll)}


def spec_to_dict(spec: Any) -> dict[str, Any]:
    """A JSON-able description of a survivorship spec (``field``, ``group``, ``consent``).

    Example:
        >>> from custmatch.survive import field, most_recent, source_priority
        >>> spec = spec_to_dict(field("phone", source_priority(["crm"]), most_recent()))
        >>> spec["rules"][0]
        {'rule': 'SourcePriority', 'order': ['crm']}
    """
    from custmatch.survive.rules import ConsentSpec, FieldSpec

    if isinstance(spec, ConsentSpec):
        return {"kind": "consent", **_plain(dataclasses.asdict(spec))}
    if not isinstance(spec, FieldSpec):
        raise ConfigError(f"{spec!r} is not a survivorship spec (field, group or consent)")
    known = _survive_rule_classes()
    rules = []
    for rule in spec.rules:
        name = type(rule).__name__
        if known.get(name) is not type(rule):
            raise ConfigError(f"survivorship spec {spec.name!r}: rule {rule.label!r} is a user "
                              "function and cannot be saved; use the built-in rules")
        rules.append({"rule": name, **{f.name: _plain(getattr(rule, f.name))
                                       for f in dataclasses.fields(rule)}})
    return {"kind": "field", "name": spec.name, "fields": list(spec.fields), "rules": rules,
            "complete_from": list(spec.complete_from), "complete": list(spec.complete),
            "status": _plain(spec.status), "carry": list(spec.carry)}


def spec_from_dict(data: Mapping[str, Any]) -> Any:
    """The survivorship spec :func:`spec_to_dict` described."""
    from custmatch.survive.rules import ConsentSpec, FieldSpec

    kind = data.get("kind")
    try:
        if kind == "consent":
            return ConsentSpec(**{k: v for k, v in data.items() if k != "kind"})
        if kind == "field":
            known = _survive_rule_classes()
            rules = []
            for rule in data.get("rules", []):
                name = rule.get("rule")
                if name not in known:
                    raise ConfigError(f"unknown survivorship rule {name!r}; known: "
                                      f"{sorted(known)}")
                rules.append(known[name](**{k: _tupled(v) for k, v in rule.items()
                                            if k != "rule"}))
            return FieldSpec(
                str(data["name"]), tuple(data["fields"]), tuple(rules),
                tuple(data.get("complete_from", ())), tuple(data.get("complete", ())),
                {k: tuple(v) for k, v in dict(data.get("status", {})).items()},
                tuple(data.get("carry", ())))
    except (TypeError, KeyError) as exc:
        raise ConfigError(f"bad survivorship spec description {dict(data)!r}: {exc}") from exc
    raise ConfigError(f"survivorship spec kind must be 'field' or 'consent', got {kind!r}")


def write_json(data: Mapping[str, Any], path: str | Path) -> Path:
    """Write ``data`` as readable UTF-8 JSON (indented, non-ASCII kept); return the path.

    Example:
        >>> import tempfile
        >>> path = write_json({"naam": "Zoë"}, Path(tempfile.mkdtemp()) / "x.json")
        >>> read_json(path, ConfigError, "settings")
        {'naam': 'Zoë'}
    """
    target = Path(path)
    target.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def read_json(path: str | Path, error: type[Exception], what: str) -> dict[str, Any]:
    """The JSON object in ``path``; any failure raises ``error`` naming ``what`` and the file.

    Example:
        >>> read_json("/no/such.json", ConfigError, "settings")
        Traceback (most recent call last):
        ...
        custmatch.errors.ConfigError: settings file not found: /no/such.json
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise error(f"{what} file not found: {path}") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"cannot read {what} file {str(path)!r}: {exc}") from exc
    if not isinstance(data, dict):
        raise error(f"{what} file {str(path)!r} does not hold a JSON object")
    return data
