/*
 * store — the LMDB environment: one named database per record kind, and
 * reference indexes written in the same transaction as the records they
 * index, so they can never disagree with them.
 *
 * A stored record is one version byte (STORE_VERSION) followed by the
 * record as a MessagePack map, as schema_pack() writes it.  Keys are the
 * record ids.  A reference index holds `target_id NUL source_id` → "" for
 * every id a record names (a specialty's school_id, a fair's school_ids
 * ...), which answers "who still names this record?" with one range scan.
 *
 * Writes are acknowledged only after mdb_txn_commit() returns, and the
 * environment is opened without MDB_NOSYNC: committed means on disk.
 */
#ifndef CJ_STORE_H
#define CJ_STORE_H

#include <lmdb.h>
#include <msgpack.h>

#include "proto.h"
#include "schema.h"

struct index_dbs;

#define STORE_VERSION 1

struct store;

/*
 * Open (creating as needed) the environment in directory `dir` with a map
 * of `mapsize` bytes.  On failure returns -1 with a message in err.
 * Refuses, with a message and without touching the map, a data.mdb that
 * is shorter than its own meta page says is in use (a file cut short:
 * reading past its end would fault) and one that is missing or empty
 * beside a lock.mdb (the store that was there is lost; opening would
 * start an empty one).  Built with CJ_FAULTS, arms fault.h from
 * CHANJIAOD_FAULTS last.
 */
int store_open(struct store **sp, const char *dir, size_t mapsize,
    char *err, size_t errlen);
void store_close(struct store *s);
/*
 * How many specialties and postings store_open indexed again because the
 * match indexes were of another format (0 normally).
 */
size_t store_reindexed(const struct store *s);

MDB_env *store_env(struct store *s);

/*
 * A read snapshot (a read-only transaction).  Each thread keeps the last
 * one it ended, reset, and renews it for the next: beginning afresh
 * takes LMDB's reader-table lock every time, which searches contended on.
 * A thread calls store_snapshot_free before it exits, and before
 * store_close.
 */
int store_snapshot(struct store *s, MDB_txn **txn);
void store_snapshot_end(MDB_txn *txn);
void store_snapshot_free(void);
MDB_dbi store_dbi(struct store *s, enum schema_kind k);
/* The match indexes (index.h), for read transactions. */
const struct index_dbs *store_index(struct store *s);

/*
 * Asked inside the write transaction about every record a write would
 * create, replace (both the stored and the new record) or delete; zero
 * refuses the write with 1003.  NULL allows everything.
 */
typedef int (*store_allow_fn)(void *arg, struct store *s, MDB_txn *txn,
    enum schema_kind k, const msgpack_object *rec);

/*
 * Group commit.  Between store_group_begin and store_group_commit every
 * store_put and store_del runs in a transaction nested in one shared
 * transaction: each is still all or nothing, but none is durable — nor
 * may it be acknowledged — before the group commits (one fsync for all).
 * Readers do not see the group's writes until then.  Both return an LMDB
 * error code (0 ok); a failed commit loses the whole group.
 */
int store_group_begin(struct store *s);
int store_group_commit(struct store *s);

/*
 * A unit: several puts and deletes that stand or fall together (an
 * import.csv).  Between store_unit_begin and store_unit_end every
 * store_put and store_del runs in a transaction nested in the unit's, itself
 * nested in the group when one is open; each stays all or nothing, and a
 * failed one leaves the unit as it was, so the caller may go on to find
 * every error.  *txn is the unit's transaction, for reads that must see
 * the unit's writes (valid until store_unit_end).  store_unit_end commits
 * the unit (into the group: durable when the group commits) or, with
 * commit 0, drops everything written in it.  One unit at a time (EBUSY),
 * on the writer thread.  Both return an LMDB error code or errno.
 */
int store_unit_begin(struct store *s, MDB_txn **txn);
int store_unit_end(struct store *s, int commit);

