"""Each example gets the plugin as a user would: from what its SDK (or, for YAML, its package
declaration) names, at the package's version, never installed by hand."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from node_pulumi import __version__
from node_pulumi._plugin.schema import PLUGIN_DOWNLOAD_URL

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"


def test_the_yaml_example_declares_the_plugin_at_the_packages_version_and_url() -> None:
    (declaration,) = (EXAMPLES / "yaml" / "sdks" / "node").glob("*.yaml")
    assert declaration.name == f"node-{__version__}.yaml"
    assert yaml.safe_load(declaration.read_text()) == {
        "packageDeclarationVersion": 1,
        "name": "node",
        "version": __version__,
        "downloadUrl": PLUGIN_DOWNLOAD_URL,
    }


def test_the_sdks_the_examples_use_name_the_plugins_version_and_url() -> None:
    typescript = json.loads((EXAMPLES / "typescript" / "package.json").read_text())
    assert typescript["dependencies"]["@node-pulumi/node"] == "file:../../sdk/nodejs/bin"
    go_mod = (EXAMPLES / "go" / "go.mod").read_text()
    assert "github.com/node-pulumi/node-pulumi/sdk/go => ../../sdk/go" in go_mod
    expected = {"resource": True, "name": "node", "version": __version__}
    expected["server"] = PLUGIN_DOWNLOAD_URL
    sdk = json.loads((ROOT / "sdk" / "nodejs" / "package.json").read_text())
    assert sdk["pulumi"] == expected
    for plugin_json in ("sdk/go/node/pulumi-plugin.json", "node_pulumi/pulumi-plugin.json"):
        assert json.loads((ROOT / plugin_json).read_text()) == expected, plugin_json


def test_no_example_installs_the_plugin_by_hand() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "examples", "scripts/demo.sh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in tracked:
        assert "plugin install" not in (ROOT / name).read_text(), name
