/* cells — a cell's text to its value; see cells.h. */
#include "cells.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct cell_word cell_levels[] = {
	{ "secondary", "中职|中专|中等职业教育|中等职业学校", "中职" },
	{ "technician", "技工|技工院校|技工学校|技师学院|技校", "技工" },
	{ "higher", "高职|高职专科|专科|大专|高等职业教育", "高职" },
	{ "bachelor", "本科|职业本科|本科层次职业教育", "本科" },
	{ NULL, NULL, NULL },
};

const struct cell_word cell_posting_kinds[] = {
	{ "job", "全职|就业|正式工", "就业" },
	{ "internship", "实习|顶岗实习|岗位实习", "实习" },
	{ "apprenticeship", "学徒|学徒制|现代学徒制", "学徒" },
	{ "order_class", "订单班|订单培养|订单式培养", "订单班" },
	{ NULL, NULL, NULL },
};

size_t cell_next_word(const char *s, size_t *p, const char **word)
{
	size_t i = *p, e;

	if (!s[i])
		return 0;
	for (e = i; s[e] && s[e] != '|'; e++)
		;
	*word = s + i;
	*p = s[e] ? e + 1 : e;
	return e - i;
}

const char *cell_word(const struct cell_word *t, const char *s)
{
	size_t n = strlen(s), p, len;
	const char *w;

	for (; t->value; t++) {
		if (!strcmp(t->value, s))
			return t->value;
		for (p = 0; (len = cell_next_word(t->words, &p, &w));)
			if (len == n && !memcmp(w, s, n))
				return t->value;
	}
	return NULL;
}

const char *cell_word_zh(const struct cell_word *t, const char *v)
{
	for (; t->value; t++)
		if (!strcmp(t->value, v))
			return t->shown;
	return NULL;
}

/* ---------------------------------------------------------------- dates */

/* Up to max digits at *p: their value, or -1 when there is none. */
static int number(const char **p, int max)
{
	const char *s = *p;
	int v = 0, n = 0;

	while (n < max && *s >= '0' && *s <= '9') {
		v = v * 10 + (*s++ - '0');
		n++;
	}
	if (n == 0)
		return -1;
	*p = s;
	return v;
}

static int eat(const char **p, const char *lit)
{
	size_t n = strlen(lit);
	if (strncmp(*p, lit, n))
		return 0;
	*p += n;
	return 1;
}

static int days_in(int y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return mdays[m - 1] + (m == 2 && leap);
}

