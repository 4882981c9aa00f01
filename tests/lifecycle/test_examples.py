"""The examples and snapshot_before_update, through the real Pulumi CLI against the sandbox."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import yaml

from node_pulumi import NodeClient
from node_pulumi.sandbox import Sandbox

from ..conftest import API_KEY, USER_ID
from ..seen import functions
from .conftest import EXAMPLES, configure_for
from .stack import Stack

MakeStack = Callable[[Path, str], Stack]
HOOKED = Path(__file__).parent / "hooked"


def test_basic_example(make_stack: MakeStack, sandbox: Sandbox) -> None:
    stack = configure_for(make_stack(EXAMPLES / "basic", "basic"), sandbox)
    stack.up()
    (first,) = sandbox.snapshots()
    assert stack.outputs() == {"snapshot_id": first["snapshot_id"], "snapshot_status": "active"}
    stack.config("basic:release", "v2")
    stack.up()
    assert stack.outputs()["snapshot_id"] != first["snapshot_id"]
    assert [s["snapshot_status"] for s in sandbox.snapshots()] == ["deleted", "active"]


def test_before_update_example(make_stack: MakeStack, sandbox: Sandbox) -> None:
    stack = configure_for(make_stack(EXAMPLES / "before-update", "before-update"), sandbox)
    stack.up()
    assert functions(sandbox).count("create_snapshot") == 2  # the Snapshot and the rotation
    sandbox.clear_calls()
    stack.run("up", "--yes", "--expect-no-changes")
    assert sandbox.calls() == []
    first_rotated = stack.outputs()["snapshots_before_releases"][0]
    for version in ("2.0.0", "3.0.0", "4.0.0"):
        stack.config("before-update:version", version)
        sandbox.clear_calls()
        stack.up()
        # One new snapshot each: the replaced Snapshot's (its old one deleted), the rotation's.
        assert functions(sandbox).count("create_snapshot") == 2
    outputs = stack.outputs()
    rotated = outputs["snapshots_before_releases"]
    assert len(rotated) == 3 and first_rotated not in rotated
    live = [s["snapshot_id"] for s in sandbox.snapshots() if s["snapshot_status"] != "deleted"]
    assert sorted(live) == sorted([outputs["snapshot_before_release"], *rotated])


def test_hook_snapshots_before_the_update_and_a_failure_stops_it(
    make_stack: MakeStack, sandbox: Sandbox
) -> None:
    stack = configure_for(make_stack(HOOKED, "hooked"), sandbox)
    stack.up()
    assert functions(sandbox) == ["set_server_snapshot_schedule"]

    stack.config("test:daily", "8")
    sandbox.clear_calls()
    stack.run("preview")
    assert sandbox.calls() == [], "hooks do not run in preview"
    output = stack.up()
    assert functions(sandbox) == ["create_snapshot", "set_server_snapshot_schedule"]
    (snapshot,) = sandbox.snapshots()
    assert f"snapshot {snapshot['snapshot_id']} of server 12345 taken before updating" in output

    stack.config("test:daily", "9")
    sandbox.clear_calls()
    sandbox.set_fault("create_snapshot", error=("SERVER_BUSY", "Server is busy."))
    output = stack.up(ok=False)
    assert "Server is busy." in output
    assert functions(sandbox) == ["create_snapshot"], "the update did not run"
    assert stack.outputs()["daily_max_age"] == 8
    (schedule,) = sandbox.schedules()
    assert schedule["daily_snapshot_max_age"] == 8


def test_schedule_example(make_stack: MakeStack, sandbox: Sandbox) -> None:
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
        ids = [client.create_snapshot("12345")["snapshot_id"] for _ in range(3)]
        client.create_snapshot("67890")
    stack = configure_for(make_stack(EXAMPLES / "schedule", "schedule"), sandbox)
    stack.config("node:clientIpAddress", "127.0.0.1")
    stack.up()
    outputs = stack.outputs()
    assert outputs["daily_max_age"] == 7 and outputs["weekly_max_age"] == 4
    assert sorted(outputs["snapshot_ids"]) == sorted(ids)
    (schedule,) = sandbox.schedules()
    assert schedule["daily_snapshot"] == "yes" and schedule["weekly_snapshot_max_age"] == 4

    stack.config("schedule:dailyMaxAge", "14")
    stack.up()
    assert sandbox.schedules()[0]["daily_snapshot_max_age"] == 14
    stack.run("destroy", "--yes")
    (schedule,) = sandbox.schedules()
    assert [schedule[f"{c}_snapshot"] for c in ("daily", "weekly", "monthly")] == ["no"] * 3


def test_invalid_schedule_fails_in_preview(make_stack: MakeStack, sandbox: Sandbox) -> None:
    stack = configure_for(make_stack(EXAMPLES / "schedule", "schedule"), sandbox)
    stack.config("node:clientIpAddress", "127.0.0.1")
    stack.config("schedule:dailyMaxAge", "100")
    output = stack.run("preview", ok=False)
    assert "daily_max_age must be a whole number of daily cycles from 1 to 99" in output
    assert "set_server_snapshot_schedule" not in functions(sandbox)


def run_recipe_step(stack: Stack, recipe: str, verb: str) -> str:
    """Run the step of ``recipe`` (examples/ci/) that runs `pulumi VERB`, as its own script.

    It runs with the recipe's environment for that step, the secrets it names standing for the
    test's own backend and passphrase (which the stack's environment has), and `STACK` naming
    the test's stack.
    """
    workflow = yaml.safe_load((EXAMPLES / "ci" / recipe).read_text())
    ((job, step),) = [
        (job, step)
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if f"pulumi {verb} " in step.get("run", "")
    ]
    env = {**workflow.get("env", {}), **job.get("env", {}), **step.get("env", {})}
    env = {k: str(v) for k, v in env.items() if "secrets." not in str(v)} | {"STACK": "dev"}
    result = subprocess.run(
        ["bash", "-c", step["run"]],
        cwd=stack.root,
        env={**stack.env, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{recipe}'s `pulumi {verb}` step failed:\n{output}"
    return output


def test_ci_recipe_previews_without_credentials(make_stack: MakeStack, sandbox: Sandbox) -> None:
    """The Python recipe's preview step, as written, with no node.co.id settings at all."""
    stack = make_stack(EXAMPLES / "basic", "basic")
    output = run_recipe_step(stack, "pulumi.yml", "preview")
    assert "node:Snapshot" in output and "create" in output
    # get_snapshots too previews without credentials: unknown, with a warning.
    schedule = make_stack(EXAMPLES / "schedule", "schedule")
    output = run_recipe_step(schedule, "pulumi.yml", "preview")
    assert "get_snapshots: no node.co.id credentials in this preview" in output
    assert "node:SnapshotSchedule" in output
    assert sandbox.calls() == []
