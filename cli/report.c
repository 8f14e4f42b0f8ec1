/*
 * report — `fair allocate`, `fair schedule` and `fair report`, written
 * against docs/protocol.md's result shapes of fair.allocate and fair.schedule.
 *
 * Each asks for the fair (fair.get) and its planners at once, then for
 * the postings and enterprises they name (pipelined gets), and prints a
 * book (cli.h): ids beside names, the graduation year the planners used
 * (--grad-year, else the fair date's).  The report joins both planners
 * into what an organizer prints: per direction supply, demand, allocated
 * and positions per graduate; the enterprises taking most graduates per
 * direction; the unfilled postings; the booth plan, per session in a
 * workbook, with a sign-in sheet.  --json is the planner's result as it
 * came (allocate, schedule), or the report as one object.
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Top entries shown per list unless --top says otherwise. */
#define TOP_DEFAULT 10

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

static int str_same(const msgpack_object *a, const msgpack_object *b)
{
	return a && b && a->type == MSGPACK_OBJECT_STR &&
	    b->type == MSGPACK_OBJECT_STR && a->via.str.size == b->via.str.size &&
	    !memcmp(a->via.str.ptr, b->via.str.ptr, a->via.str.size);
}

static int str_order(const msgpack_object *a, const msgpack_object *b)
{
	size_t an = a ? a->via.str.size : 0, bn = b ? b->via.str.size : 0;
	int c = memcmp(a ? a->via.str.ptr : "", b ? b->via.str.ptr : "",
	    an < bn ? an : bn);
	return c ? c : (an > bn) - (an < bn);
}

/* The item of array `arr` whose `key` equals id, or NULL. */
static const msgpack_object *find_by(const msgpack_object *arr,
    const char *key, const msgpack_object *id)
{
	uint32_t n;
	const msgpack_object *a = schema_arr(arr, &n);
	for (uint32_t i = 0; i < n; i++)
		if (str_same(schema_opt(&a[i], key), id))
			return &a[i];
	return NULL;
}

static size_t index_by(const msgpack_object *arr, const char *key,
    const msgpack_object *id)
{
	uint32_t n;
	const msgpack_object *a = schema_arr(arr, &n);
	for (uint32_t i = 0; i < n; i++)
		if (str_same(schema_opt(&a[i], key), id))
			return i;
	return n;
}

static void pack_fair_params(msgpack_packer *pk, const struct opts *o,
    const char *fair, int planner)
{
	int explain = planner && o->explain;
	msgpack_pack_map(pk, 1 + (planner && o->grad_year >= 0) +
	    (planner && !isnan(o->min_score)) + (planner && o->nkinds > 0) +
	    explain);
	pack_kv_str(pk, "fair_id", fair);
	if (!planner)
		return;
	if (o->grad_year >= 0)
		pack_kv_int(pk, "grad_year", o->grad_year);
	if (!isnan(o->min_score)) {
		proto_pack_cstr(pk, "min_score");
		msgpack_pack_double(pk, o->min_score);
	}
	if (o->nkinds) {                 /* --kind job --kind internship,... */
		size_t n;
		char **v = cli_split(o->kinds, (size_t)o->nkinds, &n);
		proto_pack_cstr(pk, "kinds");
		msgpack_pack_array(pk, (uint32_t)n);
		for (size_t i = 0; i < n; i++) {
			proto_pack_cstr(pk, v[i]);
			free(v[i]);
		}
		free(v);
	}
	if (explain) {
		proto_pack_cstr(pk, "explain");
		msgpack_pack_true(pk);
	}
}

/* ------------------------------------------------------ the fair's data */

enum { WANT_ALLOC = 1, WANT_SCHED = 2 };

struct report {
	const struct opts *o;
	const char *fair_id;
	size_t top;
	struct rpc_reply fair, alloc, sched;
	int have_fair, have_alloc, have_sched;
	struct fetch posts, ents;
	long long grad_year;
	/* fair.schedule's short, or worked out from the fair's requests
	 * when the daemon does not give it (docs/protocol.md) */
	struct short_ent {
		const msgpack_object *id;
		double wanted, got;
	} *shorts;
	size_t nshort;
};

/* Send fair.get and the planners asked for at once (the planners run side
 * by side on the daemon's workers); match replies by msgid. */
static int report_calls(struct report *rp, struct rpc *r, unsigned want)
{
	static const char *const methods[] = {
		"fair.get", "fair.allocate", "fair.schedule",
	};
	struct rpc_reply *slots[] = { &rp->fair, &rp->alloc, &rp->sched };
	int *have[] = { &rp->have_fair, &rp->have_alloc, &rp->have_sched };
	uint32_t ids[3] = { 0 };
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc = 0, sent = 0;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	for (int i = 0; i < 3; i++) {
		if (i > 0 && !(want & (1u << (i - 1))))
			continue;
		sb.size = 0;
		if (i == 0) {
			msgpack_pack_map(&pk, 1);
			pack_kv_str(&pk, "id", rp->fair_id);
		} else {
			pack_fair_params(&pk, rp->o, rp->fair_id, i == 1);
		}
		if (!(ids[i] = rpc_send(r, methods[i], sb.data, sb.size))) {
			msgpack_sbuffer_destroy(&sb);
			return EXIT_CONN;
		}
		sent++;
	}
	msgpack_sbuffer_destroy(&sb);
	for (int got = 0; got < sent;) {
		struct rpc_reply rep;
		int i;
		if (rpc_recv(r, &rep) < 0)
			return EXIT_CONN;
		for (i = 0; i < 3 && (!ids[i] || ids[i] != rep.msgid); i++)
			;
		if (i == 3) {
			rpc_reply_free(&rep);
			continue;
		}
		got++;
		if (rep.error) {
			if (rc == 0)
				rc = rpc_report(methods[i], rep.error);
			rpc_reply_free(&rep);
			continue;
		}
		*slots[i] = rep;
		*have[i] = 1;
	}
	return rc;
}

