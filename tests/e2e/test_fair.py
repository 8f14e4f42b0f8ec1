"""fair.allocate and fair.schedule against docs/matching.md's definitions.

Hand-computed fairs first: the allocation, each posting's demand toward
its best arc's direction (a tie to the direction listed first) beside
`reachable`, `short` and `unscheduled` by enterprise id, booths by main
chain.  Then random fairs whose arcs and direction rows are recomputed by
oracle.py and whose optimum is recomputed by GLPK's glpsol (an LP: the
network matrix makes it integral), and random tiny fairs whose schedule
is recomputed by enumeration.
"""
import itertools
import random
import shutil
import subprocess
import time

import pytest

from conftest import (INVALID_PARAMS, NOT_FOUND, enterprise, expect_error,
                      fair, posting, school, specialty)
from oracle import (World, booth_key, fair_direction_rows, fair_instance, rkey,
                    schedule_lists)

GLPSOL = shutil.which("glpsol")


def spec(id, code, avail, **kw):
    return specialty(id=id, school_id="S1", major_code=code, cohorts={"2026": avail},
                     skills=[], chains=[], **kw)


def post(id, majors, hc, eid="E1", **kw):
    return posting(id=id, enterprise_id=eid, majors=majors, headcount=hc, skills=[],
                   **{k: v for k, v in kw.items()})


def nolevel(p):
    p.pop("level", None)
    return p


@pytest.fixture
def hand(client):
    """D1 460103 <- A (10); D2 4601 <- B 460104 (5); D3 51 <- C (0).
    Region same county, no skills, no level, no chains: a score is
    0.4 + 0.4·major + 0.1·capacity."""
    c = client
    c.call("school.put", school(id="S1", level="higher", region="330702"))
    c.call("specialty.put", {"records": [spec("A", "460103", 10), spec("B", "460104", 5),
                                         spec("C", "510201", 0)]})
    c.call("enterprise.put", enterprise(id="E1", region="330702", chains=[]))
    c.call("posting.put", {"records": [
        nolevel(post("P1", ["460103"], 8)), nolevel(post("P2", ["4601"], 10)),
        nolevel(post("P3", ["51"], 3, kind="internship"))]})
    c.call("fair.put", fair(
        id="F1", date="2026-05-20", school_ids=["S1"], enterprise_ids=["E1"],
        directions=[{"id": "D1", "name": "数控", "majors": ["460103"]},
                    {"id": "D2", "name": "机械", "majors": ["4601"]},
                    {"id": "D3", "name": "电子", "majors": ["51"]}],
        sessions=[{"id": "AM", "start": "2026-05-20T09:00", "end": "2026-05-20T12:00",
                   "booths": 5}], requests={}))
    return c


def check_feasible(r, arcs, supply, headcount):
    """No direction over supply, no posting over headcount, only arcs."""
    by_dir, by_post = {}, {}
    for a in r["allocations"]:
        assert a["count"] > 0
        key = (a["posting_id"], a["direction_id"])
        assert key in arcs, key
        assert a["score"] == pytest.approx(arcs[key], abs=1e-9)
        by_dir[a["direction_id"]] = by_dir.get(a["direction_id"], 0) + a["count"]
        by_post[a["posting_id"]] = by_post.get(a["posting_id"], 0) + a["count"]
    for d, n in by_dir.items():
        assert n <= supply[d], d
    for p, n in by_post.items():
        assert n <= headcount[p], p
    assert r["placed"] == sum(by_dir.values())
    assert r["objective"] == pytest.approx(
        sum(a["count"] * a["score"] for a in r["allocations"]), abs=1e-6)
    unfilled = {u["posting_id"]: u["open"] for u in r["unfilled"]}
    for p, h in headcount.items():
        open_ = h - by_post.get(p, 0)
        assert unfilled.get(p, 0) == open_, p
    for d in r["directions"]:
        assert d["allocated"] == by_dir.get(d["direction_id"], 0)


