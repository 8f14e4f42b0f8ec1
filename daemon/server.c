/*
 * server — listeners and connections.
 *
 * A connection is driven by its read and write events only.  A read pass
 * reads once, handles every whole frame buffered, and writes the replies
 * at once (one recv and one send for a pipelined burst, as redis does
 * before it sleeps); only when the socket will not take everything does
 * the write event get armed.  A connection is freed at one point: by
 * conn_done, at the end of the callback (its own, a job's reply, or the
 * housekeeping timer's) that made it CONN_DEAD.  The timer also frees the
 * buffers of a connection gone quiet.  Replies from the writer and
 * worker threads find their connection by fd, checked by id.
 */
#include "daemon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "xalloc.h"

#define READ_CHUNK 65536
#define CLOSE_DRAIN_S 2        /* how long a closing connection drains */
#define TRIM_IDLE_MS 1000      /* quiet this long: its buffers are freed */

#define CONN_JOBS 4
#define CONN_HOLD_INPUT (1 << 20)   /* input kept while waiting for jobs */

/*
 * A connection's life, in order; it only moves forward.  Every callback
 * ends by freeing a CONN_DEAD connection (conn_done), and nothing else
 * frees one but the shutdown.
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
	uint64_t last_ms;         /* last byte read, monotonic */
	time_t deadline;          /* CONN_DRAINING: give up then */
	enum conn_state state;
	/*
	 * The read side, beside the state: eof once the peer's FIN is read
	 * (rev is then deleted for good); paused while the reply queue is
	 * over max_reply_queue, held while its input waits for its jobs (rev
	 * is deleted while either is set, and added back when both clear);
	 * wr_armed exactly while wev is added.
	 */
	unsigned eof : 1, paused : 1, held : 1, wr_armed : 1;
	unsigned jobs;            /* its calls on the writer and worker threads */
	unsigned writes;          /* of which writes */
	struct conn *prev, *next;
};

static struct conn *conns;
/* Open connections by fd, for the replies coming back from jobs. */
static struct conn **byfd;
static size_t nbyfd;
static struct evconnlistener *listeners[2];
static struct event *tick;

/* Stop handling c's input; what is queued is still sent. */
static void conn_close(struct conn *c)
{
	if (c->state == CONN_OPEN)
		c->state = CONN_CLOSING;
}

static void conn_free(struct conn *c)
{
	if (c->jobs)
		jobs_cancel(c->id);      /* its plans are for nobody now */
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
	proto_buf_free(&c->in);
	proto_buf_free(&c->out);
	proto_scan_free(&c->scan);
	free(c);
	stats_conn.current--;
}

/* The end of every callback: a dead connection is freed here. */
static void conn_done(struct conn *c)
{
	if (c->state == CONN_DEAD)
		conn_free(c);
}

/*
 * Handle buffered frames until none is whole, or the reply queue is full,
 * or the next must wait for this connection's calls on other threads.
 */
static void conn_process(struct conn *c, uint64_t now_us)
{
	const struct config *cfg = &daemon_g.cfg;

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
			if (!c->held && !c->eof &&
			    proto_buf_pending(&c->in) > CONN_HOLD_INPUT) {
				c->held = 1;
				event_del(c->rev);
			}
			return;
		}
		if (proto_buf_pending(&c->out) > cfg->max_reply_queue) {
			if (!c->paused) {
				c->paused = 1;
				event_del(c->rev);
				stats_limit_hit(LIMIT_REPLY_QUEUE);
			}
			return;
		}
		const char *p = c->in.data + c->in.off;
		size_t n = proto_buf_pending(&c->in);
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
			if (j) {
				j->conn = c->id;
				j->fd = c->fd;
				c->jobs++;
				c->writes += j->write;
				uint32_t id;
				if (jobs_submit(j) < 0) {   /* never a write */
					c->jobs--;
					jobs_free(j);   /* a notification just drops */
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
	while (proto_buf_pending(&c->out) > 0) {
		ssize_t w = send(c->fd, c->out.data + c->out.off,
		    proto_buf_pending(&c->out), MSG_NOSIGNAL);
		if (w > 0) {
			proto_buf_consume(&c->out, (size_t)w);
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!c->wr_armed) {
				event_add(c->wev, NULL);
				c->wr_armed = 1;
			}
			return;
		}
		c->state = CONN_DEAD;         /* peer gone */
		return;
	}
	if (c->wr_armed) {
		event_del(c->wev);
		c->wr_armed = 0;
	}
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
		event_add(c->rev, NULL);
		conn_process(c, stats_now_us());
		conn_flush(c);
	}
}

