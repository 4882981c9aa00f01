"""``node:index:Snapshot``: the plugin's operations translated to the shared core.

What the plugin adds over the dynamic resource: a wait that fails after the snapshot exists
(deadline, failure status, status calls failing, Cancel) reports it as partial state, so it lands
in state; the engine then sends an Update on the next ``up``, which resumes the wait and takes no
new snapshot. The same happens when ``waitUntilActive`` is turned on for a snapshot still
processing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._api.errors import (
    SnapshotFailedError,
    SnapshotTimeoutError,
    SnapshotWaitCancelled,
    SnapshotWaitError,
)
from .._api.transport import NodeClient
from .._core.drivers import Polling, resume_wait_async, snapshot_update, take_snapshot_async
from .._core.inputs import DEFAULT_WAIT_TIMEOUT, check_snapshot, snapshot_changes
from .._core.outputs import snapshot_outputs
from .._core.settings import Settings
from .._core.snapshots import delete_snapshot, read_snapshot
from .._core.waiting import poll_intervals
from .call import Call, InitFailed
from .handler import Change, Checked, Read, ResourceHandler, changes
from .schema import SNAPSHOT

IN_STATE = "it is in the stack's state, and the next `pulumi up` waits for it again"


class SnapshotHandler(ResourceHandler):
    """A manual snapshot: create takes one (and waits), read refreshes or imports, delete drops.

    Create and Update call the core's operations (`take_snapshot_async`, `snapshot_update`,
    `resume_wait_async`), as the dynamic provider calls their blocking twins; this class only
    adds the plugin's own: ``customTimeouts`` as the operation's time limit, the engine's Cancel,
    status lines on the resource's row, and a failed wait turned into partial state.
    """

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

    def diff(
        self, olds: Mapping[str, Any], news: Mapping[str, Any], _outputs: Mapping[str, Any]
    ) -> dict[str, Change]:
        replaces, local = snapshot_changes(olds, news)
        return changes(olds, news, replaces, local)

    async def create(self, call: Call, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        settings = call.settings()
        with settings.client() as client:
            try:
                details = await take(call, client, settings, inputs)
            except SnapshotWaitError as exc:
                created = {"snapshot_id": exc.snapshot_id, "snapshot_status": exc.status}
                raise partial_state(exc, snapshot_outputs(inputs, created), inputs) from exc
        return str(details["snapshot_id"]), snapshot_outputs(inputs, details)

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
        outputs, wait = snapshot_update(olds, news)
        if not wait:
            return outputs
        settings = call.settings()
        with settings.client() as client:
            try:
                return await resume(call, client, settings, resource_id, outputs, news)
            except SnapshotWaitError as exc:
                failed = {
                    **outputs,
                    "snapshot_status": exc.status or outputs.get("snapshot_status"),
                }
                raise partial_state(exc, failed, news) from exc

    async def delete(self, call: Call, resource_id: str, outputs: dict[str, Any]) -> None:
        with call.settings().client() as client:
            await call.run(delete_snapshot, client, resource_id)


async def take(
    call: Call, client: NodeClient, settings: Settings, inputs: Mapping[str, Any]
) -> dict[str, Any]:
    """The core's `take_snapshot_async` in this call: its time limit, Cancel and status lines."""
    return await take_snapshot_async(
        polling(call, client, settings),
        str(inputs["server_id"]),
        wait=bool(inputs.get("wait_until_active", True)),
        timeout=float(inputs.get("wait_timeout", DEFAULT_WAIT_TIMEOUT)),
        cancelled=call.cancelled,
    )


async def resume(
    call: Call,
    client: NodeClient,
    settings: Settings,
    snapshot_id: str,
    outputs: Mapping[str, Any],
    news: Mapping[str, Any],
) -> dict[str, Any]:
    """The core's `resume_wait_async` in this call: its time limit, Cancel and status lines."""
    return await resume_wait_async(
        polling(call, client, settings), snapshot_id, outputs, news, cancelled=call.cancelled
    )


def polling(call: Call, client: NodeClient, settings: Settings) -> Polling:
    """The core's settings of a create or a wait in this call: its time limit
    (``customTimeouts``), lines on the resource's row, and the status column."""
    return Polling(
        client,
        settings.client_ip_address,
        poll_intervals(),
        call.notify,
        call.timeout,
        call.status_line_for,
    )


def partial_state(
    exc: SnapshotWaitError,
    outputs: Mapping[str, Any],
    inputs: Mapping[str, Any],
    resource_id: str | None = None,
) -> InitFailed:
    """A wait that failed after the snapshot exists, as partial state: in state, with the reason.

    The resource is recorded as ``resource_id`` (default: the snapshot's id)."""
    return InitFailed(resource_id or exc.snapshot_id, outputs, inputs, _reason(exc))


def _reason(exc: SnapshotWaitError) -> str:
    """Why a wait failed, for a snapshot that the engine keeps in state."""
    snapshot_id = exc.snapshot_id
    if isinstance(exc, SnapshotTimeoutError):
        return f"snapshot {snapshot_id} is still {exc.status} after {exc.timeout:g}s; {IN_STATE}"
    if isinstance(exc, SnapshotWaitCancelled):
        return f"{exc}; {IN_STATE}"
    if isinstance(exc, SnapshotFailedError):
        return (
            f"snapshot {snapshot_id} became {exc.status!r} instead of 'active'; it is in the "
            "stack's state: change `triggers` to take a new one"
        )
    return (
        f"snapshot {snapshot_id} was created, but reading its status failed: "
        f"{exc.__cause__ or exc}; {IN_STATE}"
    )
