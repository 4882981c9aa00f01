"""The two doors behave alike for the same input: each test runs once per door, through the real
CLI (the dynamic resources, and the plugin `pulumi-resource-node`), with one program
(tests/lifecycle/agree). The behaviour lives once, in the core; these tests keep the doors from
drifting apart again.

The sandbox's clock stands still: a snapshot stays `processing` until a test moves the clock.
"""

from __future__ import annotations

import json

import pytest

from node_pulumi.sandbox import Sandbox

from ..clock import StillClock
from ..seen import functions
from . import agree
from .agree import resources
from .door import Door
from .stack import Stack

bare_door_stack, door_stack = agree.bare_door_stack, agree.door_stack  # the agree program's

IP = "203.0.113.7"
pytestmark = pytest.mark.sandbox(processing_seconds=60)  # of its still clock


def test_a_whole_number_is_the_server_id_a_look_up_asks_for(
    door_stack: Stack, sandbox: Sandbox
) -> None:
    """`get_snapshots(server_id=12345)`: the plugin receives 12345.0 from the engine, and asked
    the API for server "12345.0" (SERVER_NOT_FOUND) while the dynamic door asked for "12345"."""
    stack = door_stack
    stack.config("node:clientIpAddress", IP)
    stack.config("test:lookup", json.dumps({"server_id": 12345, "status": "all"}))
    stack.up()
    lookups = sandbox.calls("get_snapshot_list")
    assert lookups, "the look-up ran"
    assert {c.params["server_id"] for c in lookups} == {"12345"}
    assert {c.code for c in lookups} == {"OK"}
    assert len(stack.outputs()["found"]) <= 1


@pytest.mark.parametrize(
    ("lookup", "reason"),
    [
        ({"status": "gone"}, "status must be one of all, processing, active, deleted, not 'gone'"),
        ({"cycle": "hourly"}, "cycle must be one of all, manual, daily, weekly, monthly"),
    ],
    ids=["status", "cycle"],
)
def test_a_bad_look_up_filter_fails_the_preview_without_credentials(
    bare_door_stack: Stack, sandbox: Sandbox, lookup: dict[str, str], reason: str
) -> None:
    """The plugin returned an unknown result (and a warning) before checking its filters,
    so the preview passed and only `up` failed; the dynamic door failed at once."""
    stack = bare_door_stack
    stack.config("node:endpoint", sandbox.url)
    stack.config("test:lookup", json.dumps(lookup))
    output = stack.run("preview", ok=False)
    assert reason in output
    assert "get_snapshots: no node.co.id credentials" not in output
    assert sandbox.calls() == []


def test_the_deadline_counts_from_before_the_create_and_bounds_it(
    door_stack: Stack, door: Door, sandbox: Sandbox
) -> None:
    """`waitTimeout` is 1 s and the API answers the create after 3 s: the create's answer is
    given up at the deadline (a lost answer: the snapshot is looked up and named), and no wait
    starts. The plugin used to count the deadline from after the create (so it waited another
    1 s and saved the snapshot as partial state); neither door bounded the create request."""
    stack = door_stack
    stack.config("node:clientIpAddress", IP)
    stack.config("test:wait", "true")
    stack.config("test:waitTimeout", "1")
    sandbox.set_fault("create_snapshot", latency=3.0, after=True, times=1)
    output = stack.up(ok=False)
    (snapshot,) = sandbox.snapshots()
    assert "create_snapshot of server 12345 got no usable answer (node.co.id" in output
    assert "no answer in time" in output
    assert "the API may have started a snapshot of server 12345 anyway" in output
    assert snapshot["snapshot_id"] in output
    assert "get_snapshot_detail" not in functions(sandbox), "no wait started"
    assert resources(stack, door.snapshot_type) == []


def test_custom_timeouts_create_bounds_the_create_request_where_the_engine_gives_it(
    door_stack: Stack, door: Door, sandbox: Sandbox
) -> None:
    """Where the doors cannot agree, and why: the engine gives `customTimeouts.create` to a
    provider plugin, never to a dynamic provider. The plugin bounds the whole create with it, the
    create_snapshot request included, even without waiting; the dynamic door keeps to its own
    `wait_timeout` (no wait here, so only the client's timeout) and takes the late answer."""
    stack = door_stack
    stack.config("node:clientIpAddress", IP)
    stack.config("test:createTimeout", "1s")
    sandbox.set_fault("create_snapshot", latency=3.0, after=True, times=1)
    if door.name == "dynamic":
        stack.up()
        (snapshot,) = sandbox.snapshots()
        assert stack.outputs()["snapshot_id"] == snapshot["snapshot_id"]
        return
    output = stack.up(ok=False)
    (snapshot,) = sandbox.snapshots()
    assert "no answer in time" in output
    assert "the API may have started a snapshot of server 12345 anyway" in output
    assert snapshot["snapshot_id"] in output
    assert resources(stack, door.snapshot_type) == []


def test_turning_waiting_on_waits_for_a_snapshot_still_processing(
    door_stack: Stack, door: Door, sandbox: Sandbox, clock: StillClock
) -> None:
    """One update rule (the core's `snapshot_update`): a snapshot created without waiting, still
    `processing`, is waited for when `waitUntilActive` is turned on; no new snapshot is taken.
    The dynamic door used to only record the new setting."""
    stack = door_stack
    stack.up()
    (resource,) = stack.snapshots(door.snapshot_type)
    assert stack.outputs()["snapshot_status"] == "processing"

    clock.now += 120
    stack.config("test:wait", "true")
    sandbox.clear_calls()
    stack.up()
    assert "create_snapshot" not in functions(sandbox)
    assert set(functions(sandbox)) == {"get_snapshot_detail"}
    assert stack.outputs()["snapshot_status"] == "active"
    (updated,) = stack.snapshots(door.snapshot_type)
    assert updated["id"] == resource["id"]
