/*
 * nlb.c: parse Network Load Balancer (TLS) access log lines.  See nlb.h.
 *
 * Fields: 1 type  2 version  3 time  4 elb  5 listener  6 client:port
 * 7 destination:port  8 connection_time  9 tls_handshake_time
 * 10 received_bytes  11 sent_bytes  12 incoming_tls_alert
 * 13 chosen_cert_arn  14 chosen_cert_serial  15 tls_cipher
 * 16 tls_protocol_version  17 tls_named_group  18 domain_name
 * 19 alpn_fe_protocol  20 alpn_be_protocol  21 alpn_client_preference_list
 * 22 tls_connection_creation_time
 */
#include "parse/lbfield.h"
#include "parse/nlb.h"

/* The fields before alpn_client_preference_list. */
#define NLB_PLAIN_FIELDS 20

static const char *const nlb_names[NLB_KNOWN_FIELDS] = {
	"type", "version", "time", "elb", "listener", "client:port",
	"destination:port", "connection_time", "tls_handshake_time",
	"received_bytes", "sent_bytes", "incoming_tls_alert",
	"chosen_cert_arn", "chosen_cert_serial", "tls_cipher",
	"tls_protocol_version", "tls_named_group", "domain_name",
	"alpn_fe_protocol", "alpn_be_protocol", "alpn_client_preference_list",
	"tls_connection_creation_time",
};

/**
 * nlb_parse(line, n, rec, err): see nlb.h.
 */
int
nlb_parse(const char *line, size_t n, struct nlb_rec *r, struct lb_err *err)
{
	struct lbtok tok[NLB_KNOWN_FIELDS];
	struct lbfield_ctx c;
	int k, np;

	/*
	 * One split of 22: the fast path takes the tokens before
	 * alpn_client_preference_list ("h2","http/1.1": quotes glued to
	 * text, which it leaves to the reference path) and says whether
	 * they are plain; a line whose list is `-` is split by it whole.
	 */
	k = lbtok_split_lead(line, n, tok, NLB_KNOWN_FIELDS, &r->extra, err,
	    &np);
	if (k < 0)
		return -1;
	r->plain = np >= NLB_PLAIN_FIELDS;
	if (k < NLB_MIN_FIELDS)
		return lb_err_set(err, 0, NULL,
		    "too few fields for an NLB access log line (want at least 18)",
		    SLICE_NONE);
	c.tok = tok;
	c.ntok = k;
	c.names = nlb_names;
	c.err = err;
	c.end = line + n;
	r->nfields = k + (r->extra.p != NULL);
	r->type = lbf_str(&c, 0);
	r->version = lbf_str(&c, 1);
	if (lbf_time(&c, 2, &r->time, &r->time_z))
		return -1;
	if (r->time.p == NULL)
		return lbf_fail(&c, 2, "missing");
	r->elb = lbf_str(&c, 3);
	r->listener = lbf_str(&c, 4);
	if (lbf_ipport(&c, 5, &r->client_ip, &r->client_port) ||
	    lbf_ipport(&c, 6, &r->destination_ip, &r->destination_port) ||
	    lbf_dec(&c, 7, &r->connection_time) ||
	    lbf_dec(&c, 8, &r->tls_handshake_time) ||
	    lbf_int(&c, 9, INT64_MAX, &r->received_bytes) ||
	    lbf_int(&c, 10, INT64_MAX, &r->sent_bytes))
		return -1;
	r->incoming_tls_alert = lbf_str(&c, 11);
	r->chosen_cert_arn = lbf_str(&c, 12);
	r->chosen_cert_serial = lbf_str(&c, 13);
	r->tls_cipher = lbf_str(&c, 14);
	r->tls_protocol_version = lbf_str(&c, 15);
	r->tls_named_group = lbf_str(&c, 16);
	r->domain_name = lbf_str(&c, 17);
	r->alpn_fe_protocol = lbf_str(&c, 18);
	r->alpn_be_protocol = lbf_str(&c, 19);
	r->alpn_client_preference_list = lbf_str(&c, 20);
	return lbf_time(&c, 21, &r->tls_connection_creation_time,
	    &r->tls_connection_creation_time_z);
}
