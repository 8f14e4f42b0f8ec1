/* store — LMDB records and reference indexes; see store.h. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fault.h"
#include "index.h"
#include "xalloc.h"

/* Who names whom: the reference fields of docs/protocol.md "Records". */
static const struct ref {
	enum schema_kind from;
	const char *field;
	int array;
	enum schema_kind to;
	const char *db;
} refs[] = {
	{ SCHEMA_SPECIALTY, "school_id", 0, SCHEMA_SCHOOL, "ref.specialty.school" },
	{ SCHEMA_POSTING, "enterprise_id", 0, SCHEMA_ENTERPRISE, "ref.posting.enterprise" },
	{ SCHEMA_PROGRAM, "enterprise_id", 0, SCHEMA_ENTERPRISE, "ref.program.enterprise" },
	{ SCHEMA_STUDENT, "specialty_id", 0, SCHEMA_SPECIALTY, "ref.student.specialty" },
	{ SCHEMA_STUDENT, "prefs", 1, SCHEMA_PROGRAM, "ref.student.prefs" },
	{ SCHEMA_FAIR, "school_ids", 1, SCHEMA_SCHOOL, "ref.fair.schools" },
	{ SCHEMA_FAIR, "enterprise_ids", 1, SCHEMA_ENTERPRISE, "ref.fair.enterprises" },
};
#define NREFS (sizeof refs / sizeof refs[0])

struct store {
	MDB_env *env;
	MDB_dbi kind[SCHEMA_NKINDS];
	MDB_dbi ref[NREFS];
	struct index_dbs ix;
	size_t reindexed;         /* records re-indexed by store_open */
	MDB_txn *group;           /* open group commit, or NULL */
	MDB_txn *unit;            /* open unit (store_unit_begin), or NULL */
	char *dir;                /* for admin.verify's child */
	size_t mapsize;
};

/*
 * The write calls of a put or del, through which the tests make LMDB
 * fail (fault.h; without CJ_FAULTS they are LMDB's own).  Only durable
 * commits count (the group's, or a write's own without a group), not
 * those of transactions nested in a group.  A failed commit has freed
 * its transaction, as mdb_txn_commit does.
 */
static int w_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v,
    unsigned flags)
{
	int rc = fault_hit(FAULT_PUT);
	return rc ? rc : mdb_put(txn, dbi, k, v, flags);
}

static int w_del(MDB_txn *txn, MDB_dbi dbi, MDB_val *k)
{
	int rc = fault_hit(FAULT_PUT);
	return rc ? rc : mdb_del(txn, dbi, k, NULL);
}

static int w_commit(struct store *s, MDB_txn *txn)
{
	int nested = (s->group && txn != s->group) ||
	    (s->unit && txn != s->unit);
	int rc = nested ? 0 : fault_hit(FAULT_COMMIT);
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

const struct index_dbs *store_index(struct store *s)
{
	return &s->ix;
}

MDB_env *store_env(struct store *s)
{
	return s->env;
}

MDB_dbi store_dbi(struct store *s, enum schema_kind k)
{
	return s->kind[k];
}

/*
 * Index every specialty and posting again (the indexes are empty), in
 * transactions of REINDEX_CHUNK records (one would outgrow LMDB's dirty
 * page limit at national scale), resuming after the last key each time;
 * the version mark goes in last.
 */
#define REINDEX_CHUNK 20000

static int reindex_all(struct store *s)
{
	static const enum schema_kind kinds[2] = { SCHEMA_SPECIALTY, SCHEMA_POSTING };
	msgpack_zone *z = msgpack_zone_new(8192);
	char last[SCHEMA_ID_MAX + 1];
	size_t lastn = 0, n = 0;
	MDB_txn *txn = NULL;
	int rc = 0;

	for (int i = 0; i < 2 && !rc; i++) {
		int spec = kinds[i] == SCHEMA_SPECIALTY, done = 0;
		lastn = 0;
		while (!done && !rc) {
			MDB_cursor *c;
			MDB_val k = { lastn, last }, v;
			size_t chunk = 0;
			if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)))
				break;
			if ((rc = mdb_cursor_open(txn, s->kind[kinds[i]], &c)))
				break;
			rc = mdb_cursor_get(c, &k, &v, lastn ? MDB_SET_RANGE : MDB_FIRST);
			if (rc == 0 && lastn && k.mv_size == lastn &&
			    !memcmp(k.mv_data, last, lastn))
				rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
			for (; rc == 0 && chunk < REINDEX_CHUNK;
			    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT), chunk++) {
				msgpack_object rec, parent;
				const msgpack_object *pid;
				msgpack_zone_clear(z);
				lastn = k.mv_size < sizeof last ? k.mv_size : sizeof last;
				memcpy(last, k.mv_data, lastn);
				if (store_decode(&v, z, &rec) < 0 ||
				    !(pid = schema_opt(&rec, spec ? "school_id" : "enterprise_id")) ||
				    store_read(s, txn, spec ? SCHEMA_SCHOOL : SCHEMA_ENTERPRISE,
				    pid->via.str.ptr, pid->via.str.size, z, &parent) < 0)
					continue;      /* admin.verify reports these */
				if ((rc = spec ? index_specialty(txn, &s->ix, NULL, &rec, &parent) :
				    index_posting(txn, &s->ix, NULL, &rec, &parent)))
					break;
				n++;
			}
			mdb_cursor_close(c);
			if (rc == MDB_NOTFOUND) {
				rc = 0;
				done = 1;
			}
			if (rc || (rc = index_flush(txn, &s->ix)))
				break;
			rc = mdb_txn_commit(txn);
			txn = NULL;
		}
	}
	if (!rc && !(rc = mdb_txn_begin(s->env, NULL, 0, &txn)) &&
	    !(rc = index_mark_current(txn, &s->ix))) {
		rc = mdb_txn_commit(txn);
		txn = NULL;
	}
	if (txn)
		mdb_txn_abort(txn);
	index_discard(&s->ix);
	msgpack_zone_free(z);
	s->reindexed = n;
	return rc;
}

/*
 * A data dir whose lock.mdb exists once held a store (LMDB makes
 * lock.mdb when it first opens the environment, and never removes it):
 * a data.mdb missing or empty beside it was lost, and opening would
 * silently start an empty store.  1 with a message in err.
 */
