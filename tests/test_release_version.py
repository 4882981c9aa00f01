"""One version, in node_pulumi.__version__, and what carries it to Pulumi's engine: the plugin's
schema (its download URL, the Python import `pulumi import` writes) and the wheel's
pulumi-plugin.json, which tools/gen-sdk.sh writes and must match, and the generated SDKs.
"""

from __future__ import annotations

import json
from importlib.metadata import metadata
from pathlib import Path

import node_pulumi
from node_pulumi._plugin.schema import PLUGIN_DOWNLOAD_URL, schema

ROOT = Path(__file__).resolve().parents[1]
VERSION = node_pulumi.__version__
PLUGIN = {"resource": True, "name": "node", "version": VERSION, "server": PLUGIN_DOWNLOAD_URL}


def test_pulumi_plugin_json_is_the_one_gen_sdk_writes_from_the_version() -> None:
    written = Path(node_pulumi.__file__).parent / "pulumi-plugin.json"
    assert json.loads(written.read_text()) == PLUGIN, "run: bash tools/gen-sdk.sh"


def test_the_download_url_is_the_repository_the_package_names() -> None:
    urls = dict(u.split(", ", 1) for u in metadata("node-pulumi").get_all("Project-URL") or [])
    repository = urls["Repository"].removeprefix("https://github.com/")
    assert PLUGIN_DOWNLOAD_URL == f"github://api.github.com/{repository}"
    assert schema(VERSION)["pluginDownloadURL"] == PLUGIN_DOWNLOAD_URL


def test_the_generated_sdks_carry_the_version_and_download_url() -> None:
    go = json.loads((ROOT / "sdk" / "go" / "node" / "pulumi-plugin.json").read_text())
    dotnet = json.loads((ROOT / "sdk" / "dotnet" / "pulumi-plugin.json").read_text())
    nodejs = json.loads((ROOT / "sdk" / "nodejs" / "package.json").read_text())
    assert go == dotnet == nodejs["pulumi"] == PLUGIN
    assert nodejs["version"] == VERSION


def test_python_code_written_by_pulumi_imports_the_wheels_native_module() -> None:
    python = schema(VERSION)["language"]["python"]
    # Pulumi's Python program generator writes `import <packageName> as node`.
    module = __import__(python["packageName"], fromlist=["Snapshot"])
    assert module is node_pulumi.native
    assert python["requires"] == {"node-pulumi": f"=={VERSION}"}
