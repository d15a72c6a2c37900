/*
 * curlx.c: see curlx.h.
 */
#include <curl/curl.h>

#include "util/cacert.h"
#include "util/curlx.h"

void
curlx_apply(CURL *e, const struct curlx_opts *o)
{
	const char *ca = o->ca_file != NULL ? o->ca_file : cacert_path();

	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	if (o->stall_ms > 0) {
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
		    (o->stall_ms + 999) / 1000);
	}
	if (o->keepalive)
		curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT,
	    o->user_agent != NULL ? o->user_agent : CURLX_USER_AGENT);
	if (ca != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, ca);
	if (o->cert_file != NULL)
		curl_easy_setopt(e, CURLOPT_SSLCERT, o->cert_file);
	if (o->key_file != NULL)
		curl_easy_setopt(e, CURLOPT_SSLKEY, o->key_file);
	if (o->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

/**
 * curlx_connect(url, o, fd, cc): see curlx.h.
 */
CURL *
curlx_connect(const char *url, const struct curlx_opts *o, curl_socket_t *fd,
    CURLcode *cc)
{
	CURL *e = curl_easy_init();

	*fd = CURL_SOCKET_BAD;
	if (e == NULL) {
		*cc = CURLE_OUT_OF_MEMORY;
		return NULL;
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
	curlx_apply(e, o);
	*cc = curl_easy_perform(e);
	if (*cc == CURLE_OK &&
	    curl_easy_getinfo(e, CURLINFO_ACTIVESOCKET, fd) == CURLE_OK &&
	    *fd != CURL_SOCKET_BAD)
		return e;
	if (*cc == CURLE_OK)
		*cc = CURLE_COULDNT_CONNECT;
	*fd = CURL_SOCKET_BAD;
	curl_easy_cleanup(e);
	return NULL;
}
