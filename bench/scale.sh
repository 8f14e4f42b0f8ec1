#!/usr/bin/env bash
# bench/scale.sh — bulk import and match.candidates at a docs/matching.md scale.
#
#   bench/scale.sh [city|province|nation]      # default city
#   SEED=1 NQ=10000 SECS=10 WARMUP=1 bench/scale.sh province
#   IMPORT_CONNS=2 IMPORT_PIPELINE=2 BATCH=10000 MAP_SIZE=256G bench/scale.sh
#   SORTED=0 (records in the order drawn, not in id order)
#   BUILD=/path/to/build  TMPDIR=/big/disk  KEEP=1 (keep the data dir)
#   CHANJIAOD=/path/to/chanjiaod COMMIT=label   # measure another daemon build
#
# 1. builds chanjiaod, loadgen and gen in $BUILD (RelWithDebInfo; with
#    CHANJIAOD set, only loadgen and gen, and that daemon is measured);
# 2. generates the scenario with bench/gen (cached in $BUILD/bench-data/,
#    keyed by scale, seed, batch size, order and query count; regenerated
#    when gen or the data tables are newer than the cache); each kind's
#    records go in id order, as `chanjiao import` sends a file, unless
#    SORTED=0;
# 3. starts chanjiaod on 127.0.0.1:0 with a private temporary data dir
#    (under $TMPDIR) and map_size = $MAP_SIZE;
# 4. imports every record with `loadgen --replay` (IMPORT_CONNS connections,
#    IMPORT_PIPELINE batches in flight on each) while a 1x1 system.ping
#    probe, paced to ~1,000/s (so that it samples without competing for
#    the CPU), measures how long a cheap request waits during the import;
#    checks system.info's counts;
# 5. measures match.candidates (k = 20, posting ids drawn at random by gen)
#    at 1 connection x 1 in flight (latency) and 16 connections x 1
#    (throughput), SECS seconds each after WARMUP seconds;
# 6. reads the daemon's RssAnon (memory outside LMDB's file-backed map) and
#    VmRSS from /proc/PID/status and the data dir size, and prints one
#    markdown table row (header included).
# The daemon is stopped and the data dir removed on exit (trap).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build}
SCALE=${1:-city}
SEED=${SEED:-1}
NQ=${NQ:-10000}
SECS=${SECS:-10}
WARMUP=${WARMUP:-1}
IMPORT_CONNS=${IMPORT_CONNS:-2}
IMPORT_PIPELINE=${IMPORT_PIPELINE:-2}
BATCH=${BATCH:-10000}
SORTED=${SORTED:-1}
MAP_SIZE=${MAP_SIZE:-256G}
KEEP=${KEEP:-}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

case "$SCALE" in
city|province|nation) ;;
*) echo "usage: bench/scale.sh [city|province|nation]" >&2; exit 2 ;;
esac

# ---- build --------------------------------------------------------------
TARGETS=(loadgen gen)
[ -n "${CHANJIAOD:-}" ] || TARGETS+=(chanjiaod)
build_targets "${TARGETS[@]}"
LOADGEN=$BUILD/bench/loadgen
GEN=$BUILD/bench/gen
CHANJIAOD=${CHANJIAOD:-$BUILD/chanjiaod}

