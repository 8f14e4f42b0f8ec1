/*
 * The daemon's modules and the state they share:
 *   server_*   listeners, connections and their I/O (server.c)
 *   methods_*  request decoding, the dispatch table, handlers (methods.c)
 *   stats_*    counters and latency histograms for system.stats (stats.c)
 *   http_*     the web console and its JSON bridge (http.c)
 *   log_*      stderr logging with time and level (main.c)
 */
#ifndef CJ_DAEMON_H
#define CJ_DAEMON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "proto.h"
#include "store.h"
#include "match.h"
#include "tokens.h"

struct event_base;
struct job;

/* Limit keys of docs/protocol.md "Limits", as counted in system.stats.limits. */
enum limit {
	LIMIT_FRAME, LIMIT_DEPTH, LIMIT_BATCH, LIMIT_K, LIMIT_LIMIT,
	LIMIT_CONNECTIONS, LIMIT_IDLE, LIMIT_AUTH, LIMIT_REPLY_QUEUE,
	LIMIT_REPLY_MEMORY, LIMIT_SCAN, LIMIT_JOBS, LIMIT_N
};
extern const char *const limit_name[LIMIT_N];

/*
 * What a connection may do (docs/protocol.md "Roles").  `hash` is its token's
 * hash; when the tokens file is re-read (gen changes) the session is
 * checked against the new file before its next request.
 */
struct session {
	enum tokens_role role;
	char owner[SCHEMA_ID_MAX + 1];
	unsigned char hash[32];
	unsigned gen;
};

struct daemon {
	struct config cfg;
	struct store *store;
	struct event_base *base;
	time_t started;
	volatile int stopping;
	struct tokens tokens;      /* empty without a tokens file */
	unsigned tokens_gen;       /* bumped by every reload */
};

extern struct daemon daemon_g;

/* Event priorities (main.c): 0 and 1 for signals and RPC, PRIO_LOW for
 * the backlog and the web console, LOW_BATCH callbacks a loop pass. */
#define PRIO_LOW 2
#define LOW_BATCH 8

