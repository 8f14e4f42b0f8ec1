/*
 * loadgen — closed-loop load generator for chanjiaod (MessagePack-RPC) and,
 * for comparison, redis-server (RESP PING).
 *
 *   loadgen --host 127.0.0.1 --port P [--proto rpc|resp] [--conns N]
 *           [--pipeline D] [--seconds S | --requests R] [--warmup S]
 *           [--method system.ping] [--params-file F | --params-list F]
 *           [--replay F] [--rate R] [--json]
 *
 * What is sent (rpc):
 * - default: [0, msgid, method, [params]] with one params map (`{}`, or the
 *   one in --params-file), over and over;
 * - --params-list F: F holds many concatenated params maps; each connection
 *   cycles through them, connection i starting at map i * count / conns,
 *   so a query is measured over many different arguments;
 * - --replay F: F holds whole request frames [0, msgid, method, params]
 *   (bench/gen writes them); each is sent exactly once, in file order,
 *   with its msgid replaced by loadgen's own.  When the method changes from
 *   one frame to the next, loadgen waits for every reply before it sends
 *   the next frame (all schools are stored before the first specialty
 *   names one).  Every error reply is fatal: nothing more is sent, the
 *   first error is printed and the exit status is 3.  Records are counted
 *   from the frames ({"records": [...]} counts its items, anything else 1)
 *   and the result is records per second, in total and per run of one
 *   method ("phase").  --seconds/--requests/--warmup do not apply.
 *
 * One thread, one epoll set, N non-blocking connections.  Each connection
 * keeps D requests in flight: D are sent at start, and every response read
 * frees a slot that is refilled in the same loop pass.  Per ready connection
 * and loop pass there is one recv() (64 KiB) and at most one send() carrying
 * every new request, so the client costs the same syscalls per request as
 * the server it measures.
 *
 * RPC requests are packed once: a 7-byte head [0, 0xce xxxx (the msgid,
 * always a uint32), and per distinct request a tail (method, [params]), so
 * sending one is two memcpys and a 4-byte patch.  msgid = (sequence << slotbits) | slot, so a
 * response is matched to its outstanding request in O(1) and in any order;
 * a msgid that matches no outstanding request is a protocol violation.
 * Responses are framed with the daemon's own scanner (proto_scan); the
 * usual [1, msgid, nil, result] is checked from its first bytes and any
 * other reply decoded with msgpack-c; a non-nil error is counted.
 *
 * Latency is send time (just before the write() carrying the request) to
 * receive time (just after the read() that completed the response), both
 * CLOCK_MONOTONIC, recorded in a log-linear histogram (128 sub-buckets per
 * power of two of nanoseconds: values are exact to < 0.8%).
 *
 * Only responses received after the warmup and before the end of the
 * measured window are counted; throughput is that count over the window.
 * SIGINT or SIGTERM ends the window early and the run is reported as usual
 * (bench/scale.sh runs a ping probe that way for the length of an import).
 * --rate R paces the sends to at most R requests a second in all (a probe
 * that samples latency without taking the CPU it measures; the pacing
 * waits in epoll_wait's millisecond timeouts, so it tops out near 1,000/s).
 *
 * Exit status: 0 on a clean run (server-reported errors are counted, not
 * fatal, except with --replay), 1 on usage or connection failures, 2 on
 * protocol violations, 3 on an error reply during --replay.
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
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "benchlib.h"
#include "proto.h"

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
static const char *opt_params_list;
static const char *opt_replay;
static int opt_json;

static void usage(void)
{
	fprintf(stderr,
	    "usage: loadgen --host H --port P [--proto rpc|resp] [--conns N]\n"
	    "               [--pipeline D] [--seconds S | --requests R] "
	    "[--warmup S]\n"
	    "               [--method NAME] [--params-file F | --params-list F]\n"
	    "               [--replay F] [--rate R] [--json]\n");
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

/* ---- requests ---------------------------------------------------------- */

/*
 * RPC: every request is HEAD (with the msgid patched in) + one of the
 * tails.  RESP: the one inline PING in resp_tmpl.
 */
#define HEAD_LEN 7                     /* 0x94 0x00 0xce xx xx xx xx */
struct req {
	const char *tail;              /* method, params */
	size_t len;
	uint32_t records;              /* --replay: records in the frame */
	uint32_t phase;                /* --replay: run of one method */
};
static struct req *reqs;
static size_t nreqs, max_req_len;
static const char *resp_tmpl;
static size_t resp_len;

