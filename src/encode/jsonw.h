/*
 * jsonw.h: the JSON writing primitives the encoders use.
 *
 * These write into a caller-provided buffer that the caller has already made
 * large enough (see JSONW_STR_MAX), so the hot loop has no bounds checks and
 * no allocation.  Each returns the position after what it wrote.
 */
#ifndef ELBSHIP_JSONW_H
#define ELBSHIP_JSONW_H

#include <stdint.h>
#include <string.h>

#include "util/slice.h"

/* The most bytes jsonw_str() writes for an input of n bytes. */
#define JSONW_STR_MAX(n) (6 * (size_t)(n))

/**
 * jsonw_str(o, s): write the contents of a JSON string (without the quotes)
 * for the log value ${s}.  AWS escapes `"`, `\`, control and non-ASCII bytes
 * inside quoted fields as \xHH (nginx style).  A run of such escapes is
 * decoded where the bytes form valid UTF-8 and kept as the literal text
 * "\xHH" where they do not; raw bytes that are not valid UTF-8 are written
 * as the text "\xHH" too, so the output is always valid UTF-8 JSON.
 */
char *jsonw_str(char *o, struct slice s);

/**
 * jsonw_raw_str(o, s): like jsonw_str() but without decoding \xHH escapes
 * (for event.original, which keeps the line exactly as logged).
 */
char *jsonw_raw_str(char *o, struct slice s);

/** jsonw_u64(o, v): write ${v} in decimal. */
char *jsonw_u64(char *o, uint64_t v);

static inline char *
jsonw_lit(char *o, const char *lit, size_t n)
{
	memcpy(o, lit, n);
	return o + n;
}

/* Write a string literal (compile-time constant) without strlen. */
#define JW(o, lit) jsonw_lit((o), (lit), sizeof(lit) - 1)

/*
 * jsonw_bytes(o, s): copy ${s} as is.  Most copies here are short (times,
 * ids, numbers), where a memcpy call costs more than the copy: up to 32
 * bytes are moved with two possibly overlapping fixed-size copies, which
 * compilers inline, and which never touch a byte outside either range.
 */
static inline char *
jsonw_bytes(char *o, struct slice s)
{
	const char *p = s.p;
	size_t n = s.n;

	if (n >= 16 && n <= 32) {
		char a[16], b[16];

		memcpy(a, p, 16);
		memcpy(b, p + n - 16, 16);
		memcpy(o, a, 16);
		memcpy(o + n - 16, b, 16);
	} else if (n >= 8 && n < 16) {
		uint64_t a, b;

		memcpy(&a, p, 8);
		memcpy(&b, p + n - 8, 8);
		memcpy(o, &a, 8);
		memcpy(o + n - 8, &b, 8);
	} else if (n >= 4 && n < 8) {
		uint32_t a, b;

		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		memcpy(o, &a, 4);
		memcpy(o + n - 4, &b, 4);
	} else if (n < 4) {
		size_t i;

		for (i = 0; i < n; i++)
			o[i] = p[i];
	} else {
		memcpy(o, p, n);
	}
	return o + n;
}

#endif
