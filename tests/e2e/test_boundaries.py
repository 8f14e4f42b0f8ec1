"""Boundaries that the rest of the suite left unguarded.

Each test here was written against a mutant of the daemon that passed
every other test: the comparison, branch or weight it guards was changed
by one token, the daemon rebuilt, and the test seen to fail.  The mutant
each test kills is named in its docstring.

- fair.allocate keeps an arc whose score equals min_score (score >=
  min_score, not >);
- stats.balance by "direction" counts postings that accept any major;
- a delete is refused (1009) for each of the seven kinds of reference,
  and allowed once the referrer is gone;
- fair.schedule's three priorities, each deciding a case alone: most
  enterprises, then most wanted booth-sessions, then relevance;
- field() at the edges of its two renumbered ranges (groups 20/21,
  39/40/41, 59/60/61, 79/80), through match.candidates and
  match.openings against the brute-force oracle.
"""
import itertools

import pytest

from conftest import (CONFLICT, enterprise, expect_error, fair, posting,
                      program, school, specialty, student)
from oracle import World, diff_items, rkey

YEAR = 2026


def spec(id, code, avail, sid="S1"):
    return specialty(id=id, school_id=sid, major_code=code,
                     cohorts={str(YEAR): avail}, skills=[], chains=[])


def post(id, majors, hc, eid="E1", **kw):
    """A posting that scores 0.4·major + 0.5 + 0.1·capacity against a
    specialty of S1 (same county, no skills asked, no level, no chains)."""
    p = posting(id=id, enterprise_id=eid, majors=majors, headcount=hc,
                skills=[], **kw)
    p.pop("level", None)
    return p


def ent(id):
    return enterprise(id=id, region="330702", chains=[])


def session(id, booths, directions=None):
    s = {"id": id, "start": "2026-05-20T09:00", "end": "2026-05-20T12:00",
         "booths": booths}
    if directions is not None:
        s["directions"] = directions
    return s


def a_fair(enterprise_ids, directions, sessions=None, requests=None):
    return fair(id="F1", date="2026-05-20", school_ids=["S1"],
                enterprise_ids=enterprise_ids, directions=directions,
                sessions=sessions or [session("AM", 50)],
                requests=requests or {})


D1 = {"id": "D1", "name": "数控", "majors": ["460103"]}
D2 = {"id": "D2", "name": "机械", "majors": ["4601"]}
D3 = {"id": "D3", "name": "电子", "majors": ["51"]}


# ------------------------------------------------ fair.allocate: score >= min_score

