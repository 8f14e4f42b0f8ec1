/*
 * server — listeners and connections.
 *
 * A connection is driven by its read and write events only.  A read pass
 * reads once, handles the whole frames buffered, and writes the replies
 * at once (one recv and one send for a pipelined burst, as redis does
 * before it sleeps); only when the socket will not take everything does
 * the write event get armed.  A connection is freed at one point: by
 * conn_done, at the end of the callback (its own, a job's reply, the
 * backlog's or the housekeeping timer's) that made it CONN_DEAD, or by
 * the eviction that runs after a callback is over.  Replies from the
 * writer and worker threads find their connection by fd, checked by id.
 *
 * Fairness: a pass handles frames for at most READ_PASS_US (in the
 * callback of a read or of a job's reply) or PASS_US (on the backlog) of
 * work, or PASS_BYTES of replies; a connection with whole frames left goes
 * on the backlog, a FIFO served by one event of the lowest priority, a
 * slice at a time, so the loop polls the sockets between slices and a
 * cheap request on another connection waits for about one pass, never for
 * a pipelined burst.
 *
 * Memory: the reply buffers of all connections are counted (reply_mem);
 * over max_reply_memory the connection holding the most is closed.
 */
#include "daemon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <linux/sockios.h>
#include <malloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "xalloc.h"

#define READ_CHUNK 65536
#define CLOSE_DRAIN_S 2        /* how long a closing connection drains */
#define STOP_FLUSH_MS 2000     /* at shutdown, how long replies may take */
#define STOP_READ_MAX (64 << 20) /* and how much unread input is answered */
#define TRIM_IDLE_MS 1000      /* quiet this long: its buffers are freed */
#define OUT_KEEP (4 << 20)     /* a drained reply buffer over this is freed */
#define READ_PASS_US 100       /* a pass's work where the socket is read, */
#define PASS_US 300            /* one on the backlog ... */
#define PASS_BYTES (1 << 20)   /* ... and replies, before it yields */
#define SLICE_US 500           /* the backlog's work between two polls */

/* Connections waiting to be accepted (the kernel caps it at somaxconn): a
 * burst of thousands must not overflow it while the loop is busy. */
#define LISTEN_BACKLOG 4096

#define CONN_JOBS 4
#define CONN_HOLD_INPUT (1 << 20)   /* input kept while waiting for jobs */


/*
 * A connection's life, in order; it only moves forward.  Every callback
 * ends by freeing a CONN_DEAD connection (conn_done), and nothing else
 * frees one but the eviction (between callbacks) and the shutdown.
 */
enum conn_state {
	CONN_OPEN,        /* frames are handled */
	CONN_CLOSING,     /* a violation or failed commit: input is ignored,
			     the replies queued are still sent */
	CONN_DRAINING,    /* replies sent and our side shut down: input is
			     discarded until the peer's FIN or the deadline */
	CONN_DEAD,        /* to be freed: peer gone, or nothing left to do */
};

struct conn {
	uint64_t id;              /* for replies from worker threads */
	int fd;
	struct event *rev, *wev;
	struct proto_buf in, out;
	struct proto_scan scan;
	struct session sess;
	uint64_t born_ms;         /* accepted, monotonic (auth_timeout_s) */
	uint64_t last_ms;         /* last byte read, monotonic */
	uint64_t progress_ms;     /* last byte written or read by the peer,
				     or the reply queue last seen empty
				     (idle_timeout_s) */
	int outq;                 /* bytes the socket held unread (SIOCOUTQ) */
	size_t counted;           /* out.cap as counted in reply_mem */
	time_t deadline;          /* CONN_DRAINING: give up then */
	enum conn_state state;
	/*
	 * The read side, beside the state: eof once the peer's FIN is read;
	 * paused while the reply queue is over max_reply_queue; held while
	 * its input waits for its jobs; queued while it waits on the
	 * backlog.  rev is added exactly while rd_armed, which conn_done
	 * keeps equal to "none of these, and the daemon not stopping"
	 * (conn_want_read); wr_armed exactly while wev is added.  authed
	 * once a login succeeded (or without a tokens file); out_empty when
	 * the last flush left nothing queued.
	 */
	unsigned eof : 1, paused : 1, held : 1, queued : 1, rd_armed : 1,
	    wr_armed : 1, authed : 1, out_empty : 1;
	unsigned jobs;            /* its calls on the writer and worker threads */
	unsigned writes;          /* of which writes */
	struct conn *prev, *next;
	struct conn *bprev, *bnext;   /* on the backlog */
};

