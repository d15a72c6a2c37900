/*
 * beats.h: a sink for Logstash's `beats` input, over the Lumberjack v2
 * protocol Filebeat speaks (src/sink/lumberjack.h): acknowledged delivery
 * to the input a Logstash user already has listening (port 5044).
 *
 * What is sent: each document as one JSON data frame, the document with
 * Filebeat's `@metadata` added in front, {"beat":"elbship","type":"_doc",
 * "version":VERSION,"_id":ID} (ID: the document's deterministic event.id),
 * so `index => "%{[@metadata][beat]}-..."` and `document_id =>
 * "%{[@metadata][_id]}"` work as they do for Filebeat.  Documents go in
 * windows of `window` events (a window frame, then the data frames,
 * zlib-compressed in one frame at `compression` 1-9, or plain at 0), at
 * most two windows in flight on one connection (Filebeat's pipelining).
 *
 * The guarantee: a document counts delivered (SINK_OK, "acknowledged")
 * only when Logstash's ACK names its sequence number or a later one of its
 * window (Logstash may acknowledge a window in parts; ACKs come in window
 * order).  An ACK naming no new sequence is a keep-alive: the beats input
 * sends ACK 0 while its pipeline is busy (ConnectionHandler.java, as
 * go-lumber's server does), and one repeating the sequence already
 * acknowledged is taken the same way; each one restarts the wait.  A wait longer than `timeout_ms` without any ACK, a connection
 * that breaks or closes, or a protocol error ends the connection: the
 * documents not yet acknowledged go again, on a new connection, with
 * backoff (`retry_initial_ms` doubling up to 30 s, with jitter).  After
 * `retry_attempts` connections in a row without progress, or
 * `retry_time_ms` since the first of them, every held document counts
 * undelivered with the cause, and so does every document of later puts
 * until reset(): the sink failed.  The deadline and the stop flag settle
 * what is held undelivered at once.
 *
 * At least once: a window Logstash processed but whose ACK was lost (a
 * reset, a timeout) is sent again, and Logstash then has those events
 * twice.  elbship counts each document once (when it is acknowledged) and
 * the re-sends in the totals (`resent`, `retried`); with `document_id =>
 * "%{[@metadata][_id]}"` and `action => "create"` in Logstash's
 * elasticsearch output, Elasticsearch keeps one copy.
 */
#ifndef ELBSHIP_BEATS_H
#define ELBSHIP_BEATS_H

#include <stddef.h>

#include "sink/sink.h"

struct beats_config {
	struct sink_conn conn;		/* beats://host:port, beatss:// for TLS;
					 * timeout: connect, a send, an ACK */
	size_t window;			/* events per window (Filebeat: 2048) */
	int compression;		/* zlib level, 0: none (Filebeat: 3) */
	const char *version;		/* @metadata.version (elbship's) */
};

/**
 * beats_new(c, err, cap): a sink for ${c} (borrowed; must outlive the
 * sink).  Connects lazily.  NULL with a message if ${c} is unusable.
 */
struct sink *beats_new(const struct beats_config *c, char *err, size_t cap);

/**
 * beats_url(u): is ${u} a beats:// or beatss:// URL?  (For the registry.)
 */
int beats_url(const char *u);

#endif
