/*
 * gzenc.c: one-shot gzip compression with ISA-L.  See gzenc.h.
 */
#include <stdlib.h>
#include <string.h>

#include <isa-l/igzip_lib.h>

#include "encode/gzenc.h"
#include "util/xalloc.h"

/**
 * gzenc(in, n, out): see gzenc.h.
 */
int
gzenc(const void *in, size_t n, struct buf *out)
{
	struct isal_zstream zs;
	unsigned char *level_buf = NULL;
	int rc = -1;

	buf_reset(out);
	/* Stored blocks are the worst case: a little over n. */
	if (buf_reserve(out, n + n / 16 + 1024) != 0)
		return -1;
	isal_deflate_init(&zs);
	zs.gzip_flag = IGZIP_GZIP;
	zs.level = 1;
	level_buf = xmalloc(ISAL_DEF_LVL1_DEFAULT);
	zs.level_buf = level_buf;
	zs.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
	zs.flush = NO_FLUSH;
	zs.end_of_stream = 1;
	zs.next_in = (uint8_t *)(uintptr_t)in;
	zs.avail_in = (uint32_t)n;
	for (;;) {
		zs.next_out = (uint8_t *)out->p + out->len;
		zs.avail_out = (uint32_t)(out->cap - out->len);
		if (isal_deflate(&zs) != COMP_OK)
			goto out;
		out->len = (size_t)((char *)zs.next_out - out->p);
		if (zs.internal_state.state == ZSTATE_END)
			break;
		if (buf_reserve(out, out->cap - out->len + 65536) != 0)
			goto out;
	}
	rc = 0;
out:
	free(level_buf);
	return rc;
}
