"""orderclass.plan against docs/protocol.md "orderclass.plan" and the
scoring model of docs/matching.md.

  1. a hand-computed store, every number written out, and empty scopes;
  2. random stores (small: at most ~60 pairs; medium: ~150-250 pairs)
     under school_id / region_prefix scopes, kinds, min_score, grad_year
     and several class sizes, and again after updates and deletes:
     explain's pairs, supply and demand must be what
     oracle.orderclass_instance recomputes from the records, the plan
     must be feasible, and its objective must be the optimum that GLPK's
     glpsol finds for the same MIP (oracle.orderclass_mip), with a bound
     no lower than that and optimal == true; on medium stores GLPK cannot
     close, the answer must lie inside GLPK's bracket;
  3. time_limit_ms 1, determinism, a plan abandoned by its client (closed,
     half-closed, or still queued) and a daemon stopped during a plan;
  4. self-tests: the checkers reject deliberately wrong answers, and the
     MathProg model agrees with enumeration on tiny instances.
"""
import itertools
import os
import random
import shutil
import socket
import time

import pytest

from conftest import (INTERNAL, INVALID_PARAMS, NOT_FOUND, Client, ConnectionClosed,
                      expect_error)
import oracle
from oracle import World, orderclass_glpk, orderclass_instance, orderclass_mip

GLPSOL = shutil.which("glpsol")
needs_glpsol = pytest.mark.skipif(GLPSOL is None, reason="glpsol (glpk-utils) not installed")

RESULT_KEYS = {"classes", "students", "objective", "bound", "optimal", "solve_ms"}
EXPLAIN_KEYS = {"pairs", "supply", "demand"}
CLASS_KEYS = {"school_id", "specialty_id", "enterprise_id", "size", "score"}


def tol(x):
    return 1e-6 * max(1.0, abs(x))


# ------------------------------------------------------------ checkers

def check_instance(r, pairs, supply, demand):
    """explain's pairs, supply and demand equal the oracle's."""
    assert EXPLAIN_KEYS <= set(r), sorted(r)
    got = {}
    for p in r["pairs"]:
        assert set(p) == {"specialty_id", "enterprise_id", "score"}, p
        key = (p["specialty_id"], p["enterprise_id"])
        assert key not in got, "pair listed twice: %r" % (key,)
        got[key] = p["score"]
    assert set(got) == set(pairs), (
        "pairs differ: daemon only %r, oracle only %r"
        % (sorted(set(got) - set(pairs))[:5], sorted(set(pairs) - set(got))[:5]))
    for k, s in pairs.items():
        assert isinstance(got[k], float) and abs(got[k] - s) <= 1e-9, (k, got[k], s)
    assert r["supply"] == supply, "supply differs"
    assert r["demand"] == demand, "demand differs"


def check_plan(r, pairs, supply, demand, min_size, max_size, school_of):
    """The plan is feasible and its totals add up (docs/protocol.md)."""
    assert RESULT_KEYS <= set(r) <= RESULT_KEYS | EXPLAIN_KEYS, sorted(r)
    assert isinstance(r["classes"], list)
    by_spec, by_ent, seen = {}, {}, set()
    order = []
    total, objective = 0, 0.0
    for c in r["classes"]:
        assert set(c) == CLASS_KEYS, c
        key = (c["specialty_id"], c["enterprise_id"])
        assert key in pairs, "class on a pair that does not count: %r" % (c,)
        assert key not in seen, "two classes on one pair: %r" % (key,)
        seen.add(key)
        assert c["school_id"] == school_of[c["specialty_id"]], c
        assert isinstance(c["size"], int) and not isinstance(c["size"], bool), c
        assert min_size <= c["size"] <= max_size, \
            "class size %d outside [%d, %d]: %r" % (c["size"], min_size, max_size, c)
        assert isinstance(c["score"], float) and abs(c["score"] - pairs[key]) <= 1e-9, \
            (c, pairs[key])
        by_spec[key[0]] = by_spec.get(key[0], 0) + c["size"]
        by_ent[key[1]] = by_ent.get(key[1], 0) + c["size"]
        total += c["size"]
        objective += c["size"] * pairs[key]
        order.append((c["school_id"].encode(), c["specialty_id"].encode(),
                      c["enterprise_id"].encode()))
    assert order == sorted(order), "classes not ordered by school, specialty, enterprise"
    for s, n in by_spec.items():
        assert n <= supply[s], "specialty %s gives %d > supply %d" % (s, n, supply[s])
    for e, n in by_ent.items():
        assert n <= demand[e], "enterprise %s takes %d > demand %d" % (e, n, demand[e])
    assert r["students"] == total and isinstance(r["students"], int)
    assert isinstance(r["objective"], float), r["objective"]
    assert abs(r["objective"] - objective) <= tol(objective), (r["objective"], objective)
    assert isinstance(r["bound"], float)
    assert r["bound"] >= r["objective"] - tol(r["objective"]), (r["bound"], r["objective"])
    assert isinstance(r["optimal"], bool)
    assert r["optimal"] == (r["bound"] - r["objective"] <= tol(r["objective"])), \
        "optimal %r but bound %r objective %r" % (r["optimal"], r["bound"], r["objective"])
    assert isinstance(r["solve_ms"], float) and r["solve_ms"] >= 0


