"""examples/typescript and examples/go through the real CLI, Pulumi's real hosts and the sandbox.

The engine runs `pulumi-language-nodejs` (TypeScript, compiled by the ts-node that
@pulumi/pulumi brings) or `pulumi-language-go` (which builds the program with `go build`) for
the example, left where it is (the project's `main`), with the generated SDK from sdk/ (linked
into examples/typescript/node_modules by tools/check-sdk.sh; go.mod's replace for Go); and
`pulumi-resource-node` from Pulumi's plugin cache, installed the documented way
(Stack.install_plugin), so no command prints the "from $PATH" warning.

Each example: a snapshot of server 12345 whose trigger is the config's `release`, a schedule,
and a look-up of the server's snapshots made once the snapshot exists.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from node_pulumi.sandbox import Sandbox

from .conftest import EXAMPLES, configure_for, missing
from .stack import AMBIENT_WARNING, NATIVE_SNAPSHOT_TYPE, Stack, project_stack

ROOT = Path(__file__).parents[2]
SCHEDULE_TYPE = "node:index:SnapshotSchedule"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # how `preview --json` shows an unknown value
UPSTREAM = Path(__file__).parent / "typescript" / "index.ts"


@dataclass(frozen=True)
class Example:
    program: Path
    runtime: str
    project: str  # the name in the project's Pulumi.yaml: its config's namespace


EXAMPLES_BY_LANGUAGE = {
    "typescript": Example(EXAMPLES / "typescript", "nodejs", "snapshots-typescript"),
    "go": Example(EXAMPLES / "go", "go", "snapshots-go"),
}


@pytest.fixture(scope="session")
def typescript_installed() -> Path:
    """examples/typescript's node_modules: what tools/check-sdk.sh installs (.ci/run runs it
    first); installed here with the same step when missing."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            missing(f"no {tool}: the TypeScript tests need Node.js >= 20 with npm")
    modules = EXAMPLES / "typescript" / "node_modules"
    if not (modules / "@node-pulumi" / "node" / "index.js").exists():
        subprocess.run(["bash", str(ROOT / "tools" / "check-sdk.sh"), "typescript"], check=True)
    return modules


@pytest.fixture(scope="session")
def go_installed() -> None:
    if shutil.which("go") is None:
        missing("no go: the Go tests need Go, which Pulumi's Go host runs to build the program")


@pytest.fixture(params=sorted(EXAMPLES_BY_LANGUAGE))
def language(request: pytest.FixtureRequest) -> str:
    name = str(request.param)
    request.getfixturevalue(f"{name}_installed")
    return name


@pytest.fixture
def example(language: str) -> Example:
    return EXAMPLES_BY_LANGUAGE[language]


@pytest.fixture
def bare_sdk_stack(example: Example, cli_dir: Path, tmp_path: Path) -> Stack:
    """A new stack of the example, with no node.co.id settings, the plugin installed."""
    for host in (f"pulumi-language-{example.runtime}",):
        if not (cli_dir / host).exists() and shutil.which(host) is None:
            missing(f"no {host}: `bash tools/pulumi-cli.sh` puts Pulumi's hosts beside pulumi")
    stack = project_stack(cli_dir, tmp_path, example.program, example.project, example.runtime)
    return stack.install_plugin()


def configure(stack: Stack, sandbox: Sandbox) -> Stack:
    """Point a stack at the sandbox; the look-up needs the client IP address."""
    configure_for(stack, sandbox)
    stack.config("node:clientIpAddress", "127.0.0.1")
    return stack


@pytest.fixture
def sdk_stack(bare_sdk_stack: Stack, sandbox: Sandbox) -> Stack:
    return configure(bare_sdk_stack, sandbox)


def functions(sandbox: Sandbox) -> list[str]:
    return [c.function for c in sandbox.calls()]


