"""getSnapshots in a preview from YAML, TypeScript and Go, through the real CLI and Pulumi's own
language hosts (YAML's beside the CLI or on PATH; Node.js's and Go's from PATH: the output of
`bash ../shared/pulumi-hosts/build.sh`). Without a host these tests skip, unless
NODE_PULUMI_REQUIRE_CLI=1.

Without credentials the preview fails with an error naming `node:userId` / `NODE_USER_ID`: the
engine refuses an unknown value in a provider function's answer, so the plugin cannot do what
`get_snapshots` does in Python (an unknown result and a warning, decided in the program). See
node_pulumi/_plugin/get_snapshots.py. With credentials the preview calls the API once, as in
Python.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from node_pulumi._plugin.get_snapshots import PREVIEW_WITHOUT_CREDENTIALS
from node_pulumi.sandbox import Sandbox

from .conftest import configure_for, missing
from .stack import Stack, new_stack

ROOT = Path(__file__).parents[2]
PROGRAMS = Path(__file__).parent / "lookup"
HOSTS = {
    "yaml": "pulumi-language-yaml",
    "typescript": "pulumi-language-nodejs",
    "go": "pulumi-language-go",
}
TOOLS = {"yaml": (), "typescript": ("node", "npm"), "go": ("go",)}


def _host(cli_dir: Path, language: str) -> Path:
    """The language host the engine will run: beside `pulumi` first, then on PATH."""
    name = HOSTS[language]
    beside = cli_dir / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        missing(
            f"no {name}: `bash tools/pulumi-cli.sh` puts Pulumi's hosts beside pulumi, or put "
            "the directory `bash ../shared/pulumi-hosts/build.sh` prints on PATH"
        )
    for tool in TOOLS[language]:
        if shutil.which(tool) is None:
            missing(f"no `{tool}` for a {language} program")
    assert found is not None
    return Path(found)


def _run(args: list[str], cwd: Path) -> None:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}{result.stderr}"


def _typescript(workdir: Path) -> Path:
    """The TypeScript program beside a built copy of the generated SDK, in the layout of the
    repository (examples/typescript's lock links `../../sdk/nodejs/bin`)."""
    sdk = workdir / "sdk" / "nodejs"
    shutil.copytree(
        ROOT / "sdk" / "nodejs", sdk, ignore=shutil.ignore_patterns("node_modules", "bin")
    )
    npm_ci = ["npm", "ci", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"]
    _run(npm_ci, sdk)
    _run(["npx", "--no-install", "tsc"], sdk)
    for name in ("package.json", "README.md"):
        shutil.copy(sdk / name, sdk / "bin" / name)
    program = workdir / "program"
    program.mkdir(parents=True)
    for name in ("package.json", "package-lock.json", "tsconfig.json"):
        shutil.copy(ROOT / "examples" / "typescript" / name, program / name)
    shutil.copy(PROGRAMS / "typescript" / "index.ts", program / "index.ts")
    (program / "Pulumi.yaml").write_text("name: lookup\nruntime: nodejs\n")
    return program


def _go(workdir: Path) -> Path:
    """The Go program with examples/go's module file, the SDK replaced by this checkout's."""
    program = workdir / "program"
    program.mkdir(parents=True)
    shutil.copy(PROGRAMS / "go" / "main.go", program / "main.go")
    shutil.copy(ROOT / "examples" / "go" / "go.sum", program / "go.sum")
    mod = (ROOT / "examples" / "go" / "go.mod").read_text()
    mod = re.sub(r"(?m)^module .*$", "module lookup", mod)
    mod = mod.replace("=> ../../sdk/go", f"=> {ROOT / 'sdk' / 'go'}")
    (program / "go.mod").write_text(mod)
    (program / "Pulumi.yaml").write_text("name: lookup\nruntime: go\n")
    return program


@pytest.fixture(params=["yaml", "typescript", "go"])
def lookup_stack(request: pytest.FixtureRequest, cli_dir: Path, tmp_path: Path) -> Stack:
    """A stack of the look-up program in one language, with no node.co.id settings; the engine
    finds `pulumi-resource-node` on PATH (the console script beside this Python)."""
    language: str = request.param
    host = _host(cli_dir, language)
    build: dict[str, Callable[[Path], Path]] = {
        "yaml": lambda _: PROGRAMS / "yaml",
        "typescript": _typescript,
        "go": _go,
    }
    program = build[language](tmp_path / "build")
    # examples/typescript's lock links ../../sdk/nodejs/bin: the project sits two levels below.
    stack = new_stack(cli_dir, tmp_path / "build" / "examples", program, "lookup", yaml=True)
    if language == "typescript":
        _run(
            ["npm", "ci", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"],
            stack.root,
        )
    plugin_dir = Path(sys.executable).parent
    stack.env["PATH"] = os.pathsep.join([str(plugin_dir), stack.env["PATH"], str(host.parent)])
    return stack


def test_a_preview_without_credentials_fails_naming_the_settings_and_calls_nothing(
    lookup_stack: Stack, sandbox: Sandbox
) -> None:
    stack = lookup_stack
    stack.config("node:endpoint", sandbox.url)
    output = stack.run("preview", ok=False)
    assert "getSnapshots needs node.co.id credentials in a preview too" in output
    for name in ("node:userId", "NODE_USER_ID", "node:apiKey", "NODE_API_KEY"):
        assert name in output
    assert "Traceback" not in output
    assert sandbox.calls() == []
    assert PREVIEW_WITHOUT_CREDENTIALS.split(":")[0] in output


def test_a_preview_with_credentials_looks_the_snapshots_up(
    lookup_stack: Stack, sandbox: Sandbox
) -> None:
    stack = configure_for(lookup_stack, sandbox)
    stack.config("node:clientIpAddress", "203.0.113.7")
    stack.run("preview")
    (call,) = sandbox.calls()
    assert (call.function, call.params["server_id"]) == ("get_snapshot_list", "12345")
