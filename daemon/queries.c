/*
 * queries — match.candidates and match.openings: parameters, the records
 * a query starts from, and the result maps.  The searches are matcher's.
 */
#include "daemon.h"

#include <lmdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "index.h"
#include "query.h"
#include "xalloc.h"

/* The default graduation year from today's local date (docs/matching.md). */
int queries_grad_year(void)
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	return match_grad_year(tm.tm_year + 1900, tm.tm_mon + 1);
}

struct match_str queries_str(const msgpack_object *o)
{
	struct match_str s = { NULL, 0 };
	if (o && o->type == MSGPACK_OBJECT_STR) {
		s.p = o->via.str.ptr;
		s.n = o->via.str.size;
	}
	return s;
}

/* An array of str objects as views; 0 when absent. */
static size_t strs(const msgpack_object *a, struct match_str *out)
{
	if (!a || a->type != MSGPACK_OBJECT_ARRAY)
		return 0;
	for (uint32_t i = 0; i < a->via.array.size && i < INDEX_TAGS_MAX; i++)
		out[i] = queries_str(&a->via.array.ptr[i]);
	return a->via.array.size < INDEX_TAGS_MAX ? a->via.array.size : INDEX_TAGS_MAX;
}

/* The ids of a tag array (0 for a tag no record has); MDB errors pass. */
static int tag_ids(MDB_txn *txn, const msgpack_object *a, match_tag *out,
    size_t *n)
{
	int rc = 0;
	*n = 0;
	if (!a || a->type != MSGPACK_OBJECT_ARRAY)
		return 0;
	for (uint32_t i = 0; i < a->via.array.size && i < INDEX_TAGS_MAX && !rc; i++)
		rc = index_tag(txn, store_index(daemon_g.store),
		    a->via.array.ptr[i].via.str.ptr, a->via.array.ptr[i].via.str.size,
		    0, &out[(*n)++]);
	return rc;
}

/* k, grad_year, region_prefix and min_available, checked. */
static int common_params(struct call *c, long long *k, struct query_filter *f)
{
	const msgpack_object *v;

	*k = 20;
	f->region_prefix.p = NULL;
	f->region_prefix.n = 0;
	f->min_available = -1;
	f->kind = -1;
	f->grad_year = queries_grad_year();
	if ((v = schema_opt(c->params, "k"))) {
		if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
		    v->via.u64 > daemon_g.cfg.max_k)
			stats_limit_hit(LIMIT_K);
		if (schema_check_int(v, 1, (long long)daemon_g.cfg.max_k, "k",
		    &c->err, k) < 0)
			return -1;
	}
	if ((v = schema_opt(c->params, "grad_year"))) {
		long long y;
		if (schema_check_int(v, 1000, 9999, "grad_year", &c->err, &y) < 0)
			return -1;
		f->grad_year = (int)y;
	}
	if ((v = schema_opt(c->params, "region_prefix"))) {
		if (schema_check_region_prefix(v, "region_prefix", &c->err) < 0)
			return -1;
		f->region_prefix = queries_str(v);
	}
	if ((v = schema_opt(c->params, "min_available")) &&
	    schema_check_int(v, 0, SCHEMA_COUNT_MAX, "min_available", &c->err,
	    &f->min_available) < 0)
		return -1;
	if ((v = schema_opt(c->params, "kind"))) {
		if ((f->kind = schema_check_posting_kind(v, "kind", &c->err)) < 0)
			return -1;
	}
	return 0;
}

static void pack_why(msgpack_packer *pk, const struct match_why *w)
{
	msgpack_pack_map(pk, MATCH_NFACTORS);
	for (int i = 0; i < MATCH_NFACTORS; i++) {
		proto_pack_cstr(pk, match_factor_name[i]);
		msgpack_pack_double(pk, match_why_at(w, i));
	}
}

static void pack_mstr(msgpack_packer *pk, struct match_str s)
{
	proto_pack_str(pk, s.p, s.n);
}

static int begin(struct call *c, MDB_txn **txn)
{
	int rc = store_snapshot(daemon_g.store, txn);
	if (rc)
		return proto_fail(&c->err, PROTO_INTERNAL, NULL, "%s", mdb_strerror(rc));
	return 0;
}

/* Read a record by a str id into o; 1004 on `field` when absent. */
static int need(struct call *c, MDB_txn *txn, enum schema_kind k,
    const msgpack_object *id, const char *field, msgpack_zone *z,
    msgpack_object *o)
{
	if (store_read(daemon_g.store, txn, k, id->via.str.ptr, id->via.str.size,
	    z, o) == 0)
		return 0;
	return proto_fail(&c->err, PROTO_NOT_FOUND, field, "%s %.*s not found",
	    schema_kind_name[k], (int)id->via.str.size, id->via.str.ptr);
}