static void want_id(struct fetch *f, const msgpack_object *id)
{
	if (id && id->type == MSGPACK_OBJECT_STR)
		fetch_add(f, id->via.str.ptr, id->via.str.size);
}

/* Postings of the allocation (its arcs too); their enterprises, the
 * scheduled ones and the fair's. */
static int report_fetch(struct report *rp, struct rpc *r)
{
	const msgpack_object *a = rp->have_alloc ? rp->alloc.result : NULL;
	const msgpack_object *s = rp->have_sched ? rp->sched.result : NULL;
	const char *lists[] = { "allocations", "unfilled", "arcs" };
	uint32_t n;
	int rc;

	for (int l = 0; l < 3; l++) {
		const msgpack_object *it = schema_arr(schema_opt(a, lists[l]), &n);
		for (uint32_t i = 0; i < n; i++)
			want_id(&rp->posts, schema_opt(&it[i], "posting_id"));
	}
	if ((rc = fetch_run(&rp->posts, r, SCHEMA_POSTING)) != 0)
		return rc;
	for (size_t i = 0; i < rp->posts.n; i++)
		want_id(&rp->ents, schema_opt(rp->posts.rep[i].result,
		    "enterprise_id"));
	const msgpack_object *sl = schema_arr(schema_opt(s, "slots"), &n);
	for (uint32_t i = 0; i < n; i++)
		want_id(&rp->ents, schema_opt(&sl[i], "enterprise_id"));
	sl = schema_arr(schema_opt(s, "unscheduled"), &n);
	for (uint32_t i = 0; i < n; i++)
		want_id(&rp->ents, &sl[i]);
	sl = schema_arr(schema_opt(s, "short"), &n);
	for (uint32_t i = 0; i < n; i++)
		want_id(&rp->ents, schema_opt(&sl[i], "enterprise_id"));
	return fetch_run(&rp->ents, r, SCHEMA_ENTERPRISE);
}

static const msgpack_object *posting_of(const struct report *rp,
    const msgpack_object *id)
{
	return id && id->type == MSGPACK_OBJECT_STR ?
	    fetch_get(&rp->posts, id->via.str.ptr, id->via.str.size) : NULL;
}

static const msgpack_object *enterprise_of(const struct report *rp,
    const msgpack_object *id)
{
	return id && id->type == MSGPACK_OBJECT_STR ?
	    fetch_get(&rp->ents, id->via.str.ptr, id->via.str.size) : NULL;
}

static const msgpack_object *direction_name(const struct report *rp,
    const msgpack_object *id)
{
	return schema_opt(find_by(schema_opt(rp->fair.result, "directions"), "id",
	    id), "name");
}

/* An enterprise's first chain tag in sorted order, as booths are grouped. */
/* An enterprise's main chain, the one fair.schedule groups its booths
 * by: the first of its chains as listed. */
static const msgpack_object *first_chain(const msgpack_object *ent)
{
	uint32_t n;
	const msgpack_object *c = schema_arr(schema_opt(ent, "chains"), &n);
	return n && c[0].type == MSGPACK_OBJECT_STR ? &c[0] : NULL;
}

static int short_cmp(const void *a, const void *b)
{
	return str_order(((const struct short_ent *)a)->id,
	    ((const struct short_ent *)b)->id);
}

/* The enterprises given some booth-sessions but fewer than they asked. */
static void shorts_find(struct report *rp)
{
	const msgpack_object *s = rp->sched.result, *given = schema_opt(s, "short");
	uint32_t n, ns;

	if (given) {
		const msgpack_object *it = schema_arr(given, &n);
		rp->shorts = xcalloc(n + 1, sizeof *rp->shorts);
		for (uint32_t i = 0; i < n; i++)
			rp->shorts[rp->nshort++] = (struct short_ent){
				schema_opt(&it[i], "enterprise_id"),
				schema_num(schema_opt(&it[i], "wanted")),
				schema_num(schema_opt(&it[i], "got")) };
		return;
	}
	const msgpack_object *ents = schema_arr(schema_opt(rp->fair.result,
	    "enterprise_ids"), &n);
	const msgpack_object *req = schema_opt(rp->fair.result, "requests");
	const msgpack_object *sl = schema_arr(schema_opt(s, "slots"), &ns);
	rp->shorts = xcalloc(n + 1, sizeof *rp->shorts);
	for (uint32_t i = 0; i < n; i++) {
		double wanted = 1, got = 0;
		for (uint32_t j = 0; req && req->type == MSGPACK_OBJECT_MAP &&
		    j < req->via.map.size; j++)
			if (str_same(&req->via.map.ptr[j].key, &ents[i]))
				wanted = schema_num(&req->via.map.ptr[j].val);
		for (uint32_t j = 0; j < ns; j++)
			got += str_same(schema_opt(&sl[j], "enterprise_id"), &ents[i]);
		if (got > 0 && got < wanted)
			rp->shorts[rp->nshort++] = (struct short_ent){ &ents[i], wanted,
			    got };
	}
	qsort(rp->shorts, rp->nshort, sizeof *rp->shorts, short_cmp);
}

