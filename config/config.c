/* config — defaults, INI file and flags; see config.h. */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->listen, sizeof c->listen, "127.0.0.1:7411");
	snprintf(c->data, sizeof c->data, "./chanjiao-data");
	c->log_level = CONFIG_INFO;
	c->map_size = 64ULL << 30;
	c->max_frame = 16ULL << 20;
	c->max_depth = 32;
	c->max_batch = 10000;
	c->max_k = 10000;
	c->max_limit = 1000;
	c->max_connections = 10000;
	c->idle_timeout_s = 300;
	c->max_reply_queue = 64ULL << 20;
	c->max_reply_memory = 1ULL << 30;
	c->auth_timeout_s = 10;
	c->max_scan = 100000;
	c->workers = 2;
	c->planners = 1;
	c->max_jobs = 64;
	snprintf(c->http_listen, sizeof c->http_listen, CONFIG_HTTP_DEFAULT);
	snprintf(c->http_chartjs, sizeof c->http_chartjs,
	    "/usr/share/javascript/chart.js/chart.min.js");
	c->http_session_timeout_s = 8 * 3600;
	c->http_timeout_s = 30;
	c->http_max_header = 16 << 10;
	c->http_max_sessions = 10000;
	c->weights.major = 0.40;
	c->weights.skills = 0.15;
	c->weights.region = 0.15;
	c->weights.level = 0.10;
	c->weights.capacity = 0.10;
	c->weights.chain = 0.10;
}

/* A whole number with an optional K/M/G/T (binary) suffix. */
static int parse_size(const char *v, unsigned long long *out)
{
	char *end;
	errno = 0;
	if (*v == '-' || *v == '\0')
		return -1;
	unsigned long long x = strtoull(v, &end, 10);
	if (errno || end == v)
		return -1;
	int shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (*end || (shift && x > (~0ULL >> shift)))
		return -1;
	*out = x << shift;
	return 0;
}

static int parse_bool(const char *v, int *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") ||
	    !strcasecmp(v, "on"))
		return *out = 1, 0;
	if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") ||
	    !strcasecmp(v, "off"))
		return *out = 0, 0;
	return -1;
}

static int copy(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);
	if (n >= cap)
		return -1;
	memcpy(dst, v, n + 1);
	return 0;
}

int config_split_listen(const char *listen, char *host, size_t hostcap,
    int *port)
{
	const char *colon = strrchr(listen, ':');
	const char *h = listen;
	size_t hl;
	char *end;

	if (!colon)
		return -1;
	hl = (size_t)(colon - listen);
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']')
		h++, hl -= 2;
	if (hl == 0 || hl >= hostcap)
		return -1;
	memcpy(host, h, hl);
	host[hl] = 0;
	errno = 0;
	long p = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || p < 0 || p > 65535)
		return -1;
	*port = (int)p;
	return 0;
}

static const struct limit {
	const char *key;
	size_t off;
	unsigned long long lo, hi;
} limits[] = {
#define L(k, lo, hi) { #k, offsetof(struct config, k), lo, hi }
	L(map_size, 1ULL << 20, 1ULL << 44),
	L(max_frame, 64, 1ULL << 31),
	L(max_depth, 2, 32),            /* msgpack-c decodes 32 levels */
	L(max_batch, 1, 1000000),
	L(max_k, 1, 10000000),
	L(max_limit, 1, 1000000),
	L(max_connections, 1, 1000000),
	L(idle_timeout_s, 0, 31536000), /* 0: never */
	L(max_reply_queue, 4096, 1ULL << 40),
	L(max_reply_memory, 4096, 1ULL << 44),
	L(auth_timeout_s, 0, 31536000), /* 0: never */
	L(max_scan, 1, 1ULL << 40),
	L(workers, 1, 64),
	L(planners, 1, 16),
	L(max_jobs, 1, 1000000),
#undef L
}, http_limits[] = {
#define L(k, f, lo, hi) { #k, offsetof(struct config, f), lo, hi }
	L(session_timeout_s, http_session_timeout_s, 60, 31536000),
	L(timeout_s, http_timeout_s, 1, 3600),
	L(max_header, http_max_header, 1024, 1 << 20),
	L(max_sessions, http_max_sessions, 1, 1000000),
#undef L
};

static int set_limit(struct config *c, const char *section,
    const struct limit *l, const char *value, char *err, size_t errlen)
{
	unsigned long long v;

	if (parse_size(value, &v) < 0 || v < l->lo || v > l->hi) {
		snprintf(err, errlen,
		    "[%s] %s: '%s' is not a whole number in %llu..%llu", section,
		    l->key, value, l->lo, l->hi);
		return -1;
	}
	*(unsigned long long *)((char *)c + l->off) = v;
	return 0;
}

