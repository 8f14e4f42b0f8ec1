/* ref — reference tables and the domain's words in Chinese; see cli.h. */
#include "cli.h"

#include <string.h>

#include "catalog.h"
#include "cells.h"
#include "codes.h"

/* The names come from the tables the csv library compiles in (codes.h)
 * and model's catalog. */

const char *ref_region(const char *code, size_t n)
{
	const char *name = codes_region_label(code, n);

	/* a county the table lacks is shown by its city */
	return name || n != 6 ? name : codes_region_label(code, 4);
}

const char *ref_industry(const char *code, size_t n)
{
	return codes_industry(code, n);
}

const char *ref_major(const char *code, size_t n)
{
	static int loaded;

	if (!loaded)
		loaded = catalog_load() == 0;
	return catalog_name(code, n);
}

const char *ref_major_level(const char *code, size_t n)
{
	if (n < 2 || code[0] < '2' || code[0] > '7' || code[1] < '0' ||
	    code[1] > '9')
		return NULL;
	return code[0] <= '3' ? "bachelor" : code[0] <= '5' ? "higher" :
	    "secondary";
}

/* ------------------------------------------------------------- words */

/* the CLI's own words; levels and posting kinds are cells.h's */
static const char *const enum_zh[][2] = {
	/* apprenticeship.match */
	{ "matched", "已匹配" }, { "unmatched", "未匹配" },
	{ "no_program", "无可报项目" }, { "outranked", "名额已满（排名靠后）" },
	/* stats.balance keys */
	{ "*", "任何专业" }, { "-", "未填行业" },
};

const char *ref_enum(const char *code, int zh)
{
	const char *w;

	if (!zh || !code)
		return code;
	/* school levels (a major code's level is one of three), posting kinds */
	if ((w = cell_word_zh(cell_levels, code)) ||
	    (w = cell_word_zh(cell_posting_kinds, code)))
		return w;
	for (size_t i = 0; i < sizeof enum_zh / sizeof enum_zh[0]; i++)
		if (!strcmp(code, enum_zh[i][0]))
			return enum_zh[i][1];
	return code;
}

/*
 * Headings: record fields, result keys, and the columns the client adds.
 * One table, so a word is said the same way in every output.
 */
static const char *const heading_zh[][2] = {
	{ "#", "序号" }, { "rank", "名次" },
	{ "id", "编号" }, { "name", "名称" }, { "title", "名称" },
	{ "level", "层次" }, { "region", "地区代码" }, { "region_name", "地区" },
	{ "school_id", "学校编号" }, { "school", "学校" },
	{ "specialty_id", "专业点编号" }, { "specialty", "专业点" },
	{ "enterprise_id", "企业编号" }, { "enterprise", "企业" },
	{ "posting_id", "岗位编号" }, { "posting", "岗位" },
	{ "program_id", "项目编号" }, { "program", "学徒项目" },
	{ "student_id", "学生编号" }, { "student", "学生" },
	{ "direction_id", "方向编号" }, { "direction", "方向" },
	{ "session_id", "场次" }, { "start", "开始" }, { "end", "结束" },
	{ "until", "截止" }, { "date", "日期" },
	{ "major_code", "专业代码" }, { "major_name", "专业" },
	{ "majors", "专业要求" }, { "industry", "行业代码" },
	{ "industry_name", "行业" }, { "chains", "产业链" }, { "chain", "产业链" },
	{ "skills", "技能" }, { "size", "人数" }, { "kind", "类型" },
	{ "headcount", "招聘人数" }, { "salary_min", "月薪下限" },
	{ "salary_max", "月薪上限" }, { "school_ids", "参会学校" },
	{ "enterprise_ids", "参会企业" }, { "mentors", "师傅人数" },
	{ "per_mentor", "每位师傅带徒" }, { "grad_year", "毕业年份" },
	{ "grade", "成绩" }, { "prefs", "志愿" }, { "booths", "展位数" },
	{ "slots", "展位场次" }, { "fair_id", "双选会编号" },
	{ "available", "可供毕业生" }, { "score", "匹配度" },
	{ "why.major", "专业匹配" }, { "why.skills", "技能匹配" },
	{ "why.region", "地区匹配" }, { "why.level", "层次匹配" },
	{ "why.capacity", "人数匹配" }, { "why.chain", "产业链匹配" },
	{ "key", "代码" }, { "supply", "毕业生" }, { "demand", "岗位需求" },
	{ "ratio", "岗位/毕业生" }, { "reachable", "可对接岗位" },
	{ "allocated", "已分配" }, { "positions_per_graduate", "岗位/毕业生" },
	{ "count", "人数" }, { "open", "空缺" }, { "booth", "展位号" },
	{ "wanted", "要求展位" }, { "got", "已安排" }, { "note", "说明" },
	{ "status", "状态" }, { "reason", "原因" }, { "capacity", "名额" },
	{ "filled", "已录取" }, { "left", "空余" },
	{ "signature", "签到人" }, { "phone", "联系电话" },
	{ "signed_at", "签到时间" }, { "item", "项目" }, { "value", "内容" },
};

const char *ref_heading(const char *key, int zh)
{
	static char cohort[32];

	if (!zh)
		return key;
	for (size_t i = 0; i < sizeof heading_zh / sizeof heading_zh[0]; i++)
		if (!strcmp(key, heading_zh[i][0]))
			return heading_zh[i][1];
	if (!strncmp(key, "cohort_", 7) && strlen(key) == 11) {
		snprintf(cohort, sizeof cohort, "%s届", key + 7);
		return cohort;
	}
	return key;
}

/* ------------------------------------------------------------- cells */

/* o's string as a view; "" when o is not a str. */
static const char *str_of(const msgpack_object *o, size_t *n)
{
	if (!o || o->type != MSGPACK_OBJECT_STR) {
		*n = 0;
		return "";
	}
	*n = o->via.str.size;
	return o->via.str.ptr;
}

static void add_code(struct table *t, const msgpack_object *code,
    const char *(*name)(const char *, size_t))
{
	size_t n;
	const char *s = str_of(code, &n);

	table_add_obj(t, code);
	table_add(t, n ? name(s, n) : NULL);
}

void table_add_region(struct table *t, const msgpack_object *code)
{
	add_code(t, code, ref_region);
}

void table_add_industry(struct table *t, const msgpack_object *code)
{
	add_code(t, code, ref_industry);
}

void table_add_major(struct table *t, const msgpack_object *code)
{
	add_code(t, code, ref_major);
}

void table_add_enum(struct table *t, const msgpack_object *code, int zh)
{
	char buf[64];

	if (!code || code->type != MSGPACK_OBJECT_STR)
		table_add_obj(t, code);
	else
		table_add(t, ref_enum(schema_str(code, buf, sizeof buf), zh));
}
