"""What the engine really hands the providers, through the real CLI.

Inputs unknown in preview (outputs of resources created in the same `up`), numbers (floats on the
wire), adoption of a missing snapshot, and resource hooks. Secret and plaintext config, for both
doors, are in test_lifecycle.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from node_pulumi.sandbox import Sandbox

from ..seen import live
from .conftest import configure_for
from .stack import Stack

MakeStack = Callable[[Path, str], Stack]
UPSTREAM = Path(__file__).parent / "upstream"
HOOKED = Path(__file__).parent / "hooked"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # how the engine's JSON plan shows an unknown


def plan(stack: Stack) -> dict[str, tuple[str, dict[str, Any], list[str]]]:
    """`pulumi preview --json`: each resource's op, planned inputs and replace reasons, by name."""
    steps = json.loads(stack.run("preview", "--json"))["steps"]
    planned = {}
    for step in steps:
        inputs = dict((step.get("newState") or {}).get("inputs") or {})
        inputs.pop("__provider", None)
        planned[step["urn"].rsplit("::", 1)[-1]] = (
            step["op"],
            inputs,
            sorted(step.get("replaceReasons") or []),
        )
    return planned


def test_snapshot_inputs_from_resources_created_in_the_same_up(
    make_stack: MakeStack, sandbox: Sandbox
) -> None:
    stack = configure_for(make_stack(UPSTREAM, "upstream"), sandbox)
    stack.config("test:downstream", "snapshot")

    first = plan(stack)
    assert first["downstream"] == (
        "create",
        {
            "server_id": UNKNOWN,
            "triggers": [UNKNOWN, {"nested": [UNKNOWN]}],
            "wait_until_active": UNKNOWN,
            "wait_timeout": UNKNOWN,
        },
        [],
    )
    assert first["upstream"][:2] == (
        "create",
        {"server_id": UNKNOWN, "triggers": ["r1"], "wait_until_active": True, "wait_timeout": 1800},
    )
    # A number written in the program crosses the wire as 2001.0 and becomes "2001".
    assert first["from-program"][1]["server_id"] == "2001"
    assert sandbox.calls() == []

    stack.up()
    outputs = stack.outputs()
    assert outputs["downstream_server_id"] == outputs["from_program_server_id"] == "2001"
    assert outputs["downstream_triggers"] == [
        outputs["upstream_id"],
        {"nested": [outputs["upstream_id"]]},
    ]
    assert outputs["downstream_wait_timeout"] == 60
    assert sorted(s["snapshot_id"] for s in live(sandbox)) == sorted(
        outputs[k] for k in ("upstream_id", "downstream_id", "from_program_id")
    )
    assert {s["server_id"] for s in sandbox.snapshots()} == {"2001"}

    stack.config("test:revision", "r2")  # replaces Numbers and upstream: their outputs unknown
    second = plan(stack)
    assert second["numbers"][0] == "replace"
    assert second["upstream"][0] == "replace"
    assert second["upstream"][1]["server_id"] == UNKNOWN
    assert second["downstream"] == (
        "replace",
        first["downstream"][1],
        ["server_id", "triggers"],
    )
    assert second.get("from-program", ("same",))[0] == "same"

    stack.up()
    after = stack.outputs()
    assert after["upstream_id"] != outputs["upstream_id"]
    assert after["downstream_id"] != outputs["downstream_id"]
    assert after["downstream_triggers"] == [
        after["upstream_id"],
        {"nested": [after["upstream_id"]]},
    ]
    assert after["from_program_id"] == outputs["from_program_id"]
    assert sorted(s["snapshot_id"] for s in live(sandbox)) == sorted(
        after[k] for k in ("upstream_id", "downstream_id", "from_program_id")
    )


def test_schedule_inputs_from_resources_created_in_the_same_up(
    make_stack: MakeStack, sandbox: Sandbox
) -> None:
    stack = configure_for(make_stack(UPSTREAM, "upstream"), sandbox)
    stack.config("test:downstream", "schedule")

    planned = {"server_id": UNKNOWN, "daily_max_age": UNKNOWN, "weekly_max_age": 4}
    assert plan(stack)["schedule"] == ("create", planned, [])
    assert sandbox.calls() == []

    stack.up()
    assert stack.outputs()["schedule_server_id"] == "2001"
    assert stack.outputs()["schedule_daily_max_age"] == 7
    (schedule,) = sandbox.schedules()
    assert schedule["server_id"] == "2001"
    assert (schedule["daily_snapshot_max_age"], schedule["weekly_snapshot_max_age"]) == (7, 4)

    stack.config("test:revision", "r2")
    assert plan(stack)["schedule"] == ("replace", planned, ["server_id"])
    sandbox.clear_calls()
    stack.up()
    # Known again, the server id is the same: no replacement (whose delete would turn it off).
    assert "set_server_snapshot_schedule" not in [c.function for c in sandbox.calls()]
    (schedule,) = sandbox.schedules()
    assert (schedule["daily_snapshot"], schedule["weekly_snapshot"]) == ("yes", "yes")
    assert stack.outputs()["schedule_daily_max_age"] == 7


def test_numbers_written_in_the_program_are_checked_as_numbers(
    make_stack: MakeStack, sandbox: Sandbox
) -> None:
    stack = configure_for(make_stack(UPSTREAM, "upstream"), sandbox)
    stack.config("test:downstream", "literal")
    stack.config("test:serverId", "2001.5")
    stack.config("test:waitTimeout", " -5")  # JSON; the space keeps the CLI from seeing a flag
    output = stack.run("preview", ok=False)
    assert "server_id must be a string or a whole number: 2001.5" in output
    assert "wait_timeout must be a positive number of seconds: -5\n" in output
    assert "-5.0" not in output
    assert sandbox.calls() == []

    stack.config("test:serverId", "12345")
    stack.config("test:waitTimeout", "30")
    assert plan(stack)["literal"][1]["server_id"] == "12345"


def test_adopting_a_snapshot_that_does_not_exist_fails(stack: Stack, sandbox: Sandbox) -> None:
    stack.config("test:adopt", "0nosuchsnap0")
    output = stack.up(ok=False)
    assert "snapshot 0nosuchsnap0 does not exist" in output
    assert "Snapshot.get can only adopt an existing snapshot" in output


def test_adopting_a_deleted_snapshot_fails_but_refresh_drops_one(
    stack: Stack, sandbox: Sandbox
) -> None:
    stack.up()
    (ours,) = sandbox.snapshots()
    stack.config("test:adopt", str(ours["snapshot_id"]))
    stack.up()
    sandbox.delete_snapshot_behind_back(str(ours["snapshot_id"]))
    output = stack.up(ok=False)
    assert f"snapshot {ours['snapshot_id']} does not exist (the API reports it deleted)" in output

    # A refresh is not an adoption: both the created and the adopted resource silently leave.
    stack.run("refresh", "--yes", "--skip-preview")
    resources = stack.export()["deployment"]["resources"]
    assert [r for r in resources if r["type"].endswith("node:Snapshot")] == []


def test_hooks_that_behave_alike_are_one_hook(make_stack: MakeStack, sandbox: Sandbox) -> None:
    stack = configure_for(make_stack(HOOKED, "hooked"), sandbox)
    stack.up()
    names = stack.outputs()["hook_names"]
    plain, alike, wait_5, wait_5_again, wait_6 = names
    assert plain == alike
    assert wait_5 == wait_5_again
    assert len({plain, wait_5, wait_6}) == 3

    stack.config("test:daily", "8")
    output = stack.up()
    assert "taken before updating schedule" in output
    assert [c.function for c in sandbox.calls()].count("create_snapshot") == 1
