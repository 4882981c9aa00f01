"""The provider plugin (`node_pulumi.native`) through the real Pulumi engine: issue 3's lifecycle.

The engine runs `pulumi-resource-node` from the plugin cache, installed the documented way
(Stack.install_plugin), with no language host in between; the program is Python, run by Pulumi's
Python host. TypeScript and Go: test_sdk_examples.py; YAML: test_yaml.py.
"""

from __future__ import annotations

import json

from node_pulumi.sandbox import Sandbox

from ..conftest import API_KEY, USER_ID
from .stack import NATIVE_SNAPSHOT_TYPE, Stack
from .test_engine_values import PLAINTEXT_WARNING, warnings


def live(sandbox: Sandbox) -> list[dict[str, object]]:
    return [s for s in sandbox.snapshots() if s["snapshot_status"] != "deleted"]


def functions(sandbox: Sandbox) -> list[str]:
    return [c.function for c in sandbox.calls()]


def snapshots(stack: Stack) -> list[dict[str, object]]:
    return stack.snapshots(NATIVE_SNAPSHOT_TYPE)


def test_preview_plans_the_create_without_credentials_or_calls(
    bare_native_stack: Stack, sandbox: Sandbox
) -> None:
    output = bare_native_stack.run("preview", "--json")
    plan = json.loads(output[output.index("{") :])
    (snap,) = [s for s in plan["steps"] if s["urn"].endswith("::snap")]
    assert snap["op"] == "create"
    assert snap["newState"]["type"] == NATIVE_SNAPSHOT_TYPE
    assert snap["newState"]["inputs"]["serverId"] == "12345"
    assert sandbox.calls() == []


def test_preview_reports_bad_input_in_the_schemas_names(
    bare_native_stack: Stack, sandbox: Sandbox
) -> None:
    bare_native_stack.config("test:serverId", "x" * 51)
    output = bare_native_stack.run("preview", ok=False)
    assert "serverId is 51 characters long; the API accepts at most 50" in output
    assert "Traceback" not in output
    assert sandbox.calls() == []


def test_inputs_unknown_at_preview_pass_and_are_checked_at_up(
    bare_native_stack: Stack, sandbox: Sandbox
) -> None:
    bare_native_stack.config("test:upstream", "true")
    output = bare_native_stack.run("preview", "--json")
    plan = json.loads(output[output.index("{") :])
    (snap,) = [s for s in plan["steps"] if s["urn"].endswith("::snap")]
    assert snap["op"] == "create"
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    assert snap["newState"]["inputs"]["serverId"] == unknown
    assert snap["newState"]["inputs"]["triggers"] == [unknown]
    assert sandbox.calls() == []

    stack = bare_native_stack
    stack.config("node:userId", USER_ID)
    stack.config("node:apiKey", API_KEY, secret=True)
    stack.config("node:endpoint", sandbox.url)
    stack.up()
    assert functions(sandbox) == ["create_snapshot", "create_snapshot"]
    assert {s["server_id"] for s in live(sandbox)} == {"12345"}
    (upstream,) = [r for r in snapshots(stack) if r["urn"].endswith("::upstream")]
    (snap,) = [r for r in snapshots(stack) if r["urn"].endswith("::snap")]
    assert snap["inputs"]["triggers"] == [upstream["id"]]


def test_up_creates_one_snapshot_and_a_second_up_changes_nothing(
    native_stack: Stack, sandbox: Sandbox
) -> None:
    up = native_stack.up()
    (snapshot,) = sandbox.snapshots()
    assert functions(sandbox) == ["create_snapshot"]
    # The line naming the snapshot, on the resource's row (repeated under Diagnostics).
    assert f"snapshot {snapshot['snapshot_id']} of server 12345 created" in up
    outputs = native_stack.outputs()
    assert outputs["snapshot_id"] == snapshot["snapshot_id"]
    assert outputs["server_id"] == "12345"
    assert outputs["snapshot_status"] == "processing"
    (resource,) = snapshots(native_stack)
    assert resource["id"] == snapshot["snapshot_id"]

    sandbox.clear_calls()
    native_stack.run("up", "--yes", "--expect-no-changes")
    assert sandbox.calls() == []
    assert len(sandbox.snapshots()) == 1


def test_waiting_records_the_active_snapshot(native_stack: Stack, sandbox: Sandbox) -> None:
    native_stack.config("test:wait", "true")
    native_stack.up()
    (snapshot,) = sandbox.snapshots()
    (resource,) = snapshots(native_stack)
    assert resource["outputs"]["snapshotStatus"] == "active"
    assert resource["outputs"]["snapshotName"] == snapshot["snapshot_name"]
    assert resource["outputs"]["createdAt"] == snapshot["snapshot_add_time"]
    assert "initErrors" not in resource


