/*
 * lshttp.h: the Logstash http input sink (--logstash http(s)://...).
 *
 * Each batch is POSTed to the URL as a JSON array of documents (one event
 * each; the http input's json codec splits arrays), gzip-compressed by
 * default.  The input answers for the whole request: 200 means every
 * document of it was accepted (SINK_OK, "indexed"); 429 and 5xx, timeouts
 * and broken connections are retried with backoff; 413 splits; 401/403
 * and any other answer (a wrong URL) fail the sink.  There are no
 * per-document answers, so nothing is ever a duplicate, and dead letters
 * (a single document too large) go to the dead-letter file only.
 *
 * The engine (batches, retries, in-flight bound, memory bound, deadline,
 * stop) is httpq.h's; see es.h for the accounting words.
 *
 * Protocol: https://www.elastic.co/guide/en/logstash/current/plugins-inputs-http.html
 */
#ifndef ELBSHIP_LSHTTP_H
#define ELBSHIP_LSHTTP_H

#include <stddef.h>

#include "sink/es.h"
#include "sink/sink.h"

/**
 * lshttp_new(c, err, cap): a sink POSTing to ${c}->url (any path: the
 * input takes them all), with ${c}'s batch, retry, authentication, TLS
 * and dead-letter file settings (es_config_defaults() for the rest).
 * ${c} is borrowed and must outlive the sink.  NULL with a message in
 * ${err} if the configuration is unusable (a dead-letter index among
 * them: Logstash has none).
 */
struct sink *lshttp_new(const struct es_config *c, char *err, size_t cap);

#endif