def test_allocate_hand_computed(hand):
    r = hand.call("fair.allocate", {"fair_id": "F1", "explain": True})
    arcs = {(a["posting_id"], a["direction_id"]): a["score"] for a in r["arcs"]}
    # P3's field has no direction with available graduates: no arc
    assert arcs == pytest.approx({("P1", "D1"): 0.9, ("P1", "D2"): 0.7025,
                                  ("P2", "D1"): 0.9, ("P2", "D2"): 0.85})
    assert r["placed"] == 15
    assert r["objective"] == pytest.approx(10 * 0.9 + 5 * 0.85)
    # D2's five go to P2 (0.85 beats 0.7025); D1's ten anywhere at 0.9
    d2 = [a for a in r["allocations"] if a["direction_id"] == "D2"]
    assert [(a["posting_id"], a["count"]) for a in d2] == [("P2", 5)]
    # demand: P1 (8) and P2 (10) both have their best arc to D1 (0.9 beats
    # 0.7025 and 0.85); reachable: both reach D1 and D2; P3 reaches nothing
    assert r["directions"] == [
        {"direction_id": "D1", "supply": 10, "demand": 18, "reachable": 18,
         "allocated": 10, "positions_per_graduate": pytest.approx(1.8)},
        {"direction_id": "D2", "supply": 5, "demand": 0, "reachable": 18,
         "allocated": 5, "positions_per_graduate": 0.0},
        {"direction_id": "D3", "supply": 0, "demand": 0, "reachable": 0,
         "allocated": 0, "positions_per_graduate": None}]
    assert sum(u["open"] for u in r["unfilled"]) == 21 - 15
    assert isinstance(r["solve_ms"], float) and r["solve_ms"] >= 0
    check_feasible(r, arcs, {"D1": 10, "D2": 5, "D3": 0}, {"P1": 8, "P2": 10, "P3": 3})
    assert "arcs" not in hand.call("fair.allocate", {"fair_id": "F1"})


def test_demand_goes_to_the_best_arc_and_a_tie_to_the_direction_listed_first(client):
    """S1 higher 330702: X 460103 (10) supplies DB, Y 460104 (10) DA, Z 510201
    (5) DC; the fair lists DB, DA, DC (not in id order).  E1 330702, no
    chains; postings without level or skills, so a score is
    0.4 + 0.4·major + 0.1·capacity:
      Q 4601 (6):   X 1 -> DB 0.9, Y 1 -> DA 0.9          a tie: DB, listed first
      R 460104 (4): X 0.6 -> DB 0.74, Y 1 -> DA 0.9        best DA, listed second
      T 51 (3):     Z 1, capacity 5/3 -> 1 -> DC 0.9
      V 53 (2):     no direction supplies field group 53: no arc, no demand
    demand DB 6, DA 4, DC 3 (= 13, the positions some direction can fill,
    of 15); reachable DB 10, DA 10, DC 3."""
    c = client
    c.call("school.put", school(id="S1", level="higher", region="330702"))
    c.call("specialty.put", {"records": [spec("X", "460103", 10), spec("Y", "460104", 10),
                                         spec("Z", "510201", 5)]})
    c.call("enterprise.put", enterprise(id="E1", region="330702", chains=[]))
    c.call("posting.put", {"records": [
        nolevel(post("Q", ["4601"], 6)), nolevel(post("R", ["460104"], 4)),
        nolevel(post("T", ["51"], 3)), nolevel(post("V", ["53"], 2))]})
    c.call("fair.put", fair(
        id="F1", date="2026-05-20", school_ids=["S1"], enterprise_ids=["E1"],
        directions=[{"id": "DB", "name": "数控", "majors": ["460103"]},
                    {"id": "DA", "name": "机械", "majors": ["460104"]},
                    {"id": "DC", "name": "电子", "majors": ["51"]}],
        sessions=[], requests={}))
    r = c.call("fair.allocate", {"fair_id": "F1", "explain": True})
    assert {(a["posting_id"], a["direction_id"]): a["score"] for a in r["arcs"]} == \
        pytest.approx({("Q", "DB"): 0.9, ("Q", "DA"): 0.9, ("R", "DB"): 0.74,
                       ("R", "DA"): 0.9, ("T", "DC"): 0.9})
    rows = [(d["direction_id"], d["supply"], d["demand"], d["reachable"],
             d["positions_per_graduate"]) for d in r["directions"]]
    assert rows == [("DB", 10, 6, 10, pytest.approx(0.6)),
                    ("DA", 10, 4, 10, pytest.approx(0.4)),
                    ("DC", 5, 3, 3, pytest.approx(0.6))]
    assert r["placed"] == 13 and r["objective"] == pytest.approx(13 * 0.9)
    assert r["unfilled"] == [{"posting_id": "V", "open": 2}]
    # stats.balance by direction gives the same rows
    b = c.call("stats.balance", {"by": "direction", "fair_id": "F1"})
    assert [(x["key"], x["supply"], x["demand"]) for x in b["rows"]] == [
        ("DB", 10, 6), ("DA", 10, 4), ("DC", 5, 3)]
    # min_score 0.8 drops R -> DB (0.74): R still counts toward DA only
    r = c.call("fair.allocate", {"fair_id": "F1", "min_score": 0.8})
    assert [(d["demand"], d["reachable"]) for d in r["directions"]] == [
        (6, 6), (4, 10), (3, 3)]


