"""node-pulumi's benchmarks: ratios measured side by side, interleaved, median of several runs.

    .venv/bin/python bench/run.py [--runs 3] [--quick]

Needs the Pulumi CLI (tools/pulumi-cli.sh, or NODE_PULUMI_CLI_DIR). Prints one table.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import math
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from node_pulumi import NodeClient  # noqa: E402
from node_pulumi.sandbox import Sandbox  # noqa: E402
from tests.lifecycle.stack import SNAPSHOT_TYPE, Stack, new_stack  # noqa: E402

USER_ID, API_KEY = "10001", "bench-api-key"
SCALE_PROGRAM = Path(__file__).parent / "programs" / "scale"

Row = tuple[str, str, str, str]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


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


def engine_scale(
    cli: Path, runs: int, sizes: list[int], work: Path, latency: float = 0.1
) -> list[Row]:
    """`pulumi up` of N Snapshots (sandbox latency 100 ms) vs N do-nothing dynamic resources."""
    rows: list[Row] = []
    with Sandbox(USER_ID, API_KEY, processing_seconds=0.2) as sandbox:
        if latency:
            sandbox.set_fault("*", latency=latency)
        for n in sizes:
            snap = _stack(cli, work / f"scale-snapshot-{n}", sandbox, count=n, kind="snapshot")
            noop = _stack(cli, work / f"scale-noop-{n}", sandbox, count=n, kind="noop")
            ratios, walls = [], []
            calls: dict[str, float] = {}
            for run in range(runs):
                sandbox.clear_calls()
                t_snap = timed(lambda s=snap: s.run("up", "--yes", "--skip-preview"))
                if run == 0:
                    calls = _calls_per_resource(snap, sandbox, n)
                t_noop = timed(lambda s=noop: s.run("up", "--yes", "--skip-preview"))
                ratios.append(t_snap / t_noop)
                walls.append((t_snap, t_noop))
                snap.run("destroy", "--yes", "--skip-preview")
                noop.run("destroy", "--yes", "--skip-preview")
            t_snap, t_noop = walls[len(walls) // 2]
            rows.append(
                (
                    f"engine scale, up of N={n}, API latency {latency * 1000:g} ms",
                    f"{statistics.median(ratios):.2f}",
                    "<= 1.25 at N=200" if n == 200 else "",
                    f"{t_snap:.1f}s vs {t_noop:.1f}s do-nothing; API calls per resource: "
                    + ", ".join(f"{k} {v:g}" for k, v in calls.items()),
                )
            )
    return rows


def _calls_per_resource(stack: Stack, sandbox: Sandbox, n: int) -> dict[str, float]:
    """Calls per resource of the up just done, then of preview, refresh and destroy; up again."""
    counts = {"up": len(sandbox.calls()) / n}
    for name, args in (
        ("preview", ("preview",)),
        ("refresh", ("refresh", "--yes", "--skip-preview")),
        ("destroy", ("destroy", "--yes", "--skip-preview")),
    ):
        sandbox.clear_calls()
        stack.run(*args)
        counts[name] = len(sandbox.calls()) / n
    stack.run("up", "--yes", "--skip-preview")
    return counts


def waiting(cli: Path, runs: int, n: int, processing: float, work: Path) -> list[Row]:
    """N snapshots with wait_until_active, vs the floor of the provider's 4 worker threads."""
    floor = math.ceil(n / 4) * processing
    walls, polls = [], []
    with Sandbox(USER_ID, API_KEY, processing_seconds=processing) as sandbox:
        stack = _stack(cli, work / "waiting", sandbox, count=n, kind="snapshot", wait=True)
        for _ in range(runs):
            sandbox.clear_calls()
            walls.append(timed(lambda: stack.run("up", "--yes", "--skip-preview")))
            per_snapshot = Counter(
                c.params["snapshot_id"] for c in sandbox.calls("get_snapshot_detail")
            )
            polls.append(max(per_snapshot.values()))
            stack.run("destroy", "--yes", "--skip-preview")
    wall = statistics.median(walls)
    return [
        (
            f"waiting, N={n}, processing {processing:g}s",
            f"{wall / floor:.2f}",
            "<= 1.2",
            f"{wall:.1f}s vs floor ceil(N/4) x {processing:g}s = {floor:g}s; "
            f"at most {max(polls)} polls per snapshot (target <= 6)",
        )
    ]


def state_size(cli: Path, work: Path, n: int = 20) -> list[Row]:
    """Bytes of the pickled provider per resource, and of the exported stack per snapshot."""
    with Sandbox(USER_ID, API_KEY) as sandbox:
        stack = _stack(cli, work / "state-size", sandbox, count=n, kind="snapshot")
        stack.run("up", "--yes", "--skip-preview")
        exported = stack.run("stack", "export", "--show-secrets")
        resources = json.loads(exported)["deployment"]["resources"]
        sizes = []
        for r in resources:
            if r["type"] == SNAPSHOT_TYPE:
                provider = r["inputs"]["__provider"]
                if isinstance(provider, dict):
                    provider = json.loads(provider["plaintext"])
                sizes.append(len(base64.b64decode(provider)))
        per_snapshot = len(stack.run("stack", "export").encode()) / n
    return [
        (
            "state: __provider per resource",
            f"{max(sizes)} B",
            "<= 512 B",
            f"pickled by reference; exported stack {per_snapshot:.0f} B per snapshot (N={n})",
        )
    ]


def _stack(cli: Path, work: Path, sandbox: Sandbox, **config: object) -> Stack:
    stack = new_stack(cli, work, SCALE_PROGRAM, "bench")
    stack.config("node:userId", USER_ID)
    stack.config("node:apiKey", API_KEY, secret=True)
    stack.config("node:endpoint", sandbox.url)
    for key, value in config.items():
        stack.config(f"bench:{key}", json.dumps(value) if not isinstance(value, str) else value)
    return stack


def cli_dir() -> Path:
    configured = os.environ.get("NODE_PULUMI_CLI_DIR")
    if configured:
        return Path(configured)
    out = subprocess.run(
        ["bash", str(ROOT / "tools" / "pulumi-cli.sh")], capture_output=True, text=True, check=True
    )
    return Path(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (median)")
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script")
    args = parser.parse_args()
    cli = cli_dir()
    sizes = [10, 20] if args.quick else [10, 50, 200]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="node-pulumi-bench-") as tmp:
        work = Path(tmp)
        rows += client_overhead(args.runs, 50 if args.quick else 500)
        rows += engine_scale(cli, args.runs, sizes, work)
        rows += waiting(cli, args.runs, 8 if args.quick else 20, 1.0 if args.quick else 3.0, work)
        rows += state_size(cli, work)
    print(
        f"\nnode-pulumi benchmarks — {platform.node()}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, "
        + subprocess.run(
            [str(cli / "pulumi"), "version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    )
    header: Row = ("measurement", "ratio / value", "target", "details")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=False)), row[3])


if __name__ == "__main__":
    main()
