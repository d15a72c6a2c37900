#!/usr/bin/env python3
"""bench/startup.py: time from exec of the Lambda `bootstrap` to its first
GET /runtime/invocation/next, the figure that decides a cold start's share
that elbship controls (issue: under 10 ms).

    bench/startup.py [BINARY] [RUNS]

A minimal Runtime API endpoint records when /next arrives and then holds
the request; the process is killed and the next run starts.  The binary
runs with the environment a Lambda function gets (ELBSHIP_ES_URL set, AWS
variables set).  Prints a Markdown table: runs, min, median, p90 (ms),
and the binary's size.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

arrived = threading.Event()
t_next = [0.0]


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path.endswith("/runtime/invocation/next"):
            t_next[0] = time.monotonic()
            arrived.set()
            time.sleep(5)           # hold it: the process is killed first


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/release/elbship"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    d = tempfile.mkdtemp()
    boot = os.path.join(d, "bootstrap")
    shutil.copy(binary, boot)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    env = {"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:%d" % srv.server_address[1],
           "ELBSHIP_ES_URL": "http://127.0.0.1:9", "AWS_REGION": "us-east-1",
           "AWS_ACCESS_KEY_ID": "AKIDSTARTUP", "AWS_SECRET_ACCESS_KEY": "x",
           "AWS_SESSION_TOKEN": "t", "PATH": "/usr/bin:/bin", "TZ": "UTC"}
    times = []
    for _ in range(runs):
        arrived.clear()
        t0 = time.monotonic()
        p = subprocess.Popen([boot], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        if not arrived.wait(5):
            p.kill()
            sys.exit("bootstrap never asked for an invocation")
        times.append((t_next[0] - t0) * 1000.0)
        p.kill()
        p.wait()
    times.sort()
    med = times[len(times) // 2]
    p90 = times[int(len(times) * 0.9) - 1]
    size = os.path.getsize(binary)
    print("| exec to first /next, %d runs | min ms | median ms | p90 ms | binary |"
          % runs)
    print("|---|---:|---:|---:|---:|")
    print("| %s | %.2f | %.2f | %.2f | %.0f kB (%s) |" % (
        os.path.basename(binary), times[0], med, p90, size / 1000.0,
        "stripped" if b".symtab" not in open(binary, "rb").read() else "with symbols"))
    shutil.rmtree(d)


if __name__ == "__main__":
    main()
