#!/usr/bin/env bash
# fair.allocate at scale, and system.ping while large allocations run.
#
#   bench/fairscale.sh jinhua|x10|p100k
#   MIN_SCORE=0.6 bench/fairscale.sh p100k        # fair.allocate's min_score
#   SEED=2 CALLS=5 PING_SECS=5 E2E_SECS=10 ALLOC_DEPTHS="1 2" bench/fairscale.sh x10
#   NOBUILD=1 BUILD=/other/build COMMIT=abc1234 bench/fairscale.sh jinhua
#   PERF=1 bench/fairscale.sh p100k      # + where one call's time goes (perf)
#
# 1. builds chanjiaod, chanjiao and loadgen (RelWithDebInfo, $BUILD) unless
#    NOBUILD=1;
# 2. starts chanjiaod on 127.0.0.1:0 with a private data dir (mktemp -d,
#    removed on exit) and a config raising max_frame so the explain answer
#    (every arc) fits;
# 3. loads the fair: jinhua with `chanjiao import examples/jinhua-fair`,
#    x10 and p100k with bench/fairscale.py (straight through the protocol);
# 4. facts (postings, positions, graduates) and the arc count, from one
#    fair.allocate {explain: true} read as a stream;
# 5. solve_ms: median of CALLS python calls (and that they all agree);
# 6. fair.allocate end to end with loadgen, 1 connection x 1 in flight:
#    E2E_SECS seconds after 1 s warmup when a call takes < 200 ms, else
#    CALLS requests;
# 7. system.ping 1 x 1 for PING_SECS (after 1 s warmup): idle (baseline),
#    then for each depth in ALLOC_DEPTHS while another loadgen keeps that
#    many fair.allocate calls in flight on its own connection.  Between
#    runs the script waits until the daemon is idle again (an allocation
#    cut off by stopping its loadgen still runs to its end on the worker).
# 8. with PERF=1 (needs perf): one more python call under `perf record
#    --call-graph dwarf` on the daemon, split into reading the fair
#    (fairdata_load), building the arcs (fair_arcs: scoring), the solver
#    (flow_max_min_cost) and the rest (packing the answer, page faults of
#    the graph's memory ...), as shares of the worker's samples and as ms
#    of that call.
# Prints the measurements and a markdown row for bench/README.md.  The
# commit column is git HEAD (+dirty when daemon/ matcher/ store/ proto/
# config/ differ from it) unless COMMIT is given: with NOBUILD=1 say which
# commit the binary was built from.
set -euo pipefail
SIZE=${1:?usage: bench/fairscale.sh jinhua|x10|p100k}
case $SIZE in jinhua | x10 | p100k) ;; *)
	echo "fairscale.sh: size is jinhua, x10 or p100k" >&2
	exit 2
	;;
esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build}
PY=/usr/bin/python3
FS="$PY $ROOT/bench/fairscale.py"
SEED=${SEED:-1}
CALLS=${CALLS:-5}
E2E_SECS=${E2E_SECS:-10}
PING_SECS=${PING_SECS:-5}
ALLOC_DEPTHS=${ALLOC_DEPTHS:-"1 2"}
MIN_SCORE=${MIN_SCORE:-}
MS_ARGS=()
if [ -n "$MIN_SCORE" ]; then MS_ARGS=(--min-score "$MIN_SCORE"); fi

if [ -z "${NOBUILD:-}" ]; then
	build_targets chanjiaod chanjiao loadgen
fi
CHANJIAOD=$BUILD/chanjiaod
CLI=$BUILD/chanjiao
LOADGEN=$BUILD/bench/loadgen

TMP=$(mktemp -d "${TMPDIR:-/tmp}/chanjiao-fairscale.XXXXXX")
CJ_PID='' BG_PID='' PERF_PID=''
cleanup() {
	for p in $PERF_PID $BG_PID $CJ_PID; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $PERF_PID $BG_PID $CJ_PID; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

printf '[server]\nmap_size = 64G\nmax_frame = 2G\nmax_reply_queue = 4G\n' \
    >"$TMP/chanjiao.conf"
mkdir "$TMP/data"
start_daemon "$TMP/chanjiao.conf" "$TMP/data" "$TMP/chanjiaod.log"
if [ -n "${COMMIT:-}" ]; then :
else
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$ROOT" status --porcelain -- daemon matcher store proto config \
    CMakeLists.txt 2>/dev/null)" ]; then
	COMMIT="$COMMIT+dirty"
fi
fi
log "== chanjiaod pid $CJ_PID port $PORT (commit $COMMIT), $(nproc) cores," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Wait until the daemon used < 2 ticks of CPU over 0.5 s (no job running).
wait_idle() {
	local a b
	for _ in $(seq 7200); do
		a=$(cpu_ticks "$CJ_PID")
		sleep 0.5
		b=$(cpu_ticks "$CJ_PID")
		[ $((b - a)) -lt 2 ] && return 0
	done
	log "fairscale.sh: daemon never went idle"
	return 1
}
jget() { $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])' "$@"; }
lg_check() { # file: a loadgen --json object with no error
	$PY - "$1" <<-'EOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	bad = {k: d[k] for k in ("errors", "protocol_violations", "connections_lost") if d[k]}
	if bad:
	    sys.exit("loadgen %s: %s, first error %s" % (d["method"], bad, d.get("first_error")))
	EOF
}

