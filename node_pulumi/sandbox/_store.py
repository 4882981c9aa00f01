"""SQLite storage of the sandbox: snapshots, snapshot schedules, servers and their reinstalls,
and the ``random`` values seen.

A snapshot's status and a server's are not stored but derived from stored times and the clock
(a snapshot is ``active`` from its ``ready_at``, a server ``on`` again from the end of its last
reinstall), so no background thread is needed and a restart on the same file continues where it
stopped. A version 1 or 2 database (before servers, before server profiles) gains the tables
it lacks when opened.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ._store_servers import ServerTables

SCHEMA_VERSION = 3
URL_LIFETIME_SECONDS = 3600
"""How long a ``snapshot_url`` handed out by get_snapshot_detail/get_snapshot_list stays valid."""

_ID_ALPHABET = string.ascii_lowercase + string.digits
_ID_LENGTH = 12
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    snapshot_id TEXT NOT NULL UNIQUE,
    server_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    ready_at REAL NOT NULL,
    size_gb REAL NOT NULL,
    deleted_at REAL
);
CREATE TABLE IF NOT EXISTS used_randoms (
    random TEXT PRIMARY KEY,
    used_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS schedules (
    server_id TEXT PRIMARY KEY,
    daily_max_age INTEGER NOT NULL,
    weekly_max_age INTEGER NOT NULL,
    monthly_max_age INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS servers (
    server_id TEXT PRIMARY KEY,
    root_password TEXT NOT NULL,
    activated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS server_profiles (
    server_id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    server_status TEXT NOT NULL,
    order_status TEXT NOT NULL,
    package TEXT NOT NULL,
    ownership TEXT NOT NULL,
    custom_info_1 TEXT NOT NULL,
    custom_info_2 TEXT NOT NULL,
    custom_info_3 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reinstalls (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    server_id TEXT NOT NULL,
    install_source TEXT NOT NULL,
    snapshot_id TEXT,
    started_at REAL NOT NULL,
    ready_at REAL NOT NULL
);
"""
_SELECT_SNAPSHOTS = (
    "SELECT seq, snapshot_id, server_id, created_at, ready_at, size_gb, deleted_at FROM snapshots"
)


def format_time(timestamp: float) -> str:
    """Format a unix time the way the API does (``YYYY-MM-DD HH:MM:SS``), in UTC."""
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime(_TIME_FORMAT)


def parse_time(text: str) -> float:
    """The unix time of an API time (`format_time`'s output)."""
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=timezone.utc).timestamp()


@dataclass(frozen=True)
class SnapshotRecord:
    """One stored snapshot; its status and the API's view of it depend on the current time."""

    seq: int
    snapshot_id: str
    server_id: str
    created_at: float
    ready_at: float
    size_gb: float
    deleted_at: float | None

    def status(self, now: float) -> str:
        """``deleted`` once deleted, else ``processing`` until ``ready_at``, then ``active``."""
        if self.deleted_at is not None:
            return "deleted"
        return "active" if now >= self.ready_at else "processing"

    def became_active(self, now: float) -> bool:
        """Whether the snapshot finished processing (before it was deleted, if it was)."""
        until = self.deleted_at if self.deleted_at is not None else now
        return self.ready_at <= until

    def detail(self, now: float) -> dict[str, Any]:
        """The snapshot as get_snapshot_detail's ``data`` (also a get_snapshot_list record)."""
        status = self.status(now)
        finished = self.became_active(now)
        downloadable = status == "active"
        return {
            "snapshot_id": self.snapshot_id,
            "server_id": self.server_id,
            "server_label": f"server-{self.server_id}",
            "snapshot_name": f"manual-{self.snapshot_id}",
            "snapshot_add_time": format_time(self.created_at),
            "snapshot_end_time": format_time(self.ready_at) if finished else "",
            "snapshot_cycle": "manual",
            "snapshot_status": status,
            "snapshot_size": self.size_gb if finished else 0.0,
            "snapshot_url": (
                f"https://sandbox.invalid/snapshots/{self.snapshot_id}.img" if downloadable else ""
            ),
            "snapshot_url_expires": int(now) + URL_LIFETIME_SECONDS if downloadable else 0,
        }


