#!/usr/bin/env python3
"""logstash_server.py: a Logstash input test server for elbship, `tcp` with
the `json_lines` codec or `http`.  Standard library only.

    logstash_server.py --mode tcp  --port 0 --port-file F
                       --control-port-file F2 [--tls-cert C --tls-key K
                       [--client-ca CA]] [faults]
    logstash_server.py --mode http --port 0 --port-file F
                       [--tls-cert C --tls-key K [--client-ca CA]]
                       [--auth USER:PASS] [--ndjson] [faults]

Faithful to (sources: logstash-input-tcp lib/logstash/inputs/tcp.rb,
logstash-codec-json_lines, logstash-codec-json, logstash-input-http
HttpInitializer.java / MessageProcessor.java / http.rb, the reference
sheet elasticsearch-logstash.md):

tcp input + json_lines codec
- Any number of connections; each is a stream of JSON documents, each
  terminated by "\\n".  A line that is a JSON object is one event; a JSON
  array yields one event per element; anything else (invalid JSON, a
  scalar, an array holding a non-object) becomes ONE event
  {"message": <the line>, "tags": ["_jsonparsefailure"]} -- it is not
  dropped.  Empty lines yield nothing.
- At end of connection the codec is flushed: a last line without "\\n" is
  still decoded (recorded as a violation: "unterminated final line").
- There is no acknowledgement: the client only sees TCP back-pressure, a
  FIN or a RST.
- Decoration (ecs_compatibility v8, the Logstash 8 default): the peer
  address goes to [@metadata] fields, so events are not changed; with
  --ecs-compatibility disabled, `host` and `port` are set on the event only
  when absent (tcp.rb: `unless event.get(...)`).

http input
- Any method and any path (except GET /_test/* and POST /_test/reset, the
  introspection endpoints).  The codec is chosen by the media type of
  Content-Type, parameters stripped (HttpUtil.getMimeType): by default
  only `application/json` -> json codec (additional_codecs default);
  everything else -> the `plain` codec: ONE event whose `message` is the
  whole body.  So by default `application/x-ndjson` is NOT split into
  lines: each request becomes a single plain event (recorded as a
  violation).  With --ndjson the server also maps application/x-ndjson to
  json_lines (as `additional_codecs => {"application/x-ndjson" =>
  "json_lines"}` would).
- json codec: an object -> one event, an array -> one event per element,
  an empty body -> no event, anything else -> one _jsonparsefailure event
  with the whole body as message.  In ECS mode, when a body yields exactly
  one event, the codec sets [event][original] to the whole body unless the
  event already has it.
- Decoration in ECS mode (default v8; http.rb add_ecs_fields) OVERWRITES
  these fields of every event: [http][version], [user_agent][original],
  [url][domain], [url][port], [http][method], [url][path] (with the query
  string), [http][request][body][bytes], [http][request][mime_type], and
  [host][ip]; request headers go to [@metadata].  With
  --ecs-compatibility disabled it overwrites `host` and `headers`.  ECS
  documents from elbship carry url.*, user_agent.original, http.version
  ...: the stats list every field an event had that decoration replaced
  ("clobbered_fields").
- Logstash's Event adds `@version: "1"` and `@timestamp` (now) when absent;
  a `@timestamp` that is not an ISO8601 string is moved to `_@timestamp`
  and the event tagged `_timestampparsefailure`.
- Responses: 200 `ok` (text/plain, keep-alive; --response-code 201/202/204
  like the plugin's response_code); 401 with
  `WWW-Authenticate: Basic realm="Logstash HTTP Input"` and an empty body
  when credentials are missing, 401 empty without it when they are wrong;
  429 with an empty body when busy; 413 (empty, connection closed) past
  --max-content-length (default 100 MiB, the plugin's max_content_length);
  400 text/plain when a gzip/deflate body cannot be decompressed.
  Content-Encoding gzip/x-gzip/deflate/x-deflate bodies are decoded
  (Netty HttpContentDecompressor); other encodings pass through undecoded
  (so JSON parsing fails), recorded as a violation.  Chunked bodies are
  accepted (Netty aggregates them).

Simplified: no queue or pipeline behind the input (events are kept in
memory), no `threads`/`max_pending_requests` (busy 429s are injected with
--429-rate), no charset conversion (bodies are UTF-8; invalid bytes
become U+FFFD, as the Java decoder does, and are recorded).

Faults (deterministic for a given --seed):
  tcp:  --close-after-lines N   once: the first connection whose N-th line
                                arrives is closed (close(): FIN, or RST if
                                unread data remains) right after line N;
                                the rest of what it had buffered is dropped
                                and counted in lines_dropped
        --reset-after-lines N   the same but always RST (SO_LINGER 0)
        --refuse-first-ms MS    bound but not listening for MS: refused
  http: --429-rate R            each request answered 429 (empty body)
                                without decoding, with probability R (hash
                                of seed and request number)
        --429-close             close the connection after such a 429
                                unless the request had Expect:100-continue
                                (what RejectWhenBlockedInboundHandler does)
        --503-first N           requests 1..N answered 503, nothing stored
        --reset-mid-response N  request N: events stored, then half of the
                                response bytes, then RST
        --refuse-first-ms MS    as for tcp

Introspection: GET /_test/events (NDJSON, one event a line, as Logstash
would pass it on; `?view=decoded` gives the codec output before
decoration), GET /_test/stats, POST /_test/reset.  In http mode on the same
port, in tcp mode on a side HTTP port whose number is written to
--control-port-file.  --dump FILE writes the events NDJSON to FILE and the
stats to FILE.stats.json on SIGTERM/SIGINT.
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import re
import socketserver
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common                                                   # noqa: E402

DEFAULT_MAX_CONTENT_LENGTH = 100 * 1024 * 1024
_ISO8601 = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)?)?"
    r"(Z|[+-]\d{2}(:?\d{2})?)?$")


def dumps(obj, pretty=False):
    if pretty:
        return (json.dumps(obj, indent=2, ensure_ascii=False)
                + "\n").encode("utf-8")
    return json.dumps(obj, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def set_path(event, path, value):
    """event.set("[a][b]", v): creates intermediate objects, overwrites."""
    cur = event
    for k in path[:-1]:
        if not isinstance(cur.get(k), dict):
            cur[k] = {}
        cur = cur[k]
    cur[path[-1]] = value


def get_path(event, path):
    cur = event
    for k in path:
        if not isinstance(cur, dict) or k not in cur:
            return None
        cur = cur[k]
    return cur


# ============================================================================
# Codecs
# ============================================================================

class ParseFailure(Exception):
    pass


def events_from_json(text):
    """LogStash::Event.from_json: object -> [it], array of objects -> them,
    empty -> [], anything else raises ParseFailure."""
    if not text.strip():
        return []

    def no_const(name):
        raise ValueError("non-standard token %s" % name)

    try:
        decoded = json.loads(text, parse_constant=no_const)
    except ValueError as e:
        raise ParseFailure(str(e))
    if isinstance(decoded, dict):
        return [decoded]
    if isinstance(decoded, list):
        if not all(isinstance(e, dict) for e in decoded):
            raise ParseFailure("array element is not an object")
        return decoded
    raise ParseFailure("JSON must contain array or hash, got %s"
                       % type(decoded).__name__)


def failure_event(text):
    return {"message": text, "tags": ["_jsonparsefailure"]}


class JsonCodec:
    """logstash-codec-json: the whole payload is one JSON document."""

    name = "json"

    def __init__(self, ecs):
        self.ecs = ecs

    def decode(self, text):
        try:
            events = events_from_json(text)
        except ParseFailure as e:
            return [failure_event(text)], [str(e)]
        if self.ecs and len(events) == 1 and \
                get_path(events[0], ["event", "original"]) is None:
            set_path(events[0], ["event", "original"], text)
        return events, []


class PlainCodec:
    name = "plain"

    def decode(self, text):
        return [{"message": text}], []


class JsonLinesCodec:
    """logstash-codec-json_lines: a BufferedTokenizer on "\\n"; feed() for
    each chunk, flush() at end of stream decodes what is left."""

    name = "json_lines"

    def __init__(self):
        self.buf = b""

    def feed(self, data):
        """-> list of complete lines (bytes, without the delimiter)."""
        self.buf += data
        if b"\n" not in self.buf:
            return []
        *lines, self.buf = self.buf.split(b"\n")
        return lines

    def flush(self):
        rest, self.buf = self.buf, b""
        return rest

    @staticmethod
    def decode_line(line):
        text = line.decode("utf-8", errors="replace")
        problems = []
        if "\ufffd" in text and b"\xef\xbf\xbd" not in line:
            problems.append("invalid UTF-8")
        try:
            return events_from_json(text), problems
        except ParseFailure as e:
            return [failure_event(text)], problems + [str(e)]

    def decode(self, text):
        """Whole-body use (http input with --ndjson)."""
        self.buf = b""
        events, problems = [], []
        data = text.encode("utf-8")
        for line in self.feed(data) + [self.flush()]:
            ev, pr = self.decode_line(line)
            events += ev
            problems += pr
        return events, problems


# ============================================================================
# Event store, stats, Logstash's own decoration
# ============================================================================

class EventStore:
    """Events as Logstash would pass them on, plus counters."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.events = []          # (decoded, final)
            self.counters = {}
            self.maps = {}
            self.violations = []
            self.auth_failures = []
            self.connections = []     # tcp: per-connection summaries

    def inc(self, name, n=1):
        with self.lock:
            self.counters[name] = self.counters.get(name, 0) + n

    def inc_map(self, name, key, n=1):
        with self.lock:
            m = self.maps.setdefault(name, {})
            m[str(key)] = m.get(str(key), 0) + n

    def violation(self, where, reason):
        with self.lock:
            self.violations.append({"where": where, "reason": reason})

    def auth_failure(self, request_no, reason):
        with self.lock:
            self.auth_failures.append({"request": request_no,
                                       "reason": reason})

    def add(self, decoded, final):
        with self.lock:
            self.events.append((decoded, final))
            self.counters["events"] = self.counters.get("events", 0) + 1
            if "_jsonparsefailure" in (final.get("tags") or []):
                self.counters["json_parse_failures"] = \
                    self.counters.get("json_parse_failures", 0) + 1

    def ndjson(self, view="event"):
        with self.lock:
            rows = [d if view == "decoded" else f for d, f in self.events]
        return b"".join(dumps(r) + b"\n" for r in rows)

    def snapshot(self, servers):
        with self.lock:
            snap = dict(self.counters)
            for k in ("events", "json_parse_failures", "requests", "lines",
                      "bytes", "lines_dropped"):
                snap.setdefault(k, 0)
            for k in ("responses_by_status", "content_types",
                      "content_encodings", "codecs", "faults_fired",
                      "clobbered_fields", "user_agents"):
                snap[k] = dict(self.maps.get(k, {}))
            snap["violations"] = list(self.violations)
            snap["auth_failures"] = list(self.auth_failures)
            snap["connection_log"] = list(self.connections)
        snap["connections_accepted"] = servers[0].connections.value
        snap["tls_handshake_failures"] = servers[0].tls_failures.value
        return snap


