/*
 * ship.c: `elbship ship PATH...`: local files, directories and stdin to
 * NDJSON (or a _bulk body) on stdout or a file, with a summary on stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
#include "util/xalloc.h"

#define SHOW_ERRORS 5		/* malformed lines reported one by one */

struct ship {
	struct settings set;
	struct sink *out;	/* the real sink */
	struct sink proxy;	/* reports malformed lines, then forwards */
	const char *cur_path;
	uint64_t shown;
	struct pipeline_stats total;
	unsigned long files, files_gzip, files_failed;
	int output_failed;
	int quiet;
	int kind;		/* SINK_* */
	struct lstcp_config tcp;
};

enum { SINK_LOCAL, SINK_ES, SINK_LS_HTTP, SINK_LS_TCP };

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
"(searched recursively for files named like ELB logs: *.log, *.log.gz), or -\n"
"for stdin.  The log type comes from the file name where AWS's naming says\n"
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
"  5  some documents were not delivered (see the summary)\n",
	    SHOW_ERRORS);
}

/* The proxy sink: report the first malformed lines, forward everything. */
static struct ship *
proxy_owner(struct sink *s)
{
	return (struct ship *)((char *)s - offsetof(struct ship, proxy));
}

static int
px_put(struct sink *s, const struct docbatch *b)
{
	struct ship *sh = proxy_owner(s);
	size_t i;

	for (i = 0; i < b->ndocs && !sh->quiet; i++) {
		const struct docref *d = &b->docs[i];

		if (!d->malformed)
			continue;
		if (sh->shown < SHOW_ERRORS)
			fprintf(stderr, "elbship: %s: offset %llu: %s\n",
			    sh->cur_path, (unsigned long long)d->offset,
			    b->errs + d->err);
		sh->shown++;
	}
	return sh->out->ops->put(sh->out, b);
}

static int
px_flush(struct sink *s)
{
	struct ship *sh = proxy_owner(s);

	return sh->out->ops->flush(sh->out);
}

static void
px_free(struct sink *s)
{
	(void)s;
}

static const char *
px_error(const struct sink *s)
{
	const struct ship *sh = (const struct ship *)((const char *)s -
	    offsetof(struct ship, proxy));

	return sh->out->ops->error(sh->out);
}

static const struct sink_ops proxy_ops = {
	.name = "report",
	.put = px_put,
	.flush = px_flush,
	.free = px_free,
	.error = px_error,
};

