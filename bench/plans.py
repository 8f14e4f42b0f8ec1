#!/usr/bin/python3
"""orderclass.plan and apprenticeship.match end to end (bench/plans.sh
drives it; see bench/README.md, "plans").

    plans.py call   --port P --pid PID --method M --params JSON [--reps 5]
                    [--label L] [--shape F] [--ocshape F]  # one result line (JSON)
    plans.py ocshape --port P --params JSON              # explain: the instance
    plans.py school --port P --region 3304               # the school with most specialties
    plans.py params --params JSON --out FILE             # a loadgen params map
    plans.py idle   --pid PID                            # wait for an idle daemon
    plans.py fjoin  f-*.json                             # part f's loadgen runs
    plans.py table  RESULTS.jsonl                        # the markdown tables

Standard library and Debian's python3-msgpack only.

`call` sends the same request REPS times, one at a time, on one
connection.  End to end is from just before the request's send() to just
after the recv() that completes the reply: the reply is framed as it
arrives by msgpack's Unpacker.skip() (C, builds nothing), and decoded only
after the clock stops.  Before each call the daemon's peak RSS (VmHWM) is
reset by writing 5 to /proc/PID/clear_refs, and read after it; a thread
samples VmRSS and RssAnon of the daemon, and VmRSS of its child processes
(the order-class planner runs CBC in children), every 20 ms.
"""
import argparse
import json
import os
import socket
import statistics
import sys
import threading
import time

import msgpack


