/*
 * lambda.c: elbship as an AWS Lambda function (custom runtime for
 * provided.al2023): `bootstrap` (a link to or copy of the elbship binary)
 * or `elbship lambda`.
 *
 *   start-up: settings from ELBSHIP_* variables, validated; any problem is
 *             posted to /runtime/init/error (one message per problem) and
 *             the process exits.
 *   loop:     next -> unwrap the event -> ship each object -> response or
 *             error -> next.  Never exits between invocations.
 *
 * What carries over between warm invocations: the delivery sink (its
 * keep-alive connections) and the S3 client (its connection cache).
 * Everything else is per invocation and freed before the next.
 *
 * Outcome per envelope:
 *   SQS      {"batchItemFailures":[{"itemIdentifier":"<messageId>"}...]}
 *            naming exactly the messages with an unreadable body or a
 *            failed object; the others are deleted from the queue.
 *   others   any failed object -> an error, so Lambda retries the event.
 * A failed object is one with a line not indexed, duplicate or
 * dead-lettered (undelivered, or not read to the end, e.g. stopped at the
 * deadline).  Ids are deterministic and writes are `create`, so the retry
 * turns what was already delivered into counted duplicates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "aws/httpsign.h"
#include "aws/provider.h"
#include "cli/cli.h"
#include "core/runner.h"
#include "core/settings.h"
#include "core/sinks.h"
#include "encode/jsonw.h"
#include "lambda/events.h"
#include "lambda/runtime.h"
#include "parse/lbname.h"
#include "sink/es.h"
#include "source/s3.h"
#include "util/buf.h"
#include "util/xalloc.h"
#include "util/clock.h"

enum { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

struct lambda {
	struct settings set;
	struct rt *rt;
	struct sink_env env;
	struct sink *sink;		/* shared by the runner's workers */
	struct s3_config s3cfg;
	struct runner_config rcfg;
	struct runner *runner;		/* its S3 clients live on */
	uint64_t auth_seen;		/* sink's 401s already acted on */
	struct aws_provider aws;
	char region[64];
	int level;
	const char *function;
	struct buf line;		/* log line being built */
};

struct inv_counts {
	unsigned objects, failed;
	uint64_t lines, docs, malformed, indexed, duplicate, dead_lettered,
	    undelivered, bytes_in, bytes_out;
	char first_err[1024];		/* the first failed object's cause */
};

/* ---- JSON log lines ------------------------------------------------------ */

static void
jstr(struct buf *b, const char *key, const char *v)
{
	size_t n = strlen(v);

	if (buf_reserve(b, strlen(key) + 6 * n + 8) != 0)
		return;
	b->len += (size_t)snprintf(b->p + b->len, b->cap - b->len, "%s\"%s\":\"",
	    b->len > 1 ? "," : "", key);
	b->len = (size_t)(jsonw_raw_str(b->p + b->len, slice_make(v, n)) - b->p);
	buf_add(b, "\"", 1);
}

static void
jnum(struct buf *b, const char *key, uint64_t v)
{
	buf_printf(b, "%s\"%s\":%llu", b->len > 1 ? "," : "", key,
	    (unsigned long long)v);
}

static void
jdbl(struct buf *b, const char *key, double v)
{
	buf_printf(b, "%s\"%s\":%.3f", b->len > 1 ? "," : "", key, v);
}

static void
log_begin(struct lambda *L, const char *level, const char *msg)
{
	buf_reset(&L->line);
	buf_add(&L->line, "{", 1);
	jstr(&L->line, "level", level);
	jstr(&L->line, "msg", msg);
}

static void
log_end(struct lambda *L)
{
	buf_add(&L->line, "}\n", 2);
	fwrite(L->line.p, 1, L->line.len, stdout);
	fflush(stdout);
}

static void
log_msg(struct lambda *L, int lvl, const char *level, const char *msg,
    const char *detail)
{
	if (lvl > L->level)
		return;
	log_begin(L, level, msg);
	if (detail != NULL)
		jstr(&L->line, "error", detail);
	log_end(L);
}

