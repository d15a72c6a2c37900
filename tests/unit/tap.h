/*
 * tap.h: a tiny TAP producer for unit tests (after Redis testhelp.h and
 * picotest).  One test binary per module; each check prints "ok N - what" or
 * "not ok N - what"; tap_done() prints "# N passed, N failed" and returns the
 * exit status.  tests/run.sh adds the counts of all binaries.
 */
#ifndef ELBSHIP_TAP_H
#define ELBSHIP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct tap {
	int n, failed;
};

static struct tap tap_state;	/* test binaries only: one per process */

static inline int
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_state.n++;
	if (!cond)
		tap_state.failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_state.n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!cond)
		printf("  (%s:%d)", file, line);
	printf("\n");
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* is_str(got, want, what): compare two NUL-terminated strings; prints both on failure. */
#define is_str(got, want, ...)                                              \
	do {                                                                \
		const char *g_ = (got), *w_ = (want);                       \
		if (!ok(g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0,    \
		    __VA_ARGS__))                                           \
			printf("#   got:  %s\n#   want: %s\n",              \
			    g_ ? g_ : "(null)", w_ ? w_ : "(null)");        \
	} while (0)

#define is_int(got, want, ...)                                              \
	do {                                                                \
		long long g_ = (long long)(got), w_ = (long long)(want);    \
		if (!ok(g_ == w_, __VA_ARGS__))                             \
			printf("#   got:  %lld\n#   want: %lld\n", g_, w_); \
	} while (0)

/*
 * todo(cond, reason, what...): a check that pins down a known bug.  It
 * prints "ok N - what # TODO reason" and counts as passed whatever ${cond}
 * is, so the suite stays green and the bug stays visible; once the bug is
 * fixed (${cond} true) the line says "(passes now)" and the todo() can
 * become an ok().  Mark each with a "TODO bug" comment at the call.
 */
static inline int
tap_todo(int cond, const char *reason, const char *fmt, ...)
{
	va_list ap;

	tap_state.n++;
	printf("ok %d - ", tap_state.n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # TODO %s%s\n", reason, cond ? " (passes now)" : "");
	fflush(stdout);
	return cond;
}

#define todo(cond, reason, ...) tap_todo(!!(cond), (reason), __VA_ARGS__)

static inline int
tap_done(void)
{
	printf("# %d passed, %d failed\n", tap_state.n - tap_state.failed,
	    tap_state.failed);
	return tap_state.failed ? 1 : 0;
}

#endif
