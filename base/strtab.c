#include "strtab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void strtab_init(struct strtab *t)
{
	t->cap = 64;
	t->n = 0;
	t->t = xcalloc(t->cap, sizeof *t->t);
}

void strtab_free(struct strtab *t)
{
	free(t->t);
	t->t = NULL;
	t->cap = t->n = 0;
}

static struct strtab_slot *slot(struct strtab_slot *t, size_t cap,
    const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ull;          /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
	size_t i = (size_t)h & (cap - 1);
	while (t[i].used && (t[i].n != n || memcmp(t[i].k, k, n)))
		i = (i + 1) & (cap - 1);
	return &t[i];
}

size_t *strtab_find(const struct strtab *t, const char *k, size_t n)
{
	if (n > STRTAB_KEY)
		n = STRTAB_KEY;
	struct strtab_slot *e = slot(t->t, t->cap, k, n);
	return e->used ? &e->val : NULL;
}

size_t *strtab_at(struct strtab *t, const char *k, size_t n)
{
	if (n > STRTAB_KEY)
		n = STRTAB_KEY;
	struct strtab_slot *e = slot(t->t, t->cap, k, n);
	if (e->used)
		return &e->val;
	if (2 * (t->n + 1) > t->cap) {
		size_t cap = t->cap * 2;
		struct strtab_slot *nt = xcalloc(cap, sizeof *nt);
		for (size_t i = 0; i < t->cap; i++)
			if (t->t[i].used)
				*slot(nt, cap, t->t[i].k, t->t[i].n) = t->t[i];
		free(t->t);
		t->t = nt;
		t->cap = cap;
		e = slot(t->t, t->cap, k, n);
	}
	e->used = 1;
	memcpy(e->k, k, n);
	e->n = (unsigned char)n;
	e->val = 0;
	t->n++;
	return &e->val;
}
