/*
 * orderclass — the order-class planner (orderclass.h).
 *
 * Pairs whose upper size ub = min(max_size, supply, demand) is below
 * min_size are dropped; the rest fall apart into connected components,
 * solved apart, smallest first, each in two phases.
 *
 * 1. Relaxations and heuristics (a school 10–60 ms, a 30,000-pair city
 *    ~0.6 s).  The LP relaxation is the transportation problem with
 *    capacities ub: flow.h solves it exactly in integers (scores ×1e9, as
 *    fair.c), and shortest paths in its residual network give optimal
 *    ent prices.  A plan from its flows (classes of m or more, then the
 *    smaller ones while m fits), greedy openings, and a local search that
 *    re-solves one spec — or one ent — at a time exactly over the room
 *    the others leave.  Then the Lagrangian relaxation of the ent rows,
 *    from the LP prices: per spec a knapsack of items taken at 0 or
 *    [m, u] units (DP with a sliding-window maximum, after dropping the
 *    items no optimum needs), subgradient steps; and, when the scores
 *    are tied (ties: real ones are), that of the spec rows, the same on
 *    the transposed problem from the LP's spec prices (per ent a
 *    knapsack).  Each bound is at or below the LP's; what the ent rows'
 *    misses is contention at ents (0.01–0.06% above the optimum on
 *    schools); the spec rows' is mostly weaker, not always.  Their
 *    subproblem solutions, repaired and searched, give most of the
 *    better plans (the spec rows' some the other misses), and their
 *    knapsack tables fix the pairs no plan better than the incumbent W
 *    can use: 85–95% of a school's.
 *    Real scores have two decimals but for a few (the capacity factor
 *    makes any fraction), and the fixing leaves mostly the two-decimal
 *    ones: a plan better than W uses only pairs left, so it is worth a
 *    multiple of g, their scores' gcd (0.005 or 0.01 there), and so
 *    W + g or more (least_better).  A bound below that proves W; fixing
 *    again at it fixes more, and may coarsen g.  The Lagrangians stop
 *    when they prove W so, when close to it, when θ is small, or — when
 *    CBC is to follow — when slow (at their rate 64 steps would not do).
 * 2. CBC on the pairs not fixed, started from the incumbent, in a child
 *    process (see cbc_run), for the component's share of the time left,
 *    with an objective increment of 0.9 of the least step to a better
 *    plan (g, or less while W is no multiple of g) and, when tied and at
 *    most 5,000 pairs, the Lagrangian cuts: at each relaxation's best
 *    prices, per spec (per ent) Σ (c − λ)·x over its pairs ≤ its
 *    knapsack's optimum.  They hold for every plan and make the LP at
 *    least as tight as both Lagrangians, so CBC's own cuts start where
 *    those end.
 *    Tuned on these problems: 5 root cut passes with the cuts (50
 *    without), none in the tree, no preprocessing, no primal heuristics.
 *
 * Why so, measured on a 2-core VM with bench/oc_bench --instance on 62
 * real-shaped schools (bench/oc_instance.py: examples/jinhua-fair and the
 * 20 schools of each of three seeds of bench/plans.sh's city store, each
 * against its county) and bench/orderclass.sh's shapes.  The Lagrangian
 * bound alone proves few schools; CBC on the few hundred pairs left but
 * without the cuts proves some in 30 ms and others not in minutes
 * (examples/jinhua-fair took 0.6 s, bench/plans.sh's a2 21 s, one
 * school was not proven in 340 s), from the incumbent or not, whatever
 * cut passes, branching or node order: the ties make its tree huge
 * unless the root is tight.  With the cuts its root comes within a node
 * or a few dozen of the proof: all 62 proven, median 2 ms, 90th
 * percentile 70, worst 0.3 s (before, 4 not in 10 s and 8 over 200
 * ms), examples/jinhua-fair in 40–60 ms (before 0.5–0.7 s), a2 (3,940
 * pairs) in 80–120 ms (before not in 10 s).  On untied scores
 * (bench/orderclass.sh's school: uniform at 1e-9) CBC's own cuts do as
 * well and ours slow its LPs, hence ties: 19 of 20 such schools proven
 * within 200 ms, median 41 ms, as before.  A 30,000-pair city: 0.04–
 * 0.05% in 10 s, a province's 54,000-pair cities in 60 s: 0.02%, both
 * as before.  Below ~0.3 ms a pair CBC does not get through its root,
 * so a component whose share is less keeps phase 1's answer; with the
 * cuts it did not get through a 25,000-pair root in 9 s, hence their
 * 5,000.
 */
#include "orderclass.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <coin/Cbc_C_Interface.h>

#include "flow.h"
#include "xalloc.h"

#define SCALE 1e9

/* A component whose knapsacks need more DP cells than this keeps the LP
 * bound (supplies of a few hundred need a few thousand per spec). */
#define LAG_CELLS ((size_t)1 << 24)

/* The spec rows' Lagrangian runs on tied components (ties) of at most
 * this many pairs (on a 337,000-pair city it took 0.4 s and 40 MB and
 * gave nothing the ent rows' had not). */
#define SPEC_ROWS_PAIRS 50000

/* CBC gets the Lagrangian cuts when its pairs are tied and at most this
 * many (on 25,000 it did not get through its root in 9 s with them). */
#define CUT_PAIRS 5000

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int stopped(const volatile int *cancel)
{
	return cancel && *cancel;
}

static long long min_ll(long long a, long long b)
{
	return a < b ? a : b;
}

/*
 * One connected component in local indexes.  Its pairs keep the input's
 * order (by spec, then ent), so a spec's pairs are contiguous.  Money is
 * in units of 1e-9 score: c = round(score·1e9), so every objective and
 * bound below is an exact integer.
 */
struct prob {
	int ns, ne, np;
	long long m;
	long long *cs, *ce;      /* supply [ns], demand [ne], cut to Σ ub */
	int *ps, *pe;            /* [np] the pair's local spec and ent */
	int64_t *c;              /* [np] */
	long long *ub;           /* [np] min(max_size, supply, demand) */
	uint32_t *gid;           /* [np] index in in->pairs (< 2^28) */
	int *sstart;             /* [ns + 1] spec i's pairs */
	int *estart, *eidx;      /* [ne + 1], [np] ent j's pairs */
	int *order;              /* [np] by c desc, then index */
};

static void prob_free(struct prob *p)
{
	free(p->cs);
	free(p->ce);
	free(p->ps);
	free(p->pe);
	free(p->c);
	free(p->ub);
	free(p->gid);
	free(p->sstart);
	free(p->estart);
	free(p->eidx);
	free(p->order);
	memset(p, 0, sizeof *p);
}

struct keyed {
	int64_t c;
	int k;
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->c != y->c)
		return x->c > y->c ? -1 : 1;
	return (x->k > y->k) - (x->k < y->k);
}

/* ---- the whole input: checks, eligible pairs, components ---- */

struct split {
	int32_t *ub;             /* [npairs]: 0 for a pair dropped (ub < 2^31
	                          * as Σ supply is) */
	size_t ncomp;
	size_t *cstart;          /* component q's pairs: cpair[cstart[q]..] */
	uint32_t *cpair;         /* (npairs < 2^28) */
	int *cspec_loc, *cent_loc;  /* scratch [nspecs], [nents], all -1 */
};

static uint32_t uf_find(uint32_t *up, uint32_t x)
{
	while (up[x] != x) {
		up[x] = up[up[x]];
		x = up[x];
	}
	return x;
}

static void split_free(struct split *sp)
{
	free(sp->ub);
	free(sp->cstart);
	free(sp->cpair);
	free(sp->cspec_loc);
	free(sp->cent_loc);
}

/* Components numbered by their first pair, so the split is deterministic. */
static void split_make(const struct oc_in *in, struct split *sp)
{
	size_t S = in->nspecs, N = S + in->nents;
	uint32_t *up = xmalloc((N + 1) * sizeof *up);
	size_t *cid = xmalloc((N + 1) * sizeof *cid);
	size_t *fill;

	sp->ub = xcalloc(in->npairs + 1, sizeof *sp->ub);
	for (size_t v = 0; v < N; v++) {
		up[v] = (uint32_t)v;
		cid[v] = (size_t)-1;
	}
	for (size_t k = 0; k < in->npairs; k++) {
		const struct oc_pair *q = &in->pairs[k];
		long long u = min_ll(in->max_size,
		    min_ll(in->supply[q->spec], in->demand[q->ent]));
		if (u < in->min_size || !(q->score > 0))
			continue;
		sp->ub[k] = (int32_t)u;
		uint32_t a = uf_find(up, q->spec), b = uf_find(up, (uint32_t)(S + q->ent));
		if (a != b)
			up[a > b ? a : b] = a < b ? a : b;
	}
	sp->ncomp = 0;
	for (size_t k = 0; k < in->npairs; k++)
		if (sp->ub[k]) {
			uint32_t r = uf_find(up, in->pairs[k].spec);
			if (cid[r] == (size_t)-1)
				cid[r] = sp->ncomp++;
		}
	sp->cstart = xcalloc(sp->ncomp + 2, sizeof *sp->cstart);
	sp->cpair = xmalloc((in->npairs + 1) * sizeof *sp->cpair);
	for (size_t k = 0; k < in->npairs; k++)
		if (sp->ub[k])
			sp->cstart[cid[uf_find(up, in->pairs[k].spec)] + 1]++;
	for (size_t q = 0; q < sp->ncomp; q++)
		sp->cstart[q + 1] += sp->cstart[q];
	fill = xcalloc(sp->ncomp + 1, sizeof *fill);
	for (size_t k = 0; k < in->npairs; k++)
		if (sp->ub[k]) {
			size_t q = cid[uf_find(up, in->pairs[k].spec)];
			sp->cpair[sp->cstart[q] + fill[q]++] = (uint32_t)k;
		}
	free(fill);
	free(up);
	free(cid);
	sp->cspec_loc = xmalloc((in->nspecs + 1) * sizeof *sp->cspec_loc);
	sp->cent_loc = xmalloc((in->nents + 1) * sizeof *sp->cent_loc);
	memset(sp->cspec_loc, 0xff, (in->nspecs + 1) * sizeof *sp->cspec_loc);
	memset(sp->cent_loc, 0xff, (in->nents + 1) * sizeof *sp->cent_loc);
}

