/*
 * da — round-synchronous student-proposing deferred acceptance (da.h).
 *
 * A program's state is a threshold: the key a proposer must beat to be
 * held.  It is −∞ while the program has room, the worst held key once it
 * is full, +∞ at capacity 0, and it only ever rises.  So a proposal whose
 * key is below its program's current threshold is rejected in whatever
 * later round it is made, and changes nothing.  A free student therefore
 * scans its list past such programs at once, one round per entry, and
 * waits in the calendar for the round of the first proposal that may be
 * held.  The rounds, and the program states at the end of every round,
 * are those of the plain round-by-round process; each list is just read
 * in runs instead of one entry per round.
 *
 * Within a round proposals are handled one at a time: a program keeps the
 * best `capacity` of held and new proposers whatever their order, and a
 * student displaced in round r waits for round r + 1.
 *
 * Memory: a program holds at most min(capacity, students listing it), so
 * the held sets take one flat array of Σ that (16 bytes an entry); a
 * student 32 bytes (its list's pointers, position, grade: one cache line
 * fetched ahead of use) and 4–8 in the calendar while it waits; a program
 * 40.  Counting who lists a program walks each distinct list once (a
 * transient table of 16–32 bytes a student), not each student's.
 */
#include "da.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define NONE UINT32_MAX

/* A program's view of a proposer; grade < 0 (missing) is kept as -1. */
struct key {
	double grade;
	da_score score;
	uint32_t s;
};

static double grade_of(const struct da_in *in, uint32_t s)
{
	double g = in->grade[s];
	return g < 0 ? -1 : g;
}

/* 1 when a program ranks a before b. */
static inline int before(const struct key *a, const struct key *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	if (a->grade != b->grade)
		return a->grade > b->grade;
	return a->s < b->s;
}

int da_prefers(const struct da_in *in, uint32_t a, da_score sa, uint32_t b,
    da_score sb)
{
	struct key ka = { .score = sa, .grade = grade_of(in, a), .s = a };
	struct key kb = { .score = sb, .grade = grade_of(in, b), .s = b };
	return before(&ka, &kb);
}

/* Below every proposer (grades are -1 at least), above every one. */
static const struct key ROOM = { .score = 0, .grade = -INFINITY, .s = UINT32_MAX };
static const struct key SHUT = { .score = UINT32_MAX, .grade = INFINITY, .s = 0 };

static int cancelled(const struct da_in *in)
{
	return in->cancel && *in->cancel;
}

/*
 * How many students list each program, counting every distinct list
 * (same prog pointer and length) once times the students sharing it;
 * saturates at nstudents.
 */
static size_t *listing_counts(const struct da_in *in)
{
	size_t n = in->nstudents, mask = 1;
	size_t *cnt = xcalloc(in->nprograms + 1, sizeof *cnt);
	uint32_t *rep, *num;

	while (mask < 2 * n)
		mask <<= 1;
	rep = xmalloc(mask * sizeof *rep);
	num = xmalloc(mask * sizeof *num);
	memset(rep, 0xff, mask * sizeof *rep);
	mask--;
	for (size_t s = 0; s < n; s++) {
		const struct da_list *l = &in->list[s];
		if (!l->n)
			continue;
		uint64_t h = ((uint64_t)(uintptr_t)l->prog ^
		    (uint64_t)l->n * 0x9e3779b97f4a7c15ull) * 0xff51afd7ed558ccdull;
		size_t i = (size_t)(h ^ h >> 32) & mask;
		for (;; i = (i + 1) & mask) {
			if (rep[i] == NONE) {
				rep[i] = (uint32_t)s;
				num[i] = 1;
				break;
			}
			const struct da_list *r = &in->list[rep[i]];
			if (r->prog == l->prog && r->n == l->n) {
				num[i]++;
				break;
			}
		}
	}
	for (size_t i = 0; i <= mask; i++) {
		if (rep[i] == NONE)
			continue;
		const struct da_list *l = &in->list[rep[i]];
		for (size_t j = 0; j < l->n; j++) {
			size_t *c = &cnt[l->prog[j]];
			*c = *c + num[i] > n ? n : *c + num[i];
		}
	}
	free(rep);
	free(num);
	return cnt;
}

/* A student as the rounds read it: its list, where it stands, its grade. */
struct stu {
	const uint32_t *prog;
	const da_score *score;
	uint32_t n, next;         /* next: position of its next proposal */
	double grade;             /* missing: -1 */
};

struct prog {
	size_t base;              /* its held set is heap[base .. base + cap) */
	uint32_t cap, held;
};

/* The students who propose in one round. */
struct bucket {
	uint32_t *s;
	size_t n, size;
};

