"""E-mail addresses: display form, match key, role/household flags (dutch.md section 4).

Syntax is checked with ``email_validator.validate_email(addr, check_deliverability=False)``
(RFC 5321/5322/6531 syntax; no network). Pipeline for one raw value (the *library path*):

1. :func:`~custmatch.normalize.text.preclean`, then split on spaces, ``,`` and ``;``; pieces
   without ``@`` are skipped. Several addresses in one field: the **first valid** one wins,
   so the order in the source field decides (``"Jan Jansen" <jan@x.nl>`` gives ``jan@x.nl``).
2. Per piece: strip ``<`` ``>`` quotes and brackets around it, a ``mailto:`` prefix and
   trailing dots, then validate. ``email`` is the validator's normalised form: local part
   with its case kept, domain lower-cased (Unicode domains in their Unicode form).
3. Domain typos are repaired only from ``data/email_domain_typos.txt`` (status
   ``repaired``); one real domain is never folded into another.
4. ``email_key``: lower-cased; for Gmail/Googlemail the dots and ``+tag`` are removed and the
   domain becomes ``gmail.com``; for Microsoft and Apple domains only the ``+tag`` is dropped
   (``data/email_provider_rules.txt``); other domains are only lower-cased.

Status values: ``empty`` (no ``@`` anywhere), ``valid``, ``repaired``, ``invalid`` and
``placeholder`` (``geen@...``, ``noemail@...``: ``data/email_placeholder_local_parts.txt``).

Identity weight: a role address (``info@``, ``facturen@``, ...) is not person evidence but may
link a record to an organisation; a household address (``fam.jansen@``) is weak evidence.

:func:`email_column` gives the same answers as :func:`email_details` but validates plain
ASCII addresses (dot-atom local part, letter-only TLD, no ``--``, within the length limits)
with a regex that accepts only what ``email_validator`` accepts unchanged; everything else
goes through ``email_validator``.

Example:
    >>> normalize_email("  Jan.Jansen@Ziggo.NL ")
    'Jan.Jansen@ziggo.nl'
    >>> email_key("J.A.N.Jansen+shop@googlemail.com")
    'janjansen@gmail.com'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

from custmatch.normalize.text import chunks_by_length, factorize_text, object_frame, preclean
from custmatch.normalize.wordlists import load_list, load_mapping

__all__ = [
    "EmailDetails",
    "EmailStatus",
    "email_column",
    "email_details",
    "email_key",
    "email_table",
    "is_consumer_domain",
    "is_household_address",
    "is_role_address",
    "is_valid_email",
    "normalize_email",
]

EmailStatus = Literal["empty", "valid", "repaired", "invalid", "placeholder"]


class EmailDetails(NamedTuple):
    """Result of :func:`email_details`.

    Attributes:
        email: Display form (domain lower-cased, typo repaired), or ``None``.
        key: Match key (see the module docstring), or ``None``.
        role: ``True`` for role and shared mailboxes (``info@``): not person evidence.
        household: ``True`` for family mailboxes (``fam.jansen@``): weak evidence.
        repaired: ``True`` when the domain was corrected from the typo map.
        status: ``empty``, ``valid``, ``repaired``, ``invalid`` or ``placeholder``.
    """

    email: str | None
    key: str | None
    role: bool
    household: bool
    repaired: bool
    status: str


_EMPTY = EmailDetails(None, None, False, False, False, "empty")
_INVALID = EmailDetails(None, None, False, False, False, "invalid")
_PLACEHOLDER = EmailDetails(None, None, False, False, False, "placeholder")

_SPLIT_RE = re.compile(r"[\s,;]+")
_WRAP_CHARS = "<>\"'()[]{}"
_MAILTO_RE = re.compile(r"\Amailto:", re.IGNORECASE)
# Plain ASCII addresses that email_validator accepts unchanged apart from lower-casing the
# domain: dot-atom local part from a subset of atext, hostname labels, a letter-only TLD.
_FAST_RE = re.compile(
    r"([A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*)"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)
_MAX_ADDRESS = 254
_MAX_DOMAIN = 253
_CASE_INSENSITIVE = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)
_SPECIAL_USE = tuple(SPECIAL_USE_DOMAIN_NAMES)
_HOUSEHOLD_RE = re.compile(
    r"\A(?:fam|familie|family|gezin)[._\-]"
    r"|\A(?:familie|gezin)[a-z]{2,}"
    r"|[._\-](?:fam|familie|family|gezin)\Z"
    r"|[a-z]familie\Z"
    r"|[._\-](?:en|and)[._\-]"
    r"|&"
)


@functools.cache
def _typos() -> dict[str, str]:
    return load_mapping("email_domain_typos.txt")


@functools.cache
def _provider_rules() -> dict[str, str]:
    return load_mapping("email_provider_rules.txt")


@functools.cache
def _roles() -> frozenset[str]:
    return frozenset(load_list("email_role_local_parts.txt"))


@functools.cache
def _placeholders() -> frozenset[str]:
    return frozenset(load_list("email_placeholder_local_parts.txt"))


@functools.cache
def _consumer_domains() -> frozenset[str]:
    return frozenset(load_list("email_consumer_domains.txt"))


def _fast_validate(addr: str) -> str | None:
    """email_validator's normalised form for plain ASCII addresses, else ``None``."""
    match = _FAST_RE.fullmatch(addr)
    if match is None or len(addr) > _MAX_ADDRESS:
        return None
    local, domain = match.groups()
    if len(domain) > _MAX_DOMAIN or "--" in domain:
        return None  # "xn--" Punycode and R-LDH labels: leave them to the library
    domain = domain.lower()
    for special in _SPECIAL_USE:
        if domain == special or domain.endswith("." + special):
            return None
    if local.lower() in _CASE_INSENSITIVE:
        local = local.lower()  # RFC 2142 names, as email_validator does
    return f"{local}@{domain}"


