/* records — CSV rows <-> records; see records.h. */
#include "records.h"

#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cells.h"
#include "codes.h"
#include "strtab.h"
#include "xalloc.h"

enum ctype {
	CT_STR,          /* a string */
	CT_INT,          /* an integer */
	CT_NUM,          /* an integer or a decimal (grade) */
	CT_LIST,         /* ';'-separated; empty cell = absent, ";" = [] */
	CT_MAJORS,       /* ';'-separated and required: empty cell = [] */
	CT_COHORTS,      /* the cohort_YYYY columns, together "cohorts" */
	CT_SAL_MIN,      /* salary_min and salary_max, together "salary" */
	CT_SAL_MAX,
	CT_FAIR_ID,      /* a fair part's fair, not a field of the part */
};

struct col {
	const char *name;
	enum ctype type;
	enum schema_ftype ft;    /* the field's type: the cell's rules */
	int required;
};

/*
 * A file's columns, derived from schema_fields at start: map-valued
 * fields become columns of their own (cohort_YYYY, salary_min/max) or
 * part files (a fair's directions, sessions and requests).
 */
#define COLS_MAX 24
static struct col file_cols[RF_NFILES][COLS_MAX];

static void cols_add(struct col *cols, size_t *n, const char *name,
    enum ctype type, enum schema_ftype ft, int required)
{
	cols[(*n)++] = (struct col){ name, type, ft, required };
}

static void cols_from(struct col *cols, const struct schema_field *f,
    int fair_part)
{
	size_t n = 0;

	if (fair_part)
		cols_add(cols, &n, "fair_id", CT_FAIR_ID, SCHEMA_F_ID, 1);
	for (; f->name; f++)
		switch (f->type) {
		case SCHEMA_F_COUNT: case SCHEMA_F_POS: case SCHEMA_F_YEAR:
			cols_add(cols, &n, f->name, CT_INT, f->type, f->required);
			break;
		case SCHEMA_F_GRADE:
			cols_add(cols, &n, f->name, CT_NUM, f->type, f->required);
			break;
		case SCHEMA_F_TAGS: case SCHEMA_F_IDS:
			cols_add(cols, &n, f->name, CT_LIST, f->type, f->required);
			break;
		case SCHEMA_F_PREFIXES:
			cols_add(cols, &n, f->name, CT_MAJORS, f->type, f->required);
			break;
		case SCHEMA_F_COHORTS:
			cols_add(cols, &n, "cohort_", CT_COHORTS, f->type, 0);
			break;
		case SCHEMA_F_SALARY:
			cols_add(cols, &n, "salary_min", CT_SAL_MIN, SCHEMA_F_COUNT, 0);
			cols_add(cols, &n, "salary_max", CT_SAL_MAX, SCHEMA_F_COUNT, 0);
			break;
		case SCHEMA_F_DIRECTIONS: case SCHEMA_F_SESSIONS:
		case SCHEMA_F_REQUESTS:
			break;                  /* part files */
		default:
			cols_add(cols, &n, f->name, CT_STR, f->type, f->required);
		}
	cols[n].name = NULL;
}

__attribute__((constructor)) static void cols_init(void)
{
	struct col *req = file_cols[RF_FAIR_REQUESTS];
	size_t n = 0;

	for (int k = 0; k < SCHEMA_NKINDS; k++)
		cols_from(file_cols[k], schema_fields[k], 0);
	cols_from(file_cols[RF_FAIR_DIRS], schema_direction_fields, 1);
	cols_from(file_cols[RF_FAIR_SESSIONS], schema_session_fields, 1);
	/* requests: a map of enterprise id to booth-sessions */
	cols_add(req, &n, "fair_id", CT_FAIR_ID, SCHEMA_F_ID, 1);
	cols_add(req, &n, "enterprise_id", CT_STR, SCHEMA_F_ID, 1);
	cols_add(req, &n, "slots", CT_INT, SCHEMA_F_COUNT, 1);
	req[n].name = NULL;
}

const char *const rec_file_name[RF_NFILES] = {
	"schools.csv", "specialties.csv", "enterprises.csv", "postings.csv",
	"fairs.csv", "programs.csv", "students.csv", "fair_directions.csv",
	"fair_sessions.csv", "fair_requests.csv",
};

int rec_kind_of(const char *s)
{
	for (int k = 0; k < SCHEMA_NKINDS; k++)
		if (!strcmp(s, schema_kind_name[k]) || !strcmp(s, schema_kind_plural[k]))
			return k;
	return -1;
}

int rec_field_numeric(enum schema_kind k, const char *field)
{
	for (const struct col *c = file_cols[k]; c->name; c++)
		if (!strcmp(c->name, field))
			return c->type == CT_INT || c->type == CT_NUM;
	return 0;
}

/* The record key a column fills. */
static const char *col_key(const struct col *c)
{
	return c->type == CT_COHORTS ? "cohorts" : c->type == CT_SAL_MIN ||
	    c->type == CT_SAL_MAX ? "salary" : c->name;
}

/* ---------------------------------------------------- Chinese headers */

/*
 * The Chinese names of every column (an alias names the field: its cells
 * hold what the field holds, so 学校 holds a school's id), the first being
 * the template's, and the template's example.  Within a file no name
 * stands for two columns (test_csvio checks).
 */
static const struct zh {
	int file;
	const char *col, *names, *example;
} zh_cols[] = {
	{ SCHEMA_SCHOOL, "id", "编号|学校编号|学校代码|院校代码|代码", "S001" },
	{ SCHEMA_SCHOOL, "name", "名称|学校名称|院校名称", "示例职业技术学院" },
	{ SCHEMA_SCHOOL, "level", "层次|办学层次|学校层次", "高职" },
	{ SCHEMA_SCHOOL, "region", "地区|地区代码|行政区划代码|所在地区",
	  "330702" },

	{ SCHEMA_SPECIALTY, "id", "编号|专业点编号", "SP001" },
	{ SCHEMA_SPECIALTY, "school_id", "学校编号|学校|学校代码|院校代码",
	  "S001" },
	{ SCHEMA_SPECIALTY, "major_code", "专业代码", "460103" },
	{ SCHEMA_SPECIALTY, "name", "名称|专业名称", "数控技术" },
	{ SCHEMA_SPECIALTY, "direction", "方向|专业方向", "智能制造" },
	{ SCHEMA_SPECIALTY, "cohort_",
	  "YYYY届|YYYY届人数|YYYY届毕业生|YYYY届毕业生人数", "40" },
	{ SCHEMA_SPECIALTY, "skills", "技能|技能证书|证书", "数控车工;钳工" },
	{ SCHEMA_SPECIALTY, "chains", "产业链", "工业机床" },

	{ SCHEMA_ENTERPRISE, "id", "编号|企业编号|企业代码|统一社会信用代码",
	  "E001" },
	{ SCHEMA_ENTERPRISE, "name", "名称|企业名称", "示例机床有限公司" },
	{ SCHEMA_ENTERPRISE, "region", "地区|地区代码|行政区划代码|所在地区",
	  "330784" },
	{ SCHEMA_ENTERPRISE, "industry", "行业代码|行业", "C34" },
	{ SCHEMA_ENTERPRISE, "chains", "产业链", "工业机床;智能制造" },
	{ SCHEMA_ENTERPRISE, "size", "员工人数|职工人数|规模", "500" },

	{ SCHEMA_POSTING, "id", "编号|岗位编号", "P001" },
	{ SCHEMA_POSTING, "enterprise_id",
	  "企业编号|企业|企业代码|统一社会信用代码", "E001" },
	{ SCHEMA_POSTING, "title", "岗位名称|岗位|名称", "数控操作工" },
	{ SCHEMA_POSTING, "kind", "类型|岗位类型|类别", "全职" },
	{ SCHEMA_POSTING, "headcount", "招聘人数|人数|需求人数", "5" },
	{ SCHEMA_POSTING, "majors", "专业|专业代码|专业要求", "4601;6601" },
	{ SCHEMA_POSTING, "skills", "技能|技能要求|证书", "数控车工" },
	{ SCHEMA_POSTING, "level", "层次|最低层次|学历层次|学历要求", "中职" },
	{ SCHEMA_POSTING, "region", "地区|地区代码|工作地区", "330784" },
	{ SCHEMA_POSTING, "start", "开始日期|起始日期|开始时间", "2026/6/1" },
	{ SCHEMA_POSTING, "until", "截止日期|结束日期|有效期至", "2026/12/31" },
	{ SCHEMA_POSTING, "salary_min", "最低月薪|月薪下限|薪资下限|最低薪资",
	  "5000" },
	{ SCHEMA_POSTING, "salary_max", "最高月薪|月薪上限|薪资上限|最高薪资",
	  "8000" },

	{ SCHEMA_FAIR, "id", "编号|双选会编号|招聘会编号", "F001" },
	{ SCHEMA_FAIR, "name", "名称|双选会名称|招聘会名称", "示例双选会" },
	{ SCHEMA_FAIR, "date", "日期|举办日期", "2026/5/20" },
	{ SCHEMA_FAIR, "region", "地区|地区代码|举办地区", "330702" },
	{ SCHEMA_FAIR, "school_ids", "参会学校|学校|学校编号", "S001" },
	{ SCHEMA_FAIR, "enterprise_ids", "参会企业|企业|企业编号", "E001" },

	{ SCHEMA_PROGRAM, "id", "编号|项目编号", "G001" },
	{ SCHEMA_PROGRAM, "enterprise_id",
	  "企业编号|企业|企业代码|统一社会信用代码", "E001" },
	{ SCHEMA_PROGRAM, "title", "项目名称|名称", "数控学徒班" },
	{ SCHEMA_PROGRAM, "majors", "专业|专业代码", "4601" },
	{ SCHEMA_PROGRAM, "mentors", "师傅人数|导师人数|师傅数", "3" },
	{ SCHEMA_PROGRAM, "per_mentor", "每位师傅带徒数|每师带徒数|带徒人数",
	  "4" },
	{ SCHEMA_PROGRAM, "region", "地区|地区代码", "330784" },
	{ SCHEMA_PROGRAM, "level", "层次|最低层次", "高职" },

	{ SCHEMA_STUDENT, "id", "编号|学生编号", "ST001" },
	{ SCHEMA_STUDENT, "specialty_id", "专业点编号|专业点", "SP001" },
	{ SCHEMA_STUDENT, "grad_year", "毕业年份|届别|毕业届别", "2026" },
	{ SCHEMA_STUDENT, "grade", "成绩", "88.5" },
	{ SCHEMA_STUDENT, "prefs", "志愿|志愿项目|意向项目", "G001" },

	{ RF_FAIR_DIRS, "fair_id", "双选会编号|双选会|招聘会编号", "F001" },
	{ RF_FAIR_DIRS, "id", "编号|方向编号", "D1" },
	{ RF_FAIR_DIRS, "name", "名称|方向名称", "数控" },
	{ RF_FAIR_DIRS, "majors", "专业|专业代码", "4601;6601" },

	{ RF_FAIR_SESSIONS, "fair_id", "双选会编号|双选会|招聘会编号", "F001" },
	{ RF_FAIR_SESSIONS, "id", "编号|场次编号|场次", "AM" },
	{ RF_FAIR_SESSIONS, "start", "开始时间|开始", "2026/5/20 9:00" },
	{ RF_FAIR_SESSIONS, "end", "结束时间|结束", "2026/5/20 12:00" },
	{ RF_FAIR_SESSIONS, "booths", "展位数|展位", "50" },
	{ RF_FAIR_SESSIONS, "directions", "方向|方向编号", "D1" },

	{ RF_FAIR_REQUESTS, "fair_id", "双选会编号|双选会|招聘会编号", "F001" },
	{ RF_FAIR_REQUESTS, "enterprise_id", "企业编号|企业", "E001" },
	{ RF_FAIR_REQUESTS, "slots", "场次数|申请场次|展位场次", "1" },
};

