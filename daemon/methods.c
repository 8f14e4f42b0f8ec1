/*
 * methods — request decoding, the dispatch table and the handlers.
 *
 * A handler packs its result after the reply header already in the
 * output; on failure it returns -1 with c->err set, and the dispatcher
 * cuts the output back to where the reply began and packs the error
 * instead, so a half-packed result never reaches the wire.
 */
#include "daemon.h"

#include <errno.h>
#include <limits.h>
#include <lmdb.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "xalloc.h"

/* M_JOB: run on a worker (jobs.c).  M_PLAN: a long plan, run on a
 * planner thread and abandoned when its connection goes.  M_SCAN: a
 * long read, never on every worker at once; a list is one (and a job)
 * only with a filter, when it may read max_scan records. */
enum { M_NOAUTH = 1, M_WRITE = 2, M_ADMIN = 4, M_JOB = 8, M_PLAN = 16,
	M_SCAN = 32 };

struct method {
	const char *name;
	int (*fn)(struct call *);
	enum schema_kind kind;
	unsigned flags;
};

int methods_only_keys(struct call *c, const char *const *known)
{
	const msgpack_object *m = c->params;
	char p[SCHEMA_PATH_MAX];

	for (uint32_t i = 0; i < m->via.map.size; i++) {
		const msgpack_object *k = &m->via.map.ptr[i].key;
		int ok = 0;
		for (int j = 0; known[j] && !ok; j++)
			ok = proto_str_eq(k, known[j]);
		if (ok)
			continue;
		if (k->type == MSGPACK_OBJECT_STR &&
		    proto_utf8_valid(k->via.str.ptr, k->via.str.size))
			schema_path_key(p, "", k->via.str.ptr, k->via.str.size);
		else
			schema_path_index(p, "params", i);
		return proto_fail(&c->err, PROTO_INVALID_PARAMS, p,
		    "%s is not a parameter of this method", p);
	}
	return 0;
}

/* A required id parameter. */
const msgpack_object *methods_param_id(struct call *c, const char *name)
{
	const msgpack_object *v = schema_get(c->params, name);
	if (!v) {
		proto_fail(&c->err, PROTO_INVALID_PARAMS, name, "%s is required",
		    name);
		return NULL;
	}
	return schema_check_id(v, name, &c->err) < 0 ? NULL : v;
}

static int m_ping(struct call *c)
{
	proto_pack_cstr(c->pk, "pong");
	return 0;
}

static int m_info(struct call *c)
{
	size_t counts[SCHEMA_NKINDS];

	if (store_counts(daemon_g.store, counts) < 0)
		return proto_fail(&c->err, PROTO_INTERNAL, NULL, "cannot read the store");
	msgpack_pack_map(c->pk, 3);
	proto_pack_cstr(c->pk, "version");
	proto_pack_cstr(c->pk, CJ_VERSION);
	proto_pack_cstr(c->pk, "uptime_s");
	msgpack_pack_int64(c->pk, (int64_t)(time(NULL) - daemon_g.started));
	proto_pack_cstr(c->pk, "counts");
	msgpack_pack_map(c->pk, SCHEMA_NKINDS);
	for (int k = 0; k < SCHEMA_NKINDS; k++) {
		proto_pack_cstr(c->pk, schema_kind_plural[k]);
		msgpack_pack_uint64(c->pk, counts[k]);
	}
	return 0;
}

static int m_stats(struct call *c);

