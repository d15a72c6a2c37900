/*
 * beats.c: the Logstash beats input sink (Lumberjack v2).  See beats.h
 * for the guarantee, lumberjack.h for the frames.
 *
 * The held documents are one queue, in the order taken: docs[head ..
 * sent) are in the windows in flight (oldest first, win[0] starting at
 * head), docs[sent .. ndocs) are waiting to be sent.  An ACK settles
 * documents from head; a broken connection puts every window in flight
 * back (sent = head), to go again on the next one.  Their JSON (with
 * @metadata) is in store, in the same order.
 *
 * libcurl in CONNECT_ONLY mode gives the connection, plain or TLS, with
 * the CA, client certificate and verification settings of the other
 * sinks; curl_easy_send() and curl_easy_recv() carry the frames.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "sink/beats.h"
#include "sink/lumberjack.h"
#include "util/backoff.h"
#include "util/buf.h"
#include "util/curlx.h"
#include "util/clock.h"
#include "util/xalloc.h"

#define INFLIGHT 2		/* windows in flight (Filebeat's pipelining) */
#define STORE_MAX ((size_t)4 << 30)

struct bdoc {
	size_t off, len;		/* the event in store */
	struct sink_tally *t;
};

struct bwin {
	size_t first, count, acked;	/* docs[first .. first + count) */
};

struct beats {
	struct sink base;
	pthread_mutex_t mu;		/* everything below */
	const struct beats_config *cfg;
	char *url;			/* http:// or https:// form for curl */
	CURL *c;
	curl_socket_t fd;
	struct buf store;		/* the held events' JSON */
	struct bdoc *docs;
	size_t ndocs, cap, head, sent;
	size_t ever;			/* docs[.. ever) were sent at least once */
	struct bwin win[INFLIGHT];
	size_t nwin;
	struct buf frames, wire;	/* a window's frames; what is sent */
	unsigned char rx[LJ_ACK_LEN];	/* an ACK's first bytes */
	size_t rxn;
	unsigned fails;			/* connections in a row without progress */
	int64_t fail_first;
	struct backoff bo;	/* the one policy (util/backoff.h), 30 s cap */
	int failed;			/* gave up: until reset() */
	char err[320];
};

int
beats_url(const char *u)
{
	return u != NULL && (strncmp(u, "beats://", 8) == 0 ||
	    strncmp(u, "beatss://", 9) == 0);
}

static void
disconnect(struct beats *s)
{
	if (s->c != NULL)
		curl_easy_cleanup(s->c);
	s->c = NULL;
	s->fd = CURL_SOCKET_BAD;
	s->rxn = 0;
}

static int
stopped(const struct beats *s)
{
	return s->base.stop != NULL && *s->base.stop;
}

static int
past_deadline(const struct beats *s)
{
	return s->base.deadline_ms != 0 && clock_ms() >= s->base.deadline_ms;
}

/* The most a wait may last now: ${ms}, less if the deadline is nearer. */
static int64_t
bound(const struct beats *s, int64_t ms)
{
	if (s->base.deadline_ms != 0 && s->base.deadline_ms - clock_ms() < ms)
		ms = s->base.deadline_ms - clock_ms();
	return ms < 0 ? 0 : ms;
}

static int
connect_peer(struct beats *s)
{
	const struct beats_config *c = s->cfg;
	struct curlx_opts o = {
	    .connect_timeout_ms = (long)(bound(s, c->conn.timeout_ms) + 1),
	    .keepalive = 1, .ca_file = c->conn.ca_file,
	    .cert_file = c->conn.cert_file, .key_file = c->conn.key_file,
	    .insecure = c->conn.insecure };
	CURLcode cc;

	disconnect(s);
	s->c = curlx_connect(s->url, &o, &s->fd, &cc);
	if (s->c == NULL) {
		snprintf(s->err, sizeof(s->err), "cannot connect to %s: %s",
		    c->conn.url, curl_easy_strerror(cc));
		return -1;
	}
	s->base.total.connects++;
	return 0;
}

static int feed(struct beats *s, const unsigned char *b, size_t n);

/*
 * Send ${n} bytes.  A Logstash that is busy stops reading and sends
 * keep-alive ACKs instead: while the send waits for room, what the peer
 * sends is read (ACKs of the windows in flight settle as usual), and any
 * of it proves the peer alive, so the timeout runs from the last byte
 * either way.
 */
