#!/usr/bin/python3
"""Check the Jiaxing apprenticeship scenario against a real chanjiaod.

    /usr/bin/python3 examples/jiaxing-apprenticeships/check.py            # starts build/chanjiaod
    /usr/bin/python3 examples/jiaxing-apprenticeships/check.py --port 7411 # uses a running daemon
                                                                          # (writes into its store!)

Reads the CSV files beside this script, converts every row to the record
docs/protocol.md defines (the CSV format of the `chanjiao` CLI: header =
field names, empty cell = field absent, lists `;`-separated, cohorts as
cohort_YYYY columns), checks codes and references against data/, puts
the records in batches (a refused batch again one record at a time, so
each rejected row is reported with its file and line) and reads each
back.  Then it asks the daemon for the match the
college asks for, `apprenticeship.match` of the 2027 cohort with the
programs of Jiaxing (region 3304) and `explain: true`, and checks the
answer independently:

  - the lists of `explain` (student_prefs, program_ranks, capacity) are
    recomputed from the CSV rows with docs/matching.md's scoring model
    (default weights) and docs/protocol.md's rules for the lists;
  - a deferred acceptance of our own, run on the explain lists, gives the
    daemon's assignments (and its number of rounds);
  - no blocking pair, by brute force over every student and every program
    on its list above its match; capacities are respected;
  - every in-scope student is assigned or unmatched exactly once, and an
    unmatched student's reason is right: "no_program" for an empty list,
    "outranked" when every program on its list is full of students it
    ranks higher.

Finally it prints the match as a teacher would read it.  Needs only the
standard library and python3-msgpack.  Exit status 0 when every row was
accepted and read back unchanged and every check holds, 1 otherwise.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402  (examples/common.py)
from common import I, L, N, S  # noqa: E402
# tests/e2e/test_examples.py calls these as check.<name>, like the ones below
from common import Rpc, local_checks, pad, put_all  # noqa: E402,F401

# The request the college makes (README.md: the CLI command).
MATCH = {"grad_year": 2027, "region_prefix": "3304"}

# column -> kind of cell
FILES = {
    "schools.csv": common.SCHOOL_COLUMNS,
    "specialties.csv": common.specialty_columns((2026, 2027, 2028)),
    "enterprises.csv": common.ENTERPRISE_COLUMNS,
    "programs.csv": [("id", S), ("enterprise_id", S), ("title", S), ("majors", L),
                     ("mentors", I), ("per_mentor", I), ("region", S), ("level", S)],
    "students.csv": [("id", S), ("specialty_id", S), ("grad_year", I), ("grade", N),
                     ("prefs", L)],
}
# list fields that a record requires: an empty cell is the empty list
REQUIRED_LISTS = {("programs.csv", "majors")}
KINDS = ("school", "enterprise", "specialty", "program", "student")


# ------------------------------------------------------------ reading

def value(kind, text):
    """common.value, but a list leaves out empty items (`a;;b` is two)."""
    if kind == L:
        return [x for x in text.split(";") if x]
    return common.value(kind, text)


def load(csv_dir=HERE, problems=None):
    """{kind: [(file, line, record)]} in docs/protocol.md shape."""
    problems = [] if problems is None else problems
    return common.load(csv_dir, KINDS, FILES, problems, REQUIRED_LISTS,
                       convert=value, not_ok="is not a number")


# ------------------------------------------------------------ daemon

def ask_match(rpc, explain=True):
    """The daemon's apprenticeship.match for the college (MATCH), or raise."""
    return common.ask(rpc, "apprenticeship.match", dict(MATCH, explain=explain))


# ------------------------------------------------------------ the local lists
# A program scores as a posting would (docs/protocol.md "apprenticeship.match").

def program_score(spec, school, prog, ent, avail):
    """The pair's score rounded to 1e-9, or None when not eligible."""
    return common.pair_score(spec, school, prog, ent, avail, prog["mentors"] * prog["per_mentor"])


