/*
 * test_lbtok.c: the tokenizer (lbtok.h) and lb_err_format (lberr.h):
 * quoting, quotes glued to text, empty and trailing tokens, the unsplit
 * rest after the last wanted token, unterminated quotes, and the error
 * message text the error documents carry.
 */
#include <string.h>

#include "parse/lberr.h"
#include "parse/lbtok.h"
#include "tap.h"
#include "lbtok_diff.h"

#define MAXT 40

struct split {
	int k;
	struct lbtok tok[MAXT];
	struct slice rest;
	struct lb_err err;
};

static void
split(const char *s, int max, struct split *r)
{
	memset(r, 0, sizeof(*r));
	r->rest.p = "sentinel";
	r->k = lbtok_split(s, strlen(s), r->tok, max, &r->rest, &r->err);
}

/* 1 if token ${i} of ${r} is ${want} (its value) with quoted flag ${q}. */
static int
tok_is(const struct split *r, int i, const char *want, int q)
{
	return i < r->k && r->tok[i].n == strlen(want) &&
	    memcmp(r->tok[i].p, want, r->tok[i].n) == 0 &&
	    (int)r->tok[i].quoted == q;
}

static int
rest_is(const struct split *r, const char *want)
{
	if (want == NULL)
		return r->rest.p == NULL;
	return r->rest.p != NULL && r->rest.n == strlen(want) &&
	    memcmp(r->rest.p, want, r->rest.n) == 0;
}

static void
test_basic(void)
{
	struct split r;

	split("a bb ccc", MAXT, &r);
	ok(r.k == 3 && tok_is(&r, 0, "a", 0) && tok_is(&r, 1, "bb", 0) &&
	    tok_is(&r, 2, "ccc", 0) && rest_is(&r, NULL),
	    "three plain tokens, no rest");

	split("", MAXT, &r);
	ok(r.k == 0 && rest_is(&r, NULL), "empty line: no tokens");

	split("one", MAXT, &r);
	ok(r.k == 1 && tok_is(&r, 0, "one", 0), "one token, no space");

	split("\"GET http://h:80/ HTTP/1.1\" \"curl/8.5.0\" x", MAXT, &r);
	ok(r.k == 3 && tok_is(&r, 0, "GET http://h:80/ HTTP/1.1", 1) &&
	    tok_is(&r, 1, "curl/8.5.0", 1) && tok_is(&r, 2, "x", 0),
	    "quoted tokens keep their spaces, quotes dropped");

	split("\"- - - \" \"-\" - -", MAXT, &r);
	ok(r.k == 4 && tok_is(&r, 0, "- - - ", 1) && tok_is(&r, 1, "-", 1) &&
	    tok_is(&r, 2, "-", 0) && tok_is(&r, 3, "-", 0),
	    "CLB TCP request \"- - - \" keeps its trailing space");

	split("\"a b\"", MAXT, &r);
	ok(r.k == 1 && tok_is(&r, 0, "a b", 1), "a quoted token ends the line");

	split("\"\" x", MAXT, &r);
	ok(r.k == 2 && tok_is(&r, 0, "", 1) && tok_is(&r, 1, "x", 0),
	    "empty quoted token");
	ok(lbtok_value(&r.tok[0]).p == NULL, "empty quoted token is absent");

	split("- \"-\" -x", MAXT, &r);
	ok(lbtok_value(&r.tok[0]).p == NULL && lbtok_value(&r.tok[1]).p == NULL,
	    "- and \"-\" are absent");
	ok(lbtok_value(&r.tok[2]).p != NULL && lbtok_value(&r.tok[2]).n == 2,
	    "-x is a value");
}

static void
test_glued(void)
{
	struct split r;

	/* NLB's alpn_client_preference_list. */
	split("h2 h2 \"h2\",\"http/1.1\" 2025-11-03T10:20:04", MAXT, &r);
	ok(r.k == 4 && tok_is(&r, 2, "\"h2\",\"http/1.1\"", 0) &&
	    tok_is(&r, 3, "2025-11-03T10:20:04", 0),
	    "glued quotes: raw token up to the next space");

	split("x \"h2\",\"http/1.1\",\"http/1.0\"", MAXT, &r);
	ok(r.k == 2 && tok_is(&r, 1, "\"h2\",\"http/1.1\",\"http/1.0\"", 0),
	    "glued quotes at the end of the line");

	split("\"ab\"cd ef", MAXT, &r);
	ok(r.k == 2 && tok_is(&r, 0, "\"ab\"cd", 0) && tok_is(&r, 1, "ef", 0),
	    "quote glued to plain text");

	split("\"a b\"c d", MAXT, &r);
	ok(r.k == 2 && tok_is(&r, 0, "\"a b\"c", 0) && tok_is(&r, 1, "d", 0),
	    "glued token keeps the quoted space");

	split("ab\"c d\"", MAXT, &r);
	ok(r.k == 2 && tok_is(&r, 0, "ab\"c", 0) && tok_is(&r, 1, "d\"", 0),
	    "a quote inside a plain token does not start quoting");

	split("\"h2\",\"http/1.1\" ", MAXT, &r);
	ok(r.k == 2 && tok_is(&r, 0, "\"h2\",\"http/1.1\"", 0) &&
	    tok_is(&r, 1, "", 0), "glued token then a trailing space");
}

