/*
 * backoff.h: the one retry backoff policy and the one random source.
 *
 * Exponential backoff with jitter ("equal jitter"): the delay before try
 * number N+1 is d = initial * 2^(N-1), capped at max, and the wait is d/2
 * plus a uniform random part in [0, d/2]: half fixed, so retries never
 * bunch up at zero, half random, so many clients that failed together do
 * not retry together.
 *
 * The random source is xorshift64* (Vigna, "An experimental exploration of
 * Marsaglia's xorshift generators, scrambled", 2016): fast, 64 bits of
 * state, good enough for jitter and nothing else (not for secrets).  Each
 * owner (a sink, an S3 client, a connection) holds its own struct backoff
 * and uses it from one thread at a time (a shared owner: under its own
 * lock): no global state, so a warm Lambda environment or several threads
 * never share or race on a generator.
 */
#ifndef ELBSHIP_BACKOFF_H
#define ELBSHIP_BACKOFF_H

#include <stdint.h>

struct backoff {
	int64_t initial_ms;	/* the first delay (before the second try) */
	int64_t max_ms;		/* the cap on the delay */
	uint64_t rng;		/* xorshift64* state; never 0 */
};

/**
 * backoff_init(b, initial_ms, max_ms): a policy starting at ${initial_ms}
 * and doubling up to ${max_ms} (raised to ${initial_ms} if below it;
 * negative values count as 0), seeded from the monotonic and wall clocks
 * and ${b}'s own address, so two owners started in the same millisecond
 * still draw different sequences.
 */
void backoff_init(struct backoff *b, int64_t initial_ms, int64_t max_ms);

/**
 * backoff_seed(b, seed): restart ${b}'s random sequence from ${seed}: the
 * same seed gives the same delays (tests).  Any seed, 0 included, is fine.
 */
void backoff_seed(struct backoff *b, uint64_t seed);

/** backoff_rand(b): the next 64 random bits of ${b}'s sequence. */
uint64_t backoff_rand(struct backoff *b);

/**
 * backoff_ms(b, tries): the wait in milliseconds before try ${tries} + 1,
 * after ${tries} failed tries (1 for the first retry): with d =
 * min(initial * 2^(tries-1), max), a value in [d/2, d].  0 when initial is
 * 0; tries 0 counts as 1.
 */
int64_t backoff_ms(struct backoff *b, unsigned tries);

#endif