static const char *
sink_name(const struct ship *sh)
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
	const struct ecs_opts *eo = &sh->set.ecs;
	struct pipeline_stats st;
	struct ecs_file *ef;
	char err[512];
	int rc;

	ef = ecs_file_new(eo, &origin);
	sh->cur_path = path;
	rc = pipeline_run(&sh->set.pipe, ef, fd, &sh->proxy, &st, err,
	    sizeof(err));
	ecs_file_free(ef);
	pipeline_stats_add(&sh->total, &st);
	sh->files++;
	if (st.gzip)
		sh->files_gzip++;
	if (rc == PIPELINE_EINPUT) {
		fprintf(stderr, "elbship: %s: %s\n", path, err);
		sh->files_failed++;
	} else if (rc == PIPELINE_ESINK) {
		fprintf(stderr, "elbship: %s: %s\n", sink_name(sh), err);
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

/* Walk ${dir} recursively in name order; ship files named like ELB logs. */
static int
ship_dir(struct ship *sh, const char *dir, unsigned long *found)
{
	struct dirent **ents;
	struct stat sb;
	int n, i, rc = 0;

	n = scandir(dir, &ents, not_hidden, alphasort);
	if (n < 0) {
		fprintf(stderr, "elbship: cannot read directory '%s': %s\n", dir,
		    strerror(errno));
		sh->files_failed++;
		return 0;
	}
	for (i = 0; i < n; i++) {
		size_t l = strlen(dir) + strlen(ents[i]->d_name) + 2;
		char *p = xmalloc(l);

		snprintf(p, l, "%s%s%s", dir,
		    dir[strlen(dir) - 1] == '/' ? "" : "/", ents[i]->d_name);
		if (rc == 0 && stat(p, &sb) == 0) {
			if (S_ISDIR(sb.st_mode)) {
				rc = ship_dir(sh, p, found);
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
	if (stat(path, &sb) != 0) {
		fprintf(stderr, "elbship: cannot open '%s': %s\n", path,
		    strerror(errno));
		sh->files_failed++;
		return 0;
	}
	if (!S_ISDIR(sb.st_mode))
		return ship_file(sh, path);
	rc = ship_dir(sh, path, &found);
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
	human(out, sizeof(out), (double)sh->out->bytes_out);
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
		    lbname_type_name(order[i]),
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

static void
delivery_summary(const struct ship *sh)
{
	struct es_stats es;
	struct lstcp_stats ls;

	if (sh->kind == SINK_LS_TCP) {
		lstcp_stats(sh->out, &ls);
		fprintf(stderr, "elbship: sent to logstash (tcp, no "
		    "acknowledgements): %llu sent, %llu undelivered; %llu "
		    "connections\n", (unsigned long long)ls.sent,
		    (unsigned long long)ls.undelivered,
		    (unsigned long long)ls.connects);
		return;
	}
	if (sh->kind != SINK_ES && sh->kind != SINK_LS_HTTP)
		return;
	es_stats(sh->out, &es);
	fprintf(stderr, "elbship: delivered to %s: %llu indexed, %llu "
	    "duplicate, %llu dead-lettered, %llu undelivered; %llu requests, "
	    "%llu retried\n", sh->kind == SINK_ES ? "elasticsearch" :
	    "logstash",
	    (unsigned long long)es.indexed, (unsigned long long)es.duplicate,
	    (unsigned long long)es.dead_lettered,
	    (unsigned long long)es.undelivered, (unsigned long long)es.requests,
	    (unsigned long long)es.retried);
	if (es.dead_lettered > 0)
		fprintf(stderr, "elbship: dead letters are in %s\n",
		    sh->set.es.dead_letter_file);
}

static uint64_t
undelivered_count(const struct ship *sh)
{
	struct es_stats es;
	struct lstcp_stats ls;

	if (sh->kind == SINK_LS_TCP) {
		lstcp_stats(sh->out, &ls);
		return ls.undelivered;
	}
	if (sh->kind != SINK_ES && sh->kind != SINK_LS_HTTP)
		return 0;
	es_stats(sh->out, &es);
	return es.undelivered;
}

/* Open the sink the settings ask for; NULL with a message. */
static struct sink *
open_sink(struct ship *sh, int *fd, char *err, size_t cap)
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
		return lstcp_new(&sh->tcp, err, cap);
	}
	if (st->logstash != NULL) {
		sh->kind = SINK_LS_HTTP;
		st->es.url = st->logstash;
		st->es.logstash = 1;
		return es_new(&st->es, err, cap);
	}
	if (st->es_url != NULL) {
		if (st->es_sigv4 != NULL) {
			snprintf(err, cap, "--es-aws-sigv4 is not available in "
			    "this build yet");
			return NULL;
		}
		sh->kind = SINK_ES;
		return es_new(&st->es, err, cap);
	}
	sh->kind = SINK_LOCAL;
	if (st->output != NULL && strcmp(st->output, "-") != 0) {
		*fd = open(st->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0666);
		if (*fd < 0) {
			snprintf(err, cap, "cannot write '%s': %s", st->output,
			    strerror(errno));
			return NULL;
		}
	}
	return ndjson_new(*fd, st->format == OUT_BULK ? NDJSON_BULK :
	    NDJSON_DOCS);
}

int
cmd_ship(int argc, char **argv)
{
	struct ship *sh;
	struct timespec t0, t1;
	char err[512];
	int i, first = 1, fd = 1, rc = EXIT_OK, r;

	sh = xcalloc(1, sizeof(*sh));
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
	sh->out = open_sink(sh, &fd, err, sizeof(err));
	if (sh->out == NULL) {
		fprintf(stderr, "elbship ship: %s\n", err);
		rc = sh->kind == SINK_LOCAL ? EXIT_OUTPUT : EXIT_USAGE;
		goto out;
	}
	sh->proxy.ops = &proxy_ops;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = first; i < argc; i++)
		if (ship_path(sh, argv[i]) != 0)
			break;
	if (!sh->output_failed && sh->out->ops->flush(sh->out) != 0) {
		fprintf(stderr, "elbship: %s: %s\n", sink_name(sh),
		    sh->out->ops->error(sh->out));
		sh->output_failed = 1;
	}
	if (fd != 1 && close(fd) != 0 && !sh->output_failed) {
		fprintf(stderr, "elbship: %s: %s\n", sh->set.output,
		    strerror(errno));
		sh->output_failed = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!sh->quiet) {
		summary(sh, (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		delivery_summary(sh);
	}
	if (undelivered_count(sh) > 0)
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
	free(sh);
	return rc;
}
