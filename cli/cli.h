/*
 * cli — the `chanjiao` command-line client: one header for its modules.
 *
 *   chanjiao.c  main: options, the command table, the small commands
 *   rpc.c       rpc_*     one connection to chanjiaod, calls, pipelines;
 *               fetch_*   records by id through a pipeline of gets
 *   json.c      json_*    JSON output of MessagePack values
 *   transfer.c  cmd_import, cmd_export
 *   table.c     table_*   aligned tables for people (East Asian widths), CSV
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

enum out_fmt { OUT_TABLE, OUT_CSV, OUT_JSON };

/* Every option of every command; unset numbers are -1, strings NULL. */
struct opts {
	const char *host, *unix_path, *token;
	enum out_fmt fmt;
	long long k, grad_year, min_available, batch, top, limit;
	long long min_size, max_size, time_limit;
	double min_score;            /* NaN when unset */
	const char *region, *kind, *by, *fair, *after, *dir, *encoding;
	const char *role, *owner, *school;
	char **filters;              /* "field=value", nfilters of them */
	const char **programs;       /* --program/--programs args, nprograms */
	int nfilters, nprograms, explain, bom, dry_run;
};

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
/* A column and a cell as rec_cells hands them over (t is the table). */
void table_head(const char *text, size_t col, void *t);
void table_cell(const char *text, size_t col, void *t);
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
int cmd_orderclass_plan(const struct opts *o, int argc, char **argv);
int cmd_apprenticeship_match(const struct opts *o, int argc, char **argv);

#endif
