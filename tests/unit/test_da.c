/*
 * test_da — deferred acceptance of da.h against independent, plain
 * implementations: the program rankings spelt out as rank arrays by
 * sorting, one-at-a-time Gale–Shapley from a queue (the student-optimal
 * stable matching is unique, so the matchings must be identical) and the
 * round-by-round process of the definition (for `rounds`); on tiny
 * instances every matching is enumerated to check stability,
 * student-optimality and da_blocking's count.
 *
 * Random instances have the daemon's shape in small: groups of students
 * sharing one list (one pointer), some students with a private list drawn
 * from their group's, scores and grades from a few values so they tie,
 * missing grades, capacities 0, 1, small and huge.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "da.h"

struct inst {
	size_t ns, np;
	struct da_list *list;
	double *grade;
	long long *cap;
	uint32_t *prog;          /* storage the lists point into */
	da_score *score;
	struct da_in in;
};

static void inst_free(struct inst *t)
{
	free(t->list);
	free(t->grade);
	free(t->cap);
	free(t->prog);
	free(t->score);
}

struct shape {
	size_t ns, np;           /* at most */
	long long maxcap;        /* capacities 0..maxcap, some huge */
};

static void shuffle(uint32_t *a, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = check_rand_n((uint32_t)i);
		uint32_t x = a[i - 1];
		a[i - 1] = a[j];
		a[j] = x;
	}
}

static da_score pick_score(void)
{
	static const da_score few[] = { 500000000, 700000000, 700000000,
		900000000, 123456789 };
	if (check_rand_n(4))
		return few[check_rand_n(5)];
	return check_rand_n(1000000001);
}

static double pick_grade(void)
{
	static const double few[] = { -1, -3, 0, 60, 60, 75.5, 100 };
	if (check_rand_n(4))
		return few[check_rand_n(7)];
	return check_rand_n(1001) / 10.0;
}

/*
 * A random instance: 1..3 groups, each a random subset of programs (most
 * of them, mostly) in random order with a score per pair; a student takes
 * its group's list (shared; now and then only a prefix of it, same
 * pointer) or, one in three, a private one: a random subset of the
 * group's in random order, mostly with the group's scores.
 */
static void gen(struct inst *t, const struct shape *sh)
{
	size_t ns = 1 + check_rand_n((uint32_t)sh->ns), np = 1 + check_rand_n((uint32_t)sh->np);
	size_t ng = 1 + check_rand_n(3), used = 0;
	uint32_t *perm = malloc(np * sizeof *perm);
	const uint32_t *gprog[3];
	const da_score *gscore[3];
	size_t glen[3];

	memset(t, 0, sizeof *t);
	t->ns = ns;
	t->np = np;
	t->list = calloc(ns, sizeof *t->list);
	t->grade = malloc(ns * sizeof *t->grade);
	t->cap = malloc(np * sizeof *t->cap);
	t->prog = malloc((ng + ns) * np * sizeof *t->prog);
	t->score = malloc((ng + ns) * np * sizeof *t->score);
	for (size_t p = 0; p < np; p++) {
		uint32_t r = check_rand_n(10);
		t->cap[p] = r < 2 ? 0 : r < 5 ? 1 : r < 9 || check_rand_n(2) ?
		    1 + check_rand_n((uint32_t)sh->maxcap) : (long long)1 << 40;
	}
	for (size_t g = 0; g < ng; g++) {
		for (size_t p = 0; p < np; p++)
			perm[p] = (uint32_t)p;
		shuffle(perm, np);
		glen[g] = check_rand_n(4) ? np - check_rand_n((uint32_t)np / 2 + 1) :
		    check_rand_n((uint32_t)np + 1);
		gprog[g] = t->prog + used;
		gscore[g] = t->score + used;
		for (size_t i = 0; i < glen[g]; i++) {
			t->prog[used] = perm[i];
			t->score[used++] = pick_score();
		}
	}
	for (size_t s = 0; s < ns; s++) {
		size_t g = check_rand_n((uint32_t)ng), n;
		t->grade[s] = pick_grade();
		if (check_rand_n(3)) {
			t->list[s].prog = gprog[g];
			t->list[s].score = gscore[g];
			t->list[s].n = glen[g];
			if (!check_rand_n(8) && glen[g])     /* a prefix, same pointer */
				t->list[s].n = check_rand_n((uint32_t)glen[g]);
			continue;
		}
		for (size_t i = 0; i < glen[g]; i++)
			perm[i] = (uint32_t)i;
		shuffle(perm, glen[g]);
		n = glen[g] ? check_rand_n((uint32_t)glen[g] + 1) : 0;
		t->list[s].prog = t->prog + used;
		t->list[s].score = t->score + used;
		t->list[s].n = n;
		for (size_t i = 0; i < n; i++) {
			t->prog[used] = gprog[g][perm[i]];
			t->score[used++] = check_rand_n(5) ? gscore[g][perm[i]] : pick_score();
		}
	}
	free(perm);
	t->in.nstudents = ns;
	t->in.nprograms = np;
	t->in.list = t->list;
	t->in.grade = t->grade;
	t->in.capacity = t->cap;
	t->in.cancel = NULL;
}