struct phase {
	char method[64];
	uint64_t frames, records, ok_records;
	uint64_t t_first, t_last;      /* first send, last reply */
};
static struct phase *phases;
static size_t nphases;

static int sbuf_write(void *data, const char *buf, size_t len)
{
	return msgpack_sbuffer_write(data, buf, len);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f || fstat(fileno(f), &st) < 0)
		die("cannot open", path);
	*len = (size_t)st.st_size;
	char *buf = malloc(*len ? *len : 1);
	if (!buf || fread(buf, 1, *len, f) != *len)
		die("cannot read", path);
	fclose(f);
	return buf;
}

/*
 * MessagePack walking without building objects: rd() reads a k-byte
 * big-endian length, mp_skip() steps over one whole value.  Both return
 * NULL on truncated or invalid input.
 */
static const unsigned char *rd(const unsigned char *p, const unsigned char *end,
    int k, uint64_t *v)
{
	if (end - p < k)
		return NULL;
	*v = 0;
	for (int i = 0; i < k; i++)
		*v = *v << 8 | p[i];
	return p + k;
}

static const unsigned char *mp_skip(const unsigned char *p,
    const unsigned char *end)
{
	uint64_t left = 1;
	while (left) {
		if (p >= end)
			return NULL;
		unsigned b = *p++;
		uint64_t n = 0, items = 0, v;
		left--;
		if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
			continue;
		if ((b & 0xe0) == 0xa0)
			n = b & 0x1f;
		else if ((b & 0xf0) == 0x90)
			items = b & 0x0f;
		else if ((b & 0xf0) == 0x80)
			items = 2 * (uint64_t)(b & 0x0f);
		else {
			switch (b) {
			case 0xc4: case 0xd9:          /* bin8, str8 */
				if (!(p = rd(p, end, 1, &n))) return NULL;
				break;
			case 0xc5: case 0xda:          /* bin16, str16 */
				if (!(p = rd(p, end, 2, &n))) return NULL;
				break;
			case 0xc6: case 0xdb:          /* bin32, str32 */
				if (!(p = rd(p, end, 4, &n))) return NULL;
				break;
			case 0xc7:                     /* ext8/16/32: len, type */
				if (!(p = rd(p, end, 1, &n))) return NULL;
				n++;
				break;
			case 0xc8:
				if (!(p = rd(p, end, 2, &n))) return NULL;
				n++;
				break;
			case 0xc9:
				if (!(p = rd(p, end, 4, &n))) return NULL;
				n++;
				break;
			case 0xca: n = 4; break;       /* float32 */
			case 0xcb: n = 8; break;       /* float64 */
			case 0xcc: case 0xd0: n = 1; break;
			case 0xcd: case 0xd1: n = 2; break;
			case 0xce: case 0xd2: n = 4; break;
			case 0xcf: case 0xd3: n = 8; break;
			case 0xd4: n = 2; break;       /* fixext 1, 2, 4, 8, 16 */
			case 0xd5: n = 3; break;
			case 0xd6: n = 5; break;
			case 0xd7: n = 9; break;
			case 0xd8: n = 17; break;
			case 0xdc:                     /* array16/32 */
				if (!(p = rd(p, end, 2, &items))) return NULL;
				break;
			case 0xdd:
				if (!(p = rd(p, end, 4, &items))) return NULL;
				break;
			case 0xde:                     /* map16/32 */
				if (!(p = rd(p, end, 2, &v))) return NULL;
				items = 2 * v;
				break;
			case 0xdf:
				if (!(p = rd(p, end, 4, &v))) return NULL;
				items = 2 * v;
				break;
			default:                       /* 0xc1 */
				return NULL;
			}
		}
		if ((uint64_t)(end - p) < n)
			return NULL;
		p += n;
		left += items;
	}
	return p;
}

