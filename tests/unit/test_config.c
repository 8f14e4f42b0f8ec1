/*
 * test_config — config/chanjiao.conf, which says it shows every key with
 * its default, states exactly config_defaults(): loaded over a struct
 * config of garbage it must set every field, to the built-in value.  Keys
 * the file documents commented out ("# key = value") count too.  Each
 * field is listed once below with its key; a field added to struct config
 * and not here fails `fields_cover_struct`.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "config.h"

#ifndef CJ_SOURCE_DIR
#error "CJ_SOURCE_DIR: CMakeLists.txt passes the source tree"
#endif
#define CONF CJ_SOURCE_DIR "/config/chanjiao.conf"

enum type { STR, INT, ULL, DBL };

static const struct field {
	const char *section, *key;
	size_t off, size;
	enum type type;
} fields[] = {
#define F(sec, key, member, type) \
	{ sec, key, offsetof(struct config, member), \
	  sizeof(((struct config *)0)->member), type }
	F("server", "listen", listen, STR),
	F("server", "unix", unix_path, STR),
	F("server", "data", data, STR),
	F("server", "tokens", tokens, STR),
	F("server", "backup_dir", backup_dir, STR),
	F("server", "log_level", log_level, INT),
	F("server", "allow_public", allow_public, INT),
	F("server", "map_size", map_size, ULL),
	F("server", "max_frame", max_frame, ULL),
	F("server", "max_depth", max_depth, ULL),
	F("server", "max_batch", max_batch, ULL),
	F("server", "max_k", max_k, ULL),
	F("server", "max_limit", max_limit, ULL),
	F("server", "max_connections", max_connections, ULL),
	F("server", "idle_timeout_s", idle_timeout_s, ULL),
	F("server", "max_reply_queue", max_reply_queue, ULL),
	F("server", "max_reply_memory", max_reply_memory, ULL),
	F("server", "auth_timeout_s", auth_timeout_s, ULL),
	F("server", "max_scan", max_scan, ULL),
	F("server", "workers", workers, ULL),
	F("server", "planners", planners, ULL),
	F("server", "max_jobs", max_jobs, ULL),
	F("http", "listen", http_listen, STR),
	F("http", "hosts", http_hosts, STR),
	F("http", "chartjs", http_chartjs, STR),
	F("http", "session_timeout_s", http_session_timeout_s, ULL),
	F("http", "timeout_s", http_timeout_s, ULL),
	F("http", "max_header", http_max_header, ULL),
	F("http", "max_sessions", http_max_sessions, ULL),
	F("match", "major", weights.major, DBL),
	F("match", "skills", weights.skills, DBL),
	F("match", "region", weights.region, DBL),
	F("match", "level", weights.level, DBL),
	F("match", "capacity", weights.capacity, DBL),
	F("match", "chain", weights.chain, DBL),
#undef F
};
#define NFIELDS (sizeof fields / sizeof *fields)

static size_t align_of(enum type t)
{
	return t == STR ? 1 : t == INT ? _Alignof(int) :
	    t == ULL ? _Alignof(unsigned long long) : _Alignof(double);
}

/* The table covers struct config: fields in order, gaps only padding. */
TEST(fields_cover_struct)
{
	size_t end = 0;
	for (size_t i = 0; i < NFIELDS; i++) {
		size_t a = align_of(fields[i].type);
		size_t want = (end + a - 1) / a * a;
		CHECK_CTX(fields[i].key);
		CHECKF(fields[i].off == want, "at %zu, expected %zu: a field the "
		    "table lacks?", fields[i].off, want);
		end = fields[i].off + fields[i].size;
	}
	CHECK_CTX("");
	size_t a = _Alignof(struct config);
	CHECK_EQ_U64((end + a - 1) / a * a, sizeof(struct config));
}

static int same(const struct config *a, const struct config *b,
    const struct field *f)
{
	const char *x = (const char *)a + f->off, *y = (const char *)b + f->off;
	switch (f->type) {
	case STR:
		return strncmp(x, y, f->size) == 0;
	case INT:
		return *(const int *)(const void *)x == *(const int *)(const void *)y;
	case ULL:
		return *(const unsigned long long *)(const void *)x ==
		    *(const unsigned long long *)(const void *)y;
	case DBL:
		return *(const double *)(const void *)x ==
		    *(const double *)(const void *)y;
	}
	return 0;
}