static void
test_spaces(void)
{
	struct split r;

	split("a b ", MAXT, &r);
	ok(r.k == 3 && tok_is(&r, 2, "", 0), "trailing space: one empty token");
	ok(lbtok_value(&r.tok[2]).p == NULL, "the empty token is absent");

	split("a  b", MAXT, &r);
	ok(r.k == 3 && tok_is(&r, 1, "", 0) && tok_is(&r, 2, "b", 0),
	    "double space: an empty token between");

	split(" a", MAXT, &r);
	ok(r.k == 2 && tok_is(&r, 0, "", 0) && tok_is(&r, 1, "a", 0),
	    "leading space: an empty first token");

	split("\"a\" ", MAXT, &r);
	ok(r.k == 2 && tok_is(&r, 0, "a", 1) && tok_is(&r, 1, "", 0),
	    "quoted token then a trailing space");

	split(" ", MAXT, &r);
	ok(r.k == 2 && tok_is(&r, 0, "", 0) && tok_is(&r, 1, "", 0),
	    "a single space: two empty tokens");
}

static void
test_rest(void)
{
	struct split r;

	split("a b c d e", 3, &r);
	ok(r.k == 3 && tok_is(&r, 2, "c", 0) && rest_is(&r, "d e"),
	    "more than max: rest is the unsplit remainder");

	split("a b c", 3, &r);
	ok(r.k == 3 && rest_is(&r, NULL), "exactly max: no rest");

	split("a b c ", 3, &r);
	ok(r.k == 3 && rest_is(&r, ""), "max then a trailing space: empty rest");

	split("a \"b c\" \"d e\" f", 2, &r);
	ok(r.k == 2 && tok_is(&r, 1, "b c", 1) && rest_is(&r, "\"d e\" f"),
	    "rest after a quoted token keeps its quotes");

	split("a b \"unterminated", 2, &r);
	ok(r.k == 2 && rest_is(&r, "\"unterminated"),
	    "an unterminated quote in the rest is not an error");

	split("a b", 0, &r);
	ok(r.k == 0 && rest_is(&r, "a b"), "max 0: everything is rest");

	/* Long lines cross the tokenizer's 64-byte windows. */
	{
		char line[400];
		int i, found = 0;

		memset(line, 'x', sizeof(line) - 1);
		line[sizeof(line) - 1] = '\0';
		for (i = 7; i < 390; i += 9)
			line[i] = ' ';
		line[99] = ' ';		/* " x" at 99..100 starts the quote */
		line[100] = '"';
		line[180] = '"';
		line[181] = ' ';
		split(line, MAXT, &r);
		for (i = 0; i < r.k; i++)
			if (r.tok[i].quoted && r.tok[i].p == line + 101 &&
			    r.tok[i].n == 79)
				found++;
		ok(found == 1, "a quoted token across 64-byte windows");
	}
}

static void
test_unterminated(void)
{
	struct split r;
	char msg[256];

	split("a b \"c d", MAXT, &r);
	ok(r.k == -1, "unterminated quote: -1");
	ok(r.err.field == 3, "unterminated quote: field number 3");
	ok(r.err.what != NULL && strcmp(r.err.what,
	    "unterminated quoted field") == 0, "unterminated quote: message");
	ok(r.err.val.p != NULL && r.err.val.n == 4 &&
	    memcmp(r.err.val.p, "\"c d", 4) == 0,
	    "unterminated quote: value from the quote to the end");
	lb_err_format(&r.err, msg, sizeof(msg));
	is_str(msg, "field 3: unterminated quoted field: \"\\x22c d\"",
	    "unterminated quote: formatted");

	split("\"", MAXT, &r);
	ok(r.k == -1 && r.err.field == 1, "a lone quote is unterminated");

	split("a \"b\" \"", MAXT, &r);
	ok(r.k == -1 && r.err.field == 3, "a quote at the very end");
}

