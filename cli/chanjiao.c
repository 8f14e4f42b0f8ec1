/*
 * chanjiao — command-line client for chanjiaod: options, the command
 * table and the small commands.  The rest is in the modules of cli.h.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "cli.h"
#include "match.h"
#include "tokens.h"

static const char usage_text[] =
"usage: chanjiao [--host HOST:PORT | --unix PATH] [--token T] COMMAND ...\n"
"  (the token may also come from $CHANJIAO_TOKEN)\n"
"  chanjiao help COMMAND, or chanjiao COMMAND --help: one command in full\n"
"\n"
"records (KIND: school specialty enterprise posting fair program student)\n"
"  import KIND FILE.csv        one file, all-or-nothing (docs/csv.md)\n"
"  import FILE.csv             the kind from its name (postings.csv ...)\n"
"  import DIR                  schools.csv enterprises.csv specialties.csv\n"
"                              postings.csv fairs.csv (+ fair_directions.csv\n"
"                              fair_sessions.csv fair_requests.csv)\n"
"                              programs.csv students.csv, all-or-nothing\n"
"         [--encoding utf-8|gb18030] [--dry-run] [--strict] [--allow-move]\n"
"         [--sync]\n"
"  export KIND [--csv|--json|--xlsx FILE] [--dir DIR]\n"
"         [--encoding utf-8|gb18030] [--no-bom]\n"
"  export all --dir DIR        every kind, as import DIR reads them\n"
"  template KIND [FILE]        a blank file to fill in: Chinese headers and\n"
"                              an example row [--encoding gb18030] [--no-bom]\n"
"  list KIND [--after ID] [--limit N] [--filter FIELD=VALUE]...\n"
"  get KIND ID | del KIND ID\n"
"\n"
"queries and plans (a table in Chinese by default)\n"
"  candidates POSTING_ID | --query majors=4601,66,skills=CNC,钳工,...\n"
"             [--k N] [--grad-year Y] [--region R] [--min-available N]\n"
"  openings SPECIALTY_ID [--k N] [--kind K]... [--region R] [--grad-year Y]\n"
"  balance --by major|major_class|major_group|industry|direction\n"
"          [--fair F] [--region R] [--grad-year Y]\n"
"  fair allocate FAIR [--min-score S] [--grad-year Y] [--kind K]... [--explain]\n"
"  fair schedule FAIR\n"
"  fair report FAIR [--top N] [--min-score S] [--grad-year Y] [--kind K]...\n"
"  orderclass plan [--school ID] [--region R] [--min-size N] [--max-size N]\n"
"                  [--grad-year Y] [--min-score S] [--kind K]...\n"
"                  [--time-limit MS] [--explain]\n"
"  apprenticeship match [--program ID]... [--region R] [--grad-year Y]\n"
"                       [--explain]\n"
"  output of list and of these: [--lang zh|en] and one of\n"
"    --csv [--encoding gb18030 | --no-bom]   CSV for Excel or programs\n"
"    --xlsx FILE                             an Excel workbook\n"
"    --json                                  the daemon's own result\n"
"\n"
"daemon\n"
"  ping | info | stats | check (admin.verify: walk the store)\n"
"  backup [NAME] [--lang zh|en] [--json]\n"
"                              admin.backup: a copy of the store in the\n"
"                              daemon's backup_dir (default NAME:\n"
"                              chanjiao-YYYYMMDD-HHMMSS.mdb)\n"
"  token new --role ROLE [--owner ID]\n"
"\n"
"Repeated --kind, --program, --filter and --query add up; a list may also\n"
"be given comma-separated (--kinds job,internship).\n"
"exit status: 0 ok, 1 refused by the daemon or bad data, 2 usage,\n"
"3 daemon unreachable or connection lost\n";

/* What --help says of the output options, after each command that has them. */
static const char output_help[] =
"\n"
"output:\n"
"  (a table)          for people: ids beside their names, headings and codes\n"
"                     in Chinese (--lang en: English)\n"
"  --csv              CSV for programs and Excel: field names and codes as the\n"
"                     daemon spells them (--lang zh: Chinese headings and\n"
"                     words, for people); UTF-8 with a BOM, so that Excel\n"
"                     opens it correctly; CRLF row ends\n"
"  --encoding gb18030 the CSV in GB18030 instead (what Excel in China saves)\n"
"  --no-bom           UTF-8 without the BOM (--bom, the default, is accepted)\n"
"  --xlsx FILE        an Excel workbook: a sheet 概要 (summary) and a sheet per\n"
"                     table, headings frozen, columns sized for Chinese text\n"
"  --lang zh|en       the language of headings, titles and codes\n"
"  --json             the daemon's result as JSON (reports: the report)\n";

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	flockfile(stderr);                 /* one line, whichever thread */
	fputs("chanjiao: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

/* -------------------------------------------------------- small commands */

/* A call whose result prints as JSON; {ok: false} (admin.verify) fails. */
static int call_json(const struct opts *o, const char *method,
    const msgpack_sbuffer *params)
{
	struct rpc r;
	struct rpc_reply rep;
	int rc;

	if ((rc = rpc_open(&r, o)) != 0)
		return rc;
	if ((rc = rpc_call_or_fail(&r, method, params, &rep)) == 0) {
		const msgpack_object *ok = schema_get(rep.result, "ok");
		json_print(stdout, rep.result);
		putchar('\n');
		if (ok && ok->type == MSGPACK_OBJECT_BOOLEAN && !ok->via.boolean)
			rc = EXIT_DATA;
		rpc_reply_free(&rep);
	}
	rpc_close(&r);
	return rc;
}

static int cmd_system(const struct opts *o, int argc, char **argv)
{
	char method[32];

	if (argc != 1) {
		cli_err("usage: chanjiao %s", argv[0]);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "check"))
		snprintf(method, sizeof method, "admin.verify");
	else
		snprintf(method, sizeof method, "system.%s", argv[0]);
	return call_json(o, method, NULL);
}

