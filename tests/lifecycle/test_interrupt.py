"""Ctrl-C through the real Pulumi CLI: an interrupted `up` leaves no snapshot unnamed.

A user presses Ctrl-C while snapshots wait for `active`. The engine then sends Cancel to the
providers and waits for the operations in flight. The plugin answers Cancel: each waiting Create
ends at once with partial state (the snapshot in state with an init error), and the next `up`
resumes the waits. The Python dynamic provider ignores Cancel: its waits go on until the
snapshots are active; Pulumi's Python host passes the Ctrl-C on to the program as a SIGINT, which
surfaces as a KeyboardInterrupt once the program runs again, and the `up` ends failed ("update
canceled") with every snapshot in state. A second Ctrl-C makes the engine shut its plugins down
(here about 35 s later, measured below), so the dynamic door's creates never return and their
errors never show; what names each snapshot then is the line the provider writes on stderr the
moment the API answers, which the CLI prints at once.

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
from ..conftest import API_KEY
from .background import kill_up, start_up, wait_for
from .conftest import configure_for
from .door import Door
from .stack import Stack

WAITING = Path(__file__).parent / "waiting"
HOOKED = Path(__file__).parent / "hooked"
SERVERS = ("12", "42", "555", "777")  # the `waiting` program's
COUNT = 4  # snapshots of the doors' `many` programs, of servers srv-00 .. srv-03: the dynamic
# provider waits on at most 4 threads (test_plugin_concurrency.py)
CREATED = re.compile(
    r"node: snapshot (\w+) of server ([\w-]+) created; waiting for it to become active"
)
FIRST_CTRL_C = "^C received; cancelling"
PENDING_WARNING = f"{len(SERVERS)} pending operations from previous deployment"
EXIT_BOUND = 60.0
"""Seconds the CLI may take to exit after a Ctrl-C that the plugin honours: generous, since
without a working Cancel it would never exit (the sandbox's clock stands still, so no snapshot
becomes active)."""

MakeStack = Callable[[Path, str], Stack]
WAITING_SERVERS = (*SERVERS, *(f"srv-{i:02d}" for i in range(COUNT)))
"""What the held sandbox of the Ctrl-C tests knows: the `waiting` program's servers and the
`many` programs' srv-00 .. srv-03 (its snapshots stay `processing` until the test says)."""


def polled_snapshots(sandbox: Sandbox) -> set[str]:
    """The snapshots whose status was polled at least once."""
    return {c.params["snapshot_id"] for c in sandbox.calls("get_snapshot_detail")}


def pending_operations(stack: Stack) -> list[tuple[str, str, str | None]]:
    """The pending operations in Pulumi's state: (resource name, operation, id)."""
    operations = stack.export()["deployment"].get("pending_operations") or []
    return sorted(
        (op["resource"]["urn"].rpartition("::")[2], op["type"], op["resource"].get("id"))
        for op in operations
    )


def press_ctrl_c_once_all_wait(
    up: subprocess.Popen[bytes], sandbox: Sandbox, log: Path, count: int
) -> None:
    """Once each of ``count`` snapshots waits, press Ctrl-C once.

    A terminal's Ctrl-C is a SIGINT to the CLI's process group. Each snapshot's first status
    poll comes after its line was written, so no later signal can overtake a line.
    """
    wait_for(
        lambda: len(polled_snapshots(sandbox)) == count or up.poll() is not None,
        "every snapshot waiting",
        timeout=120,
    )
    assert up.poll() is None, f"the up ended before the Ctrl-C:\n{log.read_text()}"
    os.killpg(up.pid, signal.SIGINT)