static void
test_err_format(void)
{
	struct lb_err e;
	char buf[256], small[16];
	char v[100];
	size_t n;

	lb_err_set(&e, 9, "elb_status_code", "not an integer in range",
	    slice_make("abc", 3));
	n = lb_err_format(&e, buf, sizeof(buf));
	is_str(buf, "field 9 (elb_status_code): not an integer in range: \"abc\"",
	    "format: field, name, what, value");
	ok(n == strlen(buf), "format: returns the length");

	lb_err_set(&e, 0, NULL, "too few fields", SLICE_NONE);
	lb_err_format(&e, buf, sizeof(buf));
	is_str(buf, "too few fields", "format: whole-line error");

	lb_err_set(&e, 4, NULL, "bad", slice_make("x\"y\x01\xff", 5));
	lb_err_format(&e, buf, sizeof(buf));
	is_str(buf, "field 4: bad: \"x\\x22y\\x01\\xFF\"",
	    "format: quote, control and high bytes as \\xHH");

	memset(v, 'v', sizeof(v));
	lb_err_set(&e, 1, "f", "long", slice_make(v, sizeof(v)));
	lb_err_format(&e, buf, sizeof(buf));
	ok(strstr(buf, "...\"") != NULL && strlen(buf) == strlen(
	    "field 1 (f): long: \"\"...") + 64,
	    "format: values over 64 bytes are cut with ...");

	n = lb_err_format(&e, small, sizeof(small));
	ok(n == sizeof(small) - 1 && strlen(small) == sizeof(small) - 1,
	    "format: truncated to the buffer, NUL-terminated");
}

static void
test_differential(void)
{
	char why[600] = "";

	ok(diff_check(lbtok_split, 200000, why, sizeof(why)),
	    "lbtok_split equals lbtok_split_ref on 200000 random lines %s", why);
	ok(plain_check(lbtok_split_plain, 200000, why, sizeof(why)),
	    "lbtok_split_plain: plain only when no value holds a byte to "
	    "escape, and for most clean lines %s", why);
	ok(lead_check(lbtok_split_lead, 200000, why, sizeof(why)),
	    "lbtok_split_lead: the plain first tokens are plain, and counted "
	    "before a glued quote %s", why);
}

/*
 * The tokens before a quote glued to text are taken in the fast path
 * (in the same 64-byte window too), and a split that stops before that
 * token says whether they are plain: NLB splits its first 20 fields so.
 */
static void
test_plain_before_glued(void)
{
	static const char nlb[] = "tls 2.0 2025-11-03T10:00:00.001054Z "
	    "net/edge-nlb/0f1e2d3c4b5a6978 c0ffee12345678ab 20.207.1.76:6236 "
	    "10.2.0.15:443 416131 4 2511 49500 - arn:aws:acm:us-east-1:"
	    "111122223333:certificate/12345678-aaaa-bbbb-cccc-1234567890ab - "
	    "ECDHE-RSA-AES128-GCM-SHA256 tlsv12 - api.example.com h2 h2 "
	    "\"h2\",\"http/1.1\" 2025-11-03T10:00:00";
	struct lbtok t[24];
	char far[100];
	struct lb_err e;
	struct slice rest;
	int k, plain = -1;

	k = lbtok_split_plain(nlb, strlen(nlb), t, 20, &rest, &e, &plain);
	ok(k == 20 && plain == 1 && rest.p != NULL &&
	    rest.n == strlen("\"h2\",\"http/1.1\" 2025-11-03T10:00:00"),
	    "20 tokens before a glued quote: plain, the rest unsplit");
	plain = -1;
	k = lbtok_split_plain(nlb, strlen(nlb), t, 22, &rest, &e, &plain);
	ok(k == 22 && plain == 0 && t[20].n == strlen("\"h2\",\"http/1.1\"") &&
	    t[20].quoted == 0 && rest.p == NULL,
	    "all 22: the glued token raw, the line not plain");
	plain = -1;
	plain = -1;
	k = lbtok_split_lead(nlb, strlen(nlb), t, 22, &rest, &e, &plain);
	ok(k == 22 && plain == 20 && rest.p == NULL,
	    "all 22, split_lead: the 20 before the glued token plain");
	plain = -1;
	k = lbtok_split_plain("a\\b c d", 7, t, 2, &rest, &e, &plain);
	ok(k == 2 && plain == 0, "a backslash in a token: not plain");
	/* The rest is not looked at past the window where the tokens end. */
	memset(far, 'c', sizeof(far));
	memcpy(far, "a b ", 4);
	far[sizeof(far) - 2] = '\\';
	plain = -1;
	k = lbtok_split_plain(far, sizeof(far), t, 2, &rest, &e, &plain);
	ok(k == 2 && plain == 1 && rest.n == sizeof(far) - 4,
	    "a backslash in a later window of the rest: the tokens are plain");
}

int
main(void)
{
	test_plain_before_glued();
	test_differential();
	test_basic();
	test_glued();
	test_spaces();
	test_rest();
	test_unterminated();
	test_err_format();
	return tap_done();
}
