"""Listing snapshots (get_snapshot_list), for both doors' look-up and the command."""

from __future__ import annotations

from typing import Any

from .._api.errors import NodeConfigError
from .._api.transport import NodeClient
from .settings import CLIENT_IP_ADDRESS


def list_snapshots(
    client: NodeClient,
    *,
    client_ip_address: str | None,
    server_id: str | None,
    status: str,
    cycle: str,
) -> list[dict[str, Any]]:
    """Every snapshot matching the filters (all pages of get_snapshot_list)."""
    return list(
        client.get_snapshot_list(
            client_ip_address=listing_ip_address(client_ip_address),
            server_id=server_id,
            snapshot_status=status,
            snapshot_cycle=cycle,
        )
    )


def listing_ip_address(client_ip_address: str | None) -> str:
    """The client IP address that get_snapshot_list requires; `NodeConfigError` when unset."""
    if not client_ip_address:
        raise NodeConfigError(
            f"get_snapshots needs a client IP address: set {CLIENT_IP_ADDRESS.describe()} "
            "(the API requires it for get_snapshot_list)"
        )
    return client_ip_address
