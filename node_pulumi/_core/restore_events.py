"""What a restore works with and reports: the plan its checks found, the events it sends while
it runs, the result. Plain values without a credential, safe to print or log."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_log = logging.getLogger("node_pulumi.restore")


@dataclass(frozen=True)
class RestorePlan:
    """What `check_restore` found: the server and the snapshot to put on it.

    ``snapshot`` is get_snapshot_detail's data without its download URL; ``other_server`` is
    True when the snapshot was taken of another server (allowed by the caller).
    """

    server_id: str
    snapshot_id: str
    server_status: str | None
    snapshot: dict[str, Any] = field(repr=False)
    other_server: bool = False

    @property
    def taken_at(self) -> str | None:
        """When the snapshot was taken (``YYYY-MM-DD HH:MM:SS``, as the API writes it)."""
        return self.snapshot.get("snapshot_add_time")


@dataclass(frozen=True)
class RestoreEvent:
    """Something a restore reports while it runs.

    ``kind`` is ``warning`` (said out loud: a snapshot of another server), ``started``
    (reinstall_server accepted), ``status`` (a poll's answer: ``status``), or ``poll_failed``
    (a status read failed; the wait goes on until the deadline).
    """

    kind: str
    server_id: str
    snapshot_id: str
    message: str
    status: str | None = None
    elapsed: float = 0.0
    polls: int = 0


@dataclass(frozen=True)
class RestoreResult:
    """A restore that ended with the server ``on``: how long it took, counted from the
    reinstall request, and how many status polls that took."""

    server_id: str
    snapshot_id: str
    snapshot_taken_at: str | None
    status: str
    elapsed: float
    polls: int


EventCallback = Callable[[RestoreEvent], None]


def log_event(event: RestoreEvent) -> None:
    """The default `EventCallback`: warnings at WARNING, the rest at INFO, on the
    ``node_pulumi.restore`` logger."""
    _log.log(logging.WARNING if event.kind == "warning" else logging.INFO, event.message)
