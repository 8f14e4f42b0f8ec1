/*
 * cli — the `chanjiao` command-line client: one header for its modules.
 *
 *   chanjiao.c  main: options, the command table, the small commands
 *   rpc.c       rpc_*     one connection to chanjiaod, calls, pipelines;
 *               fetch_*   records by id through a pipeline of gets
 *   json.c      json_*    JSON output of MessagePack values;
 *               obj_*     reading decoded values
 *   csvio.c     csvio_*   CSV files in and out: encodings, libcsv, quoting
 *   records.c   rec_*     CSV rows <-> records (docs/csv.md is the format)
 *   transfer.c  cmd_import, cmd_export
 *   table.c     table_*   aligned tables for people (East Asian widths), CSV
 *   query.c     cmd_list, cmd_candidates, cmd_openings, cmd_balance
 *   report.c    cmd_fair_allocate, cmd_fair_schedule, cmd_fair_report
 *
 * Exit status: 0 success, 1 the daemon refused or the data is bad (the
 * message says which row and column), 2 a usage error, 3 the daemon
 * cannot be reached or the connection broke.  Every message goes to
 * stderr and starts with "chanjiao: ".
 */
#ifndef CJ_CLI_H
#define CJ_CLI_H

#include <msgpack.h>
#include <stdint.h>
#include <stdio.h>

#include "proto.h"
#include "schema.h"
#include "util.h"

enum { EXIT_DATA = 1, EXIT_USAGE = 2, EXIT_CONN = 3 };

enum out_fmt { OUT_TABLE, OUT_CSV, OUT_JSON };

/* Every option of every command; unset numbers are -1, strings NULL. */
struct opts {
	const char *host, *unix_path, *token;
	enum out_fmt fmt;
	long long k, grad_year, min_available, batch, top, limit;
	double min_score;            /* NaN when unset */
	const char *region, *kind, *by, *fair, *after, *dir, *encoding;
	const char *role, *owner;
	char **filters;              /* "field=value", nfilters of them */
	int nfilters, explain, bom, dry_run;
};

/* printf to stderr with the "chanjiao: " prefix and a newline. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ------------------------------------------------------------------ rpc */

struct rpc {
	int fd;
	uint32_t next_id;
	msgpack_unpacker up;
	const char *where;           /* "127.0.0.1:7411" or the socket path */
	int quiet;                   /* failures are not said (the caller does) */
};

/* A reply; owns its decoded value until rpc_reply_free. */
struct rpc_reply {
	msgpack_unpacked u;
	uint32_t msgid;
	const msgpack_object *error;     /* NULL on success */
	const msgpack_object *result;    /* NULL with an error */
};

/* An error map's parts; message and field are "" when absent. */
struct rpc_error {
	long long code;
	char message[512];
	char field[SCHEMA_PATH_MAX];
};

/*
 * Connect (--host / --unix) and log in when a token is given (--token or
 * $CHANJIAO_TOKEN).  Returns 0, or an exit status after printing why.
 */
int rpc_open(struct rpc *r, const struct opts *o);
/* The same, but connecting, writing and reading fail silently, for a
 * caller that words them itself (a refused login is still said; the
 * daemon's error replies reach the caller as replies). */
int rpc_open_quiet(struct rpc *r, const struct opts *o);
void rpc_close(struct rpc *r);

/*
 * Send [0, msgid, method, [params]]; params is one packed map (NULL or
 * empty means {}).  Returns the msgid, or 0 when the write failed (the
 * message is printed).
 */
uint32_t rpc_send(struct rpc *r, const char *method, const char *params,
    size_t n);
/* The next reply in arrival order: 0, or -1 when the connection broke. */
int rpc_recv(struct rpc *r, struct rpc_reply *rep);
/* The reply to call `id` (replies to others are dropped): as rpc_recv. */
int rpc_wait(struct rpc *r, uint32_t id, struct rpc_reply *rep);
void rpc_reply_free(struct rpc_reply *rep);

/*
 * One call: send and wait for its reply (no other call may be in flight).
 * 0 with rep filled (rep->error may be set), or -1 on a broken connection;
 * rep needs rpc_reply_free only after 0.
 */
int rpc_call(struct rpc *r, const char *method, const msgpack_sbuffer *params,
    struct rpc_reply *rep);

/*
 * One call whose error is final: on a daemon error prints
 * "chanjiao: METHOD: message (code C, field F)" and returns EXIT_DATA;
 * EXIT_CONN on a broken connection; 0 with rep to free on success.
 */
int rpc_call_or_fail(struct rpc *r, const char *method,
    const msgpack_sbuffer *params, struct rpc_reply *rep);

