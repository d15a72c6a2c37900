/*
 * sink.h: where documents go, and the delivery contract every sink keeps.
 *
 * A sink is a table of operations (after OpenSMTPD's compress_backend and
 * curl's vtls).  The pipeline hands it documents in batches, in input
 * order: one batch per block of input lines, its documents laid out one
 * per line in one buffer, so a sink that writes NDJSON writes the buffer
 * as it is, and a sink that sends bulk requests walks the document table.
 *
 * The contract (after beats' output-agnostic ACK tracker and Vector's batch
 * notifier): each batch names the tally of the input it came from (a file,
 * an S3 object).  Every document a sink takes ends in exactly one of the
 * four outcomes below, settled into that tally through sink_settle(), and
 * only on the receiver's word (or, for a sink without acknowledgements,
 * what it can see: see its header).  Whoever holds a sink never asks what
 * kind it is: it reads its tallies, the sink's totals and sink_info.
 *
 * Threads: put(), sync() and reset() may be called from several threads at
 * once (the object runner shares one sink among its workers); each sink
 * serialises them itself.  A batch is taken whole: documents of different
 * inputs never interleave within a document.  A tally is written only by
 * the sink, under its own lock; read it after sync() returned for it.
 */
#ifndef ELBSHIP_SINK_H
#define ELBSHIP_SINK_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "encode/docid.h"
#include "parse/lbname.h"
#include "util/buf.h"

/* What became of a document.  Exactly one per document taken. */
enum sink_outcome {
	SINK_OK,		/* indexed / accepted / sent: the receiver has it */
	SINK_DUPLICATE,		/* already there (a retry or a re-run): success */
	SINK_DEAD_LETTERED,	/* refused for good; recorded with line and reason */
	SINK_UNDELIVERED,	/* none of these: the run or the object fails */
	SINK_NOUTCOMES
};

/*
 * The documents of one input and what became of them.  Zero it (or use
 * sink_tally_init()) before its first batch.
 */
struct sink_tally {
	uint64_t taken;			/* documents handed to the sink */
	uint64_t bytes;			/* their bytes (JSON, uncompressed) */
	uint64_t n[SINK_NOUTCOMES];	/* settled, by outcome */
	char cause[384];		/* the first undelivered document's cause */
};

/* A sink's totals over its life (all tallies), for summaries and metrics. */
struct sink_totals {
	uint64_t n[SINK_NOUTCOMES];
	uint64_t requests;		/* requests sent (or batches written) */
	uint64_t retried;		/* document re-sends */
	uint64_t connects;		/* connections made (connection sinks) */
	uint64_t resent;		/* documents sent again after a break */
	uint64_t bytes_sent;		/* bytes written or sent, as sent */
	uint64_t bytes_raw;		/* the same before compression */
	uint64_t auth_rejected;		/* answers refusing the credentials (401) */
};

/*
 * Where a connection sink (Logstash tcp, Logstash beats) connects, and how
 * patiently: the settings both take from the command line alike.
 */
struct sink_conn {
	const char *url;		/* scheme://host:port */
	const char *ca_file, *cert_file, *key_file;
	int insecure;			/* do not verify the peer's certificate */
	long timeout_ms;		/* connect, a send, a wait for an answer */
	unsigned retry_attempts;	/* connections without progress */
	long retry_time_ms;
	long retry_initial_ms;		/* first backoff (util/backoff.h) */
};

/* One document of a batch. */
struct docref {
	size_t json, json_len;	/* the document: batch->json + json */
	size_t line, line_len;	/* its input line: batch->lines + line */
	uint64_t offset;	/* of the line in the decompressed stream */
	size_t err;		/* error.message at batch->errs + err */
	char id[DOCID_MAX];	/* deterministic id, NUL-terminated */
	uint8_t idlen;
	uint8_t type;		/* enum lbtype */
	uint8_t malformed;	/* an error document */
};

/*
 * What a sink's prepare() made of a batch, for its put(): the caller keeps
 * one per batch in flight (a pipeline slot), reuses its buffers from batch
 * to batch and frees them with sink_prep_free().  Zero it before first use.
 */
struct sink_prep {
	int ok;			/* put() may use it (prepare() sets it) */
	struct buf data;	/* the sink's bytes (e.g. the batch compressed) */
	uint64_t raw;		/* e.g. the bytes before compression */
	uint32_t crc;		/* e.g. their CRC-32 */
};

/* A worker thread's scratch space for prepare(): the caller keeps one per
 * thread and frees it with sink_scratch_free().  Zero it before first use. */
struct sink_scratch {
	struct buf work;
};

/* Documents from one block of input, borrowed for the duration of put(). */
struct docbatch {
	/*
	 * The documents, each followed by '\n' and preceded by the sink's
	 * doc_gap bytes (struct sink), in input order with nothing else
	 * between them.  Only prepare() writes here, and only in the gaps.
	 */
	char *json;
	size_t json_len;
	const struct docref *docs;
	size_t ndocs;
	const char *lines;	/* the input block the lines are in */
	const char *errs;	/* NUL-terminated error messages */
	struct sink_tally *tally;	/* whose documents these are */
	const struct sink_prep *prep;	/* prepare()'s work on it, or NULL */
};

/* What a sink is, for messages and summaries (static, owned by the sink). */
struct sink_info {
	const char *name;	/* "elasticsearch", "logstash", "stdout", a path */
	const char *via;	/* "tcp, no acknowledgements", or NULL */
	const char *ok_word;	/* what SINK_OK is called: "indexed", "sent", ... */
	int remote;		/* it delivers somewhere (a summary of outcomes) */
	int acked;		/* the receiver confirms each document */
};

