/*
 * test_schema — record validation of schema.h against docs/protocol.md
 * "Records": a valid sample of each kind, then tables of one-change
 * edits of those samples, each with the -32602 field path it must give
 * (checked at the top level and under the batch base "records[3]").
 *
 * Records are written in a small JSON-like notation, packed with the
 * msgpack-c packer: 'single' or "double" quoted strings (\0 is a NUL
 * byte, \x any other character x; raw bytes pass as they are), integers,
 * floats (with . or e; a trailing f packs a float32), true, false, null,
 * nan, inf; commas and colons are mere separators, and any value may be
 * a map key ({2026: 40}).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <msgpack.h>

#include "check.h"
#include "proto.h"
#include "schema.h"

/* ---- the notation ---- */

static void die(const char *what, const char *at)
{
	fprintf(stderr, "test bug: %s at \"%.40s\"\n", what, at);
	abort();
}

static void pj_ws(const char **s)
{
	while (**s == ' ' || **s == '\n' || **s == '\t' || **s == ',' ||
	    **s == ':')
		(*s)++;
}

/* Pack one value of the notation at *s (skip it when pk is NULL). */
static void pj(msgpack_packer *pk, const char **s)
{
	pj_ws(s);
	char c = **s;

	if (c == '{' || c == '[') {
		char close = c == '{' ? '}' : ']';
		const char *t = ++*s;
		size_t n = 0;
		for (;;) {
			pj_ws(&t);
			if (*t == close)
				break;
			if (!*t)
				die("unclosed container", *s);
			pj(NULL, &t);
			n++;
		}
		if (c == '{' && n % 2)
			die("map with a key but no value", *s);
		if (pk && c == '{')
			msgpack_pack_map(pk, n / 2);
		else if (pk)
			msgpack_pack_array(pk, n);
		for (size_t i = 0; i < n; i++)
			pj(pk, s);
		pj_ws(s);
		(*s)++;
		return;
	}
	if (c == '\'' || c == '"') {
		char *buf = malloc(strlen(*s) + 1);
		size_t n = 0;
		(*s)++;
		while (**s != c) {
			if (!**s)
				die("unclosed string", *s);
			if (**s == '\\') {
				(*s)++;
				if (!**s)
					die("backslash at end", *s);
				buf[n++] = **s == '0' ? 0 : **s;
				(*s)++;
			} else
				buf[n++] = *(*s)++;
		}
		(*s)++;
		if (pk)
			msgpack_pack_str_with_body(pk, buf, n);
		free(buf);
		return;
	}
	static const char *const words[] = { "true", "false", "null", "nan",
	    "inf", NULL };
	for (int i = 0; words[i]; i++) {
		size_t n = strlen(words[i]);
		if (strncmp(*s, words[i], n) == 0) {
			*s += n;
			if (!pk)
				return;
			switch (i) {
			case 0: msgpack_pack_true(pk); break;
			case 1: msgpack_pack_false(pk); break;
			case 2: msgpack_pack_nil(pk); break;
			case 3: msgpack_pack_double(pk, NAN); break;
			default: msgpack_pack_double(pk, INFINITY); break;
			}
			return;
		}
	}
	size_t n = strspn(*s, "0123456789+-.eE");
	if (n == 0)
		die("not a value", *s);
	char tok[64];
	if (n >= sizeof tok)
		die("number too long", *s);
	memcpy(tok, *s, n);
	tok[n] = 0;
	*s += n;
	if (strpbrk(tok, ".eE")) {
		int f = **s == 'f';
		if (f)
			(*s)++;
		if (pk && f)
			msgpack_pack_float(pk, strtof(tok, NULL));
		else if (pk)
			msgpack_pack_double(pk, strtod(tok, NULL));
	} else if (tok[0] == '-') {
		if (pk)
			msgpack_pack_int64(pk, strtoll(tok, NULL, 10));
	} else if (pk)
		msgpack_pack_uint64(pk, strtoull(tok, NULL, 10));
}

static void pack_text(msgpack_packer *pk, const char *text)
{
	const char *s = text;
	pj(pk, &s);
	pj_ws(&s);
	if (*s)
		die("text after the value", s);
}

/* A decoded value and the bytes it points into. */
struct obj {
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked u;
};

static void obj_init(struct obj *o)
{
	msgpack_sbuffer_init(&o->sb);
	msgpack_packer_init(&o->pk, &o->sb, msgpack_sbuffer_write);
	msgpack_unpacked_init(&o->u);
}

static const msgpack_object *obj_done(struct obj *o)
{
	size_t off = 0;
	if (msgpack_unpack_next(&o->u, o->sb.data, o->sb.size, &off) !=
	    MSGPACK_UNPACK_SUCCESS || off != o->sb.size)
		die("packed bytes do not decode", "");
	return &o->u.data;
}

static void obj_free(struct obj *o)
{
	msgpack_unpacked_destroy(&o->u);
	msgpack_sbuffer_destroy(&o->sb);
}

static const msgpack_object *obj_text(struct obj *o, const char *text)
{
	obj_init(o);
	pack_text(&o->pk, text);
	return obj_done(o);
}

/*
 * Pack o with the value at path ("sessions[0].end") replaced by the
 * notation val; val NULL deletes it; a map key not there, or the index
 * one past an array's end, is added.
 */
static void pack_edit(msgpack_packer *pk, const msgpack_object *o,
    const char *path, const char *val)
{
	char key[128];
	size_t idx = 0;
	int isidx = path[0] == '[';
	const char *rest;

	if (!*path) {
		pack_text(pk, val);
		return;
	}
	if (isidx) {
		idx = strtoul(path + 1, (char **)&rest, 10);
		if (*rest++ != ']')
			die("bad index in path", path);
	} else {
		size_t n = strcspn(path, ".[");
		if (n >= sizeof key)
			die("key too long", path);
		memcpy(key, path, n);
		key[n] = 0;
		rest = path + n;
	}
	if (*rest == '.')
		rest++;
	int last = !*rest;

	if (isidx) {
		if (o->type != MSGPACK_OBJECT_ARRAY || idx > o->via.array.size)
			die("path does not fit the record", path);
		uint32_t n = o->via.array.size;
		int add = idx == n;
		if (add && (!last || !val))
			die("cannot descend past an array's end", path);
		msgpack_pack_array(pk, n + (uint32_t)add - (last && !val && !add));
		for (uint32_t i = 0; i < n; i++) {
			if (i != idx)
				msgpack_pack_object(pk, o->via.array.ptr[i]);
			else if (!last)
				pack_edit(pk, &o->via.array.ptr[i], rest, val);
			else if (val)
				pack_text(pk, val);
		}
		if (add)
			pack_text(pk, val);
		return;
	}
	if (o->type != MSGPACK_OBJECT_MAP)
		die("path does not fit the record", path);
	uint32_t n = o->via.map.size, at = n;
	for (uint32_t i = 0; i < n; i++)
		if (proto_str_eq(&o->via.map.ptr[i].key, key))
			at = i;
	int add = at == n;
	if (add && (!last || !val))
		die("no such key to descend into or delete", path);
	msgpack_pack_map(pk, n + (uint32_t)add - (last && !val && !add));
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[i];
		if (i != at) {
			msgpack_pack_object(pk, kv->key);
			msgpack_pack_object(pk, kv->val);
		} else if (!last) {
			msgpack_pack_object(pk, kv->key);
			pack_edit(pk, &kv->val, rest, val);
		} else if (val) {
			msgpack_pack_object(pk, kv->key);
			pack_text(pk, val);
		}
	}
	if (add) {
		msgpack_pack_str_with_body(pk, key, strlen(key));
		pack_text(pk, val);
	}
}