def test_refresh_drops_a_snapshot_deleted_behind_pulumis_back(
    native_stack: Stack, sandbox: Sandbox
) -> None:
    native_stack.up()
    (snapshot,) = sandbox.snapshots()
    sandbox.delete_snapshot_behind_back(str(snapshot["snapshot_id"]))
    sandbox.clear_calls()
    native_stack.run("refresh", "--yes", "--skip-preview")
    assert snapshots(native_stack) == []
    assert functions(sandbox) == ["get_snapshot_detail"]


def test_changed_trigger_names_it_and_creates_before_deleting(
    native_stack: Stack, sandbox: Sandbox
) -> None:
    native_stack.up()
    (old,) = sandbox.snapshots()
    native_stack.config("test:triggers", '["v2"]')
    sandbox.clear_calls()
    preview = native_stack.run("preview", "--diff")
    assert "+-node:index:Snapshot: (replace)" in preview
    assert "~ triggers: [" in preview
    assert "[diff: ~triggers]" in native_stack.run("preview")  # the detailed diff's summary
    assert sandbox.calls() == []
    native_stack.up()
    assert functions(sandbox) == ["create_snapshot", "delete_snapshot"]
    (new,) = live(sandbox)
    assert new["snapshot_id"] != old["snapshot_id"]
    assert native_stack.outputs()["snapshot_id"] == new["snapshot_id"]


def test_a_changed_wait_setting_updates_in_place_with_no_call(
    native_stack: Stack, sandbox: Sandbox
) -> None:
    native_stack.config("test:wait", "true")
    native_stack.up()
    native_stack.config("test:waitTimeout", "600")
    sandbox.clear_calls()
    up = native_stack.up()
    assert "1 updated" in up
    assert sandbox.calls() == []
    (resource,) = snapshots(native_stack)
    assert resource["outputs"]["waitTimeout"] == 600
    assert resource["outputs"]["snapshotStatus"] == "active"


def test_retain_on_delete_keeps_the_old_snapshot(native_stack: Stack, sandbox: Sandbox) -> None:
    native_stack.config("test:retain", "true")
    native_stack.up()
    native_stack.config("test:triggers", '["v2"]')
    native_stack.up()
    assert len(live(sandbox)) == 2
    native_stack.run("destroy", "--yes")
    assert len(live(sandbox)) == 2
    assert "delete_snapshot" not in functions(sandbox)


def test_changed_server_id_replaces(native_stack: Stack, sandbox: Sandbox) -> None:
    native_stack.up()
    native_stack.config("test:serverId", "67890")
    native_stack.up()
    (new,) = live(sandbox)
    assert new["server_id"] == "67890"
    assert native_stack.outputs()["server_id"] == "67890"


def test_destroy_deletes_the_snapshot(native_stack: Stack, sandbox: Sandbox) -> None:
    native_stack.up()
    native_stack.run("destroy", "--yes")
    (snapshot,) = sandbox.snapshots()
    assert snapshot["snapshot_status"] == "deleted"
    assert snapshots(native_stack) == []


def test_whole_cycle_in_xml(native_stack: Stack, sandbox: Sandbox) -> None:
    native_stack.config("node:format", "xml")
    native_stack.config("test:wait", "true")
    native_stack.up()
    native_stack.run("refresh", "--yes", "--expect-no-changes")
    native_stack.config("test:triggers", '["v2"]')
    native_stack.up()
    native_stack.run("destroy", "--yes")
    assert {c.format for c in sandbox.calls()} == {"xml"}
    assert {s["snapshot_status"] for s in sandbox.snapshots()} == {"deleted"}
    assert len(sandbox.snapshots()) == 2


def test_import_adopts_a_snapshot_by_id(native_stack: Stack, sandbox: Sandbox) -> None:
    native_stack.up()
    (ours,) = sandbox.snapshots()
    sandbox.clear_calls()
    imported_output = native_stack.run(
        "import",
        NATIVE_SNAPSHOT_TYPE,
        "imported",
        str(ours["snapshot_id"]),
        "--yes",
    )
    # Pulumi's Python host writes the program code for it (schema and all: no
    # --generate-code=false needed).
    assert 'node.Snapshot("imported", server_id="12345"' in imported_output
    assert set(functions(sandbox)) == {"get_snapshot_detail"}
    (imported,) = [r for r in snapshots(native_stack) if r["urn"].endswith("::imported")]
    assert imported["id"] == ours["snapshot_id"]
    assert imported["outputs"]["serverId"] == "12345"
    assert imported["inputs"] == {"serverId": "12345"}

    missing = native_stack.run(
        "import",
        NATIVE_SNAPSHOT_TYPE,
        "missing",
        "no-such-snapshot",
        "--yes",
        ok=False,
    )
    assert "no-such-snapshot" in missing and "does not exist" in missing


