/* schema — record checks; see schema.h. */
#include "schema.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const schema_kind_name[SCHEMA_NKINDS] = {
	"school", "specialty", "enterprise", "posting", "fair", "program",
	"student",
};
const char *const schema_kind_plural[SCHEMA_NKINDS] = {
	"schools", "specialties", "enterprises", "postings", "fairs",
	"programs", "students",
};
const char *const schema_level_name[SCHEMA_NLEVELS + 1] = {
	"secondary", "technician", "higher", "bachelor", NULL,
};
const char *const schema_posting_kind[SCHEMA_NPKINDS + 1] = {
	"job", "internship", "apprenticeship", "order_class", NULL,
};

#define END { NULL, 0, 0 }
static const struct schema_field school_f[] = {
	{ "id", SCHEMA_F_ID, 1 }, { "name", SCHEMA_F_NAME, 1 },
	{ "level", SCHEMA_F_LEVEL, 1 }, { "region", SCHEMA_F_REGION, 1 }, END,
};
static const struct schema_field specialty_f[] = {
	{ "id", SCHEMA_F_ID, 1 }, { "school_id", SCHEMA_F_ID, 1 },
	{ "major_code", SCHEMA_F_MAJOR, 1 }, { "name", SCHEMA_F_NAME, 1 },
	{ "direction", SCHEMA_F_NAME, 0 }, { "cohorts", SCHEMA_F_COHORTS, 1 },
	{ "skills", SCHEMA_F_TAGS, 0 }, { "chains", SCHEMA_F_TAGS, 0 }, END,
};
static const struct schema_field enterprise_f[] = {
	{ "id", SCHEMA_F_ID, 1 }, { "name", SCHEMA_F_NAME, 1 },
	{ "region", SCHEMA_F_REGION, 1 }, { "industry", SCHEMA_F_INDUSTRY, 0 },
	{ "chains", SCHEMA_F_TAGS, 0 }, { "size", SCHEMA_F_COUNT, 0 }, END,
};
static const struct schema_field posting_f[] = {
	{ "id", SCHEMA_F_ID, 1 }, { "enterprise_id", SCHEMA_F_ID, 1 },
	{ "title", SCHEMA_F_NAME, 1 }, { "kind", SCHEMA_F_PKIND, 1 },
	{ "headcount", SCHEMA_F_COUNT, 1 }, { "majors", SCHEMA_F_PREFIXES, 1 },
	{ "skills", SCHEMA_F_TAGS, 0 }, { "level", SCHEMA_F_LEVEL, 0 },
	{ "region", SCHEMA_F_REGION, 0 }, { "start", SCHEMA_F_DATE, 0 },
	{ "until", SCHEMA_F_DATE, 0 }, { "salary", SCHEMA_F_SALARY, 0 }, END,
};
static const struct schema_field fair_f[] = {
	{ "id", SCHEMA_F_ID, 1 }, { "name", SCHEMA_F_NAME, 1 },
	{ "date", SCHEMA_F_DATE, 1 }, { "region", SCHEMA_F_REGION, 0 },
	{ "school_ids", SCHEMA_F_IDS, 1 }, { "enterprise_ids", SCHEMA_F_IDS, 1 },
	{ "directions", SCHEMA_F_DIRECTIONS, 1 },
	{ "sessions", SCHEMA_F_SESSIONS, 1 },
	{ "requests", SCHEMA_F_REQUESTS, 0 }, END,
};
static const struct schema_field program_f[] = {
	{ "id", SCHEMA_F_ID, 1 }, { "enterprise_id", SCHEMA_F_ID, 1 },
	{ "title", SCHEMA_F_NAME, 1 }, { "majors", SCHEMA_F_PREFIXES, 1 },
	{ "mentors", SCHEMA_F_POS, 1 }, { "per_mentor", SCHEMA_F_POS, 1 },
	{ "region", SCHEMA_F_REGION, 0 }, { "level", SCHEMA_F_LEVEL, 0 }, END,
};
static const struct schema_field student_f[] = {
	{ "id", SCHEMA_F_ID, 1 }, { "specialty_id", SCHEMA_F_ID, 1 },
	{ "grad_year", SCHEMA_F_YEAR, 1 }, { "grade", SCHEMA_F_GRADE, 0 },
	{ "prefs", SCHEMA_F_IDS, 0 }, END,
};
const struct schema_field schema_direction_fields[] = {
	{ "id", SCHEMA_F_ID, 1 }, { "name", SCHEMA_F_NAME, 1 },
	{ "majors", SCHEMA_F_PREFIXES, 1 }, END,
};
const struct schema_field schema_session_fields[] = {
	{ "id", SCHEMA_F_ID, 1 }, { "start", SCHEMA_F_DATETIME, 1 },
	{ "end", SCHEMA_F_DATETIME, 1 }, { "booths", SCHEMA_F_COUNT, 1 },
	{ "directions", SCHEMA_F_IDS, 0 }, END,
};
static const struct schema_field query_f[] = {
	{ "majors", SCHEMA_F_PREFIXES, 1 }, { "skills", SCHEMA_F_TAGS, 0 },
	{ "region", SCHEMA_F_REGION, 0 }, { "level", SCHEMA_F_LEVEL, 0 },
	{ "headcount", SCHEMA_F_COUNT, 0 }, { "chains", SCHEMA_F_TAGS, 0 }, END,
};
/* check_fields keeps a bit per field. */
#define FIELDS_FIT(t) _Static_assert(sizeof t / sizeof *t <= 65, #t " too long")
FIELDS_FIT(school_f); FIELDS_FIT(specialty_f); FIELDS_FIT(enterprise_f);
FIELDS_FIT(posting_f); FIELDS_FIT(fair_f); FIELDS_FIT(program_f);
FIELDS_FIT(student_f); FIELDS_FIT(schema_direction_fields);
FIELDS_FIT(schema_session_fields);
FIELDS_FIT(query_f);

