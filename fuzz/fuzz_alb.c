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

FUZZ_PARSER_TARGET(alb, LB_ALB)
