"""The sandbox's stricter reading of get_snapshot_detail (the newer published page requires
``client_ip_address``), and the client's error when the address is not configured: it names the
setting. The lifecycle suite runs its sandbox in this mode (tests/lifecycle/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from node_pulumi import NodeApiError, NodeClient
from node_pulumi._core.gone import is_gone
from node_pulumi._core.snapshots import read_snapshot
from node_pulumi.sandbox import Sandbox
from node_pulumi.sandbox.__main__ import _parse_args

from .clock import StillClock
from .conftest import API_KEY, USER_ID

IP = "203.0.113.7"


@pytest.fixture
def strict() -> Iterator[Sandbox]:
    with Sandbox(
        USER_ID, API_KEY, processing_seconds=0, clock=StillClock(), strict_client_ip=True
    ) as server:
        yield server


@pytest.fixture
def strict_client(strict: Sandbox, response_format: str) -> Iterator[NodeClient]:
    with NodeClient(
        USER_ID, API_KEY, endpoint=strict.url, response_format=response_format, backoff=0
    ) as node:
        yield node


def test_without_the_address_the_strict_api_refuses_and_the_error_names_the_setting(
    strict_client: NodeClient, strict: Sandbox
) -> None:
    snapshot_id = strict_client.create_snapshot("12")["snapshot_id"]
    with pytest.raises(NodeApiError) as raised:
        read_snapshot(strict_client, snapshot_id, None)
    error = raised.value
    assert (error.code, error.message) == (
        "MISSING_PARAMETER",
        "Missing parameter client_ip_address.",
    )
    assert error.hint is not None
    assert "node:clientIpAddress" in str(error) and "NODE_CLIENT_IP_ADDRESS" in str(error)
    assert not error.is_credentials_error and not is_gone(error)
    assert len(strict.calls("get_snapshot_detail")) == 1, "an API answer is not retried"

    record = read_snapshot(strict_client, snapshot_id, IP)
    assert record is not None and record["snapshot_id"] == snapshot_id
    assert strict.calls("get_snapshot_detail")[-1].params["client_ip_address"] == IP


def test_an_address_the_api_refuses_points_at_the_setting_too(
    strict_client: NodeClient,
) -> None:
    with pytest.raises(NodeApiError) as raised:
        strict_client.get_snapshot_detail("abc", client_ip_address="not-an-ip")
    assert raised.value.code == "INVALID_PARAMETER"
    assert "check the client IP address (node:clientIpAddress" in str(raised.value)


def test_the_default_reading_accepts_no_address(client: NodeClient) -> None:
    snapshot_id = client.create_snapshot("12")["snapshot_id"]
    assert client.get_snapshot_detail(snapshot_id)["snapshot_id"] == snapshot_id


def test_the_mode_is_switched_by_the_admin_api_and_the_command_line(
    client: NodeClient, sandbox: Sandbox
) -> None:
    snapshot_id = client.create_snapshot("12")["snapshot_id"]
    admin = f"http://127.0.0.1:{sandbox.port}/_sandbox/strict_client_ip"
    assert requests.post(admin + "?on=1", timeout=10).status_code == 200
    assert sandbox.strict_client_ip
    with pytest.raises(NodeApiError, match="client_ip_address"):
        client.get_snapshot_detail(snapshot_id)
    assert requests.post(admin + "?on=0", timeout=10).status_code == 200
    assert client.get_snapshot_detail(snapshot_id)["snapshot_id"] == snapshot_id

    base = ["--user-id", USER_ID, "--api-key", API_KEY]
    assert _parse_args([*base, "--strict-client-ip"]).strict_client_ip is True
    assert _parse_args(base).strict_client_ip is False
