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
#include "aws/provider.h"
#include "core/settings.h"
#include "core/sinks.h"
#include "sink/sink.h"

#define SHOW_ERRORS 5		/* malformed lines reported one by one */

struct ship {
	struct settings set;
	struct sink_env env;		/* what the sink borrows */
	struct sink *out;		/* the run's sink, shared by every input */
	pthread_mutex_t mu;		/* counts, reports */
	/* counts, under mu */
	struct pipeline_stats total;
	unsigned long files, files_gzip, files_failed;
	uint64_t shown;
	struct sink_tally tally;	/* what became of every document */
	char **names;			/* non-AWS input names seen (ids) */
	size_t nnames;
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
};

/**
 * ship_region(sh, err, cap): the AWS region (settings, then the AWS CLI's
 * places), or "us-east-1" with a custom S3 endpoint; NULL with a message.
 */
const char *ship_region(struct ship *sh, char *err, size_t cap);

/**
 * report_sink_new(sh, next, path): a sink in front of ${next} that prints
 * the first malformed lines with ${path} and their offset, then forwards
 * (and counts local progress if ${progress}).  Freed with sink_free().
 */
struct sink *report_sink_new(struct ship *sh, struct sink *next,
    const char *path, int progress);

/**
 * ship_sink_name(sh): what the output is called in messages.
 */
const char *ship_sink_name(const struct ship *sh);

/**
 * ship_s3(sh, url): ship s3://bucket/key, or every ELB log under
 * s3://bucket/prefix/.  Returns 0, or -1 if the run must stop (output
 * failed, interrupted); failed objects are counted, not fatal.
 */
int ship_s3(struct ship *sh, const char *url);

#endif
