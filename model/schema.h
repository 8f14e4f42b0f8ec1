/*
 * schema — the seven record kinds of docs/protocol.md "Records" and the checks
 * every value from the wire passes before it is used or stored.
 *
 * Every check takes the path of the value (relative to the params map, as
 * docs/protocol.md spells it: "records[3].cohorts.2026") and on failure fills a
 * proto_err with -32602 and that path.  None of them allocates.
 */
#ifndef CJ_SCHEMA_H
#define CJ_SCHEMA_H

#include <msgpack.h>

#include "proto.h"

enum schema_kind {
	SCHEMA_SCHOOL, SCHEMA_SPECIALTY, SCHEMA_ENTERPRISE, SCHEMA_POSTING,
	SCHEMA_FAIR, SCHEMA_PROGRAM, SCHEMA_STUDENT, SCHEMA_NKINDS
};

/* "school" ... and the plural used by system.info ("schools" ...). */
extern const char *const schema_kind_name[SCHEMA_NKINDS];
extern const char *const schema_kind_plural[SCHEMA_NKINDS];

/* School levels in their order: secondary < technician < higher < bachelor. */
enum schema_level {
	SCHEMA_LEVEL_NONE = -1,
	SCHEMA_SECONDARY, SCHEMA_TECHNICIAN, SCHEMA_HIGHER, SCHEMA_BACHELOR
};
#define SCHEMA_NLEVELS 4
extern const char *const schema_level_name[SCHEMA_NLEVELS + 1];  /* NULL-ended */

/* Posting kinds in their documented order (indexes summarise postings
 * by this index). */
#define SCHEMA_NPKINDS 4
extern const char *const schema_posting_kind[SCHEMA_NPKINDS + 1];  /* NULL-ended */

/* What a record field holds: its check, and how a CSV cell is typed. */
enum schema_ftype {
	SCHEMA_F_ID, SCHEMA_F_NAME, SCHEMA_F_LEVEL, SCHEMA_F_PKIND,
	SCHEMA_F_REGION, SCHEMA_F_MAJOR, SCHEMA_F_INDUSTRY, SCHEMA_F_COUNT,
	SCHEMA_F_POS, SCHEMA_F_YEAR, SCHEMA_F_DATE, SCHEMA_F_DATETIME,
	SCHEMA_F_TAGS, SCHEMA_F_PREFIXES, SCHEMA_F_IDS, SCHEMA_F_COHORTS,
	SCHEMA_F_SALARY, SCHEMA_F_GRADE, SCHEMA_F_DIRECTIONS, SCHEMA_F_SESSIONS,
	SCHEMA_F_REQUESTS,
};

struct schema_field {
	const char *name;
	enum schema_ftype type;
	int required;
};

/*
 * The fields of each kind, in their documented order, ended by a NULL
 * name; and those of a fair's directions and sessions.  The one list of
 * record fields: the CSV columns are derived from it.
 */
extern const struct schema_field *const schema_fields[SCHEMA_NKINDS];
extern const struct schema_field schema_direction_fields[];
extern const struct schema_field schema_session_fields[];

#define SCHEMA_ID_MAX 64
#define SCHEMA_NAME_MAX 512
#define SCHEMA_TAGS_MAX 200       /* tag and prefix arrays */
#define SCHEMA_IDS_MAX 10000      /* id arrays: a fair's schools, prefs */
#define SCHEMA_PARTS_MAX 1000     /* a fair's directions and sessions */
#define SCHEMA_COUNT_MAX 1000000000LL

/* Paths are built in buffers of this size; longer ones are cut. */
#define SCHEMA_PATH_MAX 320

/* The value of key in a map object, or NULL (also when m is not a map). */
const msgpack_object *schema_get(const msgpack_object *m, const char *key);
/* schema_get, but NULL for nil too (nil means absent); m may be NULL. */
const msgpack_object *schema_opt(const msgpack_object *m, const char *key);

/* Copy a str object into a NUL-terminated buffer of size cap (cut). */
void schema_strcpy(char *dst, size_t cap, const msgpack_object *o);
/* The same into buf, returning buf: "" when o is NULL or not a str. */
const char *schema_str(const msgpack_object *o, char *buf, size_t cap);
/* A number object as a double (NaN when NULL or not a number). */
double schema_num(const msgpack_object *o);
/* An array's items; *n = 0 and NULL when o is NULL or not an array. */
const msgpack_object *schema_arr(const msgpack_object *o, uint32_t *n);

/*
 * Check a whole record of kind k: known keys only, each once, required
 * keys present, every value of its type and range, and the within-record
 * rules (a fair's session directions name its directions, a posting's
 * start is not after its until ...).  nil for an optional key means absent.
 * Checks needing the store (references, a specialty's level) are store's.
 */
int schema_check(enum schema_kind k, const msgpack_object *rec,
    const char *path, struct proto_err *e);

/*
 * Pack a checked record as stored: the same map without nil-valued keys.
 */
void schema_pack(msgpack_packer *pk, const msgpack_object *rec);

/* Single-value checks, for method parameters. */
int schema_check_id(const msgpack_object *o, const char *path,
    struct proto_err *e);
/* An integer in [lo, hi]; *v gets it. */
int schema_check_int(const msgpack_object *o, long long lo, long long hi,
    const char *path, struct proto_err *e, long long *v);
/* A UTF-8 string of 1..max bytes. */
int schema_check_str(const msgpack_object *o, size_t max, const char *path,
    struct proto_err *e);

/* The level named by a str object, or SCHEMA_LEVEL_NONE. */
enum schema_level schema_level_of(const msgpack_object *o);

/*
 * Whether a well-formed major code (or prefix) belongs to a school level:
 * 6/7 secondary and technician, 4/5 higher, 2/3 bachelor.
 */
int schema_major_fits_level(const char *code, enum schema_level lv);

/* path = base + "." + key (or key alone when base is empty). */
void schema_path_key(char *out, const char *base, const char *key, size_t keylen);
/* path = base + key + "[i]" (key may be empty: "records" + "[3]"). */
void schema_path_index(char *out, const char *base, size_t i);

/*
 * list filters (docs/protocol.md <kind>.list): check the filter map f for kind
 * k (path "filter"): every key a field of k that can be filtered, every
 * value of the field's type; then test a stored record against it.
 * Equality for scalars, prefix for region and major_code, containment for
 * arrays; map-valued fields cannot be filtered.
 */
int schema_filter_check(enum schema_kind k, const msgpack_object *f,
    struct proto_err *e);
int schema_filter_match(const msgpack_object *rec, const msgpack_object *f);

/* The ad-hoc query of match.candidates: {majors, skills?, region?, level?,
 * headcount?, chains?}. */
int schema_check_query(const msgpack_object *q, const char *path,
    struct proto_err *e);
/* A region prefix parameter: 2, 4 or 6 digits. */
int schema_check_region_prefix(const msgpack_object *o, const char *path,
    struct proto_err *e);
/* A posting kind's index (job 0 ... order_class 3), -1 if not one
 * (o may be NULL). */
int schema_kind_of_posting(const msgpack_object *o);
/* The same, or -1 with e saying which kinds there are. */
int schema_check_posting_kind(const msgpack_object *o, const char *path,
    struct proto_err *e);
/* The index of o in names (NULL-ended), or -1 with e listing them. */
int schema_check_enum(const msgpack_object *o, const char *const *names,
    const char *path, struct proto_err *e);

/*
 * The year of a checked date or cohort key ("2026-05-20", "2026"), and
 * with month not NULL its month; -1 when o is not a str of that shape.
 */
int schema_year(const msgpack_object *o, int *month);

#endif
