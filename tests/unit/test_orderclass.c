/*
 * test_orderclass — the order-class planner of orderclass.h against two
 * independent oracles: on tiny random instances a brute force that
 * enumerates every size of every pair, on medium ones (50–200 pairs)
 * GLPK's branch and cut on the same MIP (x integer, y binary, m·y ≤ x ≤
 * ub·y).  Every plan is checked on its own — sizes 0 or in [min, max],
 * no specialty over its supply nor enterprise over its demand, the
 * objective and students recomputed, bound ≥ the oracle's optimum (and
 * the LP and Lagrangian bounds too), the optimal flag exactly its
 * definition — and must equal the optimum within 1e-6.  Heuristics-only
 * runs must still give valid bounds.  On instances shaped as real
 * schools (scores of two decimals) CBC alone, without the relaxations,
 * the fixing, the granularity and the cuts, is the oracle.  Then the edges: a time limit on a
 * hard instance (returns in time, feasible, its bound above what a long
 * run finds), cancel before and during the solve (CBC's child killed),
 * components, min_size above every supply, determinism, bad input, and
 * oc_pairs against scoring every pair by hand.
 *
 * Scores are multiples of 1e-3 (the planner takes them at 1e-9, as
 * match_score rounds them), drawn from a few values in some instances so
 * that ties are common.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glpk.h>

#include "check.h"
#include "orderclass.h"

SETUP
{
	glp_term_out(GLP_OFF);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long long rndr(long long lo, long long hi)   /* uniform in [lo, hi] */
{
	return lo + (long long)check_rand_n((uint32_t)(hi - lo + 1));
}

/* ---- instances ---- */

#define MAXP 4096

struct inst {
	size_t ns, ne, np;
	long long supply[512], demand[512];
	struct oc_pair pairs[MAXP];
	long long min, max;
};

/*
 * ns × ne, each pair present with probability dens/100, supplies and
 * demands uniform in the ranges, scores 0.3–1 at 1e-3 (or one of five
 * values when ties).
 */
static void gen(struct inst *I, size_t ns, size_t ne, int dens,
    long long s0, long long s1, long long d0, long long d1,
    long long min, long long max, int ties)
{
	static const int tv[] = { 400, 550, 700, 850, 1000 };

	memset(I, 0, sizeof *I);
	I->ns = ns;
	I->ne = ne;
	I->min = min;
	I->max = max;
	for (size_t i = 0; i < ns; i++)
		I->supply[i] = rndr(s0, s1);
	for (size_t j = 0; j < ne; j++)
		I->demand[j] = rndr(d0, d1);
	for (size_t i = 0; i < ns; i++)
		for (size_t j = 0; j < ne; j++) {
			if ((int)check_rand_n(100) >= dens || I->np == MAXP)
				continue;
			struct oc_pair *p = &I->pairs[I->np++];
			p->spec = (uint32_t)i;
			p->ent = (uint32_t)j;
			p->score = (ties ? tv[check_rand_n(5)] :
			    (int)rndr(300, 1000)) / 1000.0;
		}
}

static struct oc_in in_of(const struct inst *I, double limit_ms)
{
	struct oc_in in = {
		.nspecs = I->ns, .nents = I->ne, .npairs = I->np,
		.supply = I->supply, .demand = I->demand, .pairs = I->pairs,
		.min_size = I->min, .max_size = I->max, .time_limit_ms = limit_ms,
	};
	return in;
}

/* ---- checking a plan ---- */

/* Σ size × score in thousandths, exactly. */
static long long value_milli(const struct inst *I, const long long *size)
{
	long long v = 0;
	for (size_t k = 0; k < I->np; k++)
		v += size[k] * llround(I->pairs[k].score * 1000);
	return v;
}

