/*
 * fuzz_ecs.h: what the per-parser fuzz targets (fuzz_alb.c, fuzz_clb.c,
 * fuzz_nlb.c, fuzz_albconn.c) share; each is FUZZ_PARSER_TARGET() below.
 * fuzz_ecs_check() runs the fuzz input through ecs_line()
 * with the log type forced and event.original on, into a buffer of exactly
 * ecs_bound() bytes (so ASan catches any write past the bound), and checks
 * the document:
 *
 *   - it is one JSON object (jansson json_loadb(), which also checks UTF-8),
 *     with no duplicate keys (Elasticsearch rejects those) and no raw newline
 *     (NDJSON is one document per line);
 *   - event.id is the id ecs_line() reported, and log.offset the offset;
 *   - a line its parser rejects becomes an error document (event.kind
 *     pipeline_error with an error.message), and a line it accepts does not;
 *   - event.original gives back a pure-ASCII line exactly.
 *
 * Any failure prints what was wrong and the document, then abort()s, which
 * libFuzzer reports as a crash with the reproducer.
 *
 * The input is cut at its first '\n' and a trailing '\r' dropped, as the
 * pipeline does, and blank lines are skipped: ecs_line()'s contract is one
 * non-blank line without its newline.  The line is copied into a buffer of
 * exactly its length so over-reads past its end are caught too.
 */
#ifndef ELBSHIP_FUZZ_ECS_H
#define ELBSHIP_FUZZ_ECS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "encode/ecs.h"

/* A name AWS's shape would give; its type is overridden by opts.type. */
#define FUZZ_PATH "logs/111122223333_elasticloadbalancing_eu-west-1_" \
	"app.shop-alb.1a2b3c4d5e6f7a8b_20251103T1020Z_10.0.4.17_3kq9zz1p.log.gz"

/*
 * fuzz_known(id): 1 if the known bug ${id} is listed in $FUZZ_KNOWN (a
 * comma-separated list fuzz/run.sh sets; see fuzz/README.md): the check
 * that would find it again is then skipped, so fuzzing gets past it.
 */
