/*
 * plans — `orderclass plan` and `apprenticeship match`, written against
 * docs/protocol.md's orderclass.plan and apprenticeship.match.
 *
 * One planner call each; the records its answer names are then fetched
 * (pipelined gets), so every id is shown beside its name.  A table for
 * people, in Chinese (--lang en: English), with a summary (per specialty:
 * graduates, placed in a class, left without one; per program: capacity
 * and filled) and a closing line; --csv the primary table (field names,
 * ids and names in columns of their own); --xlsx every table, a sheet
 * each; --json the daemon's result as it came plus a `names` map:
 * {kind: {id: {name, ...} or nil}}.
 */
#include "cli.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

/* ------------------------------------------------------------ names */

/* The field that names a record of each kind (students have none). */
static const char *const label_field[SCHEMA_NKINDS] = {
	[SCHEMA_SCHOOL] = "name", [SCHEMA_SPECIALTY] = "name",
	[SCHEMA_ENTERPRISE] = "name", [SCHEMA_PROGRAM] = "title",
};

/* The fields of each kind that --json's `names` carries. */
static const char *const json_fields[SCHEMA_NKINDS][4] = {
	[SCHEMA_SCHOOL] = { "name" },
	[SCHEMA_SPECIALTY] = { "name", "major_code", "school_id" },
	[SCHEMA_ENTERPRISE] = { "name" },
	[SCHEMA_PROGRAM] = { "title", "enterprise_id" },
	[SCHEMA_STUDENT] = { "specialty_id" },
};

/* Kinds in fetch order: a record's references are fetched after it. */
static const enum schema_kind fetch_order[] = {
	SCHEMA_STUDENT, SCHEMA_PROGRAM, SCHEMA_SPECIALTY, SCHEMA_SCHOOL,
	SCHEMA_ENTERPRISE,
};

static const struct ref {
	enum schema_kind from, to;
	const char *field;
} refs[] = {
	{ SCHEMA_STUDENT, SCHEMA_SPECIALTY, "specialty_id" },
	{ SCHEMA_PROGRAM, SCHEMA_ENTERPRISE, "enterprise_id" },
	{ SCHEMA_SPECIALTY, SCHEMA_SCHOOL, "school_id" },
};

/* The records named, of the kinds in `kinds` (bit 1 << kind) only. */
struct names {
	unsigned kinds;
	struct fetch f[SCHEMA_NKINDS];
};

static void want(struct names *nm, enum schema_kind k, const msgpack_object *id)
{
	if ((nm->kinds >> k & 1) && id && id->type == MSGPACK_OBJECT_STR)
		fetch_add(&nm->f[k], id->via.str.ptr, id->via.str.size);
}

/* The ids under key in every item of an array of maps. */
static void want_items(struct names *nm, enum schema_kind k,
    const msgpack_object *arr, const char *key)
{
	uint32_t n;
	const msgpack_object *a = schema_arr(arr, &n);

	for (uint32_t i = 0; i < n; i++)
		want(nm, k, schema_opt(&a[i], key));
}

/* A map's keys (of kind k) and, where a value is an array, its items
 * (of kind vk). */
static void want_map(struct names *nm, enum schema_kind k,
    enum schema_kind vk, const msgpack_object *map)
{
	if (!map || map->type != MSGPACK_OBJECT_MAP)
		return;
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		uint32_t n;
		const msgpack_object *a = schema_arr(&map->via.map.ptr[i].val, &n);
		want(nm, k, &map->via.map.ptr[i].key);
		for (uint32_t j = 0; j < n; j++)
			want(nm, vk, &a[j]);
	}
}

static int names_fetch(struct names *nm, struct rpc *r)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < N_OF(fetch_order); i++) {
		enum schema_kind k = fetch_order[i];
		const struct fetch *f = &nm->f[k];
		rc = fetch_run(&nm->f[k], r, k);
		for (size_t j = 0; rc == 0 && j < N_OF(refs); j++)
			for (size_t s = 0; refs[j].from == k && s < f->n; s++)
				want(nm, refs[j].to, schema_opt(f->rep[s].result,
				    refs[j].field));
	}
	return rc;
}

static void names_free(struct names *nm)
{
	for (int k = 0; k < SCHEMA_NKINDS; k++)
		fetch_free(&nm->f[k]);
}

/* A fetched record's slot, or f->n when it was not fetched. */
static size_t slot_of(const struct fetch *f, const msgpack_object *id)
{
	size_t *s = id && id->type == MSGPACK_OBJECT_STR && f->idx.t ?
	    strtab_find(&f->idx, id->via.str.ptr, id->via.str.size) : NULL;
	return s && *s ? *s - 1 : f->n;
}

static const msgpack_object *field_of(const struct names *nm,
    enum schema_kind k, const msgpack_object *id, const char *field)
{
	const msgpack_object *rec = id && id->type == MSGPACK_OBJECT_STR ?
	    fetch_get(&nm->f[k], id->via.str.ptr, id->via.str.size) : NULL;
	return schema_opt(rec, field);
}

/* Cells of a record beside its id: 1 in text, else add_named's count. */
static int named_width(const struct opts *o, enum schema_kind k)
{
	if (o->fmt == OUT_TABLE)
		return 1;
	return 1 + (label_field[k] != NULL) + (k == SCHEMA_SPECIALTY);
}

