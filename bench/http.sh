#!/usr/bin/env bash
# bench/http.sh — the web console: server time of the fair overview's API
# calls, system.ping under 200 browsers' page loads, and a reload's 304s.
#
#   bench/http.sh                       # build, run, print the table (~1 min)
#   SECS=10 CONNS=200 N=50 bench/http.sh
#   BUILD=/path/to/build CHANJIAOD=/path/to/chanjiaod COMMIT=label bench/http.sh
#
# 1. builds chanjiaod, chanjiao, loadgen and httpload in $BUILD (Release,
#    default build-http-bench; with CHANJIAOD set that daemon is measured);
# 2. starts chanjiaod on 127.0.0.1:0 with the console on 127.0.0.1:0 and a
#    fresh data dir, and loads examples/jinhua-fair with `chanjiao import`;
# 3. (a) every API call of the fair overview page (/fair/JHJS-2026-05, as
#    web/pages.js makes them), and the lists other pages make, N times each
#    in a row over one kept-alive HTTP connection: the client's median and
#    p90, and the daemon's own p50/p99 of the method from system.stats
#    (call start to reply packed: its server time);
# 4. (b) system.ping over RPC, one at a time paced to ~1,000/s (loadgen
#    --rate), for SECS seconds alone (baseline), then again while CONNS
#    HTTP clients each load the overview page in a loop (the page, its
#    assets, GET /api/session, fair.get, fair.allocate and the posting.get
#    and enterprise.get calls its tables make, one request at a time on
#    one kept-alive connection): ping p50/p99/p99.9 and page loads/s;
# 5. (c) one page load, then a reload sending If-None-Match for every
#    asset: bytes and 304s, for the assets alone and the whole page;
# 6. prints the tables.  Timing is reported, never asserted.
# The daemon is stopped and the data dir removed on exit (trap).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build-http-bench}
SECS=${SECS:-10}
CONNS=${CONNS:-200}
N=${N:-50}
RATE=${RATE:-1000}
# The browsers are not on the server: their stand-in, httpload, runs at
# nice 19 so that on a 2-core host it takes the CPU the daemon and the ping
# probe leave, rather than queue them behind it (LOAD_NICE=0: it competes).
LOAD_NICE=${LOAD_NICE:-19}
FAIR=JHJS-2026-05
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# ---- build --------------------------------------------------------------
TARGETS=(chanjiao loadgen httpload)
[ -n "${CHANJIAOD:-}" ] || TARGETS+=(chanjiaod)
log "== building ${TARGETS[*]} in $BUILD (Release)"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j2 --target "${TARGETS[@]}" >/dev/null
CHANJIAOD=${CHANJIAOD:-$BUILD/chanjiaod}
LOADGEN=$BUILD/bench/loadgen
HTTPLOAD=$BUILD/bench/httpload
if [ -z "${COMMIT:-}" ]; then
	COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
	if [ -n "$(git -C "$ROOT" status --porcelain -- daemon web proto config \
	    CMakeLists.txt 2>/dev/null)" ]; then
		COMMIT="$COMMIT+dirty"
	fi
fi

