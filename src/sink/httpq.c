/*
 * httpq.c: the HTTP batch engine.  See httpq.h.
 *
 * Documents are appended to an open batch (the protocol writes their
 * bytes); a full batch is sent as one request.  Each batch remembers, per
 * item, where its bytes are, its id, its original log line (for dead
 * letters) and how often and since when it has been tried.  When an answer
 * comes back, the protocol settles each item (stored, duplicate,
 * dead-lettered) or has it copied into a retry batch that waits out its
 * backoff.  Nothing is counted delivered before the receiver's answer for
 * that very item has been read.
 *
 * Transport: libcurl's multi interface, so up to max_inflight requests run
 * at once while put() keeps filling the next batch; put() blocks (and so
 * holds back the pipeline) when that many are already in flight or being
 * compressed, or when the batches held reach the memory bound.
 * Compression runs in a thread of the sink's own (the compressor), so that
 * it overlaps parsing: on two cores a one-thread run takes about 40% less
 * time (docs/benchmarks.md); CPU is the same.  Connections are kept alive
 * and reused across requests and, in the Lambda, across invocations (the
 * sink lives as long as the process).
 */
#include <errno.h>
#include <inttypes.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <jansson.h>
#include <zlib.h>

#include "decode/gunzip.h"
#include "encode/gzenc.h"
#include "encode/jsonw.h"
#include "sink/httpq.h"
#include "util/backoff.h"
#include "util/clock.h"
#include "util/xalloc.h"

#define RESP_MAX (256u << 20)	/* largest response body read */
#define BODY_MAX (512u << 20)	/* hard cap on one request body */
#define MAX_FLY 16
/*
 * No request starts this close to the deadline: curl would fail it at
 * once with a message about whatever step it was in ("Failed to resolve
 * host ... with timeout after 0 ms"); the batch waits and is settled
 * "the deadline was reached before delivery".
 */
#define DEADLINE_SLACK_MS 20

_Static_assert(sizeof(((struct httpq_batch *)0)->curlerr) >= CURL_ERROR_SIZE,
    "curl's error buffer");

struct httpq {
	struct sink base;
	/*
	 * put(), sync() and reset() from any thread: one at a time drives the
	 * transfers.  A caller waiting in sync() polls with the lock held, a
	 * slice at a time; put() wakes the poll first so it is not kept
	 * waiting for a whole slice.
	 */
	pthread_mutex_t mu;
	const struct es_config *cfg;
	const struct httpq_proto *p;
	void *arg;
	char *url_shown;	/* the request URL without its query */
	CURLM *multi;
	CURL *spare[MAX_FLY];	/* idle easy handles, reused (keep their caches) */
	int nspare;
	struct httpq_batch *open;
	struct httpq_batch *waiting;	/* by not_before; compressed ones first */
	struct httpq_batch *pool;	/* finished batches kept for reuse */
	int npool;
	int inflight;
	struct httpq_batch *fly[MAX_FLY];	/* the batches in flight */
	int nfly;
	FILE *dlq;
	struct httpq_batch *dlb;	/* dead letters not yet queued */
	/* the items of the answer being read to be sent again */
	const struct httpq_batch *rsrc;
	size_t *ridx, nr, rcap;
	/*
	 * The memory bound: body and line bytes of every batch held, and
	 * the most put() lets them reach before it waits.
	 */
	size_t held, cap;
	/*
	 * The compressor: a thread that compresses each full batch while the
	 * caller goes on encoding the next, so that compression, the most
	 * expensive step, runs beside parsing instead of after it.  It
	 * touches nothing but the batches handed to it; cz_in and cz_out are
	 * under cz_mu.  cz_pending: batches in its hands (caller's count);
	 * cz_busy: those plus the ones it returned that have not started.
	 */
	int cz_on, cz_stop;
	pthread_t cz;
	pthread_mutex_t cz_mu;
	pthread_cond_t cz_cv;
	struct httpq_batch *cz_in, *cz_out;	/* FIFO, through batch->next */
	int cz_pending, cz_busy;
	struct backoff bo;	/* the one policy (util/backoff.h), under mu */
	int fatal;
	struct httpq_batch *answering;	/* the batch judge() settles */
	int requeued;		/* it waits for a retry whole (not released) */
	int checked;		/* the endpoint check ran (or is not wanted) */
	int check_done, check_cc;	/* its transfer ended, and how */
	atomic_int want;	/* threads waiting for mu in put() */
	unsigned shown;		/* dead-letter / undelivered reports printed */
	char err[512];
};

/*
 * What every request's handle shares: timeouts, user agent,
 * authentication, TLS (es_curl_common()), within the deadline.
 */
static void
curl_setup(struct httpq *q, CURL *e, struct curl_slist **hdrs, int64_t now)
{
	es_curl_common(e, q->cfg, hdrs);
	if (q->base.deadline_ms != 0 &&
	    q->base.deadline_ms - now < q->cfg->timeout_ms) {
		/* Never run past the deadline (a Lambda invocation's). */
		long tmo = q->base.deadline_ms - now > 1 ?
		    (long)(q->base.deadline_ms - now) : 1;

		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, tmo);
	}
}

/* ---- batches ---------------------------------------------------------- */

static struct httpq_batch *
batch_new(void)
{
	struct httpq_batch *b = xcalloc(1, sizeof(*b));

	buf_init(&b->body, BODY_MAX);
	buf_init(&b->lines, BODY_MAX);
	buf_init(&b->arr, BODY_MAX);
	buf_init(&b->sent, BODY_MAX);
	buf_init(&b->resp, RESP_MAX);
	return b;
}

static void
batch_free(struct httpq_batch *b)
{
	if (b == NULL)
		return;
	buf_free(&b->body);
	buf_free(&b->lines);
	buf_free(&b->arr);
	buf_free(&b->sent);
	buf_free(&b->resp);
	curl_slist_free_all(b->hdrs);
	free(b->items);
	free(b);
}

/*
 * Open batches are recycled (two at most, and only while the memory bound
 * has room for them): a 5 MB body allocated and freed per request costs
 * page faults and realloc copies on every request.  Retry, split
 * and dead-letter batches are made new: a pooled batch keeps the pages it
 * once filled, which a small batch would hold for nothing while it
 * waits (the memory bound counts the bytes a batch holds, not its past).
 */
static struct httpq_batch *
batch_get(struct httpq *q)
{
	struct httpq_batch *b = q->pool;

	if (b == NULL)
		return batch_new();
	q->pool = b->next;
	q->npool--;
	b->next = NULL;
	return b;
}

/* Count ${b}'s bytes in the memory bound as they are now. */
static void
account(struct httpq *q, struct httpq_batch *b)
{
	size_t now = (b->zfrag ? b->sent.len : b->body.len) + b->lines.len;

	q->held = q->held - b->held + now;
	b->held = now;
}

/* Done with ${b}: out of the bound, into the pool (or freed). */
static void
release(struct httpq *q, struct httpq_batch *b)
{
	q->held -= b->held;
	b->held = 0;
	if (q->npool >= 2 ||
	    (!b->zfrag && b->body.cap < q->cfg->batch_bytes / 2) ||
	    q->held + ((size_t)q->npool + 1) * q->cfg->batch_bytes > q->cap) {
		batch_free(b);
		return;
	}
	buf_reset(&b->body);
	buf_reset(&b->lines);
	buf_reset(&b->arr);
	buf_reset(&b->sent);
	buf_reset(&b->resp);
	curl_slist_free_all(b->hdrs);
	b->hdrs = NULL;
	b->n = 0;
	b->zfrag = 0;
	b->raw = 0;
	b->crc = 0;
	b->prepared = 0;
	b->fresh = 0;
	b->not_before = 0;
	b->easy = NULL;
	b->out = NULL;
	b->next = q->pool;
	q->pool = b;
	q->npool++;
}

/*
 * Record an item whose bytes are at ${off}..${off}+${len} of b->body;
 * copy its line.  Returns 0, or -1 if a cap is reached.
 */
