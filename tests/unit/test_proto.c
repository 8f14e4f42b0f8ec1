/*
 * test_proto — the frame scanner, msgid peeking, UTF-8 validation, the
 * byte buffer and the error packer of proto.h.
 *
 * Inputs are copied into heap blocks of exactly their length, so under
 * ASan any read past `n` is a crash, not a silent pass.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <msgpack.h>

#include "check.h"
#include "proto.h"

#define MIB ((size_t)1024 * 1024)
#define LIMIT (16 * MIB)

/* A heap copy of exactly n bytes. */
static char *dup_exact(const void *p, size_t n)
{
	char *q = malloc(n ? n : 1);
	if (!q)
		abort();
	if (n)
		memcpy(q, p, n);
	return q;
}

static void scan_init(struct proto_scan *st)
{
	memset(st, 0, sizeof *st);
	proto_scan_reset(st);
}

/* Scan buf[0..n) from a fresh state (exact-size copy). */
static enum proto_scan_rc scan_fresh(const void *buf, size_t n, size_t limit,
    size_t *len, size_t *maxdepth)
{
	struct proto_scan st;
	char *c = dup_exact(buf, n);

	scan_init(&st);
	enum proto_scan_rc rc = proto_scan(&st, c, n, limit);
	if (len)
		*len = st.len;
	if (maxdepth)
		*maxdepth = st.maxdepth;
	proto_scan_free(&st);
	free(c);
	return rc;
}

/*
 * Feed buf one more byte per call from a fresh state, each call on an
 * exact-size copy of what has arrived.  Returns the first result that is
 * not PARTIAL (or PARTIAL if none was) and the byte count it came at.
 */
static enum proto_scan_rc scan_drip(const void *buf, size_t size,
    size_t limit, size_t *at, size_t *len)
{
	struct proto_scan st;
	enum proto_scan_rc rc = PROTO_PARTIAL;
	size_t n;

	scan_init(&st);
	for (n = 0; n <= size; n++) {
		char *c = dup_exact(buf, n);
		rc = proto_scan(&st, c, n, limit);
		free(c);
		if (rc != PROTO_PARTIAL)
			break;
	}
	*at = n;
	*len = st.len;
	proto_scan_free(&st);
	return rc;
}

/* Bytes in a const char array literal, without its NUL. */
#define RAW(s) (s), (sizeof(s) - 1)

TEST(first_bytes)
{
	/* Every type byte but 0xc1 is MessagePack; the one-byte values are
	 * whole frames by themselves, the others want more. */
	for (unsigned c = 0; c < 256; c++) {
		char b = (char)c;
		size_t len;
		enum proto_scan_rc rc = scan_fresh(&b, 1, LIMIT, &len, NULL);
		int one = c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 ||
		    c == 0xc3 || c == 0x80 || c == 0x90 || c == 0xa0;
		if (c == 0xc1)
			CHECKF(rc == PROTO_BAD, "byte 0x%02x rc %d", c, rc);
		else if (one)
			CHECKF(rc == PROTO_FRAME && len == 1,
			    "byte 0x%02x rc %d len %zu", c, rc, len);
		else
			CHECKF(rc == PROTO_PARTIAL, "byte 0x%02x rc %d", c, rc);
	}
	/* Nothing at all is a partial frame. */
	CHECK_EQ_INT(scan_fresh("", 0, LIMIT, NULL, NULL), PROTO_PARTIAL);
}

/*
 * The checks every whole frame passes: one scan finds its exact length
 * (also with bytes of the next frame behind it), msgpack-c agrees,
 * every prefix is PARTIAL, and a drip feed ends in FRAME at the last byte.
 */
static void check_frame(const char *name, const char *data, size_t size,
    size_t want_depth, int all_prefixes)
{
	size_t len = 0, depth = 0, off = 0, at = 0;
	msgpack_unpacked u;

	CHECK_CTX(name);
	CHECK_EQ_INT(scan_fresh(data, size, LIMIT, &len, &depth), PROTO_FRAME);
	CHECK_EQ_U64(len, size);
	if (want_depth != (size_t)-1)
		CHECK_EQ_U64(depth, want_depth);

	msgpack_unpacked_init(&u);
	CHECK_EQ_INT(msgpack_unpack_next(&u, data, size, &off),
	    MSGPACK_UNPACK_SUCCESS);
	CHECK_EQ_U64(off, size);
	msgpack_unpacked_destroy(&u);

	/* Trailing bytes (even a bad one) are the next frame's business. */
	char *more = malloc(size + 2);
	memcpy(more, data, size);
	more[size] = (char)0xc1;
	more[size + 1] = 0x01;
	CHECK_EQ_INT(scan_fresh(more, size + 2, LIMIT, &len, NULL), PROTO_FRAME);
	CHECK_EQ_U64(len, size);
	free(more);

	/* Strict prefixes, each from a fresh state. */
	int bad = 0;
	size_t badk = 0;
	for (size_t k = 0; k < size; k++) {
		if (!all_prefixes && k > 64 && k != size / 2 && k != size - 1)
			continue;
		if (scan_fresh(data, k, LIMIT, &len, NULL) != PROTO_PARTIAL ||
		    len > k) {
			bad++;
			badk = k;
		}
	}
	CHECKF(bad == 0, "%d prefixes not PARTIAL, e.g. %zu of %zu", bad,
	    badk, size);

	/* Drip feed from nothing. */
	if (all_prefixes) {
		CHECK_EQ_INT(scan_drip(data, size, LIMIT, &at, &len),
		    PROTO_FRAME);
		CHECK_EQ_U64(at, size);
		CHECK_EQ_U64(len, size);
	}
	CHECK_CTX("");
}

/*
 * Every split point: PARTIAL on the prefix, then resume with the same
 * state growing n by one until FRAME.  Aggregated into one check.
 */
static void check_splits(const char *name, const char *data, size_t size)
{
	char *c = dup_exact(data, size);
	int bad = 0;
	size_t badk = 0;

	for (size_t k = 0; k < size; k++) {
		struct proto_scan st;
		scan_init(&st);
		enum proto_scan_rc rc = proto_scan(&st, c, k, LIMIT);
		int ok = rc == PROTO_PARTIAL;
		size_t n;
		for (n = k + 1; ok && n <= size; n++) {
			rc = proto_scan(&st, c, n, LIMIT);
			if (rc == PROTO_FRAME)
				break;
			ok = rc == PROTO_PARTIAL;
		}
		ok = ok && rc == PROTO_FRAME && n == size && st.len == size;
		if (!ok) {
			bad++;
			badk = k;
		}
		proto_scan_free(&st);
	}
	CHECK_CTX(name);
	CHECKF(bad == 0, "%d split points failed, e.g. %zu of %zu", bad,
	    badk, size);
	CHECK_CTX("");
	free(c);
}

static char big[70000];

static void family(msgpack_sbuffer *sb, const char *name, unsigned first,
    size_t depth)
{
	CHECK_CTX(name);
	CHECKF(sb->size > 0 && (unsigned char)sb->data[0] == first,
	    "first byte 0x%02x, want 0x%02x",
	    sb->size ? (unsigned char)sb->data[0] : 0, first);
	check_frame(name, sb->data, sb->size, depth, sb->size < 2000);
	if (sb->size < 2000)
		check_splits(name, sb->data, sb->size);
	msgpack_sbuffer_clear(sb);
}

