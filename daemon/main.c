/*
 * chanjiaod — the chanjiao matching daemon: flags and config, the store,
 * signals, and the event loop.
 */
#include "daemon.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "xalloc.h"

struct daemon daemon_g;

/*
 * Append s[0..n) to b with what could forge or disguise a log line
 * escaped: C0 controls and DEL as \xNN, a backslash as \\, bytes that
 * are not UTF-8 as \xNN, and C1 controls, the line and paragraph
 * separators and the bidi marks, embeddings, overrides and isolates
 * (U+061C, U+200E-F, U+2028-E, U+2066-9) as \uXXXX.  Everything else,
 * UTF-8 included, passes as it is.
 */
static void log_escape(struct proto_buf *b, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char e[8];

	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t len = 1;
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			size_t j = i;
			while (j < n && s[j] >= 0x20 && s[j] < 0x7f && s[j] != '\\')
				j++;
			proto_buf_append(b, s + i, j - i);
			i = j;
			continue;
		}
		if (c == '\\') {
			proto_buf_append(b, "\\\\", 2);
			i++;
			continue;
		}
		/* a well-formed UTF-8 sequence: its code point and length */
		uint32_t cp = 0;
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			len = 0;
		for (size_t k = 1; len && k < len; k++) {
			if (i + k >= n || (s[i + k] & 0xc0) != 0x80)
				len = 0;
			else
				cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (len && ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff))))
			len = 0;                      /* overlong, surrogate, too big */
		if (!len) {                           /* C0, DEL, or not UTF-8 */
			e[0] = '\\', e[1] = 'x', e[2] = hex[c >> 4], e[3] = hex[c & 15];
			proto_buf_append(b, e, 4);
			i++;
			continue;
		}
		if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e ||
		    cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069)) {
			snprintf(e, sizeof e, "\\u%04x", (unsigned)cp);
			proto_buf_append(b, e, 6);
		} else {
			proto_buf_append(b, s + i, len);
		}
		i += len;
	}
}

void log_msg(int level, const char *fmt, ...)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	char ts[32], head[64], small[1024], *msg = small;
	struct proto_buf line = { 0 };
	struct timeval tv;
	struct tm tm;
	va_list ap;
	int n;

	if (level < daemon_g.cfg.log_level)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof small) {
		msg = xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	int h = snprintf(head, sizeof head, "%s.%03dZ %s ", ts,
	    (int)(tv.tv_usec / 1000), names[level]);
	proto_buf_append(&line, head, (size_t)h);
	log_escape(&line, (const unsigned char *)msg, (size_t)n);
	proto_buf_append(&line, "\n", 1);
	/* one write per line, so threads' lines never interleave */
	fwrite(line.data, 1, line.len, stderr);
	proto_buf_free(&line);
	if (msg != small)
		free(msg);
}

static void usage(FILE *f)
{
	fprintf(f,
	    "usage: chanjiaod [-c FILE] [--listen HOST:PORT] [--unix PATH] [--data DIR]\n"
	    "                 [--http HOST:PORT|off] [--tokens FILE]\n"
	    "                 [--log-level debug|info|warn|error]\n"
	    "                 [--check-config] [--version]\n");
}

/* SIGHUP: re-read the tokens file; a bad file keeps the old tokens. */
static void on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct tokens t;
	char err[1024];
	(void)sig, (void)what, (void)arg;

	if (!daemon_g.cfg.tokens[0]) {
		log_info("SIGHUP: no tokens file configured");
		return;
	}
	if (tokens_load(daemon_g.cfg.tokens, &t, err, sizeof err) < 0) {
		log_error("SIGHUP: %s; keeping the %zu tokens loaded before", err,
		    daemon_g.tokens.n);
		return;
	}
	tokens_free(&daemon_g.tokens);
	daemon_g.tokens = t;
	daemon_g.tokens_gen++;
	log_info("SIGHUP: loaded %zu tokens from %s", t.n, daemon_g.cfg.tokens);
}

/*
 * SIGTERM, SIGINT: stop accepting and finish what is in flight
 * (server_stop), after which the loop ends; a second one ends it now.
 */
static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what, (void)arg;
	if (daemon_g.stopping) {
		log_info("signal %d again: stopping now", (int)sig);
		event_base_loopbreak(daemon_g.base);
		return;
	}
	log_info("signal %d: shutting down once the calls in flight are "
	    "answered", (int)sig);
	daemon_g.stopping = 1;
	http_stop();
	server_stop();
}

/*
 * One daemon per data dir: DIR/chanjiaod.pid, flock'd for the daemon's
 * life and naming its pid (PostgreSQL's postmaster.pid, with the kernel
 * lock as the only authority: a stale file from a crash is no obstacle).
 * Returns the open fd, or -1 after printing why.
 */
