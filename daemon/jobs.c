/*
 * jobs — writes on the writer thread, planner calls on worker threads.
 *
 * The event loop hands a whole request frame over (jobs_submit); a
 * thread runs it through methods_run_job, which packs the reply into the
 * job's own buffer; the finished job goes on a done list and, when that
 * list was empty, one byte down a pipe wakes the loop, which takes the
 * whole list and gives each reply to its connection if it is still open
 * (server_job_done).  libevent is touched only by the loop thread; the
 * queues are guarded by one mutex.
 *
 * Writes go to one writer thread (LMDB has one writer), in the order
 * they came (wtodo, linked by wnext).  A write is checked first — the
 * checks that need no store, most of a batch's decoding work — by a
 * worker (it is also on todo) or, if none has taken it by its turn, by
 * the writer; so the workers check the next batches while the writer
 * stores this one.  The writer takes the run of checked writes at the
 * head of the queue, applies each in its own nested transaction of one
 * group and commits the group once (one fsync for a burst of writes from
 * any connections); their replies go out after the commit, and if it
 * fails each is answered with the commit's error (1507 when the map or
 * disk is full, else -32603) instead, none applied.  So a big batch no longer
 * holds the loop, and while it is written reads go on in their snapshots.
 *
 * Plans (orderclass.plan, apprenticeship.match), which may run for
 * seconds, go to `planners` threads of their own (ptodo), so they never
 * hold the workers that the queries need.  A plan whose connection goes
 * (jobs_cancel) or that is running at jobs_stop has its cancel flag set;
 * the planner polls it and gives up.
 *
 * Scans — a filtered list, admin.verify, admin.backup, which read a
 * whole kind or the whole store — run on the workers too, but on at most
 * workers - 1 of them at once (take), so the queries always have one.
 *
 * Workers and planners run at nice +WORK_NICE, the loop and the writer
 * at the daemon's own: on a busy host a scan or a plan yields the CPU to
 * the loop's cheap requests when they arrive.
 *
 * `max_jobs` bounds the query and planner calls queued or running; past
 * it jobs_submit refuses and the caller answers 1029.  Writes are bounded
 * per connection (server.c) instead: a write is never refused as busy.
 */
#include "daemon.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fault.h"
#include "query.h"
#include "xalloc.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t wwork = PTHREAD_COND_INITIALIZER;
static pthread_cond_t pwork = PTHREAD_COND_INITIALIZER;
static struct job *todo, **todo_tail = &todo, *done;
static struct job *ptodo, **ptodo_tail = &ptodo;
static struct job **prun;              /* [nplanners]: each one's plan */
static pthread_t *pthreads;
static size_t nplanners;
static struct job *wtodo, **wtodo_tail = &wtodo;
static size_t inflight;                /* planner calls queued or running */
static size_t scanning, scan_max;      /* scans on workers; at most */
static size_t winflight;               /* writes queued or being written */
static int quit;
static pthread_t *threads, writer_thread;
static size_t nthreads;
static int writer_started;
static int wake[2] = { -1, -1 };
static struct event *wake_ev;

void jobs_free(struct job *j)
{
	if (!j)
		return;
	free(j->frame);
	proto_buf_free(&j->out);
	free(j);
}

/* Put a run job on the done list (lock held); wake the loop if needed. */
static void finish(struct job *j)
{
	j->next = done;
	done = j;
	if (j->next)                       /* the loop is already woken */
		return;
	ssize_t w;
	do
		w = write(wake[1], "", 1);
	while (w < 0 && errno == EINTR);   /* EAGAIN: a wake is pending */
}

/* Check write j for the writer (lock held, j taken off todo). */
static void check(struct job *j)
{
	j->stage = JOB_CHECKING;
	pthread_mutex_unlock(&lock);
	j->failed = methods_check_job(j);
	pthread_mutex_lock(&lock);
	j->stage = JOB_CHECKED;
	pthread_cond_signal(&wwork);
}

#define WORK_NICE 5

/* This thread WORK_NICE below the loop (Linux's nice is per thread, and
 * a new thread starts at its creator's); best effort. */
static void lower_priority(void)
{
	id_t tid = (id_t)syscall(SYS_gettid);
	int nice;

	errno = 0;
	nice = getpriority(PRIO_PROCESS, tid);
	if (errno == 0)
		(void)setpriority(PRIO_PROCESS, tid, nice + WORK_NICE);
}

/*
 * The first job on todo a worker may take (lock held), taken off it: a
 * scan only while fewer than scan_max run, so that scans (a filtered
 * list, admin.verify, admin.backup) never hold every worker and the
 * queries behind them go on.  NULL when there is none.
 */
static struct job *take(void)
{
	for (struct job **pp = &todo, *j; (j = *pp); pp = &j->next) {
		if (j->scan && scanning >= scan_max)
			continue;
		if (!(*pp = j->next))
			todo_tail = pp;
		return j;
	}
	return NULL;
}

