/*
 * s3.c: S3 GetObject (streaming, resumable) and ListObjectsV2.  See s3.h.
 *
 * Streaming without a thread: s3_get_read() drives a libcurl multi handle
 * until the write callback has put some body bytes in a small buffer, and
 * hands them out.  curl only runs inside s3_get_read(), so the buffer holds
 * at most what one round of socket reads brings (a few hundred KiB); a
 * write callback that finds it over PEND_MAX pauses the transfer.
 *
 * Listing responses are XML, read with expat (small, streaming, no ICU).
 *
 * Docs: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 *       https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <expat.h>

#include "source/s3.h"
#include "util/backoff.h"
#include "util/buf.h"
#include "util/curlx.h"
#include "util/xalloc.h"
#include "util/clock.h"

#define PEND_MAX (4u << 20)
#define ERRBODY_MAX 8192
#define LIST_MAX (32u << 20)

struct s3_client {
	const struct s3_config *cfg;
	char *scheme;		/* "https" or "http" */
	char *host;		/* endpoint host[:port], or NULL for AWS */
	CURL *easy;		/* listing, and GETs (one at a time) */
	CURLM *multi;
	struct backoff bo;	/* retries: 200 ms (or the setting) up to 20 s */
};

/* The wait before retry ${tries} (util/backoff.h). */
static int64_t
backoff(struct s3_client *c, unsigned tries)
{
	return backoff_ms(&c->bo, tries);
}