static const struct zh *zh_of(int file, const char *col)
{
	for (size_t i = 0; i < sizeof zh_cols / sizeof zh_cols[0]; i++)
		if (zh_cols[i].file == file && !strcmp(zh_cols[i].col, col))
			return &zh_cols[i];
	return NULL;
}

const char *rec_column_zh(enum rec_file file, const char *column)
{
	const struct zh *z = zh_of(file, column);
	return z ? z->names : NULL;
}

/* The first of a '|' list, into buf. */
static const char *first_word(const char *words, char *buf, size_t cap)
{
	size_t p = 0, n;
	const char *w;

	n = cell_next_word(words, &p, &w);
	snprintf(buf, cap, "%.*s", (int)n, w);
	return buf;
}

/* ------------------------------------------------------------- reports */

/* What one build works with. */
struct build {
	struct rec_set *s;
	struct csvio_report *r;
	struct hdr *h;               /* the four files' headers */
};

/* The cell being checked, for its problems. */
struct cellref {
	struct build *b;
	const char *file, *column, *value;
	size_t row;
	int bad;                     /* an error (not a warning) was found */
};

static void cell_problem(struct cellref *x, int warning, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void cell_problem(struct cellref *x, int warning, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	csvio_problem(x->b->r, warning, x->file, x->row, x->column, x->value,
	    "%s", msg);
	if (!warning || x->b->r->strict)
		x->bad = 1;
}

#define ERR(x, ...) cell_problem((x), 0, __VA_ARGS__)
#define WARN(x, ...) cell_problem((x), 1, __VA_ARGS__)

/* -------------------------------------------------------------- header */

/* Where each spec column sits in a file: header column per spec column. */
struct hdr {
	const struct col *cols;
	long *at;                /* spec index -> header column, -1 if none */
	size_t *years;           /* header columns of the cohort years */
	char (*year)[5];         /* and their years */
	size_t nyears;
};

/* Trim spaces (and full-width ones, a stray BOM) and the * that marks a
 * required column in many forms. */
static void head_norm(const char *h, char *buf, size_t cap)
{
	static const char *const blank[] = {
		" ", "\t", "\xe3\x80\x80", "\xef\xbb\xbf", "*", "\xef\xbc\x8a",
	};
	const char *e;
	int again = 1;

	while (again) {
		again = 0;
		for (size_t i = 0; i < sizeof blank / sizeof blank[0]; i++)
			if (!strncmp(h, blank[i], strlen(blank[i]))) {
				h += strlen(blank[i]);
				again = 1;
			}
	}
	e = h + strlen(h);
	for (again = 1; again;) {
		again = 0;
		for (size_t i = 0; i < sizeof blank / sizeof blank[0]; i++) {
			size_t n = strlen(blank[i]);
			if ((size_t)(e - h) >= n && !strncmp(e - n, blank[i], n)) {
				e -= n;
				again = 1;
			}
		}
	}
	snprintf(buf, cap, "%.*s", (int)(e - h), h);
}

/* cohort_YYYY, YYYY届, YYYY届人数 ... : the year into year, 1. */
static int cohort_head(const char *h, char year[5])
{
	static const char *const tails[] = {
		"\xe5\xb1\x8a", "\xe5\xb1\x8a\xe4\xba\xba\xe6\x95\xb0",
		"\xe5\xb1\x8a\xe6\xaf\x95\xe4\xb8\x9a\xe7\x94\x9f",
		"\xe5\xb1\x8a\xe6\xaf\x95\xe4\xb8\x9a\xe7\x94\x9f\xe4\xba\xba\xe6\x95\xb0",
	};
	const char *y = !strncmp(h, "cohort_", 7) ? h + 7 : h;
	int ok = y[0] >= '1' && y[0] <= '9';

	for (int i = 1; i < 4; i++)
		ok &= y[i] >= '0' && y[i] <= '9';
	if (!ok)
		return 0;
	if (y == h) {
		size_t t;
		for (t = 0; t < sizeof tails / sizeof tails[0]; t++)
			if (!strcmp(y + 4, tails[t]))
				break;
		if (t == sizeof tails / sizeof tails[0])
			return 0;
	} else if (y[4]) {
		return 0;
	}
	memcpy(year, y, 4);
	year[4] = 0;
	return 1;
}

/* The spec column of file that a (normalized) header names, or -1. */
static long head_match(enum rec_file file, const char *h, char year[5])
{
	const struct col *cols = file_cols[file];

	for (long c = 0; cols[c].name; c++) {
		if (cols[c].type == CT_COHORTS) {
			if (cohort_head(h, year))
				return c;
			continue;
		}
		if (!strcasecmp(h, cols[c].name))
			return c;
		const struct zh *z = zh_of(file, cols[c].name);
		size_t p = 0, n, hn = strlen(h);
		const char *w;
		while (z && (n = cell_next_word(z->names, &p, &w)))
			if (n == hn && !memcmp(w, h, n))
				return c;
	}
	return -1;
}

/* head_match, retried without a trailing (unit) or （单位）. */
static long head_find(enum rec_file file, const char *head, char year[5])
{
	char h[512];
	long c;

	head_norm(head, h, sizeof h);
	if ((c = head_match(file, h, year)) >= 0)
		return c;
	size_t n = strlen(h);
	char *open = NULL;
	if (n && h[n - 1] == ')')
		open = strrchr(h, '(');
	else if (n >= 3 && !strcmp(h + n - 3, "\xef\xbc\x89"))   /* ） */
		for (char *p = h; (p = strstr(p, "\xef\xbc\x88")); p++)
			open = p;                                      /* （ */
	if (!open || open == h)
		return -1;
	*open = 0;
	char bare[512];
	head_norm(h, bare, sizeof bare);
	return head_match(file, bare, year);
}

/* "id (编号), name (名称) ..." for messages. */
static void col_list(enum rec_file file, char *buf, size_t cap)
{
	char zh[64];

	buf[0] = 0;
	for (const struct col *c = file_cols[file]; c->name; c++) {
		size_t n = strlen(buf);
		const char *names = rec_column_zh(file, c->name);
		snprintf(buf + n, cap - n, "%s%s%s%s%s", n ? ", " : "",
		    c->type == CT_COHORTS ? "cohort_YYYY" : c->name,
		    names ? " (" : "", names ? first_word(names, zh, sizeof zh) : "",
		    names ? ")" : "");
	}
}

/* A column nobody named: fine when every cell of it is empty too. */
static int column_empty(const struct csvio_table *t, size_t j)
{
	for (size_t r = 1; r < t->nrows; r++)
		if (*csvio_cell(t, r, j))
			return 0;
	return 1;
}

static void head_keep(struct rec_set *s, int p, const char *key,
    const char *head)
{
	s->heads[p] = xrealloc(s->heads[p], (s->nheads[p] + 1) *
	    sizeof *s->heads[p]);
	s->heads[p][s->nheads[p]].key = xstrdup(key);
	s->heads[p][s->nheads[p]++].head = xstrdup(head);
}

static const char *kind_word(enum rec_file file)
{
	return file < RF_FAIR_DIRS ? schema_kind_name[file] :
	    file == RF_FAIR_DIRS ? "direction" : file == RF_FAIR_SESSIONS ?
	    "session" : "request";
}

static void hdr_init(struct build *b, int p, enum rec_file file,
    const char *name)
{
	struct hdr *h = &b->h[p];
	const struct csvio_table *t = &b->s->tab[p];
	const struct col *cols = file_cols[file];
	size_t ncols = 0, nhead = t->rows[0].n;
	char list[1024], key[32], year[5], zh[64];

	while (cols[ncols].name)
		ncols++;
	h->cols = cols;
	h->at = xmalloc(ncols * sizeof *h->at);
	h->years = xmalloc((nhead + 1) * sizeof *h->years);
	h->year = xmalloc((nhead + 1) * sizeof *h->year);
	h->nyears = 0;
	for (size_t c = 0; c < ncols; c++)
		h->at[c] = -1;
	for (size_t j = 0; j < nhead; j++) {
		const char *head = csvio_cell(t, 0, j);
		long c;
		if (!*head) {
			if (!column_empty(t, j)) {
				snprintf(key, sizeof key, "column %zu", j + 1);
				csvio_problem(b->r, 0, name, 1, key, "", "the column has "
				    "cells but no name in the header: name it (see "
				    "`chanjiao template %s`)", kind_word(file));
			}
			continue;
		}
		if ((c = head_find(file, head, year)) < 0) {
			col_list(file, list, sizeof list);
			csvio_problem(b->r, 0, name, 1, head, head, "not a column of "
			    "%s (columns: %s; `chanjiao template %s` writes them)%s",
			    rec_file_name[file], list, kind_word(file),
			    strchr(head, '\t') ? "; the header holds tabs: save the "
			    "file as CSV (comma-separated)" : "");
			continue;
		}
		if (cols[c].type == CT_COHORTS) {
			int twice = 0;
			for (size_t y = 0; y < h->nyears; y++)
				twice |= !strcmp(h->year[y], year);
			if (twice) {
				csvio_problem(b->r, 0, name, 1, head, head, "the column is "
				    "given twice (cohort_%s)", year);
				continue;
			}
			memcpy(h->year[h->nyears], year, 5);
			h->years[h->nyears++] = j;
			snprintf(key, sizeof key, "cohort_%s", year);
			head_keep(b->s, p, key, head);
		} else if (h->at[c] >= 0) {
			csvio_problem(b->r, 0, name, 1, head, head, "the column is given "
			    "twice (%s names %s, as %s does)", head, cols[c].name,
			    csvio_cell(t, 0, (size_t)h->at[c]));
		} else {
			h->at[c] = (long)j;
			head_keep(b->s, p, cols[c].name, head);
		}
	}
	for (size_t c = 0; c < ncols; c++) {
		const char *names = rec_column_zh(file, cols[c].name);
		if (!cols[c].required || h->at[c] >= 0)
			continue;
		csvio_problem(b->r, 0, name, 1, NULL, NULL, "no column for %s%s%s%s, "
		    "which every %s needs", cols[c].name, names ? " (" : "",
		    names ? first_word(names, zh, sizeof zh) : "", names ? ")" : "",
		    kind_word(file));
	}
}

/* Cells past the header's last column: an unquoted comma, most often. */
static void check_widths(struct build *b, int p, const char *name)
{
	const struct csvio_table *t = &b->s->tab[p];
	size_t nhead = t->rows[0].n;

	for (size_t r = 1; r < t->nrows; r++)
		for (size_t j = nhead; j < t->rows[r].n; j++)
			if (*csvio_cell(t, r, j)) {
				csvio_problem(b->r, 0, name, t->rows[r].row, NULL, NULL,
				    "%zu cells but %zu columns in the header (a comma in "
				    "a cell that should be quoted? quote the cell: "
				    "\"a, b\")", t->rows[r].n, nhead);
				break;
			}
}

static void hdr_free(struct hdr *h)
{
	free(h->at);
	free(h->years);
	free(h->year);
}

/* A cell as read: the formula guard's ' dropped. */
static const char *cell_at(const struct csvio_table *t, size_t r, size_t j)
{
	return csvio_unguard(csvio_cell(t, r, j));
}

static const char *cell_of(const struct hdr *h, const struct csvio_table *t,
    size_t r, size_t c)
{
	return h->at[c] < 0 ? "" : cell_at(t, r, (size_t)h->at[c]);
}

/* --------------------------------------------------------- cell rules */

static int parse_int(const char *s, long long *v)
{
	const char *p = s;
	int neg = 0;
	unsigned long long x = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (*p < '0' || *p > '9')
		return 0;
	for (; *p >= '0' && *p <= '9'; p++)
		x = x > 100000000000000000ULL ? 1000000000000000000ULL :
		    x * 10 + (unsigned)(*p - '0');
	if (*p)
		return 0;
	if (x > 1000000000000000000ULL)
		x = 1000000000000000000ULL;    /* out of every range anyway */
	*v = neg ? -(long long)x : (long long)x;
	return 1;
}

/* A decimal number cell (the grade): *d. */
static int parse_num(const char *s, double *d)
{
	long long v;
	char *end;

	if (parse_int(s, &v)) {
		*d = (double)v;
		return 1;
	}
	*d = strtod(s, &end);
	return *s && !*end && isfinite(*d) && !strpbrk(s, "xXnN");
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int valid_region(const char *s)
{
	return strlen(s) == 6 && all_digits(s, 6);
}

static int valid_major(const char *s, size_t n)
{
	if (n == 7 && s[6] == 'K')
		n = 6;
	return n == 6 && all_digits(s, 6) && s[0] >= '2' && s[0] <= '7';
}

static int valid_prefix(const char *s, size_t n)
{
	if (n == 7 && s[6] == 'K')
		n = 6;
	return (n == 2 || n == 4 || n == 6) && all_digits(s, n);
}

static int valid_industry(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= 5 && n != 2 && s[0] >= 'A' && s[0] <= 'T' &&
	    all_digits(s + 1, n - 1);
}

/* Full-width digits and letters as ASCII ("３３０７０２" -> "330702"), 1
 * when there were any and nothing else but ASCII. */
static int ascii_of(const char *s, char *buf, size_t cap)
{
	size_t n = 0;
	int wide = 0;

	for (; *s && n + 1 < cap; ) {
		const unsigned char *u = (const unsigned char *)s;
		if (u[0] == 0xef && u[1] == 0xbc && u[2] >= 0x90 && u[2] <= 0xbf) {
			buf[n++] = (char)('0' + u[2] - 0x90);   /* ０-９ Ａ-Ｏ... */
			s += 3;
			wide = 1;
		} else if (u[0] == 0xef && u[1] == 0xbd && u[2] >= 0x80 &&
		    u[2] <= 0x9a) {
			buf[n++] = (char)('`' + u[2] - 0x80);   /* ｀ａ-ｚ */
			s += 3;
			wide = 1;
		} else if (u[0] < 0x80) {
			buf[n++] = *s++;
		} else {
			return 0;
		}
	}
	buf[n] = 0;
	return wide;
}

/* "a (b), c (d)" of up to 3 hits, with how many more. */
static void hits_list(const struct codes_hit *h, size_t found, int where,
    char *buf, size_t cap)
{
	buf[0] = 0;
	for (size_t i = 0; i < found && i < 3; i++) {
		size_t n = strlen(buf);
		snprintf(buf + n, cap - n, "%s%s (%s%s)", i ? (i + 1 == found ||
		    i == 2 ? " or " : ", ") : "", h[i].code, where ? h[i].where : "",
		    h[i].name);
	}
	if (found > 3) {
		size_t n = strlen(buf);
		snprintf(buf + n, cap - n, " (and %zu more)", found - 3);
	}
}

/* The region codes a name (婺城区, 金华, 金华市) stands for: buf, or 0. */
static size_t region_named(const char *s, char *buf, size_t cap)
{
	static const char *const tails[] = { "", "\xe5\xb8\x82", "\xe5\x8c\xba",
	    "\xe5\x8e\xbf", "\xe7\x9c\x81" };      /* 市 区 县 省 */
	struct codes_hit h[3];
	char name[256];
	size_t found = 0;

	for (size_t i = 0; i < sizeof tails / sizeof tails[0] && !found; i++) {
		snprintf(name, sizeof name, "%s%s", s, tails[i]);
		found = codes_region_named(name, h, 3);
	}
	for (size_t i = 0; i < found && i < 3; i++)
		if (!strcmp(h[i].code + 2, "0000") || !strcmp(h[i].code + 4, "00"))
			h[i].where = "";
	hits_list(h, found, 1, buf, cap);
	return found;
}

/* The catalog codes a name stands for ("460103 (高职专科 数控技术)"). */
static size_t major_named(const char *s, char *buf, size_t cap)
{
	struct codes_hit h[3];
	size_t found = codes_major_named(s, h, 3);

	buf[0] = 0;
	for (size_t i = 0; i < found && i < 3; i++) {
		size_t n = strlen(buf);
		snprintf(buf + n, cap - n, "%s%s (%s, %s)", i ? (i + 1 == found ||
		    i == 2 ? " or " : ", ") : "", h[i].code, h[i].name, h[i].where);
	}
	if (found > 3) {
		size_t n = strlen(buf);
		snprintf(buf + n, cap - n, " (and %zu more)", found - 3);
	}
	return found;
}

/* Excel's shortening of a long number: 9.13301E+17. */
static int scientific(const char *s)
{
	const char *p = s;

	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p != 'E' && *p != 'e')
		return 0;
	p++;
	if (*p == '+')
		p++;
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == 0;
}

static void check_id(struct cellref *x, const char *label, const char *s)
{
	size_t n = strlen(s);

	if (n > SCHEMA_ID_MAX)
		ERR(x, "%s must be 1..%d bytes, not %zu", label, SCHEMA_ID_MAX, n);
	else if (scientific(s))
		ERR(x, "%s %s is a number Excel shortened to scientific notation, "
		    "and the id is lost: format the column as Text (文本) and type "
		    "the ids again", label, s);
}

static void check_int(struct cellref *x, const char *label, const char *s,
    long long lo, long long hi)
{
	long long v;
	double d;

	if (parse_int(s, &v)) {
		if (v < lo || v > hi)
			ERR(x, "%s must be in %lld..%lld, not %s", label, lo, hi, s);
		return;
	}
	if (cell_whole_meant(s, &v))
		ERR(x, "%s must be an integer: write %lld, not %s", label, v, s);
	else if (parse_num(s, &d) && d == floor(d) && fabs(d) < 1e15)
		ERR(x, "%s must be an integer: write %.0f, not %s", label, d, s);
	else if (parse_num(s, &d))
		ERR(x, "%s must be an integer (a whole number), not %s", label, s);
	else
		ERR(x, "%s must be an integer (a whole number such as 10), not %s",
		    label, s);
}

static void check_grade(struct cellref *x, const char *label, const char *s)
{
	char fix[64];
	double d;

	if (parse_num(s, &d)) {
		if (!(d >= 0 && d <= 100))
			ERR(x, "%s must be in 0..100, not %s", label, s);
		return;
	}
	if (cell_number_meant(s, fix, sizeof fix))
		ERR(x, "%s must be a number: write %s, not %s", label, fix, s);
	else
		ERR(x, "%s must be a number (such as 88.5), not %s", label, s);
}

static void check_date(struct cellref *x, const char *label, const char *s,
    int datetime)
{
	char out[17], why[128], day[11];
	const char *form = datetime ? "a valid time YYYY-MM-DDTHH:MM (or "
	    "2026/5/20 9:00)" : "a valid date YYYY-MM-DD (or 2026/5/20)";

	if (cell_date(s, datetime, out, why, sizeof why) == 0)
		return;
	if (cell_excel_day(s, day))
		ERR(x, "%s must be %s, not %s, which looks like Excel's day number "
		    "of %s: format the column as a date and save again", label,
		    form, s, day);
	else if (strcmp(why, "not a date"))
		ERR(x, "%s must be %s, not %s: %s", label, form, s, why);
	else
		ERR(x, "%s must be %s, not %s", label, form, s);
}

static void check_word(struct cellref *x, const char *label, const char *s,
    const struct cell_word *t)
{
	char values[256] = "", words[256] = "", zh[64];

	if (cell_word(t, s))
		return;
	for (const struct cell_word *w = t; w->value; w++) {
		if (!strcasecmp(w->value, s)) {
			ERR(x, "%s must be %s, not %s (lower case)", label, w->value, s);
			return;
		}
		size_t n = strlen(values), m = strlen(words);
		snprintf(values + n, sizeof values - n, "%s%s", n ? ", " : "",
		    w->value);
		snprintf(words + m, sizeof words - m, "%s%s", m ? ", " : "",
		    first_word(w->words, zh, sizeof zh));
	}
	ERR(x, "%s must be one of %s (or %s), not %s", label, values, words, s);
}

static void check_region(struct cellref *x, const char *label, const char *s)
{
	struct codes_hit h;
	char fix[512], ascii[64];

	if (valid_region(s)) {
		if (codes_region(s, &h))
			return;
		if (codes_region_near(s, &h))
			WARN(x, "%s %s is not in the GB/T 2260 table "
			    "(data/regions_*.csv): did you mean %s %s (%s)?", label, s,
			    h.code, h.name, h.where);
		else
			WARN(x, "%s %s is not in the GB/T 2260 table "
			    "(data/regions_*.csv), nor is any region starting %.2s",
			    label, s, s);
		return;
	}
	if (ascii_of(s, ascii, sizeof ascii) && valid_region(ascii))
		ERR(x, "%s must be a 6-digit GB/T 2260 region code: write %s (in "
		    "half-width digits), not %s", label, ascii, s);
	else if (strlen(s) == 4 && all_digits(s, 4) && (snprintf(ascii,
	    sizeof ascii, "%s00", s), codes_region(ascii, &h)))
		ERR(x, "%s must be a 6-digit GB/T 2260 region code, not %s: write "
		    "%s for the whole of %s, or the code of one of its districts",
		    label, s, ascii, h.name);
	else if (strlen(s) == 2 && all_digits(s, 2) && (snprintf(ascii,
	    sizeof ascii, "%s0000", s), codes_region(ascii, &h)))
		ERR(x, "%s must be a 6-digit GB/T 2260 region code, not %s: write "
		    "%s for the whole of %s", label, s, ascii, h.name);
	else if (region_named(s, fix, sizeof fix))
		ERR(x, "%s must be a 6-digit GB/T 2260 region code, not the name "
		    "%s: write %s", label, s, fix);
	else
		ERR(x, "%s must be a 6-digit GB/T 2260 region code (such as "
		    "330702), not %s", label, s);
}

/* A well-formed major code or prefix the catalog may lack: a warning. */
static void major_known(struct cellref *x, const char *label, const char *s)
{
	struct codes_hit h;
	size_t n = strlen(s);

	if (codes_major(s, n, &h))
		return;
	if (codes_major_near(s, n, &h))
		WARN(x, "%s %s is not in the 2021 major catalog "
		    "(data/major_catalog_2021.csv): did you mean %s %s (%s)?", label,
		    s, h.code, h.name, h.where);
	else
		WARN(x, "%s %s is not in the 2021 major catalog "
		    "(data/major_catalog_2021.csv), nor is any code starting %.*s",
		    label, s, n >= 4 ? 2 : (int)n, s);
}

static void check_major(struct cellref *x, const char *label, const char *s,
    int prefix)
{
	char fix[512], ascii[64];
	const char *what = prefix ? "a major prefix of 2, 4 or 6 digits" :
	    "a 6-digit 2021 catalog major code (K allowed)";
	size_t n = strlen(s);

	if (prefix ? valid_prefix(s, n) : valid_major(s, n)) {
		major_known(x, label, s);
		return;
	}
	if (n == 7 && s[6] == 'k' && (prefix ? valid_prefix(s, 6) :
	    valid_major(s, 6)))
		ERR(x, "%s must be %s: write %.6sK, not %s", label, what, s, s);
	else if (ascii_of(s, ascii, sizeof ascii) && (prefix ?
	    valid_prefix(ascii, strlen(ascii)) : valid_major(ascii, strlen(ascii))))
		ERR(x, "%s must be %s: write %s (in half-width digits), not %s",
		    label, what, ascii, s);
	else if (major_named(s, fix, sizeof fix))
		ERR(x, "%s must be %s, not the name %s: write %s", label, what, s,
		    fix);
	else
		ERR(x, "%s must be %s, not %s", label, what, s);
}

static void check_industry(struct cellref *x, const char *label,
    const char *s)
{
	char up[16];

	if (valid_industry(s))
		return;
	if (strlen(s) < sizeof up && s[0] >= 'a' && s[0] <= 't') {
		snprintf(up, sizeof up, "%c%s", s[0] - 'a' + 'A', s + 1);
		if (valid_industry(up)) {
			ERR(x, "%s must be a GB/T 4754-2017 code: write %s, not %s",
			    label, up, s);
			return;
		}
	}
	ERR(x, "%s must be a GB/T 4754-2017 code like C36, not %s", label, s);
}

/* The next list item of s at *p (trimmed; separators ';' and '；'). */
static int next_item(const char *s, size_t *p, size_t *start, size_t *len)
{
	for (;;) {
		size_t i = *p, b, e;
		if (!s[i])
			return 0;
		for (e = i; s[e] && s[e] != ';' && strncmp(s + e, "\xef\xbc\x9b", 3); e++)
			;
		*p = !s[e] ? e : e + (s[e] == ';' ? 1 : 3);
		for (b = i; b < e && (s[b] == ' ' || s[b] == '\t'); b++)
			;
		while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
			e--;
		if (e > b) {
			*start = b;
			*len = e - b;
			return 1;
		}
	}
}

static void check_list(struct cellref *x, const char *label, const char *s,
    enum schema_ftype ft)
{
	size_t p = 0, b, n, i = 0;
	char item[1024], path[SCHEMA_PATH_MAX];
	size_t max = ft == SCHEMA_F_IDS ? SCHEMA_IDS_MAX : SCHEMA_TAGS_MAX;

	for (; next_item(s, &p, &b, &n); i++) {
		struct codes_hit h;
		if (i == max) {
			ERR(x, "%s has more than %zu items", label, max);
			return;
		}
		/* the common case, without formatting a path */
		if (ft == SCHEMA_F_TAGS ? n <= SCHEMA_NAME_MAX :
		    ft == SCHEMA_F_IDS ? n <= SCHEMA_ID_MAX && !(s[b] >= '0' &&
		    s[b] <= '9') : valid_prefix(s + b, n) && codes_major(s + b, n, &h))
			continue;
		snprintf(path, sizeof path, "%s[%zu]", label, i);
		if (ft == SCHEMA_F_TAGS && n > SCHEMA_NAME_MAX) {
			ERR(x, "%s must be 1..%d bytes, not %zu", path, SCHEMA_NAME_MAX,
			    n);
			continue;
		}
		if (n >= sizeof item) {
			if (ft != SCHEMA_F_TAGS)
				ERR(x, "%s is %zu bytes long", path, n);
			continue;
		}
		memcpy(item, s + b, n);
		item[n] = 0;
		if (ft == SCHEMA_F_IDS)
			check_id(x, path, item);
		else if (ft == SCHEMA_F_PREFIXES)
			check_major(x, path, item, 1);
	}
}

/*
 * A specialty whose name is another major's catalog name than its code's
 * (560103 数控技术: 560103 is 出版策划与编辑 in 2021, 数控技术 is 460103):
 * most often a code of an older catalog.  A warning.
 */
static void check_name_code(struct cellref *x, const char *code,
    const char *name)
{
	struct codes_hit h, named[3];
	size_t found, keep = 0;
	char list[512] = "";

	if (!valid_major(code, strlen(code)) || !codes_major(code, strlen(code),
	    &h) || !strcmp(h.name, name))
		return;
	found = codes_major_named(name, named, 3);
	for (size_t i = 0; i < found && i < 3; i++)      /* majors, same level */
		if (strlen(named[i].code) >= 6 && !strcmp(named[i].where, h.where))
			named[keep++] = named[i];
	for (size_t i = 0; keep == 0 && i < found && i < 3; i++)
		if (strlen(named[i].code) >= 6)
			named[keep++] = named[i];
	if (keep == 0)
		return;
	for (size_t i = 0; i < keep; i++) {
		size_t n = strlen(list);
		snprintf(list + n, sizeof list - n, "%s%s (%s)", i ? " or " : "",
		    named[i].code, named[i].where);
	}
	WARN(x, "major_code %s is %s in the 2021 catalog, not %s: a code of an "
	    "older catalog? %s is %s", code, h.name, name, name, list);
}

/* The label of column c in messages (the record path's name). */
static const char *label_of(const struct col *c)
{
	return c->name;
}

/* Check one cell of spec column c; s is not empty. */
static void check_cell(struct cellref *x, const struct col *c, const char *s)
{
	const char *label = label_of(c);

	switch (c->type) {
	case CT_INT:
	case CT_SAL_MIN:
	case CT_SAL_MAX:
	case CT_COHORTS:
		check_int(x, label, s, c->ft == SCHEMA_F_POS ? 1 :
		    c->ft == SCHEMA_F_YEAR ? 1000 : 0, c->ft == SCHEMA_F_YEAR ?
		    9999 : SCHEMA_COUNT_MAX);
		return;
	case CT_NUM:
		check_grade(x, label, s);
		return;
	case CT_LIST:
	case CT_MAJORS:
		check_list(x, label, s, c->ft);
		return;
	default:
		break;
	}
	switch (c->ft) {
	case SCHEMA_F_ID:
		check_id(x, label, s);
		break;
	case SCHEMA_F_NAME:
		if (strlen(s) > SCHEMA_NAME_MAX)
			ERR(x, "%s must be 1..%d bytes, not %zu", label,
			    SCHEMA_NAME_MAX, strlen(s));
		break;
	case SCHEMA_F_LEVEL:
		check_word(x, label, s, cell_levels);
		break;
	case SCHEMA_F_PKIND:
		check_word(x, label, s, cell_posting_kinds);
		break;
	case SCHEMA_F_REGION:
		check_region(x, label, s);
		break;
	case SCHEMA_F_MAJOR:
		check_major(x, label, s, 0);
		break;
	case SCHEMA_F_INDUSTRY:
		check_industry(x, label, s);
		break;
	case SCHEMA_F_DATE:
	case SCHEMA_F_DATETIME:
		check_date(x, label, s, c->ft == SCHEMA_F_DATETIME);
		break;
	default:
		break;
	}
}

/* The index of column name among cols (it is there). */
static size_t spec_index(const struct col *cols, const char *name)
{
	size_t c = 0;
	while (cols[c].name && strcmp(cols[c].name, name))
		c++;
	return c;
}

/*
 * Check every cell of row r of file p: 0 when the row may be packed (no
 * errors; warnings allowed unless strict), -1 after its problems.
 */
static int check_row(struct build *b, int p, size_t r, const char *name,
    int *warned)
{
	const struct hdr *h = &b->h[p];
	const struct csvio_table *t = &b->s->tab[p];
	struct cellref x = { b, name, NULL, NULL, t->rows[r].row, 0 };
	size_t before = b->r->warnings;
	char label[96];

	for (size_t c = 0; h->cols[c].name; c++) {
		const struct col *col = &h->cols[c];
		if (col->type == CT_COHORTS) {
			for (size_t y = 0; y < h->nyears; y++) {
				const char *s = cell_at(t, r, h->years[y]);
				if (!*s)
					continue;
				struct col cy = *col;
				snprintf(label, sizeof label, "cohorts.%s", h->year[y]);
				cy.name = label;
				x.column = csvio_cell(t, 0, h->years[y]);
				x.value = s;
				check_cell(&x, &cy, s);
			}
			continue;
		}
		if (h->at[c] < 0)
			continue;
		const char *s = cell_of(h, t, r, c);
		x.column = csvio_cell(t, 0, (size_t)h->at[c]);
		x.value = s;
		if (*s && p == 3 && col->type == CT_INT) {
			/* a request's slots: requests.ENTERPRISE, as the daemon says */
			struct col cr = *col;
			snprintf(label, sizeof label, "requests.%.64s", cell_of(h, t, r,
			    spec_index(h->cols, "enterprise_id")));
			cr.name = label;
			check_cell(&x, &cr, s);
			continue;
		}
		if (*s) {
			check_cell(&x, col, s);
			continue;
		}
		if (col->type == CT_SAL_MIN || col->type == CT_SAL_MAX) {
			size_t other = col->type == CT_SAL_MIN ? c + 1 : c - 1;
			if (h->at[other] >= 0 && *cell_of(h, t, r, other))
				ERR(&x, "salary needs both salary_min and salary_max: "
				    "fill %s too", col->name);
		} else if (col->required && col->type != CT_MAJORS) {
			ERR(&x, "%s is required", col->name);
		}
	}
	if (p == 0 && b->s->kind == SCHEMA_SPECIALTY) {
		long mc = h->at[spec_index(h->cols, "major_code")];
		long nm = h->at[spec_index(h->cols, "name")];
		if (mc >= 0 && nm >= 0) {
			x.column = csvio_cell(t, 0, (size_t)mc);
			x.value = cell_at(t, r, (size_t)mc);
			check_name_code(&x, x.value, cell_at(t, r, (size_t)nm));
		}
	}
	*warned = b->r->warnings > before;
	return x.bad ? -1 : 0;
}

/* ------------------------------------------------------------- packing */

/* The value a cell stands for: dates in ISO form, Chinese words as the
 * enum's value; else the cell. */
static const char *value_of(const struct col *c, const char *s, char *buf)
{
	char why[128];
	const char *v;

	switch (c->ft) {
	case SCHEMA_F_DATE:
	case SCHEMA_F_DATETIME:
		if (cell_date(s, c->ft == SCHEMA_F_DATETIME, buf, why, sizeof why) == 0)
			return buf;
		return s;
	case SCHEMA_F_LEVEL:
		return (v = cell_word(cell_levels, s)) ? v : s;
	case SCHEMA_F_PKIND:
		return (v = cell_word(cell_posting_kinds, s)) ? v : s;
	default:
		return s;
	}
}

/* An integer cell; anything else goes as a string for the checks to name. */
static void pack_int(msgpack_packer *pk, const char *s)
{
	long long v;
	if (parse_int(s, &v))
		msgpack_pack_int64(pk, v);
	else
		proto_pack_cstr(pk, s);
}

static void pack_num(msgpack_packer *pk, const char *s)
{
	long long v;
	double d;

	if (parse_int(s, &v))
		msgpack_pack_int64(pk, v);
	else if (parse_num(s, &d))
		msgpack_pack_double(pk, d);
	else
		proto_pack_cstr(pk, s);
}

static void pack_list(msgpack_packer *pk, const char *s)
{
	size_t p = 0, b, n, count = 0;

	while (next_item(s, &p, &b, &n))
		count++;
	msgpack_pack_array(pk, (uint32_t)count);
	for (p = 0; next_item(s, &p, &b, &n);)
		proto_pack_str(pk, s + b, n);
}

/* Whether spec column c gives the record a key in row r. */
static int col_present(const struct hdr *h, const struct csvio_table *t,
    size_t r, size_t c)
{
	switch (h->cols[c].type) {
	case CT_MAJORS:
		return h->at[c] >= 0;
	case CT_COHORTS:
		return 1;
	case CT_SAL_MIN:
		return *cell_of(h, t, r, c) || *cell_of(h, t, r, c + 1);
	case CT_SAL_MAX:
	case CT_FAIR_ID:
		return 0;
	default:
		return *cell_of(h, t, r, c) != 0;
	}
}

static void pack_col(msgpack_packer *pk, const struct hdr *h,
    const struct csvio_table *t, size_t r, size_t c)
{
	const char *s = cell_of(h, t, r, c);
	size_t y, n = 0;
	char buf[17];

	proto_pack_cstr(pk, col_key(&h->cols[c]));
	switch (h->cols[c].type) {
	case CT_INT:
		pack_int(pk, s);
		break;
	case CT_NUM:
		pack_num(pk, s);
		break;
	case CT_LIST:
	case CT_MAJORS:
		pack_list(pk, s);
		break;
	case CT_COHORTS:
		for (y = 0; y < h->nyears; y++)
			n += *cell_at(t, r, h->years[y]) != 0;
		msgpack_pack_map(pk, (uint32_t)n);
		for (y = 0; y < h->nyears; y++) {
			s = cell_at(t, r, h->years[y]);
			if (!*s)
				continue;
			proto_pack_str(pk, h->year[y], 4);
			pack_int(pk, s);
		}
		break;
	case CT_SAL_MIN:
		msgpack_pack_array(pk, 2);
		pack_int(pk, s);
		pack_int(pk, cell_of(h, t, r, c + 1));
		break;
	default:
		proto_pack_cstr(pk, value_of(&h->cols[c], s, buf));
	}
}

/* Pack row r as a map, with `extra` more keys left for the caller. */
static void pack_row(msgpack_packer *pk, const struct hdr *h,
    const struct csvio_table *t, size_t r, uint32_t extra)
{
	uint32_t n = extra;
	size_t c;

	for (c = 0; h->cols[c].name; c++)
		n += col_present(h, t, r, c);
	msgpack_pack_map(pk, n);
	for (c = 0; h->cols[c].name; c++)
		if (col_present(h, t, r, c))
			pack_col(pk, h, t, r, c);
}

/* ---------------------------------------------------------------- sets */

static void item_push(struct rec_set *s, size_t row)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->items = xrealloc(s->items, s->cap * sizeof *s->items);
	}
	memset(&s->items[s->n], 0, sizeof s->items[s->n]);
	s->items[s->n].row = row;
	s->items[s->n].off = s->buf.size;
	s->n++;
}

