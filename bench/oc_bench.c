/*
 * oc_bench — oc_solve on seeded order-class instances of three shapes.
 *
 *   oc_bench [--shape school|city|province] [--seed S] [--limit MS]
 *            [--method full|cbc|nocbc] [--min N] [--max N] [--runs N]
 *            [--specs N] [--ents N] [--per-spec N] [--cities N]
 *   oc_bench --instance FILE [--limit MS] [--method M] [--runs N]
 *
 * Shapes (supplies uniform in [20, 120], demands in [5, 100], scores
 * uniform in [0.3, 1] at 1e-9):
 *   school    30 specialties × 200 enterprises, each pair eligible with
 *             probability 0.4 (~2,400 pairs), as one Jinhua school;
 *   city      500 × 2,000, each specialty eligible at --per-spec (60)
 *             enterprises drawn uniformly (~30,000 pairs);
 *   province  10,000 × 100,000 in --cities (11) cities of equal size,
 *             each specialty eligible at 60 enterprises of its own city
 *             (~600,000 pairs).
 * --specs and --ents resize a shape.  --instance reads one instance
 * instead (its shape is printed as the file's name without directory and
 * extension): a real one, written from an orderclass.plan explain reply by
 * bench/oc_instance.py, whose format it documents; its `size` line gives
 * min and max (--min, --max after --instance override them).  Methods: full (oc_solve), cbc (CBC
 * alone: no relaxations, no heuristics, no start), nocbc (relaxations and
 * heuristics only).  One line per run:
 *   shape method pairs components objective bound gap_pct optimal solve_ms
 *   rss_mb child_rss_mb lp_bound lagrange_bound heuristic cbc_runs cbc_killed
 *   cpu_ms
 * gap_pct = 100·(bound − objective)/objective; rss_mb the process's peak
 * resident set, child_rss_mb the largest CBC child's; cpu_ms the CPU time
 * of the solve and its CBC children (on a busy machine a steadier measure
 * than solve_ms).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchlib.h"
#include "orderclass.h"

static long long rndr(long long lo, long long hi)   /* uniform in [lo, hi] */
{
	return lo + (long long)(rnd() % (uint64_t)(hi - lo + 1));
}

static double rscore(void)
{
	double u = (double)(rnd() >> 11) / 9007199254740992.0;
	return (double)(long long)((0.3 + 0.7 * u) * 1e9 + 0.5) / 1e9;
}

struct inst {
	size_t ns, ne, np, cap;
	long long *supply, *demand;
	struct oc_pair *pairs;
};

static void add_pair(struct inst *I, uint32_t s, uint32_t e)
{
	if (I->np == I->cap) {
		I->cap = I->cap ? 2 * I->cap : 4096;
		I->pairs = realloc(I->pairs, I->cap * sizeof *I->pairs);
		if (!I->pairs)
			abort();
	}
	I->pairs[I->np].spec = s;
	I->pairs[I->np].ent = e;
	I->pairs[I->np].score = rscore();
	I->np++;
}

/* The file of bench/oc_instance.py; exits on a malformed one. */
static void load(struct inst *I, const char *path, long long *min,
    long long *max)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t n = 0, want = 0;
	int part = 0;   /* 1 supply, 2 demand, 3 pairs */

	memset(I, 0, sizeof *I);
	if (!f) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof line, f)) {
		unsigned long long a, b;
		double sc;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (n == want && sscanf(line, "size %lld %lld", min, max) == 2)
			continue;
		if (n == want && sscanf(line, "specs %llu", &a) == 1) {
			I->ns = want = a;
			I->supply = calloc(a + 1, sizeof *I->supply);
			part = 1, n = 0;
		} else if (n == want && sscanf(line, "ents %llu", &a) == 1) {
			I->ne = want = a;
			I->demand = calloc(a + 1, sizeof *I->demand);
			part = 2, n = 0;
		} else if (n == want && sscanf(line, "pairs %llu", &a) == 1) {
			I->cap = want = a;
			I->pairs = calloc(a + 1, sizeof *I->pairs);
			part = 3, n = 0;
		} else if (n < want && part == 1 && sscanf(line, "%llu", &a) == 1)
			I->supply[n++] = (long long)a;
		else if (n < want && part == 2 && sscanf(line, "%llu", &a) == 1)
			I->demand[n++] = (long long)a;
		else if (n < want && part == 3 &&
		    sscanf(line, "%llu %llu %lf", &a, &b, &sc) == 3 &&
		    a < I->ns && b < I->ne) {
			I->pairs[n].spec = (uint32_t)a;
			I->pairs[n].ent = (uint32_t)b;
			I->pairs[n++].score = sc;
			I->np = n;
		} else {
			fprintf(stderr, "oc_bench: %s: bad line %s", path, line);
			exit(2);
		}
		if ((part == 1 && !I->supply) || (part == 2 && !I->demand) ||
		    (part == 3 && !I->pairs))
			abort();
	}
	fclose(f);
	if (part != 3 || n != want || !I->supply || !I->demand) {
		fprintf(stderr, "oc_bench: %s: incomplete\n", path);
		exit(2);
	}
}

