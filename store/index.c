/* index — match indexes and their summaries; see index.h. */
#include "index.h"

#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "strtab.h"
#include "xalloc.h"

#define SUM_VERSION 7

/*
 * Count changes wait in d->tally (per count db, deltas as size_t modulo
 * 2^64) until index_flush: a batch of 10,000 postings then gets and puts
 * each count key it touches once, not once per posting.
 */
struct index_tally {
	struct strtab t[2];                /* ix.spec.groups, ix.post.groups */
};

int index_open(MDB_txn *txn, struct index_dbs *d, int *stale)
{
	MDB_val k = { 7, "version" }, v;
	unsigned char ver = SUM_VERSION;
	int rc;

	if (!d->tally) {
		d->tally = xcalloc(1, sizeof *d->tally);
		strtab_init(&d->tally->t[0]);
		strtab_init(&d->tally->t[1]);
	}
	if ((rc = mdb_dbi_open(txn, "ix.spec.major", MDB_CREATE, &d->spec_major)) ||
	    (rc = mdb_dbi_open(txn, "ix.spec.code", MDB_CREATE, &d->spec_code)) ||
	    (rc = mdb_dbi_open(txn, "ix.spec.chain", MDB_CREATE, &d->spec_chain)) ||
	    (rc = mdb_dbi_open(txn, "ix.spec.region", MDB_CREATE, &d->spec_region)) ||
	    (rc = mdb_dbi_open(txn, "ix.tags", MDB_CREATE, &d->tags)) ||
	    (rc = mdb_dbi_open(txn, "ix.spec.groups", MDB_CREATE, &d->spec_groups)) ||
	    (rc = mdb_dbi_open(txn, "ix.post.prefix", MDB_CREATE, &d->post_prefix)) ||
	    (rc = mdb_dbi_open(txn, "ix.post.groups", MDB_CREATE, &d->post_groups)) ||
	    (rc = mdb_dbi_open(txn, "ix.meta", MDB_CREATE, &d->meta)))
		return rc;
	rc = mdb_get(txn, d->meta, &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return rc;
	*stale = rc == MDB_NOTFOUND || v.mv_size != 1 ||
	    *(unsigned char *)v.mv_data != SUM_VERSION;
	if (!*stale)
		return 0;
	/* Written by another version: empty them for the caller to rebuild
	 * (ix.spec.id, of versions before 7, goes). */
	(void)ver;
	MDB_dbi gone;
	if ((rc = mdb_dbi_open(txn, "ix.spec.id", 0, &gone)) == 0)
		rc = mdb_drop(txn, gone, 1);
	if (rc && rc != MDB_NOTFOUND)
		return rc;
	if ((rc = mdb_drop(txn, d->spec_major, 0)) ||
	    (rc = mdb_drop(txn, d->spec_code, 0)) ||
	    (rc = mdb_drop(txn, d->spec_chain, 0)) ||
	    (rc = mdb_drop(txn, d->spec_region, 0)) ||
	    (rc = mdb_drop(txn, d->tags, 0)) ||
	    (rc = mdb_drop(txn, d->spec_groups, 0)) ||
	    (rc = mdb_drop(txn, d->post_prefix, 0)) ||
	    (rc = mdb_drop(txn, d->post_groups, 0)))
		return rc;
	rc = mdb_del(txn, d->meta, &(MDB_val){ 4, "tags" }, NULL);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int index_mark_current(MDB_txn *txn, const struct index_dbs *d)
{
	MDB_val k = { 7, "version" }, v;
	unsigned char ver = SUM_VERSION;
	v.mv_size = 1;
	v.mv_data = &ver;
	return mdb_put(txn, d->meta, &k, &v, 0);
}

/* A growable byte string for building keys and summaries. */
struct out {
	unsigned char *p;
	size_t n, cap;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->cap - o->n < n) {
		o->cap = (o->cap + n) * 2;
		o->p = xrealloc(o->p, o->cap);
	}
	memcpy(o->p + o->n, p, n);
	o->n += n;
}

static void put8(struct out *o, unsigned v)
{
	unsigned char b = (unsigned char)v;
	put(o, &b, 1);
}

static void put16(struct out *o, unsigned v)
{
	unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v };
	put(o, b, 2);
}

static void put32(struct out *o, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
		(unsigned char)(v >> 8), (unsigned char)v };
	put(o, b, 4);
}


/* Put a str with a one-byte (ids, codes) or two-byte length. */
static void put_str(struct out *o, const msgpack_object *s, int wide)
{
	if (wide)
		put16(o, s->via.str.size);
	else
		put8(o, s->via.str.size);
	put(o, s->via.str.ptr, s->via.str.size);
}

static void put64(struct out *o, uint64_t v)
{
	put32(o, (uint32_t)(v >> 32));
	put32(o, (uint32_t)v);
}

/* A record's tags as ids, and their bit set for bounding scans. */
struct tagset {
	match_tag v[INDEX_TAGS_MAX];
	size_t n;
	uint64_t mask;
};

static int tagset(MDB_txn *txn, const struct index_dbs *d,
    const msgpack_object *a, int add, struct tagset *t)
{
	int rc = 0;
	t->n = 0;
	t->mask = 0;
	for (uint32_t i = 0; a && i < a->via.array.size && t->n < INDEX_TAGS_MAX &&
	    !rc; i++) {
		const msgpack_object *x = &a->via.array.ptr[i];
		rc = index_tag(txn, d, x->via.str.ptr, x->via.str.size, add,
		    &t->v[t->n]);
		t->mask |= match_tag_bit(t->v[t->n++]);
	}
	return rc;
}