static int
batch_item(struct httpq_batch *b, size_t off, size_t len, size_t doc,
    const char *line, size_t llen, const char *id, unsigned attempts,
    int64_t first_ms, struct sink_tally *tally, int dl)
{
	struct httpq_item *it;
	size_t l = strlen(id);

	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		b->items = xrealloc(b->items, b->cap * sizeof(*b->items));
	}
	it = &b->items[b->n];
	it->off = off;
	it->len = len;
	it->doc = doc;
	it->line = b->lines.len;
	it->line_len = llen;
	if (buf_add(&b->lines, line, llen) != 0)
		return -1;
	it->attempts = attempts;
	it->first_ms = first_ms;
	it->tally = tally;
	it->dl = (uint8_t)dl;
	if (l >= sizeof(it->id))
		l = sizeof(it->id) - 1;
	memcpy(it->id, id, l);
	it->id[l] = '\0';
	b->n++;
	return 0;
}

/* Append item ${it} of batch ${from} to ${b}, with its history. */
static int
batch_copy(struct httpq *q, struct httpq_batch *b,
    const struct httpq_batch *from, const struct httpq_item *it)
{
	size_t off = b->body.len;
	int rc = -1;

	if (buf_add(&b->body, from->body.p + it->off, it->len) == 0) {
		rc = batch_item(b, off, it->len, it->doc, from->lines.p + it->line,
		    it->line_len, it->id, it->attempts, it->first_ms, it->tally,
		    it->dl);
		if (rc != 0)
			b->body.len = off;
	}
	account(q, b);
	return rc;
}

int
httpq_add(struct httpq *q, struct httpq_batch *b, size_t off, size_t doc,
    const struct httpq_batch *bf, const struct httpq_item *from, int dl)
{
	int rc = batch_item(b, off, b->body.len - off, doc,
	    bf->lines.p + from->line, from->line_len, from->id, 0, 0,
	    from->tally, dl);

	if (rc != 0)
		b->body.len = off;
	account(q, b);
	return rc;
}

/* ---- settling items ---------------------------------------------------- */

static void
report(struct httpq *q, const char *what, const struct httpq_item *it,
    const char *why)
{
	if (q->shown >= 5)
		return;
	q->shown++;
	if (q->cfg->before_message != NULL)
		q->cfg->before_message(q->cfg->before_message_arg);
	fprintf(stderr, "elbship: %s: %s %s: %s\n", q->base.info->name, what,
	    it->id, why);
}

static void
undelivered_item(struct httpq *q, const struct httpq_item *it,
    const char *why)
{
	sink_settle(&q->base, it->tally, SINK_UNDELIVERED, 1, why);
	if (why != q->err)
		snprintf(q->err, sizeof(q->err), "%s", why);
	report(q, "undelivered", it, why);
}

void
httpq_undelivered(struct httpq *q, const struct httpq_batch *b, size_t i,
    const char *why)
{
	undelivered_item(q, &b->items[i], why);
}

/* Every item of ${b} is undelivered. */
static void
undelivered_all(struct httpq *q, const struct httpq_batch *b, const char *why)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		undelivered_item(q, &b->items[i], why);
}

/* A dead letter the receiver confirmed. */
static void
dl_stored(struct httpq *q, const struct httpq_item *it)
{
	char where[300];

	sink_settle(&q->base, it->tally, SINK_DEAD_LETTERED, 1, NULL);
	snprintf(where, sizeof(where), "record stored in the index %s",
	    q->cfg->dead_letter_index ? q->cfg->dead_letter_index : "");
	report(q, "dead-lettered", it, where);
}

void
httpq_ok(struct httpq *q, const struct httpq_batch *b, size_t i)
{
	if (b->items[i].dl)
		dl_stored(q, &b->items[i]);
	else
		sink_settle(&q->base, b->items[i].tally, SINK_OK, 1, NULL);
}

void
httpq_duplicate(struct httpq *q, const struct httpq_batch *b, size_t i)
{
	if (b->items[i].dl)
		dl_stored(q, &b->items[i]);	/* stored before */
	else
		sink_settle(&q->base, b->items[i].tally, SINK_DUPLICATE, 1,
		    NULL);
}

/*
 * Items of one tally come in runs (a batch fills from one input at a
 * time): settled a run at a time.
 */
void
httpq_ok_all(struct httpq *q, const struct httpq_batch *b)
{
	size_t i, j;

	for (i = 0; i < b->n; i = j) {
		if (b->items[i].dl) {
			dl_stored(q, &b->items[i]);
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < b->n && !b->items[j].dl &&
		    b->items[j].tally == b->items[i].tally; j++)
			;
		sink_settle(&q->base, b->items[i].tally, SINK_OK, j - i, NULL);
	}
}

/* Insert ${b} into the waiting list, ordered by not_before. */
static void
wait_batch(struct httpq *q, struct httpq_batch *b)
{
	struct httpq_batch **pp = &q->waiting;

	while (*pp != NULL && (*pp)->not_before <= b->not_before)
		pp = &(*pp)->next;
	b->next = *pp;
	*pp = b;
}

/* Queue the dead letters gathered so far, ahead of the retries. */
static void
dl_schedule(struct httpq *q)
{
	if (q->dlb == NULL)
		return;
	q->dlb->not_before = 0;
	wait_batch(q, q->dlb);
	q->dlb = NULL;
}

struct httpq_batch *
httpq_dl_batch(struct httpq *q, size_t need)
{
	if (q->dlb != NULL && q->dlb->body.len + need > q->cfg->batch_bytes)
		dl_schedule(q);
	if (q->dlb == NULL)
		q->dlb = batch_new();
	return q->dlb;
}

size_t
httpq_dl_need(const struct httpq_item *it, const char *type,
    const char *reason)
{
	return 6 * (it->line_len + strlen(type) + strlen(reason) + it->len) +
	    512;
}

/*
 * A dead-letter record: when, the id, the target meant, the status and
 * error, the original line and the document.  The document is JSON in a
 * file; for an index (${as_string}) it is a JSON string, so its own fields
 * cannot clash with a mapping a second time.  A document too large for the
 * receiver (413) would make a record larger still: for an index the record
 * then holds no document and the line's first 4096 bytes.
 */
char *
httpq_dl_record(struct httpq *q, char *o, const struct httpq_batch *b,
    const struct httpq_item *it, long status, const char *type,
    const char *reason, int as_string)
{
	struct slice doc = slice_make(b->body.p + it->off + it->doc,
	    it->len - it->doc - 1);
	struct slice line = slice_make(b->lines.p + it->line, it->line_len);
	struct slice target;
	int slim = as_string && status == 413;
	time_t t = time(NULL);
	struct tm tm;
	char ts[32];

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = JW(o, "{\"@timestamp\":\"");
	o = jsonw_bytes(o, slice_make(ts, strlen(ts)));
	o = JW(o, "\",\"elbship\":{\"id\":\"");
	o = jsonw_raw_str(o, slice_make(it->id, strlen(it->id)));
	if (q->p->target != NULL && q->p->target(q->arg, b, it, &target)) {
		o = JW(o, "\",\"index\":\"");
		o = jsonw_raw_str(o, target);
	}
	o = JW(o, "\",\"status\":");
	o = jsonw_u64(o, (uint64_t)status);
	o = JW(o, ",\"error\":{\"type\":\"");
	o = jsonw_raw_str(o, slice_make(type, strlen(type)));
	o = JW(o, "\",\"reason\":\"");
	o = jsonw_raw_str(o, slice_make(reason, strlen(reason)));
	o = JW(o, "\"}},\"event\":{\"original\":\"");
	if (slim && line.n > 4096)
		line.n = 4096;
	o = jsonw_raw_str(o, line);
	o = JW(o, "\"},\"document\":");
	if (slim) {
		o = JW(o, "null");
	} else if (as_string) {
		o = JW(o, "\"");
		o = jsonw_raw_str(o, doc);
		o = JW(o, "\"");
	} else {
		o = jsonw_bytes(o, doc);
	}
	return JW(o, "}\n");
}

