/*
 * es.c: the Elasticsearch / OpenSearch _bulk sink.  See es.h for the
 * accounting contract.
 *
 * Documents are appended to an open batch (action line + document); a full
 * batch is sent as one _bulk request.  Each batch remembers, per item, where
 * its lines are, its id, its original log line (for dead letters) and how
 * often and since when it has been tried.  When a response comes back, each
 * item is settled (indexed, duplicate, dead-lettered) or copied into a
 * retry batch that waits out its backoff.  Nothing is counted delivered
 * before the cluster's answer for that very item has been read.
 *
 * Transport: libcurl's multi interface, so up to max_inflight requests run
 * at once while put() keeps filling the next batch; put() blocks (and so
 * holds back the pipeline) only when that many are already in flight or
 * being compressed.  Compression runs in a thread of the sink's own (the
 * compressor), so that it overlaps parsing: on two cores a one-thread run
 * takes about 40% less time (docs/benchmarks.md); CPU is the same.
 * Connections are kept alive and reused across requests and, in the Lambda,
 * across invocations (the sink lives as long as the process).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "encode/gzenc.h"
#include "encode/jsonw.h"
#include "sink/es.h"
#include "util/buf.h"
#include "util/cacert.h"
#include "util/xalloc.h"
#include "util/clock.h"

#define RESP_MAX (256u << 20)	/* largest response body read */
#define BODY_MAX (512u << 20)	/* hard cap on one request body */
#define NTYPES 5

struct item {
	size_t off, len;	/* action line + document line in body */
	size_t doc;		/* document start, relative to off */
	size_t line, line_len;	/* original line in batch->lines */
	unsigned attempts;	/* sends so far */
	int64_t first_ms;	/* time of the first send */
	struct sink_tally *tally;	/* whose document it is */
	char id[DOCID_MAX];
	uint8_t dl;		/* a dead letter, for the dead-letter index */
};

struct batch {
	struct buf body;	/* the _bulk body */
	struct buf lines;	/* original log lines */
	struct item *items;
	size_t n, cap;
	size_t ndl;		/* items that are dead letters */
	int prepared;		/* arr / sent hold what start() sends */
	int fresh;		/* went through the compressor, not started */
	int64_t not_before;	/* retry batches: not before this time */
	struct batch *next;
	/* while in flight */
	CURL *easy;
	struct curl_slist *hdrs;
	struct buf arr;		/* Logstash: the body as a JSON array */
	struct buf sent;	/* compressed body */
	struct buf resp;
	char curlerr[CURL_ERROR_SIZE];
};

struct es {
	struct sink base;
	/*
	 * put(), sync() and reset() from any thread: one at a time drives the
	 * transfers.  A caller waiting in sync() polls with the lock held, a
	 * slice at a time; put() wakes the poll first so it is not kept
	 * waiting for a whole slice.
	 */
	pthread_mutex_t mu;
	const struct es_config *cfg;
	char *bulk_url;
	char *index[NTYPES];	/* rendered action-line prefixes per type */
	size_t nindex[NTYPES];
	int dated;		/* the pattern has {date} or {month} */
	char day[NTYPES][11];	/* dated: the YYYY-MM-DD index[] is for */
	CURLM *multi;
	CURL *spare[16];	/* idle easy handles, reused (keep their caches) */
	int nspare;
	struct batch *open;
	struct batch *waiting;	/* retry batches, by not_before */
	struct batch *pool;	/* finished batches kept for reuse */
	int npool;
	int inflight;
	struct batch *fly[16];	/* the batches in flight (max_inflight <= 16) */
	int nfly;
	FILE *dlq;
	char *dl_action;	/* dead-letter index: action-line prefix */
	struct batch *dlb;	/* dead letters not yet scheduled */
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
	struct batch *cz_in, *cz_out;	/* FIFO, through batch->next */
	int cz_pending, cz_busy;
	uint64_t rng;
	int fatal;
	atomic_int want;	/* threads waiting for mu in put() */
	unsigned shown;		/* dead-letter / undelivered reports printed */
	char err[512];
};

/* xorshift64*: per-sink jitter, no global state. */
static uint64_t
rnd(struct es *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 2685821657736338717ULL;
}

/* Backoff before send number attempts+1: half fixed, half random. */
static int64_t
backoff_ms(struct es *s, unsigned attempts)
{
	int64_t d = s->cfg->retry_initial_ms;
	unsigned i;

	for (i = 1; i < attempts && d < s->cfg->retry_max_ms; i++)
		d *= 2;
	if (d > s->cfg->retry_max_ms)
		d = s->cfg->retry_max_ms;
	if (d < 2)
		return d;
	return d / 2 + (int64_t)(rnd(s) % (uint64_t)(d / 2 + 1));
}

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

/*
 * The placeholders of an index pattern: {type}, and the document's UTC
 * day or month from its @timestamp, {date} (YYYY.MM.DD) and {month}
 * (YYYY.MM), the names Logstash's %{+YYYY.MM.dd} gives daily indices.
 */
static const char *const type_names[NTYPES] = { "unknown", "clb", "alb",
    "nlb", "albconn" };

/* The placeholder at ${p} ("{type}", ...): 1 type, 2 date, 3 month, 0 none. */
static int
placeholder(const char *p, size_t *len)
{
	if (strncmp(p, "{type}", 6) == 0)
		return *len = 6, 1;
	if (strncmp(p, "{date}", 6) == 0)
		return *len = 6, 2;
	if (strncmp(p, "{month}", 7) == 0)
		return *len = 7, 3;
	return 0;
}

/*
 * Render ${pattern} for ${type} and the timestamp ${ts} ("YYYY-MM-DD...",
 * or NULL: {date} and {month} are then kept as they are), or with every
 * placeholder as "*" if ${glob}.  Always NUL-terminates (cap > 0).
 */
static void
render(const char *pattern, int type, const char *ts, int glob, char *out,
    size_t cap)
{
	const char *t = type_names[type >= 0 && type < NTYPES ? type : 0];
	size_t o = 0, len;
	char v[16];

	for (; *pattern != '\0' && o + 1 < cap; ) {
		int k = *pattern == '{' ? placeholder(pattern, &len) : 0;
		const char *add = v;
		size_t n;

		if (k == 0 || (k >= 2 && ts == NULL && !glob)) {
			out[o++] = *pattern++;
			continue;
		}
		if (glob)
			add = "*";
		else if (k == 1)
			add = t;
		else {
			const char *d = ts != NULL ? ts : "0000-00-00";

			snprintf(v, sizeof(v), "%.4s.%.2s%s%.2s", d, d + 5,
			    k == 2 ? "." : "", k == 2 ? d + 8 : "");
		}
		n = strlen(add);
		if (n > cap - 1 - o)
			n = cap - 1 - o;
		memcpy(out + o, add, n);
		o += n;
		pattern += len;
	}
	out[o] = '\0';
}

