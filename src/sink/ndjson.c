/*
 * ndjson.c: the NDJSON / bulk-file sink.  See ndjson.h.
 *
 * NDJSON batches are written straight from the pipeline's buffer; bulk
 * batches are assembled (action line, document) in a buffer first.  A
 * batch is written under the sink's lock, whole, so batches of inputs
 * shipped at once never interleave within a document.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "encode/jsonw.h"
#include "sink/ndjson.h"
#include "util/xalloc.h"

#define ACTION_MAX 128		/* {"create":{"_id":"<id>"}}\n */

struct ndjson {
	struct sink base;
	struct sink_info info;
	pthread_mutex_t mu;
	int fd;
	enum ndjson_format format;
	int failed;
	char *buf;		/* bulk format only */
	size_t cap;
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
		s->base.total.bytes_sent += (uint64_t)w;
		s->base.total.bytes_raw += (uint64_t)w;
	}
	return 0;
}

/* The batch as a _bulk body, in s->buf; its length. */
static size_t
bulk_body(struct ndjson *s, const struct docbatch *batch)
{
	size_t i, need = 0;
	char *o;

	for (i = 0; i < batch->ndocs; i++)
		need += ACTION_MAX + batch->docs[i].json_len + 1;
	if (s->cap < need) {
		s->cap = need;
		s->buf = xrealloc(s->buf, s->cap);
	}
	o = s->buf;
	for (i = 0; i < batch->ndocs; i++) {
		const struct docref *d = &batch->docs[i];

		o = JW(o, "{\"create\":{\"_id\":\"");
		o = jsonw_bytes(o, slice_make(d->id, d->idlen));
		o = JW(o, "\"}}\n");
		o = jsonw_bytes(o, slice_make(batch->json + d->json,
		    d->json_len + 1));
	}
	return (size_t)(o - s->buf);
}

static int
nd_put(struct sink *b, const struct docbatch *batch)
{
	struct ndjson *s = (struct ndjson *)b;
	int rc;

	pthread_mutex_lock(&s->mu);
	if (batch->tally != NULL) {
		batch->tally->taken += batch->ndocs;
		batch->tally->bytes += batch->json_len;
	}
	rc = -1;
	if (!s->failed) {
		if (s->format == NDJSON_DOCS)
			rc = write_all(s, batch->json, batch->json_len);
		else
			rc = write_all(s, s->buf, bulk_body(s, batch));
		s->base.total.requests++;
	}
	if (rc == 0) {
		sink_settle(b, batch->tally, SINK_OK, batch->ndocs, NULL);
	} else {
		s->failed = 1;
		sink_settle(b, batch->tally, SINK_UNDELIVERED, batch->ndocs,
		    s->err);
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int
nd_sync(struct sink *b, struct sink_tally *t)
{
	struct ndjson *s = (struct ndjson *)b;
	int rc;

	(void)t;	/* nothing is ever held */
	pthread_mutex_lock(&s->mu);
	rc = s->failed ? -1 : 0;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static void
nd_free(struct sink *b)
{
	struct ndjson *s = (struct ndjson *)b;

	pthread_mutex_destroy(&s->mu);
	free(s->buf);
	free(s);
}

static const char *
nd_error(const struct sink *b)
{
	return ((const struct ndjson *)b)->err;
}

static const struct sink_ops ndjson_ops = {
	.put = nd_put,
	.sync = nd_sync,
	.reset = NULL,
	.free = nd_free,
	.error = nd_error,
};

struct sink *
ndjson_new(int fd, enum ndjson_format format, const char *name)
{
	struct ndjson *s = xcalloc(1, sizeof(*s));

	s->base.ops = &ndjson_ops;
	s->info.name = name;
	s->info.ok_word = "written";
	s->base.info = &s->info;
	pthread_mutex_init(&s->mu, NULL);
	s->fd = fd;
	s->format = format;
	return &s->base;
}
