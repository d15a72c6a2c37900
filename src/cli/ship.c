/*
 * ship.c: `elbship ship PATH...`: local files, directories and stdin to
 * NDJSON (or a _bulk body) on stdout or a file, with a summary on stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/pipeline.h"
#include "core/settings.h"
#include "encode/ecs.h"
#include "parse/lbname.h"
#include "sink/es.h"
#include "sink/lstcp.h"
#include "sink/ndjson.h"
#include "util/clock.h"
#include "util/xalloc.h"
#include "cli/ship.h"

/*
 * SIGINT / SIGTERM: the one piece of process-wide state, as a signal handler
 * can reach nothing else.  Readers check it and stop; the run then exits
 * non-zero and, with --state, says how to resume.
 */
static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

void
ship_usage(FILE *f)
{
	fprintf(f,
"usage: elbship ship [OPTIONS] PATH...\n"
"\n"
"Parse AWS load balancer log files into ECS documents and write them as\n"
"NDJSON (stdout by default), or send them to Elasticsearch / OpenSearch\n"
"(--es) or Logstash (--logstash).  PATH is a log file (plain or gzip, found\n"
"by its magic bytes; multi-member gzip is read to the end), a directory\n"
"(searched recursively for files named like ELB logs: *.log, *.log.gz), -\n"
"for stdin, s3://bucket/key for one S3 object, or s3://bucket/prefix/ for\n"
"every ELB log under the prefix (a backfill; see --since, --state).  AWS\n"
"credentials and region are found as the AWS CLI finds them.\n"
"The log type comes from the file name where AWS's naming says\n"
"it (app., net., conn_log, else Classic), otherwise from each line's shape.\n"
"Every option can also be set by the environment variable shown.\n");
	settings_usage(f);
	fprintf(f,
"\n"
"Documents: fields follow Elastic's AWS ELB integration (docs/fields.md).\n"
"event.id is a deterministic id: 20 hex digits of SHA-256 of the file name\n"
"(without directory and .gz), '-', and the line's byte offset in the\n"
"decompressed file; the same line gets the same id wherever it is read\n"
"from, and is sent to Elasticsearch as _id with op_type create, so a re-run\n"
"or retry yields 409 (counted as duplicate), never a second document.  A\n"
"line that does not parse becomes a document with\n"
"event.kind=pipeline_error, error.message (which field, what is wrong) and\n"
"event.original; the first %d are also reported on stderr.\n"
"\n"
"Delivery (--es, --logstash http://): a document counts as indexed only when\n"
"the receiver confirmed it; the summary gives indexed, duplicate,\n"
"dead-lettered and undelivered counts, and every line is in exactly one.\n"
"429, 5xx, timeouts and broken connections are retried for the affected\n"
"documents only, with exponential backoff and jitter; other rejections go\n"
"to the dead-letter file with the line, status and reason.\n"
"Logstash over tcp:// has no acknowledgements: a line counts as sent once\n"
"the kernel accepted it, and a connection that breaks can lose what was in\n"
"flight without anyone knowing.  Use http:// for exact accounting.\n"
"\n"
"Exit status:\n"
"  0  every input read to its end and every document written or delivered\n"
"  1  some input could not be read completely (unreadable path, corrupt or\n"
"     truncated gzip: the lines before the damage are still written)\n"
"  2  bad command line or settings\n"
"  3  --strict was given and some lines were malformed\n"
"  4  the output could not be written\n"
"  5  some documents were not delivered (see the summary)\n"
"  6  interrupted (SIGINT or SIGTERM)\n",
	    SHOW_ERRORS);
}

/* ---- the reporting sink --------------------------------------------- */

/* Take the progress line off the screen (before a message, or at the end). */
static void
progress_clear(struct ship *sh)
{
	if (sh->prog_shown) {
		fputs("\r\033[K", stderr);
		sh->prog_shown = 0;
	}
}

/* es_config.before_message: the sink is about to print. */
static void
progress_clear_cb(void *arg)
{
	progress_clear(arg);
}

