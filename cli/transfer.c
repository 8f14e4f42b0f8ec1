/*
 * transfer — `import` and `export`.
 *
 * An import file is all-or-nothing.  Its records are checked before
 * anything is sent.  A file that fits one batch (max_batch records, at
 * most BATCH_BYTES) is one <kind>.put {records}, which the daemon applies
 * atomically.  A larger one is written in batches, each once the current
 * version of every id in it has been read (on a second connection, while
 * the batches before it are written); when a batch is refused (or
 * the connection breaks) the batches already written are undone: records
 * that existed are put back as they were, new ones are deleted.  This is
 * not isolation: a concurrent writer of the same ids can still interleave.
 */
#include "cli.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Bytes of records in one batch, well under the default 16 MiB frame. */
#define BATCH_BYTES (8u << 20)
/* Records before a file counts as large (a progress bar on a terminal). */
#define PROGRESS_MIN 1000

/* The import order of a directory: references before referrers. */
static const enum schema_kind dir_order[] = {
	SCHEMA_SCHOOL, SCHEMA_ENTERPRISE, SCHEMA_SPECIALTY, SCHEMA_POSTING,
	SCHEMA_FAIR, SCHEMA_PROGRAM, SCHEMA_STUDENT,
};

/*
 * SIGINT and SIGTERM while a file goes in batches: the write loop stops
 * at the next batch boundary and undoes what it wrote.
 */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void catch_signals(int on, struct sigaction old[2])
{
	struct sigaction sa = { .sa_handler = on_signal };

	if (on) {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &old[0]);
		sigaction(SIGTERM, &sa, &old[1]);
	} else {
		sigaction(SIGINT, &old[0], NULL);
		sigaction(SIGTERM, &old[1], NULL);
	}
}

/* ------------------------------------------------------------ progress */

struct progress {
	const char *label;
	size_t total;
	int on, pct;
};

static void progress_start(struct progress *p, const char *label, size_t total)
{
	p->label = label;
	p->total = total;
	p->on = total >= PROGRESS_MIN && isatty(STDERR_FILENO);
	p->pct = -1;
}

static void progress_set(struct progress *p, size_t done)
{
	int pct = p->total ? (int)(100 * done / p->total) : 100, bar;

	if (!p->on || pct == p->pct)
		return;
	p->pct = pct;
	bar = pct * 30 / 100;
	fprintf(stderr, "\r%s [%.*s%*s] %3d%% %zu/%zu", p->label, bar,
	    "##############################", 30 - bar, "", pct, done, p->total);
	fflush(stderr);
}

static void progress_end(struct progress *p)
{
	if (p->on)
		fputs("\r\033[K", stderr);
	p->on = 0;
}

/* -------------------------------------------------------------- sending */

/*
 * The snapshot: each id's record before the import, read by a thread on
 * its own connection while the batches go on the sender's.  A batch
 * waits for the old versions of its items (wait_read); the lock orders
 * old[] between the two threads.
 */
struct reader {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	struct rpc r;
	msgpack_sbuffer sb;          /* packs each old record (one thread) */
	unsigned char *in;           /* item i read */
	size_t upto;                 /* items [0, upto) read */
	int started;                 /* the thread runs: join it */
	int quit;                    /* the sender is done: stop reading */
	int over;                    /* the thread is done */
	int rc;                      /* 0, or the exit code once it failed */
};

struct sender {
	const struct opts *o;
	struct rpc *r;
	struct rec_set *s;
	char put[32], del[32], label[160];
	long long max;               /* records per batch */
	char **old;                  /* each id's record before the import */
	size_t *oldlen;
	struct reader rd;
	struct progress pg;
};

static size_t batch_end(const struct sender *sd, size_t from)
{
	size_t to = from, bytes = 0;

	while (to < sd->s->n && (long long)(to - from) < sd->max &&
	    (to == from || bytes + sd->s->items[to].len <= BATCH_BYTES))
		bytes += sd->s->items[to++].len;
	return to;
}

