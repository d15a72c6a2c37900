/*
 * lbfield.h: helpers shared by the per-type parsers to check one token and
 * store it.  Internal to src/parse; each returns 0 or -1 with the error set.
 */
#ifndef ELBSHIP_LBFIELD_H
#define ELBSHIP_LBFIELD_H

#include "parse/lberr.h"
#include "parse/lbtok.h"
#include "parse/lbval.h"

struct lbfield_ctx {
	const struct lbtok *tok;
	int ntok;
	const char *const *names;	/* field names, index 0 = field 1 */
	struct lb_err *err;
	const char *end;		/* the line's end: what may be read */
};

static inline struct slice
lbf_raw(const struct lbfield_ctx *c, int i)
{
	return i < c->ntok ? slice_make(c->tok[i].p, c->tok[i].n) : SLICE_NONE;
}

static inline int
lbf_fail(const struct lbfield_ctx *c, int i, const char *what)
{
	return lb_err_set(c->err, i + 1, c->names[i], what, lbf_raw(c, i));
}

/* A free-form string; `-` is absent.  Fields past the line's end are absent. */
static inline struct slice
lbf_str(const struct lbfield_ctx *c, int i)
{
	return i < c->ntok ? lbtok_value(&c->tok[i]) : SLICE_NONE;
}

/* A time; `-` is absent. */
static inline int
lbf_time(const struct lbfield_ctx *c, int i, struct slice *out, int *has_z)
{
	int z;

	*out = lbf_str(c, i);
	if (out->p == NULL)
		return 0;
	if (lbval_time(*out, &z))
		return lbf_fail(c, i, "not an ISO 8601 time");
	if (has_z)
		*has_z = z;
	return 0;
}

/* A non-negative integer no greater than max; `-` and `-1` are absent (-1). */
static inline int
lbf_int(const struct lbfield_ctx *c, int i, uint64_t max, int64_t *out)
{
	struct slice s = lbf_str(c, i);
	uint64_t v;

	*out = -1;
	if (s.p == NULL || (s.n == 2 && s.p[0] == '-' && s.p[1] == '1'))
		return 0;
	if (lbval_uint(s, max, &v))
		return lbf_fail(c, i, "not an integer in range");
	*out = (int64_t)v;
	return 0;
}

/* A decimal number copied into JSON as is; `-` and `-1` are absent. */
static inline int
lbf_dec(const struct lbfield_ctx *c, int i, struct slice *out)
{
	*out = lbf_str(c, i);
	if (out->p == NULL)
		return 0;
	if (out->n == 2 && out->p[0] == '-' && out->p[1] == '1') {
		*out = SLICE_NONE;
		return 0;
	}
	if (lbval_dec(*out))
		return lbf_fail(c, i, "not a decimal number");
	return 0;
}

/* ip:port; `-` is absent. */
static inline int
lbf_ipport(const struct lbfield_ctx *c, int i, struct slice *ip, uint32_t *port)
{
	struct slice s = lbf_str(c, i);

	*ip = SLICE_NONE;
	*port = 0;
	if (s.p == NULL)
		return 0;
	if (lbval_ipport_in(s, (size_t)(c->end - s.p), ip, port))
		return lbf_fail(c, i, "not an ip:port");
	return 0;
}

#endif
