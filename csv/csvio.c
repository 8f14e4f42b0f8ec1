/* csvio — CSV files in and out; see csvio.h. */
#include "csvio.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <uchardet/uchardet.h>

#include "proto.h"
#include "xalloc.h"

const char *const csvio_enc_name[] = {
	"UTF-8", "GB18030", "UTF-16LE", "UTF-16BE",
};

/* Where a refused file is told how to save it again. */
#define RESAVE "in Excel: 另存为 (Save As) → CSV UTF-8 (逗号分隔)(*.csv)"

/* ------------------------------------------------------------- strings */

void csvio_buf_add(struct csvio_buf *b, const char *s, size_t n)
{
	if (b->cap - b->n < n + 1) {
		b->cap = (b->cap + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void sb_byte(struct csvio_buf *b, unsigned char c)
{
	char esc[5];
	snprintf(esc, sizeof esc, "\\x%02X", c);
	csvio_buf_add(b, esc, 4);
}

/* Length of the valid UTF-8 sequence at s[i], 0 when none starts there. */
static size_t u8_seq(const char *s, size_t n, size_t i)
{
	unsigned char c = (unsigned char)s[i];
	size_t k = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 :
	    c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;

	if (k == 0 || i + k > n || (k > 1 && !proto_utf8_valid(s + i, k)))
		return 0;
	return k;
}

/* UTF-8 text with the bytes that are none (and NUL) as \xNN. */
static void sb_shown(struct csvio_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = u8_seq(s, n, i);
		if (k == 0 || s[i] == 0) {
			sb_byte(b, (unsigned char)s[i++]);
			continue;
		}
		csvio_buf_add(b, s + i, k);
		i += k;
	}
	if (!b->p)
		csvio_buf_add(b, "", 0);
}

/* s cut to fit cap (at a character boundary, with "…" when cut). */
static void clip(const char *s, char *buf, size_t cap)
{
	size_t n = strlen(s);

	if (n < cap) {
		memmove(buf, s, n + 1);
		return;
	}
	n = cap - 4;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memmove(buf, s, n);
	memcpy(buf + n, "\xe2\x80\xa6", 4);     /* … and the NUL */
}

/* ------------------------------------------------------------ problems */

void csvio_report_init(struct csvio_report *r, int strict)
{
	memset(r, 0, sizeof *r);
	r->strict = strict;
}

void csvio_report_free(struct csvio_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].file);
		free(r->v[i].column);
		free(r->v[i].value);
		free(r->v[i].message);
	}
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].file);
	free(r->v);
	free(r->files);
	memset(r, 0, sizeof *r);
}

static struct csvio_tally *tally_of(struct csvio_report *r, const char *file)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (!strcmp(r->files[i].file, file))
			return &r->files[i];
	r->files = xrealloc(r->files, (r->nfiles + 1) * sizeof *r->files);
	r->files[r->nfiles] = (struct csvio_tally){ xstrdup(file), 0, 0 };
	return &r->files[r->nfiles++];
}

void csvio_problem(struct csvio_report *r, int warning, const char *file,
    size_t row, const char *column, const char *value, const char *fmt, ...)
{
	char msg[2048], val[256], col[256];
	struct csvio_tally *t;
	va_list ap;

	if (warning && r->strict) {
		warning = 0;
		r->strict_errors++;
	}
	t = tally_of(r, file ? file : "");
	if (warning) {
		r->warnings++;
		if (++t->warnings > CSVIO_KEEP)
			return;
	} else {
		r->errors++;
		if (++t->errors > CSVIO_KEEP)
			return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (strlen(msg) == sizeof msg - 1)
		clip(msg, msg, sizeof msg - 8);  /* a character vsnprintf cut */
	clip(value ? value : "", val, sizeof val);
	clip(column ? column : "", col, sizeof col);
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 32;
		r->v = xrealloc(r->v, r->cap * sizeof *r->v);
	}
	r->v[r->n++] = (struct csvio_problem){ xstrdup(file ? file : ""), row,
	    xstrdup(col), xstrdup(val), xstrdup(msg), warning };
}

int csvio_report_failed(const struct csvio_report *r)
{
	return r->errors > 0;
}

