/*
 * fair — the job-fair planners of docs/matching.md "Definitions": fair.allocate's
 * arcs, supplies, demands and exact allocation, and fair.schedule's booth
 * plan, both solved with the min-cost flow of flow.h.  Pure: the daemon
 * reads the fair's specialties and postings and hands them over as views.
 */
#ifndef CJ_FAIR_H
#define CJ_FAIR_H

#include "match.h"

/*
 * A fair as the planners see it.  specs: the fair schools' specialties,
 * `available` set for the grad year; posts: the fair's postings (of the
 * asked kinds), ids ascending.
 */
struct fair_in {
	const struct match_weights *w;
	double min_score;
	const struct match_dir *dirs;
	size_t ndirs;
	const struct match_spec *specs;
	size_t nspecs;
	const struct match_post *posts;
	size_t nposts;
};

/* An eligible (posting, direction) pair and its best specialty's score. */
struct fair_arc {
	size_t post, dir;
	double score;
};

/*
 * Every posting counts toward the demand of one direction, the one its
 * best arc goes to (highest score; a tie to the direction earlier in the
 * list), so Σ demand = the positions some direction can fill; reachable
 * counts it toward every direction it has an arc to.
 */
struct fair_plan {
	struct fair_arc *arcs;             /* by posting, then direction order */
	size_t narcs;
	unsigned long long *supply;        /* [ndirs] available graduates */
	unsigned long long *demand;        /* [ndirs] Σ headcount, best arc */
	unsigned long long *reachable;     /* [ndirs] Σ headcount, any arc */
	long long *flow;                   /* [narcs] allocated (fair_allocate) */
	long long placed;
	double objective, solve_ms;
};

/* Supplies, demands, reachables and arcs (fair.allocate's Definitions). */
void fair_arcs(const struct fair_in *in, struct fair_plan *out);
/*
 * fair_arcs, then the allocation placing the most graduates and, among
 * those, with the largest Σ count × score (exact).  -1 if the solver fails.
 */
int fair_allocate(const struct fair_in *in, struct fair_plan *out);
void fair_plan_free(struct fair_plan *p);

struct fair_session {
	struct match_str id;
	long long booths;
	const int *dirs;                   /* featured direction indexes */
	size_t ndirs;                      /* 0: all */
};

struct fair_ent {
	struct match_str id;
	long long wants;                   /* booth-sessions (requests, or 1) */
	struct match_str main_chain;       /* first of its chains; n 0 = none */
	const size_t *posts;               /* its postings: indexes into posts */
	size_t nposts;
};

struct fair_slot {
	size_t ent, session;
	const struct fair_ent *ep;
	int booth;
	double relevance;
};

/*
 * fair.schedule (docs/matching.md): slots for the most enterprises, then the
 * most wanted slots, then the most relevance, from arcs = fair_arcs at
 * min_score 0.  *slots (malloc'd) come by session, then booth: booths
 * 1..n in order of main chain (bytes; none last), then enterprise id.
 * score = Σ relevance.  -1 if the solver fails.
 */
int fair_schedule(const struct fair_in *in, const struct fair_plan *arcs,
    const struct fair_ent *ents, size_t nents, const struct fair_session *ss,
    size_t nss, struct fair_slot **slots, size_t *nslots, double *score);

#endif
