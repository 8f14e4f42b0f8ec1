/*
 * httpload — closed-loop HTTP/1.1 load for chanjiaod's web console
 * (bench/http.sh).
 *
 *   httpload --port P [--host 127.0.0.1] --script F [--conns N]
 *            [--seconds S | --loops L] [--repeat R] [--reload] [--json]
 *
 * F is a "page load": one request a line, in order,
 *   GET /path
 *   POST /api/<method> {json params}
 * ('#' lines and blank lines are skipped).  Each of the N keep-alive
 * connections sends the lines one at a time (one request in flight, as
 * one browser connection), over and over: every pass is a page load.
 * --repeat R sends each line R times in a row before the next (server
 * time of one call after another).  --reload: from a connection's second
 * pass on, every GET whose earlier answer had an ETag sends it back in
 * If-None-Match, as a browser's reload does; bytes received are reported
 * for the first pass and for the later ones apart.
 *
 * With --seconds the run stops after S seconds (requests still in flight
 * are not counted, nor are the page loads they belong to); with --loops
 * each connection does L passes.  Latency is from just before the write
 * of a request to just after the read that completed its response
 * (CLOCK_MONOTONIC), kept per line; percentiles are exact (the samples
 * are sorted).
 *
 * Responses are parsed as libevent's evhttp writes them: a status line,
 * headers, and a body of Content-Length bytes (none for 304 and 1xx);
 * chunked bodies are not supported (counted as errors).  A connection the
 * server closes is reopened and the line it was on is sent again
 * (counted in reconnects).  Exit status: 0, 1 on usage or connect
 * failure, 2 when a response could not be parsed.
 */
#define _GNU_SOURCE              /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "benchlib.h"

#define MAXLINES 4096
#define ETAG_MAX 64

struct line {
	char *method, *path, *body;
	size_t body_len;
	double *lat;                    /* ms */
	size_t n, cap;
	uint64_t status[6];             /* 1xx .. 5xx, [0] other */
	uint64_t s304, s429;
};

struct conn {
	int fd;
	int line, rep, pass;
	char (*etag)[ETAG_MAX];         /* per line, for --reload */
	char *out;
	size_t out_len, out_off;
	char *in;
	size_t in_len, in_cap;
	double sent;
	int wout;                       /* EPOLLOUT asked for */
	int done;                       /* --loops reached */
};

static struct line lines[MAXLINES];
static int nlines;
static const char *opt_host = "127.0.0.1", *opt_port, *opt_script;
static int opt_conns = 1, opt_loops, opt_repeat = 1, opt_reload, opt_json;
static double opt_seconds;
static volatile sig_atomic_t stop;
static uint64_t pages, reconnects, parse_errors, bytes_first, bytes_reload;
static uint64_t requests_first, requests_reload;
static struct addrinfo *addr;
static int ep;
static char hosthdr[300];

static void usage(void)
{
	fprintf(stderr,
	    "usage: httpload --port P [--host H] --script F [--conns N]\n"
	    "                [--seconds S | --loops L] [--repeat R] [--reload] [--json]\n");
	exit(1);
}

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		perror("httpload: realloc");
		exit(1);
	}
	return p;
}

static void read_script(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f) {
		perror(path);
		exit(1);
	}
	while ((n = getline(&buf, &cap, f)) >= 0) {
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = 0;
		if (!n || buf[0] == '#')
			continue;
		if (nlines == MAXLINES) {
			fprintf(stderr, "httpload: more than %d lines\n", MAXLINES);
			exit(1);
		}
		struct line *l = &lines[nlines++];
		char *sp = strchr(buf, ' ');
		if (!sp || (strncmp(buf, "GET ", 4) && strncmp(buf, "POST ", 5))) {
			fprintf(stderr, "httpload: %s: want GET /path or POST /path "
			    "BODY: %s\n", path, buf);
			exit(1);
		}
		*sp = 0;
		l->method = strdup(buf);
		char *p = sp + 1, *sp2 = strchr(p, ' ');
		if (sp2)
			*sp2 = 0;
		l->path = strdup(p);
		l->body = strdup(sp2 ? sp2 + 1 : "");
		l->body_len = strlen(l->body);
	}
	free(buf);
	fclose(f);
	if (!nlines) {
		fprintf(stderr, "httpload: %s has no request\n", path);
		exit(1);
	}
}

