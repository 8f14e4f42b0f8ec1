/* csvio — CSV files in and out; see csvio.h. */
#include "csvio.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "xalloc.h"

/* Read a whole file; NULL after a message. */
static char *slurp(const char *path, const char *name, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f) {
		csvio_err("%s: %s", name, strerror(errno));
		return NULL;
	}
	do {
		if (cap - n < 65536) {
			cap = cap ? 2 * cap : 1 << 16;
			buf = xrealloc(buf, cap + 1);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	if (ferror(f)) {
		csvio_err("%s: %s", name, strerror(errno));
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Line number (1-based) of byte off: what a text editor shows. */
static size_t line_of(const char *s, size_t off)
{
	size_t line = 1;
	for (size_t i = 0; i < off; i++)
		line += s[i] == '\n';
	return line;
}

/* Length of the longest valid UTF-8 prefix of s[0..n). */
static size_t utf8_prefix(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 :
		    c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
		if (k == 0 || i + k > n)
			return i;
		if (!proto_utf8_valid(s + i, k))
			return i;
		i += k;
	}
	return n;
}

/* GB18030 to UTF-8 with glibc iconv; NULL after a message. */
static char *from_gb18030(const char *in, size_t n, const char *name,
    size_t *outlen)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	size_t cap = 2 * n + 16, left = cap, inleft = n;
	char *out, *op, *ip = (char *)in;

	if (cd == (iconv_t)-1) {
		csvio_err("%s: iconv has no GB18030: %s", name, strerror(errno));
		return NULL;
	}
	out = op = xmalloc(cap + 1);
	if (iconv(cd, &ip, &inleft, &op, &left) == (size_t)-1) {
		size_t off = (size_t)(ip - in);
		csvio_err("%s: line %zu (byte %zu) is neither UTF-8 nor GB18030",
		    name, line_of(in, off), off + 1);
		iconv_close(cd);
		free(out);
		return NULL;
	}
	iconv_close(cd);
	*outlen = (size_t)(op - out);
	return out;
}

/* The file's bytes as UTF-8, without a BOM; NULL after a message. */
static char *decode(char *raw, size_t n, const char *enc, const char *name,
    size_t *outlen)
{
	int bom = n >= 3 && !memcmp(raw, "\xef\xbb\xbf", 3);
	int utf8;

	if (enc && strcmp(enc, "utf-8") && strcmp(enc, "gb18030")) {
		csvio_err("--encoding must be utf-8 or gb18030");
		return NULL;
	}
	if (enc)
		utf8 = !strcmp(enc, "utf-8");
	else
		utf8 = bom || proto_utf8_valid(raw, n);
	if (!utf8) {
		if (n >= 4 && !memcmp(raw, "\x84\x31\x95\x33", 4))
			return from_gb18030(raw + 4, n - 4, name, outlen);
		return from_gb18030(raw, n, name, outlen);
	}
	if (bom) {
		memmove(raw, raw + 3, n - 3);
		n -= 3;
	}
	size_t ok = utf8_prefix(raw, n);
	if (ok < n) {
		csvio_err("%s: line %zu (byte %zu) is not valid UTF-8", name,
		    line_of(raw, ok), ok + 1 + 3 * bom);
		return NULL;
	}
	*outlen = n;
	return raw;
}

/* ---------------------------------------------------------------- parse */

struct parse {
	struct csvio_table *t;
	size_t lines;        /* rows ended so far, blank ones included */
	size_t fields;       /* fields of the row being read */
	int last;            /* the character that ended the last row */
};

static void text_add(struct csvio_table *t, const char *s, size_t n)
{
	if (t->textcap - t->textlen < n + 1) {
		t->textcap = (t->textcap + n + 1) * 2;
		t->text = xrealloc(t->text, t->textcap);
	}
	if (n)
		memcpy(t->text + t->textlen, s, n);
	t->text[t->textlen + n] = 0;
	t->textlen += n + 1;
}

static void on_field(void *s, size_t n, void *data)
{
	struct parse *p = data;
	struct csvio_table *t = p->t;

	if (p->fields == 0) {
		if (t->nrows == t->rowcap) {
			t->rowcap = t->rowcap ? 2 * t->rowcap : 256;
			t->rows = xrealloc(t->rows, t->rowcap * sizeof *t->rows);
		}
		t->rows[t->nrows] = (struct csvio_row){ p->lines + 1, t->ncell, 0 };
	}
	if (t->ncell == t->cellcap) {
		t->cellcap = t->cellcap ? 2 * t->cellcap : 1024;
		t->cell = xrealloc(t->cell, t->cellcap * sizeof *t->cell);
	}
	t->cell[t->ncell++] = t->textlen;
	text_add(t, s ? s : "", s ? n : 0);
	p->fields++;
}

static void on_row(int c, void *data)
{
	struct parse *p = data;
	struct csvio_table *t = p->t;

	if (p->fields) {
		struct csvio_row *r = &t->rows[t->nrows];
		int blank = 1;
		r->n = p->fields;
		for (size_t i = 0; i < r->n; i++)
			blank &= t->text[t->cell[r->first + i]] == 0;
		if (!blank)
			t->nrows++;
		else
			t->ncell = r->first;
	} else if (c == '\n' && p->last == '\r') {
		p->last = c;     /* the LF of a CRLF */
		return;
	}
	p->fields = 0;
	p->last = c;
	p->lines++;
}

int csvio_read(const char *path, const char *name, const char *enc,
    struct csvio_table *t)
{
	struct csv_parser cp;
	struct parse p = { t, 0, 0, 0 };
	size_t rawn, n;
	char *raw = slurp(path, name, &rawn), *s = NULL;
	int rc = -1;

	memset(t, 0, sizeof *t);
	if (!raw)
		return -1;
	if (!(s = decode(raw, rawn, enc, name, &n)))
		goto out;
	if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL |
	    CSV_EMPTY_IS_NULL) != 0) {
		csvio_err("out of memory");
		goto out;
	}
	size_t done = csv_parse(&cp, s, n, on_field, on_row, &p);
	if (done < n || csv_fini(&cp, on_field, on_row, &p) != 0) {
		csvio_err("%s row %zu: malformed CSV: %s", name, p.lines + 1,
		    done < n ? "a quote inside an unquoted cell, or text after a "
		    "closing quote" : "a quoted cell is not closed");
		csv_free(&cp);
		goto out;
	}
	csv_free(&cp);
	if (t->nrows == 0) {
		csvio_err("%s: empty file (a header row is needed)", name);
		goto out;
	}
	rc = 0;
