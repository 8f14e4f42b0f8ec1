/*
 * query — `list`, `candidates`, `openings`, `balance`: one call each (or
 * one per --kind), printed through a book (cli.h): a table for people
 * with names joined in from pipelined gets and the reference tables, CSV,
 * a workbook, or the daemon's own result in JSON (--json).
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "balance.h"
#include "match.h"

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

static const msgpack_object *rec_of(const struct fetch *f,
    const msgpack_object *id)
{
	return id && id->type == MSGPACK_OBJECT_STR ?
	    fetch_get(f, id->via.str.ptr, id->via.str.size) : NULL;
}

static void want_id(struct fetch *f, const msgpack_object *id)
{
	if (id && id->type == MSGPACK_OBJECT_STR)
		fetch_add(f, id->via.str.ptr, id->via.str.size);
}

static void fetch_ids(struct fetch *f, const msgpack_object *items,
    uint32_t n, const char *field)
{
	for (uint32_t i = 0; i < n; i++)
		want_id(f, schema_opt(&items[i], field));
}

/* "ID name" of a record (its name field), or the id alone. */
static const char *id_name(const msgpack_object *rec, const char *id,
    const char *field, char *buf, size_t cap)
{
	char name[SCHEMA_NAME_MAX + 1];

	schema_str(schema_opt(rec, field), name, sizeof name);
	snprintf(buf, cap, "%s%s%s", id, *name ? " " : "", name);
	return buf;
}

/* "3307 金华市" of a region prefix. */
static const char *region_label(const char *code, char *buf, size_t cap)
{
	const char *name = ref_region(code, strlen(code));
	snprintf(buf, cap, "%s%s%s", code, name ? " " : "", name ? name : "");
	return buf;
}

/* The year a query asks for: --grad-year, else today's (sent, so that the
 * header shows what the daemon used). */
static long long grad_year_today(const struct opts *o)
{
	return o->grad_year >= 0 ? o->grad_year : cli_grad_year(NULL);
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

/*
 * For people (a table, a workbook, --lang zh CSV) the names of what a
 * record names are joined in after the column (the two print as one
 * cell, "S1 金华技师学院"), and levels and kinds are in words; codes-only
 * CSV is rec_cells' exactly, which imports back.
 */
struct list_ctx {
	enum schema_kind k;
	struct fetch ref[SCHEMA_NKINDS];
};

/* The columns that get a name: the referenced kind, or a table. */
static const struct named {
	const char *field, *name_key;
	int kind;                        /* a kind to fetch, or -1 */
	const char *(*lookup)(const char *, size_t);
} named_cols[] = {
	{ "school_id", "school", SCHEMA_SCHOOL, NULL },
	{ "enterprise_id", "enterprise", SCHEMA_ENTERPRISE, NULL },
	{ "specialty_id", "specialty", SCHEMA_SPECIALTY, NULL },
	{ "region", "region_name", -1, ref_region },
	{ "industry", "industry_name", -1, ref_industry },
	{ "major_code", "major_name", -1, ref_major },
};

static const struct named *named_of(const char *field)
{
	for (size_t i = 0; i < N_OF(named_cols); i++)
		if (!strcmp(field, named_cols[i].field))
			return &named_cols[i];
	return NULL;
}

/* "4601 机械设计制造类（高职）；66 装备制造大类（中职）" of a majors cell. */
static void add_majors(struct table *t, const char *cell, int zh)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *ms = open_memstream(&buf, &len);

	for (const char *p = cell; ms && *p;) {
		size_t n = strcspn(p, ";");
		const char *name = n ? ref_major(p, n) : NULL;
		const char *lv = n ? ref_major_level(p, n) : NULL;
		fprintf(ms, "%s%.*s", p == cell ? "" : zh ? "；" : "; ", (int)n, p);
		if (name)
			fprintf(ms, " %s%s%s%s", name, lv ? (zh ? "（" : " (") : "",
			    lv ? ref_enum(lv, zh) : "", lv ? (zh ? "）" : ")") : "");
		p += n + (p[n] == ';');
	}
	if (ms)
		fclose(ms);
	table_add(t, buf && *buf ? buf : (*cell ? cell : (zh ? "任何专业" :
	    "any major")));
	free(buf);
}

/* A kind's sheet in a workbook. */
static const char *const kind_zh[SCHEMA_NKINDS] = {
	[SCHEMA_SCHOOL] = "学校", [SCHEMA_SPECIALTY] = "专业点",
	[SCHEMA_ENTERPRISE] = "企业", [SCHEMA_POSTING] = "岗位",
	[SCHEMA_FAIR] = "双选会", [SCHEMA_PROGRAM] = "学徒项目",
	[SCHEMA_STUDENT] = "学生",
};