/* ---- the samples ---- */

#define SC SCHEMA_SCHOOL
#define SP SCHEMA_SPECIALTY
#define EN SCHEMA_ENTERPRISE
#define PO SCHEMA_POSTING
#define FA SCHEMA_FAIR
#define PR SCHEMA_PROGRAM
#define ST SCHEMA_STUDENT

static const char *const sample_text[SCHEMA_NKINDS] = {
	[SC] = "{'id':'S1','name':'金华技师学院','level':'technician',"
	    "'region':'330702'}",
	[SP] = "{'id':'SP1','school_id':'S1','major_code':'660103',"
	    "'name':'数控技术应用','cohorts':{'2026':40,'2027':38},"
	    "'skills':['CNC'],'chains':['工业机床']}",
	[EN] = "{'id':'E1','name':'某机床厂','region':'330784','industry':'C34',"
	    "'chains':['工业机床'],'size':500}",
	[PO] = "{'id':'P1','enterprise_id':'E1','title':'数控操作工','kind':'job',"
	    "'headcount':5,'majors':['4601','66'],'level':'secondary',"
	    "'start':'2026-06-01','until':'2026-12-31','salary':[5000,8000]}",
	[FA] = "{'id':'F1','name':'五月双选会','date':'2026-05-20',"
	    "'school_ids':['S1'],'enterprise_ids':['E1'],"
	    "'directions':[{'id':'D1','name':'数控','majors':['6601']}],"
	    "'sessions':[{'id':'AM','start':'2026-05-20T09:00',"
	    "'end':'2026-05-20T12:00','booths':50,'directions':['D1']}],"
	    "'requests':{'E1':1}}",
	[PR] = "{'id':'G1','enterprise_id':'E1','title':'数控学徒',"
	    "'majors':['6601'],'mentors':3,'per_mentor':4}",
	[ST] = "{'id':'ST1','specialty_id':'SP1','grad_year':2026,'grade':88.5,"
	    "'prefs':['G1']}",
};

static struct obj samples[SCHEMA_NKINDS];
static const msgpack_object *sample_obj[SCHEMA_NKINDS];   /* SETUP decodes */

static const char *const base_prefix = "records[3]";
static char ctx[1024];

static void set_ctx(enum schema_kind k, const char *what, const char *path,
    const char *val)
{
	/* GCC 12 at -O3 believes some inlined caller passes a null string */
	const char *shown = val ? val : "(deleted)";
	snprintf(ctx, sizeof ctx, "%s %s %s = %.120s%s", schema_kind_name[k],
	    what ? what : "", path ? path : "", shown,
	    strlen(shown) > 120 ? "..." : "");
	CHECK_CTX(ctx);
}

/* field under base, as the path rules spell it */
static void under(char *out, size_t cap, const char *base, const char *field)
{
	if (!*base)
		snprintf(out, cap, "%s", field);
	else if (field[0] == '[')
		snprintf(out, cap, "%s%s", base, field);
	else
		snprintf(out, cap, "%s.%s", base, field);
}

/* rec fails with -32602 on field, at the top level and under a base. */
static void expect_fail(enum schema_kind k, const msgpack_object *rec,
    const char *field)
{
	const char *bases[] = { "", base_prefix };
	for (int b = 0; b < 2; b++) {
		struct proto_err e;
		char want[SCHEMA_PATH_MAX + 16];
		memset(&e, 0, sizeof e);
		under(want, sizeof want, bases[b], field);
		CHECK_EQ_INT(schema_check(k, rec, bases[b], &e), -1);
		CHECK_EQ_INT(e.code, PROTO_INVALID_PARAMS);
		CHECK_STR(e.field, want);
		CHECK(e.message[0] != 0);
	}
}

static void expect_pass(enum schema_kind k, const msgpack_object *rec)
{
	const char *bases[] = { "", base_prefix };
	for (int b = 0; b < 2; b++) {
		struct proto_err e;
		memset(&e, 0, sizeof e);
		int rc = schema_check(k, rec, bases[b], &e);
		CHECKF(rc == 0, "rejected: field \"%s\": %s", e.field, e.message);
	}
}

/* The sample of kind k with one edit; field NULL means it must pass. */
static void edit_case(enum schema_kind k, const char *path, const char *val,
    const char *field)
{
	struct obj o;
	obj_init(&o);
	pack_edit(&o.pk, sample_obj[k], path, val);
	const msgpack_object *rec = obj_done(&o);
	set_ctx(k, field ? "bad" : "ok", path, val);
	if (field)
		expect_fail(k, rec, field);
	else
		expect_pass(k, rec);
	CHECK_CTX("");
	obj_free(&o);
}

static void text_case(enum schema_kind k, const char *text, const char *field)
{
	struct obj o;
	const msgpack_object *rec = obj_text(&o, text);
	set_ctx(k, field ? "bad" : "ok", "record", text);
	if (field)
		expect_fail(k, rec, field);
	else
		expect_pass(k, rec);
	CHECK_CTX("");
	obj_free(&o);
}

/* ---- long values built at run time ---- */

static char *made[64];
static int nmade;

static char *keep(char *s)
{
	if (nmade == (int)(sizeof made / sizeof *made))
		die("too many made strings", s);
	return made[nmade++] = s;
}

/* 'unit unit ...' n times, quoted */
static const char *qrep(const char *unit, size_t n)
{
	size_t u = strlen(unit);
	char *s = malloc(u * n + 3), *p = s;
	*p++ = '\'';
	for (size_t i = 0; i < n; i++, p += u)
		memcpy(p, unit, u);
	*p++ = '\'';
	*p = 0;
	return keep(s);
}

/* ['<pfx>0', '<pfx>1', ...] n items; or [<item>, <item>, ...] if same */
static const char *qlist(const char *pfx, size_t n, int same)
{
	size_t cap = n * (strlen(pfx) + 16) + 3;
	char *s = malloc(cap), *p = s;
	*p++ = '[';
	for (size_t i = 0; i < n; i++) {
		if (same)
			p += snprintf(p, cap - (size_t)(p - s), "%s,", pfx);
		else
			p += snprintf(p, cap - (size_t)(p - s), "'%s%zu',", pfx, i);
	}
	*p++ = ']';
	*p = 0;
	return keep(s);
}

/* ---- the tests ---- */

/* Every test's child decodes the samples afresh, and frees them. */
SETUP
{
	for (int k = 0; k < SCHEMA_NKINDS; k++)
		sample_obj[k] = obj_text(&samples[k], sample_text[k]);
}

TEARDOWN
{
	for (int k = 0; k < SCHEMA_NKINDS; k++)
		obj_free(&samples[k]);
	for (int i = 0; i < nmade; i++)
		free(made[i]);
	nmade = 0;
}

TEST(samples)
{
	for (int k = 0; k < SCHEMA_NKINDS; k++) {
		const msgpack_object *rec = sample_obj[k];
		snprintf(ctx, sizeof ctx, "sample %s", schema_kind_name[k]);
		CHECK_CTX(ctx);
		expect_pass((enum schema_kind)k, rec);
		/* A sample of one kind is not a record of another. */
		for (int j = 0; j < SCHEMA_NKINDS; j++) {
			struct proto_err e;
			if (j != k)
				CHECK_EQ_INT(schema_check((enum schema_kind)j, rec, "",
				    &e), -1);
		}
	}
	CHECK_CTX("");
	CHECK_STR(schema_kind_name[SC], "school");
	CHECK_STR(schema_kind_name[SP], "specialty");
	CHECK_STR(schema_kind_name[ST], "student");
	CHECK_STR(schema_kind_plural[SP], "specialties");
	CHECK_STR(schema_kind_plural[FA], "fairs");
}

