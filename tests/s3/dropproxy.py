#!/usr/bin/env python3
"""dropproxy.py: an HTTP/1.1-aware TCP proxy that cuts downloads, so that a
test can prove a client resumes with `Range: bytes=<received>-` instead of
starting over.  Python 3 standard library only.

  dropproxy.py --listen-port 0 --port-file F --target 127.0.0.1:PORT
               --drop-after-bytes N [--drop-times K] [--match REGEX]
               [--drop-mode reset|close] [--log FILE]
               [--parent-pid PID] [--max-seconds S]
  dropproxy.py --print-log FILE      the log as a table

Every client connection gets its own upstream connection; requests and
responses are parsed (Content-Length, chunked, or until close; HEAD, 1xx,
204 and 304 have no body), so keep-alive and pipelined connections work.
The first K GET responses with a 2xx status whose body is longer than N
bytes (or of unknown length) and whose request target matches REGEX
(default: every target) are cut after N body bytes: the proxy forwards the
status line, the headers and exactly N bytes of the body, then resets the
client connection (SO_LINGER 0: the client sees ECONNRESET) or, with
--drop-mode close, closes it (the client sees EOF short of Content-Length).
Later responses pass whole.

The log (--log FILE, JSON lines, flushed per line) has one "req" event per
request as it arrives (method, target, Range header, request line) and one
"resp" event per response when it ends or is cut (status, Content-Length,
body bytes forwarded, cut true/false), plus "open"/"close" per connection;
conn and seq number connections and the requests on each.
"""

import argparse
import json
import os
import re
import socket
import struct
import sys
import threading
import time
import collections

BUF = 65536


class Closed(Exception):
    pass