def test_allocate_keeps_an_arc_whose_score_equals_min_score(client):
    """Mutant killed: matcher/fair.c fair_arcs `sc < in->min_score` ->
    `sc <= in->min_score` (an arc exactly at min_score dropped)."""
    c = client
    c.call("school.put", school(id="S1", level="higher", region="330702"))
    c.call("specialty.put", {"records": [spec("A", "460103", 10),
                                         spec("B", "460104", 5)]})
    c.call("enterprise.put", ent("E1"))
    c.call("posting.put", {"records": [post("P1", ["460103"], 8),
                                       post("P2", ["4601"], 10)]})
    c.call("fair.put", a_fair(["E1"], [D1, D2]))
    # The arcs and their exact scores, from the oracle: P1->D2 is
    # 0.4·0.6 + 0.5 + 0.1·5/8 = 0.7025, P2->D2 0.4 + 0.5 - 0.05 = 0.85.
    w = World()
    w.put("school", school(id="S1", level="higher", region="330702"))
    w.put("enterprise", ent("E1"))
    for s in (spec("A", "460103", 10), spec("B", "460104", 5)):
        w.put("specialty", s)
    for p in (post("P1", ["460103"], 8), post("P2", ["4601"], 10)):
        w.put("posting", p)
    want = {}
    for pid in ("P1", "P2"):
        for sid, did in (("A", "D1"), ("B", "D2")):
            sc, _ = w.score(w.post_view(pid), w.spec_view(sid, YEAR))
            want[(pid, did)] = max(want.get((pid, did), 0), sc)
    assert {k: rkey(v) for k, v in want.items()} == {
        ("P1", "D1"): 900000000, ("P1", "D2"): 702500000,
        ("P2", "D1"): 900000000, ("P2", "D2"): 850000000}

    every = c.call("fair.allocate", {"fair_id": "F1", "grad_year": YEAR,
                                     "explain": True})
    scores = {(a["posting_id"], a["direction_id"]): a["score"]
              for a in every["arcs"]}
    assert {k: rkey(v) for k, v in scores.items()} == \
        {k: rkey(v) for k, v in want.items()}
    # min_score set to each arc's own score, as the daemon reports it (the
    # same double): that arc and every higher one stay.
    for (pid, did), x in sorted(scores.items()):
        r = c.call("fair.allocate", {"fair_id": "F1", "grad_year": YEAR,
                                     "min_score": x, "explain": True})
        got = {(a["posting_id"], a["direction_id"]) for a in r["arcs"]}
        assert (pid, did) in got, (pid, did, x, r["arcs"])
        assert got == {k for k, v in scores.items() if rkey(v) >= rkey(x)}, x
    # 0.7025 written by hand is the same double as the score: every arc
    # stays, and all fifteen graduates are placed.
    r = c.call("fair.allocate", {"fair_id": "F1", "grad_year": YEAR,
                                 "min_score": 0.7025, "explain": True})
    assert ("P1", "D2") in {(a["posting_id"], a["direction_id"])
                            for a in r["arcs"]}
    assert r["placed"] == 15
    # 0.9 exactly: only the D1 arcs, and D1's ten graduates placed
    r = c.call("fair.allocate", {"fair_id": "F1", "grad_year": YEAR,
                                 "min_score": 0.9, "explain": True})
    assert sorted((a["posting_id"], a["direction_id"]) for a in r["arcs"]) == \
        [("P1", "D1"), ("P2", "D1")]
    assert r["placed"] == 10
    assert r["objective"] == pytest.approx(9.0)
    # one step of the 1e-9 grid above: the arc at 0.9 is gone
    r = c.call("fair.allocate", {"fair_id": "F1", "grad_year": YEAR,
                                 "min_score": 0.900000001, "explain": True})
    assert r["arcs"] == [] and r["placed"] == 0


# ------------------------------------------------ stats.balance by direction

def test_balance_direction_counts_a_posting_that_accepts_any_major(client):
    """Mutant killed: model/balance.c balance_post, BALANCE_DIRECTION:
    `n ? bits_meet(dg, g) : (dg[0] || dg[1])` -> `n ? bits_meet(dg, g) : 0`
    (postings with majors: [] skipped).

    One direction with graduates, so the posting's best arc and its only
    arc both go to D1: the demand is the same under either reading of
    "demand".  D3 has no graduates: no arc, no demand, and (supply and
    demand both 0) no row."""
    c = client
    c.call("school.put", school(id="S1", level="higher", region="330702"))
    c.call("specialty.put", {"records": [spec("A", "460103", 10),
                                         spec("C", "510201", 0)]})
    c.call("enterprise.put", ent("E1"))
    c.call("posting.put", {"records": [post("P1", ["460103"], 8),
                                       post("PANY", [], 7)]})
    c.call("fair.put", a_fair(["E1"], [D1, D3]))
    r = c.call("stats.balance", {"by": "direction", "fair_id": "F1",
                                 "grad_year": YEAR})
    assert [(x["key"], x["supply"], x["demand"]) for x in r["rows"]] == \
        [("D1", 10, pytest.approx(15))]
    assert r["rows"][0]["ratio"] == pytest.approx(1.5)
    # the same row as fair.allocate's
    a = c.call("fair.allocate", {"fair_id": "F1", "grad_year": YEAR})
    d1 = next(d for d in a["directions"] if d["direction_id"] == "D1")
    assert (d1["supply"], d1["demand"]) == (10, 15)
    # the any-major posting alone still makes the row
    c.call("posting.del", {"id": "P1"})
    r = c.call("stats.balance", {"by": "direction", "fair_id": "F1",
                                 "grad_year": YEAR})
    assert [(x["key"], x["supply"], x["demand"]) for x in r["rows"]] == \
        [("D1", 10, pytest.approx(7))]


