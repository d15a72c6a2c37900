/*
 * clb.h: Classic Load Balancer access log lines.
 *
 * Spec: https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html
 * 15 fields.  HTTP/HTTPS listeners log a request line and status codes; TCP
 * and SSL listeners log `- -` for the statuses and "- - - " as the request,
 * and their byte counts cover the whole connection.  Fields after the 15th
 * (AWS has never added any) are kept unsplit in `extra`, not rejected.
 *
 * Pure: no I/O, no allocation.  All slices point into the caller's line.
 */
#ifndef ELBSHIP_CLB_H
#define ELBSHIP_CLB_H

#include <stdint.h>

#include "parse/lberr.h"
#include "parse/lbval.h"

#define CLB_FIELDS 15

struct clb_rec {
	int nfields;
	int plain;			/* no value needs JSON escaping or \xHH
				 * decoding (lbtok_split_plain()) */
	struct slice time;
	int time_z;
	struct slice elb;
	struct slice client_ip;
	uint32_t client_port;
	struct slice backend_ip;	/* SLICE_NONE: not dispatched */
	uint32_t backend_port;
	struct slice request_processing_time;	/* SLICE_NONE when -1 */
	struct slice backend_processing_time;
	struct slice response_processing_time;
	int64_t elb_status_code;	/* -1: absent (TCP/SSL) */
	int64_t backend_status_code;
	int64_t received_bytes;
	int64_t sent_bytes;
	struct slice request;
	struct lb_request req;
	struct slice user_agent;
	struct slice ssl_cipher, ssl_protocol;
	int tcp;			/* a TCP/SSL listener line */
	struct slice extra;
};

/**
 * clb_parse(line, n, rec, err): parse the Classic ELB line ${line} (${n}
 * bytes, no newline) into ${rec}.  Returns 0, or -1 with ${err} naming the
 * first bad field.  ${rec} borrows from ${line}.
 */
int clb_parse(const char *line, size_t n, struct clb_rec *rec,
    struct lb_err *err);

/**
 * clb_looks_like(line, n): 1 if the line starts like a Classic ELB line
 * (timestamp, name, ip:port), else 0.
 */
int clb_looks_like(const char *line, size_t n);

#endif
