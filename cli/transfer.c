/*
 * transfer — `import` and `export`.
 *
 * Import sends the files' bytes to the daemon's import.csv, which reads
 * them by the rules of docs/csv.md and applies them all or nothing: one
 * file, or a whole directory in one call (its `files` extension), so a
 * refused file leaves nothing of the others.  The client only reads the
 * files and prints the daemon's report.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The import order of a directory: references before referrers. */
static const enum schema_kind dir_order[] = {
	SCHEMA_SCHOOL, SCHEMA_ENTERPRISE, SCHEMA_SPECIALTY, SCHEMA_POSTING,
	SCHEMA_FAIR, SCHEMA_PROGRAM, SCHEMA_STUDENT,
};

/* --------------------------------------------------------------- import */

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The kind of a file named like the files of `import DIR`, or -1. */
static int kind_of_file(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	for (int k = 0; k < SCHEMA_NKINDS; k++)
		if (!strcmp(base, rec_file_name[k]))
			return k;
	return -1;
}

/* Fair part files without fairs.csv are not read: say so. */
static void warn_orphan_parts(const char *dir)
{
	for (int f = RF_FAIR_DIRS; f < RF_NFILES; f++) {
		char *p = xmalloc(strlen(dir) + 32);
		sprintf(p, "%s/%s", dir, rec_file_name[f]);
		if (access(p, F_OK) == 0)
			cli_err("warning: %s is not read without fairs.csv", p);
		free(p);
	}
}

/* One file to send: its bytes, and a fair's part files. */
struct ifile {
	enum schema_kind kind;
	char *path;                  /* as given (parts: beside it) */
	char *data[4];               /* NULL: no such part file */
	size_t len[4];
};

/* Read a file (and for a fair its part files beside it); -1 after a
 * message. */
static int read_file(struct ifile *f, enum schema_kind k, const char *path,
    struct csvio_report *rep)
{
	memset(f, 0, sizeof *f);
	f->kind = k;
	f->path = xstrdup(path);
	if (!(f->data[0] = csvio_slurp(path, path, &f->len[0], rep)))
		return -1;
	if (k != SCHEMA_FAIR)
		return 0;
	const char *slash = strrchr(path, '/');
	size_t dl = slash ? (size_t)(slash - path + 1) : 0;
	for (int p = 1; p < 4; p++) {
		const char *name = rec_file_name[RF_FAIR_DIRS + p - 1];
		char *pp = xmalloc(dl + strlen(name) + 1);
		memcpy(pp, path, dl);
		strcpy(pp + dl, name);
		if (access(pp, F_OK) == 0 &&
		    !(f->data[p] = csvio_slurp(pp, pp, &f->len[p], rep))) {
			free(pp);
			return -1;
		}
		free(pp);
	}
	return 0;
}

static void pack_file(msgpack_packer *pk, const struct ifile *f)
{
	static const char *const parts[] = { "directions", "sessions",
		"requests" };
	int np = 0;

	for (int p = 1; p < 4; p++)
		np += f->data[p] != NULL;
	pack_kv_str(pk, "kind", schema_kind_name[f->kind]);
	proto_pack_cstr(pk, "data");
	msgpack_pack_bin(pk, f->len[0]);
	msgpack_pack_bin_body(pk, f->data[0], f->len[0]);
	if (!np)
		return;
	proto_pack_cstr(pk, "parts");
	msgpack_pack_map(pk, (uint32_t)np);
	for (int p = 1; p < 4; p++) {
		if (!f->data[p])
			continue;
		proto_pack_cstr(pk, parts[p - 1]);
		msgpack_pack_bin(pk, f->len[p]);
		msgpack_pack_bin_body(pk, f->data[p], f->len[p]);
	}
}

/* The import.csv params: one file as {kind, data, parts?}, several as
 * {files: [...]}; then the flags. */
