/*
 * imports — import.csv: spreadsheet files in, checked by the csv library
 * (docs/csv.md) and applied as one write, all or nothing.
 *
 * The check phase (a worker) checks the parameters only; the apply phase
 * (the writer) reads the files, then, when they hold no error, opens a
 * store unit (store_unit_begin) and for every file, in dependency order,
 * sorts its records into new, updated and unchanged (the stored bytes
 * equal the record's canonical bytes), refuses a move to another owner
 * without allow_move, puts the changed ones (one batch; when it fails,
 * record by record, so that every refused row is found), and with sync
 * deletes, children first, what the file no longer has.  Any error drops
 * the unit; so does dry_run, after the same work: its report is the real
 * import's.  Every problem is an item of the result, located by rec_locate
 * at its file, row and column.
 */
#include "daemon.h"

#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"
#include "xalloc.h"

/* Files of one call: at most one per kind. */
struct ifile {
	enum schema_kind kind;
	struct rec_input in[4];
	const char *path;              /* of its params, for errors */
};

struct iparams {
	struct ifile f[SCHEMA_NKINDS];
	int nf, multi;                 /* multi: given as files: [...] */
	int dry_run, allow_move, sync, strict;
	const char *enc;               /* NULL: detect */
};

/* The field naming a record's owner, whose change is a move; NULL: none. */
static const char *owner_field(enum schema_kind k)
{
	switch (k) {
	case SCHEMA_SPECIALTY: return "school_id";
	case SCHEMA_POSTING:
	case SCHEMA_PROGRAM: return "enterprise_id";
	case SCHEMA_STUDENT: return "specialty_id";
	default: return NULL;
	}
}

