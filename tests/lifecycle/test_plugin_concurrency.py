"""Many snapshots waiting at once through the plugin: its waits are coroutines, so they do not
queue behind a thread pool (the dynamic door's waits hold one of the 4 threads of Pulumi's dynamic
provider server each: that limit is Pulumi's, and bench/ measures what it costs).

Overlap is read from the sandbox's call log, which lists calls in the order they were answered:
a snapshot's wait runs from the answer to its create_snapshot to the answer to its last
get_snapshot_detail. When snapshot B's create is answered between those two answers of A, both
waits were in flight at that moment; no clock of the test's is involved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from node_pulumi.sandbox import Call, Sandbox

from ..clock import StillClock
from ..conftest import API_KEY, USER_ID
from .background import kill_up, start_up, wait_for
from .conftest import configure_for
from .door import PLUGIN
from .stack import Stack

COUNT = 20
SERVERS = tuple(f"srv-{i:02d}" for i in range(COUNT))
PARALLEL = "--parallel=64"  # the engine's own default here is 4 x cores (8 on 2 cores)

MakeStack = Callable[[Path, str], Stack]


def polled(sandbox: Sandbox) -> set[str]:
    """The snapshots whose status was read at least once."""
    return {c.params["snapshot_id"] for c in sandbox.calls("get_snapshot_detail")}


def most_waits_at_once(calls: list[Call], snapshot_of_server: dict[str, str]) -> int:
    """The most waits in flight at one point of the call log (see the module's docstring).

    A snapshot's wait spans from its create_snapshot to its last get_snapshot_detail in the log;
    a snapshot never polled is not counted.
    """
    start: dict[str, int] = {}
    end: dict[str, int] = {}
    for index, call in enumerate(calls):
        if call.function == "create_snapshot" and call.code == "OK":
            start[snapshot_of_server[call.params["server_id"]]] = index
        elif call.function == "get_snapshot_detail":
            end[call.params["snapshot_id"]] = index
    spans = [(start[s], end[s]) for s in end if s in start]
    return max(sum(1 for a, b in spans if a <= point <= b) for point, _ in spans)


@pytest.fixture
def frozen_sandbox() -> Iterator[tuple[Sandbox, StillClock]]:
    """A sandbox knowing srv-00..srv-19 whose snapshots stay `processing` until the clock moves."""
    clock = StillClock()
    with Sandbox(USER_ID, API_KEY, processing_seconds=60, clock=clock, servers=SERVERS) as server:
        yield server, clock


@pytest.mark.serial  # twenty waits at once
def test_twenty_plugin_snapshots_all_wait_together(
    make_stack: MakeStack, frozen_sandbox: tuple[Sandbox, StillClock], tmp_path: Path
) -> None:
    """An `up` of 20 waiting snapshots: with the sandbox's clock stopped no wait can end, yet
    every snapshot gets created and polled, so all 20 waits are in flight at once. Once the clock
    moves, the up ends with all 20 active, and the log shows 20 overlapping waits."""
    sandbox, clock = frozen_sandbox
    stack = configure_for(
        PLUGIN.new_stack(make_stack(PLUGIN.many, "many")), sandbox, **{"test:wait": "true"}
    )
    log = tmp_path / "up.log"
    up = start_up(stack, log, PARALLEL)
    try:
        wait_for(
            lambda: len(polled(sandbox)) == COUNT or up.poll() is not None,
            "every snapshot polled",
            timeout=180,
        )
        assert up.poll() is None, log.read_text()
        assert len(sandbox.snapshots()) == COUNT
        clock.now += 120
        assert up.wait(timeout=180) == 0, log.read_text()
    finally:
        kill_up(up)

    snapshots = sandbox.snapshots()
    in_state = {r["id"]: r["outputs"]["snapshotStatus"] for r in PLUGIN.snapshots(stack)}
    assert in_state == {s["snapshot_id"]: "active" for s in snapshots}
    assert len(sandbox.calls("create_snapshot")) == COUNT
    by_server = {s["server_id"]: s["snapshot_id"] for s in snapshots}
    at_once = most_waits_at_once(sandbox.calls(), by_server)
    print(f"\nplugin: {at_once} of {COUNT} waits in flight at once")
    assert at_once == COUNT
    assert API_KEY not in log.read_text()
