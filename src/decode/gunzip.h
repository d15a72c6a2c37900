/*
 * gunzip.h: streaming gzip decompression (RFC 1952), multi-member aware.
 *
 * AWS writes large ALB logs as several concatenated gzip members; a reader
 * that stops at the first member's end silently loses lines.  This decoder
 * reads every member to the end of input, checks each member's CRC-32 and
 * ISIZE, and reports the first corrupt or truncated member with the
 * compressed offset where it starts and where decoding failed.
 *
 * Memory: one decoder holds a fixed state (the inflate window and tables);
 * it never buffers input or output beyond what the caller passes in.
 *
 * Usage (push input, pull output):
 *
 *	struct gunzip *z = gunzip_new();
 *	while (read a chunk IN of N bytes) {
 *		gunzip_input(z, IN, N);
 *		do {
 *			rc = gunzip_output(z, OUT, CAP, &got);
 *			... use got bytes of OUT ...
 *		} while (rc == GUNZIP_OK);
 *		if (rc == GUNZIP_ERR) { report gunzip_error(z); break; }
 *		// rc == GUNZIP_NEED_INPUT: read the next chunk
 *	}
 *	if (at end of input && gunzip_finish(z) != 0) report gunzip_error(z);
 *	gunzip_free(z);
 */
#ifndef ELBSHIP_GUNZIP_H
#define ELBSHIP_GUNZIP_H

#include <stddef.h>
#include <stdint.h>

struct gunzip;

enum {
	GUNZIP_OK = 0,		/* produced output; call gunzip_output again */
	GUNZIP_NEED_INPUT = 1,	/* the current input is used up; feed more */
	GUNZIP_ERR = -1		/* corrupt data; see gunzip_error() */
};

/**
 * gunzip_magic(buf, n): return 1 if ${buf} begins with the gzip magic bytes
 * 1f 8b (n >= 2), else 0.
 */
int gunzip_magic(const void *buf, size_t n);

/**
 * gunzip_new(void): return a new decoder positioned before the first member,
 * or NULL on allocation failure.
 */
struct gunzip *gunzip_new(void);

/**
 * gunzip_reset(z): make ${z} ready for a new stream, as if new.
 */
void gunzip_reset(struct gunzip *z);

/**
 * gunzip_input(z, in, n): give ${z} the next ${n} bytes of compressed input.
 * The bytes are borrowed: ${in} must stay valid and unchanged until
 * gunzip_output() returns GUNZIP_NEED_INPUT.
 */
void gunzip_input(struct gunzip *z, const void *in, size_t n);

/**
 * gunzip_output(z, out, cap, got): decompress into ${out} (capacity ${cap} > 0),
 * setting *${got} to the number of bytes written (possibly 0).  Returns
 * GUNZIP_OK if the caller should call again, GUNZIP_NEED_INPUT once all input
 * given so far is consumed (output may still have been produced: check
 * *got), or GUNZIP_ERR on corrupt data (output produced before the error is
 * in *got and is good).  After GUNZIP_ERR the decoder stays in error until
 * gunzip_reset().
 */
int gunzip_output(struct gunzip *z, void *out, size_t cap, size_t *got);

/**
 * gunzip_finish(z): declare the end of input.  Returns 0 if the input ended
 * exactly at the end of a member (and at least one member was seen), -1 if it
 * ended inside a member (truncated) or was empty; gunzip_error() then says so.
 */
int gunzip_finish(struct gunzip *z);

/**
 * gunzip_error(z): a NUL-terminated description of the error, naming the
 * compressed offset of the failure and the member it occurred in, e.g.
 * "corrupt gzip member 3 (starting at byte 81234): invalid block type at
 * compressed byte 81301".  Owned by ${z}; valid until the next call on ${z}.
 */
const char *gunzip_error(const struct gunzip *z);

/** gunzip_members(z): number of members completed so far. */
unsigned long gunzip_members(const struct gunzip *z);

/** gunzip_total_in(z): compressed bytes consumed so far. */
uint64_t gunzip_total_in(const struct gunzip *z);

/** gunzip_total_out(z): decompressed bytes produced so far. */
uint64_t gunzip_total_out(const struct gunzip *z);

/**
 * gunzip_free(z): free ${z}.  gunzip_free(NULL) does nothing.
 */
void gunzip_free(struct gunzip *z);

#endif