static void pack_params(msgpack_packer *pk, const struct opts *o,
    const struct ifile *f, size_t nf, int dir)
{
	int nflags = !!o->dry_run + !!o->allow_move + !!o->sync + !!o->strict +
	    (o->encoding != NULL);
	int np = 0;

	for (int p = 1; !dir && p < 4; p++)
		np += f[0].data[p] != NULL;
	msgpack_pack_map(pk, (uint32_t)(nflags + (dir ? 1 : 2 + (np > 0))));
	if (dir) {
		proto_pack_cstr(pk, "files");
		msgpack_pack_array(pk, (uint32_t)nf);
		for (size_t i = 0; i < nf; i++) {
			int parts = f[i].data[1] || f[i].data[2] || f[i].data[3];
			msgpack_pack_map(pk, (uint32_t)(2 + parts));
			pack_file(pk, &f[i]);
		}
	} else {
		pack_file(pk, &f[0]);
	}
	if (o->dry_run) {
		proto_pack_cstr(pk, "dry_run");
		msgpack_pack_true(pk);
	}
	if (o->allow_move) {
		proto_pack_cstr(pk, "allow_move");
		msgpack_pack_true(pk);
	}
	if (o->sync) {
		proto_pack_cstr(pk, "sync");
		msgpack_pack_true(pk);
	}
	if (o->strict) {
		proto_pack_cstr(pk, "strict");
		msgpack_pack_true(pk);
	}
	if (o->encoding)
		pack_kv_str(pk, "encoding", o->encoding);
}

static unsigned long long uint_of(const msgpack_object *m, const char *key)
{
	const msgpack_object *v = schema_opt(m, key);
	return v && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? v->via.u64 : 0;
}

static void str_of(const msgpack_object *m, const char *key, char *buf,
    size_t cap)
{
	const msgpack_object *v = schema_opt(m, key);
	buf[0] = 0;
	if (v && v->type == MSGPACK_OBJECT_STR)
		schema_str(v, buf, cap);
}

/*
 * Print the daemon's report: every problem (warnings as "warning: "),
 * then per file what was (or, dry, would be) done.  The exit status.
 */