def local_lists(recs, match=MATCH):
    """(student_prefs, program_ranks, capacity, scores {(student, program)})
    recomputed from the CSV rows, by docs/protocol.md's rules."""
    schools = {r["id"]: r for _, _, r in recs["school"]}
    ents = {r["id"]: r for _, _, r in recs["enterprise"]}
    specs = {r["id"]: r for _, _, r in recs["specialty"]}
    year = match.get("grad_year")
    progs = [r for _, _, r in recs["program"]
             if (r.get("region") or ents[r["enterprise_id"]]["region"]).startswith(
                 match.get("region_prefix", ""))]
    if "program_ids" in match:
        progs = [p for p in progs if p["id"] in match["program_ids"]]
    studs = [r for _, _, r in recs["student"] if year is None or r["grad_year"] == year]
    capacity = {p["id"]: p["mentors"] * p["per_mentor"] for p in progs}
    scores = {}
    cache = {}
    for s in studs:
        sp = specs[s["specialty_id"]]
        avail = sp["cohorts"].get(str(year if year is not None else s["grad_year"]), 0)
        for p in progs:
            key = (sp["id"], p["id"], avail)
            if key not in cache:
                cache[key] = program_score(sp, schools[sp["school_id"]], p,
                                           ents[p["enterprise_id"]], avail)
            if cache[key] is not None:
                scores[(s["id"], p["id"])] = cache[key]
    prefs = {}
    for s in studs:
        if s.get("prefs"):
            prefs[s["id"]] = [p for p in s["prefs"] if (s["id"], p) in scores]
        else:
            el = [p["id"] for p in progs if (s["id"], p["id"]) in scores]
            prefs[s["id"]] = sorted(el, key=lambda p: (-scores[(s["id"], p)], p))
    grade = {s["id"]: s.get("grade") for s in studs}
    ranks = {}
    for p in progs:
        el = [s["id"] for s in studs if (s["id"], p["id"]) in scores]
        ranks[p["id"]] = sorted(el, key=lambda s: (
            -scores[(s, p["id"])], grade[s] is None, -(grade[s] or 0), s))
    return prefs, ranks, capacity, scores


# ------------------------------------------------------------ verification

def deferred_acceptance(prefs, ranks, capacity):
    """Student-proposing deferred acceptance in rounds: in each round every
    unmatched student with programs left proposes to its next one; each
    program keeps its best `capacity` of those it holds and those proposing.
    Returns ({student: program}, rounds, problems)."""
    out = []
    pos = {p: {s: i for i, s in enumerate(lst)} for p, lst in ranks.items()}
    nxt = {s: 0 for s in prefs}
    held = {p: [] for p in capacity}
    match = {}
    rounds = 0
    while True:
        proposing = [s for s in sorted(prefs) if s not in match and nxt[s] < len(prefs[s])]
        if not proposing:
            break
        rounds += 1
        touched = set()
        for s in proposing:
            p = prefs[s][nxt[s]]
            nxt[s] += 1
            if p not in capacity or s not in pos.get(p, {}):
                out.append("student %s lists %s, which does not rank it" % (s, p))
                continue
            held[p].append(s)
            match[s] = p
            touched.add(p)
        for p in touched:
            held[p].sort(key=lambda s: pos[p][s])
            for s in held[p][capacity[p]:]:
                del match[s]
            held[p] = held[p][:capacity[p]]
    return match, rounds, out


def blocking_pairs(prefs, ranks, capacity, match):
    """Brute force: (s, p) with p on s's list above s's match (anywhere if
    s is unmatched) where p has room or holds a student it ranks below s."""
    pos = {p: {s: i for i, s in enumerate(lst)} for p, lst in ranks.items()}
    held = {p: [] for p in capacity}
    for s, p in match.items():
        held.setdefault(p, []).append(s)
    worst = {p: max((pos[p].get(s, len(pos[p])) for s in h), default=-1)
             for p, h in held.items()}
    found = []
    checked = 0
    for s, lst in prefs.items():
        for p in lst:
            if match.get(s) == p:
                break
            checked += 1
            if len(held.get(p, [])) < capacity.get(p, 0):
                found.append((s, p))
            elif s in pos.get(p, {}) and pos[p][s] < worst.get(p, -1):
                found.append((s, p))
    return found, checked