/*
 * A posting's scoring view from src (a posting record or an ad-hoc
 * query): chains from `chains_of` (its enterprise, or the query itself),
 * the region from src else `region_else`.  Views point into the objects.
 */
static int post_view(MDB_txn *txn, struct match_post *post,
    const msgpack_object *src, const msgpack_object *chains_of,
    const msgpack_object *region_else, struct match_str *prefixes,
    match_tag *skills, match_tag *chains)
{
	const msgpack_object *lv = schema_opt(src, "level");
	const msgpack_object *rg = schema_opt(src, "region");
	const msgpack_object *hc = schema_opt(src, "headcount");

	post->nprefixes = strs(schema_opt(src, "majors"), prefixes);
	post->level = lv ? (int)schema_level_of(lv) : -1;
	post->region = queries_str(rg ? rg : schema_opt(region_else, "region"));
	post->headcount = hc ? (long long)hc->via.u64 : -1;
	int rc = tag_ids(txn, schema_opt(src, "skills"), skills, &post->nskills);
	return rc ? rc : tag_ids(txn, schema_opt(chains_of, "chains"), chains,
	    &post->nchains);
}

static void pack_candidate(msgpack_packer *pk, const struct query_hit *h)
{
	struct index_spec s;             /* decoded once by the search */
	const char *nul = memchr(h->key.mv_data, 0, h->key.mv_size);
	index_spec_decode_head(NULL, &h->val, &s);
	s.code.p = h->key.mv_data;         /* code NUL …, either key form */
	s.code.n = nul ? (size_t)(nul - s.code.p) : 0;
	s.id = h->id;
	const char *name = catalog_name(s.code.p, s.code.n);
	msgpack_pack_map(pk, name ? 7 : 6);
	proto_pack_cstr(pk, "specialty_id");
	pack_mstr(pk, s.id);
	proto_pack_cstr(pk, "school_id");
	pack_mstr(pk, s.school_id);
	proto_pack_cstr(pk, "major_code");
	pack_mstr(pk, s.code);
	if (name) {
		proto_pack_cstr(pk, "major_name");
		proto_pack_cstr(pk, name);
	}
	proto_pack_cstr(pk, "available");
	msgpack_pack_int64(pk, h->available);
	proto_pack_cstr(pk, "score");
	msgpack_pack_double(pk, h->score);
	proto_pack_cstr(pk, "why");
	pack_why(pk, &h->why);
}

static void pack_opening(msgpack_packer *pk, const struct query_hit *h)
{
	struct index_post p;
	index_post_decode(&h->key, &h->val, &p);
	msgpack_pack_map(pk, 5);
	proto_pack_cstr(pk, "posting_id");
	pack_mstr(pk, p.id);
	proto_pack_cstr(pk, "enterprise_id");
	pack_mstr(pk, p.enterprise_id);
	proto_pack_cstr(pk, "headcount");
	msgpack_pack_int64(pk, p.headcount);
	proto_pack_cstr(pk, "score");
	msgpack_pack_double(pk, h->score);
	proto_pack_cstr(pk, "why");
	pack_why(pk, &h->why);
}

/* {items, considered} from a search that returned rc; -1 on its failure. */
static int pack_hits(struct call *c, int rc, struct query_top *top,
    unsigned long long considered,
    void (*item)(msgpack_packer *, const struct query_hit *))
{
	if (rc)
		return proto_fail(&c->err, PROTO_INTERNAL, NULL, "%s", mdb_strerror(rc));
	query_top_sort(top);
	msgpack_pack_map(c->pk, 2);
	proto_pack_cstr(c->pk, "items");
	msgpack_pack_array(c->pk, (uint32_t)top->n);
	for (size_t i = 0; i < top->n; i++)
		item(c->pk, &top->v[i]);
	proto_pack_cstr(c->pk, "considered");
	msgpack_pack_uint64(c->pk, considered);
	return 0;
}