void
httpq_dead_letter(struct httpq *q, const struct httpq_batch *b, size_t i,
    long status, const char *type, const char *reason)
{
	const struct httpq_item *it = &b->items[i];
	char why[300], *rec, *o;
	int ok;

	if (q->p->dead_letter != NULL &&
	    q->p->dead_letter(q->arg, q, b, i, status, type, reason))
		return;
	snprintf(why, sizeof(why), "HTTP %ld %s: %.200s", status, type, reason);
	if (q->dlq == NULL && q->cfg->dead_letter_file != NULL) {
		/* Opened on first use: no empty file when nothing is rejected. */
		q->dlq = fopen(q->cfg->dead_letter_file, "a");
		if (q->dlq == NULL) {
			char err[300];

			snprintf(err, sizeof(err), "cannot open dead-letter file "
			    "'%s': %s", q->cfg->dead_letter_file, strerror(errno));
			undelivered_item(q, it, err);
			return;
		}
	}
	if (q->dlq == NULL) {
		undelivered_item(q, it, "rejected by the cluster and no "
		    "dead-letter destination (--dead-letter FILE)");
		return;
	}
	rec = xmalloc(httpq_dl_need(it, type, reason));
	o = httpq_dl_record(q, rec, b, it, status, type, reason, 0);
	ok = fwrite(rec, 1, (size_t)(o - rec), q->dlq) == (size_t)(o - rec) &&
	    fflush(q->dlq) == 0;
	free(rec);
	if (!ok) {
		char err[160];

		snprintf(err, sizeof(err), "dead-letter file write failed: %s",
		    strerror(errno));
		undelivered_item(q, it, err);
		return;
	}
	sink_settle(&q->base, it->tally, SINK_DEAD_LETTERED, 1, NULL);
	report(q, "dead-lettered", it, why);
}

/* May item ${it} be sent again? */
static int
may_retry(const struct httpq *q, const struct httpq_item *it, int64_t t)
{
	return !q->fatal && it->attempts < q->cfg->retry_attempts &&
	    t - it->first_ms < q->cfg->retry_time_ms &&
	    !(q->base.deadline_ms && t >= q->base.deadline_ms);
}

void
httpq_retry(struct httpq *q, const struct httpq_batch *b, size_t i,
    const char *why)
{
	const struct httpq_item *it = &b->items[i];
	int64_t t = clock_ms();

	if (!may_retry(q, it, t)) {
		char msg[300];

		snprintf(msg, sizeof(msg), "%s (gave up after %u attempts in "
		    "%.1f s)", why, it->attempts,
		    (double)(t - it->first_ms) / 1000.0);
		undelivered_item(q, it, msg);
		return;
	}
	if (q->rsrc != NULL && q->rsrc != b)
		httpq_retry_end(q);
	if (q->nr == q->rcap) {
		q->rcap = q->rcap ? 2 * q->rcap : 256;
		q->ridx = xrealloc(q->ridx, q->rcap * sizeof(*q->ridx));
	}
	q->rsrc = b;
	q->ridx[q->nr++] = i;
}

/*
 * The retries gathered go out as one batch, made at its size at once
 * (no chain of reallocs: during a storm of 429s many such batches wait).
 */
void
httpq_retry_end(struct httpq *q)
{
	const struct httpq_batch *b = q->rsrc;
	struct httpq_batch *rb;
	size_t k, body = 0, lines = 0;
	unsigned maxatt = 0;

	if (q->nr == 0)
		return;
	for (k = 0; k < q->nr; k++) {
		body += b->items[q->ridx[k]].len;
		lines += b->items[q->ridx[k]].line_len;
	}
	rb = batch_new();
	(void)buf_reserve(&rb->body, body);
	(void)buf_reserve(&rb->lines, lines);
	for (k = 0; k < q->nr; k++) {
		const struct httpq_item *it = &b->items[q->ridx[k]];

		if (batch_copy(q, rb, b, it) != 0) {
			undelivered_item(q, it, "retry batch too large");
			continue;
		}
		if (it->attempts > maxatt)
			maxatt = it->attempts;
		q->base.total.retried++;
	}
	q->nr = 0;
	q->rsrc = NULL;
	if (rb->n == 0) {
		release(q, rb);
		return;
	}
	rb->not_before = clock_ms() + backoff_ms(&q->bo, maxatt);
	wait_batch(q, rb);
}

void
httpq_retry_all(struct httpq *q, struct httpq_batch *b, const char *why)
{
	int64_t t = clock_ms();
	unsigned maxatt = 0;
	size_t i;

	/*
	 * Every item may go again: the batch itself waits (no copy, and its
	 * compressed body is sent as it is), unless the engine is not reading
	 * the answer to it (a protocol's call outside judge()).
	 */
	for (i = 0; i < b->n && may_retry(q, &b->items[i], t); i++)
		if (b->items[i].attempts > maxatt)
			maxatt = b->items[i].attempts;
	if (i == b->n && b->n > 0 && q->answering == b) {
		q->requeued = 1;
		q->base.total.retried += b->n;
		b->not_before = t + backoff_ms(&q->bo, maxatt);
		return;
	}
	for (i = 0; i < b->n; i++)
		httpq_retry(q, b, i, why);
	httpq_retry_end(q);
}

/*
 * A 413: split the batch in two and send both halves again at once.  The
 * halves are not retries: the send that met the 413 is not counted
 * against their items' attempts (their time budget runs on).
 */
static void
split(struct httpq *q, struct httpq_batch *b)
{
	struct httpq_batch *h[2] = { NULL, NULL };
	size_t i, mid = b->n / 2, body[2] = { 0, 0 }, lines[2] = { 0, 0 };

	if (b->n == 1) {
		httpq_dead_letter(q, b, 0, 413, "request_entity_too_large",
		    "the document alone is larger than the cluster's "
		    "http.max_content_length");
		return;
	}
	/* Each half made at its size at once: no chain of reallocs. */
	for (i = 0; i < b->n; i++) {
		body[i >= mid] += b->items[i].len;
		lines[i >= mid] += b->items[i].line_len;
	}
	for (i = 0; i < b->n; i++) {
		struct httpq_item *it = &b->items[i];
		struct httpq_batch **t = &h[i >= mid];

		if (*t == NULL) {
			*t = batch_new();
			(void)buf_reserve(&(*t)->body, body[i >= mid]);
			(void)buf_reserve(&(*t)->lines, lines[i >= mid]);
		}
		if (batch_copy(q, *t, b, it) != 0)
			undelivered_item(q, it, "batch too large");
		else if ((*t)->items[(*t)->n - 1].attempts > 0)
			(*t)->items[(*t)->n - 1].attempts--;
	}
	for (i = 0; i < 2; i++) {
		if (h[i] == NULL)
			continue;
		h[i]->not_before = clock_ms();
		wait_batch(q, h[i]);
	}
}

void
httpq_fatal(struct httpq *q, const struct httpq_batch *b, const char *msg)
{
	if (msg != q->err)
		snprintf(q->err, sizeof(q->err), "%s", msg);
	q->fatal = 1;
	if (b != NULL)
		undelivered_all(q, b, q->err);
}

const char *
httpq_url_shown(const struct httpq *q)
{
	return q->url_shown;
}

/* The <title> of an HTML body, or NULL. */
static int
html_title(const struct buf *resp, char *out, size_t cap)
{
	const char *p, *e;

	if (resp->len == 0)
		return 0;
	p = memmem(resp->p, resp->len, "<title>", 7);
	if (p == NULL)
		p = memmem(resp->p, resp->len, "<TITLE>", 7);
	if (p == NULL)
		return 0;
	p += 7;
	e = memchr(p, '<', (size_t)(resp->p + resp->len - p));
	if (e == NULL)
		return 0;
	snprintf(out, cap, "%.*s", (int)(e - p < 160 ? e - p : 160), p);
	return 1;
}

