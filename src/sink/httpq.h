/*
 * httpq.h: the HTTP batch engine under the Elasticsearch (_bulk) and
 * Logstash http sinks: documents gathered into batches, each batch sent
 * as one POST, every document settled on the receiver's word.
 *
 * The engine does everything but the protocol: batches of items (tally,
 * id, original line, attempts, time of the first send), libcurl's multi
 * interface (up to max_inflight requests at once on keep-alive
 * connections), a compressor thread that gzips each full batch while the
 * caller goes on encoding the next, retries with exponential backoff and
 * jitter (a waiting list ordered by time), a 413 split in two (halves are
 * not retries: they use up no attempts), dead letters to a file, one lock
 * for put()/sync()/reset() from any thread, the deadline and the stop
 * flag of struct sink, and a bound on the bytes it holds.
 *
 * A protocol (es.c, lshttp.c) is a table of functions, after curl's
 * backend tables: how a document becomes bytes of a request body, what
 * is sent for a batch, where, and what an answer means for its items,
 * settled through the httpq_* helpers below.  The protocol's functions
 * run under the engine's lock (frame() in the compressor thread, touching
 * nothing but its batch).
 *
 * Whole-request answers (httpq_request_failed()): 429, 5xx, 408, timeouts
 * and broken connections are retried; 413 splits; 401 and 403 are fatal
 * (the credentials); any other answer (404, 405, 407, 400 "no handler
 * found", a redirect, a body that is not the protocol's) is fatal too: the
 * URL is not the receiver's, a configuration error.  Fatal: nothing more
 * is sent, everything not settled is undelivered, put() and sync() fail
 * until reset().
 *
 * Compression: each full batch is gzipped by the compressor thread, or,
 * for a protocol that allows it (parallel()), each block of documents is
 * compressed by the pipeline's threads before put() and a request is the
 * blocks' fragments joined (no copy of the documents, no second pass).
 *
 * Memory: the bytes of the batches held (open, being compressed, in
 * flight, waiting for a retry, dead letters queued), bodies and original
 * lines, stay under (max_inflight + 2) x batch_bytes: put() drives the
 * transfers, and so holds back reading, while above it.
 */
#ifndef ELBSHIP_HTTPQ_H
#define ELBSHIP_HTTPQ_H

#include <stddef.h>
#include <stdint.h>

#include "sink/es.h"
#include "sink/sink.h"
#include "util/buf.h"
#include "util/slice.h"

struct httpq;

/* One document of a batch. */
struct httpq_item {
	size_t off, len;	/* its bytes in body (e.g. action + document) */
	size_t doc;		/* the document's start, relative to off */
	size_t line, line_len;	/* its original line in batch->lines */
	unsigned attempts;	/* sends so far (a split's re-send not counted) */
	int64_t first_ms;	/* time of the first send */
	struct sink_tally *tally;	/* whose document it is */
	char id[DOCID_MAX];
	uint8_t dl;		/* a dead-letter record, not a document */
};

/* A batch: what one request carries.  The engine owns it. */
struct httpq_batch {
	struct buf body;	/* the items' bytes, as the protocol wrote them */
	struct buf lines;	/* original log lines */
	struct httpq_item *items;
	size_t n, cap;
	struct buf resp;	/* the answer's body, once answered */
	/*
	 * A batch made of prepared fragments (httpq.c, "Fragments"): body is
	 * empty and the request exists only compressed, in sent; items' off
	 * count in the uncompressed bytes (raw of them, CRC-32 crc).  The
	 * engine makes body from sent before judge() whenever the answer is
	 * not all_stored(): judge() and what it calls see a body.
	 */
	int zfrag;
	uint64_t raw;
	uint32_t crc;
	/* the engine's own */
	size_t held;		/* body + lines bytes counted in the bound */
	int prepared;		/* sent holds what start() sends */
	int fresh;		/* went through the compressor, not started */
	int64_t not_before;	/* retry batches: not before this time */
	struct httpq_batch *next;
	void *easy;		/* CURL *, while in flight */
	struct curl_slist *hdrs;
	struct buf arr;		/* frame() scratch */
	struct buf sent;	/* the bytes sent (framed, compressed) */
	const char *out;	/* what is sent: body, arr or sent */
	size_t nout;
	char curlerr[256];
};

