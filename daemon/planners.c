/*
 * planners — fair.allocate and fair.schedule (and stats.balance's
 * direction rows, fair.allocate's), orderclass.plan and
 * apprenticeship.match: read what a plan covers out of the store, hand
 * it to matcher's solvers, pack the answers.  The fair planners run on
 * worker threads (jobs.c), the school planners on planner threads, each
 * in its own read snapshot; the school planners poll c->cancel.
 *
 * A fair's specialties and postings are found through the reference
 * indexes (a school's specialties, an enterprise's postings), never by
 * scanning the store, and scored from their match summaries: the views
 * below point into the read transaction and live as long as it does.
 */
#include "daemon.h"

#include <lmdb.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "da.h"
#include "fair.h"
#include "orderclass.h"
#include "query.h"
#include "strtab.h"
#include "xalloc.h"

/* Every spec's and post's prefixes (views) and tag ids, end to end. */
struct pool {
	struct match_str *v;
	size_t n, cap;
	match_tag *t;
	size_t tn, tcap;
};

/* Append n items of size sz to the array *v (*len used, *cap room). */
static size_t append(void **v, size_t *len, size_t *cap, const void *x,
    size_t n, size_t sz)
{
	size_t at = *len;
	if (n == 0)
		return at;
	if (*cap - *len < n) {
		*cap = (*cap + n) * 2;
		*v = xrealloc(*v, *cap * sz);
	}
	memcpy((char *)*v + *len * sz, x, n * sz);
	*len += n;
	return at;
}

static size_t pool_add(struct pool *p, const struct match_str *v, size_t n)
{
	void *a = p->v;
	size_t at = append(&a, &p->n, &p->cap, v, n, sizeof *v);
	p->v = a;
	return at;
}

static size_t pool_tags(struct pool *p, const match_tag *v, size_t n)
{
	void *a = p->t;
	size_t at = append(&a, &p->tn, &p->tcap, v, n, sizeof *v);
	p->t = a;
	return at;
}

struct item {                       /* a spec or post, before pointers fix */
	struct match_str id, parent;    /* posting: its enterprise */
	size_t prefixes, tags;          /* offsets in the pool */
	union {
		struct match_spec s;
		struct match_post p;
	} u;
};

struct fairdata {
	msgpack_zone *z;
	msgpack_object fair;
	int grad_year;
	struct match_dir *dirs;
	struct match_str *dprefix;
	size_t ndirs;
	struct item *specs, *posts;
	size_t nspecs, nposts, capspecs, capposts;
	struct pool pool;
	struct match_weights w;
	struct match_spec *sv;
	struct match_post *pv;
	struct fair_in in;
};



static struct item *push(struct item **v, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	return &(*v)[(*n)++];
}

/* The summary of a specialty or posting, found from its record. */
static int summary(MDB_cursor *cur, const msgpack_object *rec,
    const char *keyfield, MDB_val *k, MDB_val *v, char *buf, size_t cap)
{
	const msgpack_object *key = schema_opt(rec, keyfield), *id = schema_opt(rec, "id");
	struct match_str a = { "*", 1 };
	if (key && key->type == MSGPACK_OBJECT_ARRAY)
		key = key->via.array.size ? &key->via.array.ptr[0] : NULL;
	if (key)
		a = queries_str(key);
	if (!id || a.n + 1 + id->via.str.size > cap)
		return -1;
	memcpy(buf, a.p, a.n);
	buf[a.n] = 0;
	memcpy(buf + a.n + 1, id->via.str.ptr, id->via.str.size);
	k->mv_data = buf;
	k->mv_size = a.n + 1 + id->via.str.size;
	/* a cursor returns the key in the map, so views into it outlive buf */
	return mdb_cursor_get(cur, k, v, MDB_SET_KEY) ? -1 : 0;
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	size_t n = x->id.n < y->id.n ? x->id.n : y->id.n;
	int c = memcmp(x->id.p, y->id.p, n);
	return c ? c : (x->id.n > y->id.n) - (x->id.n < y->id.n);
}

/* The specialties (kind SCHEMA_SPECIALTY) or postings of the kinds in
 * kinds_mask of the n schools or enterprises ids (msgpack strings). */
static int load_children(struct call *c, MDB_txn *txn, struct fairdata *fd,
    enum schema_kind kind, const msgpack_object *ids_in, size_t nids,
    int kinds_mask)
{
	struct store *st = daemon_g.store;
	const struct index_dbs *ix = store_index(st);
	char kb[2 * SCHEMA_ID_MAX + 16];
	int spec = kind == SCHEMA_SPECIALTY, ret = 0;
	MDB_cursor *cur;

	if (mdb_cursor_open(txn, spec ? ix->spec_major : ix->post_prefix, &cur))
		return proto_fail(&c->err, PROTO_INTERNAL, NULL, "cannot read the indexes");

	for (size_t i = 0; i < nids; i++) {
		size_t n;
		char **ids = store_children(st, txn, kind, &ids_in[i], &n);
		for (size_t j = 0; j < n; j++) {
			msgpack_object rec;
			MDB_val k, v;
			if (store_read(st, txn, kind, ids[j], strlen(ids[j]), fd->z, &rec) < 0 ||
			    (spec ? index_spec_find(txn, ix,
			    queries_str(schema_get(&rec, "major_code")),
			    queries_str(schema_get(&rec, "id")), &k, &v) :
			    summary(cur, &rec, "majors", &k, &v, kb, sizeof kb)) != 0) {
				ret = proto_fail(&c->err, PROTO_INTERNAL, NULL,
				    "%s %s has no match index entry (run admin.verify)",
				    schema_kind_name[kind], ids[j]);
				store_ids_free(ids, n);
				goto out;
			}
			if (spec) {
				struct index_spec s;
				if (index_spec_decode(&k, &v, &s) < 0)
					continue;
				struct item *it = push(&fd->specs, &fd->nspecs, &fd->capspecs);
				it->id = s.id;
				it->parent = s.school_id;
				it->tags = pool_tags(&fd->pool, s.skills, s.nskills);
				pool_tags(&fd->pool, s.chains, s.nchains);
				index_spec_view(&s, fd->grad_year, &it->u.s);
			} else {
				struct index_post *p = xmalloc(sizeof *p);
				if (index_post_decode(&k, &v, p) < 0 ||
				    !(kinds_mask >> p->kind & 1)) {
					free(p);
					continue;
				}
				struct item *it = push(&fd->posts, &fd->nposts, &fd->capposts);
				it->id = p->id;
				it->parent = p->enterprise_id;
				it->prefixes = pool_add(&fd->pool, p->prefixes, p->nprefixes);
				it->tags = pool_tags(&fd->pool, p->skills, p->nskills);
				pool_tags(&fd->pool, p->chains, p->nchains);
				index_post_view(p, &it->u.p);
				free(p);
			}
		}
		store_ids_free(ids, n);
	}
out:
	mdb_cursor_close(cur);
	return ret;
}

static void fairdata_views(struct fairdata *fd);

static void fairdata_free(struct fairdata *fd)
{
	free(fd->dirs);
	free(fd->dprefix);
	free(fd->specs);
	free(fd->posts);
	free(fd->pool.v);
	free(fd->pool.t);
	free(fd->sv);
	free(fd->pv);
	if (fd->z)
		msgpack_zone_free(fd->z);
}

/*
 * Read fair fid and everything it names.  grad_year < 0: the fair date's.
 * kinds_mask: bit i = schema_posting_kind[i] postings count.
 */