/* ---- the reference: rank arrays by sorting ---- */

struct cand {
	uint32_t s;
	double score, grade;
};

static int by_program(const void *va, const void *vb)
{
	const struct cand *a = va, *b = vb;
	int am = a->grade < 0, bm = b->grade < 0;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (am != bm)
		return am - bm;
	if (!am && a->grade != b->grade)
		return a->grade > b->grade ? -1 : 1;
	return a->s < b->s ? -1 : 1;
}

/* rank[p * ns + s]: p's rank of s (0 best), or -1 when s does not list p. */
static long *ranks(const struct inst *t)
{
	long *rank = malloc(t->np * t->ns * sizeof *rank);
	struct cand *c = malloc((t->ns + 1) * sizeof *c);
	for (size_t p = 0; p < t->np; p++) {
		size_t n = 0;
		for (size_t s = 0; s < t->ns; s++) {
			rank[p * t->ns + s] = -1;
			for (size_t i = 0; i < t->list[s].n; i++)
				if (t->list[s].prog[i] == p) {
					c[n].s = (uint32_t)s;
					c[n].score = t->list[s].score[i];
					c[n++].grade = t->grade[s];
				}
		}
		qsort(c, n, sizeof *c, by_program);
		for (size_t i = 0; i < n; i++)
			rank[p * t->ns + c[i].s] = (long)i;
	}
	free(c);
	return rank;
}

/* Gale–Shapley one proposal at a time, free students in a FIFO queue. */
static void gale_shapley(const struct inst *t, const long *rank, int32_t *m)
{
	size_t ns = t->ns, qh = 0, qt = 0, cap = ns * (t->np + 2) + 1;
	uint32_t *q = malloc(cap * sizeof *q);
	size_t *next = calloc(ns, sizeof *next);
	long long *held = calloc(t->np, sizeof *held);

	for (size_t s = 0; s < ns; s++) {
		m[s] = -1;
		q[qt++] = (uint32_t)s;
	}
	while (qh < qt) {
		uint32_t s = q[qh++];
		if (next[s] == t->list[s].n)
			continue;
		uint32_t p = t->list[s].prog[next[s]++];
		if (held[p] < t->cap[p]) {
			m[s] = (int32_t)p;
			held[p]++;
			continue;
		}
		long w = -1;
		for (size_t u = 0; u < ns; u++)
			if (m[u] == (int32_t)p && (w < 0 || rank[p * ns + u] > rank[p * ns + w]))
				w = (long)u;
		if (w >= 0 && rank[p * ns + s] < rank[p * ns + w]) {
			m[w] = -1;
			m[s] = (int32_t)p;
			q[qt++] = (uint32_t)w;
		} else {
			q[qt++] = s;
		}
	}
	free(q);
	free(next);
	free(held);
}

/*
 * The definition word for word: each round every free student with
 * programs left proposes to its next; each program keeps its best
 * `capacity` of held and new and rejects the rest.  Returns the rounds.
 */
static long long round_by_round(const struct inst *t, const long *rank, int32_t *m)
{
	size_t ns = t->ns;
	size_t *next = calloc(ns, sizeof *next);
	int *fresh = calloc(ns, sizeof *fresh);
	long long rounds = 0;

	for (size_t s = 0; s < ns; s++)
		m[s] = -1;
	for (;;) {
		int any = 0;
		memset(fresh, 0, ns * sizeof *fresh);
		for (size_t s = 0; s < ns; s++)
			if (m[s] < 0 && next[s] < t->list[s].n) {
				m[s] = (int32_t)t->list[s].prog[next[s]++];
				fresh[s] = any = 1;
			}
		if (!any)
			break;
		rounds++;
		for (size_t p = 0; p < t->np; p++) {
			/* keep the cap best of those at p, by rank */
			for (;;) {
				long long n = 0;
				long w = -1;
				for (size_t u = 0; u < ns; u++)
					if (m[u] == (int32_t)p) {
						n++;
						if (w < 0 || rank[p * ns + u] > rank[p * ns + w])
							w = (long)u;
					}
				if (n <= t->cap[p])
					break;
				m[w] = -1;
			}
		}
	}
	free(next);
	free(fresh);
	return rounds;
}