void
httpq_error_reason(const struct buf *resp, char *out, size_t cap)
{
	json_t *root = json_loadb(resp->p, resp->len, 0, NULL);
	json_t *e = root ? json_object_get(root, "error") : NULL;
	const char *t = json_string_value(json_object_get(e, "type"));
	const char *r = json_string_value(json_object_get(e, "reason"));
	size_t i, n;

	if (t != NULL || r != NULL)
		snprintf(out, cap, "%s: %s", t ? t : "error", r ? r : "");
	else if (json_is_string(e))
		snprintf(out, cap, "%s", json_string_value(e));
	else if (root == NULL && html_title(resp, out, cap))
		;
	else {
		n = resp->len < 160 ? resp->len : 160;
		snprintf(out, cap, "%.*s", (int)n, resp->p ? resp->p : "");
		for (i = 0; out[i] != '\0'; i++)
			if ((unsigned char)out[i] < 0x20)
				out[i] = ' ';
	}
	json_decref(root);
}

/*
 * A redirect, or an answer that is not the receiver's: the URL is wrong.
 * The message names the URL, the status and the reason.
 */
static void
wrong_url(struct httpq *q, const char *url, CURL *e, long status,
    const struct buf *resp, const char *what)
{
	char msg[sizeof(q->err)], reason[300];
	char *loc = NULL;

	if (status >= 300 && status < 400 && e != NULL &&
	    curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
	    loc != NULL) {
		snprintf(msg, sizeof(msg), "%s answered %sHTTP %ld, a redirect to "
		    "%.200s: give elbship that URL", url, what, status, loc);
	} else {
		httpq_error_reason(resp, reason, sizeof(reason));
		snprintf(msg, sizeof(msg), "%s answered %sHTTP %ld%s%s: not "
		    "the %s endpoint; check the URL", url, what, status,
		    reason[0] ? ": " : "", reason, q->base.info->name);
	}
	httpq_fatal(q, NULL, msg);
}

void
httpq_request_failed(struct httpq *q, struct httpq_batch *b, long status)
{
	char why[400], reason[300];

	if (status == 413) {
		split(q, b);
	} else if (status == 429 || status == 408 || status >= 500) {
		httpq_error_reason(&b->resp, reason, sizeof(reason));
		snprintf(why, sizeof(why), "HTTP %ld %s", status, reason);
		httpq_retry_all(q, b, why);
	} else if (status == 401 || status == 403) {
		q->base.total.auth_rejected += status == 401;
		httpq_error_reason(&b->resp, reason, sizeof(reason));
		snprintf(why, sizeof(why), "%s (HTTP %ld): %s",
		    status == 401 ? "the cluster rejected the credentials" :
		    "the cluster does not allow this user to write there",
		    status, reason);
		httpq_fatal(q, b, why);
	} else {
		/* 3xx, 404, 405, 407, 400 "no handler found", 2xx not ours... */
		wrong_url(q, q->url_shown, b->easy, status, &b->resp, "");
		undelivered_all(q, b, q->err);
	}
}

/* ---- fragments ---------------------------------------------------------- */

/*
 * A protocol that allows it (parallel()) has each block of documents
 * framed and compressed by the pipeline's thread that parsed it
 * (prepare(): several blocks at once, outside the lock), while it is
 * still in that core's cache, instead of copied into the open batch and
 * compressed in a second pass.  The encoder left a gap before each
 * document (sink.h, doc_gap) where the protocol writes its framing (an
 * action line), so the block's request text is the block's own memory.  A block's text is deflated on its own
 * and ended with a full flush, which byte-aligns it, so that fragments
 * join into one deflate stream (as pigz joins the blocks it compresses in
 * parallel).  A request is a gzip header, the fragments, an empty final
 * block, and the trailer: the fragments' CRC-32s combined and the length.
 * The documents are not kept uncompressed: an answer that is not
 * all_stored() has the request decompressed back into the body first
 * (unfrag()), and from there on the batch is like any other.
 */

/*
 * A block's lines, kept for dead letters and read again only for those:
 * copied with non-temporal stores (SSE2), which write around the caches
 * instead of filling them with bytes nobody reads soon and evicting the
 * parser's and the compressor's working sets (glibc's memcpy streams
 * only copies larger than a share of the last-level cache).
 */
static void
copy_cold(char *dst, const char *src, size_t n)
{
#if defined(__SSE2__)
	size_t k = 0;

	while (((uintptr_t)(dst + k) & 15) != 0 && k < n) {
		dst[k] = src[k];
		k++;
	}
	for (; k + 64 <= n; k += 64) {
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(src + k));
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(src + k + 16));
		__m128i c = _mm_loadu_si128((const __m128i *)(const void *)(src + k + 32));
		__m128i d = _mm_loadu_si128((const __m128i *)(const void *)(src + k + 48));

		_mm_stream_si128((__m128i *)(void *)(dst + k), a);
		_mm_stream_si128((__m128i *)(void *)(dst + k + 16), b);
		_mm_stream_si128((__m128i *)(void *)(dst + k + 32), c);
		_mm_stream_si128((__m128i *)(void *)(dst + k + 48), d);
	}
	_mm_sfence();
	memcpy(dst + k, src + k, n - k);
#else
	memcpy(dst, src, n);
#endif
}

static const unsigned char gz_head[10] = {
	0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff
};

static void
httpq_prepare(struct sink *base, const struct docbatch *db,
    struct sink_prep *sp, struct sink_scratch *ws)
{
	const struct httpq *q = (const struct httpq *)base;
	const struct es_config *c = q->cfg;
	size_t gap = q->base.doc_gap, i, n, at, line;
	struct isal_zstream zs;
	char *start;

	if (gap == 0 || db->ndocs == 0 || db->ndocs > c->batch_docs)
		return;
	/* The framing into the gaps: the request's text is the batch's own
	 * memory, from the first gap to the last document's newline. */
	start = db->json + db->docs[0].json - gap;
	for (i = 0, at = db->docs[0].json, line = 0; i < db->ndocs; i++) {
		const struct docref *d = &db->docs[i];

		/* Laid out as sink.h says, lines in order (put() takes them
		 * in one copy)?  Else put() copies document by document. */
		if (d->json != at || d->line < line)
			return;
		line = d->line + d->line_len;
		q->p->frame_doc(q->arg, db->json + d->json - gap, gap, d);
		at = d->json + d->json_len + 1 + gap;
	}
	n = (size_t)(db->json + at - gap - start);
	if (n > c->batch_bytes)
		return;	/* larger than a request: put() cuts it */
	if (ws->work.max == 0)
		buf_init(&ws->work, BODY_MAX);
	if (sp->data.max == 0)
		buf_init(&sp->data, BODY_MAX);
	buf_reset(&ws->work);
	buf_reset(&sp->data);
	/* Stored blocks are the worst case: a little over n. */
	if (buf_reserve(&ws->work, ISAL_DEF_LVL1_DEFAULT) != 0 ||
	    buf_reserve(&sp->data, n + n / 16 + 1024) != 0)
		return;
	isal_deflate_init(&zs);
	zs.level = 1;
	zs.level_buf = (uint8_t *)ws->work.p;
	zs.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
	zs.gzip_flag = IGZIP_DEFLATE;
	zs.flush = FULL_FLUSH;
	zs.end_of_stream = 0;
	zs.next_in = (uint8_t *)start;
	zs.avail_in = (uint32_t)n;
	zs.next_out = (uint8_t *)sp->data.p;
	zs.avail_out = (uint32_t)sp->data.cap;
	if (isal_deflate_stateless(&zs) != COMP_OK || zs.avail_in != 0)
		return;
	sp->data.len = (size_t)((char *)zs.next_out - sp->data.p);
	sp->raw = n;
	sp->crc = crc32_gzip_refl(0, (const unsigned char *)start, n);
	sp->ok = 1;
}

