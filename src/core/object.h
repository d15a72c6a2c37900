/*
 * object.h: ship one S3 object: stream it, parse it, hand its documents to
 * a sink, and (for a delivering sink) flush and measure what the receiver
 * confirmed for this object alone.  Shared by the CLI's backfill and the
 * Lambda function, so both decide "this object is done" the same way.
 */
#ifndef ELBSHIP_OBJECT_H
#define ELBSHIP_OBJECT_H

#include <signal.h>
#include <stdint.h>

#include "core/pipeline.h"
#include "encode/ecs.h"
#include "sink/es.h"
#include "sink/sink.h"
#include "source/s3.h"

struct object_job {
	const struct pipeline_opts *pipe;
	const struct ecs_opts *ecs;
	struct s3_client *s3;
	const char *bucket, *key;	/* key decoded */
	struct sink *sink;		/* where documents go */
	struct sink *delivery;		/* an es sink to flush and measure, or NULL */
	volatile sig_atomic_t *stop;	/* stop reading when set, or NULL */
	int64_t deadline_ms;		/* CLOCK_MONOTONIC ms to stop reading by; 0 none */
};

struct object_result {
	struct pipeline_stats st;
	struct s3_get_stats get;
	struct es_stats delivered;	/* for this object (delivery sinks) */
	int rc;				/* PIPELINE_OK, _EINPUT, _ESINK */
	int ok;				/* every line read, and delivered */
	double secs;
	char err[768];			/* why not ok */
};

/**
 * object_ship(job, res): ship one object as ${job} says; ${res} tells how
 * it went.  Never fails as a call: errors are in res->ok / res->err.
 */
void object_ship(const struct object_job *job, struct object_result *res);

#endif
