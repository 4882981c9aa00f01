"""The Snapshot resource through the real Pulumi engine: preview, up, refresh, replace, destroy."""

from __future__ import annotations

import base64
import json

from node_pulumi.sandbox import Sandbox

from ..conftest import API_KEY
from .stack import SNAPSHOT_TYPE, Stack


def live(sandbox: Sandbox) -> list[dict[str, object]]:
    return [s for s in sandbox.snapshots() if s["snapshot_status"] != "deleted"]


def test_preview_plans_the_create_without_credentials_or_calls(
    bare_stack: Stack, sandbox: Sandbox
) -> None:
    plan = json.loads(bare_stack.run("preview", "--json"))
    steps = [(step["op"], step["urn"].rsplit("::", 1)[-1]) for step in plan["steps"]]
    assert ("create", "snap") in steps
    (snap,) = [s for s in plan["steps"] if s["urn"].endswith("::snap")]
    assert snap["newState"]["type"] == SNAPSHOT_TYPE
    assert sandbox.calls() == []


def test_preview_reports_a_too_long_server_id(bare_stack: Stack, sandbox: Sandbox) -> None:
    bare_stack.config("test:serverId", "x" * 51)
    output = bare_stack.run("preview", ok=False)
    assert "server_id is 51 characters long; the API accepts at most 50" in output
    assert sandbox.calls() == []


def test_up_creates_one_snapshot_and_a_second_up_changes_nothing(
    stack: Stack, sandbox: Sandbox
) -> None:
    stack.up()
    (snapshot,) = sandbox.snapshots()
    assert [c.function for c in sandbox.calls()] == ["create_snapshot"]
    outputs = stack.outputs()
    assert outputs["snapshot_id"] == snapshot["snapshot_id"]
    assert outputs["server_id"] == snapshot["server_id"] == "12345"
    assert outputs["snapshot_status"] == "processing"
    (resource,) = stack.snapshots()
    assert resource["id"] == snapshot["snapshot_id"]

    sandbox.clear_calls()
    stack.run("up", "--yes", "--expect-no-changes")
    assert sandbox.calls() == []
    assert len(sandbox.snapshots()) == 1


def test_waiting_records_the_active_snapshot(stack: Stack, sandbox: Sandbox) -> None:
    stack.config("test:wait", "true")
    stack.up()
    (snapshot,) = sandbox.snapshots()
    (resource,) = stack.snapshots()
    assert resource["outputs"]["snapshot_status"] == "active"
    assert resource["outputs"]["snapshot_name"] == snapshot["snapshot_name"]
    assert resource["outputs"]["created_at"] == snapshot["snapshot_add_time"]


def test_refresh_drops_a_snapshot_deleted_behind_pulumis_back(
    stack: Stack, sandbox: Sandbox
) -> None:
    stack.up()
    (snapshot,) = sandbox.snapshots()
    sandbox.delete_snapshot_behind_back(str(snapshot["snapshot_id"]))
    sandbox.clear_calls()
    stack.run("refresh", "--yes", "--skip-preview")
    assert stack.snapshots() == []
    assert [c.function for c in sandbox.calls()] == ["get_snapshot_detail"]


def test_changed_trigger_creates_the_new_snapshot_before_deleting_the_old(
    stack: Stack, sandbox: Sandbox
) -> None:
    stack.up()
    (old,) = sandbox.snapshots()
    stack.config("test:triggers", '["v2"]')
    sandbox.clear_calls()
    stack.up()
    assert [c.function for c in sandbox.calls()] == ["create_snapshot", "delete_snapshot"]
    (new,) = live(sandbox)
    assert new["snapshot_id"] != old["snapshot_id"]
    assert stack.outputs()["snapshot_id"] == new["snapshot_id"]


def test_retain_on_delete_keeps_the_old_snapshot(stack: Stack, sandbox: Sandbox) -> None:
    stack.config("test:retain", "true")
    stack.up()
    stack.config("test:triggers", '["v2"]')
    stack.up()
    assert len(live(sandbox)) == 2
    stack.run("destroy", "--yes")
    assert len(live(sandbox)) == 2
    assert "delete_snapshot" not in [c.function for c in sandbox.calls()]


def test_changed_server_id_replaces(stack: Stack, sandbox: Sandbox) -> None:
    stack.up()
    stack.config("test:serverId", "67890")
    stack.up()
    (new,) = live(sandbox)
    assert new["server_id"] == "67890"
    assert stack.outputs()["server_id"] == "67890"


