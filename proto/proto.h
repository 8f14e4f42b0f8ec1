/*
 * proto — MessagePack-RPC framing for chanjiao (docs/protocol.md).
 *
 * The frame scanner is a pure function over caller-owned bytes: it does no
 * I/O, never trusts a declared length (every size is checked against the
 * bytes present and the frame limit before anything else happens) and can
 * be resumed where it stopped, so a frame arriving in small pieces is
 * scanned once, not once per piece.  The daemon, the unit tests and the
 * fuzzer call it the same way.
 *
 * Decoding of a complete frame is left to msgpack-c (msgpack_unpack_next);
 * the scanner guarantees that a frame handed to it is complete, within the
 * size limit and no deeper than PROTO_DEPTH_MAX, msgpack-c's own decode
 * stack.
 */
#ifndef CJ_PROTO_H
#define CJ_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

/* Error codes of docs/protocol.md. */
enum {
	PROTO_PARSE_ERROR = -32700,
	PROTO_INVALID_REQUEST = -32600,
	PROTO_METHOD_NOT_FOUND = -32601,
	PROTO_INVALID_PARAMS = -32602,
	PROTO_INTERNAL = -32603,
	PROTO_UNAUTHENTICATED = 1001,
	PROTO_FORBIDDEN = 1003,
	PROTO_NOT_FOUND = 1004,
	PROTO_CONFLICT = 1009,
	PROTO_TOO_LARGE = 1013,
	PROTO_BUSY = 1029,
	PROTO_STORE_FULL = 1507,   /* the LMDB map or the disk is full */
};

/* msgpack-c decodes with a fixed stack of this many containers. */
#define PROTO_DEPTH_MAX 32

/* Results of proto_scan(). */
enum proto_scan_rc {
	PROTO_FRAME = 0,   /* a whole frame of st->len bytes */
	PROTO_PARTIAL,     /* need more bytes; call again with the same state */
	PROTO_BAD,         /* not MessagePack (reserved byte 0xc1) */
	PROTO_TOO_BIG,     /* the frame is or would become larger than the limit */
};

/*
 * Scanner state.  Zero it (proto_scan_reset) before the first byte of a
 * frame; keep it, and the bytes scanned so far, between PARTIAL calls.
 * `stack` counts the items left in each open container; it grows with the
 * nesting (4 bytes a level, at most one level per byte of frame) because a
 * frame deeper than the depth limit must still be skipped whole.
 */
struct proto_scan {
	size_t len;        /* bytes of the frame consumed so far */
	size_t depth;      /* containers open now */
	size_t maxdepth;   /* deepest nesting seen in this frame */
	uint64_t *stack;   /* owned; freed by proto_scan_free */
	size_t cap;
};

void proto_scan_reset(struct proto_scan *st);
void proto_scan_free(struct proto_scan *st);

/*
 * Scan buf[0..n) for one MessagePack value.  `n` is everything buffered
 * from the frame's first byte; st->len says how far an earlier call got.
 * `limit` is the largest frame accepted.
 */
enum proto_scan_rc proto_scan(struct proto_scan *st, const char *buf,
    size_t n, size_t limit);

/*
 * The msgid of a request frame whose header is readable: buf starts with
 * an array whose element 0 is 0 and element 1 a uint32.  Returns 1 and
 * sets *msgid, else 0 (the reply then carries nil).
 */
int proto_peek_msgid(const char *buf, size_t n, uint32_t *msgid);

/*
 * The method name of a request or notification frame whose header is
 * readable in buf[0..n): [0, msgid, name, params] or [2, name, params].
 * Returns 1 and sets *name (into buf) and *len, else 0.
 */
int proto_peek_method(const char *buf, size_t n, const char **name,
    size_t *len);

/* 1 if s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
int proto_utf8_valid(const char *s, size_t n);

/* A growable byte buffer; the msgpack packer writes into it. */
struct proto_buf {
	char *data;
	size_t len;        /* bytes held */
	size_t off;        /* bytes already consumed from the front */
	size_t cap;
};

void proto_buf_free(struct proto_buf *b);
void proto_buf_append(struct proto_buf *b, const void *p, size_t n);
/* Make room for n more bytes after len (moves unconsumed bytes to the front). */
void proto_buf_reserve(struct proto_buf *b, size_t n);
/* Drop the first n unconsumed bytes; compacts when cheap. */
void proto_buf_consume(struct proto_buf *b, size_t n);
static inline size_t proto_buf_pending(const struct proto_buf *b)
{
	return b->len - b->off;
}
/* A msgpack_packer callback whose data is a struct proto_buf *. */
int proto_buf_write(void *data, const char *p, size_t n);

/* Packing helpers: strings from C strings, the reply header. */
void proto_pack_cstr(msgpack_packer *pk, const char *s);
void proto_pack_str(msgpack_packer *pk, const char *s, size_t n);
/* [1, msgid|nil, nil, ... — the caller then packs the result. */
void proto_pack_reply_head(msgpack_packer *pk, int has_msgid, uint32_t msgid);
/* [1, msgid|nil, {code, message, data: {field}?}, nil] */
void proto_pack_error(msgpack_packer *pk, int has_msgid, uint32_t msgid,
    int code, const char *message, const char *field);

/*
 * An error on its way to the client.  `field` is the docs/protocol.md path of
 * the offending value relative to the params map ("records[3].cohorts.2026"),
 * empty when none applies.
 */
struct proto_err {
	int code;
	char message[256];
	char field[320];
};

/* Set e and return -1, so handlers can `return proto_fail(...)`. */
int proto_fail(struct proto_err *e, int code, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Compare a msgpack str object with a C string. */
int proto_str_eq(const msgpack_object *o, const char *s);

#endif