def test_allocate_min_score_and_kinds(hand):
    r = hand.call("fair.allocate", {"fair_id": "F1", "min_score": 0.86})
    assert r["placed"] == 10 and r["objective"] == pytest.approx(9.0)
    assert {a["direction_id"] for a in r["allocations"]} == {"D1"}
    r = hand.call("fair.allocate", {"fair_id": "F1", "kinds": ["internship"]})
    assert r["placed"] == 0 and r["allocations"] == []
    assert r["unfilled"] == [{"posting_id": "P3", "open": 3}]
    # grad year without cohorts: nothing to place
    r = hand.call("fair.allocate", {"fair_id": "F1", "grad_year": 2031})
    assert r["placed"] == 0 and [d["supply"] for d in r["directions"]] == [0, 0, 0]
    # the default grad year is the fair date's: after 31 August, the next
    f = hand.call("fair.get", {"id": "F1"})
    f["date"] = "2026-09-01"
    hand.call("fair.put", f)
    r = hand.call("fair.allocate", {"fair_id": "F1"})
    assert r["placed"] == 0 and [d["supply"] for d in r["directions"]] == [0, 0, 0]
    r = hand.call("fair.allocate", {"fair_id": "F1", "grad_year": 2026})
    assert r["placed"] == 15


@pytest.mark.parametrize("params,field,code", [
    ({}, "fair_id", INVALID_PARAMS),
    ({"fair_id": "F9"}, "fair_id", NOT_FOUND),
    ({"fair_id": "F1", "min_score": 1.5}, "min_score", INVALID_PARAMS),
    ({"fair_id": "F1", "min_score": "0.5"}, "min_score", INVALID_PARAMS),
    ({"fair_id": "F1", "kinds": ["job", "gig"]}, "kinds[1]", INVALID_PARAMS),
    ({"fair_id": "F1", "kinds": []}, "kinds", INVALID_PARAMS),
    ({"fair_id": "F1", "explain": 1}, "explain", INVALID_PARAMS),
    ({"fair_id": "F1", "grad_year": 20260}, "grad_year", INVALID_PARAMS),
    ({"fair_id": "F1", "what": 1}, "what", INVALID_PARAMS),
])
def test_allocate_bad_params(hand, params, field, code):
    expect_error(hand, "fair.allocate", params, code, field)


# ---------------------------------------------------------------- oracles

