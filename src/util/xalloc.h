/*
 * xalloc.h: allocation that does not return on failure.
 *
 * Small, bounded allocations (per file, per run) treat out-of-memory as
 * fatal, as Redis's zmalloc and OpenSMTPD's xmalloc do: the process prints
 * one line and aborts; a Lambda invocation then fails and is retried.
 * Large buffers whose size comes from input never come from here: they
 * have explicit caps and report errors instead.
 */
#ifndef ELBSHIP_XALLOC_H
#define ELBSHIP_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
