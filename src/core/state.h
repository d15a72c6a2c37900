/*
 * state.h: the resume file of S3 objects done (`--state FILE`), shared by
 * `elbship ship s3://...` (an object is done once every line is delivered)
 * and `elbship enqueue` (once SQS has confirmed its message).
 *
 * Format (version 2): a first line "# elbship state 2", then one line per
 * object done, "bucket/key" with every byte that could break a line or be
 * mistaken for an escape percent-encoded: controls (0x00-0x1f, 0x7f), space
 * and '%' become %XX (uppercase hex); everything else, UTF-8 included, is
 * kept, so the file stays readable and grep-able.  So a key holding a
 * newline is one line, and no key can pose as another.
 *
 * A file without the header is the plain format of earlier versions (raw
 * "bucket/key" lines); it is read as such and rewritten in version 2 (to a
 * temporary file, fsync'd, renamed over it) before anything is appended.
 *
 * Durability: each state_record() is one write(2) of whole lines followed
 * by fdatasync(2), so after a crash the file holds every object recorded
 * and at most one torn last line; a torn last line (no final newline) is
 * ignored when the file is read and cut off before the next append.
 *
 * Not thread-safe: the caller serialises calls on one struct state.  No
 * global state.
 */
#ifndef ELBSHIP_STATE_H
#define ELBSHIP_STATE_H

#include <stddef.h>

#define STATE_HEADER "# elbship state 2\n"

struct state;

/**
 * state_open(path, err, cap): read the resume file ${path} (missing is
 * fine: it is created) and open it for appending.  NULL with a one-line
 * message naming the file if it cannot be read or written.
 */
struct state *state_open(const char *path, char *err, size_t cap);

/** state_count(s): objects recorded (read and added). */
size_t state_count(const struct state *s);

/** state_has(s, bucket, key): 1 if s3://${bucket}/${key} is recorded. */
int state_has(const struct state *s, const char *bucket, const char *key);

/**
 * state_add(s, bucket, key): record s3://${bucket}/${key} in memory and
 * append its line to the file (not yet durable: see state_sync()).  Already
 * recorded: nothing is written.  0, or -1 with errno if the write failed.
 */
int state_add(struct state *s, const char *bucket, const char *key);

/** state_sync(s): make what state_add() wrote durable; 0 or -1 (errno). */
int state_sync(struct state *s);

/**
 * state_record(s, bucket, key): state_add() then state_sync(); 0, or -1
 * with a one-line message in ${err}.
 */
int state_record(struct state *s, const char *bucket, const char *key,
    char *err, size_t cap);

/** state_free(s): close the file and free ${s}; NULL is fine. */
void state_free(struct state *s);

/**
 * state_encode(s, n, out, cap): the line form of the ${n} bytes at ${s}
 * (without the newline), as snprintf: returns the full length, writes at
 * most ${cap} bytes including a NUL.
 */
size_t state_encode(const char *s, size_t n, char *out, size_t cap);

/**
 * state_decode(s): decode a line in place (%XX -> byte; anything else as
 * it is).  Returns the new length; -1 if it decodes to a NUL byte (such a
 * line names no S3 object and is ignored).
 */
long state_decode(char *s);

#endif