def glpk_optimum(arcs, supply, headcount):
    """(max count, max Σ count × score at that count) by two LPs."""
    names = {k: "x%d" % i for i, k in enumerate(sorted(arcs))}

    def lp(objective, extra):
        rows = []
        for d in supply:
            terms = [names[k] for k in names if k[1] == d]
            if terms:
                rows.append(" + ".join(terms) + " <= %d" % supply[d])
        for p in headcount:
            terms = [names[k] for k in names if k[0] == p]
            if terms:
                rows.append(" + ".join(terms) + " <= %d" % headcount[p])
        rows += extra
        text = "Maximize\n obj: %s\nSubject To\n%s\nBounds\n%s\nEnd\n" % (
            objective, "\n".join(" c%d: %s" % (i, r) for i, r in enumerate(rows)),
            "\n".join(" %s >= 0" % n for n in names.values()))
        return text

    def solve(text, tmp):
        path = tmp + ".lp"
        with open(path, "w") as f:
            f.write(text)
        out = subprocess.run([GLPSOL, "--lp", path, "-o", tmp + ".out"],
                             capture_output=True, text=True, check=True)
        assert "OPTIMAL" in out.stdout, out.stdout
        for line in open(tmp + ".out"):
            if line.startswith("Objective:"):
                return float(line.split("=")[1].split()[0])
        raise AssertionError("no objective")

    if not names:
        return 0, 0.0
    tmp = "/tmp/cj-fair-%d-%d" % (id(arcs), time.monotonic_ns())
    total = " + ".join(names.values())
    count = round(solve(lp(total, []), tmp + "a"))
    weighted = " + ".join("%.9f %s" % (arcs[k], n) for k, n in names.items())
    best = solve(lp(weighted, [total + " = %d" % count]), tmp + "b")
    return count, best


def random_fair(c, rng, n_spec=24, n_ent=10, n_post=30, n_dir=5):
    """Store a random fair; return (World, fair record)."""
    w = World()
    codes = ["460103", "460104", "460105", "460201", "460301", "510101", "510201",
             "660103", "660104", "710201", "560301", "530701"]
    s = school(id="S1", level="higher", region="330702")
    s2 = school(id="S2", level="secondary", region="330784")
    c.call("school.put", {"records": [s, s2]})
    w.put("school", s)
    w.put("school", s2)
    specs = []
    for i in range(n_spec):
        sid = rng.choice(["S1", "S2"])
        pool = [x for x in codes if (x[0] in "45") == (sid == "S1")]
        r = specialty(id="SP%02d" % i, school_id=sid, major_code=rng.choice(pool),
                      cohorts={"2026": rng.choice([0, 5, 10, 20, 40])},
                      skills=rng.sample(["CNC", "CAD", "PLC", "焊接"], rng.randint(0, 2)),
                      chains=rng.sample(["工业机床", "新能源汽车"], rng.randint(0, 1)))
        specs.append(r)
        w.put("specialty", r)
    c.call("specialty.put", {"records": specs})
    ents = []
    for i in range(n_ent):
        e = enterprise(id="E%02d" % i, region=rng.choice(["330702", "330784", "330102", "110101"]),
                       chains=rng.sample(["工业机床", "新能源汽车", "光伏"], rng.randint(0, 2)))
        ents.append(e)
        w.put("enterprise", e)
    c.call("enterprise.put", {"records": ents})
    posts = []
    prefixes = ["4601", "460103", "46", "51", "5102", "66", "6601", "71", "56", "53"]
    for i in range(n_post):
        p = posting(id="P%03d" % i, enterprise_id=rng.choice(ents)["id"],
                    majors=rng.sample(prefixes, rng.randint(0, 2)),
                    headcount=rng.choice([0, 1, 3, 5, 8, 15, 30]),
                    skills=rng.sample(["CNC", "CAD", "PLC", "焊接"], rng.randint(0, 2)),
                    kind=rng.choice(["job", "job", "internship"]))
        if rng.random() < 0.5:
            p.pop("level", None)
        if rng.random() < 0.3:
            p["region"] = rng.choice(["330702", "330783"])
        posts.append(p)
        w.put("posting", p)
    c.call("posting.put", {"records": posts})
    dir_prefixes = [["460103"], ["4601"], ["46", "66"], ["51", "71"], ["5603", "53"],
                    ["6601"], ["460201"]]
    f = fair(id="F1", date="2026-05-20", school_ids=["S1", "S2"],
             enterprise_ids=[e["id"] for e in ents],
             directions=[{"id": "D%d" % i, "name": "d%d" % i, "majors": m}
                         for i, m in enumerate(rng.sample(dir_prefixes, n_dir))],
             sessions=[{"id": "AM", "start": "2026-05-20T09:00",
                        "end": "2026-05-20T12:00", "booths": rng.randint(2, 6),
                        "directions": []}],
             requests={})
    f["sessions"][0].pop("directions")
    c.call("fair.put", f)
    return w, f