static int fairdata_load(struct call *c, MDB_txn *txn, const msgpack_object *fid,
    int grad_year, int kinds_mask, double min_score, struct fairdata *fd)
{
	const msgpack_object *dv, *date;
	int month = 0;
	size_t np = 0;

	memset(fd, 0, sizeof *fd);
	fd->z = msgpack_zone_new(8192);
	if (store_read(daemon_g.store, txn, SCHEMA_FAIR, fid->via.str.ptr,
	    fid->via.str.size, fd->z, &fd->fair) < 0)
		return proto_fail(&c->err, PROTO_NOT_FOUND, "fair_id", "fair %.*s not found",
		    (int)fid->via.str.size, fid->via.str.ptr);
	date = schema_opt(&fd->fair, "date");
	fd->grad_year = grad_year;
	if (grad_year < 0) {
		int year = schema_year(date, &month);   /* sets month first */
		fd->grad_year = match_grad_year(year, month);
	}
	dv = schema_opt(&fd->fair, "directions");
	fd->ndirs = dv ? dv->via.array.size : 0;
	for (size_t i = 0; i < fd->ndirs; i++) {
		const msgpack_object *m = schema_opt(&dv->via.array.ptr[i], "majors");
		np += m ? m->via.array.size : 0;
	}
	fd->dirs = xcalloc(fd->ndirs + 1, sizeof *fd->dirs);
	fd->dprefix = xmalloc((np + 1) * sizeof *fd->dprefix);
	np = 0;
	for (size_t i = 0; i < fd->ndirs; i++) {
		const msgpack_object *d = &dv->via.array.ptr[i];
		const msgpack_object *m = schema_opt(d, "majors");
		fd->dirs[i].id = queries_str(schema_opt(d, "id"));
		fd->dirs[i].prefixes = fd->dprefix + np;
		fd->dirs[i].nprefixes = m ? m->via.array.size : 0;
		for (size_t j = 0; j < fd->dirs[i].nprefixes; j++)
			fd->dprefix[np++] = queries_str(&m->via.array.ptr[j]);
	}
	const msgpack_object *sch = schema_opt(&fd->fair, "school_ids");
	const msgpack_object *ent = schema_opt(&fd->fair, "enterprise_ids");
	if (load_children(c, txn, fd, SCHEMA_SPECIALTY, sch ? sch->via.array.ptr : NULL,
	    sch ? sch->via.array.size : 0, 0) < 0 ||
	    load_children(c, txn, fd, SCHEMA_POSTING, ent ? ent->via.array.ptr : NULL,
	    ent ? ent->via.array.size : 0, kinds_mask) < 0)
		return -1;
	fairdata_views(fd);
	fd->in.min_score = min_score;
	return 0;
}

/* Sort the loaded items by id and point their views into the pool. */
static void fairdata_views(struct fairdata *fd)
{
	if (fd->nspecs)                    /* (NULL when none: no qsort) */
		qsort(fd->specs, fd->nspecs, sizeof *fd->specs, cmp_item);
	if (fd->nposts)
		qsort(fd->posts, fd->nposts, sizeof *fd->posts, cmp_item);
	/* the pool is complete: point the views into it */
	fd->sv = xmalloc((fd->nspecs + 1) * sizeof *fd->sv);
	fd->pv = xmalloc((fd->nposts + 1) * sizeof *fd->pv);
	for (size_t i = 0; i < fd->nspecs; i++) {
		struct match_spec *s = &fd->sv[i];
		*s = fd->specs[i].u.s;
		s->skills = fd->pool.t + fd->specs[i].tags;
		s->chains = s->skills + s->nskills;
	}
	for (size_t i = 0; i < fd->nposts; i++) {
		struct match_post *p = &fd->pv[i];
		*p = fd->posts[i].u.p;
		p->prefixes = fd->pool.v + fd->posts[i].prefixes;
		p->skills = fd->pool.t + fd->posts[i].tags;
		p->chains = p->skills + p->nskills;
	}
	fd->w = daemon_g.cfg.weights;
	fd->in.w = &fd->w;
	fd->in.dirs = fd->dirs;
	fd->in.ndirs = fd->ndirs;
	fd->in.specs = fd->sv;
	fd->in.nspecs = fd->nspecs;
	fd->in.posts = fd->pv;
	fd->in.nposts = fd->nposts;
}

/* Keep the specialties (by school region) and postings (by effective
 * region) whose region starts with prefix. */
static void fairdata_region(struct fairdata *fd, struct match_str prefix)
{
	size_t n = 0;

	for (size_t i = 0; i < fd->nspecs; i++)
		if (fd->sv[i].region.n >= prefix.n &&
		    !memcmp(fd->sv[i].region.p, prefix.p, prefix.n)) {
			fd->specs[n] = fd->specs[i];
			fd->sv[n++] = fd->sv[i];
		}
	fd->nspecs = fd->in.nspecs = n;
	n = 0;
	for (size_t i = 0; i < fd->nposts; i++)
		if (fd->pv[i].region.n >= prefix.n &&
		    !memcmp(fd->pv[i].region.p, prefix.p, prefix.n)) {
			fd->posts[n] = fd->posts[i];
			fd->pv[n++] = fd->pv[i];
		}
	fd->nposts = fd->in.nposts = n;
}

static void pack_str(msgpack_packer *pk, struct match_str s)
{
	proto_pack_str(pk, s.p, s.n);
}

static void pack_ratio(msgpack_packer *pk, double num, unsigned long long den)
{
	if (den)
		msgpack_pack_double(pk, num / (double)den);
	else
		msgpack_pack_nil(pk);
}

/* The parameters the planners share; absent ones keep what the caller set. */
struct plan_params {
	int grad_year;
	double min_score;
	int kinds;                         /* bit i: schema_posting_kind[i] */
	int explain;
};

static int plan_params(struct call *c, struct plan_params *pp)
{
	const msgpack_object *v;
	long long y;

	if ((v = schema_opt(c->params, "grad_year"))) {
		if (schema_check_int(v, 1000, 9999, "grad_year", &c->err, &y) < 0)
			return -1;
		pp->grad_year = (int)y;
	}
	if ((v = schema_opt(c->params, "min_score"))) {
		if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= 1)
			pp->min_score = (double)v->via.u64;
		else if ((v->type == MSGPACK_OBJECT_FLOAT32 ||
		    v->type == MSGPACK_OBJECT_FLOAT64) && v->via.f64 >= 0 &&
		    v->via.f64 <= 1)
			pp->min_score = v->via.f64;
		else
			return proto_fail(&c->err, PROTO_INVALID_PARAMS, "min_score",
			    "min_score must be a number in 0..1");
	}
	if ((v = schema_opt(c->params, "kinds"))) {
		char p[SCHEMA_PATH_MAX];
		if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size == 0)
			return proto_fail(&c->err, PROTO_INVALID_PARAMS, "kinds",
			    "kinds must be a non-empty array of posting kinds");
		pp->kinds = 0;
		for (uint32_t i = 0; i < v->via.array.size; i++) {
			int k;
			schema_path_index(p, "kinds", i);
			if ((k = schema_check_posting_kind(&v->via.array.ptr[i], p,
			    &c->err)) < 0)
				return -1;
			pp->kinds |= 1 << k;
		}
	}
	if ((v = schema_opt(c->params, "explain"))) {
		if (v->type != MSGPACK_OBJECT_BOOLEAN)
			return proto_fail(&c->err, PROTO_INVALID_PARAMS, "explain",
			    "explain must be true or false");
		pp->explain = v->via.boolean;
	}
	return 0;
}

/* {posting_id, direction_id, count, score}; without count when < 0. */
static void pack_arc(msgpack_packer *pk, const struct fairdata *fd,
    const struct fair_arc *a, long long count)
{
	msgpack_pack_map(pk, count < 0 ? 3 : 4);
	proto_pack_cstr(pk, "posting_id");
	pack_str(pk, fd->posts[a->post].id);
	proto_pack_cstr(pk, "direction_id");
	pack_str(pk, fd->dirs[a->dir].id);
	if (count >= 0) {
		proto_pack_cstr(pk, "count");
		msgpack_pack_int64(pk, count);
	}
	proto_pack_cstr(pk, "score");
	msgpack_pack_double(pk, a->score);
}