static int lock_data_dir(const char *dir)
{
	char path[4200], pid[32];
	int fd;

	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		fprintf(stderr, "chanjiaod: data directory %s: %s\n", dir,
		    strerror(errno));
		return -1;
	}
	snprintf(path, sizeof path, "%s/chanjiaod.pid", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0) {
		fprintf(stderr, "chanjiaod: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;
		ssize_t n = err == EWOULDBLOCK ? pread(fd, pid, sizeof pid - 1, 0) : -1;
		pid[n > 0 ? n : 0] = 0;
		pid[strcspn(pid, "\n")] = 0;
		if (err == EWOULDBLOCK)
			fprintf(stderr, "chanjiaod: data directory %s is in use by "
			    "pid %s (%s); one daemon per data directory\n", dir,
			    pid[0] ? pid : "(unknown)", path);
		else
			fprintf(stderr, "chanjiaod: %s: flock: %s\n", path,
			    strerror(err));
		close(fd);
		return -1;
	}
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		fprintf(stderr, "chanjiaod: %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "unix", required_argument, NULL, 'u' },
		{ "http", required_argument, NULL, 'H' },
		{ "data", required_argument, NULL, 'd' },
		{ "tokens", required_argument, NULL, 't' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct { const char *flag, *section, *key, *value; } flags[8];
	int nflags = 0, check = 0, o, lockfd;
	const char *conf = NULL;
	char err[1024];
	struct event *sigs[3];

#define FLAG(f, s, k) (flags[nflags].flag = f, flags[nflags].section = s, \
	    flags[nflags].key = k, flags[nflags++].value = optarg)
	while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': conf = optarg; break;
		case 'l': FLAG("listen", "server", "listen"); break;
		case 'u': FLAG("unix", "server", "unix"); break;
		case 'H': FLAG("http", "http", "listen"); break;
		case 'd': FLAG("data", "server", "data"); break;
		case 't': FLAG("tokens", "server", "tokens"); break;
		case 'L': FLAG("log-level", "server", "log_level"); break;
		case 'C': check = 1; break;
		case 'V': printf("chanjiaod %s\n", CJ_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (nflags == 8)
			nflags = 7;   /* a repeated flag: the last one wins below */
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}

	config_defaults(&daemon_g.cfg);
	if (conf && config_load(&daemon_g.cfg, conf, err, sizeof err) < 0) {
		fprintf(stderr, "chanjiaod: config %s\n", err);
		return 1;
	}
	for (int i = 0; i < nflags; i++)
		if (config_set(&daemon_g.cfg, flags[i].section, flags[i].key,
		    flags[i].value, err, sizeof err) < 0) {
			fprintf(stderr, "chanjiaod: --%s: %s\n", flags[i].flag, err);
			return 1;
		}
	if (config_check(&daemon_g.cfg, err, sizeof err) < 0) {
		fprintf(stderr, "chanjiaod: config: %s\n", err);
		return 1;
	}
	if (daemon_g.cfg.tokens[0] && tokens_load(daemon_g.cfg.tokens,
	    &daemon_g.tokens, err, sizeof err) < 0) {
		fprintf(stderr, "chanjiaod: %s\n", err);
		return 1;
	}
	if (check) {
		printf("chanjiaod: configuration ok\n");
		return 0;
	}

	if (catalog_load() < 0) {
		fprintf(stderr, "chanjiaod: the embedded major catalog is empty\n");
		return 1;
	}
	if ((lockfd = lock_data_dir(daemon_g.cfg.data)) < 0)
		return 1;
	if (store_open(&daemon_g.store, daemon_g.cfg.data, daemon_g.cfg.map_size,
	    err, sizeof err) < 0) {
		fprintf(stderr, "chanjiaod: %s\n", err);
		return 1;
	}
	if (store_reindexed(daemon_g.store))
		log_info("match indexes rebuilt for %zu records (new index format)",
		    store_reindexed(daemon_g.store));
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Three priorities: events default to the middle one; the server's
	 * backlog of pipelined work and the web console's connections run at
	 * the lowest, at most LOW_BATCH callbacks before the loop polls again,
	 * so a burst of browser requests delays an RPC call by a few
	 * callbacks, not by hundreds.
	 */
	struct event_config *ec = event_config_new();
	if (ec)
		event_config_set_max_dispatch_interval(ec, NULL, LOW_BATCH,
		    PRIO_LOW);
	daemon_g.base = ec ? event_base_new_with_config(ec) : NULL;
	if (ec)
		event_config_free(ec);
	daemon_g.started = time(NULL);
	if (daemon_g.base && event_base_priority_init(daemon_g.base, 3) < 0) {
		event_base_free(daemon_g.base);
		daemon_g.base = NULL;
	}
	/* the handlers are in place before the ready line says "signal me" */
	for (int i = 0; i < 3; i++)
		sigs[i] = NULL;
	if (daemon_g.base) {
		sigs[0] = evsignal_new(daemon_g.base, SIGTERM, on_signal, NULL);
		sigs[1] = evsignal_new(daemon_g.base, SIGINT, on_signal, NULL);
		sigs[2] = evsignal_new(daemon_g.base, SIGHUP, on_hup, NULL);
		for (int i = 0; i < 3; i++)
			event_add(sigs[i], NULL);
	}
	if (!daemon_g.base || jobs_start() < 0 || http_listen() < 0 ||
	    server_listen() < 0) {
		jobs_stop();
		server_shutdown();
		http_free();
		for (int i = 0; i < 3; i++)
			if (sigs[i])
				event_free(sigs[i]);
		store_snapshot_free();
		store_close(daemon_g.store);
		return 1;
	}
	if (daemon_g.cfg.tokens[0])
		log_info("%zu tokens loaded from %s: every connection must "
		    "auth.login", daemon_g.tokens.n, daemon_g.cfg.tokens);
	log_info("chanjiaod %s serving %s (%zu catalog majors)", CJ_VERSION,
	    daemon_g.cfg.data, catalog_majors());

	event_base_dispatch(daemon_g.base);

	jobs_stop();                 /* what a second signal left running */
	server_shutdown();
	http_free();
	for (int i = 0; i < 3; i++)
		event_free(sigs[i]);
	tokens_free(&daemon_g.tokens);
	methods_free();
	event_base_free(daemon_g.base);
	store_snapshot_free();
	store_close(daemon_g.store);
	if (ftruncate(lockfd, 0) < 0)   /* the pid is gone; the lock goes next */
		log_warn("%s/chanjiaod.pid: %s", daemon_g.cfg.data, strerror(errno));
	close(lockfd);
	log_info("stopped");
	return 0;
}
