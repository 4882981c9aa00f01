"""The doors-agree tests' stacks: one stack of tests/lifecycle/agree per door.

A test module that binds `bare_door_stack` and `door_stack` from here runs each test taking them
once per door (the `door` fixture, door.py), through the real CLI, on the agree program: the same
resources through either door, chosen by `test:door`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from node_pulumi.sandbox import Sandbox

from .conftest import configure_for
from .door import Door
from .stack import Stack

PROGRAM = Path(__file__).parent / "agree"


@pytest.fixture
def bare_door_stack(door: Door, make_stack: Callable[[Path, str], Stack]) -> Stack:
    """A stack of the agree program for ``door``, with no node.co.id settings."""
    stack = door.new_stack(make_stack(PROGRAM, f"agree-{door.name}"))
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
