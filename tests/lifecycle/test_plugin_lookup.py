"""`node_pulumi.native.get_snapshots` in a preview without credentials (pull-request CI): like the
dynamic door's `get_snapshots`, an unknown result and a warning, not an error, and no API call."""

from __future__ import annotations

import re

from node_pulumi.sandbox import Sandbox

from ..conftest import API_KEY, USER_ID
from .stack import Stack

NO_CREDENTIALS = "get_snapshots: no node.co.id credentials in this preview"


def test_lookup_without_credentials_is_unknown_in_preview(
    bare_native_stack: Stack, sandbox: Sandbox
) -> None:
    stack = bare_native_stack
    stack.config("test:lookup", "true")
    stack.config("test:lookupServer", "12345")
    output = stack.run("preview")
    assert f"warning: {NO_CREDENTIALS}" in output
    assert re.search(r"^    found +: \[unknown\]$", output, flags=re.MULTILINE), output
    assert "error" not in output.lower()
    assert sandbox.calls() == []

    stack.config("node:userId", USER_ID)
    stack.config("node:apiKey", API_KEY, secret=True)
    stack.config("node:endpoint", sandbox.url)
    stack.config("node:clientIpAddress", "203.0.113.7")
    output = stack.run("preview")
    assert NO_CREDENTIALS not in output
    assert [c.function for c in sandbox.calls()] == ["get_snapshot_list"]
    stack.up()
    stack.up()  # the second up's look-up finds the first one's snapshot
    (snapshot,) = sandbox.snapshots()
    assert stack.outputs()["found"] == [[snapshot["snapshot_id"], "12345"]]
