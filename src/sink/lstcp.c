/*
 * lstcp.c: Logstash tcp/json_lines sink.  See lstcp.h for the guarantee.
 *
 * libcurl in CONNECT_ONLY mode gives a plain or TLS connection (with the
 * same CA, client certificate and verification settings as the other
 * sinks) and curl_easy_send() to write on it.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>
#include <time.h>

#include <curl/curl.h>

#include "sink/lstcp.h"
#include "util/backoff.h"
#include "util/buf.h"
#include "util/curlx.h"
#include "util/xalloc.h"
#include "util/clock.h"

#define WINDOW (16u << 20)

struct lstcp {
	struct sink base;
	pthread_mutex_t mu;		/* put and sync, from any thread */
	const struct sink_conn *cfg;
	char *url;		/* http:// or https:// form for curl */
	CURL *c;
	curl_socket_t fd;
	/*
	 * The window: the most recent batches sent, up to WINDOW bytes, which
	 * is more than the kernel buffers on both ends can hold.  What a peer
	 * that closed or reset may not have read is within it.
	 */
	struct buf win;		/* their bytes, oldest first */
	size_t win_docs;
	size_t *marks;		/* batch boundaries in win, doc counts, tallies */
	size_t *mdocs;
	struct sink_tally **mtally;
	size_t nmarks;
	int resend;		/* the window must be sent again */
	int gave_up;		/* a send ran out of retries */
	struct backoff bo;
	char err[256];
};

static void
disconnect(struct lstcp *s)
{
	if (s->c != NULL)
		curl_easy_cleanup(s->c);
	s->c = NULL;
	s->fd = CURL_SOCKET_BAD;
}

static int
connect_peer(struct lstcp *s)
{
	const struct sink_conn *c = s->cfg;
	struct curlx_opts o = { .connect_timeout_ms = c->timeout_ms,
	    .keepalive = 1, .ca_file = c->ca_file, .cert_file = c->cert_file,
	    .key_file = c->key_file, .insecure = c->insecure };
	CURLcode cc;

	disconnect(s);
	s->c = curlx_connect(s->url, &o, &s->fd, &cc);
	if (s->c == NULL) {
		snprintf(s->err, sizeof(s->err), "cannot connect to %s: %s",
		    c->url, curl_easy_strerror(cc));
		return -1;
	}
	s->base.total.connects++;
	return 0;
}

/*
 * Is the connection still open?  Logstash never writes, so its FIN (or a
 * reset) is the only news.  POLLRDHUP reports the FIN even behind bytes
 * nobody reads (a TLS server's session tickets), where a peek would see
 * only those bytes.
 */
static int
alive(struct lstcp *s)
{
	struct pollfd p = { s->fd, POLLIN | POLLRDHUP, 0 };

	if (s->c == NULL)
		return 0;
	if (poll(&p, 1, 0) <= 0)
		return 1;
	return !(p.revents & (POLLRDHUP | POLLERR | POLLHUP | POLLNVAL));
}

static int
send_all(struct lstcp *s, const char *p, size_t n)
{
	int64_t until = clock_ms() + s->cfg->timeout_ms;

	while (n > 0) {
		size_t w = 0;
		CURLcode cc = curl_easy_send(s->c, p, n, &w);

		if (cc == CURLE_AGAIN) {
			struct pollfd pf = { s->fd, POLLOUT, 0 };
			int64_t left = until - clock_ms();

			if (left <= 0) {
				snprintf(s->err, sizeof(s->err), "send timed out");
				return -1;
			}
			poll(&pf, 1, (int)left);
			continue;
		}
		if (cc != CURLE_OK) {
			snprintf(s->err, sizeof(s->err), "send failed: %s",
			    curl_easy_strerror(cc));
			return -1;
		}
		p += w;
		n -= w;
	}
	return 0;
}

/* Wait before try ${attempt} + 1 (util/backoff.h), up to the deadline. */
static void
pause_ms(struct lstcp *s, unsigned attempt)
{
	int64_t d = backoff_ms(&s->bo, attempt);
	struct timespec ts;

	if (s->base.deadline_ms != 0 && clock_ms() + d > s->base.deadline_ms)
		d = s->base.deadline_ms - clock_ms();
	if (d <= 0)
		return;
	ts.tv_sec = d / 1000;
	ts.tv_nsec = (d % 1000) * 1000000;
	nanosleep(&ts, NULL);
}

/*
 * Settle the first ${k} batches of the window as ${o} and drop them from
 * the marks (the caller moves or clears the bytes).
 */