def _library_validate(addr: str) -> str | None:
    try:
        return validate_email(addr, check_deliverability=False).normalized
    except EmailNotValidError:
        return None
    except Exception:  # totality: a validator surprise on odd text must not stop a run
        return None


def _finish(normalized: str) -> EmailDetails:
    """Flags, typo repair and key for an address the validator accepted."""
    local, _, domain = normalized.rpartition("@")
    lower_local = local.lower()
    if lower_local in _placeholders():
        return _PLACEHOLDER
    fixed = _typos().get(domain)
    repaired = fixed is not None
    if fixed is not None:
        domain = fixed
    base = lower_local.split("+", 1)[0] or lower_local
    key_local, key_domain = lower_local, domain
    rule = _provider_rules().get(domain)
    if rule is not None:
        key_local = base
        if rule == "gmail":
            key_local = base.replace(".", "") or base
            key_domain = "gmail.com"
        elif base.startswith(".") or base.endswith("."):
            key_local = lower_local  # "0.+tag": without the tag no valid mailbox name is left
    return EmailDetails(
        email=f"{local}@{domain}",
        key=f"{key_local}@{key_domain}",
        role=base in _roles(),
        household=_HOUSEHOLD_RE.search(base) is not None,
        repaired=repaired,
        status="repaired" if repaired else "valid",
    )


def _clean_piece(piece: str) -> str:
    previous = None
    while piece != previous:
        previous = piece
        piece = _MAILTO_RE.sub("", piece.strip(_WRAP_CHARS)).rstrip(".")
    return piece


def _details(value: object, fast: bool) -> EmailDetails:
    text = preclean(value)
    if text is None or "@" not in text:
        return _EMPTY
    saw_placeholder = False
    for piece in _SPLIT_RE.split(text):
        if "@" not in piece:
            continue
        addr = _clean_piece(piece)
        normalized = _fast_validate(addr) if fast else None
        if normalized is None:
            normalized = _library_validate(addr)
        if normalized is None:
            continue
        details = _finish(normalized)
        if details.email is not None:
            return details
        saw_placeholder = True
    return _PLACEHOLDER if saw_placeholder else _INVALID


def email_details(s: object) -> EmailDetails:
    """Validate one raw e-mail value and derive display form, key, flags and status.

    Never raises; ``None``/NaN/blank give status ``empty``.

    Args:
        s: The raw value.

    Returns:
        An :class:`EmailDetails`.

    Example:
        >>> email_details("piet@hotmial.com")
        EmailDetails(email='piet@hotmail.com', key='piet@hotmail.com', role=False, household=False, repaired=True, status='repaired')
        >>> email_details("jan@@ziggo.nl").status
        'invalid'
    """  # noqa: E501
    return _details(s, fast=False)