static int say_result(const struct opts *o, const msgpack_object *res,
    const struct ifile *f, size_t nf)
{
	uint32_t n, nfiles;
	const msgpack_object *errs = schema_arr(schema_opt(res, "errors"), &n);
	const msgpack_object *files = schema_arr(schema_opt(res, "files"), &nfiles);
	unsigned long long errors = uint_of(res, "errors_total"),
	    warnings = uint_of(res, "warnings_total");
	struct csvio_report rep;

	csvio_report_init(&rep, 0);
	for (uint32_t i = 0; i < n; i++) {
		char file[256], col[256], msg[1024];
		char *val = xmalloc(4096);
		const msgpack_object *w = schema_opt(&errs[i], "warning");
		long long code = (long long)uint_of(&errs[i], "code");
		const msgpack_object *cv = schema_opt(&errs[i], "code");
		int warn = w && w->type == MSGPACK_OBJECT_BOOLEAN && w->via.boolean;
		if (cv && cv->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
			code = cv->via.i64;
		str_of(&errs[i], "file", file, sizeof file);
		str_of(&errs[i], "column", col, sizeof col);
		str_of(&errs[i], "value", val, 4096);
		str_of(&errs[i], "message", msg, sizeof msg);
		if (code)
			csvio_problem(&rep, warn, file, uint_of(&errs[i], "row"), col,
			    val, "%s (code %lld)", msg, code);
		else
			csvio_problem(&rep, warn, file, uint_of(&errs[i], "row"), col,
			    val, "%s", msg);
		free(val);
	}
	csvio_report_say(&rep);
	/* past the daemon's CSVIO_KEEP per file: counted only */
	uint32_t nt;
	const msgpack_object *tl = schema_arr(schema_opt(res, "tallies"), &nt);
	for (uint32_t i = 0; i < nt; i++) {
		char file[256];
		size_t ke = 0, kw = 0;
		str_of(&tl[i], "file", file, sizeof file);
		for (size_t j = 0; j < rep.n; j++)
			if (!strcmp(rep.v[j].file, file)) {
				kw += rep.v[j].warning != 0;
				ke += !rep.v[j].warning;
			}
		if (uint_of(&tl[i], "errors") > ke)
			cli_err("%s: \xe2\x80\xa6 and %llu more errors", file,
			    uint_of(&tl[i], "errors") - ke);
		if (uint_of(&tl[i], "warnings") > kw)
			cli_err("warning: %s: \xe2\x80\xa6 and %llu more warnings", file,
			    uint_of(&tl[i], "warnings") - kw);
	}
	csvio_report_free(&rep);
	if (errors) {
		unsigned long long se = uint_of(res, "strict_errors");
		if (se)
			cli_err("nothing imported: fix the rows above and run again "
			    "(--strict refuses the %llu code%s the shipped tables lack)",
			    se, se == 1 ? "" : "s");
		else
			cli_err("nothing imported: fix the rows above and run again");
		return EXIT_DATA;
	}
	for (uint32_t i = 0; i < nfiles; i++) {
		char kind[32], how[64];
		const char *path = i < nf ? f[i].path : "?";
		unsigned long long recs = uint_of(&files[i], "records");
		str_of(&files[i], "kind", kind, sizeof kind);
		str_of(&files[i], "read_as", how, sizeof how);
		int k = rec_kind_of(kind);
		for (size_t j = 0; j < nf; j++)     /* the daemon's order */
			if ((int)f[j].kind == k)
				path = f[j].path;
		printf("%s %llu %s %s %s%s%s%s: new %llu, updated %llu, unchanged "
		    "%llu, deleted %llu%s\n", o->dry_run ? "checked" : "imported",
		    recs, k < 0 ? kind : recs == 1 ? schema_kind_name[k] :
		    schema_kind_plural[k], o->dry_run ? "in" : "from", path,
		    *how ? " (" : "", how, *how ? ")" : "",
		    uint_of(&files[i], "new"), uint_of(&files[i], "updated"),
		    uint_of(&files[i], "unchanged"), uint_of(&files[i], "deleted"),
		    o->dry_run ? " (dry run: nothing written)" : "");
	}
	if (warnings)
		cli_err("warning: %llu warning%s above: the rows are imported as "
		    "written (--strict refuses them)", warnings,
		    warnings == 1 ? "" : "s");
	fflush(stdout);
	return 0;
}

int cmd_import(const struct opts *o, int argc, char **argv)
{
	struct ifile f[SCHEMA_NKINDS];
	struct csvio_report rep;
	size_t nf = 0;
	int rc = 0, k, dir = 0;

	csvio_report_init(&rep, 0);
	if (argc == 3 || (argc == 2 && !is_dir(argv[1]))) {
		k = argc == 3 ? rec_kind_of(argv[1]) : kind_of_file(argv[1]);
		if (k < 0) {
			cli_err(argc == 3 ? "import: unknown kind %s" : "import: %s is "
			    "not a directory, nor named like schools.csv ...: say "
			    "import KIND FILE", argv[1]);
			return EXIT_USAGE;
		}
		if (read_file(&f[nf++], k, argv[argc - 1], &rep) < 0)
			rc = EXIT_DATA;
	} else if (argc == 2 && is_dir(argv[1])) {
		dir = 1;
		for (size_t i = 0; i < sizeof dir_order / sizeof dir_order[0]; i++) {
			char *p = xmalloc(strlen(argv[1]) + 32);
			sprintf(p, "%s/%s", argv[1], rec_file_name[dir_order[i]]);
			if (access(p, F_OK) == 0 &&
			    read_file(&f[nf++], dir_order[i], p, &rep) < 0)
				rc = EXIT_DATA;
			free(p);
		}
		if (!rc && nf == 0) {
			cli_err("import: %s holds none of schools.csv, enterprises.csv, "
			    "specialties.csv, postings.csv, fairs.csv, programs.csv, "
			    "students.csv", argv[1]);
			rc = EXIT_DATA;
		}
		if (nf && f[0].kind != SCHEMA_FAIR) {
			int fair = 0;
			for (size_t i = 0; i < nf; i++)
				fair |= f[i].kind == SCHEMA_FAIR;
			if (!fair)
				warn_orphan_parts(argv[1]);
		} else if (!nf) {
			warn_orphan_parts(argv[1]);
		}
	} else {
		cli_err("usage: chanjiao import KIND FILE.csv | import FILE.csv | "
		    "import DIR");
		return EXIT_USAGE;
	}
	if (rc) {
		csvio_report_say(&rep);
		goto out;
	}
	{
		struct rpc r;
		struct rpc_reply res;
		msgpack_sbuffer sb;
		msgpack_packer pk;

		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		pack_params(&pk, o, f, nf, dir);
		if ((rc = rpc_open(&r, o)) == 0) {
			if ((rc = rpc_call_or_fail(&r, "import.csv", &sb, &res)) == 0) {
				rc = say_result(o, res.result, f, nf);
				rpc_reply_free(&res);
			}
			rpc_close(&r);
		}
		msgpack_sbuffer_destroy(&sb);
	}
out:
	for (size_t i = 0; i < nf; i++) {
		free(f[i].path);
		for (int p = 0; p < 4; p++)
			free(f[i].data[p]);
	}
	csvio_report_free(&rep);
	return rc;
}

/* --------------------------------------------------------------- export */

/* Every record of a kind, page by page through <kind>.list. */
struct pages {
	struct rpc_reply *rep;
	size_t nrep;
	const msgpack_object **items;
	size_t n, cap;
};

static void pages_free(struct pages *pg)
{
	for (size_t i = 0; i < pg->nrep; i++)
		rpc_reply_free(&pg->rep[i]);
	free(pg->rep);
	free(pg->items);
	memset(pg, 0, sizeof *pg);
}

static int list_all(struct rpc *r, enum schema_kind k, struct pages *pg)
{
	char method[32], after[SCHEMA_ID_MAX + 1] = "";
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc = 0;

	memset(pg, 0, sizeof *pg);
	snprintf(method, sizeof method, "%s.list", schema_kind_name[k]);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	for (;;) {
		struct rpc_reply *rep;
		uint32_t n;
		sb.size = 0;
		msgpack_pack_map(&pk, 1 + (*after != 0));
		pack_kv_int(&pk, "limit", 1000);
		if (*after)
			pack_kv_str(&pk, "after", after);
		pg->rep = xrealloc(pg->rep, (pg->nrep + 1) * sizeof *pg->rep);
		rep = &pg->rep[pg->nrep];
		if ((rc = rpc_call_or_fail(r, method, &sb, rep)) != 0)
			break;
		pg->nrep++;
		const msgpack_object *it = schema_arr(schema_opt(rep->result, "items"), &n);
		if (pg->cap - pg->n < n) {
			pg->cap = (pg->cap + n) * 2;
			pg->items = xrealloc(pg->items, pg->cap * sizeof *pg->items);
		}
		for (uint32_t i = 0; i < n; i++)
			pg->items[pg->n++] = &it[i];
		const msgpack_object *next = schema_opt(rep->result, "next");
		if (!next || n == 0)
			break;
		schema_str(next, after, sizeof after);
	}
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

/* Write one CSV file of the export (path NULL: stdout). */
static int save_csv(const struct opts *o, const char *path, enum rec_file file,
    const struct pages *pg)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	int rc;

	if (!f) {
		cli_err("open_memstream: %s", strerror(errno));
		return EXIT_DATA;
	}
	rec_write_csv(f, file, pg->items, pg->n);
	fclose(f);
	rc = csvio_save(path, buf, n, o->encoding, cli_bom(o)) < 0 ? EXIT_DATA : 0;
	free(buf);
	return rc;
}

static int export_kind(const struct opts *o, struct rpc *r, enum schema_kind k)
{
	struct pages pg;
	int rc = list_all(r, k, &pg);

	if (rc)
		return rc;
	if (o->fmt == OUT_JSON) {
		printf("[");
		for (size_t i = 0; i < pg.n; i++) {
			printf(i ? ",\n" : "\n");
			json_print(stdout, pg.items[i]);
		}
		printf("%s]\n", pg.n ? "\n" : "");
	} else if (!o->dir) {
		rc = save_csv(o, NULL, (enum rec_file)k, &pg);
	} else {
		int last = k == SCHEMA_FAIR ? RF_FAIR_REQUESTS : (int)k;
		for (int f = k; rc == 0 && f <= last; f = f == (int)k ? RF_FAIR_DIRS :
		    f + 1) {
			char *path = xmalloc(strlen(o->dir) + 32);
			sprintf(path, "%s/%s", o->dir, rec_file_name[f]);
			rc = save_csv(o, path, f, &pg);
			if (rc == 0 && f == (int)k)
				printf("exported %zu %s to %s\n", pg.n, pg.n == 1 ?
				    schema_kind_name[k] : schema_kind_plural[k], path);
			free(path);
		}
	}
	pages_free(&pg);
	return rc;
}

/* Kind k (-1: every kind) as sheets of one workbook, o->xlsx. */
static int export_xlsx(struct rpc *r, const struct opts *o, int k)
{
	struct xlsx *x = xlsx_open(o->xlsx);
	int rc = 0;

	if (!x)
		return EXIT_DATA;
	for (size_t i = 0; rc == 0 && i < sizeof dir_order / sizeof dir_order[0];
	    i++) {
		enum schema_kind kk = dir_order[i];
		struct pages pg;
		struct table t;
		if (k >= 0 && (int)kk != k)
			continue;
		if ((rc = list_all(r, kk, &pg)) != 0)
			break;
		table_records(&t, kk, pg.items, pg.n);
		rc = xlsx_table(x, schema_kind_plural[kk], &t, 0) ? EXIT_DATA : 0;
		table_free(&t);
		pages_free(&pg);
	}
	if (xlsx_close(x) < 0 && !rc)
		rc = EXIT_DATA;
	if (!rc)
		printf("exported to %s\n", o->xlsx);
	return rc;
}

int cmd_export(const struct opts *o, int argc, char **argv)
{
	int all = argc == 2 && !strcmp(argv[1], "all");
	int k = argc == 2 ? rec_kind_of(argv[1]) : -1;
	struct rpc r;
	int rc;

	if (argc != 2 || (!all && k < 0)) {
		cli_err("usage: chanjiao export KIND [--csv|--json] [--dir DIR] | "
		    "export all --dir DIR");
		return EXIT_USAGE;
	}
	if (o->fmt == OUT_JSON && (all || o->dir)) {
		cli_err("export: --json writes to stdout; --dir is for CSV files");
		return EXIT_USAGE;
	}
	if (o->fmt == OUT_XLSX && o->dir) {
		cli_err("export: --xlsx writes one workbook; --dir is for CSV files");
		return EXIT_USAGE;
	}
	if ((all || k == SCHEMA_FAIR) && o->fmt != OUT_JSON &&
	    o->fmt != OUT_XLSX && !o->dir) {
		cli_err("export %s: fairs are four CSV files (fairs.csv, "
		    "fair_directions.csv, fair_sessions.csv, fair_requests.csv): "
		    "give --dir DIR, or use --json", argv[1]);
		return EXIT_USAGE;
	}
	if (o->dir && mkdir(o->dir, 0777) < 0 && errno != EEXIST) {
		cli_err("%s: %s", o->dir, strerror(errno));
		return EXIT_DATA;
	}
	if ((rc = rpc_open(&r, o)) != 0)
		return rc;
	if (o->fmt == OUT_XLSX) {
		rc = export_xlsx(&r, o, all ? -1 : k);
	} else if (all) {
		for (size_t i = 0; rc == 0 && i < sizeof dir_order /
		    sizeof dir_order[0]; i++)
			rc = export_kind(o, &r, dir_order[i]);
	} else {
		rc = export_kind(o, &r, k);
	}
	rpc_close(&r);
	return rc;
}