static int emptied(const char *dir, char *err, size_t errlen)
{
	char p[4096 + 16];
	struct stat st;

	snprintf(p, sizeof p, "%s/lock.mdb", dir);
	if (stat(p, &st) < 0)
		return 0;
	snprintf(p, sizeof p, "%s/data.mdb", dir);
	if (stat(p, &st) == 0 && st.st_size > 0)
		return 0;
	if (stat(p, &st) < 0 && errno != ENOENT)
		return 0;                      /* LMDB will say why */
	snprintf(err, errlen, "data dir %s: data.mdb is %s beside lock.mdb, so "
	    "the store that was here is lost; refusing to start an empty one "
	    "(restore data.mdb from a backup, or remove lock.mdb too to start "
	    "afresh)", dir, stat(p, &st) == 0 ? "empty" : "missing");
	return 1;
}

/*
 * 1 with a message in err when data.mdb is shorter than its newest meta
 * page says is in use (a file cut short: LMDB would fault reading the
 * pages past its end).  Reads only the meta pages, which LMDB checked.
 */
static int cut_short(MDB_env *env, const char *dir, char *err, size_t errlen)
{
	MDB_envinfo info;
	MDB_stat st;
	mdb_filehandle_t fd;
	struct stat fs;
	unsigned long long need;

	if (mdb_env_info(env, &info) || mdb_env_stat(env, &st) ||
	    mdb_env_get_fd(env, &fd) || fstat(fd, &fs) < 0) {
		snprintf(err, errlen, "data dir %s: cannot read the size of "
		    "data.mdb", dir);
		return 1;
	}
	need = ((unsigned long long)info.me_last_pgno + 1) * st.ms_psize;
	if ((unsigned long long)fs.st_size >= need)
		return 0;
	snprintf(err, errlen, "data dir %s: data.mdb is %lld bytes but its "
	    "metadata says %llu are in use: the file was cut short (restore it "
	    "from a backup)", dir, (long long)fs.st_size, need);
	return 1;
}

/* The databases, opened in txn (flags: MDB_CREATE, or 0 read-only). */
static int open_dbs(struct store *s, MDB_txn *txn, unsigned flags,
    const char **what)
{
	int rc;

	for (int k = 0; k < SCHEMA_NKINDS; k++)
		if ((rc = mdb_dbi_open(txn, schema_kind_name[k], flags,
		    &s->kind[k]))) {
			*what = schema_kind_name[k];
			return rc;
		}
	for (size_t r = 0; r < NREFS; r++)
		if ((rc = mdb_dbi_open(txn, refs[r].db, flags, &s->ref[r]))) {
			*what = refs[r].db;
			return rc;
		}
	return 0;
}

int store_open(struct store **sp, const char *dir, size_t mapsize,
    char *err, size_t errlen)
{
	struct store *s = xcalloc(1, sizeof *s);
	MDB_txn *txn = NULL;
	int rc = 0, stale = 0;
	const char *what = NULL;      /* NULL: err is written */

	s->dir = xstrdup(dir);
	s->mapsize = mapsize;
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "data dir %s: %s", dir, strerror(errno));
		goto fail;
	}
	if (emptied(dir, err, errlen))
		goto fail;
	if ((rc = mdb_env_create(&s->env)) ||
	    (rc = mdb_env_set_maxdbs(s->env, 64)) ||
	    (rc = mdb_env_set_mapsize(s->env, mapsize))) {
		what = "create";
		goto fail;
	}
	/* NOTLS: read transactions will live on worker threads too. */
	if ((rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0640))) {
		what = "open";
		goto fail;
	}
	if (cut_short(s->env, dir, err, errlen))
		goto fail;
	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn))) {
		what = "begin";
		goto fail;
	}
	if ((rc = open_dbs(s, txn, MDB_CREATE, &what)))
		goto fail;
	if ((rc = index_open(txn, &s->ix, &stale))) {
		what = "indexes";
		goto fail;
	}
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc) {
		what = "commit";
		goto fail;
	}
	if (stale && (rc = reindex_all(s))) {
		what = "re-indexing";
		goto fail;
	}
#ifdef CJ_FAULTS
	if (fault_arm(getenv("CHANJIAOD_FAULTS"), err, errlen) < 0)
		goto fail;
#endif
	*sp = s;
	return 0;
fail:
	if (what)
		snprintf(err, errlen, "LMDB %s in %s: %s", what, dir, mdb_strerror(rc));
	if (txn)
		mdb_txn_abort(txn);
	if (s->env)
		mdb_env_close(s->env);
	index_close(&s->ix);
	free(s->dir);
	free(s);
	return -1;
}

int store_group_begin(struct store *s)
{
	if (s->group)
		return 0;
	return mdb_txn_begin(s->env, NULL, 0, &s->group);
}

int store_group_commit(struct store *s)
{
	int rc = 0;
	if (s->group) {
		rc = w_commit(s, s->group);
		s->group = NULL;
	}
	return rc;
}

int store_unit_begin(struct store *s, MDB_txn **txn)
{
	int rc = s->unit ? EBUSY : mdb_txn_begin(s->env, s->group, 0, &s->unit);
	*txn = rc ? NULL : s->unit;
	return rc;
}

int store_unit_end(struct store *s, int commit)
{
	MDB_txn *txn = s->unit;
	int rc = 0;

	if (!txn)
		return 0;
	if (commit) {
		rc = w_commit(s, txn);
		s->unit = NULL;
	} else {
		s->unit = NULL;
		mdb_txn_abort(txn);
	}
	return rc;
}

size_t store_reindexed(const struct store *s)
{
	return s->reindexed;
}

static _Thread_local MDB_txn *spare;   /* this thread's reset snapshot */

int store_snapshot(struct store *s, MDB_txn **txn)
{
	if (spare) {
		MDB_txn *t = spare;
		spare = NULL;
		if (mdb_txn_renew(t) == 0) {
			*txn = t;
			return 0;
		}
		mdb_txn_abort(t);
	}
	return mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
}

void store_snapshot_end(MDB_txn *txn)
{
	if (spare) {                       /* one spare is enough */
		mdb_txn_abort(txn);
		return;
	}
	mdb_txn_reset(txn);
	spare = txn;
}

void store_snapshot_free(void)
{
	if (spare)
		mdb_txn_abort(spare);
	spare = NULL;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	mdb_env_close(s->env);
	index_close(&s->ix);
	free(s->dir);
	free(s);
}