def logstash_event(decoded):
    """What LogStash::Event.new(hash) makes of a decoded hash."""
    ev = json.loads(json.dumps(decoded))         # deep copy
    ts = ev.get("@timestamp")
    if "@timestamp" in ev:
        if not (isinstance(ts, str) and _ISO8601.match(ts)):
            del ev["@timestamp"]
            ev["_@timestamp"] = ts
            tags = ev.get("tags")
            tags = tags if isinstance(tags, list) else \
                ([tags] if tags is not None else [])
            ev["tags"] = tags + ["_timestampparsefailure"]
            ev["@timestamp"] = now_iso()
    else:
        ev["@timestamp"] = now_iso()
    ev.setdefault("@version", "1")
    return ev


class Decorator:
    """Applies an input's decoration, recording every field it replaced."""

    def __init__(self, store, ecs):
        self.store = store
        self.ecs = ecs

    def overwrite(self, ev, path, value):
        cur = ev
        for i, k in enumerate(path):
            if not isinstance(cur, dict) or k not in cur:
                break
            if i == len(path) - 1 or not isinstance(cur[k], dict):
                if cur[k] != value:
                    self.store.inc_map("clobbered_fields",
                                       ".".join(path[:i + 1]))
                break
            cur = cur[k]
        set_path(ev, path, value)

    def http(self, ev, meta):
        if self.ecs:
            for path, key in ((["http", "version"], "http_version"),
                              (["user_agent", "original"], "user_agent"),
                              (["url", "domain"], "domain"),
                              (["url", "port"], "port"),
                              (["http", "method"], "method"),
                              (["url", "path"], "path"),
                              (["http", "request", "body", "bytes"],
                               "content_length"),
                              (["http", "request", "mime_type"],
                               "content_type")):
                if meta.get(key) is not None:
                    self.overwrite(ev, path, meta[key])
            set_path(ev, ["@metadata", "input", "http", "request", "headers"],
                     meta["headers"])
            self.overwrite(ev, ["host", "ip"], meta["remote"])
        else:
            self.overwrite(ev, ["headers"], meta["headers"])
            self.overwrite(ev, ["host"], meta["remote"])
        ev.pop("@metadata", None)        # @metadata never leaves Logstash
        return ev

    def tcp(self, ev, peer):
        if not self.ecs:
            ev.setdefault("host", peer[0])
            ev.setdefault("port", peer[1])
        return ev