/* A record's skills (t[0]) and chains (t[1]); NULL on an MDB error, in *rc. */
static struct tagset *tagsets(MDB_txn *txn, const struct index_dbs *d, int add,
    const msgpack_object *skills, const msgpack_object *chains, int *rc)
{
	struct tagset *t = xmalloc(2 * sizeof *t);
	if ((*rc = tagset(txn, d, skills, add, &t[0])) ||
	    (*rc = tagset(txn, d, chains, add, &t[1]))) {
		free(t);
		return NULL;
	}
	return t;
}

static void put_tagset(struct out *o, const struct tagset *t)
{
	put8(o, (unsigned)t->n);
	for (size_t i = 0; i < t->n; i++)
		put32(o, t->v[i]);
}

static void put_region(struct out *o, const msgpack_object *r)
{
	if (r && r->via.str.size == 6)
		put(o, r->via.str.ptr, 6);
	else
		put(o, "000000", 6);
}

/* A specialty's entry key: code NUL region6 id (region of its school). */
static struct match_str str_of(const msgpack_object *o)
{
	struct match_str s = { o->via.str.ptr, o->via.str.size };
	return s;
}

static MDB_val spec_key(struct out *o, const msgpack_object *rec,
    const msgpack_object *school)
{
	const msgpack_object *code = schema_opt(rec, "major_code");
	const msgpack_object *id = schema_opt(rec, "id");
	MDB_val k;
	o->n = 0;
	put(o, code->via.str.ptr, code->via.str.size);
	put8(o, 0);
	put_region(o, schema_opt(school, "region"));
	put(o, id->via.str.ptr, id->via.str.size);
	k.mv_data = o->p;
	k.mv_size = o->n;
	return k;
}

/* key = a NUL b */
static MDB_val key2(struct out *o, const msgpack_object *a, const char *lit,
    const msgpack_object *b)
{
	MDB_val k;
	o->n = 0;
	if (a)
		put(o, a->via.str.ptr, a->via.str.size);
	else
		put(o, lit, strlen(lit));
	put8(o, 0);
	put(o, b->via.str.ptr, b->via.str.size);
	k.mv_data = o->p;
	k.mv_size = o->n;
	return k;
}

/*
 * The summary of a specialty whose school is school; add: intern new
 * tags (a writer), else look them up (admin.verify).  MDB errors pass.
 */
static int spec_summary(MDB_txn *txn, const struct index_dbs *d, int add,
    struct out *v, const msgpack_object *rec, const msgpack_object *school)
{
	const msgpack_object *coh = schema_opt(rec, "cohorts");
	int rc;
	struct tagset *t = tagsets(txn, d, add, schema_opt(rec, "skills"),
	    schema_opt(rec, "chains"), &rc);

	if (!t)
		return rc;
	v->n = 0;
	put8(v, SUM_VERSION);
	put8(v, (unsigned)schema_level_of(schema_opt(school, "level")) & 0xff);
	put_region(v, schema_opt(school, "region"));
	put_str(v, schema_opt(rec, "school_id"), 0);
	put8(v, coh ? coh->via.map.size : 0);
	for (uint32_t i = 0; coh && i < coh->via.map.size; i++) {
		const msgpack_object *y = &coh->via.map.ptr[i].key;
		put16(v, (unsigned)schema_year(y, NULL));
		put32(v, (uint32_t)coh->via.map.ptr[i].val.via.u64);
	}
	put64(v, t[0].mask);
	put64(v, t[1].mask);
	put_tagset(v, &t[0]);
	put_tagset(v, &t[1]);
	free(t);
	return 0;
}

static int kind_index(const msgpack_object *k);

/* The summary of a posting whose enterprise is ent (add: spec_summary). */
static int post_summary(MDB_txn *txn, const struct index_dbs *d, int add,
    struct out *v, const msgpack_object *rec, const msgpack_object *ent)
{
	const msgpack_object *m = schema_opt(rec, "majors");
	const msgpack_object *region = schema_opt(rec, "region");
	const msgpack_object *lv = schema_opt(rec, "level");
	const msgpack_object *ind = schema_opt(ent, "industry");
	uint32_t n = m ? m->via.array.size : 0;
	size_t dn = ind ? (ind->via.str.size < 3 ? ind->via.str.size : 3) : 0;
	int rc;
	struct tagset *t = tagsets(txn, d, add, schema_opt(rec, "skills"),
	    schema_opt(ent, "chains"), &rc);

	if (!t)
		return rc;
	v->n = 0;
	put8(v, SUM_VERSION);
	put8(v, (unsigned)kind_index(schema_opt(rec, "kind")));
	put8(v, lv ? (unsigned)schema_level_of(lv) : 0xff);
	put_region(v, region ? region : schema_opt(ent, "region"));
	put32(v, (uint32_t)schema_opt(rec, "headcount")->via.u64);
	put_str(v, schema_opt(rec, "enterprise_id"), 0);
	put8(v, (unsigned)dn);
	if (dn)
		put(v, ind->via.str.ptr, dn);
	put8(v, n);
	for (uint32_t i = 0; i < n; i++)
		put_str(v, &m->via.array.ptr[i], 0);
	put_tagset(v, &t[0]);
	put_tagset(v, &t[1]);
	free(t);
	return 0;
}