/* Count a batch of local input; rewrite the progress line once a second. */
static void
local_progress(struct ship *sh, const struct docbatch *b)
{
	double t;
	size_t i;

	sh->prog_lines += b->ndocs;
	for (i = 0; i < b->ndocs; i++)
		sh->prog_bytes += b->docs[i].line_len + 1;
	t = clock_since(&sh->prog_t0);
	if (t - sh->prog_last < 1.0)
		return;
	sh->prog_last = t;
	sh->prog_shown = 1;
	fprintf(stderr, "\r\033[Kelbship: file %lu, %llu lines, %.1f MB, "
	    "%.1f MB/s", sh->files + 1, (unsigned long long)sh->prog_lines,
	    (double)sh->prog_bytes / 1e6, (double)sh->prog_bytes / 1e6 / t);
	fflush(stderr);
}

static int
rs_put(struct sink *base, const struct docbatch *b)
{
	struct report_sink *r = (struct report_sink *)base;
	struct ship *sh = r->sh;
	size_t i;
	int rc;

	for (i = 0; i < b->ndocs && !sh->quiet; i++) {
		const struct docref *d = &b->docs[i];

		if (!d->malformed)
			continue;
		pthread_mutex_lock(&sh->mu);
		if (r->progress && sh->shown < SHOW_ERRORS)
			progress_clear(sh);
		if (sh->shown < SHOW_ERRORS)
			fprintf(stderr, "elbship: %s: offset %llu: %s\n", r->path,
			    (unsigned long long)d->offset, b->errs + d->err);
		sh->shown++;
		pthread_mutex_unlock(&sh->mu);
	}
	if (r->progress)
		local_progress(sh, b);
	if (!r->lock)
		return r->next->ops->put(r->next, b);
	pthread_mutex_lock(&sh->mu);
	rc = r->next->ops->put(r->next, b);
	pthread_mutex_unlock(&sh->mu);
	return rc;
}

static int
rs_flush(struct sink *base)
{
	struct report_sink *r = (struct report_sink *)base;
	int rc;

	if (!r->lock)
		return r->next->ops->flush(r->next);
	pthread_mutex_lock(&r->sh->mu);
	rc = r->next->ops->flush(r->next);
	pthread_mutex_unlock(&r->sh->mu);
	return rc;
}

static void
rs_free(struct sink *base)
{
	(void)base;
}

static const char *
rs_error(const struct sink *base)
{
	const struct report_sink *r = (const struct report_sink *)base;

	return r->next->ops->error(r->next);
}

static const struct sink_ops report_ops = {
	.name = "report",
	.put = rs_put,
	.flush = rs_flush,
	.free = rs_free,
	.error = rs_error,
};

void
report_sink_init(struct report_sink *r, struct ship *sh, struct sink *next,
    const char *path, int lock)
{
	memset(r, 0, sizeof(*r));
	r->base.ops = &report_ops;
	r->sh = sh;
	r->next = next;
	r->path = path;
	r->lock = lock;
}

const char *
ship_sink_name(const struct ship *sh)
{
	switch (sh->kind) {
	case SINK_ES:
		return "elasticsearch";
	case SINK_LS_HTTP:
	case SINK_LS_TCP:
		return "logstash";
	default:
		return sh->set.output ? sh->set.output : "stdout";
	}
}

static int
ship_fd(struct ship *sh, int fd, const char *path, const char *name)
{
	struct ecs_origin origin = { path, NULL, NULL, name };
	struct pipeline_stats st;
	struct report_sink rs;
	struct ecs_file *ef;
	char err[512];
	int rc;

	ef = ecs_file_new(&sh->set.ecs, &origin);
	report_sink_init(&rs, sh, sh->out, path, 0);
	rs.progress = sh->progress;	/* one local file at a time */
	rc = pipeline_run(&sh->set.pipe, ef, fd, &rs.base, &st, err,
	    sizeof(err));
	ecs_file_free(ef);
	pipeline_stats_add(&sh->total, &st);
	sh->files++;
	if (st.gzip)
		sh->files_gzip++;
	progress_clear(sh);
	if (rc == PIPELINE_EINPUT) {
		fprintf(stderr, "elbship: %s: %s\n", path, err);
		sh->files_failed++;
	} else if (rc == PIPELINE_ESINK) {
		fprintf(stderr, "elbship: %s: %s\n", ship_sink_name(sh), err);
		sh->output_failed = 1;
		return -1;
	}
	return 0;
}