def check_optimum(r, opt, proven=True):
    """The objective is the MIP optimum and the bound is at least it."""
    assert r["bound"] >= opt - tol(opt), "bound %r below the optimum %r" % (r["bound"], opt)
    if proven:
        assert abs(r["objective"] - opt) <= tol(opt), \
            "objective %r, optimum %r" % (r["objective"], opt)
        assert r["optimal"] is True, "not proven optimal: bound %r objective %r" % (
            r["bound"], r["objective"])
    else:
        assert r["objective"] <= opt + tol(opt), (r["objective"], opt)


# ------------------------------------------------------------ stores

CODES = {"higher": ["460103", "460104", "460201", "510201", "510202", "530101"],
         "secondary": ["660103", "660104", "660201", "710201", "730101"],
         "bachelor": ["260101", "260102", "310201"]}
SCHOOLS = [("S1", "higher", "330702"), ("S2", "secondary", "330784"),
           ("S3", "higher", "330102"), ("S4", "bachelor", "110101")]
PREFIXES = ["4601", "460103", "46", "51", "5102", "66", "6601", "71", "53", "2601", "31"]
SKILLS = ["CNC", "CAD", "PLC", "焊接"]
CHAINS = ["工业机床", "新能源汽车", "光伏"]
EREGIONS = ["330702", "330784", "330102", "110101", "320102"]
KINDS = ["job", "internship", "apprenticeship", "order_class"]


def gen_world(rng, n_spec, n_ent, n_post, prefix=""):
    """Random records: {kind: [records]} and the World holding them."""
    recs = {"school": [], "specialty": [], "enterprise": [], "posting": []}
    for sid, lvl, reg in SCHOOLS:
        recs["school"].append({"id": sid, "name": "学校" + sid, "level": lvl,
                               "region": reg})
    for i in range(n_spec):
        sid, lvl, _ = rng.choice(SCHOOLS)
        r = {"id": "%sSP%03d" % (prefix, i), "school_id": sid,
             "major_code": rng.choice(CODES[lvl]), "name": "专业%d" % i,
             "cohorts": {"2026": rng.choice([0, 8, 15, 25, 33, 40, 60, 90]),
                         "2027": rng.choice([0, 20, 45])}}
        if rng.random() < 0.7:
            r["skills"] = rng.sample(SKILLS, rng.randint(0, 2))
        if rng.random() < 0.7:
            r["chains"] = rng.sample(CHAINS, rng.randint(0, 1))
        recs["specialty"].append(r)
    for i in range(n_ent):
        e = {"id": "%sE%02d" % (prefix, i), "name": "企业%d" % i,
             "region": rng.choice(EREGIONS)}
        if rng.random() < 0.7:
            e["chains"] = rng.sample(CHAINS, rng.randint(0, 2))
        recs["enterprise"].append(e)
    for i in range(n_post):
        p = {"id": "%sP%03d" % (prefix, i),
             "enterprise_id": rng.choice(recs["enterprise"])["id"],
             "title": "岗位%d" % i, "kind": rng.choice(KINDS),
             "headcount": rng.choice([0, 5, 12, 20, 30, 45, 70]),
             "majors": rng.sample(PREFIXES, rng.choice([0, 1, 1, 2, 2, 3]))}
        if rng.random() < 0.5:
            p["skills"] = rng.sample(SKILLS, rng.randint(1, 2))
        if rng.random() < 0.4:
            p["level"] = rng.choice(["secondary", "higher", "bachelor"])
        if rng.random() < 0.3:
            p["region"] = rng.choice(EREGIONS)
        recs["posting"].append(p)
    w = World()
    for k in ("school", "enterprise", "specialty", "posting"):
        for r in recs[k]:
            w.put(k, r)
    return w, recs


def store(c, recs):
    for k in ("school", "enterprise", "specialty", "posting"):
        for i in range(0, len(recs[k]), 5000):
            chunk = recs[k][i:i + 5000]
            if chunk:
                assert c.call(k + ".put", {"records": chunk}, timeout=60) == \
                    {"written": len(chunk)}


def school_of(w):
    return {sid: s["school_id"] for sid, s in w.specialties.items()}


def plan(c, params, timeout=60):
    return c.call("orderclass.plan", params, timeout=timeout)


def audit(c, w, params, tmp_path, proven=True):
    """Plan with explain; check the instance, the plan and the optimum."""
    p = dict(params, explain=True)
    p.setdefault("time_limit_ms", 30000)
    r = plan(c, p)
    gy = p.get("grad_year", oracle.default_grad_year(time.localtime()))
    pairs, supply, demand = orderclass_instance(
        w, gy, school_id=p.get("school_id"), region_prefix=p.get("region_prefix"),
        min_score=p.get("min_score", 0.0), kinds=p.get("kinds"))
    mn, mx = p.get("min_size", 20), p.get("max_size", 40)
    check_instance(r, pairs, supply, demand)
    check_plan(r, pairs, supply, demand, mn, mx, school_of(w))
    opt, _ = orderclass_mip(pairs, supply, demand, mn, mx, GLPSOL, tmp_path)
    check_optimum(r, opt, proven)
    return r, (pairs, supply, demand), opt


