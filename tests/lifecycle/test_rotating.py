"""RotatingSnapshot through the real Pulumi engine, one test per behaviour for both doors.

The dynamic door (`node_pulumi.RotatingSnapshot`) and the plugin (`node_pulumi.native`) run the
same program (tests/lifecycle/rotating), picked by `test:door`; each test takes the `door`
fixture, so it runs once per door. Updates that fail half-way are in test_rotating_partial.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from node_pulumi.sandbox import INVALID_CHECKSUM, Sandbox

from ..seen import functions, live_ids
from .conftest import configure_for
from .door import Door
from .stack import Stack

ROTATING = Path(__file__).parent / "rotating"
TYPES = {
    "dynamic": "pulumi-python:dynamic/node:RotatingSnapshot",
    "plugin": "node:index:RotatingSnapshot",
}


def program_stack(
    make_stack: Callable[[Path, str], Stack], door: Door, program: Path = ROTATING
) -> Stack:
    """A stack of ``program`` (one that picks its door by `test:door`) through ``door``, with no
    node.co.id settings: the plugin door installs `pulumi-resource-node` into its plugin cache."""
    stack = door.new_stack(make_stack(program, f"{program.name}-{door}"))
    stack.config("test:door", door.name)
    return stack


@pytest.fixture
def make_rotating(
    make_stack: Callable[[Path, str], Stack], sandbox: Sandbox
) -> Callable[[Door], Stack]:
    """Make a stack of the rotating program through a door, configured for the sandbox."""
    return lambda door: configure_for(program_stack(make_stack, door), sandbox)


def deleted_ids(sandbox: Sandbox) -> list[str]:
    """The ids delete_snapshot was called for, in call order."""
    return [c.params["snapshot_id"] for c in sandbox.calls("delete_snapshot")]


def resource(stack: Stack, door: Door) -> dict[str, Any]:
    """The one RotatingSnapshot in the stack's state."""
    resources = stack.export()["deployment"].get("resources") or []
    (found,) = [r for r in resources if r["type"] == TYPES[door.name]]
    return dict(found)


def held(stack: Stack, door: Door) -> list[str]:
    """The snapshot ids the state holds, newest first (the output's name differs per door)."""
    return list(resource(stack, door)["outputs"][door.key("snapshot_ids")])


def trigger(stack: Stack, value: str) -> str:
    stack.config("test:triggers", json.dumps([value]))
    return stack.up()


def test_three_trigger_changes_keep_the_newest_two_and_delete_the_oldest(
    door: Door, make_rotating: Callable[[Door], Stack], sandbox: Sandbox
) -> None:
    stack = make_rotating(door)
    stack.config("test:wait", "true")
    stack.up()
    (first,) = live_ids(sandbox)
    assert functions(sandbox).count("create_snapshot") == 1
    assert resource(stack, door)["id"] == first

    sandbox.clear_calls()
    output = trigger(stack, "v2")
    assert "1 updated" in output and "replace" not in output
    assert functions(sandbox).count("create_snapshot") == 1
    assert deleted_ids(sandbox) == []
    first, second = live_ids(sandbox)

    sandbox.clear_calls()
    trigger(stack, "v3")
    third = live_ids(sandbox)[-1]
    assert deleted_ids(sandbox) == [first]
    assert functions(sandbox)[0] == "create_snapshot"  # the new one before the old one goes
    assert functions(sandbox)[-1] == "delete_snapshot"

    sandbox.clear_calls()
    trigger(stack, "v4")
    fourth = live_ids(sandbox)[-1]
    assert deleted_ids(sandbox) == [second]
    assert functions(sandbox).count("create_snapshot") == 1

    assert live_ids(sandbox) == [third, fourth]
    assert held(stack, door) == [fourth, third]
    outputs = stack.outputs()
    assert outputs["snapshot_id"] == fourth
    assert outputs["snapshot_ids"] == [fourth, third]
    assert outputs["snapshot_status"] == "active"
    assert resource(stack, door)["id"] == first  # the resource's id stays the first snapshot's

    sandbox.clear_calls()
    stack.run("up", "--yes", "--expect-no-changes")
    assert sandbox.calls() == []


def test_a_second_up_changes_nothing(
    door: Door, make_rotating: Callable[[Door], Stack], sandbox: Sandbox
) -> None:
    stack = make_rotating(door)
    stack.up()
    assert functions(sandbox) == ["create_snapshot"]
    assert stack.outputs()["snapshot_status"] == "processing"
    sandbox.clear_calls()
    stack.run("up", "--yes", "--expect-no-changes")
    assert sandbox.calls() == []
    assert len(sandbox.snapshots()) == 1