static struct conn *conns;
/* Open connections by fd, for the replies coming back from jobs. */
static struct conn **byfd;
static size_t nbyfd;
static struct evconnlistener *listeners[2];
static struct event *tick, *backlog_ev;
static struct conn *backlog, *backlog_tail;
static size_t reply_mem;                /* sum of the counted out.cap */
static uint64_t stop_flush_until;       /* ms: shutdown's flush deadline */
static dev_t unix_dev;                  /* the socket we bound, to remove */
static ino_t unix_ino;                  /* only that one at exit */

/*
 * Freed buffers stay in malloc's heap: once a MiB of them was freed, the
 * next tick gives the memory back (malloc_trim), and an eviction storm at
 * once every TRIM_EVICTED, so the RSS of closed connections does not
 * stay.  (Not by M_MMAP_THRESHOLD: with every buffer of 128 KiB and more
 * mapped, each mmap and munmap took the process's mmap lock, which the
 * writer's page faults in the LMDB map hold, and the loop stalled behind
 * them: ping p99 20 ms during a province import, 3-4 ms without.)
 */
#define TRIM_BYTES (1 << 20)
#define TRIM_EVICTED (256 << 20)
static size_t released;

static void buf_release(struct proto_buf *b)
{
	released += b->cap;
	proto_buf_free(b);
}

static void trim_over(size_t bytes)
{
	if (released >= bytes) {
		malloc_trim(0);
		released = 0;
	}
}

static int conn_want_read(const struct conn *c)
{
	return !c->eof && !c->paused && !c->held && !c->queued &&
	    c->state != CONN_DEAD && !daemon_g.stopping;
}

/* Stop handling c's input; what is queued is still sent. */
static void conn_close(struct conn *c)
{
	if (c->state == CONN_OPEN)
		c->state = CONN_CLOSING;
}

/*
 * The backlog runs as a timer of no delay, not event_active: libevent runs
 * an event activated from its own callback again in the same pass, before
 * it polls, and the backlog would then hold the loop until it was empty.
 * A timer fires after the next poll, behind the sockets that are ready.
 */
static void backlog_arm(void)
{
	static const struct timeval now = { 0, 0 };
	if (!event_pending(backlog_ev, EV_TIMEOUT, NULL))
		event_add(backlog_ev, &now);
}

static void backlog_remove(struct conn *c)
{
	if (!c->queued)
		return;
	if (c->bprev)
		c->bprev->bnext = c->bnext;
	else
		backlog = c->bnext;
	if (c->bnext)
		c->bnext->bprev = c->bprev;
	else
		backlog_tail = c->bprev;
	c->bprev = c->bnext = NULL;
	c->queued = 0;
}

static void backlog_add(struct conn *c)
{
	if (c->queued)
		return;
	c->queued = 1;
	c->bnext = NULL;
	c->bprev = backlog_tail;
	if (backlog_tail)
		backlog_tail->bnext = c;
	else
		backlog = c;
	backlog_tail = c;
	backlog_arm();
}

static void conn_free(struct conn *c)
{
	if (c->jobs)
		jobs_cancel(c->id);      /* its plans are for nobody now */
	backlog_remove(c);
	if (c->prev)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	event_free(c->rev);
	event_free(c->wev);
	byfd[c->fd] = NULL;
	close(c->fd);
	reply_mem -= c->counted;
	buf_release(&c->in);
	buf_release(&c->out);
	proto_scan_free(&c->scan);
	free(c);
	stats_conn.current--;
}

/*
 * Close c with a reset rather than a FIN (a client over a limit): the
 * kernel drops what its socket still holds at once, rather than keep
 * offering it to a peer that does not read.
 */