void server_job_done(struct job *j)
{
	/* The id tells the connection from a later one on the same fd. */
	struct conn *c = (size_t)j->fd < nbyfd ? byfd[j->fd] : NULL;

	if (!c || c->id != j->conn || c->state == CONN_DEAD)
		return;
	c->jobs--;
	c->writes -= j->write;
	if (j->close)
		conn_close(c);            /* its commit failed: nothing to answer */
	if (c->held) {
		c->held = 0;
		if (!c->paused)
			event_add(c->rev, NULL);
	}
	if (c->state < CONN_DRAINING)
		proto_buf_append(&c->out, j->out.data + j->out.off,
		    proto_buf_pending(&j->out));
	if (!c->paused)
		conn_process(c, stats_now_us());  /* frames that waited */
	conn_drain(c);
	conn_done(c);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	uint64_t now_us;
	(void)what;

	proto_buf_reserve(&c->in, READ_CHUNK);
	ssize_t r = recv(fd, c->in.data + c->in.len, c->in.cap - c->in.len, 0);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (r < 0) {
		c->state = CONN_DEAD;
	} else if (r == 0) {
		/* A half-close is taken for a close: a plan stops (its reply,
		 * an error, is still sent); the cheap calls finish. */
		c->eof = 1;
		event_del(c->rev);
		if (c->jobs)
			jobs_cancel(c->id);
	}
	now_us = stats_now_us();
	if (r > 0) {
		c->last_ms = now_us / 1000;
		if (c->state != CONN_OPEN)       /* closing: discard */
			c->in.off = c->in.len = 0;
		else
			c->in.len += (size_t)r;
	}
	if (c->state != CONN_DEAD && !c->paused)
		conn_process(c, now_us);
	if (c->state != CONN_DEAD)
		conn_drain(c);
	conn_done(c);
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	(void)fd, (void)what;

	conn_drain(c);
	conn_done(c);
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
	c->last_ms = stats_now_us() / 1000;
	c->sess.role = daemon_g.cfg.tokens[0] ? ROLE_NONE : ROLE_ADMIN;
	c->rev = event_new(daemon_g.base, fd, EV_READ | EV_PERSIST, on_read, c);
	c->wev = event_new(daemon_g.base, fd, EV_WRITE | EV_PERSIST, on_write, c);
	event_add(c->rev, NULL);
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
	proto_buf_free(&c->in);
	proto_buf_free(&c->out);
	proto_scan_free(&c->scan);
}

size_t server_buffered(void)
{
	size_t n = 0;
	for (struct conn *c = conns; c; c = c->next)
		n += c->in.cap + c->out.cap + c->scan.cap * sizeof *c->scan.stack;
	return n;
}

/* Once a second: idle timeouts, closing connections past their drain,
 * buffers of quiet connections. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	time_t now = time(NULL);
	uint64_t now_ms = stats_now_us() / 1000;
	unsigned long long idle = daemon_g.cfg.idle_timeout_s;
	(void)fd, (void)what, (void)arg;

	for (struct conn *c = conns, *next; c; c = next) {
		next = c->next;
		if (c->state == CONN_DRAINING && now >= c->deadline) {
			c->state = CONN_DEAD;
		} else if (idle && c->state == CONN_OPEN &&
		    now_ms - c->last_ms >= idle * 1000 &&
		    proto_buf_pending(&c->out) == 0) {
			stats_limit_hit(LIMIT_IDLE);
			log_debug("closing connection idle for %llus", idle);
			c->state = CONN_DEAD;
		} else {
			conn_trim(c, now_ms);
		}
		conn_done(c);
	}
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
	    511, res->ai_addr, (int)res->ai_addrlen);
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

static int listen_unix(void)
{
	const char *path = daemon_g.cfg.unix_path;
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0 ||
	    listen(fd, 511) < 0) {
		log_error("unix socket %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
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

int server_listen(void)
{
	struct timeval one = { 1, 0 };

	if (daemon_g.cfg.unix_path[0] && listen_unix() < 0)
		return -1;
	if (listen_tcp() < 0)
		return -1;
	tick = event_new(daemon_g.base, -1, EV_PERSIST, on_tick, NULL);
	event_add(tick, &one);
	return 0;
}

void server_shutdown(void)
{
	for (int i = 0; i < 2; i++)
		if (listeners[i]) {
			evconnlistener_free(listeners[i]);
			listeners[i] = NULL;
		}
	if (daemon_g.cfg.unix_path[0])
		unlink(daemon_g.cfg.unix_path);
	/* Requests run to completion on the loop: none is in flight here. */
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
}
