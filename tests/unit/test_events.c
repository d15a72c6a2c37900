/*
 * test_events.c: edge cases of the Lambda event parser (events.h) that
 * fuzz/fuzz_events.c taught; every envelope end to end is in
 * tests/lambda/run.sh.  A "%00" in an S3 key (a NUL byte once decoded,
 * where the C string key would end) is refused, not cut short; the form
 * decoding keeps invalid escapes; EventBridge keys stay as they are;
 * objects point at their SQS message; errors fit their buffer.
 */
#include <stdio.h>
#include <string.h>

#include "lambda/events.h"
#include "tap.h"

/* An S3 notification: one ObjectCreated record, ${key} form-encoded. */
#define S3EV(key) "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":" \
	"\"aws:s3\",\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":" \
	"{\"name\":\"logs\"},\"object\":{\"key\":\"" key "\",\"size\":7}}}]}"
/* The same, quoted as a JSON string (an SQS body, an SNS Message). */
#define S3EV_Q(key) "{\\\"Records\\\":[{\\\"eventSource\\\":\\\"aws:s3\\\"," \
	"\\\"eventName\\\":\\\"ObjectCreated:Put\\\",\\\"s3\\\":{" \
	"\\\"bucket\\\":{\\\"name\\\":\\\"logs\\\"},\\\"object\\\":{" \
	"\\\"key\\\":\\\"" key "\\\"}}}]}"
#define SQSREC(id, body) "{\"messageId\":\"" id "\",\"eventSource\":" \
	"\"aws:sqs\",\"body\":\"" body "\"}"

static struct event_batch ev;
static char err[512];

static int
parse(const char *json)
{
	events_free(&ev);
	memset(err, 0, sizeof(err));
	return events_parse(json, strlen(json), &ev, err, sizeof(err));
}

/* ${s} quoted into a JSON string at ${out}; returns its end. */
static char *
quote(const char *s, char *out)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			*out++ = '\\';
		*out++ = *s;
	}
	*out = '\0';
	return out;
}

/* An SQS event whose body is ${n} SNS envelopes around "{}". */
static const char *
deep_sqs(int n)
{
	static char a[4096], b[4096];
	char *o;

	snprintf(a, sizeof(a), "{}");
	while (n-- > 0) {
		o = b + sprintf(b, "{\"Type\":\"Notification\",\"Message\":\"");
		strcpy(quote(a, o), "\"}");
		strcpy(a, b);
	}
	o = b + sprintf(b, "{\"Records\":[{\"messageId\":\"m1\","
	    "\"eventSource\":\"aws:sqs\",\"body\":\"");
	strcpy(quote(a, o), "\"}]}");
	return b;
}

/* ${json} parses to exactly one object, key ${key}. */
static void
key_is(const char *json, const char *key, const char *what)
{
	int rc = parse(json);

	ok(rc == 0 && ev.nobj == 1 && strcmp(ev.objs[0].key, key) == 0,
	    "%s: key '%s'", what, key);
}

static void
form_is(const char *in, const char *want)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s", in);
	events_form_decode(buf);
	is_str(buf, want, "form decode '%s'", in);
}

static void
test_nul_keys(void)
{
	/* Found by fuzz_events: "a%00b.log" came back as the key "a". */
	ok(parse(S3EV("a%00b.log")) == -1 && strstr(err, "%00") != NULL,
	    "S3 key with %%00: refused, saying why (%s)", err);
	ok(parse(S3EV("logs/x.log%00")) == -1,
	    "S3 key ending in %%00: refused");
	ok(parse(S3EV("a%%00b")) == -1, "S3 key '%%%%00' (a '%%' then a NUL): "
	    "refused");
	key_is(S3EV("a%2500b"), "a%00b", "S3 key %2500 (a literal '%00')");
	/* In SQS the message fails, not the batch; nothing to ship from it. */
	ok(parse("{\"Records\":[" SQSREC("m1", S3EV_Q("x%00.log")) ","
	    SQSREC("m2", S3EV_Q("y.log")) "]}") == 0 && ev.kind == EVK_SQS &&
	    ev.nmsg == 2 && ev.msgs[0].error != NULL &&
	    strstr(ev.msgs[0].error, "%00") != NULL && ev.msgs[1].error == NULL,
	    "SQS body with a %%00 key: that message fails, the other not");
	ok(ev.nobj == 1 && ev.objs[0].msg == 1 &&
	    strcmp(ev.objs[0].key, "y.log") == 0,
	    "SQS: only the other message's object, pointing at it");
}

