"""The release check: build, check and install the package as a user would, then run it.

    .venv/bin/python scripts/check_release.py [--keep]

1. `python -m build` makes the sdist and, from it, the wheel (in a temporary directory);
2. `twine check --strict` passes on both;
3. the wheel's metadata (version = node_pulumi.__version__, license, classifiers (the Python
   versions: those noxfile.py tests, the oldest one Requires-Python), URLs,
   keywords, the README as its long description) and contents (every module, py.typed, the
   sandbox, the license, the `pulumi-resource-node` and `node-pulumi` commands); the sdist holds
   exactly the tracked
   tree (`git ls-files`) plus what setuptools generates;
4. a fresh virtualenv made by running the install step of examples/ci/pulumi-yaml.yml with the
   built wheel (so the recipe's step is run for real), outside the checkout;
5. from that virtualenv: the version the plugin reports, the sandbox (`python -m
   node_pulumi.sandbox`), and, through the real Pulumi CLI (`$NODE_PULUMI_CLI_DIR`, else
   tools/pulumi-cli.sh), preview and up of examples/basic (dynamic resources) and of a
   `node_pulumi.native` program (the engine runs `pulumi-resource-node` from PATH), and
   `node-pulumi restore --stack --from-output` of examples/basic's snapshot.

Needs the dev tools (`pip install -e .[dev]`: build, twine) and network access to the package
index for the wheel's dependencies (pip's cache serves them once fetched).
"""

from __future__ import annotations

import argparse
import ast
import email
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "examples" / "ci" / "pulumi-yaml.yml"
INSTALL_STEP = "Install the node provider plugin"
USER_ID = "10001"
API_KEY = "release-check-key"  # the local sandbox's: not a secret


def log(message: str) -> None:
    print(f"check_release: {message}", file=sys.stderr, flush=True)


def fail(message: str) -> None:
    raise SystemExit(f"check_release: FAILED: {message}")


def run(args: list[str], *, timeout: float = 600, **kw: Any) -> str:
    """Run a command; return its stdout and stderr together; fail with them on a non-zero exit."""
    result: subprocess.CompletedProcess[str] = subprocess.run(
        args, capture_output=True, text=True, timeout=timeout, check=False, **kw
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        fail(f"{' '.join(args)} exited {result.returncode}:\n{output}")
    return output


@contextmanager
def phase(name: str) -> Iterator[None]:
    start = time.monotonic()
    log(f"{name} …")
    yield
    log(f"{name}: ok ({time.monotonic() - start:.1f} s)")


def source_version() -> str:
    """node_pulumi.__version__, read from the source as setuptools reads it."""
    tree = ast.parse((ROOT / "node_pulumi" / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == [
            "__version__"
        ]:
            value = ast.literal_eval(node.value)
            assert isinstance(value, str)
            return value
    fail("no __version__ in node_pulumi/__init__.py")
    raise AssertionError


def tested_pythons() -> list[str]:
    """The Python versions the unit tests run on: PYTHONS in noxfile.py."""
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["PYTHONS"]:
            value = ast.literal_eval(node.value)
            assert isinstance(value, list)
            return [str(v) for v in value]
    fail("no PYTHONS in noxfile.py")
    raise AssertionError


def tracked_files() -> set[str]:
    out = run(["git", "ls-files", "-z"], cwd=ROOT)
    return {name for name in out.split("\0") if name and (ROOT / name).is_file()}


# 1-3: build and check -------------------------------------------------------------------------


def build(dist: Path) -> tuple[Path, Path]:
    run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)])
    (sdist,) = dist.glob("*.tar.gz")
    (wheel,) = dist.glob("*.whl")
    return sdist, wheel