int store_decode(const MDB_val *v, msgpack_zone *z, msgpack_object *o)
{
	size_t off = 0;

	if (v->mv_size < 2 || ((const char *)v->mv_data)[0] != STORE_VERSION)
		return -1;
	if (msgpack_unpack((const char *)v->mv_data + 1, v->mv_size - 1, &off,
	    z, o) != MSGPACK_UNPACK_SUCCESS || o->type != MSGPACK_OBJECT_MAP)
		return -1;
	return 0;
}

/*
 * Decode a copy of v made in z: LMDB's pointers into a write transaction
 * die with its next update, and the old record outlives several.
 */
static int decode_copy(const MDB_val *v, msgpack_zone *z, msgpack_object *o)
{
	MDB_val c = *v;
	if (!(c.mv_data = msgpack_zone_malloc(z, v->mv_size)))
		return -1;
	memcpy(c.mv_data, v->mv_data, v->mv_size);
	return store_decode(&c, z, o);
}

/* Read record id (a str object) of kind k as a copy in z; -1 when absent. */
static int read_copy(struct store *s, MDB_txn *txn, enum schema_kind k,
    const msgpack_object *id, msgpack_zone *z, msgpack_object *o)
{
	MDB_val key = { id->via.str.size, (void *)id->via.str.ptr }, val;
	if (mdb_get(txn, s->kind[k], &key, &val))
		return -1;
	return decode_copy(&val, z, o);
}

/*
 * Copy the source ids a reference index holds for target id: the ids
 * outlive the cursor, which must not stay open across writes.
 */
static char **ref_sources(struct store *s, MDB_txn *txn, size_t r,
    const msgpack_object *id, size_t *n)
{
	char buf[SCHEMA_ID_MAX + 1], **v = NULL;
	size_t cap = 0;
	MDB_cursor *c;
	MDB_val key, val;
	size_t len = id->via.str.size;

	*n = 0;
	memcpy(buf, id->via.str.ptr, len);
	buf[len] = 0;
	key.mv_data = buf;
	key.mv_size = len + 1;
	if (mdb_cursor_open(txn, s->ref[r], &c))
		return NULL;
	for (int rc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
		if (key.mv_size <= len + 1 || memcmp(key.mv_data, buf, len + 1))
			break;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[(*n)++] = xstrndup((char *)key.mv_data + len + 1, key.mv_size - len - 1);
	}
	mdb_cursor_close(c);
	return v;
}

