/*
 * report — `fair allocate`, `fair schedule` and `fair report`, written
 * against docs/protocol.md's result shapes of fair.allocate and fair.schedule.
 *
 * The report joins the two planners' answers with the fair, its postings
 * and enterprises (pipelined gets) into what an organizer prints: per
 * direction supply, demand, allocated and positions per graduate; the
 * enterprises taking most graduates per direction; the unfilled postings;
 * the booth plan.  Text and CSV print sections; --json one object.
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Top entries shown per list unless --top says otherwise. */
#define TOP_DEFAULT 10

static int fdec(const struct opts *o, int text)
{
	return o->fmt == OUT_CSV ? -1 : text;
}

/* A section title: a line of text, or "# title" ahead of a CSV block. */
static void section(const struct opts *o, const char *title, int first)
{
	if (!first)
		putchar('\n');
	printf(o->fmt == OUT_CSV ? "# %s\n" : "%s\n", title);
}

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
	    (planner && !isnan(o->min_score)) + (planner && o->kind != NULL) +
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
	if (o->kind) {                    /* --kind job,internship */
		size_t n;
		char **v = cli_split(&o->kind, 1, &n);
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

/* ------------------------------------------------------- fair allocate */

static void print_directions(const struct opts *o, const msgpack_object *res,
    const msgpack_object *fair, int names)
{
	static const char *const head[] = {
		"direction_id", "name", "supply", "demand", "allocated",
		"positions_per_graduate",
	};
	struct table t;
	uint32_t n;
	const msgpack_object *d = schema_arr(schema_opt(res, "directions"), &n);

	table_init(&t, names ? 6 : 5, names ? head : (const char *const[]){
	    "direction_id", "supply", "demand", "allocated",
	    "positions_per_graduate" });
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *id = schema_opt(&d[i], "direction_id");
		table_add_obj(&t, id);
		if (names)
			table_add_obj(&t, schema_opt(find_by(schema_opt(fair, "directions"),
			    "id", id), "name"));
		table_add_obj(&t, schema_opt(&d[i], "supply"));
		table_add_obj(&t, schema_opt(&d[i], "demand"));
		table_add_obj(&t, schema_opt(&d[i], "allocated"));
		const msgpack_object *ppg = schema_opt(&d[i], "positions_per_graduate");
		if (ppg || o->fmt == OUT_CSV)
			table_add_num(&t, schema_num(ppg), fdec(o, 2));
		else
			table_add(&t, "-");
	}
	table_print(&t, stdout, o->fmt);
	table_free(&t);
}

/* A table of an array of maps, the given keys as columns. */
static void print_items(const struct opts *o, const msgpack_object *arr,
    const char *const *keys, size_t nkeys)
{
	struct table t;
	uint32_t n;
	const msgpack_object *a = schema_arr(arr, &n);

	table_init(&t, nkeys, keys);
	for (uint32_t i = 0; i < n; i++)
		for (size_t k = 0; k < nkeys; k++) {
			const msgpack_object *v = schema_opt(&a[i], keys[k]);
			if (!strcmp(keys[k], "score"))
				table_add_num(&t, schema_num(v), fdec(o, 3));
			else
				table_add_obj(&t, v);
		}
	table_print(&t, stdout, o->fmt);
	table_free(&t);
}

static int fair_arg(int argc, char **argv, const char *usage)
{
	(void)argv;
	if (argc == 2)
		return 0;
	cli_err("usage: chanjiao %s", usage);
	return EXIT_USAGE;
}

/* One planner call on the fair; the reply is the caller's to free. */
static int planner_call(const struct opts *o, struct rpc *r, const char *method,
    const char *fair, struct rpc_reply *rep)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_fair_params(&pk, o, fair, strcmp(method, "fair.schedule") != 0);
	rc = rpc_call_or_fail(r, method, &sb, rep);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