void csvio_problem_line(const struct csvio_problem *p, char *buf, size_t cap)
{
	if (p->row == 0)
		snprintf(buf, cap, "%s: %s", p->file, p->message);
	else if (!*p->column)
		snprintf(buf, cap, "%s row %zu: %s", p->file, p->row, p->message);
	else if (!strncmp(p->column, "column ", 7) &&
	    strspn(p->column + 7, "0123456789") == strlen(p->column + 7))
		snprintf(buf, cap, "%s row %zu %s: %s", p->file, p->row, p->column,
		    p->message);      /* a column without a name: "column 5" */
	else
		snprintf(buf, cap, "%s row %zu column %s: %s", p->file, p->row,
		    p->column, p->message);
}

void csvio_report_say(const struct csvio_report *r)
{
	char line[3072];

	for (size_t i = 0; i < r->n; i++) {
		csvio_problem_line(&r->v[i], line, sizeof line);
		csvio_err("%s%s", r->v[i].warning ? "warning: " : "", line);
	}
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct csvio_tally *t = &r->files[i];
		if (t->errors > CSVIO_KEEP)
			csvio_err("%s: \xe2\x80\xa6 and %zu more errors", t->file,
			    t->errors - CSVIO_KEEP);
		if (t->warnings > CSVIO_KEEP)
			csvio_err("warning: %s: \xe2\x80\xa6 and %zu more warnings",
			    t->file, t->warnings - CSVIO_KEEP);
	}
}

/* ---------------------------------------------------------- file bytes */

char *csvio_slurp(const char *path, const char *name, size_t *len,
    struct csvio_report *r)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!f) {
		csvio_problem(r, 0, name, 0, NULL, NULL, "%s", strerror(errno));
		return NULL;
	}
	do {
		if (cap - n < 65536) {
			cap = cap ? 2 * cap : 1 << 16;
			buf = xrealloc(buf, cap + 1);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		csvio_problem(r, 0, name, 0, NULL, NULL, "%s", strerror(errno));
		free(buf);
		buf = NULL;
	} else {
		buf[n] = 0;
		*len = n;
	}
	fclose(f);
	return buf;
}

/* ------------------------------------------------------ locating bytes */

/*
 * A cell of a file's bytes: its row (the header is 1; a row ends at CR,
 * LF or CRLF outside quotes, so rows count as the parser counts them) and
 * column (0-based), and its bytes [start, end), quotes included.  Works on
 * the raw bytes of UTF-8 and GB18030, whose quotes, separators and line
 * ends are ASCII and never part of a character.
 */
struct cellpos {
	size_t row, col, start, end;
};

/* Call fn for every cell in order until it returns non-zero. */
static void scan_cells(const char *s, size_t n, char sep,
    int (*fn)(const struct cellpos *, void *), void *ctx)
{
	size_t row = 1, col = 0, start = 0;
	int inq = 0;
	char prev = 0;

	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? s[i] : 0;
		if (i < n && (inq || c == '"')) {
			if (c == '"')
				inq = !inq;      /* "" inside a quoted cell: twice */
			prev = c;
			continue;
		}
		int eor = i == n || c == '\r' || c == '\n';
		if (!eor && c != sep) {
			prev = c;
			continue;
		}
		if (c == '\n' && prev == '\r' && start == i) {
			start = i + 1;       /* the LF of a CRLF */
			prev = c;
			continue;
		}
		struct cellpos p = { row, col, start, i };
		if (fn(&p, ctx) || i == n)
			return;
		if (c == sep) {
			col++;
		} else {
			row++;
			col = 0;
		}
		start = i + 1;
		prev = c;
	}
}

/*
 * Text of raw bytes in encoding enc for messages: what converts, and
 * \xNN for each byte that does not.
 */
static void sb_lossy(struct csvio_buf *b, int enc, const char *s, size_t n)
{
	iconv_t cd;

	if (enc != CSVIO_GB18030) {
		sb_shown(b, s, n);
		return;
	}
	cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1) {
		sb_shown(b, s, n);
		return;
	}
	char *ip = (char *)s;
	size_t left = n;
	while (left > 0) {
		char out[1024], *op = out;
		size_t room = sizeof out;
		size_t rc = iconv(cd, &ip, &left, &op, &room);
		csvio_buf_add(b, out, (size_t)(op - out));
		if (rc == (size_t)-1 && errno != E2BIG) {
			sb_byte(b, (unsigned char)*ip);
			ip++;
			left--;
			iconv(cd, NULL, NULL, NULL, NULL);
		}
	}
	iconv_close(cd);
	if (!b->p)
		csvio_buf_add(b, "", 0);
}