static void conn_abort(struct conn *c)
{
	struct linger lg = { 1, 0 };
	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	c->state = CONN_DEAD;
}

/*
 * The end of every callback: the read event follows the flags, the reply
 * buffer is counted, and a dead connection is freed.
 */
static void conn_done(struct conn *c)
{
	if (c->state == CONN_DEAD) {
		conn_free(c);
		return;
	}
	int want = conn_want_read(c);
	if (want != c->rd_armed) {
		if (want)
			event_add(c->rev, NULL);
		else
			event_del(c->rev);
		c->rd_armed = (unsigned)want;
	}
	reply_mem += c->out.cap - c->counted;
	c->counted = c->out.cap;
}

/*
 * Over max_reply_memory: free the biggest reply buffer if it is empty,
 * else close its connection (dropping its replies), until under.  Called
 * between callbacks, when no connection is in hand.
 */
static void reply_memory_check(void)
{
	while (reply_mem > daemon_g.cfg.max_reply_memory) {
		struct conn *big = NULL;
		for (struct conn *c = conns; c; c = c->next)
			if (!big || c->counted > big->counted)
				big = c;
		if (!big || big->counted == 0)
			return;
		if (proto_buf_pending(&big->out) == 0) {
			buf_release(&big->out);
			conn_done(big);
			continue;
		}
		stats_limit_hit(LIMIT_REPLY_MEMORY);
		log_warn("closing connection %llu: it holds %zu bytes of unread "
		    "replies, the most of any, and all hold %zu, over "
		    "max_reply_memory (%llu)", (unsigned long long)big->id,
		    proto_buf_pending(&big->out), reply_mem,
		    daemon_g.cfg.max_reply_memory);
		conn_abort(big);
		conn_free(big);
	}
	trim_over(TRIM_EVICTED);             /* not at the tick: now */
}

/*
 * At shutdown the loop ends once no call is left on the other threads and
 * every reply is written, or the flush deadline has passed.
 */
static void stop_check(void)
{
	size_t writes, calls;

	if (!daemon_g.stopping)
		return;
	jobs_counts(&writes, &calls);
	if (writes || calls) {
		stop_flush_until = stats_now_us() / 1000 + STOP_FLUSH_MS;
		return;
	}
	if (stats_now_us() / 1000 < stop_flush_until)
		for (struct conn *c = conns; c; c = c->next)
			if (c->state < CONN_DRAINING && proto_buf_pending(&c->out))
				return;
	event_base_loopbreak(daemon_g.base);
}

/* After every callback: the checks that may touch other connections. */
static void after_callback(void)
{
	reply_memory_check();
	stop_check();
}

/*
 * At shutdown: the whole frames c holds are answered -32603 (nothing of
 * them is run); a partial one waits (server_stop may read its rest), and
 * bytes that are no frame end the connection.
 */
static void conn_refuse_rest(struct conn *c)
{
	while (c->state == CONN_OPEN) {
		const char *p = c->in.data + c->in.off;
		size_t n = proto_buf_pending(&c->in);
		uint32_t id;
		switch (proto_scan(&c->scan, p, n, daemon_g.cfg.max_frame)) {
		case PROTO_FRAME:
			break;
		case PROTO_PARTIAL:
			return;
		default:
			conn_close(c);
			return;
		}
		if (proto_peek_msgid(p, c->scan.len, &id))
			methods_reject(p, c->scan.len, PROTO_INTERNAL, "the daemon is "
			    "shutting down: the request was not run", &c->out);
		proto_buf_consume(&c->in, c->scan.len);
		proto_scan_reset(&c->scan);
	}
}

/*
 * Handle buffered frames until none is whole, or the reply queue is full,
 * or the next must wait for this connection's calls on other threads, or
 * the pass has used its share (then c goes on the backlog).
 */
