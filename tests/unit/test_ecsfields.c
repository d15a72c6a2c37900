/*
 * test_ecsfields.c: the fields the ECS encoder writes to match Elastic's
 * AWS integration (docs/fields.md), value by value on crafted lines:
 *
 * - url.extension: the last path segment's extension, ECS's rule (no
 *   extension from a directory name, a trailing dot or the query);
 * - aws.elb.backend.port and aws.elb.matched_rule_priority as strings
 *   (keyword in the integration);
 * - NLB alpn_client_preference_list as a list, quotes (plain or escaped)
 *   taken off, nothing for an empty one;
 * - the connection log's client.ip and client.port beside source.*;
 * - every document within ecs_bound() (the encoders write without bounds
 *   checks), also for a long path and a long preference list.
 *
 * The golden tests (tests/golden) hold whole documents; this holds the
 * edge cases of these rules.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "encode/ecs.h"
#include "tap.h"

static const char alb_head[] =
    "https 2025-11-03T10:15:00.339563Z app/shop-alb/1a2b3c4d5e6f7a8b "
    "198.51.100.13:5771 10.1.2.3:8080 0.001 0.366 0.000 200 200 243 31744 "
    "\"GET ";
static const char alb_tail[] =
    " HTTP/1.1\" \"curl/8.5.0\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 "
    "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/tg/0123 "
    "\"Root=1-6908c200-6b0d549b6f03675a1600a35a\" \"shop.example.com\" "
    "\"-\" 7 2025-11-03T10:15:00.000000Z \"forward\" \"-\" \"-\" "
    "\"10.1.2.3:8080\" \"200\" \"-\" \"-\"";

static const char nlb_head[] =
    "tls 2.0 2025-11-03T10:20:00.006657Z net/edge-nlb/0f1e2d3c4b5a6978 "
    "c0ffee12345678ab 198.51.100.112:49860 10.2.0.15:443 472 5 776 11548 - "
    "- - ECDHE-RSA-AES128-GCM-SHA256 tlsv13 - api.example.com h2 h2 ";
static const char nlb_tail[] = " 2025-11-03T10:20:00";

/* The document elbship writes for ${line}; checks it fits ecs_bound(). */
static json_t *
encode(const char *line)
{
	struct ecs_opts o;
	struct ecs_origin org = { "t.log", NULL, NULL, NULL, 0 };
	struct ecs_result res;
	struct ecs_file *f;
	size_t n = strlen(line), bound;
	char *buf, *end;
	json_t *doc;

	memset(&o, 0, sizeof(o));
	o.event_original = 1;
	f = ecs_file_new(&o, &org);
	bound = ecs_bound(f, n);
	buf = malloc(bound);
	if (f == NULL || buf == NULL)
		abort();
	end = ecs_line(f, line, n, 0, buf, &res);
	ok((size_t)(end - buf) <= bound, "document within ecs_bound (%zu <= %zu)",
	    (size_t)(end - buf), bound);
	doc = json_loadb(buf, (size_t)(end - buf), 0, NULL);
	if (doc == NULL)
		printf("# not JSON: %.*s\n", (int)(end - buf), buf);
	free(buf);
	ecs_file_free(f);
	return doc;
}

static json_t *
get(json_t *doc, const char *path)
{
	char seg[128];
	const char *p = path;

	while (doc != NULL && *p != '\0') {
		size_t n = strcspn(p, ".");

		snprintf(seg, sizeof(seg), "%.*s", (int)n, p);
		doc = json_object_get(doc, seg);
		p += n;
		if (*p == '.')
			p++;
	}
	return doc;
}

static json_t *
alb(const char *url)
{
	char line[8192];

	snprintf(line, sizeof(line), "%s%s%s", alb_head, url, alb_tail);
	return encode(line);
}

static void
extension(const char *url, const char *want)
{
	json_t *d = alb(url);
	json_t *e = get(d, "url.extension");

	if (want == NULL)
		ok(d != NULL && e == NULL, "%s: no url.extension", url);
	else
		ok(e != NULL && strcmp(json_string_value(e), want) == 0,
		    "%s: url.extension %s (got %s)", url, want,
		    e ? json_string_value(e) : "none");
	json_decref(d);
}

