/*
 * pipeline.c: bytes -> blocks of lines -> documents, in parallel, in order.
 * See pipeline.h.
 *
 * Blocks.  The reader fills a slot's input buffer with the carried-over
 * start of an unfinished line, then with decoded input until the slot holds
 * PIPELINE_BLOCK bytes and at least one newline; the block ends after its
 * last newline and the rest is carried into the next block.  A line longer
 * than max_line is never buffered whole: its slot becomes a "long line"
 * block holding its first PIPELINE_LONG_KEEP bytes, which turns into an
 * error document; the rest is read and counted but not kept.
 *
 * Threads.  Every thread (the caller and opts->threads - 1 helpers) runs
 * the same loop: become the reader if nobody is reading and a slot is free
 * (reading is sequential and usually the critical path), else parse the
 * oldest block read, else wait.  A thread that parsed a block also does
 * the sink's prepare() of it (sink.h), then commits,
 * in order, every block that is ready, holding a commit token so the sink
 * sees one caller at a time.  With one thread the loop runs inline.
 *
 * gzip.  The first two bytes decide: 1f 8b means gzip, decoded by
 * gunzip.c; a corrupt or truncated member ends the stream with an error
 * after every complete line before it has been committed.
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

#define READ_CHUNK (1u << 20)	/* compressed bytes read per step */

enum slot_state { S_FREE, S_FILLING, S_FILLED, S_PARSING, S_PARSED };
enum slot_kind { K_LINES, K_LONGLINE, K_EMPTY };

struct slot {
	enum slot_state state;
	enum slot_kind kind;
	uint64_t seq;			/* block number, for ordering */
	/* input */
	char *in;
	size_t in_cap, in_len;
	uint64_t base;			/* stream offset of in[0] */
	int last;			/* the stream's last block: the final
					 * line may lack its newline */
	uint64_t ll_len;		/* K_LONGLINE: the line's full length */
	/* output */
	char *out;
	size_t out_cap, out_len;
	struct docref *docs;
	size_t ndocs, docs_cap;
	char *errs;
	size_t errs_len, errs_cap;
	struct sink_prep prep;		/* the sink's prepare() of the block */
	struct pipeline_stats st;
};

/* The reader: only the thread holding the reader role touches this. */
struct reader {
	const struct source *src;
	volatile sig_atomic_t *stop;
	int gzip;
	struct gunzip *z;
	char *zin;
	int need_input;
	int zin_eof;
	char *pre;			/* first bytes, read to sniff gzip */
	size_t pre_len, pre_pos;
	uint64_t bytes_in;
	uint64_t bytes_decoded;
	char *carry;			/* start of an unfinished line */
	size_t carry_len;
	uint64_t base;			/* stream offset of the next block */
	int eof, failed;
	uint64_t dropped;		/* bytes of a line cut by an error */
	char err[256];
};

struct pipe {
	const struct pipeline_opts *opts;
	size_t max_line;
	struct ecs_file *ef;
	struct sink *sink;
	size_t gap;			/* the sink's doc_gap */
	struct sink_tally *tally;
	struct pipeline_stats *st;
	struct reader rd;
	struct slot *slots;
	int nslots;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int threaded;
	uint64_t next_seq;		/* next block to read */
	uint64_t commit_seq;		/* next block to commit */
	int reading;			/* a thread holds the reader role */
	int read_done;			/* end of input or error reached */
	int committing;			/* a thread holds the commit token */
	int sink_failed;
};

/* ---- reading ---------------------------------------------------------- */

static ssize_t
read_raw(struct reader *rd, char *dst, size_t cap)
{
	ssize_t r;

	if (rd->pre_pos < rd->pre_len) {
		size_t n = rd->pre_len - rd->pre_pos;

		if (n > cap)
			n = cap;
		memcpy(dst, rd->pre + rd->pre_pos, n);
		rd->pre_pos += n;
		return (ssize_t)n;
	}
	if (rd->stop != NULL && *rd->stop) {
		snprintf(rd->err, sizeof(rd->err), "interrupted");
		return -1;
	}
	r = rd->src->read(rd->src->arg, dst, cap, rd->err, sizeof(rd->err));
	if (r > 0)
		rd->bytes_in += (uint64_t)r;
	return r;
}