/* Send <kind>.put {records: [old or new records from..to)}: its msgid. */
static uint32_t put_send(struct sender *sd, size_t from, size_t to, int old)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t n = 0;
	uint32_t id;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	for (size_t i = from; i < to; i++)
		n += !old || sd->old[i];
	msgpack_pack_map(&pk, 1);
	proto_pack_cstr(&pk, "records");
	msgpack_pack_array(&pk, (uint32_t)n);
	for (size_t i = from; i < to; i++) {
		if (!old)
			msgpack_sbuffer_write(&sb, sd->s->buf.data + sd->s->items[i].off,
			    sd->s->items[i].len);
		else if (sd->old[i])
			msgpack_sbuffer_write(&sb, sd->old[i], sd->oldlen[i]);
	}
	id = rpc_send(sd->r, sd->put, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	return id;
}

/* put_send and its reply: 0 with rep, or -1 on a broken connection. */
static int put_range(struct sender *sd, size_t from, size_t to, int old,
    struct rpc_reply *rep)
{
	uint32_t id = put_send(sd, from, to, old);
	return id ? rpc_wait(sd->r, id, rep) : -1;
}

/* 1 when err refuses a batch for its size (nothing written): learn it. */
static int batch_too_large(struct sender *sd, const msgpack_object *err,
    size_t sent)
{
	struct rpc_error e;
	char *p;

	rpc_error_of(err, &e);
	if (e.code != PROTO_TOO_LARGE || strcmp(e.field, "records") || sent < 2)
		return 0;
	p = strrchr(e.message, '(');
	long long lim = p ? strtoll(p + 1, NULL, 10) : 0;
	sd->max = lim >= 1 && lim < (long long)sent ? lim : (long long)sent / 2;
	return 1;
}

/* Print a refused batch's error at the row and column it names. */
static void report_batch_error(struct sender *sd, size_t from,
    const msgpack_object *err)
{
	struct rpc_error e;
	char *end, where[SCHEMA_PATH_MAX + 128];

	rpc_error_of(err, &e);
	if (!strncmp(e.field, "records[", 8)) {
		size_t i = strtoul(e.field + 8, &end, 10);
		if (*end == ']' && from + i < sd->s->n) {
			rec_where(sd->s, from + i, end[1] == '.' ? end + 2 : "",
			    where, sizeof where);
			cli_err("%s: %s (code %lld)", where, e.message, e.code);
			return;
		}
	}
	rpc_report(sd->put, err);
}

/* ---- snapshot: the version of every id before the import */

static void snap_pack(size_t i, msgpack_packer *pk, void *ctx)
{
	struct sender *sd = ctx;
	char id[SCHEMA_ID_MAX + 1];
	msgpack_pack_map(pk, 1);
	pack_kv_str(pk, "id", rec_id(sd->s, i, id, sizeof id));
}

static int snap_done(size_t i, struct rpc_reply *rep, void *ctx)
{
	struct sender *sd = ctx;
	struct reader *rd = &sd->rd;
	struct rpc_error e;
	char *old = NULL;
	size_t len = 0;

	if (rep->error) {
		rpc_error_of(rep->error, &e);
		if (e.code != PROTO_NOT_FOUND) {
			pthread_mutex_lock(&rd->mu);
			if (!rd->rc)
				rpc_report("reading the records the import would replace",
				    rep->error);
			rd->rc = EXIT_DATA;
			pthread_cond_broadcast(&rd->cv);
			pthread_mutex_unlock(&rd->mu);
			return 1;
		}
	} else {
		/*
		 * Packed in the reader's buffer, kept at its size: an sbuffer
		 * starts at 8 KiB, which a million old records made 8 GiB.
		 */
		msgpack_packer pk;
		rd->sb.size = 0;
		msgpack_packer_init(&pk, &rd->sb, msgpack_sbuffer_write);
		msgpack_pack_object(&pk, *rep->result);
		len = rd->sb.size;
		old = xmalloc(len);
		memcpy(old, rd->sb.data, len);
	}
	pthread_mutex_lock(&rd->mu);
	sd->old[i] = old;
	sd->oldlen[i] = len;
	rd->in[i] = 1;
	while (rd->upto < sd->s->n && rd->in[rd->upto])
		rd->upto++;
	if (!rd->started)                  /* read here, before the writes */
		progress_set(&sd->pg, rd->upto);
	int quit = rd->quit;
	pthread_cond_broadcast(&rd->cv);
	pthread_mutex_unlock(&rd->mu);
	return quit;
}