static void
sleep_ms(int64_t ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

struct s3_client *
s3_client_new(const struct s3_config *cfg, char *err, size_t cap)
{
	struct s3_client *c;
	const char *e = cfg->endpoint, *h;

	if (cfg->region == NULL || cfg->region[0] == '\0') {
		snprintf(err, cap, "no AWS region: set AWS_REGION or use "
		    "--aws-region");
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->cfg = cfg;
	backoff_init(&c->bo, cfg->retry_initial_ms > 0 ? cfg->retry_initial_ms :
	    200, 20000);
	if (e != NULL) {
		if (strncmp(e, "https://", 8) == 0) {
			c->scheme = xstrdup("https");
			h = e + 8;
		} else if (strncmp(e, "http://", 7) == 0) {
			c->scheme = xstrdup("http");
			h = e + 7;
		} else {
			snprintf(err, cap, "the S3 endpoint must start with http:// "
			    "or https://, not '%s'", e);
			s3_client_free(c);
			return NULL;
		}
		c->host = xstrndup(h, strcspn(h, "/"));
	} else {
		c->scheme = xstrdup("https");
	}
	c->easy = curl_easy_init();
	c->multi = curl_multi_init();
	if (c->easy == NULL || c->multi == NULL) {
		snprintf(err, cap, "libcurl initialisation failed");
		s3_client_free(c);
		return NULL;
	}
	return c;
}

void
s3_client_free(struct s3_client *c)
{
	if (c == NULL)
		return;
	if (c->easy != NULL)
		curl_easy_cleanup(c->easy);
	if (c->multi != NULL)
		curl_multi_cleanup(c->multi);
	free(c->scheme);
	free(c->host);
	free(c);
}

/*
 * Sign a bodiless request for ${bucket}/${key} (key may be NULL: the
 * bucket itself) and set the URL and headers on ${e}.  ${extra} are headers
 * to send and sign.  Returns 0 or -1 with a message.
 */
static int
prepare(struct s3_client *c, CURL *e, const char *method, const char *bucket,
    const char *key, const struct sigv4_kv *q, size_t nq,
    const struct sigv4_kv *extra, size_t nextra, struct curl_slist **hl,
    char *err, size_t cap)
{
	struct sigv4_request rq;
	struct sigv4_signed out;
	struct sigv4_creds cr;
	struct buf path, url, line;
	char host[512];
	int path_style = c->host != NULL || strchr(bucket, '.') != NULL;
	size_t i;
	int rc = -1;

	memset(&out, 0, sizeof(out));
	buf_init(&path, 16384);
	buf_init(&url, 32768);
	buf_init(&line, 16384);
	if (c->cfg->creds.get(c->cfg->creds.arg, &cr, err, cap) != 0)
		goto out;
	if (c->host != NULL)
		snprintf(host, sizeof(host), "%s", c->host);
	else if (path_style)
		snprintf(host, sizeof(host), "s3.%s.amazonaws.com", c->cfg->region);
	else
		snprintf(host, sizeof(host), "%s.s3.%s.amazonaws.com", bucket,
		    c->cfg->region);
	if (path_style) {
		buf_adds(&path, "/");
		buf_adds(&path, bucket);
	}
	buf_adds(&path, "/");
	if (key != NULL && buf_adds(&path, key) != 0) {
		snprintf(err, cap, "S3 key too long");
		goto out;
	}
	buf_add(&path, "", 1);
	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.host = host;
	rq.path = path.p;
	rq.query = q;
	rq.nquery = nq;
	rq.headers = extra;
	rq.nheaders = nextra;
	rq.payload_hash = SIGV4_EMPTY_SHA256;
	rq.region = c->cfg->region;
	rq.service = "s3";
	rq.creds = cr;
	rq.when = time(NULL);
	rq.s3_path = 1;
	rq.content_sha256 = 1;
	if (sigv4_sign(&rq, &out) != 0) {
		snprintf(err, cap, "cannot sign the S3 request: %s",
		    out.error ? out.error : "unknown error");
		goto out;
	}
	buf_printf(&url, "%s://%s%s", c->scheme, host, out.target);
	buf_add(&url, "", 1);
	curl_easy_setopt(e, CURLOPT_URL, url.p);
	for (i = 0; i < nextra; i++) {
		buf_reset(&line);
		buf_printf(&line, "%s: %s", extra[i].name, extra[i].value);
		buf_add(&line, "", 1);
		*hl = curl_slist_append(*hl, line.p);
	}
	for (i = 0; i < out.nadd; i++) {
		buf_reset(&line);
		buf_printf(&line, "%s: %s", out.add[i].name, out.add[i].value);
		buf_add(&line, "", 1);
		*hl = curl_slist_append(*hl, line.p);
		explicit_bzero(line.p, line.len);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, *hl);
	rc = 0;
out:
	sigv4_signed_free(&out);
	buf_free(&path);
	buf_free(&url);
	buf_free(&line);
	return rc;
}

/*
 * What every request shares: connect timeout, and a transfer that stalls
 * (< 1 byte/s for the timeout) is aborted and resumed; no overall limit,
 * as an object may take minutes to stream.
 */
static void
common_opts(struct s3_client *c, CURL *e)
{
	long t = c->cfg->timeout_ms > 0 ? c->cfg->timeout_ms : 30000;
	struct curlx_opts o = {
		.connect_timeout_ms = t,
		.stall_ms = t,
		.keepalive = 1,
		.ca_file = c->cfg->ca_file,
		.insecure = c->cfg->insecure,
	};

	curlx_apply(e, &o);
}

/* <Code> and <Message> of an S3 error body, for messages. */
static void
s3_error_text(const char *body, size_t n, char *out, size_t cap)
{
	const char *c = memmem(body, n, "<Code>", 6);
	const char *ce = c ? memmem(c, n - (size_t)(c - body), "</Code>", 7) : NULL;
	const char *m = memmem(body, n, "<Message>", 9);
	const char *me = m ? memmem(m, n - (size_t)(m - body), "</Message>", 10) :
	    NULL;

	if (c != NULL && ce != NULL && m != NULL && me != NULL)
		snprintf(out, cap, "%.*s: %.*s", (int)(ce - c - 6), c + 6,
		    (int)(me - m - 9), m + 9);
	else if (c != NULL && ce != NULL)
		snprintf(out, cap, "%.*s", (int)(ce - c - 6), c + 6);
	else
		snprintf(out, cap, "no error details");
}

/* ---- GetObject ---------------------------------------------------------- */

struct s3_get {
	struct s3_client *c;
	char *bucket, *key;
	struct buf pend;
	size_t pend_pos;
	struct buf errbody;
	struct curl_slist *hdrs;
	char curlerr[CURL_ERROR_SIZE];
	int active, eof, paused;
	int checked, body_ok;	/* response status looked at / body wanted */
	long status;
	uint64_t req_start;	/* Range start of the current request */
	uint64_t skip;		/* bytes to drop (server ignored Range) */
	uint64_t size;
	int size_known;
	unsigned tries;		/* failures since the last progress */
	struct s3_get_stats st;
	int64_t deadline_ms;	/* CLOCK_MONOTONIC ms; 0 none */
	volatile sig_atomic_t *stop;
};

static size_t
get_header(char *p, size_t size, size_t n, void *arg)
{
	struct s3_get *g = arg;
	size_t len = size * n;
	char line[256];

	if (len >= sizeof(line))
		return len;
	memcpy(line, p, len);
	line[len] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (strncasecmp(line, "etag:", 5) == 0 && g->st.etag[0] == '\0') {
		const char *v = line + 5;

		v += strspn(v, " \t");
		snprintf(g->st.etag, sizeof(g->st.etag), "%s", v);
	} else if (strncasecmp(line, "content-range:", 14) == 0) {
		const char *slash = strrchr(line, '/');

		if (slash != NULL && slash[1] != '*') {
			g->size = strtoull(slash + 1, NULL, 10);
			g->size_known = 1;
		}
	} else if (strncasecmp(line, "content-length:", 15) == 0 &&
	    g->req_start == 0 && !g->size_known) {
		g->size = strtoull(line + 15, NULL, 10);
		g->size_known = 1;
	}
	return len;
}

static size_t
get_body(char *p, size_t size, size_t n, void *arg)
{
	struct s3_get *g = arg;
	size_t len = size * n;

	if (!g->checked) {
		CURL *e = g->c->easy;

		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &g->status);
		g->checked = 1;
		g->body_ok = g->status == 200 || g->status == 206;
		if (g->status == 200 && g->req_start > 0)
			g->skip = g->req_start;	/* Range ignored: drop the start */
	}
	if (!g->body_ok) {
		buf_add(&g->errbody, p, len < ERRBODY_MAX - g->errbody.len ?
		    len : ERRBODY_MAX - g->errbody.len);
		return len;
	}
	if (g->pend.len - g->pend_pos > PEND_MAX) {
		g->paused = 1;
		return CURL_WRITEFUNC_PAUSE;
	}
	if (g->skip > 0) {
		size_t d = g->skip < len ? (size_t)g->skip : len;

		g->skip -= d;
		p += d;
		len -= d;
		if (len == 0)
			return size * n;
	}
	if (buf_add(&g->pend, p, len) != 0)
		return 0;
	g->st.received += len;
	return size * n;
}

struct s3_get *
s3_get_open(struct s3_client *c, const char *bucket, const char *key)
{
	struct s3_get *g = xcalloc(1, sizeof(*g));

	g->c = c;
	g->bucket = xstrdup(bucket);
	g->key = xstrdup(key);
	buf_init(&g->pend, PEND_MAX + CURL_MAX_WRITE_SIZE * 4);
	buf_init(&g->errbody, ERRBODY_MAX);
	return g;
}

static int
start_get(struct s3_get *g, char *err, size_t cap)
{
	struct s3_client *c = g->c;
	struct sigv4_kv h[2];
	char range[64];
	size_t nh = 0;

	curl_easy_reset(c->easy);
	common_opts(c, c->easy);
	curl_slist_free_all(g->hdrs);
	g->hdrs = NULL;
	g->req_start = g->st.received;
	if (g->req_start > 0) {
		snprintf(range, sizeof(range), "bytes=%" PRIu64 "-", g->req_start);
		h[nh].name = "Range";
		h[nh++].value = range;
		if (g->st.etag[0] != '\0') {
			h[nh].name = "If-Match";
			h[nh++].value = g->st.etag;
		}
		g->st.resumes++;
	}
	if (prepare(c, c->easy, "GET", g->bucket, g->key, NULL, 0, h, nh,
	    &g->hdrs, err, cap) != 0)
		return -1;
	curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, get_body);
	curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, g);
	curl_easy_setopt(c->easy, CURLOPT_HEADERFUNCTION, get_header);
	curl_easy_setopt(c->easy, CURLOPT_HEADERDATA, g);
	curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, g->curlerr);
	if (g->deadline_ms != 0) {
		/* No request outlives the deadline (a Lambda invocation's). */
		int64_t left = g->deadline_ms - clock_ms();

		curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS,
		    (long)(left > 1 ? left : 1));
	}
	g->curlerr[0] = '\0';
	g->checked = g->body_ok = 0;
	g->status = 0;
	g->skip = 0;
	buf_reset(&g->errbody);
	curl_multi_add_handle(c->multi, c->easy);
	g->active = 1;
	g->st.requests++;
	return 0;
}

