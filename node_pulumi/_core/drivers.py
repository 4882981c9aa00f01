"""The two drivers of a snapshot's create and wait, over one set of decisions.

`take_snapshot` and `resume_wait` block their thread (the dynamic provider); their ``_async``
twins are coroutines that sleep on the event loop and run each API call on a worker thread (the
plugin, the hook), and end at once when ``cancelled`` is set. Both take the same settings object
(`Polling`) and run the same decisions, made before anything is sent: `create_deadline`,
`created_wait` (a wait only when asked for), `snapshot_update` and `resumed_wait`. Only how they
sleep differs.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .._api.transport import NodeClient
from .inputs import DEFAULT_WAIT_TIMEOUT, LOCAL_INPUTS
from .outputs import waited_outputs
from .snapshots import start_snapshot
from .waiting import Deadline, await_active, until_cancelled, wait_until_active

T = TypeVar("T")

SnapshotStatusCallback = Callable[[str, str | None], None]
"""Told a waited-for snapshot's id and status after each status poll."""


@dataclass(frozen=True)
class Polling:
    """What one operation's create and waits share, whichever driver runs them: the client,
    the address for status calls, the poll schedule, the line naming a snapshot once it exists,
    the operation's time limit (the plugin's ``customTimeouts``; 0 for none), and who is told
    each status."""

    client: NodeClient
    client_ip_address: str | None
    intervals: Iterator[float]
    notify: Callable[[str], None]
    time_limit: float = 0.0
    on_status: SnapshotStatusCallback | None = None

    def start(self, server_id: str, wait: bool, deadline: Deadline | None) -> dict[str, Any]:
        """`start_snapshot` with these settings."""
        return start_snapshot(
            self.client,
            server_id,
            client_ip_address=self.client_ip_address,
            notify=self.notify,
            waiting=wait,
            deadline=deadline,
        )


@dataclass(frozen=True)
class Wait:
    """One wait, decided before it starts: the snapshot, its last status, the deadline."""

    snapshot_id: str
    status: str | None
    deadline: Deadline


def create_deadline(wait: bool, wait_timeout: float, time_limit: float = 0.0) -> Deadline | None:
    """The deadline of a snapshot's create, made before create_snapshot is sent so that it bounds
    the whole create, the request included: ``wait_timeout`` when waiting, and ``time_limit``
    (the plugin's ``customTimeouts``; 0 for none) when set and shorter. None: no deadline."""
    return Deadline.of(wait_timeout if wait else None, time_limit)


def created_wait(created: Mapping[str, Any], wait: bool, deadline: Deadline | None) -> Wait | None:
    """The wait after a create: only when asked to wait (a time limit alone bounds the create
    request, and then the snapshot is left ``processing``, as without one)."""
    if not wait or deadline is None:
        return None
    return Wait(str(created["snapshot_id"]), created.get("snapshot_status"), deadline)


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


def resumed_wait(
    snapshot_id: str, outputs: Mapping[str, Any], news: Mapping[str, Any], time_limit: float
) -> Wait:
    """The wait for an existing snapshot that `snapshot_update` says to wait for: up to the new
    ``wait_timeout``, or ``time_limit`` when shorter."""
    wait_timeout = float(news.get("wait_timeout", DEFAULT_WAIT_TIMEOUT))
    deadline = create_deadline(True, wait_timeout, time_limit)
    assert deadline is not None  # waiting always has one
    return Wait(snapshot_id, outputs.get("snapshot_status"), deadline)


def take_snapshot(
    polling: Polling, server_id: str, *, wait: bool, timeout: float
) -> dict[str, Any]:
    """Start a snapshot and, with ``wait``, wait until it is active (blocking this thread).

    The deadline (`create_deadline`: ``timeout`` when waiting, the time limit when shorter)
    counts from before the create and bounds it too. Returns what the API reported of the
    snapshot; every error raised after it exists names it.
    """
    deadline = create_deadline(wait, timeout, polling.time_limit)
    created = polling.start(server_id, wait, deadline)
    pending = created_wait(created, wait, deadline)
    return created if pending is None else {**created, **_blocking(polling, pending)}


async def take_snapshot_async(
    polling: Polling,
    server_id: str,
    *,
    wait: bool,
    timeout: float,
    cancelled: asyncio.Event | None = None,
) -> dict[str, Any]:
    """`take_snapshot` as a coroutine (``notify`` is called from the worker thread that sends
    the create); a wait ends at once, with `SnapshotWaitCancelled`, when ``cancelled`` is set."""
    deadline = create_deadline(wait, timeout, polling.time_limit)
    created = await asyncio.to_thread(polling.start, server_id, wait, deadline)
    pending = created_wait(created, wait, deadline)
    if pending is None:
        return created
    return {**created, **await _on_the_loop(polling, pending, cancelled)}


def resume_wait(
    polling: Polling, snapshot_id: str, outputs: Mapping[str, Any], news: Mapping[str, Any]
) -> dict[str, Any]:
    """Wait (blocking this thread) for an existing snapshot (`resumed_wait`); its new
    outputs."""
    pending = resumed_wait(snapshot_id, outputs, news, polling.time_limit)
    return waited_outputs(outputs, news, _blocking(polling, pending))


async def resume_wait_async(
    polling: Polling,
    snapshot_id: str,
    outputs: Mapping[str, Any],
    news: Mapping[str, Any],
    *,
    cancelled: asyncio.Event | None = None,
) -> dict[str, Any]:
    """`resume_wait` as a coroutine that ends at once when ``cancelled`` is set."""
    pending = resumed_wait(snapshot_id, outputs, news, polling.time_limit)
    return waited_outputs(outputs, news, await _on_the_loop(polling, pending, cancelled))


def _driven(driver: Callable[..., T], polling: Polling, pending: Wait) -> T:
    """``driver`` (`wait_until_active` or `await_active`) on ``pending`` with these settings."""
    on_status = None
    if polling.on_status is not None:
        on_status = functools.partial(polling.on_status, pending.snapshot_id)
    return driver(
        polling.client,
        pending.snapshot_id,
        pending.status,
        pending.deadline,
        client_ip_address=polling.client_ip_address,
        intervals=polling.intervals,
        on_status=on_status,
    )


def _blocking(polling: Polling, pending: Wait) -> dict[str, Any]:
    return _driven(wait_until_active, polling, pending)


async def _on_the_loop(
    polling: Polling, pending: Wait, cancelled: asyncio.Event | None
) -> dict[str, Any]:
    waiting = _driven(await_active, polling, pending)
    return await until_cancelled(waiting, cancelled, pending.snapshot_id, pending.status)