/* Logging: one line to stderr, "2026-11-26T23:59:59Z LEVEL msg". */
void log_msg(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(CONFIG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(CONFIG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(CONFIG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(CONFIG_ERROR, __VA_ARGS__)

/*
 * Bind the configured listeners; prints the ready line.  -1 with a logged
 * reason on failure.
 */
int server_listen(void);
/*
 * SIGTERM: stop accepting and reading; answer the whole requests read but
 * not started with -32603; let the calls on the other threads finish
 * (plans are cancelled) and send their replies; then end the loop, once
 * nothing is in flight and every reply is written (or 2 s after the last
 * call came back).
 */
void server_stop(void);
/* After the loop: close every connection and free the server's state. */
void server_shutdown(void);
/* Bytes allocated for the open connections' buffers (system.stats). */
size_t server_buffered(void);

/*
 * Handle one complete frame of `len` bytes (already checked by
 * proto_scan: `depth` is its nesting) from a connection with session
 * `sess`, appending any reply to out.  Returns 1 when the connection must
 * be closed after the reply (-32700, -32600), else 0.  A write, or a
 * planner call (a method flagged to run on a worker), is not run: it
 * comes back in *defer, nothing written, for the caller to jobs_submit.
 * The writer and the workers call it with defer NULL (through
 * methods_run_job).  *clock (stats_now_us) is when the call started, the
 * end of the one before it in the same pass; it is set to when this one
 * ended.
 */
int methods_handle(struct session *sess, const char *frame, size_t len,
    size_t depth, struct proto_buf *out, struct job **defer, uint64_t *clock);
/* Free the loop's decoding zone (at exit). */
void methods_free(void);
/* 1 if frame[0..n) starts a call of a write method (its header is read). */
int methods_is_write(const char *frame, size_t n);
/* A reply for a frame rejected before decoding (too big, not msgpack). */
void methods_reject(const char *frame, size_t len, int code,
    const char *message, struct proto_buf *out);

/*
 * A planner call run on a worker thread (jobs.c): the request frame and a
 * copy of the session go over; the packed reply comes back in out.
 */
struct job {
	uint64_t conn;                  /* the connection's id and fd, */
	int fd;                         /* to find it again (server.c);
					   -1: a web console call (http.c) */
	struct session sess;
	char *frame;
	size_t len;
	int write;                      /* for the writer thread */
	int plan;                       /* for a planner thread */
	int scan;                       /* a long read: not on every worker */
	volatile int cancel;            /* a plan's connection went: stop */
	int stage;                      /* a write's: JOB_QUEUED, ... */
	int failed;                     /* a write failed: answered */
	struct proto_buf out;
	struct job *next, *wnext;       /* todo or done; the writer's queue */
};
enum { JOB_QUEUED, JOB_CHECKING, JOB_CHECKED };
int jobs_start(void);
void jobs_stop(void);
/* Queue j (owned by jobs from then on); -1 when max_jobs are in flight. */
int jobs_submit(struct job *j);
/* Connection conn is gone: its plans queued or running stop early. */
void jobs_cancel(uint64_t conn);
/* Writes queued or being written, planner calls queued or running. */
void jobs_counts(size_t *writes, size_t *calls);
void jobs_free(struct job *j);
/* On a worker or the writer: run j's frame, packing the reply into
 * j->out (a write's checks done by methods_check_job); 1 when it
 * failed (its error reply is in j->out), else 0. */
int methods_run_job(struct job *j);
/* Check write j without the store: 1 when it failed (its reply is in
 * j->out, unless it is a notification), else 0 and j->out is empty. */
int methods_check_job(struct job *j);
/* On the loop: j's reply goes to its connection if that is still open. */
void server_job_done(struct job *j);

/* A call being handled: what handlers see (methods.c owns the flow). */
struct call {
	struct session *sess;
	const msgpack_object *params;   /* always a map */
	msgpack_packer *pk;             /* packs the result after the header */
	struct proto_buf *out;          /* the same output, for raw bytes */
	enum schema_kind kind;          /* of <kind>.* methods */
	int phase;                      /* a write's: CALL_* */
	const volatile int *cancel;     /* a plan's: set when to give up */
	struct proto_err err;           /* set, with -1 returned, on failure */
};
/* A write runs whole, or checks only (no store), or applies (checked). */
enum { CALL_WHOLE, CALL_CHECK, CALL_APPLY };

/* Reject params keys outside `known` (NULL-terminated): -1 with c->err. */
int methods_only_keys(struct call *c, const char *const *known);
/* A required id parameter, checked; NULL with c->err when bad. */
const msgpack_object *methods_param_id(struct call *c, const char *name);

/*
 * docs/protocol.md "Roles": whether the session in arg may write rec of
 * kind k (a store_allow_fn, asked for the stored and the new record of
 * every write).
 */
int methods_may_write(void *arg, struct store *st, MDB_txn *txn,
    enum schema_kind k, const msgpack_object *rec);

/* import.csv (imports.c): a write, all or nothing. */
int imports_csv(struct call *c);

/* match.candidates, match.openings and stats.balance (queries.c). */
int queries_candidates(struct call *c);
int queries_openings(struct call *c);
int queries_balance(struct call *c);
/* The default graduation year (docs/matching.md), from today's date. */
int queries_grad_year(void);
/* A msgpack str as a view (empty for anything else). */
struct match_str queries_str(const msgpack_object *o);

/* fair.allocate and fair.schedule (planners.c), on worker threads;
 * orderclass.plan and apprenticeship.match on planner threads. */
int planners_allocate(struct call *c);
int planners_schedule(struct call *c);
/*
 * stats.balance by direction: fair.allocate's direction rows (supply,
 * demand) of fair fid at min_score 0 over every posting kind, its
 * specialties and postings cut to region_prefix (n 0: all); grad_year < 0
 * is the fair date's.  Packs {rows} into c->pk; reads through txn.
 */
int planners_direction_rows(struct call *c, MDB_txn *txn,
    const msgpack_object *fid, int grad_year, struct match_str region_prefix);
int planners_orderclass(struct call *c);
int planners_apprenticeship(struct call *c);

/*
 * A session's token still in the tokens file, re-read by SIGHUP?  Brings
 * role and owner up to date (ROLE_NONE: revoked); 0 when it was revoked.
 * On the loop only.
 */
int methods_session_fresh(struct session *s);

/* The web console (http.c).  http_listen binds [http] listen and prints
 * "chanjiaod: http on HOST:PORT" (0 also when off, or when the default
 * address is taken); http_stop stops accepting at SIGTERM; http_free
 * after the loop. */
int http_listen(void);
void http_stop(void);
void http_free(void);
/* On the loop: an API call's job (fd -1) is done; its reply goes out. */
void http_job_done(struct job *j);
/* The files of web/, embedded by embed.cmake; the last has name NULL. */
struct http_asset {
	const char *name;
	const unsigned char *data;
	size_t len;
};
extern const struct http_asset http_assets[];

/* Counters for system.stats. */
struct stats_conn { uint64_t current, total, refused; };
extern struct stats_conn stats_conn;
void stats_limit_hit(enum limit l);
/* Record one call of method index m (see methods.c) taking us µs. */
void stats_call(int m, int error, uint64_t us);
/* Pack the system.stats result; names[m] names method index m. */
void stats_pack(msgpack_packer *pk, const char *const *names, int nmethods);
uint64_t stats_now_us(void);

#endif
