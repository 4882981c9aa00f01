"""``node:index:SnapshotSchedule``: a server's automatic snapshot cycles, through the shared core.

The API has no call that reads a schedule back, so a refresh keeps what Pulumi last set. The
resource's id is the server id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.inputs import AGE_INPUTS, check_schedule, schedule_age, schedule_changes
from .._core.operations import clear_schedule, set_schedule
from .call import Call
from .handler import Change, Checked, Read, ResourceHandler, changes
from .schema import SCHEDULE


class ScheduleHandler(ResourceHandler):
    """Create and update set the schedule; delete turns every cycle off."""

    token = SCHEDULE
    names = ("server_id", *AGE_INPUTS)

    def check(self, news: dict[str, Any]) -> Checked:
        inputs = dict(news)
        failures = check_schedule(inputs)
        return Checked(inputs, [(f.property, f.reason) for f in failures])

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Change]:
        replaces, ages = schedule_changes(olds, news)
        return changes(olds, news, replaces, ages)

    async def create(self, call: Call, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        outputs = await self._set(call, inputs)
        return str(outputs["server_id"]), outputs

    async def read(
        self, call: Call, resource_id: str, outputs: dict[str, Any], inputs: dict[str, Any]
    ) -> Read | None:
        kept = {"server_id": outputs.get("server_id") or resource_id}
        kept.update({k: outputs[k] for k in AGE_INPUTS if outputs.get(k)})
        return Read(resource_id, kept, inputs or dict(kept))

    async def update(
        self, call: Call, resource_id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._set(call, news)

    async def delete(self, call: Call, resource_id: str, outputs: dict[str, Any]) -> None:
        with call.settings().client() as client:
            await call.run(clear_schedule, client, str(outputs.get("server_id") or resource_id))

    async def _set(self, call: Call, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """Set the ages in ``inputs``; the outputs are what the API confirmed."""
        ages = {cycle: schedule_age(inputs.get(name)) for name, cycle in AGE_INPUTS.items()}
        with call.settings().client() as client:
            confirmed = await call.run(set_schedule, client, str(inputs["server_id"]), ages)
        outputs: dict[str, Any] = {"server_id": confirmed["server_id"]}
        for name, cycle in AGE_INPUTS.items():
            if confirmed.get(cycle):
                outputs[name] = confirmed[cycle]
        return outputs
