#!/usr/bin/env python3
"""ljclient.py: a small Lumberjack v2 client for the beats_server.py
self-test.  Standard library only.

    ljclient.py PORT [--tls --ca CA [--cert C --key K]] [--timeout S]
                [--windows K] [--events N] [--compress LEVEL]
                [--raw HEX] [--seq-start S] [--no-window]

Sends K windows of N events ({"n": i, "@metadata": {"beat": "ljclient"}}),
each a window frame and N data frames (in one compressed frame at LEVEL
1-9), waiting after each window for the ACK of its last sequence number;
or, with --raw, the given bytes (hex).  Prints one JSON line: the ACKs
received in order, how the connection ended ("open", "eof", "reset",
"timeout", "tls: ..."), and the seconds taken.
"""

import argparse
import json
import socket
import ssl
import struct
import sys
import time
import zlib


def frames(n, seq_start, window=True):
    body = b""
    for i in range(n):
        ev = json.dumps({"n": i + 1, "@metadata": {"beat": "ljclient"}})
        ev = ev.encode()
        body += b"2J" + struct.pack(">II", seq_start + i, len(ev)) + ev
    return (b"2W" + struct.pack(">I", n) if window else b""), body


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("--tls", action="store_true")
    p.add_argument("--ca")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--timeout", type=float, default=3.0)
    p.add_argument("--windows", type=int, default=1)
    p.add_argument("--events", type=int, default=3)
    p.add_argument("--compress", type=int, default=0)
    p.add_argument("--seq-start", type=int, default=1)
    p.add_argument("--no-window", action="store_true")
    p.add_argument("--raw")
    o = p.parse_args()
    out = {"acks": [], "end": "open"}
    t0 = time.monotonic()
    try:
        sock = socket.create_connection(("127.0.0.1", o.port), timeout=5)
        if o.tls:
            ctx = ssl.create_default_context(cafile=o.ca)
            if o.cert:
                ctx.load_cert_chain(o.cert, o.key)
            # (TLS 1.3: a refused client certificate shows on the first
            # read, not in the handshake.)
            sock = ctx.wrap_socket(sock, server_hostname="127.0.0.1")
    except ssl.SSLError as e:
        out["end"] = "tls: %s" % e.reason
        print(json.dumps(out))
        return
    except OSError as e:
        out["end"] = "connect: %s" % e
        print(json.dumps(out))
        return
    buf = b""

    def read_until(want):
        nonlocal buf
        end = time.monotonic() + o.timeout
        while True:
            while len(buf) >= 6:
                seq = struct.unpack(">I", buf[2:6])[0]
                out["acks"].append(seq if buf[:2] == b"2A" else
                                   "bad:" + buf[:6].hex())
                buf = buf[6:]
                if want is not None and seq == want:
                    return True
            left = end - time.monotonic()
            if left <= 0:
                out["end"] = "timeout"
                return False
            sock.settimeout(left)
            try:
                data = sock.recv(4096)
            except socket.timeout:
                out["end"] = "timeout"
                return False
            except ssl.SSLError as e:
                out["end"] = "tls: %s" % e.reason
                return False
            except ConnectionResetError:
                out["end"] = "reset"
                return False
            except OSError as e:
                out["end"] = "error: %s" % e
                return False
            if not data:
                out["end"] = "eof"
                return False
            buf += data

    try:
        if o.raw is not None:
            sock.sendall(bytes.fromhex(o.raw))
            read_until(None)
        else:
            for _ in range(o.windows):
                w, body = frames(o.events, o.seq_start, not o.no_window)
                if o.compress:
                    z = zlib.compress(body, o.compress)
                    body = b"2C" + struct.pack(">I", len(z)) + z
                sock.sendall(w + body)
                if not read_until(o.seq_start + o.events - 1):
                    break
    except (BrokenPipeError, ConnectionResetError):
        out["end"] = "reset"
    except ssl.SSLError as e:
        out["end"] = "tls: %s" % e.reason
    out["seconds"] = round(time.monotonic() - t0, 2)
    print(json.dumps(out))
    try:
        sock.close()
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())
