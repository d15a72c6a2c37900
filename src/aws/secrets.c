/*
 * secrets.c: Secrets Manager GetSecretValue and SSM GetParameter (JSON 1.1
 * protocol, SigV4).  See secrets.h.
 *
 * Docs: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 *       https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "aws/secrets.h"
#include "util/buf.h"
#include "util/curlx.h"
#include "util/xalloc.h"

int
aws_secret_is_ref(const char *s)
{
	return strncmp(s, "arn:aws", 7) == 0 || strncmp(s, "ssm:", 4) == 0 ||
	    s[0] == '/';
}

static size_t
to_buf(char *p, size_t size, size_t n, void *arg)
{
	return buf_add(arg, p, size * n) == 0 ? size * n : 0;
}

/* The 4th ':'-separated field of an ARN (the region), into out. */
static void
arn_region(const char *arn, char *out, size_t cap)
{
	const char *p = arn;
	int i;

	out[0] = '\0';
	for (i = 0; i < 3 && p != NULL; i++) {
		p = strchr(p, ':');
		if (p != NULL)
			p++;
	}
	if (p != NULL) {
		size_t l = strcspn(p, ":");

		if (l > 0 && l < cap) {
			memcpy(out, p, l);
			out[l] = '\0';
		}
	}
}

int
aws_secret_fetch(const char *ref, const char *region,
    const struct httpsign_creds *creds, char **out, char *err, size_t cap)
{
	struct httpsign hs;
	struct buf body, resp, url;
	struct curl_slist *h = NULL;
	char reg[64], *id = NULL, *key = NULL;
	const char *svc, *target, *ep, *v = NULL;
	json_t *req = NULL, *js = NULL, *inner = NULL;
	long status = 0;
	CURLcode cc;
	CURL *c = NULL;
	int sm, rc = -1;

	*out = NULL;
	buf_init(&body, 1 << 16);
	buf_init(&resp, 1 << 20);
	buf_init(&url, 4096);
	sm = strncmp(ref, "arn:aws", 7) == 0 && strstr(ref, ":secretsmanager:");
	if (sm) {
		const char *hash = strchr(ref, '#');

		id = hash ? xstrndup(ref, (size_t)(hash - ref)) : xstrdup(ref);
		key = hash ? xstrdup(hash + 1) : NULL;
	} else if (strncmp(ref, "arn:aws", 7) == 0 && strstr(ref, ":ssm:") &&
	    strstr(ref, ":parameter") != NULL) {
		/* SSM takes the ARN, or the name; the ARN works across accounts. */
		id = xstrdup(ref);
	} else if (strncmp(ref, "ssm:", 4) == 0) {
		id = xstrdup(ref + 4);
	} else if (ref[0] == '/') {
		id = xstrdup(ref);
	} else {
		snprintf(err, cap, "'%s' is not a Secrets Manager or SSM "
		    "parameter reference", ref);
		goto out;
	}
	if (strncmp(ref, "arn:", 4) == 0)
		arn_region(ref, reg, sizeof(reg));
	else
		reg[0] = '\0';
	if (reg[0] == '\0') {
		if (region == NULL) {
			snprintf(err, cap, "%s: no AWS region to read it from", ref);
			goto out;
		}
		snprintf(reg, sizeof(reg), "%s", region);
	}
	svc = sm ? "secretsmanager" : "ssm";
	target = sm ? "X-Amz-Target: secretsmanager.GetSecretValue" :
	    "X-Amz-Target: AmazonSSM.GetParameter";
	ep = getenv(sm ? "AWS_ENDPOINT_URL_SECRETS_MANAGER" :
	    "AWS_ENDPOINT_URL_SSM");
	if (ep != NULL && *ep != '\0')
		buf_printf(&url, "%s/", ep);
	else
		buf_printf(&url, "https://%s.%s.amazonaws.com/", svc, reg);
	buf_add(&url, "", 1);
	req = sm ? json_pack("{s:s}", "SecretId", id) :
	    json_pack("{s:s,s:b}", "Name", id, "WithDecryption", 1);
	{
		char *s = json_dumps(req, JSON_COMPACT);

		buf_adds(&body, s);
		free(s);
	}
	hs.region = reg;
	hs.service = svc;
	hs.creds = *creds;
	h = curl_slist_append(h, "Content-Type: application/x-amz-json-1.1");
	h = curl_slist_append(h, target);
	if (httpsign_sign(&hs, "POST", url.p, body.p, body.len, 0, &h, err,
	    cap) != 0)
		goto out;
	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url.p);
	curlx_apply(c, &(struct curlx_opts){ .timeout_ms = 10000 });
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.p);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_buf);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK) {
		snprintf(err, cap, "%s: %s", ref, curl_easy_strerror(cc));
		goto out;
	}
	js = json_loadb(resp.p ? resp.p : "", resp.len, 0, NULL);
	if (status != 200) {
		const char *t = json_string_value(json_object_get(js, "__type"));
		const char *m = json_string_value(json_object_get(js, "message"));

		if (m == NULL)
			m = json_string_value(json_object_get(js, "Message"));
		/* First line only: AWS adds the canonical request on a bad
		 * signature. */
		snprintf(err, cap, "%s: HTTP %ld %s%s%.*s", ref, status,
		    t ? t : "", m ? ": " : "", m ? (int)strcspn(m, "\r\n") : 0,
		    m ? m : "");
		goto out;
	}
	v = sm ? json_string_value(json_object_get(js, "SecretString")) :
	    json_string_value(json_object_get(json_object_get(js, "Parameter"),
	    "Value"));
	if (v == NULL) {
		snprintf(err, cap, "%s: no %s in the answer (binary secrets are "
		    "not supported)", ref, sm ? "SecretString" : "Parameter.Value");
		goto out;
	}
	if (key != NULL) {
		inner = json_loads(v, 0, NULL);
		v = json_string_value(json_object_get(inner, key));
		if (v == NULL) {
			snprintf(err, cap, "%s: the secret is not a JSON object with "
			    "a string \"%s\"", ref, key);
			goto out;
		}
	}
	*out = xstrdup(v);
	rc = 0;
out:
	if (c != NULL)
		curl_easy_cleanup(c);
	curl_slist_free_all(h);
	json_decref(req);
	json_decref(js);
	json_decref(inner);
	if (resp.p != NULL)
		explicit_bzero(resp.p, resp.len);
	buf_free(&body);
	buf_free(&resp);
	buf_free(&url);
	free(id);
	free(key);
	return rc;
}
