/*
 * abuse — hostile and idle clients for bench/abuse.sh: many connections
 * that a daemon must survive while it serves everyone else.
 *
 *   abuse --port P [--host H] [--seconds S] [--readers N] [--trickle N]
 *         [--idle N] [--pipeline D] [--limit L] [--trickle-ms T]
 *         [--reconnect 0|1]
 *
 * - readers (default 1000): each sends D (default 400) `school.list
 *   {limit: L}` requests and never reads a byte (SO_RCVBUF 4 KiB), so the
 *   replies pile up in the daemon.
 * - trickle (default 1000): each sends one byte of a `system.ping` request
 *   every T ms (default 2000), reading and dropping any reply.
 * - idle (default 3000): each connects and stays silent.
 *
 * With --reconnect 1 a client the daemon closes (max_reply_memory,
 * idle_timeout_s, auth_timeout_s) connects again at once and starts over,
 * so the population stays whole; with 0 (the default) it is counted and
 * left closed.
 *
 * One thread, one epoll set, non-blocking sockets.  Prints, every second
 * and at the end, how many of each are connected and how many times the
 * daemon closed one.  libc only: bench/abuse.sh builds it with cc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum kind { READER, TRICKLE, IDLE, NKINDS };
static const char *const kind_name[NKINDS] = { "readers", "trickle", "idle" };

struct cl {
	enum kind kind;
	int fd;
	int connected;
	size_t sent;            /* bytes of the script sent */
	uint64_t next_ms;       /* trickle: the next byte's time */
};

static struct sockaddr_in addr;
static unsigned char *req;      /* the readers' whole pipeline */
static size_t reqlen;
static unsigned char ping[32];  /* one system.ping request */
static size_t pinglen;
static int ep;
static long up[NKINDS], closed[NKINDS], failed;
static volatile sig_atomic_t stop;
static int reconnect;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* [0, 1, "school.list", [{"limit": L}]] */
static size_t pack_list(unsigned char *p, unsigned limit)
{
	size_t n = 0;
	p[n++] = 0x94;
	p[n++] = 0x00;
	p[n++] = 0x01;
	p[n++] = 0xa0 | 11;
	memcpy(p + n, "school.list", 11);
	n += 11;
	p[n++] = 0x91;
	p[n++] = 0x81;
	p[n++] = 0xa5;
	memcpy(p + n, "limit", 5);
	n += 5;
	p[n++] = 0xcd;
	p[n++] = (unsigned char)(limit >> 8);
	p[n++] = (unsigned char)limit;
	return n;
}

static void cl_connect(struct cl *c)
{
	struct epoll_event ev = { 0 };
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		perror("abuse: socket");
		exit(1);
	}
	if (c->kind == READER) {
		int small = 4096;
		setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0 &&
	    errno != EINPROGRESS) {
		failed++;
		close(c->fd);
		c->fd = -1;
		return;
	}
	c->connected = 0;
	c->sent = 0;
	c->next_ms = now_ms() + (uint64_t)(rand() % 2000);
	ev.events = EPOLLOUT | EPOLLRDHUP | (c->kind == READER ? 0 : EPOLLIN);
	ev.data.ptr = c;
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static void cl_lost(struct cl *c)
{
	if (c->connected) {
		up[c->kind]--;
		closed[c->kind]++;
	} else {
		failed++;
	}
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->connected = 0;
	if (reconnect)
		cl_connect(c);
}

/* Send what the script has next; 0, or -1 when the connection is gone. */
static int cl_send(struct cl *c, uint64_t t)
{
	if (c->kind == READER) {
		while (c->sent < reqlen) {
			ssize_t w = send(c->fd, req + c->sent, reqlen - c->sent,
			    MSG_NOSIGNAL);
			if (w < 0)
				return errno == EAGAIN ? 0 : -1;
			c->sent += (size_t)w;
		}
		return 0;
	}
	if (c->kind == TRICKLE && t >= c->next_ms) {
		ssize_t w = send(c->fd, ping + c->sent % pinglen, 1, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN)
			return -1;
		c->sent += w > 0;
	}
	return 0;
}

