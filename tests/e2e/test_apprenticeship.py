"""apprenticeship.match against docs/protocol.md "apprenticeship.match"
and the scoring model of docs/matching.md.

  1. a hand-computed store, every list and round written out; empty
     scopes; unknown program_ids and the program_ids x region_prefix scope;
  2. random stores (ties in score and grade, missing grades, prefs that
     name out-of-scope or unfit programs, empty and absent prefs, programs
     that fill at once, students with no fitting program) under the
     program_ids, region_prefix and grad_year scopes: the lists are
     recomputed from the records (oracle.apprenticeship_instance) and must
     equal explain's; the matching is recomputed by a one-proposal-at-a-time
     deferred acceptance (oracle.da_queue: the student-optimal stable
     matching is unique, so it must be the daemon's), the rounds by a
     round-synchronous one (oracle.da_rounds), the reasons from the lists,
     and stability by checking every (student, program) pair; again
     after updates and deletes of every record the lists depend on;
  3. self-tests: the checker rejects a matching made without grades, and
     other deliberately wrong answers.
"""
import random

import pytest

from conftest import INVALID_PARAMS, NOT_FOUND, expect_error
from oracle import (World, apprenticeship_instance, blocking_pairs, da_queue,
                    da_rounds, grade_key, unmatched_reasons)

RESULT_KEYS = {"assignments", "unmatched", "blocking_pairs", "rounds", "solve_ms"}
EXPLAIN_KEYS = {"student_prefs", "program_ranks", "capacity"}


def bkey(x):
    return x.encode()


# ------------------------------------------------------------ the checker

def expected(inst):
    """(match, rounds, reasons) recomputed from the lists."""
    match = da_queue(inst["prefs"], inst["ranks"], inst["capacity"])
    match2, rounds = da_rounds(inst["prefs"], inst["ranks"], inst["capacity"])
    assert match == match2          # two formulations of one algorithm
    return match, rounds, unmatched_reasons(inst["prefs"], match)


def check_answer(r, inst, explain=False):
    """Raise AssertionError unless r is the answer docs/protocol.md asks
    for on the instance (lists as oracle.apprenticeship_instance makes)."""
    keys = RESULT_KEYS | (EXPLAIN_KEYS if explain else set())
    assert set(r) == keys, sorted(r)
    studs = inst["students"]
    got = {}
    for a in r["assignments"]:
        assert set(a) == {"student_id", "program_id"}, a
        assert a["student_id"] not in got, "student assigned twice: %r" % (a,)
        got[a["student_id"]] = a["program_id"]
    reasons = {}
    for u in r["unmatched"]:
        assert set(u) == {"student_id", "reason"}, u
        assert u["student_id"] not in reasons and u["student_id"] not in got, u
        reasons[u["student_id"]] = u["reason"]
    ids = [a["student_id"] for a in r["assignments"]]
    assert ids == sorted(ids, key=bkey), "assignments not by student id"
    ids = [u["student_id"] for u in r["unmatched"]]
    assert ids == sorted(ids, key=bkey), "unmatched not by student id"
    assert set(got) | set(reasons) == set(studs), (
        "students differ: extra %r missing %r" % (
            sorted(set(got) | set(reasons) - set(studs))[:5],
            sorted(set(studs) - set(got) - set(reasons))[:5]))
    if explain:
        assert r["student_prefs"] == inst["prefs"], "student_prefs differ"
        assert r["program_ranks"] == inst["ranks"], "program_ranks differ"
        assert r["capacity"] == inst["capacity"], "capacity differs"
    match = {s: got.get(s) for s in studs}
    # feasible: each on its own list, no program over capacity
    load = {}
    for s, g in got.items():
        assert g in inst["prefs"][s], "%s given %s, not on its list %r" % (
            s, g, inst["prefs"][s])
        load[g] = load.get(g, 0) + 1
    for g, n in load.items():
        assert n <= inst["capacity"][g], "%s holds %d > capacity %d" % (
            g, n, inst["capacity"][g])
    bp = blocking_pairs(inst["prefs"], inst["ranks"], inst["capacity"], match)
    assert not bp, "blocking pairs: %r" % (bp[:5],)
    assert r["blocking_pairs"] == 0
    want, rounds, want_reasons = expected(inst)
    diff = [(s, match[s], want[s]) for s in studs if match[s] != want[s]]
    assert not diff, "not the student-optimal matching (student, got, want): %r" % (diff[:5],)
    assert reasons == want_reasons, [(s, reasons.get(s), want_reasons.get(s))
                                     for s in studs if reasons.get(s) != want_reasons.get(s)][:5]
    assert r["rounds"] == rounds, "rounds %r, want %r" % (r["rounds"], rounds)
    assert isinstance(r["solve_ms"], float) and r["solve_ms"] >= 0


