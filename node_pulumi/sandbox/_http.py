"""The sandbox's HTTP layer: a threading server that bounds each connection's idle time."""

from __future__ import annotations

from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from ._admin import ADMIN_PREFIX, handle_admin
from ._app import Aborted, App, Response

MAX_BODY = 1 << 20
LISTEN_BACKLOG = 1024
"""Connections the kernel queues before the accept loop takes them (the standard library's 5
makes many callers at once wait out SYN retransmissions); the kernel may cap it (somaxconn)."""


class SandboxHTTPServer(ThreadingHTTPServer):
    """One daemon thread per connection; a connection silent for ``connection_timeout`` seconds
    (reading the request or writing the answer) is dropped, so slow clients cannot hold threads.
    """

    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], app: App, connection_timeout: float) -> None:
        self.app = app
        self.connection_timeout = connection_timeout
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server_version = "node-sandbox"

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(cast(SandboxHTTPServer, self.server).connection_timeout)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: calls are logged by the app, without their parameters."""

    def _serve(self, method: str) -> None:
        app = cast(SandboxHTTPServer, self.server).app
        length_header = self.headers.get("Content-Length") or "0"
        if not length_header.isdigit():
            self.send_error(HTTPStatus.BAD_REQUEST, "bad Content-Length")
            return
        length = int(length_header)
        if length > MAX_BODY:
            self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        try:
            body = self.rfile.read(length) if length > 0 else b""
        except TimeoutError:
            self.close_connection = True  # the client went silent mid-body: drop it
            return
        try:
            with app.in_flight():
                response = self._answer(app, method, body)
        except Aborted:
            self.close_connection = True
            return
        except Exception as error:
            app.record_error(error)
            response = Response(
                500, b"sandbox handler error (see Sandbox.errors)\n", "text/plain; charset=utf-8"
            )
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True  # the client gave up or stopped reading the answer

    def _answer(self, app: App, method: str, body: bytes) -> Response:
        if self.path.startswith(ADMIN_PREFIX):
            peer = str(self.client_address[0])
            return handle_admin(app, peer, method, self.path[len(ADMIN_PREFIX) :], body)
        return app.handle(method, self.path, body, self.headers.get("Content-Type", ""))
