#!/usr/bin/env bash
# bench/cliimport.sh — `chanjiao import` of a large postings.csv, end to end.
#
#   bench/cliimport.sh                  # 200,000 postings, 3 runs
#   N=500000 REPS=5 bench/cliimport.sh
#   BUILD=/path/to/build CLI=/path/to/chanjiao bench/cliimport.sh
#
# What a user runs to load a spreadsheet: the file goes to the daemon in
# one import.csv call, which reads and checks it and writes it in one
# all-or-nothing unit (max_batch and max_frame are raised to take it).
# Each run starts chanjiaod on 127.0.0.1:0 with a fresh data dir, imports
# one enterprise, then times `chanjiao import posting postings.csv`
# (N rows, every one new) and prints records/s; the table shows each run
# and the median.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build}
N=${N:-200000}
REPS=${REPS:-3}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

build_targets chanjiaod chanjiao
CHANJIAOD=${CHANJIAOD:-$BUILD/chanjiaod}
CLI=${CLI:-$BUILD/chanjiao}

TMP=$(mktemp -d)
CJ_PID=
cleanup() {
	if [ -n "$CJ_PID" ]; then
		kill -TERM "$CJ_PID" 2>/dev/null || true
		wait "$CJ_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

printf 'id,name,region,industry,chains,size\nE1,某机床厂,330784,C34,工业机床;智能制造,500\n' \
    >"$TMP/enterprises.csv"
"$PY" - "$N" "$TMP/postings.csv" <<'EOF'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("id,enterprise_id,title,kind,headcount,majors,skills\n")
    for i in range(n):
        f.write("P%07d,E1,数控操作工%d,job,%d,4601;4602,CNC;CAD;PLC\n"
                % (i, i, i % 50 + 1))
EOF
printf '[server]\nmap_size = 64G\nmax_batch = 1000000\nmax_frame = 2G\n' \
    >"$TMP/chanjiao.conf"
log "== $N postings ($(du -h "$TMP/postings.csv" | cut -f1)), $REPS runs"

rates=()
for rep in $(seq "$REPS"); do
	rm -rf "$TMP/data"
	start_daemon "$TMP/chanjiao.conf" "$TMP/data" "$TMP/chanjiaod.log"
	"$CLI" --host "127.0.0.1:$PORT" import enterprise "$TMP/enterprises.csv" >/dev/null
	t0=$(date +%s.%N)
	"$CLI" --host "127.0.0.1:$PORT" import posting "$TMP/postings.csv" >/dev/null
	t1=$(date +%s.%N)
	rate=$(awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
	log "   run $rep: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s = $rate records/s"
	rates+=("$rate")
	kill -TERM "$CJ_PID"
	wait "$CJ_PID" || true
	CJ_PID=
done
median=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
echo "| postings | runs (records/s) | median records/s |"
echo "|---:|---|---:|"
echo "| $N | ${rates[*]} | $median |"
