"""A `pulumi up` in the background, for the tests that act while it runs (kill, Ctrl-C, overlap).

They wait for what the sandbox saw (calls answered, snapshots polled) by polling a condition:
`wait_for` is the only waiting they do, and it never stands in for an event.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from ..child import interruptible
from .stack import Stack


def start_up(stack: Stack, output: Path, *args: str) -> subprocess.Popen[bytes]:
    """`pulumi up ARGS` in the background, in its own process group, its output in a file.

    It starts with SIGINT at its default (a terminal's Ctrl-C reaches it and the engine's
    children), even when the suite was started with SIGINT ignored (`..child`).
    """
    with output.open("wb") as out:
        return subprocess.Popen(
            interruptible(["pulumi", "up", "--yes", "--skip-preview", "--non-interactive", *args]),
            cwd=stack.root,
            env=stack.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_up(up: subprocess.Popen[bytes]) -> None:
    """Kill a background `pulumi up` that still runs, and the plugins it started.

    The engine starts each plugin in a process group of its own: killing the CLI's group alone
    would leave the plugin serving forever.
    """
    if up.poll() is not None:
        return
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(up.pid)], capture_output=True, text=True, check=False
    )
    os.killpg(up.pid, signal.SIGKILL)
    for pid in children.stdout.split():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)
    up.wait(timeout=30)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Poll ``condition`` until true, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
