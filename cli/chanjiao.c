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

#include "cli.h"
#include "tokens.h"

static const char usage_text[] =
"usage: chanjiao [--host HOST:PORT | --unix PATH] [--token T] COMMAND ...\n"
"  (the token may also come from $CHANJIAO_TOKEN)\n"
"\n"
"records (KIND: school specialty enterprise posting fair program student)\n"
"  import KIND FILE.csv        one file, all-or-nothing (docs/csv.md)\n"
"  import FILE.csv             the kind from its name (postings.csv ...)\n"
"  import DIR                  schools.csv enterprises.csv specialties.csv\n"
"                              postings.csv fairs.csv (+ fair_directions.csv\n"
"                              fair_sessions.csv fair_requests.csv)\n"
"                              programs.csv students.csv, in that order\n"
"         [--encoding utf-8|gb18030] [--batch N] [--dry-run]\n"
"  export KIND [--csv|--json] [--dir DIR] [--encoding utf-8|gb18030] [--bom]\n"
"  export all --dir DIR        every kind, as import DIR reads them\n"
"  list KIND [--after ID] [--limit N] [--filter FIELD=VALUE]...\n"
"  get KIND ID | del KIND ID\n"
"\n"
"queries (a table by default; --csv or --json for programs)\n"
"  candidates POSTING_ID [--k N] [--grad-year Y] [--region R]\n"
"             [--min-available N]\n"
"  openings SPECIALTY_ID [--k N] [--kind K] [--region R] [--grad-year Y]\n"
"  balance --by major|major_class|major_group|industry|direction\n"
"          [--fair F] [--region R] [--grad-year Y]\n"
"  fair allocate FAIR [--min-score S] [--grad-year Y] [--kind K] [--explain]\n"
"  fair schedule FAIR\n"
"  fair report FAIR [--top N] [--min-score S] [--grad-year Y] [--kind K]\n"
"  orderclass plan [--school ID] [--region R] [--min-size N] [--max-size N]\n"
"                  [--grad-year Y] [--min-score S] [--kinds K,K...]\n"
"                  [--time-limit MS] [--explain]\n"
"  apprenticeship match [--program ID]... [--programs ID,ID...] [--region R]\n"
"                       [--grad-year Y] [--explain]\n"
"\n"
"daemon\n"
"  ping | info | stats | check (admin.verify: walk the store)\n"
"  token new --role ROLE [--owner ID]\n"
"\n"
"exit status: 0 ok, 1 refused by the daemon or bad data, 2 usage,\n"
"3 daemon unreachable or connection lost\n";

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

static const struct command {
	const char *name, *sub;    /* sub: a second word ("fair allocate") */
	int (*run)(const struct opts *, int argc, char **argv);
} commands[] = {
	{ "ping", NULL, cmd_system },
	{ "info", NULL, cmd_system },
	{ "stats", NULL, cmd_system },
	{ "check", NULL, cmd_system },
	{ "get", NULL, cmd_record },
	{ "del", NULL, cmd_record },
	{ "list", NULL, cmd_list },
	{ "import", NULL, cmd_import },
	{ "export", NULL, cmd_export },
	{ "candidates", NULL, cmd_candidates },
	{ "openings", NULL, cmd_openings },
	{ "balance", NULL, cmd_balance },
	{ "fair", "allocate", cmd_fair_allocate },
	{ "fair", "schedule", cmd_fair_schedule },
	{ "fair", "report", cmd_fair_report },
	{ "orderclass", "plan", cmd_orderclass_plan },
	{ "apprenticeship", "match", cmd_apprenticeship_match },
	{ "token", "new", cmd_token },
};

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

enum {
	O_HOST = 256, O_UNIX, O_TOKEN, O_JSON, O_CSV, O_K, O_GRAD_YEAR, O_REGION,
	O_MIN_AVAILABLE, O_KIND, O_BY, O_FAIR, O_MIN_SCORE, O_EXPLAIN, O_DIR,
	O_ENCODING, O_BOM, O_BATCH, O_TOP, O_AFTER, O_LIMIT, O_FILTER, O_ROLE,
	O_OWNER, O_DRY_RUN, O_SCHOOL, O_MIN_SIZE, O_MAX_SIZE, O_TIME_LIMIT,
	O_PROGRAM,
};

