/*
 * check — the main every unit test program shares; see check.h.
 *
 * Each test runs in a child of its own: a crash or a hang ends that test
 * alone.  The child arms alarm() for the test's timeout; the parent keeps
 * a backstop a few seconds later (SIGKILL), for a test that blocks or
 * catches SIGALRM.  A child ends with exit(), not _exit(), so LeakSanitizer
 * checks it and a leak fails its test.
 */
#include "check.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct test {
	const char *name, *file;
	int line;
	unsigned timeout;
	void (*fn)(void);
};

static struct check_tally local_tally;
struct check_tally *check_tally = &local_tally;
const char *check_ctx = "";

static struct test *tests;
static size_t ntests, captests;
static void (*setup_fn)(void), (*teardown_fn)(void);

void check_register(const char *name, void (*fn)(void), const char *file,
    int line, unsigned timeout_s)
{
	if (ntests == captests) {
		captests = captests ? 2 * captests : 32;
		tests = realloc(tests, captests * sizeof *tests);
		if (!tests) {
			perror("check_register");
			abort();
		}
	}
	tests[ntests++] = (struct test){ name, file, line, timeout_s, fn };
}

void check_fixture(void (*setup)(void), void (*teardown)(void))
{
	if (setup)
		setup_fn = setup;
	if (teardown)
		teardown_fn = teardown;
}

/* Written order: constructors run in no promised order. */
static int by_place(const void *a, const void *b)
{
	const struct test *x = a, *y = b;
	int c = strcmp(x->file, y->file);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static void run_body(const struct test *t)
{
	check_ctx = "";
	if (setup_fn)
		setup_fn();
	t->fn();
	if (teardown_fn)
		teardown_fn();
}

static volatile sig_atomic_t backstop_fired;

static void on_backstop(int sig)
{
	(void)sig;
	backstop_fired = 1;
}

/* Run one test; 1 if it passed. */
static int run_one(const struct test *t, unsigned timeout, int nofork)
{
	long failed0 = check_tally->failed, passed0 = check_tally->passed;
	char why[128] = "";
	int status = 0;
	pid_t pid;

	if (nofork) {
		run_body(t);
		goto tally;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		alarm(timeout);
		run_body(t);
		fflush(NULL);
		exit(0);
	}
	struct sigaction sa = { 0 }, old;
	sa.sa_handler = on_backstop;            /* no SA_RESTART: waitpid wakes */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	backstop_fired = 0;
	alarm(timeout + 5);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("waitpid");
			exit(2);
		}
		if (backstop_fired) {
			kill(pid, SIGKILL);
			backstop_fired = 0;
		}
	}
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		if (sig == SIGALRM)
			snprintf(why, sizeof why, "timed out after %u s", timeout);
		else if (sig == SIGKILL)
			snprintf(why, sizeof why, "timed out after %u s, "
			    "killed 5 s later", timeout);
		else
			snprintf(why, sizeof why, "killed by signal %d (%s)", sig,
			    strsignal(sig));
	} else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		snprintf(why, sizeof why, "exited with status %d",
		    WEXITSTATUS(status));
	}
	if (*why)
		check_tally->failed++;          /* the crash is a failed check */
tally:;
	long failed = check_tally->failed - failed0;
	long passed = check_tally->passed - passed0;
	if (!*why && failed)
		snprintf(why, sizeof why, "%ld of %ld checks failed", failed,
		    failed + passed);
	if (*why)
		printf("FAIL %s: %s\n", t->name, why);
	else
		printf("ok %s (%ld checks)\n", t->name, passed);
	fflush(stdout);
	return !*why;
}

int main(int argc, char **argv)
{
	const char *env = getenv("CHECK_TIMEOUT");
	int nofork = getenv("CHECK_NOFORK") && *getenv("CHECK_NOFORK") &&
	    strcmp(getenv("CHECK_NOFORK"), "0");
	unsigned override = env && *env ? (unsigned)strtoul(env, NULL, 10) : 0;
	int tests_passed = 0, tests_failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (ntests)
		qsort(tests, ntests, sizeof *tests, by_place);
	if (argc == 2 && !strcmp(argv[1], "-l")) {
		for (size_t i = 0; i < ntests; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	for (int a = 1; a < argc; a++) {
		size_t i = 0;
		while (i < ntests && strcmp(tests[i].name, argv[a]))
			i++;
		if (i == ntests) {
			fprintf(stderr, "%s: no test named %s (-l lists them)\n",
			    argv[0], argv[a]);
			return 2;
		}
	}
	if (!nofork) {
		void *m = mmap(NULL, sizeof *check_tally, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED) {
			perror("mmap");
			return 2;
		}
		check_tally = m;
		memset(check_tally, 0, sizeof *check_tally);
	}
	for (size_t i = 0; i < ntests; i++) {
		int chosen = argc == 1;
		for (int a = 1; a < argc && !chosen; a++)
			chosen = !strcmp(tests[i].name, argv[a]);
		if (!chosen)
			continue;
		unsigned timeout = override ? override : tests[i].timeout ?
		    tests[i].timeout : CHECK_TIMEOUT_DEFAULT;
		if (run_one(&tests[i], timeout, nofork))
			tests_passed++;
		else
			tests_failed++;
	}
	printf("tests: %d passed, %d failed\n", tests_passed, tests_failed);
	printf("%ld passed, %ld failed\n", check_tally->passed,
	    check_tally->failed);
	free(tests);
	return check_tally->failed != 0 || tests_failed != 0;
}
