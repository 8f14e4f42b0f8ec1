#!/usr/bin/env bash
# bench/plans.sh — orderclass.plan and apprenticeship.match end to end.
#
#   bench/plans.sh                        # every part, a..f (~9 minutes)
#   ONLY=a,b bench/plans.sh               # only the parts named
#   REPS=5 LONG_REPS=3 SEED=1 F_ROUNDS=5 F_SECS=3 bench/plans.sh   # the defaults
#   C_REGION=3301 C_LIMIT_MS=60000 bench/plans.sh             # part c's
#   NOBUILD=1 BUILD=/other/build COMMIT=abc1234 bench/plans.sh
#   TMPDIR=/big/disk OUT=results.jsonl bench/plans.sh
#
# Parts (each call sent REPS times, one at a time, c and e LONG_REPS times,
# so that the whole run stays near 15 minutes; medians):
#   a  orderclass.plan for one school: examples/jinhua-fair (24 specialties,
#      210 enterprises; school 3133070201, region_prefix 3307), and (a2) the
#      city store's school with the most specialties against the enterprises
#      of its county;                                 target <= 200 ms, optimal
#   b  orderclass.plan at the city scale: region_prefix 3304 (400 specialties
#      x 2,000 enterprises), time_limit_ms 10000;      target gap <= 1% in 10 s
#   c  orderclass.plan at the province scale, scoped to one city (C_REGION),
#      time_limit_ms 60000: time, gap, the daemon's VmHWM;
#   d  apprenticeship.match, 100,000 students x 5,000 programs (city store);
#                                                      target <= 1 s end to end
#   e  apprenticeship.match, 1,000,000 students x 50,000 programs (province
#      store): solve_ms (target <= 15 s), VmHWM (target <= 2 GB), end to end;
#   f  system.ping and match.candidates (k 20, random postings), 1 x 1 for
#      F_SECS after 1 s, idle and while part b's plan runs on another
#      connection (kept in flight by a loadgen), F_ROUNDS rounds interleaved;
#                                                      target ping p99 < 5 ms
#
# 1. builds chanjiaod, chanjiao, loadgen and gen in $BUILD (default
#    build-bench, CMAKE_BUILD_TYPE=Release) unless NOBUILD=1;
# 2. generates the stores with bench/gen (--programs, --students; cached in
#    $BUILD/bench-data/ by scale, seed and sizes, regenerated when gen or
#    data/*.csv is newer), records in id order, 10,000 a batch;
# 3. for each store the parts need (jinhua: a; city: a2 b d f; province:
#    c e) starts chanjiaod on 127.0.0.1:0 with a private data dir under
#    $TMPDIR and a config with map_size 64G, max_frame 2G and
#    max_reply_queue 4G (part e's answer is 69 MB, over the default
#    16 MiB max_frame), loads it (`chanjiao import` for jinhua, `loadgen
#    --replay` 2 x 2 for the others), checks system.info's counts, runs
#    the parts, stops the daemon and removes its data dir;
# 4. each measured call goes through bench/plans.py (one connection):
#    end to end from send to the reply's last byte, the reply's solve_ms,
#    objective, bound, optimal / matched, rounds; VmHWM reset before each
#    call (/proc/PID/clear_refs) and read after it; the order-class
#    instance (specialties, enterprises, pairs, supply, demand) from one
#    explain call with time_limit_ms 1;
# 5. prints the tables (stdout); the raw results go to $OUT (default
#    $BUILD/plans-last.jsonl).
# Daemons, loadgens and temporary dirs are cleaned up on exit (trap).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build-bench}
BUILD_TYPE=${BUILD_TYPE:-Release}
REPS=${REPS:-5}
SEED=${SEED:-1}
ONLY=${ONLY:-a,b,c,d,e,f}
GRAD_YEAR=${GRAD_YEAR:-2026}
B_REGION=${B_REGION:-3304}
B_LIMIT_MS=${B_LIMIT_MS:-10000}
C_REGION=${C_REGION:-3301}
C_LIMIT_MS=${C_LIMIT_MS:-60000}
LONG_REPS=${LONG_REPS:-3}
CITY_PROGRAMS=${CITY_PROGRAMS:-5000}
CITY_STUDENTS=${CITY_STUDENTS:-100000}
PROV_PROGRAMS=${PROV_PROGRAMS:-50000}
PROV_STUDENTS=${PROV_STUDENTS:-1000000}
F_ROUNDS=${F_ROUNDS:-5}
F_SECS=${F_SECS:-3}
NQ=${NQ:-10000}
BATCH=10000
PY=/usr/bin/python3
PLANS="$PY $ROOT/bench/plans.py"