/* ---- start-up ------------------------------------------------------------ */

static int
level_of(const char *s)
{
	if (strcmp(s, "error") == 0)
		return LOG_ERROR;
	if (strcmp(s, "warn") == 0)
		return LOG_WARN;
	if (strcmp(s, "info") == 0)
		return LOG_INFO;
	if (strcmp(s, "debug") == 0)
		return LOG_DEBUG;
	return -1;
}

/* Validate everything; -1 with one message per problem. */
static int
init(struct lambda *L, char *err, size_t cap)
{
	struct settings *st = &L->set;
	long n;

	settings_init(st);
	st->lambda = 1;
	if (settings_env(st, err, cap) != 0 || settings_finish(st, err, cap) != 0)
		return -1;
	L->level = level_of(st->log_level);
	if (L->level < 0) {
		snprintf(err, cap, "ELBSHIP_LOG_LEVEL must be error, warn, info "
		    "or debug, not '%s'", st->log_level);
		return -1;
	}
	if (st->es_url == NULL && st->logstash == NULL) {
		snprintf(err, cap, "set ELBSHIP_ES_URL (Elasticsearch or "
		    "OpenSearch) or ELBSHIP_LOGSTASH_URL (Logstash http input)");
		return -1;
	}
	aws_provider_init(&L->aws);
	if (st->region != NULL) {
		snprintf(L->region, sizeof(L->region), "%s", st->region);
	} else if (st->endpoint != NULL) {
		snprintf(L->region, sizeof(L->region), "us-east-1");
	} else {
		struct aws_env env = aws_env_process();

		if (aws_region_load(L->region, sizeof(L->region), &env, err,
		    cap) != 0)
			return -1;
	}
	{
		struct httpsign_creds hc = { aws_provider_get, &L->aws };

		if (settings_fetch_secrets(st, L->region, &hc, err, cap) != 0)
			return -1;
	}
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (st->pipe.threads == 0)
		st->pipe.threads = n < 1 ? 1 : n > 4 ? 4 : (int)n;
	L->env.fd = -1;
	L->env.name = "none";
	L->env.aws = &L->aws;
	L->env.region = L->region;
	L->sink = sinks_open(st, &L->env, err, cap);
	if (L->sink == NULL)
		return -1;
	if (!L->sink->info->acked) {
		snprintf(err, cap, "ELBSHIP_LOGSTASH_URL must be http(s):// "
		    "(the http input) or beats:// / beatss:// (the beats input) "
		    "in the Lambda function: the tcp input cannot confirm "
		    "delivery, and a retried event would then lose or repeat lines");
		return -1;
	}
	L->s3cfg.region = L->region;
	L->s3cfg.endpoint = st->endpoint;
	L->s3cfg.creds.get = aws_provider_get;
	L->s3cfg.creds.arg = &L->aws;
	L->s3cfg.timeout_ms = st->s3_timeout_ms;
	L->s3cfg.retries = st->s3_retries;
	L->s3cfg.retry_initial_ms = st->es.retry_initial_ms;
	{
		struct s3_client *probe = s3_client_new(&L->s3cfg, err, cap);

		if (probe == NULL)
			return -1;
		s3_client_free(probe);
	}
	L->rcfg.pipe = &st->pipe;
	L->rcfg.ecs = &st->ecs;
	L->rcfg.s3 = &L->s3cfg;
	L->rcfg.concurrency = st->concurrency;
	L->runner = runner_new(&L->rcfg, err, cap);
	if (L->runner == NULL)
		return -1;
	L->function = getenv("AWS_LAMBDA_FUNCTION_NAME");
	if (L->function == NULL)
		L->function = "elbship";
	return 0;
}

/* ---- one invocation ------------------------------------------------------ */

