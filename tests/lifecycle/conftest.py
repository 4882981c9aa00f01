"""Lifecycle fixtures: the real Pulumi CLI, a local file backend and the sandbox on loopback.

The CLI is taken from ``NODE_PULUMI_CLI_DIR`` (set by ``.ci/run`` from ``tools/pulumi-cli.sh``)
or from ``PATH``. Without one these tests skip, except when ``NODE_PULUMI_REQUIRE_CLI=1`` (CI),
where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from node_pulumi.sandbox import Sandbox

from ..conftest import API_KEY, USER_ID

PROGRAM = Path(__file__).parent / "program" / "__main__.py"
PASSPHRASE = "lifecycle-test-passphrase"
SNAPSHOT_TYPE = "pulumi-python:dynamic/node:Snapshot"


def _cli_dir() -> Path | None:
    configured = os.environ.get("NODE_PULUMI_CLI_DIR")
    if configured and (Path(configured) / "pulumi").exists():
        return Path(configured)
    found = shutil.which("pulumi")
    return Path(found).parent if found else None


@pytest.fixture(scope="session")
def cli_dir() -> Path:
    found = _cli_dir()
    if found is None:
        message = (
            "no Pulumi CLI: install one, or run `bash tools/pulumi-cli.sh` and set "
            "NODE_PULUMI_CLI_DIR to the directory it prints"
        )
        if os.environ.get("NODE_PULUMI_REQUIRE_CLI") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return found


class Stack:
    """A Pulumi project in a temporary directory with one stack, driven through the CLI."""

    def __init__(self, root: Path, backend: Path, env: dict[str, str]) -> None:
        self.root = root
        self.backend = backend
        self.env = env

    def run(self, *args: str, ok: bool = True, env: dict[str, str] | None = None) -> str:
        """Run ``pulumi ARGS``; return stdout and stderr together; assert the exit status."""
        result = subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=self.root,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        output = result.stdout + result.stderr
        if ok and result.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} failed:\n{output}")
        if not ok and result.returncode == 0:
            raise AssertionError(f"pulumi {' '.join(args)} unexpectedly passed:\n{output}")
        return output

    def config(self, key: str, value: str, *, secret: bool = False) -> None:
        self.run("config", "set", *(["--secret"] if secret else []), key, value)

    def up(self, **kw: Any) -> str:
        return self.run("up", "--yes", "--skip-preview", **kw)

    def outputs(self) -> dict[str, Any]:
        return dict(json.loads(self.run("stack", "output", "--json")))

    def export(self, *, show_secrets: bool = False) -> dict[str, Any]:
        flags = ["--show-secrets"] if show_secrets else []
        return dict(json.loads(self.run("stack", "export", *flags)))

    def snapshots(self) -> list[dict[str, Any]]:
        """The Snapshot resources in Pulumi's state."""
        resources = self.export()["deployment"].get("resources") or []
        return [r for r in resources if r["type"] == SNAPSHOT_TYPE]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(USER_ID, API_KEY, processing_seconds=0.2) as server:
        yield server


@pytest.fixture
def bare_stack(cli_dir: Path, tmp_path: Path) -> Stack:
    """A new stack `dev` with no node.co.id settings at all."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(PROGRAM, root / "__main__.py")
    (root / "Pulumi.yaml").write_text(
        f"name: lifecycle\nruntime:\n  name: python\n  options:\n    virtualenv: {sys.prefix}\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NODE_", "PULUMI_"))} | {
        "PATH": f"{cli_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PULUMI_HOME": str(tmp_path / "pulumi-home"),
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
    }
    (tmp_path / "state").mkdir()
    stack = Stack(root, tmp_path / "state", env)
    stack.run("stack", "init", "dev")
    return stack


@pytest.fixture
def stack(bare_stack: Stack, sandbox: Sandbox) -> Stack:
    """A stack configured for the sandbox, with the API key as a secret."""
    bare_stack.config("node:userId", USER_ID)
    bare_stack.config("node:apiKey", API_KEY, secret=True)
    bare_stack.config("node:endpoint", sandbox.url)
    return bare_stack
