/*
 * httpsign.h: sign an HTTP request to an AWS service (Amazon OpenSearch
 * Service `es`, OpenSearch Serverless `aoss`, Secrets Manager, SSM) with
 * SigV4, given its URL and body, and add the headers to a curl list.
 * Plugs into the Elasticsearch sink as its es_signer.
 */
#ifndef ELBSHIP_HTTPSIGN_H
#define ELBSHIP_HTTPSIGN_H

#include <stddef.h>

#include "aws/sigv4.h"

struct curl_slist;

/* Credentials on demand; same contract as s3_creds_fn in source/s3.h. */
struct httpsign_creds {
	int (*get)(void *arg, struct sigv4_creds *out, char *err, size_t cap);
	void *arg;
};

struct httpsign {
	const char *region;
	const char *service;		/* "es", "aoss", "secretsmanager", "ssm" */
	struct httpsign_creds creds;
};

/**
 * httpsign_sign(arg, method, url, body, n, content_sha256, headers, err,
 * cap): ${arg} is a struct httpsign.  ${url} must be sent exactly as given:
 * its path and query are taken as already percent-encoded the way SigV4
 * encodes them (RFC 3986 unreserved characters only).  Appends Host-less
 * signing headers (X-Amz-Date, Authorization, X-Amz-Content-Sha256 when
 * asked or for aoss, X-Amz-Security-Token) to *${headers}.  0, or -1 with a
 * message that never contains a secret.
 */
int httpsign_sign(void *arg, const char *method, const char *url,
    const void *body, size_t n, int content_sha256,
    struct curl_slist **headers, char *err, size_t cap);

#endif
