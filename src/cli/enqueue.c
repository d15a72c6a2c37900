/*
 * enqueue.c: `elbship enqueue --queue-url URL s3://bucket/prefix/`: a
 * backfill through the deployed pipeline.  Lists the prefix with the
 * filters of `elbship ship`'s backfill (core/s3scan.h) and, instead of
 * shipping each object, sends the S3 ObjectCreated notification S3 itself
 * would send (aws/s3event.h) to the function's SQS queue (aws/sqs.h), so
 * the function fans out over the objects as it does for new logs.
 *
 * An object goes into the --state file once SQS confirmed its message, so
 * a rerun never sends it again; a message sent twice anyway (SQS stored it,
 * the answer was lost) makes the function ship the object twice, and the
 * deterministic document ids make the second pass duplicates.
 *
 * Listing and sending overlap: the listing's callback hands each object to
 * the SQS client, which sends full batches as they fill (several calls in
 * flight) and holds a bounded number of messages, so memory does not grow
 * with the prefix.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "aws/creds.h"
#include "aws/provider.h"
#include "aws/s3event.h"
#include "aws/sqs.h"
#include "cli/cli.h"
#include "core/s3scan.h"
#include "core/state.h"
#include "source/s3.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/xalloc.h"

#define SHOW_FAILED 20		/* failed objects named one by one */

/*
 * SIGINT / SIGTERM: the one piece of process-wide state, as a signal
 * handler can reach nothing else (as in ship.c).
 */
static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct enq {
	/* options */
	const char *queue_url, *sqs_endpoint, *s3_endpoint, *region_opt;
	const char *since, *until, *lb, *state_path;
	enum lbtype type;
	int dry_run, quiet, progress;	/* progress: -1 auto */
	struct sqs_config sqs;
	/* run */
	char region[64];
	char *bucket, *prefix;
	struct aws_provider aws;
	struct s3_config s3cfg;
	struct s3_client *s3;
	struct sqs_client *q;
	struct state *st;
	struct s3scan scan;
	uint64_t seq;
	/* counts */
	size_t enqueued, failed;
	int state_dirty, state_failed;
	double last_sync, last_shown;
	int shown;			/* a progress line is on screen */
	struct timespec t0;
	struct buf failed_list;
};

void
enqueue_usage(FILE *f)
{
	fprintf(f,
"usage: elbship enqueue --queue-url URL [OPTIONS] s3://bucket/prefix/\n"
"\n"
"Backfill through the deployed pipeline: list every ELB log under the\n"
"prefix (the filters of `elbship ship`'s backfill) and send, for each, the\n"
"S3 ObjectCreated notification S3 itself sends to the function's SQS queue\n"
"(SendMessageBatch, 10 a call, several calls at once), so the function\n"
"ships them as it ships new logs, with as many instances as its event\n"
"source mapping allows.  AWS credentials and region as the AWS CLI finds\n"
"them; the queue's region is taken from its URL.\n"
"\n"
"Options:\n"
"      --queue-url URL        the function's queue (the stack's NotificationQueueUrl output),\n"
"                             https://sqs.REGION.amazonaws.com/ACCOUNT/NAME\n"
"                             (env ELBSHIP_QUEUE_URL)\n"
"      --since TIME           only log files whose interval ends at or after TIME\n"
"                             (2025-11-03 or 2025-11-03T10:20Z)\n"
"      --until TIME           only log files whose interval ends before TIME\n"
"      --lb NAME              only log files of the load balancer NAME\n"
"  -t, --type TYPE            only alb, clb, nlb or alb-conn logs\n"
"      --state FILE           record each object once SQS confirmed its message\n"
"                             and skip objects already recorded: rerun after a\n"
"                             crash or Ctrl-C to resume, nothing is sent twice\n"
"      --dry-run              list the objects that would be enqueued (stdout),\n"
"                             send nothing\n"
"      --concurrency N        SendMessageBatch calls in flight (default 8)\n"
"      --retry-attempts N     sends per message before it counts failed\n"
"                             (default 10)\n"
"      --retry-initial-ms MS  first backoff; doubles up to 20 s, with jitter\n"
"                             (default 200)\n"
"      --timeout SECONDS      per request (default 30)\n"
"      --aws-region REGION    the bucket's and queue's region (default: from the\n"
"                             queue URL, else AWS_REGION, AWS_DEFAULT_REGION)\n"
"      --endpoint-url URL     S3-compatible endpoint, as for ship\n"
"                             (env AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)\n"
"      --sqs-endpoint-url URL send SQS requests here instead of the queue URL's\n"
"                             host: a VPC endpoint, a test server\n"
"                             (env AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL)\n"
"      --progress, --no-progress  show progress on stderr (default: on a terminal)\n"
"  -q, --quiet                no summary\n"
"  -h, --help                 show this help\n"
"\n"
"Exit status: 0 every object listed was enqueued (or was already done);\n"
"1 the prefix could not be listed, or holds no ELB log matching the filters;\n"
"2 bad command line or settings (a queue URL of another region than\n"
"--aws-region); 5 some objects were not enqueued (a queue that does not\n"
"exist, access denied, SQS unreachable, retries spent; rerun with --state);\n"
"6 interrupted.\n");
}

