#!/usr/bin/env python3
"""runtime_api.py: an AWS Lambda Runtime API (2018-06-01) test server for
elbship's custom runtime (provided.al2023, executable `bootstrap`).

Strict about what the runtime sends, faithful in what it answers, with
deterministic faults.  Standard library only (Debian 12's python3).

    runtime_api.py --events EVENTS.ndjson [--port 0] [--port-file F]
                   [--host 127.0.0.1] [--deadline-ms N] [--results OUT.ndjson]
                   [--exit-after-all] [--enforce-deadline]
                   [--init-error-file E] [--stats-file S]
                   [--function-arn ARN] [--max-response-bytes N]
                   [--duplicate-status 403|400]
                   [--next-delay-ms N] [--response-status CODE
                   [--response-status-at K]] [--drop-next K] [--verbose]

The program under test gets AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT and talks
to http://127.0.0.1:PORT/2018-06-01/runtime/...

Events file (--events): NDJSON, one invocation per non-blank line, in order
(event_index counts them from 0).  A line is either
  - a raw event: any JSON value, sent as the /next body byte for byte (the
    line without its "\\n" / "\\r\\n"), or
  - a wrapper: a JSON object that has "event" or "body" and no key outside
    {event, body, deadline_ms, request_id, trace_id, function_arn,
     client_context, cognito_identity, tenant_id, content_type, delay_ms}:
      event            the event (any JSON), sent compact
      body             a string sent verbatim instead (e.g. invalid JSON)
      deadline_ms      this invocation's timeout (default --deadline-ms)
      request_id       Lambda-Runtime-Aws-Request-Id (default: a uuid4)
      trace_id         Lambda-Runtime-Trace-Id (default: a generated
                       "Root=1-<8 hex time>-<24 hex>;Parent=<16 hex>;
                       Sampled=0", without the line break)
      function_arn     Lambda-Runtime-Invoked-Function-Arn (default
                       --function-arn)
      client_context, cognito_identity  Lambda-Runtime-Client-Context /
                       -Cognito-Identity (string, or object sent as compact
                       JSON); absent by default, as for non-mobile invokes
      tenant_id        Lambda-Runtime-Aws-Tenant-Id; absent by default
      content_type     Content-Type of the /next answer (default
                       application/json)
      delay_ms         delay before this event is handed out (default
                       --next-delay-ms)
    A raw event whose top-level keys happen to fit that description must
    itself be wrapped ({"event": {...}}).  Invalid JSON (NaN and Infinity
    included) is a start-up error (exit 2).

Results (--results, NDJSON, truncated at start, one line per invocation
written when it completes, i.e. when the runtime calls /next again, and at
exit (SIGTERM/SIGINT, or --exit-after-all) for those that did not):
  {"request_id", "event_index" (0-based),
   "outcome": "response"|"error"|"timeout"|"none",
   "status" (HTTP status answered to the first accepted post, or null),
   "forced_status" (bool: --response-status applied),
   "platform_error" (null, or "Function.ResponseSizeTooLarge" after a 413),
   "body" (the posted body: parsed JSON if it is strict JSON, else the text,
           else null with "body_base64" for non-UTF-8 bytes; after a 413 the
           error Lambda reports instead),
   "body_is_json", "body_bytes", "content_type", "user_agent",
   "error_type_header" (Lambda-Runtime-Function-Error-Type or null),
   "xray_error_cause" (Lambda-Runtime-Function-XRay-Error-Cause or null),
   "error_body_conforms" (/error only: an object with string errorMessage and
           errorType and, if present, a stackTrace array of strings),
   "duration_ms" (handed out -> post received), "deadline_ms" (the absolute
   Lambda-Runtime-Deadline-Ms sent), "timeout_ms", "completed_before_deadline",
   "came_back_for_next", "deliveries" (times the event was sent), "trace_id"}
plus, for each accepted /runtime/init/error, a line
  {"init_error": {"status", "error_type_header", "body", "body_is_json",
                  "body_bytes", "content_type", "user_agent"}}
--init-error-file E gets that same object (written atomically when the init
error arrives) so a test can wait for the file.  --stats-file S gets the
/_test/stats object at exit and when the run completes.

Test endpoints on the same port (GET, never counted as violations):
  /_test/results  {"invocations": [... with "complete"], "init_errors": [...]}
  /_test/stats    counts, "state", "run_complete", "violations": [{kind,
                  method, path, request_id, status, detail}], ...

What is modelled, and where it comes from
  [D]   docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
  [O]   the runtime API OpenAPI spec runtime-api.zip (version 1.0.3)
  [RIE] aws/aws-lambda-runtime-interface-emulator: lambda/rapi/router.go,
        handler/*.go, middleware/middleware.go, rendering/rendering.go,
        core/states.go, core/runtime_state_names.go, interop/model.go,
        rapidcore/server.go; cmd/aws-lambda-rie/handlers.go
  [GO]  aws/aws-lambda-go lambda/runtime_api_client.go (reference client)
  [REF] /work/shared/reference/aws-events-runtime-sigv4.md section 6

- Routes live under /2018-06-01 [D][RIE router]: GET
  /runtime/invocation/next, POST /runtime/invocation/{id}/response, POST
  /runtime/invocation/{id}/error, POST /runtime/init/error.  A known path
  with another method gets 405 (empty body, Allow header; chi); anything
  else 404 "404 page not found" text/plain (Go http.NotFound).  Both are
  recorded as violations.
- Answers are rendered as go-chi/render.JSON does: Content-Type
  application/json, compact JSON, HTML-escaped, a final "\\n"; 202 bodies
  are {"status":"OK"} [RIE RenderAccepted][O StatusResponse]; error bodies
  {"errorMessage":..,"errorType":..} [RIE model.ErrorResponse][O].
- HTTP/1.1 keep-alive; every answer has Content-Length; bodies may be
  Content-Length or chunked; "Expect: 100-continue" is honoured.  No timeout
  anywhere: /next may block for ever ("Do not set a timeout on the GET
  request" [D]; Timeout: 0 in [GO]).
- /next returns 200, the event as body, and the headers
  Lambda-Runtime-Aws-Request-Id, -Deadline-Ms (Unix epoch ms = time handed
  out + timeout), -Invoked-Function-Arn, -Trace-Id, and -Client-Context /
  -Cognito-Identity / -Aws-Tenant-Id only when set, Content-Type
  application/json [D][O][RIE renderInvokeHeaders: empty headers omitted].
  The default ARN is RIE's arn:aws:lambda:us-east-1:012345678912:function:
  test_function; the default timeout 3000 ms is Lambda's default.
- The runtime state machine is RIE's (core/states.go), with its state names
  in messages; a refused transition is 403 {"errorType":
  "InvalidStateTransition","errorMessage":"State transition from X to Y
  failed for runtime. Error: State transition is not allowed"}:
    Started --/next--> Ready --/response|/error--> RuntimeResponseSentState
    --/next--> Ready ...;   Started --/init/error--> InitError.
  * An invocation is complete only when the runtime calls /next again [GO
    "An invoke is not complete until next() is called again!"][REF]; that
    is when came_back_for_next becomes true and its result line is written.
  * /next while the current invocation is unanswered re-sends the same
    event (same id and deadline): RIE's Ready.Ready() is a no-op and the
    current invoke is rendered again.  Violation next_without_response.
  * /next after /init/error: 403 (InitError -> Ready); /init/error after the
    first /next, or a second one: 403 (X -> InitError) [RIE initerror.go];
    both violations.
  * {id} not the current invocation's id: 400 {"errorMessage":"Invalid
    request ID","errorType":"InvalidRequestID"} [RIE AwsRequestIDValidator,
    RenderInvalidRequestID]; violation unknown_request_id, or
    stale_request_id when it was an earlier invocation's id.
  * A second /response or /error for the current id: 403 InvalidStateTransition
    (RuntimeResponseSentState -> InvocationResponse|InvocationErrorResponse):
    the state check runs before the interop layer's ErrResponseSent (which
    would give 400 InvalidRequestID) [RIE invocationresponse.go,
    invocationerror.go, states.go].  --duplicate-status 400 answers that 400
    instead.  Violation duplicate_response / duplicate_error.
- /response: any bytes are accepted [O requestBody */*]; whether they are
  strict JSON (RFC 8259, UTF-8, no NaN) is recorded.  Over
  --max-response-bytes (default 6 MiB + 100 = 6291556, RIE interop
  MaxPayloadSize) the answer is 413 {"errorMessage":"Exceeded maximum
  allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}
  and, as RIE does, the invocation ends with the platform error
  Function.ResponseSizeTooLarge (outcome "error"); a later post for it is a
  duplicate [RIE invocationresponse.go, interop ErrorResponseTooLarge].
- /error: 202; the body is recorded as it is, JSON or not (Lambda accepts
  any body and uses the Lambda-Runtime-Function-Error-Type header when the
  payload cannot be read [O header comment][RIE invocationerror.go]), with
  that header, Content-Type and Lambda-Runtime-Function-XRay-Error-Cause.
- /init/error: 202 once, in state Started; recorded; the runtime is
  expected to exit ("Runtime should exit after reporting the error" [O]).
- 500 "Container error. Non-recoverable state. Runtime should exit
  promptly" [D][O]: after a forced 500 every further runtime request is a
  violation request_after_container_error (it is still answered).
- --enforce-deadline: Lambda ends an invocation that is still unanswered
  at its deadline ("Task timed out") and shuts the execution environment
  down.  Here: at Lambda-Runtime-Deadline-Ms the invocation's outcome
  becomes "timeout" (platform_error "Sandbox.Timedout", body {"errorMessage":
  "RequestId: ID Error: Task timed out after N.NN seconds", "errorType":
  "Sandbox.Timedout"}, completed_before_deadline false; stats "timeouts"),
  its result line, the other results and the stats are written, and the
  server exits (the test then ends the runtime process; events not yet
  handed out get no result line).  Without it nothing ends an invocation:
  an answer after the deadline is recorded with completed_before_deadline
  false.
- When every event has been served and the runtime comes back with /next:
  the run is complete (stats run_complete); with --exit-after-all the
  results and stats are written and the server exits without answering
  (the client sees the connection close); otherwise that /next blocks until
  the client goes away.

Faults
  --next-delay-ms N         wait N ms before handing out each event (an
                            event whose client disconnects meanwhile is not
                            consumed)
  --response-status CODE    answer /response with CODE (body per code: 400
                            InvalidRequestID, 403 InvalidStateTransition,
                            413 RequestEntityTooLarge, 500 InternalServerError
                            as RIE renders them); the body is still
                            recorded and the invocation counts as answered;
                            with --response-status-at K only the K-th
                            /response that reaches an unanswered invocation
  --drop-next K             close the connection on the K-th /next call
                            (counting every /next) without answering, once;
                            the event is not consumed
"""

