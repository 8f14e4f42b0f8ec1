/* table — aligned tables for people, CSV for programs; see cli.h. */
#include "cli.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Widest a text cell is shown, in terminal columns: room for an id, a
 * 20-character Chinese name and a major code (the plan tables). */
#define CELL_MAX 64

/* Decode one UTF-8 sequence at s (valid input); *len gets its length. */
static unsigned cp_at(const unsigned char *s, size_t *len)
{
	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if (s[0] < 0xe0 && s[1]) {
		*len = 2;
		return (s[0] & 0x1fu) << 6 | (s[1] & 0x3fu);
	}
	if (s[0] < 0xf0 && s[1] && s[2]) {
		*len = 3;
		return (s[0] & 0x0fu) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu);
	}
	if (s[1] && s[2] && s[3]) {
		*len = 4;
		return (s[0] & 0x07u) << 18 | (s[1] & 0x3fu) << 12 |
		    (s[2] & 0x3fu) << 6 | (s[3] & 0x3fu);
	}
	*len = 1;
	return '?';
}

/* East Asian Wide and Fullwidth ranges (Unicode EastAsianWidth W/F). */
static int cp_width(unsigned c)
{
	static const unsigned wide[][2] = {
		{ 0x1100, 0x115f }, { 0x231a, 0x231b }, { 0x2329, 0x232a },
		{ 0x2e80, 0x303e }, { 0x3041, 0x33ff }, { 0x3400, 0x4dbf },
		{ 0x4e00, 0x9fff }, { 0xa000, 0xa4cf }, { 0xa960, 0xa97f },
		{ 0xac00, 0xd7a3 }, { 0xf900, 0xfaff }, { 0xfe10, 0xfe19 },
		{ 0xfe30, 0xfe6f }, { 0xff00, 0xff60 }, { 0xffe0, 0xffe6 },
		{ 0x1f300, 0x1f64f }, { 0x1f900, 0x1f9ff }, { 0x20000, 0x3fffd },
	};
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return 0;
	if ((c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f) ||
	    (c >= 0xfe00 && c <= 0xfe0f))
		return 0;
	for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
		if (c >= wide[i][0] && c <= wide[i][1])
			return 2;
	return 1;
}

size_t table_width(const char *s)
{
	size_t w = 0, len;

	for (const unsigned char *p = (const unsigned char *)s; *p; p += len)
		w += (size_t)cp_width(cp_at(p, &len));
	return w;
}

void table_init(struct table *t, size_t ncols, const char *const *head)
{
	memset(t, 0, sizeof *t);
	t->ncols = ncols;
	t->head = xcalloc(ncols ? ncols : 1, sizeof *t->head);
	t->flags = xcalloc(ncols ? ncols : 1, sizeof *t->flags);
	for (size_t i = 0; i < ncols; i++)
		t->head[i] = xstrdup(head[i]);
}

void table_init_cols(struct table *t, const struct col *cols, size_t ncols,
    int zh)
{
	memset(t, 0, sizeof *t);
	t->ncols = ncols;
	t->head = xcalloc(ncols ? ncols : 1, sizeof *t->head);
	t->flags = xcalloc(ncols ? ncols : 1, sizeof *t->flags);
	for (size_t i = 0; i < ncols; i++) {
		t->head[i] = xstrdup(zh && cols[i].zh ? cols[i].zh :
		    ref_heading(cols[i].key, zh));
		t->flags[i] = cols[i].flags;
	}
}

size_t table_rows(const struct table *t)
{
	return t->ncols ? t->ncells / t->ncols : 0;
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->ncols; i++)
		free(t->head[i]);
	for (size_t i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->head);
	free(t->flags);
	free(t->cells);
	memset(t, 0, sizeof *t);
}

void table_head(const char *text, size_t col, void *t_)
{
	struct table *t = t_;

	(void)col;
	t->head = xrealloc(t->head, (t->ncols + 1) * sizeof *t->head);
	t->flags = xrealloc(t->flags, (t->ncols + 1) * sizeof *t->flags);
	t->flags[t->ncols] = 0;
	t->head[t->ncols++] = xstrdup(text);
}

void table_cell(const char *text, size_t col, void *t)
{
	(void)col;
	table_add(t, text);
}

void table_records(struct table *t, enum schema_kind k,
    const msgpack_object *const *recs, size_t n)
{
	table_init(t, 0, NULL);
	rec_cells(k, recs, n, table_head, table_cell, t);
	for (size_t c = 0; c < t->ncols; c++)
		if (rec_field_numeric(k, t->head[c]) ||
		    !strncmp(t->head[c], "cohort_", 7) ||
		    !strncmp(t->head[c], "salary_", 7))
			t->flags[c] |= COL_NUM;
}

void table_add(struct table *t, const char *s)
{
	if (t->ncells == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->cells = xrealloc(t->cells, t->cap * sizeof *t->cells);
	}
	t->cells[t->ncells++] = xstrdup(s ? s : "");
}

void table_addf(struct table *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	table_add(t, buf);
}

void table_add_num(struct table *t, double d, int decimals)
{
	char buf[64];

	if (isnan(d))
		buf[0] = 0;
	else if (decimals < 0)
		csvio_double(buf, sizeof buf, d);
	else
		snprintf(buf, sizeof buf, "%.*f", decimals, d);
	table_add(t, buf);
}

void table_add_obj(struct table *t, const msgpack_object *o)
{
	char buf[SCHEMA_NAME_MAX + 1];

	if (!o || o->type == MSGPACK_OBJECT_NIL)
		table_add(t, "");
	else if (o->type == MSGPACK_OBJECT_STR)
		table_add(t, schema_str(o, buf, sizeof buf));
	else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		table_addf(t, "%llu", (unsigned long long)o->via.u64);
	else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		table_addf(t, "%lld", (long long)o->via.i64);
	else
		table_add_num(t, schema_num(o), -1);
}

