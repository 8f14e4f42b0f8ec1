#!/usr/bin/env bash
# bench/ping.sh — chanjiaod system.ping vs redis-server PING, same load generator.
#
#   bench/ping.sh                 # build, run, print the table (~2 minutes)
#   SECS=5 WARMUP=1 REPS=3 bench/ping.sh
#   BUILD=/path/to/build bench/ping.sh
#   NICE=-10 bench/ping.sh        # run servers and loadgen ahead of other work
#   CONFIGS="1x1" REPS=15 SECS=3 bench/ping.sh   # only the configurations named
#   PIN=same bench/ping.sh        # servers and loadgen on CPU 0 (or PIN=cross:
#                                 # servers on CPU 0, loadgen on CPU 1)
#
# Three configurations — 1 connection, 50 connections, 50 connections with
# 16 requests pipelined on each — against both servers, each run SECS
# seconds measured after WARMUP seconds, REPS times, interleaved (rep 1 of
# every config and server, then rep 2, ...) so drift hits both alike.  The
# table shows medians, their ratio, and the median of the per-repetition
# ratios (each pair ran back to back, so it also cancels drift between
# repetitions).  Client and servers share the machine's cores and,
# without PIN, nothing is pinned.  Only 127.0.0.1 is used.
#
# Why PIN: at one connection each request is two wake-ups, and where the
# scheduler puts the woken side decides the rate — on this 2-vCPU VM a
# wake-up on the other (halted) vCPU costs ~30 us, one on the same CPU a
# context switch.  Unpinned runs flip between the two; PIN fixes the
# placement for both servers alike, so what is left is their own cost.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build}
SECS=${SECS:-5}
WARMUP=${WARMUP:-1}
REPS=${REPS:-3}
NICE=${NICE:-}                           # e.g. -10: renice servers and loadgen
PIN=${PIN:-}                             # same, cross or empty
case "$PIN" in
"") LOADGEN_CPU= ;;
same) LOADGEN_CPU=0 ;;
cross) LOADGEN_CPU=1 ;;
*) echo "PIN=$PIN: same, cross or nothing" >&2; exit 2 ;;
esac
RUN=()
if [ -n "$NICE" ]; then RUN=(nice -n "$NICE"); fi
read -r -a CONFIGS <<<"${CONFIGS:-1x1 50x1 50x16}"   # connsxpipeline
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# ---- build --------------------------------------------------------------
build_targets chanjiaod loadgen
LOADGEN=$BUILD/bench/loadgen
CHANJIAOD=$BUILD/chanjiaod

if ! command -v redis-server >/dev/null; then
	log "== redis-server missing: installing it"
	apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
fi

