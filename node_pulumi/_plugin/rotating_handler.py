"""``node:index:RotatingSnapshot``: the last ``keep`` snapshots of a server, through the core.

Create and update run the same step (`RotatingHandler._advance`): take a snapshot when the
triggers changed (or none is held), wait for the newest as a `Snapshot` does, then delete the
oldest beyond ``keep``. Once a snapshot exists, every failure is partial state: the engine
records the ids held so far, and the next ``up`` sends an Update that finds the triggers already
served, so it resumes the wait or the deletes and never takes a second snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._api.errors import NodeError
from .._core.operations import start_snapshot
from .._core.rotation import (
    HELD,
    RotationPruneError,
    check_rotating,
    delete_all,
    held,
    needs_snapshot,
    prune,
    refresh,
    rotating_changes,
    rotating_outputs,
)
from .call import Call, InitFailed
from .handler import Change, Checked, Read, ResourceHandler, changes
from .schema import ROTATING
from .snapshot_handler import await_snapshot


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
        """Bring the rotation held in ``olds`` (outputs) to what ``inputs`` ask for.

        Returns the resource's id (on create, the new snapshot's) and its outputs.
        """
        snapshot_ids, status = held(olds), olds.get("snapshot_status")
        waiting = bool(inputs.get("wait_until_active", True))
        settings = call.settings()
        with settings.client() as client:
            if needs_snapshot(olds, inputs):
                created = await call.run(
                    start_snapshot,
                    client,
                    str(inputs["server_id"]),
                    client_ip_address=settings.client_ip_address,
                    notify=call.notify,
                    waiting=waiting,
                )
                snapshot_ids = [str(created["snapshot_id"]), *snapshot_ids]
                status = created.get("snapshot_status")
            recorded_as = resource_id or snapshot_ids[-1]
            outputs = rotating_outputs(inputs, snapshot_ids, status)
            if waiting and status != "active":
                details = await await_snapshot(
                    call,
                    client,
                    settings,
                    snapshot_ids[0],
                    outputs,
                    inputs,
                    resource_id=recorded_as,
                )
                outputs["snapshot_status"] = details.get("snapshot_status")
            try:
                outputs[HELD] = await call.run(
                    prune, client, snapshot_ids, int(inputs["keep"]), call.notify
                )
            except RotationPruneError as exc:
                partial = {**outputs, HELD: exc.kept}
                raise InitFailed(recorded_as, partial, inputs, str(exc)) from exc
        return recorded_as, outputs