/* get KIND ID / del KIND ID */
static int cmd_record(const struct opts *o, int argc, char **argv)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	char method[32];
	int k = argc == 3 ? rec_kind_of(argv[1]) : -1, rc;

	if (k < 0) {
		cli_err("usage: chanjiao %s KIND ID", argv[0]);
		return EXIT_USAGE;
	}
	snprintf(method, sizeof method, "%s.%s", schema_kind_name[k], argv[0]);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	pack_kv_str(&pk, "id", argv[2]);
	rc = call_json(o, method, &sb);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

/* What to do about admin.backup's refusal of NAME, after the error. */
static void backup_hint(const msgpack_object *err, const char *name, int zh)
{
	struct rpc_error e;

	rpc_error_of(err, &e);
	if (e.code == PROTO_CONFLICT)
		cli_err(zh ? "备份目录中已有文件 %s（未改动）：请换一个名字" :
		    "%s already exists in the backup folder (it is left as it "
		    "was): choose another name", name);
	else if (e.code == PROTO_INVALID_PARAMS && !strcmp(e.field, "path"))
		cli_err(zh ? "%s：备份只写在守护进程的 backup_dir 之内（默认是"
		    "数据目录下的 backups）：给其中的文件名，不要 .." :
		    "%s: backups are written inside the daemon's backup_dir "
		    "only (default: backups in its data dir): give a file name "
		    "in it, without ..", name);
	else if (e.code == PROTO_FORBIDDEN)
		cli_err(zh ? "备份须用 admin 角色的令牌" :
		    "backup takes an admin token");
}

/*
 * backup [NAME]: admin.backup {path: NAME}, NAME by default of the local
 * time; says where the copy is and how big, or why there is none.
 */
static int cmd_backup(const struct opts *o, int argc, char **argv)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct rpc r;
	struct rpc_reply rep;
	char name[64];
	const char *path = argc == 2 ? argv[1] : name;
	int zh = cli_zh(o), rc;

	if (argc > 2 || (argc == 2 && !*argv[1])) {
		cli_err("usage: chanjiao backup [NAME]");
		return EXIT_USAGE;
	}
	if (o->lang && o->fmt == OUT_JSON) {
		cli_err("backup: --lang is for the text output; --json gives the "
		    "daemon's result as it is");
		return EXIT_USAGE;
	}
	if (argc < 2) {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(name, sizeof name, "chanjiao-%Y%m%d-%H%M%S.mdb", &tm);
	}
	if ((rc = rpc_open(&r, o)) != 0)
		return rc;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	pack_kv_str(&pk, "path", path);
	rc = rpc_call(&r, "admin.backup", &sb, &rep) < 0 ? EXIT_CONN : 0;
	msgpack_sbuffer_destroy(&sb);
	if (rc) {
		rpc_close(&r);
		return rc;
	}
	if (rep.error) {
		rc = rpc_report("admin.backup", rep.error);
		backup_hint(rep.error, path, zh);
	} else if (o->fmt == OUT_JSON) {
		json_print(stdout, rep.result);
		putchar('\n');
	} else {
		char file[4096];
		double bytes = schema_num(schema_opt(rep.result, "bytes"));

		schema_str(schema_opt(rep.result, "path"), file, sizeof file);
		if (zh)
			printf("已备份\n文件  %s\n大小  %.2f MB（%.0f 字节）\n",
			    file, bytes / 1048576, bytes);
		else
			printf("backup written\nfile  %s\nsize  %.2f MB (%.0f "
			    "bytes)\n", file, bytes / 1048576, bytes);
	}
	rpc_reply_free(&rep);
	rpc_close(&r);
	return rc;
}

