/*
 * cacert.c: see cacert.h.
 */
#include <stdlib.h>
#include <unistd.h>

#include "util/cacert.h"

const char *
cacert_path(void)
{
	static const char *const paths[] = {
		"/etc/ssl/certs/ca-certificates.crt",		/* Debian, Ubuntu */
		"/etc/pki/tls/certs/ca-bundle.crt",		/* Amazon Linux, RHEL */
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
		"/etc/ssl/cert.pem",				/* Alpine, macOS */
	};
	const char *env = getenv("SSL_CERT_FILE");
	size_t i;

	if (env != NULL && *env != '\0')
		return env;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], R_OK) == 0)
			return paths[i];
	return NULL;
}
