#!/usr/bin/python3
"""Check the Jinhua order-class scenario against a real chanjiaod.

    /usr/bin/python3 examples/jinhua-orderclasses/check.py            # starts build/chanjiaod
    /usr/bin/python3 examples/jinhua-orderclasses/check.py --port 7411 # uses a running daemon
                                                                      # (writes into its store!)

Reads the CSV files beside this script, converts every row to the record
docs/protocol.md defines (the CSV format of the `chanjiao` CLI: header =
field names, empty cell = field absent, lists `;`-separated, cohorts as
cohort_YYYY columns, salary as salary_min/salary_max), checks codes and
references against data/, puts the records in batches (a refused batch
again one record at a time, so each rejected row is reported with its
file and line) and reads each back.  Then it asks the daemon for the plan
a school asks for, `orderclass.plan` of the college for the 2027 cohort
with classes of 20..40 and `explain: true`, and checks
the answer independently:

  - the pairs, supplies and demands of `explain` are recomputed from the
    CSV rows with docs/matching.md's scoring model (default weights);
  - the plan is feasible: every class is an explained pair, of a size in
    [20, 40], no specialty gives more than its supply, no enterprise takes
    more than its demand, no pair twice;
  - `students` and `objective` are recomputed from the classes;
  - the same MIP, built from the explain data alone, is solved by GLPK's
    `glpsol` (Debian package glpk-utils): the daemon's objective must equal
    GLPK's optimum and its `bound` must not be below it.

Finally it prints the plan as a teacher would read it.  Needs only the
standard library, python3-msgpack and glpsol.  Exit status 0 when every
row was accepted and read back unchanged and every check holds, 1
otherwise.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402  (examples/common.py)
# tests/e2e/test_examples.py calls these as check.<name>, like the ones below
from common import Rpc, local_checks, pad, put_all, table  # noqa: E402,F401

SCHOOL_ID = "3133070201"
# The request the college's planner makes (README.md: the CLI command).
PLAN = {"school_id": SCHOOL_ID, "region_prefix": "3307", "grad_year": 2027,
        "min_size": 20, "max_size": 40}
TOL = 1e-6                         # docs/protocol.md: optimal within 1e-6 × max(1, obj)

# column -> kind of cell
FILES = {
    "schools.csv": common.SCHOOL_COLUMNS,
    "specialties.csv": common.specialty_columns((2026, 2027)),
    "enterprises.csv": common.ENTERPRISE_COLUMNS,
    "postings.csv": common.POSTING_COLUMNS,
}
# list fields that a record requires: an empty cell is the empty list
REQUIRED_LISTS = {("postings.csv", "majors")}
KINDS = ("school", "enterprise", "specialty", "posting")


# ------------------------------------------------------------ reading

def load(csv_dir=HERE, problems=None):
    """{kind: [(file, line, record)]} in docs/protocol.md shape."""
    problems = [] if problems is None else problems
    return common.load(csv_dir, KINDS, FILES, problems, REQUIRED_LISTS)


# ------------------------------------------------------------ daemon

def ask_plan(rpc, explain=True):
    """The daemon's orderclass.plan for the college (PLAN), or raise."""
    return common.ask(rpc, "orderclass.plan", dict(PLAN, explain=explain))


# ------------------------------------------------------------ the local instance

def local_instance(recs, plan=PLAN):
    """(pairs {(spec, ent): score}, supply {spec: n}, demand {ent: n}) of
    the plan's scope, computed from the CSV rows (docs/protocol.md
    "orderclass.plan": every kind counts, min_score 0)."""
    schools = {r["id"]: r for _, _, r in recs["school"]}
    ents = {r["id"]: r for _, _, r in recs["enterprise"]
            if r["region"].startswith(plan["region_prefix"])}
    specs = [r for _, _, r in recs["specialty"] if r["school_id"] == plan["school_id"]]
    year = plan["grad_year"]
    supply = {s["id"]: s["cohorts"].get(str(year), 0) for s in specs}
    demand, pairs = {}, {}
    for _, _, p in recs["posting"]:
        e = ents.get(p["enterprise_id"])
        if e is None:
            continue
        demand[e["id"]] = demand.get(e["id"], 0) + p["headcount"]
        for s in specs:
            sc = common.pair_score(s, schools[s["school_id"]], p, e,
                                   s["cohorts"].get(str(year), 0), p["headcount"])
            if sc is not None and sc > pairs.get((s["id"], e["id"]), -1.0):
                pairs[(s["id"], e["id"])] = sc
    return pairs, supply, demand