/*
 * The current request ended with ${cc}: decide between the end, a retry
 * (resuming where it stopped) and an error.  0 to go on, -1 on error.
 */
static int
finish_get(struct s3_get *g, CURLcode cc, char *err, size_t cap)
{
	char why[300], detail[200];
	uint64_t before = g->req_start;

	curl_multi_remove_handle(g->c->multi, g->c->easy);
	g->active = 0;
	if (!g->checked)
		curl_easy_getinfo(g->c->easy, CURLINFO_RESPONSE_CODE, &g->status);
	if (cc == CURLE_OK && (g->status == 200 || g->status == 206)) {
		if (!g->size_known || g->st.received >= g->size) {
			g->eof = 1;
			g->st.size = g->st.received;
			return 0;
		}
		snprintf(why, sizeof(why), "connection closed after %" PRIu64
		    " of %" PRIu64 " bytes", g->st.received, g->size);
	} else if (cc == CURLE_OK && g->status == 416 && g->size_known &&
	    g->st.received >= g->size) {
		g->eof = 1;
		return 0;
	} else if (cc == CURLE_OK && g->status != 429 && g->status < 500) {
		s3_error_text(g->errbody.p ? g->errbody.p : "", g->errbody.len,
		    detail, sizeof(detail));
		if (g->status == 404)
			snprintf(err, cap, "s3://%s/%s: not found (HTTP 404 %s)",
			    g->bucket, g->key, detail);
		else if (g->status == 403)
			snprintf(err, cap, "s3://%s/%s: access denied (HTTP 403 "
			    "%s); check the credentials and s3:GetObject "
			    "permission", g->bucket, g->key, detail);
		else if (g->status == 412)
			snprintf(err, cap, "s3://%s/%s: the object changed while "
			    "being read (ETag %s no longer matches)", g->bucket,
			    g->key, g->st.etag);
		else
			snprintf(err, cap, "s3://%s/%s: HTTP %ld %s", g->bucket,
			    g->key, g->status, detail);
		return -1;
	} else if (cc == CURLE_OK) {
		s3_error_text(g->errbody.p ? g->errbody.p : "", g->errbody.len,
		    detail, sizeof(detail));
		snprintf(why, sizeof(why), "HTTP %ld %s", g->status, detail);
	} else {
		snprintf(why, sizeof(why), "%s", g->curlerr[0] ? g->curlerr :
		    curl_easy_strerror(cc));
	}
	/* Retry, from where it stopped.  Progress resets the count. */
	if (g->st.received > before)
		g->tries = 0;
	if (++g->tries > g->c->cfg->retries) {
		snprintf(err, cap, "s3://%s/%s: gave up after %u tries: %s "
		    "(%" PRIu64 " bytes received)", g->bucket, g->key, g->tries,
		    why, g->st.received);
		return -1;
	}
	{
		int64_t d = backoff(g->c, g->tries);

		if (g->deadline_ms != 0 && clock_ms() + d >= g->deadline_ms) {
			snprintf(err, cap, "s3://%s/%s: stopped at the deadline "
			    "after %u tries: %s (%" PRIu64 " bytes received)",
			    g->bucket, g->key, g->tries, why, g->st.received);
			return -1;
		}
		sleep_ms(d);
	}
	return 0;
}