/* The plan is feasible and says what it holds; returns its objective. */
static double check_plan(const struct inst *I, const struct oc_plan *p)
{
	long long used_s[512] = { 0 }, used_e[512] = { 0 }, students = 0;
	int ok = 1;

	for (size_t k = 0; k < I->np; k++) {
		long long x = p->size[k];
		const struct oc_pair *q = &I->pairs[k];
		if (x != 0 && (x < I->min || x > I->max))
			ok = 0;
		used_s[q->spec] += x;
		used_e[q->ent] += x;
		students += x;
	}
	for (size_t i = 0; i < I->ns; i++)
		ok &= used_s[i] <= I->supply[i];
	for (size_t j = 0; j < I->ne; j++)
		ok &= used_e[j] <= I->demand[j];
	CHECKF(ok, "plan infeasible");
	CHECK_EQ_INT(p->students, students);
	double obj = value_milli(I, p->size) / 1000.0;
	CHECK_NEAR(p->objective, obj, 1e-6);
	CHECKF(p->bound >= p->objective - 1e-9, "bound %.9f < objective %.9f",
	    p->bound, p->objective);
	CHECK_EQ_INT(p->optimal,
	    p->bound - p->objective <= 1e-6 * fmax(1, p->objective));
	return obj;
}

/* The plan is optimal for the known optimum and every bound is valid. */
static void check_opt(const struct inst *I, const struct oc_plan *p, double opt)
{
	double obj = check_plan(I, p);
	CHECKF(fabs(obj - opt) <= 1e-6, "objective %.9f, optimum %.9f", obj, opt);
	CHECKF(p->optimal, "not proven: %.9f .. %.9f", p->objective, p->bound);
	CHECKF(p->bound >= opt - 1e-9, "bound %.9f < optimum %.9f", p->bound, opt);
	CHECK(p->lagrange_bound >= opt - 1e-9);
	CHECK(p->lp_bound >= p->lagrange_bound - 1e-9);
}

/* ---- oracle 1: every size of every pair ---- */

struct brute {
	const struct inst *I;
	long long rs[512], re[512], best;
	long long m3[MAXP];
};

static void brute_dfs(struct brute *b, size_t k, long long v)
{
	const struct inst *I = b->I;
	if (k == I->np) {
		if (v > b->best)
			b->best = v;
		return;
	}
	const struct oc_pair *q = &I->pairs[k];
	brute_dfs(b, k + 1, v);
	long long hi = I->max;
	if (b->rs[q->spec] < hi)
		hi = b->rs[q->spec];
	if (b->re[q->ent] < hi)
		hi = b->re[q->ent];
	for (long long x = I->min; x <= hi; x++) {
		b->rs[q->spec] -= x;
		b->re[q->ent] -= x;
		brute_dfs(b, k + 1, v + x * b->m3[k]);
		b->rs[q->spec] += x;
		b->re[q->ent] += x;
	}
}

static double brute_opt(const struct inst *I)
{
	struct brute b = { .I = I, .best = 0 };
	memcpy(b.rs, I->supply, sizeof b.rs);
	memcpy(b.re, I->demand, sizeof b.re);
	for (size_t k = 0; k < I->np; k++)
		b.m3[k] = llround(I->pairs[k].score * 1000);
	brute_dfs(&b, 0, 0);
	return b.best / 1000.0;
}

/* ---- oracle 2: GLPK on the MIP ---- */

/* The optimum, or -1 if GLPK did not prove one within its time. */
static double glpk_opt(const struct inst *I)
{
	size_t n = I->np;
	glp_prob *lp = glp_create_prob();
	int *ia = malloc((6 * n + 1) * sizeof *ia);
	int *ja = malloc((6 * n + 1) * sizeof *ja);
	double *ar = malloc((6 * n + 1) * sizeof *ar);
	int ne = 0, rows = (int)(I->ns + I->ne + 2 * n);
	double opt = -1;
	glp_iocp parm;

	glp_set_obj_dir(lp, GLP_MAX);
	glp_add_rows(lp, rows);
	for (size_t i = 0; i < I->ns; i++)
		glp_set_row_bnds(lp, (int)i + 1, GLP_UP, 0, (double)I->supply[i]);
	for (size_t j = 0; j < I->ne; j++)
		glp_set_row_bnds(lp, (int)(I->ns + j) + 1, GLP_UP, 0,
		    (double)I->demand[j]);
	glp_add_cols(lp, (int)(2 * n));
	for (size_t k = 0; k < n; k++) {
		const struct oc_pair *q = &I->pairs[k];
		int x = (int)k + 1, y = (int)(n + k) + 1;
		int up = (int)(I->ns + I->ne + k) + 1, lo = up + (int)n;
		glp_set_col_kind(lp, x, GLP_IV);
		glp_set_col_bnds(lp, x, GLP_DB, 0, (double)I->max);
		glp_set_obj_coef(lp, x, q->score);
		glp_set_col_kind(lp, y, GLP_BV);
		glp_set_row_bnds(lp, up, GLP_UP, 0, 0);        /* x − max·y ≤ 0 */
		glp_set_row_bnds(lp, lo, GLP_LO, 0, 0);        /* x − min·y ≥ 0 */
		ia[++ne] = (int)q->spec + 1, ja[ne] = x, ar[ne] = 1;
		ia[++ne] = (int)(I->ns + q->ent) + 1, ja[ne] = x, ar[ne] = 1;
		ia[++ne] = up, ja[ne] = x, ar[ne] = 1;
		ia[++ne] = up, ja[ne] = y, ar[ne] = -(double)I->max;
		ia[++ne] = lo, ja[ne] = x, ar[ne] = 1;
		ia[++ne] = lo, ja[ne] = y, ar[ne] = -(double)I->min;
	}
	glp_load_matrix(lp, ne, ia, ja, ar);
	glp_init_iocp(&parm);
	parm.presolve = GLP_ON;
	parm.mip_gap = 0;
	parm.tm_lim = 120000;
	if (glp_intopt(lp, &parm) == 0 && glp_mip_status(lp) == GLP_OPT) {
		long long *x = malloc((n + 1) * sizeof *x);
		for (size_t k = 0; k < n; k++)
			x[k] = llround(glp_mip_col_val(lp, (int)k + 1));
		opt = value_milli(I, x) / 1000.0;
		free(x);
	}
	glp_delete_prob(lp);
	free(ia);
	free(ja);
	free(ar);
	return opt;
}

