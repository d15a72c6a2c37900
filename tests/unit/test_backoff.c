/*
 * test_backoff.c: the retry backoff policy and its random source
 * (util/backoff.h): every delay within [d/2, d] for d = initial * 2^(n-1)
 * capped at max; growth by doubling; the cap; a spread that covers the
 * random half; the same seed, the same delays; different owners, different
 * sequences.
 */
#include <stdint.h>
#include <string.h>

#include "util/backoff.h"
#include "tap.h"

static void
bounds_and_growth(void)
{
	struct backoff b;
	int64_t d = 100, got;
	unsigned tries, i;
	int in = 1;

	backoff_init(&b, 100, 30000);
	for (tries = 1; tries <= 12; tries++) {
		for (i = 0; i < 1000; i++) {
			got = backoff_ms(&b, tries);
			if (got < d / 2 || got > d) {
				in = 0;
				printf("# tries %u: %lld not in [%lld, %lld]\n",
				    tries, (long long)got, (long long)(d / 2),
				    (long long)d);
			}
		}
		ok(in, "tries %u: 1000 delays all in [%lld, %lld] ms", tries,
		    (long long)(d / 2), (long long)d);
		d = d * 2 > 30000 ? 30000 : d * 2;
	}
	got = backoff_ms(&b, 0);
	ok(got >= 50 && got <= 100, "tries 0 counts as 1 (%lld)", (long long)got);
}

static void
cap(void)
{
	struct backoff b;
	int64_t got, most = 0;
	unsigned i;

	backoff_init(&b, 200, 20000);
	for (i = 0; i < 1000; i++) {
		got = backoff_ms(&b, 1000000);
		if (got > most)
			most = got;
	}
	ok(most <= 20000 && most >= 19000, "a million tries: capped at 20000 "
	    "(largest of 1000: %lld)", (long long)most);
	backoff_init(&b, INT64_MAX / 4, INT64_MAX);
	got = backoff_ms(&b, 100);
	ok(got >= INT64_MAX / 2 - 1, "no overflow near INT64_MAX (%lld)",
	    (long long)got);
	backoff_init(&b, 500, 100);
	is_int(b.max_ms, 500, "a cap below the first delay is raised to it");
	backoff_init(&b, 0, 1000);
	is_int(backoff_ms(&b, 5), 0, "initial 0: no wait");
	backoff_init(&b, 1, 1);
	is_int(backoff_ms(&b, 3), 1, "initial 1: 1 ms, nothing random to add");
}

static void
spread(void)
{
	struct backoff b;
	unsigned i, bucket[10];
	int64_t got;
	int all = 1;

	/* 10,000 draws of the first delay (in [500, 1000]): each tenth of the
	 * random half gets about 1,000; a bad generator leaves holes. */
	memset(bucket, 0, sizeof(bucket));
	backoff_init(&b, 1000, 30000);
	for (i = 0; i < 10000; i++) {
		got = backoff_ms(&b, 1) - 500;
		bucket[got >= 500 ? 9 : got / 50]++;
	}
	for (i = 0; i < 10; i++)
		if (bucket[i] < 800 || bucket[i] > 1200) {
			all = 0;
			printf("# bucket %u: %u\n", i, bucket[i]);
		}
	ok(all, "jitter: every tenth of [500, 1000] drawn 800 to 1200 times "
	    "in 10000");
}

static void
determinism(void)
{
	struct backoff a, b, c;
	int64_t x[20], y[20];
	unsigned i, same = 1, differ = 0;

	backoff_init(&a, 100, 30000);
	backoff_init(&b, 100, 30000);
	backoff_seed(&a, 42);
	backoff_seed(&b, 42);
	for (i = 0; i < 20; i++) {
		x[i] = backoff_ms(&a, i + 1);
		y[i] = backoff_ms(&b, i + 1);
		same &= x[i] == y[i];
	}
	ok(same, "the same seed gives the same 20 delays");
	backoff_seed(&a, 42);
	is_int(backoff_ms(&a, 1), x[0], "reseeding restarts the sequence");
	backoff_seed(&c, 0);
	ok(c.rng != 0 && backoff_rand(&c) != 0, "seed 0 is usable");

	/* Two owners initialised back to back (same millisecond). */
	backoff_init(&a, 100, 30000);
	backoff_init(&b, 100, 30000);
	for (i = 0; i < 20; i++)
		differ += backoff_rand(&a) != backoff_rand(&b);
	ok(differ == 20, "two owners started together draw different numbers");
}

int
main(void)
{
	bounds_and_growth();
	cap();
	spread();
	determinism();
	return tap_done();
}
