"""Two waiting `snapshot_before_update` hooks of one program overlap in time, through the real
CLI: the engine calls both before their resources update, and both snapshots are taken while
neither wait has ended (the sandbox's clock stands still until the test moves it).

The hooks run on the program's event loop. A hook that waited synchronously blocked that loop:
the second hook could not start until the first one's wait was over (here never, before its
60 s deadline), so the test would time out waiting for the second snapshot.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from node_pulumi.sandbox import Sandbox

from ..clock import StillClock
from .background import start_up, wait_for
from .conftest import configure_for
from .stack import Stack

PROGRAM = Path(__file__).parent / "hooked_pair"


@pytest.mark.serial  # two hooks at once, killed after
@pytest.mark.sandbox(processing_seconds=60)  # of its still clock
def test_two_waiting_hooks_take_their_snapshots_at_once(
    make_stack: Callable[[Path, str], Stack],
    sandbox: Sandbox,
    clock: StillClock,
    tmp_path: Path,
) -> None:
    stack = configure_for(make_stack(PROGRAM, "hooked-pair"), sandbox)
    stack.up()  # creates: no hook runs
    assert sandbox.calls("create_snapshot") == []

    stack.config("test:daily", "8")
    sandbox.clear_calls()
    log = tmp_path / "up.log"
    up = start_up(stack, log)
    try:
        wait_for(
            lambda: len(sandbox.calls("create_snapshot")) == 2 or up.poll() is not None,
            "both hooks' snapshots",
            timeout=40,
        )
        assert up.poll() is None, log.read_text()
        assert len(sandbox.calls("create_snapshot")) == 2, "both hooks are waiting at once"
        assert sandbox.calls("set_server_snapshot_schedule") == [], "no update before its hook"
        clock.now += 120  # both snapshots are active from now on
        assert up.wait(timeout=120) == 0, log.read_text()
    finally:
        if up.poll() is None:
            os.killpg(up.pid, signal.SIGKILL)
            up.wait()
    output = log.read_text()
    snapshots = sandbox.snapshots()
    assert sorted(s["server_id"] for s in snapshots) == ["12345", "67890"]
    for snapshot in snapshots:
        assert snapshot["snapshot_status"] == "active"
        assert (
            f"snapshot {snapshot['snapshot_id']} of server {snapshot['server_id']} taken" in output
        )
    assert sorted(s["server_id"] for s in sandbox.schedules()) == ["12345", "67890"]
    assert {s["daily_snapshot_max_age"] for s in sandbox.schedules()} == {8}
