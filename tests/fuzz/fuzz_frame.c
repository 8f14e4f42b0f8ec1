/*
 * fuzz_frame — proto_scan() fed a byte stream in pieces, as the daemon's
 * read loop feeds it (server.c conn_read), plus proto_peek_msgid() and
 * proto_utf8_valid().
 *
 * Input layout:
 *   byte 0        control: bits 0-2 = k, the number of chunk-size bytes;
 *                 bits 3-4 both set = a small frame limit (1 + (byte0 >> 5)
 *                 * 37 + byte1 % 37), else 1 MiB
 *   bytes 1..k    chunk sizes, used in turn (0 = everything left);
 *                 k = 0 delivers the whole stream at once
 *   the rest      the stream: any number of frames back to back
 *
 * The stream is copied into a heap block of exactly its size whose bytes
 * stay ASan-poisoned until their chunk "arrives", so a scanner read past
 * the `n` it was given is reported even inside the block.
 *
 * Invariants (a failure traps):
 *  - per call: st.len <= n; PARTIAL implies st.len < limit; depth <= maxdepth.
 *  - FRAME: 0 < len <= n, len <= limit, depth == 0, maxdepth <= len;
 *    maxdepth <= PROTO_DEPTH_MAX iff msgpack_unpack_next succeeds on exactly
 *    those bytes, and then it consumes exactly len.
 *  - BAD: the byte the scanner stopped at is 0xc1.
 *  - the chunked result for every frame (rc, len, maxdepth) equals a
 *    one-shot scan of everything from the frame's first byte; with a small
 *    limit, it agrees with the 1 MiB scan (FRAME iff that frame fits).
 *  - proto_peek_msgid on a decoded frame agrees with the decoded request
 *    header; proto_utf8_valid agrees with a reference validator on the
 *    stream and on every decoded str.
 *  - proto_peek_method, given every prefix of a frame (the daemon peeks
 *    at partial input), reads only that prefix, and a name it finds is
 *    the request's or notification's method when the frame decodes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <sanitizer/asan_interface.h>

#include "proto.h"

#define BIG_LIMIT ((size_t)1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_frame: invariant failed at %s:%d: %s\n", \
		    __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* Reference UTF-8 check (Unicode Table 3-7, well-formed byte sequences). */
static int utf8_ref(const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = s[i];
		size_t k;
		uint8_t lo = 0x80, hi = 0xbf;
		if (c <= 0x7f) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
		} else if (c == 0xe0) {
			k = 2, lo = 0xa0;
		} else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) {
			k = 2;
		} else if (c == 0xed) {
			k = 2, hi = 0x9f;
		} else if (c == 0xf0) {
			k = 3, lo = 0x90;
		} else if (c >= 0xf1 && c <= 0xf3) {
			k = 3;
		} else if (c == 0xf4) {
			k = 3, hi = 0x8f;
		} else {
			return 0;
		}
		if (n - i <= k)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (size_t j = 2; j <= k; j++)
			if (s[i + j] < 0x80 || s[i + j] > 0xbf)
				return 0;
		i += k + 1;
	}
	return 1;
}

static void check_utf8(const void *p, size_t n)
{
	CHECK(!!proto_utf8_valid(p, n) == utf8_ref(p, n));
}

/* Every str in a decoded object goes through both validators. */
static void walk_strs(const msgpack_object *o, int depth)
{
	CHECK(depth <= PROTO_DEPTH_MAX + 1);
	switch (o->type) {
	case MSGPACK_OBJECT_STR:
		/*
		 * msgpack-c gives an empty str a NULL ptr, and
		 * proto_utf8_valid(NULL, 0) is UB (NULL + 0, proto.c); that
		 * is left to fuzz_schema, which reaches it the daemon's way,
		 * so this target keeps fuzzing the scanner.
		 */
		if (o->via.str.size > 0)
			check_utf8(o->via.str.ptr, o->via.str.size);
		break;
	case MSGPACK_OBJECT_ARRAY:
		for (uint32_t i = 0; i < o->via.array.size; i++)
			walk_strs(&o->via.array.ptr[i], depth + 1);
		break;
	case MSGPACK_OBJECT_MAP:
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			walk_strs(&o->via.map.ptr[i].key, depth + 1);
			walk_strs(&o->via.map.ptr[i].val, depth + 1);
		}
		break;
	default:
		break;
	}
}

struct result {
	enum proto_scan_rc rc;
	size_t len, maxdepth;
};

/* Per-call invariants. */
static void check_call(const struct proto_scan *st, enum proto_scan_rc rc,
    size_t n, size_t limit)
{
	CHECK(rc == PROTO_FRAME || rc == PROTO_PARTIAL || rc == PROTO_BAD ||
	    rc == PROTO_TOO_BIG);
	CHECK(st->len <= n);
	CHECK(st->depth <= st->maxdepth);
	CHECK(st->depth <= st->cap);
	CHECK(st->maxdepth <= st->len || st->len == 0);
	if (rc == PROTO_PARTIAL)
		CHECK(st->len < limit);
	if (rc == PROTO_FRAME) {
		CHECK(st->len > 0);
		CHECK(st->len <= limit);
		CHECK(st->depth == 0);
	}
}

/* A fresh scan of buf[0..n) in one call. */
static struct result one_shot(const char *buf, size_t n, size_t limit)
{
	struct proto_scan st;
	memset(&st, 0, sizeof st);
	proto_scan_reset(&st);
	struct result r;
	r.rc = proto_scan(&st, buf, n, limit);
	check_call(&st, r.rc, n, limit);
	r.len = st.len;
	r.maxdepth = st.maxdepth;
	proto_scan_free(&st);
	return r;
}