struct run {
	const struct da_in *in;
	struct stu *stu;          /* [nstudents] */
	struct key *thr;          /* [nprograms] */
	struct prog *prog;        /* [nprograms] */
	struct key *heap;         /* held sets, worst on top */
	struct bucket *bucket;    /* [nbuckets]: round r's at r % nbuckets */
	size_t nbuckets, pending;
	long long round;          /* the round being run */
	long long last;           /* the last round with a proposal so far */
};

static void sift_down(struct key *h, size_t n, size_t i)
{
	struct key k = h[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && before(&h[c], &h[c + 1]))
			c++;
		if (!before(&k, &h[c]))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = k;
}

static void sift_up(struct key *h, size_t i)
{
	struct key k = h[i];
	while (i > 0) {
		size_t up = (i - 1) / 2;
		if (!before(&h[up], &k))
			break;
		h[i] = h[up];
		i = up;
	}
	h[i] = k;
}

static void wait_for(struct run *r, uint32_t s, long long round)
{
	struct bucket *b = &r->bucket[(size_t)round % r->nbuckets];
	if (b->n == b->size) {
		b->size = b->size ? 2 * b->size : 16;
		b->s = xrealloc(b->s, b->size * sizeof *b->s);
	}
	b->s[b->n++] = s;
	r->pending++;
}

/* Program p takes the student of k, whose key beats p's threshold. */
static void hold(struct run *r, uint32_t p, const struct key *k)
{
	struct prog *g = &r->prog[p];
	struct key *h = r->heap + g->base;

	if (g->held < g->cap) {
		h[g->held] = *k;
		sift_up(h, g->held++);
	} else {
		wait_for(r, h[0].s, r->round + 1);
		h[0] = *k;
		sift_down(h, g->cap, 0);
	}
	if (g->held == g->cap)
		r->thr[p] = h[0];
}

/*
 * Free student s proposes in this round, if it has programs left: past
 * those that surely reject it (one round each), then now if that is the
 * first, else it waits for the round it comes to.
 */
static void advance(struct run *r, uint32_t s)
{
	struct stu *u = &r->stu[s];
	const struct key *thr = r->thr;
	struct key k = { .score = 0, .grade = u->grade, .s = s };
	uint32_t i = u->next;
	long long last;

	if (i == u->n)
		return;           /* displaced with its list done */
	for (; i < u->n; i++) {
		k.score = u->score[i];
		if (before(&k, &thr[u->prog[i]]))
			break;
	}
	if (i == u->n) {
		last = r->round + (i - u->next) - 1;
		u->next = i;
	} else if (i == u->next) {
		last = r->round;
		u->next = i + 1;
		hold(r, u->prog[i], &k);
	} else {
		wait_for(r, s, r->round + (i - u->next));
		u->next = i;
		return;
	}
	if (last > r->last)
		r->last = last;
}

/*
 * The calendar: a student waits for round r in bucket r % nbuckets.  A
 * wait is at most one round per list entry, so nbuckets = the longest
 * list + 1 never wraps onto a live bucket.  A round's students are read
 * in order, so their state and list entries are fetched ahead.
 */
static int run(const struct da_in *in, struct run *r)
{
	size_t maxlen = 0, ns = in->nstudents, np = in->nprograms, cap = 0;
	size_t *cnt = listing_counts(in);

	r->thr = xmalloc((np + 1) * sizeof *r->thr);
	r->prog = xmalloc((np + 1) * sizeof *r->prog);
	for (size_t p = 0; p < np; p++) {
		long long c = in->capacity[p];
		r->prog[p].base = cap;
		r->prog[p].cap = (uint32_t)(c <= 0 ? 0 :
		    (unsigned long long)c < cnt[p] ? (size_t)c : cnt[p]);
		r->prog[p].held = 0;
		r->thr[p] = r->prog[p].cap ? ROOM : SHUT;
		cap += r->prog[p].cap;
	}
	free(cnt);
	r->heap = xmalloc((cap + 1) * sizeof *r->heap);
	r->stu = xmalloc((ns + 1) * sizeof *r->stu);
	for (size_t s = 0; s < ns; s++) {
		const struct da_list *l = &in->list[s];
		r->stu[s].prog = l->prog;
		r->stu[s].score = l->score;
		r->stu[s].n = (uint32_t)l->n;
		r->stu[s].next = 0;
		r->stu[s].grade = grade_of(in, (uint32_t)s);
		maxlen = l->n > maxlen ? l->n : maxlen;
	}
	r->nbuckets = maxlen + 1;
	r->bucket = xcalloc(r->nbuckets, sizeof *r->bucket);
	r->pending = 0;
	r->last = 0;
	r->round = 1;
	for (size_t s = 0; s < ns; s++)
		if (in->list[s].n)
			wait_for(r, (uint32_t)s, 1);

	for (; r->pending; r->round++) {
		struct bucket *b = &r->bucket[(size_t)r->round % r->nbuckets];
		if (cancelled(in))
			return -1;
		if (!b->n)
			continue;
		r->pending -= b->n;
		for (size_t j = 0; j < b->n; j++) {
			if (j + 32 < b->n)
				__builtin_prefetch(&r->stu[b->s[j + 32]]);
			if (j + 16 < b->n) {
				const struct stu *u = &r->stu[b->s[j + 16]];
				if (u->next < u->n) {
					__builtin_prefetch(&u->prog[u->next]);
					__builtin_prefetch(&u->score[u->next]);
				}
			}
			if (!(j & 0xffff) && j && cancelled(in))
				return -1;
			advance(r, b->s[j]);
		}
		free(b->s);
		memset(b, 0, sizeof *b);
	}
	return 0;
}