/* fair.allocate {fair_id, grad_year?, min_score?, kinds?, explain?} */
int planners_allocate(struct call *c)
{
	static const char *const known[] = { "fair_id", "grad_year", "min_score",
		"kinds", "explain", NULL };
	const msgpack_object *fid;
	struct fairdata fd;
	struct fair_plan plan = { 0 };
	struct plan_params pp = { -1, 0, 0xf, 0 };
	MDB_txn *txn = NULL;
	int ret = -1;

	if (methods_only_keys(c, known) < 0 || !(fid = methods_param_id(c, "fair_id")))
		return -1;
	if (plan_params(c, &pp) < 0)
		return -1;
	if (store_snapshot(daemon_g.store, &txn))
		return proto_fail(&c->err, PROTO_INTERNAL, NULL, "cannot read the store");
	if (fairdata_load(c, txn, fid, pp.grad_year, pp.kinds, pp.min_score, &fd) < 0)
		goto out;
	if (fair_allocate(&fd.in, &plan) < 0) {
		proto_fail(&c->err, PROTO_INTERNAL, NULL, "the flow solver failed");
		goto out;
	}

	long long *given = xcalloc(fd.nposts + 1, sizeof *given);
	unsigned long long *alloc = xcalloc(fd.ndirs + 1, sizeof *alloc);
	size_t nalloc = 0, nunfilled = 0;
	for (size_t a = 0; a < plan.narcs; a++) {
		given[plan.arcs[a].post] += plan.flow[a];
		alloc[plan.arcs[a].dir] += (unsigned long long)plan.flow[a];
		nalloc += plan.flow[a] > 0;
	}
	for (size_t p = 0; p < fd.nposts; p++)
		nunfilled += fd.pv[p].headcount > given[p];

	msgpack_pack_map(c->pk, pp.explain ? 7 : 6);
	proto_pack_cstr(c->pk, "allocations");
	msgpack_pack_array(c->pk, (uint32_t)nalloc);
	for (size_t a = 0; a < plan.narcs; a++) {
		if (plan.flow[a] <= 0)
			continue;
		pack_arc(c->pk, &fd, &plan.arcs[a], plan.flow[a]);
	}
	proto_pack_cstr(c->pk, "directions");
	msgpack_pack_array(c->pk, (uint32_t)fd.ndirs);
	for (size_t d = 0; d < fd.ndirs; d++) {
		msgpack_pack_map(c->pk, 6);
		proto_pack_cstr(c->pk, "direction_id");
		pack_str(c->pk, fd.dirs[d].id);
		proto_pack_cstr(c->pk, "supply");
		msgpack_pack_uint64(c->pk, plan.supply[d]);
		proto_pack_cstr(c->pk, "demand");
		msgpack_pack_uint64(c->pk, plan.demand[d]);
		proto_pack_cstr(c->pk, "reachable");
		msgpack_pack_uint64(c->pk, plan.reachable[d]);
		proto_pack_cstr(c->pk, "allocated");
		msgpack_pack_uint64(c->pk, alloc[d]);
		proto_pack_cstr(c->pk, "positions_per_graduate");
		pack_ratio(c->pk, (double)plan.demand[d], plan.supply[d]);
	}
	proto_pack_cstr(c->pk, "unfilled");
	msgpack_pack_array(c->pk, (uint32_t)nunfilled);
	for (size_t p = 0; p < fd.nposts; p++) {
		if (fd.pv[p].headcount <= given[p])
			continue;
		msgpack_pack_map(c->pk, 2);
		proto_pack_cstr(c->pk, "posting_id");
		pack_str(c->pk, fd.posts[p].id);
		proto_pack_cstr(c->pk, "open");
		msgpack_pack_int64(c->pk, fd.pv[p].headcount - given[p]);
	}
	proto_pack_cstr(c->pk, "objective");
	msgpack_pack_double(c->pk, plan.objective);
	proto_pack_cstr(c->pk, "placed");
	msgpack_pack_int64(c->pk, plan.placed);
	proto_pack_cstr(c->pk, "solve_ms");
	msgpack_pack_double(c->pk, plan.solve_ms);
	if (pp.explain) {
		proto_pack_cstr(c->pk, "arcs");
		msgpack_pack_array(c->pk, (uint32_t)plan.narcs);
		for (size_t a = 0; a < plan.narcs; a++)
			pack_arc(c->pk, &fd, &plan.arcs[a], -1);
	}
	free(given);
	free(alloc);
	ret = 0;
out:
	fair_plan_free(&plan);
	fairdata_free(&fd);
	store_snapshot_end(txn);
	return ret;
}

static int cmp_ent_id(const void *a, const void *b)
{
	const struct fair_ent *x = *(const struct fair_ent *const *)a;
	const struct fair_ent *y = *(const struct fair_ent *const *)b;
	size_t n = x->id.n < y->id.n ? x->id.n : y->id.n;
	int c = memcmp(x->id.p, y->id.p, n);
	return c ? c : (x->id.n > y->id.n) - (x->id.n < y->id.n);
}

int planners_direction_rows(struct call *c, MDB_txn *txn,
    const msgpack_object *fid, int grad_year, struct match_str region_prefix)
{
	struct fairdata fd;
	struct fair_plan plan = { 0 };
	size_t nrows = 0;
	int ret = -1;

	if (fairdata_load(c, txn, fid, grad_year, 0xf, 0, &fd) < 0)
		goto out;
	if (region_prefix.n)
		fairdata_region(&fd, region_prefix);
	fair_arcs(&fd.in, &plan);
	for (size_t d = 0; d < fd.ndirs; d++)
		nrows += plan.supply[d] || plan.demand[d];
	msgpack_pack_map(c->pk, 1);
	proto_pack_cstr(c->pk, "rows");
	msgpack_pack_array(c->pk, (uint32_t)nrows);
	for (size_t d = 0; d < fd.ndirs; d++) {
		if (!plan.supply[d] && !plan.demand[d])
			continue;
		msgpack_pack_map(c->pk, 4);
		proto_pack_cstr(c->pk, "key");
		pack_str(c->pk, fd.dirs[d].id);
		proto_pack_cstr(c->pk, "supply");
		msgpack_pack_uint64(c->pk, plan.supply[d]);
		proto_pack_cstr(c->pk, "demand");
		msgpack_pack_double(c->pk, (double)plan.demand[d]);
		proto_pack_cstr(c->pk, "ratio");
		pack_ratio(c->pk, (double)plan.demand[d], plan.supply[d]);
	}
	ret = 0;
out:
	fair_plan_free(&plan);
	fairdata_free(&fd);
	return ret;
}

/* fair.schedule {fair_id} */
int planners_schedule(struct call *c)
{
	static const char *const known[] = { "fair_id", NULL };
	const msgpack_object *fid, *ents_o, *sess_o, *req;
	struct fairdata fd;
	struct fair_plan arcs = { 0 };
	struct fair_ent *ents = NULL;
	struct fair_session *ss = NULL;
	struct fair_slot *slots = NULL;
	size_t *postidx = NULL, nents = 0, nss = 0, nslots = 0;
	int *sdirs = NULL, ret = -1;
	double score;
	MDB_txn *txn = NULL;

	if (methods_only_keys(c, known) < 0 || !(fid = methods_param_id(c, "fair_id")))
		return -1;
	if (store_snapshot(daemon_g.store, &txn))
		return proto_fail(&c->err, PROTO_INTERNAL, NULL, "cannot read the store");
	if (fairdata_load(c, txn, fid, -1, 0xf, 0, &fd) < 0)
		goto out;
	fair_arcs(&fd.in, &arcs);

	/* enterprises in the fair's order, each with its postings */
	ents_o = schema_opt(&fd.fair, "enterprise_ids");
	req = schema_opt(&fd.fair, "requests");
	nents = ents_o ? ents_o->via.array.size : 0;
	ents = xcalloc(nents + 1, sizeof *ents);
	postidx = xmalloc((fd.nposts + 1) * sizeof *postidx);
	size_t used = 0;
	for (size_t e = 0; e < nents; e++) {
		msgpack_object ent;
		struct fair_ent *x = &ents[e];
		x->id = queries_str(&ents_o->via.array.ptr[e]);
		x->wants = 1;
		for (uint32_t i = 0; req && i < req->via.map.size; i++)
			if (req->via.map.ptr[i].key.via.str.size == x->id.n &&
			    !memcmp(req->via.map.ptr[i].key.via.str.ptr, x->id.p, x->id.n))
				x->wants = (long long)req->via.map.ptr[i].val.via.u64;
		if (store_read(daemon_g.store, txn, SCHEMA_ENTERPRISE, x->id.p, x->id.n,
		    fd.z, &ent) == 0) {
			const msgpack_object *ch = schema_opt(&ent, "chains");
			if (ch && ch->via.array.size)
				x->main_chain = queries_str(&ch->via.array.ptr[0]);
		}
		x->posts = postidx + used;
		for (size_t p = 0; p < fd.nposts; p++)
			if (fd.posts[p].parent.n == x->id.n &&
			    !memcmp(fd.posts[p].parent.p, x->id.p, x->id.n))
				postidx[used++] = p;
		x->nposts = (size_t)(postidx + used - x->posts);
	}
	sess_o = schema_opt(&fd.fair, "sessions");
	nss = sess_o ? sess_o->via.array.size : 0;
	ss = xcalloc(nss + 1, sizeof *ss);
	size_t nd = 0;
	for (size_t s = 0; s < nss; s++) {
		const msgpack_object *d = schema_opt(&sess_o->via.array.ptr[s], "directions");
		nd += d ? d->via.array.size : 0;
	}
	sdirs = xmalloc((nd + 1) * sizeof *sdirs);
	nd = 0;
	for (size_t s = 0; s < nss; s++) {
		const msgpack_object *so = &sess_o->via.array.ptr[s];
		const msgpack_object *d = schema_opt(so, "directions");
		ss[s].id = queries_str(schema_opt(so, "id"));
		ss[s].booths = (long long)schema_opt(so, "booths")->via.u64;
		ss[s].dirs = sdirs + nd;
		for (uint32_t i = 0; d && i < d->via.array.size; i++)
			for (size_t k = 0; k < fd.ndirs; k++)
				if (fd.dirs[k].id.n == d->via.array.ptr[i].via.str.size &&
				    !memcmp(fd.dirs[k].id.p, d->via.array.ptr[i].via.str.ptr,
				    fd.dirs[k].id.n))
					sdirs[nd++] = (int)k;
		ss[s].ndirs = (size_t)(sdirs + nd - ss[s].dirs);
	}
	if (fair_schedule(&fd.in, &arcs, ents, nents, ss, nss, &slots, &nslots,
	    &score) < 0) {
		proto_fail(&c->err, PROTO_INTERNAL, NULL, "the flow solver failed");
		goto out;
	}
	/* enterprises by id, for unscheduled (none of what they wanted)
	 * and short (some) */
	long long *got = xcalloc(nents + 1, sizeof *got);
	const struct fair_ent **byid = xmalloc((nents + 1) * sizeof *byid);
	size_t nun = 0, nshort = 0;
	for (size_t i = 0; i < nslots; i++)
		got[slots[i].ent]++;
	for (size_t e = 0; e < nents; e++) {
		byid[e] = &ents[e];
		nun += got[e] == 0 && ents[e].wants > 0;
		nshort += got[e] > 0 && got[e] < ents[e].wants;
	}
	if (nents)
		qsort(byid, nents, sizeof *byid, cmp_ent_id);
	msgpack_pack_map(c->pk, 4);
	proto_pack_cstr(c->pk, "slots");
	msgpack_pack_array(c->pk, (uint32_t)nslots);
	for (size_t i = 0; i < nslots; i++) {
		msgpack_pack_map(c->pk, 3);
		proto_pack_cstr(c->pk, "enterprise_id");
		pack_str(c->pk, ents[slots[i].ent].id);
		proto_pack_cstr(c->pk, "session_id");
		pack_str(c->pk, ss[slots[i].session].id);
		proto_pack_cstr(c->pk, "booth");
		msgpack_pack_int(c->pk, slots[i].booth);
	}
	proto_pack_cstr(c->pk, "unscheduled");
	msgpack_pack_array(c->pk, (uint32_t)nun);
	for (size_t i = 0; i < nents; i++)
		if (got[byid[i] - ents] == 0 && byid[i]->wants > 0)
			pack_str(c->pk, byid[i]->id);
	proto_pack_cstr(c->pk, "short");
	msgpack_pack_array(c->pk, (uint32_t)nshort);
	for (size_t i = 0; i < nents; i++) {
		long long n = got[byid[i] - ents];
		if (n == 0 || n >= byid[i]->wants)
			continue;
		msgpack_pack_map(c->pk, 3);
		proto_pack_cstr(c->pk, "enterprise_id");
		pack_str(c->pk, byid[i]->id);
		proto_pack_cstr(c->pk, "wanted");
		msgpack_pack_int64(c->pk, byid[i]->wants);
		proto_pack_cstr(c->pk, "got");
		msgpack_pack_int64(c->pk, n);
	}
	proto_pack_cstr(c->pk, "score");
	msgpack_pack_double(c->pk, score);
	free(got);
	free(byid);
	ret = 0;
out:
	free(slots);
	free(sdirs);
	free(ss);
	free(postidx);
	free(ents);
	fair_plan_free(&arcs);
	fairdata_free(&fd);
	store_snapshot_end(txn);
	return ret;
}