static int
send_all(struct beats *s, const char *p, size_t n)
{
	int64_t until = clock_ms() + bound(s, s->cfg->conn.timeout_ms);

	while (n > 0) {
		size_t w = 0;
		CURLcode cc = curl_easy_send(s->c, p, n, &w);

		if (cc == CURLE_AGAIN) {
			struct pollfd pf = { s->fd, POLLOUT | POLLIN, 0 };
			int64_t left = until - clock_ms();

			if (left <= 0 || stopped(s)) {
				snprintf(s->err, sizeof(s->err), "sending a window "
				    "to %s timed out", s->cfg->conn.url);
				return -1;
			}
			if (poll(&pf, 1, left > 100 ? 100 : (int)left) > 0 &&
			    (pf.revents & POLLIN) != 0) {
				unsigned char b[4096];
				size_t got = 0;

				cc = curl_easy_recv(s->c, b, sizeof(b), &got);
				if (cc == CURLE_OK && got == 0) {
					snprintf(s->err, sizeof(s->err), "%s closed "
					    "the connection while a window was "
					    "sent", s->cfg->conn.url);
					return -1;
				}
				if (cc == CURLE_OK) {
					if (feed(s, b, got) != 0)
						return -1;
					until = clock_ms() +
					    bound(s, s->cfg->conn.timeout_ms);
				} else if (cc != CURLE_AGAIN) {
					snprintf(s->err, sizeof(s->err), "%s: %s",
					    s->cfg->conn.url,
					    curl_easy_strerror(cc));
					return -1;
				}
			}
			continue;
		}
		if (cc != CURLE_OK) {
			snprintf(s->err, sizeof(s->err), "sending to %s failed: "
			    "%s", s->cfg->conn.url, curl_easy_strerror(cc));
			return -1;
		}
		p += w;
		n -= w;
	}
	return 0;
}

/*
 * Settle docs[head .. head + n) as ${o}, a run of one tally at a time,
 * and move head past them.
 */
static void
settle_head(struct beats *s, size_t n, enum sink_outcome o, const char *why)
{
	size_t end = s->head + n;

	while (s->head < end) {
		size_t i = s->head + 1;
		struct sink_tally *t = s->docs[s->head].t;

		while (i < end && s->docs[i].t == t)
			i++;
		sink_settle(&s->base, t, o, i - s->head, why);
		s->head = i;
	}
	if (s->sent < s->head)
		s->sent = s->head;
	if (s->ever < s->head)
		s->ever = s->head;
}

/* Drop what is settled from the queue and the store, now and then. */
static void
compact(struct beats *s)
{
	size_t k = s->head, i, base;

	if (k == s->ndocs) {
		s->ndocs = s->head = s->sent = s->ever = 0;
		s->store.len = 0;
		return;
	}
	if (k < 4096 || k < s->ndocs / 2)
		return;
	base = s->docs[k].off;
	memmove(s->store.p, s->store.p + base, s->store.len - base);
	s->store.len -= base;
	for (i = k; i < s->ndocs; i++) {
		s->docs[i - k] = s->docs[i];
		s->docs[i - k].off -= base;
	}
	for (i = 0; i < s->nwin; i++)
		s->win[i].first -= k;
	s->ndocs -= k;
	s->head = 0;
	s->sent -= k;
	s->ever = s->ever > k ? s->ever - k : 0;
}

/* Every held document as ${o}: the queue is then empty. */
static void
settle_all(struct beats *s, enum sink_outcome o, const char *why)
{
	s->nwin = 0;
	settle_head(s, s->ndocs - s->head, o, why);
	compact(s);
}

/* The connection broke: the windows in flight go again on the next one. */
static void
broken(struct beats *s)
{
	disconnect(s);
	s->nwin = 0;
	s->sent = s->head;
}

