"""Blocking: which record pairs are worth comparing.

Comparing every record with every other is impossible at a million records, so candidate
pairs come from *blocking rules*: records that agree exactly on a key are paired. Rules are
built from small pieces and combined:

* ``block_on("postcode", "house_number")``: records that agree on all listed keys (AND).
* Keys are column names or derived keys: ``phonetic("surname")`` (Dutch phonetic key),
  ``substr("postcode", 4)`` (the first characters), ``initial("first_name")``,
  ``year("birth_date")``, ``any_of("surname_key", "partner_surname_key")`` (a record in the
  block of each value: married names), or ``derived(column, func, name)`` for your own.
* ``sorted_neighbourhood("surname", window=5)``: records close in the sort order of a key.
* A list of rules is their union: each pair once, remembering the first rule that made it.

Null or empty keys never block together. Blocks larger than ``max_block_size`` (a shared
role e-mail address, a shop's own phone number, an empty-ish value) are skipped and reported
in :attr:`Pairs.skipped` and :attr:`Pairs.report`, never silently; a warning is raised too,
unless the rule declared its own cap (a deliberate choice, e.g. for a name rule whose
common-name blocks are known to be useless). :func:`estimate_pairs` counts the
pairs before anything is materialised.

Pairs are two aligned integer arrays of row positions (``left < right``), not a pandas
MultiIndex. :func:`dedupe` pairs the rows of one frame; :func:`link` pairs rows of different
frames only (positions index the frames stacked in the given order).

Example:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"postcode": ["1234 AB", "1234 AB", "1234 AB", None],
    ...                    "house_number": [12, 12, 14, 12],
    ...                    "surname": ["Jansen", "Janssen", "Bakker", "Jansen"]})
    >>> pairs = dedupe(df, [block_on("postcode", "house_number"), block_on(phonetic("surname"))])
    >>> list(zip(pairs.left.tolist(), pairs.right.tolist(), pairs.rule.tolist()))
    [(0, 1, 0), (0, 3, 1), (1, 3, 1)]
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from custmatch._codes import combine_codes, python_values
from custmatch._run_cache import cached, run_cache
from custmatch.errors import ConfigError, CustmatchWarning, InputError, SchemaError

__all__ = [
    "DEFAULT_MAX_BLOCK_SIZE",
    "AnyOf",
    "BlockingRule",
    "Key",
    "Pairs",
    "SortedNeighbourhood",
    "any_of",
    "block_on",
    "dedupe",
    "default_rules",
    "derived",
    "estimate_pairs",
    "given_initials",
    "initial",
    "link",
    "link_stacked",
    "phonetic",
    "sorted_neighbourhood",
    "stack_frames",
    "substr",
    "year",
]

#: Blocks with more records than this are skipped and reported (a block of 1,000 records
#: alone makes ~500,000 pairs).
DEFAULT_MAX_BLOCK_SIZE = 1000


# --------------------------------------------------------------------------- keys

@dataclass(frozen=True)
class Key:
    """A blocking key: a column, optionally transformed value by value.

    ``func`` maps one non-null cell value to a hashable key (or ``None`` for "no key"); it
    runs once per distinct value. ``label`` names the key in rule names and reports.
    """

    column: str
    func: Callable[[object], Hashable | None] | None = None
    label: str | None = None
    #: How the key was built, as JSON-able data (``["substr", "postcode", 4]``), so a rule
    #: can be saved with a model; empty for keys with a user function.
    spec: tuple = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column:
            raise ConfigError(f"a blocking key needs a column name, got {self.column!r}")

    @property
    def name(self) -> str:
        """Readable name, e.g. ``postcode`` or ``substr(postcode, 4)``."""
        return self.label or self.column

    def codes(self, frame: pd.DataFrame) -> NDArray[np.int64]:
        """Integer code per row (equal keys, equal codes); ``-1`` where the key is null/empty."""
        return self.factorize(frame)[0]

    def factorize(self, frame: pd.DataFrame) -> tuple[NDArray[np.int64], list[Hashable]]:
        """Codes per row (``-1`` null) and the distinct key values the codes index."""
        # once per run: the default rules use the surname key in four rules
        return cached(frame, "block.factorize", self, lambda: self._factorize(frame))

    def _factorize(self, frame: pd.DataFrame) -> tuple[NDArray[np.int64], list[Hashable]]:
        if self.column not in frame.columns:
            raise SchemaError(
                f"blocking key {self.name!r} needs column {self.column!r}; "
                f"found {list(frame.columns)[:15]}"
            )
        values = frame[self.column]
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        keys = [self._key(v) for v in python_values(uniques)]
        key_codes, key_values = pd.factorize(pd.Series(keys, dtype=object), use_na_sentinel=True)
        lookup = np.append(key_codes, -1).astype(np.int64)  # position -1 -> null
        return lookup[codes], list(key_values)

    def _key(self, value: object) -> Hashable | None:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
        if self.func is None:
            return value
        try:
            return self.func(value)
        except (TypeError, ValueError, AttributeError):
            return None


@dataclass(frozen=True)
class AnyOf(Key):
    """A multi-valued key: a record takes part in the block of each of its values.

    For married names: ``any_of("surname_key", "partner_surname_key")`` puts
    ``Jansen-de Vries`` in the ``jansen`` block and in the ``vries`` block, so it meets both
    ``A. Jansen`` and ``A. de Vries``. All columns share one value space. ``func`` may also
    return several values for one cell (e.g. every letter of ``"JH"``).
    """

    others: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.label or f"any_of({', '.join((self.column, *self.others))})"

    def entries(self, frame: pd.DataFrame) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """``(rows, codes)``: one entry per (row, distinct non-null value)."""
        return cached(frame, "block.entries", self, lambda: self._entries(frame))

    def _entries(self, frame: pd.DataFrame) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        n = len(frame)
        ids: dict[Hashable, int] = {}
        all_rows, all_codes = [], []
        columns = (self.column, *self.others)
        for column in columns:
            if column not in frame.columns:
                self._missing(frame, column)
        if self.func is None:
            return self._plain_entries(frame, columns)
        for column in columns:
            codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
            per_value = [tuple(ids.setdefault(k, len(ids)) for k in self._keys(u))
                         for u in python_values(uniques)]
            counts = np.array([len(v) for v in per_value] + [0], dtype=np.int64)[codes]
            flat = np.array([k for v in per_value for k in v], dtype=np.int64)
            starts = np.concatenate(([0], np.cumsum([len(v) for v in per_value])))[:-1]
            rows = np.repeat(np.arange(n, dtype=np.int64), counts)
            offset = np.repeat(starts[np.maximum(codes, 0)] if len(starts) else
                               np.zeros(n, dtype=np.int64), counts)
            all_rows.append(rows)
            all_codes.append(flat[offset + _ramp(counts)] if len(flat) else offset)
        rows = np.concatenate(all_rows)
        codes = np.concatenate(all_codes)
        width = max(len(ids), 1)
        pair = pd.unique(rows * width + codes)
        return pair // width, pair % width

    def _plain_entries(self, frame: pd.DataFrame, columns: tuple[str, ...]
                       ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """:meth:`_entries` without ``func``: one value per cell, numbered across the
        columns in order of first appearance (as the general path numbers them), worked
        out per distinct value of each column."""
        column_codes, keys = [], []
        for column in columns:
            codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
            column_codes.append(np.asarray(codes, dtype=np.int64))
            keys.append(np.array([self._key(u) for u in python_values(uniques)], dtype=object))
        ids, _ = pd.factorize(np.concatenate(keys) if keys else np.zeros(0, object),
                              use_na_sentinel=True)
        starts = np.cumsum([0, *(len(k) for k in keys)])
        all_rows, all_codes = [], []
        for k, codes in enumerate(column_codes):
            lookup = np.append(ids[starts[k]:starts[k + 1]], -1).astype(np.int64)
            found = lookup[codes]  # codes -1 (null) -> the appended -1
            rows = np.flatnonzero(found >= 0)
            all_rows.append(rows)
            all_codes.append(found[rows])
        rows = np.concatenate(all_rows) if all_rows else np.zeros(0, np.int64)
        codes = np.concatenate(all_codes) if all_codes else np.zeros(0, np.int64)
        width = max(int(codes.max()) + 1 if len(codes) else 1, 1)
        pair = pd.unique(rows * width + codes)
        return pair // width, pair % width

    def _keys(self, value: object) -> tuple[Hashable, ...]:
        key = self._key(value)
        if key is None:
            return ()
        if isinstance(key, tuple | list | set | frozenset):
            return tuple(dict.fromkeys(k for k in key if k is not None and k != ""))
        return (key,)

    def _missing(self, frame: pd.DataFrame, column: str) -> pd.Series:
        raise SchemaError(f"blocking key {self.name!r} needs column {column!r}; "
                          f"found {list(frame.columns)[:15]}")


def any_of(*columns: str, func: Callable[[object], object] | None = None,
           name: str | None = None) -> AnyOf:
    """A key whose value may be in any of ``columns`` (see :class:`AnyOf`); ``func`` maps a
    cell to one key or to several.

    Example:
        >>> any_of("surname_key", "partner_surname_key").name
        'any_of(surname_key, partner_surname_key)'
    """
    if len(columns) < 2:
        raise ConfigError("any_of needs at least two columns")
    spec = ("any_of", list(columns), name) if func is None else ()
    return AnyOf(columns[0], func, name, spec=spec,  # type: ignore[arg-type]
                 others=tuple(columns[1:]))


def _as_key(spec: str | Key) -> Key:
    if isinstance(spec, Key):
        return spec
    if isinstance(spec, str):
        return Key(spec, spec=("column", spec))
    raise ConfigError(f"a blocking key is a column name or a Key, got {spec!r}")


def derived(column: str, func: Callable[[object], Hashable | None], name: str) -> Key:
    """A key computed from ``column`` by ``func`` (once per distinct value).

    Example:
        >>> key = derived("email", lambda v: str(v).split("@")[-1], "email_domain")
        >>> key.name
        'email_domain'
    """
    return Key(column, func, name)


def substr(column: str, length: int) -> Key:
    """The first ``length`` characters of the value, e.g. the digits of a postcode.

    Example:
        >>> substr("postcode", 4).name
        'substr(postcode, 4)'
    """
    if not isinstance(length, int) or length <= 0:
        raise ConfigError(f"substr length must be a positive integer, got {length!r}")
    return Key(column, lambda v: str(v)[:length] or None, f"substr({column}, {length})",
               spec=("substr", column, length))


def initial(column: str) -> Key:
    """The first letter of the value, case-folded (``"Jan"`` and ``"j."`` share ``j``).

    Example:
        >>> initial("first_name").name
        'initial(first_name)'
    """

    def first_letter(value: object) -> str | None:
        return next((ch.casefold() for ch in str(value) if ch.isalpha()), None)

    return Key(column, first_letter, f"initial({column})", spec=("initial", column))


def _given_letters(value: object) -> tuple[str, ...]:
    text = str(value).strip()
    if not text:
        return ()
    if text.isupper():  # canonical initials ("JH"): every letter
        return tuple(ch.lower() for ch in text if ch.isalpha())
    from custmatch.normalize.names import official_names

    letters = [text[:1].lower()]
    for token in text.replace("-", " ").split():
        letters.extend(name[:1] for name in official_names(token))
    return tuple(dict.fromkeys(letter for letter in letters if letter.isalpha()))


def given_initials(initials: str = "initials", first_name: str = "first_name") -> AnyOf:
    """Every initial a person may be known by: the letters of the initials, the first letter
    of the first name and the initials of the official names behind a roepnaam (Hans ->
    Johannes -> J, Bram -> Abraham -> A), so ``Hans de Vries`` meets ``J. de Vries``.

    Example:
        >>> given_initials().name
        'given_initials'
        >>> _given_letters("Bram"), _given_letters("HJ")
        (('b', 'a'), ('h', 'j'))
    """
    key = any_of(initials, first_name, func=_given_letters, name="given_initials")
    return replace(key, spec=("given_initials", initials, first_name))


def year(column: str) -> Key:
    """The year of a date value (``datetime.date``, Timestamp or ISO string).

    Example:
        >>> year("birth_date").name
        'year(birth_date)'
    """

    def year_of(value: object) -> int | None:
        if hasattr(value, "year"):
            return int(value.year)  # type: ignore[attr-defined]
        text = str(value)
        return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else None

    return Key(column, year_of, f"year({column})", spec=("year", column))


def phonetic(column: str) -> Key:
    """The Dutch phonetic key of a surname, without its tussenvoegsel (``van den Bosch`` ->
    ``bos``, ``Meijer``/``Meyer`` -> ``meier``).

    Example:
        >>> phonetic("surname").name
        'phonetic(surname)'
    """
    from custmatch.normalize.names import dutch_phonetic

    return Key(column, lambda v: dutch_phonetic(str(v)), f"phonetic({column})",
               spec=("phonetic", column))


# --------------------------------------------------------------------------- rules
class BlockingRule:
    """Base class of blocking rules: subclasses turn a frame into candidate pairs."""

    name: str
    max_block_size: int | None

    def candidate_pairs(
        self, frame: pd.DataFrame, max_block_size: int
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], pd.DataFrame]:
        """``(left, right, skipped)`` with ``left < right`` row positions."""
        raise NotImplementedError

    def count_pairs(self, frame: pd.DataFrame, max_block_size: int) -> dict[str, int]:
        """Pair counts without materialising pairs."""
        raise NotImplementedError


@dataclass(frozen=True)
class BlockOn(BlockingRule):
    """Pairs of records that agree on every key (see :func:`block_on`)."""

    keys: tuple[Key, ...]
    label: str | None = None
    max_block_size: int | None = None

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.label or f"block_on({', '.join(k.name for k in self.keys)})"

    def block_entries(self, frame: pd.DataFrame) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """``(rows, codes)``: the block of each row (``-1``: a key is null). A multi-valued
        key (:func:`any_of`) gives a row one entry per value."""
        rows = np.arange(len(frame), dtype=np.int64)
        multi = [k for k in self.keys if isinstance(k, AnyOf)]
        combined = np.zeros(len(frame), dtype=np.int64)
        if multi:
            rows, combined = multi[0].entries(frame)
            for key in multi[1:]:  # every combination of the values of a row
                more_rows, more_codes = key.entries(frame)
                joined = pd.DataFrame({"row": rows, "a": combined}).merge(
                    pd.DataFrame({"row": more_rows, "b": more_codes}), on="row", sort=True)
                rows = joined["row"].to_numpy(dtype=np.int64)
                combined = combine_codes(joined["a"].to_numpy(), joined["b"].to_numpy())
        null = np.zeros(len(rows), dtype=bool)
        for key in self.keys:
            if isinstance(key, AnyOf):
                continue
            codes = key.codes(frame)[rows]
            null |= codes < 0
            combined = combine_codes(combined, codes)
        combined[null] = -1
        return rows, combined

    def block_codes(self, frame: pd.DataFrame) -> NDArray[np.int64]:
        """One code per row for the combination of keys; ``-1`` if any key is null."""
        rows, codes = self.block_entries(frame)
        if len(rows) != len(frame):
            raise ConfigError(f"{self.name}: a multi-valued key has no single code per row")
        return codes

    def candidate_pairs(
        self, frame: pd.DataFrame, max_block_size: int
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], pd.DataFrame]:
        cap = self.max_block_size or max_block_size
        rows, codes = self.block_entries(frame)
        left, right, first, size = _pairs_within_blocks(codes, cap, rows)
        keys = [" | ".join(str(frame[k.column].iloc[i]) for k in self.keys)
                for i in first.tolist()]
        skipped = pd.DataFrame({"rule": [self.name] * len(first), "key": keys,
                                "block_size": size, "first_position": first})
        return left, right, skipped

    def count_pairs(self, frame: pd.DataFrame, max_block_size: int) -> dict[str, int]:
        codes = self.block_entries(frame)[1]  # with any_of: an upper bound (overlaps count twice)
        sizes = np.bincount(codes[codes >= 0]) if (codes >= 0).any() else np.zeros(0, np.int64)
        cap = self.max_block_size or max_block_size
        pairs = sizes.astype(np.int64) * (sizes - 1) // 2
        big = sizes > cap
        return {
            "blocks": int((sizes >= 2).sum()),
            "pairs": int(pairs[~big].sum()),
            "skipped_blocks": int(big.sum()),
            "skipped_pairs": int(pairs[big].sum()),
        }


@dataclass(frozen=True)
class SortedNeighbourhood(BlockingRule):
    """Pairs of records within ``window`` places of each other when sorted on a key.

    Catches typos that break exact blocks (``Jansen``/``Janssen`` sort next to each other).
    Records with a null key take no part. Ties keep the input row order.
    """

    key: Key
    window: int = 5
    label: str | None = None
    max_block_size: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.key, AnyOf):
            raise ConfigError("sorted_neighbourhood sorts on one value per record; "
                              f"{self.key.name} has several: use block_on for it")
        if not isinstance(self.window, int) or self.window < 2:
            raise ConfigError(f"sorted_neighbourhood window must be an integer >= 2, "
                              f"got {self.window!r}")

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.label or f"sorted_neighbourhood({self.key.name}, window={self.window})"

    def _sorted_rows(self, frame: pd.DataFrame) -> NDArray[np.int64]:
        """Rows with a key, ordered by the key's text (ties keep row order)."""
        codes, values = self.key.factorize(frame)
        valid = np.flatnonzero(codes >= 0)
        rank = np.empty(len(values), dtype=np.int64)
        rank[np.argsort(np.array([str(v) for v in values], dtype=object), kind="stable")] = \
            np.arange(len(values))
        return valid[np.argsort(rank[codes[valid]], kind="stable")]

    def candidate_pairs(
        self, frame: pd.DataFrame, max_block_size: int
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], pd.DataFrame]:
        rows = self._sorted_rows(frame)
        lefts, rights = [], []
        for step in range(1, self.window):
            a, b = rows[:-step], rows[step:]
            lefts.append(np.minimum(a, b))
            rights.append(np.maximum(a, b))
        left = np.concatenate(lefts) if lefts else np.zeros(0, np.int64)
        right = np.concatenate(rights) if rights else np.zeros(0, np.int64)
        empty = pd.DataFrame(columns=["rule", "key", "block_size", "first_position"])
        return left, right, empty

    def count_pairs(self, frame: pd.DataFrame, max_block_size: int) -> dict[str, int]:
        n = int((self.key.codes(frame) >= 0).sum())
        pairs = sum(max(n - step, 0) for step in range(1, self.window))
        return {"blocks": 1 if n >= 2 else 0, "pairs": pairs, "skipped_blocks": 0,
                "skipped_pairs": 0}