static void conn_process(struct conn *c, uint64_t now_us, uint64_t budget_us)
{
	const struct config *cfg = &daemon_g.cfg;
	uint64_t start = now_us;
	size_t out0 = proto_buf_pending(&c->out);

	if (daemon_g.stopping) {
		conn_refuse_rest(c);
		return;
	}
	while (c->state == CONN_OPEN) {
		/*
		 * A connection keeps at most CONN_JOBS calls on the writer and
		 * workers: the rest of its pipeline waits in its input buffer
		 * (and then in the socket) rather than filling the shared queue
		 * (1029 is for a daemon busy with many clients, not for one
		 * client's burst).  With writes in flight only more writes go
		 * (the writer keeps their order); anything else waits until they
		 * are committed, so that it sees them.
		 */
		if (c->jobs >= CONN_JOBS || (c->writes && c->scan.len == 0 &&
		    !methods_is_write(c->in.data + c->in.off,
		    proto_buf_pending(&c->in)))) {
			if (!c->eof && proto_buf_pending(&c->in) > CONN_HOLD_INPUT)
				c->held = 1;
			return;
		}
		if (proto_buf_pending(&c->out) > cfg->max_reply_queue) {
			if (!c->paused) {
				c->paused = 1;
				stats_limit_hit(LIMIT_REPLY_QUEUE);
			}
			return;
		}
		const char *p = c->in.data + c->in.off;
		size_t n = proto_buf_pending(&c->in);
		if (n > 0 && (now_us - start >= budget_us ||
		    proto_buf_pending(&c->out) - out0 >= PASS_BYTES)) {
			backlog_add(c);          /* its share is used: later */
			return;
		}
		switch (proto_scan(&c->scan, p, n, cfg->max_frame)) {
		case PROTO_PARTIAL:
			if (c->eof && n > 0)
				conn_close(c);    /* a frame cut short by FIN */
			return;
		case PROTO_BAD:
			methods_reject(p, n, PROTO_PARSE_ERROR, "not MessagePack",
			    &c->out);
			conn_close(c);
			return;
		case PROTO_TOO_BIG:
			stats_limit_hit(LIMIT_FRAME);
			methods_reject(p, n, PROTO_TOO_LARGE,
			    "frame larger than max_frame", &c->out);
			conn_close(c);
			return;
		case PROTO_FRAME:
			break;
		}
		size_t len = c->scan.len;
		if (c->scan.maxdepth > cfg->max_depth) {
			stats_limit_hit(LIMIT_DEPTH);
			methods_reject(p, len, PROTO_TOO_LARGE,
			    "nesting deeper than max_depth", &c->out);
			now_us = stats_now_us();      /* not the next call's time */
		} else {
			struct job *j = NULL;
			if (methods_handle(&c->sess, p, len, c->scan.maxdepth,
			    &c->out, &j, &now_us))
				conn_close(c);
			if (c->sess.role != ROLE_NONE)
				c->authed = 1;
			if (j) {
				j->conn = c->id;
				j->fd = c->fd;
				c->jobs++;
				c->writes += j->write;
				uint32_t id;
				if (jobs_submit(j) < 0) {   /* never a write */
					c->jobs--;
					jobs_free(j);   /* a notification just drops */
					stats_limit_hit(LIMIT_JOBS);
					if (proto_peek_msgid(p, len, &id))
						methods_reject(p, len, PROTO_BUSY, "the job "
						    "queue is full; retry later", &c->out);
				}
				now_us = stats_now_us();  /* the hand-over's time */
			}
		}
		proto_buf_consume(&c->in, len);
		proto_scan_reset(&c->scan);
	}
}

