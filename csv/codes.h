/*
 * codes — the shipped code tables, compiled in: the GB/T 2260 regions of
 * data/regions_provinces.csv, regions_cities.csv and regions_counties.csv
 * (NBS 2023, equal to GB/T 2260 at these levels), the GB/T 4754-2017
 * industries of data/industry_gbt4754_2017.csv and the 2021 vocational
 * major catalog of data/major_catalog_2021.csv (model's copy).  An import
 * checks every well-formed region and major code against them: a code
 * they lack is still accepted (catalogs grow) but reported, with the
 * nearest code that is there.  The client shows names from them.
 *
 * "Nearest" is defined here, and docs/csv.md repeats it:
 *   region  a 6-digit code: the county-level code of the same city (first
 *           4 digits) whose number is closest, ties to the smaller; when
 *           the city has none, the same within the province (first 2
 *           digits); else none.
 *   major   a 6-digit code (K or not): the major of the same class (first
 *           4 digits) whose 6 digits are closest, ties to the smaller (a
 *           code that lacks only its K finds its K code, at distance 0);
 *           when the class has none, the same within the group (first 2
 *           digits).  A 4-digit class: the closest class of the group.  A
 *           2-digit group: none.
 *
 * The tables load on first use (thread-safe) and live as long as the
 * process, as does every string returned.
 */
#ifndef CJ_CODES_H
#define CJ_CODES_H

#include <stddef.h>

struct codes_hit {
	char code[8];        /* "330702", "460103", "520101K" */
	const char *name;    /* "婺城区", "数控技术" */
	const char *where;   /* region: the province and city it lies in
	                      * ("浙江省金华市", "" for a province); major or
	                      * class or group: its level ("高职专科") */
};

/*
 * A 6-digit region code the table has: a county-level code ("330702"), a
 * city as XXYY00 ("330700" 金华市) or a province as XX0000 ("330000").
 * 1 with *h, or 0.
 */
int codes_region(const char *code, struct codes_hit *h);
/* The nearest county-level code to a 6-digit code (see above): 1 or 0. */
int codes_region_near(const char *code, struct codes_hit *h);
/*
 * The regions whose name is exactly name (counties, cities and provinces:
 * "婺城区", "金华市"): up to max in h, in code order; returns how many
 * there are.
 */
size_t codes_region_named(const char *name, struct codes_hit *h, size_t max);

/*
 * How a table shows a region by its code as records write it (n bytes):
 * "33" 浙江省, "3307" 金华市 (a city named only for how it is governed,
 * 市辖区 or 县, by its province's name), "330702" 金华市婺城区 (a
 * county-level region after its city's).  NULL when the table lacks it.
 */
const char *codes_region_label(const char *code, size_t n);

/*
 * The name of a GB/T 4754-2017 industry code as records write it (n
 * bytes): "C" 制造业, "C36" 汽车制造业, "C3612"; NULL when the table
 * (data/industry_gbt4754_2017.csv) lacks it.
 */
const char *codes_industry(const char *code, size_t n);

/*
 * A major code or prefix the 2021 catalog has: a 2-digit group, a 4-digit
 * class, a 6-digit major with its K when it has one (n bytes of code).
 * 1 with *h, or 0.
 */
int codes_major(const char *code, size_t n, struct codes_hit *h);
/* The nearest code of the catalog to a well-formed one (see above). */
int codes_major_near(const char *code, size_t n, struct codes_hit *h);
/* The majors, classes and groups named exactly name, as codes_region_named. */
size_t codes_major_named(const char *name, struct codes_hit *h, size_t max);

#endif
