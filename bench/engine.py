"""The benchmarks through the Pulumi engine, for both doors: scale, waiting and start-up.

The dynamic resources (`node_pulumi`, kind ``snapshot``) and the provider plugin
(`node_pulumi.native`, kind ``native``) are measured in the same run, interleaved, against
baselines that do nothing: a dynamic resource (``noop``) and a plugin resource of the same shape
as a snapshot (``noop-plugin``, bench/noop_plugin.py).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from functools import partial
from pathlib import Path

from stacks import (
    API_KEY,
    USER_ID,
    Row,
    Sandbox,
    Stack,
    bench_stack,
    calls_per_resource,
    interleaved,
    max_polls,
    timed,
    up_then_destroy,
)

DYNAMIC_THREADS = 4
"""Worker threads of the dynamic provider host: at most 4 dynamic operations at once."""


def _ratio(tops: list[float], bottoms: list[float], plus: float = 0.0) -> tuple[str, str]:
    """The median of the per-run ratios top / (bottom + plus) (runs are paired, not pooled),
    and the ratio of each run, in run order, to show how much the load moved them."""
    ratios = [t / (b + plus) for t, b in zip(tops, bottoms, strict=True)]
    each = ", ".join(f"{r:.2f}" for r in ratios)
    return f"{statistics.median(ratios):.2f}", f"per run {each}"


def _calls(counts: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:g}" for k, v in counts.items())


def engine_scale(
    cli: Path, runs: int, sizes: list[int], plugin_size: int, latency: float, work: Path
) -> list[Row]:
    """`pulumi up` of N snapshots vs N do-nothing resources, each door against its own baseline.

    The dynamic door is measured at every N in ``sizes``; the plugin at ``plugin_size``, in the
    same interleaved runs. API calls per resource are counted once before the timed runs.
    """
    rows: list[Row] = []
    label = f"API latency {latency * 1000:g} ms"
    with Sandbox(USER_ID, API_KEY, processing_seconds=0.2) as sandbox:
        if latency:
            sandbox.set_fault("*", latency=latency)
        for n in sizes:
            kinds = ["snapshot", "noop"] + (["native", "noop-plugin"] if n == plugin_size else [])
            stacks = {
                k: bench_stack(cli, work / f"scale-{k}-{n}-{latency:g}", sandbox, count=n, kind=k)
                for k in kinds
            }
            calls: dict[str, dict[str, float]] = {}
            if latency:
                for kind in ("snapshot", "native"):
                    if kind in stacks:
                        calls[kind] = calls_per_resource(stacks[kind], sandbox, n)
            cpus: dict[str, list[float]] = {k: [] for k in stacks}
            walls = interleaved(
                runs, {k: partial(up_then_destroy, s, cpu=cpus[k]) for k, s in stacks.items()}
            )
            mid = {k: statistics.median(v) for k, v in walls.items()}
            cpu = {k: statistics.median(v) for k, v in cpus.items()}
            ratio, each = _ratio(walls["snapshot"], walls["noop"])
            details = (
                f"{mid['snapshot']:.1f}s vs {mid['noop']:.1f}s do-nothing dynamic ({each}); "
                f"CPU {cpu['snapshot']:.1f}s vs {cpu['noop']:.1f}s"
            )
            if "snapshot" in calls:
                details += "; API calls per resource: " + _calls(calls["snapshot"])
            rows.append(
                (
                    f"engine scale, dynamic, up of N={n}, {label}",
                    ratio,
                    "<= 1.25 at N=200" if n == 200 and latency else "",
                    details,
                )
            )
            if "native" in stacks:
                ratio, each = _ratio(walls["native"], walls["noop-plugin"])
                details = (
                    f"{mid['native']:.1f}s vs {mid['noop-plugin']:.1f}s do-nothing plugin "
                    f"({each}); CPU {cpu['native']:.1f}s vs {cpu['noop-plugin']:.1f}s; "
                    f"do-nothing dynamic {mid['noop']:.1f}s"
                )
                if "native" in calls:
                    details += "; API calls per resource: " + _calls(calls["native"])
                rows.append(
                    (
                        f"engine scale, plugin, up of N={n}, {label}",
                        ratio,
                        "<= 1.15" if latency else "",
                        details,
                    )
                )
    return rows


def waiting(
    cli: Path, runs: int, sizes: list[int], dynamic_size: int, processing: float, work: Path
) -> list[Row]:
    """`up` of N snapshots waiting for ``active`` vs the same `up` without waiting + processing.

    Run with ``--parallel N`` so that the engine starts every create at once: what is measured
    is the provider's own ceiling. The dynamic door is measured at ``dynamic_size`` in the same
    runs; its floor is its 4 worker threads.
    """
    rows: list[Row] = []
    with Sandbox(USER_ID, API_KEY, processing_seconds=processing) as sandbox:
        for n in sizes:
            doors = ["native"] + (["snapshot"] if n == dynamic_size else [])
            polls: dict[str, list[int]] = {door: [] for door in doors}
            sides: dict[str, Callable[[], float]] = {}
            for door in doors:
                for wait in (True, False):
                    stack = bench_stack(
                        cli,
                        work / f"wait-{door}-{n}-{wait}",
                        sandbox,
                        count=n,
                        kind=door,
                        wait=wait,
                    )
                    sides[f"{door}-{wait}"] = _waiting_side(stack, sandbox, n, polls[door], wait)
            walls = interleaved(runs, sides)
            for door in doors:
                waited, plain = walls[f"{door}-True"], walls[f"{door}-False"]
                ratio, each = _ratio(waited, plain, processing)
                details = (
                    f"{statistics.median(waited):.1f}s vs {statistics.median(plain):.1f}s "
                    f"without waiting + {processing:g}s ({each}); at most {max(polls[door])} "
                    "polls per snapshot (target <= 6)"
                )
                if door == "snapshot":
                    floor = math.ceil(n / DYNAMIC_THREADS) * processing
                    details += (
                        f"; {statistics.median(waited) / floor:.2f} x the floor of "
                        f"{DYNAMIC_THREADS} threads, ceil(N/{DYNAMIC_THREADS}) x "
                        f"{processing:g}s = {floor:g}s"
                    )
                rows.append(
                    (
                        f"waiting, {'plugin' if door == 'native' else 'dynamic'}, N={n}, "
                        f"processing {processing:g}s",
                        ratio,
                        "<= 1.2" if door == "native" else "",
                        details,
                    )
                )
    return rows


def _waiting_side(
    stack: Stack, sandbox: Sandbox, n: int, polls: list[int], wait: bool
) -> Callable[[], float]:
    """One timed `up --parallel N` of ``stack``; for a waiting one, its polls per snapshot."""

    def run() -> float:
        sandbox.clear_calls()
        after = (lambda: polls.append(max_polls(sandbox))) if wait else (lambda: None)
        return up_then_destroy(stack, "--parallel", str(n), after=after)

    return run


def start_up(cli: Path, runs: int, work: Path) -> list[Row]:
    """`pulumi preview` of one plugin snapshot vs one dynamic snapshot (and of no resource)."""
    with Sandbox(USER_ID, API_KEY) as sandbox:
        stacks = {
            kind: bench_stack(cli, work / f"start-{kind}", sandbox, count=count, kind=kind)
            for kind, count in (("native", 1), ("snapshot", 1), ("empty", 0))
        }
        previews = {k: partial(timed, partial(s.run, "preview")) for k, s in stacks.items()}
        walls = interleaved(runs, previews)
        assert sandbox.calls() == [], "a preview makes no API call"
    mid = {k: statistics.median(v) for k, v in walls.items()}
    ratio, each = _ratio(walls["native"], walls["snapshot"])
    return [
        (
            "start-up: preview of 1 plugin snapshot vs 1 dynamic snapshot",
            ratio,
            "",
            f"{mid['native']:.2f}s vs {mid['snapshot']:.2f}s ({each}); "
            f"a program with no resource {mid['empty']:.2f}s",
        )
    ]