TEST(families)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_packer *p = &pk;

	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);

	msgpack_pack_uint8(p, 5);             family(&sb, "fixint", 0x05, 0);
	msgpack_pack_uint8(p, 127);           family(&sb, "fixint 127", 0x7f, 0);
	msgpack_pack_int8(p, -5);             family(&sb, "negative fixint", 0xfb, 0);
	msgpack_pack_int8(p, -32);            family(&sb, "negative fixint -32", 0xe0, 0);
	msgpack_pack_nil(p);                  family(&sb, "nil", 0xc0, 0);
	msgpack_pack_false(p);                family(&sb, "false", 0xc2, 0);
	msgpack_pack_true(p);                 family(&sb, "true", 0xc3, 0);
	msgpack_pack_float(p, 1.5f);          family(&sb, "float32", 0xca, 0);
	msgpack_pack_double(p, 2.25);         family(&sb, "float64", 0xcb, 0);
	msgpack_pack_uint8(p, 200);           family(&sb, "uint8", 0xcc, 0);
	msgpack_pack_uint16(p, 60000);        family(&sb, "uint16", 0xcd, 0);
	msgpack_pack_uint32(p, 4000000000u);  family(&sb, "uint32", 0xce, 0);
	msgpack_pack_uint64(p, 1ull << 40);   family(&sb, "uint64", 0xcf, 0);
	msgpack_pack_int8(p, -100);           family(&sb, "int8", 0xd0, 0);
	msgpack_pack_int16(p, -30000);        family(&sb, "int16", 0xd1, 0);
	msgpack_pack_int32(p, -2000000000);   family(&sb, "int32", 0xd2, 0);
	msgpack_pack_int64(p, -(1ll << 40));  family(&sb, "int64", 0xd3, 0);

	msgpack_pack_str_with_body(p, "", 0);     family(&sb, "fixstr 0", 0xa0, 0);
	msgpack_pack_str_with_body(p, "hello", 5); family(&sb, "fixstr", 0xa5, 0);
	msgpack_pack_str_with_body(p, big, 31);   family(&sb, "fixstr 31", 0xbf, 0);
	msgpack_pack_str_with_body(p, big, 100);  family(&sb, "str8", 0xd9, 0);
	msgpack_pack_str_with_body(p, big, 300);  family(&sb, "str16", 0xda, 0);
	msgpack_pack_str_with_body(p, big, 70000); family(&sb, "str32", 0xdb, 0);
	msgpack_pack_bin_with_body(p, big, 5);    family(&sb, "bin8", 0xc4, 0);
	msgpack_pack_bin_with_body(p, big, 0);    family(&sb, "bin8 0", 0xc4, 0);
	msgpack_pack_bin_with_body(p, big, 300);  family(&sb, "bin16", 0xc5, 0);
	msgpack_pack_bin_with_body(p, big, 70000); family(&sb, "bin32", 0xc6, 0);

	msgpack_pack_ext_with_body(p, big, 1, 7);  family(&sb, "fixext1", 0xd4, 0);
	msgpack_pack_ext_with_body(p, big, 2, 7);  family(&sb, "fixext2", 0xd5, 0);
	msgpack_pack_ext_with_body(p, big, 4, -1); family(&sb, "fixext4", 0xd6, 0);
	msgpack_pack_ext_with_body(p, big, 8, 7);  family(&sb, "fixext8", 0xd7, 0);
	msgpack_pack_ext_with_body(p, big, 16, 7); family(&sb, "fixext16", 0xd8, 0);
	msgpack_pack_ext_with_body(p, big, 3, 7);  family(&sb, "ext8", 0xc7, 0);
	msgpack_pack_ext_with_body(p, big, 0, 7);  family(&sb, "ext8 0", 0xc7, 0);
	msgpack_pack_ext_with_body(p, big, 300, 7); family(&sb, "ext16", 0xc8, 0);
	msgpack_pack_ext_with_body(p, big, 70000, 7); family(&sb, "ext32", 0xc9, 0);

	msgpack_pack_array(p, 0);                 family(&sb, "fixarray 0", 0x90, 1);
	msgpack_pack_array(p, 3);
	msgpack_pack_uint8(p, 1);
	msgpack_pack_str_with_body(p, "a", 1);
	msgpack_pack_nil(p);                      family(&sb, "fixarray", 0x93, 1);
	msgpack_pack_array(p, 20);
	for (int i = 0; i < 20; i++)
		msgpack_pack_int32(p, -i * 1000);
	family(&sb, "array16", 0xdc, 1);
	msgpack_pack_array(p, 70000);
	for (int i = 0; i < 70000; i++)
		msgpack_pack_nil(p);
	family(&sb, "array32", 0xdd, 1);

	msgpack_pack_map(p, 0);                   family(&sb, "fixmap 0", 0x80, 1);
	msgpack_pack_map(p, 2);
	msgpack_pack_str_with_body(p, "a", 1);
	msgpack_pack_array(p, 0);
	msgpack_pack_str_with_body(p, "b", 1);
	msgpack_pack_map(p, 1);
	msgpack_pack_nil(p);
	msgpack_pack_true(p);                     family(&sb, "fixmap", 0x82, 2);
	msgpack_pack_map(p, 20);
	for (int i = 0; i < 20; i++) {
		msgpack_pack_uint16(p, (uint16_t)(i * 1000));
		msgpack_pack_str_with_body(p, big, (size_t)i);
	}
	family(&sb, "map16", 0xde, 1);
	msgpack_pack_map(p, 70000);
	for (int i = 0; i < 70000; i++) {
		msgpack_pack_uint32(p, (uint32_t)i);
		msgpack_pack_nil(p);
	}
	family(&sb, "map32", 0xdf, 1);

	/* Wider encodings than needed are still MessagePack. */
	check_frame("uint64 small", RAW("\xcf\0\0\0\0\0\0\0\x07"), 0, 1);
	check_frame("str32 empty", RAW("\xdb\0\0\0\0"), 0, 1);
	check_frame("bin32 empty", RAW("\xc6\0\0\0\0"), 0, 1);
	check_frame("ext32 empty", RAW("\xc9\0\0\0\0\x05"), 0, 1);
	check_frame("array32 empty", RAW("\xdd\0\0\0\0"), 1, 1);
	check_frame("map16 empty", RAW("\xde\0\0"), 1, 1);
	check_frame("array16 of 1", RAW("\xdc\0\x01\xc0"), 1, 1);
	check_frame("map32 of 1", RAW("\xdf\0\0\0\x01\xa1k\x90"), 2, 1);

	msgpack_sbuffer_destroy(&sb);
}

/* ---- random nested values ---- */

static void put(msgpack_sbuffer *sb, const void *p, size_t n)
{
	msgpack_sbuffer_write(sb, p, n);
}

