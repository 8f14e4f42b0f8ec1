/*
 * fair — the fair planners of docs/matching.md "Definitions": fair.allocate as
 * a maximum flow of least cost, fair.schedule as another.
 *
 * Scores are already rounded to 1e-9 (match_score), so a score becomes
 * the exact integer cost −round(score·1e9): the solver's optimum is the
 * exact optimum of Σ count × score, and no two allocations whose
 * objectives differ can swap places through rounding.  Costs stay below
 * 1e9 per unit and a fair's flow below ~1e7 units, far inside int64.
 */
#include "fair.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flow.h"
#include "xalloc.h"

#define SCALE 1e9

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void fair_plan_free(struct fair_plan *p)
{
	free(p->arcs);
	free(p->supply);
	free(p->demand);
	free(p->reachable);
	free(p->flow);
	memset(p, 0, sizeof *p);
}

/* Specialties by field group, so a posting scores only those it can reach. */
struct buckets {
	size_t *start;       /* [101]: specs of group g at idx[start[g]..start[g+1]) */
	size_t *idx;
};

static void buckets_make(const struct fair_in *in, const int *dir, struct buckets *b)
{
	size_t *fill = xcalloc(101, sizeof *fill);
	b->start = xcalloc(101, sizeof *b->start);
	b->idx = xmalloc((in->nspecs + 1) * sizeof *b->idx);
	for (size_t s = 0; s < in->nspecs; s++)
		if (dir[s] >= 0 && in->specs[s].available > 0)
			b->start[match_field_group(in->specs[s].code.p) + 1]++;
	for (int g = 0; g < 100; g++)
		b->start[g + 1] += b->start[g];
	for (size_t s = 0; s < in->nspecs; s++) {
		if (dir[s] < 0 || in->specs[s].available <= 0)
			continue;
		int g = match_field_group(in->specs[s].code.p);
		b->idx[b->start[g] + fill[g]++] = s;
	}
	free(fill);
}

static void arc_add(struct fair_plan *out, size_t *cap, size_t post, size_t dir,
    double score)
{
	if (out->narcs == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		out->arcs = xrealloc(out->arcs, *cap * sizeof *out->arcs);
	}
	out->arcs[out->narcs].post = post;
	out->arcs[out->narcs].dir = dir;
	out->arcs[out->narcs].score = score;
	out->narcs++;
}

void fair_arcs(const struct fair_in *in, struct fair_plan *out)
{
	int *dir = xmalloc((in->nspecs + 1) * sizeof *dir);
	double *best = xmalloc((in->ndirs + 1) * sizeof *best);
	struct buckets b;
	size_t cap = 0;

	memset(out, 0, sizeof *out);
	out->supply = xcalloc(in->ndirs + 1, sizeof *out->supply);
	out->demand = xcalloc(in->ndirs + 1, sizeof *out->demand);
	out->reachable = xcalloc(in->ndirs + 1, sizeof *out->reachable);
	for (size_t s = 0; s < in->nspecs; s++) {
		dir[s] = match_direction_of(in->specs[s].code, in->dirs, in->ndirs);
		if (dir[s] >= 0 && in->specs[s].available > 0)
			out->supply[dir[s]] += (unsigned long long)in->specs[s].available;
	}
	buckets_make(in, dir, &b);
	for (size_t d = 0; d < in->ndirs; d++)
		best[d] = -1;
	for (size_t p = 0; p < in->nposts; p++) {
		const struct match_post *mp = &in->posts[p];
		uint64_t seen[2] = { 0, 0 };
		for (size_t i = 0; i < (mp->nprefixes ? mp->nprefixes : 1); i++) {
			int g0 = 0, g1 = 100;
			if (mp->nprefixes) {
				g0 = match_field_group(mp->prefixes[i].p);
				if (seen[g0 >> 6] >> (g0 & 63) & 1)
					continue;
				seen[g0 >> 6] |= (uint64_t)1 << (g0 & 63);
				g1 = g0 + 1;
			}
			for (size_t j = b.start[g0]; j < b.start[g1]; j++) {
				size_t s = b.idx[j];
				struct match_why why;
				double sc = match_score(in->w, mp, &in->specs[s], &why);
				if (sc < 0 || sc < in->min_score)
					continue;
				if (sc > best[dir[s]])
					best[dir[s]] = sc;
			}
		}
		/* arcs of a posting in the fair's direction order; its demand
		 * goes to the first of its best */
		unsigned long long h = mp->headcount > 0 ? (unsigned long long)mp->headcount : 0;
		size_t top = in->ndirs;
		double top_score = -1;
		for (size_t d = 0; d < in->ndirs; d++) {
			if (best[d] < 0)
				continue;
			arc_add(out, &cap, p, d, best[d]);
			out->reachable[d] += h;
			if (best[d] > top_score) {
				top_score = best[d];
				top = d;
			}
			best[d] = -1;
		}
		if (top < in->ndirs)
			out->demand[top] += h;
	}
	free(b.start);
	free(b.idx);
	free(best);
	free(dir);
}