/* Close ${b}'s deflate stream and add the trailer: ready to send. */
static int
frag_finish(struct httpq_batch *b)
{
	unsigned char t[10] = { 3, 0 };
	int i;

	for (i = 0; i < 4; i++) {
		t[2 + i] = (unsigned char)(b->crc >> (8 * i));
		t[6 + i] = (unsigned char)(b->raw >> (8 * i));
	}
	if (buf_add(&b->sent, t, sizeof(t)) != 0)
		return -1;
	b->out = b->sent.p;
	b->nout = b->sent.len;
	b->prepared = 1;
	return 0;
}

/*
 * The body of ${b} again, from its request: from here on ${b} is a batch
 * like the others.  0, or -1 with q->err set.
 */
static int
unfrag(struct httpq *q, struct httpq_batch *b)
{
	struct gunzip *z = gunzip_new();
	size_t got;
	int rc = -1;

	buf_reset(&b->body);
	if (z == NULL || buf_reserve(&b->body, (size_t)b->raw + 1) != 0) {
		snprintf(q->err, sizeof(q->err), "out of memory");
		goto out;
	}
	gunzip_input(z, b->sent.p, b->sent.len);
	do {
		rc = gunzip_output(z, b->body.p + b->body.len,
		    b->body.cap - b->body.len, &got);
		b->body.len += got;
	} while (rc == GUNZIP_OK && b->body.len < b->body.cap);
	if (rc == GUNZIP_ERR || b->body.len != b->raw ||
	    gunzip_finish(z) != 0) {
		snprintf(q->err, sizeof(q->err), "a request could not be read "
		    "back (%s): elbship's fault, please report it",
		    rc == GUNZIP_ERR ? gunzip_error(z) : "wrong length");
		rc = -1;
		goto out;
	}
	rc = 0;
	b->zfrag = 0;
	account(q, b);
out:
	gunzip_free(z);
	return rc;
}

/* A transfer ended: settle its batch. */
static void
done(struct httpq *q, struct httpq_batch *b, CURLcode cc)
{
	long status = 0;

	curl_easy_getinfo(b->easy, CURLINFO_RESPONSE_CODE, &status);
	q->answering = b;
	q->requeued = 0;
	if (b->zfrag && !(cc == CURLE_OK && q->p->all_stored(status,
	    &b->resp)) && unfrag(q, b) != 0) {
		undelivered_all(q, b, q->err);
		q->answering = NULL;
		return;
	}
	if (cc != CURLE_OK) {
		char why[400];
		const char *m = b->curlerr[0] ? b->curlerr :
		    curl_easy_strerror(cc);

		/* Its timeout was the deadline's: say so, curl says "timed
		 * out" or names the step it was in. */
		if (q->base.deadline_ms &&
		    clock_ms() >= q->base.deadline_ms - DEADLINE_SLACK_MS)
			snprintf(why, sizeof(why), "stopped at the deadline (%s)",
			    m);
		else
			snprintf(why, sizeof(why), "%s", m);
		httpq_retry_all(q, b, why);
	} else {
		q->p->judge(q->arg, q, b, status);
	}
	q->answering = NULL;
	httpq_retry_end(q);
	dl_schedule(q);
}

/* ---- transport ---------------------------------------------------------- */

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct buf *resp = arg;

	if (buf_add(resp, p, size * nmemb) != 0)
		return 0;	/* aborts the transfer: retried */
	return size * nmemb;
}

static CURL *
easy_get(struct httpq *q)
{
	if (q->nspare > 0)
		return q->spare[--q->nspare];
	return curl_easy_init();
}

static void
easy_put(struct httpq *q, CURL *e)
{
	if (q->nspare < MAX_FLY)
		q->spare[q->nspare++] = e;
	else
		curl_easy_cleanup(e);
}

/*
 * Make the bytes start() sends for ${b}: framed by the protocol,
 * gzip-compressed unless that is off.  Touches nothing but ${b} and the
 * configuration: the compressor thread runs it.  0, or -1 if a buffer cap
 * is reached.
 */
static int
prepare(const struct es_config *c, const struct httpq_proto *p,
    struct httpq_batch *b)
{
	size_t n;
	const char *body = p->frame(b, &b->arr, &n);

	if (body == NULL)
		return -1;
	b->out = body;
	b->nout = n;
	if (c->compress) {
		if (gzenc(body, n, &b->sent) != 0)
			return -1;
		b->out = b->sent.p;
		b->nout = b->sent.len;
	}
	b->prepared = 1;
	return 0;
}

static int
start(struct httpq *q, struct httpq_batch *b)
{
	const struct es_config *c = q->cfg;
	const char *url = q->p->url(q->arg);
	size_t i;
	int64_t t = clock_ms();

	if (!b->prepared && prepare(c, q->p, b) != 0)
		return -1;
	for (i = 0; i < b->n; i++) {
		if (b->items[i].first_ms == 0)
			b->items[i].first_ms = t;
		b->items[i].attempts++;
	}
	b->easy = easy_get(q);
	if (b->easy == NULL)
		return -1;
	curl_easy_reset(b->easy);
	b->hdrs = curl_slist_append(NULL, q->p->content_type);
	b->hdrs = curl_slist_append(b->hdrs, "Expect:");
	if (c->compress)
		b->hdrs = curl_slist_append(b->hdrs, "Content-Encoding: gzip");
	curl_setup(q, b->easy, &b->hdrs, t);
	if (c->signer != NULL && c->signer->sign(c->signer->arg, "POST",
	    url, b->out, b->nout, c->signer->content_sha256, &b->hdrs, q->err,
	    sizeof(q->err)) != 0)
		return -1;
	buf_reset(&b->resp);
	b->curlerr[0] = '\0';
	curl_easy_setopt(b->easy, CURLOPT_URL, url);
	curl_easy_setopt(b->easy, CURLOPT_POST, 1L);
	curl_easy_setopt(b->easy, CURLOPT_POSTFIELDS, b->out);
	curl_easy_setopt(b->easy, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)b->nout);
	/*
	 * curl copies the body through its upload buffer (64 KiB by default):
	 * 256 KiB means 4x fewer send()s and, on uncompressed 5 MB bodies,
	 * about 12% less CPU (bench/cost.sh); 1 MiB did no better.
	 */
	curl_easy_setopt(b->easy, CURLOPT_UPLOAD_BUFFERSIZE, 262144L);
	curl_easy_setopt(b->easy, CURLOPT_HTTPHEADER, b->hdrs);
	curl_easy_setopt(b->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(b->easy, CURLOPT_WRITEDATA, &b->resp);
	curl_easy_setopt(b->easy, CURLOPT_PRIVATE, b);
	curl_easy_setopt(b->easy, CURLOPT_ERRORBUFFER, b->curlerr);
	q->base.total.requests++;
	q->base.total.bytes_sent += b->nout;
	q->base.total.bytes_raw += b->zfrag ? b->raw : b->body.len;
	curl_multi_add_handle(q->multi, b->easy);
	q->inflight++;
	q->fly[q->nfly++] = b;
	return 0;
}

static void
fly_remove(struct httpq *q, const struct httpq_batch *b)
{
	int i;

	for (i = 0; i < q->nfly; i++) {
		if (q->fly[i] == b) {
			q->fly[i] = q->fly[--q->nfly];
			return;
		}
	}
}

