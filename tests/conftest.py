"""Shared fixtures: a sandbox API on a loopback socket per test, and a clean environment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, settings
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from node_pulumi import NodeClient
from node_pulumi._dynamic.provider import NodeProvider
from node_pulumi.sandbox import Sandbox

from .clock import StillClock

# Tests assert behaviour, never time: no per-example deadline, no slowness health check.
settings.register_profile("node", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("node")

USER_ID = "10001"
API_KEY = "test-key-Zq8Jr2vLx5Wm"  # a test value: asserted absent from errors and pickles


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist (``-n``), skip the tests marked `serial`: other tests beside them would
    compete for the CPU they time or load. `.ci/run` runs them alone (``pytest -m serial``)."""
    if not hasattr(config, "workerinput"):
        return
    alone = pytest.mark.skip(reason="serial: run it without -n (`pytest -m serial`)")
    for item in items:
        if item.get_closest_marker("serial"):
            item.add_marker(alone)


@pytest.fixture(autouse=True)
def _no_node_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's own NODE_* settings out of the tests."""
    import os

    for name in list(os.environ):
        if name.startswith("NODE_"):
            monkeypatch.delenv(name)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A sandbox whose snapshots answer `processing` to their create and are `active` from then
    on: its clock stands still, so what a test sees never depends on the machine's speed."""
    with Sandbox(USER_ID, API_KEY, processing_seconds=0, clock=StillClock()) as server:
        yield server


@pytest.fixture
def held_sandbox() -> Iterator[Sandbox]:
    """A sandbox whose snapshots stay `processing` for the whole test, as real ones do for
    minutes: its clock stands still (a test that moves it makes its own, see clock.py)."""
    with Sandbox(USER_ID, API_KEY, processing_seconds=3600, clock=StillClock()) as server:
        yield server


@pytest.fixture(params=["json", "xml"])
def response_format(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(sandbox: Sandbox, response_format: str) -> Iterator[NodeClient]:
    with NodeClient(
        USER_ID, API_KEY, endpoint=sandbox.url, response_format=response_format, backoff=0
    ) as node:
        yield node


P = TypeVar("P", bound=NodeProvider)


def configured(provider: P, sandbox: Sandbox, fmt: str = "json", **config: str) -> P:
    """Configure ``provider`` as Pulumi would, with stack config pointing at ``sandbox``."""
    raw = {
        "node:userId": USER_ID,
        "node:apiKey": API_KEY,
        "node:endpoint": sandbox.url,
        "node:format": fmt,
        **config,
    }
    provider.configure(ConfigureRequest(Config(raw, "test-project")))
    return provider
