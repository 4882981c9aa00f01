"""The snapshot functions: create_snapshot, get_snapshot_detail, delete_snapshot, get_snapshot_list.

Each takes the caller's `Account` and the request's parameters and returns the envelope's
``(message, data)``, or raises `ApiError`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ._account import Account, Function
from ._params import NOT_FOUND, ApiError, choice, integer, ipv4, known_server, optional, require
from ._store import SnapshotRecord

_SORT_KEYS: dict[str, tuple[str, bool]] = {
    "snapshot_size_ascending": ("size", False),
    "snapshot_size_descending": ("size", True),
    "snapshot_add_time_ascending": ("time", False),
    "snapshot_add_time_descending": ("time", True),
}


def create_snapshot(account: Account, params: Mapping[str, str]) -> tuple[str, Any]:
    """A new snapshot of one of the account's servers; it starts processing."""
    snapshot = account.store.create_snapshot(
        known_server(require(params, "server_id", 50), account.servers)
    )
    data = {
        "snapshot_id": snapshot.snapshot_id,
        "server_id": snapshot.server_id,
        "snapshot_status": "processing",  # as published, even when processing_seconds is 0
    }
    return "Snapshot creation has been strated.", data  # sic, the published message


def get_snapshot_detail(account: Account, params: Mapping[str, str]) -> tuple[str, Any]:
    """``client_ip_address`` is optional, as on the older published page, unless the account
    reads the newer one (``strict_client_ip``), which requires it."""
    snapshot_id = require(params, "snapshot_id", 50)
    ipv4(params, "client_ip_address", required=account.strict_client_ip)
    snapshot = _found(account.store.get_snapshot(snapshot_id))
    return "Snapshot detail has been retrieved.", snapshot.detail(account.store.now())


def delete_snapshot(account: Account, params: Mapping[str, str]) -> tuple[str, Any]:
    """Mark the snapshot deleted; the row stays, so detail and list still show it.

    Deleting an already deleted snapshot answers OK again (idempotent), so a client retrying
    a delete whose answer was lost does not see a failure. A snapshot still processing can be
    deleted too. Only an id that never existed is NOT_FOUND.
    """
    snapshot = _found(account.store.mark_deleted(require(params, "snapshot_id", 50)))
    data = {"snapshot_id": snapshot.snapshot_id, "snapshot_status": "deleted"}
    return "Snapshot has been deleted.", data


def get_snapshot_list(account: Account, params: Mapping[str, str]) -> tuple[str, Any]:
    """One page of snapshots, filtered and sorted as documented.

    Every sandbox snapshot is ``manual`` and owned by the caller, so ``ownership=shared``
    and cycles other than manual find nothing. ``snapshot_status=all`` includes deleted ones.
    A page past the end answers the last page; with no records, page 1 of 0 pages.
    """
    ipv4(params, "client_ip_address", required=True)
    per_page = integer(params, "records_per_page", 10, 100, 20)
    page = integer(params, "page", 1, 999_999_999, 1)
    sort_key, descending = _SORT_KEYS[
        choice(params, "sorted_by", tuple(_SORT_KEYS), "snapshot_add_time_descending")
    ]
    ownership = choice(params, "ownership", ("all", "owner", "shared"), "all")
    status = choice(params, "snapshot_status", ("all", "processing", "active", "deleted"), "active")
    cycle = choice(params, "snapshot_cycle", ("all", "manual", "daily", "weekly", "monthly"), "all")
    server_id = optional(params, "server_id", 20)
    if server_id is not None:
        known_server(server_id, account.servers)

    now = account.store.now()
    matching = [
        snapshot
        for snapshot in account.store.snapshots()
        if ownership != "shared"
        and cycle in ("all", "manual")
        and status in ("all", snapshot.status(now))
        and server_id in (None, snapshot.server_id)
    ]
    records = [snapshot.detail(now) for snapshot in matching]
    # Ties keep creation order (reversed when descending), so paging is stable.
    order = sorted(
        range(len(matching)),
        key=lambda i: (
            records[i]["snapshot_size"] if sort_key == "size" else matching[i].created_at,
            matching[i].seq,
        ),
        reverse=descending,
    )
    records = [records[i] for i in order]
    total_pages = math.ceil(len(records) / per_page)
    page = max(1, min(page, total_pages))
    data = {
        "total_records": len(records),
        "records_per_page": per_page,
        "total_pages": total_pages,
        "page": page,
        "records": records[(page - 1) * per_page : page * per_page],
    }
    return "Snapshot list has been retrieved.", data


def _found(snapshot: SnapshotRecord | None) -> SnapshotRecord:
    if snapshot is None:
        raise ApiError(NOT_FOUND, "Snapshot not found.")
    return snapshot


FUNCTIONS: dict[str, Function] = {
    "create_snapshot": create_snapshot,
    "get_snapshot_detail": get_snapshot_detail,
    "delete_snapshot": delete_snapshot,
    "get_snapshot_list": get_snapshot_list,
}
