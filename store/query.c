/*
 * query — candidate and opening searches over the match indexes.
 *
 * A posting's prefixes select field groups (a specialty scores > 0 only
 * within the field group of some prefix), and each field group is three
 * key ranges of ix.spec.major, one per level ("26", "46", "66"): only those
 * ranges are read, never the whole index, unless the posting accepts any
 * major.
 */
#include "query.h"

#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "xalloc.h"

void query_top_init(struct query_top *t, size_t k)
{
	t->k = k;
	t->n = 0;
	t->v = xmalloc((k ? k : 1) * sizeof *t->v);
}

void query_top_free(struct query_top *t)
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
static int better(const struct query_hit *a, const struct query_hit *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	return id_cmp(a->id, b->id) < 0;
}

/* The heap keeps the worst kept hit at v[0]. */
static void sift_down(struct query_top *t, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, w = i;
		if (l < t->n && better(&t->v[w], &t->v[l]))
			w = l;
		if (r < t->n && better(&t->v[w], &t->v[r]))
			w = r;
		if (w == i)
			return;
		struct query_hit x = t->v[i];
		t->v[i] = t->v[w];
		t->v[w] = x;
		i = w;
	}
}

static void top_add(struct query_top *t, const struct query_hit *h)
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
			struct query_hit x = t->v[i];
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
	const struct query_hit *x = a, *y = b;
	return better(x, y) ? -1 : better(y, x) ? 1 : 0;
}

void query_top_sort(struct query_top *t)
{
	qsort(t->v, t->n, sizeof *t->v, cmp_hits);
}

/*
 * The raw 2-digit groups whose field() is fg: a higher-vocational group
 * and its secondary and bachelor twins, or a group outside the three
 * numberings alone.
 */
static size_t raw_groups(int fg, int out[3])
{
	if (fg < 41 || fg > 59) {
		out[0] = fg;
		return 1;
	}
	out[0] = fg - 20;
	out[1] = fg;
	out[2] = fg + 20;
	return 3;
}

/* Key prefixes of ix.spec.major to read, per major-factor tier. */
#define RANGE_MAX 8
#define RANGES_MAX (3 * INDEX_TAGS_MAX)
struct ranges {
	char s[RANGES_MAX][RANGE_MAX];
	unsigned char n[RANGES_MAX];
	size_t m;
};

static void range_add(struct ranges *r, const char *s, size_t n)
{
	for (size_t i = 0; i < r->m; i++)
		if (r->n[i] == n && !memcmp(r->s[i], s, n))
			return;
	if (r->m == RANGES_MAX || n > RANGE_MAX)
		return;
	memcpy(r->s[r->m], s, n);
	r->n[r->m++] = (unsigned char)n;
}

/* Does some range of r start key (a code)? */
static int range_covers(const struct ranges *r, const char *key, size_t n)
{
	for (size_t i = 0; i < r->m; i++)
		if (r->n[i] <= n && !memcmp(r->s[i], key, r->n[i]))
			return 1;
	return 0;
}

/* Drop ranges inside another one of the same tier, so none is read twice. */
static void range_prune(struct ranges *r)
{
	size_t m = 0;
	for (size_t i = 0; i < r->m; i++) {
		int inside = 0;
		for (size_t j = 0; j < r->m && !inside; j++)
			inside = j != i && r->n[j] < r->n[i] &&
			    !memcmp(r->s[j], r->s[i], r->n[j]);
		if (!inside) {
			memmove(r->s[m], r->s[i], RANGE_MAX);
			r->n[m++] = r->n[i];
		}
	}
	r->m = m;
}

/*
 * The three tiers of the major factor (docs/matching.md): 1 where a prefix
 * starts the code; 0.6 in a prefix's field class at any level (its whole
 * field group for a 2-digit prefix); 0.3 in its field group.  Tier 2 is
 * also every code with a major factor > 0.
 */
static const double tier_factor[3] = { 1.0, 0.6, 0.3 };

static void tier_ranges(const struct match_str *prefixes, size_t n,
    struct ranges t[3])
{
	t[0].m = t[1].m = t[2].m = 0;
	for (size_t i = 0; i < n; i++) {
		int g[3];
		size_t ng = raw_groups(match_field_group(prefixes[i].p), g);
		range_add(&t[0], prefixes[i].p, prefixes[i].n);
		for (size_t j = 0; j < ng; j++) {
			char r[4] = { (char)('0' + g[j] / 10), (char)('0' + g[j] % 10),
				prefixes[i].n >= 4 ? prefixes[i].p[2] : 0,
				prefixes[i].n >= 4 ? prefixes[i].p[3] : 0 };
			range_add(&t[1], r, prefixes[i].n >= 4 ? 4 : 2);
			range_add(&t[2], r, 2);
		}
	}
	for (int i = 0; i < 3; i++)
		range_prune(&t[i]);
}

