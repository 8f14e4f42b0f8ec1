/*
 * xalloc — the out-of-memory policy, chosen once: small internal
 * allocations abort through these; sizes that come from the wire are
 * bounded by the caller before they get here.
 */
#ifndef CJ_XALLOC_H
#define CJ_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