/* A cell's text for messages: unquoted, in encoding enc, lossy. */
static char *cell_text(const char *s, const struct cellpos *p, int enc)
{
	struct csvio_buf raw = { 0 }, out = { 0 };
	size_t a = p->start, e = p->end;

	if (e > a && s[a] == '"') {
		a++;
		if (e > a && s[e - 1] == '"')
			e--;
		for (size_t i = a; i < e; i++) {
			csvio_buf_add(&raw, s + i, 1);
			if (s[i] == '"' && i + 1 < e && s[i + 1] == '"')
				i++;
		}
	} else {
		csvio_buf_add(&raw, s + a, e - a);
	}
	sb_lossy(&out, enc, raw.p ? raw.p : "", raw.n);
	free(raw.p);
	return out.p;
}

/*
 * Name the cells that hold the bytes at offsets bad[] (sorted) of a
 * file in encoding enc: one problem per cell, its header as the column,
 * why(bytes) as the message.
 */
struct locate {
	const char *s;
	int enc;
	const size_t *bad;
	size_t nbad, k;
	char **head;
	size_t nhead;
	const char *name;
	int gb;                      /* the bytes are not GB18030 (else UTF-8) */
	const char *cs;              /* libuchardet's guess, for gb */
	struct csvio_report *r;
	size_t cells;                /* cells named */
};

static int locate_cell(const struct cellpos *p, void *ctx)
{
	struct locate *l = ctx;
	char col[32], bytes[64] = "";
	const char *column = col;

	if (p->row == 1) {
		l->head = xrealloc(l->head, (l->nhead + 1) * sizeof *l->head);
		l->head[l->nhead++] = cell_text(l->s, p, l->enc);
	}
	if (l->k >= l->nbad)
		return 1;
	if (l->bad[l->k] >= p->end)
		return 0;
	for (size_t shown = 0; l->k < l->nbad && l->bad[l->k] < p->end; l->k++)
		if (shown++ < 8) {
			size_t len = strlen(bytes);
			snprintf(bytes + len, sizeof bytes - len, "\\x%02X",
			    (unsigned char)l->s[l->bad[l->k]]);
		}
	snprintf(col, sizeof col, "column %zu", p->col + 1);
	if (p->row > 1 && p->col < l->nhead && *l->head[p->col] &&
	    !strstr(l->head[p->col], "\\x"))
		column = l->head[p->col];
	char *value = cell_text(l->s, p, l->enc);
	char shown[128];
	clip(value, shown, sizeof shown);
	if (!l->gb)
		csvio_problem(l->r, 0, l->name, p->row, column, value, "the cell %s "
		    "holds %s, which is not valid UTF-8: retype the cell", shown,
		    bytes);
	else
		csvio_problem(l->r, 0, l->name, p->row, column, value, "the cell %s "
		    "holds %s, which is neither UTF-8 nor GB18030%s%s%s: save the "
		    "file again as CSV UTF-8 (%s)", shown, bytes,
		    *l->cs ? " (libuchardet guesses " : "", l->cs,
		    *l->cs ? ")" : "", RESAVE);
	free(value);
	l->cells++;
	return 0;
}

static size_t locate_bytes(const char *s, size_t n, int enc, const size_t *bad,
    size_t nbad, const char *name, const char *cs, struct csvio_report *r)
{
	struct locate l = { s, enc, bad, nbad, 0, NULL, 0, name,
	    enc == CSVIO_GB18030, cs, r, 0 };

	scan_cells(s, n, ',', locate_cell, &l);
	for (size_t i = 0; i < l.nhead; i++)
		free(l.head[i]);
	free(l.head);
	return l.cells;
}

/* ------------------------------------------------------------ encodings */

/* Valid multi-byte UTF-8 sequences and the bytes that start none. */
static void u8_count(const char *s, size_t n, size_t *multi, size_t *bad,
    size_t **at, size_t *nat)
{
	size_t cap = 0;

	*multi = *bad = 0;
	if (at)
		*at = NULL, *nat = 0;
	for (size_t i = 0; i < n;) {
		size_t k = u8_seq(s, n, i);
		if (k == 0) {
			if (at) {
				if (*nat == cap) {
					cap = cap ? 2 * cap : 64;
					*at = xrealloc(*at, cap * sizeof **at);
				}
				(*at)[(*nat)++] = i;
			}
			(*bad)++;
			i++;
			continue;
		}
		*multi += k > 1;
		i += k;
	}
}

