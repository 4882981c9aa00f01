"""``node-pulumi doctor``, run as its installed console script against the sandbox on loopback:
every line ok with good settings, and one failing line with a fix (never a traceback) for each
way a first contact goes wrong. Neither the API key nor a root password is in any output, as a
table or as JSON."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from node_pulumi import NodeClient
from node_pulumi._cli._status import CREDENTIALS, FAILED, OK, USAGE
from node_pulumi._core.doctor import LATENCY_CALLS
from node_pulumi.sandbox import Sandbox

from .conftest import API_KEY, CLIENT_IP, USER_ID
from .loopback import ConnectProxy, Relay

COMMAND = str(Path(sys.executable).parent / "node-pulumi")
SERVER = "12345"
IP = CLIENT_IP
PROXY_PAGE = (
    b"<!DOCTYPE html><html><head><title>Access Denied</title></head>"
    b"<body>The corporate proxy blocked this request.</body></html>"
)

# The stricter reading, as a demanding API would have it; snapshots active at once.
pytestmark = pytest.mark.sandbox(strict_client_ip=True)


@pytest.fixture
def snapshot_id(sandbox: Sandbox) -> str:
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
        return str(client.create_snapshot(SERVER)["snapshot_id"])


class Ran:
    """One doctor run, as a table and as JSON, with what neither may ever show checked."""

    def __init__(self, env: dict[str, str], sandbox: Sandbox, *args: str) -> None:
        table = _run(env, "doctor", *args)
        as_json = _run(env, "doctor", "--json", *args)
        secrets = [API_KEY, *(sandbox.root_password(s) for s in sorted(sandbox.servers))]
        for result in (table, as_json):
            shown = result.stdout + result.stderr
            assert "Traceback" not in shown, shown
            for secret in secrets:
                assert secret not in shown, "a credential is shown"
        assert table.returncode == as_json.returncode
        self.status = table.returncode
        self.lines = table.stdout.splitlines()
        self.data: dict[str, Any] = json.loads(as_json.stdout)
        assert self.data["exit_status"] == self.status
        assert [c["name"] for c in self.data["checks"]] == [_name(line) for line in self.lines]

    def line(self, name: str) -> str:
        (found,) = [line for line in self.lines if _name(line) == name]
        return found

    def check(self, name: str) -> dict[str, Any]:
        (found,) = [c for c in self.data["checks"] if c["name"] == name]
        return dict(found)

    def failing(self) -> list[str]:
        return [_name(line) for line in self.lines if line.startswith("fail")]


def _name(line: str) -> str:
    """A table line's check name: between the status and two spaces."""
    return line[6:].split("  ", 1)[0].strip()


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMMAND, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def closed_port() -> int:
    """A loopback port nothing listens on (bound to port 0, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_with_good_settings_every_line_is_ok(
    env: dict[str, str], sandbox: Sandbox, snapshot_id: str
) -> None:
    ran = Ran(env, sandbox, "--server-id", SERVER)
    assert ran.status == OK
    assert all(line.startswith("ok  ") for line in ran.lines), ran.lines
    assert ran.data["status"] == "ok"
    assert {c["status"] for c in ran.data["checks"]} == {"ok"}
    assert "environment NODE_API_KEY" in ran.line("setting node:apiKey")
    assert ran.check("setting node:apiKey")["facts"] == {
        "key": "node:apiKey",
        "variable": "NODE_API_KEY",
        "source": "environment NODE_API_KEY",
    }
    assert "(default)" in ran.line("setting node:format")
    assert "custom" in ran.line("endpoint")
    assert ran.check("client ip")["facts"]["get_snapshot_detail_requires"] is True
    server = ran.check(f"server {SERVER}")["facts"]
    assert server["newest_active_snapshot"]["snapshot_id"] == snapshot_id
    assert server["server_status"] == "on"
    assert f"over {LATENCY_CALLS} get_snapshot_list calls" in ran.line("latency")
    functions = {c.function for c in sandbox.calls()}
    assert functions <= {"create_snapshot", "get_snapshot_list", "get_snapshot_detail",
                         "get_server_detail"}  # fmt: skip
    assert len(sandbox.snapshots()) == 1, "doctor changes nothing"


@pytest.mark.parametrize(
    ("setting", "value", "code"),
    [("NODE_API_KEY", "wrong-key", "INVALID_CHECKSUM"), ("NODE_USER_ID", "10002", "INVALID_USER")],
    ids=["wrong-key", "wrong-user-id"],
)
def test_refused_credentials_fail_the_credentials_line(
    env: dict[str, str], sandbox: Sandbox, setting: str, value: str, code: str
) -> None:
    ran = Ran(env | {setting: value}, sandbox, "--server-id", SERVER)
    assert ran.status == CREDENTIALS
    assert ran.failing() == ["credentials"]
    assert code in ran.line("credentials") and "fix: check the user id" in ran.line("credentials")


def test_an_unknown_server_fails_its_own_line(
    env: dict[str, str], sandbox: Sandbox, snapshot_id: str
) -> None:
    ran = Ran(env, sandbox, "--server-id", SERVER, "--server-id", "99")
    assert ran.status == FAILED
    assert ran.failing() == ["server 99"]
    assert "SERVER_NOT_FOUND" in ran.line("server 99") and "fix: check the server id" in ran.line(
        "server 99"
    )
    assert ran.line(f"server {SERVER}").startswith("ok")


@pytest.mark.parametrize("status", [200, 404])
def test_an_endpoint_serving_an_html_page_fails_the_credentials_line(
    env: dict[str, str], sandbox: Sandbox, status: int
) -> None:
    page = b"<html><head><title>Welcome to nginx!</title></head><body>It works</body></html>"
    sandbox.set_fault("*", http_status=status, body=page, content_type="text/html")
    ran = Ran(env, sandbox)
    assert ran.status == FAILED
    assert ran.failing() == ["credentials"]
    assert "node:endpoint" in ran.check("credentials")["fix"]


def test_a_403_page_from_a_proxy_fails_with_the_credentials_status(
    env: dict[str, str], sandbox: Sandbox
) -> None:
    sandbox.set_fault("*", http_status=403, body=PROXY_PAGE, content_type="text/html")
    ran = Ran(env, sandbox, "--server-id", SERVER)
    assert ran.status == CREDENTIALS
    assert ran.failing() == ["credentials"]
    line = ran.line("credentials")
    assert "HTTP 403" in line and "'Access Denied'" in line and "text/html" in line
    assert "allow-list" in ran.check("credentials")["fix"]
    assert len(sandbox.calls()) == 2, "one call a run (table, JSON): a proxy's page is not retried"


def test_a_missing_client_ip_under_the_strict_reading_fails_its_line(
    env: dict[str, str], sandbox: Sandbox, snapshot_id: str
) -> None:
    del env["NODE_CLIENT_IP_ADDRESS"]
    ran = Ran(env, sandbox, "--server-id", SERVER)
    assert ran.status == FAILED
    assert ran.failing() == ["client ip"]
    assert "node:clientIpAddress" in ran.line("client ip")
    assert ran.check("client ip")["facts"]["get_snapshot_detail_requires"] is True


def test_without_the_strict_reading_a_missing_client_ip_is_a_warning(
    env: dict[str, str], sandbox: Sandbox
) -> None:
    sandbox.strict_client_ip = False
    del env["NODE_CLIENT_IP_ADDRESS"]
    ran = Ran(env, sandbox)
    assert ran.status == OK
    assert ran.line("client ip").startswith("warn")
    assert ran.check("client ip")["facts"]["get_snapshot_detail_requires"] is False


def test_a_host_that_cannot_be_reached_fails_the_credentials_line(
    env: dict[str, str], sandbox: Sandbox
) -> None:
    ran = Ran(env | {"NODE_ENDPOINT": f"http://127.0.0.1:{closed_port()}/api/v1/"}, sandbox)
    assert ran.status == FAILED
    assert ran.failing() == ["credentials"]
    assert "connection failed" in ran.line("credentials")
    assert "reachable host and port" in ran.check("credentials")["fix"]


def test_a_missing_setting_fails_its_line_with_the_usage_status(
    env: dict[str, str], sandbox: Sandbox
) -> None:
    del env["NODE_API_KEY"]
    ran = Ran(env, sandbox)
    assert ran.status == USAGE
    assert ran.failing() == ["setting node:apiKey"]
    assert "node:apiKey" in ran.check("setting node:apiKey")["fix"]
    assert sandbox.calls() == []


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def front(ca: trustme.CA, sandbox: Sandbox) -> Iterator[Relay]:
    """TLS on 127.0.0.1 with a certificate of a CA nobody trusts, in front of the sandbox."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with Relay(sandbox.port, tls=context) as relay:
        yield relay