/* CPU milliseconds of this process and its reaped children (CBC's) */
static double cpu_ms(void)
{
	struct rusage a, b;
	getrusage(RUSAGE_SELF, &a);
	getrusage(RUSAGE_CHILDREN, &b);
	return (double)(a.ru_utime.tv_sec + a.ru_stime.tv_sec + b.ru_utime.tv_sec +
	    b.ru_stime.tv_sec) * 1e3 + (double)(a.ru_utime.tv_usec + a.ru_stime.tv_usec +
	    b.ru_utime.tv_usec + b.ru_stime.tv_usec) / 1e3;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/*
 * Specs split into `cities` blocks, ents likewise; a spec draws `per`
 * distinct ents of its block (density > 0: each of its block's ents with
 * that probability instead).
 */
static void gen(struct inst *I, size_t ns, size_t ne, size_t cities,
    size_t per, double density)
{
	uint32_t *pick = malloc((per + 1) * sizeof *pick);

	memset(I, 0, sizeof *I);
	I->ns = ns;
	I->ne = ne;
	I->supply = malloc(ns * sizeof *I->supply);
	I->demand = malloc(ne * sizeof *I->demand);
	for (size_t i = 0; i < ns; i++)
		I->supply[i] = rndr(20, 120);
	for (size_t j = 0; j < ne; j++)
		I->demand[j] = rndr(5, 100);
	for (size_t i = 0; i < ns; i++) {
		size_t c = i * cities / ns;
		size_t e0 = c * ne / cities, e1 = (c + 1) * ne / cities;
		if (density > 0) {
			for (size_t j = e0; j < e1; j++)
				if ((double)(rnd() >> 11) / 9007199254740992.0 < density)
					add_pair(I, (uint32_t)i, (uint32_t)j);
			continue;
		}
		size_t n = per < e1 - e0 ? per : e1 - e0;
		for (size_t t = 0; t < n; t++) {
			uint32_t e;
			int dup;
			do {
				e = (uint32_t)rndr((long long)e0, (long long)e1 - 1);
				dup = 0;
				for (size_t u = 0; u < t; u++)
					dup |= pick[u] == e;
			} while (dup);
			pick[t] = e;
		}
		qsort(pick, n, sizeof *pick, cmp_u32);
		for (size_t t = 0; t < n; t++)
			add_pair(I, (uint32_t)i, pick[t]);
	}
	free(pick);
}

int main(int argc, char **argv)
{
	const char *shape = "school", *method = "full", *file = NULL;
	char name[64];
	long long seed = 1, min = 20, max = 40, runs = 1;
	double limit = 10000;
	size_t ns = 0, ne = 0, per = 60, cities = 11;
	struct inst I;

	for (int a = 1; a + 1 < argc; a += 2) {
		const char *k = argv[a], *v = argv[a + 1];
		if (!strcmp(k, "--shape"))
			shape = v;
		else if (!strcmp(k, "--seed"))
			seed = atoll(v);
		else if (!strcmp(k, "--limit"))
			limit = atof(v);
		else if (!strcmp(k, "--method"))
			method = v;
		else if (!strcmp(k, "--min"))
			min = atoll(v);
		else if (!strcmp(k, "--max"))
			max = atoll(v);
		else if (!strcmp(k, "--runs"))
			runs = atoll(v);
		else if (!strcmp(k, "--specs"))
			ns = (size_t)atoll(v);
		else if (!strcmp(k, "--ents"))
			ne = (size_t)atoll(v);
		else if (!strcmp(k, "--per-spec"))
			per = (size_t)atoll(v);
		else if (!strcmp(k, "--cities"))
			cities = (size_t)atoll(v);
		else if (!strcmp(k, "--instance")) {
			file = v;
			load(&I, file, &min, &max);
		}
		else {
			fprintf(stderr, "oc_bench: unknown option %s\n", k);
			return 2;
		}
	}
	rng = 0x9e3779b97f4a7c15ull ^ ((uint64_t)seed * 0xbf58476d1ce4e5b9ull);
	if (!rng)
		rng = 1;
	if (file) {
		const char *b = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
		snprintf(name, sizeof name, "%.*s", (int)strcspn(b, "."), b);
		shape = name;
	} else if (!strcmp(shape, "school"))
		gen(&I, ns ? ns : 30, ne ? ne : 200, 1, 0, 0.4);
	else if (!strcmp(shape, "city"))
		gen(&I, ns ? ns : 500, ne ? ne : 2000, 1, per, 0);
	else if (!strcmp(shape, "province"))
		gen(&I, ns ? ns : 10000, ne ? ne : 100000, cities, per, 0);
	else {
		fprintf(stderr, "oc_bench: unknown shape %s\n", shape);
		return 2;
	}

	struct oc_in in = {
		.nspecs = I.ns, .nents = I.ne, .npairs = I.np,
		.supply = I.supply, .demand = I.demand, .pairs = I.pairs,
		.min_size = min, .max_size = max, .time_limit_ms = limit,
		.method = !strcmp(method, "cbc") ? OC_CBC_ONLY :
		    !strcmp(method, "nocbc") ? OC_NO_CBC : OC_FULL,
	};
	for (long long r = 0; r < runs; r++) {
		struct oc_plan p;
		double cpu0 = cpu_ms();
		if (oc_solve(&in, &p) != 0) {
			fprintf(stderr, "oc_bench: oc_solve failed\n");
			return 1;
		}
		double cpu = cpu_ms() - cpu0;
		printf("%s %s %zu %zu %.6f %.6f %.4f %d %.1f %.1f %.1f %.6f %.6f "
		    "%.6f %d %d %.1f\n", shape, method, I.np, p.components,
		    p.objective, p.bound,
		    p.objective > 0 ? 100 * (p.bound - p.objective) / p.objective : 0,
		    p.optimal, p.solve_ms, peak_rss_mb(RUSAGE_SELF),
		    peak_rss_mb(RUSAGE_CHILDREN), p.lp_bound, p.lagrange_bound,
		    p.heuristic, p.cbc_runs, p.cbc_killed, cpu);
		fflush(stdout);
		oc_plan_free(&p);
	}
	free(I.supply);
	free(I.demand);
	free(I.pairs);
	return 0;
}
