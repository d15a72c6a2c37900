/*
 * test_lbname.c: what a log file's name says (lbname.h): the four AWS name
 * shapes (ALB `app.`, NLB `net.` without a node IP, Classic, and ALB
 * connection logs with `conn_log.` or `conn_log_`), names that are not
 * AWS's, lbname_is_log() for directory walks, and lbname_is_test_file()
 * for ELB's ELBAccessLogTestFile (the type names: test_lbtype.c).
 */
#include <string.h>

#include "parse/lbname.h"
#include "tap.h"

static int
slice_is(struct slice got, const char *want)
{
	return got.p != NULL && got.n == strlen(want) &&
	    memcmp(got.p, want, got.n) == 0;
}

/* Parse ${name}; check type, account, region, lb and end. */
static void
name_is(const char *name, enum lbtype type, const char *acct,
    const char *region, const char *lb, const char *end)
{
	struct lbname nm;
	int rc = lbname_parse(name, strlen(name), &nm);

	ok(rc == 0 && nm.type == type && slice_is(nm.account, acct) &&
	    slice_is(nm.region, region) && slice_is(nm.lb, lb) &&
	    slice_is(nm.end, end), "%s: %s %s %s %s %s", name,
	    lbtype_name(type), acct, region, lb, end);
}

static void
not_aws(const char *name)
{
	struct lbname nm;
	int rc;

	memset(&nm, 0xAA, sizeof(nm));
	rc = lbname_parse(name, strlen(name), &nm);
	ok(rc == -1 && nm.type == LB_UNKNOWN, "not AWS's: '%s'", name);
}

static void
test_shapes(void)
{
	/* ALB access log (gzip, and gunzipped). */
	name_is("111122223333_elasticloadbalancing_eu-west-1_app.shop-alb."
	    "1a2b3c4d5e6f7a8b_20251103T1020Z_10.0.4.17_3kq9zz1p.log.gz",
	    LB_ALB, "111122223333", "eu-west-1",
	    "app.shop-alb.1a2b3c4d5e6f7a8b", "20251103T1020Z");
	name_is("111122223333_elasticloadbalancing_eu-west-1_app.shop-alb."
	    "1a2b3c4d5e6f7a8b_20251103T1020Z_10.0.4.17_3kq9zz1p.log",
	    LB_ALB, "111122223333", "eu-west-1",
	    "app.shop-alb.1a2b3c4d5e6f7a8b", "20251103T1020Z");
	/* Classic: the bare LB name, plain .log. */
	name_is("123456789012_elasticloadbalancing_us-west-2_my-loadbalancer_"
	    "20140215T2340Z_172.160.001.192_20sg8hgm.log", LB_CLB,
	    "123456789012", "us-west-2", "my-loadbalancer", "20140215T2340Z");
	name_is("444455556666_elasticloadbalancing_us-east-1_web-clb_"
	    "20240601T0805Z_10.0.1.200_vectors.log", LB_CLB, "444455556666",
	    "us-east-1", "web-clb", "20240601T0805Z");
	/* NLB: no node IP in the name. */
	name_is("777788889999_elasticloadbalancing_us-east-1_net.edge-nlb."
	    "0f1e2d3c4b5a6978_20251103T1025Z_4x9k2m1q.log.gz", LB_NLB,
	    "777788889999", "us-east-1", "net.edge-nlb.0f1e2d3c4b5a6978",
	    "20251103T1025Z");
	name_is("123456789012_elasticloadbalancing_us-east-2_net.my-network-"
	    "loadbalancer.c6e77e28c25b2234_20181220T2340Z_4e2ab4h6.log.gz",
	    LB_NLB, "123456789012", "us-east-2",
	    "net.my-network-loadbalancer.c6e77e28c25b2234", "20181220T2340Z");
	/* ALB connection logs: both prefixes. */
	name_is("conn_log.111122223333_elasticloadbalancing_eu-west-1_app."
	    "shop-alb.1a2b3c4d5e6f7a8b_20251103T1020Z_10.0.4.17_5t6y7u8i."
	    "log.gz", LB_ALBCONN, "111122223333", "eu-west-1",
	    "app.shop-alb.1a2b3c4d5e6f7a8b", "20251103T1020Z");
	name_is("conn_log_123456789012_elasticloadbalancing_us-east-2_app."
	    "my-loadbalancer.1234567890abcdef_20140215T2340Z_172.160.001.192_"
	    "20sg8hgm.log.gz", LB_ALBCONN, "123456789012", "us-east-2",
	    "app.my-loadbalancer.1234567890abcdef", "20140215T2340Z");
	/* Names that only look like a type. */
	name_is("111122223333_elasticloadbalancing_eu-west-1_apps-clb_"
	    "20251103T1020Z_10.0.0.1_x.log", LB_CLB, "111122223333",
	    "eu-west-1", "apps-clb", "20251103T1020Z");
	name_is("111122223333_elasticloadbalancing_eu-west-1_network_"
	    "20251103T1020Z_10.0.0.1_x.log", LB_CLB, "111122223333",
	    "eu-west-1", "network", "20251103T1020Z");
	/* Nothing after the end time is needed. */
	name_is("111122223333_elasticloadbalancing_eu-west-1_app.a.b_"
	    "20251103T1020Z", LB_ALB, "111122223333", "eu-west-1", "app.a.b",
	    "20251103T1020Z");
}

