"""The core's create and update, as both doors call them: the deadline is made before the create
and bounds its request too; the update rule; a wait that the engine's Cancel ends. Against the
sandbox over real HTTP, with a still clock (a snapshot stays `processing`)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from node_pulumi import NodeClient, NodeTransportError, SnapshotUncertainError
from node_pulumi._api.errors import SnapshotWaitCancelled
from node_pulumi._core.drivers import (
    Polling,
    create_deadline,
    snapshot_update,
    take_snapshot_async,
)
from node_pulumi._core.snapshots import start_snapshot
from node_pulumi._core.waiting import Deadline
from node_pulumi.sandbox import Sandbox

from .clock import StillClock
from .conftest import API_KEY, USER_ID

IP = "203.0.113.7"


@pytest.fixture
def still() -> Iterator[Sandbox]:
    with Sandbox(USER_ID, API_KEY, processing_seconds=60, clock=StillClock()) as server:
        yield server


@pytest.fixture
def node(still: Sandbox) -> Iterator[NodeClient]:
    with NodeClient(USER_ID, API_KEY, endpoint=still.url, backoff=0) as client:
        yield client


@pytest.mark.parametrize(
    ("wait", "wait_timeout", "time_limit", "seconds"),
    [
        (False, 1800.0, 0.0, None),  # nothing to bound: the client's own timeout applies
        (True, 1800.0, 0.0, 1800.0),
        (True, 1800.0, 60.0, 60.0),  # customTimeouts shorter than waitTimeout
        (True, 30.0, 60.0, 30.0),
        (False, 1800.0, 5.0, 5.0),  # customTimeouts bound a create that does not wait
    ],
)
def test_the_create_deadline_is_the_shortest_limit(
    wait: bool, wait_timeout: float, time_limit: float, seconds: float | None
) -> None:
    deadline = create_deadline(wait, wait_timeout, time_limit)
    assert (deadline and deadline.seconds) == seconds


def test_a_create_slower_than_its_deadline_is_a_lost_answer_and_is_looked_up(
    node: NodeClient, still: Sandbox
) -> None:
    still.set_fault("create_snapshot", latency=3.0, after=True, times=1)
    lines: list[str] = []
    with pytest.raises(SnapshotUncertainError) as raised:
        start_snapshot(
            node, "12345", client_ip_address=IP, notify=lines.append, deadline=Deadline.within(0.5)
        )
    (snapshot,) = still.snapshots()
    assert raised.value.candidates == [snapshot["snapshot_id"]]
    cause = raised.value.__cause__
    assert isinstance(cause, NodeTransportError) and "no answer in time" in cause.reason
    assert "got no usable answer" in lines[0]


def test_a_create_whose_deadline_has_passed_is_not_sent(node: NodeClient, still: Sandbox) -> None:
    with pytest.raises(NodeTransportError) as raised:
        start_snapshot(
            node, "12345", client_ip_address=IP, notify=print, deadline=Deadline(0.0, 5.0)
        )
    assert raised.value.may_have_reached_server is False
    assert "deadline of 5s had passed" in str(raised.value)
    assert still.calls() == []


def test_a_time_limit_alone_bounds_the_create_and_does_not_make_it_wait(
    node: NodeClient, still: Sandbox
) -> None:
    """``customTimeouts`` on a snapshot that does not wait: the create answers ``processing``
    with no status poll (the snapshot stays processing in the still sandbox)."""
    polling = Polling(node, IP, itertools.repeat(0.01), print, time_limit=5.0)
    created = asyncio.run(take_snapshot_async(polling, "12345", wait=False, timeout=1800))
    assert created["snapshot_status"] == "processing"
    assert [c.function for c in still.calls()] == ["create_snapshot"]


def test_a_wait_cancelled_by_the_engine_names_the_snapshot_and_ends_at_once(
    node: NodeClient, still: Sandbox
) -> None:
    async def scenario() -> None:
        cancelled = asyncio.Event()
        cancelled.set()  # Cancel came while the create was out: the wait must not start
        await take_snapshot_async(
            Polling(node, IP, itertools.repeat(0.01), print),
            "12345",
            wait=True,
            timeout=600,
            cancelled=cancelled,
        )

    with pytest.raises(SnapshotWaitCancelled) as raised:
        asyncio.run(scenario())
    (snapshot,) = still.snapshots()
    assert raised.value.snapshot_id == snapshot["snapshot_id"]
    assert raised.value.status == "processing"
    assert [c.function for c in still.calls()] == ["create_snapshot"]


OUTPUTS: dict[str, Any] = {
    "server_id": "12345",
    "snapshot_id": "s1",
    "snapshot_status": "processing",
    "wait_until_active": False,
    "wait_timeout": 1800,
}


@pytest.mark.parametrize(
    ("status", "news", "waits"),
    [
        ("processing", {"wait_until_active": True}, True),
        ("processing", {}, True),  # waiting is the default
        ("processing", {"wait_until_active": False, "wait_timeout": 60}, False),
        ("active", {"wait_until_active": True}, False),
        ("failed", {"wait_until_active": True}, True),
    ],
)
def test_the_update_rule_keeps_the_outputs_takes_the_settings_and_says_when_to_wait(
    status: str, news: dict[str, Any], waits: bool
) -> None:
    olds = {**OUTPUTS, "snapshot_status": status}
    outputs, wait = snapshot_update(olds, {"server_id": "12345", **news})
    assert wait is waits
    assert {k: outputs[k] for k in ("server_id", "snapshot_id", "snapshot_status")} == {
        "server_id": "12345",
        "snapshot_id": "s1",
        "snapshot_status": status,
    }
    for key in ("wait_until_active", "wait_timeout"):
        assert outputs.get(key) == news.get(key)
