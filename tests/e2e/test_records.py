"""The seven record kinds: put (single and batch), get, del, validation."""
import pytest

from conftest import (CONFLICT, INVALID_PARAMS, KINDS, NOT_FOUND, PLURAL,
                      PUT_ORDER, TOO_LARGE, enterprise, expect_error, fair,
                      posting, program, put_all_samples, sample, school,
                      specialty, student)


def setup_refs(c, kind):
    """Store what a sample of `kind` references."""
    for k in PUT_ORDER:
        if k == kind:
            return
        c.call(k + ".put", sample(k))


def variants(kind, n):
    """n valid records of kind with distinct ids (same references)."""
    out = []
    for i in range(n):
        r = sample(kind, id="%s-%03d" % (sample(kind)["id"], i))
        out.append(r)
    return out


# ------------------------------------------------------------ CRUD per kind

@pytest.mark.parametrize("kind", KINDS)
def test_put_get_del_single_record_roundtrip(client, kind):
    setup_refs(client, kind)
    rec = sample(kind)
    assert client.call(kind + ".put", rec) == {"written": 1}
    assert client.call(kind + ".get", {"id": rec["id"]}) == rec
    assert client.call("system.info")["counts"][PLURAL[kind]] == 1
    assert client.call(kind + ".del", {"id": rec["id"]}) == {"deleted": 1}
    expect_error(client, kind + ".get", {"id": rec["id"]}, NOT_FOUND)
    assert client.call("system.info")["counts"][PLURAL[kind]] == 0


@pytest.mark.parametrize("kind", KINDS)
def test_batch_put_writes_all_records(client, kind):
    setup_refs(client, kind)
    recs = variants(kind, 20)
    assert client.call(kind + ".put", {"records": recs}) == {"written": 20}
    for r in recs:
        assert client.call(kind + ".get", {"id": r["id"]}) == r
    assert client.call("system.info")["counts"][PLURAL[kind]] == 20


@pytest.mark.parametrize("kind", KINDS)
def test_get_of_ids_answers_in_the_order_asked_with_nil_for_missing(client, kind):
    setup_refs(client, kind)
    recs = variants(kind, 5)
    client.call(kind + ".put", {"records": recs})
    want = [recs[3]["id"], "missing", recs[0]["id"], recs[3]["id"]]
    assert client.call(kind + ".get", {"ids": want}) == {
        "items": [recs[3], None, recs[0], recs[3]]}
    for bad, field in (([], "ids"), ("x", "ids"), ([5], "ids[0]"),
                       (["ok", "x" * 65], "ids[1]"),
                       (["a"] * 1001, "ids")):
        expect_error(client, kind + ".get", {"ids": bad}, INVALID_PARAMS, field)
    expect_error(client, kind + ".get", {"id": "a", "ids": ["a"]},
                 INVALID_PARAMS, "ids")


@pytest.mark.parametrize("kind", KINDS)
def test_get_and_del_of_missing_id_is_not_found(client, kind):
    expect_error(client, kind + ".get", {"id": "missing"}, NOT_FOUND)
    expect_error(client, kind + ".del", {"id": "missing"}, NOT_FOUND)


@pytest.mark.parametrize("kind", KINDS)
def test_get_without_id_is_invalid_params_on_id(client, kind):
    expect_error(client, kind + ".get", {}, INVALID_PARAMS, "id")
    expect_error(client, kind + ".get", {"id": 5}, INVALID_PARAMS, "id")
    expect_error(client, kind + ".del", {}, INVALID_PARAMS, "id")


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_record_key_is_rejected_naming_it(client, kind):
    setup_refs(client, kind)
    rec = sample(kind, nmae="typo")
    expect_error(client, kind + ".put", rec, INVALID_PARAMS, "nmae")
    expect_error(client, kind + ".get", {"id": rec["id"]}, NOT_FOUND)


@pytest.mark.parametrize("kind", KINDS)
def test_missing_required_field_is_invalid_params(client, kind):
    setup_refs(client, kind)
    rec = sample(kind)
    del rec["id"]
    expect_error(client, kind + ".put", rec, INVALID_PARAMS, "id")


def test_put_wholly_replaces_the_record(client):
    setup_refs(client, "specialty")
    client.call("specialty.put", specialty())
    new = specialty(name="数控技术", cohorts={"2028": 10})
    del new["skills"]
    del new["chains"]
    client.call("specialty.put", new)
    assert client.call("specialty.get", {"id": "SP1"}) == new
    assert client.call("system.info")["counts"]["specialties"] == 1