void
es_index_name(const char *pattern, enum lbtype type, char *out, size_t cap)
{
	render(pattern, (int)type, NULL, 0, out, cap);
}

void
es_index_glob(const char *pattern, char *out, size_t cap)
{
	render(pattern, 0, NULL, 1, out, cap);
}

int
es_index_dated(const char *pattern)
{
	return strstr(pattern, "{date}") != NULL ||
	    strstr(pattern, "{month}") != NULL;
}

int
es_index_check(const char *pattern, char *err, size_t cap)
{
	char name[300];
	const char *p;
	size_t len, longest = 0;

	if (pattern == NULL || *pattern == '\0') {
		snprintf(err, cap, "the index name is empty");
		return -1;
	}
	if (strlen(pattern) > 200) {
		snprintf(err, cap, "index name pattern '%.40s...' is too long "
		    "(200 bytes at most)", pattern);
		return -1;
	}
	for (p = pattern; *p != '\0'; p++) {
		int k = *p == '{' ? placeholder(p, &len) : 0;

		if (k != 0) {
			/* The longest each becomes: albconn, YYYY.MM.DD, YYYY.MM. */
			longest += k == 1 ? 7 : k == 2 ? 10 : 7;
			p += len - 1;
			continue;
		}
		longest++;
		/* Elasticsearch's rules for index names (MetadataCreateIndexService). */
		if ((*p >= 'A' && *p <= 'Z') || strchr("\\/*?\"<>| ,#:{}", *p) ||
		    (unsigned char)*p < 0x20) {
			snprintf(err, cap, "index name '%s': '%c' is not allowed "
			    "(lowercase; no \\ / * ? \" < > | space , # :; "
			    "placeholders: {type}, {date}, {month})", pattern,
			    (unsigned char)*p < 0x20 ? '?' : *p);
			return -1;
		}
	}
	if (longest > 255) {
		snprintf(err, cap, "index name '%s' can be %zu bytes long once "
		    "its placeholders are filled in; Elasticsearch takes 255 at "
		    "most", pattern, longest);
		return -1;
	}
	es_index_name(pattern, LB_ALB, name, sizeof(name));
	if (strchr("-_+.", name[0]) != NULL) {
		snprintf(err, cap, "index name '%s' must not start with '-', "
		    "'_', '+' or '.'", pattern);
		return -1;
	}
	return 0;
}

int
es_dead_letter_index_check(const char *name, char *err, size_t cap)
{
	if (strchr(name, '{') != NULL) {
		snprintf(err, cap, "dead-letter index '%s': one index, no "
		    "placeholders", name);
		return -1;
	}
	return es_index_check(name, err, cap);
}

/* ---- batches ---------------------------------------------------------- */

static struct batch *
batch_new(void)
{
	struct batch *b = xcalloc(1, sizeof(*b));

	buf_init(&b->body, BODY_MAX);
	buf_init(&b->lines, BODY_MAX);
	buf_init(&b->arr, BODY_MAX);
	buf_init(&b->sent, BODY_MAX);
	buf_init(&b->resp, RESP_MAX);
	return b;
}

static void batch_free(struct batch *b);

/*
 * Batches are recycled: a 5 MB body allocated and freed per request costs
 * page faults and realloc copies on every request.
 */
static struct batch *
batch_get(struct es *s)
{
	struct batch *b = s->pool;

	if (b == NULL)
		return batch_new();
	s->pool = b->next;
	s->npool--;
	b->next = NULL;
	return b;
}

static void
batch_put(struct es *s, struct batch *b)
{
	if (s->npool >= 4) {
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
	b->ndl = 0;
	b->prepared = 0;
	b->fresh = 0;
	b->not_before = 0;
	b->easy = NULL;
	b->next = s->pool;
	s->pool = b;
	s->npool++;
}

static void
batch_free(struct batch *b)
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
 * Record an item whose body bytes are already at ${off} of b->body; copy
 * its line.  Returns 0, or -1 if a cap is reached.
 */
static int
batch_item(struct batch *b, size_t off, size_t blen, size_t doc,
    const char *line, size_t llen, const char *id, unsigned attempts,
    int64_t first_ms, struct sink_tally *tally)
{
	struct item *it;

	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		b->items = xrealloc(b->items, b->cap * sizeof(*b->items));
	}
	it = &b->items[b->n];
	it->off = off;
	it->len = blen;
	it->doc = doc;
	it->line = b->lines.len;
	it->line_len = llen;
	if (buf_add(&b->lines, line, llen) != 0)
		return -1;
	it->attempts = attempts;
	it->first_ms = first_ms;
	it->tally = tally;
	it->dl = 0;
	{
		size_t l = strlen(id);

		if (l >= sizeof(it->id))
			l = sizeof(it->id) - 1;
		memcpy(it->id, id, l);
		it->id[l] = '\0';
	}
	b->n++;
	return 0;
}

/* Append item ${it} of batch ${from} to ${b}, with its history. */
static int
batch_copy(struct batch *b, const struct batch *from, const struct item *it)
{
	size_t off = b->body.len;

	if (buf_add(&b->body, from->body.p + it->off, it->len) != 0 ||
	    batch_item(b, off, it->len, it->doc, from->lines.p + it->line,
	    it->line_len, it->id, it->attempts, it->first_ms, it->tally) != 0)
		return -1;
	b->items[b->n - 1].dl = it->dl;
	b->ndl += it->dl;
	return 0;
}

/* ---- settling items ---------------------------------------------------- */

static void
report(struct es *s, const char *what, const struct item *it, const char *why)
{
	if (s->shown >= 5)
		return;
	s->shown++;
	if (s->cfg->before_message != NULL)
		s->cfg->before_message(s->cfg->before_message_arg);
	fprintf(stderr, "elbship: %s: %s %s: %s\n",
	    s->cfg->logstash ? "logstash" : "elasticsearch", what, it->id, why);
}

/* Settle one item as ${o}. */
static void
settle(struct es *s, const struct item *it, enum sink_outcome o)
{
	sink_settle(&s->base, it->tally, o, 1, NULL);
}