/* Which fields each kind has, and which of them are required. */
static const struct kfield {
	enum schema_kind k;
	const char *name;
	char cls;          /* s str, i int, a array, m map, g grade */
	int required;
} kfields[] = {
	{ SC, "id", 's', 1 }, { SC, "name", 's', 1 }, { SC, "level", 's', 1 },
	{ SC, "region", 's', 1 },
	{ SP, "id", 's', 1 }, { SP, "school_id", 's', 1 },
	{ SP, "major_code", 's', 1 }, { SP, "name", 's', 1 },
	{ SP, "direction", 's', 0 }, { SP, "cohorts", 'm', 1 },
	{ SP, "skills", 'a', 0 }, { SP, "chains", 'a', 0 },
	{ EN, "id", 's', 1 }, { EN, "name", 's', 1 }, { EN, "region", 's', 1 },
	{ EN, "industry", 's', 0 }, { EN, "chains", 'a', 0 },
	{ EN, "size", 'i', 0 },
	{ PO, "id", 's', 1 }, { PO, "enterprise_id", 's', 1 },
	{ PO, "title", 's', 1 }, { PO, "kind", 's', 1 },
	{ PO, "headcount", 'i', 1 }, { PO, "majors", 'a', 1 },
	{ PO, "skills", 'a', 0 }, { PO, "level", 's', 0 },
	{ PO, "region", 's', 0 }, { PO, "start", 's', 0 },
	{ PO, "until", 's', 0 }, { PO, "salary", 'a', 0 },
	{ FA, "id", 's', 1 }, { FA, "name", 's', 1 }, { FA, "date", 's', 1 },
	{ FA, "region", 's', 0 }, { FA, "school_ids", 'a', 1 },
	{ FA, "enterprise_ids", 'a', 1 }, { FA, "directions", 'a', 1 },
	{ FA, "sessions", 'a', 1 }, { FA, "requests", 'm', 0 },
	{ PR, "id", 's', 1 }, { PR, "enterprise_id", 's', 1 },
	{ PR, "title", 's', 1 }, { PR, "majors", 'a', 1 },
	{ PR, "mentors", 'i', 1 }, { PR, "per_mentor", 'i', 1 },
	{ PR, "region", 's', 0 }, { PR, "level", 's', 0 },
	{ ST, "id", 's', 1 }, { ST, "specialty_id", 's', 1 },
	{ ST, "grad_year", 'i', 1 }, { ST, "grade", 'g', 0 },
	{ ST, "prefs", 'a', 0 },
};

/* Every field: wrong types, nil, absent. */
TEST(fields)
{
	static const char *const wrong_s[] = { "5", "true", "['x']", "{}", "3.5",
	    "-1", NULL };
	static const char *const wrong_i[] = { "'5'", "5.0", "true", "[5]", "{}",
	    "2.5f", NULL };
	static const char *const wrong_a[] = { "'x'", "{}", "5", "true", "2.0",
	    NULL };
	static const char *const wrong_m[] = { "[]", "'x'", "5", "false",
	    "[['2026', 1]]", NULL };
	static const char *const wrong_g[] = { "'88'", "true", "[88]", "{}",
	    NULL };

	for (size_t i = 0; i < sizeof kfields / sizeof *kfields; i++) {
		const struct kfield *f = &kfields[i];
		const char *const *w = f->cls == 's' ? wrong_s : f->cls == 'i' ?
		    wrong_i : f->cls == 'a' ? wrong_a : f->cls == 'm' ? wrong_m :
		    wrong_g;
		for (; *w; w++)
			edit_case(f->k, f->name, *w, f->name);
		if (f->required) {
			edit_case(f->k, f->name, NULL, f->name);       /* missing */
			edit_case(f->k, f->name, "null", f->name);     /* nil */
		} else {
			/* nil for an optional field means absent: fine either way */
			edit_case(f->k, f->name, "null", NULL);
			if (schema_get(sample_obj[f->k], f->name))
				edit_case(f->k, f->name, NULL, NULL);
		}
	}

	/* Every kind's table covers its sample's keys. */
	for (int k = 0; k < SCHEMA_NKINDS; k++) {
		const msgpack_object *rec = sample_obj[k];
		for (uint32_t j = 0; j < rec->via.map.size; j++) {
			int found = 0;
			for (size_t i = 0; i < sizeof kfields / sizeof *kfields; i++)
				if (kfields[i].k == (enum schema_kind)k &&
				    proto_str_eq(&rec->via.map.ptr[j].key,
				    kfields[i].name))
					found = 1;
			CHECK(found);
		}
	}

	/* A record with every optional field nil: only the required remain. */
	edit_case(PO, "region", "null", NULL);
	text_case(PO, "{'id':'P1','enterprise_id':'E1','title':'t','kind':'job',"
	    "'headcount':0,'majors':[],'skills':null,'level':null,'region':null,"
	    "'start':null,'until':null,'salary':null}", NULL);
	text_case(FA, "{'id':'F1','name':'n','date':'2026-05-20','region':null,"
	    "'school_ids':[],'enterprise_ids':[],'directions':[],'sessions':[],"
	    "'requests':null}", NULL);
	text_case(ST, "{'id':'ST1','specialty_id':'SP1','grad_year':2026,"
	    "'grade':null,'prefs':null}", NULL);
	text_case(ST, "{'id':'ST1','specialty_id':'SP1','grad_year':2026}", NULL);
	/* and with all optional fields set */
	text_case(PO, "{'id':'P1','enterprise_id':'E1','title':'t',"
	    "'kind':'internship','headcount':1,'majors':['46'],'skills':['a'],"
	    "'level':'higher','region':'330784','start':'2026-01-01',"
	    "'until':'2026-01-01','salary':[1,1]}", NULL);
	text_case(PR, "{'id':'G1','enterprise_id':'E1','title':'t',"
	    "'majors':[],'mentors':1,'per_mentor':1,'region':'330784',"
	    "'level':'bachelor'}", NULL);
	text_case(SP, "{'id':'SP1','school_id':'S1','major_code':'520101K',"
	    "'name':'n','direction':'五轴加工','cohorts':{},'skills':[],"
	    "'chains':[]}", NULL);
	text_case(EN, "{'id':'E1','name':'n','region':'330784'}", NULL);

	/* A key given twice names the second; nil or not, first field or last. */
	text_case(EN, "{'id':'E1','name':'n','region':'330784','id':'E2'}", "id");
	text_case(EN, "{'id':'E1','name':'n','region':null,'region':null}",
	    "region");
	text_case(ST, "{'grade':null,'id':'ST1','specialty_id':'SP1',"
	    "'grad_year':2026,'grade':1}", "grade");
	/* a required field nil, given again with a value, is still given twice */
	text_case(EN, "{'id':'E1','name':null,'region':'330784','name':'n'}",
	    "name");
}

struct ecase {
	enum schema_kind k;
	const char *path, *val, *field;   /* field NULL: must pass */
};

