/*
 * ecs_alb.c: ALB access log line -> ECS document.  Field by field in
 * docs/fields.md; names follow Elastic's AWS integration (aws.elb_logs),
 * with the fields it does not know yet (conn_trace_id, the transform
 * fields, anything newer) under aws.elb.* as documented.
 */
#include "encode/ecs_int.h"
#include "parse/alb.h"

/*
 * trace.id in W3C/OTel form from an X-Amzn-Trace-Id "Root=1-XXXXXXXX-
 * YYYYYYYYYYYYYYYYYYYYYYYY": the 8 + 24 hex digits joined (32 hex), so ELB
 * logs join up with APM traces.  Nothing if there is no well-formed Root.
 */
/* The top bit of every byte of ${x} that is not a hex digit (SWAR). */
static inline uint64_t
nonhex64(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, lo7 = 0x7F7F7F7F7F7F7F7FULL;
	uint64_t x7 = x & lo7, l7 = (x | ones * 0x20) & lo7;
	uint64_t digit = (x7 + ones * (0x80 - 0x30)) & ~(x7 + ones * (0x80 - 0x3A));
	uint64_t alpha = (l7 + ones * (0x80 - 0x61)) & ~(l7 + ones * (0x80 - 0x67));

	return (~(digit | alpha) | x) & ~lo7;
}

static inline uint64_t
load64(const char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

static char *
put_trace_id(char *o, struct slice t)
{
	const char *p, *end;

	if (t.p == NULL)
		return o;
	end = t.p + t.n;
	for (p = t.p; end - p >= 7 + 8 + 1 + 24; p++) {
		if (memcmp(p, "Root=1-", 7) != 0)
			continue;
		p += 7;
		/* 8 hex digits, '-', 24 hex digits: four words. */
		if (p[8] != '-' || (nonhex64(load64(p)) | nonhex64(load64(p + 9)) |
		    nonhex64(load64(p + 17)) | nonhex64(load64(p + 25))) != 0)
			return o;
		KEYV(o, "trace", "{\"id\":\"");
		memcpy(o, p, 8);
		memcpy(o + 8, p + 9, 24);
		o += 32;
		return JW(o, "\"}");
	}
	return o;
}

char *
ecs_alb(struct ecs_file *f, const char *line, size_t n, uint64_t off,
    char *o, struct ecs_result *res)
{
	struct alb_rec r;
	struct lb_err err;
	char *m, *m2, *m3;

	if (alb_parse(line, n, &r, &err) != 0)
		return ecs_parse_error(f, line, n, off, LB_ALB, &err, o,
		    res);
	o = ecs_head(f, o, r.time, r.time_z, off, ECS_CATTYP("web", "access"),
	    res);
	if (r.elb_status_code >= 0) {
		if (r.elb_status_code < 400)
			KEYV(o, "outcome", "\"success\"");
		else
			KEYV(o, "outcome", "\"failure\"");
	}
	PUT_TIME(o, "start", r.request_creation_time,
	    r.request_creation_time_z);
	PUT_TIME(o, "end", r.time, r.time_z);
	o = ecs_event_end(f, o, line, n, res);

	o = ecs_source(o, r.client_ip, r.client_port, r.plain);
	if (r.domain_name.p != NULL) {
		OPEN(o, m, "destination");
		PUT_STR(o, "domain", r.domain_name, r.plain);
		CLOSE(o, m);
	}
	OPEN(o, m, "http");
	OPEN(o, m2, "request");
	PUT_STR(o, "method", r.req.method, r.plain);
	if (r.received_bytes >= 0) {
		OPEN(o, m3, "body");
		PUT_INT(o, "bytes", r.received_bytes);
		CLOSE(o, m3);
	}
	CLOSE(o, m2);
	OPEN(o, m2, "response");
	PUT_INT(o, "status_code", r.elb_status_code);
	if (r.sent_bytes >= 0) {
		OPEN(o, m3, "body");
		PUT_INT(o, "bytes", r.sent_bytes);
		CLOSE(o, m3);
	}
	CLOSE(o, m2);
	PUT_STR(o, "version", r.req.version, r.plain);
	CLOSE(o, m);
	o = ecs_url(o, r.req.url, line + n, r.plain);
	if (r.user_agent.p != NULL) {
		OPEN(o, m, "user_agent");
		PUT_STR(o, "original", r.user_agent, r.plain);
		CLOSE(o, m);
	}
	o = ecs_tls(o, r.ssl_cipher, r.ssl_protocol, r.plain);
	o = put_trace_id(o, r.trace_id);

	KEYV(o, "aws", "{\"elb\":{");
	PUT_STR(o, "name", r.elb, r.plain);
	PUT_STR(o, "type", r.type, r.plain);
	KEYV(o, "protocol", "\"http\"");
	o = ecs_backend(o, r.target_ip, r.target_port, r.target_status_code, r.plain);
	o = ecs_times(o, r.request_processing_time, r.target_processing_time,
	    r.response_processing_time);
	PUT_STR(o, "ssl_cipher", r.ssl_cipher, r.plain);
	PUT_STR(o, "ssl_protocol", r.ssl_protocol, r.plain);
	if (r.target_group_arn.p != NULL) {
		OPEN(o, m, "target_group");
		PUT_STR(o, "arn", r.target_group_arn, r.plain);
		CLOSE(o, m);
	}
	PUT_STR(o, "trace_id", r.trace_id, r.plain);
	if (r.chosen_cert_arn.p != NULL) {
		OPEN(o, m, "chosen_cert");
		PUT_STR(o, "arn", r.chosen_cert_arn, r.plain);
		CLOSE(o, m);
	}
	PUT_INT_STR(o, "matched_rule_priority", r.matched_rule_priority);
	o = ecs_list(o, "action_executed", 15, r.actions_executed, ',', r.plain);
	PUT_STR(o, "redirect_url", r.redirect_url, r.plain);
	if (r.error_reason.p != NULL) {
		OPEN(o, m, "error");
		PUT_STR(o, "reason", r.error_reason, r.plain);
		CLOSE(o, m);
	}
	o = ecs_list(o, "target_port", 11, r.target_port_list, ' ', r.plain);
	o = ecs_list(o, "target_status_code", 18, r.target_status_code_list,
	    ' ', r.plain);
	PUT_STR(o, "classification", r.classification, r.plain);
	PUT_STR(o, "classification_reason", r.classification_reason, r.plain);
	PUT_STR(o, "connection_trace_id", r.conn_trace_id, r.plain);
	PUT_STR(o, "transformed_host", r.transformed_host, r.plain);
	PUT_STR(o, "transformed_uri", r.transformed_uri, r.plain);
	PUT_STR(o, "request_transform_status", r.request_transform_status, r.plain);
	o = ecs_extra(o, r.extra);
	*o++ = '}';
	o = jsonw_bytes(o, slice_make(f->aws_tail, f->naws_tail));
	*o++ = '}';
	return o;
}