/* Read the snapshot on r, then mark the reader over. */
static void read_all(struct sender *sd, struct rpc *r)
{
	struct reader *rd = &sd->rd;
	char get[32];

	snprintf(get, sizeof get, "%s.get", schema_kind_name[sd->s->kind]);
	int rc = rpc_pipeline(r, get, sd->s->n, snap_pack, snap_done, sd);
	pthread_mutex_lock(&rd->mu);
	if (rc < 0 && !rd->rc && !rd->quit) {
		/* its connection is quiet: say it here, unless stopped */
		cli_err("%s: the connection reading the current records broke",
		    sd->s->name);
		rd->rc = EXIT_CONN;
	}
	rd->over = 1;
	pthread_cond_broadcast(&rd->cv);
	pthread_mutex_unlock(&rd->mu);
}

static void *reader_run(void *arg)
{
	struct sender *sd = arg;

	read_all(sd, &sd->rd.r);
	rpc_close(&sd->rd.r);
	return NULL;
}

/*
 * Start reading the snapshot on a second connection; when the daemon
 * will not serve one (at max_connections, say), read it here on the
 * sender's first, as before the writes.  0 or EXIT_*.
 */
static int reader_start(struct sender *sd)
{
	struct reader *rd = &sd->rd;
	struct rpc_reply rep;
	pthread_condattr_t ca;
	sigset_t stop, was;
	const char *why = "the daemon refused a second connection";

	sd->old = xcalloc(sd->s->n, sizeof *sd->old);
	sd->oldlen = xcalloc(sd->s->n, sizeof *sd->oldlen);
	rd->in = xcalloc(sd->s->n, 1);
	msgpack_sbuffer_init(&rd->sb);
	pthread_mutex_init(&rd->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&rd->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rpc_open_quiet(&rd->r, sd->o) == 0) {
		int ok = rpc_call(&rd->r, "system.ping", NULL, &rep) == 0;
		if (ok) {
			ok = !rep.error;
			rpc_reply_free(&rep);
		}
		if (ok) {
			/* SIGINT and SIGTERM stay the sender's (catch_signals) */
			sigemptyset(&stop);
			sigaddset(&stop, SIGINT);
			sigaddset(&stop, SIGTERM);
			pthread_sigmask(SIG_BLOCK, &stop, &was);
			rd->started = 1;           /* before it runs: snap_done reads it */
			int rc = pthread_create(&rd->th, NULL, reader_run, sd);
			pthread_sigmask(SIG_SETMASK, &was, NULL);
			if (rc == 0)
				return 0;
			rd->started = 0;
			why = strerror(rc);
		}
		rpc_close(&rd->r);
	}
	cli_err("%s: reading the current records before writing (%s)",
	    sd->s->name, why);
	snprintf(sd->label, sizeof sd->label, "%s: reading", sd->s->name);
	progress_start(&sd->pg, sd->label, sd->s->n);
	read_all(sd, sd->r);
	progress_end(&sd->pg);
	if (rd->rc)
		cli_err("%s: nothing imported", sd->s->name);
	return rd->rc;
}

/*
 * Wait until the old versions of items [0, to) are read: 0, or the exit
 * code of the failed read, or -1 when interrupted while waiting.
 */
static int wait_read(struct sender *sd, size_t to)
{
	struct reader *rd = &sd->rd;
	int rc;

	pthread_mutex_lock(&rd->mu);
	while (rd->upto < to && !rd->over && !rd->rc && !interrupted) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_nsec += 100 * 1000 * 1000;      /* to look at `interrupted` */
		if (t.tv_nsec >= 1000000000L) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&rd->cv, &rd->mu, &t);
	}
	rc = rd->rc ? rd->rc : rd->upto >= to ? 0 : interrupted ? -1 : EXIT_CONN;
	pthread_mutex_unlock(&rd->mu);
	return rc;
}

/*
 * Stop the reader: at its next reply, or at once when its connection is
 * shut (a stalled peer must not keep the client from undoing or
 * exiting).  Its fd is open until it is over, which it marks under the
 * lock held here.  The writer stops it before undoing, so that the undo
 * can reconnect where the daemon allows few connections.
 */
static void reader_stop(struct sender *sd)
{
	struct reader *rd = &sd->rd;

	if (!rd->started)
		return;
	pthread_mutex_lock(&rd->mu);
	rd->quit = 1;
	if (!rd->over)
		shutdown(rd->r.fd, SHUT_RDWR);
	pthread_mutex_unlock(&rd->mu);
	pthread_join(rd->th, NULL);
	rd->started = 0;
}

