/*
 * balance — the rows of stats.balance: supply and demand per major, major
 * class, major group or industry division (docs/matching.md).  Pure: the
 * store's query_balance feeds it what the indexes hold.  Direction rows
 * are fair.allocate's and come from the fair planner (fair.h fair_arcs).
 */
#ifndef CJ_BALANCE_H
#define CJ_BALANCE_H

#include "match.h"

enum balance_by {
	BALANCE_MAJOR, BALANCE_CLASS, BALANCE_GROUP, BALANCE_INDUSTRY,
	BALANCE_DIRECTION            /* a name only: a balance of it stays empty */
};
#define BALANCE_NBY 5
/* The `by` values in enum order ("major" ... "direction"), NULL-ended. */
extern const char *const balance_by_name[BALANCE_NBY + 1];

struct balance_row {
	struct match_str key;      /* points into the balance */
	unsigned long long supply;
	double demand;
};

/*
 * Feed every specialty in scope (its code and available graduates) and
 * then every posting in scope once (its prefixes, its enterprise's
 * industry division, empty when none, and headcount); balance_rows gives
 * the rows whose supply or demand is not 0, sorted by key, in a malloc'd
 * array valid until balance_free.
 */
struct balance;
struct balance *balance_new(enum balance_by by);
void balance_spec(struct balance *b, struct match_str code, long long available);
void balance_post(struct balance *b, const struct match_str *prefixes, size_t n,
    struct match_str division, long long headcount);
size_t balance_rows(struct balance *b, struct balance_row **rows);
void balance_free(struct balance *b);

#endif