static void
undelivered(struct es *s, const struct batch *b, const struct item *it,
    const char *why)
{
	(void)b;
	sink_settle(&s->base, it->tally, SINK_UNDELIVERED, 1, why);
	if (why != s->err)
		snprintf(s->err, sizeof(s->err), "%s", why);
	report(s, "undelivered", it, why);
}

static void wait_batch(struct es *s, struct batch *b);

/* The index an item was meant for, from its action line ("" for Logstash). */
static struct slice
item_index(const struct es *s, const struct batch *b, const struct item *it)
{
	static const char pre[] = "{\"create\":{\"_index\":\"";
	const char *p = b->body.p + it->off, *q;

	if (s->cfg->logstash || it->doc < sizeof(pre) - 1 ||
	    memcmp(p, pre, sizeof(pre) - 1) != 0)
		return slice_make("", 0);
	p += sizeof(pre) - 1;
	q = memchr(p, '"', it->doc - (sizeof(pre) - 1));
	return slice_make(p, q != NULL ? (size_t)(q - p) : 0);
}

/* The most bytes dl_record() writes. */
static size_t
dl_need(const struct item *it, const char *type, const char *reason)
{
	return 6 * (it->line_len + strlen(type) + strlen(reason) + it->len) +
	    512;
}

/*
 * Write a dead-letter record at ${o}: when, the id, the index meant, the
 * status and error, the original line and the document.  The document is
 * JSON in a file; for an index (${as_string}) it is a JSON string, so its
 * own fields cannot clash with a mapping a second time.  A document too
 * large for the cluster (413) would make a record larger still: for an
 * index the record then holds no document and the line's first 4096 bytes.
 */
