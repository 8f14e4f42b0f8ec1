#!/usr/bin/python3
"""Check the Jinhua fair scenario against a real chanjiaod and summarise it.

    /usr/bin/python3 examples/jinhua-fair/check.py            # starts build/chanjiaod
    /usr/bin/python3 examples/jinhua-fair/check.py --port 7411 # uses a running daemon
                                                               # (writes into its store!)

Reads the CSV files beside this script, converts every row to the record
docs/protocol.md defines (the CSV format of the `chanjiao` CLI: header = field
names, empty cell = field absent, lists `;`-separated, cohorts as
cohort_YYYY columns, salary as salary_min/salary_max, a fair spread over
fairs.csv + fair_directions.csv + fair_sessions.csv + fair_requests.csv),
checks codes and references against data/, puts every record one by one
(so each rejected row is reported with its file and line), reads each back,
and prints a supply/demand summary plus the daemon's own fair.allocate,
fair.schedule and stats.balance answers.

Needs only the standard library and Debian's python3-msgpack.  Exit status
0 when every row was accepted and read back unchanged, 1 otherwise.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402  (examples/common.py)
from common import I, L, S, major_factor  # noqa: E402

# column -> kind of cell
FILES = {
    "schools.csv": common.SCHOOL_COLUMNS,
    "specialties.csv": common.specialty_columns((2026, 2027)),
    "enterprises.csv": common.ENTERPRISE_COLUMNS,
    "postings.csv": common.POSTING_COLUMNS,
    "fairs.csv": [("id", S), ("name", S), ("date", S), ("region", S),
                  ("school_ids", L), ("enterprise_ids", L)],
    "fair_directions.csv": [("fair_id", S), ("id", S), ("name", S), ("majors", L)],
    "fair_sessions.csv": [("fair_id", S), ("id", S), ("start", S), ("end", S),
                          ("booths", I), ("directions", L)],
    "fair_requests.csv": [("fair_id", S), ("enterprise_id", S), ("slots", I)],
}
# list fields that a record requires: an empty cell is the empty list
REQUIRED_LISTS = {("postings.csv", "majors"), ("fairs.csv", "school_ids"),
                  ("fairs.csv", "enterprise_ids"), ("fair_directions.csv", "majors")}
KINDS = ("school", "enterprise", "specialty", "posting", "fair")

problems = []


def problem(where, msg):
    problems.append("%s: %s" % (where, msg))


# ------------------------------------------------------------ reading

CSV_DIR = HERE


def read_csv(name):
    """[(line, {column: value})] of CSV_DIR/name (common.read_csv)."""
    return common.read_csv(CSV_DIR, name, FILES[name], problems, REQUIRED_LISTS)


def to_records():
    """{kind: [(file, line, record)]} in docs/protocol.md shape."""
    recs = common.load(CSV_DIR, KINDS[:-1], FILES, problems, REQUIRED_LISTS)
    recs["fair"] = []
    fairs = {}
    for line, r in read_csv("fairs.csv"):
        r["directions"], r["sessions"] = [], []
        fairs[r["id"]] = r
        recs["fair"].append(("fairs.csv", line, r))
    for name, key in (("fair_directions.csv", "directions"), ("fair_sessions.csv", "sessions")):
        for line, r in read_csv(name):
            fid = r.pop("fair_id", None)
            if fid not in fairs:
                problem("%s:%d" % (name, line), "fair_id %r is not in fairs.csv" % fid)
                continue
            fairs[fid][key].append(r)
    for line, r in read_csv("fair_requests.csv"):
        fid = r.get("fair_id")
        if fid not in fairs:
            problem("fair_requests.csv:%d" % line, "fair_id %r is not in fairs.csv" % fid)
            continue
        fairs[fid].setdefault("requests", {})[r["enterprise_id"]] = r["slots"]
    return recs


# ------------------------------------------------------------ daemon

def put_all(rpc, recs):
    """Put every record one by one and read it back; the number rejected."""
    rejected = 0
    for kind in KINDS:
        for f, line, r in recs[kind]:
            if common.put_one(rpc, kind, f, line, r, problems):
                common.read_back(rpc, kind, f, line, r, problems)
            else:
                rejected += 1
    return rejected


# ------------------------------------------------------------ summary

def summary(recs, majors):
    fair = recs["fair"][0][2]
    dirs = fair["directions"]
    sup = {d["id"]: [0, 0] for d in dirs}
    codes = {d["id"]: [] for d in dirs}
    for _, _, s in recs["specialty"]:
        for d in dirs:
            if any(s["major_code"].startswith(p) for p in d["majors"]):
                sup[d["id"]][0] += s["cohorts"].get("2026", 0)
                sup[d["id"]][1] += s["cohorts"].get("2027", 0)
                codes[d["id"]].append(s["major_code"])
                break
    posts = [r for _, _, r in recs["posting"]]
    print("\n== records")
    for kind in ("school", "specialty", "enterprise", "posting", "fair"):
        print("  %-11s %4d" % (kind, len(recs[kind])))
    print("  fair %s: %d directions, %d sessions (%s booths), %d enterprises, %d slots requested"
          % (fair["id"], len(dirs), len(fair["sessions"]),
             "+".join(str(s["booths"]) for s in fair["sessions"]),
             len(fair["enterprise_ids"]), sum(fair.get("requests", {}).values())))
    print("\n== postings by kind")
    for kind in ("job", "internship", "apprenticeship", "order_class"):
        ps = [p for p in posts if p["kind"] == kind]
        print("  %-15s %4d postings %5d positions" % (kind, len(ps), sum(p["headcount"] for p in ps)))
    total = sum(p["headcount"] for p in posts)
    print("  %-15s %4d postings %5d positions" % ("total", len(posts), total))
    grads = sum(v[0] for v in sup.values())
    print("  graduates 2026: %d (2027: %d); positions per 2026 graduate: %.2f"
          % (grads, sum(v[1] for v in sup.values()), total / grads))
    sizes = sorted(p["headcount"] for p in posts)
    per_ent = {}
    for p in posts:
        per_ent[p["enterprise_id"]] = per_ent.get(p["enterprise_id"], 0) + 1
    print("  headcount min/median/max %d/%d/%d; postings per enterprise %d..%d"
          % (sizes[0], sizes[len(sizes) // 2], sizes[-1], min(per_ent.values()), max(per_ent.values())))

    exact = {d: 0 for d in sup}
    klass = {d: 0 for d in sup}
    share = {d: 0.0 for d in sup}
    anymajor = unmet = 0
    for p in posts:
        if not p["majors"]:
            anymajor += p["headcount"]
            continue
        # (majors is not empty here, so major_factor's 0.5 for no majors never applies)
        f = {d: max([major_factor(c, p["majors"]) for c in codes[d]] or [0]) for d in sup}
        hit = [d for d in sup if f[d] >= 0.6]
        for d in sup:
            exact[d] += p["headcount"] if f[d] == 1.0 else 0
            klass[d] += p["headcount"] if f[d] >= 0.6 else 0
        if not hit:
            unmet += p["headcount"]
            continue
        top = max(f[d] for d in hit)
        best = [d for d in hit if f[d] == top]
        for d in best:
            share[d] += p["headcount"] / len(best)
    print("\n== supply and demand per direction (local, by prefix coverage)")
    print("  exact = positions whose prefixes cover one of the direction's codes (major factor 1);")
    print("  class = ... or the same 专业类 at any level (factor >= 0.6);")
    print("  share = each posting split equally over its best-covered directions")
    print("  %-4s %-14s %6s %6s %6s %6s %7s %6s" % ("id", "name", "g2026", "g2027", "exact", "class", "share", "ratio"))
    for d in dirs:
        i = d["id"]
        r = share[i] / sup[i][0] if sup[i][0] else float("nan")
        print("  %-4s %-14s %6d %6d %6d %6d %7.0f %6.2f" % (
            i, d["name"], sup[i][0], sup[i][1], exact[i], klass[i], share[i], r))
    print("  any major (empty majors): %d positions; no direction within the class level "
          "(unmet fields): %d positions" % (anymajor, unmet))


def daemon_summary(rpc, fair_id):
    print("\n== daemon: system.info")
    err, info = rpc.call("system.info")
    print("  ", err or info.get("counts"))
    print("\n== daemon: fair.allocate (grad_year from the fair date)")
    err, a = rpc.call("fair.allocate", {"fair_id": fair_id})
    if err:
        print("   not available: %s %s" % (err.get("code"), err.get("message")))
    else:
        print("  %-4s %7s %7s %9s %7s" % ("dir", "supply", "demand", "allocated", "pos/grad"))
        for d in a["directions"]:
            ppg = d.get("positions_per_graduate")
            print("  %-4s %7d %7d %9d %7s" % (d["direction_id"], d["supply"], d["demand"],
                                             d["allocated"], "-" if ppg is None else "%.2f" % ppg))
        print("  placed %d, objective %.1f, unfilled %d postings / %d positions, solve %.1f ms"
              % (a["placed"], a["objective"], len(a["unfilled"]),
                 sum(u["open"] for u in a["unfilled"]), a.get("solve_ms", 0)))
    print("\n== daemon: fair.schedule")
    err, s = rpc.call("fair.schedule", {"fair_id": fair_id})
    if err:
        print("   not available: %s %s" % (err.get("code"), err.get("message")))
    else:
        per = {}
        for sl in s["slots"]:
            per[sl["session_id"]] = per.get(sl["session_id"], 0) + 1
        print("  slots %d (%s), unscheduled enterprises %d, score %.1f" % (
            len(s["slots"]), ", ".join("%s %d" % kv for kv in sorted(per.items())),
            len(s["unscheduled"]), s["score"]))
    print("\n== daemon: stats.balance by direction")
    err, b = rpc.call("stats.balance", {"by": "direction", "fair_id": fair_id})
    if err:
        print("   not available: %s %s" % (err.get("code"), err.get("message")))
    else:
        for r in b["rows"]:
            print("  %-4s supply %5s demand %8s ratio %s" % (
                r["key"], r["supply"], r["demand"],
                "-" if r["ratio"] is None else "%.2f" % r["ratio"]))


def main():
    ap = common.arg_parser(__doc__, HERE, "local checks and summary only")
    args = ap.parse_args()
    global CSV_DIR
    CSV_DIR = args.dir

    recs = to_records()
    majors = common.local_checks(recs, problems)
    d = None
    rejected = 0
    try:
        if not args.no_daemon:
            if args.port:
                port = args.port
            else:
                d = common.Daemon(args.daemon, "jinhua-fair-")
                port = d.port
            rpc = common.Rpc(port)
            rejected = put_all(rpc, recs)
        summary(recs, majors)
        if not args.no_daemon:
            daemon_summary(rpc, recs["fair"][0][2]["id"])
    finally:
        if d:
            d.stop()
    n = sum(len(v) for v in recs.values())
    common.print_result(problems, n, rejected, not args.no_daemon)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
