#!/usr/bin/env python3
"""bulk_sink.py: a minimal, fast _bulk endpoint for the cost benchmark.

Accepts POST .../_bulk (gzip or plain), counts the action lines and answers
{"errors":false,"items":[{"create":{"status":201}},...]} with one item per
action, as Elasticsearch does with filter_path=errors,items.*.status.  It
does not parse documents (the project's strict test server,
tests/servers/es_server.py, does; it is too slow to measure elbship's CPU
at millions of documents).  Keep-alive, threaded.

    bulk_sink.py --port-file F [--errors-only]

--errors-only: read the body and answer {"errors":false} without
decompressing or counting (what Elasticsearch says first, and all elbship
reads when it is false): for wall-clock measurements on a machine whose
cores the sink would otherwise take from elbship (bench/wall.sh).
"""
import argparse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    errors_only = False

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        if self.errors_only:
            out = b'{"errors":false}'
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(out), out))
            return
        if self.headers.get("Content-Encoding") == "gzip":
            body = zlib.decompress(body, 47)
        docs = body.count(b"\n") // 2
        item = b'{"create":{"status":201}}'
        out = b'{"errors":false,"items":[' + b",".join([item] * docs) + b"]}"
        # One write: headers and body in separate segments would meet
        # Nagle's algorithm and the client's delayed ACK (40 ms a request).
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(out), out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--errors-only", action="store_true")
    a = ap.parse_args()
    H.errors_only = a.errors_only
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    import os
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