static int starts(struct match_str s, struct match_str prefix)
{
	return prefix.n == 0 || (prefix.n <= s.n && !memcmp(s.p, prefix.p, prefix.n));
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

/*
 * Add to *sum the uint64 counts of dbi under key[0..n) exactly (len 0),
 * or under every key of length len that starts with it.
 */
static int count_sum(MDB_txn *txn, MDB_dbi dbi, const char *key, size_t n,
    size_t len, unsigned long long *sum)
{
	MDB_cursor *c;
	MDB_val k = { n, (void *)key }, v;
	uint64_t x;
	int rc;

	if (len == 0) {
		rc = mdb_get(txn, dbi, &k, &v);
		if (rc == 0 && v.mv_size == sizeof x) {
			memcpy(&x, v.mv_data, sizeof x);
			*sum += x;
		}
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	if ((rc = mdb_cursor_open(txn, dbi, &c)))
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < n || memcmp(k.mv_data, key, n))
			break;
		if (k.mv_size == len && v.mv_size == sizeof x) {
			memcpy(&x, v.mv_data, sizeof x);
			*sum += x;
		}
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * Specialties counted in ix.spec.groups under group g ("**": all) whose
 * school's region starts with region (all when empty; else 2, 4 or 6
 * digits, each a key of its own).
 */
static int group_count(MDB_txn *txn, MDB_dbi dbi, const char g[2],
    struct match_str region, unsigned long long *sum)
{
	char key[INDEX_GROUP_KEY];
	memcpy(key, g, 2);
	if (region.n)
		memcpy(key + 2, region.p, region.n);
	return count_sum(txn, dbi, key, 2 + region.n, 0, sum);
}

/*
 * Which specialties a cell reads.  A posting with chains splits each
 * cell in two, the specialties whose chains mask meets its own (read
 * from ix.spec.chain or a chain selector of ix.spec.region, each under
 * the lowest common bit only) and the rest (SEL_PLAIN), which score 0
 * for the chain; without chains there is one part (SEL_ALL).
 */
#define SEL_PLAIN (-1)
#define SEL_ALL (-2)
#define NEAR_CITY 32               /* see query_candidates */

struct cand {
	const struct match_weights *w;
	const struct match_post *post;
	const struct query_filter *f;
	struct query_top *top;
	double tier;                   /* the major factor of the tier being read */
	double region;                 /* the ring's region factor; -1: per entry */
	double bound;                  /* the cell's bound */
	int tally;                     /* count the eligible (`considered`) */
	struct match_bits bits;        /* the posting's tag bits */
	size_t skip;                   /* key bytes before the ix.spec.major key */
	size_t region_len;             /* 6: ix.spec.major keys; 0: ix.spec.code's */
	struct match_str near;         /* a region read in nearer cells: passed */
	int sel;                       /* a chain bit, SEL_PLAIN or SEL_ALL */
	uint64_t skill_bit[INDEX_TAGS_MAX];
	unsigned long long considered;
	struct index_spec s;
};

static int cand_visit(void *arg, MDB_val *k, MDB_val *v)
{
	struct cand *c = arg;
	struct query_hit h;
	struct match_spec ms;

	if (k->mv_size < c->skip)            /* a damaged entry: skip it */
		return 0;
	MDB_val mk = { k->mv_size - c->skip, (char *)k->mv_data + c->skip };
	/*
	 * With k hits kept and a cell that can at best tie the worst, only a
	 * smaller id can enter: the id is in the key, the value not needed.
	 * Cells tie often at scale (every far specialty of a broad prefix
	 * with full skills, level and capacity scores the ring's bound).
	 */
	if (!c->tally && c->top->n == c->top->k && c->top->k &&
	    c->bound <= c->top->v[0].score + 1e-12) {
		if (index_spec_decode_key(&mk, c->region_len, &c->s) < 0)
			return 0;
		if (id_cmp(c->s.id, c->top->v[0].id) >= 0)  /* in id order: stop */
			return c->region_len == 0;
	}
	if (index_spec_decode_head(NULL, v, &c->s) < 0)
		return 0;
	if (c->near.n && starts(c->s.region, c->near))
		return 0;
	/* Chain cells and plain cells split the specialties (see below). */
	uint64_t common = c->s.chains_mask & c->bits.chains;
	if (c->sel >= 0 ? !common || __builtin_ctzll(common) != c->sel :
	    c->sel == SEL_PLAIN && common)
		return 0;
	if (!starts(c->s.region, c->f->region_prefix))
		return 0;
	/*
	 * Most entries a full top-k turns away lack a required skill (96 % in
	 * the far rings at national scale): the cell's bound with the skills
	 * the mask may hold rules them out before the cohorts are read.
	 */
	if (!c->tally && c->top->n == c->top->k && c->top->k &&
	    c->post->nskills) {
		size_t maybe = c->post->nskills > INDEX_TAGS_MAX ?
		    c->post->nskills - INDEX_TAGS_MAX : 0;    /* unknown: may */
		for (size_t i = 0; i < c->post->nskills && i < INDEX_TAGS_MAX; i++)
			maybe += (c->skill_bit[i] & c->s.skills_mask) != 0;
		if (c->bound - c->w->skills * (1.0 - (double)maybe /
		    (double)c->post->nskills) + MATCH_EPS < c->top->v[0].score)
			return 0;
	}
	h.available = index_spec_cohort(&c->s, c->f->grad_year);
	if (c->f->min_available >= 0 && h.available < c->f->min_available)
		return 0;
	c->considered++;           /* in the tier ranges: eligible */
	ms.region = c->s.region;
	ms.level = c->s.level;
	ms.available = h.available;
	/* With k hits kept, one that cannot beat the worst is not decoded. */
	if (c->top->n == c->top->k && c->top->k) {
		struct match_bits sb = { NULL, c->s.skills_mask, c->s.chains_mask };
		if (match_bound(c->w, c->post, &c->bits, &ms, &sb, c->tier,
		    c->region) + MATCH_EPS <
		    c->top->v[0].score)
			return 0;
	}
	if (index_spec_decode_key(&mk, c->region_len, &c->s) < 0 ||
	    index_spec_decode_tags(&c->s) < 0)
		return 0;
	ms.code = c->s.code;
	ms.skills = c->s.skills;
	ms.nskills = c->s.nskills;
	ms.chains = c->s.chains;
	ms.nchains = c->s.nchains;
	h.score = match_score(c->w, c->post, &ms, &h.why);
	if (h.score < 0)
		return 0;
	h.key = mk;
	h.val = *v;
	h.id = c->s.id;
	top_add(c->top, &h);
	return 0;
}

/*
 * A scan steps through a leaf page's entries in key order, which is not
 * their order in memory, so each step waits for its own cache misses
 * (the better part of a search's time).  Knowing LMDB's page layout
 * (4 KiB pages: a 16-byte header whose bytes 12-13 hold the end of the
 * offset array that follows it; an entry's key 8 bytes into its node),
 * ask for the entries two to four steps ahead.  A prefetch is only a
 * hint: a layout other than this one costs time, never a wrong answer.
 */
static void prefetch_ahead(const unsigned char **page, unsigned *nkeys,
    unsigned *at, const void *key)
{
	const unsigned char *pg = (const unsigned char *)((uintptr_t)key &
	    ~(uintptr_t)4095);
	uint16_t lower, off;

	if (pg != *page) {                 /* a new page: find the entry in it */
		*page = pg;
		memcpy(&lower, pg + 12, 2);
		*nkeys = lower >= 16 && lower <= 4096 ? (lower - 16u) / 2 : 0;
		for (*at = 0; *at < *nkeys; ++*at) {
			memcpy(&off, pg + 16 + 2 * *at, 2);
			if (pg + off + 8 == key)
				break;
		}
	} else {
		++*at;
	}
	for (unsigned i = *at + 2; i <= *at + 4 && i < *nkeys; i++) {
		memcpy(&off, pg + 16 + 2 * i, 2);
		__builtin_prefetch(pg + off);
		__builtin_prefetch(pg + off + 64);
	}
}

/*
 * Visit the entries of dbi whose key starts with p[0..n) but not with
 * x[0..xn) (xn 0: none left out; x extends p).  The left-out keys are one
 * run, jumped over with one seek.
 */
static int scan_but(MDB_cursor *c, const char *p, size_t n,
    const char *x, size_t xn, int (*fn)(void *arg, MDB_val *k, MDB_val *v),
    void *arg)
{
	char after[RANGE_MAX + 16];
	MDB_val k = { n, (void *)p }, v;
	const unsigned char *page = NULL;
	unsigned nkeys = 0, at = 0;
	int rc;

	rc = mdb_cursor_get(c, &k, &v, n ? MDB_SET_RANGE : MDB_FIRST);
	while (rc == 0) {
		prefetch_ahead(&page, &nkeys, &at, k.mv_data);
		if (k.mv_size < n || memcmp(k.mv_data, p, n))
			break;
		if (xn && k.mv_size >= xn && !memcmp(k.mv_data, x, xn)) {
			memcpy(after, x, xn);        /* the first key past x... */
			after[xn - 1]++;
			k.mv_data = after;
			k.mv_size = xn;
			rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
			page = NULL;
			continue;
		}
		if (fn(arg, &k, &v))
			break;
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The distinct codes of ix.spec.major keys starting with p[0..n). */
struct codes {
	char (*s)[RANGE_MAX];
	unsigned char *n;
	size_t m, cap;
};

static int codes_under(MDB_cursor *c, const char *p, size_t n, struct codes *cs)
{
	char next[RANGE_MAX + 1];
	MDB_val k = { n, (void *)p }, v;
	int rc;

	rc = mdb_cursor_get(c, &k, &v, n ? MDB_SET_RANGE : MDB_FIRST);
	while (rc == 0 && k.mv_size >= n && !memcmp(k.mv_data, p, n)) {
		const char *nul = memchr(k.mv_data, 0, k.mv_size);
		size_t cn = nul ? (size_t)(nul - (char *)k.mv_data) : 0;
		if (cn == 0 || cn >= RANGE_MAX) {             /* not a code: skip */
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
			continue;
		}
		if (cs->m == cs->cap) {
			cs->cap = cs->cap ? 2 * cs->cap : 64;
			cs->s = xrealloc(cs->s, cs->cap * sizeof *cs->s);
			cs->n = xrealloc(cs->n, cs->cap);
		}
		memcpy(cs->s[cs->m], k.mv_data, cn);
		cs->n[cs->m++] = (unsigned char)cn;
		memcpy(next, k.mv_data, cn);       /* code NUL ... < code 0x01 */
		next[cn] = 1;
		k.mv_data = next;
		k.mv_size = cn + 1;
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	}
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * How many specialties of group g fall in each region cell of a posting
 * region (county, rest of city, rest of province, rest of country), from
 * ix.spec.groups: a cell empty for the group is skipped without a seek.
 */
#define GCACHE 100                 /* 2-digit groups */

struct gcells {
	char g[2];
	unsigned long long n[4];
};

static const struct gcells *group_cells(MDB_txn *txn, MDB_dbi dbi,
    const char *code, struct match_str region, struct gcells *cache,
    size_t *ncache)
{
	static const size_t len[4] = { 6, 4, 2, 0 };
	unsigned long long at[4] = { 0, 0, 0, 0 };
	size_t i;

	for (i = 0; i < *ncache; i++)
		if (!memcmp(cache[i].g, code, 2))
			return &cache[i];
	if (*ncache == GCACHE)
		return NULL;
	struct gcells *x = &cache[(*ncache)++];
	memcpy(x->g, code, 2);
	for (int r = 0; r < 4; r++) {       /* within R[:6], R[:4], R[:2], all */
		struct match_str pre = { region.p, len[r] };
		group_count(txn, dbi, code, pre, &at[r]);
	}
	x->n[0] = at[0];
	for (int r = 1; r < 4; r++)
		x->n[r] = at[r] - at[r - 1];
	return x;
}

/*
 * Listing the codes under a prefix costs a seek per code, and the same
 * few thousand prefixes come back query after query: each thread keeps
 * the lists it read for as long as no write commits (the snapshot's txn
 * id says so), in a table that is emptied when full.
 */
#define KNOWN_SLOTS 4096

struct known {
	size_t txnid;
	size_t used;
	struct {
		char p[RANGE_MAX];
		unsigned char n, set;
		struct codes cs;
	} v[KNOWN_SLOTS];
};

static _Thread_local struct known *known;

static void known_clear(struct known *k)
{
	for (size_t i = 0; i < KNOWN_SLOTS; i++)
		if (k->v[i].set) {
			free(k->v[i].cs.s);
			free(k->v[i].cs.n);
			k->v[i].set = 0;
		}
	k->used = 0;
}

void query_thread_end(void)
{
	if (known) {
		known_clear(known);
		free(known);
		known = NULL;
	}
}

/* Append the codes under p[0..n) to out, from the table or the index. */
static int codes_known(MDB_txn *txn, MDB_cursor *c, const char *p, size_t n,
    struct codes *out)
{
	size_t id = mdb_txn_id(txn), h = n;
	int rc;

	if (!known)
		known = xcalloc(1, sizeof *known);
	if (known->txnid != id || known->used >= KNOWN_SLOTS / 2) {
		known_clear(known);
		known->txnid = id;
	}
	for (size_t i = 0; i < n; i++)
		h = h * 131 + (unsigned char)p[i];
	for (h %= KNOWN_SLOTS; known->v[h].set; h = (h + 1) % KNOWN_SLOTS)
		if (known->v[h].n == n && !memcmp(known->v[h].p, p, n))
			break;
	if (!known->v[h].set) {
		struct codes cs = { 0 };
		if ((rc = codes_under(c, p, n, &cs))) {
			free(cs.s);
			free(cs.n);
			return rc;
		}
		memcpy(known->v[h].p, p, n);
		known->v[h].n = (unsigned char)n;
		known->v[h].cs = cs;
		known->v[h].set = 1;
		known->used++;
	}
	const struct codes *cs = &known->v[h].cs;
	if (cs->m == 0)
		return 0;
	if (out->m + cs->m > out->cap) {
		out->cap = out->m + cs->m + 64;
		out->s = xrealloc(out->s, out->cap * sizeof *out->s);
		out->n = xrealloc(out->n, out->cap);
	}
	memcpy(out->s + out->m, cs->s, cs->m * sizeof *cs->s);
	memcpy(out->n + out->m, cs->n, cs->m);
	out->m += cs->m;
	return 0;
}

/* The codes of tier `tier`, each in the best tier whose ranges hold it. */
static int tier_codes(MDB_txn *txn, MDB_cursor *cur, const struct ranges *t,
    int tier, struct codes *out)
{
	struct codes all = { 0 };
	int rc = 0;
	for (size_t i = 0; i < t[tier].m && !rc; i++)
		rc = codes_known(txn, cur, t[tier].s[i], t[tier].n[i], &all);
	for (size_t i = 0; i < all.m; i++) {
		int seen = 0;
		for (int j = 0; j < tier && !seen; j++)
			seen = range_covers(&t[j], all.s[i], all.n[i]);
		if (seen)
			continue;
		if (out->m == out->cap) {
			out->cap = out->cap ? 2 * out->cap : 64;
			out->s = xrealloc(out->s, out->cap * sizeof *out->s);
			out->n = xrealloc(out->n, out->cap);
		}
		memcpy(out->s[out->m], all.s[i], RANGE_MAX);
		out->n[out->m++] = all.n[i];
	}
	free(all.s);
	free(all.n);
	return rc;
}

/*
 * Read one cell part: the entries under lead ‖ R[:pl] but not under
 * lead ‖ R[:xl] (xl 0: none left out), R the posting's region.
 */
static int cell_scan(struct cand *c, MDB_cursor *cur, const char *lead,
    size_t ln, size_t pl, size_t xl)
{
	char p[RANGE_MAX + 16], x[RANGE_MAX + 16];
	memcpy(p, lead, ln);
	if (pl)
		memcpy(p + ln, c->post->region.p, pl);
	memcpy(x, p, ln);
	if (xl)
		memcpy(x + ln, c->post->region.p, xl);
	return scan_but(cur, p, ln + pl, x, xl ? ln + xl : 0, cand_visit, c);
}

/*
 * Candidates are read in cells of (major tier, region tier): the codes of
 * a tier, and for each code its specialties in the posting's county, or
 * the rest of its city, province or country (ix.spec.major keys are code
 * NUL region6 id, so each is a range or two).  A posting with chains
 * splits each cell into the specialties that may share one (ix.spec.chain,
 * whose bound counts the chain) and the rest (ix.spec.major, whose bound
 * does not): the far rings of a big major are mostly the rest.  A posting
 * that takes any major has one tier, read by place from ix.spec.region.
 * The far ring (or the only one) of a code is read from ix.spec.code, in
 * id order, so that once it can at best tie the k-th hit the first id
 * past the k-th's ends it (far rings tie at scale: see cand_visit).
 * Cells go best bound first (w_major·tier + w_region·region + the other
 * weights), so once k hits are kept and the worst beats the next cell's
 * bound — beaten, not met, since ties go to the smaller id — nothing left
 * can enter.  `considered` comes from ix.spec.groups, which counts
 * exactly the eligible specialties by group and region; with a
 * min_available filter it depends on cohorts, so every cell is read.
 */
int query_candidates(MDB_txn *txn, const struct index_dbs *ix,
    const struct match_weights *w, const struct match_post *post,
    const struct query_filter *f, struct query_top *top,
    unsigned long long *considered)
{
	static const double region_tier[4] = { 1.0, 0.8, 0.5, 0.2 };
	static const size_t region_len[4] = { 6, 4, 2, 0 };
	struct cand *c = xmalloc(sizeof *c);
	struct ranges *t = xmalloc(3 * sizeof *t);
	struct codes cs[3] = { { 0 }, { 0 }, { 0 } };
	double other = w->skills + w->level + w->capacity;
	int counted = f->min_available < 0, rc = 0, ntiers = 0, nregions;
	int have[3] = { 0, 0, 0 }, any = post->nprefixes == 0, nparts;
	MDB_cursor *cur = NULL, *byid = NULL, *chain = NULL, *place = NULL;
	struct gcells gcache[GCACHE];
	size_t ngcache = 0;

	c->w = w;
	c->post = post;
	c->f = f;
	c->top = top;
	c->considered = 0;
	c->tally = !counted;
	c->tier = MATCH_ANY_MAJOR;
	c->bits.skill = c->skill_bit;
	c->bits.skills = 0;
	c->bits.chains = 0;
	for (size_t i = 0; i < post->nskills && i < INDEX_TAGS_MAX; i++)
		c->skill_bit[i] = match_tag_bit(post->skills[i]);
	for (size_t i = 0; i < post->nchains; i++)
		c->bits.chains |= match_tag_bit(post->chains[i]);
	nparts = c->bits.chains ? 2 : 1;
	*considered = 0;

	if ((rc = mdb_cursor_open(txn, ix->spec_major, &cur)) ||
	    (rc = mdb_cursor_open(txn, ix->spec_code, &byid)) ||
	    (rc = mdb_cursor_open(txn, ix->spec_chain, &chain)) ||
	    (rc = mdb_cursor_open(txn, ix->spec_region, &place)))
		goto done;
	if (any) {
		ntiers = 1;
		if (counted)
			rc = group_count(txn, ix->spec_groups, "**", f->region_prefix,
			    considered);
	} else {
		ntiers = 3;
		tier_ranges(post->prefixes, post->nprefixes, t);
		for (size_t i = 0; counted && i < t[2].m && !rc; i++)
			rc = group_count(txn, ix->spec_groups, t[2].s[i],
			    f->region_prefix, considered);
	}

	/* the cells, best bound first (the order depends on the weights) */
	nregions = post->region.n == 6 ? 4 : 1;
	struct cell { int tier, r, chain; double bound; } cell[24];
	int ncells = 0;
	for (int tier = 0; tier < ntiers; tier++)
		for (int r = 0; r < nregions; r++)
			for (int part = 0; part < nparts; part++) {
				double rf = nregions == 1 ? 1.0 : region_tier[r];
				struct cell x = { tier, r, nparts == 2 && part == 0,
					w->major * (any ? MATCH_ANY_MAJOR : tier_factor[tier]) +
					    w->region * rf + other +
					    (nparts == 2 && part == 0 ? w->chain : 0.0) };
				int j = ncells++;
				for (; j > 0 && cell[j - 1].bound < x.bound; j--)
					cell[j] = cell[j - 1];
				cell[j] = x;
			}
	for (int ci = 0; ci < ncells && !rc; ci++) {
		int tier = cell[ci].tier, r = cell[ci].r;
		size_t pl = nregions == 1 ? 0 : region_len[r];
		size_t xl = nregions == 1 || r == 0 ? 0 : region_len[r - 1];
		uint64_t bits = cell[ci].chain ? c->bits.chains : 1;
		if (counted && top->n == top->k && top->k &&
		    top->v[0].score > cell[ci].bound + MATCH_EPS)
			break;
		c->tier = any ? MATCH_ANY_MAJOR : tier_factor[tier];
		c->region = nregions == 1 ? -1.0 : region_tier[r];
		c->bound = cell[ci].bound;
		c->region_len = 6;
		c->near.n = 0;
		if (any) {                 /* by place, every code */
			const struct gcells *g = nregions == 1 ? NULL :
			    group_cells(txn, ix->spec_groups, "**", post->region,
			    gcache, &ngcache);
			if (g && g->n[r] == 0)
				continue;
			c->skip = 1 + 6;
			for (; bits && !rc; bits &= bits - 1) {
				char lead = cell[ci].chain ? (char)__builtin_ctzll(bits) :
				    (char)INDEX_SEL_ALL;
				c->sel = cell[ci].chain ? lead : nparts == 2 ? SEL_PLAIN :
				    SEL_ALL;
				rc = cell_scan(c, place, &lead, 1, pl, xl);
			}
			continue;
		}
		if (!have[tier]) {                 /* a tier's codes, when first read */
			have[tier] = 1;
			if ((rc = tier_codes(txn, cur, t, tier, &cs[tier])))
				break;
		}
		for (size_t i = 0; i < cs[tier].m && !rc; i++) {
			char lead[1 + RANGE_MAX + 1];
			size_t cn = cs[tier].n[i];
			const struct gcells *g = nregions == 1 ? NULL :
			    group_cells(txn, ix->spec_groups, cs[tier].s[i],
			    post->region, gcache, &ngcache);
			/*
			 * A code's near rings 0..upto are one read, in ring 0's
			 * cell, the region factor taken entry by entry (seeks
			 * saved, a few entries read early): the county to the
			 * province for the specialties that may share a chain
			 * (few), the county and the rest of the city where the
			 * group has few in the city.
			 */
			int upto = !g ? 0 : cell[ci].chain ? 2 :
			    g->n[0] + g->n[1] <= NEAR_CITY;
			if (r >= 1 && r <= upto)
				continue;          /* read with the county */
			unsigned long long here = 0;
			for (int j = r; g && j <= (r ? r : upto); j++)
				here += g->n[j];
			if (g && here == 0)
				continue;
			size_t cpl = r == 0 && upto ? region_len[upto] : pl;
			size_t cxl = r == 0 && upto ? 0 : xl;
			c->region = r == 0 && upto ? -1.0 : region_tier[r];
			memcpy(lead + 1, cs[tier].s[i], cn);
			lead[1 + cn] = 0;
			if (!cell[ci].chain && r == nregions - 1) {
				/* the far ring in id order, the province passed */
				c->skip = 0;
				c->sel = nparts == 2 ? SEL_PLAIN : SEL_ALL;
				c->region_len = 0;
				c->near.p = post->region.p;
				c->near.n = xl;
				rc = scan_but(byid, lead + 1, cn + 1, NULL, 0, cand_visit, c);
				continue;
			}
			if (!cell[ci].chain) {
				c->skip = 0;
				c->sel = nparts == 2 ? SEL_PLAIN : SEL_ALL;
				rc = cell_scan(c, cur, lead + 1, cn + 1, cpl, cxl);
				continue;
			}
			c->skip = 1;
			for (uint64_t b = bits; b && !rc; b &= b - 1) {
				lead[0] = (char)__builtin_ctzll(b);
				c->sel = lead[0];
				rc = cell_scan(c, chain, lead, cn + 2, cpl, cxl);
			}
		}
	}
done:
	if (cur)
		mdb_cursor_close(cur);
	if (byid)
		mdb_cursor_close(byid);
	if (chain)
		mdb_cursor_close(chain);
	if (place)
		mdb_cursor_close(place);
	for (int i = 0; i < 3; i++) {
		free(cs[i].s);
		free(cs[i].n);
	}
	if (!counted)
		*considered = c->considered;
	free(t);
	free(c);
	return rc;
}

struct open {
	const struct match_weights *w;
	const struct match_spec *spec;
	const struct query_filter *f;
	struct query_top *top;
	double tier;                 /* the major factor of the tier being read */
	struct index_post p;
};

static int open_visit(void *arg, MDB_val *k, MDB_val *v)
{
	struct open *o = arg;
	struct query_hit h;
	struct match_post mp;
	const char *key = k->mv_data;
	const char *nul = memchr(key, 0, k->mv_size);

	if (!nul)
		return 0;
	/* An entry is read in the tier of its own prefix's factor ... */
	struct match_str here = { key, (size_t)(nul - key) };
	int any = here.n == 1 && key[0] == '*';
	if ((any ? MATCH_ANY_MAJOR : match_major_one(o->spec->code, here)) != o->tier)
		return 0;
	if (index_post_decode(k, v, &o->p) < 0)
		return 0;
	if (o->f->kind >= 0 && o->p.kind != o->f->kind)
		return 0;
	if (!starts(o->p.region, o->f->region_prefix))
		return 0;
	/* ... and a posting, listed under each prefix, at its first best. */
	size_t first = o->p.nprefixes;
	for (size_t i = 0; i < o->p.nprefixes; i++) {
		double f = match_major_one(o->spec->code, o->p.prefixes[i]);
		if (f > o->tier)
			return 0;
		if (f == o->tier && first == o->p.nprefixes)
			first = i;
	}
	if (first < o->p.nprefixes && id_cmp(o->p.prefixes[first], here))
		return 0;
	index_post_view(&o->p, &mp);
	h.score = match_score(o->w, &mp, o->spec, &h.why);
	if (h.score < 0)
		return 0;
	h.key = *k;
	h.val = *v;
	h.id = o->p.id;
	h.available = o->spec->available;
	top_add(o->top, &h);
	return 0;
}

/*
 * Postings counted in ix.post.groups under field group g ("**": any
 * major), of kind (-1: any) and effective region starting with region.
 */
static int post_group_count(MDB_txn *txn, MDB_dbi dbi, const char g[2],
    int kind, struct match_str region, unsigned long long *sum)
{
	char key[INDEX_GKEY_MAX];
	int rc = 0;

	memcpy(key, g, 2);
	if (region.n == 0) {
		key[2] = (char)('0' + kind);
		return count_sum(txn, dbi, key, kind < 0 ? 2 : 3, 0, sum);
	}
	memcpy(key + 3, region.p, region.n);
	for (int kd = 0; kd < 4 && !rc; kd++) {
		key[2] = (char)('0' + kd);
		if (kind < 0 || kd == kind)
			rc = count_sum(txn, dbi, key, 3 + region.n, INDEX_GKEY_MAX, sum);
	}
	return rc;
}

/*
 * Postings for a specialty, tiers best first as for candidates: factor 1
 * is the exact keys code[:2], code[:4], code[:6], code; 0.6 the field
 * class and the group's 2-digit prefixes at every level; 0.5 "*" (any
 * major); 0.3 the field group.  `considered` comes from ix.post.groups.
 */
int query_openings(MDB_txn *txn, const struct index_dbs *ix,
    const struct match_weights *w, const struct match_spec *spec,
    const struct query_filter *f, struct query_top *top,
    unsigned long long *considered)
{
	struct open *o = xmalloc(sizeof *o);
	static const double open_factor[4] = { 1.0, 0.6, MATCH_ANY_MAJOR, 0.3 };
	struct ranges *t = xmalloc(4 * sizeof *t);
	double rest = w->skills + w->region + w->level + w->capacity + w->chain;
	int fg = match_field_group(spec->code.p), g[3], rc = 0;
	size_t ng = raw_groups(fg, g);
	char fgs[2] = { (char)('0' + fg / 10), (char)('0' + fg % 10) };

	o->w = w;
	o->spec = spec;
	o->f = f;
	o->top = top;
	*considered = 0;
	if ((rc = post_group_count(txn, ix->post_groups, fgs, f->kind,
	    f->region_prefix, considered)) ||
	    (rc = post_group_count(txn, ix->post_groups, "**", f->kind,
	    f->region_prefix, considered)))
		goto out;
	t[0].m = t[1].m = t[2].m = t[3].m = 0;
	range_add(&t[2], "*", 2);                  /* "*" NUL */
	for (size_t l = 2; l <= spec->code.n && l <= RANGE_MAX - 1; l += l < 6 ? 2 : 1) {
		char r[RANGE_MAX];
		memcpy(r, spec->code.p, l);
		r[l] = 0;
		range_add(&t[0], r, l + 1);
	}
	for (size_t j = 0; j < ng; j++) {
		char r[5] = { (char)('0' + g[j] / 10), (char)('0' + g[j] % 10), 0,
			spec->code.p[2], spec->code.p[3] };
		range_add(&t[1], r, 3);               /* "GG" NUL */
		range_add(&t[1], (char[4]){ r[0], r[1], r[3], r[4] }, 4);
		range_add(&t[3], r, 2);
	}
	for (int tier = 0; tier < 4 && !rc; tier++) {
		if (tier > 0 && top->n == top->k &&
		    top->v[0].score > w->major * open_factor[tier] + rest + MATCH_EPS)
			break;
		o->tier = open_factor[tier];
		for (size_t i = 0; i < t[tier].m && !rc; i++)
			rc = scan(txn, ix->post_prefix, t[tier].s[i], t[tier].n[i],
			    open_visit, o);
	}
out:
	free(t);
	free(o);
	return rc;
}

static int in_set(const struct match_str *v, size_t n, struct match_str id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = id_cmp(v[mid], id);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int query_scope_sort(struct match_str *ids, size_t n)
{
	for (size_t i = 1; i < n; i++) {          /* insertion: fairs are small */
		struct match_str x = ids[i];
		size_t j = i;
		for (; j > 0 && id_cmp(ids[j - 1], x) > 0; j--)
			ids[j] = ids[j - 1];
		ids[j] = x;
	}
	return 0;
}

struct bal {
	struct balance *b;
	const struct query_filter *f;
	const struct query_scope *sc;
	union {
		struct index_spec s;
		struct index_post p;
	} u;
};

static int bal_spec(void *arg, MDB_val *k, MDB_val *v)
{
	struct bal *b = arg;
	struct index_spec *s = &b->u.s;
	if (index_spec_decode(k, v, s) < 0 || !starts(s->region, b->f->region_prefix))
		return 0;
	if (b->sc && !in_set(b->sc->schools, b->sc->nschools, s->school_id))
		return 0;
	balance_spec(b->b, s->code, index_spec_cohort(s, b->f->grad_year));
	return 0;
}

static int bal_post(void *arg, MDB_val *k, MDB_val *v)
{
	struct bal *b = arg;
	struct index_post *p = &b->u.p;
	const char *nul = memchr(k->mv_data, 0, k->mv_size);
	struct match_str here = { k->mv_data, nul ? (size_t)(nul - (char *)k->mv_data) : 0 };

	if (index_post_decode(k, v, p) < 0 || !starts(p->region, b->f->region_prefix))
		return 0;
	/* once per posting: at its first prefix, or its "*" entry */
	if (p->nprefixes && id_cmp(p->prefixes[0], here) != 0)
		return 0;
	if (b->sc && !in_set(b->sc->enterprises, b->sc->nenterprises, p->enterprise_id))
		return 0;
	balance_post(b->b, p->prefixes, p->nprefixes, p->division, p->headcount);
	return 0;
}

int query_balance(MDB_txn *txn, const struct index_dbs *ix, struct balance *b,
    const struct query_filter *f, const struct query_scope *sc)
{
	struct bal *a = xmalloc(sizeof *a);
	int rc;

	a->b = b;
	a->f = f;
	a->sc = sc;
	rc = scan(txn, ix->spec_major, "", 0, bal_spec, a);
	if (!rc)
		rc = scan(txn, ix->post_prefix, "", 0, bal_post, a);
	free(a);
	return rc;
}