/* Stop the reader and free it. */
static void reader_end(struct sender *sd)
{
	struct reader *rd = &sd->rd;

	if (!rd->in)
		return;
	reader_stop(sd);
	pthread_mutex_destroy(&rd->mu);
	pthread_cond_destroy(&rd->cv);
	msgpack_sbuffer_destroy(&rd->sb);
	free(rd->in);
	rd->in = NULL;
}

/* ---- rollback: put back the old versions, delete the new records */

struct undo {
	struct sender *sd;
	size_t *idx, n, failed;
};

static void undo_pack(size_t i, msgpack_packer *pk, void *ctx)
{
	struct undo *u = ctx;
	char id[SCHEMA_ID_MAX + 1];
	msgpack_pack_map(pk, 1);
	pack_kv_str(pk, "id", rec_id(u->sd->s, u->idx[i], id, sizeof id));
}

static int undo_done(size_t i, struct rpc_reply *rep, void *ctx)
{
	struct undo *u = ctx;
	struct rpc_error e;
	char id[SCHEMA_ID_MAX + 1];

	if (!rep->error)
		return 0;
	rpc_error_of(rep->error, &e);
	if (e.code == PROTO_NOT_FOUND)
		return 0;                /* never written: nothing to undo */
	u->failed++;
	cli_err("rollback: deleting %s %s: %s", schema_kind_name[u->sd->s->kind],
	    rec_id(u->sd->s, u->idx[i], id, sizeof id), e.message);
	return 0;
}

/*
 * Undo records [0, upto) but those of [skip, skip_to) (a refused batch:
 * nothing of it is written); 0 when the store is as before the import.
 */
static int rollback(struct sender *sd, size_t upto, size_t skip,
    size_t skip_to)
{
	struct undo u = { sd, xmalloc((upto + 1) * sizeof *u.idx), 0, 0 };
	struct rpc_reply rep;

	for (size_t from = 0; from < upto;) {
		if (from >= skip && from < skip_to) {
			from = skip_to;
			continue;
		}
		size_t to = batch_end(sd, from);
		if (to > upto)
			to = upto;
		if (from < skip && to > skip)
			to = skip;
		size_t olds = 0;
		for (size_t i = from; i < to; i++)
			olds += sd->old[i] != NULL;
		if (olds) {
			if (put_range(sd, from, to, 1, &rep) < 0) {
				u.failed++;
				break;
			}
			if (rep.error) {
				u.failed++;
				rpc_report("rollback: putting back the earlier records",
				    rep.error);
			}
			rpc_reply_free(&rep);
		}
		from = to;
	}
	for (size_t i = 0; i < upto; i++)
		if (!sd->old[i] && (i < skip || i >= skip_to))
			u.idx[u.n++] = i;
	if (!u.failed && rpc_pipeline(sd->r, sd->del, u.n, undo_pack, undo_done,
	    &u) < 0)
		u.failed++;
	free(u.idx);
	return u.failed ? -1 : 0;
}

/*
 * The batch of items [from, to) failed: undo items [0, upto) — the
 * batches before it, and the one after it when that was written, not
 * itself; when the connection broke, every batch sent, itself too (any
 * may have been applied, and undoing what was not is harmless) — and say
 * what happened.
 */
static int undo_and_report(struct sender *sd, size_t from, size_t to,
    size_t upto, int broken)
{
	const char *name = sd->s->name;
	size_t row = sd->s->items[from].row;

	reader_stop(sd);
	if (broken) {
		rpc_close(sd->r);
		if (rpc_open(sd->r, sd->o) != 0) {
			cli_err("%s: connection lost while writing the batch from row "
			    "%zu; rows 2..%zu may be written and could not be rolled "
			    "back", name, row, sd->s->items[upto - 1].row);
			return EXIT_CONN;
		}
	}
	if (upto > 0 && rollback(sd, upto, from, broken ? from : to) < 0) {
		cli_err("%s: ROLLBACK FAILED: some records of rows 2..%zu are still "
		    "written; fix the cause and import the file again", name,
		    sd->s->items[upto - 1].row);
		return broken ? EXIT_CONN : EXIT_DATA;
	}
	if (broken) {
		cli_err("%s: nothing imported (the connection broke during the batch "
		    "from row %zu; reconnected and rolled back every record written)",
		    name, row);
		return EXIT_CONN;
	}
	if (upto == 0)
		cli_err("%s: nothing imported", name);
	else
		cli_err("%s: nothing imported (the batch from row %zu was refused; "
		    "the records written were rolled back)", name, row);
	return EXIT_DATA;
}

