"""The plugin copied into the plugin cache by hand, and the plugin on PATH, so that no command
warns where none should.

The engine looks for a provider plugin in Pulumi.yaml's `plugins.providers`, then on PATH, then
in its plugin cache. Found on PATH, it prints "warning: using pulumi-resource-node from $PATH"
on every command. Where nothing can be downloaded (the README's troubleshooting):

    pulumi plugin install resource node 0.2.0 --file "$(command -v pulumi-resource-node)"

copies pip's launcher into the plugin cache (~/.pulumi/plugins/resource-node-v0.2.0/, or
$PULUMI_HOME/plugins/), at the version the SDKs ask for. Then no warning as long as no
`pulumi-resource-node` is on PATH; where one is (an activated virtualenv, pipx's ~/.local/bin),
PULUMI_IGNORE_AMBIENT_PLUGINS=true makes the engine skip PATH. Shown with examples/yaml, the
quickest program that needs the plugin; test_languages.py runs every example this way, and
test_plugin_acquisition.py gets the plugin as users do (downloaded, or `pulumi package add`).
"""

from __future__ import annotations

import json
import os
from importlib.metadata import version
from pathlib import Path

from .stack import AMBIENT_WARNING, PLUGIN, Stack


def plans_both_resources(output: str) -> bool:
    return "+  node:index:Snapshot before-deploy create" in output and (
        "+  node:index:SnapshotSchedule nightly create" in output
    )


def test_installed_into_the_plugin_cache_the_plugin_runs_without_the_path_warning(
    bare_yaml_stack: Stack, tmp_path: Path
) -> None:
    stack = bare_yaml_stack  # installed into its plugin cache by the fixture, as documented
    plugins = json.loads(stack.run("plugin", "ls", "--json"))
    assert [(p["name"], p["kind"], p["version"]) for p in plugins] == [
        ("node", "resource", version("node-pulumi"))
    ]
    installed = stack.run("preview")
    assert plans_both_resources(installed), installed
    assert AMBIENT_WARNING not in installed

    # The command on PATH as well: the engine takes that one, and warns.
    on_path = {"PATH": f"{PLUGIN.parent}{os.pathsep}{stack.env['PATH']}"}
    ambient = stack.run("preview", env=on_path)
    assert plans_both_resources(ambient), ambient
    assert f"{AMBIENT_WARNING} at {PLUGIN}" in ambient

    # ... unless told to skip PATH: a broken command there is then never run.
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "pulumi-resource-node").write_text("#!/bin/sh\necho broken >&2\nexit 1\n")
    (broken / "pulumi-resource-node").chmod(0o755)
    on_path = {"PATH": f"{broken}{os.pathsep}{stack.env['PATH']}"}
    failed = stack.run("preview", env=on_path, ok=False)
    assert f"{AMBIENT_WARNING} at {broken}/pulumi-resource-node" in failed, "PATH's is taken"
    ignoring = stack.run("preview", env={**on_path, "PULUMI_IGNORE_AMBIENT_PLUGINS": "true"})
    assert plans_both_resources(ignoring), ignoring
    assert AMBIENT_WARNING not in ignoring
