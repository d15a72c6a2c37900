/*
 * test_sigv4.c: unit tests for src/aws/sigv4.c.
 *
 * 1. AWS's SigV4 test suite, read from tests/data/sigv4/ (provenance in
 *    tests/data/sigv4/SOURCES.md).  Each case's files are first checked
 *    against each other with OpenSSL alone (SHA-256 of .creq is in .sts;
 *    HMAC over .sts gives .authz), then sigv4_sign() must reproduce them.
 * 2. More AWS-owned vectors (awslabs/aws-c-auth) as C arrays: unnormalised
 *    paths under S3 rules, a session token, encoded-name query ordering.
 * 3. The four S3 examples of "Signature Calculations for the Authorization
 *    Header: Transferring Payload in a Single Chunk"
 *    (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
 * 4. What elbship sends: S3 keys with spaces, `+`, `%`, `=`, `~`, UTF-8 and
 *    `//`; double encoding for es/aoss; the target sent equals what is
 *    signed; no secret in any output; input errors.
 * 5. Allocation-failure torture: a second copy of sigv4.c, compiled into
 *    this file with malloc/calloc/realloc/strdup that fail on the Nth call,
 *    is run with N = 0, 1, 2, ... until it succeeds; each failure must
 *    return -1 with nothing allocated (LeakSanitizer checks at exit).
 *
 * The data directory is $ELBSHIP_SIGV4_DATA, else found from this file's
 * path, else tests/data/sigv4 under the current directory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "aws/sigv4.h"
#include "tap.h"

/* ---- allocation-failure torture copy of sigv4.c ---- */

static long t_allow = -1;	/* allocations left before failing; < 0: never fail */
static long t_failed;		/* allocations refused so far */

static int
t_may_alloc(void)
{

	if (t_allow < 0)
		return 1;
	if (t_allow == 0) {
		t_failed++;
		return 0;
	}
	t_allow--;
	return 1;
}

static void *
t_malloc(size_t n)
{

	return t_may_alloc() ? malloc(n) : NULL;
}

static void *
t_calloc(size_t n, size_t size)
{

	return t_may_alloc() ? calloc(n, size) : NULL;
}

static void *
t_realloc(void *p, size_t n)
{

	return t_may_alloc() ? realloc(p, n) : NULL;
}

static char *
t_strdup(const char *s)
{

	return t_may_alloc() ? strdup(s) : NULL;
}

size_t torture_sigv4_uri_encode(const char *, size_t, int, char *, size_t);
int torture_sigv4_sha256_hex(const void *, size_t, char[SIGV4_HEX_LEN]);
char *torture_sigv4_target(const struct sigv4_request *, const char **);
int torture_sigv4_sign(const struct sigv4_request *, struct sigv4_signed *);
void torture_sigv4_signed_free(struct sigv4_signed *);

#undef strdup
#define malloc t_malloc
#define calloc t_calloc
#define realloc t_realloc
#define strdup t_strdup
#define sigv4_uri_encode torture_sigv4_uri_encode
#define sigv4_sha256_hex torture_sigv4_sha256_hex
#define sigv4_target torture_sigv4_target
#define sigv4_sign torture_sigv4_sign
#define sigv4_signed_free torture_sigv4_signed_free
#include "aws/sigv4.c"
#undef malloc
#undef calloc
#undef realloc
#undef strdup
#undef sigv4_uri_encode
#undef sigv4_sha256_hex
#undef sigv4_target
#undef sigv4_sign
#undef sigv4_signed_free

/* ---- helpers ---- */

#define SUITE_AKID "AKIDEXAMPLE"
#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_WHEN ((time_t)1440938160)	/* 2015-08-30T12:36:00Z */
#define S3_AKID "AKIAIOSFODNN7EXAMPLE"
#define S3_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define S3_WHEN ((time_t)1369353600)	/* 2013-05-24T00:00:00Z */
#define S3_HOST "examplebucket.s3.amazonaws.com"

static char data_dir[4096];

/* Read a whole file into a NUL-terminated heap buffer, or NULL. */
static char *
t_slurp(const char *path, size_t *len)
{
	FILE *f;
	char *p = NULL, *np;
	size_t n = 0, cap = 0, got;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap * 2 + 4096;
			if ((np = realloc(p, cap + 1)) == NULL) {
				free(p);
				p = NULL;
				break;
			}
			p = np;
		}
		got = fread(p + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (p != NULL && ferror(f)) {
		free(p);
		p = NULL;
	}
	fclose(f);
	if (p != NULL) {
		p[n] = '\0';
		if (len != NULL)
			*len = n;
	}
	return p;
}

static int
t_dir_ok(const char *dir)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/get-vanilla/get-vanilla.req", dir);
	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	fclose(f);
	return 1;
}

static int
t_find_data_dir(void)
{
	const char *env = getenv("ELBSHIP_SIGV4_DATA");
	const char *file = __FILE__;
	const char *suffix = "unit/test_sigv4.c";
	size_t fl = strlen(file), sl = strlen(suffix);

	if (env != NULL && t_dir_ok(env)) {
		snprintf(data_dir, sizeof(data_dir), "%s", env);
		return 0;
	}
	if (fl >= sl && strcmp(file + fl - sl, suffix) == 0) {
		snprintf(data_dir, sizeof(data_dir), "%.*sdata/sigv4",
		    (int)(fl - sl), file);
		if (t_dir_ok(data_dir))
			return 0;
	}
	snprintf(data_dir, sizeof(data_dir), "tests/data/sigv4");
	return t_dir_ok(data_dir) ? 0 : -1;
}

