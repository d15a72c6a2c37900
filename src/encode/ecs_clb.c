/*
 * ecs_clb.c: Classic ELB access log line -> ECS document.  HTTP listener
 * lines map like ALB lines; TCP/SSL listener lines (no status, no request)
 * get event.category network, aws.elb.protocol tcp, and their byte counts
 * as source.bytes / destination.bytes, as Elastic's integration does.
 */
#include "encode/ecs_int.h"
#include "parse/clb.h"

/* The document of the parsed line ${r}. */
static char *
clb_doc(struct ecs_file *f, const struct clb_rec *r, const char *line,
    size_t n, uint64_t off, char *o, struct ecs_result *res)
{
	char *m, *m2, *m3;

	o = ecs_head(f, o, r->time, r->time_z, off, r->tcp ?
	    ECS_CATTYP("network", "connection") : ECS_CATTYP("web", "access"),
	    res);
	/* After "module":"aws": commas. */
	if (r->elb_status_code >= 0)
		o = r->elb_status_code < 400 ?
		    JW(o, ",\"outcome\":\"success\",\"end\":\"") :
		    JW(o, ",\"outcome\":\"failure\",\"end\":\"");
	else
		o = JW(o, ",\"end\":\"");
	o = jsonw_bytes(o, r->time);
	if (!r->time_z)
		*o++ = 'Z';
	*o++ = '"';
	o = ecs_event_end(f, o, line, n, res);

	o = ecs_source(o, r->client_ip, r->client_port, r->plain);
	if (r->tcp) {
		/* Re-open source to add bytes: simpler to write them apart. */
		if (r->received_bytes >= 0 && r->client_ip.p != NULL) {
			o--;	/* drop source's closing brace */
			PUT_INT(o, "bytes", r->received_bytes);
			*o++ = '}';
		}
		if (r->sent_bytes >= 0) {
			OPEN(o, m, "destination");
			PUT_INT(o, "bytes", r->sent_bytes);
			CLOSE(o, m);
		}
	} else if (r->plain && r->req.method.p != NULL &&
	    r->received_bytes >= 0 && r->elb_status_code >= 0 &&
	    r->sent_bytes >= 0 && r->req.version.p != NULL) {
		/* Every part there (most lines): what the general code below
		 * writes, its fixed text as literals.  Something came before
		 * (event_end's '}' at least): a comma. */
		o = JW(o, ",\"http\":{\"request\":{\"method\":\"");
		o = jsonw_bytes(o, r->req.method);
		o = JW(o, "\",\"body\":{\"bytes\":");
		o = jsonw_u64(o, (uint64_t)r->received_bytes);
		o = JW(o, "}},\"response\":{\"status_code\":");
		o = jsonw_u64(o, (uint64_t)r->elb_status_code);
		o = JW(o, ",\"body\":{\"bytes\":");
		o = jsonw_u64(o, (uint64_t)r->sent_bytes);
		o = JW(o, "}},\"version\":\"");
		o = jsonw_bytes(o, r->req.version);
		o = JW(o, "\"}");
		o = ecs_url(o, r->req.url, line + n, r->plain);
	} else {
		OPEN(o, m, "http");
		OPEN(o, m2, "request");
		PUT_STR(o, "method", r->req.method, r->plain);
		if (r->received_bytes >= 0) {
			OPEN(o, m3, "body");
			PUT_INT(o, "bytes", r->received_bytes);
			CLOSE(o, m3);
		}
		CLOSE(o, m2);
		OPEN(o, m2, "response");
		PUT_INT(o, "status_code", r->elb_status_code);
		if (r->sent_bytes >= 0) {
			OPEN(o, m3, "body");
			PUT_INT(o, "bytes", r->sent_bytes);
			CLOSE(o, m3);
		}
		CLOSE(o, m2);
		PUT_STR(o, "version", r->req.version, r->plain);
		CLOSE(o, m);
		o = ecs_url(o, r->req.url, line + n, r->plain);
	}
	if (r->user_agent.p != NULL) {
		/* Something came before (event_end's '}'): a comma. */
		o = JW(o, ",\"user_agent\":{\"original\":\"");
		o = JSTR(o, r->user_agent, r->plain);
		o = JW(o, "\"}");
	}
	o = ecs_tls(o, r->ssl_cipher, r->ssl_protocol, r->plain);

	o = JW(o, ",\"aws\":{\"elb\":{");
	if (r->elb.p != NULL) {
		o = JW(o, "\"name\":\"");
		o = JSTR(o, r->elb, r->plain);
		o = JW(o, "\",");
	}
	o = r->tcp ? JW(o, "\"protocol\":\"tcp\"") :
	    JW(o, "\"protocol\":\"http\"");
	o = ecs_backend(o, r->backend_ip, r->backend_port, r->backend_status_code, r->plain);
	o = ecs_times(o, r->request_processing_time, r->backend_processing_time,
	    r->response_processing_time);
	/* After "protocol": commas. */
	if (r->ssl_cipher.p != NULL) {
		o = JW(o, ",\"ssl_cipher\":\"");
		o = JSTR(o, r->ssl_cipher, r->plain);
		*o++ = '"';
	}
	if (r->ssl_protocol.p != NULL) {
		o = JW(o, ",\"ssl_protocol\":\"");
		o = JSTR(o, r->ssl_protocol, r->plain);
		*o++ = '"';
	}
	o = ecs_extra(o, r->extra);
	*o++ = '}';
	o = jsonw_bytes(o, slice_make(f->aws_tail, f->naws_tail));
	*o++ = '}';
	return o;
}

char *
ecs_clb(struct ecs_file *f, const char *line, size_t n, uint64_t off,
    char *o, struct ecs_result *res)
{
	struct clb_rec r;
	struct lb_err err;

	if (clb_parse(line, n, &r, &err) != 0)
		return ecs_parse_error(f, line, n, off, LB_CLB,
		    &err, o, res);
	return clb_doc(f, &r, line, n, off, o, res);
}

/*
 * ecs_clb_sniffed(): see ecs_int.h.  Parsed with its client ip:port there,
 * the line has the shape clb_looks_like() checks.
 */
char *
ecs_clb_sniffed(struct ecs_file *f, const char *line, size_t n,
    uint64_t off, char *o, struct ecs_result *res)
{
	struct clb_rec r;
	struct lb_err err;

	if (clb_parse(line, n, &r, &err) != 0 || r.client_ip.p == NULL)
		return NULL;
	return clb_doc(f, &r, line, n, off, o, res);
}