/* The columns of a record beside its id: one in text (headed zh or en),
 * else id, name and (a specialty's) major code. */
static size_t named_cols(struct col *c, const struct opts *o,
    enum schema_kind k)
{
	static const struct {
		const char *id, *name, *zh;
	} w[SCHEMA_NKINDS] = {
		[SCHEMA_SCHOOL] = { "school_id", "school", "学校" },
		[SCHEMA_SPECIALTY] = { "specialty_id", "specialty", "专业" },
		[SCHEMA_ENTERPRISE] = { "enterprise_id", "enterprise", "企业" },
		[SCHEMA_PROGRAM] = { "program_id", "program", "项目" },
		[SCHEMA_STUDENT] = { "student_id", "student", "学生" },
	};
	size_t n = 0;

	if (o->fmt == OUT_TABLE) {
		c[n++] = (struct col){ w[k].name, w[k].zh, 0 };
		return n;
	}
	c[n++] = (struct col){ w[k].id, NULL, 0 };
	if (label_field[k])
		c[n++] = (struct col){ w[k].name, NULL, 0 };
	if (k == SCHEMA_SPECIALTY)
		c[n++] = (struct col){ "major_code", NULL, 0 };
	return n;
}

/*
 * A record beside its id: in text one cell, "SP1 数控技术应用 (660103)";
 * in CSV and workbooks the id, the name and (a specialty's) major code,
 * each a cell.
 */
static void add_named(struct table *t, const struct opts *o,
    const struct names *nm, enum schema_kind k, const msgpack_object *id)
{
	char idb[SCHEMA_ID_MAX + 1], name[SCHEMA_NAME_MAX + 1], code[16];
	const char *field = label_field[k];

	schema_str(id, idb, sizeof idb);
	schema_str(field ? field_of(nm, k, id, field) : NULL, name, sizeof name);
	schema_str(k == SCHEMA_SPECIALTY ? field_of(nm, k, id, "major_code") :
	    NULL, code, sizeof code);
	if (o->fmt != OUT_TABLE) {
		table_add(t, idb);
		if (field)
			table_add(t, name);
		if (k == SCHEMA_SPECIALTY)
			table_add(t, code);
		return;
	}
	table_addf(t, "%s%s%s%s%s%s", idb, *name ? " " : "", name,
	    *code ? " (" : "", code, *code ? ")" : "");
}

static void pack_names(msgpack_packer *pk, const struct names *nm)
{
	uint32_t nk = 0;

	for (int k = 0; k < SCHEMA_NKINDS; k++)
		nk += nm->kinds >> k & 1;
	msgpack_pack_map(pk, nk);
	for (int k = 0; k < SCHEMA_NKINDS; k++) {
		const struct fetch *f = &nm->f[k];
		if (!(nm->kinds >> k & 1))
			continue;
		proto_pack_cstr(pk, schema_kind_name[k]);
		msgpack_pack_map(pk, (uint32_t)f->n);
		for (size_t i = 0; i < f->n; i++) {
			const msgpack_object *rec = f->rep[i].result;
			uint32_t nf = 0;
			proto_pack_cstr(pk, f->ids[i]);
			if (!rec) {
				msgpack_pack_nil(pk);
				continue;
			}
			for (int j = 0; json_fields[k][j]; j++)
				nf += schema_opt(rec, json_fields[k][j]) != NULL;
			msgpack_pack_map(pk, nf);
			for (int j = 0; json_fields[k][j]; j++) {
				const msgpack_object *v = schema_opt(rec, json_fields[k][j]);
				if (v) {
					proto_pack_cstr(pk, json_fields[k][j]);
					msgpack_pack_object(pk, *v);
				}
			}
		}
	}
}

/* The result's own keys, untouched, and `names`. */
static void print_json(const msgpack_object *res, const struct names *nm)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_zone z;
	msgpack_object out;
	size_t off = 0;

	if (res->type != MSGPACK_OBJECT_MAP) {
		json_print(stdout, res);
		putchar('\n');
		return;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, res->via.map.size + 1);
	for (uint32_t i = 0; i < res->via.map.size; i++) {
		msgpack_pack_object(&pk, res->via.map.ptr[i].key);
		msgpack_pack_object(&pk, res->via.map.ptr[i].val);
	}
	proto_pack_cstr(&pk, "names");
	pack_names(&pk, nm);
	msgpack_zone_init(&z, 4096);
	msgpack_unpack(sb.data, sb.size, &off, &z, &out);
	json_print(stdout, &out);
	putchar('\n');
	msgpack_zone_destroy(&z);
	msgpack_sbuffer_destroy(&sb);
}

/* ------------------------------------------------------- the one call */

struct plan {
	const struct opts *o;
	char **list;               /* --kinds, or the program ids, split at ',' */
	size_t nlist;
	int explain;               /* asked of the daemon */
	long long grad_year;       /* asked for, or -1: every student's own */
	struct names nm;
};

struct plan_ops {
	const char *method;
	void (*pack)(msgpack_packer *pk, const struct plan *p);
	void (*want)(struct plan *p, const msgpack_object *res);
	int (*show)(const struct plan *p, const msgpack_object *res);
};

