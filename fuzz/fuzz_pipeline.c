/*
 * fuzz_pipeline.c: libFuzzer target for a whole stream: bytes (plain or
 * gzip, sniffed by the pipeline) -> lines -> auto-detected log type ->
 * documents, through pipeline_run() from an in-memory file (memfd).
 *
 * The stream runs twice, on one thread (inline) and on three (a reader and
 * parsers), with --max-line at its minimum (1024) or its default (from a
 * hash of the input), into a sink that checks each batch as it is put:
 *
 *   - its documents are laid out one per line, in order, nothing else;
 *   - each is one JSON object without duplicate keys or raw newlines, whose
 *     event.id and log.offset are the doc's id and offset, and an error
 *     document has an error.message;
 *   - offsets strictly increase; for plain input the line sits at its
 *     offset, starts a line and ends at a newline, "\r\n" or the end;
 *   - the counts add up (lines = docs + blank, malformed counted).
 *
 * Both runs must give the same documents (but for @timestamp, which an
 * error document for a line without a time takes from the clock), counts
 * and status.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <jansson.h>

#include "fuzz_ecs.h"	/* fuzz_known(), fuzz_bignum() */
#include "core/pipeline.h"
#include "decode/gunzip.h"
#include "encode/ecs.h"

struct csink {
	struct sink base;
	const uint8_t *data;	/* the input, when it is plain text */
	size_t size;
	uint64_t docs, malformed;
	int have_last;
	uint64_t last_off;
	uint64_t hash;		/* over every document, in order */
};

static void
fail(const char *what, const char *doc, size_t n)
{
	fprintf(stderr, "fuzz_pipeline: %s\ndocument: %.*s\n", what,
	    (int)(n > 65536 ? 65536 : n), doc ? doc : "");
	abort();
}

/* Check one document of a batch; see the top of the file. */
static void
check_doc(struct csink *s, const struct docbatch *b, const struct docref *d)
{
	const char *json = b->json + d->json, *line = b->lines + d->line;
	const char *err = b->errs ? b->errs + d->err : "";
	size_t n = d->json_len, i;
	json_error_t jerr;
	json_t *root, *ev, *log, *off;
	const char *id, *ts_end;

	if (memchr(json, '\n', n) != NULL)
		fail("raw newline in a document", json, n);
	if (d->idlen != strlen(d->id))
		fail("idlen is not the id's length", json, n);
	root = json_loadb(json, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	    &jerr);
	if (root == NULL && fuzz_bignum(&jerr))
		goto counted;
	if (root == NULL || !json_is_object(root)) {
		fprintf(stderr, "fuzz_pipeline: %s at byte %d\n", jerr.text,
		    jerr.position);
		fail("not a valid JSON object", json, n);
	}
	ev = json_object_get(root, "event");
	log = json_object_get(root, "log");
	id = json_string_value(ev ? json_object_get(ev, "id") : NULL);
	if (id == NULL || strcmp(id, d->id) != 0)
		fail("event.id is not the doc's id", json, n);
	off = log ? json_object_get(log, "offset") : NULL;
	if (!json_is_integer(off) || (uint64_t)json_integer_value(off) !=
	    d->offset)
		fail("log.offset is not the doc's offset", json, n);
	if (d->malformed && json_string_value(json_object_get(
	    json_object_get(root, "error"), "message")) == NULL)
		fail("malformed without error.message", json, n);
	json_decref(root);

	if (s->have_last && d->offset <= s->last_off)
		fail("offsets do not increase", json, n);
	s->have_last = 1;
	s->last_off = d->offset;
	if (s->data != NULL && !(d->malformed && strncmp(err, "line of ",
	    8) == 0)) {
		/* Plain input, not an over-long line: find the line there. */
		uint64_t end = d->offset + d->line_len;

		if (end > s->size || memcmp(s->data + d->offset, line,
		    d->line_len) != 0)
			fail("the line is not at its offset", json, n);
		if (d->offset > 0 && s->data[d->offset - 1] != '\n')
			fail("the offset is not the start of a line", json, n);
		if (end < s->size && s->data[end] != '\n' &&
		    !(s->data[end] == '\r' && (end + 1 == s->size ||
		    s->data[end + 1] == '\n')))
			fail("the line does not end at a newline", json, n);
	}
counted:
	s->docs++;
	if (d->malformed)
		s->malformed++;
	/*
	 * Hash from "event" on: an error document for a line without a time
	 * takes @timestamp from the clock (the name "fuzz.log" has none).
	 */
	ts_end = memmem(json, n, "\",\"event\":{", 11);
	if (ts_end == NULL)
		fail("no event object after @timestamp", json, n);
	for (i = (size_t)(ts_end - json); i < n; i++)
		s->hash = (s->hash ^ (uint8_t)json[i]) * 1099511628211ULL;
	s->hash = (s->hash ^ '\n') * 1099511628211ULL;
}