import argparse
import base64
import email.utils
import http
import json
import os
import re
import secrets
import select
import socket
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

API = "/2018-06-01"
DEFAULT_ARN = "arn:aws:lambda:us-east-1:012345678912:function:test_function"
MAX_PAYLOAD_SIZE = 6 * 1024 * 1024 + 100     # RIE interop.MaxPayloadSize

# RIE lambda/core/runtime_state_names.go
STARTED = "Started"
INIT_ERROR = "InitError"
READY = "Ready"
INVOCATION_RESPONSE = "InvocationResponse"
INVOCATION_ERROR_RESPONSE = "InvocationErrorResponse"
RESPONSE_SENT = "RuntimeResponseSentState"

WRAPPER_KEYS = {"event", "body", "deadline_ms", "request_id", "trace_id",
                "function_arn", "client_context", "cognito_identity",
                "tenant_id", "content_type", "delay_ms"}

NEXT_PATH = API + "/runtime/invocation/next"
INIT_ERROR_PATH = API + "/runtime/init/error"
INVOKE_POST_RE = re.compile(
    re.escape(API) + r"/runtime/invocation/([^/]+)/(response|error)")


# ----------------------------------------------------------------------------
# JSON
# ----------------------------------------------------------------------------

def _reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def parse_json_strict(data):
    """RFC 8259 JSON from UTF-8 bytes (no NaN/Infinity, no BOM); raises
    ValueError (UnicodeDecodeError and JSONDecodeError are ValueErrors)."""
    return json.loads(data.decode("utf-8"), parse_constant=_reject_constant)


