/* rpc — one connection to chanjiaod; see cli.h. */
#include "cli.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"

/* Calls in flight at once in a pipeline: far below any reply queue. */
#define RPC_WINDOW 256

/* cli_err unless r is quiet. */
static void say(const struct rpc *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(const struct rpc *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (r->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cli_err("%s", msg);
}

static int dial_unix(struct rpc *r, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof sun.sun_path) {
		say(r, "--unix %s: path too long", path);
		return EXIT_USAGE;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	r->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (r->fd < 0 || connect(r->fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
		say(r, "cannot connect to %s: %s", path, strerror(errno));
		if (r->fd >= 0)
			close(r->fd);
		r->fd = -1;
		return EXIT_CONN;
	}
	return 0;
}

static int dial_tcp(struct rpc *r, const char *host)
{
	char h[256], port[16];
	int p, err = 0;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;

	if (config_split_listen(host, h, sizeof h, &p) < 0) {
		say(r, "--host %s is not HOST:PORT", host);
		return EXIT_USAGE;
	}
	snprintf(port, sizeof port, "%d", p);
	if (getaddrinfo(h, port, &hints, &res) != 0) {
		say(r, "cannot resolve %s", host);
		return EXIT_CONN;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		r->fd = socket(ai->ai_family, ai->ai_socktype, 0);
		if (r->fd >= 0 && connect(r->fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		if (r->fd >= 0)
			close(r->fd);
		r->fd = -1;
	}
	freeaddrinfo(res);
	if (r->fd < 0) {
		say(r, "cannot connect to %s: %s (is chanjiaod running?)", host,
		    strerror(err));
		return EXIT_CONN;
	}
	return 0;
}

static int login(struct rpc *r, const char *token)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct rpc_reply rep;
	int rc;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	pack_kv_str(&pk, "token", token);
	rc = rpc_call_or_fail(r, "auth.login", &sb, &rep);
	msgpack_sbuffer_destroy(&sb);
	if (rc == 0)
		rpc_reply_free(&rep);
	return rc;
}

static int dial(struct rpc *r, const struct opts *o, int quiet)
{
	const char *token = o->token ? o->token : getenv("CHANJIAO_TOKEN");
	int rc;

	memset(r, 0, sizeof *r);
	r->quiet = quiet;
	r->fd = -1;
	r->next_id = 1;
	r->where = o->unix_path ? o->unix_path : o->host;
	rc = o->unix_path ? dial_unix(r, o->unix_path) : dial_tcp(r, o->host);
	if (rc)
		return rc;
	msgpack_unpacker_init(&r->up, 1 << 16);
	if (token && *token && (rc = login(r, token)) != 0) {
		rpc_close(r);
		return rc;
	}
	return 0;
}

int rpc_open(struct rpc *r, const struct opts *o)
{
	return dial(r, o, 0);
}

int rpc_open_quiet(struct rpc *r, const struct opts *o)
{
	return dial(r, o, 1);
}

void rpc_close(struct rpc *r)
{
	if (r->fd < 0)
		return;
	close(r->fd);
	r->fd = -1;
	msgpack_unpacker_destroy(&r->up);
}

/*
 * Pack the head of a call, [0, msgid, method, [ — followed by its params
 * map, or {} when there are none (n 0): its msgid.
 */
static uint32_t call_head(struct rpc *r, msgpack_packer *pk,
    const char *method, size_t n)
{
	uint32_t id = r->next_id++;

	if (r->next_id == 0)
		r->next_id = 1;
	msgpack_pack_array(pk, 4);
	msgpack_pack_uint8(pk, 0);
	msgpack_pack_uint32(pk, id);
	proto_pack_cstr(pk, method);
	msgpack_pack_array(pk, 1);
	if (n == 0)
		msgpack_pack_map(pk, 0);
	return id;
}

/* Write all of iov[0..n) (changed): 0, or -1 with the error said. */
static int write_all(struct rpc *r, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(r->fd, iov, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			say(r, "%s: connection lost: %s", r->where, strerror(errno));
			return -1;
		}
		for (; n > 0 && (size_t)w >= iov->iov_len; iov++, n--)
			w -= (ssize_t)iov->iov_len;
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

uint32_t rpc_send(struct rpc *r, const char *method, const char *params,
    size_t n)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	uint32_t id = call_head(r, &pk, method, params ? n : 0);
	/* the params, often a batch of megabytes, are written where they are */
	struct iovec iov[2] = { { sb.data, sb.size }, { (char *)params, n } };
	if (write_all(r, iov, params && n ? 2 : 1) < 0)
		id = 0;
	msgpack_sbuffer_destroy(&sb);
	return id;
}

static int reply_parse(struct rpc_reply *rep)
{
	const msgpack_object *a = &rep->u.data;

	if (a->type != MSGPACK_OBJECT_ARRAY || a->via.array.size != 4 ||
	    a->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    a->via.array.ptr[0].via.u64 != 1)
		return -1;
	rep->msgid = a->via.array.ptr[1].type == MSGPACK_OBJECT_POSITIVE_INTEGER ?
	    (uint32_t)a->via.array.ptr[1].via.u64 : 0;
	rep->error = a->via.array.ptr[2].type == MSGPACK_OBJECT_NIL ? NULL :
	    &a->via.array.ptr[2];
	rep->result = rep->error ? NULL : &a->via.array.ptr[3];
	return 0;
}

int rpc_recv(struct rpc *r, struct rpc_reply *rep)
{
	msgpack_unpacked_init(&rep->u);
	for (;;) {
		msgpack_unpack_return ur = msgpack_unpacker_next(&r->up, &rep->u);
		if (ur == MSGPACK_UNPACK_SUCCESS)
			break;
		if (ur != MSGPACK_UNPACK_CONTINUE) {
			say(r, "%s: the daemon sent bytes that are not MessagePack",
			    r->where);
			goto fail;
		}
		if (!msgpack_unpacker_reserve_buffer(&r->up, 1 << 16)) {
			cli_err("out of memory reading a reply");
			goto fail;
		}
		ssize_t n = read(r->fd, msgpack_unpacker_buffer(&r->up),
		    msgpack_unpacker_buffer_capacity(&r->up));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			say(r, "%s: connection closed by the daemon", r->where);
			goto fail;
		}
		msgpack_unpacker_buffer_consumed(&r->up, (size_t)n);
	}
	if (reply_parse(rep) == 0)
		return 0;
	say(r, "%s: malformed reply", r->where);
fail:
	msgpack_unpacked_destroy(&rep->u);
	return -1;
}

void rpc_reply_free(struct rpc_reply *rep)
{
	msgpack_unpacked_destroy(&rep->u);
}

int rpc_wait(struct rpc *r, uint32_t id, struct rpc_reply *rep)
{
	for (;;) {
		if (rpc_recv(r, rep) < 0)
			return -1;
		if (rep->msgid == id || rep->msgid == 0)
			return 0;
		rpc_reply_free(rep);    /* a stray reply: not ours */
	}
}

int rpc_call(struct rpc *r, const char *method, const msgpack_sbuffer *params,
    struct rpc_reply *rep)
{
	uint32_t id = rpc_send(r, method, params ? params->data : NULL,
	    params ? params->size : 0);

	return id == 0 ? -1 : rpc_wait(r, id, rep);
}

void rpc_error_of(const msgpack_object *err, struct rpc_error *e)
{
	const msgpack_object *code = schema_opt(err, "code");
	const msgpack_object *data = schema_opt(err, "data");

	e->code = code ? (long long)schema_num(code) : 0;
	schema_str(schema_opt(err, "message"), e->message, sizeof e->message);
	schema_str(data ? schema_opt(data, "field") : NULL, e->field, sizeof e->field);
}

int rpc_report(const char *what, const msgpack_object *err)
{
	struct rpc_error e;

	rpc_error_of(err, &e);
	if (*e.field)
		cli_err("%s: %s (code %lld, field %s)", what, e.message, e.code,
		    e.field);
	else
		cli_err("%s: %s (code %lld)", what, e.message, e.code);
	if (e.code == PROTO_UNAUTHENTICATED && !strcmp(e.field, "token"))
		cli_err("the daemon's tokens file has no such token: check --token "
		    "or $CHANJIAO_TOKEN (chanjiao token new makes one)");
	else if (e.code == PROTO_UNAUTHENTICATED)
		cli_err("this daemon asks for a login: pass --token T or set "
		    "CHANJIAO_TOKEN");
	return EXIT_DATA;
}

int rpc_call_or_fail(struct rpc *r, const char *method,
    const msgpack_sbuffer *params, struct rpc_reply *rep)
{
	if (rpc_call(r, method, params, rep) < 0)
		return EXIT_CONN;
	if (rep->error) {
		rpc_report(method, rep->error);
		rpc_reply_free(rep);
		return EXIT_DATA;
	}
	return 0;
}

/*
 * The window is refilled once half of it is answered, with one write for
 * all the calls added: a write per call made the daemon read them one by
 * one, and cost the client a syscall each.
 */
int rpc_pipeline(struct rpc *r, const char *method, size_t n,
    void (*pack)(size_t i, msgpack_packer *pk, void *ctx),
    int (*done)(size_t i, struct rpc_reply *rep, void *ctx), void *ctx)
{
	msgpack_sbuffer ps, out;
	msgpack_packer pp, po;
	struct rpc_reply rep;
	uint32_t *ids = xcalloc(n ? n : 1, sizeof *ids);
	size_t sent = 0, got = 0;
	int rc = 0;

	msgpack_sbuffer_init(&ps);
	msgpack_packer_init(&pp, &ps, msgpack_sbuffer_write);
	msgpack_sbuffer_init(&out);
	msgpack_packer_init(&po, &out, msgpack_sbuffer_write);
	while (got < n) {
		if (sent < n && sent - got <= RPC_WINDOW / 2) {
			out.size = 0;
			for (; sent < n && sent - got < RPC_WINDOW; sent++) {
				ps.size = 0;
				pack(sent, &pp, ctx);
				ids[sent] = call_head(r, &po, method, ps.size);
				msgpack_sbuffer_write(&out, ps.data, ps.size);
			}
			struct iovec iov = { out.data, out.size };
			if (write_all(r, &iov, 1) < 0) {
				rc = -1;
				goto out;
			}
		}
		if (rpc_recv(r, &rep) < 0) {
			rc = -1;
			goto out;
		}
		/* ids grow by one per call, skipping 0 on wrap: find ours (0
		 * marks the answered, and a reply without a msgid is not ours). */
		size_t i = rep.msgid ? got : sent;
		while (i < sent && ids[i] != rep.msgid)
			i++;
		if (i == sent) {
			rpc_reply_free(&rep);
			continue;
		}
		ids[i] = 0;
		int stop = done(i, &rep, ctx);
		rpc_reply_free(&rep);
		if (stop)
			break;
		while (got < sent && ids[got] == 0)
			got++;
	}
out:
	msgpack_sbuffer_destroy(&ps);
	msgpack_sbuffer_destroy(&out);
	free(ids);
	return rc;
}

void pack_kv_str(msgpack_packer *pk, const char *key, const char *val)
{
	proto_pack_cstr(pk, key);
	proto_pack_cstr(pk, val);
}

void pack_kv_int(msgpack_packer *pk, const char *key, long long val)
{
	proto_pack_cstr(pk, key);
	msgpack_pack_int64(pk, val);
}

/* ---------------------------------------------------------------- fetch */

void fetch_add(struct fetch *f, const char *id, size_t n)
{
	if (n == 0 || n > SCHEMA_ID_MAX)
		return;
	if (!f->idx.t)
		strtab_init(&f->idx);
	if (strtab_find(&f->idx, id, n))
		return;
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 64;
		f->ids = xrealloc(f->ids, f->cap * sizeof *f->ids);
		f->rep = xrealloc(f->rep, f->cap * sizeof *f->rep);
	}
	f->ids[f->n] = xstrndup(id, n);
	memset(&f->rep[f->n], 0, sizeof f->rep[f->n]);
	*strtab_at(&f->idx, id, n) = f->n + 1;    /* 0 is "not yet" */
	f->n++;
}

struct fetch_ctx {
	struct fetch *f;
	size_t from;
};

static void fetch_pack(size_t i, msgpack_packer *pk, void *ctx)
{
	struct fetch_ctx *c = ctx;
	msgpack_pack_map(pk, 1);
	pack_kv_str(pk, "id", c->f->ids[c->from + i]);
}

static int fetch_done(size_t i, struct rpc_reply *rep, void *ctx)
{
	struct fetch_ctx *c = ctx;
	/* Keep the reply: move its decoded value into the slot. */
	/* (error and result point into the zone, which moves along.) */
	c->f->rep[c->from + i] = *rep;
	msgpack_unpacked_init(&rep->u);
	return 0;
}

int fetch_run(struct fetch *f, struct rpc *r, enum schema_kind k)
{
	char method[32];
	struct fetch_ctx c = { f, 0 };

	while (c.from < f->n && (f->rep[c.from].result || f->rep[c.from].error))
		c.from++;
	if (c.from == f->n)
		return 0;
	snprintf(method, sizeof method, "%s.get", schema_kind_name[k]);
	return rpc_pipeline(r, method, f->n - c.from, fetch_pack, fetch_done, &c) ?
	    EXIT_CONN : 0;
}

const msgpack_object *fetch_get(const struct fetch *f, const char *id, size_t n)
{
	size_t *slot = f->idx.t ? strtab_find(&f->idx, id, n) : NULL;
	return slot && *slot ? f->rep[*slot - 1].result : NULL;
}

void fetch_free(struct fetch *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->ids[i]);
		if (f->rep[i].result || f->rep[i].error)
			rpc_reply_free(&f->rep[i]);
	}
	free(f->ids);
	free(f->rep);
	if (f->idx.t)
		strtab_free(&f->idx);
	memset(f, 0, sizeof *f);
}