def connect(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Conn:
    def __init__(self, port):
        self.s = connect(port)
        self.msgid = 0

    def call(self, method, params, allow_error=False):
        """(reply result, end-to-end ms, reply bytes); exits on an error reply
        (with allow_error, the result is {"error": the error})."""
        self.msgid += 1
        req = msgpack.packb([0, self.msgid, method, [params]])
        sk = msgpack.Unpacker(max_buffer_size=2**31 - 1)
        raw = bytearray()
        t0 = time.perf_counter()
        self.s.sendall(req)
        while True:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                sys.exit(f"plans.py: {method}: connection closed")
            raw += chunk
            sk.feed(chunk)
            try:
                sk.skip()
                break
            except msgpack.OutOfData:
                continue
        t1 = time.perf_counter()
        msg = msgpack.unpackb(bytes(raw), raw=False, strict_map_key=False)
        if msg[0] != 1 or msg[1] != self.msgid:
            sys.exit(f"plans.py: {method}: unexpected reply head {msg[:3]}")
        if msg[2] is not None:
            if allow_error:
                return {"error": msg[2]}, (t1 - t0) * 1e3, len(raw)
            sys.exit(f"plans.py: {method}: error {msg[2]}")
        return msg[3], (t1 - t0) * 1e3, len(raw)


def simple_call(port, method, params):
    c = Conn(port)
    r = c.call(method, params)[0]
    c.s.close()
    return r


# ---- memory ------------------------------------------------------------------

def status_kb(pid, keys):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in keys:
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def children(pid):
    kids = []
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{t}/children") as f:
                    kids += [int(x) for x in f.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return kids


class Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.stop = threading.Event()
        self.rss = self.anon = self.kids = self.kids_sum = 0
        self.nkids = 0

    def run(self):
        while not self.stop.is_set():
            st = status_kb(self.pid, ("VmRSS", "RssAnon"))
            self.rss = max(self.rss, st.get("VmRSS", 0))
            self.anon = max(self.anon, st.get("RssAnon", 0))
            ks = children(self.pid)
            self.nkids = max(self.nkids, len(ks))
            tot = 0
            for k in ks:
                r = status_kb(k, ("VmRSS",)).get("VmRSS", 0)
                self.kids = max(self.kids, r)
                tot += r
            self.kids_sum = max(self.kids_sum, tot)
            self.stop.wait(0.02)


def reset_hwm(pid):
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# ---- summaries of a reply --------------------------------------------------------

def summarize(method, r):
    if method == "orderclass.plan":
        obj, bnd = r["objective"], r["bound"]
        return {"classes": len(r["classes"]), "students": r["students"],
                "objective": obj, "bound": bnd, "optimal": bool(r["optimal"]),
                "gap": (bnd - obj) / bnd if bnd > 0 else 0.0,
                "solve_ms": r["solve_ms"]}
    if method == "apprenticeship.match":
        reasons = {}
        for u in r["unmatched"]:
            reasons[u["reason"]] = reasons.get(u["reason"], 0) + 1
        return {"matched": len(r["assignments"]), "unmatched": len(r["unmatched"]),
                "no_program": reasons.get("no_program", 0),
                "outranked": reasons.get("outranked", 0),
                "blocking_pairs": r["blocking_pairs"], "rounds": r["rounds"],
                "solve_ms": r["solve_ms"]}
    return {}


def cmd_call(a):
    params = json.loads(a.params)
    c = Conn(a.port)
    runs = []
    for i in range(a.reps):
        reset = reset_hwm(a.pid) if a.pid else False
        smp = Sampler(a.pid) if a.pid else None
        if smp:
            smp.start()
        r, e2e, nbytes = c.call(a.method, params)
        if smp:
            smp.stop.set()
            smp.join()
        run = summarize(a.method, r)
        run.update(e2e_ms=e2e, reply_bytes=nbytes)
        if a.pid:
            st = status_kb(a.pid, ("VmHWM", "VmRSS", "RssAnon"))
            run.update(vmhwm_kb=st.get("VmHWM", 0) if reset else None,
                       peak_rss_kb=smp.rss, peak_anon_kb=smp.anon,
                       child_peak_kb=smp.kids, children_peak_kb=smp.kids_sum,
                       children=smp.nkids)
        runs.append(run)
        print(f"   {a.label} run {i + 1}: " + ", ".join(
            f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}"
            for k, v in run.items()), file=sys.stderr, flush=True)
        del r
    c.s.close()
    # Determinism: a match, and a plan not cut short by time_limit_ms, give
    # the same answer every time (docs/protocol.md).
    keys = ("objective", "students", "classes") if a.method == "orderclass.plan" \
        else ("matched", "rounds")
    limit = params.get("time_limit_ms", 10000)
    for k in keys:
        vals = sorted({x[k] for x in runs})
        if len(vals) > 1:
            short = [x["solve_ms"] < 0.9 * limit for x in runs] \
                if a.method == "orderclass.plan" else [True]
            print(f"   {a.label}: NOTE the runs differ in {k}: {vals}"
                  f"{' (none cut short by time_limit_ms)' if all(short) else ''}",
                  file=sys.stderr)
    med = lambda k: statistics.median(x[k] for x in runs) if runs and \
        runs[0].get(k) is not None else None
    out = {"label": a.label, "method": a.method, "params": params, "reps": a.reps,
           "runs": runs, "e2e_ms": med("e2e_ms"), "solve_ms": med("solve_ms"),
           "reply_bytes": runs[-1]["reply_bytes"]}
    for k in ("vmhwm_kb", "peak_rss_kb", "peak_anon_kb", "child_peak_kb",
              "children_peak_kb"):
        vs = [x[k] for x in runs if x.get(k) is not None]
        out[k] = max(vs) if vs else None
    if a.method == "orderclass.plan":
        best = max(runs, key=lambda x: x["objective"])
        out.update(objective=med("objective"), bound=med("bound"), gap=med("gap"),
                   gap_max=max(x["gap"] for x in runs),
                   optimal=sum(x["optimal"] for x in runs),
                   classes=best["classes"], students=best["students"])
    else:
        out.update(matched=med("matched"), unmatched=med("unmatched"),
                   no_program=med("no_program"), outranked=med("outranked"),
                   rounds=med("rounds"),
                   blocking_pairs=max(x["blocking_pairs"] for x in runs))
    for key, path in (("shape", a.shape), ("ocshape", a.ocshape)):
        if path:
            with open(path) as f:
                out[key] = json.load(f)
    print(json.dumps(out))


def cmd_ocshape(a):
    """The instance an orderclass.plan call solves, from one explain call
    (time_limit_ms 1: the search itself is cut at once)."""
    params = dict(json.loads(a.params), explain=True, time_limit_ms=1)
    c = Conn(a.port)
    r, e2e, nbytes = c.call("orderclass.plan", params, allow_error=True)
    c.s.close()
    if "error" in r:       # e.g. an answer over max_frame: no shape then
        print(json.dumps({"explain_error": r["error"], "explain_e2e_ms": e2e}))
        return
    pairs = r["pairs"]
    sup, dem = r["supply"], r["demand"]
    ents = {p["enterprise_id"] for p in pairs}
    specs = {p["specialty_id"] for p in pairs}
    out = {"specialties": len(sup), "enterprises_with_demand": len(dem),
           "pairs": len(pairs), "supply": sum(sup.values()),
           "demand": sum(dem.values()),
           "specialties_in_pairs": len(specs), "enterprises_in_pairs": len(ents),
           "explain_e2e_ms": e2e, "explain_bytes": nbytes}
    print(json.dumps(out))


def cmd_school(a):
    """The school of the region with the most specialties, and its county."""
    c = Conn(a.port)
    schools, after = {}, None
    while True:
        p = {"limit": 1000, "filter": {"region": a.region}}
        if after:
            p["after"] = after
        r = c.call("school.list", p)[0]
        for s in r["items"]:
            schools[s["id"]] = s["region"]
        after = r["next"]
        if after is None:
            break
    n, after = {}, None
    while True:
        p = {"limit": 1000}
        if after:
            p["after"] = after
        r = c.call("specialty.list", p)[0]
        for s in r["items"]:
            if s["school_id"] in schools:
                n[s["school_id"]] = n.get(s["school_id"], 0) + 1
        after = r["next"]
        if after is None:
            break
    c.s.close()
    best = max(sorted(n), key=lambda k: n[k])
    print(json.dumps({"school_id": best, "region": schools[best],
                      "specialties": n[best]}))


def cmd_params(a):
    with open(a.out, "wb") as f:
        f.write(msgpack.packb(json.loads(a.params)))


def ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            v = f.read().rsplit(")", 1)[1].split()
        return int(v[11]) + int(v[12])
    except (OSError, IndexError, ValueError):
        return 0


def cmd_idle(a):
    """Wait until the daemon and its children used < 2 ticks in 0.5 s."""
    for _ in range(2400):
        ks = children(a.pid)
        t0 = ticks(a.pid) + sum(ticks(k) for k in ks)
        time.sleep(0.5)
        t1 = ticks(a.pid) + sum(ticks(k) for k in ks)
        if t1 - t0 < 2 and not children(a.pid):
            return
    sys.exit("plans.py: the daemon never went idle")


# ---- the tables -------------------------------------------------------------------

def fmt_ms(x):
    if x is None:
        return "—"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def mib(kb):
    return "—" if kb is None else f"{kb / 1024:,.0f}"


def cmd_table(a):
    rows = [json.loads(line) for line in open(a.results) if line.strip()]
    meta = next((r for r in rows if r.get("label") == "meta"), {})
    commit = meta.get("commit", "?")
    oc = [r for r in rows if r.get("method") == "orderclass.plan"]
    da = [r for r in rows if r.get("method") == "apprenticeship.match"]
    f = [r for r in rows if r.get("label") == "f"]
    if oc:
        print("orderclass.plan (medians of the runs; other = e2e - solve_ms: reading "
              "the store, scoring the pairs, packing, transfer; gap = (bound - objective) "
              "/ bound; enterprises = those with demand):")
        print()
        print("| part | scope | specialties | enterprises | pairs | supply / demand "
              "| time limit s | runs | e2e ms | solve_ms | other ms | objective | bound "
              "| gap % | optimal | classes / students | VmHWM MiB | CBC peak MiB | commit |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:"
              "|---:|---:|---:|---|")
        for r in oc:
            s = r.get("ocshape", {})
            p = r["params"]
            scope = " ".join(f"{k} {v}" for k, v in p.items()
                             if k in ("school_id", "region_prefix", "grad_year"))
            n = lambda k: f"{s[k]:,}" if k in s else "?"
            print(f"| {r['label']} | {scope} | {n('specialties')} "
                  f"| {n('enterprises_with_demand')} | {n('pairs')} "
                  f"| {n('supply')} / {n('demand')} "
                  f"| {p.get('time_limit_ms', 10000) / 1000:g} | {r['reps']} "
                  f"| {fmt_ms(r['e2e_ms'])} | {fmt_ms(r['solve_ms'])} "
                  f"| {fmt_ms(r['e2e_ms'] - r['solve_ms'])} "
                  f"| {r['objective']:,.1f} | {r['bound']:,.1f} | {100 * r['gap']:.3f} "
                  f"| {r['optimal']}/{r['reps']} | {r['classes']:,} / {r['students']:,} "
                  f"| {mib(r.get('vmhwm_kb'))} | {mib(r.get('child_peak_kb'))} | {commit} |")
        print()
    if da:
        print("apprenticeship.match (medians of the runs; other = e2e - solve_ms: "
              "reading the store, scoring, packing, transfer):")
        print()
        print("| part | students | programs | eligible programs / student | capacity / students "
              "| with prefs % | runs | e2e ms | solve_ms | other ms | matched "
              "| no_program / outranked | rounds | reply MB | VmHWM MiB | peak RssAnon MiB "
              "| commit |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in da:
            s = r.get("shape", {})
            st = s.get("students", 0) or 1
            print(f"| {r['label']} | {s.get('students', 0):,} | {s.get('programs', 0):,} "
                  f"| {s.get('eligible_per_student', 0):,.0f} "
                  f"| {s.get('capacity_per_student', 0):.2f} "
                  f"| {100 * s.get('with_prefs', 0) / st:.0f} | {r['reps']} "
                  f"| {fmt_ms(r['e2e_ms'])} | {fmt_ms(r['solve_ms'])} "
                  f"| {fmt_ms(r['e2e_ms'] - r['solve_ms'])} | {r['matched']:,.0f} "
                  f"| {r['no_program']:,.0f} / {r['outranked']:,.0f} | {r['rounds']:.0f} "
                  f"| {r['reply_bytes'] / 1e6:,.1f} | {mib(r.get('vmhwm_kb'))} "
                  f"| {mib(r.get('peak_anon_kb'))} | {commit} |")
        print()
    if f:
        print("latency of cheap calls while orderclass.plan (part b) runs: "
              "1 connection x 1 in flight, medians over the rounds (idle and "
              "during interleaved):")
        print()
        print("| call | idle p50 / p99 us | during p50 / p99 us | idle / during p99.9 us "
              "| during max us | rounds | commit |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for r in f:
            for m in ("system.ping", "match.candidates"):
                i, d = r[m]["idle"], r[m]["during"]
                med = lambda xs, k: statistics.median(x[k] for x in xs)
                print(f"| {m} | {med(i, 'p50_us'):,.0f} / {med(i, 'p99_us'):,.0f} "
                      f"| {med(d, 'p50_us'):,.0f} / {med(d, 'p99_us'):,.0f} "
                      f"| {med(i, 'p999_us'):,.0f} / {med(d, 'p999_us'):,.0f} "
                      f"| {max(x['max_us'] for x in d):,.0f} | {len(d)} | {commit} |")
        print()
    loads = [r for r in rows if r.get("label") == "load"]
    if loads:
        print("loading (loadgen --replay, 2 connections x 2 batches of 10,000 in flight):")
        print()
        print("| store | records | s | rec/s | program.put rec/s | student.put rec/s |")
        print("|---|---:|---:|---:|---:|---:|")
        for r in loads:
            ph = {p["method"]: p for p in r.get("phases", [])}
            g = lambda m: f"{ph[m]['records_per_s']:,.0f}" if m in ph else "—"
            print(f"| {r['store']} | {r['records']:,} | {r['seconds']:.1f} "
                  f"| {r['records_per_s']:,.0f} | {g('program.put')} | {g('student.put')} |")
        print()


def cmd_fjoin(a):
    """Fold loadgen --json files (idle/during, ping/match) into one result line."""
    out = {"label": "f", "system.ping": {"idle": [], "during": []},
           "match.candidates": {"idle": [], "during": []}}
    for path in a.files:
        name = os.path.basename(path)          # f-<round>-<idle|during>-<ping|match>.json
        _, _, phase, what = name[:-5].split("-")
        d = json.load(open(path))
        bad = d["errors"] + d["protocol_violations"] + d["connections_lost"]
        if bad:
            sys.exit(f"plans.py: {name}: {bad} errors ({d.get('first_error')})")
        m = "system.ping" if what == "ping" else "match.candidates"
        out[m][phase].append(d)
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("call")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, default=0)
    p.add_argument("--method", required=True)
    p.add_argument("--params", default="{}")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--label", default="")
    p.add_argument("--shape", help="gen --shape output: the students and programs")
    p.add_argument("--ocshape", help="ocshape output: the order-class instance")
    p.set_defaults(fn=cmd_call)
    p = sub.add_parser("ocshape")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--params", default="{}")
    p.set_defaults(fn=cmd_ocshape)
    p = sub.add_parser("school")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--region", required=True)
    p.set_defaults(fn=cmd_school)
    p = sub.add_parser("params")
    p.add_argument("--params", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_params)
    p = sub.add_parser("idle")
    p.add_argument("--pid", type=int, required=True)
    p.set_defaults(fn=cmd_idle)
    p = sub.add_parser("table")
    p.add_argument("results")
    p.set_defaults(fn=cmd_table)
    p = sub.add_parser("fjoin")
    p.add_argument("files", nargs="+")
    p.set_defaults(fn=cmd_fjoin)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