def norm_lists(d):
    return {k: list(v) for k, v in d.items() if v}


def check_explain(recs, res, match=MATCH):
    """The explain lists against the lists recomputed from the CSVs."""
    out = []
    prefs, ranks, capacity, _ = local_lists(recs, match)
    got = (norm_lists(res["student_prefs"]), norm_lists(res["program_ranks"]),
           dict(res["capacity"]))
    want = (norm_lists(prefs), norm_lists(ranks), capacity)
    for name, g, w in zip(("student_prefs", "program_ranks", "capacity"), got, want):
        if g == w:
            continue
        diff = sorted(k for k in set(g) | set(w) if g.get(k) != w.get(k))
        k = diff[0]
        out.append("explain %s differs for %d keys, e.g. %s: daemon %r, recomputed %r" % (
            name, len(diff), k, g.get(k), w.get(k)))
    return out


def check_match(recs, res, match=MATCH):
    """DA, stability and reasons on the explain lists; (problems, facts)."""
    out = []
    prefs = {s: list(v) for s, v in res["student_prefs"].items()}
    ranks = {p: list(v) for p, v in res["program_ranks"].items()}
    capacity = dict(res["capacity"])
    year = match.get("grad_year")
    scope = sorted(r["id"] for _, _, r in recs["student"]
                   if year is None or r["grad_year"] == year)
    for s in scope:
        prefs.setdefault(s, [])
    got = {a["student_id"]: a["program_id"] for a in res["assignments"]}
    reasons = {u["student_id"]: u["reason"] for u in res["unmatched"]}
    ids_a = [a["student_id"] for a in res["assignments"]]
    ids_u = [u["student_id"] for u in res["unmatched"]]
    if ids_a != sorted(ids_a) or len(ids_a) != len(got):
        out.append("assignments are not listed once each by student id")
    if ids_u != sorted(ids_u) or len(ids_u) != len(reasons):
        out.append("unmatched are not listed once each by student id")
    both = set(got) & set(reasons)
    if both:
        out.append("%d students both assigned and unmatched, e.g. %s" % (len(both), min(both)))
    if sorted(set(got) | set(reasons)) != scope:
        extra = (set(got) | set(reasons)) - set(scope)
        lost = set(scope) - set(got) - set(reasons)
        out.append("in-scope students: %d missing (e.g. %s), %d out of scope (e.g. %s)" % (
            len(lost), min(lost) if lost else "-", len(extra), min(extra) if extra else "-"))
    # our own deferred acceptance
    ours, rounds, more = deferred_acceptance(prefs, ranks, capacity)
    out += more
    if ours != got:
        diff = sorted(s for s in set(ours) | set(got) if ours.get(s) != got.get(s))
        out.append("deferred acceptance differs for %d students, e.g. %s: daemon %s, ours %s" % (
            len(diff), diff[0], got.get(diff[0]), ours.get(diff[0])))
    if rounds != res["rounds"]:
        out.append("rounds %r, our deferred acceptance took %d" % (res["rounds"], rounds))
    # capacities and lists
    load = {}
    for s, p in got.items():
        load[p] = load.get(p, 0) + 1
        if p not in prefs.get(s, []):
            out.append("student %s assigned to %s, which is not on its list" % (s, p))
    for p, n in load.items():
        if n > capacity.get(p, 0):
            out.append("program %s holds %d students, capacity %d" % (p, n, capacity.get(p, 0)))
    # stability by brute force
    found, checked = blocking_pairs(prefs, ranks, capacity, got)
    if found:
        out.append("%d blocking pairs, e.g. %s with %s" % (len(found), found[0][0], found[0][1]))
    if res["blocking_pairs"] != 0:
        out.append("blocking_pairs is %r" % res["blocking_pairs"])
    # reasons
    pos = {p: {s: i for i, s in enumerate(lst)} for p, lst in ranks.items()}
    held = {}
    for s, p in got.items():
        held.setdefault(p, []).append(s)
    bad = []
    for s, why in reasons.items():
        lst = prefs.get(s, [])
        if not lst:
            ok = why == "no_program"
        else:
            ok = why == "outranked" and all(
                len(held.get(p, [])) >= capacity.get(p, 0) and
                all(pos[p][t] < pos[p].get(s, 1 << 30) for t in held.get(p, []))
                for p in lst)
        if not ok:
            bad.append(s)
    if bad:
        out.append("%d unmatched students with a wrong reason, e.g. %s: %r (list %r)" % (
            len(bad), bad[0], reasons[bad[0]], prefs.get(bad[0])))
    return out, {"checked": checked, "rounds": rounds}