def test_preview_reports_a_keep_below_one_without_a_call(
    door: Door, make_stack: Callable[[Path, str], Stack], sandbox: Sandbox
) -> None:
    stack = program_stack(make_stack, door)  # no credentials: check needs none
    stack.config("test:keep", "0")
    output = stack.run("preview", ok=False)
    assert "keep must be a whole number of snapshots, at least 1: 0" in output
    assert "Traceback" not in output
    assert sandbox.calls() == []


def test_lowering_keep_deletes_the_oldest_at_the_next_up_and_takes_none(
    door: Door, make_rotating: Callable[[Door], Stack], sandbox: Sandbox
) -> None:
    stack = make_rotating(door)
    stack.config("test:keep", "3")
    for version in ("v1", "v2", "v3"):
        trigger(stack, version)
    first, second, third = live_ids(sandbox)
    stack.config("test:keep", "1")
    sandbox.clear_calls()
    preview = stack.run("preview", "--diff")
    assert "keep" in preview and "replace" not in preview
    assert sandbox.calls() == []

    stack.up()
    assert functions(sandbox) == ["delete_snapshot", "delete_snapshot"]
    assert deleted_ids(sandbox) == [first, second]  # oldest first
    assert live_ids(sandbox) == [third]
    assert stack.outputs()["snapshot_ids"] == [third]

    sandbox.clear_calls()
    stack.config("test:keep", "2")  # raising it deletes nothing and takes nothing
    stack.up()
    assert sandbox.calls() == []
    assert held(stack, door) == [third]


def test_refresh_drops_snapshots_deleted_elsewhere_and_keeps_them_on_a_credential_error(
    door: Door, make_rotating: Callable[[Door], Stack], sandbox: Sandbox
) -> None:
    stack = make_rotating(door)
    trigger(stack, "v1")
    trigger(stack, "v2")
    older, newer = live_ids(sandbox)

    sandbox.delete_snapshot_behind_back(older)
    sandbox.set_fault("get_snapshot_detail", error=(INVALID_CHECKSUM, "Invalid checksum."))
    stack.run("refresh", "--yes", "--skip-preview", ok=False)
    assert held(stack, door) == [newer, older], "a refused credential is not a deleted snapshot"

    sandbox.clear_faults()
    sandbox.clear_calls()
    stack.run("refresh", "--yes", "--skip-preview")
    assert functions(sandbox) == ["get_snapshot_detail", "get_snapshot_detail"]
    assert held(stack, door) == [newer]

    sandbox.clear_calls()
    stack.run("up", "--yes", "--expect-no-changes")  # one held, keep 2: nothing to do
    assert sandbox.calls() == []

    sandbox.delete_snapshot_behind_back(newer)
    stack.run("refresh", "--yes", "--skip-preview")
    resources = stack.export()["deployment"].get("resources") or []
    assert [r for r in resources if r["type"] == TYPES[door.name]] == []
    sandbox.clear_calls()
    stack.up()  # gone with its last snapshot: the next up starts a new rotation
    assert functions(sandbox) == ["create_snapshot"]


def test_destroy_deletes_every_snapshot_held_and_retain_on_delete_none(
    door: Door, make_rotating: Callable[[Door], Stack], sandbox: Sandbox
) -> None:
    stack = make_rotating(door)
    trigger(stack, "v1")
    trigger(stack, "v2")
    older, newer = live_ids(sandbox)
    sandbox.add_snapshot("other-1", "12345", created_at="2026-01-01 00:00:00", size_gb=1.0)
    sandbox.clear_calls()
    stack.run("destroy", "--yes")
    assert deleted_ids(sandbox) == [older, newer]
    assert live_ids(sandbox) == ["other-1"], "a snapshot it did not take is left alone"

    retained = make_rotating(door)
    retained.config("test:retain", "true")
    trigger(retained, "v1")
    sandbox.clear_calls()
    retained.run("destroy", "--yes")
    assert "delete_snapshot" not in functions(sandbox)
    assert len(live_ids(sandbox)) == 2


def test_a_new_server_replaces_the_rotation(
    door: Door, make_rotating: Callable[[Door], Stack], sandbox: Sandbox
) -> None:
    stack = make_rotating(door)
    trigger(stack, "v1")
    trigger(stack, "v2")
    older, newer = live_ids(sandbox)
    stack.config("test:serverId", "67890")
    sandbox.clear_calls()
    stack.up()
    assert functions(sandbox) == ["create_snapshot", "delete_snapshot", "delete_snapshot"]
    assert deleted_ids(sandbox) == [older, newer]
    (new,) = live_ids(sandbox)
    assert stack.outputs()["snapshot_ids"] == [new]
    assert stack.outputs()["server_id"] == "67890"
    assert resource(stack, door)["id"] == new