static const struct ecase ecases[] = {
	/* unknown keys, at every level */
	{ SC, "nmae", "'x'", "nmae" },
	{ SC, "Name", "null", "Name" },
	{ PO, "Headcount", "5", "Headcount" },
	{ ST, "name", "'张三'", "name" },
	{ SP, "level", "'secondary'", "level" },
	{ FA, "sessions[0].room", "'A'", "sessions[0].room" },
	{ FA, "directions[0].extra", "1", "directions[0].extra" },
	{ FA, "", "{'id':'F1'}", "name" },

	/* ids: 1..64 bytes, UTF-8, no NUL */
	{ SC, "id", "''", "id" },
	{ SC, "id", "'S\\0'", "id" },
	{ SC, "id", "'\\01'", "id" },
	{ SC, "id", "'S\xff'", "id" },
	{ SC, "id", "'\xe4\xb8'", "id" },
	{ SC, "id", "'中文-S1'", NULL },
	{ SP, "school_id", "''", "school_id" },
	{ ST, "specialty_id", "'a\\0b'", "specialty_id" },
	{ ST, "prefs[0]", "''", "prefs[0]" },
	{ ST, "prefs[1]", "5", "prefs[1]" },
	{ ST, "prefs[1]", "'G2'", NULL },
	{ ST, "prefs", "[]", NULL },
	{ FA, "school_ids[0]", "'S\\0'", "school_ids[0]" },
	{ FA, "school_ids[1]", "null", "school_ids[1]" },
	{ FA, "enterprise_ids[0]", "''", "enterprise_ids[0]" },
	{ FA, "directions[0].id", "''", "directions[0].id" },
	{ FA, "sessions[0].id", "5", "sessions[0].id" },

	/* names and tags: 1..512 bytes of UTF-8 */
	{ SC, "name", "''", "name" },
	{ SC, "name", "'a\xc0\xaf'", "name" },
	{ SC, "name", "'\xed\xa0\x80'", "name" },
	{ SC, "name", "'a\\0b'", NULL },
	{ SP, "direction", "''", "direction" },
	{ SP, "direction", "'五轴'", NULL },
	{ SP, "skills[0]", "''", "skills[0]" },
	{ SP, "skills[1]", "'\xf4\x90\x80\x80'", "skills[1]" },
	{ SP, "skills[1]", "5", "skills[1]" },
	{ SP, "chains[0]", "null", "chains[0]" },
	{ EN, "chains[1]", "'新能源汽车'", NULL },
	{ EN, "chains[1]", "'\x80'", "chains[1]" },
	{ PO, "title", "''", "title" },
	{ PO, "skills", "['a', '']", "skills[1]" },
	{ PR, "title", "'\xc3'", "title" },
	{ FA, "directions[0].name", "''", "directions[0].name" },
	{ FA, "name", "'\xf0\x9f\x98\x80'", NULL },

	/* levels and kinds */
	{ SC, "level", "'secondary'", NULL },
	{ SC, "level", "'higher'", NULL },
	{ SC, "level", "'bachelor'", NULL },
	{ SC, "level", "'Secondary'", "level" },
	{ SC, "level", "'中职'", "level" },
	{ SC, "level", "''", "level" },
	{ SC, "level", "'technician '", "level" },
	{ PO, "level", "'bachelor'", NULL },
	{ PO, "level", "'master'", "level" },
	{ PR, "level", "'tech'", "level" },
	{ PO, "kind", "'internship'", NULL },
	{ PO, "kind", "'apprenticeship'", NULL },
	{ PO, "kind", "'order_class'", NULL },
	{ PO, "kind", "'job '", "kind" },
	{ PO, "kind", "'Job'", "kind" },
	{ PO, "kind", "'order-class'", "kind" },

	/* regions: 6 digits */
	{ SC, "region", "'33070'", "region" },
	{ SC, "region", "'33070a'", "region" },
	{ SC, "region", "'3307021'", "region" },
	{ SC, "region", "''", "region" },
	{ SC, "region", "330702", "region" },
	{ SC, "region", "'110000'", NULL },
	{ EN, "region", "'33078'", "region" },
	{ PO, "region", "'330784'", NULL },
	{ PO, "region", "'３３０７８４'", "region" },
	{ FA, "region", "'330702'", NULL },
	{ FA, "region", "'3307 2'", "region" },
	{ PR, "region", "'abcdef'", "region" },

	/* major codes: 6 digits, group 2..7, optional K */
	{ SP, "major_code", "'660103K'", NULL },
	{ SP, "major_code", "'520101K'", NULL },
	{ SP, "major_code", "'260103'", NULL },
	{ SP, "major_code", "'760103'", NULL },
	{ SP, "major_code", "'160103'", "major_code" },
	{ SP, "major_code", "'860103'", "major_code" },
	{ SP, "major_code", "'060103'", "major_code" },
	{ SP, "major_code", "'66010'", "major_code" },
	{ SP, "major_code", "'6601'", "major_code" },
	{ SP, "major_code", "'6601031'", "major_code" },
	{ SP, "major_code", "'660103k'", "major_code" },
	{ SP, "major_code", "'660103KK'", "major_code" },
	{ SP, "major_code", "'66010K'", "major_code" },
	{ SP, "major_code", "'K660103'", "major_code" },
	{ SP, "major_code", "''", "major_code" },

	/* major prefixes: 2, 4 or 6 digits */
	{ PO, "majors", "['46']", NULL },
	{ PO, "majors", "['4601']", NULL },
	{ PO, "majors", "['460103']", NULL },
	{ PO, "majors", "[]", NULL },
	{ PO, "majors", "['4']", "majors[0]" },
	{ PO, "majors", "['460']", "majors[0]" },
	{ PO, "majors", "['46010']", "majors[0]" },
	{ PO, "majors", "['4601031']", "majors[0]" },
	{ PO, "majors", "['']", "majors[0]" },
	{ PO, "majors", "['46a1']", "majors[0]" },
	{ PO, "majors", "['46', '4']", "majors[1]" },
	{ PO, "majors", "['46', 46]", "majors[1]" },
	{ PR, "majors", "['4']", "majors[0]" },
	{ PR, "majors", "['46', '4601', '460103']", NULL },
	{ PR, "majors[1]", "'460'", "majors[1]" },
	{ FA, "directions[0].majors[0]", "'4'", "directions[0].majors[0]" },
	{ FA, "directions[0].majors[1]", "'460'", "directions[0].majors[1]" },
	{ FA, "directions[0].majors", "[]", NULL },
	{ FA, "directions[0].majors", "'66'", "directions[0].majors" },

	/* industries: section letter A..T and 0, 2, 3 or 4 digits */
	{ EN, "industry", "'C36'", NULL },
	{ EN, "industry", "'C'", NULL },
	{ EN, "industry", "'C3612'", NULL },
	{ EN, "industry", "'C361'", NULL },
	{ EN, "industry", "'A01'", NULL },
	{ EN, "industry", "'T'", NULL },
	{ EN, "industry", "'Z36'", "industry" },
	{ EN, "industry", "'U36'", "industry" },
	{ EN, "industry", "'C3'", "industry" },
	{ EN, "industry", "'c36'", "industry" },
	{ EN, "industry", "'C36123'", "industry" },
	{ EN, "industry", "'36'", "industry" },
	{ EN, "industry", "'CC6'", "industry" },
	{ EN, "industry", "''", "industry" },

	/* dates */
	{ PO, "start", "'2026-02-29'", "start" },
	{ PO, "start", "'2024-02-29'", NULL },
	{ PO, "start", "'2000-02-29'", NULL },
	{ PO, "start", "'1900-02-29'", "start" },
	{ PO, "start", "'2026-13-01'", "start" },
	{ PO, "start", "'2026-00-01'", "start" },
	{ PO, "start", "'2026-04-31'", "start" },
	{ PO, "start", "'2026-04-30'", NULL },
	{ PO, "start", "'2026-01-00'", "start" },
	{ PO, "start", "'2026-01-32'", "start" },
	{ PO, "start", "'2026-1-01'", "start" },
	{ PO, "start", "'2026/06/01'", "start" },
	{ PO, "start", "'2026-06-01T09:00'", "start" },
	{ PO, "start", "'2026-06-01 '", "start" },
	{ PO, "start", "'0999-06-01'", "start" },
	{ PO, "start", "'+026-06-01'", "start" },
	{ PO, "start", "''", "start" },
	{ PO, "until", "'2026-12-32'", "until" },
	{ PO, "until", "'2026-11-31'", "until" },
	{ PO, "until", "'2026-12-31'", NULL },
	{ FA, "date", "'2026-02-29'", "date" },
	{ FA, "date", "'2028-02-29'", NULL },
	{ FA, "date", "'20260520'", "date" },

	/* times */
	{ FA, "sessions[0].end", "'2026-05-20T24:00'", "sessions[0].end" },
	{ FA, "sessions[0].end", "'2026-05-20T23:59'", NULL },
	{ FA, "sessions[0].end", "'2026-05-20T12:60'", "sessions[0].end" },
	{ FA, "sessions[0].end", "'2026-05-20 12:00'", "sessions[0].end" },
	{ FA, "sessions[0].end", "'2026-05-20T9:00'", "sessions[0].end" },
	{ FA, "sessions[0].end", "'2026-05-20'", "sessions[0].end" },
	{ FA, "sessions[0].end", "'2026-05-20T12:00:00'", "sessions[0].end" },
	{ FA, "sessions[0].end", "'2026-02-30T12:00'", "sessions[0].end" },
	{ FA, "sessions[0].end", "'2026-05-20T1a:00'", "sessions[0].end" },
	{ FA, "sessions[0].start", "'2026-05-20T00:00'", NULL },
	{ FA, "sessions[0].start", "'2026-05-20T09:60'", "sessions[0].start" },
	{ FA, "sessions[0].start", "'2026-13-20T09:00'", "sessions[0].start" },

	/* cohorts: 4-digit year string keys, counts >= 0 */
	{ SP, "cohorts", "{'2026':0}", NULL },
	{ SP, "cohorts.2028", "1000000000", NULL },
	{ SP, "cohorts", "{'26':40}", "cohorts[0]" },
	{ SP, "cohorts", "{2026:40}", "cohorts[0]" },
	{ SP, "cohorts", "{'2026':40,'26':1}", "cohorts[1]" },
	{ SP, "cohorts", "{'2026':40,2027:1}", "cohorts[1]" },
	{ SP, "cohorts", "{'0226':1}", "cohorts[0]" },
	{ SP, "cohorts", "{'20261':1}", "cohorts[0]" },
	{ SP, "cohorts", "{'202a':1}", "cohorts[0]" },
	{ SP, "cohorts", "{'':1}", "cohorts[0]" },
	{ SP, "cohorts.2026", "-1", "cohorts.2026" },
	{ SP, "cohorts.2026", "'40'", "cohorts.2026" },
	{ SP, "cohorts.2026", "40.0", "cohorts.2026" },
	{ SP, "cohorts.2026", "null", "cohorts.2026" },
	{ SP, "cohorts.2027", "1000000001", "cohorts.2027" },
	{ SP, "cohorts", "{'2026':40,'2026':41}", "cohorts.2026" },

	/* counts */
	{ PO, "headcount", "0", NULL },
	{ PO, "headcount", "1000000000", NULL },
	{ PO, "headcount", "-1", "headcount" },
	{ PO, "headcount", "-9223372036854775808", "headcount" },
	{ PO, "headcount", "1000000001", "headcount" },
	{ PO, "headcount", "18446744073709551615", "headcount" },
	{ EN, "size", "0", NULL },
	{ EN, "size", "-5", "size" },
	{ EN, "size", "1000000001", "size" },
	{ FA, "sessions[0].booths", "0", NULL },
	{ FA, "sessions[0].booths", "-1", "sessions[0].booths" },
	{ FA, "sessions[0].booths", "'50'", "sessions[0].booths" },
	{ FA, "sessions[0].booths", NULL, "sessions[0].booths" },
	{ PR, "mentors", "0", "mentors" },
	{ PR, "mentors", "1", NULL },
	{ PR, "mentors", "1000000000", NULL },
	{ PR, "mentors", "1000000001", "mentors" },
	{ PR, "per_mentor", "0", "per_mentor" },
	{ PR, "per_mentor", "-3", "per_mentor" },
	{ ST, "grad_year", "999", "grad_year" },
	{ ST, "grad_year", "1000", NULL },
	{ ST, "grad_year", "9999", NULL },
	{ ST, "grad_year", "10000", "grad_year" },
	{ ST, "grad_year", "-2026", "grad_year" },
	{ ST, "grad_year", "2026.0", "grad_year" },
	{ ST, "grad_year", "'2026'", "grad_year" },

	/* grade: a number in 0..100 */
	{ ST, "grade", "100.5", "grade" },
	{ ST, "grade", "0", NULL },
	{ ST, "grade", "0.0", NULL },
	{ ST, "grade", "100.0", NULL },
	{ ST, "grade", "100", NULL },
	{ ST, "grade", "59.5f", NULL },
	{ ST, "grade", "100.5f", "grade" },
	{ ST, "grade", "101", "grade" },
	{ ST, "grade", "-0.5", "grade" },
	{ ST, "grade", "-1", "grade" },
	{ ST, "grade", "1e300", "grade" },
	{ ST, "grade", "nan", "grade" },
	{ ST, "grade", "inf", "grade" },
	{ ST, "grade", "18446744073709551615", "grade" },

	/* salary: [min, max] */
	{ PO, "salary", "[8000,5000]", "salary[1]" },
	{ PO, "salary", "[5000,5000]", NULL },
	{ PO, "salary", "[0,0]", NULL },
	{ PO, "salary", "[-1,8000]", "salary[0]" },
	{ PO, "salary", "[5000,1000000001]", "salary[1]" },
	{ PO, "salary", "['5000',8000]", "salary[0]" },
	{ PO, "salary", "[5000,8000.5]", "salary[1]" },
	{ PO, "salary", "[5000,null]", "salary[1]" },
	{ PO, "salary", "[5000]", "salary" },
	{ PO, "salary", "[1,2,3]", "salary" },
	{ PO, "salary", "[]", "salary" },
	{ PO, "salary", "{'min':1,'max':2}", "salary" },

	/* unique ids in id arrays */
	{ FA, "school_ids", "['S1','S1']", "school_ids[1]" },
	{ FA, "school_ids", "['S1','S2','S3','S2']", "school_ids[3]" },
	{ FA, "school_ids", "['S1','S10','S1 ']", NULL },
	{ FA, "enterprise_ids", "['E1','E2','E1']", "enterprise_ids[2]" },
	{ ST, "prefs", "['G1','G2','G1']", "prefs[2]" },
	{ FA, "sessions[0].directions", "['D1','D1']",
	    "sessions[0].directions[1]" },

	/* directions and sessions */
	{ FA, "directions[1]", "{'id':'D1','name':'x','majors':[]}",
	    "directions[1].id" },
	{ FA, "directions[1]", "{'id':'D2','name':'x','majors':[]}", NULL },
	{ FA, "directions[0]", "'D1'", "directions[0]" },
	{ FA, "directions[0].name", NULL, "directions[0].name" },
	{ FA, "directions[0].majors", NULL, "directions[0].majors" },
	{ FA, "directions[0]", "{'id':'D1','name':'数控','majors':['6601'],"
	    "'name':'x'}", "directions[0].name" },
	{ FA, "sessions[1]", "{'id':'AM','start':'2026-05-20T13:00',"
	    "'end':'2026-05-20T17:00','booths':40}", "sessions[1].id" },
	{ FA, "sessions[1]", "{'id':'PM','start':'2026-05-20T13:00',"
	    "'end':'2026-05-20T17:00','booths':40}", NULL },
	{ FA, "sessions[1]", "{'id':'PM','start':'2026-05-20T13:00',"
	    "'end':'2026-05-20T17:00','booths':40,'directions':['D9']}",
	    "sessions[1].directions[0]" },
	{ FA, "sessions[0]", "5", "sessions[0]" },
	{ FA, "sessions[0].end", "'2026-05-20T09:00'", "sessions[0].end" },
	{ FA, "sessions[0].end", "'2026-05-20T08:59'", "sessions[0].end" },
	{ FA, "sessions[0].end", "'2026-05-19T23:00'", "sessions[0].end" },
	{ FA, "sessions[0].end", "'2026-05-21T08:00'", NULL },
	{ FA, "sessions[0].directions", "['D9']", "sessions[0].directions[0]" },
	{ FA, "sessions[0].directions", "['D1','D9']",
	    "sessions[0].directions[1]" },
	{ FA, "sessions[0].directions", "['d1']", "sessions[0].directions[0]" },
	{ FA, "sessions[0].directions", "[]", NULL },
	{ FA, "sessions[0].directions", "null", NULL },
	{ FA, "sessions[0].directions", NULL, NULL },
	{ FA, "sessions[0].directions", "'D1'", "sessions[0].directions" },
	{ FA, "directions", "[]", "sessions[0].directions[0]" },

	/* requests: enterprise id -> count, ids among enterprise_ids */
	{ FA, "requests", "{'E9':1}", "requests.E9" },
	{ FA, "requests", "{'E1':1,'E9':2}", "requests.E9" },
	{ FA, "requests", "{'E1':0}", NULL },
	{ FA, "requests", "{}", NULL },
	{ FA, "requests", "{'E1':-1}", "requests.E1" },
	{ FA, "requests", "{'E1':'1'}", "requests.E1" },
	{ FA, "requests", "{'E1':null}", "requests.E1" },
	{ FA, "requests", "{'E1':1,'E1':2}", "requests.E1" },
	{ FA, "requests", "{5:1}", "requests[0]" },
	{ FA, "requests", "{'E1':1,'':1}", "requests[1]" },
	{ FA, "enterprise_ids", "[]", "requests.E1" },

	/* a posting's until is not before its start */
	{ PO, "until", "'2026-05-31'", "until" },
	{ PO, "until", "'2026-06-01'", NULL },
	{ PO, "start", "'2027-01-01'", "until" },
	{ PO, "start", NULL, NULL },
	{ PO, "until", NULL, NULL },
	{ PO, "until", "null", NULL },
};