static int m_login(struct call *c)
{
	static const char *const known[] = { "token", NULL };
	const msgpack_object *tok = schema_get(c->params, "token");
	struct session *s = c->sess;
	int i;

	if (!daemon_g.cfg.tokens[0]) {
		/* Without a tokens file every connection is admin (docs/protocol.md). */
		msgpack_pack_map(c->pk, 2);
		proto_pack_cstr(c->pk, "role");
		proto_pack_cstr(c->pk, "admin");
		proto_pack_cstr(c->pk, "owner");
		msgpack_pack_nil(c->pk);
		return 0;
	}
	if (methods_only_keys(c, known) < 0)
		return -1;
	if (!tok)
		return proto_fail(&c->err, PROTO_INVALID_PARAMS, "token",
		    "token is required");
	if (schema_check_str(tok, 1024, "token", &c->err) < 0)
		return -1;
	s->role = ROLE_NONE;
	tokens_hash(tok->via.str.ptr, tok->via.str.size, s->hash);
	if ((i = tokens_find(&daemon_g.tokens, s->hash)) < 0) {
		log_info("auth.login refused: unknown token");
		return proto_fail(&c->err, PROTO_UNAUTHENTICATED, "token",
		    "unknown token");
	}
	s->role = daemon_g.tokens.v[i].role;
	s->gen = daemon_g.tokens_gen;
	snprintf(s->owner, sizeof s->owner, "%s", daemon_g.tokens.v[i].owner);
	msgpack_pack_map(c->pk, 2);
	proto_pack_cstr(c->pk, "role");
	proto_pack_cstr(c->pk, tokens_role_name(s->role));
	proto_pack_cstr(c->pk, "owner");
	if (s->owner[0])
		proto_pack_cstr(c->pk, s->owner);
	else
		msgpack_pack_nil(c->pk);
	return 0;
}

static int owned_by(const msgpack_object *rec, const char *key,
    const char *owner)
{
	const msgpack_object *v = schema_get(rec, key);
	return v && v->type == MSGPACK_OBJECT_STR && proto_str_eq(v, owner);
}

/*
 * docs/protocol.md "Roles": may this session write rec of kind k?  Asked by
 * the store for the stored and the new record of every write.
 */
int methods_may_write(void *arg, struct store *st, MDB_txn *txn,
    enum schema_kind k, const msgpack_object *rec)
{
	const struct session *s = arg;

	switch (s->role) {
	case ROLE_ADMIN:
		return 1;
	case ROLE_ORGANIZER:
		return k == SCHEMA_FAIR;
	case ROLE_SCHOOL:
		if (k == SCHEMA_SCHOOL)
			return owned_by(rec, "id", s->owner);
		if (k == SCHEMA_SPECIALTY)
			return owned_by(rec, "school_id", s->owner);
		if (k == SCHEMA_STUDENT) {
			const msgpack_object *sp = schema_get(rec, "specialty_id");
			msgpack_zone *z = msgpack_zone_new(2048);
			msgpack_object o;
			int ok = sp && sp->type == MSGPACK_OBJECT_STR &&
			    store_read(st, txn, SCHEMA_SPECIALTY, sp->via.str.ptr,
			    sp->via.str.size, z, &o) == 0 &&
			    owned_by(&o, "school_id", s->owner);
			msgpack_zone_free(z);
			return ok;
		}
		return 0;
	case ROLE_ENTERPRISE:
		if (k == SCHEMA_ENTERPRISE)
			return owned_by(rec, "id", s->owner);
		if (k == SCHEMA_POSTING || k == SCHEMA_PROGRAM)
			return owned_by(rec, "enterprise_id", s->owner);
		return 0;
	default:
		return 0;
	}
}