char **cli_split(const char *const *args, size_t nargs, size_t *n)
{
	char **v = NULL;
	size_t k = 0;

	for (size_t i = 0; i < nargs; i++)
		for (const char *s = args[i];; s++) {
			size_t len = strcspn(s, ",");
			v = xrealloc(v, (k + 1) * sizeof *v);
			v[k++] = xstrndup(s, len);
			s += len;
			if (!*s)
				break;
		}
	*n = k;
	return v;
}

static void pack_list(msgpack_packer *pk, const char *key, const struct plan *p)
{
	proto_pack_cstr(pk, key);
	msgpack_pack_array(pk, (uint32_t)p->nlist);
	for (size_t i = 0; i < p->nlist; i++)
		proto_pack_cstr(pk, p->list[i]);
}

static void pack_explain(msgpack_packer *pk, const struct plan *p)
{
	if (p->explain) {
		proto_pack_cstr(pk, "explain");
		msgpack_pack_true(pk);
	}
}

static int plan_run(struct plan *p, const struct plan_ops *ops)
{
	const struct opts *o = p->o;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct rpc r;
	struct rpc_reply rep;
	int rc;

	msgpack_sbuffer_init(&sb);
	if ((rc = rpc_open(&r, o)) != 0)
		goto out;
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	ops->pack(&pk, p);
	if (rpc_call(&r, ops->method, &sb, &rep) < 0) {
		rc = EXIT_CONN;
	} else if (rep.error) {
		struct rpc_error e;
		rc = rpc_report(ops->method, rep.error);
		rpc_error_of(rep.error, &e);
		if (e.code == 1013 && p->explain && !o->explain)
			cli_err("the table's summary needs the plan's audit data "
			    "(explain), too large here: narrow the plan with "
			    "--school or --region, or use --csv or --json");
		rpc_reply_free(&rep);
	} else {
		ops->want(p, rep.result);
		if ((rc = names_fetch(&p->nm, &r)) == 0) {
			if (o->fmt == OUT_JSON)
				print_json(rep.result, &p->nm);
			else
				rc = ops->show(p, rep.result);
		}
		rpc_reply_free(&rep);
	}
	rpc_close(&r);
out:
	msgpack_sbuffer_destroy(&sb);
	names_free(&p->nm);
	for (size_t i = 0; i < p->nlist; i++)
		free(p->list[i]);
	free(p->list);
	return rc;
}

static int dec(const struct opts *o, int text)
{
	return cli_dec(o, text);
}

/* The words of the book's language. */
#define TR(b, zh_, en_) ((b)->zh ? (zh_) : (en_))

static int str_order(const msgpack_object *a, const msgpack_object *b)
{
	size_t an = a && a->type == MSGPACK_OBJECT_STR ? a->via.str.size : 0;
	size_t bn = b && b->type == MSGPACK_OBJECT_STR ? b->via.str.size : 0;
	int c = memcmp(an ? a->via.str.ptr : "", bn ? b->via.str.ptr : "",
	    an < bn ? an : bn);
	return c ? c : (an > bn) - (an < bn);
}

/* A map of id → value (a number, or an array of ids) as a section: the key
 * named, the value or the ids joined. */
static void add_map(struct book *b, const struct plan *p, const char *sheet,
    const char *title, enum schema_kind k, const char *vkey,
    const msgpack_object *map)
{
	struct col cols[4];
	size_t nc = named_cols(cols, p->o, k);
	struct table *t;

	cols[nc++] = (struct col){ vkey, NULL, strcmp(vkey, "demand") ? 0 :
	    COL_NUM };
	t = book_table(b, BOOK_TEXT | BOOK_XLSX, sheet, title, cols, nc);
	for (uint32_t i = 0; map && map->type == MSGPACK_OBJECT_MAP &&
	    i < map->via.map.size; i++) {
		const msgpack_object *v = &map->via.map.ptr[i].val;
		add_named(t, p->o, &p->nm, k, &map->via.map.ptr[i].key);
		if (v->type != MSGPACK_OBJECT_ARRAY) {
			table_add_obj(t, v);
			continue;
		}
		char *buf = NULL;
		size_t len = 0;
		FILE *ms = open_memstream(&buf, &len);
		for (uint32_t j = 0; ms && j < v->via.array.size; j++) {
			const msgpack_object *id = &v->via.array.ptr[j];
			if (id->type == MSGPACK_OBJECT_STR)
				fprintf(ms, "%s%.*s", j ? " " : "", (int)id->via.str.size,
				    id->via.str.ptr);
		}
		if (ms)
			fclose(ms);
		table_add(t, buf);
		free(buf);
	}
}

/* The header lines both plans share: the graduation year, the region. */
static void plan_head(struct book *b, const struct plan *p)
{
	const struct opts *o = p->o;
	char buf[64];

	if (p->grad_year >= 0)
		book_kv(b, "毕业年份", "Graduation year", "%lld", p->grad_year);
	else
		book_kv(b, "毕业年份", "Graduation year", "%s", TR(b,
		    "全部（各学生按其毕业年份）", "all (each student's own)"));
	if (o->region) {
		const char *name = ref_region(o->region, strlen(o->region));
		snprintf(buf, sizeof buf, "%s%s", o->region, name ? " " : "");
		book_kv(b, "地区", "Region", "%s%s", buf, name ? name : "");
	}
}