static int show_list(const struct opts *o, struct rpc *r,
    const msgpack_object *res, void *ctx_)
{
	struct list_ctx *ctx = ctx_;
	struct book b;
	struct table raw, *t;
	uint32_t n;
	const msgpack_object *items = schema_arr(schema_opt(res, "items"), &n);
	const msgpack_object **recs = xcalloc(n + 1, sizeof *recs);
	char next[SCHEMA_ID_MAX + 1];
	int rc = 0, people;

	book_init(&b, o);
	people = o->fmt != OUT_CSV || b.zh;
	for (uint32_t i = 0; i < n; i++)
		recs[i] = &items[i];
	table_records(&raw, ctx->k, recs, n);
	if (!people) {
		book_adopt(&b, BOOK_ALL, b.zh ? kind_zh[ctx->k] :
		    schema_kind_plural[ctx->k], "", &raw);
	} else {
		struct col *cols = xcalloc(2 * raw.ncols + 1, sizeof *cols);
		size_t nc = 0;
		for (size_t c = 0; c < raw.ncols; c++) {
			const struct named *nm = named_of(raw.head[c]);
			cols[nc++] = (struct col){ raw.head[c], NULL, nm ? COL_ID : 0 };
			if (nm)
				cols[nc++] = (struct col){ nm->name_key, NULL, 0 };
			if (nm && nm->kind >= 0)
				for (uint32_t i = 0; i < n; i++)
					want_id(&ctx->ref[nm->kind], schema_opt(&items[i],
					    raw.head[c]));
		}
		for (int k = 0; rc == 0 && k < SCHEMA_NKINDS; k++)
			rc = fetch_run(&ctx->ref[k], r, k);
		t = book_table(&b, BOOK_ALL, b.zh ? kind_zh[ctx->k] :
		    schema_kind_plural[ctx->k], "", cols, nc);
		for (size_t row = 0; row < table_rows(&raw); row++)
			for (size_t c = 0; c < raw.ncols; c++) {
				const char *key = raw.head[c];
				const char *cell = raw.cells[row * raw.ncols + c];
				const struct named *nm = named_of(key);
				char name[SCHEMA_NAME_MAX + 1];
				if (!strcmp(key, "majors"))
					add_majors(t, cell, b.zh);
				else if (!strcmp(key, "level") || !strcmp(key, "kind"))
					table_add(t, *cell ? ref_enum(cell, b.zh) : "");
				else
					table_add(t, cell);
				if (!nm)
					continue;
				if (nm->kind >= 0)
					table_add(t, schema_str(schema_opt(fetch_get(&ctx->ref[nm->kind],
					    cell, strlen(cell)), "name"), name, sizeof name));
				else
					table_add(t, *cell ? nm->lookup(cell, strlen(cell)) : NULL);
			}
		for (size_t c = 0; c < raw.ncols; c++)
			for (size_t tc = 0; tc < nc; tc++)
				if (cols[tc].key == raw.head[c])
					t->flags[tc] |= raw.flags[c] & COL_NUM;
		free(cols);
	}
	if (rc == 0)
		rc = book_write(&b);
	book_free(&b);
	table_free(&raw);
	free(recs);
	if (rc == 0 && *schema_str(schema_opt(res, "next"), next, sizeof next))
		cli_err("more records follow: list %s --after %s",
		    schema_kind_name[ctx->k], next);
	return rc;
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
		    "[--filter FIELD=VALUE]... [--csv|--json|--xlsx FILE]");
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
		struct list_ctx ctx = { .k = k };
		rc = run(o, method, &sb, show_list, &ctx);
		for (int i = 0; i < SCHEMA_NKINDS; i++)
			fetch_free(&ctx.ref[i]);
	}
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

/* ----------------------------------------------------- the ranked lists */

static const struct col why_cols[MATCH_NFACTORS] = {
	{ "why.major", NULL, COL_NUM | COL_DEC2 },
	{ "why.skills", NULL, COL_NUM | COL_DEC2 },
	{ "why.region", NULL, COL_NUM | COL_DEC2 },
	{ "why.level", NULL, COL_NUM | COL_DEC2 },
	{ "why.capacity", NULL, COL_NUM | COL_DEC2 },
	{ "why.chain", NULL, COL_NUM | COL_DEC2 },
};

static void add_why(struct table *t, const struct opts *o,
    const msgpack_object *why)
{
	for (int i = 0; i < MATCH_NFACTORS; i++)
		table_add_num(t, schema_num(schema_opt(why, match_factor_name[i])),
		    cli_dec(o, 2));
}

/* The columns of a ranked list: head, then the six factors. */
static struct col *hit_cols(const struct col *head, size_t n)
{
	struct col *c = xcalloc(n + MATCH_NFACTORS, sizeof *c);

	memcpy(c, head, n * sizeof *c);
	memcpy(c + n, why_cols, sizeof why_cols);
	return c;
}

