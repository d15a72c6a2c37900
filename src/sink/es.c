/*
 * es.c: the Elasticsearch / OpenSearch _bulk protocol, on the HTTP batch
 * engine (httpq.h).  See es.h for the accounting contract.
 *
 * What is the protocol's: each document becomes a `create` action line
 * (its index from the pattern, per type and, for dated patterns, per day;
 * its deterministic id) and the document; a 200 answer is read item by
 * item (2xx indexed, 409 duplicate, 429/5xx retried, other 4xx
 * dead-lettered); dead letters may go to an index of the same cluster as
 * records created with the document's own id; and the cluster's root is
 * checked before the first request.
 */
#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "encode/jsonw.h"
#include "parse/lbtype.h"
#include "sink/es.h"
#include "sink/httpq.h"
#include "util/buf.h"
#include "util/curlx.h"
#include "util/xalloc.h"


struct esp {
	const struct es_config *cfg;
	char *bulk_url;		/* .../_bulk?filter_path=... */
	char *root_url;		/* .../ : the endpoint check */
	char *index[LB_NTYPES];	/* rendered action-line prefixes per type */
	size_t nindex[LB_NTYPES];
	int dated;		/* the pattern has {date} or {month} */
	char day[LB_NTYPES][11];	/* dated: the YYYY-MM-DD index[] is for */
	char *dl_action;	/* dead-letter index: action-line prefix */
};

void
es_config_defaults(struct es_config *c)
{
	memset(c, 0, sizeof(*c));
	c->index = "logs-elb.{type}-default";
	c->batch_docs = 5000;
	c->batch_bytes = 5 * 1000 * 1000;
	c->compress = 1;
	c->max_inflight = 2;
	c->timeout_ms = 60000;
	c->connect_timeout_ms = 10000;
	c->retry_attempts = 10;
	c->retry_time_ms = 300000;
	c->retry_initial_ms = 500;
	c->retry_max_ms = 30000;
	c->user_agent = "elbship";
}

/* ---- action lines ------------------------------------------------------- */

/*
 * The action-line prefix for documents of type ${ti} (and, for a dated
 * pattern, of the day at ${ts}, "YYYY-MM-DD"): {"create":{"_index":"NAME","_id":"
 */
static void
set_prefix(struct esp *e, int ti, const char *ts)
{
	char name[300];
	struct buf a;

	es_index_render(e->cfg->index, ti, ts, name, sizeof(name));
	free(e->index[ti]);
	buf_init(&a, 4096);
	buf_adds(&a, "{\"create\":{\"_index\":\"");
	buf_reserve(&a, 6 * strlen(name) + 32);
	a.len = (size_t)(jsonw_raw_str(a.p + a.len,
	    slice_make(name, strlen(name))) - a.p);
	buf_adds(&a, "\",\"_id\":\"");
	e->nindex[ti] = a.len;
	buf_add(&a, "", 1);
	e->index[ti] = a.p;
	if (ts != NULL) {
		memcpy(e->day[ti], ts, 10);
		e->day[ti][10] = '\0';
	}
}

/*
 * Dated pattern: point index[ti] at the day of document ${d}.  Every
 * document elbship encodes starts with {"@timestamp":"YYYY-MM-DD; the
 * index is recomputed only when the day changes.
 */
static void
dated_prefix(struct esp *e, int ti, const char *json, size_t n)
{
	static const char at[] = "{\"@timestamp\":\"";
	const char *ts = "0000-00-00";
	size_t k;

	if (n >= sizeof(at) - 1 + 10 && memcmp(json, at, sizeof(at) - 1) == 0) {
		ts = json + sizeof(at) - 1;
		for (k = 0; k < 10; k++)
			if (k == 4 || k == 7 ? ts[k] != '-' :
			    ts[k] < '0' || ts[k] > '9')
				break;
		if (k < 10)
			ts = "0000-00-00";
	}
	if (memcmp(e->day[ti], ts, 10) != 0)
		set_prefix(e, ti, ts);
}

