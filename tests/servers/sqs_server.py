#!/usr/bin/env python3
"""sqs_server.py: an Amazon SQS test server for elbship (`elbship enqueue`
and the tests that hand its messages to the function).  Standard library
only (Debian 12's python3).  Strict about what clients send, faithful in
what it answers, with deterministic faults.

    sqs_server.py [--port 0] [--port-file F] [--host 127.0.0.1]
                  [--region us-east-1] [--account 111122223333]
                  [--queue NAME]... [--auth AKID:SECRET[:TOKEN]]
                  [--deny-send] [--max-message-bytes 262144]
                  [--entry-fail-rate R] [--entry-fail-first N]
                  [--entry-reject-rate R]
                  [--throttle-rate R] [--throttle-first N]
                  [--error-5xx-rate R] [--error-5xx-first N]
                  [--reset-rate R] [--reset-first N]
                  [--reset-after-store-rate R] [--delay-ms N]
                  [--seed S] [--dump FILE] [--verbose]

The protocol: the AWS JSON protocol (awsJson1_0) that current SDKs and the
AWS CLI use for SQS (https://docs.aws.amazon.com/AWSSimpleQueueService/
latest/SQSDeveloperGuide/sqs-json-faqs.html):

    POST / HTTP/1.1
    Content-Type: application/x-amz-json-1.0
    X-Amz-Target: AmazonSQS.<Operation>
    Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/sqs/...

Operations: SendMessage, SendMessageBatch, ReceiveMessage, DeleteMessage,
DeleteMessageBatch, GetQueueUrl, GetQueueAttributes (with the API
reference's request and response members).  Anything else is
UnknownOperationException; another Content-Type (the query protocol) or
method or path is answered 400 and recorded as a violation.

Queues: each --queue NAME (default "elbship") at
http://HOST:PORT/ACCOUNT/NAME (what GetQueueUrl answers).  A QueueUrl is
matched by its last two path segments (account and name), so the AWS form
https://sqs.REGION.amazonaws.com/ACCOUNT/NAME works with the server as an
endpoint override; a URL naming another region (sqs.OTHER.amazonaws.com)
is a queue that does not exist here, as on AWS.

Limits (API reference, SendMessageBatch, before the August 2025 1 MiB
raise): 1 to 10 entries (EmptyBatchRequest, TooManyEntriesInBatchRequest),
ids unique (BatchEntryIdsNotDistinct) and [A-Za-z0-9_-]{1,80}
(InvalidBatchEntryId), message bodies together at most
--max-message-bytes (BatchRequestTooLong), each body of the characters
XML allows (else that entry fails: InvalidMessageContents, SenderFault).
ReceiveMessage: MaxNumberOfMessages 1 to 10, VisibilityTimeout (default
30 s), WaitTimeSeconds 0 to 20 (long polling).

Errors are answered as SQS answers them in the JSON protocol:
HTTP 400 (403 for authentication and authorization, 500/503 for faults)
with {"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"..."};
when the request carries "x-amzn-query-mode: true" (SDKs do, for the
query protocol's compatibility), the header
"x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender"
names the query protocol's code too.

SigV4 (--auth, repeatable; without it requests are not checked): the
Authorization header is verified with sigv4.py for service "sqs" and the
server's --region: unknown key -> 403 UnrecognizedClientException
(InvalidClientTokenId), any other mismatch (a credential scoped to another
region: "Credential should be scoped to a valid region.") -> 403
InvalidSignatureException (SignatureDoesNotMatch).  --deny-send: signed
requests are fine but SendMessage/SendMessageBatch are AccessDenied (the
credentials lack sqs:SendMessage).

Faults (deterministic for a --seed; "first N" counts SendMessage(Batch)
calls or entries from the start):
  --entry-fail-rate R / --entry-fail-first N   entries answered in Failed
        with SenderFault false, Code InternalError (retry them)
  --entry-reject-rate R                        entries Failed with
        SenderFault true, InvalidMessageContents (do not retry)
  --throttle-rate R / --throttle-first N       whole call: 400 RequestThrottled
  --error-5xx-rate R / --error-5xx-first N     whole call: 500 InternalFailure
        or 503 ServiceUnavailable (alternating)
  --reset-rate R / --reset-first N             connection reset before the
        call is carried out (nothing stored)
  --reset-after-store-rate R                   the messages are stored, then
        the connection is reset (a retry makes duplicates)
  --delay-ms N                                 every SendMessage(Batch) call
        waits N ms before it is carried out (a slow queue)

Test endpoints (GET, never signed, never faulted):
  /_test/messages[?queue=NAME]  every message ever sent, in order:
        [{"queue","MessageId","Body","Md5","SentTimestamp","ReceiveCount",
          "Deleted","Visible"}]
  /_test/stats                  calls per operation, entries stored,
        faults fired, violations [{kind, detail}], connections
--dump FILE writes /_test/messages there at exit (FILE.stats.json: stats).
"""

