/*
 * cacert.h: where the trusted CA certificates are.
 *
 * Debian's libcurl looks in /etc/ssl/certs/ca-certificates.crt; Amazon
 * Linux 2023 (Lambda's provided.al2023) keeps them in
 * /etc/pki/tls/certs/ca-bundle.crt, so a libcurl built on Debian and run
 * in Lambda finds none and every HTTPS request fails.  Every curl handle
 * elbship makes for HTTPS gets the bundle from here, unless a CA file was
 * configured explicitly.
 */
#ifndef ELBSHIP_CACERT_H
#define ELBSHIP_CACERT_H

/**
 * cacert_path(): $SSL_CERT_FILE if set, else the first CA bundle that
 * exists of the Debian, Amazon Linux / RHEL and Alpine locations, else
 * NULL (leave libcurl's built-in default).  The string is not owned by
 * the caller.
 */
const char *cacert_path(void);

#endif
