"""A brute-force model of chanjiao's matching, written from docs/matching.md
(the scoring model and definitions) and docs/protocol.md only, for the e2e
tests.

It keeps its own copy of the records (mirror every put/del the test sends
to the daemon) and answers match.candidates / match.openings by scoring
every (specialty, posting) pair, with no index and no pruning.

Scores are compared after rounding to 1e-9 (docs/protocol.md); `rkey` gives the
rounded integer used for ordering.  The exact score of a pair is a rational
with a small denominator, so it is never within float error of a rounding
boundary: any correct float evaluation rounds to the same grid point.
"""
import copy
import csv
import math
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "data" / "major_catalog_2021.csv"

DEFAULT_WEIGHTS = {"major": 0.40, "skills": 0.15, "region": 0.15,
                   "level": 0.10, "capacity": 0.10, "chain": 0.10}
FACTORS = ("major", "skills", "region", "level", "capacity", "chain")

# Levels are ordered secondary < technician < higher < bachelor.
LEVEL_RANK = {"secondary": 0, "technician": 1, "higher": 2, "bachelor": 3}
# Which catalog codes a school level may offer (first digit of the code).
LEVEL_DIGITS = {"secondary": "67", "technician": "67", "higher": "45",
                "bachelor": "23"}
CATALOG_LEVEL = {"中职": "secondary", "高职专科": "higher", "职业本科": "bachelor"}


