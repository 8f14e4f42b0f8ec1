/* proto — MessagePack-RPC framing; see proto.h for the contracts. */
#include "proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void proto_scan_reset(struct proto_scan *st)
{
	st->len = 0;
	st->depth = 0;
	st->maxdepth = 0;
}

void proto_scan_free(struct proto_scan *st)
{
	free(st->stack);
	st->stack = NULL;
	st->cap = 0;
	proto_scan_reset(st);
}

static uint64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Pop finished containers; returns 1 when the outermost value is whole. */
static int item_done(struct proto_scan *st)
{
	while (st->depth > 0) {
		if (--st->stack[st->depth - 1] > 0)
			return 0;
		st->depth--;
	}
	return 1;
}

enum proto_scan_rc proto_scan(struct proto_scan *st, const char *buf,
    size_t n, size_t limit)
{
	const unsigned char *b = (const unsigned char *)buf;

	for (;;) {
		size_t p = st->len;
		if (p >= limit)
			return PROTO_TOO_BIG;
		if (p >= n)
			return PROTO_PARTIAL;

		unsigned c = b[p];
		size_t hdr = 1;       /* type byte + length/value bytes */
		uint64_t body = 0;    /* payload bytes after the header */
		uint64_t items = 0;   /* container items (2 per map pair) */
		int container = 0;
		int lenbytes = 0;     /* bytes of a big-endian length after c */

		if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3) {
			/* fixint, nil, bool */
		} else if (c <= 0x8f) {
			container = 1, items = 2 * (uint64_t)(c & 0x0f);
		} else if (c <= 0x9f) {
			container = 1, items = c & 0x0f;
		} else if (c <= 0xbf) {
			body = c & 0x1f;
		} else if (c == 0xc1) {
			return PROTO_BAD;
		} else if (c >= 0xc4 && c <= 0xc6) {       /* bin 8/16/32 */
			lenbytes = 1 << (c - 0xc4);
		} else if (c >= 0xc7 && c <= 0xc9) {       /* ext 8/16/32 */
			lenbytes = 1 << (c - 0xc7);
			hdr = 2;                           /* + type byte */
		} else if (c == 0xca || c == 0xcb) {
			hdr = 1 + (c == 0xca ? 4 : 8);
		} else if (c >= 0xcc && c <= 0xcf) {
			hdr = 1 + (1u << (c - 0xcc));
		} else if (c >= 0xd0 && c <= 0xd3) {
			hdr = 1 + (1u << (c - 0xd0));
		} else if (c >= 0xd4 && c <= 0xd8) {       /* fixext 1..16 */
			hdr = 2 + (1u << (c - 0xd4));
		} else if (c >= 0xd9 && c <= 0xdb) {       /* str 8/16/32 */
			lenbytes = 1 << (c - 0xd9);
		} else if (c == 0xdc || c == 0xdd) {
			container = 1, lenbytes = c == 0xdc ? 2 : 4;
		} else {                                   /* 0xde, 0xdf map */
			container = 2, lenbytes = c == 0xde ? 2 : 4;
		}

		hdr += lenbytes;
		if (hdr > limit - p)
			return PROTO_TOO_BIG;
		if (hdr > n - p)
			return PROTO_PARTIAL;
		if (lenbytes) {
			uint64_t v = be(b + p + 1, lenbytes);
			if (container)
				items = container == 2 ? 2 * v : v;
			else
				body = v;
		}
		size_t end = p + hdr;
		if (body > limit - end)
			return PROTO_TOO_BIG;
		if (body > n - end)
			return PROTO_PARTIAL;
		end += body;
		/* Every item takes at least one byte. */
		if (container && items > limit - end)
			return PROTO_TOO_BIG;

		st->len = end;
		if (container && items > 0) {
			if (st->depth == st->cap) {
				st->cap = st->cap ? 2 * st->cap : 16;
				st->stack = xrealloc(st->stack,
				    st->cap * sizeof *st->stack);
			}
			st->stack[st->depth++] = items;
			if (st->depth > st->maxdepth)
				st->maxdepth = st->depth;
			continue;
		}
		if (container && st->depth + 1 > st->maxdepth)
			st->maxdepth = st->depth + 1;
		if (item_done(st))
			return PROTO_FRAME;
	}
}

/* Read a non-negative integer at b[*p]; 1 on success. */
static int peek_uint(const unsigned char *b, size_t n, size_t *p, uint64_t *v)
{
	if (*p >= n)
		return 0;
	unsigned c = b[*p];
	int w;
	if (c <= 0x7f) {
		*v = c, (*p)++;
		return 1;
	}
	if (c >= 0xcc && c <= 0xcf)
		w = 1 << (c - 0xcc);
	else if (c >= 0xd0 && c <= 0xd3)
		w = 1 << (c - 0xd0);
	else
		return 0;
	if (n - *p < (size_t)w + 1)
		return 0;
	uint64_t x = be(b + *p + 1, w);
	if (c >= 0xd0 && (x >> (8 * w - 1)) & 1)   /* negative */
		return 0;
	*v = x;
	*p += w + 1;
	return 1;
}

