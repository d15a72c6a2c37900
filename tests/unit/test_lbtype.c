/*
 * test_lbtype.c: the log type table (lbtype.h): each enum value has its
 * row, names and tokens are what help texts, summaries and index names
 * say, lookups accept the names, aliases and "auto" and nothing else, and
 * the help-text lists match the table.
 */
#include <stdio.h>
#include <string.h>

#include "parse/lbtype.h"
#include "tap.h"

static void
rows(void)
{
	int t, all = 1;

	for (t = 0; t < LB_NTYPES; t++) {
		const struct lbtype_info *i = lbtype_info((enum lbtype)t);

		if ((int)i->type != t || i->name == NULL || i->token == NULL ||
		    i->title == NULL)
			all = 0;
	}
	ok(all, "every enum lbtype value has a complete row of its own");
	is_int(LB_NTYPES, 5, "five types, unknown included");
	is_str(lbtype_name(LB_ALB), "alb", "name alb");
	is_str(lbtype_name(LB_CLB), "clb", "name clb");
	is_str(lbtype_name(LB_NLB), "nlb", "name nlb");
	is_str(lbtype_name(LB_ALBCONN), "alb-conn", "name alb-conn");
	is_str(lbtype_name(LB_UNKNOWN), "unknown", "name unknown");
	is_str(lbtype_token(LB_ALB), "alb", "token alb");
	is_str(lbtype_token(LB_ALBCONN), "albconn", "token albconn");
	is_str(lbtype_token(LB_UNKNOWN), "unknown", "token unknown");
	is_str(lbtype_title(LB_CLB), "Classic ELB access log", "title clb");
	is_str(lbtype_title(LB_ALBCONN), "ALB connection log", "title alb-conn");
	is_str(lbtype_name((enum lbtype)LB_NTYPES), "unknown",
	    "a value past the enum reads as unknown");
	is_str(lbtype_name((enum lbtype)-1), "unknown",
	    "a negative value reads as unknown");
}

static void
lookups(void)
{
	int t;

	for (t = 1; t < LB_NTYPES; t++) {
		const struct lbtype_info *i = lbtype_info((enum lbtype)t);

		is_int(lbtype_lookup(i->name), t, "lookup %s", i->name);
		if (i->alias != NULL)
			is_int(lbtype_lookup(i->alias), t, "lookup alias %s",
			    i->alias);
	}
	is_int(lbtype_lookup("elb"), LB_CLB, "lookup elb (Classic)");
	is_int(lbtype_lookup("conn"), LB_ALBCONN, "lookup conn");
	is_int(lbtype_lookup("auto"), LB_UNKNOWN, "lookup auto");
	is_int(lbtype_lookup("ALB"), -1, "lookup is case-sensitive");
	is_int(lbtype_lookup(""), -1, "lookup empty");
	is_int(lbtype_lookup("unknown"), -1, "lookup unknown");
	is_int(lbtype_lookup("albconn"), -1, "a token is not a --type value");
}

static void
order_and_help(void)
{
	char names[256] = "", tokens[256] = "";
	size_t i, n = sizeof(lbtype_order) / sizeof(lbtype_order[0]);
	int seen[LB_NTYPES] = { 0 }, once = 1;

	for (i = 0; i < n; i++) {
		if (lbtype_order[i] == LB_UNKNOWN || seen[lbtype_order[i]]++)
			once = 0;
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
		    "%s%s", i ? ", " : "", lbtype_name(lbtype_order[i]));
		snprintf(tokens + strlen(tokens), sizeof(tokens) -
		    strlen(tokens), "%s%s", i == 0 ? "" : i + 1 < n ? ", " :
		    " or ", lbtype_token(lbtype_order[i]));
	}
	ok(once && n == LB_NTYPES - 1, "lbtype_order lists each known type "
	    "once");
	is_str(names, LBTYPE_NAMES_HELP, "LBTYPE_NAMES_HELP is the table's "
	    "names in order");
	is_str(tokens, LBTYPE_TOKENS_HELP, "LBTYPE_TOKENS_HELP is the table's "
	    "tokens in order");
}

int
main(void)
{
	rows();
	lookups();
	order_and_help();
	return tap_done();
}
