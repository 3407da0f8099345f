"""Vocabulary tables for the synthetic generator, read lazily from ``datasets/data/*.csv``.

Every loader is cached, returns plain numpy arrays and is independent of the generator seed:
the vocabulary (names, streets, cities, providers) is fixed data, the seed only decides what is
drawn from it.

Example:
    >>> names = first_names()
    >>> "Jan" in set(names.name)
    True
    >>> round(float(surnames().prob.sum()), 6)
    1.0
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

#: Fixed seed for the vocabulary-level shuffles (the surname tail order). Not the user's seed.
_VOCAB_SEED = 20_240_601
#: Share of the population that carries one of the listed (head) surnames.
_HEAD_SHARE = 0.36
#: Share of the generated tail that carries a tussenvoegsel.
_TAIL_PREFIX_SHARE = 0.33


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("custmatch.datasets").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _obj(values: list[str]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


@dataclass(frozen=True)
class FirstNames:
    """Given names: ``name`` (roepnaam), ``gender`` (0 male, 1 female), ``official`` (BRP name)."""

    name: np.ndarray
    gender: np.ndarray
    official: np.ndarray
    era_weight: np.ndarray  # shape (3, n): born before 1960, 1960-1989, from 1990
    second_weight: np.ndarray  # weight as a second (official) given name


@cache
def first_names() -> FirstNames:
    """The first-name table (``first_names.csv``)."""
    rows = _rows("first_names.csv")
    return FirstNames(
        name=_obj([r["name"] for r in rows]),
        gender=np.array([0 if r["gender"] == "M" else 1 for r in rows], dtype=np.int8),
        official=_obj([r["official"] or r["name"] for r in rows]),
        era_weight=np.array([[float(r[k]) for r in rows] for k in ("w_old", "w_mid", "w_young")]),
        second_weight=np.array([float(r["w_second"]) for r in rows]),
    )


@dataclass(frozen=True)
class Surnames:
    """Surnames as ``prefix`` (tussenvoegsel or "") and ``core``, with probabilities."""

    prefix: np.ndarray
    core: np.ndarray
    prob: np.ndarray
    head: np.ndarray  # bool: from the frequency list rather than the generated tail


def _zipf(n: int, exponent: float = 1.0) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** exponent
    return w / w.sum()


@cache
def surnames() -> Surnames:
    """Head surnames from ``surnames.csv`` plus a long tail built from ``surname_parts.csv``.

    The tail combines stems with suffixes (``Hoekstra``, ``Wiersma``, ``Harmsen``) and prefixes
    with places and elements (``van Zwol``, ``van der Zwaag``, ``ter Horst``), Zipf-weighted in
    a fixed shuffled order.
    """
    head = _rows("surnames.csv")
    parts = _rows("surname_parts.csv")
    stems = [r["value"] for r in parts if r["kind"] == "stem"]
    suffixes = [r["value"] for r in parts if r["kind"] == "suffix"]
    plain = sorted({s + x for s in stems for x in suffixes if not s.endswith(x)})
    prefixed = [(r["kind"], r["value"]) for r in parts if r["kind"] not in ("stem", "suffix")]
    known = {(r["prefix"], r["surname"]) for r in head}
    plain = [s for s in plain if ("", s) not in known]
    prefixed = [p for p in prefixed if p not in known]
    rng = np.random.default_rng(_VOCAB_SEED)
    plain = [plain[i] for i in rng.permutation(len(plain))]
    prefixed = [prefixed[i] for i in rng.permutation(len(prefixed))]

    head_w = np.array([float(r["weight"]) for r in head])
    prob = np.concatenate(
        [
            head_w / head_w.sum() * _HEAD_SHARE,
            _zipf(len(plain), 0.8) * (1 - _HEAD_SHARE) * (1 - _TAIL_PREFIX_SHARE),
            _zipf(len(prefixed), 0.6) * (1 - _HEAD_SHARE) * _TAIL_PREFIX_SHARE,
        ]
    )
    prefix = [r["prefix"] for r in head] + [""] * len(plain) + [p for p, _ in prefixed]
    core = [r["surname"] for r in head] + plain + [c for _, c in prefixed]
    is_head = np.zeros(len(prob), dtype=bool)
    is_head[: len(head)] = True
    return Surnames(_obj(prefix), _obj(core), prob / prob.sum(), is_head)


@dataclass(frozen=True)
class Cities:
    """Places with their PC4 range, area code, population weight and spelling aliases."""

    name: np.ndarray
    pc4_from: np.ndarray
    pc4_to: np.ndarray
    area_code: np.ndarray
    weight: np.ndarray
    aliases: tuple[tuple[str, ...], ...]


@cache
def cities() -> Cities:
    """The city table (``cities.csv``)."""
    rows = _rows("cities.csv")
    return Cities(
        name=_obj([r["city"] for r in rows]),
        pc4_from=np.array([int(r["pc4_from"]) for r in rows]),
        pc4_to=np.array([int(r["pc4_to"]) for r in rows]),
        area_code=_obj([r["area_code"] for r in rows]),
        weight=np.array([float(r["weight"]) for r in rows]),
        aliases=tuple(tuple(a for a in r["aliases"].split("|") if a) for r in rows),
    )


@cache
def streets() -> tuple[np.ndarray, np.ndarray]:
    """Street names and their weights (``streets.csv``)."""
    rows = _rows("streets.csv")
    return _obj([r["name"] for r in rows]), np.array([float(r["weight"]) for r in rows])


@cache
def street_abbreviations() -> tuple[tuple[str, str, str], ...]:
    """``(position, full, abbreviation)`` rules, position ``start`` or ``end``."""
    return tuple(
        (r["position"], r["full"], r["abbreviation"]) for r in _rows("street_abbreviations.csv")
    )


@dataclass(frozen=True)
class Providers:
    """E-mail domains with weights and the typo variants seen for each."""

    domain: np.ndarray
    prob: np.ndarray
    typos: tuple[tuple[str, ...], ...]


@cache
def email_providers() -> Providers:
    """The e-mail provider table (``email_providers.csv``)."""
    rows = _rows("email_providers.csv")
    w = np.array([float(r["weight"]) for r in rows])
    return Providers(
        domain=_obj([r["domain"] for r in rows]),
        prob=w / w.sum(),
        typos=tuple(tuple(t for t in r["typos"].split("|") if t) for r in rows),
    )


@cache
def organisation_words() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Organisation vocabulary by kind: ``trade``, ``suffix``, ``foundation``, ...

    Each value is ``(words, probabilities)``.
    """
    out: dict[str, tuple[list[str], list[float]]] = {}
    for r in _rows("organisation_words.csv"):
        words, weights = out.setdefault(r["kind"], ([], []))
        words.append(r["value"])
        weights.append(float(r["weight"]))
    return {
        k: (_obj(words), np.array(weights) / sum(weights)) for k, (words, weights) in out.items()
    }
