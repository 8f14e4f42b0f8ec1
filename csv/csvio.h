/*
 * csvio — CSV files in and out: encodings (UTF-8, GB18030), RFC 4180
 * quoting through libcsv, and the cells of a file in memory.  The rules
 * are docs/csv.md's; the client and the daemon both read files through
 * this library.
 */
#ifndef CJ_CSVIO_H
#define CJ_CSVIO_H

#include <stddef.h>
#include <stdio.h>

/*
 * Where the library says what is wrong with a file (msg has no prefix
 * and no newline).  The default prints "chanjiao: MSG" on stderr.
 */
extern void (*csvio_say)(const char *msg);
void csvio_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The shortest %g form of d that reads back as d ("null" when not
 * finite); buf of 32. */
void csvio_double(char *buf, size_t cap, double d);

/* A CSV file in memory: a header row and data rows of cells. */
struct csvio_table {
	char *text;          /* every cell, NUL-terminated, back to back */
	size_t textlen, textcap;
	size_t *cell;        /* offsets into text */
	size_t ncell, cellcap;
	struct csvio_row {
		size_t row;      /* row number in the file, the header being 1 */
		size_t first, n; /* cells [first, first + n) */
	} *rows;             /* rows[0] is the header */
	size_t nrows, rowcap;
};

/*
 * Read a CSV file: decode it (enc "utf-8", "gb18030" or NULL to detect:
 * valid UTF-8, a BOM allowed, else GB18030) into UTF-8, then parse it
 * (RFC 4180 quoting, embedded newlines; blank rows are skipped but
 * counted, so row numbers are the spreadsheet's).  On failure says
 * "NAME ...: why" through csvio_say and returns -1; `name` names the file in
 * messages.
 */
int csvio_read(const char *path, const char *name, const char *enc,
    struct csvio_table *t);
void csvio_free(struct csvio_table *t);
/* Cell col of rows[r] ("" past the end of a short row). */
const char *csvio_cell(const struct csvio_table *t, size_t r, size_t col);

/* Write one cell (quoted when it must be) / end a row ("\r\n"). */
void csvio_put(FILE *f, const char *s, int first);
void csvio_end(FILE *f);

/*
 * Write buf to path (NULL: stdout) in encoding enc ("utf-8" default, or
 * "gb18030"), with a UTF-8 BOM when bom.  0, or -1 after a message.
 */
int csvio_save(const char *path, const char *buf, size_t n, const char *enc,
    int bom);

#endif