void rpc_error_of(const msgpack_object *err, struct rpc_error *e);
/* Print a daemon error for `what` and return EXIT_DATA. */
int rpc_report(const char *what, const msgpack_object *err);

/*
 * n calls of one method, at most a window of them in flight, replies
 * matched by msgid: pack(i) packs the params map of call i, done(i, rep)
 * sees its reply (in arrival order; rep is freed after done returns) and
 * returns non-zero to stop there, the calls still in flight unread.
 * Returns 0, or -1 on a broken connection.
 */
int rpc_pipeline(struct rpc *r, const char *method, size_t n,
    void (*pack)(size_t i, msgpack_packer *pk, void *ctx),
    int (*done)(size_t i, struct rpc_reply *rep, void *ctx), void *ctx);

/*
 * Records of one kind fetched by id through a pipeline of <kind>.get;
 * duplicates and empty ids are fetched once.  fetch_get returns the
 * record, or NULL when missing (or the get failed).
 */
struct fetch {
	struct strtab idx;           /* id -> slot */
	struct rpc_reply *rep;
	char **ids;
	size_t n, cap;
};
void fetch_add(struct fetch *f, const char *id, size_t n);
/* Get every id added and not yet fetched: 0 or EXIT_CONN. */
int fetch_run(struct fetch *f, struct rpc *r, enum schema_kind k);
const msgpack_object *fetch_get(const struct fetch *f, const char *id,
    size_t n);
void fetch_free(struct fetch *f);

/* Pack {key: str} / {key: value} helpers for params maps. */
void pack_kv_str(msgpack_packer *pk, const char *key, const char *val);
void pack_kv_int(msgpack_packer *pk, const char *key, long long val);

/* ----------------------------------------------------------------- json */

/* A value as JSON on one line; floats in their shortest exact form. */
void json_print(FILE *f, const msgpack_object *o);
/* The shortest %g form of d that reads back as d (buf of 32). */
void json_double(char *buf, size_t cap, double d);

/* A str object as a NUL-terminated string in buf (cut), "" if not a str. */
const char *obj_str(const msgpack_object *o, char *buf, size_t cap);
/* A number object as a double (NaN if not a number). */
double obj_num(const msgpack_object *o);
/* A map's value by key, NULL when missing or nil. */
const msgpack_object *obj_get(const msgpack_object *m, const char *key);
/* An array's items; *n = 0 and NULL when o is not an array. */
const msgpack_object *obj_arr(const msgpack_object *o, uint32_t *n);

/* ---------------------------------------------------------------- csvio */

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
 * counted, so row numbers are the spreadsheet's).  On failure prints
 * "chanjiao: NAME ...: why" and returns -1; `name` names the file in
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

/* -------------------------------------------------------------- records */

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
 * is printed as "chanjiao: FILE row R column C: message" (at most 20,
 * then a count).  Returns 0 or -1.
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
 * Initialise t with the CSV columns of kind k (fairs: fairs.csv's) and a
 * row of cells per record, as rec_write_csv would write them (for list).
 */
struct table;
void rec_table(struct table *t, enum schema_kind k,
    const msgpack_object *const *recs, size_t n);

/* ---------------------------------------------------------------- table */

/* Rows of cells under a header; numeric columns align right. */
struct table {
	size_t ncols;
	char **head;
	char **cells;                /* row-major, ncols a row */
	size_t ncells, cap;
};

void table_init(struct table *t, size_t ncols, const char *const *head);
void table_free(struct table *t);
/* Append the next cell of the current row (copied; NULL is ""). */
void table_add(struct table *t, const char *s);
void table_addf(struct table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Common cells: a str object, an integer or float object, a score. */
void table_add_obj(struct table *t, const msgpack_object *o);
void table_add_num(struct table *t, double d, int decimals);
/* Print as aligned text (cells cut to a width of 48) or as CSV. */
void table_print(const struct table *t, FILE *f, enum out_fmt fmt);

/* Display width of a UTF-8 string in terminal columns (CJK = 2). */
size_t table_width(const char *s);

/* ----------------------------------------------------------- commands */

int cmd_import(const struct opts *o, int argc, char **argv);
int cmd_export(const struct opts *o, int argc, char **argv);
int cmd_list(const struct opts *o, int argc, char **argv);
int cmd_candidates(const struct opts *o, int argc, char **argv);
int cmd_openings(const struct opts *o, int argc, char **argv);
int cmd_balance(const struct opts *o, int argc, char **argv);
int cmd_fair_allocate(const struct opts *o, int argc, char **argv);
int cmd_fair_schedule(const struct opts *o, int argc, char **argv);
int cmd_fair_report(const struct opts *o, int argc, char **argv);

#endif