static void build(struct conn *c)
{
	struct line *l = &lines[c->line];
	char head[1024];
	int n;
	const char *etag = opt_reload && c->pass > 0 && c->etag[c->line][0] ?
	    c->etag[c->line] : NULL;

	if (!strcmp(l->method, "GET"))
		n = snprintf(head, sizeof head, "GET %s HTTP/1.1\r\nHost: %s\r\n"
		    "%s%s%s\r\n", l->path, hosthdr, etag ? "If-None-Match: " : "",
		    etag ? etag : "", etag ? "\r\n" : "");
	else
		n = snprintf(head, sizeof head, "POST %s HTTP/1.1\r\nHost: %s\r\n"
		    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
		    l->path, hosthdr, l->body_len);
	if (n < 0 || (size_t)n >= sizeof head) {
		fprintf(stderr, "httpload: request line too long\n");
		exit(1);
	}
	c->out = xrealloc(c->out, (size_t)n + l->body_len);
	memcpy(c->out, head, (size_t)n);
	if (strcmp(l->method, "GET"))
		memcpy(c->out + n, l->body, l->body_len);
	c->out_len = (size_t)n + (strcmp(l->method, "GET") ? l->body_len : 0);
	c->out_off = 0;
}

static void conn_open(struct conn *c)
{
	int one = 1;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };

	c->fd = socket(addr->ai_family, SOCK_STREAM, 0);
	if (c->fd < 0 || connect(c->fd, addr->ai_addr, addr->ai_addrlen) < 0) {
		perror("httpload: connect");
		exit(1);
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
	c->wout = 1;
	c->in_len = 0;
}

static void conn_reopen(struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	reconnects++;
	conn_open(c);
	build(c);                         /* the same line again */
	c->sent = now_ms();
}

static void want_write(struct conn *c, int on)
{
	if (c->wout == on)
		return;
	c->wout = on;
	struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0),
		.data.ptr = c };
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* The value of header name in h[0..n) (not NUL-terminated), or NULL. */
static const char *header(const char *h, size_t n, const char *name,
    size_t *len)
{
	size_t nl = strlen(name);
	const char *p = memchr(h, '\n', n), *end = h + n;

	while (p && p + 1 < end) {
		p++;
		const char *e = memchr(p, '\n', (size_t)(end - p));
		if (!e)
			break;
		if ((size_t)(e - p) > nl + 1 && !strncasecmp(p, name, nl) &&
		    p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ')
				v++;
			const char *ve = e;
			while (ve > v && (ve[-1] == '\r' || ve[-1] == ' '))
				ve--;
			*len = (size_t)(ve - v);
			return v;
		}
		p = e;
	}
	return NULL;
}

static void record(struct conn *c, int status, double ms, size_t bytes)
{
	struct line *l = &lines[c->line];
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->lat = xrealloc(l->lat, l->cap * sizeof *l->lat);
	}
	l->lat[l->n++] = ms;
	l->status[status >= 100 && status < 600 ? status / 100 : 0]++;
	l->s304 += status == 304;
	l->s429 += status == 429;
	if (c->pass == 0) {
		bytes_first += bytes;
		requests_first++;
	} else {
		bytes_reload += bytes;
		requests_reload++;
	}
}

/* Move c to its next request; 0 when it has no more (--loops). */
static int advance(struct conn *c)
{
	if (++c->rep < opt_repeat)
		return 1;
	c->rep = 0;
	if (++c->line < nlines)
		return 1;
	c->line = 0;
	c->pass++;
	pages++;
	if (opt_loops && c->pass >= opt_loops) {
		c->done = 1;
		return 0;
	}
	return 1;
}

