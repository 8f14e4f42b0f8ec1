/*
 * fault — failure injection for the test suite, compiled in only when
 * the build sets CJ_FAULTS (cmake -DCJ_FAULTS=ON; scripts/test.sh does so
 * for its ASan build, never for a release build).  Without it every
 * fault_hit is the constant 0 and no environment variable changes what
 * the daemon does.
 *
 * store_open arms it from the environment variable CHANJIAOD_FAULTS, a
 * comma-separated list of rules `OP:N[+][:ERROR]`: the Nth call of OP
 * counted from the end of store_open fails with ERROR (with `+`, the Nth
 * and every later one).  OPs and their default ERROR:
 *
 *   put     MAP_FULL  each record or reference-index write (mdb_put,
 *                     mdb_del) of a put or del
 *   commit  ENOSPC    each durable mdb_txn_commit of writes: the writer's
 *                     group (or a write's own, when no group could begin)
 *   file    EIO       each file step of admin.backup: the copy, its
 *                     fsync, the rename into place, the folder's fsync
 *   verify  SIGBUS    admin.verify's child process: it raises ERROR
 *                     (SIGBUS or SIGSEGV) before it walks the store
 *
 * ERROR is MAP_FULL, ENOSPC, EIO, SIGBUS or SIGSEGV.  Counters are
 * atomic: writer and workers may hit them at once.
 */
#ifndef CJ_FAULT_H
#define CJ_FAULT_H

#include <stddef.h>

enum fault_op { FAULT_PUT, FAULT_COMMIT, FAULT_FILE, FAULT_VERIFY, FAULT_NOPS };

#ifdef CJ_FAULTS
/* Parse and arm spec (NULL or empty: nothing armed).  0, or -1 with err. */
int fault_arm(const char *spec, char *err, size_t errlen);
/* 0, or the error (an LMDB code, an errno or a signal number for
 * FAULT_VERIFY) this call of op is to fail with. */
int fault_hit(enum fault_op op);
/* The armed spec, or NULL when nothing is armed. */
const char *fault_armed(void);
#else
static inline int fault_hit(enum fault_op op)
{
	(void)op;
	return 0;
}
#endif

#endif