static int m_put(struct call *c)
{
	const msgpack_object *recs = schema_get(c->params, "records");
	uint32_t n;

	if (c->phase == CALL_APPLY) {
		n = recs ? recs->via.array.size : 1;
		recs = recs ? recs->via.array.ptr : c->params;
	} else if (recs) {
		static const char *const known[] = { "records", NULL };
		if (methods_only_keys(c, known) < 0)
			return -1;
		if (recs->type != MSGPACK_OBJECT_ARRAY)
			return proto_fail(&c->err, PROTO_INVALID_PARAMS, "records",
			    "records must be an array of records");
		n = recs->via.array.size;
		if (n == 0)
			return proto_fail(&c->err, PROTO_INVALID_PARAMS, "records",
			    "records is empty");
		if (n > daemon_g.cfg.max_batch) {
			stats_limit_hit(LIMIT_BATCH);
			return proto_fail(&c->err, PROTO_TOO_LARGE, "records",
			    "%u records is over max_batch (%llu)", n,
			    daemon_g.cfg.max_batch);
		}
		for (uint32_t i = 0; i < n; i++) {
			char p[SCHEMA_PATH_MAX];
			schema_path_index(p, "records", i);
			if (schema_check(c->kind, &recs->via.array.ptr[i], p,
			    &c->err) < 0)
				return -1;
		}
		recs = recs->via.array.ptr;
	} else {
		if (schema_check(c->kind, c->params, "", &c->err) < 0)
			return -1;
		recs = c->params;
		n = 1;
	}
	if (c->kind == SCHEMA_SPECIALTY && c->phase != CALL_APPLY)
		for (uint32_t i = 0; i < n; i++) {     /* once, at the check */
			const msgpack_object *code = schema_get(&recs[i], "major_code");
			if (!catalog_name(code->via.str.ptr, code->via.str.size))
				log_info("specialty %.*s: major %.*s is not in the 2021 "
				    "catalog (accepted)",
				    (int)schema_get(&recs[i], "id")->via.str.size,
				    schema_get(&recs[i], "id")->via.str.ptr,
				    (int)code->via.str.size, code->via.str.ptr);
		}
	if (c->phase == CALL_CHECK)
		return 0;
	if (store_put(daemon_g.store, c->kind, recs, n, recs != c->params,
	    methods_may_write, c->sess, &c->err) < 0)
		return -1;
	msgpack_pack_map(c->pk, 1);
	proto_pack_cstr(c->pk, "written");
	msgpack_pack_uint32(c->pk, n);
	return 0;
}

/*
 * {id}: the record.  {ids} (an extension): up to max_limit records in one
 * call, in the order asked, nil where absent — a page naming 300 postings
 * makes one request, not 300.
 */
static int m_get(struct call *c)
{
	static const char *const known[] = { "id", "ids", NULL };
	const msgpack_object *id = NULL, *ids = schema_get(c->params, "ids");
	char path[SCHEMA_PATH_MAX];
	MDB_txn *txn;
	MDB_val k, v;
	int rc = 0;

	if (methods_only_keys(c, known) < 0)
		return -1;
	if (ids) {
		if (schema_get(c->params, "id"))
			return proto_fail(&c->err, PROTO_INVALID_PARAMS, "ids",
			    "give id or ids, not both");
		if (ids->type != MSGPACK_OBJECT_ARRAY || ids->via.array.size < 1 ||
		    ids->via.array.size > daemon_g.cfg.max_limit)
			return proto_fail(&c->err, PROTO_INVALID_PARAMS, "ids",
			    "ids must be an array of 1..%llu ids", daemon_g.cfg.max_limit);
		for (uint32_t i = 0; i < ids->via.array.size; i++) {
			schema_path_index(path, "ids", i);
			if (schema_check_id(&ids->via.array.ptr[i], path, &c->err) < 0)
				return -1;
		}
	} else if (!(id = methods_param_id(c, "id"))) {
		return -1;
	}
	if ((rc = store_snapshot(daemon_g.store, &txn)))
		return proto_fail(&c->err, PROTO_INTERNAL, NULL, "%s",
		    mdb_strerror(rc));
	if (ids) {
		msgpack_pack_map(c->pk, 1);
		proto_pack_cstr(c->pk, "items");
		msgpack_pack_array(c->pk, ids->via.array.size);
	}
	for (uint32_t i = 0; i < (ids ? ids->via.array.size : 1); i++) {
		if (ids)
			id = &ids->via.array.ptr[i];
		k.mv_size = id->via.str.size;
		k.mv_data = (void *)id->via.str.ptr;
		rc = mdb_get(txn, store_dbi(daemon_g.store, c->kind), &k, &v);
		if (rc == 0 && v.mv_size > 1)
			proto_buf_append(c->out, (const char *)v.mv_data + 1,
			    v.mv_size - 1);
		else if (rc == MDB_NOTFOUND && ids)
			msgpack_pack_nil(c->pk), rc = 0;
		if (rc)
			break;
	}
	store_snapshot_end(txn);
	if (rc == MDB_NOTFOUND)
		return proto_fail(&c->err, PROTO_NOT_FOUND, "id", "%s %.*s not found",
		    schema_kind_name[c->kind], (int)id->via.str.size, id->via.str.ptr);
	if (rc)
		return proto_fail(&c->err, PROTO_INTERNAL, NULL, "%s", mdb_strerror(rc));
	return 0;
}

