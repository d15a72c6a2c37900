/*
 * sigv4.h: AWS Signature Version 4 request signing (header-based,
 * single-chunk payload) for S3 GetObject/ListObjectsV2, Amazon OpenSearch
 * Service (`es`), OpenSearch Serverless (`aoss`), Secrets Manager and SSM.
 *
 * Spec: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * and, for S3's differences, https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 * Why not libcurl's CURLOPT_AWS_SIGV4: Debian 12's curl 7.88 predates its
 * query-canonicalisation (8.3) and S3 path-encoding (8.9) fixes and has no
 * session-token support (docs: /work/shared/reference/aws-events-runtime-sigv4.md, section 7).
 *
 * Pure: no I/O, no global state, no clock (the caller passes the time).  The
 * only library used is OpenSSL's libcrypto (SHA-256, HMAC).  Results are
 * heap strings owned by a struct sigv4_signed; on failure nothing stays
 * allocated.
 *
 * Paths.  The caller gives the path *decoded* (raw bytes: an S3 key with
 * spaces, `+`, `%`, `=`, UTF-8 ...), and sigv4 makes both what is sent and
 * what is signed from it, so the two cannot disagree:
 *
 *   rules (flags)          sent (sigv4_target)         signed (canonical URI)
 *   default                E(N(path))                  E(E(N(path)))
 *   s3_path                E(path)                     E(path)
 *   path_encoded           N(path)                     E(N(path))
 *   s3_path+path_encoded   path                        path
 *
 * E = sigv4_uri_encode with `/` kept; N = dot-segment and `//` removal.
 * "Default" is what every service but S3 expects: AWS recomputes the
 * canonical URI by URI-encoding the path it received, i.e. encoding the
 * decoded path twice.  S3 signs the path as sent, unnormalised.
 * `path_encoded` says the path is already as it goes on the wire; it is the
 * model of AWS's generic test suite, whose request lines hold such paths.
 * Limitation: a decoded path cannot hold a `/` inside one segment.
 *
 * Query parameters are given decoded too; each name and value is encoded
 * with E (slash encoded), pairs are sorted by encoded name then encoded
 * value, and that one string is both sent and signed (so duplicate names
 * are sent in value order).  A parameter without a value is `name=`.
 *
 * Secrets: the secret access key never appears in any returned string; only
 * signatures derived from it do.  The session token is not the secret: AWS
 * requires it in the x-amz-security-token header and signs that header.
 */
#ifndef ELBSHIP_SIGV4_H
#define ELBSHIP_SIGV4_H

#include <stddef.h>
#include <time.h>

/* Hex SHA-256 of the empty string: the payload hash of a bodyless request. */
#define SIGV4_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/* S3 only: sign without hashing the body. */
#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"

/* Size of a hex SHA-256 with its NUL. */
#define SIGV4_HEX_LEN 65

/* Most bytes any one built string may reach (canonical request etc.). */
#define SIGV4_MAX_LEN ((size_t)1 << 20)

/* A name and a value, both NUL-terminated and borrowed. */
struct sigv4_kv {
	const char *name;
	const char *value;
};

struct sigv4_creds {
	const char *access_key;		/* AKID: letters and digits */
	const char *secret_key;		/* never copied into any output */
	const char *session_token;	/* NULL or "" if none */
};

/*
 * A request to sign.  Every pointer is borrowed for the duration of the
 * call only.
 */
struct sigv4_request {
	const char *method;		/* "GET", "POST", ... (an HTTP token) */
	const char *host;		/* Host header value, with :port if sent */
	const char *path;		/* decoded path starting with `/`; NULL or "" = "/" */
	const struct sigv4_kv *query;	/* decoded names/values; value NULL = "" */
	size_t nquery;
	const struct sigv4_kv *headers;	/* other headers to sign (see sigv4_sign) */
	size_t nheaders;
	const char *payload_hash;	/* 64 lowercase hex, UNSIGNED-PAYLOAD, or NULL = SIGV4_EMPTY_SHA256 */
	const char *region;		/* "us-east-1" */
	const char *service;		/* "s3", "es", "aoss", "secretsmanager", "ssm" */
	struct sigv4_creds creds;
	time_t when;			/* signing time (UTC seconds since the epoch) */
	int s3_path;			/* S3 path rules: encode once, no normalisation */
	int path_encoded;		/* path is already URI-encoded, as sent */
	int content_sha256;		/* send and sign x-amz-content-sha256 (always on for s3 and aoss) */
};

