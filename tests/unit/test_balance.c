/*
 * test_balance — stats.balance's rows (balance.h; docs/matching.md and
 * docs/protocol.md "stats.balance") for each `by` on one hand-made scope
 * whose every row is worked out below: supply per key, demand split over
 * prefixes, `*` for any major, `-` without an industry, industry supply
 * by shared field group, rows of 0 and 0 left out, and the row order.
 * Direction rows are fair.allocate's (test_fair.c, tests/e2e).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balance.h"
#include "check.h"

static struct match_str S(const char *s)
{
	struct match_str m = { s, strlen(s) };
	return m;
}

static const struct { const char *code; long long avail; } specs[] = {
	{ "660103", 30 }, { "660103", 7 }, { "660201", 20 }, { "460103", 10 },
	{ "510201", 5 }, { "710101", 0 }, { "710102", 8 }, { "660301", -3 },
};

static const struct {
	const char *pfx[2];
	size_t n;
	const char *division;
	long long head;
} posts[] = {
	{ { "6601" }, 1, "C34", 10 },            /* P1: field group 46 */
	{ { "46", "51" }, 2, "C34", 6 },         /* P2: 46, 51 */
	{ { NULL }, 0, "", 4 },                  /* P3: any major, no industry */
	{ { "660103", "7101" }, 2, "I65", 9 },   /* P4: 46, 51 */
	{ { "2601" }, 1, "C35", 2 },             /* P5: 46 (bachelor prefix) */
	{ { "5901" }, 1, "C38", 3 },             /* P6: 59, nobody supplies */
};

struct want {
	const char *key;
	unsigned long long supply;
	double demand;
};

static void feed(struct balance *b)
{
	for (size_t i = 0; i < sizeof specs / sizeof *specs; i++)
		balance_spec(b, S(specs[i].code), specs[i].avail);
	for (size_t i = 0; i < sizeof posts / sizeof *posts; i++) {
		struct match_str p[2];
		for (size_t j = 0; j < posts[i].n; j++)
			p[j] = S(posts[i].pfx[j]);
		balance_post(b, p, posts[i].n, S(posts[i].division), posts[i].head);
	}
}

static void expect(struct balance *b, const struct want *w, size_t n,
    const char *what)
{
	struct balance_row *rows;
	size_t m = balance_rows(b, &rows);
	char ctx[96];

	snprintf(ctx, sizeof ctx, "%s: row count", what);
	CHECK_CTX(ctx);
	CHECK_EQ_INT(m, n);
	for (size_t i = 0; i < m && i < n; i++) {
		snprintf(ctx, sizeof ctx, "%s: row %zu (%s)", what, i, w[i].key);
		CHECK_CTX(ctx);
		CHECK_STRN(rows[i].key.p, rows[i].key.n, w[i].key);
		CHECK_EQ_U64(rows[i].supply, w[i].supply);
		CHECK_NEAR(rows[i].demand, w[i].demand, 1e-12);
	}
	CHECK_CTX("");
	free(rows);
}

TEST(by_major)
{
	static const struct want w[] = {
		{ "*", 0, 4 }, { "2601", 0, 2 }, { "46", 0, 3 },
		{ "460103", 10, 0 }, { "51", 0, 3 }, { "510201", 5, 0 },
		{ "5901", 0, 3 }, { "6601", 0, 10 }, { "660103", 37, 4.5 },
		{ "660201", 20, 0 }, { "7101", 0, 4.5 }, { "710102", 8, 0 },
		/* 710101 (0 available) and 660301 (negative) make no row */
	};
	struct balance *b = balance_new(BALANCE_MAJOR);
	feed(b);
	expect(b, w, sizeof w / sizeof *w, "major");
	balance_free(b);
}

TEST(by_class)
{
	static const struct want w[] = {
		{ "*", 0, 4 }, { "2601", 0, 2 }, { "46", 0, 3 }, { "4601", 10, 0 },
		{ "51", 0, 3 }, { "5102", 5, 0 }, { "5901", 0, 3 },
		{ "6601", 37, 14.5 }, { "6602", 20, 0 }, { "7101", 8, 4.5 },
	};
	struct balance *b = balance_new(BALANCE_CLASS);
	feed(b);
	expect(b, w, sizeof w / sizeof *w, "major_class");
	balance_free(b);
}

TEST(by_group)
{
	static const struct want w[] = {
		{ "*", 0, 4 }, { "26", 0, 2 }, { "46", 10, 3 }, { "51", 5, 3 },
		{ "59", 0, 3 }, { "66", 57, 14.5 }, { "71", 8, 4.5 },
	};
	struct balance *b = balance_new(BALANCE_GROUP);
	feed(b);
	expect(b, w, sizeof w / sizeof *w, "major_group");
	balance_free(b);
}

/* A "K" prefix counts under its first 6 characters for by major. */
TEST(by_major_k_prefix)
{
	static const struct want w[] = { { "520101", 12, 5 } };
	struct match_str p = S("520101K");
	struct balance *b = balance_new(BALANCE_MAJOR);
	balance_spec(b, S("520101K"), 12);
	balance_post(b, &p, 1, S(""), 5);
	expect(b, w, 1, "K");
	balance_free(b);
}

/*
 * Supply of a division: the specialties with an eligible posting in it,
 * i.e. sharing a field group (46: 37 + 20 + 10; 51: 5 + 0 + 8), all of
 * them for a posting of any major.
 */
TEST(by_industry)
{
	static const struct want w[] = {
		{ "-", 80, 4 }, { "C34", 80, 16 }, { "C35", 67, 2 },
		{ "C38", 0, 3 }, { "I65", 80, 9 },
	};
	struct balance *b = balance_new(BALANCE_INDUSTRY);
	feed(b);
	expect(b, w, sizeof w / sizeof *w, "industry");
	balance_free(b);
}

TEST(empty)
{
	for (int by = BALANCE_MAJOR; by <= BALANCE_DIRECTION; by++) {
		struct balance *b = balance_new((enum balance_by)by);
		expect(b, NULL, 0, "empty");
		balance_free(b);
	}
	balance_free(NULL);
}
