#!/usr/bin/env python3
"""tclient.py: the few client-side things selftest.sh cannot do with curl.

  tclient.py raw PORT [--wait S]
                                send stdin as-is to 127.0.0.1:PORT, print
                                everything received, then "<EOF>" (peer
                                closed), "<RESET>" (peer reset) or "<OPEN>"
                                (S seconds of silence, connection open)
  tclient.py signed METHOD PORT TARGET BODYFILE AKID SECRET REGION SERVICE
                [--date YYYYMMDDTHHMMSSZ] [--token T] [--no-sha-header]
                [--gzip] [--content-type T]
                                a SigV4-signed request (sigv4.sign); print
                                the status, a newline and the body
  tclient.py tcp PORT [--ca CA --cert C --key K] [--chunks N] [--pause S]
                                send stdin to a TCP (TLS with --ca) port in
                                N writes; print "sent", or "reset"/"closed"
                                when a write or the final read fails
"""

import argparse
import gzip
import http.client
import os
import socket
import ssl
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigv4                                                    # noqa: E402


def cmd_raw(a):
    data = sys.stdin.buffer.read()
    s = socket.create_connection(("127.0.0.1", a.port), timeout=5)
    s.sendall(data)
    s.settimeout(a.wait)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                out += b"<EOF>"
                break
            out += chunk
    except socket.timeout:
        out += b"<OPEN>"
    except ConnectionResetError:
        out += b"<RESET>"
    sys.stdout.write(out.decode("latin-1"))
    s.close()


def cmd_signed(a):
    body = open(a.bodyfile, "rb").read() if a.bodyfile != "-" else b""
    headers = {"Host": "127.0.0.1:%d" % a.port,
               "Content-Type": a.content_type}
    if a.gzip:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    add = sigv4.sign(a.method, a.target, headers, body, a.akid, a.secret,
                     a.region, a.service, amz_date=a.date, token=a.token,
                     content_sha256_header=False if a.no_sha_header
                     else None)
    headers.update(add)
    c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=10)
    c.putrequest(a.method, a.target, skip_host=True,
                 skip_accept_encoding=True)
    for k, v in headers.items():
        c.putheader(k, v)
    c.putheader("Content-Length", str(len(body)))
    c.endheaders(body)
    r = c.getresponse()
    print(r.status)
    print(r.read().decode())


def cmd_tcp(a):
    data = sys.stdin.buffer.read()
    s = socket.create_connection(("127.0.0.1", a.port), timeout=5)
    if a.ca:
        ctx = ssl.create_default_context(cafile=a.ca)
        ctx.check_hostname = False
        if a.cert:
            ctx.load_cert_chain(a.cert, a.key)
        s = ctx.wrap_socket(s)
    n = max(1, a.chunks)
    step = max(1, (len(data) + n - 1) // n)
    try:
        for i in range(0, len(data), step):
            s.sendall(data[i:i + step])
            if a.pause:
                time.sleep(a.pause)
        s.shutdown(socket.SHUT_WR)
        s.settimeout(2)
        s.recv(1)
        print("sent")
    except (ConnectionResetError, BrokenPipeError):
        print("reset")
    except socket.timeout:
        print("sent")
    except (ssl.SSLError, OSError) as e:
        print("closed %s" % e)
    finally:
        s.close()


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("raw")
    r.add_argument("port", type=int)
    r.add_argument("--wait", type=float, default=1.0)
    s = sub.add_parser("signed")
    for name in ("method", "port", "target", "bodyfile", "akid", "secret",
                 "region", "service"):
        s.add_argument(name, type=int if name == "port" else str)
    s.add_argument("--date")
    s.add_argument("--token")
    s.add_argument("--no-sha-header", action="store_true")
    s.add_argument("--gzip", action="store_true")
    s.add_argument("--content-type", default="application/x-ndjson")
    t = sub.add_parser("tcp")
    t.add_argument("port", type=int)
    t.add_argument("--ca")
    t.add_argument("--cert")
    t.add_argument("--key")
    t.add_argument("--chunks", type=int, default=1)
    t.add_argument("--pause", type=float, default=0.0)
    a = p.parse_args()
    {"raw": cmd_raw, "signed": cmd_signed, "tcp": cmd_tcp}[a.cmd](a)


if __name__ == "__main__":
    main()
