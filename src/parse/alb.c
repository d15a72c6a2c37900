/*
 * alb.c: parse Application Load Balancer access log lines.  See alb.h.
 *
 * Field list (1-based), from the AWS documentation and lb-log-formats.md:
 *  1 type  2 time  3 elb  4 client:port  5 target:port
 *  6 request_processing_time  7 target_processing_time
 *  8 response_processing_time  9 elb_status_code  10 target_status_code
 * 11 received_bytes  12 sent_bytes  13 "request"  14 "user_agent"
 * 15 ssl_cipher  16 ssl_protocol  17 target_group_arn  18 "trace_id"
 * 19 "domain_name"  20 "chosen_cert_arn"  21 matched_rule_priority
 * 22 request_creation_time  23 "actions_executed"  24 "redirect_url"
 * 25 "error_reason"  26 "target:port_list"  27 "target_status_code_list"
 * 28 "classification"  29 "classification_reason"  30 conn_trace_id
 * 31 "transformed_host"  32 "transformed_uri"  33 "request_transform_status"
 * 34+ newer fields, kept unsplit.
 */
#include "parse/alb.h"
#include "parse/lbfield.h"

static const char *const alb_names[ALB_KNOWN_FIELDS] = {
	"type", "time", "elb", "client:port", "target:port",
	"request_processing_time", "target_processing_time",
	"response_processing_time", "elb_status_code", "target_status_code",
	"received_bytes", "sent_bytes", "request", "user_agent", "ssl_cipher",
	"ssl_protocol", "target_group_arn", "trace_id", "domain_name",
	"chosen_cert_arn", "matched_rule_priority", "request_creation_time",
	"actions_executed", "redirect_url", "error_reason", "target:port_list",
	"target_status_code_list", "classification", "classification_reason",
	"conn_trace_id", "transformed_host", "transformed_uri",
	"request_transform_status",
};

/**
 * alb_parse(line, n, rec, err): see alb.h.
 */
int
alb_parse(const char *line, size_t n, struct alb_rec *r, struct lb_err *err)
{
	struct lbtok tok[ALB_KNOWN_FIELDS];
	struct lbfield_ctx c;
	struct slice rest;
	int k;

	k = lbtok_split_plain(line, n, tok, ALB_KNOWN_FIELDS, &rest, err,
	    &r->plain);
	if (k < 0)
		return -1;
	if (k < ALB_MIN_FIELDS)
		return lb_err_set(err, 0, NULL,
		    k < 10 ? "too few fields for an ALB access log line (want at least 18)" :
		    "too few fields for an ALB access log line (want at least 18; line cut short?)",
		    SLICE_NONE);
	c.tok = tok;
	c.ntok = k;
	c.names = alb_names;
	c.err = err;
	c.end = line + n;
	r->extra = rest;
	r->nfields = k;
	if (rest.p != NULL) {
		/* Count the extra fields for nfields (quote-aware). */
		struct lbtok t[8];
		struct slice more = rest;
		struct lb_err e2;
		int m;

		do {
			m = lbtok_split(more.p, more.n, t, 8, &more, &e2);
			if (m < 0)
				break;
			r->nfields += m;
		} while (more.p != NULL);
	}

	r->type = lbf_str(&c, 0);
	if (r->type.p == NULL)
		return lbf_fail(&c, 0, "missing");
	if (lbf_time(&c, 1, &r->time, &r->time_z))
		return -1;
	if (r->time.p == NULL)
		return lbf_fail(&c, 1, "missing");
	r->elb = lbf_str(&c, 2);
	if (lbf_ipport(&c, 3, &r->client_ip, &r->client_port) ||
	    lbf_ipport(&c, 4, &r->target_ip, &r->target_port) ||
	    lbf_dec(&c, 5, &r->request_processing_time) ||
	    lbf_dec(&c, 6, &r->target_processing_time) ||
	    lbf_dec(&c, 7, &r->response_processing_time) ||
	    lbf_int(&c, 8, 999, &r->elb_status_code) ||
	    lbf_int(&c, 9, 999, &r->target_status_code) ||
	    lbf_int(&c, 10, INT64_MAX, &r->received_bytes) ||
	    lbf_int(&c, 11, INT64_MAX, &r->sent_bytes))
		return -1;
	r->request = lbf_str(&c, 12);
	lbval_request(r->request, &r->req);
	r->user_agent = lbf_str(&c, 13);
	r->ssl_cipher = lbf_str(&c, 14);
	r->ssl_protocol = lbf_str(&c, 15);
	r->target_group_arn = lbf_str(&c, 16);
	r->trace_id = lbf_str(&c, 17);
	r->domain_name = lbf_str(&c, 18);
	r->chosen_cert_arn = lbf_str(&c, 19);
	if (lbf_int(&c, 20, 50000, &r->matched_rule_priority) ||
	    lbf_time(&c, 21, &r->request_creation_time,
	    &r->request_creation_time_z))
		return -1;
	r->actions_executed = lbf_str(&c, 22);
	r->redirect_url = lbf_str(&c, 23);
	r->error_reason = lbf_str(&c, 24);
	r->target_port_list = lbf_str(&c, 25);
	r->target_status_code_list = lbf_str(&c, 26);
	r->classification = lbf_str(&c, 27);
	r->classification_reason = lbf_str(&c, 28);
	r->conn_trace_id = lbf_str(&c, 29);
	r->transformed_host = lbf_str(&c, 30);
	r->transformed_uri = lbf_str(&c, 31);
	r->request_transform_status = lbf_str(&c, 32);
	return 0;
}

/* Is the first word of the line (before its first space) an ALB type? */
static size_t
type_word(const char *p, size_t n)
{
	size_t l = 0;

	while (l < 6 && l < n && p[l] != ' ')
		l++;
	if (l >= n || p[l] != ' ')
		return 0;
	switch (l) {
	case 2:
		return (memcmp(p, "h2", 2) == 0 || memcmp(p, "ws", 2) == 0) ? l : 0;
	case 3:
		return memcmp(p, "wss", 3) == 0 ? l : 0;
	case 4:
		return memcmp(p, "http", 4) == 0 ? l : 0;
	case 5:
		return (memcmp(p, "https", 5) == 0 || memcmp(p, "grpcs", 5) == 0) ?
		    l : 0;
	default:
		return 0;
	}
}

/**
 * alb_looks_like(line, n): see alb.h.  A type word (http, https, h2,
 * grpcs, ws, wss), a space, and an ISO 8601 time up to the next space.
 */
int
alb_looks_like(const char *line, size_t n)
{
	const char *sp;
	size_t l = type_word(line, n);
	int z;

	if (l == 0)
		return 0;
	l++;
	if (n <= l + 19 || (sp = memchr(line + l, ' ', n - l)) == NULL)
		return 0;
	return lbval_time(slice_make(line + l, (size_t)(sp - (line + l))),
	    &z) == 0;
}
