/*
 * http — the web console: libevent's evhttp serving the embedded pages
 * (web/, compiled in by embed.cmake) and a JSON bridge to the RPC
 * methods (docs/console.md, docs/protocol.md "The web console").
 *
 * One code path: POST /api/<method> {params} is packed into the very
 * request frame an RPC client would send, and handled by methods_handle
 * with the browser's session; a call for the workers, the planners or
 * the writer goes to jobs_submit like a connection's, and its reply comes
 * back through server_job_done to http_job_done.  The reply frame is
 * turned into JSON.  Validation, roles, limits and stats are the RPC's.
 *
 * Sessions exist only with a tokens file: auth.login makes one, a random
 * id in an HttpOnly, SameSite=Strict cookie and a random CSRF token that
 * every later POST must echo in X-CSRF-Token.  A session ends at logout,
 * after session_timeout_s idle, or at its next use once a SIGHUP dropped
 * its token (methods_session_fresh).  Without tokens every request is
 * admin, as on the RPC port, which is loopback only then.
 *
 * Every request's Host must be the listen address (or localhost on
 * loopback, or a name in [http] hosts) and its Origin, if any, the same:
 * another site's page, or a DNS-rebound name, gets 403.
 *
 * Limits evhttp enforces: the request line and headers (max_header), the
 * body (max_frame: 413), and timeout_s for reading a request or writing
 * its reply (a slow one is closed, with no reply: libevent 2.1).  evhttp
 * 2.1 has no hook to refuse or count connections, so HTTP connections are
 * not in max_connections nor their buffers in max_reply_memory; an API
 * call counts in max_jobs when it runs on another thread, and one
 * connection has one request in flight at a time.
 */
#include "daemon.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include "xalloc.h"

#define ID_BYTES 24               /* of a session id and a CSRF token */
#define ID_LEN 32                 /* ... as base64url */
#define COOKIE "cj_session"
#define HTTP_CONN_BIT (1ULL << 63)  /* job ids apart from connections' */
#define METHOD_MAX 64

struct hsess {
	char id[ID_LEN + 1];
	char csrf[ID_LEN + 1];
	struct session s;
	uint64_t last_ms;
	struct hsess *next;
};

/*
 * An API call on another thread.  When its connection goes, evhttp
 * either frees req with it (req becomes NULL here) or, when the client
 * closed or timed out, detaches req and leaves it to us (orphan: freed
 * when the job is done).
 */
struct pending {
	uint64_t id;
	struct evhttp_request *req;
	int orphan;
	struct pending *prev, *next;
};

struct asset_etag {
	char tag[24];
};

static struct evhttp *http;
static struct evhttp_bound_socket *bound;
static char hosts[8][300];        /* accepted Host values */
static int nhosts;
static struct hsess *sessions;
static size_t nsessions;
static struct pending *pendings;
static uint64_t next_id;
static char *chart;               /* Chart.js, read at start */
static size_t chart_len;
static char chart_etag[24];
static struct asset_etag *etags;  /* of http_assets[i] */

/* ------------------------------------------------------------ helpers */

static uint64_t now_ms(void)
{
	return stats_now_us() / 1000;
}

static void etag_of(const void *p, size_t n, char *out, size_t cap)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;     /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	snprintf(out, cap, "\"%016llx\"", (unsigned long long)h);
}

