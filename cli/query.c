/*
 * query — `list`, `candidates`, `openings`, `balance`: one call each,
 * printed as a table for people (names joined in with pipelined gets),
 * or as CSV, or as the daemon's own result in JSON (--json).
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "balance.h"
#include "catalog.h"
#include "match.h"

/* Decimals shown: 3 for scores, 2 for factors in text; all in CSV. */
static int dec(const struct opts *o, int text)
{
	return o->fmt == OUT_CSV ? -1 : text;
}

static void add_why(struct table *t, const struct opts *o,
    const msgpack_object *why)
{
	for (int i = 0; i < MATCH_NFACTORS; i++)
		table_add_num(t, schema_num(schema_opt(why, match_factor_name[i])),
		    dec(o, 2));
}

/* A name out of a fetched record ("" when missing). */
static const char *name_of(const struct fetch *f, const msgpack_object *id,
    const char *field, char *buf, size_t cap)
{
	const msgpack_object *rec = id && id->type == MSGPACK_OBJECT_STR ?
	    fetch_get(f, id->via.str.ptr, id->via.str.size) : NULL;
	return schema_str(schema_opt(rec, field), buf, cap);
}

static void fetch_ids(struct fetch *f, const msgpack_object *items,
    uint32_t n, const char *field)
{
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *id = schema_opt(&items[i], field);
		if (id && id->type == MSGPACK_OBJECT_STR)
			fetch_add(f, id->via.str.ptr, id->via.str.size);
	}
}

/*
 * Connect, call method with params, and hand the result to show (or print
 * it as JSON with --json).  Returns the exit status.
 */
static int run(const struct opts *o, const char *method,
    const msgpack_sbuffer *params,
    int (*show)(const struct opts *, struct rpc *, const msgpack_object *,
    void *), void *ctx)
{
	struct rpc r;
	struct rpc_reply rep;
	int rc;

	if ((rc = rpc_open(&r, o)) != 0)
		return rc;
	if ((rc = rpc_call_or_fail(&r, method, params, &rep)) == 0) {
		if (o->fmt == OUT_JSON) {
			json_print(stdout, rep.result);
			putchar('\n');
		} else {
			rc = show(o, &r, rep.result, ctx);
		}
		rpc_reply_free(&rep);
	}
	rpc_close(&r);
	return rc;
}

/* ----------------------------------------------------------------- list */

static int show_list(const struct opts *o, struct rpc *r,
    const msgpack_object *res, void *ctx)
{
	enum schema_kind k = *(enum schema_kind *)ctx;
	struct table t;
	uint32_t n;
	const msgpack_object *items = schema_arr(schema_opt(res, "items"), &n);
	const msgpack_object **recs = xcalloc(n + 1, sizeof *recs);
	char next[SCHEMA_ID_MAX + 1];

	(void)r;
	for (uint32_t i = 0; i < n; i++)
		recs[i] = &items[i];
	table_init(&t, 0, NULL);
	rec_cells(k, recs, n, table_head, table_cell, &t);
	table_print(&t, stdout, o->fmt);
	table_free(&t);
	free(recs);
	if (*schema_str(schema_opt(res, "next"), next, sizeof next))
		cli_err("more records follow: list %s --after %s",
		    schema_kind_name[k], next);
	return 0;
}

/* --filter FIELD=VALUE, typed as the field is (a number or a string). */
static int pack_filters(msgpack_packer *pk, const struct opts *o,
    enum schema_kind k)
{
	msgpack_pack_map(pk, (uint32_t)o->nfilters);
	for (int i = 0; i < o->nfilters; i++) {
		char *eq = strchr(o->filters[i], '='), *end;
		if (!eq || eq == o->filters[i]) {
			cli_err("--filter %s: expected FIELD=VALUE", o->filters[i]);
			return EXIT_USAGE;
		}
		proto_pack_str(pk, o->filters[i], (size_t)(eq - o->filters[i]));
		*eq = 0;
		int num = rec_field_numeric(k, o->filters[i]);
		*eq = '=';
		double d = strtod(eq + 1, &end);
		if (num && eq[1] && !*end && d == floor(d) && fabs(d) < 1e15)
			msgpack_pack_int64(pk, (long long)d);
		else if (num && eq[1] && !*end)
			msgpack_pack_double(pk, d);
		else
			proto_pack_cstr(pk, eq + 1);
	}
	return 0;
}

int cmd_list(const struct opts *o, int argc, char **argv)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	char method[32];
	int k = argc == 2 ? rec_kind_of(argv[1]) : -1, rc;

	if (k < 0) {
		cli_err("usage: chanjiao list KIND [--after ID] [--limit N] "
		    "[--filter FIELD=VALUE]... [--csv|--json]");
		return EXIT_USAGE;
	}
	snprintf(method, sizeof method, "%s.list", schema_kind_name[k]);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, (o->after != NULL) + (o->limit >= 0) +
	    (o->nfilters > 0));
	if (o->after)
		pack_kv_str(&pk, "after", o->after);
	if (o->limit >= 0)
		pack_kv_int(&pk, "limit", o->limit);
	rc = 0;
	if (o->nfilters) {
		proto_pack_cstr(&pk, "filter");
		rc = pack_filters(&pk, o, k);
	}
	if (rc == 0) {
		enum schema_kind kk = k;
		rc = run(o, method, &sb, show_list, &kk);
	}
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

