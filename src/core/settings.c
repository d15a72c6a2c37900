/*
 * settings.c: the settings table and its three readers (environment,
 * command line, help).  See settings.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/secrets.h"
#include "core/settings.h"
#include "parse/lbtype.h"
#include "sink/estemplate.h"
#include "util/xalloc.h"

enum stype {
	T_HEAD,		/* a heading in the help, not a setting */
	T_STR,		/* const char * */
	T_SIZE,		/* size_t in [min, max] */
	T_INT,		/* int in [min, max] */
	T_UINT,		/* unsigned in [min, max] */
	T_MS,		/* long milliseconds, given in seconds (decimals ok) */
	T_LONGMS,	/* long milliseconds, given in milliseconds */
	T_FLAG,		/* int set to 1 (flag without value; env: 1/0) */
	T_NOFLAG,	/* int set to 0 */
	T_LABEL,	/* KEY=VALUE, repeatable; env: comma-separated */
	T_TYPE,		/* log type */
	T_FORMAT	/* output format */
};

struct setting {
	const char *flag;	/* long option, without -- */
	int shortopt;
	const char *env;	/* ELBSHIP_... or NULL */
	enum stype type;
	size_t off;
	unsigned long long min, max;
	const char *metavar;
	const char *help;
};

#define OFF(m) offsetof(struct settings, m)

