"""The wait rule and its two drivers, against the sandbox over real HTTP.

The sandbox's clock (the `clock` fixture) stands still until the test moves it, so a snapshot
turns active exactly when the test says; status polls are milliseconds apart.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import pytest

from node_pulumi import (
    NodeApiError,
    NodeClient,
    SnapshotFailedError,
    SnapshotTimeoutError,
    SnapshotWaitError,
)
from node_pulumi._core.waiting import await_active, poll_intervals, wait_until_active
from node_pulumi.sandbox import Sandbox

from .clock import StillClock
from .conftest import API_KEY, USER_ID

PROCESSING_SECONDS = 100.0
pytestmark = pytest.mark.sandbox(processing_seconds=PROCESSING_SECONDS)


@pytest.fixture
def node(sandbox: Sandbox) -> Iterator[NodeClient]:
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url, backoff=0) as client:
        yield client


class Wait(Protocol):
    def __call__(
        self,
        client: NodeClient,
        snapshot_id: str,
        *,
        deadline: float | None = None,
        intervals: Iterator[float] | None = None,
        on_status: Callable[[str | None], None] | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]: ...


def _sync(
    client: NodeClient,
    snapshot_id: str,
    *,
    deadline: float | None = None,
    intervals: Iterator[float] | None = None,
    on_status: Callable[[str | None], None] | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    return wait_until_active(
        client,
        snapshot_id,
        "processing",
        deadline=time.monotonic() + 30 if deadline is None else deadline,
        client_ip_address=None,
        intervals=itertools.repeat(0.001) if intervals is None else intervals,
        on_status=on_status,
        timeout=timeout,
    )


def _async(
    client: NodeClient,
    snapshot_id: str,
    *,
    deadline: float | None = None,
    intervals: Iterator[float] | None = None,
    on_status: Callable[[str | None], None] | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    return asyncio.run(
        await_active(
            client,
            snapshot_id,
            "processing",
            deadline=time.monotonic() + 30 if deadline is None else deadline,
            client_ip_address=None,
            intervals=itertools.repeat(0.001) if intervals is None else intervals,
            on_status=on_status,
            timeout=timeout,
        )
    )


@pytest.fixture(params=[_sync, _async], ids=["wait_until_active", "await_active"])
def wait(request: pytest.FixtureRequest) -> Wait:
    driver: Wait = request.param
    return driver


def _start(client: NodeClient, server_id: str = "12345") -> str:
    return str(client.create_snapshot(server_id)["snapshot_id"])


# both drivers ------------------------------------------------------------------------------------


def test_waits_until_active_and_reports_each_polled_status(
    wait: Wait, node: NodeClient, sandbox: Sandbox, clock: StillClock
) -> None:
    """The snapshot turns active after the second poll: three polls, each status reported."""
    snapshot_id = _start(node)
    statuses: list[str | None] = []

    def on_status(status: str | None) -> None:
        statuses.append(status)
        if len(statuses) == 2:
            clock.now += PROCESSING_SECONDS  # past every snapshot's processing

    details = wait(node, snapshot_id, on_status=on_status)
    assert details["snapshot_id"] == snapshot_id
    assert details["snapshot_status"] == "active"
    assert statuses == ["processing", "processing", "active"]
    assert len(sandbox.calls("get_snapshot_detail")) == 3


def test_a_passed_deadline_raises_a_timeout_naming_the_snapshot_without_a_call(
    wait: Wait, node: NodeClient, sandbox: Sandbox
) -> None:
    snapshot_id = _start(node)
    with pytest.raises(SnapshotTimeoutError) as raised:
        wait(node, snapshot_id, deadline=time.monotonic() - 1, timeout=5)
    assert raised.value.snapshot_id == snapshot_id
    assert raised.value.status == "processing"
    assert f"snapshot {snapshot_id} was created but is still processing after 5s" in str(
        raised.value
    )
    assert sandbox.calls("get_snapshot_detail") == []


def test_the_deadline_ends_a_wait_that_is_polling(
    wait: Wait, node: NodeClient, sandbox: Sandbox
) -> None:
    """A snapshot that never turns active: polls happen, then the deadline stops them."""
    snapshot_id = _start(node)
    with pytest.raises(SnapshotTimeoutError) as raised:
        wait(node, snapshot_id, deadline=time.monotonic() + 0.2, timeout=0.2)
    assert raised.value.snapshot_id == snapshot_id
    assert raised.value.timeout == 0.2
    assert "still processing after 0.2s" in str(raised.value)
    assert sandbox.calls("get_snapshot_detail"), "it polled before the deadline"


def test_running_out_of_intervals_is_a_timeout(
    wait: Wait, node: NodeClient, sandbox: Sandbox
) -> None:
    snapshot_id = _start(node)
    with pytest.raises(SnapshotTimeoutError):
        wait(node, snapshot_id, intervals=iter([0.001, 0.001]), timeout=30)
    assert len(sandbox.calls("get_snapshot_detail")) == 2


def test_a_status_other_than_processing_or_active_fails_the_wait(
    wait: Wait, node: NodeClient, sandbox: Sandbox
) -> None:
    snapshot_id = _start(node)
    statuses: list[str | None] = []

    def on_status(status: str | None) -> None:
        statuses.append(status)
        sandbox.delete_snapshot_behind_back(snapshot_id)

    with pytest.raises(SnapshotFailedError) as raised:
        wait(node, snapshot_id, on_status=on_status)
    assert raised.value.snapshot_id == snapshot_id
    assert raised.value.status == "deleted"
    assert str(raised.value) == (
        f"snapshot {snapshot_id} was created but became 'deleted' instead of 'active'"
    )
    assert statuses == ["processing", "deleted"]


@pytest.mark.parametrize(
    ("fault", "cause"),
    [
        ({"error": ("E_BUSY", "Try later.")}, "node.co.id get_snapshot_detail failed with E_BUSY"),
        ({"http_status": 502}, "node.co.id get_snapshot_detail: HTTP 502"),
    ],
)
def test_a_failing_status_call_ends_the_wait_naming_the_snapshot(
    wait: Wait, node: NodeClient, sandbox: Sandbox, fault: dict[str, Any], cause: str
) -> None:
    snapshot_id = _start(node)
    sandbox.set_fault("get_snapshot_detail", **fault)
    statuses: list[str | None] = []
    with pytest.raises(SnapshotWaitError) as raised:
        wait(node, snapshot_id, on_status=statuses.append)
    error = raised.value
    assert type(error) is SnapshotWaitError
    assert (error.snapshot_id, error.status) == (snapshot_id, "processing")
    assert str(error).startswith(
        f"snapshot {snapshot_id} was created, but reading its status failed: {cause}"
    )
    assert str(error).endswith("adopt it with Snapshot.get or delete it")
    assert API_KEY not in str(error)
    assert statuses == []


def test_a_refused_status_call_keeps_the_api_error_as_cause(
    wait: Wait, node: NodeClient, sandbox: Sandbox
) -> None:
    snapshot_id = _start(node)
    sandbox.set_fault("get_snapshot_detail", error=("INVALID_CHECKSUM", "Bad checksum."))
    with pytest.raises(SnapshotWaitError) as raised:
        wait(node, snapshot_id)
    assert isinstance(raised.value.__cause__, NodeApiError)
    assert raised.value.__cause__.code == "INVALID_CHECKSUM"
    assert len(sandbox.calls("get_snapshot_detail")) == 1


def test_poll_intervals_grow_with_the_time_waited_up_to_the_largest() -> None:
    assert list(itertools.islice(poll_intervals(1.0, 0.25, 3.0), 9)) == [
        1.0,
        1.0,
        1.0,
        1.0,
        1.0,
        1.25,
        1.5625,
        1.953125,
        2.44140625,
    ]
    assert list(itertools.islice(poll_intervals(1.0, 0.5, 2.0), 6))[-1] == 2.0


# the async driver --------------------------------------------------------------------------------


class SignallingExecutor(ThreadPoolExecutor):
    """A thread pool that counts the calls handed to it and tells the event loop of each."""

    def __init__(self, handed: asyncio.Event, workers: int = 1) -> None:
        super().__init__(max_workers=workers)
        self.handed = handed
        self.submitted = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        self.submitted += 1
        self.handed.set()
        return super().submit(fn, *args, **kwargs)


def test_cancelling_a_sleeping_wait_ends_it_at_once_with_no_further_call(
    node: NodeClient, sandbox: Sandbox
) -> None:
    """The wait polls once, then sleeps on the loop until its deadline (a sleep that would
    block the loop ends before the test runs again): cancelling ends it within one loop step.
    The deadline is near so that a broken driver fails the test instead of hanging."""
    snapshot_id = _start(node)

    async def scenario() -> None:
        polled = asyncio.Event()
        with SignallingExecutor(asyncio.Event()) as executor:
            task = asyncio.create_task(
                await_active(
                    node,
                    snapshot_id,
                    "processing",
                    deadline=time.monotonic() + 5,
                    client_ip_address=None,
                    intervals=itertools.chain([0.001], itertools.repeat(3600.0)),
                    on_status=lambda _status: polled.set(),
                    executor=executor,
                )
            )
            await asyncio.wait(
                {task, asyncio.create_task(polled.wait())}, return_when=asyncio.FIRST_COMPLETED
            )
            assert polled.is_set(), "the first poll was answered"
            await asyncio.sleep(0)  # let the task reach its long sleep
            assert executor.submitted == 1, "the task is asleep, not polling again"
            task.cancel()
            await asyncio.sleep(0)
            assert task.cancelled()
        assert executor.submitted == 1

    asyncio.run(scenario())
    assert len(sandbox.calls("get_snapshot_detail")) == 1


def test_cancelling_during_a_status_call_ends_the_wait_before_the_answer(
    node: NodeClient, sandbox: Sandbox
) -> None:
    """The status call is answered only after 0.5 s; the wait is cancelled while it is out.
    The task ends at once; the thread finishes that one request and nothing more is sent."""
    snapshot_id = _start(node)
    sandbox.set_fault("get_snapshot_detail", latency=0.5)

    async def scenario() -> None:
        handed = asyncio.Event()
        with SignallingExecutor(handed) as executor:
            task = asyncio.create_task(
                await_active(
                    node,
                    snapshot_id,
                    "processing",
                    deadline=time.monotonic() + 5,
                    client_ip_address=None,
                    intervals=itertools.repeat(0.001),
                    executor=executor,
                )
            )
            await asyncio.wait(
                {task, asyncio.create_task(handed.wait())}, return_when=asyncio.FIRST_COMPLETED
            )
            assert handed.is_set(), "the status call went to the executor"
            task.cancel()
            await asyncio.sleep(0)
            assert task.cancelled()
            assert sandbox.calls("get_snapshot_detail") == [], "the call was still out"
        # leaving the block waited for the pool's thread to finish its request

    asyncio.run(scenario())
    assert len(sandbox.calls("get_snapshot_detail")) == 1


def test_fifty_waits_share_one_loop_and_two_threads(
    node: NodeClient, sandbox: Sandbox, clock: StillClock
) -> None:
    """No snapshot can turn active until all 50 have been polled once, so all 50 waits are in
    progress together although only two threads make the status calls."""
    snapshot_ids = [_start(node, server) for server in ["1", "2", "3", "12", "42"] * 10]
    polled: set[str] = set()
    loop_threads: set[int] = set()

    def on_status_of(snapshot_id: str) -> Callable[[str | None], None]:
        def on_status(status: str | None) -> None:
            loop_threads.add(threading.get_ident())
            if status == "processing":
                polled.add(snapshot_id)
                if len(polled) == len(snapshot_ids):
                    clock.now += PROCESSING_SECONDS  # past every snapshot's processing

        return on_status

    async def scenario() -> list[dict[str, Any]]:
        deadline = time.monotonic() + 20  # one for all: a broken driver fails, not hangs
        with ThreadPoolExecutor(max_workers=2) as executor:
            return await asyncio.gather(
                *(
                    await_active(
                        node,
                        snapshot_id,
                        "processing",
                        deadline=deadline,
                        client_ip_address=None,
                        intervals=itertools.repeat(0.01),
                        on_status=on_status_of(snapshot_id),
                        executor=executor,
                    )
                    for snapshot_id in snapshot_ids
                )
            )

    results = asyncio.run(scenario())
    assert [r["snapshot_id"] for r in results] == snapshot_ids
    assert {r["snapshot_status"] for r in results} == {"active"}
    assert len(loop_threads) == 1, "every wait ran on the one event-loop thread"
    polls = sandbox.calls("get_snapshot_detail")
    assert len(polls) >= 2 * len(snapshot_ids), "each wait polled before and after the step"
