/*
 * cli — the `chanjiao` command-line client: one header for its modules.
 *
 *   chanjiao.c  main: options, the command table, the small commands
 *   rpc.c       rpc_*     one connection to chanjiaod, calls, pipelines;
 *               fetch_*   records by id through a pipeline of gets
 *   json.c      json_*    JSON output of MessagePack values
 *   transfer.c  cmd_import, cmd_export
 *   template.c  cmd_template: blank files to fill in
 *   table.c     table_*   aligned tables for people (East Asian widths), CSV
 *   book.c      book_*    a command's output: header lines and tables, as
 *                         text, CSV (BOM, GB18030) or a workbook
 *   xlsx.c      xlsx_*    Excel workbooks of tables (libxlsxwriter)
 *   ref.c       ref_*     reference tables compiled in from data/
 *                         (regions, industries; the catalog is model's) and
 *                         the domain's words in Chinese
 *   query.c     cmd_list, cmd_candidates, cmd_openings, cmd_balance
 *   report.c    cmd_fair_allocate, cmd_fair_schedule, cmd_fair_report
 *   plans.c     cmd_orderclass_plan, cmd_apprenticeship_match
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

#include "csvio.h"
#include "proto.h"
#include "records.h"
#include "schema.h"
#include "strtab.h"
#include "xalloc.h"

enum { EXIT_DATA = 1, EXIT_USAGE = 2, EXIT_CONN = 3 };

enum out_fmt { OUT_TABLE, OUT_CSV, OUT_JSON, OUT_XLSX };

/* Every option of every command; unset numbers are -1, strings NULL. */
struct opts {
	const char *host, *unix_path, *token;
	enum out_fmt fmt;
	long long k, grad_year, min_available, top, limit;
	long long min_size, max_size, time_limit;
	double min_score;            /* NaN when unset */
	const char *region, *by, *fair, *after, *dir, *encoding;
	const char *lang;            /* --lang zh|en; NULL: zh but for --csv */
	const char *xlsx;            /* --xlsx FILE (fmt is OUT_XLSX) */
	const char **kinds;          /* --kind/--kinds args, nkinds of them */
	char **query;                /* --query KEY=VALUE,... args, nquery */
	const char *role, *owner, *school;
	char **filters;              /* "field=value", nfilters of them */
	const char **programs;       /* --program/--programs args, nprograms */
	int nfilters, nprograms, nkinds, nquery, explain, bom, no_bom, dry_run;
	int strict;                  /* import --strict: warnings refuse */
	int allow_move, sync;        /* import --allow-move, --sync */
};

/*
 * Whether tables are in Chinese (headings, enum values): --lang, else yes
 * but for --csv, which keeps field names and codes so it imports back.
 */
int cli_zh(const struct opts *o);
/* Whether CSV output starts with a UTF-8 BOM: yes unless --no-bom or
 * GB18030 (Excel in China opens UTF-8 correctly only with one). */
int cli_bom(const struct opts *o);
/* Decimals of a number cell: `text` in text tables, all of them else. */
int cli_dec(const struct opts *o, int text);
/*
 * The graduation year a query uses when it names none (docs/protocol.md):
 * of today's local date, or of a date "YYYY-MM-DD" (a fair's); the year
 * itself when on or before 31 August, else the next.  0 for a bad date.
 */
int cli_grad_year(const char *date);

/* The items of comma-separated args, each a malloc'd string (plans.c). */
char **cli_split(const char *const *args, size_t nargs, size_t *n);

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
/* Print a daemon error for `what` and return EXIT_DATA; a refusal for
 * want of a login (1001) says how to give a token. */
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


/* ---------------------------------------------------------------- table */

/*
 * Rows of cells under a header.  Each column may carry flags:
 *   COL_NUM   numbers: aligned right, written as numbers to a workbook
 *   COL_DEC2, COL_DEC3   and shown there with 2 or 3 decimals
 *   COL_ID    an id or code whose name is the next column: in text the
 *             two are one cell, "E1 某机床厂", under the name's heading
 */
enum { COL_NUM = 1, COL_ID = 2, COL_DEC2 = 4, COL_DEC3 = 8 };

/* A column: its field name (the English heading), its Chinese heading
 * (NULL: ref_heading's), its flags. */
struct col {
	const char *key, *zh;
	unsigned flags;
};

struct table {
	size_t ncols;
	char **head;
	unsigned *flags;             /* COL_* of each column */
	char **cells;                /* row-major, ncols a row */
	size_t ncells, cap;
};

void table_init(struct table *t, size_t ncols, const char *const *head);
/* Columns from a spec, headed in Chinese when zh. */
void table_init_cols(struct table *t, const struct col *cols, size_t ncols,
    int zh);
void table_free(struct table *t);
size_t table_rows(const struct table *t);
/* A column and a cell as rec_cells hands them over (t is the table). */
void table_head(const char *text, size_t col, void *t);
void table_cell(const char *text, size_t col, void *t);
/* Records of kind k as export writes them (rec_cells: the CSV columns
 * of docs/csv.md), number columns flagged COL_NUM; t is initialised. */
void table_records(struct table *t, enum schema_kind k,
    const msgpack_object *const *recs, size_t n);
