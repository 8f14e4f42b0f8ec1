/*
 * chanjiao — command-line client for chanjiaod.
 *
 *   chanjiao [--host HOST:PORT | --unix PATH] [--token T] COMMAND ...
 *   (the token may also come from $CHANJIAO_TOKEN)
 *     ping | info | stats | check
 *     get KIND ID | del KIND ID
 *     list KIND [--after ID] [--limit N]
 *     token new --role ROLE [--owner ID]
 *
 * Results print as JSON on stdout; an error prints its code, message and
 * field on stderr and exits 1.
 */
#include <errno.h>
#include <getopt.h>
#include <msgpack.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/random.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "proto.h"
#include "tokens.h"

static int fd = -1;
static uint32_t next_msgid = 1;

static int dial(const char *host, const char *unix_path)
{
	if (unix_path) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		snprintf(sun.sun_path, sizeof sun.sun_path, "%s", unix_path);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
			fprintf(stderr, "chanjiao: %s: %s\n", unix_path, strerror(errno));
			return -1;
		}
		return 0;
	}
	char h[256], port[16];
	int p;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	if (config_split_listen(host, h, sizeof h, &p) < 0) {
		fprintf(stderr, "chanjiao: --host %s is not HOST:PORT\n", host);
		return -1;
	}
	snprintf(port, sizeof port, "%d", p);
	if (getaddrinfo(h, port, &hints, &res) != 0) {
		fprintf(stderr, "chanjiao: cannot resolve %s\n", host);
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, 0);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		fprintf(stderr, "chanjiao: cannot connect to %s: %s\n", host,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static void json_str(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json(FILE *f, const msgpack_object *o)
{
	switch (o->type) {
	case MSGPACK_OBJECT_NIL: fputs("null", f); break;
	case MSGPACK_OBJECT_BOOLEAN: fputs(o->via.boolean ? "true" : "false", f); break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER: fprintf(f, "%llu", (unsigned long long)o->via.u64); break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: fprintf(f, "%lld", (long long)o->via.i64); break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64: fprintf(f, "%.17g", o->via.f64); break;
	case MSGPACK_OBJECT_STR: json_str(f, o->via.str.ptr, o->via.str.size); break;
	case MSGPACK_OBJECT_ARRAY:
		fputc('[', f);
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			if (i)
				fputs(", ", f);
			json(f, &o->via.array.ptr[i]);
		}
		fputc(']', f);
		break;
	case MSGPACK_OBJECT_MAP:
		fputc('{', f);
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			if (i)
				fputs(", ", f);
			json(f, &o->via.map.ptr[i].key);
			fputs(": ", f);
			json(f, &o->via.map.ptr[i].val);
		}
		fputc('}', f);
		break;
	default: fputs("\"(binary)\"", f);
	}
}

/*
 * Send [0, msgid, method, [params]] (params packed by the caller into sb
 * as one map) and print the reply.  Returns the exit status.
 */
static int call(const char *method, const msgpack_sbuffer *params, int quiet)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacker up;
	msgpack_unpacked u;
	uint32_t id = next_msgid++;
	int status = 1;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_uint8(&pk, 0);
	msgpack_pack_uint32(&pk, id);
	proto_pack_cstr(&pk, method);
	msgpack_pack_array(&pk, 1);
	if (params && params->size)
		msgpack_sbuffer_write(&sb, params->data, params->size);
	else
		msgpack_pack_map(&pk, 0);
	for (size_t off = 0; off < sb.size;) {
		ssize_t w = write(fd, sb.data + off, sb.size - off);
		if (w <= 0) {
			perror("chanjiao: write");
			goto out_sb;
		}
		off += (size_t)w;
	}
	msgpack_unpacker_init(&up, 65536);
	msgpack_unpacked_init(&u);
	for (;;) {
		if (msgpack_unpacker_next(&up, &u) == MSGPACK_UNPACK_SUCCESS)
			break;
		msgpack_unpacker_reserve_buffer(&up, 65536);
		ssize_t r = read(fd, msgpack_unpacker_buffer(&up),
		    msgpack_unpacker_buffer_capacity(&up));
		if (r <= 0) {
			fprintf(stderr, "chanjiao: connection closed\n");
			goto out;
		}
		msgpack_unpacker_buffer_consumed(&up, (size_t)r);
	}
	const msgpack_object *a = &u.data;
	if (a->type != MSGPACK_OBJECT_ARRAY || a->via.array.size != 4) {
		fprintf(stderr, "chanjiao: malformed reply\n");
		goto out;
	}
	if (a->via.array.ptr[2].type != MSGPACK_OBJECT_NIL) {
		fputs("chanjiao: error ", stderr);
		json(stderr, &a->via.array.ptr[2]);
		fputc('\n', stderr);
		goto out;
	}
	if (!quiet) {
		json(stdout, &a->via.array.ptr[3]);
		fputc('\n', stdout);
	}
	/* A result {ok: false, ...} (admin.verify) is a failure too. */
	const msgpack_object *ok = NULL;
	const msgpack_object *r = &a->via.array.ptr[3];
	for (uint32_t i = 0; r->type == MSGPACK_OBJECT_MAP && i < r->via.map.size; i++)
		if (proto_str_eq(&r->via.map.ptr[i].key, "ok"))
			ok = &r->via.map.ptr[i].val;
	status = ok && ok->type == MSGPACK_OBJECT_BOOLEAN && !ok->via.boolean;