/* The arrays double when their length reaches a power of two. */
static void part_push(struct rec_item *it, int p, size_t r)
{
	size_t n = it->nparts[p];

	if ((n & (n - 1)) == 0)
		it->parts[p] = xrealloc(it->parts[p],
		    (n ? 2 * n : 1) * sizeof *it->parts[p]);
	it->parts[p][it->nparts[p]++] = r;
}

void rec_unpack(const struct rec_set *s, size_t i, msgpack_zone *z,
    msgpack_object *o)
{
	size_t off = 0;
	msgpack_unpack(s->buf.data + s->items[i].off, s->items[i].len, &off, z, o);
}

const char *rec_id(const struct rec_set *s, size_t i, char *buf, size_t cap)
{
	msgpack_zone z;
	msgpack_object o;

	msgpack_zone_init(&z, 1024);
	rec_unpack(s, i, &z, &o);
	schema_str(schema_opt(&o, "id"), buf, cap);
	msgpack_zone_destroy(&z);
	return buf;
}

/* The header of column key in file p as written (key when unknown). */
static const char *head_of(const struct rec_set *s, int p, const char *key)
{
	for (size_t i = 0; i < s->nheads[p]; i++)
		if (!strcmp(s->heads[p][i].key, key))
			return s->heads[p][i].head;
	return key;
}