/* ----------------------------------------------------------- candidates */

/*
 * A ranked list of candidates or openings: each item names two records
 * (the hit and its school or enterprise) whose names are fetched, then
 * some plain columns, the score and its factors.
 */
struct hits_view {
	const char *const *head;          /* up to "score"; the factors follow */
	size_t nhead;
	const char *id1, *name1;          /* item key, name field */
	enum schema_kind kind1;
	const char *id2, *name2;
	enum schema_kind kind2;
	const char *const *plain;         /* NULL-terminated item keys */
};

static int show_hits(const struct opts *o, struct rpc *r,
    const msgpack_object *res, const struct hits_view *v)
{
	struct fetch f1 = { 0 }, f2 = { 0 };
	struct table t;
	char buf[SCHEMA_NAME_MAX + 1];
	uint32_t n;
	const msgpack_object *it = schema_arr(schema_opt(res, "items"), &n);
	int rc;

	fetch_ids(&f1, it, n, v->id1);
	fetch_ids(&f2, it, n, v->id2);
	if ((rc = fetch_run(&f1, r, v->kind1)) == 0)
		rc = fetch_run(&f2, r, v->kind2);
	const char *head[16 + MATCH_NFACTORS];
	for (size_t i = 0; i < v->nhead + MATCH_NFACTORS; i++)
		head[i] = i < v->nhead ? v->head[i] : match_factor_name[i - v->nhead];
	table_init(&t, v->nhead + MATCH_NFACTORS, head);
	for (uint32_t i = 0; rc == 0 && i < n; i++) {
		table_addf(&t, "%u", i + 1);
		table_add_obj(&t, schema_opt(&it[i], v->id1));
		table_add(&t, name_of(&f1, schema_opt(&it[i], v->id1), v->name1, buf,
		    sizeof buf));
		table_add_obj(&t, schema_opt(&it[i], v->id2));
		table_add(&t, name_of(&f2, schema_opt(&it[i], v->id2), v->name2, buf,
		    sizeof buf));
		for (size_t k = 0; v->plain[k]; k++)
			table_add_obj(&t, schema_opt(&it[i], v->plain[k]));
		table_add_num(&t, schema_num(schema_opt(&it[i], "score")), dec(o, 3));
		add_why(&t, o, schema_opt(&it[i], "why"));
	}
	if (rc == 0) {
		table_print(&t, stdout, o->fmt);
		if (o->fmt == OUT_TABLE)
			printf("considered: %.0f\n", schema_num(schema_opt(res, "considered")));
	}
	table_free(&t);
	fetch_free(&f1);
	fetch_free(&f2);
	return rc;
}

static int show_candidates(const struct opts *o, struct rpc *r,
    const msgpack_object *res, void *ctx)
{
	static const char *const head[] = {
		"#", "specialty_id", "specialty", "school_id", "school",
		"major_code", "available", "score",
	};
	static const char *const plain[] = { "major_code", "available", NULL };
	static const struct hits_view v = { head, 8, "specialty_id", "name",
		SCHEMA_SPECIALTY, "school_id", "name", SCHEMA_SCHOOL, plain };
	(void)ctx;
	return show_hits(o, r, res, &v);
}

int cmd_candidates(const struct opts *o, int argc, char **argv)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc;

	if (argc != 2) {
		cli_err("usage: chanjiao candidates POSTING_ID [--k N] [--grad-year Y] "
		    "[--region R] [--min-available N] [--csv|--json]");
		return EXIT_USAGE;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1 + (o->k >= 0) + (o->grad_year >= 0) +
	    (o->region != NULL) + (o->min_available >= 0));
	pack_kv_str(&pk, "posting_id", argv[1]);
	if (o->k >= 0)
		pack_kv_int(&pk, "k", o->k);
	if (o->grad_year >= 0)
		pack_kv_int(&pk, "grad_year", o->grad_year);
	if (o->region)
		pack_kv_str(&pk, "region_prefix", o->region);
	if (o->min_available >= 0)
		pack_kv_int(&pk, "min_available", o->min_available);
	rc = run(o, "match.candidates", &sb, show_candidates, NULL);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

/* ------------------------------------------------------------- openings */