# ------------------------------------------------------------ verification

def explain_instance(res):
    pairs = {(p["specialty_id"], p["enterprise_id"]): p["score"] for p in res["pairs"]}
    return pairs, dict(res["supply"]), dict(res["demand"])


def check_explain(recs, res, plan=PLAN):
    """The explain data against the instance recomputed from the CSVs."""
    out = []
    pairs, supply, demand = explain_instance(res)
    if len(pairs) != len(res["pairs"]):
        out.append("explain: a (specialty, enterprise) pair is listed twice")
    lp, ls, ld = local_instance(recs, plan)
    if supply != ls:
        out.append("explain supply differs from the cohorts: %r" % sorted(
            set(supply.items()) ^ set(ls.items()))[:5])
    if demand != ld:
        out.append("explain demand differs from the postings' headcounts: %r" % sorted(
            set(demand.items()) ^ set(ld.items()))[:5])
    for k in sorted(set(pairs) | set(lp)):
        if k not in pairs:
            out.append("pair %s × %s (score %.9f) is missing from explain" % (k[0], k[1], lp[k]))
        elif k not in lp:
            out.append("explain pair %s × %s has no eligible posting" % k)
        elif abs(pairs[k] - lp[k]) > 1e-9:
            out.append("pair %s × %s: explain score %.9f, recomputed %.9f" % (
                k[0], k[1], pairs[k], lp[k]))
    return out


def check_feasible(res, plan=PLAN):
    """The plan obeys the rules of docs/protocol.md, and its totals add up."""
    out = []
    pairs, supply, demand = explain_instance(res)
    lo, hi = plan["min_size"], plan["max_size"]
    used_s, used_e, seen = {}, {}, set()
    students, objective = 0, 0.0
    keys = []
    for c in res["classes"]:
        k = (c["specialty_id"], c["enterprise_id"])
        keys.append((c["school_id"], k[0], k[1]))
        if k in seen:
            out.append("class %s × %s appears twice" % k)
        seen.add(k)
        if c["school_id"] != plan["school_id"]:
            out.append("class %s × %s: school %s" % (k[0], k[1], c["school_id"]))
        if k not in pairs:
            out.append("class %s × %s is not an explained pair" % k)
        elif abs(c["score"] - pairs[k]) > 1e-9:
            out.append("class %s × %s: score %r, pair score %r" % (k[0], k[1], c["score"], pairs[k]))
        if not isinstance(c["size"], int) or not lo <= c["size"] <= hi:
            out.append("class %s × %s: size %r outside [%d, %d]" % (k[0], k[1], c["size"], lo, hi))
        used_s[k[0]] = used_s.get(k[0], 0) + c["size"]
        used_e[k[1]] = used_e.get(k[1], 0) + c["size"]
        students += c["size"]
        objective += c["size"] * pairs.get(k, c["score"])
    if keys != sorted(keys):
        out.append("classes are not listed by school, specialty, enterprise")
    for s, n in used_s.items():
        if n > supply.get(s, 0):
            out.append("specialty %s gives %d students, supply %d" % (s, n, supply.get(s, 0)))
    for e, n in used_e.items():
        if n > demand.get(e, 0):
            out.append("enterprise %s takes %d students, demand %d" % (e, n, demand.get(e, 0)))
    if students != res["students"]:
        out.append("students %r, the classes add up to %d" % (res["students"], students))
    if abs(objective - res["objective"]) > TOL * max(1.0, objective):
        out.append("objective %r, the classes give %.9f" % (res["objective"], objective))
    if res["bound"] < res["objective"] - TOL * max(1.0, res["objective"]):
        out.append("bound %r below the objective %r" % (res["bound"], res["objective"]))
    return out


