"""What a test reads back from a sandbox: the functions it was called with, its live snapshots."""

from __future__ import annotations

from typing import Any

from node_pulumi.sandbox import Sandbox


def functions(sandbox: Sandbox) -> list[str]:
    """The API functions the sandbox answered, in order."""
    return [c.function for c in sandbox.calls()]


def live(sandbox: Sandbox) -> list[dict[str, Any]]:
    """The sandbox's snapshots that are not deleted, oldest first."""
    return [s for s in sandbox.snapshots() if s["snapshot_status"] != "deleted"]


def live_ids(sandbox: Sandbox) -> list[str]:
    """The ids of the snapshots that are not deleted, oldest first."""
    return [str(s["snapshot_id"]) for s in live(sandbox)]
