/*
 * fuzz_events.c: libFuzzer target for the Lambda event parser
 * (src/lambda/events.c): the input is an invocation payload (S3
 * notification, SQS, SNS, EventBridge, s3:TestEvent, or anything else).
 *
 * events_parse() runs on a copy of exactly the input's size, with an error
 * buffer of exactly 512 bytes (the size lambda.c gives it), so ASan catches
 * a read or write past either.  Beyond "no crash, no sanitizer report, no
 * leak", on both return values events_free() must leave the batch empty
 * (no objects, no messages, NULL arrays, zero counts) and a second
 * events_free() must be harmless.  On success:
 *
 *   - kind is one of enum event_kind;
 *   - every object has a bucket and a key, and its msg is -1 or an index
 *     into msgs (lambda.c indexes msg_failed[] with it);
 *   - EVK_SQS: every message has a non-empty id (an empty messageId fails
 *     the whole batch, as an empty itemIdentifier would), and an error, if
 *     any, says something; any other kind has no messages and every
 *     object's msg is -1; EVK_TEST has no objects; EVK_EVENTBRIDGE is one
 *     event, so one object or one ignored;
 *   - every bucket is some "name" string of the payload (or of an SQS body
 *     or SNS Message in it) and every key some "key" string there, as is
 *     (EventBridge) or form-decoded in full (S3): a key cut short, as a
 *     "%00" in an S3 key would be by the C string, matches neither.
 *
 * On failure the error is a NUL-terminated, non-empty string inside the
 * buffer.  The same input parsed again gives the same result, field by
 * field; parsed with a 16-byte error buffer it gives the same result and
 * the first 15 bytes of the error.
 *
 * events_form_decode() runs on a NUL-terminated copy of the input (cut at
 * its first NUL) of exactly its size and must give what ref_decode() does:
 * '+' -> space, '%' and two hex digits -> that byte, anything else (an
 * invalid escape too) as is, and never more bytes than it was given.  The
 * comparison is on the bytes up to the reference length, so a "%00" that
 * decodes to a NUL inside the result is compared, not cut off.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lambda/events.h"

#define ERR_CAP 512	/* lambda.c's perr[] */
#define SMALL_CAP 16
#define WALK_DEPTH 8	/* more than events.c's MAX_DEPTH ever reaches */

/* Strings of the payload, nested bodies included, that may name objects. */
struct seen {
	const char **keys, **names;
	size_t nkeys, nnames;
	json_t **docs;		/* the nested JSON parsed, kept until the end */
	size_t ndocs;
};

static const uint8_t *in_data;	/* the input, for fail() */
static size_t in_size;

static void
fail(const char *what, const char *got)
{
	fprintf(stderr, "fuzz_events: %s\n", what);
	if (got != NULL)
		fprintf(stderr, "got: \"%s\"\n", got);
	fprintf(stderr, "input (%zu bytes): %.*s\n", in_size,
	    (int)(in_size > 4096 ? 4096 : in_size), (const char *)in_data);
	abort();
}

static void *
grow(void *p, size_t n, size_t size)
{
	p = realloc(p, (n + 1) * size);
	if (p == NULL)
		abort();
	return p;
}

/*
 * walk(v, member, depth, s): collect the "key" and "name" strings under
 * ${v} (${member} is the name ${v} has in its object, or NULL), parsing the
 * "body" and "Message" strings as JSON the way events.c does (jansson, no
 * flags) and walking those too.
 */
static void
walk(json_t *v, const char *member, int depth, struct seen *s)
{
	const char *k;
	json_t *x, *doc;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, k, x)
			walk(x, k, depth, s);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			walk(x, NULL, depth, s);
	} else if (json_is_string(v) && member != NULL) {
		if (strcmp(member, "key") == 0) {
			s->keys = grow(s->keys, s->nkeys, sizeof(*s->keys));
			s->keys[s->nkeys++] = json_string_value(v);
		} else if (strcmp(member, "name") == 0) {
			s->names = grow(s->names, s->nnames, sizeof(*s->names));
			s->names[s->nnames++] = json_string_value(v);
		} else if ((strcmp(member, "body") == 0 ||
		    strcmp(member, "Message") == 0) && depth < WALK_DEPTH &&
		    (doc = json_loads(json_string_value(v), 0, NULL)) != NULL) {
			s->docs = grow(s->docs, s->ndocs, sizeof(*s->docs));
			s->docs[s->ndocs++] = doc;
			walk(doc, NULL, depth + 1, s);
		}
	}
}