static void free_ids(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

char **store_children(struct store *s, MDB_txn *txn, enum schema_kind child,
    const msgpack_object *id, size_t *n)
{
	*n = 0;
	for (size_t r = 0; r < NREFS; r++)   /* the child's one parent ref */
		if (refs[r].from == child && !refs[r].array)
			return ref_sources(s, txn, r, id, n);
	return NULL;
}

void store_ids_free(char **v, size_t n)
{
	free_ids(v, n);
}

/*
 * A school or enterprise changed what its specialties' or postings'
 * summaries copy (region, level, chains): rewrite them.
 */
static int reindex_children(struct store *s, MDB_txn *txn, enum schema_kind k,
    const msgpack_object *old, const msgpack_object *rec, msgpack_zone *z)
{
	static const char *const school_keys[] = { "region", "level", NULL };
	static const char *const ent_keys[] = { "region", "chains", "industry", NULL };
	const char *const *keys = k == SCHEMA_SCHOOL ? school_keys : ent_keys;
	size_t r = k == SCHEMA_SCHOOL ? 0 : 1;   /* refs[0], refs[1] */
	enum schema_kind child = k == SCHEMA_SCHOOL ? SCHEMA_SPECIALTY : SCHEMA_POSTING;
	int same = 1, rc = 0;

	for (int i = 0; keys[i]; i++) {
		const msgpack_object *a = schema_get(old, keys[i]);
		const msgpack_object *b = schema_get(rec, keys[i]);
		if ((a == NULL) != (b == NULL) || (a && !msgpack_object_equal(*a, *b)))
			same = 0;
	}
	if (same)
		return 0;
	size_t n;
	char **ids = ref_sources(s, txn, r, schema_get(rec, "id"), &n);
	for (size_t i = 0; i < n && !rc; i++) {
		msgpack_object o, idobj;
		idobj.type = MSGPACK_OBJECT_STR;
		idobj.via.str.ptr = ids[i];
		idobj.via.str.size = (uint32_t)strlen(ids[i]);
		if (read_copy(s, txn, child, &idobj, z, &o) < 0)
			continue;
		rc = child == SCHEMA_SPECIALTY ?
		    index_specialty(txn, &s->ix, &o, &o, rec) :
		    index_posting(txn, &s->ix, &o, &o, rec);
	}
	free_ids(ids, n);
	return rc;
}

/* rc: an MDB error or errno, as every store and index call returns. */
static int lmdb_fail(struct proto_err *e, int rc)
{
	return store_fail(e, rc);
}

int store_fail(struct proto_err *e, int rc)
{
	if (rc == MDB_MAP_FULL)
		return proto_fail(e, PROTO_STORE_FULL, NULL,
		    "store is full: raise map_size (%s)", mdb_strerror(rc));
	if (rc == ENOSPC)
		return proto_fail(e, PROTO_STORE_FULL, NULL,
		    "store is full: free disk space (%s)", mdb_strerror(rc));
	return proto_fail(e, PROTO_INTERNAL, NULL, "storage error: %s",
	    mdb_strerror(rc));
}

/* Key "a NUL b" for a reference index. */
static MDB_val refkey(char *buf, const msgpack_object *target, const char *src,
    size_t srclen)
{
	MDB_val k;
	memcpy(buf, target->via.str.ptr, target->via.str.size);
	buf[target->via.str.size] = 0;
	memcpy(buf + target->via.str.size + 1, src, srclen);
	k.mv_data = buf;
	k.mv_size = target->via.str.size + 1 + srclen;
	return k;
}

/* The ids a record names through reference r (0, 1 or many). */
static uint32_t ref_ids(const struct ref *r, const msgpack_object *rec,
    const msgpack_object **ids)
{
	const msgpack_object *v = schema_get(rec, r->field);
	*ids = NULL;
	if (!v || v->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (!r->array) {
		*ids = v;
		return 1;
	}
	*ids = v->via.array.ptr;
	return v->via.array.size;
}

/* Add (add=1) or remove the reference-index entries of one record. */
static int ref_update(struct store *s, MDB_txn *txn, enum schema_kind k,
    const msgpack_object *rec, int add)
{
	const msgpack_object *id = schema_get(rec, "id");
	char buf[2 * SCHEMA_ID_MAX + 2];

	for (size_t r = 0; r < NREFS; r++) {
		const msgpack_object *ids;
		if (refs[r].from != k)
			continue;
		uint32_t n = ref_ids(&refs[r], rec, &ids);
		for (uint32_t i = 0; i < n; i++) {
			MDB_val key = refkey(buf, &ids[i], id->via.str.ptr,
			    id->via.str.size), val = { 0, "" };
			int rc = add ? w_put(txn, s->ref[r], &key, &val, 0) :
			    w_del(txn, s->ref[r], &key);
			if (rc && !(rc == MDB_NOTFOUND && !add))
				return rc;
		}
	}
	return 0;
}

/*
 * The first record that names `id` through a reference into kind k, as
 * "kind ID" in who; 0 when none does.
 */
static int named_by(struct store *s, MDB_txn *txn, enum schema_kind k,
    const char *id, size_t idlen, char *who, size_t whocap)
{
	for (size_t r = 0; r < NREFS; r++) {
		MDB_cursor *c;
		MDB_val key, val;
		char buf[SCHEMA_ID_MAX + 1];
		int found = 0;

		if (refs[r].to != k)
			continue;
		memcpy(buf, id, idlen);
		buf[idlen] = 0;
		key.mv_data = buf;
		key.mv_size = idlen + 1;
		if (mdb_cursor_open(txn, s->ref[r], &c))
			continue;
		if (!mdb_cursor_get(c, &key, &val, MDB_SET_RANGE) &&
		    key.mv_size > idlen + 1 && !memcmp(key.mv_data, buf, idlen + 1)) {
			snprintf(who, whocap, "%s %.*s",
			    schema_kind_name[refs[r].from],
			    (int)(key.mv_size - idlen - 1),
			    (const char *)key.mv_data + idlen + 1);
			found = 1;
		}
		mdb_cursor_close(c);
		if (found)
			return 1;
	}
	return 0;
}

static MDB_val strval(const msgpack_object *o)
{
	MDB_val v = { o->via.str.size, (void *)o->via.str.ptr };
	return v;
}

struct batch_id {
	const char *p;
	uint32_t n, at;              /* length; index in the batch */
};

static int cmp_id(const struct batch_id *x, const struct batch_id *y)
{
	int c = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
	return c ? c : (x->n > y->n) - (x->n < y->n);
}

static int cmp_ids(const void *a, const void *b)
{
	const struct batch_id *x = a, *y = b;
	int c = cmp_id(x, y);
	/* equal ids: keep batch order so the later one is reported */
	return c ? c : (x->at > y->at) - (x->at < y->at);
}

/*
 * No id twice in a batch (records already checked: each has a str id).
 * Clients send large batches in id order (chanjiao import does), which
 * one pass proves; others are sorted.
 */
static int check_unique_ids(const msgpack_object *recs, uint32_t n,
    struct proto_err *e)
{
	struct batch_id *v;
	char p[SCHEMA_PATH_MAX];
	uint32_t i;

	if (n < 2)
		return 0;
	v = xmalloc(n * sizeof *v);
	for (i = 0; i < n; i++) {
		const msgpack_object *id = schema_get(&recs[i], "id");
		v[i].p = id->via.str.ptr;
		v[i].n = id->via.str.size;
		v[i].at = i;
	}
	for (i = 1; i < n && cmp_id(&v[i - 1], &v[i]) < 0; i++)
		;
	if (i < n)
		qsort(v, n, sizeof *v, cmp_ids);
	for (i = 1; i < n; i++) {
		if (cmp_id(&v[i - 1], &v[i]) == 0) {
			schema_path_index(p, "records", v[i].at);
			schema_path_key(p, p, "id", 2);
			free(v);
			return proto_fail(e, PROTO_INVALID_PARAMS, p,
			    "%s repeats an id earlier in the batch", p);
		}
	}
	free(v);
	return 0;
}

/* A school's level, read from the store; NONE when absent. */
static enum schema_level school_level(struct store *s, MDB_txn *txn,
    const msgpack_object *id, msgpack_zone *z)
{
	MDB_val key = strval(id), val;
	msgpack_object o;

	if (mdb_get(txn, s->kind[SCHEMA_SCHOOL], &key, &val) ||
	    store_decode(&val, z, &o) < 0)
		return SCHEMA_LEVEL_NONE;
	return schema_level_of(schema_get(&o, "level"));
}

/* A school whose level changes must still fit all its specialties. */
static int check_school_level(struct store *s, MDB_txn *txn,
    const msgpack_object *rec, const char *path, msgpack_zone *z,
    struct proto_err *e)
{
	const msgpack_object *id = schema_get(rec, "id");
	enum schema_level lv = schema_level_of(schema_get(rec, "level"));
	char buf[SCHEMA_ID_MAX + 1], p[SCHEMA_PATH_MAX];
	MDB_cursor *c;
	MDB_val key, val;
	int rc, bad = 0;

	memcpy(buf, id->via.str.ptr, id->via.str.size);
	buf[id->via.str.size] = 0;
	key.mv_data = buf;
	key.mv_size = id->via.str.size + 1;
	if ((rc = mdb_cursor_open(txn, s->ref[0], &c)))
		return lmdb_fail(e, rc);
	for (rc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE); !rc && !bad;
	    rc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
		MDB_val sk, sv;
		msgpack_object o;
		char code[16];
		if (key.mv_size <= id->via.str.size + 1 ||
		    memcmp(key.mv_data, buf, id->via.str.size + 1))
			break;
		sk.mv_data = (char *)key.mv_data + id->via.str.size + 1;
		sk.mv_size = key.mv_size - id->via.str.size - 1;
		if (mdb_get(txn, s->kind[SCHEMA_SPECIALTY], &sk, &sv) ||
		    store_decode(&sv, z, &o) < 0)
			continue;
		schema_strcpy(code, sizeof code, schema_get(&o, "major_code"));
		if (!schema_major_fits_level(code, lv)) {
			schema_path_key(p, path, "level", 5);
			proto_fail(e, PROTO_CONFLICT, p,
			    "level %s does not fit specialty %.*s (major %s)",
			    schema_level_name[lv], (int)sk.mv_size,
			    (const char *)sk.mv_data, code);
			bad = 1;
		}
	}
	mdb_cursor_close(c);
	return bad ? -1 : 0;
}

int store_read(struct store *s, MDB_txn *txn, enum schema_kind k,
    const char *id, size_t idlen, msgpack_zone *z, msgpack_object *o)
{
	MDB_val key = { idlen, (void *)id }, val;

	if (mdb_get(txn, s->kind[k], &key, &val))
		return -1;
	return store_decode(&val, z, o);
}

static int forbidden(struct proto_err *e, const char *path, enum schema_kind k,
    const msgpack_object *rec)
{
	const msgpack_object *id = schema_get(rec, "id");
	return proto_fail(e, PROTO_FORBIDDEN, path, "this token may not write %s %.*s",
	    schema_kind_name[k], (int)id->via.str.size, id->via.str.ptr);
}

/*
 * The school or enterprise that a batch's specialties or postings name,
 * read once per run of records naming the same one: a file sent in id
 * order names each in one run (ids like school_id-major_code), and the
 * lookup and decoding were a good part of a record's cost.  It lives for
 * one batch, which writes one kind only, so the parent cannot change
 * under it.
 */
struct parent {
	char id[SCHEMA_ID_MAX];
	size_t n;
	int have;
	msgpack_zone *z;
	msgpack_object o;
};

static const msgpack_object *parent_of(struct store *s, MDB_txn *txn,
    enum schema_kind k, const msgpack_object *id, struct parent *p)
{
	if (p->have && p->n == id->via.str.size &&
	    !memcmp(p->id, id->via.str.ptr, p->n))
		return &p->o;
	p->have = 0;
	if (id->via.str.size > sizeof p->id)
		return NULL;
	msgpack_zone_clear(p->z);
	if (read_copy(s, txn, k, id, p->z, &p->o) < 0)
		return NULL;
	memcpy(p->id, id->via.str.ptr, id->via.str.size);
	p->n = id->via.str.size;
	p->have = 1;
	return &p->o;
}

static int put_one(struct store *s, MDB_txn *txn, enum schema_kind k,
    const msgpack_object *rec, const char *path, msgpack_zone *z,
    msgpack_sbuffer *sb, struct parent *par, store_allow_fn allow, void *arg,
    struct proto_err *e)
{
	const msgpack_object *id = schema_get(rec, "id");
	MDB_val key = strval(id), val;
	msgpack_object old;
	int rc, had, isspec = k == SCHEMA_SPECIALTY;
	enum schema_kind pkind = isspec ? SCHEMA_SCHOOL : SCHEMA_ENTERPRISE;
	const msgpack_object *parent = NULL;
	char p[SCHEMA_PATH_MAX];

	if (isspec || k == SCHEMA_POSTING)
		parent = parent_of(s, txn, pkind,
		    schema_get(rec, isspec ? "school_id" : "enterprise_id"), par);
	/* Every record this one names must exist. */
	for (size_t r = 0; r < NREFS; r++) {
		const msgpack_object *ids;
		if (refs[r].from != k)
			continue;
		uint32_t n = ref_ids(&refs[r], rec, &ids);
		for (uint32_t i = 0; i < n; i++) {
			MDB_val tk = strval(&ids[i]), tv;
			if (parent && refs[r].to == pkind && tk.mv_size == par->n &&
			    !memcmp(tk.mv_data, par->id, par->n))
				continue;
			if ((rc = mdb_get(txn, s->kind[refs[r].to], &tk, &tv)) == 0)
				continue;
			if (rc != MDB_NOTFOUND)
				return lmdb_fail(e, rc);
			schema_path_key(p, path, refs[r].field, strlen(refs[r].field));
			if (refs[r].array)
				schema_path_index(p, p, i);
			return proto_fail(e, PROTO_NOT_FOUND, p, "%s %.*s not found",
			    schema_kind_name[refs[r].to], (int)ids[i].via.str.size,
			    ids[i].via.str.ptr);
		}
	}
	rc = mdb_get(txn, s->kind[k], &key, &val);
	if (rc && rc != MDB_NOTFOUND)
		return lmdb_fail(e, rc);
	had = rc == 0 && decode_copy(&val, z, &old) == 0;
	if (allow && ((had && !allow(arg, s, txn, k, &old)) ||
	    !allow(arg, s, txn, k, rec)))
		return forbidden(e, path, k, rec);
	if (isspec) {
		char code[16];
		enum schema_level lv = parent ?
		    schema_level_of(schema_get(parent, "level")) : SCHEMA_LEVEL_NONE;
		schema_strcpy(code, sizeof code, schema_get(rec, "major_code"));
		if (!schema_major_fits_level(code, lv)) {
			schema_path_key(p, path, "major_code", 10);
			return proto_fail(e, PROTO_INVALID_PARAMS, p,
			    "major %s does not fit the school's level %s", code,
			    lv == SCHEMA_LEVEL_NONE ? "?" : schema_level_name[lv]);
		}
	}
	if (k == SCHEMA_SCHOOL && check_school_level(s, txn, rec, path, z, e) < 0)
		return -1;

	if (had && (rc = ref_update(s, txn, k, &old, 0)))
		return lmdb_fail(e, rc);
	if ((rc = ref_update(s, txn, k, rec, 1)))
		return lmdb_fail(e, rc);
	if (isspec || k == SCHEMA_POSTING) {
		if (!parent)
			return proto_fail(e, PROTO_INTERNAL, NULL, "parent record vanished");
		rc = isspec ? index_specialty(txn, &s->ix, had ? &old : NULL, rec, parent) :
		    index_posting(txn, &s->ix, had ? &old : NULL, rec, parent);
		if (rc)
			return lmdb_fail(e, rc);
	}
	if ((k == SCHEMA_SCHOOL || k == SCHEMA_ENTERPRISE) && had &&
	    (rc = reindex_children(s, txn, k, &old, rec, z)))
		return lmdb_fail(e, rc);

	msgpack_sbuffer_clear(sb);
	msgpack_sbuffer_write(sb, (const char[]){ STORE_VERSION }, 1);
	msgpack_packer pk;
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	schema_pack(&pk, rec);
	val.mv_size = sb->size;
	val.mv_data = sb->data;
	if ((rc = w_put(txn, s->kind[k], &key, &val, 0)))
		return lmdb_fail(e, rc);
	return 0;
}

int store_put(struct store *s, enum schema_kind k, const msgpack_object *recs,
    uint32_t n, int batch, store_allow_fn allow, void *arg,
    struct proto_err *e)
{
	MDB_txn *txn = NULL;
	msgpack_zone *z = NULL;
	msgpack_sbuffer sb;
	struct parent par = { .have = 0, .z = NULL };
	char path[SCHEMA_PATH_MAX] = "";
	int rc, ret = -1;

	msgpack_sbuffer_init(&sb);
	if (check_unique_ids(recs, n, e) < 0)
		goto out;
	if ((rc = mdb_txn_begin(s->env, s->unit ? s->unit : s->group, 0, &txn))) {
		lmdb_fail(e, rc);
		goto out;
	}
	z = msgpack_zone_new(8192);
	par.z = msgpack_zone_new(4096);
	for (uint32_t i = 0; i < n; i++) {
		if (batch)
			schema_path_index(path, "records", i);
		if (put_one(s, txn, k, &recs[i], path, z, &sb, &par, allow, arg, e) < 0)
			goto out;
		if (i % 64 == 63)
			msgpack_zone_clear(z);
	}
	if ((rc = index_flush(txn, &s->ix))) {
		lmdb_fail(e, rc);
		goto out;
	}
	rc = w_commit(s, txn);
	txn = NULL;
	if (rc) {
		lmdb_fail(e, rc);
		goto out;
	}
	ret = 0;
out:
	if (txn)
		mdb_txn_abort(txn);
	index_discard(&s->ix);
	if (z)
		msgpack_zone_free(z);
	if (par.z)
		msgpack_zone_free(par.z);
	msgpack_sbuffer_destroy(&sb);
	return ret;
}

int store_del(struct store *s, enum schema_kind k, const char *id,
    size_t idlen, store_allow_fn allow, void *arg, struct proto_err *e)
{
	MDB_txn *txn = NULL;
	msgpack_zone *z = msgpack_zone_new(4096);
	MDB_val key = { idlen, (void *)id }, val;
	msgpack_object old;
	char who[SCHEMA_ID_MAX + 32];
	int rc, ret = -1;

	if ((rc = mdb_txn_begin(s->env, s->unit ? s->unit : s->group, 0, &txn))) {
		lmdb_fail(e, rc);
		goto out;
	}
	rc = mdb_get(txn, s->kind[k], &key, &val);
	if (rc == MDB_NOTFOUND) {
		proto_fail(e, PROTO_NOT_FOUND, "id", "%s %.*s not found",
		    schema_kind_name[k], (int)idlen, id);
		goto out;
	}
	if (rc) {
		lmdb_fail(e, rc);
		goto out;
	}
	if (decode_copy(&val, z, &old) < 0) {
		proto_fail(e, PROTO_INTERNAL, NULL, "%s %.*s does not decode",
		    schema_kind_name[k], (int)idlen, id);
		goto out;
	}
	if (allow && !allow(arg, s, txn, k, &old)) {
		forbidden(e, NULL, k, &old);
		goto out;
	}
	if (named_by(s, txn, k, id, idlen, who, sizeof who)) {
		proto_fail(e, PROTO_CONFLICT, "id", "%s %.*s is still named by %s",
		    schema_kind_name[k], (int)idlen, id, who);
		goto out;
	}
	if ((rc = ref_update(s, txn, k, &old, 0)) ||
	    (k == SCHEMA_SPECIALTY && (rc = index_specialty(txn, &s->ix, &old, NULL, NULL))) ||
	    (k == SCHEMA_POSTING && (rc = index_posting(txn, &s->ix, &old, NULL, NULL)))) {
		lmdb_fail(e, rc);
		goto out;
	}
	if ((rc = w_del(txn, s->kind[k], &key)) ||
	    (rc = index_flush(txn, &s->ix))) {
		lmdb_fail(e, rc);
		goto out;
	}
	rc = w_commit(s, txn);
	txn = NULL;
	if (rc) {
		lmdb_fail(e, rc);
		goto out;
	}
	ret = 0;
out:
	if (txn)
		mdb_txn_abort(txn);
	index_discard(&s->ix);
	msgpack_zone_free(z);
	return ret;
}

int store_counts(struct store *s, size_t counts[SCHEMA_NKINDS])
{
	MDB_txn *txn;
	MDB_stat st;

	if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn))
		return -1;
	for (int k = 0; k < SCHEMA_NKINDS; k++)
		counts[k] = mdb_stat(txn, s->kind[k], &st) ? 0 : st.ms_entries;
	mdb_txn_abort(txn);
	return 0;
}