/*
 * The writing stopped early, after items [0, done) were sent (why: a
 * prefix for the messages, "interrupted: " or ""): undo them, return rc.
 */
static int undo_stopped(struct sender *sd, size_t done, const char *why,
    int rc)
{
	reader_stop(sd);
	if (done && rollback(sd, done, 0, 0) < 0) {
		cli_err("%s: %sROLLBACK FAILED: some records of rows 2..%zu are "
		    "still written; import the file again", sd->s->name, why,
		    sd->s->items[done - 1].row);
		return rc;
	}
	cli_err("%s: %snothing imported (%zu records written were rolled back)",
	    sd->s->name, why, done);
	return rc;
}

/*
 * Batches go two at a time, so that the daemon checks the next while it
 * stores this one (docs/protocol.md, "Writes"): a third more records a
 * second on one connection.  When a batch is refused, the one sent after
 * it is answered before anything is undone, and the undo covers it when
 * it was written, never the refused batch (nothing of it is).  When the
 * connection breaks, every batch sent is undone: undoing records never
 * written is harmless (old versions put back, deletes answered 1004).  A
 * batch refused for its size is sent again in smaller ones, and so is the
 * one after it (a put of the same records again changes nothing).
 */
#define WRITE_WINDOW 2

static int write_batches(struct sender *sd)
{
	struct { size_t from, to; uint32_t id; } q[WRITE_WINDOW];
	size_t nq = 0, next = 0;
	size_t hw = 0;         /* items [0, hw) were sent: any may be written */
	struct rpc_reply rep;
	int unread = 0;                    /* the snapshot failed: its code */

	snprintf(sd->label, sizeof sd->label, "%s: writing", sd->s->name);
	progress_start(&sd->pg, sd->label, sd->s->n);
	for (;;) {
		while (nq < WRITE_WINDOW && next < sd->s->n && !interrupted &&
		    !unread) {
			size_t to = batch_end(sd, next);
			int rc = wait_read(sd, to);
			if (rc) {
				unread = rc > 0 ? rc : 0;      /* -1: interrupted */
				break;
			}
			if (to > hw)
				hw = to;
			if (!(q[nq].id = put_send(sd, next, to, 0))) {
				progress_end(&sd->pg);
				return undo_and_report(sd, nq ? q[0].from : next, to, hw, 1);
			}
			q[nq].from = next;
			q[nq++].to = next = to;
		}
		if (nq == 0)
			break;
		if (rpc_wait(sd->r, q[0].id, &rep) < 0) {
			progress_end(&sd->pg);
			return undo_and_report(sd, q[0].from, q[0].to, hw, 1);
		}
		if (!rep.error) {
			rpc_reply_free(&rep);
			progress_set(&sd->pg, q[0].to);
			for (size_t i = 1; i < nq; i++)
				q[i - 1] = q[i];
			nq--;
			continue;
		}
		/* Refused: the batch after it is answered first. */
		int smaller = batch_too_large(sd, rep.error, q[0].to - q[0].from);
		int after = 0;                 /* the batch after it was written */
		if (!smaller) {
			progress_end(&sd->pg);
			report_batch_error(sd, q[0].from, rep.error);
		}
		rpc_reply_free(&rep);
		if (nq > 1) {
			if (rpc_wait(sd->r, q[1].id, &rep) < 0) {
				progress_end(&sd->pg);
				return undo_and_report(sd, q[0].from, q[0].to, hw, 1);
			}
			after = !rep.error;
			rpc_reply_free(&rep);
		}
		/*
		 * Batches sent before going smaller may reach past this window
		 * and into this batch: then everything sent is undone, this
		 * batch too (undoing what was not written is harmless).
		 */
		if (!smaller && hw > q[nq - 1].to)
			return undo_and_report(sd, q[0].from, q[0].from, hw, 0);
		if (!smaller)
			return undo_and_report(sd, q[0].from, q[0].to,
			    after ? q[1].to : q[0].from, 0);
		next = q[0].from;              /* again, in smaller batches */
		nq = 0;
	}
	progress_end(&sd->pg);
	if (unread)
		return undo_stopped(sd, hw, "", unread);
	if (interrupted && next < sd->s->n)
		return undo_stopped(sd, hw, "interrupted: ", EXIT_DATA);
	return 0;
}

