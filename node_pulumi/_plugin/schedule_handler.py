"""``node:index:SnapshotSchedule``: a server's automatic snapshot cycles, through the shared core.

Read (refresh, import) reports the schedule get_server_detail finds, as outputs and as inputs,
so that the next diff sees a schedule changed elsewhere and ``up`` puts the program's back. The
resource's id is the server id: ``pulumi import node:index:SnapshotSchedule NAME SERVER_ID``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.inputs import AGE_INPUTS, check_schedule, schedule_changes
from .._core.schedule import apply_schedule, clear_schedule, read_schedule
from .call import Call
from .handler import Change, Checked, Read, ResourceHandler, changes
from .schema import SCHEDULE


class ScheduleHandler(ResourceHandler):
    """Create and update set the schedule; read reads it back; delete turns every cycle off."""

    token = SCHEDULE
    names = ("server_id", *AGE_INPUTS)

    def check(self, news: dict[str, Any]) -> Checked:
        inputs = dict(news)
        failures = check_schedule(inputs)
        return Checked(inputs, [(f.property, f.reason) for f in failures])

    def diff(
        self, olds: Mapping[str, Any], news: Mapping[str, Any], _outputs: Mapping[str, Any]
    ) -> dict[str, Change]:
        replaces, ages = schedule_changes(olds, news)
        return changes(olds, news, replaces, ages)

    async def create(self, call: Call, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        outputs = await self._set(call, inputs)
        return str(outputs["server_id"]), outputs

    async def read(
        self, call: Call, resource_id: str, outputs: dict[str, Any], inputs: dict[str, Any]
    ) -> Read | None:
        with call.settings().client() as client:
            found = await call.run(
                read_schedule, client, str(outputs.get("server_id") or resource_id)
            )
        return None if found is None else Read(resource_id, found, dict(found))

    async def update(
        self, call: Call, resource_id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._set(call, news)

    async def delete(self, call: Call, resource_id: str, outputs: dict[str, Any]) -> None:
        with call.settings().client() as client:
            await call.run(clear_schedule, client, str(outputs.get("server_id") or resource_id))

    async def _set(self, call: Call, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """Set the ages in ``inputs``; the outputs are what the API confirmed."""
        with call.settings().client() as client:
            return await call.run(apply_schedule, client, inputs)
