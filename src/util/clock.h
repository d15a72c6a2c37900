/*
 * clock.h: milliseconds, for deadlines, backoff and durations; seconds
 * elapsed, for summaries and progress.
 */
#ifndef ELBSHIP_CLOCK_H
#define ELBSHIP_CLOCK_H

#include <stdint.h>
#include <sys/time.h>
#include <time.h>

/** clock_ms(): CLOCK_MONOTONIC in milliseconds (deadlines, timeouts). */
static inline int64_t
clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/** clock_since(t0): seconds since ${t0}, a CLOCK_MONOTONIC reading. */
static inline double
clock_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/** clock_epoch_ms(): wall-clock time, Unix epoch milliseconds. */
static inline int64_t
clock_epoch_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

#endif
