"""The Snapshot resource through the real Pulumi engine, once per door: preview, up, refresh,
replace, adopt, schedule, look-up, destroy, and the API key kept out of state.

Each test takes the `door` fixture and so runs for the dynamic resources and for the plugin
(door.py). What only one door has is in test_plugin*.py (the plugin) and test_interrupt.py (the
dynamic door's Ctrl-C).
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from typing import Any

from node_pulumi.sandbox import Sandbox

from ..conftest import API_KEY, USER_ID
from ..seen import functions, live
from .conftest import CLIENT_IP, configure_for
from .door import Door
from .stack import Stack

SECRET_SIG = "4dabf18193072939515e22adb298388d"  # marks a secret in Pulumi's state
NO_CREDENTIALS = "get_snapshots: no node.co.id credentials in this preview"
PLAINTEXT_WARNING = "stack config 'node:apiKey' is stored in plaintext"


def warnings(output: str) -> list[str]:
    """The warnings of `preview --json` (one document) or `up --json` (a JSON engine event per
    line); what is not JSON around them (the plugin's PATH warning, on stderr) is skipped."""
    events = []
    for line in output.splitlines():
        with contextlib.suppress(ValueError):
            event = json.loads(line)
            if isinstance(event, dict) and "sequence" in event:
                events.append(event)
    if events:
        diagnostics = [e["diagnosticEvent"] for e in events if "diagnosticEvent" in e]
    else:
        diagnostics = plan(output).get("diagnostics") or []
    return [d["message"] for d in diagnostics if d["severity"] == "warning"]


def plan(output: str) -> dict[str, Any]:
    """The JSON plan of `preview --json` (the plugin's PATH warning may come before or after)."""
    document, _ = json.JSONDecoder().raw_decode(output[output.index("{") :])
    return dict(document)


def test_preview_plans_the_create_without_credentials_and_reports_bad_input(
    door: Door, bare_door_stack: Stack, sandbox: Sandbox
) -> None:
    stack = bare_door_stack
    (snap,) = [
        s for s in plan(stack.run("preview", "--json"))["steps"] if s["urn"].endswith("::snap")
    ]
    assert snap["op"] == "create"
    assert snap["newState"]["type"] == door.snapshot_type
    assert snap["newState"]["inputs"][door.key("server_id")] == "12345"

    stack.config("test:serverId", "x" * 51)
    output = stack.run("preview", ok=False)
    # In the door's own names: the plugin's users read the schema's.
    assert f"{door.key('server_id')} is 51 characters long; the API accepts at most 50" in output
    assert "Traceback" not in output
    assert sandbox.calls() == []


def test_up_creates_one_snapshot_a_second_up_changes_nothing_and_destroy_deletes_it(
    door: Door, door_stack: Stack, sandbox: Sandbox
) -> None:
    stack = door_stack
    up = stack.up()
    (snapshot,) = sandbox.snapshots()
    assert functions(sandbox) == ["create_snapshot"]
    # The line naming the snapshot the moment it exists (test_interrupt.py shows why).
    assert f"node: snapshot {snapshot['snapshot_id']} of server 12345 created" in up
    outputs = stack.outputs()
    assert outputs["snapshot_id"] == snapshot["snapshot_id"]
    assert outputs["server_id"] == snapshot["server_id"] == "12345"
    assert outputs["snapshot_status"] == "processing"
    (resource,) = door.snapshots(stack)
    assert resource["id"] == snapshot["snapshot_id"]

    sandbox.clear_calls()
    stack.run("up", "--yes", "--expect-no-changes")
    assert sandbox.calls() == []

    stack.run("destroy", "--yes")
    assert functions(sandbox) == ["delete_snapshot"]
    (snapshot,) = sandbox.snapshots()
    assert snapshot["snapshot_status"] == "deleted"
    assert door.snapshots(stack) == []


def test_refresh_drops_a_snapshot_deleted_behind_pulumis_back(
    door: Door, door_stack: Stack, sandbox: Sandbox
) -> None:
    door_stack.up()
    (snapshot,) = sandbox.snapshots()
    sandbox.delete_snapshot_behind_back(str(snapshot["snapshot_id"]))
    sandbox.clear_calls()
    door_stack.run("refresh", "--yes", "--skip-preview")
    assert door.snapshots(door_stack) == []
    assert functions(sandbox) == ["get_snapshot_detail"]


def test_a_changed_trigger_or_server_id_replaces_creating_before_deleting(
    door: Door, door_stack: Stack, sandbox: Sandbox
) -> None:
    stack = door_stack
    stack.up()
    (old,) = sandbox.snapshots()
    stack.config("test:triggers", '["v2"]')
    sandbox.clear_calls()
    preview = stack.run("preview", "--diff")
    assert f"+-{door.snapshot_type}: (replace)" in preview
    assert re.search(r'~ triggers *: \[\n +~ \[0\]: "v1" => "v2"', preview), preview
    assert "[diff: ~triggers]" in stack.run("preview")  # the detailed diff's summary
    assert sandbox.calls() == []
    stack.up()
    assert functions(sandbox) == ["create_snapshot", "delete_snapshot"]
    (new,) = live(sandbox)
    assert new["snapshot_id"] != old["snapshot_id"]
    assert stack.outputs()["snapshot_id"] == new["snapshot_id"]

    stack.config("test:serverId", "67890")
    sandbox.clear_calls()
    stack.up()
    assert functions(sandbox) == ["create_snapshot", "delete_snapshot"]
    (newest,) = live(sandbox)
    assert newest["server_id"] == "67890"
    assert stack.outputs()["server_id"] == "67890"


def test_a_changed_wait_setting_updates_in_place_with_no_call(
    door: Door, door_stack: Stack, sandbox: Sandbox
) -> None:
    stack = door_stack
    stack.config("test:wait", "true")
    stack.up()
    stack.config("test:waitTimeout", "600")
    sandbox.clear_calls()
    assert "1 updated" in stack.up()
    assert sandbox.calls() == []
    (resource,) = door.snapshots(stack)
    assert resource["outputs"][door.key("wait_timeout")] == 600
    assert resource["outputs"][door.key("snapshot_status")] == "active"


def test_retain_on_delete_keeps_the_old_snapshot(
    door: Door, door_stack: Stack, sandbox: Sandbox
) -> None:
    stack = door_stack
    stack.config("test:retain", "true")
    stack.up()
    stack.config("test:triggers", '["v2"]')
    stack.up()
    assert len(live(sandbox)) == 2
    stack.run("destroy", "--yes")
    assert len(live(sandbox)) == 2
    assert "delete_snapshot" not in functions(sandbox)


def test_whole_cycle_in_xml_waiting_records_the_active_snapshot(
    door: Door, door_stack: Stack, sandbox: Sandbox
) -> None:
    stack = door_stack
    stack.run("config", "set-all", "--plaintext=node:format=xml", "--plaintext=test:wait=true")
    stack.up()
    (snapshot,) = sandbox.snapshots()
    (resource,) = door.snapshots(stack)
    outputs = resource["outputs"]
    assert outputs[door.key("snapshot_status")] == "active"
    assert outputs[door.key("snapshot_name")] == snapshot["snapshot_name"]
    assert outputs[door.key("created_at")] == snapshot["snapshot_add_time"]
    assert "initErrors" not in resource
    stack.run("refresh", "--yes", "--expect-no-changes")
    stack.config("test:triggers", '["v2"]')
    stack.up()
    stack.run("destroy", "--yes")
    assert {c.format for c in sandbox.calls()} == {"xml"}
    assert {s["snapshot_status"] for s in sandbox.snapshots()} == {"deleted"}
    assert len(sandbox.snapshots()) == 2


def test_snapshot_get_adopts_an_existing_snapshot(
    door: Door, door_stack: Stack, sandbox: Sandbox
) -> None:
    stack = door_stack
    stack.up()
    (ours,) = sandbox.snapshots()
    stack.config("test:adopt", str(ours["snapshot_id"]))
    sandbox.clear_calls()
    stack.up()
    outputs = stack.outputs()
    assert outputs["adopted_id"] == ours["snapshot_id"]
    assert outputs["adopted_server_id"] == "12345"
    assert outputs["adopted_status"] == "active"  # as read now, not as created
    assert functions(sandbox) == ["get_snapshot_detail"]
    stack.run("destroy", "--yes")
    assert len(sandbox.snapshots()) == 1


def test_schedule_sets_updates_and_clears_the_servers_cycles(
    door: Door, door_stack: Stack, sandbox: Sandbox
) -> None:
    stack = door_stack
    stack.config("test:dailyMaxAge", "7")
    stack.up()
    (schedule,) = sandbox.schedules()
    assert (schedule["daily_snapshot_max_age"], schedule["weekly_snapshot_max_age"]) == (7, 4)
    outputs = stack.outputs()
    assert (outputs["schedule_daily"], outputs["schedule_weekly"]) == (7, 4)

    stack.config("test:dailyMaxAge", "3")
    sandbox.clear_calls()
    assert "1 updated" in stack.up()
    assert functions(sandbox) == ["set_server_snapshot_schedule"]
    assert sandbox.schedules()[0]["daily_snapshot_max_age"] == 3

    stack.run("destroy", "--yes")
    (cleared,) = sandbox.schedules()
    assert [cleared[f"{c}_snapshot"] for c in ("daily", "weekly", "monthly")] == ["no"] * 3


def test_get_snapshots_is_unknown_in_a_preview_without_credentials_and_lists_at_up(
    door: Door, bare_door_stack: Stack, sandbox: Sandbox
) -> None:
    """In a preview without credentials (pull-request CI), an unknown result and a warning, not
    an error, and no API call; with credentials, the look-up lists the server's snapshots."""
    stack = bare_door_stack
    stack.config("test:lookupServer", "12345")
    output = stack.run("preview")
    assert f"warning: {NO_CREDENTIALS}" in output
    assert re.search(r"^    found +: \[unknown\]$", output, flags=re.MULTILINE), output
    assert "error" not in output.lower()
    assert sandbox.calls() == []

    configure_for(stack, sandbox, **{"node:clientIpAddress": "203.0.113.7"})
    output = stack.run("preview")
    assert NO_CREDENTIALS not in output
    assert functions(sandbox) == ["get_snapshot_list"]
    stack.up()
    stack.up()  # the second up's look-up finds the first one's snapshot
    (snapshot,) = sandbox.snapshots()
    assert stack.outputs()["found"] == [[snapshot["snapshot_id"], "12345"]]


def _assert_key_absent(door: Door, stack: Stack, *outputs: str) -> None:
    """The key is in no CLI output, no export and no file of the backend; where the door keeps
    the provider in state, the key is not in it either (dynamic: the pickled provider) or only as
    a secret (plugin: the provider resource's `apiKey`)."""
    for text in outputs:
        assert API_KEY not in text
    assert API_KEY not in json.dumps(stack.export())
    state_files = [p for p in stack.backend.rglob("*") if p.is_file()]
    assert state_files
    for path in state_files:
        assert API_KEY.encode() not in path.read_bytes(), path
    resources = stack.export(show_secrets=True)["deployment"]["resources"]
    if door.name == "dynamic":
        providers = [
            r["inputs"]["__provider"] for r in resources if r["type"] == door.snapshot_type
        ]
        assert providers
        for provider in providers:
            if isinstance(provider, dict):  # a revealed secret: {<sig>: ..., "plaintext": "<json>"}
                provider = json.loads(provider["plaintext"])
            pickled = base64.b64decode(provider)
            assert API_KEY.encode() not in pickled
            assert len(pickled) < 512
    else:
        stored = [r["inputs"] for r in resources if r["type"] == "pulumi:providers:node"]
        assert stored and all(SECRET_SIG in inputs["apiKey"] for inputs in stored), stored


def test_secret_key_from_config_stays_out_of_state_and_output(
    door: Door, door_stack: Stack, sandbox: Sandbox
) -> None:
    up = door_stack.up()
    assert PLAINTEXT_WARNING not in up
    refresh = door_stack.run("refresh", "--yes")
    _assert_key_absent(door, door_stack, up, refresh)
    assert API_KEY not in door_stack.run("destroy", "--yes")
    assert len(sandbox.snapshots()) == 1


def test_a_missing_key_names_the_settings_and_one_from_the_environment_stays_out_of_state(
    door: Door, bare_door_stack: Stack, sandbox: Sandbox
) -> None:
    stack = bare_door_stack
    stack.run(
        "config",
        "set-all",
        f"--plaintext=node:userId={USER_ID}",
        f"--plaintext=node:endpoint={sandbox.url}",
        f"--plaintext=node:clientIpAddress={CLIENT_IP}",
    )
    output = stack.up(ok=False)
    assert "node:apiKey" in output and "NODE_API_KEY" in output
    assert sandbox.calls() == []

    env = {"NODE_API_KEY": API_KEY}
    up = stack.run("up", "--yes", env=env)
    refresh = stack.run("refresh", "--yes", env=env)
    assert len(sandbox.snapshots()) == 1
    for text in (up, refresh, json.dumps(stack.export(show_secrets=True))):
        assert API_KEY not in text
    for path in (p for p in stack.backend.rglob("*") if p.is_file()):
        assert API_KEY.encode() not in path.read_bytes(), path


def test_a_plaintext_key_is_warned_about_once_per_run_and_kept_out_of_state(
    door: Door, bare_door_stack: Stack, sandbox: Sandbox
) -> None:
    """A key set without --secret stays in plaintext in the stack's settings file: the program
    says so once per run (here a Snapshot and a SnapshotSchedule: one warning, not two), without
    the key; the key reaches no output and none of the door's resources; through the plugin, no
    state at all."""
    stack = bare_door_stack
    settings = {
        "node:userId": USER_ID,
        "node:apiKey": API_KEY,  # no --secret
        "node:endpoint": sandbox.url,
        "node:clientIpAddress": CLIENT_IP,
        "test:dailyMaxAge": "7",
    }
    stack.run("config", "set-all", *(f"--plaintext={k}={v}" for k, v in settings.items()))
    for output in (
        stack.run("preview", "--json"),
        stack.run("up", "--yes", "--skip-preview", "--json"),
    ):
        (warning,) = [w for w in warnings(output) if "node:apiKey" in w]
        assert PLAINTEXT_WARNING in warning
        assert "pulumi config set --secret node:apiKey" in warning
        assert API_KEY not in warning
    refresh = stack.run("refresh", "--yes")
    assert len(live(sandbox)) == 1 and len(sandbox.schedules()) == 1
    assert API_KEY not in refresh
    resources = stack.export()["deployment"]["resources"]
    ours = [
        r for r in resources if r["type"].rsplit(":", 1)[-1] in ("Snapshot", "SnapshotSchedule")
    ]
    assert len(ours) >= 2 and API_KEY not in json.dumps(ours)
    if door.name == "plugin":  # CheckConfig stores the provider's key as a secret
        state = [p for p in stack.backend.rglob("*.json") if "stacks" in p.parts]
        assert state and all(API_KEY.encode() not in p.read_bytes() for p in state)
    # The dynamic door cannot: the engine records the whole stack config, as it is, as the
    # inputs of Pulumi's own default `pulumi:providers:pulumi-python` provider. Only --secret
    # keeps the key out of that state (test_secret_key_from_config_stays_out_of_state_and_output).