static void considered_foot(struct book *b, const msgpack_object *res,
    uint32_t shown, const char *what_zh)
{
	double considered = schema_num(schema_opt(res, "considered"));

	if (b->zh)
		book_foot(b, "符合条件的%s %.0f 个，列出前 %u 个", what_zh,
		    considered, shown);
	else
		book_foot(b, "considered: %.0f", considered);
}

/* ----------------------------------------------------------- candidates */

/* --query KEY=VALUE,...: an ad-hoc posting (match.candidates' query). */
enum { Q_MAJORS, Q_SKILLS, Q_CHAINS, Q_REGION, Q_LEVEL, Q_HEADCOUNT, Q_NKEYS };
static const char *const query_key[Q_NKEYS] = {
	"majors", "skills", "chains", "region", "level", "headcount",
};

struct query {
	int have[Q_NKEYS];
	char **items[Q_NKEYS];          /* the lists; scalars have one item */
	size_t nitems[Q_NKEYS];
};

static void query_free(struct query *q)
{
	for (int k = 0; k < Q_NKEYS; k++) {
		for (size_t i = 0; i < q->nitems[k]; i++)
			free(q->items[k][i]);
		free(q->items[k]);
	}
}

/* Items of a list value, split at ; or ；, empty ones dropped. */
static void query_items(struct query *q, int k, const char *v, size_t n)
{
	while (n > 0) {
		size_t len = 0;
		while (len < n && v[len] != ';' && !(n - len >= 3 &&
		    !memcmp(v + len, "\xef\xbc\x9b", 3)))
			len++;
		size_t s = 0, e = len;
		while (s < e && v[s] == ' ')
			s++;
		while (e > s && v[e - 1] == ' ')
			e--;
		if (e > s) {
			q->items[k] = xrealloc(q->items[k], (q->nitems[k] + 1) *
			    sizeof *q->items[k]);
			q->items[k][q->nitems[k]++] = xstrndup(v + s, e - s);
		}
		len += len < n ? (v[len] == ';' ? 1 : 3) : 0;
		v += len;
		n -= len;
	}
}

/*
 * Parse every --query arg: items split at ',', each KEY=VALUE, or a
 * VALUE going on with the list before it (majors=4601,4602).  0, or
 * EXIT_USAGE after a message.
 */
static int query_parse(const struct opts *o, struct query *q)
{
	int last = -1;

	memset(q, 0, sizeof *q);
	for (int a = 0; a < o->nquery; a++)
		for (const char *p = o->query[a]; *p;) {
			size_t len = strcspn(p, ","), klen;
			const char *eq = memchr(p, '=', len);
			int k = -1;
			if (!eq && last >= 0 && last <= Q_CHAINS) {
				query_items(q, last, p, len);
			} else if (!eq) {
				cli_err("--query %.*s: expected KEY=VALUE (keys: majors, "
				    "skills, chains, region, level, headcount)", (int)len, p);
				return EXIT_USAGE;
			} else {
				klen = (size_t)(eq - p);
				for (int i = 0; i < Q_NKEYS; i++)
					if (strlen(query_key[i]) == klen &&
					    !memcmp(p, query_key[i], klen))
						k = i;
				if (k < 0 || q->have[k]) {
					cli_err("--query: %s key %.*s (keys: majors, skills, "
					    "chains, region, level, headcount)", k < 0 ?
					    "unknown" : "repeated", (int)klen, p);
					return EXIT_USAGE;
				}
				q->have[k] = 1;
				query_items(q, k, eq + 1, len - klen - 1);
				if (k > Q_CHAINS && q->nitems[k] != 1) {
					cli_err("--query %.*s: one value expected", (int)len, p);
					return EXIT_USAGE;
				}
				last = k;
			}
			p += len + (p[len] == ',');
		}
	if (!q->have[Q_MAJORS]) {
		cli_err("--query needs majors=PREFIX;PREFIX... (majors= alone: any "
		    "major)");
		return EXIT_USAGE;
	}
	if (q->have[Q_HEADCOUNT]) {
		char *end;
		long long v = strtoll(q->items[Q_HEADCOUNT][0], &end, 10);
		if (*end || v < 0) {
			cli_err("--query headcount=%s: expected a whole number",
			    q->items[Q_HEADCOUNT][0]);
			return EXIT_USAGE;
		}
	}
	return 0;
}

static void query_pack(msgpack_packer *pk, const struct query *q)
{
	uint32_t n = 0;

	for (int k = 0; k < Q_NKEYS; k++)
		n += q->have[k];
	msgpack_pack_map(pk, n);
	for (int k = 0; k < Q_NKEYS; k++) {
		if (!q->have[k])
			continue;
		proto_pack_cstr(pk, query_key[k]);
		if (k == Q_HEADCOUNT) {
			msgpack_pack_int64(pk, strtoll(q->items[k][0], NULL, 10));
		} else if (k > Q_CHAINS) {
			proto_pack_cstr(pk, q->items[k][0]);
		} else {
			msgpack_pack_array(pk, (uint32_t)q->nitems[k]);
			for (size_t i = 0; i < q->nitems[k]; i++)
				proto_pack_cstr(pk, q->items[k][i]);
		}
	}
}

