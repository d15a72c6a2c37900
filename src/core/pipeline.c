/*
 * pipeline.c: bytes -> lines -> documents for one stream.  See pipeline.h.
 *
 * The line buffer holds the carried-over start of an unfinished line
 * followed by the next chunk of decoded input; complete lines are handed to
 * the encoder where they lie (no copy), and only the unfinished tail is
 * moved to the front.  The carry is at most max_line bytes: a longer line is
 * not buffered but counted while it is skipped, and becomes an error
 * document holding its first PIPELINE_LONG_KEEP bytes.
 *
 * gzip: with opts->threads >= 2, a decoder thread inflates into a ring of
 * blocks while this thread parses; the two stages then run at the speed of
 * the slower one instead of the sum.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/pipeline.h"
#include "decode/gunzip.h"
#include "util/xalloc.h"

#define CHUNK (1u << 20)	/* bytes read or decoded per step */
#define RING 4			/* decoder thread: blocks in flight */

/* Where decoded bytes come from. */
struct producer {
	int fd;
	int gzip;
	struct gunzip *z;
	char *zin;		/* compressed input chunk (inline gzip) */
	size_t zin_len;
	int zin_eof;
	int need_input;
	/* first bytes read to sniff the magic, replayed once */
	char *pre;
	size_t pre_len;
	uint64_t bytes_in;
	char err[256];
	/* decoder thread */
	int threaded;
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *blk[RING];
	size_t blk_len[RING];
	int head, tail, count;	/* ring: producer writes head, consumer reads tail */
	size_t tail_pos;	/* consumed bytes of the tail block */
	int done;		/* decoder finished (EOF or error) */
	int failed;		/* decoder stopped on an error */
	int stop;		/* consumer asks the decoder to stop */
};

static ssize_t
read_some(struct producer *p, char *dst, size_t cap)
{
	ssize_t r;

	if (p->pre_len > 0) {
		size_t n = p->pre_len < cap ? p->pre_len : cap;

		memcpy(dst, p->pre, n);
		memmove(p->pre, p->pre + n, p->pre_len - n);
		p->pre_len -= n;
		return (ssize_t)n;
	}
	do
		r = read(p->fd, dst, cap);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		snprintf(p->err, sizeof(p->err), "read error: %s",
		    strerror(errno));
	else
		p->bytes_in += (uint64_t)r;
	return r;
}

/*
 * Inline gzip: fill ${dst} with up to ${cap} decoded bytes.  Returns the
 * count, 0 at a clean end, -1 on error (p->err set).
 */
static ssize_t
gz_fill(struct producer *p, char *dst, size_t cap)
{
	size_t got;
	int rc;

	for (;;) {
		if (p->need_input) {
			ssize_t r;

			if (p->zin_eof)
				return 0;
			r = read_some(p, p->zin, CHUNK);
			if (r < 0)
				return -1;
			if (r == 0) {
				p->zin_eof = 1;
				if (gunzip_finish(p->z) != 0) {
					snprintf(p->err, sizeof(p->err), "%s",
					    gunzip_error(p->z));
					return -1;
				}
				return 0;
			}
			gunzip_input(p->z, p->zin, (size_t)r);
			p->need_input = 0;
		}
		rc = gunzip_output(p->z, dst, cap, &got);
		if (rc == GUNZIP_ERR) {
			snprintf(p->err, sizeof(p->err), "%s", gunzip_error(p->z));
			/* Deliver what came before the error first. */
			if (got > 0)
				return (ssize_t)got;
			return -1;
		}
		if (rc == GUNZIP_NEED_INPUT)
			p->need_input = 1;
		if (got > 0)
			return (ssize_t)got;
	}
}