int queries_candidates(struct call *c)
{
	static const char *const known[] = { "posting_id", "query", "k",
		"grad_year", "region_prefix", "min_available", NULL };
	struct match_str prefixes[INDEX_TAGS_MAX];
	match_tag skills[INDEX_TAGS_MAX], chains[INDEX_TAGS_MAX];
	const msgpack_object *pid = schema_opt(c->params, "posting_id");
	const msgpack_object *q = schema_opt(c->params, "query");
	struct query_filter f;
	struct match_post post;
	struct match_weights w = daemon_g.cfg.weights;
	struct query_top top = { 0 };
	unsigned long long considered = 0;
	MDB_txn *txn = NULL;
	msgpack_zone *z = NULL;
	long long k;
	int ret = -1, rc;

	if (methods_only_keys(c, known) < 0 || common_params(c, &k, &f) < 0)
		return -1;
	if (!pid == !q)
		return proto_fail(&c->err, PROTO_INVALID_PARAMS, pid ? "query" : "posting_id",
		    "give exactly one of posting_id and query");
	if (pid && schema_check_id(pid, "posting_id", &c->err) < 0)
		return -1;
	if (q && schema_check_query(q, "query", &c->err) < 0)
		return -1;
	if (begin(c, &txn) < 0)
		return -1;
	z = msgpack_zone_new(4096);
	memset(&post, 0, sizeof post);
	post.prefixes = prefixes;
	post.skills = skills;
	post.chains = chains;
	post.level = -1;
	post.headcount = -1;
	if (pid) {
		msgpack_object p, e;
		if (need(c, txn, SCHEMA_POSTING, pid, "posting_id", z, &p) < 0 ||
		    need(c, txn, SCHEMA_ENTERPRISE, schema_get(&p, "enterprise_id"),
		    "posting_id", z, &e) < 0)
			goto out;
		rc = post_view(txn, &post, &p, &e, &e, prefixes, skills, chains);
	} else {
		rc = post_view(txn, &post, q, q, NULL, prefixes, skills, chains);
	}
	query_top_init(&top, (size_t)k);
	if (rc) {
		ret = pack_hits(c, rc, &top, 0, pack_candidate);
		goto out;
	}
	rc = query_candidates(txn, store_index(daemon_g.store), &w, &post, &f,
	    &top, &considered);
	ret = pack_hits(c, rc, &top, considered, pack_candidate);
out:
	query_top_free(&top);
	if (z)
		msgpack_zone_free(z);
	store_snapshot_end(txn);
	return ret;
}

int queries_openings(struct call *c)
{
	static const char *const known[] = { "specialty_id", "k", "kind",
		"region_prefix", "grad_year", NULL };
	match_tag skills[INDEX_TAGS_MAX], chains[INDEX_TAGS_MAX];
	const msgpack_object *sid;
	struct query_filter f;
	struct match_spec spec;
	struct match_weights w = daemon_g.cfg.weights;
	struct query_top top = { 0 };
	unsigned long long considered = 0;
	MDB_txn *txn = NULL;
	msgpack_zone *z = NULL;
	msgpack_object sp, sc;
	long long k;
	int ret = -1, rc;

	if (methods_only_keys(c, known) < 0 ||
	    !(sid = methods_param_id(c, "specialty_id")) ||
	    common_params(c, &k, &f) < 0)
		return -1;
	if (begin(c, &txn) < 0)
		return -1;
	z = msgpack_zone_new(4096);
	if (need(c, txn, SCHEMA_SPECIALTY, sid, "specialty_id", z, &sp) < 0 ||
	    need(c, txn, SCHEMA_SCHOOL, schema_get(&sp, "school_id"),
	    "specialty_id", z, &sc) < 0)
		goto out;
	spec.code = queries_str(schema_opt(&sp, "major_code"));
	spec.region = queries_str(schema_opt(&sc, "region"));
	spec.level = schema_level_of(schema_opt(&sc, "level"));
	spec.available = 0;
	const msgpack_object *coh = schema_opt(&sp, "cohorts");
	for (uint32_t i = 0; coh && i < coh->via.map.size; i++) {
		const msgpack_object *y = &coh->via.map.ptr[i].key;
		if (schema_year(y, NULL) == f.grad_year)
			spec.available = (long long)coh->via.map.ptr[i].val.via.u64;
	}
	spec.skills = skills;
	spec.chains = chains;
	query_top_init(&top, (size_t)k);
	if (!(rc = tag_ids(txn, schema_opt(&sp, "skills"), skills, &spec.nskills)) &&
	    !(rc = tag_ids(txn, schema_opt(&sp, "chains"), chains, &spec.nchains)))
		rc = query_openings(txn, store_index(daemon_g.store), &w, &spec, &f,
		    &top, &considered);
	ret = pack_hits(c, rc, &top, considered, pack_opening);
out:
	query_top_free(&top);
	msgpack_zone_free(z);
	store_snapshot_end(txn);
	return ret;
}