static void run_free(struct run *r)
{
	if (r->bucket)
		for (size_t i = 0; i < r->nbuckets; i++)
			free(r->bucket[i].s);
	free(r->bucket);
	free(r->stu);
	free(r->thr);
	free(r->prog);
	free(r->heap);
}

/* The position of p on l, or l->n. */
static size_t find(const struct da_list *l, uint32_t p)
{
	size_t i = 0;
	while (i < l->n && l->prog[i] != p)
		i++;
	return i;
}

/* da_blocking; -1 if stoppable and in->cancel is set meanwhile. */
static long long blocking(const struct da_in *in, const int32_t *match,
    int stoppable)
{
	size_t np = in->nprograms;
	size_t *held = xcalloc(np + 1, sizeof *held);
	struct key *thr = xmalloc((np + 1) * sizeof *thr);
	long long n = 0;

	for (size_t s = 0; s < in->nstudents; s++) {
		const struct da_list *l = &in->list[s];
		size_t i;
		if (match[s] < 0 || (i = find(l, (uint32_t)match[s])) == l->n)
			continue;
		struct key k = { .score = l->score[i], .grade = grade_of(in, (uint32_t)s),
			.s = (uint32_t)s };
		uint32_t p = (uint32_t)match[s];
		if (!held[p]++ || before(&thr[p], &k))
			thr[p] = k;
	}
	for (size_t p = 0; p < np; p++)
		if ((long long)held[p] < in->capacity[p])
			thr[p] = ROOM;
		else if (!held[p])
			thr[p] = SHUT;
	for (size_t s = 0; s < in->nstudents; s++) {
		const struct da_list *l = &in->list[s];
		struct key k = { .score = 0, .grade = grade_of(in, (uint32_t)s),
			.s = (uint32_t)s };
		uint32_t m = match[s] < 0 ? NONE : (uint32_t)match[s];
		if (stoppable && !(s & 0xffff) && cancelled(in)) {
			n = -1;
			break;
		}
		for (size_t i = 0; i < l->n && l->prog[i] != m; i++) {
			k.score = l->score[i];
			n += before(&k, &thr[l->prog[i]]);
		}
	}
	free(held);
	free(thr);
	return n;
}

long long da_blocking(const struct da_in *in, const int32_t *match)
{
	return blocking(in, match, 0);
}

int da_match(const struct da_in *in, struct da_out *out)
{
	struct run r;
	int rc = -1;

	memset(out, 0, sizeof *out);
	memset(&r, 0, sizeof r);
	r.in = in;
	if (cancelled(in) || run(in, &r) < 0)
		goto leave;
	out->match = xmalloc((in->nstudents + 1) * sizeof *out->match);
	for (size_t s = 0; s < in->nstudents; s++)
		out->match[s] = -1;
	for (size_t p = 0; p < in->nprograms; p++)
		for (size_t i = 0; i < r.prog[p].held; i++)
			out->match[r.heap[r.prog[p].base + i].s] = (int32_t)p;
	out->rounds = r.last;
	run_free(&r);
	memset(&r, 0, sizeof r);
	out->blocking_pairs = blocking(in, out->match, 1);
	if (out->blocking_pairs < 0) {
		da_out_free(out);
		goto leave;
	}
	rc = 0;
leave:
	run_free(&r);
	if (rc < 0) {
		out->rounds = out->blocking_pairs = 0;
		out->cancelled = 1;
	}
	return rc;
}

void da_out_free(struct da_out *o)
{
	free(o->match);
	o->match = NULL;
}
