/*
 * object.c: ship one S3 object.  See object.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/object.h"
#include "util/clock.h"

/* The object's bytes, unless the run is stopped or the deadline passed. */
struct guarded {
	struct s3_get *g;
	const struct object_job *job;
};

static ssize_t
guarded_read(void *arg, char *buf, size_t cap, char *err, size_t errcap)
{
	struct guarded *gd = arg;

	if (gd->job->stop != NULL && *gd->job->stop) {
		snprintf(err, errcap, "interrupted");
		return -1;
	}
	if (gd->job->deadline_ms != 0 && clock_ms() >= gd->job->deadline_ms) {
		snprintf(err, errcap, "stopped at the deadline");
		return -1;
	}
	return s3_get_read(gd->g, buf, cap, err, errcap);
}

static void
delta(struct es_stats *d, const struct es_stats *a, const struct es_stats *b)
{
	d->indexed = b->indexed - a->indexed;
	d->duplicate = b->duplicate - a->duplicate;
	d->dead_lettered = b->dead_lettered - a->dead_lettered;
	d->undelivered = b->undelivered - a->undelivered;
	d->requests = b->requests - a->requests;
	d->retried = b->retried - a->retried;
	d->bytes_sent = b->bytes_sent - a->bytes_sent;
	d->bytes_raw = b->bytes_raw - a->bytes_raw;
}

/*
 * Documents read that the sink never took (the run of this object stopped
 * at a sink failure, with blocks already read): undelivered too, so that
 * the counts add up to the documents.
 */
static void
unsent(struct object_result *res)
{
	uint64_t settled = es_settled(&res->delivered);

	if (res->st.docs > settled)
		res->delivered.undelivered += res->st.docs - settled;
}

void
object_ship(const struct object_job *job, struct object_result *res)
{
	struct ecs_origin origin = { NULL, job->bucket, job->key, NULL };
	struct es_stats before, after;
	struct guarded gd;
	struct source src;
	struct ecs_file *ef;
	int64_t t0 = clock_ms();

	memset(res, 0, sizeof(*res));
	memset(&before, 0, sizeof(before));
	if (job->delivery != NULL)
		es_stats(job->delivery, &before);
	gd.g = s3_get_open(job->s3, job->bucket, job->key);
	gd.job = job;
	src.read = guarded_read;
	src.arg = &gd;
	ef = ecs_file_new(job->ecs, &origin);
	res->rc = pipeline_run_source(job->pipe, ef, &src, job->sink, &res->st,
	    res->err, sizeof(res->err));
	s3_get_stats(gd.g, &res->get);
	s3_get_close(gd.g);
	ecs_file_free(ef);
	res->ok = res->rc == PIPELINE_OK;
	if (job->delivery != NULL) {
		/* Settle this object's documents before judging it. */
		job->delivery->ops->flush(job->delivery);
		es_stats(job->delivery, &after);
		delta(&res->delivered, &before, &after);
		unsent(res);
		if (res->ok && res->delivered.undelivered > 0) {
			res->ok = 0;
			snprintf(res->err, sizeof(res->err), "%llu documents "
			    "undelivered", (unsigned long long)
			    res->delivered.undelivered);
		}
	}
	res->secs = (double)(clock_ms() - t0) / 1000.0;
}
