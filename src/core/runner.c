/*
 * runner.c: S3 objects shipped concurrently under a deadline.  See
 * runner.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/runner.h"
#include "util/clock.h"
#include "util/xalloc.h"

#define RUNNER_MAX 64		/* workers at most */

struct runner {
	const struct runner_config *cfg;
	struct s3_client *cl[RUNNER_MAX];	/* per worker, kept */
	int nworkers;
};

/* One runner_ship() call. */
struct shipment {
	struct runner *r;
	const struct runner_job *jobs;
	size_t n, next;
	const struct runner_run *run;
	struct pipeline_opts popts;	/* threads per object */
	pthread_mutex_t mu;
	int no_more;			/* done() said stop */
	char why_not[400];		/* why jobs are no longer started */
	size_t failed;
};

struct runner *
runner_new(const struct runner_config *c, char *err, size_t cap)
{
	struct runner *r;

	if (c->concurrency < 1 || c->concurrency > RUNNER_MAX) {
		snprintf(err, cap, "concurrency must be 1 to %d", RUNNER_MAX);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->cfg = c;
	r->nworkers = c->concurrency;
	return r;
}

void
runner_free(struct runner *r)
{
	int i;

	if (r == NULL)
		return;
	for (i = 0; i < RUNNER_MAX; i++)
		s3_client_free(r->cl[i]);
	free(r);
}

/* Append "; " and a formatted text to ${res}->err. */
static void
err_add(struct runner_result *res, const char *what, uint64_t n,
    uint64_t of, const char *cause)
{
	size_t l = strlen(res->err);

	snprintf(res->err + l, sizeof(res->err) - l, "%s%llu of %llu "
	    "documents %s%s%s", l > 0 ? "; " : "", (unsigned long long)n,
	    (unsigned long long)of, what, cause[0] ? ": " : "", cause);
}

/* Ship job ${j} with worker ${w}'s S3 client. */
static void
ship_one(struct shipment *sp, int w, const struct runner_job *j,
    struct runner_result *res)
{
	const struct runner_run *run = sp->run;
	struct ecs_origin origin = { NULL, j->bucket, j->key, NULL, 0 };
	struct runner *r = sp->r;
	struct s3_get *g;
	struct source src;
	struct ecs_file *ef;
	struct sink *in;
	int64_t t0 = clock_ms();
	uint64_t und;

	if (r->cl[w] == NULL) {
		r->cl[w] = s3_client_new(r->cfg->s3, res->err, sizeof(res->err));
		if (r->cl[w] == NULL) {
			res->rc = PIPELINE_EINPUT;
			return;
		}
	}
	res->started = 1;
	g = s3_get_open(r->cl[w], j->bucket, j->key);
	s3_get_bound(g, run->deadline_ms, run->stop);
	src.read = s3_get_read;
	src.arg = g;
	ef = ecs_file_new(r->cfg->ecs, &origin);
	in = run->wrap != NULL ? run->wrap(run->arg, j, run->sink) : run->sink;
	res->rc = pipeline_run_source(&sp->popts, ef, &src, in, &res->tally,
	    &res->st, res->err, sizeof(res->err));
	s3_get_stats(g, &res->get);
	s3_get_close(g);
	ecs_file_free(ef);
	if (in != run->sink)
		sink_free(in);
	/* Settle this object's documents before judging it. */
	(void)sink_sync(run->sink, &res->tally);
	sink_tally_unsent(&res->tally, res->st.docs, res->rc == PIPELINE_ESINK ?
	    res->err : "read, but never sent: the output had failed");
	und = res->tally.n[SINK_UNDELIVERED];
	res->ok = res->rc == PIPELINE_OK && und == 0;
	if (und > 0) {
		if (res->rc == PIPELINE_ESINK)
			res->err[0] = '\0';	/* the cause says it */
		err_add(res, "undelivered", und, res->st.docs, res->tally.cause);
	}
	res->secs = (double)(clock_ms() - t0) / 1000.0;
}

/* Why a job is not started now, or NULL if it may be. */
static const char *
hold_back(struct shipment *sp)
{
	const struct runner_run *run = sp->run;

	if (run->stop != NULL && *run->stop)
		return "interrupted";
	if (sp->no_more)
		return sp->why_not;
	if (run->deadline_ms != 0 && clock_ms() >= run->deadline_ms)
		return "the deadline (less the margin) was reached";
	return NULL;
}

static void
work(struct shipment *sp, int w)
{
	for (;;) {
		struct runner_result res;
		const char *why;
		size_t i;

		pthread_mutex_lock(&sp->mu);
		if (sp->next >= sp->n) {
			pthread_mutex_unlock(&sp->mu);
			return;
		}
		i = sp->next++;
		why = hold_back(sp);
		pthread_mutex_unlock(&sp->mu);
		memset(&res, 0, sizeof(res));
		if (why != NULL)
			snprintf(res.err, sizeof(res.err), "not started: %s", why);
		else
			ship_one(sp, w, &sp->jobs[i], &res);
		pthread_mutex_lock(&sp->mu);
		if (!res.ok)
			sp->failed++;
		if (sp->run->done(sp->run->arg, i, &sp->jobs[i], &res) != 0 &&
		    !sp->no_more) {
			sp->no_more = 1;
			snprintf(sp->why_not, sizeof(sp->why_not), "the output "
			    "failed: %s", sink_error(sp->run->sink));
		}
		pthread_mutex_unlock(&sp->mu);
	}
}

struct worker_arg {
	struct shipment *sp;
	int w;
};

static void *
worker(void *arg)
{
	struct worker_arg *wa = arg;

	work(wa->sp, wa->w);
	return NULL;
}

size_t
runner_ship(struct runner *r, const struct runner_job *jobs, size_t n,
    const struct runner_run *run)
{
	struct shipment sp;
	pthread_t thr[RUNNER_MAX];
	struct worker_arg wa[RUNNER_MAX];
	int i, nthr = r->nworkers, started = 0;

	memset(&sp, 0, sizeof(sp));
	sp.r = r;
	sp.jobs = jobs;
	sp.n = n;
	sp.run = run;
	if ((size_t)nthr > n)
		nthr = n > 0 ? (int)n : 1;
	/* The pipeline's threads are shared out among the objects at once. */
	sp.popts = *r->cfg->pipe;
	sp.popts.threads = r->cfg->pipe->threads / nthr;
	if (sp.popts.threads < 1)
		sp.popts.threads = 1;
	pthread_mutex_init(&sp.mu, NULL);
	for (i = 1; i < nthr; i++) {
		wa[i].sp = &sp;
		wa[i].w = i;
		if (pthread_create(&thr[i], NULL, worker, &wa[i]) != 0)
			break;
		started++;
	}
	work(&sp, 0);
	for (i = 1; i <= started; i++)
		pthread_join(thr[i], NULL);
	pthread_mutex_destroy(&sp.mu);
	return sp.failed;
}