/*
 * Double-byte characters of s read as GB18030, and how many of them are
 * GB2312's level-1 hanzi (B0A1..D7F9, the 3,755 most used) or its
 * punctuation and full-width forms (A1A1..A3FE).
 */
static void gb_count(const unsigned char *s, size_t n, size_t *chars,
    size_t *common)
{
	*chars = *common = 0;
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], t = i + 1 < n ? s[i + 1] : 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		(*chars)++;
		if (t >= 0x30 && t <= 0x39) {          /* four bytes */
			i += 4;
			continue;
		}
		unsigned code = c << 8 | t;
		if ((code >= 0xb0a1 && code <= 0xd7f9 && t >= 0xa1) ||
		    (c >= 0xa1 && c <= 0xa3 && t >= 0xa1 && t <= 0xfe))
			(*common)++;
		i += 2;
	}
}

/*
 * Whether s is Big5 by its structure (every byte over 0x7F a lead
 * A1..F9 with a trail 40..7E or A1..FE), with its characters and how
 * many are Big5's level-1 hanzi (A440..C67E, the 5,401 most used) or
 * its symbols (A140..A3BF).
 */
static int big5_count(const unsigned char *s, size_t n, size_t *chars,
    size_t *common)
{
	*chars = *common = 0;
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], t = i + 1 < n ? s[i + 1] : 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c < 0xa1 || c > 0xf9 || !((t >= 0x40 && t <= 0x7e) ||
		    (t >= 0xa1 && t <= 0xfe)))
			return 0;
		unsigned code = c << 8 | t;
		(*chars)++;
		if ((code >= 0xa440 && code <= 0xc67e) ||
		    (code >= 0xa140 && code <= 0xa3bf))
			(*common)++;
		i += 2;
	}
	return 1;
}

/*
 * Convert n bytes of `from` to UTF-8: a new NUL-terminated buffer, or
 * NULL with *bad the offset of the first byte that does not convert.
 */
static char *convert(const char *from, const char *in, size_t n,
    size_t *outlen, size_t *bad)
{
	iconv_t cd = iconv_open("UTF-8", from);
	size_t cap = 2 * n + 16, inleft = n, left;
	char *out, *op, *ip = (char *)in;

	if (cd == (iconv_t)-1) {
		*bad = 0;
		return NULL;
	}
	out = op = xmalloc(cap + 1);
	left = cap;
	while (inleft > 0) {
		if (iconv(cd, &ip, &inleft, &op, &left) != (size_t)-1)
			break;
		if (errno != E2BIG) {
			*bad = (size_t)(ip - in);
			iconv_close(cd);
			free(out);
			return NULL;
		}
		size_t used = (size_t)(op - out);
		cap *= 2;
		out = xrealloc(out, cap + 1);
		op = out + used;
		left = cap - used;
	}
	iconv_close(cd);
	*outlen = (size_t)(op - out);
	out[*outlen] = 0;
	return out;
}

/* libuchardet's name for the encoding of s ("" when it has none). */
static void guess(const char *s, size_t n, char *buf, size_t cap)
{
	uchardet_t ud = uchardet_new();

	buf[0] = 0;
	if (!ud)
		return;
	if (uchardet_handle_data(ud, s, n) == 0) {
		uchardet_data_end(ud);
		snprintf(buf, cap, "%s", uchardet_get_charset(ud));
	}
	uchardet_delete(ud);
}

/* The encodings libuchardet names that are refused, and what they are. */
static const char *other_cjk(const char *cs)
{
	static const char *const names[][2] = {
		{ "BIG5", "Big5 (traditional Chinese)" },
		{ "EUC-TW", "EUC-TW (traditional Chinese)" },
		{ "SHIFT_JIS", "Shift_JIS (Japanese)" },
		{ "EUC-JP", "EUC-JP (Japanese)" },
		{ "ISO-2022-JP", "ISO-2022-JP (Japanese)" },
		{ "EUC-KR", "EUC-KR (Korean)" },
		{ "UHC", "UHC (Korean)" },
		{ "ISO-2022-KR", "ISO-2022-KR (Korean)" },
		{ "JOHAB", "Johab (Korean)" },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(cs, names[i][0]))
			return names[i][1];
	return NULL;
}

/* Whether NULs fill one byte in two, as in UTF-16 text without a BOM. */
static int looks_utf16(const char *s, size_t n)
{
	size_t nul[2] = { 0, 0 };

	for (size_t i = 0; i < n; i++)
		nul[i & 1] += s[i] == 0;
	return n >= 4 && (nul[0] * 4 > n / 2 || nul[1] * 4 > n / 2);
}

