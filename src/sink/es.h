/*
 * es.h: the Elasticsearch / OpenSearch sink: _bulk requests with `create`
 * actions and elbship's deterministic ids, and exact per-document
 * accounting.
 *
 * Every document handed to the sink ends in exactly one of four counts:
 *
 *   indexed        the cluster answered 2xx for its item
 *   duplicate      409 on create: a document with its id is there already
 *                  (a retry or a re-run of the same file); success
 *   dead_lettered  the cluster can never take it (a 4xx other than 409 or
 *                  429: mapping and parse errors); written with its
 *                  original line, status and reason to the dead-letter
 *                  file (or index), and counted when that write succeeded
 *   undelivered    none of the above before the retry budget (attempts,
 *                  time, deadline) ran out, or after a fatal error
 *                  (HTTP 401 or 403 for a whole request): put() then
 *                  fails, and sync() settles what is held as undelivered;
 *                  the sink stays failed until reset()
 *
 * (SINK_OK, SINK_DUPLICATE, SINK_DEAD_LETTERED, SINK_UNDELIVERED in the
 * tally of each document's input: sink.h.)
 *
 * 429 and 5xx items, whole-request 429/5xx answers, timeouts and broken
 * connections are retried, only for the affected items, with exponential
 * backoff and jitter; a 413 splits the request in two.  Requests are
 * gzip-compressed by default, sent with a Content-Length on keep-alive
 * connections (libcurl's connection cache), at most max_inflight at a time
 * (the engine: httpq.h).
 *
 * A wrong URL fails loudly: before the first request the sink GETs the
 * cluster's root, which must answer as Elasticsearch and OpenSearch do
 * (JSON with version.number; a 403 is let through: a user may write
 * without the monitor privilege; skipped for OpenSearch Serverless, which
 * has no root endpoint); and a _bulk answer that is not about the
 * documents (404, 405, 407, a redirect, 400 "no handler found", a 200
 * that is not a _bulk answer) is fatal like 401/403: nothing is
 * dead-lettered, everything not settled is undelivered, and the cause
 * names the URL, the status and the reason.
 *
 * Protocol: https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-bulk
 */
#ifndef ELBSHIP_ES_H
#define ELBSHIP_ES_H

#include <stdint.h>

#include "aws/httpsign.h"
#include "sink/esindex.h"
#include "sink/sink.h"

struct curl_slist;

/*
 * Request signing (AWS SigV4): called for every request with the method,
 * full URL and the body exactly as sent; appends the headers to send.
 * Returns 0, or -1 with a message (never containing a secret) in err.
 */
struct es_signer {
	int (*sign)(void *arg, const char *method, const char *url,
	    const void *body, size_t n, int content_sha256,
	    struct curl_slist **headers, char *err, size_t errcap);
	void *arg;
	int content_sha256;	/* send x-amz-content-sha256 (aoss) */
};

/*
 * The configuration of the HTTP sinks: this one, and Logstash's http input
 * (lshttp.h), which reads the transport, batch, retry, authentication,
 * TLS, dead-letter file and message settings and ignores the rest.
 */
struct es_config {
	const char *url;		/* http(s)://host[:port][/prefix] */
	const char *index;		/* target; "{type}" -> alb, clb, nlb, albconn */
	const char *pipeline;		/* ingest pipeline, or NULL */
	size_t batch_docs;		/* documents per request */
	size_t batch_bytes;		/* uncompressed bytes per request */
	int compress;			/* gzip request bodies */
	int max_inflight;		/* requests at once */
	long timeout_ms;		/* per request */
	long connect_timeout_ms;
	unsigned retry_attempts;	/* sends per document, first included */
	long retry_time_ms;		/* per document, from its first send */
	long retry_initial_ms;		/* first backoff */
	long retry_max_ms;		/* backoff cap */
	/* authentication: at most one of these */
	const char *username;		/* basic */
	const char *password;
	const char *api_key;		/* "Authorization: ApiKey <api_key>" */
	const struct es_signer *signer;	/* AWS SigV4 */
	/* TLS */
	const char *ca_file;
	const char *cert_file;
	const char *key_file;
	int insecure;			/* do not verify the server certificate */
	/*
	 * Dead letters: to an index of the same cluster (records holding the
	 * document as a string; not for Logstash), else to a file (NDJSON),
	 * else nowhere (they count as undelivered).
	 */
	const char *dead_letter_index;
	const char *dead_letter_file;
	const char *user_agent;
	/*
	 * Called, if set, before the sink writes a message to stderr (the CLI
	 * takes its progress line off the screen); from the thread that
	 * called put() or flush().
	 */
	void (*before_message)(void *arg);
	void *before_message_arg;
};

/**
 * es_config_defaults(c): fill ${c} with the defaults (documented in
 * `elbship ship --help`): 5000 documents or 5 MB per request, gzip on,
 * 2 requests in flight, 60 s timeout, 10 attempts within 300 s.
 */
void es_config_defaults(struct es_config *c);

/**
 * es_new(c, err, errcap): a sink sending to the cluster ${c} describes.
 * ${c} and its strings are borrowed and must outlive the sink.  Returns
 * NULL with a message in ${err} if the configuration is unusable.
 */
struct sink *es_new(const struct es_config *c, char *err, size_t errcap);

/* What es_use_sigv4() needs kept alive as long as the sink. */
struct es_sigv4 {
	struct httpsign hs;
	struct es_signer signer;
};

/**
 * es_use_sigv4(c, sv, region, service, creds): sign ${c}'s requests with
 * AWS SigV4 for ${service} ("es": Amazon OpenSearch Service, "aoss":
 * OpenSearch Serverless, which also wants x-amz-content-sha256) in
 * ${region}.  ${sv} holds the state; it and the strings must outlive the
 * sink.
 */
void es_use_sigv4(struct es_config *c, struct es_sigv4 *sv, const char *region,
    const char *service, const struct httpsign_creds *creds);

/**
 * es_curl_common(easy, c, headers): set on the curl handle ${easy} what
 * every request to the cluster ${c} shares (util/curlx.h: timeouts, user
 * agent, CA bundle, client certificate, verification), compressed
 * answers, basic
 * authentication, CA bundle, client certificate, verification; and append
 * the API key header to *${headers}.  (`elbship setup` uses it too.)
 */
void es_curl_common(void *easy, const struct es_config *c,
    struct curl_slist **headers);

#endif
