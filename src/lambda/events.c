/*
 * events.c: unwrap S3 / SQS / SNS / EventBridge envelopes.  See events.h.
 *
 * Sources: https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 *          https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 *          https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lambda/events.h"
#include "parse/lbname.h"
#include "util/hex.h"
#include "util/xalloc.h"

#define MAX_DEPTH 4	/* SQS -> SNS -> S3 is three levels */

void
events_form_decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		int hi = *s == '%' ? hex_value((unsigned char)s[1]) : -1;
		int lo = hi >= 0 ? hex_value((unsigned char)s[2]) : -1;

		if (*s == '+') {
			*o++ = ' ';
		} else if (lo >= 0) {
			*o++ = (char)(hi << 4 | lo);
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/*
 * The object ${bucket}/${key} (form-decoded first if ${decode}), unless it
 * is ELB's ELBAccessLogTestFile: that one is counted with the
 * s3:TestEvents and skipped, whatever the notification's suffix filter let
 * through.
 */
static void
add_obj(struct event_batch *b, const char *bucket, const char *key,
    uint64_t size, int msg, int decode)
{
	struct event_obj *o;
	char *k = xstrdup(key);

	if (decode)
		events_form_decode(k);
	if (lbname_is_test_file(k, strlen(k))) {
		free(k);
		b->tests++;
		return;
	}
	b->objs = xrealloc(b->objs, (b->nobj + 1) * sizeof(*b->objs));
	o = &b->objs[b->nobj++];
	o->bucket = xstrdup(bucket);
	o->key = k;
	o->size = size;
	o->msg = msg;
}

/* "top-level keys: a, b, c" (or the JSON type) for error messages. */
static void
describe(json_t *v, char *out, size_t cap)
{
	const char *k;
	json_t *x;
	size_t l = 0;
	int first = 1;

	if (!json_is_object(v)) {
		snprintf(out, cap, "a JSON %s, not an object",
		    json_is_array(v) ? "array" : json_is_string(v) ? "string" :
		    "value");
		return;
	}
	l = (size_t)snprintf(out, cap, "an object with keys: ");
	json_object_foreach(v, k, x) {
		if (l >= cap)
			break;
		l += (size_t)snprintf(out + l, cap - l, "%s%s", first ? "" : ", ",
		    k);
		first = 0;
	}
	if (first && l < cap)
		snprintf(out + l, cap - l, "(none)");
}

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int parse_value(json_t *v, struct event_batch *b, int msg, int depth,
    char *err, size_t cap);

/* A JSON string holding JSON (SQS body, SNS Message). */
static int
parse_string(const char *s, struct event_batch *b, int msg, int depth,
    const char *what, char *err, size_t cap)
{
	json_error_t je;
	json_t *v;
	int rc;

	if (s == NULL) {
		snprintf(err, cap, "%s is missing or not a string", what);
		return -1;
	}
	v = json_loads(s, 0, &je);
	if (v == NULL) {
		snprintf(err, cap, "%s is not JSON: %s", what, je.text);
		return -1;
	}
	rc = parse_value(v, b, msg, depth + 1, err, cap);
	json_decref(v);
	return rc;
}

static int
s3_record(json_t *r, struct event_batch *b, int msg, char *err, size_t cap)
{
	const char *name = str(r, "eventName");
	const char *ver = str(r, "eventVersion");
	json_t *s3 = json_object_get(r, "s3");
	const char *bucket = str(json_object_get(s3, "bucket"), "name");
	json_t *obj = json_object_get(s3, "object");
	const char *key = str(obj, "key");
	json_t *size = json_object_get(obj, "size");

	/* Other events (removals, restores, ...) are skipped, whatever version. */
	if (name == NULL || strncmp(name, "ObjectCreated:", 14) != 0) {
		b->ignored++;
		return 0;
	}
	if (ver != NULL && (ver[0] != '2' || (ver[1] != '\0' && ver[1] != '.'))) {
		snprintf(err, cap, "S3 event version %s is not supported "
		    "(want 2.x)", ver);
		return -1;
	}
	if (bucket == NULL || key == NULL) {
		snprintf(err, cap, "S3 record without s3.bucket.name or "
		    "s3.object.key");
		return -1;
	}
	/*
	 * "%00" decodes to a NUL byte, where the C string key would end: the
	 * object fetched would be another one (or none).  The key is a C
	 * string all the way to the S3 request, so such a key is refused.
	 * ('%' is not a hex digit, so events_form_decode() starts an escape
	 * at every '%': any "%00" in the key is one.)
	 */
	if (strstr(key, "%00") != NULL) {
		snprintf(err, cap, "S3 key %.200s holds %%00 (a NUL byte once "
		    "decoded): not supported", key);
		return -1;
	}
	add_obj(b, bucket, key, json_is_integer(size) ?
	    (uint64_t)json_integer_value(size) : json_is_string(size) ?
	    strtoull(json_string_value(size), NULL, 10) : 0, msg, 1);
	return 0;
}

static int
eventbridge(json_t *v, struct event_batch *b, int msg, char *err, size_t cap)
{
	const char *dt = str(v, "detail-type");
	json_t *d = json_object_get(v, "detail");
	const char *bucket = str(json_object_get(d, "bucket"), "name");
	json_t *obj = json_object_get(d, "object");
	const char *key = str(obj, "key");
	json_t *size = json_object_get(obj, "size");

	if (dt == NULL || strcmp(dt, "Object Created") != 0) {
		b->ignored++;
		return 0;
	}
	if (bucket == NULL || key == NULL) {
		snprintf(err, cap, "EventBridge Object Created event without "
		    "detail.bucket.name or detail.object.key");
		return -1;
	}
	add_obj(b, bucket, key, json_is_integer(size) ?
	    (uint64_t)json_integer_value(size) : 0, msg, 0);
	return 0;
}

static int
sqs_records(json_t *recs, struct event_batch *b, char *err, size_t cap)
{
	size_t i;
	json_t *r;

	b->kind = EVK_SQS;
	json_array_foreach(recs, i, r) {
		const char *id = str(r, "messageId");
		struct event_msg *m;
		char merr[512];

		b->msgs = xrealloc(b->msgs, (b->nmsg + 1) * sizeof(*b->msgs));
		m = &b->msgs[b->nmsg];
		m->id = xstrdup(id ? id : "");
		m->error = NULL;
		b->nmsg++;
		if (id == NULL || *id == '\0') {
			/* An empty itemIdentifier fails the whole batch. */
			snprintf(err, cap, "SQS record %zu has no messageId", i);
			return -1;
		}
		if (parse_string(str(r, "body"), b, (int)(b->nmsg - 1), 1,
		    "the SQS message body", merr, sizeof(merr)) != 0)
			m->error = xstrdup(merr);
	}
	return 0;
}

static int
parse_value(json_t *v, struct event_batch *b, int msg, int depth, char *err,
    size_t cap)
{
	json_t *recs, *r0;
	const char *src;
	char what[300];
	size_t i;
	json_t *r;

	if (depth > MAX_DEPTH) {
		snprintf(err, cap, "envelopes nested too deep");
		return -1;
	}
	if (!json_is_object(v)) {
		describe(v, what, sizeof(what));
		snprintf(err, cap, "not an S3, SQS, SNS or EventBridge event: "
		    "got %s", what);
		return -1;
	}
	/* s3:TestEvent, as sent when notifications are configured. */
	if ((src = str(v, "Event")) != NULL && strcmp(src, "s3:TestEvent") == 0) {
		b->tests++;
		if (depth == 0)
			b->kind = EVK_TEST;
		return 0;
	}
	/* EventBridge */
	if ((src = str(v, "source")) != NULL && strcmp(src, "aws.s3") == 0 &&
	    json_object_get(v, "detail") != NULL) {
		if (depth == 0)
			b->kind = EVK_EVENTBRIDGE;
		return eventbridge(v, b, msg, err, cap);
	}
	/* SNS envelope as an SQS body (Type: Notification, Message). */
	if ((src = str(v, "Type")) != NULL && strcmp(src, "Notification") == 0 &&
	    json_object_get(v, "Message") != NULL)
		return parse_string(str(v, "Message"), b, msg, depth,
		    "the SNS Message", err, cap);
	recs = json_object_get(v, "Records");
	if (!json_is_array(recs)) {
		describe(v, what, sizeof(what));
		snprintf(err, cap, "not an S3, SQS, SNS or EventBridge event: "
		    "got %s", what);
		return -1;
	}
	if (json_array_size(recs) == 0)
		return 0;
	r0 = json_array_get(recs, 0);
	src = str(r0, "eventSource");
	if (src != NULL && strcmp(src, "aws:sqs") == 0 && depth == 0)
		return sqs_records(recs, b, err, cap);
	if (depth == 0)
		b->kind = EVK_S3;
	json_array_foreach(recs, i, r) {
		const char *es = str(r, "eventSource");
		const char *sns = str(r, "EventSource");

		if (es != NULL && strcmp(es, "aws:s3") == 0) {
			if (s3_record(r, b, msg, err, cap) != 0)
				return -1;
		} else if (sns != NULL && strcmp(sns, "aws:sns") == 0) {
			if (depth == 0)
				b->kind = EVK_SNS;
			if (parse_string(str(json_object_get(r, "Sns"), "Message"),
			    b, msg, depth, "the SNS Message", err, cap) != 0)
				return -1;
		} else {
			describe(r, what, sizeof(what));
			snprintf(err, cap, "record %zu is not from S3, SQS or SNS: "
			    "got %s", i, what);
			return -1;
		}
	}
	return 0;
}

int
events_parse(const char *json, size_t n, struct event_batch *out, char *err,
    size_t cap)
{
	json_error_t je;
	json_t *v;
	int rc;

	memset(out, 0, sizeof(*out));
	v = json_loadb(json, n, 0, &je);
	if (v == NULL) {
		snprintf(err, cap, "the event is not JSON: %s (line %d)", je.text,
		    je.line);
		return -1;
	}
	rc = parse_value(v, out, -1, 0, err, cap);
	json_decref(v);
	return rc;
}

void
events_free(struct event_batch *b)
{
	size_t i;

	for (i = 0; i < b->nobj; i++) {
		free(b->objs[i].bucket);
		free(b->objs[i].key);
	}
	for (i = 0; i < b->nmsg; i++) {
		free(b->msgs[i].id);
		free(b->msgs[i].error);
	}
	free(b->objs);
	free(b->msgs);
	memset(b, 0, sizeof(*b));
}