static void problem(struct store_verify *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * admin.verify walks the store in a child process (store_verify), which
 * sends what it finds down a pipe as it goes, as MessagePack arrays:
 * ["stage", what it starts walking], ["problem", text] (the first `cap`),
 * and last ["done", records, entries, problems].  A child that dies on a
 * damaged page has still told the parent where it was.
 */
static int verify_fd = -1;          /* set only in the child */

/* A child silent this long is taken for stuck and killed (the longest
 * stage, postings at national scale, takes seconds). */
#define VERIFY_SILENCE_S 600

static void send_msg(const char *tag, const char *text,
    const unsigned long long *n, int nn)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	const char *p;
	size_t left;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 1 + (text != NULL) + (uint32_t)nn);
	proto_pack_cstr(&pk, tag);
	if (text)
		proto_pack_cstr(&pk, text);
	for (int i = 0; i < nn; i++)
		msgpack_pack_uint64(&pk, n[i]);
	for (p = sb.data, left = sb.size; left;) {
		ssize_t w = write(verify_fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(1);               /* the parent is gone */
		p += w;
		left -= (size_t)w;
	}
	msgpack_sbuffer_destroy(&sb);
}

static void stage(const char *what)
{
	if (verify_fd >= 0)
		send_msg("stage", what, NULL, 0);
}

