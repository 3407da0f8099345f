"""Tests for custmatch.normalize.email: exact Dutch cases, properties, fast path == library."""

from __future__ import annotations

import pandas as pd
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custmatch.normalize import email as em
from custmatch.normalize.email import (
    EmailDetails,
    email_column,
    email_details,
    email_key,
    is_consumer_domain,
    is_household_address,
    is_role_address,
    is_valid_email,
    normalize_email,
)
from custmatch.normalize.wordlists import load_list, load_mapping

PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# (input, email, key, status)
CASES: list[tuple[object, str | None, str | None, str]] = [
    # dutch.md section 8, cases 53-57
    ("  Jan.Jansen@Ziggo.NL ", "Jan.Jansen@ziggo.nl", "jan.jansen@ziggo.nl", "valid"),
    (
        "J.A.N.Jansen+shop@googlemail.com",
        "J.A.N.Jansen+shop@googlemail.com",
        "janjansen@gmail.com",
        "valid",
    ),
    ("piet@gmail.con", "piet@gmail.com", "piet@gmail.com", "repaired"),
    ("piet@hotmial.com", "piet@hotmail.com", "piet@hotmail.com", "repaired"),
    ("piet@hotmail.nl", "piet@hotmail.nl", "piet@hotmail.nl", "valid"),
    ("piet@hotmail.com", "piet@hotmail.com", "piet@hotmail.com", "valid"),
    ("info@bakkerijjansen.nl", "info@bakkerijjansen.nl", "info@bakkerijjansen.nl", "valid"),
    # wrappers and several addresses
    ("mailto:jan@ziggo.nl", "jan@ziggo.nl", "jan@ziggo.nl", "valid"),
    ("<jan@ziggo.nl>", "jan@ziggo.nl", "jan@ziggo.nl", "valid"),
    ('"Jan Jansen" <Jan@Ziggo.nl>', "Jan@ziggo.nl", "jan@ziggo.nl", "valid"),
    ("'jan@ziggo.nl'", "jan@ziggo.nl", "jan@ziggo.nl", "valid"),
    ("jan@ziggo.nl.", "jan@ziggo.nl", "jan@ziggo.nl", "valid"),
    ("jan@ziggo.nl; piet@kpnmail.nl", "jan@ziggo.nl", "jan@ziggo.nl", "valid"),
    ("jan@@ziggo.nl, piet@kpnmail.nl", "piet@kpnmail.nl", "piet@kpnmail.nl", "valid"),
    ("MAILTO:Piet@Home.NL", "Piet@home.nl", "piet@home.nl", "valid"),
    # typo map, only explicit entries
    ("jan@GMAIL.CO", "jan@gmail.com", "jan@gmail.com", "repaired"),
    ("jan@gmail.nl", "jan@gmail.com", "jan@gmail.com", "repaired"),
    ("jan@gamil.com", "jan@gmail.com", "jan@gmail.com", "repaired"),
    ("jan@hotmail.con", "jan@hotmail.com", "jan@hotmail.com", "repaired"),
    ("jan@hotmial.nl", "jan@hotmail.nl", "jan@hotmail.nl", "repaired"),
    ("jan@ziggo.nll", "jan@ziggo.nl", "jan@ziggo.nl", "repaired"),
    ("jan@zigo.nl", "jan@ziggo.nl", "jan@ziggo.nl", "repaired"),
    ("jan@kpnmail.com", "jan@kpnmail.nl", "jan@kpnmail.nl", "repaired"),
    ("jan@outlook.con", "jan@outlook.com", "jan@outlook.com", "repaired"),
    ("jan@gmal.nl", "jan@gmal.nl", "jan@gmal.nl", "valid"),  # not in the map: kept
    # provider folding
    ("j.jansen+werk@gmail.com", "j.jansen+werk@gmail.com", "jjansen@gmail.com", "valid"),
    ("J.Jansen+werk@Hotmail.com", "J.Jansen+werk@hotmail.com", "j.jansen@hotmail.com", "valid"),
    ("j.jansen+x@live.nl", "j.jansen+x@live.nl", "j.jansen@live.nl", "valid"),
    ("j.jansen+x@icloud.com", "j.jansen+x@icloud.com", "j.jansen@icloud.com", "valid"),
    ("j.jansen+x@me.com", "j.jansen+x@me.com", "j.jansen@me.com", "valid"),
    ("j.jansen+x@ziggo.nl", "j.jansen+x@ziggo.nl", "j.jansen+x@ziggo.nl", "valid"),
    ("+tag@gmail.com", "+tag@gmail.com", "+tag@gmail.com", "valid"),
    # international
    ("jan@bücher.de", "jan@bücher.de", "jan@bücher.de", "valid"),
    ("jan@xn--bcher-kva.de", "jan@bücher.de", "jan@bücher.de", "valid"),
    ("Jürgen@Example.de", "Jürgen@example.de", "jürgen@example.de", "valid"),
    # invalid, empty, placeholder
    ("jan..jansen@ziggo.nl", None, None, "invalid"),
    (".jan@ziggo.nl", None, None, "invalid"),
    ("jan@-ziggo.nl", None, None, "invalid"),
    ("jan@ziggo", None, None, "invalid"),
    ("jan@ziggo.123", None, None, "invalid"),
    ("jan@localhost", None, None, "invalid"),
    ("jan@printer.local", None, None, "invalid"),
    ("jan jansen@ziggo", None, None, "invalid"),
    ("@ziggo.nl", None, None, "invalid"),
    ("jan@", None, None, "invalid"),
    ("jan.ziggo.nl", None, None, "empty"),
    ("geen", None, None, "empty"),
    ("-", None, None, "empty"),
    ("", None, None, "empty"),
    (None, None, None, "empty"),
    (float("nan"), None, None, "empty"),
    ("geen@geen.nl", None, None, "placeholder"),
    ("NoEmail@ziggo.nl", None, None, "placeholder"),
]


