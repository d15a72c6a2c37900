/*
 * hex.h: lowercase hex of bytes (SHA-256 digests for ids, signatures and
 * template hashes), and the value of a hex digit (%XX and \xHH escapes).
 */
#ifndef ELBSHIP_HEX_H
#define ELBSHIP_HEX_H

#include <stddef.h>

/**
 * hex_lower(p, n, out): write the 2 * ${n} lowercase hex digits of the ${n}
 * bytes at ${p} into ${out}; no NUL is written.
 */
static inline void
hex_lower(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
}

/** hex_value(c): 0-15 for a hex digit (either case), else -1. */
static inline int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

#endif
