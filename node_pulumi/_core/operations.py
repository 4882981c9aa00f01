"""What each API operation means, for both front doors (the dynamic providers and the plugin).

The rules live here once: a create is sent once and a lost answer is looked up, never retried;
a snapshot the API says is gone (`gone.is_gone`: an answer naming the snapshot, never one about
the caller's credentials) or reports ``deleted`` is gone; deleting one that is gone, or clearing
the schedule of a server the API says is gone, counts as done. Every other error fails the
operation, so that Pulumi keeps the resource in state.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .._api.errors import (
    NodeApiError,
    NodeConfigError,
    NodeDecodeError,
    NodeError,
    NodeTransportError,
    SnapshotNotFoundError,
    SnapshotUncertainError,
)
from .._api.transport import NodeClient
from .gone import is_gone
from .inputs import DEFAULT_WAIT_TIMEOUT, LOCAL_INPUTS
from .settings import CLIENT_IP_ADDRESS
from .waiting import Deadline, await_active, until_cancelled, wait_until_active

SnapshotStatusCallback = Callable[[str, str | None], None]
"""Told a waited-for snapshot's id and status after each status poll."""

CANDIDATES_SHOWN = 5
SCHEDULE_CYCLES = ("daily", "weekly", "monthly")


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


def create_deadline(wait: bool, wait_timeout: float, time_limit: float = 0.0) -> Deadline | None:
    """The deadline of a snapshot's create, made before create_snapshot is sent so that it bounds
    the whole create, the request included: ``wait_timeout`` when waiting, and ``time_limit``
    (the plugin's ``customTimeouts``; 0 for none) when set and shorter. None: no deadline."""
    return Deadline.of(wait_timeout if wait else None, time_limit)


def take_snapshot(
    client: NodeClient,
    server_id: str,
    *,
    wait: bool,
    timeout: float,
    client_ip_address: str | None,
    intervals: Iterator[float],
    notify: Callable[[str], None],
    time_limit: float = 0.0,
) -> dict[str, Any]:
    """Start a snapshot and, with ``wait``, wait until it is active (blocking this thread).

    The deadline (`create_deadline`: ``timeout`` when waiting, ``time_limit`` when shorter)
    counts from before the create and bounds it too. Returns what the API reported of the
    snapshot; every error raised after it exists names it.
    """
    take = _Take(client, server_id, wait, create_deadline(wait, timeout, time_limit))
    created = take.start(client_ip_address, notify)
    if take.deadline is None:
        return created
    details = wait_until_active(
        client, *take.waited(created), client_ip_address=client_ip_address, intervals=intervals
    )
    return {**created, **details}


async def take_snapshot_async(
    client: NodeClient,
    server_id: str,
    *,
    wait: bool,
    timeout: float,
    client_ip_address: str | None,
    intervals: Iterator[float],
    notify: Callable[[str], None],
    time_limit: float = 0.0,
    on_status: SnapshotStatusCallback | None = None,
    cancelled: asyncio.Event | None = None,
) -> dict[str, Any]:
    """`take_snapshot` as a coroutine: the create runs on a worker thread, the wait sleeps on
    the event loop (holding no thread) and ends at once, with `SnapshotWaitCancelled`, when
    ``cancelled`` is set. ``notify`` is called from the worker thread."""
    take = _Take(client, server_id, wait, create_deadline(wait, timeout, time_limit))
    created = await asyncio.to_thread(take.start, client_ip_address, notify)
    if take.deadline is None:
        return created
    snapshot_id, status, deadline = take.waited(created)
    details = await _await_active(
        client, snapshot_id, status, deadline, client_ip_address, intervals, on_status, cancelled
    )
    return {**created, **details}


@dataclass(frozen=True)
class _Take:
    """One create, as both drivers run it: its deadline is made before anything is sent
    (None when there is neither a wait nor a time limit)."""

    client: NodeClient
    server_id: str
    wait: bool
    deadline: Deadline | None

    def start(self, client_ip_address: str | None, notify: Callable[[str], None]) -> dict[str, Any]:
        return start_snapshot(
            self.client,
            self.server_id,
            client_ip_address=client_ip_address,
            notify=notify,
            waiting=self.wait,
            deadline=self.deadline,
        )

    def waited(self, created: Mapping[str, Any]) -> tuple[str, str | None, Deadline]:
        """What the wait for the created snapshot needs: its id, its status, the deadline."""
        assert self.deadline is not None  # only a wait or a time limit has one
        return str(created["snapshot_id"]), created.get("snapshot_status"), self.deadline


def snapshot_update(
    olds: Mapping[str, Any], news: Mapping[str, Any]
) -> tuple[dict[str, Any], bool]:
    """The update rule: only the wait settings change in place, so every other output is kept
    and the new settings are taken. Returns those outputs, and whether to wait: when the new
    inputs ask to and the snapshot was not ``active`` yet (created without waiting, or a wait
    that failed), the update waits for it rather than leaving it ``processing``."""
    outputs = {k: v for k, v in olds.items() if k not in LOCAL_INPUTS}
    outputs.update({k: news[k] for k in LOCAL_INPUTS if k in news})
    wait = bool(news.get("wait_until_active", True)) and olds.get("snapshot_status") != "active"
    return outputs, wait


