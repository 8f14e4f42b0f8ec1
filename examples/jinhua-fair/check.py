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
import argparse
import csv
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(REPO, "data")

# column -> (kind of cell, required by the CSV format)
S, I, L = "str", "int", "list"
FILES = {
    "schools.csv": [("id", S), ("name", S), ("level", S), ("region", S)],
    "specialties.csv": [("id", S), ("school_id", S), ("major_code", S), ("name", S),
                        ("direction", S), ("cohort_2026", I), ("cohort_2027", I),
                        ("skills", L), ("chains", L)],
    "enterprises.csv": [("id", S), ("name", S), ("region", S), ("industry", S),
                        ("chains", L), ("size", I)],
    "postings.csv": [("id", S), ("enterprise_id", S), ("title", S), ("kind", S),
                     ("headcount", I), ("majors", L), ("skills", L), ("level", S),
                     ("region", S), ("start", S), ("until", S), ("salary_min", I),
                     ("salary_max", I)],
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

problems = []


def problem(where, msg):
    problems.append("%s: %s" % (where, msg))


# ------------------------------------------------------------ reading

CSV_DIR = HERE


def read_csv(name):
    """[(line, {column: value})] with cells converted; empty cells dropped."""
    path = os.path.join(CSV_DIR, name)
    cols = FILES[name]
    kinds = dict(cols)
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        rd = csv.reader(f)
        header = next(rd)
        if header != [c for c, _ in cols]:
            missing = [c for c, _ in cols if c not in header]
            unknown = [c for c in header if c not in kinds]
            if missing or unknown:
                problem(name, "header: missing %s, unknown %s" % (missing, unknown))
        for row in rd:
            line = rd.line_num
            if len(row) != len(header):
                problem("%s:%d" % (name, line), "%d cells, header has %d" % (len(row), len(header)))
                continue
            rec = {}
            for col, cell in zip(header, row):
                k = kinds.get(col)
                if k is None:
                    continue
                if cell == "":
                    if k == L and (name, col) in REQUIRED_LISTS:
                        rec[col] = []
                    continue
                if k == I:
                    try:
                        rec[col] = int(cell)
                    except ValueError:
                        problem("%s:%d" % (name, line), "%s=%r is not an integer" % (col, cell))
                elif k == L:
                    rec[col] = cell.split(";")
                else:
                    rec[col] = cell
            out.append((line, rec))
    return out


def to_records():
    """{kind: [(file, line, record)]} in docs/protocol.md shape."""
    recs = {"school": [], "enterprise": [], "specialty": [], "posting": [], "fair": []}
    for line, r in read_csv("schools.csv"):
        recs["school"].append(("schools.csv", line, r))
    for line, r in read_csv("enterprises.csv"):
        recs["enterprise"].append(("enterprises.csv", line, r))
    for line, r in read_csv("specialties.csv"):
        cohorts = {}
        for k in list(r):
            m = re.fullmatch(r"cohort_(\d{4})", k)
            if m:
                cohorts[m.group(1)] = r.pop(k)
        r["cohorts"] = cohorts
        recs["specialty"].append(("specialties.csv", line, r))
    for line, r in read_csv("postings.csv"):
        lo, hi = r.pop("salary_min", None), r.pop("salary_max", None)
        if (lo is None) != (hi is None):
            problem("postings.csv:%d" % line, "salary_min and salary_max come together")
        elif lo is not None:
            r["salary"] = [lo, hi]
        recs["posting"].append(("postings.csv", line, r))
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


# ------------------------------------------------------------ code tables

def table(name, key):
    with open(os.path.join(DATA, name), encoding="utf-8", newline="") as f:
        return {row[key]: row for row in csv.DictReader(f)}


def local_checks(recs):
    majors = table("major_catalog_2021.csv", "major_code")
    counties = table("regions_counties.csv", "code")
    industries = {r["section"] + r["division"]: r["name"] for r in
                  table("industry_gbt4754_2017.csv", "code").values() if r["level"] == "2"}
    prefixes = set()
    for c in majors:
        prefixes.update((c[:2], c[:4], c))
    ids = {k: set() for k in recs}
    for kind, rows in recs.items():
        for f, line, r in rows:
            if r.get("id") in ids[kind]:
                problem("%s:%d" % (f, line), "duplicate id %r" % r.get("id"))
            ids[kind].add(r.get("id"))
    for kind, rows in recs.items():
        for f, line, r in rows:
            w = "%s:%d" % (f, line)
            if "region" in r and r["region"] not in counties:
                problem(w, "region %s is not in regions_counties.csv" % r["region"])
            if "industry" in r and r["industry"] not in industries:
                problem(w, "industry %s is not a GB/T 4754 division" % r["industry"])
            if "major_code" in r and r["major_code"] not in majors:
                problem(w, "major_code %s is not in the 2021 catalog" % r["major_code"])
            for p in r.get("majors", []):
                if p not in prefixes:
                    problem(w, "majors prefix %s names no catalog code" % p)
            for d in r.get("directions", []):
                for p in d["majors"]:
                    if p not in prefixes:
                        problem(w, "direction %s prefix %s names no catalog code" % (d["id"], p))
            if kind == "specialty" and r.get("school_id") not in ids["school"]:
                problem(w, "school_id %r unknown" % r.get("school_id"))
            if kind == "posting" and r.get("enterprise_id") not in ids["enterprise"]:
                problem(w, "enterprise_id %r unknown" % r.get("enterprise_id"))
            if kind == "posting" and "salary" in r and r["salary"][0] > r["salary"][1]:
                problem(w, "salary_min > salary_max")
    return majors


# ------------------------------------------------------------ daemon

class Rpc:
    def __init__(self, port, timeout=120.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.unp = msgpack.Unpacker(raw=False, strict_map_key=False,
                                    max_buffer_size=2 ** 31 - 1)
        self.msgid = 0

    def call(self, method, params=None):
        """(error or None, result)."""
        self.msgid += 1
        self.sock.sendall(msgpack.packb([0, self.msgid, method, [params or {}]],
                                        use_bin_type=True))
        while True:
            for msg in self.unp:
                if msg[0] == 1 and msg[1] == self.msgid:
                    return msg[2], msg[3]
            data = self.sock.recv(1 << 20)
            if not data:
                raise ConnectionError("daemon closed the connection")
            self.unp.feed(data)


class Daemon:
    def __init__(self, binary):
        self.dir = tempfile.mkdtemp(prefix="jinhua-fair-")
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--data", self.dir],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        self.port = None
        self.log = []
        ready = threading.Event()

        def drain():
            for line in self.proc.stderr:
                self.log.append(line)
                m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
                if m and not ready.is_set():
                    self.port = int(m.group(1))
                    ready.set()
            ready.set()
        threading.Thread(target=drain, daemon=True).start()
        ready.wait(15)
        if self.port is None:
            self.stop()
            raise SystemExit("chanjiaod did not start:\n" + "".join(self.log))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def put_all(rpc, recs):
    rejected = 0
    for kind in ("school", "enterprise", "specialty", "posting", "fair"):
        for f, line, r in recs[kind]:
            err, _ = rpc.call(kind + ".put", r)
            if err:
                rejected += 1
                problem("%s:%d" % (f, line), "REJECTED %s.put %s: %s %s (field %s)" % (
                    kind, r.get("id"), err.get("code"), err.get("message"),
                    (err.get("data") or {}).get("field")))
                continue
            err, back = rpc.call(kind + ".get", {"id": r["id"]})
            if err or back != r:
                problem("%s:%d" % (f, line), "read back differs: %r" % (err or back))
    return rejected


# ------------------------------------------------------------ summary

def field(code):
    g = int(code[:2])
    if 61 <= g <= 79:
        g -= 20
    elif 21 <= g <= 39:
        g += 20
    return "%02d%s" % (g, code[2:])


def major_factor(code, prefixes):
    """docs/matching.md's major factor of a specialty code against a posting."""
    if not prefixes:
        return 1.0
    best = 0.0
    for p in prefixes:
        if code.startswith(p):
            return 1.0
        if field(code)[:4].startswith(field(p)[:4]):
            best = max(best, 0.6)
        elif field(code)[:2] == field(p)[:2]:
            best = max(best, 0.3)
    return best


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
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, help="use a running daemon on 127.0.0.1:PORT")
    ap.add_argument("--daemon", default=os.environ.get("CHANJIAOD") or
                    os.path.join(REPO, "build", "chanjiaod"), help="chanjiaod binary")
    ap.add_argument("--no-daemon", action="store_true", help="local checks and summary only")
    ap.add_argument("--dir", default=HERE, help="directory holding the CSV files")
    args = ap.parse_args()
    global CSV_DIR
    CSV_DIR = args.dir

    recs = to_records()
    majors = local_checks(recs)
    d = None
    rejected = 0
    try:
        if not args.no_daemon:
            if args.port:
                port = args.port
            else:
                d = Daemon(args.daemon)
                port = d.port
            rpc = Rpc(port)
            rejected = put_all(rpc, recs)
        summary(recs, majors)
        if not args.no_daemon:
            daemon_summary(rpc, recs["fair"][0][2]["id"])
    finally:
        if d:
            d.stop()
    n = sum(len(v) for v in recs.values())
    print("\n== result")
    if problems:
        for p in problems:
            print("  " + p)
    if args.no_daemon:
        print("  %d records read; %d problems (daemon not asked)" % (n, len(problems)))
    else:
        print("  %d records sent, %d accepted, %d rejected; %d problems" % (
            n, n - rejected, rejected, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
