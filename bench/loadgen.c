/*
 * loadgen — closed-loop load generator for chanjiaod (MessagePack-RPC) and,
 * for comparison, redis-server (RESP PING).
 *
 *   loadgen --host 127.0.0.1 --port P [--proto rpc|resp] [--conns N]
 *           [--pipeline D] [--seconds S | --requests R] [--warmup S]
 *           [--method system.ping] [--params-file F] [--json]
 *
 * One thread, one epoll set, N non-blocking connections.  Each connection
 * keeps D requests in flight: D are sent at start, and every response read
 * frees a slot that is refilled in the same loop pass.  Per ready connection
 * and loop pass there is one read() (64 KiB) and at most one write() carrying
 * every new request, so the client costs the same syscalls per request as
 * the server it measures.
 *
 * RPC requests are packed once into a template, [0, 0xce xxxx, method,
 * [params]], with the msgid always encoded as a uint32; sending one is a
 * memcpy plus a 4-byte patch.  msgid = (sequence << slotbits) | slot, so a
 * response is matched to its outstanding request in O(1) and in any order;
 * a msgid that matches no outstanding request is a protocol violation.
 * Responses are decoded with msgpack_unpacker; a non-nil error is counted.
 *
 * Latency is send time (just before the write() carrying the request) to
 * receive time (just after the read() that completed the response), both
 * CLOCK_MONOTONIC, recorded in a log-linear histogram (128 sub-buckets per
 * power of two of nanoseconds: values are exact to < 0.8%).
 *
 * Only responses received after the warmup and before the end of the
 * measured window are counted; throughput is that count over the window.
 *
 * Exit status: 0 on a clean run (server-reported errors are counted, not
 * fatal), 1 on usage or connection failures, 2 on protocol violations.
 */
#include <errno.h>
#include <fcntl.h>
#include <msgpack.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK 65536

/* ---- histogram ---------------------------------------------------------- */

#define H_SUB_BITS 7
#define H_SUB (1u << H_SUB_BITS)
#define H_NBUCKETS ((64 - H_SUB_BITS + 1) * H_SUB)

static uint64_t hist[H_NBUCKETS];
static uint64_t hist_n, hist_max, hist_sum;

static unsigned h_bucket(uint64_t v)
{
	if (v < H_SUB)
		return (unsigned)v;
	unsigned msb = 63u - (unsigned)__builtin_clzll(v);   /* >= H_SUB_BITS */
	unsigned shift = msb - H_SUB_BITS;
	unsigned sub = (unsigned)(v >> shift) & (H_SUB - 1);
	return (shift + 1) * H_SUB + sub;
}

/* Middle of the range of integers bucket b covers. */
static double h_value(unsigned b)
{
	if (b < H_SUB)
		return (double)b;
	unsigned shift = b / H_SUB - 1, sub = b % H_SUB;
	double lo = (double)((uint64_t)(H_SUB + sub) << shift);
	return lo + (double)(((uint64_t)1 << shift) - 1) / 2.0;
}

static void h_record(uint64_t ns)
{
	hist[h_bucket(ns)]++;
	hist_n++;
	hist_sum += ns;
	if (ns > hist_max)
		hist_max = ns;
}

static double h_percentile_us(double q)
{
	if (hist_n == 0)
		return 0;
	uint64_t want = (uint64_t)(q * (double)hist_n + 0.999999), seen = 0;
	if (want == 0)
		want = 1;
	for (unsigned b = 0; b < H_NBUCKETS; b++) {
		seen += hist[b];
		if (seen >= want) {
			double v = h_value(b);
			return (v > (double)hist_max ? (double)hist_max : v) / 1000.0;
		}
	}
	return (double)hist_max / 1000.0;
}

/* ---- options ------------------------------------------------------------ */

static const char *opt_host = "127.0.0.1";
static const char *opt_port;
static int opt_resp;
static int opt_conns = 1;
static int opt_pipeline = 1;
static double opt_seconds = 5;
static uint64_t opt_requests;          /* 0: run for opt_seconds */
static double opt_warmup = 0;
static const char *opt_method = "system.ping";
static const char *opt_params_file;
static int opt_json;

