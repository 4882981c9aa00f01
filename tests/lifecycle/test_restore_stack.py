"""``node-pulumi --stack`` against a real stack made with the real Pulumi CLI (file backend):
settings from the stack's configuration (the API key a secret), the snapshot id from its
output, no NODE_* variable anywhere, and nothing secret printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from node_pulumi.sandbox import Sandbox

from ..conftest import API_KEY, USER_ID
from .conftest import EXAMPLES
from .stack import PASSPHRASE, Stack

COMMAND = str(Path(sys.executable).parent / "node-pulumi")
IP = "203.0.113.7"
pytestmark = pytest.mark.sandbox(reinstall_seconds=0)  # reinstalls over at once


def node_pulumi(stack: Stack, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the command in the stack's environment (its backend, passphrase, CLI on PATH)."""
    return subprocess.run(
        [COMMAND, *args, "--stack", "dev", "--cwd", str(stack.root)],
        env={**stack.env, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_restore_from_a_stack_output_with_the_stacks_settings(
    stack: Stack, sandbox: Sandbox
) -> None:
    stack.up()
    snapshot_id = stack.outputs()["snapshot_id"]
    sandbox.clear_calls()
    result = node_pulumi(
        stack, "restore", "12345", "--from-output", "snapshot_id", "--yes", "--poll-interval",
        "0.05",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"snapshot {snapshot_id}: the output 'snapshot_id' of stack dev" in result.stderr
    assert result.stdout.startswith(f"server 12345 is on: restored from snapshot {snapshot_id}")
    assert [r["snapshot_id"] for r in sandbox.reinstalls("12345")] == [snapshot_id]
    assert sandbox.calls("reinstall_server")[0].params["user_id"] == "10001"
    password = sandbox.root_password("12345")
    for text in (result.stdout, result.stderr):
        assert API_KEY not in text and password not in text and PASSPHRASE not in text


def test_snapshots_with_the_stacks_settings(stack: Stack, sandbox: Sandbox) -> None:
    stack.config("node:clientIpAddress", IP)
    stack.up()
    snapshot_id = stack.outputs()["snapshot_id"]
    result = node_pulumi(stack, "snapshots", "--json")
    assert result.returncode == 0, result.stderr
    assert [r["snapshot_id"] for r in json.loads(result.stdout)] == [snapshot_id]
    assert API_KEY not in result.stdout + result.stderr


def test_a_missing_output_names_those_there_are(stack: Stack, sandbox: Sandbox) -> None:
    stack.up()
    sandbox.clear_calls()
    result = node_pulumi(stack, "restore", "12345", "--from-output", "nosuch", "--yes")
    assert result.returncode == 2
    assert "stack dev has no output 'nosuch' (its outputs: server_id, snapshot_id," in (
        result.stderr
    )
    assert sandbox.calls("reinstall_server") == []


def test_a_stack_that_cannot_be_decrypted_exits_2_without_a_secret(
    stack: Stack, sandbox: Sandbox
) -> None:
    result = node_pulumi(
        stack, "restore", "12345", "--latest", "--yes", PULUMI_CONFIG_PASSPHRASE="wrong"
    )
    assert result.returncode == 2, result.stderr
    assert "`pulumi config --json` failed (exit status 1): error: incorrect passphrase" in (
        result.stderr
    )
    assert API_KEY not in result.stderr + result.stdout
    assert sandbox.calls() == []


def test_the_ci_recipes_restore_step_as_written(stack: Stack, sandbox: Sandbox) -> None:
    """examples/ci/pulumi.yml's restore step, run by bash in the project as a runner would."""
    workflow = yaml.safe_load((EXAMPLES / "ci" / "pulumi.yml").read_text())
    (step,) = [s for s in workflow["jobs"]["restore"]["steps"] if "node-pulumi" in s.get("run", "")]
    stack.up()
    snapshot_id = stack.outputs()["snapshot_id"]
    env = stack.env | {
        "PATH": f"{Path(COMMAND).parent}{os.pathsep}{stack.env['PATH']}",
        "STACK": workflow["env"]["STACK"].replace("prod", "dev"),
        "SERVER_ID": "12345",
        "SNAPSHOT_OUTPUT": workflow[True]["workflow_dispatch"]["inputs"]["snapshot_output"][
            "default"
        ],
        "NODE_USER_ID": USER_ID,
        "NODE_API_KEY": API_KEY,
    }
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", step["run"]],
        cwd=stack.root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert [r["snapshot_id"] for r in sandbox.reinstalls("12345")] == [snapshot_id]
    assert API_KEY not in result.stdout + result.stderr


def test_doctor_with_the_stacks_settings_says_where_each_came_from(
    stack: Stack, sandbox: Sandbox
) -> None:
    stack.up()
    result = node_pulumi(stack, "doctor", "--server-id", "12345", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert {c["status"] for c in checks.values()} == {"ok"}
    for key in ("node:userId", "node:apiKey", "node:endpoint", "node:clientIpAddress"):
        assert checks[f"setting {key}"]["facts"]["source"] == "stack configuration", key
    assert checks["setting node:format"]["facts"]["source"] == "default"
    password = sandbox.root_password("12345")
    for text in (result.stdout, result.stderr):
        assert API_KEY not in text and password not in text and PASSPHRASE not in text
