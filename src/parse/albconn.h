/*
 * albconn.h: Application Load Balancer connection log lines.
 *
 * Spec: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-connection-logs.html
 * 15 fields today; lines with 11 or more are accepted (fields were appended
 * in 2024 and 2025), and fields past the 15th are kept unsplit in `extra`.
 * Field 8 (leaf_client_cert_subject) is quoted; `-` and "-" both mean absent.
 *
 * Pure: no I/O, no allocation.  All slices point into the caller's line.
 */
#ifndef ELBSHIP_ALBCONN_H
#define ELBSHIP_ALBCONN_H

#include <stdint.h>

#include "parse/lberr.h"
#include "parse/lbval.h"

#define ALBCONN_MIN_FIELDS 11
#define ALBCONN_KNOWN_FIELDS 15

struct albconn_rec {
	int nfields;
	int plain;			/* no value needs JSON escaping or \xHH
				 * decoding (lbtok_split_plain()) */
	struct slice time;
	int time_z;
	struct slice client_ip;
	uint32_t client_port;
	int64_t listener_port;
	struct slice tls_protocol;
	struct slice tls_cipher;
	struct slice tls_handshake_latency;	/* seconds */
	struct slice leaf_client_cert_subject;
	struct slice cert_not_before;		/* from leaf_client_cert_validity */
	struct slice cert_not_after;
	int cert_not_before_z, cert_not_after_z;
	struct slice leaf_client_cert_serial_number;
	struct slice tls_verify_status;		/* Success, or Failed */
	struct slice tls_verify_error;		/* the code after "Failed:" */
	struct slice conn_trace_id;
	struct slice tls_keyexchange;
	struct slice elb;
	struct slice ip_address;		/* load balancer node */
	struct slice extra;
};

/**
 * albconn_parse(line, n, rec, err): parse the connection log line ${line}
 * (${n} bytes, no newline) into ${rec}.  Returns 0, or -1 with ${err}
 * naming the first bad field.  ${rec} borrows from ${line}.
 */
int albconn_parse(const char *line, size_t n, struct albconn_rec *rec,
    struct lb_err *err);

/**
 * albconn_looks_like(line, n): 1 if the line starts like a connection log
 * line (timestamp, bare IP, port), else 0.
 */
int albconn_looks_like(const char *line, size_t n);

#endif
