/* codes — the shipped code tables; see codes.h. */
#include "codes.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* the tables of data/, compiled in (csv/CMakeLists.txt); the major
 * catalog is model's copy (model/CMakeLists.txt, catalog.h) */
extern const char codes_regions_provinces_csv[], codes_regions_cities_csv[],
    codes_regions_counties_csv[], codes_industry_gbt4754_2017_csv[],
    catalog_csv[];

enum { LV_PROVINCE, LV_CITY, LV_COUNTY };

struct region {
	uint32_t code;               /* 6 digits: XX0000, XXYY00, XXYYZZ */
	int level;
	const char *name, *where;
	const char *label;           /* as codes_region_label shows it */
};

struct industry {
	const char *code, *name;     /* "C36" 汽车制造业 */
};

struct major {
	char code[8];                /* 2, 4 or 6 digits, K kept */
	uint32_t num;                /* the digits as a number */
	int len;                     /* 2, 4 or 6 */
	const char *name, *level;
};

static struct region *regions;
static size_t nregions;
static struct major *majors;
static size_t nmajors;
static struct industry *industries;
static size_t nindustries;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/*
 * The fields of the next line of an embedded table: at most max, quotes
 * around a field dropped (the tables quote names, none holds a comma).
 * Returns the number of fields, 0 at the end; *p moves past the line.
 */
static int fields(const char **p, char **f, int max, char *buf, size_t cap)
{
	const char *s = *p;
	size_t n = 0;
	int nf = 0;

	if (!*s)
		return 0;
	while (*s && *s != '\n' && n + 1 < cap) {
		if (nf < max && (n == 0 || buf[n - 1] == 0))
			f[nf++] = buf + n;
		if (*s == ',') {
			buf[n++] = 0;
			s++;
			if (nf < max && (*s == '\n' || *s == '\r' || !*s))
				f[nf++] = buf + n;
			continue;
		}
		if (*s != '"' && *s != '\r')
			buf[n++] = *s;
		s++;
	}
	buf[n] = 0;
	while (*s && *s != '\n')
		s++;
	if (*s)
		s++;
	*p = s;
	return nf ? nf : -1;
}

static uint32_t digits(const char *s, size_t n)
{
	uint32_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return UINT32_MAX;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	return v;
}

static void region_add(uint32_t code, int level, const char *name,
    const char *where, const char *label)
{
	static size_t cap;
	if (nregions == cap) {
		cap = cap ? 2 * cap : 4096;
		regions = xrealloc(regions, cap * sizeof *regions);
	}
	regions[nregions++] = (struct region){ code, level, xstrdup(name),
	    xstrdup(where), xstrdup(label) };
}

/* A city whose name says only how it is governed is shown by its province. */
static int governed_only(const char *name)
{
	return !strcmp(name, "市辖区") || !strcmp(name, "县") ||
	    strstr(name, "直辖县级行政区划") != NULL;
}

/* The region of code among regions[0, n) (sorted). */
static const struct region *region_in(size_t n, uint32_t code)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (regions[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && regions[lo].code == code ? &regions[lo] : NULL;
}

static int region_cmp(const void *a, const void *b)
{
	const struct region *x = a, *y = b;
	if (x->code != y->code)              /* a city that is its own county */
		return (x->code > y->code) - (x->code < y->code);
	return x->level - y->level;      /* (441900 东莞市): the city first */
}

/* The region of code and level, or NULL. */
static const struct region *region_at(uint32_t code, int level)
{
	const struct region *r = region_in(nregions, code);
	for (; r && r < regions + nregions && r->code == code; r++)
		if (r->level == level)
			return r;
	return NULL;
}

/* key against the n bytes of s, as strcmp orders */
static int key_cmp(const char *key, const char *s, size_t n)
{
	size_t k = strlen(key);
	int c = memcmp(key, s, k < n ? k : n);
	return c ? c : (k > n) - (k < n);
}

static int industry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct industry *)a)->code,
	    ((const struct industry *)b)->code);
}

static void major_add(const char *code, const char *name, const char *level)
{
	static size_t cap;
	size_t n = strlen(code), d = n && code[n - 1] == 'K' ? n - 1 : n;

	if ((d != 2 && d != 4 && d != 6) || n >= sizeof majors->code ||
	    digits(code, d) == UINT32_MAX || !*name)
		return;
	if (nmajors == cap) {
		cap = cap ? 2 * cap : 2048;
		majors = xrealloc(majors, cap * sizeof *majors);
	}
	struct major *m = &majors[nmajors++];
	memcpy(m->code, code, n + 1);
	m->num = digits(code, d);
	m->len = (int)d;
	m->name = xstrdup(name);
	m->level = xstrdup(level);
}

static int major_cmp(const void *a, const void *b)
{
	const struct major *x = a, *y = b;
	if (x->len != y->len)
		return x->len - y->len;
	if (x->num != y->num)
		return (x->num > y->num) - (x->num < y->num);
	return strcmp(x->code, y->code);
}