const struct schema_field *const schema_fields[SCHEMA_NKINDS] = {
	school_f, specialty_f, enterprise_f, posting_f, fair_f, program_f,
	student_f,
};

/* Append s[0..n) to buf (holding *len bytes), cutting at the size. */
static void path_add(char *buf, size_t *len, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (n > SCHEMA_PATH_MAX - 1 - *len)
		n = SCHEMA_PATH_MAX - 1 - *len;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = 0;
}

/*
 * Both may be called with out == base.  Keys come from the wire, so control
 * bytes (NUL above all, which would cut the path as a C string) are written
 * as \xNN: the path still names the key the client sent.
 */
void schema_path_key(char *out, const char *base, const char *key,
    size_t keylen)
{
	char tmp[SCHEMA_PATH_MAX], esc[5];
	size_t n = 0, i, run;

	path_add(tmp, &n, base, strlen(base));
	if (n)
		path_add(tmp, &n, ".", 1);
	for (i = 0; i < keylen; i += run) {
		unsigned char c = (unsigned char)key[i];

		if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof esc, "\\x%02x", c);
			path_add(tmp, &n, esc, 4);
			run = 1;
			continue;
		}
		for (run = 1; i + run < keylen; run++) {
			c = (unsigned char)key[i + run];
			if (c < 0x20 || c == 0x7f)
				break;
		}
		path_add(tmp, &n, key + i, run);
	}
	memcpy(out, tmp, n + 1);
}

void schema_path_index(char *out, const char *base, size_t i)
{
	char tmp[SCHEMA_PATH_MAX], num[24];
	size_t n = 0, k = sizeof num;

	num[--k] = ']';                    /* no printf: once per record */
	do
		num[--k] = (char)('0' + i % 10);
	while ((i /= 10) != 0);
	num[--k] = '[';
	path_add(tmp, &n, base, strlen(base));
	path_add(tmp, &n, num + k, sizeof num - k);
	memcpy(out, tmp, n + 1);
}

const msgpack_object *schema_opt(const msgpack_object *m, const char *key)
{
	const msgpack_object *v = m ? schema_get(m, key) : NULL;
	return v && v->type != MSGPACK_OBJECT_NIL ? v : NULL;
}

const msgpack_object *schema_get(const msgpack_object *m, const char *key)
{
	size_t n = strlen(key);

	if (m->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (uint32_t i = 0; i < m->via.map.size; i++) {
		const msgpack_object *k = &m->via.map.ptr[i].key;
		if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
		    memcmp(k->via.str.ptr, key, n) == 0)
			return &m->via.map.ptr[i].val;
	}
	return NULL;
}

void schema_strcpy(char *dst, size_t cap, const msgpack_object *o)
{
	size_t n = o->via.str.size < cap - 1 ? o->via.str.size : cap - 1;
	memcpy(dst, o->via.str.ptr, n);
	dst[n] = 0;
}

static int bad(struct proto_err *e, const char *path, const char *what)
{
	return proto_fail(e, PROTO_INVALID_PARAMS, path, "%s %s", path, what);
}

