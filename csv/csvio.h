/*
 * csvio — CSV files in and out: what a file's bytes are (UTF-8, GB18030,
 * UTF-16; Big5 and others refused), RFC 4180 quoting through libcsv, the
 * cells of a file in memory, the problems found in a file as a list, and
 * the formula guard of every CSV cell the programs write.  The rules are
 * docs/csv.md's; the client and the daemon both read files through this
 * library, from memory: the client reads a file into memory first, the
 * daemon gets the bytes in a request.  Nothing keeps state between calls
 * but the csvio_say hook, so threads may read files at once (each with
 * its own report).
 */
#ifndef CJ_CSVIO_H
#define CJ_CSVIO_H

#include <stddef.h>
#include <stdio.h>

/*
 * Where the library says what it has to say outside a report (a list item
 * export cannot write faithfully, a file it cannot write; msg has no
 * prefix and no newline).  The default prints "chanjiao: MSG" on stderr.
 */
extern void (*csvio_say)(const char *msg);
void csvio_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The shortest %g form of d that reads back as d ("null" when not
 * finite); buf of 32. */
void csvio_double(char *buf, size_t cap, double d);

/*
 * A growable string, zeroed to start ({ 0 }): p stays NUL-terminated
 * once anything (even "") is added, and is free()d by its owner.
 */
struct csvio_buf {
	char *p;
	size_t n, cap;
};
/* Append n bytes of s. */
void csvio_buf_add(struct csvio_buf *b, const char *s, size_t n);

/* ------------------------------------------------------------ problems */

/*
 * One thing wrong with a file, a row or a cell.  Every string is owned by
 * the report and is "" rather than NULL when there is nothing to say.
 */
struct csvio_problem {
	char *file;          /* the file's name ("postings.csv") */
	size_t row;          /* its row in the spreadsheet, the header being
	                      * row 1 (a quoted cell spanning lines is one
	                      * row; blank rows count); 0: the whole file */
	char *column;        /* the column's header as the file writes it
	                      * ("招聘人数"), "column 5" when it has none; ""
	                      * for a whole row or file */
	char *value;         /* the cell as written; a byte that is no text
	                      * (NUL, invalid UTF-8) is shown as \xNN */
	char *message;       /* what is wrong and how to fix it
	                      * ("headcount must be an integer: write 10, not 十") */
	int warning;         /* a code the shipped tables lack (or a name that
	                      * contradicts its code): the row is imported as
	                      * written unless the report is strict */
};

/* Problems kept per file, errors and warnings each; the rest are counted. */
#define CSVIO_KEEP 100

/*
 * The problems of one import (one file or several), in the order found.
 * A file keeps its first CSVIO_KEEP errors and CSVIO_KEEP warnings;
 * past that they are only counted (per file, in `files`).
 */
struct csvio_report {
	struct csvio_problem *v;     /* the problems kept */
	size_t n, cap;
	size_t errors, warnings;     /* every problem found, kept or not */
	int strict;                  /* warnings are errors (import --strict) */
	size_t strict_errors;        /* errors that are warnings made strict */
	struct csvio_tally {
		char *file;
		size_t errors, warnings;
	} *files;
	size_t nfiles;
};

void csvio_report_init(struct csvio_report *r, int strict);
void csvio_report_free(struct csvio_report *r);

/*
 * Add a problem (every string is copied; column and value may be NULL).
 * A warning of a strict report is added as an error.
 */