def match_(c, params):
    return c.call("apprenticeship.match", params, timeout=60)


# ------------------------------------------------------------ hand-computed

def hand_records():
    """S1 (higher, 330702): A = 460103 (10 graduates of 2026, none of
    2027), B = 510201 (10 of 2026).  E1 (330702), no chains.  Programs:
    G1 for 460103 (1 place), G2 for 4601 (1 x 2 places), G3 for 51 (1).
    A scores 0.9 with G1 and G2 and can't do G3 (group 46 vs 51); B scores
    0.9 with G3 only.  A student of 2027 has 0 graduates available against
    a headcount of 1 or 2: capacity factor 0, score 0.8."""
    recs = {
        "school": [{"id": "S1", "name": "一校", "level": "higher", "region": "330702"}],
        "enterprise": [{"id": "E1", "name": "甲", "region": "330702"}],
        "specialty": [
            {"id": "A", "school_id": "S1", "major_code": "460103", "name": "数控",
             "cohorts": {"2026": 10}},
            {"id": "B", "school_id": "S1", "major_code": "510201", "name": "电子",
             "cohorts": {"2026": 10}}],
        "program": [
            {"id": "G1", "enterprise_id": "E1", "title": "t", "majors": ["460103"],
             "mentors": 1, "per_mentor": 1},
            {"id": "G2", "enterprise_id": "E1", "title": "t", "majors": ["4601"],
             "mentors": 1, "per_mentor": 2},
            {"id": "G3", "enterprise_id": "E1", "title": "t", "majors": ["51"],
             "mentors": 1, "per_mentor": 1}],
        "student": [
            {"id": "a1", "specialty_id": "A", "grad_year": 2026, "grade": 80},
            {"id": "a2", "specialty_id": "A", "grad_year": 2026, "grade": 90},
            {"id": "a3", "specialty_id": "A", "grad_year": 2026},
            {"id": "a4", "specialty_id": "A", "grad_year": 2026, "grade": 90.0,
             "prefs": ["G2"]},
            {"id": "b1", "specialty_id": "B", "grad_year": 2026, "prefs": ["G1", "G3"]},
            {"id": "b2", "specialty_id": "B", "grad_year": 2026, "grade": 70, "prefs": []},
            {"id": "b3", "specialty_id": "B", "grad_year": 2026, "grade": 70},
            {"id": "b4", "specialty_id": "B", "grad_year": 2026, "prefs": ["G1"]},
            {"id": "z1", "specialty_id": "A", "grad_year": 2027, "grade": 100}],
    }
    return recs


KIND_ORDER = ("school", "enterprise", "specialty", "posting", "program", "student")


def store(c, recs):
    for k in KIND_ORDER:
        rs = recs.get(k) or []
        for i in range(0, len(rs), 5000):
            chunk = rs[i:i + 5000]
            assert c.call(k + ".put", {"records": chunk}, timeout=60) == \
                {"written": len(chunk)}


def world_of(recs):
    w = World()
    for k in KIND_ORDER:
        for r in recs.get(k) or []:
            w.put(k, r)
    return w


