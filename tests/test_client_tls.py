"""NodeClient over TLS and through proxies, on loopback: the environment `requests` users set.

A TLS front with a certificate from a test CA (trustme) forwards to the sandbox; a CONNECT proxy
tunnels to it. Nothing here leaves the machine.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from node_pulumi import (
    NodeClient,
    NodeConfigError,
    NodeTransportError,
    SnapshotProvider,
    SnapshotUncertainError,
)
from node_pulumi.sandbox import Sandbox

from .conftest import API_KEY, USER_ID, configured
from .loopback import ConnectProxy, Relay

ENVIRONMENT = (
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "NETRC",
)


@pytest.fixture(autouse=True)
def _no_proxy_or_ca_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's own proxy, CA and netrc settings out of these tests."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def front(ca: trustme.CA, sandbox: Sandbox) -> Iterator[Relay]:
    """TLS on 127.0.0.1 with a certificate of the test CA, in front of the sandbox."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with Relay(sandbox.port, tls=context) as relay:
        yield relay
    assert relay.errors == []


def https_url(relay: Relay) -> str:
    return f"https://127.0.0.1:{relay.port}/api/v1/"


def client_of(relay: Relay) -> NodeClient:
    return NodeClient(USER_ID, API_KEY, endpoint=https_url(relay), backoff=0)


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_a_ca_bundle_from_the_environment_is_trusted(
    front: Relay, sandbox: Sandbox, ca_file: str, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, ca_file)
    created = client_of(front).create_snapshot("12345")
    assert [s["snapshot_id"] for s in sandbox.snapshots()] == [created["snapshot_id"]]
    assert API_KEY.encode() not in front.sent


def test_an_untrusted_certificate_fails_once_and_clearly(front: Relay, sandbox: Sandbox) -> None:
    with pytest.raises(NodeTransportError) as caught:
        client_of(front).get_snapshot_detail("abc")
    error = caught.value
    assert not error.may_have_reached_server, "the handshake failed before anything was sent"
    assert "certificate verify failed" in str(error)
    assert "REQUESTS_CA_BUNDLE" in str(error)
    assert front.handshakes == 1, "a certificate that is not trusted is not retried"
    assert sandbox.calls() == []


def test_a_create_over_an_untrusted_certificate_is_not_uncertain(
    front: Relay, sandbox: Sandbox
) -> None:
    provider = configured(SnapshotProvider(), sandbox, **{"node:endpoint": https_url(front)})
    with pytest.raises(NodeTransportError) as caught:
        provider.create({"server_id": "12345", "wait_until_active": False})
    assert not isinstance(caught.value, SnapshotUncertainError)
    assert "may have started" not in str(caught.value)
    assert sandbox.snapshots() == []


@pytest.mark.parametrize("value", ["", "0", "false", "none"])
def test_the_environment_cannot_turn_verification_off(
    front: Relay, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", value)
    monkeypatch.setenv("CURL_CA_BUNDLE", value)
    # An empty value leaves the default CAs; any other names a bundle file that is not there.
    expected = NodeTransportError if value == "" else NodeConfigError
    with pytest.raises(expected) as caught:
        client_of(front).create_snapshot("12345")
    assert sandbox.calls() == []
    if expected is NodeConfigError:
        assert "REQUESTS_CA_BUNDLE" in str(caught.value)


def test_a_netrc_password_is_never_sent(
    front: Relay, ca_file: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password netrc-secret-Pq7\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_file)
    client_of(front).create_snapshot("12345")
    head = front.sent.partition(b"\r\n\r\n")[0].lower()
    assert b"post /api/v1/create_snapshot" in head
    assert b"authorization:" not in head
    assert b"netrc-secret" not in front.sent


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"])
def test_calls_go_through_the_proxy_from_the_environment(
    front: Relay,
    sandbox: Sandbox,
    ca_file: str,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_file)
    with ConnectProxy() as proxy:
        monkeypatch.setenv(variable, f"http://127.0.0.1:{proxy.port}")
        client = client_of(front)
        created = client.create_snapshot("12345")
        assert client.get_snapshot_detail(created["snapshot_id"])["server_id"] == "12345"
        client.close()
    assert proxy.connects == [f"127.0.0.1:{front.port}"] * 2, "a tunnel per call to the API"
    assert len(sandbox.calls()) == 2


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost,127.0.0.1", "*"])
def test_no_proxy_bypasses_the_proxy(
    front: Relay,
    sandbox: Sandbox,
    ca_file: str,
    monkeypatch: pytest.MonkeyPatch,
    no_proxy: str,
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_file)
    with ConnectProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("NO_PROXY", no_proxy)
        client_of(front).create_snapshot("12345")
    assert proxy.connects == []
    assert len(sandbox.calls("create_snapshot")) == 1


def test_a_plain_http_sandbox_never_uses_a_proxy(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy cannot reach this machine's loopback; the sandbox must work whatever is set.
    with ConnectProxy() as proxy:
        for variable in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            monkeypatch.setenv(variable, f"http://127.0.0.1:{proxy.port}")
        NodeClient(USER_ID, API_KEY, endpoint=sandbox.url).create_snapshot("12345")
    assert proxy.connects == []
    assert len(sandbox.calls("create_snapshot")) == 1


def test_a_proxy_refusing_the_tunnel_fails_once_and_certainly_unsent(
    front: Relay, sandbox: Sandbox, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_file)
    with ConnectProxy(refuse=True) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
        with pytest.raises(NodeTransportError) as read:
            client_of(front).get_snapshot_detail("abc")
        provider = configured(SnapshotProvider(), sandbox, **{"node:endpoint": https_url(front)})
        with pytest.raises(NodeTransportError) as create:
            provider.create({"server_id": "12345", "wait_until_active": False})
    assert not read.value.may_have_reached_server
    assert "403" in str(read.value)
    assert not isinstance(create.value, SnapshotUncertainError)
    assert len(proxy.connects) == 2, "one CONNECT each: a refusal is not retried"
    assert front.connections == 0
    assert sandbox.calls() == []


def test_an_unreachable_proxy_is_certainly_unsent(
    front: Relay, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Relay(sandbox.port, listening=False) as closed:  # a port that refuses connections
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed.port}")
        with pytest.raises(NodeTransportError) as caught:
            client_of(front).create_snapshot("12345")
    assert not caught.value.may_have_reached_server
    assert "proxy" in str(caught.value)
    assert sandbox.calls() == []


def test_an_answer_lost_behind_the_proxy_may_have_reached_the_api(
    ca: trustme.CA,
    sandbox: Sandbox,
    ca_file: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # urllib3 reports this as a ProxyError too, although the request went through the tunnel.
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_file)
    with Relay(sandbox.port, tls=context, drop=True) as dropper, ConnectProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
        with pytest.raises(NodeTransportError) as caught:
            client_of(dropper).create_snapshot("12345")
    assert caught.value.may_have_reached_server
    assert b"POST /api/v1/create_snapshot" in dropper.sent
