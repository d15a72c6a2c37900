/*
 * nlb.h: Network Load Balancer access log lines (TLS listeners only).
 *
 * Spec: https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html
 * 22 fields today; lines with 18 or more are accepted (older logs lack the
 * ALPN fields and tls_connection_creation_time), and fields past the 22nd are
 * kept unsplit in `extra`.  Times come with or without a fraction and `Z`.
 *
 * Pure: no I/O, no allocation.  All slices point into the caller's line.
 */
#ifndef ELBSHIP_NLB_H
#define ELBSHIP_NLB_H

#include <stdint.h>
#include <string.h>

#include "parse/lberr.h"
#include "parse/lbval.h"

#define NLB_MIN_FIELDS 18
#define NLB_KNOWN_FIELDS 22

struct nlb_rec {
	int nfields;
	int plain;			/* no value of fields 1-20 needs JSON
				 * escaping or \xHH decoding
				 * (lbtok_split_lead()); the later ones
				 * are always escaped */
	struct slice type;		/* tls */
	struct slice version;		/* 2.0 */
	struct slice time;
	int time_z;
	struct slice elb;		/* net/name/id */
	struct slice listener;
	struct slice client_ip;
	uint32_t client_port;
	struct slice destination_ip;
	uint32_t destination_port;
	struct slice connection_time;	/* ms; SLICE_NONE when - */
	struct slice tls_handshake_time;	/* ms */
	int64_t received_bytes, sent_bytes;
	struct slice incoming_tls_alert;
	struct slice chosen_cert_arn;
	struct slice chosen_cert_serial;
	struct slice tls_cipher;
	struct slice tls_protocol_version;
	struct slice tls_named_group;
	struct slice domain_name;
	struct slice alpn_fe_protocol;
	struct slice alpn_be_protocol;
	struct slice alpn_client_preference_list;
	struct slice tls_connection_creation_time;
	int tls_connection_creation_time_z;
	struct slice extra;
};

/**
 * nlb_parse(line, n, rec, err): parse the NLB line ${line} (${n} bytes, no
 * newline) into ${rec}.  Returns 0, or -1 with ${err} naming the first bad
 * field.  ${rec} borrows from ${line}.
 */
int nlb_parse(const char *line, size_t n, struct nlb_rec *rec,
    struct lb_err *err);

/** nlb_looks_like(line, n): 1 if the line starts "tls 2.0 ", else 0.
 * Inline: a file not named as AWS names logs asks it of every line. */
static inline int
nlb_looks_like(const char *line, size_t n)
{
	return n > 8 && memcmp(line, "tls 2.0 ", 8) == 0;
}

#endif
