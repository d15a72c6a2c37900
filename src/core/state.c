/*
 * state.c: the resume file of S3 objects done.  See state.h for the format
 * and the guarantees.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/state.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/xalloc.h"

#define LINE_MAX_BYTES (64u << 10)	/* a bucket (63) and key (1024) encoded */

struct state {
	int fd;			/* open for appending */
	char *path;
	char **set;		/* open addressing, "bucket/key" decoded */
	size_t cap, n;
	struct buf line;	/* scratch: the line of one record */
};

/* ---- the set ---------------------------------------------------------------- */

static uint64_t
hash_bytes(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int
set_has(const struct state *st, const char *k)
{
	size_t i;

	if (st->cap == 0)
		return 0;
	for (i = hash_bytes(k) & (st->cap - 1); st->set[i] != NULL;
	    i = (i + 1) & (st->cap - 1))
		if (strcmp(st->set[i], k) == 0)
			return 1;
	return 0;
}

static void
set_put(struct state *st, char *k)	/* takes ${k}; not already there */
{
	size_t i;

	if (2 * (st->n + 1) > st->cap) {
		char **old = st->set;
		size_t oc = st->cap, j;

		st->cap = oc ? 2 * oc : 1024;
		st->set = xcalloc(st->cap, sizeof(*st->set));
		for (j = 0; j < oc; j++) {
			if (old[j] == NULL)
				continue;
			for (i = hash_bytes(old[j]) & (st->cap - 1);
			    st->set[i] != NULL; i = (i + 1) & (st->cap - 1))
				;
			st->set[i] = old[j];
		}
		free(old);
	}
	for (i = hash_bytes(k) & (st->cap - 1); st->set[i] != NULL;
	    i = (i + 1) & (st->cap - 1))
		;
	st->set[i] = k;
	st->n++;
}

/* ---- line form -------------------------------------------------------------- */

static int
must_escape(unsigned char c)
{
	return c < 0x21 || c == 0x7f || c == '%';
}

size_t
state_encode(const char *s, size_t n, char *out, size_t cap)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (must_escape(c)) {
			if (o + 3 < cap) {
				out[o] = '%';
				out[o + 1] = hx[c >> 4];
				out[o + 2] = hx[c & 15];
			}
			o += 3;
		} else {
			if (o + 1 < cap)
				out[o] = (char)c;
			o++;
		}
	}
	if (cap > 0)
		out[o < cap ? o : cap - 1] = '\0';
	return o;
}