static void usage(void)
{
	fprintf(stderr,
	    "usage: loadgen --host H --port P [--proto rpc|resp] [--conns N]\n"
	    "               [--pipeline D] [--seconds S | --requests R] "
	    "[--warmup S]\n"
	    "               [--method NAME] [--params-file F] [--json]\n");
	exit(1);
}

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "loadgen: %s %s\n", msg, arg);
	exit(1);
}

static double num_arg(const char *s, const char *name)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || v < 0)
		die("bad value for", name);
	return v;
}

/* ---- time --------------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- request template --------------------------------------------------- */

static char *req_tmpl;                 /* one whole request */
static size_t req_len;
static size_t req_msgid_off;           /* offset of the 4 msgid bytes */

static int sbuf_write(void *data, const char *buf, size_t len)
{
	return msgpack_sbuffer_write(data, buf, len);
}

static void build_rpc_template(void)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	char *params = NULL;
	size_t plen = 0;

	if (opt_params_file) {
		FILE *f = fopen(opt_params_file, "rb");
		struct stat st;
		if (!f || fstat(fileno(f), &st) < 0)
			die("cannot open params file", opt_params_file);
		plen = (size_t)st.st_size;
		params = malloc(plen ? plen : 1);
		if (!params || fread(params, 1, plen, f) != plen)
			die("cannot read params file", opt_params_file);
		fclose(f);
		/* Exactly one MessagePack map, nothing after it. */
		msgpack_unpacked u;
		size_t off = 0;
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, params, plen, &off) !=
		    MSGPACK_UNPACK_SUCCESS || off != plen ||
		    u.data.type != MSGPACK_OBJECT_MAP)
			die("params file must hold exactly one MessagePack map:",
			    opt_params_file);
		msgpack_unpacked_destroy(&u);
	}

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, sbuf_write);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_uint8(&pk, 0);
	/* msgid: always 0xce + 4 bytes, patched per request. */
	static const char u32[5] = { (char)0xce, 0, 0, 0, 0 };
	req_msgid_off = sb.size + 1;
	msgpack_sbuffer_write(&sb, u32, sizeof u32);
	msgpack_pack_str(&pk, strlen(opt_method));
	msgpack_pack_str_body(&pk, opt_method, strlen(opt_method));
	msgpack_pack_array(&pk, 1);
	if (params)
		msgpack_sbuffer_write(&sb, params, plen);
	else
		msgpack_pack_map(&pk, 0);
	req_len = sb.size;
	req_tmpl = msgpack_sbuffer_release(&sb);
	free(params);
}

static void build_resp_template(void)
{
	static char ping[] = "PING\r\n";
	req_tmpl = ping;
	req_len = sizeof ping - 1;
}

/* ---- connections -------------------------------------------------------- */

struct slot {
	uint64_t t_send;
	uint32_t msgid;
	uint32_t busy;
};

struct conn {
	int fd, idx, dead, want_out;
	int inflight;                  /* sent or queued, not yet answered */
	int to_send;                   /* free slots to refill this pass */
	uint32_t seq;
	/* rpc: slots by index, a stack of free ones */
	struct slot *slots;
	int *freel, nfree;
	/* resp: FIFO of send times; a line assembly buffer */
	uint64_t *ring;
	int rhead, rtail;
	char *line;
	size_t linelen;
	/* unsent bytes */
	char *out;
	size_t outoff, outlen, outcap;
	msgpack_unpacker unp;
};

static struct conn *conns;
static int epfd;
static unsigned slotbits;
static uint32_t slotmask;

/* Counters for the measured window. */
static uint64_t n_ok, n_err, n_all;
static uint64_t n_proto;               /* protocol violations (whole run) */
static uint64_t n_conn_err;            /* connections lost (whole run) */
static uint64_t t_warm_end, t_end;
static uint64_t t_last_resp;
static int done;
static char first_err[256];
static char first_proto[256];

