/*
 * client.c — a minimal chanjiaod client in C with msgpack-c.
 *
 *     cc -o client client.c $(pkg-config --cflags --libs msgpack)
 *     ./client HOST:PORT
 *
 * Pings the daemon, stores a school, reads it back and shows one error
 * reply, over a plain blocking TCP socket.  Needs a daemon without a
 * tokens file (no auth.login); docs/protocol.md describes every call.
 */
#include <msgpack.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fd = -1;
static uint32_t next_msgid;
static msgpack_unpacker unp;

static void die(const char *what)
{
	fprintf(stderr, "client: %s\n", what);
	exit(1);
}

static int dial(const char *hostport)
{
	char host[256];
	const char *colon = strrchr(hostport, ':');
	struct addrinfo hints = { 0 }, *res, *ai;
	size_t n;
	int s = -1;

	if (!colon || (n = (size_t)(colon - hostport)) == 0 || n >= sizeof host)
		die("usage: client HOST:PORT");
	memcpy(host, hostport, n);
	host[n] = 0;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
		die("cannot resolve the address");
	for (ai = res; ai && s < 0; ai = ai->ai_next) {
		s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (s >= 0 && connect(s, ai->ai_addr, ai->ai_addrlen) < 0) {
			close(s);
			s = -1;
		}
	}
	freeaddrinfo(res);
	if (s < 0)
		die("cannot connect");
	return s;
}

static void pack_str(msgpack_packer *pk, const char *s)
{
	size_t n = strlen(s);
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

/*
 * Send [0, msgid, method, [params]]: the caller packs the one params map
 * with fill(); returns the msgid.
 */
static uint32_t send_request(const char *method,
    void (*fill)(msgpack_packer *, const void *), const void *arg)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	uint32_t msgid = ++next_msgid;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_uint8(&pk, 0);                 /* request */
	msgpack_pack_uint32(&pk, msgid);
	pack_str(&pk, method);
	msgpack_pack_array(&pk, 1);                 /* exactly one map */
	fill(&pk, arg);
	for (size_t off = 0; off < sb.size;) {
		ssize_t w = send(fd, sb.data + off, sb.size - off, 0);
		if (w <= 0)
			die("send failed");
		off += (size_t)w;
	}
	msgpack_sbuffer_destroy(&sb);
	return msgid;
}

/*
 * Read the next reply [1, msgid, error, result] into *res (valid until the
 * next call).  This client sends one request at a time, so the reply is
 * the one for `msgid`; a client that pipelines must match by msgid.
 */
static void read_reply(uint32_t msgid, msgpack_unpacked *res)
{
	for (;;) {
		msgpack_unpack_return r = msgpack_unpacker_next(&unp, res);
		if (r == MSGPACK_UNPACK_SUCCESS)
			break;
		if (r != MSGPACK_UNPACK_CONTINUE)
			die("the daemon sent something that is not MessagePack");
		if (!msgpack_unpacker_reserve_buffer(&unp, 65536))
			die("out of memory");
		ssize_t n = recv(fd, msgpack_unpacker_buffer(&unp),
		    msgpack_unpacker_buffer_capacity(&unp), 0);
		if (n <= 0)
			die("the daemon closed the connection");
		msgpack_unpacker_buffer_consumed(&unp, (size_t)n);
	}
	msgpack_object *a = res->data.via.array.ptr;
	if (res->data.type != MSGPACK_OBJECT_ARRAY || res->data.via.array.size != 4 ||
	    a[0].via.u64 != 1 || a[1].via.u64 != msgid)
		die("unexpected reply");
}

/* The value of key in map m, or NULL. */
static const msgpack_object *get(const msgpack_object *m, const char *key)
{
	if (m->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (uint32_t i = 0; i < m->via.map.size; i++) {
		const msgpack_object *k = &m->via.map.ptr[i].key;
		if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen(key) &&
		    !memcmp(k->via.str.ptr, key, k->via.str.size))
			return &m->via.map.ptr[i].val;
	}
	return NULL;
}

static void print_str(const msgpack_object *o)
{
	if (o && o->type == MSGPACK_OBJECT_STR)
		printf("%.*s", (int)o->via.str.size, o->via.str.ptr);
	else
		printf("nil");
}

/* Print "method -> " and either the error (code, message, field) or the
 * result; returns the result, or NULL after an error. */
static const msgpack_object *report(const char *label, msgpack_unpacked *res)
{
	const msgpack_object *err = &res->data.via.array.ptr[2];
	const msgpack_object *data;

	printf("%s -> ", label);
	if (err->type == MSGPACK_OBJECT_NIL)
		return &res->data.via.array.ptr[3];
	printf("error %lld (", (long long)get(err, "code")->via.i64);
	print_str(get(err, "message"));
	printf("), field ");
	data = get(err, "data");
	print_str(data ? get(data, "field") : NULL);
	printf("\n");
	return NULL;
}

static void no_params(msgpack_packer *pk, const void *arg)
{
	(void)arg;
	msgpack_pack_map(pk, 0);
}

static void id_param(msgpack_packer *pk, const void *id)
{
	msgpack_pack_map(pk, 1);
	pack_str(pk, "id");
	pack_str(pk, id);
}

static void school_record(msgpack_packer *pk, const void *arg)
{
	(void)arg;
	msgpack_pack_map(pk, 4);
	pack_str(pk, "id");
	pack_str(pk, "C-S1");
	pack_str(pk, "name");
	pack_str(pk, "嘉兴职业技术学院");
	pack_str(pk, "level");
	pack_str(pk, "higher");
	pack_str(pk, "region");
	pack_str(pk, "330402");
}

int main(int argc, char **argv)
{
	msgpack_unpacked res;
	const msgpack_object *r;
	uint32_t id;

	if (argc != 2)
		die("usage: client HOST:PORT");
	fd = dial(argv[1]);
	if (!msgpack_unpacker_init(&unp, 65536))
		die("out of memory");
	msgpack_unpacked_init(&res);

	id = send_request("system.ping", no_params, NULL);
	read_reply(id, &res);
	if ((r = report("system.ping", &res))) {
		print_str(r);
		printf("\n");
	}

	id = send_request("school.put", school_record, NULL);
	read_reply(id, &res);
	if ((r = report("school.put", &res)))
		printf("written %llu\n",
		    (unsigned long long)get(r, "written")->via.u64);

	id = send_request("school.get", id_param, "C-S1");
	read_reply(id, &res);
	if ((r = report("school.get", &res))) {
		static const char *const keys[] = { "id", "name", "level", "region" };
		for (int i = 0; i < 4; i++) {
			printf("%s%s=", i ? " " : "", keys[i]);
			print_str(get(r, keys[i]));
		}
		printf("\n");
	}

	id = send_request("school.get", id_param, "C-NONE");
	read_reply(id, &res);
	report("school.get C-NONE", &res);

	msgpack_unpacked_destroy(&res);
	msgpack_unpacker_destroy(&unp);
	close(fd);
	return 0;
}