/* Independent of sigv4.c: hex SHA-256 and the SigV4 signature of ${sts}. */
static void
t_sha256(const char *s, size_t n, char out[65])
{
	static const char hx[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int len = 0, i;

	EVP_Digest(s, n, md, &len, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++) {
		out[2 * i] = hx[md[i] >> 4];
		out[2 * i + 1] = hx[md[i] & 15];
	}
	out[64] = '\0';
}

static void
t_sign_sts(const char *secret, const char *date, const char *region,
    const char *service, const char *sts, char out[65])
{
	static const char hx[] = "0123456789abcdef";
	unsigned char k[32], k2[32];
	unsigned int len = 32, i;
	char ks[256];
	const char *parts[4];

	parts[0] = region;
	parts[1] = service;
	parts[2] = "aws4_request";
	parts[3] = sts;
	snprintf(ks, sizeof(ks), "AWS4%s", secret);
	HMAC(EVP_sha256(), ks, (int)strlen(ks), (const unsigned char *)date,
	    strlen(date), k, &len);
	for (i = 0; i < 4; i++) {
		HMAC(EVP_sha256(), k, 32, (const unsigned char *)parts[i],
		    strlen(parts[i]), k2, &len);
		memcpy(k, k2, 32);
	}
	for (i = 0; i < 32; i++) {
		out[2 * i] = hx[k[i] >> 4];
		out[2 * i + 1] = hx[k[i] & 15];
	}
	out[64] = '\0';
}

/* The n-th line (0-based) of ${s} into ${out}. */
static void
t_line(const char *s, int n, char *out, size_t cap)
{
	const char *e;

	while (n-- > 0 && (s = strchr(s, '\n')) != NULL)
		s++;
	if (s == NULL) {
		snprintf(out, cap, "(none)");
		return;
	}
	e = strchr(s, '\n');
	snprintf(out, cap, "%.*s", (int)(e ? (size_t)(e - s) : strlen(s)), s);
}

/* The Signature= value of an Authorization header, or "". */
static const char *
t_sig_of(const char *authz)
{
	const char *p = authz ? strstr(authz, "Signature=") : NULL;

	return p ? p + 10 : "";
}

/* No output string of ${s} holds ${secret}. */
static int
t_no_secret(const struct sigv4_signed *s, const char *secret)
{
	const char *strs[6];
	size_t i;

	strs[0] = s->authorization;
	strs[1] = s->target;
	strs[2] = s->canonical_request;
	strs[3] = s->string_to_sign;
	strs[4] = s->signed_headers;
	strs[5] = s->security_token;
	for (i = 0; i < 6; i++)
		if (strs[i] != NULL && strstr(strs[i], secret) != NULL)
			return 0;
	for (i = 0; i < s->nadd; i++)
		if (strstr(s->add[i].value, secret) != NULL)
			return 0;
	return 1;
}

static struct sigv4_request
t_suite_req(void)
{
	struct sigv4_request r = { 0 };

	r.method = "GET";
	r.host = "example.amazonaws.com";
	r.path = "/";
	r.region = "us-east-1";
	r.service = "service";
	r.creds.access_key = SUITE_AKID;
	r.creds.secret_key = SUITE_SECRET;
	r.when = SUITE_WHEN;
	return r;
}

static struct sigv4_request
t_s3_req(void)
{
	struct sigv4_request r = { 0 };

	r.method = "GET";
	r.host = S3_HOST;
	r.path = "/";
	r.region = "us-east-1";
	r.service = "s3";
	r.creds.access_key = S3_AKID;
	r.creds.secret_key = S3_SECRET;
	r.when = S3_WHEN;
	r.s3_path = 1;
	return r;
}

/* ---- 1. the AWS test suite, from files ---- */

static const char *const suite_cases[] = {
	"get-vanilla",
	"get-vanilla-query",
	"get-vanilla-empty-query-key",
	"get-vanilla-query-order-key",
	"get-vanilla-query-order-key-case",
	"get-vanilla-query-order-value",
	"get-vanilla-query-unreserved",
	"get-vanilla-utf8-query",
	"get-unreserved",
	"get-utf8",
	"get-header-key-duplicate",
	"get-header-value-order",
	"get-header-value-trim",
	"post-vanilla",
	"post-vanilla-query",
	"post-vanilla-empty-query-value",
	"post-vanilla-query-nonunreserved",
	"post-header-key-case",
	"post-header-key-sort",
	"post-header-value-case",
	"post-x-www-form-urlencoded",
	"post-x-www-form-urlencoded-parameters",
	"post-sts-token/post-sts-header-before",
	"normalize-path/get-relative",
	"normalize-path/get-relative-relative",
	"normalize-path/get-slash",
	"normalize-path/get-slash-dot-slash",
	"normalize-path/get-slash-pointless-dot",
	"normalize-path/get-slashes",
	"normalize-path/get-space",
};

#define MAXKV 16

/*
 * Parse a suite .req (modified in place) into ${r}: request line
 * "METHOD TARGET HTTP/1.1" (the target may hold spaces), "Name:value"
 * header lines, an empty line, the body.  Host, X-Amz-Date and
 * X-Amz-Security-Token go to their own fields.
 */
static int
t_parse_req(char *buf, struct sigv4_request *r, struct sigv4_kv *q,
    struct sigv4_kv *h, const char **amz_date, char payload[65])
{
	char *line, *next, *sp, *tgt, *qs, *body = NULL;
	size_t nq = 0, nh = 0;

	*r = t_suite_req();
	*amz_date = NULL;
	/* Request line. */
	if ((next = strchr(buf, '\n')) != NULL)
		*next++ = '\0';
	if ((sp = strchr(buf, ' ')) == NULL)
		return -1;
	*sp = '\0';
	r->method = buf;
	tgt = sp + 1;
	if ((sp = strrchr(tgt, ' ')) == NULL)
		return -1;
	*sp = '\0';
	if ((qs = strchr(tgt, '?')) != NULL) {
		*qs++ = '\0';
		while (qs != NULL && *qs != '\0') {
			char *amp = strchr(qs, '&'), *eq;

			if (amp != NULL)
				*amp++ = '\0';
			if (nq == MAXKV)
				return -1;
			q[nq].name = qs;
			q[nq].value = "";
			if ((eq = strchr(qs, '=')) != NULL) {
				*eq = '\0';
				q[nq].value = eq + 1;
			}
			nq++;
			qs = amp;
		}
	}
	r->path = tgt;
	r->path_encoded = 1;
	/* Headers. */
	for (line = next; line != NULL; line = next) {
		char *colon;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '\0') {
			body = next;
			break;
		}
		if ((colon = strchr(line, ':')) == NULL)
			return -1;
		*colon = '\0';
		if (strcasecmp(line, "Host") == 0)
			r->host = colon + 1;
		else if (strcasecmp(line, "X-Amz-Date") == 0)
			*amz_date = colon + 1;
		else if (strcasecmp(line, "X-Amz-Security-Token") == 0)
			r->creds.session_token = colon + 1;
		else {
			if (nh == MAXKV)
				return -1;
			h[nh].name = line;
			h[nh].value = colon + 1;
			nh++;
		}
	}
	t_sha256(body ? body : "", body ? strlen(body) : 0, payload);
	r->payload_hash = payload;
	r->query = q;
	r->nquery = nq;
	r->headers = h;
	r->nheaders = nh;
	return 0;
}

