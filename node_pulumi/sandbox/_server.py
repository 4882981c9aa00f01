"""A local stand-in for the node.co.id API's snapshot and server functions, over real HTTP.

It answers the eight functions the project uses under both ``/api/v1/<fn>`` and
``/api-sandbox/v1/<fn>`` (the two behave the same here), on GET and on form-encoded POST, in
``format=json`` (default) or ``format=xml`` (see `App` for what it checks). Tests drive failures
through fault switches and inspect a call log; the same controls are served over HTTP under
``/_sandbox/`` for when the sandbox runs as a separate process.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, TextIO

from ._app import App, Call
from ._faults import Fault
from ._http import SandboxHTTPServer
from ._params import DEFAULT_SERVERS
from ._store import Store

__all__ = ["Call", "Fault", "Sandbox"]

CONNECTION_TIMEOUT = 30.0
"""Default seconds a connection may stay silent before the sandbox drops it."""
_POLL_INTERVAL = 0.05  # how soon serve_forever notices stop(); the default 0.5 s slows tests


class Sandbox:
    """The sandbox API server on a loopback socket, run in a daemon thread; a context manager.

    ``port=0`` picks a free port (read it back from ``.port``). ``db`` is a SQLite file (kept
    across restarts) or ``":memory:"``. ``servers`` are the account's server ids: snapshots and
    schedules of any other server are refused with ``SERVER_NOT_FOUND`` (default
    `DEFAULT_SERVERS`). A snapshot turns ``active`` ``processing_seconds`` after creation as
    measured by ``clock`` (inject one to step time in tests); a server reinstalled with
    reinstall_server is ``reinstall`` for ``reinstall_seconds`` by the same clock, then ``on``.
    get_server_detail spells its daily schedule field ``daily_key``: the published
    ``daiy_snapshots`` (sic) or ``daily_snapshots``. A connection silent for
    ``connection_timeout`` seconds is dropped. Each call is written as one line to ``log`` if
    given. Exceptions raised inside the request handler are answered with HTTP 500, kept in
    ``.errors`` and re-raised by ``.stop()`` so that tests notice them.

    The ``/_sandbox/`` admin interface has no authentication: it answers loopback peers only,
    whatever ``host`` the sandbox listens on.
    """

    def __init__(
        self,
        user_id: str,
        api_key: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db: str | os.PathLike[str] = ":memory:",
        processing_seconds: float = 2.0,
        reinstall_seconds: float = 5.0,
        clock: Callable[[], float] = time.time,
        log: TextIO | None = None,
        servers: Iterable[str] = DEFAULT_SERVERS,
        connection_timeout: float = CONNECTION_TIMEOUT,
        daily_key: str = "daiy_snapshots",
    ) -> None:
        if processing_seconds < 0:
            raise ValueError("processing_seconds must not be negative")
        if reinstall_seconds < 0:
            raise ValueError("reinstall_seconds must not be negative")
        if daily_key not in ("daiy_snapshots", "daily_snapshots"):
            raise ValueError("daily_key must be 'daiy_snapshots' or 'daily_snapshots'")
        if not connection_timeout > 0:
            raise ValueError("connection_timeout must be positive")
        if isinstance(servers, str):
            raise TypeError("servers must be a collection of server ids, not one string")
        self._app = App(user_id, api_key, servers=servers, log=log, daily_key=daily_key)
        self._connection_timeout = connection_timeout
        self._host = host
        self._requested_port = port
        self._db = db
        self._processing_seconds = processing_seconds
        self._reinstall_seconds = reinstall_seconds
        self._clock = clock
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"Sandbox(user_id={self._app.user_id!r}, {where})"

    def start(self) -> Sandbox:
        """Open the database and start serving; returns self."""
        if self._server is not None:
            raise RuntimeError("the sandbox is already running")
        store = Store(
            self._db,
            processing_seconds=self._processing_seconds,
            reinstall_seconds=self._reinstall_seconds,
            clock=self._clock,
        )
        try:
            server = SandboxHTTPServer(
                (self._host, self._requested_port), self._app, self._connection_timeout
            )
        except BaseException:
            store.close()
            raise
        self._app.store = store
        self._app.stopping.clear()
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            name=f"node-sandbox:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the database; then re-raise the first handler exception."""
        server, thread, store = self._server, self._thread, self._app.store
        if server is not None and thread is not None and store is not None:
            self._app.stopping.set()  # ends latency-fault waits
            server.shutdown()
            server.server_close()
            thread.join()
            self._app.wait_idle(timeout=5.0)
            self._server = self._thread = self._app.store = None
            store.close()
        errors = self._app.take_errors()
        if errors:
            raise errors[0]

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def host(self) -> str:
        """The address listened on."""
        return self._host

    @property
    def servers(self) -> frozenset[str]:
        """The server ids the sandbox knows (`seed` adds some)."""
        return self._app.servers

    @property
    def port(self) -> int:
        """The port actually listened on (the free one picked for ``port=0``)."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL of the "real" stage, e.g. ``http://127.0.0.1:PORT/api/v1/``."""
        return f"http://{self._host}:{self.port}/api/v1/"

    @property
    def sandbox_url(self) -> str:
        """Base URL of the "sandbox" stage, ``http://127.0.0.1:PORT/api-sandbox/v1/``."""
        return f"http://{self._host}:{self.port}/api-sandbox/v1/"

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised inside the request handler so far (not cleared by ``reset``)."""
        return self._app.errors()

    def calls(self, function: str | None = None) -> list[Call]:
        """The API calls answered so far, oldest first, optionally of one function only."""
        return self._app.calls(function)

    def wait_for_calls(
        self, function: str | None = None, count: int = 1, timeout: float = 30.0
    ) -> list[Call]:
        """Block until ``count`` calls (of ``function``, or of any) have been answered, or
        ``timeout`` seconds pass; return the calls logged by then (check their number).

        For tests that act when a client in another process reaches a point of its work, such
        as moving the clock once a restore has polled a server still reinstalling.
        """
        return self._app.wait_for_calls(function, count, timeout)

    def clear_calls(self) -> None:
        """Forget the calls logged so far."""
        self._app.clear_calls()

    def snapshots(self, include_deleted: bool = True) -> list[dict[str, Any]]:
        """Every stored snapshot, oldest first, each shaped like get_snapshot_detail's data."""
        return self._app.snapshots(include_deleted)

    def schedules(self) -> list[dict[str, Any]]:
        """Every stored schedule, shaped like set_server_snapshot_schedule's data."""
        return self._app.schedules()

    def reinstalls(self, server_id: str | None = None) -> list[dict[str, Any]]:
        """Every reinstall (of one server, or all), oldest first: ``server_id``,
        ``install_source``, ``snapshot_id`` (the snapshot restored from, or None), ``started_at``
        and ``ready_at`` (when it is ``on`` again), times as the API writes them.

        The proof that a restore happened, and from which snapshot: the API itself does not say.
        """
        return self._app.reinstalls(server_id)

    def root_password(self, server_id: str) -> str:
        """The root password get_server_detail reports for a server, so that tests can check it
        appears nowhere. KeyError for a server the account does not have."""
        return self._app.root_password(server_id)

    def delete_snapshot_behind_back(self, snapshot_id: str) -> None:
        """Mark a snapshot deleted without an API call (as if deleted in the web panel).

        Raises KeyError for an id that does not exist.
        """
        self._app.delete_behind_back(snapshot_id)

    def add_snapshot(
        self,
        snapshot_id: str,
        server_id: str,
        *,
        created_at: str,
        size_gb: float,
        processing: bool = False,
    ) -> None:
        """Store an active snapshot with this id, taken at ``created_at`` (the API's
        ``YYYY-MM-DD HH:MM:SS``, UTC) on ``server_id``, as if an earlier API call had made it;
        with ``processing``, one that stays ``processing`` (stuck, unless deleted).

        For tests that start from state written elsewhere. Raises ValueError for an id that
        exists already.
        """
        self._app.add_snapshot(
            snapshot_id, server_id, created_at=created_at, size_gb=size_gb, processing=processing
        )

    def set_server(self, server_id: str, **changes: str) -> None:
        """Change what the account says of one of its servers: ``server_status``,
        ``order_status``, ``package``, ``ownership`` (each one of its documented values),
        ``label``, ``custom_info_1``..``custom_info_3``. KeyError for a server the account does
        not have, ValueError for a value the API does not document, TypeError for another name.
        """
        self._app.set_server(server_id, changes)

    def seed(self, servers: int, snapshots: int = 0, *, seed: int = 0) -> list[str]:
        """Add ``servers`` servers to the account, in every status, and ``snapshots``
        snapshots of them, of realistic ages (see `node_pulumi.sandbox._seed`); return the new
        servers' ids. The same ``seed`` gives the same spread."""
        return self._app.seed(servers, snapshots, seed)

    def reset(self) -> None:
        """Drop all data (snapshots, schedules, servers and their reinstalls, used randoms), the
        call log and the faults."""
        self._app.reset()

    def set_fault(
        self,
        function: str,
        *,
        latency: float = 0.0,
        error: tuple[str, str] | None = None,
        http_status: int | None = None,
        body: bytes | None = None,
        times: int | None = None,
        after: bool = False,
    ) -> None:
        """Misbehave on calls of ``function`` (or ``"*"``); see `Fault` for the kinds.

        ``times=N`` applies to the next N such calls only, None until ``clear_faults``. Setting
        a fault for a function replaces the one it had; a function's own fault wins over ``"*"``.
        """
        fault = Fault(function, latency, error, http_status, body, after)
        self._app.faults.set(fault, times)

    def clear_faults(self) -> None:
        """Remove every fault."""
        self._app.faults.clear()
