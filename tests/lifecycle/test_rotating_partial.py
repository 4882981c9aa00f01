"""RotatingSnapshot when an update fails half-way: never a second snapshot for one trigger change.

The sandbox's clock stands still, so a snapshot stays `processing` until the test moves it. The
plugin records a wait that failed (partial state), so the next `up` resumes it; the dynamic door
cannot, and says so (see RotatingSnapshotProvider). A delete that fails is one behaviour in both
doors: a warning, and the next `up` deletes it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from node_pulumi.sandbox import Sandbox

from ..clock import StillClock
from ..seen import functions, live_ids
from .door import DYNAMIC, PLUGIN, Door
from .stack import Stack
from .test_rotating import deleted_ids, held, resource, trigger
from .test_rotating import make_rotating as make_rotating  # the fixture, used by name

MakeRotating = Callable[[Door], Stack]
pytestmark = pytest.mark.sandbox(processing_seconds=60)  # of the still clock: waits time out


def fail_a_wait(stack: Stack, sandbox: Sandbox) -> tuple[str, str, str]:
    """An `up` whose trigger change takes a snapshot that is not active within its 2 s wait,
    after a first `up` that did not wait: the first id, the second, and the failed up's output.
    """
    trigger(stack, "v1")
    (first,) = live_ids(sandbox)
    stack.config("test:wait", "true")
    stack.config("test:waitTimeout", "2")
    stack.config("test:triggers", '["v2"]')
    failed = stack.up(ok=False)
    _, second = live_ids(sandbox)
    return first, second, failed


def test_plugin_a_wait_past_its_deadline_is_recorded_and_the_next_up_resumes_it(
    make_rotating: MakeRotating, sandbox: Sandbox, clock: StillClock
) -> None:
    stack = make_rotating(PLUGIN)
    stack.config("test:keep", "1")
    first, second, failed = fail_a_wait(stack, sandbox)
    assert f"snapshot {second} is still processing after 2s" in failed
    assert "the next `pulumi up` waits for it again" in failed
    recorded = resource(stack, PLUGIN)
    assert recorded["id"] == first
    assert recorded["outputs"]["snapshotIds"] == [second, first]
    assert recorded["outputs"]["snapshotStatus"] == "processing"
    assert any(second in reason for reason in recorded["initErrors"])
    assert deleted_ids(sandbox) == [], "nothing is deleted before the new one is active"

    clock.now += 120
    sandbox.clear_calls()
    stack.up()
    assert "create_snapshot" not in functions(sandbox)
    assert deleted_ids(sandbox) == [first]
    recorded = resource(stack, PLUGIN)
    assert recorded["outputs"]["snapshotIds"] == [second]
    assert recorded["outputs"]["snapshotStatus"] == "active"
    assert "initErrors" not in recorded
    assert live_ids(sandbox) == [second]


def test_dynamic_a_wait_past_its_deadline_names_the_snapshot_and_keeps_the_state(
    make_rotating: MakeRotating, sandbox: Sandbox
) -> None:
    stack = make_rotating(DYNAMIC)
    first, second, failed = fail_a_wait(stack, sandbox)
    assert f"snapshot {second}" in failed and "still processing" in failed
    assert held(stack, DYNAMIC) == [first]
    assert deleted_ids(sandbox) == []


def test_a_delete_failing_with_a_5xx_is_a_warning_and_the_next_up_deletes_it(
    door: Door, make_rotating: MakeRotating, sandbox: Sandbox
) -> None:
    """One behaviour in both doors (the core's `prune`): the up succeeds with the new snapshot,
    warns naming the old one, keeps it in snapshot_ids, and the next up deletes it."""
    stack = make_rotating(door)
    stack.config("test:keep", "1")
    trigger(stack, "v1")
    (first,) = live_ids(sandbox)
    assert stack.outputs()["snapshot_ids"] == [first]

    sandbox.set_fault("delete_snapshot", http_status=503)  # every try, retries included
    stack.config("test:triggers", '["v2"]')
    output = stack.up()
    assert live_ids(sandbox)[0] == first
    _, second = live_ids(sandbox)
    assert set(deleted_ids(sandbox)) == {first}
    assert f"deleting snapshot {first} (older than the last 1 kept) failed" in output
    assert "HTTP 503" in output
    assert f"snapshot {first} stays in snapshot_ids, and the next `pulumi up` deletes it" in output
    outputs = stack.outputs()
    assert outputs["snapshot_ids"] == [second, first]
    assert outputs["snapshot_id"] == second
    assert held(stack, door) == [second, first]

    sandbox.clear_faults()
    sandbox.clear_calls()
    stack.up()
    assert functions(sandbox) == ["delete_snapshot"]
    assert deleted_ids(sandbox) == [first]
    assert live_ids(sandbox) == [second]
    assert stack.outputs()["snapshot_ids"] == [second]
    assert held(stack, door) == [second]
    sandbox.clear_calls()
    stack.run("up", "--yes", "--expect-no-changes")
    assert sandbox.calls() == []