static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: abuse --port P [--host H] [--seconds S] "
	    "[--readers N] [--trickle N] [--idle N]\n"
	    "             [--pipeline D] [--limit L] [--trickle-ms T] "
	    "[--reconnect 0|1]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	const char *host = "127.0.0.1";
	int port = 0;
	long seconds = 60, n[NKINDS] = { 1000, 1000, 3000 };
	long pipeline = 400, limit = 1000, trickle_ms = 2000;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--port")) port = atoi(v);
		else if (!strcmp(a, "--host")) host = v;
		else if (!strcmp(a, "--seconds")) seconds = atol(v);
		else if (!strcmp(a, "--readers")) n[READER] = atol(v);
		else if (!strcmp(a, "--trickle")) n[TRICKLE] = atol(v);
		else if (!strcmp(a, "--idle")) n[IDLE] = atol(v);
		else if (!strcmp(a, "--pipeline")) pipeline = atol(v);
		else if (!strcmp(a, "--limit")) limit = atol(v);
		else if (!strcmp(a, "--trickle-ms")) trickle_ms = atol(v);
		else if (!strcmp(a, "--reconnect")) reconnect = atoi(v);
		else usage();
	}
	if (port <= 0 || limit < 1 || limit > 65535 || pipeline < 1)
		usage();
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		usage();
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	signal(SIGPIPE, SIG_IGN);

	unsigned char one[64];
	size_t onelen = pack_list(one, (unsigned)limit);
	reqlen = onelen * (size_t)pipeline;
	req = malloc(reqlen);
	for (long i = 0; i < pipeline; i++)
		memcpy(req + (size_t)i * onelen, one, onelen);
	/* [0, 1, "system.ping", [{}]] */
	pinglen = 0;
	ping[pinglen++] = 0x94;
	ping[pinglen++] = 0x00;
	ping[pinglen++] = 0x01;
	ping[pinglen++] = 0xa0 | 11;
	memcpy(ping + pinglen, "system.ping", 11);
	pinglen += 11;
	ping[pinglen++] = 0x91;
	ping[pinglen++] = 0x80;

	long total = n[READER] + n[TRICKLE] + n[IDLE];
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	if ((rlim_t)total + 64 > rl.rlim_cur) {
		fprintf(stderr, "abuse: %ld connections need ulimit -n %ld (have %ld)\n",
		    total, total + 64, (long)rl.rlim_cur);
		return 1;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	struct cl *cls = calloc((size_t)total, sizeof *cls);
	long k = 0;
	for (int t = 0; t < NKINDS; t++)
		for (long i = 0; i < n[t]; i++, k++) {
			cls[k].kind = (enum kind)t;
			cl_connect(&cls[k]);
		}

	uint64_t start = now_ms(), last = start, lastsweep = start;
	static struct epoll_event evs[1024];
	static char sink[65536];
	while (!stop && now_ms() - start < (uint64_t)seconds * 1000) {
		int ne = epoll_wait(ep, evs, 1024, 50);
		uint64_t t = now_ms();
		for (int i = 0; i < ne; i++) {
			struct cl *c = evs[i].data.ptr;
			if (evs[i].events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) {
				cl_lost(c);
				continue;
			}
			if (!c->connected && (evs[i].events & EPOLLOUT)) {
				c->connected = 1;
				up[c->kind]++;
				struct epoll_event ev = { .data.ptr = c, .events =
				    EPOLLRDHUP | (c->kind == READER ? EPOLLOUT : EPOLLIN) };
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
			}
			if ((evs[i].events & EPOLLIN) && c->kind != READER) {
				ssize_t r = recv(c->fd, sink, sizeof sink, 0);
				if (r == 0 || (r < 0 && errno != EAGAIN)) {
					cl_lost(c);
					continue;
				}
			}
			if (c->kind == READER && c->connected && cl_send(c, t) < 0) {
				cl_lost(c);
				continue;
			}
			if (c->kind == READER && c->sent == reqlen) {
				/* all sent: only a close is of interest now */
				struct epoll_event ev = { .data.ptr = c,
				    .events = EPOLLRDHUP };
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
			}
		}
		if (t - lastsweep >= 100) {      /* the tricklers' bytes */
			lastsweep = t;
			for (long i = 0; i < total; i++) {
				struct cl *c = &cls[i];
				if (c->kind != TRICKLE || c->fd < 0 || !c->connected ||
				    t < c->next_ms)
					continue;
				if (cl_send(c, t) < 0)
					cl_lost(c);
				else
					c->next_ms = t + (uint64_t)trickle_ms;
			}
		}
		if (t - last >= 1000 || stop) {
			last = t;
			fprintf(stderr, "abuse: %4.0fs up %s %ld %s %ld %s %ld; closed by "
			    "the daemon %s %ld %s %ld %s %ld; failed connects %ld\n",
			    (double)(t - start) / 1000, kind_name[0], up[0], kind_name[1],
			    up[1], kind_name[2], up[2], kind_name[0], closed[0],
			    kind_name[1], closed[1], kind_name[2], closed[2], failed);
		}
	}
	printf("{\"readers_up\": %ld, \"trickle_up\": %ld, \"idle_up\": %ld, "
	    "\"readers_closed\": %ld, \"trickle_closed\": %ld, \"idle_closed\": %ld, "
	    "\"failed_connects\": %ld}\n", up[0], up[1], up[2], closed[0],
	    closed[1], closed[2], failed);
	return 0;
}
