"""node-pulumi's benchmarks: ratios measured side by side, interleaved, median of several runs.

    .venv/bin/python bench/run.py [--runs N] [--quick] [--only GROUP ...]

Needs the Pulumi CLI (tools/pulumi-cli.sh, or NODE_PULUMI_CLI_DIR). Prints one table.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import platform
import secrets
import statistics
import subprocess
import tempfile
from pathlib import Path

import requests
from engine import engine_scale, start_up, waiting
from monitor import monitor_check
from process_start import process_start
from restore import restore_wait
from rotating import rotating
from stacks import API_KEY, ROOT, SNAPSHOT_TYPE, USER_ID, Row, bench_stack, timed

from node_pulumi import NodeClient
from node_pulumi.sandbox import Sandbox


def client_overhead(runs: int, calls: int) -> list[Row]:
    """NodeClient.create_snapshot vs a bare requests.post of the same form, kept-alive session."""
    with Sandbox(USER_ID, API_KEY) as sandbox:
        node = NodeClient(USER_ID, API_KEY, endpoint=sandbox.url)
        bare = requests.Session()
        bare.trust_env = False  # as NodeClient's session: no proxy/netrc look-up per request
        url = sandbox.url + "create_snapshot"

        def with_client() -> None:
            for _ in range(calls):
                node.create_snapshot("12345")

        def with_requests() -> None:
            for _ in range(calls):
                random = secrets.token_hex(16)
                digest = USER_ID + API_KEY + random
                for _ in range(3):
                    digest = hashlib.sha1(digest.encode()).hexdigest()
                form = {
                    "server_id": "12345",
                    "user_id": USER_ID,
                    "random": random,
                    "checksum": digest,
                    "format": "json",
                }
                response = bare.post(url, data=form, timeout=20)
                assert response.json()["code"] == "OK"

        ratios, per_call = [], []
        for run in range(runs):
            pair = [with_client, with_requests] if run % 2 == 0 else [with_requests, with_client]
            times = {fn: timed(fn) for fn in pair}
            ratios.append(times[with_client] / times[with_requests])
            per_call.append(times[with_client] / calls * 1000)
    return [
        (
            f"client overhead ({calls} create_snapshot)",
            f"{statistics.median(ratios):.3f}",
            "<= 1.15",
            f"{statistics.median(per_call):.2f} ms/call with NodeClient",
        )
    ]


def state_size(cli: Path, work: Path, n: int = 20) -> list[Row]:
    """Bytes of the pickled provider per resource, and of the exported stack per snapshot,
    through each door."""
    per_snapshot: dict[str, float] = {}
    with Sandbox(USER_ID, API_KEY) as sandbox:
        for kind in ("snapshot", "native"):
            stack = bench_stack(cli, work / f"state-{kind}", sandbox, count=n, kind=kind)
            stack.run("up", "--yes", "--skip-preview")
            per_snapshot[kind] = len(stack.run("stack", "export").encode()) / n
            if kind == "snapshot":
                exported = stack.run("stack", "export", "--show-secrets")
                sizes = []
                for r in json.loads(exported)["deployment"]["resources"]:
                    if r["type"] == SNAPSHOT_TYPE:
                        provider = r["inputs"]["__provider"]
                        if isinstance(provider, dict):
                            provider = json.loads(provider["plaintext"])
                        sizes.append(len(base64.b64decode(provider)))
    return [
        (
            "state: __provider per resource (dynamic)",
            f"{max(sizes)} B",
            "<= 512 B",
            f"pickled by reference; exported stack per snapshot (N={n}): "
            f"{per_snapshot['snapshot']:.0f} B dynamic, {per_snapshot['native']:.0f} B plugin "
            "(no pickled provider: a plugin resource names its provider by URN)",
        )
    ]


def cli_dir() -> Path:
    configured = os.environ.get("NODE_PULUMI_CLI_DIR")
    if configured:
        return Path(configured)
    out = subprocess.run(
        ["bash", str(ROOT / "tools" / "pulumi-cli.sh")], capture_output=True, text=True, check=True
    )
    return Path(out.stdout.strip())


def _load(averages: tuple[float, float, float]) -> str:
    return "/".join(f"{a:.1f}" for a in averages)


GROUPS = [
    "client",
    "scale",
    "waiting",
    "restore",
    "start-up",
    "process-start",
    "state",
    "rotating",
    "monitor",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs",
        type=int,
        help="runs of each measurement, for the median (default 3; 1 if --quick)",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=GROUPS,
        default=GROUPS,
        help="the measurement groups to run (default: all)",
    )
    args = parser.parse_args()
    if args.runs is None:
        args.runs = 1 if args.quick else 3
    cli = cli_dir()
    quick = args.quick
    large = 20 if quick else 200
    load_before = os.getloadavg()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="node-pulumi-bench-") as tmp:
        work = Path(tmp)
        only = set(args.only)
        if "client" in only:
            rows += client_overhead(args.runs, 50 if quick else 500)
        if "scale" in only:
            sizes = [10, 20] if quick else [10, 50, 200]
            rows += engine_scale(cli, args.runs, sizes, large, 0.1, work)
            rows += engine_scale(cli, args.runs, [large], large, 0.0, work)
        if "waiting" in only:
            waits = [8, 16] if quick else [20, 100]
            rows += waiting(cli, args.runs, waits, waits[0], 1.0 if quick else 3.0, work)
        if "restore" in only:
            rows += restore_wait(args.runs, [2.0, 4.0] if quick else [4.0, 16.0])
        if "start-up" in only:
            rows += start_up(cli, args.runs, work)
        if "process-start" in only:
            rows += process_start(3 * args.runs)
        if "state" in only:
            rows += state_size(cli, work)
        if "rotating" in only:
            rows += rotating(cli, args.runs, 10 if quick else 50, 0.1, work)
        if "monitor" in only:
            rows += monitor_check(args.runs, *((100, 300) if quick else (1000, 3000)))
    load_after = os.getloadavg()
    print(
        f"\nnode-pulumi benchmarks — {platform.node()}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, "
        + subprocess.run(
            [str(cli / "pulumi"), "version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        + f"; load average (1/5/15 min) {_load(load_before)} before, {_load(load_after)} after"
    )
    header: Row = ("measurement", "ratio / value", "target", "details")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=False)), row[3])


if __name__ == "__main__":
    main()