def glpk_solve(pairs, supply, demand, lo, hi, glpsol="glpsol", time_limit=120):
    """The order-class MIP of the explain data, solved by GLPK.

    max Σ score·x  s.t.  Σ_e x[s,e] <= supply[s],  Σ_s x[s,e] <= demand[e],
    lo·y <= x <= u·y,  y binary,  x integer,  u = min(hi, supply, demand).
    Returns (optimum recomputed from GLPK's solution, {pair: size}, status).
    """
    keys = sorted(pairs)
    tmp = tempfile.mkdtemp(prefix="orderclass-glpk-")
    try:
        lp = os.path.join(tmp, "plan.lp")
        outp = os.path.join(tmp, "plan.out")
        with open(lp, "w") as f:
            f.write("\\ orderclass.plan of the explain data\nMaximize\n obj:")
            for i, k in enumerate(keys):
                f.write("%s %s x%d" % ("\n " if i % 8 == 0 and i else "",
                                       "+ %r" % pairs[k] if i else "%r" % pairs[k], i))
            if not keys:
                f.write(" 0 x0")
            f.write("\nSubject To\n")
            by_s, by_e = {}, {}
            for i, (s, e) in enumerate(keys):
                by_s.setdefault(s, []).append(i)
                by_e.setdefault(e, []).append(i)
            for n, (s, idx) in enumerate(sorted(by_s.items())):
                f.write(" sup%d: %s <= %d\n" % (n, " + ".join("x%d" % i for i in idx), supply.get(s, 0)))
            for n, (e, idx) in enumerate(sorted(by_e.items())):
                f.write(" dem%d: %s <= %d\n" % (n, " + ".join("x%d" % i for i in idx), demand.get(e, 0)))
            ub = []
            for i, (s, e) in enumerate(keys):
                u = max(0, min(hi, supply.get(s, 0), demand.get(e, 0)))
                ub.append(u)
                f.write(" lo%d: x%d - %d y%d >= 0\n" % (i, i, lo, i))
                f.write(" hi%d: x%d - %d y%d <= 0\n" % (i, i, u, i))
            f.write("Bounds\n")
            for i, u in enumerate(ub):
                f.write(" 0 <= x%d <= %d\n" % (i, u))
            if not keys:
                f.write(" x0 = 0\n")
            f.write("General\n")
            f.write("".join(" x%d\n" % i for i in range(max(1, len(keys)))))
            if keys:
                f.write("Binary\n")
                f.write("".join(" y%d\n" % i for i in range(len(keys))))
            f.write("End\n")
        p = subprocess.run([glpsol, "--lp", lp, "--tmlim", str(time_limit), "-o", outp],
                           capture_output=True, text=True)
        if p.returncode != 0 or not os.path.exists(outp):
            raise RuntimeError("glpsol failed:\n" + p.stdout + p.stderr)
        status, sizes = None, {}
        with open(outp) as f:
            for line in f:
                m = re.match(r"Status:\s+(.*\S)", line)
                if m:
                    status = m.group(1)
                m = re.match(r"\s*\d+\s+x(\d+)\s+\*?\s*(-?[\d.e+-]+)", line)
                if m and keys:
                    sizes[keys[int(m.group(1))]] = int(round(float(m.group(2))))
        opt = sum(n * pairs[k] for k, n in sizes.items())
        return opt, {k: n for k, n in sizes.items() if n}, status
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_optimal(res, plan=PLAN, glpsol="glpsol"):
    """The daemon's objective equals GLPK's optimum; its bound is not below.
    Returns (problems, GLPK's optimum)."""
    out = []
    pairs, supply, demand = explain_instance(res)
    opt, sizes, status = glpk_solve(pairs, supply, demand, plan["min_size"],
                                    plan["max_size"], glpsol)
    if status != "INTEGER OPTIMAL":
        out.append("glpsol did not prove its optimum: %s" % status)
    # GLPK's plan must itself be feasible, else the model above is wrong
    for s in supply:
        if sum(n for (a, _), n in sizes.items() if a == s) > supply[s]:
            out.append("GLPK's plan exceeds the supply of %s" % s)
    for (s, e), n in sizes.items():
        if not plan["min_size"] <= n <= plan["max_size"]:
            out.append("GLPK's class %s × %s has size %d" % (s, e, n))
    tol = TOL * max(1.0, opt)
    if abs(res["objective"] - opt) > tol:
        out.append("objective %.9f, GLPK's optimum %.9f" % (res["objective"], opt))
    if res["bound"] < opt - tol:
        out.append("bound %.9f is below GLPK's optimum %.9f" % (res["bound"], opt))
    if res["optimal"] and res["bound"] - res["objective"] > tol:
        out.append("optimal is true but bound − objective = %g" % (res["bound"] - res["objective"]))
    return out, opt