/* A cell as shown in text: controls as spaces, cut to CELL_MAX columns. */
static char *display(const char *s)
{
	size_t n = strlen(s), w = 0, len, o = 0;
	char *out = xmalloc(n + 4);

	for (const unsigned char *p = (const unsigned char *)s; *p; p += len) {
		unsigned c = cp_at(p, &len);
		int cw = cp_width(c);
		if (c < 0x20) {
			c = ' ';
			cw = 1;
		}
		if (w + (size_t)cw > CELL_MAX - 1 && p[len]) {
			memcpy(out + o, "\xe2\x80\xa6", 3);    /* … */
			o += 3;
			break;
		}
		if (c == ' ' && len == 1)
			out[o++] = ' ';
		else {
			memcpy(out + o, p, len);
			o += len;
		}
		w += (size_t)cw;
	}
	out[o] = 0;
	return out;
}

static int numeric(const char *s)
{
	char *end;
	if (!*s || !strcmp(s, "-"))
		return -1;    /* neutral */
	strtod(s, &end);
	return *end == 0;
}

static void pad(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

/*
 * The text view of a table: a COL_ID column and the name after it are one
 * cell, "E1 某机床厂" (the id alone when the name is empty), under the
 * name's heading.  view[i] is the first table column of shown column i.
 */
static size_t text_view(const struct table *t, size_t *view)
{
	size_t n = 0;

	for (size_t c = 0; c < t->ncols; c++) {
		view[n++] = c;
		if ((t->flags[c] & COL_ID) && c + 1 < t->ncols)
			c++;
	}
	return n;
}

static char *text_cell(const struct table *t, size_t r, size_t c)
{
	const char *id = t->cells[r * t->ncols + c], *name;
	char *joined, *out;

	if (!(t->flags[c] & COL_ID) || c + 1 >= t->ncols)
		return display(id);
	name = t->cells[r * t->ncols + c + 1];
	joined = xmalloc(strlen(id) + strlen(name) + 2);
	sprintf(joined, "%s%s%s", id, *id && *name ? " " : "", name);
	out = display(joined);
	free(joined);
	return out;
}

/* A merged column's heading: the name's ("学校", "school"), but the id's
 * where the name's is only the id's with "_name" ("region"). */
static const char *merged_head(const struct table *t, size_t c)
{
	const char *h;
	size_t n;

	if (!(t->flags[c] & COL_ID) || c + 1 >= t->ncols)
		return t->head[c];
	h = t->head[c + 1];
	n = strlen(h);
	return n > 5 && !strcmp(h + n - 5, "_name") ? t->head[c] : h;
}

static void print_text(const struct table *t, FILE *f)
{
	size_t nrows = table_rows(t);
	size_t *view = xcalloc(t->ncols + 1, sizeof *view);
	size_t nv = text_view(t, view);
	size_t *w = xcalloc(nv + 1, sizeof *w);
	int *right = xcalloc(nv + 1, sizeof *right);
	char **shown = xcalloc(nrows * nv + 1, sizeof *shown);
	const char **head = xcalloc(nv + 1, sizeof *head);

	for (size_t v = 0; v < nv; v++) {
		size_t c = view[v];
		int any = 0, all = 1;
		head[v] = merged_head(t, c);
		w[v] = table_width(head[v]);
		for (size_t r = 0; r < nrows; r++) {
			char *s = shown[r * nv + v] = text_cell(t, r, c);
			size_t cw = table_width(s);
			int k = numeric(s);
			any |= k == 1;
			all &= k != 0;
			if (cw > w[v])
				w[v] = cw;
		}
		right[v] = (t->flags[c] & COL_NUM) || (any && all);
	}
	for (size_t r = 0; r <= nrows + 1; r++) {
		for (size_t v = 0; v < nv; v++) {
			const char *s = r == 0 ? head[v] : r == 1 ? NULL :
			    shown[(r - 2) * nv + v];
			size_t sw = s ? table_width(s) : w[v];
			int last = v + 1 == nv;
			if (v)
				fputs("  ", f);
			if (!s) {
				for (size_t i = 0; i < w[v]; i++)
					fputc('-', f);
				continue;
			}
			if (right[v])
				pad(f, w[v] - sw);
			fputs(s, f);
			if (!right[v] && !last)
				pad(f, w[v] - sw);
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < nrows * nv; i++)
		free(shown[i]);
	free(shown);
	free(head);
	free(view);
	free(w);
	free(right);
}

/*
 * One CSV cell: a number column's as it is, every other cell through the
 * formula guard (csvio_put_text), so that "=HYPERLINK(...)" opens in
 * Excel as text.
 */
static void csv_cell(FILE *f, const char *s, unsigned flags, int first)
{
	if (flags & COL_NUM)
		csvio_put(f, s, first);
	else
		csvio_put_text(f, s, first);
}

void table_print(const struct table *t, FILE *f, enum out_fmt fmt)
{
	if (fmt != OUT_CSV) {
		print_text(t, f);
		return;
	}
	for (size_t c = 0; c < t->ncols; c++)
		csv_cell(f, t->head[c], 0, c == 0);
	csvio_end(f);
	for (size_t i = 0; i < t->ncells; i++) {
		csv_cell(f, t->cells[i], t->flags[i % t->ncols], i % t->ncols == 0);
		if (i % t->ncols == t->ncols - 1)
			csvio_end(f);
	}
}