/* Write what the socket takes; arm the write event for the rest. */
static void conn_flush(struct conn *c)
{
	uint64_t now_ms = stats_now_us() / 1000;

	if (c->out_empty && proto_buf_pending(&c->out) > 0)
		c->progress_ms = now_ms;      /* replies queued from now on */
	while (proto_buf_pending(&c->out) > 0) {
		ssize_t w = send(c->fd, c->out.data + c->out.off,
		    proto_buf_pending(&c->out), MSG_NOSIGNAL);
		if (w > 0) {
			proto_buf_consume(&c->out, (size_t)w);
			c->progress_ms = now_ms;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!c->wr_armed) {
				event_add(c->wev, NULL);
				c->wr_armed = 1;
			}
			c->out_empty = 0;
			return;
		}
		c->state = CONN_DEAD;         /* peer gone */
		return;
	}
	c->out_empty = 1;
	c->progress_ms = now_ms;
	if (c->out.cap > OUT_KEEP)
		buf_release(&c->out);      /* a big reply went: its room too */
	if (c->wr_armed) {
		event_del(c->wev);
		c->wr_armed = 0;
	}
	if (daemon_g.stopping && c->jobs == 0)
		conn_close(c);                /* nothing more will come */
	if (c->state == CONN_CLOSING) {
		/* Reply delivered: say so, then drain the peer's input briefly. */
		shutdown(c->fd, SHUT_WR);
		c->state = CONN_DRAINING;
		c->deadline = time(NULL) + CLOSE_DRAIN_S;
	}
	if (c->eof && (c->state == CONN_DRAINING || (c->jobs == 0 &&
	    proto_buf_pending(&c->in) == 0)))
		c->state = CONN_DEAD;         /* the peer is done and so are we */
}

/*
 * Write what the socket takes, and resume reading a paused connection
 * once its replies are down to half the limit: by a flush from any
 * callback, not only the write event's (a socket that takes the whole
 * queue at once never arms it).
 */
static void conn_drain(struct conn *c)
{
	conn_flush(c);
	while (c->state != CONN_DEAD && c->paused &&
	    proto_buf_pending(&c->out) <= daemon_g.cfg.max_reply_queue / 2) {
		c->paused = 0;
		conn_process(c, stats_now_us(), READ_PASS_US);
		conn_flush(c);
	}
}

void server_job_done(struct job *j)
{
	/* The id tells the connection from a later one on the same fd. */
	struct conn *c = (size_t)j->fd < nbyfd ? byfd[j->fd] : NULL;

	if (j->fd < 0) {                  /* the web console's */
		http_job_done(j);
		after_callback();
		return;
	}

	if (!c || c->id != j->conn || c->state == CONN_DEAD) {
		stop_check();
		return;
	}
	c->jobs--;
	c->writes -= j->write;
	c->held = 0;
	if (c->state < CONN_DRAINING)
		proto_buf_append(&c->out, j->out.data + j->out.off,
		    proto_buf_pending(&j->out));
	if (!c->paused && !c->queued)
		conn_process(c, stats_now_us(), READ_PASS_US);  /* frames that waited */
	conn_drain(c);
	conn_done(c);
	after_callback();
}

static char chunk[READ_CHUNK];       /* the loop's read buffer */

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	uint64_t now_us;
	(void)what;

	/*
	 * Into one buffer of the loop's, then onto the connection's: an idle
	 * or trickling connection holds only the bytes it sent.
	 */
	ssize_t r = recv(fd, chunk, sizeof chunk, 0);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (r < 0) {
		c->state = CONN_DEAD;
	} else if (r == 0) {
		/* A half-close is taken for a close: a plan stops (its reply,
		 * an error, is still sent); the cheap calls finish. */
		c->eof = 1;
		if (c->jobs)
			jobs_cancel(c->id);
	}
	now_us = stats_now_us();
	if (r > 0) {
		c->last_ms = now_us / 1000;
		if (c->state == CONN_OPEN)       /* else closing: discard */
			proto_buf_append(&c->in, chunk, (size_t)r);
	}
	if (c->state != CONN_DEAD && !c->paused && !c->queued)
		conn_process(c, now_us, READ_PASS_US);
	if (c->state != CONN_DEAD)
		conn_drain(c);
	conn_done(c);
	after_callback();
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	(void)fd, (void)what;

	conn_drain(c);
	conn_done(c);
	after_callback();
}

/* The backlog's turn: one pass each, in order, for a slice of time. */
static void on_backlog(evutil_socket_t fd, short what, void *arg)
{
	uint64_t t0 = stats_now_us(), now = t0;
	struct conn *last = backlog_tail;
	(void)fd, (void)what, (void)arg;

	while (backlog && now - t0 < SLICE_US) {
		struct conn *c = backlog;
		int end = c == last;
		backlog_remove(c);
		if (c->state == CONN_OPEN && !c->paused)
			conn_process(c, now, PASS_US);   /* may queue it again */
		if (c->state != CONN_DEAD)
			conn_drain(c);
		conn_done(c);
		now = stats_now_us();
		if (end)
			break;                    /* each had its turn: poll */
	}
	if (backlog)
		backlog_arm();
	after_callback();
}

