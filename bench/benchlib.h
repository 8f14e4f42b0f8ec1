/*
 * benchlib.h — the small helpers the single-file benchmarks share
 * (da_bench.c, oc_bench.c, flow_bench.c, loadgen.c, httpload.c): a seeded
 * RNG, a monotonic clock, peak RSS, option parsing and JSON strings.  Header only; each bench is one
 * translation unit, so the RNG state below is that program's own.
 */
#ifndef CJ_BENCHLIB_H
#define CJ_BENCHLIB_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* The xorshift64* state; the bench seeds it (any value but 0) before rnd(). */
static uint64_t rng;

/* The next xorshift64* number of rng. */
static inline uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

/* Milliseconds of CLOCK_MONOTONIC (differences only). */
static inline double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Peak resident set in MiB of RUSAGE_SELF or RUSAGE_CHILDREN (ru_maxrss). */
static inline double peak_rss_mb(int who)
{
	struct rusage ru;
	getrusage(who, &ru);
	return (double)ru.ru_maxrss / 1024;
}

/* argv[*i] is option `name` and a value follows: the value (*i moved onto it), else NULL. */
static inline const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	if (strcmp(argv[*i], name) != 0 || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/* s as a JSON string on stdout (", \\ and controls escaped). */
static inline void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

#endif