def live(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [s for s in sandbox.snapshots() if s["snapshot_status"] != "deleted"]


def plan(output: str) -> dict[str, dict[str, Any]]:
    """The steps of `preview --json`, by resource name."""
    found, _ = json.JSONDecoder().raw_decode(output[output.index("{") :])
    return {s["urn"].rsplit("::", 1)[1]: s for s in found["steps"]}


def test_preview_without_credentials_plans_both_resources_and_calls_nothing(
    bare_sdk_stack: Stack, sandbox: Sandbox
) -> None:
    output = bare_sdk_stack.run("preview", "--json")
    assert AMBIENT_WARNING not in output
    steps = plan(output)
    snapshot, schedule = steps["before-deploy"], steps["nightly"]
    assert (snapshot["op"], snapshot["newState"]["type"]) == ("create", NATIVE_SNAPSHOT_TYPE)
    assert snapshot["newState"]["inputs"]["serverId"] == "12345"
    assert snapshot["newState"]["inputs"]["triggers"] == ["v1"]  # the config's default
    assert (schedule["op"], schedule["newState"]["type"]) == ("create", SCHEDULE_TYPE)
    assert schedule["newState"]["inputs"]["dailyMaxAge"] == 7
    assert sandbox.calls() == []


def test_up_takes_the_snapshot_and_a_second_up_takes_none(
    sdk_stack: Stack, sandbox: Sandbox
) -> None:
    output = sdk_stack.up()
    assert AMBIENT_WARNING not in output
    (snapshot,) = sandbox.snapshots()
    assert snapshot["server_id"] == "12345"
    (schedule,) = sandbox.schedules()
    assert (schedule["daily_snapshot_max_age"], schedule["weekly_snapshot_max_age"]) == (7, 4)
    assert functions(sandbox).index("create_snapshot") < functions(sandbox).index(
        "get_snapshot_list"
    ), "the look-up waits for the snapshot"
    assert sdk_stack.outputs() == {
        "snapshotId": snapshot["snapshot_id"],
        "snapshotStatus": "active",  # waitUntilActive is true by default
        "dailyMaxAge": 7,
        "snapshotIds": [snapshot["snapshot_id"]],
    }
    (resource,) = sdk_stack.snapshots(NATIVE_SNAPSHOT_TYPE)
    assert resource["id"] == snapshot["snapshot_id"]

    sandbox.clear_calls()
    again = sdk_stack.run("up", "--yes", "--expect-no-changes")
    assert AMBIENT_WARNING not in again
    assert "create_snapshot" not in functions(sandbox)
    assert set(functions(sandbox)) <= {"get_snapshot_list"}, "the look-up only"
    assert len(sandbox.snapshots()) == 1


def test_changed_trigger_takes_a_new_snapshot_before_deleting_the_old(
    example: Example, sdk_stack: Stack, sandbox: Sandbox
) -> None:
    sdk_stack.up()
    (old,) = sandbox.snapshots()
    sdk_stack.config(f"{example.project}:release", "v2")
    sandbox.clear_calls()
    preview = sdk_stack.run("preview", "--diff")
    assert "+-node:index:Snapshot: (replace)" in preview
    assert '~ [0]: "v1" => "v2"' in preview
    assert "create_snapshot" not in functions(sandbox)

    sandbox.clear_calls()
    sdk_stack.up()
    changes = [f for f in functions(sandbox) if f in ("create_snapshot", "delete_snapshot")]
    assert changes == ["create_snapshot", "delete_snapshot"], "new before old is deleted"
    (delete,) = sandbox.calls("delete_snapshot")
    assert delete.params["snapshot_id"] == old["snapshot_id"]
    (new,) = live(sandbox)
    assert new["snapshot_id"] != old["snapshot_id"]
    assert sdk_stack.outputs()["snapshotId"] == new["snapshot_id"]
    (resource,) = sdk_stack.snapshots(NATIVE_SNAPSHOT_TYPE)
    assert resource["inputs"]["triggers"] == ["v2"]
    assert "set_server_snapshot_schedule" not in functions(sandbox), "the schedule is left alone"


def test_refresh_drops_a_snapshot_deleted_out_of_band_and_up_retakes_it(
    sdk_stack: Stack, sandbox: Sandbox
) -> None:
    sdk_stack.up()
    (old,) = sandbox.snapshots()
    sandbox.delete_snapshot_behind_back(str(old["snapshot_id"]))
    sandbox.clear_calls()
    sdk_stack.run("refresh", "--yes", "--skip-preview")
    assert sdk_stack.snapshots(NATIVE_SNAPSHOT_TYPE) == []
    types = [r["type"] for r in sdk_stack.export()["deployment"]["resources"]]
    assert types.count(SCHEDULE_TYPE) == 1, "the schedule stays"
    assert "get_snapshot_detail" in functions(sandbox)
    assert "create_snapshot" not in functions(sandbox)

    sdk_stack.up()
    (new,) = live(sandbox)
    assert sdk_stack.outputs()["snapshotId"] == new["snapshot_id"] != old["snapshot_id"]


def test_destroy_deletes_the_snapshot_and_clears_the_schedule(
    sdk_stack: Stack, sandbox: Sandbox
) -> None:
    sdk_stack.up()
    sandbox.clear_calls()
    sdk_stack.run("destroy", "--yes")
    assert sorted(functions(sandbox)) == ["delete_snapshot", "set_server_snapshot_schedule"]
    (snapshot,) = sandbox.snapshots()
    assert snapshot["snapshot_status"] == "deleted"
    (cleared,) = sandbox.schedules()
    assert [cleared[f"{c}_snapshot"] for c in ("daily", "weekly", "monthly")] == ["no"] * 3
    assert sdk_stack.export()["deployment"].get("resources") in (None, [])


@pytest.fixture
def upstream_program(typescript_installed: Path, tmp_path: Path) -> Iterator[Path]:
    """tests/lifecycle/typescript/index.ts beside examples/typescript's package.json, tsconfig
    and node_modules (linked, not copied)."""
    program = tmp_path / "program"
    program.mkdir()
    shutil.copy(UPSTREAM, program / "index.ts")
    for name in ("package.json", "tsconfig.json"):
        shutil.copy(EXAMPLES / "typescript" / name, program / name)
    os.symlink(typescript_installed, program / "node_modules")
    yield program


def test_typescript_server_id_from_another_resource_is_unknown_at_preview(
    upstream_program: Path, cli_dir: Path, tmp_path: Path, sandbox: Sandbox
) -> None:
    stack = project_stack(cli_dir, tmp_path, upstream_program, "upstream", "nodejs")
    stack.install_plugin()
    steps = plan(stack.run("preview", "--json"))
    assert steps["first"]["newState"]["inputs"]["serverId"] == "12345"
    assert steps["second"]["op"] == "create"
    assert steps["second"]["newState"]["inputs"]["serverId"] == UNKNOWN
    assert sandbox.calls() == []

    configure(stack, sandbox)
    stack.up()
    first, second = sandbox.snapshots()
    assert (first["server_id"], second["server_id"]) == ("12345", "12345")
    creates = sandbox.calls("create_snapshot")
    assert [c.params["server_id"] for c in creates] == ["12345", "12345"]
    resources = {r["urn"].rsplit("::", 1)[1]: r for r in stack.snapshots(NATIVE_SNAPSHOT_TYPE)}
    assert resources["second"]["inputs"]["serverId"] == "12345"
    assert resources["second"]["dependencies"] == [resources["first"]["urn"]]
    assert stack.outputs() == {"firstId": first["snapshot_id"], "secondId": second["snapshot_id"]}