def block_on(*keys: str | Key, name: str | None = None,
             max_block_size: int | None = None) -> BlockOn:
    """A rule pairing records that agree on every key (AND).

    Args:
        *keys: column names or derived keys (:func:`phonetic`, :func:`substr`, ...).
        name: optional rule name for reports (default ``block_on(a, b)``).
        max_block_size: per-rule override of the block-size cap.

    Example:
        >>> block_on("postcode", "house_number").name
        'block_on(postcode, house_number)'
        >>> block_on(substr("postcode", 4), initial("first_name")).name
        'block_on(substr(postcode, 4), initial(first_name))'
    """
    if len(keys) == 1 and isinstance(keys[0], list | tuple):
        listed = ", ".join(repr(k) for k in keys[0])
        raise TypeError(
            f"block_on takes keys as separate arguments: block_on({listed}); "
            "for the union of several rules pass a list of rules"
        )
    if not keys:
        raise ConfigError("block_on needs at least one key")
    if max_block_size is not None and max_block_size < 2:
        raise ConfigError(f"max_block_size must be >= 2, got {max_block_size!r}")
    return BlockOn(tuple(_as_key(k) for k in keys), name, max_block_size)


def sorted_neighbourhood(key: str | Key, window: int = 5, *,
                         name: str | None = None) -> SortedNeighbourhood:
    """A rule pairing each record with the next ``window - 1`` records in key order.

    Example:
        >>> sorted_neighbourhood("surname", window=3).name
        'sorted_neighbourhood(surname, window=3)'
    """
    return SortedNeighbourhood(_as_key(key), window, name)