/* type byte + v big-endian in width bytes */
static void put_hdr(msgpack_sbuffer *sb, unsigned type, uint64_t v, int width)
{
	unsigned char b[9];
	b[0] = (unsigned char)type;
	for (int i = 0; i < width; i++)
		b[1 + i] = (unsigned char)(v >> (8 * (width - 1 - i)));
	put(sb, b, 1 + (size_t)width);
}

static void put_random(msgpack_sbuffer *sb, size_t n)
{
	unsigned char b[64];
	while (n > 0) {
		size_t k = n < sizeof b ? n : sizeof b;
		for (size_t i = 0; i < k; i++)
			b[i] = (unsigned char)check_rand();
		put(sb, b, k);
		n -= k;
	}
}

/* A length-field width (1, 2 or 4 bytes) that can hold len, at random. */
static int width_for(uint64_t len, int min)
{
	int w;
	do
		w = 1 << check_rand_n(3);
	while (w < min || (w == 1 && len > 0xff) || (w == 2 && len > 0xffff));
	return w;
}

static unsigned char width_code(int w)
{
	return (unsigned char)(w == 1 ? 0 : w == 2 ? 1 : 2);
}

/*
 * Append one random value; returns its nesting depth as the scanner
 * counts it (a container is one level, empty or not).
 */
static size_t gen(msgpack_sbuffer *sb, int levels)
{
	uint32_t r = check_rand_n(100);

	if (sb->size > 1500)      /* keep frames small: the checks are O(n^2) */
		levels = 0;
	if (levels > 0 && r < 40) {
		int map = check_rand_n(2);
		uint32_t n = check_rand_n(10) == 0 ? 16 + check_rand_n(4) : check_rand_n(5);
		if (n < 16 && check_rand_n(2))
			put_hdr(sb, (map ? 0x80u : 0x90u) | n, 0, 0);
		else {
			int w = width_for(n, 2);
			put_hdr(sb, map ? (w == 2 ? 0xde : 0xdf) :
			    (w == 2 ? 0xdc : 0xdd), n, w);
		}
		size_t d = 0;
		for (uint32_t i = 0; i < (map ? 2 * n : n); i++) {
			size_t x = gen(sb, levels - 1);
			if (x > d)
				d = x;
		}
		return d + 1;
	}

	r = check_rand_n(13);
	uint32_t len = check_rand_n(8) == 0 ? 200 + check_rand_n(150) : check_rand_n(40);
	switch (r) {
	case 0: {
		unsigned char c = (unsigned char)(check_rand() & 0x7f);
		put(sb, &c, 1);
		break;
	}
	case 1: {
		unsigned char c = (unsigned char)(0xe0 | (check_rand() & 0x1f));
		put(sb, &c, 1);
		break;
	}
	case 2: {
		static const unsigned char v[] = { 0xc0, 0xc2, 0xc3 };
		put(sb, &v[check_rand_n(3)], 1);
		break;
	}
	case 3:                                 /* float32/64 */
		if (check_rand_n(2))
			put_hdr(sb, 0xca, check_rand(), 4);
		else
			put_hdr(sb, 0xcb, check_rand(), 8);
		break;
	case 4:                                 /* uint 8..64 */
	case 5: {                               /* int 8..64 */
		int i = (int)check_rand_n(4);
		put_hdr(sb, (r == 4 ? 0xccu : 0xd0u) + (unsigned)i, check_rand(), 1 << i);
		break;
	}
	case 6:
	case 7:                                 /* str */
		if (len < 32 && check_rand_n(2))
			put_hdr(sb, 0xa0u | len, 0, 0);
		else {
			int w = width_for(len, 1);
			put_hdr(sb, 0xd9u + width_code(w), len, w);
		}
		put_random(sb, len);
		break;
	case 8: {                               /* bin */
		int w = width_for(len, 1);
		put_hdr(sb, 0xc4u + width_code(w), len, w);
		put_random(sb, len);
		break;
	}
	case 9: {                               /* fixext */
		int i = (int)check_rand_n(5);
		put_hdr(sb, 0xd4u + (unsigned)i, check_rand() & 0xff, 1);
		put_random(sb, (size_t)1 << i);
		break;
	}
	case 10: {                              /* ext 8/16/32 */
		int w = width_for(len, 1);
		put_hdr(sb, 0xc7u + width_code(w), len, w);
		put_random(sb, 1 + (size_t)len);  /* type byte + data */
		break;
	}
	default:                                /* strings are common */
		put_hdr(sb, 0xa0u | (len & 0x1f), 0, 0);
		put_random(sb, len & 0x1f);
		break;
	}
	return 0;
}

TEST(random)
{
	msgpack_sbuffer a, b;
	char name[64];
	size_t total = 0;

	msgpack_sbuffer_init(&a);
	msgpack_sbuffer_init(&b);
	for (int i = 0; i < 200; i++) {
		msgpack_sbuffer_clear(&a);
		msgpack_sbuffer_clear(&b);
		/* Most values nest; force a container at the top. */
		size_t d;
		do {
			msgpack_sbuffer_clear(&a);
			d = gen(&a, 1 + (int)check_rand_n(7));
		} while (d < 2 && i % 10 != 0);
		gen(&b, 3);
		total += a.size;
		snprintf(name, sizeof name, "random value %d (%zu bytes)", i,
		    a.size);
		check_frame(name, a.data, a.size, d, 1);
		check_splits(name, a.data, a.size);

		/* Back to back: the first scan stops at the first frame. */
		char *two = malloc(a.size + b.size);
		memcpy(two, a.data, a.size);
		memcpy(two + a.size, b.data, b.size);
		size_t len = 0, off = 0;
		msgpack_unpacked u;
		msgpack_unpacked_init(&u);
		CHECK_CTX(name);
		CHECK_EQ_INT(msgpack_unpack_next(&u, two, a.size + b.size, &off),
		    MSGPACK_UNPACK_SUCCESS);
		CHECK_EQ_INT(scan_fresh(two, a.size + b.size, LIMIT, &len, NULL),
		    PROTO_FRAME);
		CHECK_EQ_U64(len, off);
		CHECK_EQ_U64(len, a.size);
		CHECK_EQ_INT(scan_fresh(two + len, a.size + b.size - len, LIMIT,
		    &len, NULL), PROTO_FRAME);
		CHECK_EQ_U64(len, b.size);
		CHECK_CTX("");
		msgpack_unpacked_destroy(&u);
		free(two);
	}
	CHECKF(total > 20000, "random values too small: %zu bytes", total);
	msgpack_sbuffer_destroy(&a);
	msgpack_sbuffer_destroy(&b);
}