/*
 * Put the n records of array `recs` (each already passed schema_check) of
 * kind k in one write transaction: all or nothing.  `batch` says whether
 * error paths are prefixed "records[i]".  Checks what needs the store:
 * distinct ids within the batch, referenced records exist (1004), a
 * specialty's code fits its school's level (-32602), a school's new level
 * still fits its specialties (1009).
 */
int store_put(struct store *s, enum schema_kind k, const msgpack_object *recs,
    uint32_t n, int batch, store_allow_fn allow, void *arg,
    struct proto_err *e);

/* Delete record id of kind k: 1004 when absent, 1009 while it is named. */
int store_del(struct store *s, enum schema_kind k, const char *id,
    size_t idlen, store_allow_fn allow, void *arg, struct proto_err *e);

/*
 * Read record id of kind k within txn into o (allocated from z); -1 when
 * absent or undecodable.  Valid while txn and z live.
 */
int store_read(struct store *s, MDB_txn *txn, enum schema_kind k,
    const char *id, size_t idlen, msgpack_zone *z, msgpack_object *o);

/*
 * The ids of the records of kind child that name parent `id` through
 * their one parent field (a school's specialties, an enterprise's
 * postings or programs, a specialty's students), in id order, from the
 * reference index (NULL for other kinds): NUL-terminated copies in a malloc'd array (NULL when none);
 * free with store_ids_free.
 */
char **store_children(struct store *s, MDB_txn *txn, enum schema_kind child,
    const msgpack_object *id, size_t *n);
void store_ids_free(char **v, size_t n);

/*
 * Decode a stored value into o, allocating from zone z.  The object may
 * point into v's memory: it is valid while both the zone and the
 * transaction that produced v live.  Returns -1 on an unknown version or
 * bytes that do not decode to a map.
 */
int store_decode(const MDB_val *v, msgpack_zone *z, msgpack_object *o);

/*
 * admin.backup: a consistent, compacted hot copy of the environment
 * (mdb_env_copyfd2, MDB_CP_COMPACT), taken while writes go on, as file
 * `name` inside the folder `dir` (made, with its parents, when missing).
 * name is relative to dir, or absolute and under dir (as spelt, or as
 * realpath spells it); missing sub-folders are made (0750).  Refused
 * with -32602 on `path`: a ".." component, or a symlink that leads out
 * of dir (each folder is opened with openat2 RESOLVE_BENEATH); an
 * existing name, a symlink too, is 1009.  The copy is written to a
 * temporary file beside it, fsynced, renamed into place without
 * replacing anything, and the folder fsynced, so a crash never leaves a
 * partial backup under the name, and an error leaves no file.  path gets
 * the absolute name written (pathcap ≥ PATH_MAX), *bytes its size.
 */
int store_backup(struct store *s, const char *dir, const char *name,
    char *path, size_t pathcap, unsigned long long *bytes,
    struct proto_err *e);

/*
 * The protocol error for an LMDB error or errno rc from a write: 1507
 * for MDB_MAP_FULL and ENOSPC, else -32603.  Returns -1.
 */
int store_fail(struct proto_err *e, int rc);

/* Record counts per kind, from one read snapshot. */
int store_counts(struct store *s, size_t counts[SCHEMA_NKINDS]);

/*
 * Walk the whole store in one read snapshot and check it: every record
 * decodes and passes schema_check, its id is its key, what it names exists
 * and is in the reference index, and every index entry is named by its
 * record.  Problems are described in `problems` (at most `cap` kept, the
 * count in *nproblems); *records and *entries count what was read.
 *
 * The walk runs in a child process that opens the environment afresh,
 * read-only, and first checks data.mdb's length as store_open does: a
 * damaged page that makes it fault kills the child, not the caller, and
 * is reported as one more problem, "the store is damaged: the check died
 * reading <what> (signal N, <name>)".  The calling thread waits for the
 * child (seconds at national scale): call it off the event loop.  -1
 * (errno set) only when no child could be started.
 */
struct store_verify {
	unsigned long long records, entries, nproblems;
	char **problems;   /* owned; free with store_verify_free */
	size_t kept, cap;
};
int store_verify(struct store *s, struct store_verify *v);
void store_verify_free(struct store_verify *v);

#endif
