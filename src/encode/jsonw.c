/*
 * jsonw.c: JSON string writing with AWS \xHH decoding.  See jsonw.h.
 *
 * Written by hand, not with a JSON library: this is the hottest loop in
 * elbship (every byte of every string field passes through it), it writes
 * straight into the output buffer, and no library decodes AWS's escapes.
 * The common case (printable ASCII) is copied in runs found with a table.
 */
#include "encode/jsonw.h"
#include "util/hex.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* 1 for bytes that need attention: ", \, control, DEL is fine, >= 0x80. */
static const unsigned char special[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,	/* '\\' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static const char hexd[] = "0123456789ABCDEF";

/*
 * utf8_len(b, n): the length of the valid UTF-8 sequence at the start of
 * ${b} (n >= 1 bytes available), or 0 if ${b} does not start one.  Rejects
 * overlongs, surrogates and code points above U+10FFFF (RFC 3629).
 */
static size_t
utf8_len(const unsigned char *b, size_t n)
{
	unsigned c = b[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (n >= 2 && (b[1] & 0xC0) == 0x80) ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (b[1] & 0xC0) != 0x80 || (b[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && b[1] < 0xA0)
			return 0;
		if (c == 0xED && b[1] > 0x9F)
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (b[1] & 0xC0) != 0x80 || (b[2] & 0xC0) != 0x80 ||
		    (b[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && b[1] < 0x90)
			return 0;
		if (c == 0xF4 && b[1] > 0x8F)
			return 0;
		return 4;
	}
	return 0;
}

/* Write one ASCII byte as JSON string content. */
static inline char *
put_ascii(char *o, unsigned char c)
{
	if (c == '"' || c == '\\') {
		*o++ = '\\';
		*o++ = (char)c;
	} else if (c < 0x20) {
		o = JW(o, "\\u00");
		*o++ = hexd[c >> 4];
		*o++ = hexd[c & 15];
	} else {
		*o++ = (char)c;
	}
	return o;
}

/* Write the byte ${c} as the literal text \xHH (backslash JSON-escaped). */
static inline char *
put_hex_text(char *o, unsigned char c)
{
	o = JW(o, "\\\\x");
	*o++ = hexd[c >> 4];
	*o++ = hexd[c & 15];
	return o;
}

/*
 * Emit decoded bytes b[0..n) that came from the escapes at ${src} (4 bytes
 * each): valid UTF-8 sequences as themselves (ASCII JSON-escaped), any
 * other byte as its escape exactly as logged (backslash JSON-escaped).
 */
static char *
put_decoded(char *o, const unsigned char *b, size_t n,
    const unsigned char *src)
{
	size_t i = 0, l;

	while (i < n) {
		if (b[i] < 0x80) {
			o = put_ascii(o, b[i]);
			i++;
		} else if ((l = utf8_len(b + i, n - i)) != 0) {
			memcpy(o, b + i, l);
			o += l;
			i += l;
		} else {
			o = JW(o, "\\\\");
			memcpy(o, src + 4 * i + 1, 3);
			o += 3;
			i++;
		}
	}
	return o;
}

/*
 * copy_plain(o, p, end, op): copy bytes that need no attention from ${p} to
 * ${o}; return the first byte at or after ${p} that does, and in *${op} the
 * output position.  With SSE2 (every x86-64), 16 bytes per step: a signed
 * compare against 0x20 catches both control bytes and bytes >= 0x80.  Each
 * step stores all 16 bytes it loaded (only the plain ones count; the rest
 * is overwritten next), so no memcpy call is needed; it never reads past
 * ${end} and never writes more than 16 bytes for 16 bytes of input, which
 * JSONW_STR_MAX allows for.
 */
static inline const unsigned char *
copy_plain(char *o, const unsigned char *p, const unsigned char *end,
    char **op)
{
#if defined(__SSE2__)
	const __m128i q = _mm_set1_epi8('"');
	const __m128i bs = _mm_set1_epi8('\\');
	const __m128i sp = _mm_set1_epi8(0x20);

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q),
		    _mm_cmpeq_epi8(v, bs)), _mm_cmplt_epi8(v, sp));
		int mask = _mm_movemask_epi8(m);

		_mm_storeu_si128((__m128i *)(void *)o, v);
		if (mask != 0) {
			unsigned k = (unsigned)__builtin_ctz((unsigned)mask);

			*op = o + k;
			return p + k;
		}
		p += 16;
		o += 16;
	}