/*
 * Connect, call fair.get and the planners in `want`, fetch the names,
 * and work out the graduation year.  0 with rp filled, or an exit status.
 */
static int report_load(struct report *rp, const struct opts *o,
    const char *fair_id, unsigned want, struct rpc *r)
{
	char date[16];
	int rc;

	rp->o = o;
	rp->fair_id = fair_id;
	rp->top = o->top > 0 ? (size_t)o->top : TOP_DEFAULT;
	if ((rc = rpc_open(r, o)) != 0)
		return rc;
	if ((rc = report_calls(rp, r, want)) == 0 && o->fmt != OUT_JSON)
		rc = report_fetch(rp, r);
	if (rc == 0 && rp->have_sched)
		shorts_find(rp);
	schema_str(schema_opt(rp->fair.result, "date"), date, sizeof date);
	rp->grad_year = o->grad_year >= 0 ? o->grad_year : cli_grad_year(date);
	return rc;
}

static void report_free(struct report *rp, struct rpc *r)
{
	if (rp->have_fair)
		rpc_reply_free(&rp->fair);
	if (rp->have_alloc)
		rpc_reply_free(&rp->alloc);
	if (rp->have_sched)
		rpc_reply_free(&rp->sched);
	fetch_free(&rp->posts);
	fetch_free(&rp->ents);
	free(rp->shorts);
	rpc_close(r);
}

/* The planner's result as JSON, as it came. */
static void print_result(const msgpack_object *res)
{
	json_print(stdout, res);
	putchar('\n');
}

/* ------------------------------------------------------- the sections */

/* "F1 五月双选会（2026-05-20）" and the graduation year. */
static void fair_head(struct book *b, const struct report *rp)
{
	const msgpack_object *f = rp->fair.result;
	char name[SCHEMA_NAME_MAX + 1], date[16];

	schema_str(schema_opt(f, "name"), name, sizeof name);
	schema_str(schema_opt(f, "date"), date, sizeof date);
	book_kv(b, "双选会", "Fair", b->zh ? "%s %s（%s）" : "%s %s (%s)",
	    rp->fair_id, name, date);
	book_kv(b, "毕业年份", "Graduation year", "%lld", rp->grad_year);
}

static int has_reachable(const msgpack_object *dirs)
{
	uint32_t n;
	const msgpack_object *d = schema_arr(dirs, &n);
	for (uint32_t i = 0; i < n; i++)
		if (schema_opt(&d[i], "reachable"))
			return 1;
	return 0;
}

/* Per direction: supply, demand, reachable (when the daemon gives it),
 * allocated, positions per graduate. */
static void add_directions(struct book *b, const struct report *rp,
    const char *title)
{
	struct col cols[] = {
		{ "direction_id", NULL, COL_ID }, { "name", "方向", 0 },
		{ "supply", NULL, COL_NUM }, { "demand", NULL, COL_NUM },
		{ "reachable", NULL, COL_NUM }, { "allocated", NULL, COL_NUM },
		{ "positions_per_graduate", NULL, COL_NUM | COL_DEC2 },
	};
	const struct opts *o = b->o;
	const msgpack_object *dirs = schema_opt(rp->alloc.result, "directions");
	int reach = has_reachable(dirs);
	struct table *t;
	uint32_t n;
	const msgpack_object *d = schema_arr(dirs, &n);

	if (!reach)
		memmove(&cols[4], &cols[5], 2 * sizeof cols[0]);
	t = book_table(b, BOOK_ALL, b->zh ? "方向" : "directions", title, cols,
	    reach ? 7 : 6);
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *id = schema_opt(&d[i], "direction_id");
		table_add_obj(t, id);
		table_add_obj(t, direction_name(rp, id));
		table_add_obj(t, schema_opt(&d[i], "supply"));
		table_add_obj(t, schema_opt(&d[i], "demand"));
		if (reach)
			table_add_obj(t, schema_opt(&d[i], "reachable"));
		table_add_obj(t, schema_opt(&d[i], "allocated"));
		const msgpack_object *ppg = schema_opt(&d[i], "positions_per_graduate");
		if (ppg && ppg->type != MSGPACK_OBJECT_NIL)
			table_add_num(t, schema_num(ppg), cli_dec(o, 2));
		else
			table_add(t, o->fmt == OUT_TABLE ? "-" : "");
	}
}

/* A posting and its enterprise, each beside its name: four cells. */
static void add_posting(struct table *t, const struct report *rp,
    const msgpack_object *pid)
{
	const msgpack_object *p = posting_of(rp, pid);
	const msgpack_object *e = schema_opt(p, "enterprise_id");

	table_add_obj(t, pid);
	table_add_obj(t, schema_opt(p, "title"));
	table_add_obj(t, e);
	table_add_obj(t, schema_opt(enterprise_of(rp, e), "name"));
}

#define POSTING_COLS \
	{ "posting_id", NULL, COL_ID }, { "title", "岗位", 0 }, \
	{ "enterprise_id", NULL, COL_ID }, { "enterprise", NULL, 0 }

static void add_allocations(struct book *b, const struct report *rp)
{
	static const struct col cols[] = {
		POSTING_COLS,
		{ "direction_id", NULL, COL_ID }, { "direction", NULL, 0 },
		{ "count", NULL, COL_NUM }, { "score", NULL, COL_NUM | COL_DEC3 },
	};
	struct table *t = book_table(b, BOOK_ALL, b->zh ? "分配" : "allocations",
	    b->zh ? "分配结果（岗位 ← 方向）" : "allocations", cols, N_OF(cols));
	uint32_t n;
	const msgpack_object *a = schema_arr(schema_opt(rp->alloc.result,
	    "allocations"), &n);

	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *d = schema_opt(&a[i], "direction_id");
		add_posting(t, rp, schema_opt(&a[i], "posting_id"));
		table_add_obj(t, d);
		table_add_obj(t, direction_name(rp, d));
		table_add_obj(t, schema_opt(&a[i], "count"));
		table_add_num(t, schema_num(schema_opt(&a[i], "score")),
		    cli_dec(b->o, 3));
	}
}

