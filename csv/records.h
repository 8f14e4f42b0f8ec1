/*
 * records — CSV rows <-> records, the format of docs/csv.md: a row is
 * packed into the record it stands for (numbers typed by the column,
 * lists split on ';'), then checked by schema_check, so a bad cell is
 * reported in the daemon's own words, located back to its file, row and
 * column.
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

/* One record built from a CSV row, with where its parts came from. */
struct rec_item {
	size_t row;                  /* its row in the main file */
	size_t off, len;             /* packed bytes in rec_set.buf */
	size_t *parts[3];            /* fairs: table rows of the directions, */
	size_t nparts[3];            /* sessions and requests, record order */
};

/* The records of one import file (and a fair's three part files). */
struct rec_set {
	enum schema_kind kind;
	const char *path;            /* as the user gave it */
	char *name;                  /* base name, for messages */
	char *pname[3];              /* base names of the part files */
	struct csvio_table tab[4];   /* main file, then the fair's parts */
	int have[4];
	msgpack_sbuffer buf;
	struct rec_item *items;
	size_t n, cap;
};

/*
 * Read path (and for fairs the part files beside it, when present) and
 * build and check every record (schema_check, ids unique).  Every error
 * is said through csvio_say as "FILE row R column C: message" (at most
 * 20, then a count).  Returns 0 or -1.
 */
int rec_load(struct rec_set *s, enum schema_kind k, const char *path,
    const char *enc);
void rec_free(struct rec_set *s);

/* The decoded record i (the zone is the caller's). */
void rec_unpack(const struct rec_set *s, size_t i, msgpack_zone *z,
    msgpack_object *o);
/* Item i's id, cut into buf. */
const char *rec_id(const struct rec_set *s, size_t i, char *buf, size_t cap);

/*
 * Describe where a record path (relative to record i, as schema_check
 * and the daemon spell it: "cohorts.2026", "directions[2].majors[0]")
 * came from: "postings.csv row 17 column headcount".
 */
void rec_where(const struct rec_set *s, size_t i, const char *path,
    char *out, size_t cap);

/*
 * Write records of kind k as CSV (the format rec_load reads) to f; for
 * fairs, file selects fairs.csv or one of the part files.  Columns are
 * fixed per kind, cohort_YYYY for every year any record has.  Returns
 * the number of values that could not be written faithfully (a list item
 * holding ';'), after warning about each.
 */
size_t rec_write_csv(FILE *f, enum rec_file file,
    const msgpack_object *const *recs, size_t n);

/*
 * The CSV columns of kind k (fairs: fairs.csv's) and a row of cells per
 * record, as rec_write_csv writes them: head(text, col, ctx) for each
 * column, then cell(text, col, ctx) for each cell, row by row.
 */
void rec_cells(enum schema_kind k, const msgpack_object *const *recs,
    size_t n, void (*head)(const char *text, size_t col, void *ctx),
    void (*cell)(const char *text, size_t col, void *ctx), void *ctx);

#endif
