/*
 * lbval.h: checks and conversions for the value shapes that load balancer
 * logs use (timestamps, integers, decimals, IP addresses, ip:port, HTTP
 * request lines, URLs).  Pure: no I/O, no allocation.  Every function that
 * returns an int returns 0 on success and -1 if the value has the wrong
 * shape, leaving outputs unspecified.
 */
#ifndef ELBSHIP_LBVAL_H
#define ELBSHIP_LBVAL_H

#include <stdint.h>

#include "util/slice.h"

/**
 * lbval_time(s, has_z): ${s} is an ISO 8601 UTC time as AWS writes it:
 * YYYY-MM-DDTHH:MM:SS, an optional fraction of 1 to 9 digits, an optional
 * `Z`.  *${has_z} tells whether the `Z` was there.
 */
int lbval_time(struct slice s, int *has_z);

/**
 * lbval_uint(s, max, v): ${s} is a decimal integer (1 to 19 digits) no greater
 * than ${max}; its value goes to *${v}.
 */
int lbval_uint(struct slice s, uint64_t max, uint64_t *v);

/**
 * lbval_dec(s): ${s} is a non-negative decimal number in JSON's grammar
 * (no sign, no leading zeros, optional fraction with at least one digit),
 * at most 15 digits before the point and 9 after (exact in a double, as
 * Elasticsearch stores it), so it can be copied into JSON as is.
 */
int lbval_dec(struct slice s);

/**
 * lbval_ip(s): ${s} is an IPv4 (dotted quad) or IPv6 address (RFC 4291 text
 * form, no brackets, no zone).
 */
int lbval_ip(struct slice s);

/**
 * lbval_ipport(s, ip, port): ${s} is `ADDR:PORT` where ADDR is IPv4, IPv6 or
 * `[IPv6]`; split at the last colon.  *${ip} gets the address without
 * brackets, *${port} the port (0-65535).
 */
int lbval_ipport(struct slice s, struct slice *ip, uint32_t *port);

/**
 * lbval_ipport_in(s, readable, ip, port): lbval_ipport(), told that the
 * ${readable} bytes from s.p (at least s.n: the rest of the line, say)
 * may be read; with 16 of them it looks at an IPv4 ip:port at once.
 */
int lbval_ipport_in(struct slice s, size_t readable, struct slice *ip,
    uint32_t *port);

/* An HTTP request line as AWS logs it: METHOD URL PROTOCOL/VERSION. */
struct lb_request {
	struct slice method;	/* SLICE_NONE if `-` */
	struct slice url;	/* SLICE_NONE if `-` */
	struct slice version;	/* "1.1" for "HTTP/1.1"; SLICE_NONE if `-` */
};

/**
 * lbval_request(s, r): split the request line ${s} (the inside of the quotes)
 * into ${r}.  Never fails: AWS logs malformed requests as the client sent
 * them, so whatever cannot be split is kept in r->url.  "- - -" and "- - - "
 * (no request: TCP listeners, early errors) give three absent parts.
 */
void lbval_request(struct slice s, struct lb_request *r);

/* The parts of a URL, as slices of it; absent parts are SLICE_NONE. */
struct lb_url {
	struct slice scheme, domain, path, query, fragment;
	int32_t port;		/* -1 if absent */
	/*
	 * url.extension as ECS defines it: what follows the last '.' of the
	 * path's last segment ("/a/app.3f2a.js" -> "js"); absent when that
	 * segment has no dot or ends with one.  (Elastic's uri_parts takes
	 * the path's last '.' wherever it is, so "/v1.2/users" gives it
	 * "2/users"; elbship does not follow it there.)
	 */
	struct slice extension;
};

/**
 * lbval_url(s, u): split the URL ${s} (absolute `scheme://host[:port]/path?q`
 * or a relative `/path?q`).  Returns -1 (with ${u} partly filled) if ${s} is
 * not a URL of either form; callers then keep only url.original.
 */
int lbval_url(struct slice s, struct lb_url *u);

/**
 * lbval_url_in(s, readable, u): lbval_url(), told that the ${readable}
 * bytes from s.p (at least s.n: the rest of the line, say) may be read;
 * with 64 of them, a URL of at most 64 bytes that is relative or http(s)
 * with a host name is split in one look at its bytes.
 */
int lbval_url_in(struct slice s, size_t readable, struct lb_url *u);

#endif
