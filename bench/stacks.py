"""What the benchmarks share: stacks of bench/programs/scale, timing, and interleaved runs."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from node_pulumi.sandbox import Sandbox  # noqa: E402
from tests.lifecycle.stack import SNAPSHOT_TYPE, Stack, new_stack  # noqa: E402

__all__ = [
    "API_KEY",
    "ROOT",
    "SNAPSHOT_TYPE",
    "USER_ID",
    "Row",
    "Sandbox",
    "Stack",
    "bench_stack",
    "calls_per_resource",
    "interleaved",
    "max_polls",
    "timed",
    "up_then_destroy",
]

USER_ID, API_KEY = "10001", "bench-api-key"
SCALE_PROGRAM = Path(__file__).parent / "programs" / "scale"
NOOP_PLUGIN = Path(__file__).parent / "noop_plugin.py"

Row = tuple[str, str, str, str]


def timed(fn: Callable[[], object]) -> float:
    """Wall-clock seconds ``fn`` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(runs: int, sides: Mapping[str, Callable[[], float]]) -> dict[str, list[float]]:
    """Each side's figure per run; the order rotates every run so load hits every side alike."""
    names = list(sides)
    figures: dict[str, list[float]] = {name: [] for name in names}
    for run in range(runs):
        shift = run % len(names)
        for name in names[shift:] + names[:shift]:
            figures[name].append(sides[name]())
    return figures


def plugin_dir(work: Path) -> Path:
    """A directory holding `pulumi-resource-noop` (bench/noop_plugin.py), made once per run."""
    directory = work / "plugins"
    if not directory.exists():
        directory.mkdir()
        script = directory / "pulumi-resource-noop"
        script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{NOOP_PLUGIN}" "$@"\n')
        script.chmod(0o755)
    return directory


def bench_stack(cli: Path, work: Path, sandbox: Sandbox, **config: object) -> Stack:
    """A stack of bench/programs/scale with ``bench:*`` config, pointed at ``sandbox``.

    The engine finds `pulumi-resource-node` beside this Python (pip's console script) and
    `pulumi-resource-noop` in ``work``'s plugin directory, both through PATH.
    """
    stack = new_stack(cli, work, SCALE_PROGRAM, "bench")
    plugins = os.pathsep.join([str(plugin_dir(work.parent)), str(Path(sys.executable).parent)])
    stack.env["PATH"] = f"{plugins}{os.pathsep}{stack.env['PATH']}"
    stack.config("node:userId", USER_ID)
    stack.config("node:apiKey", API_KEY, secret=True)
    stack.config("node:endpoint", sandbox.url)
    for key, value in config.items():
        stack.config(f"bench:{key}", json.dumps(value) if not isinstance(value, str) else value)
    return stack


def children_cpu() -> float:
    """CPU seconds of the child processes ended so far, and of the processes they waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def up_then_destroy(
    stack: Stack,
    *flags: str,
    after: Callable[[], object] = lambda: None,
    cpu: list[float] | None = None,
) -> float:
    """Seconds of one ``pulumi up``; ``after`` runs, then the stack is destroyed (untimed).

    ``cpu`` gets the CPU seconds of the up's processes (the CLI and the plugins, language host
    and program it started; not the sandbox, which runs in this process).
    """
    before = children_cpu()
    wall = timed(lambda: stack.run("up", "--yes", "--skip-preview", *flags))
    if cpu is not None:
        cpu.append(children_cpu() - before)
    after()
    stack.run("destroy", "--yes", "--skip-preview", *flags)
    return wall


def max_polls(sandbox: Sandbox) -> int:
    """The most get_snapshot_detail calls made for one snapshot since the calls were cleared."""
    per_snapshot = Counter(c.params["snapshot_id"] for c in sandbox.calls("get_snapshot_detail"))
    return max(per_snapshot.values(), default=0)


def calls_per_resource(stack: Stack, sandbox: Sandbox, n: int) -> dict[str, float]:
    """API calls per resource of an up (the stack is empty), preview, refresh and destroy."""
    counts: dict[str, float] = {}
    for name, args in (
        ("up", ("up", "--yes", "--skip-preview")),
        ("preview", ("preview",)),
        ("refresh", ("refresh", "--yes", "--skip-preview")),
        ("destroy", ("destroy", "--yes", "--skip-preview")),
    ):
        sandbox.clear_calls()
        stack.run(*args)
        counts[name] = len(sandbox.calls()) / n
    return counts
