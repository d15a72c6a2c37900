/*
 * docid.h: deterministic document ids.
 *
 * id = HEX20(SHA-256(identity)) "-" decimal(offset)
 *
 * where identity is the log file's name without directory and without a
 * trailing ".gz", and offset is the byte offset of the line in the
 * decompressed stream.  AWS makes ELB log file names unique (account,
 * region, load balancer, interval end, node IP and a random part), so the
 * same line gets the same id whether it is read by the Lambda from S3, by
 * a backfill, or from a local (even gunzipped) copy, and a retried write
 * with op_type=create gives 409 instead of a duplicate.  80 bits of hash
 * make a collision between two file names negligible (p < 1e-5 at 10^9
 * files); the readable offset lets a person find the line from the id.
 */
#ifndef ELBSHIP_DOCID_H
#define ELBSHIP_DOCID_H

#include <stdint.h>

#include "util/slice.h"

#define DOCID_BASE_LEN 20
#define DOCID_MAX 48		/* base, '-', 20 digits, NUL: 42 */

/**
 * docid_identity(name): the identity part of the file name or S3 key
 * ${name}: the part after the last '/', without a trailing ".gz".
 */
struct slice docid_identity(struct slice name);

/**
 * docid_base(identity, out): write the DOCID_BASE_LEN hex digits for
 * ${identity} into ${out} (not NUL-terminated).
 */
void docid_base(struct slice identity, char out[DOCID_BASE_LEN]);

/**
 * docid_make(base, offset, out): write base "-" offset, NUL-terminated, into
 * ${out} (DOCID_MAX bytes); returns the length.
 */
size_t docid_make(const char base[DOCID_BASE_LEN], uint64_t offset,
    char out[DOCID_MAX]);

#endif
