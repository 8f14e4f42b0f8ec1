/*
 * fuzz_schema — schema_check / schema_pack / schema_filter_check /
 * schema_filter_match on decoded values, the way the daemon reaches them:
 * bytes pass proto_scan (complete, no deeper than PROTO_DEPTH_MAX) and are
 * then decoded by msgpack_unpack_next.
 *
 * Input layout:
 *   byte 0      the record kind (mod SCHEMA_NKINDS)
 *   the rest    a MessagePack value: the record (also tried as a filter);
 *               optionally followed by a second value: a list filter
 *
 * Invariants (a failure traps):
 *  - schema_check gives the same verdict for the paths "records[3]" and
 *    ""; a refusal is -32602 with a non-empty NUL-terminated message and a
 *    field (data.field) that starts with the base path ("records[3]"),
 *    resp. is not empty (docs/protocol.md: data.field names the value).
 *  - a record that passes packs (schema_pack) to bytes that decode whole,
 *    hold no nil value at the top level, pass schema_check again, and pack
 *    again to the same bytes.
 *  - schema_check_query (match.candidates' query) refuses the same way,
 *    on a field under "query".
 *  - schema_filter_check refusals are -32602 on a field starting "filter";
 *    a record that is its own valid filter matches itself unless it
 *    repeats a key or holds a NaN.
 *  - a stored (packed) record is matched against the second value when
 *    that is a valid filter; the answer is 0 or 1.  (A record that failed
 *    schema_check is never matched: the daemon only matches stored ones.)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "proto.h"
#include "schema.h"

#define LIMIT ((size_t)1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_schema: invariant failed at %s:%d: %s\n", \
		    __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/*
 * Decode one value from buf[0..n) as the daemon would: scan first, decode
 * only a complete frame no deeper than msgpack-c's stack.  Returns the
 * bytes used, or 0 when there is no usable value.
 */
static size_t decode(msgpack_unpacked *u, const char *buf, size_t n)
{
	struct proto_scan st;
	size_t off = 0, len;

	memset(&st, 0, sizeof st);
	proto_scan_reset(&st);
	enum proto_scan_rc rc = proto_scan(&st, buf, n, LIMIT);
	len = st.len;
	size_t depth = st.maxdepth;
	proto_scan_free(&st);
	if (rc != PROTO_FRAME || depth > PROTO_DEPTH_MAX)
		return 0;
	if (msgpack_unpack_next(u, buf, len, &off) != MSGPACK_UNPACK_SUCCESS)
		return 0;
	CHECK(off == len);
	return len;
}

static void check_err(const struct proto_err *e, const char *base)
{
	CHECK(e->code == PROTO_INVALID_PARAMS);
	CHECK(memchr(e->message, 0, sizeof e->message) != NULL);
	CHECK(memchr(e->field, 0, sizeof e->field) != NULL);
	CHECK(e->message[0] != 0);
	if (*base) {
		CHECK(strncmp(e->field, base, strlen(base)) == 0);
	} else {
		CHECK(e->field[0] != 0);
	}
}

static int has_dup_key_or_nan(const msgpack_object *m)
{
	for (uint32_t i = 0; i < m->via.map.size; i++) {
		const msgpack_object *k = &m->via.map.ptr[i].key;
		const msgpack_object *v = &m->via.map.ptr[i].val;
		if ((v->type == MSGPACK_OBJECT_FLOAT32 ||
		    v->type == MSGPACK_OBJECT_FLOAT64) && isnan(v->via.f64))
			return 1;
		for (uint32_t j = 0; j < i; j++) {
			const msgpack_object *q = &m->via.map.ptr[j].key;
			if (q->type == k->type && k->type == MSGPACK_OBJECT_STR &&
			    q->via.str.size == k->via.str.size &&
			    !memcmp(q->via.str.ptr, k->via.str.ptr, k->via.str.size))
				return 1;
		}
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	enum schema_kind kind = (enum schema_kind)(data[0] % SCHEMA_NKINDS);
	const char *buf = (const char *)data + 1;
	size_t n = size - 1;

	msgpack_unpacked u, f2;
	msgpack_unpacked_init(&u);
	msgpack_unpacked_init(&f2);
	size_t used = decode(&u, buf, n);
	if (!used)
		goto out;
	size_t used2 = used < n ? decode(&f2, buf + used, n - used) : 0;
	const msgpack_object *rec = &u.data;

	/* The record, under a batch path and as a single record. */
	struct proto_err e1, e2;
	memset(&e1, 0x5a, sizeof e1);
	memset(&e2, 0x5a, sizeof e2);
	int rc1 = schema_check(kind, rec, "records[3]", &e1);
	int rc2 = schema_check(kind, rec, "", &e2);
	CHECK(rc1 == 0 || rc1 == -1);
	CHECK(rc1 == rc2);
	if (rc1 < 0) {
		check_err(&e1, "records[3]");
		check_err(&e2, "");
	}

	/* The same value as match.candidates' ad-hoc query. */
	struct proto_err eq;
	memset(&eq, 0x5a, sizeof eq);
	if (schema_check_query(rec, "query", &eq) < 0)
		check_err(&eq, "query");

	msgpack_sbuffer sb, sb2;
	msgpack_unpacked back;
	msgpack_sbuffer_init(&sb);
	msgpack_sbuffer_init(&sb2);
	msgpack_unpacked_init(&back);
	int stored = 0;
	if (rc1 == 0) {
		/* Round trip through the stored form. */
		msgpack_packer pk;
		size_t off = 0;
		CHECK(rec->type == MSGPACK_OBJECT_MAP);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		schema_pack(&pk, rec);
		CHECK(msgpack_unpack_next(&back, sb.data, sb.size, &off) ==
		    MSGPACK_UNPACK_SUCCESS);
		CHECK(off == sb.size);
		const msgpack_object *r2 = &back.data;
		CHECK(r2->type == MSGPACK_OBJECT_MAP);
		for (uint32_t i = 0; i < r2->via.map.size; i++)
			CHECK(r2->via.map.ptr[i].val.type != MSGPACK_OBJECT_NIL);
		struct proto_err e3;
		CHECK(schema_check(kind, r2, "records[3]", &e3) == 0);
		msgpack_packer_init(&pk, &sb2, msgpack_sbuffer_write);
		schema_pack(&pk, r2);
		CHECK(sb2.size == sb.size);
		CHECK(memcmp(sb2.data, sb.data, sb.size) == 0);
		stored = 1;
	}

	/* The record as a list filter, matched against itself. */
	struct proto_err e4;
	memset(&e4, 0x5a, sizeof e4);
	if (schema_filter_check(kind, rec, &e4) == 0) {
		int m = schema_filter_match(rec, rec);
		CHECK(m == 0 || m == 1);
		if (!has_dup_key_or_nan(rec))
			CHECK(m == 1);
	} else {
		check_err(&e4, "filter");
	}

	/* A stored record against a second value as filter. */
	if (used2) {
		const msgpack_object *f = &f2.data;
		struct proto_err e5;
		memset(&e5, 0x5a, sizeof e5);
		if (schema_filter_check(kind, f, &e5) == 0) {
			/* Only stored records are ever matched (store.c). */
			if (stored) {
				int m = schema_filter_match(&back.data, f);
				CHECK(m == 0 || m == 1);
			}
		} else {
			check_err(&e5, "filter");
		}
	}

	msgpack_unpacked_destroy(&back);
	msgpack_sbuffer_destroy(&sb);
	msgpack_sbuffer_destroy(&sb2);
out:
	msgpack_unpacked_destroy(&u);
	msgpack_unpacked_destroy(&f2);
	return 0;
}
