/*
 * match — the scoring model of DESIGN.md: six factors in [0, 1], weighted
 * by the [match] config section, a major factor of 0 excluding the pair
 * unless the posting accepts any major.
 *
 * These functions are pure: they see a specialty and a posting only
 * through the small views below, which the store's match summaries (and
 * the tests' brute force) fill in.  Strings are NOT NUL-terminated.
 */
#ifndef CJ_MATCH_H
#define CJ_MATCH_H

#include <stddef.h>
#include <stdint.h>

struct match_weights {
	double major, skills, region, level, capacity, chain;
};

struct match_str {
	const char *p;
	size_t n;
};

/*
 * Skills and chains are compared as tag ids (index_tag interns the
 * strings); 0 is a tag no record has and equals nothing.
 */
typedef uint32_t match_tag;

/* A specialty: its code, its school's region and level, what it offers. */
struct match_spec {
	struct match_str code;       /* "660103" or "520101K" */
	struct match_str region;     /* the school's, 6 digits */
	int level;                   /* the school's, enum schema_level */
	long long available;         /* cohort of the request's grad year */
	const match_tag *skills, *chains;
	size_t nskills, nchains;
};

/*
 * A posting (or ad-hoc query).  Absent parts: nprefixes 0 = any major;
 * level -1 = none; region.n 0 = none (scores 1); headcount -1 = none
 * (capacity 1); chains are the enterprise's (or the query's).
 */
struct match_post {
	const struct match_str *prefixes;
	const match_tag *skills, *chains;
	size_t nprefixes, nskills, nchains;
	int level;
	struct match_str region;
	long long headcount;
};

struct match_why {
	double major, skills, region, level, capacity, chain;
};

/* The major factor of code against one prefix (DESIGN.md, exact rule). */
double match_major_one(struct match_str code, struct match_str prefix);
/* The best over the posting's prefixes; 1 when it has none. */
double match_major(struct match_str code, const struct match_str *prefixes,
    size_t n);

/*
 * Score a pair: fills why and returns Σ wᵢ·fᵢ rounded to 1e-9 (scores are
 * compared after that rounding), or -1 when the major factor is 0.
 */
double match_score(const struct match_weights *w, const struct match_post *p,
    const struct match_spec *s, struct match_why *why);

/* A tag's bit in a 64-bit set of tags (a one-hash Bloom filter). */
uint64_t match_tag_bit(match_tag tag);

/*
 * Bit sets of a posting's skills (one per skill, in order) and chains,
 * and of a specialty's, for bounding without reading the tags.
 */
struct match_bits {
	const uint64_t *skill;       /* posting: [nskills] */
	uint64_t skills, chains;     /* posting: chains; specialty: both */
};

/*
 * The most s can score against p with the given major factor, knowing
 * of s's skills and chains only their bit sets: a posting skill whose bit
 * s lacks is surely missing, a chain set disjoint from s's surely shares
 * nothing.  For dropping a candidate before decoding its tags.  region
 * is the region factor when the caller knows it (a search reading one
 * region ring), else negative.
 */
double match_bound(const struct match_weights *w, const struct match_post *p,
    const struct match_bits *pb, const struct match_spec *s,
    const struct match_bits *sb, double major, double region);

/* field(): a code's group moved to the higher-vocational numbering. */
int match_field_group(const char *code);

/*
 * The default graduation year for a date (DESIGN.md): the date's year if
 * on or before 31 August, else the next.  month is 1..12.
 */
int match_grad_year(int year, int month);


/* ---- Queries over the LMDB match indexes (query.c) ---- */
#include <lmdb.h>

struct index_dbs;

/*
 * One ranked result: the index entry it came from (key and value point
 * into the read transaction's memory and die with it), its score, factors
 * and the available graduates used for capacity.
 */
struct match_hit {
	double score;
	struct match_why why;
	MDB_val key, val;         /* a specialty's key: code NUL …, either
				     ix.spec.major's or ix.spec.code's */
	struct match_str id;      /* specialty or posting id, inside key */
	long long available;
};

/* The best k hits, best first after match_top_sort. */
struct match_top {
	struct match_hit *v;
	size_t n, k;
};
void match_top_init(struct match_top *t, size_t k);
void match_top_free(struct match_top *t);
void match_top_sort(struct match_top *t);

/* Filters common to both queries; n = 0 / -1 when absent. */
struct match_filter {
	struct match_str region_prefix;
	long long min_available;  /* candidates only */
	int kind;                 /* openings only: index_kinds index, -1 any */
	int grad_year;
};

/* Free what match_candidates keeps per thread (before the thread ends). */
void match_thread_end(void);
/*
 * Specialties for a posting (or query): every specialty in the field
 * groups of the posting's prefixes (all, when it accepts any major) is
 * scored; *considered counts those that passed the filters.
 */
int match_candidates(MDB_txn *txn, const struct index_dbs *ix,
    const struct match_weights *w, const struct match_post *post,
    const struct match_filter *f, struct match_top *top,
    unsigned long long *considered);