/* ------------------------------------------------------------ schools */

/* Compare two views as ids (byte order, then length). */
static int id_cmp(struct match_str a, struct match_str b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	int c = n ? memcmp(a.p, b.p, n) : 0;
	return c ? c : (a.n > b.n) - (a.n < b.n);
}

static int cmp_str(const void *a, const void *b)
{
	return id_cmp(*(const struct match_str *)a, *(const struct match_str *)b);
}

static int starts_with(struct match_str s, struct match_str prefix)
{
	return prefix.n <= s.n && (prefix.n == 0 || !memcmp(s.p, prefix.p, prefix.n));
}

/* Polled in the loading loops: a plan for a closed connection stops. */
static int cancelled(struct call *c)
{
	if (c->cancel && *c->cancel)
		return proto_fail(&c->err, PROTO_INTERNAL, NULL,
		    "plan abandoned: the connection closed or the daemon is stopping");
	return 0;
}

/*
 * The ids (as msgpack strings pointing into the map) of the records of
 * kind k whose `region` starts with prefix, in id order.  The records
 * are decoded in a scratch zone, so memory stays at the ids.
 */
static int scan_region(struct call *c, MDB_txn *txn, enum schema_kind k,
    struct match_str prefix, msgpack_object **out, size_t *n)
{
	MDB_cursor *cur;
	MDB_val key, val;
	msgpack_zone *z = msgpack_zone_new(4096);
	size_t cap = 0;
	int rc, op = MDB_FIRST, ret = 0;

	*out = NULL;
	*n = 0;
	if (mdb_cursor_open(txn, store_dbi(daemon_g.store, k), &cur)) {
		msgpack_zone_free(z);
		return proto_fail(&c->err, PROTO_INTERNAL, NULL, "cannot read the store");
	}
	while ((rc = mdb_cursor_get(cur, &key, &val, op)) == 0) {
		msgpack_object rec;
		op = MDB_NEXT;
		if ((*n & 4095) == 0 && cancelled(c) < 0) {
			ret = -1;
			break;
		}
		if (prefix.n) {
			msgpack_zone_clear(z);
			if (store_decode(&val, z, &rec) < 0 ||
			    !starts_with(queries_str(schema_opt(&rec, "region")), prefix))
				continue;
		}
		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		msgpack_object *o = &(*out)[(*n)++];
		o->type = MSGPACK_OBJECT_STR;
		o->via.str.ptr = key.mv_data;
		o->via.str.size = (uint32_t)key.mv_size;
	}
	mdb_cursor_close(cur);
	msgpack_zone_free(z);
	if (rc != 0 && rc != MDB_NOTFOUND && ret == 0)
		ret = proto_fail(&c->err, PROTO_INTERNAL, NULL, "%s", mdb_strerror(rc));
	return ret;
}

static void pack_num_map_key(msgpack_packer *pk, struct match_str k, long long n)
{
	pack_str(pk, k);
	msgpack_pack_int64(pk, n);
}

/* A class, with the ids it is listed by: school, specialty, enterprise. */
struct class {
	struct match_str school, spec, ent;
	size_t pair;
};

static int cmp_class(const void *a, const void *b)
{
	const struct class *x = a, *y = b;
	int c = id_cmp(x->school, y->school);
	if (!c)
		c = id_cmp(x->spec, y->spec);
	return c ? c : id_cmp(x->ent, y->ent);
}

/*
 * orderclass.plan {school_id?, region_prefix?, min_size?, max_size?,
 * grad_year?, min_score?, kinds?, time_limit_ms?, explain?}
 */