want() { case ",$ONLY," in *,"$1",*) return 0 ;; esac; return 1; }
for p in ${ONLY//,/ }; do
	case $p in a | b | c | d | e | f) ;; *)
		echo "plans.sh: ONLY takes parts a,b,c,d,e,f (got $p)" >&2
		exit 2
		;;
	esac
done

# ---- build ------------------------------------------------------------------
CHANJIAOD=$BUILD/chanjiaod
CLI=$BUILD/chanjiao
LOADGEN=$BUILD/bench/loadgen
GEN=$BUILD/bench/gen
if [ -z "${NOBUILD:-}" ]; then
	log "== building chanjiaod chanjiao loadgen gen in $BUILD ($BUILD_TYPE)"
	cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" >/dev/null
	cmake --build "$BUILD" -j2 --target chanjiaod chanjiao loadgen gen >/dev/null
fi
if [ -z "${COMMIT:-}" ]; then
	COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
	if [ -n "$(git -C "$ROOT" status --porcelain -- daemon matcher model store proto \
	    config CMakeLists.txt 2>/dev/null)" ]; then
		COMMIT="$COMMIT+dirty"
		log "== uncommitted changes under daemon matcher model store proto config:" \
		    "$( (git -C "$ROOT" diff HEAD -- daemon matcher model store proto config CMakeLists.txt
		    git -C "$ROOT" ls-files -o --exclude-standard -- daemon matcher model store proto \
		        config | sort | xargs -r -I{} cat "$ROOT/{}") | sha1sum | cut -c1-12)" \
		    "(sha1 of the diff and the new files)"
	fi
fi