static int m_del(struct call *c)
{
	static const char *const known[] = { "id", NULL };
	const msgpack_object *id;

	if (methods_only_keys(c, known) < 0 || !(id = methods_param_id(c, "id")))
		return -1;
	if (c->phase == CALL_CHECK)
		return 0;
	if (store_del(daemon_g.store, c->kind, id->via.str.ptr, id->via.str.size,
	    methods_may_write, c->sess, &c->err) < 0)
		return -1;
	msgpack_pack_map(c->pk, 1);
	proto_pack_cstr(c->pk, "deleted");
	msgpack_pack_uint8(c->pk, 1);
	return 0;
}

static int m_list(struct call *c)
{
	static const char *const known[] = { "after", "limit", "filter", NULL };
	const msgpack_object *after = schema_get(c->params, "after");
	const msgpack_object *lim = schema_get(c->params, "limit");
	const msgpack_object *filter = schema_get(c->params, "filter");
	long long limit = 100;
	struct proto_buf items = { 0 };
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v, lastk = { 0, NULL }, scannedk = { 0, NULL };
	msgpack_zone *z = NULL;
	unsigned long long scanned = 0;
	uint32_t count = 0;
	int rc, more = 0, ret = -1;

	if (methods_only_keys(c, known) < 0)
		return -1;
	if (after && after->type != MSGPACK_OBJECT_NIL &&
	    schema_check_id(after, "after", &c->err) < 0)
		return -1;
	if (lim && lim->type != MSGPACK_OBJECT_NIL) {
		if (lim->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
		    lim->via.u64 > daemon_g.cfg.max_limit)
			stats_limit_hit(LIMIT_LIMIT);
		if (schema_check_int(lim, 1, (long long)daemon_g.cfg.max_limit,
		    "limit", &c->err, &limit) < 0)
			return -1;
	}
	if (filter && filter->type == MSGPACK_OBJECT_NIL)
		filter = NULL;
	if (filter && schema_filter_check(c->kind, filter, &c->err) < 0)
		return -1;

	if ((rc = store_snapshot(daemon_g.store, &txn)) ||
	    (rc = mdb_cursor_open(txn, store_dbi(daemon_g.store, c->kind), &cur))) {
		proto_fail(&c->err, PROTO_INTERNAL, NULL, "%s", mdb_strerror(rc));
		goto out;
	}
	if (after && after->type == MSGPACK_OBJECT_STR) {
		k.mv_size = after->via.str.size;
		k.mv_data = (void *)after->via.str.ptr;
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		if (rc == 0 && k.mv_size == after->via.str.size &&
		    !memcmp(k.mv_data, after->via.str.ptr, k.mv_size))
			rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	} else {
		rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	}
	if (filter)
		z = msgpack_zone_new(8192);
	for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (filter) {
			msgpack_object o;
			if (scanned == daemon_g.cfg.max_scan) {
				/* more records follow: go on after the last read */
				stats_limit_hit(LIMIT_SCAN);
				lastk = scannedk;
				more = 1;
				break;
			}
			scanned++;
			scannedk = k;
			msgpack_zone_clear(z);
			if (store_decode(&v, z, &o) < 0 || !schema_filter_match(&o, filter))
				continue;
		}
		if (count == limit) {
			more = 1;
			break;
		}
		proto_buf_append(&items, (const char *)v.mv_data + 1, v.mv_size - 1);
		lastk = k;
		count++;
	}
	if (rc && rc != MDB_NOTFOUND) {
		proto_fail(&c->err, PROTO_INTERNAL, NULL, "%s", mdb_strerror(rc));
		goto out;
	}
	msgpack_pack_map(c->pk, 2);
	proto_pack_cstr(c->pk, "items");
	msgpack_pack_array(c->pk, count);
	proto_buf_append(c->out, items.data, items.len);
	proto_pack_cstr(c->pk, "next");
	if (more)
		proto_pack_str(c->pk, lastk.mv_data, lastk.mv_size);
	else
		msgpack_pack_nil(c->pk);
	ret = 0;