int config_set(struct config *c, const char *section, const char *key,
    const char *value, char *err, size_t errlen)
{
	if (!strcmp(section, "server")) {
		if (!strcmp(key, "listen")) {
			char host[256];
			int port;
			if (copy(c->listen, sizeof c->listen, value) < 0 ||
			    config_split_listen(value, host, sizeof host, &port) < 0)
				goto bad;
			return 0;
		}
		if (!strcmp(key, "unix"))
			return copy(c->unix_path, sizeof c->unix_path, value) < 0 ?
			    (snprintf(err, errlen, "[server] unix: path too long"), -1) : 0;
		if (!strcmp(key, "data")) {
			if (!*value || copy(c->data, sizeof c->data, value) < 0)
				goto bad;
			return 0;
		}
		if (!strcmp(key, "tokens")) {
			if (copy(c->tokens, sizeof c->tokens, value) < 0)
				goto bad;
			return 0;
		}
		if (!strcmp(key, "backup_dir")) {
			if (copy(c->backup_dir, sizeof c->backup_dir, value) < 0)
				goto bad;
			return 0;
		}
		if (!strcmp(key, "log_level")) {
			static const char *const lv[] = { "debug", "info", "warn", "error" };
			for (int i = 0; i < 4; i++)
				if (!strcmp(value, lv[i]))
					return c->log_level = i, 0;
			snprintf(err, errlen,
			    "[server] log_level: '%s' is not debug, info, warn or error",
			    value);
			return -1;
		}
		if (!strcmp(key, "allow_public")) {
			if (parse_bool(value, &c->allow_public) < 0)
				goto bad;
			return 0;
		}
		for (size_t i = 0; i < sizeof limits / sizeof *limits; i++)
			if (!strcmp(key, limits[i].key))
				return set_limit(c, "server", &limits[i], value, err,
				    errlen);
		snprintf(err, errlen, "[server] %s: unknown key", key);
		return -1;
	}
	if (!strcmp(section, "http")) {
		if (!strcmp(key, "listen")) {
			char host[256];
			int port;
			if (!strcmp(value, "off") || !*value)
				return c->http_listen[0] = 0, 0;
			if (copy(c->http_listen, sizeof c->http_listen, value) < 0 ||
			    config_split_listen(value, host, sizeof host, &port) < 0)
				goto bad;
			return 0;
		}
		if (!strcmp(key, "hosts")) {
			if (copy(c->http_hosts, sizeof c->http_hosts, value) < 0)
				goto bad;
			return 0;
		}
		if (!strcmp(key, "chartjs")) {
			if (copy(c->http_chartjs, sizeof c->http_chartjs, value) < 0)
				goto bad;
			return 0;
		}
		for (size_t i = 0; i < sizeof http_limits / sizeof *http_limits; i++)
			if (!strcmp(key, http_limits[i].key))
				return set_limit(c, "http", &http_limits[i], value, err,
				    errlen);
		snprintf(err, errlen, "[http] %s: unknown key", key);
		return -1;
	}
	if (!strcmp(section, "match")) {
		for (int i = 0; i < MATCH_NFACTORS; i++) {
			char *end;
			if (strcmp(key, match_factor_name[i]))
				continue;
			errno = 0;
			double v = strtod(value, &end);
			if (errno || end == value || *end || !(v >= 0 && v <= 1)) {
				snprintf(err, errlen,
				    "[match] %s: '%s' is not a number in [0, 1]", key, value);
				return -1;
			}
			*match_weight_at(&c->weights, i) = v;
			return 0;
		}
		snprintf(err, errlen, "[match] %s: unknown key", key);
		return -1;
	}
	snprintf(err, errlen, "[%s]: unknown section", section);
	return -1;
bad:
	snprintf(err, errlen, "[%s] %s: bad value '%s'", section, key, value);
	return -1;
}

struct load {
	struct config *c;
	char *err;
	size_t errlen;
	int failed;
};

static int on_ini(void *user, const char *section, const char *key,
    const char *value)
{
	struct load *l = user;
	if (l->failed)
		return 0;
	if (config_set(l->c, section, key, value, l->err, l->errlen) < 0) {
		l->failed = 1;
		return 0;
	}
	return 1;
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	struct load l = { c, err, errlen, 0 };
	char msg[512];
	int rc = ini_parse(path, on_ini, &l);

	if (rc == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (rc != 0) {
		snprintf(msg, sizeof msg, "%s", l.failed ? err : "syntax error");
		snprintf(err, errlen, "%s:%d: %s", path, rc, msg);
		return -1;
	}
	return 0;
}

int config_check(const struct config *c, char *err, size_t errlen)
{
	struct match_weights w = c->weights;
	double sum = 0;
	for (int i = 0; i < MATCH_NFACTORS; i++)
		sum += *match_weight_at(&w, i);
	if (fabs(sum - 1.0) > 1e-9) {
		snprintf(err, errlen, "[match] weights sum to %g, not 1", sum);
		return -1;
	}
	return 0;
}