class Reader:
    """Buffered reads from a socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def fill(self):
        try:
            data = self.sock.recv(BUF)
        except OSError as e:
            raise Closed(str(e))
        if not data:
            raise Closed("eof")
        self.buf += data

    def until(self, sep, limit=1 << 20):
        while True:
            i = self.buf.find(sep)
            if i >= 0:
                out, self.buf = self.buf[:i + len(sep)], self.buf[i + len(sep):]
                return out
            if len(self.buf) > limit:
                raise Closed("header too long")
            self.fill()

    def some(self, n):
        """Up to n bytes (at least 1), from the buffer first."""
        if not self.buf:
            self.fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def at_eof(self):
        if self.buf:
            return False
        try:
            self.fill()
            return False
        except Closed:
            return True


def parse_head(raw):
    """raw: the head bytes through CRLF CRLF -> (first line, [(name, value)])."""
    lines = raw.decode("latin-1").split("\r\n")
    first = lines[0]
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        if ":" in line:
            n, v = line.split(":", 1)
            headers.append((n.strip(), v.strip()))
    return first, headers


def header(headers, name, default=None):
    name = name.lower()
    for n, v in headers:
        if n.lower() == name:
            return v
    return default


def is_chunked(headers):
    te = header(headers, "transfer-encoding", "")
    return "chunked" in te.lower()


class Proxy:
    def __init__(self, args):
        self.a = args
        self.match = re.compile(args.match) if args.match else None
        self.lock = threading.Lock()
        self.drops = 0
        self.conns = 0
        self.logf = open(args.log, "a", buffering=1) if args.log else None

    def log(self, **ev):
        ev["t"] = round(time.time(), 6)
        line = json.dumps(ev, ensure_ascii=False, sort_keys=True)
        with self.lock:
            if self.logf:
                self.logf.write(line + "\n")
                self.logf.flush()
            if self.a.verbose:
                sys.stderr.write(line + "\n")

    def claim_drop(self, method, target, status, length):
        """Whether this response is one of the first K to be cut."""
        if method != "GET" or not (200 <= status < 300):
            return False
        if length is not None and length <= self.a.drop_after_bytes:
            return False
        if self.match and not self.match.search(target):
            return False
        with self.lock:
            if self.drops >= self.a.drop_times:
                return False
            self.drops += 1
            return True

    # ---- one connection ------------------------------------------------
    def handle(self, client, addr):
        with self.lock:
            self.conns += 1
            cid = self.conns
        try:
            upstream = socket.create_connection(self.a.target, timeout=30)
        except OSError as e:
            self.log(ev="open", conn=cid, peer="%s:%d" % addr, error=str(e))
            client.close()
            return
        upstream.settimeout(None)
        for s in (client, upstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.log(ev="open", conn=cid, peer="%s:%d" % addr)
        st = {
            "pending": collections.deque(),
            "cond": threading.Condition(),
            "done": False,
            "seq": 0,
            "cut": False,
        }
        t = threading.Thread(target=self.requests, args=(cid, client, upstream, st), daemon=True)
        t.start()
        try:
            self.responses(cid, client, upstream, st)
        finally:
            with st["cond"]:
                st["done"] = True
                st["cond"].notify_all()
            if not st["cut"]:
                try:
                    client.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                client.close()
            try:
                upstream.close()
            except OSError:
                pass
            t.join(2)
            self.log(ev="close", conn=cid, requests=st["seq"])

    def requests(self, cid, client, upstream, st):
        """Client -> upstream: parse and forward requests."""
        r = Reader(client)
        try:
            while True:
                if r.at_eof():
                    break
                raw = r.until(b"\r\n\r\n")
                first, headers = parse_head(raw)
                parts = first.split(" ")
                method = parts[0] if parts else ""
                target = parts[1] if len(parts) > 1 else ""
                with st["cond"]:
                    st["seq"] += 1
                    req = {"seq": st["seq"], "method": method, "target": target,
                           "range": header(headers, "range")}
                    st["pending"].append(req)
                    st["cond"].notify_all()
                self.log(ev="req", conn=cid, seq=req["seq"], method=method, target=target,
                         range=req["range"], line=first)
                upstream.sendall(raw)
                if is_chunked(headers):
                    self.copy_chunked(r, upstream)
                else:
                    n = int(header(headers, "content-length", "0") or 0)
                    while n > 0:
                        data = r.some(min(n, BUF))
                        upstream.sendall(data)
                        n -= len(data)
        except (Closed, OSError):
            pass
        try:
            upstream.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def copy_chunked(self, r, dst, counter=None):
        """Forwards a chunked body as is; returns the bytes forwarded."""
        total = 0
        while True:
            line = r.until(b"\r\n")
            dst.sendall(line)
            total += len(line)
            size = int(line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while True:  # trailers, then the empty line
                    t = r.until(b"\r\n")
                    dst.sendall(t)
                    total += len(t)
                    if t == b"\r\n":
                        return total
            n = size + 2
            while n > 0:
                data = r.some(min(n, BUF))
                dst.sendall(data)
                total += len(data)
                n -= len(data)

    def responses(self, cid, client, upstream, st):
        """Upstream -> client: parse responses, count, cut."""
        r = Reader(upstream)
        while True:
            try:
                raw = r.until(b"\r\n\r\n")
            except Closed:
                return
            first, headers = parse_head(raw)
            try:
                status = int(first.split(" ")[1])
            except (IndexError, ValueError):
                status = 0
            if 100 <= status < 200:  # 100 Continue: not the final response
                client.sendall(raw)
                continue
            with st["cond"]:
                while not st["pending"] and not st["done"]:
                    st["cond"].wait(1)
                req = st["pending"].popleft() if st["pending"] else {"seq": 0, "method": "?", "target": "?", "range": None}
            cl = header(headers, "content-length")
            length = int(cl) if cl is not None and cl.isdigit() else None
            no_body = req["method"] == "HEAD" or status in (204, 304)
            chunked = not no_body and is_chunked(headers)
            drop = not no_body and self.claim_drop(req["method"], req["target"], status, None if chunked else length)
            ev = dict(ev="resp", conn=cid, seq=req["seq"], method=req["method"], target=req["target"],
                      range=req["range"], status=status, content_length=length, chunked=chunked)
            sent = 0
            try:
                client.sendall(raw)
                if no_body:
                    pass
                elif drop:
                    limit = self.a.drop_after_bytes
                    remaining = length  # None: chunked or until close
                    while sent < limit and (remaining is None or remaining > 0):
                        want = limit - sent if remaining is None else min(limit - sent, remaining)
                        try:
                            data = r.some(min(want, BUF))
                        except Closed:
                            break
                        client.sendall(data)
                        sent += len(data)
                        if remaining is not None:
                            remaining -= len(data)
                    self.log(cut=True, body_bytes=sent, drop_mode=self.a.drop_mode, **ev)
                    self.cut(client)
                    st["cut"] = True
                    return
                elif chunked:
                    sent = self.copy_chunked(r, client)
                elif length is not None:
                    n = length
                    while n > 0:
                        data = r.some(min(n, BUF))
                        client.sendall(data)
                        sent += len(data)
                        n -= len(data)
                else:  # until the server closes
                    while True:
                        try:
                            data = r.some(BUF)
                        except Closed:
                            break
                        client.sendall(data)
                        sent += len(data)
                    self.log(cut=False, body_bytes=sent, **ev)
                    return
                self.log(cut=False, body_bytes=sent, **ev)
            except (Closed, OSError) as e:
                self.log(cut=False, body_bytes=sent, error=str(e), **ev)
                return

    def cut(self, client):
        time.sleep(self.a.drop_delay)  # let the N bytes reach the client first
        # SHUT_RD sends nothing but wakes the thread blocked in recv() on this
        # socket; until it returns, close() would not release the socket.
        try:
            client.shutdown(socket.SHUT_RD)
        except OSError:
            pass
        if self.a.drop_mode == "reset":
            try:
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        else:
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        client.close()

    # ---- listener ------------------------------------------------------
    def serve(self):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((self.a.listen_host, self.a.listen_port))
        ls.listen(64)
        port = ls.getsockname()[1]
        if self.a.port_file:
            tmp = "%s.tmp%d" % (self.a.port_file, os.getpid())
            with open(tmp, "w") as f:
                f.write("%d\n" % port)
            os.replace(tmp, self.a.port_file)
        self.log(ev="listen", port=port, target="%s:%d" % self.a.target,
                 drop_after_bytes=self.a.drop_after_bytes, drop_times=self.a.drop_times,
                 drop_mode=self.a.drop_mode, match=self.a.match)
        start = time.time()
        ls.settimeout(0.5)
        while True:
            if self.a.max_seconds and time.time() - start > self.a.max_seconds:
                return
            if self.a.parent_pid:
                try:
                    os.kill(self.a.parent_pid, 0)
                except ProcessLookupError:
                    return
                except PermissionError:
                    pass
            try:
                client, addr = ls.accept()
            except socket.timeout:
                continue
            client.settimeout(None)
            threading.Thread(target=self.handle, args=(client, addr), daemon=True).start()


def print_log(path):
    fmt = "%-4s %-4s %-6s %-7s %-16s %9s %10s %s"
    print(fmt % ("conn", "seq", "method", "status", "range", "length", "body_bytes", "target"))
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            if e.get("ev") != "resp":
                continue
            print(fmt % (e["conn"], e["seq"], e["method"], e["status"], e.get("range") or "-",
                         "-" if e.get("content_length") is None else e["content_length"],
                         str(e["body_bytes"]) + (" CUT" if e.get("cut") else ""), e["target"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--listen-host", default="127.0.0.1")
    ap.add_argument("--listen-port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--target", help="HOST:PORT of the server")
    ap.add_argument("--drop-after-bytes", type=int, default=-1,
                    help="cut matching responses after this many body bytes (-1: never cut)")
    ap.add_argument("--drop-times", type=int, default=1)
    ap.add_argument("--drop-mode", choices=("reset", "close"), default="reset")
    ap.add_argument("--drop-delay", type=float, default=0.05,
                    help="seconds between the last forwarded byte and the cut")
    ap.add_argument("--match", help="cut only requests whose target matches this regex")
    ap.add_argument("--log")
    ap.add_argument("--parent-pid", type=int, default=0, help="exit when this process is gone")
    ap.add_argument("--max-seconds", type=float, default=3600)
    ap.add_argument("--verbose", action="store_true", help="log events to stderr too")
    ap.add_argument("--print-log", metavar="FILE", help="print FILE as a table and exit")
    a = ap.parse_args()
    if a.print_log:
        print_log(a.print_log)
        return 0
    if not a.target or ":" not in a.target:
        ap.error("--target HOST:PORT is required")
    host, port = a.target.rsplit(":", 1)
    a.target = (host, int(port))
    if a.drop_after_bytes < 0:
        a.drop_times = 0
        a.drop_after_bytes = 0
    try:
        Proxy(a).serve()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
