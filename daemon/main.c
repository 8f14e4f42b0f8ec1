/*
 * chanjiaod — the chanjiao matching daemon: flags and config, the store,
 * signals, and the event loop.
 */
#include "daemon.h"

#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "catalog.h"

struct daemon daemon_g;

void log_msg(int level, const char *fmt, ...)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	char ts[32];
	struct timeval tv;
	struct tm tm;
	va_list ap;

	if (level < daemon_g.cfg.log_level)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03dZ %s ", ts, (int)(tv.tv_usec / 1000), names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
	    "usage: chanjiaod [-c FILE] [--listen HOST:PORT] [--unix PATH] [--data DIR]\n"
	    "                 [--tokens FILE] [--log-level debug|info|warn|error]\n"
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

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what, (void)arg;
	log_info("signal %d: shutting down", (int)sig);
	daemon_g.stopping = 1;
	event_base_loopbreak(daemon_g.base);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "unix", required_argument, NULL, 'u' },
		{ "data", required_argument, NULL, 'd' },
		{ "tokens", required_argument, NULL, 't' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct { const char *key, *value; } flags[8];
	int nflags = 0, check = 0, o;
	const char *conf = NULL;
	char err[1024];
	struct event *sigs[3];

	while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': conf = optarg; break;
		case 'l': flags[nflags].key = "listen"; flags[nflags++].value = optarg; break;
		case 'u': flags[nflags].key = "unix"; flags[nflags++].value = optarg; break;
		case 'd': flags[nflags].key = "data"; flags[nflags++].value = optarg; break;
		case 't': flags[nflags].key = "tokens"; flags[nflags++].value = optarg; break;
		case 'L': flags[nflags].key = "log_level"; flags[nflags++].value = optarg; break;
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
		if (config_set(&daemon_g.cfg, "server", flags[i].key, flags[i].value,
		    err, sizeof err) < 0) {
			fprintf(stderr, "chanjiaod: --%s: %s\n", flags[i].key, err);
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
	if (store_open(&daemon_g.store, daemon_g.cfg.data, daemon_g.cfg.map_size,
	    err, sizeof err) < 0) {
		fprintf(stderr, "chanjiaod: %s\n", err);
		return 1;
	}
	if (store_reindexed(daemon_g.store))
		log_info("match indexes rebuilt for %zu records (new index format)",
		    store_reindexed(daemon_g.store));
	signal(SIGPIPE, SIG_IGN);
	daemon_g.base = event_base_new();
	daemon_g.started = time(NULL);
	if (!daemon_g.base || jobs_start() < 0 || server_listen() < 0) {
		jobs_stop();
		store_snapshot_free();
		store_close(daemon_g.store);
		return 1;
	}
	sigs[0] = evsignal_new(daemon_g.base, SIGTERM, on_signal, NULL);
	sigs[1] = evsignal_new(daemon_g.base, SIGINT, on_signal, NULL);
	sigs[2] = evsignal_new(daemon_g.base, SIGHUP, on_hup, NULL);
	for (int i = 0; i < 3; i++)
		event_add(sigs[i], NULL);
	if (daemon_g.cfg.tokens[0])
		log_info("%zu tokens loaded from %s: every connection must "
		    "auth.login", daemon_g.tokens.n, daemon_g.cfg.tokens);
	log_info("chanjiaod %s serving %s (%zu catalog majors)", CJ_VERSION,
	    daemon_g.cfg.data, catalog_majors());

	event_base_dispatch(daemon_g.base);

	jobs_stop();                 /* planners in hand finish first */
	server_shutdown();
	for (int i = 0; i < 3; i++)
		event_free(sigs[i]);
	tokens_free(&daemon_g.tokens);
	methods_free();
	event_base_free(daemon_g.base);
	store_snapshot_free();
	store_close(daemon_g.store);
	log_info("stopped");
	return 0;
}