static inline int
fuzz_known(const char *id)
{
	const char *k = getenv("FUZZ_KNOWN"), *p;
	size_t n = strlen(id);

	for (p = k; p != NULL && *p != '\0'; p = strchr(p, ',') ?
	    strchr(p, ',') + 1 : NULL)
		if (strncmp(p, id, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/*
 * fuzz_bignum(jerr): 1 if jansson refused a number too large for it (an
 * integer past int64, a real past double) and the known bug "bignum"
 * (decimal fields copied into JSON however many digits they have) is
 * tolerated.
 */
static inline int
fuzz_bignum(const json_error_t *jerr)
{
	return fuzz_known("bignum") && (strstr(jerr->text, "too big") != NULL ||
	    strstr(jerr->text, "overflow") != NULL);
}

static inline void
fuzz_fail(const char *what, const char *doc, size_t n)
{
	fprintf(stderr, "fuzz: %s\ndocument (%zu bytes): %.*s\n", what, n,
	    (int)(n > 65536 ? 65536 : n), doc);
	abort();
}

static inline int
fuzz_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

static inline const char *
fuzz_get_str(json_t *root, const char *obj, const char *key)
{
	json_t *o = json_object_get(root, obj);

	return json_string_value(o ? json_object_get(o, key) : NULL);
}

/*
 * fuzz_ecs_check(type, parse, data, size): run ecs_line() for ${type} on the
 * first line of ${data}; ${parse} runs the type's own parser on that line
 * and returns 1 if it accepts it, 0 if not.
 */
static inline void
fuzz_ecs_check(enum lbtype type, int (*parse)(const char *, size_t),
    const uint8_t *data, size_t size)
{
	static const struct ecs_label labels[] = {
		{ "environment", "fuzz" }, { "team", "caf\xc3\xa9 \"x\"" },
	};
	const char *nl = memchr(data, '\n', size);
	size_t n = nl ? (size_t)(nl - (const char *)data) : size;
	struct ecs_opts opts;
	struct ecs_origin origin = { FUZZ_PATH, NULL, NULL, NULL, 0 };
	struct ecs_result res;
	struct ecs_file *ef;
	json_error_t jerr;
	json_t *root, *ev, *log;
	const char *kind, *s;
	char *line, *out, *end;
	size_t cap, i, len;
	uint64_t offset = size * 7919u;	/* any offset, varied */
	int ascii = 1, parsed_ok;
	char msg[512];

	if (n > 0 && data[n - 1] == '\r')
		n--;
	if (fuzz_blank((const char *)data, n))
		return;
	line = malloc(n);
	if (line == NULL)
		abort();
	memcpy(line, data, n);
	parsed_ok = parse(line, n);

	memset(&opts, 0, sizeof(opts));
	opts.event_original = 1;
	opts.type = type;
	opts.labels = labels;
	opts.nlabels = sizeof(labels) / sizeof(labels[0]);
	ef = ecs_file_new(&opts, &origin);
	if (ef == NULL)
		abort();
	cap = ecs_bound(ef, n);
	out = malloc(cap);
	if (out == NULL)
		abort();
	end = ecs_line(ef, line, n, offset, out, &res);
	len = (size_t)(end - out);
	if (len > cap)
		fuzz_fail("document longer than ecs_bound()", out, cap);
	if (memchr(out, '\n', len) != NULL)
		fuzz_fail("raw newline in the document", out, len);
	if (res.type != type)
		fuzz_fail("ecs_result.type is not the forced type", out, len);

	root = json_loadb(out, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	    &jerr);
	if (root == NULL && fuzz_bignum(&jerr))
		goto out;
	if (root == NULL) {
		snprintf(msg, sizeof(msg), "not valid JSON: %s at byte %d",
		    jerr.text, jerr.position);
		fuzz_fail(msg, out, len);
	}
	if (!json_is_object(root))
		fuzz_fail("document is not a JSON object", out, len);
	ev = json_object_get(root, "event");
	log = json_object_get(root, "log");
	if (!json_is_object(ev) || !json_is_object(log))
		fuzz_fail("no event or log object", out, len);
	s = json_string_value(json_object_get(ev, "id"));
	if (s == NULL || strlen(s) != res.idlen || memcmp(s, res.id, res.idlen))
		fuzz_fail("event.id is not the id ecs_line() reported", out, len);
	if (!json_is_integer(json_object_get(log, "offset")) ||
	    (uint64_t)json_integer_value(json_object_get(log, "offset")) !=
	    offset)
		fuzz_fail("log.offset is not the offset given", out, len);
	if (json_string_value(json_object_get(root, "@timestamp")) == NULL)
		fuzz_fail("no @timestamp", out, len);
	kind = json_string_value(json_object_get(ev, "kind"));
	if (kind == NULL)
		fuzz_fail("no event.kind", out, len);
	if (res.malformed) {
		if (strcmp(kind, "pipeline_error") != 0)
			fuzz_fail("malformed but event.kind is not pipeline_error",
			    out, len);
		if (fuzz_get_str(root, "error", "message") == NULL)
			fuzz_fail("error document without error.message", out,
			    len);
	} else if (strcmp(kind, "event") != 0) {
		fuzz_fail("good line but event.kind is not event", out, len);
	}
	if (!parsed_ok && !res.malformed)
		fuzz_fail("the parser rejects the line, ecs_line() does not",
		    out, len);
	if (parsed_ok && res.malformed)
		fuzz_fail("the parser accepts the line, ecs_line() makes an "
		    "error document", out, len);
	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] >= 0x80)
			ascii = 0;
	s = json_string_value(json_object_get(ev, "original"));
	if (s == NULL)
		fuzz_fail("no event.original with event_original on", out, len);
	if (ascii && (json_string_length(json_object_get(ev, "original")) != n ||
	    memcmp(s, line, n) != 0))
		fuzz_fail("event.original is not the line", out, len);

	json_decref(root);
out:
	free(out);
	ecs_file_free(ef);
	free(line);
}

/*
 * FUZZ_PARSER_TARGET(name, TYPE): the whole libFuzzer target for one parser
 * (name_parse(), name_looks_like(), struct name_rec; TYPE its enum lbtype):
 * the whole input goes to name_parse() and name_looks_like() as one line
 * (newlines and all: a pure parser must take any bytes) in a buffer of
 * exactly its size, a rejected line must say why, then fuzz_ecs_check()
 * runs on its first line.
 */
#define FUZZ_PARSER_TARGET(name, TYPE)					\
static int								\
parse_line(const char *line, size_t n)					\
{									\
	struct name##_rec rec;						\
	struct lb_err err;						\
									\
	return name##_parse(line, n, &rec, &err) == 0;			\
}									\
									\
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);		\
									\
int									\
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)		\
{									\
	struct name##_rec rec;						\
	struct lb_err err;						\
	char *copy;							\
									\
	memset(&err, 0, sizeof(err));					\
	copy = malloc(size ? size : 1);					\
	if (copy == NULL)						\
		abort();						\
	memcpy(copy, data, size);					\
	if (name##_parse(copy, size, &rec, &err) != 0 && err.what == NULL) \
		abort();	/* a rejected line must say why */	\
	(void)name##_looks_like(copy, size);				\
	free(copy);							\
									\
	fuzz_ecs_check(TYPE, parse_line, data, size);			\
	return 0;							\
}

#endif