static void *worker(void *arg)
{
	struct job *j;

	(void)arg;
	lower_priority();
	pthread_mutex_lock(&lock);
	for (;;) {
		while (!quit && !(j = take()))
			pthread_cond_wait(&work, &lock);
		if (quit)
			break;
		if (j->write) {
			check(j);
			continue;
		}
		scanning += j->scan;
		pthread_mutex_unlock(&lock);

		methods_run_job(j);

		pthread_mutex_lock(&lock);
		if (j->scan) {
			scanning--;
			pthread_cond_signal(&work);   /* a scan may wait for this */
		}
		finish(j);
	}
	pthread_mutex_unlock(&lock);
	store_snapshot_free();
	query_thread_end();
	return NULL;
}

static void *planner(void *arg)
{
	size_t me = (size_t)(uintptr_t)arg;
	lower_priority();
	pthread_mutex_lock(&lock);
	for (;;) {
		while (!ptodo && !quit)
			pthread_cond_wait(&pwork, &lock);
		if (quit)
			break;
		struct job *j = ptodo;
		if (!(ptodo = j->next))
			ptodo_tail = &ptodo;
		prun[me] = j;
		pthread_mutex_unlock(&lock);

		methods_run_job(j);

		pthread_mutex_lock(&lock);
		prun[me] = NULL;
		finish(j);
	}
	pthread_mutex_unlock(&lock);
	store_snapshot_free();
	query_thread_end();
	return NULL;
}

static void *writer(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	for (;;) {
		while (!(wtodo && wtodo->stage != JOB_CHECKING) && !(quit && !wtodo))
			pthread_cond_wait(&wwork, &lock);
		if (!wtodo)                    /* quit, and every write applied */
			break;
		if (wtodo->stage == JOB_QUEUED) {   /* no worker has it: check it */
			struct job **pp = &todo;
			while (*pp != wtodo)
				pp = &(*pp)->next;
			*pp = wtodo->next;
			if (todo_tail == &wtodo->next)
				todo_tail = pp;
			check(wtodo);
		}
		/* the checked run at the head, in order */
		struct job *list = wtodo, *last = wtodo, *next;
		while (last->wnext && last->wnext->stage == JOB_CHECKED)
			last = last->wnext;
		wtodo = last->wnext;
		if (!wtodo)
			wtodo_tail = &wtodo;
		last->wnext = NULL;
		pthread_mutex_unlock(&lock);

		/* Without a group (begin failed) each write commits alone. */
		int rc = store_group_begin(daemon_g.store);
		size_t n = 0;
		if (rc)
			log_error("writer: %s: committing each write alone",
			    mdb_strerror(rc));
		for (struct job *j = list; j; j = j->wnext)
			if (!j->failed)        /* else its error reply is packed */
				j->failed = methods_run_job(j);
		if ((rc = store_group_commit(daemon_g.store))) {
			/* Nothing of the group is stored: each write that was
			 * in it is answered with the commit's error instead
			 * (a notification's empty reply stays empty). */
			struct proto_err e = { 0 };
			store_fail(&e, rc);
			for (struct job *j = list; j; j = j->wnext)
				if (!j->failed && proto_buf_pending(&j->out)) {
					j->out.off = j->out.len = 0;
					methods_reject(j->frame, j->len, e.code, e.message,
					    &j->out);
					n++;
				}
			log_error("commit failed, %s: %zu writes answered %d, none "
			    "applied", mdb_strerror(rc), n, e.code);
		}

		pthread_mutex_lock(&lock);
		for (struct job *j = list; j; j = next) {
			next = j->wnext;
			finish(j);
		}
	}
	pthread_mutex_unlock(&lock);
	store_snapshot_free();
	return NULL;
}

/* The loop's side: hand every finished job to its connection, in order. */
static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	char buf[256];
	struct job *list, *rev = NULL;
	size_t count = 0;
	(void)what, (void)arg;

	while (read(fd, buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&lock);
	list = done;
	done = NULL;
	for (struct job *j = list; j; j = j->next)
		count += !j->write;
	inflight -= count;
	for (struct job *j = list; j; j = j->next)
		winflight -= j->write;
	pthread_mutex_unlock(&lock);
	while (list) {                     /* done is LIFO: reverse it */
		struct job *next = list->next;
		list->next = rev;
		rev = list;
		list = next;
	}
	while (rev) {
		struct job *n = rev->next;
		server_job_done(rev);
		jobs_free(rev);
		rev = n;
	}
}