int cmd_fair_allocate(const struct opts *o, int argc, char **argv)
{
	static const char *const alloc_k[] = {
		"posting_id", "direction_id", "count", "score",
	};
	static const char *const unf_k[] = { "posting_id", "open" };
	static const char *const arc_k[] = { "posting_id", "direction_id", "score" };
	struct rpc r;
	struct rpc_reply rep;
	int rc = fair_arg(argc, argv, "fair allocate FAIR [--min-score S] "
	    "[--grad-year Y] [--kind K] [--explain] [--csv|--json]");

	if (rc || (rc = rpc_open(&r, o)) != 0)
		return rc;
	if ((rc = planner_call(o, &r, "fair.allocate", argv[1], &rep)) == 0) {
		const msgpack_object *res = rep.result;
		if (o->fmt == OUT_JSON) {
			json_print(stdout, res);
			putchar('\n');
		} else {
			if (o->fmt == OUT_TABLE)
				printf("fair %s: placed %.0f, objective %.3f, solved in "
				    "%.0f ms\n\n", argv[1], schema_num(schema_opt(res, "placed")),
				    schema_num(schema_opt(res, "objective")),
				    schema_num(schema_opt(res, "solve_ms")));
			section(o, "directions", 1);
			print_directions(o, res, NULL, 0);
			section(o, "allocations", 0);
			print_items(o, schema_opt(res, "allocations"), alloc_k, 4);
			section(o, "unfilled", 0);
			print_items(o, schema_opt(res, "unfilled"), unf_k, 2);
			if (schema_opt(res, "arcs")) {
				section(o, "arcs", 0);
				print_items(o, schema_opt(res, "arcs"), arc_k, 3);
			}
		}
		rpc_reply_free(&rep);
	}
	rpc_close(&r);
	return rc;
}

/* ------------------------------------------------------- fair schedule */

int cmd_fair_schedule(const struct opts *o, int argc, char **argv)
{
	static const char *const slot_k[] = { "session_id", "booth", "enterprise_id" };
	struct rpc r;
	struct rpc_reply rep;
	int rc = fair_arg(argc, argv, "fair schedule FAIR [--csv|--json]");

	if (rc || (rc = rpc_open(&r, o)) != 0)
		return rc;
	if ((rc = planner_call(o, &r, "fair.schedule", argv[1], &rep)) == 0) {
		const msgpack_object *res = rep.result;
		if (o->fmt == OUT_JSON) {
			json_print(stdout, res);
			putchar('\n');
		} else {
			uint32_t n;
			const msgpack_object *u = schema_arr(schema_opt(res, "unscheduled"), &n);
			if (o->fmt == OUT_TABLE)
				printf("fair %s: score %.3f\n\n", argv[1],
				    schema_num(schema_opt(res, "score")));
			section(o, "slots", 1);
			print_items(o, schema_opt(res, "slots"), slot_k, 3);
			section(o, "unscheduled", 0);
			if (o->fmt == OUT_CSV)
				puts("enterprise_id");
			for (uint32_t i = 0; i < n; i++) {
				char id[SCHEMA_ID_MAX + 1];
				schema_str(&u[i], id, sizeof id);
				if (o->fmt == OUT_CSV) {
					csvio_put(stdout, id, 1);
					csvio_end(stdout);
				} else {
					printf("%s%s", i ? ", " : "", id);
				}
			}
			if (o->fmt == OUT_TABLE)
				puts(n ? "" : "(none)");
		}
		rpc_reply_free(&rep);
	}
	rpc_close(&r);
	return rc;
}

/* --------------------------------------------------------- fair report */

struct report {
	const struct opts *o;
	const char *fair_id;
	size_t top;
	struct rpc_reply fair, alloc, sched;
	int have_fair, have_alloc, have_sched;
	struct fetch posts, ents;
};

/* Send fair.get, fair.allocate and fair.schedule at once (the planners
 * run side by side on the daemon's workers); match replies by msgid. */
