/*
 * fuzz_config — config_set() on arbitrary section / key / value text,
 * config_split_listen() and config_check().
 *
 * Input layout: "section\0key\0value" (missing parts are empty strings;
 * the value runs to the end of the input, NULs cut it as C strings do).
 * The first byte, when it is one of 0x01..0x03, instead picks the section
 * "server" / "match" / "" and the rest is "key\0value", so the fuzzer
 * needn't spell the section names.
 *
 * Invariants (a failure traps):
 *  - config_set returns 0 or -1; on -1 the error text is NUL-terminated
 *    and non-empty; it never writes past errlen (a small error buffer sits
 *    inside a larger guarded one).  (config.h does not promise the config
 *    is untouched on -1, and [server] listen is not: the value is copied
 *    before it is split, so that is not checked.)
 *  - on 0, every numeric setting is still within its documented range,
 *    listen still splits, and strings are NUL-terminated.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_config: invariant failed at %s:%d: %s\n", \
		    __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

static void check_ranges(const struct config *c)
{
	char host[256];
	int port;

	CHECK(memchr(c->listen, 0, sizeof c->listen));
	CHECK(memchr(c->unix_path, 0, sizeof c->unix_path));
	CHECK(memchr(c->data, 0, sizeof c->data));
	CHECK(memchr(c->tokens, 0, sizeof c->tokens));
	CHECK(config_split_listen(c->listen, host, sizeof host, &port) == 0);
	CHECK(port >= 0 && port <= 65535);
	CHECK(c->data[0] != 0);
	CHECK(c->log_level >= CONFIG_DEBUG && c->log_level <= CONFIG_ERROR);
	CHECK(c->allow_public == 0 || c->allow_public == 1);
	CHECK(c->map_size >= 1ULL << 20 && c->map_size <= 1ULL << 44);
	CHECK(c->max_frame >= 64 && c->max_frame <= 1ULL << 31);
	CHECK(c->max_depth >= 2 && c->max_depth <= 32);
	CHECK(c->max_batch >= 1 && c->max_batch <= 1000000);
	CHECK(c->max_k >= 1 && c->max_k <= 10000000);
	CHECK(c->max_limit >= 1 && c->max_limit <= 1000000);
	CHECK(c->max_connections >= 1 && c->max_connections <= 1000000);
	CHECK(c->idle_timeout_s <= 31536000);
	CHECK(c->max_reply_queue >= 4096 && c->max_reply_queue <= 1ULL << 40);
	struct match_weights w = c->weights;
	for (int i = 0; i < MATCH_NFACTORS; i++)
		CHECK(*match_weight_at(&w, i) >= 0 && *match_weight_at(&w, i) <= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sections[] = { "server", "match", "" };
	if (size > 16384)
		return 0;

	/* A NUL-terminated copy, split at NULs. */
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	const char *section, *key, *value, *end = s + size;
	char *p = s;
	if (size > 0 && data[0] >= 1 && data[0] <= 3) {
		section = sections[data[0] - 1];
		p++;
	} else {
		section = p;
		p += strlen(p);
		if (p < end)
			p++;
	}
	key = p;
	p += strlen(p);
	if (p < end)
		p++;
	value = p;

	struct config c;
	config_defaults(&c);
	check_ranges(&c);
	CHECK(config_check(&c, (char[64]){ 0 }, 64) == 0);

	/* The error buffer: errlen bytes inside a guarded larger one. */
	size_t errlen = 1 + size % 97;
	char guard[128];
	memset(guard, 0x7e, sizeof guard);
	int rc = config_set(&c, section, key, value, guard, errlen);
	CHECK(rc == 0 || rc == -1);
	for (size_t i = errlen; i < sizeof guard; i++)
		CHECK(guard[i] == 0x7e);
	if (rc < 0) {
		CHECK(memchr(guard, 0, errlen) != NULL);
		CHECK(errlen == 1 || guard[0] != 0);
	} else {
		check_ranges(&c);
	}

	/* Whatever was set, the cross-key check answers. */
	char err[256];
	int ck = config_check(&c, err, sizeof err);
	CHECK(ck == 0 || ck == -1);

	/* listen parsing on the raw value, with a small host buffer too. */
	char host[16];
	int port;
	if (config_split_listen(value, host, sizeof host, &port) == 0) {
		CHECK(port >= 0 && port <= 65535);
		CHECK(memchr(host, 0, sizeof host) != NULL);
		CHECK(host[0] != 0);
	}

	free(s);
	return 0;
}