out:
	if (z)
		msgpack_zone_free(z);
	if (cur)
		mdb_cursor_close(cur);
	if (txn)
		store_snapshot_end(txn);
	proto_buf_free(&items);
	return ret;
}

/* admin.backup's folder: backup_dir, inside the data dir when relative. */
static void backup_dir(char *dir, size_t cap)
{
	const char *b = daemon_g.cfg.backup_dir[0] ? daemon_g.cfg.backup_dir :
	    "backups";

	if (b[0] == '/')
		snprintf(dir, cap, "%s", b);
	else
		snprintf(dir, cap, "%s/%s", daemon_g.cfg.data, b);
}

static int m_backup(struct call *c)
{
	static const char *const known[] = { "path", NULL };
	const msgpack_object *p = schema_get(c->params, "path");
	char name[4096], dir[2 * 4096 + 2], path[PATH_MAX];
	unsigned long long bytes;

	if (methods_only_keys(c, known) < 0)
		return -1;
	if (!p)
		return proto_fail(&c->err, PROTO_INVALID_PARAMS, "path",
		    "path is required");
	if (schema_check_str(p, sizeof name - 1, "path", &c->err) < 0)
		return -1;
	schema_strcpy(name, sizeof name, p);
	if (strlen(name) != p->via.str.size)
		return proto_fail(&c->err, PROTO_INVALID_PARAMS, "path",
		    "path holds a NUL byte");
	backup_dir(dir, sizeof dir);
	if (store_backup(daemon_g.store, dir, name, path, sizeof path, &bytes,
	    &c->err) < 0)
		return -1;
	log_info("backup written to %s (%llu bytes)", path, bytes);
	msgpack_pack_map(c->pk, 2);
	proto_pack_cstr(c->pk, "path");
	proto_pack_cstr(c->pk, path);
	proto_pack_cstr(c->pk, "bytes");
	msgpack_pack_uint64(c->pk, bytes);
	return 0;
}

static int m_verify(struct call *c)
{
	static const char *const known[] = { NULL };
	struct store_verify v = { 0 };

	if (methods_only_keys(c, known) < 0)
		return -1;
	if (store_verify(daemon_g.store, &v) < 0) {
		int err = errno;
		store_verify_free(&v);
		return proto_fail(&c->err, PROTO_INTERNAL, NULL,
		    "cannot start the check: %s", strerror(err));
	}
	msgpack_pack_map(c->pk, 5);
	proto_pack_cstr(c->pk, "ok");
	if (v.nproblems)
		msgpack_pack_false(c->pk);
	else
		msgpack_pack_true(c->pk);
	proto_pack_cstr(c->pk, "records");
	msgpack_pack_uint64(c->pk, v.records);
	proto_pack_cstr(c->pk, "index_entries");
	msgpack_pack_uint64(c->pk, v.entries);
	proto_pack_cstr(c->pk, "problems_total");
	msgpack_pack_uint64(c->pk, v.nproblems);
	proto_pack_cstr(c->pk, "problems");
	msgpack_pack_array(c->pk, (uint32_t)v.kept);
	for (size_t i = 0; i < v.kept; i++)
		proto_pack_cstr(c->pk, v.problems[i]);
	if (v.nproblems)
		log_error("admin.verify: %llu problems", v.nproblems);
	store_verify_free(&v);
	return 0;
}

#define KIND(n, k)                                                         \
	{ n ".put", m_put, k, M_WRITE }, { n ".get", m_get, k, 0 },        \
	{ n ".del", m_del, k, M_WRITE }, { n ".list", m_list, k, M_SCAN }