/* Blocking pairs by the definition, from the rank arrays. */
static long long brute_blocking(const struct inst *t, const long *rank,
    const int32_t *m)
{
	size_t ns = t->ns;
	long long n = 0;
	for (size_t s = 0; s < ns; s++)
		for (size_t i = 0; i < t->list[s].n; i++) {
			uint32_t p = t->list[s].prog[i];
			long long held = 0;
			int below = 0;
			if ((int32_t)p == m[s])
				break;
			for (size_t u = 0; u < ns; u++)
				if (m[u] == (int32_t)p) {
					held++;
					below |= rank[p * ns + u] > rank[p * ns + s];
				}
			n += held < t->cap[p] || below;
		}
	return n;
}

/* Where m[s] is on s's list; the list's length when unmatched. */
static size_t pos(const struct inst *t, size_t s, int32_t p)
{
	size_t i = 0;
	while (i < t->list[s].n && (int32_t)t->list[s].prog[i] != p)
		i++;
	return i;
}

static void check_against_reference(const struct shape *sh, int cases)
{
	for (int c = 0; c < cases; c++) {
		struct inst t;
		struct da_out out;
		char ctx[64];
		gen(&t, sh);
		snprintf(ctx, sizeof ctx, "case %d", c);
		CHECK_CTX(ctx);
		long *rank = ranks(&t);
		int32_t *gs = malloc(t.ns * sizeof *gs), *rr = malloc(t.ns * sizeof *rr);
		gale_shapley(&t, rank, gs);
		long long rounds = round_by_round(&t, rank, rr);
		CHECK_EQ_INT(da_match(&t.in, &out), 0);
		CHECK_EQ_INT(out.cancelled, 0);
		CHECK(!memcmp(gs, rr, t.ns * sizeof *gs));
		CHECK(!memcmp(out.match, gs, t.ns * sizeof *gs));
		CHECK_EQ_INT(out.rounds, rounds);
		CHECK_EQ_INT(out.blocking_pairs, 0);
		CHECK_EQ_INT(brute_blocking(&t, rank, out.match), 0);
		/* and the count on an arbitrary matching */
		for (size_t s = 0; s < t.ns; s++)
			rr[s] = t.list[s].n && check_rand_n(4) ?
			    (int32_t)t.list[s].prog[check_rand_n((uint32_t)t.list[s].n)] : -1;
		CHECK_EQ_INT(da_blocking(&t.in, rr), brute_blocking(&t, rank, rr));
		da_out_free(&out);
		CHECK(out.match == NULL);
		free(gs);
		free(rr);
		free(rank);
		inst_free(&t);
	}
	CHECK_CTX("");
}

TEST_TIMEOUT(small_random_equal_gale_shapley_and_round_by_round, 120)
{
	static const struct shape sh = { 8, 5, 2 };
	check_against_reference(&sh, 20000);
}

TEST_TIMEOUT(medium_random_equal_gale_shapley_and_round_by_round, 300)
{
	static const struct shape sh = { 120, 25, 12 };
	check_against_reference(&sh, 2000);
}

TEST_TIMEOUT(larger_random_equal_gale_shapley_and_round_by_round, 300)
{
	static const struct shape sh = { 400, 60, 30 };
	check_against_reference(&sh, 150);
}

/*
 * Every matching of a tiny instance (each student unmatched or at a
 * program of its list): da_blocking agrees with the definition on all of
 * them, capacity kept or not; the answer is stable, and no student does
 * better in any other stable matching.
 */
TEST_TIMEOUT(tiny_brute_force_stable_and_student_optimal, 300)
{
	static const struct shape sh = { 5, 3, 2 };
	for (int c = 0; c < 3000; c++) {
		struct inst t;
		struct da_out out;
		char ctx[64];
		gen(&t, &sh);
		snprintf(ctx, sizeof ctx, "case %d", c);
		CHECK_CTX(ctx);
		long *rank = ranks(&t);
		size_t ns = t.ns, choice[5] = { 0 };
		int32_t m[5];
		int ok = 1, self_stable = 0;
		CHECK_EQ_INT(da_match(&t.in, &out), 0);
		for (;;) {
			int fits = 1;
			for (size_t s = 0; s < ns; s++)
				m[s] = choice[s] == t.list[s].n ? -1 :
				    (int32_t)t.list[s].prog[choice[s]];
			for (size_t p = 0; p < t.np; p++) {
				long long n = 0;
				for (size_t s = 0; s < ns; s++)
					n += m[s] == (int32_t)p;
				fits &= n <= t.cap[p];
			}
			long long b = brute_blocking(&t, rank, m);
			ok &= da_blocking(&t.in, m) == b;
			if (fits && b == 0) {
				self_stable |= !memcmp(m, out.match, ns * sizeof *m);
				for (size_t s = 0; s < ns; s++)
					ok &= pos(&t, s, out.match[s]) <= pos(&t, s, m[s]);
			}
			size_t s = 0;
			while (s < ns && choice[s] == t.list[s].n)
				choice[s++] = 0;
			if (s == ns)
				break;
			choice[s]++;
		}
		CHECK(ok);
		CHECK(self_stable);
		da_out_free(&out);
		free(rank);
		inst_free(&t);
	}
	CHECK_CTX("");
}

