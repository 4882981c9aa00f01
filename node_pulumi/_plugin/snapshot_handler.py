"""``node:index:Snapshot``: the plugin's operations translated to the shared core.

What the plugin adds over the dynamic resource: a wait that fails after the snapshot exists
(deadline, failure status, status calls failing, Cancel) reports it as partial state, so it lands
in state; the engine then sends an Update on the next ``up``, which resumes the wait and takes no
new snapshot. The same happens when ``waitUntilActive`` is turned on for a snapshot still
processing.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from .._api.errors import SnapshotFailedError, SnapshotTimeoutError, SnapshotWaitError
from .._api.transport import NodeClient
from .._core.inputs import DEFAULT_WAIT_TIMEOUT, LOCAL_INPUTS, check_snapshot, snapshot_changes
from .._core.operations import (
    delete_snapshot,
    read_snapshot,
    snapshot_outputs,
    start_snapshot,
)
from .._core.settings import Settings
from .._core.waiting import await_active, poll_intervals
from .call import Call, InitFailed, WaitCancelled
from .handler import Change, Checked, Read, ResourceHandler, changes
from .schema import SNAPSHOT

IN_STATE = "it is in the stack's state, and the next `pulumi up` waits for it again"


class SnapshotHandler(ResourceHandler):
    """A manual snapshot: create takes one (and waits), read refreshes or imports, delete drops."""

    token = SNAPSHOT
    names = (
        "server_id",
        "triggers",
        "wait_until_active",
        "wait_timeout",
        "snapshot_id",
        "snapshot_status",
    )

    def check(self, news: dict[str, Any]) -> Checked:
        inputs = dict(news)
        failures = check_snapshot(inputs)
        return Checked(inputs, [(f.property, f.reason) for f in failures])

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Change]:
        replaces, local = snapshot_changes(olds, news)
        return changes(olds, news, replaces, local)

    async def create(self, call: Call, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        settings = call.settings()
        waiting = bool(inputs.get("wait_until_active", True))
        with settings.client() as client:
            created = await call.run(
                start_snapshot,
                client,
                str(inputs["server_id"]),
                client_ip_address=settings.client_ip_address,
                notify=call.notify,
                waiting=waiting,
            )
            snapshot_id = str(created["snapshot_id"])
            outputs = snapshot_outputs(inputs, created)
            if waiting:
                details = await await_snapshot(call, client, settings, snapshot_id, outputs, inputs)
                outputs = _merged(outputs, inputs, details)
        return snapshot_id, outputs

    async def read(
        self, call: Call, resource_id: str, outputs: dict[str, Any], inputs: dict[str, Any]
    ) -> Read | None:
        """Refresh from get_snapshot_detail; nothing when the snapshot is gone or deleted.

        An import (or ``Snapshot.get``) sends only the id: its inputs are then the server id.
        """
        settings = call.settings()
        with settings.client() as client:
            details = await call.run(read_snapshot, client, resource_id, settings.client_ip_address)
        if details is None:
            return None
        known = {**inputs, **outputs}
        new_outputs = snapshot_outputs(known, {"snapshot_id": resource_id, **details})
        new_inputs = inputs or {"server_id": new_outputs["server_id"]}
        return Read(resource_id, new_outputs, new_inputs)

    async def update(
        self, call: Call, resource_id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        """Take the new wait settings; resume waiting when asked to and not yet active."""
        outputs = {k: v for k, v in olds.items() if k not in LOCAL_INPUTS}
        outputs.update({k: news[k] for k in LOCAL_INPUTS if k in news})
        if news.get("wait_until_active", True) and olds.get("snapshot_status") != "active":
            settings = call.settings()
            with settings.client() as client:
                details = await await_snapshot(call, client, settings, resource_id, outputs, news)
                outputs = _merged(outputs, news, details)
        return outputs

    async def delete(self, call: Call, resource_id: str, outputs: dict[str, Any]) -> None:
        with call.settings().client() as client:
            await call.run(delete_snapshot, client, resource_id)


async def await_snapshot(
    call: Call,
    client: NodeClient,
    settings: Settings,
    snapshot_id: str,
    outputs: dict[str, Any],
    inputs: dict[str, Any],
    *,
    resource_id: str | None = None,
) -> dict[str, Any]:
    """Wait until the snapshot is active; return its details. Any failure is partial state.

    ``outputs`` and ``inputs`` are what the resource (``resource_id``, default the snapshot's
    own id) is recorded with if the wait fails: ``outputs`` hold the snapshot's last status.
    """
    status = outputs.get("snapshot_status")
    timeout = call.bounded(float(inputs.get("wait_timeout", DEFAULT_WAIT_TIMEOUT)))
    recorded_as = resource_id or snapshot_id

    def show(now: str | None) -> None:
        call.show_status(f"snapshot {snapshot_id} is {now}")

    try:
        return await call.wait(
            await_active(
                client,
                snapshot_id,
                status,
                deadline=time.monotonic() + timeout,
                timeout=timeout,
                client_ip_address=settings.client_ip_address,
                intervals=poll_intervals(),
                on_status=show,
            )
        )
    except SnapshotWaitError as exc:
        failed = {**outputs, "snapshot_status": exc.status or status}
        raise InitFailed(recorded_as, failed, inputs, _reason(exc, timeout)) from exc
    except WaitCancelled:
        reason = f"snapshot {snapshot_id} is still {status}: waiting was cancelled; {IN_STATE}"
        raise InitFailed(recorded_as, outputs, inputs, reason) from None


def _merged(
    outputs: dict[str, Any], inputs: dict[str, Any], details: dict[str, Any]
) -> dict[str, Any]:
    """A snapshot resource's outputs once its snapshot is active: what the API now reports."""
    return {**outputs, **snapshot_outputs({**inputs, **outputs}, details)}


def _reason(exc: SnapshotWaitError, timeout: float) -> str:
    """Why a wait failed, for a snapshot that the engine keeps in state."""
    snapshot_id = exc.snapshot_id
    if isinstance(exc, SnapshotTimeoutError):
        return f"snapshot {snapshot_id} is still {exc.status} after {timeout:g}s; {IN_STATE}"
    if isinstance(exc, SnapshotFailedError):
        return (
            f"snapshot {snapshot_id} became {exc.status!r} instead of 'active'; it is in the "
            "stack's state: change `triggers` to take a new one"
        )
    return (
        f"snapshot {snapshot_id} was created, but reading its status failed: "
        f"{exc.__cause__ or exc}; {IN_STATE}"
    )
