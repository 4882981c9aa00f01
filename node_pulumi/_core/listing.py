"""Listing, for both doors' look-up, the command and monitoring.

`list_snapshots` walks get_snapshot_list as the client does (`get_snapshots`, `node-pulumi
snapshots`). `complete_listing` is a complete walk of a list function's pages, or an error: for
answers that must not rest on part of a listing (monitoring: a server missing from a partial
listing is not "fine").

The client's own walk (`NodeClient.get_snapshot_list`) stops quietly at an empty page or a page
other than the one asked for. `complete_listing` checks every page against the first: the same
``total_records`` and ``total_pages``, the page asked for, and at the end as many distinct
records as announced. A listing that changed under the walk (a snapshot taken or deleted
between two pages) fails the same way: ask again.
"""

from __future__ import annotations

from typing import Any

from .._api.errors import NodeConfigError, NodeError
from .._api.transport import NodeClient
from .settings import CLIENT_IP_ADDRESS

PER_PAGE = 100
"""Records per page asked for: the API's maximum, so the fewest calls."""


class IncompleteListingError(NodeError):
    """A list function's pages did not add up to one complete listing.

    ``function`` is the list function, ``reason`` what did not add up.
    """

    def __init__(self, function: str, reason: str) -> None:
        self.function = function
        self.reason = reason
        super().__init__(f"node.co.id {function}: incomplete listing: {reason}")


def complete_listing(
    client: NodeClient, function: str, key: str, **filters: Any
) -> list[dict[str, Any]]:
    """Every record of ``function`` matching ``filters``, in ⌈total/100⌉ calls (at least one);
    `IncompleteListingError` unless the pages make one consistent listing, distinct by ``key``.
    """
    first = client.list_page(function, 1, records_per_page=PER_PAGE, **filters)
    total, pages = first.total_records, first.total_pages
    if total is None or pages is None:
        raise IncompleteListingError(function, "the answer has no total_records or total_pages")
    records = list(first.records)
    for number in range(2, pages + 1):
        page = client.list_page(function, number, records_per_page=PER_PAGE, **filters)
        if page.page not in (None, number):
            raise IncompleteListingError(function, f"asked for page {number}, got {page.page}")
        if (page.total_records, page.total_pages) != (total, pages):
            raise IncompleteListingError(
                function,
                f"the listing changed while it was read ({total} records in {pages} pages, "
                f"then {page.total_records} in {page.total_pages})",
            )
        records += page.records
    distinct = {str(record.get(key)) for record in records}
    if len(records) != total or len(distinct) != total:
        raise IncompleteListingError(
            function,
            f"{total} records announced, {len(records)} received ({len(distinct)} distinct)",
        )
    return records


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