/*
 * With CHANJIAO_FLOW_DUMP=FILE in the environment, the allocation's
 * network (with the supplies the solve used) is written to FILE in DIMACS
 * form, so another solver can be timed on exactly it (bench/flow.sh).
 */
static void dump(const struct flow *f)
{
	const char *path = getenv("CHANJIAO_FLOW_DUMP");
	FILE *out;
	if (!path || !*path || !(out = fopen(path, "w")))
		return;
	flow_write_dimacs(f, out);
	fclose(out);
}

int fair_allocate(const struct fair_in *in, struct fair_plan *out)
{
	size_t D = in->ndirs, P = in->nposts;
	struct flow *f;
	int64_t value;
	int *arc_of;
	int rc = 0;

	fair_arcs(in, out);
	out->flow = xcalloc(out->narcs + 1, sizeof *out->flow);
	/* nodes: 0 source, 1 sink, 2.. directions, 2+D.. postings */
	f = flow_new((int)(2 + D + P));
	arc_of = xmalloc((out->narcs + 1) * sizeof *arc_of);
	for (size_t d = 0; d < D; d++)
		if (out->supply[d])
			flow_arc(f, 0, (int)(2 + d), (int64_t)out->supply[d], 0);
	for (size_t a = 0; a < out->narcs; a++) {
		const struct fair_arc *x = &out->arcs[a];
		arc_of[a] = flow_arc(f, (int)(2 + x->dir), (int)(2 + D + x->post),
		    in->posts[x->post].headcount, -llround(x->score * SCALE));
	}
	for (size_t p = 0; p < P; p++)
		if (in->posts[p].headcount > 0)
			flow_arc(f, (int)(2 + D + p), 1, in->posts[p].headcount, 0);
	double t0 = now_ms();
	if (flow_max_min_cost(f, 0, 1, &value) != FLOW_OPTIMAL)
		rc = -1;
	out->solve_ms = now_ms() - t0;
	dump(f);
	out->placed = 0;
	for (size_t a = 0; rc == 0 && a < out->narcs; a++) {
		out->flow[a] = flow_get(f, arc_of[a]);
		out->placed += out->flow[a];
	}
	/* Σ count × score from the exact integer cost: summing doubles drifts
	 * by a few 1e-9 over a large fair */
	out->objective = rc == 0 ? (double)-flow_cost(f) / SCALE : 0;
	free(arc_of);
	flow_free(f);
	return rc;
}

static int str_cmp(struct match_str a, struct match_str b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	int c = n ? memcmp(a.p, b.p, n) : 0;
	return c ? c : (a.n > b.n) - (a.n < b.n);
}

/* Booth order within a session: main chain (none last), then id. */
static int booth_cmp(const void *a, const void *b)
{
	const struct fair_slot *x = a, *y = b;
	const struct fair_ent *ex = x->ep, *ey = y->ep;
	int c;
	if (x->session != y->session)
		return (x->session > y->session) - (x->session < y->session);
	if ((ex->main_chain.n == 0) != (ey->main_chain.n == 0))
		return ex->main_chain.n == 0 ? 1 : -1;
	if ((c = str_cmp(ex->main_chain, ey->main_chain)))
		return c;
	return str_cmp(ex->id, ey->id);
}

static void number_booths(struct fair_slot *v, size_t n)
{
	qsort(v, n, sizeof *v, booth_cmp);
	for (size_t i = 0; i < n; i++)
		v[i].booth = i > 0 && v[i - 1].session == v[i].session ?
		    v[i - 1].booth + 1 : 1;
}