# ------------------------------------------------ deletes with references (1009)

def refused(c, kind, id_, rec):
    """kind.del of id_ is 1009 and the record is stored unchanged."""
    expect_error(c, kind + ".del", {"id": id_}, CONFLICT)
    assert c.call(kind + ".get", {"id": id_}) == rec


def test_delete_school_with_specialties(client):
    """Mutant killed: store/store.c named_by skipping refs[0]
    (ref.specialty.school)."""
    c = client
    s = school()
    c.call("school.put", s)
    c.call("specialty.put", specialty())
    refused(c, "school", "S1", s)
    c.call("specialty.del", {"id": "SP1"})
    assert c.call("school.del", {"id": "S1"}) == {"deleted": 1}


def test_delete_enterprise_with_postings(client):
    """Mutant killed: named_by skipping refs[1] (ref.posting.enterprise)."""
    c = client
    e = enterprise()
    c.call("enterprise.put", e)
    c.call("posting.put", {"records": [posting(), posting(id="P2")]})
    refused(c, "enterprise", "E1", e)
    c.call("posting.del", {"id": "P1"})
    refused(c, "enterprise", "E1", e)          # P2 still names it
    c.call("posting.del", {"id": "P2"})
    assert c.call("enterprise.del", {"id": "E1"}) == {"deleted": 1}


def test_delete_enterprise_with_programs(client):
    """Mutant killed: named_by skipping refs[2] (ref.program.enterprise)."""
    c = client
    e = enterprise()
    c.call("enterprise.put", e)
    c.call("program.put", program())
    refused(c, "enterprise", "E1", e)
    c.call("program.del", {"id": "G1"})
    assert c.call("enterprise.del", {"id": "E1"}) == {"deleted": 1}


def test_delete_specialty_with_students(client):
    """Mutant killed: named_by skipping refs[3] (ref.student.specialty)."""
    c = client
    c.call("school.put", school())
    sp = specialty()
    c.call("specialty.put", sp)
    c.call("student.put", student(prefs=[]))
    refused(c, "specialty", "SP1", sp)
    c.call("student.del", {"id": "ST1"})
    assert c.call("specialty.del", {"id": "SP1"}) == {"deleted": 1}


def test_delete_program_in_a_students_prefs(client):
    """Mutant killed: named_by skipping refs[4] (ref.student.prefs)."""
    c = client
    c.call("school.put", school())
    c.call("specialty.put", specialty())
    c.call("enterprise.put", enterprise())
    g1, g2 = program(), program(id="G2")
    c.call("program.put", {"records": [g1, g2]})
    c.call("student.put", student(prefs=["G2", "G1"]))
    refused(c, "program", "G1", g1)
    refused(c, "program", "G2", g2)
    # the student drops G1 from its prefs (a put, not a delete)
    c.call("student.put", student(prefs=["G2"]))
    assert c.call("program.del", {"id": "G1"}) == {"deleted": 1}
    refused(c, "program", "G2", g2)
    c.call("student.del", {"id": "ST1"})
    assert c.call("program.del", {"id": "G2"}) == {"deleted": 1}


def test_delete_school_named_by_a_fair(client):
    """Mutant killed: named_by skipping refs[5] (ref.fair.schools)."""
    c = client
    s1, s2 = school(), school(id="S2")
    c.call("school.put", {"records": [s1, s2]})
    c.call("fair.put", fair(school_ids=["S1", "S2"], enterprise_ids=[],
                            requests=None))
    refused(c, "school", "S1", s1)
    refused(c, "school", "S2", s2)
    c.call("fair.put", fair(school_ids=["S2"], enterprise_ids=[],
                            requests=None))
    assert c.call("school.del", {"id": "S1"}) == {"deleted": 1}
    refused(c, "school", "S2", s2)
    c.call("fair.del", {"id": "F1"})
    assert c.call("school.del", {"id": "S2"}) == {"deleted": 1}