/*
 * Programs A, B, C, D of capacity 1.  s0 lists A .5, C .5; s1 B .5, A .9;
 * s2 B .9; s3 A .1, B .1, C .1, D .1.
 * Round 1: s0, s3 → A keeps s0; s1, s2 → B keeps s2.
 * Round 2: s1 → A, which drops s0 (.9 > .5); s3 → B, held by s2 at .9.
 * Round 3: s0, s3 → C keeps s0.  Round 4: s3 → D.  No one is left: 4.
 */
TEST(rounds_of_a_hand_built_instance)
{
	static const uint32_t p0[] = { 0, 2 }, p1[] = { 1, 0 }, p2[] = { 1 },
	    p3[] = { 0, 1, 2, 3 };
	static const da_score s0[] = { 5, 5 }, s1[] = { 5, 9 }, s2[] = { 9 },
	    s3[] = { 1, 1, 1, 1 };
	const struct da_list l[] = {
		{ p0, s0, 2 }, { p1, s1, 2 }, { p2, s2, 1 }, { p3, s3, 4 },
	};
	static const double grade[] = { 50, 50, 50, 50 };
	static const long long cap[] = { 1, 1, 1, 1 };
	const struct da_in in = { 4, 4, l, grade, cap, NULL };
	struct da_out out;
	CHECK_EQ_INT(da_match(&in, &out), 0);
	CHECK_EQ_INT(out.rounds, 4);
	CHECK_EQ_INT(out.match[0], 2);
	CHECK_EQ_INT(out.match[1], 0);
	CHECK_EQ_INT(out.match[2], 1);
	CHECK_EQ_INT(out.match[3], 3);
	CHECK_EQ_INT(out.blocking_pairs, 0);
	da_out_free(&out);
}

/* Nobody with a list: no round, nobody matched. */
TEST(empty_lists_make_no_round)
{
	const struct da_list l[] = { { NULL, NULL, 0 }, { NULL, NULL, 0 } };
	static const double grade[] = { 1, -1 };
	static const long long cap[] = { 3 };
	const struct da_in in = { 2, 1, l, grade, cap, NULL };
	struct da_out out;
	CHECK_EQ_INT(da_match(&in, &out), 0);
	CHECK_EQ_INT(out.rounds, 0);
	CHECK_EQ_INT(out.match[0], -1);
	CHECK_EQ_INT(out.match[1], -1);
	da_out_free(&out);
}

TEST(cancel_set_before_the_call)
{
	static const uint32_t p[] = { 0 };
	static const da_score sc[] = { 5 };
	const struct da_list l[] = { { p, sc, 1 } };
	static const double grade[] = { 1 };
	static const long long cap[] = { 1 };
	volatile int stop = 1;
	const struct da_in in = { 1, 1, l, grade, cap, &stop };
	struct da_out out;
	CHECK_EQ_INT(da_match(&in, &out), -1);
	CHECK_EQ_INT(out.cancelled, 1);
	CHECK(out.match == NULL);
	da_out_free(&out);
}

/* Score, then grade with missing (any value < 0) last, then index. */
TEST(prefers_score_grade_missing_last_index)
{
	static const double grade[] = { 60, 70, -1, -5, 60 };
	const struct da_in in = { 5, 0, NULL, grade, NULL, NULL };
	CHECK(da_prefers(&in, 0, 800000000, 1, 700000000));
	CHECK(!da_prefers(&in, 1, 700000000, 0, 800000000));
	CHECK(da_prefers(&in, 1, 700000000, 0, 700000000));
	CHECK(da_prefers(&in, 0, 700000000, 2, 700000000));
	CHECK(!da_prefers(&in, 2, 700000000, 0, 700000000));
	CHECK(da_prefers(&in, 2, 700000000, 3, 700000000));
	CHECK(!da_prefers(&in, 3, 700000000, 2, 700000000));
	CHECK(da_prefers(&in, 0, 700000000, 4, 700000000));
	CHECK(!da_prefers(&in, 4, 700000000, 0, 700000000));
	CHECK(!da_prefers(&in, 0, 700000000, 0, 700000000));
	CHECK(da_prefers(&in, 3, 700000001, 0, 700000000));
}
