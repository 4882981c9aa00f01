"""examples/yaml through the real Pulumi CLI and Pulumi YAML's real language host.

The engine runs `pulumi-language-yaml` (tools/pulumi-yaml.sh builds v1.25.0) for the program
and `pulumi-resource-node` from PATH for its resources; the YAML host reads the plugin's schema
to type the program. Nothing here is Python but the plugin itself.
"""

from __future__ import annotations

import json
from typing import Any

from node_pulumi.sandbox import Sandbox

from .stack import NATIVE_SNAPSHOT_TYPE, Stack
from .test_examples import run_recipe_step

PROJECT = "yaml-snapshots"  # the name in examples/yaml/Pulumi.yaml: its config's namespace
SCHEDULE_TYPE = "node:index:SnapshotSchedule"


def functions(sandbox: Sandbox) -> list[str]:
    return [c.function for c in sandbox.calls()]


def live(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [s for s in sandbox.snapshots() if s["snapshot_status"] != "deleted"]


def test_preview_without_credentials_plans_both_resources_and_calls_nothing(
    bare_yaml_stack: Stack, sandbox: Sandbox
) -> None:
    output = bare_yaml_stack.run("preview", "--json")
    # A host found on PATH rather than beside `pulumi` adds a warning after the JSON.
    plan, _ = json.JSONDecoder().raw_decode(output[output.index("{") :])
    steps = {s["urn"].rsplit("::", 1)[1]: s for s in plan["steps"]}
    snapshot, schedule = steps["before-deploy"], steps["nightly"]
    assert (snapshot["op"], snapshot["newState"]["type"]) == ("create", NATIVE_SNAPSHOT_TYPE)
    assert snapshot["newState"]["inputs"]["serverId"] == "12345"
    assert snapshot["newState"]["inputs"]["triggers"] == ["v1"]  # the config's default
    assert (schedule["op"], schedule["newState"]["type"]) == ("create", SCHEDULE_TYPE)
    assert schedule["newState"]["inputs"]["dailyMaxAge"] == 7
    # The YAML recipe's preview step, as written (examples/ci/pulumi-yaml.yml).
    output = run_recipe_step(bare_yaml_stack, "pulumi-yaml.yml", "preview")
    assert "+ node:index:Snapshot: (create)" in output
    assert sandbox.calls() == []


def test_up_takes_the_snapshot_sets_the_schedule_and_exports_outputs(
    yaml_stack: Stack, sandbox: Sandbox
) -> None:
    yaml_stack.up()
    (snapshot,) = sandbox.snapshots()
    assert snapshot["server_id"] == "12345"
    (schedule,) = sandbox.schedules()
    assert (schedule["daily_snapshot_max_age"], schedule["weekly_snapshot_max_age"]) == (7, 4)
    assert yaml_stack.outputs() == {
        "snapshotId": snapshot["snapshot_id"],
        "snapshotStatus": "active",  # waitUntilActive: true
        "dailyMaxAge": 7,
        "weeklyMaxAge": 4,
    }
    (resource,) = yaml_stack.snapshots(NATIVE_SNAPSHOT_TYPE)
    assert resource["id"] == snapshot["snapshot_id"]

    sandbox.clear_calls()
    yaml_stack.run("up", "--yes", "--expect-no-changes")
    assert sandbox.calls() == []


def test_changed_trigger_takes_a_new_snapshot_before_deleting_the_old(
    yaml_stack: Stack, sandbox: Sandbox
) -> None:
    yaml_stack.up()
    (old,) = sandbox.snapshots()
    yaml_stack.config(f"{PROJECT}:release", "v2")
    sandbox.clear_calls()
    preview = yaml_stack.run("preview", "--diff")
    assert "+-node:index:Snapshot: (replace)" in preview
    assert '~ [0]: "v1" => "v2"' in preview
    assert sandbox.calls() == []

    yaml_stack.up()
    calls = sandbox.calls()
    # create_snapshot, its waits, then the old one's delete; the schedule is left alone.
    assert [c.function for c in calls if c.function != "get_snapshot_detail"] == [
        "create_snapshot",
        "delete_snapshot",
    ]
    assert calls[-1].params["snapshot_id"] == old["snapshot_id"]
    (new,) = live(sandbox)
    assert new["snapshot_id"] != old["snapshot_id"]
    assert yaml_stack.outputs()["snapshotId"] == new["snapshot_id"]
    (resource,) = yaml_stack.snapshots(NATIVE_SNAPSHOT_TYPE)
    assert resource["inputs"]["triggers"] == ["v2"]


def test_refresh_drops_a_snapshot_deleted_out_of_band_and_up_retakes_it(
    yaml_stack: Stack, sandbox: Sandbox
) -> None:
    yaml_stack.up()
    (old,) = sandbox.snapshots()
    sandbox.delete_snapshot_behind_back(str(old["snapshot_id"]))
    sandbox.clear_calls()
    yaml_stack.run("refresh", "--yes", "--skip-preview")
    assert yaml_stack.snapshots(NATIVE_SNAPSHOT_TYPE) == []
    assert [r["type"] for r in yaml_stack.export()["deployment"]["resources"]].count(
        SCHEDULE_TYPE
    ) == 1, "the schedule stays"
    assert "get_snapshot_detail" in functions(sandbox)
    assert "create_snapshot" not in functions(sandbox)

    yaml_stack.up()
    (new,) = live(sandbox)
    assert yaml_stack.outputs()["snapshotId"] == new["snapshot_id"] != old["snapshot_id"]


def test_destroy_deletes_the_snapshot_and_clears_the_schedule(
    yaml_stack: Stack, sandbox: Sandbox
) -> None:
    yaml_stack.up()
    sandbox.clear_calls()
    yaml_stack.run("destroy", "--yes")
    assert sorted(functions(sandbox)) == ["delete_snapshot", "set_server_snapshot_schedule"]
    (snapshot,) = sandbox.snapshots()
    assert snapshot["snapshot_status"] == "deleted"
    (cleared,) = sandbox.schedules()
    assert [cleared[f"{c}_snapshot"] for c in ("daily", "weekly", "monthly")] == ["no"] * 3
    assert yaml_stack.export()["deployment"].get("resources") in (None, [])