/* "majors 4601;66, skills CNC" of a query, for the header. */
static void query_text(const struct query *q, char *buf, size_t cap)
{
	size_t o = 0;

	buf[0] = 0;
	for (int k = 0; k < Q_NKEYS && o < cap; k++) {
		if (!q->have[k])
			continue;
		o += (size_t)snprintf(buf + o, cap - o, "%s%s=", o ? ", " : "",
		    query_key[k]);
		for (size_t i = 0; i < q->nitems[k] && o < cap; i++)
			o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ";" : "",
			    q->items[k][i]);
	}
}

struct cand_ctx {
	const char *posting_id;      /* or NULL with a query */
	const struct query *q;
	long long grad_year;
};

static int show_candidates(const struct opts *o, struct rpc *r,
    const msgpack_object *res, void *ctx_)
{
	static const struct col head[] = {
		{ "#", NULL, COL_NUM },
		{ "specialty_id", NULL, COL_ID }, { "specialty", NULL, 0 },
		{ "school_id", NULL, COL_ID }, { "school", NULL, 0 },
		{ "level", NULL, 0 },
		{ "region", NULL, COL_ID }, { "region_name", NULL, 0 },
		{ "major_code", NULL, COL_ID }, { "major_name", NULL, 0 },
		{ "available", NULL, COL_NUM },
		{ "score", NULL, COL_NUM | COL_DEC3 },
	};
	const struct cand_ctx *ctx = ctx_;
	struct fetch specs = { 0 }, schools = { 0 }, post = { 0 }, ent = { 0 };
	struct col *cols = hit_cols(head, N_OF(head));
	struct book b;
	struct table *t;
	char buf[SCHEMA_NAME_MAX + 128], eb[SCHEMA_NAME_MAX + 80];
	uint32_t n;
	const msgpack_object *it = schema_arr(schema_opt(res, "items"), &n);
	int rc;

	book_init(&b, o);
	fetch_ids(&specs, it, n, "specialty_id");
	fetch_ids(&schools, it, n, "school_id");
	if (ctx->posting_id)
		fetch_add(&post, ctx->posting_id, strlen(ctx->posting_id));
	if ((rc = fetch_run(&specs, r, SCHEMA_SPECIALTY)) == 0 &&
	    (rc = fetch_run(&schools, r, SCHEMA_SCHOOL)) == 0 &&
	    (rc = fetch_run(&post, r, SCHEMA_POSTING)) == 0) {
		const msgpack_object *p = ctx->posting_id ? fetch_get(&post,
		    ctx->posting_id, strlen(ctx->posting_id)) : NULL;
		want_id(&ent, schema_opt(p, "enterprise_id"));
		rc = fetch_run(&ent, r, SCHEMA_ENTERPRISE);
	}
	if (ctx->posting_id) {
		const msgpack_object *p = fetch_get(&post, ctx->posting_id,
		    strlen(ctx->posting_id));
		const msgpack_object *e = schema_opt(p, "enterprise_id");
		char eid[SCHEMA_ID_MAX + 1];
		schema_str(e, eid, sizeof eid);
		id_name(rec_of(&ent, e), eid, "name", eb, sizeof eb);
		id_name(p, ctx->posting_id, "title", buf, sizeof buf);
		book_kv(&b, "岗位", "Posting", "%s%s%s%s", buf, *eid ? (b.zh ?
		    "（" : " (") : "", *eid ? eb : "", *eid ? (b.zh ? "）" : ")") : "");
	} else {
		query_text(ctx->q, buf, sizeof buf);
		book_kv(&b, "临时岗位", "Query", "%s", buf);
	}
	book_kv(&b, "毕业年份", "Graduation year", "%lld", ctx->grad_year);
	if (o->region)
		book_kv(&b, "学校地区", "Schools in", "%s",
		    region_label(o->region, buf, sizeof buf));
	if (o->min_available >= 0)
		book_kv(&b, "至少可供", "At least available", "%lld",
		    o->min_available);
	t = book_table(&b, BOOK_ALL, b.zh ? "候选专业" : "candidates",
	    b.zh ? "候选专业点" : "", cols, N_OF(head) + MATCH_NFACTORS);
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *sid = schema_opt(&it[i], "specialty_id");
		const msgpack_object *sch = rec_of(&schools, schema_opt(&it[i],
		    "school_id"));
		const msgpack_object *code = schema_opt(&it[i], "major_code");
		const msgpack_object *mname = schema_opt(&it[i], "major_name");
		table_addf(t, "%u", i + 1);
		table_add_obj(t, sid);
		table_add_obj(t, schema_opt(rec_of(&specs, sid), "name"));
		table_add_obj(t, schema_opt(&it[i], "school_id"));
		table_add_obj(t, schema_opt(sch, "name"));
		table_add_enum(t, schema_opt(sch, "level"), b.zh);
		table_add_region(t, schema_opt(sch, "region"));
		if (mname) {
			table_add_obj(t, code);
			table_add_obj(t, mname);
		} else {
			table_add_major(t, code);
		}
		table_add_obj(t, schema_opt(&it[i], "available"));
		table_add_num(t, schema_num(schema_opt(&it[i], "score")),
		    cli_dec(o, 3));
		add_why(t, o, schema_opt(&it[i], "why"));
	}
	considered_foot(&b, res, n, "专业点");
	if (rc == 0)
		rc = book_write(&b);
	book_free(&b);
	free(cols);
	fetch_free(&specs);
	fetch_free(&schools);
	fetch_free(&post);
	fetch_free(&ent);
	return rc;
}

