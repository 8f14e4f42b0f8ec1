/*
 * jobs — planner calls on worker threads.
 *
 * The event loop hands a whole request frame over (jobs_submit); a worker
 * runs it through methods_run_job, which packs the reply into the job's
 * own buffer; the finished job goes on a done list and, when that list
 * was empty, one byte down a pipe wakes the loop, which takes the whole
 * list and gives each reply to its connection if it is still open
 * (server_job_done).  libevent is touched only by the loop
 * thread; the queues are guarded by one mutex.
 *
 * `max_jobs` bounds the jobs queued or running; past it jobs_submit
 * refuses and the caller answers 1029.
 */
#include "daemon.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static struct job *todo, **todo_tail = &todo, *done;
static size_t inflight;                /* queued or running */
static int quit;
static pthread_t *threads;
static size_t nthreads;
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

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	for (;;) {
		while (!todo && !quit)
			pthread_cond_wait(&work, &lock);
		if (quit)
			break;
		struct job *j = todo;
		todo = j->next;
		if (!todo)
			todo_tail = &todo;
		pthread_mutex_unlock(&lock);

		methods_run_job(j);

		pthread_mutex_lock(&lock);
		j->next = done;
		done = j;
		if (j->next)                   /* the loop is already woken */
			continue;
		ssize_t w;
		do
			w = write(wake[1], "", 1);
		while (w < 0 && errno == EINTR);   /* EAGAIN: a wake is pending */
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
		count++;
	inflight -= count;
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
	nthreads = (size_t)daemon_g.cfg.workers;
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
	threads = xcalloc(nthreads, sizeof *threads);
	for (size_t i = 0; i < nthreads; i++)
		if (pthread_create(&threads[i], NULL, worker, NULL)) {
			log_error("jobs: cannot start worker %zu", i);
			nthreads = i;
			return -1;
		}
	return 0;
}

int jobs_submit(struct job *j)
{
	pthread_mutex_lock(&lock);
	if (inflight >= daemon_g.cfg.max_jobs) {
		pthread_mutex_unlock(&lock);
		return -1;
	}
	inflight++;
	j->next = NULL;
	*todo_tail = j;
	todo_tail = &j->next;
	pthread_cond_signal(&work);
	pthread_mutex_unlock(&lock);
	return 0;
}

/* Workers finish the job in hand; queued and finished jobs are dropped. */
void jobs_stop(void)
{
	pthread_mutex_lock(&lock);
	quit = 1;
	pthread_cond_broadcast(&work);
	pthread_mutex_unlock(&lock);
	for (size_t i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	threads = NULL;
	nthreads = 0;
	for (struct job *l = todo, *n; l; l = n) {
		n = l->next;
		jobs_free(l);
	}
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