/* Are we still issuing requests? */
static uint64_t inflight_total;
static int can_issue(uint64_t now)
{
	if (done)
		return 0;
	if (opt_requests) {
		if (now < t_warm_end)
			return 1;
		return n_all + inflight_total < opt_requests;
	}
	return now < t_end;
}

static void proto_violation(struct conn *c, const char *what)
{
	n_proto++;
	if (!first_proto[0])
		snprintf(first_proto, sizeof first_proto, "connection %d: %s",
		    c->idx, what);
	c->dead = 1;
}

static void count_response(struct conn *c, uint64_t t_send, uint64_t t_recv,
    int is_err)
{
	c->inflight--;
	inflight_total--;
	c->to_send++;
	if (t_recv < t_warm_end || (!opt_requests && t_recv > t_end))
		return;
	if (opt_requests && n_all >= opt_requests)
		return;
	n_all++;
	if (is_err)
		n_err++;
	else
		n_ok++;
	h_record(t_recv - t_send);
	t_last_resp = t_recv;
	if (opt_requests && n_all >= opt_requests)
		done = 1;
}

static void err_text(const msgpack_object *e)
{
	char buf[240];
	if (first_err[0])
		return;
	msgpack_object_print_buffer(buf, sizeof buf, *e);
	snprintf(first_err, sizeof first_err, "%s", buf);
}

static void handle_rpc(struct conn *c, const msgpack_object *o, uint64_t now)
{
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 4) {
		proto_violation(c, "response is not a 4-element array");
		return;
	}
	const msgpack_object *a = o->via.array.ptr;
	if (a[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER || a[0].via.u64 != 1) {
		proto_violation(c, "response does not start with 1");
		return;
	}
	if (a[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    a[1].via.u64 > UINT32_MAX) {
		/* nil msgid: the daemon could not read our request. */
		if (a[2].type != MSGPACK_OBJECT_NIL)
			err_text(&a[2]);
		proto_violation(c, "response msgid is not a uint32");
		return;
	}
	uint32_t id = (uint32_t)a[1].via.u64;
	uint32_t s = id & slotmask;
	if ((int)s >= opt_pipeline || !c->slots[s].busy ||
	    c->slots[s].msgid != id) {
		proto_violation(c, "response msgid matches no outstanding request");
		return;
	}
	c->slots[s].busy = 0;
	c->freel[c->nfree++] = (int)s;
	int is_err = a[2].type != MSGPACK_OBJECT_NIL;
	if (is_err)
		err_text(&a[2]);
	count_response(c, c->slots[s].t_send, now, is_err);
}

static void read_rpc(struct conn *c)
{
	if (!msgpack_unpacker_reserve_buffer(&c->unp, READ_CHUNK)) {
		fprintf(stderr, "loadgen: out of memory\n");
		exit(1);
	}
	ssize_t r = read(c->fd, msgpack_unpacker_buffer(&c->unp),
	    msgpack_unpacker_buffer_capacity(&c->unp));
	uint64_t now = now_ns();
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		n_conn_err++;
		if (!first_proto[0])
			snprintf(first_proto, sizeof first_proto,
			    "connection %d: %s", c->idx,
			    r == 0 ? "closed by server" : strerror(errno));
		c->dead = 1;
		return;
	}
	msgpack_unpacker_buffer_consumed(&c->unp, (size_t)r);
	for (;;) {
		int ret = msgpack_unpacker_execute(&c->unp);
		if (ret < 0) {
			proto_violation(c, "response is not MessagePack");
			return;
		}
		if (ret == 0)
			break;
		msgpack_object o = msgpack_unpacker_data(&c->unp);
		handle_rpc(c, &o, now);
		/* Reuse the zone instead of allocating one per response. */
		msgpack_unpacker_reset_zone(&c->unp);
		msgpack_unpacker_reset(&c->unp);
		if (c->dead)
			return;
	}
}