static void check_frame(const char *f, size_t len, size_t maxdepth)
{
	msgpack_unpacked u;
	size_t off = 0;
	uint32_t msgid = 0;

	msgpack_unpacked_init(&u);
	msgpack_unpack_return ret = msgpack_unpack_next(&u, f, len, &off);
	if (maxdepth <= PROTO_DEPTH_MAX) {
		CHECK(ret == MSGPACK_UNPACK_SUCCESS);
		CHECK(off == len);
	} else {
		/* The scanner's depth is exact: deeper frames msgpack-c refuses. */
		CHECK(ret != MSGPACK_UNPACK_SUCCESS);
	}

	int has = proto_peek_msgid(f, len, &msgid);
	for (size_t m = 0; m <= len && m <= 80; m++) {
		const char *name;
		size_t nlen;
		char *pre = malloc(m ? m : 1);
		memcpy(pre, f, m);
		if (proto_peek_method(pre, m, &name, &nlen)) {
			CHECK(name >= pre && name + nlen <= pre + m);
			if (ret != MSGPACK_UNPACK_SUCCESS) {   /* too deep: the */
				free(pre);                     /* header still reads */
				continue;
			}
			const msgpack_object *a = &u.data;
			CHECK(a->type == MSGPACK_OBJECT_ARRAY);
			const msgpack_object *o = &a->via.array.ptr[
			    a->via.array.size == 4 ? 2 : 1];
			CHECK(o->type == MSGPACK_OBJECT_STR && o->via.str.size == nlen &&
			    (nlen == 0 || !memcmp(o->via.str.ptr, name, nlen)));
		}
		free(pre);
	}
	if (ret == MSGPACK_UNPACK_SUCCESS) {
		const msgpack_object *a = &u.data;
		int want = a->type == MSGPACK_OBJECT_ARRAY &&
		    a->via.array.size >= 2 &&
		    a->via.array.ptr[0].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
		    a->via.array.ptr[0].via.u64 == 0 &&
		    a->via.array.ptr[1].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
		    a->via.array.ptr[1].via.u64 <= UINT32_MAX;
		CHECK(has == want);
		if (has)
			CHECK(msgid == a->via.array.ptr[1].via.u64);
		walk_strs(a, 1);
	}
	msgpack_unpacked_destroy(&u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned ctl = data[0];
	size_t k = ctl & 7;
	if (size < 1 + k)
		return 0;
	const uint8_t *pat = data + 1;
	size_t limit = BIG_LIMIT;
	if ((ctl & 0x18) == 0x18)
		limit = 1 + (ctl >> 5) * 37 + (k ? pat[0] % 37 : 0);

	const char *whole = (const char *)data + 1 + k;   /* exact-size */
	size_t total = size - 1 - k;

	check_utf8(whole, total);
	uint32_t id;
	(void)proto_peek_msgid(whole, total, &id);

	char *buf = malloc(total ? total : 1);
	CHECK(buf);
	memcpy(buf, whole, total);
	ASAN_POISON_MEMORY_REGION(buf, total);

	struct proto_scan st;
	memset(&st, 0, sizeof st);
	proto_scan_reset(&st);
	size_t have = 0, start = 0, ci = 0;
	int done = 0;

	while (!done) {
		/* One chunk arrives. */
		size_t c = k ? pat[ci++ % k] : 0;
		if (c == 0 || c > total - have)
			c = total - have;
		ASAN_UNPOISON_MEMORY_REGION(buf + have, c);
		have += c;

		for (;;) {
			size_t n = have - start;
			enum proto_scan_rc rc = proto_scan(&st, buf + start, n,
			    limit);
			check_call(&st, rc, n, limit);
			if (rc == PROTO_PARTIAL && have < total)
				break;   /* wait for the next chunk */

			/* Decided (or the stream ended): compare with one shot. */
			struct result o = one_shot(whole + start, total - start,
			    limit);
			CHECK(o.rc == rc);
			CHECK(o.len == st.len);
			CHECK(o.maxdepth == st.maxdepth);
			if (limit != BIG_LIMIT) {
				struct result b = one_shot(whole + start,
				    total - start, BIG_LIMIT);
				if (b.rc == PROTO_FRAME && b.len <= limit) {
					CHECK(rc == PROTO_FRAME);
					CHECK(st.len == b.len);
					CHECK(st.maxdepth == b.maxdepth);
				} else if (b.rc == PROTO_FRAME ||
				    b.rc == PROTO_TOO_BIG) {
					CHECK(rc == PROTO_TOO_BIG);
				}
			}

			if (rc == PROTO_FRAME) {
				check_frame(whole + start, st.len, st.maxdepth);
				start += st.len;
				proto_scan_reset(&st);
				continue;
			}
			if (rc == PROTO_BAD)
				CHECK((unsigned char)whole[start + st.len] == 0xc1);
			if (rc == PROTO_BAD || rc == PROTO_TOO_BIG) {
				/* What the daemon replies with: the msgid, if any. */
				(void)proto_peek_msgid(whole + start,
				    total - start, &id);
			}
			done = 1;   /* BAD, TOO_BIG, or PARTIAL at end of stream */
			break;
		}
	}

	ASAN_UNPOISON_MEMORY_REGION(buf, total);
	free(buf);
	proto_scan_free(&st);
	return 0;
}