/* A str value at p: its bytes in *s, *n; NULL when p holds no str. */
static const unsigned char *mp_str(const unsigned char *p,
    const unsigned char *end, const unsigned char **s, uint64_t *n)
{
	if (p >= end)
		return NULL;
	unsigned b = *p++;
	if ((b & 0xe0) == 0xa0)
		*n = b & 0x1f;
	else if (b == 0xd9 || b == 0xda || b == 0xdb) {
		if (!(p = rd(p, end, b == 0xd9 ? 1 : b == 0xda ? 2 : 4, n)))
			return NULL;
	} else
		return NULL;
	if ((uint64_t)(end - p) < *n)
		return NULL;
	*s = p;
	return p + *n;
}

/* An array (want_map 0) or map header at p: its size in *n. */
static const unsigned char *mp_head(const unsigned char *p,
    const unsigned char *end, int want_map, uint64_t *n)
{
	if (p >= end)
		return NULL;
	unsigned b = *p++;
	unsigned fix = want_map ? 0x80 : 0x90, b16 = want_map ? 0xde : 0xdc;
	if ((b & 0xf0) == fix) {
		*n = b & 0x0f;
		return p;
	}
	if (b == b16)
		return rd(p, end, 2, n);
	if (b == b16 + 1)
		return rd(p, end, 4, n);
	return NULL;
}

/* Records in a put's params [{"records": [...]}]: the array's size; 1 for
 * anything else. */
static uint32_t count_records(const unsigned char *p, const unsigned char *end)
{
	uint64_t n, m;
	if (!(p = mp_head(p, end, 0, &n)) || n != 1 ||
	    !(p = mp_head(p, end, 1, &m)))
		return 1;
	for (uint64_t i = 0; i < m; i++) {
		const unsigned char *k;
		uint64_t kl, cnt;
		const unsigned char *q = mp_str(p, end, &k, &kl);
		if (q && kl == 7 && !memcmp(k, "records", 7) &&
		    mp_head(q, end, 0, &cnt))
			return (uint32_t)cnt;
		if (!(p = mp_skip(p, end)) || !(p = mp_skip(p, end)))
			return 1;
	}
	return 1;
}

static void add_req(const char *tail, size_t len, uint32_t records, uint32_t phase)
{
	static size_t cap;
	if (nreqs == cap) {
		cap = cap ? 2 * cap : 1024;
		reqs = realloc(reqs, cap * sizeof *reqs);
		if (!reqs) {
			fprintf(stderr, "loadgen: out of memory\n");
			exit(1);
		}
	}
	reqs[nreqs++] = (struct req){ tail, len, records, phase };
	if (len > max_req_len)
		max_req_len = len;
}

/* A tail: method, [params] (params NULL: {}). */
static void add_call(const char *params, size_t plen)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, sbuf_write);
	msgpack_pack_str(&pk, strlen(opt_method));
	msgpack_pack_str_body(&pk, opt_method, strlen(opt_method));
	msgpack_pack_array(&pk, 1);
	if (params)
		msgpack_sbuffer_write(&sb, params, plen);
	else
		msgpack_pack_map(&pk, 0);
	size_t len = sb.size;
	add_req(msgpack_sbuffer_release(&sb), len, 1, 0);
}

static int is_map(const char *p, const char *end)
{
	uint64_t n;
	return mp_head((const unsigned char *)p, (const unsigned char *)end, 1, &n)
	    != NULL;
}

