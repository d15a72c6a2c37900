/*
 * awscreds.c: what src/aws/creds.c finds in this process's environment,
 * for tests/aws/creds_test.sh and for looking at a setup by hand.
 *
 *   awscreds creds      source=, access_key=, secret_sha256=,
 *                       token_sha256= (or token=none), expires=
 *   awscreds region     region=
 *   awscreds endpoint   endpoint= (empty if none)
 *   awscreds url        url= (the container URL; empty if none)
 *
 * Secrets are never printed: only the SHA-256 of the secret key and the
 * session token, so a test can compare them with what it served.  On
 * failure: "awscreds: MESSAGE" on stderr, exit 1; bad usage exits 2.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "aws/creds.h"
#include "aws/sigv4.h"

static void
print_hash(const char *name, const char *s)
{
	char hex[SIGV4_HEX_LEN];

	if (s == NULL) {
		printf("%s=none\n", name);
		return;
	}
	if (sigv4_sha256_hex(s, strlen(s), hex) != 0)
		snprintf(hex, sizeof(hex), "error");
	printf("%s=%s\n", name, hex);
}

int
main(int argc, char **argv)
{
	struct aws_env env = aws_env_process();
	struct aws_creds c;
	char err[1024], out[512];
	const char *ep;
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: awscreds creds|region|endpoint|url\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (strcmp(argv[1], "creds") == 0) {
		if (aws_creds_load(&c, &env, err, sizeof(err)) == 0) {
			printf("source=%s\naccess_key=%s\n", c.source,
			    c.access_key);
			print_hash("secret_sha256", c.secret_key);
			print_hash("token_sha256", c.session_token);
			printf("expires=%" PRId64 "\n", c.expires);
			aws_creds_free(&c);
			rc = 0;
		}
	} else if (strcmp(argv[1], "region") == 0) {
		if (aws_region_load(out, sizeof(out), &env, err,
		    sizeof(err)) == 0) {
			printf("region=%s\n", out);
			rc = 0;
		}
	} else if (strcmp(argv[1], "endpoint") == 0) {
		ep = aws_endpoint_s3(&env);
		printf("endpoint=%s\n", ep != NULL ? ep : "");
		rc = 0;
	} else if (strcmp(argv[1], "url") == 0) {
		if (aws_creds_container_url(&env, out, sizeof(out), err,
		    sizeof(err)) == 0) {
			printf("url=%s\n", out);
			rc = 0;
		}
	} else {
		fprintf(stderr, "usage: awscreds creds|region|endpoint|url\n");
		curl_global_cleanup();
		return 2;
	}
	if (rc != 0)
		fprintf(stderr, "awscreds: %s\n", err);
	curl_global_cleanup();
	return rc;
}