def test_a_self_signed_certificate_fails_the_credentials_line_and_a_named_ca_passes(
    env: dict[str, str], sandbox: Sandbox, front: Relay, ca: trustme.CA, tmp_path: Path
) -> None:
    https = env | {"NODE_ENDPOINT": f"https://127.0.0.1:{front.port}/api/v1/"}
    ran = Ran(https, sandbox)
    assert ran.status == FAILED
    assert ran.failing() == ["credentials"]
    assert "certificate verify failed" in ran.line("credentials")
    assert "REQUESTS_CA_BUNDLE" in ran.check("credentials")["fix"]

    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    ran = Ran(https | {"REQUESTS_CA_BUNDLE": str(bundle)}, sandbox)
    assert ran.status == OK
    assert ran.check("tls")["facts"]["ca_bundle"] == str(bundle)
    assert f"{bundle} (REQUESTS_CA_BUNDLE)" in ran.line("tls")


def test_the_proxy_in_effect_is_shown_without_its_password(
    env: dict[str, str], sandbox: Sandbox, front: Relay, ca: trustme.CA, tmp_path: Path
) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with ConnectProxy() as proxy:
        https = env | {
            "NODE_ENDPOINT": f"https://127.0.0.1:{front.port}/api/v1/",
            "REQUESTS_CA_BUNDLE": str(bundle),
            "HTTPS_PROXY": f"http://someone:proxy-pass-Zx9@127.0.0.1:{proxy.port}",
        }
        ran = Ran(https, sandbox)
    assert ran.status == OK
    assert ran.check("tls")["facts"]["proxy"] == f"http://127.0.0.1:{proxy.port}"
    assert "proxy-pass-Zx9" not in "\n".join(ran.lines) + json.dumps(ran.data)
    assert proxy.connects, "the calls went through the proxy shown"


def test_an_endpoint_with_a_password_in_it_fails_without_showing_it(
    env: dict[str, str], sandbox: Sandbox
) -> None:
    endpoint = f"http://someone:endpoint-pass-Q4@127.0.0.1:{sandbox.port}/api/v1/"
    ran = Ran(env | {"NODE_ENDPOINT": endpoint}, sandbox)
    assert ran.status == USAGE
    assert ran.failing() == ["endpoint"]
    assert "endpoint-pass-Q4" not in "\n".join(ran.lines) + json.dumps(ran.data)
    assert sandbox.calls() == []
