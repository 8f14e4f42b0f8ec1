#!/usr/bin/env bash
# Deferred acceptance (matcher/da.c, apprenticeship.match without the
# daemon's loading) at two sizes: 100,000 students × 5,000 programs
# (target ≤ 1 s) and 1,000,000 × 50,000 (target ≤ 15 s, ≤ 2 GB RSS with
# the lists).  Builds da_bench (RelWithDebInfo, $BUILD) unless NOBUILD=1,
# runs each size REPS times, interleaved, and prints the medians; fails
# when a run finds a blocking pair or two runs of a size disagree.
#
#   bench/da.sh                       # REPS=3 SIZES="100k 1m"
#   REPS=5 CAP=0.5 PREFS=0.3 bench/da.sh
#   NOBUILD=1 BUILD=/other/build SIZES=100k bench/da.sh
#
# da_ms is da_match whole: the rounds and its own blocking-pair count;
# check_ms one more da_blocking on the answer alone; gen_ms building the
# instance (not part of da_ms); rss_mb the process's peak, lists and
# generator included.  The instance's shape is in bench/da_bench.c.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build}
REPS=${REPS:-3}
SIZES=${SIZES:-"100k 1m"}
CAP=${CAP:-0.8}
PREFS=${PREFS:-0.3}

[ -n "${NOBUILD:-}" ] || build_targets da_bench
BENCH=$BUILD/bench/da_bench

args() {
	case $1 in
	100k) echo "--students 100000 --programs 5000" ;;
	1m) echo "--students 1000000 --programs 50000" ;;
	*) log "da.sh: unknown size $1 (100k or 1m)"; exit 2 ;;
	esac
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for rep in $(seq "$REPS"); do
	for s in $SIZES; do
		log "== $s, run $rep of $REPS"
		# shellcheck disable=SC2046
		"$BENCH" $(args "$s") --cap "$CAP" --prefs "$PREFS" >>"$tmp/$s"
	done
done

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
status=0
printf '%-5s %9s %8s %8s %7s %6s %9s %7s %8s %9s %9s %8s %7s\n' size students \
	programs avg_list cap/stu prefs% matched rounds blocking da_ms check_ms \
	gen_ms rss_mb
for s in $SIZES; do
	# students programs avg_list cap_ratio pct_prefs matched rounds blocking
	# da_ms check_ms gen_ms rss_mb
	if [ "$(cut -d' ' -f1-8 "$tmp/$s" | sort -u | wc -l)" -ne 1 ]; then
		log "da.sh: $s: runs disagree:"
		cat "$tmp/$s" >&2
		status=1
	fi
	read -r ns np avg cr pp matched rounds blocking _ <"$tmp/$s"
	[ "$blocking" = 0 ] || status=1
	printf '%-5s %9s %8s %8s %7s %6s %9s %7s %8s %9.1f %9.1f %8.1f %7.1f\n' "$s" \
		"$ns" "$np" "$avg" "$cr" "$pp" "$matched" "$rounds" "$blocking" \
		"$(awk '{print $9}' "$tmp/$s" | median)" \
		"$(awk '{print $10}' "$tmp/$s" | median)" \
		"$(awk '{print $11}' "$tmp/$s" | median)" \
		"$(awk '{print $12}' "$tmp/$s" | median)"
done
echo "medians of $REPS runs (CAP=$CAP PREFS=$PREFS);" \
	"$([ $status -eq 0 ] && echo "no blocking pairs, runs agree" || echo "FAILED")"
exit $status