static int send_batches(struct sender *sd)
{
	struct sigaction old[2];
	int rc;

	interrupted = 0;
	catch_signals(1, old);
	if ((rc = reader_start(sd)) == 0)
		rc = write_batches(sd);
	reader_end(sd);
	catch_signals(0, old);
	return rc;
}

static int send_set(const struct opts *o, struct rpc *r, struct rec_set *s)
{
	struct sender sd = { .o = o, .r = r, .s = s };
	struct rpc_reply rep;
	int rc = 0;

	sd.max = o->batch > 0 ? o->batch : 10000;
	snprintf(sd.put, sizeof sd.put, "%s.put", schema_kind_name[s->kind]);
	snprintf(sd.del, sizeof sd.del, "%s.del", schema_kind_name[s->kind]);
	if (s->n == 0)
		return 0;
	if ((long long)s->n <= sd.max && batch_end(&sd, 0) == s->n) {
		snprintf(sd.label, sizeof sd.label, "%s: writing", s->name);
		progress_start(&sd.pg, sd.label, s->n);
		progress_set(&sd.pg, 0);
		rc = put_range(&sd, 0, s->n, 0, &rep);
		progress_end(&sd.pg);
		if (rc < 0) {
			cli_err("%s: the connection broke during the one batch: the "
			    "daemon applied all of it or none", s->name);
			return EXIT_CONN;
		}
		if (!rep.error) {
			rpc_reply_free(&rep);
			return 0;
		}
		if (!batch_too_large(&sd, rep.error, s->n)) {
			report_batch_error(&sd, 0, rep.error);
			rpc_reply_free(&rep);
			cli_err("%s: nothing imported", s->name);
			return EXIT_DATA;
		}
		rpc_reply_free(&rep);
	}
	rc = send_batches(&sd);
	for (size_t i = 0; sd.old && i < s->n; i++)
		free(sd.old[i]);
	free(sd.old);
	free(sd.oldlen);
	return rc;
}

/* --------------------------------------------------------------- import */

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* " (GB18030)", " (UTF-16LE, tab-separated)": how a file was read, when
 * not as plain UTF-8 CSV. */
static const char *read_as(const struct rec_set *s, char *buf, size_t cap)
{
	buf[0] = 0;
	if (s->enc != CSVIO_UTF8 || s->sep != ',')
		snprintf(buf, cap, " (%s%s)", csvio_enc_name[s->enc],
		    s->sep == '\t' ? ", tab-separated" : "");
	return buf;
}

static void imported(const struct rec_set *s)
{
	char how[64];

	printf("imported %zu %s from %s%s\n", s->n, s->n == 1 ?
	    schema_kind_name[s->kind] : schema_kind_plural[s->kind], s->path,
	    read_as(s, how, sizeof how));
	fflush(stdout);
}

/* The kind of a file named like the files of `import DIR`, or -1. */
static int kind_of_file(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	for (int k = 0; k < SCHEMA_NKINDS; k++)
		if (!strcmp(base, rec_file_name[k]))
			return k;
	return -1;
}

static int paths_have(char **paths, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		size_t pl = strlen(paths[i]), nl = strlen(name);
		if (pl >= nl && !strcmp(paths[i] + pl - nl, name))
			return 1;
	}
	return 0;
}

/* Fair part files without fairs.csv are not read: say so. */
static void warn_orphan_parts(const char *dir)
{
	for (int f = RF_FAIR_DIRS; f < RF_NFILES; f++) {
		char *p = xmalloc(strlen(dir) + 32);
		sprintf(p, "%s/%s", dir, rec_file_name[f]);
		if (access(p, F_OK) == 0)
			cli_err("warning: %s is not read without fairs.csv", p);
		free(p);
	}
}

/*
 * Say what the report holds: its problems, then for warnings alone that
 * the rows go in as written.  1 when it refuses the import.
 */
static int say_report(const struct csvio_report *rep)
{
	csvio_report_say(rep);
	if (csvio_report_failed(rep)) {
		if (rep->strict_errors)
			cli_err("nothing imported: fix the rows above and run again "
			    "(--strict refuses the %zu code%s the shipped tables lack)",
			    rep->strict_errors, rep->strict_errors == 1 ? "" : "s");
		else
			cli_err("nothing imported: fix the rows above and run again");
		return 1;
	}
	if (rep->warnings)
		cli_err("warning: %zu warning%s above: the rows are imported as "
		    "written (--strict refuses them)", rep->warnings,
		    rep->warnings == 1 ? "" : "s");
	return 0;
}