int proto_peek_msgid(const char *buf, size_t n, uint32_t *msgid)
{
	const unsigned char *b = (const unsigned char *)buf;
	size_t p;
	uint64_t v;

	if (n < 1)
		return 0;
	if (b[0] >= 0x92 && b[0] <= 0x9f)
		p = 1;
	else if (b[0] == 0xdc && n >= 3 && be(b + 1, 2) >= 2)
		p = 3;
	else if (b[0] == 0xdd && n >= 5 && be(b + 1, 4) >= 2)
		p = 5;
	else
		return 0;
	if (!peek_uint(b, n, &p, &v) || v != 0)
		return 0;
	if (!peek_uint(b, n, &p, &v) || v > UINT32_MAX)
		return 0;
	*msgid = (uint32_t)v;
	return 1;
}

int proto_peek_method(const char *buf, size_t n, const char **name,
    size_t *len)
{
	const unsigned char *b = (const unsigned char *)buf;
	size_t p, size;
	uint64_t v;

	if (n < 1)
		return 0;
	if (b[0] >= 0x90 && b[0] <= 0x9f)
		p = 1, size = b[0] & 0x0f;
	else if (b[0] == 0xdc && n >= 3)
		p = 3, size = be(b + 1, 2);
	else if (b[0] == 0xdd && n >= 5)
		p = 5, size = be(b + 1, 4);
	else
		return 0;
	if (!peek_uint(b, n, &p, &v) || !((v == 0 && size == 4) ||
	    (v == 2 && size == 3)))
		return 0;
	if (v == 0 && !peek_uint(b, n, &p, &v))       /* the msgid */
		return 0;
	if (p >= n)
		return 0;
	if (b[p] >= 0xa0 && b[p] <= 0xbf)
		*len = b[p] & 0x1f, p += 1;
	else if (b[p] == 0xd9 && n - p >= 2)
		*len = b[p + 1], p += 2;
	else if (b[p] == 0xda && n - p >= 3)
		*len = be(b + p + 1, 2), p += 3;
	else
		return 0;             /* method names are short */
	if (n - p < *len)
		return 0;
	*name = buf + p;
	return 1;
}

int proto_utf8_valid(const char *s, size_t n)
{
	if (n == 0)
		return 1;
	const unsigned char *p = (const unsigned char *)s, *e = p + n;

	while (p < e) {
		unsigned c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		int k;
		uint32_t cp, min;
		if (c >= 0xc2 && c <= 0xdf)
			k = 1, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3, cp = c & 0x07, min = 0x10000;
		else
			return 0;
		if (e - p <= k)
			return 0;
		for (int i = 1; i <= k; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += k + 1;
	}
	return 1;
}

void proto_buf_free(struct proto_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

void proto_buf_reserve(struct proto_buf *b, size_t n)
{
	if (b->cap - b->len >= n)
		return;
	if (b->off > 0) {
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
		if (b->cap - b->len >= n)
			return;
	}
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < n)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void proto_buf_append(struct proto_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	proto_buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void proto_buf_consume(struct proto_buf *b, size_t n)
{
	b->off += n;
	if (b->off == b->len)
		b->off = b->len = 0;
}

/* The packer calls this for every item it packs: room is checked inline. */
int proto_buf_write(void *data, const char *p, size_t n)
{
	struct proto_buf *b = data;

	if (n == 0)
		return 0;
	if (b->cap - b->len < n)
		proto_buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void proto_pack_str(msgpack_packer *pk, const char *s, size_t n)
{
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

void proto_pack_cstr(msgpack_packer *pk, const char *s)
{
	proto_pack_str(pk, s, strlen(s));
}

void proto_pack_reply_head(msgpack_packer *pk, int has_msgid, uint32_t msgid)
{
	msgpack_pack_array(pk, 4);
	msgpack_pack_uint8(pk, 1);
	if (has_msgid)
		msgpack_pack_uint32(pk, msgid);
	else
		msgpack_pack_nil(pk);
	msgpack_pack_nil(pk);
}

void proto_pack_error(msgpack_packer *pk, int has_msgid, uint32_t msgid,
    int code, const char *message, const char *field)
{
	msgpack_pack_array(pk, 4);
	msgpack_pack_uint8(pk, 1);
	if (has_msgid)
		msgpack_pack_uint32(pk, msgid);
	else
		msgpack_pack_nil(pk);
	int withdata = field && *field;
	msgpack_pack_map(pk, withdata ? 3 : 2);
	proto_pack_cstr(pk, "code");
	msgpack_pack_int(pk, code);
	proto_pack_cstr(pk, "message");
	proto_pack_cstr(pk, message);
	if (withdata) {
		proto_pack_cstr(pk, "data");
		msgpack_pack_map(pk, 1);
		proto_pack_cstr(pk, "field");
		proto_pack_cstr(pk, field);
	}
	msgpack_pack_nil(pk);
}

int proto_fail(struct proto_err *e, int code, const char *field,
    const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
	return -1;
}

int proto_str_eq(const msgpack_object *o, const char *s)
{
	size_t n = strlen(s);
	return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
	    memcmp(o->via.str.ptr, s, n) == 0;
}