/* Postings for a specialty: each posting counted once, at its best prefix. */
int match_openings(MDB_txn *txn, const struct index_dbs *ix,
    const struct match_weights *w, const struct match_spec *spec,
    const struct match_filter *f, struct match_top *top,
    unsigned long long *considered);


/* ---- stats.balance rows (balance.c) ---- */

enum balance_by {
	BALANCE_MAJOR, BALANCE_CLASS, BALANCE_GROUP, BALANCE_INDUSTRY,
	BALANCE_DIRECTION
};

/* A fair's major direction: its id and plain prefixes. */
struct balance_dir {
	struct match_str id;
	const struct match_str *prefixes;
	size_t nprefixes;
};

/*
 * The direction a specialty supplies (DESIGN.md fair.allocate): the first
 * whose prefixes one starts its code, or -1.
 */
int match_direction_of(struct match_str code, const struct balance_dir *dirs,
    size_t n);

struct balance_row {
	struct match_str key;      /* points into the balance */
	unsigned long long supply;
	double demand;
};

/*
 * Feed every specialty in scope (its code and available graduates) and
 * then every posting in scope once (its prefixes, its enterprise's
 * industry division, empty when none, and headcount); balance_rows gives
 * the rows whose supply or demand is not 0, sorted by key (direction rows
 * in the fair's order), in a malloc'd array valid until balance_free.
 * dirs (BALANCE_DIRECTION only) must outlive the balance.
 */
struct balance;
struct balance *balance_new(enum balance_by by, const struct balance_dir *dirs,
    size_t ndirs);
void balance_spec(struct balance *b, struct match_str code, long long available);
void balance_post(struct balance *b, const struct match_str *prefixes, size_t n,
    struct match_str division, long long headcount);
size_t balance_rows(struct balance *b, struct balance_row **rows);
void balance_free(struct balance *b);

/*
 * Limit a report to a fair's schools and enterprises: sorted id sets
 * (match_scope_sort sorts an array in place).
 */
struct match_scope {
	struct match_str *schools, *enterprises;
	size_t nschools, nenterprises;
};
int match_scope_sort(struct match_str *ids, size_t n);

/*
 * Feed b every specialty (by its school's region) and every posting (by
 * its effective region, once) passing f's region_prefix and, when sc is
 * not NULL, the scope; available is the cohort of f->grad_year.  Reads
 * both match indexes whole.
 */
int match_balance(MDB_txn *txn, const struct index_dbs *ix, struct balance *b,
    const struct match_filter *f, const struct match_scope *sc);

/* ---- fair planners (fair.c) ---- */

/*
 * A fair as the planners see it.  specs: the fair schools' specialties,
 * `available` set for the grad year; posts: the fair's postings (of the
 * asked kinds), ids ascending.
 */
struct fair_in {
	const struct match_weights *w;
	double min_score;
	const struct balance_dir *dirs;
	size_t ndirs;
	const struct match_spec *specs;
	size_t nspecs;
	const struct match_post *posts;
	size_t nposts;
};

/* An eligible (posting, direction) pair and its best specialty's score. */
struct fair_arc {
	size_t post, dir;
	double score;
};

struct fair_plan {
	struct fair_arc *arcs;             /* by posting, then direction order */
	size_t narcs;
	unsigned long long *supply;        /* [ndirs] available graduates */
	unsigned long long *demand;        /* [ndirs] Σ headcount with an arc */
	long long *flow;                   /* [narcs] allocated (fair_allocate) */
	long long placed;
	double objective, solve_ms;
};

/* Supplies, demands and arcs (fair.allocate's Definitions). */
void fair_arcs(const struct fair_in *in, struct fair_plan *out);
/*
 * fair_arcs, then the allocation placing the most graduates and, among
 * those, with the largest Σ count × score (exact).  -1 if the solver fails.
 */
int fair_allocate(const struct fair_in *in, struct fair_plan *out);
void fair_plan_free(struct fair_plan *p);

struct fair_session {
	struct match_str id;
	long long booths;
	const int *dirs;                   /* featured direction indexes */
	size_t ndirs;                      /* 0: all */
};

struct fair_ent {
	struct match_str id;
	long long wants;                   /* booth-sessions (requests, or 1) */
	struct match_str first_chain;      /* smallest chain tag; n 0 = none */
	const size_t *posts;               /* its postings: indexes into posts */
	size_t nposts;
};

struct fair_slot {
	size_t ent, session;
	const struct fair_ent *ep;
	int booth;
	double relevance;
};

/*
 * fair.schedule (DESIGN.md): slots for the most enterprises, then the
 * most wanted slots, then the most relevance, from arcs = fair_arcs at
 * min_score 0.  *slots (malloc'd) come by session, then booth; score =
 * Σ relevance.  -1 if the solver fails.
 */
int fair_schedule(const struct fair_in *in, const struct fair_plan *arcs,
    const struct fair_ent *ents, size_t nents, const struct fair_session *ss,
    size_t nss, struct fair_slot **slots, size_t *nslots, double *score);

#endif