int planners_orderclass(struct call *c)
{
	static const char *const known[] = { "school_id", "region_prefix",
		"min_size", "max_size", "grad_year", "min_score", "kinds",
		"time_limit_ms", "explain", NULL };
	const msgpack_object *v, *school = NULL;
	struct plan_params pp = { queries_grad_year(), 0, 0xf, 0 };
	struct match_str region = { NULL, 0 };
	long long min_size = 20, max_size = 40, limit = 10000;
	msgpack_object *schools = NULL, *ents = NULL;
	size_t nschools = 0, nents = 0, npairs = 0, ncls = 0;
	struct class *cls = NULL;
	struct match_str *eid = NULL;
	uint32_t *post_ent = NULL;
	long long *supply = NULL, *demand = NULL;
	struct oc_pair *pairs = NULL;
	struct oc_plan plan = { 0 };
	struct fairdata fd;
	MDB_txn *txn = NULL;
	int ret = -1;

	memset(&fd, 0, sizeof fd);
	if (methods_only_keys(c, known) < 0 || plan_params(c, &pp) < 0)
		return -1;
	if ((v = schema_opt(c->params, "school_id")) &&
	    schema_check_id(school = v, "school_id", &c->err) < 0)
		return -1;
	if ((v = schema_opt(c->params, "region_prefix"))) {
		if (schema_check_region_prefix(v, "region_prefix", &c->err) < 0)
			return -1;
		region = queries_str(v);
	}
	if (((v = schema_opt(c->params, "min_size")) &&
	    schema_check_int(v, 1, 10000, "min_size", &c->err, &min_size) < 0) ||
	    ((v = schema_opt(c->params, "max_size")) &&
	    schema_check_int(v, 1, 10000, "max_size", &c->err, &max_size) < 0) ||
	    ((v = schema_opt(c->params, "time_limit_ms")) &&
	    schema_check_int(v, 1, 600000, "time_limit_ms", &c->err, &limit) < 0))
		return -1;
	if (min_size > max_size)
		return proto_fail(&c->err, PROTO_INVALID_PARAMS, "min_size",
		    "min_size (%lld) must not exceed max_size (%lld)", min_size,
		    max_size);
	if (store_snapshot(daemon_g.store, &txn))
		return proto_fail(&c->err, PROTO_INTERNAL, NULL, "cannot read the store");
	fd.z = msgpack_zone_new(8192);
	fd.grad_year = pp.grad_year;

	/* the specialties: of school_id, or of the region's schools */
	if (school) {
		msgpack_object rec;
		if (store_read(daemon_g.store, txn, SCHEMA_SCHOOL, school->via.str.ptr,
		    school->via.str.size, fd.z, &rec) < 0) {
			proto_fail(&c->err, PROTO_NOT_FOUND, "school_id",
			    "school %.*s not found", (int)school->via.str.size,
			    school->via.str.ptr);
			goto out;
		}
		schools = xmalloc(sizeof *schools);
		schools[0] = *school;
		nschools = 1;
	} else if (scan_region(c, txn, SCHEMA_SCHOOL, region, &schools, &nschools) < 0) {
		goto out;
	}
	if (scan_region(c, txn, SCHEMA_ENTERPRISE, region, &ents, &nents) < 0 ||
	    load_children(c, txn, &fd, SCHEMA_SPECIALTY, schools, nschools, 0) < 0 ||
	    cancelled(c) < 0 ||
	    load_children(c, txn, &fd, SCHEMA_POSTING, ents, nents, pp.kinds) < 0 ||
	    cancelled(c) < 0)
		goto out;
	fairdata_views(&fd);

	/* enterprises in id order (the scan's); each post's, by search */
	eid = xmalloc((nents + 1) * sizeof *eid);
	demand = xcalloc(nents + 1, sizeof *demand);
	post_ent = xmalloc((fd.nposts + 1) * sizeof *post_ent);
	for (size_t e = 0; e < nents; e++)
		eid[e] = queries_str(&ents[e]);
	for (size_t p = 0; p < fd.nposts; p++) {
		size_t lo = 0, hi = nents;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (id_cmp(eid[mid], fd.posts[p].parent) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		post_ent[p] = (uint32_t)lo;    /* a child of a scanned parent */
		demand[lo] += fd.pv[p].headcount;
	}
	supply = xmalloc((fd.nspecs + 1) * sizeof *supply);
	for (size_t s = 0; s < fd.nspecs; s++)
		supply[s] = fd.sv[s].available;
	npairs = oc_pairs(&fd.w, pp.min_score, fd.sv, fd.nspecs, fd.pv, post_ent,
	    fd.nposts, nents, &pairs);
	if (cancelled(c) < 0)
		goto out;
	/* The solver sees supply and demand cut to what classes can take
	 * (max_size a pair), which changes no plan and keeps its sums small;
	 * explain shows them uncut. */
	long long *sup = xcalloc(fd.nspecs + 1, sizeof *sup);
	long long *dem = xcalloc(nents + 1, sizeof *dem);
	for (size_t i = 0; i < npairs; i++) {
		sup[pairs[i].spec] += max_size;
		dem[pairs[i].ent] += max_size;
	}
	for (size_t s = 0; s < fd.nspecs; s++)
		sup[s] = sup[s] < supply[s] ? sup[s] : supply[s];
	for (size_t e = 0; e < nents; e++)
		dem[e] = dem[e] < demand[e] ? dem[e] : demand[e];

	struct oc_in in = {
		.nspecs = fd.nspecs, .nents = nents, .npairs = npairs,
		.supply = sup, .demand = dem, .pairs = pairs,
		.min_size = min_size, .max_size = max_size,
		.time_limit_ms = (double)limit, .cancel = c->cancel,
	};
	int rc = oc_solve(&in, &plan);
	free(sup);
	free(dem);
	if (rc < 0) {
		proto_fail(&c->err, PROTO_INTERNAL, NULL, "this scope is too large "
		    "for one plan (%zu pairs): narrow it with school_id or "
		    "region_prefix", npairs);
		goto out;
	}
	if (plan.cancelled) {
		cancelled(c);
		goto out;
	}

	cls = xmalloc((npairs + 1) * sizeof *cls);
	for (size_t i = 0; i < npairs; i++)
		if (plan.size[i] > 0)
			cls[ncls++] = (struct class){ fd.specs[pairs[i].spec].parent,
			    fd.specs[pairs[i].spec].id, eid[pairs[i].ent], i };
	qsort(cls, ncls, sizeof *cls, cmp_class);

	msgpack_pack_map(c->pk, pp.explain ? 9 : 6);
	proto_pack_cstr(c->pk, "classes");
	msgpack_pack_array(c->pk, (uint32_t)ncls);
	for (size_t i = 0; i < ncls; i++) {
		msgpack_pack_map(c->pk, 5);
		proto_pack_cstr(c->pk, "school_id");
		pack_str(c->pk, cls[i].school);
		proto_pack_cstr(c->pk, "specialty_id");
		pack_str(c->pk, cls[i].spec);
		proto_pack_cstr(c->pk, "enterprise_id");
		pack_str(c->pk, cls[i].ent);
		proto_pack_cstr(c->pk, "size");
		msgpack_pack_int64(c->pk, plan.size[cls[i].pair]);
		proto_pack_cstr(c->pk, "score");
		msgpack_pack_double(c->pk, pairs[cls[i].pair].score);
	}
	proto_pack_cstr(c->pk, "students");
	msgpack_pack_int64(c->pk, plan.students);
	proto_pack_cstr(c->pk, "objective");
	msgpack_pack_double(c->pk, plan.objective);
	proto_pack_cstr(c->pk, "bound");
	msgpack_pack_double(c->pk, plan.bound);
	proto_pack_cstr(c->pk, "optimal");
	if (plan.optimal)
		msgpack_pack_true(c->pk);
	else
		msgpack_pack_false(c->pk);
	proto_pack_cstr(c->pk, "solve_ms");
	msgpack_pack_double(c->pk, plan.solve_ms);
	if (pp.explain) {
		size_t nd = 0;
		proto_pack_cstr(c->pk, "pairs");
		msgpack_pack_array(c->pk, (uint32_t)npairs);
		for (size_t i = 0; i < npairs; i++) {
			msgpack_pack_map(c->pk, 3);
			proto_pack_cstr(c->pk, "specialty_id");
			pack_str(c->pk, fd.specs[pairs[i].spec].id);
			proto_pack_cstr(c->pk, "enterprise_id");
			pack_str(c->pk, eid[pairs[i].ent]);
			proto_pack_cstr(c->pk, "score");
			msgpack_pack_double(c->pk, pairs[i].score);
		}
		proto_pack_cstr(c->pk, "supply");
		msgpack_pack_map(c->pk, (uint32_t)fd.nspecs);
		for (size_t s = 0; s < fd.nspecs; s++)
			pack_num_map_key(c->pk, fd.specs[s].id, supply[s]);
		/* enterprises with a counted posting */
		char *has = xcalloc(nents + 1, 1);
		for (size_t p = 0; p < fd.nposts; p++)
			nd += !has[post_ent[p]]++;
		proto_pack_cstr(c->pk, "demand");
		msgpack_pack_map(c->pk, (uint32_t)nd);
		for (size_t e = 0; e < nents; e++)
			if (has[e])
				pack_num_map_key(c->pk, eid[e], demand[e]);
		free(has);
	}
	ret = 0;
out:
	oc_plan_free(&plan);
	free(cls);
	free(pairs);
	free(supply);
	free(demand);
	free(post_ent);
	free(eid);
	free(ents);
	free(schools);
	fairdata_free(&fd);
	store_snapshot_end(txn);
	return ret;
}

/*
 * A program as apprenticeship.match scores it: a posting with the
 * program's majors, no skills, its region (else its enterprise's), its
 * level, headcount = capacity, and its enterprise's chains.
 */
struct prog {
	struct match_str id;
	struct match_post post;
	match_tag chains[INDEX_TAGS_MAX];
	struct match_str prefixes[INDEX_TAGS_MAX];
};

/* The students of one specialty and graduation year share a scoring
 * view and a list: every in-scope eligible program by score, then id. */
struct group {
	struct match_spec spec;
	match_tag *tags;                   /* the spec's skills, then chains */
	uint32_t *prog;
	da_score *score;
	size_t n;
};

struct rank {                          /* a program's view of a student */
	double grade;
	da_score score;
	uint32_t student;
};

static int cmp_rank(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->grade != y->grade)
		return x->grade > y->grade ? -1 : 1;
	return (x->student > y->student) - (x->student < y->student);
}

struct gentry {                        /* a group list entry, for sorting */
	da_score score;
	uint32_t prog;
};

static int cmp_gentry(const void *a, const void *b)
{
	const struct gentry *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return (x->prog > y->prog) - (x->prog < y->prog);
}

