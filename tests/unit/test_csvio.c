/*
 * test_csvio — the CSV library's rules (docs/csv.md): which encodings a
 * file is read in and which are refused, the cells of a parsed file, the
 * formula guard, one cell's text to its value (dates, Chinese words and
 * numbers), the code tables, and rows to records with every problem
 * located.  Files are built in memory, as the daemon receives them.
 */
#include <stdlib.h>
#include <string.h>

#include "cells.h"
#include "check.h"
#include "codes.h"
#include "csvio.h"
#include "records.h"

/* ------------------------------------------------------------ helpers */

/* The problems of a report as lines, "warning: " before warnings. */
static char *lines(const struct csvio_report *r)
{
	static char buf[1 << 16];
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < r->n && n < sizeof buf - 1; i++) {
		char line[4096];
		csvio_problem_line(&r->v[i], line, sizeof line);
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s\n",
		    r->v[i].warning ? "warning: " : "", line);
	}
	return buf;
}

static int has(const struct csvio_report *r, const char *s)
{
	return strstr(lines(r), s) != NULL;
}

/* Parse bytes; the encoding read, or -1 (r holds why). */
static int parse(const char *data, size_t n, struct csvio_table *t,
    struct csvio_report *r)
{
	csvio_report_init(r, 0);
	if (csvio_parse(data, n, "f.csv", NULL, t, r) < 0)
		return -1;
	return t->enc;
}

#define PARSE(lit, t, r) parse((lit), sizeof(lit) - 1, (t), (r))

/* --------------------------------------------------------- encodings */

TEST(utf8_with_and_without_bom)
{
	struct csvio_table t;
	struct csvio_report r;

	CHECK_EQ_INT(PARSE("id,name\nS1,金华\n", &t, &r), CSVIO_UTF8);
	CHECK_STR(csvio_cell(&t, 1, 1), "金华");
	csvio_free(&t);
	csvio_report_free(&r);
	CHECK_EQ_INT(PARSE("\xef\xbb\xbfid,name\r\nS1,金华\r\n", &t, &r),
	    CSVIO_UTF8);
	CHECK_STR(csvio_cell(&t, 0, 0), "id");
	CHECK_STR(csvio_cell(&t, 1, 1), "金华");
	csvio_free(&t);
	csvio_report_free(&r);
}

TEST(gb18030_long_short_and_with_its_bom)
{
	struct csvio_table t;
	struct csvio_report r;
	/* "id,name\r\nS1,金华职业技术学院\r\n" in GB18030 */
	static const char gb[] = "id,name\r\nS1,\xbd\xf0\xbb\xaa\xd6\xb0\xd2\xb5"
	    "\xbc\xbc\xca\xf5\xd1\xa7\xd4\xba\r\n";
	/* one character, 厂 B3A7, which Big5 reads as a common character too:
	 * a tie goes to GB18030 */
	static const char one[] = "id,name\r\nS1,\xb3\xa7\r\n";

	CHECK_EQ_INT(PARSE(gb, &t, &r), CSVIO_GB18030);
	CHECK_STR(csvio_cell(&t, 1, 1), "金华职业技术学院");
	csvio_free(&t);
	csvio_report_free(&r);
	CHECK_EQ_INT(PARSE(one, &t, &r), CSVIO_GB18030);
	CHECK_STR(csvio_cell(&t, 1, 1), "厂");
	csvio_free(&t);
	csvio_report_free(&r);
	CHECK_EQ_INT(PARSE("\x84\x31\x95\x33" "id\r\n\xb3\xa7\r\n", &t, &r),
	    CSVIO_GB18030);
	CHECK_STR(csvio_cell(&t, 1, 0), "厂");
	csvio_free(&t);
	csvio_report_free(&r);
}

TEST(utf16_with_bom_is_tab_separated_text)
{
	struct csvio_table t;
	struct csvio_report r;
	/* FF FE, then "id\tname\r\nS1\t金华\r\n" in UTF-16LE */
	static const char le[] = "\xff\xfe" "i\0d\0\t\0n\0a\0m\0e\0\r\0\n\0"
	    "S\0" "1\0\t\0\xd1\x91\x4e\x53\r\0\n\0";
	static const char be[] = "\xfe\xff" "\0i\0d\0,\0n\0a\0m\0e\0\n"
	    "\0S\0" "1\0,\x91\xd1\x53\x4e\0\n";

	CHECK_EQ_INT(PARSE(le, &t, &r), CSVIO_UTF16LE);
	CHECK_EQ_INT(t.sep, '\t');
	CHECK_STR(csvio_cell(&t, 0, 1), "name");
	CHECK_STR(csvio_cell(&t, 1, 1), "金华");
	csvio_free(&t);
	csvio_report_free(&r);
	/* without a tab in its first row, a UTF-16 file is comma-separated */
	CHECK_EQ_INT(PARSE(be, &t, &r), CSVIO_UTF16BE);
	CHECK_EQ_INT(t.sep, ',');
	CHECK_STR(csvio_cell(&t, 1, 1), "金华");
	csvio_free(&t);
	csvio_report_free(&r);
}