static void build_rpc_requests(void)
{
	if (opt_replay) {
		/* mmap: a national scenario is over a gigabyte. */
		int fd = open(opt_replay, O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0)
			die("cannot open (or empty) replay file", opt_replay);
		size_t len = (size_t)st.st_size;
		const unsigned char *base = mmap(NULL, len, PROT_READ, MAP_PRIVATE,
		    fd, 0), *p, *end;
		if (base == MAP_FAILED)
			die("cannot map", opt_replay);
		close(fd);
		madvise((void *)base, len, MADV_SEQUENTIAL);
		end = base + len;
		for (p = base; p < end;) {
			const unsigned char *q = p, *name, *params, *next;
			uint64_t nlen;
			if (end - q < 2 || q[0] != 0x94 || q[1] != 0x00 ||
			    !(q = mp_skip(q + 2, end)) ||
			    !(params = mp_str(q, end, &name, &nlen)) ||
			    !(next = mp_skip(params, end))) {
				fprintf(stderr, "loadgen: %s: no request [0, msgid, method,"
				    " params] at byte %zu\n", opt_replay,
				    (size_t)(p - base));
				exit(1);
			}
			if (!nphases || strlen(phases[nphases - 1].method) != nlen ||
			    memcmp(phases[nphases - 1].method, name, nlen)) {
				phases = realloc(phases, (nphases + 1) * sizeof *phases);
				if (!phases) {
					fprintf(stderr, "loadgen: out of memory\n");
					exit(1);
				}
				memset(&phases[nphases], 0, sizeof *phases);
				snprintf(phases[nphases].method,
				    sizeof phases[nphases].method, "%.*s",
				    (int)(nlen < 63 ? nlen : 63), (const char *)name);
				nphases++;
			}
			uint32_t recs = count_records(params, next);
			phases[nphases - 1].frames++;
			phases[nphases - 1].records += recs;
			add_req((const char *)q, (size_t)(next - q), recs,
			    (uint32_t)nphases - 1);
			p = next;
		}
		return;
	}
	if (opt_params_list) {
		size_t len;
		const char *buf = read_file(opt_params_list, &len), *p = buf,
		    *end = buf + len;
		while (p < end) {
			const char *next = (const char *)mp_skip(
			    (const unsigned char *)p, (const unsigned char *)end);
			if (!next || !is_map(p, next))
				die("params list must hold concatenated MessagePack maps:",
				    opt_params_list);
			add_call(p, (size_t)(next - p));
			p = next;
		}
		if (!nreqs)
			die("empty params list", opt_params_list);
		return;
	}
	if (opt_params_file) {
		size_t plen;
		char *params = read_file(opt_params_file, &plen);
		const char *next = (const char *)mp_skip((const unsigned char *)params,
		    (const unsigned char *)params + plen);
		/* Exactly one MessagePack map, nothing after it. */
		if (!next || next != params + plen || !is_map(params, next))
			die("params file must hold exactly one MessagePack map:",
			    opt_params_file);
		add_call(params, plen);
		free(params);
		return;
	}
	add_call(NULL, 0);
}

static void build_resp_template(void)
{
	static char ping[] = "PING\r\n";
	resp_tmpl = ping;
	resp_len = sizeof ping - 1;
	max_req_len = resp_len;
}

/* ---- connections -------------------------------------------------------- */

struct slot {
	uint64_t t_send;
	uint32_t msgid;
	uint32_t busy;
	size_t req;                    /* index in reqs */
};

