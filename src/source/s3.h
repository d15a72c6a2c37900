/*
 * s3.h: read from Amazon S3 (and S3-compatible stores): streaming
 * GetObject that resumes with Range requests, and ListObjectsV2 listing.
 *
 * Requests are signed with SigV4 (src/aws/sigv4.c: libcurl 7.88's own
 * CURLOPT_AWS_SIGV4 predates the query and S3 path canonicalisation fixes).
 * Objects are addressed virtual-hosted style on AWS and path style on a
 * custom endpoint (S3-compatible stores, tests) or for bucket names with
 * dots (whose virtual-hosted names break TLS certificate checks).
 *
 * No global state: a client holds one connection cache and is used by one
 * thread at a time.
 */
#ifndef ELBSHIP_S3_H
#define ELBSHIP_S3_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "aws/sigv4.h"

/*
 * Credentials on demand (so a long backfill or a warm Lambda can refresh
 * expiring ones): fill ${out} with pointers that stay valid until the next
 * call; 0, or -1 with a message.
 */
struct s3_creds_fn {
	int (*get)(void *arg, struct sigv4_creds *out, char *err, size_t cap);
	void *arg;
};

struct s3_config {
	const char *region;		/* required */
	const char *endpoint;		/* http(s)://host[:port]; NULL = AWS */
	struct s3_creds_fn creds;
	long timeout_ms;		/* connect + no-progress limit */
	unsigned retries;		/* extra tries per request (5xx, resets) */
	long retry_initial_ms;
	const char *ca_file;
	int insecure;
};

struct s3_client;

/**
 * s3_client_new(c, err, cap): a client for ${c} (borrowed: must outlive the
 * client).  NULL with a message if ${c} is unusable.
 */
struct s3_client *s3_client_new(const struct s3_config *c, char *err,
    size_t cap);

/** s3_client_free(c): free ${c}; NULL is fine. */
void s3_client_free(struct s3_client *c);

/* ---- GetObject ---------------------------------------------------------- */

struct s3_get;

struct s3_get_stats {
	uint64_t size;		/* object size, once known */
	uint64_t received;	/* body bytes delivered */
	unsigned requests;	/* GET requests made */
	unsigned resumes;	/* of which Range requests after a break */
	char etag[80];
};

/**
 * s3_get_open(c, bucket, key): prepare to stream s3://${bucket}/${key}
 * (${key} decoded, as stored).  Nothing is sent before the first read.
 */
struct s3_get *s3_get_open(struct s3_client *c, const char *bucket,
    const char *key);

/**
 * s3_get_bound(g, deadline_ms, stop): bound the transfer: no request runs
 * past ${deadline_ms} (CLOCK_MONOTONIC ms; 0: none), and reads fail with a
 * message once it has passed or once *${stop} is set (NULL: never).
 */
void s3_get_bound(struct s3_get *g, int64_t deadline_ms,
    volatile sig_atomic_t *stop);

/**
 * s3_get_read(g, buf, cap, err, errcap): the next bytes of the object, as a
 * pipeline source (struct source: pass s3_get_read and the s3_get).
 * Returns the count, 0 at the end of the object, or -1 with a message
 * naming the object and the cause (not found, access denied, gave up after
 * N tries).  A connection that breaks or stalls is resumed from the byte
 * where it stopped with a Range request (If-Match on the ETag, so a
 * replaced object is never spliced); 5xx and SlowDown are retried with
 * backoff.
 */
ssize_t s3_get_read(void *g, char *buf, size_t cap, char *err, size_t errcap);

/** s3_get_stats(g, out): what happened so far. */
void s3_get_stats(const struct s3_get *g, struct s3_get_stats *out);

/** s3_get_close(g): end the transfer and free ${g}; NULL is fine. */
void s3_get_close(struct s3_get *g);

/* ---- ListObjectsV2 ------------------------------------------------------ */

struct s3_object {
	const char *key;	/* decoded */
	uint64_t size;
	const char *etag;
	const char *last_modified;
};

/*
 * Called for each object listed, in key order; return 0 to go on, nonzero
 * to stop (s3_list then returns that value).
 */
typedef int (*s3_list_fn)(void *arg, const struct s3_object *o);

/**
 * s3_list(c, bucket, prefix, start_after, fn, arg, err, cap): list every
 * object under ${prefix} (after ${start_after} if not NULL), following
 * continuation tokens past 1,000 keys.  Returns 0, the callback's nonzero
 * value, or -1 with a message.
 */
int s3_list(struct s3_client *c, const char *bucket, const char *prefix,
    const char *start_after, s3_list_fn fn, void *arg, char *err, size_t cap);

/**
 * s3_parse_url(url, bucket, key): split "s3://bucket/key" into freshly
 * allocated ${bucket} and ${key} ("" if none).  0, or -1 if not an s3 URL.
 */
int s3_parse_url(const char *url, char **bucket, char **key);

#endif
