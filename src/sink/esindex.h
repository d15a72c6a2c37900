/*
 * esindex.h: index patterns (--es-index), pure functions.
 *
 * A data stream or index name in which "{type}" becomes the log type's
 * dataset name (alb, clb, nlb, albconn; "unknown" for undetected lines),
 * and "{date}" / "{month}" the UTC day (YYYY.MM.DD) / month (YYYY.MM) of
 * each document's @timestamp.  A pattern with {date} or {month} names
 * dated indices: a document's target is then a function of the document
 * alone, so a re-send however late meets its first copy (409) -- which a
 * data stream cannot promise once it has rolled over to a new backing
 * index.
 */
#ifndef ELBSHIP_ESINDEX_H
#define ELBSHIP_ESINDEX_H

#include <stddef.h>

#include "parse/lbname.h"

/**
 * es_index_name(pattern, type, out, cap): ${pattern} with {type} replaced
 * for ${type}; {date} and {month} are left as they are.
 */
void es_index_name(const char *pattern, enum lbtype type, char *out,
    size_t cap);

/**
 * es_index_render(pattern, type, ts, out, cap): ${pattern} for ${type}
 * (an enum lbtype; out of range: "unknown") and the day of ${ts}
 * ("YYYY-MM-DD...", or NULL: {date} and {month} are left as they are).
 * Always NUL-terminates (cap > 0).
 */
void es_index_render(const char *pattern, int type, const char *ts,
    char *out, size_t cap);

/** es_index_glob(pattern, out, cap): ${pattern} with each placeholder "*". */
void es_index_glob(const char *pattern, char *out, size_t cap);

/** es_index_dated(pattern): 1 if ${pattern} has {date} or {month}. */
int es_index_dated(const char *pattern);

/**
 * es_index_check(pattern, err, cap): 0 if ${pattern} renders to names
 * Elasticsearch accepts (lowercase, none of \ / * ? " < > | space , # :,
 * not starting with - _ + .; at most 200 bytes, and 255 once the
 * placeholders are filled in; only the placeholders above), else -1 with a
 * message in ${err}.
 */
int es_index_check(const char *pattern, char *err, size_t cap);

/**
 * es_dead_letter_index_check(name, err, cap): as es_index_check(), and no
 * placeholders: dead letters go to one index.
 */
int es_dead_letter_index_check(const char *name, char *err, size_t cap);

#endif