static int
ship_file(struct ship *sh, const char *path)
{
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		progress_clear(sh);
		fprintf(stderr, "elbship: cannot open '%s': %s\n", path,
		    strerror(errno));
		sh->files_failed++;
		return 0;
	}
	rc = ship_fd(sh, fd, path, NULL);
	close(fd);
	return rc;
}

static int
not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Directories being walked (device, inode): a symlink loop ends here. */
struct walk {
	dev_t dev[64];
	ino_t ino[64];
	int depth;
};

/* Walk ${dir} recursively in name order; ship files named like ELB logs. */
static int
ship_dir(struct ship *sh, const char *dir, unsigned long *found,
    struct walk *w)
{
	struct dirent **ents;
	struct stat sb;
	int n, i, rc = 0;

	if (stat(dir, &sb) == 0) {
		for (i = 0; i < w->depth; i++) {
			if (w->dev[i] == sb.st_dev && w->ino[i] == sb.st_ino) {
				fprintf(stderr, "elbship: '%s': directory loop "
				    "(symbolic link), not walked again\n", dir);
				return 0;
			}
		}
		if (w->depth == 64) {
			fprintf(stderr, "elbship: '%s': directories nested too "
			    "deep (64), not walked\n", dir);
			return 0;
		}
		w->dev[w->depth] = sb.st_dev;
		w->ino[w->depth] = sb.st_ino;
	}
	w->depth++;

	n = scandir(dir, &ents, not_hidden, alphasort);
	if (n < 0) {
		fprintf(stderr, "elbship: cannot read directory '%s': %s\n", dir,
		    strerror(errno));
		sh->files_failed++;
		w->depth--;
		return 0;
	}
	for (i = 0; i < n; i++) {
		size_t l = strlen(dir) + strlen(ents[i]->d_name) + 2;
		char *p = xmalloc(l);

		snprintf(p, l, "%s%s%s", dir,
		    dir[strlen(dir) - 1] == '/' ? "" : "/", ents[i]->d_name);
		if (rc == 0 && stat(p, &sb) == 0) {
			if (S_ISDIR(sb.st_mode)) {
				rc = ship_dir(sh, p, found, w);
			} else if (S_ISREG(sb.st_mode) &&
			    lbname_is_log(ents[i]->d_name,
			    strlen(ents[i]->d_name))) {
				(*found)++;
				rc = ship_file(sh, p);
			}
		}
		free(p);
		free(ents[i]);
	}
	free(ents);
	w->depth--;
	return rc;
}

static int
ship_path(struct ship *sh, const char *path)
{
	struct stat sb;
	unsigned long found = 0;
	int rc;

	if (strcmp(path, "-") == 0)
		return ship_fd(sh, 0, "-", sh->set.name ? sh->set.name : "stdin");
	if (strncmp(path, "s3://", 5) == 0)
		return ship_s3(sh, path);
	if (stat(path, &sb) != 0) {
		fprintf(stderr, "elbship: cannot open '%s': %s\n", path,
		    strerror(errno));
		sh->files_failed++;
		return 0;
	}
	if (!S_ISDIR(sb.st_mode))
		return ship_file(sh, path);
	{
		struct walk w;

		w.depth = 0;
		rc = ship_dir(sh, path, &found, &w);
	}
	if (rc == 0 && found == 0)
		fprintf(stderr, "elbship: no ELB log files (named like AWS's "
		    "*.log or *.log.gz) under '%s'\n", path);
	return rc;
}

static void
human(char *buf, size_t cap, double v)
{
	if (v >= 1e9)
		snprintf(buf, cap, "%.2f GB", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, cap, "%.1f MB", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, cap, "%.1f kB", v / 1e3);
	else
		snprintf(buf, cap, "%.0f B", v);
}

