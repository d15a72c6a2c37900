/*
 * s3scan.h: which objects of an S3 prefix a backfill takes: ELB logs
 * (AWS's file names, .log or .log.gz) passing the filters (--since,
 * --until on the interval in the name, --lb, --type) and not yet done
 * according to the resume file (core/state.h).  Shared by `elbship ship
 * s3://bucket/prefix/` and `elbship enqueue`, so both take the same set.
 *
 * No I/O but the listing (s3scan_list); no global state.
 */
#ifndef ELBSHIP_S3SCAN_H
#define ELBSHIP_S3SCAN_H

#include <signal.h>
#include <stddef.h>

#include "parse/lbname.h"
#include "source/s3.h"
#include "util/slice.h"

struct state;

/* What s3scan_check() says of a key. */
enum s3scan_verdict {
	S3SCAN_TAKE,		/* wanted and not done */
	S3SCAN_DONE,		/* wanted, but recorded in the state file */
	S3SCAN_OTHER		/* not an ELB log, or filtered out */
};

/* Called for each object to take; nonzero stops the listing. */
typedef int (*s3scan_fn)(void *arg, const struct s3_object *o);

struct s3scan {
	const char *bucket;		/* borrowed */
	char since[16], until[16];	/* "20251103T1020Z", or "" */
	const char *lb;			/* load balancer name, or NULL */
	enum lbtype type;		/* LB_UNKNOWN: any */
	const struct state *state;	/* NULL: none */
	volatile sig_atomic_t *stop;	/* stops the listing when set; may be NULL */
	s3scan_fn take;			/* s3scan_list(): objects to take */
	void *arg;
	/* counts, by s3scan_check() */
	size_t wanted;			/* logs passing the filters */
	size_t done;			/* of which recorded as done */
	size_t other;			/* objects not taken otherwise */
};

/**
 * s3scan_init(sc, bucket, since, until, lb, type, err, cap): set up ${sc}
 * (every pointer borrowed; NULL filters are off).  -1 with a message if
 * --since or --until is not a time (s3scan_norm_time).
 */
int s3scan_init(struct s3scan *sc, const char *bucket, const char *since,
    const char *until, const char *lb, enum lbtype type, char *err,
    size_t cap);

/**
 * s3scan_norm_time(s, out): "2025-11-03", "2025-11-03T10:20Z",
 * "2025-11-03T10:20:00Z" or "20251103T1020Z" -> "20251103T1020Z" in ${out}
 * (comparable with the end of the interval in ELB file names).  0, or -1.
 */
int s3scan_norm_time(const char *s, char out[16]);

/**
 * s3scan_lb_matches(lb, want): 1 if the load balancer part of a file name
 * (app.NAME.ID, net.NAME.ID, or a Classic name) is ${want}.
 */
int s3scan_lb_matches(struct slice lb, const char *want);

/** s3scan_wanted(sc, key): 1 if ${key} is an ELB log passing the filters. */
int s3scan_wanted(const struct s3scan *sc, const char *key);

/**
 * s3scan_check(sc, key): the verdict on ${key}, counted in ${sc} (a key
 * checked twice is counted twice).
 */
enum s3scan_verdict s3scan_check(struct s3scan *sc, const char *key);

/**
 * s3scan_list(sc, c, prefix, err, cap): list s3://bucket/${prefix} (all
 * pages) and call sc->take for each object s3scan_check() takes.  Returns
 * 0, 1 if sc->stop was set or sc->take stopped it, or -1 with a message.
 */
int s3scan_list(struct s3scan *sc, struct s3_client *c, const char *prefix,
    char *err, size_t cap);

#endif