/* A whole response at the head of c->in: handle it, return its size. */
static size_t response(struct conn *c, double t)
{
	char *hend = memmem(c->in, c->in_len, "\r\n\r\n", 4);
	size_t hl, cl = 0, vl;
	const char *v;
	int status, close_after;

	if (!hend)
		return 0;
	hl = (size_t)(hend - c->in) + 4;
	if (c->in_len < 12 || strncmp(c->in, "HTTP/1.", 7)) {
		fprintf(stderr, "httpload: not an HTTP response\n");
		parse_errors++;
		exit(2);
	}
	status = atoi(c->in + 9);
	if ((v = header(c->in, hl, "Transfer-Encoding", &vl))) {
		fprintf(stderr, "httpload: chunked responses are not supported\n");
		exit(2);
	}
	if (status != 304 && status >= 200 &&
	    (v = header(c->in, hl, "Content-Length", &vl)))
		cl = strtoull(v, NULL, 10);
	if (c->in_len < hl + cl)
		return 0;
	close_after = (v = header(c->in, hl, "Connection", &vl)) &&
	    vl == 5 && !strncasecmp(v, "close", 5);
	if (opt_reload && status == 200 && (v = header(c->in, hl, "ETag", &vl)) &&
	    vl < ETAG_MAX) {
		memcpy(c->etag[c->line], v, vl);
		c->etag[c->line][vl] = 0;
	}
	if (!stop)
		record(c, status, t - c->sent, hl + cl);
	memmove(c->in, c->in + hl + cl, c->in_len - hl - cl);
	c->in_len -= hl + cl;
	if (close_after) {
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		reconnects++;
		conn_open(c);
	}
	return hl + cl;
}

static void on_writable(struct conn *c);

static void on_readable(struct conn *c)
{
	for (;;) {
		if (c->in_cap - c->in_len < 65536) {
			c->in_cap = c->in_cap * 2 + 65536;
			c->in = xrealloc(c->in, c->in_cap);
		}
		ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {                     /* closed: send the line again */
			conn_reopen(c);
			return;
		}
		c->in_len += (size_t)n;
		double t = now_ms();
		int fd = c->fd;
		if (response(c, t)) {
			if (c->in_len) {
				fprintf(stderr, "httpload: bytes after a response\n");
				exit(2);
			}
			if (!advance(c) || stop)
				return;
			build(c);
			c->sent = now_ms();
			on_writable(c);
			if (c->fd != fd)
				return;
		}
	}
}