static int opt_bool(struct call *c, const msgpack_object *m, const char *key,
    int *v)
{
	const msgpack_object *o = schema_get(m, key);

	*v = 0;
	if (!o || o->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (o->type != MSGPACK_OBJECT_BOOLEAN)
		return proto_fail(&c->err, PROTO_INVALID_PARAMS, key,
		    "%s must be true or false", key);
	*v = o->via.boolean;
	return 0;
}

static int bin_param(struct call *c, const msgpack_object *o, const char *path,
    const char *name, struct rec_input *in)
{
	if (o->type != MSGPACK_OBJECT_BIN)
		return proto_fail(&c->err, PROTO_INVALID_PARAMS, path,
		    "%s must be bin: the file's bytes", path);
	in->name = name;
	in->data = o->via.bin.size ? o->via.bin.ptr : "";
	in->len = o->via.bin.size;
	return 0;
}

/* One file: {kind, data, parts?} at params path `at` ("" or "files[2]"). */
static int file_params(struct call *c, const msgpack_object *m, const char *at,
    struct ifile *f)
{
	static const char *const pnames[] = { "directions", "sessions",
		"requests" };
	const msgpack_object *kind = schema_get(m, "kind"),
	    *data = schema_get(m, "data"), *parts = schema_get(m, "parts");
	char p[SCHEMA_PATH_MAX], name[33] = "";
	int k;

	memset(f, 0, sizeof *f);
	schema_path_key(p, at, "kind", 4);
	if (!kind)
		return proto_fail(&c->err, PROTO_INVALID_PARAMS, p, "%s is required", p);
	if (kind->type == MSGPACK_OBJECT_STR && kind->via.str.size < sizeof name)
		memcpy(name, kind->via.str.ptr, kind->via.str.size);
	if (kind->type != MSGPACK_OBJECT_STR ||
	    strlen(name) != kind->via.str.size || (k = rec_kind_of(name)) < 0)
		return proto_fail(&c->err, PROTO_INVALID_PARAMS, p,
		    "%s must be one of school, specialty, enterprise, posting, "
		    "fair, program, student", p);
	f->kind = (enum schema_kind)k;
	schema_path_key(p, at, "data", 4);
	if (!data)
		return proto_fail(&c->err, PROTO_INVALID_PARAMS, p, "%s is required", p);
	if (bin_param(c, data, p, rec_file_name[k], &f->in[0]) < 0)
		return -1;
	if (parts && parts->type != MSGPACK_OBJECT_NIL) {
		schema_path_key(p, at, "parts", 5);
		if (k != SCHEMA_FAIR)
			return proto_fail(&c->err, PROTO_INVALID_PARAMS, p,
			    "%s is for fairs only", p);
		if (parts->type != MSGPACK_OBJECT_MAP)
			return proto_fail(&c->err, PROTO_INVALID_PARAMS, p,
			    "%s must be a map {directions?, sessions?, requests?}", p);
		for (uint32_t i = 0; i < parts->via.map.size; i++) {
			const msgpack_object *key = &parts->via.map.ptr[i].key;
			const msgpack_object *v = &parts->via.map.ptr[i].val;
			char q[SCHEMA_PATH_MAX];
			int j;
			for (j = 0; j < 3 && !proto_str_eq(key, pnames[j]); j++)
				;
			if (j == 3) {
				schema_path_index(q, p, i);
				return proto_fail(&c->err, PROTO_INVALID_PARAMS, q,
				    "%s: the parts are directions, sessions and requests", q);
			}
			schema_path_key(q, p, pnames[j], strlen(pnames[j]));
			if (v->type != MSGPACK_OBJECT_NIL &&
			    bin_param(c, v, q, rec_file_name[RF_FAIR_DIRS + j],
			    &f->in[1 + j]) < 0)
				return -1;
		}
	}
	return 0;
}

/* The dependency order of `import DIR` (docs/csv.md "Files"). */
static const enum schema_kind order[] = {
	SCHEMA_SCHOOL, SCHEMA_ENTERPRISE, SCHEMA_SPECIALTY, SCHEMA_POSTING,
	SCHEMA_FAIR, SCHEMA_PROGRAM, SCHEMA_STUDENT,
};

static int rank(enum schema_kind k)
{
	for (int i = 0; i < SCHEMA_NKINDS; i++)
		if (order[i] == k)
			return i;
	return 0;
}

static int cmp_rank(const void *a, const void *b)
{
	return rank(((const struct ifile *)a)->kind) -
	    rank(((const struct ifile *)b)->kind);
}

static int read_params(struct call *c, struct iparams *ip)
{
	static const char *const known[] = { "kind", "data", "parts", "files",
		"dry_run", "allow_move", "sync", "strict", "encoding", NULL };
	const msgpack_object *files = schema_get(c->params, "files");
	const msgpack_object *enc = schema_get(c->params, "encoding");

	memset(ip, 0, sizeof *ip);
	if (methods_only_keys(c, known) < 0 ||
	    opt_bool(c, c->params, "dry_run", &ip->dry_run) < 0 ||
	    opt_bool(c, c->params, "allow_move", &ip->allow_move) < 0 ||
	    opt_bool(c, c->params, "sync", &ip->sync) < 0 ||
	    opt_bool(c, c->params, "strict", &ip->strict) < 0)
		return -1;
	if (enc && enc->type != MSGPACK_OBJECT_NIL) {
		if (proto_str_eq(enc, "utf-8"))
			ip->enc = "utf-8";
		else if (proto_str_eq(enc, "gb18030"))
			ip->enc = "gb18030";
		else
			return proto_fail(&c->err, PROTO_INVALID_PARAMS, "encoding",
			    "encoding must be \"utf-8\" or \"gb18030\" (or absent: "
			    "detected)");
	}
	if (files && files->type != MSGPACK_OBJECT_NIL) {
		if (schema_get(c->params, "kind") || schema_get(c->params, "data") ||
		    schema_get(c->params, "parts"))
			return proto_fail(&c->err, PROTO_INVALID_PARAMS, "files",
			    "files replaces kind, data and parts: give one or the other");
		if (files->type != MSGPACK_OBJECT_ARRAY || files->via.array.size == 0 ||
		    files->via.array.size > SCHEMA_NKINDS)
			return proto_fail(&c->err, PROTO_INVALID_PARAMS, "files",
			    "files must be an array of 1..%d {kind, data, parts?}",
			    SCHEMA_NKINDS);
		ip->multi = 1;
		for (uint32_t i = 0; i < files->via.array.size; i++) {
			const msgpack_object *m = &files->via.array.ptr[i];
			char p[SCHEMA_PATH_MAX];
			schema_path_index(p, "files", i);
			if (m->type != MSGPACK_OBJECT_MAP)
				return proto_fail(&c->err, PROTO_INVALID_PARAMS, p,
				    "%s must be a map {kind, data, parts?}", p);
			for (uint32_t j = 0; j < m->via.map.size; j++) {
				const msgpack_object *k = &m->via.map.ptr[j].key;
				if (!proto_str_eq(k, "kind") && !proto_str_eq(k, "data") &&
				    !proto_str_eq(k, "parts"))
					return proto_fail(&c->err, PROTO_INVALID_PARAMS, p,
					    "%s holds a key other than kind, data and parts", p);
			}
			if (file_params(c, m, p, &ip->f[ip->nf]) < 0)
				return -1;
			for (int j = 0; j < ip->nf; j++)
				if (ip->f[j].kind == ip->f[ip->nf].kind) {
					schema_path_key(p, p, "kind", 4);
					return proto_fail(&c->err, PROTO_INVALID_PARAMS, p,
					    "%s repeats a kind: one file per kind", p);
				}
			ip->nf++;
		}
		qsort(ip->f, (size_t)ip->nf, sizeof ip->f[0], cmp_rank);
	} else {
		if (file_params(c, c->params, "", &ip->f[0]) < 0)
			return -1;
		ip->nf = 1;
	}
	return 0;
}

/* ------------------------------------------------------------ applying */

struct counts {
	size_t new, updated, unchanged, deleted;
};

struct run {
	struct call *c;
	struct iparams *ip;
	struct rec_set sets[SCHEMA_NKINDS];
	int built[SCHEMA_NKINDS];
	struct counts n[SCHEMA_NKINDS];
	msgpack_object *recs[SCHEMA_NKINDS];   /* each set's records */
	msgpack_zone *zone[SCHEMA_NKINDS];
	struct csvio_report rep;
	int *codes;                    /* the protocol code of problem i, 0: none */
	size_t ncodes;
	size_t store_errors;
	MDB_txn *txn;                  /* the unit */
	struct proto_err fatal;        /* a storage failure: the call fails */
};

/* The cell a location names, as the file wrote it ("" when none). */
static const char *cell_at(const struct rec_set *s, const struct rec_loc *l)
{
	const struct csvio_table *t = NULL;
	size_t lo, hi;

	if (!l->column || !l->row)
		return "";
	for (int p = 0; p < 4 && !t; p++) {
		const char *name = p ? s->pname[p - 1] : s->name;
		if (s->have[p] && name && !strcmp(name, l->file))
			t = &s->tab[p];
	}
	if (!t || t->nrows == 0)
		return "";
	for (lo = 1, hi = t->nrows; lo < hi;) {    /* rows ascend by .row */
		size_t mid = lo + (hi - lo) / 2;
		if (t->rows[mid].row < l->row)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= t->nrows || t->rows[lo].row != l->row)
		return "";
	for (size_t col = 0; col < t->rows[0].n; col++)
		if (!strcmp(csvio_cell(t, 0, col), l->column))
			return csvio_cell(t, lo, col);
	return "";
}

/* The value at a record path ("school_id", "prefs[1]", "cohorts.2026"),
 * as text in buf: lists joined by ";", as the file writes them. */
static const char *value_at(const msgpack_object *rec, const char *path,
    char *buf, size_t cap)
{
	const msgpack_object *o = rec;
	size_t len = 0;

	buf[0] = 0;
	while (o && *path) {
		if (*path == '[') {
			char *end;
			unsigned long i = strtoul(path + 1, &end, 10);
			if (*end != ']' || o->type != MSGPACK_OBJECT_ARRAY ||
			    i >= o->via.array.size)
				return buf;
			o = &o->via.array.ptr[i];
			path = end + 1;
		} else {
			char key[SCHEMA_PATH_MAX];
			size_t n = strcspn(path, ".[");
			if (n >= sizeof key || o->type != MSGPACK_OBJECT_MAP)
				return buf;
			memcpy(key, path, n);
			key[n] = 0;
			o = schema_get(o, key);
			path += n;
		}
		if (*path == '.')
			path++;
	}
	if (!o)
		return buf;
	for (uint32_t i = 0, n = o->type == MSGPACK_OBJECT_ARRAY ?
	    o->via.array.size : 1; i < n && len + 1 < cap; i++) {
		const msgpack_object *v = o->type == MSGPACK_OBJECT_ARRAY ?
		    &o->via.array.ptr[i] : o;
		int w = 0;
		if (v->type == MSGPACK_OBJECT_STR)
			w = snprintf(buf + len, cap - len, "%s%.*s", i ? ";" : "",
			    (int)v->via.str.size, v->via.str.ptr);
		else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
			w = snprintf(buf + len, cap - len, "%s%llu", i ? ";" : "",
			    (unsigned long long)v->via.u64);
		else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
			w = snprintf(buf + len, cap - len, "%s%lld", i ? ";" : "",
			    (long long)v->via.i64);
		else if (v->type == MSGPACK_OBJECT_FLOAT64) {
			char d[32];
			csvio_double(d, sizeof d, v->via.f64);
			w = snprintf(buf + len, cap - len, "%s%s", i ? ";" : "", d);
		}
		if (w < 0 || (size_t)w >= cap - len)
			break;
		len += (size_t)w;
	}
	return buf;
}

/* A problem the store found with item i of set si (path relative to it). */
static void store_problem(struct run *r, int si, size_t i, const char *path,
    int code, const char *msg)
{
	const struct rec_set *s = &r->sets[si];
	struct rec_loc l;
	size_t had = r->rep.n;

	const char *v;
	char buf[512];

	rec_locate(s, i, path ? path : "", &l);
	v = cell_at(s, &l);    /* a fair's part files are kept, its main not */
	if (!*v && l.column && path)
		v = value_at(&r->recs[si][i], path, buf, sizeof buf);
	csvio_problem(&r->rep, 0, l.file, l.row, l.column, v, "%s", msg);
	r->store_errors++;
	if (r->rep.n > had) {
		r->codes = xrealloc(r->codes, r->rep.n * sizeof *r->codes);
		while (r->ncodes < r->rep.n)
			r->codes[r->ncodes++] = 0;
		r->codes[r->rep.n - 1] = code;
	}
}

/* A storage failure ends the call with its error; else a row's problem. */
static int put_failed(struct run *r, int si, size_t i, const struct proto_err *e)
{
	if (e->code == PROTO_INTERNAL || e->code == PROTO_STORE_FULL) {
		r->fatal = *e;
		return -1;
	}
	store_problem(r, si, i, e->field, e->code, e->message);
	return 0;
}

static int same_str(const msgpack_object *a, const msgpack_object *b)
{
	return a && b && a->type == MSGPACK_OBJECT_STR &&
	    b->type == MSGPACK_OBJECT_STR && a->via.str.size == b->via.str.size &&
	    !memcmp(a->via.str.ptr, b->via.str.ptr, a->via.str.size);
}

/* Sort, check and write the records of set si into the unit. */
static int apply_set(struct run *r, int si)
{
	struct rec_set *s = &r->sets[si];
	enum schema_kind k = s->kind;
	const char *of = owner_field(k);
	msgpack_object *recs, *todo;
	size_t *at, ntodo = 0;
	msgpack_sbuffer sb;
	msgpack_zone *oz = msgpack_zone_new(4096);
	struct proto_err e;
	int ret = 0;

	r->zone[si] = msgpack_zone_new(MSGPACK_ZONE_CHUNK_SIZE);
	recs = r->recs[si] = xcalloc(s->n ? s->n : 1, sizeof *recs);
	todo = xcalloc(s->n ? s->n : 1, sizeof *todo);
	at = xcalloc(s->n ? s->n : 1, sizeof *at);
	msgpack_sbuffer_init(&sb);
	for (size_t i = 0; i < s->n; i++) {
		const msgpack_object *id;
		msgpack_packer pk;
		MDB_val key, val;
		msgpack_object old;
		int rc;

		rec_unpack(s, i, r->zone[si], &recs[i]);
		id = schema_get(&recs[i], "id");
		key.mv_size = id->via.str.size;
		key.mv_data = (void *)id->via.str.ptr;
		rc = mdb_get(r->txn, store_dbi(daemon_g.store, k), &key, &val);
		if (rc == MDB_NOTFOUND) {
			r->n[si].new++;
			at[ntodo] = i;
			todo[ntodo++] = recs[i];
			continue;
		}
		if (rc) {
			store_fail(&r->fatal, rc);
			ret = -1;
			break;
		}
		msgpack_sbuffer_clear(&sb);
		msgpack_sbuffer_write(&sb, (const char[]){ STORE_VERSION }, 1);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		schema_pack(&pk, &recs[i]);
		msgpack_zone_clear(oz);
		if (store_decode(&val, oz, &old) < 0) {
			proto_fail(&r->fatal, PROTO_INTERNAL, NULL,
			    "stored %s %.*s does not decode", schema_kind_name[k],
			    (int)key.mv_size, (const char *)key.mv_data);
			ret = -1;
			break;
		}
		if (val.mv_size == sb.size && !memcmp(val.mv_data, sb.data, sb.size)) {
			/* nothing to write, but the token must own it */
			if (!methods_may_write(r->c->sess, daemon_g.store, r->txn, k,
			    &old)) {
				char m[160];
				snprintf(m, sizeof m, "this token may not write %s %.*s",
				    schema_kind_name[k], (int)key.mv_size,
				    (const char *)key.mv_data);
				store_problem(r, si, i, "", PROTO_FORBIDDEN, m);
			}
			r->n[si].unchanged++;
			continue;
		}
		if (of && !r->ip->allow_move &&
		    !same_str(schema_get(&old, of), schema_get(&recs[i], of))) {
			const msgpack_object *was = schema_get(&old, of),
			    *to = schema_get(&recs[i], of);
			char m[512];
			snprintf(m, sizeof m, "%s %.*s belongs to %.*s: this row would "
			    "move it to %.*s; moving is refused unless allow_move "
			    "(chanjiao import --allow-move)", schema_kind_name[k],
			    (int)key.mv_size, (const char *)key.mv_data,
			    was && was->type == MSGPACK_OBJECT_STR ? (int)was->via.str.size : 1,
			    was && was->type == MSGPACK_OBJECT_STR ? was->via.str.ptr : "?",
			    (int)to->via.str.size, to->via.str.ptr);
			store_problem(r, si, i, of, PROTO_CONFLICT, m);
		}
		r->n[si].updated++;
		at[ntodo] = i;
		todo[ntodo++] = recs[i];
	}
	if (ret == 0 && ntodo && store_put(daemon_g.store, k, todo,
	    (uint32_t)ntodo, 1, methods_may_write, r->c->sess, &e) < 0) {
		if (e.code == PROTO_INTERNAL || e.code == PROTO_STORE_FULL) {
			r->fatal = e;
			ret = -1;
		}
		/* Nothing of the batch is written: now one by one, for every
		 * refused row (a refused one leaves the unit as it was). */
		for (size_t j = 0; ret == 0 && j < ntodo; j++)
			if (store_put(daemon_g.store, k, &todo[j], 1, 0,
			    methods_may_write, r->c->sess, &e) < 0)
				ret = put_failed(r, si, at[j], &e);
	}
	msgpack_sbuffer_destroy(&sb);
	msgpack_zone_free(oz);
	free(todo);
	free(at);
	return ret;
}

static int cmp_idobj(const void *a, const void *b)
{
	const msgpack_object *x = schema_get(a, "id"), *y = schema_get(b, "id");
	size_t n = x->via.str.size < y->via.str.size ? x->via.str.size :
	    y->via.str.size;
	int c = memcmp(x->via.str.ptr, y->via.str.ptr, n);
	return c ? c : (x->via.str.size > y->via.str.size) -
	    (x->via.str.size < y->via.str.size);
}

/* Whether set si's file has id (its records are sorted by id). */
static int file_has(struct run *r, int si, const char *id, size_t len)
{
	msgpack_object key = { .type = MSGPACK_OBJECT_MAP }, idv;
	msgpack_object_kv kv;

	idv.type = MSGPACK_OBJECT_STR;
	idv.via.str.ptr = id;
	idv.via.str.size = (uint32_t)len;
	kv.key.type = MSGPACK_OBJECT_STR;
	kv.key.via.str.ptr = "id";
	kv.key.via.str.size = 2;
	kv.val = idv;
	key.via.map.size = 1;
	key.via.map.ptr = &kv;
	return bsearch(&key, r->recs[si], r->sets[si].n, sizeof(msgpack_object),
	    cmp_idobj) != NULL;
}

struct idlist {
	char **v;
	size_t n, cap;
};

static void idlist_add(struct idlist *l, const char *id, size_t len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = xstrndup(id, len);
}

/* sync: delete what set si's file no longer has, within its scope. */
static int sync_set(struct run *r, int si)
{
	struct rec_set *s = &r->sets[si];
	enum schema_kind k = s->kind;
	const char *of = owner_field(k);
	struct idlist del = { NULL, 0, 0 };
	msgpack_zone *z = msgpack_zone_new(4096);
	struct proto_err e;
	int ret = 0;

	if (of) {
		/* the owners the file names, each once */
		msgpack_object *owners = xcalloc(s->n ? s->n : 1, sizeof *owners);
		size_t no = 0;
		for (size_t i = 0; i < s->n; i++) {
			const msgpack_object *o = schema_get(&r->recs[si][i], of);
			size_t j;
			for (j = 0; j < no && !same_str(&owners[j], o); j++)
				;
			if (j == no)
				owners[no++] = *o;
		}
		for (size_t j = 0; j < no; j++) {
			size_t n;
			char **ids = store_children(daemon_g.store, r->txn, k,
			    &owners[j], &n);
			for (size_t i = 0; i < n; i++)
				if (!file_has(r, si, ids[i], strlen(ids[i])))
					idlist_add(&del, ids[i], strlen(ids[i]));
			store_ids_free(ids, n);
		}
		free(owners);
	} else {
		MDB_cursor *cur;
		MDB_val key, val;
		int rc = mdb_cursor_open(r->txn, store_dbi(daemon_g.store, k), &cur);
		for (rc = rc ? rc : mdb_cursor_get(cur, &key, &val, MDB_FIRST); !rc;
		    rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
			msgpack_object o;
			msgpack_zone_clear(z);
			if (file_has(r, si, key.mv_data, key.mv_size) ||
			    store_decode(&val, z, &o) < 0 ||
			    !methods_may_write(r->c->sess, daemon_g.store, r->txn, k, &o))
				continue;
			idlist_add(&del, key.mv_data, key.mv_size);
		}
		if (rc != MDB_NOTFOUND) {
			store_fail(&r->fatal, rc);
			ret = -1;
		}
		if (cur)
			mdb_cursor_close(cur);
	}
	for (size_t i = 0; ret == 0 && i < del.n; i++) {
		if (store_del(daemon_g.store, k, del.v[i], strlen(del.v[i]),
		    methods_may_write, r->c->sess, &e) == 0) {
			r->n[si].deleted++;
			continue;
		}
		if (e.code == PROTO_INTERNAL || e.code == PROTO_STORE_FULL) {
			r->fatal = e;
			ret = -1;
			break;
		}
		size_t had = r->rep.n;
		csvio_problem(&r->rep, 0, s->name, 0, "id", del.v[i],
		    "sync would delete %s %s, which the file no longer has: %s",
		    schema_kind_name[k], del.v[i], e.message);
		r->store_errors++;
		if (r->rep.n > had) {
			r->codes = xrealloc(r->codes, r->rep.n * sizeof *r->codes);
			while (r->ncodes < r->rep.n)
				r->codes[r->ncodes++] = 0;
			r->codes[r->rep.n - 1] = e.code;
		}
	}
	for (size_t i = 0; i < del.n; i++)
		free(del.v[i]);
	free(del.v);
	msgpack_zone_free(z);
	return ret;
}

static void pack_counts(msgpack_packer *pk, const struct counts *n)
{
	proto_pack_cstr(pk, "new");
	msgpack_pack_uint64(pk, n->new);
	proto_pack_cstr(pk, "updated");
	msgpack_pack_uint64(pk, n->updated);
	proto_pack_cstr(pk, "unchanged");
	msgpack_pack_uint64(pk, n->unchanged);
	proto_pack_cstr(pk, "deleted");
	msgpack_pack_uint64(pk, n->deleted);
}

static void pack_result(struct run *r)
{
	msgpack_packer *pk = r->c->pk;
	struct counts t = { 0, 0, 0, 0 };

	for (int i = 0; i < r->ip->nf; i++) {
		t.new += r->n[i].new;
		t.updated += r->n[i].updated;
		t.unchanged += r->n[i].unchanged;
		t.deleted += r->n[i].deleted;
	}
	msgpack_pack_map(pk, 11);
	pack_counts(pk, &t);
	proto_pack_cstr(pk, "errors");
	msgpack_pack_array(pk, (uint32_t)r->rep.n);
	for (size_t i = 0; i < r->rep.n; i++) {
		const struct csvio_problem *p = &r->rep.v[i];
		int code = i < r->ncodes ? r->codes[i] : 0;
		msgpack_pack_map(pk, 5 + (p->warning != 0) + (code != 0));
		proto_pack_cstr(pk, "file");
		proto_pack_cstr(pk, p->file);
		proto_pack_cstr(pk, "row");
		msgpack_pack_uint64(pk, p->row);
		proto_pack_cstr(pk, "column");
		proto_pack_cstr(pk, p->column);
		proto_pack_cstr(pk, "value");
		proto_pack_cstr(pk, p->value);
		proto_pack_cstr(pk, "message");
		proto_pack_cstr(pk, p->message);
		if (p->warning) {
			proto_pack_cstr(pk, "warning");
			msgpack_pack_true(pk);
		}
		if (code) {
			proto_pack_cstr(pk, "code");
			msgpack_pack_int64(pk, code);
		}
	}
	proto_pack_cstr(pk, "dry_run");
	if (r->ip->dry_run)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
	proto_pack_cstr(pk, "errors_total");
	msgpack_pack_uint64(pk, r->rep.errors);
	proto_pack_cstr(pk, "warnings_total");
	msgpack_pack_uint64(pk, r->rep.warnings);
	proto_pack_cstr(pk, "strict_errors");
	msgpack_pack_uint64(pk, r->rep.strict_errors);
	proto_pack_cstr(pk, "tallies");
	msgpack_pack_array(pk, (uint32_t)r->rep.nfiles);
	for (size_t i = 0; i < r->rep.nfiles; i++) {
		msgpack_pack_map(pk, 3);
		proto_pack_cstr(pk, "file");
		proto_pack_cstr(pk, r->rep.files[i].file);
		proto_pack_cstr(pk, "errors");
		msgpack_pack_uint64(pk, r->rep.files[i].errors);
		proto_pack_cstr(pk, "warnings");
		msgpack_pack_uint64(pk, r->rep.files[i].warnings);
	}
	proto_pack_cstr(pk, "files");
	msgpack_pack_array(pk, (uint32_t)r->ip->nf);
	for (int i = 0; i < r->ip->nf; i++) {
		const struct rec_set *s = &r->sets[i];
		msgpack_pack_map(pk, 8);
		proto_pack_cstr(pk, "kind");
		proto_pack_cstr(pk, schema_kind_name[r->ip->f[i].kind]);
		proto_pack_cstr(pk, "file");
		proto_pack_cstr(pk, rec_file_name[r->ip->f[i].kind]);
		proto_pack_cstr(pk, "records");
		msgpack_pack_uint64(pk, r->built[i] ? s->n : 0);
		pack_counts(pk, &r->n[i]);
		proto_pack_cstr(pk, "read_as");
		if (r->built[i] && (s->enc != CSVIO_UTF8 || s->sep != ',')) {
			char how[64];
			snprintf(how, sizeof how, "%s%s", csvio_enc_name[s->enc],
			    s->sep == '\t' ? ", tab-separated" : "");
			proto_pack_cstr(pk, how);
		} else {
			msgpack_pack_nil(pk);
		}
	}
}

int imports_csv(struct call *c)
{
	struct iparams ip;
	struct run r;
	size_t total = 0;
	int ret = -1, open = 0;

	if (read_params(c, &ip) < 0)
		return -1;
	if (c->phase == CALL_CHECK)
		return 0;
	memset(&r, 0, sizeof r);
	r.c = c;
	r.ip = &ip;
	csvio_report_init(&r.rep, ip.strict);
	for (int i = 0; i < ip.nf; i++) {
		rec_build(&r.sets[i], ip.f[i].kind, ip.f[i].in, ip.enc, &r.rep);
		r.built[i] = 1;
		total += r.sets[i].n;
	}
	if (!csvio_report_failed(&r.rep) && total > daemon_g.cfg.max_batch) {
		stats_limit_hit(LIMIT_BATCH);
		proto_fail(&c->err, PROTO_TOO_LARGE, ip.multi ? "files" : "data",
		    "%zu records is over max_batch (%llu): an import is one "
		    "write; split the file or raise max_batch", total,
		    daemon_g.cfg.max_batch);
		goto out;
	}
	if (!csvio_report_failed(&r.rep)) {
		int rc = store_unit_begin(daemon_g.store, &r.txn);
		if (rc) {
			store_fail(&c->err, rc);
			goto out;
		}
		open = 1;
		for (int i = 0; i < ip.nf; i++)
			if (apply_set(&r, i) < 0)
				goto fatal;
		for (int i = ip.nf - 1; ip.sync && i >= 0; i--)   /* children first */
			if (sync_set(&r, i) < 0)
				goto fatal;
		open = 0;
		if ((rc = store_unit_end(daemon_g.store, !ip.dry_run &&
		    !r.store_errors && !csvio_report_failed(&r.rep)))) {
			store_fail(&c->err, rc);
			goto out;
		}
	}
	pack_result(&r);
	ret = 0;
	goto out;
fatal:
	c->err = r.fatal;
out:
	if (open)
		store_unit_end(daemon_g.store, 0);
	for (int i = 0; i < ip.nf; i++) {
		if (r.built[i])
			rec_free(&r.sets[i]);
		free(r.recs[i]);
		if (r.zone[i])
			msgpack_zone_free(r.zone[i]);
	}
	free(r.codes);
	csvio_report_free(&r.rep);
	return ret;
}