# --------------------------------------------------------------------------- pairs
@dataclass(frozen=True)
class Pairs:
    """Candidate pairs as aligned row-position arrays.

    Attributes:
        left, right: row positions, ``left < right``; unique pairs.
        rule: index into ``rule_names`` of the first rule that produced each pair.
        rule_names: the rules, in the order given.
        n_records: rows in the (stacked) frame the positions index.
        frame_offsets: for :func:`link`, where each input frame starts in the stack.
        report: per rule: pairs produced, new pairs (not produced by an earlier rule),
            skipped blocks and the pairs they would have made.
        skipped: blocks over the size cap: rule, key value, block size, first position.
    """

    left: NDArray[np.integer]
    right: NDArray[np.integer]
    rule: NDArray[np.int16]
    rule_names: tuple[str, ...]
    n_records: int
    frame_offsets: tuple[int, ...] = (0,)
    report: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    skipped: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def __len__(self) -> int:
        return len(self.left)

    def __repr__(self) -> str:
        return (f"Pairs({len(self):,} pairs over {self.n_records:,} records, "
                f"{len(self.rule_names)} rule(s))")

    def frame_of(self, positions: NDArray[np.integer]) -> NDArray[np.int64]:
        """Index of the input frame each stacked position belongs to (link mode)."""
        return np.searchsorted(np.asarray(self.frame_offsets), positions, side="right") - 1

    def local(self, positions: NDArray[np.integer]) -> NDArray[np.int64]:
        """Row position inside its own input frame (link mode)."""
        offsets = np.asarray(self.frame_offsets, dtype=np.int64)
        return positions - offsets[self.frame_of(positions)]


