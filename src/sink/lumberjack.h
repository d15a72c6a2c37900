/*
 * lumberjack.h: the frames of the Lumberjack protocol, version 2, the one
 * Filebeat speaks to Logstash's beats input (a pure codec: no I/O).
 *
 * Every frame starts with the version byte '2' and a type byte; integers
 * are unsigned 32-bit big-endian (sources: logstash-input-beats
 * PROTOCOL.md and BeatsParser.java, elastic/go-lumber client/v2):
 *
 *   'W' window size   count                  the next count events are
 *                                            one window (one batch)
 *   'J' JSON data     seq, length, payload   one event, a JSON object;
 *                                            seq is 1..count in a window
 *   'C' compressed    length, payload        a zlib stream (RFC 1950)
 *                                            holding more frames
 *   'A' ack           seq                    receiver -> sender: every
 *                                            event of the window up to seq
 *                                            is processed; seq 0 (or one
 *                                            already acknowledged) is a
 *                                            keep-alive
 *
 * The sender writes a window frame, then the window's data frames (in
 * one compressed frame when compressing), and reads ACKs until one names
 * the window's last sequence number.
 */
#ifndef ELBSHIP_LUMBERJACK_H
#define ELBSHIP_LUMBERJACK_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define LJ_VERSION '2'
#define LJ_WINDOW 'W'
#define LJ_JSON 'J'
#define LJ_COMPRESSED 'C'
#define LJ_ACK 'A'
#define LJ_ACK_LEN 6

/** lj_put32(p, v): ${v} as 4 big-endian bytes at ${p}. */
void lj_put32(unsigned char *p, uint32_t v);

/** lj_get32(p): the big-endian 32-bit number at ${p}. */
uint32_t lj_get32(const unsigned char *p);

/** lj_window(out, count): append a window frame.  0, or -1 (buffer cap). */
int lj_window(struct buf *out, uint32_t count);

/**
 * lj_json(out, seq, json, n): append a JSON data frame holding the ${n}
 * bytes at ${json}.  0, or -1 (buffer cap, or ${n} over 4 GiB).
 */
int lj_json(struct buf *out, uint32_t seq, const char *json, size_t n);

/**
 * lj_compressed(out, frames, n, level): append a compressed frame holding
 * the ${n} bytes of frames at ${frames}, a zlib stream deflated at ${level}
 * (1-9, as zlib counts; ISA-L does the work: lumberjack.c).
 * 0, or -1 (buffer cap, or deflate failed).
 */
int lj_compressed(struct buf *out, const char *frames, size_t n, int level);

/** lj_ack(out, seq): append an ACK frame (what a receiver sends). */
int lj_ack(struct buf *out, uint32_t seq);

/**
 * lj_ack_parse(p, n, seq): read one ACK frame from the ${n} bytes at ${p}.
 * Returns LJ_ACK_LEN with *${seq} set, 0 if fewer than LJ_ACK_LEN bytes
 * are there yet, or -1 if the bytes are not an ACK frame (a protocol error:
 * the connection is unusable).
 */
int lj_ack_parse(const unsigned char *p, size_t n, uint32_t *seq);

/* One frame, as lj_frame_parse() found it. */
struct lj_frame {
	char type;			/* LJ_WINDOW, LJ_JSON, LJ_COMPRESSED, LJ_ACK */
	uint32_t seq;			/* J, A */
	uint32_t count;			/* W */
	const unsigned char *payload;	/* J, C: inside the input */
	uint32_t len;			/* J, C: payload length */
};

/**
 * lj_frame_parse(p, n, f): read one frame of any type from the ${n} bytes
 * at ${p} (a receiver's view, for tests and the fuzzer).  Returns the
 * frame's length with *${f} filled, 0 if the frame is not complete yet,
 * or -1 for a wrong version byte or an unknown type.
 */
long lj_frame_parse(const unsigned char *p, size_t n, struct lj_frame *f);

/**
 * lj_inflate(p, n, out, max): decompress a compressed frame's payload (a
 * whole zlib stream, nothing after it) into ${out}, at most ${max} bytes
 * in all.  0, or -1 (corrupt, truncated, trailing bytes, or too big).
 */
int lj_inflate(const unsigned char *p, size_t n, struct buf *out, size_t max);

#endif
