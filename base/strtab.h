/*
 * strtab — a map from short byte strings (at most STRTAB_KEY bytes; longer
 * keys are cut) to a size_t, by open addressing; for tallies and for
 * indexing rows kept in the caller's own array.
 */
#ifndef CJ_STRTAB_H
#define CJ_STRTAB_H

#include <stddef.h>

#define STRTAB_KEY 72

struct strtab {
	struct strtab_slot {
		char k[STRTAB_KEY];
		unsigned char n, used;
		size_t val;
	} *t;
	size_t cap, n;
};

void strtab_init(struct strtab *t);
void strtab_free(struct strtab *t);
/*
 * The value of key k, inserted as 0 when absent; the pointer is valid
 * until the next insert.  strtab_find does not insert (NULL when absent).
 */
size_t *strtab_at(struct strtab *t, const char *k, size_t n);
size_t *strtab_find(const struct strtab *t, const char *k, size_t n);

#endif