/*
 * The file is UTF-8 but for the bytes bad[]: name their cells, then the
 * file.  `whole`: how to say what the rest of the file is.
 */
static void report_stray(const char *s, size_t n, const size_t *bad,
    size_t nbad, const char *name, const char *whole, struct csvio_report *r)
{
	size_t cells = locate_bytes(s, n, CSVIO_UTF8, bad, nbad, name, "", r);
	csvio_problem(r, 0, name, 0, NULL, NULL, "%s but for %zu byte%s in "
	    "%zu cell%s (above): nothing is imported, and the file is not read "
	    "as GB18030, which would garble every Chinese character; retype "
	    "those cells, or save the file again as CSV UTF-8 (%s)", whole,
	    nbad, nbad == 1 ? "" : "s", cells, cells == 1 ? "" : "s", RESAVE);
}

/* The cell of byte off of a GB18030 file that does not convert. */
static void report_not_gb(const char *s, size_t n, size_t off,
    const char *name, const char *cs, struct csvio_report *r)
{
	size_t end = off + 1, at[4];

	while (end < n && end < off + 4 && (unsigned char)s[end] >= 0x80)
		end++;
	for (size_t i = off; i < end; i++)
		at[i - off] = i;
	if (locate_bytes(s, n, CSVIO_GB18030, at, end - off, name, cs, r) == 0)
		csvio_problem(r, 0, name, 0, NULL, NULL, "neither UTF-8 nor "
		    "GB18030: save the file again as CSV UTF-8 (%s)", RESAVE);
}

/*
 * Cells of a GB18030 file that are UTF-8 text pasted in: valid UTF-8 with
 * multi-byte characters, and read as GB18030 mostly rare characters
 * ("金华" in UTF-8 reads 閲戝崕).  Each is a problem; returns how many.
 */
struct u8cells {
	const char *s;
	const char *name;
	char **head;
	size_t nhead, found;
	struct csvio_report *r;
};

static int utf8_cell(const struct cellpos *p, void *ctx)
{
	struct u8cells *u = ctx;
	const char *c = u->s + p->start;
	size_t n = p->end - p->start, multi, bad, ch, common;
	char col[32], shown[128];
	const char *column = col;

	if (p->row == 1) {
		u->head = xrealloc(u->head, (u->nhead + 1) * sizeof *u->head);
		u->head[u->nhead++] = cell_text(u->s, p, CSVIO_GB18030);
	}
	u8_count(c, n, &multi, &bad, NULL, NULL);
	if (multi == 0 || bad)
		return 0;
	gb_count((const unsigned char *)c, n, &ch, &common);
	if (2 * common >= ch)
		return 0;
	snprintf(col, sizeof col, "column %zu", p->col + 1);
	if (p->row > 1 && p->col < u->nhead && *u->head[p->col])
		column = u->head[p->col];
	char *utf8 = cell_text(u->s, p, CSVIO_UTF8);
	char *gb = cell_text(u->s, p, CSVIO_GB18030);
	clip(gb, shown, sizeof shown);
	csvio_problem(u->r, 0, u->name, p->row, column, gb, "the cell %s is "
	    "UTF-8 text (%s) in a GB18030 file: retype the cell, or save the "
	    "file again as CSV UTF-8 (%s)", shown, utf8, RESAVE);
	free(utf8);
	free(gb);
	u->found++;
	return 0;
}

static size_t utf8_cells(const char *s, size_t n, const char *name,
    struct csvio_report *r)
{
	struct u8cells u = { s, name, NULL, 0, 0, r };

	scan_cells(s, n, ',', utf8_cell, &u);
	for (size_t i = 0; i < u.nhead; i++)
		free(u.head[i]);
	free(u.head);
	return u.found;
}

/*
 * The rule of docs/csv.md "Encoding".  Returns the encoding and the
 * length of its BOM in *skip, and for GB18030 the converted text in
 * *conv (the caller's to free), or -1 after the problems.
 */
