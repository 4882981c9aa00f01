"""Waiting for a snapshot to become ``active``: the poll schedule and the wait rule, written once.

`poll_intervals` and `next_poll` are the poll schedule and its deadline for every wait of the
package (a restore's wait for its server too, in `restore`). `WaitRule` decides (without IO) how
long to sleep before each snapshot status poll and what each answer means; two drivers run it:
`wait_until_active` blocks its thread (the dynamic provider, the hook), `await_active` sleeps as
a coroutine, so many waits share one event loop and a few threads.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, TypeVar

from .._api.errors import (
    NodeError,
    SnapshotFailedError,
    SnapshotTimeoutError,
    SnapshotWaitCancelled,
    SnapshotWaitError,
)
from .._api.transport import NodeClient

T = TypeVar("T")

POLL_INTERVAL, POLL_GROWTH, POLL_MAX_INTERVAL = 1.0, 0.25, 60.0

StatusCallback = Callable[[str | None], None]


def poll_intervals(
    first: float = POLL_INTERVAL, growth: float = POLL_GROWTH, largest: float = POLL_MAX_INTERVAL
) -> Iterator[float]:
    """Waits between status polls: ``first``, then ``growth`` times the time waited so far.

    A snapshot is seen active at most a quarter of its processing time (or a second) late, and
    one that takes an hour costs about 80 polls, not 3600.
    """
    waited = 0.0
    while True:
        wait = min(max(first, waited * growth), largest)
        waited += wait
        yield wait


@dataclass(frozen=True)
class Deadline:
    """When an operation must be over: ``at`` is a `time.monotonic` value, ``seconds`` the time
    it stands for (what a timeout error shows)."""

    at: float
    seconds: float

    @classmethod
    def within(cls, seconds: float) -> Deadline:
        """The deadline ``seconds`` from now."""
        return cls(time.monotonic() + seconds, seconds)

    @classmethod
    def of(cls, *limits: float | None) -> Deadline | None:
        """The deadline of the shortest of ``limits`` (seconds from now; None or 0 for no limit),
        or None when there is none. Made *before* an operation starts, so it bounds all of it."""
        finite = [limit for limit in limits if limit and limit > 0 and math.isfinite(limit)]
        return cls.within(min(finite)) if finite else None

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.at - time.monotonic()


def next_poll(deadline: float, intervals: Iterator[float]) -> float | None:
    """Seconds to sleep before the next poll, never past ``deadline`` (a `time.monotonic`
    value); None when the deadline has passed or the schedule has ended."""
    remaining = deadline - time.monotonic()
    interval = next(intervals, None)
    if remaining <= 0 or interval is None:
        return None
    return min(interval, remaining)


class WaitRule:
    """The wait for one snapshot, without IO: when to poll, and what each status answer means.

    ``status`` is the last status known (the create's answer); ``deadline`` is a `Deadline`, or
    a `time.monotonic` value; ``timeout`` is the seconds the deadline stands for, as the timeout
    error shows them (default: a `Deadline`'s, or the time left when the rule is made).
    """

    def __init__(
        self,
        snapshot_id: str,
        status: str | None,
        *,
        deadline: Deadline | float,
        intervals: Iterator[float],
        timeout: float | None = None,
    ) -> None:
        if isinstance(deadline, Deadline):
            timeout = deadline.seconds if timeout is None else timeout
            deadline = deadline.at
        self.snapshot_id = snapshot_id
        self.status = status
        self.deadline = deadline
        self.timeout = deadline - time.monotonic() if timeout is None else timeout
        self._intervals = intervals

    def next_sleep(self) -> float:
        """Seconds to sleep before the next poll; raises the timeout error when none is left."""
        sleep = next_poll(self.deadline, self._intervals)
        if sleep is None:
            raise SnapshotTimeoutError(self.snapshot_id, self.status, self.timeout)
        return sleep

    def poll_failed(self, exc: NodeError) -> SnapshotWaitError:
        """The error to raise (from ``exc``) when a status call fails: the snapshot exists."""
        return SnapshotWaitError(
            self.snapshot_id,
            self.status,
            f"snapshot {self.snapshot_id} was created, but reading its status failed: {exc}; "
            "it exists outside Pulumi's state: adopt it with Snapshot.get or delete it",
        )

    def answer(self, details: dict[str, Any]) -> dict[str, Any] | None:
        """Take a status answer: its details once ``active``, None to poll again; raises
        `SnapshotFailedError` for any status other than ``processing``."""
        self.status = details.get("snapshot_status")
        if self.status == "active":
            return details
        if self.status != "processing":
            raise SnapshotFailedError(self.snapshot_id, self.status)
        return None


def wait_until_active(
    client: NodeClient,
    snapshot_id: str,
    status: str | None,
    deadline: Deadline | float,
    *,
    client_ip_address: str | None,
    intervals: Iterator[float],
    on_status: StatusCallback | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Poll until the snapshot is active, sleeping in this thread; return its details.

    Raises `SnapshotTimeoutError`, `SnapshotFailedError` or `SnapshotWaitError`, each naming the
    snapshot. ``on_status`` gets the status after each poll.
    """
    rule = WaitRule(snapshot_id, status, deadline=deadline, intervals=intervals, timeout=timeout)
    while True:
        time.sleep(rule.next_sleep())
        try:
            details = client.get_snapshot_detail(snapshot_id, client_ip_address)
        except NodeError as exc:
            raise rule.poll_failed(exc) from exc
        if on_status is not None:
            on_status(details.get("snapshot_status"))
        done = rule.answer(details)
        if done is not None:
            return done


async def until_cancelled(
    waiting: Awaitable[T], cancelled: asyncio.Event | None, snapshot_id: str, status: str | None
) -> T:
    """Await ``waiting`` unless ``cancelled`` is (or becomes) set first: then stop it at once and
    raise `SnapshotWaitCancelled` (the snapshot exists). A wait that starts after the event was
    set ends at once: this is how the plugin's ``Cancel`` ends every wait, then and later."""
    task = asyncio.ensure_future(waiting)
    if cancelled is None:
        return await task
    stop = asyncio.ensure_future(cancelled.wait())
    try:
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
        if not task.done():  # cancelled by the event, or the caller itself was cancelled
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    if not task.cancelled():
        return task.result()
    raise SnapshotWaitCancelled(snapshot_id, status)


async def await_active(
    client: NodeClient,
    snapshot_id: str,
    status: str | None,
    deadline: Deadline | float,
    *,
    client_ip_address: str | None,
    intervals: Iterator[float],
    on_status: StatusCallback | None = None,
    timeout: float | None = None,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """`wait_until_active` as a coroutine: it sleeps on the event loop and holds no thread.

    Each status call runs on ``executor`` (default: `asyncio.to_thread`). Cancelling the task
    raises `asyncio.CancelledError` at once, also during a status call (whose thread finishes that
    one request), and no further call is made; the caller decides what to report.
    """
    rule = WaitRule(snapshot_id, status, deadline=deadline, intervals=intervals, timeout=timeout)
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(rule.next_sleep())
        try:
            if executor is None:
                details = await asyncio.to_thread(
                    client.get_snapshot_detail, snapshot_id, client_ip_address
                )
            else:
                details = await loop.run_in_executor(
                    executor, client.get_snapshot_detail, snapshot_id, client_ip_address
                )
        except NodeError as exc:
            raise rule.poll_failed(exc) from exc
        if on_status is not None:
            on_status(details.get("snapshot_status"))
        done = rule.answer(details)
        if done is not None:
            return done