TEST(a_broken_utf16_character_is_named_at_its_cell)
{
	struct csvio_table t;
	struct csvio_report r;
	/* "id\tname\r\nS1\t金" and a lone high surrogate D800 */
	static const char f[] = "\xff\xfe" "i\0d\0\t\0n\0a\0m\0e\0\r\0\n\0"
	    "S\0" "1\0\t\0\xd1\x91\x00\xd8" "A\0";

	CHECK_EQ_INT(PARSE(f, &t, &r), -1);
	CHECKF(has(&r, "f.csv row 2 column name: the cell 金\\x00\\xD8 ends in "
	    "\\x00\\xD8, which is not UTF-16LE (a broken character, or a file "
	    "cut short)"), "%s", lines(&r));
	csvio_report_free(&r);
}

TEST(refused_encodings_say_how_to_resave)
{
	static const struct {
		const char *what, *data;
		size_t n;
		const char *says;
	} cases[] = {
		/* 國立臺北科技大學 in Big5 */
		{ "big5", "id,name\r\nS1,\xb0\xea\xa5\xdf\xbb\x4f\xa5\x5f\xac\xec"
		  "\xa7\xde\xa4\x6a\xbe\xc7\r\n", 31, "looks like Big5" },
		{ "utf16 without bom", "i\0d\0\n\0S\0" "1\0\n\0", 12,
		  "UTF-16 without a byte-order mark" },
		{ "utf32", "\xff\xfe\0\0i\0\0\0", 8, "UTF-32 is not read" },
		{ "latin1", "id,name\r\nS1,Caf\xe9\r\n", 18,
		  "neither UTF-8 nor GB18030" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct csvio_table t;
		struct csvio_report r;
		CHECK_CTX(cases[i].what);
		CHECK_EQ_INT(parse(cases[i].data, cases[i].n, &t, &r), -1);
		CHECKF(has(&r, cases[i].says), "%s", lines(&r));
		CHECKF(has(&r, "CSV UTF-8"), "%s", lines(&r));
		csvio_report_free(&r);
	}
	CHECK_CTX("");
}

TEST(utf8_but_for_a_few_bytes_names_their_rows_never_gb18030)
{
	struct csvio_table t;
	struct csvio_report r;
	/* 浙江师范大学 then a stray é (Latin-1 E9): read as GB18030 this was
	 * 娴欐睙甯堣寖澶у */
	static const char f[] = "id,name,level\r\nS1,浙江师范大学\xe9,higher\r\n"
	    "S2,\"金华\r\n职业\",higher\r\nS3,嘉兴\xa0学院,higher\r\n";

	CHECK_EQ_INT(PARSE(f, &t, &r), -1);
	CHECKF(has(&r, "f.csv row 2 column name: the cell 浙江师范大学\\xE9 holds "
	    "\\xE9, which is not valid UTF-8: retype the cell"), "%s", lines(&r));
	/* a quoted cell spanning lines is one row: S3 is row 4 */
	CHECKF(has(&r, "f.csv row 4 column name: the cell 嘉兴\\xA0学院 holds "
	    "\\xA0"), "%s", lines(&r));
	CHECKF(has(&r, "f.csv: the file is UTF-8 but for 2 bytes in 2 cells"),
	    "%s", lines(&r));
	CHECK(!has(&r, "娴"));
	CHECK_EQ_INT(r.errors, 3);
	CHECK_STR(r.v[0].value, "浙江师范大学\\xE9");
	CHECK_STR(r.v[0].column, "name");
	CHECK_EQ_INT(r.v[0].row, 2);
	csvio_report_free(&r);
}

TEST(a_utf8_cell_in_a_gb18030_file_is_refused)
{
	struct csvio_table t;
	struct csvio_report r;
	/* 金华职业技术学院 in GB18030, then 浙江师范 in UTF-8 */
	static const char f[] = "id,name\r\nS1,\xbd\xf0\xbb\xaa\xd6\xb0\xd2\xb5"
	    "\xbc\xbc\xca\xf5\xd1\xa7\xd4\xba\r\nS2,浙江师范\r\n";

	CHECK_EQ_INT(PARSE(f, &t, &r), -1);
	CHECKF(has(&r, "f.csv row 3 column name: the cell 娴欐睙甯堣寖 is UTF-8 "
	    "text (浙江师范) in a GB18030 file"), "%s", lines(&r));
	csvio_report_free(&r);
}

TEST(forced_encodings)
{
	struct csvio_table t;
	struct csvio_report r;
	static const char gb[] = "id\r\n\xb3\xa7\r\n";

	csvio_report_init(&r, 0);
	CHECK_EQ_INT(csvio_parse(gb, sizeof gb - 1, "f.csv", "utf-8", &t, &r), -1);
	CHECKF(has(&r, "f.csv row 2 column id: the cell \\xB3\\xA7 holds "
	    "\\xB3\\xA7, which is not valid UTF-8"), "%s", lines(&r));
	CHECKF(has(&r, "(--encoding utf-8)"), "%s", lines(&r));
	csvio_report_free(&r);
	csvio_report_init(&r, 0);
	CHECK_EQ_INT(csvio_parse(gb, sizeof gb - 1, "f.csv", "gb18030", &t, &r),
	    0);
	CHECK_STR(csvio_cell(&t, 1, 0), "厂");
	csvio_free(&t);
	CHECK_EQ_INT(csvio_parse(gb, sizeof gb - 1, "f.csv", "big5", &t, &r), -1);
	csvio_report_free(&r);
}

/* ---------------------------------------------------------------- cells */

TEST(a_nul_in_a_cell_is_named_by_row_and_column)
{
	struct csvio_table t;
	struct csvio_report r;
	static const char f[] = "id,name\nS1,ab\0cd\n";

	CHECK_EQ_INT(PARSE(f, &t, &r), -1);
	CHECKF(has(&r, "f.csv row 2 column name: the cell ab\\x00cd holds a NUL "
	    "byte (\\x00), which would cut it to ab: delete the byte"), "%s",
	    lines(&r));
	CHECK_STR(r.v[0].value, "ab\\x00cd");
	csvio_report_free(&r);
}

TEST(rows_are_the_spreadsheets)
{
	struct csvio_table t;
	struct csvio_report r;
	static const char f[] = "a,b\r\n\"x\ny\",1\r\n\r\n  z  ,\" 2 \"\r\n";

	CHECK_EQ_INT(PARSE(f, &t, &r), CSVIO_UTF8);
	CHECK_EQ_INT(t.nrows, 3);
	CHECK_EQ_INT(t.rows[1].row, 2);
	CHECK_EQ_INT(t.rows[2].row, 4);           /* the blank row counts */
	CHECK_STR(csvio_cell(&t, 1, 0), "x\ny");
	CHECK_STR(csvio_cell(&t, 2, 0), "z");     /* unquoted: trimmed */
	CHECK_STR(csvio_cell(&t, 2, 1), " 2 ");   /* quoted: kept */
	csvio_free(&t);
	csvio_report_free(&r);
	CHECK_EQ_INT(PARSE("a\n\"open\n", &t, &r), -1);
	CHECKF(has(&r, "f.csv row 2: malformed CSV: a quoted cell is not closed"),
	    "%s", lines(&r));
	csvio_report_free(&r);
	CHECK_EQ_INT(PARSE("", &t, &r), -1);
	CHECKF(has(&r, "f.csv: empty file"), "%s", lines(&r));
	csvio_report_free(&r);
}

/* ---------------------------------------------------------------- guard */

/* What csvio_put_text writes for s (one cell, no row end). */
static const char *put_text(const char *s)
{
	static char buf[256];
	memset(buf, 0, sizeof buf);
	FILE *f = fmemopen(buf, sizeof buf, "w");
	csvio_put_text(f, s, 1);
	fclose(f);
	return buf;
}

TEST(formula_guard)
{
	static const struct {
		const char *s, *written;
	} cases[] = {
		{ "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"" },
		{ "+1", "'+1" },
		{ "-a", "'-a" },
		{ "@b", "'@b" },
		{ "\tc", "'\tc" },
		{ "\rd", "\"'\rd\"" },
		{ "-", "-" },                 /* balance's key: no formula */
		{ "'=x", "''=x" },            /* a ' the import would drop */
		{ "'a", "'a" },
		{ "a=b", "a=b" },
		{ "", "" },
		{ " =x", "\" =x\"" },         /* Excel trims nothing: no formula */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CHECK_CTX(cases[i].s);
		CHECK_STR(put_text(cases[i].s), cases[i].written);
	}
	CHECK_CTX("");
	CHECK_STR(csvio_unguard("'=x"), "=x");
	CHECK_STR(csvio_unguard("''=x"), "'=x");
	CHECK_STR(csvio_unguard("'a"), "'a");
	CHECK_STR(csvio_unguard("'-"), "-");
	CHECK_STR(csvio_unguard("''a"), "''a");
}

TEST(guard_then_unguard_is_the_identity)
{
	static const char alpha[] = "'=+-@\ta ";
	char s[8];

	for (int i = 0; i < 20000; i++) {
		size_t n = check_rand_n(6);
		for (size_t j = 0; j < n; j++)
			s[j] = alpha[check_rand_n(sizeof alpha - 1)];
		s[n] = 0;
		const char *w = csvio_guarded(s) ? NULL : s;
		char g[16];
		snprintf(g, sizeof g, "'%s", s);
		CHECKF(!strcmp(csvio_unguard(w ? w : g), s), "[%s]", s);
	}
}

/* ------------------------------------------------------- cell values */

TEST(dates_as_excel_writes_them)
{
	static const struct {
		const char *s;
		int datetime;
		const char *iso, *why;
	} cases[] = {
		{ "2026-05-20", 0, "2026-05-20", NULL },
		{ "2026/5/20", 0, "2026-05-20", NULL },
		{ "2026-5-20", 0, "2026-05-20", NULL },
		{ "2026.5.20", 0, "2026-05-20", NULL },
		{ "2026年5月20日", 0, "2026-05-20", NULL },
		{ "2026/5/20 0:00", 0, "2026-05-20", NULL },
		{ "2026/5/20 9:00", 1, "2026-05-20T09:00", NULL },
		{ "2026-05-20 09:00", 1, "2026-05-20T09:00", NULL },
		{ "2026-05-20T09:00", 1, "2026-05-20T09:00", NULL },
		{ "2026/5/20 9:00:00", 1, "2026-05-20T09:00", NULL },
		{ "2026/5/20 23:59", 1, "2026-05-20T23:59", NULL },
		{ "2028/2/29", 0, "2028-02-29", NULL },
		{ "2026/2/29", 0, NULL, "there is no 29 February 2026 (it has 28 "
		  "days)" },
		{ "2026/13/1", 0, NULL, "there is no month 13" },
		{ "2026/5/20 9:00", 0, NULL, "a date has no time of day: write "
		  "2026-05-20" },
		{ "2026/5/20", 1, NULL, "a time of day is needed too" },
		{ "2026/5/20 24:00", 1, NULL, "there is no time 24:00" },
		{ "2026/5/20 9:00:30", 1, NULL, "seconds are not kept" },
		{ "2026-5/20", 0, NULL, "not a date" },
		{ "20260520", 0, NULL, "not a date" },
		{ "5/20/2026", 0, NULL, "not a date" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[17] = "", why[128];
		CHECK_CTX(cases[i].s);
		int rc = cell_date(cases[i].s, cases[i].datetime, out, why, sizeof why);
		CHECK_EQ_INT(rc, cases[i].iso ? 0 : -1);
		if (cases[i].iso)
			CHECK_STR(out, cases[i].iso);
		else
			CHECKF(strstr(why, cases[i].why), "%s", why);
	}
	CHECK_CTX("");
	char day[11];
	CHECK(cell_excel_day("46162", day));
	CHECK_STR(day, "2026-05-20");
	CHECK(!cell_excel_day("120", day));
}

TEST(numbers_written_in_words)
{
	static const struct {
		const char *s;
		long long v;                  /* -1: no reading */
	} cases[] = {
		{ "十", 10 }, { "十五", 15 }, { "二十", 20 }, { "二十五", 25 },
		{ "一百零五", 105 }, { "两千", 2000 }, { "三万", 30000 },
		{ "一万二千", 12000 }, { "二〇二六", 2026 }, { "五", 5 },
		{ "１０", 10 }, { "1,000", 1000 }, { "1，000", 1000 },
		{ "10人", 10 }, { "约10人", 10 }, { "5000元", 5000 },
		{ "5千", 5000 }, { "1.5万", 15000 }, { "2026届", 2026 },
		{ "5k", 5000 }, { "很多", -1 }, { "1.5", -1 }, { "", -1 },
		{ "十几", -1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long long v = -1;
		CHECK_CTX(cases[i].s);
		int ok = cell_whole_meant(cases[i].s, &v);
		CHECK_EQ_INT(ok, cases[i].v >= 0);
		if (ok)
			CHECK_EQ_INT(v, cases[i].v);
	}
	CHECK_CTX("");
}

TEST(chinese_words_for_levels_and_kinds)
{
	CHECK_STR(cell_word(cell_levels, "中职"), "secondary");
	CHECK_STR(cell_word(cell_levels, "技工"), "technician");
	CHECK_STR(cell_word(cell_levels, "高职"), "higher");
	CHECK_STR(cell_word(cell_levels, "大专"), "higher");
	CHECK_STR(cell_word(cell_levels, "本科"), "bachelor");
	CHECK_STR(cell_word(cell_levels, "higher"), "higher");
	CHECK(cell_word(cell_levels, "大学") == NULL);
	CHECK(cell_word(cell_levels, "Higher") == NULL);
	CHECK_STR(cell_word(cell_posting_kinds, "全职"), "job");
	CHECK_STR(cell_word(cell_posting_kinds, "实习"), "internship");
	CHECK_STR(cell_word(cell_posting_kinds, "学徒"), "apprenticeship");
	CHECK_STR(cell_word(cell_posting_kinds, "订单班"), "order_class");
	/* no word names two values */
	const struct cell_word *const tables[] = { cell_levels, cell_posting_kinds };
	for (size_t t = 0; t < 2; t++)
		for (const struct cell_word *a = tables[t]; a->value; a++) {
			size_t p = 0, n;
			const char *w;
			char word[64];
			while ((n = cell_next_word(a->words, &p, &w))) {
				snprintf(word, sizeof word, "%.*s", (int)n, w);
				CHECKF(!strcmp(cell_word(tables[t], word), a->value), "%s",
				    word);
			}
		}
}

/* ---------------------------------------------------------------- codes */

TEST(region_codes_and_the_nearest)
{
	struct codes_hit h;

	CHECK(codes_region("330702", &h));
	CHECK_STR(h.name, "婺城区");
	CHECK_STR(h.where, "浙江省金华市");
	CHECK(codes_region("330700", &h));        /* a city */
	CHECK_STR(h.name, "金华市");
	CHECK(codes_region("330000", &h));        /* a province */
	CHECK_STR(h.name, "浙江省");
	CHECK(!codes_region("330701", &h));
	/* nearest: the same city first, ties to the smaller */
	CHECK(codes_region_near("330701", &h));
	CHECK_STR(h.code, "330702");
	CHECK(codes_region_near("330780", &h));   /* 330781 is 1 away, 330784 4 */
	CHECK_STR(h.code, "330781");
	/* no city 3399: the province's closest */
	CHECK(codes_region_near("339999", &h));
	CHECK_STR(h.code, "331181");
	CHECK_STR(h.name, "龙泉市");
	CHECK(!codes_region_near("999999", &h));
	struct codes_hit v[3];
	CHECK_EQ_INT(codes_region_named("婺城区", v, 3), 1);
	CHECK_STR(v[0].code, "330702");
	CHECK(codes_region_named("朝阳区", v, 3) >= 2);   /* Beijing, Changchun */
}

TEST(major_codes_and_the_nearest)
{
	struct codes_hit h;

	CHECK(codes_major("460103", 6, &h));
	CHECK_STR(h.name, "数控技术");
	CHECK_STR(h.where, "高职专科");
	CHECK(codes_major("4601", 4, &h));
	CHECK_STR(h.name, "机械设计制造类");
	CHECK(codes_major("46", 2, &h));
	CHECK(codes_major("520101K", 7, &h));
	CHECK(!codes_major("520101", 6, &h));     /* it has its K */
	CHECK(codes_major_near("520101", 6, &h)); /* found at distance 0 */
	CHECK_STR(h.code, "520101K");
	CHECK(!codes_major("560199", 6, &h));
	CHECK(codes_major_near("560199", 6, &h)); /* the class's closest */
	CHECK_STR(h.code, "560106");
	CHECK(codes_major_near("469901", 6, &h)); /* no class 4699: the group's */
	CHECK_EQ_INT(strncmp(h.code, "46", 2), 0);
	CHECK(!codes_major_near("18", 2, &h));
	struct codes_hit v[3];
	CHECK_EQ_INT(codes_major_named("数控技术", v, 3), 2);  /* 260103 460103 */
	CHECK_EQ_INT(codes_major_named("机械设计制造类", v, 3), 3);
}

/* -------------------------------------------------------------- records */

/* Build kind k from one file in memory, into s and r. */
static int build(struct rec_set *s, enum schema_kind k, const char *text,
    struct csvio_report *r, int strict)
{
	struct rec_input in[4] = { { "f.csv", text, strlen(text) } };
	csvio_report_init(r, strict);
	return rec_build(s, k, in, NULL, r);
}

TEST(chinese_headers_values_and_excel_dates)
{
	struct rec_set s;
	struct csvio_report r;
	msgpack_zone z;
	msgpack_object o;
	char id[80];

	CHECK_EQ_INT(build(&s, SCHEMA_POSTING,
	    "编号,企业,岗位名称,类型,招聘人数（人）,专业,层次,开始日期,截止日期\r\n"
	    "P1,E1,数控操作工,全职,5,4601;6601,中职,2026/6/1,2026年12月31日\r\n",
	    &r, 0), 0);
	CHECKF(r.n == 0, "%s", lines(&r));
	CHECK_EQ_INT(s.n, 1);
	msgpack_zone_init(&z, 1024);
	rec_unpack(&s, 0, &z, &o);
	CHECK_STR(schema_str(schema_opt(&o, "enterprise_id"), id, sizeof id), "E1");
	CHECK_STR(schema_str(schema_opt(&o, "kind"), id, sizeof id), "job");
	CHECK_STR(schema_str(schema_opt(&o, "level"), id, sizeof id), "secondary");
	CHECK_STR(schema_str(schema_opt(&o, "start"), id, sizeof id), "2026-06-01");
	CHECK_STR(schema_str(schema_opt(&o, "until"), id, sizeof id), "2026-12-31");
	msgpack_zone_destroy(&z);
	rec_free(&s);
	csvio_report_free(&r);
}

TEST(every_bad_cell_of_a_row_is_reported_with_a_fix)
{
	struct rec_set s;
	struct csvio_report r;

	CHECK_EQ_INT(build(&s, SCHEMA_POSTING,
	    "编号,企业编号,岗位名称,类型,招聘人数,专业,地区,开始日期\r\n"
	    "P1,E1,电工,jobs,十,46;4x,婺城区,2026/2/30\r\n", &r, 0), -1);
	CHECKF(has(&r, "f.csv row 2 column 类型: kind must be one of job, "
	    "internship, apprenticeship, order_class (or 全职, 实习, 学徒, 订单班), "
	    "not jobs"), "%s", lines(&r));
	CHECKF(has(&r, "f.csv row 2 column 招聘人数: headcount must be an "
	    "integer: write 10, not 十"), "%s", lines(&r));
	CHECKF(has(&r, "f.csv row 2 column 专业: majors[1] must be a major "
	    "prefix of 2, 4 or 6 digits, not 4x"), "%s", lines(&r));
	CHECKF(has(&r, "f.csv row 2 column 地区: region must be a 6-digit "
	    "GB/T 2260 region code, not the name 婺城区: write 330702"), "%s",
	    lines(&r));
	CHECKF(has(&r, "f.csv row 2 column 开始日期: start must be a valid date "
	    "YYYY-MM-DD (or 2026/5/20), not 2026/2/30: there is no 30 February"),
	    "%s", lines(&r));
	CHECK_EQ_INT(r.errors, 5);
	CHECK_STR(r.v[1].value, "十");
	rec_free(&s);
	csvio_report_free(&r);
}

TEST(unknown_codes_warn_and_strict_refuses)
{
	struct rec_set s;
	struct csvio_report r;
	static const char f[] = "id,name,level,region\r\nS1,a,higher,339999\r\n";
	static const char g[] = "id,school_id,major_code,name\r\n"
	    "SP1,S1,560199,a\r\nSP2,S1,560103,数控技术\r\n";

	CHECK_EQ_INT(build(&s, SCHEMA_SCHOOL, f, &r, 0), 0);
	CHECK_EQ_INT(r.warnings, 1);
	CHECKF(has(&r, "warning: f.csv row 2 column region: region 339999 is "
	    "not in the GB/T 2260 table (data/regions_*.csv): did you mean 331181 "
	    "龙泉市 (浙江省丽水市)?"), "%s", lines(&r));
	rec_free(&s);
	csvio_report_free(&r);
	CHECK_EQ_INT(build(&s, SCHEMA_SCHOOL, f, &r, 1), -1);
	CHECK_EQ_INT(r.errors, 1);
	CHECK_EQ_INT(r.strict_errors, 1);
	CHECK(r.v[0].warning == 0);
	rec_free(&s);
	csvio_report_free(&r);
	CHECK_EQ_INT(build(&s, SCHEMA_SPECIALTY, g, &r, 0), 0);
	CHECKF(has(&r, "warning: f.csv row 2 column major_code: major_code "
	    "560199 is not in the 2021 major catalog "
	    "(data/major_catalog_2021.csv): did you mean 560106"), "%s",
	    lines(&r));
	/* a 2015 code: in the 2021 catalog, but another major's */
	CHECKF(has(&r, "warning: f.csv row 3 column major_code: major_code "
	    "560103 is 出版策划与编辑 in the 2021 catalog, not 数控技术: a code "
	    "of an older catalog? 数控技术 is 460103 (高职专科)"), "%s",
	    lines(&r));
	rec_free(&s);
	csvio_report_free(&r);
}

TEST(problems_are_kept_up_to_the_cap_and_counted)
{
	struct rec_set s;
	struct csvio_report r;
	size_t cap = 64 + 300 * 16;
	char *f = malloc(cap);
	size_t n = (size_t)snprintf(f, cap, "id,name,level,region\n");

	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(f + n, cap - n, "S%d,a,x,330702\n", i);
	CHECK_EQ_INT(build(&s, SCHEMA_SCHOOL, f, &r, 0), -1);
	CHECK_EQ_INT(r.errors, 300);
	CHECK_EQ_INT(r.n, CSVIO_KEEP);
	CHECK_EQ_INT(r.files[0].errors, 300);
	rec_free(&s);
	csvio_report_free(&r);
	free(f);
}

TEST(headers_names_unknown_twice_missing)
{
	struct rec_set s;
	struct csvio_report r;

	CHECK_EQ_INT(build(&s, SCHEMA_SCHOOL, "编号,id,学校,地区\nS1,S1,x,330702\n",
	    &r, 0), -1);
	CHECKF(has(&r, "f.csv row 1 column id: the column is given twice (id "
	    "names id, as 编号 does)"), "%s", lines(&r));
	/* 学校 names a school's id elsewhere; schools.csv has no such column */
	CHECKF(has(&r, "f.csv row 1 column 学校: not a column of schools.csv "
	    "(columns: id (编号), name (名称), level (层次), region (地区)"), "%s",
	    lines(&r));
	CHECKF(has(&r, "f.csv row 1: no column for name (名称), which every "
	    "school needs"), "%s", lines(&r));
	rec_free(&s);
	csvio_report_free(&r);
	/* English names in any case, *required marks and (units) dropped */
	CHECK_EQ_INT(build(&s, SCHEMA_SPECIALTY, "*ID,学校 ,专业代码,专业名称,"
	    "2026届,2027届人数（人）\nSP1,S1,460103,数控技术,40,38\n", &r, 0), 0);
	CHECKF(r.n == 0, "%s", lines(&r));
	rec_free(&s);
	csvio_report_free(&r);
}

TEST(aliases_are_unambiguous_within_a_file)
{
	static const char *const cols[RF_NFILES][16] = {
		{ "id", "name", "level", "region" },
		{ "id", "school_id", "major_code", "name", "direction", "cohort_",
		  "skills", "chains" },
		{ "id", "name", "region", "industry", "chains", "size" },
		{ "id", "enterprise_id", "title", "kind", "headcount", "majors",
		  "skills", "level", "region", "start", "until", "salary_min",
		  "salary_max" },
		{ "id", "name", "date", "region", "school_ids", "enterprise_ids" },
		{ "id", "enterprise_id", "title", "majors", "mentors", "per_mentor",
		  "region", "level" },
		{ "id", "specialty_id", "grad_year", "grade", "prefs" },
		{ "fair_id", "id", "name", "majors" },
		{ "fair_id", "id", "start", "end", "booths", "directions" },
		{ "fair_id", "enterprise_id", "slots" },
	};
	for (int f = 0; f < RF_NFILES; f++) {
		char seen[64][64];
		size_t nseen = 0;
		for (int c = 0; cols[f][c]; c++) {
			const char *names = rec_column_zh(f, cols[f][c]), *w;
			size_t p = 0, n;
			CHECK_CTX(cols[f][c]);
			CHECK(names != NULL);
			while (names && (n = cell_next_word(names, &p, &w))) {
				for (size_t i = 0; i < nseen; i++)
					CHECKF(strlen(seen[i]) != n || memcmp(seen[i], w, n),
					    "%s: %.*s twice", rec_file_name[f], (int)n, w);
				snprintf(seen[nseen++], sizeof seen[0], "%.*s", (int)n, w);
			}
		}
	}
	CHECK_CTX("");
}

TEST(templates_import_cleanly)
{
	for (int f = 0; f < SCHEMA_NKINDS; f++) {
		char *buf = NULL, *part[3] = { NULL };
		size_t n = 0, pn[3] = { 0 };
		FILE *m = open_memstream(&buf, &n);
		rec_template(m, f);
		fclose(m);
		struct rec_input in[4] = { { rec_file_name[f], buf, n } };
		for (int p = 0; f == SCHEMA_FAIR && p < 3; p++) {
			m = open_memstream(&part[p], &pn[p]);
			rec_template(m, RF_FAIR_DIRS + p);
			fclose(m);
			in[p + 1] = (struct rec_input){ rec_file_name[RF_FAIR_DIRS + p],
			    part[p], pn[p] };
		}
		struct rec_set s;
		struct csvio_report r;
		csvio_report_init(&r, 1);
		CHECK_CTX(rec_file_name[f]);
		CHECK_EQ_INT(rec_build(&s, f, in, NULL, &r), 0);
		CHECKF(r.n == 0, "%s", lines(&r));
		CHECK_EQ_INT(s.n, 1);
		if (f == SCHEMA_FAIR)
			CHECK(s.n == 1 && s.items[0].nparts[0] == 1 &&
			    s.items[0].nparts[1] == 1 && s.items[0].nparts[2] == 1);
		rec_free(&s);
		csvio_report_free(&r);
		free(buf);
		for (int p = 0; p < 3; p++)
			free(part[p]);
	}
	CHECK_CTX("");
}

TEST(export_then_import_keeps_formula_looking_names)
{
	static const char *const names[] = {
		"=HYPERLINK(\"x\")", "+1", "-a", "@b", "\tc", "'=d", "-",
	};
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_zone z;
	msgpack_object o[7];
	const msgpack_object *recs[7];
	size_t n = sizeof names / sizeof names[0], off = 0;
	char *buf = NULL, id[8];
	size_t len = 0;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_map(&pk, 4);
		snprintf(id, sizeof id, "S%zu", i);
		proto_pack_cstr(&pk, "id");
		proto_pack_cstr(&pk, id);
		proto_pack_cstr(&pk, "name");
		proto_pack_cstr(&pk, names[i]);
		proto_pack_cstr(&pk, "level");
		proto_pack_cstr(&pk, "higher");
		proto_pack_cstr(&pk, "region");
		proto_pack_cstr(&pk, "330702");
	}
	msgpack_zone_init(&z, 4096);
	for (size_t i = 0; i < n; i++) {
		msgpack_unpack(sb.data, sb.size, &off, &z, &o[i]);
		recs[i] = &o[i];
	}
	FILE *m = open_memstream(&buf, &len);
	rec_write_csv(m, (enum rec_file)SCHEMA_SCHOOL, recs, n);
	fclose(m);
	CHECKF(strstr(buf, "S0,\"'=HYPERLINK(\"\"x\"\")\",higher,330702"), "%s",
	    buf);
	CHECKF(strstr(buf, "S6,-,higher"), "%s", buf);
	struct rec_set s;
	struct csvio_report r;
	CHECK_EQ_INT(build(&s, SCHEMA_SCHOOL, buf, &r, 0), 0);
	CHECK_EQ_INT(s.n, n);
	for (size_t i = 0; i < s.n; i++) {
		msgpack_zone z2;
		msgpack_object back;
		char nm[64], rid[8];
		msgpack_zone_init(&z2, 1024);
		rec_unpack(&s, i, &z2, &back);
		schema_str(schema_opt(&back, "id"), rid, sizeof rid);
		size_t k = (size_t)atoi(rid + 1);
		CHECK_CTX(names[k]);
		CHECK_STR(schema_str(schema_opt(&back, "name"), nm, sizeof nm),
		    names[k]);
		msgpack_zone_destroy(&z2);
	}
	CHECK_CTX("");
	rec_free(&s);
	csvio_report_free(&r);
	free(buf);
	msgpack_zone_destroy(&z);
	msgpack_sbuffer_destroy(&sb);
}
