/*
 * lumberjack.c: Lumberjack v2 frames.  See lumberjack.h.
 */
#include <stdlib.h>
#include <string.h>

#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include "sink/lumberjack.h"
#include "util/xalloc.h"

void
lj_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

uint32_t
lj_get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Append version, type and one number. */
static int
head32(struct buf *out, char type, uint32_t v)
{
	unsigned char h[6];

	h[0] = LJ_VERSION;
	h[1] = (unsigned char)type;
	lj_put32(h + 2, v);
	return buf_add(out, h, sizeof(h));
}

int
lj_window(struct buf *out, uint32_t count)
{
	return head32(out, LJ_WINDOW, count);
}

int
lj_ack(struct buf *out, uint32_t seq)
{
	return head32(out, LJ_ACK, seq);
}

int
lj_json(struct buf *out, uint32_t seq, const char *json, size_t n)
{
	unsigned char h[10];

	if (n > UINT32_MAX || buf_reserve(out, sizeof(h) + n) != 0)
		return -1;
	h[0] = LJ_VERSION;
	h[1] = LJ_JSON;
	lj_put32(h + 2, seq);
	lj_put32(h + 6, (uint32_t)n);
	buf_add(out, h, sizeof(h));
	buf_add(out, json, n);
	return 0;
}

/*
 * Deflate with ISA-L, as the _bulk sink's gzip does (encode/gzenc.c),
 * writing a zlib stream (RFC 1950), which is what Logstash's beats input
 * inflates: about three times less CPU than zlib's deflate at level 1-3
 * for a ratio within a few percent (bench/beats.sh).  zlib levels map to
 * ISA-L's: 1-3 -> 1, 4-6 -> 2, 7-9 -> 3.
 */
int
lj_compressed(struct buf *out, const char *frames, size_t n, int level)
{
	static const uint32_t lvl_buf[] = { ISAL_DEF_LVL1_DEFAULT,
	    ISAL_DEF_LVL2_DEFAULT, ISAL_DEF_LVL3_DEFAULT };
	struct isal_zstream zs;
	size_t start = out->len, room;
	unsigned char *h, *level_buf;
	int il = level <= 3 ? 1 : level <= 6 ? 2 : 3, rc = -1;

	if (n > UINT32_MAX / 2)
		return -1;
	/* Stored blocks are the worst case: a little over n. */
	room = n + n / 16 + 1024;
	if (buf_reserve(out, 6 + room) != 0)
		return -1;
	level_buf = xmalloc(lvl_buf[il - 1]);
	isal_deflate_init(&zs);
	zs.gzip_flag = IGZIP_ZLIB;
	zs.level = (uint32_t)il;
	zs.level_buf = level_buf;
	zs.level_buf_size = lvl_buf[il - 1];
	zs.flush = NO_FLUSH;
	zs.end_of_stream = 1;
	zs.next_in = (uint8_t *)(uintptr_t)frames;
	zs.avail_in = (uint32_t)n;
	zs.next_out = (uint8_t *)out->p + start + 6;
	zs.avail_out = (uint32_t)room;
	if (isal_deflate(&zs) == COMP_OK &&
	    zs.internal_state.state == ZSTATE_END && zs.total_out <= UINT32_MAX) {
		h = (unsigned char *)out->p + start;
		h[0] = LJ_VERSION;
		h[1] = LJ_COMPRESSED;
		lj_put32(h + 2, (uint32_t)zs.total_out);
		out->len = start + 6 + zs.total_out;
		rc = 0;
	}
	free(level_buf);
	return rc;
}

int
lj_ack_parse(const unsigned char *p, size_t n, uint32_t *seq)
{
	if (n >= 1 && p[0] != LJ_VERSION)
		return -1;
	if (n >= 2 && p[1] != LJ_ACK)
		return -1;
	if (n < LJ_ACK_LEN)
		return 0;
	*seq = lj_get32(p + 2);
	return LJ_ACK_LEN;
}

long
lj_frame_parse(const unsigned char *p, size_t n, struct lj_frame *f)
{
	memset(f, 0, sizeof(*f));
	if (n >= 1 && p[0] != LJ_VERSION)
		return -1;
	if (n < 2)
		return 0;
	f->type = (char)p[1];
	switch (f->type) {
	case LJ_WINDOW:
	case LJ_ACK:
		if (n < 6)
			return 0;
		if (f->type == LJ_WINDOW)
			f->count = lj_get32(p + 2);
		else
			f->seq = lj_get32(p + 2);
		return 6;
	case LJ_JSON:
		if (n < 10)
			return 0;
		f->seq = lj_get32(p + 2);
		f->len = lj_get32(p + 6);
		if (n - 10 < f->len)
			return 0;
		f->payload = p + 10;
		return 10 + (long)f->len;
	case LJ_COMPRESSED:
		if (n < 6)
			return 0;
		f->len = lj_get32(p + 2);
		if (n - 6 < f->len)
			return 0;
		f->payload = p + 6;
		return 6 + (long)f->len;
	default:
		return -1;
	}
}

int
lj_inflate(const unsigned char *p, size_t n, struct buf *out, size_t max)
{
	size_t start = out->len;
	z_stream z;
	int rc = Z_OK;

	memset(&z, 0, sizeof(z));
	if (n > UINT32_MAX || inflateInit(&z) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	while (rc != Z_STREAM_END) {
		size_t chunk = 65536;

		if (out->len - start + chunk > max)
			chunk = max - (out->len - start);
		if (chunk == 0 || buf_reserve(out, chunk) != 0)
			break;
		z.next_out = (Bytef *)out->p + out->len;
		z.avail_out = (uInt)chunk;
		rc = inflate(&z, Z_NO_FLUSH);
		out->len += chunk - z.avail_out;
		if (rc != Z_OK && rc != Z_STREAM_END)
			break;
		if (rc == Z_OK && z.avail_in == 0 && z.avail_out > 0)
			break;		/* truncated */
	}
	inflateEnd(&z);
	if (rc != Z_STREAM_END || z.avail_in != 0) {
		out->len = start;
		return -1;
	}
	return 0;
}
