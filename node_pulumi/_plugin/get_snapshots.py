"""``node:index:getSnapshots``: the snapshot look-up as a provider function, through the core."""

from __future__ import annotations

from typing import Any

from .._core.inputs import check_lookup
from .._core.operations import list_snapshots
from .call import Call
from .values import to_camel

GET_SNAPSHOTS_ARGUMENTS = ("server_id", "status", "cycle")
"""The function's arguments (snake_case), for check messages in the schema's names."""


async def get_snapshots(
    call: Call, args: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The matching snapshots (records with camelCase keys), or the arguments' check failures
    (the core's `check_lookup`, as the Python doors check them)."""
    args = dict(args)
    failures = check_lookup(args)
    if failures:
        return {}, [(f.property, f.reason) for f in failures]
    settings = call.settings()
    with settings.client() as client:
        records = await call.run(
            list_snapshots,
            client,
            client_ip_address=settings.client_ip_address,
            server_id=args.get("server_id"),
            status=args["status"],
            cycle=args["cycle"],
        )
    return {"snapshots": [{to_camel(k): v for k, v in r.items()} for r in records]}, []
