#!/usr/bin/env python3
"""beats_server.py: a Logstash `beats` input test server (Lumberjack
protocol version 2, what Filebeat speaks) for elbship.  Standard library
only.

    beats_server.py --port 0 --port-file F --control-port-file F2
                    [--tls-cert C --tls-key K [--client-ca CA]] [faults]

Faithful to (sources: logstash-input-beats PROTOCOL.md, BeatsParser.java,
BeatsHandler.java, ConnectionHandler.java, V2Batch.java, AckEncoder.java,
message_listener.rb, raw_event_transform.rb; elastic/go-lumber client/v2
and server/v2, the reference Filebeat's logstash output uses):

- Frames: a version byte, a type byte, big-endian 32-bit integers.  A
  version byte other than '2' ends the connection ("Invalid version of
  beats protocol: N"; '1', Lumberjack v1, is not what Filebeat sends and is
  refused here too).  Types: 'W' window size (count), 'J' JSON data (seq,
  length, payload), 'C' compressed (length, payload: a zlib stream, RFC
  1950, holding more frames, decoded as if they had come on the wire).
  Any other type ends the connection ("Invalid Frame Type").  A JSON
  payload that is not a JSON object ends the connection (Jackson into a
  Map fails, the channel is closed).
- A window frame opens a batch of `count` events; the batch is complete
  when `count` data frames have arrived; a window frame that arrives while
  a batch is incomplete sends the incomplete batch on (and is recorded as
  a violation).  Each complete batch is processed (its events go to the
  store) and then acknowledged with one ACK naming its highest sequence
  number (needAck: seq == highest).  Sequence numbers are 1..count in a
  window, restarting for every window (go-lumber); anything else is
  recorded as a violation (Logstash itself does not check).
- ACK frame: '2' 'A' seq.  While a batch is being processed and nothing
  was written for --keepalive-ms (Logstash: 5 s writer idle), a keep-alive
  ACK with sequence 0 is sent (ConnectionHandler: new Ack(VERSION_2, 0)).
- Connections idle (nothing read or written) for --idle-close-ms are
  closed (client_inactivity_timeout, default 60 s).
- Events: as message_listener.rb makes them.  A hash with a `message`
  field goes through the codec (plain: the event keeps its fields, tag
  beats_input_codec_plain_applied); one without (elbship's documents)
  becomes a raw event, tagged beats_input_raw_event.  ECS mode (v8, the
  default) puts the peer's address in [@metadata][input][beats][host][ip];
  `@version` "1" and `@timestamp` are added when absent.  `@metadata` is
  kept (Logstash's outputs see it: index => "%{[@metadata][beat]}-...").

Faults (each fires once unless it says otherwise; windows and events are
counted over the server's life, from 1):
  --partial-ack N         acknowledge every N events of a window as they
                          are processed (partial ACKs), then the last
  --ack-delay-ms MS       every batch: "busy" for MS before its events are
                          stored and acknowledged, keep-alive ACKs (seq 0)
                          every --keepalive-ms meanwhile
  --reset-mid-window N    when event N arrives and its window is not
                          complete: TCP RST; the incomplete batch is lost
  --reset-before-ack K    window K is processed (stored), then TCP RST
                          instead of its ACK: the client sends it again,
                          the store has its events twice
  --close-after-window K  after acknowledging window K, close (FIN); what
                          the client sent after it is lost
  --ack-beyond K          window K is acknowledged with a sequence past
                          its end (count + 1), a protocol error
  --never-ack-first K     windows 1..K are read and dropped, never
                          acknowledged, no keep-alive (a hung pipeline)
  --never-ack             every window so (the client must give up)
  --refuse-first-ms MS    bound but not listening for MS: refused

TLS: --tls-cert/--tls-key (server), --client-ca (a client certificate
signed by it is required: ssl_client_authentication => required).

Introspection on a side HTTP port (its number in --control-port-file):
GET /_test/events (NDJSON, one event a line, as Logstash passes it on),
GET /_test/stats, POST /_test/reset.  --dump FILE writes the events to FILE
and the stats to FILE.stats.json on SIGTERM/SIGINT.
"""