/* --explain adds tables; --csv is the plan's one table. */
static int explain_csv(const struct opts *o, const char *words)
{
	if (!o->explain || o->fmt != OUT_CSV)
		return 0;
	cli_err("%s: --explain adds tables that --csv (one table) cannot hold: "
	    "use it with a table, --xlsx or --json", words);
	return 1;
}

/* --------------------------------------------------- orderclass plan */

static void pack_orderclass(msgpack_packer *pk, const struct plan *p)
{
	const struct opts *o = p->o;

	msgpack_pack_map(pk, (o->school != NULL) + (o->region != NULL) +
	    (o->min_size >= 0) + (o->max_size >= 0) + 1 +
	    !isnan(o->min_score) + (p->nlist > 0) + (o->time_limit >= 0) +
	    p->explain);
	if (o->school)
		pack_kv_str(pk, "school_id", o->school);
	if (o->region)
		pack_kv_str(pk, "region_prefix", o->region);
	if (o->min_size >= 0)
		pack_kv_int(pk, "min_size", o->min_size);
	if (o->max_size >= 0)
		pack_kv_int(pk, "max_size", o->max_size);
	pack_kv_int(pk, "grad_year", p->grad_year);
	if (!isnan(o->min_score)) {
		proto_pack_cstr(pk, "min_score");
		msgpack_pack_double(pk, o->min_score);
	}
	if (p->nlist)
		pack_list(pk, "kinds", p);
	if (o->time_limit >= 0)
		pack_kv_int(pk, "time_limit_ms", o->time_limit);
	pack_explain(pk, p);
}

static void want_orderclass(struct plan *p, const msgpack_object *res)
{
	const msgpack_object *cl = schema_opt(res, "classes");
	const msgpack_object *pairs = schema_opt(res, "pairs");

	if (p->o->school)
		fetch_add(&p->nm.f[SCHEMA_SCHOOL], p->o->school,
		    strlen(p->o->school));
	want_items(&p->nm, SCHEMA_SCHOOL, cl, "school_id");
	want_items(&p->nm, SCHEMA_SPECIALTY, cl, "specialty_id");
	want_items(&p->nm, SCHEMA_ENTERPRISE, cl, "enterprise_id");
	want_map(&p->nm, SCHEMA_SPECIALTY, SCHEMA_NKINDS,
	    schema_opt(res, "supply"));
	want_map(&p->nm, SCHEMA_ENTERPRISE, SCHEMA_NKINDS,
	    schema_opt(res, "demand"));
	want_items(&p->nm, SCHEMA_SPECIALTY, pairs, "specialty_id");
	want_items(&p->nm, SCHEMA_ENTERPRISE, pairs, "enterprise_id");
}

static void add_classes(struct book *b, const struct plan *p,
    const msgpack_object *res)
{
	const struct opts *o = p->o;
	struct col cols[12];
	size_t nc = 0;
	struct table *t;
	char title[64];
	uint32_t n;
	const msgpack_object *c = schema_arr(schema_opt(res, "classes"), &n);

	nc += named_cols(cols + nc, o, SCHEMA_SCHOOL);
	nc += named_cols(cols + nc, o, SCHEMA_SPECIALTY);
	nc += named_cols(cols + nc, o, SCHEMA_ENTERPRISE);
	cols[nc++] = (struct col){ "size", NULL, COL_NUM };
	cols[nc++] = (struct col){ "score", NULL, COL_NUM | COL_DEC3 };
	snprintf(title, sizeof title, b->zh ? "订单班（%u 个）" :
	    "Order classes (%u)", n);
	t = book_table(b, BOOK_ALL, TR(b, "订单班", "classes"), title, cols, nc);
	for (uint32_t i = 0; i < n; i++) {
		add_named(t, o, &p->nm, SCHEMA_SCHOOL, schema_opt(&c[i], "school_id"));
		add_named(t, o, &p->nm, SCHEMA_SPECIALTY,
		    schema_opt(&c[i], "specialty_id"));
		add_named(t, o, &p->nm, SCHEMA_ENTERPRISE,
		    schema_opt(&c[i], "enterprise_id"));
		table_add_obj(t, schema_opt(&c[i], "size"));
		table_add_num(t, schema_num(schema_opt(&c[i], "score")), dec(o, 3));
	}
}

/* A specialty of the summary, and its classes in by_spec[first..+n). */
struct spec_row {
	const msgpack_object *id, *school;
	double supply, placed;
	size_t first, n;
};

static int spec_row_cmp(const void *a, const void *b)
{
	const struct spec_row *x = a, *y = b;
	int c = str_order(x->school, y->school);
	return c ? c : str_order(x->id, y->id);
}

/*
 * Per specialty in scope (the explain data's `supply`) with graduates or
 * a class, by school then specialty: its graduates, those placed in its
 * classes, those left (supply − Σ size), and one line per class.
 */