int cmd_candidates(const struct opts *o, int argc, char **argv)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct query q;
	struct cand_ctx ctx = { argc == 2 ? argv[1] : NULL, &q,
		grad_year_today(o) };
	int rc;

	memset(&q, 0, sizeof q);
	if (argc > 2 || (argc == 2) == (o->nquery > 0)) {
		cli_err("usage: chanjiao candidates POSTING_ID | candidates --query "
		    "majors=4601,66,skills=CNC,... [--k N] [--grad-year Y] "
		    "[--region R] [--min-available N]%s", argc == 2 && o->nquery ?
		    " (a posting or a query, not both)" : "");
		return EXIT_USAGE;
	}
	if (o->nquery && (rc = query_parse(o, &q)) != 0) {
		query_free(&q);
		return rc;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2 + (o->k >= 0) + (o->region != NULL) +
	    (o->min_available >= 0));
	if (ctx.posting_id) {
		pack_kv_str(&pk, "posting_id", ctx.posting_id);
	} else {
		proto_pack_cstr(&pk, "query");
		query_pack(&pk, &q);
	}
	if (o->k >= 0)
		pack_kv_int(&pk, "k", o->k);
	pack_kv_int(&pk, "grad_year", ctx.grad_year);
	if (o->region)
		pack_kv_str(&pk, "region_prefix", o->region);
	if (o->min_available >= 0)
		pack_kv_int(&pk, "min_available", o->min_available);
	rc = run(o, "match.candidates", &sb, show_candidates, &ctx);
	msgpack_sbuffer_destroy(&sb);
	query_free(&q);
	return rc;
}

/* ------------------------------------------------------------- openings */

struct open_ctx {
	const char *specialty_id;
	char **kinds;
	size_t nkinds;
	long long grad_year;
};