@pytest.mark.skipif(GLPSOL is None, reason="glpsol (glpk-utils) not installed")
@pytest.mark.parametrize("seed", range(8))
def test_allocate_matches_brute_force_arcs_and_glpk_optimum(daemon_factory, seed):
    rng = random.Random(seed)
    d = daemon_factory()
    c = d.connect()
    w, f = random_fair(c, rng, n_spec=rng.randint(5, 30), n_post=rng.randint(5, 40),
                       n_dir=rng.randint(2, 6))
    for params in ({}, {"min_score": 0.7}, {"kinds": ["job"]}):
        r = c.call("fair.allocate", dict(params, fair_id="F1", explain=True))
        supply, arcs, headcount = fair_instance(w, f, 2026,
                                                min_score=params.get("min_score", 0),
                                                kinds=params.get("kinds"))
        got = {(a["posting_id"], a["direction_id"]): a["score"] for a in r["arcs"]}
        assert got == pytest.approx(arcs, abs=1e-9), (seed, params)
        assert {x["direction_id"]: x["supply"] for x in r["directions"]} == supply
        want = fair_direction_rows(f, arcs, headcount)
        assert {x["direction_id"]: (x["demand"], x["reachable"])
                for x in r["directions"]} == want, (seed, params)
        for x in r["directions"]:
            s_ = x["supply"]
            assert x["positions_per_graduate"] == (
                None if s_ == 0 else pytest.approx(x["demand"] / s_))
        check_feasible(r, arcs, supply, headcount)
        count, best = glpk_optimum(arcs, supply, headcount)
        assert r["placed"] == count, (seed, params)
        assert r["objective"] == pytest.approx(best, abs=1e-6), (seed, params)
    # stats.balance by direction: fair.allocate's rows (min_score 0, every
    # kind), rows of 0 and 0 left out; region_prefix cuts both sides
    for prefix in (None, "3307", "330784"):
        supply, arcs, headcount = fair_instance(w, f, 2026, region_prefix=prefix)
        rows = fair_direction_rows(f, arcs, headcount)
        want = [(d["id"], supply[d["id"]], rows[d["id"]][0]) for d in f["directions"]
                if supply[d["id"]] or rows[d["id"]][0]]
        params = {"by": "direction", "fair_id": "F1"}
        if prefix:
            params["region_prefix"] = prefix
        b = c.call("stats.balance", params)
        assert [(x["key"], x["supply"], x["demand"]) for x in b["rows"]] == want, (
            seed, prefix)


# ---------------------------------------------------------------- schedule

def schedule_oracle(f, arcs, posts_of, chains):
    """Enumerate every schedule; the lexicographic best (covered, slots,
    relevance) of docs/matching.md fair.schedule."""
    sessions = f["sessions"]
    wants = {e: f.get("requests", {}).get(e, 1) for e in f["enterprise_ids"]}
    dir_ids = [d["id"] for d in f["directions"]]

    def rel(e, s):
        feat = s.get("directions") or dir_ids
        total = 0.0
        for p, hc in posts_of.get(e, []):
            b = max([arcs[(p, d)] for d in feat if (p, d) in arcs] or [0.0])
            total += hc * b
        return total
    ents = f["enterprise_ids"]
    options = []
    for e in ents:
        opts = []
        for k in range(0, min(wants[e], len(sessions)) + 1):
            opts += list(itertools.combinations(range(len(sessions)), k))
        options.append(opts)
    best = None
    for choice in itertools.product(*options):
        load = [0] * len(sessions)
        for ss in choice:
            for s in ss:
                load[s] += 1
        if any(load[i] > sessions[i]["booths"] for i in range(len(sessions))):
            continue
        key = (sum(1 for ss in choice if ss), sum(len(ss) for ss in choice),
               rkey(sum(rel(e, sessions[s]) for e, ss in zip(ents, choice) for s in ss)))
        if best is None or key > best:
            best = key
    return best, rel