# ============================================================================
# tcp input
# ============================================================================

class TcpFaults:
    def __init__(self, args):
        self.close_after = args.close_after_lines
        self.reset_after = args.reset_after_lines
        self._lock = threading.Lock()
        self.fired = False

    def claim(self, lines_in_conn):
        """'close' / 'reset' when this connection must be cut now."""
        with self._lock:
            if self.fired:
                return None
            if self.reset_after and lines_in_conn >= self.reset_after:
                self.fired = True
                return "reset"
            if self.close_after and lines_in_conn >= self.close_after:
                self.fired = True
                return "close"
        return None


class TcpInputHandler(socketserver.BaseRequestHandler):
    """One connection: json_lines over a raw (or TLS) stream."""

    def handle(self):
        srv = self.server
        store, codec = srv.store, JsonLinesCodec()
        conn_no = srv.conn_ids.next()
        peer = self.client_address
        summary = {"connection": conn_no, "lines": 0, "bytes": 0,
                   "end": None}
        try:
            while True:
                try:
                    data = self.request.recv(65536)
                except (ConnectionError, OSError):
                    summary["end"] = "reset by peer"
                    break
                if not data:
                    summary["end"] = "eof"
                    break
                summary["bytes"] += len(data)
                store.inc("bytes", len(data))
                lines = codec.feed(data)
                for i, line in enumerate(lines):
                    self._line(line, peer, conn_no, summary)
                    cut = srv.faults.claim(summary["lines"])
                    if cut:
                        dropped = len(lines) - i - 1 + (1 if codec.buf else 0)
                        store.inc("lines_dropped", dropped)
                        store.inc_map("faults_fired", cut + "_after_lines")
                        summary["end"] = cut + " (fault)"
                        codec.buf = b""
                        if cut == "reset":
                            common.abortive_close(self.request)
                        else:
                            self.request.close()
                        return
            rest = codec.flush()
            if rest.strip():
                store.violation("connection %d" % conn_no,
                                "unterminated final line (no \\n before the "
                                "connection closed); decoded at flush")
                self._line(rest, peer, conn_no, summary)
        finally:
            with store.lock:
                store.connections.append(summary)

    def _line(self, line, peer, conn_no, summary):
        srv = self.server
        summary["lines"] += 1
        srv.store.inc("lines")
        if line.endswith(b"\r"):
            line = line[:-1]
        events, problems = JsonLinesCodec.decode_line(line)
        for p in problems:
            srv.store.violation("connection %d line %d" % (conn_no,
                                                           summary["lines"]),
                                p)
        for ev in events:
            final = srv.decorator.tcp(logstash_event(ev), peer)
            srv.store.add(ev, final)