static void handle_resp_line(struct conn *c, const char *l, size_t n,
    uint64_t now)
{
	if (c->rhead == c->rtail) {
		proto_violation(c, "reply with no outstanding request");
		return;
	}
	uint64_t t = c->ring[c->rhead];
	c->rhead = (c->rhead + 1) % (opt_pipeline + 1);
	int is_err = !(n == 6 && memcmp(l, "+PONG\r", 6) == 0);
	if (is_err && !first_err[0])
		snprintf(first_err, sizeof first_err, "%.*s", (int)(n < 200 ? n : 200), l);
	if (is_err && l[0] != '-') {
		proto_violation(c, "unexpected RESP reply (not +PONG or -ERR)");
		return;
	}
	count_response(c, t, now, is_err);
}

static void read_resp(struct conn *c)
{
	static char buf[READ_CHUNK];
	ssize_t r = read(c->fd, buf, sizeof buf);
	uint64_t now = now_ns();
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		n_conn_err++;
		if (!first_proto[0])
			snprintf(first_proto, sizeof first_proto,
			    "connection %d: %s", c->idx,
			    r == 0 ? "closed by server" : strerror(errno));
		c->dead = 1;
		return;
	}
	const char *p = buf, *end = buf + r;
	while (p < end && !c->dead) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			size_t k = (size_t)(end - p);
			if (c->linelen + k > 256) {
				proto_violation(c, "RESP line too long");
				return;
			}
			memcpy(c->line + c->linelen, p, k);
			c->linelen += k;
			break;
		}
		size_t k = (size_t)(nl - p);
		if (c->linelen) {
			if (c->linelen + k > 256) {
				proto_violation(c, "RESP line too long");
				return;
			}
			memcpy(c->line + c->linelen, p, k);
			handle_resp_line(c, c->line, c->linelen + k, now);
			c->linelen = 0;
		} else {
			handle_resp_line(c, p, k, now);
		}
		p = nl + 1;
	}
}

/* Queue c->to_send new requests (as far as allowed) and write once. */
static void conn_write(struct conn *c, uint64_t now)
{
	if (c->dead)
		return;
	if (c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	int k = 0;
	while (c->to_send > 0 && can_issue(now)) {
		if (c->outlen + req_len > c->outcap) {
			memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
			c->outlen -= c->outoff;
			c->outoff = 0;
		}
		char *dst = c->out + c->outlen;
		memcpy(dst, req_tmpl, req_len);
		if (!opt_resp) {
			int s = c->freel[--c->nfree];
			uint32_t id = (c->seq++ << slotbits) | (uint32_t)s;
			unsigned char *m = (unsigned char *)dst + req_msgid_off;
			m[0] = (unsigned char)(id >> 24);
			m[1] = (unsigned char)(id >> 16);
			m[2] = (unsigned char)(id >> 8);
			m[3] = (unsigned char)id;
			c->slots[s].msgid = id;
			c->slots[s].busy = 1;
			c->slots[s].t_send = now;
		} else {
			c->ring[c->rtail] = now;
			c->rtail = (c->rtail + 1) % (opt_pipeline + 1);
		}
		c->outlen += req_len;
		c->to_send--;
		c->inflight++;
		inflight_total++;
		k++;
	}
	if (c->outlen == c->outoff)
		return;
	ssize_t w = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
	if (w < 0 && errno != EAGAIN && errno != EINTR) {
		n_conn_err++;
		if (!first_proto[0])
			snprintf(first_proto, sizeof first_proto,
			    "connection %d: write: %s", c->idx, strerror(errno));
		c->dead = 1;
		return;
	}
	if (w > 0)
		c->outoff += (size_t)w;
	int want = c->outoff < c->outlen;
	if (want != c->want_out) {
		struct epoll_event ev = { .events = EPOLLIN | (want ? EPOLLOUT : 0),
		    .data.u32 = (uint32_t)c->idx };
		epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
		c->want_out = want;
	}
}

static void conn_kill(struct conn *c)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	inflight_total -= (uint64_t)c->inflight;
	c->inflight = 0;
	c->fd = -1;
}

