/* xlsx — Excel workbooks of tables, through libxlsxwriter; see cli.h. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* Widest a column is made, in Excel's character units (CJK counts 2). */
#define WIDTH_MAX 60
/* Excel's limits: bytes of a cell's text, rows of a sheet. */
#define STR_MAX 32767
#define ROWS_MAX (LXW_ROW_MAX - 1)

struct xlsx {
	lxw_workbook *wb;
	char *path;
	lxw_format *head, *dec2, *dec3, *form, *form_head;
	char **names;                /* sheet names taken */
	size_t nnames;
	int failed;
};

/*
 * Whether path can be written: said here, in the client's words, before
 * anything is computed into it (libxlsxwriter finds out only at the end).
 */
static int writable(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) :
	    xstrdup(".");
	struct stat st;
	int ok = 1;

	if (stat(path, &st) == 0 && (S_ISDIR(st.st_mode) || access(path, W_OK))) {
		cli_err("%s: %s", path, S_ISDIR(st.st_mode) ? "is a directory" :
		    strerror(errno));
		ok = 0;
	} else if (access(dir, W_OK) != 0) {
		cli_err("%s: cannot write in %s: %s", path, dir, strerror(errno));
		ok = 0;
	}
	free(dir);
	return ok;
}

struct xlsx *xlsx_open(const char *path)
{
	struct xlsx *x;
	/* constant memory: rows go to a temporary file as they are written,
	 * so a national table of a million students fits */
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE };

	if (!writable(path))
		return NULL;
	x = xcalloc(1, sizeof *x);
	x->path = xstrdup(path);
	x->wb = workbook_new_opt(path, &opt);
	if (!x->wb) {
		cli_err("%s: cannot start a workbook", path);
		free(x->path);
		free(x);
		return NULL;
	}
	x->head = workbook_add_format(x->wb);
	format_set_bold(x->head);
	format_set_bg_color(x->head, 0xDDEBF7);
	format_set_bottom(x->head, LXW_BORDER_THIN);
	format_set_text_wrap(x->head);
	format_set_align(x->head, LXW_ALIGN_VERTICAL_CENTER);
	x->dec2 = workbook_add_format(x->wb);
	format_set_num_format(x->dec2, "0.00");
	x->dec3 = workbook_add_format(x->wb);
	format_set_num_format(x->dec3, "0.000");
	x->form = workbook_add_format(x->wb);
	format_set_border(x->form, LXW_BORDER_THIN);
	format_set_align(x->form, LXW_ALIGN_VERTICAL_CENTER);
	x->form_head = workbook_add_format(x->wb);
	format_set_bold(x->form_head);
	format_set_border(x->form_head, LXW_BORDER_THIN);
	format_set_bg_color(x->form_head, 0xDDEBF7);
	format_set_align(x->form_head, LXW_ALIGN_CENTER);
	return x;
}

/* Bytes of s that fit in max bytes, cut at a character boundary. */
static size_t utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/*
 * A sheet name Excel takes: none of []:*?/\, at most 31 characters, not
 * empty, not already used (Excel compares names without case).
 */
static char *sheet_name(struct xlsx *x, const char *want, unsigned part)
{
	char base[LXW_SHEETNAME_MAX * 4 + 1], name[sizeof base + 16];
	size_t n = 0, chars = 0;

	for (const char *p = want && *want ? want : "Sheet"; *p &&
	    chars < LXW_SHEETNAME_MAX - 5; chars++) {
		size_t len = 1;
		while (((unsigned char)p[len] & 0xc0) == 0x80)
			len++;
		if (len == 1 && strchr("[]:*?/\\'", *p))
			base[n++] = '_';
		else {
			memcpy(base + n, p, len);
			n += len;
		}
		p += len;
	}
	base[n] = 0;
	for (unsigned k = part; ; k++) {
		int taken = 0;
		if (k <= 1)
			snprintf(name, sizeof name, "%s", base);
		else
			snprintf(name, sizeof name, "%s (%u)", base, k);
		for (size_t i = 0; i < x->nnames && !taken; i++)
			taken = !strcasecmp(x->names[i], name);
		if (!taken)
			break;
	}
	x->names = xrealloc(x->names, (x->nnames + 1) * sizeof *x->names);
	x->names[x->nnames++] = xstrdup(name);
	return x->names[x->nnames - 1];
}