struct appr {
	msgpack_zone *z;                   /* programs and their enterprises */
	struct prog *progs;
	size_t nprogs;
	long long *capacity;
	struct strtab byid;                /* program id -> index */
	size_t *bucket[100];               /* programs by field group */
	size_t nbucket[100], capbucket[100];
	long long maxcap[100];             /* the most places of a bucket's */
	struct group *groups;
	size_t ngroups, capgroups;
	struct strtab bygroup;             /* specialty id ‖ year -> group + 1 */
	struct strtab bycode;              /* major code -> majors index + 1 */
	uint8_t **majors;                  /* [code]: appr_majors */
	size_t nmajors, capmajors;
	/* students in id order; a stated list is pool[off .. off + n) */
	struct match_str *sid;
	uint32_t *sgroup;
	size_t *off, *n;                   /* off SIZE_MAX: the group's list */
	double *grade;
	size_t nstudents, capstudents;
	uint32_t *pprog;
	da_score *pscore;
	size_t npool, cappool;
	struct da_list *list;
	uint32_t *stamp;                   /* [nprogs]: dedupes a student's prefs */
};

/* Free the lists (a big answer is packed without them); a->list[s].n stays. */
static void appr_free_lists(struct appr *a)
{
	for (size_t g = 0; g < a->ngroups; g++) {
		free(a->groups[g].prog);
		free(a->groups[g].score);
		a->groups[g].prog = NULL;
		a->groups[g].score = NULL;
	}
	free(a->pprog);
	free(a->pscore);
	a->pprog = NULL;
	a->pscore = NULL;
	for (size_t s = 0; a->list && s < a->nstudents; s++)
		a->list[s].prog = NULL, a->list[s].score = NULL;
}

static void appr_free(struct appr *a)
{
	for (size_t i = 0; i < 100; i++)
		free(a->bucket[i]);
	appr_free_lists(a);
	for (size_t g = 0; g < a->ngroups; g++)
		free(a->groups[g].tags);
	free(a->groups);
	free(a->progs);
	free(a->capacity);
	free(a->sid);
	free(a->sgroup);
	free(a->off);
	free(a->n);
	free(a->grade);
	free(a->list);
	free(a->stamp);
	for (size_t i = 0; i < a->nmajors; i++)
		free(a->majors[i]);
	free(a->majors);
	strtab_free(&a->byid);
	strtab_free(&a->bygroup);
	strtab_free(&a->bycode);
	if (a->z)
		msgpack_zone_free(a->z);
}

/* Add program record rec (its enterprise read too) if in the region. */
static int appr_program(struct call *c, MDB_txn *txn, struct appr *a,
    const msgpack_object *rec, struct match_str region, size_t *cap)
{
	const msgpack_object *eid = schema_opt(rec, "enterprise_id");
	const msgpack_object *maj = schema_opt(rec, "majors"), *ch;
	msgpack_object ent;
	struct prog *p;
	size_t n;

	if (!eid || store_read(daemon_g.store, txn, SCHEMA_ENTERPRISE,
	    eid->via.str.ptr, eid->via.str.size, a->z, &ent) < 0)
		return proto_fail(&c->err, PROTO_INTERNAL, NULL,
		    "program %.*s names a missing enterprise (run admin.verify)",
		    (int)queries_str(schema_opt(rec, "id")).n,
		    queries_str(schema_opt(rec, "id")).p);
	struct match_str reg = queries_str(schema_opt(rec, "region"));
	if (reg.n == 0)
		reg = queries_str(schema_opt(&ent, "region"));
	if (!starts_with(reg, region))
		return 0;
	if (a->nprogs == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		a->progs = xrealloc(a->progs, *cap * sizeof *a->progs);
		a->capacity = xrealloc(a->capacity, *cap * sizeof *a->capacity);
	}
	p = &a->progs[a->nprogs];
	memset(&p->post, 0, sizeof p->post);
	p->id = queries_str(schema_opt(rec, "id"));
	n = maj ? maj->via.array.size : 0;
	for (size_t i = 0; i < n && i < INDEX_TAGS_MAX; i++)
		p->prefixes[i] = queries_str(&maj->via.array.ptr[i]);
	p->post.nprefixes = n < INDEX_TAGS_MAX ? n : INDEX_TAGS_MAX;
	ch = schema_opt(&ent, "chains");
	n = ch ? ch->via.array.size : 0;
	p->post.nchains = 0;
	for (size_t i = 0; i < n && i < INDEX_TAGS_MAX; i++) {
		int rc = index_tag(txn, store_index(daemon_g.store),
		    ch->via.array.ptr[i].via.str.ptr, ch->via.array.ptr[i].via.str.size,
		    0, &p->chains[p->post.nchains++]);
		if (rc)
			return proto_fail(&c->err, PROTO_INTERNAL, NULL, "%s",
			    mdb_strerror(rc));
	}
	p->post.level = schema_level_of(schema_opt(rec, "level"));
	p->post.region = reg;
	p->post.headcount = (long long)(schema_num(schema_opt(rec, "mentors")) *
	    schema_num(schema_opt(rec, "per_mentor")));
	a->capacity[a->nprogs] = p->post.headcount;
	*strtab_at(&a->byid, p->id.p, p->id.n) = a->nprogs + 1;
	a->nprogs++;
	return 0;
}

/* The programs in scope, in id order, and their buckets by field group. */
static int appr_programs(struct call *c, MDB_txn *txn, struct appr *a,
    const msgpack_object *ids, struct match_str region)
{
	size_t cap = 0;
	int rc = 0, ret = 0;

	if (ids) {
		/* listed: each must exist; kept in id order, once each */
		struct match_str *v = xmalloc((ids->via.array.size + 1) * sizeof *v);
		for (uint32_t i = 0; i < ids->via.array.size; i++) {
			msgpack_object rec;
			v[i] = queries_str(&ids->via.array.ptr[i]);
			if (store_read(daemon_g.store, txn, SCHEMA_PROGRAM, v[i].p, v[i].n,
			    a->z, &rec) < 0) {
				char path[SCHEMA_PATH_MAX];
				schema_path_index(path, "program_ids", i);
				proto_fail(&c->err, PROTO_NOT_FOUND, path,
				    "program %.*s not found", (int)v[i].n, v[i].p);
				free(v);
				return -1;
			}
		}
		qsort(v, ids->via.array.size, sizeof *v, cmp_str);
		for (uint32_t i = 0; i < ids->via.array.size && ret == 0; i++) {
			msgpack_object rec;
			store_read(daemon_g.store, txn, SCHEMA_PROGRAM, v[i].p, v[i].n,
			    a->z, &rec);
			ret = appr_program(c, txn, a, &rec, region, &cap);
		}
		free(v);
	} else {
		MDB_cursor *cur;
		MDB_val k, val;
		int op = MDB_FIRST;
		if (mdb_cursor_open(txn, store_dbi(daemon_g.store, SCHEMA_PROGRAM), &cur))
			return proto_fail(&c->err, PROTO_INTERNAL, NULL, "cannot read the store");
		while (ret == 0 && (rc = mdb_cursor_get(cur, &k, &val, op)) == 0) {
			msgpack_object rec;
			op = MDB_NEXT;
			if (store_decode(&val, a->z, &rec) == 0)
				ret = appr_program(c, txn, a, &rec, region, &cap);
		}
		mdb_cursor_close(cur);
		if (rc && rc != MDB_NOTFOUND && ret == 0)
			ret = proto_fail(&c->err, PROTO_INTERNAL, NULL, "%s", mdb_strerror(rc));
	}
	if (ret < 0)
		return -1;
	for (size_t i = 0; i < a->nprogs; i++) {
		struct prog *p = &a->progs[i];
		p->post.prefixes = p->prefixes;
		p->post.chains = p->chains;
		/* each field group once, any major in all of them */
		unsigned char seen[100] = { 0 };
		for (size_t j = 0; j < 100 && p->post.nprefixes == 0; j++)
			seen[j] = 1;
		for (size_t j = 0; j < p->post.nprefixes; j++) {
			int g = match_field_group(p->prefixes[j].p);
			if (g >= 0 && g < 100)
				seen[g] = 1;
		}
		for (size_t g = 0; g < 100; g++)
			if (seen[g]) {
				void *b = a->bucket[g];
				append(&b, &a->nbucket[g], &a->capbucket[g], &i, 1,
				    sizeof i);
				a->bucket[g] = b;
				if (a->capacity[i] > a->maxcap[g])
					a->maxcap[g] = a->capacity[i];
			}
	}
	a->stamp = xcalloc(a->nprogs + 1, sizeof *a->stamp);
	return 0;
}

/* The values match_major takes, so a cache holds a byte for each. */
static const double major_value[] = { 0, 0.3, MATCH_ANY_MAJOR, 0.6, 1 };

/*
 * The major factor of code against each program of bucket fg, as indexes
 * into major_value, computed once per code: the specialties of one code
 * (at every school, for every year) share it.
 */
