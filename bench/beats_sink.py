#!/usr/bin/env python3
"""beats_sink.py: minimal, fast Logstash inputs for bench/beats.sh.

    beats_sink.py --mode beats --port-file F    a Lumberjack v2 receiver:
        reads each window (a compressed frame is inflated, plain data
        frames are walked header by header, payloads not parsed) and
        acknowledges its last sequence number at once
    beats_sink.py --mode tcp --port-file F      reads and drops bytes (the
        tcp input with json_lines, minus the parsing)

Not the project's strict test server (tests/servers/beats_server.py
parses every event: too slow to measure elbship at millions of
documents).  Threaded, one thread per connection.
"""
import argparse
import os
import socket
import socketserver
import struct
import zlib


class Beats(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = bytearray()

        def need(n):
            while len(buf) < n:
                d = s.recv(1 << 20)
                if not d:
                    raise EOFError
                buf.extend(d)

        try:
            while True:
                need(6)
                if buf[:2] != b"2W":
                    return
                (count,) = struct.unpack_from(">I", buf, 2)
                del buf[:6]
                seen = 0
                while seen < count:
                    need(2)
                    if buf[:2] == b"2C":
                        need(6)
                        (n,) = struct.unpack_from(">I", buf, 2)
                        need(6 + n)
                        inner = zlib.decompress(bytes(buf[6:6 + n]))
                        del buf[:6 + n]
                        i = 0
                        while i < len(inner):
                            (ln,) = struct.unpack_from(">I", inner, i + 6)
                            i += 10 + ln
                            seen += 1
                    else:
                        need(10)
                        (ln,) = struct.unpack_from(">I", buf, 6)
                        need(10 + ln)
                        del buf[:10 + ln]
                        seen += 1
                s.sendall(b"2A" + struct.pack(">I", count))
        except (EOFError, ConnectionError):
            return


class Tcp(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            while self.request.recv(1 << 20):
                pass
        except ConnectionError:
            pass


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=("beats", "tcp"), required=True)
    ap.add_argument("--port-file", required=True)
    a = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Beats if a.mode == "beats" else Tcp)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