/* ---- options ------------------------------------------------------------------ */

static int
parse_long(const char *v, long min, long max, long *out)
{
	char *end;
	long x;

	if (*v == '\0')
		return -1;
	x = strtol(v, &end, 10);
	if (*end != '\0' || x < min || x > max)
		return -1;
	*out = x;
	return 0;
}

static int
parse_type(const char *v, enum lbtype *t)
{
	if (strcmp(v, "alb") == 0)
		*t = LB_ALB;
	else if (strcmp(v, "clb") == 0)
		*t = LB_CLB;
	else if (strcmp(v, "nlb") == 0)
		*t = LB_NLB;
	else if (strcmp(v, "alb-conn") == 0)
		*t = LB_ALBCONN;
	else if (strcmp(v, "auto") == 0)
		*t = LB_UNKNOWN;
	else
		return -1;
	return 0;
}

enum {
	O_QUEUE = 256, O_SQS_EP, O_S3_EP, O_SINCE, O_UNTIL, O_LB, O_STATE,
	O_DRY, O_CONC, O_ATTEMPTS, O_INITIAL, O_TIMEOUT, O_REGION, O_PROG,
	O_NOPROG
};

static const struct option opts[] = {
	{ "queue-url", required_argument, NULL, O_QUEUE },
	{ "sqs-endpoint-url", required_argument, NULL, O_SQS_EP },
	{ "endpoint-url", required_argument, NULL, O_S3_EP },
	{ "since", required_argument, NULL, O_SINCE },
	{ "until", required_argument, NULL, O_UNTIL },
	{ "lb", required_argument, NULL, O_LB },
	{ "type", required_argument, NULL, 't' },
	{ "state", required_argument, NULL, O_STATE },
	{ "dry-run", no_argument, NULL, O_DRY },
	{ "concurrency", required_argument, NULL, O_CONC },
	{ "retry-attempts", required_argument, NULL, O_ATTEMPTS },
	{ "retry-initial-ms", required_argument, NULL, O_INITIAL },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "aws-region", required_argument, NULL, O_REGION },
	{ "progress", no_argument, NULL, O_PROG },
	{ "no-progress", no_argument, NULL, O_NOPROG },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* 0, 1 for --help, -1 with a message. */