/*
 * fair.schedule as one flow: source → enterprise by two arcs, the first
 * slot (capacity 1, cost −K) and the rest it wants (capacity wants − 1,
 * cost 0); enterprise → session (capacity 1, cost −relevance); session →
 * sink (capacity booths).  A maximum flow fills the most wanted slots;
 * and some maximum flow also gives a slot to the most enterprises (an
 * augmenting path never takes flow off a source arc, so the covered
 * enterprises of a maximum-coverage flow stay covered while it grows to a
 * maximum flow).  Among maximum flows the least cost has the most
 * enterprises (K exceeds any total relevance), then the most relevance.
 * So docs/matching.md's three objectives come out in their order.
 *
 * Relevance is Σ headcount × score, scaled to integers by the largest
 * power of ten (at most 1e9, where scores are exact) that keeps
 * flow × (K + relevance) inside int64.
 */
int fair_schedule(const struct fair_in *in, const struct fair_plan *arcs,
    const struct fair_ent *ents, size_t nents, const struct fair_session *ss,
    size_t nss, struct fair_slot **slots, size_t *nslots, double *score)
{
	double *rel = xcalloc(nents * nss + 1, sizeof *rel);
	size_t *arc_first = xmalloc((in->nposts + 1) * sizeof *arc_first);
	double relsum = 0, scale = SCALE;
	long long want = 0;
	int64_t value;
	int rc = 0;

	/* arcs are grouped by posting: where each posting's run starts */
	for (size_t p = 0, a = 0; p <= in->nposts; p++) {
		while (a < arcs->narcs && arcs->arcs[a].post < p)
			a++;
		arc_first[p] = a;
	}
	for (size_t e = 0; e < nents; e++) {
		double top = 0;
		for (size_t s = 0; s < nss; s++) {
			double r = 0;
			for (size_t i = 0; i < ents[e].nposts; i++) {
				size_t p = ents[e].posts[i];
				double b = 0;
				for (size_t a = arc_first[p]; a < arc_first[p + 1]; a++) {
					const struct fair_arc *x = &arcs->arcs[a];
					int featured = ss[s].ndirs == 0;
					for (size_t k = 0; k < ss[s].ndirs && !featured; k++)
						featured = ss[s].dirs[k] == (int)x->dir;
					if (featured && x->score > b)
						b = x->score;
				}
				r += (double)(in->posts[p].headcount > 0 ?
				    in->posts[p].headcount : 0) * b;
			}
			rel[e * nss + s] = r;
			if (r > top)
				top = r;
		}
		relsum += top;
		want += ents[e].wants < (long long)nss ? ents[e].wants : (long long)nss;
	}
	while (scale > 1 && (double)(want + 1) * 2 * (relsum + 1) * scale > 4e18)
		scale /= 10;
	int64_t K = llround(relsum * scale) + 1;

	/* nodes: 0 source, 1 sink, 2.. enterprises, 2+E.. sessions */
	struct flow *f = flow_new((int)(2 + nents + nss));
	int *es = xmalloc((nents * nss + 1) * sizeof *es);
	for (size_t e = 0; e < nents; e++) {
		long long w = ents[e].wants < (long long)nss ? ents[e].wants : (long long)nss;
		if (w <= 0)
			continue;
		flow_arc(f, 0, (int)(2 + e), 1, -K);
		if (w > 1)
			flow_arc(f, 0, (int)(2 + e), w - 1, 0);
	}
	for (size_t e = 0; e < nents; e++)
		for (size_t s = 0; s < nss; s++)
			es[e * nss + s] = flow_arc(f, (int)(2 + e), (int)(2 + nents + s), 1,
			    -llround(rel[e * nss + s] * scale));
	for (size_t s = 0; s < nss; s++)
		if (ss[s].booths > 0)
			flow_arc(f, (int)(2 + nents + s), 1, ss[s].booths, 0);
	*slots = NULL;
	*nslots = 0;
	*score = 0;
	if (flow_max_min_cost(f, 0, 1, &value) != FLOW_OPTIMAL) {
		rc = -1;
		goto out;
	}
	*slots = xmalloc(((size_t)value + 1) * sizeof **slots);
	for (size_t s = 0; s < nss; s++)
		for (size_t e = 0; e < nents; e++)
			if (flow_get(f, es[e * nss + s]) > 0) {
				struct fair_slot *x = &(*slots)[(*nslots)++];
				x->ent = e;
				x->ep = &ents[e];
				x->session = s;
				x->relevance = rel[e * nss + s];
				*score += x->relevance;
			}
	*score = round(*score * SCALE) / SCALE;
	number_booths(*slots, *nslots);
out:
	free(es);
	flow_free(f);
	free(arc_first);
	free(rel);
	return rc;
}
