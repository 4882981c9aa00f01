"""NodeClient against the sandbox over real HTTP, in both formats."""

from __future__ import annotations

import hashlib
import logging
import socket
from typing import Any
from urllib.parse import parse_qs

import pytest

from node_pulumi import (
    NodeApiError,
    NodeClient,
    NodeConfigError,
    NodeDecodeError,
    NodeTransportError,
)
from node_pulumi._core.gone import is_gone
from node_pulumi.sandbox import Sandbox

from .clock import StillClock
from .conftest import API_KEY, USER_ID
from .loopback import Relay


@pytest.mark.sandbox(processing_seconds=10)  # active once the test moves the clock 10 s on
def test_snapshot_round_trip_gives_plain_values(
    sandbox: Sandbox, clock: StillClock, response_format: str
) -> None:
    client = NodeClient(USER_ID, API_KEY, endpoint=sandbox.url, response_format=response_format)
    created = client.create_snapshot("12345")
    assert created["server_id"] == "12345"
    assert created["snapshot_status"] == "processing"
    clock.now += 10
    detail = client.get_snapshot_detail(created["snapshot_id"], client_ip_address="203.0.113.7")
    assert detail["snapshot_id"] == created["snapshot_id"]
    assert detail["server_id"] == "12345"
    assert detail["snapshot_cycle"] == "manual"
    assert detail["snapshot_status"] == "active"
    assert isinstance(detail["snapshot_size"], int | float)
    assert type(detail["snapshot_url_expires"]) is int
    assert detail == sandbox_detail(sandbox, created["snapshot_id"])
    deleted = client.delete_snapshot(created["snapshot_id"])
    assert deleted == {"snapshot_id": created["snapshot_id"], "snapshot_status": "deleted"}


def sandbox_detail(sandbox: Sandbox, snapshot_id: str) -> dict[str, object]:
    """What the sandbox holds, with empty values dropped as the client reports them (None)."""
    (record,) = [s for s in sandbox.snapshots() if s["snapshot_id"] == snapshot_id]
    return {k: (None if v == "" else v) for k, v in record.items()}


@pytest.mark.sandbox(processing_seconds=10)
@pytest.mark.parametrize("moved_on", [0, 10], ids=["processing", "active"])
def test_json_and_xml_give_identical_data(
    sandbox: Sandbox, clock: StillClock, moved_on: float
) -> None:
    def node(fmt: str) -> NodeClient:
        return NodeClient(USER_ID, API_KEY, endpoint=sandbox.url, response_format=fmt)

    snapshot_id = node("json").create_snapshot("777")["snapshot_id"]
    node("json").create_snapshot("777")
    clock.now += moved_on
    as_json = node("json").get_snapshot_detail(snapshot_id)
    as_xml = node("xml").get_snapshot_detail(snapshot_id)
    assert as_json == as_xml
    assert as_json["snapshot_status"] == ("active" if moved_on else "processing")
    filters = {"client_ip_address": "203.0.113.7", "snapshot_status": "all", "server_id": "777"}
    listed_json = list(node("json").get_snapshot_list(**filters))
    listed_xml = list(node("xml").get_snapshot_list(**filters))
    assert len(listed_json) == 2
    assert listed_json == listed_xml


