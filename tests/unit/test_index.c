/*
 * test_index — the match indexes' summaries (store/index.h) round trip:
 * a specialty and postings written through index_specialty and
 * index_posting into a temporary LMDB environment, read back with
 * cursors and decoded (index_spec_decode, its _head/_key/_tags steps,
 * index_post_decode), every field checked against the records; then
 * malformed entries (every truncation, a wrong version byte, a key
 * without its NUL) decode to -1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>
#include <msgpack.h>

#include "check.h"
#include "index.h"

/* ---- records, packed and unpacked ---- */

struct rec {
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked u;
};

static void rec_begin(struct rec *r, size_t pairs)
{
	msgpack_sbuffer_init(&r->sb);
	msgpack_packer_init(&r->pk, &r->sb, msgpack_sbuffer_write);
	msgpack_unpacked_init(&r->u);
	msgpack_pack_map(&r->pk, pairs);
}

static void str(struct rec *r, const char *s)
{
	msgpack_pack_str(&r->pk, strlen(s));
	msgpack_pack_str_body(&r->pk, s, strlen(s));
}

static void kv(struct rec *r, const char *k, const char *v)
{
	str(r, k);
	str(r, v);
}

static void kint(struct rec *r, const char *k, unsigned long long v)
{
	str(r, k);
	msgpack_pack_unsigned_long_long(&r->pk, v);
}

static void karr(struct rec *r, const char *k, const char *const *v, size_t n)
{
	str(r, k);
	msgpack_pack_array(&r->pk, n);
	for (size_t i = 0; i < n; i++)
		str(r, v[i]);
}

static const msgpack_object *rec_end(struct rec *r)
{
	size_t off = 0;
	if (msgpack_unpack_next(&r->u, r->sb.data, r->sb.size, &off) !=
	    MSGPACK_UNPACK_SUCCESS) {
		fprintf(stderr, "test bug: a record does not unpack\n");
		abort();
	}
	return &r->u.data;
}

static void rec_free(struct rec *r)
{
	msgpack_unpacked_destroy(&r->u);
	msgpack_sbuffer_destroy(&r->sb);
}

/* ---- a temporary environment, one per test's child ---- */

static char dir[64], path[96], lock[112];
static MDB_env *env;

SETUP
{
	snprintf(dir, sizeof dir, "/tmp/test_index.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	snprintf(lock, sizeof lock, "%s-lock", path);
	if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 32) ||
	    mdb_env_set_mapsize(env, (size_t)1 << 30) ||
	    mdb_env_open(env, path, MDB_NOSUBDIR, 0600)) {
		fprintf(stderr, "test bug: cannot open %s\n", path);
		abort();
	}
}

TEARDOWN
{
	mdb_env_close(env);
	unlink(path);
	unlink(lock);
	rmdir(dir);
}

static const char *const spec_skills[] = { "数控编程", "CAD" };
static const char *const spec_chains[] = { "新能源汽车" };
static const char *const ent_chains[] = { "新能源汽车", "光伏" };
static const char *const p1_majors[] = { "6601", "4601" };
static const char *const p1_skills[] = { "CAD", "PLC" };

/*
 * Tag ids count from 1 in order of first use: the specialty's skills
 * 数控编程 1, CAD 2, its chain 新能源汽车 3; P1's PLC 4; E1's 光伏 5.
 */