static void
test_suite_case(const char *name)
{
	const char *leaf = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	const char *ext[4] = { "req", "creq", "sts", "authz" };
	char *f[4] = { NULL, NULL, NULL, NULL };
	char path[4600], hash[65], sig[65], last[80];
	struct sigv4_request r;
	struct sigv4_kv q[MAXKV], h[MAXKV];
	struct sigv4_signed s;
	const char *amz_date;
	char payload[65];
	int i;

	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s.%s", data_dir, name, leaf,
		    ext[i]);
		f[i] = t_slurp(path, NULL);
	}
	if (!ok(f[0] && f[1] && f[2] && f[3], "%s: the four files read", name))
		goto out;

	/* The data agree with each other (OpenSSL only, not sigv4.c). */
	t_sha256(f[1], strlen(f[1]), hash);
	t_line(f[2], 3, last, sizeof(last));
	is_str(last, hash, "%s: data: .sts ends with SHA-256(.creq)", name);
	t_sign_sts(SUITE_SECRET, "20150830", "us-east-1", "service", f[2], sig);
	is_str(t_sig_of(f[3]), sig, "%s: data: .authz signs .sts", name);

	/* sigv4 reproduces them. */
	if (!ok(t_parse_req(f[0], &r, q, h, &amz_date, payload) == 0,
	    "%s: .req parsed", name))
		goto out;
	if (!ok(sigv4_sign(&r, &s) == 0, "%s: signed", name)) {
		printf("#   error: %s\n", s.error ? s.error : "(none)");
		sigv4_signed_free(&s);
		goto out;
	}
	is_str(s.amz_date, amz_date ? amz_date : "", "%s: x-amz-date", name);
	is_str(s.canonical_request, f[1], "%s: canonical request", name);
	is_str(s.string_to_sign, f[2], "%s: string to sign", name);
	is_str(s.authorization, f[3], "%s: authorization", name);
	ok(t_no_secret(&s, SUITE_SECRET), "%s: no secret in any output", name);
	sigv4_signed_free(&s);
out:
	for (i = 0; i < 4; i++)
		free(f[i]);
}

/* ---- 2. more AWS-owned vectors (awslabs/aws-c-auth) ---- */

/*
 * tests/aws-signing-test-suite/v4/<case>-unnormalized/header-signed-request.txt
 * in awslabs/aws-c-auth: context "normalize": false, which is S3's rule.
 */
static const struct {
	const char *name, *path, *canon_uri, *sig;
} unnormalized[] = {
	{ "get-slash-unnormalized", "//", "//",
	  "c88bcd3d312d75078c0cd961d6deae3f4c754924b01669efcfcb439fd5e5b76e" },
	{ "get-slashes-unnormalized", "//example//", "//example//",
	  "87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5" },
	{ "get-relative-unnormalized", "/example/..", "/example/..",
	  "eca7ead57bb5aa5c8e28007acd4ff04e1ff9a0ff3b237ec1554a184887ff9282" },
	{ "get-relative-relative-unnormalized", "/example1/example2/../..",
	  "/example1/example2/../..",
	  "dc33e0856fd4baca4d7aa2146c38958283844764f38c74252a333df5e613003b" },
	{ "get-slash-dot-slash-unnormalized", "/./", "/./",
	  "68714168e6557f8f2de0ef956fc24dc2593a4bd2961f8df51898d8a134695145" },
	{ "get-slash-pointless-dot-unnormalized", "/./example", "/./example",
	  "beb03f223f7deae4146464f06e29eebbee9c8afbe15c290cf07aa8b119e14cff" },
	{ "get-space-unnormalized", "/example space/", "/example%20space/",
	  "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741" },
};

static void
test_aws_c_auth(void)
{
	struct sigv4_request r;
	struct sigv4_signed s;
	struct sigv4_kv q[3];
	char line[256];
	size_t i;

	for (i = 0; i < sizeof(unnormalized) / sizeof(unnormalized[0]); i++) {
		r = t_suite_req();
		r.path = unnormalized[i].path;
		r.s3_path = 1;
		if (!ok(sigv4_sign(&r, &s) == 0, "aws-c-auth %s: signed",
		    unnormalized[i].name))
			continue;
		t_line(s.canonical_request, 1, line, sizeof(line));
		is_str(line, unnormalized[i].canon_uri,
		    "aws-c-auth %s: canonical URI kept as is (S3 rules)",
		    unnormalized[i].name);
		is_str(s.target, unnormalized[i].canon_uri,
		    "aws-c-auth %s: S3 target equals the canonical URI",
		    unnormalized[i].name);
		is_str(t_sig_of(s.authorization), unnormalized[i].sig,
		    "aws-c-auth %s: signature", unnormalized[i].name);
		is_str(s.signed_headers, "host;x-amz-date",
		    "aws-c-auth %s: no x-amz-content-sha256 for service 'service'",
		    unnormalized[i].name);
		sigv4_signed_free(&s);
	}

	/* get-vanilla-with-session-token (context.json token). */
	r = t_suite_req();
	r.creds.session_token =
	    "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
	if (ok(sigv4_sign(&r, &s) == 0, "aws-c-auth get-vanilla-with-session-token: signed")) {
		is_str(s.authorization,
		    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
		    "service/aws4_request, SignedHeaders=host;x-amz-date;"
		    "x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96"
		    "708f198cceab042d4a97044c66dd9f74e7f8",
		    "aws-c-auth get-vanilla-with-session-token: authorization");
		is_int(s.nadd, 3, "session token: three headers to add");
		is_str(s.add[1].name, "X-Amz-Security-Token",
		    "session token: X-Amz-Security-Token to add");
		is_str(s.add[1].value, r.creds.session_token,
		    "session token: its value");
		sigv4_signed_free(&s);
	}

	/*
	 * get-vanilla-query-order-encoded: the request line holds
	 * ?Param-3=Value3&Param=Value2&%E1%88%B4=Value1; decoded names here.
	 * "%" (0x25) sorts before "P".
	 */
	r = t_suite_req();
	q[0] = (struct sigv4_kv){ "Param-3", "Value3" };
	q[1] = (struct sigv4_kv){ "Param", "Value2" };
	q[2] = (struct sigv4_kv){ "\xe1\x88\xb4", "Value1" };
	r.query = q;
	r.nquery = 3;
	if (ok(sigv4_sign(&r, &s) == 0, "aws-c-auth get-vanilla-query-order-encoded: signed")) {
		t_line(s.canonical_request, 2, line, sizeof(line));
		is_str(line, "%E1%88%B4=Value1&Param=Value2&Param-3=Value3",
		    "aws-c-auth get-vanilla-query-order-encoded: canonical query");
		is_str(s.target, "/?%E1%88%B4=Value1&Param=Value2&Param-3=Value3",
		    "aws-c-auth get-vanilla-query-order-encoded: target");
		is_str(t_sig_of(s.authorization),
		    "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac",
		    "aws-c-auth get-vanilla-query-order-encoded: signature");
		sigv4_signed_free(&s);
	}

	/* The same paths under the default rules: normalised (suite values). */
	r = t_suite_req();
	r.path = "/example1/example2/../..";
	if (ok(sigv4_sign(&r, &s) == 0, "default rules: relative path signed")) {
		is_str(t_sig_of(s.authorization),
		    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		    "default rules: get-relative-relative-normalized signature");
		is_str(s.target, "/", "default rules: normalised target sent");
		sigv4_signed_free(&s);
	}
}