#endif
	while (p < end && !special[*p])
		*o++ = (char)*p++;
	*op = o;
	return p;
}

static inline int
is_esc(const unsigned char *p, const unsigned char *end)
{
	return end - p >= 4 && p[0] == '\\' && p[1] == 'x' &&
	    hex_value(p[2]) >= 0 && hex_value(p[3]) >= 0;
}

/*
 * The general loop: copies plain runs, decodes escapes, escapes what JSON
 * needs escaped.
 */
static char *
write_slow(char *o, const unsigned char *p, const unsigned char *end,
    int decode)
{
	unsigned char buf[64];
	size_t l;

	while (p < end) {
		p = copy_plain(o, p, end, &o);
		if (p == end)
			break;
		if (*p == '\\' && decode && is_esc(p, end)) {
			/* Decode a run of \xHH escapes (in pieces of 64). */
			const unsigned char *src = p;
			size_t k = 0;

			while (k < sizeof(buf) && is_esc(p, end)) {
				buf[k++] = (unsigned char)(hex_value(p[2]) << 4 |
				    hex_value(p[3]));
				p += 4;
			}
			if (k == sizeof(buf) && is_esc(p, end)) {
				/* Do not split a UTF-8 sequence between pieces. */
				size_t m = 1;

				while (m <= 3 && (buf[k - m] & 0xC0) == 0x80)
					m++;
				if (m <= 3 && buf[k - m] >= 0xC0) {
					k -= m;
					p -= 4 * m;
				}
			}
			o = put_decoded(o, buf, k, src);
		} else if (*p < 0x80) {
			o = put_ascii(o, *p);
			p++;
		} else if ((l = utf8_len(p, (size_t)(end - p))) != 0) {
			memcpy(o, p, l);
			o += l;
			p += l;
		} else {
			o = put_hex_text(o, *p);
			p++;
		}
	}
	return o;
}

/* Nonzero if a byte of ${w} is `"`, `\`, a control byte or >= 0x80 (SWAR). */
static inline uint64_t
special64(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	return (w | ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
	    ((b - ones) & ~b)) & high;
}

static inline uint32_t
special32(uint32_t w)
{
	const uint32_t ones = 0x01010101U, high = 0x80808080U;
	uint32_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	return (w | ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
	    ((b - ones) & ~b)) & high;
}

/*
 * write_str: the fast paths first.  Most values are short and plain
 * (addresses, ARNs, ciphers, codes): for 4 to 15 bytes, two overlapping
 * word loads checked with SWAR and stored as they are; for 16 bytes and
 * more, 16-byte SIMD steps and one overlapping last step.  None reads
 * outside the value.  Anything else goes to write_slow().
 */