static void
log_object(struct lambda *L, const struct rt_invocation *inv,
    const struct event_batch *ev, const struct event_obj *o,
    const struct runner_result *r)
{
	const char *base = strrchr(o->key, '/');
	struct lbname nm;

	if ((r->ok ? LOG_INFO : LOG_WARN) > L->level)
		return;
	base = base ? base + 1 : o->key;
	lbname_parse(base, strlen(base), &nm);
	log_begin(L, r->ok ? "info" : "warn", "object");
	jstr(&L->line, "request_id", inv->request_id);
	if (o->msg >= 0 && ev->kind == EVK_SQS)
		jstr(&L->line, "message_id", ev->msgs[o->msg].id);
	jstr(&L->line, "bucket", o->bucket);
	jstr(&L->line, "key", o->key);
	jstr(&L->line, "log_type", lbtype_name(nm.type));
	jstr(&L->line, "status", r->ok ? "ok" : "failed");
	jnum(&L->line, "lines", r->st.lines);
	jnum(&L->line, "documents", r->st.docs);
	jnum(&L->line, "malformed", r->st.malformed);
	jnum(&L->line, "blank", r->st.blank);
	jnum(&L->line, "indexed", r->tally.n[SINK_OK]);
	jnum(&L->line, "duplicates", r->tally.n[SINK_DUPLICATE]);
	jnum(&L->line, "dead_lettered", r->tally.n[SINK_DEAD_LETTERED]);
	jnum(&L->line, "undelivered", r->tally.n[SINK_UNDELIVERED]);
	jnum(&L->line, "bytes_in", r->st.bytes_in);
	jnum(&L->line, "bytes_decoded", r->st.bytes_decoded);
	jnum(&L->line, "bytes_out", r->tally.bytes);
	jnum(&L->line, "s3_requests", r->get.requests);
	jnum(&L->line, "s3_resumes", r->get.resumes);
	jdbl(&L->line, "duration_ms", r->secs * 1000.0);
	jdbl(&L->line, "mb_per_s", r->secs > 0 ?
	    (double)r->st.bytes_decoded / 1e6 / r->secs : 0.0);
	if (!r->ok) {
		jstr(&L->line, "error", r->err);
		jnum(&L->line, "read_to_offset", r->st.bytes_decoded);
	}
	log_end(L);
}

static void
count(struct inv_counts *c, const struct runner_result *r)
{
	c->objects++;
	c->failed += !r->ok;
	if (!r->ok && c->first_err[0] == '\0')
		snprintf(c->first_err, sizeof(c->first_err), "%s", r->err);
	c->lines += r->st.lines;
	c->docs += r->st.docs;
	c->malformed += r->st.malformed;
	c->indexed += r->tally.n[SINK_OK];
	c->duplicate += r->tally.n[SINK_DUPLICATE];
	c->dead_lettered += r->tally.n[SINK_DEAD_LETTERED];
	c->undelivered += r->tally.n[SINK_UNDELIVERED];
	c->bytes_in += r->st.bytes_in;
}