/*
 * stats.balance.  The whole indexes are read (a report, not a lookup);
 * fair_id narrows to the fair's schools and enterprises and sets the
 * default graduation year from the fair's date.  By direction the rows
 * are fair.allocate's, from the fair planner (planners.c).
 */
int queries_balance(struct call *c)
{
	static const char *const known[] = { "by", "region_prefix", "grad_year",
		"fair_id", NULL };
	const msgpack_object *by = schema_opt(c->params, "by");
	const msgpack_object *fid = schema_opt(c->params, "fair_id");
	struct match_str *ids = NULL;
	struct query_scope scope = { 0 };
	struct balance *b = NULL;
	struct balance_row *rows = NULL;
	struct query_filter f;
	MDB_txn *txn = NULL;
	msgpack_zone *z = NULL;
	size_t nrows;
	long long k;
	int ret = -1, rc, which = -1;

	if (methods_only_keys(c, known) < 0 || common_params(c, &k, &f) < 0)
		return -1;
	if (!by)
		return proto_fail(&c->err, PROTO_INVALID_PARAMS, "by", "by is required");
	if ((which = schema_check_enum(by, balance_by_name, "by", &c->err)) < 0)
		return -1;
	if (fid && schema_check_id(fid, "fair_id", &c->err) < 0)
		return -1;
	if (which == BALANCE_DIRECTION && !fid)
		return proto_fail(&c->err, PROTO_INVALID_PARAMS, "fair_id",
		    "by direction needs fair_id");
	if (begin(c, &txn) < 0)
		return -1;
	if (which == BALANCE_DIRECTION) {
		ret = planners_direction_rows(c, txn, fid,
		    schema_opt(c->params, "grad_year") ? f.grad_year : -1,
		    f.region_prefix);
		goto out;
	}
	z = msgpack_zone_new(4096);
	if (fid) {
		msgpack_object fair;
		const msgpack_object *si, *ei, *date;
		int y, month;
		if (need(c, txn, SCHEMA_FAIR, fid, "fair_id", z, &fair) < 0)
			goto out;
		si = schema_opt(&fair, "school_ids");
		ei = schema_opt(&fair, "enterprise_ids");
		date = schema_opt(&fair, "date");
		if (!schema_opt(c->params, "grad_year") &&
		    (y = schema_year(date, &month)) > 0)
			f.grad_year = match_grad_year(y, month);
		scope.nschools = si ? si->via.array.size : 0;
		scope.nenterprises = ei ? ei->via.array.size : 0;
		ids = xmalloc((scope.nschools + scope.nenterprises + 1) * sizeof *ids);
		scope.schools = ids;
		scope.enterprises = ids + scope.nschools;
		for (size_t i = 0; i < scope.nschools; i++)
			scope.schools[i] = queries_str(&si->via.array.ptr[i]);
		for (size_t i = 0; i < scope.nenterprises; i++)
			scope.enterprises[i] = queries_str(&ei->via.array.ptr[i]);
		query_scope_sort(scope.schools, scope.nschools);
		query_scope_sort(scope.enterprises, scope.nenterprises);
	}
	b = balance_new((enum balance_by)which);
	if ((rc = query_balance(txn, store_index(daemon_g.store), b, &f,
	    fid ? &scope : NULL))) {
		proto_fail(&c->err, PROTO_INTERNAL, NULL, "%s", mdb_strerror(rc));
		goto out;
	}
	nrows = balance_rows(b, &rows);
	msgpack_pack_map(c->pk, 1);
	proto_pack_cstr(c->pk, "rows");
	msgpack_pack_array(c->pk, (uint32_t)nrows);
	for (size_t i = 0; i < nrows; i++) {
		msgpack_pack_map(c->pk, 4);
		proto_pack_cstr(c->pk, "key");
		pack_mstr(c->pk, rows[i].key);
		proto_pack_cstr(c->pk, "supply");
		msgpack_pack_uint64(c->pk, rows[i].supply);
		proto_pack_cstr(c->pk, "demand");
		msgpack_pack_double(c->pk, rows[i].demand);
		proto_pack_cstr(c->pk, "ratio");
		if (rows[i].supply)
			msgpack_pack_double(c->pk, rows[i].demand / (double)rows[i].supply);
		else
			msgpack_pack_nil(c->pk);
	}
	ret = 0;
out:
	free(rows);
	balance_free(b);
	free(ids);
	if (z)
		msgpack_zone_free(z);
	store_snapshot_end(txn);
	return ret;
}
