/*
 * httpsign.c: SigV4 for HTTP requests given as URL + body.  See httpsign.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "aws/httpsign.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/xalloc.h"

#define MAX_Q 32

/* Percent-decode ${n} bytes of ${s} into a new string. */
static char *
pct_decode(const char *s, size_t n)
{
	char *o = xmalloc(n + 1), *p = o;
	size_t i;

	for (i = 0; i < n; i++) {
		int hi = i + 2 < n ? hex_value((unsigned char)s[i + 1]) : -1;
		int lo = hi >= 0 ? hex_value((unsigned char)s[i + 2]) : -1;

		if (s[i] == '%' && lo >= 0) {
			*p++ = (char)(hi << 4 | lo);
			i += 2;
		} else {
			*p++ = s[i];
		}
	}
	*p = '\0';
	return o;
}

int
httpsign_sign(void *arg, const char *method, const char *url,
    const void *body, size_t n, int content_sha256,
    struct curl_slist **headers, char *err, size_t cap)
{
	const struct httpsign *hs = arg;
	struct sigv4_request rq;
	struct sigv4_signed out;
	struct sigv4_kv q[MAX_Q];
	char *qmem[2 * MAX_Q];
	char hash[SIGV4_HEX_LEN], host[512];
	const char *h, *path, *qs, *end;
	char *pathmem = NULL;
	size_t nq = 0, nmem = 0, i;
	struct buf line;
	int rc = -1;

	memset(&out, 0, sizeof(out));
	buf_init(&line, 65536);
	h = strstr(url, "://");
	if (h == NULL) {
		snprintf(err, cap, "cannot sign: not a URL");
		goto out;
	}
	h += 3;
	path = h + strcspn(h, "/?");
	if ((size_t)(path - h) >= sizeof(host)) {
		snprintf(err, cap, "cannot sign: host too long");
		goto out;
	}
	memcpy(host, h, (size_t)(path - h));
	host[path - h] = '\0';
	qs = strchr(path, '?');
	end = qs ? qs : path + strlen(path);
	pathmem = xstrndup(*path == '/' ? path : "/", *path == '/' ?
	    (size_t)(end - path) : 1);
	if (qs != NULL) {
		const char *p = qs + 1;

		while (*p != '\0' && nq < MAX_Q) {
			size_t l = strcspn(p, "&"), kl = strcspn(p, "=&");

			if (l > 0) {
				qmem[nmem] = pct_decode(p, kl);
				q[nq].name = qmem[nmem++];
				qmem[nmem] = kl < l ? pct_decode(p + kl + 1,
				    l - kl - 1) : xstrdup("");
				q[nq].value = qmem[nmem++];
				nq++;
			}
			p += l + (p[l] == '&');
		}
	}
	if (hs->creds.get(hs->creds.arg, &rq.creds, err, cap) != 0)
		goto out;
	if (sigv4_sha256_hex(body, n, hash) != 0) {
		snprintf(err, cap, "cannot hash the request body");
		goto out;
	}
	rq.method = method;
	rq.host = host;
	rq.path = pathmem;
	rq.query = q;
	rq.nquery = nq;
	rq.headers = NULL;
	rq.nheaders = 0;
	rq.payload_hash = hash;
	rq.region = hs->region;
	rq.service = hs->service;
	rq.when = time(NULL);
	rq.s3_path = 0;
	rq.path_encoded = 1;
	rq.content_sha256 = content_sha256;
	if (sigv4_sign(&rq, &out) != 0) {
		snprintf(err, cap, "cannot sign the request: %s",
		    out.error ? out.error : "unknown error");
		goto out;
	}
	for (i = 0; i < out.nadd; i++) {
		buf_reset(&line);
		buf_printf(&line, "%s: %s", out.add[i].name, out.add[i].value);
		buf_add(&line, "", 1);
		*headers = curl_slist_append(*headers, line.p);
		explicit_bzero(line.p, line.len);
	}
	rc = 0;
out:
	sigv4_signed_free(&out);
	for (i = 0; i < nmem; i++)
		free(qmem[i]);
	free(pathmem);
	buf_free(&line);
	return rc;
}