static void
test_extension(void)
{
	char url[3000];

	extension("https://shop.example.com:443/static/app.3f2a.js", "js");
	extension("https://shop.example.com:443/index.html?x=a.b", "html");
	extension("https://shop.example.com:443/a.tar.gz", "gz");
	extension("/relative/file.CSS", "CSS");
	extension("https://shop.example.com:443/v1.2/users", NULL);
	extension("https://shop.example.com:443/dir.d/", NULL);
	extension("https://shop.example.com:443/file.", NULL);
	extension("https://shop.example.com:443/", NULL);
	extension("https://shop.example.com:443/search?q=a.b", NULL);
	extension("https://shop.example.com:443/.htaccess", "htaccess");
	extension("https://shop.example.com:443/caf\\xC3\\xA9.t\\xC3\\xA9", "t\xc3\xa9");
	memset(url, 'a', sizeof(url));
	memcpy(url, "/x.", 3);
	url[sizeof(url) - 1] = '\0';
	extension(url, url + 3);
}

static void
test_keyword_numbers(void)
{
	json_t *d = alb("https://shop.example.com:443/");

	ok(json_is_string(get(d, "aws.elb.backend.port")) &&
	    strcmp(json_string_value(get(d, "aws.elb.backend.port")), "8080") ==
	    0, "ALB aws.elb.backend.port is the string \"8080\"");
	ok(json_is_string(get(d, "aws.elb.matched_rule_priority")) &&
	    strcmp(json_string_value(get(d, "aws.elb.matched_rule_priority")),
	    "7") == 0, "aws.elb.matched_rule_priority is the string \"7\"");
	ok(json_is_integer(get(d, "source.port")) &&
	    json_is_integer(get(d, "http.response.status_code")),
	    "ECS numbers stay numbers (source.port, status_code)");
	json_decref(d);
}

static void
alpn(const char *logged, const char *want_json)
{
	char line[8192];
	json_t *d, *want, *have;

	snprintf(line, sizeof(line), "%s%s%s", nlb_head, logged, nlb_tail);
	d = encode(line);
	have = get(d, "aws.elb.alpn_client_preference_list");
	want = want_json ? json_loads(want_json, 0, NULL) : NULL;
	if (want == NULL)
		ok(d != NULL && have == NULL, "alpn %s: absent", logged);
	else
		ok(have != NULL && json_equal(have, want), "alpn %s -> %s",
		    logged, want_json);
	ok(json_is_string(get(d, "aws.elb.backend.port")),
	    "NLB aws.elb.backend.port is a string");
	json_decref(want);
	json_decref(d);
}

static void
test_alpn(void)
{
	char list[6000];
	size_t i;

	alpn("\"h2\",\"http/1.1\"", "[\"h2\",\"http/1.1\"]");
	alpn("\"h2\",\"http/1.1\",\"http/1.0\"",
	    "[\"h2\",\"http/1.1\",\"http/1.0\"]");
	alpn("\\\"http/1.1\\\"", "[\"http/1.1\"]");
	alpn("h2", "[\"h2\"]");
	alpn("-", NULL);
	alpn("\"\"", NULL);
	alpn("\"\",\"h2\"", "[\"h2\"]");
	alpn("\"h2%2C\"", "[\"h2%2C\"]");
	/* A long list of one-byte elements: the most output per input byte. */
	for (i = 0; i + 2 < sizeof(list); i += 2) {
		list[i] = '"';
		list[i + 1] = ',';
	}
	list[i] = '\0';
	alpn(list, NULL);
}

static void
test_conn_client(void)
{
	json_t *d = encode("2025-11-03T10:15:00.609831Z 198.51.100.40 57909 443 "
	    "TLSv1.3 TLS_AES_128_GCM_SHA256 0.029 \"-\" - - Success "
	    "TID_52c602e2bdf2e0778dc1a43ea97f65bd X25519MLKEM768 "
	    "app/shop-alb/1a2b3c4d5e6f7a8b 10.0.4.17");

	ok(json_is_string(get(d, "client.ip")) &&
	    strcmp(json_string_value(get(d, "client.ip")), "198.51.100.40") == 0,
	    "connection log: client.ip");
	ok(json_integer_value(get(d, "client.port")) == 57909,
	    "connection log: client.port");
	ok(json_is_string(get(d, "source.ip")) &&
	    json_integer_value(get(d, "source.port")) == 57909,
	    "connection log: source.* too");
	ok(get(d, "client.address") == NULL, "no client.address (Elastic has "
	    "none)");
	json_decref(d);
	d = alb("https://shop.example.com:443/");
	ok(d != NULL && get(d, "client") == NULL,
	    "access logs: no client.* (source.* only, as Elastic)");
	json_decref(d);
}

int
main(void)
{
	test_extension();
	test_keyword_numbers();
	test_alpn();
	test_conn_client();
	return tap_done();
}