static void add_summary(struct book *b, const struct plan *p,
    const msgpack_object *res)
{
	const struct opts *o = p->o;
	const struct fetch *sf = &p->nm.f[SCHEMA_SPECIALTY];
	const msgpack_object *supply = schema_opt(res, "supply");
	struct spec_row *rows = xcalloc(sf->n + 1, sizeof *rows);
	uint32_t nc, nr = 0;
	const msgpack_object *c = schema_arr(schema_opt(res, "classes"), &nc);
	size_t *by_spec = xcalloc(nc + 1, sizeof *by_spec), *fill;
	double tot[3] = { 0 };
	struct col cols[16];
	size_t ncol = 0, lead;
	struct table *t;

	for (uint32_t i = 0; supply && supply->type == MSGPACK_OBJECT_MAP &&
	    i < supply->via.map.size; i++) {
		size_t s = slot_of(sf, &supply->via.map.ptr[i].key);
		if (s < sf->n) {
			rows[s].id = &supply->via.map.ptr[i].key;
			rows[s].supply = schema_num(&supply->via.map.ptr[i].val);
		}
	}
	for (uint32_t i = 0; i < nc; i++) {
		size_t s = slot_of(sf, schema_opt(&c[i], "specialty_id"));
		if (s == sf->n)
			continue;
		rows[s].id = schema_opt(&c[i], "specialty_id");
		rows[s].school = schema_opt(&c[i], "school_id");
		rows[s].placed += schema_num(schema_opt(&c[i], "size"));
		rows[s].n++;
	}
	for (size_t s = 0, at = 0; s < sf->n; at += rows[s++].n)
		rows[s].first = at;
	fill = xcalloc(sf->n + 1, sizeof *fill);
	for (uint32_t i = 0; i < nc; i++) {
		size_t s = slot_of(sf, schema_opt(&c[i], "specialty_id"));
		if (s < sf->n)
			by_spec[rows[s].first + fill[s]++] = i;
	}
	free(fill);
	for (size_t s = 0; s < sf->n; s++) {
		if (!rows[s].school)
			rows[s].school = schema_opt(sf->rep[s].result, "school_id");
		if (rows[s].id && (rows[s].supply > 0 || rows[s].n > 0))
			rows[nr++] = rows[s];
	}
	qsort(rows, nr, sizeof *rows, spec_row_cmp);

	ncol += named_cols(cols + ncol, o, SCHEMA_SCHOOL);
	ncol += named_cols(cols + ncol, o, SCHEMA_SPECIALTY);
	cols[ncol++] = (struct col){ "supply", "毕业生", COL_NUM };
	cols[ncol++] = (struct col){ "placed", "已分班", COL_NUM };
	cols[ncol++] = (struct col){ "left", "未分班", COL_NUM };
	lead = ncol;
	ncol += named_cols(cols + ncol, o, SCHEMA_ENTERPRISE);
	if (o->fmt == OUT_TABLE)
		cols[ncol - 1].zh = "订单班企业";
	cols[ncol++] = (struct col){ "size", NULL, COL_NUM };
	t = book_table(b, BOOK_TEXT | BOOK_XLSX, TR(b, "专业汇总", "by specialty"),
	    TR(b, "按专业汇总：毕业生、已分班、未分班（毕业生 − 各班人数）",
	    "By specialty: graduates, placed in a class, left (graduates − the "
	    "sizes of its classes)"), cols, ncol);
	for (uint32_t r = 0; r < nr; r++) {
		const struct spec_row *sr = &rows[r];
		add_named(t, o, &p->nm, SCHEMA_SCHOOL, sr->school);
		add_named(t, o, &p->nm, SCHEMA_SPECIALTY, sr->id);
		table_add_num(t, sr->supply, 0);
		table_add_num(t, sr->placed, 0);
		table_add_num(t, sr->supply - sr->placed, 0);
		tot[0] += sr->supply;
		tot[1] += sr->placed;
		tot[2] += sr->supply - sr->placed;
		if (sr->n == 0) {
			for (int k = 0; k < named_width(o, SCHEMA_ENTERPRISE); k++)
				table_add(t, k ? "" : "-");
			table_add(t, "");
		}
		for (size_t j = 0; j < sr->n; j++) {
			const msgpack_object *cl = &c[by_spec[sr->first + j]];
			if (j)
				for (size_t k = 0; k < lead; k++)
					table_add(t, "");
			add_named(t, o, &p->nm, SCHEMA_ENTERPRISE,
			    schema_opt(cl, "enterprise_id"));
			table_add_obj(t, schema_opt(cl, "size"));
		}
	}
	table_add(t, TR(b, "合计", "total"));
	if (b->zh)
		table_addf(t, "%u 个专业", nr);
	else
		table_addf(t, "%u specialties", nr);
	for (size_t k = 2; k < lead - 3; k++)
		table_add(t, "");
	for (int k = 0; k < 3; k++)
		table_add_num(t, tot[k], 0);
	for (size_t k = lead; k < ncol; k++)
		table_add(t, "");
	free(rows);
	free(by_spec);
}

/* Students, objective, bound, and how far from the best possible the
 * plan may be, rounded up so the claim is never optimistic. */