struct httpq_proto {
	const char *content_type;	/* "Content-Type: ..." header line */
	/* The URL requests go to (owned by the protocol). */
	const char *(*url)(void *arg);
	/* The most bytes write() adds for ${d} (may update the protocol's
	 * state: under the lock). */
	size_t (*need)(void *arg, const struct docbatch *db,
	    const struct docref *d);
	/* Write ${d}'s bytes at ${o} (room: need()); returns the end, and
	 * sets *doc to where the document itself starts, from ${o}. */
	char *(*write)(void *arg, char *o, const struct docbatch *db,
	    const struct docref *d, size_t *doc);
	/*
	 * The bytes to send for ${b} (before compression): b->body, or a
	 * framing of it made in ${scratch}.  Runs in the compressor thread:
	 * touches nothing but ${b} and ${scratch}.  NULL if a cap is reached.
	 */
	const char *(*frame)(const struct httpq_batch *b, struct buf *scratch,
	    size_t *n);
	/*
	 * An HTTP answer ${status} (body in b->resp) to ${b}: settle every
	 * item through the helpers below (httpq_request_failed() for the
	 * answers that are about the whole request).
	 */
	void (*judge)(void *arg, struct httpq *q, struct httpq_batch *b,
	    long status);
	/*
	 * Item ${i} of ${b} is refused for good: take it as a dead letter of
	 * one's own (return 1; e.g. into an index), or return 0 and the
	 * engine writes it to the dead-letter file.  May be NULL.
	 */
	int (*dead_letter)(void *arg, struct httpq *q,
	    const struct httpq_batch *b, size_t i, long status,
	    const char *type, const char *reason);
	/* The target named in dead-letter records ("index"), or NULL. */
	int (*target)(void *arg, const struct httpq_batch *b,
	    const struct httpq_item *it, struct slice *out);
	/*
	 * Before the first request (and again after reset()), a GET of
	 * check_url(): check() reads the answer; -1 with a message in ${why}
	 * if it is not the receiver expected (the sink is then failed).
	 * Either NULL: no check.
	 */
	const char *(*check_url)(void *arg);
	int (*check)(void *arg, long status, const struct buf *resp,
	    char *why, size_t cap);
	/* Free ${arg} (with the sink). */
	void (*release)(void *arg);
	/*
	 * Both or neither, for batches compressed by the pipeline's threads
	 * before put() (sink.h, prepare()).  parallel(): 1 if need() and
	 * write() change nothing now and may run in any thread at once, and
	 * frame() sends the body as it is.  all_stored(): 1 if the answer
	 * ${status} with body ${resp} settles every item as stored, reading
	 * nothing but the answer.
	 */
	int (*parallel)(void *arg);
	int (*all_stored)(long status, const struct buf *resp);
	/*
	 * With parallel: the bytes frame() needs before each document (the
	 * sink's doc_gap), and frame_doc() writes exactly ${n} of them at
	 * ${o}, ending where document ${d} starts (what write() puts before
	 * it, padded as the protocol allows).  Both or neither.
	 */
	size_t (*gap)(void *arg);
	void (*frame_doc)(void *arg, char *o, size_t n, const struct docref *d);
};

/**
 * httpq_new(c, info, p, arg, err, cap): a sink speaking ${p} with ${arg}
 * as its state, configured by ${c} (the batch, in-flight, retry, timeout,
 * authentication, TLS, dead-letter file and message settings; borrowed,
 * must outlive the sink).  Owns ${arg} from the call on (released on
 * failure too).  NULL with a message in ${err} if ${c} is unusable.
 */
struct sink *httpq_new(const struct es_config *c, const struct sink_info *info,
    const struct httpq_proto *p, void *arg, char *err, size_t cap);

/* ---- settling items: for judge() and dead_letter(), under the lock ---- */

/** httpq_ok(q, b, i): item ${i} of ${b} is stored (a dead letter: kept). */
void httpq_ok(struct httpq *q, const struct httpq_batch *b, size_t i);