import argparse
import datetime
import json
import os
import select
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common                                                   # noqa: E402
import logstash_server                                          # noqa: E402


class ProtocolError(Exception):
    """What makes the beats input close the channel."""


class Store:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.events = []
            self.counters = {}
            self.faults = {}
            self.violations = []
            self.connections = []

    def inc(self, name, n=1):
        with self.lock:
            self.counters[name] = self.counters.get(name, 0) + n

    def fault(self, name):
        with self.lock:
            self.faults[name] = self.faults.get(name, 0) + 1

    def violation(self, where, reason):
        with self.lock:
            self.violations.append({"where": where, "reason": reason})

    def add(self, events):
        with self.lock:
            self.events.extend(events)
            self.counters["events"] = self.counters.get("events", 0) + \
                len(events)

    def ndjson(self):
        with self.lock:
            rows = list(self.events)
        return b"".join(logstash_server.dumps(r) + b"\n" for r in rows)

    def snapshot(self, server):
        with self.lock:
            snap = dict(self.counters)
            for k in ("events", "windows", "acks", "partial_acks",
                      "keepalives", "data_frames", "compressed_frames",
                      "bytes"):
                snap.setdefault(k, 0)
            snap["faults_fired"] = dict(self.faults)
            snap["violations"] = list(self.violations)
            snap["connection_log"] = list(self.connections)
        snap["connections_accepted"] = server.connections.value
        snap["tls_handshake_failures"] = server.tls_failures.value
        return snap


class Faults:
    """Counters over the server's life and the once-only faults."""

    def __init__(self, opts):
        self.o = opts
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.windows = 0
        self.events = 0
        self.fired = set()

    def once(self, name, cond):
        with self.lock:
            if cond and name not in self.fired:
                self.fired.add(name)
                return True
        return False


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def beats_event(decoded, peer_ip, ecs):
    """What message_listener.rb and the transforms make of one hash."""
    ev = decoded                   # fresh from json.loads: no copy
    ts = ev.get("@timestamp")
    if not (isinstance(ts, str) and logstash_server._ISO8601.match(ts)):
        ev = logstash_server.logstash_event(decoded)
    ev.setdefault("@version", "1")
    tags = ev.get("tags")
    tags = tags if isinstance(tags, list) else \
        ([tags] if tags is not None else [])
    if decoded.get("message") is not None:
        tags.append("beats_input_codec_plain_applied")
    else:
        tags.append("beats_input_raw_event")
    ev["tags"] = tags
    if ecs:
        logstash_server.set_path(ev, ["@metadata", "input", "beats", "host",
                                      "ip"], peer_ip)
    else:
        logstash_server.set_path(ev, ["@metadata", "ip_address"], peer_ip)
    return ev


class Cut(Exception):
    """A fault ended the connection (how: 'reset' or 'close')."""

    def __init__(self, how):
        super().__init__(how)
        self.how = how