static void problem(struct store_verify *v, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	v->nproblems++;
	if (v->kept == v->cap)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (verify_fd >= 0)
		send_msg("problem", buf, NULL, 0);
	v->problems[v->kept++] = xstrdup(buf);
}

static void problem_cb(void *arg, const char *what)
{
	problem(arg, "%s", what);
}

void store_verify_free(struct store_verify *v)
{
	for (size_t i = 0; i < v->kept; i++)
		free(v->problems[i]);
	free(v->problems);
	v->problems = NULL;
	v->kept = 0;
}

static int has_entry(MDB_txn *txn, MDB_dbi dbi, const msgpack_object *target,
    const char *src, size_t srclen)
{
	char buf[2 * SCHEMA_ID_MAX + 2];
	MDB_val k = refkey(buf, target, src, srclen), v;
	return mdb_get(txn, dbi, &k, &v) == 0;
}

/* Is the index entry "target NUL source" named by the source record? */
static int entry_named(const struct ref *r, const msgpack_object *src,
    const char *target, size_t tlen)
{
	const msgpack_object *ids;
	uint32_t n = ref_ids(r, src, &ids);
	for (uint32_t i = 0; i < n; i++)
		if (ids[i].via.str.size == tlen &&
		    !memcmp(ids[i].via.str.ptr, target, tlen))
			return 1;
	return 0;
}