static size_t
es_need(void *arg, const struct docbatch *db, const struct docref *d)
{
	struct esp *e = arg;
	int ti = d->type < LB_NTYPES ? d->type : 0;

	if (e->dated)
		dated_prefix(e, ti, db->json + d->json, d->json_len);
	return e->nindex[ti] + d->idlen + 16 + d->json_len + 1;
}

/* The action line, then the document: es_need() set the prefix. */
static char *
es_write(void *arg, char *o, const struct docbatch *db,
    const struct docref *d, size_t *doc)
{
	struct esp *e = arg;
	int ti = d->type < LB_NTYPES ? d->type : 0;
	char *start = o;

	o = jsonw_lit(o, e->index[ti], e->nindex[ti]);
	o = jsonw_bytes(o, slice_make(d->id, d->idlen));
	o = JW(o, "\"}}\n");
	*doc = (size_t)(o - start);
	memcpy(o, db->json + d->json, d->json_len);
	o[d->json_len] = '\n';
	return o + d->json_len + 1;
}

/* An NDJSON _bulk body is sent as it is. */
static const char *
es_frame(const struct httpq_batch *b, struct buf *scratch, size_t *n)
{
	(void)scratch;
	*n = b->body.len;
	return b->body.p;
}

static const char *
es_url(void *arg)
{
	return ((struct esp *)arg)->bulk_url;
}

/* The index an item was meant for, from its action line. */
static int
es_target(void *arg, const struct httpq_batch *b, const struct httpq_item *it,
    struct slice *out)
{
	static const char pre[] = "{\"create\":{\"_index\":\"";
	const char *p = b->body.p + it->off, *q;

	(void)arg;
	*out = slice_make("", 0);
	if (it->doc < sizeof(pre) - 1 || memcmp(p, pre, sizeof(pre) - 1) != 0)
		return 1;
	p += sizeof(pre) - 1;
	q = memchr(p, '"', it->doc - (sizeof(pre) - 1));
	*out = slice_make(p, q != NULL ? (size_t)(q - p) : 0);
	return 1;
}

/* ---- dead letters ------------------------------------------------------- */

/*
 * A dead letter for the dead-letter index: a create of the record, with
 * the document's own id (a retry or a re-run finds it there: 409), in a
 * batch of its own.  It counts as dead-lettered when the cluster confirms
 * it; if the cluster rejects it too, or it runs out of retries, it counts
 * as undelivered.
 */
static int
es_dead_letter(void *arg, struct httpq *q, const struct httpq_batch *b,
    size_t i, long status, const char *type, const char *reason)
{
	struct esp *e = arg;
	const struct httpq_item *it = &b->items[i];
	size_t na, idl = strlen(it->id), off, doc, need;
	struct httpq_batch *d;
	char *o;

	if (it->dl) {
		char again[400];

		snprintf(again, sizeof(again), "the dead-letter index %s "
		    "rejected it too: HTTP %ld %s: %.200s",
		    e->cfg->dead_letter_index, status, type, reason);
		httpq_undelivered(q, b, i, again);
		return 1;
	}
	if (e->dl_action == NULL)
		return 0;	/* to the file */
	na = strlen(e->dl_action);
	need = na + idl + 8 + httpq_dl_need(it, type, reason);
	d = httpq_dl_batch(q, need);
	off = d->body.len;
	if (buf_reserve(&d->body, need) != 0) {
		httpq_undelivered(q, b, i, "dead letter too large");
		return 1;
	}
	o = jsonw_lit(d->body.p + off, e->dl_action, na);
	o = jsonw_bytes(o, slice_make(it->id, idl));
	o = JW(o, "\"}}\n");
	doc = (size_t)(o - (d->body.p + off));
	o = httpq_dl_record(q, o, b, it, status, type, reason, 1);
	d->body.len = (size_t)(o - d->body.p);
	if (httpq_add(q, d, off, doc, b, it, 1) != 0)
		httpq_undelivered(q, b, i, "dead letter too large");
	return 1;
}

/* ---- answers ------------------------------------------------------------ */

