/*
 * creds.h: find AWS credentials, the region and an S3 endpoint override the
 * way the AWS CLI and SDKs do, from the environment, the shared config and
 * credentials files, and the container credentials endpoint (ECS task
 * roles, EKS Pod Identity, and the Lambda-style local endpoints).
 *
 * Specs:
 *   https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html
 *   https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html
 *   https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
 *
 * Credentials, first that applies:
 *   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); one
 *      of the two without the other is an error.
 *   2. The profile AWS_PROFILE (else "default"): aws_access_key_id +
 *      aws_secret_access_key (+ aws_session_token) from its section in the
 *      credentials file (AWS_SHARED_CREDENTIALS_FILE, default
 *      ~/.aws/credentials; sections `[name]`), else in the config file
 *      (AWS_CONFIG_FILE, default ~/.aws/config; sections `[profile name]`,
 *      and `[default]` or `[profile default]`).  A named profile that is in
 *      neither file is an error.
 *   3. The container endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 *      (appended to http://169.254.170.2), else
 *      AWS_CONTAINER_CREDENTIALS_FULL_URI, with an Authorization header
 *      from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read on every load),
 *      else AWS_CONTAINER_AUTHORIZATION_TOKEN.
 * Empty variables count as unset, as in botocore.  AWS_DEFAULT_PROFILE
 * (the CLI v1 name) is not read.
 *
 * Not supported (on purpose; elbship runs in Lambda, ECS, EKS or with
 * static keys): role_arn/source_profile (AssumeRole), SSO, web identity,
 * credential_process, EC2 instance metadata (IMDS).  A profile that only
 * has such settings is skipped and named in the final error.
 *
 * Secrets: no message written by this module holds a secret access key, a
 * session token or an authorization token (nor a response body, which
 * could echo one); URLs are shown without user info or query.  Secrets are
 * wiped (explicit_bzero) from every buffer of ours before it is freed;
 * libcurl's copy of the Authorization header and jansson's parse tree are
 * freed by those libraries unwiped.
 *
 * No global state: every function reads the environment through a struct
 * aws_env, so tests (and a Lambda that refreshes) need not touch environ.
 * The container fetch uses a libcurl easy handle of its own; call
 * curl_global_init() once at start-up as libcurl asks.
 */
#ifndef ELBSHIP_CREDS_H
#define ELBSHIP_CREDS_H

#include <stddef.h>
#include <stdint.h>

/*
 * A view of the environment.  get(ctx, name) returns the value of ${name}
 * or NULL, like getenv(); the string must stay valid for the duration of
 * the call that asked for it (and, for aws_endpoint_s3, as long as its
 * result is used).  home is the home directory for `~` and the default
 * file locations; NULL means get(ctx, "HOME").
 */
struct aws_env {
	const char *(*get)(void *ctx, const char *name);
	void *ctx;
	const char *home;
};

/* Credentials; the strings are owned by the struct (aws_creds_free). */
struct aws_creds {
	char *access_key;
	char *secret_key;
	char *session_token;	/* NULL if none */
	int64_t expires;	/* unix seconds, 0 = never */
	char source[64];	/* "environment", "profile NAME", "container" */
};

/* Credentials that expire within this many seconds count as expiring. */
#define AWS_CREDS_REFRESH_S 300

/* Container endpoint: per-attempt time limit, and attempts in all. */
#define AWS_CREDS_TIMEOUT_MS 2000
#define AWS_CREDS_ATTEMPTS 2

/** aws_env_process(): the real process environment (getenv, $HOME). */
struct aws_env aws_env_process(void);

/**
 * aws_creds_load(out, env, err, cap): find credentials in ${env} in the
 * order above and store them in ${out} (whose old contents are not freed).
 * Returns 0, or -1 with ${out} zeroed and a message in ${err} (${cap}
 * bytes, may be 0) that names what was looked at: the variable missing
 * from a pair, the profile and files searched, the container URL and what
 * went wrong.  Finding nothing at all gives "no AWS credentials found:
 * ...".  The container endpoint is tried at most AWS_CREDS_ATTEMPTS times
 * (a second time only after a network error or a 5xx), each within
 * AWS_CREDS_TIMEOUT_MS; it never follows redirects nor uses a proxy for
 * plain http.
 */
int aws_creds_load(struct aws_creds *out, const struct aws_env *env,
    char *err, size_t cap);

/**
 * aws_creds_container_url(env, url, cap, err, errcap): the container
 * credentials URL that ${env} configures, checked but not fetched:
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI gives http://169.254.170.2/PATH;
 * else AWS_CONTAINER_CREDENTIALS_FULL_URI must be https (any host) or http
 * to a loopback address (127.0.0.0/8, ::1, `localhost`), 169.254.170.2,
 * 169.254.170.23 or fd00:ec2::23.  Host names other than localhost are
 * refused for http (no DNS lookup is done: its answer could change before
 * the connection).  Returns 0 with the URL in ${url}, or with ${url} ""
 * if neither variable is set; -1 with a message if the URL is refused,
 * malformed or longer than ${cap}.
 */
int aws_creds_container_url(const struct aws_env *env, char *url, size_t cap,
    char *err, size_t errcap);

/**
 * aws_creds_expiring(c, now): 1 if ${c} expires within AWS_CREDS_REFRESH_S
 * seconds of ${now} (unix seconds) or has expired, else 0 (also when it
 * never expires).  A warm Lambda calls this before each use and reloads.
 */
int aws_creds_expiring(const struct aws_creds *c, int64_t now);

/**
 * aws_creds_free(c): wipe and free the strings of ${c} and zero it.  Safe
 * on a zeroed struct and twice.
 */
void aws_creds_free(struct aws_creds *c);

/**
 * aws_region_load(out, cap, env, err, errcap): the region from AWS_REGION,
 * else AWS_DEFAULT_REGION, else `region` in the profile's config-file
 * section (profile as for credentials).  It must be 1 to 63 of a-z, 0-9,
 * `-`.  Returns 0 with the region in ${out}, or -1 with a message:
 * "no AWS region: set AWS_REGION or ..." if none is set.
 */
int aws_region_load(char *out, size_t cap, const struct aws_env *env,
    char *err, size_t errcap);

/**
 * aws_endpoint_s3(env): the S3 endpoint URL override: AWS_ENDPOINT_URL_S3,
 * else AWS_ENDPOINT_URL, else NULL; always NULL if
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "true".  The string is borrowed
 * from ${env}.
 */
const char *aws_endpoint_s3(const struct aws_env *env);

#endif