int schema_check_str(const msgpack_object *o, size_t max, const char *path,
    struct proto_err *e)
{
	if (o->type != MSGPACK_OBJECT_STR)
		return bad(e, path, "must be a string");
	if (o->via.str.size < 1 || o->via.str.size > max) {
		return proto_fail(e, PROTO_INVALID_PARAMS, path,
		    "%s must be 1..%zu bytes", path, max);
	}
	if (!proto_utf8_valid(o->via.str.ptr, o->via.str.size))
		return bad(e, path, "is not valid UTF-8");
	return 0;
}

int schema_check_id(const msgpack_object *o, const char *path,
    struct proto_err *e)
{
	if (schema_check_str(o, SCHEMA_ID_MAX, path, e) < 0)
		return -1;
	if (memchr(o->via.str.ptr, 0, o->via.str.size))
		return bad(e, path, "must not contain a NUL byte");
	return 0;
}

int schema_check_int(const msgpack_object *o, long long lo, long long hi,
    const char *path, struct proto_err *e, long long *v)
{
	long long x;

	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 > (uint64_t)hi)
		goto range;
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		x = (long long)o->via.u64;
	else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		x = o->via.i64;
	else
		return bad(e, path, "must be an integer");
	if (x < lo || x > hi)
		goto range;
	if (v)
		*v = x;
	return 0;
range:
	return proto_fail(e, PROTO_INVALID_PARAMS, path, "%s must be in %lld..%lld",
	    path, lo, hi);
}

static int digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int num(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static int valid_date(const char *s, size_t n)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) ||
	    !digits(s + 5, 2) || !digits(s + 8, 2))
		return 0;
	int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
	if (y < 1000 || m < 1 || m > 12 || d < 1)
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

static int valid_datetime(const char *s, size_t n)
{
	return n == 16 && valid_date(s, 10) && s[10] == 'T' && s[13] == ':' &&
	    digits(s + 11, 2) && digits(s + 14, 2) && num(s + 11, 2) < 24 &&
	    num(s + 14, 2) < 60;
}

/* A major code: 6 digits, group 2..7x, optional trailing K. */
static int valid_major(const char *s, size_t n)
{
	if (n == 7 && s[6] == 'K')
		n = 6;
	return n == 6 && digits(s, 6) && s[0] >= '2' && s[0] <= '7';
}

/* A major prefix: 2, 4 or 6 digits (6 may carry the K). */
static int valid_prefix(const char *s, size_t n)
{
	if (n == 7 && s[6] == 'K')
		n = 6;
	return (n == 2 || n == 4 || n == 6) && digits(s, n);
}

/* GB/T 4754-2017: section letter A..T, then 0, 2, 3 or 4 digits. */
static int valid_industry(const char *s, size_t n)
{
	return n >= 1 && n <= 5 && n != 2 && s[0] >= 'A' && s[0] <= 'T' &&
	    digits(s + 1, n - 1);
}

int schema_check_enum(const msgpack_object *o, const char *const *names,
    const char *path, struct proto_err *e)
{
	char list[160] = "";
	if (o->type == MSGPACK_OBJECT_STR)
		for (int i = 0; names[i]; i++)
			if (proto_str_eq(o, names[i]))
				return i;
	for (int i = 0; names[i]; i++) {
		strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
		strncat(list, names[i], sizeof list - strlen(list) - 1);
	}
	return proto_fail(e, PROTO_INVALID_PARAMS, path,
	    "%s must be one of %s", path, list);
}

static int check_coded(const msgpack_object *o, int (*ok)(const char *, size_t),
    const char *what, const char *path, struct proto_err *e)
{
	if (o->type != MSGPACK_OBJECT_STR)
		return bad(e, path, "must be a string");
	if (!ok(o->via.str.ptr, o->via.str.size))
		return bad(e, path, what);
	return 0;
}

static int valid_region(const char *s, size_t n)
{
	return n == 6 && digits(s, 6);
}

static int check_array(const msgpack_object *o, size_t max, const char *path,
    struct proto_err *e)
{
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return bad(e, path, "must be an array");
	if (o->via.array.size > max) {
		return proto_fail(e, PROTO_INVALID_PARAMS, path,
		    "%s has more than %zu items", path, max);
	}
	return 0;
}