/* ---- against the oracles ---- */

TEST_TIMEOUT(tiny_vs_brute_force, 300)
{
	static struct inst I;
	char ctx[64];

	for (int t = 0; t < 400; t++) {
		long long min = rndr(1, 4);
		gen(&I, (size_t)rndr(1, 3), (size_t)rndr(1, 3), 70, 1, 14, 1, 14,
		    min, min + rndr(0, 5), t % 3 == 0);
		if (I.np > 6)
			I.np = 6;
		snprintf(ctx, sizeof ctx, "tiny %d", t);
		CHECK_CTX(ctx);
		struct oc_in in = in_of(&I, 10000);
		struct oc_plan p;
		CHECK_EQ_INT(oc_solve(&in, &p), 0);
		check_opt(&I, &p, brute_opt(&I));
		oc_plan_free(&p);
	}
	CHECK_CTX("");
}

/* Medium instances in three kinds: scarce supply (as a school), scarce
 * demand, and both tight with small classes. */
static void gen_medium(struct inst *I, int t)
{
	switch (t % 3) {
	case 0:
		gen(I, (size_t)rndr(4, 10), (size_t)rndr(15, 40), 40, 10, 60,
		    3, 40, 10, 20, t % 2);
		break;
	case 1:
		gen(I, (size_t)rndr(10, 24), (size_t)rndr(6, 14), 45, 5, 40,
		    10, 60, 6, 15, t % 2);
		break;
	default:
		gen(I, (size_t)rndr(8, 18), (size_t)rndr(8, 18), 60, 3, 25,
		    3, 25, 3, 8, t % 2);
	}
	if (I->np > 200)
		I->np = 200;
}

TEST_TIMEOUT(medium_vs_glpk, 900)
{
	static struct inst I;
	char ctx[64];
	int compared = 0;

	for (int t = 0; t < 45; t++) {
		gen_medium(&I, t);
		if (I.np < 50)
			continue;
		snprintf(ctx, sizeof ctx, "medium %d (%zu pairs)", t, I.np);
		CHECK_CTX(ctx);
		double opt = glpk_opt(&I);
		if (opt < 0)
			continue;
		compared++;
		struct oc_in in = in_of(&I, 20000);
		struct oc_plan p;
		CHECK_EQ_INT(oc_solve(&in, &p), 0);
		check_opt(&I, &p, opt);
		oc_plan_free(&p);
		/* without CBC the plan may fall short, the bounds may not */
		in.method = OC_NO_CBC;
		CHECK_EQ_INT(oc_solve(&in, &p), 0);
		check_plan(&I, &p);
		CHECK(p.objective <= opt + 1e-9);
		CHECKF(p.bound >= opt - 1e-9, "bound %.9f < optimum %.9f",
		    p.bound, opt);
		CHECK_EQ_INT(p.cbc_runs, 0);
		oc_plan_free(&p);
	}
	CHECK_CTX("");
	CHECKF(compared >= 25, "only %d instances compared", compared);
}

