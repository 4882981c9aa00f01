"""Shared fixtures: a sandbox API on a loopback socket per test, and a clean environment."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any, TypeVar

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


CLOCK_START = 1_700_000_000.0
"""Where every test's sandbox clock starts (2023-11-14 22:13:20 UTC)."""
HELD_SECONDS = 3600.0
"""How long the `held_sandbox`'s snapshots stay `processing`, of the test's clock."""


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> StillClock:
    """The sandboxes' clock: it stands still at CLOCK_START until the test moves it. A test
    marked `wall_clock` (a command in another process compares the sandbox's times with the
    machine's clock) gets one standing still at the real time it started."""
    if request.node.get_closest_marker("wall_clock"):
        return StillClock(time.time())
    return StillClock(CLOCK_START)


def _sandbox_options(request: pytest.FixtureRequest, **defaults: Any) -> dict[str, Any]:
    """``defaults`` with the options of the test's `sandbox` markers, the closest winning."""
    options = dict(defaults)
    for marker in reversed(list(request.node.iter_markers("sandbox"))):
        options.update(marker.kwargs)
    return options


@pytest.fixture
def sandbox(clock: StillClock, request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A sandbox on the test's `clock`, whose snapshots answer `processing` to their create and
    are `active` from then on: what a test sees never depends on the machine's speed.

    A module or test sets other `Sandbox` options with the `sandbox` marker (``pytestmark =
    pytest.mark.sandbox(processing_seconds=60)``; a test's own marker wins over its module's).
    """
    options = _sandbox_options(request, processing_seconds=0)
    with Sandbox(USER_ID, API_KEY, clock=clock, **options) as server:
        yield server


CLIENT_IP = "203.0.113.7"
"""The client IP address the `env` fixture gives a command (a documentation address)."""


@pytest.fixture
def env(sandbox: Sandbox) -> dict[str, str]:
    """The environment of a `node-pulumi` command a test runs: the sandbox's settings in NODE_*
    variables, and none of the developer's NODE_*, PULUMI_*, proxy or CA bundle settings."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NODE_", "PULUMI_"))
        and k.upper() not in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")
        and k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
    }
    return base | {
        "NODE_USER_ID": USER_ID,
        "NODE_API_KEY": API_KEY,
        "NODE_ENDPOINT": sandbox.url,
        "NODE_CLIENT_IP_ADDRESS": CLIENT_IP,
    }


@pytest.fixture
def held_sandbox(clock: StillClock, request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A sandbox whose snapshots stay `processing` for an hour of the test's `clock` (as real ones
    do for minutes), until the test moves it; the `sandbox` marker's options apply too."""
    options = _sandbox_options(request, processing_seconds=HELD_SECONDS)
    with Sandbox(USER_ID, API_KEY, clock=clock, **options) as server:
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