TEST(back_to_back)
{
	static const char two[] = "\x92\x01\xa1x" "\x93\xc0\xc2\xc3";
	struct proto_scan st;
	char *c = dup_exact(two, sizeof two - 1);

	scan_init(&st);
	CHECK_EQ_INT(proto_scan(&st, c, sizeof two - 1, LIMIT), PROTO_FRAME);
	CHECK_EQ_U64(st.len, 4);
	CHECK_EQ_U64(st.maxdepth, 1);
	/* The same state, reset, scans the next frame (stack kept). */
	proto_scan_reset(&st);
	CHECK_EQ_U64(st.len, 0);
	CHECK_EQ_U64(st.depth, 0);
	CHECK_EQ_U64(st.maxdepth, 0);
	CHECK_EQ_INT(proto_scan(&st, c + 4, 4, LIMIT), PROTO_FRAME);
	CHECK_EQ_U64(st.len, 4);
	/* A repeated call after FRAME gives the same answer. */
	proto_scan_reset(&st);
	CHECK_EQ_INT(proto_scan(&st, c + 4, 1, LIMIT), PROTO_PARTIAL);
	CHECK_EQ_INT(proto_scan(&st, c + 4, 3, LIMIT), PROTO_PARTIAL);
	CHECK_EQ_INT(proto_scan(&st, c + 4, 4, LIMIT), PROTO_FRAME);
	CHECK_EQ_U64(st.len, 4);
	proto_scan_free(&st);
	CHECK(st.stack == NULL);
	CHECK_EQ_U64(st.cap, 0);
	free(c);
}

TEST(bad)
{
	static const struct {
		const char *name, *bytes;
		size_t n;
	} cases[] = {
		{ "c1", RAW("\xc1") },
		{ "c1 in array", RAW("\x91\xc1") },
		{ "c1 as map value", RAW("\x82\xa1\x61\x01\xa1\x62\xc1") },
		{ "c1 as map key", RAW("\x81\xc1\x01") },
		{ "c1 deep", RAW("\x91\x91\x91\x91\xc1") },
		{ "c1 after str", RAW("\x92\xa3xyz\xc1") },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t at, len;
		CHECK_CTX(cases[i].name);
		CHECK_EQ_INT(scan_fresh(cases[i].bytes, cases[i].n, LIMIT, NULL,
		    NULL), PROTO_BAD);
		/* Found as soon as the byte arrives, resuming. */
		CHECK_EQ_INT(scan_drip(cases[i].bytes, cases[i].n, LIMIT, &at,
		    &len), PROTO_BAD);
		const char *c1 = memchr(cases[i].bytes, 0xc1, cases[i].n);
		CHECK_EQ_U64(at, (size_t)(c1 - cases[i].bytes) + 1);
	}
	CHECK_CTX("");
}

TEST(too_big)
{
	static const struct {
		const char *name, *bytes;
		size_t n;
	} cases[] = {
		{ "str32 4GiB", RAW("\xdb\xff\xff\xff\xff") },
		{ "bin32 4GiB", RAW("\xc6\xff\xff\xff\xff") },
		{ "ext32 4GiB", RAW("\xc9\xff\xff\xff\xff\x01") },
		{ "array32 4Gi items", RAW("\xdd\xff\xff\xff\xff") },
		{ "map32 4Gi pairs", RAW("\xdf\xff\xff\xff\xff") },
		{ "map32 2Gi pairs", RAW("\xdf\x80\x00\x00\x00") },
		{ "map32 8Mi pairs", RAW("\xdf\x00\x80\x00\x00") },
		{ "array32 16Mi items", RAW("\xdd\x01\x00\x00\x00") },
		{ "str32 16MiB", RAW("\xdb\x01\x00\x00\x00") },
		{ "str32 nested", RAW("\x92\xc0\xdb\xff\xff\xff\xff") },
		{ "array32 in map", RAW("\x81\xa1k\xdd\xff\xff\xff\xff") },
		{ "bin32 after items", RAW("\x93\x01\x02\xc6\x7f\xff\xff\xff") },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t at, len;
		CHECK_CTX(cases[i].name);
		CHECK_EQ_INT(scan_fresh(cases[i].bytes, cases[i].n, LIMIT, NULL,
		    NULL), PROTO_TOO_BIG);
		/* Immediately: as soon as the length field is whole. */
		CHECK_EQ_INT(scan_drip(cases[i].bytes, cases[i].n, LIMIT, &at,
		    &len), PROTO_TOO_BIG);
		CHECK_EQ_U64(at, cases[i].n);
	}
	CHECK_CTX("");

	/* Declared lengths that fit only wait for their bytes. */
	CHECK_EQ_INT(scan_fresh(RAW("\xdb\x00\xff\xff\xfa"), LIMIT, NULL, NULL),
	    PROTO_PARTIAL);
	CHECK_EQ_INT(scan_fresh(RAW("\xdd\x00\xff\xff\xfa"), LIMIT, NULL, NULL),
	    PROTO_PARTIAL);
	/* A header cut short is partial, not judged. */
	CHECK_EQ_INT(scan_fresh(RAW("\xdb\xff\xff"), LIMIT, NULL, NULL),
	    PROTO_PARTIAL);
	CHECK_EQ_INT(scan_fresh(RAW("\xc9\xff\xff\xff\xff"), LIMIT, NULL, NULL),
	    PROTO_PARTIAL);
}

/* A frame of exactly the limit passes; one byte more is too big. */
TEST(limit_edge)
{
	static const struct {
		const char *name, *bytes;
		size_t n;
	} cases[] = {
		{ "fixint", RAW("\x01") },
		{ "fixstr", RAW("\xa3" "abc") },
		{ "array of fixints", RAW("\x93\x01\x02\x03") },
		{ "array ending in uint16", RAW("\x92\x01\xcd\x00\x01") },
		{ "nested", RAW("\x91\x91\x91\xc0") },
		{ "map", RAW("\x82\xa1k\xc0\xa1l\x80") },
		{ "float64 last", RAW("\x91\xcb\0\0\0\0\0\0\0\0") },
		{ "fixext16", RAW("\xd8\x01" "0123456789abcdef") },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t n = cases[i].n, len, at;
		CHECK_CTX(cases[i].name);
		CHECK_EQ_INT(scan_fresh(cases[i].bytes, n, n, &len, NULL),
		    PROTO_FRAME);
		CHECK_EQ_U64(len, n);
		CHECK_EQ_INT(scan_fresh(cases[i].bytes, n, n - 1, NULL, NULL),
		    PROTO_TOO_BIG);
		CHECK_EQ_INT(scan_drip(cases[i].bytes, n, n, &at, &len),
		    PROTO_FRAME);
		CHECK_EQ_U64(at, n);
		CHECK_EQ_INT(scan_drip(cases[i].bytes, n, n - 1, &at, &len),
		    PROTO_TOO_BIG);
		CHECK(at <= n);
	}
	CHECK_CTX("");

	/* 16 MiB exactly, as one bin32. */
	char *buf = malloc(LIMIT + 1);
	size_t len;
	memset(buf, 'x', LIMIT + 1);
	buf[0] = (char)0xc6;
	uint32_t body = (uint32_t)(LIMIT - 5);
	for (int i = 0; i < 4; i++)
		buf[1 + i] = (char)(body >> (24 - 8 * i));
	CHECK_EQ_INT(scan_fresh(buf, LIMIT, LIMIT, &len, NULL), PROTO_FRAME);
	CHECK_EQ_U64(len, LIMIT);
	CHECK_EQ_INT(scan_fresh(buf, LIMIT + 1, LIMIT, &len, NULL), PROTO_FRAME);
	CHECK_EQ_U64(len, LIMIT);
	/* Still partial one byte short of the limit. */
	CHECK_EQ_INT(scan_fresh(buf, LIMIT - 1, LIMIT, NULL, NULL),
	    PROTO_PARTIAL);
	body++;
	for (int i = 0; i < 4; i++)
		buf[1 + i] = (char)(body >> (24 - 8 * i));
	CHECK_EQ_INT(scan_fresh(buf, LIMIT + 1, LIMIT, NULL, NULL),
	    PROTO_TOO_BIG);
	CHECK_EQ_INT(scan_fresh(buf, 5, LIMIT, NULL, NULL), PROTO_TOO_BIG);
	free(buf);
}

