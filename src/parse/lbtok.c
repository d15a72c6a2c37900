/*
 * lbtok.c: split a load balancer log line into tokens.  See lbtok.h.
 *
 * Hand-written rather than strtok/sscanf: it is on the hot path (every field
 * of every line), must not copy, and must understand AWS's quoting.
 */
#include <stdint.h>
#include <stdio.h>

#include "parse/lbtok.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/*
 * The line is scanned in 64-byte windows: for each window, one bit per byte
 * for spaces and one for quotes (SSE2, 16 bytes per step; scalar for a
 * partial last group), so finding the end of a token is a shift and a
 * count of trailing zeros instead of a data-dependent loop, whose branch
 * mispredictions dominated the cost of the byte-at-a-time version.  Only
 * bytes inside the line are ever read.
 */
struct scan {
	const char *s;
	size_t n;
	size_t w;		/* start of the window in sp/qt, or SIZE_MAX */
	uint64_t sp, qt;
};

static void
load_window(struct scan *sc, size_t w)
{
	const char *p = sc->s + w;
	size_t avail = sc->n - w, i = 0;
	uint64_t sp = 0, qt = 0;

	if (avail > 64)
		avail = 64;
#if defined(__SSE2__)
	{
		const __m128i vs = _mm_set1_epi8(' '), vq = _mm_set1_epi8('"');

		for (; i + 16 <= avail; i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));

			sp |= (uint64_t)(unsigned)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(v, vs)) << i;
			qt |= (uint64_t)(unsigned)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(v, vq)) << i;
		}
		/*
		 * The last, partial group: 16 bytes that end at the window's
		 * end (they start inside the line when it has 16 bytes or
		 * more), keeping only the bits of bytes not yet seen.
		 */
		if (i < avail && w + avail >= 16) {
			size_t r = avail - i;
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)
			    (p + avail - 16));
			uint64_t ms = (uint64_t)(unsigned)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(v, vs)) >> (16 - r);
			uint64_t mq = (uint64_t)(unsigned)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(v, vq)) >> (16 - r);

			sp |= ms << i;
			qt |= mq << i;
			i = avail;
		}
	}
#endif
	for (; i < avail; i++) {
		sp |= (uint64_t)(p[i] == ' ') << i;
		qt |= (uint64_t)(p[i] == '"') << i;
	}
	sc->w = w;
	sc->sp = sp;
	sc->qt = qt;
}

/* The first space (quote, if ${quote}) at or after ${pos}, or n. */
static inline size_t
next_of(struct scan *sc, size_t pos, int quote)
{
	for (;;) {
		size_t w = pos & ~(size_t)63;
		uint64_t m;

		if (pos >= sc->n)
			return sc->n;
		if (w != sc->w)
			load_window(sc, w);
		m = (quote ? sc->qt : sc->sp) >> (pos & 63);
		if (m != 0)
			return pos + (size_t)__builtin_ctzll(m);
		pos = w + 64;
	}
}

/**
 * lbtok_split(s, n, tok, max, rest, err): see lbtok.h.
 */
int
lbtok_split(const char *s, size_t n, struct lbtok *tok, int max,
    struct slice *rest, struct lb_err *err)
{
	struct scan sc = { s, n, SIZE_MAX, 0, 0 };
	size_t pos = 0, q, e;
	int k = 0;

	*rest = SLICE_NONE;
	if (n == 0)
		return 0;
	for (;;) {
		if (k == max) {
			*rest = slice_make(s + pos, n - pos);
			return k;
		}
		if (pos < n && s[pos] == '"') {
			q = next_of(&sc, pos + 1, 1);
			if (q >= n)
				return lb_err_set(err, k + 1, NULL,
				    "unterminated quoted field",
				    slice_make(s + pos, n - pos));
			if (q + 1 < n && s[q + 1] != ' ') {
				/*
				 * A quote glued to more text, as in NLB's
				 * alpn_client_preference_list "h2","http/1.1":
				 * the token is the raw text up to the next space.
				 */
				e = next_of(&sc, q + 1, 0);
				tok[k].p = s + pos;
				tok[k].n = (uint32_t)(e - pos);
				tok[k].quoted = 0;
				k++;
				if (e >= n)
					return k;
				pos = e + 1;
			} else {
				tok[k].p = s + pos + 1;
				tok[k].n = (uint32_t)(q - pos - 1);
				tok[k].quoted = 1;
				k++;
				if (q + 1 >= n)
					return k;
				pos = q + 2;
			}
		} else {
			e = next_of(&sc, pos, 0);
			tok[k].p = s + pos;
			tok[k].n = (uint32_t)(e - pos);
			tok[k].quoted = 0;
			k++;
			if (e >= n)
				return k;
			pos = e + 1;
		}
		if (pos == n) {
			/* A trailing space: one more, empty token. */
			if (k == max) {
				*rest = slice_make(s + pos, 0);
				return k;
			}
			tok[k].p = s + pos;
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