/* No two str items of an array equal; items already checked as str. */
static int check_unique(const msgpack_object *a, const char *key,
    const char *path, struct proto_err *e)
{
	char p[SCHEMA_PATH_MAX];
	uint32_t n = a->via.array.size;

	for (uint32_t i = 1; i < n; i++) {
		const msgpack_object *x = key ? schema_get(&a->via.array.ptr[i], key) :
		    &a->via.array.ptr[i];
		for (uint32_t j = 0; j < i; j++) {
			const msgpack_object *y = key ?
			    schema_get(&a->via.array.ptr[j], key) :
			    &a->via.array.ptr[j];
			if (x->via.str.size == y->via.str.size &&
			    memcmp(x->via.str.ptr, y->via.str.ptr, x->via.str.size) == 0) {
				schema_path_index(p, path, i);
				if (key)
					schema_path_key(p, p, key, strlen(key));
				return proto_fail(e, PROTO_INVALID_PARAMS, p,
				    "%s repeats an earlier item", p);
			}
		}
	}
	return 0;
}

static int check_fields(const struct schema_field *f, const msgpack_object *m,
    const char *path, struct proto_err *e);

static int check_value(enum schema_ftype t, const msgpack_object *o,
    const char *path, struct proto_err *e)
{
	char p[SCHEMA_PATH_MAX];
	uint32_t i;

	switch (t) {
	case SCHEMA_F_ID:
		return schema_check_id(o, path, e);
	case SCHEMA_F_NAME:
		return schema_check_str(o, SCHEMA_NAME_MAX, path, e);
	case SCHEMA_F_LEVEL:
		return schema_check_enum(o, schema_level_name, path, e) < 0 ? -1 : 0;
	case SCHEMA_F_PKIND:
		return schema_check_enum(o, schema_posting_kind, path, e) < 0 ? -1 : 0;
	case SCHEMA_F_REGION:
		return check_coded(o, valid_region,
		    "must be a 6-digit GB/T 2260 region code", path, e);
	case SCHEMA_F_MAJOR:
		return check_coded(o, valid_major,
		    "must be a 6-digit 2021 catalog major code (K allowed)", path, e);
	case SCHEMA_F_INDUSTRY:
		return check_coded(o, valid_industry,
		    "must be a GB/T 4754-2017 code like C36", path, e);
	case SCHEMA_F_COUNT:
		return schema_check_int(o, 0, SCHEMA_COUNT_MAX, path, e, NULL);
	case SCHEMA_F_POS:
		return schema_check_int(o, 1, SCHEMA_COUNT_MAX, path, e, NULL);
	case SCHEMA_F_YEAR:
		return schema_check_int(o, 1000, 9999, path, e, NULL);
	case SCHEMA_F_DATE:
		return check_coded(o, valid_date,
		    "must be a valid date YYYY-MM-DD", path, e);
	case SCHEMA_F_DATETIME:
		return check_coded(o, valid_datetime,
		    "must be a valid time YYYY-MM-DDTHH:MM", path, e);
	case SCHEMA_F_TAGS:
	case SCHEMA_F_PREFIXES:
	case SCHEMA_F_IDS:
		if (check_array(o, t == SCHEMA_F_IDS ? SCHEMA_IDS_MAX : SCHEMA_TAGS_MAX,
		    path, e) < 0)
			return -1;
		for (i = 0; i < o->via.array.size; i++) {
			const msgpack_object *x = &o->via.array.ptr[i];
			schema_path_index(p, path, i);
			if (t == SCHEMA_F_TAGS && schema_check_str(x, SCHEMA_NAME_MAX, p, e) < 0)
				return -1;
			if (t == SCHEMA_F_IDS && schema_check_id(x, p, e) < 0)
				return -1;
			if (t == SCHEMA_F_PREFIXES && check_coded(x, valid_prefix,
			    "must be a major prefix of 2, 4 or 6 digits", p, e) < 0)
				return -1;
		}
		return t == SCHEMA_F_IDS ? check_unique(o, NULL, path, e) : 0;
	case SCHEMA_F_COHORTS:
		if (o->type != MSGPACK_OBJECT_MAP)
			return bad(e, path, "must be a map of year to count");
		if (o->via.map.size > SCHEMA_TAGS_MAX)
			return bad(e, path, "has too many years");
		for (i = 0; i < o->via.map.size; i++) {
			const msgpack_object *k = &o->via.map.ptr[i].key;
			if (k->type != MSGPACK_OBJECT_STR || k->via.str.size != 4 ||
			    !digits(k->via.str.ptr, 4) || k->via.str.ptr[0] == '0') {
				schema_path_index(p, path, i);
				return bad(e, p, "keys must be 4-digit year strings");
			}
			schema_path_key(p, path, k->via.str.ptr, 4);
			for (uint32_t j = 0; j < i; j++)
				if (proto_str_eq(&o->via.map.ptr[j].key, p + strlen(p) - 4))
					return bad(e, p, "is given twice");
			if (schema_check_int(&o->via.map.ptr[i].val, 0,
			    SCHEMA_COUNT_MAX, p, e, NULL) < 0)
				return -1;
		}
		return 0;
	case SCHEMA_F_SALARY: {
		long long lo = 0, hi = 0;   /* set on success; GCC 12 -O3 cannot tell */
		if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 2)
			return bad(e, path, "must be [min, max]");
		schema_path_index(p, path, 0);
		if (schema_check_int(&o->via.array.ptr[0], 0, SCHEMA_COUNT_MAX, p,
		    e, &lo) < 0)
			return -1;
		schema_path_index(p, path, 1);
		if (schema_check_int(&o->via.array.ptr[1], 0, SCHEMA_COUNT_MAX, p,
		    e, &hi) < 0)
			return -1;
		return lo <= hi ? 0 : bad(e, p, "must not be below the minimum");
	}
	case SCHEMA_F_GRADE: {
		double g;
		if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
			g = o->via.u64 > 1000 ? 1000 : (double)o->via.u64;
		else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
			g = -1;
		else if (o->type == MSGPACK_OBJECT_FLOAT32 ||
		    o->type == MSGPACK_OBJECT_FLOAT64)
			g = o->via.f64;
		else
			return bad(e, path, "must be a number");
		if (!(g >= 0 && g <= 100))
			return bad(e, path, "must be in 0..100");
		return 0;
	}
	case SCHEMA_F_DIRECTIONS:
	case SCHEMA_F_SESSIONS:
		if (check_array(o, SCHEMA_PARTS_MAX, path, e) < 0)
			return -1;
		for (i = 0; i < o->via.array.size; i++) {
			schema_path_index(p, path, i);
			if (check_fields(t == SCHEMA_F_DIRECTIONS ?
			    schema_direction_fields : schema_session_fields,
			    &o->via.array.ptr[i], p, e) < 0)
				return -1;
		}
		return check_unique(o, "id", path, e);
	case SCHEMA_F_REQUESTS:
		if (o->type != MSGPACK_OBJECT_MAP)
			return bad(e, path, "must be a map of enterprise id to count");
		for (i = 0; i < o->via.map.size; i++) {
			const msgpack_object *k = &o->via.map.ptr[i].key;
			schema_path_index(p, path, i);
			if (schema_check_id(k, p, e) < 0)
				return -1;
			schema_path_key(p, path, k->via.str.ptr, k->via.str.size);
			for (uint32_t j = 0; j < i; j++) {
				const msgpack_object *q = &o->via.map.ptr[j].key;
				if (q->via.str.size == k->via.str.size &&
				    !memcmp(q->via.str.ptr, k->via.str.ptr, q->via.str.size))
					return bad(e, p, "is given twice");
			}
			if (schema_check_int(&o->via.map.ptr[i].val, 0,
			    SCHEMA_COUNT_MAX, p, e, NULL) < 0)
				return -1;
		}
		return 0;
	}
	return bad(e, path, "has an unknown type");
}

