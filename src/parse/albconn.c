/*
 * albconn.c: parse ALB connection log lines.  See albconn.h.
 *
 * Fields: 1 timestamp  2 client_ip  3 client_port  4 listener_port
 * 5 tls_protocol  6 tls_cipher  7 tls_handshake_latency
 * 8 "leaf_client_cert_subject"  9 leaf_client_cert_validity
 * 10 leaf_client_cert_serial_number  11 tls_verify_status
 * 12 conn_trace_id  13 tls_keyexchange  14 elb  15 ip_address
 */
#include "parse/albconn.h"
#include "parse/lbfield.h"

static const char *const albconn_names[ALBCONN_KNOWN_FIELDS] = {
	"timestamp", "client_ip", "client_port", "listener_port",
	"tls_protocol", "tls_cipher", "tls_handshake_latency",
	"leaf_client_cert_subject", "leaf_client_cert_validity",
	"leaf_client_cert_serial_number", "tls_verify_status",
	"conn_trace_id", "tls_keyexchange", "elb", "ip_address",
};

/* NotBefore=2025-01-01T00:00:00Z;NotAfter=2026-01-01T00:00:00Z */
static int
validity(struct slice v, struct slice *nb, struct slice *na, int *nbz,
    int *naz)
{
	const char *semi;

	if (v.n < 10 || memcmp(v.p, "NotBefore=", 10) != 0)
		return -1;
	semi = memchr(v.p, ';', v.n);
	if (semi == NULL || (size_t)(v.p + v.n - semi) < 10 ||
	    memcmp(semi + 1, "NotAfter=", 9) != 0)
		return -1;
	*nb = slice_make(v.p + 10, (size_t)(semi - v.p - 10));
	*na = slice_make(semi + 10, (size_t)(v.p + v.n - semi - 10));
	if (lbval_time(*nb, nbz) || lbval_time(*na, naz))
		return -1;
	return 0;
}

/**
 * albconn_parse(line, n, rec, err): see albconn.h.
 */
int
albconn_parse(const char *line, size_t n, struct albconn_rec *r,
    struct lb_err *err)
{
	struct lbtok tok[ALBCONN_KNOWN_FIELDS];
	struct lbfield_ctx c;
	struct slice v;
	int64_t port;
	const char *colon;
	int k;

	k = lbtok_split_plain(line, n, tok, ALBCONN_KNOWN_FIELDS, &r->extra,
	    err, &r->plain);
	if (k < 0)
		return -1;
	if (k < ALBCONN_MIN_FIELDS)
		return lb_err_set(err, 0, NULL,
		    "too few fields for an ALB connection log line (want at least 11)",
		    SLICE_NONE);
	c.tok = tok;
	c.ntok = k;
	c.names = albconn_names;
	c.err = err;
	c.end = line + n;
	r->nfields = k + (r->extra.p != NULL);
	if (lbf_time(&c, 0, &r->time, &r->time_z))
		return -1;
	if (r->time.p == NULL)
		return lbf_fail(&c, 0, "missing");
	r->client_ip = lbf_str(&c, 1);
	if (r->client_ip.p != NULL && r->client_ip.n > 2 &&
	    r->client_ip.p[0] == '[' && r->client_ip.p[r->client_ip.n - 1] == ']')
		r->client_ip = slice_make(r->client_ip.p + 1, r->client_ip.n - 2);
	if (r->client_ip.p == NULL || lbval_ip(r->client_ip))
		return lbf_fail(&c, 1, "not an IP address");
	if (lbf_int(&c, 2, 65535, &port))
		return -1;
	if (port < 0)
		return lbf_fail(&c, 2, "missing");
	r->client_port = (uint32_t)port;
	if (lbf_int(&c, 3, 65535, &r->listener_port))
		return -1;
	r->tls_protocol = lbf_str(&c, 4);
	r->tls_cipher = lbf_str(&c, 5);
	if (lbf_dec(&c, 6, &r->tls_handshake_latency))
		return -1;
	r->leaf_client_cert_subject = lbf_str(&c, 7);
	r->cert_not_before = r->cert_not_after = SLICE_NONE;
	v = lbf_str(&c, 8);
	if (v.p != NULL && validity(v, &r->cert_not_before, &r->cert_not_after,
	    &r->cert_not_before_z, &r->cert_not_after_z))
		return lbf_fail(&c, 8, "not NotBefore=<time>;NotAfter=<time>");
	r->leaf_client_cert_serial_number = lbf_str(&c, 9);
	v = lbf_str(&c, 10);
	r->tls_verify_status = v;
	r->tls_verify_error = SLICE_NONE;
	if (v.p != NULL && (colon = memchr(v.p, ':', v.n)) != NULL) {
		r->tls_verify_status = slice_make(v.p, (size_t)(colon - v.p));
		r->tls_verify_error = slice_make(colon + 1,
		    (size_t)(v.p + v.n - colon - 1));
	}
	r->conn_trace_id = lbf_str(&c, 11);
	r->tls_keyexchange = lbf_str(&c, 12);
	r->elb = lbf_str(&c, 13);
	r->ip_address = lbf_str(&c, 14);
	if (r->ip_address.p != NULL && lbval_ip(r->ip_address))
		return lbf_fail(&c, 14, "not an IP address");
	return 0;
}

/**
 * albconn_looks_like(line, n): see albconn.h.
 */
int
albconn_looks_like(const char *line, size_t n)
{
	const char *sp1, *sp2;
	int z;

	sp1 = memchr(line, ' ', n);
	if (sp1 == NULL || lbval_time(slice_make(line, (size_t)(sp1 - line)), &z))
		return 0;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(line + n - sp1 - 1));
	if (sp2 == NULL)
		return 0;
	return lbval_ip(slice_make(sp1 + 1, (size_t)(sp2 - sp1 - 1))) == 0;
}