/* The header column of key in file p, -1 when the file has none. */
static long col_of(const struct rec_set *s, int p, const char *key)
{
	const struct csvio_table *t = &s->tab[p];
	const char *head = head_of(s, p, key);

	for (size_t j = 0; t->nrows && j < t->rows[0].n; j++)
		if (!strcmp(csvio_cell(t, 0, j), head))
			return (long)j;
	return -1;
}

/* The row (index into tab[3]) of a fair's request for enterprise key. */
static long request_row(const struct rec_set *s, const struct rec_item *it,
    const char *key, size_t keylen)
{
	const struct csvio_table *t = &s->tab[3];
	long found = -1, col = col_of(s, 3, "enterprise_id");

	for (size_t k = 0; col >= 0 && k < it->nparts[2]; k++) {
		const char *v = cell_at(t, it->parts[2][k], (size_t)col);
		if (strlen(v) == keylen && !memcmp(v, key, keylen))
			found = (long)it->parts[2][k];
	}
	return found;
}

/* "cohorts.2026" -> "cohort_2026", "salary[1]" -> "salary_max" ... */
static void column_of(const char *seg, size_t seglen, const char *rest,
    char *out, size_t cap)
{
	if (seglen == 7 && !memcmp(seg, "cohorts", 7) && rest[0] == '.')
		snprintf(out, cap, "cohort_%.4s", rest + 1);
	else if (seglen == 6 && !memcmp(seg, "salary", 6))
		snprintf(out, cap, "%s", !strncmp(rest, "[1]", 3) ? "salary_max" :
		    "salary_min");
	else
		snprintf(out, cap, "%.*s", (int)seglen, seg);
}

