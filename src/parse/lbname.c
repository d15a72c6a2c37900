/*
 * lbname.c: parse ELB log file names.  See lbname.h.
 */
#include <string.h>

#include "parse/lbname.h"

static const char *
field_end(const char *p, const char *end)
{
	const char *u = memchr(p, '_', (size_t)(end - p));

	return u ? u : end;
}

static int
all_digits(struct slice s)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return 0;
	return s.n > 0;
}

/**
 * lbname_parse(base, n, out): see lbname.h.
 */
int
lbname_parse(const char *base, size_t n, struct lbname *out)
{
	static const char svc[] = "elasticloadbalancing";
	const char *p = base, *end = base + n, *e;
	int conn = 0;
	struct slice rest;

	memset(out, 0, sizeof(*out));
	out->type = LB_UNKNOWN;
	if (n > 9 && (memcmp(p, "conn_log.", 9) == 0 ||
	    memcmp(p, "conn_log_", 9) == 0)) {
		conn = 1;
		p += 9;
	}
	e = field_end(p, end);
	out->account = slice_make(p, (size_t)(e - p));
	if (!all_digits(out->account) || e == end)
		return -1;
	p = e + 1;
	e = field_end(p, end);
	if ((size_t)(e - p) != sizeof(svc) - 1 || memcmp(p, svc, sizeof(svc) - 1) != 0 ||
	    e == end)
		return -1;
	p = e + 1;
	e = field_end(p, end);
	out->region = slice_make(p, (size_t)(e - p));
	if (out->region.n == 0 || e == end)
		return -1;
	p = e + 1;
	/*
	 * The LB part may itself contain '_'?  AWS LB names allow only
	 * alphanumerics and '-', so the next '_' ends it.
	 */
	e = field_end(p, end);
	out->lb = slice_make(p, (size_t)(e - p));
	if (out->lb.n == 0 || e == end)
		return -1;
	p = e + 1;
	e = field_end(p, end);
	out->end = slice_make(p, (size_t)(e - p));
	rest = out->end;
	/* 20251103T1020Z */
	if (rest.n != 14 || rest.p[8] != 'T' || rest.p[13] != 'Z' ||
	    !all_digits(slice_make(rest.p, 8)) ||
	    !all_digits(slice_make(rest.p + 9, 4)))
		return -1;
	if (conn)
		out->type = LB_ALBCONN;
	else if (out->lb.n > 4 && memcmp(out->lb.p, "app.", 4) == 0)
		out->type = LB_ALB;
	else if (out->lb.n > 4 && memcmp(out->lb.p, "net.", 4) == 0)
		out->type = LB_NLB;
	else
		out->type = LB_CLB;
	return 0;
}

static int
ends_with(const char *s, size_t n, const char *suf)
{
	size_t l = strlen(suf);

	return n >= l && memcmp(s + n - l, suf, l) == 0;
}

/**
 * lbname_is_log(base, n): see lbname.h.
 */
int
lbname_is_log(const char *base, size_t n)
{
	struct lbname nm;

	if (!ends_with(base, n, ".log") && !ends_with(base, n, ".log.gz"))
		return 0;
	return lbname_parse(base, n, &nm) == 0;
}

/*
 * lbname_is_test_file(name, n): see lbname.h.
 */
int
lbname_is_test_file(const char *name, size_t n)
{
	static const char test[] = "ELBAccessLogTestFile";
	const size_t tn = sizeof(test) - 1;

	if (!ends_with(name, n, test))
		return 0;
	return n == tn || name[n - tn - 1] == '/';
}
