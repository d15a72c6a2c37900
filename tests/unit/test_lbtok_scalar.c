/*
 * test_lbtok_scalar.c: the tokenizer's portable path (the one an arm64
 * build compiles, without SSE2), built here from the same source and
 * checked against the reference on random lines.
 */
#include <stdio.h>

#undef __SSE2__
#define LBTOK_NO_AVX2 1
#define lbtok_split lbtok_split_scalar
#define lbtok_split_ref lbtok_split_ref_scalar
#define lbtok_split_plain lbtok_split_plain_scalar
#define lbtok_split_lead lbtok_split_lead_scalar
#define lb_err_format lb_err_format_scalar
#include "parse/lbtok.c"
#undef lbtok_split
#undef lbtok_split_ref
#undef lbtok_split_plain
#undef lbtok_split_lead
#undef lb_err_format

#include "tap.h"

int lbtok_split_ref(const char *s, size_t n, struct lbtok *tok, int max,
    struct slice *rest, struct lb_err *err);

#include "lbtok_diff.h"

int
main(void)
{
	char why[600] = "";

	ok(diff_check(lbtok_split_scalar, 200000, why, sizeof(why)),
	    "scalar lbtok_split equals the reference on 200000 random lines %s",
	    why);
	ok(diff_check(lbtok_split_ref_scalar, 20000, why, sizeof(why)),
	    "scalar reference equals the SSE2 build's %s", why);
	ok(plain_check(lbtok_split_plain_scalar, 200000, why, sizeof(why)),
	    "scalar: plain only when no value holds a byte to escape %s", why);
	ok(lead_check(lbtok_split_lead_scalar, 200000, why, sizeof(why)),
	    "scalar: the plain first tokens are plain %s", why);
	return tap_done();
}
