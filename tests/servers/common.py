"""common.py: plumbing shared by the elbship test servers (es_server.py,
logstash_server.py).  Standard library only (Debian 12's python3).

What lives here, one concern per class or function:

- ``TestServerMixin``: a threaded socketserver that counts accepted
  connections, does the TLS handshake in the worker thread (so a slow or
  failing handshake never blocks accept()), can be *bound but not yet
  listening* (a bound socket that has not called listen() makes the kernel
  answer SYN with RST, i.e. "connection refused": that is how the
  --down-for-ms / --refuse-first-ms faults work), and writes its port to a
  file atomically (temp file + rename) once bound.
- ``read_request_body``: Content-Length or chunked bodies, exactly.
- ``decode_content_encoding``: gzip (multi-member), deflate (zlib or raw),
  with a cap on the decoded size so a test can model http.max_content_length.
- ``abortive_close``: SO_LINGER {1, 0} then close(), so the peer gets a TCP
  RST instead of a FIN (a "connection reset" as a crashed proxy gives).
- ``build_response``: a complete HTTP/1.1 response as bytes, so that a fault
  can send only part of it.
- ``hold_until_peer_closes``: the hang faults: answer nothing until the
  client gives up.
- ``run_until_signal``: serve in a thread, stop on SIGTERM/SIGINT, run a
  dump callback first.
"""

import http
import http.server
import os
import select
import signal
import socket
import socketserver
import ssl
import struct
import sys
import tempfile
import threading
import zlib


# ----------------------------------------------------------------------------
# Port file, TLS, sockets
# ----------------------------------------------------------------------------

def write_port_file(path, port):
    """Write ``port`` to ``path`` atomically: a reader never sees a partial
    file (temp file in the same directory, then rename)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".port.", dir=directory)
    with os.fdopen(fd, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, path)


def make_tls_context(cert, key, client_ca=None):
    """Server-side TLS context (TLS 1.2+).  With ``client_ca`` a client
    certificate signed by that CA is required (mutual TLS)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    if client_ca:
        ctx.load_verify_locations(client_ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def abortive_close(sock):
    """Close ``sock`` so that the peer sees a TCP RST (SO_LINGER on, 0 s)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class Counter:
    """A thread-safe monotonically increasing counter."""

    def __init__(self):
        self._lock = threading.Lock()
        self.value = 0

    def next(self):
        with self._lock:
            self.value += 1
            return self.value

    def reset(self):
        with self._lock:
            self.value = 0


class TestServerMixin:
    """Mixed into a socketserver.TCPServer subclass (with ThreadingMixIn).

    Construct with bind_and_activate=False, then call ``start()``."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    tls_context = None
    tls_handshake_timeout = 10.0

    def init_mixin(self, tls_context=None):
        self.tls_context = tls_context
        self.connections = Counter()
        self.tls_failures = Counter()

    def server_bind(self):
        # Skip HTTPServer.server_bind's getfqdn(): it can block on DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port

    def start(self, port_file=None, not_listening_ms=0, stop_event=None):
        """Bind, write the port file, optionally stay bound-but-not-listening
        for ``not_listening_ms`` (connections are refused), then listen."""
        self.server_bind()
        if not_listening_ms <= 0:
            # Listening before the port file appears: a client that reads
            # it at once must not be refused.
            self.server_activate()
        if port_file:
            write_port_file(port_file, self.server_address[1])
        if not_listening_ms > 0:
            if stop_event is not None:
                stop_event.wait(not_listening_ms / 1000.0)
            else:
                threading.Event().wait(not_listening_ms / 1000.0)
            self.server_activate()

    @property
    def port(self):
        return self.server_address[1]

    def get_request(self):
        sock, addr = self.socket.accept()
        self.connections.next()
        if self.tls_context is not None:
            sock = self.tls_context.wrap_socket(
                sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def finish_request(self, request, client_address):
        if self.tls_context is not None:
            try:
                request.settimeout(self.tls_handshake_timeout)
                request.do_handshake()
                request.settimeout(None)
            except (ssl.SSLError, OSError):
                self.tls_failures.next()
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, ssl.SSLError,
                            socket.timeout)):
            return          # a client going away is not a server error
        super().handle_error(request, client_address)