static void add_arcs(struct book *b, const struct report *rp)
{
	static const struct col cols[] = {
		POSTING_COLS,
		{ "direction_id", NULL, COL_ID }, { "direction", NULL, 0 },
		{ "score", NULL, COL_NUM | COL_DEC3 },
	};
	struct table *t = book_table(b, BOOK_ALL, b->zh ? "可选配对" : "arcs",
	    b->zh ? "可选配对（explain）" : "arcs", cols, N_OF(cols));
	uint32_t n;
	const msgpack_object *a = schema_arr(schema_opt(rp->alloc.result, "arcs"),
	    &n);

	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *d = schema_opt(&a[i], "direction_id");
		add_posting(t, rp, schema_opt(&a[i], "posting_id"));
		table_add_obj(t, d);
		table_add_obj(t, direction_name(rp, d));
		table_add_num(t, schema_num(schema_opt(&a[i], "score")),
		    cli_dec(b->o, 3));
	}
}

/* ---- unfilled postings by open positions */

static int unfilled_cmp(const void *a, const void *b)
{
	const msgpack_object *x = *(const msgpack_object *const *)a;
	const msgpack_object *y = *(const msgpack_object *const *)b;
	double ox = schema_num(schema_opt(x, "open")), oy = schema_num(schema_opt(y, "open"));
	if (ox != oy)
		return ox < oy ? 1 : -1;
	return str_order(schema_opt(x, "posting_id"), schema_opt(y, "posting_id"));
}

static const msgpack_object **unfilled_sorted(const struct report *rp,
    uint32_t *n, double *open)
{
	const msgpack_object *u = schema_arr(schema_opt(rp->alloc.result, "unfilled"), n);
	const msgpack_object **v = xcalloc(*n + 1, sizeof *v);

	*open = 0;
	for (uint32_t i = 0; i < *n; i++) {
		v[i] = &u[i];
		*open += schema_num(schema_opt(&u[i], "open"));
	}
	qsort(v, *n, sizeof *v, unfilled_cmp);
	return v;
}

/* The unfilled postings, most open first; at most `top` of them. */
static void add_unfilled(struct book *b, const struct report *rp,
    const char *title, size_t top)
{
	static const struct col cols[] = {
		POSTING_COLS,
		{ "headcount", NULL, COL_NUM }, { "open", NULL, COL_NUM },
	};
	struct table *t = book_table(b, BOOK_ALL, b->zh ? "未满岗位" : "unfilled",
	    title, cols, N_OF(cols));
	uint32_t n;
	double open;
	const msgpack_object **u = unfilled_sorted(rp, &n, &open);

	for (uint32_t i = 0; i < n && i < top; i++) {
		add_posting(t, rp, schema_opt(u[i], "posting_id"));
		table_add_obj(t, schema_opt(posting_of(rp, schema_opt(u[i],
		    "posting_id")), "headcount"));
		table_add_obj(t, schema_opt(u[i], "open"));
	}
	free(u);
}

/* ---- booth plan: by the fair's session order, then booth */

struct booth {
	const msgpack_object *slot;
	size_t session;
	double booth;
};

static int booth_cmp(const void *a, const void *b)
{
	const struct booth *x = a, *y = b;
	if (x->session != y->session)
		return x->session < y->session ? -1 : 1;
	return (x->booth > y->booth) - (x->booth < y->booth);
}

static struct booth *booths_sorted(const struct report *rp, uint32_t *n)
{
	const msgpack_object *s = schema_arr(schema_opt(rp->sched.result, "slots"), n);
	const msgpack_object *sessions = schema_opt(rp->fair.result, "sessions");
	struct booth *v = xcalloc(*n + 1, sizeof *v);

	for (uint32_t i = 0; i < *n; i++)
		v[i] = (struct booth){ &s[i], index_by(sessions, "id",
		    schema_opt(&s[i], "session_id")), schema_num(schema_opt(&s[i], "booth")) };
	qsort(v, *n, sizeof *v, booth_cmp);
	return v;
}

static const struct col booth_cols[] = {
	{ "session_id", NULL, 0 }, { "start", NULL, 0 }, { "end", NULL, 0 },
	{ "booth", NULL, COL_NUM }, { "enterprise_id", NULL, COL_ID },
	{ "enterprise", NULL, 0 }, { "chain", NULL, 0 },
};

static void add_booth_row(struct table *t, const struct report *rp,
    const struct booth *bo)
{
	const msgpack_object *sid = schema_opt(bo->slot, "session_id");
	const msgpack_object *s = find_by(schema_opt(rp->fair.result, "sessions"),
	    "id", sid);
	const msgpack_object *e = schema_opt(bo->slot, "enterprise_id");
	const msgpack_object *ent = enterprise_of(rp, e);

	table_add_obj(t, sid);
	table_add_obj(t, schema_opt(s, "start"));
	table_add_obj(t, schema_opt(s, "end"));
	table_add_obj(t, schema_opt(bo->slot, "booth"));
	table_add_obj(t, e);
	table_add_obj(t, schema_opt(ent, "name"));
	table_add_obj(t, first_chain(ent));
}