static void
summary(const struct ship *sh, double secs)
{
	const struct pipeline_stats *t = &sh->total;
	char in[32], dec[32], out[32];
	static const enum lbtype order[] = { LB_ALB, LB_CLB, LB_NLB,
	    LB_ALBCONN, LB_UNKNOWN };
	size_t i;
	int first = 1;

	human(in, sizeof(in), (double)t->bytes_in);
	human(dec, sizeof(dec), (double)t->bytes_decoded);
	human(out, sizeof(out), (double)sh->out->bytes_out +
	    (double)sh->delivered.bytes_sent);
	if (sh->shown > SHOW_ERRORS)
		fprintf(stderr, "elbship: ... and %llu more malformed lines\n",
		    (unsigned long long)(sh->shown - SHOW_ERRORS));
	fprintf(stderr, "elbship: %lu files (%lu gzip, %lu failed), "
	    "%llu lines: %llu documents (%llu malformed, %llu too long), "
	    "%llu blank\n",
	    sh->files, sh->files_gzip, sh->files_failed,
	    (unsigned long long)t->lines, (unsigned long long)t->docs,
	    (unsigned long long)t->malformed, (unsigned long long)t->too_long,
	    (unsigned long long)t->blank);
	fprintf(stderr, "elbship: by type:");
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (t->by_type[order[i]] == 0)
			continue;
		fprintf(stderr, "%s %s %llu", first ? "" : ",",
		    lbtype_name(order[i]),
		    (unsigned long long)t->by_type[order[i]]);
		first = 0;
	}
	fprintf(stderr, "%s\n", first ? " none" : "");
	fprintf(stderr, "elbship: %s in (%s decompressed), %s out, %.3f s, "
	    "%.1f MB/s\n", in, dec, out, secs,
	    secs > 0 ? (double)t->bytes_decoded / 1e6 / secs : 0.0);
}

/* One thread per online CPU, at most 4: beyond that output is the limit. */
static int
default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > 4 ? 4 : (int)n;
}

void
ship_settle_sink(struct ship *sh, struct sink *s)
{
	struct es_stats es;
	struct lstcp_stats ls;

	pthread_mutex_lock(&sh->mu);
	if (sh->kind == SINK_LS_TCP) {
		lstcp_stats(s, &ls);
		sh->sent.sent += ls.sent;
		sh->sent.undelivered += ls.undelivered;
		sh->sent.connects += ls.connects;
		sh->sent.resent += ls.resent;
	} else if (sh->kind == SINK_ES || sh->kind == SINK_LS_HTTP) {
		es_stats(s, &es);
		sh->delivered.indexed += es.indexed;
		sh->delivered.duplicate += es.duplicate;
		sh->delivered.dead_lettered += es.dead_lettered;
		sh->delivered.undelivered += es.undelivered;
		sh->delivered.requests += es.requests;
		sh->delivered.retried += es.retried;
		sh->delivered.bytes_sent += es.bytes_sent;
		sh->delivered.bytes_raw += es.bytes_raw;
	}
	pthread_mutex_unlock(&sh->mu);
}

/*
 * Documents read and encoded that no sink settled: those in blocks dropped
 * when a sink failed, or read after (the run stops at the failure).  They
 * were not delivered, and are counted so; says how many.
 */
static void
settle_unsent(struct ship *sh)
{
	uint64_t settled, *und;

	if (sh->kind == SINK_LS_TCP) {
		settled = sh->sent.sent + sh->sent.undelivered;
		und = &sh->sent.undelivered;
	} else if (sh->kind == SINK_ES || sh->kind == SINK_LS_HTTP) {
		settled = es_settled(&sh->delivered);
		und = &sh->delivered.undelivered;
	} else {
		return;
	}
	if (sh->total.docs <= settled)
		return;
	*und += sh->total.docs - settled;
	if (!sh->quiet)
		fprintf(stderr, "elbship: %llu documents read were not sent "
		    "(the output failed, see above): counted undelivered\n",
		    (unsigned long long)(sh->total.docs - settled));
}

