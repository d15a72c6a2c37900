/*
 * lbtok.c: split a load balancer log line into tokens.  See lbtok.h.
 *
 * Hand-written rather than strtok/sscanf: it is on the hot path (every field
 * of every line), must not copy, and must understand AWS's quoting.  memchr
 * is glibc's SIMD search, so long fields (user agents, URLs) cost little.
 */
#include <stdio.h>

#include "parse/lbtok.h"

/**
 * lbtok_split(s, n, tok, max, rest, err): see lbtok.h.
 */
int
lbtok_split(const char *s, size_t n, struct lbtok *tok, int max,
    struct slice *rest, struct lb_err *err)
{
	const char *p = s, *end = s + n, *q;
	int k = 0;

	*rest = SLICE_NONE;
	if (n == 0)
		return 0;
	for (;;) {
		if (k == max) {
			*rest = slice_make(p, (size_t)(end - p));
			return k;
		}
		if (p < end && *p == '"') {
			q = memchr(p + 1, '"', (size_t)(end - p - 1));
			if (q == NULL)
				return lb_err_set(err, k + 1, NULL,
				    "unterminated quoted field",
				    slice_make(p, (size_t)(end - p)));
			if (q + 1 < end && q[1] != ' ') {
				/*
				 * A quote glued to more text, as in NLB's
				 * alpn_client_preference_list "h2","http/1.1":
				 * the token is the raw text up to the next space.
				 */
				q = memchr(q + 1, ' ', (size_t)(end - q - 1));
				if (q == NULL)
					q = end;
				tok[k].p = p;
				tok[k].n = (uint32_t)(q - p);
				tok[k].quoted = 0;
				k++;
				if (q == end)
					return k;
				p = q + 1;
				goto next;
			}
			tok[k].p = p + 1;
			tok[k].n = (uint32_t)(q - p - 1);
			tok[k].quoted = 1;
			k++;
			p = q + 1;
			if (p == end)
				return k;
			p++;
		} else {
			q = memchr(p, ' ', (size_t)(end - p));
			if (q == NULL)
				q = end;
			tok[k].p = p;
			tok[k].n = (uint32_t)(q - p);
			tok[k].quoted = 0;
			k++;
			if (q == end)
				return k;
			p = q + 1;
		}
next:
		if (p == end) {
			/* A trailing space: one more, empty token. */
			if (k == max) {
				*rest = slice_make(p, 0);
				return k;
			}
			tok[k].p = p;
			tok[k].n = 0;
			tok[k].quoted = 0;
			return k + 1;
		}
	}
}

/**
 * lb_err_format(e, buf, cap): see lberr.h.
 */
size_t
lb_err_format(const struct lb_err *e, char *buf, size_t cap)
{
	char val[96];
	size_t i, j = 0, vn;
	int r;

	/* Show at most 64 bytes of the value, with non-printables as \xHH. */
	vn = e->val.p ? e->val.n : 0;
	for (i = 0; i < vn && i < 64 && j + 5 < sizeof(val); i++) {
		unsigned char c = (unsigned char)e->val.p[i];

		if (c >= 0x20 && c < 0x7f && c != '"') {
			val[j++] = (char)c;
		} else {
			snprintf(val + j, sizeof(val) - j, "\\x%02X", c);
			j += 4;
		}
	}
	val[j] = '\0';
	if (e->field > 0 && e->name != NULL)
		r = snprintf(buf, cap, "field %d (%s): %s", e->field, e->name,
		    e->what);
	else if (e->field > 0)
		r = snprintf(buf, cap, "field %d: %s", e->field, e->what);
	else
		r = snprintf(buf, cap, "%s", e->what);
	if (r < 0)
		r = 0;
	if ((size_t)r < cap && e->val.p != NULL)
		r += snprintf(buf + r, cap - (size_t)r, ": \"%s%s\"", val,
		    vn > 64 ? "..." : "");
	if ((size_t)r >= cap)
		r = cap ? (int)cap - 1 : 0;
	return (size_t)r;
}