def test_hand_computed(client):
    c = client
    store(c, hand_records())
    r = match_(c, {"explain": True})
    assert set(r) == RESULT_KEYS | EXPLAIN_KEYS
    # lists: G1, G2 tie for A's students (0.9), so by program id; a4 states
    # G2; b1's G1 does not fit B, leaving G3; b4's only pref does not fit
    assert r["student_prefs"] == {
        "a1": ["G1", "G2"], "a2": ["G1", "G2"], "a3": ["G1", "G2"], "a4": ["G2"],
        "b1": ["G3"], "b2": ["G3"], "b3": ["G3"], "b4": [], "z1": ["G1", "G2"]}
    # ranks: score (z1 0.8 last), then grade (90 = 90.0, then id; missing last)
    assert r["program_ranks"] == {
        "G1": ["a2", "a4", "a1", "a3", "z1"], "G2": ["a2", "a4", "a1", "a3", "z1"],
        "G3": ["b2", "b3", "b1", "b4"]}
    assert r["capacity"] == {"G1": 1, "G2": 2, "G3": 1}
    # round 1: G1 keeps a2 of a1 a2 a3 z1; G2 holds a4; G3 keeps b2 of b1 b2 b3
    # round 2: a1 a3 z1 ask G2, which keeps a4 a1; then nobody has a list left
    assert r["assignments"] == [
        {"student_id": "a1", "program_id": "G2"}, {"student_id": "a2", "program_id": "G1"},
        {"student_id": "a4", "program_id": "G2"}, {"student_id": "b2", "program_id": "G3"}]
    assert r["unmatched"] == [
        {"student_id": "a3", "reason": "outranked"}, {"student_id": "b1", "reason": "outranked"},
        {"student_id": "b3", "reason": "outranked"}, {"student_id": "b4", "reason": "no_program"},
        {"student_id": "z1", "reason": "outranked"}]
    assert r["rounds"] == 2 and r["blocking_pairs"] == 0
    # the same without explain
    r2 = match_(c, {})
    assert set(r2) == RESULT_KEYS
    assert r2["assignments"] == r["assignments"] and r2["unmatched"] == r["unmatched"]
    # grad_year 2026 leaves z1 out; 2027 has z1 alone, who gets G1
    r = match_(c, {"grad_year": 2026})
    assert "z1" not in [x["student_id"] for x in r["assignments"] + r["unmatched"]]
    r = match_(c, {"grad_year": 2027, "explain": True})
    assert r["assignments"] == [{"student_id": "z1", "program_id": "G1"}]
    assert r["unmatched"] == [] and r["rounds"] == 1
    assert r["program_ranks"] == {"G1": ["z1"], "G2": ["z1"], "G3": []}
    # program_ids: only G2 and G3; a4's list is unchanged, the others lose G1
    r = match_(c, {"program_ids": ["G3", "G2"], "explain": True})
    assert r["capacity"] == {"G2": 2, "G3": 1}
    assert r["student_prefs"]["a1"] == ["G2"] and r["student_prefs"]["b1"] == ["G3"]
    assert [x["student_id"] for x in r["assignments"]] == ["a2", "a4", "b2"]
    assert r["rounds"] == 1
    # the oracle agrees with every number above
    w = world_of(hand_records())
    for params in ({}, {"grad_year": 2027}, {"program_ids": ["G3", "G2"]}):
        inst = apprenticeship_instance(w, **params)
        check_answer(match_(c, dict(params, explain=True)), inst, explain=True)


@pytest.mark.parametrize("what", ["empty_store", "no_students", "no_programs"])
def test_empty_scopes(client, what):
    c = client
    recs = hand_records()
    if what == "empty_store":
        recs = {}
    elif what == "no_students":
        recs["student"] = []
    else:
        recs["program"] = []
        for st in recs["student"]:
            st.pop("prefs", None)
    store(c, recs)
    for params in ({}, {"explain": True}, {"grad_year": 2030, "explain": True}):
        r = match_(c, params)
        check_answer(r, apprenticeship_instance(world_of(recs), grad_year=params.get(
            "grad_year")), explain=params.get("explain", False))
        assert r["assignments"] == [] and r["rounds"] == 0
    assert c.call("system.ping") == "pong"


