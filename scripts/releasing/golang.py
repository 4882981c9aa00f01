"""The Go SDK as a Go user gets it: the module in sdk/go, fetched at its tag `sdk/go/v<version>`
(a module in a subfolder is tagged with that folder's path), built outside the checkout."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from .common import ROOT, clean_env, fail, run

SDK = ROOT / "sdk" / "go"


def module_path() -> str:
    found = re.search(r"^module (\S+)$", (SDK / "go.mod").read_text(), re.MULTILINE)
    if found is None:
        raise fail("sdk/go/go.mod names no module")
    return found[1]


def module_tag(version: str) -> str:
    """The tag Go needs for the module: its path below the repository, then the version."""
    repository = "github.com/node-pulumi/node-pulumi/"
    path = module_path()
    if not path.startswith(repository):
        raise fail(f"sdk/go's module {path} is not under {repository}")
    return f"{path.removeprefix(repository)}/v{version}"


def check_go_sdk(work: Path, version: str, plugin: dict[str, object]) -> None:
    """A copy of the module, alone, builds and vets (no replace may point into the checkout),
    and its pulumi-plugin.json declares the plugin at this version."""
    if "replace" in (SDK / "go.mod").read_text():
        raise fail("sdk/go/go.mod has a replace directive: a user's build would not see it")
    copy = work / "go-sdk"
    shutil.copytree(SDK, copy)
    env = clean_env()
    run(["go", "build", "./..."], cwd=copy, env=env)
    run(["go", "vet", "./..."], cwd=copy, env=env)
    declared = json.loads((copy / "node" / "pulumi-plugin.json").read_text())
    if declared != plugin:
        raise fail(f"sdk/go/node/pulumi-plugin.json: {declared}, expected {plugin}")