/*
 * A fresh token: 32 random bytes as hex, printed once with the line for
 * the tokens file.  The token itself is stored nowhere.
 */
static int cmd_token(const struct opts *o, int argc, char **argv)
{
	unsigned char raw[32], hash[32];
	char tok[65], hex[65];
	enum tokens_role r = o->role ? tokens_role_parse(o->role) : ROLE_NONE;
	int owned = r == ROLE_SCHOOL || r == ROLE_ENTERPRISE;
	const char *owner = o->owner;

	(void)argv;
	if (argc != 1) {
		cli_err("usage: chanjiao token new --role ROLE [--owner ID]");
		return EXIT_USAGE;
	}
	if (r == ROLE_NONE) {
		cli_err("--role must be admin, organizer, school, enterprise or "
		    "reader");
		return EXIT_USAGE;
	}
	if (owned != (owner != NULL) || (owner && (!*owner || strlen(owner) > 64 ||
	    strpbrk(owner, " \t\r\n#")))) {
		cli_err("--owner ID is needed for school and enterprise tokens only "
		    "(1..64 bytes, no spaces or #)");
		return EXIT_USAGE;
	}
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
		cli_err("getrandom: %s", strerror(errno));
		return EXIT_DATA;
	}
	tokens_hex(raw, tok);
	tokens_hash(tok, 64, hash);
	tokens_hex(hash, hex);
	printf("token: %s\n", tok);
	printf("tokens file line: %s %s %s\n", hex, o->role, owner ? owner : "-");
	return 0;
}

/* ------------------------------------------------------------ dispatch */

enum {
	O_HOST = 256, O_UNIX, O_TOKEN, O_JSON, O_CSV, O_K, O_GRAD_YEAR, O_REGION,
	O_MIN_AVAILABLE, O_KIND, O_BY, O_FAIR, O_MIN_SCORE, O_EXPLAIN, O_DIR,
	O_ENCODING, O_BOM, O_TOP, O_AFTER, O_LIMIT, O_FILTER, O_ROLE,
	O_OWNER, O_DRY_RUN, O_SCHOOL, O_MIN_SIZE, O_MAX_SIZE, O_TIME_LIMIT,
	O_PROGRAM, O_LANG, O_XLSX, O_NO_BOM, O_QUERY,
	O_STRICT, O_ALLOW_MOVE, O_SYNC,
};

/* An option's bit in a command's mask. */
#define OPT(o) (1ull << ((o) - O_HOST))
/* Taken by every command. */
#define O_GLOBAL (OPT(O_HOST) | OPT(O_UNIX) | OPT(O_TOKEN))
/* The output options of the commands that print tables (struct book). */
#define O_OUTPUT (OPT(O_JSON) | OPT(O_CSV) | OPT(O_XLSX) | OPT(O_LANG) | \
    OPT(O_ENCODING) | OPT(O_BOM) | OPT(O_NO_BOM))

/*
 * The command table: each command with the options it takes (any other
 * is refused, naming it, so that no option is silently ignored), its
 * synopsis and its help.
 */
