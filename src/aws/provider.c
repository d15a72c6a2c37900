/*
 * provider.c: cached, refreshing AWS credentials.  See provider.h.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/provider.h"
#include "util/xalloc.h"

void
aws_provider_init(struct aws_provider *p)
{
	memset(p, 0, sizeof(*p));
	p->env = aws_env_process();
	pthread_mutex_init(&p->mu, NULL);
}

int
aws_provider_get(void *arg, struct sigv4_creds *out, char *err, size_t cap)
{
	struct aws_provider *p = arg;
	struct aws_creds *c;
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	c = p->nsets ? &p->sets[p->nsets - 1] : NULL;
	if (c == NULL || aws_creds_expiring(c, (int64_t)time(NULL))) {
		struct aws_creds fresh;

		memset(&fresh, 0, sizeof(fresh));
		if (aws_creds_load(&fresh, &p->env, err, cap) != 0) {
			aws_creds_free(&fresh);
			rc = -1;
			goto out;
		}
		p->sets = xrealloc(p->sets, (p->nsets + 1) * sizeof(*p->sets));
		p->sets[p->nsets++] = fresh;
		c = &p->sets[p->nsets - 1];
	}
	out->access_key = c->access_key;
	out->secret_key = c->secret_key;
	out->session_token = c->session_token;
out:
	pthread_mutex_unlock(&p->mu);
	return rc;
}

void
aws_provider_free(struct aws_provider *p)
{
	size_t i;

	for (i = 0; i < p->nsets; i++)
		aws_creds_free(&p->sets[i]);
	free(p->sets);
	p->sets = NULL;
	p->nsets = 0;
	pthread_mutex_destroy(&p->mu);
}