/* Send the next window of up to cfg->window waiting documents. */
static int
send_window(struct beats *s)
{
	size_t n = s->ndocs - s->sent, i, again;
	struct bwin *w;

	if (n > s->cfg->window)
		n = s->cfg->window;
	buf_reset(&s->frames);
	buf_reset(&s->wire);
	for (i = 0; i < n; i++) {
		const struct bdoc *d = &s->docs[s->sent + i];

		if (lj_json(&s->frames, (uint32_t)(i + 1), s->store.p + d->off,
		    d->len) != 0)
			goto toobig;
	}
	if (lj_window(&s->wire, (uint32_t)n) != 0)
		goto toobig;
	if (s->cfg->compression > 0) {
		if (lj_compressed(&s->wire, s->frames.p, s->frames.len,
		    s->cfg->compression) != 0)
			goto toobig;
	} else if (buf_add(&s->wire, s->frames.p, s->frames.len) != 0) {
		goto toobig;
	}
	if (send_all(s, s->wire.p, s->wire.len) != 0)
		return -1;
	w = &s->win[s->nwin++];
	w->first = s->sent;
	w->count = n;
	w->acked = 0;
	again = s->ever > s->sent ? (s->ever < s->sent + n ? s->ever : s->sent +
	    n) - s->sent : 0;
	s->base.total.resent += again;
	s->base.total.retried += again;
	s->sent += n;
	if (s->ever < s->sent)
		s->ever = s->sent;
	s->base.total.requests++;
	s->base.total.bytes_sent += s->wire.len;
	s->base.total.bytes_raw += s->frames.len;
	return 0;
toobig:
	snprintf(s->err, sizeof(s->err), "a window of %zu events does not fit "
	    "in memory or in a frame", n);
	return -1;
}

/*
 * One ACK.  New sequence numbers of the oldest window settle its
 * documents; 0 or one already acknowledged is a keep-alive.  1: progress,
 * 0: a keep-alive, -1: a protocol error.
 */
static int
on_ack(struct beats *s, uint32_t seq)
{
	struct bwin *w = &s->win[0];

	if (s->nwin == 0) {
		if (seq == 0)
			return 0;
		snprintf(s->err, sizeof(s->err), "%s acknowledged sequence %u "
		    "with no window in flight", s->cfg->conn.url, seq);
		return -1;
	}
	if (seq > w->count) {
		snprintf(s->err, sizeof(s->err), "%s acknowledged sequence %u "
		    "of a window of %zu events", s->cfg->conn.url, seq, w->count);
		return -1;
	}
	if (seq <= w->acked)
		return 0;
	settle_head(s, seq - w->acked, SINK_OK, NULL);
	w->acked = seq;
	if (w->acked == w->count) {
		memmove(&s->win[0], &s->win[1], (s->nwin - 1) * sizeof(*w));
		s->nwin--;
	}
	s->fails = 0;
	return 1;
}

/* Bytes from the peer: ACK frames, maybe cut anywhere.  0, or -1. */
static int
feed(struct beats *s, const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t seq;
		int r;

		s->rx[s->rxn++] = b[i];
		r = lj_ack_parse(s->rx, s->rxn, &seq);
		if (r < 0) {
			unsigned char c = s->rx[s->rxn - 1];
			char shown[8] = "";

			if (c >= 0x20 && c < 0x7f)
				snprintf(shown, sizeof(shown), " ('%c')", c);
			snprintf(s->err, sizeof(s->err), "%s answered byte 0x%02x%s "
			    "where a Lumberjack v2 ACK was due: not Logstash's beats "
			    "input?", s->cfg->conn.url, c, shown);
			return -1;
		}
		if (r == 0)
			continue;
		s->rxn = 0;
		if (on_ack(s, seq) < 0)
			return -1;
	}
	return 0;
}

/*
 * Read the ACKs already there, without waiting (before sending more).
 * A connection the peer closed with nothing in flight is simply closed
 * (the beats input closes idle ones).  0, or -1: broken.
 */
static int
drain(struct beats *s)
{
	for (;;) {
		unsigned char b[4096];
		size_t got = 0;
		CURLcode cc = curl_easy_recv(s->c, b, sizeof(b), &got);

		if (cc == CURLE_AGAIN)
			return 0;
		if (cc != CURLE_OK || got == 0) {
			if (s->nwin == 0) {
				disconnect(s);
				return 0;
			}
			snprintf(s->err, sizeof(s->err), "%s %s with a window "
			    "of %zu events in flight (%zu acknowledged)",
			    s->cfg->conn.url, cc != CURLE_OK ? curl_easy_strerror(cc) :
			    "closed the connection", s->win[0].count,
			    s->win[0].acked);
			return -1;
		}
		if (feed(s, b, got) != 0)
			return -1;
	}
}

/*
 * Wait for the next ACK (or keep-alive) of the windows in flight, up to
 * cfg->conn.timeout_ms, the deadline or the stop flag.  1: an ACK arrived,
 * 0: stopped or past the deadline, -1: the connection is broken (timeout,
 * close, reset, protocol error; cause in s->err).
 */