static void
test_form(void)
{
	form_is("a+b%2Bc", "a b+c");
	form_is("%C3%a9", "\xc3\xa9");
	form_is("%zz%4%", "%zz%4%");
	form_is("%%41", "%A");
	form_is("100%", "100%");
	form_is("", "");
	key_is(S3EV("odd+dir/%C3%A9%3D%25/x.log"), "odd dir/\xc3\xa9=%/x.log",
	    "S3 key form-decoded");
}

static void
test_eventbridge(void)
{
	static const char eb[] = "{\"source\":\"aws.s3\",\"detail-type\":"
	    "\"Object Created\",\"detail\":{\"bucket\":{\"name\":\"logs\"},"
	    "\"object\":{\"key\":\"a+b%20c%00.log\",\"size\":9}}}";

	key_is(eb, "a+b%20c%00.log", "EventBridge key as is ('+', %20, %00)");
	ok(ev.kind == EVK_EVENTBRIDGE && ev.objs[0].msg == -1 &&
	    ev.objs[0].size == 9 && ev.nmsg == 0, "EventBridge: kind, size, "
	    "no message");
	ok(parse("{\"source\":\"aws.s3\",\"detail-type\":\"Object Deleted\","
	    "\"detail\":{}}") == 0 && ev.nobj == 0 && ev.ignored == 1,
	    "EventBridge Object Deleted: ignored");
}

static void
test_envelopes(void)
{
	const char *msg;
	int rc;

	ok(parse("{\"Event\":\"s3:TestEvent\"}") == 0 && ev.kind == EVK_TEST &&
	    ev.tests == 1 && ev.nobj == 0, "s3:TestEvent: kind test, counted");
	ok(parse("{\"Records\":[" SQSREC("m1", "{\\\"Event\\\":"
	    "\\\"s3:TestEvent\\\"}") "]}") == 0 && ev.kind == EVK_SQS &&
	    ev.tests == 1 && ev.nmsg == 1 && ev.msgs[0].error == NULL,
	    "s3:TestEvent in SQS: counted, the message fine");
	ok(parse("{\"Records\":[{\"eventSource\":\"aws:sqs\",\"messageId\":"
	    "\"\",\"body\":\"{}\"}]}") == -1 &&
	    strstr(err, "messageId") != NULL,
	    "SQS record with an empty messageId: the batch fails");
	ok(parse("{\"Records\":[" SQSREC("m1", "not json") "]}") == 0 &&
	    ev.nmsg == 1 && ev.msgs[0].error != NULL && ev.nobj == 0,
	    "SQS body not JSON: that message's error");
	ok(parse("{\"Records\":[{\"EventSource\":\"aws:sns\",\"Sns\":"
	    "{\"Message\":\"" S3EV_Q("s.log") "\"}}]}") == 0 &&
	    ev.kind == EVK_SNS && ev.nobj == 1 && ev.objs[0].msg == -1,
	    "SNS direct: kind sns, no message index");
	ok(parse("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":"
	    "\"ObjectRemoved:Delete\"}]}") == 0 && ev.nobj == 0 &&
	    ev.ignored == 1, "ObjectRemoved: ignored, counted");
	key_is("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":"
	    "\"ObjectCreated:Copy\",\"s3\":{\"bucket\":{\"name\":\"b\"},"
	    "\"object\":{\"key\":\"k\",\"size\":\"123\"}}}]}", "k",
	    "size as a string");
	ok(ev.objs[0].size == 123, "size as a string: read");
	ok(parse("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventVersion\":"
	    "\"3.0\",\"eventName\":\"ObjectCreated:Put\"}]}") == -1 &&
	    strstr(err, "3.0") != NULL, "eventVersion 3.0: refused");
	ok(parse("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventVersion\":"
	    "\"21.0\",\"eventName\":\"ObjectCreated:Put\"}]}") == -1,
	    "eventVersion 21.0: refused (not 2.x)");
	ok(parse("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventVersion\":"
	    "\"3.0\",\"eventName\":\"ObjectRemoved:Delete\"}]}") == 0 &&
	    ev.nobj == 0 && ev.ignored == 1,
	    "eventVersion 3.0, not ObjectCreated: skipped like any other");
	/*
	 * SQS -> SNS -> SNS -> SNS -> {} is past MAX_DEPTH (4).  (Parsed
	 * first: ok()'s arguments may be evaluated in any order.)
	 */
	rc = parse(deep_sqs(3));
	msg = ev.nmsg == 1 && ev.msgs[0].error ? ev.msgs[0].error : "none";
	ok(rc == 0 && ev.nmsg == 1 && strstr(msg, "deep") != NULL,
	    "envelopes nested too deep: that message's error (%s)", msg);
	rc = parse(deep_sqs(2));
	msg = ev.nmsg == 1 && ev.msgs[0].error ? ev.msgs[0].error : "none";
	ok(rc == 0 && ev.nmsg == 1 && strstr(msg, "(none)") != NULL,
	    "one level less: read down to the {} (%s)", msg);
}

