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
#include "encode/ecs.h"
#include "parse/lbname.h"
#include "sink/ndjson.h"
#include "util/xalloc.h"

#define MAX_LABELS 64
#define SHOW_ERRORS 5		/* malformed lines reported one by one */

struct ship {
	struct ecs_opts eopts;
	struct pipeline_opts popts;
	struct ecs_label labels[MAX_LABELS];
	const char *output;
	const char *name;	/* identity for stdin */
	int format;
	int strict;
	int quiet;
	struct sink *out;	/* the real sink */
	struct sink proxy;	/* reports malformed lines, then forwards */
	const char *cur_path;
	uint64_t shown;
	struct pipeline_stats total;
	unsigned long files, files_gzip, files_failed;
	int output_failed;
};

void
ship_usage(FILE *f)
{
	fprintf(f,
"usage: elbship ship [OPTIONS] PATH...\n"
"\n"
"Parse AWS load balancer log files into ECS documents, one JSON document per\n"
"line (NDJSON), written to stdout.  PATH is a log file (plain or gzip, found\n"
"by its magic bytes; multi-member gzip is read to the end), a directory\n"
"(searched recursively for files named like ELB logs: *.log, *.log.gz), or -\n"
"for stdin.  The log type comes from the file name where AWS's naming says\n"
"it (app., net., conn_log, else Classic), otherwise from each line's shape.\n"
"\n"
"Options:\n"
"  -o, --output FILE      write documents to FILE instead of stdout\n"
"      --format FORMAT    ndjson (default): one document per line;\n"
"                         bulk: an Elasticsearch _bulk body, a\n"
"                         {\"create\":{\"_id\":ID}} line before each document\n"
"  -t, --type TYPE        alb, clb, nlb, alb-conn, or auto (default): force the\n"
"                         log type instead of taking it from names and lines\n"
"  -l, --label KEY=VALUE  add labels.KEY=VALUE to every document (repeatable;\n"
"                         KEY is letters, digits, _ and -), e.g.\n"
"                         --label environment=prod --label application=shop\n"
"  -e, --event-original   keep each raw line as event.original (error\n"
"                         documents always keep it)\n"
"      --name NAME        file name that stdin's lines come from; document ids\n"
"                         are derived from it (default: stdin)\n"
"      --strict           exit with status 3 if any line is malformed\n"
"      --max-line BYTES   longest line kept whole (default %d); a longer line\n"
"                         becomes an error document holding its first %d\n"
"                         bytes, and is counted as malformed\n"
"      --threads N        threads that read and parse (default: one per CPU,\n"
"                         at most 4); output order is the input order\n"
"  -q, --quiet            no summary on stderr\n"
"  -h, --help             show this help\n"
"\n"
"Documents: fields follow Elastic's AWS ELB integration (docs/fields.md).\n"
"event.id is a deterministic id: 20 hex digits of SHA-256 of the file name\n"
"(without directory and .gz), '-', and the line's byte offset in the\n"
"decompressed file; the same line gets the same id wherever it is read\n"
"from.  A line that does not parse becomes a document with\n"
"event.kind=pipeline_error, error.message (which field, what is wrong) and\n"
"event.original; the first %d are also reported on stderr.\n"
"\n"
"Exit status:\n"
"  0  every input read to its end and every document written\n"
"  1  some input could not be read completely (unreadable path, corrupt or\n"
"     truncated gzip: the lines before the damage are still written)\n"
"  2  bad command line\n"
"  3  --strict was given and some lines were malformed\n"
"  4  the output could not be written\n",
	    PIPELINE_MAX_LINE_DEFAULT, PIPELINE_LONG_KEEP, SHOW_ERRORS);
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

static int
ship_fd(struct ship *sh, int fd, const char *path, const char *name)
{
	struct ecs_origin origin = { path, NULL, NULL, name };
	struct pipeline_stats st;
	struct ecs_file *ef;
	char err[512];
	int rc;

	ef = ecs_file_new(&sh->eopts, &origin);
	sh->cur_path = path;
	rc = pipeline_run(&sh->popts, ef, fd, &sh->proxy, &st, err,
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
		fprintf(stderr, "elbship: %s: %s\n",
		    sh->output ? sh->output : "stdout", err);
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
		return ship_fd(sh, 0, "-", sh->name ? sh->name : "stdin");
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

static int
parse_size(const char *s, size_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
		return -1;
	*v = (size_t)x;
	return 0;
}

static int
valid_label_key(const char *k, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = k[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
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

int
cmd_ship(int argc, char **argv)
{
	enum { OPT_FORMAT = 256, OPT_NAME, OPT_STRICT, OPT_MAXLINE,
	    OPT_THREADS };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "type", required_argument, NULL, 't' },
		{ "label", required_argument, NULL, 'l' },
		{ "event-original", no_argument, NULL, 'e' },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "max-line", required_argument, NULL, OPT_MAXLINE },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ship *sh;
	struct timespec t0, t1;
	int c, i, fd = 1, rc = EXIT_OK, t;
	size_t v;
	char *eq;

	sh = xcalloc(1, sizeof(*sh));
	sh->popts.threads = default_threads();
	sh->eopts.labels = sh->labels;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:t:l:eqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			sh->output = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "ndjson") == 0)
				sh->format = NDJSON_DOCS;
			else if (strcmp(optarg, "bulk") == 0)
				sh->format = NDJSON_BULK;
			else {
				fprintf(stderr, "elbship ship: --format must be "
				    "ndjson or bulk, not '%s'\n", optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case 't':
			t = lbname_type_lookup(optarg);
			if (t < 0) {
				fprintf(stderr, "elbship ship: --type must be alb, "
				    "clb, nlb, alb-conn or auto, not '%s'\n",
				    optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			sh->eopts.type = (enum lbtype)t;
			break;
		case 'l':
			eq = strchr(optarg, '=');
			if (eq == NULL || !valid_label_key(optarg,
			    (size_t)(eq - optarg))) {
				fprintf(stderr, "elbship ship: --label wants "
				    "KEY=VALUE with KEY made of letters, digits, "
				    "_ and -, not '%s'\n", optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			if (sh->eopts.nlabels == MAX_LABELS) {
				fprintf(stderr, "elbship ship: at most %d "
				    "--label options\n", MAX_LABELS);
				rc = EXIT_USAGE;
				goto out;
			}
			*eq = '\0';
			sh->labels[sh->eopts.nlabels].key = optarg;
			sh->labels[sh->eopts.nlabels].value = eq + 1;
			sh->eopts.nlabels++;
			break;
		case 'e':
			sh->eopts.event_original = 1;
			break;
		case OPT_NAME:
			sh->name = optarg;
			break;
		case OPT_STRICT:
			sh->strict = 1;
			break;
		case OPT_MAXLINE:
			if (parse_size(optarg, &v) != 0 || v < 1024 ||
			    v > 64u * 1024 * 1024) {
				fprintf(stderr, "elbship ship: --max-line must be "
				    "a byte count from 1024 to 67108864, not "
				    "'%s'\n", optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			sh->popts.max_line = v;
			break;
		case OPT_THREADS:
			if (parse_size(optarg, &v) != 0 || v < 1 ||
			    v > PIPELINE_MAX_THREADS) {
				fprintf(stderr, "elbship ship: --threads must be "
				    "from 1 to %d, not '%s'\n",
				    PIPELINE_MAX_THREADS, optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			sh->popts.threads = (int)v;
			break;
		case 'q':
			sh->quiet = 1;
			break;
		case 'h':
			ship_usage(stdout);
			goto out;
		case ':':
			fprintf(stderr, "elbship ship: option '%s' needs a value\n",
			    argv[optind - 1]);
			rc = EXIT_USAGE;
			goto out;
		default:
			fprintf(stderr, "elbship ship: unknown option '%s' (try "
			    "'elbship ship --help')\n", argv[optind - 1]);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "elbship ship: no PATH given (a file, a "
		    "directory, or - for stdin; try 'elbship ship --help')\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (sh->output != NULL && strcmp(sh->output, "-") != 0) {
		fd = open(sh->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0666);
		if (fd < 0) {
			fprintf(stderr, "elbship ship: cannot write '%s': %s\n",
			    sh->output, strerror(errno));
			rc = EXIT_OUTPUT;
			goto out;
		}
	}
	sh->out = ndjson_new(fd, (enum ndjson_format)sh->format);
	sh->proxy.ops = &proxy_ops;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = optind; i < argc; i++)
		if (ship_path(sh, argv[i]) != 0)
			break;
	if (!sh->output_failed && sh->out->ops->flush(sh->out) != 0) {
		fprintf(stderr, "elbship: %s: %s\n",
		    sh->output ? sh->output : "stdout",
		    sh->out->ops->error(sh->out));
		sh->output_failed = 1;
	}
	if (fd != 1 && close(fd) != 0 && !sh->output_failed) {
		fprintf(stderr, "elbship: %s: %s\n", sh->output, strerror(errno));
		sh->output_failed = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!sh->quiet)
		summary(sh, (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (sh->output_failed)
		rc = EXIT_OUTPUT;
	else if (sh->files_failed > 0)
		rc = EXIT_INPUT;
	else if (sh->strict && sh->total.malformed > 0)
		rc = EXIT_MALFORMED;
	sink_free(sh->out);
out:
	free(sh);
	return rc;
}
