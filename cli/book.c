/* book — a command's output as text, CSV or a workbook; see cli.h. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void book_init(struct book *b, const struct opts *o)
{
	memset(b, 0, sizeof *b);
	b->o = o;
	b->zh = cli_zh(o);
}

/* fmt's text with ap's arguments, in 1024 bytes at most, to free */
static char *vformat(const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof buf, fmt, ap);
	return xstrdup(buf);
}

void book_kv(struct book *b, const char *zh, const char *en, const char *fmt,
    ...)
{
	va_list ap;

	b->kv = xrealloc(b->kv, (b->nkv + 1) * sizeof *b->kv);
	b->kv[b->nkv].label = xstrdup(b->zh ? zh : en);
	va_start(ap, fmt);
	b->kv[b->nkv++].value = vformat(fmt, ap);
	va_end(ap);
}

void book_foot(struct book *b, const char *fmt, ...)
{
	va_list ap;

	b->foot = xrealloc(b->foot, (b->nfoot + 1) * sizeof *b->foot);
	va_start(ap, fmt);
	b->foot[b->nfoot++] = vformat(fmt, ap);
	va_end(ap);
}

struct table *book_table(struct book *b, unsigned where, const char *sheet,
    const char *title, const struct col *cols, size_t ncols)
{
	struct book_sect *s;

	b->sect = xrealloc(b->sect, (b->nsect + 1) * sizeof *b->sect);
	s = &b->sect[b->nsect++];
	memset(s, 0, sizeof *s);
	s->where = where;
	s->sheet = xstrdup(sheet ? sheet : "");
	s->title = xstrdup(title ? title : "");
	table_init_cols(&s->t, cols, ncols, b->zh);
	return &s->t;
}

struct table *book_adopt(struct book *b, unsigned where, const char *sheet,
    const char *title, struct table *t)
{
	struct table *own = book_table(b, where, sheet, title, NULL, 0);

	table_free(own);
	*own = *t;
	memset(t, 0, sizeof *t);
	return own;
}

void book_style(struct book *b, unsigned style)
{
	if (b->nsect)
		b->sect[b->nsect - 1].style = style;
}

static void write_text(const struct book *b, FILE *f)
{
	int gap = 0;

	for (size_t i = 0; i < b->nkv; i++)
		fprintf(f, "%s %s\n", b->kv[i].label, b->kv[i].value);
	gap = b->nkv > 0;
	for (size_t i = 0; i < b->nsect; i++) {
		const struct book_sect *s = &b->sect[i];
		if (!(s->where & BOOK_TEXT))
			continue;
		if (gap)
			fputc('\n', f);
		gap = 1;
		if (*s->title)
			fprintf(f, "%s\n", s->title);
		if (table_rows(&s->t) == 0 && *s->title)
			fputs(b->zh ? "（无）\n" : "(none)\n", f);
		else
			table_print(&s->t, f, OUT_TABLE);
	}
	if (b->nfoot && gap)
		fputc('\n', f);
	for (size_t i = 0; i < b->nfoot; i++)
		fprintf(f, "%s\n", b->foot[i]);
}

/* One section: the table alone; several: "# title" over each, and the
 * header lines as "# label value" at the top. */
static void write_csv(const struct book *b, FILE *f)
{
	size_t n = 0;
	int first = 1;

	for (size_t i = 0; i < b->nsect; i++)
		n += (b->sect[i].where & BOOK_CSV) != 0;
	if (n > 1)
		for (size_t i = 0; i < b->nkv; i++)
			fprintf(f, "# %s %s\r\n", b->kv[i].label, b->kv[i].value);
	for (size_t i = 0; i < b->nsect; i++) {
		const struct book_sect *s = &b->sect[i];
		if (!(s->where & BOOK_CSV))
			continue;
		if (n > 1) {
			if (!first || b->nkv)
				fputs("\r\n", f);
			fprintf(f, "# %s\r\n", s->title);
		}
		first = 0;
		table_print(&s->t, f, OUT_CSV);
	}
}

static int write_xlsx(const struct book *b)
{
	static const struct col kv_cols[] = {
		{ "item", NULL, 0 }, { "value", NULL, 0 },
	};
	struct xlsx *x = xlsx_open(b->o->xlsx);
	struct table sum;
	int rc = 0;

	if (!x)
		return EXIT_DATA;
	table_init_cols(&sum, kv_cols, 2, b->zh);
	for (size_t i = 0; i < b->nkv; i++) {
		table_add(&sum, b->kv[i].label);
		table_add(&sum, b->kv[i].value);
	}
	for (size_t i = 0; i < b->nfoot; i++) {
		table_add(&sum, "");
		table_add(&sum, b->foot[i]);
	}
	if (sum.ncells)
		rc |= xlsx_table(x, b->zh ? "概要" : "summary", &sum, 0);
	table_free(&sum);
	for (size_t i = 0; i < b->nsect; i++)
		if (b->sect[i].where & BOOK_XLSX)
			rc |= xlsx_table(x, b->sect[i].sheet, &b->sect[i].t,
			    b->sect[i].style);
	rc |= xlsx_close(x);
	if (rc)
		return EXIT_DATA;
	printf(b->zh ? "已写入 %s\n" : "wrote %s\n", b->o->xlsx);
	return 0;
}

int book_write(const struct book *b)
{
	const struct opts *o = b->o;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	int rc;

	if (o->fmt == OUT_XLSX)
		return write_xlsx(b);
	if (o->fmt == OUT_TABLE) {
		write_text(b, stdout);
		return 0;
	}
	/* CSV: whole, then converted and written at once */
	if (!(f = open_memstream(&buf, &n))) {
		cli_err("open_memstream: %s", strerror(errno));
		return EXIT_DATA;
	}
	write_csv(b, f);
	fclose(f);
	rc = csvio_save(NULL, buf, n, o->encoding, cli_bom(o)) < 0 ? EXIT_DATA : 0;
	free(buf);
	return rc;
}

void book_free(struct book *b)
{
	for (size_t i = 0; i < b->nkv; i++) {
		free(b->kv[i].label);
		free(b->kv[i].value);
	}
	for (size_t i = 0; i < b->nfoot; i++)
		free(b->foot[i]);
	for (size_t i = 0; i < b->nsect; i++) {
		free(b->sect[i].title);
		free(b->sect[i].sheet);
		table_free(&b->sect[i].t);
	}
	free(b->kv);
	free(b->foot);
	free(b->sect);
	memset(b, 0, sizeof *b);
}
