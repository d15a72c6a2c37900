/*
 * s3event.h: the S3 event notification that S3 itself sends to SQS when an
 * object is created, for one object, so that `elbship enqueue` feeds the
 * deployed function exactly what it gets from S3 (src/lambda/events.c
 * reads it back).  Shape: https://docs.aws.amazon.com/AmazonS3/latest/
 * userguide/notification-content-structure.html (event version 2.1):
 *
 *   {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3",
 *    "awsRegion":...,"eventTime":"2025-11-03T10:21:07.512Z",
 *    "eventName":"ObjectCreated:Put","userIdentity":{"principalId":...},
 *    "requestParameters":{"sourceIPAddress":...},"responseElements":{
 *    "x-amz-request-id":...,"x-amz-id-2":...},"s3":{"s3SchemaVersion":"1.0",
 *    "configurationId":"elbship-enqueue","bucket":{"name":...,
 *    "ownerIdentity":{"principalId":...},"arn":"arn:aws:s3:::BUCKET"},
 *    "object":{"key":FORM-ENCODED,"size":N,"eTag":...,"sequencer":...}}}]}
 *
 * The key is form-encoded as S3 does (a space is '+', other bytes but
 * A-Z a-z 0-9 - _ . * and '/' are %XX).  Pure: the caller passes the time.
 */
#ifndef ELBSHIP_S3EVENT_H
#define ELBSHIP_S3EVENT_H

#include <stddef.h>
#include <stdint.h>

struct s3event_object {
	const char *region;		/* the bucket's */
	const char *bucket;
	const char *key;		/* as stored (decoded) */
	uint64_t size;
	const char *etag;		/* with or without quotes; NULL: "" */
	int64_t when_ms;		/* eventTime, Unix ms */
	uint64_t sequence;		/* makes the sequencer and request ids */
};

/**
 * s3event_form_encode(s, out, cap): ${s} form-encoded as S3 notifications
 * carry keys, as snprintf (the full length; at most ${cap} bytes written
 * with the NUL).
 */
size_t s3event_form_encode(const char *s, char *out, size_t cap);

/**
 * s3event_created(o): the notification as a compact JSON string the
 * caller frees; NULL only if ${o} has no bucket or key.
 */
char *s3event_created(const struct s3event_object *o);

#endif
