"""What every release step shares: the checkout, the one version, running tools, logging."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class ReleaseCheckFailed(SystemExit):
    """A release artifact is not what a user should get; the message says what and where."""

    def __init__(self, message: str) -> None:
        super().__init__(f"release: FAILED: {message}")


def log(message: str) -> None:
    print(f"release: {message}", file=sys.stderr, flush=True)


def fail(message: str) -> ReleaseCheckFailed:
    """The error to raise: ``raise fail("...")``."""
    return ReleaseCheckFailed(message)


def run(args: list[str], *, timeout: float = 900, stdout_only: bool = False, **kw: Any) -> str:
    """Run a command; return its stdout and stderr together (or its stdout alone); fail with
    both on a non-zero exit."""
    result: subprocess.CompletedProcess[str] = subprocess.run(
        args, capture_output=True, text=True, timeout=timeout, check=False, **kw
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise fail(f"{' '.join(args)} exited {result.returncode}:\n{output}")
    return result.stdout if stdout_only else output


@contextmanager
def phase(name: str) -> Iterator[None]:
    start = time.monotonic()
    log(f"{name} …")
    yield
    log(f"{name}: ok ({time.monotonic() - start:.1f} s)")


def _assigned(path: Path, name: str) -> Any:
    """The literal assigned to ``name`` at the top of a Python file, read without importing."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == [name]:
            return ast.literal_eval(node.value)
    raise fail(f"no {name} in {path.relative_to(ROOT)}")


def source_version() -> str:
    """node_pulumi.__version__, read from the source as setuptools reads it: the one version."""
    value = _assigned(ROOT / "node_pulumi" / "__init__.py", "__version__")
    assert isinstance(value, str)
    return value


def tested_pythons() -> list[str]:
    """The Python versions the unit tests run on: PYTHONS in noxfile.py."""
    value = _assigned(ROOT / "noxfile.py", "PYTHONS")
    assert isinstance(value, list)
    return [str(v) for v in value]


def tracked_files() -> set[str]:
    out = run(["git", "ls-files", "-z"], cwd=ROOT)
    return {name for name in out.split("\0") if name and (ROOT / name).is_file()}


def clean_env() -> dict[str, str]:
    """The environment without this checkout's virtualenv or NODE_*/PULUMI_* settings."""
    venv = ROOT / ".venv" / "bin"
    path = [p for p in os.environ["PATH"].split(os.pathsep) if p and Path(p) != venv]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NODE_", "PULUMI_"))
        and k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    }
    env["PATH"] = os.pathsep.join(path)
    return env


def cli_dir() -> str:
    """The directory of the Pulumi CLI with its language hosts: $NODE_PULUMI_CLI_DIR, else what
    tools/pulumi-cli.sh finds or builds."""
    configured = os.environ.get("NODE_PULUMI_CLI_DIR")
    if configured:
        return configured
    found = subprocess.run(  # its stdout: the directory alone; its log goes to stderr
        ["bash", str(ROOT / "tools" / "pulumi-cli.sh")], stdout=subprocess.PIPE, text=True
    )
    if found.returncode != 0:
        raise fail("tools/pulumi-cli.sh found no Pulumi CLI (its log above says why)")
    return found.stdout.strip()


def pulumi_env(work: Path, *, path: list[str] | None = None) -> dict[str, str]:
    """An environment for the real CLI with nothing of this machine's Pulumi: a file backend and
    an empty PULUMI_HOME under ``work``, the CLI first on PATH (after ``path``)."""
    env = clean_env()
    env.update(
        PATH=os.pathsep.join([*(path or []), cli_dir(), env["PATH"]]),
        PULUMI_BACKEND_URL=f"file://{work / 'backend'}",
        PULUMI_HOME=str(work / "pulumi-home"),
        PULUMI_CONFIG_PASSPHRASE="release-check",  # noqa: S106 - a throw-away local stack
        PULUMI_SKIP_UPDATE_CHECK="true",
    )
    (work / "backend").mkdir(exist_ok=True)
    return env