# ---- load ---------------------------------------------------------------------
t0=$(date +%s.%N)
if [ "$SIZE" = jinhua ]; then
	FAIR=JHJS-2026-05
	"$CLI" --host "127.0.0.1:$PORT" import "$ROOT/examples/jinhua-fair" >"$TMP/import.out"
	log "== imported examples/jinhua-fair"
else
	FAIR=$($PY -c "import sys; sys.path.insert(0, '$ROOT/bench'); import fairscale; \
print(fairscale.SIZES['$SIZE']['fair_id'])")
	$FS load "$SIZE" --port "$PORT" --seed "$SEED" >&2
fi
LOAD_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
$FS facts --port "$PORT" --fair "$FAIR" >"$TMP/facts.json"
log "== facts: $(cat "$TMP/facts.json") (loaded in $LOAD_S s)"
wait_idle

# ---- arcs (explain) -----------------------------------------------------------
$FS arcs --port "$PORT" --fair "$FAIR" "${MS_ARGS[@]}" >"$TMP/arcs.json"
log "== explain: $(cat "$TMP/arcs.json")"
wait_idle

# ---- solve_ms ------------------------------------------------------------------
$FS solve --port "$PORT" --fair "$FAIR" --calls "$CALLS" "${MS_ARGS[@]}" >"$TMP/solve.json"
log "== solve: $(cat "$TMP/solve.json")"
wait_idle

# ---- end to end ----------------------------------------------------------------
$FS params --fair "$FAIR" "${MS_ARGS[@]}" --out "$TMP/alloc.bin"
E2E_PY=$(jget "$TMP/solve.json" e2e_ms_median_python)
if awk -v x="$E2E_PY" 'BEGIN { exit !(x < 200) }'; then
	E2E_RUN=(--seconds "$E2E_SECS" --warmup 1)
else
	E2E_RUN=(--requests "$CALLS" --warmup 0)
fi
"$LOADGEN" --port "$PORT" --method fair.allocate --params-file "$TMP/alloc.bin" \
    --conns 1 --pipeline 1 "${E2E_RUN[@]}" --json >"$TMP/e2e.json" 2>"$TMP/e2e.err"
lg_check "$TMP/e2e.json"
log "== fair.allocate 1x1: $(cat "$TMP/e2e.err")"
wait_idle

# ---- ping, idle and during allocations -------------------------------------------
ping_run() { # out
	"$LOADGEN" --port "$PORT" --method system.ping --conns 1 --pipeline 1 \
	    --seconds "$PING_SECS" --warmup 1 --json >"$1" 2>"$1.err"
	lg_check "$1"
}
ping_run "$TMP/ping0.json"
log "== system.ping 1x1 idle: $(cat "$TMP/ping0.json.err")"
for d in $ALLOC_DEPTHS; do
	wait_idle
	c0=$(cpu_ticks "$CJ_PID")
	"$LOADGEN" --port "$PORT" --method fair.allocate --params-file "$TMP/alloc.bin" \
	    --conns 1 --pipeline "$d" --seconds 1000000 --json >"$TMP/bg$d.json" \
	    2>"$TMP/bg$d.err" &
	BG_PID=$!
	sleep 0.5
	ping_run "$TMP/ping$d.json"
	kill -INT "$BG_PID"
	wait "$BG_PID" || true
	BG_PID=
	c1=$(cpu_ticks "$CJ_PID")
	lg_check "$TMP/bg$d.json"
	log "== system.ping 1x1 with $d fair.allocate in flight: $(cat "$TMP/ping$d.json.err")"
	log "   (allocations answered meanwhile: $(jget "$TMP/bg$d.json" requests);" \
	    "daemon cpu $(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" \
	    -v s="$PING_SECS" 'BEGIN { printf "%.2f", t / hz / (s + 1.5) }') cores)"
done
wait_idle