static void random_id(char *out)
{
	static const char b64url[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char r[ID_BYTES];
	size_t got = 0;

	while (got < sizeof r) {
		ssize_t n = getrandom(r + got, sizeof r - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_error("getrandom: %s", strerror(errno));
			abort();          /* never hand out a guessable session */
		}
		got += (size_t)n;
	}
	for (size_t i = 0, o = 0; i < sizeof r; i += 3) {
		uint32_t v = (uint32_t)r[i] << 16 | (uint32_t)r[i + 1] << 8 | r[i + 2];
		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
		out[o++] = b64url[v >> 6 & 63];
		out[o++] = b64url[v & 63];
	}
	out[ID_LEN] = 0;
}

/* Constant-time equality of two NUL-terminated tokens of ID_LEN. */
static int same_token(const char *a, const char *b)
{
	unsigned char d = 0;
	if (!a || !b || strlen(a) != ID_LEN || strlen(b) != ID_LEN)
		return 0;
	for (int i = 0; i < ID_LEN; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

static void common_headers(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Security-Policy",
	    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
	    "form-action 'self'");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "same-origin");
}

/* ------------------------------------------------------------ JSON */

static int status_of(long long code)
{
	switch (code) {
	case PROTO_PARSE_ERROR: case PROTO_INVALID_REQUEST:
	case PROTO_INVALID_PARAMS: return 400;
	case PROTO_UNAUTHENTICATED: return 401;
	case PROTO_FORBIDDEN: return 403;
	case PROTO_NOT_FOUND: case PROTO_METHOD_NOT_FOUND: return 404;
	case PROTO_CONFLICT: return 409;
	case PROTO_TOO_LARGE: return 413;
	case PROTO_BUSY: return 429;
	case PROTO_STORE_FULL: return 507;
	default: return 500;
	}
}

static const char *reason_of(int status)
{
	switch (status) {
	case 200: return "OK";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	case 507: return "Insufficient Storage";
	default: return "Internal Server Error";
	}
}

static void free_dump(const void *data, size_t len, void *arg)
{
	(void)data, (void)len;
	free(arg);
}

/* Answer req with the JSON text p[0..n), handed over: done(p, n, arg)
 * frees it once sent. */
static void send_body(struct evhttp_request *req, int status, const char *p,
    size_t n, evbuffer_ref_cleanup_cb done, void *arg)
{
	struct evbuffer *b = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	if (n)
		evbuffer_add_reference(b, p, n, done, arg);
	else
		done(p, n, arg);
	common_headers(req);
	evhttp_add_header(h, "Content-Type", "application/json; charset=utf-8");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply(req, status, reason_of(status), b);
	evbuffer_free(b);
}

/* Send v (stolen), a small answer of our own, as the JSON body. */
static void send_json(struct evhttp_request *req, int status, json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT);

	json_decref(v);
	send_body(req, status, text, text ? strlen(text) : 0, free_dump, text);
}

static void send_error(struct evhttp_request *req, int status, int code,
    const char *message, const char *field)
{
	json_t *data = field ? json_pack("{s:s}", "field", field) : json_null();
	send_json(req, status, json_pack("{s:{s:i,s:s,s:o}}", "error", "code",
	    code, "message", message, "data", data));
}

/*
 * Replies are written as JSON straight from their MessagePack, not
 * through jansson's tree: building and freeing a node per value cost
 * ~300 us of the loop for a page of 100 postings (measured with perf:
 * malloc, free and jansson took two thirds of the loop's time).
 */
static void put(struct proto_buf *b, const char *s)
{
	proto_buf_append(b, s, strlen(s));
}

/* A JSON string: ", \ and controls escaped, bytes that are not UTF-8
 * as U+FFFD. */
static void put_str(struct proto_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run = 0;

	proto_buf_append(b, "\"", 1);
	while (i < n) {
		unsigned c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (c < 0x80 ? c >= 0x20 && c != '"' && c != '\\' :
		    i + len <= n && proto_utf8_valid(s + i, len)) {
			i += len, run += len;      /* as it is */
			continue;
		}
		proto_buf_append(b, s + i - run, run);
		run = 0;
		if (c < 0x80) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			if (c == '"' || c == '\\')
				proto_buf_append(b, (char[]){ '\\', (char)c }, 2);
			else
				proto_buf_append(b, e, 6);
			i++;
			continue;
		}
		proto_buf_append(b, "\xef\xbf\xbd", 3);   /* not UTF-8 */
		i++;
	}
	proto_buf_append(b, s + i - run, run);
	proto_buf_append(b, "\"", 1);
}

static void put_base64(struct proto_buf *b, const char *p, size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = (const unsigned char *)p;

	proto_buf_append(b, "\"", 1);
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		char q[4] = { b64[v >> 18 & 63], b64[v >> 12 & 63],
			i + 1 < n ? b64[v >> 6 & 63] : '=',
			i + 2 < n ? b64[v & 63] : '=' };
		proto_buf_append(b, q, 4);
	}
	proto_buf_append(b, "\"", 1);
}

/* A reply's MessagePack value as JSON (docs/protocol.md "The web
 * console"); with csrf, a map gains that key. */