int cmd_import(const struct opts *o, int argc, char **argv)
{
	struct rec_set sets[SCHEMA_NKINDS];
	char *paths[SCHEMA_NKINDS] = { NULL };
	struct csvio_report rep;
	size_t nsets = 0;
	int rc = 0, k;
	struct rpc r;

	csvio_report_init(&rep, o->strict);
	if (argc == 3 || (argc == 2 && !is_dir(argv[1]))) {
		k = argc == 3 ? rec_kind_of(argv[1]) : kind_of_file(argv[1]);
		if (k < 0) {
			cli_err(argc == 3 ? "import: unknown kind %s" : "import: %s is "
			    "not a directory, nor named like schools.csv ...: say "
			    "import KIND FILE", argv[1]);
			return EXIT_USAGE;
		}
		paths[0] = xstrdup(argv[argc - 1]);
		if (rec_load(&sets[nsets++], k, paths[0], o->encoding, &rep) < 0)
			rc = EXIT_DATA;
	} else if (argc == 2 && is_dir(argv[1])) {
		for (size_t i = 0; i < sizeof dir_order / sizeof dir_order[0]; i++) {
			char *p = xmalloc(strlen(argv[1]) + 32);
			sprintf(p, "%s/%s", argv[1], rec_file_name[dir_order[i]]);
			if (access(p, F_OK) != 0) {
				free(p);
				continue;
			}
			paths[nsets] = p;
			if (rec_load(&sets[nsets++], dir_order[i], p, o->encoding,
			    &rep) < 0)
				rc = EXIT_DATA;
		}
		if (!paths_have(paths, nsets, rec_file_name[SCHEMA_FAIR]))
			warn_orphan_parts(argv[1]);
		if (nsets == 0) {
			cli_err("import: %s holds none of schools.csv, enterprises.csv, "
			    "specialties.csv, postings.csv, fairs.csv, programs.csv, "
			    "students.csv", argv[1]);
			csvio_report_free(&rep);
			return EXIT_DATA;
		}
	} else {
		cli_err("usage: chanjiao import KIND FILE.csv | import FILE.csv | "
		    "import DIR");
		return EXIT_USAGE;
	}
	if (say_report(&rep))
		rc = EXIT_DATA;
	if (rc)
		goto out;
	if (o->dry_run) {
		for (size_t i = 0; i < nsets; i++) {
			char how[64];
			printf("checked %zu %s in %s%s\n", sets[i].n,
			    schema_kind_plural[sets[i].kind], sets[i].path,
			    read_as(&sets[i], how, sizeof how));
		}
		goto out;
	}
	if ((rc = rpc_open(&r, o)) != 0)
		goto out;
	for (size_t i = 0; i < nsets && rc == 0; i++) {
		rc = send_set(o, &r, &sets[i]);
		if (rc == 0)
			imported(&sets[i]);
		else if (i > 0)
			cli_err("stopped: the files before %s stay imported",
			    sets[i].name);
	}
	rpc_close(&r);
out:
	for (size_t i = 0; i < nsets; i++) {
		rec_free(&sets[i]);
		free(paths[i]);
	}
	csvio_report_free(&rep);
	return rc;
}

/* --------------------------------------------------------------- export */

/* Every record of a kind, page by page through <kind>.list. */
struct pages {
	struct rpc_reply *rep;
	size_t nrep;
	const msgpack_object **items;
	size_t n, cap;
};

static void pages_free(struct pages *pg)
{
	for (size_t i = 0; i < pg->nrep; i++)
		rpc_reply_free(&pg->rep[i]);
	free(pg->rep);
	free(pg->items);
	memset(pg, 0, sizeof *pg);
}