static char *
dl_record(char *o, const struct es *s, const struct batch *b,
    const struct item *it, long status, const char *type, const char *reason,
    int as_string)
{
	struct slice doc = slice_make(b->body.p + it->off + it->doc,
	    it->len - it->doc - 1);
	struct slice line = slice_make(b->lines.p + it->line, it->line_len);
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
	if (!s->cfg->logstash) {
		o = JW(o, "\",\"index\":\"");
		o = jsonw_raw_str(o, item_index(s, b, it));
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

/* Queue the dead letters gathered so far, ahead of the retries. */
static void
dl_schedule(struct es *s)
{
	if (s->dlb == NULL)
		return;
	s->dlb->not_before = 0;
	wait_batch(s, s->dlb);
	s->dlb = NULL;
}

/*
 * A dead letter for the dead-letter index: a create of the record, with
 * the document's own id (a retry or a re-run finds it there: 409), in a
 * batch of its own.  It counts as dead-lettered when the cluster confirms
 * it; if the cluster rejects it too, or it runs out of retries, it counts
 * as undelivered.
 */
static void
dl_to_index(struct es *s, const struct batch *b, const struct item *it,
    long status, const char *type, const char *reason)
{
	size_t na = strlen(s->dl_action), idl = strlen(it->id), off, doc;
	size_t need = na + idl + 8 + dl_need(it, type, reason);
	struct batch *d;
	char *o;

	if (s->dlb != NULL && s->dlb->body.len + need > s->cfg->batch_bytes)
		dl_schedule(s);
	if (s->dlb == NULL)
		s->dlb = batch_get(s);
	d = s->dlb;
	off = d->body.len;
	if (buf_reserve(&d->body, need) != 0) {
		undelivered(s, b, it, "dead letter too large");
		return;
	}
	o = jsonw_lit(d->body.p + off, s->dl_action, na);
	o = jsonw_bytes(o, slice_make(it->id, idl));
	o = JW(o, "\"}}\n");
	doc = (size_t)(o - (d->body.p + off));
	o = dl_record(o, s, b, it, status, type, reason, 1);
	d->body.len = (size_t)(o - d->body.p);
	if (batch_item(d, off, d->body.len - off, doc, b->lines.p + it->line,
	    it->line_len, it->id, 0, 0, it->tally) != 0) {
		d->body.len = off;
		undelivered(s, b, it, "dead letter too large");
		return;
	}
	d->items[d->n - 1].dl = 1;
	d->ndl++;
}

/*
 * Dead-letter an item the cluster will never take: into the dead-letter
 * index, or as one NDJSON record appended to the dead-letter file (counted
 * only if the write succeeded).  A dead letter the dead-letter index
 * rejects is undelivered.
 */
static void
dead_letter(struct es *s, const struct batch *b, const struct item *it,
    long status, const char *type, const char *reason)
{
	char why[300], *rec, *o;
	int ok;

	snprintf(why, sizeof(why), "HTTP %ld %s: %.200s", status, type, reason);
	if (it->dl) {
		char again[400];

		snprintf(again, sizeof(again), "the dead-letter index %s "
		    "rejected it too: %s", s->cfg->dead_letter_index, why);
		undelivered(s, b, it, again);
		return;
	}
	if (s->dl_action != NULL) {
		dl_to_index(s, b, it, status, type, reason);
		return;
	}
	if (s->dlq == NULL && s->cfg->dead_letter_file != NULL) {
		/* Opened on first use: no empty file when nothing is rejected. */
		s->dlq = fopen(s->cfg->dead_letter_file, "a");
		if (s->dlq == NULL) {
			char err[300];

			snprintf(err, sizeof(err), "cannot open dead-letter file "
			    "'%s': %s", s->cfg->dead_letter_file, strerror(errno));
			undelivered(s, b, it, err);
			return;
		}
	}
	if (s->dlq == NULL) {
		undelivered(s, b, it, "rejected by the cluster and no dead-letter "
		    "destination (--dead-letter FILE)");
		return;
	}
	rec = xmalloc(dl_need(it, type, reason));
	o = dl_record(rec, s, b, it, status, type, reason, 0);
	ok = fwrite(rec, 1, (size_t)(o - rec), s->dlq) == (size_t)(o - rec) &&
	    fflush(s->dlq) == 0;
	free(rec);
	if (!ok) {
		char err[160];

		snprintf(err, sizeof(err), "dead-letter file write failed: %s",
		    strerror(errno));
		undelivered(s, b, it, err);
		return;
	}
	settle(s, it, SINK_DEAD_LETTERED);
	report(s, "dead-lettered", it, why);
}

/* Insert a retry batch into the waiting list, ordered by not_before. */
static void
wait_batch(struct es *s, struct batch *b)
{
	struct batch **pp = &s->waiting;

	while (*pp != NULL && (*pp)->not_before <= b->not_before)
		pp = &(*pp)->next;
	b->next = *pp;
	*pp = b;
}

/*
 * Schedule item ${i} of ${b} for another send, unless its budget is spent.
 * Items are gathered into ${*rb} (created on demand).
 */
static void
retry_item(struct es *s, struct batch *b, size_t i, struct batch **rb,
    const char *why)
{
	const struct item *it = &b->items[i];
	int64_t t = clock_ms();

	if (s->fatal || it->attempts >= s->cfg->retry_attempts ||
	    t - it->first_ms >= s->cfg->retry_time_ms ||
	    (s->base.deadline_ms && t >= s->base.deadline_ms)) {
		char msg[300];

		snprintf(msg, sizeof(msg), "%s (gave up after %u attempts in "
		    "%.1f s)", why, it->attempts,
		    (double)(t - it->first_ms) / 1000.0);
		undelivered(s, b, it, msg);
		return;
	}
	if (*rb == NULL)
		*rb = batch_get(s);
	if (batch_copy(*rb, b, it) != 0) {
		undelivered(s, b, it, "retry batch too large");
		return;
	}
	s->base.total.retried++;
}

static void
retry_all(struct es *s, struct batch *b, const char *why)
{
	struct batch *rb = NULL;
	unsigned maxatt = 0;
	size_t i;

	for (i = 0; i < b->n; i++) {
		retry_item(s, b, i, &rb, why);
		if (b->items[i].attempts > maxatt)
			maxatt = b->items[i].attempts;
	}
	if (rb != NULL) {
		rb->not_before = clock_ms() + backoff_ms(s, maxatt);
		wait_batch(s, rb);
	}
}

/* A 413: split the batch in two and send both halves again at once. */
static void
split(struct es *s, struct batch *b)
{
	struct batch *h[2] = { NULL, NULL };
	size_t i, mid = b->n / 2;

	if (b->n == 1) {
		dead_letter(s, b, &b->items[0], 413, "request_entity_too_large",
		    "the document alone is larger than the cluster's "
		    "http.max_content_length");
		return;
	}
	for (i = 0; i < b->n; i++) {
		struct item *it = &b->items[i];
		struct batch **t = &h[i >= mid];

		if (*t == NULL)
			*t = batch_get(s);
		if (batch_copy(*t, b, it) != 0)
			undelivered(s, b, it, "batch too large");
	}
	for (i = 0; i < 2; i++) {
		if (h[i] == NULL)
			continue;
		h[i]->not_before = clock_ms();
		wait_batch(s, h[i]);
	}
}

/* A dead letter the dead-letter index confirmed. */
static void
dl_stored(struct es *s, const struct item *it)
{
	char where[300];

	settle(s, it, SINK_DEAD_LETTERED);
	snprintf(where, sizeof(where), "record stored in the index %s",
	    s->cfg->dead_letter_index);
	report(s, "dead-lettered", it, where);
}

/*
 * Every item of ${b} succeeded: indexed, or dead letters stored.  Items
 * of one tally come in runs (a batch fills from one input at a time):
 * settled a run at a time.
 */
static void
settle_ok(struct es *s, struct batch *b)
{
	size_t i, j;

	for (i = 0; i < b->n; i = j) {
		if (b->items[i].dl) {
			dl_stored(s, &b->items[i]);
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < b->n && !b->items[j].dl &&
		    b->items[j].tally == b->items[i].tally; j++)
			;
		sink_settle(&s->base, b->items[i].tally, SINK_OK, j - i, NULL);
	}
}

/* Settle every item of a 200 response. */
static void
settle_items(struct es *s, struct batch *b)
{
	json_error_t jerr;
	json_t *root, *items;
	struct batch *rb = NULL;
	unsigned maxatt = 0;
	size_t i;

	/*
	 * "errors":false means every item succeeded (the bulk API's own
	 * summary): no need to walk thousands of items.  With filter_path the
	 * answer starts {"errors":false,...; anything else is read in full.
	 */
	if (b->resp.len >= 14 && memmem(b->resp.p, b->resp.len < 64 ?
	    b->resp.len : 64, "\"errors\":false", 14) != NULL) {
		settle_ok(s, b);
		return;
	}
	root = json_loadb(b->resp.p, b->resp.len, 0, &jerr);
	items = root ? json_object_get(root, "items") : NULL;
	if (!json_is_array(items) || json_array_size(items) != b->n) {
		char why[200];

		snprintf(why, sizeof(why), "bulk response unreadable (%s)",
		    root == NULL ? jerr.text : "items missing or wrong count");
		json_decref(root);
		retry_all(s, b, why);
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
		if (b->items[i].dl && ((status >= 200 && status < 300) ||
		    status == 409)) {
			dl_stored(s, &b->items[i]);	/* now or before */
		} else if (status >= 200 && status < 300) {
			settle(s, &b->items[i], SINK_OK);
		} else if (status == 409) {
			settle(s, &b->items[i], SINK_DUPLICATE);
		} else if (status == 429 || status >= 500 || status == 0) {
			char why[200];

			err = json_object_get(op, "error");
			snprintf(why, sizeof(why), "HTTP %ld %s", status,
			    json_string_value(json_object_get(err, "type")) ?
			    json_string_value(json_object_get(err, "type")) : "");
			retry_item(s, b, i, &rb, why);
			if (b->items[i].attempts > maxatt)
				maxatt = b->items[i].attempts;
		} else {
			const char *type, *reason;

			err = json_object_get(op, "error");
			type = json_string_value(json_object_get(err, "type"));
			reason = json_string_value(json_object_get(err, "reason"));
			dead_letter(s, b, &b->items[i], status,
			    type ? type : "unknown", reason ? reason : "");
		}
	}
	json_decref(root);
	if (rb != NULL) {
		rb->not_before = clock_ms() + backoff_ms(s, maxatt);
		wait_batch(s, rb);
	}
}

/* The reason from an ES error body, for messages. */
static void
error_reason(const struct buf *resp, char *out, size_t cap)
{
	json_t *root = json_loadb(resp->p, resp->len, 0, NULL);
	json_t *e = root ? json_object_get(root, "error") : NULL;
	const char *t = json_string_value(json_object_get(e, "type"));
	const char *r = json_string_value(json_object_get(e, "reason"));

	if (t != NULL || r != NULL)
		snprintf(out, cap, "%s: %s", t ? t : "error", r ? r : "");
	else if (json_is_string(e))
		snprintf(out, cap, "%s", json_string_value(e));
	else
		snprintf(out, cap, "%.*s", (int)(resp->len < 160 ? resp->len : 160),
		    resp->p ? resp->p : "");
	json_decref(root);
}

static void
done(struct es *s, struct batch *b, CURLcode cc)
{
	long status = 0;
	char why[400], reason[300];
	size_t i;

	curl_easy_getinfo(b->easy, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK) {
		snprintf(why, sizeof(why), "%s", b->curlerr[0] ? b->curlerr :
		    curl_easy_strerror(cc));
		retry_all(s, b, why);
	} else if (status == 200 && s->cfg->logstash) {
		settle_ok(s, b);	/* Logstash's http input: all or none */
	} else if (status == 200) {
		settle_items(s, b);
	} else if (status == 413) {
		split(s, b);
	} else if (status == 429 || status >= 500) {
		error_reason(&b->resp, reason, sizeof(reason));
		snprintf(why, sizeof(why), "HTTP %ld %s", status, reason);
		retry_all(s, b, why);
	} else if (status == 401 || status == 403) {
		error_reason(&b->resp, reason, sizeof(reason));
		snprintf(s->err, sizeof(s->err), "%s (HTTP %ld): %s",
		    status == 401 ? "the cluster rejected the credentials" :
		    "the cluster does not allow this user to write there",
		    status, reason);
		s->fatal = 1;
		for (i = 0; i < b->n; i++)
			undelivered(s, b, &b->items[i], s->err);
	} else {
		error_reason(&b->resp, reason, sizeof(reason));
		for (i = 0; i < b->n; i++)
			dead_letter(s, b, &b->items[i], status, "request_rejected",
			    reason);
	}
}

/* ---- transport ---------------------------------------------------------- */

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct batch *b = arg;

	if (buf_add(&b->resp, p, size * nmemb) != 0)
		return 0;	/* aborts the transfer: retried */
	return size * nmemb;
}

static CURL *
easy_get(struct es *s)
{
	if (s->nspare > 0)
		return s->spare[--s->nspare];
	return curl_easy_init();
}

static void
easy_put(struct es *s, CURL *e)
{
	if (s->nspare < (int)(sizeof(s->spare) / sizeof(s->spare[0])))
		s->spare[s->nspare++] = e;
	else
		curl_easy_cleanup(e);
}

void
es_curl_common(void *easy, const struct es_config *c,
    struct curl_slist **headers)
{
	CURL *e = easy;
	char hdr[512];

	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
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
	if (c->ca_file != NULL || cacert_path() != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO,
		    c->ca_file ? c->ca_file : cacert_path());
	if (c->cert_file != NULL)
		curl_easy_setopt(e, CURLOPT_SSLCERT, c->cert_file);
	if (c->key_file != NULL)
		curl_easy_setopt(e, CURLOPT_SSLKEY, c->key_file);
	if (c->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

/*
 * Make the bytes start() sends for ${b}: its body, as a JSON array for
 * Logstash, gzip-compressed unless that is off.  Touches nothing but ${b}
 * and the configuration: the compressor thread runs it.  0, or -1 if a
 * buffer cap is reached.
 */
static int
prepare(const struct es_config *c, struct batch *b)
{
	const char *body = b->body.p;
	size_t n = b->body.len;

	if (c->logstash) {
		/* "doc,doc," -> "[doc,doc]" */
		buf_reset(&b->arr);
		if (buf_add(&b->arr, "[", 1) != 0 ||
		    buf_add(&b->arr, b->body.p, b->body.len) != 0)
			return -1;
		b->arr.p[b->arr.len - 1] = ']';
		body = b->arr.p;
		n = b->arr.len;
	}
	if (c->compress && gzenc(body, n, &b->sent) != 0)
		return -1;
	b->prepared = 1;
	return 0;
}

static int
start(struct es *s, struct batch *b)
{
	const struct es_config *c = s->cfg;
	const char *body;
	size_t n, i;
	int64_t t = clock_ms();

	if (!b->prepared && prepare(c, b) != 0)
		return -1;
	body = c->compress ? b->sent.p : c->logstash ? b->arr.p : b->body.p;
	n = c->compress ? b->sent.len : c->logstash ? b->arr.len : b->body.len;
	for (i = 0; i < b->n; i++) {
		if (b->items[i].attempts == 0)
			b->items[i].first_ms = t;
		b->items[i].attempts++;
	}
	b->easy = easy_get(s);
	if (b->easy == NULL)
		return -1;
	curl_easy_reset(b->easy);
	b->hdrs = curl_slist_append(NULL, c->logstash ?
	    "Content-Type: application/json" :
	    "Content-Type: application/x-ndjson");
	b->hdrs = curl_slist_append(b->hdrs, "Expect:");
	if (c->compress)
		b->hdrs = curl_slist_append(b->hdrs, "Content-Encoding: gzip");
	es_curl_common(b->easy, c, &b->hdrs);
	if (c->signer != NULL && c->signer->sign(c->signer->arg, "POST",
	    s->bulk_url, body, n, c->signer->content_sha256, &b->hdrs, s->err,
	    sizeof(s->err)) != 0)
		return -1;
	buf_reset(&b->resp);
	b->curlerr[0] = '\0';
	curl_easy_setopt(b->easy, CURLOPT_URL, s->bulk_url);
	curl_easy_setopt(b->easy, CURLOPT_POST, 1L);
	curl_easy_setopt(b->easy, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(b->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
	/*
	 * curl copies the body through its upload buffer (64 KiB by default):
	 * 256 KiB means 4x fewer send()s and, on uncompressed 5 MB bodies,
	 * about 12% less CPU (bench/cost.sh); 1 MiB did no better.
	 */
	curl_easy_setopt(b->easy, CURLOPT_UPLOAD_BUFFERSIZE, 262144L);
	curl_easy_setopt(b->easy, CURLOPT_HTTPHEADER, b->hdrs);
	curl_easy_setopt(b->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(b->easy, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(b->easy, CURLOPT_PRIVATE, b);
	curl_easy_setopt(b->easy, CURLOPT_ERRORBUFFER, b->curlerr);
	if (s->base.deadline_ms != 0 &&
	    s->base.deadline_ms - t < c->timeout_ms) {
		/* Never run past the deadline (a Lambda invocation's). */
		long tmo = s->base.deadline_ms - t > 1 ?
		    (long)(s->base.deadline_ms - t) : 1;

		curl_easy_setopt(b->easy, CURLOPT_TIMEOUT_MS, tmo);
	}
	s->base.total.requests++;
	s->base.total.bytes_sent += n;
	s->base.total.bytes_raw += b->body.len;
	curl_multi_add_handle(s->multi, b->easy);
	s->inflight++;
	s->fly[s->nfly++] = b;
	return 0;
}

static void
fly_remove(struct es *s, const struct batch *b)
{
	int i;

	for (i = 0; i < s->nfly; i++) {
		if (s->fly[i] == b) {
			s->fly[i] = s->fly[--s->nfly];
			return;
		}
	}
}

/* Collect finished transfers and settle their batches. */
static void
reap(struct es *s)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(s->multi, &left)) != NULL) {
		struct batch *b = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&b);
		curl_multi_remove_handle(s->multi, b->easy);
		s->inflight--;
		fly_remove(s, b);
		done(s, b, m->data.result);
		dl_schedule(s);
		easy_put(s, b->easy);
		b->easy = NULL;
		batch_put(s, b);
	}
}

/* Start waiting batches whose time has come, while there is room. */
static int
start_due(struct es *s)
{
	int64_t t = clock_ms();

	/*
	 * A batch back from the compressor is counted in cz_busy already:
	 * starting it leaves inflight + cz_busy as it is.  Those batches are
	 * kept at the head of the list (cz_collect()), so a retry waiting for
	 * room never stands in front of them.
	 */
	while (s->waiting != NULL && s->inflight + s->cz_busy -
	    s->waiting->fresh < s->cfg->max_inflight &&
	    s->waiting->not_before <= t && !s->fatal) {
		struct batch *b = s->waiting;

		s->waiting = b->next;
		b->next = NULL;
		if (b->fresh) {
			b->fresh = 0;
			s->cz_busy--;
		}
		if (start(s, b) != 0) {
			size_t i;

			for (i = 0; i < b->n; i++)
				undelivered(s, b, &b->items[i], s->err[0] ? s->err :
				    "could not start a request");
			batch_free(b);
		}
	}
	return 0;
}

/* Append ${b} to the FIFO list at ${*head}. */
static void
fifo_push(struct batch **head, struct batch *b)
{
	while (*head != NULL)
		head = &(*head)->next;
	b->next = NULL;
	*head = b;
}

static void *
cz_main(void *arg)
{
	struct es *s = arg;

	pthread_mutex_lock(&s->cz_mu);
	for (;;) {
		struct batch *b;

		while (s->cz_in == NULL && !s->cz_stop)
			pthread_cond_wait(&s->cz_cv, &s->cz_mu);
		if (s->cz_in == NULL)
			break;
		b = s->cz_in;
		s->cz_in = b->next;
		pthread_mutex_unlock(&s->cz_mu);
		/* On failure start() tries again, and reports it. */
		(void)prepare(s->cfg, b);
		pthread_mutex_lock(&s->cz_mu);
		fifo_push(&s->cz_out, b);
		curl_multi_wakeup(s->multi);	/* a caller may be polling */
	}
	pthread_mutex_unlock(&s->cz_mu);
	return NULL;
}

/* Hand a full batch to the compressor. */
static void
cz_give(struct es *s, struct batch *b)
{
	b->fresh = 1;
	s->cz_pending++;
	s->cz_busy++;
	pthread_mutex_lock(&s->cz_mu);
	fifo_push(&s->cz_in, b);
	pthread_cond_signal(&s->cz_cv);
	pthread_mutex_unlock(&s->cz_mu);
}

/*
 * Take the batches the compressor has done, to be started first: in
 * order, after the ones taken before, ahead of every retry.
 */
static void
cz_collect(struct es *s)
{
	struct batch *b, *next, **pp = &s->waiting;

	if (s->cz_pending == 0)
		return;
	pthread_mutex_lock(&s->cz_mu);
	b = s->cz_out;
	s->cz_out = NULL;
	pthread_mutex_unlock(&s->cz_mu);
	while (*pp != NULL && (*pp)->fresh)
		pp = &(*pp)->next;
	for (; b != NULL; b = next) {
		next = b->next;
		s->cz_pending--;
		b->not_before = 0;
		b->next = *pp;
		*pp = b;
		pp = &b->next;
	}
}

/* Run transfers for up to ${wait_ms} (or until something finishes). */
static void
drive(struct es *s, long wait_ms)
{
	int running = 0;

	curl_multi_perform(s->multi, &running);
	reap(s);
	cz_collect(s);
	start_due(s);
	if (wait_ms > 0 && (s->inflight > 0 || s->waiting != NULL ||
	    s->cz_pending > 0)) {
		long w = wait_ms;

		if (s->waiting != NULL && s->inflight < s->cfg->max_inflight) {
			int64_t d = s->waiting->not_before - clock_ms();

			if (d < w)
				w = d < 1 ? 1 : (long)d;
		}
		curl_multi_poll(s->multi, NULL, 0, (int)w, NULL);
		curl_multi_perform(s->multi, &running);
		reap(s);
		cz_collect(s);
		start_due(s);
	}
}

/* Told to stop (SIGINT, SIGTERM)? */
static int
stopped(const struct es *s)
{
	return s->base.stop != NULL && *s->base.stop;
}

/* Send the open batch, waiting for room if max_inflight are out. */
static int
send_open(struct es *s)
{
	struct batch *b = s->open;

	if (b == NULL || b->n == 0)
		return 0;
	s->open = NULL;
	/* Batches with the compressor, or back from it, count as in flight. */
	while (s->inflight + s->cz_busy >= s->cfg->max_inflight && !s->fatal &&
	    !stopped(s))
		drive(s, 100);
	if (s->fatal || stopped(s)) {
		size_t i;

		for (i = 0; i < b->n; i++)
			undelivered(s, b, &b->items[i], s->fatal ? s->err :
			    "interrupted before delivery");
		batch_free(b);
		return -1;
	}
	if (s->cz_on) {
		cz_give(s, b);
		return 0;
	}
	b->not_before = 0;
	wait_batch(s, b);
	start_due(s);
	return 0;
}

/* ---- sink operations ----------------------------------------------------- */

/*
 * The action-line prefix for documents of type ${ti} (and, for a dated
 * pattern, of the day at ${ts}, "YYYY-MM-DD"): {"create":{"_index":"NAME","_id":"
 */
static void
set_prefix(struct es *s, int ti, const char *ts)
{
	char name[300];
	struct buf a;

	render(s->cfg->index, ti, ts, 0, name, sizeof(name));
	free(s->index[ti]);
	buf_init(&a, 4096);
	buf_adds(&a, "{\"create\":{\"_index\":\"");
	buf_reserve(&a, 6 * strlen(name) + 32);
	a.len = (size_t)(jsonw_raw_str(a.p + a.len,
	    slice_make(name, strlen(name))) - a.p);
	buf_adds(&a, "\",\"_id\":\"");
	s->nindex[ti] = a.len;
	buf_add(&a, "", 1);
	s->index[ti] = a.p;
	if (ts != NULL) {
		memcpy(s->day[ti], ts, 10);
		s->day[ti][10] = '\0';
	}
}

/*
 * Dated pattern: point index[ti] at the day of document ${d}.  Every
 * document elbship encodes starts with {"@timestamp":"YYYY-MM-DD; the
 * index is recomputed only when the day changes.
 */
static void
dated_prefix(struct es *s, int ti, const char *json, size_t n)
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
	if (memcmp(s->day[ti], ts, 10) != 0)
		set_prefix(s, ti, ts);
}

/* Take ${db} (under the lock); documents not taken are undelivered. */
static int
put_locked(struct es *s, const struct docbatch *db)
{
	size_t i;

	if (db->tally != NULL) {
		db->tally->taken += db->ndocs;
		db->tally->bytes += db->json_len;
	}
	for (i = 0; i < db->ndocs && !s->fatal; i++) {
		const struct docref *d = &db->docs[i];
		int ti = d->type < NTYPES ? d->type : 0;
		size_t need;
		struct batch *b;
		size_t off, doc;
		char *o;

		if (s->dated)
			dated_prefix(s, ti, db->json + d->json, d->json_len);
		need = s->nindex[ti] + d->idlen + 16 + d->json_len + 1;
		if (s->open != NULL && (s->open->n >= s->cfg->batch_docs ||
		    s->open->body.len + need > s->cfg->batch_bytes))
			if (send_open(s) != 0)
				break;
		if (s->open == NULL)
			s->open = batch_get(s);
		b = s->open;
		off = b->body.len;
		if (buf_reserve(&b->body, need) != 0) {
			snprintf(s->err, sizeof(s->err), "request body too large");
			break;
		}
		o = b->body.p + off;
		if (!s->cfg->logstash) {
			o = jsonw_lit(o, s->index[ti], s->nindex[ti]);
			o = jsonw_bytes(o, slice_make(d->id, d->idlen));
			o = JW(o, "\"}}\n");
		}
		doc = (size_t)(o - (b->body.p + off));
		memcpy(o, db->json + d->json, d->json_len);
		o[d->json_len] = s->cfg->logstash ? ',' : '\n';
		if (batch_item(b, off, doc + d->json_len + 1, doc,
		    db->lines + d->line, d->line_len, d->id, 0, 0,
		    db->tally) != 0) {
			snprintf(s->err, sizeof(s->err), "request body too large");
			break;
		}
		b->body.len = off + doc + d->json_len + 1;
		if ((i & 255) == 0)
			drive(s, 0);
	}
	if (i == db->ndocs)
		return 0;
	sink_settle(&s->base, db->tally, SINK_UNDELIVERED, db->ndocs - i,
	    s->err);
	return -1;
}

static int
es_put(struct sink *base, const struct docbatch *db)
{
	struct es *s = (struct es *)base;
	int rc;

	/* A sync() polling with the lock held lets go at once. */
	atomic_fetch_add(&s->want, 1);
	curl_multi_wakeup(s->multi);
	pthread_mutex_lock(&s->mu);
	atomic_fetch_sub(&s->want, 1);
	rc = put_locked(s, db);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

/*
 * Interrupted: abandon the requests in flight (their documents are
 * undelivered: the cluster may have stored them, and a rerun counts those
 * as duplicates) and wait for the compressor to hand back what it holds.
 */
static void
abandon(struct es *s)
{
	struct batch *hs[16];
	int i, n;

	while (s->cz_pending > 0) {
		cz_collect(s);
		if (s->cz_pending > 0)
			curl_multi_poll(s->multi, NULL, 0, 10, NULL);
	}
	n = s->nfly;
	memcpy(hs, s->fly, sizeof(hs));
	s->nfly = 0;
	for (i = 0; i < n; i++) {
		struct batch *b = hs[i];
		size_t k;

		curl_multi_remove_handle(s->multi, b->easy);
		s->inflight--;
		for (k = 0; k < b->n; k++)
			undelivered(s, b, &b->items[k], "interrupted while in "
			    "flight (a rerun counts what the cluster kept as "
			    "duplicates)");
		easy_put(s, b->easy);
		b->easy = NULL;
		batch_put(s, b);
	}
}

/* Is there something of ${t} (NULL: anything) still to settle? */
static int
unsettled(const struct es *s, const struct sink_tally *t)
{
	if (t != NULL && sink_tally_settled(t) >= t->taken)
		return 0;
	return s->inflight > 0 || s->cz_pending > 0 ||
	    (s->waiting != NULL && !s->fatal);
}

static int
es_sync(struct sink *base, struct sink_tally *t)
{
	struct es *s = (struct es *)base;
	int rc, over = 0;

	pthread_mutex_lock(&s->mu);
	(void)send_open(s);	/* on a fatal error it settles the batch */
	while (unsettled(s, t)) {
		if (stopped(s)) {
			over = 1;
			abandon(s);
			break;
		}
		over = s->base.deadline_ms && clock_ms() >= s->base.deadline_ms;
		if (over && s->inflight == 0 && s->cz_pending == 0)
			break;
		drive(s, 100);
		if (atomic_load(&s->want) > 0) {
			/* Someone waits to put: let them. */
			pthread_mutex_unlock(&s->mu);
			sched_yield();
			pthread_mutex_lock(&s->mu);
		}
	}
	/*
	 * After a fatal error or at the deadline, whatever still waits is
	 * undelivered (every tally's: they would all fail the same way).
	 */
	while ((s->fatal || over) && s->waiting != NULL) {
		struct batch *b = s->waiting;
		size_t i;

		s->waiting = b->next;
		if (b->fresh)
			s->cz_busy--;
		for (i = 0; i < b->n; i++)
			undelivered(s, b, &b->items[i], s->fatal ? s->err :
			    stopped(s) ? "interrupted before delivery" :
			    "the deadline was reached before delivery");
		batch_free(b);
	}
	rc = s->fatal || (t != NULL && t->n[SINK_UNDELIVERED] > 0) ? -1 : 0;
	if (s->dlq != NULL && fflush(s->dlq) != 0) {
		snprintf(s->err, sizeof(s->err), "dead-letter file: %s",
		    strerror(errno));
		rc = -1;
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static void
es_reset(struct sink *base)
{
	struct es *s = (struct es *)base;

	pthread_mutex_lock(&s->mu);
	s->fatal = 0;
	s->err[0] = '\0';
	s->shown = 0;
	pthread_mutex_unlock(&s->mu);
}

static void
es_free(struct sink *base)
{
	struct es *s = (struct es *)base;
	int i;

	if (s == NULL)
		return;
	if (s->cz_on) {
		pthread_mutex_lock(&s->cz_mu);
		s->cz_stop = 1;
		pthread_cond_signal(&s->cz_cv);
		pthread_mutex_unlock(&s->cz_mu);
		pthread_join(s->cz, NULL);
		pthread_mutex_destroy(&s->cz_mu);
		pthread_cond_destroy(&s->cz_cv);
		/* Only after a put() failed with batches still in its hands. */
		while (s->cz_out != NULL) {
			struct batch *b = s->cz_out;

			s->cz_out = b->next;
			batch_free(b);
		}
	}
	batch_free(s->open);
	while (s->waiting != NULL) {
		struct batch *b = s->waiting;

		s->waiting = b->next;
		batch_free(b);
	}
	while (s->pool != NULL) {
		struct batch *b = s->pool;

		s->pool = b->next;
		batch_free(b);
	}
	for (i = 0; i < s->nspare; i++)
		curl_easy_cleanup(s->spare[i]);
	if (s->multi != NULL)
		curl_multi_cleanup(s->multi);
	if (s->dlq != NULL)
		fclose(s->dlq);
	batch_free(s->dlb);
	free(s->dl_action);
	pthread_mutex_destroy(&s->mu);
	for (i = 0; i < NTYPES; i++)
		free(s->index[i]);
	free(s->bulk_url);
	free(s);
}

static const char *
es_error(const struct sink *base)
{
	return ((const struct es *)base)->err;
}

static const struct sink_ops es_ops = {
	.put = es_put,
	.sync = es_sync,
	.reset = es_reset,
	.free = es_free,
	.error = es_error,
};

static const struct sink_info es_info = {
	.name = "elasticsearch",
	.ok_word = "indexed",
	.remote = 1,
	.acked = 1,
};

static const struct sink_info lshttp_info = {
	.name = "logstash",
	.ok_word = "indexed",
	.remote = 1,
	.acked = 1,
};

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
	struct es *s;
	struct buf u;
	size_t l;
	int i;

	if (c->url == NULL || (strncmp(c->url, "http://", 7) != 0 &&
	    strncmp(c->url, "https://", 8) != 0)) {
		snprintf(err, errcap, "%s", c->logstash ? "the Logstash URL must "
		    "start with http://, https:// (http input), tcp:// or tls:// "
		    "(tcp input)" : "the Elasticsearch URL must start with "
		    "http:// or https://");
		return NULL;
	}
	if (strchr(c->url, '@') != NULL) {
		snprintf(err, errcap, "put credentials in ELBSHIP_ES_USERNAME / "
		    "ELBSHIP_ES_PASSWORD or an API key, not in the URL (it shows "
		    "in ps and in logs)");
		return NULL;
	}
	if (c->batch_docs == 0 || c->batch_bytes < 1024 || c->max_inflight < 1 ||
	    c->max_inflight > 16 || c->retry_attempts < 1) {
		snprintf(err, errcap, "bad batch, in-flight or retry settings");
		return NULL;
	}
	if (!c->logstash && es_index_check(c->index, err, errcap) != 0)
		return NULL;
	if (c->dead_letter_index != NULL && (c->logstash ||
	    es_dead_letter_index_check(c->dead_letter_index, err, errcap) != 0)) {
		if (c->logstash)
			snprintf(err, errcap, "a dead-letter index needs "
			    "Elasticsearch or OpenSearch, not Logstash");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->base.ops = &es_ops;
	s->base.info = c->logstash ? &lshttp_info : &es_info;
	pthread_mutex_init(&s->mu, NULL);
	s->cfg = c;
	s->rng = (uint64_t)clock_ms() * 0x9E3779B97F4A7C15ULL | 1;
	buf_init(&u, 8192);
	l = strlen(c->url);
	while (l > 0 && c->url[l - 1] == '/')
		l--;
	if (c->logstash) {
		buf_adds(&u, c->url);	/* the http input takes any path */
	} else {
		buf_add(&u, c->url, l);
		/* Query values encoded as SigV4 canonicalises them, so the
		 * URL sent is the URL signed. */
		buf_adds(&u, "/_bulk?filter_path=");
		qenc(&u, "errors,items.*.status,items.*.error");
	}
	if (c->pipeline != NULL && !c->logstash) {
		buf_adds(&u, "&pipeline=");
		qenc(&u, c->pipeline);
	}
	buf_add(&u, "", 1);
	s->bulk_url = u.p;
	s->dated = !c->logstash && es_index_dated(c->index);
	for (i = 0; i < NTYPES; i++)
		set_prefix(s, i, NULL);
	if (c->dead_letter_index != NULL) {
		/* The request's pipeline is for log documents, not records. */
		buf_init(&u, 4096);
		buf_printf(&u, "{\"create\":{\"_index\":\"%s\",%s\"_id\":\"",
		    c->dead_letter_index, c->pipeline != NULL ?
		    "\"pipeline\":\"_none\"," : "");
		buf_add(&u, "", 1);
		s->dl_action = u.p;
	}
	s->multi = curl_multi_init();
	if (s->multi == NULL) {
		snprintf(err, errcap, "curl_multi_init failed");
		es_free(&s->base);
		return NULL;
	}
	curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)c->max_inflight);
	if (c->compress) {
		pthread_mutex_init(&s->cz_mu, NULL);
		pthread_cond_init(&s->cz_cv, NULL);
		s->cz_on = pthread_create(&s->cz, NULL, cz_main, s) == 0;
		if (!s->cz_on) {	/* then compress in start(), as before */
			pthread_mutex_destroy(&s->cz_mu);
			pthread_cond_destroy(&s->cz_cv);
		}
	}
	return &s->base;
}
