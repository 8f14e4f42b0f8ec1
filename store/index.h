/*
 * index — the match indexes, kept by store in the same write transaction
 * as the records, so they never disagree with them:
 *
 *   ix.spec.major   major_code NUL region6 specialty_id → specialty
 *                   summary (region6: its school's), so a code's
 *                   specialties near a place are one range
 *   ix.spec.code    major_code NUL specialty_id → the same summary: a
 *                   code's specialties in id order, for the far ring,
 *                   whose ties go to the smallest ids
 *   ix.spec.chain   bit ‖ ix.spec.major key → the same summary, once for
 *                   each bit of the specialty's chains mask (a byte 0-63,
 *                   match_tag_bit's), so the specialties of a code that
 *                   may share a posting's chain are ranges of their own
 *   ix.spec.region  sel ‖ region6 ‖ ix.spec.major key → the same
 *                   summary, under sel INDEX_SEL_ALL for every specialty
 *                   and under each chain bit as above: a place's
 *                   specialties of every code are one range
 *   ix.tags         tag → its id (see index_tag): summaries hold skills
 *                   and chains as 4-byte ids
 *   ix.spec.groups  GG region → number of specialties (uint64) whose
 *                   code's 2-digit group is GG and whose school's region
 *                   starts with region (2, 4 or 6 digits); GG alone →
 *                   the group's total; "**" in place of GG counts every
 *                   group.
 *                   So `considered` is known without a scan.
 *   ix.post.prefix  prefix NUL posting_id → posting summary, one entry per
 *                   accepted prefix, prefix "*" for any major (the
 *                   summary copies the enterprise's region, chains and
 *                   industry division)
 *   ix.post.groups  FG, FG kind, FG kind region6 → number of postings
 *                   (uint64) with a prefix in field group FG ("**": any
 *                   major), counted once per group; kind is one digit
 *                   (schema_posting_kind), region the effective one.
 *
 * "Everything under 4601" is one range scan, and a summary carries what
 * scoring needs (the school's region and level, cohorts, skills, chains;
 * a posting's effective region and its enterprise's chains), so a
 * candidate is scored without reading its record.  A school or
 * enterprise update rewrites the summaries that copy from it.
 *
 * Summaries are a small binary format (version byte first) decoded in
 * place: the views point into the value and live as long as it does.
 */
#ifndef CJ_INDEX_H
#define CJ_INDEX_H

#include <lmdb.h>
#include <msgpack.h>

#include "match.h"

#define INDEX_TAGS_MAX 200
#define INDEX_GROUP_KEY 8            /* GG region6 */
#define INDEX_GKEY_MAX 9             /* the longest count key */
#define INDEX_SEL_ALL 0xff           /* ix.spec.region: every specialty */

struct index_dbs {
	MDB_dbi spec_major, spec_code, spec_chain, spec_region, spec_groups, tags;
	MDB_dbi post_prefix, post_groups, meta;
	struct index_tally *tally;         /* count changes not yet written */
};

/* A decoded specialty summary (key parts included). */
struct index_spec {
	struct match_str id, school_id, code, region;
	int level;
	const unsigned char *cohorts;      /* ncohorts × (u16 year, u32 n) */
	size_t ncohorts;
	uint64_t skills_mask, chains_mask; /* match_tag_bit of each tag */
	const unsigned char *tags, *end;   /* skills and chains, undecoded */
	match_tag skills[INDEX_TAGS_MAX], chains[INDEX_TAGS_MAX];
	size_t nskills, nchains;
};

struct index_post {
	struct match_str id, enterprise_id, region;
	struct match_str division;         /* enterprise's GB/T 4754 division */
	int kind, level;                   /* level -1: none */
	long long headcount;
	struct match_str prefixes[INDEX_TAGS_MAX];
	match_tag skills[INDEX_TAGS_MAX], chains[INDEX_TAGS_MAX];
	size_t nprefixes, nskills, nchains;
};

