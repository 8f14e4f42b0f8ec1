/*
 * match — the scoring model of docs/matching.md: six factors in [0, 1], weighted
 * by the [match] config section, a major factor of 0 excluding the pair.
 *
 * These functions are pure: they see a specialty and a posting only
 * through the small views below, which the store's match summaries (and
 * the tests' brute force) fill in.  Strings are NOT NUL-terminated.
 */
#ifndef CJ_MATCH_H
#define CJ_MATCH_H

#include <stddef.h>
#include <stdint.h>

/*
 * The six factors, in the order of `why` maps, the [match] section and
 * the clients' tables.  Adding one means: a name here and in
 * match_factor_name, a field in match_weights and match_why, its rule in
 * match_score and match_bound, its default in config.c and
 * config/chanjiao.conf, and docs/matching.md.
 */
enum match_factor {
	MATCH_MAJOR, MATCH_SKILLS, MATCH_REGION, MATCH_LEVEL, MATCH_CAPACITY,
	MATCH_CHAIN, MATCH_NFACTORS
};
extern const char *const match_factor_name[MATCH_NFACTORS];

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

/* Factor i of a why, and weight i of a set of weights. */
double match_why_at(const struct match_why *w, enum match_factor i);
double *match_weight_at(struct match_weights *w, enum match_factor i);

/*
 * The major factor of a posting that names no major: it says nothing of
 * fit, so it ranks below the specialty's own class (0.6) and above its
 * group only (0.3).
 */
#define MATCH_ANY_MAJOR 0.5

/* The major factor of code against one prefix (docs/matching.md). */
double match_major_one(struct match_str code, struct match_str prefix);
/* The best over the posting's prefixes; MATCH_ANY_MAJOR when it has none. */
double match_major(struct match_str code, const struct match_str *prefixes,
    size_t n);

/*
 * Score a pair: fills why and returns Σ wᵢ·fᵢ rounded to 1e-9 (scores are
 * compared after that rounding), or -1 when the major factor is 0.
 */
double match_score(const struct match_weights *w, const struct match_post *p,
    const struct match_spec *s, struct match_why *why);

/*
 * match_score with the major factor given (match_major of s's code and
 * p's prefixes): for a caller scoring many specialties of one code
 * against the same postings, which computes it once per code.
 */
double match_score_major(const struct match_weights *w,
    const struct match_post *p, const struct match_spec *s, double major,
    struct match_why *why);

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
/* match_score rounds and match_bound does not: the bound may fall short of
 * the score by less than this, so prune only when bound + MATCH_EPS is
 * below what must be beaten. */
#define MATCH_EPS 1e-9

/* field(): a code's group moved to the higher-vocational numbering. */
int match_field_group(const char *code);

/*
 * The default graduation year for a date (docs/matching.md): the date's year if
 * on or before 31 August, else the next.  month is 1..12.
 */
int match_grad_year(int year, int month);

/* A fair's major direction: its id and plain prefixes. */
struct match_dir {
	struct match_str id;
	const struct match_str *prefixes;
	size_t nprefixes;
};

/*
 * The direction a specialty supplies (docs/matching.md, fair.allocate):
 * the first whose prefixes one starts its code, or -1.
 */
int match_direction_of(struct match_str code, const struct match_dir *dirs,
    size_t n);


#endif