static const char *const month_name[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

int cell_date(const char *s, int datetime, char out[17], char *why,
    size_t cap)
{
	const char *p = s;
	int y, m, d, hh = 0, mm = 0, zh = 0, timed = 0;
	char sep = 0;

	snprintf(why, cap, "not a date");
	if ((y = number(&p, 4)) < 0 || p - s != 4)
		return -1;
	if (eat(&p, "\xe5\xb9\xb4")) {                  /* 年 */
		zh = 1;
	} else if (*p == '-' || *p == '/' || *p == '.') {
		sep = *p++;
	} else {
		return -1;
	}
	if ((m = number(&p, 2)) < 0)
		return -1;
	if (zh ? !eat(&p, "\xe6\x9c\x88") : *p++ != sep)  /* 月 */
		return -1;
	if ((d = number(&p, 2)) < 0)
		return -1;
	if (zh && !eat(&p, "\xe6\x97\xa5"))                  /* 日 */
		eat(&p, "\xe5\x8f\xb7");                         /* 号 */
	if (*p == ' ' || *p == 'T') {
		while (*p == ' ')
			p++;
		if (*p == 'T' && p[-1] != ' ')
			p++;
		if ((hh = number(&p, 2)) < 0 || (*p != ':' &&
		    strncmp(p, "\xef\xbc\x9a", 3)))
			return -1;
		p += *p == ':' ? 1 : 3;                     /* ： full-width */
		const char *q = p;
		if ((mm = number(&p, 2)) < 0 || p - q != 2)
			return -1;
		if (*p == ':') {
			p++;
			q = p;
			int ss = number(&p, 2);
			if (ss < 0 || p - q != 2)
				return -1;
			if (ss != 0) {
				snprintf(why, cap, "seconds are not kept: write %02d:%02d",
				    hh, mm);
				return -1;
			}
		}
		timed = 1;
	}
	if (*p)
		return -1;
	if (y < 1000 || m < 1 || m > 12) {
		snprintf(why, cap, "there is no month %d", m);
		return -1;
	}
	if (d < 1 || d > days_in(y, m)) {
		snprintf(why, cap, "there is no %d %s %d (it has %d days)", d,
		    month_name[m - 1], y, days_in(y, m));
		return -1;
	}
	if (timed && (hh > 23 || mm > 59)) {
		snprintf(why, cap, "there is no time %d:%02d (00:00 to 23:59)", hh,
		    mm);
		return -1;
	}
	if (datetime && !timed) {
		snprintf(why, cap, "a time of day is needed too: write "
		    "%04d-%02d-%02d 09:00", y, m, d);
		return -1;
	}
	if (!datetime && timed && (hh || mm)) {
		snprintf(why, cap, "a date has no time of day: write %04d-%02d-%02d",
		    y, m, d);
		return -1;
	}
	char iso[64];
	snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d", y, m, d, hh, mm);
	if (!datetime)
		iso[10] = 0;
	memcpy(out, iso, datetime ? 17 : 11);
	return 0;
}

int cell_excel_day(const char *s, char out[11])
{
	const char *p = s;
	int n = number(&p, 5);

	if (*p || n < 20000 || n > 80000)
		return 0;
	/* day 1 is 1900-01-01 and Excel counts a 29 February 1900: day
	 * 25569 is 1970-01-01 */
	long long days = n - 25569;
	int y = 1970, m = 1;
	while (days >= (((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 366 :
	    365))
		days -= ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 366 : 365,
		    y++;
	while (days < 0) {
		y--;
		days += ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 366 : 365;
	}
	while (days >= days_in(y, m))
		days -= days_in(y, m++);
	char iso[64];
	snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, (int)days + 1);
	memcpy(out, iso, 11);
	return 1;
}

/* -------------------------------------------------------------- numbers */

/* The value of a Chinese digit at *p (0..9), moving past it; -1 if none. */
static int cn_digit(const char **p)
{
	static const char *const dig[][2] = {
		{ "\xe9\x9b\xb6", "0" }, { "\xe3\x80\x87", "0" },    /* 零 〇 */
		{ "\xe4\xb8\x80", "1" }, { "\xe5\xa3\xb9", "1" },    /* 一 壹 */
		{ "\xe4\xba\x8c", "2" }, { "\xe4\xb8\xa4", "2" },    /* 二 两 */
		{ "\xe8\xb4\xb0", "2" },                             /* 贰 */
		{ "\xe4\xb8\x89", "3" }, { "\xe5\x8f\x81", "3" },    /* 三 叁 */
		{ "\xe5\x9b\x9b", "4" }, { "\xe8\x82\x86", "4" },    /* 四 肆 */
		{ "\xe4\xba\x94", "5" }, { "\xe4\xbc\x8d", "5" },    /* 五 伍 */
		{ "\xe5\x85\xad", "6" }, { "\xe9\x99\x86", "6" },    /* 六 陆 */
		{ "\xe4\xb8\x83", "7" }, { "\xe6\x9f\x92", "7" },    /* 七 柒 */
		{ "\xe5\x85\xab", "8" }, { "\xe6\x8d\x8c", "8" },    /* 八 捌 */
		{ "\xe4\xb9\x9d", "9" }, { "\xe7\x8e\x96", "9" },    /* 九 玖 */
	};
	for (size_t i = 0; i < sizeof dig / sizeof dig[0]; i++)
		if (eat(p, dig[i][0]))
			return dig[i][1][0] - '0';
	return -1;
}

/* A unit 十 百 千 (拾 佰 仟) at *p: 10, 100, 1000; 万 10^4, 亿 10^8. */
static long long cn_unit(const char **p)
{
	static const struct { const char *s; long long v; } units[] = {
		{ "\xe5\x8d\x81", 10 }, { "\xe6\x8b\xbe", 10 },      /* 十 拾 */
		{ "\xe7\x99\xbe", 100 }, { "\xe4\xbd\xb0", 100 },    /* 百 佰 */
		{ "\xe5\x8d\x83", 1000 }, { "\xe4\xbb\x9f", 1000 },  /* 千 仟 */
		{ "\xe4\xb8\x87", 10000 },                           /* 万 */
		{ "\xe4\xba\xbf", 100000000 },                       /* 亿 */
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (eat(p, units[i].s))
			return units[i].v;
	if (**p == 'k' || **p == 'K') {
		(*p)++;
		return 1000;
	}
	if (**p == 'w' || **p == 'W') {
		(*p)++;
		return 10000;
	}
	return 0;
}

/* ASCII digits, full-width digits, separators dropped, into buf. */
static int plain_digits(const char **p, char *buf, size_t cap, int point)
{
	size_t n = 0;
	int seen = 0, dot = 0;
	const char *s = *p;

	for (;;) {
		if (*s >= '0' && *s <= '9') {
			if (n + 1 < cap)
				buf[n++] = *s;
			s++;
			seen = 1;
		} else if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbc &&
		    (unsigned char)s[2] >= 0x90 && (unsigned char)s[2] <= 0x99) {
			if (n + 1 < cap)
				buf[n++] = (char)('0' + (unsigned char)s[2] - 0x90);
			s += 3;
			seen = 1;
		} else if (seen && (*s == ',' || !strncmp(s, "\xef\xbc\x8c", 3)) &&
		    !dot) {
			s += *s == ',' ? 1 : 3;      /* 1,000 and 1，000 */
		} else if (seen && point && !dot && (*s == '.' ||
		    !strncmp(s, "\xef\xbc\x8e", 3))) {
			if (n + 1 < cap)
				buf[n++] = '.';
			s += *s == '.' ? 1 : 3;
			dot = 1;
		} else {
			break;
		}
	}
	buf[n] = 0;
	*p = s;
	return seen;
}

/* Words around a count: 约 before; 人 名 个 位 元 届 岁 次 (and 元/月) after. */
static const char *strip_around(const char *s, char *buf, size_t cap)
{
	static const char *const pre[] = {
		"\xe7\xba\xa6", "\xe5\xa4\xa7\xe7\xba\xa6", "\xe5\x85\xb1",  /* 约 大约 共 */
	};
	static const char *const post[] = {
		"\xe5\x85\x83/\xe6\x9c\x88", "\xe5\x85\x83\xe6\xaf\x8f\xe6\x9c\x88",
		"/\xe6\x9c\x88", "\xe4\xba\xba", "\xe5\x90\x8d", "\xe4\xb8\xaa",
		"\xe4\xbd\x8d", "\xe5\x85\x83", "\xe5\xb1\x8a", "\xe5\xb2\x81",
		"\xe6\xac\xa1", "\xe5\xb9\xb4",
	};
	size_t n;

	while (*s == ' ')
		s++;
	for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++)
		if (!strncmp(s, pre[i], strlen(pre[i]))) {
			s += strlen(pre[i]);
			break;
		}
	snprintf(buf, cap, "%s", s);
	n = strlen(buf);
	for (int again = 1; again;) {
		again = 0;
		while (n && buf[n - 1] == ' ')
			buf[--n] = 0;
		for (size_t i = 0; i < sizeof post / sizeof post[0]; i++) {
			size_t k = strlen(post[i]);
			if (n > k && !strcmp(buf + n - k, post[i])) {
				buf[n -= k] = 0;
				again = 1;
				break;
			}
		}
	}
	return buf;
}

/* Chinese numerals with units, and digits before a unit (1.5万). */
static int cn_number(const char *s, long long *v)
{
	const char *p = s;
	double total = 0, section = 0, num = -1;
	int any = 0, units = 0, ndig = 0;
	char digs[64];

	/* positional digits alone: 二〇二六 */
	for (const char *q = s; *q;) {
		int d = cn_digit(&q);
		if (d < 0) {
			ndig = -1;
			break;
		}
		if ((size_t)ndig + 1 < sizeof digs)
			digs[ndig++] = (char)('0' + d);
	}
	if (ndig > 1) {
		digs[ndig] = 0;
		*v = strtoll(digs, NULL, 10);
		return 1;
	}
	while (*p) {
		int d;
		long long u;
		char buf[64];
		if (plain_digits(&p, buf, sizeof buf, 1)) {
			if (num >= 0)
				return 0;
			num = strtod(buf, NULL);
			any = 1;
		} else if ((d = cn_digit(&p)) >= 0) {
			if (num >= 0 && num != 0)
				return 0;
			num = d;
			any = 1;
		} else if ((u = cn_unit(&p)) > 0) {
			units = 1;
			if (u >= 10000) {
				section += num < 0 ? 0 : num;
				total = (total + section) * (double)u;
				section = 0;
			} else {
				section += (num < 0 ? 1 : num) * (double)u;
			}
			num = -1;
			any = 1;
		} else {
			return 0;
		}
	}
	if (!any)
		return 0;
	total += section + (num < 0 ? 0 : num);
	if (!units && strchr(s, '.'))
		return 0;               /* a decimal is not a count */
	if (total != floor(total) || total > 1e15)
		return 0;
	*v = (long long)total;
	return 1;
}

int cell_whole_meant(const char *s, long long *v)
{
	char buf[256];
	const char *p = strip_around(s, buf, sizeof buf);

	return *p && cn_number(p, v);
}

int cell_number_meant(const char *s, char *out, size_t cap)
{
	char buf[256];
	const char *p = strip_around(s, buf, sizeof buf);
	long long v;

	if (plain_digits(&p, out, cap, 1) && !*p)
		return 1;
	p = buf;
	if (cn_number(p, &v)) {
		snprintf(out, cap, "%lld", v);
		return 1;
	}
	return 0;
}
