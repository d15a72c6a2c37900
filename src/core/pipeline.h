/*
 * pipeline.h: one log stream from bytes to documents.
 *
 *   fd -> [gunzip if the first bytes are 1f 8b] -> lines -> ecs_line() -> sink
 *
 * The input is cut into blocks of whole lines (PIPELINE_BLOCK bytes or a
 * little more); reading (and decompressing) blocks is done by one thread at
 * a time, in order, while any number of threads parse and encode blocks
 * already read; the documents of each block go to the sink in input order.
 * Memory is bounded by the number of blocks in flight, the block size and
 * the line limit, whatever the size of the input.
 */
#ifndef ELBSHIP_PIPELINE_H
#define ELBSHIP_PIPELINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "encode/ecs.h"
#include "sink/sink.h"

/* The longest line kept whole; longer lines become error documents. */
#define PIPELINE_MAX_LINE_DEFAULT (256 * 1024)
/* How much of an over-long line its error document keeps. */
#define PIPELINE_LONG_KEEP 4096
/* Input bytes per block. */
#define PIPELINE_BLOCK (256 * 1024)
/* Most threads pipeline_run() uses. */
#define PIPELINE_MAX_THREADS 16

struct pipeline_opts {
	size_t max_line;	/* 0: PIPELINE_MAX_LINE_DEFAULT */
	int threads;		/* threads in all, the caller's included; 0 = 1 */
	/* When set (a signal), reading stops with "interrupted"; NULL never. */
	volatile sig_atomic_t *stop;
	/*
	 * After the sink fails, read on to the end and count every line
	 * (the documents are never put: the caller counts them undelivered),
	 * instead of stopping there.
	 */
	int drain;
};

/* Counts for one stream; pipeline_stats_add() sums them for a run. */
struct pipeline_stats {
	uint64_t lines;		/* every line, blank ones included */
	uint64_t blank;		/* empty or only spaces: skipped */
	uint64_t docs;		/* documents written (= lines - blank) */
	uint64_t malformed;	/* of docs: error documents */
	uint64_t too_long;	/* of malformed: over the line limit */
	uint64_t bytes_in;	/* bytes read (compressed if gzip) */
	uint64_t bytes_decoded;	/* bytes after decompression */
	uint64_t by_type[LB_NTYPES];	/* docs by enum lbtype */
	int gzip;		/* the stream was gzip */
};

enum {
	PIPELINE_OK = 0,
	PIPELINE_EINPUT = 1,	/* read error or corrupt/truncated gzip */
	PIPELINE_ESINK = 2	/* the sink failed */
};

/*
 * Where bytes come from: a file descriptor (pipeline_run) or anything else
 * (an S3 object) through a read function.  read() returns the number of
 * bytes stored at ${buf} (at most ${cap}), 0 at the end, or -1 with a
 * one-line message in ${err}.
 */
struct source {
	ssize_t (*read)(void *arg, char *buf, size_t cap, char *err,
	    size_t errcap);
	void *arg;
};

/**
 * pipeline_run_source(opts, ef, src, sink, tally, st, err, errcap): as
 * pipeline_run(), reading from ${src}.
 */
int pipeline_run_source(const struct pipeline_opts *opts, struct ecs_file *ef,
    const struct source *src, struct sink *sink, struct sink_tally *tally,
    struct pipeline_stats *st, char *err, size_t errcap);

/**
 * pipeline_run(opts, ef, fd, sink, tally, st, err, errcap): read ${fd} to
 * its end, writing one document per non-blank line to ${sink}, each batch
 * naming ${tally} (where the sink settles them), using ${ef} for the
 * file's origin.  Counts go to ${st}.  Returns PIPELINE_OK, or an error code
 * with a one-line message in ${err}; on a gzip or read error every complete
 * line before the failure point has been written, and the message names the
 * compressed offset.  Does not flush or close anything it did not open.
 */
int pipeline_run(const struct pipeline_opts *opts, struct ecs_file *ef,
    int fd, struct sink *sink, struct sink_tally *tally,
    struct pipeline_stats *st, char *err, size_t errcap);

/** pipeline_stats_add(sum, s): add the counts of ${s} to ${sum}. */
void pipeline_stats_add(struct pipeline_stats *sum,
    const struct pipeline_stats *s);

#endif