def test_nil_optional_field_is_dropped_when_stored(client):
    setup_refs(client, "posting")
    rec = posting(region=None, salary=None, skills=None)
    client.call("posting.put", rec)
    got = client.call("posting.get", {"id": "P1"})
    expect = posting()
    del expect["salary"]
    assert got == expect
    assert "region" not in got and "skills" not in got


@pytest.mark.parametrize("kind,field", [
    ("school", "name"), ("specialty", "cohorts"), ("enterprise", "region"),
    ("posting", "headcount"), ("fair", "sessions"), ("program", "mentors"),
    ("student", "grad_year")])
def test_nil_required_field_is_invalid_params_naming_it(client, kind, field):
    setup_refs(client, kind)
    expect_error(client, kind + ".put", sample(kind, **{field: None}), INVALID_PARAMS, field)


def test_optional_fields_may_be_omitted(client):
    client.call("school.put", school())
    client.call("enterprise.put", {"id": "E1", "name": "x", "region": "330784"})
    client.call("specialty.put", {"id": "SP1", "school_id": "S1", "major_code": "660103",
                                  "name": "n", "cohorts": {}})
    client.call("posting.put", {"id": "P1", "enterprise_id": "E1", "title": "t",
                                "kind": "internship", "headcount": 0, "majors": []})
    client.call("fair.put", {"id": "F1", "name": "f", "date": "2026-05-20",
                             "school_ids": [], "enterprise_ids": [],
                             "directions": [], "sessions": []})
    client.call("program.put", {"id": "G1", "enterprise_id": "E1", "title": "t",
                                "majors": [], "mentors": 1, "per_mentor": 1})
    client.call("student.put", {"id": "ST1", "specialty_id": "SP1", "grad_year": 2026})
    assert client.call("student.get", {"id": "ST1"}) == {
        "id": "ST1", "specialty_id": "SP1", "grad_year": 2026}


# ------------------------------------------------------------ batches

def test_batch_with_one_bad_record_writes_nothing(client):
    client.call("school.put", school(id="KEEP"))
    recs = [school(id="B%03d" % i) for i in range(100)]
    recs[57]["level"] = "college"
    expect_error(client, "school.put", {"records": recs}, INVALID_PARAMS, "records[57].level")
    assert client.call("system.info")["counts"]["schools"] == 1
    for r in recs:
        expect_error(client, "school.get", {"id": r["id"]}, NOT_FOUND)
    assert client.call("school.list", {})["items"] == [school(id="KEEP")]


def test_batch_with_one_missing_reference_writes_nothing(client):
    client.call("school.put", school())
    recs = [specialty(id="SP%03d" % i) for i in range(100)]
    recs[57]["school_id"] = "NOPE"
    expect_error(client, "specialty.put", {"records": recs}, NOT_FOUND, "records[57].school_id")
    assert client.call("system.info")["counts"]["specialties"] == 0
    for r in recs[::7]:
        expect_error(client, "specialty.get", {"id": r["id"]}, NOT_FOUND)


def test_batch_does_not_partially_replace_existing_records(client):
    client.call("school.put", {"records": [school(id="A"), school(id="B")]})
    bad = [school(id="A", name="changed"), school(id="B", region="bad")]
    expect_error(client, "school.put", {"records": bad}, INVALID_PARAMS, "records[1].region")
    assert client.call("school.get", {"id": "A"}) == school(id="A")


def test_batch_holding_one_id_twice_is_invalid_params(client):
    err = expect_error(client, "school.put",
                       {"records": [school(id="A"), school(id="X"), school(id="A")]},
                       INVALID_PARAMS)
    assert err.field is not None and err.field.startswith("records"), err.field
    expect_error(client, "school.get", {"id": "A"}, NOT_FOUND)
    expect_error(client, "school.get", {"id": "X"}, NOT_FOUND)


@pytest.mark.parametrize("ids,later", [
    (["A", "X", "A"], 2),                  # out of order
    (["A", "B", "B"], 2),                  # in order, the last repeats
    (["B", "A", "B"], 2),
    (["A", "A"], 1),
    (["P1", "P10", "P100", "P2", "P1"], 4),
    (["P%04d" % i for i in range(500)] + ["P0250"], 500),
    (["P%04d" % i for i in range(251)] + ["P0250"] +
     ["P%04d" % i for i in range(251, 500)], 251),
])
def test_batch_repeating_an_id_names_the_later_record(client, ids, later):
    err = expect_error(client, "school.put",
                       {"records": [school(id=i) for i in ids]},
                       INVALID_PARAMS, "records[%d].id" % later)
    assert err.message == ("records[%d].id repeats an id earlier in the batch"
                           % later), err.message
    expect_error(client, "school.get", {"id": ids[0]}, NOT_FOUND)