static size_t seg_len(const char *p)
{
	return strcspn(p, ".[");
}

/* rec_locate, with the file's index p and the table row (-1: main row). */
static void locate(const struct rec_set *s, size_t i, const char *path,
    struct rec_loc *l, int *pp, long *tr)
{
	char *col = l->buf;
	const struct rec_item *it = &s->items[i];
	size_t n = seg_len(path);
	static const char *const parts[] = { "directions", "sessions" };

	*pp = 0;
	*tr = -1;
	l->file = s->name;
	l->row = it->row;
	l->column = NULL;
	if (n == 0)
		return;
	for (int p = 0; s->kind == SCHEMA_FAIR && p < 2; p++) {
		char *end;
		size_t k;
		if (n != strlen(parts[p]) || strncmp(path, parts[p], n) ||
		    path[n] != '[')
			continue;
		k = strtoul(path + n + 1, &end, 10);
		if (*end != ']' || k >= it->nparts[p])
			break;
		path = end + 1;
		if (*path == '.')
			path++;
		n = seg_len(path);
		column_of(path, n, path + n, col, sizeof l->buf);
		*pp = p + 1;
		*tr = (long)it->parts[p][k];
		l->file = s->pname[p];
		l->row = s->tab[p + 1].rows[it->parts[p][k]].row;
		l->column = head_of(s, p + 1, *col ? col : "id");
		return;
	}
	if (s->kind == SCHEMA_FAIR && n == 8 && !strncmp(path, "requests", 8) &&
	    (path[8] == '.' || path[8] == '[')) {
		long r = -1;
		const char *which = "enterprise_id";
		if (path[8] == '[') {
			size_t k = strtoul(path + 9, NULL, 10);
			r = k < it->nparts[2] ? (long)it->parts[2][k] : -1;
		} else {
			r = request_row(s, it, path + 9, strlen(path + 9));
			which = "slots";
		}
		if (r >= 0) {
			*pp = 3;
			*tr = r;
			l->file = s->pname[2];
			l->row = s->tab[3].rows[r].row;
			l->column = head_of(s, 3, which);
			return;
		}
	}
	column_of(path, n, path + n, col, sizeof l->buf);
	l->column = head_of(s, 0, col);
}