static const struct method methods[] = {
	{ "system.ping", m_ping, 0, M_NOAUTH },
	{ "system.info", m_info, 0, 0 },
	{ "system.stats", m_stats, 0, 0 },
	{ "auth.login", m_login, 0, M_NOAUTH },
	{ "admin.backup", m_backup, 0, M_ADMIN | M_JOB | M_SCAN },
	{ "admin.verify", m_verify, 0, M_ADMIN | M_JOB | M_SCAN },
	{ "match.candidates", queries_candidates, 0, M_JOB },
	{ "match.openings", queries_openings, 0, M_JOB },
	{ "stats.balance", queries_balance, 0, M_JOB },
	{ "fair.allocate", planners_allocate, 0, M_JOB },
	{ "fair.schedule", planners_schedule, 0, M_JOB },
	{ "orderclass.plan", planners_orderclass, 0, M_JOB | M_PLAN },
	{ "apprenticeship.match", planners_apprenticeship, 0, M_JOB | M_PLAN },
	{ "import.csv", imports_csv, 0, M_WRITE },
	KIND("school", SCHEMA_SCHOOL),
	KIND("specialty", SCHEMA_SPECIALTY),
	KIND("enterprise", SCHEMA_ENTERPRISE),
	KIND("posting", SCHEMA_POSTING),
	KIND("fair", SCHEMA_FAIR),
	KIND("program", SCHEMA_PROGRAM),
	KIND("student", SCHEMA_STUDENT),
};
#define NMETHODS ((int)(sizeof methods / sizeof methods[0]))

static int m_stats(struct call *c)
{
	const char *names[NMETHODS];
	for (int i = 0; i < NMETHODS; i++)
		names[i] = methods[i].name;
	stats_pack(c->pk, names, NMETHODS);
	return 0;
}

static int find_method(const msgpack_object *name)
{
	for (int i = 0; i < NMETHODS; i++)
		if (proto_str_eq(name, methods[i].name))
			return i;
	return -1;
}

static int handle(struct session *sess, const char *frame, size_t len,
    struct proto_buf *out, struct job **defer, int phase, int *failed,
    uint64_t *clock, const volatile int *cancel);

int methods_session_fresh(struct session *s)
{
	if (s->role != ROLE_NONE && daemon_g.cfg.tokens[0] &&
	    s->gen != daemon_g.tokens_gen) {
		/* The tokens file was re-read: is this token still in it? */
		int i = tokens_find(&daemon_g.tokens, s->hash);
		s->role = i < 0 ? ROLE_NONE : daemon_g.tokens.v[i].role;
		snprintf(s->owner, sizeof s->owner, "%s",
		    i < 0 ? "" : daemon_g.tokens.v[i].owner);
		s->gen = daemon_g.tokens_gen;
	}
	return s->role != ROLE_NONE;
}

int methods_run_job(struct job *j)
{
	int failed;
	handle(&j->sess, j->frame, j->len, &j->out, NULL,
	    j->write ? CALL_APPLY : CALL_WHOLE, &failed, NULL, &j->cancel);
	return failed;
}

int methods_check_job(struct job *j)
{
	int failed;
	handle(&j->sess, j->frame, j->len, &j->out, NULL, CALL_CHECK, &failed,
	    NULL, NULL);
	return failed;
}

void methods_reject(const char *frame, size_t len, int code,
    const char *message, struct proto_buf *out)
{
	msgpack_packer pk;
	uint32_t msgid = 0;
	int has = code != PROTO_PARSE_ERROR && proto_peek_msgid(frame, len, &msgid);

	msgpack_packer_init(&pk, out, proto_buf_write);
	proto_pack_error(&pk, has, msgid, code, message, NULL);
}

/* A list whose params hold a filter that is not nil. */
static int has_filter(const msgpack_object *params)
{
	const msgpack_object *f;

	if (params->via.array.size != 1 ||
	    params->via.array.ptr[0].type != MSGPACK_OBJECT_MAP)
		return 0;
	f = schema_get(&params->via.array.ptr[0], "filter");
	return f && f->type != MSGPACK_OBJECT_NIL;
}

static int is_uint32(const msgpack_object *o)
{
	return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= UINT32_MAX;
}

