/*
 * sink.c: the tally helpers of the delivery contract.  See sink.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink/sink.h"
#include "util/xalloc.h"

void
sink_settle(struct sink *s, struct sink_tally *t, enum sink_outcome o,
    uint64_t n, const char *cause)
{
	if (n == 0)
		return;
	s->total.n[o] += n;
	if (t == NULL)
		return;
	t->n[o] += n;
	if (o == SINK_UNDELIVERED && t->cause[0] == '\0' && cause != NULL)
		snprintf(t->cause, sizeof(t->cause), "%s", cause);
}

void
sink_tally_init(struct sink_tally *t)
{
	memset(t, 0, sizeof(*t));
}

uint64_t
sink_tally_settled(const struct sink_tally *t)
{
	return t->n[SINK_OK] + t->n[SINK_DUPLICATE] +
	    t->n[SINK_DEAD_LETTERED] + t->n[SINK_UNDELIVERED];
}

void
sink_tally_add(struct sink_tally *sum, const struct sink_tally *t)
{
	int i;

	sum->taken += t->taken;
	sum->bytes += t->bytes;
	for (i = 0; i < SINK_NOUTCOMES; i++)
		sum->n[i] += t->n[i];
	if (sum->cause[0] == '\0' && t->cause[0] != '\0')
		snprintf(sum->cause, sizeof(sum->cause), "%s", t->cause);
}

uint64_t
sink_tally_unsent(struct sink_tally *t, uint64_t docs, const char *why)
{
	uint64_t settled = sink_tally_settled(t), n;

	if (docs <= settled)
		return 0;
	n = docs - settled;
	t->n[SINK_UNDELIVERED] += n;
	if (t->cause[0] == '\0' && why != NULL)
		snprintf(t->cause, sizeof(t->cause), "%s", why);
	return n;
}

void
sink_prep_free(struct sink_prep *p)
{
	buf_free(&p->data);
	p->ok = 0;
}

void
sink_scratch_free(struct sink_scratch *ws)
{
	buf_free(&ws->work);
}

char *
sink_conn_url(const char *url, const char *plain, const char *tls,
    const char *kind, const char *note, char *err, size_t cap)
{
	size_t lp = strlen(plain), lt = strlen(tls);
	const char *hp;
	char *out;
	int is_tls;

	if (strncmp(url, plain, lp) == 0 && strncmp(url + lp, "://", 3) == 0) {
		is_tls = 0;
		hp = url + lp + 3;
	} else if (strncmp(url, tls, lt) == 0 &&
	    strncmp(url + lt, "://", 3) == 0) {
		is_tls = 1;
		hp = url + lt + 3;
	} else {
		snprintf(err, cap, "a Logstash %s URL is %s://HOST:PORT or "
		    "%s://HOST:PORT%s, not '%s'", kind, plain, tls, note, url);
		return NULL;
	}
	if (strchr(hp, ':') == NULL || strchr(hp, '/') != NULL) {
		snprintf(err, cap, "a Logstash %s URL needs HOST:PORT and no "
		    "path: '%s'", kind, url);
		return NULL;
	}
	out = xmalloc(strlen(hp) + 16);
	sprintf(out, "%s://%s", is_tls ? "https" : "http", hp);
	return out;
}