/* The by-spec, by-ent and by-score indexes of p's pairs. */
static void prob_index(struct prob *p)
{
	size_t n = (size_t)p->np;
	int *fill = xcalloc((size_t)p->ne + 1, sizeof *fill);
	struct keyed *ord = xmalloc((n + 1) * sizeof *ord);

	p->sstart = xcalloc((size_t)p->ns + 2, sizeof *p->sstart);
	p->estart = xcalloc((size_t)p->ne + 2, sizeof *p->estart);
	p->eidx = xmalloc((n + 1) * sizeof *p->eidx);
	p->order = xmalloc((n + 1) * sizeof *p->order);
	for (size_t t = 0; t < n; t++) {
		p->sstart[p->ps[t] + 1]++;
		p->estart[p->pe[t] + 1]++;
	}
	for (int i = 0; i < p->ns; i++)
		p->sstart[i + 1] += p->sstart[i];
	for (int j = 0; j < p->ne; j++)
		p->estart[j + 1] += p->estart[j];
	for (size_t t = 0; t < n; t++)
		p->eidx[p->estart[p->pe[t]] + fill[p->pe[t]]++] = (int)t;
	for (size_t t = 0; t < n; t++) {
		ord[t].c = p->c[t];
		ord[t].k = (int)t;
	}
	qsort(ord, n, sizeof *ord, keyed_cmp);
	for (size_t t = 0; t < n; t++)
		p->order[t] = ord[t].k;
	free(ord);
	free(fill);
}

static void prob_alloc(struct prob *p, size_t n)
{
	p->np = (int)n;
	p->ps = xmalloc((n + 1) * sizeof *p->ps);
	p->pe = xmalloc((n + 1) * sizeof *p->pe);
	p->c = xmalloc((n + 1) * sizeof *p->c);
	p->ub = xmalloc((n + 1) * sizeof *p->ub);
	p->gid = xmalloc((n + 1) * sizeof *p->gid);
}

static void prob_make(const struct oc_in *in, struct split *sp, size_t q,
    struct prob *p)
{
	size_t a = sp->cstart[q], n = sp->cstart[q + 1] - a;

	memset(p, 0, sizeof *p);
	prob_alloc(p, n);
	p->m = in->min_size;
	for (size_t t = 0; t < n; t++) {
		size_t k = sp->cpair[a + t];
		const struct oc_pair *x = &in->pairs[k];
		if (sp->cspec_loc[x->spec] < 0)
			sp->cspec_loc[x->spec] = p->ns++;
		if (sp->cent_loc[x->ent] < 0)
			sp->cent_loc[x->ent] = p->ne++;
		p->ps[t] = sp->cspec_loc[x->spec];
		p->pe[t] = sp->cent_loc[x->ent];
		p->c[t] = llround(x->score * SCALE);
		p->ub[t] = sp->ub[k];
		p->gid[t] = (uint32_t)k;
	}
	p->cs = xcalloc((size_t)p->ns + 1, sizeof *p->cs);
	p->ce = xcalloc((size_t)p->ne + 1, sizeof *p->ce);
	for (size_t t = 0; t < n; t++) {
		p->cs[p->ps[t]] += p->ub[t];
		p->ce[p->pe[t]] += p->ub[t];
	}
	for (size_t t = 0; t < n; t++) {
		const struct oc_pair *x = &in->pairs[p->gid[t]];
		p->cs[p->ps[t]] = min_ll(p->cs[p->ps[t]], in->supply[x->spec]);
		p->ce[p->pe[t]] = min_ll(p->ce[p->pe[t]], in->demand[x->ent]);
	}
	for (size_t t = 0; t < n; t++) {
		const struct oc_pair *x = &in->pairs[p->gid[t]];
		sp->cspec_loc[x->spec] = -1;
		sp->cent_loc[x->ent] = -1;
	}
	prob_index(p);
}

/* p's pairs with keep[k] set, same specs, ents and capacities. */
static void prob_sub(const struct prob *p, const uint8_t *keep, struct prob *r)
{
	size_t n = 0;

	memset(r, 0, sizeof *r);
	for (int k = 0; k < p->np; k++)
		n += keep[k] != 0;
	prob_alloc(r, n);
	r->ns = p->ns;
	r->ne = p->ne;
	r->m = p->m;
	r->cs = xmalloc(((size_t)p->ns + 1) * sizeof *r->cs);
	r->ce = xmalloc(((size_t)p->ne + 1) * sizeof *r->ce);
	memcpy(r->cs, p->cs, (size_t)p->ns * sizeof *r->cs);
	memcpy(r->ce, p->ce, (size_t)p->ne * sizeof *r->ce);
	n = 0;
	for (int k = 0; k < p->np; k++) {
		if (!keep[k])
			continue;
		r->ps[n] = p->ps[k];
		r->pe[n] = p->pe[k];
		r->c[n] = p->c[k];
		r->ub[n] = p->ub[k];
		r->gid[n] = p->gid[k];
		n++;
	}
	prob_index(r);
}

static int64_t plan_value(const struct prob *p, const long long *x)
{
	int64_t w = 0;
	for (int k = 0; k < p->np; k++)
		w += (int64_t)x[k] * p->c[k];
	return w;
}

/* A bound without solving: each side's capacity at its best score. */
static int64_t trivial_bound(const struct prob *p)
{
	int64_t *bs = xcalloc((size_t)p->ns + 1, sizeof *bs);
	int64_t *be = xcalloc((size_t)p->ne + 1, sizeof *be);
	int64_t a = 0, b = 0;

	for (int k = 0; k < p->np; k++) {
		if (p->c[k] > bs[p->ps[k]])
			bs[p->ps[k]] = p->c[k];
		if (p->c[k] > be[p->pe[k]])
			be[p->pe[k]] = p->c[k];
	}
	for (int i = 0; i < p->ns; i++)
		a += bs[i] * p->cs[i];
	for (int j = 0; j < p->ne; j++)
		b += be[j] * p->ce[j];
	free(bs);
	free(be);
	return a < b ? a : b;
}

/* ---- transportation problems by min-cost flow ---- */

/*
 * Maximise Σ c·x over the pairs with cap[k] > 0, 0 ≤ x ≤ cap, each spec
 * giving at most rs[i] and each ent taking at most re[j]; x gets the
 * flows.  Returns Σ c·x, or -1 if the solver could not (out of range).
 * With lambda, also the ent prices of an optimal dual (see lp_duals).
 */
static int64_t transport(const struct prob *p, const long long *cap,
    const long long *rs, const long long *re, long long *x, int64_t *lambda);

/*
 * Ent prices λ ≥ 0 of an optimal dual of the transportation LP, from
 * the optimal flow: shortest distances φ in its residual network (from
 * a virtual root joined to every node, so all are reached; no negative
 * cycle at an optimum) satisfy φ(v) ≤ φ(u) + cost for each residual arc
 * u→v, and λ_j = max(0, φ(T) − φ(j)), u_i = φ(i) − φ(T) then meet the
 * dual constraints u_i + λ_j ≥ c_ij with complementary slackness, so
 * Σ λd + Σ per-spec fractional knapsacks at λ equals the LP optimum and
 * the Lagrangian started there is at or below the LP bound.  Bellman–
 * Ford with a queue; past a work cap λ stays 0 (still valid, weaker).
 */
static void lp_duals(const struct prob *p, const long long *cap,
    const long long *rs, const long long *re, const long long *x,
    int64_t *lambda)
{
	int V = 2 + p->ns + p->ne, S = 0, T = 1;
	size_t E = 2 * (size_t)p->np + 2 * (size_t)p->ns + 2 * (size_t)p->ne + 2;
	int *head = xmalloc(((size_t)V + 1) * sizeof *head);
	int *nxt = xmalloc(E * sizeof *nxt), *to = xmalloc(E * sizeof *to);
	int64_t *w = xmalloc(E * sizeof *w), *d = xmalloc((size_t)V * sizeof *d);
	long long *fs = xcalloc((size_t)p->ns + 1, sizeof *fs);
	long long *fe = xcalloc((size_t)p->ne + 1, sizeof *fe);
	int *queue = xmalloc(((size_t)V + 1) * sizeof *queue);
	char *inq = xmalloc((size_t)V);
	long long R = 0, sent = 0;
	size_t ne = 0, work = 0, cap_work = 64 * (E + (size_t)V);
	int qh = 0, qt = 0, ok = 1;

#define ARC(u, v, c) do { to[ne] = (v); w[ne] = (c); nxt[ne] = head[u]; \
		head[u] = (int)ne++; } while (0)
	for (int v = 0; v < V; v++)
		head[v] = -1;
	for (int k = 0; k < p->np; k++) {
		fs[p->ps[k]] += x[k];
		fe[p->pe[k]] += x[k];
		if (cap[k] <= 0)
			continue;
		int u = 2 + p->ps[k], v = 2 + p->ns + p->pe[k];
		if (x[k] < cap[k])
			ARC(u, v, -p->c[k]);
		if (x[k] > 0)
			ARC(v, u, p->c[k]);
	}
	for (int i = 0; i < p->ns; i++) {
		R += rs[i];
		sent += fs[i];
		if (fs[i] < rs[i])
			ARC(S, 2 + i, 0);
		if (fs[i] > 0)
			ARC(2 + i, S, 0);
	}
	for (int j = 0; j < p->ne; j++) {
		if (fe[j] < re[j])
			ARC(2 + p->ns + j, T, 0);
		if (fe[j] > 0)
			ARC(T, 2 + p->ns + j, 0);
	}
	ARC(S, T, 0);
	if (sent < R)
		ARC(T, S, 0);
#undef ARC
	for (int v = 0; v < V; v++) {
		d[v] = 0;
		queue[qt++] = v;
		inq[v] = 1;
	}
	/* a circular queue of V + 1 slots holds each node at most once */
	while (qh != qt && ok) {
		int u = queue[qh];
		qh = qh == V ? 0 : qh + 1;
		inq[u] = 0;
		for (int e = head[u]; e >= 0; e = nxt[e]) {
			int v = to[e];
			if (d[u] + w[e] < d[v]) {
				d[v] = d[u] + w[e];
				if (!inq[v]) {
					inq[v] = 1;
					queue[qt] = v;
					qt = qt == V ? 0 : qt + 1;
				}
			}
			if (++work > cap_work)
				ok = 0;
		}
	}
	for (int j = 0; j < p->ne; j++) {
		int64_t l = ok ? d[T] - d[2 + p->ns + j] : 0;
		lambda[j] = l > 0 ? l : 0;
	}
	free(head);
	free(nxt);
	free(to);
	free(w);
	free(d);
	free(fs);
	free(fe);
	free(queue);
	free(inq);
}