@pytest.mark.parametrize(("raw", "email", "key", "status"), CASES)
def test_email_details_exact_cases(
    raw: object, email: str | None, key: str | None, status: str
) -> None:
    details = email_details(raw)
    assert (details.email, details.key, details.status) == (email, key, status)
    assert details.repaired is (status == "repaired")
    assert normalize_email(raw) == email
    assert email_key(raw) == key
    assert is_valid_email(raw) is (email is not None)


@pytest.mark.parametrize(
    ("raw", "role"),
    [
        ("info@bakkerijjansen.nl", True),
        ("Info@Bakkerij.nl", True),
        ("facturen@jansen.nl", True),
        ("no-reply@bol.com", True),
        ("noreply+x@bol.com", True),
        ("administratie@vereniging.nl", True),
        ("klantenservice@ziggo.nl", True),
        ("postmaster@jansen.nl", True),
        ("jan.info@ziggo.nl", False),
        ("jan@ziggo.nl", False),
        ("info@", False),
    ],
)
def test_is_role_address(raw: str, role: bool) -> None:
    assert is_role_address(raw) is role


@pytest.mark.parametrize(
    ("raw", "household"),
    [
        ("fam.jansen@ziggo.nl", True),
        ("familiejansen@ziggo.nl", True),
        ("fam-de-vries@home.nl", True),
        ("jansen.fam@ziggo.nl", True),
        ("jan.en.marie@ziggo.nl", True),
        ("jan@ziggo.nl", False),
        ("famke@ziggo.nl", False),
        ("dennis@ziggo.nl", False),
    ],
)
def test_is_household_address(raw: str, household: bool) -> None:
    assert is_household_address(raw) is household


def test_separate_domains_never_fold() -> None:
    assert email_key("piet@hotmail.nl") != email_key("piet@hotmail.com")
    assert email_key("piet@hetnet.nl") != email_key("piet@planet.nl")
    assert email_key("p.i.e.t@gmail.com") == email_key("piet@googlemail.com")