/* k (a string) is the field name (never empty); the first byte spares
 * most names their strlen. */
static int is_field(const msgpack_object *k, const char *name)
{
	return k->via.str.size && k->via.str.ptr[0] == name[0] &&
	    proto_str_eq(k, name);
}

static int check_fields(const struct schema_field *f, const msgpack_object *m,
    const char *path, struct proto_err *e)
{
	char p[SCHEMA_PATH_MAX];
	uint64_t seen = 0, set = 0;        /* by field: given, and not nil */

	if (m->type != MSGPACK_OBJECT_MAP)
		return bad(e, *path ? path : "params", "must be a map");
	for (uint32_t i = 0; i < m->via.map.size; i++) {
		const msgpack_object *k = &m->via.map.ptr[i].key;
		const struct schema_field *fi;
		if (k->type != MSGPACK_OBJECT_STR ||
		    !proto_utf8_valid(k->via.str.ptr, k->via.str.size)) {
			schema_path_index(p, path, i);
			return bad(e, p, "key must be a UTF-8 string");
		}
		for (fi = f; fi->name; fi++)
			if (is_field(k, fi->name))
				break;
		uint64_t bit = fi->name ? 1ULL << (fi - f) : 0;
		if (!fi->name || (seen & bit)) {
			schema_path_key(p, path, k->via.str.ptr, k->via.str.size);
			return bad(e, p, fi->name ? "is given twice" :
			    "is not a known field");
		}
		seen |= bit;
		const msgpack_object *v = &m->via.map.ptr[i].val;
		if (v->type == MSGPACK_OBJECT_NIL && !fi->required)
			continue;
		if (v->type != MSGPACK_OBJECT_NIL)
			set |= bit;
		/*
		 * Checked first under an empty path, which costs little to
		 * extend (a record's fields are checked a million times in an
		 * import, and pass); a failure is checked again under its path,
		 * for the message.
		 */
		struct proto_err quiet;
		if (check_value(fi->type, v, "", &quiet) < 0) {
			schema_path_key(p, path, fi->name, strlen(fi->name));
			if (check_value(fi->type, v, p, e) < 0)
				return -1;
		}
	}
	for (const struct schema_field *fi = f; fi->name; fi++)
		if (fi->required && !(set & 1ULL << (fi - f))) {
			schema_path_key(p, path, fi->name, strlen(fi->name));
			return bad(e, p, "is required");
		}
	return 0;
}