def normalize_email(s: object) -> str | None:
    """Return the address trimmed, unwrapped, domain lower-cased; ``None`` if not valid.

    The local part keeps its case. ``mailto:``, ``<...>``, quotes and a trailing dot are
    removed; a known domain typo is repaired. With several addresses the first valid one
    is returned. Idempotent.

    Args:
        s: The raw value.

    Returns:
        The address, or ``None``.

    Example:
        >>> normalize_email('"Jan Jansen" <mailto:Jan.Jansen@KPNMail.nl>')
        'Jan.Jansen@kpnmail.nl'
        >>> normalize_email("piet@gmail.con")
        'piet@gmail.com'
        >>> normalize_email("jan.jansen.ziggo.nl") is None
        True
    """
    return email_details(s).email


def email_key(s: object) -> str | None:
    """Return the matching key: lower-cased, typo-repaired, provider-folded.

    Separate domains stay separate mailboxes (``hotmail.nl`` is not ``hotmail.com``).

    Args:
        s: The raw value.

    Returns:
        The key, or ``None``.

    Example:
        >>> email_key("Piet.Jansen+nieuwsbrief@Hotmail.NL")
        'piet.jansen@hotmail.nl'
        >>> email_key("p.jansen@gmail.con")
        'pjansen@gmail.com'
    """
    return email_details(s).key


def is_role_address(s: object) -> bool:
    """Return ``True`` for a valid role or shared mailbox (``info@``, ``facturen@``, ...).

    Example:
        >>> is_role_address("info@bakkerijjansen.nl"), is_role_address("jan@ziggo.nl")
        (True, False)
    """
    return email_details(s).role


def is_household_address(s: object) -> bool:
    """Return ``True`` for a valid family mailbox (``fam.jansen@``): weak evidence.

    ``dejongs@``-style plurals are not detected: they cannot be told apart from first
    names such as ``dennis``.

    Example:
        >>> is_household_address("fam.jansen@ziggo.nl"), is_household_address("jan@ziggo.nl")
        (True, False)
    """
    return email_details(s).household


def is_valid_email(s: object) -> bool:
    """Return ``True`` when the value holds a valid, non-placeholder address. Never raises.

    Example:
        >>> is_valid_email("jan@ziggo.nl"), is_valid_email("jan@ziggo")
        (True, False)
    """
    return email_details(s).email is not None


def is_consumer_domain(domain: str | None) -> bool:
    """Return ``True`` for a Dutch consumer mailbox domain (``ziggo.nl``, ``gmail.com``).

    Example:
        >>> is_consumer_domain("Ziggo.NL"), is_consumer_domain("bakkerijjansen.nl")
        (True, False)
    """
    return bool(domain) and domain.strip().lower() in _consumer_domains()


def _column_value(value: object) -> EmailDetails:
    """:func:`email_details` with the fast path; same answer, usually without the library."""
    if type(value) is str:
        normalized = _fast_validate(value.strip())
        if normalized is not None:
            return _finish(normalized)
    return _details(value, fast=True)


def email_column(series: pd.Series | Iterable[object], *, fast: bool = True) -> pd.DataFrame:
    """Normalise a column of e-mail values; each distinct value is handled once.

    Args:
        series: Raw values (a Series keeps its index; other iterables get a RangeIndex).
        fast: Use the fast path (``False`` forces the library path, for checks).

    Returns:
        A DataFrame with columns ``email``, ``email_key``, ``email_role``, ``email_status``.

    Example:
        >>> email_column(pd.Series(["Info@Jansen.NL", None, "piet@gmail.con"]))
                    email       email_key  email_role email_status
        0  info@jansen.nl  info@jansen.nl        True        valid
        1            None            None       False        empty
        2  piet@gmail.com  piet@gmail.com       False     repaired
    """
    if not isinstance(series, pd.Series):
        series = pd.Series(list(series), dtype=object)
    codes, uniques = factorize_text(series)
    email, key, role, status = _email_table(uniques, fast)
    return object_frame(
        {"email": email[codes], "email_key": key[codes], "email_role": role[codes],
         "email_status": status[codes]},
        index=series.index,
    )