static void put_json(struct proto_buf *b, const msgpack_object *o,
    const char *csrf)
{
	char num[40];

	switch (o->type) {
	case MSGPACK_OBJECT_BOOLEAN:
		put(b, o->via.boolean ? "true" : "false");
		return;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		snprintf(num, sizeof num, "%llu", (unsigned long long)o->via.u64);
		put(b, num);
		return;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		snprintf(num, sizeof num, "%lld", (long long)o->via.i64);
		put(b, num);
		return;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		if (!isfinite(o->via.f64)) {
			put(b, "null");
			return;
		}
		/* 17 digits read back as the same double; ".0" keeps it a float */
		snprintf(num, sizeof num, "%.17g", o->via.f64);
		if (!strpbrk(num, ".e"))
			strcat(num, ".0");
		put(b, num);
		return;
	case MSGPACK_OBJECT_STR:
		put_str(b, o->via.str.ptr, o->via.str.size);
		return;
	case MSGPACK_OBJECT_BIN:
		put_base64(b, o->via.bin.ptr, o->via.bin.size);
		return;
	case MSGPACK_OBJECT_ARRAY:
		put(b, "[");
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			if (i)
				put(b, ",");
			put_json(b, &o->via.array.ptr[i], NULL);
		}
		put(b, "]");
		return;
	case MSGPACK_OBJECT_MAP:
		put(b, "{");
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object *k = &o->via.map.ptr[i].key;
			if (i)
				put(b, ",");
			if (k->type == MSGPACK_OBJECT_STR) {
				put_str(b, k->via.str.ptr, k->via.str.size);
			} else {       /* no such key in our replies: a string anyway */
				proto_buf_append(b, "\"", 1);
				if (k->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
					snprintf(num, sizeof num, "%llu",
					    (unsigned long long)k->via.u64);
				else
					snprintf(num, sizeof num, "?");
				put(b, num);
				proto_buf_append(b, "\"", 1);
			}
			put(b, ":");
			put_json(b, &o->via.map.ptr[i].val, NULL);
		}
		if (csrf) {
			if (o->via.map.size)
				put(b, ",");
			put(b, "\"csrf\":");
			put_str(b, csrf, strlen(csrf));
		}
		put(b, "}");
		return;
	default:
		put(b, "null");
	}
}

/* Pack a JSON value as MessagePack (integers stay integers). */
static void from_json(msgpack_packer *pk, json_t *v)
{
	const char *k;
	size_t kl, i;
	json_t *x;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		msgpack_pack_map(pk, json_object_size(v));
		json_object_keylen_foreach(v, k, kl, x) {
			msgpack_pack_str(pk, kl);
			msgpack_pack_str_body(pk, k, kl);
			from_json(pk, x);
		}
		break;
	case JSON_ARRAY:
		msgpack_pack_array(pk, json_array_size(v));
		json_array_foreach(v, i, x)
			from_json(pk, x);
		break;
	case JSON_STRING:
		msgpack_pack_str(pk, json_string_length(v));
		msgpack_pack_str_body(pk, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		msgpack_pack_int64(pk, json_integer_value(v));
		break;
	case JSON_REAL:
		msgpack_pack_double(pk, json_real_value(v));
		break;
	case JSON_TRUE:
		msgpack_pack_true(pk);
		break;
	case JSON_FALSE:
		msgpack_pack_false(pk);
		break;
	default:
		msgpack_pack_nil(pk);
	}
}

/*
 * Answer req with the reply frame f[0..n) ([1, msgid, error, result]).
 * With csrf (a login that made a session), the result gains it.
 */
static void send_frame(struct evhttp_request *req, const char *f, size_t n,
    const char *csrf)
{
	msgpack_unpacked u;
	const msgpack_object *a;
	struct proto_buf b = { 0 };
	int status = 200;

	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, f, n, NULL) != MSGPACK_UNPACK_SUCCESS ||
	    u.data.type != MSGPACK_OBJECT_ARRAY || u.data.via.array.size != 4) {
		msgpack_unpacked_destroy(&u);
		send_error(req, 500, PROTO_INTERNAL, "no reply", NULL);
		return;
	}
	a = u.data.via.array.ptr;
	if (a[2].type == MSGPACK_OBJECT_NIL) {
		put(&b, "{\"result\":");
		put_json(&b, &a[3], a[3].type == MSGPACK_OBJECT_MAP ? csrf : NULL);
	} else {
		const msgpack_object *code = schema_get(&a[2], "code");
		status = status_of(code && (code->type == MSGPACK_OBJECT_NEGATIVE_INTEGER ||
		    code->type == MSGPACK_OBJECT_POSITIVE_INTEGER) ?
		    code->via.i64 : PROTO_INTERNAL);
		put(&b, "{\"error\":");
		put_json(&b, &a[2], NULL);
	}
	put(&b, "}");
	msgpack_unpacked_destroy(&u);
	send_body(req, status, b.data + b.off, proto_buf_pending(&b), free_dump,
	    b.data);
}

/* ------------------------------------------------------------ sessions */

static void sess_remove(struct hsess *s)
{
	for (struct hsess **pp = &sessions; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			nsessions--;
			free(s);
			return;
		}
}

/* The session named by the request's cookie, if live. */
static struct hsess *sess_find(struct evhttp_request *req)
{
	const char *ck = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Cookie");
	char id[ID_LEN + 1];
	uint64_t now = now_ms();

