"""The doors-agree tests' fixtures: one stack of tests/lifecycle/agree per door.

A test that takes `door_stack` runs once per door, through the real CLI: `dynamic` (the Python
dynamic resources) and `native` (the plugin `pulumi-resource-node`, found on PATH).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from node_pulumi.sandbox import Sandbox

from .conftest import configure_for
from .stack import NATIVE_SNAPSHOT_TYPE, SNAPSHOT_TYPE, Stack

PROGRAM = Path(__file__).parent / "agree"


@dataclass(frozen=True)
class Door:
    """One front door: its name in `test:door` and its type tokens in state."""

    name: str
    snapshot_type: str
    schedule_type: str


DOORS = [
    Door("dynamic", SNAPSHOT_TYPE, "pulumi-python:dynamic/node:SnapshotSchedule"),
    Door("native", NATIVE_SNAPSHOT_TYPE, "node:index:SnapshotSchedule"),
]


@pytest.fixture(params=DOORS, ids=[d.name for d in DOORS])
def door(request: pytest.FixtureRequest) -> Door:
    found: Door = request.param
    return found


@pytest.fixture
def bare_door_stack(door: Door, make_stack: Callable[[Path, str], Stack]) -> Stack:
    """A stack of the agree program for ``door``, with no node.co.id settings."""
    stack = make_stack(PROGRAM, f"agree-{door.name}")
    plugin_dir = Path(sys.executable).parent
    assert (plugin_dir / "pulumi-resource-node").exists(), "pip install -e . makes the command"
    stack.env["PATH"] = f"{plugin_dir}{os.pathsep}{stack.env['PATH']}"
    stack.config("test:door", door.name)
    return stack


@pytest.fixture
def door_stack(bare_door_stack: Stack, sandbox: Sandbox) -> Stack:
    """A stack of the agree program for ``door``, configured for the sandbox."""
    return configure_for(bare_door_stack, sandbox)


def resources(stack: Stack, *types: str) -> list[tuple[str, str]]:
    """The (type, id) of each resource of one of ``types`` in the stack's state."""
    found = stack.export()["deployment"].get("resources") or []
    return sorted((r["type"], r.get("id", "")) for r in found if r["type"] in types)