int jobs_start(void)
{
#ifdef CJ_FAULTS
	if (fault_armed())
		log_warn("fault injection armed (a test build): %s", fault_armed());
#endif
	nthreads = (size_t)daemon_g.cfg.workers;
	scan_max = nthreads > 1 ? nthreads - 1 : 1;
	if (pipe(wake) < 0 ||
	    fcntl(wake[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(wake[1], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(wake[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(wake[1], F_SETFD, FD_CLOEXEC) < 0) {
		log_error("jobs: pipe: %s", strerror(errno));
		return -1;
	}
	wake_ev = event_new(daemon_g.base, wake[0], EV_READ | EV_PERSIST,
	    on_wake, NULL);
	if (!wake_ev || event_add(wake_ev, NULL) < 0)
		return -1;
	if (pthread_create(&writer_thread, NULL, writer, NULL)) {
		log_error("jobs: cannot start the writer");
		return -1;
	}
	writer_started = 1;
	threads = xcalloc(nthreads, sizeof *threads);
	for (size_t i = 0; i < nthreads; i++)
		if (pthread_create(&threads[i], NULL, worker, NULL)) {
			log_error("jobs: cannot start worker %zu", i);
			nthreads = i;
			return -1;
		}
	nplanners = (size_t)daemon_g.cfg.planners;
	pthreads = xcalloc(nplanners, sizeof *pthreads);
	prun = xcalloc(nplanners, sizeof *prun);
	for (size_t i = 0; i < nplanners; i++)
		if (pthread_create(&pthreads[i], NULL, planner, (void *)(uintptr_t)i)) {
			log_error("jobs: cannot start planner %zu", i);
			nplanners = i;
			return -1;
		}
	return 0;
}

int jobs_submit(struct job *j)
{
	pthread_mutex_lock(&lock);
	j->next = NULL;
	if (j->write) {                    /* to be checked, then written */
		winflight++;
		j->stage = JOB_QUEUED;
		j->wnext = NULL;
		*wtodo_tail = j;
		wtodo_tail = &j->wnext;
		*todo_tail = j;
		todo_tail = &j->next;
		pthread_cond_signal(&work);
		pthread_cond_signal(&wwork);
		pthread_mutex_unlock(&lock);
		return 0;
	}
	if (inflight >= daemon_g.cfg.max_jobs) {
		pthread_mutex_unlock(&lock);
		return -1;
	}
	inflight++;
	if (j->plan) {
		*ptodo_tail = j;
		ptodo_tail = &j->next;
		pthread_cond_signal(&pwork);
	} else {
		*todo_tail = j;
		todo_tail = &j->next;
		pthread_cond_signal(&work);
	}
	pthread_mutex_unlock(&lock);
	return 0;
}

void jobs_cancel(uint64_t conn)
{
	pthread_mutex_lock(&lock);
	/* queued: answered at once, so they stop counting against max_jobs */
	for (struct job **pp = &ptodo, *j; (j = *pp);) {
		if (j->conn != conn) {
			pp = &j->next;
			continue;
		}
		if (!(*pp = j->next))
			ptodo_tail = pp;
		j->cancel = 1;
		methods_reject(j->frame, j->len, PROTO_INTERNAL, "plan abandoned: "
		    "the connection closed", &j->out);
		finish(j);
	}
	for (size_t i = 0; i < nplanners; i++)
		if (prun[i] && prun[i]->conn == conn)
			prun[i]->cancel = 1;
	pthread_mutex_unlock(&lock);
}

void jobs_counts(size_t *writes, size_t *calls)
{
	pthread_mutex_lock(&lock);
	*writes = winflight;
	*calls = inflight;
	pthread_mutex_unlock(&lock);
}

/* Workers finish the job in hand; queued and finished jobs are dropped. */
void jobs_stop(void)
{
	pthread_mutex_lock(&lock);
	quit = 1;
	for (size_t i = 0; i < nplanners; i++)
		if (prun[i])
			prun[i]->cancel = 1;
	pthread_cond_broadcast(&work);
	pthread_cond_broadcast(&wwork);
	pthread_cond_broadcast(&pwork);
	pthread_mutex_unlock(&lock);
	if (writer_started)
		pthread_join(writer_thread, NULL);
	writer_started = 0;
	for (size_t i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	threads = NULL;
	nthreads = 0;
	for (size_t i = 0; i < nplanners; i++)
		pthread_join(pthreads[i], NULL);
	free(pthreads);
	free(prun);
	pthreads = NULL;
	prun = NULL;
	nplanners = 0;
	for (struct job *l = ptodo, *n; l; l = n) {
		n = l->next;
		jobs_free(l);
	}
	ptodo = NULL;
	ptodo_tail = &ptodo;
	for (struct job *l = todo, *n; l; l = n) {
		n = l->next;
		if (!l->write)                 /* (writes are on wtodo too) */
			jobs_free(l);
	}
	for (struct job *l = wtodo, *n; l; l = n) {
		n = l->wnext;
		jobs_free(l);
	}
	wtodo = NULL;
	wtodo_tail = &wtodo;
	for (struct job *l = done, *n; l; l = n) {
		n = l->next;
		jobs_free(l);
	}
	todo = done = NULL;
	todo_tail = &todo;
	if (wake_ev)
		event_free(wake_ev);
	wake_ev = NULL;
	for (int i = 0; i < 2; i++)
		if (wake[i] >= 0)
			close(wake[i]);
	wake[0] = wake[1] = -1;
}