static void *
decoder_main(void *arg)
{
	struct producer *p = arg;
	char *blk;
	ssize_t r;
	int failed = 0;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->count == RING && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		blk = p->blk[p->head];
		pthread_mutex_unlock(&p->mu);

		r = gz_fill(p, blk, CHUNK);
		if (r < 0 || (r > 0 && p->err[0] != '\0'))
			failed = 1;

		pthread_mutex_lock(&p->mu);
		if (r > 0) {
			p->blk_len[p->head] = (size_t)r;
			p->head = (p->head + 1) % RING;
			p->count++;
		}
		if (r <= 0 || failed) {
			p->done = 1;
			p->failed = failed;
			pthread_cond_broadcast(&p->cv);
			pthread_mutex_unlock(&p->mu);
			break;
		}
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

/* Threaded gzip: copy decoded bytes from the ring. */
static ssize_t
ring_fill(struct producer *p, char *dst, size_t cap)
{
	size_t n;
	int idx;

	pthread_mutex_lock(&p->mu);
	while (p->count == 0 && !p->done)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->count == 0) {
		int failed = p->failed;

		pthread_mutex_unlock(&p->mu);
		return failed ? -1 : 0;
	}
	idx = p->tail;
	pthread_mutex_unlock(&p->mu);

	n = p->blk_len[idx] - p->tail_pos;
	if (n > cap)
		n = cap;
	memcpy(dst, p->blk[idx] + p->tail_pos, n);
	p->tail_pos += n;
	if (p->tail_pos == p->blk_len[idx]) {
		pthread_mutex_lock(&p->mu);
		p->tail = (p->tail + 1) % RING;
		p->count--;
		p->tail_pos = 0;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return (ssize_t)n;
}

static ssize_t
produce(struct producer *p, char *dst, size_t cap)
{
	if (!p->gzip)
		return read_some(p, dst, cap);
	if (p->threaded)
		return ring_fill(p, dst, cap);
	if (p->err[0] != '\0')
		return -1;	/* an error after the last good bytes */
	return gz_fill(p, dst, cap);
}

static int
producer_start(struct producer *p, const struct pipeline_opts *o, int fd)
{
	ssize_t r;
	size_t got = 0;
	int i;

	memset(p, 0, sizeof(*p));
	p->fd = fd;
	p->pre = xmalloc(CHUNK);
	/* Read up to 2 bytes (or EOF) to decide whether this is gzip. */
	while (got < 2) {
		r = read_some(p, p->pre + got, CHUNK - got);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	p->pre_len = got;
	if (!gunzip_magic(p->pre, got))
		return 0;
	p->gzip = 1;
	p->z = gunzip_new();
	if (p->z == NULL) {
		snprintf(p->err, sizeof(p->err), "out of memory");
		return -1;
	}
	p->zin = xmalloc(CHUNK);
	p->need_input = 1;
	if (o->threads < 2)
		return 0;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	for (i = 0; i < RING; i++)
		p->blk[i] = xmalloc(CHUNK);
	if (pthread_create(&p->thr, NULL, decoder_main, p) != 0) {
		for (i = 0; i < RING; i++) {
			free(p->blk[i]);
			p->blk[i] = NULL;
		}
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		return 0;	/* fall back to inline decoding */
	}
	p->threaded = 1;
	return 0;
}

static void
producer_end(struct producer *p)
{
	int i;

	if (p->threaded) {
		pthread_mutex_lock(&p->mu);
		p->stop = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->thr, NULL);
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		for (i = 0; i < RING; i++)
			free(p->blk[i]);
	}
	gunzip_free(p->z);
	free(p->zin);
	free(p->pre);
}

/* State of the line being skipped because it is too long. */
struct longline {
	int active;
	uint64_t offset;	/* where it started */
	uint64_t len;		/* bytes so far */
	char keep[PIPELINE_LONG_KEEP];
	size_t nkeep;
};

struct run {
	const struct pipeline_opts *opts;
	size_t max_line;
	struct ecs_file *ef;
	struct sink *sink;
	struct pipeline_stats *st;
	struct longline ll;
};

static int
is_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

static int
emit(struct run *r, const char *s, size_t n, uint64_t off, const char *msg)
{
	struct ecs_result res;
	struct doc d;
	char *out, *end;

	out = r->sink->ops->reserve(r->sink, ecs_bound(r->ef, n));
	if (out == NULL)
		return -1;
	if (msg != NULL)
		end = ecs_error_doc(r->ef, s, n, off, msg, out, &res);
	else
		end = ecs_line(r->ef, s, n, off, out, &res);
	d.id = res.id;
	d.idlen = res.idlen;
	d.json = out;
	d.n = (size_t)(end - out);
	d.line = s;
	d.linelen = n;
	d.offset = off;
	d.type = res.type;
	d.malformed = res.malformed;
	d.error = res.error;
	r->st->docs++;
	r->st->by_type[res.type]++;
	if (res.malformed)
		r->st->malformed++;
	return r->sink->ops->commit(r->sink, &d);
}

/* One complete line (without its '\n'). */
static int
line(struct run *r, const char *s, size_t n, uint64_t off)
{
	r->st->lines++;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (is_blank(s, n)) {
		r->st->blank++;
		return 0;
	}
	return emit(r, s, n, off, NULL);
}

static int
longline_end(struct run *r)
{
	char msg[200];

	snprintf(msg, sizeof(msg),
	    "line of %llu bytes is longer than the limit of %zu bytes "
	    "(--max-line); event.original holds its first %zu bytes",
	    (unsigned long long)r->ll.len, r->max_line, r->ll.nkeep);
	r->ll.active = 0;
	r->st->lines++;
	r->st->too_long++;
	return emit(r, r->ll.keep, r->ll.nkeep, r->ll.offset, msg);
}

/**
 * pipeline_run(opts, ef, fd, sink, st, err, errcap): see pipeline.h.
 */
int
pipeline_run(const struct pipeline_opts *opts, struct ecs_file *ef, int fd,
    struct sink *sink, struct pipeline_stats *st, char *err, size_t errcap)
{
	struct producer p;
	struct run r;
	char *buf = NULL;
	size_t cap, len = 0, start;
	uint64_t base = 0;	/* stream offset of buf[0] */
	int rc = PIPELINE_OK;
	ssize_t got;

	memset(st, 0, sizeof(*st));
	memset(&r, 0, sizeof(r));
	r.opts = opts;
	r.max_line = opts->max_line ? opts->max_line : PIPELINE_MAX_LINE_DEFAULT;
	r.ef = ef;
	r.sink = sink;
	r.st = st;
	err[0] = '\0';
	if (producer_start(&p, opts, fd) != 0) {
		snprintf(err, errcap, "%s", p.err);
		rc = PIPELINE_EINPUT;
		goto out;
	}
	st->gzip = p.gzip;
	cap = r.max_line + CHUNK;
	buf = xmalloc(cap);

	for (;;) {
		char *s, *nl, *end;

		got = produce(&p, buf + len, cap - len);
		if (got < 0) {
			snprintf(err, errcap, "%s", p.err);
			rc = PIPELINE_EINPUT;
			break;
		}
		if (got == 0)
			break;
		st->bytes_decoded += (uint64_t)got;
		start = 0;
		end = buf + len + (size_t)got;
		s = buf;
		if (r.ll.active) {
			/* Skipping an over-long line: look for its end. */
			nl = memchr(buf, '\n', (size_t)got);
			if (nl == NULL) {
				r.ll.len += (uint64_t)got;
				base += (uint64_t)got;
				len = 0;
				continue;
			}
			r.ll.len += (uint64_t)(nl - buf);
			if (longline_end(&r) != 0)
				goto sinkfail;
			s = nl + 1;
		}
		while (s < end && (nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
			if (line(&r, s, (size_t)(nl - s), base + (uint64_t)(s - buf)) != 0)
				goto sinkfail;
			s = nl + 1;
		}
		start = (size_t)(s - buf);
		len = (size_t)(end - s);
		if (len > r.max_line) {
			/* Too long to keep: remember its start, skip the rest. */
			r.ll.active = 1;
			r.ll.offset = base + start;
			r.ll.len = len;
			r.ll.nkeep = sizeof(r.ll.keep);
			memcpy(r.ll.keep, s, r.ll.nkeep);
			base += start + len;
			len = 0;
			continue;
		}
		if (start > 0 && len > 0)
			memmove(buf, s, len);
		base += start;
	}
	/* The last line may lack its '\n' (not after a gzip error: it is cut). */
	if (rc == PIPELINE_OK) {
		if (r.ll.active) {
			if (longline_end(&r) != 0)
				goto sinkfail;
		} else if (len > 0) {
			if (line(&r, buf, len, base) != 0)
				goto sinkfail;
		}
	} else if (len > 0 || r.ll.active) {
		size_t l = strlen(err);

		snprintf(err + l, errcap - l,
		    "; %llu bytes of an incomplete last line dropped",
		    (unsigned long long)(r.ll.active ? r.ll.len : len));
	}
	goto out;

sinkfail:
	snprintf(err, errcap, "%s", sink->ops->error(sink));
	rc = PIPELINE_ESINK;
out:
	st->bytes_in = p.bytes_in;
	producer_end(&p);
	free(buf);
	return rc;
}

/**
 * pipeline_stats_add(sum, s): see pipeline.h.
 */
void
pipeline_stats_add(struct pipeline_stats *sum, const struct pipeline_stats *s)
{
	int i;

	sum->lines += s->lines;
	sum->blank += s->blank;
	sum->docs += s->docs;
	sum->malformed += s->malformed;
	sum->too_long += s->too_long;
	sum->bytes_in += s->bytes_in;
	sum->bytes_decoded += s->bytes_decoded;
	for (i = 0; i < 5; i++)
		sum->by_type[i] += s->by_type[i];
}
