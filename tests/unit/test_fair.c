/*
 * test_fair — the fair planners of fair.h (docs/matching.md; the
 * definitions of fair.allocate and fair.schedule): arcs, supplies,
 * demands (each posting toward its best arc's direction, a tie to the
 * direction listed first) and reachables of a hand-made fair, min_score
 * met exactly, the allocation's max count then max Σ count × score and
 * the demands against brute force on tiny random fairs, and
 * fair.schedule's three priorities, each deciding a case, and its booth
 * order.
 *
 * Scores are kept simple with weights that count the major factor only
 * (1 own prefix, 0.6 same class, 0.3 same group) where a case is worked
 * by hand; the random fairs use the default weights.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fair.h"

static const struct match_weights MAJOR_ONLY = { 1, 0, 0, 0, 0, 0 };
static const struct match_weights W = { 0.40, 0.15, 0.15, 0.10, 0.10, 0.10 };

static struct match_str S(const char *s)
{
	struct match_str m = { s, strlen(s) };
	return m;
}

static struct match_spec spec(const char *code, long long avail)
{
	struct match_spec s = { 0 };
	s.code = S(code);
	s.region = S("");
	s.level = 1;
	s.available = avail;
	return s;
}

static struct match_post post(const struct match_str *pfx, size_t n,
    long long head)
{
	struct match_post p = { 0 };
	p.prefixes = pfx;
	p.nprefixes = n;
	p.level = -1;
	p.headcount = head;
	return p;
}

/* ---- a hand-made fair ---- */

static const struct match_str d0p[] = { { "6601", 4 } }, d1p[] = { { "4601", 4 } },
    d2p[] = { { "51", 2 } };
static const struct match_dir dirs3[] = {
	{ { "d0", 2 }, d0p, 1 }, { { "d1", 2 }, d1p, 1 }, { { "d2", 2 }, d2p, 1 },
};
static const struct match_str pp0[] = { { "660103", 6 } }, pp1[] = { { "5101", 4 } },
    pp2[] = { { "4602", 4 } }, pp3[] = { { "9901", 4 } };

static struct match_spec specs3[5];
static struct match_post posts3[4];

static void fair3(struct fair_in *in, double min_score)
{
	specs3[0] = spec("660103", 5);      /* d0 */
	specs3[1] = spec("460103", 3);      /* d1 */
	specs3[2] = spec("460201", 0);      /* d1, none available */
	specs3[3] = spec("510101", 4);      /* d2 */
	specs3[4] = spec("990101", 9);      /* no direction */
	posts3[0] = post(pp0, 1, 4);        /* d0 1, d1 0.6 */
	posts3[1] = post(pp1, 1, 2);        /* d2 1 */
	posts3[2] = post(pp2, 1, 3);        /* d0 0.3, d1 0.3: a tie */
	posts3[3] = post(pp3, 1, 5);        /* 990101 has no direction */
	memset(in, 0, sizeof *in);
	in->w = &MAJOR_ONLY;
	in->min_score = min_score;
	in->dirs = dirs3;
	in->ndirs = 3;
	in->specs = specs3;
	in->nspecs = 5;
	in->posts = posts3;
	in->nposts = 4;
}

struct warc {
	size_t post, dir;
	double score;
};

static void expect_arcs(const struct fair_plan *pl, const struct warc *w,
    size_t n)
{
	CHECK_EQ_INT(pl->narcs, n);
	for (size_t i = 0; i < n && i < pl->narcs; i++) {
		CHECK_EQ_INT(pl->arcs[i].post, w[i].post);
		CHECK_EQ_INT(pl->arcs[i].dir, w[i].dir);
		CHECK_NEAR(pl->arcs[i].score, w[i].score, 1e-12);
	}
}

