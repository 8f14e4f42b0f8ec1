"""stats.balance: every `by`, hand-computed from docs/matching.md.

The scenario (grad year 2026 unless said):
  S1 higher 330702: A1 460103 (40; 2027: 0), A2 460104 (10; 2027: 5)
  S2 secondary 330402: B1 660103 (30), B2 710201 (20)
  E1 330782 C34: P1 majors 4601, 660103, headcount 10 (5 + 5)
  E2 330402 C39: P2 any major, 7; P3 majors 51, 3
  E3 110101 no industry: P4 majors 460103, 4, own region 330106
Field groups: 46 (4601, 460103, 660103, 46xx), 51 (51, 71xx).
"""
import pytest

from conftest import (INVALID_PARAMS, NOT_FOUND, enterprise, expect_error,
                      fair, posting, school, specialty)


def spec(id, sid, code, coh):
    return specialty(id=id, school_id=sid, major_code=code, cohorts=coh,
                     skills=[], chains=[])


@pytest.fixture
def bal(client):
    c = client
    c.call("school.put", {"records": [
        school(id="S1", level="higher", region="330702"),
        school(id="S2", level="secondary", region="330402")]})
    c.call("specialty.put", {"records": [
        spec("A1", "S1", "460103", {"2026": 40}),
        spec("A2", "S1", "460104", {"2026": 10, "2027": 5}),
        spec("B1", "S2", "660103", {"2026": 30}),
        spec("B2", "S2", "710201", {"2026": 20})]})
    e3 = enterprise(id="E3", region="110101")
    del e3["industry"]
    c.call("enterprise.put", {"records": [
        enterprise(id="E1", region="330782", industry="C34"),
        enterprise(id="E2", region="330402", industry="C39"), e3]})
    p2 = posting(id="P2", enterprise_id="E2", headcount=7, majors=[])
    c.call("posting.put", {"records": [
        posting(id="P1", enterprise_id="E1", majors=["4601", "660103"], headcount=10),
        p2,
        posting(id="P3", enterprise_id="E2", majors=["51"], headcount=3),
        posting(id="P4", enterprise_id="E3", majors=["460103"], headcount=4,
                region="330106")]})
    return c


def rows(c, **params):
    r = c.call("stats.balance", params)
    assert set(r) == {"rows"}
    out = []
    for row in r["rows"]:
        assert set(row) == {"key", "supply", "demand", "ratio"}
        assert isinstance(row["supply"], int)
        if row["supply"]:
            assert row["ratio"] == pytest.approx(row["demand"] / row["supply"])
        else:
            assert row["ratio"] is None
        out.append((row["key"], row["supply"], pytest.approx(row["demand"])))
    return out


def test_by_major_splits_headcount_over_prefixes_and_keeps_short_prefixes(bal):
    assert rows(bal, by="major", grad_year=2026) == [
        ("*", 0, 7), ("4601", 0, 5), ("460103", 40, 4), ("460104", 10, 0),
        ("51", 0, 3), ("660103", 30, 5), ("710201", 20, 0)]


def test_by_major_class(bal):
    assert rows(bal, by="major_class", grad_year=2026) == [
        ("*", 0, 7), ("4601", 50, 9), ("51", 0, 3), ("6601", 30, 5), ("7102", 20, 0)]


def test_by_major_group_rows_at_each_codes_own_level(bal):
    assert rows(bal, by="major_group", grad_year=2026) == [
        ("*", 0, 7), ("46", 50, 9), ("51", 0, 3), ("66", 30, 5), ("71", 20, 0)]


def test_grad_year_picks_the_cohort_and_omits_empty_rows(bal):
    assert rows(bal, by="major", grad_year=2027) == [
        ("*", 0, 7), ("4601", 0, 5), ("460103", 0, 4), ("460104", 5, 0),
        ("51", 0, 3), ("660103", 0, 5)]
    assert rows(bal, by="major", grad_year=2030) == [
        ("*", 0, 7), ("4601", 0, 5), ("460103", 0, 4), ("51", 0, 3), ("660103", 0, 5)]


def test_by_industry_supply_counts_specialties_with_an_eligible_posting(bal):
    # C34: P1 reaches field group 46 -> A1 + A2 + B1 = 80; C39: P2 takes
    # any major -> all 100; "-" (E3, no industry): P4 -> group 46 = 80.
    assert rows(bal, by="industry", grad_year=2026) == [
        ("-", 80, 4), ("C34", 80, 10), ("C39", 100, 10)]