/* ---- 3. S3 documentation examples ---- */

static void
test_s3_examples(void)
{
	struct sigv4_request r;
	struct sigv4_signed s;
	struct sigv4_kv h[2], q[2];
	char hash[65], body_hash[65];

	/* GET Object: first 10 bytes of test.txt. */
	r = t_s3_req();
	r.path = "/test.txt";
	h[0] = (struct sigv4_kv){ "Range", "bytes=0-9" };
	r.headers = h;
	r.nheaders = 1;
	r.payload_hash = SIGV4_EMPTY_SHA256;
	if (ok(sigv4_sign(&r, &s) == 0, "S3 GET Object: signed")) {
		is_str(s.canonical_request,
		    "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\n"
		    "range:bytes=0-9\nx-amz-content-sha256:" SIGV4_EMPTY_SHA256
		    "\nx-amz-date:20130524T000000Z\n\nhost;range;"
		    "x-amz-content-sha256;x-amz-date\n" SIGV4_EMPTY_SHA256,
		    "S3 GET Object: canonical request");
		t_sha256(s.canonical_request, strlen(s.canonical_request), hash);
		is_str(hash,
		    "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
		    "S3 GET Object: canonical request hash");
		is_str(s.string_to_sign,
		    "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/"
		    "aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb"
		    "2dc43964946972", "S3 GET Object: string to sign");
		is_str(s.signed_headers, "host;range;x-amz-content-sha256;x-amz-date",
		    "S3 GET Object: signed headers");
		is_str(s.authorization,
		    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
		    "us-east-1/s3/aws4_request, SignedHeaders=host;range;"
		    "x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857"
		    "bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		    "S3 GET Object: authorization (signature f0e8bdb8...)");
		is_str(s.target, "/test.txt", "S3 GET Object: target");
		is_int(s.nadd, 3, "S3 GET Object: three headers to add");
		is_str(s.add[0].name, "X-Amz-Date", "S3: add[0] is X-Amz-Date");
		is_str(s.add[0].value, "20130524T000000Z", "S3: x-amz-date value");
		is_str(s.add[1].name, "X-Amz-Content-Sha256",
		    "S3: add[1] is X-Amz-Content-Sha256 (always for s3)");
		is_str(s.add[1].value, SIGV4_EMPTY_SHA256, "S3: its value");
		is_str(s.add[2].name, "Authorization", "S3: add[2] is Authorization");
		ok(s.add[2].value == s.authorization, "S3: Authorization value");
		ok(t_no_secret(&s, S3_SECRET), "S3 GET Object: no secret in any output");
		sigv4_signed_free(&s);
	}

	/* PUT Object: test$file.text, body "Welcome to Amazon S3.". */
	r = t_s3_req();
	r.method = "PUT";
	r.path = "/test$file.text";
	h[0] = (struct sigv4_kv){ "Date", "Fri, 24 May 2013 00:00:00 GMT" };
	h[1] = (struct sigv4_kv){ "x-amz-storage-class", "REDUCED_REDUNDANCY" };
	r.headers = h;
	r.nheaders = 2;
	ok(sigv4_sha256_hex("Welcome to Amazon S3.", 21, body_hash) == 0,
	    "sha256 of the PUT body");
	is_str(body_hash,
	    "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
	    "S3 PUT Object: payload hash");
	r.payload_hash = body_hash;
	if (ok(sigv4_sign(&r, &s) == 0, "S3 PUT Object: signed")) {
		is_str(s.canonical_request,
		    "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\n"
		    "host:examplebucket.s3.amazonaws.com\nx-amz-content-sha256:"
		    "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
		    "\nx-amz-date:20130524T000000Z\nx-amz-storage-class:"
		    "REDUCED_REDUNDANCY\n\ndate;host;x-amz-content-sha256;"
		    "x-amz-date;x-amz-storage-class\n44ce7dd67c959e0d3524ffac1771df"
		    "bba87d2b6b4b4e99e42034a8b803f8b072",
		    "S3 PUT Object: canonical request");
		is_str(t_sig_of(s.authorization),
		    "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
		    "S3 PUT Object: signature");
		is_str(s.target, "/test%24file.text", "S3 PUT Object: target");
		sigv4_signed_free(&s);
	}

	/* GET Bucket Lifecycle: ?lifecycle, a parameter without a value. */
	r = t_s3_req();
	q[0] = (struct sigv4_kv){ "lifecycle", NULL };
	r.query = q;
	r.nquery = 1;
	if (ok(sigv4_sign(&r, &s) == 0, "S3 GET Bucket Lifecycle: signed")) {
		is_str(s.canonical_request,
		    "GET\n/\nlifecycle=\nhost:examplebucket.s3.amazonaws.com\n"
		    "x-amz-content-sha256:" SIGV4_EMPTY_SHA256 "\nx-amz-date:"
		    "20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n"
		    SIGV4_EMPTY_SHA256, "S3 GET Bucket Lifecycle: canonical request");
		is_str(t_sig_of(s.authorization),
		    "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
		    "S3 GET Bucket Lifecycle: signature");
		is_str(s.target, "/?lifecycle=", "S3 GET Bucket Lifecycle: target");
		sigv4_signed_free(&s);
	}

	/* GET Bucket (List Objects): given in the other order. */
	r = t_s3_req();
	q[0] = (struct sigv4_kv){ "prefix", "J" };
	q[1] = (struct sigv4_kv){ "max-keys", "2" };
	r.query = q;
	r.nquery = 2;
	if (ok(sigv4_sign(&r, &s) == 0, "S3 List Objects: signed")) {
		is_str(s.canonical_request,
		    "GET\n/\nmax-keys=2&prefix=J\nhost:examplebucket.s3.amazonaws.com"
		    "\nx-amz-content-sha256:" SIGV4_EMPTY_SHA256 "\nx-amz-date:"
		    "20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n"
		    SIGV4_EMPTY_SHA256, "S3 List Objects: canonical request");
		is_str(t_sig_of(s.authorization),
		    "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
		    "S3 List Objects: signature");
		is_str(s.target, "/?max-keys=2&prefix=J", "S3 List Objects: target");
		sigv4_signed_free(&s);
	}

	/* UNSIGNED-PAYLOAD: sent and signed as is. */
	r = t_s3_req();
	r.path = "/test.txt";
	r.payload_hash = SIGV4_UNSIGNED_PAYLOAD;
	if (ok(sigv4_sign(&r, &s) == 0, "S3 UNSIGNED-PAYLOAD: signed")) {
		ok(strstr(s.canonical_request,
		    "\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n") != NULL &&
		    strcmp(s.canonical_request + strlen(s.canonical_request) - 17,
		    "\nUNSIGNED-PAYLOAD") == 0,
		    "S3 UNSIGNED-PAYLOAD: header and last line");
		is_str(s.content_sha256, "UNSIGNED-PAYLOAD",
		    "S3 UNSIGNED-PAYLOAD: x-amz-content-sha256 value");
		sigv4_signed_free(&s);
	}
}

/* ---- 4. encoding, services, errors ---- */

static void
test_uri_encode(void)
{
	char buf[256];
	size_t n;
	int c, bad = 0;

	n = sigv4_uri_encode("AZaz09-._~", 10, 1, buf, sizeof(buf));
	is_str(buf, "AZaz09-._~", "uri_encode: unreserved kept");
	is_int(n, 10, "uri_encode: length");
	sigv4_uri_encode("a b+c%d=e", 9, 1, buf, sizeof(buf));
	is_str(buf, "a%20b%2Bc%25d%3De", "uri_encode: space + %% = encoded");
	sigv4_uri_encode("/a/b", 4, 0, buf, sizeof(buf));
	is_str(buf, "/a/b", "uri_encode: / kept when encode_slash is 0");
	sigv4_uri_encode("/a/b", 4, 1, buf, sizeof(buf));
	is_str(buf, "%2Fa%2Fb", "uri_encode: / encoded when encode_slash is 1");
	sigv4_uri_encode("\xc3\xa9\xf0\x9f\x98\x80", 6, 1, buf, sizeof(buf));
	is_str(buf, "%C3%A9%F0%9F%98%80",
	    "uri_encode: UTF-8 (e-acute, grinning face) per byte, uppercase hex");
	n = sigv4_uri_encode("a\0b", 3, 1, buf, sizeof(buf));
	is_str(buf, "a%00b", "uri_encode: NUL byte encoded");
	is_int(n, 5, "uri_encode: NUL byte length");

	/* Every byte: kept iff unreserved (or `/` with encode_slash 0). */
	for (c = 0; c < 256; c++) {
		char in = (char)c, want[4];
		int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~';

		if (keep)
			snprintf(want, sizeof(want), "%c", c);
		else
			snprintf(want, sizeof(want), "%%%02X", c);
		sigv4_uri_encode(&in, 1, 1, buf, sizeof(buf));
		if (strcmp(buf, want) != 0)
			bad++;
	}
	is_int(bad, 0, "uri_encode: all 256 bytes as RFC 3986 wants");

	/* snprintf semantics. */
	n = sigv4_uri_encode("a b", 3, 1, NULL, 0);
	is_int(n, 5, "uri_encode: measure with NULL, 0");
	memset(buf, 'x', sizeof(buf));
	n = sigv4_uri_encode("a b", 3, 1, buf, 3);
	is_int(n, 5, "uri_encode: truncated still returns the full length");
	ok(buf[2] == '\0' && buf[3] == 'x', "uri_encode: truncated output fits cap with NUL");
	n = sigv4_uri_encode("", 0, 1, buf, sizeof(buf));
	ok(n == 0 && buf[0] == '\0', "uri_encode: empty input");

	ok(sigv4_sha256_hex(NULL, 0, buf) == 0, "sha256_hex: empty input");
	is_str(buf, SIGV4_EMPTY_SHA256, "sha256_hex: empty-string hash");
}

static void
test_s3_keys(void)
{
	static const struct {
		const char *what, *path, *uri;
	} keys[] = {
		{ "space, +, %, =, ~",
		  "/logs/a b+c%d=e~f.log.gz",
		  "/logs/a%20b%2Bc%25d%3De~f.log.gz" },
		{ "unicode e-acute and emoji",
		  "/caf\xc3\xa9/\xf0\x9f\x98\x80.txt",
		  "/caf%C3%A9/%F0%9F%98%80.txt" },
		{ "// and dot segments kept",
		  "/AWSLogs//123/./x/../y",
		  "/AWSLogs//123/./x/../y" },
		{ "trailing slash and reserved chars",
		  "/a:b@c!$&'()*,;/",
		  "/a%3Ab%40c%21%24%26%27%28%29%2A%2C%3B/" },
		{ "percent-looking text is literal",
		  "/100%25 done",
		  "/100%2525%20done" },
	};
	struct sigv4_request r;
	struct sigv4_signed s;
	struct sigv4_kv q[4];
	char line[512], *t;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		r = t_s3_req();
		r.path = keys[i].path;
		if (!ok(sigv4_sign(&r, &s) == 0, "S3 key (%s): signed", keys[i].what))
			continue;
		t_line(s.canonical_request, 1, line, sizeof(line));
		is_str(line, keys[i].uri, "S3 key (%s): canonical URI encoded once",
		    keys[i].what);
		is_str(s.target, keys[i].uri,
		    "S3 key (%s): target sent equals the canonical URI",
		    keys[i].what);
		t = sigv4_target(&r, NULL);
		is_str(t, s.target, "S3 key (%s): sigv4_target() gives the same",
		    keys[i].what);
		free(t);
		sigv4_signed_free(&s);
	}

	/* ListObjectsV2 with a continuation token holding / + =. */
	r = t_s3_req();
	r.host = "my-logs.s3.eu-west-1.amazonaws.com";
	r.region = "eu-west-1";
	q[0] = (struct sigv4_kv){ "prefix", "AWSLogs/123456789012/elasticloadbalancing/" };
	q[1] = (struct sigv4_kv){ "list-type", "2" };
	q[2] = (struct sigv4_kv){ "continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=" };
	q[3] = (struct sigv4_kv){ "start-after", "a b+c" };
	r.query = q;
	r.nquery = 4;
	if (ok(sigv4_sign(&r, &s) == 0, "ListObjectsV2: signed")) {
		t_line(s.canonical_request, 2, line, sizeof(line));
		is_str(line,
		    "continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D"
		    "&list-type=2&prefix=AWSLogs%2F123456789012%2Felasticloadbalancing%2F"
		    "&start-after=a%20b%2Bc",
		    "ListObjectsV2: canonical query (/ + = space encoded, sorted)");
		ok(strncmp(s.target, "/?", 2) == 0 && strcmp(s.target + 2, line) == 0,
		    "ListObjectsV2: target is / ? canonical query");
		sigv4_signed_free(&s);
	}
}

