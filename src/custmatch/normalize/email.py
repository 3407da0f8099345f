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

from custmatch.normalize.text import factorize_text, object_frame, preclean
from custmatch.normalize.wordlists import load_list, load_mapping

__all__ = [
    "EmailDetails",
    "EmailStatus",
    "email_column",
    "email_details",
    "email_key",
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
    handle = _column_value if fast else email_details
    results = [handle(u) for u in uniques]  # fast path: cheaper here than worker processes
    results.append(_EMPTY)  # position -1: nulls
    table = np.empty((len(results), 3), dtype=object)
    table[:] = [(r.email, r.key, r.status) for r in results]
    roles = np.fromiter((r.role for r in results), dtype=bool, count=len(results))
    taken = table[codes]
    return object_frame(
        {
            "email": taken[:, 0],
            "email_key": taken[:, 1],
            "email_role": roles[codes],
            "email_status": taken[:, 2],
        },
        index=series.index,
    )