TEST(deep)
{
	const size_t levels = 100000;
	char *buf = malloc(levels + 1);
	struct proto_scan st;
	size_t len, depth, at;

	memset(buf, 0x91, levels);
	buf[levels] = (char)0xc0;
	CHECK_EQ_INT(scan_fresh(buf, levels + 1, 1 << 20, &len, &depth),
	    PROTO_FRAME);
	CHECK_EQ_U64(len, levels + 1);
	CHECK_EQ_U64(depth, levels);
	/* Cut short it waits; over a small limit it is too big. */
	CHECK_EQ_INT(scan_fresh(buf, levels, 1 << 20, &len, &depth),
	    PROTO_PARTIAL);
	CHECK_EQ_U64(depth, levels);
	CHECK_EQ_INT(scan_fresh(buf, levels + 1, levels, NULL, NULL),
	    PROTO_TOO_BIG);

	/* One byte a call, with one state: the stack grows as it goes. */
	scan_init(&st);
	enum proto_scan_rc rc = PROTO_PARTIAL;
	for (at = 1; at <= levels + 1; at++) {
		rc = proto_scan(&st, buf, at, 1 << 20);
		if (rc != PROTO_PARTIAL)
			break;
	}
	CHECK_EQ_INT(rc, PROTO_FRAME);
	CHECK_EQ_U64(at, levels + 1);
	CHECK_EQ_U64(st.len, levels + 1);
	CHECK_EQ_U64(st.maxdepth, levels);
	CHECK_EQ_U64(st.depth, 0);
	CHECK(st.cap >= levels);
	/* Reused for a shallow frame after a reset. */
	proto_scan_reset(&st);
	CHECK_EQ_INT(proto_scan(&st, RAW("\x92\x91\xc0\x01"), LIMIT), PROTO_FRAME);
	CHECK_EQ_U64(st.len, 4);
	CHECK_EQ_U64(st.maxdepth, 2);
	proto_scan_free(&st);
	CHECK(st.stack == NULL);
	free(buf);

	/* Nested maps: {nil: {nil: ... nil}} */
	const size_t mlev = 50000;
	buf = malloc(2 * mlev + 1);
	for (size_t i = 0; i < mlev; i++) {
		buf[2 * i] = (char)0x81;
		buf[2 * i + 1] = (char)0xc0;
	}
	buf[2 * mlev] = (char)0xc0;
	CHECK_EQ_INT(scan_fresh(buf, 2 * mlev + 1, 1 << 20, &len, &depth),
	    PROTO_FRAME);
	CHECK_EQ_U64(len, 2 * mlev + 1);
	CHECK_EQ_U64(depth, mlev);
	free(buf);

	/* Depth of empty containers counts too. */
	CHECK_EQ_INT(scan_fresh(RAW("\x91\x91\x90"), LIMIT, &len, &depth),
	    PROTO_FRAME);
	CHECK_EQ_U64(depth, 3);
	CHECK_EQ_INT(scan_fresh(RAW("\x92\x91\x80\x01"), LIMIT, &len, &depth),
	    PROTO_FRAME);
	CHECK_EQ_U64(depth, 3);
	CHECK_EQ_INT(scan_fresh(RAW("\x01"), LIMIT, &len, &depth), PROTO_FRAME);
	CHECK_EQ_U64(depth, 0);
}

TEST(peek_msgid)
{
	static const struct {
		const char *name, *bytes;
		size_t n;
		int ok;
		uint32_t msgid;
	} cases[] = {
		{ "fixint", RAW("\x94\x00\x07\xa1m\x91\x80"), 1, 7 },
		{ "fixint 0", RAW("\x94\x00\x00\xa1m\x90"), 1, 0 },
		{ "fixint 127", RAW("\x94\x00\x7f\xa1m\x90"), 1, 127 },
		{ "uint8", RAW("\x94\x00\xcc\xc8\xa1m\x90"), 1, 200 },
		{ "uint16", RAW("\x94\x00\xcd\xea\x60\xa1m\x90"), 1, 60000 },
		{ "uint32", RAW("\x94\x00\xce\xee\x6b\x28\x00\xa1m\x90"), 1,
		    4000000000u },
		{ "uint32 max", RAW("\x94\x00\xce\xff\xff\xff\xff\xa1m\x90"), 1,
		    UINT32_MAX },
		{ "uint64 small", RAW("\x94\x00\xcf\0\0\0\0\0\0\0\x07\xa1m\x90"),
		    1, 7 },
		{ "uint64 > 2^32", RAW("\x94\x00\xcf\0\0\0\x01\0\0\0\0\xa1m\x90"),
		    0, 0 },
		{ "header only", RAW("\x94\x00\x07"), 1, 7 },
		{ "element 0 as uint8", RAW("\x94\xcc\x00\x09\xa1m\x90"), 1, 9 },
		{ "array16", RAW("\xdc\x00\x04\x00\x07\xa1m\x90"), 1, 7 },
		{ "array32", RAW("\xdd\x00\x00\x00\x04\x00\x07\xa1m\x90"), 1, 7 },
		{ "notification-shaped 3 items", RAW("\x93\x00\x05\xa1m"), 1, 5 },
		{ "negative fixint", RAW("\x94\x00\xff\xa1m\x90"), 0, 0 },
		{ "negative int8", RAW("\x94\x00\xd0\xff\xa1m\x90"), 0, 0 },
		{ "negative int32", RAW("\x94\x00\xd2\xff\xff\xff\xfe\xa1m\x90"),
		    0, 0 },
		{ "nil msgid", RAW("\x94\x00\xc0\xa1m\x90"), 0, 0 },
		{ "str msgid", RAW("\x94\x00\xa1\x37\xa1m\x90"), 0, 0 },
		{ "float msgid", RAW("\x94\x00\xca\x40\xe0\0\0\xa1m\x90"), 0, 0 },
		{ "response", RAW("\x94\x01\x07\xc0\xc0"), 0, 0 },
		{ "notification", RAW("\x93\x02\xa1m\x90"), 0, 0 },
		{ "element 0 is str", RAW("\x94\xa1\x30\x07\xa1m\x90"), 0, 0 },
		{ "element 0 is -1", RAW("\x94\xff\x07\xa1m\x90"), 0, 0 },
		{ "map", RAW("\x82\x00\x07\x01\x02"), 0, 0 },
		{ "empty array", RAW("\x90"), 0, 0 },
		{ "nil", RAW("\xc0"), 0, 0 },
		{ "empty buffer", RAW(""), 0, 0 },
		{ "array16 of 1", RAW("\xdc\x00\x01\x00\x07"), 0, 0 },
		{ "cut after type", RAW("\x94\x00"), 0, 0 },
		{ "cut in uint16", RAW("\x94\x00\xcd\xea"), 0, 0 },
		{ "cut in uint32", RAW("\x94\x00\xce\xee\x6b\x28"), 0, 0 },
		{ "cut in array16 header", RAW("\xdc\x00"), 0, 0 },
		{ "cut in array32 header", RAW("\xdd\x00\x00\x00"), 0, 0 },
		/* [0] has no element 1: the 7 belongs to the next frame. */
		{ "one-element array", RAW("\x91\x00\x07"), 0, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *c = dup_exact(cases[i].bytes, cases[i].n);
		uint32_t id = 12345;
		CHECK_CTX(cases[i].name);
		int ok = proto_peek_msgid(c, cases[i].n, &id);
		CHECK_EQ_INT(ok, cases[i].ok);
		if (cases[i].ok && ok)
			CHECK_EQ_U64(id, cases[i].msgid);
		free(c);
	}
	CHECK_CTX("");

	/* What the packer writes for a request. */
	msgpack_sbuffer sb;
	msgpack_packer pk;
	uint32_t ids[] = { 0, 7, 200, 60000, 4000000000u };
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
		uint32_t id = 0;
		msgpack_sbuffer_clear(&sb);
		msgpack_pack_array(&pk, 4);
		msgpack_pack_uint8(&pk, 0);
		msgpack_pack_uint32(&pk, ids[i]);
		msgpack_pack_str_with_body(&pk, "system.info", 11);
		msgpack_pack_array(&pk, 1);
		msgpack_pack_map(&pk, 0);
		CHECK_EQ_INT(proto_peek_msgid(sb.data, sb.size, &id), 1);
		CHECK_EQ_U64(id, ids[i]);
	}
	msgpack_sbuffer_destroy(&sb);
}

