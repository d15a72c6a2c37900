/*
 * alb.h: Application Load Balancer access log lines.
 *
 * Spec: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html
 * AWS appends fields over time (18 fields in 2016, 25 by 2018, 29 by 2020,
 * 33 today) and tells readers to ignore trailing fields they do not know, so
 * any line with 18 or more fields is accepted; fields past the 33rd are kept
 * unsplit in `extra`.  Both quoted and unquoted forms are accepted for every
 * field.  Escapes (\xHH) inside values are left as logged: the encoder
 * decodes them.
 *
 * Pure: no I/O, no allocation.  All slices point into the caller's line.
 */
#ifndef ELBSHIP_ALB_H
#define ELBSHIP_ALB_H

#include <stdint.h>

#include "parse/lberr.h"
#include "parse/lbval.h"

#define ALB_MIN_FIELDS 18
#define ALB_KNOWN_FIELDS 33

struct alb_rec {
	int nfields;			/* fields on the line, extras included */
	int plain;			/* no value needs JSON escaping or \xHH
				 * decoding (lbtok_split_plain()) */
	struct slice type;		/* http https h2 grpcs ws wss ... */
	struct slice time;		/* response time, ISO 8601 */
	int time_z;			/* time ended in Z */
	struct slice elb;		/* app/name/id */
	struct slice client_ip;
	uint32_t client_port;
	struct slice target_ip;		/* SLICE_NONE: no target */
	uint32_t target_port;
	struct slice request_processing_time;	/* SLICE_NONE when -1 */
	struct slice target_processing_time;
	struct slice response_processing_time;
	int64_t elb_status_code;	/* -1: absent */
	int64_t target_status_code;	/* -1: absent */
	int64_t received_bytes;		/* -1: absent */
	int64_t sent_bytes;		/* -1: absent */
	struct slice request;		/* raw request line */
	struct lb_request req;
	struct slice user_agent;
	struct slice ssl_cipher, ssl_protocol;
	struct slice target_group_arn;
	struct slice trace_id;
	struct slice domain_name;
	struct slice chosen_cert_arn;
	int64_t matched_rule_priority;	/* -1: absent or rule error */
	struct slice request_creation_time;
	int request_creation_time_z;
	struct slice actions_executed;	/* comma-separated list */
	struct slice redirect_url;
	struct slice error_reason;
	struct slice target_port_list;	/* space-separated list */
	struct slice target_status_code_list;
	struct slice classification;
	struct slice classification_reason;
	struct slice conn_trace_id;
	struct slice transformed_host;
	struct slice transformed_uri;
	struct slice request_transform_status;
	struct slice extra;		/* unsplit fields after the 33rd */
};

/**
 * alb_parse(line, n, rec, err): parse the ALB access log line ${line} (${n}
 * bytes, without newline) into ${rec}.  Returns 0, or -1 with ${err} naming
 * the first bad field.  ${rec} borrows from ${line}.
 */
int alb_parse(const char *line, size_t n, struct alb_rec *rec,
    struct lb_err *err);

/**
 * alb_looks_like(line, n): 1 if the line starts the way ALB lines do (a known
 * type word, then a timestamp), else 0.  Used when the file name does not say.
 */
int alb_looks_like(const char *line, size_t n);

#endif