# ---- daemon -------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/chanjiao-http.XXXXXX")
CJ_PID= LOAD_PID=
cleanup() {
	for p in $LOAD_PID $CJ_PID; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $LOAD_PID $CJ_PID; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

printf '[http]\nlisten = 127.0.0.1:0\n' >"$TMP/chanjiao.conf"
mkdir "$TMP/data"
start_daemon "$TMP/chanjiao.conf" "$TMP/data" "$TMP/chanjiaod.log"
HPORT=$(sed -n 's/^chanjiaod: http on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TMP/chanjiaod.log")
[ -n "$HPORT" ] || { log "no console:"; cat "$TMP/chanjiaod.log" >&2; exit 1; }
"$BUILD/chanjiao" --host "127.0.0.1:$PORT" import "$ROOT/examples/jinhua-fair" >"$TMP/import.log"
log "== chanjiaod $("$CHANJIAOD" --version | cut -d' ' -f2) (commit $COMMIT) pid $CJ_PID," \
    "rpc $PORT, http $HPORT; examples/jinhua-fair loaded"
log "== $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TCK=$(getconf CLK_TCK)

api() {   # METHOD JSON -> the reply's JSON on stdout
	"$PY" - "$HPORT" "$1" "$2" <<'EOF'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=60)
c.request("POST", "/api/" + sys.argv[2], sys.argv[3],
          {"Content-Type": "application/json"})
r = c.getresponse()
body = r.read().decode()
if r.status != 200:
    sys.exit("%s: HTTP %d %s" % (sys.argv[2], r.status, body[:300]))
print(body)
EOF
}

# ---- (a) server time of each call -----------------------------------------
# The overview's calls in web/pages.js: fair.get, fair.allocate (explain:
# true when a row is opened), posting.get / enterprise.get (by id, and
# {ids} of 100 as the tables fetch them);
# then lists the other pages make.  Each method's daemon p50/p99 is read
# right after its run; a method measured a second time (fair.allocate with
# explain, a filtered specialty.list) shows the two runs together.
P1=$(api posting.list '{"limit":1}' | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["result"]["items"][0]["id"])')
E1=$(api enterprise.list '{"limit":1}' | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["result"]["items"][0]["id"])')
P100=$(api posting.list '{"limit":100}' | "$PY" -c 'import json,sys; print(json.dumps([i["id"] for i in json.load(sys.stdin)["result"]["items"]]))')
S1=$(api school.list '{"limit":1}' | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["result"]["items"][0]["id"])')
CALLS=(
	"fair.get {\"id\":\"$FAIR\"}"
	"fair.allocate {\"fair_id\":\"$FAIR\"}"
	"posting.get {\"id\":\"$P1\"}"
	"enterprise.get {\"id\":\"$E1\"}"
	"posting.get {\"ids\":$P100}"
	"fair.schedule {\"fair_id\":\"$FAIR\"}"
	"posting.list {\"limit\":100}"
	"enterprise.list {\"limit\":100}"
	"school.list {\"limit\":1000}"
	"specialty.list {\"limit\":100}"
	"fair.allocate {\"fair_id\":\"$FAIR\",\"explain\":true}"
	"specialty.list {\"limit\":1000,\"filter\":{\"school_id\":\"$S1\"}}"
)
log "== (a) $N calls of each, one at a time on one kept-alive connection"
: >"$TMP/a.tsv"
for call in "${CALLS[@]}"; do
	m=${call%% *} params=${call#* }
	echo "POST /api/$m $params" >"$TMP/one.txt"
	"$HTTPLOAD" --port "$HPORT" --script "$TMP/one.txt" --loops 1 --repeat "$N" \
	    --json >"$TMP/one.json" 2>"$TMP/one.err" || { cat "$TMP/one.err" >&2; exit 1; }
	api system.stats '{}' >"$TMP/stats.json"
	"$PY" - "$m" "$params" "$TMP/one.json" "$TMP/stats.json" >>"$TMP/a.tsv" <<'EOF'
import json, sys
m, params, one, stats = sys.argv[1:5]
r = json.load(open(one))["lines"][0]
s = json.load(open(stats))["result"]["methods"][m]
if r["s2xx"] != r["n"]:
    sys.exit("%s: %d of %d calls failed" % (m, r["n"] - r["s2xx"], r["n"]))
print("\t".join([m, params, str(r["n"]), "%.2f" % r["p50_ms"], "%.2f" % r["p90_ms"],
                 "%.3f" % (s["p50_us"] / 1000), "%.3f" % (s["p99_us"] / 1000),
                 str(s["calls"])]))
EOF
done

# ---- the page load ---------------------------------------------------------
# What /fair/<id> fetches (web/index.html, web/app.js, web/pages.js): the
# page and its assets, GET /api/session, fair.get, fair.allocate, then
# posting.get {ids} of every allocated posting, enterprise.get {ids} of the
# top 10 enterprises of each direction, posting.get {ids} of the first 10
# unfilled postings not fetched yet and enterprise.get {ids} of their
# enterprises.
ASSETS=$(sed -n 's/.*\(href\|src\)="\(\/static\/[^"]*\)".*/\2/p' "$ROOT/web/index.html" | sort -u)
{
	echo "GET /fair/$FAIR"
	for a in $ASSETS; do echo "GET $a"; done
} >"$TMP/assets.txt"
cp "$TMP/assets.txt" "$TMP/page.txt"
echo "GET /api/session" >>"$TMP/page.txt"
"$PY" - "$HPORT" "$FAIR" >>"$TMP/page.txt" <<'EOF'
import http.client, json, sys
port, fair = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
def call(m, p):
    c.request("POST", "/api/" + m, json.dumps(p), {"Content-Type": "application/json"})
    r = c.getresponse()
    return json.loads(r.read())["result"]
lines = []
def want(m, p):
    lines.append("POST /api/%s %s" % (m, json.dumps(p, ensure_ascii=False, separators=(",", ":"))))
    return call(m, p)
want("fair.get", {"id": fair})
alloc = want("fair.allocate", {"fair_id": fair})
posts, ents = {}, {}
def records(kind, ids, have):   # CJ.records: <kind>.get {ids}, 1000 a call
    need = [i for i in dict.fromkeys(ids) if i not in have]
    for k in range(0, len(need), 1000):
        chunk = need[k:k + 1000]
        have.update(zip(chunk, want(kind + ".get", {"ids": chunk})["items"]))
records("posting", [a["posting_id"] for a in alloc["allocations"]], posts)
by_dir = {}
for a in alloc["allocations"]:
    t = by_dir.setdefault(a["direction_id"], {})
    e = posts[a["posting_id"]]["enterprise_id"]
    t[e] = t.get(e, 0) + a["count"]
top = []
for d in alloc["directions"]:
    t = sorted(by_dir.get(d["direction_id"], {}).items(), key=lambda x: (-x[1], x[0]))[:10]
    top += [e for e, _ in t]
records("enterprise", top, ents)
unfilled = sorted(alloc["unfilled"], key=lambda u: (-u["open"], u["posting_id"]))[:10]
records("posting", [u["posting_id"] for u in unfilled], posts)
records("enterprise", [posts[u["posting_id"]]["enterprise_id"] for u in unfilled], ents)
print("\n".join(lines))
EOF
NGET=$(grep -c '^GET' "$TMP/page.txt")
NAPI=$(grep -c '^POST' "$TMP/page.txt")
log "== a page load: $NGET GETs (page, assets, session) and $NAPI API calls:" \
    "$(grep '^POST' "$TMP/page.txt" | cut -d' ' -f2 | sort | uniq -c | sed 's,/api/,,' | tr -s ' ' | paste -sd, -)"

# ---- (b) ping alone, then under page loads ---------------------------------
ping_run() {   # -> loadgen's json
	"$LOADGEN" --port "$PORT" --seconds "$SECS" --rate "$RATE" --json 2>"$TMP/ping.err" ||
	    { log "ping probe failed:"; cat "$TMP/ping.err" >&2; exit 1; }
}
log "== (b) system.ping ~$RATE/s for $SECS s alone"
ping_run >"$TMP/ping0.json"
# Two kinds of page load, each a closed loop (a client loads the page again
# as soon as the last one is done, far more often than a person would):
# first visits (every asset sent again) and reloads (If-None-Match: the
# assets answer 304, as a browser's cache makes them).
load_run() {   # $1: label, $2: extra httpload flag -> $TMP/load_$1.json
	log "== (b) system.ping ~$RATE/s for $SECS s while $CONNS HTTP clients" \
	    "load the page ($1)"
	c0=$(cpu_ticks "$CJ_PID")
	nice -n "$LOAD_NICE" "$HTTPLOAD" --port "$HPORT" --script "$TMP/page.txt" \
	    --conns "$CONNS" --seconds "$((SECS + 2))" $2 --json >"$TMP/load_$1.json" \
	    2>"$TMP/load.err" &
	LOAD_PID=$!
	sleep 1
	ping_run >"$TMP/ping_$1.json"
	wait "$LOAD_PID" || { log "httpload failed:"; cat "$TMP/load.err" >&2; exit 1; }
	LOAD_PID=
	c1=$(cpu_ticks "$CJ_PID")
	sed 's/^/   /' "$TMP/load.err" >&2
	awk -v a="$c0" -v b="$c1" -v h="$TCK" -v s="$SECS" \
	    'BEGIN { printf "%.2f", (b - a) / h / (s + 2) }' >"$TMP/cpu_$1"
	log "   daemon cpu during the page loads: $(cat "$TMP/cpu_$1") of a core"
}
load_run first ""
load_run reload --reload

# ---- (c) a reload with ETags -----------------------------------------------
log "== (c) a page load, then a reload with If-None-Match"
"$HTTPLOAD" --port "$HPORT" --script "$TMP/assets.txt" --loops 2 --reload --json \
    >"$TMP/reload_assets.json" 2>/dev/null
"$HTTPLOAD" --port "$HPORT" --script "$TMP/page.txt" --loops 2 --reload --json \
    >"$TMP/reload_page.json" 2>/dev/null

# ---- tables --------------------------------------------------------------
"$PY" - "$COMMIT" "$TMP" "$CONNS" "$SECS" "$NGET" "$NAPI" <<'EOF'
import json, sys
commit, tmp, conns, secs, nget, napi = sys.argv[1:7]
j = lambda n: json.load(open("%s/%s.json" % (tmp, n)))
a = tmp + "/a.tsv"
p0, ra, rp = j("ping0"), j("reload_assets"), j("reload_page")
print("(a) server time, %s calls each, commit %s" % (open(a).readline().split("\t")[2], commit))
print()
print("| call | client p50 / p90 ms | daemon p50 / p99 ms |")
print("|---|---:|---:|")
seen = {}
for row in open(a):
    m, params, n, c50, c90, d50, d99, calls = row.rstrip("\n").split("\t")
    mark = " (both runs)" if m in seen else ""
    seen[m] = 1
    params = json.loads(params)
    short = ", ".join("%s: %s" % (k, json.dumps(v, ensure_ascii=False)) for k, v in params.items()
                      if k in ("explain", "filter", "limit"))
    print("| %s%s | %s / %s | %s / %s%s |" % (m, " {%s}" % short if short else "", c50, c90,
                                            d50, d99, mark))
print()
print("(b) system.ping, 1 at a time, ~%d/s, %s s; page = %s GETs + %s API calls; "
      "commit %s" % (p0["rps"], secs, nget, napi, commit))
print()
print("| | ping p50 / p99 / p99.9 / max ms | page loads/s | HTTP req/s | 429s | daemon cpu |")
print("|---|---:|---:|---:|---:|---:|")
f = lambda r: "%.2f / %.2f / %.2f / %.1f" % (r["p50_us"] / 1e3, r["p99_us"] / 1e3,
                                           r["p999_us"] / 1e3, r["max_us"] / 1e3)
print("| alone | %s | | | | |" % f(p0))
for kind, what in (("first", "first visits"), ("reload", "reloads (304 assets)")):
    load, p1 = j("load_" + kind), j("ping_" + kind)
    cpu = open("%s/cpu_%s" % (tmp, kind)).read()
    print("| %s HTTP clients, %s | %s | %.1f | %.0f | %d | %s |" % (
        conns, what, f(p1), load["pages_per_s"], load["rps"], load["s429"], cpu))
print()
print("(c) a reload with If-None-Match")
print()
print("| | first load bytes | reload bytes | reload 304s |")
print("|---|---:|---:|---:|")
for name, r in (("page + assets", ra), ("whole page (with API calls)", rp)):
    print("| %s | %s | %s | %d of %d |" % (name, format(r["bytes_first"], ","),
          format(r["bytes_reload"], ","), r["s304"], r["requests_reload"]))
EOF