def check_metadata(wheel: Path, version: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        meta: Message = email.message_from_string(archive.read(name).decode())
    expected = {
        "Name": "node-pulumi",
        "Version": version,
        "License-Expression": "Apache-2.0",
        "License-File": "LICENSE",
        "Requires-Python": ">=3.10",
        "Description-Content-Type": "text/markdown",
    }
    for field, value in expected.items():
        if meta.get(field) != value:
            fail(f"wheel METADATA {field}: {meta.get(field)!r}, expected {value!r}")
    for field in ("Summary", "Keywords", "Author"):
        if not meta.get(field):
            fail(f"wheel METADATA has no {field}")
    urls = {u.split(",", 1)[0] for u in meta.get_all("Project-URL") or []}
    if not {"Homepage", "Repository", "Issues", "Changelog"} <= urls:
        fail(f"wheel METADATA Project-URL: {sorted(urls)}")
    classifiers = meta.get_all("Classifier") or []
    for wanted in ("License :: ", "Typing :: Typed", "Programming Language :: Python :: 3"):
        present = any(c.startswith(wanted) for c in classifiers)
        # PEP 639: the license is the License-Expression; a license classifier is refused.
        if present != (wanted != "License :: "):
            fail(f"wheel METADATA classifiers: {classifiers}")
    versions = {
        c.rsplit(" :: ", 1)[1]
        for c in classifiers
        if c.startswith("Programming Language :: Python :: 3.")
    }
    if versions != set(tested_pythons()):
        fail(f"the classifiers name Python {sorted(versions)}, noxfile.py tests {tested_pythons()}")
    if (
        meta.get("Requires-Python")
        != f">={min(tested_pythons(), key=lambda v: tuple(map(int, v.split('.'))))}"
    ):
        fail(
            f"Requires-Python {meta.get('Requires-Python')}: not the oldest Python noxfile.py tests"
        )
    body = meta.get_payload()
    assert isinstance(body, str)
    if body.strip() != (ROOT / "README.md").read_text().strip():
        fail("the wheel's long description is not README.md")


def check_wheel_contents(wheel: Path, version: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(f"node_pulumi-{version}.dist-info/entry_points.txt").decode()
    modules = {f for f in tracked_files() if f.startswith("node_pulumi/")}
    missing = modules - names
    if missing:
        fail(f"the wheel lacks {sorted(missing)}")
    for needed in (
        "node_pulumi/py.typed",
        "node_pulumi/sandbox/__main__.py",
        f"node_pulumi-{version}.dist-info/licenses/LICENSE",
    ):
        if needed not in names:
            fail(f"the wheel lacks {needed}")
    for entry in (
        "pulumi-resource-node = node_pulumi._plugin:main",
        "node-pulumi = node_pulumi._cli:run",
    ):
        if entry not in entry_points:
            fail(f"the wheel's entry points lack {entry.split()[0]}:\n{entry_points}")
    strays = [n for n in names if not n.startswith(("node_pulumi/", "node_pulumi-"))]
    if strays:
        fail(f"the wheel carries files outside the package: {sorted(strays)}")


def check_sdist_contents(sdist: Path, version: str) -> None:
    prefix = f"node_pulumi-{version}/"
    with tarfile.open(sdist) as archive:
        names = {m.name.removeprefix(prefix) for m in archive.getmembers() if m.isfile()}
    generated = {"PKG-INFO", "setup.cfg"} | {
        n for n in names if n.startswith("node_pulumi.egg-info/")
    }
    tracked = tracked_files()
    missing, extra = tracked - names, names - tracked - generated
    if missing:
        fail(f"the sdist lacks tracked files (add them to MANIFEST.in): {sorted(missing)}")
    if extra:
        fail(f"the sdist carries untracked files: {sorted(extra)}")


# 4: the fresh virtualenv, made by the YAML recipe's own install step ---------------------------


def install_step() -> str:
    workflow = yaml.safe_load(RECIPE.read_text())
    steps = workflow["jobs"]["preview"]["steps"]
    (step,) = [s for s in steps if s.get("name") == INSTALL_STEP]
    script = step["run"]
    assert isinstance(script, str)
    return script


def make_venv(work: Path, wheel: Path) -> Path:
    """Run the recipe's install step as GitHub would (bash -e); return the bin/ it adds to PATH."""
    github_path = work / "github_path"
    github_path.touch()
    env = {
        **clean_env(),
        "RUNNER_TEMP": str(work),
        "GITHUB_PATH": str(github_path),
        "PLUGIN_PACKAGE": str(wheel),
    }
    run(["bash", "-e", "-c", install_step()], cwd=work, env=env)
    (added,) = github_path.read_text().split()
    for command in ("python", "pulumi-resource-node", "node-pulumi"):
        if not os.access(Path(added) / command, os.X_OK):
            fail(f"{RECIPE.name}'s install step put {added} on PATH, without {command} in it")
    return Path(added)


def clean_env() -> dict[str, str]:
    """The environment without this checkout's virtualenv or NODE_* settings."""
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


# 5: run it from the virtualenv -----------------------------------------------------------------

PLUGIN_VERSIONS = """
import json, subprocess, sys
from importlib.metadata import version
import grpc, node_pulumi
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc
plugin = subprocess.Popen(["pulumi-resource-node"], stdout=subprocess.PIPE, text=True)
try:
    port = int(plugin.stdout.readline())
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = provider_pb2_grpc.ResourceProviderStub(channel)
        info = stub.GetPluginInfo(empty_pb2.Empty()).version
        schema = json.loads(stub.GetSchema(provider_pb2.GetSchemaRequest()).schema)["version"]
finally:
    plugin.terminate()
    plugin.wait(timeout=30)
print(json.dumps({"module": node_pulumi.__file__, "__version__": node_pulumi.__version__,
    "metadata": version("node-pulumi"), "plugin_info": info, "schema": schema}))
"""


def check_installed(bin_dir: Path, env: dict[str, str], work: Path, version: str) -> None:
    out = run([str(bin_dir / "python"), "-c", PLUGIN_VERSIONS], cwd=work, env=env)
    found = json.loads(out.strip().splitlines()[-1])
    module = Path(found.pop("module"))
    if not module.is_relative_to(bin_dir.parent) or module.is_relative_to(ROOT):
        fail(f"node_pulumi was imported from {module}, not from the fresh virtualenv")
    if set(found.values()) != {version}:
        fail(f"versions differ from {version}: {found}")


@contextmanager
def sandbox(bin_dir: Path, env: dict[str, str], work: Path) -> Iterator[str]:
    """The wheel's sandbox as a process on a free loopback port; yields its API endpoint."""
    args = [str(bin_dir / "python"), "-m", "node_pulumi.sandbox", "--port", "0"]
    args += ["--user-id", USER_ID, "--api-key", API_KEY, "--processing-seconds", "0.5"]
    args += ["--reinstall-seconds", "0.5"]
    with (work / "sandbox.log").open("w") as stderr:
        process = subprocess.Popen(
            args, cwd=work, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True
        )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "node.co.id sandbox listening on URL"
        if "listening on " not in line:
            fail(f"the sandbox did not start:\n{(work / 'sandbox.log').read_text()}")
        yield line.rsplit(" ", 1)[-1].strip()
    finally:
        process.terminate()
        process.wait(timeout=30)


def admin(endpoint: str, route: str) -> Any:
    base = endpoint.split("/api/", 1)[0]
    with urllib.request.urlopen(f"{base}/_sandbox/{route}", timeout=30) as answer:  # noqa: S310
        return json.load(answer)


def pulumi_project(work: Path, name: str, program: Path) -> Path:
    """A copy of a program in a project of its own, run with python3 from PATH (the venv's)."""
    project = work / name
    project.mkdir()
    shutil.copy(program, project / "__main__.py")
    (project / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
    return project


def pulumi(project: Path, env: dict[str, str], *args: str) -> str:
    return run(["pulumi", *args, "--non-interactive"], cwd=project, env=env, timeout=300)


def run_program(project: Path, env: dict[str, str], endpoint: str, token: str, status: str) -> str:
    """Preview (no API call), up (one snapshot, in the sandbox), the outputs; return up's output."""
    pulumi(project, env, "stack", "init", "dev")
    pulumi(project, env, "config", "set", "node:userId", USER_ID)
    pulumi(project, env, "config", "set", "--secret", "node:apiKey", API_KEY)
    pulumi(project, env, "config", "set", "node:endpoint", endpoint)
    before = len(admin(endpoint, "calls"))
    preview = pulumi(project, env, "preview", "--diff")
    if f"+ {token}: (create)" not in preview:
        fail(f"{project.name}: the preview plans no {token}:\n{preview}")
    if len(admin(endpoint, "calls")) != before:
        fail(f"{project.name}: the preview called the API")
    up = pulumi(project, env, "up", "--yes", "--skip-preview")
    outputs = json.loads(pulumi(project, env, "stack", "output", "--json"))
    ids = {s["snapshot_id"] for s in admin(endpoint, "snapshots")}
    if outputs.get("snapshot_id") not in ids or outputs.get("snapshot_status") != status:
        fail(f"{project.name}: outputs {outputs}, sandbox snapshots {sorted(ids)}")
    log(f"{project.name}: snapshot {outputs['snapshot_id']} {status}")
    return up


def restore_from_stack(project: Path, env: dict[str, str], endpoint: str) -> None:
    """The installed `node-pulumi` restores the server from the stack's snapshot output."""
    outputs = json.loads(pulumi(project, env, "stack", "output", "--json"))
    args = ["node-pulumi", "restore", "12345", "--stack", "dev", "--cwd", str(project)]
    run(
        [*args, "--from-output", "snapshot_id", "--yes", "--poll-interval", "0.2"],
        cwd=project,
        env=env,
    )
    restored = [r["snapshot_id"] for r in admin(endpoint, "reinstalls?server_id=12345")]
    if restored != [outputs["snapshot_id"]]:
        fail(f"node-pulumi restore: the sandbox restored {restored}, not {outputs['snapshot_id']}")
    log(f"node-pulumi restore: server 12345 restored from {outputs['snapshot_id']}")


def pulumi_env(bin_dir: Path, work: Path) -> dict[str, str]:
    cli = (
        os.environ.get("NODE_PULUMI_CLI_DIR")
        or subprocess.run(  # its stdout: the directory alone; its log goes to stderr
            ["bash", str(ROOT / "tools" / "pulumi-cli.sh")],
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        ).stdout.strip()
    )
    env = clean_env()
    env.update(
        PATH=os.pathsep.join([str(bin_dir), cli, env["PATH"]]),
        PULUMI_BACKEND_URL=f"file://{work / 'backend'}",
        PULUMI_HOME=str(work / "pulumi-home"),
        PULUMI_CONFIG_PASSPHRASE="release-check",  # noqa: S106 - a throw-away local stack
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
    )
    (work / "backend").mkdir()
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    version = source_version()
    work = Path(tempfile.mkdtemp(prefix="node-pulumi-release-"))
    start = time.monotonic()
    try:
        with phase("python -m build"):
            sdist, wheel = build(work / "dist")
        with phase("twine check --strict"):
            run([sys.executable, "-m", "twine", "check", "--strict", str(sdist), str(wheel)])
        with phase("metadata and contents"):
            check_metadata(wheel, version)
            check_wheel_contents(wheel, version)
            check_sdist_contents(sdist, version)
        with phase(f"a fresh virtualenv from {wheel.name} ({RECIPE.name}'s install step)"):
            bin_dir = make_venv(work, wheel)
        env = pulumi_env(bin_dir, work)
        with phase("the installed package's and plugin's version"):
            check_installed(bin_dir, env, work, version)
        with (
            phase("examples/basic and a native program, from the wheel"),
            sandbox(bin_dir, env, work) as endpoint,
        ):
            basic = pulumi_project(work, "basic", ROOT / "examples" / "basic" / "__main__.py")
            run_program(basic, env, endpoint, "pulumi-python:dynamic/node:Snapshot", "active")
            native_program = ROOT / "tests" / "lifecycle" / "native" / "__main__.py"
            native = pulumi_project(work, "native", native_program)
            up = run_program(native, env, endpoint, "node:index:Snapshot", "processing")
            if "using pulumi-resource-node from $PATH" not in up:
                fail(f"the engine did not run pulumi-resource-node from PATH:\n{up}")
            restore_from_stack(basic, env, endpoint)
        log(f"all passed in {time.monotonic() - start:.0f} s: {wheel.name}, {sdist.name}")
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
