/*
 * flow — minimum-cost flow by the primal network simplex method.
 *
 * Build a network with flow_new and flow_arc, give supplies with
 * flow_supply, then flow_solve (a min-cost flow meeting the supplies) or
 * flow_max_min_cost (a maximum s→t flow, and of those one of least
 * cost).  Read the answer with flow_get and flow_cost.  Every solve
 * starts from scratch, so arcs and supplies may be added between them.
 *
 * The method: a spanning tree over the nodes and an artificial root
 * (artificial arcs of a cost above any path's, so they carry nothing at
 * an optimum unless the supplies are infeasible); the entering arc by
 * block search (blocks of √arcs in an order that spreads each node's
 * arcs, the most negative reduced cost of the first block that has
 * one); the leaving arc by the rule that keeps the tree strongly
 * feasible, so degenerate pivots cannot cycle.  A pivot relinks the
 * tree at O(path) places and shifts the potentials of the smaller side
 * of the cut.  All arithmetic is exact in integers.
 *
 * Ranges.  A cost is any int64 but INT64_MIN; a capacity 0..FLOW_INF.
 *  - Flows.  In every basis the simplex visits, an arc's flow is at most
 *    S = Σ|supply| + Σ finite capacities (a tree arc carries its
 *    subtree's net supply plus the arcs at their bound across its cut),
 *    so flows are exact in int64 when S < FLOW_INF; a solve with a
 *    larger S returns FLOW_RANGE.
 *  - Potentials.  A difference of potentials is the cost of a tree path:
 *    at most 2(n - 1) arcs and two artificial ones of (n + 1)·cmax + 1
 *    (n nodes, cmax = max|cost|), so a reduced cost is at most
 *    (4n + 1)·cmax + 2 in magnitude.  When that fits int64 the
 *    potentials are int64, else 128 bits (where it is below 2^97).
 *    They are kept modulo 2^64 or 2^128: only differences are used, and
 *    those come out exact.
 *  - Σ cost·flow is summed in 128 bits with overflow checks; an optimum
 *    outside int64 makes the solve return FLOW_RANGE, so after
 *    FLOW_OPTIMAL flow_cost is exact.
 * fair.allocate, for one: costs −round(score·1e9), so cmax ≤ 1e9; with
 * n ≤ 1e6 nodes (4n + 1)·cmax ≤ 4.1e15 and the potentials are int64;
 * places and graduates ≤ ~1e6 each, headcounts ≤ 1e4 on ≤ 1e6 arcs give
 * S ≤ ~1e10; each placed graduate crosses one costed arc, so
 * |Σ cost·flow| ≤ 1e9 · 1e6 = 1e15 < 9.2e18: no FLOW_RANGE there.
 *
 * Determinism: the same calls in the same order give the same flows.
 * Memory: O(nodes + arcs): about 90 bytes per arc and 100 per node at
 * the peak of a solve; 32 per arc and 8 per node kept in between.
 * Not thread-safe per object; distinct objects are independent.
 */
#ifndef CJ_FLOW_H
#define CJ_FLOW_H

#include <stdint.h>
#include <stdio.h>

/* An unbounded capacity (and the flow value of an unbounded max flow). */
#define FLOW_INF INT64_MAX

struct flow;

/*
 * A network of nodes 0..nodes-1, no arcs, no supply; NULL unless
 * 0 ≤ nodes ≤ FLOW_MAX_NODES.
 */
#define FLOW_MAX_NODES (1 << 28)
struct flow *flow_new(int nodes);
void flow_free(struct flow *f);

/*
 * Arc from→to with capacity cap (0..FLOW_INF) and cost per unit of flow
 * (any int64 but INT64_MIN).  Parallel arcs and loops (from == to) are
 * allowed.  Returns the arc's index: 0, 1, 2, ... in the order of calls;
 * -1 (and no arc) when a node is out of range, cap < 0, cost is INT64_MIN
 * or arcs + nodes would reach INT_MAX / 2 (about 1.07e9).
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
 * flow_get and flow_cost the answer; otherwise they read 0.  With
 * Σ supply = 0, FLOW_UNBOUNDED comes whenever a negative cycle of
 * unbounded arcs exists, whether or not the supplies are feasible.
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
 * of range or s == t; FLOW_RANGE when Σ finite capacities ≥ FLOW_INF.
 *
 * F comes from Dinic's algorithm, then the simplex solves the supplies
 * above starting with the arcs out of s and into t that Dinic saturated
 * at their upper bound (a warm start: it changes the pivots, not the
 * optimum).
 */
enum flow_status flow_max_min_cost(struct flow *f, int s, int t,
    int64_t *value);

/* The flow on arc after the last solve; 0 before one or for a bad index. */
int64_t flow_get(const struct flow *f, int arc);

/* Σ cost·flow of the last solve (exact after FLOW_OPTIMAL; else 0). */
int64_t flow_cost(const struct flow *f);

/*
 * Write the network in the DIMACS minimum-cost flow format: a comment,
 * "p min N M", an "n id supply" line per node with nonzero supply (the
 * current supplies: after flow_max_min_cost, F at s and -F at t), then
 * "a from to 0 cap cost" per arc in index order; nodes are numbered from
 * 1 and an unbounded capacity is written as 9223372036854775807.  0, or
 * -1 when the stream reports a write error.
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
