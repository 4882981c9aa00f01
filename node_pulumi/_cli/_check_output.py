"""The three renderings of a check's `Report`: a table, JSON, and Prometheus' text format.

Each shows only what the report holds (ids, labels, statuses, times, counts, sizes): no
record from the API is shown whole, so no root password or download URL can appear.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timezone
from typing import Any

from prometheus_client import CollectorRegistry, write_to_textfile
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from .._core.api_time import zone_name
from .._core.check import Report, ServerCheck, State, human_duration

COLUMNS = ("SERVER", "LABEL", "SERVER STATUS", "ACTIVE", "NEWEST", "AGE", "STATE", "WHY")


def summary(report: Report) -> str:
    """The first line, as monitoring plugins write it: ``CHECK CRITICAL - ...``."""
    if report.error is not None:
        return f"NODE-PULUMI CHECK UNKNOWN - {report.error}"
    counts = report.counts
    parts = [f"{counts[s]} {s.name.lower()}" for s in State if counts[s]]
    line = f"NODE-PULUMI CHECK {report.state.name} - {len(report.servers)} servers: "
    line += ", ".join(parts)
    if report.skipped:
        line += f"; {len(report.skipped)} deleted or canceled not checked"
    return line


def table(report: Report) -> str:
    """The summary line, then one row per server, worst first."""
    lines = [summary(report)]
    if report.servers:
        rows = [list(COLUMNS)] + [_row(c) for c in _worst_first(report.servers)]
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        lines += [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]
    return "\n".join(lines) + "\n"


def _worst_first(checks: tuple[ServerCheck, ...]) -> list[ServerCheck]:
    return sorted(checks, key=lambda c: (-c.state.severity, c.server.server_id))


def _row(check: ServerCheck) -> list[str]:
    newest = check.newest
    return [
        check.server.server_id,
        check.server.label or "-",
        check.server.server_status or "-",
        str(check.active),
        newest.added if newest is not None else "-",
        human_duration(max(check.newest_age, 0)) if check.newest_age is not None else "-",
        check.state.name,
        "; ".join(check.reasons) or "-",
    ]


def as_json(report: Report) -> str:
    """The report as a JSON document (times in UTC, ISO 8601; sizes in bytes)."""
    policy = report.policy
    document: dict[str, Any] = {
        "state": report.state.name,
        "exit_status": int(report.state),
        "ran_at": _iso(report),
        "error": report.error,
        "every_server": report.every_server,
        "policy": None
        if policy is None
        else {
            "max_age_seconds": policy.max_age,
            "warn_age_seconds": policy.warn_age,
            "min_count": policy.min_count,
            "stuck_after_seconds": policy.stuck_after,
            "api_timezone": zone_name(policy.zone),
        },
        "counts": {state.name: count for state, count in report.counts.items()},
        "servers": [_server_json(c) for c in report.servers],
        "skipped": [
            {
                "server_id": s.server_id,
                "server_status": s.server_status,
                "order_status": s.order_status,
            }
            for s in report.skipped
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _iso(report: Report) -> str:
    return report.ran_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _server_json(check: ServerCheck) -> dict[str, Any]:
    newest = check.newest
    return {
        "server_id": check.server.server_id,
        "server_label": check.server.label,
        "server_status": check.server.server_status,
        "order_status": check.server.order_status,
        "state": check.state.name,
        "reasons": list(check.reasons),
        "active_snapshots": check.active,
        "active_size_bytes": check.active_bytes,
        "processing_snapshots": check.processing,
        "stuck_snapshots": list(check.stuck),
        "newest": None
        if newest is None
        else {
            "snapshot_id": newest.snapshot_id,
            "snapshot_add_time": newest.added,
            "taken_at": None
            if newest.taken_at is None
            else newest.taken_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "age_seconds": check.newest_age,
            "size_bytes": newest.size_bytes,
        },
    }


class _ReportCollector(Collector):
    """The report as metric families, for one `CollectorRegistry`."""

    def __init__(self, report: Report) -> None:
        self._report = report

    def collect(self) -> Iterator[Metric]:
        report = self._report
        yield _gauge(
            "node_pulumi_check_success",
            "1 if the API could be asked for complete listings, 0 if not (then no server metrics)",
            1 if report.error is None else 0,
        )
        yield _gauge(
            "node_pulumi_check_timestamp_seconds",
            "When the check ran, in seconds since the Unix epoch",
            report.ran_at.timestamp(),
        )
        yield _gauge(
            "node_pulumi_check_status",
            "The check's state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN",
            int(report.state),
        )
        if report.error is not None:
            return
        per_server: dict[str, GaugeMetricFamily] = {
            name: GaugeMetricFamily(name, text, labels=["server_id"])
            for name, text in _SERVER_METRICS.items()
        }
        info = GaugeMetricFamily(
            "node_pulumi_server_info",
            "A checked server's label and statuses, always 1",
            labels=["server_id", "server_label", "server_status", "order_status"],
        )
        counts = GaugeMetricFamily(
            "node_pulumi_snapshots",
            "Snapshots of the server, by status",
            labels=["server_id", "status"],
        )
        for check in report.servers:
            server = check.server
            sid = [server.server_id]
            info.add_metric([*sid, server.label, server.server_status, server.order_status], 1)
            counts.add_metric([*sid, "active"], check.active)
            counts.add_metric([*sid, "processing"], check.processing)
            values: dict[str, float] = {
                "node_pulumi_server_check_status": int(check.state),
                "node_pulumi_snapshots_stuck": len(check.stuck),
                "node_pulumi_snapshots_active_size_bytes": check.active_bytes,
            }
            if check.newest is not None and check.newest_age is not None:
                assert check.newest.taken_at is not None
                values["node_pulumi_snapshot_newest_age_seconds"] = check.newest_age
                values["node_pulumi_snapshot_newest_timestamp_seconds"] = (
                    check.newest.taken_at.timestamp()
                )
                if check.newest.size_bytes is not None:
                    values["node_pulumi_snapshot_newest_size_bytes"] = check.newest.size_bytes
            for name, value in values.items():
                per_server[name].add_metric(sid, value)
        yield info
        yield counts
        yield from per_server.values()


_SERVER_METRICS = {
    "node_pulumi_server_check_status": "The server's state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN",
    "node_pulumi_snapshot_newest_age_seconds": "Age of the newest active snapshot at the check",
    "node_pulumi_snapshot_newest_timestamp_seconds": "When the newest active snapshot was taken",
    "node_pulumi_snapshot_newest_size_bytes": "Size of the newest active snapshot (GB = 1e9)",
    "node_pulumi_snapshots_active_size_bytes": "Total size of the active snapshots (GB = 1e9)",
    "node_pulumi_snapshots_stuck": "Snapshots processing for longer than --stuck-after",
}


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def write_prometheus(report: Report, path: str) -> None:
    """Write the report in Prometheus' text format to ``path`` atomically: a temporary file
    beside it, renamed over it (prometheus_client's ``write_to_textfile``), so node_exporter's
    textfile collector never reads half a file."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ReportCollector(report))
    write_to_textfile(path, registry)
