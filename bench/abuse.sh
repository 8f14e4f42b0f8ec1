#!/usr/bin/env bash
# bench/abuse.sh — chanjiaod under 5,000 connections, 1,000 of which never
# read their replies and 1,000 of which trickle a byte every 2 s: the
# daemon's resident memory, and system.ping latency for a well-behaved
# client meanwhile.
#
#   bench/abuse.sh                        # ~1.5 minutes
#   SECS=60 WARMUP=2 bench/abuse.sh       # the defaults
#   READERS=1000 TRICKLE=1000 IDLE=3000 PIPELINE=400 bench/abuse.sh
#   RECONNECT=1 bench/abuse.sh            # a closed abuser connects again
#   MAX_REPLY_MEMORY=256M bench/abuse.sh  # the daemon's limit (default 1G)
#   BUILD=/path/to/build bench/abuse.sh
#   NICE=-10 bench/abuse.sh               # daemon and ping probe niced ahead
#                                         # of other work (not the abusers)
#
# 1. Builds chanjiaod and loadgen in $BUILD (RelWithDebInfo), and
#    bench/abuse.c (libc only) with cc.
# 2. Starts the daemon on 127.0.0.1:0 in a private data dir with
#    max_reply_memory = $MAX_REPLY_MEMORY, ulimit -n raised, and stores
#    1,000 schools with 200-byte names (a school.list of 1,000 is ~250 KB).
# 3. Starts abuse: READERS connections each pipelining PIPELINE
#    school.list {limit: 1000} (100 MB of replies each) and reading
#    nothing (with RECONNECT=1, connecting again whenever the daemon
#    closes one); TRICKLE connections sending one byte of a system.ping
#    every 2 s; IDLE silent ones.
# 4. After WARMUP seconds (the connections are made), runs loadgen 1 x 1
#    system.ping paced to ~1,000/s for SECS seconds, while the daemon
#    works through the readers' lists, sampling its VmRSS every 0.2 s.
# 5. Prints the ping latency, peak and final RSS, the daemon's
#    system.stats (connections, limits) and the targets: peak RSS <
#    max_reply_memory + 300 MB and ping p99 < 5 ms.  Exit 1 on a missed
#    target, a loadgen error, or a daemon that died.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build}
SECS=${SECS:-60}
WARMUP=${WARMUP:-2}
READERS=${READERS:-1000}
TRICKLE=${TRICKLE:-1000}
IDLE=${IDLE:-3000}
PIPELINE=${PIPELINE:-400}
RECONNECT=${RECONNECT:-0}
MAX_REPLY_MEMORY=${MAX_REPLY_MEMORY:-1G}
NICE=${NICE:-}
RUN=()
if [ -n "$NICE" ]; then RUN=(nice -n "$NICE"); fi
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# every connection is two descriptors on this host: one in abuse, one in
# the daemon; each process needs its share and some
NEED=$((READERS + TRICKLE + IDLE + 1000))
ulimit -n "$NEED" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt "$NEED" ]; then
	echo "abuse.sh: need ulimit -n $NEED, the hard limit is $(ulimit -Hn)" >&2
	exit 1
fi

# ---- build --------------------------------------------------------------
build_targets chanjiaod loadgen
CHANJIAOD=$BUILD/chanjiaod
LOADGEN=$BUILD/bench/loadgen
ABUSE=$BUILD/bench/abuse
if [ ! -x "$ABUSE" ] || [ "$ROOT/bench/abuse.c" -nt "$ABUSE" ]; then
	cc -O2 -Wall -Wextra -o "$ABUSE" "$ROOT/bench/abuse.c"
fi