def test_destroy_deletes_the_snapshot(stack: Stack, sandbox: Sandbox) -> None:
    stack.up()
    stack.run("destroy", "--yes")
    (snapshot,) = sandbox.snapshots()
    assert snapshot["snapshot_status"] == "deleted"
    assert stack.snapshots() == []


def test_whole_cycle_in_xml(stack: Stack, sandbox: Sandbox) -> None:
    stack.config("node:format", "xml")
    stack.config("test:wait", "true")
    stack.up()
    stack.run("refresh", "--yes", "--expect-no-changes")
    stack.config("test:triggers", '["v2"]')
    stack.up()
    stack.run("destroy", "--yes")
    assert {c.format for c in sandbox.calls()} == {"xml"}
    assert {s["snapshot_status"] for s in sandbox.snapshots()} == {"deleted"}
    assert len(sandbox.snapshots()) == 2


def test_snapshot_get_adopts_an_existing_snapshot(stack: Stack, sandbox: Sandbox) -> None:
    stack.up()
    (ours,) = sandbox.snapshots()
    stack.config("test:adopt", str(ours["snapshot_id"]))
    sandbox.clear_calls()
    stack.up()
    outputs = stack.outputs()
    assert outputs["adopted_id"] == ours["snapshot_id"]
    assert outputs["adopted_server_id"] == "12345"
    assert outputs["adopted_status"] in ("processing", "active")
    assert [c.function for c in sandbox.calls()] == ["get_snapshot_detail"]
    stack.run("destroy", "--yes")
    assert len(sandbox.snapshots()) == 1


def _assert_key_absent(stack: Stack, *outputs: str) -> None:
    """The key is in no CLI output, no export, no stored provider and no file of the backend."""
    for text in outputs:
        assert API_KEY not in text
    assert API_KEY not in json.dumps(stack.export())
    revealed = stack.export(show_secrets=True)
    providers = [
        r["inputs"]["__provider"]
        for r in revealed["deployment"]["resources"]
        if r["type"] == SNAPSHOT_TYPE
    ]
    assert providers
    for provider in providers:
        if isinstance(provider, dict):  # a revealed secret: {<sig>: ..., "plaintext": "<json>"}
            provider = json.loads(provider["plaintext"])
        pickled = base64.b64decode(provider)
        assert API_KEY.encode() not in pickled
        assert len(pickled) < 512
    state_files = [p for p in stack.backend.rglob("*") if p.is_file()]
    assert state_files
    for path in state_files:
        assert API_KEY.encode() not in path.read_bytes(), path


def test_secret_key_from_config_stays_out_of_state_and_output(
    stack: Stack, sandbox: Sandbox
) -> None:
    up = stack.up()
    refresh = stack.run("refresh", "--yes")
    _assert_key_absent(stack, up, refresh)
    assert API_KEY not in stack.run("destroy", "--yes")
    assert len(sandbox.snapshots()) == 1


def test_key_from_environment_stays_out_of_state_and_output(
    bare_stack: Stack, sandbox: Sandbox
) -> None:
    bare_stack.config("node:userId", "10001")
    bare_stack.config("node:endpoint", sandbox.url)
    env = {"NODE_API_KEY": API_KEY}
    up = bare_stack.run("up", "--yes", env=env)
    refresh = bare_stack.run("refresh", "--yes", env=env)
    assert len(sandbox.snapshots()) == 1
    _assert_key_absent(bare_stack, up, refresh)


def test_missing_key_at_up_names_the_settings(bare_stack: Stack, sandbox: Sandbox) -> None:
    bare_stack.config("node:userId", "10001")
    bare_stack.config("node:endpoint", sandbox.url)
    output = bare_stack.run("up", "--yes", ok=False)
    assert "node:apiKey" in output and "NODE_API_KEY" in output
    assert sandbox.calls() == []


def test_api_failure_during_up_is_readable_and_the_rerun_converges(
    stack: Stack, sandbox: Sandbox
) -> None:
    sandbox.set_fault(
        "create_snapshot", error=("SERVER_BUSY", "Server is busy, try later."), times=1
    )
    output = stack.up(ok=False)
    assert "SERVER_BUSY" in output and "Server is busy, try later." in output
    assert stack.snapshots() == []
    assert sandbox.snapshots() == []
    stack.up()
    (snapshot,) = sandbox.snapshots()
    (resource,) = stack.snapshots()
    assert resource["id"] == snapshot["snapshot_id"]