static void show(const struct config *c, const struct field *f, char *out,
    size_t cap)
{
	const char *x = (const char *)c + f->off;
	switch (f->type) {
	case STR: snprintf(out, cap, "\"%.*s\"", (int)f->size, x); break;
	case INT: snprintf(out, cap, "%d", *(const int *)(const void *)x); break;
	case ULL: snprintf(out, cap, "%llu",
	    *(const unsigned long long *)(const void *)x); break;
	case DBL: snprintf(out, cap, "%.17g", *(const double *)(const void *)x);
		break;
	}
}

/* Keys the file shows, commented out or not, with their sections. */
struct seen {
	char section[32], key[64], value[512];
	int commented;
};

static size_t scan(FILE *f, struct seen *v, size_t cap)
{
	char line[1024], section[32] = "";
	size_t n = 0;

	while (fgets(line, sizeof line, f)) {
		char *p = line, *e;
		line[strcspn(line, "\r\n")] = 0;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '[' && (e = strchr(p, ']'))) {
			snprintf(section, sizeof section, "%.*s", (int)(e - p - 1), p + 1);
			continue;
		}
		int commented = *p == '#' || *p == ';';
		if (commented) {
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		/* key = value, the key a lower-case identifier */
		char *k = p;
		while (islower((unsigned char)*p) || *p == '_' ||
		    isdigit((unsigned char)*p))
			p++;
		char *kend = p;
		while (*p == ' ' || *p == '\t')
			p++;
		if (kend == k || *p != '=' || n == cap)
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		snprintf(v[n].section, sizeof v[n].section, "%s", section);
		snprintf(v[n].key, sizeof v[n].key, "%.*s", (int)(kend - k), k);
		snprintf(v[n].value, sizeof v[n].value, "%s", p);
		e = v[n].value + strlen(v[n].value);
		while (e > v[n].value && isspace((unsigned char)e[-1]))
			*--e = 0;
		v[n].commented = commented;
		n++;
	}
	return n;
}

TEST(shipped_file_states_the_defaults)
{
	struct config def, got;
	char err[512] = "";
	static struct seen seen[256];

	config_defaults(&def);
	/* garbage, with every string ended, so an unset field shows */
	memset(&got, 0x5a, sizeof got);
	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].type == STR)
			((char *)&got)[fields[i].off + fields[i].size - 1] = 0;
	CHECKF(config_load(&got, CONF, err, sizeof err) == 0, "%s", err);

	FILE *f = fopen(CONF, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	size_t n = scan(f, seen, 256);
	fclose(f);
	/* the commented-out documented keys, fed as the daemon would */
	for (size_t i = 0; i < n; i++) {
		if (!seen[i].commented)
			continue;
		CHECK_CTX(seen[i].key);
		CHECKF(config_set(&got, seen[i].section, seen[i].key, seen[i].value,
		    err, sizeof err) == 0, "# %s = %s: %s", seen[i].key,
		    seen[i].value, err);
	}
	for (size_t i = 0; i < NFIELDS; i++) {
		char a[600], b[600];
		CHECK_CTX(fields[i].key);
		show(&got, &fields[i], a, sizeof a);
		show(&def, &fields[i], b, sizeof b);
		CHECKF(same(&got, &def, &fields[i]), "[%s] %s: the file says %s, "
		    "the code %s", fields[i].section, fields[i].key, a, b);
	}
	CHECK_CTX("");
	/* and the defaults pass the checks across keys */
	CHECKF(config_check(&def, err, sizeof err) == 0, "%s", err);
	CHECKF(config_check(&got, err, sizeof err) == 0, "%s", err);
}

/* Every key config_set takes is documented, once; every key shown is one. */
TEST(every_key_documented)
{
	static struct seen seen[256];
	char err[512];
	struct config c;
	FILE *f = fopen(CONF, "r");

	CHECK(f != NULL);
	if (!f)
		return;
	size_t n = scan(f, seen, 256);
	fclose(f);
	config_defaults(&c);
	for (size_t i = 0; i < NFIELDS; i++) {
		int times = 0;
		CHECK_CTX(fields[i].key);
		for (size_t j = 0; j < n; j++)
			times += !strcmp(seen[j].section, fields[i].section) &&
			    !strcmp(seen[j].key, fields[i].key);
		CHECKF(times == 1, "[%s] %s shown %d times", fields[i].section,
		    fields[i].key, times);
	}
	for (size_t j = 0; j < n; j++) {
		int known = 0;
		CHECK_CTX(seen[j].key);
		for (size_t i = 0; i < NFIELDS; i++)
			known |= !strcmp(seen[j].section, fields[i].section) &&
			    !strcmp(seen[j].key, fields[i].key);
		CHECKF(known, "[%s] %s is in no field of the table",
		    seen[j].section, seen[j].key);
		CHECKF(config_set(&c, seen[j].section, seen[j].key, seen[j].value,
		    err, sizeof err) == 0, "%s", err);
	}
	CHECK_CTX("");
	/* the scan is not blind: unknown keys are refused */
	CHECK(config_set(&c, "server", "no_such_key", "1", err, sizeof err) < 0);
	CHECK(config_set(&c, "match", "no_such_key", "1", err, sizeof err) < 0);
	CHECK(config_set(&c, "http", "no_such_key", "1", err, sizeof err) < 0);
	CHECK(n >= NFIELDS);
}

