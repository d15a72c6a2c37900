/*
 * settings.h: every setting of elbship, in one table.
 *
 * The same table (after fluent-bit's config_map) drives the command line
 * (`--batch-docs 5000`), the environment (`ELBSHIP_BATCH_DOCS=5000`, which
 * is how the Lambda function is configured), the help text and the
 * validation messages, so the CLI and the Lambda cannot drift apart.
 * Flags win over the environment.  Secrets (passwords, API keys) are never
 * flags, since flags show in `ps`: they come from an environment variable
 * or from a file named by a flag.
 */
#ifndef ELBSHIP_SETTINGS_H
#define ELBSHIP_SETTINGS_H

#include <stdio.h>

#include "core/pipeline.h"
#include "encode/ecs.h"
#include "sink/es.h"

#define SETTINGS_MAX_LABELS 64

enum out_format { OUT_NDJSON, OUT_BULK };

struct settings {
	/* documents */
	struct ecs_opts ecs;
	struct ecs_label labels[SETTINGS_MAX_LABELS];
	char *label_mem[SETTINGS_MAX_LABELS];
	const char *name;		/* file name for stdin */
	/* reading */
	struct pipeline_opts pipe;
	int strict;
	/* local output */
	const char *output;
	int format;			/* enum out_format */
	int quiet;
	/* Elasticsearch / OpenSearch */
	const char *es_url;
	struct es_config es;
	const char *es_password_file;
	const char *es_api_key_file;
	const char *es_sigv4;		/* "es" or "aoss" */
	const char *es_password_secret;	/* Secrets Manager / SSM reference */
	const char *es_api_key_secret;
	const char *region;
	int allow_plain_http_creds;	/* credentials over http:// anyway */
	int enrich;			/* setup: the enrichment pipeline */
	char *secret_mem[2];		/* secrets read from files */
	/* Logstash */
	const char *logstash;
	size_t beats_window;		/* beats: events per window */
	int beats_compression;		/* beats: zlib level, 0 none */
	/* S3 sources */
	const char *endpoint;		/* S3-compatible endpoint URL */
	const char *since, *until;	/* by the interval in ELB file names */
	const char *lb;			/* load balancer name filter */
	int concurrency;		/* S3 objects at once */
	unsigned s3_retries;		/* tries after the first per request */
	long s3_timeout_ms;		/* connect, and stall, limit */
	const char *state;		/* resume file */
	int progress;			/* -1 auto (a terminal), 0 off, 1 on */
	/* Lambda function */
	int lambda;			/* set before settings_finish() */
	long deadline_margin_ms;	/* stop this long before the deadline */
	const char *log_level;		/* debug, info, warn, error */
	const char *metrics_namespace;	/* CloudWatch EMF namespace, "" = off */
};

/**
 * settings_init(s): defaults for everything (documented in --help).
 */
void settings_init(struct settings *s);

/**
 * settings_env(s, err, cap): apply the ELBSHIP_* environment variables.
 * Returns 0, or -1 with one line naming the variable and the problem.
 */
int settings_env(struct settings *s, char *err, size_t cap);

/**
 * settings_args(s, argc, argv, first, err, cap): apply command line options
 * from argv[1]; on return *${first} is the index of the first operand.
 * Returns 0, 1 if --help was given, or -1 with one line in ${err} naming
 * the option and the problem.
 */
int settings_args(struct settings *s, int argc, char **argv, int *first,
    char *err, size_t cap);

/**
 * settings_finish(s, err, cap): read secret files, check combinations.
 * Returns 0, or -1 with a message.
 */
int settings_finish(struct settings *s, char *err, size_t cap);

struct httpsign_creds;

/**
 * settings_fetch_secrets(s, region, creds, err, cap): read the password or
 * API key from Secrets Manager / SSM when given by reference
 * (ELBSHIP_ES_PASSWORD_SECRET, ELBSHIP_ES_API_KEY_SECRET).  0 (nothing to
 * do, or done), or -1 with a message.
 */
int settings_fetch_secrets(struct settings *s, const char *region,
    const struct httpsign_creds *creds, char *err, size_t cap);

/** settings_need_aws(s): 1 if the settings need AWS credentials. */
int settings_need_aws(const struct settings *s);

/**
 * settings_usage(f): print the option list (flags, environment variables,
 * defaults) to ${f}.
 */
void settings_usage(FILE *f);

/**
 * settings_env_table(f): print the environment variables as a Markdown
 * table (for docs/configuration.md).
 */
void settings_env_table(FILE *f);

/** settings_free(s): free what the settings own. */
void settings_free(struct settings *s);

#endif
