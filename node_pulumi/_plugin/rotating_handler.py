"""``node:index:RotatingSnapshot``: the last ``keep`` snapshots of a server, through the core.

Create and update run the core's step (`Rotation`) as coroutines (`RotatingHandler._advance`):
take a snapshot when the triggers changed (or none is held) and wait for it as a `Snapshot` does
(or resume waiting for the newest), then delete the oldest beyond ``keep``. A wait that fails
once the snapshot exists is partial state: the engine records the ids held so far, and the next
``up`` sends an Update that finds the triggers already served, so it resumes the wait and never
takes a second snapshot. A delete that fails is a warning, as in the dynamic door (the core's
`prune`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._api.errors import NodeError, SnapshotWaitError
from .._core import rotation as core
from .call import Call
from .handler import Change, Checked, Read, ResourceHandler, changes
from .schema import ROTATING
from .snapshot_handler import partial_state, resume, take


class RotatingHandler(ResourceHandler):
    """A rotation of snapshots; its id is the id of the first snapshot it took."""

    token = ROTATING
    names = (
        "server_id",
        "triggers",
        "keep",
        "wait_until_active",
        "wait_timeout",
        "snapshot_id",
        core.HELD,
        "snapshot_status",
    )

    def check(self, news: dict[str, Any]) -> Checked:
        inputs = dict(news)
        failures = core.check_rotating(inputs)
        return Checked(inputs, [(f.property, f.reason) for f in failures])

    def diff(
        self, olds: Mapping[str, Any], news: Mapping[str, Any], outputs: Mapping[str, Any]
    ) -> dict[str, Change]:
        """The core's `rotating_changes`, which also reads the snapshots held (an output): more
        than ``keep`` held (a delete failed) is an update that deletes them."""
        replaces, updates = core.rotating_changes({**olds, core.HELD: outputs.get(core.HELD)}, news)
        found = changes(olds, news, replaces, updates)
        if core.HELD in found:
            found[core.HELD] = Change("update", replace=False)
        return found

    async def create(self, call: Call, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return await self._advance(call, None, {}, inputs)

    async def read(
        self, call: Call, resource_id: str, outputs: dict[str, Any], inputs: dict[str, Any]
    ) -> Read | None:
        """Drop the snapshots gone elsewhere; with none left, the resource is gone."""
        if not core.held(outputs):
            raise NodeError(
                f"a RotatingSnapshot cannot be imported ({resource_id}): it holds only the "
                "snapshots it took itself (import a snapshot as a node:index:Snapshot)"
            )
        settings = call.settings()
        with settings.client() as client:
            ip_address = settings.client_ip_address
            refreshed = await call.run(core.refreshed, client, outputs, ip_address)
        return None if refreshed is None else Read(resource_id, refreshed, inputs)

    async def update(
        self, call: Call, resource_id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        """Take a snapshot if the triggers changed, resume a wait, delete beyond ``keep``."""
        _, outputs = await self._advance(call, resource_id, olds, news)
        return outputs

    async def delete(self, call: Call, resource_id: str, outputs: dict[str, Any]) -> None:
        with call.settings().client() as client:
            await call.run(core.delete_all, client, core.held(outputs))

    async def _advance(
        self, call: Call, resource_id: str | None, olds: dict[str, Any], inputs: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """Bring the rotation held in ``olds`` (outputs) to what ``inputs`` ask for: the core's
        `Rotation`, its step run as a coroutine in this call, then its prune.

        Returns the resource's id (on create, the new snapshot's) and its outputs.
        """
        rotation = core.Rotation(olds, inputs)
        settings = call.settings()
        with settings.client() as client:
            try:
                if rotation.step == core.TAKE:
                    rotation.record(await take(call, client, settings, inputs))
                elif rotation.step == core.RESUME:
                    outputs = rotation.outputs()
                    rotation.record(
                        await resume(call, client, settings, rotation.newest, outputs, inputs)
                    )
            except SnapshotWaitError as exc:
                rotation.record({"snapshot_id": exc.snapshot_id, "snapshot_status": exc.status})
                failed = rotation.outputs()
                raise partial_state(exc, failed, inputs, resource_id or rotation.first) from exc
            outputs = await call.run(rotation.prune, client, call.notify, call.warn)
        return resource_id or rotation.first, outputs
