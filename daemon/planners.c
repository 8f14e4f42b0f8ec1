/*
 * planners — fair.allocate and fair.schedule: read a fair and what it
 * names out of the store, hand them to matcher's planners, pack the
 * answers.  Both run on worker threads (jobs.c) in their own read
 * snapshot.
 *
 * A fair's specialties and postings are found through the reference
 * indexes (a school's specialties, an enterprise's postings), never by
 * scanning the store, and scored from their match summaries: the views
 * below point into the read transaction and live as long as it does.
 */
#include "daemon.h"

#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "fair.h"
#include "query.h"
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

static int load_children(struct call *c, MDB_txn *txn, struct fairdata *fd,
    enum schema_kind kind, const msgpack_object *parents, int kinds_mask)
{
	struct store *st = daemon_g.store;
	const struct index_dbs *ix = store_index(st);
	char kb[2 * SCHEMA_ID_MAX + 16];
	int spec = kind == SCHEMA_SPECIALTY, ret = 0;
	MDB_cursor *cur;

	if (mdb_cursor_open(txn, spec ? ix->spec_major : ix->post_prefix, &cur))
		return proto_fail(&c->err, PROTO_INTERNAL, NULL, "cannot read the indexes");

	for (uint32_t i = 0; parents && i < parents->via.array.size; i++) {
		size_t n;
		char **ids = store_children(st, txn, kind, &parents->via.array.ptr[i], &n);
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
	if (grad_year < 0)
		fd->grad_year = match_grad_year(schema_year(date, &month), month);
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
	if (load_children(c, txn, fd, SCHEMA_SPECIALTY, schema_opt(&fd->fair, "school_ids"),
	    0) < 0 ||
	    load_children(c, txn, fd, SCHEMA_POSTING, schema_opt(&fd->fair, "enterprise_ids"),
	    kinds_mask) < 0)
		return -1;
	qsort(fd->specs, fd->nspecs, sizeof *fd->specs, cmp_item);
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
	fd->in.min_score = min_score;
	fd->in.dirs = fd->dirs;
	fd->in.ndirs = fd->ndirs;
	fd->in.specs = fd->sv;
	fd->in.nspecs = fd->nspecs;
	fd->in.posts = fd->pv;
	fd->in.nposts = fd->nposts;
	return 0;
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
	const msgpack_object *fid, *v;
	struct fairdata fd;
	struct fair_plan plan = { 0 };
	MDB_txn *txn = NULL;
	int grad_year = -1, kinds = 0xf, explain = 0, ret = -1;
	double min_score = 0;
	long long y;

	if (methods_only_keys(c, known) < 0 || !(fid = methods_param_id(c, "fair_id")))
		return -1;
	if ((v = schema_opt(c->params, "grad_year"))) {
		if (schema_check_int(v, 1000, 9999, "grad_year", &c->err, &y) < 0)
			return -1;
		grad_year = (int)y;
	}
	if ((v = schema_opt(c->params, "min_score"))) {
		if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= 1)
			min_score = (double)v->via.u64;
		else if ((v->type == MSGPACK_OBJECT_FLOAT32 ||
		    v->type == MSGPACK_OBJECT_FLOAT64) && v->via.f64 >= 0 &&
		    v->via.f64 <= 1)
			min_score = v->via.f64;
		else
			return proto_fail(&c->err, PROTO_INVALID_PARAMS, "min_score",
			    "min_score must be a number in 0..1");
	}
	if ((v = schema_opt(c->params, "kinds"))) {
		char p[SCHEMA_PATH_MAX];
		if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size == 0)
			return proto_fail(&c->err, PROTO_INVALID_PARAMS, "kinds",
			    "kinds must be a non-empty array of posting kinds");
		kinds = 0;
		for (uint32_t i = 0; i < v->via.array.size; i++) {
			int k;
			schema_path_index(p, "kinds", i);
			if ((k = schema_check_posting_kind(&v->via.array.ptr[i], p,
			    &c->err)) < 0)
				return -1;
			kinds |= 1 << k;
		}
	}
	if ((v = schema_opt(c->params, "explain"))) {
		if (v->type != MSGPACK_OBJECT_BOOLEAN)
			return proto_fail(&c->err, PROTO_INVALID_PARAMS, "explain",
			    "explain must be true or false");
		explain = v->via.boolean;
	}
	if (store_snapshot(daemon_g.store, &txn))
		return proto_fail(&c->err, PROTO_INTERNAL, NULL, "cannot read the store");
	if (fairdata_load(c, txn, fid, grad_year, kinds, min_score, &fd) < 0)
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

	msgpack_pack_map(c->pk, explain ? 7 : 6);
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
		msgpack_pack_map(c->pk, 5);
		proto_pack_cstr(c->pk, "direction_id");
		pack_str(c->pk, fd.dirs[d].id);
		proto_pack_cstr(c->pk, "supply");
		msgpack_pack_uint64(c->pk, plan.supply[d]);
		proto_pack_cstr(c->pk, "demand");
		msgpack_pack_uint64(c->pk, plan.demand[d]);
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
	if (explain) {
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
			for (uint32_t i = 0; ch && i < ch->via.array.size; i++) {
				struct match_str t = queries_str(&ch->via.array.ptr[i]);
				size_t n = t.n < x->first_chain.n ? t.n : x->first_chain.n;
				int cmp = n ? memcmp(t.p, x->first_chain.p, n) : 0;
				if (x->first_chain.p == NULL || cmp < 0 ||
				    (cmp == 0 && t.n < x->first_chain.n))
					x->first_chain = t;
			}
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
	char *has = xcalloc(nents + 1, 1);
	size_t nun = 0;
	for (size_t i = 0; i < nslots; i++)
		has[slots[i].ent] = 1;
	for (size_t e = 0; e < nents; e++)
		nun += !has[e] && ents[e].wants > 0;
	msgpack_pack_map(c->pk, 3);
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
	for (size_t e = 0; e < nents; e++)
		if (!has[e] && ents[e].wants > 0)
			pack_str(c->pk, ents[e].id);
	proto_pack_cstr(c->pk, "score");
	msgpack_pack_double(c->pk, score);
	free(has);
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