out:
	msgpack_unpacked_destroy(&u);
	msgpack_unpacker_destroy(&up);
out_sb:
	msgpack_sbuffer_destroy(&sb);
	return status;
}

/*
 * A fresh token: 32 random bytes as hex, printed once with the line for
 * the tokens file.  The token itself is stored nowhere.
 */
static int token_new(const char *role, const char *owner)
{
	unsigned char raw[32], hash[32];
	char tok[65], hex[65];
	enum tokens_role r = role ? tokens_role_parse(role) : ROLE_NONE;
	int owned = r == ROLE_SCHOOL || r == ROLE_ENTERPRISE;

	if (r == ROLE_NONE) {
		fprintf(stderr, "chanjiao: --role must be admin, organizer, school, "
		    "enterprise or reader\n");
		return 2;
	}
	if (owned != (owner != NULL) || (owner && (!*owner || strlen(owner) > 64 ||
	    strpbrk(owner, " \t\r\n#")))) {
		fprintf(stderr, "chanjiao: --owner ID is needed for school and "
		    "enterprise tokens only (1..64 bytes, no spaces or #)\n");
		return 2;
	}
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
		perror("chanjiao: getrandom");
		return 1;
	}
	tokens_hex(raw, tok);
	tokens_hash(tok, 64, hash);
	tokens_hex(hash, hex);
	printf("token: %s\n", tok);
	printf("tokens file line: %s %s %s\n", hex, role, owner ? owner : "-");
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: chanjiao [--host HOST:PORT | --unix PATH] [--token T] COMMAND\n"
	    "  ping | info | stats | check (admin.verify: walk the store)\n"
	    "  get KIND ID | del KIND ID\n"
	    "  list KIND [--after ID] [--limit N]\n"
	    "  token new --role ROLE [--owner ID]\n"
	    "KIND: school specialty enterprise posting fair program student\n", f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "unix", required_argument, NULL, 'u' },
		{ "after", required_argument, NULL, 'a' },
		{ "limit", required_argument, NULL, 'n' },
		{ "token", required_argument, NULL, 'T' },
		{ "role", required_argument, NULL, 'r' },
		{ "owner", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *role = NULL, *owner = NULL, *tokenarg = NULL;
	const char *host = "127.0.0.1:7411", *unix_path = NULL, *after = NULL;
	long limit = 0;
	int o;
	char method[64];
	msgpack_sbuffer params;
	msgpack_packer pk;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'H': host = optarg; break;
		case 'u': unix_path = optarg; break;
		case 'a': after = optarg; break;
		case 'n': limit = strtol(optarg, NULL, 10); break;
		case 'T': tokenarg = optarg; break;
		case 'r': role = optarg; break;
		case 'o': owner = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	argc -= optind, argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[0], "token")) {
		if (argc != 2 || strcmp(argv[1], "new")) {
			usage(stderr);
			return 2;
		}
		return token_new(role, owner);
	}
	msgpack_sbuffer_init(&params);
	msgpack_packer_init(&pk, &params, msgpack_sbuffer_write);
	const char *cmd = argv[0];
	if (!strcmp(cmd, "ping") || !strcmp(cmd, "info") || !strcmp(cmd, "stats")) {
		snprintf(method, sizeof method, "system.%s", cmd);
	} else if (!strcmp(cmd, "check") && argc == 1) {
		snprintf(method, sizeof method, "admin.verify");
	} else if ((!strcmp(cmd, "get") || !strcmp(cmd, "del")) && argc == 3) {
		snprintf(method, sizeof method, "%.20s.%s", argv[1], cmd);
		msgpack_pack_map(&pk, 1);
		proto_pack_cstr(&pk, "id");
		proto_pack_cstr(&pk, argv[2]);
	} else if (!strcmp(cmd, "list") && argc == 2) {
		snprintf(method, sizeof method, "%.20s.list", argv[1]);
		msgpack_pack_map(&pk, (after != NULL) + (limit > 0));
		if (after) {
			proto_pack_cstr(&pk, "after");
			proto_pack_cstr(&pk, after);
		}
		if (limit > 0) {
			proto_pack_cstr(&pk, "limit");
			msgpack_pack_int64(&pk, limit);
		}
	} else {
		usage(stderr);
		return 2;
	}
	if (dial(host, unix_path) < 0)
		return 1;
	const char *token = tokenarg ? tokenarg : getenv("CHANJIAO_TOKEN");
	int rc = 0;
	if (token && *token) {
		msgpack_sbuffer lp;
		msgpack_packer lpk;
		msgpack_sbuffer_init(&lp);
		msgpack_packer_init(&lpk, &lp, msgpack_sbuffer_write);
		msgpack_pack_map(&lpk, 1);
		proto_pack_cstr(&lpk, "token");
		proto_pack_cstr(&lpk, token);
		rc = call("auth.login", &lp, 1);
		msgpack_sbuffer_destroy(&lp);
	}
	if (rc == 0)
		rc = call(method, &params, 0);
	msgpack_sbuffer_destroy(&params);
	close(fd);
	return rc;
}
