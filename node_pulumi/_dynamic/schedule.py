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

from .._core.inputs import check_schedule, schedule_changes
from .._core.schedule import apply_schedule, clear_schedule, read_schedule
from .._program import warn_if_api_key_in_plaintext
from .provider import NodeProvider, check_result


class SnapshotScheduleProvider(NodeProvider):
    """Sets a server's snapshot schedule with set_server_snapshot_schedule.

    ``refresh`` reads it back with get_server_detail, so a schedule changed elsewhere shows, and
    the next ``up`` puts the program's back. Deleting the resource turns every cycle off. The
    Pulumi id is the server id.
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
        outs = self._set(props)
        return CreateResult(outs["server_id"], outs)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Set the new ages."""
        return UpdateResult(self._set(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The schedule as get_server_detail reports it now; a server the API no longer knows
        takes the resource out of the state."""
        with self.settings().client() as client:
            found = read_schedule(client, str(props.get("server_id") or id_))
        if found is None:
            return ReadResult("", {})
        return ReadResult(id_, found, found)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Turn every cycle of the server off; a server the API no longer knows has none left."""
        with self.settings().client() as client:
            clear_schedule(client, str(props.get("server_id") or id_))

    def _set(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """Set the ages in ``inputs``; the outputs the API confirmed."""
        with self.settings().client() as client:
            return apply_schedule(client, inputs)


class SnapshotSchedule(Resource, module="node", name="SnapshotSchedule"):
    """Automatic daily / weekly / monthly snapshots of a server, each kept for a maximum age.

    ``None`` turns a cycle off; ages are whole numbers from 1 to 99 (days, weeks, months).
    One schedule per server: two resources for the same server would overwrite each other.
    ``refresh`` reads the schedule back, so a change made elsewhere shows and the next ``up``
    puts the program's back.
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
