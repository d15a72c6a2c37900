/*
 * ship_s3.c: `elbship ship s3://...`: one object, or a backfill of every
 * ELB log under a prefix, with filters, bounded concurrency, a resume file
 * and progress on a terminal.
 *
 * Each worker thread has its own S3 client and, when delivering to
 * Elasticsearch or Logstash's http input, its own sink, flushed after each
 * object: an object is recorded in the --state file only once every one of
 * its lines is indexed, duplicate or dead-lettered.  Local output (and
 * Logstash tcp) is one shared sink behind the run's mutex, so documents of
 * different objects never interleave within a line.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/ship.h"
#include "core/runner.h"
#include "core/s3scan.h"
#include "core/state.h"
#include "encode/ecs.h"
#include "parse/lbname.h"
#include "source/s3.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/xalloc.h"

struct obj {
	char *key;
	uint64_t size;
	char *etag;
};

struct backfill {
	struct ship *sh;
	const char *bucket;
	struct s3_config cfg;
	/* the objects, and the next one to take (under sh->mu) */
	struct obj *objs;
	size_t nobj, cap, next;
	/* progress, under sh->mu */
	size_t done, failed, skipped;
	uint64_t bytes_total, bytes_done;
	struct buf failed_list;
	/* the filters and the resume file (core/s3scan.h, core/state.h) */
	struct s3scan scan;
	struct state *st;
	char since[16], until[16];
	int show;		/* progress on the terminal */
	struct timespec t0;
	double shown_at;
};

/* ---- the resume file (core/state.c) -------------------------------------- */

/* Load the state file, open it for appending; -1 with a message. */
static int
state_load(struct backfill *bf, const char *path)
{
	char err[512];

	bf->st = state_open(path, err, sizeof(err));
	if (bf->st == NULL) {
		fprintf(stderr, "elbship: %s\n", err);
		return -1;
	}
	bf->scan.state = bf->st;
	return 0;
}

/* Record an object as done (under sh->mu); durable before returning. */
static void
state_done(struct backfill *bf, const char *key)
{
	char err[512];

	if (bf->st != NULL && state_record(bf->st, bf->bucket, key, err,
	    sizeof(err)) != 0)
		fprintf(stderr, "elbship: %s\n", err);
}

/* Is ${full}, "bucket/key", recorded?  (A key given alone.) */
static int
seen_has(const struct backfill *bf, const char *full)
{
	return state_has(bf->st, bf->bucket, full + strlen(bf->bucket) + 1);
}

/* ---- filters (core/s3scan.c) ------------------------------------------------ */

/* --since/--until as ELB file names hold them; -1 if not a time. */
static int
norm_time(const char *s, char out[16])
{
	return s3scan_norm_time(s, out);
}

/* Set up the filters once the bucket is known; -1 with a message. */
static int
filters_init(struct backfill *bf)
{
	char err[256];

	if (s3scan_init(&bf->scan, bf->bucket, bf->sh->set.since,
	    bf->sh->set.until, bf->sh->set.lb, bf->sh->set.ecs.type, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "elbship: %s\n", err);
		return -1;
	}
	bf->scan.state = bf->st;
	bf->scan.stop = bf->sh->stop;
	return 0;
}

static void
add_obj(struct backfill *bf, const char *key, uint64_t size, const char *etag)
{
	if (bf->nobj == bf->cap) {
		bf->cap = bf->cap ? 2 * bf->cap : 256;
		bf->objs = xrealloc(bf->objs, bf->cap * sizeof(*bf->objs));
	}
	bf->objs[bf->nobj].key = xstrdup(key);
	bf->objs[bf->nobj].size = size;
	bf->objs[bf->nobj].etag = xstrdup(etag ? etag : "");
	bf->nobj++;
	bf->bytes_total += size;
}

static int
on_listed(void *arg, const struct s3_object *o)
{
	struct backfill *bf = arg;

	if (bf->sh->stop != NULL && *bf->sh->stop)
		return 1;
	if (bf->scan.bucket == NULL && filters_init(bf) != 0)
		return -1;
	switch (s3scan_check(&bf->scan, o->key)) {
	case S3SCAN_TAKE:
		add_obj(bf, o->key, o->size, o->etag);
		break;
	case S3SCAN_DONE:
		bf->skipped++;
		break;
	case S3SCAN_OTHER:
		break;
	}
	return 0;
}

