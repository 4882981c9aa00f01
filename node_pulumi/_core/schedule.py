"""A schedule resource's state, for both front doors: set from its inputs, read back from the API.

Its outputs (snake_case) are ``server_id`` and each cycle's max age (``daily_max_age``, ...),
absent when that cycle is off: what the API confirmed when Pulumi set it, or what
get_server_detail reports now, so that ``refresh`` sees a schedule changed elsewhere (in the web
panel) and the next ``up`` puts the program's back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._api.errors import NodeApiError
from .._api.transport import NodeClient
from .gone import is_gone
from .inputs import AGE_INPUTS, schedule_age

SCHEDULE_CYCLES = ("daily", "weekly", "monthly")


def apply_schedule(client: NodeClient, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Set the schedule the inputs ask for (an absent or 0 age turns that cycle off); return the
    outputs the API confirmed."""
    wanted = {cycle: schedule_age(inputs.get(name)) for name, cycle in AGE_INPUTS.items()}
    return schedule_outputs(set_schedule(client, str(inputs["server_id"]), wanted))


def read_schedule(client: NodeClient, server_id: str) -> dict[str, Any] | None:
    """The server's schedule as get_server_detail reports it now, as outputs; None when the
    API says the server is gone (`gone.is_gone`: never a credentials answer; any other error is
    raised).

    Each cycle is on when its flag is ``yes`` (the client turns the published
    ``daiy_snapshots`` into ``daily_snapshots``) with a max age (``retain_<cycle>_snapshots``)
    of at least 1.
    """
    try:
        detail = client.get_server_detail(server_id)
    except NodeApiError as exc:
        if not is_gone(exc):
            raise
        return None
    found: dict[str, Any] = {"server_id": str(detail.get("server_id") or server_id)}
    for cycle in SCHEDULE_CYCLES:
        flag = detail.get(f"{cycle}_snapshots")
        age = _whole(detail.get(f"retain_{cycle}_snapshots"))
        found[cycle] = age if flag == "yes" and age and age >= 1 else None
    return schedule_outputs(found)


def schedule_outputs(confirmed: Mapping[str, Any]) -> dict[str, Any]:
    """Outputs from a schedule by cycle (``{"server_id", "daily": age or None, ...}``)."""
    outputs: dict[str, Any] = {"server_id": confirmed["server_id"]}
    for name, cycle in AGE_INPUTS.items():
        if confirmed.get(cycle):
            outputs[name] = confirmed[cycle]
    return outputs


def _whole(value: Any) -> int | None:
    """A max age as reported: a whole number, or text of one (XML); anything else is None."""
    try:
        return int(str(value))
    except ValueError:
        return None


def set_schedule(
    client: NodeClient, server_id: str, ages: Mapping[str, int | None]
) -> dict[str, Any]:
    """Set a server's automatic snapshot cycles; return what the API confirmed.

    ``ages`` maps ``daily`` / ``weekly`` / ``monthly`` to a maximum age (absent, None or 0: that
    cycle off). The answer has ``server_id`` and each cycle's confirmed age, or None when off.
    """
    params: dict[str, Any] = {}
    for cycle in SCHEDULE_CYCLES:
        age = ages.get(cycle)
        params[f"{cycle}_snapshot"] = "yes" if age else "no"
        if age:
            params[f"{cycle}_snapshot_max_age"] = age
    echoed = client.set_server_snapshot_schedule(server_id, **params)
    confirmed: dict[str, Any] = {"server_id": echoed.get("server_id") or server_id}
    for cycle in SCHEDULE_CYCLES:
        on = echoed.get(f"{cycle}_snapshot") == "yes"
        age = echoed.get(f"{cycle}_snapshot_max_age")
        confirmed[cycle] = int(age) if on and age else None
    return confirmed


def clear_schedule(client: NodeClient, server_id: str) -> None:
    """Turn every cycle of a server off; a server the API says is gone (`gone.is_gone`) has none
    left."""
    try:
        set_schedule(client, server_id, {})
    except NodeApiError as exc:
        if not is_gone(exc):
            raise
