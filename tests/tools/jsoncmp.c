/*
 * jsoncmp.c: compare two NDJSON files document by document, field by field,
 * and say what differs as TAP.
 *
 *   jsoncmp [--name CASE] [--todo REASON] [--max-diffs N]
 *           EXPECTED.ndjson ACTUAL.ndjson
 *
 * The Nth non-blank line of EXPECTED is compared with the Nth non-blank
 * line of ACTUAL.  Every leaf (string, number, true/false/null, and empty
 * objects and arrays) is compared by its path, e.g. `aws.elb.target_port[1]`;
 * objects are compared key by key regardless of key order, arrays element
 * by element.  Numbers compare by value (an integer equals a real of the
 * same value: 0.000 == 0) but never equal a string.  ACTUAL is parsed
 * strictly (one JSON text per line, duplicate keys rejected, \u0000
 * allowed as the valid JSON it is), so an encoder that writes a key twice
 * is caught even if the last value is right.
 *
 * Output: one `ok N - CASE:LINE` per matching document; one
 * `not ok N - CASE:LINE: PATH: expected X, got Y` (or `missing field,
 * expected X` / `unexpected field Y`) per difference (with --max-diffs N,
 * only the first N of a document, then one `and K more differences`); for
 * a document only one side has, one `(whole document)` failure, and one
 * more when the document counts differ; finally `# N passed, M failed`.
 * Exit status 1 if anything failed, 2 on a usage or I/O error.
 *
 * --todo REASON marks the case as a known bug: differences are still
 * printed, but as `ok N - ... # TODO REASON` and counted as passed, so the
 * suite stays green while the bug stays visible.  CASE defaults to the
 * EXPECTED path without ".ndjson"; LINE is the line number in EXPECTED
 * (the line number in ACTUAL for a surplus actual document).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

struct cmp {
	const char *name;	/* case name for messages */
	const char *todo;	/* known-bug reason, or NULL */
	int n;			/* TAP test number */
	int passed, failed;
	int ndiff;		/* differences in the current document */
	int max_shown;		/* list at most this many per document, 0: all */
};

/* A growable path string: "a.b[2].c". */
struct path {
	char *s;
	size_t n, cap;
};

/* Make room for ${need} more bytes (and a NUL) in ${p}. */
static void
path_room(struct path *p, size_t need)
{
	if (p->n + need + 1 <= p->cap)
		return;
	p->cap = (p->n + need + 1) * 2;
	if ((p->s = realloc(p->s, p->cap)) == NULL) {
		fprintf(stderr, "jsoncmp: out of memory\n");
		exit(2);
	}
}

/* Append ".key" (or "key" at the top) to ${p}. */
static void
path_key(struct path *p, const char *key)
{
	size_t l = strlen(key);

	path_room(p, l + 1);
	if (p->n > 0)
		p->s[p->n++] = '.';
	memcpy(p->s + p->n, key, l);
	p->n += l;
	p->s[p->n] = '\0';
}

/* Append "[i]" to ${p}. */
static void
path_index(struct path *p, size_t i)
{
	path_room(p, 24);
	p->n += (size_t)snprintf(p->s + p->n, p->cap - p->n, "[%zu]", i);
}

/* Cut ${p} back to ${n} bytes. */
static void
path_cut(struct path *p, size_t n)
{
	p->n = n;
	p->s[n] = '\0';
}

