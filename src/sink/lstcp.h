/*
 * lstcp.h: a sink for Logstash's `tcp` input with the `json_lines` codec
 * (the origin system's path): documents as newline-terminated JSON over one
 * connection, kept open across batches, TLS optional.
 *
 * The guarantee, stated honestly: the tcp input sends no acknowledgement.
 * A document counts as `sent` once the kernel accepted its bytes; if the
 * connection breaks, what was in flight may be lost without anyone knowing.
 * What elbship does about it: it keeps the most recent 16 MiB sent (more
 * than kernel buffers on both ends hold); before each batch it checks that
 * the peer has not closed the connection, and if it has, or a send fails,
 * it reconnects with backoff and sends that window again first; at the end
 * it half-closes, waits for the peer's EOF and for the peer's kernel to
 * acknowledge every byte, and sends the window again if the peer had
 * closed first, reset, or left bytes unacknowledged; if that fails three
 * times, or a send had already given up, the window's documents count as
 * undelivered.  That is at least once, not exactly once: set document_id
 * => "%{[event][id]}" in Logstash's elasticsearch output so repeats are
 * harmless.  What no check can see: a peer that read lines and then lost
 * them (a crash, or a close that crosses our end of stream) loses them
 * silently.  For exact accounting use the http input (--logstash
 * http://...).
 */
#ifndef ELBSHIP_LSTCP_H
#define ELBSHIP_LSTCP_H

#include <stdint.h>

#include "sink/sink.h"


/**
 * lstcp_new(c, err, cap): a sink for ${c} (borrowed; must outlive the
 * sink).  Connects lazily.  NULL with a message if ${c} is unusable.
 */
struct sink *lstcp_new(const struct sink_conn *c, char *err, size_t cap);

#endif