class ThreadedHTTPServer(TestServerMixin, socketserver.ThreadingMixIn,
                         http.server.HTTPServer):
    def __init__(self, host, port, handler_class, tls_context=None):
        http.server.HTTPServer.__init__(self, (host, port), handler_class,
                                        bind_and_activate=False)
        self.init_mixin(tls_context)


class ThreadedTCPServer(TestServerMixin, socketserver.ThreadingMixIn,
                        socketserver.TCPServer):
    def __init__(self, host, port, handler_class, tls_context=None):
        socketserver.TCPServer.__init__(self, (host, port), handler_class,
                                        bind_and_activate=False)
        self.init_mixin(tls_context)


# ----------------------------------------------------------------------------
# HTTP bodies
# ----------------------------------------------------------------------------

class BadRequestBody(Exception):
    """The request framing is broken (bad Content-Length, bad chunk)."""


class TruncatedBody(Exception):
    """The peer closed the connection before the whole body arrived."""


def _read_exactly(rfile, n):
    data = rfile.read(n)
    if data is None or len(data) < n:
        raise TruncatedBody("expected %d body bytes, got %d"
                            % (n, 0 if data is None else len(data)))
    return data


def _read_chunked(rfile):
    parts = []
    while True:
        line = rfile.readline(65537)
        if not line:
            raise TruncatedBody("connection closed inside a chunked body")
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise BadRequestBody("bad chunk size line %r" % line[:40])
        if size == 0:
            # trailers, up to the empty line
            while True:
                t = rfile.readline(65537)
                if not t:
                    raise TruncatedBody("connection closed in chunk trailers")
                if t in (b"\r\n", b"\n"):
                    return b"".join(parts)
        parts.append(_read_exactly(rfile, size))
        crlf = rfile.readline(3)
        if crlf not in (b"\r\n", b"\n"):
            raise BadRequestBody("chunk not followed by CRLF")


class RequestFraming:
    """How a request body is framed, from its headers."""

    def __init__(self, headers):
        te = headers.get("Transfer-Encoding")
        self.chunked = bool(te) and "chunked" in te.lower()
        self.content_length = None
        self.error = None
        lengths = headers.get_all("Content-Length") or []
        if len(set(v.strip() for v in lengths)) > 1:
            self.error = "conflicting Content-Length headers"
        elif lengths:
            v = lengths[0].strip()
            if not v.isdigit():
                self.error = "invalid Content-Length [%s]" % v
            else:
                self.content_length = int(v)
        if self.chunked and self.content_length is not None:
            self.error = "both Transfer-Encoding: chunked and Content-Length"


def read_request_body(rfile, framing):
    """Read the whole body as framed; b'' when there is none."""
    if framing.chunked:
        return _read_chunked(rfile)
    if framing.content_length:
        return _read_exactly(rfile, framing.content_length)
    return b""


def discard_request_body(rfile, framing, limit=64 << 20):
    """Read and drop a body so the connection can carry the next request.
    Returns False when the body is too big to drain (close instead)."""
    if framing.chunked:
        _read_chunked(rfile)
        return True
    n = framing.content_length or 0
    if n > limit:
        return False
    while n > 0:
        chunk = rfile.read(min(n, 1 << 16))
        if not chunk:
            raise TruncatedBody("connection closed while draining the body")
        n -= len(chunk)
    return True


class UnsupportedEncoding(Exception):
    pass


class DecodedTooLarge(Exception):
    pass


class CorruptEncoding(Exception):
    pass


def _inflate(obj, data, limit, out):
    """Feed ``data`` to a zlib decompressobj, appending to list ``out``,
    raising DecodedTooLarge past ``limit`` total bytes."""
    total = sum(len(p) for p in out)
    while data:
        room = (limit - total + 1) if limit is not None else 0
        piece = obj.decompress(data, room if room > 0 else 0)
        out.append(piece)
        total += len(piece)
        if limit is not None and total > limit:
            raise DecodedTooLarge(total)
        data = obj.unconsumed_tail
    return total


