/*
 * lbtok_diff.h: a differential check of a tokenizer against
 * lbtok_split_ref(), the token-by-token definition, on random lines: both
 * AWS-shaped ones (plain and quoted tokens, spaces inside quotes, `-`,
 * empty tokens, lines longer than a 64-byte window) that the fast path
 * takes, and noisy ones (quotes glued to text, unterminated quotes) that
 * it hands back.  Included by test_lbtok.c (the build's own path, SSE2 on
 * x86-64) and test_lbtok_scalar.c (the portable path, as on arm64).
 */
#ifndef ELBSHIP_LBTOK_DIFF_H
#define ELBSHIP_LBTOK_DIFF_H

#include <stdint.h>
#include <string.h>

typedef int (*lbtok_fn)(const char *, size_t, struct lbtok *, int,
    struct slice *, struct lb_err *);

static uint64_t
diff_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* A random line into buf (at most cap - 1 bytes); returns its length. */
static size_t
diff_line(char *buf, size_t cap, uint64_t *rs, int noisy)
{
	static const char noise[] = "aaaaab  \"\"-,x";
	size_t n = 0, want = (size_t)(diff_rand(rs) % 400);

	if (noisy) {
		while (n < want && n + 1 < cap)
			buf[n++] = noise[diff_rand(rs) % (sizeof(noise) - 1)];
		return n;
	}
	while (n < want && n + 40 < cap) {
		unsigned kind = (unsigned)(diff_rand(rs) % 6), len, i;
		static const char odd[] = "\\\x01\x7f\x80\xc3\xff\t";

		if (noisy == 0 && diff_rand(rs) % 64 == 0) {
			/* now and then a byte JSON or \xHH decoding cares about */
			buf[n++] = odd[diff_rand(rs) % (sizeof(odd) - 1)];
		}

		if (n > 0 || diff_rand(rs) % 8 == 0)
			buf[n++] = ' ';
		len = (unsigned)(diff_rand(rs) % 30);
		if (kind == 0) {
			buf[n++] = '"';
			for (i = 0; i < len; i++)
				buf[n++] = diff_rand(rs) % 5 == 0 ? ' ' : 'q';
			buf[n++] = '"';
		} else if (kind == 1) {
			buf[n++] = '-';
		} else if (kind == 2 && diff_rand(rs) % 4 == 0) {
			/* an empty token: two spaces in a row */
		} else {
			for (i = 0; i < len + 1; i++)
				buf[n++] = (char)('a' + diff_rand(rs) % 26);
		}
	}
	if (diff_rand(rs) % 10 == 0 && n + 1 < cap)
		buf[n++] = ' ';
	return n;
}

/* Run ${fn} and the reference on many lines; 1 if they always agree. */
static int
diff_check(lbtok_fn fn, unsigned lines, char *why, size_t whycap)
{
	char buf[2048];
	struct lbtok a[48], b[48];
	struct slice ra, rb;
	struct lb_err ea, eb;
	uint64_t rs = 42;
	unsigned i;
	int j;

	for (i = 0; i < lines; i++) {
		/* copy into a heap-like exact-size spot so over-reads show */
		size_t n = diff_line(buf, sizeof(buf), &rs, i % 3 == 2);
		int max = 1 + (int)(diff_rand(&rs) % 47);
		int ka, kb;

		memset(a, 0, sizeof(a));
		memset(b, 0, sizeof(b));
		memset(&ea, 0, sizeof(ea));
		memset(&eb, 0, sizeof(eb));
		ka = fn(buf, n, a, max, &ra, &ea);
		kb = lbtok_split_ref(buf, n, b, max, &rb, &eb);
		if (ka != kb || ra.p != rb.p || ra.n != rb.n ||
		    (ka < 0 && (ea.field != eb.field || ea.val.p != eb.val.p))) {
			snprintf(why, whycap, "line %u (max %d): k %d vs %d: %.*s",
			    i, max, ka, kb, (int)n, buf);
			return 0;
		}
		for (j = 0; j < ka; j++) {
			if (a[j].p != b[j].p || a[j].n != b[j].n ||
			    a[j].quoted != b[j].quoted) {
				snprintf(why, whycap, "line %u token %d: %.*s", i,
				    j, (int)n, buf);
				return 0;
			}
		}
	}
	return 1;
}


typedef int (*lbtok_plain_fn)(const char *, size_t, struct lbtok *, int,
    struct slice *, struct lb_err *, int *);