def sha1_hex(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def test_the_wire_carries_the_checksum_never_the_key(
    sandbox: Sandbox, response_format: str
) -> None:
    with Relay(sandbox.port) as wire:
        node = NodeClient(
            USER_ID,
            API_KEY,
            endpoint=f"http://127.0.0.1:{wire.port}/api/v1/",
            response_format=response_format,
        )
        node.create_snapshot("1")
        node.close()
    (call,) = sandbox.calls("create_snapshot")
    assert call.format == response_format
    assert call.method == "POST"
    head, _, body = wire.sent.partition(b"\r\n\r\n")
    form = {k: v for k, (v,) in parse_qs(body.decode()).items()}
    assert form["user_id"] == USER_ID
    assert form["server_id"] == "1"
    assert form["format"] == response_format
    expected = sha1_hex(sha1_hex(sha1_hex(USER_ID + API_KEY + form["random"])))
    assert form["checksum"] == expected
    assert API_KEY.encode() not in wire.sent
    assert b"authorization:" not in head.lower()


class _ListenOnRetry(logging.Handler):
    """Opens the relay's port when urllib3 logs that it retries a refused connection."""

    def __init__(self, relay: Relay) -> None:
        super().__init__(logging.WARNING)
        self.relay = relay

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Retrying"):
            self.relay.listen()


def test_a_refused_connection_is_retried_even_for_create(sandbox: Sandbox) -> None:
    # The port refuses the first connection (bound, not yet listening) and accepts from the
    # retry on: a create that certainly never arrived is sent again, once.
    urllib3_log = logging.getLogger("urllib3.connectionpool")
    with Relay(sandbox.port, listening=False) as relay:
        hook = _ListenOnRetry(relay)
        urllib3_log.addHandler(hook)
        try:
            node = NodeClient(
                USER_ID, API_KEY, endpoint=f"http://127.0.0.1:{relay.port}/api/v1/", backoff=0
            )
            created = node.create_snapshot("12345")
        finally:
            urllib3_log.removeHandler(hook)
    assert relay.connections == 1
    assert [s["snapshot_id"] for s in sandbox.snapshots()] == [created["snapshot_id"]]


def test_list_walks_every_page(client: NodeClient, sandbox: Sandbox) -> None:
    ids = {client.create_snapshot("42")["snapshot_id"] for _ in range(23)}
    client.create_snapshot("12")
    sandbox.clear_calls()
    records = list(
        client.get_snapshot_list(
            client_ip_address="203.0.113.7",
            server_id="42",
            snapshot_status="all",
            records_per_page=10,
        )
    )
    assert {r["snapshot_id"] for r in records} == ids
    assert len(records) == 23
    assert len(sandbox.calls("get_snapshot_list")) == 3


def test_an_empty_list_is_empty(client: NodeClient) -> None:
    assert list(client.get_snapshot_list(client_ip_address="203.0.113.7")) == []


def test_schedule_echoes_integers(client: NodeClient) -> None:
    data = client.set_server_snapshot_schedule(
        "12345", daily_snapshot="yes", daily_snapshot_max_age=7
    )
    assert data["server_id"] == "12345"
    assert data["daily_snapshot"] == "yes"
    assert data["daily_snapshot_max_age"] == 7
    assert data["weekly_snapshot_max_age"] == 0


def test_error_envelope_raises_api_error_with_its_fields(
    client: NodeClient, sandbox: Sandbox
) -> None:
    sandbox.set_fault("get_snapshot_detail", error=("QUOTA_EXCEEDED", "Too many requests today."))
    with pytest.raises(NodeApiError) as caught:
        client.get_snapshot_detail("abc")
    assert caught.value.code == "QUOTA_EXCEEDED"
    assert caught.value.message == "Too many requests today."
    assert caught.value.function == "get_snapshot_detail"
    assert "Too many requests today." in str(caught.value)
    assert len(sandbox.calls("get_snapshot_detail")) == 1, "an API answer is never retried"


def test_unknown_snapshot_is_not_found(client: NodeClient) -> None:
    with pytest.raises(NodeApiError) as caught:
        client.get_snapshot_detail("doesnotexist")
    assert is_gone(caught.value)


def test_validation_error_comes_from_the_api(client: NodeClient) -> None:
    with pytest.raises(NodeApiError) as caught:
        client.create_snapshot("x" * 51)
    assert caught.value.code == "INVALID_PARAMETER"


def test_read_calls_retry_5xx_with_a_fresh_random(client: NodeClient, sandbox: Sandbox) -> None:
    snapshot_id = client.create_snapshot("2")["snapshot_id"]
    sandbox.set_fault("get_snapshot_detail", http_status=503, times=2)
    assert client.get_snapshot_detail(snapshot_id)["snapshot_id"] == snapshot_id
    calls = sandbox.calls("get_snapshot_detail")
    assert [c.http_status for c in calls] == [503, 503, 200]
    assert len({c.params["random"] for c in calls}) == 3


@pytest.mark.parametrize(
    ("function", "call"),
    [
        ("get_snapshot_detail", lambda c, sid: c.get_snapshot_detail(sid)),
        ("delete_snapshot", lambda c, sid: c.delete_snapshot(sid)),
        (
            "get_snapshot_list",
            lambda c, sid: list(c.get_snapshot_list(client_ip_address="203.0.113.7")),
        ),
        (
            "set_server_snapshot_schedule",
            lambda c, sid: c.set_server_snapshot_schedule("2", daily_snapshot="no"),
        ),
    ],
)
def test_every_repeatable_function_survives_a_5xx_and_a_lost_answer(
    client: NodeClient, sandbox: Sandbox, function: str, call: Any
) -> None:
    snapshot_id = client.create_snapshot("2")["snapshot_id"]
    sandbox.set_fault(function, http_status=503, times=1)
    call(client, snapshot_id)
    sandbox.set_fault(function, http_status=502, after=True, times=1)
    call(client, snapshot_id)
    assert [c.http_status for c in sandbox.calls(function)] == [503, 200, 502, 200]


def test_read_calls_give_up_after_the_retries(client: NodeClient, sandbox: Sandbox) -> None:
    sandbox.set_fault("get_snapshot_detail", http_status=502)
    with pytest.raises(NodeTransportError) as caught:
        client.get_snapshot_detail("abc")
    assert caught.value.http_status == 502
    assert len(sandbox.calls("get_snapshot_detail")) == 1 + client.retries


def test_create_is_never_repeated_once_sent(client: NodeClient, sandbox: Sandbox) -> None:
    sandbox.set_fault("create_snapshot", http_status=500, after=True, times=1)
    with pytest.raises(NodeTransportError) as caught:
        client.create_snapshot("999")
    assert caught.value.may_have_reached_server
    assert len(sandbox.calls("create_snapshot")) == 1
    assert len(sandbox.snapshots()) == 1, "the server acted once; nothing was repeated"


def test_create_timeout_is_not_retried(sandbox: Sandbox, response_format: str) -> None:
    # Only the first call is slow: a retry would have succeeded instead of raising.
    sandbox.set_fault("create_snapshot", latency=1.0, times=1)
    node = NodeClient(
        USER_ID, API_KEY, endpoint=sandbox.url, response_format=response_format, timeout=0.2
    )
    with pytest.raises(NodeTransportError) as caught:
        node.create_snapshot("1")
    assert caught.value.may_have_reached_server
    assert "in time" in str(caught.value)


def test_read_timeout_is_retried(sandbox: Sandbox, response_format: str) -> None:
    node = NodeClient(
        USER_ID,
        API_KEY,
        endpoint=sandbox.url,
        response_format=response_format,
        timeout=0.2,
        backoff=0,
    )
    snapshot_id = node.create_snapshot("1")["snapshot_id"]
    sandbox.set_fault("get_snapshot_detail", latency=1.0, times=1)
    assert node.get_snapshot_detail(snapshot_id)["snapshot_id"] == snapshot_id


def test_connection_refused_is_retried_then_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    node = NodeClient(USER_ID, API_KEY, endpoint=f"http://127.0.0.1:{port}/api/v1/", backoff=0)
    with pytest.raises(NodeTransportError) as caught:
        node.create_snapshot("1")
    assert not caught.value.may_have_reached_server
    assert "refused" in str(caught.value).lower()


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        ("json", b"<html>Service temporarily down</html>"),
        ("json", b'{"code": "OK", "message": "x", "data": {'),
        ("xml", b'<?xml version="1.0"?>\n<code>OK</code><message>x</message><data><a></data>'),
        ("xml", b"not xml at all"),
        ("json", b"\xff\xfe\x00garbage"),
    ],
)
def test_malformed_bodies_raise_decode_errors(sandbox: Sandbox, fmt: str, body: bytes) -> None:
    sandbox.set_fault("get_snapshot_detail", body=body)
    node = NodeClient(USER_ID, API_KEY, endpoint=sandbox.url, response_format=fmt, backoff=0)
    with pytest.raises(NodeDecodeError) as caught:
        node.get_snapshot_detail("abc")
    assert caught.value.function == "get_snapshot_detail"


