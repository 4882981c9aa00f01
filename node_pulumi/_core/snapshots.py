"""A snapshot's create and look-up, for both front doors: the rules live here once.

A create is sent once and a lost answer is looked up, never retried; a snapshot the API says is
gone (`gone.is_gone`: an answer naming the snapshot, never one about the caller's credentials) or
reports ``deleted`` is gone; deleting one that is gone counts as done. Every other error fails
the operation, so that Pulumi keeps the resource in state.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from .._api.errors import (
    NodeApiError,
    NodeDecodeError,
    NodeError,
    NodeTransportError,
    SnapshotNotFoundError,
    SnapshotUncertainError,
)
from .._api.transport import NodeClient
from .gone import is_gone
from .waiting import Deadline

CANDIDATES_SHOWN = 5


def start_snapshot(
    client: NodeClient,
    server_id: str,
    *,
    client_ip_address: str | None,
    notify: Callable[[str], None],
    waiting: bool = False,
    deadline: Deadline | None = None,
) -> dict[str, Any]:
    """Start a snapshot of ``server_id`` with one create_snapshot call; return the API's answer.

    ``notify`` gets a line naming the snapshot the moment the API answers (saying it will be
    waited for, with ``waiting``), so that an interrupted ``up`` (whose errors never show) cannot
    leave a snapshot nobody was told of. A create whose answer was lost is not retried: the
    server's processing snapshots are looked up and named in a `SnapshotUncertainError`. With a
    ``deadline`` the request waits for its answer no longer than the time left (a late answer is
    a lost one), and is not sent at all once the deadline has passed.
    """
    timeout = None
    if deadline is not None:
        timeout = min(client.timeout, deadline.remaining())
        if timeout <= 0:
            raise NodeTransportError(
                "create_snapshot",
                f"not sent: the create's deadline of {deadline.seconds:g}s had passed",
                may_have_reached_server=False,
            )
    try:
        created = client.create_snapshot(server_id, timeout=timeout)
        if not created.get("snapshot_id"):
            raise NodeDecodeError("create_snapshot", "the answer is OK but has no snapshot_id")
    except (NodeTransportError, NodeDecodeError) as exc:
        if isinstance(exc, NodeTransportError) and not exc.may_have_reached_server:
            raise
        notify(
            f"node: create_snapshot of server {server_id} got no usable answer ({exc}); a "
            "snapshot may have been started: looking for it"
        )
        raise _uncertain(client, server_id, exc, client_ip_address) from exc
    line = f"node: snapshot {created['snapshot_id']} of server {server_id} created"
    notify(f"{line}; waiting for it to become active" if waiting else line)
    return created


def _uncertain(
    client: NodeClient, server_id: str, cause: NodeError, client_ip_address: str | None
) -> SnapshotUncertainError:
    """Describe a create whose answer was lost, naming the server's snapshots now processing."""
    if not client_ip_address:
        return SnapshotUncertainError(
            server_id,
            cause,
            [],
            "look for it before rerunning (set node:clientIpAddress to let the provider look "
            "it up)",
        )
    try:
        processing = [
            str(r.get("snapshot_id"))
            for r in itertools.islice(
                client.get_snapshot_list(
                    client_ip_address=client_ip_address,
                    server_id=server_id,
                    snapshot_status="processing",
                    snapshot_cycle="manual",
                ),
                CANDIDATES_SHOWN,
            )
        ]
    except NodeError as exc:
        return SnapshotUncertainError(
            server_id, cause, [], f"look for it before rerunning (looking it up failed: {exc})"
        )
    if not processing:
        # The API may still act on the request, or its snapshot may already be active.
        advice = (
            "none of its snapshots was processing just after the failure; look again before "
            "rerunning"
        )
    else:
        advice = (
            "snapshots of the server processing just after the failure, outside Pulumi's state "
            f"unless another resource holds them: {', '.join(processing)}; adopt one with "
            "Snapshot.get or delete it"
        )
    return SnapshotUncertainError(server_id, cause, processing, advice)


def require_snapshot(
    client: NodeClient, snapshot_id: str, client_ip_address: str | None
) -> dict[str, Any]:
    """The details of an existing snapshot; `SnapshotNotFoundError` when the API says it is gone
    (`gone.is_gone`) or reports it ``deleted``; every other error passes through."""
    try:
        details = client.get_snapshot_detail(snapshot_id, client_ip_address)
    except NodeApiError as exc:
        if not is_gone(exc):
            raise
        raise SnapshotNotFoundError(snapshot_id, str(exc)) from exc
    if details.get("snapshot_status") == "deleted":
        raise SnapshotNotFoundError(snapshot_id, "the API reports it deleted")
    return details


def read_snapshot(
    client: NodeClient, snapshot_id: str, client_ip_address: str | None
) -> dict[str, Any] | None:
    """The details of a snapshot, or None when it is gone (see `require_snapshot`)."""
    try:
        return require_snapshot(client, snapshot_id, client_ip_address)
    except SnapshotNotFoundError:
        return None


def delete_snapshot(client: NodeClient, snapshot_id: str) -> None:
    """Delete a snapshot; one the API says is gone (`gone.is_gone`) counts as deleted."""
    try:
        client.delete_snapshot(snapshot_id)
    except NodeApiError as exc:
        if not is_gone(exc):
            raise