struct conn {
	int fd, idx, dead, want_out;
	int inflight;                  /* sent or queued, not yet answered */
	int to_send;                   /* free slots to refill this pass */
	uint32_t seq;
	size_t next_req;               /* --params-list: next map to send */
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
	struct proto_buf in;           /* rpc: bytes read, not yet framed */
	struct proto_scan scan;
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
static volatile sig_atomic_t stop_signal;  /* SIGINT/SIGTERM: stop, report */
static char first_err[256];
static char first_proto[256];

/* --replay: the next frame to send; set when an error reply stops it. */
static size_t replay_next;
static int replay_stop, replay_kick;
static uint64_t n_records;             /* records of ok replies */

/* Are we still issuing requests? */
static uint64_t inflight_total;
static double opt_rate;                /* requests/s in all; 0: as fast as answered */
static uint64_t next_send;             /* with --rate: not before this (ns) */
static int can_issue(uint64_t now)
{
	if (done)
		return 0;
	if (opt_rate > 0 && now < next_send)
		return 0;
	if (opt_replay) {
		/* In order; a new method only once the last one is answered. */
		return !replay_stop && replay_next < nreqs && (inflight_total == 0 ||
		    reqs[replay_next].phase == reqs[replay_next - 1].phase);
	}
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
    int is_err, size_t req)
{
	c->inflight--;
	inflight_total--;
	c->to_send++;
	if (opt_replay) {
		struct phase *ph = &phases[reqs[req].phase];
		ph->t_last = t_recv;
		if (!is_err)
			ph->ok_records += reqs[req].records;
		if (is_err)
			replay_stop = 1;
		if (inflight_total == 0) {
			if (replay_stop || replay_next == nreqs)
				done = 1;
			else
				replay_kick = 1;   /* the next phase may start */
		}
	}
	if (t_recv < t_warm_end || (!opt_requests && !opt_replay && t_recv > t_end))
		return;
	if (opt_requests && n_all >= opt_requests)
		return;
	n_all++;
	if (is_err) {
		n_err++;
	} else {
		n_ok++;
		if (opt_replay)
			n_records += reqs[req].records;
	}
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
	count_response(c, c->slots[s].t_send, now, is_err, c->slots[s].req);
}

/* After read(): 1 when there is nothing to parse (retry later, or the
 * connection is gone and counted), 0 when r bytes arrived. */
static int read_done(struct conn *c, ssize_t r)
{
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	if (r <= 0) {
		n_conn_err++;
		if (!first_proto[0])
			snprintf(first_proto, sizeof first_proto,
			    "connection %d: %s", c->idx,
			    r == 0 ? "closed by server" : strerror(errno));
		c->dead = 1;
		return 1;
	}
	return 0;
}

/*
 * One whole response frame.  The common reply, [1, msgid, nil, result], is
 * checked from its first bytes; anything else (an error, a nil or odd
 * msgid, another shape, nesting msgpack-c cannot decode) is decoded with
 * msgpack-c and checked in full by handle_rpc, so both paths judge a reply
 * alike.
 */
static void handle_frame(struct conn *c, const char *f, size_t n,
    size_t depth, uint64_t now)
{
	const unsigned char *u = (const unsigned char *)f;
	uint32_t id = 0;
	size_t k;

	if (n > 3 && u[0] == 0x94 && u[1] == 0x01) {
		if (u[2] < 0x80) {
			id = u[2], k = 3;
		} else if (u[2] == 0xcc) {
			id = u[3], k = 4;
		} else if (u[2] == 0xcd && n > 4) {
			id = (uint32_t)u[3] << 8 | u[4], k = 5;
		} else if (u[2] == 0xce && n > 6) {
			id = (uint32_t)u[3] << 24 | (uint32_t)u[4] << 16 |
			    (uint32_t)u[5] << 8 | u[6], k = 7;
		} else {
			k = 0;
		}
		uint32_t s = id & slotmask;
		if (k && k < n && u[k] == 0xc0 && depth <= PROTO_DEPTH_MAX &&
		    (int)s < opt_pipeline &&
		    c->slots[s].busy && c->slots[s].msgid == id) {
			c->slots[s].busy = 0;
			c->freel[c->nfree++] = (int)s;
			count_response(c, c->slots[s].t_send, now, 0,
			    c->slots[s].req);
			return;
		}
	}
	msgpack_unpacked up;
	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, f, n, NULL) != MSGPACK_UNPACK_SUCCESS)
		proto_violation(c, "response is not MessagePack");
	else
		handle_rpc(c, &up.data, now);
	msgpack_unpacked_destroy(&up);
}

