/*
 * lshttp.c: the Logstash http input protocol, on the HTTP batch engine.
 * See lshttp.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sink/httpq.h"
#include "sink/lshttp.h"

static size_t
ls_need(void *arg, const struct docbatch *db, const struct docref *d)
{
	(void)arg;
	(void)db;
	return d->json_len + 1;
}

/* The document and a comma: frame() makes the body a JSON array. */
static char *
ls_write(void *arg, char *o, const struct docbatch *db,
    const struct docref *d, size_t *doc)
{
	(void)arg;
	*doc = 0;
	memcpy(o, db->json + d->json, d->json_len);
	o[d->json_len] = ',';
	return o + d->json_len + 1;
}

/* "doc,doc," -> "[doc,doc]" */
static const char *
ls_frame(const struct httpq_batch *b, struct buf *arr, size_t *n)
{
	buf_reset(arr);
	if (b->body.len == 0 || buf_add(arr, "[", 1) != 0 ||
	    buf_add(arr, b->body.p, b->body.len) != 0)
		return NULL;
	arr->p[arr->len - 1] = ']';
	*n = arr->len;
	return arr->p;
}

static const char *
ls_url(void *arg)
{
	return ((const struct es_config *)arg)->url;
}

/* All or nothing: 200 is every document of the request. */
static void
ls_judge(void *arg, struct httpq *q, struct httpq_batch *b, long status)
{
	(void)arg;
	if (status == 200)
		httpq_ok_all(q, b);
	else
		httpq_request_failed(q, b, status);
}

static const struct httpq_proto ls_proto = {
	.content_type = "Content-Type: application/json",
	.url = ls_url,
	.need = ls_need,
	.write = ls_write,
	.frame = ls_frame,
	.judge = ls_judge,
};

static const struct sink_info ls_info = {
	.name = "logstash",
	.ok_word = "indexed",
	.remote = 1,
	.acked = 1,
};

struct sink *
lshttp_new(const struct es_config *c, char *err, size_t cap)
{
	if (c->url == NULL || (strncmp(c->url, "http://", 7) != 0 &&
	    strncmp(c->url, "https://", 8) != 0)) {
		snprintf(err, cap, "the Logstash URL must start with http://, "
		    "https:// (http input), tcp:// or tls:// (tcp input)");
		return NULL;
	}
	if (c->dead_letter_index != NULL) {
		snprintf(err, cap, "a dead-letter index needs Elasticsearch or "
		    "OpenSearch, not Logstash");
		return NULL;
	}
	/* The configuration is all the protocol needs: no state of its own. */
	return httpq_new(c, &ls_info, &ls_proto, (void *)(uintptr_t)c, err,
	    cap);
}