/* Collect finished transfers and settle their batches. */
static void
reap(struct httpq *q)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(q->multi, &left)) != NULL) {
		struct httpq_batch *b = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&b);
		if (b == NULL) {	/* the endpoint check's */
			curl_multi_remove_handle(q->multi, m->easy_handle);
			q->check_cc = (int)m->data.result;
			q->check_done = 1;
			continue;
		}
		curl_multi_remove_handle(q->multi, b->easy);
		q->inflight--;
		fly_remove(q, b);
		done(q, b, m->data.result);
		easy_put(q, b->easy);
		b->easy = NULL;
		if (q->requeued && !q->fatal) {
			/*
			 * Sent again as it is, after its backoff; compressed
			 * again then (start()), so that what waits holds no
			 * more than its body and lines.
			 */
			curl_slist_free_all(b->hdrs);
			b->hdrs = NULL;
			buf_free(&b->resp);
			buf_free(&b->sent);
			buf_free(&b->arr);
			buf_init(&b->resp, RESP_MAX);
			buf_init(&b->sent, BODY_MAX);
			buf_init(&b->arr, BODY_MAX);
			b->prepared = 0;
			b->out = NULL;
			wait_batch(q, b);
			continue;
		}
		if (q->requeued)	/* failed meanwhile (a dead letter's fault) */
			undelivered_all(q, b, q->err);
		release(q, b);
	}
}

/* Start waiting batches whose time has come, while there is room. */
static void
start_due(struct httpq *q)
{
	int64_t t = clock_ms();

	/*
	 * A batch back from the compressor is counted in cz_busy already:
	 * starting it leaves inflight + cz_busy as it is.  Those batches are
	 * kept at the head of the list (cz_collect()), so a retry waiting for
	 * room never stands in front of them.
	 */
	while (q->waiting != NULL && q->inflight + q->cz_busy -
	    q->waiting->fresh < q->cfg->max_inflight &&
	    q->waiting->not_before <= t && !q->fatal &&
	    !(q->base.deadline_ms && q->base.deadline_ms - t < DEADLINE_SLACK_MS)) {
		struct httpq_batch *b = q->waiting;

		q->waiting = b->next;
		b->next = NULL;
		if (b->fresh) {
			b->fresh = 0;
			q->cz_busy--;
		}
		if (start(q, b) != 0) {
			undelivered_all(q, b, q->err[0] ? q->err :
			    "could not start a request");
			if (b->easy != NULL)
				easy_put(q, b->easy);
			b->easy = NULL;
			release(q, b);
		}
	}
}

/* Append ${b} to the FIFO list at ${*head}. */
static void
fifo_push(struct httpq_batch **head, struct httpq_batch *b)
{
	while (*head != NULL)
		head = &(*head)->next;
	b->next = NULL;
	*head = b;
}

static void *
cz_main(void *arg)
{
	struct httpq *q = arg;

	pthread_mutex_lock(&q->cz_mu);
	for (;;) {
		struct httpq_batch *b;

		while (q->cz_in == NULL && !q->cz_stop)
			pthread_cond_wait(&q->cz_cv, &q->cz_mu);
		if (q->cz_in == NULL)
			break;
		b = q->cz_in;
		q->cz_in = b->next;
		pthread_mutex_unlock(&q->cz_mu);
		/* On failure start() tries again, and reports it. */
		(void)prepare(q->cfg, q->p, b);
		pthread_mutex_lock(&q->cz_mu);
		fifo_push(&q->cz_out, b);
		curl_multi_wakeup(q->multi);	/* a caller may be polling */
	}
	pthread_mutex_unlock(&q->cz_mu);
	return NULL;
}

/* Hand a full batch to the compressor. */
static void
cz_give(struct httpq *q, struct httpq_batch *b)
{
	b->fresh = 1;
	q->cz_pending++;
	q->cz_busy++;
	pthread_mutex_lock(&q->cz_mu);
	fifo_push(&q->cz_in, b);
	pthread_cond_signal(&q->cz_cv);
	pthread_mutex_unlock(&q->cz_mu);
}

/*
 * Take the batches the compressor has done, to be started first: in
 * order, after the ones taken before, ahead of every retry.
 */
static void
cz_collect(struct httpq *q)
{
	struct httpq_batch *b, *next, **pp = &q->waiting;

	if (q->cz_pending == 0)
		return;
	pthread_mutex_lock(&q->cz_mu);
	b = q->cz_out;
	q->cz_out = NULL;
	pthread_mutex_unlock(&q->cz_mu);
	while (*pp != NULL && (*pp)->fresh)
		pp = &(*pp)->next;
	for (; b != NULL; b = next) {
		next = b->next;
		q->cz_pending--;
		b->not_before = 0;
		b->next = *pp;
		*pp = b;
		pp = &b->next;
	}
}

/* Run transfers for up to ${wait_ms} (or until something finishes). */
static void
drive(struct httpq *q, long wait_ms)
{
	int running = 0;

	curl_multi_perform(q->multi, &running);
	reap(q);
	cz_collect(q);
	start_due(q);
	if (wait_ms > 0 && (q->inflight > 0 || q->waiting != NULL ||
	    q->cz_pending > 0)) {
		long w = wait_ms;

		if (q->waiting != NULL && q->inflight < q->cfg->max_inflight) {
			int64_t d = q->waiting->not_before - clock_ms();

			if (d < w)
				w = d < 1 ? 1 : (long)d;
		}
		curl_multi_poll(q->multi, NULL, 0, (int)w, NULL);
		curl_multi_perform(q->multi, &running);
		reap(q);
		cz_collect(q);
		start_due(q);
	}
}

/* Told to stop (SIGINT, SIGTERM)? */
static int
stopped(const struct httpq *q)
{
	return q->base.stop != NULL && *q->base.stop;
}

static int
past_deadline(const struct httpq *q)
{
	return q->base.deadline_ms && clock_ms() >= q->base.deadline_ms;
}

/*
 * Interrupted: abandon the requests in flight (their documents are
 * undelivered: the receiver may have stored them, and a rerun counts those
 * as duplicates) and wait for the compressor to hand back what it holds.
 */
static void
abandon(struct httpq *q)
{
	struct httpq_batch *hs[MAX_FLY];
	int i, n;

	while (q->cz_pending > 0) {
		cz_collect(q);
		if (q->cz_pending > 0)
			curl_multi_poll(q->multi, NULL, 0, 10, NULL);
	}
	n = q->nfly;
	memcpy(hs, q->fly, sizeof(hs));
	q->nfly = 0;
	for (i = 0; i < n; i++) {
		struct httpq_batch *b = hs[i];

		curl_multi_remove_handle(q->multi, b->easy);
		q->inflight--;
		undelivered_all(q, b, "interrupted while in flight (a rerun "
		    "counts what the receiver kept as duplicates)");
		easy_put(q, b->easy);
		b->easy = NULL;
		release(q, b);
	}
}

/* Settle every waiting batch undelivered: after a fatal error, a stop, or
 * at the deadline (every tally's: they would all fail the same way). */
static void
drop_waiting(struct httpq *q)
{
	while (q->waiting != NULL) {
		struct httpq_batch *b = q->waiting;

		q->waiting = b->next;
		if (b->fresh)
			q->cz_busy--;
		undelivered_all(q, b, q->fatal ? q->err : stopped(q) ?
		    "interrupted before delivery" :
		    "the deadline was reached before delivery");
		release(q, b);
	}
}

/* Send the open batch, waiting for room if max_inflight are out. */
static int
send_open(struct httpq *q)
{
	struct httpq_batch *b = q->open;

	if (b == NULL || b->n == 0)
		return 0;
	q->open = NULL;
	/* Batches with the compressor, or back from it, count as in flight. */
	while (q->inflight + q->cz_busy >= q->cfg->max_inflight && !q->fatal &&
	    !stopped(q))
		drive(q, 100);
	if (q->fatal || stopped(q)) {
		undelivered_all(q, b, q->fatal ? q->err :
		    "interrupted before delivery");
		release(q, b);
		return -1;
	}
	if (b->zfrag) {
		/* Compressed already: straight to the line to be sent. */
		if (frag_finish(b) != 0) {
			undelivered_all(q, b, "request body too large");
			release(q, b);
			return -1;
		}
		account(q, b);
		b->not_before = 0;
		wait_batch(q, b);
		start_due(q);
		return 0;
	}
	if (q->cz_on) {
		cz_give(q, b);
		return 0;
	}
	b->not_before = 0;
	wait_batch(q, b);
	start_due(q);
	return 0;
}