TMP=$(mktemp -d)
CJ_PID= ABUSE_PID= SAMPLER_PID=
cleanup() {
	for p in $SAMPLER_PID $ABUSE_PID; do
		kill "$p" 2>/dev/null || true
	done
	if [ -n "$CJ_PID" ]; then
		kill -TERM "$CJ_PID" 2>/dev/null || true
		wait "$CJ_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- daemon and data --------------------------------------------------------
cat >"$TMP/chanjiao.conf" <<EOF
[server]
max_reply_memory = $MAX_REPLY_MEMORY
EOF
mkdir "$TMP/data"
start_daemon "$TMP/chanjiao.conf" "$TMP/data" "$TMP/chanjiaod.log" "${RUN[@]}"
log "== chanjiaod pid $CJ_PID port $PORT, max_reply_memory $MAX_REPLY_MEMORY;" \
    "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)${NICE:+, nice $NICE}"

rpc() {   # rpc METHOD < PARAMS_JSON: print the result as JSON
	"$PY" -c '
import json, socket, sys, msgpack
port, method = int(sys.argv[1]), sys.argv[2]
params = json.load(sys.stdin)
s = socket.create_connection(("127.0.0.1", port), timeout=60)
s.sendall(msgpack.packb([0, 1, method, [params]], use_bin_type=True))
u = msgpack.Unpacker(raw=False)
while True:
    u.feed(s.recv(1 << 20))
    for m in u:
        if m[2] is not None:
            sys.exit("%s: %r" % (method, m[2]))
        print(json.dumps(m[3]))
        sys.exit(0)
' "$PORT" "$1"
}
"$PY" -c '
import json
print(json.dumps({"records": [{"id": "S%04d" % i, "name": "n" * 200,
    "level": "technician", "region": "330702"} for i in range(1000)]}))' |
    rpc school.put >/dev/null
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
RSS0=$(status_kb "$CJ_PID" VmRSS)
log "== 1,000 schools stored; VmRSS $((RSS0 / 1024)) MiB"

# ---- abuse --------------------------------------------------------------------
log "== abuse: $READERS never read ($PIPELINE lists each), $TRICKLE trickle," \
    "$IDLE idle$([ "$RECONNECT" = 1 ] && echo ', reconnecting'); ping measured after ${WARMUP}s for ${SECS}s"
"$ABUSE" --port "$PORT" --seconds $((WARMUP + SECS + 5)) --readers "$READERS" \
    --trickle "$TRICKLE" --idle "$IDLE" --pipeline "$PIPELINE" --reconnect "$RECONNECT" \
    >"$TMP/abuse.json" 2>"$TMP/abuse.err" &
ABUSE_PID=$!
( while kill -0 "$CJ_PID" 2>/dev/null; do
	echo "$(date +%s.%N) $(status_kb "$CJ_PID" VmRSS)"
	sleep 0.2
  done ) >"$TMP/rss.txt" &
SAMPLER_PID=$!
sleep "$WARMUP"
tail -1 "$TMP/abuse.err" >&2
"${RUN[@]}" "$LOADGEN" --port "$PORT" --conns 1 --pipeline 1 --rate 1000 --seconds "$SECS" \
    --json >"$TMP/ping.json" 2>"$TMP/ping.err" || {
	log "loadgen failed:"; cat "$TMP/ping.err" >&2; exit 1; }
tail -1 "$TMP/abuse.err" >&2
kill -0 "$CJ_PID" 2>/dev/null || { log "the daemon died:"; tail -20 "$TMP/chanjiaod.log" >&2; exit 1; }
echo '{}' | rpc system.stats >"$TMP/stats.json"
wait "$ABUSE_PID" || true
ABUSE_PID=
sleep 3                      # the daemon frees what the abusers held
RSS_END=$(status_kb "$CJ_PID" VmRSS)
kill "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=

"$PY" - "$TMP" "$MAX_REPLY_MEMORY" "$RSS0" "$RSS_END" <<'EOF'
import json, sys
tmp, limit, rss0, rss_end = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
limit_b = int(limit[:-1]) * mult[limit[-1].upper()] if limit[-1].isalpha() else int(limit)
ping = json.load(open(tmp + "/ping.json"))
stats = json.load(open(tmp + "/stats.json"))
abuse = json.load(open(tmp + "/abuse.json"))
rss = [int(l.split()[1]) for l in open(tmp + "/rss.txt") if len(l.split()) == 2]
peak_mb = max(rss) / 1024
cap_mb = limit_b / 2**20 + 300
print(f"ping 1 x 1 at ~1,000/s: {ping['ok']:,} answered, {ping['errors']} errors, "
      f"{ping['connections_lost']} lost; p50 {ping['p50_us'] / 1000:.2f} ms, "
      f"p99 {ping['p99_us'] / 1000:.2f} ms, p99.9 {ping['p999_us'] / 1000:.2f} ms, "
      f"max {ping['max_us'] / 1000:.1f} ms")
print(f"daemon VmRSS: {rss0 / 1024:.0f} MiB before, peak {peak_mb:.0f} MiB, "
      f"{rss_end / 1024:.0f} MiB after the abusers left "
      f"(target: peak < max_reply_memory + 300 MB = {cap_mb:.0f} MiB)")
c = stats["connections"]
print(f"connections: current {c['current']:,}, total {c['total']:,}, "
      f"refused {c['refused']:,}, buffer_bytes {c['buffer_bytes'] / 2**20:.0f} MiB")
print("limits hit: " + ", ".join(f"{k} {v:,}" for k, v in stats["limits"].items() if v))
print("abuse: " + ", ".join(f"{k} {v:,}" for k, v in abuse.items()))
print("| connections at the end | max_reply_memory | ping p50 | ping p99 | ping max | peak RSS | RSS after | evictions |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|")
print(f"| {c['current']:,} | {limit} | {ping['p50_us'] / 1000:.2f} ms | "
      f"{ping['p99_us'] / 1000:.2f} ms | {ping['max_us'] / 1000:.1f} ms | "
      f"{peak_mb:.0f} MiB | {rss_end / 1024:.0f} MiB | "
      f"{stats['limits'].get('max_reply_memory', 0):,} |")
ok = (peak_mb < cap_mb and ping["p99_us"] < 5000 and ping["errors"] == 0
      and ping["connections_lost"] == 0)
print("targets: " + ("met" if ok else "MISSED"))
sys.exit(0 if ok else 1)
EOF