static int dial(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		close(fd);
		return -1;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static void conn_init(struct conn *c, int idx, int fd)
{
	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->idx = idx;
	c->to_send = opt_pipeline;
	c->outcap = (size_t)opt_pipeline * req_len * 2;
	c->out = malloc(c->outcap);
	if (!opt_resp) {
		c->slots = calloc((size_t)opt_pipeline, sizeof *c->slots);
		c->freel = malloc((size_t)opt_pipeline * sizeof *c->freel);
		for (int i = opt_pipeline - 1; i >= 0; i--)
			c->freel[c->nfree++] = i;
		if (!msgpack_unpacker_init(&c->unp, READ_CHUNK)) {
			fprintf(stderr, "loadgen: out of memory\n");
			exit(1);
		}
	} else {
		c->ring = malloc(((size_t)opt_pipeline + 1) * sizeof *c->ring);
		c->line = malloc(512);
	}
	if (!c->out || (!opt_resp && (!c->slots || !c->freel)) ||
	    (opt_resp && (!c->ring || !c->line))) {
		fprintf(stderr, "loadgen: out of memory\n");
		exit(1);
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)idx };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		perror("loadgen: epoll_ctl");
		exit(1);
	}
}

/* ---- main --------------------------------------------------------------- */

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define TAKE() do { if (!v) usage(); i++; } while (0)
		if (!strcmp(a, "--host")) { TAKE(); opt_host = v; }
		else if (!strcmp(a, "--port")) { TAKE(); opt_port = v; }
		else if (!strcmp(a, "--proto")) {
			TAKE();
			if (!strcmp(v, "resp")) opt_resp = 1;
			else if (!strcmp(v, "rpc")) opt_resp = 0;
			else usage();
		}
		else if (!strcmp(a, "--conns")) { TAKE(); opt_conns = (int)num_arg(v, a); }
		else if (!strcmp(a, "--pipeline")) { TAKE(); opt_pipeline = (int)num_arg(v, a); }
		else if (!strcmp(a, "--seconds")) { TAKE(); opt_seconds = num_arg(v, a); }
		else if (!strcmp(a, "--requests")) { TAKE(); opt_requests = (uint64_t)num_arg(v, a); }
		else if (!strcmp(a, "--warmup")) { TAKE(); opt_warmup = num_arg(v, a); }
		else if (!strcmp(a, "--method")) { TAKE(); opt_method = v; }
		else if (!strcmp(a, "--params-file")) { TAKE(); opt_params_file = v; }
		else if (!strcmp(a, "--json")) opt_json = 1;
		else usage();