@dataclass(frozen=True)
class Schedule:
    """A server's automatic snapshot settings; a max age of 0 means that cycle is off."""

    server_id: str
    daily_max_age: int
    weekly_max_age: int
    monthly_max_age: int

    def echo(self) -> dict[str, Any]:
        """The settings as set_server_snapshot_schedule's ``data``."""
        data: dict[str, Any] = {"server_id": self.server_id}
        for cycle, age in (
            ("daily", self.daily_max_age),
            ("weekly", self.weekly_max_age),
            ("monthly", self.monthly_max_age),
        ):
            data[f"{cycle}_snapshot"] = "yes" if age else "no"
            data[f"{cycle}_snapshot_max_age"] = age
        return data


class Store(ServerTables):
    """The sandbox's data in one SQLite database (a file, or ``:memory:``).

    One connection is shared by the server's threads behind a lock: a ``:memory:`` database
    exists only inside its connection, and sqlite3 objects are not safe for concurrent use.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        processing_seconds: float,
        clock: Callable[[], float],
        reinstall_seconds: float = 0.0,
    ) -> None:
        self._processing_seconds = processing_seconds
        self._reinstall_seconds = reinstall_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        with self._lock:
            (version,) = self._conn.execute("PRAGMA user_version").fetchone()
            if version not in (0, 1, 2, SCHEMA_VERSION):  # 1, 2: missing tables added below
                self._conn.close()
                raise RuntimeError(
                    f"sandbox database {path!s} has unknown schema version {version}"
                )
            self._conn.executescript(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def now(self) -> float:
        """The current time according to the sandbox's clock."""
        return self._clock()

    def close(self) -> None:
        """Close the database; the store is unusable afterwards."""
        with self._lock:
            self._conn.close()

    def use_random(self, random: str) -> bool:
        """Remember ``random``; return False if it had been used before (a replay)."""
        with self._lock:
            cursor = self._conn.execute(
                "INSERT OR IGNORE INTO used_randoms (random, used_at) VALUES (?, ?)",
                (random, self._clock()),
            )
            return cursor.rowcount == 1

    def create_snapshot(self, server_id: str) -> SnapshotRecord:
        """Store a new snapshot of ``server_id`` with a fresh random id; it starts processing."""
        now = self._clock()
        size_gb = round(1.0 + secrets.randbelow(200) / 10, 1)
        with self._lock:
            while True:
                snapshot_id = self.new_snapshot_id()
                ready_at = now + self._processing_seconds
                try:
                    cursor = self._conn.execute(
                        "INSERT INTO snapshots (snapshot_id, server_id, created_at, ready_at,"
                        " size_gb) VALUES (?, ?, ?, ?, ?)",
                        (snapshot_id, server_id, now, ready_at, size_gb),
                    )
                except sqlite3.IntegrityError:  # id collision: draw another
                    continue
                seq = cursor.lastrowid
                assert seq is not None  # an INSERT into a rowid table always sets it
                return SnapshotRecord(seq, snapshot_id, server_id, now, ready_at, size_gb, None)

    def add_snapshot(
        self,
        snapshot_id: str,
        server_id: str,
        *,
        created_at: float,
        size_gb: float,
        ready_at: float | None = None,
    ) -> SnapshotRecord:
        """Store a snapshot with a given id, taken at ``created_at``, as if made earlier: active
        from ``ready_at`` (default: ``created_at``), processing until then.

        Lets a test stand the sandbox behind state written elsewhere (another sandbox, another
        release). Raises ValueError for an id already stored.
        """
        ready = created_at if ready_at is None else ready_at
        with self._lock:
            try:
                cursor = self._conn.execute(
                    "INSERT INTO snapshots (snapshot_id, server_id, created_at, ready_at,"
                    " size_gb) VALUES (?, ?, ?, ?, ?)",
                    (snapshot_id, server_id, created_at, ready, size_gb),
                )
            except sqlite3.IntegrityError:
                raise ValueError(f"snapshot {snapshot_id} exists already") from None
        seq = cursor.lastrowid
        assert seq is not None  # an INSERT into a rowid table always sets it
        return SnapshotRecord(seq, snapshot_id, server_id, created_at, ready, size_gb, None)

    def add_snapshots(self, rows: list[tuple[str, str, float, float, float, float | None]]) -> None:
        """Store many snapshots at once: ``(snapshot_id, server_id, created_at, ready_at,
        size_gb, deleted_at)`` each (seeding; an id stored already is skipped)."""
        with self._lock:
            self._conn.executemany(
                "INSERT OR IGNORE INTO snapshots (snapshot_id, server_id, created_at, ready_at,"
                " size_gb, deleted_at) VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )

    @staticmethod
    def new_snapshot_id() -> str:
        """A random id in the API's style (12 lowercase letters and digits)."""
        return "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))

    def get_snapshot(self, snapshot_id: str) -> SnapshotRecord | None:
        """The snapshot with this id, deleted or not; None if there never was one."""
        with self._lock:
            return self._get(snapshot_id)

    def mark_deleted(self, snapshot_id: str) -> SnapshotRecord | None:
        """Mark the snapshot deleted (keeping the first deletion time); None if unknown."""
        with self._lock:
            self._conn.execute(
                "UPDATE snapshots SET deleted_at = ? WHERE snapshot_id = ? AND deleted_at IS NULL",
                (self._clock(), snapshot_id),
            )
            return self._get(snapshot_id)

    def snapshots(self) -> list[SnapshotRecord]:
        """All snapshots, deleted ones included, oldest first."""
        with self._lock:
            rows = self._conn.execute(_SELECT_SNAPSHOTS + " ORDER BY seq").fetchall()
        return [SnapshotRecord(*row) for row in rows]

    def set_schedule(self, schedule: Schedule) -> None:
        """Store (or replace) a server's schedule."""
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO schedules (server_id, daily_max_age, weekly_max_age,"
                " monthly_max_age) VALUES (?, ?, ?, ?)",
                (
                    schedule.server_id,
                    schedule.daily_max_age,
                    schedule.weekly_max_age,
                    schedule.monthly_max_age,
                ),
            )

    def schedules(self) -> list[Schedule]:
        """All stored schedules, ordered by server id."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT server_id, daily_max_age, weekly_max_age, monthly_max_age"
                " FROM schedules ORDER BY server_id"
            ).fetchall()
        return [Schedule(*row) for row in rows]

    def schedule(self, server_id: str) -> Schedule:
        """The server's schedule: as last set, or every cycle off."""
        with self._lock:
            row = self._conn.execute(
                "SELECT server_id, daily_max_age, weekly_max_age, monthly_max_age"
                " FROM schedules WHERE server_id = ?",
                (server_id,),
            ).fetchone()
        return Schedule(server_id, 0, 0, 0) if row is None else Schedule(*row)

    def reset(self) -> None:
        """Drop every snapshot, schedule, server (and profile), reinstall and remembered
        ``random``."""
        with self._lock:
            self._conn.executescript(
                "DELETE FROM snapshots; DELETE FROM used_randoms; DELETE FROM schedules;"
                " DELETE FROM servers; DELETE FROM server_profiles; DELETE FROM reinstalls;"
            )

    def _get(self, snapshot_id: str) -> SnapshotRecord | None:
        row = self._conn.execute(
            _SELECT_SNAPSHOTS + " WHERE snapshot_id = ?", (snapshot_id,)
        ).fetchone()
        return None if row is None else SnapshotRecord(*row)