/* ---- shipping ---------------------------------------------------------- */

static void
progress(struct backfill *bf, double secs, int final)
{
	double rate = secs > 0 ? (double)bf->bytes_done / secs : 0;
	double left = rate > 0 ? (double)(bf->bytes_total - bf->bytes_done) /
	    rate : 0;

	fprintf(stderr, "\r\033[Kelbship: %zu/%zu objects, %.1f/%.1f MB, "
	    "%.1f MB/s, ETA %.0f s%s", bf->done + bf->failed, bf->nobj,
	    (double)bf->bytes_done / 1e6, (double)bf->bytes_total / 1e6,
	    rate / 1e6, left, final ? "\n" : "");
	fflush(stderr);
}

/* runner_run.wrap: report malformed lines with the object's URL. */
static struct sink *
wrap_report(void *arg, const struct runner_job *j, struct sink *next)
{
	struct backfill *bf = arg;
	char path[2048];

	snprintf(path, sizeof(path), "s3://%s/%s", j->bucket, j->key);
	return report_sink_new(bf->sh, next, path, 0);
}

/* runner_run.done: count, record, report one object. */
static int
on_done(void *arg, size_t i, const struct runner_job *j,
    const struct runner_result *res)
{
	struct backfill *bf = arg;
	struct ship *sh = bf->sh;
	char path[2048];
	int stop = 0;
	double t;

	(void)i;
	snprintf(path, sizeof(path), "s3://%s/%s", j->bucket, j->key);
	pthread_mutex_lock(&sh->mu);
	if (bf->show)
		fputs("\r\033[K", stderr);
	pipeline_stats_add(&sh->total, &res->st);
	sink_tally_add(&sh->tally, &res->tally);
	sh->files++;
	if (res->st.gzip)
		sh->files_gzip++;
	bf->bytes_done += j->size ? j->size : res->get.received;
	/*
	 * The output failed: locally, or the cluster refused us (401/403), a
	 * state that lasts.  The objects left would only fail the same way:
	 * they are counted failed, not started.
	 */
	if (res->rc == PIPELINE_ESINK) {
		if (!sh->out->info->remote)
			sh->output_failed = 1;
		stop = 1;
	}
	if (res->ok) {
		bf->done++;
		state_done(bf, j->key);
	} else {
		if (res->started || bf->failed < 20)
			fprintf(stderr, "elbship: %s: %s\n", path, res->err);
		bf->failed++;
		sh->files_failed++;
		if (bf->failed <= 20)
			buf_printf(&bf->failed_list, "  %s\n", path);
	}
	t = clock_since(&bf->t0);
	if (bf->show && (t - bf->shown_at >= 0.5 || bf->done + bf->failed ==
	    bf->nobj)) {
		bf->shown_at = t;
		progress(bf, t, 0);
	}
	pthread_mutex_unlock(&sh->mu);
	return stop;
}