static int write_all(MDB_txn *txn, struct index_dbs *d)
{
	struct rec school, sp, ent, p1, p2;
	int rc;

	rec_begin(&school, 3);
	kv(&school, "id", "S1");
	kv(&school, "region", "330702");
	kv(&school, "level", "higher");
	rec_begin(&sp, 6);
	kv(&sp, "id", "SP1");
	kv(&sp, "school_id", "S1");
	kv(&sp, "major_code", "660103");
	str(&sp, "cohorts");
	msgpack_pack_map(&sp.pk, 2);
	kint(&sp, "2026", 40);
	kint(&sp, "2027", 123456789);
	karr(&sp, "skills", spec_skills, 2);
	karr(&sp, "chains", spec_chains, 1);
	rec_begin(&ent, 4);
	kv(&ent, "id", "E1");
	kv(&ent, "region", "330781");
	karr(&ent, "chains", ent_chains, 2);
	kv(&ent, "industry", "C36");
	rec_begin(&p1, 7);
	kv(&p1, "id", "P1");
	kv(&p1, "enterprise_id", "E1");
	kv(&p1, "kind", "internship");
	karr(&p1, "majors", p1_majors, 2);
	karr(&p1, "skills", p1_skills, 2);
	kv(&p1, "level", "higher");
	kint(&p1, "headcount", 12);
	rec_begin(&p2, 5);                       /* any major, its own region */
	kv(&p2, "id", "P2");
	kv(&p2, "enterprise_id", "E1");
	kv(&p2, "kind", "order_class");
	kv(&p2, "region", "330102");
	kint(&p2, "headcount", 3);

	const msgpack_object *o_school = rec_end(&school), *o_sp = rec_end(&sp),
	    *o_ent = rec_end(&ent), *o_p1 = rec_end(&p1), *o_p2 = rec_end(&p2);
	if (!(rc = index_specialty(txn, d, NULL, o_sp, o_school)) &&
	    !(rc = index_posting(txn, d, NULL, o_p1, o_ent)) &&
	    !(rc = index_posting(txn, d, NULL, o_p2, o_ent)))
		rc = index_flush(txn, d);
	rec_free(&school);
	rec_free(&sp);
	rec_free(&ent);
	rec_free(&p1);
	rec_free(&p2);
	return rc;
}

/* Open, write, commit; then a read transaction for the test. */
static void fill(struct index_dbs *d, MDB_txn **rtxn)
{
	MDB_txn *txn;
	int stale = 0;

	memset(d, 0, sizeof *d);
	CHECK_EQ_INT(mdb_txn_begin(env, NULL, 0, &txn), 0);
	CHECK_EQ_INT(index_open(txn, d, &stale), 0);
	CHECK(stale);                              /* a new environment */
	CHECK_EQ_INT(write_all(txn, d), 0);
	CHECK_EQ_INT(index_mark_current(txn, d), 0);
	CHECK_EQ_INT(mdb_txn_commit(txn), 0);
	CHECK_EQ_INT(mdb_txn_begin(env, NULL, MDB_RDONLY, rtxn), 0);
}

static void check_spec(const struct index_spec *s, int with_key)
{
	if (with_key) {
		CHECK_STRN(s->id.p, s->id.n, "SP1");
		CHECK_STRN(s->code.p, s->code.n, "660103");
	}
	CHECK_STRN(s->school_id.p, s->school_id.n, "S1");
	CHECK_STRN(s->region.p, s->region.n, "330702");
	CHECK_EQ_INT(s->level, 2);                 /* higher */
	CHECK_EQ_INT(s->ncohorts, 2);
	CHECK_EQ_INT(index_spec_cohort(s, 2026), 40);
	CHECK_EQ_INT(index_spec_cohort(s, 2027), 123456789);   /* 4 bytes */
	CHECK_EQ_INT(index_spec_cohort(s, 2025), 0);
	CHECK_EQ_U64(s->skills_mask, match_tag_bit(1) | match_tag_bit(2));
	CHECK_EQ_U64(s->chains_mask, match_tag_bit(3));
}

static void check_spec_tags(const struct index_spec *s)
{
	CHECK_EQ_INT(s->nskills, 2);
	CHECK_EQ_INT(s->nchains, 1);
	if (s->nskills == 2) {
		CHECK_EQ_INT(s->skills[0], 1);
		CHECK_EQ_INT(s->skills[1], 2);
	}
	if (s->nchains == 1)
		CHECK_EQ_INT(s->chains[0], 3);
}