class Connection:
    """One client: the BeatsParser state machine and the BeatsHandler."""

    def __init__(self, server, sock, peer, conn_no):
        self.srv = server
        self.sock = sock
        self.peer = peer
        self.no = conn_no
        self.buf = bytearray()
        self.batch = None          # [window size, [(seq, event)]]
        self.last_io = self.last_write = time.monotonic()
        self.summary = {"connection": conn_no, "windows": 0, "events": 0,
                        "end": None}
        if isinstance(sock, ssl.SSLSocket):
            cert = sock.getpeercert()
            if cert:
                subj = dict(x[0] for x in cert.get("subject", ()))
                self.summary["client_cert_cn"] = subj.get("commonName")

    def where(self):
        return "connection %d" % self.no

    # ---- writing -------------------------------------------------------
    def ack(self, seq, kind="acks"):
        self.sock.sendall(struct.pack(">ccI", b"2", b"A", seq))
        self.last_io = self.last_write = time.monotonic()
        self.srv.store.inc(kind)

    def busy(self, ms):
        """Processing takes ms: keep-alive ACKs meanwhile."""
        opts = self.srv.opts
        end = time.monotonic() + ms / 1000.0
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            idle = self.last_write + opts.keepalive_ms / 1000.0 - \
                time.monotonic()
            if idle <= 0:
                self.ack(0, "keepalives")
                continue
            time.sleep(min(left, idle, 0.05))

    # ---- reading -------------------------------------------------------
    def run(self):
        store, opts = self.srv.store, self.srv.opts
        try:
            while True:
                wait = opts.idle_close_ms / 1000.0 - \
                    (time.monotonic() - self.last_io)
                if wait <= 0:
                    self.summary["end"] = "idle close"
                    store.inc("idle_closes")
                    self.sock.close()
                    return
                if not (isinstance(self.sock, ssl.SSLSocket) and
                        self.sock.pending()):
                    r, _, _ = select.select([self.sock], [], [],
                                            min(wait, 0.2))
                    if not r:
                        continue
                try:
                    data = self.sock.recv(65536)
                except (ConnectionError, OSError, ssl.SSLError):
                    self.summary["end"] = "reset by peer"
                    return
                if not data:
                    self.summary["end"] = "eof"
                    if self.buf or (self.batch and self.batch[1]):
                        store.violation(self.where(), "connection closed "
                                        "inside a frame or a window")
                    return
                self.last_io = time.monotonic()
                store.inc("bytes", len(data))
                self.buf += data
                used = self.parse(self.buf, top=True)
                del self.buf[:used]
        except ProtocolError as e:
            store.violation(self.where(), str(e))
            store.inc("protocol_errors")
            self.summary["end"] = "protocol error: %s" % e
            self.sock.close()
        except Cut as c:
            self.summary["end"] = c.how + " (fault)"
            if c.how == "reset":
                common.abortive_close(self.sock)
            else:
                self.graceful_close()
        except (ConnectionError, OSError, ssl.SSLError) as e:
            self.summary["end"] = "write failed: %s" % e

    def graceful_close(self):
        """Close with a FIN, never a reset: half-close, then read and drop
        what the client still sends (its next window: lost, as the fault
        says) until it closes too or a second passes.  Closing with those
        bytes unread would answer them with a reset, which may take the
        ACK just sent with it."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
            self.sock.settimeout(1.0)
            while self.sock.recv(65536):
                pass
        except (OSError, ssl.SSLError):
            pass
        self.sock.close()

    def parse(self, b, top):
        """Decode every complete frame of b; returns the bytes used.  The
        content of a compressed frame is decoded with top=False: it must
        hold whole frames."""
        i = 0
        while True:
            if len(b) - i < 2:
                break
            if b[i] != ord("2"):
                raise ProtocolError("Invalid version of beats protocol: %d"
                                    % b[i])
            t = chr(b[i + 1])
            if t == "W":
                if len(b) - i < 6:
                    break
                (count,) = struct.unpack_from(">I", b, i + 2)
                i += 6
                self.window(count)
            elif t == "J":
                if len(b) - i < 10:
                    break
                seq, n = struct.unpack_from(">II", b, i + 2)
                if len(b) - i - 10 < n:
                    break
                payload = bytes(b[i + 10:i + 10 + n])
                i += 10 + n
                self.data(seq, payload)
            elif t == "C":
                if len(b) - i < 6:
                    break
                (n,) = struct.unpack_from(">I", b, i + 2)
                if len(b) - i - 6 < n:
                    break
                payload = bytes(b[i + 6:i + 6 + n])
                i += 6 + n
                self.compressed(payload)
            elif t == "D":
                raise ProtocolError("a Lumberjack v1 data frame ('D') in a "
                                    "v2 stream")
            else:
                raise ProtocolError("Invalid Frame Type, received: %d"
                                    % b[i + 1])
        if not top and i != len(b):
            raise ProtocolError("a compressed frame ends inside a frame")
        return i

    def compressed(self, payload):
        store = self.srv.store
        store.inc("compressed_frames")
        d = zlib.decompressobj()           # zlib wrapper: Java's Inflater
        try:
            inner = d.decompress(payload, 256 << 20)
        except zlib.error as e:
            raise ProtocolError("compressed frame: %s" % e)
        if not d.eof:
            raise ProtocolError("compressed frame: truncated zlib stream")
        if d.unused_data:
            store.violation(self.where(), "%d bytes after the zlib stream "
                            "of a compressed frame" % len(d.unused_data))
        self.parse(bytearray(inner), top=False)

    def window(self, count):
        store = self.srv.store
        if self.batch is not None and self.batch[1]:
            store.violation(self.where(), "New window size received but the "
                            "current batch was not complete (%d of %d)"
                            % (len(self.batch[1]), self.batch[0]))
            self.process(self.batch)
        if count == 0:
            store.violation(self.where(), "a window of 0 events")
        self.batch = [count, []]

    def data(self, seq, payload):
        store, srv = self.srv.store, self.srv
        store.inc("data_frames")
        if self.batch is None:
            store.violation(self.where(), "a data frame before any window "
                            "frame")
            self.batch = [0, []]
        count, events = self.batch
        if seq != len(events) + 1:
            store.violation(self.where(), "sequence %d where %d was due "
                            "(1..count in each window)"
                            % (seq, len(events) + 1))
        if count and seq > count:
            store.violation(self.where(), "sequence %d in a window of %d"
                            % (seq, count))
        try:
            text = payload.decode("utf-8")
            obj = json.loads(text)
        except (UnicodeDecodeError, ValueError) as e:
            raise ProtocolError("event %d is not valid JSON: %s" % (seq, e))
        if not isinstance(obj, dict):
            raise ProtocolError("event %d is not a JSON object" % seq)
        events.append((seq, obj))
        with srv.faults.lock:
            srv.faults.events += 1
            n = srv.faults.events
        if srv.faults.once("reset_mid_window",
                           n == srv.opts.reset_mid_window and
                           len(events) < count):
            store.fault("reset_mid_window")
            store.inc("events_lost", len(events))
            raise Cut("reset")
        if count and len(events) == count:
            self.process(self.batch)
            self.batch = None

    def process(self, batch):
        """BeatsHandler: the batch's events to the pipeline, then ACKs."""
        srv, store, opts = self.srv, self.srv.store, self.srv.opts
        count, events = batch
        with srv.faults.lock:
            srv.faults.windows += 1
            k = srv.faults.windows
        store.inc("windows")
        self.summary["windows"] += 1
        if opts.never_ack or k <= opts.never_ack_first:
            store.fault("never_ack")
            store.inc("windows_dropped")
            return
        if opts.ack_delay_ms:
            store.fault("ack_delay")
            self.busy(opts.ack_delay_ms)
        ecs = opts.ecs_compatibility != "disabled"
        out = [beats_event(e, self.peer[0], ecs) for _, e in events]
        highest = max(s for s, _ in events) if events else 0
        if opts.partial_ack and len(out) > opts.partial_ack:
            done = 0
            for j in range(opts.partial_ack, len(out), opts.partial_ack):
                store.add(out[done:j])
                done = j
                self.ack(events[j - 1][0], "partial_acks")
            store.add(out[done:])
        else:
            store.add(out)
        self.summary["events"] += len(out)
        if srv.faults.once("reset_before_ack",
                           k == opts.reset_before_ack):
            store.fault("reset_before_ack")
            raise Cut("reset")
        if srv.faults.once("ack_beyond", k == opts.ack_beyond):
            store.fault("ack_beyond")
            highest = count + 1
        if not events:
            self.ack(0)            # "Sending 0-seq ACK for empty batch"
        else:
            self.ack(highest)
        if srv.faults.once("close_after_window",
                           k == opts.close_after_window):
            store.fault("close_after_window")
            raise Cut("close")


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        srv = self.server
        c = Connection(srv, self.request, self.client_address,
                       srv.conn_ids.next())
        try:
            c.run()
        finally:
            with srv.store.lock:
                srv.store.connections.append(c.summary)