static const struct option long_opts[] = {
	{ "host", required_argument, NULL, O_HOST },
	{ "unix", required_argument, NULL, O_UNIX },
	{ "token", required_argument, NULL, O_TOKEN },
	{ "json", no_argument, NULL, O_JSON },
	{ "csv", no_argument, NULL, O_CSV },
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
	{ "batch", required_argument, NULL, O_BATCH },
	{ "top", required_argument, NULL, O_TOP },
	{ "after", required_argument, NULL, O_AFTER },
	{ "limit", required_argument, NULL, O_LIMIT },
	{ "filter", required_argument, NULL, O_FILTER },
	{ "role", required_argument, NULL, O_ROLE },
	{ "owner", required_argument, NULL, O_OWNER },
	{ "dry-run", no_argument, NULL, O_DRY_RUN },
	{ "school", required_argument, NULL, O_SCHOOL },
	{ "min-size", required_argument, NULL, O_MIN_SIZE },
	{ "max-size", required_argument, NULL, O_MAX_SIZE },
	{ "time-limit", required_argument, NULL, O_TIME_LIMIT },
	{ "program", required_argument, NULL, O_PROGRAM },
	{ "programs", required_argument, NULL, O_PROGRAM },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Store a numeric option; 0, or -1 when it is malformed. */
static int set_num(long long *dst, int c, const char *arg)
{
	const char *name = "?";
	for (const struct option *lo = long_opts; lo->name; lo++)
		if (lo->val == c)
			name = lo->name;
	*dst = num_arg(name, arg);
	return *dst == -2 ? -1 : 0;
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
	case O_K: return set_num(&o->k, c, arg);
	case O_GRAD_YEAR: return set_num(&o->grad_year, c, arg);
	case O_MIN_AVAILABLE: return set_num(&o->min_available, c, arg);
	case O_BATCH: return set_num(&o->batch, c, arg);
	case O_TOP: return set_num(&o->top, c, arg);
	case O_LIMIT: return set_num(&o->limit, c, arg);
	case O_MIN_SIZE: return set_num(&o->min_size, c, arg);
	case O_MAX_SIZE: return set_num(&o->max_size, c, arg);
	case O_TIME_LIMIT: return set_num(&o->time_limit, c, arg);
	case O_SCHOOL: o->school = arg; return 0;
	case O_REGION: o->region = arg; return 0;
	case O_KIND: o->kind = arg; return 0;
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
	case O_AFTER: o->after = arg; return 0;
	case O_ROLE: o->role = arg; return 0;
	case O_OWNER: o->owner = arg; return 0;
	case O_DRY_RUN: o->dry_run = 1; return 0;
	case O_FILTER:
		o->filters = xrealloc(o->filters, (size_t)(o->nfilters + 1) *
		    sizeof *o->filters);
		o->filters[o->nfilters++] = (char *)arg;
		return 0;
	case O_PROGRAM:
		o->programs = xrealloc(o->programs, (size_t)(o->nprograms + 1) *
		    sizeof *o->programs);
		o->programs[o->nprograms++] = arg;
		return 0;
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

int main(int argc, char **argv)
{
	struct opts o = {
		.host = "127.0.0.1:7411", .fmt = OUT_TABLE, .k = -1,
		.grad_year = -1, .min_available = -1, .batch = -1, .top = -1,
		.limit = -1, .min_size = -1, .max_size = -1, .time_limit = -1,
		.min_score = NAN,
	};
	int c, rc = EXIT_USAGE;

	/* a daemon gone mid-write is an error to report and undo, not death */
	signal(SIGPIPE, SIG_IGN);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return 0;
		}
		if (c == '?')
			cli_err("unknown option %s", argv[optind - 1]);
		else if (c == ':')
			cli_err("option %s needs a value", argv[optind - 1]);
		if (c == '?' || c == ':' || parse_opt(&o, c, optarg) < 0) {
			fputs("chanjiao: see chanjiao --help\n", stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		const struct command *cmd = &commands[i];
		if (strcmp(argv[0], cmd->name))
			continue;
		if (!cmd->sub) {
			rc = cmd->run(&o, argc, argv);
			goto out;
		}
		if (argc >= 2 && !strcmp(argv[1], cmd->sub)) {
			rc = cmd->run(&o, argc - 1, argv + 1);
			goto out;
		}
	}
	cli_err("unknown command %s%s%s (see chanjiao --help)", argv[0],
	    argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
out:
	free(o.filters);
	free(o.programs);
	if (fflush(stdout) != 0 && rc == 0) {
		cli_err("stdout: %s", strerror(errno));
		rc = EXIT_DATA;
	}
	return rc;
}