static int show_openings(const struct opts *o, struct rpc *r,
    const msgpack_object *res, void *ctx_)
{
	static const struct col head[] = {
		{ "#", NULL, COL_NUM },
		{ "posting_id", NULL, COL_ID }, { "title", "岗位", 0 },
		{ "enterprise_id", NULL, COL_ID }, { "enterprise", NULL, 0 },
		{ "kind", NULL, 0 },
		{ "region", NULL, COL_ID }, { "region_name", NULL, 0 },
		{ "headcount", NULL, COL_NUM },
		{ "score", NULL, COL_NUM | COL_DEC3 },
	};
	const struct open_ctx *ctx = ctx_;
	struct fetch posts = { 0 }, ents = { 0 }, spec = { 0 }, school = { 0 };
	struct col *cols = hit_cols(head, N_OF(head));
	struct book b;
	struct table *t;
	char buf[SCHEMA_NAME_MAX + 128], code[16], sch[SCHEMA_NAME_MAX + 80];
	uint32_t n;
	const msgpack_object *it = schema_arr(schema_opt(res, "items"), &n);
	const msgpack_object *sp;
	int rc;

	book_init(&b, o);
	fetch_ids(&posts, it, n, "posting_id");
	fetch_ids(&ents, it, n, "enterprise_id");
	fetch_add(&spec, ctx->specialty_id, strlen(ctx->specialty_id));
	if ((rc = fetch_run(&posts, r, SCHEMA_POSTING)) == 0 &&
	    (rc = fetch_run(&ents, r, SCHEMA_ENTERPRISE)) == 0 &&
	    (rc = fetch_run(&spec, r, SCHEMA_SPECIALTY)) == 0) {
		want_id(&school, schema_opt(fetch_get(&spec, ctx->specialty_id,
		    strlen(ctx->specialty_id)), "school_id"));
		rc = fetch_run(&school, r, SCHEMA_SCHOOL);
	}
	sp = fetch_get(&spec, ctx->specialty_id, strlen(ctx->specialty_id));
	schema_str(schema_opt(sp, "major_code"), code, sizeof code);
	{
		const msgpack_object *sid = schema_opt(sp, "school_id");
		char id[SCHEMA_ID_MAX + 1];
		schema_str(sid, id, sizeof id);
		id_name(rec_of(&school, sid), id, "name", sch, sizeof sch);
	}
	id_name(sp, ctx->specialty_id, "name", buf, sizeof buf);
	book_kv(&b, "专业点", "Specialty", "%s%s%s%s%s%s", buf, b.zh ? "（" : " (",
	    code, *code ? (b.zh ? "，" : ", ") : "", sch, b.zh ? "）" : ")");
	book_kv(&b, "毕业年份", "Graduation year", "%lld", ctx->grad_year);
	if (ctx->nkinds) {
		char kinds[256] = "";
		for (size_t i = 0; i < ctx->nkinds; i++)
			snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds),
			    "%s%s", i ? (b.zh ? "、" : ", ") : "",
			    ref_enum(ctx->kinds[i], b.zh));
		book_kv(&b, "岗位类型", "Kinds", "%s", kinds);
	}
	if (o->region)
		book_kv(&b, "岗位地区", "Postings in", "%s",
		    region_label(o->region, buf, sizeof buf));
	t = book_table(&b, BOOK_ALL, b.zh ? "适合岗位" : "openings",
	    b.zh ? "适合的岗位" : "", cols, N_OF(head) + MATCH_NFACTORS);
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *pid = schema_opt(&it[i], "posting_id");
		const msgpack_object *eid = schema_opt(&it[i], "enterprise_id");
		const msgpack_object *p = rec_of(&posts, pid), *e = rec_of(&ents, eid);
		const msgpack_object *region = schema_opt(p, "region");
		table_addf(t, "%u", i + 1);
		table_add_obj(t, pid);
		table_add_obj(t, schema_opt(p, "title"));
		table_add_obj(t, eid);
		table_add_obj(t, schema_opt(e, "name"));
		table_add_enum(t, schema_opt(p, "kind"), b.zh);
		table_add_region(t, region ? region : schema_opt(e, "region"));
		table_add_obj(t, schema_opt(&it[i], "headcount"));
		table_add_num(t, schema_num(schema_opt(&it[i], "score")),
		    cli_dec(o, 3));
		add_why(t, o, schema_opt(&it[i], "why"));
	}
	considered_foot(&b, res, n, "岗位");
	if (rc == 0)
		rc = book_write(&b);
	book_free(&b);
	free(cols);
	fetch_free(&posts);
	fetch_free(&ents);
	fetch_free(&spec);
	fetch_free(&school);
	return rc;
}

/* ---- several kinds: one call each, merged by score as the daemon orders */

struct merge {
	const struct opts *o;
	const struct open_ctx *ctx;
	struct rpc_reply *rep;       /* one per kind */
	int rc;
};

static void pack_openings(msgpack_packer *pk, const struct opts *o,
    const struct open_ctx *ctx, const char *kind)
{
	msgpack_pack_map(pk, 2 + (o->k >= 0) + (kind != NULL) +
	    (o->region != NULL));
	pack_kv_str(pk, "specialty_id", ctx->specialty_id);
	if (o->k >= 0)
		pack_kv_int(pk, "k", o->k);
	if (kind)
		pack_kv_str(pk, "kind", kind);
	if (o->region)
		pack_kv_str(pk, "region_prefix", o->region);
	pack_kv_int(pk, "grad_year", ctx->grad_year);
}

static void merge_pack(size_t i, msgpack_packer *pk, void *m_)
{
	struct merge *m = m_;
	pack_openings(pk, m->o, m->ctx, m->ctx->kinds[i]);
}

static int merge_done(size_t i, struct rpc_reply *rep, void *m_)
{
	struct merge *m = m_;

	if (rep->error) {
		if (m->rc == 0)
			m->rc = rpc_report("match.openings", rep->error);
		return 0;
	}
	m->rep[i] = *rep;                /* kept: its value moves here */
	msgpack_unpacked_init(&rep->u);
	return 0;
}

static int hit_cmp(const void *a, const void *b)
{
	const msgpack_object *x = *(const msgpack_object *const *)a;
	const msgpack_object *y = *(const msgpack_object *const *)b;
	double sx = round(schema_num(schema_opt(x, "score")) * 1e9);
	double sy = round(schema_num(schema_opt(y, "score")) * 1e9);
	char ix[SCHEMA_ID_MAX + 1], iy[SCHEMA_ID_MAX + 1];

	if (sx != sy)
		return sx < sy ? 1 : -1;
	return strcmp(schema_str(schema_opt(x, "posting_id"), ix, sizeof ix),
	    schema_str(schema_opt(y, "posting_id"), iy, sizeof iy));
}