int
ship_s3(struct ship *sh, const char *url)
{
	struct backfill bf;
	struct s3_client *cl = NULL;
	char *bucket = NULL, *key = NULL, err[768];
	int rc = 0;
	size_t j;

	memset(&bf, 0, sizeof(bf));
	bf.sh = sh;
	buf_init(&bf.failed_list, 1 << 20);
	if (s3_parse_url(url, &bucket, &key) != 0) {
		fprintf(stderr, "elbship: '%s' is not s3://bucket/key or "
		    "s3://bucket/prefix/\n", url);
		sh->files_failed++;
		goto out;
	}
	bf.bucket = bucket;
	if ((sh->set.since && norm_time(sh->set.since, bf.since) != 0) ||
	    (sh->set.until && norm_time(sh->set.until, bf.until) != 0)) {
		fprintf(stderr, "elbship: --since/--until want a time like "
		    "2025-11-03 or 2025-11-03T10:20Z\n");
		sh->files_failed++;
		goto out;
	}
	bf.cfg.region = ship_region(sh, err, sizeof(err));
	if (bf.cfg.region == NULL) {
		fprintf(stderr, "elbship: %s\n", err);
		sh->files_failed++;
		goto out;
	}
	bf.cfg.endpoint = sh->set.endpoint;
	bf.cfg.creds.get = aws_provider_get;
	bf.cfg.creds.arg = &sh->aws;
	bf.cfg.timeout_ms = sh->set.s3_timeout_ms;
	bf.cfg.retries = sh->set.s3_retries;
	bf.cfg.retry_initial_ms = sh->set.es.retry_initial_ms;
	bf.cfg.ca_file = NULL;
	cl = s3_client_new(&bf.cfg, err, sizeof(err));
	if (cl == NULL) {
		fprintf(stderr, "elbship: %s\n", err);
		sh->files_failed++;
		goto out;
	}
	if (sh->set.state != NULL && state_load(&bf, sh->set.state) != 0) {
		sh->files_failed++;
		goto out;
	}
	if (key[0] != '\0' && key[strlen(key) - 1] != '/') {
		char full[4096];

		/* One object: shipped whatever its name, but ELB's test file. */
		snprintf(full, sizeof(full), "%s/%s", bucket, key);
		if (lbname_is_test_file(key, strlen(key)))
			fprintf(stderr, "elbship: %s: ELB's test file, not a log: "
			    "skipped\n", url);
		else if (seen_has(&bf, full))
			bf.skipped++;
		else
			add_obj(&bf, key, 0, NULL);
	} else {
		if (s3_list(cl, bucket, key, NULL, on_listed, &bf, err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "elbship: %s\n", err);
			sh->files_failed++;
			goto out;
		}
		if (bf.nobj == 0 && bf.skipped == 0 && !*sh->stop)
			fprintf(stderr, "elbship: no ELB log files under %s "
			    "(matching the filters)\n", url);
	}
	if (bf.skipped > 0 && !sh->quiet)
		fprintf(stderr, "elbship: %zu objects already done (in %s), "
		    "skipped\n", bf.skipped, sh->set.state);
	/* As for local input (ship.c): not over documents on the terminal. */
	bf.show = sh->set.progress == 1 ||
	    (sh->set.progress == -1 && isatty(2) && !sh->quiet &&
	    !(!sh->out->info->remote && (sh->set.output == NULL ||
	    strcmp(sh->set.output, "-") == 0) && isatty(1)));
	clock_gettime(CLOCK_MONOTONIC, &bf.t0);
	if (bf.nobj > 0) {
		struct runner_config rc_cfg;
		struct runner_run run;
		struct runner_job *jobs;
		struct runner *rn;

		rc_cfg.pipe = &sh->set.pipe;
		rc_cfg.ecs = &sh->set.ecs;
		rc_cfg.s3 = &bf.cfg;
		rc_cfg.concurrency = sh->set.concurrency;
		rn = runner_new(&rc_cfg, err, sizeof(err));
		if (rn == NULL) {
			fprintf(stderr, "elbship: %s\n", err);
			sh->files_failed++;
			goto out;
		}
		jobs = xcalloc(bf.nobj, sizeof(*jobs));
		for (j = 0; j < bf.nobj; j++) {
			jobs[j].bucket = bf.bucket;
			jobs[j].key = bf.objs[j].key;
			jobs[j].size = bf.objs[j].size;
		}
		memset(&run, 0, sizeof(run));
		run.sink = sh->out;
		run.stop = sh->stop;
		run.wrap = wrap_report;
		run.done = on_done;
		run.arg = &bf;
		runner_ship(rn, jobs, bf.nobj, &run);
		free(jobs);
		runner_free(rn);
		if (bf.show)
			progress(&bf, clock_since(&bf.t0), 1);
	}
	if (bf.failed > 0) {
		fprintf(stderr, "elbship: %zu of %zu objects failed%s:\n%s",
		    bf.failed, bf.nobj, bf.failed > 20 ? " (first 20)" : "",
		    bf.failed_list.p ? bf.failed_list.p : "");
		if (sh->set.state != NULL)
			fprintf(stderr, "elbship: rerun the same command to retry "
			    "them; objects done are in %s\n", sh->set.state);
	}
	if (sh->output_failed || *sh->stop)
		rc = -1;
out:
	for (j = 0; j < bf.nobj; j++) {
		free(bf.objs[j].key);
		free(bf.objs[j].etag);
	}
	free(bf.objs);
	state_free(bf.st);
	buf_free(&bf.failed_list);
	s3_client_free(cl);
	free(bucket);
	free(key);
	return rc;
}