/*
 * Shaped as real schools (examples/jinhua-fair, bench/plans.sh's a2):
 * scores of two decimals from a few tiers, many demands below min_size,
 * a few odd scores at 1e-3 as the capacity factor makes them.  The
 * planner proves these with the granularity of the scores (least_better)
 * and CBC with the Lagrangian cuts; CBC alone, with none of that, is the
 * oracle, and the relaxations alone must bound its optimum.
 */
static void gen_real(struct inst *I)
{
	static const int tier[] = { 44, 47, 52, 56, 59, 67, 69, 70, 72, 74, 87,
	    90, 90, 90, 97, 100 };

	memset(I, 0, sizeof *I);
	I->ns = (size_t)rndr(12, 24);
	I->ne = (size_t)rndr(60, 150);
	I->min = 20;
	I->max = 40;
	for (size_t i = 0; i < I->ns; i++)
		I->supply[i] = 5 * rndr(4, 30);
	for (size_t j = 0; j < I->ne; j++)
		I->demand[j] = rndr(5, 130);
	for (size_t i = 0; i < I->ns; i++)
		for (size_t j = 0; j < I->ne; j++) {
			if ((int)check_rand_n(100) >= 45 || I->np == MAXP)
				continue;
			struct oc_pair *q = &I->pairs[I->np++];
			q->spec = (uint32_t)i;
			q->ent = (uint32_t)j;
			q->score = check_rand_n(40) ? tier[check_rand_n(16)] / 100.0 :
			    (double)rndr(600, 999) / 1000.0;
		}
}

TEST_TIMEOUT(real_shaped_vs_cbc_alone, 900)
{
	static struct inst I;
	char ctx[64];
	int compared = 0;

	for (int t = 0; t < 12; t++) {
		gen_real(&I);
		snprintf(ctx, sizeof ctx, "real %d (%zu pairs)", t, I.np);
		CHECK_CTX(ctx);
		struct oc_in in = in_of(&I, 60000);
		struct oc_plan p, q;
		in.method = OC_CBC_ONLY;
		CHECK_EQ_INT(oc_solve(&in, &q), 0);
		double obj = check_plan(&I, &q);
		in.method = OC_FULL;
		CHECK_EQ_INT(oc_solve(&in, &p), 0);
		if (q.optimal) {
			check_opt(&I, &p, obj);
			compared++;
		} else {
			check_plan(&I, &p);
			CHECK(p.optimal);
			CHECK(p.objective >= obj - 1e-9);
		}
		double opt = p.objective;
		oc_plan_free(&p);
		oc_plan_free(&q);
		in.method = OC_NO_CBC;
		CHECK_EQ_INT(oc_solve(&in, &p), 0);
		check_plan(&I, &p);
		CHECK(p.objective <= opt + 1e-9);
		CHECKF(p.bound >= opt - 1e-9, "bound %.9f < optimum %.9f",
		    p.bound, opt);
		oc_plan_free(&p);
	}
	CHECK_CTX("");
	CHECKF(compared >= 8, "only %d instances compared", compared);
}

/* ---- limits ---- */

/* Supply and demand both tight: CBC is far from a proof after seconds
 * (a school's scarce supply is proven in tens of ms). */
static void gen_hard(struct inst *I)
{
	gen(I, 60, 100, 40, 20, 120, 5, 100, 20, 40, 0);
}

/*
 * What a run may take past its limit: a poll tick, then killing and
 * reaping CBC's child — a few ms, but some 60 under ASan, whose shadow
 * memory makes a process slow to tear down.
 */
#ifdef __SANITIZE_ADDRESS__
#define GRACE_MS 150
#else
#define GRACE_MS 60
#endif