def test_delete_enterprise_named_by_a_fair(client):
    """Mutant killed: named_by skipping refs[6] (ref.fair.enterprises)."""
    c = client
    e1, e2 = enterprise(), enterprise(id="E2")
    c.call("enterprise.put", {"records": [e1, e2]})
    c.call("fair.put", fair(school_ids=[], enterprise_ids=["E1", "E2"],
                            requests=None))
    refused(c, "enterprise", "E1", e1)
    refused(c, "enterprise", "E2", e2)
    c.call("fair.put", fair(school_ids=[], enterprise_ids=["E2"],
                            requests=None))
    assert c.call("enterprise.del", {"id": "E1"}) == {"deleted": 1}
    refused(c, "enterprise", "E2", e2)
    c.call("fair.del", {"id": "F1"})
    assert c.call("enterprise.del", {"id": "E2"}) == {"deleted": 1}


# ------------------------------------------------ fair.schedule's priorities

@pytest.fixture
def sched(client):
    """S1 (higher, 330702): A 460103 (100) in D1, B 510201 (100) in D2.
    E1's and E2's postings score 0.9 toward the direction of their major
    and have no arc to the other (another field group)."""
    c = client
    c.call("school.put", school(id="S1", level="higher", region="330702"))
    c.call("specialty.put", {"records": [spec("A", "460103", 100),
                                         spec("B", "510201", 100)]})
    c.call("enterprise.put", {"records": [ent("E1"), ent("E2")]})
    return c


DA = {"id": "DA", "name": "数控", "majors": ["4601"]}
DB = {"id": "DB", "name": "电子", "majors": ["51"]}
DC = {"id": "DC", "name": "电气", "majors": ["4603"]}


def slots_of(r):
    return sorted((s["enterprise_id"], s["session_id"]) for s in r["slots"])


def test_schedule_most_enterprises_before_relevance(sched):
    """Priority 1 alone decides: two booth-sessions either way; E1 in both
    has relevance 9 + 9 = 18, E1 and E2 one each 9 + 0.9 = 9.9 — and the
    plan must give both enterprises a slot.
    Mutant killed: matcher/fair.c fair_schedule, the first-slot arc's
    cost -K -> 0 (enterprises no longer counted before relevance)."""
    c = sched
    c.call("posting.put", {"records": [post("P1", ["460103"], 10, "E1"),
                                       post("P2", ["460103"], 1, "E2")]})
    c.call("fair.put", a_fair(["E1", "E2"], [DA, DB],
                              [session("S1", 1), session("S2", 1)],
                              {"E1": 2, "E2": 1}))
    r = c.call("fair.schedule", {"fair_id": "F1"})
    assert {s["enterprise_id"] for s in r["slots"]} == {"E1", "E2"}
    assert len(r["slots"]) == 2
    assert r["score"] == pytest.approx(9.9)
    assert r["unscheduled"] == []
    if "short" in r:
        assert r["short"] == [{"enterprise_id": "E1", "wanted": 2, "got": 1}]


def test_schedule_most_slots_before_relevance(sched):
    """Priority 2 alone decides: both enterprises are placed either way.
    S1 (1 booth, DB) and S2 (2 booths, DA); E1 (DA, 1 position) wants 2,
    E2 (DB, 10 positions) wants 1.  Three slots only as E1 in S1 and S2,
    E2 in S2: relevance 0 + 0.9 + 0 = 0.9; two slots as E2 in S1, E1 in
    S2: 9 + 0.9 = 9.9.  The plan must fill three.
    Mutant killed: fair_schedule solving a least-cost flow of any value
    (a sink->source arc and flow_solve) instead of flow_max_min_cost, so
    relevance outweighs a further wanted slot."""
    c = sched
    c.call("posting.put", {"records": [post("P1", ["460103"], 1, "E1"),
                                       post("P2", ["510201"], 10, "E2")]})
    c.call("fair.put", a_fair(["E1", "E2"], [DA, DB],
                              [session("S1", 1, ["DB"]),
                               session("S2", 2, ["DA"])],
                              {"E1": 2, "E2": 1}))
    r = c.call("fair.schedule", {"fair_id": "F1"})
    assert slots_of(r) == [("E1", "S1"), ("E1", "S2"), ("E2", "S2")]
    assert r["score"] == pytest.approx(0.9)
    assert r["unscheduled"] == []
    if "short" in r:
        assert r["short"] == []


