#!/usr/bin/env python3
"""faultproxy.py: an HTTP proxy in front of s3rver that answers the first N
matching requests with an S3 error (503 SlowDown by default) and passes
everything else through unchanged (Host header included, so SigV4 still
verifies).  Proves that elbship retries throttling and 5xx with backoff.

    faultproxy.py --port-file F --target 127.0.0.1:PORT [--fail N]
                  [--status 503] [--code SlowDown] [--match REGEX] --log FILE

The log has one JSON line per request: method, target, the status sent.
"""
import argparse
import http.client
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--fail", type=int, default=2)
    ap.add_argument("--status", type=int, default=503)
    ap.add_argument("--code", default="SlowDown")
    ap.add_argument("--match", default=".")
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    host, port = a.target.split(":")
    left = [a.fail]
    lock = threading.Lock()
    logf = open(a.log, "a")

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *x):
            pass

        def log(self, status):
            with lock:
                logf.write(json.dumps({"method": self.command,
                                       "target": self.path,
                                       "status": status}) + "\n")
                logf.flush()

        def handle_one(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n) if n else None
            fail = False
            if re.search(a.match, self.path):
                with lock:
                    if left[0] > 0:
                        left[0] -= 1
                        fail = True
            if fail:
                msg = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s"
                       "</Code><Message>Please reduce your request rate.</Message>"
                       "</Error>" % a.code).encode()
                self.send_response(a.status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(msg)))
                self.end_headers()
                self.wfile.write(msg)
                self.log(a.status)
                return
            c = http.client.HTTPConnection(host, int(port), timeout=30)
            c.putrequest(self.command, self.path, skip_host=True,
                         skip_accept_encoding=True)
            for k, v in self.headers.items():
                c.putheader(k, v)
            c.endheaders(body)
            r = c.getresponse()
            data = r.read()
            self.send_response(r.status)
            for k, v in r.getheaders():
                if k.lower() not in ("transfer-encoding", "connection",
                                     "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            c.close()
            self.log(r.status)

        do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = handle_one

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    import os
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
