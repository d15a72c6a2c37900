/*
 * fuzz_lumberjack.c: libFuzzer target for the Lumberjack v2 parsers
 * (src/sink/lumberjack.h), the bytes a beats peer sends or a sender
 * writes.
 *
 * The input as a stream of ACKs, whole and then fed one byte at a time
 * (the sink's way): the same sequence numbers and the same error either
 * way.  The input as frames: lj_frame_parse() never reports a frame
 * longer than what it was given, its payload inside the input; each
 * compressed frame is inflated (capped at 1 MiB), the result parsed as
 * frames again (one level).  Then a round trip: the input as one JSON
 * payload in a data frame, compressed, parses and inflates back to the
 * same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink/lumberjack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_lumberjack: %s\n", what);
	abort();
}

/* ACKs from the whole input; returns how many, -1 on an error. */
static long
acks_whole(const uint8_t *p, size_t n, uint32_t *seqs, size_t cap)
{
	long k = 0;
	uint32_t seq;
	int r;

	while ((r = lj_ack_parse(p, n, &seq)) > 0) {
		if ((size_t)k < cap)
			seqs[k] = seq;
		k++;
		p += r;
		n -= (size_t)r;
	}
	return r < 0 ? -1 : k;
}

/* The same, byte by byte, as beats.c's feed() does. */
static long
acks_bytes(const uint8_t *p, size_t n, uint32_t *seqs, size_t cap)
{
	unsigned char rx[LJ_ACK_LEN];
	size_t rxn = 0, i;
	long k = 0;

	for (i = 0; i < n; i++) {
		uint32_t seq;
		int r;

		rx[rxn++] = p[i];
		r = lj_ack_parse(rx, rxn, &seq);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		if (rxn != LJ_ACK_LEN)
			fail("an ACK of the wrong length");
		rxn = 0;
		if ((size_t)k < cap && seqs[k] != seq)
			fail("byte by byte, another sequence number");
		k++;
	}
	return k;
}

static void
frames(const uint8_t *p, size_t n, int depth)
{
	size_t off = 0;

	while (off < n) {
		struct lj_frame f;
		long m = lj_frame_parse(p + off, n - off, &f);

		if (m <= 0)
			return;
		if ((size_t)m > n - off)
			fail("a frame longer than the input");
		if ((f.type == LJ_JSON || f.type == LJ_COMPRESSED) &&
		    (f.payload < p + off || f.payload + f.len > p + off + m))
			fail("a payload outside its frame");
		if (f.type == LJ_COMPRESSED && depth == 0) {
			struct buf out;

			buf_init(&out, 1 << 20);
			if (lj_inflate(f.payload, f.len, &out, 1 << 20) == 0) {
				if (out.len > (1 << 20))
					fail("inflated past the limit");
				frames((const uint8_t *)out.p, out.len, 1);
			} else if (out.len != 0) {
				fail("a failed inflate left bytes");
			}
			buf_free(&out);
		}
		off += (size_t)m;
	}
}

static void
roundtrip(const uint8_t *p, size_t n)
{
	struct buf fr, wire, out;
	struct lj_frame f;
	long m;

	buf_init(&fr, 1 << 20);
	buf_init(&wire, 1 << 21);
	buf_init(&out, 1 << 20);
	if (lj_json(&fr, 7, (const char *)p, n) != 0 ||
	    lj_compressed(&wire, fr.p, fr.len, 1 + (int)(n % 9)) != 0)
		fail("encoding failed");
	m = lj_frame_parse((const unsigned char *)wire.p, wire.len, &f);
	if (m != (long)wire.len || f.type != LJ_COMPRESSED)
		fail("the compressed frame does not parse back");
	if (lj_inflate(f.payload, f.len, &out, 1 << 20) != 0 ||
	    out.len != fr.len || memcmp(out.p, fr.p, fr.len) != 0)
		fail("the compressed frame does not inflate back");
	m = lj_frame_parse((const unsigned char *)out.p, out.len, &f);
	if (m != (long)out.len || f.type != LJ_JSON || f.seq != 7 ||
	    f.len != n || (n > 0 && memcmp(f.payload, p, n) != 0))
		fail("the data frame does not parse back");
	buf_free(&fr);
	buf_free(&wire);
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t seqs[64];
	long a = acks_whole(data, size, seqs, 64);
	long b = acks_bytes(data, size, seqs, 64);

	if (a >= 0 && b != a)
		fail("whole and byte by byte disagree on the ACKs");
	if (a < 0 && b >= 0)
		fail("byte by byte misses an error");
	frames(data, size, 0);
	if (size <= 65536)
		roundtrip(data, size);
	return 0;
}
