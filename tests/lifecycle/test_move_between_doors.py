"""Moving a stack from the dynamic resources to the plugin, as docs/guides/move-between-doors.md
says, through the real CLI against the sandbox.

The guide's blocks marked `<!-- doc-test: lifecycle test_move_between_doors -->` are run as they
are written: the script, the shell steps, the new import line. The sandbox's call log shows that
the move takes, deletes and changes nothing at node.co.id. A plain `up` after changing the import,
which the guide warns about, is run too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from node_pulumi import NodeClient
from node_pulumi.sandbox import Sandbox

from ..conftest import API_KEY, USER_ID
from ..docblocks import ROOT, Block, marked
from .conftest import configure_for
from .stack import NATIVE_SNAPSHOT_TYPE, SNAPSHOT_TYPE, Stack

GUIDE = ROOT / "docs" / "guides" / "move-between-doors.md"
PROGRAM = Path(__file__).parent / "doors"
OLD_IMPORT = "import node_pulumi as node\n"
DYNAMIC_SCHEDULE = "pulumi-python:dynamic/node:SnapshotSchedule"
NATIVE_SCHEDULE = "node:index:SnapshotSchedule"

MakeStack = Callable[[Path, str], Stack]


def steps() -> dict[str, Block]:
    """The guide's blocks by step: script, export, delete-and-import, new import, update, undo."""
    found = marked(GUIDE, "lifecycle", "test_move_between_doors")
    names = ["script", "export", "import", "new_import", "update", "undo"]
    assert [b.lang for b in found] == ["python", "sh", "sh", "python", "sh", "sh"], found
    return dict(zip(names, found, strict=True))


def shell(stack: Stack, block: Block) -> str:
    """Run a shell block of the guide in the stack's directory, as a user would."""
    plugin_dir = Path(sys.executable).parent  # `python`, and `pulumi-resource-node` for the engine
    env = {**stack.env, "PATH": f"{plugin_dir}{os.pathsep}{stack.env['PATH']}"}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.code],
        cwd=stack.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{block.where} failed:\n{block.code}\n{output}"
    return output


def kept(sandbox: Sandbox) -> set[tuple[object, object]]:
    """The snapshots not deleted, by id and server (their status moves on with the clock)."""
    return {
        (s["snapshot_id"], s["server_id"])
        for s in sandbox.snapshots()
        if s["snapshot_status"] != "deleted"
    }


def by_name(stack: Stack) -> dict[str, dict[str, object]]:
    resources = stack.export()["deployment"]["resources"]
    return {r["urn"].split("::")[-1]: r for r in resources}


@pytest.fixture
def moving(make_stack: MakeStack, sandbox: Sandbox) -> Stack:
    """A stack of the dynamic program, up, with a snapshot adopted by `get`."""
    stack = configure_for(make_stack(PROGRAM, "doors"), sandbox)
    stack.env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{stack.env['PATH']}"
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
        outside = client.create_snapshot("12345")["snapshot_id"]
    stack.config("test:adopt", str(outside))
    stack.up()
    return stack