import argparse
import hashlib
import json
import os
import random
import re
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common                                                   # noqa: E402
import sigv4                                                    # noqa: E402

JSON_CT = "application/x-amz-json-1.0"
ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
# XML 1.0 characters: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD]
# | [#x10000-#x10FFFF]
BAD_CHARS = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd"
                       "\U00010000-\U0010ffff]")

# Code -> (HTTP status, __type, query protocol code)
ERRORS = {
    "QueueDoesNotExist": (400, "com.amazonaws.sqs#QueueDoesNotExist",
                          "AWS.SimpleQueueService.NonExistentQueue"),
    "EmptyBatchRequest": (400, "com.amazonaws.sqs#EmptyBatchRequest",
                          "AWS.SimpleQueueService.EmptyBatchRequest"),
    "TooManyEntriesInBatchRequest": (
        400, "com.amazonaws.sqs#TooManyEntriesInBatchRequest",
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
    "BatchEntryIdsNotDistinct": (
        400, "com.amazonaws.sqs#BatchEntryIdsNotDistinct",
        "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
    "InvalidBatchEntryId": (400, "com.amazonaws.sqs#InvalidBatchEntryId",
                            "AWS.SimpleQueueService.InvalidBatchEntryId"),
    "BatchRequestTooLong": (400, "com.amazonaws.sqs#BatchRequestTooLong",
                            "AWS.SimpleQueueService.BatchRequestTooLong"),
    "InvalidMessageContents": (400, "com.amazonaws.sqs#InvalidMessageContents",
                               "InvalidMessageContents"),
    "InvalidParameterValue": (400, "com.amazonaws.sqs#InvalidParameterValue"
                              "Exception", "InvalidParameterValue"),
    "MissingParameter": (400, "com.amazonaws.sqs#MissingRequiredParameter"
                         "Exception", "MissingParameter"),
    "ReceiptHandleIsInvalid": (400, "com.amazonaws.sqs#ReceiptHandleIsInvalid",
                               "ReceiptHandleIsInvalid"),
    "RequestThrottled": (400, "com.amazonaws.sqs#RequestThrottled",
                         "RequestThrottled"),
    "UnknownOperation": (400, "com.amazon.coral.service#UnknownOperation"
                         "Exception", "UnknownOperation"),
    "SerializationException": (400, "com.amazon.coral.service#Serialization"
                               "Exception", "SerializationException"),
    "AccessDenied": (403, "com.amazon.coral.service#AccessDeniedException",
                     "AccessDenied"),
    "MissingAuthenticationToken": (
        403, "com.amazon.coral.service#MissingAuthenticationTokenException",
        "MissingAuthenticationToken"),
    "UnrecognizedClient": (403, "com.amazon.coral.service#Unrecognized"
                           "ClientException", "InvalidClientTokenId"),
    "InvalidSignature": (403, "com.amazon.coral.service#InvalidSignature"
                         "Exception", "SignatureDoesNotMatch"),
    "InternalFailure": (500, "com.amazon.coral.service#InternalFailure",
                        "InternalError"),
    "ServiceUnavailable": (503, "com.amazon.coral.service#ServiceUnavailable"
                           "Exception", "ServiceUnavailable"),
}


class SqsError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def md5(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest()


class Message:
    def __init__(self, queue, body, now):
        self.queue = queue
        self.id = str(uuid.uuid4())
        self.body = body
        self.md5 = md5(body)
        self.sent = int(now * 1000)
        self.receives = 0
        self.first_receive = None
        self.visible_at = now
        self.handle = None
        self.deleted = False


class Broker:
    """Queues and messages, under one lock."""

    def __init__(self, opts):
        self.opts = opts
        self.lock = threading.Condition()
        self.queues = {name: [] for name in (opts.queue or ["elbship"])}
        self.all = []
        self.handles = {}

    def find(self, url):
        if not isinstance(url, str) or not url:
            raise SqsError("MissingParameter", "The request must contain "
                           "the parameter QueueUrl.")
        u = urllib.parse.urlsplit(url)
        m = re.match(r"^sqs\.([a-z0-9-]+)\.amazonaws\.com$", u.hostname or "")
        parts = [p for p in u.path.split("/") if p]
        if (m and m.group(1) != self.opts.region) or len(parts) != 2 or \
                parts[0] != self.opts.account or parts[1] not in self.queues:
            raise SqsError("QueueDoesNotExist",
                           "The specified queue does not exist.")
        return parts[1]

    def url(self, name, port):
        return "http://%s:%d/%s/%s" % (self.opts.host, port,
                                       self.opts.account, name)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.calls = {}
        self.faults = {}
        self.stored = 0
        self.violations = []

    def inc(self, table, key, n=1):
        with self.lock:
            table[key] = table.get(key, 0) + n

    def violation(self, kind, detail):
        with self.lock:
            self.violations.append({"kind": kind, "detail": detail})


class SqsServer(common.ThreadedHTTPServer):
    def __init__(self, opts, handler):
        super().__init__(opts.host, opts.port, handler)
        self.opts = opts
        self.broker = Broker(opts)
        self.stats = Stats()
        self.rng = random.Random(opts.seed)
        self.rng_lock = threading.Lock()
        self.send_calls = 0
        self.entries_seen = 0
        self.creds = []
        for a in opts.auth or []:
            parts = a.split(":")
            if len(parts) not in (2, 3):
                raise SystemExit("--auth wants AKID:SECRET[:TOKEN]")
            self.creds.append(sigv4.Credentials(
                parts[0], parts[1], opts.region, "sqs",
                parts[2] if len(parts) == 3 else None))

    def chance(self, rate):
        if rate <= 0:
            return False
        with self.rng_lock:
            return self.rng.random() < rate


class Handler(common.BaseHandler):
    server_version = "sqs-test-server"

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        if u.path == "/_test/messages":
            q = urllib.parse.parse_qs(u.query).get("queue", [None])[0]
            self.send_json_raw(200, messages_json(self.server, q))
            return
        if u.path == "/_test/stats":
            self.send_json_raw(200, stats_json(self.server))
            return
        self.server.stats.violation("method", "GET %s" % self.path)
        self.error("UnknownOperation", "GET is not an SQS operation "
                   "(the JSON protocol is POST /)")

    def do_PUT(self):
        self.server.stats.violation("method", "PUT %s" % self.path)
        common.discard_request_body(self.rfile,
                                    common.RequestFraming(self.headers))
        self.error("UnknownOperation", "PUT is not an SQS operation")

    do_DELETE = do_PUT

    def send_json_raw(self, status, obj, extra=()):
        body = json.dumps(obj, separators=(",", ":")).encode()
        self.send_full(status, [("Content-Type", JSON_CT),
                                ("x-amzn-RequestId", str(uuid.uuid4()))]
                       + list(extra), body)

    def error(self, code, message):
        status, typ, qcode = ERRORS[code]
        extra = []
        if (self.headers.get("x-amzn-query-mode") or "").strip() == "true":
            extra.append(("x-amzn-query-error", "%s;%s" % (
                qcode, "Receiver" if status >= 500 else "Sender")))
        self.server.stats.inc(self.server.stats.calls, "error:" + code)
        self.send_json_raw(status, {"__type": typ, "message": message},
                           extra)

    def do_POST(self):
        srv = self.server
        framing = common.RequestFraming(self.headers)
        if framing.error:
            srv.stats.violation("framing", framing.error)
            self.send_full(400, [], b"", close=True)
            return
        try:
            body = common.read_request_body(self.rfile, framing)
        except (common.TruncatedBody, common.BadRequestBody) as e:
            srv.stats.violation("body", str(e))
            self.close_connection = True
            return
        target = self.headers.get("X-Amz-Target") or ""
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if self.path != "/":
            srv.stats.violation("path", "POST %s (the JSON protocol posts "
                                "to /)" % self.path)
        if ctype != JSON_CT:
            srv.stats.violation("content-type", ctype)
            return self.error("SerializationException", "Content-Type %r: "
                              "this server speaks the JSON protocol (%s) "
                              "only" % (ctype, JSON_CT))
        if not target.startswith("AmazonSQS."):
            srv.stats.violation("target", target)
            return self.error("UnknownOperation", "X-Amz-Target %r is not "
                              "AmazonSQS.<Operation>" % target)
        op = target[len("AmazonSQS."):]
        srv.stats.inc(srv.stats.calls, op)
        if srv.creds:
            bad = self.check_auth(body)
            if bad:
                return self.error(*bad)
        try:
            req = json.loads(body.decode("utf-8")) if body else {}
        except (UnicodeDecodeError, ValueError) as e:
            srv.stats.violation("json", str(e))
            return self.error("SerializationException", "body is not JSON")
        if not isinstance(req, dict):
            return self.error("SerializationException", "body is not an "
                              "object")
        handler = OPS.get(op)
        if handler is None:
            return self.error("UnknownOperation", "unknown operation %s" % op)
        try:
            handler(self, req)
        except SqsError as e:
            self.error(e.code, e.message)

    def check_auth(self, body):
        get_all = lambda n: self.headers.get_all(n) or []
        if not get_all("authorization"):
            return ("MissingAuthenticationToken", "Request is missing "
                    "Authentication Token")
        last = None
        for creds in self.server.creds:
            r = sigv4.verify("POST", self.path, get_all, body, creds)
            if r.ok:
                return None
            last = r
        if last.reason.startswith("unknown access key"):
            return ("UnrecognizedClient", "The security token included in "
                    "the request is invalid.")
        self.server.stats.inc(self.server.stats.faults, "auth:" +
                              last.reason[:60])
        return ("InvalidSignature", last.message)

    # ---- faults for SendMessage(Batch) ---------------------------------
    def call_fault(self):
        """A whole-call fault; True if the call was answered (or reset)."""
        srv, o = self.server, self.server.opts
        with srv.rng_lock:
            srv.send_calls += 1
            k = srv.send_calls
        if o.delay_ms:
            time.sleep(o.delay_ms / 1000.0)
        if o.deny_send:
            self.error("AccessDenied", "User: arn:aws:iam::%s:user/elbship-"
                       "test is not authorized to perform: sqs:sendmessage on "
                       "resource: arn:aws:sqs:%s:%s:queue because no "
                       "identity-based policy allows the sqs:sendmessage "
                       "action" % (o.account, o.region, o.account))
            return True
        if k <= o.reset_first or srv.chance(o.reset_rate):
            srv.stats.inc(srv.stats.faults, "reset")
            self.reset_connection()
            return True
        if k <= o.throttle_first or srv.chance(o.throttle_rate):
            srv.stats.inc(srv.stats.faults, "throttle")
            self.error("RequestThrottled", "Request is throttled.")
            return True
        if k <= o.error_5xx_first or srv.chance(o.error_5xx_rate):
            srv.stats.inc(srv.stats.faults, "5xx")
            if k % 2:
                self.error("InternalFailure", "We encountered an internal "
                           "error. Please try again.")
            else:
                self.error("ServiceUnavailable", "Service is unavailable. "
                           "Please try again.")
            return True
        return False

    def entry_fault(self):
        srv, o = self.server, self.server.opts
        with srv.rng_lock:
            srv.entries_seen += 1
            k = srv.entries_seen
        if k <= o.entry_fail_first or srv.chance(o.entry_fail_rate):
            srv.stats.inc(srv.stats.faults, "entry_fail")
            return ("InternalError", False, "We encountered an internal "
                    "error. Please try again.")
        if srv.chance(o.entry_reject_rate):
            srv.stats.inc(srv.stats.faults, "entry_reject")
            return ("InvalidMessageContents", True, "Invalid characters "
                    "found.")
        return None

    def finish_send(self, obj):
        if self.server.chance(self.server.opts.reset_after_store_rate):
            self.server.stats.inc(self.server.stats.faults,
                                  "reset_after_store")
            self.reset_connection()
            return
        self.send_json_raw(200, obj)


def check_body(body, limit):
    if not isinstance(body, str) or body == "":
        raise SqsError("MissingParameter", "The request must contain the "
                       "parameter MessageBody.")
    if len(body.encode("utf-8")) > limit:
        raise SqsError("InvalidParameterValue", "One or more parameters are "
                       "invalid. Reason: Message must be shorter than %d "
                       "bytes." % limit)


def store(h, queue, body):
    b = h.server.broker
    with b.lock:
        m = Message(queue, body, time.time())
        b.queues[queue].append(m)
        b.all.append(m)
        b.lock.notify_all()
    with h.server.stats.lock:
        h.server.stats.stored += 1
    return m


def op_send_message(h, req):
    queue = h.server.broker.find(req.get("QueueUrl"))
    check_body(req.get("MessageBody"), h.server.opts.max_message_bytes)
    if BAD_CHARS.search(req["MessageBody"]):
        raise SqsError("InvalidMessageContents", "Invalid characters found.")
    if h.call_fault():
        return
    m = store(h, queue, req["MessageBody"])
    h.finish_send({"MessageId": m.id, "MD5OfMessageBody": m.md5})


def op_send_message_batch(h, req):
    queue = h.server.broker.find(req.get("QueueUrl"))
    entries = req.get("Entries")
    if not isinstance(entries, list) or not entries:
        raise SqsError("EmptyBatchRequest", "There should be at least one "
                       "SendMessageBatchRequestEntry in the request.")
    if len(entries) > 10:
        raise SqsError("TooManyEntriesInBatchRequest", "Maximum number of "
                       "entries per request are 10. You have sent %d."
                       % len(entries))
    ids = []
    total = 0
    for e in entries:
        i = e.get("Id") if isinstance(e, dict) else None
        if not isinstance(i, str) or not ID_RE.match(i):
            raise SqsError("InvalidBatchEntryId", "A batch entry id can only "
                           "contain alphanumeric characters, hyphens and "
                           "underscores. It can be at most 80 letters long.")
        ids.append(i)
        body = e.get("MessageBody")
        if not isinstance(body, str) or body == "":
            raise SqsError("MissingParameter", "The request must contain the "
                           "parameter Entries.%d.MessageBody." % len(ids))
        total += len(body.encode("utf-8"))
    if len(set(ids)) != len(ids):
        raise SqsError("BatchEntryIdsNotDistinct", "Id %s repeated."
                       % next(i for i in ids if ids.count(i) > 1))
    limit = h.server.opts.max_message_bytes
    if total > limit:
        raise SqsError("BatchRequestTooLong", "Batch requests cannot be "
                       "longer than %d bytes. You have sent %d bytes."
                       % (limit, total))
    if h.call_fault():
        return
    ok, failed = [], []
    for e in entries:
        fault = h.entry_fault()
        if BAD_CHARS.search(e["MessageBody"]):
            fault = ("InvalidMessageContents", True,
                     "Invalid characters found.")
        if fault:
            failed.append({"Id": e["Id"], "SenderFault": fault[1],
                           "Code": fault[0], "Message": fault[2]})
            continue
        m = store(h, queue, e["MessageBody"])
        ok.append({"Id": e["Id"], "MessageId": m.id,
                   "MD5OfMessageBody": m.md5})
    out = {"Successful": ok}
    if failed:
        out["Failed"] = failed
    h.finish_send(out)


def int_param(req, name, lo, hi, default):
    v = req.get(name, default)
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise SqsError("InvalidParameterValue", "Value %r for parameter %s "
                       "is invalid. Reason: must be between %d and %d."
                       % (v, name, lo, hi))
    return v


def op_receive_message(h, req):
    b = h.server.broker
    queue = b.find(req.get("QueueUrl"))
    n = int_param(req, "MaxNumberOfMessages", 1, 10, 1)
    vis = int_param(req, "VisibilityTimeout", 0, 43200, 30)
    wait = int_param(req, "WaitTimeSeconds", 0, 20, 0)
    names = set(req.get("AttributeNames") or []) | \
        set(req.get("MessageSystemAttributeNames") or [])
    deadline = time.time() + wait
    out = []
    with b.lock:
        while True:
            now = time.time()
            for m in b.queues[queue]:
                if len(out) >= n:
                    break
                if m.deleted or m.visible_at > now:
                    continue
                m.receives += 1
                if m.first_receive is None:
                    m.first_receive = int(now * 1000)
                m.visible_at = now + vis
                if m.handle:
                    b.handles.pop(m.handle, None)
                m.handle = "%s#%d#%s" % (m.id, m.receives, uuid.uuid4().hex)
                b.handles[m.handle] = m
                r = {"MessageId": m.id, "ReceiptHandle": m.handle,
                     "MD5OfBody": m.md5, "Body": m.body}
                if names:
                    attrs = {"SentTimestamp": str(m.sent),
                             "ApproximateReceiveCount": str(m.receives),
                             "ApproximateFirstReceiveTimestamp":
                                 str(m.first_receive),
                             "SenderId": "AIDAELBSHIPTEST"}
                    r["Attributes"] = attrs if "All" in names else {
                        k: v for k, v in attrs.items() if k in names}
                out.append(r)
            if out or time.time() >= deadline:
                break
            b.lock.wait(min(0.2, max(0.0, deadline - time.time())))
    h.send_json_raw(200, {"Messages": out} if out else {})


def delete_one(b, queue, handle):
    m = b.handles.get(handle) if isinstance(handle, str) else None
    if m is None or m.queue != queue:
        return False
    m.deleted = True
    b.handles.pop(handle, None)
    return True


def op_delete_message(h, req):
    b = h.server.broker
    queue = b.find(req.get("QueueUrl"))
    with b.lock:
        if not delete_one(b, queue, req.get("ReceiptHandle")):
            raise SqsError("ReceiptHandleIsInvalid", "The input receipt "
                           "handle is invalid.")
    h.send_json_raw(200, {})


def op_delete_message_batch(h, req):
    b = h.server.broker
    queue = b.find(req.get("QueueUrl"))
    entries = req.get("Entries")
    if not isinstance(entries, list) or not entries:
        raise SqsError("EmptyBatchRequest", "There should be at least one "
                       "DeleteMessageBatchRequestEntry in the request.")
    if len(entries) > 10:
        raise SqsError("TooManyEntriesInBatchRequest", "Maximum number of "
                       "entries per request are 10.")
    ids = [e.get("Id") if isinstance(e, dict) else None for e in entries]
    if any(not isinstance(i, str) or not ID_RE.match(i) for i in ids):
        raise SqsError("InvalidBatchEntryId", "A batch entry id can only "
                       "contain alphanumeric characters, hyphens and "
                       "underscores.")
    if len(set(ids)) != len(ids):
        raise SqsError("BatchEntryIdsNotDistinct", "Ids repeated.")
    ok, failed = [], []
    with b.lock:
        for e in entries:
            if delete_one(b, queue, e.get("ReceiptHandle")):
                ok.append({"Id": e["Id"]})
            else:
                failed.append({"Id": e["Id"], "SenderFault": True,
                               "Code": "ReceiptHandleIsInvalid",
                               "Message": "The input receipt handle is "
                               "invalid."})
    out = {"Successful": ok}
    if failed:
        out["Failed"] = failed
    h.send_json_raw(200, out)


def op_get_queue_url(h, req):
    name = req.get("QueueName")
    owner = req.get("QueueOwnerAWSAccountId", h.server.opts.account)
    if not isinstance(name, str) or not name:
        raise SqsError("MissingParameter", "The request must contain the "
                       "parameter QueueName.")
    if name not in h.server.broker.queues or owner != h.server.opts.account:
        raise SqsError("QueueDoesNotExist", "The specified queue does not "
                       "exist.")
    h.send_json_raw(200, {"QueueUrl": h.server.broker.url(name,
                                                           h.server.port)})


def op_get_queue_attributes(h, req):
    b = h.server.broker
    queue = b.find(req.get("QueueUrl"))
    names = set(req.get("AttributeNames") or ["All"])
    now = time.time()
    with b.lock:
        live = [m for m in b.queues[queue] if not m.deleted]
        visible = sum(1 for m in live if m.visible_at <= now)
    o = h.server.opts
    attrs = {
        "QueueArn": "arn:aws:sqs:%s:%s:%s" % (o.region, o.account, queue),
        "ApproximateNumberOfMessages": str(visible),
        "ApproximateNumberOfMessagesNotVisible": str(len(live) - visible),
        "ApproximateNumberOfMessagesDelayed": "0",
        "VisibilityTimeout": "30",
        "MaximumMessageSize": str(o.max_message_bytes),
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "0",
    }
    if "All" not in names:
        attrs = {k: v for k, v in attrs.items() if k in names}
    h.send_json_raw(200, {"Attributes": attrs})


OPS = {
    "SendMessage": op_send_message,
    "SendMessageBatch": op_send_message_batch,
    "ReceiveMessage": op_receive_message,
    "DeleteMessage": op_delete_message,
    "DeleteMessageBatch": op_delete_message_batch,
    "GetQueueUrl": op_get_queue_url,
    "GetQueueAttributes": op_get_queue_attributes,
}


def messages_json(srv, queue=None):
    b = srv.broker
    now = time.time()
    with b.lock:
        return [{"queue": m.queue, "MessageId": m.id, "Body": m.body,
                 "Md5": m.md5, "SentTimestamp": m.sent,
                 "ReceiveCount": m.receives, "Deleted": m.deleted,
                 "Visible": not m.deleted and m.visible_at <= now}
                for m in b.all if queue is None or m.queue == queue]


def stats_json(srv):
    s = srv.stats
    with s.lock:
        return {"calls": dict(s.calls), "faults": dict(s.faults),
                "stored": s.stored, "violations": list(s.violations),
                "violation_count": len(s.violations),
                "connections": srv.connections.value}


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--account", default="111122223333")
    p.add_argument("--queue", action="append")
    p.add_argument("--auth", action="append")
    p.add_argument("--deny-send", action="store_true")
    p.add_argument("--max-message-bytes", type=int, default=262144)
    for name in ("entry-fail", "entry-reject", "throttle", "error-5xx",
                 "reset", "reset-after-store"):
        p.add_argument("--%s-rate" % name, type=float, default=0.0)
    for name in ("entry-fail", "throttle", "error-5xx", "reset"):
        p.add_argument("--%s-first" % name, type=int, default=0)
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dump")
    p.add_argument("--verbose", action="store_true")
    return p.parse_args(argv)


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    Handler.verbose = opts.verbose
    server = SqsServer(opts, Handler)
    stop = common.install_early_stop()
    server.start(opts.port_file, 0, stop)

    def dump():
        if opts.dump:
            with open(opts.dump, "w") as f:
                json.dump(messages_json(server), f)
            with open(opts.dump + ".stats.json", "w") as f:
                json.dump(stats_json(server), f)

    common.run_until_signal([server], on_stop=dump, stop_event=stop)


if __name__ == "__main__":
    main()