/* A 200 that is not a _bulk answer: the URL is not the cluster's. */
static void
not_bulk(struct httpq *q, struct httpq_batch *b, const char *what)
{
	char msg[400], reason[200];

	httpq_error_reason(&b->resp, reason, sizeof(reason));
	snprintf(msg, sizeof(msg), "%s answered HTTP 200 with %s, not a _bulk "
	    "answer (%.120s): not an Elasticsearch or OpenSearch endpoint; "
	    "check the URL", httpq_url_shown(q), what, reason);
	httpq_fatal(q, b, msg);
}

/*
 * "errors":false means every item succeeded (the bulk API's own summary).
 * With filter_path the answer starts {"errors":false,...
 */
static int
es_all_stored(long status, const struct buf *resp)
{
	return status == 200 && resp->len >= 14 && memmem(resp->p,
	    resp->len < 64 ? resp->len : 64, "\"errors\":false", 14) != NULL;
}

/* need() and write() change nothing unless the index is dated. */
static int
es_parallel(void *arg)
{
	return !((const struct esp *)arg)->dated;
}

/* Room for the longest action line of any type and id. */
static size_t
es_gap(void *arg)
{
	const struct esp *e = arg;
	size_t m = 0;
	int i;

	for (i = 0; i < LB_NTYPES; i++)
		if (e->nindex[i] > m)
			m = e->nindex[i];
	return m + (DOCID_MAX - 1) + 4;
}

/*
 * The action line into the ${n} bytes before document ${d}: es_write()'s,
 * with the room left over as spaces before its closing braces (JSON
 * whitespace between tokens: the same action to any JSON parser).  The
 * ids elbship makes need no escaping.
 */
static void
es_frame_doc(void *arg, char *o, size_t n, const struct docref *d)
{
	const struct esp *e = arg;
	int ti = d->type < LB_NTYPES ? d->type : 0;
	size_t k = e->nindex[ti];

	memcpy(o, e->index[ti], k);
	memcpy(o + k, d->id, d->idlen);
	k += d->idlen;
	o[k++] = '"';
	memset(o + k, ' ', n - k - 3);
	memcpy(o + n - 3, "}}\n", 3);
}

/* Settle every item of a 200 answer. */
static void
settle_items(struct httpq *q, struct httpq_batch *b)
{
	json_error_t jerr;
	json_t *root, *items;
	size_t i;

	/*
	 * "errors":false means every item succeeded (the bulk API's own
	 * summary): no need to walk thousands of items.  With filter_path the
	 * answer starts {"errors":false,...; anything else is read in full.
	 */
	if (es_all_stored(200, &b->resp)) {
		httpq_ok_all(q, b);
		return;
	}
	root = json_loadb(b->resp.p, b->resp.len, 0, &jerr);
	if (!json_is_object(root) ||
	    !json_is_boolean(json_object_get(root, "errors"))) {
		not_bulk(q, b, root == NULL ? "a body that is not JSON" :
		    "JSON without \"errors\"");
		json_decref(root);
		return;
	}
	items = json_object_get(root, "items");
	if (!json_is_array(items) || json_array_size(items) != b->n) {
		json_decref(root);
		httpq_retry_all(q, b, "bulk response unreadable (items missing "
		    "or wrong count)");
		return;
	}
	for (i = 0; i < b->n; i++) {
		json_t *item = json_array_get(items, i), *op, *err;
		const char *key;
		long status;

		op = NULL;
		json_object_foreach(item, key, op)
			break;
		status = (long)json_integer_value(json_object_get(op, "status"));
		err = json_object_get(op, "error");
		if (status >= 200 && status < 300) {
			httpq_ok(q, b, i);
		} else if (status == 409) {
			httpq_duplicate(q, b, i);
		} else if (status == 429 || status >= 500 || status == 0) {
			const char *t = json_string_value(json_object_get(err,
			    "type"));
			char why[200];

			snprintf(why, sizeof(why), "HTTP %ld %s", status,
			    t ? t : "");
			httpq_retry(q, b, i, why);
		} else {
			const char *type, *reason;

			type = json_string_value(json_object_get(err, "type"));
			reason = json_string_value(json_object_get(err, "reason"));
			httpq_dead_letter(q, b, i, status, type ? type : "unknown",
			    reason ? reason : "");
		}
	}
	json_decref(root);
#ifdef __GLIBC__
	/*
	 * A response with per-item errors is a tree of thousands of small
	 * allocations (about 2 kB an item): freed, they stay in the heap of
	 * the thread that parsed them, and a storm of 429s left 77 MB
	 * resident for 60,000 lines.  Hand the pages back (only on this slow
	 * path: "errors":false never gets here).
	 */
	if (b->resp.len > 65536)
		malloc_trim(0);
#endif
}