/* {items: the best k of all, considered: Σ} packed into sb. */
static void merge_pack_result(const struct merge *m, size_t nrep,
    msgpack_sbuffer *sb)
{
	msgpack_packer pk;
	const msgpack_object **all = NULL;
	size_t n = 0, k = m->o->k >= 0 ? (size_t)m->o->k : 20;
	double considered = 0;

	for (size_t i = 0; i < nrep; i++) {
		uint32_t ni;
		const msgpack_object *it = schema_arr(schema_opt(m->rep[i].result,
		    "items"), &ni);
		all = xrealloc(all, (n + ni + 1) * sizeof *all);
		for (uint32_t j = 0; j < ni; j++)
			all[n++] = &it[j];
		considered += schema_num(schema_opt(m->rep[i].result, "considered"));
	}
	qsort(all, n, sizeof *all, hit_cmp);
	if (n > k)
		n = k;
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2);
	proto_pack_cstr(&pk, "items");
	msgpack_pack_array(&pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		msgpack_pack_object(&pk, *all[i]);
	proto_pack_cstr(&pk, "considered");
	msgpack_pack_uint64(&pk, (uint64_t)considered);
	free(all);
}

static int openings_merged(const struct opts *o, const struct open_ctx *ctx)
{
	struct merge m = { o, ctx, xcalloc(ctx->nkinds, sizeof *m.rep), 0 };
	struct rpc r;
	int rc;

	if ((rc = rpc_open(&r, o)) != 0) {
		free(m.rep);
		return rc;
	}
	if (rpc_pipeline(&r, "match.openings", ctx->nkinds, merge_pack,
	    merge_done, &m) < 0)
		rc = EXIT_CONN;
	else
		rc = m.rc;
	if (rc == 0) {
		msgpack_sbuffer sb;
		msgpack_zone z;
		msgpack_object res;
		size_t off = 0;
		msgpack_sbuffer_init(&sb);
		merge_pack_result(&m, ctx->nkinds, &sb);
		msgpack_zone_init(&z, 4096);
		msgpack_unpack(sb.data, sb.size, &off, &z, &res);
		if (o->fmt == OUT_JSON) {
			json_print(stdout, &res);
			putchar('\n');
		} else {
			rc = show_openings(o, &r, &res, (void *)ctx);
		}
		msgpack_zone_destroy(&z);
		msgpack_sbuffer_destroy(&sb);
	}
	for (size_t i = 0; i < ctx->nkinds; i++)
		if (m.rep[i].result)
			rpc_reply_free(&m.rep[i]);
	free(m.rep);
	rpc_close(&r);
	return rc;
}

int cmd_openings(const struct opts *o, int argc, char **argv)
{
	struct open_ctx ctx = { argc == 2 ? argv[1] : NULL, NULL, 0,
		grad_year_today(o) };
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc;

	if (argc != 2) {
		cli_err("usage: chanjiao openings SPECIALTY_ID [--k N] [--kind K]... "
		    "[--region R] [--grad-year Y]");
		return EXIT_USAGE;
	}
	ctx.kinds = cli_split(o->kinds, (size_t)o->nkinds, &ctx.nkinds);
	if (ctx.nkinds > 1) {
		rc = openings_merged(o, &ctx);
	} else {
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		pack_openings(&pk, o, &ctx, ctx.nkinds ? ctx.kinds[0] : NULL);
		rc = run(o, "match.openings", &sb, show_openings, &ctx);
		msgpack_sbuffer_destroy(&sb);
	}
	for (size_t i = 0; i < ctx.nkinds; i++)
		free(ctx.kinds[i]);
	free(ctx.kinds);
	return rc;
}

/* -------------------------------------------------------------- balance */

struct bal_ctx {
	long long grad_year;         /* sent, or -1: the fair date's */
};

/* The words of each `by`: the key's heading, the name's, the summary's. */
static const struct {
	const char *by, *key_zh, *name_zh, *what_zh, *what_en;
} by_words[] = {
	{ "major", "专业代码", "专业", "专业", "major" },
	{ "major_class", "专业类代码", "专业类", "专业类", "major class" },
	{ "major_group", "大类代码", "专业大类", "专业大类", "major group" },
	{ "industry", "行业代码", "行业", "行业门类（GB/T 4754）",
	  "industry division" },
	{ "direction", "方向编号", "方向", "双选会方向", "fair direction" },
};