/* The invocation's log line, with CloudWatch EMF metrics. */
static void
log_invocation(struct lambda *L, const struct rt_invocation *inv,
    const struct event_batch *ev, const struct inv_counts *c, double ms,
    const char *outcome)
{
	static const char *const names[] = { "Objects", "ObjectsFailed",
	    "Lines", "Documents", "Malformed", "Indexed", "Duplicates",
	    "DeadLettered", "Undelivered", "BytesIn", "BytesOut" };
	uint64_t vals[11];
	int emf = strcmp(L->set.metrics_namespace, "off") != 0 &&
	    L->set.metrics_namespace[0] != '\0';
	size_t i;

	vals[0] = c->objects;
	vals[1] = c->failed;
	vals[2] = c->lines;
	vals[3] = c->docs;
	vals[4] = c->malformed;
	vals[5] = c->indexed;
	vals[6] = c->duplicate;
	vals[7] = c->dead_lettered;
	vals[8] = c->undelivered;
	vals[9] = c->bytes_in;
	vals[10] = c->bytes_out;
	/* Written at every log level: the metrics are in it. */
	buf_reset(&L->line);
	buf_add(&L->line, "{", 1);
	if (emf) {
		buf_printf(&L->line, "\"_aws\":{\"Timestamp\":%lld,"
		    "\"CloudWatchMetrics\":[{\"Namespace\":",
		    (long long)clock_epoch_ms());
		{
			struct buf t;

			buf_init(&t, 4096);
			buf_add(&t, "{", 1);
			jstr(&t, "n", L->set.metrics_namespace);
			/* t is {"n":"..." : take the value part */
			buf_add(&L->line, t.p + 5, t.len - 5);
			buf_free(&t);
		}
		buf_adds(&L->line, ",\"Dimensions\":[[\"FunctionName\"]],"
		    "\"Metrics\":[");
		for (i = 0; i < 11; i++)
			buf_printf(&L->line, "%s{\"Name\":\"%s\",\"Unit\":\"%s\"}",
			    i ? "," : "", names[i], i >= 9 ? "Bytes" : "Count");
		buf_adds(&L->line, ",{\"Name\":\"DurationMs\",\"Unit\":"
		    "\"Milliseconds\"}]}]}");
		jstr(&L->line, "FunctionName", L->function);
		for (i = 0; i < 11; i++)
			jnum(&L->line, names[i], vals[i]);
		jdbl(&L->line, "DurationMs", ms);
	}
	jstr(&L->line, "level", c->failed ? "warn" : "info");
	jstr(&L->line, "msg", "invocation");
	jstr(&L->line, "request_id", inv->request_id);
	if (getenv("_X_AMZN_TRACE_ID") != NULL)
		jstr(&L->line, "trace_id", getenv("_X_AMZN_TRACE_ID"));
	jstr(&L->line, "envelope", ev->kind == EVK_SQS ? "sqs" :
	    ev->kind == EVK_SNS ? "sns" : ev->kind == EVK_EVENTBRIDGE ?
	    "eventbridge" : ev->kind == EVK_TEST ? "s3-test-event" : "s3");
	jstr(&L->line, "outcome", outcome);
	if (c->first_err[0] != '\0')
		jstr(&L->line, "error", c->first_err);
	jnum(&L->line, "sqs_messages", ev->nmsg);
	jnum(&L->line, "test_events", ev->tests);
	jnum(&L->line, "ignored_records", ev->ignored);
	if (!emf) {
		for (i = 0; i < 11; i++)
			jnum(&L->line, names[i], vals[i]);
		jdbl(&L->line, "DurationMs", ms);
	}
	buf_add(&L->line, "}\n", 2);
	fwrite(L->line.p, 1, L->line.len, stdout);
	fflush(stdout);
}

/*
 * The cluster refused the credentials (HTTP 401) during the invocation
 * just answered: if they come from Secrets Manager or SSM, read them once
 * more, so a rotated password works from the next invocation (the retry)
 * instead of from the next cold start.  Once per 401 seen.
 */
static void
reread_secrets(struct lambda *L)
{
	struct httpsign_creds hc = { aws_provider_get, &L->aws };
	char err[512];

	if (L->sink->total.auth_rejected == L->auth_seen)
		return;
	L->auth_seen = L->sink->total.auth_rejected;
	if (L->set.es_password_secret == NULL && L->set.es_api_key_secret == NULL)
		return;
	if (settings_fetch_secrets(&L->set, L->region, &hc, err,
	    sizeof(err)) != 0)
		log_msg(L, LOG_ERROR, "error", "re-reading the credentials after "
		    "HTTP 401 failed", err);
	else
		log_msg(L, LOG_WARN, "warn", "the cluster refused the "
		    "credentials (HTTP 401): read them again from Secrets "
		    "Manager / SSM for the next invocation", NULL);
}

/* What on_object() needs of the invocation. */
struct inv_ctx {
	struct lambda *L;
	const struct rt_invocation *inv;
	const struct event_batch *ev;
	struct inv_counts *c;
	int *msg_failed;
	size_t *map;		/* job -> ev->objs index */
};