/* A cell of a number column that reads whole as a finite number. */
static int as_number(const char *s, double *d)
{
	char *end;

	if (!*s)
		return 0;
	*d = strtod(s, &end);
	return !*end && isfinite(*d);
}

static void cell(struct xlsx *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
    const char *s, unsigned flags, int form)
{
	double d;
	lxw_format *fmt = form ? x->form : NULL;
	lxw_error e;

	if ((flags & COL_NUM) && as_number(s, &d)) {
		if (!form)
			fmt = flags & COL_DEC3 ? x->dec3 : flags & COL_DEC2 ? x->dec2 :
			    NULL;
		e = worksheet_write_number(ws, r, c, d, fmt);
	} else if (!*s) {
		e = form ? worksheet_write_blank(ws, r, c, fmt) : LXW_NO_ERROR;
	} else {
		size_t n = utf8_cut(s, STR_MAX);
		if (n < strlen(s)) {
			char *cut = xstrndup(s, n);
			e = worksheet_write_string(ws, r, c, cut, fmt);
			free(cut);
		} else {
			e = worksheet_write_string(ws, r, c, s, fmt);
		}
	}
	if (e != LXW_NO_ERROR && !x->failed) {
		cli_err("%s: %s", x->path, lxw_strerror(e));
		x->failed = 1;
	}
}

int xlsx_table(struct xlsx *x, const char *sheet, const struct table *t,
    unsigned style)
{
	size_t nrows = table_rows(t), done = 0;
	int form = (style & XLSX_FORM) != 0;
	unsigned part = 1;

	do {
		lxw_worksheet *ws = workbook_add_worksheet(x->wb,
		    sheet_name(x, sheet, part++));
		size_t upto = nrows - done > ROWS_MAX ? done + ROWS_MAX : nrows;
		if (!ws) {
			cli_err("%s: cannot add sheet %s", x->path, sheet);
			x->failed = 1;
			return -1;
		}
		for (size_t c = 0; c < t->ncols; c++) {
			size_t w = table_width(t->head[c]);
			for (size_t r = done; r < upto && r < done + 2000; r++) {
				const char *s = t->cells[r * t->ncols + c];
				size_t cw = strchr(s, '\n') ? WIDTH_MAX : table_width(s);
				if (cw > w)
					w = cw;
			}
			if (t->flags[c] & (COL_DEC2 | COL_DEC3))
				w = w < 8 ? 8 : w;
			if (form && !table_rows(t))
				w = w < 16 ? 16 : w;
			/* a CJK glyph is a little wider than two Latin ones */
			double width = (double)w * 1.1 + 2;
			worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
			    width > WIDTH_MAX ? WIDTH_MAX : width, NULL);
			worksheet_write_string(ws, 0, (lxw_col_t)c, t->head[c],
			    form ? x->form_head : x->head);
		}
		for (size_t r = done; r < upto; r++) {
			if (form)
				worksheet_set_row(ws, (lxw_row_t)(r - done + 1), 28, NULL);
			for (size_t c = 0; c < t->ncols; c++)
				cell(x, ws, (lxw_row_t)(r - done + 1), (lxw_col_t)c,
				    t->cells[r * t->ncols + c], t->flags[c], form);
		}
		worksheet_freeze_panes(ws, 1, 0);
		if (t->ncols && !form)
			worksheet_autofilter(ws, 0, 0, (lxw_row_t)(upto - done),
			    (lxw_col_t)(t->ncols - 1));
		/* printed: the heading on every page, one page wide */
		worksheet_repeat_rows(ws, 0, 0);
		if (t->ncols > 6)
			worksheet_set_landscape(ws);
		worksheet_fit_to_pages(ws, 1, 0);
		done = upto;
	} while (done < nrows);
	return x->failed ? -1 : 0;
}

int xlsx_close(struct xlsx *x)
{
	lxw_error e = workbook_close(x->wb);
	int rc = x->failed ? -1 : 0;

	if (e != LXW_NO_ERROR && !x->failed) {
		cli_err("%s: %s", x->path, lxw_strerror(e));
		rc = -1;
	}
	for (size_t i = 0; i < x->nnames; i++)
		free(x->names[i]);
	free(x->names);
	free(x->path);
	free(x);
	return rc;
}
