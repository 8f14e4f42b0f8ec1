#!/usr/bin/env bash
# The order-class planner (oc_solve) on bench/oc_bench.c's three shapes,
# against CBC alone on the same instances.
#
#   bench/orderclass.sh               # REPS=3 SHAPES="school city province"
#   REPS=5 SHAPES=school bench/orderclass.sh
#   METHODS="full cbc nocbc" BUILD=build bench/orderclass.sh
#   REPS=5 SHAPES= INSTANCES="bench/oc-instances/*.oc" bench/orderclass.sh
#
# Each rep draws new instances (seed = rep) and runs every method on
# each, interleaved, with the shape's time limit: school (one Jinhua
# school, 30 specialties × 200 enterprises, ~2,400 pairs) 200 ms, city
# (500 × 2,000, 30,000 pairs) 10 s, province (10,000 × 100,000 in 11
# cities, 600,000 pairs) 60 s; LIMIT_SCHOOL, LIMIT_CITY, LIMIT_PROVINCE
# change them.  INSTANCES (default bench/oc-instances/*.oc: examples/
# jinhua-fair's school and bench/plans.sh's a2, as orderclass.plan's
# explain gave them, written by bench/oc_instance.py, which writes more)
# are real instances, each run REPS times per method with LIMIT_INSTANCE
# (10 s, orderclass.plan's default); their shape is the file's name.
# Methods: full (oc_solve), cbc (CBC alone: no relaxations,
# no heuristics, no start, CBC's default settings), nocbc (relaxations and
# heuristics only).  Prints per shape and method the medians of solve
# time, of its CPU time (with CBC's children: steadier on a busy machine)
# and of the gap (100·(bound − objective)/objective), how many runs were
# proven optimal, the largest gap, and the peak resident memory of the
# process and of the largest CBC child; the runs' lines are kept in
# $BUILD/orderclass-runs.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
SHAPES=${SHAPES-"school city province"}
INSTANCES=${INSTANCES-$(echo bench/oc-instances/*.oc)}
METHODS=${METHODS:-"full cbc"}
BUILD=${BUILD:-build}

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" --target oc_bench -j"$(nproc)" >/dev/null

limit() {
	case $1 in
	school) echo "${LIMIT_SCHOOL:-200}" ;;
	city) echo "${LIMIT_CITY:-10000}" ;;
	province) echo "${LIMIT_PROVINCE:-60000}" ;;
	*) echo "${LIMIT_INSTANCE:-10000}" ;;
	esac
}

runs=$BUILD/orderclass-runs.txt
: >"$runs"
for rep in $(seq "$REPS"); do
	for s in $SHAPES; do
		for m in $METHODS; do
			# shape method pairs components objective bound gap_pct optimal
			# solve_ms rss_mb child_rss_mb lp lagrange heuristic runs killed
			"$BUILD/bench/oc_bench" --shape "$s" --seed "$rep" \
			    --limit "$(limit "$s")" --method "$m" >>"$runs"
		done
	done
	for f in $INSTANCES; do
		for m in $METHODS; do
			"$BUILD/bench/oc_bench" --instance "$f" --limit "$(limit "$f")" \
			    --method "$m" >>"$runs"
		done
	done
done

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
printf '%-11s %-6s %8s %6s %9s %8s %8s %8s %9s %8s %9s\n' shape method pairs comps \
	"limit ms" "ms p50" "cpu p50" "gap% p50" "gap% max" optimal "RSS MB"
names=$SHAPES
for f in $INSTANCES; do
	b=${f##*/}
	names="$names ${b%%.*}"
done
for s in $names; do
	for m in $METHODS; do
		sel=$(awk -v s="$s" -v m="$m" '$1 == s && $2 == m' "$runs")
		[ -n "$sel" ] || continue
		# CBC alone may end with no plan: its gap is then "none"
		gaps=$(awk '{print ($5 > 0 ? $7 : "inf")}' <<<"$sel")
		printf '%-11s %-6s %8s %6s %9s %8.1f %8.1f %8s %9s %8s %9s\n' "$s" "$m" \
			"$(awk '{print $3}' <<<"$sel" | median)" \
			"$(awk '{print $4}' <<<"$sel" | median)" "$(limit "$s")" \
			"$(awk '{print $9}' <<<"$sel" | median)" \
			"$(awk '{print $17}' <<<"$sel" | median)" \
			"$(median <<<"$gaps")" \
			"$(sort -g <<<"$gaps" | tail -1)" \
			"$(awk '{n += $8} END {print n "/" NR}' <<<"$sel")" \
			"$(awk '{if ($10 > a) a = $10; if ($11 > b) b = $11}
			    END {printf "%.0f+%.0f", a, b}' <<<"$sel")"
	done
done
echo "medians over $REPS seeds (instances: runs); cpu: of the solve and" \
	"its CBC children; RSS: the process + the largest CBC child;" \
	"gap inf: no plan found"