static const struct command {
	const char *name, *sub;    /* sub: a second word ("fair allocate") */
	int (*run)(const struct opts *, int argc, char **argv);
	unsigned long long opts;   /* OPT() bits beyond O_GLOBAL */
	const char *usage, *help;
} commands[] = {
	{ "ping", NULL, cmd_system, OPT(O_JSON), "ping",
	  "system.ping: \"pong\" when the daemon answers.\n" },
	{ "info", NULL, cmd_system, OPT(O_JSON), "info",
	  "system.info: the daemon's version, uptime and record counts (JSON).\n" },
	{ "stats", NULL, cmd_system, OPT(O_JSON), "stats",
	  "system.stats: connections, calls per method, limits hit (JSON).\n" },
	{ "check", NULL, cmd_system, OPT(O_JSON), "check",
	  "admin.verify: walk every record and index; exit 1 on a problem.\n" },
	{ "backup", NULL, cmd_backup, OPT(O_JSON) | OPT(O_LANG),
	  "backup [NAME] [--lang zh|en] [--json]",
	  "admin.backup (admin tokens only): a consistent copy of the whole store\n"
	  "(an LMDB data.mdb), taken while the daemon serves on, written on the\n"
	  "daemon's machine as NAME inside its backup_dir (default: backups in\n"
	  "its data dir).  NAME may name sub-folders (nightly/x.mdb, made when\n"
	  "missing); .. and paths outside backup_dir are refused, and an existing\n"
	  "file is never replaced (exit 1: choose another name).  Without NAME:\n"
	  "chanjiao-YYYYMMDD-HHMMSS.mdb of the local time.  Prints the copy's\n"
	  "absolute path and size.\n"
	  "  --lang zh|en        the language of the output (default zh)\n"
	  "  --json              the daemon's result: {path, bytes}\n"
	  "To restore: stop the daemon, copy the file over DATA_DIR/data.mdb,\n"
	  "start it, and run chanjiao check (README.md, Backups).\n" },
	{ "get", NULL, cmd_record, OPT(O_JSON), "get KIND ID",
	  "The record as JSON.  KIND: school specialty enterprise posting fair\n"
	  "program student (or the plural).\n" },
	{ "del", NULL, cmd_record, OPT(O_JSON), "del KIND ID",
	  "Delete a record (refused while others name it).\n" },
	{ "list", NULL, cmd_list, O_OUTPUT | OPT(O_AFTER) | OPT(O_LIMIT) |
	  OPT(O_FILTER), "list KIND [--after ID] [--limit N] "
	  "[--filter FIELD=VALUE]...",
	  "Records in id order, a page at a time (--limit, at most the daemon's\n"
	  "max_limit; the next page: --after the id it names).  --filter: equal\n"
	  "fields, region and major_code by prefix, a list field containing the\n"
	  "value; repeated filters must all hold.  The table shows names beside\n"
	  "ids and codes (schools, enterprises, specialties, regions, industries,\n"
	  "majors); --csv is exactly `export`'s columns, so it imports back.\n" },
	{ "import", NULL, cmd_import, OPT(O_ENCODING) | OPT(O_DRY_RUN) |
	  OPT(O_STRICT) | OPT(O_ALLOW_MOVE) | OPT(O_SYNC), "import KIND FILE.csv "
	  "| import FILE.csv | import DIR [--encoding utf-8|gb18030] [--dry-run] "
	  "[--strict] [--allow-move] [--sync]",
	  "Import CSV files through the daemon's import.csv: a file, or a whole\n"
	  "directory, is all-or-nothing (docs/csv.md).  A .xlsx file: save it as\n"
	  "CSV first (Excel: CSV UTF-8; or `xlsx2csv`).\n"
	  "Files in UTF-8 (a BOM or none), GB18030 or UTF-16 with a BOM (Excel's\n"
	  "Unicode text, tab-separated) are read; Big5 and others are refused.\n"
	  "Headers may be field names or Chinese names (编号, 学校, 招聘人数 ...),\n"
	  "dates as Excel writes them (2026/5/20 9:00).  Every problem is named\n"
	  "by row and column.  Prints per file: new, updated, unchanged, deleted.\n"
	  "  --strict            refuse codes the shipped tables lack (a region\n"
	  "                      not in GB/T 2260, a major not in the 2021\n"
	  "                      catalog); without it they are warnings\n"
	  "  --dry-run           check everything against the store, write\n"
	  "                      nothing: the report a real import would give\n"
	  "  --allow-move        let a row move a record to another owner (a\n"
	  "                      posting to another enterprise ...)\n"
	  "  --sync              delete the records the files no longer have,\n"
	  "                      among the owners they name\n" },
	{ "export", NULL, cmd_export, OPT(O_JSON) | OPT(O_CSV) | OPT(O_DIR) |
	  OPT(O_ENCODING) | OPT(O_BOM) | OPT(O_NO_BOM) | OPT(O_XLSX), "export KIND "
	  "[--csv|--json|--xlsx FILE] [--dir DIR] [--encoding utf-8|gb18030] "
	  "[--no-bom] | "
	  "export all --dir DIR",
	  "Every record of a kind as CSV (the format import reads) or JSON.\n"
	  "CSV is UTF-8 with a BOM (Excel opens it right; --no-bom: without),\n"
	  "or GB18030 with --encoding gb18030; a text cell Excel would run as a\n"
	  "formula (=, +, -, @ first) is written with a ' before it.\n" },
	{ "template", NULL, cmd_template, OPT(O_ENCODING) | OPT(O_BOM) |
	  OPT(O_NO_BOM), "template KIND [FILE] [--encoding gb18030] [--no-bom]",
	  "A blank CSV file to fill in: the kind's columns under their Chinese\n"
	  "names and one example row that imports cleanly; on stdout without\n"
	  "FILE.  UTF-8 with a BOM (--no-bom: without), or GB18030.  KIND may\n"
	  "also be fair_directions, fair_sessions or fair_requests; `template\n"
	  "fair FILE` writes those three beside FILE too.\n" },
	{ "candidates", NULL, cmd_candidates, O_OUTPUT | OPT(O_K) |
	  OPT(O_GRAD_YEAR) | OPT(O_REGION) | OPT(O_MIN_AVAILABLE) | OPT(O_QUERY),
	  "candidates POSTING_ID | candidates --query KEY=VALUE,... [--k N] "
	  "[--grad-year Y] [--region R] [--min-available N]",
	  "match.candidates: the specialties that can fill a posting, best first,\n"
	  "with the six factors of each score.\n"
	  "  POSTING_ID          a stored posting\n"
	  "  --query KEY=VALUE,...  a posting not stored: majors (required),\n"
	  "                      skills, chains, region (6 digits), level,\n"
	  "                      headcount.  A list goes on after a comma until\n"
	  "                      the next KEY= (or use ;, quoted for the shell);\n"
	  "                      repeated --query add up:\n"
	  "                      --query majors=4601,66,skills=CNC,钳工\n"
	  "                      --query majors=4601,66 --query region=330702\n"
	  "  --k N               how many (default 20)\n"
	  "  --grad-year Y       the cohort counted (default: this year until 31\n"
	  "                      August, then the next; the header says which)\n"
	  "  --region R          schools whose region starts with R (33, 3307)\n"
	  "  --min-available N   specialties with at least N graduates\n" },
	{ "openings", NULL, cmd_openings, O_OUTPUT | OPT(O_K) | OPT(O_KIND) |
	  OPT(O_REGION) | OPT(O_GRAD_YEAR), "openings SPECIALTY_ID [--k N] "
	  "[--kind K]... [--region R] [--grad-year Y]",
	  "match.openings: the postings a specialty's graduates fit, best first.\n"
	  "  --kind K            job, internship, apprenticeship, order_class;\n"
	  "                      several (--kind job --kind internship) are asked\n"
	  "                      one by one and merged by score\n"
	  "  --region R          postings whose region starts with R\n"
	  "  --k N, --grad-year Y  as for candidates\n" },
	{ "balance", NULL, cmd_balance, O_OUTPUT | OPT(O_BY) | OPT(O_FAIR) |
	  OPT(O_REGION) | OPT(O_GRAD_YEAR), "balance --by major|major_class|"
	  "major_group|industry|direction [--fair F] [--region R] [--grad-year Y]",
	  "stats.balance: graduates against positions per major, major class\n"
	  "(专业类), major group (专业大类), industry division or fair direction.\n"
	  "Codes are shown with their catalog names and level, so that parallel\n"
	  "groups are told apart (46 装备制造大类 高职, 66 装备制造大类 中职).\n"
	  "  --fair F            only fair F's schools and enterprises (needed for\n"
	  "                      --by direction); the year defaults to its date's\n" },
	{ "fair", "allocate", cmd_fair_allocate, O_OUTPUT | OPT(O_MIN_SCORE) |
	  OPT(O_GRAD_YEAR) | OPT(O_KIND) | OPT(O_EXPLAIN), "fair allocate FAIR "
	  "[--min-score S] [--grad-year Y] [--kind K]... [--explain]",
	  "fair.allocate: which major direction fills each position; per\n"
	  "direction supply, demand, reachable positions and those allocated.\n"
	  "The graduation year defaults to the fair date's.\n" },
	{ "fair", "schedule", cmd_fair_schedule, O_OUTPUT, "fair schedule FAIR",
	  "fair.schedule: booths per session, the enterprises given fewer\n"
	  "booth-sessions than they asked for, and those given none.\n" },
	{ "fair", "report", cmd_fair_report, O_OUTPUT | OPT(O_TOP) |
	  OPT(O_MIN_SCORE) | OPT(O_GRAD_YEAR) | OPT(O_KIND), "fair report FAIR "
	  "[--top N] [--min-score S] [--grad-year Y] [--kind K]...",
	  "The organizer's report: per direction supply, demand and graduates\n"
	  "allocated, the top enterprises per direction (--top, default 10), the\n"
	  "unfilled postings, the booth plan.  --xlsx adds a sheet per session\n"
	  "and a sign-in sheet (签到表).\n" },
	{ "orderclass", "plan", cmd_orderclass_plan, O_OUTPUT | OPT(O_SCHOOL) |
	  OPT(O_REGION) | OPT(O_MIN_SIZE) | OPT(O_MAX_SIZE) | OPT(O_GRAD_YEAR) |
	  OPT(O_MIN_SCORE) | OPT(O_KIND) | OPT(O_TIME_LIMIT) | OPT(O_EXPLAIN),
	  "orderclass plan [--school ID] [--region R] [--min-size N] "
	  "[--max-size N] [--grad-year Y] [--min-score S] [--kind K]... "
	  "[--time-limit MS] [--explain]",
	  "orderclass.plan: order classes (订单班) of min-size..max-size (20..40)\n"
	  "students, and who is left without one.\n" },
	{ "apprenticeship", "match", cmd_apprenticeship_match, O_OUTPUT |
	  OPT(O_PROGRAM) | OPT(O_REGION) | OPT(O_GRAD_YEAR) | OPT(O_EXPLAIN),
	  "apprenticeship match [--program ID]... [--region R] [--grad-year Y] "
	  "[--explain]",
	  "apprenticeship.match: students to apprenticeship programs (学徒制) by\n"
	  "deferred acceptance; without --grad-year every student takes part.\n" },
	{ "token", "new", cmd_token, OPT(O_ROLE) | OPT(O_OWNER),
	  "token new --role admin|organizer|school|enterprise|reader [--owner ID]",
	  "A fresh token, printed once, and its line for the tokens file.\n" },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* A whole-number option value; -2 (after a message) when it is not. */
static long long num_arg(const char *name, const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < 0) {
		cli_err("--%s %s: expected a whole number", name, s);
		return -2;
	}
	return v;
}

