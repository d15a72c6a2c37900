/*
 * sigv4.c: AWS Signature Version 4 signing.  See sigv4.h for the contract.
 *
 * The algorithm (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
 *
 *   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n
 *                      CanonicalHeaders \n SignedHeaders \n PayloadHash
 *   StringToSign     = "AWS4-HMAC-SHA256" \n AmzDate \n Scope \n
 *                      hex(SHA256(CanonicalRequest))
 *   Scope            = YYYYMMDD/region/service/aws4_request
 *   SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4" secret, YYYYMMDD),
 *                      region), service), "aws4_request")
 *   Signature        = hex(HMAC(SigningKey, StringToSign))
 *
 * CanonicalHeaders holds one "name:value\n" line per distinct lower-cased
 * name, sorted; so it ends in "\n" and the canonical request has an empty
 * line before SignedHeaders.
 *
 * Checked against AWS's SigV4 test suite and the S3 documentation's worked
 * examples (tests/unit/test_sigv4.c, tests/data/sigv4/).
 *
 * Not done here (on purpose): query-string (presigned URL) signing, chunked
 * (STREAMING-*) payloads, SigV4a, unsigned headers after signing (the test
 * suite's post-sts-header-after), obsolete header line folding.  None is
 * needed by elbship.
 *
 * Memory: every string is built in a struct sbuf (a growable buffer capped
 * at SIGV4_MAX_LEN that remembers the first failure, so a chain of appends
 * needs one check); each function frees what it built on every path through
 * one exit.  Key material ("AWS4" + secret and the derived keys) is wiped
 * with OPENSSL_cleanse before it is freed or goes out of scope.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "aws/sigv4.h"
#include "util/hex.h"

#define ALGORITHM "AWS4-HMAC-SHA256"

/* A growable string: p is NUL-terminated once anything was added. */
struct sbuf {
	char *p;
	size_t n, cap;
	int err;		/* an append failed: the content is incomplete */
};

/* Make room for ${extra} more bytes plus a NUL. */
static int
sb_reserve(struct sbuf *b, size_t extra)
{
	size_t want, cap;
	char *np;

	if (b->err)
		return -1;
	if (extra > SIGV4_MAX_LEN - b->n) {
		b->err = 1;
		return -1;
	}
	want = b->n + extra + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 128;
	while (cap < want)
		cap *= 2;
	if ((np = realloc(b->p, cap)) == NULL) {
		b->err = 1;
		return -1;
	}
	b->p = np;
	b->cap = cap;
	return 0;
}

