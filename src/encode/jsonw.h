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

static inline char *
jsonw_bytes(char *o, struct slice s)
{
	memcpy(o, s.p, s.n);
	return o + s.n;
}

#endif
