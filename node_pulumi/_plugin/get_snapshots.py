"""``node:index:getSnapshots``: the snapshot look-up as a provider function, through the core."""

from __future__ import annotations

from typing import Any

from .._core.inputs import check_list_filters
from .._core.operations import list_snapshots
from .call import Call
from .values import to_camel


async def get_snapshots(
    call: Call, args: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The matching snapshots (records with camelCase keys), or the filters' check failures."""
    status = args.get("status", "active")
    cycle = args.get("cycle", "all")
    failures = check_list_filters(status, cycle)
    if failures:
        return {}, [(f.property, f.reason) for f in failures]
    settings = call.settings()
    server_id = args.get("server_id")
    with settings.client() as client:
        records = await call.run(
            list_snapshots,
            client,
            client_ip_address=settings.client_ip_address,
            server_id=None if server_id is None else str(server_id),
            status=status,
            cycle=cycle,
        )
    return {"snapshots": [{to_camel(k): v for k, v in r.items()} for r in records]}, []