TEST(arcs)
{
	struct fair_in in;
	struct fair_plan pl;
	static const struct warc w[] = {
		{ 0, 0, 1 }, { 0, 1, 0.6 }, { 1, 2, 1 }, { 2, 0, 0.3 }, { 2, 1, 0.3 },
	};

	fair3(&in, 0);
	fair_arcs(&in, &pl);
	expect_arcs(&pl, w, 5);
	CHECK_EQ_U64(pl.supply[0], 5);
	CHECK_EQ_U64(pl.supply[1], 3);
	CHECK_EQ_U64(pl.supply[2], 4);
	/*
	 * demand: p0 to d0 (1 beats 0.6), p1 to d2, p2's tie (0.3, 0.3) to d0,
	 * listed first; p3 has no arc and counts nowhere: Σ demand = 9, the
	 * positions some direction can fill.  reachable: every arc counts.
	 */
	CHECK_EQ_U64(pl.demand[0], 4 + 3);
	CHECK_EQ_U64(pl.demand[1], 0);
	CHECK_EQ_U64(pl.demand[2], 2);
	CHECK_EQ_U64(pl.reachable[0], 4 + 3);
	CHECK_EQ_U64(pl.reachable[1], 4 + 3);
	CHECK_EQ_U64(pl.reachable[2], 2);
	fair_plan_free(&pl);
}

/*
 * The same fair with its directions listed d2, d1, d0: p2's tie now goes
 * to d1, listed before d0; p0's best is still d0 (1), although its arc to
 * d1 (0.6) comes first in the list.
 */
TEST(demand_by_best_arc_then_list_order)
{
	static const struct match_dir rev[] = { dirs3[2], dirs3[1], dirs3[0] };
	struct fair_in in;
	struct fair_plan pl;
	static const struct warc w[] = {
		{ 0, 1, 0.6 }, { 0, 2, 1 }, { 1, 0, 1 }, { 2, 1, 0.3 }, { 2, 2, 0.3 },
	};

	fair3(&in, 0);
	in.dirs = rev;
	fair_arcs(&in, &pl);
	expect_arcs(&pl, w, 5);
	CHECK_EQ_U64(pl.demand[0], 2);            /* d2: p1 */
	CHECK_EQ_U64(pl.demand[1], 3);            /* d1: p2's tie */
	CHECK_EQ_U64(pl.demand[2], 4);            /* d0: p0 */
	CHECK_EQ_U64(pl.reachable[0], 2);
	CHECK_EQ_U64(pl.reachable[1], 4 + 3);
	CHECK_EQ_U64(pl.reachable[2], 4 + 3);
	fair_plan_free(&pl);
}

/* An arc whose score equals min_score is kept: score >= min_score. */
TEST(min_score_exact)
{
	struct fair_in in;
	struct fair_plan pl;
	static const struct warc at[] = { { 0, 0, 1 }, { 0, 1, 0.6 }, { 1, 2, 1 } };
	static const struct warc above[] = { { 0, 0, 1 }, { 1, 2, 1 } };

	fair3(&in, 0.6);
	fair_arcs(&in, &pl);
	expect_arcs(&pl, at, 3);
	CHECK_EQ_U64(pl.demand[0], 4);
	CHECK_EQ_U64(pl.demand[1], 0);
	CHECK_EQ_U64(pl.reachable[1], 4);
	fair_plan_free(&pl);

	fair3(&in, 0.3);
	fair_arcs(&in, &pl);
	CHECK_EQ_INT(pl.narcs, 5);                 /* the 0.3 arcs too */
	fair_plan_free(&pl);

	fair3(&in, 0.6 + 1e-9);
	fair_arcs(&in, &pl);
	expect_arcs(&pl, above, 2);
	fair_plan_free(&pl);

	fair3(&in, 1);
	fair_arcs(&in, &pl);
	expect_arcs(&pl, above, 2);
	fair_plan_free(&pl);
}

/*
 * p0 (4) goes to d0 at 1; p2 (3) takes d0's last graduate and d1's at
 * 0.3; p1 (2) to d2: 9 placed, objective 4 + 0.9 + 2.
 */
