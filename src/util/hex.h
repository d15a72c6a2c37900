/*
 * hex.h: lowercase hex of bytes (SHA-256 digests for ids, signatures and
 * template hashes).
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

#endif