# ---- where the time goes (PERF=1) ----------------------------------------------------
if [ -n "${PERF:-}" ]; then
	perf record -F 499 --call-graph dwarf,16384 -p "$CJ_PID" -o "$TMP/perf.data" \
	    2>"$TMP/perf.err" &
	PERF_PID=$!
	sleep 1
	# enough calls for ~3 s of samples
	n=$(awk -v x="$E2E_PY" 'BEGIN { n = int(3000 / x) + 1; print (n > 200 ? 200 : n) }')
	$FS solve --port "$PORT" --fair "$FAIR" --calls "$n" "${MS_ARGS[@]}" >"$TMP/perfsolve.json"
	kill -INT "$PERF_PID"
	wait "$PERF_PID" || true
	PERF_PID=
	perf report -i "$TMP/perf.data" --children --sort symbol --stdio \
	    >"$TMP/perf.txt" 2>/dev/null
	$PY - "$TMP/perfsolve.json" "$TMP/perf.txt" <<-'EOF' >&2
	import json, re, sys
	s = json.load(open(sys.argv[1]))
	pct = {}
	for line in open(sys.argv[2]):
	    m = re.match(r"\s+([\d.]+)%\s+[\d.]+%\s+(?:\S+\s+)?\[\.\]\s+(\w+)", line)
	    if m and m.group(2) not in pct:
	        pct[m.group(2)] = float(m.group(1))
	tot = pct.get("planners_allocate", 0)
	if not tot:
	    sys.exit("perf: no samples in planners_allocate")
	e2e = s["e2e_ms_median_python"]
	if tot < 50:
	    sys.exit("perf: only %.0f%% of the samples in planners_allocate" % tot)
	parts = [("read the fair", pct.get("fairdata_load", 0)),
	         ("build arcs", pct.get("fair_arcs", 0)),
	         ("solver", pct.get("flow_max_min_cost", 0))]
	rest = tot - sum(p for _, p in parts)
	print("== perf over %d calls (median %.1f ms end to end, solve_ms %.1f); share of the"
	      " samples in planners_allocate, and that share of the median:"
	      % (s["calls"], e2e, s["solve_ms_median"]))
	for name, p in parts + [("rest (graph setup, packing, page faults)", rest)]:
	    print("   %-42s %5.1f%%  ~%.1f ms" % (name, 100 * p / tot, e2e * p / tot))
	EOF
	wait_idle
fi
RSS=$(awk '$1 == "VmHWM:" { printf "%.0f", $2 / 1024 }' "/proc/$CJ_PID/status")
grep -iE "error|warn" "$TMP/chanjiaod.log" | head -5 >&2 || true

# ---- summary -----------------------------------------------------------------------
$PY - "$TMP" "$SIZE" "$COMMIT" "$MIN_SCORE" "$ALLOC_DEPTHS" "$LOAD_S" "$RSS" <<'EOF'
import json, os, sys
tmp, size, commit, ms, depths, load_s, rss = sys.argv[1:]
j = lambda n: json.load(open(os.path.join(tmp, n)))
f, a, s, e, p0 = j("facts.json"), j("arcs.json"), j("solve.json"), j("e2e.json"), j("ping0.json")
pd = {d: j("ping%s.json" % d) for d in depths.split()}
ms_txt = ms or "0 (default)"
print("\n%s: %d postings, %d positions, %d graduates, %d directions, min_score %s"
      % (size, f["postings"], f["positions"], f["graduates"], f["directions"], ms_txt))
print("  arcs %d (%.1f per posting with any, max %d); explain answer %.1f MB in %.1f s"
      % (a["arcs"], a["arcs_per_posting_mean"], a["arcs_per_posting_max"],
         a["response_mb"], a["total_s"]))
print("  fair.allocate 1x1 (loadgen, %d calls): p50 %.1f ms, p99 %.1f ms, max %.1f ms"
      % (e["requests"], e["p50_us"] / 1e3, e["p99_us"] / 1e3, e["max_us"] / 1e3))
print("  solve_ms median of %d: %.1f (%s); placed %d of supply %d, %d postings unfilled"
      % (s["calls"], s["solve_ms_median"], " ".join(str(x) for x in s["solve_ms"]),
         s["placed"], s["supply"], s["unfilled_postings"]))
print("  system.ping 1x1 idle: p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us"
      % (p0["p50_us"], p0["p99_us"], p0["p999_us"], p0["max_us"]))
for d, p in pd.items():
    print("  system.ping 1x1, %s fair.allocate in flight: p50 %.0f us, p99 %.0f us, "
          "p99.9 %.0f us, max %.0f us" % (d, p["p50_us"], p["p99_us"], p["p999_us"],
                                         p["max_us"]))
print("  daemon peak RSS %s MiB; load %s s; commit %s" % (rss, load_s, commit))
during = " / ".join("%.2f" % (p["p99_us"] / 1e3) for p in pd.values())
print("\n| size | min_score | postings | positions | graduates | directions | arcs "
      "| e2e p50 / p99 ms | solve_ms median | ping p99 idle ms | ping p99 during "
      "allocation ms (%s in flight) | commit |" % " / ".join(pd))
print("| %s | %s | %s | %s | %s | %s | %s | %.1f / %.1f | %.1f | %.2f | %s | %s |" % (
    size, ms or "0", format(f["postings"], ","), format(f["positions"], ","),
    format(f["graduates"], ","), format(f["directions"], ","), format(a["arcs"], ","),
    e["p50_us"] / 1e3, e["p99_us"] / 1e3, s["solve_ms_median"], p0["p99_us"] / 1e3,
    during, commit))
EOF