TEST(allocate)
{
	struct fair_in in;
	struct fair_plan pl;

	fair3(&in, 0);
	CHECK_EQ_INT(fair_allocate(&in, &pl), 0);
	CHECK_EQ_INT(pl.placed, 9);
	CHECK_NEAR(pl.objective, 6.9, 1e-9);
	CHECK_EQ_INT(pl.narcs, 5);
	if (pl.narcs == 5) {
		CHECK_EQ_INT(pl.flow[0], 4);          /* p0 → d0 */
		CHECK_EQ_INT(pl.flow[1], 0);          /* p0 → d1 */
		CHECK_EQ_INT(pl.flow[2], 2);          /* p1 → d2 */
		CHECK_EQ_INT(pl.flow[3] + pl.flow[4], 3);
		CHECK(pl.flow[3] <= 1);               /* d0 has 5 */
	}
	fair_plan_free(&pl);

	/* min_score 0.6: p2 has no arc, 6 placed */
	fair3(&in, 0.6);
	CHECK_EQ_INT(fair_allocate(&in, &pl), 0);
	CHECK_EQ_INT(pl.placed, 6);
	CHECK_NEAR(pl.objective, 6, 1e-9);
	fair_plan_free(&pl);
}

/*
 * More placed beats a better score: p0 (x 1, y 0.3) leaves x to p1 (x
 * only), which a greedy by score would not: 4 placed at 2.6, not 2 at 2.
 */
TEST(allocate_count_before_score)
{
	static const struct match_str a[] = { { "6601", 4 }, { "5102", 4 } },
	    b[] = { { "6601", 4 } };
	static const struct match_str qx[] = { { "6601", 4 } }, qy[] = { { "51", 2 } };
	static const struct match_dir dirs[] = {
		{ { "x", 1 }, qx, 1 }, { { "y", 1 }, qy, 1 },
	};
	struct match_spec sp[2] = { spec("660103", 2), spec("510101", 2) };
	struct match_post po[2] = { post(a, 2, 2), post(b, 1, 2) };
	struct fair_in in = { &MAJOR_ONLY, 0, dirs, 2, sp, 2, po, 2 };
	struct fair_plan pl;
	static const struct warc w[] = { { 0, 0, 1 }, { 0, 1, 0.3 }, { 1, 0, 1 } };

	CHECK_EQ_INT(fair_allocate(&in, &pl), 0);
	expect_arcs(&pl, w, 3);
	CHECK_EQ_INT(pl.placed, 4);
	CHECK_NEAR(pl.objective, 2.6, 1e-9);
	if (pl.narcs == 3) {
		CHECK_EQ_INT(pl.flow[0], 0);
		CHECK_EQ_INT(pl.flow[1], 2);
		CHECK_EQ_INT(pl.flow[2], 2);
	}
	fair_plan_free(&pl);
}

/* ---- brute force on tiny random fairs ---- */

static const char *const codes[] = {
	"660103", "660201", "460103", "460201", "510101", "710101", "260101",
};
static const struct match_str prefixes[] = {
	{ "6601", 4 }, { "4602", 4 }, { "46", 2 }, { "5101", 4 }, { "7101", 4 },
	{ "660103", 6 }, { "2601", 4 },
};
static const struct match_str dprefix[] = {
	{ "66", 2 }, { "46", 2 }, { "51", 2 }, { "6601", 4 }, { "7", 1 },
};

/* Best (count, objective) over every integral allocation, by recursion. */
struct bf {
	const struct fair_plan *pl;
	const struct fair_in *in;
	long long sup[4], dem[4];
	long long best_count;
	double best_obj;
};

static void bf_go(struct bf *b, size_t a, long long count, double obj)
{
	if (a == b->pl->narcs) {
		if (count > b->best_count ||
		    (count == b->best_count && obj > b->best_obj + 1e-12)) {
			b->best_count = count;
			b->best_obj = obj;
		}
		return;
	}
	const struct fair_arc *x = &b->pl->arcs[a];
	long long m = b->sup[x->dir] < b->dem[x->post] ? b->sup[x->dir] :
	    b->dem[x->post];
	for (long long f = 0; f <= m; f++) {
		b->sup[x->dir] -= f;
		b->dem[x->post] -= f;
		bf_go(b, a + 1, count + f, obj + (double)f * x->score);
		b->sup[x->dir] += f;
		b->dem[x->post] += f;
	}
}

