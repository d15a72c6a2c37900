/*
 * s3event.c: the S3 ObjectCreated notification for one object.  See
 * s3event.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "aws/s3event.h"
#include "util/xalloc.h"

size_t
s3event_form_encode(const char *s, char *out, size_t cap)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e[3];
		size_t n = 1;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '*' || c == '/')
			e[0] = (char)c;
		else if (c == ' ')
			e[0] = '+';
		else {
			e[0] = '%';
			e[1] = hx[c >> 4];
			e[2] = hx[c & 15];
			n = 3;
		}
		if (o + n < cap)
			memcpy(out + o, e, n);
		o += n;
	}
	if (cap > 0)
		out[o < cap ? o : cap - 1] = '\0';
	return o;
}

char *
s3event_created(const struct s3event_object *o)
{
	char when[40], seq[40], rid[40], arn[128 + 16], *key, *etag, *out;
	time_t secs;
	struct tm tm;
	size_t n, el;
	json_t *rec, *s3, *root;

	if (o->bucket == NULL || o->key == NULL)
		return NULL;
	secs = (time_t)(o->when_ms / 1000);
	gmtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03dZ",
	    (int)(o->when_ms % 1000));
	/* Hex, growing with time then the sequence, as S3's sequencers do. */
	snprintf(seq, sizeof(seq), "%012" PRIX64 "%08" PRIX64,
	    (uint64_t)o->when_ms, o->sequence & 0xffffffffu);
	snprintf(rid, sizeof(rid), "ELBSHIP%09" PRIX64, o->sequence);
	snprintf(arn, sizeof(arn), "arn:aws:s3:::%s", o->bucket);
	n = s3event_form_encode(o->key, NULL, 0);
	key = xmalloc(n + 1);
	s3event_form_encode(o->key, key, n + 1);
	/* ETags come quoted from S3's listings; notifications carry none. */
	etag = xstrdup(o->etag ? o->etag : "");
	el = strlen(etag);
	if (el >= 2 && etag[0] == '"' && etag[el - 1] == '"') {
		memmove(etag, etag + 1, el - 2);
		etag[el - 2] = '\0';
	}
	s3 = json_pack("{s:s, s:s, s:{s:s, s:{s:s}, s:s}, s:{s:s, s:I, s:s, "
	    "s:s}}",
	    "s3SchemaVersion", "1.0", "configurationId", "elbship-enqueue",
	    "bucket", "name", o->bucket, "ownerIdentity", "principalId",
	    "elbship", "arn", arn,
	    "object", "key", key, "size", (json_int_t)o->size, "eTag", etag,
	    "sequencer", seq);
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s}, "
	    "s:{s:s, s:s}, s:o}",
	    "eventVersion", "2.1", "eventSource", "aws:s3",
	    "awsRegion", o->region ? o->region : "", "eventTime", when,
	    "eventName", "ObjectCreated:Put",
	    "userIdentity", "principalId", "elbship",
	    "requestParameters", "sourceIPAddress", "127.0.0.1",
	    "responseElements", "x-amz-request-id", rid, "x-amz-id-2", seq,
	    "s3", s3);
	root = json_pack("{s:[o]}", "Records", rec);
	out = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(root);
	free(key);
	free(etag);
	return out;
}
