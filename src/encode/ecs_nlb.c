/*
 * ecs_nlb.c: NLB (TLS listener) access log line -> ECS document.  Names
 * follow Elastic's integration: the listener's destination ip:port goes to
 * aws.elb.backend.*, byte counts to source.bytes / destination.bytes, the
 * SNI to destination.domain, times in milliseconds under *.ms.
 */
#include "encode/ecs_int.h"
#include "parse/nlb.h"

char *
ecs_nlb(struct ecs_file *f, const char *line, size_t n, uint64_t off,
    char *o, struct ecs_result *res)
{
	struct nlb_rec r;
	struct lb_err err;
	char *m;

	if (nlb_parse(line, n, &r, &err) != 0)
		return ecs_parse_error(f, line, n, off, LB_NLB, &err, o,
		    res);
	o = ecs_head(f, o, r.time, r.time_z, off,
	    ECS_CATTYP("network", "connection"), res);
	/* After "module":"aws": commas. */
	PUT_TIMEC(o, "start", r.tls_connection_creation_time,
	    r.tls_connection_creation_time_z);
	PUT_TIMEC(o, "end", r.time, r.time_z);
	o = ecs_event_end(f, o, line, n, res);

	if (r.client_ip.p != NULL && r.received_bytes >= 0 && r.plain) {
		/* Every part there (most lines): the fixed text as literals.
		 * Something came before (event_end's '}'): a comma. */
		o = JW(o, ",\"source\":{\"address\":\"");
		o = jsonw_bytes(o, r.client_ip);
		o = JW(o, "\",\"ip\":\"");
		o = jsonw_bytes(o, r.client_ip);
		o = JW(o, "\",\"port\":");
		o = jsonw_u64(o, r.client_port);
		o = JW(o, ",\"bytes\":");
		o = jsonw_u64(o, (uint64_t)r.received_bytes);
		*o++ = '}';
	} else if (r.client_ip.p != NULL) {
		OPEN(o, m, "source");
		PUT_STR(o, "address", r.client_ip, r.plain);
		PUT_STR(o, "ip", r.client_ip, r.plain);
		PUT_INT(o, "port", (int64_t)r.client_port);
		PUT_INT(o, "bytes", r.received_bytes);
		CLOSE(o, m);
	}
	if (r.domain_name.p != NULL && r.sent_bytes >= 0 && r.plain) {
		o = JW(o, ",\"destination\":{\"domain\":\"");
		o = jsonw_bytes(o, r.domain_name);
		o = JW(o, "\",\"bytes\":");
		o = jsonw_u64(o, (uint64_t)r.sent_bytes);
		*o++ = '}';
	} else {
		OPEN(o, m, "destination");
		PUT_STR(o, "domain", r.domain_name, r.plain);
		PUT_INT(o, "bytes", r.sent_bytes);
		CLOSE(o, m);
	}
	o = ecs_tls(o, r.tls_cipher, r.tls_protocol_version, r.plain);

	if (r.elb.p != NULL && r.type.p != NULL && r.listener.p != NULL &&
	    r.destination_ip.p != NULL && r.plain) {
		/* Every part there (most lines): the fixed text as literals.
		 * Something came before (destination at least): a comma. */
		o = JW(o, ",\"aws\":{\"elb\":{\"name\":\"");
		o = jsonw_bytes(o, r.elb);
		o = JW(o, "\",\"type\":\"");
		o = jsonw_bytes(o, r.type);
		o = JW(o, "\",\"protocol\":\"tcp\",\"listener\":\"");
		o = jsonw_bytes(o, r.listener);
		o = JW(o, "\",\"backend\":{\"ip\":\"");
		o = jsonw_bytes(o, r.destination_ip);
		o = JW(o, "\",\"port\":\"");
		o = jsonw_u64(o, r.destination_port);
		o = JW(o, "\"}");
	} else {
		KEYV(o, "aws", "{\"elb\":{");
		PUT_STR(o, "name", r.elb, r.plain);
		PUT_STR(o, "type", r.type, r.plain);
		KEYV(o, "protocol", "\"tcp\"");
		PUT_STR(o, "listener", r.listener, r.plain);
		if (r.destination_ip.p != NULL) {
			OPEN(o, m, "backend");
			PUT_STR(o, "ip", r.destination_ip, r.plain);
			PUT_INT_STR(o, "port", (int64_t)r.destination_port);
			CLOSE(o, m);
		}
	}
	/* After "protocol": commas. */
	PUT_NUMOBJC(o, "connection_time", "ms", r.connection_time);
	PUT_NUMOBJC(o, "tls_handshake_time", "ms", r.tls_handshake_time);
	PUT_STRC(o, "incoming_tls_alert", r.incoming_tls_alert, r.plain);
	if (r.chosen_cert_arn.p != NULL || r.chosen_cert_serial.p != NULL) {
		OPEN(o, m, "chosen_cert");
		PUT_STR(o, "arn", r.chosen_cert_arn, r.plain);
		PUT_STR(o, "serial", r.chosen_cert_serial, r.plain);
		CLOSE(o, m);
	}
	if (r.tls_cipher.p != NULL && r.tls_protocol_version.p != NULL &&
	    r.plain) {
		/* protocol at least came before: a comma */
		o = JW(o, ",\"ssl_cipher\":\"");
		o = jsonw_bytes(o, r.tls_cipher);
		o = JW(o, "\",\"ssl_protocol\":\"");
		o = jsonw_bytes(o, r.tls_protocol_version);
		*o++ = '"';
	} else {
		PUT_STR(o, "ssl_cipher", r.tls_cipher, r.plain);
		PUT_STR(o, "ssl_protocol", r.tls_protocol_version, r.plain);
	}
	PUT_STRC(o, "tls_named_group", r.tls_named_group, r.plain);
	if (r.alpn_fe_protocol.p != NULL && r.alpn_be_protocol.p != NULL &&
	    r.plain) {
		o = JW(o, ",\"alpn_fe_protocol\":\"");
		o = jsonw_bytes(o, r.alpn_fe_protocol);
		o = JW(o, "\",\"alpn_be_protocol\":\"");
		o = jsonw_bytes(o, r.alpn_be_protocol);
		*o++ = '"';
	} else {
		PUT_STR(o, "alpn_fe_protocol", r.alpn_fe_protocol, r.plain);
		PUT_STR(o, "alpn_be_protocol", r.alpn_be_protocol, r.plain);
	}
	o = ecs_quoted_list(o, "alpn_client_preference_list", 27,
	    r.alpn_client_preference_list, line + n);
	PUT_TIMEC(o, "tls_connection_creation_time",
	    r.tls_connection_creation_time, r.tls_connection_creation_time_z);
	o = ecs_extra(o, r.extra);
	*o++ = '}';
	o = jsonw_bytes(o, slice_make(f->aws_tail, f->naws_tail));
	*o++ = '}';
	return o;
}
