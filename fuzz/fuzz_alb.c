/*
 * fuzz_alb.c: libFuzzer target for the ALB access log parser and its encoder.
 *
 * The whole input goes to alb_parse() and alb_looks_like() as one line
 * (newlines and all: a pure parser must take any bytes), then its first
 * line goes through ecs_line() with the type forced to alb and the document
 * is checked (see fuzz_ecs.h).  Built and run by fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_ecs.h"
#include "parse/alb.h"

static int
parse_line(const char *line, size_t n)
{
	struct alb_rec rec;
	struct lb_err err;

	return alb_parse(line, n, &rec, &err) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alb_rec rec;
	struct lb_err err;
	char *copy;

	memset(&err, 0, sizeof(err));
	/* The whole input, in a buffer of exactly its size. */
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	if (alb_parse(copy, size, &rec, &err) != 0 && err.what == NULL)
		abort();	/* a rejected line must say why */
	(void)alb_looks_like(copy, size);
	free(copy);

	fuzz_ecs_check(LB_ALB, parse_line, data, size);
	return 0;
}
