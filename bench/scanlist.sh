#!/usr/bin/env bash
# bench/scanlist.sh — system.ping while filtered lists scan a large store
# and 16 connections query it.
#
#   KEEP=1 bench/scale.sh nation        # once: makes and keeps a store
#   bench/scanlist.sh DATA_DIR [QUERIES]
#   SECS=10 LISTS=20 CONNS=16 KIND=posting bench/scanlist.sh DATA_DIR
#   LOAD=verify bench/scanlist.sh DATA_DIR     # admin.verify, back to back
#   CHANJIAOD=/other/build/chanjiaod COMMIT=abc1234 bench/scanlist.sh DATA_DIR
#
# DATA_DIR is a data dir that scale.sh kept (its log names it: "kept
# DIR"; the data dir is DIR/data); QUERIES the match.candidates params
# list scale.sh used ($BUILD/bench-data/<scale>-s1-q10000.params, the
# default when one such file is there).  The daemon only reads the store.
#
# 1. builds loadgen (and chanjiaod unless CHANJIAOD is set) in $BUILD;
# 2. starts chanjiaod on DATA_DIR (map_size 256G, default limits:
#    max_scan 100,000);
# 3. for SECS seconds, at once:
#    - one connection keeps LISTS `<KIND>.list {filter: {title or name:
#      "no such"}, limit: 100}` pipelined: a filter nothing matches, so
#      each call reads max_scan records (or, without max_scan, the whole
#      kind); with LOAD=verify, admin.verify back to back instead;
#    - CONNS connections of match.candidates k=20, one in flight each;
#    - a 1 x 1 system.ping probe paced to ~1,000/s;
# 4. prints one markdown row: ping p50 / p99 / max, lists/s,
#    match.candidates q/s and p99.
# The daemon is stopped on exit (trap).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build}
DATA=${1:?usage: bench/scanlist.sh DATA_DIR [QUERIES]}
SECS=${SECS:-10}
LISTS=${LISTS:-20}
CONNS=${CONNS:-16}
KIND=${KIND:-posting}
LOAD=${LOAD:-list}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

TARGETS=(loadgen)
[ -n "${CHANJIAOD:-}" ] || TARGETS+=(chanjiaod)
build_targets "${TARGETS[@]}"
LOADGEN=$BUILD/bench/loadgen
CHANJIAOD=${CHANJIAOD:-$BUILD/chanjiaod}
QUERIES=${2:-$(ls "$BUILD"/bench-data/*-q*.params 2>/dev/null | head -1)}
[ -s "$QUERIES" ] || { log "no match.candidates params list: pass QUERIES"; exit 2; }
[ -s "$DATA/data.mdb" ] || { log "$DATA holds no data.mdb"; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/chanjiao-scanlist.XXXXXX")
CJ_PID= PIDS=
cleanup() {
	for p in $PIDS $CJ_PID; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $PIDS $CJ_PID; do wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

field=title
[ "$KIND" = posting ] || [ "$KIND" = program ] || field=name
"$PY" -c '
import msgpack, sys
sys.stdout.buffer.write(msgpack.packb(
    {"filter": {sys.argv[1]: "没有这个名称"}, "limit": 100}, use_bin_type=True))
' "$field" >"$TMP/list.params"

printf '[server]\nmap_size = 256G\n' >"$TMP/chanjiao.conf"
start_daemon "$TMP/chanjiao.conf" "$DATA" "$TMP/chanjiaod.log"
if [ -z "${COMMIT:-}" ]; then
	COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
	[ -z "$(git -C "$ROOT" status --porcelain -- daemon store 2>/dev/null)" ] ||
		COMMIT="$COMMIT+dirty"
fi
log "== chanjiaod (commit $COMMIT) pid $CJ_PID port $PORT on $DATA;" \
    "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$LOAD" = verify ]; then
	WHAT="admin.verify"
	LOADARGS=(--method admin.verify --pipeline 1)
else
	WHAT="$LISTS x $KIND.list (a filter nothing matches)"
	LOADARGS=(--method "$KIND.list" --params-file "$TMP/list.params"
	    --pipeline "$LISTS")
fi
log "== $SECS s: $WHAT, $CONNS x match.candidates," \
    "system.ping at ~1,000/s"
"$LOADGEN" --port "$PORT" "${LOADARGS[@]}" --conns 1 --seconds $((SECS + 2)) \
    --json >"$TMP/list.json" 2>"$TMP/list.err" &
PIDS="$PIDS $!"
"$LOADGEN" --port "$PORT" --method match.candidates --params-list "$QUERIES" \
    --conns "$CONNS" --pipeline 1 --seconds $((SECS + 2)) --json \
    >"$TMP/q.json" 2>"$TMP/q.err" &
PIDS="$PIDS $!"
sleep 1
"$LOADGEN" --port "$PORT" --rate 1000 --seconds "$SECS" --json \
    >"$TMP/ping.json" 2>"$TMP/ping.err" ||
	{ log "ping probe failed:"; cat "$TMP/ping.err" >&2; exit 1; }
for p in $PIDS; do
	wait "$p" || { log "a load run failed:"; cat "$TMP"/*.err >&2; exit 1; }
done
PIDS=
sed 's/^/   /' "$TMP/ping.err" "$TMP/list.err" "$TMP/q.err" >&2
grep -i 'max_scan\|error' "$TMP/chanjiaod.log" >&2 || true

"$PY" - "$COMMIT" "$WHAT" "$CONNS" "$SECS" "$TMP/ping.json" "$TMP/list.json" \
    "$TMP/q.json" <<'EOF'
import json, sys
commit, what, conns, secs = sys.argv[1:5]
ping, lst, q = (json.load(open(p)) for p in sys.argv[5:8])
bad = sum(r["errors"] + r["protocol_violations"] + r["connections_lost"]
          for r in (ping, lst, q))
ms = lambda r, k: f"{r[k] / 1e3:.2f}" if r["ok"] else "-"
pings = (f"{ms(ping, 'p50_us')} / {ms(ping, 'p99_us')} / {ms(ping, 'max_us')}"
         if ping["ok"] else f"none answered in {secs} s")
print("| load | ping p50 / p99 / max ms | load calls/s | candidates q/s "
      "| candidates p99 ms | commit |")
print("|---|---:|---:|---:|---:|---|")
print(f"| {what}, {conns} x match.candidates | {pings} "
      f"| {lst['rps']:,.1f} | {q['rps']:,.0f} | {ms(q, 'p99_us')} | {commit} |")
sys.exit(1 if bad else 0)
EOF