/* Add delta to the uint64 count under key (deleted when it reaches 0). */
static int count_add(MDB_txn *txn, MDB_dbi dbi, const char *key, size_t n,
    long long delta)
{
	MDB_val k = { n, (void *)key }, v;
	uint64_t c = 0;
	int rc = mdb_get(txn, dbi, &k, &v);
	if (rc == 0 && v.mv_size == sizeof c)
		memcpy(&c, v.mv_data, sizeof c);
	else if (rc && rc != MDB_NOTFOUND)
		return rc;
	c = delta < 0 && (uint64_t)-delta > c ? 0 : c + (uint64_t)delta;
	if (c == 0) {
		rc = mdb_del(txn, dbi, &k, NULL);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	v.mv_size = sizeof c;
	v.mv_data = &c;
	return mdb_put(txn, dbi, &k, &v, 0);
}

static void tally_reset(struct strtab *t)
{
	if (t->cap > 1024) {               /* a big batch: give the room back */
		strtab_free(t);
		strtab_init(t);
	} else if (t->n) {
		memset(t->t, 0, t->cap * sizeof *t->t);
		t->n = 0;
	}
}

int index_flush(MDB_txn *txn, const struct index_dbs *d)
{
	MDB_dbi dbi[2] = { d->spec_groups, d->post_groups };
	int rc = 0;

	for (int w = 0; w < 2 && !rc; w++) {
		struct strtab *t = &d->tally->t[w];
		for (size_t i = 0; i < t->cap && t->n && !rc; i++)
			if (t->t[i].used && t->t[i].val)
				rc = count_add(txn, dbi[w], t->t[i].k, t->t[i].n,
				    (long long)t->t[i].val);
	}
	index_discard(d);
	return rc;
}

void index_discard(const struct index_dbs *d)
{
	tally_reset(&d->tally->t[0]);
	tally_reset(&d->tally->t[1]);
}

void index_close(struct index_dbs *d)
{
	if (!d->tally)
		return;
	strtab_free(&d->tally->t[0]);
	strtab_free(&d->tally->t[1]);
	free(d->tally);
	d->tally = NULL;
}

/*
 * The ix.spec.groups keys a specialty counts under: its group and "**",
 * each alone and followed by the school's region cut to 2, 4 and 6
 * digits (so a search's region rings are one get each).
 */
static size_t spec_group_keys(const char *code, const char *region,
    char keys[][INDEX_GKEY_MAX], size_t *lens)
{
	size_t n = 0;
	for (int all = 0; all < 2; all++)
		for (size_t r = 0; r <= 6; r += 2) {
			memcpy(keys[n], all ? "**" : code, 2);
			memcpy(keys[n] + 2, region, r);
			lens[n++] = 2 + r;
		}
	return n;
}

/*
 * The ix.post.groups keys a posting counts under: for each distinct
 * field group of its prefixes ("**" when it takes any major), the group
 * alone, with its kind, and with its kind and effective region.
 */
static size_t post_group_keys(const struct index_post *p,
    char keys[][INDEX_GKEY_MAX], size_t *lens)
{
	uint64_t seen[2] = { 0, 0 };
	size_t n = 0;
	for (size_t i = 0; i < (p->nprefixes ? p->nprefixes : 1); i++) {
		char g[2] = { '*', '*' };
		if (p->nprefixes) {
			int fg = match_field_group(p->prefixes[i].p);
			if (seen[fg >> 6] >> (fg & 63) & 1)
				continue;
			seen[fg >> 6] |= (uint64_t)1 << (fg & 63);
			g[0] = (char)('0' + fg / 10);
			g[1] = (char)('0' + fg % 10);
		}
		for (size_t l = 0; l < 3; l++) {
			memcpy(keys[n], g, 2);
			keys[n][2] = (char)('0' + p->kind);
			memcpy(keys[n] + 3, p->region.p, 6);
			lens[n++] = l == 0 ? 2 : l == 1 ? 3 : 9;
		}
	}
	return n;
}

static void counts_add(struct strtab *t, char keys[][INDEX_GKEY_MAX],
    const size_t *lens, size_t n, int delta)
{
	for (size_t i = 0; i < n; i++)
		*strtab_at(t, keys[i], lens[i]) += (size_t)(long long)delta;
}

static int spec_count(MDB_txn *txn, const struct index_dbs *d, const char *code,
    const char *region, int delta)
{
	char keys[8][INDEX_GKEY_MAX];
	size_t lens[8];
	size_t n = spec_group_keys(code, region, keys, lens);
	(void)txn;
	counts_add(&d->tally->t[0], keys, lens, n, delta);
	return 0;
}

/* Count the posting of entry (key, val) in ix.post.groups. */
static int post_count(MDB_txn *txn, const struct index_dbs *d,
    const MDB_val *key, const MDB_val *val, int delta)
{
	struct index_post *p = xmalloc(sizeof *p);
	char (*keys)[INDEX_GKEY_MAX] = xmalloc(3 * INDEX_TAGS_MAX * sizeof *keys);
	size_t lens[3 * INDEX_TAGS_MAX];
	(void)txn;
	if (index_post_decode(key, val, p) == 0)
		counts_add(&d->tally->t[1], keys, lens,
		    post_group_keys(p, keys, lens), delta);
	free(keys);
	free(p);
	return 0;
}

/* What spec_derived does with the entries. */
enum { DERIVED_PUT, DERIVED_DEL, DERIVED_CHECK };

/*
 * Put, delete or check one derived entry: 0 or an MDB error.  A check
 * adds 1 to *bad when the entry is missing or different.
 */
static int derived_op(MDB_txn *txn, MDB_dbi dbi, int op, MDB_val *k,
    const MDB_val *val, size_t *bad)
{
	MDB_val got;
	int rc;

	if (op == DERIVED_PUT)
		return mdb_put(txn, dbi, k, (MDB_val *)val, 0);
	if (op == DERIVED_DEL) {
		rc = mdb_del(txn, dbi, k, NULL);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	rc = mdb_get(txn, dbi, k, &got);
	if (rc && rc != MDB_NOTFOUND)
		return rc;
	*bad += rc || got.mv_size != val->mv_size ||
	    memcmp(got.mv_data, val->mv_data, val->mv_size);
	return 0;
}

/*
 * The copies of a specialty's ix.spec.major entry (key, val) in
 * ix.spec.code (its key without the region), ix.spec.chain (one per bit
 * of its chains mask) and ix.spec.region (one under INDEX_SEL_ALL, one
 * per chain bit): put them, delete them (val unused), or count in *bad
 * those missing or different (bad is used by DERIVED_CHECK only).
 * region is the entry's region6, chains its chains mask.  0 or an MDB
 * error.
 */
static int spec_derived(MDB_txn *txn, const struct index_dbs *d, int op,
    const MDB_val *key, const MDB_val *val, const char *region, uint64_t chains,
    size_t *bad)
{
	struct out k = { 0 };
	const char *nul = memchr(key->mv_data, 0, key->mv_size);
	size_t cn = nul ? (size_t)(nul - (char *)key->mv_data) + 1 : 0;
	MDB_val kk;
	int rc = 0;

	if (nul && cn + 6 <= key->mv_size) {      /* code NUL | region6 | id */
		put(&k, key->mv_data, cn);
		put(&k, (char *)key->mv_data + cn + 6, key->mv_size - cn - 6);
		kk.mv_data = k.p;
		kk.mv_size = k.n;
		rc = derived_op(txn, d->spec_code, op, &kk, val, bad);
	}
	for (int sel = -1; sel < 64 && !rc; sel++) {
		if (sel >= 0 && !(chains >> sel & 1))
			continue;
		for (int region_db = sel < 0; region_db < 2 && !rc; region_db++) {
			k.n = 0;
			put8(&k, sel < 0 ? INDEX_SEL_ALL : (unsigned)sel);
			if (region_db)
				put(&k, region, 6);
			put(&k, key->mv_data, key->mv_size);
			kk.mv_data = k.p;
			kk.mv_size = k.n;
			rc = derived_op(txn, region_db ? d->spec_region : d->spec_chain,
			    op, &kk, val, bad);
		}
	}
	free(k.p);
	return rc;
}

/* The chains mask of a specialty summary (0 when malformed). */
static uint64_t spec_chains(const MDB_val *key, const MDB_val *val)
{
	struct index_spec *s = xmalloc(sizeof *s);
	uint64_t m = index_spec_decode_head(key, val, s) == 0 ? s->chains_mask : 0;
	free(s);
	return m;
}

/*
 * A specialty's ix.spec.major key, built in kb[0..kbsize) from its
 * ix.spec.code entry (v: the summary there): code NUL region6 id, the
 * region the summary's (its school's as it was when written: the school
 * may be changing in this txn).
 */
static int spec_locate(MDB_txn *txn, const struct index_dbs *d,
    struct match_str code, struct match_str id, char *kb, size_t kbsize,
    MDB_val *k, MDB_val *v)
{
	MDB_val ck = { code.n + 1 + id.n, kb };
	int rc;

	if (code.n + 1 + 6 + id.n > kbsize)
		return MDB_NOTFOUND;
	memcpy(kb, code.p, code.n);                /* code NUL id */
	kb[code.n] = 0;
	memcpy(kb + code.n + 1, id.p, id.n);
	if ((rc = mdb_get(txn, d->spec_code, &ck, v)))
		return rc;
	memmove(kb + code.n + 7, kb + code.n + 1, id.n);
	if (v->mv_size >= 8 && *(unsigned char *)v->mv_data == SUM_VERSION)
		memcpy(kb + code.n + 1, (char *)v->mv_data + 2, 6);
	else
		memcpy(kb + code.n + 1, "000000", 6);
	k->mv_data = kb;
	k->mv_size = code.n + 7 + id.n;
	return 0;
}

int index_spec_find(MDB_txn *txn, const struct index_dbs *d,
    struct match_str code, struct match_str id, MDB_val *k, MDB_val *v)
{
	char kb[2 * SCHEMA_ID_MAX + 16];
	MDB_cursor *c;
	int rc;

	if ((rc = spec_locate(txn, d, code, id, kb, sizeof kb, k, v)) ||
	    (rc = mdb_cursor_open(txn, d->spec_major, &c)))
		return rc;
	rc = mdb_cursor_get(c, k, v, MDB_SET_KEY);   /* k now points into the map */
	mdb_cursor_close(c);
	return rc;
}

int index_specialty(MDB_txn *txn, const struct index_dbs *d,
    const msgpack_object *old, const msgpack_object *rec,
    const msgpack_object *school)
{
	struct out k = { 0 }, v = { 0 };
	MDB_val key, val;
	int rc = 0;

	if (old) {
		char kb[2 * SCHEMA_ID_MAX + 16];
		MDB_val old_val;
		rc = spec_locate(txn, d, str_of(schema_opt(old, "major_code")),
		    str_of(schema_opt(old, "id")), kb, sizeof kb, &key, &old_val);
		if (rc == MDB_NOTFOUND) {
			rc = 0;
		} else if (rc) {
			goto out;
		} else {
			const char *region = kb + (key.mv_size -
			    schema_opt(old, "id")->via.str.size - 6);
			uint64_t chains = spec_chains(&key, &old_val);
			if ((rc = spec_count(txn, d, kb, region, -1)) ||
			    (rc = spec_derived(txn, d, DERIVED_DEL, &key, NULL, region,
			    chains, NULL)) ||
			    ((rc = mdb_del(txn, d->spec_major, &key, NULL)) &&
			    rc != MDB_NOTFOUND))
				goto out;
		}
	}
	if (rec) {
		if ((rc = spec_summary(txn, d, 1, &v, rec, school)))
			goto out;
		key = spec_key(&k, rec, school);
		val.mv_data = v.p;
		val.mv_size = v.n;
		if ((rc = mdb_put(txn, d->spec_major, &key, &val, 0)) ||
		    (rc = spec_derived(txn, d, DERIVED_PUT, &key, &val,
		    (char *)v.p + 2, spec_chains(&key, &val), NULL)))
			goto out;
		rc = spec_count(txn, d, key.mv_data, (char *)v.p + 2, +1);
	}
out:
	free(k.p);
	free(v.p);
	return rc;
}

static int kind_index(const msgpack_object *k)
{
	int i = schema_kind_of_posting(k);
	return i < 0 ? 0 : i;
}

int index_posting(MDB_txn *txn, const struct index_dbs *d,
    const msgpack_object *old, const msgpack_object *rec,
    const msgpack_object *ent)
{
	struct out k = { 0 }, v = { 0 };
	MDB_val key, val;
	int rc = 0;

	if (old) {
		const msgpack_object *m = schema_opt(old, "majors");
		uint32_t n = m ? m->via.array.size : 0;
		/* uncount by the stored summary: the enterprise may be changing */
		key = key2(&k, n ? &m->via.array.ptr[0] : NULL, "*", schema_opt(old, "id"));
		if ((rc = mdb_get(txn, d->post_prefix, &key, &val)) == 0)
			rc = post_count(txn, d, &key, &val, -1);
		if (rc && rc != MDB_NOTFOUND)
			goto out;
		for (uint32_t i = 0; i < (n ? n : 1); i++) {
			key = key2(&k, n ? &m->via.array.ptr[i] : NULL, "*", schema_opt(old, "id"));
			if ((rc = mdb_del(txn, d->post_prefix, &key, NULL)) &&
			    rc != MDB_NOTFOUND)
				goto out;
			rc = 0;
		}
	}
	if (rec) {
		const msgpack_object *m = schema_opt(rec, "majors");
		uint32_t n = m ? m->via.array.size : 0;
		if ((rc = post_summary(txn, d, 1, &v, rec, ent)))
			goto out;
		val.mv_data = v.p;
		val.mv_size = v.n;
		for (uint32_t i = 0; i < (n ? n : 1); i++) {
			key = key2(&k, n ? &m->via.array.ptr[i] : NULL, "*", schema_opt(rec, "id"));
			if ((rc = mdb_put(txn, d->post_prefix, &key, &val, 0)))
				goto out;
		}
		key = key2(&k, n ? &m->via.array.ptr[0] : NULL, "*", schema_opt(rec, "id"));
		rc = post_count(txn, d, &key, &val, +1);
	}
out:
	free(k.p);
	free(v.p);
	return rc;
}

/* A bounds-checked reader over a summary. */
struct in {
	const unsigned char *p, *end;
	int bad;
};

static const unsigned char *take(struct in *r, size_t n)
{
	if ((size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	const unsigned char *q = r->p;
	r->p += n;
	return q;
}

static unsigned get8(struct in *r)
{
	const unsigned char *q = take(r, 1);
	return q ? q[0] : 0;
}

static unsigned get16(struct in *r)
{
	const unsigned char *q = take(r, 2);
	return q ? (unsigned)q[0] << 8 | q[1] : 0;
}

static uint32_t get32(struct in *r)
{
	const unsigned char *q = take(r, 4);
	return q ? (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
	    (uint32_t)q[2] << 8 | q[3] : 0;
}

static struct match_str get_str(struct in *r, int wide)
{
	struct match_str s;
	s.n = wide ? get16(r) : get8(r);
	s.p = (const char *)take(r, s.n);
	if (!s.p)
		s.n = 0;
	return s;
}

static size_t get_tags(struct in *r, match_tag *v)
{
	size_t n = get8(r);
	if (n > INDEX_TAGS_MAX) {
		r->bad = 1;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = get32(r);
	return n;
}

/* Split "a NUL b". */
static int split_key(const MDB_val *key, struct match_str *a, struct match_str *b)
{
	const char *k = key->mv_data, *nul = memchr(k, 0, key->mv_size);
	if (!nul)
		return -1;
	a->p = k;
	a->n = (size_t)(nul - k);
	b->p = nul + 1;
	b->n = key->mv_size - a->n - 1;
	return 0;
}

int index_spec_decode_key(const MDB_val *key, size_t region_len,
    struct index_spec *s)
{
	if (split_key(key, &s->code, &s->id) < 0 || s->id.n < region_len + 1)
		return -1;
	s->id.p += region_len;              /* code NUL region id */
	s->id.n -= region_len;
	return 0;
}

static uint64_t be64(const unsigned char *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return __builtin_bswap64(x);
}

/* Every search step decodes one of these: straight-line, one check per part. */
int index_spec_decode_head(const MDB_val *key, const MDB_val *val,
    struct index_spec *s)
{
	const unsigned char *p = val->mv_data, *end = p + val->mv_size;
	size_t n;

	if ((key && index_spec_decode_key(key, 6, s) < 0) || end - p < 9 ||
	    p[0] != SUM_VERSION)
		return -1;
	s->level = p[1];
	s->region.p = (const char *)p + 2;
	s->region.n = 6;
	n = p[8];
	p += 9;
	if ((size_t)(end - p) < n + 1)
		return -1;
	s->school_id.p = (const char *)p;
	s->school_id.n = n;
	p += n;
	s->ncohorts = *p++;
	if ((size_t)(end - p) < 6 * s->ncohorts + 16)
		return -1;
	s->cohorts = p;
	p += 6 * s->ncohorts;
	s->skills_mask = be64(p);
	s->chains_mask = be64(p + 8);
	s->tags = p + 16;
	s->end = end;
	return 0;
}

int index_spec_decode_tags(struct index_spec *s)
{
	struct in r = { s->tags, s->end, 0 };
	s->nskills = get_tags(&r, s->skills);
	s->nchains = get_tags(&r, s->chains);
	return r.bad ? -1 : 0;
}

int index_spec_decode(const MDB_val *key, const MDB_val *val, struct index_spec *s)
{
	if (index_spec_decode_head(key, val, s) < 0)
		return -1;
	return index_spec_decode_tags(s);
}

long long index_spec_cohort(const struct index_spec *s, int year)
{
	for (size_t i = 0; i < s->ncohorts; i++) {
		const unsigned char *c = s->cohorts + 6 * i;
		if ((c[0] << 8 | c[1]) == year)
			return (long long)((uint32_t)c[2] << 24 | (uint32_t)c[3] << 16 |
			    (uint32_t)c[4] << 8 | c[5]);
	}
	return 0;
}

void index_spec_view(const struct index_spec *s, int year, struct match_spec *v)
{
	v->code = s->code;
	v->region = s->region;
	v->level = s->level;
	v->available = index_spec_cohort(s, year);
	v->skills = s->skills;
	v->nskills = s->nskills;
	v->chains = s->chains;
	v->nchains = s->nchains;
}

void index_post_view(const struct index_post *p, struct match_post *v)
{
	v->prefixes = p->prefixes;
	v->nprefixes = p->nprefixes;
	v->skills = p->skills;
	v->nskills = p->nskills;
	v->chains = p->chains;
	v->nchains = p->nchains;
	v->level = p->level;
	v->region = p->region;
	v->headcount = p->headcount;
}

int index_post_decode(const MDB_val *key, const MDB_val *val, struct index_post *p)
{
	struct in r = { val->mv_data, (const unsigned char *)val->mv_data + val->mv_size, 0 };
	struct match_str prefix;

	if (split_key(key, &prefix, &p->id) < 0 || get8(&r) != SUM_VERSION)
		return -1;
	p->kind = (int)get8(&r);
	p->level = (int)get8(&r);
	if (p->level == 0xff)
		p->level = -1;
	p->region.p = (const char *)take(&r, 6);
	p->region.n = 6;
	p->headcount = get32(&r);
	p->enterprise_id = get_str(&r, 0);
	p->division = get_str(&r, 0);
	p->nprefixes = get8(&r);
	if (p->nprefixes > INDEX_TAGS_MAX)
		return -1;
	for (size_t i = 0; i < p->nprefixes; i++)
		p->prefixes[i] = get_str(&r, 0);
	p->nskills = get_tags(&r, p->skills);
	p->nchains = get_tags(&r, p->chains);
	return r.bad ? -1 : 0;
}

/* ix.tags --------------------------------------------------------------- */

/*
 * A tag's entry is keyed by its first TAG_KEY bytes (LMDB keys stop at
 * 511, a tag may have 512) and lists the tags starting so, each as u32
 * id, u16 length of the rest, the rest: nearly always one tag with no
 * rest.  Ids count from 1 (ix.meta "tags" holds the last) in order of
 * first use and are never reused or dropped.
 */
#define TAG_KEY 480

int index_tag(MDB_txn *txn, const struct index_dbs *d, const char *tag,
    size_t n, int add, match_tag *id)
{
	MDB_val k = { n < TAG_KEY ? n : TAG_KEY, (void *)tag }, v, mk = { 4, "tags" };
	const char *rest = tag + k.mv_size;
	size_t rn = n - k.mv_size;
	struct out o = { 0 };
	uint32_t last = 0;
	int rc;

	*id = 0;
	rc = mdb_get(txn, d->tags, &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return rc;
	if (rc == 0) {
		struct in r = { v.mv_data, (const unsigned char *)v.mv_data + v.mv_size, 0 };
		while (r.p < r.end && !r.bad) {
			uint32_t x = get32(&r);
			size_t m = get16(&r);
			const unsigned char *q = take(&r, m);
			if (!r.bad && m == rn && !memcmp(q, rest, rn)) {
				*id = x;
				return 0;
			}
		}
		if (add)
			put(&o, v.mv_data, v.mv_size);    /* v dies with the next write */
	}
	if (!add)
		return 0;
	rc = mdb_get(txn, d->meta, &mk, &v);
	if (rc == 0 && v.mv_size == 4)
		memcpy(&last, v.mv_data, 4);
	else if (rc && rc != MDB_NOTFOUND)
		goto out;
	if (last == UINT32_MAX) {
		rc = MDB_MAP_FULL;                 /* 4 billion distinct tags */
		goto out;
	}
	*id = ++last;
	put32(&o, last);
	put16(&o, (unsigned)rn);
	put(&o, rest, rn);
	v.mv_size = o.n;
	v.mv_data = o.p;
	if ((rc = mdb_put(txn, d->tags, &k, &v, 0)) == 0) {
		v.mv_size = 4;
		v.mv_data = &last;
		rc = mdb_put(txn, d->meta, &mk, &v, 0);
	}
	if (rc)
		*id = 0;
out:
	free(o.p);
	return rc;
}

/* admin.verify ---------------------------------------------------------- */

/* Add 1 to *bad when key's entry in dbi is missing or not v: 0 or an MDB error. */
static int entry_is(MDB_txn *txn, MDB_dbi dbi, const MDB_val *key,
    const struct out *v, size_t *bad)
{
	MDB_val got;
	int rc = mdb_get(txn, dbi, (MDB_val *)key, &got);
	if (rc && rc != MDB_NOTFOUND)
		return rc;
	*bad += rc || got.mv_size != v->n || memcmp(got.mv_data, v->p, v->n);
	return 0;
}

int index_verify_specialty(MDB_txn *txn, const struct index_dbs *d,
    const msgpack_object *rec, const msgpack_object *school, size_t *bad)
{
	struct out k = { 0 }, v = { 0 };
	MDB_val key;
	int rc;

	*bad = 0;
	if ((rc = spec_summary(txn, d, 0, &v, rec, school)))
		goto out;
	key = spec_key(&k, rec, school);
	if (!(rc = entry_is(txn, d->spec_major, &key, &v, bad))) {
		MDB_val val = { v.n, v.p };
		rc = spec_derived(txn, d, DERIVED_CHECK, &key, &val,
		    (char *)v.p + 2, spec_chains(&key, &val), bad);
	}
out:
	free(k.p);
	free(v.p);
	return rc;
}

int index_verify_posting(MDB_txn *txn, const struct index_dbs *d,
    const msgpack_object *rec, const msgpack_object *ent, size_t *bad)
{
	struct out k = { 0 }, v = { 0 };
	const msgpack_object *m = schema_opt(rec, "majors");
	uint32_t n = m ? m->via.array.size : 0;
	int rc;

	*bad = 0;
	rc = post_summary(txn, d, 0, &v, rec, ent);
	for (uint32_t i = 0; i < (n ? n : 1) && !rc; i++) {
		MDB_val key = key2(&k, n ? &m->via.array.ptr[i] : NULL, "*",
		    schema_opt(rec, "id"));
		rc = entry_is(txn, d->post_prefix, &key, &v, bad);
	}
	free(k.p);
	free(v.p);
	return rc;
}

/* Compare db (key → uint64 count) with the tally; a problem for the first difference. */
static int tally_check(MDB_txn *txn, MDB_dbi dbi, const char *name,
    struct strtab *y, void (*problem)(void *, const char *), void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	size_t seen = 0;
	char msg[200];
	int rc;

	if ((rc = mdb_cursor_open(txn, dbi, &c)))
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		uint64_t n = 0;
		size_t *e = k.mv_size <= INDEX_GKEY_MAX ?
		    strtab_find(y, k.mv_data, k.mv_size) : NULL;
		if (v.mv_size == sizeof n)
			memcpy(&n, v.mv_data, sizeof n);
		if (!e || *e != n) {
			snprintf(msg, sizeof msg, "%s: %.*s counts %llu, the entries "
			    "make %llu", name, (int)k.mv_size, (char *)k.mv_data,
			    (unsigned long long)n, e ? (unsigned long long)*e : 0ull);
			problem(arg, msg);
			break;
		}
		seen++;
	}
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND) {
		rc = 0;
		if (seen != y->n) {
			snprintf(msg, sizeof msg, "%s: %zu keys where the entries make "
			    "%zu", name, seen, y->n);
			problem(arg, msg);
		}
	}
	return rc;
}

static unsigned long long db_entries(MDB_txn *txn, MDB_dbi dbi)
{
	MDB_stat st;
	return mdb_stat(txn, dbi, &st) ? 0 : st.ms_entries;
}

/*
 * ix.tags must hold the ids 1..last exactly once each (ix.meta "tags"):
 * a lost or repeated id would give two tags one id.
 */
static int tags_check(MDB_txn *txn, const struct index_dbs *d,
    void (*problem)(void *arg, const char *what), void *arg)
{
	MDB_val k, v, mk = { 4, "tags" };
	MDB_cursor *c;
	uint32_t last = 0;
	unsigned char *seen;
	unsigned long long n = 0, bad = 0;
	char msg[160];
	int rc;

	rc = mdb_get(txn, d->meta, &mk, &v);
	if (rc == 0 && v.mv_size == 4)
		memcpy(&last, v.mv_data, 4);
	else if (rc && rc != MDB_NOTFOUND)
		return rc;
	if ((rc = mdb_cursor_open(txn, d->tags, &c)))
		return rc;
	seen = xcalloc((size_t)last / 8 + 1, 1);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct in r = { v.mv_data, (const unsigned char *)v.mv_data + v.mv_size, 0 };
		while (r.p < r.end && !r.bad) {
			uint32_t id = get32(&r);
			take(&r, get16(&r));
			if (r.bad || id == 0 || id > last || seen[id / 8] >> (id % 8) & 1)
				bad++;
			else
				seen[id / 8] |= (unsigned char)(1u << (id % 8));
			n++;
		}
	}
	mdb_cursor_close(c);
	free(seen);
	if (rc != MDB_NOTFOUND)
		return rc;
	if (bad || n != last) {
		snprintf(msg, sizeof msg, "ix.tags: %llu tags for ids 1..%u, %llu "
		    "repeated, malformed or past the last", n, last, bad);
		problem(arg, msg);
	}
	return 0;
}

int index_verify_totals(MDB_txn *txn, const struct index_dbs *d,
    unsigned long long nspec, unsigned long long npost,
    void (*problem)(void *arg, const char *what), void *arg)
{
	struct strtab ys, yp;
	struct index_post *p = xmalloc(sizeof *p);
	char (*keys)[INDEX_GKEY_MAX] = xmalloc(3 * INDEX_TAGS_MAX * sizeof *keys);
	size_t lens[3 * INDEX_TAGS_MAX], n;
	unsigned long long have, nchain = 0;
	MDB_cursor *c;
	MDB_val k, v;
	char msg[160];
	int rc;

	strtab_init(&ys);
	strtab_init(&yp);
	if ((rc = tags_check(txn, d, problem, arg)))
		goto out;
	if ((have = db_entries(txn, d->spec_major)) != nspec) {
		snprintf(msg, sizeof msg, "ix.spec.major holds %llu entries for "
		    "%llu specialties", have, nspec);
		problem(arg, msg);
	}
	if ((have = db_entries(txn, d->spec_code)) != nspec) {
		snprintf(msg, sizeof msg, "ix.spec.code holds %llu entries for "
		    "%llu specialties", have, nspec);
		problem(arg, msg);
	}
	if ((have = db_entries(txn, d->post_prefix)) != npost) {
		snprintf(msg, sizeof msg, "ix.post.prefix holds %llu entries where "
		    "the postings' prefixes make %llu", have, npost);
		problem(arg, msg);
	}
	/* Recount both count indexes from the entries they count. */
	if ((rc = mdb_cursor_open(txn, d->spec_major, &c)))
		goto out;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < 2 || v.mv_size < 8)
			continue;
		n = spec_group_keys(k.mv_data, (char *)v.mv_data + 2, keys, lens);
		for (size_t i = 0; i < n; i++)
			++*strtab_at(&ys, keys[i], lens[i]);
		nchain += (unsigned long long)__builtin_popcountll(spec_chains(&k, &v));
	}
	mdb_cursor_close(c);
	if ((have = db_entries(txn, d->spec_chain)) != nchain) {
		snprintf(msg, sizeof msg, "ix.spec.chain holds %llu entries where "
		    "the specialties' chains make %llu", have, nchain);
		problem(arg, msg);
	}
	if ((have = db_entries(txn, d->spec_region)) != nspec + nchain) {
		snprintf(msg, sizeof msg, "ix.spec.region holds %llu entries where "
		    "the specialties and their chains make %llu", have, nspec + nchain);
		problem(arg, msg);
	}
	if ((rc = mdb_cursor_open(txn, d->post_prefix, &c)))
		goto out;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const char *nul = memchr(k.mv_data, 0, k.mv_size);
		size_t pn = nul ? (size_t)(nul - (char *)k.mv_data) : 0;
		if (index_post_decode(&k, &v, p) < 0)
			continue;
		if (p->nprefixes && (p->prefixes[0].n != pn ||
		    memcmp(p->prefixes[0].p, k.mv_data, pn)))
			continue;         /* counted at its first prefix */
		n = post_group_keys(p, keys, lens);
		for (size_t i = 0; i < n; i++)
			++*strtab_at(&yp, keys[i], lens[i]);
	}
	mdb_cursor_close(c);
	if ((rc = tally_check(txn, d->spec_groups, "ix.spec.groups", &ys, problem,
	    arg)) == 0)
		rc = tally_check(txn, d->post_groups, "ix.post.groups", &yp, problem,
		    arg);
out:
	strtab_free(&ys);
	strtab_free(&yp);
	free(keys);
	free(p);
	return rc == MDB_NOTFOUND ? 0 : rc;
}
