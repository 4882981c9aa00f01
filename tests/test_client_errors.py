"""NodeClient's errors against the sandbox: refused credentials, invalid settings, answers of
the wrong shape. Only NodeErrors escape, and none carries the API key."""

from __future__ import annotations

from typing import Any

import pytest

from node_pulumi import (
    NodeApiError,
    NodeClient,
    NodeConfigError,
    NodeDecodeError,
    NodeTransportError,
)
from node_pulumi.sandbox import Sandbox

from .conftest import API_KEY, USER_ID


@pytest.mark.parametrize(
    ("user_id", "api_key", "code"),
    [(USER_ID, "wrong-" + API_KEY, "INVALID_CHECKSUM"), ("10002", API_KEY, "INVALID_USER")],
)
def test_refused_credentials_come_with_a_hint_without_the_key(
    sandbox: Sandbox, response_format: str, user_id: str, api_key: str, code: str
) -> None:
    node = NodeClient(user_id, api_key, endpoint=sandbox.url, response_format=response_format)
    with pytest.raises(NodeApiError) as caught:
        node.create_snapshot("1")
    error = caught.value
    assert error.code == code
    assert error.function == "create_snapshot"
    text = str(error)
    for name in ("node:userId", "NODE_USER_ID", "node:apiKey", "NODE_API_KEY", sandbox.url):
        assert name in text
    assert repr(user_id) in text
    assert error.hint is not None and sandbox.url in error.hint
    assert API_KEY not in text and API_KEY not in repr(error.args) and API_KEY not in repr(node)
    assert len(sandbox.calls("create_snapshot")) == 1, "an API answer is never retried"


@pytest.mark.parametrize(
    "error",
    [
        ("AUTH_FAILED", "Invalid checksum."),
        ("ERROR", "Wrong API key for this user_id."),
        ("E401", "Checksum mismatch"),
    ],
)
def test_other_wordings_of_refused_credentials_get_the_hint(
    client: NodeClient, sandbox: Sandbox, error: tuple[str, str]
) -> None:
    # The real API's codes are undocumented: recognise the plausible wordings too.
    sandbox.set_fault("get_snapshot_detail", error=error)
    with pytest.raises(NodeApiError) as caught:
        client.get_snapshot_detail("abc")
    assert caught.value.hint is not None
    assert "node:apiKey" in str(caught.value)


def test_other_api_errors_get_no_credentials_hint(client: NodeClient) -> None:
    with pytest.raises(NodeApiError) as caught:
        client.get_snapshot_detail("doesnotexist")
    assert caught.value.hint is None
    assert "node:apiKey" not in str(caught.value)


@pytest.mark.parametrize(
    "settings",
    [
        {"retries": -1},
        {"retries": 1.5},
        {"retries": True},
        {"backoff": -0.5},
        {"backoff": float("nan")},
        {"timeout": float("inf")},
        {"timeout": float("nan")},
        {"timeout": 0},
    ],
)
def test_invalid_client_settings_are_config_errors(settings: dict[str, Any]) -> None:
    with pytest.raises(NodeConfigError):
        NodeClient(USER_ID, API_KEY, **settings)


def test_no_retries_means_one_attempt(sandbox: Sandbox) -> None:
    sandbox.set_fault("get_snapshot_detail", http_status=503)
    node = NodeClient(USER_ID, API_KEY, endpoint=sandbox.url, retries=0, backoff=0)
    with pytest.raises(NodeTransportError):
        node.get_snapshot_detail("abc")
    assert len(sandbox.calls("get_snapshot_detail")) == 1


@pytest.mark.parametrize(
    ("function", "body"),
    [
        ("create_snapshot", b'{"code": "OK", "message": "", "data": "strated"}'),
        ("get_snapshot_detail", b'{"code": "OK", "message": "", "data": ["a", "b"]}'),
        ("get_snapshot_detail", b'{"code": "OK", "message": "", "data": {"snapshot_id": [1]}}'),
        ("delete_snapshot", b'{"code": "OK", "message": "", "data": 5}'),
        ("get_snapshot_list", b'{"code": "OK", "data": {"total_pages": "many", "records": []}}'),
        ("get_snapshot_list", b'{"code": "OK", "data": {"total_pages": 1, "records": ["x"]}}'),
        ("get_snapshot_list", b'{"code": "OK", "data": {"records": {"a": 1, "b": 2}}}'),
        ("get_snapshot_list", b'{"code": "OK", "data": {"page": 1.5, "records": []}}'),
        (
            "set_server_snapshot_schedule",
            b'{"code": "OK", "data": {"daily_snapshot_max_age": "seven"}}',
        ),
        ("get_snapshot_detail", b'{"code": {"a": 1}, "message": "", "data": {}}'),
        ("get_snapshot_detail", b'{"code": "OK", "data": {"snapshot_size": NaN}}'),
        ("get_snapshot_detail", b'{"code": "OK", "data": ' + b'{"a": ' * 400 + b"1" + b"}" * 401),
    ],
)
def test_answers_of_the_wrong_shape_are_decode_errors(
    sandbox: Sandbox, function: str, body: bytes
) -> None:
    sandbox.set_fault(function, body=body)
    node = NodeClient(USER_ID, API_KEY, endpoint=sandbox.url, backoff=0)
    calls = {
        "create_snapshot": lambda: node.create_snapshot("1"),
        "get_snapshot_detail": lambda: node.get_snapshot_detail("abc"),
        "delete_snapshot": lambda: node.delete_snapshot("abc"),
        "get_snapshot_list": lambda: list(node.get_snapshot_list(client_ip_address="203.0.113.7")),
        "set_server_snapshot_schedule": lambda: node.set_server_snapshot_schedule("1"),
    }
    with pytest.raises(NodeDecodeError) as caught:
        calls[function]()
    assert caught.value.function == function
    assert len(sandbox.calls(function)) == 1, "an undecodable answer is never retried"


def test_a_list_walk_stops_when_the_api_answers_another_page(sandbox: Sandbox) -> None:
    # A page past the end answers the last page again; a stale total_pages must not repeat it.
    sandbox.set_fault(
        "get_snapshot_list",
        body=b'{"code": "OK", "data": {"total_pages": 9, "page": 1, '
        b'"records": {"0": {"snapshot_id": "s1"}}}}',
    )
    node = NodeClient(USER_ID, API_KEY, endpoint=sandbox.url)
    assert list(node.get_snapshot_list(client_ip_address="203.0.113.7")) == [{"snapshot_id": "s1"}]
    assert [c.params["page"] for c in sandbox.calls("get_snapshot_list")] == ["1", "2"]


@pytest.mark.parametrize(
    "endpoint", ["https://user:secret@node.co.id/api/v1/", "https://token@node.co.id/api/v1/"]
)
def test_an_endpoint_with_credentials_in_it_is_refused(endpoint: str) -> None:
    with pytest.raises(NodeConfigError) as caught:
        NodeClient(USER_ID, API_KEY, endpoint=endpoint)
    assert "secret" not in str(caught.value) and "token" not in str(caught.value)
