"""<kind>.list: id order, paging with after/limit/next, filters."""
import pytest

from conftest import (INVALID_PARAMS, KINDS, PUT_ORDER, enterprise, expect_error,
                      posting, program, sample, school, specialty, student)


def page_all(c, method, limit=None, filt=None):
    """Follow `next` to the end; returns (items, number of pages)."""
    items, pages, after = [], 0, None
    while True:
        p = {}
        if limit is not None:
            p["limit"] = limit
        if after is not None:
            p["after"] = after
        if filt is not None:
            p["filter"] = filt
        r = c.call(method, p)
        assert set(r) == {"items", "next"}, r.keys()
        pages += 1
        items += r["items"]
        if r["next"] is None:
            return items, pages
        assert r["items"], "non-nil next with an empty page"
        assert r["next"] == r["items"][-1]["id"]
        after = r["next"]
        assert pages < 1000


def test_list_pages_250_schools_in_id_order_with_default_limit_100(client):
    recs = [school(id="S%03d" % i, region="3307%02d" % (i % 10)) for i in range(250)]
    import random
    random.Random(7).shuffle(recs)
    client.call("school.put", {"records": recs})
    r1 = client.call("school.list", {})
    assert len(r1["items"]) == 100
    assert [x["id"] for x in r1["items"]] == ["S%03d" % i for i in range(100)]
    assert r1["next"] == "S099"
    r2 = client.call("school.list", {"after": r1["next"]})
    assert [x["id"] for x in r2["items"]] == ["S%03d" % i for i in range(100, 200)]
    assert r2["next"] == "S199"
    r3 = client.call("school.list", {"after": r2["next"]})
    assert [x["id"] for x in r3["items"]] == ["S%03d" % i for i in range(200, 250)]
    assert r3["next"] is None
    # items are whole records
    byid = {r["id"]: r for r in recs}
    for it in r1["items"] + r2["items"] + r3["items"]:
        assert it == byid[it["id"]]


def test_list_with_custom_limit_and_exact_last_page(client):
    client.call("school.put", {"records": [school(id="S%03d" % i) for i in range(250)]})
    items, pages = page_all(client, "school.list", limit=50)
    assert pages == 5
    assert [x["id"] for x in items] == ["S%03d" % i for i in range(250)]
    r = client.call("school.list", {"limit": 250})
    assert len(r["items"]) == 250 and r["next"] is None
    r = client.call("school.list", {"limit": 249})
    assert len(r["items"]) == 249 and r["next"] == "S248"
    r = client.call("school.list", {"limit": 1000})
    assert len(r["items"]) == 250 and r["next"] is None


def test_list_after_an_id_that_does_not_exist_starts_after_it(client):
    client.call("school.put", {"records": [school(id=i) for i in ("A", "B", "D", "E")]})
    r = client.call("school.list", {"after": "C", "limit": 10})
    assert [x["id"] for x in r["items"]] == ["D", "E"]
    r = client.call("school.list", {"after": "E"})
    assert r == {"items": [], "next": None}


def test_list_of_empty_store_is_empty(client):
    for k in KINDS:
        assert client.call(k + ".list", {}) == {"items": [], "next": None}
    assert client.call("school.list", []) == {"items": [], "next": None}


@pytest.mark.parametrize("limit", [0, 1001, -1, "10", 1.5])
def test_list_limit_out_of_range_is_invalid_params(client, limit):
    expect_error(client, "school.list", {"limit": limit}, INVALID_PARAMS, "limit")


def test_list_limit_bounded_by_configured_max_limit(daemon_factory):
    d = daemon_factory(config="[server]\nmax_limit = 10\n")
    c = d.connect()
    c.call("school.put", {"records": [school(id="S%02d" % i) for i in range(20)]})
    assert len(c.call("school.list", {"limit": 10})["items"]) == 10
    expect_error(c, "school.list", {"limit": 11}, INVALID_PARAMS, "limit")


def test_list_bad_after_is_invalid_params(client):
    expect_error(client, "school.list", {"after": 5}, INVALID_PARAMS, "after")


def test_list_unknown_params_key_is_invalid_params(client):
    expect_error(client, "school.list", {"limt": 5}, INVALID_PARAMS, "limt")


