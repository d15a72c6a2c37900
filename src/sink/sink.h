/*
 * sink.h: where documents go.
 *
 * A sink is a table of operations (after OpenSMTPD's compress_backend and
 * curl's vtls).  The pipeline hands it documents in batches, in input
 * order: one batch per block of input lines, its documents laid out one
 * per line in one buffer, so a sink that writes NDJSON writes the buffer
 * as it is, and a sink that sends bulk requests walks the document table.
 * A sink reports in its counters what the receiver confirmed.
 */
#ifndef ELBSHIP_SINK_H
#define ELBSHIP_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "encode/docid.h"
#include "parse/lbname.h"

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

/* Documents from one block of input, borrowed for the duration of put(). */
struct docbatch {
	const char *json;	/* documents, each followed by '\n' */
	size_t json_len;
	const struct docref *docs;
	size_t ndocs;
	const char *lines;	/* the input block the lines are in */
	const char *errs;	/* NUL-terminated error messages */
};

struct sink;

struct sink_ops {
	const char *name;
	/* Take a batch (may hold it until flush); 0, or -1 on error. */
	int (*put)(struct sink *s, const struct docbatch *b);
	/* Send everything held; 0, or -1 on error. */
	int (*flush)(struct sink *s);
	/* Free the sink; use sink_free(), which accepts NULL. */
	void (*free)(struct sink *s);
	/* A description of the last error (owned by the sink). */
	const char *(*error)(const struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	uint64_t docs;		/* documents accepted */
	uint64_t bytes_out;	/* bytes written or sent */
};

static inline void
sink_free(struct sink *s)
{
	if (s != NULL)
		s->ops->free(s);
}

#endif