/*
 * Open the index databases.  When they were written by another summary
 * version (or never), they are emptied and *stale set: the caller
 * re-indexes every specialty and posting, then index_mark_current.  Until
 * that is committed they stay stale, so an interrupted rebuild restarts.
 */
int index_open(MDB_txn *txn, struct index_dbs *d, int *stale);
void index_close(struct index_dbs *d);

/*
 * index_specialty and index_posting keep the count indexes through a
 * tally: a write transaction calls index_flush before it commits (it
 * writes the counts and empties the tally), or index_discard when it
 * aborts.  One writer at a time, like LMDB's.
 */
int index_flush(MDB_txn *txn, const struct index_dbs *d);
void index_discard(const struct index_dbs *d);
int index_mark_current(MDB_txn *txn, const struct index_dbs *d);

/*
 * Keep the indexes of one record: old is the stored record (NULL when
 * new), rec the new one (NULL on delete).  `parent` is the specialty's
 * school or the posting's enterprise (needed with rec).  MDB errors pass
 * through.
 */
int index_specialty(MDB_txn *txn, const struct index_dbs *d,
    const msgpack_object *old, const msgpack_object *rec,
    const msgpack_object *school);
int index_posting(MDB_txn *txn, const struct index_dbs *d,
    const msgpack_object *old, const msgpack_object *rec,
    const msgpack_object *enterprise);

/*
 * The id of a tag (a skill or chain string).  add: a writer's transaction
 * gives a new tag the next id; else an unknown tag is 0, which equals no
 * tag.  MDB errors pass through.
 */
int index_tag(MDB_txn *txn, const struct index_dbs *d, const char *tag,
    size_t n, int add, match_tag *id);

/*
 * Decode an index entry; -1 when malformed.  A specialty decodes in two
 * steps when the search may drop it on what comes first: _head (all but
 * skills and chains), then _tags.
 */
int index_spec_decode(const MDB_val *key, const MDB_val *val, struct index_spec *s);
int index_spec_decode_head(const MDB_val *key, const MDB_val *val,
    struct index_spec *s);
/* _head with key NULL leaves code and id to this (a search drops most
 * entries on the value alone): region_len 6 for an ix.spec.major key,
 * 0 for an ix.spec.code key. */
int index_spec_decode_key(const MDB_val *key, size_t region_len,
    struct index_spec *s);
int index_spec_decode_tags(struct index_spec *s);
int index_post_decode(const MDB_val *key, const MDB_val *val, struct index_post *p);

/*
 * A specialty's ix.spec.major entry by code and id (through
 * ix.spec.code); k and v point into the map.  MDB_NOTFOUND when it has
 * none.
 */
int index_spec_find(MDB_txn *txn, const struct index_dbs *d,
    struct match_str code, struct match_str id, MDB_val *k, MDB_val *v);

/* The cohort of year in a decoded specialty (0 when absent). */
long long index_spec_cohort(const struct index_spec *s, int year);

/*
 * The scoring views of a decoded summary (available: its cohort of
 * year); they point into s or p and live as long as it does.
 */
void index_spec_view(const struct index_spec *s, int year, struct match_spec *v);
void index_post_view(const struct index_post *p, struct match_post *v);

/*
 * admin.verify.  The first two rebuild a record's entries and compare
 * them byte for byte, setting *bad to the number of entries missing or
 * different; they return 0 or an MDB error.  index_verify_totals checks
 * the entry counts (nspec specialties; npost = Σ over postings of max(1,
 * prefixes)) and recounts ix.spec.groups, calling problem once per
 * disagreement.
 */
int index_verify_specialty(MDB_txn *txn, const struct index_dbs *d,
    const msgpack_object *rec, const msgpack_object *school, size_t *bad);
int index_verify_posting(MDB_txn *txn, const struct index_dbs *d,
    const msgpack_object *rec, const msgpack_object *ent, size_t *bad);
int index_verify_totals(MDB_txn *txn, const struct index_dbs *d,
    unsigned long long nspec, unsigned long long npost,
    void (*problem)(void *arg, const char *what), void *arg);

#endif