static void
test_not_aws(void)
{
	not_aws("");
	not_aws("x");
	not_aws("access.log");
	not_aws("alb-generic.log");
	not_aws("conn_log.");
	not_aws("conn_log.access.log");
	not_aws("conn-log.111122223333_elasticloadbalancing_eu-west-1_app.a.b_"
	    "20251103T1020Z_x.log");
	not_aws("111122223333_elasticloadbalancing_");
	not_aws("111122223333_elasticloadbalancing_eu-west-1");
	not_aws("111122223333_elasticloadbalancing_eu-west-1_app.a.b");
	not_aws("111122223333_elasticloadbalancing_eu-west-1_app.a.b_");
	not_aws("abc_elasticloadbalancing_eu-west-1_app.a.b_20251103T1020Z_x.log");
	not_aws("_elasticloadbalancing_eu-west-1_app.a.b_20251103T1020Z_x.log");
	not_aws("111122223333_s3_eu-west-1_app.a.b_20251103T1020Z_x.log");
	not_aws("111122223333_elasticloadbalancingX_eu-west-1_app.a.b_"
	    "20251103T1020Z_x.log");
	not_aws("111122223333_elasticloadbalancing__app.a.b_20251103T1020Z_x.log");
	not_aws("111122223333_elasticloadbalancing_eu-west-1__20251103T1020Z_x.log");
	not_aws("111122223333_elasticloadbalancing_eu-west-1_app.a.b_"
	    "20251103T1020_x.log");
	not_aws("111122223333_elasticloadbalancing_eu-west-1_app.a.b_"
	    "20251103-1020Z_x.log");
	not_aws("111122223333_elasticloadbalancing_eu-west-1_app.a.b_"
	    "20251103T10200Z_x.log");
	/* A directory is not part of a name. */
	not_aws("AWSLogs/111122223333_elasticloadbalancing_eu-west-1_app.a.b_"
	    "20251103T1020Z_x.log");
	not_aws("CloudFront-E2ABC.2025-11-03-10.abcdef12.gz");
}


static void
is_log(const char *name, int want)
{
	is_int(lbname_is_log(name, strlen(name)), want, "is_log(%s) = %d",
	    name, want);
}

static void
test_is_log(void)
{
	is_log("111122223333_elasticloadbalancing_eu-west-1_app.shop-alb."
	    "1a2b3c4d5e6f7a8b_20251103T1020Z_10.0.4.17_3kq9zz1p.log.gz", 1);
	is_log("111122223333_elasticloadbalancing_eu-west-1_app.shop-alb."
	    "1a2b3c4d5e6f7a8b_20251103T1020Z_10.0.4.17_3kq9zz1p.log", 1);
	is_log("conn_log.111122223333_elasticloadbalancing_eu-west-1_app.a.b_"
	    "20251103T1020Z_10.0.4.17_x.log.gz", 1);
	is_log("conn_log_111122223333_elasticloadbalancing_eu-west-1_app.a.b_"
	    "20251103T1020Z_10.0.4.17_x.log", 1);
	is_log("444455556666_elasticloadbalancing_us-east-1_web-clb_"
	    "20240601T0805Z_10.0.1.200_vectors.log", 1);
	is_log("777788889999_elasticloadbalancing_us-east-1_net.edge-nlb."
	    "0f1e2d3c4b5a6978_20251103T1025Z_4x9k2m1q.log.gz", 1);
	/* AWS's shape but not a log file name ending. */
	is_log("111122223333_elasticloadbalancing_eu-west-1_app.a.b_"
	    "20251103T1020Z_10.0.4.17_x", 0);
	is_log("111122223333_elasticloadbalancing_eu-west-1_app.a.b_"
	    "20251103T1020Z_10.0.4.17_x.log.gz.tmp", 0);
	is_log("111122223333_elasticloadbalancing_eu-west-1_app.a.b_"
	    "20251103T1020Z_10.0.4.17_x.gz", 0);
	is_log("111122223333_elasticloadbalancing_eu-west-1_app.a.b_"
	    "20251103T1020Z_10.0.4.17_x.txt", 0);
	/* Log endings without AWS's shape. */
	is_log("access.log", 0);
	is_log("access.log.gz", 0);
	is_log(".log", 0);
	is_log("", 0);
	is_log("ELBAccessLogTestFile", 0);
}

static void
is_test_file(const char *name, int want)
{
	ok(lbname_is_test_file(name, strlen(name)) == want,
	    "lbname_is_test_file(\"%s\") = %d", name, want);
}

/* ELB's ELBAccessLogTestFile, under any prefix; nothing else. */
static void
test_is_test_file(void)
{
	char buf[64];

	is_test_file("ELBAccessLogTestFile", 1);
	is_test_file("AWSLogs/111122223333/ELBAccessLogTestFile", 1);
	is_test_file("prod/web/AWSLogs/111122223333/ELBAccessLogTestFile", 1);
	is_test_file("/tmp/x/ELBAccessLogTestFile", 1);
	is_test_file("AWSLogs/111122223333/ELBAccessLogTestFile.log", 0);
	is_test_file("AWSLogs/111122223333/xELBAccessLogTestFile", 0);
	is_test_file("AWSLogs/111122223333/elbaccesslogtestfile", 0);
	is_test_file("LBAccessLogTestFile", 0);
	is_test_file("", 0);
	is_test_file("AWSLogs/111122223333/elasticloadbalancing/eu-west-1/"
	    "2025/11/03/111122223333_elasticloadbalancing_eu-west-1_app.a.b_"
	    "20251103T1020Z_10.0.4.17_x.log.gz", 0);
	/* n bounds the name: no NUL needed, bytes after n not looked at */
	memcpy(buf, "a/ELBAccessLogTestFileXYZ", 26);
	ok(lbname_is_test_file(buf, 22) == 1 && lbname_is_test_file(buf, 25) == 0,
	    "lbname_is_test_file reads n bytes only");
}

int
main(void)
{
	test_shapes();
	test_not_aws();
	test_is_log();
	test_is_test_file();
	return tap_done();
}