# ------------------------------------------------------------ hand-computed

@pytest.fixture
def hand(client):
    """S1 (higher, 330702) offers A = 460103 with 30 graduates of 2026.
    E1 (330702): P1 job for 460103, 25 places, and P3 job for 51, 10
    places (no fit for A, but its places are E1's demand).  E2 (330784,
    same city): P2 internship for 4601, 25 places.  No skills, levels or
    chains: A-E1 scores .4+.15+.15+.1+.1 = 0.9, A-E2 .4+.15+.12+.1+.1 = 0.87."""
    c = client
    c.call("school.put", {"id": "S1", "name": "一校", "level": "higher", "region": "330702"})
    c.call("specialty.put", {"id": "A", "school_id": "S1", "major_code": "460103",
                             "name": "数控", "cohorts": {"2026": 30}})
    c.call("enterprise.put", {"records": [
        {"id": "E1", "name": "甲", "region": "330702"},
        {"id": "E2", "name": "乙", "region": "330784"}]})
    c.call("posting.put", {"records": [
        {"id": "P1", "enterprise_id": "E1", "title": "t", "kind": "job",
         "headcount": 25, "majors": ["460103"]},
        {"id": "P2", "enterprise_id": "E2", "title": "t", "kind": "internship",
         "headcount": 25, "majors": ["4601"]},
        {"id": "P3", "enterprise_id": "E1", "title": "t", "kind": "job",
         "headcount": 10, "majors": ["51"]}]})
    return c


def classes_of(r):
    return [(x["school_id"], x["specialty_id"], x["enterprise_id"], x["size"],
             round(x["score"], 9)) for x in r["classes"]]


def test_hand_computed(hand):
    c = hand
    r = plan(c, {"grad_year": 2026, "explain": True})
    assert set(r) == RESULT_KEYS | EXPLAIN_KEYS
    assert sorted((p["specialty_id"], p["enterprise_id"], round(p["score"], 9))
                  for p in r["pairs"]) == [("A", "E1", 0.9), ("A", "E2", 0.87)]
    assert r["supply"] == {"A": 30}
    assert r["demand"] == {"E1": 35, "E2": 25}
    # min 20, max 40: one class only (two need 40 > 30); E1 can take all 30
    assert classes_of(r) == [("S1", "A", "E1", 30, 0.9)]
    assert r["students"] == 30
    assert r["objective"] == pytest.approx(27.0, abs=1e-9)
    assert r["optimal"] is True and 27.0 - 1e-9 <= r["bound"] <= 27.0 + tol(27.0)
    # without explain: the same plan, no audit keys
    r2 = plan(c, {"grad_year": 2026})
    assert set(r2) == RESULT_KEYS and classes_of(r2) == classes_of(r)
    # classes of 10..15: one with each enterprise
    r = plan(c, {"grad_year": 2026, "min_size": 10, "max_size": 15})
    assert classes_of(r) == [("S1", "A", "E1", 15, 0.9), ("S1", "A", "E2", 15, 0.87)]
    assert r["objective"] == pytest.approx(26.55, abs=1e-9) and r["students"] == 30
    # exactly 20: E1 20, and nothing left for a second class
    r = plan(c, {"grad_year": 2026, "min_size": 20, "max_size": 20})
    assert classes_of(r) == [("S1", "A", "E1", 20, 0.9)]
    # kinds: only the internship counts; E1 has no counted posting
    r = plan(c, {"grad_year": 2026, "kinds": ["internship"], "explain": True})
    assert r["demand"] == {"E2": 25}
    assert classes_of(r) == [("S1", "A", "E2", 25, 0.87)]
    assert r["objective"] == pytest.approx(21.75, abs=1e-9)
    # min_score: exactly a pair's score keeps it; above it drops it
    r = plan(c, {"grad_year": 2026, "min_score": 0.87, "explain": True})
    assert len(r["pairs"]) == 2
    r = plan(c, {"grad_year": 2026, "min_score": 0.88, "explain": True})
    assert [(p["specialty_id"], p["enterprise_id"]) for p in r["pairs"]] == [("A", "E1")]
    assert r["demand"] == {"E1": 35, "E2": 25}
    # region_prefix alone: S1 (330702) is out, E2 in
    r = plan(c, {"grad_year": 2026, "region_prefix": "330784", "explain": True})
    assert r["supply"] == {} and r["demand"] == {"E2": 25} and r["pairs"] == []
    assert r["classes"] == [] and r["students"] == 0 and r["objective"] == 0
    assert r["optimal"] is True
    # school_id plans S1's specialties; region_prefix still limits enterprises
    r = plan(c, {"grad_year": 2026, "school_id": "S1", "region_prefix": "330784",
                 "explain": True})
    assert r["supply"] == {"A": 30} and r["demand"] == {"E2": 25}
    assert classes_of(r) == [("S1", "A", "E2", 25, 0.87)]
    # a year without graduates: supply 0, capacity factor 0 (scores -0.1)
    r = plan(c, {"grad_year": 2027, "explain": True})
    assert r["supply"] == {"A": 0} and r["classes"] == []
    assert sorted(round(p["score"], 9) for p in r["pairs"]) == [0.77, 0.8]
    # the default graduation year (today's rule of docs/matching.md)
    dy = oracle.default_grad_year(time.localtime())
    c.call("specialty.put", {"id": "A", "school_id": "S1", "major_code": "460103",
                             "name": "数控", "cohorts": {"2026": 30, str(dy): 22}})
    r = plan(c, {"explain": True})
    assert r["supply"] == {"A": 22}
    assert classes_of(r)[0][3] == 22


