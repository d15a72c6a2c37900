/*
 * test_lbval_sse2.c: lbval_url_in()'s SSE2 look at a URL (what an x86-64
 * machine without AVX2 runs; test_lbval covers the path this machine
 * takes), built here from the same source and checked against
 * lbval_url() on random URLs.
 */
#include <stdio.h>

#define LBVAL_NO_AVX2 1
#include "parse/lbval.c"

#include "tap.h"

static int
same_slice(struct slice a, struct slice b)
{
	return a.p == b.p && a.n == b.n;
}

int
main(void)
{
	static const char *const head[] = { "https://", "http://", "/",
	    "wss://", "https://u@", "http://[::1]", "", "https://h:" };
	static const char alpha[] = "/?#@:.[]ab1h9/..";
	uint64_t rs = 29;
	char buf[160];
	unsigned i, bad = 0, good = 0;

	for (i = 0; i < 200000; i++) {
		struct lb_url u1, u2;
		size_t n, j, hn;
		const char *h;
		int r1, r2;

		rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
		h = head[(rs >> 33) % 8];
		hn = strlen(h);
		n = hn + (size_t)(rs >> 50) % (66 - hn);
		memcpy(buf, h, hn);
		for (j = hn; j < n; j++) {
			rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
			buf[j] = (rs >> 61) < 5 ? (char)('a' + (rs >> 33) % 26) :
			    alpha[(rs >> 33) % (sizeof(alpha) - 1)];
		}
		memset(buf + n, '/', sizeof(buf) - n);
		r1 = lbval_url_in(slice_make(buf, n), sizeof(buf), &u1);
		r2 = lbval_url(slice_make(buf, n), &u2);
		if ((r1 != r2 || (r1 == 0 && !(same_slice(u1.scheme, u2.scheme) &&
		    same_slice(u1.domain, u2.domain) &&
		    same_slice(u1.path, u2.path) &&
		    same_slice(u1.query, u2.query) &&
		    same_slice(u1.fragment, u2.fragment) &&
		    u1.port == u2.port &&
		    same_slice(u1.extension, u2.extension)))) && bad++ == 0)
			printf("# SSE2 url_in differs on '%.*s'\n", (int)n, buf);
		good += r2 == 0;
	}
	ok(bad == 0 && good > 50000, "SSE2 url_in equals url on 200000 "
	    "random URLs (%u valid)", good);
	return tap_done();
}