void rec_locate(const struct rec_set *s, size_t i, const char *path,
    struct rec_loc *l)
{
	int p;
	long r;
	locate(s, i, path, l, &p, &r);
}

void rec_where(const struct rec_set *s, size_t i, const char *path,
    char *out, size_t cap)
{
	struct rec_loc l;

	rec_locate(s, i, path, &l);
	if (l.column)
		snprintf(out, cap, "%s row %zu column %s", l.file, l.row, l.column);
	else
		snprintf(out, cap, "%s row %zu", l.file, l.row);
}

static char *base_name(const char *path)
{
	char *tmp = xstrdup(path), *b = xstrdup(basename(tmp));
	free(tmp);
	return b;
}

/* Check the part rows and give each to its fair (by fair_id). */
static void assign_parts(struct build *b, struct strtab *ids,
    unsigned char *bad[3])
{
	struct rec_set *s = b->s;

	for (int p = 0; p < 3; p++) {
		const struct csvio_table *t = &s->tab[p + 1];
		const struct hdr *h = &b->h[p + 1];
		if (!s->have[p + 1])
			continue;
		bad[p] = xcalloc(t->nrows, 1);
		for (size_t r = 1; r < t->nrows; r++) {
			int warned;
			if (check_row(b, p + 1, r, s->pname[p], &warned) < 0) {
				bad[p][r] = 1;
				if (!*cell_of(h, t, r, 0))
					continue;
			}
			const char *f = cell_of(h, t, r, 0);
			size_t *at = strlen(f) <= SCHEMA_ID_MAX ?
			    strtab_find(ids, f, strlen(f)) : NULL;
			if (!at) {
				if (*f)
					csvio_problem(b->r, 0, s->pname[p], t->rows[r].row,
					    csvio_cell(t, 0, (size_t)h->at[0]), f, "fair %s is "
					    "not in %s: add the fair, or correct the id", f,
					    s->name);
				bad[p][r] = 1;
				continue;
			}
			part_push(&s->items[*at - 1], p, r);
		}
	}
}

static void pack_fair_parts(struct rec_set *s, struct hdr *h,
    const struct rec_item *it, msgpack_packer *pk)
{
	for (int p = 0; p < 2; p++) {
		proto_pack_cstr(pk, p ? "sessions" : "directions");
		msgpack_pack_array(pk, (uint32_t)it->nparts[p]);
		for (size_t k = 0; k < it->nparts[p]; k++)
			pack_row(pk, &h[p + 1], &s->tab[p + 1], it->parts[p][k], 0);
	}
	if (it->nparts[2] == 0)
		return;
	proto_pack_cstr(pk, "requests");
	msgpack_pack_map(pk, (uint32_t)it->nparts[2]);
	for (size_t k = 0; k < it->nparts[2]; k++) {
		size_t r = it->parts[2][k];
		proto_pack_cstr(pk, cell_of(&h[3], &s->tab[3], r, 1));
		pack_int(pk, cell_of(&h[3], &s->tab[3], r, 2));
	}
}

/*
 * The ids seen so far, by hash: a slot is the hash and the item's index
 * (+1; 0 is empty), 16 bytes, where a strtab slot holds the key inline
 * (88 bytes, and twice as many slots as keys: 176 MB for a million rows).
 * Equal hashes are told apart by the item's own id.
 */
struct idset {
	struct { uint64_t h; size_t item; } *t;
	size_t cap, n;
};

static uint64_t id_hash(const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ull;          /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
	return h;
}