/* Append the next cell of the current row (copied; NULL is ""). */
void table_add(struct table *t, const char *s);
void table_addf(struct table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Common cells: a str object, an integer or float object, a score. */
void table_add_obj(struct table *t, const msgpack_object *o);
void table_add_num(struct table *t, double d, int decimals);
/* Two cells, a code and its name from the reference tables ("" when the
 * table lacks it); a code as ref_enum words it. */
void table_add_region(struct table *t, const msgpack_object *code);
void table_add_industry(struct table *t, const msgpack_object *code);
void table_add_major(struct table *t, const msgpack_object *code);
void table_add_enum(struct table *t, const msgpack_object *code, int zh);
/* Print as aligned text (cells cut to a width of 64) or as CSV (every
 * column, and no BOM or conversion: book_write does those). */
void table_print(const struct table *t, FILE *f, enum out_fmt fmt);

/* Display width of a UTF-8 string in terminal columns (CJK = 2). */
size_t table_width(const char *s);

/* ----------------------------------------------------------------- book */

/*
 * What a command prints: header lines ("毕业年份 2026"), sections of one
 * table each, closing lines.  book_write renders it as o asks:
 *   text   the header lines, each section's title and table ("（无）" when
 *          empty), the closing lines, blank lines between;
 *   CSV    the one section marked BOOK_CSV alone; several as "# title"
 *          blocks under "# label value" header lines; UTF-8 with a BOM
 *          (cli_bom) or GB18030 (--encoding), CRLF;
 *   xlsx   a sheet 概要 (summary) of the header and closing lines, then a
 *          sheet per BOOK_XLSX section, written to o->xlsx.
 */
enum { BOOK_TEXT = 1, BOOK_CSV = 2, BOOK_XLSX = 4, BOOK_ALL = 7 };

struct book {
	const struct opts *o;
	int zh;                      /* cli_zh(o) */
	struct { char *label, *value; } *kv;
	size_t nkv;
	char **foot;
	size_t nfoot;
	struct book_sect {
		char *title, *sheet;
		struct table t;
		unsigned where, style;   /* BOOK_*; XLSX_* */
	} *sect;
	size_t nsect;
};

void book_init(struct book *b, const struct opts *o);
/* A header line: the label in the book's language, then the value. */
void book_kv(struct book *b, const char *zh, const char *en, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
void book_foot(struct book *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A new section; its table (the book's) is headed in the book's language. */
struct table *book_table(struct book *b, unsigned where, const char *sheet,
    const char *title, const struct col *cols, size_t ncols);
/* A new section of a table already built: the book takes t's contents
 * over (t is left empty) and returns where they now are. */
struct table *book_adopt(struct book *b, unsigned where, const char *sheet,
    const char *title, struct table *t);
/* The style of the last section's sheet (XLSX_FORM). */
void book_style(struct book *b, unsigned style);
/* Print or save: 0, or EXIT_DATA after a message. */
int book_write(const struct book *b);
void book_free(struct book *b);

/* ----------------------------------------------------------------- xlsx */

/*
 * A workbook written at xlsx_close.  Each table is a sheet: its heading
 * row bold and frozen, with an autofilter; columns as wide as their text
 * (CJK counting 2, at most 60); COL_NUM cells as numbers; printed one page
 * wide with the heading on every page.  Sheet names are made valid for
 * Excel (31 characters, none of []:*?/\, unique); a table over Excel's
 * 1,048,575 rows goes on into "NAME (2)" ...  XLSX_FORM: a form to fill in
 * by hand (borders, tall rows), such as a sign-in sheet.
 */
enum { XLSX_FORM = 1 };
struct xlsx;
/* NULL after a message. */
struct xlsx *xlsx_open(const char *path);
int xlsx_table(struct xlsx *x, const char *sheet, const struct table *t,
    unsigned style);
/* Write the file and free x: 0, or -1 after a message. */
int xlsx_close(struct xlsx *x);

/* ------------------------------------------------------------------ ref */

/*
 * Names out of the tables in data/, compiled in (as the daemon's catalog
 * is), so the client needs no data path.  Strings live as long as the
 * process; NULL when the table lacks the code.
 *   ref_region    "330702" 金华市婺城区, "3307" 金华市, "33" 浙江省 (a
 *                 county the table lacks: its city's name)
 *   ref_industry  GB/T 4754-2017, as records write it: "C36" 汽车制造业
 *   ref_major     the 2021 catalog: "46" 装备制造大类, "4601", "460103"
 *   ref_major_level  the level of a major code by its first digit:
 *                 "secondary" (6, 7), "higher" (4, 5), "bachelor" (2, 3)
 * ref_enum: a code's Chinese word when zh (levels 中职 技工 高职 本科, posting
 * kinds, match statuses and reasons, balance's * and -), else the code.
 * ref_heading: a column's heading, Chinese when zh (a static buffer for
 * cohort_YYYY: copy it before the next call), else the key.
 */
const char *ref_region(const char *code, size_t n);
const char *ref_industry(const char *code, size_t n);
const char *ref_major(const char *code, size_t n);
const char *ref_major_level(const char *code, size_t n);
const char *ref_enum(const char *code, int zh);
const char *ref_heading(const char *key, int zh);

/* ----------------------------------------------------------- commands */

int cmd_import(const struct opts *o, int argc, char **argv);
int cmd_export(const struct opts *o, int argc, char **argv);
int cmd_template(const struct opts *o, int argc, char **argv);
int cmd_list(const struct opts *o, int argc, char **argv);
int cmd_candidates(const struct opts *o, int argc, char **argv);
int cmd_openings(const struct opts *o, int argc, char **argv);
int cmd_balance(const struct opts *o, int argc, char **argv);
int cmd_fair_allocate(const struct opts *o, int argc, char **argv);
int cmd_fair_schedule(const struct opts *o, int argc, char **argv);
int cmd_fair_report(const struct opts *o, int argc, char **argv);
int cmd_orderclass_plan(const struct opts *o, int argc, char **argv);
int cmd_apprenticeship_match(const struct opts *o, int argc, char **argv);

#endif