	if (!ck)
		return NULL;
	/* "a=b; cj_session=ID; c=d" */
	for (const char *p = ck; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		size_t n = strcspn(p, ";");
		if (n == sizeof COOKIE + ID_LEN && !strncmp(p, COOKIE "=",
		    sizeof COOKIE)) {
			memcpy(id, p + sizeof COOKIE, ID_LEN);
			id[ID_LEN] = 0;
			for (struct hsess *s = sessions; s; s = s->next) {
				if (!same_token(s->id, id))
					continue;
				if (now - s->last_ms >
				    daemon_g.cfg.http_session_timeout_s * 1000 ||
				    !methods_session_fresh(&s->s)) {
					sess_remove(s);      /* expired or revoked */
					return NULL;
				}
				return s;
			}
		}
		p += n;
	}
	return NULL;
}

static struct hsess *sess_new(const struct session *s)
{
	if (nsessions >= daemon_g.cfg.http_max_sessions) {
		struct hsess *old = sessions;
		for (struct hsess *x = sessions; x; x = x->next)
			if (x->last_ms < old->last_ms)
				old = x;
		sess_remove(old);
	}
	struct hsess *h = xcalloc(1, sizeof *h);
	random_id(h->id);
	random_id(h->csrf);
	h->s = *s;
	h->last_ms = now_ms();
	h->next = sessions;
	sessions = h;
	nsessions++;
	return h;
}

static void set_cookie(struct evhttp_request *req, const char *id)
{
	char v[160];
	if (id)
		snprintf(v, sizeof v, COOKIE "=%s; Path=/; HttpOnly; "
		    "SameSite=Strict", id);
	else
		snprintf(v, sizeof v, COOKIE "=; Path=/; HttpOnly; "
		    "SameSite=Strict; Max-Age=0");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Set-Cookie", v);
}

/* ------------------------------------------------------------ API */

static void on_conn_close(struct evhttp_connection *evcon, void *arg)
{
	struct pending *p = arg;
	(void)evcon;
	if (evhttp_request_get_connection(p->req))
		p->req = NULL;            /* evhttp frees it next */
	else
		p->orphan = 1;
	jobs_cancel(p->id);       /* a plan for nobody stops */
}

static void pending_unlink(struct pending *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		pendings = p->next;
	if (p->next)
		p->next->prev = p->prev;
}

void http_job_done(struct job *j)
{
	struct pending *p;

	for (p = pendings; p && p->id != j->conn; p = p->next)
		;
	if (!p)
		return;
	pending_unlink(p);
	if (p->orphan) {
		evhttp_request_free(p->req);
	} else if (p->req) {
		evhttp_connection_set_closecb(evhttp_request_get_connection(p->req),
		    NULL, NULL);
		send_frame(p->req, j->out.data + j->out.off,
		    proto_buf_pending(&j->out), NULL);
	}
	free(p);
}

/* Run the request frame f (ours, packed) for req with session s. */
static void run_frame(struct evhttp_request *req, struct session *s,
    const char *f, size_t n, struct hsess *hs, int login)
{
	struct proto_scan sc = { 0 };
	struct proto_buf out = { 0 };
	struct job *j = NULL;
	uint64_t clock = stats_now_us();

	if (proto_scan(&sc, f, n, daemon_g.cfg.max_frame) != PROTO_FRAME) {
		proto_scan_free(&sc);
		stats_limit_hit(LIMIT_FRAME);
		send_error(req, 413, PROTO_TOO_LARGE, "request larger than "
		    "max_frame", NULL);
		return;
	}
	if (sc.maxdepth > daemon_g.cfg.max_depth) {
		proto_scan_free(&sc);
		stats_limit_hit(LIMIT_DEPTH);
		send_error(req, 413, PROTO_TOO_LARGE, "nesting deeper than "
		    "max_depth", NULL);
		return;
	}
	methods_handle(s, f, n, sc.maxdepth, &out, &j, &clock);
	proto_scan_free(&sc);
	if (hs) {
		hs->s = *s;
		hs->last_ms = now_ms();
		if (s->role == ROLE_NONE) {      /* its token was revoked */
			sess_remove(hs);
			set_cookie(req, NULL);
		}
	}
	if (j) {
		j->conn = HTTP_CONN_BIT | ++next_id;
		j->fd = -1;
		uint64_t id = j->conn;
		if (jobs_submit(j) < 0) {
			jobs_free(j);
			stats_limit_hit(LIMIT_JOBS);
			send_error(req, 429, PROTO_BUSY, "the job queue is full; "
			    "retry later", NULL);
		} else {
			struct pending *p = xcalloc(1, sizeof *p);
			p->id = id;
			p->req = req;
			p->next = pendings;
			if (pendings)
				pendings->prev = p;
			pendings = p;
			evhttp_connection_set_closecb(
			    evhttp_request_get_connection(req), on_conn_close, p);
		}
	} else if (login && daemon_g.cfg.tokens[0] && s->role != ROLE_NONE) {
		struct hsess *h = sess_new(s);
		set_cookie(req, h->id);
		send_frame(req, out.data + out.off, proto_buf_pending(&out), h->csrf);
	} else {
		send_frame(req, out.data + out.off, proto_buf_pending(&out),
		    login && !daemon_g.cfg.tokens[0] ? "" : NULL);
	}
	proto_buf_free(&out);
}

