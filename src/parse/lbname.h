/*
 * lbname.h: what an ELB log file's name says.
 *
 * AWS names every log object
 *   {acct}_elasticloadbalancing_{region}_{lb}_{end}_{node-ip}_{random}.log[.gz]
 * where {lb} is `app.NAME.ID` (ALB), `net.NAME.ID` (NLB) or the Classic LB
 * name, and ALB connection logs add a `conn_log.` (or `conn_log_`) prefix.
 * The name is unique per file, which is what document ids build on.
 * Pure: no I/O, no allocation; slices point into the name.
 */
#ifndef ELBSHIP_LBNAME_H
#define ELBSHIP_LBNAME_H

#include "parse/lbtype.h"
#include "util/slice.h"

struct lbname {
	enum lbtype type;	/* LB_UNKNOWN if the name is not AWS's */
	struct slice account;	/* 12 digits */
	struct slice region;	/* eu-west-1 */
	struct slice lb;	/* app.shop-alb.1a2b3c4d5e6f7a8b, or the CLB name */
	struct slice end;	/* 20251103T1020Z */
};

/**
 * lbname_parse(base, n, out): read the file name ${base} (no directory).
 * Returns 0 and fills ${out} if it has AWS's shape, else -1 with
 * out->type = LB_UNKNOWN.
 */
int lbname_parse(const char *base, size_t n, struct lbname *out);

/**
 * lbname_is_log(base, n): 1 if the file name looks like an ELB log that a
 * directory walk should pick up (AWS's shape, ending .log or .log.gz).
 */
int lbname_is_log(const char *base, size_t n);

/**
 * lbname_is_test_file(name, n): 1 if ${name} (an S3 key, a path or a bare
 * file name; ${n} bytes, no NUL needed) ends in the object Elastic Load
 * Balancing writes when access logging is turned on,
 * PREFIX/AWSLogs/ACCOUNT/ELBAccessLogTestFile: its last component is
 * exactly "ELBAccessLogTestFile".  Such an object is not a log; every
 * reader skips it.
 */
int lbname_is_test_file(const char *name, size_t n);

#endif
