"""What only the provider plugin (`node_pulumi.native`) does, through the real Pulumi engine.

The engine runs `pulumi-resource-node` from the plugin cache, installed the documented way
(Stack.install_plugin), with no language host in between; the program is Python, run by Pulumi's
Python host. TypeScript, Go and YAML: test_languages.py.
What both doors do is tested once for both, in test_lifecycle.py and test_faults.py.
"""

from __future__ import annotations

import json
from typing import Any

from node_pulumi.sandbox import Sandbox

from ..conftest import API_KEY, USER_ID
from ..seen import functions, live
from .conftest import configure_for
from .stack import NATIVE_SNAPSHOT_TYPE, Stack


def snapshots(stack: Stack) -> list[dict[str, Any]]:
    return stack.snapshots(NATIVE_SNAPSHOT_TYPE)


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

    stack = configure_for(bare_native_stack, sandbox)
    stack.up()
    assert functions(sandbox) == ["create_snapshot", "create_snapshot"]
    assert {s["server_id"] for s in live(sandbox)} == {"12345"}
    (upstream,) = [r for r in snapshots(stack) if r["urn"].endswith("::upstream")]
    (snap,) = [r for r in snapshots(stack) if r["urn"].endswith("::snap")]
    assert snap["inputs"]["triggers"] == [upstream["id"]]


def test_import_adopts_a_snapshot_by_id(native_stack: Stack, sandbox: Sandbox) -> None:
    native_stack.up()
    (ours,) = sandbox.snapshots()
    sandbox.clear_calls()
    code = native_stack.root / "imported.py"
    native_stack.run(
        "import",
        NATIVE_SNAPSHOT_TYPE,
        "imported",
        str(ours["snapshot_id"]),
        "--out",
        str(code),
        "--yes",
    )
    # Pulumi's Python host writes the program code for it, importing the schema's
    # language.python packageName: the wheel's own module.
    written = code.read_text()
    assert "import node_pulumi.native as node" in written
    assert 'node.Snapshot("imported", server_id="12345"' in written
    assert set(functions(sandbox)) == {"get_snapshot_detail"}
    (imported,) = [r for r in snapshots(native_stack) if r["urn"].endswith("::imported")]
    assert imported["id"] == ours["snapshot_id"]
    assert imported["outputs"]["serverId"] == "12345"
    assert imported["inputs"] == {"serverId": "12345"}
    # The code runs as written: added to the program, it declares what was imported.
    program = native_stack.root / "__main__.py"
    program.write_text(program.read_text() + "\n" + written)
    native_stack.run("preview", "--expect-no-changes")
    program.write_text(program.read_text().replace(written, ""))

    missing = native_stack.run(
        "import",
        NATIVE_SNAPSHOT_TYPE,
        "missing",
        "no-such-snapshot",
        "--yes",
        ok=False,
    )
    assert "no-such-snapshot" in missing and "does not exist" in missing


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


def test_explicit_provider_uses_its_own_credentials(
    bare_native_stack: Stack, sandbox: Sandbox
) -> None:
    stack = bare_native_stack
    stack.run(
        "config",
        "set-all",
        "--plaintext=node:userId=99999",  # the stack's own settings are wrong: never used
        "--plaintext=node:endpoint=http://127.0.0.1:9/api/v1/",
        f"--plaintext=test:provider={sandbox.url}",
        f"--plaintext=test:providerUserId={USER_ID}",
        f"--secret=test:providerApiKey={API_KEY}",
    )
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