static void pack_head(msgpack_packer *pk, const char *method)
{
	msgpack_pack_array(pk, 4);
	msgpack_pack_uint8(pk, 0);
	msgpack_pack_uint8(pk, 1);
	proto_pack_cstr(pk, method);
	msgpack_pack_array(pk, 1);
}

/* The JSON body's params as MessagePack into pk; -1 after answering. */
static int json_params(struct evhttp_request *req, msgpack_packer *pk)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(in);
	const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Content-Type");
	json_error_t err;
	json_t *v;

	if (!ct || strncasecmp(ct, "application/json", 16) ||
	    (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
		send_error(req, 415, PROTO_INVALID_REQUEST, "the body must be "
		    "JSON, with Content-Type: application/json", NULL);
		return -1;
	}
	if (n == 0) {
		msgpack_pack_map(pk, 0);
		return 0;
	}
	v = json_loadb((const char *)evbuffer_pullup(in, -1), n,
	    JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (!v) {
		char msg[300];
		int params = strstr(err.text, "duplicate") ||
		    strstr(err.text, "too big");
		snprintf(msg, sizeof msg, "%s at byte %d of the body", err.text,
		    err.position);
		send_error(req, 400, params ? PROTO_INVALID_PARAMS :
		    PROTO_PARSE_ERROR, msg, params ? "params" : NULL);
		return -1;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		send_error(req, 400, PROTO_INVALID_PARAMS, "params must be a JSON "
		    "object of named arguments", "params");
		return -1;
	}
	from_json(pk, v);
	json_decref(v);
	return 0;
}

/* import.csv's params from the query string and the raw body. */
static int import_params(struct evhttp_request *req, const char *query,
    msgpack_packer *pk)
{
	static const char *const flags[] = { "dry_run", "allow_move", "sync",
		"strict", NULL };
	struct evkeyvalq q;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(in), count = 0;
	char msg[200];

	q.tqh_first = NULL;
	q.tqh_last = &q.tqh_first;
	if (query && evhttp_parse_query_str(query, &q) < 0) {
		send_error(req, 400, PROTO_INVALID_PARAMS, "the query string is "
		    "malformed", "params");
		return -1;
	}
	for (struct evkeyval *kv = q.tqh_first; kv; kv = kv->next.tqe_next) {
		int known = !strcmp(kv->key, "kind") || !strcmp(kv->key, "encoding");
		for (struct evkeyval *b = q.tqh_first; b != kv; b = b->next.tqe_next)
			if (!strcmp(b->key, kv->key)) {
				snprintf(msg, sizeof msg, "%.40s is given twice", kv->key);
				send_error(req, 400, PROTO_INVALID_PARAMS, msg, kv->key);
				evhttp_clear_headers(&q);
				return -1;
			}
		for (int i = 0; flags[i] && !known; i++)
			if (!strcmp(kv->key, flags[i])) {
				known = !strcmp(kv->value, "1") || !strcmp(kv->value, "0") ||
				    !strcmp(kv->value, "true") || !strcmp(kv->value, "false");
				if (!known) {
					snprintf(msg, sizeof msg, "%.40s must be 1, 0, true "
					    "or false", kv->key);
					send_error(req, 400, PROTO_INVALID_PARAMS, msg, kv->key);
					evhttp_clear_headers(&q);
					return -1;
				}
			}
		if (!known) {
			snprintf(msg, sizeof msg, "%.40s is not a parameter of "
			    "import.csv", kv->key);
			send_error(req, 400, PROTO_INVALID_PARAMS, msg, "params");
			evhttp_clear_headers(&q);
			return -1;
		}
		count++;
	}
	msgpack_pack_map(pk, count + 1);
	for (struct evkeyval *kv = q.tqh_first; kv; kv = kv->next.tqe_next) {
		proto_pack_cstr(pk, kv->key);
		if (!strcmp(kv->key, "kind") || !strcmp(kv->key, "encoding"))
			proto_pack_cstr(pk, kv->value);
		else if (!strcmp(kv->value, "1") || !strcmp(kv->value, "true"))
			msgpack_pack_true(pk);
		else
			msgpack_pack_false(pk);
	}
	proto_pack_cstr(pk, "data");
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, n ? evbuffer_pullup(in, -1) : (void *)"", n);
	evhttp_clear_headers(&q);
	return 0;
}