def test_program_ids_unknown_and_region_scope(client):
    c = client
    recs = hand_records()
    recs["enterprise"].append({"id": "E2", "name": "乙", "region": "320102"})
    recs["program"].append({"id": "G4", "enterprise_id": "E2", "title": "t",
                            "majors": ["46"], "mentors": 2, "per_mentor": 1})
    # G5's own region overrides its enterprise's
    recs["program"].append({"id": "G5", "enterprise_id": "E2", "title": "t",
                            "majors": ["46"], "mentors": 1, "per_mentor": 1,
                            "region": "330784"})
    store(c, recs)
    expect_error(c, "apprenticeship.match", {"program_ids": ["G1", "NOPE"]},
                 NOT_FOUND, "program_ids[1]")
    expect_error(c, "apprenticeship.match", {"program_ids": ["NOPE"], "region_prefix": "33"},
                 NOT_FOUND, "program_ids[0]")
    w = world_of(recs)
    cases = [
        ({"region_prefix": "33"}, {"G1", "G2", "G3", "G5"}),
        ({"region_prefix": "32"}, {"G4"}),
        ({"region_prefix": "330784"}, {"G5"}),
        ({"program_ids": ["G4", "G1", "G5"], "region_prefix": "33"}, {"G1", "G5"}),
        ({"program_ids": ["G4", "G1"], "region_prefix": "3307"}, {"G1"}),
        ({"program_ids": ["G2"], "region_prefix": "32"}, set()),
    ]
    for params, progs in cases:
        r = match_(c, dict(params, explain=True))
        assert set(r["capacity"]) == progs, params
        inst = apprenticeship_instance(w, **params)
        assert set(inst["capacity"]) == progs
        check_answer(r, inst, explain=True)
    # no program in scope: everyone is unmatched for want of a program
    r = match_(c, {"program_ids": ["G2"], "region_prefix": "32"})
    assert r["assignments"] == [] and r["rounds"] == 0
    assert {u["reason"] for u in r["unmatched"]} == {"no_program"}
    assert len(r["unmatched"]) == len(recs["student"])


@pytest.mark.parametrize("params,field", [
    ({"program_ids": "G1"}, "program_ids"),
    ({"program_ids": []}, "program_ids"),
    ({"program_ids": [7]}, "program_ids[0]"),
    ({"program_ids": ["G1", "x" * 65]}, "program_ids[1]"),
    ({"grad_year": 999}, "grad_year"),
    ({"region_prefix": "330"}, "region_prefix"),
    ({"explain": "yes"}, "explain"),
    ({"k": 5}, "k"),
])
def test_bad_params(client, params, field):
    store(client, hand_records())
    expect_error(client, "apprenticeship.match", params, INVALID_PARAMS, field)
    assert client.call("system.ping") == "pong"


# ------------------------------------------------------------ random stores

CODES = {"higher": ["460103", "460104", "460201", "510201", "530101"],
         "secondary": ["660103", "660104", "710201"],
         "bachelor": ["260101", "310201"]}
SCHOOLS = [("S1", "higher", "330702"), ("S2", "secondary", "330784"),
           ("S3", "higher", "330102"), ("S4", "bachelor", "110101")]
PREFIXES = ["4601", "460103", "46", "51", "66", "6601", "71", "2601", "53"]
CHAINS = ["工业机床", "新能源汽车", "光伏"]
REGIONS = ["330702", "330784", "330102", "110101", "320102"]
GRADES = [None, None, 0, 0.0, 60, 75, 75.0, 88.5, 90, 90, 100]


