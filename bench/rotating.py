"""RotatingSnapshot against Snapshot through the engine, each door, side by side.

Two `up`s of N resources, each timed against the same `up` of N `Snapshot`s of the same door, in
interleaved runs: the first `up` (one create_snapshot each), and an `up` that changes every
resource's trigger (a RotatingSnapshot with keep=1 updates: one create_snapshot, then one
delete_snapshot; a Snapshot is replaced: the same two calls). What differs is only each
resource's own logic and the engine's update-vs-replace steps.
"""

from __future__ import annotations

import statistics
from functools import partial
from pathlib import Path

from stacks import API_KEY, USER_ID, Row, Sandbox, Stack, bench_stack, interleaved, timed

KINDS = {"dynamic": ("snapshot", "rotating"), "plugin": ("native", "native-rotating")}


def _create(stack: Stack) -> float:
    """Seconds of the first `up` (N creates); the stack is destroyed again, untimed."""
    wall = timed(lambda: stack.run("up", "--yes", "--skip-preview"))
    stack.run("destroy", "--yes", "--skip-preview")
    return wall


def _change(stack: Stack) -> float:
    """Seconds of an `up` changing every trigger, after an untimed first `up`; then destroyed."""
    stack.config("bench:trigger", "v1")
    stack.run("up", "--yes", "--skip-preview")
    stack.config("bench:trigger", "v2")
    wall = timed(lambda: stack.run("up", "--yes", "--skip-preview"))
    stack.run("destroy", "--yes", "--skip-preview")
    return wall


def _calls_per_resource(stack: Stack, sandbox: Sandbox, n: int) -> str:
    """API calls per resource of a trigger change (the stack is empty before and after)."""
    stack.config("bench:trigger", "v1")
    stack.run("up", "--yes", "--skip-preview")
    stack.config("bench:trigger", "v2")
    sandbox.clear_calls()
    stack.run("up", "--yes", "--skip-preview")
    functions = [c.function for c in sandbox.calls()]
    stack.run("destroy", "--yes", "--skip-preview")
    return ", ".join(f"{f} {functions.count(f) / n:g}" for f in sorted(set(functions)))


def rotating(cli: Path, runs: int, n: int, latency: float, work: Path) -> list[Row]:
    """Rows: RotatingSnapshot / Snapshot wall time of each `up`, per door."""
    rows: list[Row] = []
    label = f"N={n}, API latency {latency * 1000:g} ms"
    with Sandbox(USER_ID, API_KEY, processing_seconds=0.2) as sandbox:
        if latency:
            sandbox.set_fault("*", latency=latency)
        for door, (plain, rotated) in KINDS.items():
            stacks = {
                kind: bench_stack(cli, work / f"rotating-{kind}-{n}", sandbox, count=n, kind=kind)
                for kind in (plain, rotated)
            }
            calls = {kind: _calls_per_resource(s, sandbox, n) for kind, s in stacks.items()}
            for step, measure in (("first up", _create), ("trigger change", _change)):
                walls = interleaved(runs, {k: partial(measure, s) for k, s in stacks.items()})
                ratios = [r / p for r, p in zip(walls[rotated], walls[plain], strict=True)]
                each = ", ".join(f"{r:.2f}" for r in ratios)
                details = (
                    f"{statistics.median(walls[rotated]):.1f}s vs "
                    f"{statistics.median(walls[plain]):.1f}s Snapshot (per run {each})"
                )
                if step == "trigger change":
                    details += (
                        f"; API calls per resource: RotatingSnapshot {calls[rotated]}, "
                        f"Snapshot {calls[plain]}"
                    )
                rows.append(
                    (
                        f"RotatingSnapshot vs Snapshot, {door}, {step}, {label}",
                        f"{statistics.median(ratios):.2f}",
                        "≈ 1",
                        details,
                    )
                )
    return rows
