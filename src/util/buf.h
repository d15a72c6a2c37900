/*
 * buf.h: a growable byte buffer with a hard cap (after curl's dynbuf).
 *
 * buf_init() takes the most the buffer may ever hold; an append that would
 * pass it fails with -1 and leaves the buffer unchanged.  Growth below the
 * cap is by doubling; out-of-memory is fatal (xalloc.h).  Pointers into the
 * buffer are invalidated by any append.
 */
#ifndef ELBSHIP_BUF_H
#define ELBSHIP_BUF_H

#include <stddef.h>

struct buf {
	char *p;
	size_t len, cap, max;
};

/** buf_init(b, max): an empty buffer that will never hold more than ${max}. */
void buf_init(struct buf *b, size_t max);

/** buf_reserve(b, n): make room for ${n} more bytes; 0, or -1 past the cap. */
int buf_reserve(struct buf *b, size_t n);

/** buf_add(b, p, n): append ${n} bytes; 0, or -1 (unchanged) past the cap. */
int buf_add(struct buf *b, const void *p, size_t n);

/** buf_adds(b, s): append the string ${s}. */
int buf_adds(struct buf *b, const char *s);

/** buf_printf(b, fmt, ...): append formatted text; 0 or -1. */
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** buf_reset(b): empty the buffer, keeping its memory. */
void buf_reset(struct buf *b);

/** buf_free(b): free the memory; the buffer is then empty. */
void buf_free(struct buf *b);

#endif