# ---- temporary state, cleanup ------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/chanjiao-plans.XXXXXX")
CJ_PID='' BG_PID='' FG_PID=''
cleanup() {
	for p in $FG_PID $BG_PID $CJ_PID; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $FG_PID $BG_PID $CJ_PID; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# fgrun CMD...: run CMD and wait for it so that a signal is handled at once
# (bash runs a trap only after the foreground command ends).
fgrun() {
	"$@" &
	FG_PID=$!
	wait "$FG_PID"
	FG_PID=''
}
RESULTS=$TMP/results.jsonl
OUT=${OUT:-$BUILD/plans-last.jsonl}
printf '{"label": "meta", "commit": "%s", "reps": %s, "seed": %s}\n' \
    "$COMMIT" "$REPS" "$SEED" >"$RESULTS"
printf '[server]\nmap_size = 64G\nmax_frame = 2G\nmax_reply_queue = 4G\n' \
    >"$TMP/chanjiao.conf"
log "== commit $COMMIT, $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' \
    /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- the generated stores (cached) ---------------------------------------------------
CACHE=$BUILD/bench-data
mkdir -p "$CACHE"
# gen_store SCALE PROGRAMS STUDENTS: sets FRAMES, SHAPE (and QUERIES).
gen_store() {
	local base=$CACHE/plans-$1-s$SEED-p$2-m$3-b$BATCH-sorted stale=
	FRAMES=$base.frames SHAPE=$base.shape.json QUERIES=$base-q$NQ.params
	for f in "$FRAMES" "$SHAPE" "$QUERIES"; do
		if [ ! -s "$f" ] || [ "$GEN" -nt "$f" ]; then stale=1; fi
		for t in "$ROOT"/data/*.csv; do
			if [ -e "$f" ] && [ "$t" -nt "$f" ]; then stale=1; fi
		done
	done
	if [ -n "$stale" ]; then
		log "== generating $1 seed $SEED with $2 programs, $3 students"
		fgrun "$GEN" --scale "$1" --seed "$SEED" --data "$ROOT/data" --batch "$BATCH" --sorted \
		    --programs "$2" --students "$3" --out "$FRAMES.tmp" --shape "$SHAPE.tmp" \
		    --queries "$QUERIES.tmp" "$NQ"
		mv "$FRAMES.tmp" "$FRAMES"
		mv "$SHAPE.tmp" "$SHAPE"
		mv "$QUERIES.tmp" "$QUERIES"
	else
		log "== using cached $FRAMES"
	fi
	log "   $(cat "$SHAPE")"
}

# ---- daemons -------------------------------------------------------------------------
# up NAME: a daemon on a fresh data dir $TMP/NAME.
up() {
	mkdir "$TMP/$1"
	start_daemon "$TMP/chanjiao.conf" "$TMP/$1" "$TMP/$1.log"
	log "== $1: chanjiaod pid $CJ_PID port $PORT"
}
down() {
	kill -TERM "$CJ_PID"
	wait "$CJ_PID" 2>/dev/null || true
	CJ_PID=''
	grep -ahE 'orderclass|apprentice|plan' "$TMP/$1.log" | tail -20 | sed 's/^/   log: /' >&2 || true
	rm -rf "${TMP:?}/$1"
}
# load STORE: replay $FRAMES; a "load" line in the results; check the counts.
load() {
	fgrun "$LOADGEN" --port "$PORT" --replay "$FRAMES" --conns 2 --pipeline 2 --json \
	    >"$TMP/load.json" 2>"$TMP/load.err" || {
		log "import failed:"
		cat "$TMP/load.err" >&2
		exit 1
	}
	grep '^replay' "$TMP/load.err" | sed 's/^/   /' >&2 || true
	$PY - "$TMP/load.json" "$1" "$PORT" "$SHAPE" >>"$RESULTS" <<-'EOF'
	import json, socket, sys
	import msgpack
	d = json.load(open(sys.argv[1]))
	d.update(label="load", store=sys.argv[2])
	shape = json.load(open(sys.argv[4]))
	s = socket.create_connection(("127.0.0.1", int(sys.argv[3])))
	s.sendall(msgpack.packb([0, 1, "system.info", [{}]]))
	u = msgpack.Unpacker(raw=False)
	r = None
	while r is None:
	    u.feed(s.recv(65536))
	    r = next(u, None)
	c = r[3]["counts"]
	want = {k: shape[k] for k in ("schools", "specialties", "enterprises", "postings",
	                              "programs", "students")}
	got = {k: c[k] for k in want}
	print(f"   system.info counts: {got}", file=sys.stderr)
	if got != want:
	    sys.exit(f"   COUNTS DIFFER from gen's: {want}")
	print(json.dumps(d))
	EOF
}
idle() { fgrun $PLANS idle --pid "$CJ_PID"; }
# measure LABEL METHOD PARAMS [REPS] [plans.py call options...]
measure() {
	local label=$1 method=$2 params=$3 reps=${4:-$REPS}
	shift 4 || shift $#
	idle
	log "== $label: $method $params x $reps"
	fgrun $PLANS call --port "$PORT" --pid "$CJ_PID" --method "$method" --params "$params" \
	    --reps "$reps" --label "$label" "$@" >>"$RESULTS"
}
# ocplan LABEL PARAMS [REPS]: the instance (explain), then the runs.
ocplan() {
	idle
	fgrun $PLANS ocshape --port "$PORT" --params "$2" >"$TMP/$1.oc.json"
	log "== $1 instance: $(cat "$TMP/$1.oc.json")"
	measure "$1" orderclass.plan "$2" "${3:-$REPS}" --ocshape "$TMP/$1.oc.json"
}

# ---- a: one school, examples/jinhua-fair -----------------------------------------------
if want a; then
	up jinhua
	t0=$(date +%s.%N)
	fgrun "$CLI" --host "127.0.0.1:$PORT" import "$ROOT/examples/jinhua-fair" >"$TMP/import.out"
	log "   imported examples/jinhua-fair in $(awk -v a="$t0" -v b="$(date +%s.%N)" \
	    'BEGIN { printf "%.1f", b - a }') s"
	ocplan a "{\"school_id\": \"3133070201\", \"region_prefix\": \"3307\", \"grad_year\": $GRAD_YEAR}"
	down jinhua
fi

# ---- the city store: a2, b, d, f --------------------------------------------------------
if want a || want b || want d || want f; then
	gen_store city "$CITY_PROGRAMS" "$CITY_STUDENTS"
	CITY_SHAPE=$SHAPE
	up city
	load city
	B_PARAMS="{\"region_prefix\": \"$B_REGION\", \"time_limit_ms\": $B_LIMIT_MS, \"grad_year\": $GRAD_YEAR}"
	if want a; then
		$PLANS school --port "$PORT" --region "$B_REGION" >"$TMP/school.json"
		log "== a2: $(cat "$TMP/school.json")"
		A2=$($PY -c 'import json, sys; s = json.load(open(sys.argv[1])); print(json.dumps({"school_id": s["school_id"], "region_prefix": s["region"], "grad_year": int(sys.argv[2])}))' \
		    "$TMP/school.json" "$GRAD_YEAR")
		ocplan a2 "$A2"
	fi
	if want b; then
		ocplan b "$B_PARAMS"
	fi
	if want d; then
		measure d apprenticeship.match '{}' "$REPS" --shape "$CITY_SHAPE"
	fi
	if want f; then
		$PLANS params --params "$B_PARAMS" --out "$TMP/b.params"
		idle    # a first, unrecorded run of the queries (cold pages)
		"$LOADGEN" --port "$PORT" --method match.candidates --params-list "$QUERIES" \
		    --seconds 2 --json >/dev/null 2>"$TMP/f.err" || { cat "$TMP/f.err" >&2; exit 1; }
		for r in $(seq "$F_ROUNDS"); do
			for phase in idle during; do
				idle
				if [ $phase = during ]; then
					"$LOADGEN" --port "$PORT" --method orderclass.plan \
					    --params-file "$TMP/b.params" --conns 1 --pipeline 1 \
					    --seconds 1000000 --json >"$TMP/bg.json" 2>"$TMP/bg.err" &
					BG_PID=$!
					sleep 1
				fi
				fgrun "$LOADGEN" --port "$PORT" --seconds "$F_SECS" --warmup 1 --json \
				    >"$TMP/f-$r-$phase-ping.json" 2>"$TMP/f.err" || {
					cat "$TMP/f.err" >&2; exit 1; }
				log "   f round $r $phase: $(sed 's/^.*pipeline=[0-9]*: //' "$TMP/f.err")"
				fgrun "$LOADGEN" --port "$PORT" --method match.candidates --params-list "$QUERIES" \
				    --seconds "$F_SECS" --warmup 1 --json \
				    >"$TMP/f-$r-$phase-match.json" 2>"$TMP/f.err" || {
					cat "$TMP/f.err" >&2; exit 1; }
				log "   f round $r $phase: $(sed 's/^.*pipeline=[0-9]*: //' "$TMP/f.err")"
				if [ $phase = during ]; then
					kill -INT "$BG_PID"
					wait "$BG_PID" || true
					BG_PID=''
					log "   f round $r background plans: $(sed 's/^.*pipeline=[0-9]*: //' "$TMP/bg.err")"
				fi
			done
		done
		$PLANS fjoin "$TMP"/f-*-*-*.json >>"$RESULTS"
	fi
	down city
fi

# ---- the province store: c, e ------------------------------------------------------------
if want c || want e; then
	gen_store province "$PROV_PROGRAMS" "$PROV_STUDENTS"
	PROV_SHAPE=$SHAPE
	up province
	load province
	if want c; then
		ocplan c "{\"region_prefix\": \"$C_REGION\", \"time_limit_ms\": $C_LIMIT_MS, \"grad_year\": $GRAD_YEAR}" "$LONG_REPS"
	fi
	if want e; then
		measure e apprenticeship.match '{}' "$LONG_REPS" --shape "$PROV_SHAPE"
	fi
	down province
fi

cp "$RESULTS" "$OUT"
log "== results in $OUT"
$PLANS table "$RESULTS"