@pytest.mark.parametrize("ids", [
    ["P1", "P10", "P100", "P2"],           # in byte order, prefixes of each other
    ["P2", "P100", "P10", "P1"],
    ["P%04d" % i for i in range(500)],
])
def test_batch_of_distinct_ids_in_any_order_is_written(client, ids):
    client.call("school.put", {"records": [school(id=i) for i in ids]})
    for i in ids:
        assert client.call("school.get", {"id": i})["id"] == i


def test_empty_batch_is_invalid_params_on_records(client):
    expect_error(client, "school.put", {"records": []}, INVALID_PARAMS, "records")


def test_batch_records_not_an_array_is_invalid_params(client):
    expect_error(client, "school.put", {"records": school()}, INVALID_PARAMS, "records")
    expect_error(client, "school.put", {"records": [5]}, INVALID_PARAMS, "records[0]")


def test_batch_errors_use_nested_paths(client):
    client.call("school.put", school())
    client.call("enterprise.put", enterprise())
    f = fair(id="F2")
    f["sessions"][0]["booths"] = -1
    expect_error(client, "fair.put", {"records": [fair(), f]}, INVALID_PARAMS,
                 "records[1].sessions[0].booths")
    sp = specialty(id="SP2", cohorts={"2026": 1, "2027": -5})
    expect_error(client, "specialty.put", {"records": [specialty(), sp]}, INVALID_PARAMS,
                 "records[1].cohorts.2027")


def test_batch_of_max_batch_records_is_accepted_and_one_more_is_too_large(daemon_factory):
    d = daemon_factory(config="[server]\nmax_batch = 5\n")
    c = d.connect()
    assert c.call("school.put", {"records": [school(id="S%d" % i) for i in range(5)]}) == {"written": 5}
    expect_error(c, "school.put", {"records": [school(id="T%d" % i) for i in range(6)]}, TOO_LARGE)
    # connection kept, nothing written
    assert c.call("system.info")["counts"]["schools"] == 5
    expect_error(c, "school.get", {"id": "T0"}, NOT_FOUND)


def test_default_max_batch_accepts_ten_thousand_and_rejects_more(client):
    recs = [school(id="S%05d" % i) for i in range(10001)]
    expect_error(client, "school.put", {"records": recs}, TOO_LARGE)
    assert client.call("system.info")["counts"]["schools"] == 0
    assert client.call("school.put", {"records": recs[:10000]}, timeout=60) == {"written": 10000}
    assert client.call("system.info")["counts"]["schools"] == 10000


# ------------------------------------------------------------ field rules

