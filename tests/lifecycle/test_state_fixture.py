"""A stack written by release 0.1.0, imported and driven by this code through the real CLI.

Both doors keep their resources in state: the dynamic door's hold its provider dill-pickled by
module path (``node_pulumi._snapshot.SnapshotProvider``, ``node_pulumi._schedule.…``), so moving
those modules would break every existing stack without the import shims this test keeps honest.
See fixtures/make_state.py for how the fixture was written.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from node_pulumi import NodeClient
from node_pulumi.sandbox import Sandbox

from ..conftest import API_KEY, USER_ID
from .conftest import CLIENT_IP
from .stack import NATIVE_SNAPSHOT_TYPE, SNAPSHOT_TYPE, Stack

FIXTURES = Path(__file__).parent / "fixtures"
STATE = FIXTURES / "state-0.1.0.json"
SCHEDULE_TYPE = "pulumi-python:dynamic/node:SnapshotSchedule"
NATIVE_SCHEDULE_TYPE = "node:index:SnapshotSchedule"


def _resources(kind: str) -> list[dict[str, Any]]:
    deployment = json.loads(STATE.read_text())["deployment"]
    return [r for r in deployment["resources"] if r["type"] == kind]


def _seed(sandbox: Sandbox) -> set[str]:
    """Give the sandbox the snapshots and schedules the fixture names, as they were; return the
    snapshots' ids. (A refresh reads schedules back, so they must be there as set.)"""
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
        for kind, keys in (
            (SCHEDULE_TYPE, ("server_id", "daily_max_age", "weekly_max_age")),
            (NATIVE_SCHEDULE_TYPE, ("serverId", "dailyMaxAge", "weeklyMaxAge")),
        ):
            (resource,) = _resources(kind)
            server_id, daily, weekly = (resource["outputs"].get(k) for k in keys)
            client.set_server_snapshot_schedule(
                server_id,
                daily_snapshot="yes" if daily else "no",
                daily_snapshot_max_age=daily,
                weekly_snapshot="yes" if weekly else "no",
                weekly_snapshot_max_age=weekly,
            )
    ids = set()
    for kind, keys in (
        (SNAPSHOT_TYPE, ("server_id", "created_at", "snapshot_size")),
        (NATIVE_SNAPSHOT_TYPE, ("serverId", "createdAt", "snapshotSize")),
    ):
        (resource,) = _resources(kind)
        server_id, created_at, size = (resource["outputs"][k] for k in keys)
        sandbox.add_snapshot(resource["id"], server_id, created_at=created_at, size_gb=size)
        ids.add(resource["id"])
    return ids


def test_a_stack_from_release_0_1_0_refreshes_stays_unchanged_and_destroys(
    make_stack: Callable[[Path, str], Stack], sandbox: Sandbox
) -> None:
    ids = _seed(sandbox)
    stack = make_stack(FIXTURES / "state_program", "state")
    stack.env |= {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{stack.env['PATH']}",
        "NODE_USER_ID": USER_ID,
        "NODE_API_KEY": API_KEY,
        "NODE_ENDPOINT": sandbox.url,
        "NODE_CLIENT_IP_ADDRESS": CLIENT_IP,  # the lifecycle sandbox reads the API strictly
    }
    stack.run("stack", "import", "--file", str(STATE))

    stack.run("refresh", "--yes", "--skip-preview", "--expect-no-changes")
    reads = sandbox.calls("get_snapshot_detail")
    assert sorted(c.params["snapshot_id"] for c in reads) == sorted(ids)
    assert {c.params["client_ip_address"] for c in reads} == {CLIENT_IP}
    stack.run("preview", "--expect-no-changes")
    sandbox.clear_calls()
    stack.run("up", "--yes", "--skip-preview", "--expect-no-changes")
    assert sandbox.calls() == []

    stack.run("destroy", "--yes", "--skip-preview")
    assert {c.params["snapshot_id"] for c in sandbox.calls("delete_snapshot")} == ids
    assert {
        s["snapshot_id"] for s in sandbox.snapshots() if s["snapshot_status"] == "deleted"
    } == ids
    cleared = {s["server_id"] for s in sandbox.schedules() if s["daily_snapshot"] == "no"}
    assert cleared >= {"42", "555"}
    assert not any(s["weekly_snapshot"] == "yes" for s in sandbox.schedules())
    assert _state(stack) == []


def _state(stack: Stack) -> list[str]:
    resources = stack.export()["deployment"].get("resources") or []
    return [r["type"] for r in resources]