static void
window_settle(struct lstcp *s, size_t k, enum sink_outcome o, const char *why)
{
	size_t i, base = k > 0 ? s->marks[k - 1] : 0;

	for (i = 0; i < k; i++) {
		sink_settle(&s->base, s->mtally[i], o, s->mdocs[i], why);
		s->win_docs -= s->mdocs[i];
	}
	for (i = k; i < s->nmarks; i++) {
		s->marks[i - k] = s->marks[i] - base;
		s->mdocs[i - k] = s->mdocs[i];
		s->mtally[i - k] = s->mtally[i];
	}
	s->nmarks -= k;
}

/*
 * Remember a batch in the window.  Batches that leave it (the oldest
 * beyond WINDOW bytes) are past any buffer where a break could lose them:
 * settled as sent.
 */
static void
window_add(struct lstcp *s, const char *p, size_t n, size_t docs,
    struct sink_tally *t)
{
	size_t drop = 0, k = 0;

	if (n > WINDOW) {
		window_settle(s, s->nmarks, SINK_OK, NULL);
		s->win.len = 0;
		sink_settle(&s->base, t, SINK_OK, docs, NULL);
		return;
	}
	while (k < s->nmarks && s->win.len - drop + n > WINDOW)
		drop = s->marks[k++];
	if (drop > 0) {
		window_settle(s, k, SINK_OK, NULL);
		memmove(s->win.p, s->win.p + drop, s->win.len - drop);
		s->win.len -= drop;
	}
	buf_add(&s->win, p, n);
	s->marks = xrealloc(s->marks, (s->nmarks + 1) * sizeof(*s->marks));
	s->mdocs = xrealloc(s->mdocs, (s->nmarks + 1) * sizeof(*s->mdocs));
	s->mtally = xrealloc(s->mtally, (s->nmarks + 1) * sizeof(*s->mtally));
	s->marks[s->nmarks] = s->win.len;
	s->mdocs[s->nmarks] = docs;
	s->mtally[s->nmarks] = t;
	s->nmarks++;
	s->win_docs += docs;
}

/*
 * Send ${p} (${n} bytes) on a live connection, reconnecting with backoff.
 * When the peer is found to have closed the connection, everything in the
 * window may be cut short: it is sent again first (at least once).
 */
static int
send_batch(struct lstcp *s, const char *p, size_t n)
{
	int64_t first = clock_ms();
	unsigned attempt;

	for (attempt = 1;; attempt++) {
		if (s->c != NULL && !alive(s)) {
			disconnect(s);
			s->resend = s->win.len > 0;
		}
		if ((s->c != NULL || connect_peer(s) == 0) &&
		    (!s->resend || send_all(s, s->win.p, s->win.len) == 0) &&
		    (n == 0 || send_all(s, p, n) == 0)) {
			if (s->resend)
				s->base.total.resent += s->win_docs;
			s->resend = 0;
			s->gave_up = 0;
			return 0;
		}
		disconnect(s);
		s->resend = s->win.len > 0;
		if (attempt >= s->cfg->retry_attempts ||
		    clock_ms() - first >= s->cfg->retry_time_ms ||
		    (s->base.deadline_ms != 0 &&
		    clock_ms() >= s->base.deadline_ms))
			break;
		pause_ms(s, attempt);
	}
	s->gave_up = 1;
	return -1;
}