static int64_t transport(const struct prob *p, const long long *cap,
    const long long *rs, const long long *re, long long *x, int64_t *lambda)
{
	int S = 0, T = 1;
	struct flow *f = flow_new(2 + p->ns + p->ne);
	int *arc = xmalloc(((size_t)p->np + 1) * sizeof *arc);
	long long R = 0;
	int64_t w = -1;

	for (int i = 0; i < p->ns; i++)
		if (rs[i] > 0) {
			flow_arc(f, S, 2 + i, rs[i], 0);
			R += rs[i];
		}
	for (int k = 0; k < p->np; k++)
		arc[k] = cap[k] > 0 ? flow_arc(f, 2 + p->ps[k],
		    2 + p->ns + p->pe[k], cap[k], -p->c[k]) : -1;
	for (int j = 0; j < p->ne; j++)
		if (re[j] > 0)
			flow_arc(f, 2 + p->ns + j, T, re[j], 0);
	flow_arc(f, S, T, R, 0);
	flow_supply(f, S, R);
	flow_supply(f, T, -R);
	if (flow_solve(f) == FLOW_OPTIMAL) {
		for (int k = 0; k < p->np; k++)
			x[k] = arc[k] >= 0 ? flow_get(f, arc[k]) : 0;
		w = -flow_cost(f);
		if (lambda)
			lp_duals(p, cap, rs, re, x, lambda);
	}
	flow_free(f);
	free(arc);
	return w;
}

/* ---- plans: sizes for a set of open classes, greedy additions ---- */

/*
 * Scratch for one component: capacities left, and the knapsack tables
 * (ks_ok 0 when a row's table would pass LAG_CELLS: no knapsacks then).
 */
struct work {
	long long *rs, *re, *cap, *x2;
	uint8_t *open;
	int *cnt_s, *cnt_e;
	int ks_ok;
	int64_t *f0, *f1, *pr;
	long long *u, *t;
	int32_t *ch;
	int *dq, *item;
	struct keyed *srt;
	long long *topu;
	int *tmpi;
};

static void work_make(const struct prob *p, struct work *wk)
{
	size_t cells = 0, deg = 0;
	long long cmax = 0;

	memset(wk, 0, sizeof *wk);
	wk->rs = xmalloc(((size_t)p->ns + 1) * sizeof *wk->rs);
	wk->re = xmalloc(((size_t)p->ne + 1) * sizeof *wk->re);
	wk->cap = xmalloc(((size_t)p->np + 1) * sizeof *wk->cap);
	wk->x2 = xmalloc(((size_t)p->np + 1) * sizeof *wk->x2);
	wk->open = xmalloc((size_t)p->np + 1);
	wk->cnt_s = xmalloc(((size_t)p->ns + 1) * sizeof *wk->cnt_s);
	wk->cnt_e = xmalloc(((size_t)p->ne + 1) * sizeof *wk->cnt_e);
	for (int i = 0; i < p->ns; i++) {
		size_t d = (size_t)(p->sstart[i + 1] - p->sstart[i]);
		if (d * (size_t)(p->cs[i] + 1) > cells)
			cells = d * (size_t)(p->cs[i] + 1);
		deg = d > deg ? d : deg;
		cmax = p->cs[i] > cmax ? p->cs[i] : cmax;
	}
	for (int j = 0; j < p->ne; j++) {
		size_t d = (size_t)(p->estart[j + 1] - p->estart[j]);
		if (d * (size_t)(p->ce[j] + 1) > cells)
			cells = d * (size_t)(p->ce[j] + 1);
		deg = d > deg ? d : deg;
		cmax = p->ce[j] > cmax ? p->ce[j] : cmax;
	}
	if (cells > LAG_CELLS)
		return;
	wk->ks_ok = 1;
	wk->f0 = xmalloc(((size_t)cmax + 1) * sizeof *wk->f0);
	wk->f1 = xmalloc(((size_t)cmax + 1) * sizeof *wk->f1);
	wk->dq = xmalloc(((size_t)cmax + 1) * sizeof *wk->dq);
	wk->pr = xmalloc((deg + 1) * sizeof *wk->pr);
	wk->u = xmalloc((deg + 1) * sizeof *wk->u);
	wk->t = xmalloc((deg + 1) * sizeof *wk->t);
	wk->item = xmalloc((deg + 1) * sizeof *wk->item);
	wk->srt = xmalloc((deg + 1) * sizeof *wk->srt);
	wk->topu = xmalloc((deg + 1) * sizeof *wk->topu);
	wk->tmpi = xmalloc((deg + 1) * sizeof *wk->tmpi);
	wk->ch = xmalloc((cells + 1) * sizeof *wk->ch);
}

static void work_free(struct work *wk)
{
	free(wk->rs);
	free(wk->re);
	free(wk->cap);
	free(wk->x2);
	free(wk->open);
	free(wk->cnt_s);
	free(wk->cnt_e);
	free(wk->f0);
	free(wk->f1);
	free(wk->dq);
	free(wk->pr);
	free(wk->u);
	free(wk->t);
	free(wk->item);
	free(wk->srt);
	free(wk->topu);
	free(wk->tmpi);
	free(wk->ch);
}

static void sift(struct keyed *h, int n, int a)
{
	for (;;) {
		int b = 2 * a + 1;
		if (b >= n)
			return;
		if (b + 1 < n && keyed_cmp(&h[b + 1], &h[b]) < 0)
			b++;
		if (keyed_cmp(&h[a], &h[b]) <= 0)
			return;
		struct keyed v = h[a];
		h[a] = h[b];
		h[b] = v;
		a = b;
	}
}

/*
 * Drop the items no optimum needs: at most r = ⌊S/m⌋ items fit, so an
 * item b with r items before it (higher profit, or equal and a smaller
 * pair) whose u is at least b's has one of them unused in any optimum
 * holding b, and moving b's units there loses nothing.  Keeps the rest
 * in that order; returns their number.  Typically a spec's sixty pairs
 * become a handful, which is most of the knapsacks' speed.
 */
static int prune_items(struct work *wk, int n, long long S, long long m)
{
	long long r = S / m, umax = 0;
	int kept = 0, nt = 0, hn = n;
	struct keyed *h = wk->srt;

	/* a heap in (profit desc, pair) order, popped until every item
	 * left is dominated: r kept items with u at least the largest u */
	for (int t = 0; t < n; t++) {
		h[t].c = wk->pr[t];
		h[t].k = t;
		umax = wk->u[t] > umax ? wk->u[t] : umax;
	}
	for (int a = n / 2 - 1; a >= 0; a--)
		sift(h, n, a);
	while (hn > 0 && !(nt == r && wk->topu[0] >= umax)) {
		int t = h[0].k;
		long long u = wk->u[t];
		h[0] = h[--hn];
		sift(h, hn, 0);
		if (nt == r && wk->topu[0] >= u)
			continue;
		wk->tmpi[kept++] = t;
		/* topu: the r largest u kept so far, ascending */
		if (nt < r) {
			int b = nt++;
			while (b > 0 && wk->topu[b - 1] > u) {
				wk->topu[b] = wk->topu[b - 1];
				b--;
			}
			wk->topu[b] = u;
		} else if (u > wk->topu[0]) {
			int b = 0;
			while (b + 1 < nt && wk->topu[b + 1] < u) {
				wk->topu[b] = wk->topu[b + 1];
				b++;
			}
			wk->topu[b] = u;
		}
	}
	for (int a = 0; a < kept; a++) {
		int t = wk->tmpi[a];
		h[a].c = wk->pr[t];
		h[a].k = wk->item[t];
		wk->t[a] = wk->u[t];
	}
	for (int a = 0; a < kept; a++) {
		wk->pr[a] = h[a].c;
		wk->item[a] = h[a].k;
		wk->u[a] = wk->t[a];
	}
	return kept;
}

/*
 * One row's exact problem: n items, item t worth pr[t] per unit, taken
 * at 0 or at a size in [m, u[t]], total at most S:
 *   f'(c) = max(f(c), max_{m ≤ t ≤ u} f(c − t) + pr·t),
 * the inner max a sliding-window maximum of f(c') − pr·c' over
 * c' ∈ [c − u, c − m], so an item costs O(S).  (In an optimum at most
 * one item lies strictly between m and u — sort the chosen by profit and
 * move units up — which a faster method could use; these tables are a
 * small share of the time.)  Returns f(S), the sizes in wk->t and, with
 * f, the table f(0..S).
 */
static int64_t knapsack(struct work *wk, long long S, long long m, int n,
    const int64_t **f)
{
	int64_t *fo = wk->f0, *fn = wk->f1;
	int *dq = wk->dq;

	for (long long c = 0; c <= S; c++)
		fo[c] = 0;
	for (int it = 0; it < n; it++) {
		int32_t *row = wk->ch + (size_t)it * (size_t)(S + 1);
		long long ui = min_ll(wk->u[it], S);
		int64_t p = wk->pr[it];
		int h = 0, tl = 0;
		for (long long c = 0; c <= S; c++) {
			if (c >= m) {
				long long nc = c - m;
				int64_t key = fo[nc] - p * nc;
				while (tl > h && fo[dq[tl - 1]] - p * dq[tl - 1] <= key)
					tl--;
				dq[tl++] = (int)nc;
			}
			while (tl > h && dq[h] < c - ui)
				h++;
			int64_t best = fo[c];
			int32_t t = 0;
			if (tl > h) {
				int64_t v = fo[dq[h]] + p * (c - dq[h]);
				if (v > best) {
					best = v;
					t = (int32_t)(c - dq[h]);
				}
			}
			fn[c] = best;
			row[c] = t;
		}
		int64_t *sw = fo;
		fo = fn;
		fn = sw;
	}
	long long c = S;
	for (int it = n - 1; it >= 0; it--) {
		wk->t[it] = wk->ch[(size_t)it * (size_t)(S + 1) + (size_t)c];
		c -= wk->t[it];
	}
	if (f)
		*f = fo;
	return fo[S];
}

/*
 * Re-solve one row exactly: its pairs t in [from, to) (pair map[t], or t
 * itself without a map), capacity cap, its total in *own; each pair's
 * other side is other_of[k], with capacity other_cap and use other_used.
 * The row takes the best classes the other side's room allows (its
 * knapsack) when that is strictly better than what it has.  1 if it
 * changed.
 */