def verify(recs, res, match=MATCH):
    """Every independent check; (problems, facts)."""
    out = check_explain(recs, res, match)
    more, facts = check_match(recs, res, match)
    return out + more, facts


def report(recs, res, facts=None, match=MATCH):
    """The match as the college's apprenticeship office reads it, in Chinese."""
    year = match.get("grad_year")
    school = recs["school"][0][2]
    specs = {r["id"]: r for _, _, r in recs["specialty"]}
    ents = {r["id"]: r for _, _, r in recs["enterprise"]}
    progs = {r["id"]: r for _, _, r in recs["program"]}
    studs = {r["id"]: r for _, _, r in recs["student"]}
    capacity = dict(res["capacity"])
    prefs = res["student_prefs"]
    got = {a["student_id"]: a["program_id"] for a in res["assignments"]}
    reasons = {u["student_id"]: u["reason"] for u in res["unmatched"]}
    scope = sorted(set(got) | set(reasons))
    places = sum(capacity.values())
    mentors = sum(progs[p]["mentors"] for p in capacity)
    L = []
    say = L.append
    say("== %s %d届现代学徒制匹配" % (school["name"], year))
    nspec = len({studs[s]["specialty_id"] for s in scope})
    say("  参加匹配的学生 %d 人（%d 个专业）；%d 家企业的 %d 个学徒制项目，师傅 %d 名，名额 %d 个。" % (
        len(scope), nspec, len({progs[p]["enterprise_id"] for p in capacity}), len(capacity),
        mentors, places))
    others = [s for s in studs if s not in got and s not in reasons]
    if others:
        say("  另有 %d 名其他届别学生（如%d届学徒制试点）不在本次匹配范围内。" % (
            len(others), year + 1))
    full = sum(1 for p in capacity if sum(1 for q in got.values() if q == p) >= capacity[p])
    say("  录取 %d 人（占参加学生的 %.1f%%），名额使用率 %.1f%%，%d 个项目招满。" % (
        len(got), 100.0 * len(got) / len(scope) if scope else 0,
        100.0 * len(got) / places if places else 0, full))
    stated = [s for s in scope if studs[s].get("prefs")]
    rank_of = {}
    for s in stated:
        if s in got and got[s] in studs[s]["prefs"]:
            k = studs[s]["prefs"].index(got[s]) + 1
            rank_of[k] = rank_of.get(k, 0) + 1
    say("  填报志愿 %d 人：第一志愿录取 %d 人，第二志愿 %d 人，第三志愿 %d 人，未录取 %d 人。" % (
        len(stated), rank_of.get(1, 0), rank_of.get(2, 0), rank_of.get(3, 0),
        sum(1 for s in stated if s not in got)))
    silent = [s for s in scope if not studs[s].get("prefs")]
    say("  未填志愿 %d 人：按专业匹配度分配，录取 %d 人。" % (
        len(silent), sum(1 for s in silent if s in got)))
    outr = sum(1 for r in reasons.values() if r == "outranked")
    nop = [s for s, r in reasons.items() if r == "no_program"]
    nop_pref = sum(1 for s in nop if studs[s].get("prefs"))
    say("  未录取 %d 人：所选项目名额已被排名更靠前的同学占满 %d 人；没有可选项目 %d 人"
        "（其中 %d 人所填志愿都不属于本专业大类，可引导其改填）。" % (
            len(reasons), outr, len(nop), nop_pref))
    if facts:
        say("  核验：独立的延迟接受算法结果与本次匹配一致（%d 轮）；逐一检查 %d 个“学生—更想去的项目”组合，"
            "不稳定对 0 个。" % (facts["rounds"], facts["checked"]))
    say("")
    say("  各项目（名额 / 录取 / 其中按志愿录取 / 录取学生平均成绩）")
    for p in sorted(capacity):
        taken = [s for s, q in got.items() if q == p]
        chose = sum(1 for s in taken if p in studs[s].get("prefs", []))
        grades = [studs[s]["grade"] for s in taken if "grade" in studs[s]]
        say("    %s %s %s %3d / %3d / %3d / %s" % (
            p, pad(progs[p]["title"], 30), pad(ents[progs[p]["enterprise_id"]]["name"], 34),
            capacity[p],
            len(taken), chose, "%.1f" % (sum(grades) / len(grades)) if grades else "-"))
    say("")
    say("  各专业（学生 / 录取 / 录取率）")
    by_spec = {}
    for s in scope:
        by_spec.setdefault(studs[s]["specialty_id"], []).append(s)
    for sp in sorted(by_spec, key=lambda i: specs[i]["major_code"]):
        lst = by_spec[sp]
        n = sum(1 for s in lst if s in got)
        say("    %s %4d / %4d / %5.1f%%" % (pad(specs[sp]["name"], 22), len(lst), n,
                                         100.0 * n / len(lst)))
    return "\n".join(L)


