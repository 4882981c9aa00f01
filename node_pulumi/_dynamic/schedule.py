"""The `SnapshotSchedule` resource and its provider: a server's automatic snapshot cycles."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    UpdateResult,
)

from .._core.inputs import AGE_INPUTS, check_schedule, schedule_age, schedule_changes
from .._core.operations import clear_schedule, set_schedule
from .._program import warn_if_api_key_in_plaintext
from .provider import NodeProvider, check_result


class SnapshotScheduleProvider(NodeProvider):
    """Sets a server's snapshot schedule with set_server_snapshot_schedule.

    The API has no call that reads a schedule back, so ``refresh`` keeps what Pulumi last set.
    Deleting the resource turns every cycle off. The Pulumi id is the server id.
    """

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the server id and the ages (whole numbers 1..99, or absent for off).

        Values not known yet (preview) pass; the engine checks again once they are known.
        """
        inputs = dict(news)
        return check_result(inputs, check_schedule(inputs))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """A new server replaces the schedule; new ages update it in place."""
        replaces, ages = schedule_changes(olds, news)
        return DiffResult(changes=bool(replaces or ages), replaces=replaces)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Set the schedule; the outputs are what the API confirmed."""
        outs = self._set(str(props["server_id"]), props)
        return CreateResult(outs["server_id"], outs)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Set the new ages."""
        return UpdateResult(self._set(str(news["server_id"]), news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The API cannot read a schedule back: keep the state as it is."""
        outs = {"server_id": props.get("server_id") or id_}
        outs.update({k: props[k] for k in AGE_INPUTS if props.get(k)})
        return ReadResult(id_, outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Turn every cycle of the server off; a server the API no longer knows has none left."""
        with self.settings().client() as client:
            clear_schedule(client, str(props.get("server_id") or id_))

    def _set(self, server_id: str, ages: dict[str, Any]) -> dict[str, Any]:
        """Set the ages in ``ages`` (the resource's inputs); the outputs the API confirmed."""
        wanted = {cycle: schedule_age(ages.get(name)) for name, cycle in AGE_INPUTS.items()}
        with self.settings().client() as client:
            confirmed = set_schedule(client, server_id, wanted)
        outs: dict[str, Any] = {"server_id": confirmed["server_id"]}
        outs.update({n: confirmed[c] for n, c in AGE_INPUTS.items() if confirmed[c] is not None})
        return outs


class SnapshotSchedule(Resource, module="node", name="SnapshotSchedule"):
    """Automatic daily / weekly / monthly snapshots of a server, each kept for a maximum age.

    ``None`` turns a cycle off; ages are whole numbers from 1 to 99 (days, weeks, months).
    One schedule per server: two resources for the same server would overwrite each other.
    """

    server_id: pulumi.Output[str]
    daily_max_age: pulumi.Output[int | None]
    weekly_max_age: pulumi.Output[int | None]
    monthly_max_age: pulumi.Output[int | None]

    def __init__(
        self,
        resource_name: str,
        server_id: pulumi.Input[str | int],
        *,
        daily_max_age: pulumi.Input[int] | None = None,
        weekly_max_age: pulumi.Input[int] | None = None,
        monthly_max_age: pulumi.Input[int] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        warn_if_api_key_in_plaintext()
        super().__init__(
            SnapshotScheduleProvider(),
            resource_name,
            {
                "server_id": server_id,
                "daily_max_age": daily_max_age,
                "weekly_max_age": weekly_max_age,
                "monthly_max_age": monthly_max_age,
            },
            opts,
        )