@pytest.mark.parametrize("kind", KINDS)
def test_list_of_each_kind_returns_stored_records(client, kind):
    for k in PUT_ORDER:
        client.call(k + ".put", sample(k))
        if k == kind:
            break
    recs = [sample(kind, id="%s-%02d" % (sample(kind)["id"], i)) for i in range(12)]
    client.call(kind + ".put", {"records": recs})
    items, pages = page_all(client, kind + ".list", limit=5)
    assert pages == 3
    assert items == sorted(recs + [sample(kind)], key=lambda r: r["id"].encode())


# ------------------------------------------------------------ filters

def seed_for_filters(c):
    c.call("school.put", {"records": [
        school(id="S1", region="330702"), school(id="S2", region="330784"),
        school(id="S3", region="330402", level="higher"),
        school(id="S4", region="110101", level="secondary")]})
    c.call("specialty.put", {"records": [
        specialty(id="SP1", school_id="S1", major_code="660103", skills=["CNC", "钳工"],
                  chains=["工业机床"]),
        specialty(id="SP2", school_id="S1", major_code="660201", skills=["焊接"],
                  chains=["新能源汽车"]),
        specialty(id="SP3", school_id="S2", major_code="700601", skills=["CNC"],
                  chains=["工业机床", "电动工具"]),
        specialty(id="SP4", school_id="S3", major_code="460103", skills=[], chains=[]),
        specialty(id="SP5", school_id="S4", major_code="660103K", skills=["CNC"],
                  chains=["新能源汽车"])]})
    c.call("enterprise.put", {"records": [
        enterprise(id="E1", region="330784", chains=["工业机床"]),
        enterprise(id="E2", region="330402", chains=["新能源汽车", "工业机床"]),
        enterprise(id="E3", region="330702", chains=[])]})


def ids(c, method, filt, **extra):
    p = {"filter": filt}
    p.update(extra)
    return [x["id"] for x in c.call(method, p)["items"]]


def test_filter_equality_on_school_id(client):
    seed_for_filters(client)
    assert ids(client, "specialty.list", {"school_id": "S1"}) == ["SP1", "SP2"]
    assert ids(client, "specialty.list", {"school_id": "S3"}) == ["SP4"]
    assert ids(client, "specialty.list", {"school_id": "S9"}) == []


def test_filter_prefix_on_region(client):
    seed_for_filters(client)
    assert ids(client, "school.list", {"region": "3307"}) == ["S1", "S2"]
    assert ids(client, "school.list", {"region": "33"}) == ["S1", "S2", "S3"]
    assert ids(client, "school.list", {"region": "330702"}) == ["S1"]
    assert ids(client, "enterprise.list", {"region": "3304"}) == ["E2"]


def test_filter_prefix_on_major_code(client):
    seed_for_filters(client)
    assert ids(client, "specialty.list", {"major_code": "6601"}) == ["SP1", "SP5"]
    assert ids(client, "specialty.list", {"major_code": "66"}) == ["SP1", "SP2", "SP5"]
    assert ids(client, "specialty.list", {"major_code": "46"}) == ["SP4"]
    assert ids(client, "specialty.list", {"major_code": "660103K"}) == ["SP5"]


def test_filter_containment_on_chains_and_skills(client):
    seed_for_filters(client)
    assert ids(client, "specialty.list", {"chains": "工业机床"}) == ["SP1", "SP3"]
    assert ids(client, "specialty.list", {"skills": "CNC"}) == ["SP1", "SP3", "SP5"]
    assert ids(client, "enterprise.list", {"chains": "工业机床"}) == ["E1", "E2"]
    assert ids(client, "enterprise.list", {"chains": "无此链"}) == []


def test_filter_equality_on_scalar_level(client):
    seed_for_filters(client)
    assert ids(client, "school.list", {"level": "technician"}) == ["S1", "S2"]


def test_multiple_filter_keys_all_apply(client):
    seed_for_filters(client)
    assert ids(client, "specialty.list", {"school_id": "S1", "chains": "新能源汽车"}) == ["SP2"]
    assert ids(client, "specialty.list", {"major_code": "66", "skills": "CNC"}) == ["SP1", "SP5"]