void
s3_get_bound(struct s3_get *g, int64_t deadline_ms,
    volatile sig_atomic_t *stop)
{
	g->deadline_ms = deadline_ms;
	g->stop = stop;
}

/* Past the deadline, or told to stop: -1 with a message. */
static int
out_of_time(const struct s3_get *g, char *err, size_t cap)
{
	if (g->stop != NULL && *g->stop) {
		snprintf(err, cap, "s3://%s/%s: interrupted", g->bucket, g->key);
		return -1;
	}
	if (g->deadline_ms != 0 && clock_ms() >= g->deadline_ms) {
		snprintf(err, cap, "s3://%s/%s: stopped at the deadline "
		    "(%" PRIu64 " bytes received%s)", g->bucket, g->key,
		    g->st.received, g->active && g->status == 0 ?
		    ", the endpoint had not answered" : "");
		return -1;
	}
	return 0;
}

ssize_t
s3_get_read(void *arg, char *buf, size_t cap, char *err, size_t errcap)
{
	struct s3_get *g = arg;
	CURLMsg *m;
	int running, left;

	for (;;) {
		if (g->pend_pos < g->pend.len) {
			size_t n = g->pend.len - g->pend_pos;

			if (n > cap)
				n = cap;
			memcpy(buf, g->pend.p + g->pend_pos, n);
			g->pend_pos += n;
			if (g->pend_pos == g->pend.len) {
				g->pend_pos = 0;
				g->pend.len = 0;
			}
			if (g->paused) {
				g->paused = 0;
				curl_easy_pause(g->c->easy, CURLPAUSE_CONT);
			}
			return (ssize_t)n;
		}
		if (g->eof)
			return 0;
		if (out_of_time(g, err, errcap) != 0)
			return -1;
		if (!g->active && start_get(g, err, errcap) != 0)
			return -1;
		curl_multi_perform(g->c->multi, &running);
		while ((m = curl_multi_info_read(g->c->multi, &left)) != NULL) {
			if (m->msg == CURLMSG_DONE &&
			    finish_get(g, m->data.result, err, errcap) != 0)
				return -1;
		}
		if (g->active && g->pend.len == 0)
			curl_multi_poll(g->c->multi, NULL, 0, 200, NULL);
	}
}