static int str_cmp(const msgpack_object *a, const msgpack_object *b)
{
	size_t n = a->via.str.size < b->via.str.size ? a->via.str.size :
	    b->via.str.size;
	int c = memcmp(a->via.str.ptr, b->via.str.ptr, n);
	return c ? c : (a->via.str.size > b->via.str.size) -
	    (a->via.str.size < b->via.str.size);
}

static const msgpack_object *present(const msgpack_object *m, const char *k)
{
	const msgpack_object *v = schema_get(m, k);
	return v && v->type != MSGPACK_OBJECT_NIL ? v : NULL;
}

/* Rules across the fields of a fair. */
static int check_fair(const msgpack_object *m, const char *path,
    struct proto_err *e)
{
	const msgpack_object *dirs = present(m, "directions");
	const msgpack_object *sess = present(m, "sessions");
	const msgpack_object *ents = present(m, "enterprise_ids");
	const msgpack_object *req = present(m, "requests");
	char p[SCHEMA_PATH_MAX], q[SCHEMA_PATH_MAX];

	schema_path_key(q, path, "sessions", 8);
	for (uint32_t i = 0; i < sess->via.array.size; i++) {
		const msgpack_object *s = &sess->via.array.ptr[i];
		schema_path_index(p, q, i);
		if (str_cmp(present(s, "start"), present(s, "end")) >= 0) {
			char r[SCHEMA_PATH_MAX];
			schema_path_key(r, p, "end", 3);
			return bad(e, r, "must be after start");
		}
		const msgpack_object *sd = present(s, "directions");
		for (uint32_t j = 0; sd && j < sd->via.array.size; j++) {
			uint32_t k;
			for (k = 0; k < dirs->via.array.size; k++)
				if (!str_cmp(&sd->via.array.ptr[j],
				    present(&dirs->via.array.ptr[k], "id")))
					break;
			if (k == dirs->via.array.size) {
				char r[SCHEMA_PATH_MAX];
				schema_path_key(r, p, "directions", 10);
				schema_path_index(r, r, j);
				return bad(e, r, "is not one of the fair's directions");
			}
		}
	}
	for (uint32_t i = 0; req && i < req->via.map.size; i++) {
		const msgpack_object *k = &req->via.map.ptr[i].key;
		uint32_t j;
		for (j = 0; j < ents->via.array.size; j++)
			if (!str_cmp(k, &ents->via.array.ptr[j]))
				break;
		if (j == ents->via.array.size) {
			schema_path_key(q, path, "requests", 8);
			schema_path_key(p, q, k->via.str.ptr, k->via.str.size);
			return bad(e, p, "is not one of the fair's enterprise_ids");
		}
	}
	return 0;
}

int schema_check(enum schema_kind k, const msgpack_object *rec,
    const char *path, struct proto_err *e)
{
	char p[SCHEMA_PATH_MAX];

	if (check_fields(schema_fields[k], rec, path, e) < 0)
		return -1;
	if (k == SCHEMA_FAIR)
		return check_fair(rec, path, e);
	if (k == SCHEMA_POSTING) {
		const msgpack_object *s = present(rec, "start");
		const msgpack_object *u = present(rec, "until");
		if (s && u && str_cmp(s, u) > 0) {
			schema_path_key(p, path, "until", 5);
			return bad(e, p, "must not be before start");
		}
	}
	return 0;
}

