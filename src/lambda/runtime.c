/*
 * runtime.c: Lambda Runtime API client.  See runtime.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "encode/jsonw.h"
#include "lambda/runtime.h"
#include "util/curlx.h"
#include "util/xalloc.h"

#define EVENT_MAX (16u << 20)	/* Lambda's payload limit is 6 MB */

struct rt {
	char *base;		/* http://host:port/2018-06-01 */
	CURL *c;
	struct buf resp;
};

struct rt *
rt_new(const char *api, char *err, size_t cap)
{
	struct rt *r;

	if (api == NULL || *api == '\0' || strchr(api, '/') != NULL) {
		snprintf(err, cap, "AWS_LAMBDA_RUNTIME_API is not set (or not "
		    "host:port): not running in Lambda?");
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->base = xmalloc(strlen(api) + 32);
	sprintf(r->base, "http://%s/2018-06-01", api);
	r->c = curl_easy_init();
	buf_init(&r->resp, EVENT_MAX);
	if (r->c == NULL) {
		snprintf(err, cap, "curl_easy_init failed");
		rt_free(r);
		return NULL;
	}
	return r;
}

void
rt_free(struct rt *r)
{
	if (r == NULL)
		return;
	if (r->c != NULL)
		curl_easy_cleanup(r->c);
	buf_free(&r->resp);
	free(r->base);
	free(r);
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	return buf_add(arg, p, size * n) == 0 ? size * n : 0;
}

static void
header_value(const char *line, size_t len, const char *name, char *out,
    size_t cap)
{
	size_t nl = strlen(name), vl;
	const char *v;

	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	v = line + nl + 1;
	while (v < line + len && (*v == ' ' || *v == '\t'))
		v++;
	vl = (size_t)(line + len - v);
	while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
		vl--;
	if (vl >= cap)
		vl = cap - 1;
	memcpy(out, v, vl);
	out[vl] = '\0';
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct rt_invocation *inv = arg;
	size_t len = size * n;
	char dl[32] = "";

	header_value(p, len, "Lambda-Runtime-Aws-Request-Id", inv->request_id,
	    sizeof(inv->request_id));
	header_value(p, len, "Lambda-Runtime-Trace-Id", inv->trace_id,
	    sizeof(inv->trace_id));
	header_value(p, len, "Lambda-Runtime-Invoked-Function-Arn",
	    inv->function_arn, sizeof(inv->function_arn));
	header_value(p, len, "Lambda-Runtime-Deadline-Ms", dl, sizeof(dl));
	if (dl[0] != '\0')
		inv->deadline_ms = strtoll(dl, NULL, 10);
	return len;
}

int
rt_next(struct rt *r, struct rt_invocation *inv, char *err, size_t cap)
{
	char url[512];
	long status = 0;
	CURLcode cc;

	inv->request_id[0] = inv->trace_id[0] = inv->function_arn[0] = '\0';
	inv->deadline_ms = 0;
	if (inv->event.max == 0)
		buf_init(&inv->event, EVENT_MAX);
	buf_reset(&inv->event);
	snprintf(url, sizeof(url), "%s/runtime/invocation/next", r->base);
	curl_easy_reset(r->c);
	curl_easy_setopt(r->c, CURLOPT_URL, url);
	curl_easy_setopt(r->c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(r->c, CURLOPT_WRITEDATA, &inv->event);
	curl_easy_setopt(r->c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(r->c, CURLOPT_HEADERDATA, inv);
	/* No timeout: the next event may be hours away. */
	curlx_apply(r->c, &(struct curlx_opts){ .timeout_ms = 0 });
	cc = curl_easy_perform(r->c);
	curl_easy_getinfo(r->c, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK || status != 200) {
		snprintf(err, cap, "runtime API next: %s (HTTP %ld)",
		    cc != CURLE_OK ? curl_easy_strerror(cc) : "unexpected status",
		    status);
		return -1;
	}
	if (inv->request_id[0] == '\0') {
		snprintf(err, cap, "runtime API next: no "
		    "Lambda-Runtime-Aws-Request-Id header");
		return -1;
	}
	return 0;
}

static int
post(struct rt *r, const char *url, const char *type_hdr, const char *body,
    size_t n, char *err, size_t cap)
{
	struct curl_slist *h = NULL;
	long status = 0;
	CURLcode cc;
	char hdr[256];

	curl_easy_reset(r->c);
	buf_reset(&r->resp);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	if (type_hdr != NULL) {
		snprintf(hdr, sizeof(hdr), "Lambda-Runtime-Function-Error-Type: %s",
		    type_hdr);
		h = curl_slist_append(h, hdr);
	}
	curl_easy_setopt(r->c, CURLOPT_URL, url);
	curl_easy_setopt(r->c, CURLOPT_POST, 1L);
	curl_easy_setopt(r->c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(r->c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
	curl_easy_setopt(r->c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(r->c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(r->c, CURLOPT_WRITEDATA, &r->resp);
	curlx_apply(r->c, &(struct curlx_opts){ .timeout_ms = 30000 });
	cc = curl_easy_perform(r->c);
	curl_easy_getinfo(r->c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	if (cc != CURLE_OK || status != 202) {
		snprintf(err, cap, "runtime API post: %s (HTTP %ld)",
		    cc != CURLE_OK ? curl_easy_strerror(cc) : "not accepted",
		    status);
		return -1;
	}
	return 0;
}

int
rt_respond(struct rt *r, const char *id, const char *body, size_t n,
    char *err, size_t cap)
{
	char url[512];

	snprintf(url, sizeof(url), "%s/runtime/invocation/%s/response", r->base,
	    id);
	return post(r, url, NULL, body, n, err, cap);
}

int
rt_error(struct rt *r, const char *id, const char *type, const char *msg,
    char *err, size_t cap)
{
	char url[512];
	size_t need = 6 * (strlen(type) + strlen(msg)) + 64;
	char *body = xmalloc(need), *o = body;
	int rc;

	if (id == NULL)
		snprintf(url, sizeof(url), "%s/runtime/init/error", r->base);
	else
		snprintf(url, sizeof(url), "%s/runtime/invocation/%s/error",
		    r->base, id);
	o = JW(o, "{\"errorMessage\":\"");
	o = jsonw_raw_str(o, slice_make(msg, strlen(msg)));
	o = JW(o, "\",\"errorType\":\"");
	o = jsonw_raw_str(o, slice_make(type, strlen(type)));
	o = JW(o, "\"}");
	rc = post(r, url, type, body, (size_t)(o - body), err, cap);
	free(body);
	return rc;
}
