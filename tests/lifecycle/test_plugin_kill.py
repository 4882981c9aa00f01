"""Issue 5's kill test for the plugin: the sandbox SIGKILLed in the middle of an `up` of 20
`node_pulumi.native` snapshots, then restarted from its SQLite file.

The same promises as for the dynamic resources (test_faults.py): every snapshot in state exists;
a snapshot outside state belongs to a resource whose error says one may have started, and that
error names it or says its look-up failed; the rerun converges. The plugin reports errors as
clean messages on the resource, with no traceback.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ..conftest import API_KEY
from .stack import NATIVE_SNAPSHOT_TYPE, Stack
from .test_faults import (
    CLIENT_IP,
    COUNT,
    KILL_AFTER_ANSWERS,
    LOOKUP_FAILED,
    MAY_HAVE_STARTED,
    NONE_PROCESSING,
    SandboxProcess,
    configure,
    free_port,
    live_ids,
    named_ids,
    start_up,
    wait_for,
)
from .test_plugin_concurrency import NATIVE_MANY, kill_up, with_plugin


def state_ids(stack: Stack) -> set[str]:
    return {str(r["id"]) for r in stack.snapshots(NATIVE_SNAPSHOT_TYPE)}


def errors(output: str) -> dict[str, str]:
    """Each plugin Snapshot's error in the CLI's diagnostics, by resource name.

    A resource's diagnostics also hold its info lines ("node: snapshot ... created"): only its
    `error:` line is what the failed create reported.
    """
    _, _, section = output.partition("\nDiagnostics:\n")
    found = {}
    for block in re.split(r"^  (?=\S)", section, flags=re.MULTILINE):
        header = re.match(rf"{re.escape(NATIVE_SNAPSHOT_TYPE)} \(([\w-]+)\):", block)
        error = re.search(r"^    error: (.*)$", block, flags=re.MULTILINE)
        if header and error:
            found[header.group(1)] = error.group(1)
    return found


@pytest.mark.parametrize("restart", ["at-once", "after-the-up"])
def test_sandbox_killed_in_the_middle_of_a_plugin_up_loses_nothing(
    make_stack: Callable[[Path, str], Stack], tmp_path: Path, restart: str
) -> None:
    """As test_faults' kill test: creates are performed at once but answered 0.5 s later, the
    sandbox is SIGKILLed after 5 answers and restarted at once or after the up ended."""
    db, port = tmp_path / "sandbox.db", free_port()
    first = SandboxProcess(port, db, tmp_path / "sandbox-1.log")
    second = SandboxProcess(port, db, tmp_path / "sandbox-2.log")
    stack = configure(
        with_plugin(make_stack(NATIVE_MANY, "many")),
        first.url,
        **{"node:clientIpAddress": CLIENT_IP, "test:count": str(COUNT), "test:wait": "false"},
    )
    up_log = tmp_path / "up.log"
    up: subprocess.Popen[bytes] | None = None
    try:
        first.start()
        first.admin("fault", {"function": "create_snapshot", "latency": 0.5, "after": True})
        up = start_up(stack, up_log)
        running = up
        wait_for(
            lambda: running.poll() is not None or first.answered_creates() >= KILL_AFTER_ANSWERS,
            f"{KILL_AFTER_ANSWERS} answered creates",
            timeout=120,
        )
        assert up.poll() is None, f"the up ended before the kill:\n{up_log.read_text()}"
        first.kill()
        if restart == "after-the-up":
            up.wait(timeout=300)
        second.start()
        up.wait(timeout=300)
        output = up_log.read_text()
        assert up.returncode != 0, output
        assert "Traceback" not in output and API_KEY not in output

        snapshots = second.admin("snapshots")
        in_state = state_ids(stack)
        assert in_state <= live_ids(snapshots), (in_state, snapshots)
        orphans = live_ids(snapshots) - in_state
        _assert_orphans_reported(output, snapshots, orphans, lookups_possible=restart == "at-once")

        second.admin("clear_calls", {})
        missing = COUNT - len(in_state)
        stack.up()
        after = second.admin("snapshots")
        creates = [c for c in second.admin("calls") if c["function"] == "create_snapshot"]
        assert len(creates) == missing == len(after) - len(snapshots)
        final = state_ids(stack)
        assert final <= live_ids(after) and len(final) == COUNT
        assert live_ids(after) - final == orphans
        assert Counter(s["server_id"] for s in after) == Counter(
            [f"srv-{i:02d}" for i in range(COUNT)]
            + [s["server_id"] for s in snapshots if s["snapshot_id"] in orphans]
        )
        stack.run("up", "--yes", "--expect-no-changes")
    finally:
        if up is not None:
            kill_up(up)
        first.kill()
        second.stop()


def _assert_orphans_reported(
    output: str, snapshots: list[dict[str, Any]], orphans: set[str], *, lookups_possible: bool
) -> None:
    """Each orphan is reported by its own resource's error (see test_faults' kill test)."""
    by_resource = errors(output)
    server_of = {str(s["snapshot_id"]): str(s["server_id"]) for s in snapshots}
    orphans_of: dict[str, set[str]] = {}
    for orphan in orphans:
        orphans_of.setdefault(server_of[orphan], set()).add(orphan)
    for server, ids in orphans_of.items():
        assert len(ids) == 1, f"a duplicate snapshot of {server}: {ids}"
        report = by_resource.get(f"snap-{server[len('srv-') :]}", "")
        assert f"{MAY_HAVE_STARTED} {server} anyway" in report, (server, output)
        assert ids <= named_ids(report, snapshots) or LOOKUP_FAILED in report, report
        assert NONE_PROCESSING not in report, report
    for resource, report in by_resource.items():
        named = named_ids(report, snapshots)
        server = f"srv-{resource[len('snap-') :]}"
        assert named == orphans_of.get(server, set()) or not named, report
        if not lookups_possible and MAY_HAVE_STARTED in report:
            assert LOOKUP_FAILED in report and not named, report
