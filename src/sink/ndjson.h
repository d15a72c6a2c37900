/*
 * ndjson.h: a sink that writes documents to a file descriptor, one JSON
 * document per line (NDJSON), or as an Elasticsearch _bulk body (a
 * {"create":{"_id":..}} action line before each document) that can be
 * POSTed as it is.  Written with write(2) as batches arrive.
 */
#ifndef ELBSHIP_NDJSON_H
#define ELBSHIP_NDJSON_H

#include "sink/sink.h"

enum ndjson_format {
	NDJSON_DOCS,		/* one document per line */
	NDJSON_BULK		/* action line + document */
};

/**
 * ndjson_new(fd, format): a sink writing to ${fd} (not closed by the sink).
 */
struct sink *ndjson_new(int fd, enum ndjson_format format);

#endif