static char *
write_str(char *o, struct slice s, int decode)
{
	const unsigned char *p = (const unsigned char *)s.p, *end;
	size_t n = s.n;

	if (p == NULL || n == 0)
		return o;
	end = p + n;
	if (n < 16) {
		if (n >= 8) {
			uint64_t a, b;

			memcpy(&a, p, 8);
			memcpy(&b, p + n - 8, 8);
			if (special64(a) == 0 && special64(b) == 0) {
				memcpy(o, &a, 8);
				memcpy(o + n - 8, &b, 8);
				return o + n;
			}
		} else if (n >= 4) {
			uint32_t a, b;

			memcpy(&a, p, 4);
			memcpy(&b, p + n - 4, 4);
			if (special32(a) == 0 && special32(b) == 0) {
				memcpy(o, &a, 4);
				memcpy(o + n - 4, &b, 4);
				return o + n;
			}
		} else if (!special[p[0]] && !special[p[n >> 1]] &&
		    !special[p[n - 1]]) {
			/* 1 to 3 bytes ("GET", "h2", "1.1"): first, middle, last. */
			o[0] = (char)p[0];
			o[n >> 1] = (char)p[n >> 1];
			o[n - 1] = (char)p[n - 1];
			return o + n;
		}
		return write_slow(o, p, end, decode);
	}
#if defined(__SSE2__)
	{
		const __m128i q = _mm_set1_epi8('"');
		const __m128i bs = _mm_set1_epi8('\\');
		const __m128i sp = _mm_set1_epi8(0x20);
		__m128i v;

		while (end - p >= 16) {
			v = _mm_loadu_si128((const __m128i *)(const void *)p);
			if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
			    _mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
			    _mm_cmplt_epi8(v, sp))) != 0)
				return write_slow(o, p, end, decode);
			_mm_storeu_si128((__m128i *)(void *)o, v);
			p += 16;
			o += 16;
		}
		if (p == end)
			return o;
		/* Everything before p was plain: redo the last 16 bytes. */
		v = _mm_loadu_si128((const __m128i *)(const void *)(end - 16));
		if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
		    _mm_cmplt_epi8(v, sp))) != 0)
			return write_slow(o, p, end, decode);
		o -= 16 - (size_t)(end - p);
		_mm_storeu_si128((__m128i *)(void *)o, v);
		return o + 16;
	}
#else
	return write_slow(o, p, end, decode);
#endif
}

/**
 * jsonw_str(o, s): see jsonw.h.
 */
char *
jsonw_str(char *o, struct slice s)
{
	return write_str(o, s, 1);
}

/**
 * jsonw_raw_str(o, s): see jsonw.h.
 */
char *
jsonw_raw_str(char *o, struct slice s)
{
	return write_str(o, s, 0);
}

static const char pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* ${v} < 10000 in decimal, 1 to 4 digits. */
static inline char *
u4(char *o, unsigned v)
{
	if (v < 100) {
		if (v < 10) {
			*o = (char)('0' + v);
			return o + 1;
		}
		memcpy(o, pairs + 2 * v, 2);
		return o + 2;
	}
	{
		unsigned hi = v / 100, lo = v % 100;

		if (hi < 10) {
			*o = (char)('0' + hi);
			memcpy(o + 1, pairs + 2 * lo, 2);
			return o + 3;
		}
		memcpy(o, pairs + 2 * hi, 2);
		memcpy(o + 2, pairs + 2 * lo, 2);
		return o + 4;
	}
}

/* ${v} < 10000 as exactly four digits. */
static inline char *
u4z(char *o, unsigned v)
{
	memcpy(o, pairs + 2 * (v / 100), 2);
	memcpy(o + 2, pairs + 2 * (v % 100), 2);
	return o + 4;
}

/**
 * jsonw_u64(o, v): see jsonw.h.
 *
 * Most numbers here are short (status codes, ports, byte counts, offsets):
 * in groups of four digits from the table of digit pairs, the first
 * group without its leading zeros; in 32-bit arithmetic below 10^8.
 */
char *
jsonw_u64(char *o, uint64_t v)
{
	if (v < 10000)
		return u4(o, (unsigned)v);
	if (v < 100000000) {
		uint32_t x = (uint32_t)v;

		o = u4(o, x / 10000);
		return u4z(o, x % 10000);
	}
	{
		uint32_t lo = (uint32_t)(v % 100000000);

		o = jsonw_u64(o, v / 100000000);
		o = u4z(o, lo / 10000);
		return u4z(o, lo % 10000);
	}
}
