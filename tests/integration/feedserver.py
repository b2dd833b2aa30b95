"""A loopback HTTP server for the feed tests (Python standard library only).

Serves the fixture feeds of tests/fixtures/feeds/ on 127.0.0.1 (a port chosen by the system) and
a set of misbehaving endpoints. Every request is recorded (path, headers, start and end time) so
tests can check conditional GETs, the User-Agent, pacing and per-host concurrency.

Paths:
  /feeds/NAME          the fixture NAME, with an ETag and Last-Modified; 304 when they match
  /copy/NAME           the same bytes under another URL (same article via two feeds)
  /gzip/NAME           gzip-encoded when the client accepts it
  /moved/NAME          301 to /feeds/NAME
  /tofile              302 to file:///etc/passwd (must not be followed)
  /loop                302 to itself (the redirect limit must stop it)
  /gone                410
  /ratelimit           429 with Retry-After: RETRY_AFTER seconds
  /unavailable         503 with Retry-After: RETRY_AFTER seconds
  /flaky               500 for every request (backoff check)
  /slow                headers at once, then one byte a second (never finishes in time)
  /truncated           Content-Length larger than the body, then the connection closes
  /big                 a body of BIG_BYTES with Content-Length
  /bigchunked          a body of BIG_BYTES, chunked (size unknown in advance)
  /changing            version 1 or 2 of a feed (set_version), with an ETag per version
  /delay/N/NAME        the fixture after a 0.N s pause (per-host concurrency check)
"""
import gzip
import hashlib
import http.server
import os
import socket
import socketserver
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures", "feeds")
RETRY_AFTER = 3
BIG_BYTES = 3 * 1024 * 1024

CONTENT_TYPES = {
    ".xml": "application/rss+xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
}

CHANGING = {
    1: """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Changing</title><link>http://127.0.0.1/c</link>
<item><title>Stable entry about the harbour</title><guid>chg-a</guid><link>http://127.0.0.1/c/a</link>
<description>The harbour opens at six every morning, all year round.</description></item>
<item><title>Entry that will change</title><guid>chg-b</guid><link>http://127.0.0.1/c/b</link>
<description>First version: the bridge closes on Monday for repairs.</description></item>
</channel></rss>
""",
    2: """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Changing</title><link>http://127.0.0.1/c</link>
<item><title>Brand new entry on the ferry</title><guid>chg-c</guid><link>http://127.0.0.1/c/c</link>
<description>The ferry adds an evening crossing from next week.</description></item>
<item><title>Stable entry about the harbour</title><guid>chg-a</guid><link>http://127.0.0.1/c/a</link>
<description>The harbour opens at six every morning, all year round.</description></item>
<item><title>Entry that will change</title><guid>chg-b</guid><link>http://127.0.0.1/c/b</link>
<description>Second version: the bridge closes on Tuesday instead, the works were delayed.</description></item>
</channel></rss>
""",
}


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # headers and body are two writes: without this, Nagle + delayed ACK cost 40 ms each
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):  # keep the test output clean
        pass

    def _record(self, start):
        srv = self.server.owner
        with srv.lock:
            srv.requests.append({"path": self.path, "headers": dict(self.headers.items()),
                                 "start": start, "end": time.monotonic()})

    def _enter(self):
        srv = self.server.owner
        with srv.lock:
            srv.active += 1
            srv.max_active = max(srv.max_active, srv.active)

    def _leave(self):
        srv = self.server.owner
        with srv.lock:
            srv.active -= 1

    def _send(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304 and self.command != "HEAD":
            self.wfile.write(body)

    def _conditional(self, body, ctype, extra=None):
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        lm = "Mon, 27 Oct 2025 10:00:00 GMT"
        headers = {"ETag": etag, "Last-Modified": lm, "Content-Type": ctype}
        headers.update(extra or {})
        if self.headers.get("If-None-Match") == etag:
            self._send(304, headers={"ETag": etag})
        else:
            self._send(200, body, headers)

    def do_GET(self):
        start = time.monotonic()
        self._enter()
        try:
            self._route()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            self._leave()
            self._record(start)

    def _route(self):
        srv = self.server.owner
        p = self.path.split("?")[0]
        parts = p.strip("/").split("/")
        if parts[0] in ("feeds", "copy") and len(parts) == 2:
            name = parts[1]
            try:
                body = fixture(name)
            except OSError:
                return self._send(404, b"no such fixture")
            ctype = CONTENT_TYPES.get(os.path.splitext(name)[1], "application/xml")
            return self._conditional(body, ctype)
        if parts[0] == "delay" and len(parts) == 3:
            time.sleep(int(parts[1]) / 10.0)
            return self._conditional(fixture(parts[2]), "application/rss+xml")
        if parts[0] == "gzip" and len(parts) == 2:
            body = fixture(parts[1])
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                return self._send(200, gzip.compress(body), {"Content-Encoding": "gzip",
                                                             "Content-Type": "application/rss+xml"})
            return self._send(200, body, {"Content-Type": "application/rss+xml"})
        if parts[0] == "moved" and len(parts) == 2:
            return self._send(301, b"", {"Location": "http://127.0.0.1:%d/feeds/%s"
                                         % (srv.port, parts[1])})
        if p == "/tofile":
            return self._send(302, b"", {"Location": "file:///etc/passwd"})
        if p == "/loop":
            return self._send(302, b"", {"Location": "/loop"})
        if p == "/gone":
            return self._send(410, b"gone")
        if p == "/ratelimit":
            return self._send(429, b"slow down", {"Retry-After": str(RETRY_AFTER)})
        if p == "/unavailable":
            return self._send(503, b"later", {"Retry-After": str(RETRY_AFTER)})
        if p == "/flaky":
            return self._send(500, b"oops")
        if p == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(30):
                if srv.stopping:
                    break
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(1)
            self.close_connection = True
            return None
        if p == "/truncated":
            body = fixture("rss2_utf8.xml")
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return None
        if p == "/big":
            return self._send(200, b"<rss>" + b" " * BIG_BYTES + b"</rss>",
                              {"Content-Type": "application/rss+xml"})
        if p == "/bigchunked":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b" " * 65536
            sent = 0
            try:
                while sent < BIG_BYTES and not srv.stopping:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent += len(chunk)
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
            return None
        if p == "/changing":
            return self._conditional(CHANGING[srv.version].encode("utf-8"),
                                     "application/rss+xml; charset=utf-8")
        return self._send(404, b"not found")


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that aborts a transfer (body too large, timeout) is expected here


class FeedServer:
    """Start with FeedServer().start(); stop with .stop(). Loopback only."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.active = 0
        self.max_active = 0
        self.version = 1
        self.stopping = False
        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stopping = True
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def set_version(self, v):
        self.version = v

    def hits(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]