void
s3_get_stats(const struct s3_get *g, struct s3_get_stats *out)
{
	*out = g->st;
	if (g->size_known)
		out->size = g->size;
}

void
s3_get_close(struct s3_get *g)
{
	if (g == NULL)
		return;
	if (g->active)
		curl_multi_remove_handle(g->c->multi, g->c->easy);
	curl_slist_free_all(g->hdrs);
	buf_free(&g->pend);
	buf_free(&g->errbody);
	free(g->bucket);
	free(g->key);
	free(g);
}

/* ---- ListObjectsV2 ------------------------------------------------------ */

struct lister {
	s3_list_fn fn;
	void *arg;
	int stop;		/* callback's nonzero value */
	int depth;
	int in_contents;
	int url_encoded;
	struct buf text;	/* current element's text */
	struct buf key, etag, lm;
	uint64_t size;
	int truncated;
	struct buf token;	/* NextContinuationToken */
	unsigned count;
};

static void
url_decode(struct buf *b)
{
	size_t i, j = 0;

	for (i = 0; i < b->len; i++) {
		char c = b->p[i];

		if (c == '%' && i + 2 < b->len) {
			char h[3] = { b->p[i + 1], b->p[i + 2], 0 };
			char *end;
			long v = strtol(h, &end, 16);

			if (*end == '\0') {
				b->p[j++] = (char)v;
				i += 2;
				continue;
			}
		} else if (c == '+') {
			c = ' ';
		}
		b->p[j++] = c;
	}
	b->len = j;
}

