"""The `RotatingSnapshot` resource and its provider: the last ``keep`` snapshots of a server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from .._api.errors import NodeError
from .._core.drivers import resume_wait
from .._core.inputs import DEFAULT_WAIT_TIMEOUT
from .._core.rotation import (
    RESUME,
    TAKE,
    Rotation,
    check_rotating,
    delete_all,
    held,
    refreshed,
    rotating_changes,
)
from .._program import warn_if_api_key_in_plaintext
from .provider import check_result
from .snapshot import SnapshotProvider, to_stderr


class RotatingSnapshotProvider(SnapshotProvider):
    """Keeps the last ``keep`` snapshots of a server (see `node_pulumi._core.rotation`).

    Snapshots are taken and waited for as `SnapshotProvider` does (with its poll settings). A
    dynamic provider cannot record a partly done update, so: a snapshot whose wait fails is
    named in the error and left out of the rotation (as a `Snapshot`'s would be). A delete that
    fails is a warning in both doors (the core's `prune`): the snapshot stays held until the
    next ``up`` deletes it.
    """

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the inputs without any call (``keep`` a whole number >= 1); unknowns pass."""
        inputs = dict(news)
        return check_result(inputs, check_rotating(inputs))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """A new server replaces the rotation; triggers, keep and wait settings update it."""
        replaces, updates = rotating_changes(olds, news)
        return DiffResult(changes=bool(replaces or updates), replaces=replaces)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Take the first snapshot; its id is the resource's id for good."""
        rotation = self.rotate(Rotation({}, props))
        return CreateResult(rotation.first, rotation.outputs())

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Take a snapshot if the triggers changed (or resume waiting for the newest), then
        delete the oldest beyond ``keep``: the core's `Rotation`."""
        return UpdateResult(self.rotate(Rotation(olds, news)).outputs())

    def rotate(self, rotation: Rotation) -> Rotation:
        """Run the core's step blocking, with this provider's poll settings, then its prune."""
        settings = self.settings()
        with settings.client() as client:
            if rotation.step == TAKE:
                rotation.record(self.take(client, settings, rotation.inputs))
            elif rotation.step == RESUME:
                polling = self.polling(client, settings)
                outputs = rotation.outputs()
                rotation.record(resume_wait(polling, rotation.newest, outputs, rotation.inputs))
            rotation.prune(client, to_stderr, _warn)
        return rotation

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Drop the snapshots gone elsewhere; with none left, the resource leaves the state."""
        if not held(props):
            raise NodeError(
                f"RotatingSnapshot {id_} cannot be adopted: only the snapshots a rotating "
                "snapshot took are in it (adopt a snapshot with Snapshot.get)"
            )
        settings = self.settings()
        with settings.client() as client:
            outputs = refreshed(client, props, settings.client_ip_address)
        return ReadResult("", {}) if outputs is None else ReadResult(id_, outputs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Delete every snapshot held, oldest first; ones already gone count as deleted."""
        with self.settings().client() as client:
            delete_all(client, held(props))


def _warn(message: str) -> None:
    to_stderr(f"node: warning: {message}")


class RotatingSnapshot(Resource, module="node", name="RotatingSnapshot"):
    """The last ``keep`` snapshots of a node.co.id server, one more at each change of
    ``triggers``.

    A change of ``triggers`` takes a new snapshot (an update, not a replacement), then deletes
    the oldest beyond ``keep``; lowering ``keep`` deletes the extras at the next ``up``. Only
    snapshots this resource took are deleted. ``snapshot_id`` is the newest, ``snapshot_ids``
    all of them, newest first. A new ``server_id`` replaces the resource: the new one takes its
    first snapshot, then the old one's snapshots are deleted (or kept, with
    ``retain_on_delete``). ``pulumi destroy`` deletes every snapshot held.
    """

    snapshot_id: pulumi.Output[str]
    snapshot_ids: pulumi.Output[list[str]]
    snapshot_status: pulumi.Output[str]
    server_id: pulumi.Output[str]
    keep: pulumi.Output[int]
    triggers: pulumi.Output[Any]
    wait_until_active: pulumi.Output[bool]
    wait_timeout: pulumi.Output[float]

    def __init__(
        self,
        resource_name: str,
        server_id: pulumi.Input[str | int],
        *,
        keep: pulumi.Input[int],
        triggers: pulumi.Input[Sequence[Any]] | None = None,
        wait_until_active: pulumi.Input[bool] = True,
        wait_timeout: pulumi.Input[float] = DEFAULT_WAIT_TIMEOUT,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        warn_if_api_key_in_plaintext()
        super().__init__(
            RotatingSnapshotProvider(),
            resource_name,
            {
                "server_id": server_id,
                "keep": keep,
                "triggers": triggers,
                "wait_until_active": wait_until_active,
                "wait_timeout": wait_timeout,
                **dict.fromkeys(("snapshot_id", "snapshot_ids", "snapshot_status")),
            },
            opts,
        )