def test_email_data_files_are_consistent() -> None:
    typos = load_mapping("email_domain_typos.txt")
    consumer = set(load_list("email_consumer_domains.txt"))
    assert not set(typos) & set(typos.values()), "a repaired domain must not be a typo again"
    assert not set(typos) & consumer, "a real consumer domain must never be rewritten"
    assert set(typos.values()) <= consumer
    assert all(k == k.lower() for k in typos)
    roles = set(load_list("email_role_local_parts.txt"))
    assert {"info", "noreply", "no-reply", "verkoop", "facturen", "postmaster"} <= roles
    assert set(load_mapping("email_provider_rules.txt").values()) == {"gmail", "plus"}
    assert is_consumer_domain("Ziggo.NL") and not is_consumer_domain(None)


def test_email_column_shape_and_values() -> None:
    raw = pd.Series([c[0] for c in CASES], index=range(7, 7 + len(CASES)), dtype=object)
    out = email_column(raw)
    assert list(out.columns) == ["email", "email_key", "email_role", "email_status"]
    assert out.index.equals(raw.index)
    assert out["email"].tolist() == [c[1] for c in CASES]
    assert out["email_key"].tolist() == [c[2] for c in CASES]
    assert out["email_status"].tolist() == [c[3] for c in CASES]
    assert out["email_role"].dtype == bool
    assert len(email_column(pd.Series([], dtype=object))) == 0
    assert email_column(["a@b.nl"]).loc[0, "email"] == "a@b.nl"


# --- generated inputs ---------------------------------------------------------------------

_LOCAL_ATOMS = st.text(alphabet="abcxyzJAN019_-+%'!#$&*=?^`{|}~/é€ü\u200b", min_size=0, max_size=12)
_LABEL = st.one_of(
    st.text(alphabet="abcxyz019-", min_size=0, max_size=8),
    st.sampled_from(
        [
            "ziggo",
            "gmail",
            "Hotmail",
            "xn--bcher-kva",
            "ab--cd",
            "a" * 63,
            "b" * 64,
            "bücher",
            "-x",
            "x-",
            "localhost",
            "123",
        ]
    ),
)
_TLD = st.sampled_from(
    [
        "nl",
        "com",
        "NL",
        "de",
        "c",
        "123",
        "x1",
        "local",
        "test",
        "con",
        "nll",
        "co",
        "a" * 63,
        "xn--p1ai",
        "arpa",
        "",
        "онлайн",
    ]
)


@st.composite
def email_strings(draw: st.DrawFn) -> str:
    atoms = draw(st.lists(_LOCAL_ATOMS, min_size=1, max_size=4))
    local = (
        draw(st.sampled_from([".", "..", ". "])).join(atoms)
        if draw(st.booleans())
        else (".".join(atoms))
    )
    labels = draw(st.lists(_LABEL, min_size=0, max_size=3))
    domain = ".".join([*labels, draw(_TLD)])
    address = f"{local}{draw(st.sampled_from(['@', '@', '@', '@@', ' @']))}{domain}"
    if draw(st.integers(0, 9)) == 0:
        address = address * 4  # too long
    wrap = draw(
        st.sampled_from(
            [
                "{}",
                "{}",
                " {} ",
                "<{}>",
                "mailto:{}",
                '"{}"',
                "{}.",
                "Jan <{}>",
                "{}, piet@ziggo.nl",
                "x@y, {}",
                "{}\t",
            ]
        )
    )
    return wrap.format(address)


@PROPS
@given(st.lists(email_strings() | st.text(max_size=30), min_size=1, max_size=25))
def test_fast_path_equals_library_path(values: list[str]) -> None:
    out = email_column(pd.Series(values, dtype=object))
    for i, value in enumerate(values):
        expected = email_details(value)
        got = (
            out.at[i, "email"],
            out.at[i, "email_key"],
            out.at[i, "email_role"],
            out.at[i, "email_status"],
        )
        assert got == (expected.email, expected.key, expected.role, expected.status), value


@PROPS
@given(email_strings())
def test_fast_validator_agrees_with_email_validator(value: str) -> None:
    addr = value.strip()
    fast = em._fast_validate(addr)
    if fast is not None:  # the fast path may decline, but never disagree
        assert fast == validate_email(addr, check_deliverability=False).normalized