static void
test_services(void)
{
	struct sigv4_request r, r2;
	struct sigv4_signed s, s2;
	struct sigv4_kv h[1];
	char line[512];

	/* es: a decoded path is sent encoded once and signed encoded twice. */
	r = t_suite_req();
	r.service = "es";
	r.host = "search-logs-abc.eu-west-1.es.amazonaws.com";
	r.region = "eu-west-1";
	r.method = "PUT";
	r.path = "/my index/_doc/a b%c\xc3\xa9";
	h[0] = (struct sigv4_kv){ "Content-Type", "application/json" };
	r.headers = h;
	r.nheaders = 1;
	if (ok(sigv4_sign(&r, &s) == 0, "es: signed")) {
		is_str(s.target, "/my%20index/_doc/a%20b%25c%C3%A9",
		    "es: target encoded once");
		t_line(s.canonical_request, 1, line, sizeof(line));
		is_str(line, "/my%2520index/_doc/a%2520b%2525c%25C3%25A9",
		    "es: canonical URI encoded twice");
		is_str(s.signed_headers, "content-type;host;x-amz-date",
		    "es: no x-amz-content-sha256 unless asked");
		is_int(s.nadd, 2, "es: X-Amz-Date and Authorization to add");
		/*
		 * What AWS does on receipt: take the path as sent and encode it
		 * once more.  Signing the sent target as an encoded path must
		 * give the very same canonical request and signature.
		 */
		r2 = r;
		r2.path = s.target;
		r2.path_encoded = 1;
		if (ok(sigv4_sign(&r2, &s2) == 0, "es: re-signed from the sent target")) {
			is_str(s2.canonical_request, s.canonical_request,
			    "es: server-side view of the sent target signs the same");
			is_str(s2.authorization, s.authorization,
			    "es: same signature");
			is_str(s2.target, s.target, "es: same target");
			sigv4_signed_free(&s2);
		}
		sigv4_signed_free(&s);
	}

	/* es: normalisation of dot segments and empty segments. */
	r = t_suite_req();
	r.service = "es";
	r.path = "/a/./b/../c//d/";
	if (ok(sigv4_sign(&r, &s) == 0, "es: path with dot segments signed")) {
		is_str(s.target, "/a/c/d/", "es: normalised target");
		t_line(s.canonical_request, 1, line, sizeof(line));
		is_str(line, "/a/c/d/", "es: normalised canonical URI");
		sigv4_signed_free(&s);
	}
	r.path = "/a/b/..";
	if (ok(sigv4_sign(&r, &s) == 0, "es: path ending in .. signed")) {
		is_str(s.target, "/a/", "es: /a/b/.. becomes /a/");
		sigv4_signed_free(&s);
	}
	r.path = NULL;
	if (ok(sigv4_sign(&r, &s) == 0, "NULL path signed")) {
		is_str(s.target, "/", "NULL path is /");
		sigv4_signed_free(&s);
	}

	/* es with content_sha256 asked for. */
	r = t_suite_req();
	r.service = "es";
	r.method = "POST";
	r.path = "/_bulk";
	r.content_sha256 = 1;
	if (ok(sigv4_sign(&r, &s) == 0, "es + content_sha256: signed")) {
		is_str(s.signed_headers, "host;x-amz-content-sha256;x-amz-date",
		    "es + content_sha256: header signed");
		sigv4_signed_free(&s);
	}

	/* aoss: x-amz-content-sha256 always; double encoding. */
	r = t_suite_req();
	r.service = "aoss";
	r.method = "POST";
	r.path = "/_bulk";
	if (ok(sigv4_sign(&r, &s) == 0, "aoss: signed")) {
		is_str(s.signed_headers, "host;x-amz-content-sha256;x-amz-date",
		    "aoss: x-amz-content-sha256 signed without asking");
		is_int(s.nadd, 3, "aoss: three headers to add");
		is_str(s.add[1].name, "X-Amz-Content-Sha256",
		    "aoss: X-Amz-Content-Sha256 to add");
		is_str(s.add[1].value, SIGV4_EMPTY_SHA256, "aoss: its value");
		ok(strstr(s.authorization, "/aoss/aws4_request") != NULL,
		    "aoss: scope names the service");
		sigv4_signed_free(&s);
	}

	/* Secrets Manager: POST / with a JSON body and X-Amz-Target. */
	r = t_suite_req();
	r.service = "secretsmanager";
	r.method = "POST";
	{
		struct sigv4_kv sh[2] = {
			{ "X-Amz-Target", "secretsmanager.GetSecretValue" },
			{ "Content-Type", "application/x-amz-json-1.1" },
		};
		char ph[65];
		const char *body = "{\"SecretId\":\"elbship/es\"}";

		sigv4_sha256_hex(body, strlen(body), ph);
		r.headers = sh;
		r.nheaders = 2;
		r.payload_hash = ph;
		if (ok(sigv4_sign(&r, &s) == 0, "secretsmanager: signed")) {
			is_str(s.signed_headers,
			    "content-type;host;x-amz-date;x-amz-target",
			    "secretsmanager: signed headers sorted");
			ok(strcmp(s.canonical_request + strlen(s.canonical_request) - 64,
			    ph) == 0, "secretsmanager: body hash is the last line");
			sigv4_signed_free(&s);
		}
	}
}

