"""The wheel as a Python user gets it: `pip install` into a fresh virtualenv outside the checkout,
then run from there: the version the plugin reports, the sandbox, preview and up of
examples/basic (dynamic resources) and of a `node_pulumi.native` program through the real CLI,
and `node-pulumi restore --stack --from-output` of examples/basic's snapshot."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .common import ROOT, clean_env, fail, log, pulumi_env, run

USER_ID = "10001"
API_KEY = "release-check-key"  # the local sandbox's: not a secret


def make_venv(work: Path, wheel: Path) -> Path:
    """A fresh virtualenv with the wheel pip-installed; return its bin/."""
    venv = work / "venv"
    run([sys.executable, "-m", "venv", str(venv)], env=clean_env())
    bin_dir = venv / "bin"
    run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)], env=clean_env())
    for command in ("python", "pulumi-resource-node", "node-pulumi"):
        if not os.access(bin_dir / command, os.X_OK):
            raise fail(f"installing {wheel.name} made no {command} in {bin_dir}")
    return bin_dir


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


def check_versions(bin_dir: Path, env: dict[str, str], work: Path, version: str) -> None:
    out = run([str(bin_dir / "python"), "-c", PLUGIN_VERSIONS], cwd=work, env=env)
    found = json.loads(out.strip().splitlines()[-1])
    module = Path(found.pop("module"))
    if not module.is_relative_to(bin_dir.parent) or module.is_relative_to(ROOT):
        raise fail(f"node_pulumi was imported from {module}, not from the fresh virtualenv")
    if set(found.values()) != {version}:
        raise fail(f"versions differ from {version}: {found}")


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
            raise fail(f"the sandbox did not start:\n{(work / 'sandbox.log').read_text()}")
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
        raise fail(f"{project.name}: the preview plans no {token}:\n{preview}")
    if len(admin(endpoint, "calls")) != before:
        raise fail(f"{project.name}: the preview called the API")
    up = pulumi(project, env, "up", "--yes", "--skip-preview")
    outputs = json.loads(pulumi(project, env, "stack", "output", "--json"))
    ids = {s["snapshot_id"] for s in admin(endpoint, "snapshots")}
    if outputs.get("snapshot_id") not in ids or outputs.get("snapshot_status") != status:
        raise fail(f"{project.name}: outputs {outputs}, sandbox snapshots {sorted(ids)}")
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
        raise fail(
            f"node-pulumi restore: the sandbox restored {restored}, not {outputs['snapshot_id']}"
        )
    log(f"node-pulumi restore: server 12345 restored from {outputs['snapshot_id']}")


def check_installed_wheel(work: Path, wheel: Path, version: str) -> None:
    """Install the wheel into a fresh virtualenv and run everything above from it."""
    bin_dir = make_venv(work, wheel)
    env = pulumi_env(work, path=[str(bin_dir)])
    # The wheel's pulumi-plugin.json asks for the plugin at github://: the engine must not try
    # to download it here; it runs the virtualenv's pulumi-resource-node from PATH.
    env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true"
    check_versions(bin_dir, env, work, version)
    with sandbox(bin_dir, env, work) as endpoint:
        basic = pulumi_project(work, "basic", ROOT / "examples" / "basic" / "__main__.py")
        run_program(basic, env, endpoint, "pulumi-python:dynamic/node:Snapshot", "active")
        native_program = ROOT / "tests" / "lifecycle" / "native" / "__main__.py"
        native = pulumi_project(work, "native", native_program)
        up = run_program(native, env, endpoint, "node:index:Snapshot", "processing")
        if "using pulumi-resource-node from $PATH" not in up:
            raise fail(f"the engine did not run pulumi-resource-node from PATH:\n{up}")
        restore_from_stack(basic, env, endpoint)