/*
 * The memory bound: while the batches held and ${need} more bytes would
 * pass it, drive the transfers (retries wait out their backoff, give up,
 * or succeed).  The open batch is sent first if nothing else is held.
 * 0, or -1 if the sink failed or was stopped meanwhile.
 */
static int
hold_back(struct httpq *q, size_t need)
{
	/* Memory is short: the pool's pages go first. */
	while (q->pool != NULL) {
		struct httpq_batch *b = q->pool;

		q->pool = b->next;
		q->npool--;
		batch_free(b);
	}
	while (q->held + need > q->cap && !q->fatal) {
		if (stopped(q)) {
			abandon(q);
			drop_waiting(q);
			return -1;
		}
		if (past_deadline(q) && q->inflight == 0 && q->cz_pending == 0) {
			drop_waiting(q);
			if (q->held + need <= q->cap || q->open == NULL)
				break;
		}
		if (q->inflight == 0 && q->cz_pending == 0 &&
		    q->waiting == NULL) {
			if (q->open == NULL || q->open->n == 0)
				break;	/* one document alone: let it in */
			if (send_open(q) != 0)
				return -1;
			continue;
		}
		drive(q, 100);
	}
	return q->fatal ? -1 : 0;
}

/* ---- the endpoint check ------------------------------------------------- */

/*
 * Before the first request: GET the protocol's check URL and let it judge
 * the answer.  A redirect or a failed check fails the sink; no answer at
 * all (the receiver is down, the transfer timed out) proves nothing: the
 * requests then find out.  It runs on the multi handle, so that its
 * connection is the requests' first (kept alive, reused).
 */
static void
check_endpoint(struct httpq *q)
{
	const char *url;
	struct curl_slist *hdrs = NULL;
	struct buf resp;
	char why[sizeof(q->err)];
	CURL *e;
	CURLcode cc;
	long status = 0;
	int64_t t = clock_ms();

	q->checked = 1;
	if (q->p->check == NULL || q->p->check_url == NULL ||
	    (url = q->p->check_url(q->arg)) == NULL)
		return;
	e = easy_get(q);
	if (e == NULL)
		return;
	curl_easy_reset(e);
	buf_init(&resp, 1u << 20);
	curl_setup(q, e, &hdrs, t);
	if (q->cfg->signer != NULL && q->cfg->signer->sign(q->cfg->signer->arg,
	    "GET", url, "", 0, q->cfg->signer->content_sha256, &hdrs, why,
	    sizeof(why)) != 0)
		goto out;	/* the requests report it */
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &resp);
	q->check_done = 0;
	curl_multi_add_handle(q->multi, e);
	while (!q->check_done) {
		int running;

		if (stopped(q)) {
			curl_multi_remove_handle(q->multi, e);
			goto out;
		}
		curl_multi_poll(q->multi, NULL, 0, 100, NULL);
		curl_multi_perform(q->multi, &running);
		reap(q);
	}
	cc = (CURLcode)q->check_cc;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK || status == 0 || status == 408 || status == 429 ||
	    status >= 500)
		goto out;
	if (status >= 300 && status < 400)
		wrong_url(q, url, e, status, &resp, "GET with ");
	else if (q->p->check(q->arg, status, &resp, why, sizeof(why)) != 0) {
		q->base.total.auth_rejected += status == 401;
		httpq_fatal(q, NULL, why);
	}
out:
	curl_slist_free_all(hdrs);
	buf_free(&resp);
	curl_easy_reset(e);
	easy_put(q, e);
}

/* ---- sink operations ----------------------------------------------------- */

/*
 * Take ${db} as prepare() made it: its fragment joins the open batch
 * whole.  0, or -1 (nothing of ${db} taken) with q->err set.
 */
static int
put_prepared(struct httpq *q, const struct docbatch *db)
{
	const struct sink_prep *sp = db->prep;
	struct httpq_batch *b = q->open;
	size_t i, lines, first, lbase, gap = q->base.doc_gap;
	uint64_t off;

	/* The lines in one copy: the block's, from the first to the last. */
	first = db->docs[0].line;
	lines = db->docs[db->ndocs - 1].line + db->docs[db->ndocs - 1].line_len -
	    first;
	if (b != NULL && b->n > 0 && (!b->zfrag ||
	    b->n + db->ndocs > q->cfg->batch_docs ||
	    b->raw + sp->raw > q->cfg->batch_bytes) && send_open(q) != 0)
		return -1;
	if (q->held + sp->data.len + lines > q->cap &&
	    hold_back(q, sp->data.len + lines) != 0)
		return -1;
	if (q->open == NULL)
		q->open = batch_get(q);
	b = q->open;
	if (b->n == 0) {
		b->zfrag = 1;
		b->raw = 0;
		b->crc = 0;
		buf_reset(&b->sent);
		if (buf_add(&b->sent, gz_head, sizeof(gz_head)) != 0)
			goto large;
	}
	if (buf_reserve(&b->sent, sp->data.len + 16) != 0 ||
	    buf_reserve(&b->lines, lines) != 0)
		goto large;
	copy_cold(b->lines.p + b->lines.len, db->lines + first, lines);
	b->lines.len += lines;
	if (b->cap - b->n < db->ndocs) {
		while (b->cap - b->n < db->ndocs)
			b->cap = b->cap ? 2 * b->cap : 256;
		b->items = xrealloc(b->items, b->cap * sizeof(*b->items));
	}
	buf_add(&b->sent, sp->data.p, sp->data.len);
	b->crc = (uint32_t)crc32_combine(b->crc, sp->crc, (z_off_t)sp->raw);
	off = b->raw;
	lbase = b->lines.len - lines - first;
	for (i = 0; i < db->ndocs; i++) {
		const struct docref *d = &db->docs[i];
		struct httpq_item *it = &b->items[b->n++];

		it->off = (size_t)off;
		it->len = gap + d->json_len + 1;
		it->doc = gap;
		it->line = lbase + d->line;
		it->line_len = d->line_len;
		it->attempts = 0;
		it->first_ms = 0;
		it->tally = db->tally;
		it->dl = 0;
		memcpy(it->id, d->id, sizeof(it->id));	/* NUL-terminated */
		off += it->len;
	}
	b->raw = off;
	account(q, b);
	drive(q, 0);
	return 0;
large:
	snprintf(q->err, sizeof(q->err), "request body too large");
	return -1;
}

/* Take ${db} (under the lock); documents not taken are undelivered. */
static int
put_locked(struct httpq *q, const struct docbatch *db)
{
	size_t i;

	if (db->tally != NULL) {
		db->tally->taken += db->ndocs;
		db->tally->bytes += db->json_len - db->ndocs * q->base.doc_gap;
	}
	if (!q->checked && !q->fatal && db->ndocs > 0)
		check_endpoint(q);
	if (db->prep != NULL && !q->fatal) {
		if (put_prepared(q, db) == 0)
			return 0;
		i = 0;
		goto fail;
	}
	for (i = 0; i < db->ndocs && !q->fatal; i++) {
		const struct docref *d = &db->docs[i];
		size_t need = q->p->need(q->arg, db, d), off, doc;
		struct httpq_batch *b;
		char *o;

		if (q->open != NULL && (q->open->n >= q->cfg->batch_docs ||
		    (q->open->zfrag && q->open->n > 0) ||
		    q->open->body.len + need > q->cfg->batch_bytes))
			if (send_open(q) != 0)
				break;
		if (q->held + need + d->line_len > q->cap &&
		    hold_back(q, need + d->line_len) != 0)
			break;
		if (q->open == NULL)
			q->open = batch_get(q);
		b = q->open;
		b->zfrag = 0;	/* empty: a fragment batch that took nothing */
		off = b->body.len;
		if (buf_reserve(&b->body, need) != 0) {
			snprintf(q->err, sizeof(q->err), "request body too large");
			break;
		}
		o = q->p->write(q->arg, b->body.p + off, db, d, &doc);
		b->body.len = (size_t)(o - b->body.p);
		if (batch_item(b, off, b->body.len - off, doc,
		    db->lines + d->line, d->line_len, d->id, 0, 0,
		    db->tally, 0) != 0) {
			b->body.len = off;
			account(q, b);
			snprintf(q->err, sizeof(q->err), "request body too large");
			break;
		}
		account(q, b);
		if ((i & 255) == 0)
			drive(q, 0);
	}
	if (i == db->ndocs)
		return 0;
fail:
	sink_settle(&q->base, db->tally, SINK_UNDELIVERED, db->ndocs - i,
	    stopped(q) && !q->fatal ? "interrupted before delivery" : q->err);
	return -1;
}

