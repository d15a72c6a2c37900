/*
 * lbtok.c: split a load balancer log line into tokens.  See lbtok.h.
 *
 * Hand-written rather than strtok/sscanf: it is on the hot path (every field
 * of every line), must not copy, and must understand AWS's quoting.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "parse/lbtok.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(LBTOK_NO_AVX2)
#include <immintrin.h>
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

/*
 * Token by token, the definition of the format, from byte ${pos} (the
 * start of a token) with ${k} tokens already split.
 */
static int
split_ref(const char *s, size_t n, struct lbtok *tok, int max,
    struct slice *rest, struct lb_err *err, size_t pos, int k)
{
	struct scan sc = { s, n, SIZE_MAX, 0, 0 };
	size_t q, e;

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
 * lbtok_split_ref(s, n, tok, max, rest, err): see lbtok.h.  lbtok_split()
 * takes it from where its fast path stops on unusual quoting.
 */
int
lbtok_split_ref(const char *s, size_t n, struct lbtok *tok, int max,
    struct slice *rest, struct lb_err *err)
{
	*rest = SLICE_NONE;
	if (n == 0)
		return 0;
	return split_ref(s, n, tok, max, rest, err, 0, 0);
}

/*
 * The fast path: one pass over the line, 64 bytes at a time, with no
 * per-token search.  For each window: a bit per byte for spaces and one
 * for quotes; the bytes inside quotes from a prefix XOR of the quote bits
 * (simdjson's technique; shifts instead of a carry-less multiply, which
 * SSE2 lacks); the separators are the spaces outside quotes, and each
 * separator ends a token.  This equals the token-by-token definition when
 * every quote either opens a token (it follows a space or starts the line)
 * or closes one (a space or the line's end follows), and the quotes pair
 * up: what AWS writes.  Anything else (a quote glued to text as in NLB's
 * "h2","http/1.1", a quote inside a token, an unterminated quote) makes it
 * return -2 with the tokens before that window split and in *${pos} where
 * the next one starts: the reference path goes on from there.
 */

/*
 * The bytes that are `\`, a control byte or >= 0x80 (a byte that JSON must
 * escape, or that starts an \xHH escape, or that must be checked as UTF-8)
 * are accumulated over the line: an acc is nonzero (ACC_ANY) once one was
 * seen.
 */
#if defined(__SSE2__)
typedef __m128i acc_t;
#define ACC_INIT _mm_setzero_si128()
#define ACC_ANY(a) (_mm_movemask_epi8(a) != 0)
#else
typedef uint64_t acc_t;
#define ACC_INIT 0
#define ACC_ANY(a) ((a) != 0)
#endif

/* Bits for spaces and quotes of the 64 bytes at p (all inside the line);
 * their special bytes into *${acc}. */
static inline void
masks64(const char *p, uint64_t *sp, uint64_t *qt, acc_t *acc)
{
#if defined(__SSE2__)
	const __m128i vs = _mm_set1_epi8(' '), vq = _mm_set1_epi8('"');
	const __m128i vb = _mm_set1_epi8('\\'), v20 = _mm_set1_epi8(0x20);
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
	__m128i c = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
	__m128i d = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));

	/* signed: 0x20 > x for a control byte or one >= 0x80 */
	*acc = _mm_or_si128(*acc, _mm_or_si128(
	    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(a, vb), _mm_cmpgt_epi8(v20, a)),
	    _mm_or_si128(_mm_cmpeq_epi8(b, vb), _mm_cmpgt_epi8(v20, b))),
	    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(c, vb), _mm_cmpgt_epi8(v20, c)),
	    _mm_or_si128(_mm_cmpeq_epi8(d, vb), _mm_cmpgt_epi8(v20, d)))));

	*sp = (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a, vs)) |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, vs)) << 16 |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, vs)) << 32 |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(d, vs)) << 48;
	*qt = (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a, vq)) |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, vq)) << 16 |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, vq)) << 32 |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(d, vq)) << 48;