TEST(edits)
{
	for (size_t i = 0; i < sizeof ecases / sizeof *ecases; i++)
		edit_case(ecases[i].k, ecases[i].path, ecases[i].val,
		    ecases[i].field);
}

/* Cases whose values are built at run time. */
TEST(sizes)
{
	edit_case(SC, "id", qrep("a", 64), NULL);
	edit_case(SC, "id", qrep("a", 65), "id");
	edit_case(SC, "id", qrep("中", 21), NULL);           /* 63 bytes */
	edit_case(SC, "id", qrep("中", 22), "id");           /* 66 bytes */
	edit_case(PO, "enterprise_id", qrep("e", 65), "enterprise_id");
	edit_case(FA, "sessions[0].id", qrep("s", 65), "sessions[0].id");
	edit_case(ST, "prefs[0]", qrep("g", 65), "prefs[0]");
	edit_case(SC, "name", qrep("a", 512), NULL);
	edit_case(SC, "name", qrep("a", 513), "name");
	edit_case(SC, "name", qrep("中", 170), NULL);        /* 510 bytes */
	edit_case(SC, "name", qrep("中", 171), "name");      /* 513 bytes */
	edit_case(PO, "title", qrep("t", 513), "title");
	edit_case(PR, "title", qrep("t", 513), "title");
	edit_case(SP, "direction", qrep("d", 513), "direction");
	edit_case(SP, "skills[0]", qrep("k", 513), "skills[0]");
	edit_case(FA, "directions[0].name", qrep("n", 513),
	    "directions[0].name");

	/* tag and prefix arrays: at most 200 items */
	edit_case(SP, "skills", qlist("k", 200, 0), NULL);
	edit_case(SP, "skills", qlist("k", 201, 0), "skills");
	edit_case(SP, "chains", qlist("c", 201, 0), "chains");
	edit_case(EN, "chains", qlist("c", 201, 0), "chains");
	edit_case(PO, "skills", qlist("k", 201, 0), "skills");
	edit_case(PO, "majors", qlist("'46'", 200, 1), NULL);
	edit_case(PO, "majors", qlist("'46'", 201, 1), "majors");
	edit_case(PR, "majors", qlist("'46'", 201, 1), "majors");
	edit_case(FA, "directions[0].majors", qlist("'46'", 201, 1),
	    "directions[0].majors");
	/* id arrays: at most 10,000; parts: at most 1,000 */
	edit_case(FA, "school_ids", qlist("S", 10001, 0), "school_ids");
	edit_case(ST, "prefs", qlist("G", 10001, 0), "prefs");
	edit_case(FA, "directions", qlist("null", 1001, 1), "directions");
	edit_case(FA, "sessions", qlist("null", 1001, 1), "sessions");

	/* cohorts: at most 200 years */
	char *c = malloc(201 * 12 + 3), *p = c;
	*p++ = '{';
	for (int y = 0; y < 201; y++)
		p += sprintf(p, "'%d':1,", 2000 + y);
	*p++ = '}';
	*p = 0;
	edit_case(SP, "cohorts", keep(c), "cohorts");
}