/** httpq_ok_all(q, b): every item of ${b} is stored. */
void httpq_ok_all(struct httpq *q, const struct httpq_batch *b);

/** httpq_duplicate(q, b, i): item ${i} was there already (409). */
void httpq_duplicate(struct httpq *q, const struct httpq_batch *b, size_t i);

/**
 * httpq_retry(q, b, i, why): send item ${i} again after a backoff, or
 * settle it undelivered (${why}) if its budget is spent.  The retries of
 * one answer go out together as one batch, at httpq_retry_end() (the
 * engine calls it after judge()).
 */
void httpq_retry(struct httpq *q, const struct httpq_batch *b, size_t i,
    const char *why);

/** httpq_retry_end(q): schedule the retries gathered since the last. */
void httpq_retry_end(struct httpq *q);

/**
 * httpq_retry_all(q, b, why): httpq_retry() for every item, and end; in
 * judge(), a batch whose every item may go again waits as it is.
 */
void httpq_retry_all(struct httpq *q, struct httpq_batch *b,
    const char *why);

/**
 * httpq_dead_letter(q, b, i, status, type, reason): item ${i} is refused
 * for good: the protocol's dead_letter(), else the dead-letter file.
 */
void httpq_dead_letter(struct httpq *q, const struct httpq_batch *b, size_t i,
    long status, const char *type, const char *reason);

/** httpq_undelivered(q, b, i, why): item ${i} is undelivered. */
void httpq_undelivered(struct httpq *q, const struct httpq_batch *b, size_t i,
    const char *why);

/**
 * httpq_fatal(q, b, msg): the sink fails (until reset()): every item of
 * ${b} (may be NULL) and everything not settled is undelivered, with ${msg}
 * as the cause.
 */
void httpq_fatal(struct httpq *q, const struct httpq_batch *b,
    const char *msg);

/**
 * httpq_request_failed(q, b, status): the policy for a whole-request
 * answer ${status} that is not a success (see the top of this file).
 */
void httpq_request_failed(struct httpq *q, struct httpq_batch *b,
    long status);

/**
 * httpq_error_reason(resp, out, cap): "type: reason" from an Elasticsearch
 * error body, its "error" string, or the body's start (HTML's <title>).
 */
void httpq_error_reason(const struct buf *resp, char *out, size_t cap);

/**
 * httpq_url_shown(q): the request URL without its query, for messages.
 */
const char *httpq_url_shown(const struct httpq *q);

/* ---- dead letters: records, and batches of them (for dead_letter()) ---- */

/** httpq_dl_need(it, type, reason): the most bytes httpq_dl_record() writes. */
size_t httpq_dl_need(const struct httpq_item *it, const char *type,
    const char *reason);

/**
 * httpq_dl_record(q, o, b, it, status, type, reason, as_string): write at
 * ${o} a dead-letter record (time, id, target, status, error, original
 * line, document; the document as a JSON string if ${as_string}, and none
 * then for a 413) ending in '\n'; returns its end.
 */
char *httpq_dl_record(struct httpq *q, char *o, const struct httpq_batch *b,
    const struct httpq_item *it, long status, const char *type,
    const char *reason, int as_string);

/**
 * httpq_dl_batch(q, need): the batch dead letters of the current answer
 * go into, with room for ${need} more bytes (a full one is queued, ahead
 * of the retries, and a new one begun).  Queued after the answer.
 */
struct httpq_batch *httpq_dl_batch(struct httpq *q, size_t need);

/**
 * httpq_add(q, b, off, doc, bf, from, dl): record the bytes written at
 * b->body from ${off} to its end (the document itself at ${off} + ${doc})
 * as a new item of ${b}, for the document of item ${from} of ${bf} (its
 * id, line and tally; no attempts yet); a dead-letter record if ${dl}.
 * 0, or -1 if a cap is reached (the bytes are then dropped).
 */
int httpq_add(struct httpq *q, struct httpq_batch *b, size_t off, size_t doc,
    const struct httpq_batch *bf, const struct httpq_item *from, int dl);

#endif
