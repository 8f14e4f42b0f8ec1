/*
 * query — candidate and opening searches over the match indexes.
 *
 * A posting's prefixes select field groups (a specialty scores > 0 only
 * within the field group of some prefix), and each field group is three
 * key ranges of ix.spec.major, one per level ("26", "46", "66"): only those
 * ranges are read, never the whole index, unless the posting accepts any
 * major.
 */
#include "match.h"

#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "util.h"

void match_top_init(struct match_top *t, size_t k)
{
	t->k = k;
	t->n = 0;
	t->v = xmalloc((k ? k : 1) * sizeof *t->v);
}

void match_top_free(struct match_top *t)
{
	free(t->v);
	t->v = NULL;
}

static int id_cmp(struct match_str a, struct match_str b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	int c = memcmp(a.p, b.p, n);
	return c ? c : (a.n > b.n) - (a.n < b.n);
}

/* a ranks before b: higher score, then smaller id. */
static int better(const struct match_hit *a, const struct match_hit *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	return id_cmp(a->id, b->id) < 0;
}

/* The heap keeps the worst kept hit at v[0]. */
static void sift_down(struct match_top *t, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, w = i;
		if (l < t->n && better(&t->v[w], &t->v[l]))
			w = l;
		if (r < t->n && better(&t->v[w], &t->v[r]))
			w = r;
		if (w == i)
			return;
		struct match_hit x = t->v[i];
		t->v[i] = t->v[w];
		t->v[w] = x;
		i = w;
	}
}

static void top_add(struct match_top *t, const struct match_hit *h)
{
	if (t->k == 0)
		return;
	if (t->n < t->k) {
		size_t i = t->n++;
		t->v[i] = *h;
		while (i > 0) {
			size_t p = (i - 1) / 2;
			if (!better(&t->v[p], &t->v[i]))
				break;
			struct match_hit x = t->v[i];
			t->v[i] = t->v[p];
			t->v[p] = x;
			i = p;
		}
		return;
	}
	if (better(h, &t->v[0])) {
		t->v[0] = *h;
		sift_down(t, 0);
	}
}

static int cmp_hits(const void *a, const void *b)
{
	const struct match_hit *x = a, *y = b;
	return better(x, y) ? -1 : better(y, x) ? 1 : 0;
}

void match_top_sort(struct match_top *t)
{
	qsort(t->v, t->n, sizeof *t->v, cmp_hits);
}

/* The key ranges (as 2-digit group prefixes) covering the field groups. */
static size_t field_ranges(const struct match_str *prefixes, size_t n,
    char ranges[][3])
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		int g = match_field_group(prefixes[i].p);
		int lv[3] = { g - 20, g, g + 20 };
		for (int j = 0; j < 3; j++) {
			char r[3] = { (char)('0' + lv[j] / 10), (char)('0' + lv[j] % 10), 0 };
			size_t q;
			if (lv[j] < 10 || lv[j] > 99)
				continue;
			for (q = 0; q < m; q++)
				if (!memcmp(ranges[q], r, 2))
					break;
			if (q == m)
				memcpy(ranges[m++], r, 3);
		}
	}
	return m;
}

static int starts(struct match_str s, struct match_str prefix)
{
	return prefix.n <= s.n && !memcmp(s.p, prefix.p, prefix.n);
}

/*
 * Visit every entry of dbi whose key starts with prefix[0..n) (the whole
 * db when n is 0).  fn returns non-zero to stop.
 */
static int scan(MDB_txn *txn, MDB_dbi dbi, const char *prefix, size_t n,
    int (*fn)(void *arg, MDB_val *k, MDB_val *v), void *arg)
{
	MDB_cursor *c;
	MDB_val k = { n, (void *)prefix }, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, dbi, &c)))
		return rc;
	rc = mdb_cursor_get(c, &k, &v, n ? MDB_SET_RANGE : MDB_FIRST);
	for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < n || memcmp(k.mv_data, prefix, n))
			break;
		if (fn(arg, &k, &v))
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

struct cand {
	const struct match_weights *w;
	const struct match_post *post;
	const struct match_filter *f;
	struct match_top *top;
	unsigned long long considered;
	struct index_spec s;
};