TEST_TIMEOUT(time_limit_respected, 120)
{
	static struct inst I;
	static const double limits[] = { 1, 5, 30, 120, 400, 900, 1500 };

	gen_hard(&I);
	struct oc_in in = in_of(&I, 3000);
	struct oc_plan ref;
	CHECK_EQ_INT(oc_solve(&in, &ref), 0);
	check_plan(&I, &ref);
	for (size_t t = 0; t < sizeof limits / sizeof *limits; t++) {
		struct oc_plan p;
		in = in_of(&I, limits[t]);
		double t0 = now_ms();
		CHECK_EQ_INT(oc_solve(&in, &p), 0);
		double took = now_ms() - t0;
		CHECKF(took <= limits[t] + GRACE_MS, "limit %.0f ms took %.1f ms",
		    limits[t], took);
		check_plan(&I, &p);
		/* the long run's plan is feasible, so no bound is below it */
		CHECKF(p.bound >= ref.objective - 1e-9,
		    "limit %.0f: bound %.9f < a plan of %.9f", limits[t], p.bound,
		    ref.objective);
		CHECK(p.objective > 0);
		oc_plan_free(&p);
	}
	oc_plan_free(&ref);
}

struct canceller {
	volatile int flag;
	double after_ms, at;
};

static void *cancel_later(void *arg)
{
	struct canceller *c = arg;
	usleep((useconds_t)(c->after_ms * 1000));
	c->at = now_ms();
	c->flag = 1;
	return NULL;
}

TEST_TIMEOUT(cancel, 120)
{
	static struct inst I;
	struct canceller c = { 0 };
	struct oc_plan p;
	pthread_t th;

	/* set before: returns at once, a feasible (empty or partial) plan */
	gen_hard(&I);
	struct oc_in in = in_of(&I, 30000);
	c.flag = 1;
	in.cancel = &c.flag;
	double t0 = now_ms();
	CHECK_EQ_INT(oc_solve(&in, &p), 0);
	CHECK(now_ms() - t0 < 100);
	CHECK(p.cancelled);
	CHECK_EQ_INT(p.cbc_runs, 0);
	check_plan(&I, &p);
	oc_plan_free(&p);

	/* during the solve, at several points: CBC's child included */
	static const double after[] = { 2, 40, 150, 400, 1000 };
	int in_cbc = 0;
	gen_hard(&I);
	for (size_t t = 0; t < sizeof after / sizeof *after; t++) {
		in = in_of(&I, 30000);
		c.flag = 0;
		c.after_ms = after[t];
		in.cancel = &c.flag;
		CHECK_EQ_INT(pthread_create(&th, NULL, cancel_later, &c), 0);
		CHECK_EQ_INT(oc_solve(&in, &p), 0);
		double done = now_ms();
		pthread_join(th, NULL);
		if (p.cancelled)
			CHECKF(done - c.at < 100, "cancel after %.0f ms took %.1f ms",
			    after[t], done - c.at);
		in_cbc += p.cancelled && p.cbc_runs > 0;
		check_plan(&I, &p);
		oc_plan_free(&p);
	}
	CHECK(in_cbc >= 1);
}

/* ---- shapes ---- */

TEST(components)
{
	static struct inst I, A, B;
	struct oc_plan p, pa, pb;

	/* two blocks, then I as both side by side, ents interleaved */
	gen(&A, 5, 12, 50, 10, 50, 5, 40, 8, 20, 0);
	gen(&B, 4, 10, 50, 10, 50, 5, 40, 8, 20, 1);
	memset(&I, 0, sizeof I);
	I.ns = A.ns + B.ns;
	I.ne = 2 * (A.ne > B.ne ? A.ne : B.ne);
	I.min = 8;
	I.max = 20;
	memcpy(I.supply, A.supply, A.ns * sizeof *I.supply);
	memcpy(I.supply + A.ns, B.supply, B.ns * sizeof *I.supply);
	for (size_t j = 0; j < A.ne; j++)
		I.demand[2 * j] = A.demand[j];
	for (size_t j = 0; j < B.ne; j++)
		I.demand[2 * j + 1] = B.demand[j];
	for (size_t k = 0; k < A.np; k++) {
		I.pairs[I.np] = A.pairs[k];
		I.pairs[I.np++].ent = 2 * A.pairs[k].ent;
	}
	for (size_t k = 0; k < B.np; k++) {
		I.pairs[I.np] = B.pairs[k];
		I.pairs[I.np].spec += (uint32_t)A.ns;
		I.pairs[I.np++].ent = 2 * B.pairs[k].ent + 1;
	}
	struct oc_in in = in_of(&I, 20000), ia = in_of(&A, 20000),
	    ib = in_of(&B, 20000);
	CHECK_EQ_INT(oc_solve(&in, &p), 0);
	CHECK_EQ_INT(oc_solve(&ia, &pa), 0);
	CHECK_EQ_INT(oc_solve(&ib, &pb), 0);
	CHECK(p.components >= 2);
	CHECK_EQ_INT(p.components, pa.components + pb.components);
	check_plan(&I, &p);
	CHECK_NEAR(p.objective, pa.objective + pb.objective, 1e-6);
	CHECK(p.optimal && pa.optimal && pb.optimal);
	oc_plan_free(&p);
	oc_plan_free(&pa);
	oc_plan_free(&pb);

	/* pairs no class fits join nothing: a spec of supply below min
	 * between two blocks leaves them apart */
	gen(&I, 3, 3, 100, 30, 30, 30, 30, 10, 20, 0);
	I.supply[1] = 9;
	in = in_of(&I, 20000);
	CHECK_EQ_INT(oc_solve(&in, &p), 0);
	CHECK_EQ_INT(p.components, 1);
	check_plan(&I, &p);
	for (size_t k = 0; k < I.np; k++)
		if (I.pairs[k].spec == 1)
			CHECK_EQ_INT(p.size[k], 0);
	oc_plan_free(&p);
}