TEST(peek_method)
{
	static const struct {
		const char *name, *bytes;
		size_t n;
		int ok;
		const char *method;
	} cases[] = {
		{ "request", RAW("\x94\x00\x07\xa3m.x\x91\x80"), 1, "m.x" },
		{ "request, header only", RAW("\x94\x00\x07\xa3m.x"), 1, "m.x" },
		{ "uint32 msgid", RAW("\x94\x00\xce\xee\x6b\x28\x00\xa1m\x90"), 1,
		    "m" },
		{ "element 0 as uint8", RAW("\x94\xcc\x00\x09\xa1m\x90"), 1, "m" },
		{ "notification", RAW("\x93\x02\xa3n.y\x90"), 1, "n.y" },
		{ "array16", RAW("\xdc\x00\x04\x00\x07\xa1m\x90"), 1, "m" },
		{ "array32 notification", RAW("\xdd\x00\x00\x00\x03\x02\xa1n\x90"), 1,
		    "n" },
		{ "str8 name", RAW("\x94\x00\x07\xd9\x02" "ab\x90"), 1, "ab" },
		{ "str16 name", RAW("\x94\x00\x07\xda\x00\x02" "ab\x90"), 1, "ab" },
		{ "empty name", RAW("\x94\x00\x07\xa0\x90"), 1, "" },
		{ "cut in name", RAW("\x94\x00\x07\xa3m."), 0, NULL },
		{ "cut before name", RAW("\x94\x00\x07"), 0, NULL },
		{ "cut in str8 header", RAW("\x94\x00\x07\xd9"), 0, NULL },
		{ "bin name", RAW("\x94\x00\x07\xc4\x01m\x90"), 0, NULL },
		{ "int name", RAW("\x94\x00\x07\x05\x90"), 0, NULL },
		{ "request of 3", RAW("\x93\x00\x07\xa1m"), 0, NULL },
		{ "notification of 4", RAW("\x94\x02\xa1m\x90\x90"), 0, NULL },
		{ "response", RAW("\x94\x01\x07\xc0\xc0"), 0, NULL },
		{ "negative msgid", RAW("\x94\x00\xff\xa1m\x90"), 0, NULL },
		{ "map", RAW("\x82\x00\x07\x01\x02"), 0, NULL },
		{ "empty buffer", RAW(""), 0, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *c = dup_exact(cases[i].bytes, cases[i].n);
		const char *name = NULL;
		size_t len = 999;
		CHECK_CTX(cases[i].name);
		int ok = proto_peek_method(c, cases[i].n, &name, &len);
		CHECK_EQ_INT(ok, cases[i].ok);
		if (cases[i].ok && ok) {
			CHECK_EQ_U64(len, strlen(cases[i].method));
			CHECK(name >= c && name + len <= c + cases[i].n);
			CHECK(memcmp(name, cases[i].method, len) == 0);
		}
		free(c);
	}
	CHECK_CTX("");
}

TEST(utf8)
{
	static const struct {
		const char *name, *bytes;
		size_t n;
		int ok;
	} cases[] = {
		{ "empty", RAW(""), 1 },
		{ "ascii", RAW("hello, world ~\x7f"), 1 },
		{ "NUL is a character", RAW("a\0b"), 1 },
		{ "chinese", RAW("\xe4\xb8\xad\xe6\x96\x87"), 1 },          /* 中文 */
		{ "mixed", RAW("S1-\xe9\x87\x91\xe5\x8d\x8e-2026"), 1 },     /* 金华 */
		{ "2-byte", RAW("\xc2\xa9\xdf\xbf"), 1 },                   /* ©, U+07FF */
		{ "4-byte emoji", RAW("\xf0\x9f\x98\x80"), 1 },             /* U+1F600 */
		{ "U+FFFF", RAW("\xef\xbf\xbf"), 1 },
		{ "U+D7FF", RAW("\xed\x9f\xbf"), 1 },
		{ "U+E000", RAW("\xee\x80\x80"), 1 },
		{ "U+10FFFF", RAW("\xf4\x8f\xbf\xbf"), 1 },
		{ "U+10000", RAW("\xf0\x90\x80\x80"), 1 },
		{ "U+0800", RAW("\xe0\xa0\x80"), 1 },
		{ "overlong C0 AF", RAW("\xc0\xaf"), 0 },
		{ "overlong C1 BF", RAW("\xc1\xbf"), 0 },
		{ "overlong E0 80 AF", RAW("\xe0\x80\xaf"), 0 },
		{ "overlong E0 9F BF", RAW("\xe0\x9f\xbf"), 0 },
		{ "overlong F0 8F BF BF", RAW("\xf0\x8f\xbf\xbf"), 0 },
		{ "overlong NUL", RAW("\xc0\x80"), 0 },
		{ "surrogate ED A0 80", RAW("\xed\xa0\x80"), 0 },
		{ "surrogate ED BF BF", RAW("\xed\xbf\xbf"), 0 },
		{ "surrogate pair", RAW("\xed\xa0\xbd\xed\xb8\x80"), 0 },
		{ "> U+10FFFF F4 90 80 80", RAW("\xf4\x90\x80\x80"), 0 },
		{ "F5", RAW("\xf5\x80\x80\x80"), 0 },
		{ "FF", RAW("\xff"), 0 },
		{ "FE", RAW("a\xfe"), 0 },
		{ "truncated 2-byte", RAW("\xc3"), 0 },
		{ "truncated 3-byte", RAW("\xe4\xb8"), 0 },
		{ "truncated 4-byte", RAW("\xf0\x9f\x98"), 0 },
		{ "truncated then ascii", RAW("\xe4\xb8" "A"), 0 },
		{ "truncated mid-string", RAW("ab\xe4\xb8\xad\xe4\xb8"), 0 },
		{ "lone continuation", RAW("\x80"), 0 },
		{ "continuation after ascii", RAW("abc\xbf"), 0 },
		{ "two continuations", RAW("\xe4\xb8\xad\xad"), 0 },
		{ "bad second byte", RAW("\xe4\x41\xad"), 0 },
		{ "5-byte form", RAW("\xf8\x88\x80\x80\x80"), 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *c = dup_exact(cases[i].bytes, cases[i].n);
		CHECK_CTX(cases[i].name);
		CHECK_EQ_INT(proto_utf8_valid(c, cases[i].n), cases[i].ok);
		free(c);
	}
	CHECK_CTX("");
	/* n, not the NUL or the bytes after, bounds the check. */
	CHECK_EQ_INT(proto_utf8_valid("\xe4\xb8\xad", 2), 0);
	CHECK_EQ_INT(proto_utf8_valid("ab\xff", 2), 1);
	/*
	 * ASCII is skipped eight bytes at a time: a sequence, good or bad,
	 * at every offset of those blocks and at every distance from the
	 * end (exact-size buffers, so ASan sees any read past them).
	 */
	static const struct { const char *x; size_t n; int ok; } mid[] = {
		{ "\xe4\xb8\xad", 3, 1 }, { "\xc2\xa9", 2, 1 },
		{ "\xf0\x9f\x98\x80", 4, 1 }, { "\xff", 1, 0 }, { "\x80", 1, 0 },
		{ "\xe4\xb8", 2, 0 }, { "\xed\xa0\x80", 3, 0 },
	};
	char buf[64], ctx[64];
	for (size_t m = 0; m < sizeof mid / sizeof *mid; m++)
		for (size_t pre = 0; pre < 20; pre++)
			for (size_t post = 0; post < 12; post++) {
				size_t n = 0;
				memset(buf, 'a', pre);
				n += pre;
				memcpy(buf + n, mid[m].x, mid[m].n);
				n += mid[m].n;
				memset(buf + n, 'b', post);
				n += post;
				char *c = dup_exact(buf, n);
				snprintf(ctx, sizeof ctx, "utf8 case %zu at %zu, %zu after",
				    m, pre, post);
				CHECK_CTX(ctx);
				CHECK_EQ_INT(proto_utf8_valid(c, n), mid[m].ok);
				free(c);
			}
	CHECK_CTX("");
}

TEST(buf)
{
	struct proto_buf b = { 0 };
	size_t mcap = 1 << 22;
	char *model = malloc(mcap);     /* model[mhead..mtail) is pending */
	size_t mhead = 0, mtail = 0;
	unsigned char chunk[9000];
	int bad = 0;

	for (int op = 0; op < 20000; op++) {
		if (check_rand_n(3) != 0 || mhead == mtail) {
			size_t n = check_rand_n(8) == 0 ? check_rand_n(sizeof chunk) : check_rand_n(200);
			for (size_t i = 0; i < n; i++)
				chunk[i] = (unsigned char)check_rand();
			if (mtail + n > mcap) {
				memmove(model, model + mhead, mtail - mhead);
				mtail -= mhead, mhead = 0;
			}
			memcpy(model + mtail, chunk, n);
			mtail += n;
			if (check_rand_n(2))
				proto_buf_append(&b, chunk, n);
			else
				proto_buf_write(&b, (const char *)chunk, n);
		} else {
			size_t pend = mtail - mhead;
			size_t n = check_rand_n(4) == 0 ? pend : check_rand_n((uint32_t)pend + 1);
			proto_buf_consume(&b, n);
			mhead += n;
		}
		if (proto_buf_pending(&b) != mtail - mhead ||
		    b.off > b.len || b.len > b.cap ||
		    memcmp(b.data + b.off, model + mhead, mtail - mhead) != 0)
			bad++;
	}
	CHECKF(bad == 0, "%d operations left the buffer wrong", bad);
	/* Sustained append/consume at a steady level does not grow it. */
	size_t cap = b.cap;
	for (int i = 0; i < 100000; i++) {
		proto_buf_append(&b, "0123456789", 10);
		proto_buf_consume(&b, 10);
	}
	CHECK_EQ_U64(b.cap, cap);
	/* Consuming all of it empties it. */
	proto_buf_consume(&b, proto_buf_pending(&b));
	CHECK_EQ_U64(proto_buf_pending(&b), 0);
	CHECK_EQ_U64(b.len, 0);
	CHECK_EQ_U64(b.off, 0);
	proto_buf_free(&b);
	CHECK(b.data == NULL);
	CHECK_EQ_U64(b.len, 0);
	CHECK_EQ_U64(b.cap, 0);

	/* Explicit compaction: half consumed, then an append that needs room. */
	memset(&b, 0, sizeof b);
	char *x = malloc(4096);
	for (int i = 0; i < 4096; i++)
		x[i] = (char)i;
	proto_buf_append(&b, x, 4096);
	proto_buf_consume(&b, 3000);
	proto_buf_append(&b, x, 2000);
	CHECK_EQ_U64(proto_buf_pending(&b), 1096 + 2000);
	CHECK_MEM(b.data + b.off, x + 3000, 1096);
	CHECK_MEM(b.data + b.off + 1096, x, 2000);
	proto_buf_free(&b);
	free(x);

	/* A packer writing into it gives decodable bytes. */
	msgpack_packer pk;
	msgpack_packer_init(&pk, &b, proto_buf_write);
	msgpack_pack_array(&pk, 2);
	proto_pack_cstr(&pk, "中文");
	proto_pack_str(&pk, "abc", 2);
	msgpack_unpacked u;
	size_t off = 0;
	msgpack_unpacked_init(&u);
	CHECK_EQ_INT(msgpack_unpack_next(&u, b.data + b.off, proto_buf_pending(&b),
	    &off), MSGPACK_UNPACK_SUCCESS);
	CHECK_EQ_U64(off, proto_buf_pending(&b));
	CHECK(u.data.type == MSGPACK_OBJECT_ARRAY && u.data.via.array.size == 2);
	if (u.data.type == MSGPACK_OBJECT_ARRAY && u.data.via.array.size == 2) {
		CHECK(proto_str_eq(&u.data.via.array.ptr[0], "中文"));
		CHECK(proto_str_eq(&u.data.via.array.ptr[1], "ab"));
		CHECK(!proto_str_eq(&u.data.via.array.ptr[1], "abc"));
		CHECK(!proto_str_eq(&u.data.via.array.ptr[1], "a"));
	}
	msgpack_unpacked_destroy(&u);
	proto_buf_free(&b);
	free(model);
}

/*
 * Run fn in a child, so undefined behaviour caught by UBSan (which then
 * aborts) fails one check instead of ending the program.
 */
static void in_child(int (*fn)(void), const char *what)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn());
	int status = 0;
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "%s: child status 0x%x", what, status);
}