/* Whole records where an edit cannot say it: duplicate and odd keys. */
TEST(texts)
{
	text_case(SC, "{'id':'S1','name':'n','level':'secondary',"
	    "'region':'330702','id':'S2'}", "id");
	text_case(SC, "{'id':'S1','name':'n','level':'secondary',"
	    "'region':'330702','name':'n'}", "name");
	text_case(PO, "{'id':'P1','enterprise_id':'E1','title':'t','kind':'job',"
	    "'headcount':5,'region':null,'majors':[],'region':'330702'}",
	    "region");
	text_case(PO, "{'id':'P1','enterprise_id':'E1','title':'t','kind':'job',"
	    "'headcount':5,'majors':[],'headcount':5}", "headcount");
	/* keys that are not UTF-8 strings are named by their position */
	text_case(SC, "{'id':'S1','name':'n','level':'secondary',"
	    "'region':'330702',5:1}", "[4]");
	text_case(SC, "{'id':'S1','name':'n','level':'secondary',"
	    "'region':'330702','\xff':1}", "[4]");
	text_case(SC, "{'id':'S1',null:'n','level':'secondary',"
	    "'region':'330702'}", "[1]");
	/* the first problem in map order is the one reported */
	text_case(SC, "{'id':'','name':'','level':'x','region':'1'}", "id");
	text_case(SC, "{'region':'1','id':'','name':'','level':'x'}", "region");
	text_case(SC, "{}", "id");
	text_case(FA, "{'id':'F1','name':'n','date':'2026-05-20',"
	    "'school_ids':[],'enterprise_ids':[],'directions':[],"
	    "'sessions':[{}]}", "sessions[0].id");

	/* a record that is not a map */
	static const char *const notmaps[] = { "[]", "'S1'", "null", "5",
	    "[{'id':'S1'}]" };
	for (size_t i = 0; i < sizeof notmaps / sizeof *notmaps; i++) {
		struct obj o;
		struct proto_err e;
		const msgpack_object *rec = obj_text(&o, notmaps[i]);
		CHECK_CTX(notmaps[i]);
		CHECK_EQ_INT(schema_check(SC, rec, base_prefix, &e), -1);
		CHECK_EQ_INT(e.code, PROTO_INVALID_PARAMS);
		CHECK_STR(e.field, base_prefix);
		CHECK_EQ_INT(schema_check(FA, rec, "", &e), -1);
		CHECK_EQ_INT(e.code, PROTO_INVALID_PARAMS);
		CHECK_STR(e.field, "params");
		CHECK_CTX("");
		obj_free(&o);
	}

	/* the base path is any prefix */
	struct obj o;
	struct proto_err e;
	obj_init(&o);
	pack_edit(&o.pk, sample_obj[PO], "headcount", "-1");
	const msgpack_object *rec = obj_done(&o);
	CHECK_EQ_INT(schema_check(PO, rec, "records[3]", &e), -1);
	CHECK_STR(e.field, "records[3].headcount");
	CHECK_EQ_INT(schema_check(PO, rec, "records[10000]", &e), -1);
	CHECK_STR(e.field, "records[10000].headcount");
	CHECK_EQ_INT(schema_check(PO, rec, "record", &e), -1);
	CHECK_STR(e.field, "record.headcount");
	obj_free(&o);
	obj_init(&o);
	pack_edit(&o.pk, sample_obj[FA], "sessions[0].booths", "-1");
	rec = obj_done(&o);
	CHECK_EQ_INT(schema_check(FA, rec, "records[3]", &e), -1);
	CHECK_STR(e.field, "records[3].sessions[0].booths");
	obj_free(&o);
	obj_init(&o);
	pack_edit(&o.pk, sample_obj[SP], "cohorts.2026", "-1");
	rec = obj_done(&o);
	CHECK_EQ_INT(schema_check(SP, rec, "records[3]", &e), -1);
	CHECK_STR(e.field, "records[3].cohorts.2026");
	CHECK_EQ_INT(schema_check(SP, rec, "", &e), -1);
	CHECK_STR(e.field, "cohorts.2026");
	obj_free(&o);
}

