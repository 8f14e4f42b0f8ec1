/*
 * gen — deterministic scenario generator for chanjiaod benchmarks.
 *
 *   gen --scale city|province|nation [--seed N] [--data DIR] --out FILE
 *       [--queries FILE N] [--batch B] [--sorted]
 *       [--programs N] [--students M] [--shape FILE]
 *
 * Writes FILE: a stream of ready-to-send MessagePack-RPC requests
 *
 *   [0, msgid, "<kind>.put", [{"records": [...]}]]
 *
 * in batches of B (default 1,000) records: every school, then every
 * specialty, enterprise and posting, so each record's references exist
 * before it is sent (a replayer must let one kind finish before the next
 * starts: `loadgen --replay` waits at each change of method).  The msgid is
 * always encoded as 0xce + 4 bytes (uint32), counting from 1.  With
 * --queries, QFILE gets N concatenated params maps {"posting_id": id,
 * "k": 20} for postings drawn uniformly at random (`loadgen --params-list`).
 * With --sorted each kind's records go out in id order (as `chanjiao
 * import` sends a file), not in the order they were drawn.  --programs N
 * and --students M (default 0) add N program.put and then M student.put
 * records after the postings (bench/plans.sh); --shape FILE writes what
 * they came to as one JSON object (also printed to stderr).  Without them
 * the output is what it always was: they are drawn after everything else,
 * from the same stream.
 *
 * Sizes are the scales of bench/README.md ("gen — the scenarios"):
 *
 *   scale     schools  specialties  enterprises  postings   regions
 *   city           20          400        2,000    20,000   Jiaxing (3304)
 *   province      500       10,000      100,000   500,000   Zhejiang (33)
 *   nation      9,000      400,000    2,000,000 5,000,000   all counties
 *
 * Codes come from the reference tables read at run time from --data
 * (default data/): major codes from major_catalog_2021.csv (a school's
 * specialties are majors of its level: secondary 61-79, higher 41-59,
 * bachelor 21-39), regions from regions_counties.csv, industries from
 * industry_gbt4754_2017.csv (divisions like C36, some 4-digit classes).
 *
 * Shape of the data (all draws from one seeded xoshiro256** stream, so the
 * same --scale/--seed/--data give the same bytes):
 * - regions are skewed: in the nation a Zipf weight over provinces (in a
 *   seeded order) times a milder one over the counties of each; inside a
 *   city or province a Zipf weight over cities/counties;
 * - industries: a fixed weight per GB/T 4754 section (manufacturing 38%,
 *   trade 12%, ...), Zipf over the divisions of a section;
 * - each division maps to one to four "field" classes (higher-vocational
 *   class codes, e.g. C36 -> 4607 汽车制造类, 4601, 4603); a class's demand
 *   weight is what the industry mix gives it, and the majors of a class are
 *   ranked by a seeded Zipf, so a few majors are big and many are small;
 *   specialties are drawn with the same weights (supply follows demand);
 * - a posting's majors are 1-3 prefixes (3% none = any major), mostly of
 *   the enterprise's fields (15% from support fields: accounting,
 *   e-commerce, logistics, computing, office), written at the posting's
 *   target level: 60% a 6-digit major, 33% a 4-digit class, 7% a 2-digit
 *   group;
 * - skills come from a 12-tag vocabulary per field class (plus a few
 *   general certificates) shared by specialties and postings, ranked so
 *   some tags are common: the skills factor takes many values;
 * - industry chains (新能源汽车, 工业机床, ...) are tied to field classes;
 *   some enterprises and specialties of those fields carry one;
 * - most postings are local (no region: the enterprise's); 15% name
 *   another county (same city, same province, or anywhere in scope);
 * - cohorts {"2026": n, "2027": m} with n, m in 20..300, skewed small.
 *
 * - programs (学徒制) belong to enterprises in proportion to size^0.6, as
 *   postings do; majors drawn as a posting's (1-3 prefixes of the
 *   enterprise's fields, 15% support fields, at a target level; 1% none =
 *   any major); mentors 1..10 and per_mentor 1..5, uniform (capacity 16.5
 *   on average); 30% name a level; 20% a region of their own (another
 *   county of the city, 60%, or of the province);
 * - students belong to (specialty, graduation year) cohorts in proportion
 *   to the cohort (2026 and 2027); grade an integer ~ N(75, 12) clipped to
 *   0..100 (many ties), 10% without; 30% state prefs: 1-5 distinct
 *   programs, each 85% one of the specialty's field group (60% of those in
 *   the school's city, when there is one) and 15% any program — so ~13%
 *   of stated prefs do not fit the student's field.
 *
 * What apprenticeship.match sees (seed 1; "eligible" = programs sharing
 * the specialty's field group, the major factor's 0.3 tier, or of any
 * major: docs/matching.md):
 *
 *   scale     programs   students  eligible/student  capacity/student  prefs
 *   city         5,000    100,000         686 (14%)              0.84  29.9%
 *   province    50,000  1,000,000       7,708 (15%)              0.83  30.0%
 *
 * Ids look like real codes: schools a 10-digit MoE-style code
 * (4 + province + serial), specialties school_id-major_code, enterprises an
 * 18-character unified social credit code (91 + region + serial + the GB
 * 32100 check character), postings enterprise_id-N, programs
 * enterprise_id-AN, students specialty_id-year-NNNN.
 */
#include <errno.h>
#include <math.h>
#include <msgpack.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- random numbers: splitmix64 seeding xoshiro256** ---------------------- */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

/* Uniform in [0, 1). */
static double rng_u01(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in 0..n-1 (n >= 1). */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static double rng_normal(struct rng *r)
{
	double u = 1.0 - rng_u01(r), v = rng_u01(r);
	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* A seeded permutation of 0..n-1 into p. */
static void shuffle(struct rng *r, uint32_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = i;
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j = rng_below(r, i), t = p[i - 1];
		p[i - 1] = p[j];
		p[j] = t;
	}
}

/* ---- weighted choice ------------------------------------------------------ */

struct cdf {
	double *c;                     /* c[i] = w[0] + ... + w[i] */
	uint32_t n;
};

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "gen: out of memory\n");
		exit(1);
	}
	return p;
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p) {
		fprintf(stderr, "gen: out of memory\n");
		exit(1);
	}
	return p;
}

static void cdf_build(struct cdf *d, const double *w, uint32_t n)
{
	double s = 0;
	d->c = xmalloc(n * sizeof *d->c);
	d->n = n;
	for (uint32_t i = 0; i < n; i++)
		d->c[i] = (s += w[i] > 0 ? w[i] : 0);
}