def test_snapshot_get_adopts_an_existing_snapshot(native_stack: Stack, sandbox: Sandbox) -> None:
    native_stack.up()
    (ours,) = sandbox.snapshots()
    native_stack.config("test:adopt", str(ours["snapshot_id"]))
    sandbox.clear_calls()
    native_stack.up()
    outputs = native_stack.outputs()
    assert outputs["adopted_id"] == ours["snapshot_id"]
    assert outputs["adopted_server_id"] == "12345"
    assert functions(sandbox) == ["get_snapshot_detail"]
    native_stack.run("destroy", "--yes")
    assert len(sandbox.snapshots()) == 1


def test_schedule_sets_updates_and_clears_the_servers_cycles(
    native_stack: Stack, sandbox: Sandbox
) -> None:
    native_stack.config("test:dailyMaxAge", "7")
    native_stack.up()
    (schedule,) = sandbox.schedules()
    assert (schedule["daily_snapshot_max_age"], schedule["weekly_snapshot_max_age"]) == (7, 4)
    outputs = native_stack.outputs()
    assert (outputs["schedule_daily"], outputs["schedule_weekly"]) == (7, 4)

    native_stack.config("test:dailyMaxAge", "3")
    sandbox.clear_calls()
    up = native_stack.up()
    assert "1 updated" in up
    assert functions(sandbox) == ["set_server_snapshot_schedule"]
    assert sandbox.schedules()[0]["daily_snapshot_max_age"] == 3

    native_stack.run("destroy", "--yes")
    (cleared,) = sandbox.schedules()
    assert [cleared[f"{c}_snapshot"] for c in ("daily", "weekly", "monthly")] == ["no"] * 3


def test_get_snapshots_lists_the_servers_snapshots(native_stack: Stack, sandbox: Sandbox) -> None:
    native_stack.config("node:clientIpAddress", "203.0.113.7")
    native_stack.config("test:lookup", "true")
    native_stack.up()
    (snapshot,) = sandbox.snapshots()
    assert native_stack.outputs()["found"] == [[snapshot["snapshot_id"], "12345"]]
    assert "get_snapshot_list" in functions(sandbox)


def _assert_key_absent(stack: Stack, *outputs: str) -> None:
    """The key is in no CLI output, no export and no file of the backend, and the provider's
    stored `apiKey` is a secret."""
    for text in outputs:
        assert API_KEY not in text
    assert API_KEY not in json.dumps(stack.export())
    state_files = [p for p in stack.backend.rglob("*") if p.is_file()]
    assert state_files
    for path in state_files:
        assert API_KEY.encode() not in path.read_bytes(), path


def test_secret_key_from_config_stays_out_of_state_and_output(
    native_stack: Stack, sandbox: Sandbox
) -> None:
    up = native_stack.up()
    refresh = native_stack.run("refresh", "--yes")
    _assert_key_absent(native_stack, up, refresh)
    assert API_KEY not in native_stack.run("destroy", "--yes")
    assert len(sandbox.snapshots()) == 1


def test_plaintext_key_in_config_is_still_stored_encrypted(
    bare_native_stack: Stack, sandbox: Sandbox
) -> None:
    stack = bare_native_stack
    stack.config("node:userId", USER_ID)
    stack.config("node:apiKey", API_KEY)  # no --secret
    stack.config("node:endpoint", sandbox.url)
    # The stack's settings file still holds it in plaintext: the program says so, once.
    (warning,) = [w for w in warnings(stack.run("preview", "--json")) if PLAINTEXT_WARNING in w]
    assert "pulumi config set --secret node:apiKey" in warning
    up = stack.up()
    refresh = stack.run("refresh", "--yes")
    assert len(live(sandbox)) == 1
    for text in (up, refresh, json.dumps(stack.export())):
        assert API_KEY not in text
    state = [p for p in stack.backend.rglob("*.json") if "stacks" in p.parts]
    assert state and all(API_KEY.encode() not in p.read_bytes() for p in state)


def test_explicit_provider_uses_its_own_credentials(
    bare_native_stack: Stack, sandbox: Sandbox
) -> None:
    stack = bare_native_stack
    stack.config("node:userId", "99999")  # the stack's own settings are wrong: never used
    stack.config("node:endpoint", "http://127.0.0.1:9/api/v1/")
    stack.config("test:provider", sandbox.url)
    stack.config("test:providerUserId", USER_ID)
    stack.config("test:providerApiKey", API_KEY, secret=True)
    up = stack.up()
    (snapshot,) = live(sandbox)
    (resource,) = snapshots(stack)
    assert resource["id"] == snapshot["snapshot_id"]
    assert "::pulumi:providers:node::explicit::" in resource["provider"]
    _assert_key_absent(stack, up)
    sandbox.clear_calls()
    stack.run("up", "--yes", "--expect-no-changes")
    assert sandbox.calls() == []
    stack.config("test:providerTimeout", "30")  # a new setting updates the provider in place
    stack.up()
    assert sandbox.calls() == []
    assert [r["id"] for r in snapshots(stack)] == [snapshot["snapshot_id"]]
    stack.run("destroy", "--yes")
    assert live(sandbox) == []