static const uint8_t *appr_majors(struct appr *a, struct match_str code, int fg)
{
	size_t *slot = strtab_at(&a->bycode, code.p, code.n);
	if (*slot)
		return a->majors[*slot - 1];
	size_t nb = a->nbucket[fg];
	uint8_t *v = xmalloc(nb + 1);
	for (size_t i = 0; i < nb; i++) {
		const struct match_post *p = &a->progs[a->bucket[fg][i]].post;
		double f = match_major(code, p->prefixes, p->nprefixes);
		uint8_t k = 0;
		while (k < 4 && major_value[k] != f)
			k++;
		v[i] = k;                      /* (f is one of the values) */
	}
	void *m = a->majors;
	append(&m, &a->nmajors, &a->capmajors, &v, 1, sizeof v);
	a->majors = m;
	*strtab_at(&a->bycode, code.p, code.n) = a->nmajors;
	return v;
}

/*
 * The group of specialty spec_id and year, made on first sight: its
 * scoring view and its list (every in-scope program it is eligible for,
 * by score then id).  The year enters only through the capacity factor:
 * when the cohort is at least every candidate program's places, that
 * factor is 1 for all of them, so such years share one group (key year
 * 0xffff) — at a province this halves the lists, their memory and the
 * scoring.  (size_t)-1 with c->err when the specialty is not in the
 * match index.
 */
static size_t appr_group(struct call *c, MDB_txn *txn, struct appr *a,
    struct match_str spec_id, int year, msgpack_zone *scratch)
{
	char key[SCHEMA_ID_MAX + 8];
	size_t kn = spec_id.n < SCHEMA_ID_MAX ? spec_id.n : SCHEMA_ID_MAX;
	const struct index_dbs *ix = store_index(daemon_g.store);
	msgpack_object rec;
	struct index_spec *s;
	MDB_val k, v;

	memcpy(key, spec_id.p, kn);
	key[kn] = (char)(year >> 8);
	key[kn + 1] = (char)year;
	size_t *slot = strtab_at(&a->bygroup, key, kn + 2);
	if (*slot)
		return *slot - 1;
	if (store_read(daemon_g.store, txn, SCHEMA_SPECIALTY, spec_id.p, spec_id.n,
	    scratch, &rec) < 0 || index_spec_find(txn, ix,
	    queries_str(schema_get(&rec, "major_code")), spec_id, &k, &v) != 0) {
		proto_fail(&c->err, PROTO_INTERNAL, NULL,
		    "specialty %.*s has no match index entry (run admin.verify)",
		    (int)spec_id.n, spec_id.p);
		return (size_t)-1;
	}
	s = xmalloc(sizeof *s);
	if (index_spec_decode(&k, &v, s) < 0) {
		free(s);
		proto_fail(&c->err, PROTO_INTERNAL, NULL,
		    "specialty %.*s has a damaged match index entry (run admin.verify)",
		    (int)spec_id.n, spec_id.p);
		return (size_t)-1;
	}
	int fg = match_field_group(s->code.p);  /* codes are digits: 0..99 */
	if (index_spec_cohort(s, year) >= a->maxcap[fg]) {
		char any[SCHEMA_ID_MAX + 8];
		memcpy(any, key, kn);
		any[kn] = any[kn + 1] = (char)0xff;
		size_t *shared = strtab_at(&a->bygroup, any, kn + 2);
		if (*shared) {
			size_t g = *shared - 1;
			*strtab_at(&a->bygroup, key, kn + 2) = g + 1;
			free(s);
			return g;
		}
		*shared = a->ngroups + 1;
	}
	if (a->ngroups == a->capgroups) {
		a->capgroups = a->capgroups ? 2 * a->capgroups : 64;
		a->groups = xrealloc(a->groups, a->capgroups * sizeof *a->groups);
	}
	struct group *g = &a->groups[a->ngroups];
	*strtab_at(&a->bygroup, key, kn + 2) = ++a->ngroups;
	index_spec_view(s, year, &g->spec);
	g->tags = xmalloc((s->nskills + s->nchains + 1) * sizeof *g->tags);
	memcpy(g->tags, s->skills, s->nskills * sizeof *g->tags);
	memcpy(g->tags + s->nskills, s->chains, s->nchains * sizeof *g->tags);
	g->spec.skills = g->tags;
	g->spec.chains = g->tags + s->nskills;
	free(s);

	size_t nb = a->nbucket[fg];
	struct gentry *e = xmalloc((nb + 1) * sizeof *e);
	const uint8_t *maj = appr_majors(a, g->spec.code, fg);
	size_t n = 0;
	struct match_why why;
	for (size_t i = 0; i < nb; i++) {
		size_t p = a->bucket[fg][i];
		if (!maj[i])
			continue;
		double sc = match_score_major(&daemon_g.cfg.weights, &a->progs[p].post,
		    &g->spec, major_value[maj[i]], &why);
		if (sc >= 0)
			e[n++] = (struct gentry){ (da_score)llround(sc * 1e9), (uint32_t)p };
	}
	qsort(e, n, sizeof *e, cmp_gentry);
	g->prog = xmalloc((n + 1) * sizeof *g->prog);
	g->score = xmalloc((n + 1) * sizeof *g->score);
	for (size_t i = 0; i < n; i++) {
		g->prog[i] = e[i].prog;
		g->score[i] = e[i].score;
	}
	g->n = n;
	free(e);
	return a->ngroups - 1;
}

/* Add student rec (of grad_year, if >= 0) with its list. */
static int appr_student(struct call *c, MDB_txn *txn, struct appr *a,
    const MDB_val *key, const msgpack_object *rec, int grad_year,
    msgpack_zone *scratch)
{
	int year = (int)schema_num(schema_opt(rec, "grad_year"));
	const msgpack_object *grade = schema_opt(rec, "grade");
	const msgpack_object *prefs = schema_opt(rec, "prefs");
	size_t g, s = a->nstudents;

	if (grad_year >= 0 && year != grad_year)
		return 0;
	g = appr_group(c, txn, a, queries_str(schema_opt(rec, "specialty_id")), year,
	    scratch);
	if (g == (size_t)-1)
		return -1;
	if (s == a->capstudents) {
		a->capstudents = a->capstudents ? 2 * a->capstudents : 1024;
		a->sid = xrealloc(a->sid, a->capstudents * sizeof *a->sid);
		a->sgroup = xrealloc(a->sgroup, a->capstudents * sizeof *a->sgroup);
		a->off = xrealloc(a->off, a->capstudents * sizeof *a->off);
		a->n = xrealloc(a->n, a->capstudents * sizeof *a->n);
		a->grade = xrealloc(a->grade, a->capstudents * sizeof *a->grade);
	}
	a->sid[s] = (struct match_str){ key->mv_data, key->mv_size };
	a->sgroup[s] = (uint32_t)g;
	a->grade[s] = grade ? schema_num(grade) : -1;
	a->off[s] = SIZE_MAX;
	a->n[s] = a->groups[g].n;
	if (prefs && prefs->via.array.size) {
		/* stated: in order, the in-scope eligible ones, each once */
		struct match_why why;
		a->off[s] = a->npool;
		a->n[s] = 0;
		for (uint32_t i = 0; i < prefs->via.array.size; i++) {
			struct match_str id = queries_str(&prefs->via.array.ptr[i]);
			size_t *at = strtab_find(&a->byid, id.p, id.n);
			if (!at || a->stamp[*at - 1] == s + 1)
				continue;
			size_t p = *at - 1;
			double sc = match_score(&daemon_g.cfg.weights, &a->progs[p].post,
			    &a->groups[g].spec, &why);
			if (sc < 0)
				continue;
			a->stamp[p] = (uint32_t)(s + 1);
			if (a->npool == a->cappool) {
				a->cappool = a->cappool ? 2 * a->cappool : 1024;
				a->pprog = xrealloc(a->pprog, a->cappool * sizeof *a->pprog);
				a->pscore = xrealloc(a->pscore, a->cappool * sizeof *a->pscore);
			}
			a->pprog[a->npool] = (uint32_t)p;
			a->pscore[a->npool++] = (da_score)llround(sc * 1e9);
			a->n[s]++;
		}
	}
	a->nstudents++;
	return 0;
}