static int row_improve(const struct prob *p, struct work *wk, long long *x,
    int from, int to, const int *map, long long cap, long long *own,
    long long *other_used, const long long *other_cap, const int *other_of)
{
	int n = 0;
	long long S = 0;
	int64_t now = 0;

	for (int t = from; t < to; t++) {
		int k = map ? map[t] : t;
		long long room = other_cap[other_of[k]] - other_used[other_of[k]] + x[k];
		now += x[k] * p->c[k];
		if (min_ll(room, p->ub[k]) < p->m)
			continue;
		wk->item[n] = k;
		wk->pr[n] = p->c[k];
		wk->u[n] = min_ll(room, p->ub[k]);
		S += wk->u[n];
		n++;
	}
	S = min_ll(S, cap);
	if (n == 0 || S < p->m)
		return 0;
	n = prune_items(wk, n, S, p->m);
	if (knapsack(wk, S, p->m, n, NULL) <= now)
		return 0;
	for (int t = from; t < to; t++) {
		int k = map ? map[t] : t;
		other_used[other_of[k]] -= x[k];
		x[k] = 0;
	}
	*own = 0;
	for (int t = 0; t < n; t++) {
		x[wk->item[t]] = wk->t[t];
		other_used[other_of[wk->item[t]]] += wk->t[t];
		*own += wk->t[t];
	}
	return 1;
}

/*
 * Local search by exact rows: take one spec's classes out and give it
 * the best classes the ents' room left allows (its knapsack); then the
 * same for each ent over the specs' room.  A row changes only when that
 * is strictly better, so the passes end.  x stays feasible.  Returns its
 * value.
 */
static int64_t rows_search(const struct prob *p, struct work *wk, long long *x,
    double until, const volatile int *cancel)
{
	long long *cols = wk->re, *rows = wk->rs;
	int changed = 1;

	if (!wk->ks_ok)
		return plan_value(p, x);
	for (int pass = 0; changed && pass < 16; pass++) {
		changed = 0;
		if (now_ms() > until || stopped(cancel))
			break;
		memset(cols, 0, (size_t)p->ne * sizeof *cols);
		memset(rows, 0, (size_t)p->ns * sizeof *rows);
		for (int k = 0; k < p->np; k++) {
			cols[p->pe[k]] += x[k];
			rows[p->ps[k]] += x[k];
		}
		for (int i = 0; i < p->ns; i++)
			changed |= row_improve(p, wk, x, p->sstart[i], p->sstart[i + 1],
			    NULL, p->cs[i], &rows[i], cols, p->ce, p->pe);
		for (int j = 0; j < p->ne; j++)
			changed |= row_improve(p, wk, x, p->estart[j], p->estart[j + 1],
			    p->eidx, p->ce[j], &cols[j], rows, p->cs, p->ps);
	}
	return plan_value(p, x);
}

/*
 * The best sizes for the classes open[] (each then has m ≤ x ≤ ub, the
 * rest 0): every open class takes m, and what is left of each capacity
 * goes to the open classes by a transportation problem of the extras
 * (flows of a network with integer capacities are integer).  Returns the
 * plan's value, or -1 (x untouched) if the open classes cannot all get m.
 */
static int64_t polish(const struct prob *p, struct work *wk,
    const uint8_t *open, long long *x)
{
	int64_t base = 0, extra;

	for (int i = 0; i < p->ns; i++)
		wk->rs[i] = p->cs[i];
	for (int j = 0; j < p->ne; j++)
		wk->re[j] = p->ce[j];
	for (int k = 0; k < p->np; k++) {
		wk->cap[k] = open[k] ? p->ub[k] - p->m : 0;
		if (open[k]) {
			wk->rs[p->ps[k]] -= p->m;
			wk->re[p->pe[k]] -= p->m;
			base += p->m * p->c[k];
		}
	}
	for (int i = 0; i < p->ns; i++)
		if (wk->rs[i] < 0)
			return -1;
	for (int j = 0; j < p->ne; j++)
		if (wk->re[j] < 0)
			return -1;
	extra = transport(p, wk->cap, wk->rs, wk->re, wk->x2, NULL);
	if (extra < 0)
		return -1;
	for (int k = 0; k < p->np; k++)
		x[k] = open[k] ? p->m + wk->x2[k] : 0;
	return base + extra;
}

/* Open each closed pair, best score first, at the largest size the
 * capacities left allow when that is at least m.  Returns how many. */
static int greedy_open(const struct prob *p, struct work *wk, long long *x)
{
	int opened = 0;

	for (int i = 0; i < p->ns; i++)
		wk->rs[i] = p->cs[i];
	for (int j = 0; j < p->ne; j++)
		wk->re[j] = p->ce[j];
	for (int k = 0; k < p->np; k++) {
		wk->rs[p->ps[k]] -= x[k];
		wk->re[p->pe[k]] -= x[k];
	}
	for (int t = 0; t < p->np; t++) {
		int k = p->order[t];
		if (x[k])
			continue;
		long long s = min_ll(p->ub[k], min_ll(wk->rs[p->ps[k]], wk->re[p->pe[k]]));
		if (s < p->m)
			continue;
		x[k] = s;
		wk->rs[p->ps[k]] -= s;
		wk->re[p->pe[k]] -= s;
		opened++;
	}
	return opened;
}

/* Alternate greedy openings and polishing until no class opens; x is
 * feasible before and after.  Returns its value. */
static int64_t improve(const struct prob *p, struct work *wk, long long *x)
{
	for (int round = 0; round < 64 && greedy_open(p, wk, x); round++) {
		for (int k = 0; k < p->np; k++)
			wk->open[k] = x[k] > 0;
		polish(p, wk, wk->open, x);
	}
	return plan_value(p, x);
}

/*
 * Make open[] feasible for the ent rows (drop an ent's lowest-scoring
 * classes until m per class fits its demand; the spec rows are assumed
 * met), size it by polish and fill greedily.  Returns the value of the
 * plan left in x.
 */
static int64_t repair(const struct prob *p, struct work *wk, uint8_t *open,
    long long *x)
{
	for (int j = 0; j < p->ne; j++) {
		long long room = p->ce[j] / p->m;
		int n = 0;
		for (int t = p->estart[j]; t < p->estart[j + 1]; t++)
			n += open[p->eidx[t]];
		while (n > room) {
			int worst = -1;
			for (int t = p->estart[j]; t < p->estart[j + 1]; t++) {
				int k = p->eidx[t];
				if (open[k] && (worst < 0 || p->c[k] < p->c[worst] ||
				    (p->c[k] == p->c[worst] && k > worst)))
					worst = k;
			}
			open[worst] = 0;
			n--;
		}
	}
	if (polish(p, wk, open, x) < 0)
		memset(x, 0, (size_t)p->np * sizeof *x);
	return improve(p, wk, x);
}

/* B − W within a tenth of the tolerance the whole plan is judged by. */
static int closed(int64_t W, int64_t B)
{
	return (double)(B - W) <= 1e-7 * fmax(SCALE, (double)W);
}

/* ---- the Lagrangian relaxations ---- */

/*
 * L(λ) = Σ_j λ_j·d_j + Σ_i max{ Σ_j (c_ij − λ_j)·x_ij : Σ_j x_ij ≤ s_i,
 * x_ij ∈ {0} ∪ [m, ub_ij] } ≥ the optimum for every λ ≥ 0: per spec a
 * knapsack over the pairs of positive reduced profit.  On the transposed
 * problem (prob_transpose) the same relaxes the spec rows instead: per
 * ent a knapsack.
 */
struct lag {
	int64_t *lambda, *cmax;
	long long *xs;           /* [np] the subproblems' solution */
};

/* Spec i's items at lg->lambda in wk; their number, the capacity in *S. */
static int lag_items(const struct prob *p, struct work *wk, const struct lag *lg,
    int i, long long *S)
{
	int n = 0;

	*S = 0;
	for (int k = p->sstart[i]; k < p->sstart[i + 1]; k++) {
		int64_t pr = p->c[k] - lg->lambda[p->pe[k]];
		if (pr <= 0)
			continue;
		wk->item[n] = k;
		wk->pr[n] = pr;
		wk->u[n] = p->ub[k];
		*S += p->ub[k];
		n++;
	}
	*S = min_ll(*S, p->cs[i]);
	return *S >= p->m ? prune_items(wk, n, *S, p->m) : n;
}

/* L(λ), the subproblems' solution in lg->xs.  -1 when cancelled. */
static int64_t lag_eval(const struct prob *p, struct work *wk, struct lag *lg,
    const volatile int *cancel)
{
	int64_t L = 0;

	for (int j = 0; j < p->ne; j++)
		L += lg->lambda[j] * p->ce[j];
	memset(lg->xs, 0, (size_t)p->np * sizeof *lg->xs);
	for (int i = 0; i < p->ns; i++) {
		long long S;
		if ((i & 255) == 255 && stopped(cancel))
			return -1;
		int n = lag_items(p, wk, lg, i, &S);
		if (n == 0 || S < p->m)
			continue;
		L += knapsack(wk, S, p->m, n, NULL);
		for (int t = 0; t < n; t++)
			lg->xs[wk->item[t]] = wk->t[t];
	}
	return L;
}

/*
 * Pairs that no plan worth T or more can use, at λ = lg->lambda with
 * L(λ) = L: a plan with pair k (spec i) as a class is worth at most
 * L − f_i(S) + max_{m ≤ t ≤ u} (p_k·t + f_i(min(s_i − t, S))), f_i the
 * spec's knapsack table (it may hold k itself: still an upper bound).
 * Sets fix0[k] when that is below T; returns how many it set.
 */
static int lag_fix(const struct prob *p, struct work *wk, struct lag *lg,
    int64_t L, int64_t T, uint8_t *fix0)
{
	int fixed = 0;

	for (int i = 0; i < p->ns; i++) {
		long long S;
		const int64_t *f;
		int64_t zero = 0, fS = 0;
		int n = lag_items(p, wk, lg, i, &S);
		if (n > 0 && S >= p->m)
			fS = knapsack(wk, S, p->m, n, &f);
		else {
			f = &zero;
			S = 0;
		}
		for (int k = p->sstart[i]; k < p->sstart[i + 1]; k++) {
			int64_t pr = p->c[k] - lg->lambda[p->pe[k]], best = INT64_MIN;
			long long u = min_ll(p->ub[k], p->cs[i]);
			if (fix0[k])
				continue;
			for (long long t = p->m; t <= u; t++) {
				int64_t v = pr * t + f[min_ll(p->cs[i] - t, S)];
				if (v > best)
					best = v;
			}
			if (best != INT64_MIN && L - fS + best < T) {
				fix0[k] = 1;
				fixed++;
			}
		}
	}
	return fixed;
}

