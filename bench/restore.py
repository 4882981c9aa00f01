"""The restore wait: a restore whose reinstall lasts T seconds returns within T plus one poll
interval (the one in force when the reinstall ends), for the Python function and the command.

    .venv/bin/python bench/restore.py [--runs N] [--quick]

Each run restores a server of a sandbox whose reinstall lasts T seconds by the real clock (no
Pulumi CLI needed); the function and the command take turns. Wall time counts the whole
restore: the checks, the reinstall request and the wait; the command's figure is shown less its
start-up (Python and the package's imports: `node-pulumi --version`, measured in the same
runs). bench/run.py prints these rows with the others.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from stacks import API_KEY, USER_ID, Row, Sandbox, interleaved, timed

import node_pulumi as node
from node_pulumi._core.waiting import POLL_INTERVAL, poll_intervals

SERVER = "12345"
COMMAND = str(Path(sys.executable).parent / "node-pulumi")


def poll_gap(seconds: float, first: float = POLL_INTERVAL) -> float:
    """The poll interval in force at ``seconds`` into a wait (the gap between the two polls
    around it): the most a wait can overshoot an event at that time, request times aside."""
    waited = 0.0
    for gap in poll_intervals(first):
        waited += gap
        if waited >= seconds:
            return gap
    raise AssertionError("unreachable: the schedule is endless")


def restore_wait(runs: int, durations: list[float]) -> list[Row]:
    """For each reinstall time T: wall time / T of the function and of the command (less its
    start-up), side by side (median of ``runs``), against the bound (T + one poll interval) / T.
    """
    rows: list[Row] = []
    for seconds in durations:
        with Sandbox(USER_ID, API_KEY, processing_seconds=0, reinstall_seconds=seconds) as sb:
            with node.NodeClient(USER_ID, API_KEY, endpoint=sb.url) as client:
                snapshot_id = str(client.create_snapshot(SERVER)["snapshot_id"])
            env = {k: v for k, v in os.environ.items() if not k.startswith("NODE_")} | {
                "NODE_USER_ID": USER_ID,
                "NODE_API_KEY": API_KEY,
                "NODE_ENDPOINT": sb.url,
            }
            settings = node.resolve_settings({}, env)

            def function(sid: str = snapshot_id, s: node.Settings = settings) -> float:
                return timed(lambda: node.restore_server(SERVER, sid, settings=s, timeout=600))

            def command(sid: str = snapshot_id, e: dict[str, str] = env) -> float:
                argv = [COMMAND, "restore", SERVER, sid, "--yes", "--timeout", "600"]
                return timed(
                    lambda: subprocess.run(
                        argv, env=e, stdin=subprocess.DEVNULL, capture_output=True, check=True
                    )
                )

            def start_up(e: dict[str, str] = env) -> float:
                argv = [COMMAND, "--version"]
                return timed(lambda: subprocess.run(argv, env=e, capture_output=True, check=True))

            sides = {"function": function, "command": command, "start-up": start_up}
            figures = interleaved(runs, sides)
            polls = len(sb.calls("get_server_detail")) / (2 * runs) - 1  # less each check's
        gap = poll_gap(seconds)
        net = [c - s for c, s in zip(figures["command"], figures["start-up"], strict=True)]
        start = statistics.median(figures["start-up"])
        rows.append(
            (
                f"restore wait, reinstall {seconds:g} s: function | command",
                f"{statistics.median(figures['function']) / seconds:.2f} | "
                f"{statistics.median(net) / seconds:.2f}",
                f"<= {(seconds + gap) / seconds:.2f}",
                f"wall / T, median of {runs}, the command less its start-up ({start:.2f} s, "
                f"`node-pulumi --version`); bound (T + one poll interval, {gap:.2f} s) / T; "
                f"{polls:g} polls per restore; per run: function "
                f"{_each(figures['function'], seconds)}; command with start-up "
                f"{_each(figures['command'], seconds)}",
            )
        )
    return rows


def _each(figures: list[float], seconds: float) -> str:
    return ", ".join(f"{f / seconds:.2f}" for f in figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, help="runs per side (default 3; 1 if --quick)")
    parser.add_argument("--quick", action="store_true", help="short reinstalls only")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    before = os.getloadavg()
    rows = restore_wait(runs, [2.0, 4.0] if args.quick else [4.0, 16.0])
    loads = "; ".join("/".join(f"{a:.1f}" for a in la) for la in (before, os.getloadavg()))
    print(f"{os.cpu_count()} cores; load average (1/5/15 min) before; after: {loads}")
    header: Row = ("measurement", "ratio / value", "target", "details")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=False)), row[3])


if __name__ == "__main__":
    main()