#undef TAKE
	}
	if (!opt_port || opt_conns < 1 || opt_pipeline < 1 ||
	    opt_pipeline > 65536 || (!opt_requests && opt_seconds <= 0))
		usage();
	signal(SIGPIPE, SIG_IGN);

	if (opt_resp)
		build_resp_template();
	else
		build_rpc_template();
	while ((1u << slotbits) < (unsigned)opt_pipeline)
		slotbits++;
	slotmask = (uint32_t)((1u << slotbits) - 1);

	struct addrinfo hints, *ai;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(opt_host, opt_port, &hints, &ai);
	if (rc) {
		fprintf(stderr, "loadgen: %s:%s: %s\n", opt_host, opt_port,
		    gai_strerror(rc));
		return 1;
	}
	epfd = epoll_create1(EPOLL_CLOEXEC);
	conns = calloc((size_t)opt_conns, sizeof *conns);
	if (epfd < 0 || !conns) {
		perror("loadgen");
		return 1;
	}
	for (int i = 0; i < opt_conns; i++) {
		int fd = dial(ai);
		if (fd < 0) {
			fprintf(stderr, "loadgen: connect %s:%s: %s\n", opt_host,
			    opt_port, strerror(errno));
			return 1;
		}
		conn_init(&conns[i], i, fd);
	}
	freeaddrinfo(ai);

	double cpu0 = cpu_seconds();
	uint64_t t_start = now_ns();
	t_warm_end = t_start + (uint64_t)(opt_warmup * 1e9);
	t_end = opt_requests ? UINT64_MAX : t_warm_end + (uint64_t)(opt_seconds * 1e9);
	int alive = opt_conns;

	for (int i = 0; i < opt_conns; i++)
		conn_write(&conns[i], t_start);

	struct epoll_event *evs = calloc((size_t)opt_conns, sizeof *evs);
	while (!done && alive > 0) {
		uint64_t now = now_ns();
		if (!opt_requests && now >= t_end)
			break;
		int timeout = 100;
		if (!opt_requests) {
			uint64_t left_ms = (t_end - now) / 1000000 + 1;
			if (left_ms < (uint64_t)timeout)
				timeout = (int)left_ms;
		}
		int n = epoll_wait(epfd, evs, opt_conns, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("loadgen: epoll_wait");
			return 1;
		}
		for (int e = 0; e < n; e++) {
			struct conn *c = &conns[evs[e].data.u32];
			if (c->fd < 0)
				continue;
			if (evs[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
				if (opt_resp)
					read_resp(c);
				else
					read_rpc(c);
			}
			if (!c->dead)
				conn_write(c, now_ns());
			if (c->dead) {
				conn_kill(c);
				alive--;
			}
		}
	}
	uint64_t t_stop = now_ns();
	free(evs);
	double cpu = cpu_seconds() - cpu0;
	double wall = (double)(t_stop - t_start) / 1e9;

	double secs;
	if (opt_requests)
		secs = t_last_resp > t_warm_end ?
		    (double)(t_last_resp - t_warm_end) / 1e9 : 0;
	else if (t_stop < t_end)          /* every connection was lost */
		secs = t_stop > t_warm_end ?
		    (double)(t_stop - t_warm_end) / 1e9 : 0;
	else
		secs = (double)(t_end - t_warm_end) / 1e9;
	double rps = secs > 0 ? (double)n_all / secs : 0;
	double p50 = h_percentile_us(0.50), p99 = h_percentile_us(0.99),
	    p999 = h_percentile_us(0.999), mx = (double)hist_max / 1000.0,
	    mean = hist_n ? (double)hist_sum / (double)hist_n / 1000.0 : 0;
	double cpu_frac = wall > 0 ? cpu / wall : 0;

	fprintf(opt_json ? stderr : stdout,
	    "%s %s:%s %s conns=%d pipeline=%d: %llu requests in %.2f s = %.0f req/s;"
	    " latency p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us;"
	    " errors %llu; protocol violations %llu; connections lost %llu;"
	    " client cpu %.0f%% of a core\n",
	    opt_resp ? "resp" : "rpc", opt_host, opt_port,
	    opt_resp ? "PING" : opt_method, opt_conns, opt_pipeline,
	    (unsigned long long)n_all, secs, rps, p50, p99, p999, mx,
	    (unsigned long long)n_err, (unsigned long long)n_proto,
	    (unsigned long long)n_conn_err, cpu_frac * 100);
	if (first_err[0])
		fprintf(stderr, "loadgen: first error reply: %s\n", first_err);
	if (first_proto[0])
		fprintf(stderr, "loadgen: first failure: %s\n", first_proto);
	if (opt_json) {
		printf("{\"proto\":\"%s\",\"method\":", opt_resp ? "resp" : "rpc");
		json_str(opt_resp ? "PING" : opt_method);
		printf(",\"conns\":%d,\"pipeline\":%d,\"requests\":%llu,"
		    "\"ok\":%llu,\"errors\":%llu,\"protocol_violations\":%llu,"
		    "\"connections_lost\":%llu,\"seconds\":%.3f,\"rps\":%.1f,"
		    "\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,"
		    "\"max_us\":%.1f,\"mean_us\":%.1f,\"client_cpu\":%.3f",
		    opt_conns, opt_pipeline, (unsigned long long)n_all,
		    (unsigned long long)n_ok, (unsigned long long)n_err,
		    (unsigned long long)n_proto, (unsigned long long)n_conn_err,
		    secs, rps, p50, p99, p999, mx, mean, cpu_frac);
		printf(",\"first_error\":");
		json_str(first_err);
		printf("}\n");
	}
	fflush(stdout);
	if (n_proto)
		return 2;
	if (n_conn_err || alive == 0)
		return 1;
	return 0;
}