class TcpInputServer(common.ThreadedTCPServer):
    def __init__(self, opts, tls, store, decorator):
        super().__init__(opts.host, opts.port, TcpInputHandler, tls)
        self.store = store
        self.decorator = decorator
        self.faults = TcpFaults(opts)
        self.conn_ids = common.Counter()


# ============================================================================
# http input (and the introspection endpoints)
# ============================================================================

class ControlMixin:
    """GET /_test/events, GET /_test/stats, POST /_test/reset."""

    def control(self):
        split = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(split.query))
        path = split.path
        srv = self.server
        if self.command in ("GET", "HEAD") and path == "/_test/events":
            body = srv.store.ndjson(params.get("view", "event"))
            self.send_full(200, [("content-type", "application/x-ndjson")],
                           body)
            return True
        if self.command in ("GET", "HEAD") and path == "/_test/stats":
            self.send_full(200, [("content-type", "application/json")],
                           dumps(srv.store.snapshot(srv.all_servers), True))
            return True
        if self.command == "POST" and path == "/_test/reset":
            common.discard_request_body(self.rfile,
                                        common.RequestFraming(self.headers))
            srv.reset_state()
            self.send_full(200, [("content-type", "application/json")],
                           b'{"acknowledged":true}')
            return True
        return False


class ControlHandler(ControlMixin, common.BaseHandler):
    def do_GET(self):
        if not self.control():
            self.send_full(404, [("content-type", "text/plain")],
                           b"not found")

    do_POST = do_HEAD = do_GET


