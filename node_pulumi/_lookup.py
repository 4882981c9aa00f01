"""`get_snapshots`: look up existing snapshots from a Pulumi program."""

from __future__ import annotations

import asyncio
from typing import Any

import pulumi

from ._errors import NodeConfigError
from ._settings import CLIENT_IP_ADDRESS, program_settings

STATUSES = ("all", "processing", "active", "deleted")
CYCLES = ("all", "manual", "daily", "weekly", "monthly")


def get_snapshots(
    *, server_id: str | None = None, status: str = "active", cycle: str = "all"
) -> pulumi.Output[list[dict[str, Any]]]:
    """Return every snapshot matching the filters (all pages of get_snapshot_list).

    Each record is a dict as get_snapshot_detail describes it. Settings resolve as for the
    resources; the API requires ``node:clientIpAddress`` for this call. Like any data source it
    calls the API during ``pulumi preview`` too; a preview without credentials (pull-request CI)
    gets an unknown result and a warning instead of an error.
    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    if cycle not in CYCLES:
        raise ValueError(f"cycle must be one of {', '.join(CYCLES)}, not {cycle!r}")

    settings = program_settings()
    if pulumi.runtime.is_dry_run() and not (settings.user_id and settings.api_key):
        pulumi.log.warn(
            "get_snapshots: no node.co.id credentials in this preview, so its result is unknown "
            "until `pulumi up`"
        )
        return pulumi.Output(set(), _resolved([]), _resolved(False))

    def fetch() -> list[dict[str, Any]]:
        if not settings.client_ip_address:
            raise NodeConfigError(
                f"get_snapshots needs a client IP address: set {CLIENT_IP_ADDRESS.describe()} "
                "(the API requires it for get_snapshot_list)"
            )
        with settings.client() as client:
            return list(
                client.get_snapshot_list(
                    client_ip_address=settings.client_ip_address,
                    server_id=server_id,
                    snapshot_status=status,
                    snapshot_cycle=cycle,
                )
            )

    async def in_thread() -> list[dict[str, Any]]:
        return await asyncio.get_running_loop().run_in_executor(None, fetch)

    return pulumi.Output.from_input(in_thread())


async def _resolved(value: Any) -> Any:
    return value
