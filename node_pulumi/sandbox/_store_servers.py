"""The sandbox's servers in its SQLite store: each server's root password and its reinstalls.

`ServerTables` is a part of `Store` (which owns the connection, the lock and the clock); a
server's status is derived from its last reinstall and the clock, never stored.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass

_SELECT_REINSTALLS = (
    "SELECT seq, server_id, install_source, snapshot_id, started_at, ready_at FROM reinstalls"
)


@dataclass(frozen=True)
class Reinstall:
    """One reinstall of a server: from a snapshot (``snapshot_id``) or a template or an ISO.

    The server is ``reinstall`` from ``started_at`` until ``ready_at``, then ``on``.
    """

    seq: int
    server_id: str
    install_source: str
    snapshot_id: str | None
    started_at: float
    ready_at: float


@dataclass(frozen=True)
class ServerRecord:
    """A server of the account as stored: made when first used, with a root password of its own.

    ``last_reinstall`` is its newest reinstall, if it had one.
    """

    server_id: str
    root_password: str
    activated_at: float
    last_reinstall: Reinstall | None

    def status(self, now: float) -> str:
        """``reinstall`` while its last reinstall lasts, else ``on``."""
        last = self.last_reinstall
        return "reinstall" if last is not None and now < last.ready_at else "on"


class ServerTables:
    """The server half of `Store`: the account's servers as stored, and their reinstalls."""

    _conn: sqlite3.Connection
    _lock: threading.Lock
    _clock: Callable[[], float]
    _reinstall_seconds: float

    def server(self, server_id: str) -> ServerRecord:
        """The server with this id, stored now (``on``, a fresh root password) if it was not."""
        with self._lock:
            self._conn.execute(
                "INSERT OR IGNORE INTO servers (server_id, root_password, activated_at)"
                " VALUES (?, ?, ?)",
                (server_id, secrets.token_urlsafe(12), self._clock()),
            )
            return self._server(server_id)

    def start_reinstall(
        self, server_id: str, install_source: str, snapshot_id: str | None
    ) -> ServerRecord | None:
        """Start reinstalling a server: ``reinstall`` for the store's reinstall time, then ``on``.

        Returns the server as it is now; None, and nothing stored, when it is reinstalling
        already. The caller has checked the snapshot.
        """
        self.server(server_id)
        now = self._clock()
        with self._lock:
            if self._server(server_id).status(now) == "reinstall":
                return None
            self._conn.execute(
                "INSERT INTO reinstalls (server_id, install_source, snapshot_id, started_at,"
                " ready_at) VALUES (?, ?, ?, ?, ?)",
                (server_id, install_source, snapshot_id, now, now + self._reinstall_seconds),
            )
            return self._server(server_id)

    def reinstalls(self, server_id: str | None = None) -> list[Reinstall]:
        """Every reinstall, of one server or of all, oldest first."""
        query, args = _SELECT_REINSTALLS + " ORDER BY seq", tuple[str, ...]()
        if server_id is not None:
            query, args = _SELECT_REINSTALLS + " WHERE server_id = ? ORDER BY seq", (server_id,)
        with self._lock:
            rows = self._conn.execute(query, args).fetchall()
        return [Reinstall(*row) for row in rows]

    def _server(self, server_id: str) -> ServerRecord:
        password, activated_at = self._conn.execute(
            "SELECT root_password, activated_at FROM servers WHERE server_id = ?", (server_id,)
        ).fetchone()
        row = self._conn.execute(
            _SELECT_REINSTALLS + " WHERE server_id = ? ORDER BY seq DESC LIMIT 1", (server_id,)
        ).fetchone()
        last = None if row is None else Reinstall(*row)
        return ServerRecord(server_id, password, activated_at, last)