/* A file descriptor as a source; a read cut short by a signal that
 * set *stop ends it. */
struct fdsrc {
	int fd;
	volatile sig_atomic_t *stop;
};

static ssize_t
fd_read(void *arg, char *buf, size_t cap, char *err, size_t errcap)
{
	const struct fdsrc *f = arg;
	ssize_t r;

	do
		r = read(f->fd, buf, cap);
	while (r < 0 && errno == EINTR && !(f->stop != NULL && *f->stop));
	if (r < 0 && errno == EINTR)
		snprintf(err, errcap, "interrupted");
	else if (r < 0)
		snprintf(err, errcap, "read error: %s", strerror(errno));
	return r;
}

/*
 * Decoded bytes into dst: the count, 0 at a clean end, -1 on error with
 * rd->err set (bytes decoded before an error are returned first).
 */
static ssize_t
produce(struct reader *rd, char *dst, size_t cap)
{
	size_t got;
	int rc;

	if (!rd->gzip)
		return read_raw(rd, dst, cap);
	if (rd->err[0] != '\0')
		return -1;
	for (;;) {
		if (rd->need_input) {
			ssize_t r;

			if (rd->zin_eof)
				return 0;
			r = read_raw(rd, rd->zin, READ_CHUNK);
			if (r < 0)
				return -1;
			if (r == 0) {
				rd->zin_eof = 1;
				if (gunzip_finish(rd->z) != 0) {
					snprintf(rd->err, sizeof(rd->err), "%s",
					    gunzip_error(rd->z));
					return -1;
				}
				return 0;
			}
			gunzip_input(rd->z, rd->zin, (size_t)r);
			rd->need_input = 0;
		}
		rc = gunzip_output(rd->z, dst, cap, &got);
		if (rc == GUNZIP_ERR) {
			snprintf(rd->err, sizeof(rd->err), "%s",
			    gunzip_error(rd->z));
			return got > 0 ? (ssize_t)got : -1;
		}
		if (rc == GUNZIP_NEED_INPUT)
			rd->need_input = 1;
		if (got > 0)
			return (ssize_t)got;
	}
}

