/*
 * stats — counters for system.stats.  Latencies go into log-linear
 * histograms (8 buckets per power of two, so a percentile is within
 * 12.5%), one per method: fixed memory, O(1) to record.  Worker threads
 * record too, so calls and limit hits are kept under one mutex.
 */
#include "daemon.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "xalloc.h"

#define SUB 8
#define NBUCKETS (64 * SUB)
#define MAXMETHODS 64

const char *const limit_name[LIMIT_N] = {
	"max_frame", "max_depth", "max_batch", "max_k", "max_limit",
	"max_connections", "idle_timeout_s", "auth_timeout_s", "max_reply_queue",
	"max_reply_memory", "max_scan", "max_jobs",
};

struct stats_conn stats_conn;
static uint64_t limit_hits[LIMIT_N];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct mstat {
	uint64_t calls, errors;
	uint32_t hist[NBUCKETS];
} mstats[MAXMETHODS];

uint64_t stats_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void stats_limit_hit(enum limit l)
{
	pthread_mutex_lock(&lock);
	limit_hits[l]++;
	pthread_mutex_unlock(&lock);
}

static int bucket(uint64_t v)
{
	if (v < SUB)
		return (int)v;
	int msb = 63 - __builtin_clzll(v);          /* >= 3 */
	int sub = (int)((v >> (msb - 3)) & (SUB - 1));
	return (msb - 2) * SUB + sub;
}

/* The largest value that falls in bucket b. */
static uint64_t bucket_top(int b)
{
	if (b < SUB)
		return (uint64_t)b;
	int msb = b / SUB + 2, sub = b % SUB;
	return ((uint64_t)(SUB + sub + 1) << (msb - 3)) - 1;
}

void stats_call(int m, int error, uint64_t us)
{
	if (m < 0 || m >= MAXMETHODS)
		return;
	pthread_mutex_lock(&lock);
	mstats[m].calls++;
	mstats[m].errors += error != 0;
	mstats[m].hist[bucket(us)]++;
	pthread_mutex_unlock(&lock);
}

static uint64_t percentile(const struct mstat *s, double q)
{
	uint64_t want = (uint64_t)(q * (double)s->calls + 0.999999), seen = 0;
	if (want == 0)
		want = 1;
	for (int b = 0; b < NBUCKETS; b++) {
		seen += s->hist[b];
		if (seen >= want)
			return bucket_top(b);
	}
	return 0;
}

void stats_pack(msgpack_packer *pk, const char *const *names, int nmethods)
{
	int used = 0;
	size_t writes, calls, buffered = server_buffered();

	jobs_counts(&writes, &calls);
	pthread_mutex_lock(&lock);
	msgpack_pack_map(pk, 4);
	proto_pack_cstr(pk, "connections");
	msgpack_pack_map(pk, 4);
	proto_pack_cstr(pk, "current");
	msgpack_pack_uint64(pk, stats_conn.current);
	proto_pack_cstr(pk, "total");
	msgpack_pack_uint64(pk, stats_conn.total);
	proto_pack_cstr(pk, "refused");
	msgpack_pack_uint64(pk, stats_conn.refused);
	proto_pack_cstr(pk, "buffer_bytes");
	msgpack_pack_uint64(pk, buffered);

	proto_pack_cstr(pk, "methods");
	for (int m = 0; m < nmethods && m < MAXMETHODS; m++)
		used += mstats[m].calls > 0;
	msgpack_pack_map(pk, used);
	for (int m = 0; m < nmethods && m < MAXMETHODS; m++) {
		const struct mstat *s = &mstats[m];
		if (!s->calls)
			continue;
		proto_pack_cstr(pk, names[m]);
		msgpack_pack_map(pk, 4);
		proto_pack_cstr(pk, "calls");
		msgpack_pack_uint64(pk, s->calls);
		proto_pack_cstr(pk, "errors");
		msgpack_pack_uint64(pk, s->errors);
		proto_pack_cstr(pk, "p50_us");
		msgpack_pack_uint64(pk, percentile(s, 0.50));
		proto_pack_cstr(pk, "p99_us");
		msgpack_pack_uint64(pk, percentile(s, 0.99));
	}

	proto_pack_cstr(pk, "jobs");
	msgpack_pack_map(pk, 2);
	proto_pack_cstr(pk, "writes");
	msgpack_pack_uint64(pk, writes);
	proto_pack_cstr(pk, "calls");
	msgpack_pack_uint64(pk, calls);

	proto_pack_cstr(pk, "limits");
	msgpack_pack_map(pk, LIMIT_N);
	for (int l = 0; l < LIMIT_N; l++) {
		proto_pack_cstr(pk, limit_name[l]);
		msgpack_pack_uint64(pk, limit_hits[l]);
	}
	pthread_mutex_unlock(&lock);
}