def test_xml_with_a_root_element_is_accepted_too(sandbox: Sandbox) -> None:
    sandbox.set_fault(
        "get_snapshot_detail",
        body=b'<?xml version="1.0"?><response><code>OK</code><message/>'
        b"<data><snapshot_id>s1</snapshot_id><snapshot_size>2.5</snapshot_size></data></response>",
    )
    node = NodeClient(USER_ID, API_KEY, endpoint=sandbox.url, response_format="xml")
    assert node.get_snapshot_detail("s1") == {"snapshot_id": "s1", "snapshot_size": 2.5}


@pytest.mark.parametrize(
    "endpoint",
    ["http://node.co.id/api/v1/", "http://10.0.0.5:8765/api/v1/", "ftp://127.0.0.1/", "nonsense"],
)
def test_plain_http_is_refused_off_loopback(endpoint: str) -> None:
    with pytest.raises(NodeConfigError):
        NodeClient(USER_ID, API_KEY, endpoint=endpoint)


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://node.co.id/api/v1",
        "http://127.0.0.1:8765/api/v1/",
        "http://[::1]:1/",
        "http://localhost/",
    ],
)
def test_https_and_loopback_endpoints_are_accepted(endpoint: str) -> None:
    assert NodeClient(USER_ID, API_KEY, endpoint=endpoint).endpoint.endswith("/")


def test_tls_verification_stays_on() -> None:
    node = NodeClient(USER_ID, API_KEY)
    assert node._session.verify is True