static int list_all(struct rpc *r, enum schema_kind k, struct pages *pg)
{
	char method[32], after[SCHEMA_ID_MAX + 1] = "";
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc = 0;

	memset(pg, 0, sizeof *pg);
	snprintf(method, sizeof method, "%s.list", schema_kind_name[k]);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	for (;;) {
		struct rpc_reply *rep;
		uint32_t n;
		sb.size = 0;
		msgpack_pack_map(&pk, 1 + (*after != 0));
		pack_kv_int(&pk, "limit", 1000);
		if (*after)
			pack_kv_str(&pk, "after", after);
		pg->rep = xrealloc(pg->rep, (pg->nrep + 1) * sizeof *pg->rep);
		rep = &pg->rep[pg->nrep];
		if ((rc = rpc_call_or_fail(r, method, &sb, rep)) != 0)
			break;
		pg->nrep++;
		const msgpack_object *it = schema_arr(schema_opt(rep->result, "items"), &n);
		if (pg->cap - pg->n < n) {
			pg->cap = (pg->cap + n) * 2;
			pg->items = xrealloc(pg->items, pg->cap * sizeof *pg->items);
		}
		for (uint32_t i = 0; i < n; i++)
			pg->items[pg->n++] = &it[i];
		const msgpack_object *next = schema_opt(rep->result, "next");
		if (!next || n == 0)
			break;
		schema_str(next, after, sizeof after);
	}
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

/* Write one CSV file of the export (path NULL: stdout). */
static int save_csv(const struct opts *o, const char *path, enum rec_file file,
    const struct pages *pg)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	int rc;

	if (!f) {
		cli_err("open_memstream: %s", strerror(errno));
		return EXIT_DATA;
	}
	rec_write_csv(f, file, pg->items, pg->n);
	fclose(f);
	rc = csvio_save(path, buf, n, o->encoding, cli_bom(o)) < 0 ? EXIT_DATA : 0;
	free(buf);
	return rc;
}

static int export_kind(const struct opts *o, struct rpc *r, enum schema_kind k)
{
	struct pages pg;
	int rc = list_all(r, k, &pg);

	if (rc)
		return rc;
	if (o->fmt == OUT_JSON) {
		printf("[");
		for (size_t i = 0; i < pg.n; i++) {
			printf(i ? ",\n" : "\n");
			json_print(stdout, pg.items[i]);
		}
		printf("%s]\n", pg.n ? "\n" : "");
	} else if (!o->dir) {
		rc = save_csv(o, NULL, (enum rec_file)k, &pg);
	} else {
		int last = k == SCHEMA_FAIR ? RF_FAIR_REQUESTS : (int)k;
		for (int f = k; rc == 0 && f <= last; f = f == (int)k ? RF_FAIR_DIRS :
		    f + 1) {
			char *path = xmalloc(strlen(o->dir) + 32);
			sprintf(path, "%s/%s", o->dir, rec_file_name[f]);
			rc = save_csv(o, path, f, &pg);
			if (rc == 0 && f == (int)k)
				printf("exported %zu %s to %s\n", pg.n, pg.n == 1 ?
				    schema_kind_name[k] : schema_kind_plural[k], path);
			free(path);
		}
	}
	pages_free(&pg);
	return rc;
}

int cmd_export(const struct opts *o, int argc, char **argv)
{
	int all = argc == 2 && !strcmp(argv[1], "all");
	int k = argc == 2 ? rec_kind_of(argv[1]) : -1;
	struct rpc r;
	int rc;

	if (argc != 2 || (!all && k < 0)) {
		cli_err("usage: chanjiao export KIND [--csv|--json] [--dir DIR] | "
		    "export all --dir DIR");
		return EXIT_USAGE;
	}
	if (o->fmt == OUT_JSON && (all || o->dir)) {
		cli_err("export: --json writes to stdout; --dir is for CSV files");
		return EXIT_USAGE;
	}
	if ((all || k == SCHEMA_FAIR) && o->fmt != OUT_JSON && !o->dir) {
		cli_err("export %s: fairs are four CSV files (fairs.csv, "
		    "fair_directions.csv, fair_sessions.csv, fair_requests.csv): "
		    "give --dir DIR, or use --json", argv[1]);
		return EXIT_USAGE;
	}
	if (o->dir && mkdir(o->dir, 0777) < 0 && errno != EEXIST) {
		cli_err("%s: %s", o->dir, strerror(errno));
		return EXIT_DATA;
	}
	if ((rc = rpc_open(&r, o)) != 0)
		return rc;
	if (all) {
		for (size_t i = 0; rc == 0 && i < sizeof dir_order /
		    sizeof dir_order[0]; i++)
			rc = export_kind(o, &r, dir_order[i]);
	} else {
		rc = export_kind(o, &r, k);
	}
	rpc_close(&r);
	return rc;
}
