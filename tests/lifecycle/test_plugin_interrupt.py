"""One Ctrl-C to `pulumi up` while plugin snapshots wait: Cancel ends every wait at once.

The dynamic provider ignores Cancel, so there one Ctrl-C waits until every snapshot is active
(test_interrupt.py). The plugin answers each waiting Create with partial state instead: the CLI
ends with every snapshot that exists in state, marked with an init error, and the next `up`
resumes the waits without taking a new snapshot.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from node_pulumi.sandbox import Sandbox

from ..clock import StillClock
from ..conftest import API_KEY, USER_ID
from .conftest import configure_for
from .stack import NATIVE_SNAPSHOT_TYPE, Stack
from .test_faults import start_up, wait_for
from .test_plugin_concurrency import NATIVE_MANY, kill_up, polled, with_plugin

COUNT = 5
SERVERS = tuple(f"srv-{i:02d}" for i in range(COUNT))
EXIT_BOUND = 60.0
"""Seconds the CLI may take to exit after the Ctrl-C: generous, since without a working Cancel
it would never exit (the sandbox's clock is stopped, so no snapshot becomes active)."""

MakeStack = Callable[[Path, str], Stack]


@pytest.fixture
def clock() -> StillClock:
    return StillClock()


@pytest.fixture
def frozen_sandbox(clock: StillClock) -> Iterator[Sandbox]:
    """Snapshots stay `processing` until the test moves the clock."""
    with Sandbox(USER_ID, API_KEY, processing_seconds=60, clock=clock, servers=SERVERS) as server:
        yield server


def test_one_ctrl_c_saves_every_waiting_snapshot_as_partial_state(
    make_stack: MakeStack, frozen_sandbox: Sandbox, clock: StillClock, tmp_path: Path
) -> None:
    sandbox = frozen_sandbox
    stack = configure_for(with_plugin(make_stack(NATIVE_MANY, "many")), sandbox)
    stack.config("test:count", str(COUNT))
    log = tmp_path / "up.log"
    up = start_up(stack, log)
    try:
        wait_for(
            lambda: len(polled(sandbox)) == COUNT or up.poll() is not None,
            "every snapshot waiting",
            timeout=120,
        )
        assert up.poll() is None, log.read_text()
        os.killpg(up.pid, signal.SIGINT)  # a terminal's Ctrl-C goes to the whole process group
        interrupted = time.monotonic()
        up.wait(timeout=EXIT_BOUND)
        exited_after = time.monotonic() - interrupted
    finally:
        kill_up(up)
    print(f"\nthe CLI exited {exited_after:.2f} s after one SIGINT ({COUNT} snapshots waiting)")
    output = log.read_text()
    assert up.returncode != 0, output
    assert API_KEY not in output

    snapshots = sandbox.snapshots()
    assert len(snapshots) == COUNT
    resources = stack.snapshots(NATIVE_SNAPSHOT_TYPE)
    assert {r["id"] for r in resources} == {s["snapshot_id"] for s in snapshots}
    for resource in resources:
        assert resource["outputs"]["snapshotStatus"] == "processing"
        (reason,) = resource["initErrors"]
        assert f"snapshot {resource['id']} is still processing: waiting was cancelled" in reason
        assert f"snapshot {resource['id']} is still processing: waiting was cancelled" in output
    assert not stack.export()["deployment"].get("pending_operations")

    clock.now += 120
    sandbox.clear_calls()
    stack.up()
    assert {c.function for c in sandbox.calls()} == {"get_snapshot_detail"}
    assert len(sandbox.snapshots()) == COUNT
    resources = stack.snapshots(NATIVE_SNAPSHOT_TYPE)
    assert {r["id"]: r["outputs"]["snapshotStatus"] for r in resources} == {
        s["snapshot_id"]: "active" for s in snapshots
    }
    assert all("initErrors" not in r for r in resources)