static int cand_visit(void *arg, MDB_val *k, MDB_val *v)
{
	struct cand *c = arg;
	struct match_hit h;
	struct match_spec ms;

	if (index_spec_decode(k, v, &c->s) < 0)
		return 0;
	if (!starts(c->s.region, c->f->region_prefix))
		return 0;
	h.available = index_spec_cohort(&c->s, c->f->grad_year);
	if (c->f->min_available >= 0 && h.available < c->f->min_available)
		return 0;
	ms.code = c->s.code;
	ms.region = c->s.region;
	ms.level = c->s.level;
	ms.available = h.available;
	ms.skills = c->s.skills;
	ms.nskills = c->s.nskills;
	ms.chains = c->s.chains;
	ms.nchains = c->s.nchains;
	h.score = match_score(c->w, c->post, &ms, &h.why);
	if (h.score < 0)
		return 0;
	c->considered++;
	h.key = *k;
	h.val = *v;
	h.id = c->s.id;
	top_add(c->top, &h);
	return 0;
}

int match_candidates(MDB_txn *txn, const struct index_dbs *ix,
    const struct match_weights *w, const struct match_post *post,
    const struct match_filter *f, struct match_top *top,
    unsigned long long *considered)
{
	struct cand *c = xmalloc(sizeof *c);
	char ranges[3 * INDEX_TAGS_MAX][3];
	int rc = 0;

	c->w = w;
	c->post = post;
	c->f = f;
	c->top = top;
	c->considered = 0;
	if (post->nprefixes == 0) {
		rc = scan(txn, ix->spec_major, "", 0, cand_visit, c);
	} else {
		size_t m = field_ranges(post->prefixes, post->nprefixes, ranges);
		for (size_t i = 0; i < m && !rc; i++)
			rc = scan(txn, ix->spec_major, ranges[i], 2, cand_visit, c);
	}
	*considered = c->considered;
	free(c);
	return rc;
}

struct open {
	const struct match_weights *w;
	const struct match_spec *spec;
	const struct match_filter *f;
	struct match_top *top;
	unsigned long long considered;
	struct index_post p;
};

static int open_visit(void *arg, MDB_val *k, MDB_val *v)
{
	struct open *o = arg;
	struct match_hit h;
	struct match_post mp;
	const char *key = k->mv_data;
	const char *nul = memchr(key, 0, k->mv_size);

	if (!nul || index_post_decode(k, v, &o->p) < 0)
		return 0;
	if (o->f->kind >= 0 && o->p.kind != o->f->kind)
		return 0;
	if (!starts(o->p.region, o->f->region_prefix))
		return 0;
	/* A posting is listed under each prefix: count it at its first best. */
	if (o->p.nprefixes) {
		struct match_str here = { key, (size_t)(nul - key) };
		double best = match_major(o->spec->code, o->p.prefixes, o->p.nprefixes);
		size_t i;
		if (best == 0.0)
			return 0;
		for (i = 0; i < o->p.nprefixes; i++)
			if (match_major_one(o->spec->code, o->p.prefixes[i]) == best)
				break;
		if (i == o->p.nprefixes || id_cmp(o->p.prefixes[i], here) != 0)
			return 0;
	}
	mp.prefixes = o->p.prefixes;
	mp.nprefixes = o->p.nprefixes;
	mp.skills = o->p.skills;
	mp.nskills = o->p.nskills;
	mp.chains = o->p.chains;
	mp.nchains = o->p.nchains;
	mp.level = o->p.level;
	mp.region = o->p.region;
	mp.headcount = o->p.headcount;
	h.score = match_score(o->w, &mp, o->spec, &h.why);
	if (h.score < 0)
		return 0;
	o->considered++;
	h.key = *k;
	h.val = *v;
	h.id = o->p.id;
	h.available = o->spec->available;
	top_add(o->top, &h);
	return 0;
}

int match_openings(MDB_txn *txn, const struct index_dbs *ix,
    const struct match_weights *w, const struct match_spec *spec,
    const struct match_filter *f, struct match_top *top,
    unsigned long long *considered)
{
	struct open *o = xmalloc(sizeof *o);
	char ranges[3][3];
	int rc;

	o->w = w;
	o->spec = spec;
	o->f = f;
	o->top = top;
	o->considered = 0;
	size_t m = field_ranges(&spec->code, 1, ranges);
	rc = scan(txn, ix->post_prefix, "*", 2, open_visit, o);   /* "*" NUL */
	for (size_t i = 0; i < m && !rc; i++)
		rc = scan(txn, ix->post_prefix, ranges[i], 2, open_visit, o);
	*considered = o->considered;
	free(o);
	return rc;
}
