/*
 * jsonw.c: JSON string writing with AWS \xHH decoding.  See jsonw.h.
 *
 * Written by hand, not with a JSON library: this is the hottest loop in
 * elbship (every byte of every string field passes through it), it writes
 * straight into the output buffer, and no library decodes AWS's escapes.
 * The common case (printable ASCII) is copied in runs found with a table.
 */
#include "encode/jsonw.h"

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

static inline int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

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
 * Emit decoded bytes b[0..n): valid UTF-8 sequences as themselves (ASCII
 * JSON-escaped), anything else as \xHH text.
 */
static char *
put_decoded(char *o, const unsigned char *b, size_t n)
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
			o = put_hex_text(o, b[i]);
			i++;
		}
	}
	return o;
}

/*
 * skip_plain(p, end): the first byte at or after ${p} that needs attention.
 * With SSE2 (every x86-64), 16 bytes per step: a signed compare against
 * 0x20 catches both control bytes and bytes >= 0x80.  Never reads past end.
 */
static inline const unsigned char *
skip_plain(const unsigned char *p, const unsigned char *end)
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

		if (mask != 0)
			return p + __builtin_ctz((unsigned)mask);
		p += 16;
	}
#endif
	while (p < end && !special[*p])
		p++;
	return p;
}

static inline int
is_esc(const unsigned char *p, const unsigned char *end)
{
	return end - p >= 4 && p[0] == '\\' && p[1] == 'x' &&
	    hexval(p[2]) >= 0 && hexval(p[3]) >= 0;
}

static char *
write_str(char *o, struct slice s, int decode)
{
	const unsigned char *p = (const unsigned char *)s.p;
	const unsigned char *end = p + s.n, *run;
	unsigned char buf[64];
	size_t l;

	if (p == NULL)
		return o;
	while (p < end) {
		run = p;
		p = skip_plain(p, end);
		if (p > run) {
			memcpy(o, run, (size_t)(p - run));
			o += p - run;
		}
		if (p == end)
			break;
		if (*p == '\\' && decode && is_esc(p, end)) {
			/* Decode a run of \xHH escapes (in pieces of 64). */
			size_t k = 0;

			while (k < sizeof(buf) && is_esc(p, end)) {
				buf[k++] = (unsigned char)(hexval(p[2]) << 4 |
				    hexval(p[3]));
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
			o = put_decoded(o, buf, k);
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

/**
 * jsonw_u64(o, v): see jsonw.h.
 */
char *
jsonw_u64(char *o, uint64_t v)
{
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	    "8081828384858687888990919293949596979899";
	char tmp[20];
	int i = 20;

	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		tmp[--i] = pairs[2 * r + 1];
		tmp[--i] = pairs[2 * r];
	}
	if (v >= 10) {
		tmp[--i] = pairs[2 * v + 1];
		tmp[--i] = pairs[2 * v];
	} else {
		tmp[--i] = (char)('0' + v);
	}
	memcpy(o, tmp + i, (size_t)(20 - i));
	return o + (20 - i);
}
