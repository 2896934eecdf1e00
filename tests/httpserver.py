"""A real HTTP server on 127.0.0.1 (free port, own thread) serving canned replies to tests.

Use the `http_server` fixture (import it into a test module) or `with LocalServer() as srv:`.
Routes map a path to a Reply, to a list of Replies (served in turn, the last one repeated),
or to a function of the request path returning a Reply.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Reply:
    """What the server sends for one request."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    send_length: bool = True  # False: no Content-Length, the body ends when the connection closes
    trickle: float = 0.0  # > 0: send the body one byte at a time, this many seconds apart
    repeat: int = 1  # send the body this many times (a big page without a big bytes object)
    slow_head: bool = False  # with trickle: the status line and headers come byte by byte too


@dataclass(frozen=True)
class Seen:
    """A request the server received."""

    path: str
    at: float  # time.monotonic()
    headers: dict[str, str]


Route = Reply | list[Reply] | Callable[[str], Reply]


class LocalServer:
    """ThreadingHTTPServer on 127.0.0.1:<free port>; records every request it gets."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                server._record(self)
                reply = server._reply(self.path)
                try:
                    server._send(self, reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client hung up: what the size and time limits are for

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.host_port = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(  # a short poll keeps shutdown (each test's end) quick
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        """The full URL of `path` on this server."""
        return self.base + path

    def route(self, path: str, reply: Route) -> str:
        """Serve `reply` at `path`; returns the full URL."""
        self.routes[path] = reply
        return self.url(path)

    def hits(self, path: str) -> list[Seen]:
        """The requests received for `path`, oldest first."""
        return [r for r in self.requests if r.path == path]

    def _record(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append(Seen(handler.path, time.monotonic(), dict(handler.headers)))

    def _reply(self, path: str) -> Reply:
        route = self.routes.get(path)
        if route is None:
            return Reply(404, b"<html><body>not here</body></html>")
        if callable(route):
            return route(path)
        if isinstance(route, list):
            with self._lock:
                return route.pop(0) if len(route) > 1 else route[0]
        return route

    def _send(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.slow_head:
            head = f"HTTP/1.0 {reply.status} OK\r\nX-Padding: {'x' * 200}\r\n\r\n".encode()
            self._trickle(handler, head + reply.body, reply.trickle)
            return
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        if reply.send_length:
            handler.send_header("Content-Length", str(len(reply.body) * reply.repeat))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        if reply.trickle > 0:
            self._trickle(handler, reply.body, reply.trickle)
            return
        for _ in range(reply.repeat):
            if self._stop.is_set():
                return
            handler.wfile.write(reply.body)

    def _trickle(self, handler: BaseHTTPRequestHandler, data: bytes, pause: float) -> None:
        for i in range(len(data)):
            if self._stop.wait(pause):
                return
            handler.wfile.write(data[i : i + 1])
            handler.wfile.flush()

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    """A LocalServer running for one test."""
    with LocalServer() as srv:
        yield srv