out:
	if (s && s != raw)
		free(s);
	free(raw);
	if (rc)
		csvio_free(t);
	return rc;
}

void csvio_free(struct csvio_table *t)
{
	free(t->text);
	free(t->cell);
	free(t->rows);
	memset(t, 0, sizeof *t);
}

const char *csvio_cell(const struct csvio_table *t, size_t r, size_t col)
{
	const struct csvio_row *row = &t->rows[r];
	return col < row->n ? t->text + t->cell[row->first + col] : "";
}

/* ---------------------------------------------------------------- write */

void csvio_put(FILE *f, const char *s, int first)
{
	size_t n = strlen(s);
	int quote = n && (strpbrk(s, ",\"\r\n") || s[0] == ' ' ||
	    s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');

	if (!first)
		fputc(',', f);
	if (!quote) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void csvio_end(FILE *f)
{
	fputs("\r\n", f);
}

int csvio_save(const char *path, const char *buf, size_t n, const char *enc,
    int bom)
{
	FILE *f = path ? fopen(path, "wb") : stdout;
	char *conv = NULL;
	int rc = 0;

	if (enc && strcmp(enc, "utf-8") && strcmp(enc, "gb18030")) {
		csvio_err("--encoding must be utf-8 or gb18030");
		if (path && f)
			fclose(f);
		return -1;
	}
	if (!f) {
		csvio_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (enc && !strcmp(enc, "gb18030")) {
		iconv_t cd = iconv_open("GB18030", "UTF-8");
		size_t cap = 2 * n + 16, left = cap, inleft = n;
		char *ip = (char *)buf, *op;
		if (cd == (iconv_t)-1) {
			csvio_err("iconv has no GB18030: %s", strerror(errno));
			rc = -1;
			goto out;
		}
		conv = op = xmalloc(cap);
		if (iconv(cd, &ip, &inleft, &op, &left) == (size_t)-1) {
			csvio_err("cannot convert to GB18030: %s", strerror(errno));
			rc = -1;
		}
		iconv_close(cd);
		buf = conv;
		n = (size_t)(op - conv);
	} else if (bom) {
		fputs("\xef\xbb\xbf", f);
	}
	if (rc == 0 && (fwrite(buf, 1, n, f) != n || fflush(f) != 0)) {
		csvio_err("%s: %s", path ? path : "stdout", strerror(errno));
		rc = -1;
	}
out:
	free(conv);
	if (path && fclose(f) != 0 && rc == 0) {
		csvio_err("%s: %s", path, strerror(errno));
		rc = -1;
	}
	return rc;
}

static void say_stderr(const char *msg)
{
	fprintf(stderr, "chanjiao: %s\n", msg);
}

void (*csvio_say)(const char *msg) = say_stderr;

void csvio_err(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	csvio_say(msg);
}

void csvio_double(char *buf, size_t cap, double d)
{
	if (!isfinite(d)) {
		snprintf(buf, cap, "null");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, cap, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}
