/* catalog — lookups in the embedded 2021 major catalog; see catalog.h. */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

extern const char catalog_csv[];
extern const unsigned long catalog_csv_len;

struct entry {
	char code[8];
	char *name;
};

static struct entry *entries;
static size_t nentries, nmajors;

static int cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->code,
	    ((const struct entry *)b)->code);
}

static void add(const char *code, size_t clen, const char *name, size_t nlen)
{
	static size_t cap;
	if (clen == 0 || clen >= sizeof entries->code || nlen == 0)
		return;
	if (nentries == cap) {
		cap = cap ? 2 * cap : 1024;
		entries = xrealloc(entries, cap * sizeof *entries);
	}
	memcpy(entries[nentries].code, code, clen);
	entries[nentries].code[clen] = 0;
	entries[nentries].name = xstrndup(name, nlen);
	nentries++;
}

/*
 * Rows: education_level, major_code, major_name, class_code, class_name,
 * category_code, category_name, is_national_control.  The table has no
 * quoted fields; a row that does not split into 8 is skipped.  Codes of
 * controlled majors carry their K (520101K).
 */
int catalog_load(void)
{
	const char *p = catalog_csv, *end = catalog_csv + catalog_csv_len;

	if (entries)
		return 0;
	p = memchr(p, '\n', end - p);           /* header */
	while (p && ++p < end) {
		const char *eol = memchr(p, '\n', end - p), *f[9];
		int nf = 0;
		if (!eol)
			eol = end;
		f[nf++] = p;
		for (const char *q = p; q < eol && nf < 9; q++)
			if (*q == ',')
				f[nf++] = q + 1;
		if (nf == 8) {
			f[8] = eol + 1;
#define FLEN(i) ((size_t)(f[(i) + 1] - f[i] - 1))
			add(f[1], FLEN(1), f[2], FLEN(2));
			add(f[3], FLEN(3), f[4], FLEN(4));
			add(f[5], FLEN(5), f[6], FLEN(6));
			nmajors++;
		}
		p = eol;
	}
	if (nentries == 0)
		return -1;
	qsort(entries, nentries, sizeof *entries, cmp);
	size_t w = 1;                            /* drop repeated classes */
	for (size_t i = 1; i < nentries; i++) {
		if (strcmp(entries[i].code, entries[w - 1].code) == 0) {
			free(entries[i].name);
			continue;
		}
		entries[w++] = entries[i];
	}
	nentries = w;
	return 0;
}

const char *catalog_name(const char *code, size_t n)
{
	struct entry key, *e;

	if (n == 0 || n >= sizeof key.code)
		return NULL;
	memcpy(key.code, code, n);
	key.code[n] = 0;
	e = bsearch(&key, entries, nentries, sizeof *entries, cmp);
	return e ? e->name : NULL;
}

size_t catalog_majors(void)
{
	return nmajors;
}