/*
 * The booth plan: one table in text and CSV (where = BOOK_TEXT|BOOK_CSV);
 * with per_session, a sheet per session in a workbook as well.
 */
static void add_booths(struct book *b, const struct report *rp,
    const char *title, int per_session)
{
	uint32_t n, ns;
	struct booth *bo = booths_sorted(rp, &n);
	const msgpack_object *sess = schema_arr(schema_opt(rp->fair.result,
	    "sessions"), &ns);
	struct table *t = book_table(b, per_session ? BOOK_TEXT | BOOK_CSV :
	    BOOK_ALL, b->zh ? "展位" : "booths", title, booth_cols,
	    N_OF(booth_cols));

	for (uint32_t i = 0; i < n; i++)
		add_booth_row(t, rp, &bo[i]);
	for (uint32_t s = 0; per_session && s < ns; s++) {
		char sheet[SCHEMA_ID_MAX + 16], id[SCHEMA_ID_MAX + 1];
		snprintf(sheet, sizeof sheet, "%s %s", b->zh ? "展位" : "booths",
		    schema_str(schema_opt(&sess[s], "id"), id, sizeof id));
		t = book_table(b, BOOK_XLSX, sheet, "", booth_cols, N_OF(booth_cols));
		for (uint32_t i = 0; i < n; i++)
			if (bo[i].session == s)
				add_booth_row(t, rp, &bo[i]);
	}
	free(bo);
}

static void add_short(struct book *b, const struct report *rp,
    const char *title)
{
	static const struct col cols[] = {
		{ "enterprise_id", NULL, COL_ID }, { "enterprise", NULL, 0 },
		{ "wanted", NULL, COL_NUM }, { "got", NULL, COL_NUM },
		{ "note", NULL, 0 },
	};
	struct table *t = book_table(b, BOOK_ALL, b->zh ? "展位不足" : "short",
	    title, cols, N_OF(cols));

	for (size_t i = 0; i < rp->nshort; i++) {
		const struct short_ent *s = &rp->shorts[i];
		table_add_obj(t, s->id);
		table_add_obj(t, schema_opt(enterprise_of(rp, s->id), "name"));
		table_add_num(t, s->wanted, 0);
		table_add_num(t, s->got, 0);
		if (b->zh)
			table_addf(t, "要求 %.0f 个展位，安排 %.0f 个", s->wanted, s->got);
		else
			table_addf(t, "wanted %.0f booth-sessions, got %.0f", s->wanted,
			    s->got);
	}
}

static void add_unscheduled(struct book *b, const struct report *rp,
    const char *title)
{
	static const struct col cols[] = {
		{ "enterprise_id", NULL, COL_ID }, { "enterprise", NULL, 0 },
	};
	struct table *t = book_table(b, BOOK_ALL, b->zh ? "未安排" : "unscheduled",
	    title, cols, N_OF(cols));
	uint32_t n;
	const msgpack_object *u = schema_arr(schema_opt(rp->sched.result,
	    "unscheduled"), &n);

	for (uint32_t i = 0; i < n; i++) {
		table_add_obj(t, &u[i]);
		table_add_obj(t, schema_opt(enterprise_of(rp, &u[i]), "name"));
	}
}

/* A sign-in sheet: one row per enterprise with a booth, in booth order,
 * with blank cells to fill in at the door. */
static void add_signin(struct book *b, const struct report *rp)
{
	static const struct col cols[] = {
		{ "#", NULL, COL_NUM }, { "enterprise_id", NULL, 0 },
		{ "enterprise", "企业名称", 0 }, { "booth", "场次与展位", 0 },
		{ "signature", NULL, 0 }, { "phone", NULL, 0 },
		{ "signed_at", NULL, 0 },
	};
	struct table *t = book_table(b, BOOK_XLSX, b->zh ? "签到表" : "sign-in",
	    "", cols, N_OF(cols));
	uint32_t n, row = 0;
	struct booth *bo = booths_sorted(rp, &n);

	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *e = schema_opt(bo[i].slot, "enterprise_id");
		char where[1024] = "", id[SCHEMA_ID_MAX + 1];
		int seen = 0;
		for (uint32_t j = 0; j < i && !seen; j++)
			seen = str_same(schema_opt(bo[j].slot, "enterprise_id"), e);
		if (seen)
			continue;
		for (uint32_t j = i; j < n; j++)
			if (str_same(schema_opt(bo[j].slot, "enterprise_id"), e))
				snprintf(where + strlen(where), sizeof where - strlen(where),
				    "%s%s-%.0f", *where ? (b->zh ? "、" : ", ") : "",
				    schema_str(schema_opt(bo[j].slot, "session_id"), id,
				    sizeof id), bo[j].booth);
		table_addf(t, "%u", ++row);
		table_add_obj(t, e);
		table_add_obj(t, schema_opt(enterprise_of(rp, e), "name"));
		table_add(t, where);
		table_add(t, "");
		table_add(t, "");
		table_add(t, "");
	}
	book_style(b, XLSX_FORM);
	free(bo);
}

/* ------------------------------------------------------- fair allocate */

static int fair_arg(int argc, const char *usage)
{
	if (argc == 2)
		return 0;
	cli_err("usage: chanjiao %s", usage);
	return EXIT_USAGE;
}

