/*
 * check — the unit tests' whole harness: a handful of macros that print
 * file:line and the values on failure and count, and check_summary() which
 * prints "N passed, N failed" and gives main's exit status.
 *
 * A test program includes this once; CHECK_CTX names the case of a table
 * so failures inside a loop say which row they came from.
 */
#ifndef CJ_CHECK_H
#define CJ_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;
static const char *check_ctx = "";   /* the table row being checked */

#define CHECK_CTX(s) (check_ctx = (s))

static inline int check_note(int ok, const char *file, int line)
{
	if (ok) {
		check_passed++;
		return 1;
	}
	check_failed++;
	fprintf(stderr, "%s:%d: FAIL%s%s%s", file, line,
	    *check_ctx ? " [" : "", check_ctx, *check_ctx ? "]" : "");
	return 0;
}

#define CHECK(cond) do { \
	if (!check_note(!!(cond), __FILE__, __LINE__)) \
		fprintf(stderr, ": %s\n", #cond); \
} while (0)

/* CHECK with a printf-style explanation. */
#define CHECKF(cond, ...) do { \
	if (!check_note(!!(cond), __FILE__, __LINE__)) { \
		fprintf(stderr, ": %s: ", #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

#define CHECK_EQ_INT(a, b) do { \
	long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
	if (!check_note(check_a_ == check_b_, __FILE__, __LINE__)) \
		fprintf(stderr, ": %s == %s: %lld != %lld\n", #a, #b, \
		    check_a_, check_b_); \
} while (0)

#define CHECK_EQ_U64(a, b) do { \
	unsigned long long check_a_ = (unsigned long long)(a); \
	unsigned long long check_b_ = (unsigned long long)(b); \
	if (!check_note(check_a_ == check_b_, __FILE__, __LINE__)) \
		fprintf(stderr, ": %s == %s: %llu != %llu\n", #a, #b, \
		    check_a_, check_b_); \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *check_a_ = (a), *check_b_ = (b); \
	int check_ok_ = check_a_ && check_b_ ? !strcmp(check_a_, check_b_) : \
	    check_a_ == check_b_; \
	if (!check_note(check_ok_, __FILE__, __LINE__)) \
		fprintf(stderr, ": %s == %s: \"%s\" != \"%s\"\n", #a, #b, \
		    check_a_ ? check_a_ : "(null)", \
		    check_b_ ? check_b_ : "(null)"); \
} while (0)

#define CHECK_MEM(a, b, n) do { \
	size_t check_n_ = (n); \
	if (!check_note(!memcmp((a), (b), check_n_), __FILE__, __LINE__)) \
		fprintf(stderr, ": %s == %s (%zu bytes)\n", #a, #b, check_n_); \
} while (0)

/* Print the tally; the value is main's return. */
static inline int check_summary(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed != 0;
}

#endif