/*
 * A signed request.  All strings are NUL-terminated and owned by this
 * struct until sigv4_signed_free().
 */
struct sigv4_signed {
	char *authorization;		/* Authorization header value */
	char amz_date[17];		/* x-amz-date value, YYYYMMDDTHHMMSSZ */
	char content_sha256[SIGV4_HEX_LEN];	/* value sent, or "" if not sent */
	char *security_token;		/* copy of the session token, or NULL */
	char *target;			/* path?query to send (what sigv4_target() returns) */
	char *canonical_request;	/* for debugging and tests */
	char *string_to_sign;		/* for debugging and tests */
	char *signed_headers;		/* "host;x-amz-date" ... */

	/*
	 * The headers to add to the request, besides the caller's own and Host:
	 * X-Amz-Date, X-Amz-Content-Sha256 (if sent), X-Amz-Security-Token (if
	 * a token was given) and Authorization.  Names are static strings,
	 * values point into this struct.
	 */
	struct sigv4_kv add[4];
	size_t nadd;

	/* On failure: a static description of what was wrong, else NULL. */
	const char *error;
};

/**
 * sigv4_uri_encode(s, n, encode_slash, out, cap): URI-encode the ${n} bytes
 * at ${s} as SigV4 requires: RFC 3986 unreserved characters (A-Z a-z 0-9
 * - . _ ~) are kept, every other byte becomes %XX with uppercase hex (UTF-8
 * is thus encoded per byte; no UTF-8 validation is done).  `/` is kept if
 * ${encode_slash} is 0.  Writes at most ${cap} bytes to ${out} including a
 * NUL (when ${cap} > 0) and returns the length of the full encoding, as
 * snprintf does: the output is complete only if the result is < ${cap}.
 * ${out} may be NULL when ${cap} is 0.  Never fails.
 */
size_t sigv4_uri_encode(const char *s, size_t n, int encode_slash, char *out,
    size_t cap);

/**
 * sigv4_sha256_hex(buf, n, hex): write the lowercase hex SHA-256 of the
 * ${n} bytes at ${buf} (NULL allowed if n is 0) and a NUL into ${hex}, which
 * must hold SIGV4_HEX_LEN bytes.  Use it for payload_hash of a body: the
 * exact bytes sent (the gzipped bytes for a compressed body).  Returns 0, or
 * -1 if libcrypto fails.
 */
int sigv4_sha256_hex(const void *buf, size_t n, char hex[SIGV4_HEX_LEN]);

/**
 * sigv4_target(req, why): return the request target to send for ${req}, the
 * path then `?` and the canonical query string if there are query
 * parameters, as a string the caller frees.  It is byte for byte what
 * sigv4_sign() puts in out->target.  Returns NULL if the path or query is
 * invalid or allocation fails; then *${why} (if ${why} is not NULL) gets a
 * static description.
 */
char *sigv4_target(const struct sigv4_request *req, const char **why);

/**
 * sigv4_sign(req, out): sign ${req} into ${out}.  The signed headers are
 * host (from req->host), the caller's req->headers, x-amz-date (from
 * req->when), x-amz-content-sha256 (the payload hash, if req->content_sha256
 * is set or the service is s3 or aoss) and x-amz-security-token (if a session
 * token is given).  Caller headers: names are HTTP tokens, compared without
 * case and lower-cased for signing; values lose leading and trailing blanks
 * and have inner runs of spaces and tabs collapsed to one space; repeated
 * names are joined with `,` in the order given.  They must not include Host,
 * Authorization or the x-amz-date, x-amz-content-sha256 or
 * x-amz-security-token headers, which sigv4 makes itself, nor values with
 * control characters (CR, LF).  The caller sends its headers, the Host
 * req->host, the headers in out->add and out->target as the request target.
 * Returns 0, or -1 with ${out} holding nothing but out->error if an input is
 * invalid, a string would pass SIGV4_MAX_LEN, or libcrypto or allocation
 * fails.  Free ${out} with sigv4_signed_free() in both cases.
 */
int sigv4_sign(const struct sigv4_request *req, struct sigv4_signed *out);

/**
 * sigv4_signed_free(s): free what ${s} owns and zero it.  Safe on a zeroed
 * or already freed struct, and after sigv4_sign() failed.
 */
void sigv4_signed_free(struct sigv4_signed *s);

#endif
