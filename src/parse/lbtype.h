/*
 * lbtype.h: the load balancer log types, and everything elbship calls each
 * one, in one table.
 *
 *   enum       name       alias  token     title
 *   LB_ALB     alb        -      alb       ALB access log
 *   LB_CLB     clb        elb    clb       Classic ELB access log
 *   LB_NLB     nlb        -      nlb       NLB access log
 *   LB_ALBCONN alb-conn   conn   albconn   ALB connection log
 *   LB_UNKNOWN unknown    -      unknown   unknown log type
 *
 * The name is what --type takes and what summaries and log lines say; the
 * alias is another spelling --type accepts; the token is what "{type}"
 * becomes in index and data stream names (logs-elb.{type}-default: an
 * index name allows no '-' in the dataset part); the title is for error
 * messages.  (event.dataset is "aws.elb_logs" for every type, as in
 * Elastic's AWS integration, so it is not here.)
 *
 * Adding a log type is a row here, a parser and an encoder.  A leaf module:
 * constant data only, no state.
 */
#ifndef ELBSHIP_LBTYPE_H
#define ELBSHIP_LBTYPE_H

enum lbtype {
	LB_UNKNOWN = 0,
	LB_CLB,			/* Classic Load Balancer access log */
	LB_ALB,			/* Application Load Balancer access log */
	LB_NLB,			/* Network Load Balancer (TLS) access log */
	LB_ALBCONN,		/* Application Load Balancer connection log */
	LB_NTYPES		/* how many, LB_UNKNOWN included: array sizes */
};

/* The --type names and the {type} tokens as help texts write them (the
 * unit test checks them against the table). */
#define LBTYPE_NAMES_HELP "alb, clb, nlb, alb-conn"
#define LBTYPE_TOKENS_HELP "alb, clb, nlb or albconn"

struct lbtype_info {
	enum lbtype type;
	const char *name;	/* "alb-conn" */
	const char *alias;	/* "conn", or NULL */
	const char *token;	/* "albconn" */
	const char *title;	/* "ALB connection log" */
};

/**
 * lbtype_order: the known types (LB_UNKNOWN excluded) in the order lists,
 * help texts and summaries give them: alb, clb, nlb, alb-conn.
 */
extern const enum lbtype lbtype_order[LB_NTYPES - 1];

/**
 * lbtype_info(t): ${t}'s row; LB_UNKNOWN's for a value outside the enum.
 * Static storage: never freed.
 */
const struct lbtype_info *lbtype_info(enum lbtype t);

/** lbtype_name(t): "alb", "clb", "nlb", "alb-conn" or "unknown". */
const char *lbtype_name(enum lbtype t);

/** lbtype_token(t): "alb", "clb", "nlb", "albconn" or "unknown". */
const char *lbtype_token(enum lbtype t);

/** lbtype_title(t): "ALB access log" and so on, for messages. */
const char *lbtype_title(enum lbtype t);

/**
 * lbtype_lookup(s): the type a --type value names: a name or an alias of
 * a known type, or "auto" (LB_UNKNOWN: decide per file and line); -1 for
 * anything else ("unknown" and the tokens included).  Case matters.
 */
int lbtype_lookup(const char *s);

#endif
