/*
 * ndjson.c: the NDJSON / bulk-file sink.  See ndjson.h.
 *
 * NDJSON batches are written straight from the pipeline's buffer; bulk
 * batches are assembled (action line, document) in a 1 MiB buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "encode/jsonw.h"
#include "sink/ndjson.h"
#include "util/xalloc.h"

#define NDJSON_BUF (1u << 20)
#define ACTION_MAX 128		/* {"create":{"_id":"<id>"}}\n */

struct ndjson {
	struct sink base;
	int fd;
	enum ndjson_format format;
	char *buf;		/* bulk format only */
	size_t len, cap;
	char err[160];
};

static int
write_all(struct ndjson *s, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(s->fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			snprintf(s->err, sizeof(s->err), "write: %s",
			    strerror(errno));
			return -1;
		}
		p += w;
		n -= (size_t)w;
		s->base.bytes_out += (uint64_t)w;
	}
	return 0;
}

static int
nd_flush(struct sink *b)
{
	struct ndjson *s = (struct ndjson *)b;
	int rc = write_all(s, s->buf, s->len);

	s->len = 0;
	return rc;
}

static int
nd_put(struct sink *b, const struct docbatch *batch)
{
	struct ndjson *s = (struct ndjson *)b;
	const struct docref *d;
	size_t i, need;
	char *o;

	if (s->format == NDJSON_DOCS) {
		s->base.docs += batch->ndocs;
		return write_all(s, batch->json, batch->json_len);
	}
	for (i = 0; i < batch->ndocs; i++) {
		d = &batch->docs[i];
		need = ACTION_MAX + d->json_len + 1;
		if (s->cap - s->len < need) {
			if (nd_flush(b) != 0)
				return -1;
			if (s->cap < need) {
				s->cap = need;
				s->buf = xrealloc(s->buf, s->cap);
			}
		}
		o = s->buf + s->len;
		o = JW(o, "{\"create\":{\"_id\":\"");
		o = jsonw_bytes(o, slice_make(d->id, d->idlen));
		o = JW(o, "\"}}\n");
		o = jsonw_bytes(o, slice_make(batch->json + d->json,
		    d->json_len + 1));
		s->len = (size_t)(o - s->buf);
		s->base.docs++;
	}
	return 0;
}

static void
nd_free(struct sink *b)
{
	struct ndjson *s = (struct ndjson *)b;

	free(s->buf);
	free(s);
}

static const char *
nd_error(const struct sink *b)
{
	return ((const struct ndjson *)b)->err;
}

static const struct sink_ops ndjson_ops = {
	.name = "ndjson",
	.put = nd_put,
	.flush = nd_flush,
	.free = nd_free,
	.error = nd_error,
};

/**
 * ndjson_new(fd, format): see ndjson.h.
 */
struct sink *
ndjson_new(int fd, enum ndjson_format format)
{
	struct ndjson *s = xcalloc(1, sizeof(*s));

	s->base.ops = &ndjson_ops;
	s->fd = fd;
	s->format = format;
	if (format == NDJSON_BULK) {
		s->cap = NDJSON_BUF;
		s->buf = xmalloc(s->cap);
	}
	return &s->base;
}