TEST(min_size_above_supply)
{
	static struct inst I;
	struct oc_plan p;

	gen(&I, 6, 10, 60, 1, 15, 1, 100, 16, 30, 0);
	struct oc_in in = in_of(&I, 1000);
	CHECK_EQ_INT(oc_solve(&in, &p), 0);
	CHECK_EQ_INT(p.components, 0);
	CHECK_EQ_INT(p.students, 0);
	CHECK_NEAR(p.objective, 0, 0);
	CHECK_NEAR(p.bound, 0, 0);
	CHECK(p.optimal);
	for (size_t k = 0; k < I.np; k++)
		CHECK_EQ_INT(p.size[k], 0);
	oc_plan_free(&p);

	/* no pairs at all */
	I.np = 0;
	in = in_of(&I, 1000);
	CHECK_EQ_INT(oc_solve(&in, &p), 0);
	CHECK(p.optimal);
	CHECK_EQ_INT(p.students, 0);
	oc_plan_free(&p);
}

/* One spec, one ent: the sizes the definition allows, worked by hand. */
TEST(single_pair)
{
	static const struct { long long s, d, min, max, size; } t[] = {
		{ 30, 50, 20, 40, 30 },   /* supply binds */
		{ 50, 25, 20, 40, 25 },   /* demand binds */
		{ 90, 90, 20, 40, 40 },   /* max binds: one class per pair */
		{ 19, 90, 20, 40, 0 },    /* below min */
		{ 20, 20, 20, 20, 20 },
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		struct oc_pair q = { 0, 0, 0.5 };
		struct oc_in in = {
			.nspecs = 1, .nents = 1, .npairs = 1,
			.supply = &t[i].s, .demand = &t[i].d, .pairs = &q,
			.min_size = t[i].min, .max_size = t[i].max,
			.time_limit_ms = 1000,
		};
		struct oc_plan p;
		CHECK_EQ_INT(oc_solve(&in, &p), 0);
		CHECK_EQ_INT(p.size[0], t[i].size);
		CHECK_NEAR(p.objective, 0.5 * (double)t[i].size, 1e-9);
		CHECK(p.optimal);
		oc_plan_free(&p);
	}
}

TEST_TIMEOUT(deterministic, 120)
{
	static struct inst I;

	for (int t = 0; t < 6; t++) {
		struct oc_plan a, b;
		if (t < 3)
			gen_medium(&I, t);
		else
			gen(&I, 12, 60, 40, 20, 120, 5, 100, 20, 40, t & 1);
		struct oc_in in = in_of(&I, 30000);
		CHECK_EQ_INT(oc_solve(&in, &a), 0);
		CHECK_EQ_INT(oc_solve(&in, &b), 0);
		CHECK(a.optimal);
		CHECK_MEM(a.size, b.size, I.np * sizeof *a.size);
		CHECK_NEAR(a.objective, b.objective, 0);
		CHECK_NEAR(a.bound, b.bound, 0);
		oc_plan_free(&a);
		oc_plan_free(&b);
	}
}