static const struct option long_opts[] = {
	{ "host", required_argument, NULL, O_HOST },
	{ "unix", required_argument, NULL, O_UNIX },
	{ "token", required_argument, NULL, O_TOKEN },
	{ "json", no_argument, NULL, O_JSON },
	{ "csv", no_argument, NULL, O_CSV },
	{ "xlsx", required_argument, NULL, O_XLSX },
	{ "lang", required_argument, NULL, O_LANG },
	{ "k", required_argument, NULL, O_K },
	{ "grad-year", required_argument, NULL, O_GRAD_YEAR },
	{ "region", required_argument, NULL, O_REGION },
	{ "min-available", required_argument, NULL, O_MIN_AVAILABLE },
	{ "kind", required_argument, NULL, O_KIND },
	{ "kinds", required_argument, NULL, O_KIND },
	{ "by", required_argument, NULL, O_BY },
	{ "fair", required_argument, NULL, O_FAIR },
	{ "min-score", required_argument, NULL, O_MIN_SCORE },
	{ "explain", no_argument, NULL, O_EXPLAIN },
	{ "dir", required_argument, NULL, O_DIR },
	{ "encoding", required_argument, NULL, O_ENCODING },
	{ "bom", no_argument, NULL, O_BOM },
	{ "no-bom", no_argument, NULL, O_NO_BOM },
	{ "top", required_argument, NULL, O_TOP },
	{ "after", required_argument, NULL, O_AFTER },
	{ "limit", required_argument, NULL, O_LIMIT },
	{ "filter", required_argument, NULL, O_FILTER },
	{ "query", required_argument, NULL, O_QUERY },
	{ "role", required_argument, NULL, O_ROLE },
	{ "owner", required_argument, NULL, O_OWNER },
	{ "dry-run", no_argument, NULL, O_DRY_RUN },
	{ "strict", no_argument, NULL, O_STRICT },
	{ "allow-move", no_argument, NULL, O_ALLOW_MOVE },
	{ "sync", no_argument, NULL, O_SYNC },
	{ "school", required_argument, NULL, O_SCHOOL },
	{ "min-size", required_argument, NULL, O_MIN_SIZE },
	{ "max-size", required_argument, NULL, O_MAX_SIZE },
	{ "time-limit", required_argument, NULL, O_TIME_LIMIT },
	{ "program", required_argument, NULL, O_PROGRAM },
	{ "programs", required_argument, NULL, O_PROGRAM },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* An option's name (its first spelling) by its code. */
static const char *opt_name(int c)
{
	for (const struct option *lo = long_opts; lo->name; lo++)
		if (lo->val == c)
			return lo->name;
	return "?";
}

/* Store a numeric option; 0, or -1 when it is malformed. */
static int set_num(long long *dst, int c, const char *arg)
{
	*dst = num_arg(opt_name(c), arg);
	return *dst == -2 ? -1 : 0;
}

/* Append arg to a repeatable option's list. */
static void add_arg(const char ***list, int *n, const char *arg)
{
	*list = xrealloc(*list, (size_t)(*n + 1) * sizeof **list);
	(*list)[(*n)++] = arg;
}

static int parse_opt(struct opts *o, int c, const char *arg)
{
	char *end;

	switch (c) {
	case O_HOST: o->host = arg; return 0;
	case O_UNIX: o->unix_path = arg; return 0;
	case O_TOKEN: o->token = arg; return 0;
	case O_JSON: o->fmt = OUT_JSON; return 0;
	case O_CSV: o->fmt = OUT_CSV; return 0;
	case O_XLSX:
		if (!*arg) {
			cli_err("--xlsx needs a file name");
			return -1;
		}
		o->fmt = OUT_XLSX;
		o->xlsx = arg;
		return 0;
	case O_LANG:
		if (strcmp(arg, "zh") && strcmp(arg, "en")) {
			cli_err("--lang must be zh or en");
			return -1;
		}
		o->lang = arg;
		return 0;
	case O_K: return set_num(&o->k, c, arg);
	case O_GRAD_YEAR: return set_num(&o->grad_year, c, arg);
	case O_MIN_AVAILABLE: return set_num(&o->min_available, c, arg);
	case O_TOP: return set_num(&o->top, c, arg);
	case O_LIMIT: return set_num(&o->limit, c, arg);
	case O_MIN_SIZE: return set_num(&o->min_size, c, arg);
	case O_MAX_SIZE: return set_num(&o->max_size, c, arg);
	case O_TIME_LIMIT: return set_num(&o->time_limit, c, arg);
	case O_SCHOOL: o->school = arg; return 0;
	case O_REGION: o->region = arg; return 0;
	case O_KIND: add_arg(&o->kinds, &o->nkinds, arg); return 0;
	case O_BY: o->by = arg; return 0;
	case O_FAIR: o->fair = arg; return 0;
	case O_EXPLAIN: o->explain = 1; return 0;
	case O_DIR: o->dir = arg; return 0;
	case O_ENCODING:
		if (strcmp(arg, "utf-8") && strcmp(arg, "gb18030")) {
			cli_err("--encoding must be utf-8 or gb18030");
			return -1;
		}
		o->encoding = arg;
		return 0;
	case O_BOM: o->bom = 1; return 0;
	case O_NO_BOM: o->no_bom = 1; return 0;
	case O_AFTER: o->after = arg; return 0;
	case O_ROLE: o->role = arg; return 0;
	case O_OWNER: o->owner = arg; return 0;
	case O_DRY_RUN: o->dry_run = 1; return 0;
	case O_STRICT: o->strict = 1; return 0;
	case O_ALLOW_MOVE: o->allow_move = 1; return 0;
	case O_SYNC: o->sync = 1; return 0;
	case O_FILTER:
		add_arg((const char ***)&o->filters, &o->nfilters, arg);
		return 0;
	case O_QUERY:
		add_arg((const char ***)&o->query, &o->nquery, arg);
		return 0;
	case O_PROGRAM: add_arg(&o->programs, &o->nprograms, arg); return 0;
	case O_MIN_SCORE:
		o->min_score = strtod(arg, &end);
		if (!*arg || *end || !isfinite(o->min_score)) {
			cli_err("--min-score %s: expected a number", arg);
			return -1;
		}
		return 0;
	}
	return -1;
}

/* ---------------------------------------------------------------- help */

/* "chanjiao fair report" of a command, into buf. */
static const char *cmd_words(const struct command *c, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s%s", c->name, c->sub ? " " : "",
	    c->sub ? c->sub : "");
	return buf;
}

