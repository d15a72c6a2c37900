/*
 * events.h: what a Lambda invocation asks elbship to ship.
 *
 * Every way S3 can tell a function about a new object is understood:
 *
 *   S3 notification      {"Records":[{"eventSource":"aws:s3",...}]}   all records
 *   SQS                  {"Records":[{"eventSource":"aws:sqs","body":"<...>"}]}
 *                        where body is an S3 notification, an SNS envelope
 *                        (raw delivery off) or an EventBridge event
 *   SNS                  {"Records":[{"EventSource":"aws:sns","Sns":{"Message":"<S3>"}}]}
 *   EventBridge          {"source":"aws.s3","detail-type":"Object Created",...}
 *   s3:TestEvent         acknowledged and skipped (at any level)
 *   ELBAccessLogTestFile the object ELB writes when access logging is
 *                        turned on (lbname_is_test_file()): skipped in
 *                        every envelope and counted in ${tests} too
 *
 * Keys in S3 notifications are form-encoded (a space arrives as '+'):
 * they are decoded.  EventBridge keys are taken as they are (AWS does not
 * document an encoding for them; the tests pin that behaviour).  Events
 * other than ObjectCreated (ObjectRemoved, ...) are skipped and counted.
 * Anything else is an error naming what was received (its top-level keys).
 */
#ifndef ELBSHIP_EVENTS_H
#define ELBSHIP_EVENTS_H

#include <stddef.h>
#include <stdint.h>

enum event_kind { EVK_S3, EVK_SQS, EVK_SNS, EVK_EVENTBRIDGE, EVK_TEST };

struct event_obj {
	char *bucket;
	char *key;		/* decoded */
	uint64_t size;		/* 0 if not given */
	int msg;		/* index of its SQS message, or -1 */
};

struct event_msg {
	char *id;		/* SQS messageId */
	char *error;		/* why the message could not be read, or NULL */
};

struct event_batch {
	enum event_kind kind;
	struct event_obj *objs;
	size_t nobj;
	struct event_msg *msgs;	/* SQS only */
	size_t nmsg;
	unsigned tests;		/* s3:TestEvent or ELBAccessLogTestFile seen */
	unsigned ignored;	/* records that are not ObjectCreated */
};

/**
 * events_parse(json, n, out, err, cap): read the invocation payload ${json}
 * into ${out}.  Returns 0, or -1 with a message when the payload as a whole
 * cannot be understood (an SQS message that cannot be read does not fail
 * the batch: it is recorded in out->msgs[i].error).  Free with
 * events_free() in both cases.
 */
int events_parse(const char *json, size_t n, struct event_batch *out,
    char *err, size_t cap);

/** events_free(b): free what ${b} holds; ${b} is then empty. */
void events_free(struct event_batch *b);

/**
 * events_form_decode(s): decode application/x-www-form-urlencoded ${s} in
 * place ('+' -> space, %XX -> byte); invalid escapes are kept as they are.
 */
void events_form_decode(char *s);

#endif