int methods_is_write(const char *frame, size_t n)
{
	msgpack_object name = { .type = MSGPACK_OBJECT_STR };
	int m;

	if (!proto_peek_method(frame, n, &name.via.str.ptr, &n) || n > UINT32_MAX)
		return 0;
	name.via.str.size = (uint32_t)n;
	return (m = find_method(&name)) >= 0 && (methods[m].flags & M_WRITE);
}

int methods_handle(struct session *sess, const char *frame, size_t len,
    size_t depth, struct proto_buf *out, struct job **defer, uint64_t *clock)
{
	int failed;
	(void)depth;
	return handle(sess, frame, len, out, defer, CALL_WHOLE, &failed, clock,
	    NULL);
}

/*
 * The loop decodes every request into this one zone, cleared after each
 * call, so that a cheap call costs no malloc; the writer and the workers,
 * whose calls are few and large, take a zone per call.
 */
static msgpack_zone *loop_zone;

static msgpack_zone *zone_new(void)
{
	msgpack_zone *z = msgpack_zone_new(MSGPACK_ZONE_CHUNK_SIZE);
	if (!z) {
		fprintf(stderr, "chanjiaod: out of memory for a msgpack zone\n");
		abort();
	}
	return z;
}

/*
 * methods_handle, and a write's two phases: CALL_CHECK leaves nothing in
 * out unless the call failed (*failed), CALL_APPLY runs a checked write.
 * With clock (the loop's calls), *clock is when the call started and is
 * set to when it ended: calls handled back to back read the clock once
 * each, not twice.
 */
