/*
 * catalog — the 2021 vocational major catalog (data/major_catalog_2021.csv,
 * compiled into the binary): names for groups (2 digits), classes (4) and
 * majors (6, with K when controlled), so the daemon can tell a catalog code
 * from an unknown but well-formed one and show names.
 */
#ifndef CJ_CATALOG_H
#define CJ_CATALOG_H

#include <stddef.h>

/* Parse the embedded table; call once before the lookups.  0 or -1. */
int catalog_load(void);

/*
 * The name of code (a group, class or major code; n bytes), or NULL when
 * the catalog lacks it.  The string lives as long as the process.
 */
const char *catalog_name(const char *code, size_t n);

/* Number of majors in the table. */
size_t catalog_majors(void);

#endif