struct sink;

struct sink_ops {
	/*
	 * Take a batch: its documents join b->tally (taken) and are settled
	 * into it sooner or later.  0, or -1 if the sink failed for good (a
	 * fatal error: the rest of the input would fail the same way); the
	 * documents of a failed put are settled (undelivered) all the same.
	 */
	int (*put)(struct sink *s, const struct docbatch *b);
	/*
	 * Send what is held and wait until every document of ${t} (NULL:
	 * of every tally) is settled, bounded by the sink's budget and
	 * deadline; what is left then is settled undelivered.  0, or -1 if
	 * the sink failed or some documents of ${t} are undelivered.
	 */
	int (*sync)(struct sink *s, struct sink_tally *t);
	/*
	 * Forget a fatal error (a 401/403 stays until then) and start the
	 * per-run message budget again: a warm Lambda's next invocation.
	 * Only between a sync(NULL) and the next put().  May be NULL.
	 */
	void (*reset)(struct sink *s);
	/*
	 * The part of a batch's work that needs nothing of the sink's
	 * changing state, done before put() by the caller's worker threads,
	 * several at once and without the sink's lock (e.g. a batch's
	 * request bytes, compressed).  Into ${p}, with ${ws} as scratch;
	 * put() then sees ${p} as b->prep.  Sets p->ok, or leaves it 0 when
	 * this batch is not for it (put() then does all the work).  Must
	 * not settle, count or fail anything.  May be NULL.
	 */
	void (*prepare)(struct sink *s, const struct docbatch *b,
	    struct sink_prep *p, struct sink_scratch *ws);
	/* Free the sink; use sink_free(), which accepts NULL. */
	void (*free)(struct sink *s);
	/* The cause of the last failure (owned by the sink), or "". */
	const char *(*error)(const struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	const struct sink_info *info;
	struct sink_totals total;	/* under the sink's lock */
	/*
	 * CLOCK_MONOTONIC ms by which sync() returns, whatever is left
	 * (undelivered then); no request or retry runs past it.  0: none.
	 * Set by the owner between runs (a Lambda invocation's deadline).
	 */
	int64_t deadline_ms;
	/*
	 * When set (SIGINT, SIGTERM), sync() stops waiting: requests in
	 * flight are abandoned and what is left is settled undelivered.
	 * NULL: never.  Set by the owner before the first put().
	 */
	volatile sig_atomic_t *stop;
	/*
	 * Bytes the caller leaves free before each document of a batch, for
	 * the sink's prepare() to write its framing of the document into
	 * (an action line), so that framing and documents lie in one run
	 * of memory without a copy.  Set by the sink when made; 0: none.
	 */
	size_t doc_gap;
};

/**
 * sink_settle(s, t, o, n, cause): settle ${n} documents of tally ${t} as
 * ${o}; ${cause} (for SINK_UNDELIVERED) is kept in the tally if it is the
 * first.  For sinks, under their lock.
 */
void sink_settle(struct sink *s, struct sink_tally *t, enum sink_outcome o,
    uint64_t n, const char *cause);

/** sink_tally_init(t): an empty tally. */
void sink_tally_init(struct sink_tally *t);

/** sink_tally_settled(t): documents of ${t} in one of the four outcomes. */
uint64_t sink_tally_settled(const struct sink_tally *t);

/**
 * sink_tally_add(sum, t): add ${t}'s counts to ${sum} (the first cause
 * kept).
 */
void sink_tally_add(struct sink_tally *sum, const struct sink_tally *t);

/**
 * sink_tally_unsent(t, why): documents of ${t} read but never taken by
 * the sink (the run stopped at a sink failure) become undelivered, so that
 * ${docs} = the four outcomes.  Returns how many.
 */
uint64_t sink_tally_unsent(struct sink_tally *t, uint64_t docs,
    const char *why);

/**
 * sink_conn_url(url, plain, tls, kind, note, err, cap): the URL libcurl
 * connects to (http://HOST:PORT, https:// for TLS) for a connection
 * sink's ${url}, which must be ${plain}://HOST:PORT or ${tls}://HOST:PORT;
 * malloc'd (the caller's).  NULL with a message naming "a Logstash
 * ${kind} URL" (the schemes, ${note} after the TLS one) in ${err}.
 */
char *sink_conn_url(const char *url, const char *plain, const char *tls,
    const char *kind, const char *note, char *err, size_t cap);

/** sink_prep_free(p): free ${p}'s buffers (it may be used again). */
void sink_prep_free(struct sink_prep *p);

/** sink_scratch_free(ws): free ${ws}'s buffers (it may be used again). */
void sink_scratch_free(struct sink_scratch *ws);

/** sink_prepare(s, b, p, ws): ${s}'s prepare(), if it has one. */
static inline void
sink_prepare(struct sink *s, const struct docbatch *b, struct sink_prep *p,
    struct sink_scratch *ws)
{
	p->ok = 0;
	if (s->ops->prepare != NULL)
		s->ops->prepare(s, b, p, ws);
}

static inline int
sink_put(struct sink *s, const struct docbatch *b)
{
	return s->ops->put(s, b);
}

static inline int
sink_sync(struct sink *s, struct sink_tally *t)
{
	return s->ops->sync(s, t);
}

static inline void
sink_reset(struct sink *s)
{
	if (s->ops->reset != NULL)
		s->ops->reset(s);
}

static inline const char *
sink_error(const struct sink *s)
{
	return s->ops->error(s);
}

static inline void
sink_free(struct sink *s)
{
	if (s != NULL)
		s->ops->free(s);
}

#endif
