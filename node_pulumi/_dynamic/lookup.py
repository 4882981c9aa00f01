"""`get_snapshots`: look up existing snapshots from a Pulumi program."""

from __future__ import annotations

import asyncio
from typing import Any

import pulumi

from .._core.inputs import lookup_arguments
from .._core.listing import list_snapshots, listing_ip_address
from .._program import program_settings, unknown_in_preview, with_secret_fields


def get_snapshots(
    *, server_id: str | int | None = None, status: str = "active", cycle: str = "all"
) -> pulumi.Output[list[dict[str, Any]]]:
    """Return every snapshot matching the filters (all pages of get_snapshot_list).

    Each record is a dict as get_snapshot_detail describes it, but ``snapshot_url`` (a download
    link to the disk image) is a secret ``Output`` inside it (`with_secret_fields`): exported,
    it shows ``[secret]`` while the rest of the record stays readable. Settings resolve as for the
    resources; the API requires ``node:clientIpAddress`` for this call. Like any data source it
    calls the API during ``pulumi preview`` too; a preview without credentials (pull-request CI)
    gets an unknown result and a warning instead of an error. Arguments are checked first, with
    or without credentials (`NodeInputError`, a ``ValueError``); a whole number is a server id.
    """
    args = lookup_arguments(server_id=server_id, status=status, cycle=cycle)

    settings = program_settings()
    unknown = unknown_in_preview(bool(settings.user_id and settings.api_key))
    if unknown is not None:
        return unknown

    def fetch() -> list[dict[str, Any]]:
        client_ip_address = listing_ip_address(settings.client_ip_address)
        with settings.client() as client:
            return list_snapshots(
                client,
                client_ip_address=client_ip_address,
                server_id=args.get("server_id"),
                status=args["status"],
                cycle=args["cycle"],
            )

    async def in_thread() -> list[dict[str, Any]]:
        return await asyncio.get_running_loop().run_in_executor(None, fetch)

    records: pulumi.Output[list[dict[str, Any]]] = pulumi.Output.from_input(in_thread())
    return records.apply(with_secret_fields)
