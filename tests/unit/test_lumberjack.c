/*
 * test_lumberjack.c: the Lumberjack v2 frame codec (src/sink/lumberjack.h):
 * frames byte for byte as go-lumber's client writes them, a compressed
 * window read back, ACKs cut anywhere, and what the parsers refuse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sink/lumberjack.h"
#include "tap.h"

static void
test_frames(void)
{
	struct buf b;
	static const unsigned char want[] = {
		'2', 'W', 0, 0, 0, 2,
		'2', 'J', 0, 0, 0, 1, 0, 0, 0, 2, '{', '}',
		'2', 'J', 0, 0, 0, 2, 0, 0, 0, 7, '{', '"', 'a', '"', ':', '1', '}',
		'2', 'A', 0, 0, 1, 0,
	};

	buf_init(&b, 1 << 20);
	ok(lj_window(&b, 2) == 0 && lj_json(&b, 1, "{}", 2) == 0 &&
	    lj_json(&b, 2, "{\"a\":1}", 7) == 0 && lj_ack(&b, 256) == 0,
	    "window, two data frames and an ACK encoded");
	ok(b.len == sizeof(want) && memcmp(b.p, want, sizeof(want)) == 0,
	    "bytes as go-lumber writes them: '2', type, big-endian numbers");
	is_int(lj_get32((const unsigned char *)"\x01\x02\x03\x04"), 0x01020304,
	    "lj_get32 is big-endian");
	buf_free(&b);

	buf_init(&b, 8);
	ok(lj_json(&b, 1, "{\"long\":true}", 13) == -1 && b.len == 0,
	    "a frame past the buffer's cap fails and leaves it unchanged");
	buf_free(&b);
}

static void
test_compressed_roundtrip(void)
{
	struct buf frames, wire, out;
	struct lj_frame f;
	char doc[64];
	long n, m;
	size_t off;
	uint32_t i, seen = 0;
	int level, good = 1;

	for (level = 1; level <= 9; level += 4) {
		buf_init(&frames, 1 << 24);
		buf_init(&wire, 1 << 24);
		buf_init(&out, 1 << 24);
		for (i = 1; i <= 1000; i++) {
			int k = snprintf(doc, sizeof(doc), "{\"n\":%u,\"x\":\"abc\"}", i);

			lj_json(&frames, i, doc, (size_t)k);
		}
		lj_window(&wire, 1000);
		ok(lj_compressed(&wire, frames.p, frames.len, level) == 0,
		    "level %d: a window of 1000 events compressed", level);
		ok(wire.len < frames.len / 2, "level %d: smaller (%zu of %zu "
		    "bytes)", level, wire.len, frames.len);
		n = lj_frame_parse((unsigned char *)wire.p, wire.len, &f);
		ok(n == 6 && f.type == LJ_WINDOW && f.count == 1000,
		    "level %d: the window frame reads back", level);
		m = lj_frame_parse((unsigned char *)wire.p + n, wire.len - (size_t)n,
		    &f);
		ok(m > 0 && (size_t)(n + m) == wire.len && f.type == LJ_COMPRESSED,
		    "level %d: then one compressed frame, to the end", level);
		ok(lj_inflate(f.payload, f.len, &out, 1 << 24) == 0 &&
		    out.len == frames.len && memcmp(out.p, frames.p, out.len) == 0,
		    "level %d: it inflates to the data frames", level);
		for (off = 0, seen = 0; off < out.len; off += (size_t)n) {
			n = lj_frame_parse((unsigned char *)out.p + off,
			    out.len - off, &f);
			if (n <= 0 || f.type != LJ_JSON || f.seq != seen + 1) {
				good = 0;
				break;
			}
			seen++;
		}
		ok(good && seen == 1000, "level %d: sequence 1..1000 inside",
		    level);
		out.len = 0;
		ok(lj_inflate(f.payload, f.len - 1, &out, 1 << 24) == -1 &&
		    out.len == 0, "level %d: a truncated stream is refused", level);
		buf_free(&frames);
		buf_free(&wire);
		buf_free(&out);
	}
	buf_init(&wire, 1 << 20);
	buf_init(&out, 1 << 20);
	lj_compressed(&wire, "0123456789abcdef", 16, 3);
	ok(lj_inflate((unsigned char *)wire.p + 6, wire.len - 6, &out, 15) == -1,
	    "an inflated size past the limit is refused");
	out.len = 0;
	buf_add(&wire, "x", 1);
	ok(lj_inflate((unsigned char *)wire.p + 6, wire.len - 6, &out, 1 << 20) ==
	    -1, "bytes after the zlib stream are refused");
	ok(lj_inflate((const unsigned char *)"garbage!", 8, &out, 1 << 20) == -1,
	    "garbage is refused");
	buf_free(&wire);
	buf_free(&out);
}

static void
test_ack_parse(void)
{
	const unsigned char a[] = { '2', 'A', 0, 0, 0x08, 0x00 };
	uint32_t seq = 0;
	size_t k;
	int good = 1;

	ok(lj_ack_parse(a, 6, &seq) == 6 && seq == 2048, "ACK 2048 parsed");
	for (k = 0; k < 6; k++)
		if (lj_ack_parse(a, k, &seq) != 0)
			good = 0;
	ok(good, "a cut ACK asks for more bytes, whatever the cut");
	ok(lj_ack_parse((const unsigned char *)"1A\0\0\0\1", 6, &seq) == -1,
	    "version '1' is refused");
	ok(lj_ack_parse((const unsigned char *)"H", 1, &seq) == -1,
	    "a wrong first byte is refused at once (an HTTP answer)");
	ok(lj_ack_parse((const unsigned char *)"2W\0\0\0\1", 6, &seq) == -1,
	    "a window frame is not an ACK");
	ok(lj_ack_parse((const unsigned char *)"2A\0\0\0\0", 6, &seq) == 6 &&
	    seq == 0, "ACK 0 (a keep-alive) parsed");
}

static void
test_frame_parse_errors(void)
{
	struct lj_frame f;
	const unsigned char j[] = { '2', 'J', 0, 0, 0, 1, 0, 0, 0, 5, '{', '}' };

	ok(lj_frame_parse((const unsigned char *)"2X", 2, &f) == -1,
	    "an unknown frame type is refused");
	ok(lj_frame_parse((const unsigned char *)"3W", 2, &f) == -1,
	    "version 3 is refused");
	ok(lj_frame_parse(j, sizeof(j), &f) == 0,
	    "a data frame shorter than its length asks for more");
	ok(lj_frame_parse((const unsigned char *)"2C\xff\xff\xff\xff", 6, &f) ==
	    0, "a compressed frame of 4 GiB asks for more, no overflow");
	ok(lj_frame_parse((const unsigned char *)"2", 1, &f) == 0,
	    "one byte asks for more");
}

int
main(void)
{
	test_frames();
	test_compressed_roundtrip();
	test_ack_parse();
	test_frame_parse_errors();
	return tap_done();
}