static int
httpq_put(struct sink *base, const struct docbatch *db)
{
	struct httpq *q = (struct httpq *)base;
	int rc;

	/* A sync() polling with the lock held lets go at once. */
	atomic_fetch_add(&q->want, 1);
	curl_multi_wakeup(q->multi);
	pthread_mutex_lock(&q->mu);
	atomic_fetch_sub(&q->want, 1);
	rc = put_locked(q, db);
	pthread_mutex_unlock(&q->mu);
	return rc;
}

/* Is there something of ${t} (NULL: anything) still to settle? */
static int
unsettled(const struct httpq *q, const struct sink_tally *t)
{
	if (t != NULL && sink_tally_settled(t) >= t->taken)
		return 0;
	return q->inflight > 0 || q->cz_pending > 0 ||
	    (q->waiting != NULL && !q->fatal);
}

static int
httpq_sync(struct sink *base, struct sink_tally *t)
{
	struct httpq *q = (struct httpq *)base;
	int rc, over = 0;

	pthread_mutex_lock(&q->mu);
	(void)send_open(q);	/* on a fatal error it settles the batch */
	while (unsettled(q, t)) {
		if (stopped(q)) {
			over = 1;
			abandon(q);
			break;
		}
		over = past_deadline(q);
		if (over && q->inflight == 0 && q->cz_pending == 0)
			break;
		drive(q, 100);
		if (atomic_load(&q->want) > 0) {
			/* Someone waits to put: let them. */
			pthread_mutex_unlock(&q->mu);
			sched_yield();
			pthread_mutex_lock(&q->mu);
		}
	}
	if (q->fatal || over)
		drop_waiting(q);
	rc = q->fatal || (t != NULL && t->n[SINK_UNDELIVERED] > 0) ? -1 : 0;
	if (q->dlq != NULL && fflush(q->dlq) != 0) {
		snprintf(q->err, sizeof(q->err), "dead-letter file: %s",
		    strerror(errno));
		rc = -1;
	}
	pthread_mutex_unlock(&q->mu);
	return rc;
}

static void
httpq_reset(struct sink *base)
{
	struct httpq *q = (struct httpq *)base;

	pthread_mutex_lock(&q->mu);
	if (q->fatal)
		q->checked = 0;	/* the next invocation checks again */
	q->fatal = 0;
	q->err[0] = '\0';
	q->shown = 0;
	pthread_mutex_unlock(&q->mu);
}

static void
httpq_free(struct sink *base)
{
	struct httpq *q = (struct httpq *)base;
	int i;

	if (q == NULL)
		return;
	if (q->cz_on) {
		pthread_mutex_lock(&q->cz_mu);
		q->cz_stop = 1;
		pthread_cond_signal(&q->cz_cv);
		pthread_mutex_unlock(&q->cz_mu);
		pthread_join(q->cz, NULL);
		pthread_mutex_destroy(&q->cz_mu);
		pthread_cond_destroy(&q->cz_cv);
		/* Only after a put() failed with batches still in its hands. */
		while (q->cz_out != NULL) {
			struct httpq_batch *b = q->cz_out;

			q->cz_out = b->next;
			batch_free(b);
		}
	}
	batch_free(q->open);
	while (q->waiting != NULL) {
		struct httpq_batch *b = q->waiting;

		q->waiting = b->next;
		batch_free(b);
	}
	while (q->pool != NULL) {
		struct httpq_batch *b = q->pool;

		q->pool = b->next;
		batch_free(b);
	}
	for (i = 0; i < q->nspare; i++)
		curl_easy_cleanup(q->spare[i]);
	if (q->multi != NULL)
		curl_multi_cleanup(q->multi);
	if (q->dlq != NULL)
		fclose(q->dlq);
	batch_free(q->dlb);
	free(q->ridx);
	pthread_mutex_destroy(&q->mu);
	if (q->p->release != NULL)
		q->p->release(q->arg);
	free(q->url_shown);
	free(q);
}

static const char *
httpq_error(const struct sink *base)
{
	return ((const struct httpq *)base)->err;
}

static const struct sink_ops httpq_ops = {
	.put = httpq_put,
	.prepare = httpq_prepare,
	.sync = httpq_sync,
	.reset = httpq_reset,
	.free = httpq_free,
	.error = httpq_error,
};

struct sink *
httpq_new(const struct es_config *c, const struct sink_info *info,
    const struct httpq_proto *p, void *arg, char *err, size_t cap)
{
	struct httpq *q;
	const char *url;
	size_t n;

	if (strchr(c->url, '@') != NULL) {
		snprintf(err, cap, "put credentials in ELBSHIP_ES_USERNAME / "
		    "ELBSHIP_ES_PASSWORD or an API key, not in the URL (it shows "
		    "in ps and in logs)");
		goto fail;
	}
	if (c->batch_docs == 0 || c->batch_bytes < 1024 || c->max_inflight < 1 ||
	    c->max_inflight > MAX_FLY || c->retry_attempts < 1) {
		snprintf(err, cap, "bad batch, in-flight or retry settings");
		goto fail;
	}
	q = xcalloc(1, sizeof(*q));
	q->base.ops = &httpq_ops;
	q->base.info = info;
	pthread_mutex_init(&q->mu, NULL);
	q->cfg = c;
	q->p = p;
	q->arg = arg;
	/* Batches compressed by the pipeline's threads (see "Fragments"). */
	if (c->compress && p->parallel != NULL && p->parallel(arg))
		q->base.doc_gap = p->gap(arg);
	backoff_init(&q->bo, c->retry_initial_ms, c->retry_max_ms);
	q->cap = ((size_t)c->max_inflight + 2) * c->batch_bytes;
#ifdef __GLIBC__
	/*
	 * Batches are large and live for a request or a backoff: glibc's
	 * dynamic threshold would move them out of mmap() into the heaps of
	 * the threads that touch them, where freed pages stay resident and
	 * fragment (an outage with 413 splits: 155 MB instead of 70 for the
	 * same bytes held).  A fixed threshold keeps them mapped; it is the
	 * process's allocator setting, the same for every sink (idempotent).
	 * Above curl's 256 KiB upload buffer, which is allocated again for
	 * every request: mapped, it cost 64 page faults a request (8,000 of
	 * the 12,000 of a 191 MB gzip ship).
	 */
	mallopt(M_MMAP_THRESHOLD, 512 * 1024);
#endif
	url = p->url(arg);
	n = strcspn(url, "?");
	q->url_shown = xmalloc(n + 1);
	memcpy(q->url_shown, url, n);
	q->url_shown[n] = '\0';
	q->multi = curl_multi_init();
	if (q->multi == NULL) {
		snprintf(err, cap, "curl_multi_init failed");
		httpq_free(&q->base);
		return NULL;
	}
	curl_multi_setopt(q->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)c->max_inflight);
	if (c->compress) {
		pthread_mutex_init(&q->cz_mu, NULL);
		pthread_cond_init(&q->cz_cv, NULL);
		q->cz_on = pthread_create(&q->cz, NULL, cz_main, q) == 0;
		if (!q->cz_on) {	/* then compress in start(), as before */
			pthread_mutex_destroy(&q->cz_mu);
			pthread_cond_destroy(&q->cz_cv);
		}
	}
	return &q->base;
fail:
	if (p->release != NULL)
		p->release(arg);
	return NULL;
}