static int detect(const char *s, size_t n, const char *name, size_t *skip,
    char **conv, size_t *convlen, struct csvio_report *r)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t multi, bad, *at, nat, gbch, gbcommon, b5ch, b5common, off;
	char cs[64];
	const char *what;

	*skip = 0;
	*conv = NULL;
	if ((n >= 4 && !memcmp(s, "\xff\xfe\0\0", 4)) ||
	    (n >= 4 && !memcmp(s, "\0\0\xfe\xff", 4))) {
		csvio_problem(r, 0, name, 0, NULL, NULL, "UTF-32 is not read: save "
		    "the file again as CSV UTF-8 (%s)", RESAVE);
		return -1;
	}
	if (n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) {
		*skip = 3;
		return CSVIO_UTF8;
	}
	if (n >= 2 && (!memcmp(s, "\xff\xfe", 2) || !memcmp(s, "\xfe\xff", 2))) {
		*skip = 2;
		return u[0] == 0xff ? CSVIO_UTF16LE : CSVIO_UTF16BE;
	}
	if (n >= 4 && !memcmp(s, "\x84\x31\x95\x33", 4)) {
		*skip = 4;
		return CSVIO_GB18030;
	}
	if (looks_utf16(s, n)) {
		csvio_problem(r, 0, name, 0, NULL, NULL, "looks like UTF-16 without "
		    "a byte-order mark, which is not read: save the file again as "
		    "CSV UTF-8 (%s), or as Unicode text, which has the mark",
		    RESAVE);
		return -1;
	}
	if (proto_utf8_valid(s, n))
		return CSVIO_UTF8;
	u8_count(s, n, &multi, &bad, NULL, NULL);
	gb_count(u, n, &gbch, &gbcommon);
	*conv = convert("GB18030", s, n, convlen, &off);
	/* UTF-8 but for a few bytes, unless it reads as plain GB18030 */
	if (multi > bad && !(*conv && 2 * gbcommon >= gbch)) {
		u8_count(s, n, &multi, &bad, &at, &nat);
		report_stray(s, n, at, nat, name, "the file is UTF-8", r);
		free(at);
		goto refuse;
	}
	guess(s, n, cs, sizeof cs);
	if ((what = other_cjk(cs))) {
		csvio_problem(r, 0, name, 0, NULL, NULL, "looks like %s, which is "
		    "not read (UTF-8 and GB18030 are): save the file again as CSV "
		    "UTF-8 (%s)", what, RESAVE);
		goto refuse;
	}
	if (!*conv) {
		report_not_gb(s, n, off, name, cs, r);
		goto refuse;
	}
	if (strcmp(cs, "GB18030") && big5_count(u, n, &b5ch, &b5common) &&
	    b5common * gbch > gbcommon * b5ch) {
		csvio_problem(r, 0, name, 0, NULL, NULL, "looks like Big5 "
		    "(traditional Chinese), which is not read (UTF-8 and GB18030 "
		    "are): save the file again as CSV UTF-8 (%s)", RESAVE);
		goto refuse;
	}
	if (strcmp(cs, "GB18030") && 2 * gbcommon < gbch) {
		csvio_problem(r, 0, name, 0, NULL, NULL, "the file is not UTF-8, and "
		    "read as GB18030 most of its Chinese characters are rare ones: "
		    "its encoding cannot be told, so it is not read: save the file "
		    "again as CSV UTF-8 (%s)", RESAVE);
		goto refuse;
	}
	if (utf8_cells(s, n, name, r))
		goto refuse;
	return CSVIO_GB18030;
refuse:
	free(*conv);
	*conv = NULL;
	return -1;
}

int csvio_detect(const char *data, size_t n, const char *name,
    struct csvio_report *r)
{
	size_t skip, convlen;
	char *conv;
	int enc = detect(data, n, name, &skip, &conv, &convlen, r);

	free(conv);
	return enc;
}

/* Where UTF-16 text stops converting, from the text before: the last
 * cell begun, and the header's names. */
struct endpos {
	const char *s;
	struct cellpos at;
	char **head;
	size_t nhead;
};

static int last_cell(const struct cellpos *p, void *ctx)
{
	struct endpos *e = ctx;

	if (p->row == 1) {
		e->head = xrealloc(e->head, (e->nhead + 1) * sizeof *e->head);
		e->head[e->nhead++] = cell_text(e->s, p, CSVIO_UTF8);
	}
	e->at = *p;
	return 0;
}

