"""`take_snapshot` names each snapshot the moment the API answers, before any waiting.

An interrupted `up` never shows the provider's errors, so the line given to ``notify`` is the
only trace of a snapshot taken by a create that is then killed while it waits.
"""

from __future__ import annotations

import pytest

from node_pulumi import NodeClient, SnapshotTimeoutError, SnapshotUncertainError
from node_pulumi._core.drivers import Polling, take_snapshot
from node_pulumi.sandbox import Sandbox

from .conftest import API_KEY, USER_ID


def _client(sandbox: Sandbox) -> NodeClient:
    return NodeClient(USER_ID, API_KEY, endpoint=sandbox.url, backoff=0)


def test_the_snapshot_is_named_before_the_first_status_poll(held_sandbox: Sandbox) -> None:
    """The line names the snapshot and its server when it exists and nothing was polled yet;
    the wait then times out as usual."""
    seen: list[tuple[str, list[str], int]] = []

    def notify(line: str) -> None:
        functions = [c.function for c in held_sandbox.calls()]
        seen.append((line, functions, len(held_sandbox.snapshots())))

    with _client(held_sandbox) as client, pytest.raises(SnapshotTimeoutError) as raised:
        take_snapshot(
            Polling(client, None, iter([0.05] * 100), notify),
            "12345",
            wait=True,
            timeout=0.2,
        )
    snapshot_id = raised.value.snapshot_id
    assert seen == [
        (
            f"node: snapshot {snapshot_id} of server 12345 created; waiting for it to become "
            "active",
            ["create_snapshot"],
            1,
        )
    ]
    assert held_sandbox.calls("get_snapshot_detail"), "it did wait after the line"


def test_without_waiting_the_snapshot_is_named_too(held_sandbox: Sandbox) -> None:
    lines: list[str] = []
    with _client(held_sandbox) as client:
        created = take_snapshot(
            Polling(client, None, iter([]), lines.append),
            "42",
            wait=False,
            timeout=1800,
        )
    assert lines == [f"node: snapshot {created['snapshot_id']} of server 42 created"]


def test_a_lost_answer_is_announced_before_the_look_up(held_sandbox: Sandbox) -> None:
    """When the create's answer is lost, the line says a snapshot may exist before the provider
    starts looking for it (a look-up that an interruption could cut short)."""
    held_sandbox.set_fault("create_snapshot", http_status=503, after=True, times=1)
    seen: list[tuple[str, list[str]]] = []

    def notify(line: str) -> None:
        seen.append((line, [c.function for c in held_sandbox.calls()]))

    with _client(held_sandbox) as client, pytest.raises(SnapshotUncertainError):
        take_snapshot(
            Polling(client, "127.0.0.1", iter([]), notify),
            "777",
            wait=True,
            timeout=1800,
        )
    ((line, functions),) = seen
    assert line.startswith("node: create_snapshot of server 777 got no usable answer (")
    assert "HTTP 503" in line and line.endswith("a snapshot may have been started: looking for it")
    assert API_KEY not in line
    assert functions == ["create_snapshot"]
    assert [c.function for c in held_sandbox.calls()] == ["create_snapshot", "get_snapshot_list"]