/* The synopsis wrapped at 78 columns before a " [" or " |". */
static void print_usage(const struct command *c, FILE *f)
{
	const char *s = c->usage;
	size_t col = (size_t)fprintf(f, "usage: chanjiao ");
	int first = 1;

	while (*s) {
		size_t len = 1, w;
		while (s[len] && !(s[len - 1] == ' ' && (s[len] == '[' ||
		    s[len] == '|')))
			len++;
		w = len;
		while (w > 0 && s[w - 1] == ' ')
			w--;                 /* a space between chunks, or a wrap */
		if (!first && col + 1 + w > 78) {
			fputs("\n       ", f);
			col = 7;
		} else if (!first) {
			col += (size_t)fprintf(f, " ");
		}
		col += fwrite(s, 1, w, f);
		s += len;
		first = 0;
	}
	fputc('\n', f);
}

static void print_help(const struct command *c, FILE *f)
{
	print_usage(c, f);
	fputc('\n', f);
	fputs(c->help, f);
	if (c->opts & OPT(O_XLSX))
		fputs(output_help, f);
}

/* Help on `name [sub]`: one command, or every command of that name.
 * Returns 0, or EXIT_USAGE when no command has that name. */
static int help(int argc, char **argv)
{
	int found = 0;

	if (argc < 1) {
		fputs(usage_text, stdout);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, argv[0]) && commands[i].sub &&
		    argc > 1 && !strcmp(commands[i].sub, argv[1])) {
			print_help(&commands[i], stdout);
			return 0;
		}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, argv[0])) {
			if (found++)
				putchar('\n');
			print_help(&commands[i], stdout);
		}
	if (found)
		return 0;
	cli_err("unknown command %s (see chanjiao --help)", argv[0]);
	return EXIT_USAGE;
}