static int is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return 0;
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct conn *c;
	int one = 1;
	(void)l, (void)salen, (void)arg;

	if (daemon_g.stopping || stats_conn.current >= daemon_g.cfg.max_connections) {
		stats_conn.refused++;
		stats_limit_hit(LIMIT_CONNECTIONS);
		close(fd);
		return;
	}
	if (!daemon_g.cfg.tokens[0] && !daemon_g.cfg.allow_public &&
	    sa->sa_family != AF_UNIX && !is_loopback(sa)) {
		stats_conn.refused++;      /* protected mode */
		close(fd);
		return;
	}
	if (sa->sa_family != AF_UNIX)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	evutil_make_socket_nonblocking(fd);
	static uint64_t next_id;
	if ((size_t)fd >= nbyfd) {
		size_t n = nbyfd ? nbyfd : 64;
		while (n <= (size_t)fd)
			n *= 2;
		byfd = xrealloc(byfd, n * sizeof *byfd);
		memset(byfd + nbyfd, 0, (n - nbyfd) * sizeof *byfd);
		nbyfd = n;
	}
	c = xcalloc(1, sizeof *c);
	c->id = ++next_id;
	c->fd = fd;
	c->born_ms = c->last_ms = c->progress_ms = stats_now_us() / 1000;
	c->out_empty = 1;
	c->sess.role = daemon_g.cfg.tokens[0] ? ROLE_NONE : ROLE_ADMIN;
	c->authed = !daemon_g.cfg.tokens[0];
	c->rev = event_new(daemon_g.base, fd, EV_READ | EV_PERSIST, on_read, c);
	c->wev = event_new(daemon_g.base, fd, EV_WRITE | EV_PERSIST, on_write, c);
	event_add(c->rev, NULL);
	c->rd_armed = 1;
	c->next = conns;
	if (conns)
		conns->prev = c;
	conns = c;
	byfd[fd] = c;
	stats_conn.current++;
	stats_conn.total++;
}

static void on_accept_error(struct evconnlistener *l, void *arg)
{
	(void)l, (void)arg;
	/* EMFILE and friends: log and keep serving the connections we have. */
	log_warn("accept: %s", strerror(errno));
}

/*
 * A connection's buffers keep the size of the biggest frame and reply it
 * ever had (a client that imported a 16 MiB batch would hold 16 MiB for
 * as long as it stays connected): once it has been quiet a second with
 * nothing in them, they are freed, to be allocated again on its next read.
 */
static void conn_trim(struct conn *c, uint64_t now_ms)
{
	if (c->state != CONN_OPEN || c->jobs ||
	    now_ms - c->last_ms < TRIM_IDLE_MS || proto_buf_pending(&c->in) || proto_buf_pending(&c->out) ||
	    c->scan.len)
		return;
	buf_release(&c->in);
	buf_release(&c->out);
	proto_scan_free(&c->scan);
}

size_t server_buffered(void)
{
	size_t n = 0;
	for (struct conn *c = conns; c; c = c->next)
		n += c->in.cap + c->out.cap + c->scan.cap * sizeof *c->scan.stack;
	return n;
}