static int
cs_put(struct sink *sk, const struct docbatch *b)
{
	struct csink *s = (struct csink *)sk;
	size_t i, at = 0;

	if (b->ndocs == 0)
		fail("empty batch", NULL, 0);
	for (i = 0; i < b->ndocs; i++) {
		const struct docref *d = &b->docs[i];

		/* Documents are laid out one per line, in order. */
		if (d->json != at || d->json + d->json_len >= b->json_len ||
		    b->json[d->json + d->json_len] != '\n')
			fail("batch layout: documents are not one per line",
			    b->json, b->json_len);
		at = d->json + d->json_len + 1;
		check_doc(s, b, d);
	}
	if (at != b->json_len)
		fail("batch layout: bytes after the last document", b->json,
		    b->json_len);
	return 0;
}

static int
cs_sync(struct sink *b, struct sink_tally *t)
{
	(void)b;
	(void)t;
	return 0;
}

static void
cs_free(struct sink *b)
{
	(void)b;
}

static const char *
cs_error(const struct sink *b)
{
	(void)b;
	return "no error";
}

static const struct sink_ops csink_ops = {
	.put = cs_put,
	.sync = cs_sync,
	.reset = NULL,
	.free = cs_free,
	.error = cs_error,
};

struct result {
	int rc;
	struct pipeline_stats st;
	uint64_t hash, docs;
};

static void
run(const uint8_t *data, size_t size, int threads, size_t max_line,
    struct result *res)
{
	struct pipeline_opts po = { max_line, threads };
	struct ecs_opts eo;
	struct ecs_origin origin = { "-", NULL, NULL, "fuzz.log", 0 };
	struct ecs_file *ef;
	struct csink s;
	char err[512];
	int fd;

	fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size) ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	memset(&eo, 0, sizeof(eo));
	eo.event_original = (size & 1) != 0;
	ef = ecs_file_new(&eo, &origin);
	memset(&s, 0, sizeof(s));
	s.base.ops = &csink_ops;
	s.hash = 1469598103934665603ULL;
	if (!gunzip_magic(data, size)) {
		s.data = data;
		s.size = size;
	}
	res->rc = pipeline_run(&po, ef, fd, &s.base, NULL, &res->st, err,
	    sizeof(err));
	close(fd);
	ecs_file_free(ef);
	res->hash = s.hash;
	res->docs = s.docs;

	if (res->rc != PIPELINE_OK && res->rc != PIPELINE_EINPUT)
		fail("pipeline_run returned an unexpected code", err, strlen(err));
	if (res->rc == PIPELINE_EINPUT && (err[0] == '\0' || s.data != NULL))
		fail("input error without a message, or on plain input", err,
		    strlen(err));
	if (res->st.docs != s.docs || res->st.malformed != s.malformed ||
	    res->st.lines != res->st.docs + res->st.blank ||
	    res->st.too_long > res->st.malformed)
		fail("the counts do not add up", NULL, 0);
	if (s.data != NULL && (res->st.bytes_in != size ||
	    res->st.bytes_decoded != size))
		fail("plain input: byte counts are not the input size", NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result a, b;
	uint64_t h = 1469598103934665603ULL;
	size_t i, max_line;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211ULL;
	max_line = (h & 2) ? 1024 : 0;
	run(data, size, 1, max_line, &a);
	run(data, size, 3, max_line, &b);
	if (a.rc != b.rc || a.hash != b.hash || a.docs != b.docs ||
	    a.st.lines != b.st.lines || a.st.blank != b.st.blank ||
	    a.st.too_long != b.st.too_long ||
	    a.st.bytes_decoded != b.st.bytes_decoded)
		fail("threads 1 and threads 3 give different results", NULL, 0);
	return 0;
}