def main():
    ap = common.arg_parser(
        __doc__, HERE, "local checks, and our deferred acceptance on lists recomputed from the CSVs")
    args = ap.parse_args()

    problems = []
    recs = load(args.dir, problems)
    local_checks(recs, problems)

    def local():
        """Our deferred acceptance on the lists recomputed from the CSVs."""
        prefs, ranks, capacity, _ = local_lists(recs)
        m, rounds, more = deferred_acceptance(prefs, ranks, capacity)
        found, checked = blocking_pairs(prefs, ranks, capacity, m)
        print("== local lists: %d students, %d programs, %d places" % (
            len(prefs), len(capacity), sum(capacity.values())))
        print("  deferred acceptance: %d matched, %d unmatched (%d with an empty list), "
              "%d rounds, %d blocking pairs of %d checked" % (
                  len(m), len(prefs) - len(m), sum(1 for v in prefs.values() if not v),
                  rounds, len(found), checked))
        return more

    def answer(res):
        """The match checked, then printed as the teacher reads it."""
        more, facts = verify(recs, res)
        print(report(recs, res, facts))
        print("\n== checks: %d students, %d programs; %d assigned, %d unmatched "
              "(%d outranked, %d no_program), %d rounds, blocking_pairs %d, solve %.1f ms" % (
                  len(res["assignments"]) + len(res["unmatched"]), len(res["capacity"]),
                  len(res["assignments"]), len(res["unmatched"]),
                  sum(1 for u in res["unmatched"] if u["reason"] == "outranked"),
                  sum(1 for u in res["unmatched"] if u["reason"] == "no_program"),
                  res["rounds"], res["blocking_pairs"], res.get("solve_ms", 0)))
        return more

    return common.run_check(args, recs, problems, "jiaxing-apprenticeships-", local, ask_match,
                            answer)

if __name__ == "__main__":
    sys.exit(main())