def gen_world(rng, n_spec, n_ent, n_prog, n_stud):
    recs = {"school": [], "specialty": [], "enterprise": [], "program": [], "student": []}
    for sid, lvl, reg in SCHOOLS:
        recs["school"].append({"id": sid, "name": sid, "level": lvl, "region": reg})
    for i in range(n_spec):
        sid, lvl, _ = rng.choice(SCHOOLS)
        cohorts = {}
        for y in ("2026", "2027"):
            if rng.random() < 0.8:
                cohorts[y] = rng.choice([0, 1, 3, 6, 20])
        r = {"id": "SP%02d" % i, "school_id": sid, "major_code": rng.choice(CODES[lvl]),
             "name": "n", "cohorts": cohorts}
        if rng.random() < 0.6:
            r["chains"] = rng.sample(CHAINS, rng.randint(0, 1))
        recs["specialty"].append(r)
    for i in range(n_ent):
        e = {"id": "E%02d" % i, "name": "n", "region": rng.choice(REGIONS)}
        if rng.random() < 0.6:
            e["chains"] = rng.sample(CHAINS, rng.randint(0, 2))
        recs["enterprise"].append(e)
    pids = []
    for i in range(n_prog):
        pid = rng.choice(["G%02d", "g%02d", "项目%d"]) % i
        pids.append(pid)
        g = {"id": pid, "enterprise_id": rng.choice(recs["enterprise"])["id"],
             "title": "t", "majors": rng.sample(PREFIXES, rng.choice([0, 1, 1, 2])),
             "mentors": rng.choice([1, 1, 2, 3]), "per_mentor": rng.choice([1, 1, 2, 3])}
        if rng.random() < 0.3:
            g["region"] = rng.choice(REGIONS)
        if rng.random() < 0.3:
            g["level"] = rng.choice(["secondary", "higher", "bachelor"])
        recs["program"].append(g)
    for i in range(n_stud):
        s = {"id": rng.choice(["ST%03d", "st%03d", "学%d"]) % i,
             "specialty_id": rng.choice(recs["specialty"])["id"],
             "grad_year": rng.choice([2026, 2026, 2027])}
        gr = rng.choice(GRADES)
        if gr is not None:
            s["grade"] = gr
        x = rng.random()
        if x < 0.15:
            s["prefs"] = []
        elif x < 0.55:
            s["prefs"] = rng.sample(pids, rng.randint(1, min(5, len(pids))))
        recs["student"].append(s)
    return recs


