/*
 * ship.h: what ship.c (local files, the run) and ship_s3.c (S3 objects)
 * share.  Internal to src/cli.
 */
#ifndef ELBSHIP_SHIP_H
#define ELBSHIP_SHIP_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include "core/pipeline.h"
#include "aws/httpsign.h"
#include "aws/provider.h"
#include "core/settings.h"
#include "sink/es.h"
#include "sink/lstcp.h"
#include "sink/sink.h"

#define SHOW_ERRORS 5		/* malformed lines reported one by one */

enum sink_kind { SINK_LOCAL, SINK_ES, SINK_LS_HTTP, SINK_LS_TCP };

struct ship {
	struct settings set;
	enum sink_kind kind;
	struct lstcp_config tcp;
	struct sink *out;		/* the run's sink (local and tcp output) */
	pthread_mutex_t mu;		/* counts, reports, shared sink */
	/* counts, under mu */
	struct pipeline_stats total;
	unsigned long files, files_gzip, files_failed;
	uint64_t shown;
	struct es_stats delivered;	/* sums of finished delivery sinks */
	struct lstcp_stats sent;
	int output_failed;
	int quiet;
	/*
	 * Progress on local input (a line on stderr, rewritten at most once a
	 * second; S3 backfills print their own): only the thread that holds
	 * the pipeline's commit token touches these.
	 */
	int progress;
	int prog_shown;			/* a progress line is on the screen */
	struct timespec prog_t0;
	double prog_last;		/* when it was last written */
	uint64_t prog_lines, prog_bytes;
	/* set by SIGINT/SIGTERM (see ship.c) */
	volatile sig_atomic_t *stop;
	/* AWS: credentials (S3, SigV4 to OpenSearch), region */
	struct aws_provider aws;
	char region[64];
	struct es_sigv4 sigv4;
};

/**
 * ship_region(sh, err, cap): the AWS region (settings, then the AWS CLI's
 * places), or "us-east-1" with a custom S3 endpoint; NULL with a message.
 */
const char *ship_region(struct ship *sh, char *err, size_t cap);

/*
 * A reporting sink in front of another: prints the first malformed lines
 * with their file and offset, then forwards; with ${lock}, forwards under
 * the run's mutex (several objects sharing one output).
 */
struct report_sink {
	struct sink base;
	struct ship *sh;
	struct sink *next;
	const char *path;
	int lock;
	int progress;		/* count for the local progress line */
};

/** report_sink_init(r, sh, next, path, lock): set up ${r}. */
void report_sink_init(struct report_sink *r, struct ship *sh,
    struct sink *next, const char *path, int lock);

/**
 * ship_open_sink(sh, fd, err, cap): a new delivery sink as the settings
 * ask (Elasticsearch, Logstash http/tcp, or the local file ${fd}).
 */
struct sink *ship_open_sink(struct ship *sh, int fd, char *err, size_t cap);

/** ship_sink_name(sh): "elasticsearch", "logstash", or the output name. */
const char *ship_sink_name(const struct ship *sh);

/**
 * ship_settle_sink(sh, s): add the delivery counts of sink ${s} (a
 * delivery sink of this run, flushed) to the run's, under the mutex.
 */
void ship_settle_sink(struct ship *sh, struct sink *s);

/**
 * ship_s3(sh, url): ship s3://bucket/key, or every ELB log under
 * s3://bucket/prefix/.  Returns 0, or -1 if the run must stop (output
 * failed, interrupted); failed objects are counted, not fatal.
 */
int ship_s3(struct ship *sh, const char *url);

#endif
