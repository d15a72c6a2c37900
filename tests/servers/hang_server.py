#!/usr/bin/env python3
"""hang_server.py: a TCP endpoint that accepts connections and never
answers: a hung S3 (or any HTTP) endpoint, for the tests that prove every
blocking operation is bounded by a deadline.  Standard library only.

    hang_server.py --port 0 --port-file F [--host 127.0.0.1]
                   [--read request|none] [--log FILE] [--verbose]

Every connection is accepted (the TCP handshake completes, so a client's
connect timeout never fires) and held open, unanswered, until the client
closes or resets it, or the server stops (SIGTERM/SIGINT).

  --read request  (default) read the HTTP request: the head, then the body
                  as framed (Content-Length or chunked), then nothing more
                  is sent: a server that took the request and hangs
  --read none     read nothing: the request sits in the socket buffers, as
                  with a peer process that is stuck before reading

--log FILE gets one JSON line per happening, flushed at once:
  {"event":"connect","conn":N}
  {"event":"request","conn":N,"method":M,"target":T,"body_bytes":B}
  {"event":"closed","conn":N,"held_ms":MS}   the client gave up after MS
A test reads it to see that the client reached the endpoint and then let
go of the connection (rather than hanging with it).
"""

import argparse
import http.client
import json
import os
import socketserver
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common                                                   # noqa: E402


class Log:
    def __init__(self, path):
        self._lock = threading.Lock()
        self._f = open(path, "a", encoding="utf-8") if path else None

    def write(self, **rec):
        if self._f is None:
            return
        with self._lock:
            self._f.write(json.dumps(rec, separators=(",", ":")) + "\n")
            self._f.flush()


class HangHandler(socketserver.StreamRequestHandler):
    def handle(self):
        srv = self.server
        conn = srv.conn_ids.next()
        started = time.monotonic()
        srv.log.write(event="connect", conn=conn)
        if srv.opts.read == "request":
            self.read_request(conn)
        how = common.hold_until_peer_closes(self.connection, srv.stop)
        if how == "closed":
            srv.log.write(event="closed", conn=conn,
                          held_ms=int((time.monotonic() - started) * 1000))

    def read_request(self, conn):
        line = self.rfile.readline(65537)
        if not line:
            return
        parts = line.decode("latin-1").split()
        try:
            headers = http.client.parse_headers(self.rfile)
        except http.client.HTTPException:
            return
        framing = common.RequestFraming(headers)
        try:
            body = common.read_request_body(self.rfile, framing)
        except (common.TruncatedBody, common.BadRequestBody, OSError):
            return
        self.server.log.write(event="request", conn=conn,
                              method=parts[0] if parts else "",
                              target=parts[1] if len(parts) > 1 else "",
                              body_bytes=len(body))


class HangServer(common.ThreadedTCPServer):
    def __init__(self, opts, stop):
        common.ThreadedTCPServer.__init__(self, opts.host, opts.port,
                                          HangHandler)
        self.opts = opts
        self.stop = stop
        self.log = Log(opts.log)
        self.conn_ids = common.Counter()


def main(argv=None):
    p = argparse.ArgumentParser(
        description="accept TCP connections and never answer")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--read", choices=("request", "none"), default="request")
    p.add_argument("--log")
    p.add_argument("--verbose", action="store_true")
    opts = p.parse_args(sys.argv[1:] if argv is None else argv)
    stop = threading.Event()
    server = HangServer(opts, stop)
    server.start(opts.port_file)
    if opts.verbose:
        sys.stderr.write("hang_server listening on %s:%d\n"
                         % (opts.host, server.port))
    common.run_until_signal([server], stop_event=stop)


if __name__ == "__main__":
    main()