/* ---------------------------------------------------------------- tokens */

#include <stdlib.h>
#include <unistd.h>

#include "tokens.h"

#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* Write text (len bytes) to a fresh file and load it as a tokens file. */
static int load_text(const char *text, size_t len, struct tokens *t,
    char *err, size_t errlen)
{
	char path[] = "/tmp/cj-tokens-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		snprintf(err, errlen, "cannot write %s", path);
		return -2;
	}
	close(fd);
	int rc = tokens_load(path, t, err, errlen);
	unlink(path);
	return rc;
}

/* "# " + filler up to `len` bytes of line, then `tail` (no line end). */
static char *long_comment(size_t len, const char *tail)
{
	size_t tl = strlen(tail);
	char *s = malloc(len + tl + 1);
	s[0] = '#';
	memset(s + 1, 'x', len - 1);
	memcpy(s + len, tail, tl + 1);
	return s;
}

TEST(tokens_line_of_1023_bytes_is_read_whole)
{
	struct tokens t;
	char err[512] = "", text[4096];
	/* a comment of exactly 1023 bytes, with CRLF, then a token */
	char *c = long_comment(1023, "");
	snprintf(text, sizeof text, "%s\r\n" HASH_A " admin -\n", c);
	CHECKF(load_text(text, strlen(text), &t, err, sizeof err) == 0, "%s", err);
	CHECK_EQ_U64(t.n, 1);
	tokens_free(&t);
	/* a token line padded with blanks to 1023 bytes */
	snprintf(text, sizeof text, HASH_A " admin -%*s\n", 1023 - 64 - 8, "");
	CHECK_EQ_U64(strlen(text), 1024);
	CHECKF(load_text(text, strlen(text), &t, err, sizeof err) == 0, "%s", err);
	CHECK_EQ_U64(t.n, 1);
	tokens_free(&t);
	free(c);
}

/*
 * The case: an admin token "commented out" past byte 1,023 of a
 * long comment line used to load as a token.  Now the whole file is
 * invalid, naming the line.
 */
TEST(tokens_text_after_byte_1023_never_loads)
{
	struct tokens t;
	char err[512] = "", *text;
	for (size_t at = 1023; at <= 1026; at++) {
		char *c = long_comment(at, HASH_B " admin -");
		size_t n = strlen(c) + 64;
		text = malloc(n + 200);
		snprintf(text, n + 200, HASH_A " reader -\n%s\n", c);
		err[0] = 0;
		CHECK(load_text(text, strlen(text), &t, err, sizeof err) == -1);
		CHECK_EQ_U64(t.n, 0);
		CHECKF(strstr(err, ":2: line longer than 1023 bytes") != NULL, "%s",
		    err);
		free(text);
		free(c);
	}
	/* 1024 bytes with no line end at all (the file's last line) */
	text = long_comment(1024, "");
	CHECK(load_text(text, strlen(text), &t, err, sizeof err) == -1);
	CHECKF(strstr(err, ":1: line longer") != NULL, "%s", err);
	free(text);
}

TEST(tokens_bad_lines_invalidate_the_file)
{
	static const struct { const char *text; size_t len; const char *why; } cases[] = {
		{ HASH_A " admin -\nnonsense\n", 0, ":2: want SHA256HEX" },
		{ HASH_A " admin -\0" HASH_B " admin -\n", 64 + 9 + 73, ":1: NUL" },
		{ HASH_A " boss -\n", 0, ":1: role 'boss'" },
		{ HASH_A " school -\n", 0, ":1: a school token needs" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct tokens t;
		char err[512] = "";
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
		CHECK_CTX(cases[i].why);
		CHECK(load_text(cases[i].text, len, &t, err, sizeof err) == -1);
		CHECK_EQ_U64(t.n, 0);
		CHECKF(strstr(err, cases[i].why) != NULL, "%s", err);
	}
	CHECK_CTX("");
}
