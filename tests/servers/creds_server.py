#!/usr/bin/env python3
"""creds_server.py: a container credentials endpoint (what ECS serves at
169.254.170.2 and the EKS Pod Identity agent at 169.254.170.23) for the
elbship tests.  Standard library only (Debian 12 python3).

    creds_server.py --port 0 --port-file FILE [--host 127.0.0.1]
                    [--token T] [--access-key A] [--secret S]
                    [--session-token X] [--expiration ISO8601]
                    [--log FILE] [--verbose]

Protocol (https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html):
GET any path; with --token the `Authorization` header must equal T, else
401 {"code":"InvalidToken","message":...}.  The answer is

    {"AccessKeyId":A,"SecretAccessKey":S,"Token":X,"Expiration":E}

with `Expiration` in the AWS form 2030-01-02T03:04:05Z.

Faults, chosen by the first path segment so one server serves every case
(counters are per exact path):

    /fail/N/...       the first N requests answer 500, then as usual
    /slowfirst/MS/... the first request waits MS ms before answering
    /garbage/...      200 with a body that is not JSON
    /nokeys/...       200 with JSON lacking SecretAccessKey
    /redirect/...     302 to /creds (a client must not follow it)
    /big/...          200 with a 100 KiB body
    /exp/E/...        as usual, with Expiration E (percent-decoded)

The 401 message echoes the Authorization header it got, as a careless
endpoint might, so a test can check that the client never shows a body.
--log appends one line per request: `GET PATH auth=ok|bad|none`.
"""

import argparse
import json
import os
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


class State:
    def __init__(self, opts):
        self.opts = opts
        self.lock = threading.Lock()
        self.counts = {}

    def count(self, path):
        """How many requests for ``path`` came before this one."""
        with self.lock:
            n = self.counts.get(path, 0)
            self.counts[path] = n + 1
            return n

    def log(self, line):
        if self.opts.log:
            with self.lock:
                with open(self.opts.log, "a") as f:
                    f.write(line + "\n")


class Handler(common.BaseHandler):
    server_version = "creds-server"

    def reply_json(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_full(status, [("content-type", "application/json")], body)

    def do_GET(self):
        st = self.server.state
        opts = st.opts
        path = self.path.split("?", 1)[0]
        got = self.headers.get("Authorization")
        if opts.token is None:
            auth = "none" if got is None else "ok"
        else:
            auth = "ok" if got == opts.token else (
                "none" if got is None else "bad")
        st.log("GET %s auth=%s" % (path, auth))
        seen = st.count(path)
        parts = path.split("/")
        kind = parts[1] if len(parts) > 1 else ""
        arg = parts[2] if len(parts) > 2 else ""

        if kind == "slowfirst" and seen == 0:
            threading.Event().wait(int(arg) / 1000.0)
        if kind == "fail" and seen < int(arg):
            self.reply_json(500, {"code": "InternalError",
                                  "message": "injected failure"})
            return
        if opts.token is not None and got != opts.token:
            self.reply_json(401, {"code": "InvalidToken",
                                  "message": "bad token [%s]" % (got or "")})
            return
        if kind == "garbage":
            self.send_full(200, [("content-type", "text/plain")],
                           b"this is not json\n")
            return
        if kind == "nokeys":
            self.reply_json(200, {"AccessKeyId": opts.access_key,
                                  "Token": opts.session_token})
            return
        if kind == "redirect":
            self.send_full(302, [("location", "/creds")], b"")
            return
        if kind == "big":
            self.send_full(200, [("content-type", "application/json")],
                           b"{\"pad\":\"" + b"x" * (100 << 10) + b"\"}")
            return
        self.reply_json(200, {
            "AccessKeyId": opts.access_key,
            "SecretAccessKey": opts.secret,
            "Token": opts.session_token,
            "Expiration": (urllib.parse.unquote(arg) if kind == "exp"
                           else opts.expiration),
        })


class CredsServer(common.ThreadedHTTPServer):
    def __init__(self, opts):
        common.ThreadedHTTPServer.__init__(self, opts.host, opts.port,
                                           Handler)
        self.state = State(opts)


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Container credentials endpoint for tests (see the "
                    "module docstring).")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--token", help="required Authorization header value")
    p.add_argument("--access-key", default="ASIACONTAINEREXAMPLE")
    p.add_argument("--secret", default="ctrSecret/Key+Example=0123456789")
    p.add_argument("--session-token", default="ctrSessionToken//Example==")
    p.add_argument("--expiration", default="2030-01-02T03:04:05Z")
    p.add_argument("--log")
    p.add_argument("--verbose", action="store_true")
    return p.parse_args(argv)


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    Handler.verbose = opts.verbose
    server = CredsServer(opts)
    stop = common.install_early_stop()
    server.start(opts.port_file, 0, stop)
    common.run_until_signal([server], stop_event=stop)


if __name__ == "__main__":
    main()