@pytest.mark.parametrize("what", ["empty_store", "no_postings", "no_specialties"])
def test_empty_scope_gives_an_empty_plan(client, what):
    c = client
    if what != "empty_store":
        c.call("school.put", {"id": "S1", "name": "一校", "level": "higher",
                              "region": "330702"})
        c.call("enterprise.put", {"id": "E1", "name": "甲", "region": "330702"})
    if what == "no_postings":
        c.call("specialty.put", {"id": "A", "school_id": "S1", "major_code": "460103",
                                 "name": "数控", "cohorts": {"2026": 30}})
    if what == "no_specialties":
        c.call("posting.put", {"id": "P1", "enterprise_id": "E1", "title": "t",
                               "kind": "job", "headcount": 25, "majors": []})
    r = plan(c, {"grad_year": 2026, "explain": True})
    assert r["classes"] == [] and r["pairs"] == [] and r["students"] == 0
    assert r["objective"] == 0 and r["bound"] == 0 and r["optimal"] is True
    assert r["supply"] == ({"A": 30} if what == "no_postings" else {})
    assert r["demand"] == ({"E1": 25} if what == "no_specialties" else {})
    assert c.call("system.ping") == "pong"


def test_unknown_school_and_bad_sizes(hand):
    expect_error(hand, "orderclass.plan", {"school_id": "S9"}, NOT_FOUND, "school_id")
    expect_error(hand, "orderclass.plan", {"min_size": 41}, INVALID_PARAMS, "min_size")
    expect_error(hand, "orderclass.plan", {"min_size": 5, "max_size": 4}, INVALID_PARAMS,
                 "min_size")
    # max_size below the default min_size of 20
    expect_error(hand, "orderclass.plan", {"max_size": 10}, INVALID_PARAMS, "min_size")
    assert plan(hand, {"min_size": 10000, "max_size": 10000})["classes"] == []
    assert hand.call("system.ping") == "pong"


# ------------------------------------------------------------ random stores

SMALL_PARAMS = [
    {"grad_year": 2026},
    {"grad_year": 2026, "min_size": 7, "max_size": 12},
    {"grad_year": 2026, "min_size": 1, "max_size": 5},
    {"grad_year": 2026, "min_size": 15, "max_size": 25, "kinds": ["job", "order_class"]},
    {"grad_year": 2026, "school_id": "S1", "min_size": 10, "max_size": 30},
    {"grad_year": 2026, "region_prefix": "33", "min_size": 12, "max_size": 18},
    {"grad_year": 2026, "region_prefix": "3307", "school_id": "S4", "min_size": 5,
     "max_size": 40},
    {"grad_year": 2026, "min_score": 0.72, "min_size": 8, "max_size": 20},
    {"grad_year": 2027, "min_size": 10, "max_size": 20},
]


@needs_glpsol
@pytest.mark.parametrize("seed", range(8))
def test_small_random_plans_are_optimal(daemon_factory, tmp_path, seed):
    rng = random.Random(seed)
    w, recs = gen_world(rng, rng.randint(6, 12), rng.randint(3, 7), rng.randint(6, 14))
    c = daemon_factory().connect()
    store(c, recs)
    sizes = []
    for params in SMALL_PARAMS:
        r, inst, opt = audit(c, w, params, tmp_path)
        sizes.append(len(inst[0]))
    assert max(sizes) <= 80, sizes


def test_min_score_at_each_pair_score_keeps_that_pair(daemon_factory):
    """docs/matching.md: the test is >=, so a pair exactly at min_score
    stays -- tried at every distinct score of a random store."""
    rng = random.Random(42)
    w, recs = gen_world(rng, 14, 6, 16)
    c = daemon_factory().connect()
    store(c, recs)
    pairs, _, _ = orderclass_instance(w, 2026)
    scores = sorted(set(pairs.values()))
    assert len(scores) >= 10
    for v in scores:
        r = plan(c, {"grad_year": 2026, "min_score": v, "explain": True,
                     "min_size": 1, "max_size": 1})
        got = {(p["specialty_id"], p["enterprise_id"]) for p in r["pairs"]}
        assert got == {k for k, x in pairs.items() if x >= v}, v


