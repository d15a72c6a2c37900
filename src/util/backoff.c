/*
 * backoff.c: see backoff.h.
 */
#include <stdint.h>
#include <sys/time.h>

#include "util/backoff.h"
#include "util/clock.h"

/* splitmix64's finaliser: spreads any seed (0, a clock reading) over 64 bits. */
static uint64_t
mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
backoff_seed(struct backoff *b, uint64_t seed)
{
	b->rng = mix(seed);
	if (b->rng == 0)	/* xorshift's one fixed point */
		b->rng = 0x9e3779b97f4a7c15ULL;
}

void
backoff_init(struct backoff *b, int64_t initial_ms, int64_t max_ms)
{
	struct timeval tv;

	if (initial_ms < 0)
		initial_ms = 0;
	if (max_ms < initial_ms)
		max_ms = initial_ms;
	b->initial_ms = initial_ms;
	b->max_ms = max_ms;
	gettimeofday(&tv, NULL);
	backoff_seed(b, (uint64_t)clock_ms() ^ ((uint64_t)tv.tv_usec << 20) ^
	    ((uint64_t)tv.tv_sec << 40) ^ mix((uint64_t)(uintptr_t)b));
}

uint64_t
backoff_rand(struct backoff *b)
{
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 2685821657736338717ULL;
}

int64_t
backoff_ms(struct backoff *b, unsigned tries)
{
	int64_t d = b->initial_ms;
	unsigned i;

	for (i = 1; i < tries && d > 0 && d < b->max_ms && d <= INT64_MAX / 2;
	    i++)
		d *= 2;
	if (d > b->max_ms)
		d = b->max_ms;
	if (d < 2)
		return d;
	return d / 2 + (int64_t)(backoff_rand(b) % (uint64_t)(d / 2 + 1));
}
