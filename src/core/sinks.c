/*
 * sinks.c: the sink registry.  See sinks.h.
 */
#include <stdio.h>
#include <string.h>

#include "core/sinks.h"
#include "sink/lshttp.h"
#include "sink/ndjson.h"

/* The CLI's version string (src/cli/version.c); absent in unit tests. */
extern const char elbship_version[] __attribute__((weak));

struct backend {
	const char *name;
	/* Do the settings ask for this backend? */
	int (*wants)(const struct settings *st);
	struct sink *(*open)(struct settings *st, struct sink_env *env,
	    char *err, size_t cap);
};

static int
is_tcp_url(const char *u)
{
	return u != NULL && (strncmp(u, "tcp://", 6) == 0 ||
	    strncmp(u, "tls://", 6) == 0);
}

/*
 * A connection sink's settings: the Logstash URL, and the TLS, timeout and
 * retry settings the HTTP sinks take too.
 */
static void
conn_settings(struct sink_conn *c, const struct settings *st)
{
	memset(c, 0, sizeof(*c));
	c->url = st->logstash;
	c->ca_file = st->es.ca_file;
	c->cert_file = st->es.cert_file;
	c->key_file = st->es.key_file;
	c->insecure = st->es.insecure;
	c->timeout_ms = st->es.timeout_ms;
	c->retry_attempts = st->es.retry_attempts;
	c->retry_time_ms = st->es.retry_time_ms;
	c->retry_initial_ms = st->es.retry_initial_ms;
}

static int
wants_lstcp(const struct settings *st)
{
	return is_tcp_url(st->logstash);
}

static struct sink *
open_lstcp(struct settings *st, struct sink_env *env, char *err, size_t cap)
{
	conn_settings(&env->tcp, st);
	return lstcp_new(&env->tcp, err, cap);
}

static int
wants_beats(const struct settings *st)
{
	return beats_url(st->logstash);
}

static struct sink *
open_beats(struct settings *st, struct sink_env *env, char *err, size_t cap)
{
	struct beats_config *c = &env->beats;

	memset(c, 0, sizeof(*c));
	conn_settings(&c->conn, st);
	c->window = st->beats_window;
	c->compression = st->beats_compression;
	c->version = elbship_version != NULL ? elbship_version : "unknown";
	return beats_new(c, err, cap);
}

static int
wants_lshttp(const struct settings *st)
{
	return st->logstash != NULL && !is_tcp_url(st->logstash) &&
	    !beats_url(st->logstash);
}

static struct sink *
open_lshttp(struct settings *st, struct sink_env *env, char *err, size_t cap)
{
	(void)env;
	st->es.url = st->logstash;
	return lshttp_new(&st->es, err, cap);
}

static int
wants_es(const struct settings *st)
{
	return st->es_url != NULL;
}

static struct sink *
open_es(struct settings *st, struct sink_env *env, char *err, size_t cap)
{
	st->es.url = st->es_url;
	if (st->es_sigv4 != NULL) {
		struct httpsign_creds hc = { aws_provider_get, env->aws };

		if (env->region == NULL || env->aws == NULL) {
			snprintf(err, cap, "--es-aws-sigv4 needs an AWS region "
			    "(--region, AWS_REGION or the AWS CLI's config)");
			return NULL;
		}
		es_use_sigv4(&st->es, &env->sigv4, env->region, st->es_sigv4,
		    &hc);
	}
	return es_new(&st->es, err, cap);
}

static int
wants_local(const struct settings *st)
{
	(void)st;
	return 1;
}

static struct sink *
open_local(struct settings *st, struct sink_env *env, char *err, size_t cap)
{
	(void)err;
	(void)cap;
	return ndjson_new(env->fd, st->format == OUT_BULK ? NDJSON_BULK :
	    NDJSON_DOCS, env->name);
}

/* In order: the first that wants the settings is opened. */
static const struct backend backends[] = {
	{ "logstash-tcp", wants_lstcp, open_lstcp },
	{ "logstash-beats", wants_beats, open_beats },
	{ "logstash-http", wants_lshttp, open_lshttp },
	{ "elasticsearch", wants_es, open_es },
	{ "local", wants_local, open_local },
};

static const struct backend *
choose(const struct settings *st)
{
	size_t i;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (backends[i].wants(st))
			return &backends[i];
	return &backends[sizeof(backends) / sizeof(backends[0]) - 1];
}

const char *
sinks_kind(const struct settings *st)
{
	return choose(st)->name;
}

struct sink *
sinks_open(struct settings *st, struct sink_env *env, char *err, size_t cap)
{
	return choose(st)->open(st, env, err, cap);
}
