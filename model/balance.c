/*
 * balance — stats.balance rows (docs/matching.md "Definitions"), fed one
 * specialty and one posting at a time.
 *
 * Rows live in an array indexed by a strtab of their keys; eligibility
 * for the industry rows is "major factor > 0", which is "some prefix
 * shares the code's field group" (or the posting takes any major), so a
 * row keeps the set of field groups it reaches as a bitmask and supply is
 * summed per field group.
 */
#include "balance.h"

#include <stdlib.h>
#include <string.h>

#include "strtab.h"
#include "xalloc.h"

const char *const balance_by_name[BALANCE_NBY + 1] = {
	"major", "major_class", "major_group", "industry", "direction", NULL,
};

struct row {
	char key[STRTAB_KEY];
	size_t n;
	unsigned long long supply;
	double demand;
	uint64_t groups[2];      /* field groups reached (industry rows) */
	int any;                 /* a posting of the row takes any major */
};

struct balance {
	enum balance_by by;
	struct strtab index;                 /* key → row */
	struct row *rows;
	size_t n, cap;
	unsigned long long fg_supply[100];   /* available per field group */
	unsigned long long all_supply;
};

static void bit_set(uint64_t b[2], int g)
{
	b[g >> 6] |= (uint64_t)1 << (g & 63);
}

/* The row of key k, created empty (keys longer than STRTAB_KEY are cut). */
static struct row *row(struct balance *b, const char *k, size_t n)
{
	size_t *i = strtab_at(&b->index, k, n);
	if (*i == 0) {
		if (b->n == b->cap) {
			b->cap = b->cap ? 2 * b->cap : 16;
			b->rows = xrealloc(b->rows, b->cap * sizeof *b->rows);
		}
		struct row *r = &b->rows[b->n];
		memset(r, 0, sizeof *r);
		r->n = n < STRTAB_KEY ? n : STRTAB_KEY;
		memcpy(r->key, k, r->n);
		*i = ++b->n;
	}
	return &b->rows[*i - 1];
}

struct balance *balance_new(enum balance_by by)
{
	struct balance *b = xcalloc(1, sizeof *b);
	b->by = by;
	strtab_init(&b->index);
	return b;
}

void balance_free(struct balance *b)
{
	if (!b)
		return;
	strtab_free(&b->index);
	free(b->rows);
	free(b);
}

static size_t key_len(enum balance_by by)
{
	return by == BALANCE_MAJOR ? 6 : by == BALANCE_CLASS ? 4 : 2;
}

void balance_spec(struct balance *b, struct match_str code, long long available)
{
	unsigned long long a = available > 0 ? (unsigned long long)available : 0;
	int fg = match_field_group(code.p);

	switch (b->by) {
	case BALANCE_MAJOR:
	case BALANCE_CLASS:
	case BALANCE_GROUP:
		row(b, code.p, key_len(b->by))->supply += a;
		break;
	case BALANCE_INDUSTRY:
		b->fg_supply[fg] += a;
		b->all_supply += a;
		break;
	case BALANCE_DIRECTION:
		break;
	}
}

void balance_post(struct balance *b, const struct match_str *prefixes, size_t n,
    struct match_str division, long long headcount)
{
	double h = (double)headcount;
	uint64_t g[2] = { 0, 0 };
	struct row *r;

	for (size_t i = 0; i < n; i++)
		bit_set(g, match_field_group(prefixes[i].p));
	switch (b->by) {
	case BALANCE_MAJOR:
	case BALANCE_CLASS:
	case BALANCE_GROUP:
		if (n == 0) {
			row(b, "*", 1)->demand += h;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			size_t l = key_len(b->by);
			row(b, prefixes[i].p, prefixes[i].n < l ? prefixes[i].n : l)->demand +=
			    h / (double)n;
		}
		break;
	case BALANCE_INDUSTRY:
		r = division.n ? row(b, division.p, division.n) : row(b, "-", 1);
		r->demand += h;
		r->groups[0] |= g[0];
		r->groups[1] |= g[1];
		r->any |= n == 0;
		break;
	case BALANCE_DIRECTION:
		break;
	}
}

static int cmp_key(const void *a, const void *b)
{
	const struct balance_row *x = a, *y = b;
	size_t n = x->key.n < y->key.n ? x->key.n : y->key.n;
	int c = memcmp(x->key.p, y->key.p, n);
	return c ? c : (x->key.n > y->key.n) - (x->key.n < y->key.n);
}

static int row_out(struct balance *b, struct row *r, struct balance_row *o)
{
	if (b->by == BALANCE_INDUSTRY) {
		r->supply = 0;
		if (r->any)
			r->supply = b->all_supply;
		else
			for (int g = 0; g < 100; g++)
				if (r->groups[g >> 6] >> (g & 63) & 1)
					r->supply += b->fg_supply[g];
	}
	if (r->supply == 0 && r->demand == 0)
		return 0;
	o->key.p = r->key;
	o->key.n = r->n;
	o->supply = r->supply;
	o->demand = r->demand;
	return 1;
}

size_t balance_rows(struct balance *b, struct balance_row **out)
{
	struct balance_row *v = xmalloc((b->n ? b->n : 1) * sizeof *v);
	size_t m = 0;

	for (size_t i = 0; i < b->n; i++)
		m += (size_t)row_out(b, &b->rows[i], &v[m]);
	if (m)
		qsort(v, m, sizeof *v, cmp_key);
	*out = v;
	return m;
}
