/*
 * runner.h: ship S3 objects, several at once, under a deadline: the one
 * object runner of the CLI's backfill and of the Lambda function (after
 * beats' S3 input and its ACK tracker).
 *
 *   objects in -> workers (--concurrency / ELBSHIP_CONCURRENCY) -> one result per object
 *
 * Each worker streams an object through the pipeline into the shared
 * sink, its documents in a tally of the object's own, then waits until
 * the sink has settled every one of them (sink_sync()) and judges it: an
 * object is ok when every line was read and every document is indexed,
 * duplicate or dead-lettered.  Every blocking step is bounded by the
 * deadline: S3 requests and retries (s3_get_bound()), the sink's requests
 * and retries (its own deadline), and objects not started in time fail
 * with that cause.
 *
 * A worker keeps its S3 client (and its connections) for the runner's
 * life: a warm Lambda reuses them from one invocation to the next.
 */
#ifndef ELBSHIP_RUNNER_H
#define ELBSHIP_RUNNER_H

#include <signal.h>
#include <stdint.h>

#include "core/pipeline.h"
#include "encode/ecs.h"
#include "sink/sink.h"
#include "source/s3.h"

struct runner_config {
	const struct pipeline_opts *pipe;	/* threads: for all objects at once */
	const struct ecs_opts *ecs;
	const struct s3_config *s3;		/* a client per worker */
	int concurrency;			/* objects at once, >= 1 */
};

/* One object to ship. */
struct runner_job {
	const char *bucket, *key;	/* key decoded */
	uint64_t size;			/* if known (progress), else 0 */
};

/* How one object went. */
struct runner_result {
	struct pipeline_stats st;
	struct s3_get_stats get;
	struct sink_tally tally;	/* what became of its documents */
	int rc;				/* PIPELINE_OK, _EINPUT, _ESINK */
	int ok;				/* every line read and delivered */
	int started;			/* 0: not started (stopped, deadline) */
	double secs;
	char err[1024];			/* why not ok: the cause */
};

/* The parts of a run that change from one run to the next. */
struct runner_run {
	struct sink *sink;		/* shared by the workers */
	int64_t deadline_ms;		/* CLOCK_MONOTONIC ms; 0 none */
	volatile sig_atomic_t *stop;	/* stop taking and reading when set */
	/*
	 * Optional: a sink to put in front of ${next} for job ${j} (the CLI
	 * reports malformed lines with the object's name); freed with
	 * sink_free() after the job.  NULL: none.
	 */
	struct sink *(*wrap)(void *arg, const struct runner_job *j,
	    struct sink *next);
	/*
	 * Called once per job, in the order jobs finish, one call at a time
	 * (under the runner's lock).  Return nonzero to take no more jobs
	 * (the sink failed for good).  Required.
	 */
	int (*done)(void *arg, size_t i, const struct runner_job *j,
	    const struct runner_result *r);
	void *arg;
};

struct runner;

/**
 * runner_new(c, err, cap): a runner for ${c} (borrowed, with what it
 * points to: must outlive the runner).  NULL with a message.
 */
struct runner *runner_new(const struct runner_config *c, char *err,
    size_t cap);

/**
 * runner_ship(r, jobs, n, run): ship the ${n} ${jobs} as ${run} says and
 * return when each has had its done() call.  Returns the number of jobs
 * that were not ok.
 */
size_t runner_ship(struct runner *r, const struct runner_job *jobs, size_t n,
    const struct runner_run *run);

/** runner_free(r): free ${r} and its S3 clients; NULL is fine. */
void runner_free(struct runner *r);

#endif
