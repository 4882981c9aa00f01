"""Ctrl-C through the real Pulumi CLI: an interrupted `up` leaves no snapshot unnamed.

A user presses Ctrl-C twice while snapshots wait for `active`. The first Ctrl-C does not stop the
waiting (the engine waits for operations in flight, and the Python dynamic provider ignores the
engine's Cancel); Pulumi's Python host passes it on to the program as a SIGINT, which surfaces as
a KeyboardInterrupt once the program runs again, and the `up` ends failed ("update canceled")
with every snapshot in state. The second Ctrl-C makes the engine shut its plugins down (here
about 35 s later, measured below), so the creates never return and their errors never show. What
names each snapshot is the line the provider writes on stderr the moment the API answers, which
the CLI prints at once.

    pytest -s tests/lifecycle/test_interrupt.py     # prints the measured times
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from node_pulumi.sandbox import Sandbox

from ..clock import StillClock
from ..conftest import API_KEY, USER_ID
from .conftest import configure_for
from .stack import Stack
from .test_faults import configure, start_up, wait_for

WAITING = Path(__file__).parent / "waiting"
HOOKED = Path(__file__).parent / "hooked"
SERVERS = ("12", "42", "555", "777")
CREATED = re.compile(
    r"node: snapshot (\w+) of server (\w+) created; waiting for it to become active"
)
FIRST_CTRL_C = "^C received; cancelling"
PENDING_WARNING = f"{len(SERVERS)} pending operations from previous deployment"

MakeStack = Callable[[Path, str], Stack]


def polled_snapshots(sandbox: Sandbox) -> set[str]:
    """The snapshots whose status was polled at least once."""
    return {c.params["snapshot_id"] for c in sandbox.calls("get_snapshot_detail")}


def pending_creates(stack: Stack) -> list[tuple[str, str, str | None]]:
    """The pending operations in Pulumi's state: (resource name, operation, id)."""
    operations = stack.export()["deployment"].get("pending_operations") or []
    return sorted(
        (op["resource"]["urn"].rpartition("::")[2], op["type"], op["resource"].get("id"))
        for op in operations
    )


@pytest.fixture
def clock() -> StillClock:
    return StillClock()


@pytest.fixture
def slow_sandbox(clock: StillClock) -> Iterator[Sandbox]:
    """Snapshots stay `processing` for an hour of the clock: the creates wait until told."""
    with Sandbox(USER_ID, API_KEY, processing_seconds=3600, clock=clock) as server:
        yield server