/* runner_run.done: one object's line and counts (one call at a time). */
static int
on_object(void *arg, size_t i, const struct runner_job *j,
    const struct runner_result *r)
{
	struct inv_ctx *x = arg;
	const struct event_obj *o = &x->ev->objs[x->map[i]];

	(void)j;
	log_object(x->L, x->inv, x->ev, o, r);
	count(x->c, r);
	if (!r->ok && o->msg >= 0)
		x->msg_failed[o->msg] = 1;
	return 0;	/* the function goes on: each object is judged alone */
}

static void
handle(struct lambda *L, struct rt_invocation *inv)
{
	struct event_batch ev;
	struct inv_counts c;
	struct buf resp;
	char err[1024], perr[512];
	int64_t t0 = clock_ms(), deadline;
	int *msg_failed = NULL;
	size_t i, njobs = 0;
	const char *outcome;
	struct runner_job *jobs;
	struct runner_run run;
	struct inv_ctx ctx;
	uint64_t out0;

	memset(&c, 0, sizeof(c));
	buf_init(&resp, 1 << 20);
	if (inv->trace_id[0] != '\0')
		setenv("_X_AMZN_TRACE_ID", inv->trace_id, 1);
	else
		unsetenv("_X_AMZN_TRACE_ID");
	/*
	 * The deadline on the monotonic clock, less the margin: as set, or by
	 * default a tenth of the time left, between 0.5 and 10 seconds (a 3 s
	 * function cannot give up 10 s).
	 */
	if (inv->deadline_ms > 0) {
		int64_t left = inv->deadline_ms - clock_epoch_ms(), margin;

		margin = L->set.deadline_margin_ms;
		if (margin < 0) {
			margin = left / 10;
			margin = margin < 500 ? 500 : margin > 10000 ? 10000 : margin;
		}
		deadline = t0 + left - margin;
	} else {
		deadline = 0;
	}
	if (deadline != 0 && deadline <= t0)
		deadline = t0 + 1;
	L->sink->deadline_ms = deadline;
	/* An earlier invocation's 401/403 is not this one's. */
	sink_reset(L->sink);

	if (events_parse(inv->event.p ? inv->event.p : "", inv->event.len, &ev,
	    perr, sizeof(perr)) != 0) {
		log_msg(L, LOG_ERROR, "error", "unreadable event", perr);
		if (rt_error(L->rt, inv->request_id, "Elbship.BadEvent", perr, err,
		    sizeof(err)) != 0)
			log_msg(L, LOG_ERROR, "error", "runtime API", err);
		log_invocation(L, inv, &ev, &c, (double)(clock_ms() - t0),
		    "bad-event");
		events_free(&ev);
		buf_free(&resp);
		return;
	}
	msg_failed = xcalloc(ev.nmsg + 1, sizeof(*msg_failed));
	for (i = 0; i < ev.nmsg; i++) {
		if (ev.msgs[i].error != NULL) {
			msg_failed[i] = 1;
			log_begin(L, "warn", "unreadable SQS message");
			jstr(&L->line, "message_id", ev.msgs[i].id);
			jstr(&L->line, "error", ev.msgs[i].error);
			log_end(L);
		}
	}
	/* The objects to ship: all, but those of an unreadable SQS message. */
	jobs = xcalloc(ev.nobj + 1, sizeof(*jobs));
	ctx.map = xcalloc(ev.nobj + 1, sizeof(*ctx.map));
	for (i = 0; i < ev.nobj; i++) {
		const struct event_obj *o = &ev.objs[i];

		if (o->msg >= 0 && msg_failed[o->msg] && ev.kind == EVK_SQS)
			continue;	/* redelivered anyway: done then */
		jobs[njobs].bucket = o->bucket;
		jobs[njobs].key = o->key;
		ctx.map[njobs++] = i;
	}
	ctx.L = L;
	ctx.inv = inv;
	ctx.ev = &ev;
	ctx.c = &c;
	ctx.msg_failed = msg_failed;
	memset(&run, 0, sizeof(run));
	run.sink = L->sink;
	run.deadline_ms = deadline;
	run.done = on_object;
	run.arg = &ctx;
	out0 = L->sink->total.bytes_sent;
	runner_ship(L->runner, jobs, njobs, &run);
	c.bytes_out = L->sink->total.bytes_sent - out0;
	free(jobs);
	free(ctx.map);

	if (ev.kind == EVK_SQS) {
		int first = 1;

		buf_adds(&resp, "{\"batchItemFailures\":[");
		for (i = 0; i < ev.nmsg; i++) {
			if (!msg_failed[i])
				continue;
			buf_adds(&resp, first ? "{\"itemIdentifier\":\"" :
			    ",{\"itemIdentifier\":\"");
			buf_reserve(&resp, 6 * strlen(ev.msgs[i].id) + 8);
			resp.len = (size_t)(jsonw_raw_str(resp.p + resp.len,
			    slice_make(ev.msgs[i].id, strlen(ev.msgs[i].id))) -
			    resp.p);
			buf_adds(&resp, "\"}");
			first = 0;
		}
		buf_adds(&resp, "]}");
		outcome = first ? "ok" : "partial-batch-failure";
		if (rt_respond(L->rt, inv->request_id, resp.p, resp.len, err,
		    sizeof(err)) != 0)
			log_msg(L, LOG_ERROR, "error", "runtime API", err);
	} else if (c.failed > 0) {
		snprintf(perr, sizeof(perr), "%u of %u objects failed (see the "
		    "object log lines); the event will be retried", c.failed,
		    c.objects);
		outcome = "error";
		if (rt_error(L->rt, inv->request_id, "Elbship.ObjectFailed", perr,
		    err, sizeof(err)) != 0)
			log_msg(L, LOG_ERROR, "error", "runtime API", err);
	} else {
		buf_printf(&resp, "{\"objects\":%u,\"documents\":%llu,"
		    "\"indexed\":%llu,\"duplicates\":%llu,\"dead_lettered\":%llu,"
		    "\"test_events\":%u}", c.objects, (unsigned long long)c.docs,
		    (unsigned long long)c.indexed,
		    (unsigned long long)c.duplicate,
		    (unsigned long long)c.dead_lettered, ev.tests);
		outcome = "ok";
		if (rt_respond(L->rt, inv->request_id, resp.p, resp.len, err,
		    sizeof(err)) != 0)
			log_msg(L, LOG_ERROR, "error", "runtime API", err);
	}
	log_invocation(L, inv, &ev, &c, (double)(clock_ms() - t0), outcome);
	reread_secrets(L);
	free(msg_failed);
	events_free(&ev);
	buf_free(&resp);
}