static int report_calls(struct report *rp, struct rpc *r)
{
	static const char *const methods[] = {
		"fair.get", "fair.allocate", "fair.schedule",
	};
	struct rpc_reply *slots[] = { &rp->fair, &rp->alloc, &rp->sched };
	int *have[] = { &rp->have_fair, &rp->have_alloc, &rp->have_sched };
	uint32_t ids[3];
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc = 0;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	for (int i = 0; i < 3; i++) {
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
	}
	msgpack_sbuffer_destroy(&sb);
	for (int got = 0; got < 3;) {
		struct rpc_reply rep;
		int i;
		if (rpc_recv(r, &rep) < 0)
			return EXIT_CONN;
		for (i = 0; i < 3 && ids[i] != rep.msgid; i++)
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

/* Postings of the allocations and unfilled list; their enterprises and
 * the scheduled ones. */
static int report_fetch(struct report *rp, struct rpc *r)
{
	const msgpack_object *a = rp->alloc.result, *s = rp->sched.result;
	const char *lists[] = { "allocations", "unfilled" };
	uint32_t n;
	int rc;

	for (int l = 0; l < 2; l++) {
		const msgpack_object *it = schema_arr(schema_opt(a, lists[l]), &n);
		for (uint32_t i = 0; i < n; i++) {
			const msgpack_object *id = schema_opt(&it[i], "posting_id");
			if (id && id->type == MSGPACK_OBJECT_STR)
				fetch_add(&rp->posts, id->via.str.ptr, id->via.str.size);
		}
	}
	if ((rc = fetch_run(&rp->posts, r, SCHEMA_POSTING)) != 0)
		return rc;
	for (size_t i = 0; i < rp->posts.n; i++) {
		const msgpack_object *e = schema_opt(rp->posts.rep[i].result,
		    "enterprise_id");
		if (e && e->type == MSGPACK_OBJECT_STR)
			fetch_add(&rp->ents, e->via.str.ptr, e->via.str.size);
	}
	const msgpack_object *sl = schema_arr(schema_opt(s, "slots"), &n);
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *e = schema_opt(&sl[i], "enterprise_id");
		if (e && e->type == MSGPACK_OBJECT_STR)
			fetch_add(&rp->ents, e->via.str.ptr, e->via.str.size);
	}
	sl = schema_arr(schema_opt(s, "unscheduled"), &n);
	for (uint32_t i = 0; i < n; i++)
		if (sl[i].type == MSGPACK_OBJECT_STR)
			fetch_add(&rp->ents, sl[i].via.str.ptr, sl[i].via.str.size);
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

/* An enterprise's first chain tag in sorted order, as booths are grouped. */
static const msgpack_object *first_chain(const msgpack_object *ent)
{
	uint32_t n;
	const msgpack_object *c = schema_arr(schema_opt(ent, "chains"), &n), *best = NULL;
	for (uint32_t i = 0; i < n; i++)
		if (c[i].type == MSGPACK_OBJECT_STR && (!best || str_order(&c[i], best) < 0))
			best = &c[i];
	return best;
}

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

/* ---- text and CSV */

static void report_head(const struct report *rp)
{
	const msgpack_object *f = rp->fair.result, *a = rp->alloc.result;
	char name[SCHEMA_NAME_MAX + 1], date[16], region[16];
	uint32_t ns, ne, nu;
	double open;
	const msgpack_object **u;

	schema_arr(schema_opt(f, "school_ids"), &ns);
	schema_arr(schema_opt(f, "enterprise_ids"), &ne);
	printf("Fair %s %s, %s%s%s: %u schools, %u enterprises\n", rp->fair_id,
	    schema_str(schema_opt(f, "name"), name, sizeof name),
	    schema_str(schema_opt(f, "date"), date, sizeof date),
	    schema_opt(f, "region") ? ", region " : "",
	    schema_str(schema_opt(f, "region"), region, sizeof region), ns, ne);
	u = unfilled_sorted(rp, &nu, &open);
	printf("Placed %.0f graduates (objective %.3f); %u postings keep %.0f "
	    "open positions\n\n", schema_num(schema_opt(a, "placed")),
	    schema_num(schema_opt(a, "objective")), nu, open);
	free(u);
}

static void report_top(const struct report *rp)
{
	static const char *const head[] = {
		"direction_id", "direction", "rank", "enterprise_id", "enterprise",
		"allocated",
	};
	const struct opts *o = rp->o;
	struct table t;
	uint32_t nd;
	const msgpack_object *d = schema_arr(schema_opt(rp->alloc.result, "directions"), &nd);
	char buf[SCHEMA_NAME_MAX + 1];

	table_init(&t, 6, head);
	for (uint32_t i = 0; i < nd; i++) {
		const msgpack_object *dir = schema_opt(&d[i], "direction_id");
		size_t k;
		struct ent_total *v = direction_top(rp, dir, &k);
		for (size_t j = 0; j < k && j < rp->top; j++) {
			table_add_obj(&t, dir);
			table_add_obj(&t, schema_opt(find_by(schema_opt(rp->fair.result,
			    "directions"), "id", dir), "name"));
			table_addf(&t, "%zu", j + 1);
			table_add_obj(&t, v[j].ent_id);
			table_add(&t, schema_str(schema_opt(enterprise_of(rp, v[j].ent_id),
			    "name"), buf, sizeof buf));
			table_add_num(&t, v[j].count, o->fmt == OUT_CSV ? -1 : 0);
		}
		free(v);
	}
	table_print(&t, stdout, o->fmt);
	table_free(&t);
}

static void report_unfilled(const struct report *rp)
{
	static const char *const head[] = {
		"posting_id", "title", "enterprise_id", "enterprise", "headcount",
		"open",
	};
	struct table t;
	uint32_t n;
	double open;
	const msgpack_object **u = unfilled_sorted(rp, &n, &open);
	char buf[SCHEMA_NAME_MAX + 1];

	table_init(&t, 6, head);
	for (uint32_t i = 0; i < n && i < rp->top; i++) {
		const msgpack_object *p = posting_of(rp, schema_opt(u[i], "posting_id"));
		const msgpack_object *e = schema_opt(p, "enterprise_id");
		table_add_obj(&t, schema_opt(u[i], "posting_id"));
		table_add_obj(&t, schema_opt(p, "title"));
		table_add_obj(&t, e);
		table_add(&t, schema_str(schema_opt(enterprise_of(rp, e), "name"), buf,
		    sizeof buf));
		table_add_obj(&t, schema_opt(p, "headcount"));
		table_add_obj(&t, schema_opt(u[i], "open"));
	}
	table_print(&t, stdout, rp->o->fmt);
	table_free(&t);
	free(u);
}

static void report_booths(const struct report *rp)
{
	static const char *const head[] = {
		"session_id", "start", "end", "booth", "enterprise_id", "enterprise",
		"chain",
	};
	struct table t;
	uint32_t n;
	struct booth *b = booths_sorted(rp, &n);
	const msgpack_object *sessions = schema_opt(rp->fair.result, "sessions");

	table_init(&t, 7, head);
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *sid = schema_opt(b[i].slot, "session_id");
		const msgpack_object *s = find_by(sessions, "id", sid);
		const msgpack_object *e = schema_opt(b[i].slot, "enterprise_id");
		const msgpack_object *ent = enterprise_of(rp, e);
		table_add_obj(&t, sid);
		table_add_obj(&t, schema_opt(s, "start"));
		table_add_obj(&t, schema_opt(s, "end"));
		table_add_obj(&t, schema_opt(b[i].slot, "booth"));
		table_add_obj(&t, e);
		table_add_obj(&t, schema_opt(ent, "name"));
		table_add_obj(&t, first_chain(ent));
	}
	table_print(&t, stdout, rp->o->fmt);
	table_free(&t);
	free(b);
}

static void report_unscheduled(const struct report *rp)
{
	static const char *const head[] = { "enterprise_id", "enterprise" };
	struct table t;
	uint32_t n;
	const msgpack_object *u = schema_arr(schema_opt(rp->sched.result, "unscheduled"), &n);

	table_init(&t, 2, head);
	for (uint32_t i = 0; i < n; i++) {
		table_add_obj(&t, &u[i]);
		table_add_obj(&t, schema_opt(enterprise_of(rp, &u[i]), "name"));
	}
	table_print(&t, stdout, rp->o->fmt);
	table_free(&t);
}

static void report_text(const struct report *rp)
{
	const struct opts *o = rp->o;
	char title[128];
	uint32_t nu;
	double open;
	const msgpack_object **u = unfilled_sorted(rp, &nu, &open);

	free(u);
	if (o->fmt == OUT_TABLE)
		report_head(rp);
	section(o, "Directions: supply, demand, allocated graduates", 1);
	print_directions(o, rp->alloc.result, rp->fair.result, 1);
	snprintf(title, sizeof title, "Top enterprises per direction (by "
	    "graduates allocated, top %zu)", rp->top);
	section(o, title, 0);
	report_top(rp);
	snprintf(title, sizeof title, "Unfilled postings: %u postings, %.0f open "
	    "positions (top %zu by open)", nu, open, rp->top);
	section(o, title, 0);
	report_unfilled(rp);
	snprintf(title, sizeof title, "Booth plan (score %.3f)",
	    schema_num(schema_opt(rp->sched.result, "score")));
	section(o, title, 0);
	report_booths(rp);
	section(o, "Unscheduled enterprises", 0);
	report_unscheduled(rp);
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
	uint32_t nd;
	const msgpack_object *d = schema_arr(schema_opt(rp->alloc.result, "directions"), &nd);

	msgpack_pack_array(pk, nd);
	for (uint32_t i = 0; i < nd; i++) {
		const msgpack_object *dir = schema_opt(&d[i], "direction_id");
		static const char *const keys[] = {
			"supply", "demand", "allocated", "positions_per_graduate",
		};
		size_t k;
		struct ent_total *v = direction_top(rp, dir, &k);
		if (k > rp->top)
			k = rp->top;
		msgpack_pack_map(pk, 7);
		proto_pack_cstr(pk, "direction_id");
		pack_obj_or_nil(pk, dir);
		proto_pack_cstr(pk, "name");
		pack_obj_or_nil(pk, schema_opt(find_by(schema_opt(rp->fair.result,
		    "directions"), "id", dir), "name"));
		for (int j = 0; j < 4; j++) {
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
	msgpack_pack_map(&pk, 10);
	static const char *const fk[] = { "id", "name", "date", "region" };
	for (int i = 0; i < 4; i++) {
		char key[16];
		snprintf(key, sizeof key, "fair_%s", fk[i]);
		proto_pack_cstr(&pk, key);
		pack_obj_or_nil(&pk, schema_opt(f, fk[i]));
	}
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
	struct report rp = { .o = o };
	struct rpc r;
	int rc = fair_arg(argc, argv, "fair report FAIR [--top N] [--min-score S] "
	    "[--grad-year Y] [--kind K] [--csv|--json]");

	if (rc || (rc = rpc_open(&r, o)) != 0)
		return rc;
	rp.fair_id = argv[1];
	rp.top = o->top > 0 ? (size_t)o->top : TOP_DEFAULT;
	if ((rc = report_calls(&rp, &r)) == 0 && (rc = report_fetch(&rp, &r)) == 0) {
		if (o->fmt == OUT_JSON)
			report_json(&rp);
		else
			report_text(&rp);
	}
	if (rp.have_fair)
		rpc_reply_free(&rp.fair);
	if (rp.have_alloc)
		rpc_reply_free(&rp.alloc);
	if (rp.have_sched)
		rpc_reply_free(&rp.sched);
	fetch_free(&rp.posts);
	fetch_free(&rp.ents);
	rpc_close(&r);
	return rc;
}
