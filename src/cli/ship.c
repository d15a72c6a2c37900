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
"Delivery (--es, --logstash http:// or beats://): a document counts as\n"
"indexed only when the receiver confirmed it; the summary gives indexed,\n"
"duplicate, dead-lettered and undelivered counts, and every line is in\n"
"exactly one.  429, 5xx, timeouts and broken connections are retried for\n"
"the affected documents only, with exponential backoff and jitter; other\n"
"rejections go to the dead-letter file with the line, status and reason.\n"
"A wrong URL (a path the cluster does not serve, a redirect, a proxy's\n"
"answer) fails the run (exit 5) and dead-letters nothing.  Ctrl-C stops\n"
"within seconds; what was not confirmed by then counts undelivered.\n"
"Logstash over tcp:// has no acknowledgements: a line counts as sent once\n"
"the kernel accepted it, and a connection that breaks can lose what was in\n"
"flight without anyone knowing.  Use beats:// (the beats input) or\n"
"http:// for exact accounting.\n"
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

struct report_sink {
	struct sink base;
	struct ship *sh;
	struct sink *next;
	char *path;
	int progress;		/* count for the local progress line */
};

static int
rs_put(struct sink *base, const struct docbatch *b)
{
	struct report_sink *r = (struct report_sink *)base;
	struct ship *sh = r->sh;
	size_t i;

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
	return sink_put(r->next, b);
}

static void
rs_prepare(struct sink *base, const struct docbatch *b, struct sink_prep *p,
    struct sink_scratch *ws)
{
	sink_prepare(((struct report_sink *)base)->next, b, p, ws);
}

static int
rs_sync(struct sink *base, struct sink_tally *t)
{
	return sink_sync(((struct report_sink *)base)->next, t);
}

static void
rs_free(struct sink *base)
{
	struct report_sink *r = (struct report_sink *)base;

	free(r->path);
	free(r);
}

static const char *
rs_error(const struct sink *base)
{
	return sink_error(((const struct report_sink *)base)->next);
}

static const struct sink_ops report_ops = {
	.put = rs_put,
	.prepare = rs_prepare,
	.sync = rs_sync,
	.reset = NULL,
	.free = rs_free,
	.error = rs_error,
};

struct sink *
report_sink_new(struct ship *sh, struct sink *next, const char *path,
    int progress)
{
	struct report_sink *r = xcalloc(1, sizeof(*r));

	r->base.ops = &report_ops;
	r->base.info = next->info;
	r->base.doc_gap = next->doc_gap;
	r->sh = sh;
	r->next = next;
	r->path = xstrdup(path);
	r->progress = progress;
	return &r->base;
}

const char *
ship_sink_name(const struct ship *sh)
{
	return sh->out->info->name;
}

/*
 * Has an input of this run had the identity ${id} (a name not AWS's)?
 * Remembers it if not.
 */
static int
name_seen(struct ship *sh, const char *id)
{
	size_t i;

	for (i = 0; i < sh->nnames; i++)
		if (strcmp(sh->names[i], id) == 0)
			return 1;
	sh->names = xrealloc(sh->names, (sh->nnames + 1) * sizeof(*sh->names));
	sh->names[sh->nnames++] = xstrdup(id);
	return 0;
}