int
cmd_lambda(int argc, char **argv)
{
	struct lambda L;
	struct rt_invocation inv;
	char err[1024], err2[256];

	(void)argc;
	(void)argv;
	memset(&L, 0, sizeof(L));
	memset(&inv, 0, sizeof(inv));
	buf_init(&L.line, 1 << 20);
	L.level = LOG_INFO;
	L.rt = rt_new(getenv("AWS_LAMBDA_RUNTIME_API"), err, sizeof(err));
	if (L.rt == NULL) {
		fprintf(stderr, "elbship lambda: %s\n", err);
		return EXIT_USAGE;
	}
	if (init(&L, err, sizeof(err)) != 0) {
		log_msg(&L, LOG_ERROR, "error", "start-up failed", err);
		if (rt_error(L.rt, NULL, "Runtime.InitError", err, err2,
		    sizeof(err2)) != 0)
			fprintf(stderr, "elbship lambda: %s\n", err2);
		return EXIT_USAGE;
	}
	for (;;) {
		if (rt_next(L.rt, &inv, err, sizeof(err)) != 0) {
			log_msg(&L, LOG_ERROR, "error", "runtime API", err);
			break;
		}
		handle(&L, &inv);
	}
	buf_free(&inv.event);
	runner_free(L.runner);
	sink_free(L.sink);
	rt_free(L.rt);
	aws_provider_free(&L.aws);
	settings_free(&L.set);
	buf_free(&L.line);
	return EXIT_INPUT;
}