def test_region_prefix_uses_school_and_effective_posting_regions(bal):
    # S1 only; P1 only (E1 330782; P4's own region 330106 is elsewhere).
    assert rows(bal, by="major_group", grad_year=2026, region_prefix="3307") == [
        ("46", 50, 5), ("66", 0, 5)]
    assert rows(bal, by="major_group", grad_year=2026, region_prefix="3301") == [
        ("46", 0, 4)]


def test_by_direction_follows_fair_allocate_definitions(bal):
    bal.call("fair.put", fair(
        id="F1", date="2026-05-20", school_ids=["S1", "S2"], enterprise_ids=["E1", "E3"],
        directions=[{"id": "D1", "name": "机械", "majors": ["4601"]},
                    {"id": "D2", "name": "装备", "majors": ["66", "46"]},
                    {"id": "D3", "name": "电子", "majors": ["71"]}],
        sessions=[], requests={}))
    # A1, A2 -> D1 (first match, although D2 lists 46 too); B1 -> D2; B2 -> D3.
    # P1 and P4 (group 46) have arcs to D1 and D2; nothing reaches D3.  Each
    # counts toward the demand of its best arc's direction only (postings
    # level secondary, no skills; specialties no chains):
    #   P1 (10, E1 330782): A1, A2 major 1, city 0.8, level above 0.7 -> 0.84;
    #      B1 major 1, province 0.5, level 1 -> 0.825.  Best D1.
    #   P4 (4, 330106): A1 major 1, province, above -> 0.795; B1 same class
    #      0.6, province, level 1 -> 0.665.  Best D1.
    assert rows(bal, by="direction", fair_id="F1") == [
        ("D1", 50, 14), ("D2", 30, 0), ("D3", 20, 0)]
    r = bal.call("fair.allocate", {"fair_id": "F1"})
    assert [(d["direction_id"], d["supply"], d["demand"], d["reachable"])
            for d in r["directions"]] == [
        ("D1", 50, 14, 14), ("D2", 30, 0, 14), ("D3", 20, 0, 0)]
    # region_prefix keeps S1 (330702) and P1 (330782) only
    assert rows(bal, by="direction", fair_id="F1", region_prefix="3307") == [
        ("D1", 50, 10)]
    # P4 alone (330106) with no specialty there: nothing left
    assert rows(bal, by="direction", fair_id="F1", region_prefix="3301") == []
    # the fair's date sets the default grad year: after 31 August -> 2027
    bal.call("fair.put", fair(
        id="F1", date="2026-09-10", school_ids=["S1", "S2"], enterprise_ids=["E1", "E3"],
        directions=[{"id": "D1", "name": "机械", "majors": ["4601"]},
                    {"id": "D2", "name": "装备", "majors": ["66", "46"]},
                    {"id": "D3", "name": "电子", "majors": ["71"]}],
        sessions=[], requests={}))
    assert rows(bal, by="direction", fair_id="F1") == [("D1", 5, 14)]
    assert rows(bal, by="direction", fair_id="F1", grad_year=2026) == [
        ("D1", 50, 14), ("D2", 30, 0), ("D3", 20, 0)]
    # fair_id limits every other `by` to the fair's schools and enterprises
    assert rows(bal, by="major", fair_id="F1", grad_year=2026) == [
        ("4601", 0, 5), ("460103", 40, 4), ("460104", 10, 0), ("660103", 30, 5),
        ("710201", 20, 0)]


def test_rows_follow_updates_and_deletes(bal):
    bal.call("posting.del", {"id": "P3"})
    bal.call("specialty.put", spec("B2", "S2", "660103", {"2026": 1}))
    assert rows(bal, by="major_group", grad_year=2026) == [
        ("*", 0, 7), ("46", 50, 9), ("66", 31, 5)]


@pytest.mark.parametrize("params,field", [
    ({}, "by"),
    ({"by": "school"}, "by"),
    ({"by": 1}, "by"),
    ({"by": "direction"}, "fair_id"),
    ({"by": "major", "region_prefix": "3x"}, "region_prefix"),
    ({"by": "major", "grad_year": 99}, "grad_year"),
    ({"by": "major", "k": 5}, "k"),
    ({"by": "major", "fair_id": 5}, "fair_id"),
])
def test_bad_params_are_invalid_params_naming_the_field(bal, params, field):
    expect_error(bal, "stats.balance", params, INVALID_PARAMS, field)


def test_unknown_fair_is_not_found(bal):
    expect_error(bal, "stats.balance", {"by": "direction", "fair_id": "F9"},
                 NOT_FOUND, "fair_id")