static int64_t gcd64(int64_t a, int64_t b)
{
	while (b) {
		int64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/*
 * The least value a plan better than W can have: such a plan uses no
 * pair of fix0 (each fixed pair is one that no plan above some earlier,
 * smaller W uses), so it is a multiple of g, the gcd of the scores of the
 * pairs left — with the two-decimal scores of real data 0.005 or 0.01,
 * which makes a bound within 1e-2 of W a proof.
 */
static int64_t least_better(const struct prob *p, const uint8_t *fix0,
    int64_t W, int64_t *gout)
{
	int64_t g = 0;

	for (int k = 0; k < p->np && g != 1; k++)
		if (!fix0[k])
			g = gcd64(p->c[k], g);
	if (g < 1)
		g = 1;
	if (gout)
		*gout = g;
	return (W / g + 1) * g;
}

struct lag_result {
	int64_t bound;           /* min over the λ tried */
	int iters;
};

/*
 * Subgradient descent on L from lambda0 (the LP's prices): step
 * θ·(L − W)/‖g‖², θ from 1 halved after 8 steps without a better bound;
 * stops when the bound is within the tolerance of the incumbent W or
 * below the least value a better plan can have (least_better, every 16
 * steps after fixing at the best λ so far), θ < 1/256, at `until` or on
 * cancel.  The subproblems' solutions, made feasible by repair and the
 * row search, improve x (value *W).  The best λ in best[ne]; fix0 gets
 * the pairs no plan better than W uses at it.
 */
static struct lag_result lagrange(const struct prob *p, struct work *wk,
    const int64_t *lambda0, long long *x, int64_t *W, double until,
    int brisk, const volatile int *cancel, uint8_t *fix0, int64_t *best)
{
	struct lag lg;
	struct lag_result r = { INT64_MAX, 0 };
	double theta = 1.0;
	int since = 0;
	int64_t mark = INT64_MAX;

	if (!wk->ks_ok)
		return r;
	long long *xt = xmalloc(((size_t)p->np + 1) * sizeof *xt);
	double *g = xmalloc(((size_t)p->ne + 1) * sizeof *g);
	lg.lambda = xmalloc(((size_t)p->ne + 1) * sizeof *lg.lambda);
	lg.cmax = xcalloc((size_t)p->ne + 1, sizeof *lg.cmax);
	lg.xs = xmalloc(((size_t)p->np + 1) * sizeof *lg.xs);
	for (int j = 0; j < p->ne; j++)
		lg.lambda[j] = lambda0 ? lambda0[j] : 0;
	for (int k = 0; k < p->np; k++)
		if (p->c[k] > lg.cmax[p->pe[k]])
			lg.cmax[p->pe[k]] = p->c[k];

	for (;;) {
		int64_t L = lag_eval(p, wk, &lg, cancel);
		if (L < 0)
			break;
		r.iters++;
		if (L < r.bound) {
			r.bound = L;
			memcpy(best, lg.lambda, (size_t)p->ne * sizeof *best);
			since = 0;
		} else if (++since >= 8) {
			theta /= 2;
			since = 0;
		}
		if (since == 0 || r.iters % 4 == 0) {
			for (int k = 0; k < p->np; k++)
				wk->open[k] = lg.xs[k] > 0;
			repair(p, wk, wk->open, xt);
			int64_t v = rows_search(p, wk, xt, until, cancel);
			if (v > *W) {
				*W = v;
				memcpy(x, xt, (size_t)p->np * sizeof *x);
			}
		}
		if (closed(*W, r.bound) || theta < 1.0 / 256 ||
		    now_ms() > until || stopped(cancel))
			break;
		if (r.iters % 16 == 0) {
			int64_t *now = lg.lambda;
			lg.lambda = best;
			lag_fix(p, wk, &lg, r.bound, *W + 1, fix0);
			lg.lambda = now;
			int64_t T = least_better(p, fix0, *W, NULL);
			if (r.bound < T)
				break;
			/* slow: at this rate 64 more steps would not reach T */
			if (brisk && r.iters % 32 == 0) {
				if (mark - r.bound < (r.bound - T) / 2)
					break;
				mark = r.bound;
			}
		}
		double norm = 0;
		for (int j = 0; j < p->ne; j++)
			g[j] = (double)p->ce[j];
		for (int k = 0; k < p->np; k++)
			g[p->pe[k]] -= (double)lg.xs[k];
		for (int j = 0; j < p->ne; j++) {
			if (lg.lambda[j] == 0 && g[j] > 0)
				g[j] = 0;
			norm += g[j] * g[j];
		}
		if (norm == 0)
			break;
		double step = theta * (double)(L - *W) / norm;
		for (int j = 0; j < p->ne; j++) {
			double l = (double)lg.lambda[j] - step * g[j];
			if (l < 0)
				l = 0;
			if (l > (double)lg.cmax[j])
				l = (double)lg.cmax[j];
			lg.lambda[j] = (int64_t)llround(l);
		}
	}
	if (r.bound < INT64_MAX && !stopped(cancel)) {
		memcpy(lg.lambda, best, (size_t)p->ne * sizeof *best);
		lag_fix(p, wk, &lg, r.bound, *W + 1, fix0);
	}
	free(lg.lambda);
	free(lg.cmax);
	free(lg.xs);
	free(xt);
	free(g);
	return r;
}

/* ---- Lagrangian cuts ---- */

/*
 * Rows Σ_k ax_k·x_k ≤ rhs over pairs.  At the ent prices λ, spec i's
 * Σ_k (c_k − λ_j)·x_k over its pairs is at most its knapsack's f_i in
 * every plan: a cut per spec, and with λ·(the ent rows) they sum to
 * L(λ), so the LP with them is at least as tight as the Lagrangian.
 * Those at the spec prices of the transposed problem, one per ent, make
 * it as tight as that one too, and tighter than either where they cut
 * apart.  CBC's own cuts then start from there.
 */
struct cuts {
	int n, nnz;
	int *start;              /* [n + 1] */
	int *pair;               /* [nnz] */
	double *ax, *rhs;        /* [nnz], [n] */
};

static void cuts_free(struct cuts *ct)
{
	free(ct->start);
	free(ct->pair);
	free(ct->ax);
	free(ct->rhs);
	memset(ct, 0, sizeof *ct);
}

/* A cut per spec of p (its rows with a pair) at the ent prices lambda; p's
 * pair k is pair map[k] of the cuts (k without map). */
static void cuts_add(struct cuts *ct, const struct prob *p,
    const int64_t *lambda, const int *map)
{
	struct work wk;
	struct lag lg;

	work_make(p, &wk);
	if (!wk.ks_ok) {
		work_free(&wk);
		return;
	}
	lg.lambda = (int64_t *)lambda;
	size_t rows = (size_t)ct->n + (size_t)p->ns + 1;
	size_t nnz = (size_t)ct->nnz + (size_t)p->np + 1;
	ct->start = xrealloc(ct->start, rows * sizeof *ct->start);
	ct->rhs = xrealloc(ct->rhs, rows * sizeof *ct->rhs);
	ct->pair = xrealloc(ct->pair, nnz * sizeof *ct->pair);
	ct->ax = xrealloc(ct->ax, nnz * sizeof *ct->ax);
	ct->start[ct->n] = ct->nnz;
	for (int i = 0; i < p->ns; i++) {
		long long S;
		int64_t f = 0;
		if (p->sstart[i] == p->sstart[i + 1])
			continue;
		int n = lag_items(p, &wk, &lg, i, &S);
		if (n > 0 && S >= p->m)
			f = knapsack(&wk, S, p->m, n, NULL);
		for (int k = p->sstart[i]; k < p->sstart[i + 1]; k++) {
			ct->pair[ct->nnz] = map ? map[k] : k;
			ct->ax[ct->nnz++] = (double)(p->c[k] - lambda[p->pe[k]]) / SCALE;
		}
		/* f is exact; the margin covers the LP's rounding */
		ct->rhs[ct->n] = (double)f / SCALE + 1e-7 * fmax(1, (double)f / SCALE);
		ct->start[++ct->n] = ct->nnz;
	}
	work_free(&wk);
}

/* ---- CBC in a child process ---- */

struct cbc_reply {
	int32_t solved;          /* CBC returned (a proof or a limit) */
	int32_t proven;          /* optimal within its gap */
	int32_t has_sol;
	int32_t pad;
	double bound;            /* its best possible objective (maximising) */
};

/*
 * The child's fds: the pipe on 3, /dev/null on 0-2, nothing else (a
 * daemon's sockets and other children's pipes must not stay open in
 * it), default dispositions for the signals a daemon handles, and death
 * with the forking thread.  Only async-signal-safe calls: the parent may
 * have other threads.
 */
static void child_setup(int fd, pid_t parent)
{
	struct sigaction sa;
	sigset_t all;
	int nul;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (fd != 3) {
		if (dup2(fd, 3) < 0)
			_exit(1);
		close(fd);
	}
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 4u, ~0u, 0u) != 0)
#endif
		for (int i = 4; i < 4096; i++)
			close(i);
	nul = open("/dev/null", O_RDWR);
	if (nul >= 0) {
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		if (nul > 3)
			close(nul);
	}
}

static void write_all(int fd, const void *buf, size_t n)
{
	const char *b = buf;
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(1);
		b += w;
		n -= (size_t)w;
	}
}

/* "12.345": seconds to the millisecond, without stdio (see child_setup) */
static void fmt_seconds(char *buf, double seconds)
{
	long long ms = llround(seconds * 1e3), div = 1;
	char *b = buf;

	if (ms < 1)
		ms = 1;
	while (div * 10 <= ms / 1000)
		div *= 10;
	for (long long v = ms / 1000; div > 0; div /= 10)
		*b++ = (char)('0' + v / div % 10);
	*b++ = '.';
	*b++ = (char)('0' + ms / 100 % 10);
	*b++ = (char)('0' + ms / 10 % 10);
	*b++ = (char)('0' + ms % 10);
	*b = 0;
}

/* "0.004999999": u units of 1e-9 (u ≥ 0), without stdio either */
static void fmt_units(char *buf, int64_t u)
{
	int64_t whole = u / 1000000000, div = 1;
	char *b = buf;

	while (div * 10 <= whole)
		div *= 10;
	for (; div > 0; div /= 10)
		*b++ = (char)('0' + whole / div % 10);
	*b++ = '.';
	for (int64_t d = 100000000; d > 0; d /= 10)
		*b++ = (char)('0' + u % 1000000000 / d % 10);
	*b = 0;
}

