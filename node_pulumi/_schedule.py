"""The `SnapshotSchedule` resource and its provider: a server's automatic snapshot cycles."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    UpdateResult,
)

from ._errors import NodeApiError
from ._provider import (
    NodeProvider,
    changed,
    check_server_id,
    is_unknown,
    shown,
    whole_number,
)
from ._settings import warn_if_api_key_in_plaintext

# Each input's cycle name in the API: daily_max_age -> daily_snapshot / daily_snapshot_max_age.
CYCLES = {"daily_max_age": "daily", "weekly_max_age": "weekly", "monthly_max_age": "monthly"}
MAX_AGE_LIMIT = 99  # the API takes at most two digits


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
        failures = check_server_id(inputs)
        for name, cycle in CYCLES.items():
            age = inputs.get(name)
            if age is None or is_unknown(age):
                continue
            whole = whole_number(age)
            if whole is None or not 1 <= whole <= MAX_AGE_LIMIT:
                failures.append(
                    CheckFailure(
                        name,
                        f"{name} must be a whole number of {cycle} cycles from 1 to "
                        f"{MAX_AGE_LIMIT}, or None to turn {cycle} snapshots off: {shown(age)}",
                    )
                )
            else:
                inputs[name] = whole
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """A new server replaces the schedule; new ages update it in place."""
        replaces = ["server_id"] if changed(olds.get("server_id"), news.get("server_id")) else []
        ages = [k for k in CYCLES if changed(_age(olds.get(k)), _age(news.get(k)))]
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
        outs.update({k: props[k] for k in CYCLES if props.get(k)})
        return ReadResult(id_, outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Turn every cycle of the server off; a server the API no longer knows has none left."""
        try:
            self._set(str(props.get("server_id") or id_), {})
        except NodeApiError as exc:
            if not exc.is_not_found:
                raise

    def _set(self, server_id: str, ages: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for name, cycle in CYCLES.items():
            age = _age(ages.get(name))
            params[f"{cycle}_snapshot"] = "yes" if age else "no"
            if age:
                params[f"{cycle}_snapshot_max_age"] = age
        with self.settings().client() as client:
            echoed = client.set_server_snapshot_schedule(server_id, **params)
        outs: dict[str, Any] = {"server_id": echoed.get("server_id") or server_id}
        for name, cycle in CYCLES.items():
            on = echoed.get(f"{cycle}_snapshot") == "yes"
            age = echoed.get(f"{cycle}_snapshot_max_age")
            if on and age:
                outs[name] = int(age)
        return outs


def _age(value: Any) -> Any:
    """An age as the API means it: None (off) for absent or 0; a value not yet known stays so."""
    if value is None or is_unknown(value):
        return value
    return int(value) or None


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
