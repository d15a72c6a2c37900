/*
 * ecs_albconn.c: ALB connection log line -> ECS document.  One document
 * per connection attempt; the client goes to client.ip and client.port, as
 * Elastic's pipeline puts it, and to source.* too (so that GeoIP
 * enrichment and the dashboards' source.ip panels cover connection logs as
 * they do access logs), the mTLS client certificate to tls.client.*
 * and aws.elb.leaf_client_cert_*, and conn_trace_id to
 * aws.elb.connection_trace_id, the field access log documents carry too,
 * so the two join.
 */
#include "encode/ecs_int.h"
#include "parse/albconn.h"

/* The document of the parsed line ${r}. */
static char *
albconn_doc(struct ecs_file *f, const struct albconn_rec *r, const char *line,
    size_t n, uint64_t off, char *o, struct ecs_result *res)
{
	char *m, *m2, *tls_start;

	o = ecs_head(f, o, r->time, r->time_z, off,
	    ECS_CATTYP("network", "connection"), res);
	/* After "module":"aws": commas. */
	if (r->tls_verify_status.p != NULL)
		o = slice_eq(r->tls_verify_status, "Success") ?
		    JW(o, ",\"outcome\":\"success\"") :
		    JW(o, ",\"outcome\":\"failure\"");
	PUT_TIMEC(o, "end", r->time, r->time_z);
	o = ecs_event_end(f, o, line, n, res);

	if (r->client_ip.p != NULL && r->plain) {
		/* The client twice (most lines): the fixed text as literals.
		 * Something came before (event_end's '}'): a comma. */
		o = JW(o, ",\"client\":{\"ip\":\"");
		o = jsonw_bytes(o, r->client_ip);
		o = JW(o, "\",\"port\":");
		o = jsonw_u64(o, r->client_port);
		o = JW(o, "},\"source\":{\"address\":\"");
		o = jsonw_bytes(o, r->client_ip);
		o = JW(o, "\",\"ip\":\"");
		o = jsonw_bytes(o, r->client_ip);
		o = JW(o, "\",\"port\":");
		o = jsonw_u64(o, r->client_port);
		*o++ = '}';
	} else {
		o = ecs_client(o, r->client_ip, r->client_ip.p != NULL ?
		    (int64_t)r->client_port : -1, r->plain);
		o = ecs_source(o, r->client_ip, r->client_port, r->plain);
	}
	if (r->listener_port >= 0 && r->ip_address.p != NULL && r->plain) {
		o = JW(o, ",\"destination\":{\"ip\":\"");
		o = jsonw_bytes(o, r->ip_address);
		o = JW(o, "\",\"port\":");
		o = jsonw_u64(o, (uint64_t)r->listener_port);
		*o++ = '}';
	} else if (r->listener_port >= 0 || r->ip_address.p != NULL) {
		OPEN(o, m, "destination");
		PUT_STR(o, "ip", r->ip_address, r->plain);
		PUT_INT(o, "port", r->listener_port);
		CLOSE(o, m);
	}
	tls_start = o;
	o = ecs_tls(o, r->tls_cipher, r->tls_protocol, r->plain);
	if (r->leaf_client_cert_subject.p != NULL ||
	    r->cert_not_before.p != NULL ||
	    r->leaf_client_cert_serial_number.p != NULL) {
		/* tls.client.* goes inside tls: reopen it if ecs_tls wrote it. */
		if (o != tls_start)
			o--;
		else
			KEYV(o, "tls", "{");
		OPEN(o, m2, "client");
		PUT_STR(o, "subject", r->leaf_client_cert_subject, r->plain);
		PUT_TIME(o, "not_before", r->cert_not_before, r->cert_not_before_z);
		PUT_TIME(o, "not_after", r->cert_not_after, r->cert_not_after_z);
		if (r->leaf_client_cert_serial_number.p != NULL) {
			KEYV(o, "x509", "{\"serial_number\":\"");
			o = jsonw_str(o, r->leaf_client_cert_serial_number);
			o = JW(o, "\"}");
		}
		CLOSE(o, m2);
		*o++ = '}';
	}

	/*
	 * aws.elb: where every part of a run of fields is there (most
	 * lines), the fixed text as literals; "protocol" always comes
	 * first, so every field after it takes a comma.
	 */
	if (r->elb.p != NULL && r->listener_port >= 0 &&
	    r->tls_protocol.p != NULL && r->tls_cipher.p != NULL &&
	    r->tls_handshake_latency.p != NULL && r->plain) {
		/* Something came before (event_end's '}'): a comma. */
		o = JW(o, ",\"aws\":{\"elb\":{\"name\":\"");
		o = jsonw_bytes(o, r->elb);
		o = JW(o, "\",\"protocol\":\"tcp\",\"listener\":\"");
		o = jsonw_u64(o, (uint64_t)r->listener_port);
		o = JW(o, "\",\"ssl_protocol\":\"");
		o = jsonw_bytes(o, r->tls_protocol);
		o = JW(o, "\",\"ssl_cipher\":\"");
		o = jsonw_bytes(o, r->tls_cipher);
		o = JW(o, "\",\"tls_handshake_latency\":");
		o = jsonw_bytes(o, r->tls_handshake_latency);
	} else {
		KEYV(o, "aws", "{\"elb\":{");
		PUT_STR(o, "name", r->elb, r->plain);
		KEYV(o, "protocol", "\"tcp\"");
		if (r->listener_port >= 0) {
			KEYV(o, "listener", "\"");
			o = jsonw_u64(o, (uint64_t)r->listener_port);
			*o++ = '"';
		}
		PUT_STR(o, "ssl_protocol", r->tls_protocol, r->plain);
		PUT_STR(o, "ssl_cipher", r->tls_cipher, r->plain);
		PUT_NUM(o, "tls_handshake_latency", r->tls_handshake_latency);
	}
	if (r->leaf_client_cert_subject.p != NULL &&
	    r->cert_not_before.p != NULL && r->cert_not_after.p != NULL &&
	    r->leaf_client_cert_serial_number.p != NULL && r->plain) {
		o = JW(o, ",\"leaf_client_cert_subject\":\"");
		o = jsonw_bytes(o, r->leaf_client_cert_subject);
		o = JW(o, "\",\"leaf_client_cert_not_before\":\"");
		o = jsonw_bytes(o, r->cert_not_before);
		if (!r->cert_not_before_z)
			*o++ = 'Z';
		o = JW(o, "\",\"leaf_client_cert_not_after\":\"");
		o = jsonw_bytes(o, r->cert_not_after);
		if (!r->cert_not_after_z)
			*o++ = 'Z';
		o = JW(o, "\",\"leaf_client_cert_serial_number\":\"");
		o = jsonw_bytes(o, r->leaf_client_cert_serial_number);
		*o++ = '"';
	} else {
		PUT_STR(o, "leaf_client_cert_subject",
		    r->leaf_client_cert_subject, r->plain);
		PUT_TIME(o, "leaf_client_cert_not_before", r->cert_not_before,
		    r->cert_not_before_z);
		PUT_TIME(o, "leaf_client_cert_not_after", r->cert_not_after,
		    r->cert_not_after_z);
		PUT_STR(o, "leaf_client_cert_serial_number",
		    r->leaf_client_cert_serial_number, r->plain);
	}
	/* After "protocol": commas. */
	PUT_STRC(o, "tls_verify_status", r->tls_verify_status, r->plain);
	PUT_STRC(o, "tls_error_code", r->tls_verify_error, r->plain);
	if (r->conn_trace_id.p != NULL && r->tls_keyexchange.p != NULL &&
	    r->ip_address.p != NULL && r->plain) {
		o = JW(o, ",\"connection_trace_id\":\"");
		o = jsonw_bytes(o, r->conn_trace_id);
		o = JW(o, "\",\"tls_keyexchange\":\"");
		o = jsonw_bytes(o, r->tls_keyexchange);
		o = JW(o, "\",\"node_ip\":\"");
		o = jsonw_bytes(o, r->ip_address);
		*o++ = '"';
	} else {
		PUT_STR(o, "connection_trace_id", r->conn_trace_id, r->plain);
		PUT_STR(o, "tls_keyexchange", r->tls_keyexchange, r->plain);
		PUT_STR(o, "node_ip", r->ip_address, r->plain);
	}
	o = ecs_extra(o, r->extra);
	*o++ = '}';
	o = jsonw_bytes(o, slice_make(f->aws_tail, f->naws_tail));
	*o++ = '}';
	return o;
}

char *
ecs_albconn(struct ecs_file *f, const char *line, size_t n, uint64_t off,
    char *o, struct ecs_result *res)
{
	struct albconn_rec r;
	struct lb_err err;

	if (albconn_parse(line, n, &r, &err) != 0)
		return ecs_parse_error(f, line, n, off, LB_ALBCONN, &err,
		    o, res);
	return albconn_doc(f, &r, line, n, off, o, res);
}

/*
 * ecs_albconn_sniffed(): see ecs_int.h.  Parsed, the line has the shape
 * albconn_looks_like() checks (its time, and its client IP: the caller
 * saw that it has no brackets).
 */
char *
ecs_albconn_sniffed(struct ecs_file *f, const char *line, size_t n,
    uint64_t off, char *o, struct ecs_result *res)
{
	struct albconn_rec r;
	struct lb_err err;

	if (albconn_parse(line, n, &r, &err) != 0)
		return NULL;
	return albconn_doc(f, &r, line, n, off, o, res);
}
