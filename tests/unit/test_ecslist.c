/*
 * test_ecslist.c: ecs_quoted_list()'s look at a whole plain list (NLB's
 * "h2","http/1.1", copied as the array's text) against its element by
 * element loop (taken when fewer than 32 bytes may be read), on random
 * lists of quotes, commas, backslashes, letters and bytes to escape.
 */
#include <stdio.h>
#include <string.h>

#include "encode/ecs_int.h"
#include "tap.h"

int
main(void)
{
	static const char alpha[] = "\"\",,,\\ah2/.1\x01\x80 ";
	static const char *const good[] = { "\"h2\"", "\"http/1.1\"",
	    "\"h2\",\"http/1.1\"", "\"h2\",\"http/1.1\",\"http/1.0\"" };
	uint64_t rs = 31;
	char in[64], o1[512], o2[512];
	unsigned i, bad = 0, fast = 0;

	for (i = 0; i < 300000; i++) {
		size_t n, j;
		char *e1, *e2;

		rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
		if ((rs >> 62) == 0) {
			/* a list of the shape AWS writes */
			const char *g = good[(rs >> 40) % 4];

			n = strlen(g);
			memcpy(in, g, n);
		} else {
			n = 1 + (size_t)(rs >> 50) % 34;
			for (j = 0; j < n; j++) {
				rs = rs * 6364136223846793005ULL +
				    1442695040888963407ULL;
				in[j] = (rs >> 61) < 3 ? "\",\"h2\"," [(rs >> 33) % 6] :
				    alpha[(rs >> 33) % (sizeof(alpha) - 1)];
			}
		}
		memset(in + n, '"', sizeof(in) - n);
		o1[0] = o2[0] = '{';
		e1 = ecs_quoted_list(o1 + 1, "k", 1, slice_make(in, n),
		    in + sizeof(in));
		e2 = ecs_quoted_list(o2 + 1, "k", 1, slice_make(in, n), in + n);
		if ((e1 - o1 != e2 - o2 || memcmp(o1, o2, (size_t)(e1 - o1)) != 0) &&
		    bad++ == 0)
			printf("# differs on '%.*s': '%.*s' and '%.*s'\n", (int)n,
			    in, (int)(e1 - o1), o1, (int)(e2 - o2), o2);
		fast += n >= 3 && n <= 32 && e1 - o1 == (long)n + 7;
	}
	ok(bad == 0 && fast > 50000, "the plain list's copy equals the loop's "
	    "text on 300000 random lists (%u copied whole)", fast);
	return tap_done();
}