static int handle(struct session *sess, const char *frame, size_t len,
    struct proto_buf *out, struct job **defer, int phase, int *failed,
    uint64_t *clock, const volatile int *cancel)
{
	static const msgpack_object empty = { .type = MSGPACK_OBJECT_MAP };
	msgpack_zone *zone;
	msgpack_object req;
	msgpack_packer pk;
	struct call c;
	const msgpack_object *a, *params;
	uint32_t msgid = 0;
	int has_msgid = 0, notify, close_after = 0, m, clocked = 0;
	size_t off = 0, mark = out->len - out->off;  /* survives compaction */
	uint64_t t0 = clock ? *clock : stats_now_us();

	*failed = 1;
	if (defer && !loop_zone)
		loop_zone = zone_new();
	zone = defer ? loop_zone : zone_new();
	msgpack_packer_init(&pk, out, proto_buf_write);
	/* msgpack_unpack (into a zone of ours) rather than
	 * msgpack_unpack_next, which makes and frees a zone each time. */
	switch (msgpack_unpack(frame, len, &off, zone, &req)) {
	case MSGPACK_UNPACK_SUCCESS:
	case MSGPACK_UNPACK_EXTRA_BYTES:   /* proto_scan framed it: never */
		break;
	default:
		proto_pack_error(&pk, 0, 0, PROTO_PARSE_ERROR, "not MessagePack", NULL);
		close_after = 1;
		goto done;
	}
	a = &req;
	if (a->type == MSGPACK_OBJECT_ARRAY && a->via.array.size >= 2 &&
	    a->via.array.ptr[0].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
	    a->via.array.ptr[0].via.u64 == 0 && is_uint32(&a->via.array.ptr[1])) {
		has_msgid = 1;
		msgid = (uint32_t)a->via.array.ptr[1].via.u64;
	}
	notify = a->type == MSGPACK_OBJECT_ARRAY && a->via.array.size == 3 &&
	    a->via.array.ptr[0].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
	    a->via.array.ptr[0].via.u64 == 2;
	if (!notify && !(has_msgid && a->via.array.size == 4)) {
		proto_pack_error(&pk, has_msgid, msgid, PROTO_INVALID_REQUEST,
		    "not a request [0, msgid, method, params] or notification "
		    "[2, method, params]", NULL);
		close_after = 1;
		goto done;
	}
	const msgpack_object *name = &a->via.array.ptr[notify ? 1 : 2];
	params = &a->via.array.ptr[notify ? 2 : 3];
	if (name->type != MSGPACK_OBJECT_STR || params->type != MSGPACK_OBJECT_ARRAY) {
		proto_pack_error(&pk, has_msgid, msgid, PROTO_INVALID_REQUEST,
		    name->type != MSGPACK_OBJECT_STR ? "method must be a string" :
		    "params must be an array", NULL);
		close_after = 1;
		goto done;
	}

	memset(&c, 0, sizeof c);
	/* (workers, defer == NULL, never read the tokens: the loop did) */
	if (defer)
		methods_session_fresh(sess);
	if ((m = find_method(name)) < 0) {
		char shown[80];
		size_t n = name->via.str.size < 64 ? name->via.str.size : 64;
		if (n)
			memcpy(shown, name->via.str.ptr, n);
		shown[n] = 0;
		if (!proto_utf8_valid(shown, n))
			snprintf(shown, sizeof shown, "(not UTF-8)");
		proto_fail(&c.err, PROTO_METHOD_NOT_FOUND, NULL,
		    "method %s not found", shown);
	} else if (params->via.array.size > 1 || (params->via.array.size == 1 &&
	    params->via.array.ptr[0].type != MSGPACK_OBJECT_MAP)) {
		proto_fail(&c.err, PROTO_INVALID_PARAMS, "params",
		    "params must hold exactly one map of named arguments");
	} else if (sess->role == ROLE_NONE && !(methods[m].flags & M_NOAUTH)) {
		proto_fail(&c.err, PROTO_UNAUTHENTICATED, NULL,
		    "call auth.login first");
	} else if ((methods[m].flags & M_ADMIN) && sess->role != ROLE_ADMIN) {
		proto_fail(&c.err, PROTO_FORBIDDEN, NULL, "admin only");
	} else if (defer && ((methods[m].flags & (M_JOB | M_WRITE)) ||
	    ((methods[m].flags & M_SCAN) && has_filter(params)))) {
		struct job *j = xcalloc(1, sizeof *j);
		j->write = (methods[m].flags & M_WRITE) != 0;
		j->plan = (methods[m].flags & M_PLAN) != 0;
		j->scan = (methods[m].flags & M_SCAN) != 0;
		j->sess = *sess;
		j->frame = xmalloc(len);
		memcpy(j->frame, frame, len);
		j->len = len;
		*defer = j;
		goto done;
	} else {
		c.sess = sess;
		c.params = params->via.array.size ? &params->via.array.ptr[0] : &empty;
		c.pk = &pk;
		c.out = out;
		c.kind = methods[m].kind;
		c.phase = phase;
		c.cancel = cancel;
		proto_pack_reply_head(&pk, has_msgid, msgid);
		if (methods[m].fn(&c) == 0 &&
		    proto_buf_pending(out) - mark > daemon_g.cfg.max_frame) {
			stats_limit_hit(LIMIT_FRAME);
			proto_fail(&c.err, PROTO_TOO_LARGE, NULL,
			    "result larger than max_frame");
		}
		if (phase == CALL_CHECK && !c.err.code) {
			out->len = out->off + mark;   /* the reply comes when applied */
			*failed = 0;
			goto done;
		}
	}
	*failed = c.err.code != 0;
	if (c.err.code) {
		out->len = out->off + mark;
		proto_pack_error(&pk, has_msgid, msgid, c.err.code, c.err.message,
		    c.err.field);
	}
	if (m >= 0) {
		uint64_t t1 = stats_now_us();
		stats_call(m, c.err.code, t1 - t0);
		if (clock)
			*clock = t1;
		clocked = 1;
	}
	if (notify) {
		if (c.err.code)
			log_debug("notification %s failed: %s", methods[m >= 0 ? m : 0].name,
			    c.err.message);
		out->len = out->off + mark;
	}
done:
	if (clock && !clocked)
		*clock = stats_now_us();
	if (defer)
		msgpack_zone_clear(zone);
	else
		msgpack_zone_free(zone);
	return close_after;
}

void methods_free(void)
{
	if (loop_zone)
		msgpack_zone_free(loop_zone);
	loop_zone = NULL;
}