#else
	/*
	 * Portable SWAR, 8 bytes per step: a byte's top bit is set where it
	 * equals the pattern (exact: no carry crosses bytes), and the eight
	 * top bits are gathered into one byte with a multiply.
	 */
	const uint64_t lo7 = 0x7F7F7F7F7F7F7F7FULL, ones = 0x0101010101010101ULL;
	uint64_t s = 0, q = 0, x = 0;
	int i;

	for (i = 0; i < 64; i += 8) {
		uint64_t w, t, e;

		memcpy(&w, p + i, 8);
		t = w ^ (ones * ' ');
		e = ~(((t & lo7) + lo7) | t) & ~lo7;
		s |= ((e >> 7) * 0x0102040810204080ULL >> 56) << i;
		t = w ^ (ones * '"');
		e = ~(((t & lo7) + lo7) | t) & ~lo7;
		q |= ((e >> 7) * 0x0102040810204080ULL >> 56) << i;
		/* any backslash; any byte < 0x20 (exact for "any"); any >= 0x80 */
		t = w ^ (ones * '\\');
		x |= ~(((t & lo7) + lo7) | t) & ~lo7;
		x |= (w - ones * 0x20) & ~w & ~lo7;
		x |= w & ~lo7;
	}
	*sp = s;
	*qt = q;
	*acc |= x;
#endif
}

/* The same for the last avail (< 64) bytes of a line: bits above are 0
 * (the padding is a plain letter). */
static void
masks_tail(const char *p, size_t avail, uint64_t *sp, uint64_t *qt,
    acc_t *acc)
{
	char buf[64];

	memset(buf, 'a', sizeof(buf));
	memcpy(buf, p, avail);
	masks64(buf, sp, qt, acc);
}

/* Bit i set when an odd number of bits at or below i are set in x. */
static inline uint64_t
prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

#define LBTOK_FAST split_fast
#define LBTOK_ATTR
#define LBTOK_KDECL
#define LBTOK_MASKS64 masks64
#define LBTOK_MASKS_TAIL masks_tail
#define LBTOK_ACC_T acc_t
#define LBTOK_ACC_INIT ACC_INIT
#define LBTOK_ACC_ANY ACC_ANY
#define LBTOK_PREFIX_XOR prefix_xor
#include "parse/lbtok_fast.inc"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(LBTOK_NO_AVX2)
/*
 * With AVX2 (every x86-64 Lambda runs it; checked at run time), 32 bytes
 * per compare: the same masks in half the instructions; and the prefix
 * XOR as one carry-less multiply by all ones (PCLMULQDQ, which every AVX2
 * CPU has; checked too), as simdjson does.
 */
#define LBTOK_AVX2 1

__attribute__((target("avx2,pclmul"))) static inline uint64_t
prefix_xor_clmul(uint64_t x)
{
	__m128i r = _mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)x),
	    _mm_set1_epi8((char)0xFF), 0);

	return (uint64_t)_mm_cvtsi128_si64(r);
}

/*
 * The four patterns, made once a line and held in registers: left to
 * itself the compiler builds each again in every window (a broadcast
 * from a general register, two or three instructions).  The empty asm
 * makes their values opaque, so they cannot be rebuilt.
 */
struct k256 {
	__m256i sp, qt, bs, c20;
};

#define K256_DECL struct k256 kk;                                        \
	kk.sp = _mm256_set1_epi8(' ');                                   \
	kk.qt = _mm256_set1_epi8('"');                                   \
	kk.bs = _mm256_set1_epi8('\\');                                  \
	kk.c20 = _mm256_set1_epi8(0x20);                                 \
	__asm__("" : "+x"(kk.sp), "+x"(kk.qt), "+x"(kk.bs), "+x"(kk.c20))

