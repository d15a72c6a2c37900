/*
 * s3scan.c: which objects of an S3 prefix a backfill takes.  See s3scan.h.
 */
#include <stdio.h>
#include <string.h>

#include "core/s3scan.h"
#include "core/state.h"

int
s3scan_norm_time(const char *s, char out[16])
{
	char d[13];
	size_t j = 0, i;

	for (i = 0; s[i] != '\0' && j < 12; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d[j++] = s[i];
		else if (s[i] != '-' && s[i] != 'T' && s[i] != ':' && s[i] != 'Z')
			return -1;
	}
	if (j != 8 && j != 12)
		return -1;
	while (j < 12)
		d[j++] = '0';
	snprintf(out, 16, "%.8sT%.4sZ", d, d + 8);
	return 0;
}

int
s3scan_lb_matches(struct slice lb, const char *want)
{
	const char *p = lb.p, *e = lb.p + lb.n, *dot;

	if (lb.n > 4 && (memcmp(p, "app.", 4) == 0 || memcmp(p, "net.", 4) == 0)) {
		p += 4;
		dot = memchr(p, '.', (size_t)(e - p));
		if (dot != NULL)
			e = dot;
	}
	return strlen(want) == (size_t)(e - p) &&
	    memcmp(p, want, (size_t)(e - p)) == 0;
}

int
s3scan_init(struct s3scan *sc, const char *bucket, const char *since,
    const char *until, const char *lb, enum lbtype type, char *err,
    size_t cap)
{
	memset(sc, 0, sizeof(*sc));
	sc->bucket = bucket;
	sc->lb = lb;
	sc->type = type;
	if ((since != NULL && s3scan_norm_time(since, sc->since) != 0) ||
	    (until != NULL && s3scan_norm_time(until, sc->until) != 0)) {
		snprintf(err, cap, "--since/--until want a time like "
		    "2025-11-03 or 2025-11-03T10:20Z");
		return -1;
	}
	return 0;
}

int
s3scan_wanted(const struct s3scan *sc, const char *key)
{
	const char *base = strrchr(key, '/');
	struct lbname nm;

	base = base ? base + 1 : key;
	if (!lbname_is_log(base, strlen(base)) ||
	    lbname_parse(base, strlen(base), &nm) != 0)
		return 0;
	if (sc->since[0] != '\0' && memcmp(nm.end.p, sc->since, 14) < 0)
		return 0;
	if (sc->until[0] != '\0' && memcmp(nm.end.p, sc->until, 14) >= 0)
		return 0;
	if (sc->lb != NULL && !s3scan_lb_matches(nm.lb, sc->lb))
		return 0;
	if (sc->type != LB_UNKNOWN && nm.type != sc->type)
		return 0;
	return 1;
}

enum s3scan_verdict
s3scan_check(struct s3scan *sc, const char *key)
{
	if (!s3scan_wanted(sc, key)) {
		sc->other++;
		return S3SCAN_OTHER;
	}
	sc->wanted++;
	if (state_has(sc->state, sc->bucket, key)) {
		sc->done++;
		return S3SCAN_DONE;
	}
	return S3SCAN_TAKE;
}

static int
on_listed(void *arg, const struct s3_object *o)
{
	struct s3scan *sc = arg;

	if (sc->stop != NULL && *sc->stop)
		return 1;
	if (s3scan_check(sc, o->key) != S3SCAN_TAKE)
		return 0;
	return sc->take(sc->arg, o) != 0;
}

int
s3scan_list(struct s3scan *sc, struct s3_client *c, const char *prefix,
    char *err, size_t cap)
{
	int r = s3_list(c, sc->bucket, prefix, NULL, on_listed, sc, err, cap);

	return r < 0 ? -1 : r > 0 ? 1 : 0;
}