/* ELB's ELBAccessLogTestFile: skipped in every envelope, counted as a test. */
static void
test_elb_test_file(void)
{
	ok(parse(S3EV("AWSLogs/111122223333/ELBAccessLogTestFile")) == 0 &&
	    ev.kind == EVK_S3 && ev.nobj == 0 && ev.tests == 1,
	    "S3: ELBAccessLogTestFile skipped, counted as a test");
	ok(parse(S3EV("prod/AWSLogs/111122223333/ELBAccessLog%54estFile")) == 0 &&
	    ev.nobj == 0 && ev.tests == 1,
	    "S3: judged after form decoding");
	ok(parse("{\"Records\":[" SQSREC("m1", S3EV_Q("AWSLogs/1/ELBAccessLogTestFile"))
	    "," SQSREC("m2", S3EV_Q("AWSLogs/1/x.log")) "]}") == 0 &&
	    ev.kind == EVK_SQS && ev.nmsg == 2 && ev.msgs[0].error == NULL &&
	    ev.tests == 1 && ev.nobj == 1 && ev.objs[0].msg == 1,
	    "SQS: its message fine and without objects, the other one's object kept");
	ok(parse("{\"source\":\"aws.s3\",\"detail-type\":\"Object Created\","
	    "\"detail\":{\"bucket\":{\"name\":\"logs\"},\"object\":{\"key\":"
	    "\"AWSLogs/1/ELBAccessLogTestFile\"}}}") == 0 && ev.nobj == 0 &&
	    ev.tests == 1, "EventBridge: skipped, counted");
	key_is(S3EV("AWSLogs/1/ELBAccessLogTestFile.log"),
	    "AWSLogs/1/ELBAccessLogTestFile.log", "a longer name is an object");
}

static void
test_errors(void)
{
	char small[8];
	struct event_batch b;

	ok(parse("{\"Records\":[") == -1 && strstr(err, "not JSON") != NULL,
	    "truncated JSON: not JSON");
	ok(parse("[]") == -1 && strstr(err, "array") != NULL, "an array: "
	    "named (%s)", err);
	ok(parse("{}") == -1 && strstr(err, "(none)") != NULL, "{}: no keys "
	    "(%s)", err);
	ok(parse("{\"foo\":1,\"bar\":{}}") == -1 &&
	    strstr(err, "foo, bar") != NULL, "unknown object: its keys (%s)",
	    err);
	memset(small, 'x', sizeof(small));
	ok(events_parse("{}", 2, &b, small, sizeof(small)) == -1 &&
	    memchr(small, '\0', sizeof(small)) != NULL &&
	    strlen(small) == sizeof(small) - 1, "a short error buffer: the "
	    "error cut to fit");
	events_free(&b);
	events_free(&b);
	ok(b.nobj == 0 && b.nmsg == 0 && b.objs == NULL && b.msgs == NULL,
	    "events_free() twice: empty");
}

int
main(void)
{
	memset(&ev, 0, sizeof(ev));
	test_nul_keys();
	test_form();
	test_eventbridge();
	test_envelopes();
	test_elb_test_file();
	test_errors();
	events_free(&ev);
	return tap_done();
}