def _pairs_within_blocks(
    codes: NDArray[np.int64], cap: int, rows: NDArray[np.int64] | None = None
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """All pairs of rows sharing a code (``-1`` never pairs), ``left < right``.

    ``codes[i]`` is the block of entry ``i``, which belongs to row ``rows[i]`` (default: row
    ``i``). Returns ``(left, right, skipped_first_row, skipped_size)``: blocks over ``cap``
    records are skipped and described by their first row and size.
    """
    empty = np.zeros(0, np.int64)
    entry_rows = np.arange(len(codes), dtype=np.int64) if rows is None else rows
    valid = np.flatnonzero(codes >= 0)
    rows, block = entry_rows[valid], codes[valid]
    order = np.argsort(block, kind="stable")
    rows, block = rows[order], block[order]
    if len(rows) == 0:
        return empty, empty, empty, empty
    starts = np.flatnonzero(np.concatenate(([True], block[1:] != block[:-1])))
    sizes = np.diff(np.append(starts, len(rows)))
    too_big = sizes > cap
    skipped_first, skipped_size = rows[starts[too_big]], sizes[too_big]
    keep = (sizes >= 2) & ~too_big
    starts, sizes = starts[keep], sizes[keep]
    if len(starts) == 0:
        return empty, empty, skipped_first, skipped_size
    # members of kept blocks, in block order; each pairs with the members after it
    member = np.repeat(starts, sizes) + _ramp(sizes)
    after = np.repeat(sizes, sizes) - 1 - _ramp(sizes)
    left_sorted = np.repeat(member, after)
    right_sorted = left_sorted + 1 + _ramp(after)
    a, b = rows[left_sorted], rows[right_sorted]
    return np.minimum(a, b), np.maximum(a, b), skipped_first, skipped_size


def _ramp(counts: NDArray[np.int64]) -> NDArray[np.int64]:
    """``[0..c0-1, 0..c1-1, ...]`` for counts ``[c0, c1, ...]``, vectorised."""
    total = int(counts.sum())
    ends = np.cumsum(counts)
    return np.arange(total, dtype=np.int64) - np.repeat(ends - counts, counts)


def _as_rules(rules: BlockingRule | Sequence[BlockingRule]) -> list[BlockingRule]:
    listed = [rules] if isinstance(rules, BlockingRule) else list(rules)
    if not listed:
        raise ConfigError("no blocking rules given")
    for rule in listed:
        if not isinstance(rule, BlockingRule):
            raise ConfigError(
                f"not a blocking rule: {rule!r}; build rules with block_on(...) or "
                "sorted_neighbourhood(...)"
            )
    return listed


def _position_dtype(n: int) -> type[np.integer]:
    return np.int32 if n < 2**31 - 1 else np.int64


def _generate(
    frame: pd.DataFrame,
    rules: list[BlockingRule],
    max_block_size: int,
    frame_id: NDArray[np.int64] | None,
    offsets: tuple[int, ...],
) -> Pairs:
    n = len(frame)
    pairs_per_rule, report, skipped_tables = [], [], []
    unexpected, largest = 0, 0
    with run_cache():
        for rule in rules:
            left, right, skipped = rule.candidate_pairs(frame, max_block_size)
            if frame_id is not None:
                across = frame_id[left] != frame_id[right]
                left, right = left[across], right[across]
            pairs_per_rule.append((left, right))
            skipped_tables.append(skipped)
            if getattr(rule, "max_block_size", None) is None:  # a declared cap skips quietly
                unexpected += len(skipped)
                largest = max([largest, *skipped["block_size"].tolist()])
            skipped_records = int(skipped["block_size"].sum()) if len(skipped) else 0
            report.append({"rule": rule.name, "pairs": len(left),
                           "skipped_blocks": len(skipped), "skipped_records": skipped_records})
    n_rules = len(rules)
    left_all, right_all, rule_of = _union(pairs_per_rule, n)
    dtype = _position_dtype(n)
    new_per_rule = np.bincount(rule_of, minlength=n_rules)
    for entry, new in zip(report, new_per_rule.tolist(), strict=True):
        entry["new_pairs"] = new
    skipped_all = pd.concat([s for s in skipped_tables if len(s)], ignore_index=True) \
        if any(len(s) for s in skipped_tables) else \
        pd.DataFrame(columns=["rule", "key", "block_size", "first_position"])
    if unexpected:
        warnings.warn(
            f"blocking skipped {unexpected} block(s) over the size cap "
            f"(largest {largest:,} records); see Pairs.skipped",
            CustmatchWarning,
            stacklevel=3,
        )
    return Pairs(
        left=left_all.astype(dtype),
        right=right_all.astype(dtype),
        rule=rule_of.astype(np.int16),
        rule_names=tuple(r.name for r in rules),
        n_records=n,
        frame_offsets=offsets,
        report=pd.DataFrame(report, columns=["rule", "pairs", "new_pairs", "skipped_blocks",
                                             "skipped_records"]),
        skipped=skipped_all,
    )


def _union(per_rule: list[tuple[NDArray[np.integer], NDArray[np.integer]]], n: int
           ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """The union of the rules' pairs, each once with the first rule that produced it,
    sorted by ``(left, right)``: one sort of the pairs tagged with their rule. Pair and rule
    are packed into one integer by bit shifts where they fit (divisions cost more than the
    sort), else by multiplication."""
    n_rules = len(per_rule)
    left = np.concatenate([p[0] for p in per_rule]).astype(np.int64) if per_rule else \
        np.zeros(0, np.int64)
    right = np.concatenate([p[1] for p in per_rule]).astype(np.int64) if per_rule else \
        np.zeros(0, np.int64)
    rule_of = np.repeat(np.arange(n_rules, dtype=np.int64), [len(p[0]) for p in per_rule])
    row_bits = max(1, (n - 1).bit_length())
    rule_bits = max(1, (n_rules - 1).bit_length())
    if 2 * row_bits + rule_bits <= 62:
        tagged = np.sort((((left << row_bits) | right) << rule_bits) | rule_of)
        pair_key, rule_of = tagged >> rule_bits, tagged & ((1 << rule_bits) - 1)
        first = _firsts(pair_key)
        pair_key, rule_of = pair_key[first], rule_of[first]
        return pair_key >> row_bits, pair_key & ((1 << row_bits) - 1), rule_of
    # over 2**29 records: pair key by multiplication, rule by lexsort
    all_keys = left * n + right
    order = np.lexsort((rule_of, all_keys))
    pair_key, rule_of = all_keys[order], rule_of[order]
    first = _firsts(pair_key)
    pair_key, rule_of = pair_key[first], rule_of[first]
    return pair_key // n, pair_key % n, rule_of


def _firsts(sorted_keys: NDArray[np.int64]) -> NDArray[np.bool_]:
    """True at the first of each run of equal sorted keys."""
    if len(sorted_keys) == 0:
        return np.zeros(0, dtype=bool)
    return np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1]))


