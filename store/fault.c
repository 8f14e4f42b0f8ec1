/* fault — failure injection for tests; see fault.h. */
#include "fault.h"

#ifdef CJ_FAULTS

#include <errno.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULES_MAX 8

static struct rule {
	enum fault_op op;
	unsigned long long n;
	int from_on;        /* N+: the Nth and every later call */
	int error;
} rules[RULES_MAX];
static size_t nrules;
static unsigned long long calls[FAULT_NOPS];   /* atomic */
static char armed[256];

static const char *const op_name[FAULT_NOPS] = { "put", "commit", "file",
	"verify" };

static const struct { const char *name; int code; } errors[] = {
	{ "MAP_FULL", MDB_MAP_FULL }, { "ENOSPC", ENOSPC }, { "EIO", EIO },
	{ "SIGBUS", SIGBUS }, { "SIGSEGV", SIGSEGV },
};

int fault_arm(const char *spec, char *err, size_t errlen)
{
	char buf[256], *save = NULL;

	nrules = 0;
	armed[0] = 0;
	if (!spec || !*spec)
		return 0;
	if (strlen(spec) >= sizeof buf) {
		snprintf(err, errlen, "CHANJIAOD_FAULTS is too long");
		return -1;
	}
	strcpy(buf, spec);
	for (char *r = strtok_r(buf, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
		struct rule ru = { 0 };
		char *op = r, *n = strchr(r, ':'), *e, *end;
		int i;

		if (nrules == RULES_MAX || !n)
			goto bad;
		*n++ = 0;
		if ((e = strchr(n, ':')))
			*e++ = 0;
		for (i = 0; i < FAULT_NOPS && strcmp(op, op_name[i]); i++)
			;
		if (i == FAULT_NOPS)
			goto bad;
		ru.op = (enum fault_op)i;
		errno = 0;
		ru.n = strtoull(n, &end, 10);
		if (errno || end == n || ru.n == 0 || (*end && strcmp(end, "+")))
			goto bad;
		ru.from_on = *end == '+';
		ru.error = ru.op == FAULT_PUT ? MDB_MAP_FULL : ru.op == FAULT_COMMIT ?
		    ENOSPC : ru.op == FAULT_FILE ? EIO : SIGBUS;
		if (e) {
			size_t j;
			for (j = 0; j < sizeof errors / sizeof errors[0] &&
			    strcmp(e, errors[j].name); j++)
				;
			if (j == sizeof errors / sizeof errors[0])
				goto bad;
			ru.error = errors[j].code;
		}
		rules[nrules++] = ru;
		continue;
bad:
		nrules = 0;
		snprintf(err, errlen, "CHANJIAOD_FAULTS: bad rule in %s (OP:N[+][:ERROR], "
		    "OP put, commit, file or verify)", spec);
		return -1;
	}
	for (size_t i = 0; i < FAULT_NOPS; i++)
		__atomic_store_n(&calls[i], 0, __ATOMIC_SEQ_CST);
	snprintf(armed, sizeof armed, "%s", spec);
	return 0;
}

int fault_hit(enum fault_op op)
{
	unsigned long long n;

	if (!nrules)
		return 0;
	n = __atomic_add_fetch(&calls[op], 1, __ATOMIC_SEQ_CST);
	for (size_t i = 0; i < nrules; i++)
		if (rules[i].op == op &&
		    (n == rules[i].n || (rules[i].from_on && n > rules[i].n)))
			return rules[i].error;
	return 0;
}

const char *fault_armed(void)
{
	return nrules ? armed : NULL;
}

#else
typedef int fault_empty;   /* ISO C wants a translation unit to declare something */
#endif
