/*
 * sink.h: where documents go.
 *
 * A sink is a table of operations (after OpenSMTPD's compress_backend and
 * curl's vtls): the pipeline asks it for room for one document, writes the
 * document there, then commits it.  Writing in place saves a copy of every
 * document on the hot path.  A sink decides when to send; it reports, in
 * its stats, what the receiver confirmed.
 */
#ifndef ELBSHIP_SINK_H
#define ELBSHIP_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "parse/lbname.h"

/* One document, as handed to commit(). */
struct doc {
	const char *id;		/* deterministic id (docid.h) */
	size_t idlen;
	const char *json;	/* the document, no newline */
	size_t n;
	const char *line;	/* the input line it came from */
	size_t linelen;
	uint64_t offset;	/* of the line in the decompressed stream */
	enum lbtype type;
	int malformed;
	const char *error;	/* error.message when malformed, else "" */
};

struct sink;

struct sink_ops {
	const char *name;
	/* Room for a document of at most ${max} bytes; NULL on error. */
	char *(*reserve)(struct sink *s, size_t max);
	/* The document now sits where reserve() pointed; 0 or -1 on error. */
	int (*commit)(struct sink *s, const struct doc *d);
	/* Send everything held; 0 or -1 on error. */
	int (*flush)(struct sink *s);
	/* Free the sink (after flush); NULL-safe in sink_free(). */
	void (*free)(struct sink *s);
	/* A description of the last error (owned by the sink). */
	const char *(*error)(const struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	uint64_t docs;		/* documents accepted (committed) */
	uint64_t bytes_out;	/* bytes written or sent */
};

static inline void
sink_free(struct sink *s)
{
	if (s != NULL)
		s->ops->free(s);
}

#endif