def _positional(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a 0..n-1 index (as is when it already has one: no copy)."""
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return frame
    return frame.reset_index(drop=True)


def _check_cap(max_block_size: int) -> None:
    if not isinstance(max_block_size, int) or max_block_size < 2:
        raise ConfigError(f"max_block_size must be an integer >= 2, got {max_block_size!r}")


def dedupe(
    frame: pd.DataFrame,
    rules: BlockingRule | Sequence[BlockingRule],
    *,
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
) -> Pairs:
    """Candidate pairs within one frame: the union of ``rules``, ``left < right``.

    Raises:
        InputError: ``frame`` is not a DataFrame.
        SchemaError: a rule needs a column the frame lacks.
        ConfigError: no rules, or something that is not a rule.

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"email_key": ["a@x.nl", "a@x.nl", None, None]})
        >>> len(dedupe(df, block_on("email_key")))  # null keys never pair
        1
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"expected a DataFrame of records, got {type(frame).__name__}")
    _check_cap(max_block_size)
    return _generate(_positional(frame), _as_rules(rules), max_block_size, None, (0,))


def link(
    frames: Sequence[pd.DataFrame] | Mapping[str, pd.DataFrame],
    rules: BlockingRule | Sequence[BlockingRule],
    *,
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
) -> Pairs:
    """Candidate pairs across two or more frames (never within one), with the same rules.

    Positions index the frames stacked in the given order; ``Pairs.frame_of`` and
    ``Pairs.local`` turn them back into (frame, row) coordinates. Columns used by the rules
    must exist in every frame.

    Example:
        >>> import pandas as pd
        >>> a = pd.DataFrame({"postcode": ["1234 AB", "1234 AB"]})
        >>> b = pd.DataFrame({"postcode": ["1234 AB"]})
        >>> p = link([a, b], block_on("postcode"))
        >>> p.left.tolist(), p.right.tolist(), p.local(p.right).tolist()
        ([0, 1], [2, 2], [0, 0])
    """
    listed = list(frames.values()) if isinstance(frames, Mapping) else list(frames)
    if len(listed) < 2:
        raise InputError(f"link needs at least two frames, got {len(listed)}")
    for i, f in enumerate(listed):
        if not isinstance(f, pd.DataFrame):
            raise InputError(f"frame {i} is a {type(f).__name__}, not a DataFrame")
    stacked, offsets = stack_frames(listed)
    return link_stacked(stacked, offsets, rules, max_block_size=max_block_size)