static int
reader_open(struct reader *rd, const struct source *src, size_t carry_cap)
{
	size_t got = 0;
	ssize_t r;

	rd->src = src;
	rd->pre = xmalloc(64);
	while (got < 2) {
		r = read_raw(rd, rd->pre + got, 64 - got);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	rd->pre_len = got;
	rd->carry = xmalloc(carry_cap);
	if (!gunzip_magic(rd->pre, got))
		return 0;
	rd->gzip = 1;
	rd->z = gunzip_new();
	if (rd->z == NULL) {
		snprintf(rd->err, sizeof(rd->err), "out of memory");
		return -1;
	}
	rd->zin = xmalloc(READ_CHUNK);
	rd->need_input = 1;
	return 0;
}

static void
reader_close(struct reader *rd)
{
	gunzip_free(rd->z);
	free(rd->zin);
	free(rd->pre);
	free(rd->carry);
}

static void
ll_finish(struct pipe *p, struct slot *sl, const char *chunk, size_t got,
    size_t k)
{
	struct reader *rd = &p->rd;

	/* The long line ends at chunk[k]; the rest starts the next block. */
	sl->ll_len += k;
	rd->carry_len = got - k - 1;
	memcpy(rd->carry, chunk + k + 1, rd->carry_len);
	rd->base = sl->base + sl->ll_len + 1;
}

/*
 * Fill ${sl} with the next block.  Returns 1 if the block holds something
 * to parse, 0 if the input is done and the slot is empty.
 */
static int
fill(struct pipe *p, struct slot *sl)
{
	struct reader *rd = &p->rd;
	size_t len = 0, keep;
	ssize_t got;
	long last_nl = -1;
	char *nl, *chunk;

	sl->kind = K_LINES;
	sl->base = rd->base;
	sl->last = 0;
	if (rd->carry_len > 0) {
		memcpy(sl->in, rd->carry, rd->carry_len);
		len = rd->carry_len;
		rd->carry_len = 0;
	}
	while (!rd->eof && !rd->failed) {
		if (len >= PIPELINE_BLOCK && last_nl >= 0)
			break;
		if (last_nl < 0 && len > p->max_line)
			goto longline;
		got = produce(rd, sl->in + len, sl->in_cap - len);
		if (got < 0) {
			rd->failed = 1;
			break;
		}
		if (got == 0) {
			rd->eof = 1;
			break;
		}
		nl = memrchr(sl->in + len, '\n', (size_t)got);
		if (nl != NULL)
			last_nl = nl - sl->in;
		len += (size_t)got;
		rd->bytes_decoded += (uint64_t)got;
		if (rd->gzip && rd->err[0] != '\0')
			rd->failed = 1;	/* decoded bytes before an error */
	}
	if (rd->eof) {
		sl->in_len = len;
		sl->last = 1;
		return len > 0;
	}
	if (rd->failed) {
		/* Keep the complete lines; the cut one is dropped. */
		sl->in_len = (size_t)(last_nl + 1);
		rd->dropped = len - sl->in_len;
		return sl->in_len > 0;
	}
	sl->in_len = (size_t)(last_nl + 1);
	rd->carry_len = len - sl->in_len;
	memcpy(rd->carry, sl->in + sl->in_len, rd->carry_len);
	rd->base = sl->base + sl->in_len;
	return 1;

longline:
	/* No newline in more than max_line bytes: keep a prefix, skip on. */
	sl->kind = K_LONGLINE;
	keep = PIPELINE_LONG_KEEP < len ? PIPELINE_LONG_KEEP : len;
	sl->in_len = keep;
	sl->ll_len = len;
	chunk = sl->in + keep;
	for (;;) {
		got = produce(rd, chunk, sl->in_cap - keep);
		if (got < 0) {
			rd->failed = 1;
			rd->dropped = sl->ll_len;
			sl->kind = K_EMPTY;
			return 0;
		}
		if (got == 0) {
			rd->eof = 1;
			sl->last = 1;
			return 1;	/* the last line, without newline */
		}
		rd->bytes_decoded += (uint64_t)got;
		nl = memchr(chunk, '\n', (size_t)got);
		if (nl != NULL) {
			ll_finish(p, sl, chunk, (size_t)got,
			    (size_t)(nl - chunk));
			if (rd->gzip && rd->err[0] != '\0')
				rd->failed = 1;
			return 1;
		}
		sl->ll_len += (uint64_t)got;
		if (rd->gzip && rd->err[0] != '\0') {
			rd->failed = 1;
			rd->dropped = sl->ll_len;
			sl->kind = K_EMPTY;
			return 0;
		}
	}
}

/* ---- parsing ---------------------------------------------------------- */

static int
is_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

static struct docref *
new_doc(struct slot *sl)
{
	if (sl->ndocs == sl->docs_cap) {
		sl->docs_cap = sl->docs_cap ? 2 * sl->docs_cap : 1024;
		sl->docs = xrealloc(sl->docs, sl->docs_cap * sizeof(*sl->docs));
	}
	return &sl->docs[sl->ndocs++];
}

static void
out_room(struct slot *sl, size_t need)
{
	if (sl->out_cap - sl->out_len >= need)
		return;
	while (sl->out_cap - sl->out_len < need)
		sl->out_cap = sl->out_cap ? 2 * sl->out_cap : 4 * PIPELINE_BLOCK;
	sl->out = xrealloc(sl->out, sl->out_cap);
}

static void
add_err(struct slot *sl, struct docref *d, const char *msg)
{
	size_t l = strlen(msg) + 1;

	if (sl->errs_cap - sl->errs_len < l) {
		sl->errs_cap = 2 * sl->errs_cap + l + 1024;
		sl->errs = xrealloc(sl->errs, sl->errs_cap);
	}
	memcpy(sl->errs + sl->errs_len, msg, l);
	d->err = sl->errs_len;
	sl->errs_len += l;
}

/* Encode one line (or, with msg, an error document for it). */
static void
emit(struct pipe *p, struct slot *sl, const char *s, size_t n, uint64_t off,
    const char *msg)
{
	struct ecs_result res;
	struct docref *d;
	char *out, *end;

	/* The sink's gap first (sink.h): its framing goes there. */
	out_room(sl, p->gap + ecs_bound(p->ef, n) + 1);
	sl->out_len += p->gap;
	out = sl->out + sl->out_len;
	if (msg != NULL)
		end = ecs_error_doc(p->ef, s, n, off, msg, out, &res);
	else
		end = ecs_line(p->ef, s, n, off, out, &res);
	*end++ = '\n';
	d = new_doc(sl);
	d->json = sl->out_len;
	d->json_len = (size_t)(end - out) - 1;
	d->line = (size_t)(s - sl->in);
	d->line_len = n;
	d->offset = off;
	memcpy(d->id, res.id, res.idlen + 1);
	d->idlen = (uint8_t)res.idlen;
	d->type = (uint8_t)res.type;
	d->malformed = (uint8_t)res.malformed;
	d->err = 0;
	if (res.malformed) {
		add_err(sl, d, res.error);
		sl->st.malformed++;
	}
	sl->out_len += (size_t)(end - out);
	sl->st.docs++;
	sl->st.by_type[res.type]++;
}

static void
too_long(struct pipe *p, struct slot *sl, const char *s, uint64_t len,
    uint64_t off)
{
	char msg[200];
	size_t keep = len < PIPELINE_LONG_KEEP ? (size_t)len : PIPELINE_LONG_KEEP;

	snprintf(msg, sizeof(msg),
	    "line of %llu bytes is longer than the limit of %zu bytes "
	    "(--max-line); event.original holds its first %zu bytes",
	    (unsigned long long)len, p->max_line, keep);
	sl->st.too_long++;
	emit(p, sl, s, keep, off, msg);
}

static void
parse_line(struct pipe *p, struct slot *sl, const char *s, size_t n)
{
	uint64_t off = sl->base + (uint64_t)(s - sl->in);

	sl->st.lines++;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (is_blank(s, n)) {
		sl->st.blank++;
		return;
	}
	/*
	 * The limit holds however the line arrived: a long line that ends
	 * within the block (fill() cuts only lines it cannot end) too.
	 */
	if (n > p->max_line) {
		too_long(p, sl, s, n, off);
		return;
	}
	emit(p, sl, s, n, off, NULL);
}

static void
parse_block(struct pipe *p, struct slot *sl)
{
	const char *s = sl->in, *end = sl->in + sl->in_len, *nl;

	memset(&sl->st, 0, sizeof(sl->st));
	sl->out_len = 0;
	sl->ndocs = 0;
	sl->errs_len = 0;
	if (sl->kind == K_LONGLINE) {
		sl->st.lines++;
		too_long(p, sl, sl->in, sl->ll_len, sl->base);
		return;
	}
	if (sl->kind == K_EMPTY)
		return;
	while (s < end && (nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		parse_line(p, sl, s, (size_t)(nl - s));
		s = nl + 1;
	}
	if (s < end)	/* the stream's last line, without newline */
		parse_line(p, sl, s, (size_t)(end - s));
}

/* The block's documents as the sink takes them. */
static void
batch_of(const struct pipe *p, const struct slot *sl, struct docbatch *b)
{
	b->json = sl->out;
	b->json_len = sl->out_len;
	b->docs = sl->docs;
	b->ndocs = sl->ndocs;
	b->lines = sl->in;
	b->errs = sl->errs;
	b->tally = p->tally;
	b->prep = sl->prep.ok ? &sl->prep : NULL;
}

/*
 * The sink's share of the block's work that needs no order (e.g. its
 * request bytes, compressed), done here by the thread that parsed it,
 * beside the other parsing threads, instead of in order under the sink's
 * lock.
 */
static void
prepare_block(struct pipe *p, struct slot *sl, struct sink_scratch *ws)
{
	struct docbatch b;

	sl->prep.ok = 0;
	if (sl->ndocs == 0)
		return;
	batch_of(p, sl, &b);
	sink_prepare(p->sink, &b, &sl->prep, ws);
}

static int
commit(struct pipe *p, struct slot *sl)
{
	struct docbatch b;

	pipeline_stats_add(p->st, &sl->st);
	if (sl->ndocs == 0 || p->sink_failed)
		return p->sink_failed ? -1 : 0;
	batch_of(p, sl, &b);
	return sink_put(p->sink, &b);
}

/* ---- scheduling ------------------------------------------------------- */

static struct slot *
find_slot(struct pipe *p, enum slot_state st, int oldest)
{
	struct slot *best = NULL;
	int i;

	for (i = 0; i < p->nslots; i++) {
		struct slot *sl = &p->slots[i];

		if (sl->state != st)
			continue;
		if (!oldest)
			return sl;
		if (best == NULL || sl->seq < best->seq)
			best = sl;
	}
	return best;
}

static struct slot *
slot_seq(struct pipe *p, uint64_t seq)
{
	int i;

	for (i = 0; i < p->nslots; i++)
		if (p->slots[i].state != S_FREE && p->slots[i].state != S_FILLING &&
		    p->slots[i].seq == seq)
			return &p->slots[i];
	return NULL;
}

static void
lock(struct pipe *p)
{
	if (p->threaded)
		pthread_mutex_lock(&p->mu);
}

static void
unlock(struct pipe *p)
{
	if (p->threaded)
		pthread_mutex_unlock(&p->mu);
}

/* Commit every block that is next in order and parsed.  Called locked. */
static void
commit_ready(struct pipe *p)
{
	struct slot *sl;

	if (p->committing)
		return;
	p->committing = 1;
	while ((sl = slot_seq(p, p->commit_seq)) != NULL &&
	    sl->state == S_PARSED) {
		int rc;

		unlock(p);
		rc = commit(p, sl);
		lock(p);
		if (rc != 0)
			p->sink_failed = 1;
		sl->state = S_FREE;
		p->commit_seq++;
	}
	p->committing = 0;
	if (p->threaded)
		pthread_cond_broadcast(&p->cv);
}

static void *
work(void *arg)
{
	struct pipe *p = arg;
	struct slot *sl;
	struct sink_scratch ws;

	memset(&ws, 0, sizeof(ws));
	lock(p);
	for (;;) {
		if (p->sink_failed && !p->opts->drain)
			break;
		if (!p->reading && !p->read_done &&
		    (sl = find_slot(p, S_FREE, 0)) != NULL) {
			int any;

			p->reading = 1;
			sl->state = S_FILLING;
			sl->seq = p->next_seq++;
			unlock(p);
			any = fill(p, sl);
			lock(p);
			p->reading = 0;
			if (p->rd.eof || p->rd.failed)
				p->read_done = 1;
			if (any) {
				sl->state = S_FILLED;
			} else {
				sl->state = S_FREE;
				p->next_seq--;
			}
			if (p->threaded)
				pthread_cond_broadcast(&p->cv);
			continue;
		}
		if ((sl = find_slot(p, S_FILLED, 1)) != NULL) {
			sl->state = S_PARSING;
			unlock(p);
			parse_block(p, sl);
			prepare_block(p, sl, &ws);
			lock(p);
			sl->state = S_PARSED;
			commit_ready(p);
			continue;
		}
		if (p->read_done && p->commit_seq == p->next_seq)
			break;
		if (!p->threaded)
			break;	/* cannot happen inline; be safe */
		pthread_cond_wait(&p->cv, &p->mu);
	}
	if (p->threaded)
		pthread_cond_broadcast(&p->cv);
	unlock(p);
	sink_scratch_free(&ws);
	return NULL;
}

/**
 * pipeline_run(opts, ef, fd, sink, tally, st, err, errcap): see pipeline.h.
 */
int
pipeline_run(const struct pipeline_opts *opts, struct ecs_file *ef, int fd,
    struct sink *sink, struct sink_tally *tally, struct pipeline_stats *st,
    char *err, size_t errcap)
{
	struct fdsrc f = { fd, opts->stop };
	struct source src = { fd_read, &f };

	return pipeline_run_source(opts, ef, &src, sink, tally, st, err,
	    errcap);
}

/**
 * pipeline_run_source(opts, ef, src, sink, st, err, errcap): see pipeline.h.
 */
int
pipeline_run_source(const struct pipeline_opts *opts, struct ecs_file *ef,
    const struct source *src, struct sink *sink, struct sink_tally *tally,
    struct pipeline_stats *st, char *err, size_t errcap)
{
	pthread_t thr[PIPELINE_MAX_THREADS];
	struct pipe p;
	int i, nthr = opts->threads, started = 0, rc = PIPELINE_OK;

	memset(st, 0, sizeof(*st));
	memset(&p, 0, sizeof(p));
	err[0] = '\0';
	if (nthr < 1)
		nthr = 1;
	if (nthr > PIPELINE_MAX_THREADS)
		nthr = PIPELINE_MAX_THREADS;
	p.opts = opts;
	p.max_line = opts->max_line ? opts->max_line : PIPELINE_MAX_LINE_DEFAULT;
	p.ef = ef;
	p.sink = sink;
	p.gap = sink->doc_gap;
	p.tally = tally;
	p.st = st;
	p.rd.stop = opts->stop;
	if (reader_open(&p.rd, src, p.max_line + PIPELINE_BLOCK + 1) != 0) {
		snprintf(err, errcap, "%s", p.rd.err);
		reader_close(&p.rd);
		return PIPELINE_EINPUT;
	}
	st->gzip = p.rd.gzip;
	p.nslots = nthr == 1 ? 1 : nthr + 2;
	p.slots = xcalloc((size_t)p.nslots, sizeof(*p.slots));
	for (i = 0; i < p.nslots; i++) {
		p.slots[i].in_cap = p.max_line + PIPELINE_BLOCK + 1;
		p.slots[i].in = xmalloc(p.slots[i].in_cap);
	}
	if (nthr > 1) {
		pthread_mutex_init(&p.mu, NULL);
		pthread_cond_init(&p.cv, NULL);
		p.threaded = 1;
		for (i = 0; i < nthr - 1; i++) {
			if (pthread_create(&thr[i], NULL, work, &p) != 0)
				break;
			started++;
		}
	}
	work(&p);
	for (i = 0; i < started; i++)
		pthread_join(thr[i], NULL);
	if (p.threaded) {
		pthread_mutex_destroy(&p.mu);
		pthread_cond_destroy(&p.cv);
	}

	if (p.sink_failed) {
		snprintf(err, errcap, "%s", sink_error(sink));
		rc = PIPELINE_ESINK;
	} else if (p.rd.failed) {
		if (p.rd.dropped > 0)
			snprintf(err, errcap,
			    "%s; %llu bytes of an incomplete last line dropped",
			    p.rd.err, (unsigned long long)p.rd.dropped);
		else
			snprintf(err, errcap, "%s", p.rd.err);
		rc = PIPELINE_EINPUT;
	}
	st->bytes_in = p.rd.bytes_in;
	st->bytes_decoded = p.rd.bytes_decoded;
	for (i = 0; i < p.nslots; i++) {
		free(p.slots[i].in);
		free(p.slots[i].out);
		free(p.slots[i].docs);
		free(p.slots[i].errs);
		sink_prep_free(&p.slots[i].prep);
	}
	free(p.slots);
	reader_close(&p.rd);
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