TEST(bad_input)
{
	static struct inst I;
	struct oc_plan p;

	gen(&I, 3, 3, 100, 30, 30, 30, 30, 10, 20, 0);
	struct oc_in in = in_of(&I, 1000);
	in.min_size = 21;                                /* above max */
	CHECK_EQ_INT(oc_solve(&in, &p), -1);
	CHECK(p.size == NULL);
	in = in_of(&I, 1000);
	in.min_size = 0;
	CHECK_EQ_INT(oc_solve(&in, &p), -1);
	in = in_of(&I, 0);                               /* no time */
	CHECK_EQ_INT(oc_solve(&in, &p), -1);
	in = in_of(&I, 1000);
	I.pairs[1].ent = 3;                              /* out of range */
	CHECK_EQ_INT(oc_solve(&in, &p), -1);
	I.pairs[1].ent = 0;                              /* a repeat */
	CHECK_EQ_INT(oc_solve(&in, &p), -1);
	I.pairs[1].ent = 1;
	struct oc_pair sw = I.pairs[1];                  /* out of order */
	I.pairs[1] = I.pairs[2];
	I.pairs[2] = sw;
	CHECK_EQ_INT(oc_solve(&in, &p), -1);
	I.pairs[2] = I.pairs[1];
	I.pairs[1] = sw;
	I.pairs[1].score = 1.5;                          /* above 1 */
	CHECK_EQ_INT(oc_solve(&in, &p), -1);
	/* a score of 0 or below can add nothing: the pair is left out */
	I.pairs[1].score = 0;
	CHECK_EQ_INT(oc_solve(&in, &p), 0);
	CHECK_EQ_INT(p.size[1], 0);
	oc_plan_free(&p);
}

/* ---- oc_pairs ---- */

static struct match_str S(const char *s)
{
	struct match_str m = { s, strlen(s) };
	return m;
}

TEST(pairs_match_scoring_every_pair)
{
	static const char *codes[] = { "660103", "460201", "530701", "510101",
		"660301", "710102" };
	static const char *pfx[] = { "6601", "46", "53", "5107", "660103",
		"4102", "7101", "56" };
	static const struct match_weights W = {
		.major = 0.40, .skills = 0.15, .region = 0.15,
		.level = 0.10, .capacity = 0.10, .chain = 0.10,
	};
	struct match_spec specs[6];
	struct match_post posts[40];
	struct match_str pre[40][3];
	uint32_t ent[40];
	size_t ns = 6, npost = 40, nents = 9;

	memset(specs, 0, sizeof specs);
	memset(posts, 0, sizeof posts);
	for (size_t s = 0; s < ns; s++) {
		specs[s].code = S(codes[s]);
		specs[s].region = S(s & 1 ? "330702" : "330100");
		specs[s].level = (int)(s % 3);
		specs[s].available = 10 + 7 * (long long)s;
	}
	for (size_t p = 0; p < npost; p++) {
		size_t n = check_rand_n(4);          /* 0: any major */
		for (size_t i = 0; i < n; i++)
			pre[p][i] = S(pfx[check_rand_n(8)]);
		posts[p].prefixes = pre[p];
		posts[p].nprefixes = n;
		posts[p].level = (int)check_rand_n(4) - 1;
		posts[p].region = S(p & 1 ? "330702" : "330782");
		posts[p].headcount = (long long)check_rand_n(40) - 1;
		ent[p] = check_rand_n((uint32_t)nents);
	}
	for (int t = 0; t < 3; t++) {
		double min_score = t * 0.3;
		struct oc_pair *got;
		size_t n = oc_pairs(&W, min_score, specs, ns, posts, ent, npost,
		    nents, &got), k = 0;
		for (size_t s = 0; s < ns; s++)
			for (size_t e = 0; e < nents; e++) {
				double best = -1;
				for (size_t p = 0; p < npost; p++) {
					struct match_why why;
					double sc;
					if (ent[p] != e)
						continue;
					sc = match_score(&W, &posts[p], &specs[s], &why);
					if (sc > 0 && sc >= min_score && sc > best)
						best = sc;
				}
				if (best < 0)
					continue;
				CHECKF(k < n, "pair %zu/%zu missing", s, e);
				if (k >= n)
					continue;
				CHECK_EQ_INT(got[k].spec, s);
				CHECK_EQ_INT(got[k].ent, e);
				CHECK_NEAR(got[k].score, best, 0);
				k++;
			}
		CHECK_EQ_INT(n, k);
		free(got);
	}
}
