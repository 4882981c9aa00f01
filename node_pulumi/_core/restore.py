"""Restore: reinstall a server from one of its snapshots, then wait until it is ``on`` again.

A restore destroys everything written to the server since the snapshot was taken, so it is two
steps with room for a confirmation between them:

1. `check_restore` asks, without changing anything, what can be known beforehand: the server
   exists and is not reinstalling already; the snapshot exists and is ``active``; whose
   snapshot it is. A snapshot of another server is allowed by the API but refused here unless
   ``allow_other_server`` is set, and then said out loud (a ``warning`` event).
2. `carry_out` calls reinstall_server once (never repeated: `NodeClient`'s retry rule), then
   polls get_server_detail on the package's poll schedule (`waiting.poll_intervals`,
   `waiting.next_poll`) until ``server_status`` is ``on``, up to a deadline, cancellable
   through a `threading.Event`.

`restore_server` does both, for Python callers (Automation API scripts); the ``node-pulumi``
command does both with its confirmation in between. Every outcome other than success is a
typed error (`restore_errors`). The root password that get_server_detail sends is dropped by the
client while decoding, so nothing here ever holds it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from .._api.errors import NodeApiError, NodeDecodeError, NodeError, NodeTransportError
from .._api.transport import NodeClient
from .gone import is_gone
from .listing import listing_ip_address
from .restore_errors import (
    RestoreCancelledError,
    RestoreFailedError,
    RestoreRefusedError,
    RestoreTimeoutError,
    RestoreUncertainError,
    RestoreWaitError,
)
from .restore_events import EventCallback, RestoreEvent, RestorePlan, RestoreResult, log_event
from .settings import Settings, resolve_settings
from .waiting import POLL_INTERVAL, next_poll, poll_intervals

DEFAULT_RESTORE_TIMEOUT = 1800.0
BUSY_STATUSES = ("install", "reinstall")
LOST_STATUSES = ("suspended", "deleted")
"""Server statuses a restore cannot start from, nor wait through."""


def latest_snapshot(
    client: NodeClient, server_id: str, *, client_ip_address: str | None
) -> dict[str, Any]:
    """The newest ``active`` snapshot of ``server_id`` (any cycle), by the time it was taken.

    get_snapshot_list needs a client IP address (`NodeConfigError` without one). A server with
    no active snapshot is a `RestoreRefusedError` (``no_active_snapshot``).
    """
    newest: dict[str, Any] | None = None
    for record in client.get_snapshot_list(
        client_ip_address=listing_ip_address(client_ip_address),
        server_id=server_id,
        snapshot_status="active",
        snapshot_cycle="all",
    ):
        # Own filter too: an API that ignored a filter must not pick another server's snapshot.
        if record.get("server_id") != server_id or record.get("snapshot_status") != "active":
            continue
        if newest is None or str(record.get("snapshot_add_time") or "") > str(
            newest.get("snapshot_add_time") or ""
        ):
            newest = record
    if newest is None or not newest.get("snapshot_id"):
        raise RestoreRefusedError(
            server_id,
            None,
            "no_active_snapshot",
            f"server {server_id} has no active snapshot to restore",
        )
    return newest


def check_restore(
    client: NodeClient,
    server_id: str,
    snapshot_id: str,
    *,
    client_ip_address: str | None,
    allow_other_server: bool = False,
    on_event: EventCallback = log_event,
) -> RestorePlan:
    """Check, changing nothing, that ``snapshot_id`` can be restored onto ``server_id``.

    Raises `RestoreRefusedError` naming what is wrong; API errors other than "not found" (a
    refused credential among them) pass through as they are.
    """
    try:
        server = client.get_server_detail(server_id)
    except NodeApiError as exc:
        if not is_gone(exc):
            raise
        raise RestoreRefusedError(
            server_id, snapshot_id, "server_missing", f"server {server_id} was not found ({exc})"
        ) from exc
    server_status = _text(server.get("server_status"))
    if server_status in BUSY_STATUSES:
        raise RestoreRefusedError(
            server_id,
            snapshot_id,
            "server_busy",
            f"server {server_id} is {server_status!r} already: wait until it is 'on'",
            server_status,
        )
    if server_status in LOST_STATUSES:
        raise RestoreRefusedError(
            server_id,
            snapshot_id,
            "server_unavailable",
            f"server {server_id} is {server_status!r}: see the node.co.id panel",
            server_status,
        )
    try:
        snapshot = client.get_snapshot_detail(snapshot_id, client_ip_address)
    except NodeApiError as exc:
        if not is_gone(exc):
            raise
        raise RestoreRefusedError(
            server_id,
            snapshot_id,
            "snapshot_missing",
            f"snapshot {snapshot_id} does not exist ({exc}); list the server's snapshots with "
            f"`node-pulumi snapshots --server-id {server_id}`",
        ) from exc
    status = _text(snapshot.get("snapshot_status"))
    if status != "active":
        raise RestoreRefusedError(
            server_id,
            snapshot_id,
            "snapshot_not_active",
            f"snapshot {snapshot_id} is {status or 'of unknown status'!r}, not 'active': only an "
            "active snapshot can be restored"
            + ("; wait until it is active" if status == "processing" else ""),
            status,
        )
    owner = snapshot.get("server_id")
    other = owner is not None and owner != server_id
    if other:
        what = (
            f"snapshot {snapshot_id} was taken of server {owner}, not of server {server_id}: "
            f"restoring it puts server {owner}'s disk on server {server_id}"
        )
        if not allow_other_server:
            raise RestoreRefusedError(
                server_id,
                snapshot_id,
                "other_server",
                f"{what}; if that is meant, allow it explicitly (the command's "
                "--allow-other-server, the function's allow_other_server=True)",
            )
        on_event(RestoreEvent("warning", server_id, snapshot_id, f"warning: {what}"))
    shown = {k: v for k, v in snapshot.items() if k not in ("snapshot_url", "snapshot_url_expires")}
    return RestorePlan(server_id, snapshot_id, server_status, shown, other)


def carry_out(
    client: NodeClient,
    plan: RestorePlan,
    *,
    timeout: float = DEFAULT_RESTORE_TIMEOUT,
    intervals: Iterator[float] | None = None,
    cancel: threading.Event | None = None,
    on_event: EventCallback = log_event,
) -> RestoreResult:
    """Reinstall the plan's server from its snapshot and wait until the server is ``on``.

    The ``timeout`` counts from the reinstall request. Raises `RestoreRefusedError` when the API
    refuses the reinstall (nothing changed), `RestoreUncertainError` when its answer was lost
    and the server shows no reinstall, and a `RestoreWaitError` or `RestoreCancelledError` once
    it started.
    """
    server_id, snapshot_id = plan.server_id, plan.snapshot_id
    if cancel is not None and cancel.is_set():
        raise RestoreCancelledError(server_id, snapshot_id, started=False, status=None)
    started = time.monotonic()
    status = _start(client, server_id, snapshot_id)
    on_event(
        RestoreEvent(
            "started",
            server_id,
            snapshot_id,
            f"reinstall of server {server_id} from snapshot {snapshot_id} started",
            status,
        )
    )
    return _wait_until_on(
        client,
        plan,
        status,
        started=started,
        timeout=timeout,
        intervals=poll_intervals() if intervals is None else intervals,
        cancel=cancel,
        on_event=on_event,
    )


def restore_server(
    server_id: str,
    snapshot_id: str,
    *,
    allow_other_server: bool = False,
    timeout: float = DEFAULT_RESTORE_TIMEOUT,
    poll_interval: float = POLL_INTERVAL,
    settings: Settings | None = None,
    client: NodeClient | None = None,
    cancel: threading.Event | None = None,
    on_event: EventCallback | None = None,
) -> RestoreResult:
    """Restore ``server_id`` from ``snapshot_id`` and return once the server is ``on`` again.

    Everything written to the server since the snapshot was taken is lost. Credentials and
    endpoint come from ``client``, else ``settings``, else the ``NODE_*`` environment variables
    (as for the providers). A snapshot of another server needs ``allow_other_server=True``.
    Polls start ``poll_interval`` seconds apart and grow with the time waited (the providers'
    schedule); setting ``cancel`` stops the wait (not the reinstall). Events (a warning, the
    start, each status) go to ``on_event``, by default (None) the ``node_pulumi.restore`` logger.

    Raises `RestoreRefusedError` (nothing changed), `RestoreUncertainError`,
    `RestoreTimeoutError`, `RestoreFailedError`, `RestoreWaitError`, `RestoreCancelledError`,
    or a client error (`NodeApiError` for refused credentials, `NodeConfigError`, ...).
    """
    resolved = settings or resolve_settings()
    events = log_event if on_event is None else on_event
    own = client is None
    node = resolved.client() if client is None else client
    try:
        plan = check_restore(
            node,
            server_id,
            snapshot_id,
            client_ip_address=resolved.client_ip_address,
            allow_other_server=allow_other_server,
            on_event=events,
        )
        return carry_out(
            node,
            plan,
            timeout=timeout,
            intervals=poll_intervals(first=poll_interval),
            cancel=cancel,
            on_event=events,
        )
    finally:
        if own:
            node.close()


def _start(client: NodeClient, server_id: str, snapshot_id: str) -> str | None:
    """Call reinstall_server once; return the status it reports. A lost answer is settled by
    reading the server: reinstalling means it started."""
    try:
        answer = client.reinstall_server(server_id, "snapshot", snapshot_id=snapshot_id)
    except NodeApiError as exc:
        if exc.is_credentials_error:
            raise
        raise RestoreRefusedError(
            server_id,
            snapshot_id,
            "api_refused",
            f"the API refused to reinstall server {server_id} from snapshot {snapshot_id}: {exc}",
        ) from exc
    except (NodeTransportError, NodeDecodeError) as exc:
        if isinstance(exc, NodeTransportError) and not exc.may_have_reached_server:
            raise
        try:
            status = _text(client.get_server_detail(server_id).get("server_status"))
        except NodeError:
            status = None
        if status in BUSY_STATUSES:
            return status
        raise RestoreUncertainError(server_id, snapshot_id, exc, status) from exc
    return _text(answer.get("server_status"))


def _wait_until_on(
    client: NodeClient,
    plan: RestorePlan,
    status: str | None,
    *,
    started: float,
    timeout: float,
    intervals: Iterator[float],
    cancel: threading.Event | None,
    on_event: EventCallback,
) -> RestoreResult:
    """Poll get_server_detail until ``on``; status reads that fail for lack of an answer are
    reported and retried until the deadline, an API error ends the wait."""
    server_id, snapshot_id = plan.server_id, plan.snapshot_id
    deadline = started + timeout
    polls = 0
    while True:
        sleep = next_poll(deadline, intervals)
        if sleep is None:
            raise RestoreTimeoutError(server_id, snapshot_id, status, timeout)
        if cancel is not None:
            if cancel.wait(sleep):
                raise RestoreCancelledError(server_id, snapshot_id, started=True, status=status)
        else:
            time.sleep(sleep)
        polls += 1
        try:
            details = client.get_server_detail(server_id)
        except (NodeTransportError, NodeDecodeError) as exc:
            elapsed = time.monotonic() - started
            message = f"reading server {server_id}'s status failed ({exc}); trying again"
            on_event(
                RestoreEvent("poll_failed", server_id, snapshot_id, message, status, elapsed, polls)
            )
            continue
        except NodeApiError as exc:
            raise RestoreWaitError(
                server_id,
                snapshot_id,
                status,
                f"server {server_id} is reinstalling from snapshot {snapshot_id}, but reading "
                f"its status failed: {exc}; follow it in the node.co.id panel",
            ) from exc
        elapsed = time.monotonic() - started
        status = _text(details.get("server_status"))
        on_event(
            RestoreEvent(
                "status",
                server_id,
                snapshot_id,
                f"server {server_id}: {status}",
                status,
                elapsed,
                polls,
            )
        )
        if status == "on":
            return RestoreResult(server_id, snapshot_id, plan.taken_at, "on", elapsed, polls)
        if status in LOST_STATUSES:
            raise RestoreFailedError(server_id, snapshot_id, str(status))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