/* ------------------------------------------------------ option checks */

/*
 * The options given that this command does not take, and output options
 * that contradict each other, are refused here, once for every command:
 * 0, or EXIT_USAGE after a message.
 */
static int check_opts(const struct opts *o, const struct command *c,
    unsigned long long given)
{
	unsigned long long extra = given & ~(c->opts | O_GLOBAL);
	unsigned long long fmts = given & (OPT(O_JSON) | OPT(O_CSV) | OPT(O_XLSX));
	char words[64];

	cmd_words(c, words, sizeof words);
	if (extra) {
		int bit = __builtin_ctzll(extra);
		cli_err("%s does not take --%s (see chanjiao help %s)", words,
		    opt_name(O_HOST + bit), words);
		return EXIT_USAGE;
	}
	if (fmts & (fmts - 1)) {
		cli_err("%s: give one of --csv, --json and --xlsx", words);
		return EXIT_USAGE;
	}
	if (o->bom && o->no_bom) {
		cli_err("%s: --bom and --no-bom contradict each other", words);
		return EXIT_USAGE;
	}
	if ((o->bom || o->no_bom) && o->encoding && !strcmp(o->encoding,
	    "gb18030")) {
		cli_err("%s: a BOM is for UTF-8; GB18030 files have none", words);
		return EXIT_USAGE;
	}
	if ((o->encoding || o->bom || o->no_bom) && (o->fmt == OUT_JSON ||
	    o->fmt == OUT_XLSX || ((c->opts & OPT(O_XLSX)) &&
	    c->run != cmd_export && o->fmt != OUT_CSV))) {
		cli_err("%s: --encoding, --bom and --no-bom are for --csv output "
		    "(tables print UTF-8; a workbook has no encoding to choose)",
		    words);
		return EXIT_USAGE;
	}
	if (!(c->opts & OPT(O_XLSX)))
		return 0;
	if (o->lang && o->fmt == OUT_JSON) {
		cli_err("%s: --lang is for tables, --csv and --xlsx; --json gives "
		    "the daemon's result as it is", words);
		return EXIT_USAGE;
	}
	return 0;
}

