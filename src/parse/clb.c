/*
 * clb.c: parse Classic Load Balancer access log lines.  See clb.h.
 *
 * Fields: 1 timestamp  2 elb  3 client:port  4 backend:port
 * 5 request_processing_time  6 backend_processing_time
 * 7 response_processing_time  8 elb_status_code  9 backend_status_code
 * 10 received_bytes  11 sent_bytes  12 "request"  13 "user_agent"
 * 14 ssl_cipher  15 ssl_protocol
 */
#include "parse/clb.h"
#include "parse/lbfield.h"

static const char *const clb_names[CLB_FIELDS] = {
	"timestamp", "elb", "client:port", "backend:port",
	"request_processing_time", "backend_processing_time",
	"response_processing_time", "elb_status_code", "backend_status_code",
	"received_bytes", "sent_bytes", "request", "user_agent", "ssl_cipher",
	"ssl_protocol",
};

/**
 * clb_parse(line, n, rec, err): see clb.h.
 */
int
clb_parse(const char *line, size_t n, struct clb_rec *r, struct lb_err *err)
{
	struct lbtok tok[CLB_FIELDS];
	struct lbfield_ctx c;
	int k;

	k = lbtok_split_plain(line, n, tok, CLB_FIELDS, &r->extra, err,
	    &r->plain);
	if (k < 0)
		return -1;
	if (k < CLB_FIELDS)
		return lb_err_set(err, 0, NULL,
		    "too few fields for a Classic ELB access log line (want 15)",
		    SLICE_NONE);
	c.tok = tok;
	c.ntok = k;
	c.names = clb_names;
	c.err = err;
	c.end = line + n;
	r->nfields = k + (r->extra.p != NULL);
	if (lbf_time(&c, 0, &r->time, &r->time_z))
		return -1;
	if (r->time.p == NULL)
		return lbf_fail(&c, 0, "missing");
	r->elb = lbf_str(&c, 1);
	if (lbf_ipport(&c, 2, &r->client_ip, &r->client_port) ||
	    lbf_ipport(&c, 3, &r->backend_ip, &r->backend_port) ||
	    lbf_dec(&c, 4, &r->request_processing_time) ||
	    lbf_dec(&c, 5, &r->backend_processing_time) ||
	    lbf_dec(&c, 6, &r->response_processing_time) ||
	    lbf_int(&c, 7, 999, &r->elb_status_code) ||
	    lbf_int(&c, 8, 999, &r->backend_status_code) ||
	    lbf_int(&c, 9, INT64_MAX, &r->received_bytes) ||
	    lbf_int(&c, 10, INT64_MAX, &r->sent_bytes))
		return -1;
	r->request = lbf_str(&c, 11);
	lbval_request(r->request, &r->req);
	r->user_agent = lbf_str(&c, 12);
	r->ssl_cipher = lbf_str(&c, 13);
	r->ssl_protocol = lbf_str(&c, 14);
	/* TCP/SSL listener: no HTTP status and no request. */
	r->tcp = r->elb_status_code < 0 && r->backend_status_code < 0 &&
	    r->req.method.p == NULL && r->req.url.p == NULL;
	return 0;
}

/**
 * clb_looks_like(line, n): see clb.h.
 */
int
clb_looks_like(const char *line, size_t n)
{
	const char *sp1, *sp2, *sp3;
	struct slice ip;
	uint32_t port;
	int z;

	sp1 = memchr(line, ' ', n);
	if (sp1 == NULL || lbval_time(slice_make(line, (size_t)(sp1 - line)), &z))
		return 0;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(line + n - sp1 - 1));
	if (sp2 == NULL)
		return 0;
	sp3 = memchr(sp2 + 1, ' ', (size_t)(line + n - sp2 - 1));
	if (sp3 == NULL)
		return 0;
	return lbval_ipport(slice_make(sp2 + 1, (size_t)(sp3 - sp2 - 1)), &ip,
	    &port) == 0;
}