BAD_VALUES = [
    # (kind, overrides, expected field)
    ("school", {"id": ""}, "id"),
    ("school", {"id": "x" * 65}, "id"),
    ("school", {"id": "a\x00b"}, "id"),
    ("school", {"name": ""}, "name"),
    ("school", {"name": "x" * 513}, "name"),
    ("school", {"level": "college"}, "level"),
    ("school", {"region": "3307"}, "region"),
    ("school", {"region": "33070a"}, "region"),
    ("specialty", {"school_id": "S\x001"}, "school_id"),
    ("specialty", {"major_code": "66010"}, "major_code"),
    ("specialty", {"major_code": "660103X"}, "major_code"),
    ("specialty", {"major_code": "460103"}, "major_code"),   # higher code at technician school
    ("specialty", {"cohorts": {"2026": -1}}, "cohorts.2026"),
    ("specialty", {"cohorts": {"2026": 1000000001}}, "cohorts.2026"),
    ("specialty", {"cohorts": {"2026": 1.5}}, "cohorts.2026"),
    ("specialty", {"skills": ["t%d" % i for i in range(201)]}, "skills"),
    ("specialty", {"chains": ["ok", 5]}, "chains[1]"),
    ("enterprise", {"size": -1}, "size"),
    ("enterprise", {"size": 1000000001}, "size"),
    ("enterprise", {"industry": "36"}, "industry"),
    ("posting", {"kind": "fulltime"}, "kind"),
    ("posting", {"headcount": -1}, "headcount"),
    ("posting", {"headcount": 2 ** 64 - 1}, "headcount"),
    ("posting", {"headcount": 5.0}, "headcount"),
    ("posting", {"majors": ["466"]}, "majors[0]"),
    ("posting", {"majors": ["46", "4601x"]}, "majors[1]"),
    ("posting", {"start": "2026-02-30"}, "start"),
    ("posting", {"start": "2023-02-29", "until": "2023-12-31"}, "start"),
    ("posting", {"until": "2026-13-01"}, "until"),
    ("posting", {"until": "2026-05-31"}, "until"),           # before start
    ("posting", {"salary": [8000, 5000]}, "salary[1]"),
    ("posting", {"salary": [-1, 5000]}, "salary[0]"),
    ("posting", {"level": "phd"}, "level"),
    ("fair", {"date": "2026-5-20"}, "date"),
    ("fair", {"school_ids": ["S1", "S1"]}, "school_ids[1]"),
    ("fair", {"enterprise_ids": ["E1", "E1"], "requests": {}}, "enterprise_ids[1]"),
    ("fair", {"directions": [{"id": "D1", "name": "a", "majors": ["6601"]},
                             {"id": "D1", "name": "b", "majors": []}]}, "directions[1].id"),
    ("fair", {"directions": [{"id": "D1", "name": "a", "majors": ["661"]}]}, "directions[0].majors[0]"),
    ("fair", {"sessions": [{"id": "AM", "start": "2026-05-20T09:00", "end": "2026-05-20T24:00",
                            "booths": 5}]}, "sessions[0].end"),
    ("fair", {"sessions": [{"id": "AM", "start": "2026-05-20T12:00", "end": "2026-05-20T09:00",
                            "booths": 5}]}, "sessions[0].end"),
    ("fair", {"sessions": [{"id": "AM", "start": "2026-05-20T09:00", "end": "2026-05-20T10:00",
                            "booths": 5, "directions": ["D9"]}]}, "sessions[0].directions[0]"),
    ("fair", {"sessions": [{"id": "AM", "start": "2026-05-20T09:00", "end": "2026-05-20T10:00",
                            "booths": 5},
                           {"id": "AM", "start": "2026-05-20T13:00", "end": "2026-05-20T14:00",
                            "booths": 5}]}, "sessions[1].id"),
    ("fair", {"sessions": [{"id": "AM", "start": "2026-05-20T09:00", "end": "2026-05-20T10:00",
                            "booths": 5, "extra": 1}]}, "sessions[0].extra"),
    ("fair", {"sessions": [{"id": "AM", "start": "2026-05-20T09:00", "end": "2026-05-20T10:00",
                            "booths": 5, "directions": ["D1", "D1"]}]}, "sessions[0].directions[1]"),
    ("fair", {"requests": {"E9": 1}}, "requests.E9"),
    ("fair", {"requests": {"E1": -1}}, "requests.E1"),
    ("program", {"mentors": 0}, "mentors"),
    ("program", {"per_mentor": 0}, "per_mentor"),
    ("program", {"majors": ["6"]}, "majors[0]"),
    ("student", {"grade": 100.5}, "grade"),
    ("student", {"grade": -1}, "grade"),
    ("student", {"grade": float("nan")}, "grade"),
    ("student", {"grad_year": 26}, "grad_year"),
    ("student", {"grad_year": "2026"}, "grad_year"),
    ("student", {"prefs": ["G1", "G1"]}, "prefs[1]"),
]


@pytest.mark.parametrize("kind,over,field", BAD_VALUES,
                         ids=["%s-%d-%s" % (k, i, f) for i, (k, _, f) in enumerate(BAD_VALUES)])
def test_out_of_range_or_malformed_value_is_invalid_params_naming_it(client, kind, over, field):
    setup_refs(client, kind)
    expect_error(client, kind + ".put", sample(kind, **over), INVALID_PARAMS, field)
    # nothing was stored under the sample's id
    expect_error(client, kind + ".get", {"id": sample(kind)["id"]}, NOT_FOUND)


