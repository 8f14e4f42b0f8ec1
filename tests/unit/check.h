/*
 * check — the unit tests' harness.
 *
 * A test is a function registered where it is written, so adding one
 * means writing it and nothing else:
 *
 *	TEST(parse_empty) { CHECK_EQ_INT(parse(""), -1); }
 *	TEST_TIMEOUT(random_networks, 300) { ... }     (seconds)
 *
 * check.c holds the one main every test program links.  It runs each test
 * in a forked child, in the order they are written, so a test that
 * crashes (SIGSEGV, abort, a sanitizer report) or runs past its timeout
 * (alarm(); default CHECK_TIMEOUT_DEFAULT s, CHECK_TIMEOUT=secs in the
 * environment overrides every test's) is reported failed and the next
 * one still runs.  Check counts live in memory shared with the children,
 * so the checks a test passed before it died still count.
 *
 *	test_x              every test
 *	test_x NAME...      only those (exit 2 if a name is unknown)
 *	test_x -l           list the names
 *	CHECK_NOFORK=1      run in this process (for a debugger)
 *
 * Output: one "ok NAME (N checks)" or "FAIL NAME: why" line per test,
 * failing checks as file:line on stderr, then "tests: N passed, N failed"
 * and last, alone on its line, the check tally "N passed, N failed",
 * where a test that crashed or timed out counts one failed check more.
 * The exit status is 1 when anything failed.
 *
 * SETUP and TEARDOWN (at most one each per program) run in the child
 * around every test: state one test builds is never seen by another.
 * CHECK_CTX names the case of a table so failures inside a loop say
 * which row they came from.
 */
#ifndef CJ_CHECK_H
#define CJ_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CHECK_TIMEOUT_DEFAULT 60

struct check_tally {
	long passed, failed;
};

/* Points into memory shared with the test children (see check.c). */
extern struct check_tally *check_tally;
extern const char *check_ctx;      /* the table row being checked */

void check_register(const char *name, void (*fn)(void), const char *file,
    int line, unsigned timeout_s);
void check_fixture(void (*setup)(void), void (*teardown)(void));

#define CHECK_CTX(s) (check_ctx = (s))

/*
 * xorshift64*: the same stream on every run, so a random case that fails
 * fails again.  Each test's child starts from the state the program had
 * when it forked, so tests do not shift each other's cases.
 */
static inline uint64_t check_rand(void)
{
	static uint64_t s = 0x9e3779b97f4a7c15ull;
	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	return s * 0x2545f4914f6cdd1dull;
}

/* Uniform enough in [0, n) for test cases; n > 0. */
static inline uint32_t check_rand_n(uint32_t n)
{
	return (uint32_t)(check_rand() % n);
}

#define TEST_TIMEOUT(name, secs) \
	static void check_test_##name(void); \
	__attribute__((constructor)) static void check_reg_##name(void) \
	{ \
		check_register(#name, check_test_##name, __FILE__, __LINE__, \
		    (secs)); \
	} \
	static void check_test_##name(void)

#define TEST(name) TEST_TIMEOUT(name, 0)

#define CHECK_FIXTURE_(which, a, b) \
	static void check_##which(void); \
	__attribute__((constructor)) static void check_reg_##which(void) \
	{ \
		check_fixture(a, b); \
	} \
	static void check_##which(void)

#define SETUP CHECK_FIXTURE_(setup, check_setup, NULL)
#define TEARDOWN CHECK_FIXTURE_(teardown, NULL, check_teardown)

static inline int check_note(int ok, const char *file, int line)
{
	if (ok) {
		check_tally->passed++;
		return 1;
	}
	check_tally->failed++;
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

/* Doubles within tol of each other. */
#define CHECK_NEAR(a, b, tol) do { \
	double check_a_ = (double)(a), check_b_ = (double)(b); \
	double check_d_ = check_a_ - check_b_; \
	if (!check_note(check_d_ <= (tol) && -check_d_ <= (tol), \
	    __FILE__, __LINE__)) \
		fprintf(stderr, ": %s == %s: %.17g != %.17g\n", #a, #b, \
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

/* A counted string (not NUL-terminated) equal to a C string. */
#define CHECK_STRN(p, n, s) do { \
	const char *check_p_ = (p), *check_s_ = (s); \
	size_t check_n_ = (n); \
	if (!check_note(check_n_ == strlen(check_s_) && \
	    (!check_n_ || !memcmp(check_p_, check_s_, check_n_)), \
	    __FILE__, __LINE__)) \
		fprintf(stderr, ": %s == %s: \"%.*s\" != \"%s\"\n", #p, #s, \
		    (int)check_n_, check_p_ ? check_p_ : "", check_s_); \
} while (0)

#define CHECK_MEM(a, b, n) do { \
	size_t check_n_ = (n); \
	if (!check_note(!memcmp((a), (b), check_n_), __FILE__, __LINE__)) \
		fprintf(stderr, ": %s == %s (%zu bytes)\n", #a, #b, check_n_); \
} while (0)

#endif