static void api(struct evhttp_request *req, const char *method,
    const char *query)
{
	struct evkeyvalq *ih = evhttp_request_get_input_headers(req);
	int tokens = daemon_g.cfg.tokens[0] != 0;
	struct hsess *hs = tokens ? sess_find(req) : NULL;
	struct session s = { .role = tokens ? ROLE_NONE : ROLE_ADMIN };
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);

	if (!strcmp(method, "session")) {
		if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
			send_error(req, 405, PROTO_INVALID_REQUEST, "GET /api/session",
			    NULL);
			return;
		}
		if (tokens && !hs) {
			send_error(req, 401, PROTO_UNAUTHENTICATED, "no session: "
			    "log in with a token", NULL);
			return;
		}
		if (hs)
			s = hs->s;
		send_json(req, 200, json_pack("{s:{s:s,s:s?,s:s,s:b}}", "result",
		    "role", tokens_role_name(s.role), "owner",
		    s.owner[0] ? s.owner : NULL, "csrf", hs ? hs->csrf : "",
		    "tokens", tokens));
		return;
	}
	if (cmd != EVHTTP_REQ_POST) {
		send_error(req, 405, PROTO_INVALID_REQUEST, "API calls are POST",
		    NULL);
		return;
	}
	if (strlen(method) > METHOD_MAX) {
		send_error(req, 404, PROTO_METHOD_NOT_FOUND, "no such method", NULL);
		return;
	}
	int login = !strcmp(method, "auth.login");
	if (hs && login) {
		sess_remove(hs);          /* a new login replaces the session */
		hs = NULL;
	}
	if (hs) {
		if (!same_token(evhttp_find_header(ih, "X-CSRF-Token"), hs->csrf)) {
			send_error(req, 403, PROTO_FORBIDDEN, "missing or wrong "
			    "X-CSRF-Token header: reload the page", NULL);
			return;
		}
		s = hs->s;
	}
	if (!strcmp(method, "auth.logout")) {
		if (hs)
			sess_remove(hs);
		set_cookie(req, NULL);
		send_json(req, 200, json_pack("{s:{s:b}}", "result", "ended",
		    hs != NULL));
		return;
	}
	if (daemon_g.stopping) {
		send_error(req, 503, PROTO_INTERNAL, "the daemon is shutting down",
		    NULL);
		return;
	}

	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_head(&pk, method);
	rc = !strcmp(method, "import.csv") ? import_params(req, query, &pk) :
	    json_params(req, &pk);
	if (rc == 0)
		run_frame(req, &s, sb.data, sb.size, hs, login);
	msgpack_sbuffer_destroy(&sb);
}

/* ------------------------------------------------------------ pages */

static const char *type_of(const char *name)
{
	static const struct { const char *ext, *type; } t[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".json", "application/json" },
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof t / sizeof *t; i++)
		if (!strcmp(dot, t[i].ext))
			return t[i].type;
	return "application/octet-stream";
}

/*
 * A file with its ETag: 304 when the browser has it.  "no-cache" makes a
 * reload ask (and get 304) rather than use a copy a new daemon changed.
 */
static void send_file(struct evhttp_request *req, const char *name,
    const void *data, size_t len, const char *etag)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	const char *inm = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "If-None-Match");

	common_headers(req);
	evhttp_add_header(h, "ETag", etag);
	evhttp_add_header(h, "Cache-Control", "no-cache");
	if (inm && strstr(inm, etag)) {
		evhttp_send_reply(req, 304, "Not Modified", NULL);
		return;
	}
	evhttp_add_header(h, "Content-Type", type_of(name));
	struct evbuffer *b = evbuffer_new();
	if (evhttp_request_get_command(req) != EVHTTP_REQ_HEAD)
		evbuffer_add_reference(b, data, len, NULL, NULL);
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void send_text(struct evhttp_request *req, int status, const char *msg)
{
	struct evbuffer *b = evbuffer_new();
	common_headers(req);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "text/plain; charset=utf-8");
	evbuffer_add_printf(b, "%s\n", msg);
	evhttp_send_reply(req, status, reason_of(status), b);
	evbuffer_free(b);
}

static int asset(const char *name)
{
	for (int i = 0; http_assets[i].name; i++)
		if (!strcmp(http_assets[i].name, name))
			return i;
	return -1;
}