def verify(recs, res, plan=PLAN, glpsol="glpsol"):
    """Every independent check; (problems, GLPK's optimum)."""
    out = check_explain(recs, res, plan)
    out += check_feasible(res, plan)
    more, opt = check_optimal(res, plan, glpsol)
    return out + more, opt


# ------------------------------------------------------------ the teacher's summary

def report(recs, res, opt=None, plan=PLAN):
    """The plan as the college's planner reads it, in Chinese."""
    majors = table("major_catalog_2021.csv", "major_code")
    year = plan["grad_year"]
    specs = {r["id"]: r for _, _, r in recs["specialty"] if r["school_id"] == plan["school_id"]}
    ents = {r["id"]: r for _, _, r in recs["enterprise"]}
    posts = [r for _, _, r in recs["posting"]]
    school = {r["id"]: r for _, _, r in recs["school"]}[plan["school_id"]]
    pairs, supply, demand = explain_instance(res)
    cohort = sum(supply.values())
    by_kind = {}
    for p in posts:
        by_kind[p["kind"]] = by_kind.get(p["kind"], 0) + p["headcount"]
    L = []
    say = L.append
    say("== %s %d届订单班规划（每班 %d–%d 人）" % (school["name"], year, plan["min_size"], plan["max_size"]))
    say("  %d届学生 %d 人，%d 个专业；%d 家合作企业共提出 %d 个岗位（订单班 %d、学徒 %d、就业 %d）。" % (
        year, cohort, len(supply), len(ents), sum(by_kind.values()), by_kind.get("order_class", 0),
        by_kind.get("apprenticeship", 0), by_kind.get("job", 0)))
    classes = res["classes"]
    nents = len({c["enterprise_id"] for c in classes})
    say("  规划开设 %d 个订单班，共 %d 名学生（占%d届的 %.0f%%），涉及 %d 家企业、%d 个专业。" % (
        len(classes), res["students"], year, 100.0 * res["students"] / cohort if cohort else 0,
        nents, len({c["specialty_id"] for c in classes})))
    say("  匹配总分（人数×匹配度之和）%.2f，上界 %.2f%s；平均匹配度 %.3f。" % (
        res["objective"], res["bound"], "，已证明最优" if res["optimal"] else "，未证明最优",
        res["objective"] / res["students"] if res["students"] else 0))
    if opt is not None:
        say("  独立核验：GLPK 求得的最优值 %.2f，与本规划一致。" % opt
            if abs(opt - res["objective"]) <= TOL * max(1.0, opt)
            else "  独立核验：GLPK 求得的最优值 %.2f，与本规划不一致！" % opt)
    say("")
    say("  班级明细（企业 · 专业 · 人数 · 匹配度）")
    for c in sorted(classes, key=lambda c: (c["enterprise_id"], -c["size"], c["specialty_id"])):
        s = specs[c["specialty_id"]]
        say("    %s %s %3d 人  %.3f" % (pad(ents[c["enterprise_id"]]["name"], 34),
                                    pad(s["name"], 24), c["size"], c["score"]))
    say("")
    say("  各专业：进入订单班 / %d届人数" % year)
    took = {}
    for c in classes:
        took[c["specialty_id"]] = took.get(c["specialty_id"], 0) + c["size"]
    for sid in sorted(specs, key=lambda i: (-took.get(i, 0), i)):
        if took.get(sid):
            say("    %s %3d / %3d" % (pad(specs[sid]["name"], 24), took[sid], supply[sid]))
    none = [sid for sid in sorted(specs, key=lambda i: specs[i]["major_code"])
            if not took.get(sid) and supply.get(sid, 0)]
    if none:
        say("    未进入订单班的专业 %d 个（%d 人）：%s" % (
            len(none), sum(supply[i] for i in none),
            "、".join("%s %d" % (specs[i]["name"], supply[i]) for i in none)))
    say("")
    got = {c["enterprise_id"] for c in classes}
    has_pair = {e for _, e in pairs}
    small = sorted(e for e in demand if e not in got and e in has_pair
                   and demand[e] < plan["min_size"])
    nomajor = sorted(e for e in demand if e not in got and e not in has_pair)
    other = sorted(e for e in demand if e not in got and e in has_pair
                   and demand[e] >= plan["min_size"])
    say("  未开班的企业 %d 家：" % (len(demand) - len(got)))
    if small:
        say("    需求不足 %d 人（%d 家，合计 %d 人，可考虑组建跨企业联合订单班）：" % (
            plan["min_size"], len(small), sum(demand[e] for e in small)))
        for e in small:
            want = [q["title"].replace("%d届" % year, "") for q in posts
                    if q["enterprise_id"] == e and q["kind"] == "order_class"]
            say("      %s %2d 人（%s）" % (pad(ents[e]["name"], 34), demand[e], "、".join(want)))
    if nomajor:
        say("    学院未开设对口专业（%d 家）：" % len(nomajor))
        for e in nomajor:
            need = sorted({majors.get(m, {}).get("major_name", m) for p in posts
                           if p["enterprise_id"] == e for m in p["majors"]})
            say("      %s %2d 人（%s）" % (pad(ents[e]["name"], 34), demand[e], "、".join(need)))
    if other:
        say("    生源已分配给匹配度更高的企业（%d 家）：%s" % (
            len(other), "、".join(ents[e]["name"] for e in other)))
    short = [(e, demand[e] - sum(c["size"] for c in classes if c["enterprise_id"] == e))
             for e in sorted(got)]
    short = [(e, n) for e, n in short if n > 0]
    if short:
        say("  开班企业中仍有空缺：%s" % "；".join(
            "%s %d 人" % (ents[e]["name"], n) for e, n in short))
    return "\n".join(L)