static void
sb_add(struct sbuf *b, const void *s, size_t n)
{

	if (sb_reserve(b, n))
		return;
	if (n > 0)
		memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
sb_str(struct sbuf *b, const char *s)
{

	sb_add(b, s, strlen(s));
}

/* Append sigv4_uri_encode(s, n, encode_slash). */
static void
sb_enc(struct sbuf *b, const char *s, size_t n, int encode_slash)
{
	size_t len = sigv4_uri_encode(s, n, encode_slash, NULL, 0);

	if (sb_reserve(b, len))
		return;
	sigv4_uri_encode(s, n, encode_slash, b->p + b->n, len + 1);
	b->n += len;
}

/* Hand over the string (NULL if an append failed) and reset ${b}. */
static char *
sb_take(struct sbuf *b)
{
	char *p;

	sb_add(b, "", 0);
	p = b->err ? NULL : b->p;
	if (p == NULL)
		free(b->p);
	*b = (struct sbuf){ 0 };
	return p;
}

static void
sb_free(struct sbuf *b)
{

	free(b->p);
	*b = (struct sbuf){ 0 };
}

static int
is_unreserved(unsigned char c)
{

	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

static int
is_alnum(unsigned char c)
{

	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9');
}

/* RFC 9110 tchar: what header names and methods are made of. */
static int
is_tchar(unsigned char c)
{

	return is_alnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
is_token(const char *s)
{

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!is_tchar((unsigned char)*s))
			return 0;
	return 1;
}

/* Non-empty, and every byte is a letter, digit or one of ${extra}. */
static int
is_word(const char *s, const char *extra)
{

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!is_alnum((unsigned char)*s) && strchr(extra, *s) == NULL)
			return 0;
	return 1;
}

/* Non-empty, printable ASCII without spaces. */
static int
is_visible(const char *s)
{

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/* A header value sigv4 accepts: no control characters except tab. */
static int
is_header_value(const char *s)
{

	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return 0;
	return 1;
}

static int
is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

/* Lowercase hex of ${n} bytes, then a NUL. */
static void
hex_encode(const unsigned char *p, size_t n, char *out)
{
	hex_lower(p, n, out);
	out[2 * n] = '\0';
}

static int
ascii_ieq(const char *a, const char *b)
{

	for (; *a != '\0' && *b != '\0'; a++, b++) {
		char x = *a, y = *b;

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* Put one output byte if it fits (leaving room for the NUL). */
static void
put(char *out, size_t cap, size_t *o, char c)
{

	if (cap > 0 && *o < cap - 1)
		out[*o] = c;
	(*o)++;
}

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
size_t
sigv4_uri_encode(const char *s, size_t n, int encode_slash, char *out,
    size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_unreserved(c) || (c == '/' && !encode_slash)) {
			put(out, cap, &o, (char)c);
		} else {
			put(out, cap, &o, '%');
			put(out, cap, &o, hex[c >> 4]);
			put(out, cap, &o, hex[c & 15]);
		}
	}
	if (cap > 0)
		out[o < cap ? o : cap - 1] = '\0';
	return o;
}

/**
 * sigv4_sha256_hex(buf, n, hex): write the lowercase hex SHA-256 of the
 * ${n} bytes at ${buf} (NULL allowed if n is 0) and a NUL into ${hex}, which
 * must hold SIGV4_HEX_LEN bytes.  Use it for payload_hash of a body: the
 * exact bytes sent (the gzipped bytes for a compressed body).  Returns 0, or
 * -1 if libcrypto fails.
 */
int
sigv4_sha256_hex(const void *buf, size_t n, char hex[SIGV4_HEX_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	static const char empty[1] = "";

	if (!EVP_Digest(n > 0 ? buf : empty, n, md, &len, EVP_sha256(), NULL) ||
	    len != 32) {
		hex[0] = '\0';
		return -1;
	}
	hex_encode(md, 32, hex);
	return 0;
}

/*
 * Append path ${p} (${n} bytes, starting with `/`) to ${b} without dot
 * segments and empty segments, as RFC 3986 section 5.2.4 and AWS's
 * canonical URI want: "//a/./b/../c/" becomes "/a/c/".  A path ending in
 * `/`, `/.` or `/..` keeps a trailing `/`; an empty result is "/".
 */
static void
sb_normalize(struct sbuf *b, const char *p, size_t n)
{
	size_t base = b->n, i = 0, j, k;
	int trailing = 0;

	while (i < n) {
		while (i < n && p[i] == '/')
			i++;
		if (i == n) {
			trailing = 1;
			break;
		}
		for (j = i; j < n && p[j] != '/'; j++)
			;
		trailing = 0;
		if (j - i == 1 && p[i] == '.') {
			trailing = 1;
		} else if (j - i == 2 && p[i] == '.' && p[i + 1] == '.') {
			trailing = 1;
			if (!b->err && b->n > base) {
				for (k = b->n; k > base && b->p[k - 1] != '/'; k--)
					;
				b->n = k - 1;	/* drop "/segment" */
				b->p[b->n] = '\0';
			}
		} else {
			sb_add(b, "/", 1);
			sb_add(b, p + i, j - i);
		}
		i = j;
	}
	if (b->err)
		return;
	if (b->n == base || trailing)
		sb_add(b, "/", 1);
}

/*
 * Append to ${wire} the path to send and to ${canon} the canonical URI
 * (either may be NULL), following the table in sigv4.h.
 */
static int
build_path(const struct sigv4_request *req, struct sbuf *wire,
    struct sbuf *canon, const char **why)
{
	struct sbuf w = { 0 };
	const char *path = req->path;
	size_t n, i;
	int rc = -1;

	if (path == NULL || *path == '\0')
		path = "/";
	n = strlen(path);
	if (path[0] != '/') {
		*why = "path does not start with /";
		goto out;
	}
	if (req->path_encoded) {
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)path[i];

			if (c < 0x20 || c == 0x7f || c == '?' || c == '#') {
				*why = "encoded path holds a control character, ? or #";
				goto out;
			}
		}
	}

	if (req->s3_path && req->path_encoded) {
		sb_add(&w, path, n);
	} else if (req->s3_path) {
		sb_enc(&w, path, n, 0);
	} else if (req->path_encoded) {
		sb_normalize(&w, path, n);
	} else {
		struct sbuf norm = { 0 };

		sb_normalize(&norm, path, n);
		if (norm.err) {
			sb_free(&norm);
			w.err = 1;
		} else {
			sb_enc(&w, norm.p, norm.n, 0);
			sb_free(&norm);
		}
	}
	if (w.err) {
		*why = "path too long or out of memory";
		goto out;
	}

	if (canon != NULL) {
		if (req->s3_path)
			sb_add(canon, w.p, w.n);
		else
			sb_enc(canon, w.p, w.n, 0);
		if (canon->err) {
			*why = "path too long or out of memory";
			goto out;
		}
	}
	if (wire != NULL) {
		sb_add(wire, w.p, w.n);
		if (wire->err) {
			*why = "path too long or out of memory";
			goto out;
		}
	}
	rc = 0;
out:
	sb_free(&w);
	return rc;
}

/* An encoded query parameter or a canonical header, with its input index. */
struct pair {
	const char *name, *value;
	size_t idx;
};

static int
pair_cmp_query(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	if ((c = strcmp(x->value, y->value)) != 0)
		return c;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static int
pair_cmp_header(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/*
 * Append the canonical query string of ${req} to ${b}: each name and value
 * encoded with `/` encoded, sorted by name then value, `name=value` joined
 * with `&`.
 */
static int
build_query(const struct sigv4_request *req, struct sbuf *b, const char **why)
{
	struct sbuf enc = { 0 };
	struct pair *v = NULL;
	size_t *off = NULL;
	size_t i;
	int rc = -1;

	if (req->nquery == 0) {
		rc = 0;
		goto out;
	}
	if (req->query == NULL) {
		*why = "nquery > 0 but query is NULL";
		goto out;
	}
	if ((v = calloc(req->nquery, sizeof(*v))) == NULL ||
	    (off = calloc(req->nquery, 2 * sizeof(*off))) == NULL) {
		*why = "out of memory";
		goto out;
	}

	/* Encode all names and values into one buffer, "name\0value\0"... */
	for (i = 0; i < req->nquery; i++) {
		const char *name = req->query[i].name;
		const char *value = req->query[i].value;

		if (name == NULL) {
			*why = "query parameter without a name";
			goto out;
		}
		if (value == NULL)
			value = "";
		off[2 * i] = enc.n;
		sb_enc(&enc, name, strlen(name), 1);
		sb_add(&enc, "", 1);
		off[2 * i + 1] = enc.n;
		sb_enc(&enc, value, strlen(value), 1);
		sb_add(&enc, "", 1);
	}
	if (enc.err) {
		*why = "query too long or out of memory";
		goto out;
	}
	/* ... then point into it, now that it no longer moves. */
	for (i = 0; i < req->nquery; i++) {
		v[i].name = enc.p + off[2 * i];
		v[i].value = enc.p + off[2 * i + 1];
		v[i].idx = i;
	}
	qsort(v, req->nquery, sizeof(*v), pair_cmp_query);
	for (i = 0; i < req->nquery; i++) {
		if (i > 0)
			sb_add(b, "&", 1);
		sb_str(b, v[i].name);
		sb_add(b, "=", 1);
		sb_str(b, v[i].value);
	}
	if (b->err) {
		*why = "query too long or out of memory";
		goto out;
	}
	rc = 0;
out:
	free(off);
	free(v);
	sb_free(&enc);
	return rc;
}

/* Append the request target (path, then ?query if any) to ${b}. */
static int
build_target(const struct sigv4_request *req, struct sbuf *b, const char **why)
{
	int rc = -1;

	if (build_path(req, b, NULL, why))
		goto out;
	if (req->nquery > 0) {
		sb_add(b, "?", 1);
		if (build_query(req, b, why))
			goto out;
	}
	rc = 0;
out:
	return rc;
}

/**
 * sigv4_target(req, why): return the request target to send for ${req}, the
 * path then `?` and the canonical query string if there are query
 * parameters, as a string the caller frees.  It is byte for byte what
 * sigv4_sign() puts in out->target.  Returns NULL if the path or query is
 * invalid or allocation fails; then *${why} (if ${why} is not NULL) gets a
 * static description.
 */
char *
sigv4_target(const struct sigv4_request *req, const char **why)
{
	struct sbuf b = { 0 };
	const char *w = NULL;
	char *t = NULL;

	if (build_target(req, &b, &w))
		goto out;
	if ((t = sb_take(&b)) == NULL)
		w = "out of memory";
out:
	sb_free(&b);
	if (t == NULL && why != NULL)
		*why = w;
	return t;
}

/* Headers that sigv4_sign() makes itself; callers may not pass them. */
static const char *const reserved[] = {
	"host", "authorization", "x-amz-date", "x-amz-content-sha256",
	"x-amz-security-token"
};

/*
 * Append to ${b} header ${name} lower-cased, a NUL, ${value} trimmed with
 * inner blank runs collapsed to one space, and a NUL.
 */
static void
sb_header(struct sbuf *b, const char *name, const char *value)
{
	const char *p;
	int blank = 0, any = 0;

	for (p = name; *p != '\0'; p++) {
		char c = *p;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		sb_add(b, &c, 1);
	}
	sb_add(b, "", 1);
	for (p = value; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t') {
			blank = 1;
			continue;
		}
		if (blank && any)
			sb_add(b, " ", 1);
		blank = 0;
		any = 1;
		sb_add(b, p, 1);
	}
	sb_add(b, "", 1);
}

/*
 * Append the canonical headers ("name:v1,v2\n" per name, sorted) to ${ch}
 * and the signed header list ("a;b;c") to ${sh}.  ${extra} are sigv4's own
 * headers (host, x-amz-date ...), ${nextra} of them.
 */
static int
build_headers(const struct sigv4_request *req, const struct sigv4_kv *extra,
    size_t nextra, struct sbuf *ch, struct sbuf *sh, const char **why)
{
	struct sbuf enc = { 0 };
	struct pair *v = NULL;
	size_t *off = NULL;
	size_t i, j, n = 0, total;
	int rc = -1;

	if (req->nheaders > 0 && req->headers == NULL) {
		*why = "nheaders > 0 but headers is NULL";
		goto out;
	}
	if (req->nheaders > SIZE_MAX / 4 - nextra) {
		*why = "too many headers";
		goto out;
	}
	total = req->nheaders + nextra;
	if ((v = calloc(total, sizeof(*v))) == NULL ||
	    (off = calloc(total, 2 * sizeof(*off))) == NULL) {
		*why = "out of memory";
		goto out;
	}
	for (i = 0; i < total; i++) {
		const struct sigv4_kv *h = i < req->nheaders ?
		    &req->headers[i] : &extra[i - req->nheaders];

		if (!is_token(h->name)) {
			*why = "header name is not an HTTP token";
			goto out;
		}
		if (h->value == NULL || !is_header_value(h->value)) {
			*why = "header value missing or holds a control character";
			goto out;
		}
		if (i < req->nheaders)
			for (j = 0; j < sizeof(reserved) / sizeof(reserved[0]); j++)
				if (ascii_ieq(h->name, reserved[j])) {
					*why = "header is made by sigv4_sign and may not be passed";
					goto out;
				}
		off[2 * i] = enc.n;
		sb_header(&enc, h->name, h->value);
		off[2 * i + 1] = off[2 * i] + strlen(h->name) + 1;
	}
	if (enc.err) {
		*why = "headers too long or out of memory";
		goto out;
	}
	for (i = 0; i < total; i++) {
		v[i].name = enc.p + off[2 * i];
		v[i].value = enc.p + off[2 * i + 1];
		v[i].idx = i;
	}
	/* Stable by input order within a name, so repeats keep their order. */
	qsort(v, total, sizeof(*v), pair_cmp_header);
	for (i = 0; i < total; i = j) {
		sb_str(ch, v[i].name);
		sb_add(ch, ":", 1);
		sb_str(ch, v[i].value);
		for (j = i + 1; j < total && strcmp(v[j].name, v[i].name) == 0; j++) {
			sb_add(ch, ",", 1);
			sb_str(ch, v[j].value);
		}
		sb_add(ch, "\n", 1);
		if (n++ > 0)
			sb_add(sh, ";", 1);
		sb_str(sh, v[i].name);
	}
	if (ch->err || sh->err) {
		*why = "headers too long or out of memory";
		goto out;
	}
	rc = 0;
out:
	free(off);
	free(v);
	sb_free(&enc);
	return rc;
}

/* out = HMAC-SHA256(key, msg), 32 bytes. */
static int
hmac(const void *key, size_t keylen, const void *msg, size_t msglen,
    unsigned char out[32])
{
	unsigned int len = 0;

	if (keylen > INT_MAX)
		return -1;
	if (HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, out, &len) == NULL ||
	    len != 32)
		return -1;
	return 0;
}

/*
 * Write into ${sig} (SIGV4_HEX_LEN bytes) the hex signature of ${sts} under
 * the key derived from ${secret}, ${date} (YYYYMMDD), ${region}, ${service}.
 */
static int
signature(const char *secret, const char *date, const char *region,
    const char *service, const char *sts, char sig[SIGV4_HEX_LEN])
{
	unsigned char k1[32], k2[32];
	char *ksecret = NULL;
	size_t slen = strlen(secret);
	int rc = -1;

	if (slen > SIGV4_MAX_LEN || (ksecret = malloc(slen + 4)) == NULL)
		goto out;
	memcpy(ksecret, "AWS4", 4);
	memcpy(ksecret + 4, secret, slen);
	if (hmac(ksecret, slen + 4, date, strlen(date), k1) ||
	    hmac(k1, 32, region, strlen(region), k2) ||
	    hmac(k2, 32, service, strlen(service), k1) ||
	    hmac(k1, 32, "aws4_request", 12, k2) ||
	    hmac(k2, 32, sts, strlen(sts), k1))
		goto out;
	hex_encode(k1, 32, sig);
	rc = 0;
out:
	if (ksecret != NULL) {
		OPENSSL_cleanse(ksecret, slen + 4);
		free(ksecret);
	}
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	return rc;
}

/* Check the parts of ${req} that are not path, query or headers. */
static int
check_request(const struct sigv4_request *req, const char **why)
{
	const char *ph = req->payload_hash;
	const char *tok = req->creds.session_token;

	if (!is_token(req->method))
		*why = "method is not an HTTP token";
	else if (!is_visible(req->host) || strchr(req->host, '/') != NULL)
		*why = "host is empty or holds a space, control character or /";
	else if (!is_word(req->region, "-_."))
		*why = "region is empty or not [A-Za-z0-9._-]";
	else if (!is_word(req->service, "-_."))
		*why = "service is empty or not [A-Za-z0-9._-]";
	else if (!is_word(req->creds.access_key, ""))
		*why = "access key is empty or not letters and digits";
	else if (req->creds.secret_key == NULL || *req->creds.secret_key == '\0')
		*why = "secret key is empty";
	else if (tok != NULL && *tok != '\0' && !is_visible(tok))
		*why = "session token holds a space or control character";
	else if (ph != NULL && strcmp(ph, SIGV4_UNSIGNED_PAYLOAD) != 0 &&
	    !is_hex64(ph))
		*why = "payload hash is not 64 lowercase hex digits or UNSIGNED-PAYLOAD";
	else
		return 0;
	return -1;
}

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
int
sigv4_sign(const struct sigv4_request *req, struct sigv4_signed *out)
{
	struct sbuf creq = { 0 }, sts = { 0 }, auth = { 0 }, target = { 0 };
	struct sbuf ch = { 0 }, sh = { 0 };
	struct sigv4_kv extra[4];
	struct tm tm;
	const char *why = NULL, *ph, *tok;
	char date[9], scope_hash[SIGV4_HEX_LEN], sig[SIGV4_HEX_LEN];
	size_t nextra = 0, qstart;
	int with_sha, rc = -1;

	*out = (struct sigv4_signed){ 0 };
	if (check_request(req, &why))
		goto out;
	ph = req->payload_hash != NULL ? req->payload_hash : SIGV4_EMPTY_SHA256;
	tok = req->creds.session_token;
	if (tok != NULL && *tok == '\0')
		tok = NULL;
	with_sha = req->content_sha256 || strcmp(req->service, "s3") == 0 ||
	    strcmp(req->service, "aoss") == 0;

	/* Time: YYYYMMDDTHHMMSSZ, years 1000 to 9999 only. */
	if (gmtime_r(&req->when, &tm) == NULL || tm.tm_year < -900 ||
	    tm.tm_year > 8099 ||
	    strftime(out->amz_date, sizeof(out->amz_date), "%Y%m%dT%H%M%SZ",
	    &tm) != 16) {
		why = "time out of range";
		goto out;
	}
	memcpy(date, out->amz_date, 8);
	date[8] = '\0';

	/* Target and canonical URI/query, from the same code. */
	if (build_path(req, &target, &creq, &why))
		goto out;
	qstart = target.n;
	if (req->nquery > 0) {
		sb_add(&target, "?", 1);
		if (build_query(req, &target, &why))
			goto out;
	}

	extra[nextra++] = (struct sigv4_kv){ "host", req->host };
	extra[nextra++] = (struct sigv4_kv){ "x-amz-date", out->amz_date };
	if (with_sha)
		extra[nextra++] = (struct sigv4_kv){ "x-amz-content-sha256", ph };
	if (tok != NULL)
		extra[nextra++] = (struct sigv4_kv){ "x-amz-security-token", tok };
	if (build_headers(req, extra, nextra, &ch, &sh, &why))
		goto out;

	/* Canonical request: the URI is already in creq. */
	{
		struct sbuf head = { 0 };

		sb_str(&head, req->method);
		sb_add(&head, "\n", 1);
		sb_add(&head, creq.p, creq.n);
		sb_add(&head, "\n", 1);
		if (target.n > qstart)
			sb_add(&head, target.p + qstart + 1, target.n - qstart - 1);
		sb_add(&head, "\n", 1);
		sb_add(&head, ch.p, ch.n);
		sb_add(&head, "\n", 1);
		sb_add(&head, sh.p, sh.n);
		sb_add(&head, "\n", 1);
		sb_str(&head, ph);
		sb_free(&creq);
		creq = head;
	}
	if (creq.err || sigv4_sha256_hex(creq.p, creq.n, scope_hash)) {
		why = "canonical request too long, out of memory or SHA-256 failed";
		goto out;
	}

	/* String to sign. */
	sb_str(&sts, ALGORITHM "\n");
	sb_str(&sts, out->amz_date);
	sb_add(&sts, "\n", 1);
	sb_str(&sts, date);
	sb_add(&sts, "/", 1);
	sb_str(&sts, req->region);
	sb_add(&sts, "/", 1);
	sb_str(&sts, req->service);
	sb_str(&sts, "/aws4_request\n");
	sb_str(&sts, scope_hash);
	if (sts.err) {
		why = "out of memory";
		goto out;
	}
	if (signature(req->creds.secret_key, date, req->region, req->service,
	    sts.p, sig)) {
		why = "HMAC-SHA256 failed";
		goto out;
	}

	/* Authorization. */
	sb_str(&auth, ALGORITHM " Credential=");
	sb_str(&auth, req->creds.access_key);
	sb_add(&auth, "/", 1);
	sb_str(&auth, date);
	sb_add(&auth, "/", 1);
	sb_str(&auth, req->region);
	sb_add(&auth, "/", 1);
	sb_str(&auth, req->service);
	sb_str(&auth, "/aws4_request, SignedHeaders=");
	sb_add(&auth, sh.p, sh.n);
	sb_str(&auth, ", Signature=");
	sb_str(&auth, sig);

	if (auth.err || (tok != NULL &&
	    (out->security_token = strdup(tok)) == NULL) ||
	    (out->authorization = sb_take(&auth)) == NULL ||
	    (out->target = sb_take(&target)) == NULL ||
	    (out->canonical_request = sb_take(&creq)) == NULL ||
	    (out->string_to_sign = sb_take(&sts)) == NULL ||
	    (out->signed_headers = sb_take(&sh)) == NULL) {
		why = "out of memory";
		goto out;
	}
	if (with_sha)
		memcpy(out->content_sha256, ph, strlen(ph) + 1);

	out->add[out->nadd++] = (struct sigv4_kv){ "X-Amz-Date", out->amz_date };
	if (with_sha)
		out->add[out->nadd++] =
		    (struct sigv4_kv){ "X-Amz-Content-Sha256", out->content_sha256 };
	if (tok != NULL)
		out->add[out->nadd++] =
		    (struct sigv4_kv){ "X-Amz-Security-Token", out->security_token };
	out->add[out->nadd++] =
	    (struct sigv4_kv){ "Authorization", out->authorization };
	rc = 0;
out:
	sb_free(&creq);
	sb_free(&sts);
	sb_free(&auth);
	sb_free(&target);
	sb_free(&ch);
	sb_free(&sh);
	if (rc != 0) {
		sigv4_signed_free(out);
		out->error = why != NULL ? why : "signing failed";
	}
	return rc;
}

/**
 * sigv4_signed_free(s): free what ${s} owns and zero it.  Safe on a zeroed
 * or already freed struct, and after sigv4_sign() failed.
 */
void
sigv4_signed_free(struct sigv4_signed *s)
{

	if (s == NULL)
		return;
	free(s->authorization);
	free(s->security_token);
	free(s->target);
	free(s->canonical_request);
	free(s->string_to_sign);
	free(s->signed_headers);
	*s = (struct sigv4_signed){ 0 };
}