static int show_openings(const struct opts *o, struct rpc *r,
    const msgpack_object *res, void *ctx)
{
	static const char *const head[] = {
		"#", "posting_id", "title", "enterprise_id", "enterprise",
		"headcount", "score",
	};
	static const char *const plain[] = { "headcount", NULL };
	static const struct hits_view v = { head, 7, "posting_id", "title",
		SCHEMA_POSTING, "enterprise_id", "name", SCHEMA_ENTERPRISE, plain };
	(void)ctx;
	return show_hits(o, r, res, &v);
}

int cmd_openings(const struct opts *o, int argc, char **argv)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc;

	if (argc != 2) {
		cli_err("usage: chanjiao openings SPECIALTY_ID [--k N] [--kind K] "
		    "[--region R] [--grad-year Y] [--csv|--json]");
		return EXIT_USAGE;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1 + (o->k >= 0) + (o->kind != NULL) +
	    (o->region != NULL) + (o->grad_year >= 0));
	pack_kv_str(&pk, "specialty_id", argv[1]);
	if (o->k >= 0)
		pack_kv_int(&pk, "k", o->k);
	if (o->kind)
		pack_kv_str(&pk, "kind", o->kind);
	if (o->region)
		pack_kv_str(&pk, "region_prefix", o->region);
	if (o->grad_year >= 0)
		pack_kv_int(&pk, "grad_year", o->grad_year);
	rc = run(o, "match.openings", &sb, show_openings, NULL);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

/* -------------------------------------------------------------- balance */

/* Direction names of a fair, for by=direction rows. */
static const msgpack_object *direction_named(const msgpack_object *fair,
    const msgpack_object *key)
{
	uint32_t n;
	const msgpack_object *d = schema_arr(schema_opt(fair, "directions"), &n);

	for (uint32_t i = 0; key && i < n; i++) {
		const msgpack_object *id = schema_opt(&d[i], "id");
		if (id && key->type == MSGPACK_OBJECT_STR &&
		    id->via.str.size == key->via.str.size &&
		    !memcmp(id->via.str.ptr, key->via.str.ptr, key->via.str.size))
			return schema_opt(&d[i], "name");
	}
	return NULL;
}

static int show_balance(const struct opts *o, struct rpc *r,
    const msgpack_object *res, void *ctx)
{
	static const char *const head[] = {
		"key", "name", "supply", "demand", "ratio",
	};
	struct fetch fairs = { 0 };
	const msgpack_object *fair = NULL;
	int named = strcmp(o->by, "industry") != 0, rc = 0;
	struct table t;
	uint32_t n;
	const msgpack_object *rows = schema_arr(schema_opt(res, "rows"), &n);

	(void)ctx;
	if (!strcmp(o->by, "direction") && o->fair) {
		fetch_add(&fairs, o->fair, strlen(o->fair));
		rc = fetch_run(&fairs, r, SCHEMA_FAIR);
		fair = fetch_get(&fairs, o->fair, strlen(o->fair));
	} else if (named) {
		catalog_load();
	}
	table_init(&t, named ? 5 : 4, named ? head : (const char *const[]){
	    "key", "supply", "demand", "ratio" });
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *key = schema_opt(&rows[i], "key");
		table_add_obj(&t, key);
		if (named && fair) {
			table_add_obj(&t, direction_named(fair, key));
		} else if (named) {
			const char *nm = key && key->type == MSGPACK_OBJECT_STR ?
			    catalog_name(key->via.str.ptr, key->via.str.size) : NULL;
			table_add(&t, nm);
		}
		table_add_obj(&t, schema_opt(&rows[i], "supply"));
		table_add_num(&t, schema_num(schema_opt(&rows[i], "demand")), dec(o, 2));
		const msgpack_object *ratio = schema_opt(&rows[i], "ratio");
		if (ratio || o->fmt == OUT_CSV)
			table_add_num(&t, schema_num(ratio), dec(o, 2));
		else
			table_add(&t, "-");
	}
	if (rc == 0)
		table_print(&t, stdout, o->fmt);
	table_free(&t);
	fetch_free(&fairs);
	return rc;
}

int cmd_balance(const struct opts *o, int argc, char **argv)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc, ok = 0;

	(void)argv;
	for (int i = 0; o->by && balance_by_name[i]; i++)
		ok |= !strcmp(o->by, balance_by_name[i]);
	if (argc != 1 || !ok) {
		cli_err("usage: chanjiao balance --by major|major_class|major_group|"
		    "industry|direction [--fair F] [--region R] [--grad-year Y] "
		    "[--csv|--json]");
		return EXIT_USAGE;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1 + (o->fair != NULL) + (o->region != NULL) +
	    (o->grad_year >= 0));
	pack_kv_str(&pk, "by", o->by);
	if (o->fair)
		pack_kv_str(&pk, "fair_id", o->fair);
	if (o->region)
		pack_kv_str(&pk, "region_prefix", o->region);
	if (o->grad_year >= 0)
		pack_kv_int(&pk, "grad_year", o->grad_year);
	rc = run(o, "stats.balance", &sb, show_balance, NULL);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}
