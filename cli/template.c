/*
 * template — `chanjiao template KIND [FILE]`: a blank file to fill in, with
 * the Chinese names of the kind's columns and one example row that
 * imports cleanly (docs/csv.md "Templates").  No daemon is needed.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* The file a KIND argument names: a kind (school, schools) or a fair's part
 * file (fair_sessions, fair_sessions.csv); -1 if none. */
static int file_of(const char *s)
{
	int k = rec_kind_of(s);

	if (k >= 0)
		return k;
	for (int f = 0; f < RF_NFILES; f++) {
		size_t n = strlen(rec_file_name[f]) - 4;      /* without .csv */
		if (!strcmp(s, rec_file_name[f]) || (strlen(s) == n &&
		    !strncmp(s, rec_file_name[f], n)))
			return f;
	}
	return -1;
}

/* Write the template of file f to path (NULL: stdout): 0 or EXIT_DATA. */
static int write_one(const struct opts *o, enum rec_file f, const char *path)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *mem = open_memstream(&buf, &n);
	int rc;

	if (!mem) {
		cli_err("open_memstream failed");
		return EXIT_DATA;
	}
	rec_template(mem, f);
	fclose(mem);
	rc = csvio_save(path, buf, n, o->encoding, cli_bom(o)) < 0 ? EXIT_DATA : 0;
	free(buf);
	if (rc == 0 && path)
		printf("wrote the template of %s to %s\n", rec_file_name[f], path);
	return rc;
}

int cmd_template(const struct opts *o, int argc, char **argv)
{
	int f = argc == 2 || argc == 3 ? file_of(argv[1]) : -1;
	int rc;

	if (f < 0) {
		cli_err("usage: chanjiao template KIND [FILE] (KIND: school specialty "
		    "enterprise posting fair program student, or fair_directions "
		    "fair_sessions fair_requests)");
		return EXIT_USAGE;
	}
	if (argc == 2) {
		if (f == SCHEMA_FAIR)
			cli_err("template fair: this is fairs.csv; give FILE to get "
			    "fair_directions.csv, fair_sessions.csv and "
			    "fair_requests.csv beside it too");
		return write_one(o, f, NULL);
	}
	rc = write_one(o, f, argv[2]);
	for (int p = RF_FAIR_DIRS; rc == 0 && f == SCHEMA_FAIR && p < RF_NFILES;
	    p++) {
		const char *slash = strrchr(argv[2], '/');
		size_t dir = slash ? (size_t)(slash - argv[2]) + 1 : 0;
		char *path = xmalloc(dir + strlen(rec_file_name[p]) + 1);
		memcpy(path, argv[2], dir);
		strcpy(path + dir, rec_file_name[p]);
		rc = write_one(o, p, path);
		free(path);
	}
	return rc;
}
