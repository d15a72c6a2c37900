/*
 * fuzz_gunzip.c: libFuzzer target for the streaming gzip decoder.
 *
 * The input is decoded several times through the push/pull API of
 * decode/gunzip.h, each time cut into different input chunks and pulled
 * with different output capacities (sizes from a generator seeded by a
 * hash of the input, so a reproducer replays exactly):
 *
 *   1. all input at once, output pieces of 1..64 KiB;
 *   2. and 3. random input chunks of 1..4096 bytes, output pieces of
 *      1..8192 bytes (two seeds);
 *   4. one byte of input at a time (inputs up to 4 KiB), output pieces of
 *      1..64 bytes;
 *   5. run 2 again on the same decoder after gunzip_reset().
 *
 * Beyond "never crash, never read or write out of bounds": the result must
 * not depend on the chunking (runs that finish agree on success or failure,
 * successful ones on every byte and the member count, and a run stopped at
 * the output cap agrees with the others on the bytes it has), *got never exceeds the capacity, total_out matches
 * what was produced, an error sticks until reset, and the decoder never
 * spins without progress, nor counts more input consumed than it was given.
 * Each input chunk is a malloc of exactly its size, freed as soon as the
 * decoder asks for more, so reading borrowed input after GUNZIP_NEED_INPUT
 * is caught.  With the known bug "gunzip-overread" in $FUZZ_KNOWN (see
 * fuzz/README.md), chunks get 8 bytes of slack and an over-count after an
 * error is let pass.  Output is capped at 1 MiB per run so a
 * decompression bomb does not time out.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/gunzip.h"
#include "fuzz_ecs.h"	/* fuzz_known() */

#define OUT_LIMIT ((size_t)1 << 20)
#define SPIN_LIMIT 1000

enum { R_OK, R_ERR, R_CAPPED };

struct run {
	uint8_t *out;		/* OUT_LIMIT bytes */
	size_t len;
	int status;
	unsigned long members;
	char err[256];
};

