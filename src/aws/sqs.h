/*
 * sqs.h: send messages to an Amazon SQS queue with SendMessageBatch, over
 * the AWS JSON protocol that current SDKs and the AWS CLI speak:
 *
 *   POST / HTTP/1.1
 *   Content-Type: application/x-amz-json-1.0
 *   X-Amz-Target: AmazonSQS.SendMessageBatch
 *   {"QueueUrl":"...","Entries":[{"Id":"...","MessageBody":"..."},...]}
 *
 * answered {"Successful":[{"Id",...}],"Failed":[{"Id","SenderFault",
 * "Code","Message"}]}, or an error: HTTP 4xx/5xx with {"__type":
 * "com.amazonaws.sqs#QueueDoesNotExist","message":...} and the query
 * protocol's code in x-amzn-query-error ("AWS.SimpleQueueService.
 * NonExistentQueue;Sender").  Spec: https://docs.aws.amazon.com/
 * AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html and
 * .../sqs-json-faqs.html.  Requests are signed with SigV4 (service "sqs",
 * aws/httpsign.c).
 *
 * Batches: up to 10 entries and 256 KiB of message bodies a call (the
 * limit before August 2025, which every queue accepts), several calls in
 * flight on one curl multi handle, no thread.  Only the failed entries of
 * a batch are sent again, with exponential backoff and jitter: entries
 * failed by the server (SenderFault false), throttling (HTTP 429, or
 * RequestThrottled and its kin), 5xx, resets and timeouts.  An entry the
 * queue refuses as the sender's fault fails alone.  BatchRequestTooLong (a
 * queue whose MaximumMessageSize is lower) halves the bytes per call for
 * the rest of the run and sends the batch again, not counted as a retry;
 * a message too long alone fails alone.  An error that would
 * fail every entry the same way (no such queue, access denied, bad
 * signature or region, an endpoint that is not SQS, an endpoint that
 * cannot be reached before anything was sent) is fatal: nothing more is
 * sent, every entry still held fails with that one message.
 *
 * Each entry's outcome is reported once, through the callback, on the
 * thread calling sqs_send / sqs_flush.  No global state; one thread at a
 * time per client.
 */
#ifndef ELBSHIP_SQS_H
#define ELBSHIP_SQS_H

#include <signal.h>
#include <stddef.h>

#include "aws/httpsign.h"

#define SQS_BATCH_ENTRIES 10
#define SQS_BATCH_BYTES (256u << 10)

struct sqs_config {
	const char *queue_url;		/* sent in every request's body */
	const char *endpoint;		/* POST here; NULL: the queue URL's scheme://host */
	const char *region;		/* signing region */
	struct httpsign_creds creds;
	long timeout_ms;		/* per request */
	int max_inflight;		/* calls in flight, 1..64 */
	unsigned retry_attempts;	/* sends per entry before it fails */
	long retry_initial_ms;		/* first backoff, doubled up to retry_max_ms */
	long retry_max_ms;
	const char *ca_file;
	int insecure;
};

/*
 * An entry's outcome: ${ok} 1 once SQS confirmed it (Successful), else 0
 * with ${why}, one line (borrowed for the call).
 */
typedef void (*sqs_result_fn)(void *arg, void *tag, int ok, const char *why);

struct sqs_stats {
	unsigned long calls;		/* SendMessageBatch requests answered or broken */
	unsigned long retried;		/* entries sent again */
	unsigned long throttled;	/* calls or entries throttled */
	unsigned long server_errors;	/* 5xx answers */
	unsigned long broken;		/* resets, timeouts */
};

struct sqs_client;

/**
 * sqs_client_new(cfg, fn, arg, err, cap): a client for ${cfg} (borrowed:
 * it must outlive the client) reporting to ${fn}(${arg}, ...).  NULL with
 * a message if the queue URL or endpoint is not http(s).
 */
struct sqs_client *sqs_client_new(const struct sqs_config *cfg,
    sqs_result_fn fn, void *arg, char *err, size_t cap);

/**
 * sqs_send(c, body, tag): queue the message ${body} (copied) for sending;
 * ${tag} comes back in its outcome.  Sends what is due and may wait for
 * answers first, so that the entries held stay bounded.  0, or -1 if the
 * client failed for good (sqs_fatal()): the message is not taken.
 */
int sqs_send(struct sqs_client *c, const char *body, void *tag);

/**
 * sqs_flush(c, stop): send everything held and wait until every entry has
 * its outcome, or until *${stop} is set (${stop} may be NULL): then
 * nothing more is sent, the entries held fail as "interrupted", and the
 * answers to the calls in flight are awaited (up to the request timeout;
 * those still open then fail too), so what SQS took is reported as taken.
 * 0, or -1 if the client failed for good.
 */
int sqs_flush(struct sqs_client *c, volatile sig_atomic_t *stop);

/**
 * sqs_fatal(c): why the client failed for good (one line naming the queue
 * and AWS's code), or NULL.
 */
const char *sqs_fatal(const struct sqs_client *c);

/** sqs_stats(c, out): counts so far. */
void sqs_stats(const struct sqs_client *c, struct sqs_stats *out);

/** sqs_client_free(c): free ${c} (call sqs_flush first); NULL is fine. */
void sqs_client_free(struct sqs_client *c);

/**
 * sqs_url_region(url, out, cap): the region an AWS queue URL names
 * (https://sqs.eu-west-1.amazonaws.com/..., the legacy
 * https://eu-west-1.queue.amazonaws.com/..., VPC endpoint and .amazonaws.com.cn
 * names) into ${out}.  0, or -1 if the host is not AWS's (a test server, a
 * proxy): then the region is the caller's.
 */
int sqs_url_region(const char *url, char *out, size_t cap);

#endif
