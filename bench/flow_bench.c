/*
 * flow_bench — times flow_max_min_cost on seeded fair.allocate-shaped
 * networks and writes each as DIMACS for bench/lemon_mcf.cpp.
 *
 * A network: node 0 the source, 1 the sink, then D supply nodes
 * (directions), then P postings.  source→direction capacity = its
 * graduates; direction→posting capacity = the posting's headcount, cost
 * −round(score·1e9); posting→sink capacity = headcount.  A posting's
 * arcs go to a home direction and some near it (directions that share
 * majors sit together), scores mix the posting, the direction and noise,
 * and a third of them fall on a few common values, as real scores tie.
 *
 *   flow_bench [--size a|b|c|u] [--runs N] [--seed S] [--dimacs FILE]
 *
 * Sizes: a Jinhua (18 directions, 200 enterprises, 1,499 postings,
 * 6,500 positions, ~1,500 graduates, 5,272 arcs); b ten times that (60
 * directions, 2,000 enterprises, 65,000 positions over 15,000 postings,
 * ~15,000 graduates, 60,060 arcs); c 1,000 supply nodes, 100,000
 * postings, 400,000 positions, ~300,000 graduates, 600,000 arcs; u is c
 * without locality (a posting's directions uniform over all 1,000), a
 * harder case for both solvers.  Prints one line:
 *   size nodes arcs median_ms min_ms cost value maxflow_ms simplex_ms pivots
 *   cold_ms
 * the flow_max_min_cost times (median and least of --runs; the phases
 * and pivots of the last run), then cold_ms: one flow_solve of the
 * same supplies from the all-artificial start, as LEMON does it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchlib.h"
#include "flow.h"

static int rndn(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

struct shape {
	const char *name;
	int dirs, ents, posts;
	int arcs;            /* direction→posting arcs, exactly */
	long long grads;     /* Σ supply, about */
	long long places;    /* Σ headcount, exactly */
	int spread;          /* a posting's directions: home ± spread */
};

static const struct shape shapes[] = {
	{"a", 18, 200, 1499, 3755, 1500, 6500, 18},
	{"b", 60, 2000, 15000, 45000, 15000, 65000, 6},
	{"c", 1000, 20000, 100000, 499000, 300000, 400000, 12},
	{"u", 1000, 20000, 100000, 499000, 300000, 400000, 500},
};

/* A score in units of 1e-9: posting and direction parts, noise, ties. */
static int64_t score(int64_t pq, int64_t dq)
{
	static const int64_t common[] = {
		600000000, 720000000, 750000000, 800000000, 900000000,
	};
	if (rndn(3) == 0)
		return common[rndn(5)];
	int64_t s = (pq + dq) / 2 + rndn(200000001) - 100000000;
	return s < 0 ? 0 : s > 1000000000 ? 1000000000 : s;
}

/* n counts ≥ 1 summing to total, the rest dealt at random. */
static int *deal(int n, long long total, int cap)
{
	int *c = malloc((size_t)n * sizeof *c);

	for (int i = 0; i < n; i++)
		c[i] = 1;
	for (long long k = total - n; k > 0;) {
		int i = rndn(n);
		if (c[i] < cap)
			c[i]++, k--;
	}
	return c;
}

/*
 * Shape sh as a network: nodes 0 source, 1 sink, 2.. directions, then
 * postings.  Postings belong to enterprises in runs; an enterprise has
 * a home direction and a quality its postings share.
 */
static struct flow *build(const struct shape *sh)
{
	int D = sh->dirs, P = sh->posts, lim = 2 * sh->spread + 1;
	struct flow *f = flow_new(2 + D + P);
	int64_t *dq = malloc((size_t)D * sizeof *dq);
	unsigned *w = malloc((size_t)D * sizeof *w);
	int *used = calloc((size_t)D, sizeof *used);
	long long wsum = 0;