void csvio_problem(struct csvio_report *r, int warning, const char *file,
    size_t row, const char *column, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Whether the report refuses the import: an error (strict: a warning). */
int csvio_report_failed(const struct csvio_report *r);

/*
 * A problem as one line, without "warning: ": "postings.csv row 3 column
 * 招聘人数: headcount must be an integer: write 10, not 十"; "FILE row R: "
 * without a column, "FILE: " for a whole file.
 */
void csvio_problem_line(const struct csvio_problem *p, char *buf, size_t cap);

/*
 * Say every problem through csvio_say (warnings as "warning: LINE"), then
 * for each file past the cap "FILE: … and N more errors" (and warnings).
 */
void csvio_report_say(const struct csvio_report *r);

/* ------------------------------------------------------------- reading */

/* The encodings a file is read in. */
enum csvio_enc {
	CSVIO_UTF8, CSVIO_GB18030, CSVIO_UTF16LE, CSVIO_UTF16BE,
};
extern const char *const csvio_enc_name[];   /* "UTF-8", "GB18030" ... */

/*
 * The encoding of a file's bytes, by the rule of docs/csv.md "Encoding"
 * (a BOM; else valid UTF-8; else, unless the file is UTF-8 but for a few
 * bytes or looks like Big5 or another encoding to libuchardet and to the
 * character counts, GB18030).  Returns the encoding, or -1 after adding
 * the problem that refuses the file (the rows of a stray byte, or how to
 * save the file again) to r under `name`.
 */
int csvio_detect(const char *data, size_t n, const char *name,
    struct csvio_report *r);

/*
 * The file's text as UTF-8 without a BOM: a new buffer for the caller to
 * free, *outlen bytes and a NUL after them (the text itself may hold NULs).
 * enc NULL detects (csvio_detect), "utf-8" or "gb18030" forces one; *used
 * gets the encoding read.  NULL after adding the problems to r.
 */
char *csvio_decode(const char *data, size_t n, const char *name,
    const char *enc, int *used, size_t *outlen, struct csvio_report *r);

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
	int enc;             /* the encoding read (enum csvio_enc) */
	char sep;            /* the separator: ',' (a UTF-16 file: '\t') */
};

/*
 * Read a file held in memory (data, n bytes; it is not changed): decode it
 * (csvio_decode), then parse it (RFC 4180 quoting, embedded newlines;
 * blank rows are skipped but counted, so row numbers are the
 * spreadsheet's).  A UTF-16 file is Excel's "Unicode text": its cells are
 * separated by tabs when its first row holds a tab.  A NUL in a cell is a
 * problem of that cell.  `name` names the file in problems.  0, or -1
 * after adding the problems to r (t is then empty).
 */
int csvio_parse(const char *data, size_t n, const char *name,
    const char *enc, struct csvio_table *t, struct csvio_report *r);

/*
 * A whole file's bytes (a new buffer, *len of them, NUL-terminated for
 * convenience), or NULL after adding "NAME: why" to r.
 */
char *csvio_slurp(const char *path, const char *name, size_t *len,
    struct csvio_report *r);

void csvio_free(struct csvio_table *t);
/* Cell col of rows[r] ("" past the end of a short row). */
const char *csvio_cell(const struct csvio_table *t, size_t r, size_t col);

/* ---------------------------------------------------------- the guard */

/*
 * Formula injection.  Excel runs a cell that starts with = + - @ (and
 * takes a leading tab or CR for one): a name "=HYPERLINK(...)" in an
 * export would open as a link.  So every text cell the programs write
 * goes through csvio_put_text, which writes a ' before a cell that starts
 * with one of those characters, or with ' and then one of them (so that
 * the ' the import drops is always the one added); a lone "-" (balance's
 * key for "no value") is no formula and is written as is.  Excel shows
 * the cell as the text after the '.  Cells of number columns (counts,
 * scores, -5) are numbers, not formulas: they are written with csvio_put.
 *
 * csvio_guarded: whether s gets the '.  csvio_unguard: the cell as read,
 * with one leading ' dropped when the run of 's it starts with is followed
 * by one of the characters above (import does this to every cell), so
 * that the cell written for s always reads back as s.
 */
int csvio_guarded(const char *s);
const char *csvio_unguard(const char *cell);

/*
 * Write one cell, quoted when it must be (a ',', '"', CR or LF, or a
 * space or tab at either end), after a ',' unless first: csvio_put as it
 * is (numbers), csvio_put_text guarded (every text cell: names, ids,
 * codes, lists, headings).  csvio_end ends a row ("\r\n").
 */
void csvio_put(FILE *f, const char *s, int first);
void csvio_put_text(FILE *f, const char *s, int first);
void csvio_end(FILE *f);

/*
 * Write buf to path (NULL: stdout) in encoding enc ("utf-8" default, or
 * "gb18030"), with a UTF-8 BOM when bom (never before GB18030).  0, or
 * -1 after a message.
 */
int csvio_save(const char *path, const char *buf, size_t n, const char *enc,
    int bom);

#endif
