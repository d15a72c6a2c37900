/*
 * test_s3event.c: the notification `elbship enqueue` sends (aws/s3event.h)
 * is read back by the function's event parser (lambda/events.h) as the
 * same bucket, key and size, whatever the key holds; keys are
 * form-encoded as S3 does; the region of an SQS queue URL
 * (aws/sqs.h sqs_url_region).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/s3event.h"
#include "aws/sqs.h"
#include "lambda/events.h"
#include "tap.h"

static void
round_trip(const char *what, const char *key)
{
	struct s3event_object o = { "eu-west-1", "my-logs", key, 48213,
	    "\"0123456789abcdef0123456789abcdef\"", 1762165267512LL, 7 };
	struct event_batch b;
	char err[256], *json = s3event_created(&o);

	memset(&b, 0, sizeof(b));
	ok(json != NULL && events_parse(json, strlen(json), &b, err,
	    sizeof(err)) == 0 && b.nobj == 1 &&
	    strcmp(b.objs[0].bucket, "my-logs") == 0 &&
	    strcmp(b.objs[0].key, key) == 0 && b.objs[0].size == 48213,
	    "round trip through events_parse: %s", what);
	events_free(&b);
	free(json);
}

int
main(void)
{
	struct s3event_object o = { "eu-west-1", "my-logs", "a b/c.log", 5,
	    "\"abc\"", 1762165267512LL, 1 };
	char out[256], *json;

	s3event_form_encode("dir one/é+=%&~*._-x.log", out, sizeof(out));
	is_str(out, "dir+one/%C3%A9%2B%3D%25%26%7E*._-x.log",
	    "form encoding: space +, / kept, the rest %XX");
	is_int(s3event_form_encode("a b", NULL, 0), 3, "length without output");
	json = s3event_created(&o);
	ok(json != NULL && strstr(json, "\"eventTime\":\"2025-11-03T10:21:07.512Z\"")
	    && strstr(json, "\"eventName\":\"ObjectCreated:Put\"") &&
	    strstr(json, "\"key\":\"a+b/c.log\"") &&
	    strstr(json, "\"eTag\":\"abc\"") && strstr(json, "\"size\":5") &&
	    strstr(json, "\"awsRegion\":\"eu-west-1\"") &&
	    strstr(json, "\"arn\":\"arn:aws:s3:::my-logs\""), "the shape S3 sends");
	free(json);
	round_trip("an AWS key", "AWSLogs/111122223333/elasticloadbalancing/x.log.gz");
	round_trip("space, UTF-8, +, =, %", "odd dir/\xc3\xa9+\xc3\xbc=%/x y.log");
	round_trip("escapes as text", "100%25 not escaped/%41+%2B.log");
	round_trip("tab and newline", "tab\tnew\nline.log");

	ok(sqs_url_region("https://sqs.eu-west-1.amazonaws.com/1/q", out,
	    sizeof(out)) == 0 && strcmp(out, "eu-west-1") == 0, "sqs.REGION");
	ok(sqs_url_region("https://ap-southeast-2.queue.amazonaws.com/1/q", out,
	    sizeof(out)) == 0 && strcmp(out, "ap-southeast-2") == 0,
	    "legacy REGION.queue");
	ok(sqs_url_region("https://vpce-0a1b-c2d3.sqs.us-west-2.vpce.amazonaws.com"
	    "/1/q", out, sizeof(out)) == 0 && strcmp(out, "us-west-2") == 0,
	    "VPC endpoint");
	ok(sqs_url_region("https://sqs.cn-north-1.amazonaws.com.cn/1/q", out,
	    sizeof(out)) == 0 && strcmp(out, "cn-north-1") == 0, "China");
	ok(sqs_url_region("http://127.0.0.1:9324/1/q", out, sizeof(out)) != 0 &&
	    sqs_url_region("https://sqs.example.com/1/q", out, sizeof(out)) != 0,
	    "other hosts name no region");
	return tap_done();
}