static void
test_headers_and_query(void)
{
	struct sigv4_request r;
	struct sigv4_signed s;
	struct sigv4_kv h[4], q[6];

	r = t_suite_req();
	h[0] = (struct sigv4_kv){ "X-Foo", "  a \t  b  " };
	h[1] = (struct sigv4_kv){ "x-foo", "2" };
	h[2] = (struct sigv4_kv){ "X-Empty", "   " };
	h[3] = (struct sigv4_kv){ "A-First", "\tlast\t" };
	r.headers = h;
	r.nheaders = 4;
	q[0] = (struct sigv4_kv){ "b", "2" };
	q[1] = (struct sigv4_kv){ "b", "1" };
	q[2] = (struct sigv4_kv){ "a-b", "x" };
	q[3] = (struct sigv4_kv){ "a b", "y z" };
	q[4] = (struct sigv4_kv){ "empty", "" };
	q[5] = (struct sigv4_kv){ "plus", "1+1=2" };
	r.query = q;
	r.nquery = 6;
	if (ok(sigv4_sign(&r, &s) == 0, "headers/query: signed")) {
		is_str(s.canonical_request,
		    "GET\n/\na%20b=y%20z&a-b=x&b=1&b=2&empty=&plus=1%2B1%3D2\n"
		    "a-first:last\nhost:example.amazonaws.com\n"
		    "x-amz-date:20150830T123600Z\nx-empty:\nx-foo:a b,2\n\n"
		    "a-first;host;x-amz-date;x-empty;x-foo\n" SIGV4_EMPTY_SHA256,
		    "headers trimmed, blank runs collapsed, repeats joined; query "
		    "sorted by encoded name then value, empty as name=");
		is_str(s.target, "/?a%20b=y%20z&a-b=x&b=1&b=2&empty=&plus=1%2B1%3D2",
		    "target query equals the canonical query");
		sigv4_signed_free(&s);
	}

	/* The epoch and a date far in the future. */
	r = t_suite_req();
	r.when = 0;
	if (ok(sigv4_sign(&r, &s) == 0, "time 0 signed")) {
		is_str(s.amz_date, "19700101T000000Z", "time 0 is 19700101T000000Z");
		sigv4_signed_free(&s);
	}
	r.when = (time_t)253402300799LL;	/* 9999-12-31T23:59:59Z */
	if (ok(sigv4_sign(&r, &s) == 0, "year 9999 signed")) {
		is_str(s.amz_date, "99991231T235959Z", "year 9999 date");
		sigv4_signed_free(&s);
	}
}

