/*
 * lbtok.c: split a load balancer log line into tokens.  See lbtok.h.
 *
 * Hand-written rather than strtok/sscanf: it is on the hot path (every field
 * of every line), must not copy, and must understand AWS's quoting.
 */
#include <stdio.h>

#include "parse/lbtok.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/*
 * find_byte(p, end, c): the first ${c} in [p, end), or NULL.  Tokens are
 * mostly short, where glibc's memchr costs more in its call and setup than
 * in its search; this inlines a 16-byte SSE2 step and a scalar tail, and
 * never reads past ${end}.
 */
static inline const char *
find_byte(const char *p, const char *end, char c)
{
#if defined(__SSE2__)
	const __m128i k = _mm_set1_epi8(c);

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(v, k));

		if (mask != 0)
			return p + __builtin_ctz((unsigned)mask);
		p += 16;
	}
#endif
	for (; p < end; p++)
		if (*p == c)
			return p;
	return NULL;
}

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
			q = find_byte(p + 1, end, '"');
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
				q = find_byte(q + 1, end, ' ');
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
			q = find_byte(p, end, ' ');
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