static void read_rpc(struct conn *c)
{
	proto_buf_reserve(&c->in, READ_CHUNK);
	ssize_t r = recv(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len,
	    0);
	uint64_t now = now_ns();
	if (read_done(c, r))
		return;
	c->in.len += (size_t)r;
	while (!c->dead) {
		const char *p = c->in.data + c->in.off;
		switch (proto_scan(&c->scan, p, proto_buf_pending(&c->in),
		    SIZE_MAX)) {
		case PROTO_PARTIAL:
			return;
		case PROTO_FRAME:
			handle_frame(c, p, c->scan.len, c->scan.maxdepth, now);
			proto_buf_consume(&c->in, c->scan.len);
			proto_scan_reset(&c->scan);
			break;
		default:
			proto_violation(c, "response is not MessagePack");
			return;
		}
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
	count_response(c, t, now, is_err, 0);
}

static void read_resp(struct conn *c)
{
	static char buf[READ_CHUNK];
	ssize_t r = recv(c->fd, buf, sizeof buf, 0);
	uint64_t now = now_ns();
	if (read_done(c, r))
		return;
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

/* Room for n more bytes in c->out: compact, else grow. */
static char *out_room(struct conn *c, size_t n)
{
	if (c->outlen + n > c->outcap) {
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	if (c->outlen + n > c->outcap) {
		c->outcap = (c->outlen + n) * 2;
		c->out = realloc(c->out, c->outcap);
		if (!c->out) {
			fprintf(stderr, "loadgen: out of memory\n");
			exit(1);
		}
	}
	return c->out + c->outlen;
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
		if (opt_resp) {
			memcpy(out_room(c, resp_len), resp_tmpl, resp_len);
			c->outlen += resp_len;
			c->ring[c->rtail] = now;
			c->rtail = (c->rtail + 1) % (opt_pipeline + 1);
		} else {
			size_t r = 0;
			if (opt_replay) {
				r = replay_next++;
				struct phase *ph = &phases[reqs[r].phase];
				if (!ph->t_first)
					ph->t_first = now;
			} else if (nreqs > 1) {
				r = c->next_req;
				c->next_req = (r + 1) % nreqs;
			}
			const struct req *q = &reqs[r];
			unsigned char *dst = (unsigned char *)out_room(c, HEAD_LEN + q->len);
			int s = c->freel[--c->nfree];
			uint32_t id = (c->seq++ << slotbits) | (uint32_t)s;
			dst[0] = 0x94;
			dst[1] = 0x00;
			dst[2] = 0xce;
			dst[3] = (unsigned char)(id >> 24);
			dst[4] = (unsigned char)(id >> 16);
			dst[5] = (unsigned char)(id >> 8);
			dst[6] = (unsigned char)id;
			memcpy(dst + HEAD_LEN, q->tail, q->len);
			c->outlen += HEAD_LEN + q->len;
			c->slots[s].msgid = id;
			c->slots[s].busy = 1;
			c->slots[s].t_send = now;
			c->slots[s].req = r;
		}
		c->to_send--;
		c->inflight++;
		inflight_total++;
		k++;
		if (opt_rate > 0)
			next_send = (next_send > now ? next_send : now) +
			    (uint64_t)(1e9 / opt_rate);
	}
	if (c->outlen == c->outoff)
		return;
	ssize_t w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
	    MSG_NOSIGNAL);
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
	c->next_req = nreqs > 1 ? (size_t)idx * nreqs / (size_t)opt_conns : 0;
	c->outcap = (size_t)opt_pipeline * (HEAD_LEN + max_req_len) * 2;
	c->out = malloc(c->outcap);
	if (!opt_resp) {
		c->slots = calloc((size_t)opt_pipeline, sizeof *c->slots);
		c->freel = malloc((size_t)opt_pipeline * sizeof *c->freel);
		for (int i = opt_pipeline - 1; i >= 0; i--)
			c->freel[c->nfree++] = i;
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

static void on_stop(int sig)
{
	(void)sig;
	stop_signal = 1;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
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
		else if (!strcmp(a, "--rate")) { TAKE(); opt_rate = num_arg(v, a); }
		else if (!strcmp(a, "--seconds")) { TAKE(); opt_seconds = num_arg(v, a); }
		else if (!strcmp(a, "--requests")) { TAKE(); opt_requests = (uint64_t)num_arg(v, a); }
		else if (!strcmp(a, "--warmup")) { TAKE(); opt_warmup = num_arg(v, a); }
		else if (!strcmp(a, "--method")) { TAKE(); opt_method = v; }
		else if (!strcmp(a, "--params-file")) { TAKE(); opt_params_file = v; }
		else if (!strcmp(a, "--params-list")) { TAKE(); opt_params_list = v; }
		else if (!strcmp(a, "--replay")) { TAKE(); opt_replay = v; }
		else if (!strcmp(a, "--json")) opt_json = 1;
		else usage();
#undef TAKE
	}
	if (!opt_port || opt_conns < 1 || opt_pipeline < 1 ||
	    opt_pipeline > 65536 || (!opt_requests && opt_seconds <= 0) ||
	    (!!opt_params_file + !!opt_params_list + !!opt_replay) > 1 ||
	    (opt_resp && (opt_params_file || opt_params_list || opt_replay)))
		usage();
	if (opt_replay) {
		opt_requests = 0;
		opt_warmup = 0;
	}
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (opt_resp)
		build_resp_template();
	else
		build_rpc_requests();
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
	t_end = opt_requests || opt_replay ? UINT64_MAX :
	    t_warm_end + (uint64_t)(opt_seconds * 1e9);
	int alive = opt_conns;

	for (int i = 0; i < opt_conns; i++)
		conn_write(&conns[i], t_start);

	struct epoll_event *evs = calloc((size_t)opt_conns, sizeof *evs);
	while (!done && alive > 0 && !stop_signal) {
		uint64_t now = now_ns();
		if (now >= t_end)
			break;
		int timeout = 100;
		if (opt_rate > 0 && next_send > now &&
		    (next_send - now) / 1000000 + 1 < (uint64_t)timeout)
			timeout = (int)((next_send - now) / 1000000 + 1);
		if (t_end != UINT64_MAX) {
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
		if (opt_rate > 0)             /* a paced send may be due */
			for (int i = 0; i < opt_conns; i++)
				if (conns[i].fd >= 0 && !conns[i].dead)
					conn_write(&conns[i], now_ns());
		if (replay_kick) {
			/* A phase is answered: every connection may send again. */
			replay_kick = 0;
			for (int i = 0; i < opt_conns; i++)
				if (conns[i].fd >= 0 && !conns[i].dead)
					conn_write(&conns[i], now_ns());
		}
	}
	uint64_t t_stop = now_ns();
	free(evs);
	double cpu = cpu_seconds() - cpu0;
	double wall = (double)(t_stop - t_start) / 1e9;

	double secs;
	if (opt_requests || opt_replay)
		secs = t_last_resp > t_warm_end ?
		    (double)(t_last_resp - t_warm_end) / 1e9 : 0;
	else if (t_stop < t_end)          /* stopped, or every connection lost */
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
	    opt_resp ? "PING" : opt_replay ? "replay" : opt_method, opt_conns,
	    opt_pipeline,
	    (unsigned long long)n_all, secs, rps, p50, p99, p999, mx,
	    (unsigned long long)n_err, (unsigned long long)n_proto,
	    (unsigned long long)n_conn_err, cpu_frac * 100);
	double rec_rate = secs > 0 ? (double)n_records / secs : 0;
	int replay_ok = opt_replay && !replay_stop && replay_next == nreqs &&
	    n_ok == nreqs;
	if (opt_replay) {
		FILE *hf = opt_json ? stderr : stdout;
		for (size_t i = 0; i < nphases; i++) {
			const struct phase *ph = &phases[i];
			double ps = ph->t_last > ph->t_first ?
			    (double)(ph->t_last - ph->t_first) / 1e9 : 0;
			fprintf(hf, "replay phase %zu %s: %llu records in %llu frames, "
			    "%.2f s = %.0f records/s\n", i + 1, ph->method,
			    (unsigned long long)ph->ok_records,
			    (unsigned long long)ph->frames, ps,
			    ps > 0 ? (double)ph->ok_records / ps : 0);
		}
		fprintf(hf, "replay %s: %llu records in %llu of %zu frames, %.2f s = "
		    "%.0f records/s%s\n", opt_replay, (unsigned long long)n_records,
		    (unsigned long long)n_ok, nreqs, secs, rec_rate,
		    replay_ok ? "" : " (INCOMPLETE)");
	}
	if (first_err[0])
		fprintf(stderr, "loadgen: first error reply: %s\n", first_err);
	if (first_proto[0])
		fprintf(stderr, "loadgen: first failure: %s\n", first_proto);
	if (opt_json) {
		printf("{\"proto\":\"%s\",\"method\":", opt_resp ? "resp" : "rpc");
		json_str(opt_resp ? "PING" : opt_replay ? "replay" : opt_method);
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
		if (opt_replay) {
			printf(",\"records\":%llu,\"records_per_s\":%.1f,\"frames\":%zu,"
			    "\"complete\":%s,\"phases\":[", (unsigned long long)n_records,
			    rec_rate, nreqs, replay_ok ? "true" : "false");
			for (size_t i = 0; i < nphases; i++) {
				const struct phase *ph = &phases[i];
				double ps = ph->t_last > ph->t_first ?
				    (double)(ph->t_last - ph->t_first) / 1e9 : 0;
				printf("%s{\"method\":", i ? "," : "");
				json_str(ph->method);
				printf(",\"frames\":%llu,\"records\":%llu,\"seconds\":%.3f,"
				    "\"records_per_s\":%.1f}", (unsigned long long)ph->frames,
				    (unsigned long long)ph->ok_records, ps,
				    ps > 0 ? (double)ph->ok_records / ps : 0);
			}
			printf("]");
		}
		printf("}\n");
	}
	fflush(stdout);
	if (n_proto)
		return 2;
	if (n_conn_err || alive == 0)
		return 1;
	if (opt_replay && n_err)
		return 3;
	if (opt_replay && !replay_ok)
		return 1;
	return 0;
}
