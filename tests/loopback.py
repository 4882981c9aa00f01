"""Small network parts on loopback for client tests: a recording relay and a CONNECT proxy.

`Relay` forwards each connection to the sandbox byte for byte and keeps what the client sent, so
a test sees what really went over the wire; with an ``ssl.SSLContext`` it is a TLS-terminating
front (the client speaks TLS to it, the sandbox gets plain HTTP). `ConnectProxy` is an HTTP proxy
that only tunnels (``CONNECT host:port``), as corporate proxies do for https, and logs each
CONNECT. Both run on daemon threads and are context managers.
"""

from __future__ import annotations

import select
import socket
import ssl
import threading
from collections.abc import Callable
from types import TracebackType


class _Listener:
    """A loopback TCP listener that hands each accepted connection to ``serve`` on a thread."""

    def __init__(self, *, listening: bool = True) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._open: set[socket.socket] = set()
        self._closed = False
        self.errors: list[BaseException] = []
        if listening:
            self.listen()

    def listen(self) -> None:
        """Start accepting; until then the port is bound but connections to it are refused."""
        with self._lock:
            if self._threads or self._closed:
                return
            self._socket.listen(64)
            thread = threading.Thread(target=self._accept_loop, daemon=True)
            self._threads.append(thread)
        thread.start()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            threads = list(self._threads)
            sockets = [self._socket, *self._open]
        # shutdown() wakes the accept() and the select() calls blocked in the threads.
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._socket.close()
        for thread in threads:
            thread.join(timeout=5)

    def __enter__(self) -> _Listener:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _accept_loop(self) -> None:
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._guarded, args=(conn,), daemon=True)
            with self._lock:
                if self._closed:
                    conn.close()
                    return
                self._threads.append(thread)
            thread.start()

    def _guarded(self, conn: socket.socket) -> None:
        with self._lock:
            self._open.add(conn)
        try:
            with conn:
                self.serve(conn)
        except OSError:
            pass  # a peer that went away: nothing to report
        except BaseException as exc:  # surfaced to the test through .errors
            self.errors.append(exc)
        finally:
            with self._lock:
                self._open.discard(conn)

    def serve(self, conn: socket.socket) -> None:
        raise NotImplementedError


def pump(a: socket.socket, b: socket.socket, record: Callable[[bytes], None]) -> None:
    """Copy bytes both ways until either side closes; ``record`` sees what ``a`` sent."""
    while True:
        readable, _, _ = select.select([a, b], [], [])
        for source in readable:
            chunk = source.recv(65536)
            while isinstance(source, ssl.SSLSocket) and source.pending():
                chunk += source.recv(source.pending())
            if not chunk:
                return
            if source is a:
                record(chunk)
                b.sendall(chunk)
            else:
                a.sendall(chunk)


class Relay(_Listener):
    """Forward connections to ``127.0.0.1:target_port``, keeping what clients sent.

    With ``tls`` (a server-side context) it terminates TLS: ``handshakes`` counts attempts and
    ``handshake_errors`` keeps the failures. ``listening=False`` refuses connections until
    `listen` is called. ``connections`` counts the connections accepted. With ``drop`` it reads
    what the client sends first and closes the connection without an answer (an answer lost
    after the request arrived).
    """

    def __init__(
        self,
        target_port: int,
        *,
        tls: ssl.SSLContext | None = None,
        listening: bool = True,
        drop: bool = False,
    ) -> None:
        self.target_port = target_port
        self._tls = tls
        self._drop = drop
        self._sent = bytearray()
        self.connections = 0
        self.handshakes = 0
        self.handshake_errors: list[ssl.SSLError] = []
        super().__init__(listening=listening)

    @property
    def sent(self) -> bytes:
        """Every byte the clients sent (after TLS decryption), in order of arrival."""
        with self._lock:
            return bytes(self._sent)

    def _record(self, chunk: bytes) -> None:
        with self._lock:
            self._sent += chunk

    def serve(self, conn: socket.socket) -> None:
        with self._lock:
            self.connections += 1
        client: socket.socket = conn
        if self._tls is not None:
            with self._lock:
                self.handshakes += 1
            try:
                client = self._tls.wrap_socket(conn, server_side=True)
            except ssl.SSLError as exc:
                with self._lock:
                    self.handshake_errors.append(exc)
                return
        if self._drop:
            with client:
                self._record(client.recv(65536))
            return
        with client, socket.create_connection(("127.0.0.1", self.target_port)) as upstream:
            pump(client, upstream, self._record)


class ConnectProxy(_Listener):
    """An HTTP proxy that tunnels ``CONNECT host:port`` to that address on loopback.

    ``connects`` lists the targets asked for. With ``refuse`` set it answers every CONNECT with
    ``403 Forbidden`` (a proxy policy saying no) and tunnels nothing.
    """

    def __init__(self, *, refuse: bool = False) -> None:
        self.refuse = refuse
        self.connects: list[str] = []
        super().__init__()

    def serve(self, conn: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(4096)
            if not chunk:
                return
            head += chunk
        method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        with self._lock:
            self.connects.append(target)
        if method != "CONNECT":
            conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        if self.refuse:
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        host, _, port = target.rpartition(":")
        if host not in ("127.0.0.1", "localhost"):
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return  # tests stay on loopback
        with socket.create_connection(("127.0.0.1", int(port))) as upstream:
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            pump(conn, upstream, lambda _chunk: None)