/* Print a value compactly (JSON, for the message). */
static void
print_value(const json_t *v)
{
	char *s;

	if (v == NULL) {
		printf("(nothing)");
		return;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
	printf("%s", s ? s : "(unprintable)");
	free(s);
}

/* One TAP line for a difference at ${path}. */
static void
report(struct cmp *c, int line, const struct path *p, const char *kind,
    const json_t *want, const json_t *got)
{
	c->ndiff++;
	if (c->max_shown > 0 && c->ndiff > c->max_shown)
		return;
	c->n++;
	printf("%sok %d - %s:%d: %s: ", c->todo ? "" : "not ", c->n, c->name,
	    line, p->n ? p->s : "(whole document)");
	if (strcmp(kind, "missing") == 0) {
		printf("missing field, expected ");
		print_value(want);
	} else if (strcmp(kind, "unexpected") == 0) {
		printf("unexpected field ");
		print_value(got);
	} else {
		printf("expected ");
		print_value(want);
		printf(", got ");
		print_value(got);
	}
	if (c->todo)
		printf(" # TODO %s", c->todo);
	printf("\n");
	if (c->todo)
		c->passed++;
	else
		c->failed++;
}

/* Leaves: numbers by value, strings by bytes, the rest by type. */
static int
leaf_equal(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			return json_integer_value(a) == json_integer_value(b);
		return json_number_value(a) == json_number_value(b);
	}
	if (json_typeof(a) != json_typeof(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		    memcmp(json_string_value(a), json_string_value(b),
		    json_string_length(a)) == 0;
	case JSON_OBJECT:
		return json_object_size(a) == 0 && json_object_size(b) == 0;
	case JSON_ARRAY:
		return json_array_size(a) == 0 && json_array_size(b) == 0;
	default:		/* true, false, null */
		return 1;
	}
}

/* Report every leaf under ${v} as missing (want) or unexpected (got). */
static void
report_all(struct cmp *c, int line, struct path *p, const json_t *v,
    int missing)
{
	size_t save = p->n, i;
	const char *key;
	json_t *x;

	if (json_is_object(v) && json_object_size(v) > 0) {
		json_object_foreach((json_t *)v, key, x) {
			path_key(p, key);
			report_all(c, line, p, x, missing);
			path_cut(p, save);
		}
		return;
	}
	if (json_is_array(v) && json_array_size(v) > 0) {
		json_array_foreach(v, i, x) {
			path_index(p, i);
			report_all(c, line, p, x, missing);
			path_cut(p, save);
		}
		return;
	}
	if (missing)
		report(c, line, p, "missing", v, NULL);
	else
		report(c, line, p, "unexpected", NULL, v);
}

static void
compare(struct cmp *c, int line, struct path *p, const json_t *want,
    const json_t *got)
{
	size_t save = p->n, i, nw, ng;
	const char *key;
	json_t *x, *y;

	if (json_is_object(want) && json_is_object(got) &&
	    (json_object_size(want) > 0 || json_object_size(got) > 0)) {
		json_object_foreach((json_t *)want, key, x) {
			path_key(p, key);
			y = json_object_get(got, key);
			if (y == NULL)
				report_all(c, line, p, x, 1);
			else
				compare(c, line, p, x, y);
			path_cut(p, save);
		}
		json_object_foreach((json_t *)got, key, y) {
			if (json_object_get(want, key) != NULL)
				continue;
			path_key(p, key);
			report_all(c, line, p, y, 0);
			path_cut(p, save);
		}
		return;
	}
	if (json_is_array(want) && json_is_array(got) &&
	    (json_array_size(want) > 0 || json_array_size(got) > 0)) {
		nw = json_array_size(want);
		ng = json_array_size(got);
		for (i = 0; i < nw || i < ng; i++) {
			path_index(p, i);
			if (i >= ng)
				report_all(c, line, p, json_array_get(want, i), 1);
			else if (i >= nw)
				report_all(c, line, p, json_array_get(got, i), 0);
			else
				compare(c, line, p, json_array_get(want, i),
				    json_array_get(got, i));
			path_cut(p, save);
		}
		return;
	}
	if (!leaf_equal(want, got))
		report(c, line, p, "differ", want, got);
}

/* The next non-blank line of ${f} (without its newline), or NULL at EOF. */
static char *
next_line(FILE *f, char **buf, size_t *cap, int *lineno, size_t *len)
{
	ssize_t n;
	size_t i;

	while ((n = getline(buf, cap, f)) >= 0) {
		(*lineno)++;
		while (n > 0 && ((*buf)[n - 1] == '\n' || (*buf)[n - 1] == '\r'))
			n--;
		(*buf)[n] = '\0';
		for (i = 0; i < (size_t)n; i++)
			if ((*buf)[i] != ' ' && (*buf)[i] != '\t')
				break;
		if (i < (size_t)n) {
			*len = (size_t)n;
			return *buf;
		}
	}
	return NULL;
}

static json_t *
load(struct cmp *c, const char *which, int line, const char *s, size_t n,
    size_t flags)
{
	json_error_t e;
	json_t *v;

	v = json_loadb(s, n, flags, &e);
	if (v == NULL) {
		c->n++;
		printf("%sok %d - %s:%d: %s line is not valid JSON: %s "
		    "(column %d)%s%s\n", c->todo ? "" : "not ", c->n, c->name,
		    line, which, e.text, e.column, c->todo ? " # TODO " : "",
		    c->todo ? c->todo : "");
		if (c->todo)
			c->passed++;
		else
			c->failed++;
	}
	return v;
}

static FILE *
open_or_die(const char *path)
{
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "jsoncmp: cannot open '%s': %s\n", path,
		    strerror(errno));
		printf("# 0 passed, 1 failed\n");
		exit(2);
	}
	return f;
}

