/*
 * lberr.h: how a parser says what was wrong with a line, without allocating.
 *
 * The parser fills in which field (1-based position and name), a fixed
 * description, and the offending bytes (a slice of the line).  The encoder
 * turns that into error.message, e.g.
 *   field 9 (elb_status_code): not an integer: "abc"
 */
#ifndef ELBSHIP_LBERR_H
#define ELBSHIP_LBERR_H

#include "util/slice.h"

struct lb_err {
	int field;		/* 1-based field number, 0 for the whole line */
	const char *name;	/* static field name, or NULL */
	const char *what;	/* static description */
	struct slice val;	/* offending bytes (may be SLICE_NONE) */
};

static inline int
lb_err_set(struct lb_err *e, int field, const char *name, const char *what,
    struct slice val)
{
	e->field = field;
	e->name = name;
	e->what = what;
	e->val = val;
	return -1;
}

/**
 * lb_err_format(e, buf, cap): write a one-line description of ${e} into
 * ${buf} (NUL-terminated, truncated to ${cap}); returns the length written.
 */
size_t lb_err_format(const struct lb_err *e, char *buf, size_t cap);

#endif