/*
 * Once a second: closing connections past their drain; idle ones (silent
 * with nothing owed, or with replies that have not moved); ones not logged
 * in in time; buffers of quiet connections.
 */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	const struct config *cfg = &daemon_g.cfg;
	time_t now = time(NULL);
	uint64_t now_ms = stats_now_us() / 1000;
	uint64_t idle_ms = cfg->idle_timeout_s * 1000;
	uint64_t auth_ms = cfg->tokens[0] ? cfg->auth_timeout_s * 1000 : 0;
	(void)fd, (void)what, (void)arg;

	for (struct conn *c = conns, *next; c; c = next) {
		int q;
		next = c->next;
		/*
		 * The socket's own buffer may hold megabytes: a client reading
		 * slowly empties it long before send() takes more, so what it
		 * reads is seen here, as the socket's queue shrinking.
		 */
		if (proto_buf_pending(&c->out) > 0 &&
		    ioctl(c->fd, SIOCOUTQ, &q) == 0) {
			if (q < c->outq)
				c->progress_ms = now_ms;
			c->outq = q;
		}
		if (c->state == CONN_DRAINING && now >= c->deadline) {
			c->state = CONN_DEAD;
		} else if (idle_ms && c->state < CONN_DRAINING &&
		    proto_buf_pending(&c->out) > 0 &&
		    now_ms - c->progress_ms >= idle_ms) {
			stats_limit_hit(LIMIT_IDLE);
			log_info("closing connection %llu: %zu bytes of replies "
			    "unread for %llus", (unsigned long long)c->id,
			    proto_buf_pending(&c->out), cfg->idle_timeout_s);
			conn_abort(c);
		} else if (idle_ms && c->state == CONN_OPEN && !c->jobs &&
		    proto_buf_pending(&c->out) == 0 &&
		    now_ms - c->last_ms >= idle_ms) {
			stats_limit_hit(LIMIT_IDLE);
			log_debug("closing connection %llu: idle for %llus",
			    (unsigned long long)c->id, cfg->idle_timeout_s);
			c->state = CONN_DEAD;
		} else if (auth_ms && !c->authed && c->state == CONN_OPEN &&
		    now_ms - c->born_ms >= auth_ms) {
			stats_limit_hit(LIMIT_AUTH);
			log_info("closing connection %llu: not logged in within "
			    "%llus", (unsigned long long)c->id, cfg->auth_timeout_s);
			c->state = CONN_DEAD;
		} else {
			conn_trim(c, now_ms);
		}
		conn_done(c);
	}
	trim_over(TRIM_BYTES);
	after_callback();
}

static int listen_tcp(void)
{
	const struct config *cfg = &daemon_g.cfg;
	struct addrinfo hints, *res = NULL;
	char host[256], portstr[16], shown[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	int port, rc;

	if (config_split_listen(cfg->listen, host, sizeof host, &port) < 0) {
		log_error("listen: '%s' is not HOST:PORT", cfg->listen);
		return -1;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(portstr, sizeof portstr, "%d", port);
	if ((rc = getaddrinfo(host, portstr, &hints, &res)) != 0) {
		log_error("listen %s: %s", cfg->listen, gai_strerror(rc));
		return -1;
	}
	if (!cfg->tokens[0] && !cfg->allow_public && !is_loopback(res->ai_addr)) {
		log_error("refusing to listen on %s without a tokens file "
		    "(protected mode): configure tokens, or set allow_public = yes",
		    cfg->listen);
		freeaddrinfo(res);
		return -1;
	}
	listeners[0] = evconnlistener_new_bind(daemon_g.base, on_accept, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    LISTEN_BACKLOG, res->ai_addr, (int)res->ai_addrlen);
	freeaddrinfo(res);
	if (!listeners[0]) {
		log_error("listen %s: %s", cfg->listen, strerror(errno));
		return -1;
	}
	evconnlistener_set_error_cb(listeners[0], on_accept_error);
	getsockname(evconnlistener_get_fd(listeners[0]), (struct sockaddr *)&ss, &sl);
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, shown, sizeof shown);
		port = ntohs(s6->sin6_port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &s4->sin_addr, shown, sizeof shown);
		port = ntohs(s4->sin_port);
	}
	if (!cfg->tokens[0] && !is_loopback((struct sockaddr *)&ss))
		log_warn("no tokens file and allow_public = yes: anyone who can "
		    "reach %s is admin", shown);
	else if (!cfg->tokens[0])
		log_info("protected mode: no tokens file, serving loopback and "
		    "Unix-socket clients only, every connection is admin");
	fprintf(stderr, ss.ss_family == AF_INET6 ?
	    "chanjiaod: listening on [%s]:%d\n" : "chanjiaod: listening on %s:%d\n",
	    shown, port);
	return 0;
}

/*
 * What is at the Unix socket path: 0 when nothing is, or a socket nobody
 * listens on (removed); -1 with a logged reason when it must stay: a live
 * socket (another daemon's), or anything that is not a socket.
 */
