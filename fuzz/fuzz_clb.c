/*
 * fuzz_clb.c: libFuzzer target for the Classic ELB access log parser and its encoder.
 *
 * The whole input goes to clb_parse() and clb_looks_like() as one line
 * (newlines and all: a pure parser must take any bytes), then its first
 * line goes through ecs_line() with the type forced to clb and the document
 * is checked (see fuzz_ecs.h).  Built and run by fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_ecs.h"
#include "parse/clb.h"

FUZZ_PARSER_TARGET(clb, LB_CLB)