/*
 * A 200 is read item by item; every other answer is about the whole
 * request.  A real cluster answers a _bulk request with a request-level
 * 400 only when the request itself is wrong (an action line it cannot
 * parse: our bug; "no handler found": the URL), never for one document:
 * those are fatal too (httpq_request_failed()).
 */
static void
es_judge(void *arg, struct httpq *q, struct httpq_batch *b, long status)
{
	(void)arg;
	if (status == 200)
		settle_items(q, b);
	else
		httpq_request_failed(q, b, status);
}

/* ---- the endpoint check ------------------------------------------------- */

static const char *
es_check_url(void *arg)
{
	const struct esp *e = arg;

	/* OpenSearch Serverless has no root endpoint. */
	if (e->cfg->signer != NULL && e->cfg->signer->content_sha256)
		return NULL;
	return e->root_url;
}

/*
 * GET / of a cluster: 200 and JSON with version.number.  401 is the
 * credentials' fault; 403 proves a cluster that does not let this user
 * monitor it, which writing does not need.  Anything else: not a cluster.
 */
static int
es_check(void *arg, long status, const struct buf *resp, char *why,
    size_t cap)
{
	const struct esp *e = arg;
	char reason[300];
	json_t *root, *v;
	int ok;

	if (status == 403)
		return 0;
	httpq_error_reason(resp, reason, sizeof(reason));
	if (status == 401) {
		snprintf(why, cap, "the cluster rejected the credentials (HTTP "
		    "401): %s", reason);
		return -1;
	}
	if (status != 200) {
		snprintf(why, cap, "%s answered GET with HTTP %ld%s%s: not an "
		    "Elasticsearch or OpenSearch endpoint; check the URL",
		    e->root_url, status, reason[0] ? ": " : "", reason);
		return -1;
	}
	root = json_loadb(resp->p, resp->len, 0, NULL);
	v = json_object_get(json_object_get(root, "version"), "number");
	ok = json_is_string(v);
	json_decref(root);
	if (ok)
		return 0;
	snprintf(why, cap, "%s answered GET with HTTP 200 but not as "
	    "Elasticsearch or OpenSearch do (no version.number: %.120s): check "
	    "the URL", e->root_url, reason);
	return -1;
}

static void
es_release(void *arg)
{
	struct esp *e = arg;
	int i;

	if (e == NULL)
		return;
	for (i = 0; i < LB_NTYPES; i++)
		free(e->index[i]);
	free(e->bulk_url);
	free(e->root_url);
	free(e->dl_action);
	free(e);
}

static const struct httpq_proto es_proto = {
	.content_type = "Content-Type: application/x-ndjson",
	.url = es_url,
	.need = es_need,
	.write = es_write,
	.frame = es_frame,
	.judge = es_judge,
	.dead_letter = es_dead_letter,
	.target = es_target,
	.check_url = es_check_url,
	.check = es_check,
	.release = es_release,
	.parallel = es_parallel,
	.all_stored = es_all_stored,
	.gap = es_gap,
	.frame_doc = es_frame_doc,
};

static const struct sink_info es_info = {
	.name = "elasticsearch",
	.ok_word = "indexed",
	.remote = 1,
	.acked = 1,
};

/* ---- set-up --------------------------------------------------------------- */