static void XMLCALL
x_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct lister *l = arg;

	(void)attrs;
	l->depth++;
	buf_reset(&l->text);
	if (l->depth == 2 && strcmp(name, "Contents") == 0) {
		l->in_contents = 1;
		buf_reset(&l->key);
		buf_reset(&l->etag);
		buf_reset(&l->lm);
		l->size = 0;
	}
}

static void XMLCALL
x_text(void *arg, const XML_Char *s, int len)
{
	struct lister *l = arg;

	buf_add(&l->text, s, (size_t)len);
}

static void
copy_text(struct buf *to, const struct buf *from)
{
	buf_reset(to);
	buf_add(to, from->p, from->len);
}

static void XMLCALL
x_end(void *arg, const XML_Char *name)
{
	struct lister *l = arg;

	if (l->depth == 3 && l->in_contents) {
		if (strcmp(name, "Key") == 0)
			copy_text(&l->key, &l->text);
		else if (strcmp(name, "ETag") == 0)
			copy_text(&l->etag, &l->text);
		else if (strcmp(name, "LastModified") == 0)
			copy_text(&l->lm, &l->text);
		else if (strcmp(name, "Size") == 0) {
			buf_add(&l->text, "", 1);
			l->size = strtoull(l->text.p, NULL, 10);
		}
	} else if (l->depth == 2 && strcmp(name, "Contents") == 0) {
		struct s3_object o;

		l->in_contents = 0;
		if (l->url_encoded)
			url_decode(&l->key);
		buf_add(&l->key, "", 1);
		buf_add(&l->etag, "", 1);
		buf_add(&l->lm, "", 1);
		o.key = l->key.p;
		o.size = l->size;
		o.etag = l->etag.p;
		o.last_modified = l->lm.p;
		l->count++;
		if (!l->stop)
			l->stop = l->fn(l->arg, &o);
	} else if (l->depth == 2 && strcmp(name, "IsTruncated") == 0) {
		l->truncated = l->text.len == 4 && memcmp(l->text.p, "true", 4) == 0;
	} else if (l->depth == 2 && strcmp(name, "NextContinuationToken") == 0) {
		copy_text(&l->token, &l->text);
	} else if (l->depth == 2 && strcmp(name, "EncodingType") == 0) {
		l->url_encoded = l->text.len == 3 && memcmp(l->text.p, "url", 3) == 0;
	}
	l->depth--;
	buf_reset(&l->text);
}

static size_t
to_buf(char *p, size_t size, size_t n, void *arg)
{
	return buf_add(arg, p, size * n) == 0 ? size * n : 0;
}