static int show_balance(const struct opts *o, struct rpc *r,
    const msgpack_object *res, void *ctx_)
{
	const struct bal_ctx *ctx = ctx_;
	struct fetch fairs = { 0 };
	const msgpack_object *fair = NULL;
	int major = strncmp(o->by, "major", 5) == 0, w = 0, rc = 0;
	struct book b;
	struct table *t;
	uint32_t n;
	const msgpack_object *rows = schema_arr(schema_opt(res, "rows"), &n);
	char buf[SCHEMA_NAME_MAX + 64], date[16];
	long long year = ctx->grad_year;

	book_init(&b, o);
	while (strcmp(by_words[w].by, o->by))
		w++;
	if (o->fair) {
		fetch_add(&fairs, o->fair, strlen(o->fair));
		rc = fetch_run(&fairs, r, SCHEMA_FAIR);
		fair = fetch_get(&fairs, o->fair, strlen(o->fair));
		schema_str(schema_opt(fair, "date"), date, sizeof date);
		if (year < 0)
			year = cli_grad_year(date);
	}
	book_kv(&b, "统计口径", "By", "%s", b.zh ? by_words[w].what_zh :
	    by_words[w].what_en);
	book_kv(&b, "毕业年份", "Graduation year", "%lld", year);
	if (fair)
		book_kv(&b, "双选会", "Fair", b.zh ? "%s（%s）" : "%s (%s)",
		    id_name(fair, o->fair, "name", buf, sizeof buf), date);
	if (o->region)
		book_kv(&b, "地区", "Region", "%s",
		    region_label(o->region, buf, sizeof buf));
	{
		struct col cols[] = {
			{ "key", by_words[w].key_zh, COL_ID },
			{ "name", by_words[w].name_zh, 0 },
			{ "level", NULL, 0 },
			{ "supply", NULL, COL_NUM },
			{ "demand", NULL, COL_NUM | COL_DEC2 },
			{ "ratio", NULL, COL_NUM | COL_DEC2 },
		};
		if (!major)
			memmove(&cols[2], &cols[3], 3 * sizeof cols[0]);
		t = book_table(&b, BOOK_ALL, b.zh ? "供需" : "balance",
		    b.zh ? "毕业生与岗位需求" : "", cols, major ? 6 : 5);
	}
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *key = schema_opt(&rows[i], "key");
		char k[SCHEMA_ID_MAX + 1];
		const char *name = NULL;
		schema_str(key, k, sizeof k);
		if (!strcmp(k, "*"))
			name = b.zh ? "任何专业" : "any major";
		else if (!strcmp(k, "-") && !strcmp(o->by, "industry"))
			name = b.zh ? "未填行业" : "no industry given";
		else if (!strcmp(o->by, "direction")) {
			uint32_t nd;
			const msgpack_object *d = schema_arr(schema_opt(fair,
			    "directions"), &nd);
			for (uint32_t j = 0; j < nd && !name; j++) {
				char id[SCHEMA_ID_MAX + 1];
				if (!strcmp(schema_str(schema_opt(&d[j], "id"), id,
				    sizeof id), k))
					name = schema_str(schema_opt(&d[j], "name"), buf,
					    sizeof buf);
			}
		} else if (!strcmp(o->by, "industry"))
			name = ref_industry(k, strlen(k));
		else
			name = ref_major(k, strlen(k));
		table_add(t, k);
		table_add(t, name);
		if (major)
			table_add(t, ref_enum(ref_major_level(k, strlen(k)), b.zh));
		table_add_obj(t, schema_opt(&rows[i], "supply"));
		table_add_num(t, schema_num(schema_opt(&rows[i], "demand")),
		    cli_dec(o, 2));
		const msgpack_object *ratio = schema_opt(&rows[i], "ratio");
		if (ratio && ratio->type != MSGPACK_OBJECT_NIL)
			table_add_num(t, schema_num(ratio), cli_dec(o, 2));
		else
			table_add(t, o->fmt == OUT_TABLE ? "-" : "");
	}
	if (rc == 0)
		rc = book_write(&b);
	book_free(&b);
	fetch_free(&fairs);
	return rc;
}

int cmd_balance(const struct opts *o, int argc, char **argv)
{
	struct bal_ctx ctx = { -1 };
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc, ok = 0;

	(void)argv;
	for (int i = 0; o->by && balance_by_name[i]; i++)
		ok |= !strcmp(o->by, balance_by_name[i]);
	if (argc != 1 || !ok) {
		cli_err("usage: chanjiao balance --by major|major_class|major_group|"
		    "industry|direction [--fair F] [--region R] [--grad-year Y]");
		return EXIT_USAGE;
	}
	/* with a fair the daemon takes its date's year: said after fair.get */
	ctx.grad_year = o->grad_year >= 0 ? o->grad_year : o->fair ? -1 :
	    cli_grad_year(NULL);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1 + (o->fair != NULL) + (o->region != NULL) +
	    (ctx.grad_year >= 0));
	pack_kv_str(&pk, "by", o->by);
	if (o->fair)
		pack_kv_str(&pk, "fair_id", o->fair);
	if (o->region)
		pack_kv_str(&pk, "region_prefix", o->region);
	if (ctx.grad_year >= 0)
		pack_kv_int(&pk, "grad_year", ctx.grad_year);
	rc = run(o, "stats.balance", &sb, show_balance, &ctx);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}