@needs_glpsol
@pytest.mark.parametrize("seed", range(3))
def test_plans_follow_updates_and_deletes(daemon_factory, tmp_path, seed):
    """Every record a pair, a supply or a demand depends on, changed
    between two plans: the next plan sees the change."""
    rng = random.Random(500 + seed)
    w, recs = gen_world(rng, 10, 5, 12)
    c = daemon_factory().connect()
    store(c, recs)
    params = {"grad_year": 2026, "min_size": 8, "max_size": 20}
    audit(c, w, params, tmp_path)
    for step in range(4):
        # a school moves (same level, so its specialties stay valid)
        sc = dict(rng.choice(recs["school"]), region=rng.choice(EREGIONS))
        c.call("school.put", sc)
        w.put("school", sc)
        # an enterprise moves and changes chains
        e = dict(rng.choice(recs["enterprise"]), region=rng.choice(EREGIONS),
                 chains=rng.sample(CHAINS, rng.randint(0, 2)))
        c.call("enterprise.put", e)
        w.put("enterprise", e)
        # a specialty's cohorts and chains
        sp = dict(rng.choice(list(w.specialties.values())),
                  cohorts={"2026": rng.choice([0, 9, 30, 55])},
                  chains=rng.sample(CHAINS, rng.randint(0, 1)))
        c.call("specialty.put", sp)
        w.put("specialty", sp)
        # a posting changes headcount, kind and majors; another goes
        pids = sorted(w.postings)
        if pids:
            po = dict(w.postings[rng.choice(pids)], headcount=rng.choice([0, 10, 25, 60]),
                      kind=rng.choice(KINDS), majors=rng.sample(PREFIXES, rng.randint(0, 2)))
            c.call("posting.put", po)
            w.put("posting", po)
            gone = rng.choice(sorted(w.postings))
            c.call("posting.del", {"id": gone})
            w.delete("posting", gone)
        # a new posting
        po = {"id": "N%d" % step, "enterprise_id": rng.choice(sorted(w.enterprises)),
              "title": "t", "kind": rng.choice(KINDS), "headcount": rng.choice([15, 40]),
              "majors": rng.sample(PREFIXES, rng.randint(0, 2))}
        c.call("posting.put", po)
        w.put("posting", po)
        for p in (params, dict(params, region_prefix="3307"),
                  dict(params, school_id=sc["id"], kinds=["job", "internship"])):
            audit(c, w, p, tmp_path)


# (seed, min_size, max_size): seeds whose medium stores glpsol solves in
# well under a second at these sizes (GLPK's search is slow on some).
MEDIUM = [(1, 20, 40), (2, 10, 30), (8, 15, 25), (10, 20, 40)]


@needs_glpsol
@pytest.mark.parametrize("seed,mn,mx", MEDIUM)
def test_medium_random_plans_are_optimal(daemon_factory, tmp_path, seed, mn, mx):
    rng = random.Random(seed)
    w, recs = gen_world(rng, 25, 10, 30)
    c = daemon_factory().connect()
    store(c, recs)
    r, inst, opt = audit(c, w, {"grad_year": 2026, "min_size": mn, "max_size": mx},
                         tmp_path)
    assert 150 <= len(inst[0]) <= 250, len(inst[0])
    assert r["classes"], "a medium store should get some classes"


# Medium stores with narrow class sizes that GLPK cannot close in seconds:
# the daemon's answer must lie inside GLPK's bracket (its bound is no
# lower than GLPK's best plan, its plan no better than GLPK's bound),
# whether cut short (50 ms) or not.
HARD = [(0, 25, 30), (3, 12, 14)]


@needs_glpsol
@pytest.mark.parametrize("seed,mn,mx", HARD)
def test_hard_medium_plans_within_glpk_bracket(daemon_factory, tmp_path, seed, mn, mx):
    rng = random.Random(seed)
    w, recs = gen_world(rng, 25, 10, 30)
    c = daemon_factory().connect()
    store(c, recs)
    pairs, supply, demand = orderclass_instance(w, 2026)
    best, sol, gbound, proven, _ = orderclass_glpk(pairs, supply, demand, mn, mx, GLPSOL,
                                                   tmp_path, time_limit_s=3)
    assert best > 0 and gbound >= best
    for limit in (50, 10000):
        r = plan(c, {"grad_year": 2026, "min_size": mn, "max_size": mx,
                     "time_limit_ms": limit, "explain": True})
        check_instance(r, pairs, supply, demand)
        check_plan(r, pairs, supply, demand, mn, mx, school_of(w))
        assert r["bound"] >= best - tol(best), \
            "bound %r below a plan GLPK found (%r)" % (r["bound"], best)
        assert r["objective"] <= gbound + tol(gbound), \
            "objective %r above GLPK's bound %r" % (r["objective"], gbound)
        if proven:
            check_optimum(r, best, proven=r["optimal"])


@needs_glpsol
def test_time_limit_1ms_answers_at_once_with_a_valid_plan(daemon_factory, tmp_path):
    rng = random.Random(10)
    w, recs = gen_world(rng, 25, 10, 30)
    c = daemon_factory().connect()
    store(c, recs)
    params = {"grad_year": 2026, "min_size": 10, "max_size": 30, "explain": True}
    pairs, supply, demand = orderclass_instance(w, 2026)
    assert len(pairs) >= 150
    opt, _ = orderclass_mip(pairs, supply, demand, 10, 30, GLPSOL, tmp_path)
    for _ in range(3):
        t = time.monotonic()
        r = plan(c, dict(params, time_limit_ms=1))
        took = time.monotonic() - t
        assert took < 0.5, "time_limit_ms 1 answered after %.3f s" % took
        check_instance(r, pairs, supply, demand)
        check_plan(r, pairs, supply, demand, 10, 30, school_of(w))
        # cut short or not, the bound is a bound on the true optimum
        check_optimum(r, opt, proven=r["optimal"])