static int
lt_put(struct sink *base, const struct docbatch *b)
{
	struct lstcp *s = (struct lstcp *)base;
	int rc = 0;

	pthread_mutex_lock(&s->mu);
	if (b->tally != NULL) {
		b->tally->taken += b->ndocs;
		b->tally->bytes += b->json_len;
	}
	if (send_batch(s, b->json, b->json_len) != 0) {
		sink_settle(base, b->tally, SINK_UNDELIVERED, b->ndocs, s->err);
		rc = -1;
	} else {
		s->base.total.requests++;
		s->base.total.bytes_sent += b->json_len;
		s->base.total.bytes_raw += b->json_len;
		window_add(s, b->json, b->json_len, b->ndocs, b->tally);
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

/*
 * Has the peer's kernel acknowledged every byte sent, our FIN included?
 * SIOCOUTQ is the bytes sent but not acknowledged; a peer that closed
 * before they arrived answers them with a reset, never an acknowledgement.
 * Waits until ${until} at most.  0: all acknowledged; -1: not.
 */
static int
all_acked(struct lstcp *s, int64_t until)
{
	for (long nap = 1;; nap = nap < 64 ? nap * 2 : nap) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);
		struct timespec ts = { 0, nap * 1000000 };
		int queued;

		if (ioctl(s->fd, SIOCOUTQ, &queued) != 0)
			return -1;
		if (queued == 0)
			return 0;
		if (getsockopt(s->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
		    ti.tcpi_state == TCP_CLOSE)
			return -1;	/* reset */
		if (clock_ms() >= until)
			return -1;
		nanosleep(&ts, NULL);
	}
}

/*
 * At the end: did the peer take every byte?  No answer is certain without
 * acknowledgements (a peer can read and then drop what it read); what can
 * be seen is checked.  A peer that closed before we did may have dropped
 * what it read last (the test server's close fault does): "no".  Else
 * half-close and wait for its EOF, reading and dropping whatever arrives
 * first (closing with unread bytes in our receive queue would send a
 * reset, and a peer that gets a reset may drop what it had not read yet).
 * A reset instead of the EOF: "no".  Then every byte must have been
 * acknowledged (all_acked()): the peer's FIN may have reached us before
 * the reset for bytes that arrived after it closed.  0: yes; -1: no.
 */
static int
peer_took_all(struct lstcp *s)
{
	int64_t until = clock_ms() + s->cfg->timeout_ms;
	char b[4096];
	ssize_t r = 1;

	if (!alive(s))
		return -1;
	shutdown(s->fd, SHUT_WR);
	while (r > 0) {
		struct pollfd p = { s->fd, POLLIN, 0 };
		int64_t left = until - clock_ms();

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			/* No EOF in time: the bytes are in its hands if acked. */
			return all_acked(s, clock_ms());
		r = recv(s->fd, b, sizeof(b), MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			r = 1;
	}
	if (r < 0)
		return -1;	/* reset: it closed before reading everything */
	return all_acked(s, until);
}

/*
 * End of stream: half-close and check the peer took everything; if it may
 * not have, the window goes again on a new connection.  Over TLS the FIN
 * comes without a TLS close_notify (libcurl does not expose one); the data
 * before it arrives intact.  The window's documents are counted
 * undelivered if three connections in a row end badly, or if a send
 * already gave up (a failed put() left the window unsent).
 */
static int
lt_sync(struct sink *base, struct sink_tally *t)
{
	struct lstcp *s = (struct lstcp *)base;
	int tries = 0, rc = 0;

	(void)t;	/* one connection: its end settles every tally */
	pthread_mutex_lock(&s->mu);
	for (;;) {
		if (s->c != NULL && peer_took_all(s) == 0)
			break;
		if (s->c == NULL && !s->resend)
			break;		/* nothing sent since the last end */
		disconnect(s);
		if (s->win.len == 0)
			break;
		if (s->gave_up && tries == 0) {
			snprintf(s->err, sizeof(s->err), "the connection broke "
			    "and could not be made again: the last %zu documents "
			    "sent may not have arrived", s->win_docs);
		} else if (++tries == 3) {
			snprintf(s->err, sizeof(s->err), "the peer closed or "
			    "reset the connection before reading the last %zu "
			    "documents, three times", s->win_docs);
		} else {
			s->resend = 1;
			if (send_batch(s, NULL, 0) == 0)
				continue;	/* and check the end again */
			snprintf(s->err, sizeof(s->err), "the peer closed or "
			    "reset the connection before reading the last %zu "
			    "documents, and sending them again failed",
			    s->win_docs);
		}
		window_settle(s, s->nmarks, SINK_UNDELIVERED, s->err);
		rc = -1;
		break;
	}
	window_settle(s, s->nmarks, SINK_OK, NULL);
	disconnect(s);
	s->resend = 0;
	s->gave_up = 0;
	s->win.len = 0;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static void
lt_free(struct sink *base)
{
	struct lstcp *s = (struct lstcp *)base;

	disconnect(s);
	buf_free(&s->win);
	free(s->marks);
	free(s->mdocs);
	free(s->mtally);
	pthread_mutex_destroy(&s->mu);
	free(s->url);
	free(s);
}

static const char *
lt_error(const struct sink *base)
{
	return ((const struct lstcp *)base)->err;
}

static const struct sink_ops lstcp_ops = {
	.put = lt_put,
	.sync = lt_sync,
	.reset = NULL,
	.free = lt_free,
	.error = lt_error,
};

static const struct sink_info lstcp_info = {
	.name = "logstash",
	.via = "tcp, no acknowledgements",
	.ok_word = "sent",
	.remote = 1,
	.acked = 0,
};

struct sink *
lstcp_new(const struct sink_conn *c, char *err, size_t cap)
{
	struct lstcp *s;
	char *url = sink_conn_url(c->url, "tcp", "tls", "tcp", "", err, cap);

	if (url == NULL)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->base.ops = &lstcp_ops;
	s->base.info = &lstcp_info;
	pthread_mutex_init(&s->mu, NULL);
	s->cfg = c;
	s->fd = CURL_SOCKET_BAD;
	backoff_init(&s->bo, c->retry_initial_ms, 30000);
	buf_init(&s->win, WINDOW + (64u << 20));
	s->url = url;
	return &s->base;
}