/* A UTF-16 file whose bytes from off on do not convert. */
static void report_not_utf16(const char *data, size_t n, size_t off, int e,
    const char *name, struct csvio_report *r)
{
	struct endpos ep = { NULL, { 1, 0, 0, 0 }, NULL, 0 };
	size_t len = 0, bad;
	char col[32], bytes[16] = "", *cell = NULL;
	const char *column = col;
	char *before = convert(csvio_enc_name[e], data, off, &len, &bad);
	char sep;

	if (before) {
		size_t line = strcspn(before, "\r\n");
		sep = memchr(before, '\t', line) ? '\t' : ',';
		ep.s = before;
		scan_cells(before, len, sep, last_cell, &ep);
		cell = cell_text(before, &ep.at, CSVIO_UTF8);
	}
	for (size_t i = off; i < n && i < off + 2; i++) {
		size_t k = strlen(bytes);
		snprintf(bytes + k, sizeof bytes - k, "\\x%02X",
		    (unsigned char)data[i]);
	}
	snprintf(col, sizeof col, "column %zu", ep.at.col + 1);
	if (ep.at.row > 1 && ep.at.col < ep.nhead && *ep.head[ep.at.col])
		column = ep.head[ep.at.col];
	struct csvio_buf v = { 0 };
	csvio_buf_add(&v, cell ? cell : "", cell ? strlen(cell) : 0);
	csvio_buf_add(&v, bytes, strlen(bytes));
	csvio_problem(r, 0, name, ep.at.row, column, v.p, "the cell %s ends in "
	    "%s, which is not %s (a broken character, or a file cut short): "
	    "save the file again as CSV UTF-8 (%s)", v.p, bytes,
	    csvio_enc_name[e], RESAVE);
	free(v.p);
	free(cell);
	for (size_t i = 0; i < ep.nhead; i++)
		free(ep.head[i]);
	free(ep.head);
	free(before);
}

char *csvio_decode(const char *data, size_t n, const char *name,
    const char *enc, int *used, size_t *outlen, struct csvio_report *r)
{
	size_t skip = 0, len = 0, off, multi, bad, *at, nat;
	char *conv = NULL, *out;
	int e;

	if (!enc) {
		e = detect(data, n, name, &skip, &conv, &len, r);
		if (e < 0)
			return NULL;
	} else if (!strcmp(enc, "utf-8")) {
		e = CSVIO_UTF8;
		skip = n >= 3 && !memcmp(data, "\xef\xbb\xbf", 3) ? 3 : 0;
	} else if (!strcmp(enc, "gb18030")) {
		e = CSVIO_GB18030;
		skip = n >= 4 && !memcmp(data, "\x84\x31\x95\x33", 4) ? 4 : 0;
	} else {
		csvio_problem(r, 0, name, 0, NULL, NULL, "--encoding must be utf-8 "
		    "or gb18030, not %s", enc);
		return NULL;
	}
	*used = e;
	data += skip;
	n -= skip;
	if (conv) {
		*outlen = len;
		return conv;
	}
	if (e == CSVIO_UTF8) {
		if (!proto_utf8_valid(data, n)) {
			u8_count(data, n, &multi, &bad, &at, &nat);
			report_stray(data, n, at, nat, name, enc ? "the file is not "
			    "UTF-8 (--encoding utf-8)" : "the file is UTF-8 (it "
			    "starts with a UTF-8 BOM)", r);
			free(at);
			return NULL;
		}
		out = xmalloc(n + 1);
		memcpy(out, data, n);
		out[n] = 0;
		*outlen = n;
		return out;
	}
	out = convert(csvio_enc_name[e], data, n, outlen, &off);
	if (out)
		return out;
	if (e == CSVIO_GB18030) {
		report_not_gb(data, n, off, name, "", r);
		return NULL;
	}
	report_not_utf16(data, n, off & ~(size_t)1, e, name, r);
	return NULL;
}

/* ---------------------------------------------------------------- parse */