void
es_use_sigv4(struct es_config *c, struct es_sigv4 *sv, const char *region,
    const char *service, const struct httpsign_creds *creds)
{
	sv->hs.region = region;
	sv->hs.service = service;
	sv->hs.creds = *creds;
	sv->signer.sign = httpsign_sign;
	sv->signer.arg = &sv->hs;
	sv->signer.content_sha256 = strcmp(service, "aoss") == 0;
	c->signer = &sv->signer;
}

/*
 * The one place the HTTP sinks' and setup's curl handles are set up: what
 * every elbship handle shares (util/curlx.h), then compression and the
 * cluster's authentication.
 */
void
es_curl_common(void *easy, const struct es_config *c,
    struct curl_slist **headers)
{
	CURL *e = easy;
	struct curlx_opts o = { .timeout_ms = c->timeout_ms,
	    .connect_timeout_ms = c->connect_timeout_ms, .keepalive = 1,
	    .user_agent = c->user_agent, .ca_file = c->ca_file,
	    .cert_file = c->cert_file, .key_file = c->key_file,
	    .insecure = c->insecure };
	char hdr[512];

	curlx_apply(e, &o);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	if (c->username != NULL) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, c->username);
		curl_easy_setopt(e, CURLOPT_PASSWORD,
		    c->password ? c->password : "");
	}
	if (c->api_key != NULL) {
		snprintf(hdr, sizeof(hdr), "Authorization: ApiKey %s", c->api_key);
		*headers = curl_slist_append(*headers, hdr);
		explicit_bzero(hdr, sizeof(hdr));
	}
}

/* URL-encode a query parameter value (RFC 3986 unreserved kept). */
static void
qenc(struct buf *b, const char *v)
{
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		    c == '~')
			buf_add(b, v, 1);
		else
			buf_printf(b, "%%%02X", c);
	}
}

struct sink *
es_new(const struct es_config *c, char *err, size_t errcap)
{
	struct esp *e;
	struct buf u;
	size_t l;
	int i;

	if (c->url == NULL || (strncmp(c->url, "http://", 7) != 0 &&
	    strncmp(c->url, "https://", 8) != 0)) {
		snprintf(err, errcap, "the Elasticsearch URL must start with "
		    "http:// or https://");
		return NULL;
	}
	if (es_index_check(c->index, err, errcap) != 0)
		return NULL;
	if (c->dead_letter_index != NULL &&
	    es_dead_letter_index_check(c->dead_letter_index, err, errcap) != 0)
		return NULL;
	e = xcalloc(1, sizeof(*e));
	e->cfg = c;
	l = strlen(c->url);
	while (l > 0 && c->url[l - 1] == '/')
		l--;
	buf_init(&u, 8192);
	buf_add(&u, c->url, l);
	buf_adds(&u, "/");
	buf_add(&u, "", 1);
	e->root_url = u.p;
	buf_init(&u, 8192);
	buf_add(&u, c->url, l);
	/* Query values encoded as SigV4 canonicalises them, so the URL sent
	 * is the URL signed. */
	buf_adds(&u, "/_bulk?filter_path=");
	qenc(&u, "errors,items.*.status,items.*.error");
	if (c->pipeline != NULL) {
		buf_adds(&u, "&pipeline=");
		qenc(&u, c->pipeline);
	}
	buf_add(&u, "", 1);
	e->bulk_url = u.p;
	e->dated = es_index_dated(c->index);
	for (i = 0; i < LB_NTYPES; i++)
		set_prefix(e, i, NULL);
	if (c->dead_letter_index != NULL) {
		/* The request's pipeline is for log documents, not records. */
		buf_init(&u, 4096);
		buf_printf(&u, "{\"create\":{\"_index\":\"%s\",%s\"_id\":\"",
		    c->dead_letter_index, c->pipeline != NULL ?
		    "\"pipeline\":\"_none\"," : "");
		buf_add(&u, "", 1);
		e->dl_action = u.p;
	}
	return httpq_new(c, &es_info, &es_proto, e, err, errcap);
}
