/*
 * tokens — the tokens file of docs/protocol.md "Running the daemon": one
 * "SHA256HEX ROLE OWNER" line per token, `#` starting a comment.  Only
 * hashes are ever held; a token is compared by hashing it and checking
 * every entry in constant time.
 */
#ifndef CJ_TOKENS_H
#define CJ_TOKENS_H

#include <stddef.h>

enum tokens_role {
	ROLE_NONE, ROLE_ADMIN, ROLE_ORGANIZER, ROLE_SCHOOL, ROLE_ENTERPRISE,
	ROLE_READER
};

struct tokens_entry {
	unsigned char hash[32];
	enum tokens_role role;
	char owner[65];            /* school or enterprise id; "" otherwise */
};

struct tokens {
	struct tokens_entry *v;
	size_t n;
};

/* The longest line the file may hold, not counting its end (\n or \r\n). */
#define TOKENS_LINE_MAX 1023

/*
 * Read path into t (which the caller frees with tokens_free).  Returns 0,
 * or -1 with err naming the file and line; t is then empty.  A line over
 * TOKENS_LINE_MAX bytes, holding a NUL, or that does not parse makes the
 * whole file invalid: no tokens are kept from it.
 */
int tokens_load(const char *path, struct tokens *t, char *err, size_t errlen);
void tokens_free(struct tokens *t);

/* SHA-256 of tok[0..n). */
void tokens_hash(const char *tok, size_t n, unsigned char out[32]);
/* Lower-case hex of a hash, NUL-terminated. */
void tokens_hex(const unsigned char h[32], char out[65]);
/* The entry with hash h, comparing against all of them; -1 when none. */
int tokens_find(const struct tokens *t, const unsigned char h[32]);

/* "admin" ... for a role; ROLE_NONE for an unknown name. */
const char *tokens_role_name(enum tokens_role r);
enum tokens_role tokens_role_parse(const char *s);

#endif