TEST(spec_round_trip)
{
	struct index_dbs d;
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	int n = 0;

	fill(&d, &txn);
	/* ix.spec.major: code NUL region6 id */
	CHECK_EQ_INT(mdb_cursor_open(txn, d.spec_major, &c), 0);
	while (mdb_cursor_get(c, &k, &v, n ? MDB_NEXT : MDB_FIRST) == 0) {
		struct index_spec *s = calloc(1, sizeof *s);
		n++;
		CHECK_EQ_INT(k.mv_size, 6 + 1 + 6 + 3);
		CHECK_MEM(k.mv_data, "660103\0" "330702" "SP1", k.mv_size);
		CHECK_EQ_INT(index_spec_decode(&k, &v, s), 0);
		check_spec(s, 1);
		check_spec_tags(s);
		/* in two steps */
		memset(s, 0, sizeof *s);
		CHECK_EQ_INT(index_spec_decode_head(&k, &v, s), 0);
		check_spec(s, 1);
		CHECK_EQ_INT(index_spec_decode_tags(s), 0);
		check_spec_tags(s);
		/* the value alone, then the key */
		memset(s, 0, sizeof *s);
		CHECK_EQ_INT(index_spec_decode_head(NULL, &v, s), 0);
		check_spec(s, 0);
		CHECK_EQ_INT(index_spec_decode_key(&k, 6, s), 0);
		CHECK_STRN(s->id.p, s->id.n, "SP1");
		CHECK_STRN(s->code.p, s->code.n, "660103");
		free(s);
	}
	CHECK_EQ_INT(n, 1);
	mdb_cursor_close(c);

	/* ix.spec.code: code NUL id, the same summary */
	n = 0;
	CHECK_EQ_INT(mdb_cursor_open(txn, d.spec_code, &c), 0);
	while (mdb_cursor_get(c, &k, &v, n ? MDB_NEXT : MDB_FIRST) == 0) {
		struct index_spec *s = calloc(1, sizeof *s);
		n++;
		CHECK_EQ_INT(index_spec_decode_key(&k, 0, s), 0);
		CHECK_STRN(s->id.p, s->id.n, "SP1");
		CHECK_STRN(s->code.p, s->code.n, "660103");
		CHECK_EQ_INT(index_spec_decode_head(NULL, &v, s), 0);
		check_spec(s, 0);
		CHECK_EQ_INT(index_spec_decode_tags(s), 0);
		check_spec_tags(s);
		free(s);
	}
	CHECK_EQ_INT(n, 1);
	mdb_cursor_close(c);

	/* and index_spec_find finds it */
	struct match_str code = { "660103", 6 }, id = { "SP1", 3 };
	CHECK_EQ_INT(index_spec_find(txn, &d, code, id, &k, &v), 0);
	struct match_str nope = { "SP2", 3 };
	CHECK_EQ_INT(index_spec_find(txn, &d, code, nope, &k, &v), MDB_NOTFOUND);
	mdb_txn_abort(txn);
	index_close(&d);
}

static void check_p1(const struct index_post *p)
{
	CHECK_STRN(p->id.p, p->id.n, "P1");
	CHECK_STRN(p->enterprise_id.p, p->enterprise_id.n, "E1");
	CHECK_STRN(p->region.p, p->region.n, "330781");   /* the enterprise's */
	CHECK_STRN(p->division.p, p->division.n, "C36");
	CHECK_EQ_INT(p->kind, 1);                         /* internship */
	CHECK_EQ_INT(p->level, 2);                        /* higher */
	CHECK_EQ_INT(p->headcount, 12);
	CHECK_EQ_INT(p->nprefixes, 2);
	if (p->nprefixes == 2) {
		CHECK_STRN(p->prefixes[0].p, p->prefixes[0].n, "6601");
		CHECK_STRN(p->prefixes[1].p, p->prefixes[1].n, "4601");
	}
	CHECK_EQ_INT(p->nskills, 2);
	if (p->nskills == 2) {
		CHECK_EQ_INT(p->skills[0], 2);                /* CAD */
		CHECK_EQ_INT(p->skills[1], 4);                /* PLC */
	}
	CHECK_EQ_INT(p->nchains, 2);
	if (p->nchains == 2) {
		CHECK_EQ_INT(p->chains[0], 3);                /* 新能源汽车 */
		CHECK_EQ_INT(p->chains[1], 5);                /* 光伏 */
	}
}

static void check_p2(const struct index_post *p)
{
	CHECK_STRN(p->id.p, p->id.n, "P2");
	CHECK_STRN(p->enterprise_id.p, p->enterprise_id.n, "E1");
	CHECK_STRN(p->region.p, p->region.n, "330102");   /* its own */
	CHECK_STRN(p->division.p, p->division.n, "C36");
	CHECK_EQ_INT(p->kind, 3);                         /* order_class */
	CHECK_EQ_INT(p->level, -1);                       /* none */
	CHECK_EQ_INT(p->headcount, 3);
	CHECK_EQ_INT(p->nprefixes, 0);                    /* any major */
	CHECK_EQ_INT(p->nskills, 0);
	CHECK_EQ_INT(p->nchains, 2);
}