void schema_pack(msgpack_packer *pk, const msgpack_object *rec)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < rec->via.map.size; i++)
		n += rec->via.map.ptr[i].val.type != MSGPACK_OBJECT_NIL;
	msgpack_pack_map(pk, n);
	for (uint32_t i = 0; i < rec->via.map.size; i++) {
		if (rec->via.map.ptr[i].val.type == MSGPACK_OBJECT_NIL)
			continue;
		msgpack_pack_object(pk, rec->via.map.ptr[i].key);
		msgpack_pack_object(pk, rec->via.map.ptr[i].val);
	}
}

enum schema_level schema_level_of(const msgpack_object *o)
{
	for (int i = 0; o && i < 4; i++)
		if (proto_str_eq(o, schema_level_name[i]))
			return i;
	return SCHEMA_LEVEL_NONE;
}

int schema_major_fits_level(const char *code, enum schema_level lv)
{
	switch (code[0]) {
	case '6': case '7':
		return lv == SCHEMA_SECONDARY || lv == SCHEMA_TECHNICIAN;
	case '4': case '5':
		return lv == SCHEMA_HIGHER;
	case '2': case '3':
		return lv == SCHEMA_BACHELOR;
	}
	return 0;
}

static const struct schema_field *find_field(enum schema_kind k,
    const msgpack_object *key)
{
	for (const struct schema_field *f = schema_fields[k]; f->name; f++)
		if (proto_str_eq(key, f->name))
			return f;
	return NULL;
}

/* "name~", "title~": a key asking for a substring match. */
static int is_substring_key(const msgpack_object *key)
{
	return key->via.str.size > 1 &&
	    key->via.str.ptr[key->via.str.size - 1] == '~';
}

int schema_filter_check(enum schema_kind k, const msgpack_object *f,
    struct proto_err *e)
{
	char p[SCHEMA_PATH_MAX];

	if (f->type != MSGPACK_OBJECT_MAP)
		return bad(e, "filter", "must be a map of field to value");
	for (uint32_t i = 0; i < f->via.map.size; i++) {
		const msgpack_object *key = &f->via.map.ptr[i].key;
		const msgpack_object *v = &f->via.map.ptr[i].val;
		if (key->type != MSGPACK_OBJECT_STR ||
		    !proto_utf8_valid(key->via.str.ptr, key->via.str.size)) {
			schema_path_index(p, "filter", i);
			return bad(e, p, "key must be a UTF-8 string");
		}
		schema_path_key(p, "filter", key->via.str.ptr, key->via.str.size);
		if (is_substring_key(key)) {
			/* name~ / title~: the field without the ~ must be the
			 * kind's name or title */
			msgpack_object base = *key;
			base.via.str.size--;
			if (!find_field(k, &base) || !(proto_str_eq(&base, "name") ||
			    proto_str_eq(&base, "title")))
				return bad(e, p, "a substring filter is on name or "
				    "title only, and this kind has no such field");
			if (schema_check_str(v, SCHEMA_NAME_MAX, p, e) < 0)
				return -1;
			continue;
		}
		const struct schema_field *fd = find_field(k, key);
		if (!fd)
			return bad(e, p, "is not a field of this kind");
		switch (fd->type) {
		case SCHEMA_F_COUNT: case SCHEMA_F_POS: case SCHEMA_F_YEAR:
			if (schema_check_int(v, 0, SCHEMA_COUNT_MAX, p, e, NULL) < 0)
				return -1;
			break;
		case SCHEMA_F_GRADE:
			if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER &&
			    v->type != MSGPACK_OBJECT_FLOAT32 &&
			    v->type != MSGPACK_OBJECT_FLOAT64)
				return bad(e, p, "must be a number");
			break;
		case SCHEMA_F_COHORTS: case SCHEMA_F_SALARY:
		case SCHEMA_F_DIRECTIONS: case SCHEMA_F_SESSIONS:
		case SCHEMA_F_REQUESTS:
			return bad(e, p, "cannot be filtered on (map or structured value)");
		default:
			if (v->type != MSGPACK_OBJECT_STR ||
			    !proto_utf8_valid(v->via.str.ptr, v->via.str.size))
				return bad(e, p, "must be a string");
		}
	}
	return 0;
}

static int str_same(const msgpack_object *a, const msgpack_object *b)
{
	return a->type == MSGPACK_OBJECT_STR && b->type == MSGPACK_OBJECT_STR &&
	    a->via.str.size == b->via.str.size &&
	    !memcmp(a->via.str.ptr, b->via.str.ptr, a->via.str.size);
}

static double as_num(const msgpack_object *o)
{
	switch (o->type) {
	case MSGPACK_OBJECT_POSITIVE_INTEGER: return (double)o->via.u64;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: return (double)o->via.i64;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64: return o->via.f64;
	default: return NAN;
	}
}