/* The item (+1) that already has id k, or 0 after adding item i under it. */
static size_t idset_add(struct idset *d, const struct rec_set *s, size_t i,
    const char *k, size_t n)
{
	char id[SCHEMA_ID_MAX + 1];
	uint64_t h = id_hash(k, n);

	if (2 * (d->n + 1) > d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 1024;
		struct idset g = { xcalloc(cap, sizeof *g.t), cap, d->n };
		for (size_t j = 0; j < d->cap; j++) {
			if (!d->t[j].item)
				continue;
			size_t at = (size_t)d->t[j].h & (cap - 1);
			while (g.t[at].item)
				at = (at + 1) & (cap - 1);
			g.t[at] = d->t[j];
		}
		free(d->t);
		*d = g;
	}
	size_t at = (size_t)h & (d->cap - 1);
	for (; d->t[at].item; at = (at + 1) & (d->cap - 1))
		if (d->t[at].h == h && n <= SCHEMA_ID_MAX &&
		    strlen(rec_id(s, d->t[at].item - 1, id, sizeof id)) == n &&
		    !memcmp(id, k, n))
			return d->t[at].item;
	d->t[at].h = h;
	d->t[at].item = i + 1;
	d->n++;
	return 0;
}

/* Check record i with schema_check and for a unique id. */
static void check_item(struct build *b, size_t i, struct idset *seen,
    msgpack_zone *z)
{
	struct rec_set *s = b->s;
	msgpack_object o;
	struct proto_err pe;
	struct rec_loc l;
	int p;
	long tr;

	msgpack_zone_clear(z);
	rec_unpack(s, i, z, &o);
	if (schema_check(s->kind, &o, "", &pe) < 0) {
		locate(s, i, pe.field, &l, &p, &tr);
		/* requests.KEY given twice or not a fair's enterprise: its id */
		if (p == 3 && strchr(pe.field, '.') && (strstr(pe.message, "twice") ||
		    strstr(pe.message, "enterprise_ids")))
			l.column = head_of(s, 3, "enterprise_id");
		const char *value = "";
		const struct csvio_table *t = &s->tab[p];
		for (size_t j = 0; l.column && t->nrows && j < t->rows[0].n; j++)
			if (!strcmp(csvio_cell(t, 0, j), l.column))
				value = cell_at(t, tr >= 0 ? (size_t)tr : i + 1, j);
		csvio_problem(b->r, 0, l.file, l.row, l.column, value, "%s%s%s",
		    pe.message, *value ? "; the cell holds " : "", value);
		return;
	}
	const msgpack_object *id = schema_opt(&o, "id");
	size_t at = idset_add(seen, s, i, id->via.str.ptr, id->via.str.size);
	if (at) {
		char v[SCHEMA_ID_MAX + 1];
		schema_strcpy(v, sizeof v, id);
		csvio_problem(b->r, 0, s->name, s->items[i].row, head_of(s, 0, "id"),
		    v, "id %s repeats row %zu", v, s->items[at - 1].row);
	}
}

/* An item's id, for sorting. */
struct keyed {
	char *id;
	struct rec_item item;
};

static int keyed_cmp(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->id, ((const struct keyed *)b)->id);
}

/*
 * Put the items in id order (ids are unique by now).  The daemon's
 * B-trees then take a large file at one end, page after page, instead of
 * one random page per record: a national import runs several times
 * faster.  Items keep their rows, so messages still name the file's row.
 */
static void sort_by_id(struct rec_set *s)
{
	struct keyed *v = xmalloc((s->n ? s->n : 1) * sizeof *v);
	char id[SCHEMA_ID_MAX + 1];

	for (size_t i = 0; i < s->n; i++) {
		v[i].id = xstrdup(rec_id(s, i, id, sizeof id));
		v[i].item = s->items[i];
	}
	qsort(v, s->n, sizeof *v, keyed_cmp);
	for (size_t i = 0; i < s->n; i++) {
		s->items[i] = v[i].item;
		free(v[i].id);
	}
	free(v);
}

int rec_build(struct rec_set *s, enum schema_kind k, const struct rec_input in[4],
    const char *enc, struct csvio_report *r)
{
	struct hdr h[4];
	struct build b = { s, r, h };
	struct strtab ids;
	struct idset seen = { NULL, 0, 0 };
	unsigned char *bad[3] = { NULL, NULL, NULL };
	msgpack_packer pk;
	msgpack_zone z;
	int nt = k == SCHEMA_FAIR ? 4 : 1;
	size_t errors = r->errors;

	memset(s, 0, sizeof *s);
	memset(h, 0, sizeof h);
	s->kind = k;
	s->path = in[0].name;
	s->name = xstrdup(in[0].name);
	msgpack_sbuffer_init(&s->buf);
	msgpack_packer_init(&pk, &s->buf, msgpack_sbuffer_write);
	for (int p = 0; p < nt; p++) {
		const char *name = p ? rec_file_name[RF_FAIR_DIRS + p - 1] : s->name;
		if (p)
			s->pname[p - 1] = xstrdup(in[p].name ? in[p].name : name);
		if (p && !in[p].data)
			continue;                   /* no such part file */
		if (csvio_parse(in[p].data ? in[p].data : "", in[p].len,
		    p ? s->pname[p - 1] : name, enc, &s->tab[p], r) == 0)
			s->have[p] = 1;
	}
	if (r->errors > errors)
		return -1;
	s->enc = s->tab[0].enc;
	s->sep = s->tab[0].sep;
	for (int p = 0; p < nt; p++) {
		const char *name = p ? s->pname[p - 1] : s->name;
		if (!s->have[p])
			continue;
		hdr_init(&b, p, p ? (enum rec_file)(RF_FAIR_DIRS + p - 1) :
		    (enum rec_file)k, name);
		check_widths(&b, p, name);
	}
	strtab_init(&ids);
	msgpack_zone_init(&z, 8192);
	if (r->errors > errors)
		goto out;
	const struct csvio_table *t = &s->tab[0];
	for (size_t row = 1; row < t->nrows; row++) {
		item_push(s, t->rows[row].row);
		if (k == SCHEMA_FAIR) {
			const char *id = cell_of(&h[0], t, row, 0);
			if (*id && strlen(id) <= SCHEMA_ID_MAX &&
			    !strtab_find(&ids, id, strlen(id)))
				*strtab_at(&ids, id, strlen(id)) = s->n;
		}
	}
	if (k == SCHEMA_FAIR)
		assign_parts(&b, &ids, bad);
	for (size_t i = 0; i < s->n; i++) {
		size_t row = i + 1;
		int warned, partbad = 0;
		if (check_row(&b, 0, row, s->name, &warned) < 0)
			continue;
		s->warned += warned;
		for (int p = 0; p < 3 && k == SCHEMA_FAIR; p++)
			for (size_t j = 0; bad[p] && j < s->items[i].nparts[p]; j++)
				partbad |= bad[p][s->items[i].parts[p][j]];
		if (partbad)
			continue;
		s->items[i].off = s->buf.size;
		if (k != SCHEMA_FAIR) {
			pack_row(&pk, &h[0], t, row, 0);
		} else {
			pack_row(&pk, &h[0], t, row, 2 + (s->items[i].nparts[2] > 0));
			pack_fair_parts(s, h, &s->items[i], &pk);
		}
		s->items[i].len = s->buf.size - s->items[i].off;
		check_item(&b, i, &seen, &z);
	}
	/* the rows are packed: only a fair's part files are read again */
	csvio_free(&s->tab[0]);
	if (r->errors == errors)
		sort_by_id(s);
out:
	msgpack_zone_destroy(&z);
	strtab_free(&ids);
	free(seen.t);
	for (int p = 0; p < 3; p++)
		free(bad[p]);
	for (int p = 0; p < nt; p++)
		if (h[p].cols)
			hdr_free(&h[p]);
	return r->errors > errors ? -1 : 0;
}

int rec_load(struct rec_set *s, enum schema_kind k, const char *path,
    const char *enc, struct csvio_report *r)
{
	struct rec_input in[4] = { { NULL, NULL, 0 } };
	char *name = base_name(path), *dir, *tmp, *part[3] = { NULL };
	char *data[4] = { NULL };
	size_t before = r->errors;
	int rc;

	in[0].name = name;
	if (!(data[0] = csvio_slurp(path, name, &in[0].len, r))) {
		memset(s, 0, sizeof *s);
		s->kind = k;
		s->path = path;
		s->name = name;
		msgpack_sbuffer_init(&s->buf);
		return -1;
	}
	in[0].data = data[0];
	tmp = xstrdup(path);
	dir = dirname(tmp);
	for (int p = 0; k == SCHEMA_FAIR && p < 3; p++) {
		part[p] = xmalloc(strlen(dir) + 32);
		sprintf(part[p], "%s/%s", dir, rec_file_name[RF_FAIR_DIRS + p]);
		in[p + 1].name = rec_file_name[RF_FAIR_DIRS + p];
		FILE *f = fopen(part[p], "rb");
		if (!f)
			continue;
		fclose(f);
		data[p + 1] = csvio_slurp(part[p], in[p + 1].name, &in[p + 1].len, r);
		in[p + 1].data = data[p + 1];
	}
	rc = rec_build(s, k, in, enc, r);
	s->path = path;
	for (int p = 0; p < 4; p++)
		free(data[p]);
	for (int p = 0; p < 3; p++)
		free(part[p]);
	free(tmp);
	free(name);
	return rc == 0 && r->errors == before ? 0 : -1;
}