static void optimality_foot(struct book *b, const msgpack_object *res)
{
	const msgpack_object *opt = schema_opt(res, "optimal");
	double obj = schema_num(schema_opt(res, "objective"));
	double bound = schema_num(schema_opt(res, "bound"));
	char how[160];
	uint32_t n;

	schema_arr(schema_opt(res, "classes"), &n);
	if (opt && opt->type == MSGPACK_OBJECT_BOOLEAN && opt->via.boolean) {
		snprintf(how, sizeof how, "%s", TR(b, "已证明最优 (proven optimal)",
		    "proven optimal"));
	} else {
		double gap = bound > 0 && bound > obj ? (bound - obj) / bound : 0;
		double pct = ceil(gap * 1000) / 10;
		if (b->zh)
			snprintf(how, sizeof how, "与最优解差距不超过 %.1f%% (within "
			    "%.1f%% of the best possible)", pct, pct);
		else
			snprintf(how, sizeof how, "within %.1f%% of the best possible",
			    pct);
	}
	if (b->zh)
		book_foot(b, "订单班 %u 个，分班学生 %.0f 人，目标值 %.3f，上界 %.3f，"
		    "%s，求解 %.0f ms", n, schema_num(schema_opt(res, "students")),
		    obj, bound, how, schema_num(schema_opt(res, "solve_ms")));
	else
		book_foot(b, "Order classes: %u; students placed: %.0f; objective "
		    "%.3f, bound %.3f, %s; solved in %.0f ms", n,
		    schema_num(schema_opt(res, "students")), obj, bound, how,
		    schema_num(schema_opt(res, "solve_ms")));
}

static int show_orderclass(const struct plan *p, const msgpack_object *res)
{
	const struct opts *o = p->o;
	struct book b;
	uint32_t np;
	const msgpack_object *pairs = schema_arr(schema_opt(res, "pairs"), &np);
	int rc;

	book_init(&b, o);
	if (o->school) {
		char name[SCHEMA_NAME_MAX + 1];
		schema_str(field_of(&p->nm, SCHEMA_SCHOOL, &(msgpack_object){
		    .type = MSGPACK_OBJECT_STR, .via.str = { (uint32_t)strlen(o->school),
		    o->school } }, "name"), name, sizeof name);
		book_kv(&b, "学校", "School", "%s%s%s", o->school, *name ? " " : "",
		    name);
	}
	plan_head(&b, p);
	add_classes(&b, p, res);
	if (p->explain)
		add_summary(&b, p, res);
	if (o->explain) {
		struct col cols[8];
		size_t nc = 0;
		char title[64];
		struct table *t;
		nc += named_cols(cols + nc, o, SCHEMA_SPECIALTY);
		nc += named_cols(cols + nc, o, SCHEMA_ENTERPRISE);
		cols[nc++] = (struct col){ "score", NULL, COL_NUM | COL_DEC3 };
		snprintf(title, sizeof title, b.zh ? "可组班的专业与企业（%u 对）" :
		    "Pairs that may open a class (%u)", np);
		t = book_table(&b, BOOK_TEXT | BOOK_XLSX, TR(&b, "可组班配对", "pairs"),
		    title, cols, nc);
		for (uint32_t i = 0; i < np; i++) {
			add_named(t, o, &p->nm, SCHEMA_SPECIALTY,
			    schema_opt(&pairs[i], "specialty_id"));
			add_named(t, o, &p->nm, SCHEMA_ENTERPRISE,
			    schema_opt(&pairs[i], "enterprise_id"));
			table_add_num(t, schema_num(schema_opt(&pairs[i], "score")),
			    dec(o, 3));
		}
		add_map(&b, p, TR(&b, "企业需求", "demand"), TR(&b, "企业需求",
		    "Demand per enterprise"), SCHEMA_ENTERPRISE, "demand",
		    schema_opt(res, "demand"));
	}
	optimality_foot(&b, res);
	rc = book_write(&b);
	book_free(&b);
	return rc;
}

int cmd_orderclass_plan(const struct opts *o, int argc, char **argv)
{
	static const struct plan_ops ops = {
		"orderclass.plan", pack_orderclass, want_orderclass, show_orderclass,
	};
	struct plan p = {
		.o = o,
		/* the summary (a table, a workbook) needs every specialty's supply */
		.explain = o->explain || o->fmt == OUT_TABLE || o->fmt == OUT_XLSX,
		.grad_year = o->grad_year >= 0 ? o->grad_year : cli_grad_year(NULL),
		.nm.kinds = 1u << SCHEMA_SCHOOL | 1u << SCHEMA_SPECIALTY |
		    1u << SCHEMA_ENTERPRISE,
	};

	(void)argv;
	if (argc != 1) {
		cli_err("usage: chanjiao orderclass plan [--school ID] [--region R] "
		    "[--min-size N] [--max-size N] [--grad-year Y] [--min-score S] "
		    "[--kind K]... [--time-limit MS] [--explain]");
		return EXIT_USAGE;
	}
	if (explain_csv(o, "orderclass plan"))
		return EXIT_USAGE;
	p.list = cli_split(o->kinds, (size_t)o->nkinds, &p.nlist);
	return plan_run(&p, &ops);
}

/* ---------------------------------------------- apprenticeship match */

static void pack_apprenticeship(msgpack_packer *pk, const struct plan *p)
{
	const struct opts *o = p->o;

	msgpack_pack_map(pk, (p->nlist > 0) + (o->region != NULL) +
	    (o->grad_year >= 0) + p->explain);
	if (p->nlist)
		pack_list(pk, "program_ids", p);
	if (o->region)
		pack_kv_str(pk, "region_prefix", o->region);
	if (o->grad_year >= 0)
		pack_kv_int(pk, "grad_year", o->grad_year);
	pack_explain(pk, p);
}