/* schema_check_int with hi = LLONG_MAX and a uint64 above it. */
static void test_int_top(void)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		msgpack_object o;
		struct proto_err e;
		long long v = 0;
		memset(&o, 0, sizeof o);
		o.type = MSGPACK_OBJECT_POSITIVE_INTEGER;
		o.via.u64 = UINT64_MAX;
		int rc = schema_check_int(&o, 0, INT64_MAX, "n", &e, &v);
		o.via.u64 = INT64_MAX;
		int rc2 = schema_check_int(&o, 0, INT64_MAX, "n", &e, &v);
		_exit(rc == -1 && rc2 == 0 && v == INT64_MAX ? 0 : 1);
	}
	int status = 0;
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "schema_check_int(2^64-1, 0, LLONG_MAX): child status 0x%x", status);
}

TEST(single)
{
	struct obj o;
	struct proto_err e;
	long long v;
	const msgpack_object *a = obj_text(&o,
	    "[5, -3, '5', 2.0, 'S1', '', 'a\\0b', 'abc', 'abcd', '\xff', null,"
	    " 0, 10, 11, -6, -5, 18446744073709551615, '中']");
	const msgpack_object *x = a->via.array.ptr;

	v = 0;
	CHECK_EQ_INT(schema_check_int(&x[0], 0, 10, "limit", &e, &v), 0);
	CHECK_EQ_INT(v, 5);
	CHECK_EQ_INT(schema_check_int(&x[0], 0, 10, "limit", &e, NULL), 0);
	CHECK_EQ_INT(schema_check_int(&x[1], -5, 5, "limit", &e, &v), 0);
	CHECK_EQ_INT(v, -3);
	CHECK_EQ_INT(schema_check_int(&x[11], 0, 10, "limit", &e, &v), 0);
	CHECK_EQ_INT(v, 0);
	CHECK_EQ_INT(schema_check_int(&x[12], 0, 10, "limit", &e, &v), 0);
	CHECK_EQ_INT(v, 10);
	CHECK_EQ_INT(schema_check_int(&x[15], -5, 5, "limit", &e, &v), 0);
	CHECK_EQ_INT(v, -5);
	static const int bad_int[] = { 1, 2, 3, 10, 13, 14, 16 };
	for (size_t i = 0; i < sizeof bad_int / sizeof *bad_int; i++) {
		long long lo = bad_int[i] == 14 ? -5 : 0;
		memset(&e, 0, sizeof e);
		CHECK_EQ_INT(schema_check_int(&x[bad_int[i]], lo, 10, "k", &e, &v),
		    -1);
		CHECK_EQ_INT(e.code, PROTO_INVALID_PARAMS);
		CHECK_STR(e.field, "k");
	}

	CHECK_EQ_INT(schema_check_str(&x[7], 3, "name", &e), 0);
	CHECK_EQ_INT(schema_check_str(&x[6], 3, "name", &e), 0);
	CHECK_EQ_INT(schema_check_str(&x[17], 3, "name", &e), 0);
	CHECK_EQ_INT(schema_check_str(&x[17], 2, "name", &e), -1);
	static const int bad_str[] = { 0, 5, 8, 9, 10 };
	for (size_t i = 0; i < sizeof bad_str / sizeof *bad_str; i++) {
		memset(&e, 0, sizeof e);
		CHECK_EQ_INT(schema_check_str(&x[bad_str[i]], 3, "q", &e), -1);
		CHECK_EQ_INT(e.code, PROTO_INVALID_PARAMS);
		CHECK_STR(e.field, "q");
	}

	CHECK_EQ_INT(schema_check_id(&x[4], "id", &e), 0);
	CHECK_EQ_INT(schema_check_id(&x[17], "id", &e), 0);
	static const int bad_id[] = { 0, 5, 6, 9, 10 };
	for (size_t i = 0; i < sizeof bad_id / sizeof *bad_id; i++) {
		memset(&e, 0, sizeof e);
		CHECK_EQ_INT(schema_check_id(&x[bad_id[i]], "records[2].id", &e),
		    -1);
		CHECK_EQ_INT(e.code, PROTO_INVALID_PARAMS);
		CHECK_STR(e.field, "records[2].id");
	}
	obj_free(&o);

	test_int_top();
}