static void
delivery_summary(const struct ship *sh)
{
	const struct es_stats *es = &sh->delivered;

	if (sh->kind == SINK_LS_TCP) {
		fprintf(stderr, "elbship: sent to logstash (tcp, no "
		    "acknowledgements): %llu sent, %llu undelivered; %llu "
		    "connections, %llu re-sent after a break\n",
		    (unsigned long long)sh->sent.sent,
		    (unsigned long long)sh->sent.undelivered,
		    (unsigned long long)sh->sent.connects,
		    (unsigned long long)sh->sent.resent);
		return;
	}
	if (sh->kind != SINK_ES && sh->kind != SINK_LS_HTTP)
		return;
	fprintf(stderr, "elbship: delivered to %s: %llu indexed, %llu "
	    "duplicate, %llu dead-lettered, %llu undelivered; %llu requests, "
	    "%llu retried\n", sh->kind == SINK_ES ? "elasticsearch" :
	    "logstash",
	    (unsigned long long)es->indexed, (unsigned long long)es->duplicate,
	    (unsigned long long)es->dead_lettered,
	    (unsigned long long)es->undelivered,
	    (unsigned long long)es->requests, (unsigned long long)es->retried);
	if (es->dead_lettered > 0 && sh->set.es.dead_letter_index != NULL)
		fprintf(stderr, "elbship: dead letters are in the index %s\n",
		    sh->set.es.dead_letter_index);
	else if (es->dead_lettered > 0)
		fprintf(stderr, "elbship: dead letters are in %s\n",
		    sh->set.es.dead_letter_file);
}

struct sink *
ship_open_sink(struct ship *sh, int fd, char *err, size_t cap)
{
	struct settings *st = &sh->set;

	switch (sh->kind) {
	case SINK_LS_TCP:
		return lstcp_new(&sh->tcp, err, cap);
	case SINK_LS_HTTP:
	case SINK_ES:
		return es_new(&st->es, err, cap);
	default:
		return ndjson_new(fd, st->format == OUT_BULK ? NDJSON_BULK :
		    NDJSON_DOCS);
	}
}

const char *
ship_region(struct ship *sh, char *err, size_t cap)
{
	struct aws_env env;

	if (sh->region[0] != '\0')
		return sh->region;
	if (sh->set.region != NULL) {
		snprintf(sh->region, sizeof(sh->region), "%s", sh->set.region);
		return sh->region;
	}
	env = aws_env_process();
	if (aws_region_load(sh->region, sizeof(sh->region), &env, err, cap) == 0)
		return sh->region;
	if (sh->set.endpoint != NULL) {
		snprintf(sh->region, sizeof(sh->region), "us-east-1");
		return sh->region;
	}
	sh->region[0] = '\0';
	return NULL;
}

/* Decide the kind of output from the settings; -1 with a message. */
static int
choose_sink(struct ship *sh, char *err, size_t cap)
{
	struct settings *st = &sh->set;

	if (st->logstash != NULL && (strncmp(st->logstash, "tcp://", 6) == 0 ||
	    strncmp(st->logstash, "tls://", 6) == 0)) {
		sh->kind = SINK_LS_TCP;
		sh->tcp.url = st->logstash;
		sh->tcp.ca_file = st->es.ca_file;
		sh->tcp.cert_file = st->es.cert_file;
		sh->tcp.key_file = st->es.key_file;
		sh->tcp.insecure = st->es.insecure;
		sh->tcp.timeout_ms = st->es.timeout_ms;
		sh->tcp.retry_attempts = st->es.retry_attempts;
		sh->tcp.retry_time_ms = st->es.retry_time_ms;
		sh->tcp.retry_initial_ms = st->es.retry_initial_ms;
	} else if (st->logstash != NULL) {
		sh->kind = SINK_LS_HTTP;
		st->es.url = st->logstash;
		st->es.logstash = 1;
	} else if (st->es_url != NULL) {
		if (st->es_sigv4 != NULL) {
			if (ship_region(sh, err, cap) == NULL)
				return -1;
			struct httpsign_creds hc = { aws_provider_get, &sh->aws };

			es_use_sigv4(&st->es, &sh->sigv4, sh->region,
			    st->es_sigv4, &hc);
		}
		sh->kind = SINK_ES;
	} else {
		sh->kind = SINK_LOCAL;
	}
	return 0;
}