static int unix_path_free(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		log_error("unix socket %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_error("unix socket %s: the path exists and is not a socket; "
		    "refusing to replace it", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		log_error("unix socket %s: %s", path, strerror(errno));
		return -1;
	}
	rc = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
	int err = errno;
	close(fd);
	if (rc == 0) {
		log_error("unix socket %s: another process is listening on it; "
		    "refusing to take it over", path);
		return -1;
	}
	if (err != ECONNREFUSED) {
		log_error("unix socket %s: cannot tell whether it is in use (%s); "
		    "leaving it", path, strerror(err));
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		log_error("unix socket %s: removing the stale socket: %s", path,
		    strerror(errno));
		return -1;
	}
	log_info("unix socket %s: replacing a stale socket nobody listened on",
	    path);
	return 0;
}

static int listen_unix(void)
{
	const char *path = daemon_g.cfg.unix_path;
	struct sockaddr_un sun;
	struct stat st;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if (unix_path_free(path, &sun) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0 ||
	    listen(fd, LISTEN_BACKLOG) < 0) {
		log_error("unix socket %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (stat(path, &st) == 0) {
		unix_dev = st.st_dev;
		unix_ino = st.st_ino;
	}
	listeners[1] = evconnlistener_new(daemon_g.base, on_accept, NULL,
	    LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (!listeners[1]) {
		close(fd);
		return -1;
	}
	evconnlistener_set_error_cb(listeners[1], on_accept_error);
	log_info("serving Unix socket %s", path);
	return 0;
}

/* Close the listeners; the Unix socket's path goes if it is still ours. */
static void close_listeners(void)
{
	struct stat st;

	for (int i = 0; i < 2; i++)
		if (listeners[i]) {
			evconnlistener_free(listeners[i]);
			listeners[i] = NULL;
			if (i == 1 && stat(daemon_g.cfg.unix_path, &st) == 0 &&
			    st.st_dev == unix_dev && st.st_ino == unix_ino)
				unlink(daemon_g.cfg.unix_path);
		}
}

int server_listen(void)
{
	struct timeval one = { 1, 0 };

	backlog_ev = event_new(daemon_g.base, -1, 0, on_backlog, NULL);
	event_priority_set(backlog_ev, PRIO_LOW);
	if (daemon_g.cfg.unix_path[0] && listen_unix() < 0)
		return -1;
	if (listen_tcp() < 0) {
		close_listeners();
		return -1;
	}
	tick = event_new(daemon_g.base, -1, EV_PERSIST, on_tick, NULL);
	event_add(tick, &one);
	return 0;
}

void server_stop(void)
{
	close_listeners();
	stop_flush_until = stats_now_us() / 1000 + STOP_FLUSH_MS;
	for (struct conn *c = conns, *next; c; c = next) {
		next = c->next;
		if (c->jobs)
			jobs_cancel(c->id);   /* plans give up; the rest finish */
		backlog_remove(c);
		/*
		 * What the client sent before the signal is answered too, as
		 * far as the socket holds it (and up to STOP_READ_MAX): read
		 * and refused a chunk at a time.
		 */
		for (size_t got = 0; c->state == CONN_OPEN && !c->eof &&
		    got < STOP_READ_MAX;) {
			conn_refuse_rest(c);
			ssize_t r = recv(c->fd, chunk, sizeof chunk, 0);
			if (r <= 0)
				break;
			proto_buf_append(&c->in, chunk, (size_t)r);
			got += (size_t)r;
		}
		conn_process(c, stats_now_us(), 0);
		if (c->state != CONN_DEAD)
			conn_drain(c);
		conn_done(c);
	}
	after_callback();
}

void server_shutdown(void)
{
	close_listeners();
	while (conns) {
		conn_flush(conns);
		conn_free(conns);
	}
	free(byfd);
	byfd = NULL;
	nbyfd = 0;
	if (tick) {
		event_free(tick);
		tick = NULL;
	}
	if (backlog_ev) {
		event_free(backlog_ev);
		backlog_ev = NULL;
	}
}
