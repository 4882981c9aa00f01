"""``node-pulumi snapshots``: the snapshots as a table, newest first, or as JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._core.listing import list_snapshots
from ._stack import settings_for
from ._status import OK

COLUMNS = (
    ("ID", "snapshot_id"),
    ("SERVER", "server_id"),
    ("CYCLE", "snapshot_cycle"),
    ("STATUS", "snapshot_status"),
    ("SIZE", "snapshot_size"),
    ("ADDED", "snapshot_add_time"),
)
JSON_FIELDS = (
    "snapshot_id",
    "server_id",
    "server_label",
    "snapshot_name",
    "snapshot_cycle",
    "snapshot_status",
    "snapshot_size",
    "snapshot_add_time",
    "snapshot_end_time",
)
"""What ``--json`` shows: everything but the download URL, which lets anyone at the client IP
address download the disk until it expires (so it stays out of logs)."""


def run(args: argparse.Namespace) -> int:
    """List the snapshots matching the filters; return the exit status."""
    settings = settings_for(args.stack, args.cwd)
    with settings.client() as client:
        records = list_snapshots(
            client,
            client_ip_address=settings.client_ip_address,
            server_id=args.server_id,
            status=args.status,
            cycle=args.cycle,
        )
    records.sort(key=lambda r: str(r.get("snapshot_add_time") or ""), reverse=True)
    if args.json:
        print(json.dumps([{k: r.get(k) for k in JSON_FIELDS} for r in records], indent=2))
    else:
        print(table(records), end="")
    return OK


def table(records: list[dict[str, Any]]) -> str:
    """The records as aligned columns under a header."""
    rows = [[title for title, _ in COLUMNS]]
    rows += [[_cell(key, record.get(key)) for _, key in COLUMNS] for record in records]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        + "\n"
        for row in rows
    )


def _cell(key: str, value: Any) -> str:
    if value is None or value == "":
        return "-"
    if key == "snapshot_size" and isinstance(value, int | float):
        return f"{value:g} GB"
    return str(value)