static void usage(void);

/* A small decimal count from the command line. */
static int
count_arg(const char *s)
{
	int v = 0;

	if (*s == '\0')
		usage();
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > 100000)
			usage();
		v = v * 10 + (*s - '0');
	}
	return v;
}

static void
usage(void)
{
	fprintf(stderr, "usage: jsoncmp [--name CASE] [--todo REASON] "
	    "[--max-diffs N] EXPECTED.ndjson ACTUAL.ndjson\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct cmp c = { NULL, NULL, 0, 0, 0, 0, 0 };
	struct path p = { NULL, 0, 0 };
	char *wb = NULL, *ab = NULL, *wl, *al, *defname = NULL;
	size_t wcap = 0, acap = 0, wn = 0, an = 0, l;
	int wline = 0, aline = 0, ndocs_w = 0, ndocs_a = 0, i;
	FILE *fw, *fa;
	json_t *w, *a;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			c.name = argv[++i];
		else if (strcmp(argv[i], "--todo") == 0 && i + 1 < argc)
			c.todo = argv[++i];
		else if (strcmp(argv[i], "--max-diffs") == 0 && i + 1 < argc)
			c.max_shown = count_arg(argv[++i]);
		else
			usage();
	}
	if (argc - i != 2)
		usage();
	if (c.name == NULL) {
		l = strlen(argv[i]);
		defname = strdup(argv[i]);
		if (defname == NULL)
			return 2;
		if (l > 7 && strcmp(defname + l - 7, ".ndjson") == 0)
			defname[l - 7] = '\0';
		c.name = defname;
	}
	fw = open_or_die(argv[i]);
	fa = open_or_die(argv[i + 1]);
	p.cap = 256;
	if ((p.s = malloc(p.cap)) == NULL)
		return 2;

	for (;;) {
		wl = next_line(fw, &wb, &wcap, &wline, &wn);
		al = next_line(fa, &ab, &acap, &aline, &an);
		if (wl == NULL && al == NULL)
			break;
		ndocs_w += wl != NULL;
		ndocs_a += al != NULL;
		p.n = 0;
		p.s[0] = '\0';
		c.ndiff = 0;
		w = wl ? load(&c, "expected", wline, wl, wn, JSON_ALLOW_NUL) :
		    NULL;
		a = al ? load(&c, "actual", aline, al, an,
		    JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES) : NULL;
		if (wl && al && w && a) {
			compare(&c, wline, &p, w, a);
			if (c.max_shown > 0 && c.ndiff > c.max_shown) {
				c.n++;
				printf("%sok %d - %s:%d: and %d more differences"
				    "%s%s\n", c.todo ? "" : "not ", c.n, c.name,
				    wline, c.ndiff - c.max_shown,
				    c.todo ? " # TODO " : "", c.todo ? c.todo : "");
				if (c.todo)
					c.passed++;
				else
					c.failed++;
			}
			if (c.ndiff == 0) {
				c.n++;
				c.passed++;
				printf("ok %d - %s:%d%s%s\n", c.n, c.name, wline,
				    c.todo ? " # TODO passes now: " : "",
				    c.todo ? c.todo : "");
			}
		} else if (wl && w && al == NULL) {
			report(&c, wline, &p, "missing", w, NULL);
		} else if (al && a && wl == NULL) {
			report(&c, aline, &p, "unexpected", NULL, a);
		}
		json_decref(w);
		json_decref(a);
	}
	if (ndocs_w != ndocs_a) {
		c.n++;
		printf("%sok %d - %s: expected %d documents, got %d%s%s\n",
		    c.todo ? "" : "not ", c.n, c.name, ndocs_w, ndocs_a,
		    c.todo ? " # TODO " : "", c.todo ? c.todo : "");
		if (c.todo)
			c.passed++;
		else
			c.failed++;
	}
	printf("# %d passed, %d failed\n", c.passed, c.failed);
	fclose(fw);
	fclose(fa);
	free(wb);
	free(ab);
	free(p.s);
	free(defname);
	return c.failed ? 1 : 0;
}
