/*
 * lbtok.h: the tokenizer shared by every load balancer log parser.
 *
 * AWS load balancer logs are space-separated tokens; some tokens are wrapped
 * in double quotes and may then contain spaces.  AWS never writes a raw `"`
 * inside a quoted token (it writes \x22), so a quoted token runs from one `"`
 * to the next.  Pure: no I/O, no allocation; tokens are slices of the line.
 */
#ifndef ELBSHIP_LBTOK_H
#define ELBSHIP_LBTOK_H

#include <stdint.h>

#include "parse/lberr.h"
#include "util/slice.h"

struct lbtok {
	const char *p;		/* first byte of the value (inside the quotes) */
	uint32_t n;		/* value length */
	uint32_t quoted;	/* 1 if the token was written in quotes */
};

/**
 * lbtok_split(s, n, tok, max, rest, err): split the line ${s} (${n} bytes, no
 * newline) into at most ${max} tokens stored in ${tok}.  A quoted token glued
 * to more text (NLB's "h2","http/1.1") is taken raw up to the next space.  If
 * the line has more than ${max} tokens, *${rest} is set to the unsplit
 * remainder after token ${max} and its separating space (else SLICE_NONE).
 * Returns the number of tokens, or -1 with ${err} filled in (unterminated
 * quote).  Valid only as long as ${s} is.
 */
int lbtok_split(const char *s, size_t n, struct lbtok *tok, int max,
    struct slice *rest, struct lb_err *err);

/**
 * lbtok_split_plain(s, n, tok, max, rest, err, plain): lbtok_split(), and
 * *${plain} = 1 when no byte of any token's value (nor of any part of one)
 * is `"`, `\`, a control byte or >= 0x80: each can then be copied into a
 * JSON string as it is (jsonw_str() would copy it unchanged).  It says
 * nothing of the rest (when the line has more than ${max} tokens): that
 * is for the caller to escape.  *${plain} is 0 otherwise, and whenever
 * that was not checked (unusual quoting, an error): 0 is always safe.
 */
int lbtok_split_plain(const char *s, size_t n, struct lbtok *tok, int max,
    struct slice *rest, struct lb_err *err, int *plain);

/**
 * lbtok_split_lead(s, n, tok, max, rest, err, nplain): lbtok_split(), and
 * *${nplain} = how many of the first tokens are plain as
 * lbtok_split_plain() means it: all of them when it would say plain;
 * when unusual quoting (NLB's glued "h2","http/1.1") made it take a token
 * by the reference path, those before it, if none of their bytes nor any
 * other byte it looked at in their 64-byte windows needs escaping; else
 * 0.  0 is always safe.
 */
int lbtok_split_lead(const char *s, size_t n, struct lbtok *tok, int max,
    struct slice *rest, struct lb_err *err, int *nplain);

/**
 * lbtok_split_ref(s, n, tok, max, rest, err): the same, token by token: the
 * reference lbtok_split() is tested against, and its path for lines with
 * unusual quoting.
 */
int lbtok_split_ref(const char *s, size_t n, struct lbtok *tok, int max,
    struct slice *rest, struct lb_err *err);

/**
 * lbtok_value(t): the token as a slice, SLICE_NONE when it is `-` (quoted or
 * not) or empty: AWS writes `-` for "no value".
 */
static inline struct slice
lbtok_value(const struct lbtok *t)
{
	/* Most tokens have two bytes or more: one test for them. */
	if (t->n <= 1 && (t->n == 0 || t->p[0] == '-'))
		return SLICE_NONE;
	return slice_make(t->p, t->n);
}

#endif