class BeatsServer(common.ThreadedTCPServer):
    def __init__(self, opts, tls, store):
        super().__init__(opts.host, opts.port, Handler, tls)
        self.opts = opts
        self.store = store
        self.faults = Faults(opts)
        self.conn_ids = common.Counter()


class ControlHandler(common.BaseHandler):
    def do_GET(self):
        import urllib.parse
        path = urllib.parse.urlsplit(self.path).path
        srv = self.server
        if self.command in ("GET", "HEAD") and path == "/_test/events":
            return self.send_full(200, [("content-type",
                                         "application/x-ndjson")],
                                  srv.store.ndjson())
        if self.command in ("GET", "HEAD") and path == "/_test/stats":
            return self.send_full(200, [("content-type", "application/json")],
                                  logstash_server.dumps(
                                      srv.store.snapshot(srv.beats), True))
        if self.command == "POST" and path == "/_test/reset":
            common.discard_request_body(self.rfile,
                                        common.RequestFraming(self.headers))
            srv.store.reset()
            srv.beats.faults.reset()
            return self.send_full(200, [("content-type", "application/json")],
                                  b'{"acknowledged":true}')
        self.send_full(404, [("content-type", "text/plain")], b"not found")

    do_POST = do_HEAD = do_GET


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--control-port-file", required=True)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--client-ca")
    p.add_argument("--ecs-compatibility", choices=("v8", "v1", "disabled"),
                   default="v8")
    p.add_argument("--keepalive-ms", type=int, default=5000)
    p.add_argument("--idle-close-ms", type=int, default=60000)
    p.add_argument("--partial-ack", type=int, default=0)
    p.add_argument("--ack-delay-ms", type=int, default=0)
    p.add_argument("--reset-mid-window", type=int, default=0)
    p.add_argument("--reset-before-ack", type=int, default=0)
    p.add_argument("--close-after-window", type=int, default=0)
    p.add_argument("--ack-beyond", type=int, default=0)
    p.add_argument("--never-ack-first", type=int, default=0)
    p.add_argument("--never-ack", action="store_true")
    p.add_argument("--refuse-first-ms", type=int, default=0)
    p.add_argument("--dump")
    p.add_argument("--verbose", action="store_true")
    opts = p.parse_args(argv)
    if bool(opts.tls_cert) != bool(opts.tls_key):
        p.error("--tls-cert and --tls-key go together")
    return opts


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    common.BaseHandler.verbose = opts.verbose
    tls = None
    if opts.tls_cert:
        tls = common.make_tls_context(opts.tls_cert, opts.tls_key,
                                      opts.client_ca)
    store = Store()
    beats = BeatsServer(opts, tls, store)
    control = common.ThreadedHTTPServer(opts.host, 0, ControlHandler)
    control.store = store
    control.beats = beats
    stop = common.install_early_stop()
    control.start(opts.control_port_file)
    threading.Thread(target=control.serve_forever,
                     kwargs={"poll_interval": 0.05}, daemon=True).start()
    beats.start(opts.port_file, opts.refuse_first_ms, stop)

    def dump():
        if opts.dump:
            with open(opts.dump, "wb") as f:
                f.write(store.ndjson())
            with open(opts.dump + ".stats.json", "wb") as f:
                f.write(logstash_server.dumps(store.snapshot(beats), True))

    common.run_until_signal([beats], on_stop=dump, stop_event=stop)
    control.shutdown()
    control.server_close()


if __name__ == "__main__":
    main()