/* Index i with probability w[i] / sum(w). */
static uint32_t cdf_pick(const struct cdf *d, struct rng *r)
{
	double u = rng_u01(r) * d->c[d->n - 1];
	uint32_t lo = 0, hi = d->n - 1;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (d->c[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Zipf weight of rank (0-based). */
static double zipf(uint32_t rank, double s)
{
	return 1.0 / pow((double)rank + 1.0, s);
}

/* ---- CSV ------------------------------------------------------------------ */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	size_t cap = 1 << 20, n = 0, k;
	char *buf = xmalloc(cap + 1);
	while ((k = fread(buf + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			if (!buf) {
				fprintf(stderr, "gen: out of memory\n");
				exit(1);
			}
		}
	}
	fclose(f);
	buf[n] = 0;
	return buf;
}

/*
 * Split the next row of *p into at most max NUL-terminated fields (quotes
 * removed, "" unescaped, in place).  Returns the field count, 0 at the end.
 */
static int csv_row(char **p, char **f, int max)
{
	char *s = *p;
	int n = 0;

	if (!*s)
		return 0;
	for (;;) {
		char *dst = s, *start = s;
		if (*s == '"') {
			s++;
			for (;;) {
				if (!*s)
					break;
				if (*s == '"' && s[1] == '"') {
					*dst++ = '"';
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					*dst++ = *s++;
				}
			}
		} else {
			while (*s && *s != ',' && *s != '\n' && *s != '\r')
				dst++, s++;
		}
		char end = *s;
		if (n < max)
			f[n++] = start;
		if (end == ',') {
			*dst = 0;
			s++;
			continue;
		}
		*dst = 0;
		if (end == '\r')
			s++;
		if (end == '\n' || (end == '\r' && *s == '\n'))
			s++;
		break;
	}
	*p = s;
	return n;
}

/* ---- reference tables ------------------------------------------------------ */

enum { L_SEC, L_HIGH, L_BACH, NLEVELS };
static const char *const level_name[NLEVELS] = { "secondary", "higher", "bachelor" };
/* Class/group code offset from the higher-vocational numbering. */
static const int level_delta[NLEVELS] = { 2000, 0, -2000 };

struct major {
	char code[8];
	const char *name;
	int cls;                       /* 4-digit class at its own level */
	int fcls;                      /* class in the higher numbering */
	int level;
};

static struct major *majors;
static uint32_t nmajors;
/* By class code (2100..7999): majors[cls_first .. + cls_n), the class name. */
static uint32_t cls_first[10000], cls_n[10000];
static const char *cls_name[10000];
static const char *grp_name[100];
static struct cdf cls_cdf[10000];     /* majors of a class, Zipf by seeded rank */
static double *major_rankw;           /* that Zipf weight, normalized per class */

static void load_catalog(const char *dir)
{
	char path[4096], *f[8];
	snprintf(path, sizeof path, "%s/major_catalog_2021.csv", dir);
	char *p = slurp(path);
	uint32_t cap = 2048;
	majors = xcalloc(cap, sizeof *majors);
	csv_row(&p, f, 8);             /* header */
	int n;
	while ((n = csv_row(&p, f, 8)) > 0) {
		if (n < 7)
			continue;
		int lv = !strcmp(f[0], "中职") ? L_SEC : !strcmp(f[0], "高职专科") ?
		    L_HIGH : !strcmp(f[0], "职业本科") ? L_BACH : -1;
		if (lv < 0 || strlen(f[1]) < 6 || strlen(f[1]) > 7)
			continue;
		if (nmajors == cap) {
			fprintf(stderr, "gen: catalog too large\n");
			exit(1);
		}
		struct major *m = &majors[nmajors];
		snprintf(m->code, sizeof m->code, "%s", f[1]);
		m->name = f[2];
		m->cls = atoi(f[3]);
		m->level = lv;
		m->fcls = m->cls - level_delta[lv];
		if (m->cls < 1000 || m->cls > 9999 || m->fcls < 4100 || m->fcls > 5999)
			continue;
		if (!cls_n[m->cls])
			cls_first[m->cls] = nmajors;
		else if (cls_first[m->cls] + cls_n[m->cls] != nmajors) {
			fprintf(stderr, "gen: catalog not grouped by class at %s\n",
			    m->code);
			exit(1);
		}
		cls_n[m->cls]++;
		cls_name[m->cls] = f[4];
		grp_name[m->cls / 100] = f[6];
		nmajors++;
	}
	if (!nmajors) {
		fprintf(stderr, "gen: no majors in %s\n", path);
		exit(1);
	}
}

struct county {
	char code[7];
	const char *name;
	int city, prov;
	uint32_t city_lo, city_hi;     /* same city, in the scope array */
	uint32_t prov_lo, prov_hi;     /* same province, in the scope array */
};

static struct county *counties;       /* the counties in scope, by code */
static uint32_t ncounties;
static const char *city_name[10000], *prov_name[100];
static struct cdf county_cdf;

static void load_regions(const char *dir, const char *scope, struct rng *r)
{
	char path[4096], *f[4], *p;
	int n;

	snprintf(path, sizeof path, "%s/regions_provinces.csv", dir);
	p = slurp(path);
	csv_row(&p, f, 4);
	while ((n = csv_row(&p, f, 4)) > 0)
		if (n >= 2 && atoi(f[0]) > 0 && atoi(f[0]) < 100)
			prov_name[atoi(f[0])] = f[1];
	snprintf(path, sizeof path, "%s/regions_cities.csv", dir);
	p = slurp(path);
	csv_row(&p, f, 4);
	while ((n = csv_row(&p, f, 4)) > 0)
		if (n >= 2 && atoi(f[0]) > 0 && atoi(f[0]) < 10000)
			city_name[atoi(f[0])] = f[1];
	snprintf(path, sizeof path, "%s/regions_counties.csv", dir);
	p = slurp(path);
	csv_row(&p, f, 4);
	uint32_t cap = 4096;
	counties = xcalloc(cap, sizeof *counties);
	size_t sl = strlen(scope);
	while ((n = csv_row(&p, f, 4)) > 0) {
		if (n < 4 || strlen(f[0]) != 6 || strncmp(f[0], scope, sl))
			continue;
		if (ncounties == cap) {
			fprintf(stderr, "gen: too many counties\n");
			exit(1);
		}
		struct county *c = &counties[ncounties++];
		memcpy(c->code, f[0], 7);
		c->name = f[1];
		c->city = atoi(f[2]);
		c->prov = atoi(f[3]);
		if (c->city < 0 || c->city > 9999 || c->prov < 0 || c->prov > 99) {
			ncounties--;
			continue;
		}
	}
	if (!ncounties) {
		fprintf(stderr, "gen: no counties under %s in %s\n", scope, path);
		exit(1);
	}
	/* The table is sorted by code; check, then find the city and
	 * province ranges. */
	for (uint32_t i = 1; i < ncounties; i++)
		if (strcmp(counties[i - 1].code, counties[i].code) >= 0) {
			fprintf(stderr, "gen: %s is not sorted by code\n", path);
			exit(1);
		}
	for (uint32_t i = 0; i < ncounties;) {
		uint32_t j = i;
		while (j < ncounties && counties[j].city == counties[i].city)
			j++;
		for (uint32_t k = i; k < j; k++)
			counties[k].city_lo = i, counties[k].city_hi = j;
		i = j;
	}
	for (uint32_t i = 0; i < ncounties;) {
		uint32_t j = i;
		while (j < ncounties && counties[j].prov == counties[i].prov)
			j++;
		for (uint32_t k = i; k < j; k++)
			counties[k].prov_lo = i, counties[k].prov_hi = j;
		i = j;
	}

	/*
	 * Weights: Zipf over the groups (provinces for a 0-digit scope, cities
	 * for a 2-digit one, counties for a 4-digit one) in a seeded order,
	 * times Zipf over the counties of a group, normalized per group.
	 */
	int group_prov = sl == 0, group_city = sl == 2;
	uint32_t *grp = xmalloc(ncounties * sizeof *grp), ngrp = 0;
	for (uint32_t i = 0; i < ncounties; i++) {
		uint32_t lo = group_prov ? counties[i].prov_lo :
		    group_city ? counties[i].city_lo : i;
		if (lo == i)
			ngrp++;
		grp[i] = ngrp - 1;
	}
	uint32_t *gperm = xmalloc(ngrp * sizeof *gperm);
	uint32_t *cperm = xmalloc(ncounties * sizeof *cperm);
	shuffle(r, gperm, ngrp);
	double *w = xmalloc(ncounties * sizeof *w);
	double gs = group_prov ? 0.9 : group_city ? 0.8 : 0.6;
	for (uint32_t i = 0; i < ncounties;) {
		uint32_t j = i;
		while (j < ncounties && grp[j] == grp[i])
			j++;
		shuffle(r, cperm, j - i);
		double norm = 0;
		for (uint32_t k = 0; k < j - i; k++)
			norm += zipf(k, 0.5);
		for (uint32_t k = i; k < j; k++)
			w[k] = zipf(gperm[grp[i]], gs) * zipf(cperm[k - i], 0.5) / norm;
		i = j;
	}
	cdf_build(&county_cdf, w, ncounties);
	free(w);
	free(grp);
	free(gperm);
	free(cperm);
}

/* Some counties are named only "市辖区": name them by their city too. */
static void place_name(char *out, size_t cap, const struct county *c, int with_city)
{
	const char *city = city_name[c->city];
	if (city && !strcmp(city, "市辖区"))
		city = prov_name[c->prov];
	if (!strcmp(c->name, "市辖区") || with_city)
		snprintf(out, cap, "%s%s", city ? city : "", c->name);
	else
		snprintf(out, cap, "%s", c->name);
}

/* ---- industries and fields -------------------------------------------------- */

/*
 * Division (01..97) -> the higher-vocational classes it mostly hires from,
 * first one most.  Hand-made from the names of GB/T 4754 divisions and the
 * 2021 catalog classes.
 */
static const char *const div_fields[98] = {
	[1] = "4101", [2] = "4102", [3] = "4103", [4] = "4104",
	[5] = "4101 4103", [6] = "4205 4209", [7] = "4204",
	[8] = "4206 4201", [9] = "4206 4202", [10] = "4206",
	[11] = "4201 4202 4204", [12] = "4206",
	[13] = "4901 4903", [14] = "4901", [15] = "4901", [16] = "4901",
	[17] = "4804", [18] = "4804 5501", [19] = "4804 4801",
	[20] = "4801 4102", [21] = "4801 5501", [22] = "4801 4802",
	[23] = "4803 4802", [24] = "5501 4801", [25] = "4702 4302",
	[26] = "4702", [27] = "4902 4701 4702", [28] = "4804 4702",
	[29] = "4702 4306", [30] = "4307 4306", [31] = "4304", [32] = "4305",
	[33] = "4601 4304", [34] = "4601 4602 4603", [35] = "4601 4602 4603",
	[36] = "4607 4601 4603", [37] = "4604 4605 4606",
	[38] = "4602 4603 4303", [39] = "5101 5104 5103 5102",
	[40] = "4603 5101", [41] = "4601 4801", [42] = "4208 4702",
	[43] = "4602 4601", [44] = "4301 4302 4303", [45] = "4302 5005",
	[46] = "4502 4504", [47] = "4403 4405 4401", [48] = "4403 4406 4405",
	[49] = "4404 4403", [50] = "4401 4403 5501", [51] = "5306 5308 5305",
	[52] = "5307 5306", [53] = "5001", [54] = "5002 5308", [55] = "5003",
	[56] = "5004", [57] = "5005", [58] = "5308 5305", [59] = "5308",
	[60] = "5007 5308", [61] = "5401", [62] = "5402", [63] = "5103 5602",
	[64] = "5102 5307", [65] = "5102 5101", [66] = "5302", [67] = "5302",
	[68] = "5302", [69] = "5302 5303", [70] = "4407 5306", [71] = "5306",
	[72] = "5306 5303 5904", [73] = "4701 5205 5101",
	[74] = "4203 4208 4405", [75] = "4101 5306", [76] = "4502 4501",
	[77] = "4208 4504", [78] = "4406 4402", [79] = "4203 4402",
	[80] = "5903 5208", [81] = "4607 5101 4602", [82] = "5903",
	[83] = "5701 5702 5703", [84] = "5202 5201 5205 5203",
	[85] = "5903 5208", [86] = "5601", [87] = "5602",
	[88] = "5502 5503 5504", [89] = "5703", [90] = "5504 5502",
	[91] = "5902 5904", [92] = "5902 5801 5804", [93] = "5902 5904",
	[94] = "5902 5903", [95] = "5901 5904", [96] = "5901 5902",
	[97] = "5702 5305",
};
/* Classes every kind of employer hires from now and then. */
static const int support_fields[] = { 5303, 5306, 5307, 5308, 5102, 5904 };
#define NSUPPORT (sizeof support_fields / sizeof support_fields[0])

/* Share of enterprises per GB/T 4754 section A..T. */
static const double section_w[20] = {
	3, 1, 38, 1.5, 8, 12, 5, 6, 5, 2, 2, 5, 3, 1, 3, 1.5, 2.5, 1, 0.3, 0.02,
};

struct division {
	char code[4];                  /* "C36" */
	int fields[4], nfields;
	char (*classes)[6];            /* "C3612" ... */
	uint32_t nclasses;
};

static struct division divs[100];
static uint32_t ndivs;
static struct cdf div_cdf;
static double class_demand[10000];    /* by field class */

static void load_industries(const char *dir, struct rng *r)
{
	char path[4096], *f[11], *p;
	int n;
	snprintf(path, sizeof path, "%s/industry_gbt4754_2017.csv", dir);
	p = slurp(path);
	csv_row(&p, f, 11);
	int divix[100];
	for (int i = 0; i < 100; i++)
		divix[i] = -1;
	/* Division rows (level 2) and, after each, its classes (level 4). */
	while ((n = csv_row(&p, f, 11)) > 0) {
		if (n < 8 || strlen(f[4]) != 1 || f[4][0] < 'A' || f[4][0] > 'T')
			continue;
		if (!strcmp(f[0], "2") && strlen(f[2]) == 2) {
			int dn = atoi(f[2]);
			if (dn < 1 || dn > 97 || !div_fields[dn] || ndivs == 100)
				continue;
			struct division *d = &divs[ndivs];
			snprintf(d->code, sizeof d->code, "%c%02d", f[4][0], dn);
			const char *s = div_fields[dn];
			while (*s && d->nfields < 4) {
				int c = atoi(s);
				if (!cls_n[c]) {
					fprintf(stderr, "gen: field class %d of division %s "
					    "is not a higher class in the catalog\n", c,
					    d->code);
					exit(1);
				}
				d->fields[d->nfields++] = c;
				while (*s && *s != ' ')
					s++;
				while (*s == ' ')
					s++;
			}
			divix[dn] = (int)ndivs++;
		} else if (!strcmp(f[0], "4") && strlen(f[2]) == 4) {
			int dn = atoi(f[5]);
			if (dn < 1 || dn > 97 || divix[dn] < 0)
				continue;
			struct division *d = &divs[divix[dn]];
			d->classes = realloc(d->classes, (d->nclasses + 1) * sizeof *d->classes);
			if (!d->classes) {
				fprintf(stderr, "gen: out of memory\n");
				exit(1);
			}
			snprintf(d->classes[d->nclasses++], 6, "%c%s", f[4][0], f[2]);
		}
	}
	if (!ndivs) {
		fprintf(stderr, "gen: no divisions in %s\n", path);
		exit(1);
	}
	/* Weight: the section's share, Zipf over its divisions (seeded order). */
	double *w = xmalloc(ndivs * sizeof *w);
	uint32_t perm[100];
	for (uint32_t i = 0; i < ndivs;) {
		uint32_t j = i;
		while (j < ndivs && divs[j].code[0] == divs[i].code[0])
			j++;
		shuffle(r, perm, j - i);
		double norm = 0;
		for (uint32_t k = 0; k < j - i; k++)
			norm += zipf(k, 1.0);
		for (uint32_t k = i; k < j; k++)
			w[k] = section_w[divs[i].code[0] - 'A'] * zipf(perm[k - i], 1.0) / norm;
		i = j;
	}
	cdf_build(&div_cdf, w, ndivs);
	/* Demand per field class: 85% the division's fields (the first twice
	 * as likely), 15% the support classes. */
	for (uint32_t i = 0; i < ndivs; i++) {
		double tot = divs[i].nfields + 1;
		for (int k = 0; k < divs[i].nfields; k++)
			class_demand[divs[i].fields[k]] +=
			    0.85 * w[i] * (k == 0 ? 2 : 1) / tot;
		for (size_t k = 0; k < NSUPPORT; k++)
			class_demand[support_fields[k]] += 0.15 * w[i] / (double)NSUPPORT;
	}
	free(w);
}

/* ---- skills and chains -------------------------------------------------- */

#define NSKILL 12
static const char *const skill_suffix[NSKILL] = {
	"基础操作", "设备维护", "质量检测", "工艺规范", "安全生产", "软件应用",
	"中级工证书", "数据分析", "高级工证书", "1+X证书", "项目管理", "客户服务",
};
static const char *const common_skills[] = {
	"普通话二级", "计算机一级", "英语A级", "机动车驾驶证C1", "办公软件",
};
#define NCOMMON (sizeof common_skills / sizeof common_skills[0])
static char *skill_tag[10000][NSKILL];   /* by field class */
static struct cdf skill_cdf, common_cdf;

static const struct {
	const char *name;
	int fields[4];
} chains[] = {
	{ "新能源汽车", { 4607, 4603, 4303, 5101 } },
	{ "工业机床", { 4601, 4602, 4603 } },
	{ "智能光伏", { 4303, 4301, 5101 } },
	{ "新型储能", { 4303, 4301, 4702 } },
	{ "电动工具", { 4601, 4602 } },
	{ "集成电路", { 5104, 5101 } },
	{ "生物医药", { 4902, 4701, 5203 } },
	{ "数字经济", { 5102, 5307, 5103 } },
	{ "现代纺织", { 4804, 4801 } },
	{ "智能家居", { 5101, 4602, 5501 } },
	{ "绿色化工", { 4702, 4208 } },
	{ "航空航天", { 4606 } },
	{ "轨道交通", { 4604, 5001, 5006 } },
	{ "现代物流", { 5308, 5002 } },
	{ "文化旅游", { 5401, 5402, 5504 } },
	{ "智慧农业", { 4101, 4103 } },
	{ "跨境电商", { 5307, 5305 } },
	{ "建筑工业化", { 4403, 4307 } },
	{ "健康养老", { 5202, 5208, 5903 } },
};
#define NCHAINS (sizeof chains / sizeof chains[0])
static uint32_t field_chains[10000];   /* bitmask of chains by field class */

static void make_vocab(void)
{
	double w[NSKILL > NCOMMON ? NSKILL : NCOMMON];
	for (int c = 4100; c < 6000; c++) {
		if (!cls_n[c])
			continue;
		char base[256];
		snprintf(base, sizeof base, "%s", cls_name[c]);
		size_t bl = strlen(base);
		if (bl >= 3 && !strcmp(base + bl - 3, "类"))   /* 3-byte UTF-8 */
			base[bl - 3] = 0;
		for (int k = 0; k < NSKILL; k++) {
			size_t need = strlen(base) + strlen(skill_suffix[k]) + 2;
			skill_tag[c][k] = xmalloc(need);
			snprintf(skill_tag[c][k], need, "%s-%s", base, skill_suffix[k]);
		}
	}
	for (int k = 0; k < NSKILL; k++)
		w[k] = zipf((uint32_t)k, 0.8);
	cdf_build(&skill_cdf, w, NSKILL);
	for (size_t k = 0; k < NCOMMON; k++)
		w[k] = zipf((uint32_t)k, 1.0);
	cdf_build(&common_cdf, w, NCOMMON);
	for (size_t i = 0; i < NCHAINS; i++)
		for (int k = 0; k < 4 && chains[i].fields[k]; k++)
			field_chains[chains[i].fields[k]] |= 1u << i;
}

/* Majors of every class ranked by a seeded Zipf (s = 1). */
static void rank_majors(struct rng *r)
{
	uint32_t perm[256];
	major_rankw = xmalloc(nmajors * sizeof *major_rankw);
	for (int c = 1000; c < 10000; c++) {
		uint32_t n = cls_n[c], f0 = cls_first[c];
		if (!n)
			continue;
		if (n > 256) {
			fprintf(stderr, "gen: class %d has too many majors\n", c);
			exit(1);
		}
		shuffle(r, perm, n);
		double norm = 0;
		for (uint32_t k = 0; k < n; k++)
			norm += zipf(k, 1.0);
		for (uint32_t k = 0; k < n; k++)
			major_rankw[f0 + k] = zipf(perm[k], 1.0) / norm;
		cdf_build(&cls_cdf[c], major_rankw + f0, n);
	}
}

/* Pick one chain out of a mask, uniformly; -1 when empty. */
static int pick_chain(struct rng *r, uint32_t mask)
{
	int n = __builtin_popcount(mask);
	if (!n)
		return -1;
	uint32_t k = rng_below(r, (uint32_t)n);
	for (int i = 0; i < 32; i++)
		if (mask & (1u << i) && k-- == 0)
			return i;
	return -1;
}

/* ---- output ------------------------------------------------------------- */

struct out {
	FILE *f;
	const char *path;
	char *buf;
	size_t len, cap;
	uint64_t total;
};

static void out_flush(struct out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) {
		fprintf(stderr, "gen: write %s: %s\n", o->path, strerror(errno));
		exit(1);
	}
	o->len = 0;
}

static int out_write(void *data, const char *buf, size_t len)
{
	struct out *o = data;
	if (o->len + len > o->cap)
		out_flush(o);
	if (len > o->cap) {
		if (fwrite(buf, 1, len, o->f) != len) {
			fprintf(stderr, "gen: write %s: %s\n", o->path, strerror(errno));
			exit(1);
		}
	} else {
		memcpy(o->buf + o->len, buf, len);
		o->len += len;
	}
	o->total += len;
	return 0;
}

static void out_open(struct out *o, const char *path)
{
	memset(o, 0, sizeof *o);
	o->path = path;
	o->f = fopen(path, "wb");
	if (!o->f) {
		fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	o->cap = 4 << 20;
	o->buf = xmalloc(o->cap);
}

static void out_close(struct out *o)
{
	out_flush(o);
	if (fclose(o->f)) {
		fprintf(stderr, "gen: close %s: %s\n", o->path, strerror(errno));
		exit(1);
	}
	free(o->buf);
}

static void pk_str(msgpack_packer *pk, const char *s)
{
	size_t n = strlen(s);
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

/* Batches: a frame header every `batch` records of a kind. */
static struct out fout;
static msgpack_packer fpk;
static uint32_t opt_batch = 1000;
static uint32_t next_msgid = 1;
static uint64_t nframes, nrecords;
static struct {
	const char *method;
	uint64_t total, done;
	uint32_t left;
} B;

static int opt_sorted;
static void sorted_flush(void);

static void batch_begin(const char *method, uint64_t total)
{
	if (opt_sorted && B.method)
		sorted_flush();
	if (B.done != B.total) {
		fprintf(stderr, "gen: internal error: %s: %llu of %llu records\n",
		    B.method, (unsigned long long)B.done,
		    (unsigned long long)B.total);
		exit(1);
	}
	B.method = method;
	B.total = total;
	B.done = 0;
	B.left = 0;
}

/*
 * --sorted: a kind's records are packed into memory (fpk writes there),
 * then written in id order; the daemon's B-trees then grow at one end
 * instead of everywhere, which is what `chanjiao import` sends too.
 */
static msgpack_packer hpk;             /* frame headers, always to fout */
static struct sortbuf {
	char *buf;
	size_t len, cap, *off, n, ncap;
} SB;

static int sort_write(void *data, const char *buf, size_t len)
{
	struct sortbuf *b = data;
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2;
		b->buf = realloc(b->buf, b->cap);
		if (!b->buf) {
			fprintf(stderr, "gen: out of memory\n");
			exit(1);
		}
	}
	memcpy(b->buf + b->len, buf, len);
	b->len += len;
	return 0;
}

/* A frame's head when the kind's next record starts a batch. */
static void frame_head(void)
{
	if (B.left)
		return;
	uint64_t n = B.total - B.done;
	if (n > opt_batch)
		n = opt_batch;
	unsigned char id[5] = { 0xce, (unsigned char)(next_msgid >> 24),
	    (unsigned char)(next_msgid >> 16),
	    (unsigned char)(next_msgid >> 8), (unsigned char)next_msgid };
	next_msgid++;
	msgpack_pack_array(&hpk, 4);
	msgpack_pack_uint8(&hpk, 0);
	out_write(&fout, (const char *)id, sizeof id);
	pk_str(&hpk, B.method);
	msgpack_pack_array(&hpk, 1);
	msgpack_pack_map(&hpk, 1);
	pk_str(&hpk, "records");
	msgpack_pack_array(&hpk, (uint32_t)n);
	B.left = (uint32_t)n;
	nframes++;
}

/* Call before packing each record. */
static void batch_record(void)
{
	if (opt_sorted) {
		if (SB.n == SB.ncap) {
			SB.ncap = SB.ncap ? 2 * SB.ncap : 1024;
			SB.off = realloc(SB.off, (SB.ncap + 1) * sizeof *SB.off);
			if (!SB.off) {
				fprintf(stderr, "gen: out of memory\n");
				exit(1);
			}
		}
		SB.off[SB.n++] = SB.len;
		return;
	}
	frame_head();
	B.left--;
	B.done++;
	nrecords++;
}

/* The id of a packed record: gen packs every record as {"id": str, ...}. */
static const char *record_id(size_t i, size_t *n)
{
	const unsigned char *p = (const unsigned char *)SB.buf + SB.off[i];
	p += (*p & 0xf0) == 0x80 ? 1 : 3;              /* fixmap or map16 */
	if (p[0] != 0xa2 || p[1] != 'i' || p[2] != 'd') {
		fprintf(stderr, "gen: internal error: record without a first id\n");
		exit(1);
	}
	p += 3;
	if ((*p & 0xe0) == 0xa0) {
		*n = *p & 0x1f;
		return (const char *)p + 1;
	}
	*n = p[1];                                        /* str8 */
	return (const char *)p + 2;
}

static int by_id(const void *a, const void *b)
{
	size_t na, nb, i = *(const size_t *)a, j = *(const size_t *)b;
	const char *x = record_id(i, &na), *y = record_id(j, &nb);
	int c = memcmp(x, y, na < nb ? na : nb);
	if (c == 0)
		c = (na > nb) - (na < nb);
	return c ? c : (i > j) - (i < j);
}

/* Write the kind's buffered records in id order. */
static void sorted_flush(void)
{
	size_t *ix = malloc(SB.n * sizeof *ix + 1);
	if (!ix) {
		fprintf(stderr, "gen: out of memory\n");
		exit(1);
	}
	SB.off[SB.n] = SB.len;
	for (size_t i = 0; i < SB.n; i++)
		ix[i] = i;
	qsort(ix, SB.n, sizeof *ix, by_id);
	for (size_t i = 0; i < SB.n; i++) {
		frame_head();
		out_write(&fout, SB.buf + SB.off[ix[i]], SB.off[ix[i] + 1] - SB.off[ix[i]]);
		B.left--;
		B.done++;
		nrecords++;
	}
	free(ix);
	SB.len = SB.n = 0;
}

/* ---- the scenario ---------------------------------------------------------- */

struct scale {
	const char *name, *scope;
	uint32_t schools, specialties, enterprises, postings;
};
static const struct scale scales[] = {
	{ "city", "3304", 20, 400, 2000, 20000 },
	{ "province", "33", 500, 10000, 100000, 500000 },
	{ "nation", "", 9000, 400000, 2000000, 5000000 },
};

struct school {
	uint32_t county;
	uint8_t level;
	char id[24];
};

struct enterprise {
	uint32_t county;
	uint16_t div;
	int8_t chain1, chain2;
	uint32_t npost;
	double weight;                 /* size^0.6: postings and programs */
	char id[20];
};

/* What the students need of a specialty. */
struct specinfo {
	uint32_t school, major;        /* indexes into S and majors */
	uint32_t cohort[2];            /* 2026, 2027 */
};

static struct rng R;

/* GB 32100 unified social credit code: 17 characters + check. */
static void uscc(char out[19], const char *region, uint32_t serial)
{
	static const char alpha[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";   /* 31 */
	static const int wt[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13,
		8, 24, 10, 30, 28 };
	out[0] = '9';
	out[1] = '1';
	memcpy(out + 2, region, 6);
	/* 9 characters of serial (base 31; 31^9 is far above 2 million). */
	uint64_t v = serial + 31ull * 31 * 31 * 31 * 31 * 31 * 31;   /* no 000... */
	for (int i = 16; i >= 8; i--) {
		out[i] = alpha[v % 31];
		v /= 31;
	}
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		int k = (int)(strchr(alpha, out[i]) - alpha);
		sum += k * wt[i];
	}
	int c = 31 - sum % 31;
	out[17] = alpha[c == 31 ? 0 : c];
	out[18] = 0;
}

/* Split total into n counts proportional to w (cumulative rounding), each
 * within [lo, hi]; the excess or shortfall is moved round-robin. */
static void apportion(uint32_t *cnt, const double *w, uint32_t n, uint64_t total,
    uint32_t lo, const uint32_t *hi)
{
	double sum = 0, acc = 0;
	uint64_t prev = 0, have = 0;
	for (uint32_t i = 0; i < n; i++)
		sum += w[i];
	for (uint32_t i = 0; i < n; i++) {
		acc += w[i];
		uint64_t upto = (uint64_t)llround(acc / sum * (double)total);
		if (upto < prev)
			upto = prev;
		uint64_t c = upto - prev;
		prev = upto;
		if (c < lo)
			c = lo;
		if (hi && c > hi[i])
			c = hi[i];
		cnt[i] = (uint32_t)c;
		have += c;
	}
	for (uint32_t i = 0, stuck = 0; have != total && stuck < n; i = (i + 1) % n) {
		if (have < total && (!hi || cnt[i] < hi[i])) {
			cnt[i]++, have++, stuck = 0;
		} else if (have > total && cnt[i] > lo) {
			cnt[i]--, have--, stuck = 0;
		} else {
			stuck++;
		}
	}
	if (have != total) {
		fprintf(stderr, "gen: cannot split %llu over %u items\n",
		    (unsigned long long)total, n);
		exit(1);
	}
}

static uint32_t pick_level_school(void)
{
	double u = rng_u01(&R);
	return u < 0.62 ? L_SEC : u < 0.97 ? L_HIGH : L_BACH;
}

static void gen_schools(const struct scale *sc, struct school *S)
{
	static const char *const sec_suffix[] = {
		"职业技术学校", "中等专业学校", "职业中学", "技工学校", "职业教育中心",
	};
	batch_begin("school.put", sc->schools);
	for (uint32_t i = 0; i < sc->schools; i++) {
		struct school *s = &S[i];
		char name[512], place[256];
		s->county = cdf_pick(&county_cdf, &R);
		s->level = (uint8_t)pick_level_school();
		const struct county *c = &counties[s->county];
		snprintf(s->id, sizeof s->id, "4%02d%07u", c->prov, i + 1);
		if (s->level == L_SEC) {
			place_name(place, sizeof place, c, 1);
			snprintf(name, sizeof name, "%s第%u%s", place,
			    rng_below(&R, 5) + 1, sec_suffix[rng_below(&R, 5)]);
		} else {
			const char *city = city_name[c->city];
			if (!city || !strcmp(city, "市辖区"))
				city = prov_name[c->prov];
			snprintf(name, sizeof name, "%s%s%s",
			    s->level == L_BACH ? (prov_name[c->prov] ?
			    prov_name[c->prov] : "") : city ? city : "",
			    s->level == L_BACH ? "职业技术大学" : "职业技术学院",
			    rng_below(&R, 4) ? "" : "（二）");
		}
		batch_record();
		msgpack_pack_map(&fpk, 4);
		pk_str(&fpk, "id");
		pk_str(&fpk, s->id);
		pk_str(&fpk, "name");
		pk_str(&fpk, name);
		pk_str(&fpk, "level");
		pk_str(&fpk, level_name[s->level]);
		pk_str(&fpk, "region");
		pk_str(&fpk, c->code);
	}
}

static uint32_t level_n[NLEVELS], level_first[NLEVELS];
static struct cdf level_cdf[NLEVELS];   /* majors of a level, by supply weight */

static void level_tables(void)
{
	/* The catalog lists secondary, then higher, then bachelor majors;
	 * rank them within each level by class demand x rank in class. */
	for (int lv = 0; lv < NLEVELS; lv++) {
		uint32_t first = UINT32_MAX, n = 0;
		for (uint32_t i = 0; i < nmajors; i++)
			if (majors[i].level == lv) {
				if (first == UINT32_MAX)
					first = i;
				else if (i != first + n) {
					fprintf(stderr, "gen: catalog levels interleave\n");
					exit(1);
				}
				n++;
			}
		if (!n) {
			fprintf(stderr, "gen: no %s majors in the catalog\n",
			    level_name[lv]);
			exit(1);
		}
		level_first[lv] = first;
		level_n[lv] = n;
		double *w = xmalloc(n * sizeof *w);
		for (uint32_t k = 0; k < n; k++) {
			const struct major *m = &majors[first + k];
			/* A floor so fields no industry names still have schools. */
			w[k] = (class_demand[m->fcls] + 0.002) * major_rankw[first + k];
		}
		cdf_build(&level_cdf[lv], w, n);
		free(w);
	}
}

static void gen_specialties(const struct scale *sc, const struct school *S,
    struct specinfo *SP)
{
	uint32_t nsp = 0;
	uint32_t *cnt = xmalloc(sc->schools * sizeof *cnt);
	uint32_t *cap = xmalloc(sc->schools * sizeof *cap);
	double *w = xmalloc(sc->schools * sizeof *w);
	for (uint32_t i = 0; i < sc->schools; i++) {
		w[i] = exp(0.5 * rng_normal(&R));
		cap[i] = level_n[S[i].level] * 6 / 10;
	}
	apportion(cnt, w, sc->schools, sc->specialties, 1, cap);
	free(w);
	free(cap);

	uint32_t *used = xcalloc(nmajors, sizeof *used);   /* school stamp */
	batch_begin("specialty.put", sc->specialties);
	for (uint32_t i = 0; i < sc->schools; i++) {
		const struct school *s = &S[i];
		uint32_t lv = s->level, f0 = level_first[lv], nl = level_n[lv];
		for (uint32_t j = 0; j < cnt[i]; j++) {
			uint32_t m = UINT32_MAX;
			for (int t = 0; t < 40 && m == UINT32_MAX; t++) {
				uint32_t k = f0 + cdf_pick(&level_cdf[lv], &R);
				if (used[k] != i + 1)
					m = k;
			}
			if (m == UINT32_MAX) {
				uint32_t k = rng_below(&R, nl);
				for (uint32_t t = 0; t < nl; t++, k = (k + 1) % nl)
					if (used[f0 + k] != i + 1) {
						m = f0 + k;
						break;
					}
			}
			used[m] = i + 1;
			const struct major *mj = &majors[m];
			SP[nsp].school = i;
			SP[nsp].major = m;
			char id[64];
			snprintf(id, sizeof id, "%s-%s", s->id, mj->code);

			/* Cohorts 20..300, most small. */
			uint32_t c26 = 20 + (uint32_t)(280 * pow(rng_u01(&R), 2.5));
			int32_t c27 = (int32_t)c26 + (int32_t)rng_below(&R, 31) - 15;
			if (c27 < 20)
				c27 = 20;
			if (c27 > 300)
				c27 = 300;
			SP[nsp].cohort[0] = c26;
			SP[nsp++].cohort[1] = (uint32_t)c27;

			/* Skills: 3-6 of the field's tags, maybe a general one. */
			int ns = 3 + (int)rng_below(&R, 4), got[NSKILL] = { 0 };
			int nsk = 0, idx[NSKILL];
			for (int t = 0; t < 30 && nsk < ns; t++) {
				int k = (int)cdf_pick(&skill_cdf, &R);
				if (!got[k])
					got[k] = 1, idx[nsk++] = k;
			}
			int common = rng_u01(&R) < 0.3 ? (int)cdf_pick(&common_cdf, &R) : -1;
			int chain = rng_u01(&R) < 0.3 ?
			    pick_chain(&R, field_chains[mj->fcls]) : -1;
			int direction = chain >= 0 && rng_u01(&R) < 0.5;

			batch_record();
			msgpack_pack_map(&fpk, 6 + (chain >= 0) + direction);
			pk_str(&fpk, "id");
			pk_str(&fpk, id);
			pk_str(&fpk, "school_id");
			pk_str(&fpk, s->id);
			pk_str(&fpk, "major_code");
			pk_str(&fpk, mj->code);
			pk_str(&fpk, "name");
			pk_str(&fpk, mj->name);
			if (direction) {
				char d[128];
				snprintf(d, sizeof d, "%s方向", chains[chain].name);
				pk_str(&fpk, "direction");
				pk_str(&fpk, d);
			}
			pk_str(&fpk, "cohorts");
			msgpack_pack_map(&fpk, 2);
			pk_str(&fpk, "2026");
			msgpack_pack_uint32(&fpk, c26);
			pk_str(&fpk, "2027");
			msgpack_pack_uint32(&fpk, (uint32_t)c27);
			pk_str(&fpk, "skills");
			msgpack_pack_array(&fpk, (size_t)nsk + (common >= 0));
			for (int k = 0; k < nsk; k++)
				pk_str(&fpk, skill_tag[mj->fcls][idx[k]]);
			if (common >= 0)
				pk_str(&fpk, common_skills[common]);
			if (chain >= 0) {
				pk_str(&fpk, "chains");
				msgpack_pack_array(&fpk, 1);
				pk_str(&fpk, chains[chain].name);
			}
		}
	}
	free(used);
	free(cnt);
}

static const char *const brand[] = {
	"恒", "达", "华", "新", "信", "远", "宏", "盛", "泰", "隆", "鑫", "源", "海",
	"天", "正", "丰", "瑞", "安", "联", "创", "嘉", "博", "卓", "明", "晨", "誉",
	"凯", "捷", "力", "鼎", "昌", "佳", "舜", "越", "禾", "汇", "通", "和",
};
#define NBRAND (sizeof brand / sizeof brand[0])
static const char *const section_word[20] = {
	"农业", "矿业", "制造", "能源", "建设", "商贸", "物流", "酒店", "科技",
	"金融", "置业", "服务", "技术", "环境", "服务", "教育", "医疗", "文化",
	"服务", "服务",
};

static void gen_enterprises(const struct scale *sc, struct enterprise *E)
{
	static const char *const form[] = { "有限公司", "股份有限公司",
		"集团有限公司", "有限责任公司" };
	double *w = xmalloc(sc->enterprises * sizeof *w);
	batch_begin("enterprise.put", sc->enterprises);
	for (uint32_t i = 0; i < sc->enterprises; i++) {
		struct enterprise *e = &E[i];
		e->county = cdf_pick(&county_cdf, &R);
		e->div = (uint16_t)cdf_pick(&div_cdf, &R);
		const struct county *c = &counties[e->county];
		const struct division *d = &divs[e->div];
		uscc(e->id, c->code, i + 1);
		uint32_t mask = 0;
		for (int k = 0; k < d->nfields; k++)
			mask |= field_chains[d->fields[k]];
		e->chain1 = e->chain2 = -1;
		if (mask && rng_u01(&R) < 0.45) {
			e->chain1 = (int8_t)pick_chain(&R, mask);
			if (rng_u01(&R) < 0.15) {
				int c2 = pick_chain(&R, mask & ~(1u << e->chain1));
				e->chain2 = (int8_t)c2;
			}
		}
		double size = exp(3.5 + 1.3 * rng_normal(&R));
		if (size < 5)
			size = 5;
		if (size > 50000)
			size = 50000;
		w[i] = pow(size, 0.6);
		e->weight = w[i];
		char ind[8];
		if (d->nclasses && rng_u01(&R) < 0.12)
			snprintf(ind, sizeof ind, "%s", d->classes[rng_below(&R, d->nclasses)]);
		else
			snprintf(ind, sizeof ind, "%s", d->code);
		char place[256], name[512];
		place_name(place, sizeof place, c, 0);
		snprintf(name, sizeof name, "%s%s%s%s%s", place,
		    brand[rng_below(&R, NBRAND)], brand[rng_below(&R, NBRAND)],
		    section_word[d->code[0] - 'A'], form[rng_below(&R, 4)]);
		int nch = (e->chain1 >= 0) + (e->chain2 >= 0);

		batch_record();
		msgpack_pack_map(&fpk, 5 + (nch > 0));
		pk_str(&fpk, "id");
		pk_str(&fpk, e->id);
		pk_str(&fpk, "name");
		pk_str(&fpk, name);
		pk_str(&fpk, "region");
		pk_str(&fpk, c->code);
		pk_str(&fpk, "industry");
		pk_str(&fpk, ind);
		if (nch) {
			pk_str(&fpk, "chains");
			msgpack_pack_array(&fpk, (size_t)nch);
			pk_str(&fpk, chains[e->chain1].name);
			if (e->chain2 >= 0)
				pk_str(&fpk, chains[e->chain2].name);
		}
		pk_str(&fpk, "size");
		msgpack_pack_uint32(&fpk, (uint32_t)size);
	}
	/* Postings per enterprise: proportional to size^0.6. */
	uint32_t *cnt = xmalloc(sc->enterprises * sizeof *cnt);
	apportion(cnt, w, sc->enterprises, sc->postings, 0, NULL);
	for (uint32_t i = 0; i < sc->enterprises; i++)
		E[i].npost = cnt[i];
	free(cnt);
	free(w);
}

/* One prefix of a posting at target level lv: writes it to out. */
static void posting_prefix(char out[8], int fcls, int lv, int *cls_out)
{
	int c = fcls + level_delta[lv];
	if (c < 1000 || c > 9999 || !cls_n[c])
		c = fcls;                 /* no such class at that level */
	*cls_out = c;
	double u = rng_u01(&R);
	if (u < 0.60) {
		uint32_t m = cls_first[c] + cdf_pick(&cls_cdf[c], &R);
		memcpy(out, majors[m].code, 8);
	} else if (u < 0.93) {
		snprintf(out, 8, "%04u", (unsigned)c % 10000);
	} else {
		snprintf(out, 8, "%02u", (unsigned)c / 100 % 100);
	}
}

static void pk_date(msgpack_packer *pk, int y, int m, int d)
{
	char s[40];                  /* room for any int, so no truncation */
	snprintf(s, sizeof s, "%04d-%02d-%02d", y, m, d);
	pk_str(pk, s);
}

static void gen_postings(const struct scale *sc, const struct enterprise *E)
{
	static const char *const kinds[4] = { "job", "internship", "apprenticeship",
		"order_class" };
	static const char *const role[4][4] = {
		{ "技术员", "操作工", "专员", "助理工程师" },
		{ "实习生", "实习技术员", "见习生", "实习助理" },
		{ "学徒", "现代学徒", "学徒工", "技能学徒" },
		{ "订单班", "订单培养", "冠名班", "定向培养" },
	};
	batch_begin("posting.put", sc->postings);
	for (uint32_t i = 0; i < sc->enterprises; i++) {
		const struct enterprise *e = &E[i];
		const struct division *d = &divs[e->div];
		const struct county *home = &counties[e->county];
		for (uint32_t j = 0; j < e->npost; j++) {
			char id[40];
			snprintf(id, sizeof id, "%s-%u", e->id, j + 1);

			double u = rng_u01(&R);
			int kind = u < 0.55 ? 0 : u < 0.80 ? 1 : u < 0.90 ? 2 : 3;
			u = rng_u01(&R);
			int lv = u < 0.35 ? L_SEC : u < 0.80 ? L_HIGH : u < 0.88 ? L_BACH : -1;
			int show_level = lv >= 0 && rng_u01(&R) < 0.7;
			if (lv < 0)
				lv = L_HIGH;      /* codes in the higher numbering */

			/* Majors: ~3% none; else 1-3 prefixes. */
			char pre[3][8];
			int npre = 0, first_fcls = 0, first_cls = 0;
			if (rng_u01(&R) >= 0.03) {
				u = rng_u01(&R);
				int want = u < 0.5 ? 1 : u < 0.8 ? 2 : 3;
				for (int t = 0; t < 8 && npre < want; t++) {
					int fcls;
					if (rng_u01(&R) < 0.85) {
						/* The first field twice as likely. */
						uint32_t k = rng_below(&R, (uint32_t)d->nfields + 1);
						fcls = d->fields[k == 0 ? 0 : k - 1];
					} else {
						fcls = support_fields[rng_below(&R, NSUPPORT)];
					}
					int cls;
					char p[8];
					posting_prefix(p, fcls, lv, &cls);
					int dup = 0;
					for (int q = 0; q < npre; q++)
						if (!strcmp(pre[q], p))
							dup = 1;
					if (dup)
						continue;
					if (!npre)
						first_fcls = fcls, first_cls = cls;
					memcpy(pre[npre++], p, 8);
				}
			}

			/* Title: what the first prefix names, and a role. */
			char title[512];
			const char *what = "储备";
			if (npre) {
				size_t pl = strlen(pre[0]);
				if (pl >= 6) {
					uint32_t f0 = cls_first[first_cls];
					for (uint32_t m = f0; m < f0 + cls_n[first_cls]; m++)
						if (!strcmp(majors[m].code, pre[0]))
							what = majors[m].name;
				} else if (pl == 4) {
					what = cls_name[first_cls];
				} else {
					what = grp_name[first_cls / 100] ? grp_name[first_cls / 100] : what;
				}
			}
			snprintf(title, sizeof title, "%s%s", what,
			    role[kind][rng_below(&R, 4)]);

			uint32_t head;
			switch (kind) {
			case 0:
				head = 1;
				while (head < 100 && rng_u01(&R) < 0.75)
					head++;
				break;
			case 1:
				head = 2 + rng_below(&R, 19);
				break;
			case 2:
				head = 2 + rng_below(&R, 14);
				break;
			default:
				head = 20 + rng_below(&R, 21);
				break;
			}

			/* Skills: 0-3 tags of the first field, sometimes general. */
			u = rng_u01(&R);
			int want_sk = u < 0.30 ? 0 : u < 0.60 ? 1 : u < 0.85 ? 2 : 3;
			const char *sk[4];
			int nsk = 0, got[NSKILL] = { 0 };
			if (npre) {
				for (int t = 0; t < 20 && nsk < want_sk; t++) {
					int k = (int)cdf_pick(&skill_cdf, &R);
					if (!got[k])
						got[k] = 1, sk[nsk++] = skill_tag[first_fcls][k];
				}
			}
			if (rng_u01(&R) < 0.10)
				sk[nsk++] = common_skills[cdf_pick(&common_cdf, &R)];

			/* Region: most local (absent); 15% another county. */
			const char *region = NULL;
			if (rng_u01(&R) < 0.15) {
				u = rng_u01(&R);
				uint32_t lo, hi;
				if (u < 0.5)
					lo = home->city_lo, hi = home->city_hi;
				else if (u < 0.85)
					lo = home->prov_lo, hi = home->prov_hi;
				else
					lo = 0, hi = 0;
				uint32_t k = hi > lo ? lo + rng_below(&R, hi - lo) :
				    cdf_pick(&county_cdf, &R);
				if (&counties[k] != home)
					region = counties[k].code;
			}
			int dates = rng_u01(&R) < 0.4;
			int salary = rng_u01(&R) < 0.6;

			batch_record();
			msgpack_pack_map(&fpk, 6 + (nsk > 0) + show_level +
			    (region != NULL) + 2 * dates + salary);
			pk_str(&fpk, "id");
			pk_str(&fpk, id);
			pk_str(&fpk, "enterprise_id");
			pk_str(&fpk, e->id);
			pk_str(&fpk, "title");
			pk_str(&fpk, title);
			pk_str(&fpk, "kind");
			pk_str(&fpk, kinds[kind]);
			pk_str(&fpk, "headcount");
			msgpack_pack_uint32(&fpk, head);
			pk_str(&fpk, "majors");
			msgpack_pack_array(&fpk, (size_t)npre);
			for (int q = 0; q < npre; q++)
				pk_str(&fpk, pre[q]);
			if (nsk) {
				pk_str(&fpk, "skills");
				msgpack_pack_array(&fpk, (size_t)nsk);
				for (int q = 0; q < nsk; q++)
					pk_str(&fpk, sk[q]);
			}
			if (show_level) {
				pk_str(&fpk, "level");
				pk_str(&fpk, level_name[lv]);
			}
			if (region) {
				pk_str(&fpk, "region");
				pk_str(&fpk, region);
			}
			if (dates) {
				int m0 = 3 + (int)rng_below(&R, 7), len = 3 + (int)rng_below(&R, 10);
				int m1 = m0 + len, y1 = 2026 + (m1 - 1) / 12;
				m1 = (m1 - 1) % 12 + 1;
				pk_str(&fpk, "start");
				pk_date(&fpk, 2026, m0, 1);
				pk_str(&fpk, "until");
				pk_date(&fpk, y1, m1, 28);
			}
			if (salary) {
				uint32_t lo = 3000 + 500 * rng_below(&R, 11);
				uint32_t hi = lo + 1000 + 500 * rng_below(&R, 9);
				pk_str(&fpk, "salary");
				msgpack_pack_array(&fpk, 2);
				msgpack_pack_uint32(&fpk, lo);
				msgpack_pack_uint32(&fpk, hi);
			}
		}
	}
}

/* The field group of a major code or prefix (model/match.c's
 * match_field_group): the 2-digit group in the higher numbering. */
static int field_group(const char *code)
{
	int g = (code[0] - '0') * 10 + (code[1] - '0');
	if (g >= 61 && g <= 79)
		return g - 20;
	if (g >= 21 && g <= 39)
		return g + 20;
	return g;
}

/* What the students need of a program. */
struct program {
	uint32_t county;               /* its region's, else its enterprise's */
	uint32_t capacity;             /* mentors x per_mentor */
	uint8_t ngroups, group[3];     /* its prefixes' field groups; 0: any */
	char id[32];
};

/* What the shape of the programs and students came to (--shape). */
static struct {
	uint64_t capacity, students, with_prefs, prefs, prefs_fit, graded;
	uint64_t eligible;             /* Σ of each student's eligible programs */
	uint32_t any_major;
} shape;

/*
 * --programs N: N apprenticeship programs over the enterprises, in
 * proportion to their size^0.6 (as postings are).  Majors are drawn as a
 * posting's are (1-3 prefixes, mostly of the enterprise's fields, 15% of
 * the support fields, at a target level; 1% none = any major).
 */
static void gen_programs(const struct enterprise *E, uint32_t nents,
    struct program *P, uint32_t nprog)
{
	static const char *const role[4] = { "学徒", "现代学徒制", "新型学徒",
		"技能学徒" };
	double *w = xmalloc(nents * sizeof *w);
	uint32_t *cnt = xmalloc(nents * sizeof *cnt), k = 0;
	for (uint32_t i = 0; i < nents; i++)
		w[i] = E[i].weight;
	apportion(cnt, w, nents, nprog, 0, NULL);
	free(w);
	batch_begin("program.put", nprog);
	for (uint32_t i = 0; i < nents; i++) {
		const struct enterprise *e = &E[i];
		const struct division *d = &divs[e->div];
		const struct county *home = &counties[e->county];
		for (uint32_t j = 0; j < cnt[i]; j++) {
			struct program *p = &P[k++];
			snprintf(p->id, sizeof p->id, "%s-A%u", e->id, j + 1);

			double u = rng_u01(&R);
			int lv = u < 0.35 ? L_SEC : u < 0.80 ? L_HIGH : u < 0.88 ? L_BACH : -1;
			int show_level = lv >= 0 && rng_u01(&R) < 0.3;
			if (lv < 0)
				lv = L_HIGH;

			char pre[3][8];
			int npre = 0, first_cls = 0;
			if (rng_u01(&R) >= 0.01) {
				u = rng_u01(&R);
				int want = u < 0.5 ? 1 : u < 0.8 ? 2 : 3;
				for (int t = 0; t < 8 && npre < want; t++) {
					int fcls, cls;
					if (rng_u01(&R) < 0.85) {
						uint32_t x = rng_below(&R, (uint32_t)d->nfields + 1);
						fcls = d->fields[x == 0 ? 0 : x - 1];
					} else {
						fcls = support_fields[rng_below(&R, NSUPPORT)];
					}
					char q[8];
					posting_prefix(q, fcls, lv, &cls);
					int dup = 0;
					for (int r = 0; r < npre; r++)
						if (!strcmp(pre[r], q))
							dup = 1;
					if (dup)
						continue;
					if (!npre)
						first_cls = cls;
					memcpy(pre[npre++], q, 8);
				}
			}
			p->ngroups = 0;
			for (int q = 0; q < npre; q++) {
				int g = field_group(pre[q]), dup = 0;
				for (int r = 0; r < p->ngroups; r++)
					if (p->group[r] == g)
						dup = 1;
				if (!dup)
					p->group[p->ngroups++] = (uint8_t)g;
			}
			shape.any_major += npre == 0;

			char title[512];
			snprintf(title, sizeof title, "%s%s",
			    npre ? cls_name[first_cls] : "储备", role[rng_below(&R, 4)]);
			uint32_t mentors = 1 + rng_below(&R, 10);
			uint32_t per = 1 + rng_below(&R, 5);
			p->capacity = mentors * per;
			shape.capacity += p->capacity;

			/* Region: most the enterprise's (absent); 20% another
			 * county of its city or province. */
			const char *region = NULL;
			p->county = e->county;
			if (rng_u01(&R) < 0.20) {
				uint32_t lo = home->city_lo, hi = home->city_hi;
				if (rng_u01(&R) >= 0.6)
					lo = home->prov_lo, hi = home->prov_hi;
				uint32_t c = lo + rng_below(&R, hi - lo);
				if (c != e->county) {
					region = counties[c].code;
					p->county = c;
				}
			}

			batch_record();
			msgpack_pack_map(&fpk, 6 + (region != NULL) + show_level);
			pk_str(&fpk, "id");
			pk_str(&fpk, p->id);
			pk_str(&fpk, "enterprise_id");
			pk_str(&fpk, e->id);
			pk_str(&fpk, "title");
			pk_str(&fpk, title);
			pk_str(&fpk, "majors");
			msgpack_pack_array(&fpk, (size_t)npre);
			for (int q = 0; q < npre; q++)
				pk_str(&fpk, pre[q]);
			pk_str(&fpk, "mentors");
			msgpack_pack_uint32(&fpk, mentors);
			pk_str(&fpk, "per_mentor");
			msgpack_pack_uint32(&fpk, per);
			if (region) {
				pk_str(&fpk, "region");
				pk_str(&fpk, region);
			}
			if (show_level) {
				pk_str(&fpk, "level");
				pk_str(&fpk, level_name[lv]);
			}
		}
	}
	free(cnt);
}

static const struct program *sort_prog;

static int by_county(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint32_t cx = sort_prog[x].county, cy = sort_prog[y].county;
	if (cx != cy)
		return cx < cy ? -1 : 1;
	return (x > y) - (x < y);
}

/* First position in v[0..n) whose program's county is >= c. */
static uint32_t county_lb(const uint32_t *v, uint32_t n, const struct program *P,
    uint32_t c)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (P[v[mid]].county < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * --students M: M students over the specialties' (specialty, year)
 * cohorts, in proportion to the cohort; grade an integer ~ N(75, 12) in
 * 0..100, 10% none; 30% state prefs, 1-5 programs: each 85% a program of
 * the specialty's field group (60% of those one in the school's city, when
 * there is one), else any program.
 */
static void gen_students(const struct scale *sc, const struct school *S,
    const struct specinfo *SP, const struct program *P, uint32_t nprog,
    uint32_t nstud)
{
	/* programs by field group (those of any major in every group),
	 * each group's by county */
	uint32_t bn[100] = { 0 }, *bucket[100];
	for (uint32_t i = 0; i < nprog; i++) {
		if (!P[i].ngroups)
			for (int g = 0; g < 100; g++)
				bn[g]++;
		for (int q = 0; q < P[i].ngroups; q++)
			bn[P[i].group[q]]++;
	}
	for (int g = 0; g < 100; g++) {
		bucket[g] = xmalloc((bn[g] + 1) * sizeof *bucket[g]);
		bn[g] = 0;
	}
	for (uint32_t i = 0; i < nprog; i++) {
		if (!P[i].ngroups)
			for (int g = 0; g < 100; g++)
				bucket[g][bn[g]++] = i;
		for (int q = 0; q < P[i].ngroups; q++) {
			int g = P[i].group[q];
			bucket[g][bn[g]++] = i;
		}
	}
	sort_prog = P;
	for (int g = 0; g < 100; g++)
		qsort(bucket[g], bn[g], sizeof *bucket[g], by_county);

	uint32_t ncell = 2 * sc->specialties;
	double *w = xmalloc(ncell * sizeof *w);
	uint32_t *cnt = xmalloc(ncell * sizeof *cnt);
	for (uint32_t i = 0; i < ncell; i++)
		w[i] = SP[i / 2].cohort[i % 2];
	apportion(cnt, w, ncell, nstud, 0, NULL);
	free(w);

	batch_begin("student.put", nstud);
	for (uint32_t i = 0; i < ncell; i++) {
		const struct specinfo *sp = &SP[i / 2];
		const struct school *sch = &S[sp->school];
		const struct major *mj = &majors[sp->major];
		const struct county *home = &counties[sch->county];
		int year = 2026 + (int)(i % 2), g = field_group(mj->code);
		const uint32_t *b = bucket[g];
		uint32_t nb = bn[g];
		uint32_t llo = county_lb(b, nb, P, home->city_lo);
		uint32_t lhi = county_lb(b, nb, P, home->city_hi);
		char spec_id[64];
		snprintf(spec_id, sizeof spec_id, "%s-%s", sch->id, mj->code);
		for (uint32_t k = 0; k < cnt[i]; k++) {
			char id[96];
			snprintf(id, sizeof id, "%s-%d-%04u", spec_id, year, k + 1);
			int graded = rng_u01(&R) >= 0.10;
			long grade = 0;
			if (graded) {
				grade = lround(75 + 12 * rng_normal(&R));
				grade = grade < 0 ? 0 : grade > 100 ? 100 : grade;
			}
			uint32_t pref[5];
			int np = 0;
			if (nprog && rng_u01(&R) < 0.30) {
				int want = 1 + (int)rng_below(&R, 5);
				for (int t = 0; t < 20 && np < want; t++) {
					uint32_t x;
					if (nb && rng_u01(&R) < 0.85) {
						if (lhi > llo && rng_u01(&R) < 0.6)
							x = b[llo + rng_below(&R, lhi - llo)];
						else
							x = b[rng_below(&R, nb)];
					} else {
						x = rng_below(&R, nprog);
					}
					int dup = 0;
					for (int q = 0; q < np; q++)
						if (pref[q] == x)
							dup = 1;
					if (!dup)
						pref[np++] = x;
				}
			}
			shape.students++;
			shape.graded += graded;
			shape.eligible += nb;
			shape.with_prefs += np > 0;
			shape.prefs += (uint64_t)np;
			for (int q = 0; q < np; q++) {
				const struct program *p = &P[pref[q]];
				int fit = !p->ngroups;
				for (int r = 0; r < p->ngroups; r++)
					fit |= p->group[r] == g;
				shape.prefs_fit += fit;
			}

			batch_record();
			msgpack_pack_map(&fpk, 3 + graded + (np > 0));
			pk_str(&fpk, "id");
			pk_str(&fpk, id);
			pk_str(&fpk, "specialty_id");
			pk_str(&fpk, spec_id);
			pk_str(&fpk, "grad_year");
			msgpack_pack_uint32(&fpk, (uint32_t)year);
			if (graded) {
				pk_str(&fpk, "grade");
				msgpack_pack_uint32(&fpk, (uint32_t)grade);
			}
			if (np) {
				pk_str(&fpk, "prefs");
				msgpack_pack_array(&fpk, (size_t)np);
				for (int q = 0; q < np; q++)
					pk_str(&fpk, P[pref[q]].id);
			}
		}
	}
	free(cnt);
	for (int g = 0; g < 100; g++)
		free(bucket[g]);
}

static void gen_queries(const char *path, uint64_t n, uint64_t seed,
    const struct scale *sc, const struct enterprise *E)
{
	struct rng q;
	struct out o;
	msgpack_packer pk;
	/* Its own stream: asking for queries does not change the frames. */
	rng_seed(&q, seed ^ 0x51ed270b27a1c0d5ull);
	uint64_t *start = xmalloc(((size_t)sc->enterprises + 1) * sizeof *start);
	start[0] = 0;
	for (uint32_t i = 0; i < sc->enterprises; i++)
		start[i + 1] = start[i] + E[i].npost;
	out_open(&o, path);
	msgpack_packer_init(&pk, &o, out_write);
	for (uint64_t k = 0; k < n; k++) {
		uint64_t g = (uint64_t)(rng_u01(&q) * (double)sc->postings);
		uint32_t lo = 0, hi = sc->enterprises;   /* last e with start <= g */
		while (hi - lo > 1) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (start[mid] <= g)
				lo = mid;
			else
				hi = mid;
		}
		char id[40];
		snprintf(id, sizeof id, "%s-%llu", E[lo].id,
		    (unsigned long long)(g - start[lo] + 1));
		msgpack_pack_map(&pk, 2);
		pk_str(&pk, "posting_id");
		pk_str(&pk, id);
		pk_str(&pk, "k");
		msgpack_pack_uint8(&pk, 20);
	}
	out_close(&o);
	free(start);
}

/*
 * The shape of the programs and students: as one human line after prefix,
 * or (prefix NULL) as one JSON object.
 */
static int print_shape(FILE *f, const struct scale *sc, uint64_t nprog,
    const char *prefix)
{
	double m = shape.students ? (double)shape.students : 1;
	double per = shape.with_prefs ? (double)shape.with_prefs : 1;
	double np = shape.prefs ? (double)shape.prefs : 1;
	if (prefix)
		return fprintf(f, "%s%llu programs (%u of any major), capacity %llu; "
		    "%llu students: %.1f%% graded, %.1f%% with prefs (%.2f each, "
		    "%.1f%% of their field), %.1f eligible programs each, "
		    "capacity / students %.3f\n", prefix, (unsigned long long)nprog,
		    shape.any_major, (unsigned long long)shape.capacity,
		    (unsigned long long)shape.students, 100.0 * (double)shape.graded / m,
		    100.0 * (double)shape.with_prefs / m, (double)shape.prefs / per,
		    100.0 * (double)shape.prefs_fit / np, (double)shape.eligible / m,
		    (double)shape.capacity / m) < 0 ? -1 : 0;
	return fprintf(f, "{\"scale\": \"%s\", \"schools\": %u, \"specialties\": %u, "
	    "\"enterprises\": %u, \"postings\": %u, \"programs\": %llu, "
	    "\"programs_any_major\": %u, \"capacity\": %llu, \"students\": %llu, "
	    "\"graded\": %llu, \"with_prefs\": %llu, \"prefs\": %llu, "
	    "\"prefs_of_field\": %llu, \"eligible_per_student\": %.3f, "
	    "\"capacity_per_student\": %.4f}\n", sc->name, sc->schools,
	    sc->specialties, sc->enterprises, sc->postings, (unsigned long long)nprog,
	    shape.any_major, (unsigned long long)shape.capacity,
	    (unsigned long long)shape.students, (unsigned long long)shape.graded,
	    (unsigned long long)shape.with_prefs, (unsigned long long)shape.prefs,
	    (unsigned long long)shape.prefs_fit, (double)shape.eligible / m,
	    (double)shape.capacity / m) < 0 ? -1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
	    "usage: gen --scale city|province|nation [--seed N] [--data DIR]\n"
	    "           --out FILE [--queries FILE N] [--batch B] [--sorted]\n"
	    "           [--programs N] [--students M] [--shape FILE]\n");
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t parse_num(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		usage();
	return v;
}

int main(int argc, char **argv)
{
	const char *scale = NULL, *data = "data", *outp = NULL, *qpath = NULL;
	const char *shape_path = NULL;
	uint64_t seed = 1, nq = 0, nprog = 0, nstud = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--sorted")) {
			opt_sorted = 1;
			continue;
		}
		if (!v)
			usage();
		if (!strcmp(a, "--scale"))
			scale = v;
		else if (!strcmp(a, "--seed"))
			seed = parse_num(v);
		else if (!strcmp(a, "--data"))
			data = v;
		else if (!strcmp(a, "--out"))
			outp = v;
		else if (!strcmp(a, "--batch")) {
			uint64_t b = parse_num(v);
			if (b < 1 || b > 100000)
				usage();
			opt_batch = (uint32_t)b;
		} else if (!strcmp(a, "--programs")) {
			if ((nprog = parse_num(v)) > 100000000)
				usage();
		} else if (!strcmp(a, "--students")) {
			if ((nstud = parse_num(v)) > 1000000000)
				usage();
		} else if (!strcmp(a, "--shape")) {
			shape_path = v;
		} else if (!strcmp(a, "--queries")) {
			if (i + 2 >= argc)
				usage();
			qpath = v;
			nq = parse_num(argv[i + 2]);
			i++;
		} else
			usage();
		i++;
	}
	const struct scale *sc = NULL;
	for (size_t i = 0; scale && i < sizeof scales / sizeof scales[0]; i++)
		if (!strcmp(scale, scales[i].name))
			sc = &scales[i];
	if (!sc || !outp)
		usage();

	double t0 = now_s();
	rng_seed(&R, seed);
	load_catalog(data);
	load_regions(data, sc->scope, &R);
	load_industries(data, &R);
	make_vocab();
	rank_majors(&R);
	level_tables();

	struct school *S = xcalloc(sc->schools, sizeof *S);
	struct enterprise *E = xcalloc(sc->enterprises, sizeof *E);
	struct specinfo *SP = xcalloc(sc->specialties, sizeof *SP);
	struct program *P = xcalloc(nprog, sizeof *P);
	out_open(&fout, outp);
	msgpack_packer_init(&hpk, &fout, out_write);
	if (opt_sorted)
		msgpack_packer_init(&fpk, &SB, sort_write);
	else
		msgpack_packer_init(&fpk, &fout, out_write);
	gen_schools(sc, S);
	gen_specialties(sc, S, SP);
	gen_enterprises(sc, E);
	gen_postings(sc, E);
	if (nprog)
		gen_programs(E, sc->enterprises, P, (uint32_t)nprog);
	if (nstud)
		gen_students(sc, S, SP, P, (uint32_t)nprog, (uint32_t)nstud);
	batch_begin("", 0);            /* checks the last kind was complete */
	out_close(&fout);
	if (qpath)
		gen_queries(qpath, nq, seed, sc, E);
	fprintf(stderr,
	    "gen: %s seed %llu: %u schools, %u specialties, %u enterprises, "
	    "%u postings = %llu records in %llu frames, %.1f MB, %.1f s\n",
	    sc->name, (unsigned long long)seed, sc->schools, sc->specialties,
	    sc->enterprises, sc->postings, (unsigned long long)nrecords,
	    (unsigned long long)nframes, (double)fout.total / 1e6, now_s() - t0);
	if (nprog || nstud)
		print_shape(stderr, sc, nprog, "gen: ");
	if (shape_path) {
		FILE *f = fopen(shape_path, "w");
		if (!f || print_shape(f, sc, nprog, NULL) < 0 || fclose(f)) {
			fprintf(stderr, "gen: %s: %s\n", shape_path, strerror(errno));
			exit(1);
		}
	}
	free(S);
	free(E);
	free(SP);
	free(P);
	return 0;
}
