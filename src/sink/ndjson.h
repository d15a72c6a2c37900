/*
 * ndjson.h: a sink that writes documents to a file descriptor, one JSON
 * document per line (NDJSON), or as an Elasticsearch _bulk body (a
 * {"create":{"_id":..}} action line before each document) that can be
 * POSTed as it is.  Each batch is written whole with write(2) when it
 * arrives: its documents are settled SINK_OK once written, undelivered if
 * the write fails (and every later batch too: the sink has failed).
 */
#ifndef ELBSHIP_NDJSON_H
#define ELBSHIP_NDJSON_H

#include "sink/sink.h"

enum ndjson_format {
	NDJSON_DOCS,		/* one document per line */
	NDJSON_BULK		/* action line + document */
};

/**
 * ndjson_new(fd, format, name): a sink writing to ${fd} (not closed by the
 * sink), called ${name} in messages ("stdout", a path; borrowed).
 */
struct sink *ndjson_new(int fd, enum ndjson_format format, const char *name);

#endif
