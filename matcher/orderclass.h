/*
 * orderclass — the order-class planner of docs/matching.md "Definitions":
 * choose for each eligible (specialty, enterprise) pair a class size, 0 or
 * within [min_size, max_size], so that no specialty gives more than its
 * supply and no enterprise takes more than its demand, maximising
 * Σ size × score; prove how close to optimal the plan is with an upper
 * bound.  Pure: the daemon hands over ids as indexes and scores as
 * numbers.
 */
#ifndef CJ_ORDERCLASS_H
#define CJ_ORDERCLASS_H

#include <stddef.h>
#include <stdint.h>

#include "match.h"

/*
 * An eligible pair and its score (the best of the enterprise's postings),
 * in (0, 1].  Scores are taken at 1e-9, as match_score rounds them: the
 * objective and the bound are exact sums for scores so rounded.  A pair
 * whose score is 0 or below can add nothing and is left out.
 */
struct oc_pair {
	uint32_t spec, ent;
	double score;
};

/* What oc_solve runs: everything, except in benchmarks that compare. */
enum oc_method {
	OC_FULL,           /* relaxations, heuristics, then CBC */
	OC_CBC_ONLY,       /* CBC alone on each component, no start, no bounds */
	OC_NO_CBC,         /* relaxations and heuristics only */
};

struct oc_in {
	size_t nspecs, nents, npairs;
	const long long *supply;           /* [nspecs] available graduates */
	const long long *demand;           /* [nents] Σ headcount */
	const struct oc_pair *pairs;       /* by spec, then ent; no repeats */
	long long min_size, max_size;      /* 1 <= min_size <= max_size */
	double time_limit_ms;              /* > 0: wall time for the whole solve */
	const volatile int *cancel;        /* non-NULL and set: stop at once */
	enum oc_method method;             /* OC_FULL (0) */
};

struct oc_plan {
	long long *size;                   /* [npairs]: 0 or in [min, max] */
	long long students;                /* Σ size */
	double objective;                  /* Σ size × score */
	double bound;                      /* >= the optimum */
	int optimal;                       /* bound − objective <= 1e-6·max(1, obj) */
	int cancelled;                     /* stopped by *cancel: plan is partial */
	double solve_ms;
	/* how it went, for benchmarks and logs */
	size_t components;                 /* connected pieces solved apart */
	double lp_bound;                   /* the transportation relaxation */
	double lagrange_bound;             /* min(lp_bound, the Lagrangian's) */
	double heuristic;                  /* objective before CBC */
	int cbc_runs, cbc_killed;          /* CBC children, and those killed */
};

/*
 * Plan in (the plan is always feasible, the empty plan at worst).  Stops
 * at time_limit_ms with the best plan found and its bound (a few ms
 * later: a poll tick and reaping CBC's child); on *cancel likewise, with
 * cancelled set (within a poll tick of 20 ms, or the ~50 ms of a
 * 45,000-pair LP, which is not cut).  The same input gives the same plan unless the
 * time limit cut the search.  -1 on bad input, out then empty (size
 * NULL): min_size < 1 or > max_size, time_limit_ms not above 0, a pair
 * out of range or out of (spec, ent) order, a score above 1 or NaN,
 * Σ supply or Σ demand of 2e9 or more.  A failed fork costs only the
 * exact search.
 *
 * Threads: any number of solves may run at once.  Each runs CBC in a
 * child process of its own (fork; CBC's C interface is not known to be
 * thread-safe and cannot be interrupted), killed at the time limit or on
 * cancel; the child closes every inherited fd but its pipe, so a
 * daemon's sockets do not outlive their connections in it.  Memory: the
 * caller's about 115 bytes a pair at its peak, the LP's simplex (flow.h)
 * 80 of them (one 1,000,000-pair component: 131 MB resident, the input's
 * 16 bytes a pair included); the child's 7–9 KB a pair of the component
 * it solves (375 MB at 45,000 pairs).
 */
int oc_solve(const struct oc_in *in, struct oc_plan *out);
void oc_plan_free(struct oc_plan *p);

/*
 * The eligible pairs of specs × posts (docs/matching.md "Definitions"):
 * a pair's score is the best match_score ≥ min_score over the posts of
 * that enterprise (post_ent[j] is post j's enterprise index), pairs whose
 * major factor is 0 left out.  Returns the pairs by spec then ent in
 * *out (malloc'd), their number as the result.
 */
size_t oc_pairs(const struct match_weights *w, double min_score,
    const struct match_spec *specs, size_t nspecs,
    const struct match_post *posts, const uint32_t *post_ent, size_t nposts,
    size_t nents, struct oc_pair **out);

#endif