long
state_decode(char *s)
{
	char *start = s, *o = s;

	for (; *s; s++) {
		int hi = *s == '%' ? hex_value((unsigned char)s[1]) : -1;
		int lo = hi >= 0 ? hex_value((unsigned char)s[2]) : -1;

		if (lo >= 0) {
			if (hi == 0 && lo == 0)
				return -1;
			*o++ = (char)(hi << 4 | lo);
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return (long)(o - start);
}

/* ---- the file ------------------------------------------------------------------ */

/* "bucket/key" as a new string. */
static char *
joined(const char *bucket, const char *key)
{
	size_t bl = strlen(bucket), kl = strlen(key);
	char *k = xmalloc(bl + kl + 2);

	memcpy(k, bucket, bl);
	k[bl] = '/';
	memcpy(k + bl + 1, key, kl + 1);
	return k;
}

/* Append the line form of ${k} and a newline to ${b}. */
static int
add_line(struct buf *b, const char *k)
{
	size_t n = strlen(k), need = state_encode(k, n, NULL, 0);

	if (buf_reserve(b, need + 2) != 0)
		return -1;
	state_encode(k, n, b->p + b->len, need + 1);
	b->len += need;
	return buf_add(b, "\n", 1);
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Rewrite the file as version 2 holding the set: a temporary file next to
 * it, fsync'd, renamed over it.  Returns the new file's descriptor (open
 * for appending), or -1 with errno.
 */
static int
rewrite(struct state *st)
{
	struct buf b;
	char *tmp;
	size_t i;
	int fd, e;

	tmp = xmalloc(strlen(st->path) + 8);
	sprintf(tmp, "%s.tmp", st->path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = errno;
		free(tmp);
		errno = e;
		return -1;
	}
	buf_init(&b, (size_t)1 << 40);
	buf_adds(&b, STATE_HEADER);
	for (i = 0; i < st->cap; i++)
		if (st->set[i] != NULL)
			add_line(&b, st->set[i]);
	if (write_all(fd, b.p, b.len) != 0 || fsync(fd) != 0 ||
	    rename(tmp, st->path) != 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		buf_free(&b);
		free(tmp);
		errno = e;
		return -1;
	}
	close(fd);
	buf_free(&b);
	free(tmp);
	return open(st->path, O_WRONLY | O_APPEND | O_CLOEXEC);
}

/*
 * Read ${f}: every complete line into the set.  *${v2} tells whether the
 * header was there, *${good} is the length up to the last newline.
 */
static void
load(struct state *st, FILE *f, int *v2, off_t *good)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t l;
	int first = 1;

	*v2 = 0;
	*good = 0;
	while ((l = getline(&line, &cap, f)) > 0) {
		if (line[l - 1] != '\n')
			break;	/* a torn last line: not recorded */
		*good += l;
		line[l - 1] = '\0';
		if (first && strcmp(line, "# elbship state 2") == 0) {
			*v2 = 1;
			first = 0;
			continue;
		}
		first = 0;
		if (*v2 && state_decode(line) < 0)
			continue;
		if (line[0] != '\0' && !set_has(st, line))
			set_put(st, xstrdup(line));
	}
	free(line);
}

struct state *
state_open(const char *path, char *err, size_t cap)
{
	struct state *st = xcalloc(1, sizeof(*st));
	struct stat sb;
	FILE *f;
	off_t good = 0;
	int v2 = 0;

	st->fd = -1;
	st->path = xstrdup(path);
	buf_init(&st->line, LINE_MAX_BYTES);
	f = fopen(path, "r");
	if (f != NULL) {
		load(st, f, &v2, &good);
		fclose(f);
	} else if (errno != ENOENT) {
		snprintf(err, cap, "cannot read --state file '%s': %s", path,
		    strerror(errno));
		goto fail;
	}
	st->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (st->fd < 0 || fstat(st->fd, &sb) != 0)
		goto fail_write;
	if (sb.st_size > 0 && !v2) {
		/* The plain format of earlier versions: convert it first. */
		close(st->fd);
		st->fd = rewrite(st);
		if (st->fd < 0)
			goto fail_write;
	} else if (sb.st_size == 0) {
		if (write_all(st->fd, STATE_HEADER, strlen(STATE_HEADER)) != 0 ||
		    fdatasync(st->fd) != 0)
			goto fail_write;
	} else if (sb.st_size > good) {
		/* A torn last line: cut it off, or the next record joins it. */
		if (ftruncate(st->fd, good) != 0 || fdatasync(st->fd) != 0)
			goto fail_write;
	}
	return st;
fail_write:
	snprintf(err, cap, "cannot write --state file '%s': %s", path,
	    strerror(errno));
fail:
	state_free(st);
	return NULL;
}

size_t
state_count(const struct state *s)
{
	return s->n;
}

int
state_has(const struct state *s, const char *bucket, const char *key)
{
	char *k;
	int r;

	if (s == NULL || s->n == 0)
		return 0;
	k = joined(bucket, key);
	r = set_has(s, k);
	free(k);
	return r;
}

int
state_add(struct state *st, const char *bucket, const char *key)
{
	char *k = joined(bucket, key);

	if (set_has(st, k)) {
		free(k);
		return 0;
	}
	set_put(st, k);
	buf_reset(&st->line);
	if (add_line(&st->line, k) != 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return write_all(st->fd, st->line.p, st->line.len);
}

int
state_sync(struct state *st)
{
	return fdatasync(st->fd);
}

int
state_record(struct state *st, const char *bucket, const char *key,
    char *err, size_t cap)
{
	if (state_add(st, bucket, key) != 0 || state_sync(st) != 0) {
		snprintf(err, cap, "--state file '%s' write failed: %s",
		    st->path, strerror(errno));
		return -1;
	}
	return 0;
}

void
state_free(struct state *st)
{
	size_t i;

	if (st == NULL)
		return;
	if (st->fd >= 0)
		close(st->fd);
	for (i = 0; i < st->cap; i++)
		free(st->set[i]);
	free(st->set);
	free(st->path);
	buf_free(&st->line);
	free(st);
}
