/*
 * runtime.h: the AWS Lambda Runtime API, client side.
 *
 * Spec: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 *   GET  /2018-06-01/runtime/invocation/next        (no timeout: the
 *        process may be frozen between invocations)
 *   POST /2018-06-01/runtime/invocation/{id}/response    202
 *   POST /2018-06-01/runtime/invocation/{id}/error       202
 *   POST /2018-06-01/runtime/init/error                  202
 * One keep-alive connection (one curl handle) serves them all.
 */
#ifndef ELBSHIP_RUNTIME_H
#define ELBSHIP_RUNTIME_H

#include <stdint.h>

#include "util/buf.h"

struct rt;

struct rt_invocation {
	char request_id[128];
	int64_t deadline_ms;		/* Unix epoch ms */
	char trace_id[512];
	char function_arn[512];
	struct buf event;		/* the payload */
};

/**
 * rt_new(api, err, cap): a client for AWS_LAMBDA_RUNTIME_API ${api}
 * ("host:port").  NULL with a message if ${api} is unusable.
 */
struct rt *rt_new(const char *api, char *err, size_t cap);

/**
 * rt_next(r, inv, err, cap): wait for the next invocation.  0, or -1 with a
 * message (the runtime should then exit: Lambda restarts it).
 */
int rt_next(struct rt *r, struct rt_invocation *inv, char *err, size_t cap);

/** rt_respond(r, id, body, n, err, cap): post the result; 0 or -1. */
int rt_respond(struct rt *r, const char *id, const char *body, size_t n,
    char *err, size_t cap);

/**
 * rt_error(r, id, type, msg, err, cap): report a failed invocation (or, with
 * ${id} NULL, a failed start-up to /runtime/init/error).  ${type} is
 * "Category.Reason"; 0 or -1.
 */
int rt_error(struct rt *r, const char *id, const char *type, const char *msg,
    char *err, size_t cap);

/** rt_free(r): free ${r}; NULL is fine. */
void rt_free(struct rt *r);

#endif
