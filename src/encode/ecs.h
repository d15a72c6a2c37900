/*
 * ecs.h: turn load balancer log lines into ECS documents (JSON).
 *
 * One call per line: the line's type is known (from the file name or a
 * flag) or guessed from its shape; the line is parsed by its type's parser
 * and written as one JSON object whose field names and types follow
 * Elastic's AWS ELB integration (docs/fields.md lists them all).  A line
 * that does not parse becomes an error document (event.kind
 * "pipeline_error", error.message, event.original), so nothing is lost.
 *
 * An ecs_file holds what is the same for every line of one log file (its
 * origin, labels, cloud account and region from the file name, the id
 * base), rendered once.  No global state: any number may exist at once.
 */
#ifndef ELBSHIP_ECS_H
#define ELBSHIP_ECS_H

#include <stdint.h>

#include "encode/docid.h"
#include "parse/lbname.h"
#include "util/slice.h"

struct ecs_label {
	const char *key;	/* [A-Za-z0-9_-]+ */
	const char *value;
};

/* Settings that hold for a whole run. */
struct ecs_opts {
	int event_original;		/* add event.original to every document */
	const struct ecs_label *labels;	/* user labels -> labels.* */
	size_t nlabels;
	enum lbtype type;		/* LB_UNKNOWN: from name, else per line */
};

/* Where a log file came from. */
struct ecs_origin {
	const char *path;	/* local path, "-" for stdin; or NULL for S3 */
	const char *bucket;	/* S3 bucket, or NULL */
	const char *key;	/* S3 key (decoded), or NULL */
	const char *name;	/* identity override (stdin --name), or NULL */
	int64_t mtime;		/* the file's modification time (Unix s), or 0 */
};

struct ecs_file;

/* What happened to one line. */
struct ecs_result {
	enum lbtype type;	/* type used (LB_UNKNOWN if none matched) */
	int malformed;		/* 1: an error document was written */
	char id[DOCID_MAX];	/* the document id (also in event.id) */
	size_t idlen;
	char error[200];	/* error.message when malformed */
};

/**
 * ecs_file_new(opts, origin): render the per-file parts for ${origin}.
 * ${opts} and its labels are borrowed and must outlive the result.
 * Returns NULL on allocation failure.
 */
struct ecs_file *ecs_file_new(const struct ecs_opts *opts,
    const struct ecs_origin *origin);

/** ecs_file_type(f): the type the file name gives, LB_UNKNOWN if none. */
enum lbtype ecs_file_type(const struct ecs_file *f);

/** ecs_file_identity(f): the identity (file name) the ids are built on. */
const char *ecs_file_identity(const struct ecs_file *f);

/**
 * ecs_bound(f, n): the most bytes ecs_line() can write for a line of ${n}
 * bytes.  Callers make that much room before calling ecs_line().
 */
size_t ecs_bound(const struct ecs_file *f, size_t n);

/**
 * ecs_line(f, line, n, offset, out, res): parse the line ${line} (${n} bytes,
 * no newline, not blank) found at byte ${offset} of the decompressed stream
 * and write its document (no trailing newline) at ${out}, which must have
 * ecs_bound(f, n) bytes.  Returns the end of what was written and fills
 * ${res}.  Never fails: bad lines become error documents.
 */
char *ecs_line(struct ecs_file *f, const char *line, size_t n,
    uint64_t offset, char *out, struct ecs_result *res);

/**
 * ecs_error_doc(f, line, n, offset, msg, out, res): write an error document
 * for a line the caller rejected before parsing (e.g. longer than the line
 * limit: ${line} is then the kept prefix).  Same contract as ecs_line().
 */
char *ecs_error_doc(struct ecs_file *f, const char *line, size_t n,
    uint64_t offset, const char *msg, char *out, struct ecs_result *res);

/**
 * ecs_file_free(f): free ${f}.  ecs_file_free(NULL) does nothing.
 */
void ecs_file_free(struct ecs_file *f);

#endif
