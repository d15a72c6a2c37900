/*
 * curlx.h: the libcurl easy-handle setup every elbship request shares, in
 * one place: timeouts, stall detection, TCP keepalive, user agent, no
 * signals, and TLS (CA bundle, client certificate, verification).
 *
 * Each client (S3, the credential providers, Secrets Manager and SSM, the
 * Lambda Runtime API, the sinks, `elbship setup`) fills a struct
 * curlx_opts from its own settings and calls curlx_apply() on a new or
 * curl_easy_reset() handle, then sets what is its own (URL, method, body,
 * headers, callbacks).  So a TLS or timeout rule (Lambda's CA bundle
 * location: util/cacert.h) is written once, and reads the same everywhere.
 *
 * A leaf module: it knows libcurl and cacert.h, nothing of elbship's
 * settings.
 */
#ifndef ELBSHIP_CURLX_H
#define ELBSHIP_CURLX_H

#include <curl/curl.h>

/* What every request says it is, unless told otherwise. */
#define CURLX_USER_AGENT "elbship"

/*
 * Zero-initialise, then set what applies: all zeros is "no limits,
 * User-Agent elbship, the system's CA bundle, verification on".
 */
struct curlx_opts {
	long timeout_ms;	/* the whole transfer; 0: no limit */
	long connect_timeout_ms; /* connecting; 0: libcurl's default (300 s) */
	long stall_ms;		/* abort a transfer that moves less than 1
				 * byte/s for this long (rounded up to whole
				 * seconds); 0: never */
	int keepalive;		/* TCP keepalive probes on idle connections */
	const char *user_agent;	/* NULL: CURLX_USER_AGENT */
	const char *ca_file;	/* PEM bundle; NULL: cacert_path(), else
				 * libcurl's built-in default */
	const char *cert_file;	/* client certificate (PEM); NULL: none */
	const char *key_file;	/* its private key; NULL: in cert_file */
	int insecure;		/* skip certificate and host name checks */
};

/**
 * curlx_apply(easy, o): set ${o} on the easy handle ${easy}, and
 * CURLOPT_NOSIGNAL (elbship is multi-threaded: no SIGALRM for DNS
 * timeouts).  The strings in ${o} are copied by libcurl; ${o} may go
 * after the call.  Options not named in struct curlx_opts are left as
 * they are.
 */
void curlx_apply(CURL *easy, const struct curlx_opts *o);

/**
 * curlx_connect(url, o, fd, cc): a connection to ${url} (http://HOST:PORT,
 * or https:// for TLS) with ${o} applied, and nothing sent on it
 * (CURLOPT_CONNECT_ONLY): the caller speaks its own protocol with
 * curl_easy_send() and curl_easy_recv().  Returns the handle (the
 * caller's, to curl_easy_cleanup()) with its socket in *${fd}, or NULL
 * with the reason in *${cc}.
 */
CURL *curlx_connect(const char *url, const struct curlx_opts *o,
    curl_socket_t *fd, CURLcode *cc);

#endif