@pytest.mark.parametrize("seed", range(6))
def test_schedule_matches_enumeration(daemon_factory, seed):
    rng = random.Random(100 + seed)
    d = daemon_factory()
    c = d.connect()
    w, f = random_fair(c, rng, n_spec=12, n_ent=rng.randint(3, 5), n_post=10,
                       n_dir=3)
    f["sessions"] = [{"id": "S%d" % i, "start": "2026-05-20T09:00",
                      "end": "2026-05-20T12:00", "booths": rng.randint(1, 3)}
                     for i in range(rng.randint(1, 3))]
    if rng.random() < 0.7:
        f["sessions"][0]["directions"] = [f["directions"][0]["id"]]
    f["requests"] = {e: rng.randint(1, 2) for e in f["enterprise_ids"][:2]}
    c.call("fair.put", f)
    _, arcs, _ = fair_instance(w, f, 2026)
    posts_of = {}
    for pid, p in w.postings.items():
        posts_of.setdefault(p["enterprise_id"], []).append((pid, p["headcount"]))
    chains = {e["id"]: list(e.get("chains") or []) for e in w.enterprises.values()}
    (covered, slots, relk), rel = schedule_oracle(f, arcs, posts_of, chains)
    r = c.call("fair.schedule", {"fair_id": "F1"})
    assert set(r) == {"slots", "unscheduled", "short", "score"}
    got_cov = {s["enterprise_id"] for s in r["slots"]}
    assert len(got_cov) == covered, (seed, r)
    assert len(r["slots"]) == slots, (seed, r)
    sess = {s["id"]: s for s in f["sessions"]}
    score = sum(rel(s["enterprise_id"], sess[s["session_id"]]) for s in r["slots"])
    assert rkey(score) == relk, (seed, r)
    assert r["score"] == pytest.approx(score, abs=1e-6)
    # feasibility and booth order: 1..n per session, by first chain then id
    for sid, s in sess.items():
        here = [x for x in r["slots"] if x["session_id"] == sid]
        assert len(here) <= s["booths"]
        assert sorted(x["booth"] for x in here) == list(range(1, len(here) + 1))
        ents = [x["enterprise_id"] for x in sorted(here, key=lambda x: x["booth"])]
        assert len(set(ents)) == len(ents)
        assert ents == sorted(ents, key=lambda e: booth_key(chains[e], e)), (sid, ents)
    wants = {e: f["requests"].get(e, 1) for e in f["enterprise_ids"]}
    got = {}
    for x in r["slots"]:
        got[x["enterprise_id"]] = got.get(x["enterprise_id"], 0) + 1
    for e in got_cov:
        assert got[e] <= wants[e]
    unscheduled, short = schedule_lists(wants, got)
    assert r["unscheduled"] == unscheduled, (seed, r)
    assert r["short"] == short, (seed, r)


def test_schedule_unknown_fair_and_bad_params(hand):
    expect_error(hand, "fair.schedule", {"fair_id": "F9"}, NOT_FOUND, "fair_id")
    expect_error(hand, "fair.schedule", {"fair_id": "F1", "k": 1}, INVALID_PARAMS, "k")
    expect_error(hand, "fair.schedule", {}, INVALID_PARAMS, "fair_id")


def sched_world(c, ents):
    """S1 higher 330702 with A 460103 (10); enterprises (id, chains,
    has_posting) in region 330702, those with one get a posting P<id> for
    4601, headcount 1 (score 0.9 against A)."""
    c.call("school.put", school(id="S1", level="higher", region="330702"))
    c.call("specialty.put", spec("A", "460103", 10))
    c.call("enterprise.put", {"records": [
        enterprise(id=e, region="330702", chains=ch) for e, ch, _ in ents]})
    posts = [nolevel(post("P" + e, ["4601"], 1, eid=e)) for e, _, has in ents if has]
    if posts:
        c.call("posting.put", {"records": posts})


