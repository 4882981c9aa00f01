"""`node-pulumi check --all` against a sandbox seeded with many servers and snapshots: the
calls it makes, and its wall time against the same calls made bare, side by side.

    .venv/bin/python bench/monitor.py [--runs N] [--quick]

No Pulumi CLI needed; bench/run.py prints these rows with the others (``--only monitor``). The
check side is the command's core (`run_check`: the complete listings, then the evaluation); the
bare side makes the very same list calls (same functions, filters and pages) through the same
client and keeps nothing. Their ratio is what the checking adds to the listing itself.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time

from stacks import API_KEY, USER_ID, Row, Sandbox, interleaved, timed

from node_pulumi import NodeClient
from node_pulumi._core.check import Policy, run_check

IP = "203.0.113.7"
HOUR = 3600.0


def monitor_check(runs: int, servers: int, snapshots: int) -> list[Row]:
    """Wall time of one check of every server / the same list calls made bare (median of
    ``runs``), and the calls one check makes against the issue's bound."""
    with Sandbox(USER_ID, API_KEY, servers=()) as sandbox:
        sandbox.seed(servers, snapshots)
        policy = Policy(26 * HOUR, 20 * HOUR, 1, 12 * HOUR)
        with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
            sandbox.clear_calls()
            report = run_check(
                client, policy, server_ids=None, client_ip_address=IP, clock=time.time
            )
            assert report.error is None, report.error
            calls = sandbox.calls()
            pages = [
                (c.function, {k: v for k, v in c.params.items() if k not in _AUTH}) for c in calls
            ]

            def check() -> float:
                return timed(
                    lambda: run_check(
                        client, policy, server_ids=None, client_ip_address=IP, clock=time.time
                    )
                )

            def bare() -> float:
                return timed(lambda: [client.call(f, **params) for f, params in pages])

            figures = interleaved(runs, {"check": check, "bare": bare})
    ratios = [c / b for c, b in zip(figures["check"], figures["bare"], strict=True)]
    bound = math.ceil(snapshots / 100) + math.ceil(servers / 100)
    states = ", ".join(f"{n} {s.name.lower()}" for s, n in report.counts.items() if n)
    return [
        (
            f"check --all, {servers} servers / {snapshots} snapshots: calls",
            str(len(calls)),
            f"<= {bound} + a few",
            f"{sum(f == 'get_server_list' for f, _ in pages)} get_server_list + "
            f"{sum(f == 'get_snapshot_list' for f, _ in pages)} get_snapshot_list "
            f"(active and processing), 100 a page; {states}; "
            f"{len(report.skipped)} deleted or canceled skipped",
        ),
        (
            f"check --all, {servers} servers / {snapshots} snapshots: check / bare calls",
            f"{statistics.median(ratios):.2f}",
            "<= 1.2",
            f"wall time, median of {runs}: check {statistics.median(figures['check']):.2f} s, "
            f"the same {len(calls)} calls bare {statistics.median(figures['bare']):.2f} s "
            "(most of both is the sandbox answering); per run: "
            + ", ".join(f"{r:.2f}" for r in ratios),
        ),
    ]


_AUTH = frozenset({"user_id", "random", "format"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, help="runs per side (default 5; 1 if --quick)")
    parser.add_argument("--quick", action="store_true", help="100 servers, 300 snapshots")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 5)
    before = os.getloadavg()
    rows = monitor_check(runs, *((100, 300) if args.quick else (1000, 3000)))
    loads = "; ".join("/".join(f"{a:.1f}" for a in la) for la in (before, os.getloadavg()))
    print(f"{os.cpu_count()} cores; load average (1/5/15 min) before; after: {loads}")
    header: Row = ("measurement", "ratio / value", "target", "details")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=False)), row[3])


if __name__ == "__main__":
    main()
