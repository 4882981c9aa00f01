"""An HTTP 4xx without the API's envelope: something in front of the API answered (a proxy, a
firewall, an IP allow-list, a web server at a wrong endpoint). Played by the sandbox's fault that
answers any status and body; the rule is the client's (transport.py) and holds for every
function: never retried, never uncertain, and the message says what answered."""

from __future__ import annotations

import pytest

from node_pulumi import (
    NodeApiError,
    NodeClient,
    NodeNotTheApiError,
    NodeTransportError,
    SnapshotUncertainError,
)
from node_pulumi._cli import exit_status
from node_pulumi._cli._status import CREDENTIALS, FAILED
from node_pulumi._core.gone import is_gone
from node_pulumi._core.snapshots import read_snapshot, start_snapshot
from node_pulumi.sandbox import Sandbox

from .conftest import API_KEY

PROXY_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Access Denied &amp; Logged</title></head>"
    b"<body><h1>403</h1>Your request was blocked by the corporate proxy.</body></html>"
)
HTML = "text/html; charset=iso-8859-1"


def proxy_403(sandbox: Sandbox, function: str = "*", status: int = 403) -> None:
    sandbox.set_fault(function, http_status=status, body=PROXY_PAGE, content_type=HTML)


@pytest.mark.parametrize("status", [401, 403])
def test_a_proxy_refusal_on_a_read_is_not_retried_and_says_what_answered(
    client: NodeClient, sandbox: Sandbox, status: int
) -> None:
    proxy_403(sandbox, status=status)
    with pytest.raises(NodeNotTheApiError) as raised:
        client.get_snapshot_detail("abc")
    error = raised.value
    assert len(sandbox.calls("get_snapshot_detail")) == 1, "a 4xx page is never retried"
    assert (error.http_status, error.content_type, error.title) == (
        status,
        HTML,
        "Access Denied & Logged",
    )
    assert not error.may_have_reached_server and error.refuses_access
    text = str(error)
    for part in (f"HTTP {status}", HTML, "'Access Denied & Logged'", "proxy, firewall or IP"):
        assert part in text, text
    assert "allow-list" in text and API_KEY not in text
    assert not is_gone(error)
    assert exit_status(error) == CREDENTIALS


def test_a_create_refused_by_a_proxy_certainly_took_no_snapshot(
    client: NodeClient, sandbox: Sandbox
) -> None:
    """Not uncertain: no look-up for a snapshot that may have started, no "may have" in the
    error, one create call, no snapshot."""
    proxy_403(sandbox, "create_snapshot")
    lines: list[str] = []
    with pytest.raises(NodeNotTheApiError) as raised:
        start_snapshot(client, "12", client_ip_address="203.0.113.7", notify=lines.append)
    assert not isinstance(raised.value, SnapshotUncertainError)
    assert "may have" not in str(raised.value) and lines == []
    assert [c.function for c in sandbox.calls()] == ["create_snapshot"]
    assert sandbox.snapshots() == []


def test_an_html_page_at_a_wrong_endpoint_points_at_the_endpoint(
    client: NodeClient, sandbox: Sandbox
) -> None:
    sandbox.set_fault(
        "*",
        http_status=404,
        body=b"<html><head><title>404 Not Found</title></head><body>nginx</body></html>",
        content_type="text/html",
    )
    with pytest.raises(NodeNotTheApiError) as raised:
        read_snapshot(client, "abc", None)
    text = str(raised.value)
    assert "HTTP 404" in text and "'404 Not Found'" in text and "node:endpoint" in text
    assert not raised.value.refuses_access and exit_status(raised.value) == FAILED
    assert len(sandbox.calls()) == 1


def test_a_4xx_that_is_no_html_page_names_its_content_type_and_no_title(
    client: NodeClient, sandbox: Sandbox
) -> None:
    sandbox.set_fault("*", http_status=403, body=b"forbidden", content_type="text/plain")
    with pytest.raises(NodeNotTheApiError) as raised:
        client.delete_snapshot("abc")
    assert raised.value.title is None and "(text/plain)" in str(raised.value)


def test_a_4xx_with_the_apis_envelope_is_the_apis_answer(
    client: NodeClient, sandbox: Sandbox
) -> None:
    sandbox.set_fault("*", http_status=403, error=("FORBIDDEN", "Not your server."))
    with pytest.raises(NodeApiError) as raised:
        client.get_snapshot_detail("abc")
    assert (raised.value.code, raised.value.http_status) == ("FORBIDDEN", 403)


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_a_5xx_or_429_page_stays_retried_on_reads_and_uncertain_on_a_create(
    client: NodeClient, sandbox: Sandbox, status: int
) -> None:
    proxy_403(sandbox, status=status)
    with pytest.raises(NodeTransportError) as raised:
        client.get_snapshot_detail("abc")
    assert not isinstance(raised.value, NodeNotTheApiError)
    assert len(sandbox.calls("get_snapshot_detail")) == 1 + client.retries
    sandbox.clear_calls()
    with pytest.raises(SnapshotUncertainError):
        start_snapshot(client, "12", client_ip_address=None, notify=lambda line: None)
    assert [c.function for c in sandbox.calls()] == ["create_snapshot"]