class HttpFaults:
    def __init__(self, args):
        self.seed = args.seed
        self.rate_429 = getattr(args, "429_rate")
        self.close_429 = getattr(args, "429_close")
        self.first_503 = getattr(args, "503_first")
        self.reset_mid_response = args.reset_mid_response

    def busy(self, n):
        if not self.rate_429:
            return False
        h = hashlib.sha256(("%s\x1f429\x1f%d" % (self.seed, n)).encode())
        return int.from_bytes(h.digest()[:8], "big") / float(1 << 64) \
            < self.rate_429


class HttpInputHandler(ControlMixin, common.BaseHandler):
    server_version = "logstash-http-input-test"

    def do_GET(self):
        if self.path.startswith("/_test/") and self.control():
            return
        self.ingest()

    do_POST = do_PUT = do_HEAD = do_DELETE = do_PATCH = do_GET

    def setup(self):
        super().setup()
        self.conn_id = self.server.conn_ids.next()

    def empty(self, status, extra=(), close=False):
        self.server.store.inc_map("responses_by_status", status)
        self.send_full(status, list(extra), b"", close=close)

    def ingest(self):
        srv, store, opts = self.server, self.server.store, self.server.opts
        n = srv.request_ids.next()
        store.inc("requests")
        ua = self.headers.get("User-Agent")
        if ua:
            store.inc_map("user_agents", ua)
        framing = common.RequestFraming(self.headers)
        if framing.error:
            store.violation("request %d" % n, framing.error)
            return self.empty(400, close=True)
        if srv.faults.busy(n):
            store.inc_map("faults_fired", "429")
            expect = (self.headers.get("Expect") or "").lower() == \
                "100-continue"
            if srv.faults.close_429 and not expect:
                return self.empty(429, close=True)
            try:
                if not common.discard_request_body(self.rfile, framing):
                    self.close_connection = True
            except (common.TruncatedBody, common.BadRequestBody):
                self.close_connection = True
            return self.empty(429)
        if framing.content_length is not None and \
                framing.content_length > opts.max_content_length:
            store.inc_map("faults_fired", "413")
            return self.empty(413, close=True)
        try:
            body = common.read_request_body(self.rfile, framing)
        except common.TruncatedBody as e:
            store.violation("request %d" % n, "truncated body: %s" % e)
            self.close_connection = True
            return
        except common.BadRequestBody as e:
            store.violation("request %d" % n, str(e))
            return self.empty(400, close=True)
        if framing.chunked:
            store.inc("chunked_requests")
        if n <= srv.faults.first_503:
            store.inc_map("faults_fired", "503")
            return self.empty(503)
        if srv.auth is not None:
            auth = self.headers.get("Authorization")
            if not auth:
                store.auth_failure(n, "missing credentials")
                return self.empty(401, [("WWW-Authenticate",
                                         'Basic realm="Logstash HTTP Input"')])
            if not hmac.compare_digest(auth.strip().encode(),
                                       srv.auth.encode()):
                store.auth_failure(n, "wrong credentials")
                return self.empty(401)
        encoding = (self.headers.get("Content-Encoding") or "").strip().lower()
        if encoding:
            store.inc_map("content_encodings", encoding)
        try:
            data = common.decode_content_encoding(
                body, encoding, limit=opts.max_content_length)
        except common.UnsupportedEncoding:
            store.violation("request %d" % n, "Content-Encoding [%s] is not "
                            "decoded by the http input" % encoding)
            data = body
        except common.DecodedTooLarge:
            store.inc_map("faults_fired", "413")
            return self.empty(413, close=True)
        except common.CorruptEncoding as e:
            msg = ("decompression failed: %s" % e).encode()
            store.inc_map("responses_by_status", 400)
            return self.send_full(400, [("content-type", "text/plain")], msg)
        ctype = self.headers.get("Content-Type") or ""
        mime = ctype.split(";", 1)[0].strip()
        store.inc_map("content_types", mime or "<none>")
        codec = srv.codec_for(mime)
        store.inc_map("codecs", codec.name)
        if mime == "application/x-ndjson" and codec.name == "plain":
            store.violation("request %d" % n, "application/x-ndjson goes to "
                            "the plain codec (one event per request) unless "
                            "the input maps it to json_lines (--ndjson)")
        text = data.decode("utf-8", errors="replace")
        if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
            store.violation("request %d" % n, "body is not valid UTF-8")
        events, problems = codec.decode(text)
        for p in problems:
            store.violation("request %d" % n, p)
        meta = self.request_meta(framing)
        for ev in events:
            final = srv.decorator.http(logstash_event(ev), meta)
            store.add(ev, final)
        status = opts.response_code
        headers = [("content-type", "text/plain")]
        payload = b"" if status == 204 else b"ok"
        if n == srv.faults.reset_mid_response:
            store.inc_map("faults_fired", "reset_mid_response")
            return self.send_partial_then_reset(status, headers, payload)
        store.inc_map("responses_by_status", status)
        self.send_full(status, headers, payload)

    def request_meta(self, framing):
        headers = {}
        for k, v in self.headers.items():
            k = k.lower().replace("-", "_")
            if k == "authorization":
                continue
            headers[k] = v
        for src, dst in (("accept", "http_accept"), ("host", "http_host"),
                         ("user_agent", "http_user_agent")):
            headers[dst] = headers.pop(src, None)
        headers["request_method"] = self.command
        headers["request_path"] = self.path
        headers["http_version"] = self.request_version
        host = headers.get("http_host") or ""
        m = re.match(r"^(([^:]+)|\[(.*)\])\:(\d+)$", host)
        domain, port = (m.group(2) or m.group(3), int(m.group(4))) if m \
            else (host or None, None)
        return {"headers": headers, "remote": self.client_address[0],
                "http_version": self.request_version,
                "user_agent": headers.get("http_user_agent"),
                "domain": domain, "port": port, "method": self.command,
                "path": self.path,
                "content_length": headers.get("content_length"),
                "content_type": headers.get("content_type")}


