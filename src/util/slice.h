/*
 * slice.h: a borrowed view of bytes (pointer + length).
 *
 * Parsers hand out slices that point into the caller's line buffer: they are
 * valid only as long as that buffer is (see each parser's header).  A slice
 * with p == NULL means "absent" (AWS logged `-`); a slice with p != NULL and
 * n == 0 is an empty value.  Nothing here allocates.
 */
#ifndef ELBSHIP_SLICE_H
#define ELBSHIP_SLICE_H

#include <stddef.h>
#include <string.h>

struct slice {
	const char *p;
	size_t n;
};

#define SLICE_NONE ((struct slice){ NULL, 0 })
#define SLICE_LIT(s) ((struct slice){ (s), sizeof(s) - 1 })

static inline struct slice
slice_make(const char *p, size_t n)
{
	return (struct slice){ p, n };
}

static inline int
slice_present(struct slice s)
{
	return s.p != NULL;
}

static inline int
slice_eq(struct slice s, const char *lit)
{
	size_t n = strlen(lit);

	return s.p != NULL && s.n == n && memcmp(s.p, lit, n) == 0;
}

#endif