/* The walk of store_verify, in txn (the child's). */
static void walk(struct store *s, MDB_txn *txn, struct store_verify *v)
{
	MDB_cursor *c;
	MDB_val k, val;
	msgpack_zone *z = msgpack_zone_new(8192);
	struct proto_err e;
	unsigned long long nspec = 0, npost = 0;
	int rc;

	for (int kind = 0; kind < SCHEMA_NKINDS; kind++) {
		const char *kn = schema_kind_name[kind];
		stage(schema_kind_plural[kind]);
		if ((rc = mdb_cursor_open(txn, s->kind[kind], &c))) {
			problem(v, "%s cannot be read: %s", schema_kind_plural[kind],
			    mdb_strerror(rc));
			continue;
		}
		for (rc = mdb_cursor_get(c, &k, &val, MDB_FIRST); rc == 0;
		    rc = mdb_cursor_get(c, &k, &val, MDB_NEXT)) {
			msgpack_object o;
			v->records++;
			msgpack_zone_clear(z);
			if (store_decode(&val, z, &o) < 0) {
				problem(v, "%s %.*s: does not decode", kn, (int)k.mv_size,
				    (char *)k.mv_data);
				continue;
			}
			if (schema_check(kind, &o, "", &e) < 0) {
				problem(v, "%s %.*s: %s", kn, (int)k.mv_size,
				    (char *)k.mv_data, e.message);
				continue;
			}
			const msgpack_object *id = schema_get(&o, "id");
			if (id->via.str.size != k.mv_size ||
			    memcmp(id->via.str.ptr, k.mv_data, k.mv_size))
				problem(v, "%s %.*s: stored under another key", kn,
				    (int)k.mv_size, (char *)k.mv_data);
			for (size_t r = 0; r < NREFS; r++) {
				const msgpack_object *ids;
				if ((int)refs[r].from != kind)
					continue;
				uint32_t n = ref_ids(&refs[r], &o, &ids);
				for (uint32_t i = 0; i < n; i++) {
					MDB_val tk = strval(&ids[i]), tv;
					if (mdb_get(txn, s->kind[refs[r].to], &tk, &tv))
						problem(v, "%s %.*s: %s names missing %s %.*s",
						    kn, (int)k.mv_size, (char *)k.mv_data,
						    refs[r].field, schema_kind_name[refs[r].to],
						    (int)ids[i].via.str.size, ids[i].via.str.ptr);
					if (!has_entry(txn, s->ref[r], &ids[i], k.mv_data,
					    k.mv_size))
						problem(v, "%s %.*s: %s entry missing from %s",
						    kn, (int)k.mv_size, (char *)k.mv_data,
						    refs[r].field, refs[r].db);
				}
			}
			if (kind == SCHEMA_SPECIALTY || kind == SCHEMA_POSTING) {
				int spec = kind == SCHEMA_SPECIALTY;
				const msgpack_object *pid = schema_get(&o,
				    spec ? "school_id" : "enterprise_id");
				const msgpack_object *m = schema_get(&o, "majors");
				msgpack_object parent;
				size_t bad;
				int err;
				if (spec)
					nspec++;
				else
					npost += m && m->type == MSGPACK_OBJECT_ARRAY &&
					    m->via.array.size ? m->via.array.size : 1;
				if (store_read(s, txn, spec ? SCHEMA_SCHOOL :
				    SCHEMA_ENTERPRISE, pid->via.str.ptr,
				    pid->via.str.size, z, &parent) < 0)
					continue;   /* reported as a missing reference */
				err = spec ?
				    index_verify_specialty(txn, &s->ix, &o, &parent, &bad) :
				    index_verify_posting(txn, &s->ix, &o, &parent, &bad);
				if (err)
					problem(v, "%s %.*s: its index entries cannot be "
					    "read: %s", kn, (int)k.mv_size,
					    (char *)k.mv_data, mdb_strerror(err));
				else if (bad)
					problem(v, "%s %.*s: %s entry missing or stale", kn,
					    (int)k.mv_size, (char *)k.mv_data,
					    spec ? "ix.spec.major, ix.spec.code, ix.spec.chain "
					    "or ix.spec.region" : "ix.post.prefix");
			}
			if (kind == SCHEMA_SPECIALTY) {
				char code[16];
				enum schema_level lv = school_level(s, txn,
				    schema_get(&o, "school_id"), z);
				schema_strcpy(code, sizeof code, schema_get(&o, "major_code"));
				if (lv != SCHEMA_LEVEL_NONE &&
				    !schema_major_fits_level(code, lv))
					problem(v, "specialty %.*s: major %s does not fit "
					    "its school's level", (int)k.mv_size,
					    (char *)k.mv_data, code);
			}
		}
		if (rc != MDB_NOTFOUND)
			problem(v, "%s cannot be read to the end: %s",
			    schema_kind_plural[kind], mdb_strerror(rc));
		mdb_cursor_close(c);
	}
	for (size_t r = 0; r < NREFS; r++) {
		stage(refs[r].db);
		if ((rc = mdb_cursor_open(txn, s->ref[r], &c))) {
			problem(v, "%s cannot be read: %s", refs[r].db, mdb_strerror(rc));
			continue;
		}
		for (rc = mdb_cursor_get(c, &k, &val, MDB_FIRST); rc == 0;
		    rc = mdb_cursor_get(c, &k, &val, MDB_NEXT)) {
			const char *key = k.mv_data, *nul = memchr(key, 0, k.mv_size);
			msgpack_object o;
			v->entries++;
			msgpack_zone_clear(z);
			if (!nul) {
				problem(v, "%s: malformed entry", refs[r].db);
				continue;
			}
			size_t tlen = (size_t)(nul - key);
			if (store_read(s, txn, refs[r].from, nul + 1,
			    k.mv_size - tlen - 1, z, &o) < 0 ||
			    !entry_named(&refs[r], &o, key, tlen))
				problem(v, "%s: entry %.*s -> %.*s has no record naming it",
				    refs[r].db, (int)(k.mv_size - tlen - 1), nul + 1,
				    (int)tlen, key);
		}
		if (rc != MDB_NOTFOUND)
			problem(v, "%s cannot be read to the end: %s", refs[r].db,
			    mdb_strerror(rc));
		mdb_cursor_close(c);
	}
	stage("the match index counts");
	if ((rc = index_verify_totals(txn, &s->ix, nspec, npost, problem_cb, v)))
		problem(v, "the match index counts cannot be read: %s",
		    mdb_strerror(rc));
	msgpack_zone_free(z);
}