static const struct setting table[] = {
	{ "Documents", 0, NULL, T_HEAD, 0, 0, 0, NULL, NULL },
	{ "type", 't', "ELBSHIP_TYPE", T_TYPE, OFF(ecs.type), 0, 0, "TYPE",
	    LBTYPE_NAMES_HELP ", or auto (default): force the log type "
	    "instead of taking it from file names and line shapes" },
	{ "label", 'l', "ELBSHIP_LABELS", T_LABEL, 0, 0, 0, "KEY=VALUE",
	    "add labels.KEY=VALUE to every document (repeatable; in the "
	    "environment, comma-separated); KEY is letters, digits, _ and -" },
	{ "event-original", 'e', "ELBSHIP_EVENT_ORIGINAL", T_FLAG,
	    OFF(ecs.event_original), 0, 0, NULL,
	    "keep each raw line as event.original (error documents always "
	    "keep it)" },
	{ "name", 0, NULL, T_STR, OFF(name), 0, 0, "NAME",
	    "file name that stdin's lines come from; document ids derive from "
	    "it (default: stdin)" },
	{ "Reading", 0, NULL, T_HEAD, 0, 0, 0, NULL, NULL },
	{ "strict", 0, "ELBSHIP_STRICT", T_FLAG, OFF(strict), 0, 0, NULL,
	    "exit with status 3 if any line is malformed" },
	{ "max-line", 0, "ELBSHIP_MAX_LINE", T_SIZE, OFF(pipe.max_line), 1024,
	    64ULL << 20, "BYTES", "longest line kept whole (default 262144); a "
	    "longer line becomes an error document holding its first 4096 "
	    "bytes, counted as malformed" },
	{ "threads", 0, "ELBSHIP_THREADS", T_INT, OFF(pipe.threads), 1,
	    PIPELINE_MAX_THREADS, "N", "threads that read and parse (default: "
	    "one per CPU, at most 4); output keeps the input order" },
	{ "Local output (default: NDJSON on stdout)", 0, NULL, T_HEAD, 0, 0, 0,
	    NULL, NULL },
	{ "output", 'o', NULL, T_STR, OFF(output), 0, 0, "FILE",
	    "write documents to FILE instead of stdout" },
	{ "format", 0, NULL, T_FORMAT, OFF(format), 0, 0, "FORMAT",
	    "ndjson (default): one document per line; bulk: an Elasticsearch "
	    "_bulk body, a {\"create\":{\"_id\":ID}} line before each document" },
	{ "quiet", 'q', NULL, T_FLAG, OFF(quiet), 0, 0, NULL,
	    "no summary on stderr" },
	{ "Elasticsearch / OpenSearch", 0, NULL, T_HEAD, 0, 0, 0, NULL, NULL },
	{ "es", 0, "ELBSHIP_ES_URL", T_STR, OFF(es_url), 0, 0, "URL",
	    "send documents to this cluster (http[s]://host:port) with _bulk "
	    "create requests instead of writing them locally" },
	{ "es-index", 0, "ELBSHIP_ES_INDEX", T_STR, OFF(es.index), 0, 0, "NAME",
	    "data stream or index; {type} becomes " LBTYPE_TOKENS_HELP "; "
	    "{date} and {month} become each document's UTC day (YYYY.MM.DD) "
	    "or month (YYYY.MM), for dated indices, where a re-run finds its "
	    "first copies however late, as long as the index is kept "
	    "(default logs-elb.{type}-default)" },
	{ "es-pipeline", 0, "ELBSHIP_ES_PIPELINE", T_STR, OFF(es.pipeline), 0,
	    0, "NAME", "ingest pipeline to run on the documents instead of "
	    "the indices' default (setup's enrichment pipeline, elbship)" },
	{ "no-enrich", 0, "ELBSHIP_NO_ENRICH", T_NOFLAG, OFF(enrich), 0, 0,
	    NULL, "setup: no enrichment (by default, on Elasticsearch, setup "
	    "installs the ingest pipeline elbship, GeoIP into source.geo.* and "
	    "source.as.*, user agent into user_agent.*, as the templates' "
	    "default pipeline)" },
	{ "es-user", 0, "ELBSHIP_ES_USERNAME", T_STR, OFF(es.username), 0, 0,
	    "USER", "basic authentication user; the password comes from "
	    "ELBSHIP_ES_PASSWORD or --es-password-file" },
	{ "es-password-file", 0, "ELBSHIP_ES_PASSWORD_FILE", T_STR,
	    OFF(es_password_file), 0, 0, "FILE",
	    "read the basic authentication password from FILE" },
	{ "es-api-key-file", 0, "ELBSHIP_ES_API_KEY_FILE", T_STR,
	    OFF(es_api_key_file), 0, 0, "FILE", "read the API key (the "
	    "base64 `encoded` value) from FILE; or set ELBSHIP_ES_API_KEY" },
	{ "es-password-secret", 0, "ELBSHIP_ES_PASSWORD_SECRET", T_STR,
	    OFF(es_password_secret), 0, 0, "ARN", "read the basic "
	    "authentication password from AWS Secrets Manager (secret ARN, "
	    "ARN#key for a key of a JSON secret) or SSM Parameter Store "
	    "(parameter ARN, or ssm:/name)" },
	{ "es-api-key-secret", 0, "ELBSHIP_ES_API_KEY_SECRET", T_STR,
	    OFF(es_api_key_secret), 0, 0, "ARN", "read the API key from "
	    "Secrets Manager or SSM, as --es-password-secret" },
	{ "es-aws-sigv4", 0, "ELBSHIP_ES_AWS_SIGV4", T_STR, OFF(es_sigv4), 0,
	    0, "SERVICE", "sign requests with AWS SigV4 for Amazon OpenSearch "
	    "Service (es) or OpenSearch Serverless (aoss)" },
	{ "aws-region", 0, "AWS_REGION", T_STR, OFF(region), 0, 0, "REGION",
	    "AWS region for SigV4 (default: AWS_REGION, AWS_DEFAULT_REGION)" },
	{ "es-ca", 0, "ELBSHIP_ES_CA_FILE", T_STR, OFF(es.ca_file), 0, 0, "FILE",
	    "CA bundle (PEM) to verify the server's certificate "
	    "(Elasticsearch, OpenSearch, Logstash)" },
	{ "es-cert", 0, "ELBSHIP_ES_CERT_FILE", T_STR, OFF(es.cert_file), 0, 0,
	    "FILE", "client certificate (PEM) for mutual TLS (Elasticsearch, "
	    "Logstash)" },
	{ "es-key", 0, "ELBSHIP_ES_KEY_FILE", T_STR, OFF(es.key_file), 0, 0,
	    "FILE", "client certificate's private key (PEM)" },
	{ "insecure-skip-tls-verify", 0, "ELBSHIP_INSECURE_SKIP_TLS_VERIFY",
	    T_FLAG, OFF(es.insecure), 0, 0, NULL,
	    "do NOT verify the cluster's TLS certificate (testing only)" },
	{ "allow-plain-http-credentials", 0,
	    "ELBSHIP_ALLOW_PLAIN_HTTP_CREDENTIALS", T_FLAG,
	    OFF(allow_plain_http_creds), 0, 0, NULL,
	    "send a password or API key over plain http:// to a host that is "
	    "not loopback (refused by default: anyone on the path can read it)" },
	{ "batch-docs", 0, "ELBSHIP_BATCH_DOCS", T_SIZE, OFF(es.batch_docs), 1,
	    1000000, "N", "documents per bulk request (default 5000)" },
	{ "batch-bytes", 0, "ELBSHIP_BATCH_BYTES", T_SIZE, OFF(es.batch_bytes),
	    1024, 100ULL * 1000 * 1000, "BYTES",
	    "uncompressed bytes per bulk request (default 5000000)" },
	{ "no-compress", 0, "ELBSHIP_NO_COMPRESS", T_NOFLAG, OFF(es.compress),
	    0, 0, NULL, "send request bodies uncompressed (default: gzip)" },
	{ "max-inflight", 0, "ELBSHIP_MAX_INFLIGHT", T_INT,
	    OFF(es.max_inflight), 1, 16, "N",
	    "bulk requests in flight at once (default 2)" },
	{ "timeout", 0, "ELBSHIP_TIMEOUT", T_MS, OFF(es.timeout_ms), 1,
	    3600000, "SECONDS", "per-request timeout (default 60)" },
	{ "retry-attempts", 0, "ELBSHIP_RETRY_ATTEMPTS", T_UINT,
	    OFF(es.retry_attempts), 1, 1000, "N",
	    "sends per document before it counts as undelivered (default 10)" },
	{ "retry-time", 0, "ELBSHIP_RETRY_TIME", T_MS, OFF(es.retry_time_ms), 0,
	    86400000, "SECONDS",
	    "time per document, from its first send, before it counts as "
	    "undelivered (default 300)" },
	{ "retry-initial-ms", 0, "ELBSHIP_RETRY_INITIAL_MS", T_LONGMS,
	    OFF(es.retry_initial_ms), 1, 600000, "MS",
	    "first backoff; doubles per attempt up to 30 s, with jitter "
	    "(default 500)" },
	{ "dead-letter", 0, "ELBSHIP_DEAD_LETTER_FILE", T_STR,
	    OFF(es.dead_letter_file), 0, 0, "FILE",
	    "append documents the cluster rejects for good (mapping errors) "
	    "with their line, status and reason to FILE (default "
	    "elbship-dead-letter.ndjson)" },
	{ "dead-letter-index", 0, "ELBSHIP_DEAD_LETTER_INDEX", T_STR,
	    OFF(es.dead_letter_index), 0, 0, "NAME",
	    "send documents the cluster rejects for good to the index NAME of "
	    "the same cluster instead of the --dead-letter file: the same "
	    "records, with the document as a string, counted "
	    "dead-lettered once the cluster confirms them (the Lambda "
	    "function's default: elbship-dead-letter; `setup` installs its "
	    "template)" },
	{ "Logstash", 0, NULL, T_HEAD, 0, 0, 0, NULL, NULL },
	{ "logstash", 0, "ELBSHIP_LOGSTASH_URL", T_STR, OFF(logstash), 0, 0,
	    "URL", "send to Logstash: http(s)://host:port (the http input: "
	    "acknowledged, exact accounting), beats://host:port (the beats "
	    "input, as Filebeat: acknowledged; beatss:// for TLS) or "
	    "tcp://host:port (the tcp input with json_lines: no "
	    "acknowledgements, see below)" },
	{ "beats-window", 0, "ELBSHIP_BEATS_WINDOW", T_SIZE, OFF(beats_window),
	    1, 100000, "N", "beats: events per window, each acknowledged "
	    "before the window after next is sent (default 2048, Filebeat's "
	    "bulk_max_size); smaller windows spare a slow Logstash" },
	{ "beats-compression", 0, "ELBSHIP_BEATS_COMPRESSION", T_INT,
	    OFF(beats_compression), 0, 9, "LEVEL", "beats: zlib level of the "
	    "compressed frames, 0 for none (default 3, Filebeat's "
	    "compression_level)" },
	{ "S3 (PATH is s3://bucket/key, or s3://bucket/prefix/ for every log "
	    "under it)", 0, NULL, T_HEAD, 0, 0, 0, NULL, NULL },
	{ "endpoint-url", 0, "AWS_ENDPOINT_URL_S3", T_STR, OFF(endpoint), 0, 0,
	    "URL", "S3-compatible endpoint (path-style addressing)" },
	{ "since", 0, NULL, T_STR, OFF(since), 0, 0, "TIME",
	    "only log files whose interval ends at or after TIME (2025-11-03 or "
	    "2025-11-03T10:20Z; from the timestamp in ELB file names)" },
	{ "until", 0, NULL, T_STR, OFF(until), 0, 0, "TIME",
	    "only log files whose interval ends before TIME" },
	{ "lb", 0, NULL, T_STR, OFF(lb), 0, 0, "NAME",
	    "only log files of the load balancer NAME" },
	{ "concurrency", 0, "ELBSHIP_CONCURRENCY", T_INT, OFF(concurrency), 1,
	    64, "N", "S3 objects processed at once (default 4)" },
	{ "s3-retries", 0, "ELBSHIP_S3_RETRIES", T_UINT, OFF(s3_retries), 0,
	    100, "N", "tries after the first per S3 request (a 5xx, SlowDown, "
	    "a broken or stalled connection), with backoff and jitter; a "
	    "broken object read resumes where it stopped (default 5)" },
	{ "s3-timeout", 0, "ELBSHIP_S3_TIMEOUT", T_MS, OFF(s3_timeout_ms), 1,
	    3600000, "SECONDS", "S3 connect timeout, and how long a transfer "
	    "may receive nothing before it is retried (default 30)" },
	{ "state", 0, NULL, T_STR, OFF(state), 0, 0, "FILE",
	    "record each S3 object once all its lines are delivered, and skip "
	    "objects already recorded: rerun after a crash or Ctrl-C to resume" },
	{ "Lambda function (environment only)", 0, NULL, T_HEAD, 0, 0, 0, NULL,
	    NULL },
	{ NULL, 0, "ELBSHIP_DEADLINE_MARGIN", T_MS, OFF(deadline_margin_ms), 0,
	    600000, "SECONDS", "stop reading this long before the invocation's "
	    "deadline, so what was read can still be delivered and the object "
	    "reported failed for a retry (default: a tenth of the invocation's "
	    "time, from 0.5 to 10 seconds)" },
	{ NULL, 0, "ELBSHIP_LOG_LEVEL", T_STR, OFF(log_level), 0, 0, "LEVEL",
	    "error, warn, info (default: one line per object and per "
	    "invocation) or debug" },
	{ NULL, 0, "ELBSHIP_METRICS_NAMESPACE", T_STR, OFF(metrics_namespace), 0,
	    0, "NAME", "CloudWatch namespace of the Embedded Metric Format "
	    "metrics in the invocation log line (default elbship; \"off\" for "
	    "none)" },
	{ "General", 0, NULL, T_HEAD, 0, 0, 0, NULL, NULL },
	{ "progress", 0, NULL, T_FLAG, OFF(progress), 0, 0, NULL,
	    "show progress on stderr, rewritten once a second (files, lines, "
	    "MB/s; for S3, objects and time left), even when stderr is not a "
	    "terminal" },
	{ "no-progress", 0, NULL, T_NOFLAG, OFF(progress), 0, 0, NULL,
	    "never show progress (default: shown when stderr is a terminal, "
	    "unless documents go to the same terminal or -q is given)" },
	{ "help", 'h', NULL, T_FLAG, 0, 0, 0, NULL, "show this help" },
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

void
settings_init(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	s->ecs.labels = s->labels;
	s->pipe.threads = 0;
	es_config_defaults(&s->es);
	s->concurrency = 4;
	s->s3_retries = 5;
	s->s3_timeout_ms = 30000;
	s->beats_window = 2048;
	s->beats_compression = 3;
	s->progress = -1;
	s->deadline_margin_ms = -1;	/* auto: see lambda.c */
	s->log_level = "info";
	s->metrics_namespace = "elbship";
	s->enrich = 1;
}

static int
parse_ull(const char *v, unsigned long long *out)
{
	char *end;

	if (*v == '\0' || *v == '-' || *v == '+')
		return -1;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return (errno != 0 || *end != '\0') ? -1 : 0;
}

/* Seconds with optional decimals -> milliseconds. */
static int
parse_secs(const char *v, unsigned long long *ms)
{
	char *end;
	double d;

	if (*v == '\0' || *v == '-' || *v == '+')
		return -1;
	errno = 0;
	d = strtod(v, &end);
	if (errno != 0 || *end != '\0' || d < 0 || d > 1e9)
		return -1;
	*ms = (unsigned long long)(d * 1000.0 + 0.5);
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

static int
add_label(struct settings *s, const char *kv, size_t n)
{
	const char *eq = memchr(kv, '=', n);
	char *mem;
	size_t i = s->ecs.nlabels, j;

	if (eq == NULL || !valid_label_key(kv, (size_t)(eq - kv)))
		return -1;
	mem = xstrndup(kv, n);
	mem[eq - kv] = '\0';
	/* A repeated key: the last value wins (JSON keys must be unique). */
	for (j = 0; j < s->ecs.nlabels; j++) {
		if (strcmp(s->labels[j].key, mem) == 0) {
			free(s->label_mem[j]);
			s->label_mem[j] = mem;
			s->labels[j].key = mem;
			s->labels[j].value = mem + (eq - kv) + 1;
			return 0;
		}
	}
	if (i == SETTINGS_MAX_LABELS) {
		free(mem);
		return -1;
	}
	s->label_mem[i] = mem;
	s->labels[i].key = mem;
	s->labels[i].value = mem + (eq - kv) + 1;
	s->ecs.nlabels++;
	return 0;
}

static int
is_true(const char *v, int *out)
{
	if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
	    strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0) {
		*out = 1;
		return 0;
	}
	if (strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 ||
	    strcasecmp(v, "no") == 0 || strcasecmp(v, "off") == 0 ||
	    *v == '\0') {
		*out = 0;
		return 0;
	}
	return -1;
}

/*
 * Apply value ${v} to setting ${t}; ${from_env} selects the wording of
 * boolean values.  Returns 0, or -1 with a description of what is wanted
 * in ${want}.
 */
static int
apply(struct settings *s, const struct setting *t, const char *v,
    int from_env, char *want, size_t wcap)
{

	char *base = (char *)s;
	unsigned long long x;
	int b, lt;

	switch (t->type) {
	case T_STR:
		if (*v == '\0') {
			snprintf(want, wcap, "%s", "a non-empty value");
			return -1;
		}
		*(const char **)(void *)(base + t->off) = v;
		return 0;
	case T_SIZE:
	case T_INT:
	case T_UINT:
		if (parse_ull(v, &x) != 0 || x < t->min || x > t->max) {
			snprintf(want, wcap, "a whole number from %llu "
			    "to %llu", t->min, t->max);
			return -1;
		}
		if (t->type == T_SIZE)
			*(size_t *)(void *)(base + t->off) = (size_t)x;
		else if (t->type == T_INT)
			*(int *)(void *)(base + t->off) = (int)x;
		else
			*(unsigned *)(void *)(base + t->off) = (unsigned)x;
		return 0;
	case T_MS:
		if (parse_secs(v, &x) != 0 || x < t->min || x > t->max) {
			snprintf(want, wcap, "a number of seconds from "
			    "%g to %g", (double)t->min / 1000, (double)t->max / 1000);
			return -1;
		}
		*(long *)(void *)(base + t->off) = (long)x;
		return 0;
	case T_LONGMS:
		if (parse_ull(v, &x) != 0 || x < t->min || x > t->max) {
			snprintf(want, wcap, "a number of milliseconds "
			    "from %llu to %llu", t->min, t->max);
			return -1;
		}
		*(long *)(void *)(base + t->off) = (long)x;
		return 0;
	case T_FLAG:
	case T_NOFLAG:
		b = 1;
		if (from_env && is_true(v, &b) != 0) {
			snprintf(want, wcap, "%s", "1 or 0 (true or false)");
			return -1;
		}
		*(int *)(void *)(base + t->off) = t->type == T_FLAG ? b : !b;
		return 0;
	case T_LABEL:
		if (!from_env) {
			if (add_label(s, v, strlen(v)) != 0) {
				snprintf(want, wcap, "%s", "KEY=VALUE, KEY made of letters, digits, _ "
				    "and - (at most 64 labels)");
				return -1;
			}
			return 0;
		}
		while (*v != '\0') {
			const char *c = strchr(v, ',');
			size_t n = c ? (size_t)(c - v) : strlen(v);

			if (n > 0 && add_label(s, v, n) != 0) {
				snprintf(want, wcap, "%s", "KEY=VALUE[,KEY=VALUE...], KEY made of "
				    "letters, digits, _ and -");
				return -1;
			}
			v += n + (c != NULL);
		}
		return 0;
	case T_TYPE:
		lt = lbtype_lookup(v);
		if (lt < 0) {
			snprintf(want, wcap, "%s", LBTYPE_NAMES_HELP " or auto");
			return -1;
		}
		s->ecs.type = (enum lbtype)lt;
		return 0;
	case T_FORMAT:
		if (strcmp(v, "ndjson") == 0)
			s->format = OUT_NDJSON;
		else if (strcmp(v, "bulk") == 0)
			s->format = OUT_BULK;
		else {
			snprintf(want, wcap, "%s", "ndjson or bulk");
			return -1;
		}
		return 0;
	case T_HEAD:
		break;
	}
	snprintf(want, wcap, "%s", "?");
	return -1;
}

int
settings_env(struct settings *s, char *err, size_t cap)
{
	const char *v;
	char want[128];
	size_t i, l = 0;
	int bad = 0;

	/* Every problem is reported, in one message (Lambda takes one). */
	err[0] = '\0';
	for (i = 0; i < NTABLE; i++) {
		const struct setting *t = &table[i];

		/* An empty variable is an unset one (templates leave them so). */
		if (t->env == NULL || (v = getenv(t->env)) == NULL || *v == '\0')
			continue;
		if (apply(s, t, v, 1, want, sizeof(want)) != 0) {
			if (l < cap)
				l += (size_t)snprintf(err + l, cap - l, "%s%s must be "
				    "%s, not '%s'", bad ? "; " : "", t->env, want, v);
			bad++;
		}
	}
	if (bad)
		return -1;
	if (s->region == NULL && (v = getenv("AWS_DEFAULT_REGION")) != NULL &&
	    *v != '\0')
		s->region = v;
	if (s->endpoint == NULL && (v = getenv("AWS_ENDPOINT_URL")) != NULL &&
	    *v != '\0')
		s->endpoint = v;
	return 0;
}

int
settings_args(struct settings *s, int argc, char **argv, int *first,
    char *err, size_t cap)
{
	struct option lo[NTABLE + 1];
	char so[3 * NTABLE + 2];
	size_t i, nlo = 0, nso = 0;
	int c, idx;
	char want[128];

	so[nso++] = ':';
	for (i = 0; i < NTABLE; i++) {
		const struct setting *t = &table[i];
		int arg = t->type != T_FLAG && t->type != T_NOFLAG;

		if (t->type == T_HEAD || t->flag == NULL)
			continue;
		lo[nlo].name = t->flag;
		lo[nlo].has_arg = arg ? required_argument : no_argument;
		lo[nlo].flag = NULL;
		lo[nlo].val = 1000 + (int)i;
		nlo++;
		if (t->shortopt) {
			so[nso++] = (char)t->shortopt;
			if (arg)
				so[nso++] = ':';
		}
	}
	memset(&lo[nlo], 0, sizeof(lo[nlo]));
	so[nso] = '\0';
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, so, lo, &idx)) != -1) {
		const struct setting *t = NULL;

		if (c == ':') {
			if (optopt > 0 && optopt < 1000)
				snprintf(err, cap, "option '-%c' needs a value",
				    optopt);
			else
				snprintf(err, cap, "option '%s' needs a value",
				    argv[optind - 1]);
			return -1;
		}
		if (c == '?') {
			/* A short option inside a cluster (-xe): name it alone. */
			if (optopt > 0 && optopt < 1000)
				snprintf(err, cap, "unknown option '-%c'", optopt);
			else
				snprintf(err, cap, "unknown option '%s'",
				    argv[optind - 1]);
			return -1;
		}
		if (c >= 1000)
			t = &table[c - 1000];
		else
			for (i = 0; i < NTABLE; i++)
				if (table[i].shortopt == c)
					t = &table[i];
		if (t == NULL) {
			snprintf(err, cap, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
		if (strcmp(t->flag, "help") == 0)
			return 1;
		if (apply(s, t, optarg ? optarg : "", 0, want, sizeof(want)) != 0) {
			snprintf(err, cap, "--%s must be %s, not '%s'", t->flag,
			    want, optarg ? optarg : "");
			return -1;
		}
	}
	*first = optind;
	return 0;
}

/* Read a secret from a file: first line, without the newline. */
static char *
read_secret(const char *path, char *err, size_t cap)
{
	FILE *f = fopen(path, "r");
	char buf[8192];
	size_t n;

	if (f == NULL) {
		snprintf(err, cap, "cannot read secret file '%s': %s", path,
		    strerror(errno));
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		snprintf(err, cap, "secret file '%s' is empty", path);
		return NULL;
	}
	return xstrdup(buf);
}

/* Is the host of http(s)://HOST[:port][/...] a loopback address? */
static int
loopback_url(const char *url)
{
	const char *h = strstr(url, "://"), *e;
	size_t n;

	if (h == NULL)
		return 0;
	h += 3;
	if (*h == '[') {
		e = strchr(h, ']');
		return e != NULL && (size_t)(e - h) == 4 &&
		    memcmp(h, "[::1", 4) == 0;
	}
	n = strcspn(h, ":/");
	e = h + n;
	return (n == 9 && strncasecmp(h, "localhost", 9) == 0) ||
	    (n >= 4 && strncmp(h, "127.", 4) == 0 &&
	    strspn(h, "0123456789.") >= n && e > h);
}

/*
 * Credentials over plain http to a host that is not loopback go out in the
 * clear: refused unless --allow-plain-http-credentials says so.
 */
static int
plain_http_creds(const struct settings *s, char *err, size_t cap)
{
	const char *url = s->logstash != NULL ? s->logstash : s->es_url;
	int creds = s->es.username != NULL || s->es.password != NULL ||
	    s->es.api_key != NULL || s->es_password_secret != NULL ||
	    s->es_api_key_secret != NULL;

	if (url == NULL || !creds || strncmp(url, "http://", 7) != 0 ||
	    loopback_url(url) || s->allow_plain_http_creds)
		return 0;
	snprintf(err, cap, "refusing to send credentials over plain http to "
	    "'%s': anyone on the path can read them; use https://, or "
	    "--allow-plain-http-credentials (ELBSHIP_ALLOW_PLAIN_HTTP_"
	    "CREDENTIALS) if the network is private", url);
	return -1;
}

int
settings_finish(struct settings *s, char *err, size_t cap)
{
	const char *v;

	if (s->es_url != NULL && s->logstash != NULL) {
		snprintf(err, cap, "give either an Elasticsearch URL (--es) or a "
		    "Logstash URL (--logstash), not both");
		return -1;
	}
	if (s->es_password_file != NULL) {
		s->secret_mem[0] = read_secret(s->es_password_file, err, cap);
		if (s->secret_mem[0] == NULL)
			return -1;
		s->es.password = s->secret_mem[0];
	} else if ((v = getenv("ELBSHIP_ES_PASSWORD")) != NULL && *v != '\0') {
		s->es.password = v;
	}
	if (s->es_api_key_file != NULL) {
		s->secret_mem[1] = read_secret(s->es_api_key_file, err, cap);
		if (s->secret_mem[1] == NULL)
			return -1;
		s->es.api_key = s->secret_mem[1];
	} else if ((v = getenv("ELBSHIP_ES_API_KEY")) != NULL && *v != '\0') {
		s->es.api_key = v;
	}
	if (s->es_password_secret != NULL &&
	    (s->es_password_file != NULL || s->es.password != NULL)) {
		snprintf(err, cap, "give the password one way: "
		    "ELBSHIP_ES_PASSWORD, --es-password-file or "
		    "--es-password-secret");
		return -1;
	}
	if (s->es_password_secret != NULL && s->es.username == NULL) {
		snprintf(err, cap, "a password secret is set but no user "
		    "(--es-user or ELBSHIP_ES_USERNAME)");
		return -1;
	}
	if (s->es_api_key_secret != NULL && s->es.api_key != NULL) {
		snprintf(err, cap, "give the API key one way: ELBSHIP_ES_API_KEY, "
		    "--es-api-key-file or --es-api-key-secret");
		return -1;
	}
	if (s->es_password_secret != NULL && !aws_secret_is_ref(
	    s->es_password_secret)) {
		snprintf(err, cap, "ELBSHIP_ES_PASSWORD_SECRET must be a Secrets "
		    "Manager or SSM parameter ARN, or ssm:/name");
		return -1;
	}
	if (s->es_api_key_secret != NULL && !aws_secret_is_ref(
	    s->es_api_key_secret)) {
		snprintf(err, cap, "ELBSHIP_ES_API_KEY_SECRET must be a Secrets "
		    "Manager or SSM parameter ARN, or ssm:/name");
		return -1;
	}
	if (s->es.password != NULL && s->es.username == NULL) {
		snprintf(err, cap, "a password is set but no user "
		    "(--es-user or ELBSHIP_ES_USERNAME)");
		return -1;
	}
	if ((s->es.username != NULL) + (s->es.api_key != NULL ||
	    s->es_api_key_secret != NULL) + (s->es_sigv4 != NULL) > 1) {
		snprintf(err, cap, "use one way to authenticate: a user and "
		    "password, an API key, or AWS SigV4");
		return -1;
	}
	if (s->es_sigv4 != NULL && strcmp(s->es_sigv4, "es") != 0 &&
	    strcmp(s->es_sigv4, "aoss") != 0) {
		snprintf(err, cap, "--es-aws-sigv4 must be es (Amazon OpenSearch "
		    "Service) or aoss (OpenSearch Serverless), not '%s'",
		    s->es_sigv4);
		return -1;
	}
	if ((s->es.cert_file == NULL) != (s->es.key_file == NULL)) {
		snprintf(err, cap, "a client certificate needs both --es-cert "
		    "and --es-key");
		return -1;
	}
	if (s->es.index != NULL && s->logstash == NULL) {
		char why[600], glob[256];

		if (es_index_check(s->es.index, why, sizeof(why)) != 0) {
			snprintf(err, cap, "--es-index (ELBSHIP_ES_INDEX): %s", why);
			return -1;
		}
		/*
		 * A dated name under logs-*-* (or another built-in data
		 * stream pattern) would become a data stream per day, which
		 * rolls over: the very duplicates dated indices avoid.
		 */
		es_index_glob(s->es.index, glob, sizeof(glob));
		if (es_index_dated(s->es.index) &&
		    estemplate_dated_check(glob, why, sizeof(why)) != 0) {
			snprintf(err, cap, "--es-index '%s' (ELBSHIP_ES_INDEX): %s",
			    s->es.index, why);
			return -1;
		}
	}
	if (plain_http_creds(s, err, cap) != 0)
		return -1;
	/*
	 * Dead letters, unless a place was given: a file here, but in the
	 * Lambda function an index of the cluster (its /tmp is gone with the
	 * execution environment); Logstash has no index: /tmp it is.
	 */
	if (s->es.dead_letter_file != NULL && *s->es.dead_letter_file == '\0')
		s->es.dead_letter_file = NULL;
	if (s->es.dead_letter_file == NULL && !s->lambda)
		s->es.dead_letter_file = "elbship-dead-letter.ndjson";
	else if (s->es.dead_letter_file == NULL &&
	    s->es.dead_letter_index == NULL && s->logstash == NULL)
		s->es.dead_letter_index = "elbship-dead-letter";
	else if (s->es.dead_letter_file == NULL && s->es.dead_letter_index == NULL)
		s->es.dead_letter_file = "/tmp/elbship-dead-letter.ndjson";
	if (s->es.dead_letter_index != NULL) {
		char why[600];

		if (s->logstash != NULL) {
			snprintf(err, cap, "--dead-letter-index "
			    "(ELBSHIP_DEAD_LETTER_INDEX) is an index of the "
			    "cluster given with --es; with Logstash, dead letters "
			    "go to --dead-letter FILE");
			return -1;
		}
		if (es_dead_letter_index_check(s->es.dead_letter_index, why,
		    sizeof(why)) != 0) {
			snprintf(err, cap, "--dead-letter-index "
			    "(ELBSHIP_DEAD_LETTER_INDEX): %s", why);
			return -1;
		}
	}
	s->es.url = s->es_url;
	return 0;
}

static void
wrap(FILE *f, const char *text, int indent, int width)
{
	int col = indent;
	const char *p = text;

	while (*p != '\0') {
		const char *sp;
		int len;

		while (*p == ' ')
			p++;
		sp = strchr(p, ' ');
		len = sp ? (int)(sp - p) : (int)strlen(p);
		if (len == 0)
			break;
		if (col > indent && col + 1 + len > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", len, p);
		col += len;
		p += len;
	}
	fputc('\n', f);
}

void
settings_usage(FILE *f)
{
	size_t i;

	for (i = 0; i < NTABLE; i++) {
		const struct setting *t = &table[i];
		char left[80];

		if (t->type == T_HEAD) {
			fprintf(f, "\n%s:\n", t->flag);
			continue;
		}
		if (t->flag == NULL)
			snprintf(left, sizeof(left), "      %s=%s", t->env,
			    t->metavar);
		else if (t->shortopt)
			snprintf(left, sizeof(left), "  -%c, --%s%s%s", t->shortopt,
			    t->flag, t->metavar ? " " : "",
			    t->metavar ? t->metavar : "");
		else
			snprintf(left, sizeof(left), "      --%s%s%s", t->flag,
			    t->metavar ? " " : "", t->metavar ? t->metavar : "");
		fprintf(f, "%s\n", left);
		fprintf(f, "%*s", 10, "");
		wrap(f, t->help, 10, 78);
		if (t->env != NULL && t->flag != NULL)
			fprintf(f, "%*s[env %s]\n", 10, "", t->env);
	}
}

void
settings_env_table(FILE *f)
{
	size_t i;

	fprintf(f, "| Variable | Flag | Meaning |\n|---|---|---|\n");
	for (i = 0; i < NTABLE; i++) {
		const struct setting *t = &table[i];

		if (t->type == T_HEAD || t->env == NULL)
			continue;
		if (t->flag != NULL)
			fprintf(f, "| `%s` | `--%s` | %s |\n", t->env, t->flag,
			    t->help);
		else
			fprintf(f, "| `%s` | | %s |\n", t->env, t->help);
	}
	fprintf(f, "| `ELBSHIP_ES_PASSWORD` | | basic authentication password "
	    "(secret: environment or --es-password-file only) |\n");
	fprintf(f, "| `ELBSHIP_ES_API_KEY` | | API key, the base64 `encoded` "
	    "value (secret: environment or --es-api-key-file only) |\n");
}

int
settings_need_aws(const struct settings *s)
{
	return s->es_sigv4 != NULL || s->es_password_secret != NULL ||
	    s->es_api_key_secret != NULL;
}

/* Wipe and free secret ${i} if held. */
static void
secret_forget(struct settings *s, int i)
{
	if (s->secret_mem[i] != NULL) {
		explicit_bzero(s->secret_mem[i], strlen(s->secret_mem[i]));
		free(s->secret_mem[i]);
		s->secret_mem[i] = NULL;
	}
}

int
settings_fetch_secrets(struct settings *s, const char *region,
    const struct httpsign_creds *creds, char *err, size_t cap)
{
	char *v;

	if (s->es_password_secret != NULL) {
		if (aws_secret_fetch(s->es_password_secret, region, creds, &v, err,
		    cap) != 0)
			return -1;
		secret_forget(s, 0);
		s->secret_mem[0] = v;
		s->es.password = v;
	}
	if (s->es_api_key_secret != NULL) {
		if (aws_secret_fetch(s->es_api_key_secret, region, creds, &v, err,
		    cap) != 0)
			return -1;
		secret_forget(s, 1);
		s->secret_mem[1] = v;
		s->es.api_key = v;
	}
	return 0;
}

void
settings_free(struct settings *s)
{
	size_t i;

	for (i = 0; i < s->ecs.nlabels; i++)
		free(s->label_mem[i]);
	for (i = 0; i < 2; i++)
		secret_forget(s, (int)i);
}