	if (lim > D)
		lim = D;
	/* graduates: a skewed share per direction */
	for (int d = 0; d < D; d++) {
		w[d] = 1 + (unsigned)rndn(100) * (unsigned)rndn(100) / 100;
		wsum += w[d];
		dq[d] = 400000000 + rndn(400000001);
	}
	for (int d = 0; d < D; d++)
		flow_arc(f, 0, 2 + d, sh->grads * w[d] / wsum, 0);
	int *per = deal(P, sh->arcs, lim);
	int *head = deal(P, sh->places, 1000);
	int home = 0;
	int64_t eq = 0;
	for (int p = 0, e = -1; p < P; p++) {
		if (e < (int)((long long)p * sh->ents / P)) {
			e++;
			home = rndn(D);
			eq = 300000000 + rndn(600000001);
		}
		int64_t pq = eq + rndn(100000001) - 50000000;
		int ph = (home + D + rndn(3) - 1) % D;
		for (int k = 0; k < per[p];) {
			int d = k == 0 ? ph : (ph + D + rndn(lim) - lim / 2) % D;
			if (used[d] == p + 1)
				continue;
			used[d] = p + 1;
			flow_arc(f, 2 + d, 2 + D + p, head[p], -score(pq, dq[d]));
			k++;
		}
	}
	for (int p = 0; p < P; p++)
		flow_arc(f, 2 + D + p, 1, head[p], 0);
	free(used);
	free(dq);
	free(per);
	free(head);
	free(w);
	return f;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *size = "a", *dimacs = NULL, *arg;
	int runs = 5;
	uint64_t seed = 20260301;

	for (int i = 1; i < argc; i++) {
		if ((arg = opt_value(argc, argv, &i, "--size")))
			size = arg;
		else if ((arg = opt_value(argc, argv, &i, "--runs")))
			runs = atoi(arg);
		else if ((arg = opt_value(argc, argv, &i, "--seed")))
			seed = strtoull(arg, NULL, 10);
		else if ((arg = opt_value(argc, argv, &i, "--dimacs")))
			dimacs = arg;
		else {
			fprintf(stderr, "usage: flow_bench [--size a|b|c|u] [--runs N] "
			    "[--seed S] [--dimacs FILE]\n");
			return 2;
		}
	}
	const struct shape *sh = NULL;
	for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++)
		if (!strcmp(size, shapes[k].name))
			sh = &shapes[k];
	if (!sh || runs < 1) {
		fprintf(stderr, "flow_bench: unknown size %s\n", size);
		return 2;
	}
	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	struct flow *f = build(sh);
	double *ms = malloc((size_t)runs * sizeof *ms);
	int64_t value = 0;
	struct flow_stats st;

	for (int r = 0; r < runs; r++) {
		double t0 = now_ms();
		enum flow_status rc = flow_max_min_cost(f, 0, 1, &value);
		ms[r] = now_ms() - t0;
		if (rc != FLOW_OPTIMAL) {
			fprintf(stderr, "flow_bench: status %d\n", rc);
			return 1;
		}
	}
	flow_get_stats(f, &st);
	qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
	int64_t cost = flow_cost(f);

	/*
	 * The simplex alone from the all-artificial start, on the supplies
	 * flow_max_min_cost left (F at the source, -F at the sink): the very
	 * problem lemon_mcf gets, solved the way it solves it.
	 */
	double t0 = now_ms();
	if (flow_solve(f) != FLOW_OPTIMAL || flow_cost(f) != cost) {
		fprintf(stderr, "flow_bench: the cold solve differs\n");
		return 1;
	}
	double cold = now_ms() - t0;
	if (dimacs) {
		FILE *out = fopen(dimacs, "w");
		if (!out || flow_write_dimacs(f, out) < 0 || fclose(out) != 0) {
			perror(dimacs);
			return 1;
		}
	}
	int nodes = 2 + sh->dirs + sh->posts;
	int arcs = sh->dirs + sh->arcs + sh->posts;
	printf("%s %d %d %.2f %.2f %lld %lld %.2f %.2f %lld %.2f\n", sh->name,
	    nodes, arcs, ms[runs / 2], ms[0], (long long)cost,
	    (long long)value, st.maxflow_ms, st.simplex_ms, st.pivots, cold);
	free(ms);
	flow_free(f);
	return 0;
}