int
cmd_ship(int argc, char **argv)
{
	struct ship *sh;
	struct timespec t0;
	char err[512];
	int i, first = 1, fd = 1, rc = EXIT_OK, r;

	sh = xcalloc(1, sizeof(*sh));
	pthread_mutex_init(&sh->mu, NULL);
	aws_provider_init(&sh->aws);
	settings_init(&sh->set);
	if (settings_env(&sh->set, err, sizeof(err)) != 0) {
		fprintf(stderr, "elbship ship: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	r = settings_args(&sh->set, argc, argv, &first, err, sizeof(err));
	if (r == 1) {
		ship_usage(stdout);
		goto out;
	}
	if (r != 0) {
		fprintf(stderr, "elbship ship: %s (try 'elbship ship --help')\n",
		    err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (settings_finish(&sh->set, err, sizeof(err)) != 0) {
		fprintf(stderr, "elbship ship: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (sh->set.pipe.threads == 0)
		sh->set.pipe.threads = default_threads();
	sh->quiet = sh->set.quiet;
	if (first >= argc) {
		fprintf(stderr, "elbship ship: no PATH given (a file, a "
		    "directory, or - for stdin; try 'elbship ship --help')\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (choose_sink(sh, err, sizeof(err)) != 0) {
		fprintf(stderr, "elbship ship: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (sh->set.es_password_secret != NULL ||
	    sh->set.es_api_key_secret != NULL) {
		struct httpsign_creds hc = { aws_provider_get, &sh->aws };
		const char *reg = ship_region(sh, err, sizeof(err));

		if (settings_fetch_secrets(&sh->set, reg, &hc, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "elbship ship: %s\n", err);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (sh->kind == SINK_LOCAL && sh->set.output != NULL &&
	    strcmp(sh->set.output, "-") != 0) {
		fd = open(sh->set.output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0666);
		if (fd < 0) {
			fprintf(stderr, "elbship ship: cannot write '%s': %s\n",
			    sh->set.output, strerror(errno));
			rc = EXIT_OUTPUT;
			goto out;
		}
	}
	/* Not over documents going to the same terminal. */
	sh->progress = sh->set.progress == 1 || (sh->set.progress == -1 &&
	    !sh->quiet && isatty(2) && !(fd == 1 && sh->kind == SINK_LOCAL &&
	    isatty(1)));
	if (sh->progress) {
		sh->set.es.before_message = progress_clear_cb;
		sh->set.es.before_message_arg = sh;
	}
	sh->out = ship_open_sink(sh, fd, err, sizeof(err));
	if (sh->out == NULL) {
		fprintf(stderr, "elbship ship: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	sh->stop = &interrupted;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sh->prog_t0 = t0;
	for (i = first; i < argc && !interrupted; i++)
		if (ship_path(sh, argv[i]) != 0)
			break;
	progress_clear(sh);
	/*
	 * A sink that sends is flushed even after a failed put: what it
	 * holds (batches waiting for a retry, dead letters, a window to send
	 * again) must be settled and counted, whatever happened.  A local
	 * output that failed is not written again.
	 */
	if ((!sh->output_failed || sh->kind != SINK_LOCAL) &&
	    sh->out->ops->flush(sh->out) != 0) {
		/* (After a failed put the cluster's error was said already;
		 * the tcp sink's is about the window it could not send again.) */
		if (!sh->output_failed || sh->kind == SINK_LS_TCP)
			fprintf(stderr, "elbship: %s: %s\n", ship_sink_name(sh),
			    sh->out->ops->error(sh->out));
		sh->output_failed = 1;
	}
	if (fd != 1 && close(fd) != 0 && !sh->output_failed) {
		fprintf(stderr, "elbship: %s: %s\n", sh->set.output,
		    strerror(errno));
		sh->output_failed = 1;
	}
	ship_settle_sink(sh, sh->out);
	settle_unsent(sh);
	if (!sh->quiet) {
		summary(sh, clock_since(&t0));
		delivery_summary(sh);
	}
	if (interrupted) {
		fprintf(stderr, "elbship: interrupted%s\n", sh->set.state ?
		    "; run the same command again to resume (objects already "
		    "delivered are in the --state file and will be skipped)" :
		    "; documents already delivered stay delivered, and a rerun "
		    "makes the rest (repeats are counted as duplicates)");
		rc = EXIT_INTERRUPTED;
	} else if (sh->delivered.undelivered + sh->sent.undelivered > 0)
		rc = EXIT_UNDELIVERED;
	else if (sh->output_failed)
		rc = EXIT_OUTPUT;
	else if (sh->files_failed > 0)
		rc = EXIT_INPUT;
	else if (sh->set.strict && sh->total.malformed > 0)
		rc = EXIT_MALFORMED;
out:
	sink_free(sh->out);
	settings_free(&sh->set);
	aws_provider_free(&sh->aws);
	pthread_mutex_destroy(&sh->mu);
	free(sh);
	return rc;
}