static uint64_t
rnd(uint64_t *s)
{
	/* splitmix64 */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
fail(const char *what, const struct run *r)
{
	fprintf(stderr, "fuzz_gunzip: %s (run status %d, %zu bytes out, error "
	    "\"%s\")\n", what, r ? r->status : -1, r ? r->len : 0,
	    r ? r->err : "");
	abort();
}

/*
 * decode(z, data, size, seed, maxin, maxout, r): decode ${data} with input
 * chunks of 1..${maxin} bytes (all at once if ${maxin} is 0) and output
 * pieces of 1..${maxout} bytes.
 */
static void
decode(struct gunzip *z, const uint8_t *data, size_t size, uint64_t seed,
    size_t maxin, size_t maxout, struct run *r)
{
	uint8_t *piece = malloc(maxout);
	size_t pos = 0, k, cap, got, slack = fuzz_known("gunzip-overread") ? 8 : 0;
	int rc, spins;

	if (piece == NULL)
		abort();
	r->len = 0;
	r->err[0] = '\0';
	for (;;) {
		uint8_t *chunk;

		if (pos == size) {
			r->status = gunzip_finish(z) == 0 ? R_OK : R_ERR;
			break;
		}
		k = maxin ? 1 + (size_t)(rnd(&seed) % maxin) : size - pos;
		if (k > size - pos)
			k = size - pos;
		chunk = malloc(k + slack);
		if (chunk == NULL)
			abort();
		memcpy(chunk, data + pos, k);
		gunzip_input(z, chunk, k);
		spins = 0;
		do {
			cap = 1 + (size_t)(rnd(&seed) % maxout);
			got = (size_t)-1;
			rc = gunzip_output(z, piece, cap, &got);
			if (got > cap)
				fail("*got is larger than the capacity", r);
			if (gunzip_total_in(z) > pos + k &&
			    !(slack > 0 && rc == GUNZIP_ERR))
				fail("gunzip_total_in() counts more input than "
				    "was given", r);
			if (rc != GUNZIP_OK && rc != GUNZIP_NEED_INPUT &&
			    rc != GUNZIP_ERR)
				fail("gunzip_output returned an unknown code", r);
			if (got > OUT_LIMIT - r->len)
				got = OUT_LIMIT - r->len;
			memcpy(r->out + r->len, piece, got);
			r->len += got;
			if (r->len == OUT_LIMIT) {
				r->status = R_CAPPED;
				free(chunk);
				goto out;
			}
			spins = (rc == GUNZIP_OK && got == 0) ? spins + 1 : 0;
			if (spins > SPIN_LIMIT)
				fail("GUNZIP_OK without progress", r);
		} while (rc == GUNZIP_OK);
		if (rc == GUNZIP_ERR) {
			/* The error sticks, and produces nothing more. */
			rc = gunzip_output(z, piece, maxout, &got);
			if (rc != GUNZIP_ERR || got != 0)
				fail("decoder left the error state", r);
			free(chunk);
			r->status = R_ERR;
			break;
		}
		free(chunk);
		pos += k;
	}
	if (r->status == R_ERR) {
		snprintf(r->err, sizeof(r->err), "%s", gunzip_error(z));
		if (strcmp(r->err, "no error") == 0 || r->err[0] == '\0')
			fail("failed without an error message", r);
		if (gunzip_finish(z) == 0)
			fail("gunzip_finish succeeded after an error", r);
	} else if (gunzip_total_out(z) != r->len) {
		fail("gunzip_total_out() is not the bytes produced", r);
	}
	if (r->status == R_OK && gunzip_total_in(z) != size)
		fail("success without consuming all input", r);
out:
	r->members = gunzip_members(z);
	free(piece);
}

/*
 * Runs ${a} and ${b} of the same input must agree.  Not on the bytes before
 * an error, though: on corrupt deflate data isal emits more or fewer bytes
 * (garbage from a corrupt stream, or stale window bytes for a distance too
 * far back) before noticing, depending on the output room.
 */
static void
agree(const struct run *a, const struct run *b)
{
	size_t n = a->len < b->len ? a->len : b->len;

	if (a->status == R_ERR || b->status == R_ERR)
		n = 0;
	if (memcmp(a->out, b->out, n) != 0)
		fail("decoded bytes depend on the input chunking", b);
	if (a->status == R_CAPPED || b->status == R_CAPPED)
		return;
	if (a->status != b->status) {
		fprintf(stderr, "fuzz_gunzip: one run says \"%s\", the other "
		    "\"%s\"\n", a->err, b->err);
		fail("success or failure depends on the input chunking", b);
	}
	if (a->status == R_OK && (a->len != b->len || a->members != b->members))
		fail("output length or member count depends on chunking", b);
}

static struct run *
run_new(void)
{
	struct run *r = calloc(1, sizeof(*r));

	if (r == NULL || (r->out = malloc(OUT_LIMIT)) == NULL)
		abort();
	return r;
}

static void
run_free(struct run *r)
{
	free(r->out);
	free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run *r1 = run_new(), *r2 = run_new();
	struct gunzip *z;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211ULL;

	(void)gunzip_magic(data, size);

	z = gunzip_new();
	if (z == NULL)
		abort();
	decode(z, data, size, h, 0, 65536, r1);
	gunzip_free(z);

	z = gunzip_new();
	decode(z, data, size, h + 1, 4096, 8192, r2);
	agree(r1, r2);
	gunzip_free(z);

	z = gunzip_new();
	decode(z, data, size, h + 2, 64, 17, r2);
	agree(r1, r2);

	gunzip_reset(z);
	decode(z, data, size, h + 1, 4096, 8192, r2);
	agree(r1, r2);
	gunzip_free(z);

	if (size <= 4096) {
		z = gunzip_new();
		decode(z, data, size, h + 3, 1, 64, r2);
		agree(r1, r2);
		gunzip_free(z);
	}

	run_free(r1);
	run_free(r2);
	return 0;
}