def go_json(obj):
    """What go-chi/render.JSON writes: json.Encoder with SetEscapeHTML(true),
    so <, >, &, U+2028, U+2029 escaped, and a final newline."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        s = s.replace(ch, esc)
    return (s + "\n").encode("utf-8")


def error_body(error_type, message):
    return go_json({"errorMessage": message, "errorType": error_type})


ACCEPTED = go_json({"status": "OK"})
INVALID_REQUEST_ID = error_body("InvalidRequestID", "Invalid request ID")
INTERNAL_SERVER_ERROR = error_body("InternalServerError",
                                   "Internal Server Error")


def transition_error(src, dst):
    return error_body("InvalidStateTransition",
                      "State transition from %s to %s failed for runtime. "
                      "Error: State transition is not allowed" % (src, dst))


def too_large_body(limit):
    return error_body("RequestEntityTooLarge",
                      "Exceeded maximum allowed payload size (%d bytes)."
                      % limit)


def describe_body(raw):
    """The recorded form of a posted body."""
    out = {"body_bytes": len(raw)}
    try:
        out["body"] = parse_json_strict(raw)
        out["body_is_json"] = True
        return out
    except ValueError:
        out["body_is_json"] = False
    try:
        out["body"] = raw.decode("utf-8")
    except UnicodeDecodeError:
        out["body"] = None
        out["body_base64"] = base64.b64encode(raw).decode("ascii")
    return out


def error_body_conforms(desc):
    b = desc.get("body")
    if not desc.get("body_is_json") or not isinstance(b, dict):
        return False
    if not isinstance(b.get("errorMessage"), str):
        return False
    if not isinstance(b.get("errorType"), str):
        return False
    st = b.get("stackTrace")
    if "stackTrace" in b and not (isinstance(st, list) and
                                  all(isinstance(x, str) for x in st)):
        return False
    return True


# ----------------------------------------------------------------------------
# Events
# ----------------------------------------------------------------------------

class EventSpec:
    def __init__(self, index, body):
        self.index = index
        self.body = body
        self.deadline_ms = None
        self.request_id = None
        self.trace_id = None
        self.function_arn = None
        self.client_context = None
        self.cognito_identity = None
        self.tenant_id = None
        self.content_type = "application/json"
        self.delay_ms = None


def _header_value(value, where, key):
    if isinstance(value, (dict, list)):
        value = json.dumps(value, separators=(",", ":"))
    if not isinstance(value, str):
        raise ValueError("%s: %s must be a string" % (where, key))
    if any(ord(c) < 0x20 or ord(c) > 0x7e for c in value):
        raise ValueError("%s: %s must be printable ASCII (a header value)"
                         % (where, key))
    return value


def _non_negative_int(value, where, key):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("%s: %s must be an integer >= 0" % (where, key))
    return value


def load_events(path):
    with open(path, "rb") as f:
        data = f.read()
    events = []
    for lineno, line in enumerate(data.split(b"\n"), 1):
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line.strip():
            continue
        where = "%s line %d" % (path, lineno)
        try:
            value = parse_json_strict(line)
        except ValueError as e:
            raise ValueError("%s: invalid JSON: %s" % (where, e))
        ev = EventSpec(len(events), line)
        if (isinstance(value, dict) and ("event" in value or "body" in value)
                and set(value) <= WRAPPER_KEYS):
            if "event" in value and "body" in value:
                raise ValueError("%s: give either event or body" % where)
            if "event" in value:
                ev.body = json.dumps(value["event"], ensure_ascii=False,
                                     separators=(",", ":")).encode("utf-8")
            else:
                if not isinstance(value["body"], str):
                    raise ValueError("%s: body must be a string" % where)
                ev.body = value["body"].encode("utf-8")
            if "deadline_ms" in value:
                ev.deadline_ms = _non_negative_int(value["deadline_ms"],
                                                   where, "deadline_ms")
            if "delay_ms" in value:
                ev.delay_ms = _non_negative_int(value["delay_ms"], where,
                                                "delay_ms")
            for key in ("request_id", "trace_id", "function_arn",
                        "client_context", "cognito_identity", "tenant_id",
                        "content_type"):
                if key in value:
                    setattr(ev, key, _header_value(value[key], where, key))
            if ev.request_id is not None and (
                    not ev.request_id or "/" in ev.request_id):
                raise ValueError("%s: request_id must be non-empty and have "
                                 "no '/'" % where)
        events.append(ev)
    return events


def make_trace_id():
    return "Root=1-%08x-%s;Parent=%s;Sampled=0" % (
        int(time.time()), secrets.token_hex(12), secrets.token_hex(8))


def now_ms():
    return int(time.time() * 1000)


# ----------------------------------------------------------------------------
# Invocations and the recorded run
# ----------------------------------------------------------------------------

class Invocation:
    def __init__(self, spec, opts):
        self.spec = spec
        self.request_id = spec.request_id or str(uuid.uuid4())
        self.trace_id = spec.trace_id or make_trace_id()
        self.function_arn = spec.function_arn or opts.function_arn
        self.timeout_ms = (spec.deadline_ms if spec.deadline_ms is not None
                           else opts.deadline_ms)
        self.deadline_epoch_ms = None
        self.handed_mono = None
        self.deliveries = 0
        self.answered = False
        self.came_back = False
        self.written = False
        self.record = {"outcome": "none", "status": None,
                       "forced_status": False, "platform_error": None,
                       "body": None, "body_is_json": False, "body_bytes": 0,
                       "content_type": None, "user_agent": None,
                       "error_type_header": None, "xray_error_cause": None,
                       "error_body_conforms": None, "duration_ms": None,
                       "completed_before_deadline": False}

    def hand_out(self):
        self.deliveries += 1
        if self.deadline_epoch_ms is None:
            self.handed_mono = time.monotonic()
            self.deadline_epoch_ms = now_ms() + self.timeout_ms

    def headers(self):
        s = self.spec
        h = [("Content-Type", s.content_type),
             ("Lambda-Runtime-Aws-Request-Id", self.request_id),
             ("Lambda-Runtime-Deadline-Ms", str(self.deadline_epoch_ms)),
             ("Lambda-Runtime-Invoked-Function-Arn", self.function_arn),
             ("Lambda-Runtime-Trace-Id", self.trace_id)]
        if s.client_context:
            h.append(("Lambda-Runtime-Client-Context", s.client_context))
        if s.cognito_identity:
            h.append(("Lambda-Runtime-Cognito-Identity", s.cognito_identity))
        if s.tenant_id:
            h.append(("Lambda-Runtime-Aws-Tenant-Id", s.tenant_id))
        return h

    def answer(self, outcome, status, desc, headers, forced=False,
               platform_error=None):
        r = self.record
        r["outcome"] = outcome
        r["status"] = status
        r["forced_status"] = forced
        r["platform_error"] = platform_error
        r.update(desc)
        r["content_type"] = headers.get("Content-Type")
        r["user_agent"] = headers.get("User-Agent")
        r["duration_ms"] = round((time.monotonic() - self.handed_mono)
                                 * 1000.0, 3)
        r["completed_before_deadline"] = now_ms() <= self.deadline_epoch_ms
        self.answered = True

    def time_out(self):
        """--enforce-deadline: the deadline passed with no answer."""
        r = self.record
        r["outcome"] = "timeout"
        r["platform_error"] = "Sandbox.Timedout"
        r["body"] = {"errorMessage": "RequestId: %s Error: Task timed out "
                                     "after %.2f seconds"
                                     % (self.request_id,
                                        self.timeout_ms / 1000.0),
                     "errorType": "Sandbox.Timedout"}
        r["body_is_json"] = True
        r["duration_ms"] = round((time.monotonic() - self.handed_mono)
                                 * 1000.0, 3)
        r["completed_before_deadline"] = False
        self.answered = True

    def result(self):
        out = {"request_id": self.request_id, "event_index": self.spec.index}
        out.update(self.record)
        out.update({"deadline_ms": self.deadline_epoch_ms,
                    "timeout_ms": self.timeout_ms,
                    "came_back_for_next": self.came_back,
                    "deliveries": self.deliveries,
                    "trace_id": self.trace_id})
        return out


class ResultsFile:
    def __init__(self, path):
        self._lock = threading.Lock()
        self._f = open(path, "w", encoding="utf-8") if path else None

    def write(self, obj):
        if self._f is None:
            return
        with self._lock:
            self._f.write(json.dumps(obj, separators=(",", ":")) + "\n")
            self._f.flush()


def write_json_atomic(path, obj):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(obj, indent=1, sort_keys=True) + "\n")
    os.rename(tmp, path)


class RuntimeApi:
    """The platform side: event queue, runtime state, records."""

    def __init__(self, opts, events):
        self.opts = opts
        self.events = events
        self.next_event = 0
        self.requeued = []          # events taken but never delivered
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.state = STARTED
        self.current = None
        self.invocations = []
        self.by_id = {}
        self.init_errors = []
        self.violations = []
        self.counts = {"next_calls": 0, "deliveries": 0, "responses": 0,
                       "errors": 0, "init_errors": 0, "requests": 0,
                       "dropped_next": 0, "too_large": 0, "forced": 0,
                       "response_posts": 0, "timeouts": 0}
        self.waiting_next = 0
        self.drop_done = False
        self.container_error = False
        self.run_complete = False
        self.results = ResultsFile(opts.results)
        self.stop = threading.Event()
        self.server = None

    # -- bookkeeping (lock held) ---------------------------------------------

    def violation(self, kind, method, path, status, detail="",
                  request_id=None):
        self.violations.append({"kind": kind, "method": method, "path": path,
                                "request_id": request_id, "status": status,
                                "detail": detail})
        if self.opts.verbose:
            sys.stderr.write("runtime_api: violation %s %s %s -> %s %s\n"
                             % (kind, method, path, status, detail))

    def has_event(self):
        return bool(self.requeued) or self.next_event < len(self.events)

    def take_event(self):
        if self.requeued:
            return self.requeued.pop(0)
        ev = self.events[self.next_event]
        self.next_event += 1
        return ev

    def complete_current(self):
        inv = self.current
        if inv is not None and inv.answered:
            inv.came_back = True
            self.write_result(inv)
            self.current = None

    def write_result(self, inv):
        if not inv.written:
            inv.written = True
            self.results.write(inv.result())

    def stats(self):
        served = len(self.invocations)
        completed = sum(1 for i in self.invocations if i.came_back)
        c = dict(self.counts)
        c.update({"events_total": len(self.events), "events_served": served,
                  "events_remaining": (len(self.events) - self.next_event
                                       + len(self.requeued)),
                  "completed": completed,
                  "connections": (self.server.connections.value
                                  if self.server else 0),
                  "state": self.state,
                  "current_request_id": (self.current.request_id
                                         if self.current else None),
                  "run_complete": self.run_complete,
                  "container_error": self.container_error,
                  "violation_count": len(self.violations),
                  "violations": list(self.violations)})
        return c

    def results_doc(self):
        invs = []
        for i in self.invocations:
            r = i.result()
            r["complete"] = i.came_back
            invs.append(r)
        return {"invocations": invs, "init_errors": list(self.init_errors)}

    def write_stats_file(self):
        if self.opts.stats_file:
            write_json_atomic(self.opts.stats_file, self.stats())

    def watch_deadlines(self):
        """--enforce-deadline (a thread): time the current invocation out
        at its deadline, then stop the server as Lambda would."""
        while not self.stop.wait(0.02):
            with self.cond:
                inv = self.current
                if (inv is None or inv.answered or inv.deadline_epoch_ms
                        is None or now_ms() < inv.deadline_epoch_ms):
                    continue
                inv.time_out()
                self.counts["timeouts"] += 1
                self.write_result(inv)
                self.write_stats_file()
                self.stop.set()
                self.cond.notify_all()
                return

    def flush_at_exit(self):
        with self.lock:
            for inv in self.invocations:
                self.write_result(inv)
            self.write_stats_file()


# ----------------------------------------------------------------------------
# HTTP
# ----------------------------------------------------------------------------

def peer_closed(sock):
    try:
        r, _, _ = select.select([sock], [], [], 0)
        if not r:
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class Handler(common.BaseHandler):
    server_version = "runtime-api-test"
    timeout = None

    def version_string(self):
        return self.server_version

    # BaseHTTPRequestHandler.handle_one_request, dispatching every method
    # ourselves so that unknown paths are 404 and wrong methods 405.
    def handle_one_request(self):
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline = ""
                self.request_version = ""
                self.command = ""
                self.send_error(414)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            self.dispatch()
            self.wfile.flush()
        except (TimeoutError, socket.timeout, ConnectionError):
            self.close_connection = True

    @property
    def api(self):
        return self.server.api

    def answer(self, status, body=b"", ctype="application/json", extra=()):
        headers = []
        if ctype and body:
            headers.append(("Content-Type", ctype))
        headers.extend(extra)
        headers.append(("Date", email.utils.formatdate(usegmt=True)))
        self.send_full(status, headers, body)

    def dispatch(self):
        path = urllib.parse.urlsplit(self.path).path
        method = self.command
        framing = common.RequestFraming(self.headers)
        if framing.error:
            self.answer(400, b"400 Bad Request", "text/plain; charset=utf-8",
                        [("Connection", "close")])
            self.close_connection = True
            with self.api.lock:
                self.api.violation("bad_framing", method, path, 400,
                                   framing.error)
            return
        try:
            body = common.read_request_body(self.rfile, framing)
        except common.TruncatedBody:
            self.close_connection = True
            return
        except common.BadRequestBody as e:
            self.answer(400, b"400 Bad Request", "text/plain; charset=utf-8",
                        [("Connection", "close")])
            self.close_connection = True
            with self.api.lock:
                self.api.violation("bad_framing", method, path, 400, str(e))
            return

        if path.startswith("/_test/"):
            return self.test_route(method, path)

        api = self.api
        with api.lock:
            api.counts["requests"] += 1
            if api.container_error:
                api.violation("request_after_container_error", method, path,
                              None, "the runtime should have exited after "
                              "a 500")

        m = INVOKE_POST_RE.fullmatch(path)
        if path == NEXT_PATH:
            allowed = "GET"
        elif path == INIT_ERROR_PATH or m:
            allowed = "POST"
        else:
            with api.lock:
                api.violation("not_found", method, path, 404)
            return self.answer(404, b"404 page not found\n",
                               "text/plain; charset=utf-8",
                               [("X-Content-Type-Options", "nosniff")])
        if method != allowed:
            with api.lock:
                api.violation("method_not_allowed", method, path, 405)
            return self.answer(405, extra=[("Allow", allowed)])
        if path == NEXT_PATH:
            return self.next_invocation(path)
        if path == INIT_ERROR_PATH:
            return self.init_error(path, body)
        return self.invocation_post(path, urllib.parse.unquote(m.group(1)),
                                    m.group(2), body)

    # -- /_test --------------------------------------------------------------

    def test_route(self, method, path):
        if path not in ("/_test/results", "/_test/stats"):
            return self.answer(404, b"404 page not found\n",
                               "text/plain; charset=utf-8")
        if method not in ("GET", "HEAD"):
            return self.answer(405, extra=[("Allow", "GET")])
        with self.api.lock:
            doc = (self.api.results_doc() if path == "/_test/results"
                   else self.api.stats())
        self.answer(200, (json.dumps(doc, indent=1) + "\n").encode("utf-8"))

    # -- GET /runtime/invocation/next ----------------------------------------

    def next_invocation(self, path):
        api = self.api
        opts = api.opts
        with api.cond:
            api.counts["next_calls"] += 1
            call_no = api.counts["next_calls"]
            if api.state == INIT_ERROR:
                api.violation("next_after_init_error", "GET", path, 403)
                body = transition_error(INIT_ERROR, READY)
                return self.answer(403, body)
            if api.current is not None and api.current.answered:
                api.complete_current()
            if api.current is not None and not api.current.answered:
                inv = api.current
                api.violation("next_without_response", "GET", path, 200,
                              "the current invocation is re-sent",
                              inv.request_id)
                inv.hand_out()
                api.counts["deliveries"] += 1
                payload, headers = inv.spec.body, inv.headers()
            else:
                if api.waiting_next:
                    api.violation("concurrent_next", "GET", path, None,
                                  "another /next is already waiting")
                if (opts.drop_next and not api.drop_done
                        and call_no == opts.drop_next):
                    api.drop_done = True
                    api.counts["dropped_next"] += 1
                    self.drop_connection()
                    return
                inv = self.wait_for_event(path)
                if inv is None:
                    return
                payload, headers = inv.spec.body, inv.headers()
        try:
            self.send_full(200, headers + [
                ("Date", email.utils.formatdate(usegmt=True))], payload)
        except OSError:
            self.close_connection = True

    def drop_connection(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def wait_for_event(self, path):
        """With api.cond held: the next event handed out as the current
        invocation, or None (the client went away, or the run is over)."""
        api = self.api
        api.waiting_next += 1
        try:
            if not api.has_event():
                api.run_complete = True
                api.write_stats_file()
                if api.opts.exit_after_all:
                    for inv in api.invocations:
                        api.write_result(inv)
                    api.stop.set()
                    self.close_connection = True
                    # Hold the connection unanswered until the process exits.
                    while True:
                        api.cond.wait(3600)
                while not api.has_event():
                    api.cond.wait(0.1)
                    if peer_closed(self.connection):
                        self.close_connection = True
                        return None
            spec = api.take_event()
            delay = (spec.delay_ms if spec.delay_ms is not None
                     else api.opts.next_delay_ms)
            until = time.monotonic() + delay / 1000.0
            while True:
                left = until - time.monotonic()
                if left <= 0:
                    break
                api.cond.wait(min(left, 0.05))
                if peer_closed(self.connection):
                    api.requeued.insert(0, spec)
                    api.cond.notify_all()
                    self.close_connection = True
                    return None
            if api.state == INIT_ERROR:
                api.requeued.insert(0, spec)
                api.violation("next_after_init_error", "GET", path, 403)
                self.answer(403, transition_error(INIT_ERROR, READY))
                return None
            inv = Invocation(spec, api.opts)
            inv.hand_out()
            api.counts["deliveries"] += 1
            api.invocations.append(inv)
            api.by_id[inv.request_id] = inv
            api.current = inv
            api.state = READY
            return inv
        finally:
            api.waiting_next -= 1

    # -- POST /runtime/invocation/{id}/response|error -------------------------

    def invocation_post(self, path, request_id, kind, body):
        api = self.api
        opts = api.opts
        with api.lock:
            cur = api.current
            if cur is None or request_id != cur.request_id:
                known = request_id in api.by_id
                api.violation("stale_request_id" if known
                              else "unknown_request_id", "POST", path, 400,
                              "not the current invocation", request_id)
                return self.answer(400, INVALID_REQUEST_ID)
            target = (INVOCATION_RESPONSE if kind == "response"
                      else INVOCATION_ERROR_RESPONSE)
            if cur.answered:
                status = opts.duplicate_status
                api.violation("duplicate_" + kind, "POST", path, status,
                              "already answered (%s)" % cur.record["outcome"],
                              request_id)
                if status == 400:
                    return self.answer(400, INVALID_REQUEST_ID)
                return self.answer(403, transition_error(RESPONSE_SENT,
                                                         target))
            if kind == "response":
                api.counts["response_posts"] += 1
                forced = opts.response_status and (
                    not opts.response_status_at or
                    api.counts["response_posts"] == opts.response_status_at)
                if forced:
                    status = opts.response_status
                    cur.answer("response", status, describe_body(body),
                               self.headers,
                               forced=True)
                    api.counts["forced"] += 1
                    if status >= 500:
                        api.container_error = True
                    answer_body = forced_body(status, opts)
                elif len(body) > opts.max_response_bytes:
                    status = 413
                    err = {"errorMessage": "Response payload size (%d bytes) "
                           "exceeded maximum allowed payload size (%d bytes)."
                           % (len(body), opts.max_response_bytes),
                           "errorType": "Function.ResponseSizeTooLarge"}
                    d = {"body": err, "body_is_json": True,
                         "body_bytes": len(body)}
                    cur.answer("error", status, d, self.headers,
                               platform_error="Function.ResponseSizeTooLarge")
                    api.counts["too_large"] += 1
                    answer_body = too_large_body(opts.max_response_bytes)
                else:
                    status = 202
                    cur.answer("response", status, describe_body(body),
                               self.headers)
                    api.counts["responses"] += 1
                    answer_body = ACCEPTED
            else:
                status = 202
                desc = describe_body(body)
                desc["error_body_conforms"] = error_body_conforms(desc)
                cur.answer("error", status, desc, self.headers)
                cur.record["error_type_header"] = self.headers.get(
                    "Lambda-Runtime-Function-Error-Type")
                cur.record["xray_error_cause"] = self.headers.get(
                    "Lambda-Runtime-Function-XRay-Error-Cause")
                api.counts["errors"] += 1
                answer_body = ACCEPTED
            api.state = RESPONSE_SENT
        self.answer(status, answer_body)

    # -- POST /runtime/init/error ---------------------------------------------

    def init_error(self, path, body):
        api = self.api
        with api.cond:
            if api.state != STARTED:
                api.violation("init_error_not_allowed", "POST", path, 403,
                              "runtime state %s" % api.state)
                return self.answer(403, transition_error(api.state,
                                                         INIT_ERROR))
            rec = {"status": 202,
                   "error_type_header": self.headers.get(
                       "Lambda-Runtime-Function-Error-Type"),
                   "content_type": self.headers.get("Content-Type"),
                   "user_agent": self.headers.get("User-Agent")}
            rec.update(describe_body(body))
            api.state = INIT_ERROR
            api.counts["init_errors"] += 1
            api.init_errors.append(rec)
            api.results.write({"init_error": rec})
            if api.opts.init_error_file:
                write_json_atomic(api.opts.init_error_file, rec)
            api.cond.notify_all()
        self.answer(202, ACCEPTED)


def forced_body(status, opts):
    if status == 400:
        return INVALID_REQUEST_ID
    if status == 403:
        return transition_error(READY, INVOCATION_RESPONSE)
    if status == 413:
        return too_large_body(opts.max_response_bytes)
    if status == 500:
        return INTERNAL_SERVER_ERROR
    if status == 202:
        return ACCEPTED
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return error_body(re.sub(r"[^A-Za-z0-9]", "", phrase), phrase)


class RuntimeApiServer(common.ThreadedHTTPServer):
    def __init__(self, host, port, api):
        common.ThreadedHTTPServer.__init__(self, host, port, Handler)
        self.api = api
        api.server = self


# ----------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(
        description="AWS Lambda Runtime API (2018-06-01) test server; "
                    "see the module docstring for the formats.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--events", required=True,
                   help="NDJSON, one invocation per line")
    p.add_argument("--deadline-ms", type=int, default=3000,
                   help="function timeout per invocation (default 3000)")
    p.add_argument("--function-arn", default=DEFAULT_ARN)
    p.add_argument("--results", help="NDJSON results file")
    p.add_argument("--stats-file", help="stats JSON written at exit")
    p.add_argument("--init-error-file",
                   help="JSON written when /runtime/init/error arrives")
    p.add_argument("--exit-after-all", action="store_true",
                   help="exit once every event is served and the runtime "
                        "came back for more")
    p.add_argument("--enforce-deadline", action="store_true",
                   help="time an unanswered invocation out at its deadline "
                        "and exit, as Lambda ends the environment")
    p.add_argument("--max-response-bytes", type=int,
                   default=MAX_PAYLOAD_SIZE)
    p.add_argument("--duplicate-status", type=int, choices=(403, 400),
                   default=403,
                   help="answer to a second /response|/error for the "
                        "current id (RIE: 403 InvalidStateTransition)")
    p.add_argument("--next-delay-ms", type=int, default=0)
    p.add_argument("--response-status", type=int, default=0,
                   help="force this status for /response")
    p.add_argument("--response-status-at", type=int, default=0,
                   help="force it only on the K-th /response (1-based)")
    p.add_argument("--drop-next", type=int, default=0,
                   help="close the connection on the K-th /next (1-based), "
                        "once")
    p.add_argument("--verbose", action="store_true")
    opts = p.parse_args(argv)
    if opts.response_status and not 100 <= opts.response_status <= 599:
        p.error("--response-status must be an HTTP status (100-599)")
    for name in ("deadline_ms", "next_delay_ms", "response_status_at",
                 "drop_next", "max_response_bytes"):
        if getattr(opts, name) < 0:
            p.error("--%s must be >= 0" % name.replace("_", "-"))
    return opts


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        events = load_events(opts.events)
    except (OSError, ValueError) as e:
        sys.stderr.write("runtime_api: %s\n" % e)
        sys.exit(2)
    api = RuntimeApi(opts, events)
    Handler.verbose = opts.verbose
    server = RuntimeApiServer(opts.host, opts.port, api)
    server.server_bind()
    server.server_activate()            # listening before the port is known
    if opts.port_file:
        common.write_port_file(opts.port_file, server.port)
    if opts.verbose:
        sys.stderr.write("runtime_api listening on %s:%d, %d events\n"
                         % (opts.host, server.port, len(events)))
    if opts.enforce_deadline:
        threading.Thread(target=api.watch_deadlines, daemon=True).start()
    common.run_until_signal([server], on_stop=api.flush_at_exit,
                            stop_event=api.stop)


if __name__ == "__main__":
    main()