/* One path segment: an id, percent-encoded as the browser sends it. */
static const char *segment(const char *p)
{
	size_t n = strcspn(p, "/");
	return n ? p + n : NULL;
}

/* The page URLs of docs/protocol.md: all are index.html, routed in JS. */
static int is_page(const char *path)
{
	static const char *const fixed[] = { "/", "/balance", "/import",
		"/orderclass", "/apprenticeship", NULL };
	const char *e;

	for (int i = 0; fixed[i]; i++)
		if (!strcmp(path, fixed[i]))
			return 1;
	if (!strncmp(path, "/fair/", 6) && (e = segment(path + 6)))
		return !*e || !strcmp(e, "/booths");
	if (!strncmp(path, "/posting/", 9) && (e = segment(path + 9)))
		return !strcmp(e, "/candidates");
	if (!strncmp(path, "/specialty/", 11) && (e = segment(path + 11)))
		return !strcmp(e, "/openings");
	return 0;
}

/* Host (and Origin, when sent) name this console: else DNS rebinding or
 * another site's page. */
static int host_ok(struct evhttp_request *req)
{
	struct evkeyvalq *ih = evhttp_request_get_input_headers(req);
	const char *host = evhttp_find_header(ih, "Host");
	const char *origin = evhttp_find_header(ih, "Origin");
	int ok = 0;

	if (!host)
		return 0;
	for (int i = 0; i < nhosts && !ok; i++)
		ok = !strcasecmp(host, hosts[i]);
	if (!ok)
		return 0;
	if (!origin)
		return 1;
	if (!strncmp(origin, "http://", 7))
		origin += 7;
	else if (!strncmp(origin, "https://", 8))
		origin += 8;
	else
		return 0;
	return !strcasecmp(origin, host);
}

static void on_request(struct evhttp_request *req, void *arg)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	int i;
	(void)arg;

	if (!path || !*path)
		path = "/";
	/*
	 * The connection's events run at the lowest priority from now on
	 * (main.c), so a burst of browser requests waits behind RPC calls,
	 * not the reverse.  (Set here, not in an evhttp_set_bevcb callback:
	 * evhttp's bufferevent_setfd resets the priority of the events.)
	 */
	bufferevent_priority_set(evhttp_connection_get_bufferevent(
	    evhttp_request_get_connection(req)), PRIO_LOW);
	if (!host_ok(req)) {
		log_info("http: refused a request for %.200s: Host or Origin is "
		    "not this console's", path);
		send_error(req, 403, PROTO_FORBIDDEN, "Host or Origin is not this "
		    "console's address (see [http] hosts)", NULL);
		return;
	}
	if (!strncmp(path, "/api/", 5)) {
		api(req, path + 5, evhttp_uri_get_query(uri));
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		send_text(req, 405, "method not allowed");
		return;
	}
	if (!strcmp(path, "/static/chart.min.js") && chart) {
		send_file(req, "chart.min.js", chart, chart_len, chart_etag);
		return;
	}
	if (!strncmp(path, "/static/", 8) && (i = asset(path + 8)) >= 0 &&
	    !strchr(path + 8, '/')) {
		send_file(req, http_assets[i].name, http_assets[i].data,
		    http_assets[i].len, etags[i].tag);
		return;
	}
	if (!strcmp(path, "/favicon.ico") && (i = asset("favicon.ico")) >= 0) {
		send_file(req, "favicon.ico", http_assets[i].data,
		    http_assets[i].len, etags[i].tag);
		return;
	}
	if (is_page(path) && (i = asset("index.html")) >= 0) {
		send_file(req, "index.html", http_assets[i].data,
		    http_assets[i].len, etags[i].tag);
		return;
	}
	send_text(req, 404, "not found");
}

/* ------------------------------------------------------------ setup */

static void read_chart(void)
{
	const char *p = daemon_g.cfg.http_chartjs;
	FILE *f = p[0] ? fopen(p, "rb") : NULL;
	long n;

	if (!f) {
		log_warn("http: Chart.js not found at %s ([http] chartjs; Debian: "
		    "apt-get install libjs-chart.js): pages show no charts", p);
		return;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n < (64 << 20) &&
	    fseek(f, 0, SEEK_SET) == 0) {
		chart = xmalloc((size_t)n);
		chart_len = fread(chart, 1, (size_t)n, f);
		etag_of(chart, chart_len, chart_etag, sizeof chart_etag);
	}
	fclose(f);
}

/* An accepted Host value: name, with ":port" unless port is 0. */
static void add_host(const char *name, int port)
{
	if (nhosts == (int)(sizeof hosts / sizeof *hosts))
		return;
	if (port)
		snprintf(hosts[nhosts++], sizeof hosts[0], "%s:%d", name, port);
	else
		snprintf(hosts[nhosts++], sizeof hosts[0], "%s", name);
}

