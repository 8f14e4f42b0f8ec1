/*
 * query — the searches over the match indexes of index.h: the ranked
 * candidates for a posting, the openings for a specialty, and the scan
 * that feeds stats.balance.  Each runs in the caller's read transaction.
 */
#ifndef CJ_QUERY_H
#define CJ_QUERY_H

#include <lmdb.h>

#include "balance.h"
#include "match.h"

struct index_dbs;

/*
 * One ranked result: the index entry it came from (key and value point
 * into the read transaction's memory and die with it), its score, factors
 * and the available graduates used for capacity.
 */
struct query_hit {
	double score;
	struct match_why why;
	MDB_val key, val;         /* a specialty's key: code NUL …, either
				     ix.spec.major's or ix.spec.code's */
	struct match_str id;      /* specialty or posting id, inside key */
	long long available;
};

/* The best k hits, best first after query_top_sort. */
struct query_top {
	struct query_hit *v;
	size_t n, k;
};
void query_top_init(struct query_top *t, size_t k);
void query_top_free(struct query_top *t);
void query_top_sort(struct query_top *t);

/* Filters common to both queries; n = 0 / -1 when absent. */
struct query_filter {
	struct match_str region_prefix;
	long long min_available;  /* candidates only */
	int kind;                 /* openings only: schema_posting_kind index, -1 any */
	int grad_year;
};

/* Free what query_candidates keeps per thread (before the thread ends). */
void query_thread_end(void);
/*
 * Specialties for a posting (or query): every specialty in the field
 * groups of the posting's prefixes (all, when it accepts any major) is
 * scored; *considered counts those that passed the filters.
 */
int query_candidates(MDB_txn *txn, const struct index_dbs *ix,
    const struct match_weights *w, const struct match_post *post,
    const struct query_filter *f, struct query_top *top,
    unsigned long long *considered);

/* Postings for a specialty: each posting counted once, at its best prefix. */
int query_openings(MDB_txn *txn, const struct index_dbs *ix,
    const struct match_weights *w, const struct match_spec *spec,
    const struct query_filter *f, struct query_top *top,
    unsigned long long *considered);

/*
 * Limit a report to a fair's schools and enterprises: sorted id sets
 * (query_scope_sort sorts an array in place).
 */
struct query_scope {
	struct match_str *schools, *enterprises;
	size_t nschools, nenterprises;
};
int query_scope_sort(struct match_str *ids, size_t n);

/*
 * Feed b every specialty (by its school's region) and every posting (by
 * its effective region, once) passing f's region_prefix and, when sc is
 * not NULL, the scope; available is the cohort of f->grad_year.  Reads
 * both match indexes whole.
 */
int query_balance(MDB_txn *txn, const struct index_dbs *ix, struct balance *b,
    const struct query_filter *f, const struct query_scope *sc);

#endif