static void
test_errors(void)
{
	static const struct sigv4_kv bad_hdr[] = {
		{ "Host", "x" }, { "authorization", "x" }, { "X-Amz-Date", "x" },
		{ "x-amz-content-sha256", "x" }, { "X-AMZ-SECURITY-TOKEN", "x" },
		{ "Bad Name", "x" }, { "", "x" }, { "X-Ok", "a\r\nX-Evil: 1" },
		{ "X-Ok", "a\nb" }, { "X-Ok", NULL },
	};
	struct sigv4_request r;
	struct sigv4_signed s;
	struct sigv4_kv q[1];
	const char *why;
	char *big, *t;
	size_t i;
	int clean;

#define EXPECT_FAIL(what)                                                     \
	do {                                                                  \
		int rc_ = sigv4_sign(&r, &s);                                 \
		clean = s.authorization == NULL && s.target == NULL &&        \
		    s.canonical_request == NULL && s.string_to_sign == NULL &&\
		    s.signed_headers == NULL && s.security_token == NULL &&   \
		    s.nadd == 0 && s.error != NULL;                           \
		ok(rc_ == -1 && clean, "rejects %s (%s)", what,               \
		    s.error ? s.error : "no error");                          \
		sigv4_signed_free(&s);                                        \
		sigv4_signed_free(&s);                                        \
	} while (0)

	for (i = 0; i < sizeof(bad_hdr) / sizeof(bad_hdr[0]); i++) {
		char what[128];

		r = t_suite_req();
		r.headers = &bad_hdr[i];
		r.nheaders = 1;
		snprintf(what, sizeof(what), "header %s", bad_hdr[i].name);
		EXPECT_FAIL(what);
	}
	r = t_suite_req();
	r.path = "relative/path";
	EXPECT_FAIL("path without leading /");
	r = t_suite_req();
	r.path = "/a?b";
	r.path_encoded = 1;
	EXPECT_FAIL("encoded path with ?");
	r = t_suite_req();
	r.path = "/a\nb";
	r.path_encoded = 1;
	EXPECT_FAIL("encoded path with LF");
	r = t_suite_req();
	r.method = "GET /";
	EXPECT_FAIL("method with a space");
	r = t_suite_req();
	r.method = NULL;
	EXPECT_FAIL("NULL method");
	r = t_suite_req();
	r.host = "evil.com\r\nX: y";
	EXPECT_FAIL("host with CRLF");
	r = t_suite_req();
	r.host = "";
	EXPECT_FAIL("empty host");
	r = t_suite_req();
	r.region = NULL;
	EXPECT_FAIL("NULL region");
	r = t_suite_req();
	r.region = "us east";
	EXPECT_FAIL("region with a space");
	r = t_suite_req();
	r.service = "s3/x";
	EXPECT_FAIL("service with /");
	r = t_suite_req();
	r.creds.access_key = "AKID/x";
	EXPECT_FAIL("access key with /");
	r = t_suite_req();
	r.creds.secret_key = "";
	EXPECT_FAIL("empty secret");
	r = t_suite_req();
	r.creds.session_token = "tok\r\nX: y";
	EXPECT_FAIL("session token with CRLF");
	r = t_suite_req();
	r.payload_hash = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
	EXPECT_FAIL("uppercase payload hash");
	r = t_suite_req();
	r.payload_hash = "abc";
	EXPECT_FAIL("short payload hash");
	r = t_suite_req();
	r.nquery = 1;
	EXPECT_FAIL("nquery without query");
	r = t_suite_req();
	q[0] = (struct sigv4_kv){ NULL, "v" };
	r.query = q;
	r.nquery = 1;
	EXPECT_FAIL("query parameter without a name");
	r = t_suite_req();
	r.nheaders = 2;
	EXPECT_FAIL("nheaders without headers");
	r = t_suite_req();
	r.when = (time_t)253402300800LL;	/* 10000-01-01 */
	EXPECT_FAIL("year 10000");

	/* Longer than SIGV4_MAX_LEN once encoded. */
	big = malloc(SIGV4_MAX_LEN / 2 + 2);
	if (ok(big != NULL, "allocated a long path")) {
		memset(big, ' ', SIGV4_MAX_LEN / 2 + 1);
		big[0] = '/';
		big[SIGV4_MAX_LEN / 2 + 1] = '\0';
		r = t_suite_req();
		r.path = big;
		r.s3_path = 1;
		EXPECT_FAIL("path longer than SIGV4_MAX_LEN encoded");
		why = NULL;
		t = sigv4_target(&r, &why);
		ok(t == NULL && why != NULL, "sigv4_target: too long (%s)",
		    why ? why : "no reason");
		free(t);
		free(big);
	}

	r = t_suite_req();
	r.path = "no-slash";
	why = NULL;
	t = sigv4_target(&r, &why);
	ok(t == NULL && why != NULL, "sigv4_target: bad path (%s)",
	    why ? why : "no reason");
	free(t);
	ok(sigv4_target(&r, NULL) == NULL, "sigv4_target: why may be NULL");

	sigv4_signed_free(NULL);
	ok(1, "sigv4_signed_free(NULL) is a no-op");
#undef EXPECT_FAIL
}