TEST(post_round_trip)
{
	static const char *const keys[] = { "*\0P2", "4601\0P1", "6601\0P1" };
	static const size_t klen[] = { 4, 7, 7 };
	struct index_dbs d;
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	int n = 0;

	fill(&d, &txn);
	CHECK_EQ_INT(mdb_cursor_open(txn, d.post_prefix, &c), 0);
	while (mdb_cursor_get(c, &k, &v, n ? MDB_NEXT : MDB_FIRST) == 0) {
		struct index_post *p = calloc(1, sizeof *p);
		if (n < 3) {
			CHECK_EQ_INT(k.mv_size, klen[n]);
			CHECK(k.mv_size == klen[n] &&
			    !memcmp(k.mv_data, keys[n], klen[n]));
		}
		CHECK_EQ_INT(index_post_decode(&k, &v, p), 0);
		if (n == 0)
			check_p2(p);
		else
			check_p1(p);
		n++;
		free(p);
	}
	CHECK_EQ_INT(n, 3);
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	index_close(&d);
}

/* Every entry cut short, or with another version, or a key without NUL. */
TEST(malformed)
{
	struct index_dbs d;
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	int cuts = 0;

	fill(&d, &txn);
	CHECK_EQ_INT(mdb_cursor_open(txn, d.spec_major, &c), 0);
	CHECK_EQ_INT(mdb_cursor_get(c, &k, &v, MDB_FIRST), 0);
	struct index_spec *s = calloc(1, sizeof *s);
	unsigned char *buf = malloc(v.mv_size);
	memcpy(buf, v.mv_data, v.mv_size);
	for (size_t n = 0; n < v.mv_size; n++, cuts++) {
		MDB_val cut = { n, buf };
		char ctx[48];
		snprintf(ctx, sizeof ctx, "spec cut at %zu", n);
		CHECK_CTX(ctx);
		CHECK_EQ_INT(index_spec_decode(&k, &cut, s), -1);
	}
	CHECK_CTX("");
	MDB_val whole = { v.mv_size, buf };
	CHECK_EQ_INT(index_spec_decode(&k, &whole, s), 0);
	buf[0] ^= 0x40;                                 /* another version */
	CHECK_EQ_INT(index_spec_decode(&k, &whole, s), -1);
	CHECK_EQ_INT(index_spec_decode_head(NULL, &whole, s), -1);
	buf[0] ^= 0x40;
	MDB_val nonul = { 6, "660103" };
	CHECK_EQ_INT(index_spec_decode(&nonul, &whole, s), -1);
	CHECK_EQ_INT(index_spec_decode_key(&nonul, 0, s), -1);
	MDB_val short_id = { 10, "660103\0" "330" };     /* no room for region */
	CHECK_EQ_INT(index_spec_decode_key(&short_id, 6, s), -1);
	free(buf);
	free(s);
	mdb_cursor_close(c);

	CHECK_EQ_INT(mdb_cursor_open(txn, d.post_prefix, &c), 0);
	struct index_post *p = calloc(1, sizeof *p);
	int got = mdb_cursor_get(c, &k, &v, MDB_LAST);   /* 6601 NUL P1 */
	CHECK_EQ_INT(got, 0);
	buf = malloc(v.mv_size);
	memcpy(buf, v.mv_data, v.mv_size);
	for (size_t n = 0; n < v.mv_size; n++, cuts++) {
		MDB_val cut = { n, buf };
		char ctx[48];
		snprintf(ctx, sizeof ctx, "post cut at %zu", n);
		CHECK_CTX(ctx);
		CHECK_EQ_INT(index_post_decode(&k, &cut, p), -1);
	}
	CHECK_CTX("");
	whole = (MDB_val){ v.mv_size, buf };
	CHECK_EQ_INT(index_post_decode(&k, &whole, p), 0);
	buf[0] ^= 0x40;
	CHECK_EQ_INT(index_post_decode(&k, &whole, p), -1);
	buf[0] ^= 0x40;
	MDB_val pk = { 4, "6601" };
	CHECK_EQ_INT(index_post_decode(&pk, &whole, p), -1);
	free(buf);
	free(p);
	mdb_cursor_close(c);
	CHECK(cuts > 60);
	mdb_txn_abort(txn);
	index_close(&d);
}