/* s[0..n) holds w[0..m): bytes, which for UTF-8 is characters. */
static int contains(const char *s, size_t n, const char *w, size_t m)
{
	for (size_t i = 0; m <= n && i <= n - m; i++)
		if (s[i] == w[0] && !memcmp(s + i, w, m))
			return 1;
	return 0;
}

int schema_filter_match(const msgpack_object *rec, const msgpack_object *f)
{
	for (uint32_t i = 0; i < f->via.map.size; i++) {
		const msgpack_object *key = &f->via.map.ptr[i].key;
		const msgpack_object *want = &f->via.map.ptr[i].val;
		const msgpack_object *have = NULL;
		int sub = is_substring_key(key);
		for (uint32_t j = 0; j < rec->via.map.size; j++) {
			const msgpack_object *rk = &rec->via.map.ptr[j].key;
			if (sub ? rk->type == MSGPACK_OBJECT_STR &&
			    rk->via.str.size == key->via.str.size - 1 &&
			    !memcmp(rk->via.str.ptr, key->via.str.ptr, rk->via.str.size) :
			    str_same(rk, key))
				have = &rec->via.map.ptr[j].val;
		}
		if (!have)
			return 0;
		if (sub) {
			if (have->type != MSGPACK_OBJECT_STR ||
			    !contains(have->via.str.ptr, have->via.str.size,
			    want->via.str.ptr, want->via.str.size))
				return 0;
			continue;
		}
		if (have->type == MSGPACK_OBJECT_ARRAY) {
			uint32_t j;
			for (j = 0; j < have->via.array.size; j++)
				if (str_same(&have->via.array.ptr[j], want))
					break;
			if (j == have->via.array.size)
				return 0;
		} else if (have->type == MSGPACK_OBJECT_STR) {
			int prefix = proto_str_eq(key, "region") ||
			    proto_str_eq(key, "major_code");
			if (want->via.str.size > have->via.str.size ||
			    (!prefix && want->via.str.size != have->via.str.size) ||
			    memcmp(have->via.str.ptr, want->via.str.ptr, want->via.str.size))
				return 0;
		} else if (as_num(have) != as_num(want)) {
			return 0;
		}
	}
	return 1;
}

int schema_check_query(const msgpack_object *q, const char *path,
    struct proto_err *e)
{
	return check_fields(query_f, q, path, e);
}

int schema_check_region_prefix(const msgpack_object *o, const char *path,
    struct proto_err *e)
{
	if (o->type != MSGPACK_OBJECT_STR || (o->via.str.size != 2 &&
	    o->via.str.size != 4 && o->via.str.size != 6) ||
	    !digits(o->via.str.ptr, o->via.str.size))
		return bad(e, path, "must be a region prefix of 2, 4 or 6 digits");
	return 0;
}

int schema_kind_of_posting(const msgpack_object *o)
{
	for (int i = 0; o && schema_posting_kind[i]; i++)
		if (proto_str_eq(o, schema_posting_kind[i]))
			return i;
	return -1;
}

int schema_check_posting_kind(const msgpack_object *o, const char *path,
    struct proto_err *e)
{
	return schema_check_enum(o, schema_posting_kind, path, e);
}

int schema_year(const msgpack_object *o, int *month)
{
	const char *p;
	size_t n;

	if (!o || o->type != MSGPACK_OBJECT_STR)
		return -1;
	p = o->via.str.ptr;
	n = o->via.str.size;
	if (n < 4 || !digits(p, 4))
		return -1;
	if (month) {
		if (n < 7 || p[4] != '-' || !digits(p + 5, 2))
			return -1;
		*month = num(p + 5, 2);
	}
	return num(p, 4);
}

const char *schema_str(const msgpack_object *o, char *buf, size_t cap)
{
	if (!o || o->type != MSGPACK_OBJECT_STR) {
		buf[0] = 0;
		return buf;
	}
	schema_strcpy(buf, cap, o);
	return buf;
}

double schema_num(const msgpack_object *o)
{
	if (!o)
		return NAN;
	switch (o->type) {
	case MSGPACK_OBJECT_POSITIVE_INTEGER: return (double)o->via.u64;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: return (double)o->via.i64;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64: return o->via.f64;
	default: return NAN;
	}
}

const msgpack_object *schema_arr(const msgpack_object *o, uint32_t *n)
{
	if (!o || o->type != MSGPACK_OBJECT_ARRAY) {
		*n = 0;
		return NULL;
	}
	*n = o->via.array.size;
	return o->via.array.ptr;
}
