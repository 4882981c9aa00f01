"""``node:index:RotatingSnapshot``: the last ``keep`` snapshots of a server, through the core.

Create and update run the same step (`RotatingHandler._advance`): take a snapshot when the
triggers changed (or none is held) and wait for it as a `Snapshot` does (or resume waiting for
the newest), then delete the oldest beyond ``keep``. Once a snapshot exists, every failure is
partial state: the engine records the ids held so far, and the next ``up`` sends an Update that
finds the triggers already served, so it resumes the wait or the deletes and never takes a
second snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._api.errors import NodeError, SnapshotWaitError
from .._core.rotation import (
    HELD,
    RESUME,
    TAKE,
    RotationPruneError,
    check_rotating,
    delete_all,
    held,
    next_step,
    prune,
    refresh,
    rotating_changes,
    rotating_outputs,
)
from .call import Call, InitFailed
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
        HELD,
        "snapshot_status",
    )

    def check(self, news: dict[str, Any]) -> Checked:
        inputs = dict(news)
        failures = check_rotating(inputs)
        return Checked(inputs, [(f.property, f.reason) for f in failures])

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Change]:
        replaces, updates = rotating_changes(olds, news)
        return changes(olds, news, replaces, updates)

    async def create(self, call: Call, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return await self._advance(call, None, {}, inputs)

    async def read(
        self, call: Call, resource_id: str, outputs: dict[str, Any], inputs: dict[str, Any]
    ) -> Read | None:
        """Drop the snapshots gone elsewhere; with none left, the resource is gone."""
        snapshot_ids = held(outputs)
        if not snapshot_ids:
            raise NodeError(
                f"a RotatingSnapshot cannot be imported ({resource_id}): it holds only the "
                "snapshots it took itself (import a snapshot as a node:index:Snapshot)"
            )
        settings = call.settings()
        with settings.client() as client:
            kept, newest = await call.run(refresh, client, snapshot_ids, settings.client_ip_address)
        if newest is None:
            return None
        status = newest.get("snapshot_status")
        return Read(resource_id, rotating_outputs(outputs, kept, status), inputs)

    async def update(
        self, call: Call, resource_id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        """Take a snapshot if the triggers changed, resume a wait, delete beyond ``keep``."""
        _, outputs = await self._advance(call, resource_id, olds, news)
        return outputs

    async def delete(self, call: Call, resource_id: str, outputs: dict[str, Any]) -> None:
        with call.settings().client() as client:
            await call.run(delete_all, client, held(outputs))

    async def _advance(
        self, call: Call, resource_id: str | None, olds: dict[str, Any], inputs: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """Bring the rotation held in ``olds`` (outputs) to what ``inputs`` ask for: the core's
        `next_step` (take a snapshot, or resume waiting for the newest), then `prune`.

        Returns the resource's id (on create, the new snapshot's) and its outputs.
        """
        snapshot_ids, status = held(olds), olds.get("snapshot_status")
        step = next_step(olds, inputs)
        settings = call.settings()
        with settings.client() as client:
            try:
                if step == TAKE:
                    details = await take(call, client, settings, inputs)
                    snapshot_ids = [str(details["snapshot_id"]), *snapshot_ids]
                    status = details.get("snapshot_status")
                elif step == RESUME:
                    waited = await resume(call, client, settings, snapshot_ids[0], olds, inputs)
                    status = waited.get("snapshot_status")
            except SnapshotWaitError as exc:
                if step == TAKE:
                    snapshot_ids, status = [exc.snapshot_id, *snapshot_ids], None
                failed = rotating_outputs(inputs, snapshot_ids, exc.status or status)
                raise partial_state(exc, failed, inputs, resource_id or snapshot_ids[-1]) from exc
            recorded_as = resource_id or snapshot_ids[-1]
            outputs = rotating_outputs(inputs, snapshot_ids, status)
            try:
                outputs[HELD] = await call.run(
                    prune, client, snapshot_ids, int(inputs["keep"]), call.notify
                )
            except RotationPruneError as exc:
                partial = {**outputs, HELD: exc.kept}
                raise InitFailed(recorded_as, partial, inputs, str(exc)) from exc
        return recorded_as, outputs