def main():
    ap = common.arg_parser(__doc__, HERE,
                           "local checks, and GLPK on the instance recomputed from the CSVs")
    ap.add_argument("--glpsol", default="glpsol", help="GLPK's glpsol command")
    args = ap.parse_args()

    problems = []
    recs = load(args.dir, problems)
    local_checks(recs, problems)

    def local():
        """GLPK on the instance recomputed from the CSVs."""
        pairs, supply, demand = local_instance(recs)
        opt, sizes, status = glpk_solve(pairs, supply, demand, PLAN["min_size"],
                                        PLAN["max_size"], args.glpsol)
        print("== local instance: %d specialties, %d enterprises, %d pairs" % (
            len(supply), len(demand), len(pairs)))
        print("  GLPK: %s, %d classes, %d students, optimum %.6f" % (
            status, len(sizes), sum(sizes.values()), opt))
        return []

    def answer(res):
        """The plan checked, then printed as the teacher reads it."""
        more, opt = verify(recs, res, glpsol=args.glpsol)
        print(report(recs, res, opt))
        print("\n== checks: %d pairs, %d specialties, %d enterprises; "
              "plan %d classes, %d students, objective %.6f, bound %.6f, "
              "optimal %s, solve %.1f ms; GLPK %.6f" % (
                  len(res["pairs"]), len(res["supply"]), len(res["demand"]),
                  len(res["classes"]), res["students"], res["objective"],
                  res["bound"], res["optimal"], res.get("solve_ms", 0), opt))
        return more

    return common.run_check(args, recs, problems, "jinhua-orderclasses-", local, ask_plan, answer)

if __name__ == "__main__":
    sys.exit(main())