TEST_TIMEOUT(allocate_brute_force, 120)
{
	long fairs = 0, with_arcs = 0;

	for (int round_ = 0; round_ < 2000; round_++) {
		struct match_spec sp[5];
		struct match_post po[3];
		struct match_dir d[3];
		char name[3][2] = { "a", "b", "c" };
		size_t nd = 1 + check_rand_n(3), ns = 2 + check_rand_n(4), np = 1 + check_rand_n(3);
		static const double mins[] = { 0, 0, 0.7, 0.8 };

		for (size_t i = 0; i < nd; i++) {
			d[i].id = (struct match_str){ name[i], 1 };
			d[i].prefixes = &dprefix[check_rand_n(5)];
			d[i].nprefixes = 1;
		}
		for (size_t i = 0; i < ns; i++)
			sp[i] = spec(codes[check_rand_n(7)], check_rand_n(5) ? 1 + (long long)check_rand_n(3) : 0);
		for (size_t i = 0; i < np; i++) {
			size_t k = check_rand_n(6);
			po[i] = post(&prefixes[k], 1 + check_rand_n(2),
			    check_rand_n(5) ? 1 + (long long)check_rand_n(3) : 0);
		}
		struct fair_in in = { &W, mins[check_rand_n(4)], d, nd, sp, ns, po, np };
		struct fair_plan pl;
		char ctx[64];
		snprintf(ctx, sizeof ctx, "random fair %d", round_);
		CHECK_CTX(ctx);

		CHECK_EQ_INT(fair_allocate(&in, &pl), 0);
		fairs++;
		with_arcs += pl.narcs > 0;
		/* the arcs, by the definition: best eligible supplying specialty */
		/* and each posting's headcount in the demand of the first of its
		 * best arcs' directions, in the reachable of every arc's */
		size_t a = 0;
		int arcs_ok = 1;
		unsigned long long dem[3] = { 0 }, reach[3] = { 0 };
		for (size_t p = 0; p < np; p++) {
			double top = -1;
			size_t topdir = nd;
			for (size_t di = 0; di < nd; di++) {
				double best = -1;
				for (size_t s = 0; s < ns; s++) {
					struct match_why why;
					if (sp[s].available <= 0 ||
					    match_direction_of(sp[s].code, d, nd) != (int)di)
						continue;
					double sc = match_score(&W, &po[p], &sp[s], &why);
					if (sc >= 0 && sc >= in.min_score && sc > best)
						best = sc;
				}
				if (best < 0)
					continue;
				arcs_ok &= a < pl.narcs && pl.arcs[a].post == p &&
				    pl.arcs[a].dir == di && pl.arcs[a].score == best;
				a++;
				reach[di] += po[p].headcount;
				if (best > top) {
					top = best;
					topdir = di;
				}
			}
			if (topdir < nd)
				dem[topdir] += po[p].headcount;
		}
		CHECK(arcs_ok && a == pl.narcs);
		for (size_t i = 0; i < nd; i++) {
			CHECK_EQ_U64(pl.demand[i], dem[i]);
			CHECK_EQ_U64(pl.reachable[i], reach[i]);
		}
		/* a feasible allocation ... */
		long long dsum[3] = { 0 }, psum[3] = { 0 }, placed = 0;
		double obj = 0;
		for (size_t i = 0; i < pl.narcs; i++) {
			CHECK(pl.flow[i] >= 0);
			dsum[pl.arcs[i].dir] += pl.flow[i];
			psum[pl.arcs[i].post] += pl.flow[i];
			placed += pl.flow[i];
			obj += (double)pl.flow[i] * pl.arcs[i].score;
		}
		for (size_t i = 0; i < nd; i++)
			CHECK(dsum[i] <= (long long)pl.supply[i]);
		for (size_t i = 0; i < np; i++)
			CHECK(psum[i] <= po[i].headcount);
		CHECK_EQ_INT(placed, pl.placed);
		CHECK_NEAR(obj, pl.objective, 1e-9);
		/* ... that no other beats */
		struct bf b = { &pl, &in, { 0 }, { 0 }, -1, -1 };
		for (size_t i = 0; i < nd; i++)
			b.sup[i] = (long long)pl.supply[i];
		for (size_t i = 0; i < np; i++)
			b.dem[i] = po[i].headcount;
		bf_go(&b, 0, 0, 0);
		CHECK_EQ_INT(pl.placed, b.best_count);
		CHECK_NEAR(pl.objective, b.best_obj, 1e-9);
		fair_plan_free(&pl);
	}
	CHECK_CTX("");
	CHECK(with_arcs > fairs / 3);          /* the test tests something */
	printf("allocate: %ld random fairs, %ld with arcs\n", fairs, with_arcs);
}