def test_filter_combined_with_paging(client):
    client.call("school.put", {"records": [
        school(id="S%03d" % i, region="330702" if i % 2 else "330402") for i in range(250)]})
    items, pages = page_all(client, "school.list", limit=40, filt={"region": "3307"})
    assert [x["id"] for x in items] == ["S%03d" % i for i in range(1, 250, 2)]
    assert pages == 4
    r = client.call("school.list", {"filter": {"region": "3307"}, "limit": 3, "after": "S100"})
    assert [x["id"] for x in r["items"]] == ["S101", "S103", "S105"]
    assert r["next"] == "S105"


def test_filter_on_posting_and_program_and_student_reference_fields(client):
    seed_for_filters(client)
    client.call("posting.put", {"records": [posting(id="P1", enterprise_id="E1"),
                                            posting(id="P2", enterprise_id="E2"),
                                            posting(id="P3", enterprise_id="E1", kind="internship")]})
    assert ids(client, "posting.list", {"enterprise_id": "E1"}) == ["P1", "P3"]
    assert ids(client, "posting.list", {"kind": "internship"}) == ["P3"]
    client.call("program.put", {"records": [program(id="G1", enterprise_id="E2"),
                                            program(id="G2", enterprise_id="E1")]})
    assert ids(client, "program.list", {"enterprise_id": "E1"}) == ["G2"]
    client.call("student.put", {"records": [student(id="T1", specialty_id="SP1", prefs=[]),
                                            student(id="T2", specialty_id="SP2", prefs=["G1"]),
                                            student(id="T3", specialty_id="SP1", grad_year=2027,
                                                    prefs=None)]})
    assert ids(client, "student.list", {"specialty_id": "SP1"}) == ["T1", "T3"]
    assert ids(client, "student.list", {"grad_year": 2027}) == ["T3"]
    assert ids(client, "student.list", {"prefs": "G1"}) == ["T2"]


def test_unknown_filter_key_is_invalid_params_naming_it(client):
    seed_for_filters(client)
    expect_error(client, "school.list", {"filter": {"nosuch": "x"}}, INVALID_PARAMS, "filter.nosuch")
    expect_error(client, "specialty.list", {"filter": {"school": "S1"}}, INVALID_PARAMS,
                 "filter.school")


def test_map_valued_filter_field_is_invalid_params(client):
    seed_for_filters(client)
    expect_error(client, "specialty.list", {"filter": {"cohorts": "2026"}}, INVALID_PARAMS,
                 "filter.cohorts")
    expect_error(client, "fair.list", {"filter": {"requests": "E1"}}, INVALID_PARAMS,
                 "filter.requests")


def test_filter_that_is_not_a_map_is_invalid_params(client):
    expect_error(client, "school.list", {"filter": ["region", "33"]}, INVALID_PARAMS, "filter")


def test_substring_filters_on_name_and_title(client):
    client.call("school.put", {"records": [
        school(id="S1", name="金华技师学院"), school(id="S2", name="嘉兴技师学院"),
        school(id="S3", name="浙江机电职业技术学院")]})
    client.call("enterprise.put", {"records": [enterprise(id="E1"), enterprise(id="E2")]})
    client.call("posting.put", {"records": [
        posting(id="P1", enterprise_id="E1", title="数控车工"),
        posting(id="P2", enterprise_id="E2", title="维修电工"),
        posting(id="P3", enterprise_id="E1", title="电工（高级）"),
        posting(id="P4", enterprise_id="E1", title="CNC operator")]})
    assert ids(client, "school.list", {"name~": "技师"}) == ["S1", "S2"]
    assert ids(client, "school.list", {"name~": "浙江机电职业技术学院"}) == ["S3"]
    assert ids(client, "posting.list", {"title~": "电工"}) == ["P2", "P3"]
    assert ids(client, "posting.list", {"title~": "电工", "enterprise_id": "E1"}) == ["P3"]
    # bytes: ASCII case matters, and a part of a character matches nothing
    assert ids(client, "posting.list", {"title~": "cnc"}) == []
    assert ids(client, "posting.list", {"title~": "CNC"}) == ["P4"]
    for kind, key, value in (("posting", "name~", "x"), ("school", "title~", "x"),
                             ("school", "region~", "33"), ("school", "name~", ""),
                             ("school", "name~", 5), ("school", "~", "x")):
        expect_error(client, kind + ".list", {"filter": {key: value}},
                     INVALID_PARAMS, "filter." + key)