/*
 * The child's fds: the pipe on 3, nothing above it (the daemon's sockets
 * must not stay open in it: a closed connection would not be seen
 * closed), default dispositions for the signals the daemon handles and
 * for the faults a damaged page raises (so it dies of them, and no
 * sanitizer reports them), and death with the forking thread.
 */
static void child_setup(int fd, pid_t parent)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGBUS,
		SIGSEGV };
	struct sigaction sa;
	sigset_t none;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (fd != 3) {
		if (dup2(fd, 3) < 0)
			_exit(1);
		close(fd);
	}
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 4u, ~0u, 0u) != 0)
#endif
		for (int i = 4; i < 4096; i++)
			close(i);
	verify_fd = 3;
}

/*
 * The child: open the environment afresh, read-only (an LMDB environment
 * must not be used across fork), check the file's length as store_open
 * does, walk, report, exit.  `sig` (fault.h) makes it die as a damaged
 * page would.
 */
static void verify_child(const struct store *parent, pid_t ppid, int fd,
    int sig)
{
	struct store c = { .dir = parent->dir, .mapsize = parent->mapsize };
	struct store_verify v = { .cap = 100 };
	MDB_txn *txn = NULL;
	char err[512];
	const char *what = "open";
	int rc, stale = 0;

	child_setup(fd, ppid);
	if (sig)
		raise(sig);
	v.problems = xcalloc(v.cap, sizeof *v.problems);
	stage("the data files");
	if ((rc = mdb_env_create(&c.env)) ||
	    (rc = mdb_env_set_maxdbs(c.env, 64)) ||
	    (rc = mdb_env_set_mapsize(c.env, c.mapsize)) ||
	    (rc = mdb_env_open(c.env, c.dir, MDB_RDONLY | MDB_NOTLS, 0640))) {
		problem(&v, "the store cannot be opened: %s", mdb_strerror(rc));
		goto done;
	}
	if (cut_short(c.env, c.dir, err, sizeof err)) {
		problem(&v, "the store is damaged: %s", err);
		goto done;
	}
	what = "read";
	if ((rc = mdb_txn_begin(c.env, NULL, MDB_RDONLY, &txn)) ||
	    (rc = open_dbs(&c, txn, 0, &what)) ||
	    (what = "the match indexes", rc = index_open(txn, &c.ix, &stale))) {
		problem(&v, "the store cannot be read (%s): %s", what,
		    mdb_strerror(rc));
		goto done;
	}
	walk(&c, txn, &v);
done:
	send_msg("done", NULL, (unsigned long long[]){ v.records, v.entries,
	    v.nproblems }, 3);
	_exit(0);                       /* no atexit, no stdio flush */
}

/* A message from the child: ["stage"|"problem", str] or ["done", n, n, n]. */
static void verify_msg(const msgpack_object *o, struct store_verify *v,
    char *where, size_t wherecap, int *done)
{
	const msgpack_object *a = o->via.array.ptr;

	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < 2 ||
	    a[0].type != MSGPACK_OBJECT_STR)
		return;
	if (proto_str_eq(&a[0], "done") && o->via.array.size == 4) {
		v->records = a[1].via.u64;
		v->entries = a[2].via.u64;
		v->nproblems = a[3].via.u64;
		*done = 1;
		return;
	}
	if (a[1].type != MSGPACK_OBJECT_STR)
		return;
	if (proto_str_eq(&a[0], "stage"))
		snprintf(where, wherecap, "%.*s", (int)a[1].via.str.size,
		    a[1].via.str.ptr);
	else if (proto_str_eq(&a[0], "problem") && v->kept < v->cap)
		v->problems[v->kept++] = xstrndup(a[1].via.str.ptr,
		    a[1].via.str.size);
}

int store_verify(struct store *s, struct store_verify *v)
{
	msgpack_unpacker up;
	msgpack_unpacked msg;
	char where[64] = "the data files", why[96], text[256];
	int fds[2], status = 0, done = 0, hung = 0, sig, dead;
	pid_t pid, me = getpid();

	v->cap = v->cap ? v->cap : 100;
	v->problems = xcalloc(v->cap, sizeof *v->problems);
	sig = fault_hit(FAULT_VERIFY);
	if (pipe(fds) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		verify_child(s, me, fds[1], sig);
	}
	close(fds[1]);
	if (!msgpack_unpacker_init(&up, 4096)) {
		fprintf(stderr, "chanjiaod: out of memory for verify\n");
		abort();
	}
	msgpack_unpacked_init(&msg);
	for (;;) {
		if (!msgpack_unpacker_reserve_buffer(&up, 4096)) {
			fprintf(stderr, "chanjiaod: out of memory for verify\n");
			abort();
		}
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		int pr = poll(&pfd, 1, VERIFY_SILENCE_S * 1000);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {                 /* stuck: a loop in a damaged tree */
			kill(pid, SIGKILL);
			hung = 1;
			break;
		}
		ssize_t n = read(fds[0], msgpack_unpacker_buffer(&up),
		    msgpack_unpacker_buffer_capacity(&up));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		msgpack_unpacker_buffer_consumed(&up, (size_t)n);
		while (msgpack_unpacker_next(&up, &msg) == MSGPACK_UNPACK_SUCCESS)
			verify_msg(&msg.data, v, where, sizeof where, &done);
	}
	msgpack_unpacked_destroy(&msg);
	msgpack_unpacker_destroy(&up);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	mdb_reader_check(s->env, &dead);   /* a dead child's reader slot */
	if (done && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (hung)
		snprintf(why, sizeof why, "no progress for %d s", VERIFY_SILENCE_S);
	else if (WIFSIGNALED(status))
		snprintf(why, sizeof why, "signal %d, %s", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status))
		snprintf(why, sizeof why, "exit status %d", WEXITSTATUS(status));
	else
		snprintf(why, sizeof why, "status %d", status);
	snprintf(text, sizeof text, "the store is damaged: the check died "
	    "reading %s (%s)", where, why);
	if (v->kept == v->cap)             /* the death is the news */
		free(v->problems[--v->kept]);
	v->problems[v->kept++] = xstrdup(text);
	v->nproblems = v->kept;            /* those it reported before */
	return 0;
}