def test_same_store_same_plan(daemon_factory):
    rng = random.Random(3)
    w, recs = gen_world(rng, 25, 10, 30)
    c = daemon_factory().connect()
    store(c, recs)
    for params in ({"grad_year": 2026, "min_size": 15, "max_size": 25},
                   {"grad_year": 2026, "min_size": 5, "max_size": 9, "explain": True,
                    "region_prefix": "33"}):
        params["time_limit_ms"] = 30000
        a = plan(c, params)
        b = plan(c, params)
        assert a["optimal"], "expected a proven plan on this store"
        a.pop("solve_ms")
        b.pop("solve_ms")
        assert a == b


# ------------------------------------------------------------ abandoned plans

def big_world(n_spec=300, n_ent=60):
    """A store whose plan takes the solver well over a second: every
    enterprise takes any major, classes of exactly 7..9 out of supplies
    of 10..26, so few pairs can be used together and many tie."""
    rng = random.Random(99)
    recs = {"school": [], "specialty": [], "enterprise": [], "posting": []}
    for sid, lvl, reg in SCHOOLS:
        recs["school"].append({"id": sid, "name": sid, "level": lvl, "region": reg})
    for i in range(n_spec):
        sid, lvl, _ = SCHOOLS[i % 4]
        recs["specialty"].append({
            "id": "B%04d" % i, "school_id": sid, "major_code": rng.choice(CODES[lvl]),
            "name": "n", "cohorts": {"2026": rng.randint(10, 26)},
            "chains": rng.sample(CHAINS, rng.randint(0, 1))})
    for i in range(n_ent):
        recs["enterprise"].append({"id": "F%03d" % i, "name": "n",
                                   "region": rng.choice(EREGIONS),
                                   "chains": rng.sample(CHAINS, rng.randint(0, 1))})
        recs["posting"].append({"id": "Q%03d" % i, "enterprise_id": "F%03d" % i,
                                "title": "t", "kind": "order_class",
                                "headcount": rng.randint(10, 40), "majors": []})
    return recs


BIG_PARAMS = {"grad_year": 2026, "min_size": 7, "max_size": 9, "time_limit_ms": 60000}


def children_of(pid):
    """Child process ids of pid (from /proc), or None when unreadable."""
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        return None
    return out


def wait_calls(c, want, timeout):
    """Poll system.stats until jobs.calls == want; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        n = c.call("system.stats")["jobs"]["calls"]
        if n == want or time.monotonic() > deadline:
            return n
        time.sleep(0.05)


def start_big_plan(d, c):
    """A client whose plan on the big store is running (checked 0.5 s
    later); returns (client, solver processes that appeared)."""
    before = set(children_of(d.proc.pid) or [])
    a = d.connect()
    a.send_request("orderclass.plan", BIG_PARAMS)
    time.sleep(0.5)
    assert c.call("system.stats")["jobs"]["calls"] == 1, "the big plan is not running"
    with pytest.raises(TimeoutError):
        a.recv_msg(timeout=0.01)
    return a, set(children_of(d.proc.pid) or []) - before


def gone(pids, timeout=5.0):
    """True once none of pids is a live process (zombies count as gone)."""
    deadline = time.monotonic() + timeout
    while True:
        live = []
        for p in pids:
            try:
                with open("/proc/%d/stat" % p) as f:
                    if f.read().split(")")[-1].split()[0] != "Z":
                        live.append(p)
            except OSError:
                pass
        if not live or time.monotonic() > deadline:
            return not live
        time.sleep(0.05)


def expect_abandoned(a, timeout=5.0):
    """After a half-close: at most the -32603 "plan abandoned" reply, then
    the daemon closes (docs/protocol.md "Concurrency and ordering")."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            msg = a.recv_msg(timeout=max(0.01, deadline - time.monotonic()))
        except ConnectionClosed:
            return
        except TimeoutError:
            raise AssertionError("the daemon kept a half-closed plan connection open")
        assert isinstance(msg, list) and len(msg) == 4 and msg[0] == 1 and msg[3] is None \
            and isinstance(msg[2], dict) and msg[2].get("code") == INTERNAL, \
            "an abandoned plan may only be answered -32603: %r" % (msg,)