static void want_apprenticeship(struct plan *p, const msgpack_object *res)
{
	const msgpack_object *as = schema_opt(res, "assignments");

	want_items(&p->nm, SCHEMA_STUDENT, as, "student_id");
	want_items(&p->nm, SCHEMA_PROGRAM, as, "program_id");
	want_items(&p->nm, SCHEMA_STUDENT, schema_opt(res, "unmatched"),
	    "student_id");
	for (size_t i = 0; i < p->nlist; i++)
		fetch_add(&p->nm.f[SCHEMA_PROGRAM], p->list[i], strlen(p->list[i]));
	want_map(&p->nm, SCHEMA_PROGRAM, SCHEMA_NKINDS,
	    schema_opt(res, "capacity"));
	want_map(&p->nm, SCHEMA_STUDENT, SCHEMA_PROGRAM,
	    schema_opt(res, "student_prefs"));
	want_map(&p->nm, SCHEMA_PROGRAM, SCHEMA_STUDENT,
	    schema_opt(res, "program_ranks"));
}

/*
 * A student's row.  Text: an assignment is 学生 专业 项目 企业, an
 * unmatched student 学生 专业 原因.  CSV and workbooks: both as
 * student_id, specialty_id, specialty, major_code, status, program_id,
 * program, enterprise_id, enterprise, reason.
 */
static void add_student(struct table *t, const struct plan *p, int zh,
    const msgpack_object *it, int matched)
{
	const struct opts *o = p->o;
	const msgpack_object *sid = schema_opt(it, "student_id");
	const msgpack_object *pid = matched ? schema_opt(it, "program_id") : NULL;
	int sep = o->fmt != OUT_TABLE;
	char code[64];

	add_named(t, o, &p->nm, SCHEMA_STUDENT, sid);
	add_named(t, o, &p->nm, SCHEMA_SPECIALTY, field_of(&p->nm, SCHEMA_STUDENT,
	    sid, "specialty_id"));
	if (sep)
		table_add(t, ref_enum(matched ? "matched" : "unmatched", zh));
	if (matched || sep) {
		add_named(t, o, &p->nm, SCHEMA_PROGRAM, pid);
		add_named(t, o, &p->nm, SCHEMA_ENTERPRISE, field_of(&p->nm,
		    SCHEMA_PROGRAM, pid, "enterprise_id"));
	}
	if (matched && !sep)
		return;
	schema_str(matched ? NULL : schema_opt(it, "reason"), code, sizeof code);
	if (sep || !zh || !*code)
		table_add(t, ref_enum(*code ? code : NULL, zh));
	else
		table_addf(t, "%s (%s)", ref_enum(code, zh), code);
}

static void add_students(struct book *b, const struct plan *p,
    const msgpack_object *res)
{
	static const struct col all_cols[] = {
		{ "student_id", NULL, 0 }, { "specialty_id", NULL, 0 },
		{ "specialty", NULL, 0 }, { "major_code", NULL, 0 },
		{ "status", NULL, 0 }, { "program_id", NULL, 0 },
		{ "program", NULL, 0 }, { "enterprise_id", NULL, 0 },
		{ "enterprise", NULL, 0 }, { "reason", NULL, 0 },
	};
	static const struct col as_cols[] = {
		{ "student", NULL, 0 }, { "specialty", "专业", 0 },
		{ "program", "项目", 0 }, { "enterprise", NULL, 0 },
	};
	static const struct col un_cols[] = {
		{ "student", NULL, 0 }, { "specialty", "专业", 0 },
		{ "reason", NULL, 0 },
	};
	uint32_t na, nu, i = 0, j = 0;
	const msgpack_object *a = schema_arr(schema_opt(res, "assignments"), &na);
	const msgpack_object *u = schema_arr(schema_opt(res, "unmatched"), &nu);
	struct table *t;
	char title[64];

	if (p->o->fmt != OUT_TABLE) {
		/* both lists are by student id: merged, one row a student */
		t = book_table(b, BOOK_CSV | BOOK_XLSX, TR(b, "学生", "students"), "",
		    all_cols, N_OF(all_cols));
		while (i < na || j < nu) {
			int take_a = j == nu || (i < na && str_order(schema_opt(&a[i],
			    "student_id"), schema_opt(&u[j], "student_id")) <= 0);
			add_student(t, p, b->zh, take_a ? &a[i++] : &u[j++], take_a);
		}
		return;
	}
	snprintf(title, sizeof title, b->zh ? "已匹配（%u 人）" : "Matched (%u)",
	    na);
	t = book_table(b, BOOK_TEXT, "", title, as_cols, N_OF(as_cols));
	for (i = 0; i < na; i++)
		add_student(t, p, b->zh, &a[i], 1);
	snprintf(title, sizeof title, b->zh ? "未匹配（%u 人）" : "Unmatched (%u)",
	    nu);
	t = book_table(b, BOOK_TEXT, "", title, un_cols, N_OF(un_cols));
	for (j = 0; j < nu; j++)
		add_student(t, p, b->zh, &u[j], 0);
}