def test_schedule_relevance_decides_the_session(sched):
    """Priority 3 alone decides: each enterprise wants one slot and each
    session has one booth, so every plan places all three.  Relevance
    (positions x best arc score toward the session's directions):
    E1 (460103, 5): SA 4.5, SC 3.6 (460301 is 0.3 on major: 0.72);
    E2 (510201, 3): SB 2.7; E3 (460301, 4): SC 3.6, SA 2.88.  Best:
    E1-SA, E2-SB, E3-SC = 10.8 (E1-SC, E3-SA gives 9.18), whatever order
    the sessions are listed in.
    Mutant killed: fair_schedule's enterprise->session arc cost
    -relevance -> 0 (any perfect matching; wrong for most orders)."""
    c = sched
    c.call("specialty.put", spec("C", "460301", 100))
    c.call("enterprise.put", ent("E3"))
    c.call("posting.put", {"records": [post("P1", ["460103"], 5, "E1"),
                                       post("P2", ["510201"], 3, "E2"),
                                       post("P3", ["460301"], 4, "E3")]})
    feat = {"SA": "DA", "SB": "DB", "SC": "DC"}
    for order in itertools.permutations(sorted(feat)):
        c.call("fair.put", a_fair(["E1", "E2", "E3"], [DA, DB, DC],
                                  [session(s, 1, [feat[s]]) for s in order]))
        r = c.call("fair.schedule", {"fair_id": "F1"})
        assert slots_of(r) == [("E1", "SA"), ("E2", "SB"), ("E3", "SC")], order
        assert r["score"] == pytest.approx(4.5 + 2.7 + 3.6), order
        assert all(s["booth"] == 1 for s in r["slots"])


# ------------------------------------------------ field() at its boundaries

# Codes on both sides of each edge of the two renumbered ranges:
# 21..39 (+20) and 61..79 (-20); 20, 40, 41, 59, 60 stay.
EDGE_SPECS = {
    "bachelor": ["200101", "210101", "210201", "390101", "390201"],
    "higher": ["400101", "410101", "410201", "590101", "590201"],
    "secondary": ["600101", "610101", "610201", "790101", "790201"],
}
EDGE_PREFIXES = [
    "19", "20", "21", "39", "40", "41", "59", "60", "61", "79", "80",
    "2001", "2101", "2102", "3901", "3902", "4001", "4101", "4102", "5901",
    "5902", "6001", "6101", "6102", "7901", "7902", "8001",
    "210101", "390101", "410101", "590101", "610101", "790101", "400101",
]


@pytest.fixture
def edges(client):
    c = client
    w = World()
    schools = []
    for i, (lv, region) in enumerate((("bachelor", "330702"),
                                      ("higher", "330782"),
                                      ("secondary", "330402"))):
        schools.append(school(id="S%d" % i, level=lv, region=region))
    specs = []
    for i, lv in enumerate(("bachelor", "higher", "secondary")):
        for code in EDGE_SPECS[lv]:
            specs.append(specialty(id="%s-%s" % (code, lv[0]), school_id="S%d" % i,
                                   major_code=code, cohorts={str(YEAR): 30},
                                   skills=[], chains=[]))
    e = enterprise(id="E1", region="330702", chains=[])
    posts = [post("P%02d" % i, [p], 20) for i, p in enumerate(EDGE_PREFIXES)]
    c.call("school.put", {"records": schools})
    c.call("specialty.put", {"records": specs})
    c.call("enterprise.put", e)
    c.call("posting.put", {"records": posts})
    for s in schools:
        w.put("school", s)
    for s in specs:
        w.put("specialty", s)
    w.put("enterprise", e)
    for p in posts:
        w.put("posting", p)
    return c, w