int http_listen(void)
{
	const struct config *cfg = &daemon_g.cfg;
	char host[256], shown[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	int port, loop;

	if (!cfg->http_listen[0])
		return 0;
	if (config_split_listen(cfg->http_listen, host, sizeof host, &port) < 0) {
		log_error("http listen: '%s' is not HOST:PORT", cfg->http_listen);
		return -1;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *res = NULL;
	char portstr[16];
	snprintf(portstr, sizeof portstr, "%d", port);
	int rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc) {
		log_error("http listen %s: %s", cfg->http_listen, gai_strerror(rc));
		return -1;
	}
	loop = res->ai_family == AF_INET ?
	    (ntohl(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr) >> 24) == 127 :
	    IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr);
	freeaddrinfo(res);
	if (!cfg->tokens[0] && !cfg->allow_public && !loop) {
		log_error("refusing to serve the console on %s without a tokens "
		    "file (protected mode): configure tokens, or set allow_public "
		    "= yes", cfg->http_listen);
		return -1;
	}
	http = evhttp_new(daemon_g.base);
	evhttp_set_gencb(http, on_request, NULL);
	/* every method reaches on_request, which answers 405 itself: with
	 * our headers, unlike evhttp's own 501 */
	evhttp_set_allowed_methods(http, 0xffff);
	evhttp_set_max_headers_size(http, (ev_ssize_t)cfg->http_max_header);
	evhttp_set_max_body_size(http, (ev_ssize_t)cfg->max_frame);
	evhttp_set_timeout(http, (int)cfg->http_timeout_s);
	bound = evhttp_bind_socket_with_handle(http, host, (ev_uint16_t)port);
	if (!bound) {
		int err = errno;
		evhttp_free(http);
		http = NULL;
		if (!strcmp(cfg->http_listen, CONFIG_HTTP_DEFAULT)) {
			log_warn("http: the default console address %s is taken (%s): "
			    "serving without the console; set [http] listen or --http",
			    cfg->http_listen, strerror(err));
			return 0;
		}
		log_error("http listen %s: %s", cfg->http_listen, strerror(err));
		return -1;
	}
	/* Replies go out in 16 KiB writes: without TCP_NODELAY (inherited by
	 * accepted sockets) each later piece waits for the browser's delayed
	 * ACK, 40 ms a reply. */
	int one = 1;
	setsockopt(evhttp_bound_socket_get_fd(bound), IPPROTO_TCP, TCP_NODELAY,
	    &one, sizeof one);
	getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&ss, &sl);
	if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, shown,
		    sizeof shown);
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		char v6[INET6_ADDRSTRLEN + 2];
		snprintf(v6, sizeof v6, "[%s]", shown);
		add_host(v6, port);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, shown,
		    sizeof shown);
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		add_host(shown, port);
	}
	if (loop)
		add_host("localhost", port);
	if (strcmp(host, shown))
		add_host(host, port);     /* the name that was listened on */
	for (const char *p = cfg->http_hosts; *p;) {
		size_t n = strcspn(p, ", ");
		if (n && n < 256) {
			char name[256];
			memcpy(name, p, n);
			name[n] = 0;
			add_host(name, 0);
			if (!strchr(name, ':'))
				add_host(name, port);
		}
		p += n;
		p += strspn(p, ", ");
	}
	size_t na = 0;
	while (http_assets[na].name)
		na++;
	etags = xcalloc(na + 1, sizeof *etags);
	for (size_t i = 0; i < na; i++)
		etag_of(http_assets[i].data, http_assets[i].len, etags[i].tag,
		    sizeof etags[i].tag);
	read_chart();
	fprintf(stderr, ss.ss_family == AF_INET6 ? "chanjiaod: http on [%s]:%d\n" :
	    "chanjiaod: http on %s:%d\n", shown, port);
	return 0;
}

void http_stop(void)
{
	for (struct pending *p = pendings; p; p = p->next)
		jobs_cancel(p->id);       /* plans give up; the rest finish */
	if (http && bound)
		evhttp_del_accept_socket(http, bound);
	bound = NULL;
}

void http_free(void)
{
	if (http)
		evhttp_free(http);       /* closes connections: their closecbs */
	http = NULL;
	while (pendings) {
		struct pending *p = pendings;
		pendings = p->next;
		if (p->orphan)
			evhttp_request_free(p->req);
		free(p);
	}
	while (sessions)
		sess_remove(sessions);
	free(chart);
	chart = NULL;
	free(etags);
	etags = NULL;
}
