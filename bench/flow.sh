#!/usr/bin/env bash
# The flow solver against LEMON's NetworkSimplex on the three fair-shaped
# networks of flow_bench.c: builds flow_bench (cmake) and lemon_mcf
# (g++ -O2), then, REPS times and interleaved so load on the machine hits
# both alike, solves each size once with each; checks the optimal costs
# agree and prints medians.
#
#   bench/flow.sh                 # REPS=5 SIZES="a b c" BUILD=build
#   REPS=3 SIZES="a b c u" bench/flow.sh   # u: c without locality
#
# "ours" is flow_max_min_cost: Dinic's maximum flow, then the simplex
# (warm-started from the flow's saturated source and sink arcs). LEMON
# gets the supplies that solve used (F at the source, -F at the sink) and
# runs its simplex only, from its all-artificial start; "cold" is ours on
# exactly that: flow_solve on those supplies, no maximum flow, no warm
# start. Times leave out building the graph and include the solvers' own
# setup (copying the network in).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-5}
SIZES=${SIZES:-"a b c"}
BUILD=${BUILD:-build}

if [ ! -f /usr/include/lemon/network_simplex.h ] || ! command -v g++ >/dev/null; then
  echo "flow.sh: needs liblemon-dev and g++ (scripts/setup.sh installs them)" >&2
  exit 1
fi
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" --target flow_bench -j"$(nproc)" >/dev/null
g++ -O2 -o "$BUILD/bench/lemon_mcf" bench/lemon_mcf.cpp

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for rep in $(seq "$REPS"); do
  for s in $SIZES; do
    # size nodes arcs median_ms min_ms cost value maxflow_ms simplex_ms pivots cold_ms
    "$BUILD/bench/flow_bench" --size "$s" --runs 1 --dimacs "$tmp/$s.dimacs" \
      >>"$tmp/$s.ours"
    # median_ms min_ms cost
    "$BUILD/bench/lemon_mcf" "$tmp/$s.dimacs" 1 >>"$tmp/$s.lemon"
  done
done

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
status=0
printf '%-4s %8s %8s %10s %10s %7s %10s %7s  %s\n' size nodes arcs "ours ms" \
  "LEMON ms" ratio "cold ms" ratio "(ours: max flow + simplex ms, pivots)"
for s in $SIZES; do
  read -r _ nodes arcs _ _ cost value _ _ pivots _ < "$tmp/$s.ours"
  ours=$(awk '{print $4}' "$tmp/$s.ours" | median)
  mf=$(awk '{print $8}' "$tmp/$s.ours" | median)
  sx=$(awk '{print $9}' "$tmp/$s.ours" | median)
  lemon=$(awk '{print $1}' "$tmp/$s.lemon" | median)
  cold=$(awk '{print $11}' "$tmp/$s.ours" | median)
  costs=$(awk '{print $6}' "$tmp/$s.ours"; awk '{print $3}' "$tmp/$s.lemon")
  if [ "$(sort -u <<<"$costs" | wc -l)" -ne 1 ]; then
    echo "flow.sh: size $s: the optimal costs differ:" $costs >&2
    status=1
  fi
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN {print a / b}'; }
  printf '%-4s %8s %8s %10.2f %10.2f %7.2f %10.2f %7.2f  (%s + %s, %s; F=%s, cost %s)\n' \
    "$s" "$nodes" "$arcs" "$ours" "$lemon" "$(ratio "$ours" "$lemon")" \
    "$cold" "$(ratio "$cold" "$lemon")" "$mf" "$sx" "$pivots" "$value" "$cost"
done
echo "medians of $REPS interleaved runs;" \
  "$([ $status -eq 0 ] && echo "optimal costs equal" || echo "COSTS DIFFER")"
exit $status