/* The level of a code by its first digit, as the catalog writes it. */
static const char *level_of(char c)
{
	return c == '6' || c == '7' ? "中职" : c == '4' || c == '5' ? "高职专科" :
	    c == '2' || c == '3' ? "职业本科" : "";
}

static void load(void)
{
	char buf[1024], where[512], label[512], *f[9];
	const char *p;
	int nf;

	/* provinces, then cities (XXYY00), then counties */
	p = codes_regions_provinces_csv;
	fields(&p, f, 9, buf, sizeof buf);
	while ((nf = fields(&p, f, 9, buf, sizeof buf)) != 0)
		if (nf >= 2 && strlen(f[0]) == 2 && digits(f[0], 2) != UINT32_MAX)
			region_add(digits(f[0], 2) * 10000, LV_PROVINCE, f[1], "",
			    f[1]);
	qsort(regions, nregions, sizeof *regions, region_cmp);
	size_t nprov = nregions;
	p = codes_regions_cities_csv;
	fields(&p, f, 9, buf, sizeof buf);
	while ((nf = fields(&p, f, 9, buf, sizeof buf)) != 0) {
		if (nf < 2 || strlen(f[0]) != 4 || digits(f[0], 4) == UINT32_MAX)
			continue;
		uint32_t code = digits(f[0], 4) * 100;
		const struct region *prov = region_in(nprov, code / 10000 * 10000);
		region_add(code, LV_CITY, f[1], prov ? prov->name : "",
		    governed_only(f[1]) && prov ? prov->name : f[1]);
	}
	qsort(regions, nregions, sizeof *regions, region_cmp);
	size_t nbig = nregions;
	p = codes_regions_counties_csv;
	fields(&p, f, 9, buf, sizeof buf);
	while ((nf = fields(&p, f, 9, buf, sizeof buf)) != 0) {
		if (nf < 2 || strlen(f[0]) != 6 || digits(f[0], 6) == UINT32_MAX)
			continue;
		uint32_t code = digits(f[0], 6);
		const struct region *prov = region_in(nbig, code / 10000 * 10000);
		const struct region *city = region_in(nbig, code / 100 * 100);
		snprintf(where, sizeof where, "%s%s", prov ? prov->name : "",
		    city && strcmp(city->name, "市辖区") &&
		    !strstr(city->name, "直辖") ? city->name : "");
		/* "金华市婺城区": the city's label first */
		snprintf(label, sizeof label, "%s%s",
		    city && city->level == LV_CITY ? city->label : "", f[1]);
		region_add(code, LV_COUNTY, f[1], where, label);
	}
	qsort(regions, nregions, sizeof *regions, region_cmp);

	/* level, level_name, code, name, section, ...: the code as records
	 * write it, the section letter ahead of the digits ("C36") */
	size_t cap = 0;
	p = codes_industry_gbt4754_2017_csv;
	fields(&p, f, 9, buf, sizeof buf);
	while ((nf = fields(&p, f, 9, buf, sizeof buf)) != 0) {
		if (nf < 5)
			continue;
		if (nindustries == cap) {
			cap = cap ? 2 * cap : 2048;
			industries = xrealloc(industries, cap * sizeof *industries);
		}
		snprintf(label, sizeof label, "%s%s",
		    strcmp(f[0], "1") ? f[4] : "", f[2]);
		industries[nindustries++] = (struct industry){ xstrdup(label),
		    xstrdup(f[3]) };
	}
	qsort(industries, nindustries, sizeof *industries, industry_cmp);

	/* education_level, major_code, major_name, class_code, class_name,
	 * category_code, category_name, is_national_control */
	p = catalog_csv;
	fields(&p, f, 9, buf, sizeof buf);
	while ((nf = fields(&p, f, 9, buf, sizeof buf)) != 0) {
		if (nf < 7)
			continue;
		major_add(f[1], f[2], f[0]);
		major_add(f[3], f[4], level_of(f[3][0]));
		major_add(f[5], f[6], level_of(f[5][0]));
	}
	qsort(majors, nmajors, sizeof *majors, major_cmp);
	size_t w = nmajors ? 1 : 0;            /* classes and groups repeat */
	for (size_t i = 1; i < nmajors; i++) {
		if (!strcmp(majors[i].code, majors[w - 1].code)) {
			free((char *)majors[i].name);
			free((char *)majors[i].level);
			continue;
		}
		majors[w++] = majors[i];
	}
	nmajors = w;
}

static void init(void)
{
	pthread_once(&once, load);
}

static void region_hit(const struct region *r, struct codes_hit *h)
{
	snprintf(h->code, sizeof h->code, "%06u", (unsigned)r->code);
	h->name = r->name;
	h->where = r->where;
}