static int
plain_byte(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/*
 * ${fn} agrees with the reference, never says plain when a token's value
 * holds a byte to escape (the rest is the caller's to escape), and says
 * plain for most lines made only of plain bytes and well-formed quotes.
 */
static int
plain_check(lbtok_plain_fn fn, unsigned lines, char *why, size_t whycap)
{
	char buf[2048];
	struct lbtok a[48], b[48];
	struct slice ra, rb;
	struct lb_err ea, eb;
	uint64_t rs = 4242;
	unsigned i, clean = 0, said = 0;
	int j;

	for (i = 0; i < lines; i++) {
		size_t n = diff_line(buf, sizeof(buf), &rs, i % 5 == 4), m;
		int max = i % 2 ? 47 : 1 + (int)(diff_rand(&rs) % 47);
		int ka, kb, plain = -1, allplain = 1, quotes_ok;

		ka = fn(buf, n, a, max, &ra, &ea, &plain);
		kb = lbtok_split_ref(buf, n, b, max, &rb, &eb);
		if (ka != kb || ra.p != rb.p || ra.n != rb.n) {
			snprintf(why, whycap, "line %u: k %d vs %d", i, ka, kb);
			return 0;
		}
		for (j = 0; j < ka; j++)
			for (m = 0; m < a[j].n; m++)
				allplain &= plain_byte((unsigned char)a[j].p[m]);
		if (plain != 0 && plain != 1) {
			snprintf(why, whycap, "line %u: plain not set", i);
			return 0;
		}
		if (plain && (ka < 0 || !allplain)) {
			snprintf(why, whycap, "line %u: plain but a value is not: %.*s",
			    i, (int)n, buf);
			return 0;
		}
		/* A clean line: only what the AWS-shaped generator writes
		 * (no odd byte, which may glue to a quote), no rest. */
		quotes_ok = i % 5 != 4;
		for (m = 0; m < n; m++)
			if (!((buf[m] >= 'a' && buf[m] <= 'z') || buf[m] == ' ' ||
			    buf[m] == '"' || buf[m] == '-'))
				quotes_ok = 0;
		if (quotes_ok && ka >= 0 && ra.p == NULL) {
			clean++;
			said += (unsigned)plain;
		}
	}
	if (clean == 0 || said < clean) {
		snprintf(why, whycap, "plain for %u of %u clean lines", said, clean);
		return 0;
	}
	return 1;
}

typedef int (*lbtok_lead_fn)(const char *, size_t, struct lbtok *, int,
    struct slice *, struct lb_err *, int *);

/*
 * ${fn} (lbtok_split_lead()) agrees with the reference and never counts a
 * token among the plain first ones when its value holds a byte to
 * escape; on lines with a quote glued to text (NLB's list) after plain
 * tokens, it counts some of them.
 */
static int
lead_check(lbtok_lead_fn fn, unsigned lines, char *why, size_t whycap)
{
	char buf[2048];
	struct lbtok a[48], b[48];
	struct slice ra, rb;
	struct lb_err ea, eb;
	uint64_t rs = 4343;
	unsigned i, glued = 0, counted = 0;
	int j;

	for (i = 0; i < lines; i++) {
		size_t n = diff_line(buf, sizeof(buf) - 40, &rs, i % 5 == 4), m;
		int max = i % 2 ? 47 : 1 + (int)(diff_rand(&rs) % 47);
		int ka, kb, np = -1;

		if (i % 3 == 0 && n > 0) {
			/* a glued list after the line's tokens */
			static const char list[] = " \"h2\",\"http/1.1\" x";

			memcpy(buf + n, list, sizeof(list) - 1);
			n += sizeof(list) - 1;
		}
		ka = fn(buf, n, a, max, &ra, &ea, &np);
		kb = lbtok_split_ref(buf, n, b, max, &rb, &eb);
		if (ka != kb || ra.p != rb.p || ra.n != rb.n) {
			snprintf(why, whycap, "line %u: k %d vs %d", i, ka, kb);
			return 0;
		}
		if (ka < 0)
			continue;
		if (np < 0 || np > ka) {
			snprintf(why, whycap, "line %u: nplain %d of %d", i, np,
			    ka);
			return 0;
		}
		for (j = 0; j < np; j++)
			for (m = 0; m < a[j].n; m++)
				if (!plain_byte((unsigned char)a[j].p[m])) {
					snprintf(why, whycap, "line %u: token %d "
					    "of %d plain ones is not: %.*s", i, j,
					    np, (int)n, buf);
					return 0;
				}
		if (i % 3 == 0 && i % 5 != 4 && ka == max && max > 1) {
			glued++;
			counted += np > 0;
		}
	}
	if (glued == 0 || counted * 2 < glued) {
		snprintf(why, whycap, "plain tokens before a glued quote on %u "
		    "of %u lines", counted, glued);
		return 0;
	}
	return 1;
}

#endif