def scopes(rng, recs):
    pids = [g["id"] for g in recs["program"]]
    sub = rng.sample(pids, max(1, len(pids) // 2))
    return [
        {},
        {"grad_year": 2026},
        {"region_prefix": "3307"},
        {"region_prefix": "33", "grad_year": 2027},
        {"program_ids": sub},
        {"program_ids": sub, "region_prefix": "33"},
        {"program_ids": rng.sample(pids, 1)},
    ]


SEEDS = range(10)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_stores_match_the_oracle(daemon_factory, seed):
    rng = random.Random(seed)
    recs = gen_world(rng, rng.randint(3, 10), rng.randint(2, 5), rng.randint(3, 14),
                     rng.randint(5, 90))
    c = daemon_factory().connect()
    store(c, recs)
    w = world_of(recs)
    for params in scopes(rng, recs):
        inst = apprenticeship_instance(w, **params)
        r = match_(c, dict(params, explain=True))
        check_answer(r, inst, explain=True)
        r2 = match_(c, params)
        check_answer(r2, inst)


@pytest.mark.parametrize("seed", range(3))
def test_matches_follow_updates_and_deletes(daemon_factory, seed):
    """Records a list or a ranking depends on, changed between two runs:
    the next run sees the change."""
    rng = random.Random(700 + seed)
    recs = gen_world(rng, 6, 3, 8, 50)
    c = daemon_factory().connect()
    store(c, recs)
    w = world_of(recs)

    def audit_all():
        for params in ({}, {"region_prefix": "33"}, {"grad_year": 2026}):
            check_answer(match_(c, dict(params, explain=True)),
                         apprenticeship_instance(w, **params), explain=True)
    audit_all()

    def put(kind, rec):
        c.call(kind + ".put", rec)
        w.put(kind, rec)
    for step in range(4):
        put("school", dict(rng.choice(recs["school"]), region=rng.choice(REGIONS)))
        put("enterprise", dict(rng.choice(recs["enterprise"]), region=rng.choice(REGIONS),
                               chains=rng.sample(CHAINS, rng.randint(0, 2))))
        put("specialty", dict(rng.choice(list(w.specialties.values())),
                              cohorts={"2026": rng.choice([0, 2, 8])},
                              chains=rng.sample(CHAINS, rng.randint(0, 1))))
        g = dict(rng.choice(list(w.programs.values())), mentors=rng.randint(1, 3),
                 majors=rng.sample(PREFIXES, rng.randint(0, 2)))
        if rng.random() < 0.5:
            g["region"] = rng.choice(REGIONS)
        else:
            g.pop("region", None)
        put("program", g)
        sids = sorted(w.students)
        st = dict(w.students[rng.choice(sids)], grade=rng.choice([0, 55.5, 99]),
                  prefs=rng.sample(sorted(w.programs), 2))
        put("student", st)
        gone = rng.choice(sorted(w.students))
        c.call("student.del", {"id": gone})
        w.delete("student", gone)
        put("student", {"id": "new%d" % step, "specialty_id": rng.choice(sorted(w.specialties)),
                        "grad_year": 2026})
        # a program no student names goes
        named = {p for s in w.students.values() for p in s.get("prefs") or ()}
        free = [p for p in sorted(w.programs) if p not in named]
        if free and len(w.programs) > 2:
            c.call("program.del", {"id": free[0]})
            w.delete("program", free[0])
        audit_all()


def test_random_stores_exercise_ties_and_grades():
    """The random stores above are not trivial: grades change matchings,
    many students tie on score, programs fill, students go without."""
    changed = ties = outranked = no_program = rounds3 = 0
    for seed in SEEDS:
        rng = random.Random(seed)
        recs = gen_world(rng, rng.randint(3, 10), rng.randint(2, 5), rng.randint(3, 14),
                         rng.randint(5, 90))
        w = world_of(recs)
        for params in scopes(rng, recs):
            inst = apprenticeship_instance(w, **params)
            match, rounds, reasons = expected(inst)
            if match != da_queue(inst["prefs"], ranks_without_grades(w, inst),
                                 inst["capacity"]):
                changed += 1
            for g, lst in inst["ranks"].items():
                sc = [inst["score"][(s, g)] for s in lst]
                ties += len(sc) - len(set(sc))
            outranked += sum(1 for x in reasons.values() if x == "outranked")
            no_program += sum(1 for x in reasons.values() if x == "no_program")
            rounds3 += rounds >= 3
    assert changed >= 5 and ties >= 100 and outranked >= 20 and no_program >= 20 \
        and rounds3 >= 5, (changed, ties, outranked, no_program, rounds3)


def test_big_store_in_scope(daemon_factory):
    """Hundreds of students on a few programs, by region: many rounds."""
    rng = random.Random(77)
    recs = gen_world(rng, 12, 4, 20, 600)
    c = daemon_factory().connect()
    store(c, recs)
    w = world_of(recs)
    for params in ({"region_prefix": "33", "grad_year": 2026}, {}):
        inst = apprenticeship_instance(w, **params)
        check_answer(match_(c, dict(params, explain=True)), inst, explain=True)


def test_same_store_same_answer(daemon_factory):
    rng = random.Random(5)
    recs = gen_world(rng, 8, 4, 10, 80)
    c = daemon_factory().connect()
    store(c, recs)
    a = match_(c, {"explain": True})
    b = match_(c, {"explain": True})
    a.pop("solve_ms")
    b.pop("solve_ms")
    assert a == b


# ------------------------------------------------------------ self-tests

def ranks_without_grades(w, inst):
    """Programs' rankings by score then id only: grades ignored."""
    return {g: sorted(lst, key=lambda s: (-inst["score"][(s, g)], bkey(s)))
            for g, lst in inst["ranks"].items()}


def answer_of(inst, match, rounds=None, reasons=None):
    if reasons is None:
        reasons = unmatched_reasons(inst["prefs"], match)
    if rounds is None:
        rounds = da_rounds(inst["prefs"], inst["ranks"], inst["capacity"])[1]
    studs = sorted(match, key=bkey)
    return {"assignments": [{"student_id": s, "program_id": match[s]} for s in studs
                            if match[s] is not None],
            "unmatched": [{"student_id": s, "reason": reasons[s]} for s in studs
                          if match[s] is None],
            "blocking_pairs": 0, "rounds": rounds, "solve_ms": 0.25,
            "student_prefs": inst["prefs"], "program_ranks": inst["ranks"],
            "capacity": inst["capacity"]}


def test_checker_rejects_a_matching_that_ignores_grades():
    # one place, two students of one specialty (same score): grade decides
    recs = hand_records()
    recs["student"] = [
        {"id": "a1", "specialty_id": "A", "grad_year": 2026, "grade": 70, "prefs": ["G1"]},
        {"id": "a2", "specialty_id": "A", "grad_year": 2026, "grade": 95, "prefs": ["G1"]}]
    w = world_of(recs)
    inst = apprenticeship_instance(w)
    check_answer(answer_of(inst, expected(inst)[0]), inst, explain=True)
    wrong = da_queue(inst["prefs"], ranks_without_grades(w, inst), inst["capacity"])
    assert wrong["a1"] == "G1" and wrong["a2"] is None
    assert blocking_pairs(inst["prefs"], inst["ranks"], inst["capacity"], wrong) == \
        [("a2", "G1")]
    with pytest.raises(AssertionError):
        check_answer(answer_of(inst, wrong), inst, explain=True)


@pytest.mark.parametrize("seed", range(3))
def test_checker_rejects_broken_answers(seed):
    rng = random.Random(seed)
    recs = gen_world(rng, 8, 4, 8, 60)
    w = world_of(recs)
    inst = apprenticeship_instance(w)
    match, rounds, reasons = expected(inst)
    good = answer_of(inst, match)
    check_answer(good, inst, explain=True)
    assert any(m is not None for m in match.values())
    assert any(m is None for m in match.values())
    # a matching made without grades is either the same or caught
    nog = da_queue(inst["prefs"], ranks_without_grades(w, inst), inst["capacity"])
    if nog != match:
        with pytest.raises(AssertionError):
            check_answer(answer_of(inst, nog), inst, explain=True)
    # a DA where programs rank by id only (no scores): caught when different
    byid = {g: sorted(l, key=bkey) for g, l in inst["ranks"].items()}
    other = da_queue(inst["prefs"], byid, inst["capacity"])
    if other != match:
        with pytest.raises(AssertionError):
            check_answer(answer_of(inst, other), inst, explain=True)
    s_in = next(s for s in sorted(match, key=bkey) if match[s] is not None)
    s_out = next(s for s in sorted(match, key=bkey) if match[s] is None)

    def broken(f):
        r = answer_of(inst, match)
        r = {k: (list(v) if isinstance(v, list) else v) for k, v in r.items()}
        f(r)
        return r

    cases = [
        broken(lambda r: r.update(rounds=r["rounds"] + 1)),
        broken(lambda r: r.update(blocking_pairs=1)),
        broken(lambda r: r["assignments"].reverse() if len(r["assignments"]) > 1
               else r.update(rounds=-1)),
        broken(lambda r: r["assignments"].pop()),                        # student lost
        broken(lambda r: r["unmatched"].append({"student_id": s_in,
                                                "reason": "outranked"})),  # twice
        broken(lambda r: r.update(unmatched=[dict(u, reason="no_program" if u["reason"] ==
                                                  "outranked" else "outranked")
                                             for u in r["unmatched"]])),
        broken(lambda r: r.update(capacity=dict(r["capacity"], **{
            next(iter(r["capacity"])): 99}))),
        broken(lambda r: r.update(student_prefs=dict(r["student_prefs"], **{
            s_in: list(reversed(r["student_prefs"][s_in])) + ["X"]}))),
        broken(lambda r: r.update(solve_ms=None)),
    ]
    # an unmatched student handed a program it did not list
    g_not = next((g for g in inst["capacity"] if g not in inst["prefs"][s_out]), None)
    if g_not is not None:
        m2 = dict(match)
        m2[s_out] = g_not
        cases.append(answer_of(inst, m2, rounds, reasons))
    # a student moved down its list (leaves a blocking pair or differs)
    m3 = dict(match)
    m3[s_in] = None
    cases.append(answer_of(inst, m3, rounds))
    for i, r in enumerate(cases):
        with pytest.raises(AssertionError):
            check_answer(r, inst, explain=True)
            pytest.fail("broken answer %d passed" % i)


def test_grade_key_orders_high_first_missing_last():
    assert sorted([None, 60, 90.0, 75, 90], key=grade_key) == [90.0, 90, 75, 60, None]