static int appr_students(struct call *c, MDB_txn *txn, struct appr *a,
    int grad_year)
{
	MDB_cursor *cur;
	MDB_val k, v;
	msgpack_zone *z = msgpack_zone_new(4096);
	int rc, op = MDB_FIRST, ret = 0;
	size_t seen = 0;

	if (mdb_cursor_open(txn, store_dbi(daemon_g.store, SCHEMA_STUDENT), &cur)) {
		msgpack_zone_free(z);
		return proto_fail(&c->err, PROTO_INTERNAL, NULL, "cannot read the store");
	}
	while (ret == 0 && (rc = mdb_cursor_get(cur, &k, &v, op)) == 0) {
		msgpack_object rec;
		op = MDB_NEXT;
		if ((++seen & 4095) == 0 && (ret = cancelled(c)) < 0)
			break;
		msgpack_zone_clear(z);
		if (store_decode(&v, z, &rec) == 0)
			ret = appr_student(c, txn, a, &k, &rec, grad_year, z);
	}
	mdb_cursor_close(cur);
	msgpack_zone_free(z);
	if (ret == 0 && rc && rc != MDB_NOTFOUND)
		ret = proto_fail(&c->err, PROTO_INTERNAL, NULL, "%s", mdb_strerror(rc));
	if (ret < 0)
		return -1;
	/* the pool is complete: point the lists into it */
	a->list = xmalloc((a->nstudents + 1) * sizeof *a->list);
	for (size_t s = 0; s < a->nstudents; s++) {
		const struct group *g = &a->groups[a->sgroup[s]];
		if (a->off[s] == SIZE_MAX)
			a->list[s] = (struct da_list){ g->prog, g->score, g->n };
		else
			a->list[s] = (struct da_list){ a->pprog + a->off[s],
			    a->pscore + a->off[s], a->n[s] };
	}
	return 0;
}

/* explain: the exact lists the algorithm ran on. */
static void appr_explain(msgpack_packer *pk, const struct appr *a)
{
	size_t *cnt = xcalloc(a->nprogs + 1, sizeof *cnt), *at;
	struct rank *r;
	size_t total = 0;

	proto_pack_cstr(pk, "student_prefs");
	msgpack_pack_map(pk, (uint32_t)a->nstudents);
	for (size_t s = 0; s < a->nstudents; s++) {
		pack_str(pk, a->sid[s]);
		msgpack_pack_array(pk, (uint32_t)a->list[s].n);
		for (size_t i = 0; i < a->list[s].n; i++)
			pack_str(pk, a->progs[a->list[s].prog[i]].id);
	}
	/* a program ranks every in-scope student it is eligible for: those
	 * whose group lists it, stated prefs or not */
	for (size_t s = 0; s < a->nstudents; s++) {
		const struct group *g = &a->groups[a->sgroup[s]];
		for (size_t i = 0; i < g->n; i++)
			cnt[g->prog[i]]++;
		total += g->n;
	}
	at = xmalloc((a->nprogs + 1) * sizeof *at);
	for (size_t p = 0, o = 0; p < a->nprogs; o += cnt[p++])
		at[p] = o;
	r = xmalloc((total + 1) * sizeof *r);
	for (size_t s = 0; s < a->nstudents; s++) {
		const struct group *g = &a->groups[a->sgroup[s]];
		for (size_t i = 0; i < g->n; i++)
			r[at[g->prog[i]]++] = (struct rank){ .score = g->score[i],
			    .grade = a->grade[s] < 0 ? -1 : a->grade[s],
			    .student = (uint32_t)s };
	}
	proto_pack_cstr(pk, "program_ranks");
	msgpack_pack_map(pk, (uint32_t)a->nprogs);
	for (size_t p = 0, o = 0; p < a->nprogs; o += cnt[p++]) {
		qsort(r + o, cnt[p], sizeof *r, cmp_rank);
		pack_str(pk, a->progs[p].id);
		msgpack_pack_array(pk, (uint32_t)cnt[p]);
		for (size_t i = 0; i < cnt[p]; i++)
			pack_str(pk, a->sid[r[o + i].student]);
	}
	proto_pack_cstr(pk, "capacity");
	msgpack_pack_map(pk, (uint32_t)a->nprogs);
	for (size_t p = 0; p < a->nprogs; p++)
		pack_num_map_key(pk, a->progs[p].id, a->capacity[p]);
	free(r);
	free(at);
	free(cnt);
}

/* apprenticeship.match {program_ids?, region_prefix?, grad_year?, explain?} */
int planners_apprenticeship(struct call *c)
{
	static const char *const known[] = { "program_ids", "region_prefix",
		"grad_year", "explain", NULL };
	const msgpack_object *v, *ids = NULL;
	struct plan_params pp = { -1, 0, 0xf, 0 };
	struct match_str region = { NULL, 0 };
	struct appr a;
	struct da_out out = { 0 };
	MDB_txn *txn = NULL;
	size_t nmatched = 0;
	int ret = -1;

	memset(&a, 0, sizeof a);
	if (methods_only_keys(c, known) < 0 || plan_params(c, &pp) < 0)
		return -1;
	if ((v = schema_opt(c->params, "program_ids"))) {
		char path[SCHEMA_PATH_MAX];
		if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size < 1 ||
		    v->via.array.size > SCHEMA_IDS_MAX)
			return proto_fail(&c->err, PROTO_INVALID_PARAMS, "program_ids",
			    "program_ids must be an array of 1 to %d program ids",
			    SCHEMA_IDS_MAX);
		struct strtab seen;
		strtab_init(&seen);
		for (uint32_t i = 0; i < v->via.array.size; i++) {
			schema_path_index(path, "program_ids", i);
			if (schema_check_id(&v->via.array.ptr[i], path, &c->err) < 0)
				break;
			size_t *at = strtab_at(&seen, v->via.array.ptr[i].via.str.ptr,
			    v->via.array.ptr[i].via.str.size);
			if (*at) {
				proto_fail(&c->err, PROTO_INVALID_PARAMS, path,
				    "%s repeats an earlier item (program_ids[%zu])", path,
				    *at - 1);
				break;
			}
			*at = i + 1;
		}
		strtab_free(&seen);
		if (c->err.code)
			return -1;
		ids = v;
	}
	if ((v = schema_opt(c->params, "region_prefix"))) {
		if (schema_check_region_prefix(v, "region_prefix", &c->err) < 0)
			return -1;
		region = queries_str(v);
	}
	if (store_snapshot(daemon_g.store, &txn))
		return proto_fail(&c->err, PROTO_INTERNAL, NULL, "cannot read the store");
	a.z = msgpack_zone_new(8192);
	strtab_init(&a.byid);
	strtab_init(&a.bygroup);
	strtab_init(&a.bycode);
	if (appr_programs(c, txn, &a, ids, region) < 0 ||
	    appr_students(c, txn, &a, pp.grad_year) < 0)
		goto out;

	struct da_in in = {
		.nstudents = a.nstudents, .nprograms = a.nprogs, .list = a.list,
		.grade = a.grade, .capacity = a.capacity, .cancel = c->cancel,
	};
	double t0 = (double)stats_now_us();
	if (da_match(&in, &out) < 0) {
		cancelled(c);
		goto out;
	}
	double solve_ms = ((double)stats_now_us() - t0) / 1e3;
	if (!pp.explain)               /* the reply needs only their lengths */
		appr_free_lists(&a);

	for (size_t s = 0; s < a.nstudents; s++)
		nmatched += out.match[s] >= 0;
	msgpack_pack_map(c->pk, pp.explain ? 8 : 5);
	proto_pack_cstr(c->pk, "assignments");
	msgpack_pack_array(c->pk, (uint32_t)nmatched);
	for (size_t s = 0; s < a.nstudents; s++) {
		if (out.match[s] < 0)
			continue;
		msgpack_pack_map(c->pk, 2);
		proto_pack_cstr(c->pk, "student_id");
		pack_str(c->pk, a.sid[s]);
		proto_pack_cstr(c->pk, "program_id");
		pack_str(c->pk, a.progs[out.match[s]].id);
	}
	proto_pack_cstr(c->pk, "unmatched");
	msgpack_pack_array(c->pk, (uint32_t)(a.nstudents - nmatched));
	for (size_t s = 0; s < a.nstudents; s++) {
		if (out.match[s] >= 0)
			continue;
		msgpack_pack_map(c->pk, 2);
		proto_pack_cstr(c->pk, "student_id");
		pack_str(c->pk, a.sid[s]);
		proto_pack_cstr(c->pk, "reason");
		proto_pack_cstr(c->pk, a.list[s].n ? "outranked" : "no_program");
	}
	proto_pack_cstr(c->pk, "blocking_pairs");
	msgpack_pack_int64(c->pk, out.blocking_pairs);
	proto_pack_cstr(c->pk, "rounds");
	msgpack_pack_int64(c->pk, out.rounds);
	proto_pack_cstr(c->pk, "solve_ms");
	msgpack_pack_double(c->pk, solve_ms);
	if (pp.explain)
		appr_explain(c->pk, &a);
	if (out.blocking_pairs)
		log_error("apprenticeship.match: %lld blocking pairs (a bug)",
		    out.blocking_pairs);
	ret = 0;
out:
	da_out_free(&out);
	appr_free(&a);
	store_snapshot_end(txn);
	return ret;
}
