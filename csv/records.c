/* records — CSV rows <-> records; see records.h. */
#include "records.h"

#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strtab.h"
#include "xalloc.h"

/* Errors said per file before they are only counted. */
#define ERR_SHOWN 20

enum ctype {
	CT_STR,          /* a string */
	CT_INT,          /* an integer */
	CT_NUM,          /* an integer or a decimal (grade) */
	CT_LIST,         /* ';'-separated; empty cell = absent, ";" = [] */
	CT_MAJORS,       /* ';'-separated and required: empty cell = [] */
	CT_COHORTS,      /* the cohort_YYYY columns, together "cohorts" */
	CT_SAL_MIN,      /* salary_min and salary_max, together "salary" */
	CT_SAL_MAX,
	CT_FAIR_ID,      /* a fair part's fair, not a field of the part */
};

struct col {
	const char *name;
	enum ctype type;
};

/*
 * A file's columns, derived from schema_fields at start: map-valued
 * fields become columns of their own (cohort_YYYY, salary_min/max) or
 * part files (a fair's directions, sessions and requests).
 */
#define COLS_MAX 24
static struct col file_cols[RF_NFILES][COLS_MAX];

static void cols_add(struct col *cols, size_t *n, const char *name,
    enum ctype type)
{
	cols[*n].name = name;
	cols[(*n)++].type = type;
}

static void cols_from(struct col *cols, const struct schema_field *f,
    int fair_part)
{
	size_t n = 0;

	if (fair_part)
		cols_add(cols, &n, "fair_id", CT_FAIR_ID);
	for (; f->name; f++)
		switch (f->type) {
		case SCHEMA_F_COUNT: case SCHEMA_F_POS: case SCHEMA_F_YEAR:
			cols_add(cols, &n, f->name, CT_INT);
			break;
		case SCHEMA_F_GRADE:
			cols_add(cols, &n, f->name, CT_NUM);
			break;
		case SCHEMA_F_TAGS: case SCHEMA_F_IDS:
			cols_add(cols, &n, f->name, CT_LIST);
			break;
		case SCHEMA_F_PREFIXES:
			cols_add(cols, &n, f->name, CT_MAJORS);
			break;
		case SCHEMA_F_COHORTS:
			cols_add(cols, &n, "cohort_", CT_COHORTS);
			break;
		case SCHEMA_F_SALARY:
			cols_add(cols, &n, "salary_min", CT_SAL_MIN);
			cols_add(cols, &n, "salary_max", CT_SAL_MAX);
			break;
		case SCHEMA_F_DIRECTIONS: case SCHEMA_F_SESSIONS:
		case SCHEMA_F_REQUESTS:
			break;                  /* part files */
		default:
			cols_add(cols, &n, f->name, CT_STR);
		}
	cols[n].name = NULL;
}

__attribute__((constructor)) static void cols_init(void)
{
	struct col *req = file_cols[RF_FAIR_REQUESTS];
	size_t n = 0;

	for (int k = 0; k < SCHEMA_NKINDS; k++)
		cols_from(file_cols[k], schema_fields[k], 0);
	cols_from(file_cols[RF_FAIR_DIRS], schema_direction_fields, 1);
	cols_from(file_cols[RF_FAIR_SESSIONS], schema_session_fields, 1);
	cols_add(req, &n, "fair_id", CT_FAIR_ID);    /* requests: a map */
	cols_add(req, &n, "enterprise_id", CT_STR);
	cols_add(req, &n, "slots", CT_INT);
	req[n].name = NULL;
}

const char *const rec_file_name[RF_NFILES] = {
	"schools.csv", "specialties.csv", "enterprises.csv", "postings.csv",
	"fairs.csv", "programs.csv", "students.csv", "fair_directions.csv",
	"fair_sessions.csv", "fair_requests.csv",
};

int rec_kind_of(const char *s)
{
	for (int k = 0; k < SCHEMA_NKINDS; k++)
		if (!strcmp(s, schema_kind_name[k]) || !strcmp(s, schema_kind_plural[k]))
			return k;
	return -1;
}

int rec_field_numeric(enum schema_kind k, const char *field)
{
	for (const struct col *c = file_cols[k]; c->name; c++)
		if (!strcmp(c->name, field))
			return c->type == CT_INT || c->type == CT_NUM;
	return 0;
}

/* The record key a column fills. */
static const char *col_key(const struct col *c)
{
	return c->type == CT_COHORTS ? "cohorts" : c->type == CT_SAL_MIN ||
	    c->type == CT_SAL_MAX ? "salary" : c->name;
}

/* ------------------------------------------------------------- errors */

struct errs {
	size_t n;
};