static int
ship_fd(struct ship *sh, int fd, const char *path, const char *name)
{
	struct ecs_origin origin = { path, NULL, NULL, name, 0 };
	struct pipeline_stats st;
	struct stat sb;
	struct sink *rs;
	struct ecs_file *ef;
	char err[512];
	int rc;

	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
		origin.mtime = (int64_t)sb.st_mtime;
	ef = ecs_file_new(&sh->set.ecs, &origin);
	if (ecs_file_type(ef) == LB_UNKNOWN && name_seen(sh,
	    ecs_file_identity(ef))) {
		/*
		 * Not an AWS log name, and an input of this run had it
		 * already: the same ids for other lines, which the cluster
		 * would take for duplicates.  Refused, never dropped.
		 */
		progress_clear(sh);
		if (!sh->out->info->remote) {
			/* Written all the same; the ids say it. */
			fprintf(stderr, "elbship: %s: warning: an earlier input "
			    "has the same file name '%s': their documents share "
			    "ids (a cluster would keep one of each)\n", path,
			    ecs_file_identity(ef));
		} else {
			fprintf(stderr, "elbship: %s: not shipped: an earlier "
			    "input of this run has the same file name '%s', and "
			    "document ids derive from it (rename one, or ship it "
			    "alone with --name)\n", path, ecs_file_identity(ef));
			ecs_file_free(ef);
			sh->files++;
			sh->files_failed++;
			return 0;
		}
	}
	/* One local file at a time: it may count progress. */
	rs = report_sink_new(sh, sh->out, path, sh->progress);
	rc = pipeline_run(&sh->set.pipe, ef, fd, rs, &sh->tally, &st, err,
	    sizeof(err));
	sink_free(rs);
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
		if (!sh->output_failed)
			fprintf(stderr, "elbship: %s: %s\n", ship_sink_name(sh),
			    err);
		sh->output_failed = 1;
		/* A remote sink: the input is still read and counted. */
		return sh->out->info->remote ? 0 : -1;
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
		sh->files++;
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
		} else if (rc == 0 && lbname_is_log(ents[i]->d_name,
		    strlen(ents[i]->d_name))) {
			/* A dangling symbolic link, or gone meanwhile: said. */
			(*found)++;
			progress_clear(sh);
			fprintf(stderr, "elbship: cannot open '%s': %s\n", p,
			    strerror(errno));
			sh->files++;
			sh->files_failed++;
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

	if (strcmp(path, "-") == 0 && sh->set.name != NULL &&
	    lbname_is_test_file(sh->set.name, strlen(sh->set.name))) {
		fprintf(stderr, "elbship: -: named ELB's test file, not a log: "
		    "skipped\n");
		return 0;
	}
	if (strcmp(path, "-") == 0)
		return ship_fd(sh, 0, "-", sh->set.name ? sh->set.name : "stdin");
	if (strncmp(path, "s3://", 5) == 0)
		return ship_s3(sh, path);
	if (stat(path, &sb) != 0) {
		fprintf(stderr, "elbship: cannot open '%s': %s\n", path,
		    strerror(errno));
		sh->files++;
		sh->files_failed++;
		return 0;
	}
	if (!S_ISDIR(sb.st_mode) && lbname_is_test_file(path, strlen(path))) {
		/* What ELB writes when logging is turned on: not a log. */
		if (!sh->quiet)
			fprintf(stderr, "elbship: %s: ELB's test file, not a log: "
			    "skipped\n", path);
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
	human(out, sizeof(out), (double)sh->out->total.bytes_sent);
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

/*
 * Documents read and encoded that the sink never took: those in blocks
 * dropped when the sink failed, or read after (the run stops at the
 * failure).  They were not delivered, and are counted so; says how many.
 */
static void
settle_unsent(struct ship *sh)
{
	uint64_t n = sink_tally_unsent(&sh->tally, sh->total.docs,
	    "read, but never sent: the output had failed");

	if (n > 0 && !sh->quiet && sh->out->info->remote)
		fprintf(stderr, "elbship: %llu documents read were not sent "
		    "(the output failed, see above): counted undelivered\n",
		    (unsigned long long)n);
}

static void
delivery_summary(const struct ship *sh)
{
	const struct sink_info *in = sh->out->info;
	const struct sink_totals *tt = &sh->out->total;
	const uint64_t *n = sh->tally.n;

	if (!in->remote)
		return;
	if (!in->acked) {
		fprintf(stderr, "elbship: sent to %s (%s): %llu %s, %llu "
		    "undelivered; %llu connections, %llu re-sent after a "
		    "break\n", in->name, in->via ? in->via : "no "
		    "acknowledgements", (unsigned long long)n[SINK_OK],
		    in->ok_word, (unsigned long long)n[SINK_UNDELIVERED],
		    (unsigned long long)tt->connects,
		    (unsigned long long)tt->resent);
	} else {
		fprintf(stderr, "elbship: delivered to %s: %llu %s, %llu "
		    "duplicate, %llu dead-lettered, %llu undelivered; %llu "
		    "requests, %llu retried\n", in->name,
		    (unsigned long long)n[SINK_OK], in->ok_word,
		    (unsigned long long)n[SINK_DUPLICATE],
		    (unsigned long long)n[SINK_DEAD_LETTERED],
		    (unsigned long long)n[SINK_UNDELIVERED],
		    (unsigned long long)tt->requests,
		    (unsigned long long)tt->retried);
	}
	if (n[SINK_UNDELIVERED] > 0 && sh->tally.cause[0] != '\0')
		fprintf(stderr, "elbship: undelivered because: %s\n",
		    sh->tally.cause);
	if (n[SINK_DEAD_LETTERED] > 0 && sh->set.es.dead_letter_index != NULL)
		fprintf(stderr, "elbship: dead letters are in the index %s\n",
		    sh->set.es.dead_letter_index);
	else if (n[SINK_DEAD_LETTERED] > 0)
		fprintf(stderr, "elbship: dead letters are in %s\n",
		    sh->set.es.dead_letter_file);
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

int
cmd_ship(int argc, char **argv)
{
	struct ship *sh;
	struct timespec t0;
	char err[512];
	int i, first = 1, fd = 1, rc = EXIT_OK, r, local;

	sh = xcalloc(1, sizeof(*sh));
	sink_tally_init(&sh->tally);
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
	local = strcmp(sinks_kind(&sh->set), "local") == 0;
	if (sh->set.es_sigv4 != NULL &&
	    (sh->env.region = ship_region(sh, err, sizeof(err))) == NULL) {
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
	if (local && sh->set.output != NULL &&
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
	    !sh->quiet && isatty(2) && !(fd == 1 && local && isatty(1)));
	if (sh->progress) {
		sh->set.es.before_message = progress_clear_cb;
		sh->set.es.before_message_arg = sh;
	}
	sh->env.fd = fd;
	sh->env.name = fd == 1 ? "stdout" : sh->set.output;
	sh->env.aws = &sh->aws;
	sh->out = sinks_open(&sh->set, &sh->env, err, sizeof(err));
	if (sh->out == NULL) {
		fprintf(stderr, "elbship ship: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	sh->stop = &interrupted;
	sh->set.pipe.stop = &interrupted;
	sh->out->stop = &interrupted;
	{
		/* No SA_RESTART: a read from a pipe or terminal returns. */
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sh->prog_t0 = t0;
	/*
	 * A sink that failed for good (401/403, a wrong URL) takes nothing
	 * more, but every input line is still read and counted (undelivered):
	 * the counts always cover the whole input.  Local output that failed
	 * (a closed pipe) ends the run.
	 */
	sh->set.pipe.drain = sh->out->info->remote;
	for (i = first; i < argc; i++) {
		if (strcmp(argv[i], "-") != 0 || sh->set.name != NULL ||
		    !sh->out->info->remote)
			continue;
		fprintf(stderr, "elbship ship: stdin (-) needs --name NAME to "
		    "ship to %s: document ids derive from the file name, and "
		    "two runs of stdin would otherwise share them (give the log "
		    "file's name, as AWS named it)\n", ship_sink_name(sh));
		rc = EXIT_USAGE;
		goto out;
	}
	for (i = first; i < argc && !interrupted; i++)
		if (ship_path(sh, argv[i]) != 0 && !sh->out->info->remote)
			break;
	progress_clear(sh);
	/*
	 * A sink that sends is flushed even after a failed put: what it
	 * holds (batches waiting for a retry, dead letters, a window to send
	 * again) must be settled and counted, whatever happened.  A local
	 * output that failed is not written again.
	 */
	if (sink_sync(sh->out, NULL) != 0) {
		/* (After a failed put the sink's error was said already.) */
		if (!sh->output_failed)
			fprintf(stderr, "elbship: %s: %s\n", ship_sink_name(sh),
			    sink_error(sh->out));
		sh->output_failed = 1;
	}
	if (fd != 1 && close(fd) != 0 && !sh->output_failed) {
		fprintf(stderr, "elbship: %s: %s\n", sh->set.output,
		    strerror(errno));
		sh->output_failed = 1;
	}
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
	} else if (sh->out->info->remote &&
	    sh->tally.n[SINK_UNDELIVERED] > 0)
		rc = EXIT_UNDELIVERED;
	else if (sh->output_failed)
		rc = EXIT_OUTPUT;
	else if (sh->files_failed > 0)
		rc = EXIT_INPUT;
	else if (sh->set.strict && sh->total.malformed > 0)
		rc = EXIT_MALFORMED;
out:
	while (sh->nnames > 0)
		free(sh->names[--sh->nnames]);
	free(sh->names);
	sink_free(sh->out);
	settings_free(&sh->set);
	aws_provider_free(&sh->aws);
	pthread_mutex_destroy(&sh->mu);
	free(sh);
	return rc;
}
