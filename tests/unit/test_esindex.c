/*
 * test_esindex.c: index patterns of the Elasticsearch sink (esindex.h):
 * {type}, and {date} / {month} for dated indices; the glob setup uses;
 * the name checks that turn a bad --es-index into a settings error.
 * (Where each document lands is proven end to end in tests/delivery.)
 */
#include <string.h>

#include "sink/esindex.h"
#include "tap.h"

static void
name_is(const char *pattern, enum lbtype t, const char *want)
{
	char out[300];

	es_index_name(pattern, t, out, sizeof(out));
	is_str(out, want, "name('%s') = '%s'", pattern, want);
}

static void
glob_is(const char *pattern, const char *want)
{
	char out[300];

	es_index_glob(pattern, out, sizeof(out));
	is_str(out, want, "glob('%s') = '%s'", pattern, want);
}

static void
check_is(const char *pattern, int want, const char *needle)
{
	char err[300] = "";
	int rc = es_index_check(pattern, err, sizeof(err));

	ok(rc == want && (needle == NULL || strstr(err, needle) != NULL),
	    "check('%s') = %d%s%s (got %d: %s)", pattern, want,
	    needle ? ", says " : "", needle ? needle : "", rc, err);
}

int
main(void)
{
	char small[8];

	name_is("logs-elb.{type}-default", LB_ALB, "logs-elb.alb-default");
	name_is("logs-elb.{type}-default", LB_ALBCONN, "logs-elb.albconn-default");
	name_is("logs-elb.{type}-default", LB_UNKNOWN, "logs-elb.unknown-default");
	name_is("elb-{type}-{date}", LB_CLB, "elb-clb-{date}");
	name_is("plain", LB_NLB, "plain");
	name_is("{type}-{type}", LB_NLB, "nlb-nlb");
	name_is("x-{typo}", LB_NLB, "x-{typo}");
	es_index_name("abcdefghij-{type}", LB_ALB, small, sizeof(small));
	is_str(small, "abcdefg", "a name is cut to the buffer, NUL-terminated");

	glob_is("elb-{type}-{date}", "elb-*-*");
	glob_is("elb-{month}", "elb-*");
	glob_is("logs-elb.{type}-default", "logs-elb.*-default");

	ok(es_index_dated("elb-{type}-{date}"), "{date} is dated");
	ok(es_index_dated("elb-{month}"), "{month} is dated");
	ok(!es_index_dated("logs-elb.{type}-default"), "{type} alone is not");

	check_is("logs-elb.{type}-default", 0, NULL);
	check_is("elb-{type}-{date}", 0, NULL);
	check_is("elb-{type}-{month}", 0, NULL);
	check_is("my_index.v2+x", 0, NULL);
	check_is("", -1, "empty");
	check_is("Elb", -1, "'E' is not allowed");
	check_is("elb logs", -1, "' ' is not allowed");
	check_is("elb,logs", -1, "',' is not allowed");
	check_is("elb*", -1, "'*' is not allowed");
	check_is("elb:x", -1, "':' is not allowed");
	check_is("elb-{typo}", -1, "'{' is not allowed");
	check_is("elb-{date", -1, "'{' is not allowed");
	check_is("-elb", -1, "must not start");
	check_is("_elb", -1, "must not start");
	check_is(".elb", -1, "must not start");
	check_is("elb\x01", -1, "'?' is not allowed");
	{
		char big[260];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		check_is(big, -1, "too long");
	}
	{
		/* 1 + 33 x 6 + 1 = 200 bytes of pattern, 332 once filled in */
		char many[220] = "a";
		int i;

		for (i = 0; i < 33; i++)
			strcat(many, "{date}");
		strcat(many, "b");
		check_is(many, -1, "332 bytes long");
		many[1 + 6 * 24] = '\0';	/* 1 + 24 x 10 = 241: fits */
		check_is(many, 0, NULL);
	}
	return tap_done();
}
