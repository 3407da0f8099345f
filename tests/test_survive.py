"""Tests for custmatch.survive: rules, groups, consent, lineage, source updates, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custmatch.errors import ConfigError, CustmatchWarning, InputError, SchemaError
from custmatch.survive import (
    GoldenRecords,
    changes_for_sources,
    collect_all,
    consent,
    custom,
    default_rules,
    field,
    first_valid,
    golden_records,
    group,
    longest,
    most_complete,
    most_frequent,
    most_recent,
    required,
    source_priority,
    spelled_out,
)
from custmatch.survive.golden import _text

T = pd.Timestamp


def frame(**columns: list) -> pd.DataFrame:
    """Hand records: ids r1.., source crm unless given, text columns as object."""
    n = len(next(iter(columns.values())))
    data = {"record_id": [f"r{i + 1}" for i in range(n)], "source": ["crm"] * n}
    data.update(columns)
    out = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()})
    if "updated_at" in columns:
        out["updated_at"] = pd.to_datetime(pd.Series(columns["updated_at"]), utc=True)
    for c in columns:
        if c.startswith("consent_"):
            out[c] = pd.array(columns[c], dtype="boolean")
    return out


def one(records: pd.DataFrame, *specs, clusters=None) -> pd.Series:
    """The golden row of a single-cluster frame."""
    clusters = pd.Series(["g"] * len(records)) if clusters is None else clusters
    golden = golden_records(records, clusters, list(specs) if specs else None).golden
    assert len(golden) == 1
    return golden.iloc[0]


def rule_of(result: GoldenRecords, field_name: str, golden_id: object = "g") -> str:
    lin = result.lineage
    rows = lin[(lin["field"] == field_name) & (lin["golden_id"] == golden_id)]
    assert len(rows) == 1, rows
    return str(rows["rule"].iloc[0])


# --- single rules --------------------------------------------------------------------------

def test_source_priority_prefers_listed_order_and_unlisted_last():
    recs = frame(source=["webshop", "finance", "crm"], city=["Delft", "Gouda", "Breda"])
    assert one(recs, field("city", source_priority(["crm", "finance"])))["city"] == "Breda"
    assert one(recs, field("city", source_priority(["finance"])))["city"] == "Gouda"


def test_most_recent_takes_newest_and_missing_time_last():
    recs = frame(city=["Delft", "Gouda", "Breda"],
                 updated_at=["2020-01-01", None, "2021-06-01"])
    result = golden_records(recs, pd.Series(["g"] * 3), [field("city", most_recent())])
    assert result.golden["city"].tolist() == ["Breda"]
    assert rule_of(result, "city") == "most_recent(updated_at)"
    only_missing = frame(city=["Delft", "Gouda"], updated_at=[None, "2019-01-01"])
    assert one(only_missing, field("city", most_recent()))["city"] == "Gouda"


def test_most_frequent_then_fallback_chain():
    recs = frame(city=["Delft", "Gouda", "Delft", "Gouda", "Breda"],
                 updated_at=["2020", "2024", "2019", "2023", "2025"])
    # Delft and Gouda tie on frequency; the newer Gouda wins; Breda (newest) is rarer
    result = golden_records(recs, pd.Series(["g"] * 5),
                            [field("city", most_frequent(), most_recent())])
    assert result.golden["city"].iloc[0] == "Gouda"
    assert rule_of(result, "city") == "most_recent(updated_at)"
    recs.loc[4, "city"] = "Gouda"
    result = golden_records(recs, pd.Series(["g"] * 5),
                            [field("city", most_frequent(), most_recent())])
    assert rule_of(result, "city") == "most_frequent"


def test_longest_and_first_valid():
    recs = frame(first_name=["Jan", "Johannes", None], record_id=["b", "c", "a"])
    assert one(recs, field("first_name", longest()))["first_name"] == "Johannes"
    # first_valid: the first usable value in record-id order ("a" holds none)
    assert one(recs, field("first_name", first_valid()))["first_name"] == "Jan"


def test_custom_rule_function_and_plain_callable():
    recs = frame(source=["crm", "finance"], iban=["NL1", "NL2"], score=[1, 5])
    best = custom(lambda r, f: r["score"], name="score", descending=True)
    result = golden_records(recs, pd.Series(["g", "g"]), [field("iban", best)])
    assert result.golden["iban"].iloc[0] == "NL2"
    assert rule_of(result, "iban") == "score"

    def finance_first(records, fields):
        return records["source"] != "finance"

    assert one(recs, field("iban", finance_first))["iban"] == "NL2"


def test_spelled_out_prefers_full_first_name_and_prefix():
    recs = frame(first_name=[None, "Jan", None], initials=["JH", "J", "J"],
                 prefix=["v.d.", "v.d.", "van der"], surname=["Berg", "Berg", "Berg"],
                 updated_at=["2024", "2019", "2020"])
    spec = group("name", ["first_name", "initials", "prefix", "surname"], spelled_out(),
                 most_recent())
    row = one(recs, spec)
    assert (row["first_name"], row["initials"], row["prefix"]) == ("Jan", "J", "v.d.")
    recs.loc[1, "first_name"] = None  # no first name anywhere: the spelled-out prefix wins
    assert one(recs, spec)["prefix"] == "van der"


def test_required_and_most_complete_for_groups():
    recs = frame(street=[None, "Kerkstraat", "Dorpsweg"], house_number=[None, "12", "3"],
                 postcode=[None, "1234 AB", None], city=["Delft", "Delft", "Gouda"],
                 updated_at=["2024", "2019", "2020"])
    fields = ["street", "house_number", "postcode", "city"]
    row = one(recs, group("address", fields, required(("postcode", "house_number"),
                                                      ("street", "house_number", "city")),
                          most_recent()))
    assert row["street"] == "Dorpsweg"
    row = one(recs, group("address", fields, most_complete(), most_recent()))
    assert row["street"] == "Kerkstraat"


def test_collect_all_lists_usable_values_best_first():
    recs = frame(phone=["+31611111111", "+31622222222", None, "+31633333333"],
                 phone_2=["+31201234567", None, "+31611111111", None],
                 phone_status=["valid", "valid", "empty", "invalid"],
                 updated_at=["2020", "2023", "2024", "2025"])
    clusters = pd.Series(["g", "g", "g", "h"])
    result = golden_records(recs, clusters, [
        field("phone", most_recent(), collect_all(also=["phone_2"]))])
    golden = result.golden.set_index("golden_id")
    assert golden.loc["g", "phone"] == "+31622222222"
    assert golden.loc["g", "phones"] == ["+31622222222", "+31611111111", "+31201234567"]
    assert golden.loc["h", "phones"] == []  # the invalid number is never collected
    assert golden.loc["h", "phone"] == "+31633333333"  # ranked last, but the only one
    lin = result.lineage[result.lineage["field"] == "phones"]
    assert lin["rule"].astype(str).unique().tolist() == ["collect_all"]
    assert lin["record_id"].tolist() == ["r2", "r1", "r1"]  # r3 holds no phone: ranked last


def test_collect_only_spec_has_no_single_value_column():
    recs = frame(customer_number=["K1", "K2", "K1"])
    golden = golden_records(recs, pd.Series([1, 1, 1]),
                            [field("customer_number", collect_all())]).golden
    assert "customer_number" not in golden.columns
    assert golden["customer_numbers"].iloc[0] == ["K1", "K2"]


# --- validity, groups ----------------------------------------------------------------------

def test_invalid_never_beats_valid():
    recs = frame(source=["webshop", "crm"], email=["jan@gmial", "jan@kpn.nl"],
                 email_status=["invalid", "valid"], updated_at=["2025", "2010"])
    for rule in (most_recent(), source_priority(["webshop"]), longest(), first_valid()):
        result = golden_records(recs, pd.Series(["g", "g"]), [field("email", rule)])
        assert result.golden["email"].iloc[0] == "jan@kpn.nl"
        assert rule_of(result, "email") == "valid_over_invalid"
    # an invalid value survives only when nothing usable exists
    recs.loc[1, "email"] = None
    assert one(recs, field("email", most_recent()))["email"] == "jan@gmial"


def test_status_any_usable_column_wins():
    # phone taken from the mobile column: phone_status empty, mobile_status valid
    recs = frame(phone=["+31611111111", "+31622222222"], phone_status=["invalid", "empty"],
                 mobile_status=["valid", "placeholder"], updated_at=["2020", "2024"])
    assert one(recs, field("phone", most_recent()))["phone"] == "+31611111111"


@pytest.mark.parametrize("rule", [most_recent(), most_complete(), first_valid()])
def test_address_group_never_mixes_two_addresses(rule):
    recs = frame(street=["Kerkstraat", None, "Dorpsweg"], house_number=["1", "2", None],
                 postcode=["1111 AA", "2222 BB", "3333 CC"], city=[None, "Delft", "Gouda"],
                 updated_at=["2020", "2021", "2022"])
    fields = ["street", "house_number", "postcode", "city"]
    row = one(recs, group("address", fields, rule))
    golden = tuple(None if pd.isna(row[c]) else row[c] for c in fields)
    rows = {tuple(r) for r in recs[fields].itertuples(index=False)}
    assert golden in rows


def test_address_completion_only_from_the_same_address():
    recs = frame(street=[None, "Kerkstraat", "Dorpsweg"], house_number=["12", "12", "12"],
                 postcode=["1234 AB", "1234 AB", "9999 ZZ"], city=[None, "Delft", "Gouda"],
                 updated_at=["2024", "2019", "2021"])
    spec = group("address", ["street", "house_number", "postcode", "city"],
                 required(("postcode", "house_number")), most_recent(),
                 complete_from=("postcode", "house_number"), complete=("street", "city"))
    result = golden_records(recs, pd.Series(["g"] * 3), [spec])
    row = result.golden.iloc[0]
    assert (row["street"], row["postcode"], row["city"]) == ("Kerkstraat", "1234 AB", "Delft")
    lin = result.lineage.set_index("field")
    assert lin.loc["street", "record_id"] == "r2"
    assert lin.loc["postcode", "record_id"] == "r1"
    assert lin.loc["street", "rule"] == "same_address(postcode, house_number)"


def test_default_name_group_prefers_spelled_out_name_from_one_record():
    recs = frame(title=["dr.", None], first_name=[None, "Anna"], initials=["AM", "A"],
                 prefix=[None, None], surname=["Visser", "Visser-de Boer"],
                 updated_at=["2024", "2018"])
    row = one(recs)
    assert (row["title"], row["first_name"], row["initials"], row["surname"]) == (
        None, "Anna", "A", "Visser-de Boer")


# --- consent --------------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "times", "expected", "rule", "source"), [
    ([True, False], ["2020", "2022"], False, "most_recent_statement", "r2"),
    ([False, True], ["2020", "2022"], True, "most_recent_statement", "r2"),
    ([True, False], ["2022", "2022"], False, "opt_out_on_tie", "r2"),
    ([False, True], ["2022", "2022"], False, "opt_out_on_tie", "r1"),
    ([None, None], ["2022", "2023"], False, "no_statement", None),
    ([None, True], ["2022", "2023"], True, "only_statement", "r2"),
    ([True, False], ["2022", None], True, "most_recent_statement", "r1"),
])
def test_consent_most_recent_statement(values, times, expected, rule, source):
    recs = frame(consent_email=values, updated_at=times)
    result = golden_records(recs, pd.Series(["g", "g"]), [consent("consent_email")])
    row = result.golden.iloc[0]
    assert row["consent_email"] is np.bool_(expected) or row["consent_email"] == expected
    assert rule_of(result, "consent_email") == rule
    lin = result.lineage
    stating = lin.loc[lin["field"] == "consent_email", "record_id"].iloc[0]
    assert (pd.isna(stating) and source is None) or stating == source
    if source is None:
        assert pd.isna(row["consent_email_source"]) and pd.isna(row["consent_email_at"])
    else:
        assert row["consent_email_source"] == "crm"


def test_consent_strict_any_opt_out_wins():
    recs = frame(consent_phone=[False, True], updated_at=["2019", "2023"])
    result = golden_records(recs, pd.Series(["g", "g"]),
                            [consent("consent_phone", strict=True)])
    assert not result.golden["consent_phone"].iloc[0]
    assert rule_of(result, "consent_phone") == "opt_out_wins"


def test_consent_opt_in_bound_to_its_channel_value():
    recs = frame(email=["oud@kpn.nl", "nieuw@ziggo.nl", None],
                 consent_email=[True, None, None], updated_at=["2019", "2023", "2020"])
    specs = [field("email", most_recent()), consent("consent_email", bind_to="email")]
    result = golden_records(recs, pd.Series(["g"] * 3), specs)
    assert not result.golden["consent_email"].iloc[0]
    assert rule_of(result, "consent_email") == "opt_in_other_value"
    recs.loc[0, "email"] = "nieuw@ziggo.nl"
    assert one(recs, *specs)["consent_email"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([True, False, None]), st.integers(0, 3),
                          st.integers(0, 2)), min_size=1, max_size=12))
def test_consent_never_true_without_a_newest_explicit_opt_in(rows):
    recs = frame(consent_email=[r[0] for r in rows],
                 updated_at=[f"202{r[1]}-01-01" for r in rows])
    clusters = pd.Series([r[2] for r in rows])
    golden = golden_records(recs, clusters, [consent("consent_email")]).golden
    for gid, value in zip(golden["golden_id"], golden["consent_email"], strict=True):
        stated = [(t, v) for v, t, c in rows if c == gid and v is not None]
        if not stated:
            assert value is np.False_ or value is False
            continue
        newest = max(t for t, _ in stated)
        expected = all(v for t, v in stated if t == newest)
        assert bool(value) == expected


# --- invariants -----------------------------------------------------------------------------

def check_invariants(records: pd.DataFrame, clusters: pd.Series, result: GoldenRecords):
    golden, lineage, members = result.golden, result.lineage, result.members
    assert golden["golden_id"].is_unique
    assert sorted(golden["golden_id"]) == sorted(set(clusters))
    assert int(golden["n_records"].sum()) == len(records)
    assert members["record_id"].tolist() == records["record_id"].tolist()
    assert members["golden_id"].tolist() == list(clusters)
    cluster_of = dict(zip(records["record_id"], clusters, strict=True))
    by_id = records.set_index("record_id")
    for row in lineage.itertuples(index=False):
        if pd.isna(row.record_id):
            continue
        assert cluster_of[row.record_id] == row.golden_id
        column = {"phones": "phone", "emails": "email",
                  "customer_numbers": "customer_number"}.get(row.field, row.field)
        record_values = {_text(by_id.at[row.record_id, column])}
        if row.field == "phones" and "phone_2" in by_id.columns:
            record_values.add(_text(by_id.at[row.record_id, "phone_2"]))
        if not str(row.field).startswith("consent_"):
            assert row.value in record_values  # no invented values
    for c in golden.columns:
        if c in ("golden_id", "n_records", "sources") or c.startswith("consent_"):
            continue
        if len(golden) and isinstance(golden[c].iloc[0], list):
            continue
        present = golden.loc[golden[c].notna(), "golden_id"]
        traced = lineage.loc[lineage["field"] == c, "golden_id"]
        assert sorted(present) == sorted(traced), c


def random_records(draw_rows: list[tuple]) -> tuple[pd.DataFrame, pd.Series]:
    streets = [("Kerkstraat", "1", "1111 AA", "Delft"), ("Dorpsweg", "2", "2222 BB", "Gouda"),
               (None, "3", "3333 CC", None)]
    names = [("Jan", "J", "Berg"), (None, "JH", "Berg"), ("Anna", "A", None)]
    data = {
        "record_id": [f"id{i:03d}" for i in range(len(draw_rows))],
        "source": [r[0] for r in draw_rows],
        "first_name": [names[r[1]][0] for r in draw_rows],
        "initials": [names[r[1]][1] for r in draw_rows],
        "surname": [names[r[1]][2] for r in draw_rows],
        "street": [streets[r[2]][0] for r in draw_rows],
        "house_number": [streets[r[2]][1] for r in draw_rows],
        "postcode": [streets[r[2]][2] for r in draw_rows],
        "city": [streets[r[2]][3] for r in draw_rows],
        "email": [r[3] for r in draw_rows],
        "email_status": ["invalid" if r[3] == "x@bad" else "valid" for r in draw_rows],
        "customer_number": [f"K{r[4]}" for r in draw_rows],
    }
    recs = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()})
    recs["updated_at"] = pd.to_datetime([f"20{10 + r[5]}-01-01" for r in draw_rows], utc=True)
    recs["consent_email"] = pd.array([r[6] for r in draw_rows], dtype="boolean")
    return recs, pd.Series([f"c{r[7]}" for r in draw_rows])


ROWS = st.lists(st.tuples(st.sampled_from(["crm", "webshop", "finance"]), st.integers(0, 2),
                          st.integers(0, 2), st.sampled_from([None, "a@x.nl", "b@y.nl", "x@bad"]),
                          st.integers(0, 3), st.integers(0, 3),
                          st.sampled_from([True, False, None]), st.integers(0, 3)),
                min_size=1, max_size=15)


@settings(max_examples=40, deadline=None)
@given(ROWS, st.randoms(use_true_random=False))
def test_invariants_and_row_order_independence(rows, rnd):
    recs, clusters = random_records(rows)
    result = golden_records(recs, clusters)
    check_invariants(recs, clusters, result)
    # groups never mix: name and address come from one record each
    golden = result.golden.set_index("golden_id")
    for gid, g in golden.iterrows():
        members = recs[(clusters == gid).to_numpy()]
        addr = ["street", "house_number", "postcode", "city"]
        picked = tuple(None if pd.isna(g[c]) else g[c] for c in addr)
        options = {tuple(r) for r in members[addr].itertuples(index=False)}
        assert picked in options or all(v is None for v in picked)
        if g["email"] is not None and not pd.isna(g["email"]):
            usable = set(members.loc[members["email_status"] == "valid", "email"].dropna())
            assert g["email"] in usable or not usable
    perm = list(range(len(recs)))
    rnd.shuffle(perm)
    shuffled = golden_records(recs.iloc[perm].reset_index(drop=True),
                              clusters.iloc[perm].reset_index(drop=True))
    pd.testing.assert_frame_equal(shuffled.golden, result.golden)
    key = ["golden_id", "field", "value"]
    a = result.lineage.astype(str).sort_values(key).reset_index(drop=True)
    b = shuffled.lineage.astype(str).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_example_dataset_invariants_and_clusters_frame():
    from custmatch.datasets import load_example
    from custmatch.normalize import normalize_frame

    recs, truth = load_example()
    df = normalize_frame(recs)
    assignments = pd.DataFrame({"record_id": truth["record_id"].iloc[::-1],
                                "cluster_id": truth["entity_id"].iloc[::-1]})
    result = golden_records(df, assignments)
    clusters = pd.Series(truth.set_index("record_id").loc[df["record_id"], "entity_id"].values)
    check_invariants(df, clusters, result)
    golden = result.golden
    assert len(golden) == truth["entity_id"].nunique()
    for c in ("surname", "street", "postcode", "phone", "email", "birth_date", "phones",
              "emails", "customer_numbers", "consent_email", "consent_phone_at", "sources"):
        assert c in golden.columns
    assert golden["customer_numbers"].map(len).sum() == df["customer_number"].nunique()
    # consent is True only where some record stated True
    stated_true = set(clusters[df["consent_email"].fillna(False).to_numpy(dtype=bool)])
    assert set(golden.loc[golden["consent_email"], "golden_id"]) <= stated_true
    same = golden_records(df, clusters)
    pd.testing.assert_frame_equal(same.golden, golden)
    changes = changes_for_sources(df, result)
    assert set(changes.columns) == {"record_id", "source", "field", "current_value",
                                    "golden_value", "golden_id"}
    assert changes["golden_value"].notna().all()


def test_clusters_series_indexed_by_record_id_and_unpacking():
    recs = frame(city=["Delft", "Gouda"], record_id=["a", "b"])
    result = golden_records(recs, pd.Series([5, 7], index=["b", "a"]),
                            [field("city", first_valid())])
    golden, lineage = result
    assert golden.set_index("golden_id")["city"].to_dict() == {5: "Gouda", 7: "Delft"}
    assert len(result) == 2 and "golden=2 rows" in repr(result)
    assert set(lineage.columns) == {"golden_id", "field", "value", "record_id", "source", "rule"}


def test_empty_frame_gives_empty_outputs_with_columns():
    full = frame(email=["a@b.nl"], updated_at=["2020"], consent_email=[True],
                 customer_number=["K1"])
    empty = full.iloc[:0]
    result = golden_records(empty, pd.Series([], dtype=object))
    reference = golden_records(full, pd.Series(["g"]))
    assert list(result.golden.columns) == list(reference.golden.columns)
    assert len(result.golden) == 0 and len(result.lineage) == 0 and len(result.members) == 0
    assert list(result.lineage.columns) == list(reference.lineage.columns)
    assert len(changes_for_sources(empty, result)) == 0


# --- changes_for_sources --------------------------------------------------------------------

def test_changes_for_sources_proposes_updates_and_spreads_opt_outs():
    recs = frame(source=["crm", "webshop", "finance"], first_name=["Jan", None, "Jan"],
                 surname=["Berg", "Berg", "Bergh"], title=[None, None, "dr."],
                 consent_email=[True, False, None], updated_at=["2020", "2023", "2019"])
    specs = [group("name", ["title", "first_name", "surname"], spelled_out(), most_recent()),
             consent("consent_email")]
    result = golden_records(recs, pd.Series(["g"] * 3), specs)
    changes = changes_for_sources(recs, result)
    got = {(r.record_id, r.field, r.current_value, r.golden_value)
           for r in changes.itertuples()}
    # golden name comes from r1 (spelled out, then newer than r3): title None is never pushed
    assert got == {
        ("r2", "first_name", None, "Jan"),
        ("r3", "surname", "Bergh", "Berg"),
        ("r1", "consent_email", "True", "False"),
        ("r3", "consent_email", None, "False"),
    }
    assert changes["golden_id"].unique().tolist() == ["g"]
    assert changes["record_id"].tolist() == sorted(changes["record_id"])
    only = changes_for_sources(recs, result, fields=["surname"])
    assert only["field"].tolist() == ["surname"]


def test_changes_never_propose_opt_ins():
    recs = frame(consent_email=[True, None], updated_at=["2020", "2023"])
    result = golden_records(recs, pd.Series(["g", "g"]), [consent("consent_email")])
    assert result.golden["consent_email"].iloc[0]
    assert len(changes_for_sources(recs, result)) == 0


# --- errors ---------------------------------------------------------------------------------

def test_schema_errors():
    recs = frame(city=["Delft"])
    with pytest.raises(SchemaError, match="changed_at"):
        golden_records(recs, pd.Series(["g"]), [field("city", most_recent("changed_at"))])
    with pytest.raises(SchemaError, match="'street'"):
        golden_records(recs, pd.Series(["g"]), [field("street", first_valid())])
    with pytest.raises(SchemaError, match="source"):
        golden_records(recs.drop(columns="source"), pd.Series(["g"]))
    with pytest.raises(SchemaError, match="duplicate"):
        golden_records(pd.concat([recs, recs]), pd.Series(["g", "g"]))
    with pytest.raises(SchemaError, match="timestamps"):
        golden_records(recs, pd.Series(["g"]), [field("city", most_recent("city"))])


def test_input_errors_for_clusters():
    recs = frame(city=["Delft", "Gouda"])
    with pytest.raises(InputError, match="2 records"):
        golden_records(recs, pd.Series(["g"]))
    with pytest.raises(InputError, match="in no cluster"):
        golden_records(recs, pd.DataFrame({"record_id": ["r1"], "cluster_id": ["g"]}))
    with pytest.raises(InputError, match="not in the records"):
        golden_records(recs, pd.DataFrame({"record_id": ["r1", "r2", "r9"],
                                           "cluster_id": ["g", "g", "h"]}))
    with pytest.raises(InputError, match="more than once"):
        golden_records(recs, pd.DataFrame({"record_id": ["r1", "r1", "r2"],
                                           "cluster_id": ["g", "g", "h"]}))
    with pytest.raises(InputError, match="null cluster"):
        golden_records(recs, pd.Series(["g", None]))
    with pytest.raises(InputError, match="not aligned"):
        golden_records(recs, pd.Series(["g", "h"], index=[10, 11]))
    with pytest.raises(InputError):
        golden_records(recs, ["g", "h"])
    with pytest.raises(InputError):
        changes_for_sources(recs, "golden")


def test_config_errors():
    recs = frame(city=["Delft"], street=["Dorpsweg"])
    with pytest.raises(ConfigError, match="not a survivorship rule"):
        field("city", "most_recent")
    with pytest.raises(ConfigError, match="call it"):
        field("city", type(most_recent()))
    with pytest.raises(ConfigError, match="list of source names"):
        source_priority("crm")
    with pytest.raises(ConfigError, match="twice"):
        source_priority(["crm", "crm"])
    with pytest.raises(ConfigError, match="two specs"):
        golden_records(recs, pd.Series(["g"]), [field("city"), group("a", ["street", "city"])])
    with pytest.raises(ConfigError, match="more than once"):
        field("city", collect_all(), collect_all())
    with pytest.raises(ConfigError):
        required()
    with pytest.raises(ConfigError, match="neither"):
        group("a", ["street", "city"], complete_from=["street"])
    with pytest.raises(ConfigError, match="returned 3 keys"):
        golden_records(recs, pd.Series(["g"]), [field("city", lambda r, f: [1, 2, 3])])
    with pytest.raises(ConfigError, match="bind_to"):
        golden_records(frame(consent_email=[True], email=["a@b.nl"], updated_at=["2020"]),
                       pd.Series(["g"]),
                       [consent("consent_email", bind_to="email")])
    with pytest.raises(ConfigError, match="specs"):
        golden_records(recs, pd.Series(["g"]), [most_recent()])


def test_later_spec_replaces_default_of_same_name():
    recs = frame(source=["crm", "finance"], email=["a@crm.nl", "b@fin.nl"],
                 updated_at=["2024", "2020"])
    specs = [*default_rules(recs), field("email", source_priority(["finance"]))]
    assert one(recs, *specs)["email"] == "b@fin.nl"
    assert one(recs)["email"] == "a@crm.nl"


def test_a_consent_column_of_text_gets_no_default_rule_and_a_warning() -> None:
    from custmatch.survive import default_rules

    recs = pd.DataFrame({"record_id": ["a"], "source": ["crm"], "consent_sms": ["ja"],
                         "consent_email": pd.array([True], dtype="boolean")})
    with pytest.warns(CustmatchWarning, match="consent_sms"):
        names = [s.name for s in default_rules(recs)]
    assert "consent_email" in names and "consent_sms" not in names


def _mixed_dtype_records() -> tuple[pd.DataFrame, pd.Series, list]:
    """Six records in two clusters, one column per kind of dtype, plus specs on them."""
    texts = ["a", None, "b", "a", "c", None]
    columns = {
        "text_object": pd.array(texts, dtype=object),
        "text_python": pd.array(texts, dtype="string[python]"),
        "mixed_object": pd.array([1, 1.0, True, "x", None, np.nan], dtype=object),
        "integer": pd.array([1, None, 2, 1, 3, None], dtype="Int64"),
        "floats": np.array([0.0, -0.0, np.nan, 1.5, 0.0, -0.0]),
        "naive": pd.to_datetime(["2020-01-01", None, "2020-01-01T10:00", "2021-05-05", None,
                                 "2020-01-01"], format="ISO8601"),
        "aware": pd.to_datetime(["2020-01-01", None, "2020-01-01T10:00", "2021-05-05", None,
                                 "2020-01-01"], format="ISO8601").tz_localize("Europe/Amsterdam"),
        "flags": pd.array([True, None, False, True, None, False], dtype="boolean"),
        "labels": pd.Categorical(["x", None, "y", "x", "z", None]),
        "numbers": pd.Categorical([3, None, 1, 3, 2, None]),
    }
    try:
        import pyarrow  # noqa: F401

        columns["text_arrow"] = pd.array(texts, dtype="string[pyarrow]")
    except ImportError:
        pass
    recs = pd.DataFrame({"record_id": [f"r{i}" for i in range(6)],
                         "source": ["crm", "web", "crm", "fin", "web", "crm"], **columns})
    recs["updated_at"] = pd.to_datetime(["2020-01-01", "2021-01-01", None, "2019-01-01",
                                         "2022-01-01", "2020-06-01"], utc=True)
    recs["consent_email"] = pd.array([True, None, False, None, True, False], dtype="boolean")
    specs = [field(c, most_frequent(), most_recent(), collect_all()) for c in columns]
    specs += [field("phone", most_recent(), collect_all(also=["text_python"])),
              consent("consent_email")]
    recs["phone"] = pd.array(["06", "06", None, "07", None, "a"], dtype=object)
    return recs, pd.Series([0, 0, 0, 1, 1, 1]), specs


def test_few_and_many_records_give_the_same_result(monkeypatch):
    import custmatch.survive.golden as golden_module

    recs, clusters, specs = _mixed_dtype_records()
    few = golden_records(recs, clusters, specs)
    monkeypatch.setattr(golden_module, "_FEW", 0)  # work as on a large input
    many = golden_records(recs, clusters, specs)
    for name in ("golden", "lineage", "members"):
        a, b = getattr(few, name), getattr(many, name)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        for c in [c for c in a.columns if a[c].dtype == np.dtype(object)]:  # None, NaN apart
            assert [type(v) for v in a[c]] == [type(v) for v in b[c]], c
    lin = few.lineage
    # lineage texts as values print, list elements as the column holds them
    assert lin.loc[lin["field"] == "naive", "value"].tolist() == ["2020-01-01"] * 2
    assert set(lin.loc[lin["field"] == "numberss", "value"]) == {"1.0", "2.0", "3.0"}
    assert few.golden["integer"].dtype == "Int64" and few.golden["labels"].dtype == "category"


def test_frame_built_by_the_public_constructor_is_the_same():
    from custmatch._frames import _frame_of_series, _stored
    from custmatch._frames import frame_from_arrays as _frame

    recs, clusters, specs = _mixed_dtype_records()
    golden = golden_records(recs, clusters, specs).golden
    columns = {c: golden[c] for c in golden.columns}
    slow = _frame_of_series({c: _stored(v) for c, v in columns.items()},
                            pd.RangeIndex(len(golden)))
    pd.testing.assert_frame_equal(_frame(columns, len(golden)), slow, check_exact=True)
    pd.testing.assert_frame_equal(golden, slow, check_exact=True)


def test_a_cluster_without_a_value_gets_nan_and_a_missing_text_stays_none():
    for dtype in (object, "string[python]"):
        recs = frame(city=[None, None, "Gouda"], record_id=["a", "b", "c"])
        recs["city"] = pd.array([None, None, "Gouda"], dtype=dtype)
        recs["street"] = pd.array([None, None, None], dtype=dtype)
        golden = golden_records(recs, pd.Series(["g", "g", "h"]),
                                [group("address", ["city", "street"], first_valid())]).golden
        assert type(golden["city"].iloc[0]) is float and golden["city"].iloc[1] == "Gouda"
        assert golden["street"].iloc[1] is None  # the winner's own missing value
