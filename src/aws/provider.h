/*
 * provider.h: AWS credentials for signers, loaded once and refreshed when
 * they are about to expire (container credentials last hours; a long
 * backfill or a warm Lambda outlives them).  Safe to call from several
 * threads: credentials handed out stay valid until aws_provider_free(),
 * since another thread may still be signing with an older set.
 */
#ifndef ELBSHIP_PROVIDER_H
#define ELBSHIP_PROVIDER_H

#include <pthread.h>

#include "aws/creds.h"
#include "aws/sigv4.h"

struct aws_provider {
	struct aws_env env;
	pthread_mutex_t mu;
	struct aws_creds *sets;		/* every set loaded, newest last */
	size_t nsets;
};

/** aws_provider_init(p): ready to load from the process environment. */
void aws_provider_init(struct aws_provider *p);

/**
 * aws_provider_get(arg, out, err, cap): ${arg} is a struct aws_provider;
 * fill ${out} with current credentials (loading them the first time, and
 * again when they expire within AWS_CREDS_REFRESH_S).  0, or -1 with a
 * message.  Matches s3_creds_fn and httpsign_creds.
 */
int aws_provider_get(void *arg, struct sigv4_creds *out, char *err,
    size_t cap);

/** aws_provider_free(p): free every set (zeroing secrets). */
void aws_provider_free(struct aws_provider *p);

#endif