@pytest.mark.parametrize("how", ["close", "half_close", "queued"])
def test_abandoned_plan_stops_and_daemon_keeps_serving(daemon_factory, how):
    d = daemon_factory()
    c = d.connect()
    store(c, big_world())
    a, during = start_big_plan(d, c)
    # the loop and the workers answer at their usual speed meanwhile
    t = time.monotonic()
    assert c.call("system.ping") == "pong"
    r = c.call("match.openings", {"specialty_id": "B0000", "k": 5})
    assert len(r["items"]) == 5
    assert time.monotonic() - t < 0.5, "a query waited %.2f s behind a plan" % (
        time.monotonic() - t)
    if how == "queued":
        # a second plan waits for the one planner thread; its client goes
        q = d.connect()
        q.send_request("orderclass.plan", BIG_PARAMS)
        assert wait_calls(c, 2, 2.0) == 2
        q.close()
        time.sleep(0.2)
        # (chanjiaod drops it when the planner thread reaches it: until then
        # it still counts in jobs.calls, so only what follows is checked)
        a.close()
    elif how == "close":
        a.close()
    else:
        a.sock.shutdown(socket.SHUT_WR)
    # abandoned: no call left within a few seconds (not 60; when queued,
    # the second plan did not start either)
    n = wait_calls(c, 0, 5.0)
    assert n == 0, "the abandoned plan still runs (jobs.calls %d) 5 s after its client left" % n
    if how == "half_close":
        expect_abandoned(a)
    # a solver child of the abandoned plan (chanjiaod runs CBC in one) is gone
    assert gone(during), "the solver process of the abandoned plan is still there"
    # a new connection is served at once, and the next plan runs now
    with Client.tcp(d.port, 5) as b:
        t = time.monotonic()
        assert b.call("system.ping") == "pong"
        assert time.monotonic() - t < 0.5
        t = time.monotonic()
        r = b.call("orderclass.plan", dict(BIG_PARAMS, time_limit_ms=300), timeout=10)
        assert time.monotonic() - t < 3.0, "the next plan waited behind the abandoned one"
        assert r["bound"] >= r["objective"] - tol(r["objective"])
        stats = b.call("system.stats")
        assert stats["methods"]["orderclass.plan"]["calls"] >= 1
        assert stats["jobs"]["calls"] == 0


def test_daemon_stops_promptly_during_a_plan(daemon_factory):
    d = daemon_factory()
    c = d.connect()
    store(c, big_world())
    a, during = start_big_plan(d, c)
    t = time.monotonic()
    rc = d.stop()
    took = time.monotonic() - t
    assert rc == 0 and took < 5.0, "SIGTERM during a plan: exit %r after %.1f s" % (rc, took)
    assert gone(during), "a solver process outlived the daemon"


# ------------------------------------------------------------ self-tests

def tiny_instance():
    """Two specialties, two enterprises, classes of 5..8.  E1 (10 places)
    cannot take a class from both, so the optimum is X-E1 8 + Y-E2 6 =
    7.2 + 4.2 = 11.4 (X-E1 5 + Y-E1 5 gives 8.5, X-E2 8 + Y-E1 6 8.8)."""
    pairs = {("X", "E1"): 0.9, ("Y", "E1"): 0.8, ("Y", "E2"): 0.7, ("X", "E2"): 0.5}
    supply = {"X": 8, "Y": 6}
    demand = {"E1": 10, "E2": 9}
    return pairs, supply, demand


def enumerate_optimum(pairs, supply, demand, mn, mx):
    keys = sorted(pairs)
    choices = [[0] + list(range(mn, min(mx, supply[k[0]], demand[k[1]]) + 1)) for k in keys]
    best = 0.0
    for sizes in itertools.product(*choices):
        ok = all(sum(n for k, n in zip(keys, sizes) if k[0] == s) <= supply[s] for s in supply)
        ok = ok and all(sum(n for k, n in zip(keys, sizes) if k[1] == e) <= demand[e]
                        for e in demand)
        if ok:
            best = max(best, sum(n * pairs[k] for k, n in zip(keys, sizes)))
    return best


def answer_from(sol, pairs, bound=None, optimal=True):
    classes = [{"school_id": "S" + k[0], "specialty_id": k[0], "enterprise_id": k[1],
                "size": n, "score": pairs[k]} for k, n in sorted(sol.items())]
    obj = sum(c["size"] * c["score"] for c in classes)
    return {"classes": classes, "students": sum(c["size"] for c in classes),
            "objective": obj, "bound": obj if bound is None else bound,
            "optimal": optimal, "solve_ms": 0.5}