static void errs_add(struct errs *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void errs_add(struct errs *e, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (e->n++ >= ERR_SHOWN)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	csvio_say(msg);
}

/* -------------------------------------------------------------- header */

/* Where each spec column sits in a file: header column per spec column. */
struct hdr {
	const struct col *cols;
	long *at;                /* spec index -> header column, -1 if none */
	size_t *years;           /* header columns of cohort_YYYY */
	size_t nyears;
};

static int is_cohort_head(const char *h)
{
	if (strncmp(h, "cohort_", 7) || strlen(h) != 11)
		return 0;
	for (int i = 7; i < 11; i++)
		if (h[i] < '0' || h[i] > '9')
			return 0;
	return h[7] != '0';
}

static void col_list(const struct col *cols, char *buf, size_t cap)
{
	buf[0] = 0;
	for (const struct col *c = cols; c->name; c++) {
		size_t n = strlen(buf);
		snprintf(buf + n, cap - n, "%s%s", n ? ", " : "",
		    c->type == CT_COHORTS ? "cohort_YYYY" : c->name);
	}
}

/* A column nobody named: fine when every cell of it is empty too. */
static int column_empty(const struct csvio_table *t, size_t j)
{
	for (size_t r = 1; r < t->nrows; r++)
		if (*csvio_cell(t, r, j))
			return 0;
	return 1;
}

static void hdr_init(struct hdr *h, enum rec_file file,
    const struct csvio_table *t, const char *name, struct errs *e)
{
	const struct col *cols = file_cols[file];
	size_t ncols = 0, nhead = t->rows[0].n;
	char list[512];

	while (cols[ncols].name)
		ncols++;
	h->cols = cols;
	h->at = xmalloc(ncols * sizeof *h->at);
	h->years = xmalloc((nhead + 1) * sizeof *h->years);
	h->nyears = 0;
	for (size_t c = 0; c < ncols; c++)
		h->at[c] = -1;
	col_list(cols, list, sizeof list);
	for (size_t j = 0; j < nhead; j++) {
		const char *head = csvio_cell(t, 0, j);
		size_t c;
		if (!*head) {
			if (!column_empty(t, j))
				errs_add(e, "%s row 1 column %zu: the column has cells "
				    "but no name in the header", name, j + 1);
			continue;
		}
		for (c = 0; c < ncols; c++)
			if (cols[c].type == CT_COHORTS ? is_cohort_head(head) :
			    !strcmp(head, cols[c].name))
				break;
		if (c == ncols) {
			errs_add(e, "%s row 1 column %s: not a column of %s "
			    "(columns: %s)", name, head, rec_file_name[file], list);
			continue;
		}
		if (cols[c].type == CT_COHORTS) {
			for (size_t y = 0; y < h->nyears; y++)
				if (!strcmp(csvio_cell(t, 0, h->years[y]), head))
					errs_add(e, "%s row 1 column %s: the column is "
					    "given twice", name, head);
			h->years[h->nyears++] = j;
		} else if (h->at[c] >= 0) {
			errs_add(e, "%s row 1 column %s: the column is given twice",
			    name, head);
		} else {
			h->at[c] = (long)j;
		}
	}
}

/* Cells past the header's last column: an unquoted comma, most often. */
static void check_widths(const struct csvio_table *t, const char *name,
    struct errs *e)
{
	size_t nhead = t->rows[0].n;

	for (size_t r = 1; r < t->nrows; r++)
		for (size_t j = nhead; j < t->rows[r].n; j++)
			if (*csvio_cell(t, r, j)) {
				errs_add(e, "%s row %zu: %zu cells but %zu columns in the "
				    "header (a comma in a cell that should be quoted?)",
				    name, t->rows[r].row, t->rows[r].n, nhead);
				break;
			}
}

static void hdr_free(struct hdr *h)
{
	free(h->at);
	free(h->years);
}

static const char *cell_of(const struct hdr *h, const struct csvio_table *t,
    size_t r, size_t c)
{
	return h->at[c] < 0 ? "" : csvio_cell(t, r, (size_t)h->at[c]);
}

/* ------------------------------------------------------------- packing */

static int parse_int(const char *s, long long *v)
{
	const char *p = s;
	int neg = 0;
	unsigned long long x = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (*p < '0' || *p > '9')
		return 0;
	for (; *p >= '0' && *p <= '9'; p++)
		x = x > 100000000000000000ULL ? 1000000000000000000ULL :
		    x * 10 + (unsigned)(*p - '0');
	if (*p)
		return 0;
	if (x > 1000000000000000000ULL)
		x = 1000000000000000000ULL;    /* out of every range anyway */
	*v = neg ? -(long long)x : (long long)x;
	return 1;
}

/* An integer cell; anything else goes as a string for the checks to name. */
static void pack_int(msgpack_packer *pk, const char *s)
{
	long long v;
	if (parse_int(s, &v))
		msgpack_pack_int64(pk, v);
	else
		proto_pack_cstr(pk, s);
}

static void pack_num(msgpack_packer *pk, const char *s)
{
	long long v;
	char *end;
	double d;

	if (parse_int(s, &v)) {
		msgpack_pack_int64(pk, v);
		return;
	}
	d = strtod(s, &end);
	if (*s && !*end && isfinite(d) && !strpbrk(s, "xXnN"))
		msgpack_pack_double(pk, d);
	else
		proto_pack_cstr(pk, s);
}

/* The next list item of s at *p (trimmed; separators ';' and '；'). */
static int next_item(const char *s, size_t *p, size_t *start, size_t *len)
{
	for (;;) {
		size_t i = *p, b, e;
		if (!s[i])
			return 0;
		for (e = i; s[e] && s[e] != ';' && strncmp(s + e, "\xef\xbc\x9b", 3); e++)
			;
		*p = !s[e] ? e : e + (s[e] == ';' ? 1 : 3);
		for (b = i; b < e && (s[b] == ' ' || s[b] == '\t'); b++)
			;
		while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
			e--;
		if (e > b) {
			*start = b;
			*len = e - b;
			return 1;
		}
	}
}

static void pack_list(msgpack_packer *pk, const char *s)
{
	size_t p = 0, b, n, count = 0;

	while (next_item(s, &p, &b, &n))
		count++;
	msgpack_pack_array(pk, (uint32_t)count);
	for (p = 0; next_item(s, &p, &b, &n);)
		proto_pack_str(pk, s + b, n);
}

/* Whether spec column c gives the record a key in row r. */
static int col_present(const struct hdr *h, const struct csvio_table *t,
    size_t r, size_t c)
{
	switch (h->cols[c].type) {
	case CT_MAJORS:
		return h->at[c] >= 0;
	case CT_COHORTS:
		return 1;
	case CT_SAL_MIN:
		return *cell_of(h, t, r, c) || *cell_of(h, t, r, c + 1);
	case CT_SAL_MAX:
	case CT_FAIR_ID:
		return 0;
	default:
		return *cell_of(h, t, r, c) != 0;
	}
}

static void pack_col(msgpack_packer *pk, const struct hdr *h,
    const struct csvio_table *t, size_t r, size_t c)
{
	const char *s = cell_of(h, t, r, c);
	size_t y, n = 0;

	proto_pack_cstr(pk, col_key(&h->cols[c]));
	switch (h->cols[c].type) {
	case CT_INT:
		pack_int(pk, s);
		break;
	case CT_NUM:
		pack_num(pk, s);
		break;
	case CT_LIST:
	case CT_MAJORS:
		pack_list(pk, s);
		break;
	case CT_COHORTS:
		for (y = 0; y < h->nyears; y++)
			n += *csvio_cell(t, r, h->years[y]) != 0;
		msgpack_pack_map(pk, (uint32_t)n);
		for (y = 0; y < h->nyears; y++) {
			s = csvio_cell(t, r, h->years[y]);
			if (!*s)
				continue;
			proto_pack_str(pk, csvio_cell(t, 0, h->years[y]) + 7, 4);
			pack_int(pk, s);
		}
		break;
	case CT_SAL_MIN:
		msgpack_pack_array(pk, 2);
		pack_int(pk, s);
		pack_int(pk, cell_of(h, t, r, c + 1));
		break;
	default:
		proto_pack_cstr(pk, s);
	}
}

/* Pack row r as a map, with `extra` more keys left for the caller. */
static void pack_row(msgpack_packer *pk, const struct hdr *h,
    const struct csvio_table *t, size_t r, uint32_t extra)
{
	uint32_t n = extra;
	size_t c;

	for (c = 0; h->cols[c].name; c++)
		n += col_present(h, t, r, c);
	msgpack_pack_map(pk, n);
	for (c = 0; h->cols[c].name; c++)
		if (col_present(h, t, r, c))
			pack_col(pk, h, t, r, c);
}

/* Checks a packed record cannot make: salary halves, request slots. */
static int row_precheck(const struct hdr *h, const struct csvio_table *t,
    size_t r, const char *name, struct errs *e)
{
	for (size_t c = 0; h->cols[c].name; c++) {
		const char *s = cell_of(h, t, r, c);
		if (h->cols[c].type == CT_SAL_MIN && !*s != !*cell_of(h, t, r, c + 1)) {
			const char *empty = *s ? "salary_max" : "salary_min";
			errs_add(e, "%s row %zu column %s: salary needs both "
			    "salary_min and salary_max", name, t->rows[r].row, empty);
			return -1;
		}
		if ((h->cols[c].type == CT_FAIR_ID ||
		    h->cols == file_cols[RF_FAIR_REQUESTS]) && !*s) {
			errs_add(e, "%s row %zu column %s: %s is required", name,
			    t->rows[r].row, h->cols[c].name, h->cols[c].name);
			return -1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- sets */

static void item_push(struct rec_set *s, size_t row)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->items = xrealloc(s->items, s->cap * sizeof *s->items);
	}
	memset(&s->items[s->n], 0, sizeof s->items[s->n]);
	s->items[s->n].row = row;
	s->items[s->n].off = s->buf.size;
	s->n++;
}

/* The arrays double when their length reaches a power of two. */
static void part_push(struct rec_item *it, int p, size_t r)
{
	size_t n = it->nparts[p];

	if ((n & (n - 1)) == 0)
		it->parts[p] = xrealloc(it->parts[p],
		    (n ? 2 * n : 1) * sizeof *it->parts[p]);
	it->parts[p][it->nparts[p]++] = r;
}

void rec_unpack(const struct rec_set *s, size_t i, msgpack_zone *z,
    msgpack_object *o)
{
	size_t off = 0;
	msgpack_unpack(s->buf.data + s->items[i].off, s->items[i].len, &off, z, o);
}

const char *rec_id(const struct rec_set *s, size_t i, char *buf, size_t cap)
{
	msgpack_zone z;
	msgpack_object o;

	msgpack_zone_init(&z, 1024);
	rec_unpack(s, i, &z, &o);
	schema_str(schema_opt(&o, "id"), buf, cap);
	msgpack_zone_destroy(&z);
	return buf;
}

/* The row (index into tab[p+1]) of a fair's request for enterprise key. */
static long request_row(const struct rec_set *s, const struct rec_item *it,
    const char *key, size_t keylen)
{
	const struct csvio_table *t = &s->tab[3];
	long found = -1;
	long col = -1;

	for (size_t j = 0; j < t->rows[0].n; j++)
		if (!strcmp(csvio_cell(t, 0, j), "enterprise_id"))
			col = (long)j;
	for (size_t k = 0; col >= 0 && k < it->nparts[2]; k++) {
		const char *v = csvio_cell(t, it->parts[2][k], (size_t)col);
		if (strlen(v) == keylen && !memcmp(v, key, keylen))
			found = (long)it->parts[2][k];
	}
	return found;
}

/* "cohorts.2026" -> "cohort_2026", "salary[1]" -> "salary_max" ... */
static void column_of(const char *seg, size_t seglen, const char *rest,
    char *out, size_t cap)
{
	if (seglen == 7 && !memcmp(seg, "cohorts", 7) && rest[0] == '.')
		snprintf(out, cap, "cohort_%.4s", rest + 1);
	else if (seglen == 6 && !memcmp(seg, "salary", 6))
		snprintf(out, cap, "%s", !strncmp(rest, "[1]", 3) ? "salary_max" :
		    "salary_min");
	else
		snprintf(out, cap, "%.*s", (int)seglen, seg);
}

static size_t seg_len(const char *p)
{
	return strcspn(p, ".[");
}

void rec_where(const struct rec_set *s, size_t i, const char *path,
    char *out, size_t cap)
{
	const struct rec_item *it = &s->items[i];
	size_t n = seg_len(path);
	char col[SCHEMA_PATH_MAX];
	static const char *const parts[] = { "directions", "sessions" };

	if (n == 0) {
		snprintf(out, cap, "%s row %zu", s->name, it->row);
		return;
	}
	for (int p = 0; s->kind == SCHEMA_FAIR && p < 2; p++) {
		char *end;
		size_t k;
		if (n != strlen(parts[p]) || strncmp(path, parts[p], n) ||
		    path[n] != '[')
			continue;
		k = strtoul(path + n + 1, &end, 10);
		if (*end != ']' || k >= it->nparts[p])
			break;
		path = end + 1;
		if (*path == '.')
			path++;
		n = seg_len(path);
		column_of(path, n, path + n, col, sizeof col);
		snprintf(out, cap, "%s row %zu column %s", s->pname[p],
		    s->tab[p + 1].rows[it->parts[p][k]].row, *col ? col : "id");
		return;
	}
	if (s->kind == SCHEMA_FAIR && n == 8 && !strncmp(path, "requests", 8) &&
	    (path[8] == '.' || path[8] == '[')) {
		long r = -1;
		const char *which = "enterprise_id";
		if (path[8] == '[') {
			size_t k = strtoul(path + 9, NULL, 10);
			r = k < it->nparts[2] ? (long)it->parts[2][k] : -1;
		} else {
			r = request_row(s, it, path + 9, strlen(path + 9));
			which = "slots";
		}
		if (r >= 0) {
			snprintf(out, cap, "%s row %zu column %s", s->pname[2],
			    s->tab[3].rows[r].row, which);
			return;
		}
	}
	column_of(path, n, path + n, col, sizeof col);
	snprintf(out, cap, "%s row %zu column %s", s->name, it->row, col);
}

/*
 * Where a message about requests.KEY belongs: the enterprise_id cell for
 * "given twice" and "not one of the fair's enterprise_ids", else slots.
 */
static void fix_request_column(char *where, const char *msg)
{
	char *p = strstr(where, " column slots");
	if (p && (strstr(msg, "twice") || strstr(msg, "enterprise_ids")))
		strcpy(p, " column enterprise_id");
}

static char *base_name(const char *path)
{
	char *tmp = xstrdup(path), *b = xstrdup(basename(tmp));
	free(tmp);
	return b;
}

/* The fair part file p beside path, when it exists (loaded into tab). */
static int load_part(struct rec_set *s, int p, const char *path,
    const char *enc)
{
	char *tmp = xstrdup(path), *dir = dirname(tmp);
	char *full = xmalloc(strlen(dir) + 32);
	int rc = 0;

	sprintf(full, "%s/%s", dir, rec_file_name[RF_FAIR_DIRS + p]);
	s->pname[p] = xstrdup(rec_file_name[RF_FAIR_DIRS + p]);
	if (access(full, F_OK) == 0) {
		rc = csvio_read(full, s->pname[p], enc, &s->tab[p + 1]);
		s->have[p + 1] = rc == 0;
	}
	free(full);
	free(tmp);
	return rc;
}

/* Give every part row to its fair (by fair_id). */
static void assign_parts(struct rec_set *s, struct hdr *h, struct strtab *ids,
    struct errs *e)
{
	for (int p = 0; p < 3; p++) {
		const struct csvio_table *t = &s->tab[p + 1];
		if (!s->have[p + 1])
			continue;
		for (size_t r = 1; r < t->nrows; r++) {
			if (row_precheck(&h[p + 1], t, r, s->pname[p], e) < 0)
				continue;
			const char *f = cell_of(&h[p + 1], t, r, 0);
			size_t *at = strlen(f) <= SCHEMA_ID_MAX ?
			    strtab_find(ids, f, strlen(f)) : NULL;
			if (!at) {
				errs_add(e, "%s row %zu column fair_id: fair %s is not "
				    "in %s", s->pname[p], t->rows[r].row, f, s->name);
				continue;
			}
			part_push(&s->items[*at - 1], p, r);
		}
	}
}

static void pack_fair_parts(struct rec_set *s, struct hdr *h,
    const struct rec_item *it, msgpack_packer *pk)
{
	for (int p = 0; p < 2; p++) {
		proto_pack_cstr(pk, p ? "sessions" : "directions");
		msgpack_pack_array(pk, (uint32_t)it->nparts[p]);
		for (size_t k = 0; k < it->nparts[p]; k++)
			pack_row(pk, &h[p + 1], &s->tab[p + 1], it->parts[p][k], 0);
	}
	if (it->nparts[2] == 0)
		return;
	proto_pack_cstr(pk, "requests");
	msgpack_pack_map(pk, (uint32_t)it->nparts[2]);
	for (size_t k = 0; k < it->nparts[2]; k++) {
		size_t r = it->parts[2][k];
		proto_pack_cstr(pk, cell_of(&h[3], &s->tab[3], r, 1));
		pack_int(pk, cell_of(&h[3], &s->tab[3], r, 2));
	}
}

/*
 * The ids seen so far, by hash: a slot is the hash and the item's index
 * (+1; 0 is empty), 16 bytes, where a strtab slot holds the key inline
 * (88 bytes, and twice as many slots as keys: 176 MB for a million rows).
 * Equal hashes are told apart by the item's own id.
 */
struct idset {
	struct { uint64_t h; size_t item; } *t;
	size_t cap, n;
};

static uint64_t id_hash(const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ull;          /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
	return h;
}

/* The item (+1) that already has id k, or 0 after adding item i under it. */
static size_t idset_add(struct idset *d, const struct rec_set *s, size_t i,
    const char *k, size_t n)
{
	char id[SCHEMA_ID_MAX + 1];
	uint64_t h = id_hash(k, n);

	if (2 * (d->n + 1) > d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 1024;
		struct idset g = { xcalloc(cap, sizeof *g.t), cap, d->n };
		for (size_t j = 0; j < d->cap; j++) {
			if (!d->t[j].item)
				continue;
			size_t at = (size_t)d->t[j].h & (cap - 1);
			while (g.t[at].item)
				at = (at + 1) & (cap - 1);
			g.t[at] = d->t[j];
		}
		free(d->t);
		*d = g;
	}
	size_t at = (size_t)h & (d->cap - 1);
	for (; d->t[at].item; at = (at + 1) & (d->cap - 1))
		if (d->t[at].h == h && n <= SCHEMA_ID_MAX &&
		    strlen(rec_id(s, d->t[at].item - 1, id, sizeof id)) == n &&
		    !memcmp(id, k, n))
			return d->t[at].item;
	d->t[at].h = h;
	d->t[at].item = i + 1;
	d->n++;
	return 0;
}

/* Check record i with schema_check and for a unique id. */
static void check_item(struct rec_set *s, size_t i, struct idset *seen,
    msgpack_zone *z, struct errs *e)
{
	msgpack_object o;
	struct proto_err pe;
	char where[SCHEMA_PATH_MAX + 128];

	msgpack_zone_clear(z);
	rec_unpack(s, i, z, &o);
	if (schema_check(s->kind, &o, "", &pe) < 0) {
		rec_where(s, i, pe.field, where, sizeof where);
		fix_request_column(where, pe.message);
		errs_add(e, "%s: %s", where, pe.message);
		return;
	}
	const msgpack_object *id = schema_opt(&o, "id");
	size_t at = idset_add(seen, s, i, id->via.str.ptr, id->via.str.size);
	if (at)
		errs_add(e, "%s row %zu column id: id %.*s repeats row %zu",
		    s->name, s->items[i].row, (int)id->via.str.size, id->via.str.ptr,
		    s->items[at - 1].row);
}

/* An item's id, for sorting. */
struct keyed {
	char *id;
	struct rec_item item;
};

static int keyed_cmp(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->id, ((const struct keyed *)b)->id);
}

/*
 * Put the items in id order (ids are unique by now).  The daemon's
 * B-trees then take a large file at one end, page after page, instead of
 * one random page per record: a national import runs several times
 * faster.  Items keep their rows, so messages still name the file's row.
 */
static void sort_by_id(struct rec_set *s)
{
	struct keyed *v = xmalloc((s->n ? s->n : 1) * sizeof *v);
	char id[SCHEMA_ID_MAX + 1];

	for (size_t i = 0; i < s->n; i++) {
		v[i].id = xstrdup(rec_id(s, i, id, sizeof id));
		v[i].item = s->items[i];
	}
	qsort(v, s->n, sizeof *v, keyed_cmp);
	for (size_t i = 0; i < s->n; i++) {
		s->items[i] = v[i].item;
		free(v[i].id);
	}
	free(v);
}

int rec_load(struct rec_set *s, enum schema_kind k, const char *path,
    const char *enc)
{
	struct hdr h[4] = { { 0 } };
	struct errs e = { 0 };
	struct strtab ids;
	struct idset seen = { NULL, 0, 0 };
	msgpack_packer pk;
	msgpack_zone z;
	int nt = k == SCHEMA_FAIR ? 4 : 1;

	memset(s, 0, sizeof *s);
	s->kind = k;
	s->path = path;
	s->name = base_name(path);
	msgpack_sbuffer_init(&s->buf);
	msgpack_packer_init(&pk, &s->buf, msgpack_sbuffer_write);
	if (csvio_read(path, s->name, enc, &s->tab[0]) < 0)
		return -1;
	s->have[0] = 1;
	for (int p = 0; p < nt - 1; p++)
		if (load_part(s, p, path, enc) < 0)
			return -1;
	for (int p = 0; p < nt; p++) {
		const char *name = p ? s->pname[p - 1] : s->name;
		if (!s->have[p])
			continue;
		hdr_init(&h[p], p ? (enum rec_file)(RF_FAIR_DIRS + p - 1) :
		    (enum rec_file)k, &s->tab[p], name, &e);
		check_widths(&s->tab[p], name, &e);
	}
	strtab_init(&ids);
	msgpack_zone_init(&z, 8192);
	if (e.n)
		goto out;
	const struct csvio_table *t = &s->tab[0];
	for (size_t r = 1; r < t->nrows; r++) {
		item_push(s, t->rows[r].row);
		if (k == SCHEMA_FAIR) {
			const char *id = cell_of(&h[0], t, r, 0);
			if (*id && strlen(id) <= SCHEMA_ID_MAX &&
			    !strtab_find(&ids, id, strlen(id)))
				*strtab_at(&ids, id, strlen(id)) = s->n;
		}
	}
	if (k == SCHEMA_FAIR)
		assign_parts(s, h, &ids, &e);
	for (size_t i = 0; i < s->n; i++) {
		size_t r = i + 1;
		if (row_precheck(&h[0], t, r, s->name, &e) < 0)
			continue;
		s->items[i].off = s->buf.size;
		if (k != SCHEMA_FAIR) {
			pack_row(&pk, &h[0], t, r, 0);
		} else {
			pack_row(&pk, &h[0], t, r, 2 + (s->items[i].nparts[2] > 0));
			pack_fair_parts(s, h, &s->items[i], &pk);
		}
		s->items[i].len = s->buf.size - s->items[i].off;
		check_item(s, i, &seen, &z, &e);
	}
	/* the rows are packed: only a fair's part files are read again */
	csvio_free(&s->tab[0]);
	if (e.n == 0)
		sort_by_id(s);
out:
	msgpack_zone_destroy(&z);
	strtab_free(&ids);
	free(seen.t);
	for (int p = 0; p < nt; p++)
		if (s->have[p])
			hdr_free(&h[p]);
	if (e.n > ERR_SHOWN)
		csvio_err("%s: ... and %zu more errors", s->name, e.n - ERR_SHOWN);
	return e.n ? -1 : 0;
}

void rec_free(struct rec_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		for (int p = 0; p < 3; p++)
			free(s->items[i].parts[p]);
	free(s->items);
	for (int p = 0; p < 4; p++)
		csvio_free(&s->tab[p]);
	for (int p = 0; p < 3; p++)
		free(s->pname[p]);
	free(s->name);
	msgpack_sbuffer_destroy(&s->buf);
	memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------- writing */

/* A growable string for one cell. */
struct sbuf {
	char *p;
	size_t n, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->cap - b->n < n + 1) {
		b->cap = (b->cap + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void sb_num(struct sbuf *b, const msgpack_object *o)
{
	char num[40];

	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		snprintf(num, sizeof num, "%llu", (unsigned long long)o->via.u64);
	else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		snprintf(num, sizeof num, "%lld", (long long)o->via.i64);
	else if (o->type == MSGPACK_OBJECT_FLOAT32 || o->type == MSGPACK_OBJECT_FLOAT64) {
		csvio_double(num, sizeof num, o->via.f64);
		if (!strpbrk(num, ".eEn"))
			strcat(num, ".0");    /* a float stays a float */
	} else {
		num[0] = 0;
	}
	sb_add(b, num, strlen(num));
}

static void sb_value(struct sbuf *b, const msgpack_object *o)
{
	if (o->type == MSGPACK_OBJECT_STR)
		sb_add(b, o->via.str.ptr, strnlen(o->via.str.ptr, o->via.str.size));
	else
		sb_num(b, o);
}

/* Column layout of one output file: spec columns, cohort years. */
struct layout {
	const struct col *cols;
	char (*years)[5];
	size_t nyears;
	size_t bad;             /* values that cannot round-trip */
};

static int year_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void layout_init(struct layout *L, enum rec_file file,
    const msgpack_object *const *recs, size_t n)
{
	struct strtab seen;

	memset(L, 0, sizeof *L);
	L->cols = file_cols[file];
	if (file != (enum rec_file)SCHEMA_SPECIALTY)
		return;
	strtab_init(&seen);
	for (size_t i = 0; i < n; i++) {
		const msgpack_object *c = schema_opt(recs[i], "cohorts");
		for (uint32_t j = 0; c && c->type == MSGPACK_OBJECT_MAP &&
		    j < c->via.map.size; j++) {
			const msgpack_object *key = &c->via.map.ptr[j].key;
			if (key->type != MSGPACK_OBJECT_STR || key->via.str.size != 4)
				continue;
			size_t *at = strtab_at(&seen, key->via.str.ptr, 4);
			if (*at)
				continue;
			*at = 1;
			L->years = xrealloc(L->years, (L->nyears + 1) * sizeof *L->years);
			memcpy(L->years[L->nyears], key->via.str.ptr, 4);
			L->years[L->nyears++][4] = 0;
		}
	}
	strtab_free(&seen);
	qsort(L->years, L->nyears, sizeof *L->years, year_cmp);
}

typedef void emit_fn(const char *cell, size_t col, void *ctx);

static void layout_heads(const struct layout *L, emit_fn *emit, void *ctx)
{
	size_t n = 0;
	char head[16];

	for (const struct col *c = L->cols; c->name; c++) {
		if (c->type != CT_COHORTS) {
			emit(c->name, n++, ctx);
			continue;
		}
		for (size_t y = 0; y < L->nyears; y++) {
			snprintf(head, sizeof head, "cohort_%s", L->years[y]);
			emit(head, n++, ctx);
		}
	}
}

/* A list cell; an item holding a separator cannot come back: counted. */
static void sb_list(struct sbuf *b, const msgpack_object *v, enum ctype t,
    struct layout *L, const char *what)
{
	uint32_t n;
	const msgpack_object *a = schema_arr(v, &n);

	if (n == 0 && t == CT_LIST) {
		sb_add(b, ";", 1);    /* an empty list, not an absent one */
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			sb_add(b, ";", 1);
		size_t before = b->n;
		sb_value(b, &a[i]);
		if (memchr(b->p + before, ';', b->n - before) ||
		    strstr(b->p + before, "\xef\xbc\x9b")) {
			csvio_err("warning: %s: list item \"%s\" holds a ';' and will "
			    "not read back as one item", what, b->p + before);
			L->bad++;
		}
	}
}

/* Emit the cells of rec; fair_id is the owning fair's id for a part. */
static void layout_row(struct layout *L, const msgpack_object *rec,
    const msgpack_object *fair_id, emit_fn *emit, void *ctx)
{
	struct sbuf b = { 0 };
	size_t n = 0;
	char what[128], idb[SCHEMA_ID_MAX + 1];

	snprintf(what, sizeof what, "record %s", schema_str(schema_opt(rec, "id"),
	    idb, sizeof idb));
	for (const struct col *c = L->cols; c->name; c++) {
		const msgpack_object *v = schema_opt(rec, col_key(c));
		b.n = 0;
		sb_add(&b, "", 0);
		if (c->type == CT_COHORTS) {
			for (size_t y = 0; y < L->nyears; y++) {
				const msgpack_object *cnt = schema_opt(v, L->years[y]);
				b.n = 0;
				sb_add(&b, "", 0);
				if (cnt)
					sb_num(&b, cnt);
				emit(b.p, n++, ctx);
			}
			continue;
		}
		if (c->type == CT_FAIR_ID)
			v = fair_id;
		if (v && (c->type == CT_SAL_MIN || c->type == CT_SAL_MAX)) {
			uint32_t k;
			const msgpack_object *a = schema_arr(v, &k);
			v = k == 2 ? &a[c->type == CT_SAL_MAX] : NULL;
		}
		if (v && (c->type == CT_LIST || c->type == CT_MAJORS))
			sb_list(&b, v, c->type, L, what);
		else if (v)
			sb_value(&b, v);
		emit(b.p, n++, ctx);
	}
	free(b.p);
}

static void emit_csv(const char *cell, size_t col, void *ctx)
{
	csvio_put(ctx, cell, col == 0);
}

size_t rec_write_csv(FILE *f, enum rec_file file,
    const msgpack_object *const *recs, size_t n)
{
	struct layout L;
	static const char *const part_key[] = { "directions", "sessions" };

	layout_init(&L, file, recs, n);
	layout_heads(&L, emit_csv, f);
	csvio_end(f);
	for (size_t i = 0; i < n; i++) {
		const msgpack_object *fid = schema_opt(recs[i], "id");
		if (file < RF_FAIR_DIRS) {
			layout_row(&L, recs[i], NULL, emit_csv, f);
			csvio_end(f);
		} else if (file != RF_FAIR_REQUESTS) {
			uint32_t k;
			const msgpack_object *a = schema_arr(schema_opt(recs[i],
			    part_key[file - RF_FAIR_DIRS]), &k);
			for (uint32_t j = 0; j < k; j++) {
				layout_row(&L, &a[j], fid, emit_csv, f);
				csvio_end(f);
			}
		} else {
			const msgpack_object *m = schema_opt(recs[i], "requests");
			struct sbuf b = { 0 };
			for (uint32_t j = 0; m && m->type == MSGPACK_OBJECT_MAP &&
			    j < m->via.map.size; j++) {
				char id[SCHEMA_ID_MAX + 1];
				csvio_put(f, schema_str(fid, id, sizeof id), 1);
				csvio_put(f, schema_str(&m->via.map.ptr[j].key, id, sizeof id), 0);
				b.n = 0;
				sb_add(&b, "", 0);
				sb_num(&b, &m->via.map.ptr[j].val);
				csvio_put(f, b.p, 0);
				csvio_end(f);
			}
			free(b.p);
		}
	}
	free(L.years);
	return L.bad;
}

void rec_cells(enum schema_kind k, const msgpack_object *const *recs,
    size_t n, void (*head)(const char *text, size_t col, void *ctx),
    void (*cell)(const char *text, size_t col, void *ctx), void *ctx)
{
	struct layout L;

	layout_init(&L, (enum rec_file)k, recs, n);
	layout_heads(&L, head, ctx);
	for (size_t i = 0; i < n; i++)
		layout_row(&L, recs[i], NULL, cell, ctx);
	free(L.years);
}