static int
wait_ack(struct beats *s)
{
	int64_t until = clock_ms() + s->cfg->conn.timeout_ms;

	for (;;) {
		unsigned char b[4096];
		size_t got = 0;
		CURLcode cc = curl_easy_recv(s->c, b, sizeof(b), &got);

		if (cc == CURLE_AGAIN) {
			struct pollfd p = { s->fd, POLLIN, 0 };
			int64_t left = until - clock_ms();

			if (stopped(s) || past_deadline(s))
				return 0;
			if (left <= 0) {
				snprintf(s->err, sizeof(s->err), "no acknowledgement "
				    "from %s within %ld s (a window of %zu events, "
				    "%zu acknowledged)", s->cfg->conn.url,
				    s->cfg->conn.timeout_ms / 1000, s->win[0].count,
				    s->win[0].acked);
				return -1;
			}
			poll(&p, 1, (int)bound(s, left > 100 ? 100 : left));
			continue;
		}
		if (cc != CURLE_OK || got == 0) {
			snprintf(s->err, sizeof(s->err), "%s %s before "
			    "acknowledging a window of %zu events (%zu "
			    "acknowledged)", s->cfg->conn.url, cc != CURLE_OK ?
			    curl_easy_strerror(cc) : "closed the connection",
			    s->win[0].count, s->win[0].acked);
			return -1;
		}
		return feed(s, b, got) == 0 ? 1 : -1;
	}
}

/*
 * A connection failed: the next attempt after a backoff, or, past the
 * budget, every held document undelivered and the sink failed.  0: try
 * again; -1: gave up.
 */
static int
retry(struct beats *s)
{
	int64_t now = clock_ms(), d;
	char why[sizeof(s->err) + 96];

	broken(s);
	if (s->fails++ == 0)
		s->fail_first = now;
	if (s->fails >= s->cfg->conn.retry_attempts ||
	    now - s->fail_first >= s->cfg->conn.retry_time_ms) {
		snprintf(why, sizeof(why), "no acknowledgement after %u "
		    "attempt%s in %.1f s: %s", s->fails, s->fails == 1 ? "" :
		    "s", (double)(now - s->fail_first) / 1000, s->err);
		memcpy(s->err, why, sizeof(s->err) - 1);
		s->err[sizeof(s->err) - 1] = '\0';
		settle_all(s, SINK_UNDELIVERED, s->err);
		s->failed = 1;
		return -1;
	}
	d = backoff_ms(&s->bo, s->fails);
	for (d = now + bound(s, d); clock_ms() < d && !stopped(s);) {
		int64_t left = d - clock_ms();
		struct timespec ts = { 0, (left > 100 ? 100 : left) * 1000000 };

		nanosleep(&ts, NULL);
	}
	return 0;
}

/*
 * Is there nothing more to do?  For put (${t} NULL, ${flush} 0): every
 * full window is sent.  For sync: every document of ${t} (NULL: every
 * held document) is settled.
 */
static int
done(const struct beats *s, int flush, const struct sink_tally *t)
{
	if (!flush)
		return s->ndocs - s->sent < s->cfg->window;
	if (t != NULL)
		return sink_tally_settled(t) >= t->taken;
	return s->head == s->ndocs;
}

/*
 * Run the protocol until done(): connect, send windows (two at most in
 * flight; a partial one only when flushing), read ACKs, reconnect and send
 * again after a break.  0, or -1 when the documents held were settled
 * undelivered (gave up, stopped, deadline).
 */
static int
drive(struct beats *s, int flush, struct sink_tally *t)
{
	while (!done(s, flush, t)) {
		size_t waiting = s->ndocs - s->sent;
		int r;

		if (stopped(s) || past_deadline(s)) {
			snprintf(s->err, sizeof(s->err), "%s before %s "
			    "acknowledged them", stopped(s) ? "stopped" :
			    "the deadline came", s->cfg->conn.url);
			disconnect(s);
			settle_all(s, SINK_UNDELIVERED, s->err);
			return -1;
		}
		if (s->c != NULL && drain(s) != 0) {
			if (retry(s) != 0)
				return -1;
			continue;
		}
		if (s->c == NULL && connect_peer(s) != 0) {
			if (retry(s) != 0)
				return -1;
			continue;
		}
		if (s->nwin < INFLIGHT && waiting > 0 &&
		    (flush || waiting >= s->cfg->window)) {
			if (send_window(s) != 0 && retry(s) != 0)
				return -1;
			continue;
		}
		if (s->nwin == 0)
			break;	/* nothing in flight, nothing to send */
		r = wait_ack(s);
		if (r < 0 && retry(s) != 0)
			return -1;
		compact(s);
	}
	compact(s);
	return 0;
}