static int
parse_args(struct enq *e, int argc, char **argv, char *err, size_t cap)
{
	int c;
	long x;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":t:qh", opts, NULL)) != -1) {
		switch (c) {
		case O_QUEUE: e->queue_url = optarg; break;
		case O_SQS_EP: e->sqs_endpoint = optarg; break;
		case O_S3_EP: e->s3_endpoint = optarg; break;
		case O_SINCE: e->since = optarg; break;
		case O_UNTIL: e->until = optarg; break;
		case O_LB: e->lb = optarg; break;
		case O_STATE: e->state_path = optarg; break;
		case O_DRY: e->dry_run = 1; break;
		case O_REGION: e->region_opt = optarg; break;
		case O_PROG: e->progress = 1; break;
		case O_NOPROG: e->progress = 0; break;
		case 'q': e->quiet = 1; break;
		case 'h': return 1;
		case 't':
			if (parse_type(optarg, &e->type) != 0) {
				snprintf(err, cap, "--type must be alb, clb, nlb, "
				    "alb-conn or auto, not '%s'", optarg);
				return -1;
			}
			break;
		case O_CONC:
			if (parse_long(optarg, 1, 64, &x) != 0)
				goto range;
			e->sqs.max_inflight = (int)x;
			break;
		case O_ATTEMPTS:
			if (parse_long(optarg, 1, 1000, &x) != 0)
				goto range;
			e->sqs.retry_attempts = (unsigned)x;
			break;
		case O_INITIAL:
			if (parse_long(optarg, 1, 600000, &x) != 0)
				goto range;
			e->sqs.retry_initial_ms = x;
			break;
		case O_TIMEOUT:
			if (parse_long(optarg, 1, 3600, &x) != 0)
				goto range;
			e->sqs.timeout_ms = x * 1000;
			break;
		case ':':
			snprintf(err, cap, "option '%s' needs a value",
			    argv[optind - 1]);
			return -1;
		default:
			snprintf(err, cap, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (optind != argc - 1) {
		snprintf(err, cap, optind >= argc ? "give one s3://bucket/prefix/" :
		    "give one s3://bucket/prefix/ (got '%s' too)",
		    optind + 1 < argc ? argv[optind + 1] : "");
		return -1;
	}
	return 0;
range:
	snprintf(err, cap, "'%s' is not a valid value for '%s'", optarg,
	    argv[optind - 1]);
	return -1;
}

/* ---- progress and outcomes -------------------------------------------------------- */

static void
progress(struct enq *e, int final)
{
	double t = clock_since(&e->t0);

	if (!final && e->shown && t - e->last_shown < 0.5)
		return;
	e->last_shown = t;
	fprintf(stderr, "\r\033[Kelbship enqueue: %zu listed, %zu enqueued, "
	    "%zu skipped, %zu failed, %.0f/s%s", e->scan.wanted, e->enqueued,
	    e->scan.done, e->failed, t > 0 ? (double)e->enqueued / t : 0.0,
	    final ? "\n" : "");
	fflush(stderr);
	e->shown = !final;
}

static void
sync_state(struct enq *e, int now)
{
	double t = clock_since(&e->t0);

	if (e->st == NULL || !e->state_dirty || (!now && t - e->last_sync < 0.2))
		return;
	if (state_sync(e->st) != 0 && !e->state_failed) {
		fprintf(stderr, "elbship enqueue: --state file '%s' sync failed\n",
		    e->state_path);
		e->state_failed = 1;
	}
	e->state_dirty = 0;
	e->last_sync = t;
}

/* An entry's outcome (sqs.h); ${tag} is the key. */
static void
on_result(void *arg, void *tag, int ok, const char *why)
{
	struct enq *e = arg;
	char *key = tag;

	if (ok) {
		e->enqueued++;
		if (e->st != NULL) {
			if (state_add(e->st, e->bucket, key) != 0 &&
			    !e->state_failed) {
				fprintf(stderr, "elbship enqueue: --state file "
				    "'%s' write failed\n", e->state_path);
				e->state_failed = 1;
			}
			e->state_dirty = 1;
		}
	} else {
		e->failed++;
		if (e->failed <= SHOW_FAILED)
			buf_printf(&e->failed_list, "  s3://%s/%s: %s\n",
			    e->bucket, key, why);
	}
	free(key);
	if (e->progress)
		progress(e, 0);
}

/* An object to take (core/s3scan.h): send its notification. */
static int
take(void *arg, const struct s3_object *o)
{
	struct enq *e = arg;
	struct s3event_object ev;
	char *body, *key;
	int rc;

	if (e->dry_run) {
		printf("s3://%s/%s\n", e->bucket, o->key);
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.region = e->region;
	ev.bucket = e->bucket;
	ev.key = o->key;
	ev.size = o->size;
	ev.etag = o->etag;
	ev.when_ms = clock_epoch_ms();
	ev.sequence = e->seq++;
	body = s3event_created(&ev);
	if (body == NULL)
		return -1;
	key = xstrdup(o->key);
	rc = sqs_send(e->q, body, key);
	free(body);
	if (rc != 0) {
		free(key);
		return 1;	/* failed for good: stop listing */
	}
	sync_state(e, 0);
	if (e->progress)
		progress(e, 0);
	return interrupted ? 1 : 0;
}

/* ---- set-up ------------------------------------------------------------------------ */

/* Is the URL's host this machine? */
static int
loopback(const char *url)
{
	const char *h = strstr(url, "://");

	h = h ? h + 3 : url;
	return strncmp(h, "127.", 4) == 0 || strncmp(h, "localhost", 9) == 0 ||
	    strncmp(h, "[::1]", 5) == 0;
}

/* The region to sign for; -1 with a message (a usage error). */
static int
choose_region(struct enq *e, char *err, size_t cap)
{
	char url_region[64], conf[64], why[256];
	struct aws_env env = aws_env_process();
	int have_url, have_conf = 0;

	have_url = sqs_url_region(e->queue_url, url_region,
	    sizeof(url_region)) == 0;
	if (e->region_opt != NULL) {
		snprintf(conf, sizeof(conf), "%s", e->region_opt);
		have_conf = 1;
	} else if (aws_region_load(conf, sizeof(conf), &env, why,
	    sizeof(why)) == 0) {
		have_conf = 1;
	}
	if (have_url && have_conf && strcmp(url_region, conf) != 0) {
		snprintf(err, cap, "the queue %s is in %s, but the region is %s "
		    "(%s): the bucket, the queue and the function must share "
		    "one region (S3 notifies only a queue of its own region); "
		    "give --aws-region %s if the bucket is there too",
		    e->queue_url, url_region, conf, e->region_opt ?
		    "--aws-region" : "AWS_REGION or the AWS config", url_region);
		return -1;
	}
	if (have_url)
		snprintf(e->region, sizeof(e->region), "%s", url_region);
	else if (have_conf)
		snprintf(e->region, sizeof(e->region), "%s", conf);
	else if (e->sqs_endpoint != NULL || e->s3_endpoint != NULL)
		snprintf(e->region, sizeof(e->region), "us-east-1");
	else {
		snprintf(err, cap, "%s", why);
		return -1;
	}
	return 0;
}

static void
summary(struct enq *e)
{
	struct sqs_stats st;

	memset(&st, 0, sizeof(st));
	if (e->q != NULL)
		sqs_stats(e->q, &st);
	if (e->dry_run) {
		fprintf(stderr, "elbship enqueue: %zu listed, %zu would be "
		    "enqueued, %zu skipped (already in %s) [dry run: nothing "
		    "sent]\n", e->scan.wanted, e->scan.wanted - e->scan.done,
		    e->scan.done, e->state_path ? e->state_path : "no state");
		return;
	}
	fprintf(stderr, "elbship enqueue: %zu listed, %zu enqueued, %zu "
	    "skipped (state), %zu failed; %lu SendMessageBatch calls, %lu "
	    "messages retried (%lu throttled, %lu 5xx, %lu broken calls), "
	    "%.1f s\n", e->scan.wanted, e->enqueued, e->scan.done, e->failed,
	    st.calls, st.retried, st.throttled, st.server_errors, st.broken,
	    clock_since(&e->t0));
}

static int
run(struct enq *e)
{
	char err[1024];
	int r;

	if (e->state_path != NULL && !(e->dry_run &&
	    access(e->state_path, F_OK) != 0)) {
		e->st = state_open(e->state_path, err, sizeof(err));
		if (e->st == NULL) {
			fprintf(stderr, "elbship enqueue: %s\n", err);
			return EXIT_USAGE;
		}
	}
	e->scan.state = e->st;
	e->scan.stop = &interrupted;
	e->scan.take = take;
	e->scan.arg = e;
	if (!e->dry_run) {
		e->q = sqs_client_new(&e->sqs, on_result, e, err, sizeof(err));
		if (e->q == NULL) {
			fprintf(stderr, "elbship enqueue: %s\n", err);
			return EXIT_USAGE;
		}
	}
	e->s3 = s3_client_new(&e->s3cfg, err, sizeof(err));
	if (e->s3 == NULL) {
		fprintf(stderr, "elbship enqueue: %s\n", err);
		return EXIT_USAGE;
	}
	r = s3scan_list(&e->scan, e->s3, e->prefix, err, sizeof(err));
	if (e->q != NULL)
		sqs_flush(e->q, &interrupted);
	sync_state(e, 1);
	if (e->shown)
		progress(e, 1);
	if (e->q != NULL && sqs_fatal(e->q) != NULL)
		fprintf(stderr, "elbship enqueue: %s\n", sqs_fatal(e->q));
	else if (e->failed > 0)
		fprintf(stderr, "elbship enqueue: %zu objects not enqueued%s:\n%s",
		    e->failed, e->failed > SHOW_FAILED ? " (first 20)" : "",
		    e->failed_list.p ? e->failed_list.p : "");
	if (r < 0)
		fprintf(stderr, "elbship enqueue: %s\n", err);
	else if (e->scan.wanted == 0 && !interrupted)
		fprintf(stderr, "elbship enqueue: no ELB log files under "
		    "s3://%s/%s%s (%zu other objects)\n", e->bucket, e->prefix,
		    e->since || e->until || e->lb || e->type ? " matching the "
		    "filters" : "", e->scan.other);
	if (!e->quiet)
		summary(e);
	if ((interrupted || e->failed > 0 || (e->q && sqs_fatal(e->q))) &&
	    e->state_path != NULL && !e->dry_run)
		fprintf(stderr, "elbship enqueue: run the same command again to "
		    "send what is left; objects enqueued are in %s\n",
		    e->state_path);
	if (interrupted)
		return EXIT_INTERRUPTED;
	if (e->failed > 0 || (e->q != NULL && sqs_fatal(e->q) != NULL))
		return EXIT_UNDELIVERED;
	if (r < 0 || e->scan.wanted == 0)
		return EXIT_INPUT;
	return e->state_failed ? EXIT_OUTPUT : EXIT_OK;
}

int
cmd_enqueue(int argc, char **argv)
{
	struct enq *e = xcalloc(1, sizeof(*e));
	struct aws_env env;
	char err[1024];
	const char *v;
	int rc, r;

	e->progress = -1;
	e->sqs.max_inflight = 8;
	e->sqs.retry_attempts = 10;
	e->sqs.retry_initial_ms = 200;
	e->sqs.retry_max_ms = 20000;
	e->sqs.timeout_ms = 30000;
	buf_init(&e->failed_list, 1 << 20);
	aws_provider_init(&e->aws);
	e->queue_url = getenv("ELBSHIP_QUEUE_URL");
	/* As the AWS CLI: the service's variable, else the general one. */
	env = aws_env_process();
	e->s3_endpoint = aws_endpoint_s3(&env);
	v = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	if (v == NULL || strcasecmp(v, "true") != 0) {
		if ((v = getenv("AWS_ENDPOINT_URL_SQS")) != NULL && *v != '\0')
			e->sqs_endpoint = v;
		else if ((v = getenv("AWS_ENDPOINT_URL")) != NULL && *v != '\0')
			e->sqs_endpoint = v;
	}
	r = parse_args(e, argc, argv, err, sizeof(err));
	if (r == 1) {
		enqueue_usage(stdout);
		rc = EXIT_OK;
		goto out;
	}
	if (r == 0 && (e->queue_url == NULL || *e->queue_url == '\0') &&
	    !e->dry_run) {
		snprintf(err, sizeof(err), "give the queue: --queue-url URL "
		    "(the stack's NotificationQueueUrl output) or ELBSHIP_QUEUE_URL");
		r = -1;
	}
	if (r == 0 && s3_parse_url(argv[argc - 1], &e->bucket, &e->prefix) != 0) {
		snprintf(err, sizeof(err), "'%s' is not s3://bucket/prefix/",
		    argv[argc - 1]);
		r = -1;
	}
	if (r == 0 && s3scan_init(&e->scan, e->bucket, e->since, e->until,
	    e->lb, e->type, err, sizeof(err)) != 0)
		r = -1;
	if (r != 0) {
		fprintf(stderr, "elbship enqueue: %s (try 'elbship enqueue "
		    "--help')\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (e->queue_url == NULL)
		e->queue_url = "";
	if (choose_region(e, err, sizeof(err)) != 0) {
		fprintf(stderr, "elbship enqueue: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (!e->dry_run) {
		const char *to = e->sqs_endpoint ? e->sqs_endpoint : e->queue_url;

		if (strncmp(to, "http://", 7) == 0 && !loopback(to))
			fprintf(stderr, "elbship enqueue: warning: %s is plain "
			    "http: the signed requests (not the secret key) can "
			    "be read on the way\n", to);
	}
	e->sqs.queue_url = e->queue_url;
	e->sqs.endpoint = e->sqs_endpoint;
	e->sqs.region = e->region;
	e->sqs.creds.get = aws_provider_get;
	e->sqs.creds.arg = &e->aws;
	e->s3cfg.region = e->region;
	e->s3cfg.endpoint = e->s3_endpoint;
	e->s3cfg.creds.get = aws_provider_get;
	e->s3cfg.creds.arg = &e->aws;
	e->s3cfg.timeout_ms = e->sqs.timeout_ms;
	e->s3cfg.retries = 5;
	e->s3cfg.retry_initial_ms = e->sqs.retry_initial_ms;
	if (e->progress < 0)
		e->progress = isatty(2) && !e->quiet && !(e->dry_run && isatty(1));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	clock_gettime(CLOCK_MONOTONIC, &e->t0);
	rc = run(e);
out:
	sqs_client_free(e->q);
	s3_client_free(e->s3);
	state_free(e->st);
	aws_provider_free(&e->aws);
	buf_free(&e->failed_list);
	free(e->bucket);
	free(e->prefix);
	free(e);
	return rc;
}