__attribute__((target("avx2,pclmul"))) static inline void
masks64_avx2(const char *p, uint64_t *sp, uint64_t *qt, __m256i *acc,
    const struct k256 *k)
{
	const __m256i vs = k->sp, vq = k->qt, vb = k->bs, v20 = k->c20;
	__m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));

	*sp = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, vs)) |
	    (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, vs)) << 32;
	*qt = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, vq)) |
	    (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, vq)) << 32;
	*acc = _mm256_or_si256(*acc, _mm256_or_si256(
	    _mm256_or_si256(_mm256_cmpeq_epi8(a, vb), _mm256_cmpgt_epi8(v20, a)),
	    _mm256_or_si256(_mm256_cmpeq_epi8(b, vb), _mm256_cmpgt_epi8(v20, b))));
}

__attribute__((target("avx2,pclmul"))) static void
masks_tail_avx2(const char *p, size_t avail, uint64_t *sp, uint64_t *qt,
    __m256i *acc, const struct k256 *k)
{
	char buf[64];

	memset(buf, 'a', sizeof(buf));
	memcpy(buf, p, avail);
	masks64_avx2(buf, sp, qt, acc, k);
}

#define LBTOK_FAST split_fast_avx2
#define LBTOK_ATTR __attribute__((target("avx2,pclmul")))
#define LBTOK_KDECL K256_DECL
#define LBTOK_MASKS64(p, sp, qt, acc) masks64_avx2(p, sp, qt, acc, &kk)
#define LBTOK_MASKS_TAIL(p, avail, sp, qt, acc) \
	masks_tail_avx2(p, avail, sp, qt, acc, &kk)
#define LBTOK_ACC_T __m256i
#define LBTOK_ACC_INIT _mm256_setzero_si256()
#define LBTOK_ACC_ANY(a) (_mm256_movemask_epi8(a) != 0)
#define LBTOK_PREFIX_XOR prefix_xor_clmul
#include "parse/lbtok_fast.inc"
#endif

/*
 * lbtok_split_plain() and lbtok_split_lead() in one: *${plain} for the
 * whole split, *${lead} for its first tokens (see lbtok.h).
 */
static inline int
split_plain(const char *s, size_t n, struct lbtok *tok, int max,
    struct slice *rest, struct lb_err *err, int *plain, int *lead)
{
	size_t pos = 0;
	int k = 0, r, pl = 0;

	*rest = SLICE_NONE;
	*plain = n == 0;
	*lead = 0;
	if (n == 0)
		return 0;
	if (max > 0) {
#if defined(LBTOK_AVX2)
		if (__builtin_cpu_supports("avx2") &&
		    __builtin_cpu_supports("pclmul"))
			r = split_fast_avx2(s, n, tok, max, rest, &pos, &k,
			    &pl);
		else
#endif
			r = split_fast(s, n, tok, max, rest, &pos, &k, &pl);
		if (r >= 0) {
			*plain = pl;
			*lead = pl ? r : 0;
			return r;
		}
		/* The fast path's tokens before the reference goes on. */
		*lead = pl ? k : 0;
	}
	return split_ref(s, n, tok, max, rest, err, pos, k);
}

/**
 * lbtok_split_plain(s, n, tok, max, rest, err, plain): see lbtok.h.
 */
int
lbtok_split_plain(const char *s, size_t n, struct lbtok *tok, int max,
    struct slice *rest, struct lb_err *err, int *plain)
{
	int lead;

	return split_plain(s, n, tok, max, rest, err, plain, &lead);
}

/**
 * lbtok_split_lead(s, n, tok, max, rest, err, nplain): see lbtok.h.
 */
int
lbtok_split_lead(const char *s, size_t n, struct lbtok *tok, int max,
    struct slice *rest, struct lb_err *err, int *nplain)
{
	int plain;

	return split_plain(s, n, tok, max, rest, err, &plain, nplain);
}

/**
 * lbtok_split(s, n, tok, max, rest, err): see lbtok.h.
 */
int
lbtok_split(const char *s, size_t n, struct lbtok *tok, int max,
    struct slice *rest, struct lb_err *err)
{
	int plain;

	return lbtok_split_plain(s, n, tok, max, rest, err, &plain);
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