def stack_frames(frames: Sequence[pd.DataFrame]) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """The frames one below the other (fresh index) and where each one starts.

    Example:
        >>> import pandas as pd
        >>> stacked, offsets = stack_frames([pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": [3]})])
        >>> stacked["a"].tolist(), offsets
        ([1, 2, 3], (0, 2))
    """
    sizes = [len(f) for f in frames]
    offsets = tuple(int(x) for x in np.concatenate(([0], np.cumsum(sizes)[:-1])))
    return pd.concat([f.reset_index(drop=True) for f in frames], ignore_index=True), offsets


def link_stacked(
    stacked: pd.DataFrame,
    offsets: Sequence[int],
    rules: BlockingRule | Sequence[BlockingRule],
    *,
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
) -> Pairs:
    """:func:`link` for frames already stacked by :func:`stack_frames` (callers that block
    the same frames with several rule sets stack them once).

    Example:
        >>> import pandas as pd
        >>> stacked = pd.DataFrame({"postcode": ["1234 AB", "1234 AB", "1234 AB"]})
        >>> p = link_stacked(stacked, (0, 2), block_on("postcode"))
        >>> p.left.tolist(), p.right.tolist()
        ([0, 1], [2, 2])
    """
    if not isinstance(stacked, pd.DataFrame):
        raise InputError(f"expected a DataFrame of records, got {type(stacked).__name__}")
    _check_cap(max_block_size)
    bounds = np.r_[np.asarray(offsets, dtype=np.int64), len(stacked)]
    if len(bounds) < 3 or bounds[0] != 0 or (np.diff(bounds) < 0).any():
        raise InputError(f"offsets must start at 0 and rise within {len(stacked)} rows for "
                         f"two or more frames, got {list(offsets)}")
    frame_id = np.repeat(np.arange(len(bounds) - 1, dtype=np.int64), np.diff(bounds))
    return _generate(_positional(stacked), _as_rules(rules), max_block_size,
                     frame_id, tuple(int(x) for x in offsets))


