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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from node_pulumi.sandbox import Sandbox

from ..conftest import API_KEY, USER_ID

PROGRAM = Path(__file__).parent / "program" / "__main__.py"
EXAMPLES = Path(__file__).parents[2] / "examples"
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
def make_stack(cli_dir: Path, tmp_path: Path) -> Callable[[Path, str], Stack]:
    """Make a stack `dev`, with no node.co.id settings, of a copy of the program in a directory."""
    count = 0

    def make(program: Path, project: str) -> Stack:
        nonlocal count
        count += 1
        root = tmp_path / f"{project}-{count}"
        shutil.copytree(program, root, ignore=shutil.ignore_patterns("Pulumi*.yaml", "__pycache__"))
        (root / "Pulumi.yaml").write_text(
            f"name: {project}\nruntime:\n  name: python\n  options:\n    virtualenv: {sys.prefix}\n"
        )
        backend = tmp_path / f"state-{count}"
        backend.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NODE_", "PULUMI_"))} | {
            "PATH": f"{cli_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_HOME": str(tmp_path / "pulumi-home"),
            "PULUMI_BACKEND_URL": f"file://{backend}",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        }
        stack = Stack(root, backend, env)
        stack.run("stack", "init", "dev")
        return stack

    return make


@pytest.fixture
def bare_stack(make_stack: Callable[[Path, str], Stack]) -> Stack:
    """A new stack of the test program with no node.co.id settings at all."""
    return make_stack(PROGRAM.parent, "lifecycle")


def configure_for(stack: Stack, sandbox: Sandbox) -> Stack:
    """Point a stack at the sandbox, with the API key as a secret."""
    stack.config("node:userId", USER_ID)
    stack.config("node:apiKey", API_KEY, secret=True)
    stack.config("node:endpoint", sandbox.url)
    return stack


@pytest.fixture
def stack(bare_stack: Stack, sandbox: Sandbox) -> Stack:
    """A stack of the test program configured for the sandbox."""
    return configure_for(bare_stack, sandbox)