def decode_content_encoding(body, encoding, limit=None):
    """Decode a request body per its Content-Encoding.

    gzip / x-gzip: every member of a multi-member stream; deflate /
    x-deflate: zlib-wrapped (RFC 1950, what the name means) or, as many
    clients send, raw RFC 1951.  Anything else raises UnsupportedEncoding.
    ``limit`` caps the decoded size (DecodedTooLarge)."""
    enc = (encoding or "").strip().lower()
    if enc in ("", "identity"):
        if limit is not None and len(body) > limit:
            raise DecodedTooLarge(len(body))
        return body
    out = []
    try:
        if enc in ("gzip", "x-gzip"):
            data = body
            if not data:
                raise CorruptEncoding("empty gzip body")
            while data:
                d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                _inflate(d, data, limit, out)
                rest = d.flush()
                out.append(rest)
                if limit is not None and sum(len(p) for p in out) > limit:
                    raise DecodedTooLarge(sum(len(p) for p in out))
                if not d.eof:
                    raise CorruptEncoding("truncated gzip stream")
                data = d.unused_data
            return b"".join(out)
        if enc in ("deflate", "x-deflate"):
            for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):
                out = []
                try:
                    d = zlib.decompressobj(wbits)
                    _inflate(d, body, limit, out)
                    out.append(d.flush())
                    if d.eof:
                        return b"".join(out)
                except zlib.error:
                    continue
            raise CorruptEncoding("invalid deflate stream")
    except zlib.error as e:
        raise CorruptEncoding(str(e))
    raise UnsupportedEncoding(enc)


# ----------------------------------------------------------------------------
# HTTP responses
# ----------------------------------------------------------------------------

def build_response(status, headers, body, head_only=False):
    """A full HTTP/1.1 response as bytes.  ``headers`` is a list of
    (name, value); content-length is added from ``body``."""
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    lines = ["HTTP/1.1 %d %s" % (status, phrase)]
    for name, value in headers:
        lines.append("%s: %s" % (name, value))
    lines.append("content-length: %d" % len(body))
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head if head_only else head + body


class BaseHandler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler with quiet logging and raw-byte sends."""

    protocol_version = "HTTP/1.1"
    server_version = "test-server"
    verbose = False

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("%s %s\n" % (self.server.__class__.__name__,
                                          fmt % args))

    def send_raw(self, data):
        self.wfile.write(data)
        self.wfile.flush()

    def send_full(self, status, headers, body, close=False):
        head_only = self.command == "HEAD"
        if close:
            headers = list(headers) + [("connection", "close")]
            self.close_connection = True
        self.log_request(status, len(body))
        self.send_raw(build_response(status, headers, body, head_only))

    def send_partial_then_reset(self, status, headers, body, pause=0.05):
        """Send the first half of the response bytes, then RST."""
        data = build_response(status, headers, body)
        self.send_raw(data[: max(1, len(data) // 2)])
        threading.Event().wait(pause)
        self.reset_connection()

    def reset_connection(self):
        self.close_connection = True
        abortive_close(self.connection)


# ----------------------------------------------------------------------------
# Hanging
# ----------------------------------------------------------------------------

def hold_until_peer_closes(sock, stop=None, poll=0.05):
    """Answer nothing: keep ``sock`` open until the peer closes it (or
    resets it), or ``stop`` (a threading.Event) is set.  Bytes the peer
    sends meanwhile are read and dropped.  Returns "closed" or "stopped"."""
    while stop is None or not stop.is_set():
        try:
            r, _, _ = select.select([sock], [], [], poll)
            if r and not sock.recv(65536):
                return "closed"
        except (OSError, ValueError):
            return "closed"
    return "stopped"


# ----------------------------------------------------------------------------
# Process lifetime
# ----------------------------------------------------------------------------

def run_until_signal(servers, on_stop=None, stop_event=None, started=None):
    """Serve every server in ``servers`` (already started) in threads until
    SIGTERM/SIGINT; then call ``on_stop`` (e.g. --dump) and shut down."""
    stop = stop_event or threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    threads = []
    for s in servers:
        t = threading.Thread(target=s.serve_forever,
                             kwargs={"poll_interval": 0.05}, daemon=True)
        t.start()
        threads.append(t)
    if started:
        started()
    while not stop.wait(0.2):
        pass
    if on_stop:
        try:
            on_stop()
        except Exception as e:       # a failed dump must not hang the exit
            sys.stderr.write("dump failed: %s\n" % e)
    for s in servers:
        s.shutdown()
        s.server_close()


def install_early_stop():
    """Signal handling during start-up (e.g. while not listening yet)."""
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return stop