void rec_free(struct rec_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		for (int p = 0; p < 3; p++)
			free(s->items[i].parts[p]);
	free(s->items);
	for (int p = 0; p < 4; p++) {
		csvio_free(&s->tab[p]);
		for (size_t j = 0; j < s->nheads[p]; j++) {
			free(s->heads[p][j].key);
			free(s->heads[p][j].head);
		}
		free(s->heads[p]);
	}
	for (int p = 0; p < 3; p++)
		free(s->pname[p]);
	free(s->name);
	msgpack_sbuffer_destroy(&s->buf);
	memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------- writing */

static void sb_num(struct csvio_buf *b, const msgpack_object *o)
{
	char num[40];

	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		snprintf(num, sizeof num, "%llu", (unsigned long long)o->via.u64);
	else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		snprintf(num, sizeof num, "%lld", (long long)o->via.i64);
	else if (o->type == MSGPACK_OBJECT_FLOAT32 || o->type == MSGPACK_OBJECT_FLOAT64) {
		csvio_double(num, sizeof num, o->via.f64);
		if (!strpbrk(num, ".eEn"))
			strcat(num, ".0");    /* a float stays a float */
	} else {
		num[0] = 0;
	}
	csvio_buf_add(b, num, strlen(num));
}

static void sb_value(struct csvio_buf *b, const msgpack_object *o)
{
	if (o->type == MSGPACK_OBJECT_STR)
		csvio_buf_add(b, o->via.str.ptr,
		    strnlen(o->via.str.ptr, o->via.str.size));
	else
		sb_num(b, o);
}

/* Column layout of one output file: spec columns, cohort years. */
struct layout {
	const struct col *cols;
	char (*years)[5];
	size_t nyears;
	size_t bad;             /* values that cannot round-trip */
	int num;                /* the cell being emitted is a number's */
};

static int year_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void layout_init(struct layout *L, enum rec_file file,
    const msgpack_object *const *recs, size_t n)
{
	struct strtab seen;

	memset(L, 0, sizeof *L);
	L->cols = file_cols[file];
	if (file != (enum rec_file)SCHEMA_SPECIALTY)
		return;
	strtab_init(&seen);
	for (size_t i = 0; i < n; i++) {
		const msgpack_object *c = schema_opt(recs[i], "cohorts");
		for (uint32_t j = 0; c && c->type == MSGPACK_OBJECT_MAP &&
		    j < c->via.map.size; j++) {
			const msgpack_object *key = &c->via.map.ptr[j].key;
			if (key->type != MSGPACK_OBJECT_STR || key->via.str.size != 4)
				continue;
			size_t *at = strtab_at(&seen, key->via.str.ptr, 4);
			if (*at)
				continue;
			*at = 1;
			L->years = xrealloc(L->years, (L->nyears + 1) * sizeof *L->years);
			memcpy(L->years[L->nyears], key->via.str.ptr, 4);
			L->years[L->nyears++][4] = 0;
		}
	}
	strtab_free(&seen);
	if (L->nyears)
		qsort(L->years, L->nyears, sizeof *L->years, year_cmp);
}

typedef void emit_fn(const char *cell, size_t col, void *ctx);

static void layout_heads(struct layout *L, emit_fn *emit, void *ctx)
{
	size_t n = 0;
	char head[16];

	L->num = 0;
	for (const struct col *c = L->cols; c->name; c++) {
		if (c->type != CT_COHORTS) {
			emit(c->name, n++, ctx);
			continue;
		}
		for (size_t y = 0; y < L->nyears; y++) {
			snprintf(head, sizeof head, "cohort_%s", L->years[y]);
			emit(head, n++, ctx);
		}
	}
}

/* A list cell; an item holding a separator cannot come back: counted. */
static void sb_list(struct csvio_buf *b, const msgpack_object *v, enum ctype t,
    struct layout *L, const char *what)
{
	uint32_t n;
	const msgpack_object *a = schema_arr(v, &n);

	if (n == 0 && t == CT_LIST) {
		csvio_buf_add(b, ";", 1);  /* an empty list, not an absent one */
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			csvio_buf_add(b, ";", 1);
		size_t before = b->n;
		sb_value(b, &a[i]);
		if (memchr(b->p + before, ';', b->n - before) ||
		    strstr(b->p + before, "\xef\xbc\x9b")) {
			csvio_err("warning: %s: list item \"%s\" holds a ';' and will "
			    "not read back as one item", what, b->p + before);
			L->bad++;
		}
	}
}

/* Emit the cells of rec; fair_id is the owning fair's id for a part. */
static void layout_row(struct layout *L, const msgpack_object *rec,
    const msgpack_object *fair_id, emit_fn *emit, void *ctx)
{
	struct csvio_buf b = { 0 };
	size_t n = 0;
	char what[128], idb[SCHEMA_ID_MAX + 1];

	snprintf(what, sizeof what, "record %s", schema_str(schema_opt(rec, "id"),
	    idb, sizeof idb));
	for (const struct col *c = L->cols; c->name; c++) {
		const msgpack_object *v = schema_opt(rec, col_key(c));
		b.n = 0;
		csvio_buf_add(&b, "", 0);
		if (c->type == CT_COHORTS) {
			for (size_t y = 0; y < L->nyears; y++) {
				const msgpack_object *cnt = schema_opt(v, L->years[y]);
				b.n = 0;
				csvio_buf_add(&b, "", 0);
				if (cnt)
					sb_num(&b, cnt);
				L->num = 1;
				emit(b.p, n++, ctx);
			}
			continue;
		}
		if (c->type == CT_FAIR_ID)
			v = fair_id;
		if (v && (c->type == CT_SAL_MIN || c->type == CT_SAL_MAX)) {
			uint32_t k;
			const msgpack_object *a = schema_arr(v, &k);
			v = k == 2 ? &a[c->type == CT_SAL_MAX] : NULL;
		}
		if (v && (c->type == CT_LIST || c->type == CT_MAJORS))
			sb_list(&b, v, c->type, L, what);
		else if (v)
			sb_value(&b, v);
		L->num = c->type == CT_INT || c->type == CT_NUM ||
		    c->type == CT_SAL_MIN || c->type == CT_SAL_MAX;
		emit(b.p, n++, ctx);
	}
	free(b.p);
}

/* A CSV cell: a number's as it is, any other through the guard. */
struct csv_out {
	FILE *f;
	struct layout *L;
};

static void emit_csv(const char *cell, size_t col, void *ctx)
{
	struct csv_out *o = ctx;

	if (o->L->num)
		csvio_put(o->f, cell, col == 0);
	else
		csvio_put_text(o->f, cell, col == 0);
}

size_t rec_write_csv(FILE *f, enum rec_file file,
    const msgpack_object *const *recs, size_t n)
{
	struct layout L;
	struct csv_out o = { f, &L };
	static const char *const part_key[] = { "directions", "sessions" };

	layout_init(&L, file, recs, n);
	layout_heads(&L, emit_csv, &o);
	csvio_end(f);
	for (size_t i = 0; i < n; i++) {
		const msgpack_object *fid = schema_opt(recs[i], "id");
		if (file < RF_FAIR_DIRS) {
			layout_row(&L, recs[i], NULL, emit_csv, &o);
			csvio_end(f);
		} else if (file != RF_FAIR_REQUESTS) {
			uint32_t k;
			const msgpack_object *a = schema_arr(schema_opt(recs[i],
			    part_key[file - RF_FAIR_DIRS]), &k);
			for (uint32_t j = 0; j < k; j++) {
				layout_row(&L, &a[j], fid, emit_csv, &o);
				csvio_end(f);
			}
		} else {
			const msgpack_object *m = schema_opt(recs[i], "requests");
			struct csvio_buf b = { 0 };
			for (uint32_t j = 0; m && m->type == MSGPACK_OBJECT_MAP &&
			    j < m->via.map.size; j++) {
				char id[SCHEMA_ID_MAX + 1];
				csvio_put_text(f, schema_str(fid, id, sizeof id), 1);
				csvio_put_text(f, schema_str(&m->via.map.ptr[j].key, id,
				    sizeof id), 0);
				b.n = 0;
				csvio_buf_add(&b, "", 0);
				sb_num(&b, &m->via.map.ptr[j].val);
				csvio_put(f, b.p, 0);
				csvio_end(f);
			}
			free(b.p);
		}
	}
	free(L.years);
	return L.bad;
}

void rec_cells(enum schema_kind k, const msgpack_object *const *recs,
    size_t n, void (*head)(const char *text, size_t col, void *ctx),
    void (*cell)(const char *text, size_t col, void *ctx), void *ctx)
{
	struct layout L;

	layout_init(&L, (enum rec_file)k, recs, n);
	layout_heads(&L, head, ctx);
	for (size_t i = 0; i < n; i++)
		layout_row(&L, recs[i], NULL, cell, ctx);
	free(L.years);
}

/* ------------------------------------------------------------ template */

void rec_template(FILE *f, enum rec_file file)
{
	char zh[64];
	const struct zh *z;
	size_t n = 0;

	for (const struct col *c = file_cols[file]; c->name; c++) {
		z = zh_of(file, c->name);
		if (c->type != CT_COHORTS) {
			csvio_put_text(f, first_word(z->names, zh, sizeof zh), n++ == 0);
			continue;
		}
		for (int y = 2026; y <= 2027; y++) {
			snprintf(zh, sizeof zh, "%d\xe5\xb1\x8a", y);       /* 届 */
			csvio_put_text(f, zh, n++ == 0);
		}
	}
	csvio_end(f);
	n = 0;
	for (const struct col *c = file_cols[file]; c->name; c++) {
		z = zh_of(file, c->name);
		csvio_put_text(f, z->example, n++ == 0);
		if (c->type == CT_COHORTS)
			csvio_put(f, "38", 0);
	}
	csvio_end(f);
}