def estimate_pairs(
    rules: BlockingRule | Sequence[BlockingRule],
    frame: pd.DataFrame,
    *,
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
) -> pd.DataFrame:
    """Pairs each rule would produce in ``frame`` (dedupe), without materialising them.

    Returns one row per rule (``rule, blocks, pairs, skipped_blocks, skipped_pairs``) and a
    final ``total`` row; the total is an upper bound of the union, since rules overlap.

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"city": ["Ede"] * 4 + ["Epe"] * 2})
        >>> estimate_pairs(block_on("city"), df)[["rule", "pairs"]].to_dict("list")
        {'rule': ['block_on(city)', 'total'], 'pairs': [7, 7]}
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"expected a DataFrame of records, got {type(frame).__name__}")
    _check_cap(max_block_size)
    rows = []
    for rule in _as_rules(rules):
        rows.append({"rule": rule.name, **rule.count_pairs(frame, max_block_size)})
    table = pd.DataFrame(rows, columns=["rule", "blocks", "pairs", "skipped_blocks",
                                        "skipped_pairs"])
    total = {"rule": "total", **{c: int(table[c].sum()) for c in table.columns[1:]}}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def default_rules() -> list[BlockingRule]:
    """The default blocking rules for normalised Dutch customer data.

    Chosen by measurement on generator data (medium difficulty, 1M records; see
    ``benchmarks/bench_block.py``), strongest and cheapest first:

    1. same address (postcode + house number), 2. same e-mail key, 3. same phone number in
    either slot (a mobile in one source's phone column is another's second number),
    4. same identity number (passport, ID card, foreign national number; none in most Dutch
    exports, where it costs nothing), 5. same surname (any part of a married name,
    phonetic) + birth date, 6. birth date + first initial (married and moved), 7. birth
    date + house number (postcode and street mistyped, names swapped or misspelt), 8. same
    street + number + place (postcode missing or mistyped), 9. surname + postcode area (PC4:
    moved within town), 10. surname + first initial + place (capped at 100 records per
    block), 11. phonetic surname + first initial (capped at 50: catches movers who changed
    every contact detail, but only for names rare enough that a name match means
    something), 12. exact surname + all initials (capped at 100: the same for common
    surnames, where the full initials keep blocks small).

    On 1M records: 17.5M pairs, pair completeness 0.986 (0.9946 counting true pairs joined
    through other true pairs, which clustering links). Surname + place alone (without the
    initial) made 7M more pairs for 0.002 less completeness.

    The caps of rules 10 to 12 are declared, so their skipped common-name blocks are
    reported in ``Pairs.skipped`` without a warning.

    Example:
        >>> [rule.name for rule in default_rules()][:3]
        ['block_on(postcode, house_number)', 'block_on(email_key)', 'block_on(phone*)']
    """
    surname = any_of("surname_phonetic", "partner_surname_phonetic", name="surname_phonetic*")
    surname_exact = any_of("surname_key", "partner_surname_key", name="surname_key*")
    return [
        block_on("postcode", "house_number"),
        block_on("email_key"),
        block_on(any_of("phone", "phone_2", name="phone*")),
        block_on("id_number"),
        block_on(surname, "birth_date"),
        block_on("birth_date", initial("initials")),
        block_on("birth_date", "house_number"),
        block_on("street_key", "house_number", "city_key"),
        block_on(surname, substr("postcode", 4)),
        block_on(surname, initial("initials"), "city_key", max_block_size=100),
        block_on(surname, initial("initials"), max_block_size=50),
        block_on(surname_exact, "initials", max_block_size=100),
    ]