TEST(levels)
{
	struct obj o;
	const msgpack_object *a = obj_text(&o,
	    "['secondary','technician','higher','bachelor','Secondary',"
	    "'master','',1,null,'higher ']");
	const msgpack_object *x = a->via.array.ptr;

	CHECK_EQ_INT(schema_level_of(&x[0]), SCHEMA_SECONDARY);
	CHECK_EQ_INT(schema_level_of(&x[1]), SCHEMA_TECHNICIAN);
	CHECK_EQ_INT(schema_level_of(&x[2]), SCHEMA_HIGHER);
	CHECK_EQ_INT(schema_level_of(&x[3]), SCHEMA_BACHELOR);
	for (uint32_t i = 4; i < a->via.array.size; i++)
		CHECK_EQ_INT(schema_level_of(&x[i]), SCHEMA_LEVEL_NONE);
	CHECK_EQ_INT(schema_level_of(NULL), SCHEMA_LEVEL_NONE);
	for (int i = 0; i < 4; i++)
		CHECK_EQ_INT(schema_level_of(&x[i]), i);
	CHECK_STR(schema_level_name[SCHEMA_SECONDARY], "secondary");
	CHECK_STR(schema_level_name[SCHEMA_BACHELOR], "bachelor");
	obj_free(&o);

	/* 6/7 secondary and technician, 4/5 higher, 2/3 bachelor */
	static const struct {
		const char *code;
		int sec, tech, higher, bach;
	} fits[] = {
		{ "260103", 0, 0, 0, 1 }, { "320101K", 0, 0, 0, 1 },
		{ "460103", 0, 0, 1, 0 }, { "520101K", 0, 0, 1, 0 },
		{ "660103", 1, 1, 0, 0 }, { "760101", 1, 1, 0, 0 },
		{ "66", 1, 1, 0, 0 }, { "4601", 0, 0, 1, 0 },
		{ "2", 0, 0, 0, 1 }, { "5", 0, 0, 1, 0 },
		{ "160103", 0, 0, 0, 0 }, { "860103", 0, 0, 0, 0 },
		{ "960103", 0, 0, 0, 0 }, { "060103", 0, 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof fits / sizeof *fits; i++) {
		CHECK_CTX(fits[i].code);
		CHECK_EQ_INT(!!schema_major_fits_level(fits[i].code,
		    SCHEMA_SECONDARY), fits[i].sec);
		CHECK_EQ_INT(!!schema_major_fits_level(fits[i].code,
		    SCHEMA_TECHNICIAN), fits[i].tech);
		CHECK_EQ_INT(!!schema_major_fits_level(fits[i].code,
		    SCHEMA_HIGHER), fits[i].higher);
		CHECK_EQ_INT(!!schema_major_fits_level(fits[i].code,
		    SCHEMA_BACHELOR), fits[i].bach);
		CHECK_EQ_INT(!!schema_major_fits_level(fits[i].code,
		    SCHEMA_LEVEL_NONE), 0);
	}
	CHECK_CTX("");
}

TEST(pack)
{
	/* Nil-valued keys are dropped; the rest keep their order. */
	struct obj in, out, want;
	const msgpack_object *rec = obj_text(&in,
	    "{'id':'P1','enterprise_id':'E1','title':'t','kind':'job',"
	    "'headcount':5,'region':null,'majors':['46'],'level':null,"
	    "'salary':[1,2],'until':null}");
	const msgpack_object *w = obj_text(&want,
	    "{'id':'P1','enterprise_id':'E1','title':'t','kind':'job',"
	    "'headcount':5,'majors':['46'],'salary':[1,2]}");
	struct proto_err e;

	CHECK_EQ_INT(schema_check(PO, rec, "", &e), 0);
	obj_init(&out);
	schema_pack(&out.pk, rec);
	const msgpack_object *got = obj_done(&out);
	CHECK(got->type == MSGPACK_OBJECT_MAP);
	CHECK_EQ_INT(got->via.map.size, 7);
	CHECK(msgpack_object_equal(*got, *w));
	CHECK_EQ_U64(out.sb.size, want.sb.size);
	CHECK(out.sb.size == want.sb.size &&
	    !memcmp(out.sb.data, want.sb.data, want.sb.size));
	CHECK(schema_get(got, "region") == NULL);
	CHECK(schema_get(got, "level") == NULL);
	CHECK_EQ_INT(schema_check(PO, got, "", &e), 0);
	obj_free(&in);
	obj_free(&out);
	obj_free(&want);

	/* Without nils every sample packs to the same bytes. */
	for (int k = 0; k < SCHEMA_NKINDS; k++) {
		obj_init(&out);
		schema_pack(&out.pk, sample_obj[k]);
		CHECK_EQ_U64(out.sb.size, samples[k].sb.size);
		CHECK(out.sb.size == samples[k].sb.size &&
		    !memcmp(out.sb.data, samples[k].sb.data, out.sb.size));
		msgpack_sbuffer_destroy(&out.sb);
		msgpack_unpacked_destroy(&out.u);
	}

	/* Only top-level nils go: a nil inside a value is the value's. */
	rec = obj_text(&in, "{'a':null,'b':[null],'c':{'d':null}}");
	obj_init(&out);
	schema_pack(&out.pk, rec);
	got = obj_done(&out);
	w = obj_text(&want, "{'b':[null],'c':{'d':null}}");
	CHECK(msgpack_object_equal(*got, *w));
	obj_free(&in);
	obj_free(&out);
	obj_free(&want);

	/* All nil: an empty map. */
	rec = obj_text(&in, "{'a':null}");
	obj_init(&out);
	schema_pack(&out.pk, rec);
	got = obj_done(&out);
	CHECK(got->type == MSGPACK_OBJECT_MAP && got->via.map.size == 0);
	obj_free(&in);
	obj_free(&out);
}

TEST(helpers)
{
	char p[SCHEMA_PATH_MAX];
	struct obj o;
	const msgpack_object *m = obj_text(&o, "{'a':1,'bb':'xyz','':2}");

	schema_path_key(p, "", "cohorts", 7);
	CHECK_STR(p, "cohorts");
	schema_path_key(p, "records[3]", "cohorts", 7);
	CHECK_STR(p, "records[3].cohorts");
	schema_path_key(p, "records[3].cohorts", "2026xyz", 4);
	CHECK_STR(p, "records[3].cohorts.2026");
	schema_path_key(p, "records[3]", "\0x", 2);
	CHECK_STR(p, "records[3].\\x00x");
	schema_path_key(p, "", "a\tb\x7f", 4);
	CHECK_STR(p, "a\\x09b\\x7f");
	schema_path_index(p, "records", 3);
	CHECK_STR(p, "records[3]");
	schema_path_index(p, "", 0);
	CHECK_STR(p, "[0]");
	schema_path_index(p, "sessions[0].directions", 12);
	CHECK_STR(p, "sessions[0].directions[12]");

	const msgpack_object *v = schema_get(m, "bb");
	CHECK(v && proto_str_eq(v, "xyz"));
	CHECK(schema_get(m, "b") == NULL);
	CHECK(schema_get(m, "c") == NULL);
	v = schema_get(m, "a");
	CHECK(v && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 == 1);
	v = schema_get(m, "");
	CHECK(v && v->via.u64 == 2);
	CHECK(schema_get(&m->via.map.ptr[0].val, "a") == NULL);

	char s[3];
	v = schema_get(m, "bb");
	schema_strcpy(s, sizeof s, v);
	CHECK_STR(s, "xy");
	char s2[8];
	schema_strcpy(s2, sizeof s2, v);
	CHECK_STR(s2, "xyz");
	obj_free(&o);
}
