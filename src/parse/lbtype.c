/*
 * lbtype.c: the log type table.  See lbtype.h.
 */
#include <stddef.h>
#include <string.h>

#include "parse/lbtype.h"

/* Indexed by enum lbtype. */
static const struct lbtype_info table[LB_NTYPES] = {
	[LB_UNKNOWN] = { LB_UNKNOWN, "unknown", NULL, "unknown",
	    "unknown log type" },
	[LB_CLB] = { LB_CLB, "clb", "elb", "clb", "Classic ELB access log" },
	[LB_ALB] = { LB_ALB, "alb", NULL, "alb", "ALB access log" },
	[LB_NLB] = { LB_NLB, "nlb", NULL, "nlb", "NLB access log" },
	[LB_ALBCONN] = { LB_ALBCONN, "alb-conn", "conn", "albconn",
	    "ALB connection log" },
};

const enum lbtype lbtype_order[LB_NTYPES - 1] = { LB_ALB, LB_CLB, LB_NLB,
    LB_ALBCONN };

const struct lbtype_info *
lbtype_info(enum lbtype t)
{
	return &table[(unsigned)t < LB_NTYPES ? t : LB_UNKNOWN];
}

const char *
lbtype_name(enum lbtype t)
{
	return lbtype_info(t)->name;
}

const char *
lbtype_token(enum lbtype t)
{
	return lbtype_info(t)->token;
}

const char *
lbtype_title(enum lbtype t)
{
	return lbtype_info(t)->title;
}

int
lbtype_lookup(const char *s)
{
	size_t i;

	if (strcmp(s, "auto") == 0)
		return LB_UNKNOWN;
	for (i = 0; i < sizeof(lbtype_order) / sizeof(lbtype_order[0]); i++) {
		const struct lbtype_info *t = &table[lbtype_order[i]];

		if (strcmp(s, t->name) == 0 ||
		    (t->alias != NULL && strcmp(s, t->alias) == 0))
			return (int)t->type;
	}
	return -1;
}