int codes_region(const char *code, struct codes_hit *h)
{
	const struct region *r;

	init();
	if (strlen(code) != 6 || digits(code, 6) == UINT32_MAX)
		return 0;
	if (!(r = region_in(nregions, digits(code, 6))))
		return 0;
	region_hit(r, h);
	return 1;
}

const char *codes_region_label(const char *code, size_t n)
{
	const struct region *r;
	uint32_t c;

	init();
	if ((n != 2 && n != 4 && n != 6) || (c = digits(code, n)) == UINT32_MAX)
		return NULL;
	r = n == 2 ? region_at(c * 10000, LV_PROVINCE) :
	    n == 4 ? region_at(c * 100, LV_CITY) : region_at(c, LV_COUNTY);
	return r ? r->label : NULL;
}

const char *codes_industry(const char *code, size_t n)
{
	size_t lo = 0, hi;

	init();
	hi = nindustries;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (key_cmp(industries[mid].code, code, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return n && lo < nindustries && !key_cmp(industries[lo].code, code, n) ?
	    industries[lo].name : NULL;
}

/* The county-level code closest to c among those c / div equals. */
static const struct region *closest(uint32_t c, uint32_t div)
{
	const struct region *best = NULL;
	uint32_t bd = UINT32_MAX;

	for (size_t i = 0; i < nregions; i++) {
		const struct region *r = &regions[i];
		if (r->level != LV_COUNTY || r->code / div != c / div)
			continue;
		uint32_t d = r->code > c ? r->code - c : c - r->code;
		if (d < bd) {             /* in code order: ties keep the smaller */
			bd = d;
			best = r;
		}
	}
	return best;
}

int codes_region_near(const char *code, struct codes_hit *h)
{
	const struct region *r;
	uint32_t c;

	init();
	if (strlen(code) != 6 || (c = digits(code, 6)) == UINT32_MAX)
		return 0;
	if (!(r = closest(c, 100)) && !(r = closest(c, 10000)))
		return 0;
	region_hit(r, h);
	return 1;
}

size_t codes_region_named(const char *name, struct codes_hit *h, size_t max)
{
	size_t found = 0;

	init();
	for (size_t i = 0; i < nregions; i++)
		if (!strcmp(regions[i].name, name)) {
			if (found < max)
				region_hit(&regions[i], &h[found]);
			found++;
		}
	return found;
}

static void major_hit(const struct major *m, struct codes_hit *h)
{
	memcpy(h->code, m->code, sizeof h->code);
	h->name = m->name;
	h->where = m->level;
}

/* The digits of a code (n bytes, a trailing K dropped), or 0 when not. */
static size_t code_digits(const char *code, size_t n, uint32_t *num)
{
	size_t d = n && code[n - 1] == 'K' ? n - 1 : n;
	if ((d != 2 && d != 4 && d != 6) || (*num = digits(code, d)) == UINT32_MAX)
		return 0;
	return d;
}

int codes_major(const char *code, size_t n, struct codes_hit *h)
{
	uint32_t c;
	size_t d, lo = 0, hi;

	init();
	if (!(d = code_digits(code, n, &c)))
		return 0;
	hi = nmajors;
	while (lo < hi) {                /* the first of (d, c) in major_cmp's order */
		size_t mid = (lo + hi) / 2;
		const struct major *m = &majors[mid];
		if ((size_t)m->len < d || ((size_t)m->len == d && m->num < c))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < nmajors && (size_t)majors[lo].len == d && majors[lo].num == c;
	    lo++)
		if (strlen(majors[lo].code) == n && !memcmp(majors[lo].code, code, n)) {
			major_hit(&majors[lo], h);
			return 1;
		}
	return 0;
}

int codes_major_near(const char *code, size_t n, struct codes_hit *h)
{
	uint32_t c;
	size_t d;

	init();
	if (!(d = code_digits(code, n, &c)) || d == 2)
		return 0;
	/* the same class, then the same group (a class: its group) */
	for (uint32_t div = 100; ; div *= 100) {
		const struct major *best = NULL;
		uint32_t bd = UINT32_MAX;
		for (size_t i = 0; i < nmajors; i++) {
			const struct major *m = &majors[i];
			if ((size_t)m->len != d || m->num / div != c / div)
				continue;
			uint32_t dist = m->num > c ? m->num - c : c - m->num;
			if (dist < bd) {
				bd = dist;
				best = m;
			}
		}
		if (best) {
			major_hit(best, h);
			return 1;
		}
		if (d == 4 || div >= 10000)
			return 0;
	}
}

size_t codes_major_named(const char *name, struct codes_hit *h, size_t max)
{
	size_t found = 0;

	init();
	for (size_t i = 0; i < nmajors; i++)
		if (!strcmp(majors[i].name, name)) {
			if (found < max)
				major_hit(&majors[i], &h[found]);
			found++;
		}
	return found;
}
