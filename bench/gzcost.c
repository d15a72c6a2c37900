/*
 * gzcost.c: CPU seconds that elbship's own request compression (gzenc(),
 * ISA-L level 1) takes over a _bulk body, cut into requests the way the
 * sink cuts them (whole lines, at most BYTES each; default 5000000): the
 * floor under bench/cost.sh's gzip row, measured in process so that no
 * file reading is counted.  Prints the best of RUNS runs (default 5).
 *
 *   gzcost FILE [BYTES [RUNS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "encode/gzenc.h"
#include "util/buf.h"

static double
cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	FILE *f;
	char *in;
	long n;
	size_t max, off, cut, zbytes = 0;
	int runs, r;
	double best = -1;
	struct buf out;

	if (argc < 2) {
		fprintf(stderr, "usage: gzcost FILE [BYTES [RUNS]]\n");
		return 2;
	}
	max = argc > 2 ? strtoul(argv[2], NULL, 10) : 5000000;
	runs = argc > 3 ? atoi(argv[3]) : 5;
	if ((f = fopen(argv[1], "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		perror(argv[1]);
		return 1;
	}
	if ((in = malloc((size_t)n + 1)) == NULL ||
	    fread(in, 1, (size_t)n, f) != (size_t)n) {
		perror(argv[1]);
		return 1;
	}
	fclose(f);
	buf_init(&out, max + max / 8 + 65536);
	for (r = 0; r < runs; r++) {
		double t0 = cpu_now(), t;

		zbytes = 0;
		for (off = 0; off < (size_t)n; off += cut) {
			char *nl;

			cut = (size_t)n - off < max ? (size_t)n - off : max;
			/* End on a newline, as a request does. */
			if (off + cut < (size_t)n && (nl = memrchr(in + off, '\n',
			    cut)) != NULL)
				cut = (size_t)(nl - (in + off)) + 1;
			if (gzenc(in + off, cut, &out) != 0) {
				fprintf(stderr, "gzcost: gzenc failed\n");
				return 1;
			}
			zbytes += out.len;
		}
		t = cpu_now() - t0;
		if (best < 0 || t < best)
			best = t;
	}
	printf("%.4f %zu %ld\n", best, zbytes, n);
	buf_free(&out);
	free(in);
	return 0;
}