def test_the_guide_moves_a_stack_to_the_plugin_with_no_api_call(
    moving: Stack, sandbox: Sandbox
) -> None:
    before = by_name(moving)
    outputs = moving.outputs()
    snapshots = kept(sandbox)
    schedules = sandbox.schedules()
    assert len(snapshots) == 3  # before-deploy, grouped, and the adopted one
    guide = steps()
    (moving.root / "to-plugin.py").write_text(guide["script"].code)
    sandbox.clear_calls()

    shell(moving, guide["export"])
    urns = (moving.root / "urns.txt").read_text().split()
    assert sorted(u.split("::")[-1] for u in urns) == ["before-deploy", "grouped", "nightly"]
    shell(moving, guide["import"])
    program = moving.root / "__main__.py"
    assert OLD_IMPORT in program.read_text()
    program.write_text(program.read_text().replace(OLD_IMPORT, guide["new_import"].code))
    update = shell(moving, guide["update"])

    # Only the adopted snapshot is read again, as on every `up` of a program with a `get`.
    assert {c.function for c in sandbox.calls()} <= {"get_snapshot_detail"}
    assert all(c.params.get("snapshot_id") == outputs["adopted_id"] for c in sandbox.calls())
    assert kept(sandbox) == snapshots
    assert sandbox.schedules() == schedules
    assert "to create" not in update and "to delete" not in update and "replace" not in update

    after = by_name(moving)
    for name, kind in [
        ("before-deploy", NATIVE_SNAPSHOT_TYPE),
        ("grouped", NATIVE_SNAPSHOT_TYPE),
        ("nightly", NATIVE_SCHEDULE),
    ]:
        assert after[name]["type"] == kind
        assert after[name]["id"] == before[name]["id"]
    assert after["grouped"]["parent"] == before["grouped"]["parent"]
    assert after["before-deploy"]["inputs"] == {
        "serverId": "12345",
        "triggers": ["v1"],
        "waitTimeout": 600,
        "waitUntilActive": True,
    }
    assert after["nightly"]["dependencies"] == [after["before-deploy"]["urn"]]
    assert not [r for r in after.values() if "pulumi-python" in r["type"]]
    assert moving.outputs() == outputs

    # The moved stack is the plugin's: unchanged on the next up, and a new trigger replaces.
    sandbox.clear_calls()
    moving.run("up", "--yes", "--expect-no-changes")
    moving.config("test:release", "v2")
    moving.up()
    functions = [c.function for c in sandbox.calls() if c.function != "get_snapshot_detail"]
    assert functions == ["create_snapshot", "delete_snapshot"]
    (replaced,) = [s for s in sandbox.snapshots() if s["snapshot_status"] == "deleted"]
    assert replaced["snapshot_id"] == outputs["snapshot_id"]


def test_the_guides_undo_restores_the_dynamic_stack(moving: Stack, sandbox: Sandbox) -> None:
    guide = steps()
    (moving.root / "to-plugin.py").write_text(guide["script"].code)
    before = {r["urn"]: r["id"] for r in moving.snapshots()}
    shell(moving, guide["export"])
    shell(moving, guide["import"])
    assert [r["urn"] for r in moving.snapshots() if not r.get("external")] == []
    shell(moving, guide["undo"])
    assert {r["urn"]: r["id"] for r in moving.snapshots()} == before
    sandbox.clear_calls()
    moving.run("up", "--yes", "--expect-no-changes")
    assert {c.function for c in sandbox.calls()} <= {"get_snapshot_detail"}


def test_a_plain_up_after_changing_the_import_retakes_and_clears_the_schedule(
    moving: Stack, sandbox: Sandbox
) -> None:
    """What the guide and the README warn of."""
    old = {s["snapshot_id"] for s in sandbox.snapshots()}
    program = moving.root / "__main__.py"
    new_import = steps()["new_import"].code
    program.write_text(program.read_text().replace(OLD_IMPORT, new_import))
    sandbox.clear_calls()
    preview = moving.run("preview")
    assert "+ 3 to create" in preview and "- 3 to delete" in preview
    moving.up()
    functions = [c.function for c in sandbox.calls()]
    assert functions.count("create_snapshot") == 2
    assert functions.count("delete_snapshot") == 2
    assert functions.count("set_server_snapshot_schedule") == 2
    live = {s["snapshot_id"] for s in sandbox.snapshots() if s["snapshot_status"] != "deleted"}
    assert len(live & old) == 1  # only the adopted snapshot is left of the old ones
    (schedule,) = sandbox.schedules()
    assert [schedule[f"{c}_snapshot"] for c in ("daily", "weekly", "monthly")] == ["no"] * 3
    (nightly,) = moving.snapshots(NATIVE_SCHEDULE)
    assert nightly["outputs"]["dailyMaxAge"] == 7  # what the state says, not what the server has
    assert moving.snapshots(SNAPSHOT_TYPE) == [] and moving.snapshots(DYNAMIC_SCHEDULE) == []
