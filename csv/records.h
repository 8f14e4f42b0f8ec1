/*
 * records — CSV rows <-> records, the format of docs/csv.md.  Reading: a
 * file's header names its columns (field names, or their Chinese names),
 * every cell is checked by its column's rules (numbers, dates as Excel
 * writes them, Chinese words for levels and kinds, codes against the
 * shipped tables) and every problem goes to a csvio_report located at its
 * file, row and column; a row without errors is packed into the record it
 * stands for and checked by schema_check, the daemon's own check.
 * Writing: records as the same CSV, every text cell guarded against
 * formula injection; a blank file for a kind to fill in (the template).
 */
#ifndef CJ_RECORDS_H
#define CJ_RECORDS_H

#include <msgpack.h>
#include <stdio.h>

#include "csvio.h"
#include "schema.h"

/* The CSV files of docs/csv.md: one per kind, three more for fairs. */
enum rec_file {
	RF_FAIR_DIRS = SCHEMA_NKINDS, RF_FAIR_SESSIONS, RF_FAIR_REQUESTS,
	RF_NFILES
};
extern const char *const rec_file_name[RF_NFILES];  /* "schools.csv" ... */

/* The kind named by s ("school" ... or its plural), -1 if none. */
int rec_kind_of(const char *s);

/* Whether a field of kind k holds a number (list filters type by it). */
int rec_field_numeric(enum schema_kind k, const char *field);

/*
 * The Chinese names of a column of a file, '|'-separated, the first being
 * the one templates write ("编号|学校编号|学校代码|院校代码|代码"); for
 * specialties' cohort_YYYY columns "YYYY届|YYYY届人数|..."; NULL when the
 * file has no such column.
 */
const char *rec_column_zh(enum rec_file file, const char *column);

/* One record built from a CSV row, with where its parts came from. */
struct rec_item {
	size_t row;                  /* its row in the main file */
	size_t off, len;             /* packed bytes in rec_set.buf */
	size_t *parts[3];            /* fairs: table rows of the directions, */
	size_t nparts[3];            /* sessions and requests, record order */
};

/* A column of a file as its header wrote it: "headcount" <- "招聘人数". */
struct rec_head {
	char *key;                   /* the column ("headcount", "cohort_2026") */
	char *head;                  /* the header cell ("招聘人数", "2026届") */
};

/* The records of one import file (and a fair's three part files). */
struct rec_set {
	enum schema_kind kind;
	const char *path;            /* as the caller gave it */
	char *name;                  /* base name, for messages */
	char *pname[3];              /* names of the part files */
	struct csvio_table tab[4];   /* main file, then the fair's parts */
	int have[4];
	struct rec_head *heads[4];   /* each file's columns as written */
	size_t nheads[4];
	msgpack_sbuffer buf;
	struct rec_item *items;
	size_t n, cap;
	size_t warned;               /* rows with warnings (imported) */
	int enc;                     /* the main file's encoding (csvio_enc) */
	char sep;                    /* and its separator */
};

/* One file's bytes, as read from disk or received in a request. */
struct rec_input {
	const char *name;            /* for messages: "postings.csv" */
	const char *data;            /* the bytes; NULL: there is no such file */
	size_t len;
};

/*
 * Build and check the records of kind k from files in memory: in[0] the
 * main file, and for fairs in[1..3] fair_directions.csv, fair_sessions.csv
 * and fair_requests.csv (data NULL when absent; other kinds read only
 * in[0]).  enc: NULL to detect each file's encoding, "utf-8" or "gb18030"
 * to force one.  Every problem, errors and warnings, goes to r (strict or
 * not); ids must be unique.  Returns 0 when the records may be sent (r
 * may still hold warnings), -1 when r refuses them (errors; with a strict
 * report warnings too).  The set's records come in id order.  rec_free
 * the set either way.
 */
int rec_build(struct rec_set *s, enum schema_kind k, const struct rec_input in[4],
    const char *enc, struct csvio_report *r);

/*
 * rec_build on the file at path, read into memory, and for fairs on the
 * part files beside it, when they are there.
 */
int rec_load(struct rec_set *s, enum schema_kind k, const char *path,
    const char *enc, struct csvio_report *r);
void rec_free(struct rec_set *s);

/* The decoded record i (the zone is the caller's). */
void rec_unpack(const struct rec_set *s, size_t i, msgpack_zone *z,
    msgpack_object *o);
/* Item i's id, cut into buf. */
const char *rec_id(const struct rec_set *s, size_t i, char *buf, size_t cap);

/*
 * Where a record path (relative to record i, as schema_check and the
 * daemon spell it: "cohorts.2026", "directions[2].majors[0]") came from:
 * its file, row and column as the header wrote it (NULL column: the whole
 * row).  rec_where says it as "postings.csv row 17 column headcount".
 */
struct rec_loc {
	const char *file;            /* the set's names: live as long as it */
	size_t row;
	const char *column;          /* the set's, or buf */
	char buf[SCHEMA_PATH_MAX];
};
void rec_locate(const struct rec_set *s, size_t i, const char *path,
    struct rec_loc *l);
void rec_where(const struct rec_set *s, size_t i, const char *path,
    char *out, size_t cap);

/*
 * Write records of kind k as CSV (the format rec_load reads) to f; for
 * fairs, file selects fairs.csv or one of the part files.  Columns are
 * fixed per kind and headed by field names, cohort_YYYY for every year any
 * record has; text cells go through csvio_put_text (the formula guard),
 * numbers through csvio_put.  Returns the number of values that could not
 * be written faithfully (a list item holding ';'), after warning about
 * each.
 */
size_t rec_write_csv(FILE *f, enum rec_file file,
    const msgpack_object *const *recs, size_t n);

/*
 * A file to fill in: the Chinese names of the file's columns (the first
 * of rec_column_zh's; for specialties 2026届 and 2027届) and one example
 * row.  The examples of all files name each other (school S001, enterprise
 * E001 ...), so the templates of every kind, imported in the order of
 * `import DIR`, import into an empty store without a problem.
 */
void rec_template(FILE *f, enum rec_file file);

/*
 * The CSV columns of kind k (fairs: fairs.csv's) and a row of cells per
 * record, as rec_write_csv writes them (without the guard): head(text,
 * col, ctx) for each column, then cell(text, col, ctx) for each cell, row
 * by row.
 */
void rec_cells(enum schema_kind k, const msgpack_object *const *recs,
    size_t n, void (*head)(const char *text, size_t col, void *ctx),
    void (*cell)(const char *text, size_t col, void *ctx), void *ctx);

#endif