int cli_zh(const struct opts *o)
{
	return o->lang ? !strcmp(o->lang, "zh") : o->fmt != OUT_CSV;
}

int cli_bom(const struct opts *o)
{
	return !o->no_bom && !(o->encoding && !strcmp(o->encoding, "gb18030"));
}

int cli_dec(const struct opts *o, int text)
{
	return o->fmt == OUT_TABLE ? text : -1;
}

int cli_grad_year(const char *date)
{
	int y, m, d;

	if (!date) {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		return match_grad_year(tm.tm_year + 1900, tm.tm_mon + 1);
	}
	if (sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12)
		return 0;
	return match_grad_year(y, m);
}

int main(int argc, char **argv)
{
	struct opts o = {
		.host = "127.0.0.1:7411", .fmt = OUT_TABLE, .k = -1,
		.grad_year = -1, .min_available = -1, .top = -1,
		.limit = -1, .min_size = -1, .max_size = -1, .time_limit = -1,
		.min_score = NAN,
	};
	unsigned long long given = 0;
	const struct command *cmd = NULL;
	int c, rc = EXIT_USAGE, want_help = 0;

	/* a daemon gone mid-write is an error to report and undo, not death */
	signal(SIGPIPE, SIG_IGN);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		if (c == 'h') {
			want_help = 1;
			continue;
		}
		if (c == '?')
			cli_err("unknown option %s", argv[optind - 1]);
		else if (c == ':')
			cli_err("option %s needs a value", argv[optind - 1]);
		if (c == '?' || c == ':' || parse_opt(&o, c, optarg) < 0) {
			fputs("chanjiao: see chanjiao --help\n", stderr);
			goto out;
		}
		given |= OPT(c);
	}
	argc -= optind;
	argv += optind;
	if (want_help || (argc >= 1 && !strcmp(argv[0], "help"))) {
		rc = want_help ? help(argc, argv) : help(argc - 1, argv + 1);
		goto out;
	}
	if (argc < 1) {
		fputs(usage_text, stderr);
		goto out;
	}
	for (size_t i = 0; i < NCOMMANDS && !cmd; i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		if (!commands[i].sub || (argc >= 2 &&
		    !strcmp(argv[1], commands[i].sub)))
			cmd = &commands[i];
	}
	if (!cmd) {
		cli_err("unknown command %s%s%s (see chanjiao --help)", argv[0],
		    argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
		goto out;
	}
	if ((rc = check_opts(&o, cmd, given)) != 0)
		goto out;
	rc = cmd->sub ? cmd->run(&o, argc - 1, argv + 1) : cmd->run(&o, argc, argv);
out:
	free(o.filters);
	free(o.programs);
	free(o.kinds);
	free(o.query);
	if (fflush(stdout) != 0 && rc == 0) {
		cli_err("stdout: %s", strerror(errno));
		rc = EXIT_DATA;
	}
	return rc;
}
