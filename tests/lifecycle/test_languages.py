"""The example program of every language through the real CLI, Pulumi's real hosts and the
sandbox: examples/python (`node_pulumi.native`), examples/typescript, examples/go and
examples/yaml, each test once per language.

The engine runs Pulumi's own host for the language (`pulumi-language-python`, `-nodejs`, which
compiles TypeScript with the ts-node @pulumi/pulumi brings, `-go`, which runs `go build`, and
Pulumi YAML's `-yaml`, which reads the plugin's schema), and `pulumi-resource-node` from the
stack's own plugin cache, installed there (Stack.install_plugin) before the test: these tests are
about what the programs do. How a user gets the plugin (`pulumi package add`, the automatic
download) is test_plugin_acquisition.py's.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from node_pulumi.sandbox import Sandbox

from ..seen import functions, live
from .conftest import EXAMPLES, configure_for
from .languages import EXAMPLES_BY_LANGUAGE, Example, typescript_installed
from .stack import AMBIENT_WARNING, NATIVE_SNAPSHOT_TYPE, Stack, project_stack
from .test_examples import run_recipe_step

SCHEDULE_TYPE = "node:index:SnapshotSchedule"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # how `preview --json` shows an unknown value
UPSTREAM = Path(__file__).parent / "typescript" / "index.ts"


@pytest.fixture(params=sorted(EXAMPLES_BY_LANGUAGE))
def example(request: pytest.FixtureRequest) -> Example:
    return EXAMPLES_BY_LANGUAGE[str(request.param)]


@pytest.fixture
def bare_example_stack(example: Example, cli_dir: Path, tmp_path: Path) -> Stack:
    """A new stack of the example, with no node.co.id settings, the plugin in its cache."""
    return example.stack(cli_dir, tmp_path).install_plugin()


def configure(stack: Stack, sandbox: Sandbox) -> Stack:
    """Point a stack at the sandbox; the look-up needs the client IP address."""
    return configure_for(stack, sandbox, **{"node:clientIpAddress": "127.0.0.1"})


@pytest.fixture
def example_stack(bare_example_stack: Stack, sandbox: Sandbox) -> Stack:
    return configure(bare_example_stack, sandbox)


def plan(output: str) -> dict[str, dict[str, Any]]:
    """The steps of `preview --json`, by resource name."""
    found, _ = json.JSONDecoder().raw_decode(output[output.index("{") :])
    return {s["urn"].rsplit("::", 1)[1]: s for s in found["steps"]}


def test_preview_without_credentials_plans_both_resources_and_calls_nothing(
    example: Example, bare_example_stack: Stack, sandbox: Sandbox
) -> None:
    output = bare_example_stack.run("preview", "--json")
    assert AMBIENT_WARNING not in output
    steps = plan(output)
    snapshot, schedule = steps["before-deploy"], steps["nightly"]
    assert (snapshot["op"], snapshot["newState"]["type"]) == ("create", NATIVE_SNAPSHOT_TYPE)
    assert snapshot["newState"]["inputs"]["serverId"] == "12345"
    assert snapshot["newState"]["inputs"]["triggers"] == ["v1"]  # the config's default
    assert (schedule["op"], schedule["newState"]["type"]) == ("create", SCHEDULE_TYPE)
    assert schedule["newState"]["inputs"]["dailyMaxAge"] == 7
    if example.language == "yaml":
        # The YAML recipe's preview step, as written (examples/ci/pulumi-yaml.yml).
        output = run_recipe_step(bare_example_stack, "pulumi-yaml.yml", "preview")
        assert "+ node:index:Snapshot: (create)" in output
    assert sandbox.calls() == []


def test_up_takes_the_snapshot_and_a_second_up_takes_none(
    example: Example, example_stack: Stack, sandbox: Sandbox
) -> None:
    output = example_stack.up()
    assert AMBIENT_WARNING not in output
    (snapshot,) = sandbox.snapshots()
    assert snapshot["server_id"] == "12345"
    (schedule,) = sandbox.schedules()
    assert (schedule["daily_snapshot_max_age"], schedule["weekly_snapshot_max_age"]) == (7, 4)
    outputs = example_stack.outputs()
    assert outputs["snapshotId"] == snapshot["snapshot_id"]
    assert outputs["snapshotStatus"] == "active"  # waitUntilActive is true by default
    assert outputs["dailyMaxAge"] == 7
    if example.lookup:
        assert functions(sandbox).index("create_snapshot") < functions(sandbox).index(
            "get_snapshot_list"
        ), "the look-up waits for the snapshot"
        assert outputs["snapshotIds"] == [snapshot["snapshot_id"]]
    (resource,) = example_stack.snapshots(NATIVE_SNAPSHOT_TYPE)
    assert resource["id"] == snapshot["snapshot_id"]

    sandbox.clear_calls()
    again = example_stack.run("up", "--yes", "--expect-no-changes")
    assert AMBIENT_WARNING not in again
    expected = {"get_snapshot_list"} if example.lookup else set()
    assert set(functions(sandbox)) == expected, "the look-up only (in preview and up)"
    assert len(sandbox.snapshots()) == 1


def test_changed_trigger_takes_a_new_snapshot_before_deleting_the_old(
    example: Example, example_stack: Stack, sandbox: Sandbox
) -> None:
    example_stack.up()
    (old,) = sandbox.snapshots()
    example_stack.config(f"{example.project}:release", "v2")
    sandbox.clear_calls()
    preview = example_stack.run("preview", "--diff")
    assert "+-node:index:Snapshot: (replace)" in preview
    assert '~ [0]: "v1" => "v2"' in preview
    assert "create_snapshot" not in functions(sandbox)

    sandbox.clear_calls()
    example_stack.up()
    changes = [f for f in functions(sandbox) if f in ("create_snapshot", "delete_snapshot")]
    assert changes == ["create_snapshot", "delete_snapshot"], "new before old is deleted"
    (delete,) = sandbox.calls("delete_snapshot")
    assert delete.params["snapshot_id"] == old["snapshot_id"]
    (new,) = live(sandbox)
    assert new["snapshot_id"] != old["snapshot_id"]
    assert example_stack.outputs()["snapshotId"] == new["snapshot_id"]
    (resource,) = example_stack.snapshots(NATIVE_SNAPSHOT_TYPE)
    assert resource["inputs"]["triggers"] == ["v2"]
    assert "set_server_snapshot_schedule" not in functions(sandbox), "the schedule is left alone"


def test_refresh_drops_a_snapshot_deleted_out_of_band_and_up_retakes_it(
    example_stack: Stack, sandbox: Sandbox
) -> None:
    example_stack.up()
    (old,) = sandbox.snapshots()
    sandbox.delete_snapshot_behind_back(str(old["snapshot_id"]))
    sandbox.clear_calls()
    example_stack.run("refresh", "--yes", "--skip-preview")
    assert example_stack.snapshots(NATIVE_SNAPSHOT_TYPE) == []
    types = [r["type"] for r in example_stack.export()["deployment"]["resources"]]
    assert types.count(SCHEDULE_TYPE) == 1, "the schedule stays"
    assert "get_snapshot_detail" in functions(sandbox)
    assert "create_snapshot" not in functions(sandbox)

    example_stack.up()
    (new,) = live(sandbox)
    assert example_stack.outputs()["snapshotId"] == new["snapshot_id"] != old["snapshot_id"]


def test_destroy_deletes_the_snapshot_and_clears_the_schedule(
    example_stack: Stack, sandbox: Sandbox
) -> None:
    example_stack.up()
    sandbox.clear_calls()
    example_stack.run("destroy", "--yes")
    assert sorted(functions(sandbox)) == ["delete_snapshot", "set_server_snapshot_schedule"]
    (snapshot,) = sandbox.snapshots()
    assert snapshot["snapshot_status"] == "deleted"
    (cleared,) = sandbox.schedules()
    assert [cleared[f"{c}_snapshot"] for c in ("daily", "weekly", "monthly")] == ["no"] * 3
    assert example_stack.export()["deployment"].get("resources") in (None, [])


@pytest.fixture
def upstream_program(tmp_path: Path) -> Iterator[Path]:
    """tests/lifecycle/typescript/index.ts beside examples/typescript's package.json, tsconfig
    and node_modules (linked, not copied)."""
    if shutil.which("npm") is None:
        pytest.skip("no npm")
    program = tmp_path / "program"
    program.mkdir()
    shutil.copy(UPSTREAM, program / "index.ts")
    for name in ("package.json", "tsconfig.json"):
        shutil.copy(EXAMPLES / "typescript" / name, program / name)
    os.symlink(typescript_installed(), program / "node_modules")
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