static void
seen_free(struct seen *s)
{
	size_t i;

	for (i = 0; i < s->ndocs; i++)
		json_decref(s->docs[i]);
	free(s->docs);
	free(s->keys);
	free(s->names);
	memset(s, 0, sizeof(*s));
}

static int
unhex(char c)
{
	static const char lower[] = "0123456789abcdef", upper[] =
	    "0123456789ABCDEF";
	const char *p;

	if (c == '\0')
		return -1;
	if ((p = strchr(lower, c)) != NULL)
		return (int)(p - lower);
	if ((p = strchr(upper, c)) != NULL)
		return (int)(p - upper);
	return -1;
}

/*
 * ref_decode(s, n, out): the form decoding of the ${n} bytes at ${s} into
 * ${out} (at least ${n} bytes); returns its length, NUL bytes included.
 */
static size_t
ref_decode(const char *s, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < n && unhex(s[i + 1]) >= 0 &&
		    unhex(s[i + 2]) >= 0) {
			out[o++] = (char)(unhex(s[i + 1]) * 16 +
			    unhex(s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	return o;
}

/* ${key} is ${cand} as is, or ${cand} form-decoded, with the same length. */
static int
key_from(const char *key, const char *cand)
{
	size_t n = strlen(cand), kn = strlen(key), dn;
	char *d;
	int same;

	if (kn == n && memcmp(key, cand, n) == 0)
		return 1;
	if (kn > n)
		return 0;	/* decoding never lengthens */
	d = malloc(n + 1);
	if (d == NULL)
		abort();
	dn = ref_decode(cand, n, d);
	same = dn == kn && memcmp(d, key, kn) == 0;
	free(d);
	return same;
}

static void
check_sources(const struct event_batch *b)
{
	struct seen s;
	json_t *root;
	size_t i, j;

	if (b->nobj == 0)
		return;
	memset(&s, 0, sizeof(s));
	root = json_loadb((const char *)in_data, in_size, 0, NULL);
	if (root == NULL)
		fail("events_parse() accepted what jansson does not", NULL);
	walk(root, NULL, 0, &s);
	for (i = 0; i < b->nobj; i++) {
		const struct event_obj *o = &b->objs[i];

		for (j = 0; j < s.nnames; j++)
			if (strcmp(o->bucket, s.names[j]) == 0)
				break;
		if (j == s.nnames)
			fail("an object's bucket is no \"name\" of the payload",
			    o->bucket);
		for (j = 0; j < s.nkeys; j++)
			if (key_from(o->key, s.keys[j]))
				break;
		if (j == s.nkeys)
			fail("an object's key is no \"key\" of the payload, as "
			    "is or decoded in full (cut at a decoded %00?)",
			    o->key);
	}
	json_decref(root);
	seen_free(&s);
}

static void
check_ok(const struct event_batch *b)
{
	size_t i;

	if (b->kind != EVK_S3 && b->kind != EVK_SQS && b->kind != EVK_SNS &&
	    b->kind != EVK_EVENTBRIDGE && b->kind != EVK_TEST)
		fail("kind is not an enum event_kind", NULL);
	if ((b->nobj > 0 && b->objs == NULL) ||
	    (b->nmsg > 0 && b->msgs == NULL))
		fail("a count without its array", NULL);
	for (i = 0; i < b->nobj; i++) {
		const struct event_obj *o = &b->objs[i];

		if (o->bucket == NULL || o->key == NULL)
			fail("an object without bucket or key", NULL);
		if (o->msg != -1 && (o->msg < 0 || (size_t)o->msg >= b->nmsg))
			fail("an object's msg is neither -1 nor a message",
			    NULL);
		if (b->kind != EVK_SQS && o->msg != -1)
			fail("an object outside SQS with a msg", NULL);
	}
	if (b->kind == EVK_SQS) {
		for (i = 0; i < b->nmsg; i++) {
			const struct event_msg *m = &b->msgs[i];

			if (m->id == NULL || m->id[0] == '\0')
				fail("an SQS message without an id", NULL);
			if (m->error != NULL && m->error[0] == '\0')
				fail("an SQS message with an empty error",
				    NULL);
		}
	} else if (b->nmsg != 0 || b->msgs != NULL) {
		fail("messages outside SQS", NULL);
	}
	if (b->kind == EVK_TEST && (b->nobj != 0 || b->tests == 0))
		fail("a test event with objects, or not counted", NULL);
	if (b->kind == EVK_EVENTBRIDGE && b->nobj + b->ignored != 1)
		fail("an EventBridge event is not one object or one ignored",
		    NULL);
	check_sources(b);
}

static void
check_err(const char *err, size_t cap)
{
	if (memchr(err, '\0', cap) == NULL)
		fail("the error is not NUL-terminated in its buffer", NULL);
	if (err[0] == '\0')
		fail("failure with an empty error", NULL);
}

static int
same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
check_same(const struct event_batch *a, const struct event_batch *b)
{
	size_t i;

	if (a->kind != b->kind || a->nobj != b->nobj || a->nmsg != b->nmsg ||
	    a->tests != b->tests || a->ignored != b->ignored)
		fail("parsed twice: different kind or counts", NULL);
	for (i = 0; i < a->nobj; i++)
		if (!same_str(a->objs[i].bucket, b->objs[i].bucket) ||
		    !same_str(a->objs[i].key, b->objs[i].key) ||
		    a->objs[i].size != b->objs[i].size ||
		    a->objs[i].msg != b->objs[i].msg)
			fail("parsed twice: different objects", NULL);
	for (i = 0; i < a->nmsg; i++)
		if (!same_str(a->msgs[i].id, b->msgs[i].id) ||
		    !same_str(a->msgs[i].error, b->msgs[i].error))
			fail("parsed twice: different messages", NULL);
}

/* Free ${b} twice; it must be empty after each. */
static void
check_free(struct event_batch *b)
{
	int pass;

	for (pass = 0; pass < 2; pass++) {
		events_free(b);
		if (b->nobj != 0 || b->nmsg != 0 || b->objs != NULL ||
		    b->msgs != NULL || b->tests != 0 || b->ignored != 0)
			fail(pass == 0 ? "events_free() left the batch "
			    "non-empty" : "a second events_free() changed the "
			    "batch", NULL);
	}
}

static void
check_form(const uint8_t *data, size_t size)
{
	size_t n = strnlen((const char *)data, size), rn;
	char *s = malloc(n + 1), *ref = malloc(n + 1);

	if (s == NULL || ref == NULL)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	rn = ref_decode(s, n, ref);
	events_form_decode(s);
	/* (the NUL at rn is inside the buffer: ASan checks the rest) */
	if (rn > n || strlen(s) > n)
		fail("events_form_decode() lengthened its input", NULL);
	if (s[rn] != '\0' || memcmp(s, ref, rn) != 0)
		fail("events_form_decode() differs from the reference", NULL);
	free(ref);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event_batch a, b;
	char *json, *err, *err2, *small;
	int rc, rc2;

	in_data = data;
	in_size = size;
	json = malloc(size ? size : 1);
	err = malloc(ERR_CAP);
	err2 = malloc(ERR_CAP);
	small = malloc(SMALL_CAP);
	if (json == NULL || err == NULL || err2 == NULL || small == NULL)
		abort();
	memcpy(json, data, size);
	/* Garbage first: events_parse() must set every field and the error. */
	memset(&a, 0xa5, sizeof(a));
	memset(&b, 0x5a, sizeof(b));
	memset(err, 'x', ERR_CAP);
	memset(err2, 'y', ERR_CAP);
	memset(small, 'z', SMALL_CAP);

	rc = events_parse(json, size, &a, err, ERR_CAP);
	if (rc != 0 && rc != -1)
		fail("events_parse() returned neither 0 nor -1", NULL);
	if (rc == 0)
		check_ok(&a);
	else
		check_err(err, ERR_CAP);

	rc2 = events_parse(json, size, &b, err2, ERR_CAP);
	if (rc2 != rc)
		fail("parsed twice: different return values", NULL);
	check_same(&a, &b);
	if (rc != 0 && strcmp(err, err2) != 0)
		fail("parsed twice: different errors", err2);
	check_free(&b);

	/* A short error buffer: the same result, the error cut to fit. */
	rc2 = events_parse(json, size, &b, small, SMALL_CAP);
	if (rc2 != rc)
		fail("a short error buffer changes the return value", NULL);
	check_same(&a, &b);
	if (rc != 0) {
		check_err(small, SMALL_CAP);
		if (strncmp(small, err, SMALL_CAP - 1) != 0 ||
		    strlen(small) != (strlen(err) < SMALL_CAP - 1 ?
		    strlen(err) : SMALL_CAP - 1))
			fail("the error in a short buffer is not the start of "
			    "the full one", small);
	}
	check_free(&b);
	check_free(&a);

	check_form(data, size);
	free(small);
	free(err2);
	free(err);
	free(json);
	return 0;
}
