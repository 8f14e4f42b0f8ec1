/*
 * config — chanjiaod's settings: embedded defaults, then the INI file
 * (-c), then flags.  Every key is documented in config/chanjiao.conf.
 */
#ifndef CJ_CONFIG_H
#define CJ_CONFIG_H

#include <stddef.h>

#include "match.h"

#define CONFIG_HTTP_DEFAULT "127.0.0.1:7412"

enum config_log { CONFIG_DEBUG, CONFIG_INFO, CONFIG_WARN, CONFIG_ERROR };

struct config {
	/* [server] */
	char listen[256];          /* HOST:PORT; port 0 takes a free one */
	char unix_path[108];       /* empty: no Unix socket */
	char data[4096];
	char tokens[4096];         /* empty: no tokens file */
	char backup_dir[4096];     /* admin.backup's folder; empty: "backups"
				      inside data (a relative path is taken
				      inside data too) */
	int log_level;             /* enum config_log */
	int allow_public;
	unsigned long long map_size;
	unsigned long long max_frame;
	unsigned long long max_depth;
	unsigned long long max_batch;
	unsigned long long max_k;
	unsigned long long max_limit;
	unsigned long long max_connections;
	unsigned long long idle_timeout_s;
	unsigned long long max_reply_queue;
	unsigned long long max_reply_memory;  /* over all connections */
	unsigned long long auth_timeout_s;    /* 0: never */
	unsigned long long max_scan;          /* records a filtered list reads */
	unsigned long long workers;        /* query and fair planner threads */
	unsigned long long planners;       /* threads for the school planners */
	unsigned long long max_jobs;       /* planner calls queued or running */
	/* [http] the web console (daemon/http.c) */
	char http_listen[256];     /* HOST:PORT; empty: off.  When it is
				      CONFIG_HTTP_DEFAULT and taken, the daemon
				      serves without the console */
	char http_hosts[1024];     /* more Host names, comma-separated */
	char http_chartjs[4096];   /* Chart.js file served as chart.min.js */
	unsigned long long http_session_timeout_s;
	unsigned long long http_timeout_s;    /* a request's read/write */
	unsigned long long http_max_header;   /* request line + headers */
	unsigned long long http_max_sessions;
	/* [match] weights, each in [0,1], summing to 1 */
	struct match_weights weights;
};

void config_defaults(struct config *c);

/*
 * Set one key of a section from text.  Returns 0, or -1 with a message
 * naming the section and key in err.
 */
int config_set(struct config *c, const char *section, const char *key,
    const char *value, char *err, size_t errlen);

/* Read an INI file into c.  Returns 0, or -1 with err naming file:line. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);

/* Checks across keys (the weights sum to 1).  0 or -1 with err. */
int config_check(const struct config *c, char *err, size_t errlen);

/* Split "host:port" ("[v6]:port" too); -1 when malformed. */
int config_split_listen(const char *listen, char *host, size_t hostcap,
    int *port);

#endif
