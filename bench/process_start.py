"""Start-up of the `node-pulumi` command and of the plugin: the lazy package face against the
eager one it replaced, side by side.

Each side runs the console script's own entry function in a fresh interpreter: `node-pulumi
--help` to its exit, and `pulumi-resource-node` until it prints its port (the handshake the
engine waits for). The eager side first imports the dynamic door, as ``import node_pulumi`` did
before the face became lazy, which also loaded the Pulumi SDK into the command. Interleaved
runs; the ratio is lazy / eager, the median of the per-run ratios.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from functools import partial

from stacks import Row, interleaved

EAGER = (
    "import node_pulumi._dynamic.hooks, node_pulumi._dynamic.lookup, "
    "node_pulumi._dynamic.rotating, node_pulumi._dynamic.schedule, node_pulumi._dynamic.snapshot\n"
)
COMMAND = "from node_pulumi._cli import run\nrun()\n"
PLUGIN = "from node_pulumi._plugin import main\nmain()\n"


def _help(prelude: str) -> float:
    """Seconds of `node-pulumi --help`, from the interpreter's start to its exit."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", prelude + COMMAND, "--help"],
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - start


def _to_port(prelude: str) -> float:
    """Seconds from starting the plugin to its port line; the plugin is then stopped."""
    start = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-c", prelude + PLUGIN], stdout=subprocess.PIPE, text=True
    ) as plugin:
        assert plugin.stdout is not None
        int(plugin.stdout.readline())
        wall = time.perf_counter() - start
        plugin.terminate()
    return wall


def process_start(runs: int) -> list[Row]:
    """Rows: lazy / eager start-up of the command and of the plugin."""
    rows: list[Row] = []
    for label, measure in (
        ("`node-pulumi --help`", _help),
        ("`pulumi-resource-node` to its port", _to_port),
    ):
        walls = interleaved(runs, {"lazy": partial(measure, ""), "eager": partial(measure, EAGER)})
        ratios = [lazy / eager for lazy, eager in zip(walls["lazy"], walls["eager"], strict=True)]
        rows.append(
            (
                f"process start: {label}, lazy vs eager package face",
                f"{statistics.median(ratios):.2f}",
                "< 1",
                f"{statistics.median(walls['lazy']):.2f}s vs "
                f"{statistics.median(walls['eager']):.2f}s (per run "
                + ", ".join(f"{r:.2f}" for r in ratios)
                + ")",
            )
        )
    return rows
