/*
 * flow — minimum-cost flow by the primal network simplex method.
 *
 * Build a network with flow_new and flow_arc, give supplies with
 * flow_supply, then flow_solve (a min-cost flow meeting the supplies) or
 * flow_max_min_cost (a maximum s→t flow, and of those one of least
 * cost).  Read the answer with flow_get and flow_cost.  Solving again
 * after more arcs or supplies are added starts from scratch.
 *
 * The method: a spanning tree over the nodes and one artificial root,
 * entering arcs chosen by block search (blocks of ~√arcs, the most
 * negative reduced cost of the first block that has one), the tree kept
 * strongly feasible by the leaving-arc rule (so degenerate pivots cannot
 * cycle), and all arithmetic exact in integers.
 *
 * Ranges (what is exact, and how the rest is refused):
 *  - a cost is any int64 but INT64_MIN.  Node potentials and reduced
 *    costs are sums of at most `nodes` costs plus the artificial cost
 *    (nodes·max|cost| + 1), so they stay below 2^94 and the solver keeps
 *    them in 128 bits: no cost/node count combination can overflow.
 *  - a capacity is 0..FLOW_INF, FLOW_INF meaning unbounded.  Every flow
 *    the solver ever holds on an arc (in any basis it visits) is at most
 *    S = Σ|supply| + Σ finite capacities, so flows are int64 as long as
 *    S < FLOW_INF; a solve with a larger S returns FLOW_RANGE.
 *  - Σ cost·flow is summed in 128 bits with overflow checks; when the
 *    optimum does not fit int64 the solve returns FLOW_RANGE.  So after
 *    FLOW_OPTIMAL, flow_cost is exact.
 * For chanjiao's planners (unit costs |c| ≤ 1e9, flows ≤ ~1e7, ≤ ~1e6
 * nodes and arcs): S ≤ ~1e13 and |Σ cost·flow| ≤ 1e9·1e7·... is bounded
 * by max|c|·Σ_arcs flow ≤ 1e9 · 3e7 (a path s→d→p→t carries each unit
 * over three arcs) = 3e16 < 9.2e18, so FLOW_RANGE does not happen there.
 *
 * Determinism: the same calls in the same order give the same flows.
 * Memory: O(nodes + arcs) — about 60 bytes per arc and 70 per node while
 * solving, of which 40 per arc and 8 per node are kept for the answer.
 * Not thread-safe per object; distinct objects are independent.
 */
#ifndef CJ_FLOW_H
#define CJ_FLOW_H

#include <stdint.h>
#include <stdio.h>

/* An unbounded capacity (and the flow value of an unbounded max flow). */
#define FLOW_INF INT64_MAX

struct flow;

/* A network of nodes 0..nodes-1 (0 ≤ nodes < INT_MAX), no arcs, no supply. */
struct flow *flow_new(int nodes);
void flow_free(struct flow *f);

/*
 * Arc from→to with capacity cap (0..FLOW_INF) and cost per unit of flow
 * (any int64 but INT64_MIN).  Parallel arcs and loops (from == to) are
 * allowed.  Returns the arc's index: 0, 1, 2, ... in the order of calls;
 * -1 (and no arc) when a node is out of range, cap < 0, cost is INT64_MIN
 * or arcs + nodes would reach INT_MAX / 2.
 */
int flow_arc(struct flow *f, int from, int to, int64_t cap, int64_t cost);

/*
 * Add s to node's supply: > 0 the node sends flow, < 0 it takes flow.
 * Σ supply must be 0 for a solve to be feasible.  Ignored for a node out
 * of range; a node's supply leaving int64 makes flow_solve return
 * FLOW_RANGE.  (flow_max_min_cost replaces all supplies, see there.)
 */
void flow_supply(struct flow *f, int node, int64_t s);

enum flow_status {
	FLOW_OPTIMAL,      /* an optimal flow; flow_get/flow_cost give it */
	FLOW_INFEASIBLE,   /* no flow meets the supplies (or Σ supply ≠ 0) */
	FLOW_UNBOUNDED,    /* a negative-cost cycle of unbounded capacity */
	FLOW_RANGE,        /* outside the exact range above; nothing solved */
};

/*
 * Minimise Σ cost·flow subject to 0 ≤ flow ≤ cap on every arc and, at
 * every node, flow out − flow in = supply.  Only after FLOW_OPTIMAL are
 * flow_get and flow_cost the answer; otherwise they read 0.
 */
enum flow_status flow_solve(struct flow *f);

/*
 * The maximum s→t flow and, among maximum flows, one of minimum cost
 * (negative-cost cycles included: the result is the least-cost flow of
 * the maximum value).  All supplies are replaced: F at s, −F at t, 0
 * elsewhere, F the maximum flow value, stored in *value (when value is
 * not NULL).  FLOW_UNBOUNDED with *value = FLOW_INF when an s→t path of
 * unbounded arcs exists, FLOW_UNBOUNDED with *value = F when the
 * least cost is unbounded; FLOW_INFEASIBLE (value 0) when s or t is out
 * of range or s == t.
 */
enum flow_status flow_max_min_cost(struct flow *f, int s, int t,
    int64_t *value);

/* The flow on arc after the last solve; 0 before one or for a bad index. */
int64_t flow_get(const struct flow *f, int arc);

/* Σ cost·flow of the last solve (exact after FLOW_OPTIMAL; else 0). */
int64_t flow_cost(const struct flow *f);

/*
 * Write the network in the DIMACS minimum-cost flow format: "p min N M",
 * an "n id supply" line per node with nonzero supply (the supplies the
 * last solve used, or the current ones before a solve), then "a from to
 * 0 cap cost" per arc in index order; nodes are numbered from 1 and an
 * unbounded capacity is written as 9223372036854775807.  0, or -1 when
 * the stream reports a write error.
 */
int flow_write_dimacs(const struct flow *f, FILE *out);

/* Counters of the last solve, for benchmarks and tests. */
struct flow_stats {
	long long pivots;        /* simplex pivots, degenerate ones included */
	long long degenerate;    /* pivots that moved no flow */
	double maxflow_ms;       /* flow_max_min_cost's maximum-flow phase */
	double simplex_ms;       /* the network simplex */
};
void flow_get_stats(const struct flow *f, struct flow_stats *st);

/*
 * Keep potentials in 128 bits even when the costs let them be int64
 * (the solver picks 128 bits by itself when they must be): for tests of
 * that path.  Same answers, slower.
 */
void flow_set_wide(struct flow *f, int on);

#endif
