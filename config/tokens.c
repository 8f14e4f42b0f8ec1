/* tokens — the tokens file; see tokens.h. */
#include "tokens.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static const char *const role_names[] = {
	"none", "admin", "organizer", "school", "enterprise", "reader",
};

const char *tokens_role_name(enum tokens_role r)
{
	return role_names[r];
}

enum tokens_role tokens_role_parse(const char *s)
{
	for (int r = ROLE_ADMIN; r <= ROLE_READER; r++)
		if (!strcmp(s, role_names[r]))
			return r;
	return ROLE_NONE;
}

void tokens_hash(const char *tok, size_t n, unsigned char out[32])
{
	unsigned int len = 32;
	if (!EVP_Digest(tok, n, out, &len, EVP_sha256(), NULL))
		abort();
}

void tokens_hex(const unsigned char h[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

int tokens_find(const struct tokens *t, const unsigned char h[32])
{
	int found = -1;
	for (size_t i = 0; i < t->n; i++)
		if (CRYPTO_memcmp(t->v[i].hash, h, 32) == 0)
			found = (int)i;
	return found;
}

void tokens_free(struct tokens *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static int unhex(const char *s, unsigned char out[32])
{
	if (strlen(s) != 64)
		return -1;
	for (int i = 0; i < 64; i++) {
		int c = s[i], v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else
			return -1;
		if (i % 2 == 0)
			out[i / 2] = (unsigned char)(v << 4);
		else
			out[i / 2] |= (unsigned char)v;
	}
	return 0;
}

int tokens_load(const char *path, struct tokens *t, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t linecap = 0, cap = 0;
	ssize_t len;
	int lineno = 0;

	t->v = NULL;
	t->n = 0;
	if (!f) {
		snprintf(err, errlen, "tokens file %s: %s", path, strerror(errno));
		return -1;
	}
	/*
	 * Whole lines, however long: a line is judged as a whole or the file
	 * is refused, so no tail of a long comment can pass for a token.
	 */
	while ((len = getline(&line, &linecap, f)) >= 0) {
		char *fields[4], *save = NULL, *p;
		int nf = 0;
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = 0;
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = 0;
		if ((size_t)len > TOKENS_LINE_MAX) {
			snprintf(err, errlen, "%s:%d: line longer than %d bytes", path,
			    lineno, TOKENS_LINE_MAX);
			goto fail;
		}
		if (memchr(line, 0, (size_t)len)) {
			snprintf(err, errlen, "%s:%d: NUL byte in the line", path, lineno);
			goto fail;
		}
		if ((p = strchr(line, '#')))
			*p = 0;
		for (p = strtok_r(line, " \t\r", &save); p && nf < 4;
		    p = strtok_r(NULL, " \t\r", &save))
			fields[nf++] = p;
		if (nf == 0)
			continue;
		struct tokens_entry e;
		memset(&e, 0, sizeof e);
		if (nf != 3) {
			snprintf(err, errlen, "%s:%d: want SHA256HEX ROLE OWNER", path, lineno);
			goto fail;
		}
		if (unhex(fields[0], e.hash) < 0) {
			snprintf(err, errlen, "%s:%d: hash must be 64 lower-case hex digits",
			    path, lineno);
			goto fail;
		}
		if ((e.role = tokens_role_parse(fields[1])) == ROLE_NONE) {
			snprintf(err, errlen, "%s:%d: role '%.32s' is not admin, "
			    "organizer, school, enterprise or reader", path, lineno,
			    fields[1]);
			goto fail;
		}
		int owned = e.role == ROLE_SCHOOL || e.role == ROLE_ENTERPRISE;
		if (owned && (!strcmp(fields[2], "-") || strlen(fields[2]) > 64)) {
			snprintf(err, errlen, "%s:%d: a %s token needs the %s id as owner",
			    path, lineno, fields[1], fields[1]);
			goto fail;
		}
		if (!owned && strcmp(fields[2], "-")) {
			snprintf(err, errlen, "%s:%d: owner must be - for role %s", path,
			    lineno, fields[1]);
			goto fail;
		}
		if (owned)
			snprintf(e.owner, sizeof e.owner, "%s", fields[2]);
		if (t->n == cap) {
			cap = cap ? 2 * cap : 16;
			t->v = xrealloc(t->v, cap * sizeof *t->v);
		}
		t->v[t->n++] = e;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "tokens file %s: %s", path, strerror(errno));
		goto fail;
	}
	free(line);
	fclose(f);
	return 0;
fail:
	free(line);
	fclose(f);
	tokens_free(t);
	return -1;
}
