"""Default comparisons, training rules and deterministic rules for Dutch customer data.

Example:
    >>> [c.name for c in default_comparisons()]  # doctest: +NORMALIZE_WHITESPACE
    ['first_name', 'surname', 'birth_date', 'address', 'phone', 'email', 'id_number',
     'organisation', 'organisation_contact', 'gender']
"""

from __future__ import annotations

from custmatch.block import BlockingRule, any_of, block_on, initial
from custmatch.compare.contact import Address, Email, Phone
from custmatch.compare.engine import Comparison
from custmatch.compare.library import DamerauLevenshtein
from custmatch.compare.organisation import Organisation, OrganisationContact
from custmatch.compare.person import BirthDate, FirstName, Gender, Surname
from custmatch.model.rules import CannotLink, MustLink, cannot_link_on
from custmatch.model.tf import TermFrequency

__all__ = [
    "default_cannot_link",
    "default_comparisons",
    "default_must_link",
    "default_term_frequencies",
    "default_training_rules",
]


def default_comparisons() -> list[Comparison]:
    """First name, surname, birth date, address, phone, e-mail, identity number (passport,
    ID card, a foreign national number: exact, or one typo apart; null where the records
    hold none), organisation (name and KvK number, for business customers) and gender (from
    the salutation), Dutch-aware."""
    return [FirstName(), Surname(), BirthDate(), Address(), Phone(), Email(),
            _id_number_comparison(), Organisation(), OrganisationContact(), Gender()]


def _id_number_comparison() -> Comparison:
    return DamerauLevenshtein("id_number", thresholds=(1,), optional=True)


def default_training_rules() -> list[BlockingRule]:
    """Training rules for EM, chosen so that the non-matches inside each look like random
    pairs on the fields being estimated (no address block: it is full of household
    members, who agree on surname and landline and would teach EM that a different first
    name is weak evidence; see architecture.md, "Known traps").

    1. birth date + first initial: estimates surname, address, phone and e-mail;
    2. same e-mail key: estimates names, birth date, address and phone;
    3. same surname (phonetic) + first name: estimates birth date, address, phone, e-mail.
    """
    surname = any_of("surname_phonetic", "partner_surname_phonetic", name="surname_phonetic*")
    return [
        block_on("birth_date", initial("initials")),
        block_on("email_key"),
        block_on(surname, "first_name"),
    ]


def default_term_frequencies() -> list[TermFrequency]:
    """Frequencies of first names, surnames, street + city and organisation names in the
    data."""
    return [
        TermFrequency("first_name", ("first_name",), ("exact",)),
        TermFrequency("surname", ("surname_key",), ("exact",)),
        TermFrequency("address", ("street_key", "city_key"), ("same_street",)),
        TermFrequency("organisation", ("organisation",), ("exact",)),
    ]


def default_must_link() -> list[MustLink]:
    """None: no source cross-reference is assumed; declare one with ``must_link``."""
    return []


def default_cannot_link() -> list[CannotLink]:
    """Both birth dates known and years apart, not explained by a typo (one digit,
    day/month swapped): father and son, or twins' older siblings, never one person;
    unless both records carry the same identity number (passport, ID card, a national
    number), which says one of the birth dates was entered wrong."""
    return [cannot_link_on(BirthDate(), ("else",), name="birth_dates_apart",
                           unless={_id_number_comparison(): ("exact",)})]
