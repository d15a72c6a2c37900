/*
 * fuzz_lbtok.c: libFuzzer target for the tokenizer's fast path.
 *
 * The whole input (any bytes, newlines included) is one line, copied into
 * a buffer of exactly its size (so over-reads show).  For several token
 * limits, lbtok_split_plain() must give what lbtok_split_ref(), the
 * token-by-token definition, gives: the count or error, every token, the
 * rest; and when it says the line is plain, no byte of any token may be
 * `"`, `\`, a control byte or >= 0x80 (the encoders then copy values into
 * JSON as they are; the rest, split later, is always escaped).  Built
 * and run by fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/lbtok.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
plain_byte(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

static void
fail(const char *what, int max, const char *s, size_t n)
{
	fprintf(stderr, "fuzz_lbtok: %s (max %d) on %zu bytes: %.*s\n", what,
	    max, n, (int)(n > 4096 ? 4096 : n), s);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int maxes[] = { 1, 2, 8, 15, 16, 18, 33, 40 };
	struct lbtok a[40], b[40];
	struct slice ra, rb;
	struct lb_err ea, eb;
	char *s = malloc(size ? size : 1);
	size_t i, m;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		int max = maxes[i], ka, kb, plain = -1, j;

		memset(&ea, 0, sizeof(ea));
		memset(&eb, 0, sizeof(eb));
		ka = lbtok_split_plain(s, size, a, max, &ra, &ea, &plain);
		kb = lbtok_split_ref(s, size, b, max, &rb, &eb);
		if (ka != kb)
			fail("token count differs from the reference", max, s, size);
		if (ra.p != rb.p || ra.n != rb.n)
			fail("rest differs from the reference", max, s, size);
		if (ka < 0) {
			if (ea.field != eb.field || ea.val.p != eb.val.p ||
			    ea.val.n != eb.val.n)
				fail("error differs from the reference", max, s, size);
			if (plain)
				fail("plain on an error", max, s, size);
			continue;
		}
		for (j = 0; j < ka; j++) {
			if (a[j].p != b[j].p || a[j].n != b[j].n ||
			    a[j].quoted != b[j].quoted)
				fail("a token differs from the reference", max, s,
				    size);
			if (plain == 1)
				for (m = 0; m < a[j].n; m++)
					if (!plain_byte((unsigned char)a[j].p[m]))
						fail("plain, but a token is not", max,
						    s, size);
		}
		if (plain != 0 && plain != 1)
			fail("plain not set", max, s, size);
	}
	free(s);
	return 0;
}