@PROPS
@given(email_strings() | st.text() | st.integers() | st.floats())
def test_email_details_total_and_idempotent(value: object) -> None:
    details = email_details(value)
    assert isinstance(details, EmailDetails)
    if details.email is None:
        assert details.key is None and details.status in {"empty", "invalid", "placeholder"}
        return
    try:
        validate_email(details.email, check_deliverability=False)
    except EmailNotValidError:  # pragma: no cover - assertion message only
        pytest.fail(f"output not valid: {details.email!r}")
    assert normalize_email(details.email) == details.email
    assert email_key(details.email) == details.key
    assert email_key(details.key) == details.key
    assert details.key == details.key.lower()


# --- the array fast path of email_column (_plain_addresses) -----------------------------------

_PLAIN_ADDRESSES = [
    "jan@ziggo.nl", "Jan.Jansen@KPNMail.NL", " jan@ziggo.nl ", "jan@ziggo.nl\t", "\tjan@ziggo.nl",
    "info@jansen.nl", "INFO@jansen.nl", "Postmaster@Example.COM", "geen@ziggo.nl", "NOEMAIL@x.nl",
    "piet@hotmial.com", "p.jansen@gmail.con", "J.A.N.Jansen+shop@googlemail.com",
    "jan+tag@outlook.com", "+tag@gmail.com", "...@gmail.com", "a.@b.nl", ".a@b.nl", "a..b@c.nl",
    "a@b..nl", "a@.b.nl", "a@b.nl.", "a@-b.nl", "a@b-.nl", "a@b--c.nl", "a@xn--bcher-kva.de",
    "a@b.n", "a@b.nl1", "a@b", "a@@b.nl", "@b.nl", "a@", "a b@c.nl", "a@b.test", "a@b.localhost",
    "a@b.local", "a@onion", "fam.jansen@ziggo.nl", "jan_%-+x@a-b.c.nl", "x" * 31 + "@a.nl",
    "x" * 40 + "@a.nl", "x" * 70 + "@a.nl", "jan@zíggo.nl", "jän@ziggo.nl", "jan@ziggo.nl\x00",
    "Jan <jan@ziggo.nl>", "mailto:jan@ziggo.nl", "jan@ziggo.nl, piet@ziggo.nl", "A@B.NL",
]


@pytest.mark.parametrize("value", _PLAIN_ADDRESSES)
def test_array_fast_path_equals_library_path(value: str) -> None:
    got = email_column(pd.Series([value], dtype=object)).iloc[0]
    expected = email_details(value)
    assert (got["email"], got["email_key"], got["email_role"], got["email_status"]) == (
        expected.email, expected.key, expected.role, expected.status)


@PROPS
@given(st.lists(st.text(alphabet="aB1._%+-@ \t", min_size=1, max_size=40), min_size=1,
                max_size=30))
def test_array_fast_path_equals_scalar_path_on_plain_strings(values: list[str]) -> None:
    distinct = pd.Series(values, dtype=object).unique()
    table = em.email_table(distinct)
    for i, value in enumerate(distinct):
        expected = em._column_value(value)
        got = (table["email"][i], table["email_key"][i], table["email_role"][i],
               table["email_status"][i])
        assert got == (expected.email, expected.key, expected.role, expected.status), value


@pytest.mark.parametrize(("value", "key"), [
    ("0.+@Hotmail.nl", "0.+@hotmail.nl"),        # without the tag no valid name is left
    ("Piet.Jansen+nieuwsbrief@Hotmail.NL", "piet.jansen@hotmail.nl"),
    ("j.+x@gmail.com", "j@gmail.com"),            # gmail drops the dots anyway
])
def test_plus_tags_are_dropped_only_where_a_valid_mailbox_name_remains(value: str,
                                                                       key: str) -> None:
    from custmatch.normalize.frame import normalize_frame

    assert email_key(value) == key
    assert email_key(key) == key
    frame = normalize_frame(pd.DataFrame({"record_id": ["1"], "email": [value]}))
    assert frame.loc[0, "email_key"] == key