GOOD_VALUES = [
    ("school", {"id": "x" * 64}),
    ("school", {"name": "技" * 170}),          # 510 bytes
    ("school", {"level": "secondary"}),
    ("specialty", {"major_code": "760101"}),
    ("specialty", {"major_code": "660103K"}),
    ("specialty", {"major_code": "699999"}),  # not in catalog but well-formed
    ("specialty", {"cohorts": {"2026": 0, "2027": 1000000000}}),
    ("specialty", {"skills": ["t%d" % i for i in range(200)]}),
    ("specialty", {"direction": "智能制造"}),
    ("enterprise", {"industry": "C"}),
    ("enterprise", {"industry": "C3411"}),
    ("enterprise", {"size": 0}),
    ("posting", {"majors": []}),
    ("posting", {"majors": ["46", "4601", "460103", "6601"]}),
    ("posting", {"start": "2028-02-29", "until": "2028-02-29"}),
    ("posting", {"kind": "order_class", "region": "330100", "skills": ["焊接"]}),
    ("posting", {"headcount": 1000000000}),
    ("posting", {"salary": [5000, 5000]}),
    ("fair", {"region": "330700"}),
    ("fair", {"requests": None}),
    ("fair", {"sessions": [{"id": "AM", "start": "2026-05-20T00:00", "end": "2026-05-20T23:59",
                            "booths": 0}]}),
    ("program", {"region": "330700", "level": "higher"}),
    ("student", {"grade": 100}),
    ("student", {"grade": 0}),
    ("student", {"grade": 59.25}),
    ("student", {"prefs": []}),
]


@pytest.mark.parametrize("kind,over", GOOD_VALUES,
                         ids=["%s-%d-%s" % (k, i, ",".join(o)) for i, (k, o) in enumerate(GOOD_VALUES)])
def test_boundary_values_are_accepted_and_stored_exactly(client, kind, over):
    setup_refs(client, kind)
    rec = sample(kind, **over)
    assert client.call(kind + ".put", rec) == {"written": 1}
    expect = {k: v for k, v in rec.items() if v is not None}
    assert client.call(kind + ".get", {"id": rec["id"]}) == expect


def test_specialty_major_code_must_agree_with_school_level(client):
    client.call("school.put", {"records": [
        school(id="SEC", level="secondary"), school(id="TEC", level="technician"),
        school(id="HIG", level="higher"), school(id="BAC", level="bachelor")]})
    ok = {"SEC": ["660103", "710201"], "TEC": ["660103", "760101"],
          "HIG": ["460103", "520101K"], "BAC": ["260101", "310201"]}
    bad = {"SEC": "460103", "TEC": "260101", "HIG": "660103", "BAC": "460103"}
    n = 0
    for sid, codes in ok.items():
        for code in codes:
            n += 1
            client.call("specialty.put", specialty(id="X%d" % n, school_id=sid, major_code=code))
    for sid, code in bad.items():
        expect_error(client, "specialty.put",
                     specialty(id="BAD" + sid, school_id=sid, major_code=code),
                     INVALID_PARAMS, "major_code")
    expect_error(client, "specialty.put",
                 {"records": [specialty(id="Y1", school_id="HIG", major_code="460103"),
                              specialty(id="Y2", school_id="HIG", major_code="660103")]},
                 INVALID_PARAMS, "records[1].major_code")


def test_invalid_utf8_field_value_is_invalid_params_naming_it(client):
    # msgpack str with bytes ff fe: build by replacing a placeholder
    import msgpack
    req = msgpack.packb([0, 77, "school.put", [school(name="ZZZZ")]], use_bin_type=True)
    req = req.replace(b"\xa4ZZZZ", b"\xa4\xff\xfe\xfd\xfc")
    client.send_raw(req)
    resp = client.recv_response()
    assert resp[1] == 77
    assert resp[2]["code"] == INVALID_PARAMS
    assert resp[2]["data"]["field"] == "name"
    assert client.call("system.ping") == "pong"


@pytest.mark.parametrize("cohorts", [{"26": 1}, {"20266": 1}, {"year": 1}, {"": 1}],
                         ids=["two_digits", "five_digits", "word", "empty"])
def test_cohort_keys_must_be_four_digit_years(client, cohorts):
    client.call("school.put", school())
    err = expect_error(client, "specialty.put", specialty(cohorts=cohorts), INVALID_PARAMS)
    assert err.field is not None and err.field.startswith("cohorts"), err.field
    expect_error(client, "specialty.get", {"id": "SP1"}, NOT_FOUND)


def test_binary_instead_of_string_is_invalid_params(client):
    expect_error(client, "school.put", school(id=b"S1"), INVALID_PARAMS, "id")
    expect_error(client, "school.put", school(name=b"abc"), INVALID_PARAMS, "name")


# ------------------------------------------------------------ references (1004)