/* Sorts pointers to a fetch's ids by id. */
static int id_cmp(const void *a, const void *b)
{
	return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

/* Every program named (assigned, asked for, or in `capacity`), by id:
 * capacity = mentors × per_mentor, filled, left. */
static void add_programs(struct book *b, const struct plan *p,
    const msgpack_object *res)
{
	const struct fetch *pf = &p->nm.f[SCHEMA_PROGRAM];
	char ***order = xcalloc(pf->n + 1, sizeof *order);
	double *filled = xcalloc(pf->n + 1, sizeof *filled);
	uint32_t na;
	const msgpack_object *a = schema_arr(schema_opt(res, "assignments"), &na);
	struct col cols[12];
	size_t nc = 0;
	struct table *t;

	nc += named_cols(cols + nc, p->o, SCHEMA_PROGRAM);
	nc += named_cols(cols + nc, p->o, SCHEMA_ENTERPRISE);
	cols[nc++] = (struct col){ "capacity", NULL, COL_NUM };
	cols[nc++] = (struct col){ "filled", NULL, COL_NUM };
	cols[nc++] = (struct col){ "left", "空余", COL_NUM };
	t = book_table(b, BOOK_TEXT | BOOK_XLSX, TR(b, "项目名额", "programs"),
	    TR(b, "项目名额", "Programs: places"), cols, nc);
	for (uint32_t i = 0; i < na; i++)
		filled[slot_of(pf, schema_opt(&a[i], "program_id"))]++;
	for (size_t s = 0; s < pf->n; s++)
		order[s] = &pf->ids[s];
	qsort(order, pf->n, sizeof *order, id_cmp);
	for (size_t k = 0; k < pf->n; k++) {
		size_t s = (size_t)(order[k] - pf->ids);
		const msgpack_object *rec = pf->rep[s].result;
		double cap = schema_num(schema_opt(rec, "mentors")) *
		    schema_num(schema_opt(rec, "per_mentor"));
		msgpack_object id = {
			.type = MSGPACK_OBJECT_STR,
			.via.str = { (uint32_t)strlen(pf->ids[s]), pf->ids[s] },
		};
		add_named(t, p->o, &p->nm, SCHEMA_PROGRAM, &id);
		add_named(t, p->o, &p->nm, SCHEMA_ENTERPRISE,
		    schema_opt(rec, "enterprise_id"));
		table_add_num(t, cap, 0);
		table_add_num(t, filled[s], 0);
		table_add_num(t, cap - filled[s], 0);
	}
	free(order);
	free(filled);
}

static int show_apprenticeship(const struct plan *p, const msgpack_object *res)
{
	double blocking = schema_num(schema_opt(res, "blocking_pairs"));
	struct book b;
	uint32_t na, nu;
	int rc;

	book_init(&b, p->o);
	plan_head(&b, p);
	if (p->nlist)
		book_kv(&b, "学徒项目", "Programs", "%zu", p->nlist);
	add_students(&b, p, res);
	add_programs(&b, p, res);
	if (p->o->explain) {
		add_map(&b, p, TR(&b, "学生志愿", "student prefs"), TR(&b, "学生志愿",
		    "Students' preferences"), SCHEMA_STUDENT, "prefs",
		    schema_opt(res, "student_prefs"));
		add_map(&b, p, TR(&b, "项目排名", "program ranks"), TR(&b,
		    "项目对学生的排名", "Programs' ranking of students"), SCHEMA_PROGRAM,
		    "rank", schema_opt(res, "program_ranks"));
	}
	schema_arr(schema_opt(res, "assignments"), &na);
	schema_arr(schema_opt(res, "unmatched"), &nu);
	if (b.zh)
		book_foot(&b, "已匹配 %u 人，未匹配 %u 人；阻塞对 %.0f，%s；%.0f 轮，"
		    "求解 %.0f ms", na, nu, blocking, blocking == 0 ?
		    "稳定匹配 (stable)" : "不是稳定匹配 (NOT stable)",
		    schema_num(schema_opt(res, "rounds")),
		    schema_num(schema_opt(res, "solve_ms")));
	else
		book_foot(&b, "Matched: %u; unmatched: %u; blocking pairs: %.0f, %s; "
		    "rounds: %.0f; solved in %.0f ms", na, nu, blocking, blocking == 0 ?
		    "stable" : "NOT stable", schema_num(schema_opt(res, "rounds")),
		    schema_num(schema_opt(res, "solve_ms")));
	rc = book_write(&b);
	book_free(&b);
	if (rc || blocking == 0)
		return rc;
	cli_err("apprenticeship.match: the daemon's answer has %.0f blocking "
	    "pairs (expected 0)", blocking);
	return EXIT_DATA;
}

int cmd_apprenticeship_match(const struct opts *o, int argc, char **argv)
{
	static const struct plan_ops ops = {
		"apprenticeship.match", pack_apprenticeship, want_apprenticeship,
		show_apprenticeship,
	};
	struct plan p = {
		.o = o,
		.explain = o->explain,
		.grad_year = o->grad_year,
		.nm.kinds = 1u << SCHEMA_STUDENT | 1u << SCHEMA_SPECIALTY |
		    1u << SCHEMA_PROGRAM | 1u << SCHEMA_ENTERPRISE,
	};

	(void)argv;
	if (argc != 1) {
		cli_err("usage: chanjiao apprenticeship match [--program ID]... "
		    "[--programs ID,ID] [--region R] [--grad-year Y] [--explain]");
		return EXIT_USAGE;
	}
	if (explain_csv(o, "apprenticeship match"))
		return EXIT_USAGE;
	p.list = cli_split(o->programs, (size_t)o->nprograms, &p.nlist);
	return plan_run(&p, &ops);
}