int cmd_fair_allocate(const struct opts *o, int argc, char **argv)
{
	struct report rp = { 0 };
	struct rpc r;
	struct book b;
	int rc = fair_arg(argc, "fair allocate FAIR [--min-score S] "
	    "[--grad-year Y] [--kind K]... [--explain]");

	if (rc)
		return rc;
	if ((rc = report_load(&rp, o, argv[1], WANT_ALLOC, &r)) == 0) {
		const msgpack_object *res = rp.alloc.result;
		if (o->fmt == OUT_JSON) {
			print_result(res);
		} else {
			book_init(&b, o);
			fair_head(&b, &rp);
			book_kv(&b, "安置毕业生", "Placed", "%.0f",
			    schema_num(schema_opt(res, "placed")));
			book_kv(&b, "目标值", "Objective", "%.3f",
			    schema_num(schema_opt(res, "objective")));
			book_kv(&b, "求解耗时", "Solved in", "%.0f ms",
			    schema_num(schema_opt(res, "solve_ms")));
			add_directions(&b, &rp, b.zh ? "各方向供需" : "directions");
			add_allocations(&b, &rp);
			add_unfilled(&b, &rp, b.zh ? "未满岗位" : "unfilled", (size_t)-1);
			if (schema_opt(res, "arcs"))
				add_arcs(&b, &rp);
			rc = book_write(&b);
			book_free(&b);
		}
	}
	report_free(&rp, &r);
	return rc;
}

/* ------------------------------------------------------- fair schedule */

int cmd_fair_schedule(const struct opts *o, int argc, char **argv)
{
	struct report rp = { 0 };
	struct rpc r;
	struct book b;
	int rc = fair_arg(argc, "fair schedule FAIR");

	if (rc)
		return rc;
	if ((rc = report_load(&rp, o, argv[1], WANT_SCHED, &r)) == 0) {
		const msgpack_object *res = rp.sched.result;
		if (o->fmt == OUT_JSON) {
			print_result(res);
		} else {
			book_init(&b, o);
			fair_head(&b, &rp);
			book_kv(&b, "相关度", "Score", "%.3f",
			    schema_num(schema_opt(res, "score")));
			add_booths(&b, &rp, b.zh ? "展位安排" : "slots", 1);
			add_short(&b, &rp, b.zh ? "展位不足的企业" : "short");
			add_unscheduled(&b, &rp, b.zh ? "未安排展位的企业" :
			    "unscheduled");
			rc = book_write(&b);
			book_free(&b);
		}
	}
	report_free(&rp, &r);
	return rc;
}

/* --------------------------------------------------------- fair report */

/* ---- per direction: enterprises by graduates allocated */

struct ent_total {
	const msgpack_object *ent_id;
	double count;
};

static int ent_total_cmp(const void *a, const void *b)
{
	const struct ent_total *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return str_order(x->ent_id, y->ent_id);
}

/* Totals of direction dir's allocations per enterprise, sorted; *n set. */
static struct ent_total *direction_top(const struct report *rp,
    const msgpack_object *dir, size_t *nout)
{
	uint32_t n;
	const msgpack_object *a = schema_arr(schema_opt(rp->alloc.result, "allocations"), &n);
	struct ent_total *v = xcalloc(n + 1, sizeof *v);
	size_t k = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (!str_same(schema_opt(&a[i], "direction_id"), dir))
			continue;
		const msgpack_object *e = schema_opt(posting_of(rp,
		    schema_opt(&a[i], "posting_id")), "enterprise_id");
		size_t j;
		if (!e)
			continue;
		for (j = 0; j < k && !str_same(v[j].ent_id, e); j++)
			;
		if (j == k)
			v[k++] = (struct ent_total){ e, 0 };
		v[j].count += schema_num(schema_opt(&a[i], "count"));
	}
	qsort(v, k, sizeof *v, ent_total_cmp);
	*nout = k;
	return v;
}

static void add_top(struct book *b, const struct report *rp, const char *title)
{
	static const struct col cols[] = {
		{ "direction_id", NULL, COL_ID }, { "direction", NULL, 0 },
		{ "rank", NULL, COL_NUM }, { "enterprise_id", NULL, COL_ID },
		{ "enterprise", NULL, 0 }, { "allocated", NULL, COL_NUM },
	};
	struct table *t = book_table(b, BOOK_ALL, b->zh ? "重点企业" :
	    "top enterprises", title, cols, N_OF(cols));
	uint32_t nd;
	const msgpack_object *d = schema_arr(schema_opt(rp->alloc.result, "directions"), &nd);

	for (uint32_t i = 0; i < nd; i++) {
		const msgpack_object *dir = schema_opt(&d[i], "direction_id");
		size_t k;
		struct ent_total *v = direction_top(rp, dir, &k);
		for (size_t j = 0; j < k && j < rp->top; j++) {
			table_add_obj(t, dir);
			table_add_obj(t, direction_name(rp, dir));
			table_addf(t, "%zu", j + 1);
			table_add_obj(t, v[j].ent_id);
			table_add_obj(t, schema_opt(enterprise_of(rp, v[j].ent_id), "name"));
			table_add_num(t, v[j].count, cli_dec(b->o, 0));
		}
		free(v);
	}
}

