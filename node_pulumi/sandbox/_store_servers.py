"""The sandbox's servers in its SQLite store: each server's root password, its profile (label,
statuses, package, tags) and its reinstalls.

`ServerTables` is a part of `Store` (which owns the connection, the lock and the clock); a
server's status is its profile's, except while a reinstall lasts (derived from the clock).
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace

_SELECT_REINSTALLS = (
    "SELECT seq, server_id, install_source, snapshot_id, started_at, ready_at FROM reinstalls"
)
_PROFILE_COLUMNS = (
    "label, server_status, order_status, package, ownership, custom_info_1, custom_info_2,"
    " custom_info_3"
)


@dataclass(frozen=True)
class ServerProfile:
    """What the account says of a server besides its id: as set by a test or the seeding, else
    these defaults (an active order, ``on``). An empty ``label`` is shown as ``server-<id>``."""

    label: str = ""
    server_status: str = "on"
    order_status: str = "active"
    package: str = "compute1"
    ownership: str = "owner"
    custom_info_1: str = ""
    custom_info_2: str = ""
    custom_info_3: str = ""

    def row(self) -> tuple[str, ...]:
        """The values in `_PROFILE_COLUMNS` order."""
        return tuple(getattr(self, f.name) for f in fields(self))


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
    profile: ServerProfile = ServerProfile()

    def status(self, now: float) -> str:
        """``reinstall`` while its last reinstall lasts, else its profile's status."""
        last = self.last_reinstall
        if last is not None and now < last.ready_at:
            return "reinstall"
        return self.profile.server_status

    @property
    def label(self) -> str:
        """The server's label: its profile's, or ``server-<id>``."""
        return self.profile.label or f"server-{self.server_id}"


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

    def servers_of(self, server_ids: Iterable[str]) -> list[ServerRecord]:
        """These servers (stored now if they were not), in a few queries whatever their number."""
        ids = sorted(set(server_ids))
        now = self._clock()
        with self._lock:
            self._conn.executemany(
                "INSERT OR IGNORE INTO servers (server_id, root_password, activated_at)"
                " VALUES (?, ?, ?)",
                [(i, secrets.token_urlsafe(12), now) for i in ids],
            )
            stored: dict[str, tuple[str, float]] = {
                row[0]: (row[1], row[2])
                for row in self._conn.execute(
                    "SELECT server_id, root_password, activated_at FROM servers"
                )
            }
            profiles = {
                row[0]: ServerProfile(*row[1:])
                for row in self._conn.execute(
                    f"SELECT server_id, {_PROFILE_COLUMNS} FROM server_profiles"  # noqa: S608
                )
            }
            last: dict[str, Reinstall] = {}
            for row in self._conn.execute(_SELECT_REINSTALLS + " ORDER BY seq"):
                last[row[1]] = Reinstall(*row)
        return [
            ServerRecord(
                i, stored[i][0], stored[i][1], last.get(i), profiles.get(i, ServerProfile())
            )
            for i in ids
        ]

    def set_profile(self, server_id: str, **changes: str) -> ServerRecord:
        """Change what the account says of a server (`ServerProfile`'s fields); returns it."""
        profile = replace(self.server(server_id).profile, **changes)
        self.store_profiles([(server_id, profile)])
        return self.server(server_id)

    def store_profiles(self, profiles: Iterable[tuple[str, ServerProfile]]) -> None:
        """Store servers' profiles (and the servers, when new), replacing earlier ones."""
        now = self._clock()
        rows = list(profiles)
        with self._lock:
            self._conn.executemany(
                "INSERT OR IGNORE INTO servers (server_id, root_password, activated_at)"
                " VALUES (?, ?, ?)",
                [(i, secrets.token_urlsafe(12), now) for i, _ in rows],
            )
            self._conn.executemany(
                f"INSERT OR REPLACE INTO server_profiles (server_id, {_PROFILE_COLUMNS})"  # noqa: S608
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(i, *p.row()) for i, p in rows],
            )

    def set_activated(self, activations: Iterable[tuple[str, float]]) -> None:
        """Backdate servers' activation times (seeding an account that has existed a while)."""
        with self._lock:
            self._conn.executemany(
                "UPDATE servers SET activated_at = ? WHERE server_id = ?",
                [(at, i) for i, at in activations],
            )

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
            # A reinstalled server comes back on, whatever it was before.
            self._conn.execute(
                "UPDATE server_profiles SET server_status = 'on' WHERE server_id = ?", (server_id,)
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
        profile = self._conn.execute(
            f"SELECT {_PROFILE_COLUMNS} FROM server_profiles WHERE server_id = ?",  # noqa: S608
            (server_id,),
        ).fetchone()
        return ServerRecord(
            server_id,
            password,
            activated_at,
            last,
            ServerProfile() if profile is None else ServerProfile(*profile),
        )