/* Appending nothing to a buffer that has no storage yet. */
static int append_empty_to_empty(void)
{
	struct proto_buf b = { 0 };
	proto_buf_append(&b, "", 0);
	int ok = proto_buf_pending(&b) == 0;
	proto_buf_append(&b, "ab", 2);
	ok = ok && proto_buf_pending(&b) == 2 && !memcmp(b.data, "ab", 2);
	proto_buf_free(&b);
	return !ok;
}

/* Appending nothing from no storage: another empty proto_buf's data
 * (methods.c appends an empty item list this way). */
static int append_null_source(void)
{
	struct proto_buf b = { 0 }, empty = { 0 };
	proto_buf_append(&b, "ab", 2);
	proto_buf_append(&b, empty.data, empty.len);
	int ok = proto_buf_pending(&b) == 2 && !memcmp(b.data, "ab", 2);
	proto_buf_free(&b);
	return !ok;
}

TEST(buf_append_nothing)
{
	in_child(append_empty_to_empty,
	    "proto_buf_append(empty buf, \"\", 0)");
	in_child(append_null_source, "proto_buf_append(buf, NULL, 0)");
}

/* Decode one frame from b and check it is all of it. */
static int decode_all(struct proto_buf *b, msgpack_unpacked *u)
{
	size_t off = 0;
	int rc = msgpack_unpack_next(u, b->data + b->off, proto_buf_pending(b),
	    &off);
	CHECK_EQ_INT(rc, MSGPACK_UNPACK_SUCCESS);
	CHECK_EQ_U64(off, proto_buf_pending(b));
	return rc == MSGPACK_UNPACK_SUCCESS;
}