struct parse {
	struct csvio_table *t;
	const char *name;
	struct csvio_report *r;
	size_t lines;        /* rows ended so far, blank ones included */
	size_t fields;       /* fields of the row being read */
	int last;            /* the character that ended the last row */
	int nul;             /* a cell held a NUL */
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

/* A NUL in a cell: the cell is named and the file refused. */
static void nul_cell(struct parse *p, const char *s, size_t n)
{
	struct csvio_table *t = p->t;
	struct csvio_buf v = { 0 };
	char col[32];
	const char *column = col;

	snprintf(col, sizeof col, "column %zu", p->fields + 1);
	if (t->nrows > 0 && p->fields < t->rows[0].n &&
	    *csvio_cell(t, 0, p->fields))
		column = csvio_cell(t, 0, p->fields);
	sb_shown(&v, s, n);
	char shown[128];
	clip(v.p, shown, sizeof shown);
	csvio_problem(p->r, 0, p->name, t->rows[t->nrows].row, column, v.p,
	    "the cell %s holds a NUL byte (\\x00), which would cut it to %.*s: "
	    "delete the byte", shown, (int)strnlen(s, n), s);
	free(v.p);
	p->nul = 1;
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
	if (s && memchr(s, 0, n))
		nul_cell(p, s, n);
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

/* Spaces around an unquoted cell are trimmed; tabs too, unless they
 * separate the cells. */
static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int is_space_only(unsigned char c)
{
	return c == ' ';
}

int csvio_parse(const char *data, size_t n, const char *name,
    const char *enc, struct csvio_table *t, struct csvio_report *r)
{
	struct csv_parser cp;
	struct parse p = { t, name, r, 0, 0, 0, 0 };
	size_t len, done;
	int used = CSVIO_UTF8, rc = -1;
	char *s;

	memset(t, 0, sizeof *t);
	if (!(s = csvio_decode(data, n, name, enc, &used, &len, r)))
		return -1;
	t->enc = used;
	t->sep = ',';
	if (used == CSVIO_UTF16LE || used == CSVIO_UTF16BE) {
		size_t line = strcspn(s, "\r\n");
		if (memchr(s, '\t', line))
			t->sep = '\t';
	}
	if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL |
	    CSV_EMPTY_IS_NULL) != 0) {
		csvio_problem(r, 0, name, 0, NULL, NULL, "out of memory");
		goto out;
	}
	csv_set_delim(&cp, (unsigned char)t->sep);
	csv_set_space_func(&cp, t->sep == '\t' ? is_space_only : is_space);
	done = csv_parse(&cp, s, len, on_field, on_row, &p);
	if (done < len || csv_fini(&cp, on_field, on_row, &p) != 0) {
		csvio_problem(r, 0, name, p.lines + 1, NULL, NULL, "malformed CSV: "
		    "%s", done < len ? "a quote inside an unquoted cell, or text "
		    "after a closing quote: quote the whole cell and double each "
		    "quote inside it (\"a\"\"b\")" : "a quoted cell is not closed: "
		    "add the closing quote");
		csv_free(&cp);
		goto out;
	}
	csv_free(&cp);
	if (p.nul)
		goto out;
	if (t->nrows == 0) {
		csvio_problem(r, 0, name, 0, NULL, NULL, "empty file (a header row "
		    "is needed)");
		goto out;
	}
	rc = 0;
out:
	free(s);
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

/* ---------------------------------------------------------------- guard */

static int formula_char(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
	    c == '\r';
}

int csvio_guarded(const char *s)
{
	if (!strcmp(s, "-"))
		return 0;
	while (*s == '\'')
		s++;
	return formula_char(*s);
}

const char *csvio_unguard(const char *cell)
{
	const char *p = cell;

	if (*p != '\'')
		return cell;
	while (*p == '\'')
		p++;
	return formula_char(*p) ? cell + 1 : cell;
}

/* ---------------------------------------------------------------- write */

static void put(FILE *f, const char *pre, const char *s, int first)
{
	size_t n = strlen(s);
	int quote = strpbrk(s, ",\"\r\n") || (n && (s[n - 1] == ' ' ||
	    s[n - 1] == '\t')) || (!*pre && n && (s[0] == ' ' || s[0] == '\t'));

	if (!first)
		fputc(',', f);
	if (!quote) {
		fputs(pre, f);
		fputs(s, f);
		return;
	}
	fputc('"', f);
	fputs(pre, f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void csvio_put(FILE *f, const char *s, int first)
{
	put(f, "", s, first);
}

void csvio_put_text(FILE *f, const char *s, int first)
{
	put(f, csvio_guarded(s) ? "'" : "", s, first);
}

void csvio_end(FILE *f)
{
	fputs("\r\n", f);
}

int csvio_save(const char *path, const char *buf, size_t n, const char *enc,
    int bom)
{
	FILE *f;
	char *conv = NULL;
	int rc = 0;

	if (enc && strcmp(enc, "utf-8") && strcmp(enc, "gb18030")) {
		csvio_err("--encoding must be utf-8 or gb18030");
		return -1;
	}
	f = path ? fopen(path, "wb") : stdout;
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
	char msg[4096];
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