/*
 * The MIP: x_k continuous in [0, ub_k], y_k binary, m·y_k ≤ x_k ≤
 * ub_k·y_k, the spec and ent rows, the cuts ct, maximise Σ score·x.  x
 * need not be declared integer: for fixed y the rest is a network flow
 * with integer data, and the parent sizes y's classes exactly (polish).
 * With inc of 1e-6 or more (units of 1e-9), CBC's objective increment:
 * it may drop what cannot beat its best by that.  With x0, that plan is CBC's start and CBC runs as tuned on
 * these problems (bench/orderclass.sh, bench/oc_instance.py): root cut
 * passes — 5 with the Lagrangian cuts (more only found the proof later,
 * 3–8 alike; 12–50 passes took 5 s on one school of the 34 CBC saw),
 * 50 without —, none in the tree, no preprocessing, no primal
 * heuristics (the start is good); without, CBC's defaults.  Writes a
 * cbc_reply and one byte per pair (y) to fd 3.
 */
static void cbc_child(const struct prob *p, const long long *x0,
    const struct cuts *ct, int64_t inc, double seconds)
{
	int np = p->np, ncol = 2 * np, nrow = p->ns + p->ne + 2 * np + ct->n;
	CoinBigIndex *start = xmalloc(((size_t)ncol + 1) * sizeof *start);
	size_t nz = 6 * (size_t)np + (size_t)ct->nnz + 1;
	int *idx = xmalloc(nz * sizeof *idx);
	double *val = xmalloc(nz * sizeof *val);
	int *at = xcalloc((size_t)np + 2, sizeof *at);
	int *crow = xmalloc(((size_t)ct->nnz + 1) * sizeof *crow);
	double *cval = xmalloc(((size_t)ct->nnz + 1) * sizeof *cval);
	double *cl = xcalloc((size_t)ncol + 1, sizeof *cl);
	double *cu = xmalloc(((size_t)ncol + 1) * sizeof *cu);
	double *obj = xcalloc((size_t)ncol + 1, sizeof *obj);
	double *rl = xmalloc(((size_t)nrow + 1) * sizeof *rl);
	double *ru = xmalloc(((size_t)nrow + 1) * sizeof *ru);
	uint8_t *y = xcalloc((size_t)np + 1, 1);
	int link = p->ns + p->ne, cut0 = link + 2 * np, e = 0;
	char sec[32];
	struct cbc_reply rep;
	Cbc_Model *mdl;

	/* the cuts by pair (columns), in row order */
	for (int t = 0; t < ct->nnz; t++)
		at[ct->pair[t] + 1]++;
	for (int k = 0; k < np; k++)
		at[k + 1] += at[k];
	for (int r = 0; r < ct->n; r++)
		for (int t = ct->start[r]; t < ct->start[r + 1]; t++) {
			int w = at[ct->pair[t]]++;
			crow[w] = cut0 + r;
			cval[w] = ct->ax[t];
		}
	for (int k = np; k > 0; k--)
		at[k] = at[k - 1];
	at[0] = 0;
	for (int k = 0; k < np; k++) {
		start[k] = e;
		idx[e] = p->ps[k];
		val[e++] = 1;
		idx[e] = p->ns + p->pe[k];
		val[e++] = 1;
		idx[e] = link + k;
		val[e++] = 1;
		idx[e] = link + np + k;
		val[e++] = 1;
		for (int t = at[k]; t < at[k + 1]; t++) {
			idx[e] = crow[t];
			val[e++] = cval[t];
		}
		cu[k] = (double)p->ub[k];
		obj[k] = (double)p->c[k] / SCALE;
	}
	for (int k = 0; k < np; k++) {
		start[np + k] = e;
		idx[e] = link + k;
		val[e++] = -(double)p->ub[k];
		idx[e] = link + np + k;
		val[e++] = -(double)p->m;
		cu[np + k] = 1;
	}
	start[ncol] = e;
	for (int r = 0; r < nrow; r++) {
		rl[r] = -DBL_MAX;
		ru[r] = DBL_MAX;
	}
	for (int i = 0; i < p->ns; i++)
		ru[i] = (double)p->cs[i];
	for (int j = 0; j < p->ne; j++)
		ru[p->ns + j] = (double)p->ce[j];
	for (int k = 0; k < np; k++) {
		ru[link + k] = 0;
		rl[link + np + k] = 0;
	}
	for (int r = 0; r < ct->n; r++)
		ru[cut0 + r] = ct->rhs[r];
	mdl = Cbc_newModel();
	Cbc_loadProblem(mdl, ncol, nrow, start, idx, val, cl, cu, obj, rl, ru);
	for (int k = 0; k < np; k++)
		Cbc_setInteger(mdl, np + k);
	Cbc_setObjSense(mdl, -1);
	Cbc_setLogLevel(mdl, 0);
	Cbc_setParameter(mdl, "log", "0");
	Cbc_setParameter(mdl, "slog", "0");
	Cbc_setParameter(mdl, "timeMode", "elapsed");
	fmt_seconds(sec, seconds);
	Cbc_setParameter(mdl, "sec", sec);
	/* within 5e-7: with the parent's margin still inside 1e-6 */
	Cbc_setParameter(mdl, "ratioGap", "5e-7");
	if (inc >= 1000) {
		char buf[32];
		fmt_units(buf, inc);
		Cbc_setParameter(mdl, "increment", buf);
	}
	if (x0) {
		int *ci = xmalloc(((size_t)ncol + 1) * sizeof *ci);
		double *cv = xmalloc(((size_t)ncol + 1) * sizeof *cv);
		for (int k = 0; k < np; k++) {
			ci[k] = k;
			cv[k] = (double)x0[k];
			ci[np + k] = np + k;
			cv[np + k] = x0[k] > 0;
		}
		Cbc_setMIPStartI(mdl, ncol, ci, cv);
		Cbc_setParameter(mdl, "passC", ct->n ? "5" : "50");
		Cbc_setParameter(mdl, "passT", "0");
		Cbc_setParameter(mdl, "preprocess", "off");
		Cbc_setParameter(mdl, "heur", "off");
	}
	Cbc_solve(mdl);
	memset(&rep, 0, sizeof rep);
	rep.solved = !Cbc_isAbandoned(mdl);
	rep.proven = Cbc_isProvenOptimal(mdl);
	const double *sol = Cbc_bestSolution(mdl);
	rep.has_sol = sol != NULL;
	rep.bound = Cbc_getBestPossibleObjValue(mdl);
	for (int k = 0; sol && k < np; k++)
		y[k] = sol[np + k] > 0.5;
	write_all(3, &rep, sizeof rep);
	write_all(3, y, (size_t)np);
	_exit(0);
}

/*
 * Run cbc_child in a fork and wait for its reply, polling every 20 ms
 * for cancel and for kill_at (then SIGKILL), and reap it.  0 with *rep
 * and y filled, 1 if cancelled, -1 if no reply (fork failed, killed,
 * died).  The caller may have other threads: the child calls only CBC,
 * malloc (fork-safe in glibc), write and _exit, and should CBC still
 * block on a lock another thread held at the fork, the kill ends it.
 */
static int cbc_run(const struct prob *p, const long long *x0,
    const struct cuts *ct, int64_t inc, double seconds, double kill_at,
    const volatile int *cancel, struct cbc_reply *rep, uint8_t *y)
{
	int fds[2], rc = -1, status;
	size_t need = sizeof *rep + (size_t)p->np, got = 0;
	char *buf;
	pid_t pid, parent = getpid();

	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child_setup(fds[1], parent);
		cbc_child(p, x0, ct, inc, seconds);
	}
	close(fds[1]);
	buf = xmalloc(need);
	for (;;) {
		if (stopped(cancel)) {
			rc = 1;
			break;
		}
		if (now_ms() > kill_at)
			break;
		struct pollfd pf = { .fd = fds[0], .events = POLLIN };
		int r = poll(&pf, 1, 20);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		ssize_t n = read(fds[0], buf + got, need - got);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == need) {
			rc = 0;
			break;
		}
	}
	/* done or not, the child is of no more use: a reply is whole */
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	close(fds[0]);
	if (rc == 0) {
		memcpy(rep, buf, sizeof *rep);
		memcpy(y, buf + sizeof *rep, (size_t)p->np);
	}
	free(buf);
	return rc;
}

/* ---- the solve ---- */

/*
 * A plan from the LP's flows: its classes of m or more, then those
 * below m, largest first, as the capacities left allow m each; sized by
 * polish (x stays 0 if that fails).
 */