static const msgpack_object *get(const msgpack_object *m, const char *k)
{
	if (m->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (uint32_t i = 0; i < m->via.map.size; i++)
		if (proto_str_eq(&m->via.map.ptr[i].key, k))
			return &m->via.map.ptr[i].val;
	return NULL;
}

TEST(pack_error)
{
	struct proto_buf b = { 0 };
	msgpack_packer pk;
	msgpack_unpacked u;

	msgpack_packer_init(&pk, &b, proto_buf_write);
	msgpack_unpacked_init(&u);

	/* With a field. */
	proto_pack_error(&pk, 1, 42, PROTO_INVALID_PARAMS, "bad cohort",
	    "records[3].cohorts.2026");
	if (decode_all(&b, &u)) {
		const msgpack_object *a = &u.data;
		CHECK(a->type == MSGPACK_OBJECT_ARRAY && a->via.array.size == 4);
		if (a->type == MSGPACK_OBJECT_ARRAY && a->via.array.size == 4) {
			const msgpack_object *o = a->via.array.ptr;
			CHECK(o[0].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
			    o[0].via.u64 == 1);
			CHECK(o[1].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
			    o[1].via.u64 == 42);
			CHECK(o[2].type == MSGPACK_OBJECT_MAP);
			CHECK_EQ_INT(o[2].via.map.size, 3);
			const msgpack_object *code = get(&o[2], "code");
			CHECK(code && code->type == MSGPACK_OBJECT_NEGATIVE_INTEGER &&
			    code->via.i64 == -32602);
			const msgpack_object *msg = get(&o[2], "message");
			CHECK(msg && proto_str_eq(msg, "bad cohort"));
			const msgpack_object *data = get(&o[2], "data");
			CHECK(data && data->type == MSGPACK_OBJECT_MAP &&
			    data->via.map.size == 1);
			const msgpack_object *field = data ? get(data, "field") : NULL;
			CHECK(field && proto_str_eq(field, "records[3].cohorts.2026"));
			CHECK(o[3].type == MSGPACK_OBJECT_NIL);
		}
	}
	/* The scanner sees one frame of exactly that size. */
	size_t len;
	CHECK_EQ_INT(scan_fresh(b.data + b.off, proto_buf_pending(&b), LIMIT,
	    &len, NULL), PROTO_FRAME);
	CHECK_EQ_U64(len, proto_buf_pending(&b));
	proto_buf_consume(&b, proto_buf_pending(&b));

	/* No field (NULL or empty): no data key; no msgid: nil. */
	for (int i = 0; i < 2; i++) {
		proto_pack_error(&pk, i, 4000000000u, PROTO_TOO_LARGE,
		    "frame too large", i ? "" : NULL);
		if (decode_all(&b, &u)) {
			const msgpack_object *a = &u.data;
			CHECK(a->type == MSGPACK_OBJECT_ARRAY &&
			    a->via.array.size == 4);
			if (a->type == MSGPACK_OBJECT_ARRAY &&
			    a->via.array.size == 4) {
				const msgpack_object *o = a->via.array.ptr;
				CHECK(o[0].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
				    o[0].via.u64 == 1);
				if (i)
					CHECK(o[1].type ==
					    MSGPACK_OBJECT_POSITIVE_INTEGER &&
					    o[1].via.u64 == 4000000000u);
				else
					CHECK(o[1].type == MSGPACK_OBJECT_NIL);
				CHECK(o[2].type == MSGPACK_OBJECT_MAP &&
				    o[2].via.map.size == 2);
				const msgpack_object *code = get(&o[2], "code");
				CHECK(code &&
				    code->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
				    code->via.u64 == 1013);
				CHECK(get(&o[2], "message") &&
				    proto_str_eq(get(&o[2], "message"),
				    "frame too large"));
				CHECK(get(&o[2], "data") == NULL);
				CHECK(o[3].type == MSGPACK_OBJECT_NIL);
			}
		}
		proto_buf_consume(&b, proto_buf_pending(&b));
	}

	/* The reply head: [1, msgid, nil, <result>]. */
	proto_pack_reply_head(&pk, 1, 9);
	msgpack_pack_true(&pk);
	if (decode_all(&b, &u)) {
		const msgpack_object *a = &u.data;
		CHECK(a->type == MSGPACK_OBJECT_ARRAY && a->via.array.size == 4);
		if (a->type == MSGPACK_OBJECT_ARRAY && a->via.array.size == 4) {
			CHECK(a->via.array.ptr[1].via.u64 == 9);
			CHECK(a->via.array.ptr[2].type == MSGPACK_OBJECT_NIL);
			CHECK(a->via.array.ptr[3].type == MSGPACK_OBJECT_BOOLEAN);
		}
	}
	proto_buf_consume(&b, proto_buf_pending(&b));
	msgpack_unpacked_destroy(&u);
	proto_buf_free(&b);

	/* proto_fail fills the error and returns -1. */
	struct proto_err e;
	CHECK_EQ_INT(proto_fail(&e, PROTO_INVALID_PARAMS, "headcount",
	    "%s must be in %d..%d", "headcount", 0, 9), -1);
	CHECK_EQ_INT(e.code, -32602);
	CHECK_STR(e.field, "headcount");
	CHECK_STR(e.message, "headcount must be in 0..9");
	CHECK_EQ_INT(proto_fail(&e, PROTO_NOT_FOUND, NULL, "gone"), -1);
	CHECK_STR(e.field, "");
}
