"""The errors of a restore (reinstalling a server from a snapshot), one per outcome a caller acts
on differently: refused (nothing changed), uncertain (it may have started), and the failures of
the wait once it started (timeout, a server that became unusable, a failing status read,
cancelled).

Each carries the server and the snapshot as attributes, and says in its text what to check next.
None holds a credential: the API key is never in an error, and the root password the API sends
with a server's details is dropped before any of these see the answer.
"""

from __future__ import annotations

from .._api.errors import NodeError

PANEL = "the node.co.id panel"


class RestoreError(NodeError):
    """A restore of ``server_id`` from ``snapshot_id`` did not end with the server ``on``."""

    def __init__(self, server_id: str, snapshot_id: str | None, message: str) -> None:
        self.server_id = server_id
        self.snapshot_id = snapshot_id
        super().__init__(message)


class RestoreRefusedError(RestoreError):
    """The restore was refused before anything changed: by a check, or by the API.

    ``reason`` is one of ``snapshot_missing``, ``snapshot_not_active``, ``no_active_snapshot``,
    ``other_server``, ``server_missing``, ``server_busy``, ``server_unavailable``, ``api_refused``;
    ``status`` the snapshot's or server's status behind it, when there is one.
    """

    def __init__(
        self,
        server_id: str,
        snapshot_id: str | None,
        reason: str,
        message: str,
        status: str | None = None,
    ) -> None:
        self.reason = reason
        self.status = status
        super().__init__(server_id, snapshot_id, f"restore refused, nothing changed: {message}")


class RestoreUncertainError(RestoreError):
    """reinstall_server may have reached the API but no usable answer came back, and the server
    does not show a reinstall: it may not have started, or may start late. ``status`` is the
    server's status read afterwards (None when that failed too)."""

    def __init__(self, server_id: str, snapshot_id: str, cause: NodeError, status: str | None):
        self.status = status
        seen = f"the server is {status!r}" if status else "its status could not be read"
        super().__init__(
            server_id,
            snapshot_id,
            f"{cause}; the reinstall of server {server_id} from snapshot {snapshot_id} may or "
            f"may not have started ({seen}): check the server in {PANEL} before restoring "
            "again, since a second restore while it reinstalls starts over",
        )


class RestoreWaitError(RestoreError):
    """The reinstall started, but waiting for the server to be ``on`` again did not succeed.

    ``status`` is the last server status seen. The reinstall goes on at the API regardless.
    """

    def __init__(self, server_id: str, snapshot_id: str, status: str | None, message: str) -> None:
        self.status = status
        super().__init__(server_id, snapshot_id, message)


class RestoreTimeoutError(RestoreWaitError):
    """The server was still not ``on`` when the deadline passed (``timeout`` seconds after the
    reinstall was asked for)."""

    def __init__(self, server_id: str, snapshot_id: str, status: str | None, timeout: float):
        self.timeout = timeout
        if status == "off":
            advice = f"it is off: the reinstall may be over; turn it on in {PANEL}"
        else:
            advice = (
                f"the reinstall goes on at the API: follow it in {PANEL}; do not restore again "
                "while it is 'reinstall' (the API may start over); if it stays so much longer "
                "than earlier restores took, ask node.co.id support"
            )
        super().__init__(
            server_id,
            snapshot_id,
            status,
            f"server {server_id} is still {status or 'not on'!r} {timeout:g}s after its restore "
            f"from snapshot {snapshot_id} started; {advice}",
        )


class RestoreFailedError(RestoreWaitError):
    """The server reached a status it cannot come back ``on`` from by itself (``suspended``,
    ``deleted``) while waiting."""

    def __init__(self, server_id: str, snapshot_id: str, status: str) -> None:
        super().__init__(
            server_id,
            snapshot_id,
            status,
            f"server {server_id} became {status!r} while restoring from snapshot {snapshot_id}; "
            f"see {PANEL} or ask node.co.id support",
        )


class RestoreCancelledError(RestoreError):
    """The caller cancelled the restore. ``started`` says whether reinstall_server had been
    called: if so, the reinstall goes on at the API; ``status`` is the last status seen."""

    def __init__(
        self, server_id: str, snapshot_id: str, *, started: bool, status: str | None
    ) -> None:
        self.started = started
        self.status = status
        if started:
            detail = (
                f"the reinstall of server {server_id} from snapshot {snapshot_id} goes on at the "
                f"API (last seen {status or 'unknown'!r}): follow it in {PANEL}"
            )
        else:
            detail = f"nothing changed: server {server_id} was not reinstalled"
        super().__init__(server_id, snapshot_id, f"restore cancelled; {detail}")