# ---- servers ------------------------------------------------------------
TMP=$(mktemp -d)
CJ_PID= REDIS_PID=
cleanup() {
	for p in $CJ_PID $REDIS_PID; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $CJ_PID $REDIS_PID; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$TMP/data"
start_daemon "" "$TMP/data" "$TMP/chanjiaod.log" "${RUN[@]}"
CJ_PORT=$PORT

REDIS_PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${RUN[@]}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no --loglevel warning >"$TMP/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 100); do
	"$LOADGEN" --port "$REDIS_PORT" --proto resp --requests 1 >/dev/null 2>&1 && break
	kill -0 "$REDIS_PID" 2>/dev/null || { cat "$TMP/redis.log" >&2; exit 1; }
	sleep 0.1
done
log "== chanjiaod $("$CHANJIAOD" --version 2>&1 | head -1) pid $CJ_PID port $CJ_PORT;" \
    "$(redis-server --version | cut -d' ' -f1-3) pid $REDIS_PID port $REDIS_PORT"
if [ -n "$PIN" ]; then
	# every thread of both servers on CPU 0
	taskset -a -p 1 "$CJ_PID" >/dev/null
	taskset -a -p 1 "$REDIS_PID" >/dev/null
	RUN+=(taskset -c "$LOADGEN_CPU")
	log "== pinned ($PIN): servers on CPU 0, loadgen on CPU $LOADGEN_CPU"
fi
log "== $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs${NICE:+, nice $NICE}"
log "== busiest other processes: $(ps -eo pcpu=,comm= --sort=-pcpu | head -3 | tr -s ' ' | paste -sd, -)"

# CPU seconds (user+system) a process has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TCK=$(getconf CLK_TCK)

# ---- runs ---------------------------------------------------------------
RESULTS=$TMP/results.tsv
: >"$RESULTS"
for rep in $(seq "$REPS"); do
	for cfg in "${CONFIGS[@]}"; do
		conns=${cfg%x*} pipe=${cfg#*x}
		for server in chanjiaod redis; do
			if [ "$server" = chanjiaod ]; then
				port=$CJ_PORT proto=rpc pid=$CJ_PID
			else
				port=$REDIS_PORT proto=resp pid=$REDIS_PID
			fi
			c0=$(cpu_ticks "$pid"); t0=$(date +%s.%N)
			json=$("${RUN[@]}" "$LOADGEN" --host 127.0.0.1 --port "$port" --proto "$proto" \
			    --conns "$conns" --pipeline "$pipe" --seconds "$SECS" \
			    --warmup "$WARMUP" --json 2>"$TMP/loadgen.err") || {
				log "loadgen failed against $server:"; cat "$TMP/loadgen.err" >&2; exit 1; }
			c1=$(cpu_ticks "$pid"); t1=$(date +%s.%N)
			srv_cpu=$(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" -v h="$TCK" \
			    'BEGIN { printf "%.3f", (b - a) / h / (e - s) }')
			printf '%s\t%s\t%s\t%s\t%s\n' "$server" "$conns" "$pipe" "$srv_cpu" \
			    "$json" >>"$RESULTS"
			log "rep $rep $(printf '%-9s' $server) conns=$conns pipeline=$pipe: $(sed 's/^.*pipeline=[0-9]*: //' "$TMP/loadgen.err" | head -1) server cpu $(awk -v x="$srv_cpu" 'BEGIN{printf "%.0f%%", x*100}')"
		done
	done
done
log "== load average $(cut -d' ' -f1-3 /proc/loadavg) after the runs"

# ---- table --------------------------------------------------------------
"$PY" - "$RESULTS" "$SECS" "$WARMUP" "$REPS" <<'EOF'
import json, statistics, sys
path, secs, warm, reps = sys.argv[1:5]
runs = {}
for line in open(path):
    server, conns, pipe, srv_cpu, js = line.rstrip("\n").split("\t", 4)
    r = json.loads(js)
    r["server_cpu"] = float(srv_cpu)
    runs.setdefault((int(conns), int(pipe)), {}).setdefault(server, []).append(r)

def med(rs, k):
    return statistics.median(r[k] for r in rs)

print(f"ping: medians of {reps} runs of {secs} s after {warm} s warmup; "
      "throughput in req/s, latency in microseconds; cpu = fraction of one core")
print("ratio = median / median; pairs = median of the ratios of the runs made "
      "back to back (rep i of each server), and how many of them chanjiaod won")
hdr = ("| conns x pipeline | chanjiaod req/s | redis req/s | ratio | pairs | "
       "chanjiaod p50 / p99 | redis p50 / p99 | chanjiaod cpu | redis cpu | errors |")
print(hdr)
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
bad = 0
for (conns, pipe) in sorted(runs, key=lambda k: (k[0], k[1])):
    cj, rd = runs[(conns, pipe)]["chanjiaod"], runs[(conns, pipe)]["redis"]
    errs = sum(r["errors"] + r["protocol_violations"] + r["connections_lost"]
               for r in cj + rd)
    bad += errs
    pairs = [a["rps"] / b["rps"] for a, b in zip(cj, rd)]
    won = sum(x > 1 for x in pairs)
    print(f"| {conns} x {pipe} | {med(cj,'rps'):,.0f} | {med(rd,'rps'):,.0f} | "
          f"{med(cj,'rps') / med(rd,'rps'):.2f} | "
          f"{statistics.median(pairs):.2f} ({won}/{len(pairs)}) | "
          f"{med(cj,'p50_us'):.0f} / {med(cj,'p99_us'):.0f} | "
          f"{med(rd,'p50_us'):.0f} / {med(rd,'p99_us'):.0f} | "
          f"{med(cj,'server_cpu'):.2f} | {med(rd,'server_cpu'):.2f} | {errs} |")
print()
print("runs (rps per repetition):")
for (conns, pipe) in sorted(runs):
    for s in ("chanjiaod", "redis"):
        print(f"  {conns:>2} x {pipe:<2} {s:<9} " +
              "  ".join(f"{r['rps']:>9,.0f}" for r in runs[(conns, pipe)][s]))
sys.exit(1 if bad else 0)
EOF