int
s3_list(struct s3_client *c, const char *bucket, const char *prefix,
    const char *start_after, s3_list_fn fn, void *arg, char *err, size_t cap)
{
	struct lister l;
	struct buf resp, token;
	int rc = -1;
	unsigned tries = 0;

	memset(&l, 0, sizeof(l));
	l.fn = fn;
	l.arg = arg;
	buf_init(&l.text, 1 << 20);
	buf_init(&l.key, 1 << 16);
	buf_init(&l.etag, 1 << 10);
	buf_init(&l.lm, 1 << 10);
	buf_init(&l.token, 1 << 16);
	buf_init(&resp, LIST_MAX);
	buf_init(&token, 1 << 16);
	for (;;) {
		struct sigv4_kv q[5];
		struct curl_slist *hl = NULL;
		size_t nq = 0;
		long status = 0;
		CURLcode cc;
		XML_Parser xp;
		char why[300], detail[200];

		q[nq].name = "list-type";
		q[nq++].value = "2";
		q[nq].name = "encoding-type";
		q[nq++].value = "url";
		if (prefix != NULL && *prefix != '\0') {
			q[nq].name = "prefix";
			q[nq++].value = prefix;
		}
		if (token.len > 0) {
			buf_add(&token, "", 1);
			token.len--;
			q[nq].name = "continuation-token";
			q[nq++].value = token.p;
		} else if (start_after != NULL) {
			q[nq].name = "start-after";
			q[nq++].value = start_after;
		}
		curl_easy_reset(c->easy);
		common_opts(c, c->easy);
		if (prepare(c, c->easy, "GET", bucket, NULL, q, nq, NULL, 0, &hl,
		    err, cap) != 0)
			goto out;
		buf_reset(&resp);
		curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, to_buf);
		curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, &resp);
		cc = curl_easy_perform(c->easy);
		curl_slist_free_all(hl);
		curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
		if (cc != CURLE_OK || status == 429 || status >= 500) {
			if (cc != CURLE_OK)
				snprintf(why, sizeof(why), "%s", curl_easy_strerror(cc));
			else {
				s3_error_text(resp.p ? resp.p : "", resp.len, detail,
				    sizeof(detail));
				snprintf(why, sizeof(why), "HTTP %ld %s", status,
				    detail);
			}
			if (++tries > c->cfg->retries) {
				snprintf(err, cap, "listing s3://%s/%s: gave up after "
				    "%u tries: %s", bucket, prefix ? prefix : "", tries,
				    why);
				goto out;
			}
			sleep_ms(backoff(c, tries));
			continue;
		}
		if (status != 200) {
			s3_error_text(resp.p ? resp.p : "", resp.len, detail,
			    sizeof(detail));
			snprintf(err, cap, "listing s3://%s/%s: HTTP %ld %s%s",
			    bucket, prefix ? prefix : "", status, detail,
			    status == 403 ? " (check the credentials and "
			    "s3:ListBucket permission)" : "");
			goto out;
		}
		tries = 0;
		xp = XML_ParserCreate(NULL);
		XML_SetUserData(xp, &l);
		XML_SetElementHandler(xp, x_start, x_end);
		XML_SetCharacterDataHandler(xp, x_text);
		l.truncated = 0;
		l.depth = 0;
		l.url_encoded = 0;
		buf_reset(&l.token);
		if (XML_Parse(xp, resp.p ? resp.p : "", (int)resp.len, 1) ==
		    XML_STATUS_ERROR) {
			snprintf(err, cap, "listing s3://%s: unreadable XML (%s at "
			    "line %lu)", bucket,
			    XML_ErrorString(XML_GetErrorCode(xp)),
			    (unsigned long)XML_GetCurrentLineNumber(xp));
			XML_ParserFree(xp);
			goto out;
		}
		XML_ParserFree(xp);
		if (l.stop) {
			rc = l.stop;
			goto out;
		}
		if (!l.truncated)
			break;
		if (l.token.len == 0) {
			snprintf(err, cap, "listing s3://%s: truncated answer "
			    "without NextContinuationToken", bucket);
			goto out;
		}
		buf_reset(&token);
		buf_add(&token, l.token.p, l.token.len);
	}
	rc = 0;
out:
	buf_free(&l.text);
	buf_free(&l.key);
	buf_free(&l.etag);
	buf_free(&l.lm);
	buf_free(&l.token);
	buf_free(&resp);
	buf_free(&token);
	return rc;
}

int
s3_parse_url(const char *url, char **bucket, char **key)
{
	const char *b, *slash;

	if (strncmp(url, "s3://", 5) != 0)
		return -1;
	b = url + 5;
	slash = strchr(b, '/');
	if (slash == b || *b == '\0')
		return -1;
	if (slash == NULL) {
		*bucket = xstrdup(b);
		*key = xstrdup("");
	} else {
		*bucket = xstrndup(b, (size_t)(slash - b));
		*key = xstrdup(slash + 1);
	}
	return 0;
}