/* ---- fair.schedule ---- */

static const struct match_str sd0[] = { { "6601", 4 } }, sd1[] = { { "5101", 4 } };
static const struct match_dir sdirs[] = {
	{ { "d0", 2 }, sd0, 1 }, { { "d1", 2 }, sd1, 1 },
};
static const struct match_str sp0[] = { { "6601", 4 } }, sp1[] = { { "5101", 4 } },
    sp4[] = { { "9901", 4 } };
static struct match_spec sspecs[2];
static struct match_post sposts[3];
static const size_t only0[] = { 0 }, only1[] = { 1 }, only2[] = { 2 };
static const int feat0[] = { 0 }, feat1[] = { 1 };

/* p0 (5) reaches d0 at 1, p1 (4) d1 at 1, p2 (7) nothing. */
static void sched_fair(struct fair_in *in, struct fair_plan *arcs)
{
	sspecs[0] = spec("660103", 10);
	sspecs[1] = spec("510101", 10);
	sposts[0] = post(sp0, 1, 5);
	sposts[1] = post(sp1, 1, 4);
	sposts[2] = post(sp4, 1, 7);
	*in = (struct fair_in){ &MAJOR_ONLY, 0, sdirs, 2, sspecs, 2, sposts, 3 };
	fair_arcs(in, arcs);
}

static struct fair_ent ent(const char *id, long long wants, const char *chain,
    const size_t *posts, size_t n)
{
	struct fair_ent e = { S(id), wants, S(chain), posts, n };
	return e;
}

struct wslot {
	size_t ent, session;
	int booth;
	double rel;
};

static void expect_slots(const struct fair_slot *v, size_t n,
    const struct wslot *w, size_t m)
{
	CHECK_EQ_INT(n, m);
	for (size_t i = 0; i < n && i < m; i++) {
		CHECK_EQ_INT(v[i].ent, w[i].ent);
		CHECK_EQ_INT(v[i].session, w[i].session);
		CHECK_EQ_INT(v[i].booth, w[i].booth);
		CHECK_NEAR(v[i].relevance, w[i].rel, 1e-9);
	}
}

/* Relevance decides: each enterprise to the session featuring its field. */
TEST(schedule_relevance)
{
	struct fair_in in;
	struct fair_plan arcs;
	struct fair_slot *v;
	size_t n;
	double score;

	sched_fair(&in, &arcs);
	struct fair_ent e[2] = {
		ent("eA", 1, "", only0, 1), ent("eB", 1, "", only1, 1),
	};
	struct fair_session s[2] = {
		{ S("s0"), 1, feat1, 1 }, { S("s1"), 1, feat0, 1 },
	};
	CHECK_EQ_INT(fair_schedule(&in, &arcs, e, 2, s, 2, &v, &n, &score), 0);
	static const struct wslot w[] = { { 1, 0, 1, 4 }, { 0, 1, 1, 5 } };
	expect_slots(v, n, w, 2);
	CHECK_NEAR(score, 9, 1e-9);
	free(v);
	/* the sessions the other way round, so no arc order can pass both */
	s[0].dirs = feat0;
	s[1].dirs = feat1;
	CHECK_EQ_INT(fair_schedule(&in, &arcs, e, 2, s, 2, &v, &n, &score), 0);
	static const struct wslot w2[] = { { 0, 0, 1, 5 }, { 1, 1, 1, 4 } };
	expect_slots(v, n, w2, 2);
	CHECK_NEAR(score, 9, 1e-9);
	free(v);
	fair_plan_free(&arcs);
}