/* The event: the document with Filebeat's @metadata in front. */
static void
add_event(struct beats *s, const char *doc, size_t n, const struct docref *d,
    struct sink_tally *t)
{
	struct bdoc *e;
	size_t off = s->store.len;
	int ok;

	if (s->ndocs == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		s->docs = xrealloc(s->docs, s->cap * sizeof(*s->docs));
	}
	if (n >= 2 && doc[0] == '{') {
		ok = buf_printf(&s->store, "{\"@metadata\":{\"beat\":\"elbship\","
		    "\"type\":\"_doc\",\"version\":\"%s\"", s->cfg->version) == 0;
		if (ok && d->idlen > 0 && strspn(d->id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_.") == d->idlen)
			ok = buf_printf(&s->store, ",\"_id\":\"%s\"", d->id) == 0;
		ok = ok && buf_adds(&s->store, "}") == 0;
		if (ok && doc[1] != '}')
			ok = buf_adds(&s->store, ",") == 0;
		ok = ok && buf_add(&s->store, doc + 1, n - 1) == 0;
	} else {
		ok = buf_add(&s->store, doc, n) == 0;
	}
	if (!ok)
		abort();	/* 4 GiB held: never with two windows in flight */
	e = &s->docs[s->ndocs++];
	e->off = off;
	e->len = s->store.len - off;
	e->t = t;
}

static int
bt_put(struct sink *base, const struct docbatch *b)
{
	struct beats *s = (struct beats *)base;
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&s->mu);
	if (b->tally != NULL) {
		b->tally->taken += b->ndocs;
		b->tally->bytes += b->json_len;
	}
	if (s->failed) {
		sink_settle(base, b->tally, SINK_UNDELIVERED, b->ndocs, s->err);
		pthread_mutex_unlock(&s->mu);
		return -1;
	}
	for (i = 0; i < b->ndocs; i++) {
		const struct docref *d = &b->docs[i];

		add_event(s, b->json + d->json, d->json_len, d, b->tally);
	}
	if (drive(s, 0, NULL) != 0)
		rc = s->failed ? -1 : 0;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int
bt_sync(struct sink *base, struct sink_tally *t)
{
	struct beats *s = (struct beats *)base;
	int rc;

	pthread_mutex_lock(&s->mu);
	rc = drive(s, 1, t);
	if (s->failed || (t != NULL && t->n[SINK_UNDELIVERED] > 0))
		rc = -1;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static void
bt_reset(struct sink *base)
{
	struct beats *s = (struct beats *)base;

	pthread_mutex_lock(&s->mu);
	s->failed = 0;
	s->fails = 0;
	pthread_mutex_unlock(&s->mu);
}

static void
bt_free(struct sink *base)
{
	struct beats *s = (struct beats *)base;

	disconnect(s);
	buf_free(&s->store);
	buf_free(&s->frames);
	buf_free(&s->wire);
	free(s->docs);
	pthread_mutex_destroy(&s->mu);
	free(s->url);
	free(s);
}

static const char *
bt_error(const struct sink *base)
{
	return ((const struct beats *)base)->err;
}

static const struct sink_ops beats_ops = {
	.put = bt_put,
	.sync = bt_sync,
	.reset = bt_reset,
	.free = bt_free,
	.error = bt_error,
};

static const struct sink_info beats_info = {
	.name = "logstash",
	.via = "beats input, acknowledged",
	.ok_word = "acknowledged",
	.remote = 1,
	.acked = 1,
};

struct sink *
beats_new(const struct beats_config *c, char *err, size_t cap)
{
	struct beats *s;
	char *url;

	url = sink_conn_url(c->conn.url, "beats", "beatss", "beats", " (TLS)",
	    err, cap);
	if (url == NULL)
		return NULL;
	if (c->window < 1 || c->window > UINT32_MAX || c->compression < 0 ||
	    c->compression > 9 || c->conn.retry_attempts < 1) {
		snprintf(err, cap, "beats: a window of 1 or more events, a "
		    "compression level from 0 to 9");
		free(url);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->base.ops = &beats_ops;
	s->base.info = &beats_info;
	pthread_mutex_init(&s->mu, NULL);
	s->cfg = c;
	s->fd = CURL_SOCKET_BAD;
	backoff_init(&s->bo, c->conn.retry_initial_ms, 30000);
	buf_init(&s->store, STORE_MAX);
	buf_init(&s->frames, STORE_MAX);
	buf_init(&s->wire, STORE_MAX);
	s->url = url;
	return &s->base;
}