@contextlib.contextmanager
def cancelled_up(stack: Stack, sandbox: Sandbox, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run `pulumi up` and, once every snapshot waits, press Ctrl-C once.

    A terminal's Ctrl-C is a SIGINT to the CLI's process group. Each snapshot's first status
    poll comes after its line was written, so no later signal can overtake a line. Yields once
    the CLI took the Ctrl-C and a status poll came after it (the waiting goes on); kills the up
    on the way out if it still runs.
    """
    up = start_up(stack, log)
    try:
        wait_for(
            lambda: len(polled_snapshots(sandbox)) == len(SERVERS) or up.poll() is not None,
            "every snapshot waiting",
            timeout=120,
        )
        assert up.poll() is None, f"the up ended before the Ctrl-C:\n{log.read_text()}"
        os.killpg(up.pid, signal.SIGINT)
        wait_for(lambda: FIRST_CTRL_C in log.read_text(), "the CLI taking the first Ctrl-C")
        polls = len(sandbox.calls("get_snapshot_detail"))
        wait_for(
            lambda: len(sandbox.calls("get_snapshot_detail")) > polls or up.poll() is not None,
            "a status poll after the first Ctrl-C",
        )
        assert up.poll() is None, "the first Ctrl-C ended the up"
        yield up
    finally:
        if up.poll() is None:
            os.killpg(up.pid, signal.SIGKILL)
            up.wait(timeout=30)


def test_one_ctrl_c_lets_the_waits_finish_and_loses_nothing(
    make_stack: MakeStack, slow_sandbox: Sandbox, clock: StillClock, tmp_path: Path
) -> None:
    """After one Ctrl-C the snapshots keep waiting; once they are active the up ends, with each
    of them in state and no pending operation."""
    stack = configure(make_stack(WAITING, "waiting"), slow_sandbox.url)
    log = tmp_path / "up.log"
    with cancelled_up(stack, slow_sandbox, log) as up:
        clock.now += 2 * 3600
        active = time.monotonic()
        up.wait(timeout=180)
    print(f"\nthe CLI exited {time.monotonic() - active:.2f} s after the snapshots became active")
    output = log.read_text()
    assert up.returncode != 0 and "error: update canceled" in output, output
    in_state = {r["id"]: r["outputs"]["snapshot_status"] for r in stack.snapshots()}
    assert in_state == {s["snapshot_id"]: "active" for s in slow_sandbox.snapshots()}
    assert len(in_state) == len(SERVERS)
    assert pending_creates(stack) == []


def test_ctrl_c_twice_while_waiting_names_every_snapshot_and_the_cleanup_works(
    make_stack: MakeStack, slow_sandbox: Sandbox, tmp_path: Path
) -> None:
    """Ctrl-C twice during an `up` of four waiting snapshots.

    The first Ctrl-C does not stop the waiting (polls go on); after the second, the CLI ends with
    nothing in state but four pending creates without ids, and every snapshot that exists is
    named in the CLI's output with its server. Then what docs/guides/interruptions.md says about
    cleaning up: `refresh` and `up` keep the pending creates (the `up` warns and takes new
    snapshots), `refresh --clear-pending-creates` drops them, and `Snapshot.get` adopts the named
    ones.
    """
    stack = configure(make_stack(WAITING, "waiting"), slow_sandbox.url)
    log = tmp_path / "up.log"
    with cancelled_up(stack, slow_sandbox, log) as up:
        os.killpg(up.pid, signal.SIGINT)
        second = time.monotonic()
        up.wait(timeout=180)
    print(f"\nthe CLI exited {time.monotonic() - second:.2f} s after the second SIGINT")
    output = log.read_text()
    assert up.returncode != 0, output
    assert API_KEY not in output

    snapshots = slow_sandbox.snapshots()
    assert len(snapshots) == len(SERVERS)
    named = dict(CREATED.findall(output))
    assert named == {s["snapshot_id"]: s["server_id"] for s in snapshots}, output
    assert stack.snapshots() == []
    interrupted_creates = [(f"snap-{server}", "creating", None) for server in sorted(SERVERS)]
    assert pending_creates(stack) == interrupted_creates

    stack.run("refresh", "--yes", "--skip-preview")
    assert pending_creates(stack) == interrupted_creates

    stack.config("test:wait", "false")
    rerun = stack.up()
    assert PENDING_WARNING in rerun
    in_state = {r["id"] for r in stack.snapshots()}
    assert len(in_state) == len(SERVERS) and not in_state & named.keys()
    assert len(slow_sandbox.snapshots()) == 2 * len(SERVERS)
    assert pending_creates(stack) == interrupted_creates

    stack.run("refresh", "--yes", "--skip-preview", "--clear-pending-creates")
    assert pending_creates(stack) == []
    assert {r["id"] for r in stack.snapshots()} == in_state

    stack.config("test:adopt", ",".join(sorted(named)))
    adopted = stack.up()
    assert PENDING_WARNING not in adopted
    assert stack.outputs() == {f"adopted-{i}": server for i, server in named.items()}


def test_the_hook_names_its_snapshot_the_moment_it_exists(
    make_stack: MakeStack, sandbox: Sandbox
) -> None:
    """snapshot_before_update logs the same line through the engine, before waiting."""
    stack = configure_for(make_stack(HOOKED, "hooked"), sandbox)
    stack.up()
    stack.config("test:daily", "8")
    output = stack.up()
    (snapshot,) = sandbox.snapshots()
    assert f"node: snapshot {snapshot['snapshot_id']} of server 12345 created" in output