def load_catalog():
    """[(level, code)] of the 2021 catalog (level: secondary/higher/bachelor)."""
    out = []
    with open(CATALOG, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.append((CATALOG_LEVEL[row["education_level"]], row["major_code"]))
    return out


def catalog_names():
    """{code: name} of the 2021 catalog."""
    with open(CATALOG, encoding="utf-8") as f:
        return {row["major_code"]: row["major_name"] for row in csv.DictReader(f)}


# ------------------------------------------------------------ the factors

def field(code):
    """The code with its group moved to the higher-vocational numbering:
    groups 61-79 -20, groups 21-39 +20, others unchanged."""
    g = int(code[:2])
    if 61 <= g <= 79:
        g -= 20
    elif 21 <= g <= 39:
        g += 20
    return "%02d" % g + code[2:]


def major_one(code, prefix):
    if code.startswith(prefix):
        return 1.0
    if field(code)[:4].startswith(field(prefix)[:4]):
        return 0.6
    if field(code)[:2] == field(prefix)[:2]:
        return 0.3
    return 0.0


def major_factor(code, prefixes):
    if not prefixes:
        return 0.5
    return max(major_one(code, p) for p in prefixes)


def skills_factor(required, offered):
    if not required:
        return 1.0
    offered = set(offered or ())
    return sum(1 for s in required if s in offered) / len(required)


def region_factor(school_region, post_region):
    if post_region is None:
        return 1.0
    if school_region == post_region:
        return 1.0
    if school_region[:4] == post_region[:4]:
        return 0.8
    if school_region[:2] == post_region[:2]:
        return 0.5
    return 0.2


def level_factor(school_level, post_level):
    if post_level is None:
        return 1.0
    a, b = LEVEL_RANK[school_level], LEVEL_RANK[post_level]
    if a == b:
        return 1.0
    return 0.7 if a > b else 0.0


def capacity_factor(available, headcount):
    if headcount is None or headcount == 0:
        return 1.0
    return min(1.0, available / headcount)


def chain_factor(spec_chains, post_chains):
    return 1.0 if set(spec_chains or ()) & set(post_chains or ()) else 0.0


def total(weights, why):
    return sum(weights[f] * why[f] for f in FACTORS)


def rkey(score):
    """The score rounded to 1e-9, as an integer (half up; scores are >= 0)."""
    return int(math.floor(score * 1e9 + 0.5))


def default_grad_year(tm):
    """docs/matching.md: the year if on or before 31 August, else the next."""
    return tm.tm_year if tm.tm_mon <= 8 else tm.tm_year + 1


# ------------------------------------------------------------ the world

class World:
    """Records by kind and id; put/delete mirror the daemon's."""

    def __init__(self, weights=None):
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        self.schools = {}
        self.specialties = {}
        self.enterprises = {}
        self.postings = {}
        self.programs = {}
        self.students = {}

    def table(self, kind):
        return {"school": self.schools, "specialty": self.specialties,
                "enterprise": self.enterprises, "posting": self.postings,
                "program": self.programs, "student": self.students}[kind]

    def put(self, kind, rec):
        self.table(kind)[rec["id"]] = copy.deepcopy(rec)

    def delete(self, kind, id_):
        del self.table(kind)[id_]

    # -- views
    def post_view(self, posting_id):
        """The scoring view of a stored posting."""
        p = self.postings[posting_id]
        e = self.enterprises[p["enterprise_id"]]
        return {
            "majors": list(p["majors"]),
            "skills": list(p.get("skills") or ()),
            "region": p.get("region") or e["region"],   # effective region
            "level": p.get("level"),
            "headcount": p["headcount"],
            "chains": list(e.get("chains") or ()),
        }

    def program_view(self, program_id):
        """A program scored as a posting (docs/protocol.md apprenticeship.match):
        its majors, no skills, its region else its enterprise's, its level,
        headcount = mentors x per_mentor, its enterprise's chains."""
        g = self.programs[program_id]
        e = self.enterprises[g["enterprise_id"]]
        return {
            "majors": list(g["majors"]),
            "skills": [],
            "region": g.get("region") or e["region"],
            "level": g.get("level"),
            "headcount": g["mentors"] * g["per_mentor"],
            "chains": list(e.get("chains") or ()),
        }

    @staticmethod
    def query_view(q):
        """An ad-hoc query: what it omits scores 1 (region, level, capacity)
        or 0 (chain); no skills required scores 1."""
        return {
            "majors": list(q["majors"]),
            "skills": list(q.get("skills") or ()),
            "region": q.get("region"),
            "level": q.get("level"),
            "headcount": q.get("headcount"),
            "chains": list(q.get("chains") or ()),
        }

    def spec_view(self, spec_id, grad_year):
        s = self.specialties[spec_id]
        sc = self.schools[s["school_id"]]
        return {
            "id": s["id"], "school_id": s["school_id"],
            "code": s["major_code"], "region": sc["region"],
            "level": sc["level"],
            "available": s["cohorts"].get(str(grad_year), 0),
            "skills": list(s.get("skills") or ()),
            "chains": list(s.get("chains") or ()),
        }

    def score(self, post, spec):
        """(score, why) or None when the major factor is 0."""
        m = major_factor(spec["code"], post["majors"])
        if m == 0.0:
            return None
        why = {
            "major": m,
            "skills": skills_factor(post["skills"], spec["skills"]),
            "region": region_factor(spec["region"], post["region"]),
            "level": level_factor(spec["level"], post["level"]),
            "capacity": capacity_factor(spec["available"], post["headcount"]),
            "chain": chain_factor(spec["chains"], post["chains"]),
        }
        return total(self.weights, why), why

    # -- the two queries
    def candidates(self, post, grad_year, k=None, region_prefix=None,
                   min_available=None):
        """({items}, considered) for a post view, best first."""
        hits = []
        for sid in self.specialties:
            spec = self.spec_view(sid, grad_year)
            if region_prefix is not None and not spec["region"].startswith(region_prefix):
                continue
            if min_available is not None and spec["available"] < min_available:
                continue
            r = self.score(post, spec)
            if r is None:
                continue
            sc, why = r
            hits.append({"specialty_id": sid, "school_id": spec["school_id"],
                         "major_code": spec["code"],
                         "available": spec["available"],
                         "score": sc, "why": why})
        hits.sort(key=lambda h: (-rkey(h["score"]), h["specialty_id"].encode()))
        considered = len(hits)
        if k is not None:
            hits = hits[:k]
        return hits, considered

    def openings(self, spec_id, grad_year, k=None, kind=None,
                 region_prefix=None):
        spec = self.spec_view(spec_id, grad_year)
        hits = []
        for pid, p in self.postings.items():
            if kind is not None and p["kind"] != kind:
                continue
            post = self.post_view(pid)
            if region_prefix is not None and not post["region"].startswith(region_prefix):
                continue
            r = self.score(post, spec)
            if r is None:
                continue
            sc, why = r
            hits.append({"posting_id": pid, "enterprise_id": p["enterprise_id"],
                         "headcount": p["headcount"], "score": sc, "why": why})
        hits.sort(key=lambda h: (-rkey(h["score"]), h["posting_id"].encode()))
        considered = len(hits)
        if k is not None:
            hits = hits[:k]
        return hits, considered


# ------------------------------------------------------------ comparing

def diff_items(got, want, id_key, extra_keys):
    """None when the daemon's item list equals the oracle's (same order,
    same fields, scores within 1e-9 and equal after rounding, why factors
    within 1e-12); else a message naming the first difference."""
    gids = [g.get(id_key) for g in got]
    wids = [w[id_key] for w in want]
    if gids != wids:
        i = next((j for j, (a, b) in enumerate(zip(gids, wids)) if a != b),
                 min(len(gids), len(wids)))
        return ("order differs at %d (got %d items, want %d)\n  got  %r\n  want %r"
                % (i, len(gids), len(wids),
                   got[i] if i < len(got) else None,
                   want[i] if i < len(want) else None))
    for i, (g, w) in enumerate(zip(got, want)):
        for key in extra_keys:
            if g.get(key) != w[key]:
                return "item %d %s: %s got %r want %r" % (i, w[id_key], key,
                                                           g.get(key), w[key])
        if not isinstance(g.get("score"), (int, float)) or \
                abs(g["score"] - w["score"]) > 1e-9 or rkey(g["score"]) != rkey(w["score"]):
            return "item %d %s: score got %r want %r" % (i, w[id_key], g.get("score"),
                                                          w["score"])
        gw = g.get("why")
        if not isinstance(gw, dict) or set(gw) != set(FACTORS) or any(
                abs(gw[f] - w["why"][f]) > 1e-12 for f in FACTORS):
            return "item %d %s: why got %r want %r" % (i, w[id_key], gw, w["why"])
    return None


# ------------------------------------------------------------ fairs
#
# DESIGN.md "Definitions": fair.allocate (supplies, arcs, demand and
# reachable per direction), fair.schedule (booth order, unscheduled and
# short) and stats.balance by direction, recomputed from the records.

def fair_instance(w, f, grad_year, min_score=0.0, kinds=None, region_prefix=None):
    """(supply {direction_id: n}, arcs {(posting_id, direction_id): score},
    headcount {posting_id: n}) of fair f.  A specialty of the fair's schools
    supplies the first direction (in list order) one of whose prefixes its
    code starts with; an arc's score is the best of the direction's
    specialties with available > 0 eligible for the posting (major > 0,
    score >= min_score).  region_prefix (stats.balance) keeps specialties by
    their school's region and postings by their effective region."""
    dirs = f["directions"]
    supply = {d["id"]: 0 for d in dirs}
    member = {}
    for sid, s in w.specialties.items():
        if s["school_id"] not in f["school_ids"]:
            continue
        if region_prefix and not w.schools[s["school_id"]]["region"].startswith(region_prefix):
            continue
        for d in dirs:
            if any(s["major_code"].startswith(p) for p in d["majors"]):
                member[sid] = d["id"]
                supply[d["id"]] += s["cohorts"].get(str(grad_year), 0)
                break
    arcs, headcount = {}, {}
    for pid, p in w.postings.items():
        if p["enterprise_id"] not in f["enterprise_ids"]:
            continue
        if kinds and p["kind"] not in kinds:
            continue
        pv = w.post_view(pid)
        if region_prefix and not pv["region"].startswith(region_prefix):
            continue
        headcount[pid] = p["headcount"]
        for sid, d in member.items():
            sv = w.spec_view(sid, grad_year)
            if sv["available"] <= 0:
                continue
            r = w.score(pv, sv)
            if r is None or rkey(r[0]) < rkey(min_score):
                continue
            sc = rkey(r[0]) / 1e9
            if arcs.get((pid, d), -1) < sc:
                arcs[(pid, d)] = sc
    return supply, arcs, headcount


def fair_direction_rows(f, arcs, headcount):
    """{direction_id: (demand, reachable)}: a posting's headcount counts
    toward the demand of the direction its best arc goes to (highest score;
    a tie goes to the direction earlier in the fair's list) and toward the
    reachable of every direction it has an arc to."""
    order = [d["id"] for d in f["directions"]]
    demand = {d: 0 for d in order}
    reachable = {d: 0 for d in order}
    for pid, hc in headcount.items():
        mine = [(d, arcs[(pid, d)]) for d in order if (pid, d) in arcs]
        for d, _ in mine:
            reachable[d] += hc
        if mine:
            top = max(rkey(sc) for _, sc in mine)
            demand[next(d for d, sc in mine if rkey(sc) == top)] += hc
    return {d: (demand[d], reachable[d]) for d in order}


def booth_key(chains, enterprise_id):
    """fair.schedule's booth order in a session: the enterprise's main
    chain (the first of its chains as listed, compared as bytes; none
    sorts last), then its id."""
    if chains:
        return (0, chains[0].encode(), enterprise_id.encode())
    return (1, b"", enterprise_id.encode())


def schedule_lists(wants, got):
    """(unscheduled, short) of fair.schedule from wants {enterprise_id: n}
    and got {enterprise_id: slots}: those that wanted some and got none;
    those that got some but fewer than they wanted, as {enterprise_id,
    wanted, got}; both by enterprise id (bytes)."""
    ids = sorted(wants, key=lambda e: e.encode())
    unscheduled = [e for e in ids if wants[e] > 0 and got.get(e, 0) == 0]
    short = [{"enterprise_id": e, "wanted": wants[e], "got": got[e]}
             for e in ids if 0 < got.get(e, 0) < wants[e]]
    return unscheduled, short


# ------------------------------------------------------------ orderclass.plan
#
# docs/protocol.md "orderclass.plan": the instance (pairs, supply, demand)
# recomputed from the records, and the MIP's optimum recomputed by GLPK.

def orderclass_instance(w, grad_year, school_id=None, region_prefix=None,
                        min_score=0.0, kinds=None):
    """(pairs {(specialty_id, enterprise_id): score}, supply {specialty_id: n},
    demand {enterprise_id: n}) as docs/protocol.md defines them.

    Specialties: the school's with school_id; else those of schools whose
    region starts with region_prefix; else all.  Enterprises: those whose
    own region starts with region_prefix (with or without school_id), else
    all.  Counted postings: an in-scope enterprise's postings of `kinds`.
    A pair's score is the best (rounded) score of the enterprise's counted
    postings whose major factor is > 0, and the pair counts when that is
    >= min_score."""
    specs = []
    for sid, s in w.specialties.items():
        if school_id is not None:
            if s["school_id"] != school_id:
                continue
        elif region_prefix is not None and \
                not w.schools[s["school_id"]]["region"].startswith(region_prefix):
            continue
        specs.append(sid)
    ents = [eid for eid, e in w.enterprises.items()
            if region_prefix is None or e["region"].startswith(region_prefix)]
    ent_set = set(ents)
    counted = {}
    for pid, p in w.postings.items():
        if p["enterprise_id"] in ent_set and (not kinds or p["kind"] in kinds):
            counted.setdefault(p["enterprise_id"], []).append(pid)
    supply = {sid: w.specialties[sid]["cohorts"].get(str(grad_year), 0)
              for sid in specs}
    demand = {eid: sum(w.postings[p]["headcount"] for p in pids)
              for eid, pids in counted.items()}
    pairs = {}
    views = {pid: w.post_view(pid) for pids in counted.values() for pid in pids}
    for sid in specs:
        sv = w.spec_view(sid, grad_year)
        for eid, pids in counted.items():
            best = None
            for pid in pids:
                r = w.score(views[pid], sv)
                if r is not None and (best is None or rkey(r[0]) > best):
                    best = rkey(r[0])
            if best is not None and best >= rkey(min_score):
                pairs[(sid, eid)] = best / 1e9
    return pairs, supply, demand


ORDERCLASS_MOD = """
param n integer >= 0;
param ns integer >= 1;
param ne integer >= 1;
param mn integer >= 1;
param sp{1..n} integer;
param en{1..n} integer;
param sc{1..n};
param ub{1..n} integer >= 0;
param sup{1..ns} integer >= 0;
param dem{1..ne} integer >= 0;
var x{1..n} integer >= 0;
var y{1..n} binary;
maximize obj: sum{p in 1..n} sc[p] * x[p];
s.t. supply{s in 1..ns}: sum{p in 1..n: sp[p] == s} x[p] <= sup[s];
s.t. demand{e in 1..ne}: sum{p in 1..n: en[p] == e} x[p] <= dem[e];
s.t. low{p in 1..n}: x[p] >= mn * y[p];
s.t. high{p in 1..n}: x[p] <= ub[p] * y[p];
solve;
printf{p in 1..n} "%d\\n", x[p] > "%OUT%";
end;
"""


def orderclass_mip(pairs, supply, demand, min_size, max_size, glpsol,
                   tmpdir, time_limit_s=120, extra_args=("--cuts",)):
    """The optimum of the order-class MIP by glpsol (MathProg): integer
    class sizes x, binary 'class exists' y, min_size*y <= x <= ub*y with
    ub = min(max_size, supply, demand), supply and demand rows; maximise
    sum x*score.  Returns (optimum, {pair: size}); the optimum is summed
    from the sizes glpsol chose, with the scores as given.  Fails unless
    glpsol proves its optimum within time_limit_s."""
    best, sol, bound, proven, log = orderclass_glpk(
        pairs, supply, demand, min_size, max_size, glpsol, tmpdir, time_limit_s,
        extra_args)
    assert proven, "glpsol did not prove an optimum:\n" + log
    return best, sol


def orderclass_glpk(pairs, supply, demand, min_size, max_size, glpsol,
                    tmpdir, time_limit_s=120, extra_args=("--cuts",)):
    """glpsol on the order-class MIP for at most time_limit_s: (value of its
    best plan, that plan {pair: size}, its upper bound on the optimum,
    proven optimal?, the tail of its log).  Without an optimum the bound is
    the last one glpsol's branch and bound printed (inf if none)."""
    import os
    import re
    import subprocess
    usable = sorted(k for k in pairs
                    if min(max_size, supply.get(k[0], 0), demand.get(k[1], 0)) >= min_size)
    if not usable:
        return 0.0, {}, 0.0, True, ""
    s_ix = {s: i + 1 for i, s in enumerate(sorted({k[0] for k in usable}))}
    e_ix = {e: i + 1 for i, e in enumerate(sorted({k[1] for k in usable}))}
    tag = "%d-%d" % (os.getpid(), id(pairs))
    mod = os.path.join(str(tmpdir), "oc-%s.mod" % tag)
    dat = os.path.join(str(tmpdir), "oc-%s.dat" % tag)
    out = os.path.join(str(tmpdir), "oc-%s.out" % tag)
    with open(mod, "w") as f:
        f.write(ORDERCLASS_MOD.replace("%OUT%", out))
    lines = ["data;", "param n := %d;" % len(usable), "param ns := %d;" % len(s_ix),
             "param ne := %d;" % len(e_ix), "param mn := %d;" % min_size,
             "param : sp en sc ub :="]
    for i, k in enumerate(usable):
        ub = min(max_size, supply[k[0]], demand[k[1]])
        lines.append(" %d %d %d %.9f %d" % (i + 1, s_ix[k[0]], e_ix[k[1]], pairs[k], ub))
    lines.append(";")
    lines.append("param sup := %s;" % " ".join("%d %d" % (i, supply[s])
                                               for s, i in s_ix.items()))
    lines.append("param dem := %s;" % " ".join("%d %d" % (i, demand[e])
                                               for e, i in e_ix.items()))
    lines.append("end;")
    with open(dat, "w") as f:
        f.write("\n".join(lines) + "\n")
    if os.path.exists(out):
        os.unlink(out)
    r = subprocess.run([glpsol, "--math", mod, "--data", dat, "--tmlim", str(time_limit_s)]
                       + list(extra_args), capture_output=True, text=True)
    log = r.stdout[-3000:] + r.stderr[-2000:]
    assert r.returncode == 0, "glpsol failed:\n" + log
    proven = "INTEGER OPTIMAL SOLUTION FOUND" in r.stdout
    sol = {}
    if os.path.exists(out):
        with open(out) as f:
            sizes = [int(x) for x in f.read().split()]
        assert len(sizes) == len(usable)
        sol = {k: n for k, n in zip(usable, sizes) if n}
    best = sum(n * pairs[k] for k, n in sol.items())
    bound = float("inf")
    for m in re.finditer(r"^\+\s*\d+: (?:mip|>>>>>) =\s+\S+ <=\s+(\S+)", r.stdout, re.M):
        try:
            bound = float(m.group(1))
        except ValueError:
            pass                    # "tree is empty"
    if proven:
        bound = best
    return best, sol, bound, proven, log


# ------------------------------------------------------------ apprenticeship.match
#
# docs/protocol.md "apprenticeship.match": the lists recomputed from the
# records, deferred acceptance run two other ways (one proposal at a time
# from a queue; round-synchronous, to count rounds), and a brute-force
# stability check.

def grade_key(g):
    """Higher grades first, a missing grade last."""
    return (1, 0) if g is None else (0, -g)


def apprenticeship_instance(w, program_ids=None, region_prefix=None,
                            grad_year=None):
    """dict(students=[ids by id], prefs={sid: [pid]}, ranks={pid: [sid]},
    capacity={pid: n}, score={(sid, pid): rkey}) for the in-scope students
    and programs."""
    progs = []
    for gid in (program_ids if program_ids is not None else w.programs):
        pv = w.program_view(gid)
        if region_prefix is not None and not pv["region"].startswith(region_prefix):
            continue
        progs.append(gid)
    progs = sorted(set(progs), key=lambda x: x.encode())
    in_scope = set(progs)
    views = {gid: w.program_view(gid) for gid in progs}
    studs = sorted((sid for sid, s in w.students.items()
                    if grad_year is None or s["grad_year"] == grad_year),
                   key=lambda x: x.encode())
    score = {}
    for sid in studs:
        st = w.students[sid]
        sv = w.spec_view(st["specialty_id"],
                         grad_year if grad_year is not None else st["grad_year"])
        for gid in progs:
            r = w.score(views[gid], sv)
            if r is not None:
                score[(sid, gid)] = rkey(r[0])
    prefs = {}
    for sid in studs:
        stated = w.students[sid].get("prefs") or []
        if stated:
            prefs[sid] = [g for g in stated if g in in_scope and (sid, g) in score]
        else:
            prefs[sid] = sorted((g for g in progs if (sid, g) in score),
                                key=lambda g: (-score[(sid, g)], g.encode()))
    ranks = {}
    for gid in progs:
        ranks[gid] = sorted((s for s in studs if (s, gid) in score),
                            key=lambda s: (-score[(s, gid)],
                                           grade_key(w.students[s].get("grade")),
                                           s.encode()))
    capacity = {gid: w.programs[gid]["mentors"] * w.programs[gid]["per_mentor"]
                for gid in progs}
    return {"students": studs, "prefs": prefs, "ranks": ranks,
            "capacity": capacity, "score": score}


def da_queue(prefs, ranks, capacity):
    """Student-proposing deferred acceptance, one proposal at a time from a
    FIFO of free students.  {student: program or None}."""
    import collections
    pos = {g: {s: i for i, s in enumerate(r)} for g, r in ranks.items()}
    nxt = {s: 0 for s in prefs}
    held = {g: [] for g in capacity}
    free = collections.deque(sorted(prefs, key=lambda x: x.encode()))
    match = {s: None for s in prefs}
    while free:
        s = free.popleft()
        if nxt[s] >= len(prefs[s]):
            continue
        g = prefs[s][nxt[s]]
        nxt[s] += 1
        h = held[g]
        if len(h) < capacity[g]:
            h.append(s)
            match[s] = g
            continue
        worst = max(h, key=lambda t: pos[g][t])
        if pos[g][s] < pos[g][worst]:
            h.remove(worst)
            h.append(s)
            match[worst] = None
            match[s] = g
            free.append(worst)
        else:
            free.append(s)
    return match


def da_rounds(prefs, ranks, capacity):
    """Round-synchronous deferred acceptance: in each round every unmatched
    student with programs left on its list proposes to the next; each
    program keeps the best `capacity` of what it holds and what it was
    offered.  (match, rounds): rounds counts the rounds with a proposal."""
    pos = {g: {s: i for i, s in enumerate(r)} for g, r in ranks.items()}
    nxt = {s: 0 for s in prefs}
    held = {g: set() for g in capacity}
    match = {s: None for s in prefs}
    rounds = 0
    while True:
        offers = {}
        for s in prefs:
            if match[s] is None and nxt[s] < len(prefs[s]):
                g = prefs[s][nxt[s]]
                nxt[s] += 1
                offers.setdefault(g, []).append(s)
        if not offers:
            return match, rounds
        rounds += 1
        for g, ss in offers.items():
            pool = sorted(held[g] | set(ss), key=lambda t: pos[g][t])
            keep = set(pool[:capacity[g]])
            for t in pool:
                match[t] = g if t in keep else None
            held[g] = keep


def blocking_pairs(prefs, ranks, capacity, match):
    """Every (student, program) pair that blocks `match`, by brute force:
    the program is on the student's list before its assignment (anywhere
    when unmatched), and the program has room or holds a student it ranks
    below the student."""
    pos = {g: {s: i for i, s in enumerate(r)} for g, r in ranks.items()}
    holders = {g: [] for g in capacity}
    for s, g in match.items():
        if g is not None:
            holders[g].append(s)
    out = []
    for s, lst in prefs.items():
        for g in lst:
            if g == match.get(s):
                break           # programs after its own are worse for s
            h = holders[g]
            if len(h) < capacity[g] or any(pos[g].get(t, len(pos[g])) > pos[g][s]
                                           for t in h):
                out.append((s, g))
    return out


def unmatched_reasons(prefs, match):
    """{student: "no_program" | "outranked"} for the unmatched students."""
    return {s: ("no_program" if not prefs[s] else "outranked")
            for s, g in match.items() if g is None}
