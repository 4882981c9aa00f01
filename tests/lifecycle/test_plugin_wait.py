"""Partial state through the real engine: a wait that fails leaves the snapshot in state.

The sandbox's clock is frozen, so a snapshot stays `processing` until the test moves the clock:
a wait can only end by its deadline (or a failing status call), and the next `up` resumes it.
"""

from __future__ import annotations

import pytest

from node_pulumi.sandbox import Sandbox

from ..clock import StillClock
from ..seen import functions
from .conftest import configure_for
from .stack import NATIVE_SNAPSHOT_TYPE, Stack

pytestmark = pytest.mark.sandbox(processing_seconds=60)  # of its still clock


def test_a_wait_past_its_deadline_leaves_the_snapshot_in_state_and_up_resumes_it(
    bare_native_stack: Stack, sandbox: Sandbox, clock: StillClock
) -> None:
    stack = configure_for(bare_native_stack, sandbox)
    stack.config("test:wait", "true")
    stack.config("test:waitTimeout", "2")
    failed = stack.up(ok=False)
    (snapshot,) = sandbox.snapshots()
    snapshot_id = snapshot["snapshot_id"]
    assert f"snapshot {snapshot_id} is still processing after 2s" in failed
    assert "the next `pulumi up` waits for it again" in failed
    assert "Traceback" not in failed
    (resource,) = stack.snapshots(NATIVE_SNAPSHOT_TYPE)
    assert resource["id"] == snapshot_id
    assert resource["outputs"]["snapshotStatus"] == "processing"
    assert any(snapshot_id in reason for reason in resource["initErrors"])

    clock.now += 120
    sandbox.clear_calls()
    stack.up()
    assert "create_snapshot" not in functions(sandbox)
    assert set(functions(sandbox)) == {"get_snapshot_detail"}
    (resource,) = stack.snapshots(NATIVE_SNAPSHOT_TYPE)
    assert resource["id"] == snapshot_id
    assert resource["outputs"]["snapshotStatus"] == "active"
    assert "initErrors" not in resource
    assert len(sandbox.snapshots()) == 1


def test_custom_timeouts_create_bounds_the_wait(bare_native_stack: Stack, sandbox: Sandbox) -> None:
    stack = configure_for(bare_native_stack, sandbox)
    stack.config("test:wait", "true")  # waitTimeout stays 1800 s
    stack.config("test:createTimeout", "1s")
    failed = stack.up(ok=False)
    (snapshot,) = sandbox.snapshots()
    assert f"snapshot {snapshot['snapshot_id']} is still processing after 1s" in failed
    (resource,) = stack.snapshots(NATIVE_SNAPSHOT_TYPE)
    assert resource["id"] == snapshot["snapshot_id"]
