/*
 * da_bench — times da_match (deferred acceptance, with its blocking-pair
 * check) and da_blocking alone on a seeded apprenticeship-shaped instance.
 *
 *   da_bench [--students N] [--programs P] [--cap R] [--prefs F] [--seed S]
 *
 * The shape: programs fall into field groups of ~2,500; students into
 * specialties of ~50 (a student's specialty is drawn at random, so one
 * specialty's students are scattered over the index range, as ids are).
 * A specialty is eligible for a log-uniform 200..2,500 programs of one
 * group, each pair scoring one of seven values (many ties); its list,
 * shared by all its students without stated prefs (one pointer), is
 * ordered by score, then program index.  A fraction F (default 0.3) of
 * the students have stated prefs: a private list of 1–5 of their
 * specialty's programs in random order.  Capacities are uniform with
 * Σ capacity ≈ R × students (default 0.8); grades are whole numbers
 * 0..100, 5% missing.
 *
 * Prints one line:
 *   students programs avg_list cap_ratio pct_prefs matched rounds blocking
 *   da_ms check_ms gen_ms rss_mb
 * da_ms is da_match whole (the rounds, then the blocking-pair count it
 * reports); check_ms one more da_blocking on its answer; rss_mb the peak
 * resident size (ru_maxrss), lists included.  Exits 1 when blocking > 0.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchlib.h"
#include "da.h"

static size_t rndn(size_t n)
{
	return (size_t)(rnd() % (uint64_t)n);
}

static void *need(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "da_bench: out of memory\n");
		exit(2);
	}
	return p;
}

struct entry {
	da_score score;
	uint32_t prog;
};

static int by_score(const void *va, const void *vb)
{
	const struct entry *a = va, *b = vb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return a->prog < b->prog ? -1 : a->prog > b->prog;
}

int main(int argc, char **argv)
{
	static const da_score values[] = { 350000000, 500000000, 620000000,
		700000000, 780000000, 850000000, 930000000 };
	size_t ns = 100000, np = 5000;
	double ratio = 0.8, prefs = 0.3;
	struct da_in in = { 0 };
	struct da_out out;
	const char *arg;

	rng = 0x9e3779b97f4a7c15ull;
	for (int i = 1; i < argc; i++) {
		if ((arg = opt_value(argc, argv, &i, "--students")))
			ns = strtoull(arg, NULL, 10);
		else if ((arg = opt_value(argc, argv, &i, "--programs")))
			np = strtoull(arg, NULL, 10);
		else if ((arg = opt_value(argc, argv, &i, "--cap")))
			ratio = atof(arg);
		else if ((arg = opt_value(argc, argv, &i, "--prefs")))
			prefs = atof(arg);
		else if ((arg = opt_value(argc, argv, &i, "--seed")))
			rng ^= strtoull(arg, NULL, 10) * 0xff51afd7ed558ccdull;
		else {
			fprintf(stderr, "usage: da_bench [--students N] [--programs P] "
			    "[--cap R] [--prefs F] [--seed S]\n");
			return 2;
		}
	}
	if (!ns || !np) {
		fprintf(stderr, "da_bench: students and programs must be > 0\n");
		return 2;
	}

	double t0 = now_ms();
	size_t ngroups = np / 2500 ? np / 2500 : 1, nspecs = ns / 50 ? ns / 50 : 1;
	size_t glen = np / ngroups;      /* group g: programs g*glen .. (+glen) */
	uint32_t *perm = need(glen * sizeof *perm);
	struct entry *e = need(glen * sizeof *e);
	uint32_t **sprog = need(nspecs * sizeof *sprog);
	da_score **sscore = need(nspecs * sizeof *sscore);
	size_t *slen = need(nspecs * sizeof *slen);

	for (size_t i = 0; i < glen; i++)
		perm[i] = (uint32_t)i;
	for (size_t sp = 0; sp < nspecs; sp++) {
		size_t g = rndn(ngroups), lo = glen < 200 ? glen : 200;
		size_t n = (size_t)(lo * exp(log((double)glen / lo) * (double)rndn(1 << 20) / (1 << 20)));
		n = n < 1 ? 1 : n > glen ? glen : n;
		for (size_t i = 0; i < n; i++) {       /* n of the group, at random */
			size_t j = i + rndn(glen - i);
			uint32_t x = perm[i];
			perm[i] = perm[j];
			perm[j] = x;
			e[i].prog = (uint32_t)(g * glen + perm[i]);
			e[i].score = values[rndn(7)];
		}
		qsort(e, n, sizeof *e, by_score);
		sprog[sp] = need(n * sizeof **sprog);
		sscore[sp] = need(n * sizeof **sscore);
		slen[sp] = n;
		for (size_t i = 0; i < n; i++) {
			sprog[sp][i] = e[i].prog;
			sscore[sp][i] = e[i].score;
		}
	}

	/* who is where and who stated prefs first, so prefs fill one pool */
	struct da_list *list = need(ns * sizeof *list);
	double *grade = need(ns * sizeof *grade);
	long long *cap = need(np * sizeof *cap);
	uint32_t *spec = need(ns * sizeof *spec), *pool;
	da_score *pscore;
	size_t nprefs = 0, npool = 0, total = 0;
	for (size_t s = 0; s < ns; s++) {
		spec[s] = (uint32_t)rndn(nspecs);
		grade[s] = rndn(20) ? (double)rndn(101) : -1;
		list[s].n = 0;
		if ((double)rndn(1 << 20) < prefs * (1 << 20)) {
			list[s].n = 1 + rndn(5);
			list[s].n = list[s].n > slen[spec[s]] ? slen[spec[s]] : list[s].n;
			npool += list[s].n;
			nprefs++;
		}
	}
	pool = need(npool * sizeof *pool);
	pscore = need(npool * sizeof *pscore);
	npool = 0;
	for (size_t s = 0; s < ns; s++) {
		size_t sp = spec[s], n = list[s].n;
		if (!n) {
			list[s].prog = sprog[sp];
			list[s].score = sscore[sp];
			list[s].n = slen[sp];
			total += list[s].n;
			continue;
		}
		uint32_t *p = pool + npool;
		da_score *sc = pscore + npool;
		for (size_t i = 0; i < n; i++) {
			size_t j;
			int dup;
			do {            /* distinct programs of the specialty */
				j = rndn(slen[sp]);
				dup = 0;
				for (size_t u = 0; u < i; u++)
					dup |= p[u] == sprog[sp][j];
			} while (dup);
			p[i] = sprog[sp][j];
			sc[i] = sscore[sp][j];
		}
		list[s].prog = p;
		list[s].score = sc;
		npool += n;
		total += n;
	}
	long long capsum = 0;
	double mean = ratio * (double)ns / (double)np;
	for (size_t p = 0; p < np; p++) {
		double u = (double)rndn(1 << 20) / (1 << 20), v = (double)rndn(1 << 20) / (1 << 20);
		cap[p] = (long long)(2 * mean * u + v);    /* uniform, mean `mean` */
		capsum += cap[p];
	}
	double gen_ms = now_ms() - t0;

	in.nstudents = ns;
	in.nprograms = np;
	in.list = list;
	in.grade = grade;
	in.capacity = cap;
	t0 = now_ms();
	if (da_match(&in, &out) < 0) {
		fprintf(stderr, "da_bench: cancelled?\n");
		return 2;
	}
	double da_ms = now_ms() - t0;
	t0 = now_ms();
	long long check = da_blocking(&in, out.match);
	double check_ms = now_ms() - t0;
	size_t matched = 0;
	for (size_t s = 0; s < ns; s++)
		matched += out.match[s] >= 0;
	printf("%zu %zu %.1f %.3f %.1f %zu %lld %lld %.1f %.1f %.1f %.1f\n", ns, np,
	    (double)total / (double)ns, (double)capsum / (double)ns,
	    100.0 * (double)nprefs / (double)ns, matched, out.rounds,
	    out.blocking_pairs, da_ms, check_ms, gen_ms, peak_rss_mb(RUSAGE_SELF));
	int rc = 0;
	if (out.blocking_pairs || check) {
		fprintf(stderr, "da_bench: %lld blocking pairs (check: %lld)\n",
		    out.blocking_pairs, check);
		rc = 1;
	}
	da_out_free(&out);
	for (size_t sp = 0; sp < nspecs; sp++) {
		free(sprog[sp]);
		free(sscore[sp]);
	}
	free(sprog);
	free(sscore);
	free(slen);
	free(perm);
	free(e);
	free(list);
	free(grade);
	free(cap);
	free(spec);
	free(pool);
	free(pscore);
	return rc;
}
