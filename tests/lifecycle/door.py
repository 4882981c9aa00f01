"""The two front doors to one core, as the lifecycle tests drive them through the real CLI.

A behaviour both doors promise is one test taking the `door` fixture (conftest.py), which runs
it once per door: the dynamic resources (``import node_pulumi as node``: `Snapshot` on Pulumi's
dynamic provider server) and the provider plugin (``node_pulumi.native``: `pulumi-resource-node`,
which the engine runs from the stack's plugin cache). A `Door` is all that differs between them
for a test: its test programs, its resource types, how its state spells property names, how its
errors show in the CLI's output, and what it does with a snapshot whose wait failed. The
doors-agree tests (agree.py) take the same `door` fixture with a program of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .stack import NATIVE_SNAPSHOT_TYPE, SNAPSHOT_TYPE, Stack

HERE = Path(__file__).parent

_BLOCK = re.compile(r"^  (?=\S)", flags=re.MULTILINE)
_DYNAMIC_ERROR = re.compile(r"^ +node_pulumi\.[\w.]+(?:Error|Exception): (.*)$", flags=re.MULTILINE)
_PLUGIN_ERROR = re.compile(r"^    error: (.*)$", flags=re.MULTILINE)
_ONE_OF_SEVERAL = re.compile(r"^    \t\* (.*)$", flags=re.MULTILINE)


def diagnostics(output: str, resource_type: str) -> dict[str, str]:
    """Each resource of ``resource_type``'s block of the CLI's diagnostics, by resource name."""
    _, _, section = output.partition("\nDiagnostics:\n")
    found = {}
    for block in _BLOCK.split(section):
        header = re.match(rf"{re.escape(resource_type)} \(([\w-]+)\):", block)
        if header:
            found[header.group(1)] = block
    return found


@dataclass(frozen=True)
class Door:
    """One front door: what a lifecycle test needs to drive it and read what it says."""

    name: Literal["dynamic", "plugin"]
    program: Path
    """A program of one Snapshot `snap`, shaped by `test:*` config (`serverId`, `triggers`,
    `wait`, `retain`, `adopt`); it exports `snapshot_id`, `snapshot_status`, `server_id` and,
    with `test:adopt`, `adopted_id`, `adopted_server_id`, `adopted_status`."""
    many: Path
    """A program of `test:count` Snapshots `snap-00`, ... of servers `srv-00`, ...; they wait
    with `test:wait` true."""
    snapshot_type: str
    schedule_type: str
    keeps_partial_state: bool
    """Whether a snapshot whose wait failed lands in state (with an init error, and the next
    `up` resumes its wait) rather than staying outside state, named by the error."""

    def __str__(self) -> str:
        return self.name

    def new_stack(self, stack: Stack) -> Stack:
        """Make ``stack`` able to run this door: the plugin door installs `pulumi-resource-node`
        into the stack's plugin cache, as documented."""
        return stack.install_plugin() if self.name == "plugin" else stack

    def key(self, name: str) -> str:
        """A property's name (snake_case, as the dynamic door and the programs' exports spell
        it) as this door's state spells it."""
        if self.name == "dynamic":
            return name
        first, *rest = name.split("_")
        return first + "".join(part.title() for part in rest)

    def snapshots(self, stack: Stack) -> list[dict[str, Any]]:
        """This door's Snapshot resources in ``stack``'s state."""
        return stack.snapshots(self.snapshot_type)

    def state_ids(self, stack: Stack) -> set[str]:
        """The ids of every Snapshot of this door in state, pending deletions included."""
        return {str(r["id"]) for r in self.snapshots(stack)}

    def errors(self, output: str) -> dict[str, str]:
        """The error each Snapshot reported in CLI output, by resource name.

        The dynamic door's error is the last line of the provider's traceback (a chained
        traceback's last exception); the plugin's is its `error:` line, or, for a snapshot
        recorded with an init error, the lines the engine lists under "N error(s) occurred".
        """
        found = {}
        for resource, block in diagnostics(output, self.snapshot_type).items():
            if self.name == "dynamic":
                messages = _DYNAMIC_ERROR.findall(block)
            else:
                messages = _PLUGIN_ERROR.findall(block)
                if messages and re.fullmatch(r"\d+ errors? occurred:", messages[-1]):
                    messages = ["; ".join(_ONE_OF_SEVERAL.findall(block))]
            if messages:
                found[resource] = messages[-1]
        return found

    def the_error(self, output: str, resource: str = "snap") -> str:
        """The error a failed command reports for ``resource`` (there must be one)."""
        found = self.errors(output)
        assert resource in found, output
        return found[resource]


DYNAMIC = Door(
    name="dynamic",
    program=HERE / "program",
    many=HERE / "many",
    snapshot_type=SNAPSHOT_TYPE,
    schedule_type="pulumi-python:dynamic/node:SnapshotSchedule",
    keeps_partial_state=False,
)
PLUGIN = Door(
    name="plugin",
    program=HERE / "native",
    many=HERE / "native_many",
    snapshot_type=NATIVE_SNAPSHOT_TYPE,
    schedule_type="node:index:SnapshotSchedule",
    keeps_partial_state=True,
)
DOORS = {door.name: door for door in (DYNAMIC, PLUGIN)}