def test_field_edges_through_candidates(edges):
    """Mutants killed (model/match.c match_field_group), each alone:
    `g >= 21` -> `g > 21` and -> `g >= 20`; `g <= 39` -> `g < 39` and
    -> `g <= 40`; `g >= 61` -> `g > 61` and -> `g >= 60`; `g <= 79` ->
    `g < 79`."""
    c, w = edges
    majors_seen = set()
    for pid in sorted(w.postings):
        want, considered = w.candidates(w.post_view(pid), YEAR, k=100)
        r = c.call("match.candidates", {"posting_id": pid, "k": 100,
                                        "grad_year": YEAR})
        msg = diff_items(r["items"], want, "specialty_id",
                         ("school_id", "major_code", "available"))
        assert msg is None, (pid, w.postings[pid]["majors"], msg)
        assert r["considered"] == considered, pid
        majors_seen |= {h["why"]["major"] for h in want}
        # the same through an ad-hoc query
        q = {"majors": w.postings[pid]["majors"]}
        want, considered = w.candidates(w.query_view(q), YEAR, k=100)
        r = c.call("match.candidates", {"query": q, "k": 100, "grad_year": YEAR})
        assert diff_items(r["items"], want, "specialty_id", ()) is None, q
        assert r["considered"] == considered, q
    assert majors_seen == {1.0, 0.6, 0.3}


def test_field_edges_by_hand(edges):
    """The cases the mutants turn, spelled out (the oracle is a second
    reading of the same rule): 390101 is in 59's field and not in 39's
    class 3901 by field; 400101 and 600101 stay where they are."""
    c, _ = edges

    def majors(prefix):
        r = c.call("match.candidates", {"query": {"majors": [prefix]},
                                        "k": 100, "grad_year": YEAR})
        return {h["specialty_id"]: h["why"]["major"] for h in r["items"]}

    assert majors("59") == {"590101-h": 1.0, "590201-h": 1.0,
                            "390101-b": 0.6, "390201-b": 0.6,
                            "790101-s": 0.6, "790201-s": 0.6}
    assert majors("5901") == {"590101-h": 1.0, "390101-b": 0.6,
                              "790101-s": 0.6, "590201-h": 0.3,
                              "390201-b": 0.3, "790201-s": 0.3}
    assert majors("41") == {"410101-h": 1.0, "410201-h": 1.0,
                            "210101-b": 0.6, "210201-b": 0.6,
                            "610101-s": 0.6, "610201-s": 0.6}
    assert majors("40") == {"400101-h": 1.0}
    assert majors("20") == {"200101-b": 1.0}
    assert majors("60") == {"600101-s": 1.0}
    assert majors("80") == {}
    assert majors("19") == {}
    # and from the specialty's side
    r = c.call("match.openings", {"specialty_id": "390101-b", "k": 100,
                                  "grad_year": YEAR})
    got = {h["posting_id"]: h["why"]["major"] for h in r["items"]}
    by_prefix = {EDGE_PREFIXES[int(p[1:])]: m for p, m in got.items()}
    assert by_prefix == {"39": 1.0, "3901": 1.0, "390101": 1.0,
                         "59": 0.6, "79": 0.6, "5901": 0.6, "7901": 0.6,
                         "590101": 0.6, "790101": 0.6,
                         "3902": 0.3, "5902": 0.3, "7902": 0.3}


def test_field_edges_through_openings(edges):
    """match.openings of every edge specialty against the oracle (same
    mutants as above)."""
    c, w = edges
    for sid in sorted(w.specialties):
        want, considered = w.openings(sid, YEAR, k=100)
        r = c.call("match.openings", {"specialty_id": sid, "k": 100,
                                      "grad_year": YEAR})
        msg = diff_items(r["items"], want, "posting_id",
                         ("enterprise_id", "headcount"))
        assert msg is None, (sid, msg)
        assert r["considered"] == considered, sid
