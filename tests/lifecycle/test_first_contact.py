"""First contact with the API, through the real CLI and both doors (the agree program, agree.py):
a proxy's refusal in front of the API, and the download URL that get_snapshots returns.

* An HTTP 403 with a proxy's HTML page answers the create: the API never got it, so the `up`
  fails saying what answered, with no "may have started" and no look-up for a snapshot; the
  rerun takes exactly one.
* An exported get_snapshots result shows `[secret]` for each record's `snapshot_url`, and the
  rest of the record in clear; the URL is in no state file, only behind `--show-secrets`.
  Pulumi YAML (the plugin's function through the engine, no SDK) shows the whole result as
  `[secret]`, as it treats any value that holds a secret.
* Under the stricter reading (the lifecycle sandbox's, conftest.py), a stack without
  `node:clientIpAddress` fails its refresh with an error naming the setting, and keeps state.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from node_pulumi import NodeClient
from node_pulumi.sandbox import Sandbox

from ..conftest import API_KEY, USER_ID
from . import agree
from .conftest import configure_for
from .door import Door
from .stack import Stack, new_stack

bare_door_stack, door_stack = agree.bare_door_stack, agree.door_stack  # the agree program's

IP = "127.0.0.1"
LOOKUP_YAML = Path(__file__).parent / "lookup" / "yaml"
PROXY_PAGE = (
    b"<!DOCTYPE html><html><head><title>Access Denied</title></head>"
    b"<body>Blocked by the corporate proxy.</body></html>"
)


def test_a_create_refused_by_a_proxy_took_no_snapshot_and_says_what_answered(
    door_stack: Stack, door: Door, sandbox: Sandbox
) -> None:
    stack = door_stack
    stack.config("node:clientIpAddress", IP)
    sandbox.set_fault(
        "create_snapshot", http_status=403, body=PROXY_PAGE, content_type="text/html", times=1
    )
    output = stack.up(ok=False)
    assert API_KEY not in output
    message = door.the_error(output)
    for part in ("HTTP 403", "text/html", "'Access Denied'", "proxy, firewall or IP allow-list"):
        assert part in message, message
    assert "may have" not in output and "looking for it" not in output
    assert [c.function for c in sandbox.calls()] == ["create_snapshot"]
    assert sandbox.snapshots() == [] and door.state_ids(stack) == set()

    stack.up()
    (snapshot,) = sandbox.snapshots()
    assert door.state_ids(stack) == {snapshot["snapshot_id"]}


def test_an_exported_look_up_shows_the_download_url_as_a_secret(
    door_stack: Stack, door: Door, sandbox: Sandbox
) -> None:
    stack = door_stack
    stack.config("node:clientIpAddress", IP)
    stack.up()  # the snapshot; the look-up in the same run need not see it
    (snapshot,) = sandbox.snapshots()
    url = snapshot["snapshot_url"]
    assert url, "an active snapshot offers a download URL"
    stack.config("test:lookup", json.dumps({"server_id": "12345"}))
    stack.up()

    (record,) = stack.outputs()["found_records"]
    assert record["snapshot_url"] == "[secret]"
    assert (record["snapshot_id"], record["server_id"]) == (snapshot["snapshot_id"], "12345")
    assert stack.outputs()["found"] == [snapshot["snapshot_id"]]
    shown = json.loads(stack.run("stack", "output", "--json", "--show-secrets"))
    assert shown["found_records"][0]["snapshot_url"] == url
    assert url not in json.dumps(stack.export())


def test_a_refresh_the_strict_api_refuses_for_no_address_names_the_setting_and_keeps_state(
    bare_door_stack: Stack, door: Door, sandbox: Sandbox
) -> None:
    assert sandbox.strict_client_ip
    stack = configure_for(bare_door_stack, sandbox, client_ip=None)
    stack.up()  # no wait: nothing reads the snapshot yet
    (snapshot,) = sandbox.snapshots()
    output = stack.run("refresh", "--yes", "--skip-preview", ok=False)
    assert "Missing parameter client_ip_address." in output
    assert "node:clientIpAddress" in output and "NODE_CLIENT_IP_ADDRESS" in output
    assert door.state_ids(stack) == {snapshot["snapshot_id"]}

    stack.config("node:clientIpAddress", IP)
    stack.up()  # the dynamic door's refresh reads the config its last up recorded
    stack.run("refresh", "--yes", "--skip-preview")
    assert door.state_ids(stack) == {snapshot["snapshot_id"]}
    assert sandbox.calls("get_snapshot_detail")[-1].params["client_ip_address"] == IP


def test_a_yaml_look_up_exports_the_download_url_as_a_secret(
    yaml_host: Path, cli_dir: Path, tmp_path: Path, sandbox: Sandbox
) -> None:
    stack = new_stack(cli_dir, tmp_path / "lookup", LOOKUP_YAML, "lookup", yaml=True)
    paths = [str(Path(sys.executable).parent), stack.env["PATH"], str(yaml_host.parent)]
    stack.env["PATH"] = os.pathsep.join(paths)  # pulumi-resource-node, as the lookup tests
    configure_for(stack, sandbox)
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
        snapshot_id = client.create_snapshot("12345")["snapshot_id"]
    stack.up()
    # Pulumi YAML keeps a value holding a secret secret as a whole.
    assert stack.outputs()["found"] == "[secret]"
    shown = json.loads(stack.run("stack", "output", "--json", "--show-secrets"))
    (record,) = shown["found"]
    (url,) = [s["snapshot_url"] for s in sandbox.snapshots()]
    assert (record["snapshotId"], record["snapshotUrl"]) == (snapshot_id, url)
    assert url and url not in json.dumps(stack.export())