static void report_book(struct book *b, const struct report *rp)
{
	const msgpack_object *f = rp->fair.result, *a = rp->alloc.result;
	char title[256], region[16];
	uint32_t nu, ns, ne, nsched;
	double open;
	const msgpack_object **u = unfilled_sorted(rp, &nu, &open);
	int zh = b->zh;

	free(u);
	schema_arr(schema_opt(f, "school_ids"), &ns);
	schema_arr(schema_opt(f, "enterprise_ids"), &ne);
	schema_arr(schema_opt(rp->sched.result, "slots"), &nsched);
	fair_head(b, rp);
	if (*schema_str(schema_opt(f, "region"), region, sizeof region)) {
		const char *name = ref_region(region, strlen(region));
		book_kv(b, "地区", "Region", "%s%s%s", region, name ? " " : "",
		    name ? name : "");
	}
	if (zh) {
		book_kv(b, "参会", "", "学校 %u 所，企业 %u 家", ns, ne);
		book_kv(b, "安置", "", "%.0f 名毕业生（目标值 %.3f）；%u 个岗位尚有 "
		    "%.0f 个空缺", schema_num(schema_opt(a, "placed")),
		    schema_num(schema_opt(a, "objective")), nu, open);
	} else {
		book_kv(b, "", "Taking part", "%u schools, %u enterprises", ns, ne);
		book_kv(b, "", "Placed", "%.0f graduates (objective %.3f); %u "
		    "postings keep %.0f open positions",
		    schema_num(schema_opt(a, "placed")),
		    schema_num(schema_opt(a, "objective")), nu, open);
	}
	add_directions(b, rp, zh ? "各方向：毕业生、岗位需求、已分配" :
	    "Directions: supply, demand, allocated graduates");
	if (zh)
		snprintf(title, sizeof title, "各方向重点企业（按分配毕业生数，前 %zu 家）",
		    rp->top);
	else
		snprintf(title, sizeof title, "Top enterprises per direction (by "
		    "graduates allocated, top %zu)", rp->top);
	add_top(b, rp, title);
	if (zh)
		snprintf(title, sizeof title, "未满岗位：%u 个岗位，%.0f 个空缺（按空缺"
		    "排序，前 %zu 个）", nu, open, rp->top);
	else
		snprintf(title, sizeof title, "Unfilled postings: %u postings, %.0f "
		    "open positions (top %zu by open)", nu, open, rp->top);
	add_unfilled(b, rp, title, rp->top);
	if (zh)
		snprintf(title, sizeof title, "展位安排（%u 个展位场次，相关度 %.3f）",
		    nsched, schema_num(schema_opt(rp->sched.result, "score")));
	else
		snprintf(title, sizeof title, "Booth plan (%u booth-sessions, score "
		    "%.3f)", nsched, schema_num(schema_opt(rp->sched.result, "score")));
	add_booths(b, rp, title, 1);
	add_short(b, rp, zh ? "展位不足的企业" :
	    "Enterprises given fewer booth-sessions than they asked for");
	add_unscheduled(b, rp, zh ? "未安排展位的企业" : "Unscheduled enterprises");
	add_signin(b, rp);
}

/* ---- JSON: the same content as one object */

static void pack_obj_or_nil(msgpack_packer *pk, const msgpack_object *o)
{
	if (o)
		msgpack_pack_object(pk, *o);
	else
		msgpack_pack_nil(pk);
}

static void pack_directions(msgpack_packer *pk, const struct report *rp)
{
	static const char *const keys[] = {
		"supply", "demand", "reachable", "allocated", "positions_per_graduate",
	};
	uint32_t nd;
	const msgpack_object *d = schema_arr(schema_opt(rp->alloc.result, "directions"), &nd);

	msgpack_pack_array(pk, nd);
	for (uint32_t i = 0; i < nd; i++) {
		const msgpack_object *dir = schema_opt(&d[i], "direction_id");
		size_t k;
		uint32_t nk = 0;
		struct ent_total *v = direction_top(rp, dir, &k);
		if (k > rp->top)
			k = rp->top;
		for (size_t j = 0; j < N_OF(keys); j++)
			nk += schema_opt(&d[i], keys[j]) != NULL || strcmp(keys[j],
			    "reachable") != 0;
		msgpack_pack_map(pk, 3 + nk);
		proto_pack_cstr(pk, "direction_id");
		pack_obj_or_nil(pk, dir);
		proto_pack_cstr(pk, "name");
		pack_obj_or_nil(pk, direction_name(rp, dir));
		for (size_t j = 0; j < N_OF(keys); j++) {
			if (!strcmp(keys[j], "reachable") && !schema_opt(&d[i], keys[j]))
				continue;
			proto_pack_cstr(pk, keys[j]);
			pack_obj_or_nil(pk, schema_opt(&d[i], keys[j]));
		}
		proto_pack_cstr(pk, "top_enterprises");
		msgpack_pack_array(pk, (uint32_t)k);
		for (size_t j = 0; j < k; j++) {
			msgpack_pack_map(pk, 3);
			proto_pack_cstr(pk, "enterprise_id");
			pack_obj_or_nil(pk, v[j].ent_id);
			proto_pack_cstr(pk, "name");
			pack_obj_or_nil(pk, schema_opt(enterprise_of(rp, v[j].ent_id), "name"));
			proto_pack_cstr(pk, "allocated");
			msgpack_pack_double(pk, v[j].count);
		}
		free(v);
	}
}