static void lp_start(const struct prob *p, struct work *wk, const long long *fx,
    long long *x)
{
	struct keyed *small = xmalloc(((size_t)p->np + 1) * sizeof *small);
	int n = 0;

	memset(wk->cnt_s, 0, (size_t)p->ns * sizeof *wk->cnt_s);
	memset(wk->cnt_e, 0, (size_t)p->ne * sizeof *wk->cnt_e);
	for (int k = 0; k < p->np; k++) {
		wk->open[k] = fx[k] >= p->m;
		wk->cnt_s[p->ps[k]] += wk->open[k];
		wk->cnt_e[p->pe[k]] += wk->open[k];
		if (fx[k] > 0 && fx[k] < p->m) {
			small[n].c = fx[k] * p->c[k];
			small[n++].k = k;
		}
	}
	qsort(small, (size_t)n, sizeof *small, keyed_cmp);
	for (int t = 0; t < n; t++) {
		int k = small[t].k;
		if (p->m * (wk->cnt_s[p->ps[k]] + 1) <= p->cs[p->ps[k]] &&
		    p->m * (wk->cnt_e[p->pe[k]] + 1) <= p->ce[p->pe[k]]) {
			wk->open[k] = 1;
			wk->cnt_s[p->ps[k]]++;
			wk->cnt_e[p->pe[k]]++;
		}
	}
	free(small);
	if (polish(p, wk, wk->open, x) < 0)
		memset(x, 0, (size_t)p->np * sizeof *x);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/*
 * Whether p's scores are tied: at most half as many values as pairs.
 * Real ones are (a school's few thousand pairs have 60–150 values, the
 * few hundred CBC gets 10–20); then CBC's tree is huge unless its root
 * is tight, and the spec rows' Lagrangian and the cuts pay.  Untied ones
 * (bench/oc_bench's shapes: uniform scores at 1e-9) CBC proves as fast
 * from its own cuts, and ours only slow its LPs (2× on those schools).
 */
static int ties(const struct prob *p)
{
	int64_t *v = xmalloc(((size_t)p->np + 1) * sizeof *v);
	int n = 0;

	memcpy(v, p->c, (size_t)p->np * sizeof *v);
	qsort(v, (size_t)p->np, sizeof *v, cmp_i64);
	for (int k = 0; k < p->np; k++)
		n += k == 0 || v[k] != v[k - 1];
	free(v);
	return 2 * n <= p->np;
}

/* A component's state between the phases. */
struct comp {
	size_t q;                /* index in the split */
	int np;
	int64_t W, B;            /* its plan's value, its bound */
	int64_t g;               /* plans better than W are multiples of g */
	int64_t *ent_price;      /* [ne] the best λ of the ent rows, or NULL */
	int64_t *spec_price;     /* [ns] of the spec rows, or NULL */
};

/*
 * p with specs and ents swapped: its pair t is p's pair p->eidx[t], so
 * its specs' pairs are contiguous again.
 */
static void prob_transpose(const struct prob *p, struct prob *r)
{
	memset(r, 0, sizeof *r);
	prob_alloc(r, (size_t)p->np);
	r->ns = p->ne;
	r->ne = p->ns;
	r->m = p->m;
	r->cs = xmalloc(((size_t)p->ne + 1) * sizeof *r->cs);
	r->ce = xmalloc(((size_t)p->ns + 1) * sizeof *r->ce);
	memcpy(r->cs, p->ce, (size_t)p->ne * sizeof *r->cs);
	memcpy(r->ce, p->cs, (size_t)p->ns * sizeof *r->ce);
	for (int t = 0; t < p->np; t++) {
		int k = p->eidx[t];
		r->ps[t] = p->pe[k];
		r->pe[t] = p->ps[k];
		r->c[t] = p->c[k];
		r->ub[t] = p->ub[k];
		r->gid[t] = p->gid[k];
	}
	prob_index(r);
}

/* Fix (in fix0) at the prices lambda of p's relaxed rows what no plan
 * worth T or more uses; how many it fixed. */
static int refix(const struct prob *p, struct work *wk, const int64_t *lambda,
    int64_t T, uint8_t *fix0)
{
	struct lag lg;
	int n = 0;

	lg.lambda = (int64_t *)lambda;
	lg.xs = xmalloc(((size_t)p->np + 1) * sizeof *lg.xs);
	int64_t L = lag_eval(p, wk, &lg, NULL);
	if (L >= 0)
		n = lag_fix(p, wk, &lg, L, T, fix0);
	free(lg.xs);
	return n;
}

/*
 * The spec rows' Lagrangian, on tp (p transposed): per ent knapsacks,
 * from the spec prices of tp's LP.  Its plans improve x (value c->W),
 * its bound c->B; what it fixes goes into fix0, its best prices into
 * c->spec_price.
 */
static void spec_rows(const struct prob *p, const struct prob *tp,
    struct work *wk, struct comp *c, long long *x, uint8_t *fix0,
    double until, int brisk, const volatile int *cancel)
{
	size_t n = (size_t)tp->np;
	long long *tx = xmalloc((n + 1) * sizeof *tx);
	long long *fx = xmalloc((n + 1) * sizeof *fx);
	uint8_t *tfix = xmalloc(n + 1);
	int64_t *lam = xmalloc(((size_t)tp->ne + 1) * sizeof *lam);
	int64_t *best = xcalloc((size_t)tp->ne + 1, sizeof *best);
	int64_t W = c->W;

	for (size_t t = 0; t < n; t++) {
		tx[t] = x[p->eidx[t]];
		tfix[t] = fix0[p->eidx[t]];
	}
	int64_t lp = transport(tp, tp->ub, tp->cs, tp->ce, fx, lam);
	struct lag_result lr = lagrange(tp, wk, lp >= 0 ? lam : NULL, tx, &W,
	    until, brisk, cancel, tfix, best);
	if (W > c->W) {
		c->W = W;
		for (size_t t = 0; t < n; t++)
			x[p->eidx[t]] = tx[t];
	}
	if (lr.bound < c->B)
		c->B = lr.bound;
	for (size_t t = 0; t < n; t++)
		fix0[p->eidx[t]] |= tfix[t];
	if (lr.bound < INT64_MAX)
		c->spec_price = best;
	else
		free(best);
	free(tx);
	free(fx);
	free(tfix);
	free(lam);
}

static int by_size(const void *a, const void *b)
{
	const struct comp *x = a, *y = b;
	if (x->np != y->np)
		return x->np < y->np ? -1 : 1;
	return (x->q > y->q) - (x->q < y->q);
}

struct run {
	const struct oc_in *in;
	struct oc_plan *out;
	struct split sp;
	uint8_t *fixed;          /* [npairs]: no plan better than W uses it */
	double deadline;
	int64_t lp, lag, heur;   /* Σ over components, for out */
};

/*
 * The fast phase on one component: the LP bound and its prices, a plan
 * from the LP, the row search, then the Lagrangians of the ent rows and
 * (tied, up to SPEC_ROWS_PAIRS pairs) of the spec rows, until `until` (or
 * sooner when slow and brisk: CBC is to follow), for tighter bounds,
 * better plans, the pairs they fix and the prices of the cuts; then the
 * fixing again at the least value a better plan can have, and the proof
 * when the bound is below it.  Out of time, a greedy plan and the
 * trivial bound.
 */
static void relax(struct run *R, struct comp *c, double until, int brisk)
{
	const volatile int *cancel = R->in->cancel;
	struct prob p;
	struct work wk;
	long long *x, *fx;
	int64_t *lam, lp;
	uint8_t *fix0;

	prob_make(R->in, &R->sp, c->q, &p);
	memset(&wk, 0, sizeof wk);
	x = fx = NULL;
	lam = xmalloc(((size_t)p.ne + 1) * sizeof *lam);
	fix0 = xcalloc((size_t)p.np + 1, 1);
	c->B = trivial_bound(&p);
	if (R->in->method == OC_CBC_ONLY) {
		R->lp += c->B;
		R->lag += c->B;
		goto done;
	}
	if (stopped(cancel) || now_ms() > R->deadline) {
		R->lp += c->B;
		R->lag += c->B;
		x = xcalloc((size_t)p.np + 1, sizeof *x);
		work_make(&p, &wk);
		greedy_open(&p, &wk, x);
		goto fill;
	}
	/* the LP before the rest: the simplex's peak is the solve's (~80 of
	 * its ~180 bytes a pair) */
	fx = xmalloc(((size_t)p.np + 1) * sizeof *fx);
	lp = transport(&p, p.ub, p.cs, p.ce, fx, lam);
	x = xcalloc((size_t)p.np + 1, sizeof *x);
	work_make(&p, &wk);
	if (lp >= 0) {
		c->B = lp < c->B ? lp : c->B;
		lp_start(&p, &wk, fx, x);
	}
	free(fx);
	fx = NULL;
	improve(&p, &wk, x);
	rows_search(&p, &wk, x, until, cancel);
	c->W = plan_value(&p, x);
	R->lp += c->B;
	if (!closed(c->W, c->B) && !stopped(cancel) && wk.ks_ok) {
		struct prob tp;
		struct work twk;
		int64_t T;
		int64_t *best = xcalloc((size_t)p.ne + 1, sizeof *best);
		struct lag_result lr = lagrange(&p, &wk, lp >= 0 ? lam : NULL,
		    x, &c->W, until, brisk, cancel, fix0, best);
		if (lr.bound < c->B)
			c->B = lr.bound;
		if (lr.bound < INT64_MAX)
			c->ent_price = best;
		else
			free(best);
		memset(&tp, 0, sizeof tp);
		memset(&twk, 0, sizeof twk);
		T = least_better(&p, fix0, c->W, &c->g);
		if (!closed(c->W, c->B) && c->B >= T && !stopped(cancel) &&
		    p.np <= SPEC_ROWS_PAIRS && ties(&p)) {
			prob_transpose(&p, &tp);
			work_make(&tp, &twk);
			spec_rows(&p, &tp, &twk, c, x, fix0, until, brisk, cancel);
		}
		/* fix again at the least value of a better plan, which the
		 * fixing may raise (a coarser g) */
		for (int round = 0; round < 3 && !stopped(cancel); round++) {
			int n = 0;
			T = least_better(&p, fix0, c->W, &c->g);
			if (c->B < T || closed(c->W, c->B))
				break;
			if (c->ent_price)
				n += refix(&p, &wk, c->ent_price, T, fix0);
			if (c->spec_price) {
				uint8_t *tfix = xmalloc((size_t)tp.np + 1);
				for (int t = 0; t < tp.np; t++)
					tfix[t] = fix0[p.eidx[t]];
				n += refix(&tp, &twk, c->spec_price, T, tfix);
				for (int t = 0; t < tp.np; t++)
					fix0[p.eidx[t]] |= tfix[t];
				free(tfix);
			}
			if (n == 0)
				break;
		}
		T = least_better(&p, fix0, c->W, &c->g);
		if (c->B < T)
			c->B = c->W;
		else if (c->B / c->g * c->g > c->W)
			c->B = c->B / c->g * c->g;
		/* the incumbent's pairs stay, for CBC's start */
		for (int k = 0; k < p.np; k++)
			R->fixed[p.gid[k]] = fix0[k] && !x[k];
		work_free(&twk);
		prob_free(&tp);
	}
	R->lag += c->B;
fill:
	c->W = plan_value(&p, x);
	if (c->B < c->W)
		c->B = c->W;
	R->heur += c->W;
	for (int k = 0; k < p.np; k++)
		R->out->size[p.gid[k]] = x[k];
done:
	free(x);
	free(fx);
	free(lam);
	free(fix0);
	work_free(&wk);
	prob_free(&p);
}

/*
 * The exact phase on one component: CBC over the pairs not fixed (and
 * the incumbent's, its start), with the Lagrangian cuts when tied and
 * at most CUT_PAIRS, in a child, for `budget` ms; its classes replace
 * the plan when better, and its bound (over plans without a fixed pair;
 * those are worth W at most) tightens B.
 */
static void exact(struct run *R, struct comp *c, double budget)
{
	struct oc_plan *out = R->out;
	struct prob full, p;
	struct work wk;
	struct cbc_reply rep;
	struct cuts ct;
	uint8_t *keep, *y;
	long long *x;
	double now = now_ms();
	int rc;

	prob_make(R->in, &R->sp, c->q, &full);
	keep = xmalloc((size_t)full.np + 1);
	for (int k = 0; k < full.np; k++)
		keep[k] = !R->fixed[full.gid[k]];
	prob_sub(&full, keep, &p);
	free(keep);
	prob_free(&full);
	/* Below about 0.3 ms a pair CBC does not get through its root
	 * (measured from 2,400 to 45,000 pairs); CBC alone is let try. */
	if (budget < 20 || (R->in->method == OC_FULL && budget < 0.3 * p.np)) {
		prob_free(&p);
		return;
	}
	work_make(&p, &wk);
	x = xmalloc(((size_t)p.np + 1) * sizeof *x);
	y = xmalloc((size_t)p.np + 1);
	for (int k = 0; k < p.np; k++)
		x[k] = out->size[p.gid[k]];
	memset(&ct, 0, sizeof ct);
	int cut = p.np <= CUT_PAIRS && ties(&p);
	if (c->ent_price && cut)
		cuts_add(&ct, &p, c->ent_price, NULL);
	if (c->spec_price && cut) {
		struct prob tp;
		prob_transpose(&p, &tp);
		cuts_add(&ct, &tp, c->spec_price, p.eidx);
		prob_free(&tp);
	}
	/* a plan better than W is worth least_better or more, and W's
	 * successors are multiples of g: 0.9 of the least step (the margin
	 * keeps a node worth exactly that clear of CBC's tolerances) */
	int64_t inc = ((c->W / c->g + 1) * c->g - c->W) / 10 * 9;
	rc = cbc_run(&p, R->in->method == OC_CBC_ONLY ? NULL : x, &ct, inc,
	    (budget * 0.85 - 10) / 1e3, now + budget, R->in->cancel, &rep, y);
	out->cbc_runs++;
	if (rc < 0)
		out->cbc_killed++;
	if (rc == 0 && rep.solved) {
		if (rep.has_sol && polish(&p, &wk, y, x) > c->W) {
			c->W = plan_value(&p, x);
			for (int k = 0; k < p.np; k++)
				out->size[p.gid[k]] = x[k];
		}
		/* a floating LP value: a margin far below the tolerance keeps
		 * it above the optimum */
		double b = rep.bound * SCALE;
		b += 1e-7 * fmax(SCALE, fabs(b));
		if (isfinite(b) && b < (double)c->B)
			c->B = (int64_t)ceil(b);
		if (c->B < c->W)
			c->B = c->W;
	}
	cuts_free(&ct);
	free(y);
	free(x);
	work_free(&wk);
	prob_free(&p);
}

static int valid(const struct oc_in *in)
{
	double sup = 0, dem = 0;

	if (in->min_size < 1 || in->min_size > in->max_size ||
	    !(in->time_limit_ms > 0) || in->npairs >= (size_t)1 << 28 ||
	    in->nspecs + in->nents >= (size_t)1 << 31)
		return 0;
	if ((in->npairs && !in->pairs) || (in->nspecs && !in->supply) ||
	    (in->nents && !in->demand))
		return 0;
	for (size_t k = 0; k < in->npairs; k++) {
		const struct oc_pair *q = &in->pairs[k], *r = q - 1;
		if (q->spec >= in->nspecs || q->ent >= in->nents ||
		    !(q->score <= 1))
			return 0;
		/* a spec's pairs must be contiguous (struct prob) */
		if (k && (q->spec < r->spec ||
		    (q->spec == r->spec && q->ent <= r->ent)))
			return 0;
	}
	for (size_t i = 0; i < in->nspecs; i++)
		sup += in->supply[i] > 0 ? (double)in->supply[i] : 0;
	for (size_t j = 0; j < in->nents; j++)
		dem += in->demand[j] > 0 ? (double)in->demand[j] : 0;
	return sup < 2e9 && dem < 2e9;
}

void oc_plan_free(struct oc_plan *p)
{
	free(p->size);
	memset(p, 0, sizeof *p);
}

int oc_solve(const struct oc_in *in, struct oc_plan *out)
{
	double t0 = now_ms();
	struct run R;
	struct comp *cv;
	int64_t Wsum = 0, Bsum = 0;
	size_t left = 0;

	memset(out, 0, sizeof *out);
	if (!valid(in))
		return -1;
	memset(&R, 0, sizeof R);
	R.in = in;
	R.out = out;
	R.deadline = t0 + in->time_limit_ms;
	out->size = xcalloc(in->npairs + 1, sizeof *out->size);
	R.fixed = xcalloc(in->npairs + 1, 1);
	split_make(in, &R.sp);
	out->components = R.sp.ncomp;
	cv = xmalloc((R.sp.ncomp + 1) * sizeof *cv);
	for (size_t q = 0; q < R.sp.ncomp; q++) {
		cv[q].q = q;
		cv[q].np = (int)(R.sp.cstart[q + 1] - R.sp.cstart[q]);
		cv[q].W = 0;
		cv[q].B = 0;
		cv[q].g = 1;
		cv[q].ent_price = cv[q].spec_price = NULL;
		left += (size_t)cv[q].np;
	}
	qsort(cv, R.sp.ncomp, sizeof *cv, by_size);

	/* smallest first; each Lagrangian may take its share (by pairs) of
	 * a quarter of the time left, and ends early when slow if CBC is to
	 * follow (the rest is about 0.3 ms a pair or more: see exact) */
	for (size_t t = 0; t < R.sp.ncomp; t++) {
		double share = (R.deadline - now_ms()) * 0.25 * cv[t].np / (double)left;
		relax(&R, &cv[t], now_ms() + share, in->method == OC_FULL &&
		    3 * share >= 0.3 * cv[t].np);
		left -= (size_t)cv[t].np;
	}
	/* then CBC on the open ones, smallest first, each with its share of
	 * what is left */
	for (size_t t = 0; t < R.sp.ncomp; t++)
		if (!closed(cv[t].W, cv[t].B))
			left += (size_t)cv[t].np;
	for (size_t t = 0; t < R.sp.ncomp && in->method != OC_NO_CBC; t++) {
		if (closed(cv[t].W, cv[t].B))
			continue;
		double budget = (R.deadline - now_ms()) * cv[t].np / (double)left;
		left -= (size_t)cv[t].np;
		if (!stopped(in->cancel))
			exact(&R, &cv[t], budget);
	}

	for (size_t t = 0; t < R.sp.ncomp; t++) {
		Wsum += cv[t].W;
		Bsum += cv[t].B;
		free(cv[t].ent_price);
		free(cv[t].spec_price);
	}
	for (size_t k = 0; k < in->npairs; k++)
		out->students += out->size[k];
	out->objective = (double)Wsum / SCALE;
	out->bound = (double)Bsum / SCALE;
	out->optimal = out->bound - out->objective <=
	    1e-6 * fmax(1, out->objective);
	out->cancelled = stopped(in->cancel);
	out->lp_bound = (double)R.lp / SCALE;
	out->lagrange_bound = (double)R.lag / SCALE;
	out->heuristic = (double)R.heur / SCALE;
	free(cv);
	free(R.fixed);
	split_free(&R.sp);
	out->solve_ms = now_ms() - t0;
	return 0;
}

/* ---- the pairs ---- */

/* Posts by the field groups of their prefixes (a post once per group);
 * the any-major posts in group 100. */
struct post_buckets {
	size_t start[102];
	size_t *idx;
};

static void post_buckets_make(const struct match_post *posts, size_t nposts,
    struct post_buckets *b)
{
	size_t fill[101] = { 0 }, n = 0;

	memset(b->start, 0, sizeof b->start);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t p = 0; p < nposts; p++) {
			const struct match_post *mp = &posts[p];
			uint64_t seen[2] = { 0, 0 };
			if (mp->nprefixes == 0) {
				if (pass == 0)
					b->start[101]++;
				else
					b->idx[b->start[100] + fill[100]++] = p;
				continue;
			}
			for (size_t i = 0; i < mp->nprefixes; i++) {
				if (mp->prefixes[i].n < 2)
					continue;
				int g = match_field_group(mp->prefixes[i].p);
				if (g < 0 || g > 99 || (seen[g >> 6] >> (g & 63) & 1))
					continue;
				seen[g >> 6] |= (uint64_t)1 << (g & 63);
				if (pass == 0)
					b->start[g + 1]++;
				else
					b->idx[b->start[g] + fill[g]++] = p;
			}
		}
		if (pass == 0) {
			for (int g = 0; g < 101; g++)
				b->start[g + 1] += b->start[g];
			n = b->start[101];
			b->idx = xmalloc((n + 1) * sizeof *b->idx);
		}
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

size_t oc_pairs(const struct match_weights *w, double min_score,
    const struct match_spec *specs, size_t nspecs,
    const struct match_post *posts, const uint32_t *post_ent, size_t nposts,
    size_t nents, struct oc_pair **out)
{
	struct post_buckets b;
	double *best = xmalloc((nents + 1) * sizeof *best);
	uint32_t *seen = xmalloc((nents + 1) * sizeof *seen);
	size_t n = 0, cap = 0;
	struct oc_pair *v = NULL;

	post_buckets_make(posts, nposts, &b);
	for (size_t e = 0; e < nents; e++)
		best[e] = -1;
	for (size_t s = 0; s < nspecs; s++) {
		const struct match_spec *sp = &specs[s];
		int g = sp->code.n >= 2 ? match_field_group(sp->code.p) : -1;
		size_t ns = 0;
		/* a post of another field group has major factor 0 for s */
		for (int pass = 0; pass < 2; pass++) {
			int bk = pass == 0 ? g : 100;
			if (bk < 0 || bk > 100)
				continue;
			for (size_t t = b.start[bk]; t < b.start[bk + 1]; t++) {
				size_t p = b.idx[t];
				struct match_why why;
				uint32_t e = post_ent[p];
				double sc;
				if (e >= nents)
					continue;
				sc = match_score(w, &posts[p], sp, &why);
				if (!(sc > 0) || sc < min_score)
					continue;
				if (best[e] < 0)
					seen[ns++] = e;
				if (sc > best[e])
					best[e] = sc;
			}
		}
		qsort(seen, ns, sizeof *seen, cmp_u32);
		if (n + ns > cap) {
			cap = 2 * (n + ns) + 64;
			v = xrealloc(v, cap * sizeof *v);
		}
		for (size_t t = 0; t < ns; t++) {
			v[n].spec = (uint32_t)s;
			v[n].ent = seen[t];
			v[n].score = best[seen[t]];
			best[seen[t]] = -1;
			n++;
		}
	}
	free(b.idx);
	free(best);
	free(seen);
	*out = v ? v : xmalloc(sizeof *v);
	return n;
}