def email_table(uniques: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`email_column` over distinct values, without broadcasting.

    Args:
        uniques: Distinct raw values (an object array, no nulls).

    Returns:
        ``email``, ``email_key``, ``email_role`` (as Python booleans) and ``email_status``
        arrays with one entry per value and one more at the end: the result for a null.

    Example:
        >>> email_table(np.array(["Info@Jansen.NL"], dtype=object))["email_key"].tolist()
        ['info@jansen.nl', None]
    """
    email, key, role, status = _email_table(uniques, True)
    return {"email": email, "email_key": key, "email_role": role.astype(object),
            "email_status": status}


def _email_table(
    uniques: np.ndarray, fast: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Display form, key, role flag and status per distinct value, plus a last entry (nulls)."""
    n = len(uniques)
    email = np.full(n + 1, None, dtype=object)
    key = np.full(n + 1, None, dtype=object)
    role = np.zeros(n + 1, dtype=bool)
    status = np.full(n + 1, "empty", dtype=object)
    decided = _plain_addresses(uniques, email, key, role, status) if fast and n else (
        np.zeros(n, dtype=bool))
    handle = _column_value if fast else email_details
    for i in np.flatnonzero(~decided):  # the rest: once per distinct value
        found = handle(uniques[i])
        email[i], key[i], role[i], status[i] = found.email, found.key, found.role, found.status
    return email, key, role, status


# --- the fast path over a whole array of distinct values -------------------------------------

_WIDTHS = (32, 64)  # values are handled in groups of these widths; longer ones by the scalar path
_CHUNK = 1 << 15


def _char_set(chars: str) -> np.ndarray:
    table = np.zeros(128, dtype=bool)
    table[[ord(c) for c in chars]] = True
    return table


_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_LOCAL_CHARS = _char_set(_ALNUM + "_%+-.")
_DOMAIN_CHARS = _char_set(_ALNUM + "-.")
_LETTERS = _char_set(_ALNUM[:52])


def _plain_addresses(values: np.ndarray, email: np.ndarray, key: np.ndarray, role: np.ndarray,
                     status: np.ndarray) -> np.ndarray:
    """:func:`_column_value` for plain ASCII addresses, as array operations.

    Decides the strings (up to 64 characters, optionally padded with spaces) that
    :func:`_fast_validate` accepts and fills in their outcome; returns the mask of decided
    values. Everything else is left to the scalar path. A test compares both paths.
    """
    lengths = np.fromiter((len(v) if type(v) is str else 0 for v in values), dtype=np.int64,
                          count=len(values))
    decided = np.zeros(len(values), dtype=bool)
    for rows, width in chunks_by_length(lengths, _WIDTHS, _CHUNK):
        text = values[rows].astype(f"U{width}")
        ok, local, lower_local, domain = _split_plain(text, lengths[rows])
        rows, local, lower_local, domain = rows[ok], local[ok], lower_local[ok], domain[ok]
        if not len(rows):
            continue
        found = _finish_plain(local, lower_local, domain)
        ok = found[0]
        decided[rows[ok]] = True
        for target, result in zip((email, key, role, status), found[1:], strict=True):
            target[rows[ok]] = result[ok]
    return decided


def _split_plain(text: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, ...]:
    """Mask of addresses of the :data:`_FAST_RE` shape (after trimming spaces), with their
    local part, the local part in lower case, and the lower-case domain."""
    n = len(text)
    width = text.dtype.itemsize // 4
    chars = text.view(np.uint32).reshape(n, width)
    pos = np.arange(width)
    inside = pos < lengths[:, None]
    ascii_chars = np.where(chars < 128, chars, 0)
    space = (chars == 32) & inside
    start = np.argmax(~space & inside, axis=1)
    end = width - np.argmax((~space & inside)[:, ::-1], axis=1)
    body = (pos >= start[:, None]) & (pos < end[:, None])
    at = (chars == 64) & body
    ok = (chars < 128).all(axis=1) & (at.sum(axis=1) == 1) & (~space | ~body).all(axis=1)
    ok &= ~(inside & ~body & ~space).any(axis=1)
    at_pos = np.argmax(at, axis=1)
    in_local = body & (pos < at_pos[:, None])
    in_domain = body & (pos > at_pos[:, None])
    dot = chars == 46
    hyphen = chars == 45
    nxt = np.zeros_like(dot)
    nxt[:, :-1] = dot[:, 1:]
    ok &= (_LOCAL_CHARS[ascii_chars] | ~in_local).all(axis=1)
    ok &= (_DOMAIN_CHARS[ascii_chars] | ~in_domain).all(axis=1)
    rows = np.arange(n)
    first_domain = np.minimum(at_pos + 1, width - 1)
    ok &= (at_pos > start) & (at_pos + 1 < end)
    ok &= ~dot[rows, start] & ~dot[rows, at_pos - 1]  # local part: no dot at either end
    ok &= ~dot[rows, first_domain] & ~hyphen[rows, first_domain] & ~dot[rows, end - 1]
    ok &= ~(dot & nxt & body).any(axis=1)  # no ".."
    hyphen_next = np.zeros_like(hyphen)
    hyphen_next[:, :-1] = hyphen[:, 1:]
    # a label neither starts nor ends with "-", and the domain holds no "--"
    ok &= ~((dot & hyphen_next | hyphen & nxt | hyphen & hyphen_next) & in_domain).any(axis=1)
    last_dot = width - 1 - np.argmax((dot & in_domain)[:, ::-1], axis=1)
    ok &= (dot & in_domain).any(axis=1) & (end - last_dot - 1 >= 2)
    tld = in_domain & (pos > last_dot[:, None])
    ok &= (_LETTERS[ascii_chars] | ~tld).all(axis=1)
    upper = (chars >= 65) & (chars <= 90)
    lowered = np.where(upper, chars + 32, chars).view(text.dtype).ravel()
    local = np.strings.slice(text, start, at_pos)
    lower_local = np.strings.slice(lowered, start, at_pos)
    domain = np.strings.slice(lowered, at_pos + 1, end)
    return ok, local, lower_local, domain

def _finish_plain(local: np.ndarray, lower: np.ndarray,
                  domain: np.ndarray) -> tuple[np.ndarray, ...]:
    """:func:`_fast_validate` (from the domain on) and :func:`_finish`, as array operations:
    mask of decided addresses, display forms, keys, role flags and statuses."""
    codes, domains = pd.factorize(domain.astype(object))
    special = np.array([any(d == s or d.endswith("." + s) for s in _SPECIAL_USE)
                        for d in domains], dtype=bool)
    fixed = np.array([_typos().get(d, d) for d in domains], dtype=object)
    repaired = np.array([d in _typos() for d in domains], dtype=bool)[codes]
    rules = [_provider_rules().get(f) for f in fixed]
    has_rule = np.array([r is not None for r in rules], dtype=bool)[codes]
    gmail = np.array([r == "gmail" for r in rules], dtype=bool)[codes]
    lower_words = pd.Series(lower.astype(object))
    local = np.where(lower_words.isin(_CASE_INSENSITIVE).to_numpy(), lower, local)
    placeholder = lower_words.isin(_placeholders()).to_numpy()
    base = np.strings.partition(lower, "+")[0]
    base = np.where(np.strings.str_len(base) > 0, base, lower)
    no_dots = np.strings.replace(base, ".", "")
    gmail_local = np.where(np.strings.str_len(no_dots) > 0, no_dots, base)
    dotted_end = np.strings.startswith(base, ".") | np.strings.endswith(base, ".")
    plain_local = np.where(dotted_end, lower, base)  # "0.+tag": keep the tag (see _finish)
    key_local = np.where(gmail, gmail_local, np.where(has_rule, plain_local, lower))
    at_domain = np.strings.add("@", fixed.astype(str))[codes]
    email = np.strings.add(local, at_domain).astype(object)
    key = np.strings.add(key_local, np.where(gmail, "@gmail.com", at_domain)).astype(object)
    role = pd.Series(base.astype(object)).isin(_roles()).to_numpy() & ~placeholder
    status = np.where(repaired, "repaired", "valid").astype(object)
    email[placeholder] = None
    key[placeholder] = None
    status[placeholder] = "placeholder"
    return ~special[codes], email, key, role, status