static void on_writable(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
		    MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			want_write(c, 1);
			return;
		}
		if (n < 0) {
			conn_reopen(c);
			return;
		}
		c->out_off += (size_t)n;
	}
	want_write(c, 0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(const struct line *l, double q)
{
	if (!l->n)
		return 0;
	size_t i = (size_t)(q * (double)(l->n - 1) + 0.5);
	return l->lat[i];
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *v;
		if ((v = opt_value(argc, argv, &i, "--host"))) opt_host = v;
		else if ((v = opt_value(argc, argv, &i, "--port"))) opt_port = v;
		else if ((v = opt_value(argc, argv, &i, "--script"))) opt_script = v;
		else if ((v = opt_value(argc, argv, &i, "--conns"))) opt_conns = atoi(v);
		else if ((v = opt_value(argc, argv, &i, "--loops"))) opt_loops = atoi(v);
		else if ((v = opt_value(argc, argv, &i, "--repeat"))) opt_repeat = atoi(v);
		else if ((v = opt_value(argc, argv, &i, "--seconds"))) opt_seconds = atof(v);
		else if (!strcmp(argv[i], "--reload")) opt_reload = 1;
		else if (!strcmp(argv[i], "--json")) opt_json = 1;
		else usage();
	}
	if (!opt_port || !opt_script || opt_conns < 1 || opt_repeat < 1 ||
	    (opt_loops < 1) == (opt_seconds <= 0))
		usage();
	read_script(opt_script);
	snprintf(hosthdr, sizeof hosthdr, "%s:%s", opt_host, opt_port);

	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	int rc = getaddrinfo(opt_host, opt_port, &hints, &addr);
	if (rc) {
		fprintf(stderr, "httpload: %s: %s\n", opt_host, gai_strerror(rc));
		return 1;
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	ep = epoll_create1(0);
	struct conn *conns = calloc((size_t)opt_conns, sizeof *conns);
	if (!conns)
		return 1;
	for (int i = 0; i < opt_conns; i++) {
		conns[i].etag = calloc((size_t)nlines, sizeof *conns[i].etag);
		conn_open(&conns[i]);
	}
	double t0 = now_ms(), end = t0 + opt_seconds * 1000;
	for (int i = 0; i < opt_conns; i++) {
		build(&conns[i]);
		conns[i].sent = now_ms();
	}
	int active = opt_conns;
	struct epoll_event evs[256];
	while (!stop && active) {
		int timeout = -1;
		if (opt_seconds > 0) {
			double left = end - now_ms();
			if (left <= 0)
				break;
			timeout = (int)left + 1;
		}
		int n = epoll_wait(ep, evs, 256, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		for (int k = 0; k < n; k++) {
			struct conn *c = evs[k].data.ptr;
			if (c->done)
				continue;
			if (evs[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
				on_readable(c);
			if (!c->done && (evs[k].events & EPOLLOUT))
				on_writable(c);
			if (c->done) {
				active--;
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
			}
		}
	}
	double secs = (now_ms() - t0) / 1000;
	uint64_t total = 0, st[6] = { 0 }, s304 = 0, s429 = 0;
	for (int i = 0; i < nlines; i++) {
		struct line *l = &lines[i];
		qsort(l->lat, l->n, sizeof *l->lat, cmp_double);
		total += l->n;
		for (int s = 0; s < 6; s++)
			st[s] += l->status[s];
		s304 += l->s304;
		s429 += l->s429;
	}
	fprintf(opt_json ? stderr : stdout, "httpload: %d conns, %.1f s: %llu "
	    "page loads (%.1f/s), %llu requests (%.0f/s); 2xx %llu, 304 %llu, "
	    "4xx %llu (429 %llu), 5xx %llu; reconnects %llu; bytes first pass "
	    "%llu, later passes %llu\n", opt_conns, secs,
	    (unsigned long long)pages, (double)pages / secs,
	    (unsigned long long)total, (double)total / secs,
	    (unsigned long long)st[2], (unsigned long long)s304,
	    (unsigned long long)st[4], (unsigned long long)s429,
	    (unsigned long long)st[5], (unsigned long long)reconnects,
	    (unsigned long long)bytes_first, (unsigned long long)bytes_reload);
	if (!opt_json)
		for (int i = 0; i < nlines; i++) {
			struct line *l = &lines[i];
			printf("  %-6s %-40.40s n %6zu  p50 %8.2f ms  p90 %8.2f ms  "
			    "p99 %8.2f ms  max %8.2f ms\n", l->method, l->path, l->n,
			    pct(l, 0.5), pct(l, 0.9), pct(l, 0.99),
			    l->n ? l->lat[l->n - 1] : 0);
		}
	if (opt_json) {
		printf("{\"conns\":%d,\"seconds\":%.3f,\"pages\":%llu,"
		    "\"pages_per_s\":%.2f,\"requests\":%llu,\"rps\":%.1f,"
		    "\"s2xx\":%llu,\"s304\":%llu,\"s4xx\":%llu,\"s429\":%llu,"
		    "\"s5xx\":%llu,\"reconnects\":%llu,\"bytes_first\":%llu,"
		    "\"requests_first\":%llu,\"bytes_reload\":%llu,"
		    "\"requests_reload\":%llu,\"lines\":[",
		    opt_conns, secs, (unsigned long long)pages,
		    (double)pages / secs, (unsigned long long)total,
		    (double)total / secs, (unsigned long long)st[2],
		    (unsigned long long)s304, (unsigned long long)st[4],
		    (unsigned long long)s429, (unsigned long long)st[5],
		    (unsigned long long)reconnects, (unsigned long long)bytes_first,
		    (unsigned long long)requests_first,
		    (unsigned long long)bytes_reload,
		    (unsigned long long)requests_reload);
		for (int i = 0; i < nlines; i++) {
			struct line *l = &lines[i];
			printf("%s{\"method\":", i ? "," : "");
			json_str(l->method);
			printf(",\"path\":");
			json_str(l->path);
			printf(",\"body\":");
			json_str(l->body);
			printf(",\"n\":%zu,\"p50_ms\":%.3f,\"p90_ms\":%.3f,"
			    "\"p99_ms\":%.3f,\"max_ms\":%.3f,\"s2xx\":%llu,\"s304\":%llu,"
			    "\"s4xx\":%llu,\"s5xx\":%llu}", l->n, pct(l, 0.5),
			    pct(l, 0.9), pct(l, 0.99), l->n ? l->lat[l->n - 1] : 0,
			    (unsigned long long)l->status[2],
			    (unsigned long long)l->s304,
			    (unsigned long long)l->status[4],
			    (unsigned long long)l->status[5]);
		}
		printf("]}\n");
	}
	freeaddrinfo(addr);
	return parse_errors ? 2 : 0;
}