def test_put_naming_missing_references_is_not_found_naming_the_reference(client):
    expect_error(client, "specialty.put", specialty(), NOT_FOUND, "school_id")
    expect_error(client, "posting.put", posting(), NOT_FOUND, "enterprise_id")
    expect_error(client, "program.put", program(), NOT_FOUND, "enterprise_id")
    expect_error(client, "fair.put", fair(), NOT_FOUND, "school_ids[0]")
    client.call("school.put", school())
    expect_error(client, "fair.put", fair(), NOT_FOUND, "enterprise_ids[0]")
    client.call("enterprise.put", enterprise())
    expect_error(client, "fair.put", fair(school_ids=["S1", "S2"]), NOT_FOUND, "school_ids[1]")
    expect_error(client, "student.put", student(), NOT_FOUND, "specialty_id")
    client.call("specialty.put", specialty())
    expect_error(client, "student.put", student(), NOT_FOUND, "prefs[0]")
    client.call("program.put", program())
    expect_error(client, "student.put", student(prefs=["G1", "G2"]), NOT_FOUND, "prefs[1]")
    assert client.call("student.put", student()) == {"written": 1}
    c = client.call("system.info")["counts"]
    assert c["students"] == 1 and c["fairs"] == 0 and c["postings"] == 0


def test_batch_reference_error_in_an_id_array_names_index_and_item(client):
    client.call("school.put", school())
    client.call("enterprise.put", enterprise())
    recs = [fair(id="F1"), fair(id="F2", school_ids=["S1", "S7"])]
    expect_error(client, "fair.put", {"records": recs}, NOT_FOUND, "records[1].school_ids[1]")
    expect_error(client, "fair.get", {"id": "F1"}, NOT_FOUND)


def test_batch_reference_error_names_the_record_index(client):
    client.call("school.put", school())
    recs = [specialty(id="A"), specialty(id="B"), specialty(id="C", school_id="S9")]
    expect_error(client, "specialty.put", {"records": recs}, NOT_FOUND, "records[2].school_id")


# ------------------------------------------------------------ conflicts (1009)

def test_deleting_school_with_specialties_conflicts(client):
    client.call("school.put", school())
    client.call("specialty.put", specialty())
    expect_error(client, "school.del", {"id": "S1"}, CONFLICT)
    assert client.call("school.get", {"id": "S1"}) == school()
    client.call("specialty.del", {"id": "SP1"})
    assert client.call("school.del", {"id": "S1"}) == {"deleted": 1}


def test_deleting_enterprise_with_postings_or_programs_conflicts(client):
    client.call("enterprise.put", enterprise())
    client.call("posting.put", posting())
    expect_error(client, "enterprise.del", {"id": "E1"}, CONFLICT)
    client.call("posting.del", {"id": "P1"})
    client.call("program.put", program())
    expect_error(client, "enterprise.del", {"id": "E1"}, CONFLICT)
    client.call("program.del", {"id": "G1"})
    assert client.call("enterprise.del", {"id": "E1"}) == {"deleted": 1}


def test_deleting_school_or_enterprise_named_by_a_fair_conflicts(client):
    client.call("school.put", school())
    client.call("enterprise.put", enterprise())
    client.call("fair.put", fair())
    expect_error(client, "school.del", {"id": "S1"}, CONFLICT)
    expect_error(client, "enterprise.del", {"id": "E1"}, CONFLICT)
    client.call("fair.put", fair(school_ids=[], enterprise_ids=[], requests=None))
    assert client.call("school.del", {"id": "S1"}) == {"deleted": 1}
    assert client.call("enterprise.del", {"id": "E1"}) == {"deleted": 1}


def test_deleting_specialty_with_students_conflicts(client):
    put_all_samples(client)
    expect_error(client, "specialty.del", {"id": "SP1"}, CONFLICT)
    client.call("student.del", {"id": "ST1"})
    assert client.call("specialty.del", {"id": "SP1"}) == {"deleted": 1}


def test_deleting_program_in_a_students_prefs_conflicts(client):
    put_all_samples(client)
    expect_error(client, "program.del", {"id": "G1"}, CONFLICT)
    client.call("student.put", student(prefs=[]))
    assert client.call("program.del", {"id": "G1"}) == {"deleted": 1}


def test_school_level_change_that_breaks_specialty_codes_conflicts(client):
    client.call("school.put", school())
    client.call("specialty.put", specialty())
    expect_error(client, "school.put", school(level="higher"), CONFLICT)
    assert client.call("school.get", {"id": "S1"})["level"] == "technician"
    # technician -> secondary keeps 6xxxxx codes valid
    assert client.call("school.put", school(level="secondary")) == {"written": 1}
    client.call("specialty.del", {"id": "SP1"})
    assert client.call("school.put", school(level="bachelor")) == {"written": 1}
