/*
 * esindex.c: index patterns.  See esindex.h.
 */
#include <stdio.h>
#include <string.h>

#include "parse/lbtype.h"
#include "sink/esindex.h"

/*
 * The placeholders of an index pattern: {type}, and the document's UTC
 * day or month from its @timestamp, {date} (YYYY.MM.DD) and {month}
 * (YYYY.MM), the names Logstash's %{+YYYY.MM.dd} gives daily indices.
 */
/* The placeholder at ${p} ("{type}", ...): 1 type, 2 date, 3 month, 0 none. */
static int
placeholder(const char *p, size_t *len)
{
	if (strncmp(p, "{type}", 6) == 0)
		return *len = 6, 1;
	if (strncmp(p, "{date}", 6) == 0)
		return *len = 6, 2;
	if (strncmp(p, "{month}", 7) == 0)
		return *len = 7, 3;
	return 0;
}

/*
 * Render ${pattern} for ${type} and the timestamp ${ts} ("YYYY-MM-DD...",
 * or NULL: {date} and {month} are then kept as they are), or with every
 * placeholder as "*" if ${glob}.  Always NUL-terminates (cap > 0).
 */
static void
render(const char *pattern, int type, const char *ts, int glob, char *out,
    size_t cap)
{
	const char *t = lbtype_token((enum lbtype)type);
	size_t o = 0, len;
	char v[16];

	for (; *pattern != '\0' && o + 1 < cap; ) {
		int k = *pattern == '{' ? placeholder(pattern, &len) : 0;
		const char *add = v;
		size_t n;

		if (k == 0 || (k >= 2 && ts == NULL && !glob)) {
			out[o++] = *pattern++;
			continue;
		}
		if (glob)
			add = "*";
		else if (k == 1)
			add = t;
		else {
			const char *d = ts != NULL ? ts : "0000-00-00";

			snprintf(v, sizeof(v), "%.4s.%.2s%s%.2s", d, d + 5,
			    k == 2 ? "." : "", k == 2 ? d + 8 : "");
		}
		n = strlen(add);
		if (n > cap - 1 - o)
			n = cap - 1 - o;
		memcpy(out + o, add, n);
		o += n;
		pattern += len;
	}
	out[o] = '\0';
}

void
es_index_render(const char *pattern, int type, const char *ts, char *out,
    size_t cap)
{
	render(pattern, type, ts, 0, out, cap);
}

void
es_index_name(const char *pattern, enum lbtype type, char *out, size_t cap)
{
	render(pattern, (int)type, NULL, 0, out, cap);
}

void
es_index_glob(const char *pattern, char *out, size_t cap)
{
	render(pattern, 0, NULL, 1, out, cap);
}

int
es_index_dated(const char *pattern)
{
	return strstr(pattern, "{date}") != NULL ||
	    strstr(pattern, "{month}") != NULL;
}

int
es_index_check(const char *pattern, char *err, size_t cap)
{
	char name[300];
	const char *p;
	size_t len, longest = 0;

	if (pattern == NULL || *pattern == '\0') {
		snprintf(err, cap, "the index name is empty");
		return -1;
	}
	if (strlen(pattern) > 200) {
		snprintf(err, cap, "index name pattern '%.40s...' is too long "
		    "(200 bytes at most)", pattern);
		return -1;
	}
	for (p = pattern; *p != '\0'; p++) {
		int k = *p == '{' ? placeholder(p, &len) : 0;

		if (k != 0) {
			/* The longest each becomes: albconn, YYYY.MM.DD, YYYY.MM. */
			longest += k == 1 ? 7 : k == 2 ? 10 : 7;
			p += len - 1;
			continue;
		}
		longest++;
		/* Elasticsearch's rules for index names (MetadataCreateIndexService). */
		if ((*p >= 'A' && *p <= 'Z') || strchr("\\/*?\"<>| ,#:{}", *p) ||
		    (unsigned char)*p < 0x20) {
			snprintf(err, cap, "index name '%s': '%c' is not allowed "
			    "(lowercase; no \\ / * ? \" < > | space , # :; "
			    "placeholders: {type}, {date}, {month})", pattern,
			    (unsigned char)*p < 0x20 ? '?' : *p);
			return -1;
		}
	}
	if (longest > 255) {
		snprintf(err, cap, "index name '%s' can be %zu bytes long once "
		    "its placeholders are filled in; Elasticsearch takes 255 at "
		    "most", pattern, longest);
		return -1;
	}
	es_index_name(pattern, LB_ALB, name, sizeof(name));
	if (strchr("-_+.", name[0]) != NULL) {
		snprintf(err, cap, "index name '%s' must not start with '-', "
		    "'_', '+' or '.'", pattern);
		return -1;
	}
	return 0;
}

int
es_dead_letter_index_check(const char *name, char *err, size_t cap)
{
	if (strchr(name, '{') != NULL) {
		snprintf(err, cap, "dead-letter index '%s': one index, no "
		    "placeholders", name);
		return -1;
	}
	return es_index_check(name, err, cap);
}