class HttpInputServer(common.ThreadedHTTPServer):
    def __init__(self, opts, tls, store, decorator, handler=HttpInputHandler):
        super().__init__(opts.host, opts.port, handler, tls)
        self.opts = opts
        self.store = store
        self.decorator = decorator
        self.faults = HttpFaults(opts)
        self.conn_ids = common.Counter()
        self.request_ids = common.Counter()
        self.auth = None
        if opts.auth:
            self.auth = "Basic " + base64.b64encode(
                opts.auth.encode()).decode()
        ecs = opts.ecs_compatibility != "disabled"
        self.codecs = {"application/json": JsonCodec(ecs)}
        if opts.ndjson:
            self.codecs["application/x-ndjson"] = JsonLinesCodec()

    def codec_for(self, mime):
        c = self.codecs.get(mime)
        if c is None:
            return PlainCodec()
        if isinstance(c, JsonLinesCodec):
            return JsonLinesCodec()
        return c


class ControlServer(common.ThreadedHTTPServer):
    def __init__(self, opts, store):
        super().__init__(opts.host, 0, ControlHandler)
        self.store = store


# ============================================================================
# main
# ============================================================================

def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mode", choices=("tcp", "http"), required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--control-port-file",
                   help="tcp mode: where to write the introspection port")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--client-ca")
    p.add_argument("--auth", help="http mode: USER:PASS (Basic)")
    p.add_argument("--ndjson", action="store_true",
                   help="http mode: map application/x-ndjson to json_lines")
    p.add_argument("--ecs-compatibility", choices=("v8", "v1", "disabled"),
                   default="v8")
    p.add_argument("--response-code", type=int, choices=(200, 201, 202, 204),
                   default=200)
    p.add_argument("--max-content-length", type=int,
                   default=DEFAULT_MAX_CONTENT_LENGTH)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--close-after-lines", type=int, default=0)
    p.add_argument("--reset-after-lines", type=int, default=0)
    p.add_argument("--refuse-first-ms", type=int, default=0)
    p.add_argument("--429-rate", type=float, default=0.0)
    p.add_argument("--429-close", action="store_true")
    p.add_argument("--503-first", type=int, default=0)
    p.add_argument("--reset-mid-response", type=int, default=0)
    p.add_argument("--dump")
    p.add_argument("--verbose", action="store_true")
    opts = p.parse_args(argv)
    if bool(opts.tls_cert) != bool(opts.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if opts.mode == "tcp" and not opts.control_port_file:
        p.error("--mode tcp needs --control-port-file (introspection port)")
    if opts.auth and ":" not in opts.auth:
        p.error("--auth USER:PASS")
    return opts


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    common.BaseHandler.verbose = opts.verbose
    tls = None
    if opts.tls_cert:
        tls = common.make_tls_context(opts.tls_cert, opts.tls_key,
                                      opts.client_ca)
    store = EventStore()
    decorator = Decorator(store, opts.ecs_compatibility != "disabled")
    if opts.mode == "tcp":
        main_server = TcpInputServer(opts, tls, store, decorator)
        control = ControlServer(opts, store)
        servers = [main_server, control]
    else:
        main_server = HttpInputServer(opts, tls, store, decorator)
        servers = [main_server]

    def reset_state():
        store.reset()
        if opts.mode == "http":
            main_server.request_ids.reset()
        else:
            main_server.faults.fired = False

    for s in servers:
        s.all_servers = servers
        s.reset_state = reset_state
    stop = common.install_early_stop()
    if opts.mode == "tcp":
        control.start(opts.control_port_file)
        control_thread = threading.Thread(
            target=control.serve_forever, kwargs={"poll_interval": 0.05},
            daemon=True)
        control_thread.start()
    main_server.start(opts.port_file, opts.refuse_first_ms, stop)

    def dump():
        if opts.dump:
            with open(opts.dump, "wb") as f:
                f.write(store.ndjson())
            with open(opts.dump + ".stats.json", "wb") as f:
                f.write(dumps(store.snapshot(servers), True))

    if opts.mode == "tcp":
        common.run_until_signal([main_server], on_stop=dump, stop_event=stop)
        control.shutdown()
        control.server_close()
    else:
        common.run_until_signal([main_server], on_stop=dump, stop_event=stop)


if __name__ == "__main__":
    main()