/* A secret unlike any other input must not show up anywhere. */
static void
test_no_secret(void)
{
	const char *secret = "SECRETxMARKERx0123456789+/abcdefghijklmn";
	struct sigv4_request r;
	struct sigv4_signed s;
	struct sigv4_kv q[1] = { { "k", "v" } };

	r = t_s3_req();
	r.creds.secret_key = secret;
	r.creds.session_token = "FQoGZXIvYXdzEXAMPLETOKEN==";
	r.path = "/a b/c";
	r.query = q;
	r.nquery = 1;
	if (ok(sigv4_sign(&r, &s) == 0, "marker secret: signed")) {
		ok(t_no_secret(&s, secret), "marker secret: absent from every output");
		ok(t_no_secret(&s, "SECRETxMARKER"),
		    "marker secret: not even a prefix anywhere");
		sigv4_signed_free(&s);
	}
}

/* ---- 5. allocation-failure torture ---- */

static void
test_torture(void)
{
	struct sigv4_request r;
	struct sigv4_signed s, ref;
	struct sigv4_kv h[2], q[3];
	long k, fails = 0, bad = 0;
	int rc = -1;
	char *t;

	r = t_s3_req();
	r.path = "/logs/a b+c/\xc3\xa9.gz";
	r.creds.session_token = "FQoGZXIvYXdzEXAMPLETOKEN==";
	h[0] = (struct sigv4_kv){ "Range", "bytes=0-9" };
	h[1] = (struct sigv4_kv){ "X-Foo", " a  b " };
	r.headers = h;
	r.nheaders = 2;
	q[0] = (struct sigv4_kv){ "prefix", "x/y" };
	q[1] = (struct sigv4_kv){ "list-type", "2" };
	q[2] = (struct sigv4_kv){ "flag", NULL };
	r.query = q;
	r.nquery = 3;
	if (!ok(sigv4_sign(&r, &ref) == 0, "torture: reference signature"))
		return;

	for (k = 0; k < 10000; k++) {
		t_allow = k;
		t_failed = 0;
		rc = torture_sigv4_sign(&r, &s);
		t_allow = -1;
		if (rc == 0)
			break;
		fails++;
		if (t_failed == 0 || s.authorization != NULL || s.target != NULL ||
		    s.canonical_request != NULL || s.string_to_sign != NULL ||
		    s.signed_headers != NULL || s.security_token != NULL ||
		    s.nadd != 0 || s.error == NULL)
			bad++;
		torture_sigv4_signed_free(&s);
	}
	ok(rc == 0 && fails > 5, "torture: sign succeeds after %ld injected failures", fails);
	is_int(bad, 0, "torture: every failure returned -1 with nothing kept");
	if (rc == 0) {
		is_str(s.authorization, ref.authorization,
		    "torture: final result equals the reference");
		torture_sigv4_signed_free(&s);
	}

	fails = 0;
	bad = 0;
	for (k = 0; k < 10000; k++) {
		t_allow = k;
		t_failed = 0;
		t = torture_sigv4_target(&r, NULL);
		t_allow = -1;
		if (t != NULL)
			break;
		fails++;
		if (t_failed == 0)
			bad++;
	}
	ok(t != NULL && fails > 0, "torture: target succeeds after %ld injected failures", fails);
	is_int(bad, 0, "torture: target failures were allocation failures");
	is_str(t, ref.target, "torture: target equals the reference");
	free(t);
	sigv4_signed_free(&ref);
}

int
main(void)
{
	size_t i;

	if (!ok(t_find_data_dir() == 0, "test data found (%s)", data_dir))
		return tap_done();
	for (i = 0; i < sizeof(suite_cases) / sizeof(suite_cases[0]); i++)
		test_suite_case(suite_cases[i]);
	test_aws_c_auth();
	test_s3_examples();
	test_uri_encode();
	test_s3_keys();
	test_services();
	test_headers_and_query();
	test_errors();
	test_no_secret();
	test_torture();
	return tap_done();
}
