"""Run code as inside a Pulumi program, with stack config, but without an engine.

Program-side code (hooks, look-ups, the plaintext-key warning) needs the SDK's runtime: its stack
config, dry-run flag and log. The SDK's mocks provide that runtime; every API call still goes to
the sandbox over loopback. Each run has its own context, so nothing leaks between tests.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pulumi

T = TypeVar("T")


class _NoResources(pulumi.runtime.Mocks):
    """The tests declare no resources; the mocks only stand in for the engine's runtime."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return {}


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelname.lower(), record.getMessage()))


def run_program(
    body: Callable[[], Awaitable[T]],
    config: dict[str, str],
    *,
    secret_keys: tuple[str, ...] = (),
    preview: bool = False,
) -> tuple[T, list[tuple[str, str]]]:
    """Run ``body`` as a program with ``config``; return its result and what it logged."""
    records = _Records()
    logger = logging.getLogger(f"test-program-{id(records)}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(records)

    async def program() -> T:
        pulumi.runtime.set_mocks(_NoResources(), preview=preview, logger=logger)
        pulumi.runtime.set_all_config(config, list(secret_keys))
        return await body()

    return asyncio.run(program()), records.lines
