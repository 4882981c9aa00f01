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

# Tests assert behaviour, never time: no per-example deadline, no slowness health check.
settings.register_profile("node", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("node")

USER_ID = "10001"
API_KEY = "test-key-Zq8Jr2vLx5Wm"  # a test value: asserted absent from errors and pickles


@pytest.fixture(autouse=True)
def _no_node_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's own NODE_* settings out of the tests."""
    import os

    for name in list(os.environ):
        if name.startswith("NODE_"):
            monkeypatch.delenv(name)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(USER_ID, API_KEY, processing_seconds=0.3) as server:
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