def test_schedule_short_and_unscheduled_by_enterprise_id(client):
    """Four booths (AM 2, PM 2) for six enterprises that want slots: EZ
    (wants 2), EY (3), EA, EC (1 each) have a posting (relevance 0.9 in
    either session), EX (1) and EB (2) none, ED wants 0.  The most
    enterprises: four; the most relevance: EZ, EY, EA, EC, one slot each.
    So EY and EZ are short (by id, not in the fair's order), EB and EX
    unscheduled (EB wanted 2 and got none: unscheduled, not short), ED
    neither."""
    c = client
    sched_world(c, [("EZ", [], True), ("EX", [], False), ("EY", [], True),
                    ("EB", [], False), ("EA", [], True), ("EC", [], True),
                    ("ED", [], False)])
    c.call("fair.put", fair(
        id="F1", date="2026-05-20", school_ids=["S1"],
        enterprise_ids=["EZ", "EX", "EY", "EB", "EA", "EC", "ED"],
        directions=[{"id": "D1", "name": "机械", "majors": ["46"]}],
        sessions=[{"id": "AM", "start": "2026-05-20T09:00", "end": "2026-05-20T12:00",
                   "booths": 2},
                  {"id": "PM", "start": "2026-05-20T13:00", "end": "2026-05-20T16:00",
                   "booths": 2}],
        requests={"EZ": 2, "EY": 3, "EB": 2, "ED": 0}))
    r = c.call("fair.schedule", {"fair_id": "F1"})
    assert sorted(x["enterprise_id"] for x in r["slots"]) == ["EA", "EC", "EY", "EZ"]
    assert r["unscheduled"] == ["EB", "EX"]
    assert r["short"] == [{"enterprise_id": "EY", "wanted": 3, "got": 1},
                          {"enterprise_id": "EZ", "wanted": 2, "got": 1}]
    assert r["score"] == pytest.approx(4 * 0.9)
    # with room for every slot wanted (EZ 2, EY 2 of 3: two sessions) only
    # EY stays short, and no one is unscheduled
    f = c.call("fair.get", {"id": "F1"})
    for s in f["sessions"]:
        s["booths"] = 5
    c.call("fair.put", f)
    r = c.call("fair.schedule", {"fair_id": "F1"})
    assert r["unscheduled"] == []
    assert r["short"] == [{"enterprise_id": "EY", "wanted": 3, "got": 2}]
    assert len(r["slots"]) == 2 + 2 + 1 + 2 + 1 + 1       # EZ EY EX EB EA EC


def test_schedule_numbers_booths_by_main_chain_then_id(client):
    """Booths in a session follow the main chain, the first tag of
    `chains` as listed (bytes; none last), then enterprise id:
    EA [a], EB [m, 0], EM [m], EZ [z, a], EG [光伏, a] (光 is E5 85 89,
    after z), EN [] -> 1..6.  By each one's smallest tag EB (0) would
    come first and EZ, EG beside EA."""
    c = client
    sched_world(c, [("EZ", ["z", "a"], True), ("EM", ["m"], False),
                    ("EN", [], True), ("EB", ["m", "0"], False),
                    ("EA", ["a"], False), ("EG", ["光伏", "a"], True)])
    c.call("fair.put", fair(
        id="F1", date="2026-05-20", school_ids=["S1"],
        enterprise_ids=["EZ", "EM", "EN", "EB", "EA", "EG"],
        directions=[{"id": "D1", "name": "机械", "majors": ["46"]}],
        sessions=[{"id": "AM", "start": "2026-05-20T09:00", "end": "2026-05-20T12:00",
                   "booths": 10}],
        requests={}))
    r = c.call("fair.schedule", {"fair_id": "F1"})
    assert [(x["booth"], x["enterprise_id"]) for x in
            sorted(r["slots"], key=lambda x: x["booth"])] == [
        (1, "EA"), (2, "EB"), (3, "EM"), (4, "EZ"), (5, "EG"), (6, "EN")]
    assert r["unscheduled"] == [] and r["short"] == []