def resume_wait(
    client: NodeClient,
    snapshot_id: str,
    outputs: Mapping[str, Any],
    news: Mapping[str, Any],
    *,
    client_ip_address: str | None,
    intervals: Iterator[float],
    time_limit: float = 0.0,
) -> dict[str, Any]:
    """Wait (blocking this thread) for an existing snapshot that `snapshot_update` says to wait
    for, up to the new ``wait_timeout`` (or ``time_limit`` when shorter); its new outputs."""
    details = wait_until_active(
        client,
        snapshot_id,
        outputs.get("snapshot_status"),
        _resume_deadline(news, time_limit),
        client_ip_address=client_ip_address,
        intervals=intervals,
    )
    return waited_outputs(outputs, news, details)


async def resume_wait_async(
    client: NodeClient,
    snapshot_id: str,
    outputs: Mapping[str, Any],
    news: Mapping[str, Any],
    *,
    client_ip_address: str | None,
    intervals: Iterator[float],
    time_limit: float = 0.0,
    on_status: SnapshotStatusCallback | None = None,
    cancelled: asyncio.Event | None = None,
) -> dict[str, Any]:
    """`resume_wait` as a coroutine that ends at once when ``cancelled`` is set."""
    deadline = _resume_deadline(news, time_limit)
    status = outputs.get("snapshot_status")
    details = await _await_active(
        client, snapshot_id, status, deadline, client_ip_address, intervals, on_status, cancelled
    )
    return waited_outputs(outputs, news, details)


def waited_outputs(
    outputs: Mapping[str, Any], inputs: Mapping[str, Any], details: Mapping[str, Any]
) -> dict[str, Any]:
    """A snapshot's outputs once waited for: the known ones, updated with what the API reported."""
    return {**outputs, **snapshot_outputs({**inputs, **outputs}, details)}


def _resume_deadline(news: Mapping[str, Any], time_limit: float) -> Deadline:
    deadline = create_deadline(
        True, float(news.get("wait_timeout", DEFAULT_WAIT_TIMEOUT)), time_limit
    )
    assert deadline is not None  # waiting always has one
    return deadline


async def _await_active(
    client: NodeClient,
    snapshot_id: str,
    status: str | None,
    deadline: Deadline,
    client_ip_address: str | None,
    intervals: Iterator[float],
    on_status: SnapshotStatusCallback | None,
    cancelled: asyncio.Event | None,
) -> dict[str, Any]:
    """`await_active` until the deadline, ended at once by ``cancelled``."""
    return await until_cancelled(
        await_active(
            client,
            snapshot_id,
            status,
            deadline,
            client_ip_address=client_ip_address,
            intervals=intervals,
            on_status=None if on_status is None else functools.partial(on_status, snapshot_id),
        ),
        cancelled,
        snapshot_id,
        status,
    )


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


def set_schedule(
    client: NodeClient, server_id: str, ages: Mapping[str, int | None]
) -> dict[str, Any]:
    """Set a server's automatic snapshot cycles; return what the API confirmed.

    ``ages`` maps ``daily`` / ``weekly`` / ``monthly`` to a maximum age (absent, None or 0: that
    cycle off). The answer has ``server_id`` and each cycle's confirmed age, or None when off.
    """
    params: dict[str, Any] = {}
    for cycle in SCHEDULE_CYCLES:
        age = ages.get(cycle)
        params[f"{cycle}_snapshot"] = "yes" if age else "no"
        if age:
            params[f"{cycle}_snapshot_max_age"] = age
    echoed = client.set_server_snapshot_schedule(server_id, **params)
    confirmed: dict[str, Any] = {"server_id": echoed.get("server_id") or server_id}
    for cycle in SCHEDULE_CYCLES:
        on = echoed.get(f"{cycle}_snapshot") == "yes"
        age = echoed.get(f"{cycle}_snapshot_max_age")
        confirmed[cycle] = int(age) if on and age else None
    return confirmed


def clear_schedule(client: NodeClient, server_id: str) -> None:
    """Turn every cycle of a server off; a server the API says is gone (`gone.is_gone`) has none
    left."""
    try:
        set_schedule(client, server_id, {})
    except NodeApiError as exc:
        if not is_gone(exc):
            raise


def list_snapshots(
    client: NodeClient,
    *,
    client_ip_address: str | None,
    server_id: str | None,
    status: str,
    cycle: str,
) -> list[dict[str, Any]]:
    """Every snapshot matching the filters (all pages of get_snapshot_list)."""
    return list(
        client.get_snapshot_list(
            client_ip_address=listing_ip_address(client_ip_address),
            server_id=server_id,
            snapshot_status=status,
            snapshot_cycle=cycle,
        )
    )


def listing_ip_address(client_ip_address: str | None) -> str:
    """The client IP address that get_snapshot_list requires; `NodeConfigError` when unset."""
    if not client_ip_address:
        raise NodeConfigError(
            f"get_snapshots needs a client IP address: set {CLIENT_IP_ADDRESS.describe()} "
            "(the API requires it for get_snapshot_list)"
        )
    return client_ip_address


def snapshot_outputs(props: Mapping[str, Any], details: Mapping[str, Any]) -> dict[str, Any]:
    """A snapshot resource's outputs (snake_case): its inputs, and what the API reported of it."""
    outs: dict[str, Any] = {
        "server_id": details.get("server_id") or props.get("server_id"),
        "wait_until_active": props.get("wait_until_active", True),
        "wait_timeout": props.get("wait_timeout", DEFAULT_WAIT_TIMEOUT),
        "snapshot_id": details.get("snapshot_id"),
        "snapshot_status": details.get("snapshot_status"),
        "snapshot_name": details.get("snapshot_name"),
        "snapshot_size": details.get("snapshot_size"),
        "created_at": details.get("snapshot_add_time"),
    }
    if props.get("triggers") is not None:
        outs["triggers"] = props["triggers"]
    return {k: v for k, v in outs.items() if v is not None}