/*
 * Most enterprises first: eA would score 10 with both booths, but eB
 * (relevance 0 everywhere) must have one: 5.
 */
TEST(schedule_enterprises_first)
{
	struct fair_in in;
	struct fair_plan arcs;
	struct fair_slot *v;
	size_t n;
	double score;

	sched_fair(&in, &arcs);
	struct fair_ent e[2] = {
		ent("eA", 2, "", only0, 1), ent("eB", 1, "", only2, 1),
	};
	struct fair_session s[2] = { { S("s0"), 1, NULL, 0 }, { S("s1"), 1, NULL, 0 } };
	CHECK_EQ_INT(fair_schedule(&in, &arcs, e, 2, s, 2, &v, &n, &score), 0);
	CHECK_EQ_INT(n, 2);
	int a = 0, b = 0;
	for (size_t i = 0; i < n; i++) {
		a += v[i].ent == 0;
		b += v[i].ent == 1;
		CHECK_EQ_INT(v[i].booth, 1);
	}
	CHECK(a == 1 && b == 1);
	CHECK_NEAR(score, 5, 1e-9);
	free(v);
	fair_plan_free(&arcs);
}

/*
 * Then the most wanted slots: eA's second slot adds no relevance (s1
 * features d1 only) but is wanted, so it is given; eB wants none.
 */
TEST(schedule_wanted_slots)
{
	struct fair_in in;
	struct fair_plan arcs;
	struct fair_slot *v;
	size_t n;
	double score;

	sched_fair(&in, &arcs);
	struct fair_ent e[3] = {
		ent("eA", 2, "", only0, 1), ent("eB", 0, "", only1, 1),
		ent("eC", 5, "", only2, 1),
	};
	struct fair_session s[2] = {
		{ S("s0"), 1, feat0, 1 }, { S("s1"), 2, feat1, 1 },
	};
	CHECK_EQ_INT(fair_schedule(&in, &arcs, e, 3, s, 2, &v, &n, &score), 0);
	/* eA in s0 (5) and s1 (0); eC (wants 5, at most one per session) in s1 */
	static const struct wslot w[] = {
		{ 0, 0, 1, 5 }, { 0, 1, 1, 0 }, { 2, 1, 2, 0 },
	};
	expect_slots(v, n, w, 3);
	CHECK_NEAR(score, 5, 1e-9);
	free(v);
	fair_plan_free(&arcs);
}

/*
 * Booths: by main chain (bytes; none last), then enterprise id.  The main
 * chain is the first tag of the enterprise's list (planners.c takes it);
 * here it is given as is.
 */
TEST(schedule_booth_order)
{
	struct fair_in in;
	struct fair_plan arcs;
	struct fair_slot *v;
	size_t n;
	double score;

	sched_fair(&in, &arcs);
	struct fair_ent e[4] = {
		ent("eX", 1, "b", only0, 1), ent("eY", 1, "a", only1, 1),
		ent("eZ", 1, "", only2, 1), ent("eW", 1, "a", only0, 1),
	};
	struct fair_session s[1] = { { S("all"), 4, NULL, 0 } };
	CHECK_EQ_INT(fair_schedule(&in, &arcs, e, 4, s, 1, &v, &n, &score), 0);
	static const struct wslot w[] = {
		{ 3, 0, 1, 5 }, { 1, 0, 2, 4 }, { 0, 0, 3, 5 }, { 2, 0, 4, 0 },
	};
	expect_slots(v, n, w, 4);
	CHECK_NEAR(score, 14, 1e-9);
	free(v);
	fair_plan_free(&arcs);
}
