"""A Pulumi project with one stack on a local file backend, driven through the real CLI.

Used by the lifecycle tests and by the benchmarks in bench/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

PASSPHRASE = "lifecycle-test-passphrase"
SNAPSHOT_TYPE = "pulumi-python:dynamic/node:Snapshot"
NATIVE_SNAPSHOT_TYPE = "node:index:Snapshot"
PLUGIN = Path(sys.executable).parent / "pulumi-resource-node"  # pip's console script
AMBIENT_WARNING = "warning: using pulumi-resource-node from $PATH"


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

    def snapshots(self, kind: str = SNAPSHOT_TYPE) -> list[dict[str, Any]]:
        """The Snapshot resources (of type ``kind``) in Pulumi's state."""
        resources = self.export()["deployment"].get("resources") or []
        return [r for r in resources if r["type"] == kind]

    def install_plugin(self) -> Stack:
        """Install `pulumi-resource-node` the documented way: into Pulumi's plugin cache (this
        stack's PULUMI_HOME), at the package's version, which the generated SDKs ask for.

        The stack's PATH has no `pulumi-resource-node` (see new_stack), so the engine takes the
        installed one and prints no "using pulumi-resource-node from $PATH" warning.
        """
        assert PLUGIN.exists(), "pip install -e . makes the command"
        self.run(
            "plugin", "install", "resource", "node", version("node-pulumi"), "--file", str(PLUGIN)
        )
        return self


def new_stack(
    cli_dir: Path, workdir: Path, program: Path, project: str, *, yaml: bool = False
) -> Stack:
    """Copy the program in ``program`` into ``workdir`` and make its stack `dev`.

    The stack has its own file backend and no node.co.id settings; the program runs with the
    Python environment running this code. ``workdir`` must not exist yet. With ``yaml``, the
    program is a Pulumi YAML project: its own ``Pulumi.yaml`` (the program, naming the project)
    is copied as it is, stack files (``Pulumi.<stack>.yaml``) are not, and ``project`` only names
    the directory.
    """
    root = workdir / "project"
    ignored = "Pulumi.*.yaml" if yaml else "Pulumi*.yaml"
    shutil.copytree(program, root, ignore=shutil.ignore_patterns(ignored, "__pycache__"))
    if not yaml:
        (root / "Pulumi.yaml").write_text(
            f"name: {project}\nruntime:\n  name: python\n  options:\n    virtualenv: {sys.prefix}\n"
        )
    return _init(cli_dir, workdir, root)


def project_stack(
    cli_dir: Path,
    workdir: Path,
    program: Path,
    project: str,
    runtime: str,
    *,
    virtualenv: Path | None = None,
) -> Stack:
    """A project in ``workdir`` whose program is the directory ``program``, left where it is.

    Its Pulumi.yaml names the project (the config namespace), the runtime (nodejs, go, python)
    and, as `main`, the program's directory: the engine runs it there, with what is installed
    there (node_modules, go.mod's replace of the SDK), and nothing is copied. A Python program
    runs with ``virtualenv`` (default: the one running this code). Stack `dev`, with no
    node.co.id settings.
    """
    root = workdir / "project"
    root.mkdir(parents=True)
    main = os.path.relpath(program, root)
    if runtime == "python":
        runtime = f"{{name: python, options: {{virtualenv: {virtualenv or sys.prefix}}}}}"
    (root / "Pulumi.yaml").write_text(f"name: {project}\nruntime: {runtime}\nmain: {main}\n")
    return _init(cli_dir, workdir, root)


def engine_path(cli_dir: Path) -> str:
    """PATH for the CLI: its directory first (Pulumi's language hosts are beside it), then this
    process's PATH without any directory holding a `pulumi-resource-node`: the engine finds the
    plugin only where a test puts it (Stack.install_plugin, or PATH on purpose)."""
    kept = [
        d
        for d in os.environ.get("PATH", "").split(os.pathsep)
        if d and not (Path(d) / "pulumi-resource-node").exists()
    ]
    return os.pathsep.join([str(cli_dir), *kept])


def _init(cli_dir: Path, workdir: Path, root: Path) -> Stack:
    backend = workdir / "state"
    backend.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NODE_", "PULUMI_"))} | {
        "PATH": engine_path(cli_dir),
        "PULUMI_HOME": str(workdir / "pulumi-home"),
        "PULUMI_BACKEND_URL": f"file://{backend}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    }
    stack = Stack(root, backend, env)
    stack.run("stack", "init", "dev")
    return stack