@needs_glpsol
def test_checkers_reject_broken_plans(tmp_path):
    pairs, supply, demand = tiny_instance()
    sch = {"X": "SX", "Y": "SY"}
    opt, sol = orderclass_mip(pairs, supply, demand, 5, 8, GLPSOL, tmp_path)
    assert opt == pytest.approx(11.4) and sol == {("X", "E1"): 8, ("Y", "E2"): 6}
    good = answer_from(sol, pairs)
    check_plan(good, pairs, supply, demand, 5, 8, sch)
    check_optimum(good, opt)

    def broken(f):
        r = answer_from(sol, pairs)
        f(r)
        return r

    def shrink(r):                      # a class below min_size
        r["classes"][1]["size"] = 4
        r["students"] -= 2
        r["objective"] -= 2 * 0.7
    bad = [
        broken(shrink),
        broken(lambda r: r["classes"][0].update(size=9)),          # over max and supply
        broken(lambda r: r["classes"].reverse()),                  # order
        broken(lambda r: r["classes"].append(dict(r["classes"][0], size=5))),  # twice
        broken(lambda r: r["classes"][1].update(school_id="SX")),  # wrong school
        broken(lambda r: r["classes"][1].update(score=0.71)),      # not the pair's score
        broken(lambda r: r.update(students=15)),
        broken(lambda r: r.update(objective=11.5)),
        broken(lambda r: r.update(bound=11.0)),                    # bound below objective
        broken(lambda r: r.update(bound=12.0)),                    # optimal but a gap
        broken(lambda r: r.update(solve_ms=1)),
    ]
    for i, r in enumerate(bad):
        with pytest.raises(AssertionError):
            check_plan(r, pairs, supply, demand, 5, 8, sch)
            pytest.fail("broken plan %d passed check_plan" % i)
    # over demand: E1 takes 8 + 5 > 10 (feasible sizes, infeasible totals)
    r = answer_from({("X", "E1"): 8, ("Y", "E1"): 5}, pairs)
    with pytest.raises(AssertionError):
        check_plan(r, pairs, supply, demand, 5, 8, sch)
    # a feasible but worse plan that claims optimality (bound := objective)
    r = answer_from({("X", "E1"): 8}, pairs)
    check_plan(r, pairs, supply, demand, 5, 8, sch)
    with pytest.raises(AssertionError):
        check_optimum(r, opt)
    # ... and one honest about a gap still has a bound below the optimum
    r = answer_from({("X", "E1"): 8}, pairs, bound=11.0, optimal=False)
    check_plan(r, pairs, supply, demand, 5, 8, sch)
    with pytest.raises(AssertionError):
        check_optimum(r, opt, proven=False)
    # the instance check notices a missing pair, a wrong score, supply, demand
    inst = {"pairs": [{"specialty_id": k[0], "enterprise_id": k[1], "score": s}
                      for k, s in pairs.items()], "supply": dict(supply), "demand": dict(demand)}
    check_instance(inst, pairs, supply, demand)
    for f in (lambda x: x["pairs"].pop(),
              lambda x: x["pairs"][0].update(score=0.91),
              lambda x: x["supply"].update(X=9),
              lambda x: x["demand"].pop("E2")):
        y = {"pairs": [dict(p) for p in inst["pairs"]], "supply": dict(supply),
             "demand": dict(demand)}
        f(y)
        with pytest.raises(AssertionError):
            check_instance(y, pairs, supply, demand)


@needs_glpsol
@pytest.mark.parametrize("seed", range(6))
def test_glpk_model_agrees_with_enumeration(tmp_path, seed):
    rng = random.Random(1000 + seed)
    specs = ["X", "Y", "Z"][:rng.randint(1, 3)]
    ents = ["E1", "E2", "E3"][:rng.randint(1, 3)]
    pairs = {(s, e): rng.choice([0.5, 0.61, 0.72, 0.9]) for s in specs for e in ents
             if rng.random() < 0.8}
    supply = {s: rng.randint(0, 14) for s in specs}
    demand = {e: rng.randint(0, 14) for e in ents}
    mn = rng.randint(1, 5)
    mx = mn + rng.randint(0, 4)
    opt, sol = orderclass_mip(pairs, supply, demand, mn, mx, GLPSOL, tmp_path)
    assert opt == pytest.approx(enumerate_optimum(pairs, supply, demand, mn, mx), abs=1e-9)


def test_instance_oracle_on_the_hand_store():
    """oracle.orderclass_instance on the hand fixture's records."""
    w = World()
    w.put("school", {"id": "S1", "name": "一校", "level": "higher", "region": "330702"})
    w.put("specialty", {"id": "A", "school_id": "S1", "major_code": "460103",
                        "name": "数控", "cohorts": {"2026": 30}})
    w.put("enterprise", {"id": "E1", "name": "甲", "region": "330702"})
    w.put("enterprise", {"id": "E2", "name": "乙", "region": "330784"})
    for p in ({"id": "P1", "enterprise_id": "E1", "title": "t", "kind": "job",
               "headcount": 25, "majors": ["460103"]},
              {"id": "P2", "enterprise_id": "E2", "title": "t", "kind": "internship",
               "headcount": 25, "majors": ["4601"]},
              {"id": "P3", "enterprise_id": "E1", "title": "t", "kind": "job",
               "headcount": 10, "majors": ["51"]}):
        w.put("posting", p)
    pairs, supply, demand = orderclass_instance(w, 2026)
    assert pairs == pytest.approx({("A", "E1"): 0.9, ("A", "E2"): 0.87})
    assert supply == {"A": 30} and demand == {"E1": 35, "E2": 25}
    pairs, supply, demand = orderclass_instance(w, 2026, school_id="S1",
                                                region_prefix="330784")
    assert list(pairs) == [("A", "E2")] and demand == {"E2": 25}
    pairs, _, demand = orderclass_instance(w, 2026, kinds=["internship"])
    assert list(pairs) == [("A", "E2")] and demand == {"E2": 25}
    assert list(orderclass_instance(w, 2026, min_score=0.88)[0]) == [("A", "E1")]