@contextlib.contextmanager
def cancelled_up(stack: Stack, sandbox: Sandbox, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run `pulumi up` of the dynamic door's `waiting` program and, once every snapshot waits,
    press Ctrl-C once.

    Yields once the CLI took the Ctrl-C and a status poll came after it (the waiting goes on);
    kills the up on the way out if it still runs.
    """
    up = start_up(stack, log)
    try:
        press_ctrl_c_once_all_wait(up, sandbox, log, len(SERVERS))
        wait_for(lambda: FIRST_CTRL_C in log.read_text(), "the CLI taking the first Ctrl-C")
        polls = len(sandbox.calls("get_snapshot_detail"))
        wait_for(
            lambda: len(sandbox.calls("get_snapshot_detail")) > polls or up.poll() is not None,
            "a status poll after the first Ctrl-C",
        )
        assert up.poll() is None, "the first Ctrl-C ended the up"
        yield up
    finally:
        kill_up(up)


@pytest.mark.serial  # a Ctrl-C timed against the waits
@pytest.mark.sandbox(servers=WAITING_SERVERS)
def test_one_ctrl_c_while_snapshots_wait_loses_nothing(
    door: Door, make_stack: MakeStack, held_sandbox: Sandbox, clock: StillClock, tmp_path: Path
) -> None:
    """One Ctrl-C while four snapshots wait. The plugin ends every wait at once: the CLI exits
    with each snapshot in state, `processing`, with an init error saying the wait was cancelled,
    and the next `up` resumes the waits without taking a new snapshot. The dynamic door's waits
    go on: the up ends once the snapshots are active. Either way, every snapshot ends in state,
    active, with no pending operation and no second create."""
    sandbox = held_sandbox
    stack = configure_for(
        door.new_stack(make_stack(door.many, "many")),
        sandbox,
        **{"test:count": str(COUNT), "test:wait": "true"},
    )
    log = tmp_path / "up.log"
    up = start_up(stack, log)
    try:
        press_ctrl_c_once_all_wait(up, sandbox, log, COUNT)
        if door.name == "plugin":
            interrupted = time.monotonic()
            up.wait(timeout=EXIT_BOUND)
            print(f"\nthe CLI exited {time.monotonic() - interrupted:.2f} s after one Ctrl-C")
        else:
            wait_for(lambda: FIRST_CTRL_C in log.read_text(), "the CLI taking the Ctrl-C")
            polls = len(sandbox.calls("get_snapshot_detail"))
            wait_for(
                lambda: len(sandbox.calls("get_snapshot_detail")) > polls or up.poll() is not None,
                "a status poll after the Ctrl-C",
            )
            assert up.poll() is None, "the Ctrl-C ended the up"
            clock.now += 2 * 3600
            active = time.monotonic()
            up.wait(timeout=180)
            waited = time.monotonic() - active
            print(f"\nthe CLI exited {waited:.2f} s after the snapshots became active")
    finally:
        kill_up(up)
    output = log.read_text()
    assert up.returncode != 0, output  # the CLI reports the update cancelled, either way
    if door.name == "dynamic":
        assert "error: update canceled" in output, output
    assert API_KEY not in output
    snapshots = sandbox.snapshots()
    assert len(snapshots) == COUNT
    assert pending_operations(stack) == []

    if door.name == "plugin":
        resources = door.snapshots(stack)
        assert {r["id"] for r in resources} == {s["snapshot_id"] for s in snapshots}
        for resource in resources:
            assert resource["outputs"]["snapshotStatus"] == "processing"
            reason = f"snapshot {resource['id']} is still processing: waiting was cancelled"
            (init_error,) = resource["initErrors"]
            assert reason in init_error and reason in output
        clock.now += 2 * 3600
        sandbox.clear_calls()
        stack.up()
        assert {c.function for c in sandbox.calls()} == {"get_snapshot_detail"}

    in_state = {r["id"]: r["outputs"][door.key("snapshot_status")] for r in door.snapshots(stack)}
    assert in_state == {s["snapshot_id"]: "active" for s in sandbox.snapshots()}
    assert len(sandbox.snapshots()) == COUNT
    assert all("initErrors" not in r for r in door.snapshots(stack))
    assert pending_operations(stack) == []


@pytest.mark.serial  # a Ctrl-C timed against the waits
@pytest.mark.sandbox(servers=WAITING_SERVERS)
def test_ctrl_c_twice_while_waiting_names_every_snapshot_and_the_cleanup_works(
    make_stack: MakeStack, held_sandbox: Sandbox, tmp_path: Path
) -> None:
    """Ctrl-C twice during an `up` of four waiting snapshots.

    The first Ctrl-C does not stop the waiting (polls go on); after the second, the CLI ends with
    nothing in state but four pending creates without ids, and every snapshot that exists is
    named in the CLI's output with its server. Then what docs/guides/interruptions.md says about
    cleaning up: `refresh` and `up` keep the pending creates (the `up` warns and takes new
    snapshots), `refresh --clear-pending-creates` drops them, and `Snapshot.get` adopts the named
    ones.
    """
    stack = configure_for(make_stack(WAITING, "waiting"), held_sandbox)
    log = tmp_path / "up.log"
    with cancelled_up(stack, held_sandbox, log) as up:
        os.killpg(up.pid, signal.SIGINT)
        second = time.monotonic()
        up.wait(timeout=180)
    print(f"\nthe CLI exited {time.monotonic() - second:.2f} s after the second SIGINT")
    output = log.read_text()
    assert up.returncode != 0, output
    assert API_KEY not in output

    snapshots = held_sandbox.snapshots()
    assert len(snapshots) == len(SERVERS)
    named = dict(CREATED.findall(output))
    assert named == {s["snapshot_id"]: s["server_id"] for s in snapshots}, output
    assert stack.snapshots() == []
    interrupted_creates = [(f"snap-{server}", "creating", None) for server in sorted(SERVERS)]
    assert pending_operations(stack) == interrupted_creates

    stack.run("refresh", "--yes", "--skip-preview")
    assert pending_operations(stack) == interrupted_creates

    stack.config("test:wait", "false")
    rerun = stack.up()
    assert PENDING_WARNING in rerun
    in_state = {r["id"] for r in stack.snapshots()}
    assert len(in_state) == len(SERVERS) and not in_state & named.keys()
    assert len(held_sandbox.snapshots()) == 2 * len(SERVERS)
    assert pending_operations(stack) == interrupted_creates

    stack.run("refresh", "--yes", "--skip-preview", "--clear-pending-creates")
    assert pending_operations(stack) == []
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