static void pack_unfilled(msgpack_packer *pk, const struct report *rp)
{
	uint32_t n;
	double open;
	const msgpack_object **u = unfilled_sorted(rp, &n, &open);
	uint32_t top = n < rp->top ? n : (uint32_t)rp->top;

	msgpack_pack_map(pk, 3);
	proto_pack_cstr(pk, "postings");
	msgpack_pack_uint32(pk, n);
	proto_pack_cstr(pk, "open");
	msgpack_pack_double(pk, open);
	proto_pack_cstr(pk, "top");
	msgpack_pack_array(pk, top);
	for (uint32_t i = 0; i < top; i++) {
		const msgpack_object *p = posting_of(rp, schema_opt(u[i], "posting_id"));
		const msgpack_object *e = schema_opt(p, "enterprise_id");
		msgpack_pack_map(pk, 6);
		proto_pack_cstr(pk, "posting_id");
		pack_obj_or_nil(pk, schema_opt(u[i], "posting_id"));
		proto_pack_cstr(pk, "title");
		pack_obj_or_nil(pk, schema_opt(p, "title"));
		proto_pack_cstr(pk, "enterprise_id");
		pack_obj_or_nil(pk, e);
		proto_pack_cstr(pk, "enterprise");
		pack_obj_or_nil(pk, schema_opt(enterprise_of(rp, e), "name"));
		proto_pack_cstr(pk, "headcount");
		pack_obj_or_nil(pk, schema_opt(p, "headcount"));
		proto_pack_cstr(pk, "open");
		pack_obj_or_nil(pk, schema_opt(u[i], "open"));
	}
	free(u);
}

static void pack_booths(msgpack_packer *pk, const struct report *rp)
{
	uint32_t n;
	struct booth *b = booths_sorted(rp, &n);

	msgpack_pack_array(pk, n);
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *e = schema_opt(b[i].slot, "enterprise_id");
		const msgpack_object *ent = enterprise_of(rp, e);
		msgpack_pack_map(pk, 5);
		proto_pack_cstr(pk, "session_id");
		pack_obj_or_nil(pk, schema_opt(b[i].slot, "session_id"));
		proto_pack_cstr(pk, "booth");
		pack_obj_or_nil(pk, schema_opt(b[i].slot, "booth"));
		proto_pack_cstr(pk, "enterprise_id");
		pack_obj_or_nil(pk, e);
		proto_pack_cstr(pk, "enterprise");
		pack_obj_or_nil(pk, schema_opt(ent, "name"));
		proto_pack_cstr(pk, "chain");
		pack_obj_or_nil(pk, first_chain(ent));
	}
	free(b);
}

static void report_json(const struct report *rp)
{
	const msgpack_object *f = rp->fair.result;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_zone z;
	msgpack_object o;
	size_t off = 0;
	uint32_t n;
	const msgpack_object *u = schema_arr(schema_opt(rp->sched.result, "unscheduled"), &n);

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 12);
	static const char *const fk[] = { "id", "name", "date", "region" };
	for (int i = 0; i < 4; i++) {
		char key[16];
		snprintf(key, sizeof key, "fair_%s", fk[i]);
		proto_pack_cstr(&pk, key);
		pack_obj_or_nil(&pk, schema_opt(f, fk[i]));
	}
	pack_kv_int(&pk, "grad_year", rp->grad_year);
	proto_pack_cstr(&pk, "placed");
	pack_obj_or_nil(&pk, schema_opt(rp->alloc.result, "placed"));
	proto_pack_cstr(&pk, "objective");
	pack_obj_or_nil(&pk, schema_opt(rp->alloc.result, "objective"));
	proto_pack_cstr(&pk, "directions");
	pack_directions(&pk, rp);
	proto_pack_cstr(&pk, "unfilled");
	pack_unfilled(&pk, rp);
	proto_pack_cstr(&pk, "booths");
	pack_booths(&pk, rp);
	proto_pack_cstr(&pk, "short");
	msgpack_pack_array(&pk, (uint32_t)rp->nshort);
	for (size_t i = 0; i < rp->nshort; i++) {
		msgpack_pack_map(&pk, 4);
		proto_pack_cstr(&pk, "enterprise_id");
		pack_obj_or_nil(&pk, rp->shorts[i].id);
		proto_pack_cstr(&pk, "enterprise");
		pack_obj_or_nil(&pk, schema_opt(enterprise_of(rp, rp->shorts[i].id),
		    "name"));
		pack_kv_int(&pk, "wanted", (long long)rp->shorts[i].wanted);
		pack_kv_int(&pk, "got", (long long)rp->shorts[i].got);
	}
	proto_pack_cstr(&pk, "unscheduled");
	msgpack_pack_array(&pk, n);
	for (uint32_t i = 0; i < n; i++) {
		msgpack_pack_map(&pk, 2);
		proto_pack_cstr(&pk, "enterprise_id");
		pack_obj_or_nil(&pk, &u[i]);
		proto_pack_cstr(&pk, "enterprise");
		pack_obj_or_nil(&pk, schema_opt(enterprise_of(rp, &u[i]), "name"));
	}
	msgpack_zone_init(&z, 4096);
	msgpack_unpack(sb.data, sb.size, &off, &z, &o);
	json_print(stdout, &o);
	putchar('\n');
	msgpack_zone_destroy(&z);
	msgpack_sbuffer_destroy(&sb);
}

int cmd_fair_report(const struct opts *o, int argc, char **argv)
{
	struct report rp = { 0 };
	struct rpc r;
	struct book b;
	int rc = fair_arg(argc, "fair report FAIR [--top N] [--min-score S] "
	    "[--grad-year Y] [--kind K]...");

	if (rc)
		return rc;
	/* the JSON report names enterprises too: fetch as for a table */
	struct opts oo = *o;
	if (oo.fmt == OUT_JSON)
		oo.fmt = OUT_TABLE;
	if ((rc = report_load(&rp, &oo, argv[1], WANT_ALLOC | WANT_SCHED,
	    &r)) == 0) {
		rp.o = o;
		if (o->fmt == OUT_JSON) {
			report_json(&rp);
		} else {
			book_init(&b, o);
			report_book(&b, &rp);
			rc = book_write(&b);
			book_free(&b);
		}
	}
	report_free(&rp, &r);
	return rc;
}