# ---- scenario (cached) ----------------------------------------------------
CACHE=$BUILD/bench-data
mkdir -p "$CACHE"
ORDER=
GENSORT=()
if [ "$SORTED" = 1 ]; then ORDER=-sorted; GENSORT=(--sorted); fi
FRAMES=$CACHE/$SCALE-s$SEED-b$BATCH$ORDER.frames
QUERIES=$CACHE/$SCALE-s$SEED-q$NQ.params
stale=
for f in "$FRAMES" "$QUERIES"; do
	if [ ! -s "$f" ] || [ "$GEN" -nt "$f" ]; then stale=1; fi
	for t in "$ROOT"/data/*.csv; do
		if [ -e "$f" ] && [ "$t" -nt "$f" ]; then stale=1; fi
	done
done
if [ -n "$stale" ]; then
	log "== generating $SCALE seed $SEED into $CACHE"
	"$GEN" --scale "$SCALE" --seed "$SEED" --data "$ROOT/data" --batch "$BATCH" \
	    "${GENSORT[@]}" --out "$FRAMES.tmp" --queries "$QUERIES.tmp" "$NQ"
	mv "$FRAMES.tmp" "$FRAMES"
	mv "$QUERIES.tmp" "$QUERIES"
else
	log "== using cached $FRAMES"
fi

# ---- daemon ---------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/chanjiao-scale.XXXXXX")
CJ_PID= PROBE_PID=
cleanup() {
	for p in $PROBE_PID $CJ_PID; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $PROBE_PID $CJ_PID; do
		wait "$p" 2>/dev/null || true
	done
	if [ -n "$KEEP" ]; then
		log "== kept $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

printf '[server]\nmap_size = %s\n' "$MAP_SIZE" >"$TMP/chanjiao.conf"
mkdir "$TMP/data"
start_daemon "$TMP/chanjiao.conf" "$TMP/data" "$TMP/chanjiaod.log"
if [ -z "${COMMIT:-}" ]; then
	COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
	if [ -n "$(git -C "$ROOT" status --porcelain -- daemon matcher store proto \
	    config CMakeLists.txt 2>/dev/null)" ]; then
		COMMIT="$COMMIT+dirty"
	fi
fi
log "== chanjiaod $("$CHANJIAOD" --version 2>&1 | head -1) (commit $COMMIT) pid $CJ_PID" \
    "port $PORT, data $TMP/data, map_size $MAP_SIZE"
log "== $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TCK=$(getconf CLK_TCK)
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# ---- import -----------------------------------------------------------------
log "== importing $(du -h "$FRAMES" | cut -f1) of frames:" \
    "$IMPORT_CONNS connections x $IMPORT_PIPELINE batches in flight"
"$LOADGEN" --port "$PORT" --seconds 1000000 --rate 1000 --json \
    >"$TMP/probe.json" 2>"$TMP/probe.err" &
PROBE_PID=$!
c0=$(cpu_ticks "$CJ_PID")
"$LOADGEN" --port "$PORT" --replay "$FRAMES" --conns "$IMPORT_CONNS" \
    --pipeline "$IMPORT_PIPELINE" --json >"$TMP/import.json" 2>"$TMP/import.err" || {
	rc=$?
	log "import failed (loadgen exit $rc):"; cat "$TMP/import.err" >&2; exit 1; }
c1=$(cpu_ticks "$CJ_PID")
kill -INT "$PROBE_PID"
wait "$PROBE_PID" || { log "ping probe failed:"; cat "$TMP/probe.err" >&2; exit 1; }
PROBE_PID=
grep '^replay' "$TMP/import.err" >&2
IMPORT_CPU=$(awk -v a="$c0" -v b="$c1" -v h="$TCK" 'BEGIN { printf "%.1f", (b - a) / h }')
RSS_IMPORT=$(status_kb "$CJ_PID" RssAnon)
log "   daemon cpu during import: $IMPORT_CPU s; RssAnon after import $((RSS_IMPORT / 1024)) MiB"
log "   ping during import: $(sed -n 's/^.*: \([0-9]* requests.*p99.9 [0-9.]* us, max [0-9.]* us\).*$/\1/p' "$TMP/probe.err")"

# The store must hold what gen wrote.
"$PY" - "$PORT" "$SCALE" <<'EOF' >&2 || exit 1
import socket, sys
try:
    import msgpack
except ImportError:
    print("   (no python3-msgpack: counts not checked)")
    sys.exit(0)
want = {"city": (20, 400, 2000, 20000), "province": (500, 10000, 100000, 500000),
        "nation": (9000, 400000, 2000000, 5000000)}[sys.argv[2]]
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(msgpack.packb([0, 1, "system.info", [{}]]))
u = msgpack.Unpacker(raw=False)
while True:
    u.feed(s.recv(65536))
    r = next(u, None)
    if r is not None:
        break
c = r[3]["counts"]
got = (c["schools"], c["specialties"], c["enterprises"], c["postings"])
print(f"   system.info counts: {c}")
if got != want:
    print(f"   COUNTS DIFFER: want schools/specialties/enterprises/postings {want}")
    sys.exit(1)
EOF

# ---- queries ----------------------------------------------------------------
run_q() {   # conns -> json on stdout
	"$LOADGEN" --port "$PORT" --method match.candidates --params-list "$QUERIES" \
	    --conns "$1" --pipeline 1 --seconds "$SECS" --warmup "$WARMUP" --json \
	    2>"$TMP/q.err" || { log "match.candidates run failed:"; cat "$TMP/q.err" >&2; exit 1; }
	sed 's/^/   /' "$TMP/q.err" >&2
}
log "== match.candidates k=20 over $NQ random postings, 1 x 1 then 16 x 1," \
    "${SECS} s after ${WARMUP} s warmup"
c0=$(cpu_ticks "$CJ_PID"); t0=$(date +%s.%N)
run_q 1 >"$TMP/q1.json"
cm=$(cpu_ticks "$CJ_PID"); tm=$(date +%s.%N)
run_q 16 >"$TMP/q16.json"
c1=$(cpu_ticks "$CJ_PID"); t1=$(date +%s.%N)
Q_CPU=$(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" -v h="$TCK" \
    'BEGIN { printf "%.2f", (b - a) / h / (e - s) }')
log "   daemon cpu during the query runs: $Q_CPU of a core"
# Daemon CPU per query at 16 connections (warmup included on both sides:
# its queries are taken at the measured rate): what the build costs, not
# what the host lent it (bench/README.md).
Q16_CPU=$((c1 - cm))
log "   daemon cpu per query, 16 connections: $("$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
q = r["rps"] * (float(sys.argv[3]) + float(sys.argv[4]))
print("%.0f us" % (int(sys.argv[2]) / float(sys.argv[5]) / q * 1e6 if q else 0))
' "$TMP/q16.json" "$Q16_CPU" "$SECS" "$WARMUP" "$TCK")"

# ---- memory, disk, the row ----------------------------------------------------
RSS_ANON=$(status_kb "$CJ_PID" RssAnon)
VM_RSS=$(status_kb "$CJ_PID" VmRSS)
VM_HWM=$(status_kb "$CJ_PID" VmHWM)
DATA_KB=$(du -sk "$TMP/data" | cut -f1)
log "== daemon RssAnon $((RSS_ANON / 1024)) MiB, VmRSS $((VM_RSS / 1024)) MiB" \
    "(VmHWM $((VM_HWM / 1024)) MiB), data dir $((DATA_KB / 1024)) MiB"

"$PY" - "$SCALE" "$SEED" "$COMMIT" "$TMP/import.json" "$TMP/probe.json" \
    "$TMP/q1.json" "$TMP/q16.json" "$IMPORT_CPU" "$RSS_ANON" "$VM_RSS" "$DATA_KB" <<'EOF'
import json, sys
scale, seed, commit, imp, probe, q1, q16, icpu, anon, rss, data = sys.argv[1:12]
imp, probe, q1, q16 = (json.load(open(p)) for p in (imp, probe, q1, q16))
bad = sum(r["errors"] + r["protocol_violations"] + r["connections_lost"]
          for r in (imp, probe, q1, q16))
post = next((p for p in imp["phases"] if p["method"] == "posting.put"), None)
mib = lambda kb: f"{int(kb) / 1024:,.0f}"
print("| scale | records | import s | import rec/s | posting.put rec/s | daemon cpu s "
      "| ping p99 during import ms | 1x1 p50 / p99 / p99.9 us | 1x1 q/s | 16 conns q/s "
      "| 16 conns p50 / p99 us | RssAnon MiB | VmRSS MiB | data MiB | commit |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
print(f"| {scale} (seed {seed}) | {imp['records']:,} | {imp['seconds']:.1f} "
      f"| {imp['records_per_s']:,.0f} | {post['records_per_s'] if post else 0:,.0f} "
      f"| {icpu} | {probe['p99_us'] / 1000:,.1f} "
      f"| {q1['p50_us']:.0f} / {q1['p99_us']:.0f} / {q1['p999_us']:.0f} "
      f"| {q1['rps']:,.0f} | {q16['rps']:,.0f} "
      f"| {q16['p50_us']:.0f} / {q16['p99_us']:.0f} "
      f"| {mib(anon)} | {mib(rss)} | {mib(data)} | {commit} |")
sys.exit(1 if bad else 0)
EOF
