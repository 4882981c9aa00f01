"""get_server_detail and reinstall_server in the fault matrix: 5xx, timeouts and answers of odd
shapes, served by the sandbox's fault switches over loopback, first to the client, then to a
restore. The detail is safe to repeat, the reinstall never is; the root password the detail
carries is dropped while decoding and quoted by no error.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from node_pulumi import (
    NodeClient,
    NodeDecodeError,
    NodeTransportError,
    RestoreEvent,
    RestoreTimeoutError,
    RestoreUncertainError,
    RestoreWaitError,
)
from node_pulumi._core.restore import carry_out, check_restore
from node_pulumi.sandbox import Sandbox

from .clock import StillClock
from .conftest import API_KEY, USER_ID

SERVER = "12345"
RETRIES = 2
PASSWORD = "hunter2-ROOT-PASSWORD"
pytestmark = pytest.mark.sandbox(reinstall_seconds=0)


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[NodeClient]:
    with NodeClient(
        USER_ID, API_KEY, endpoint=sandbox.url, retries=RETRIES, backoff=0, timeout=0.5
    ) as made:
        yield made


def detail(node: NodeClient) -> Any:
    return node.get_server_detail(SERVER)


def reinstall(node: NodeClient) -> Any:
    return node.reinstall_server(SERVER, "snapshot", snapshot_id="anysnapshot")


CALLS: dict[str, Callable[[NodeClient], Any]] = {
    "get_server_detail": detail,
    "reinstall_server": reinstall,
}


# --- the client -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_detail_is_retried(client: NodeClient, sandbox: Sandbox, status: int) -> None:
    sandbox.set_fault("get_server_detail", http_status=status)
    with pytest.raises(NodeTransportError) as caught:
        detail(client)
    assert caught.value.http_status == status and caught.value.may_have_reached_server
    assert len(sandbox.calls("get_server_detail")) == 1 + RETRIES


def test_a_5xx_detail_that_clears_is_answered(client: NodeClient, sandbox: Sandbox) -> None:
    sandbox.set_fault("get_server_detail", http_status=503, times=RETRIES)
    assert detail(client)["server_status"] == "on"
    assert len(sandbox.calls("get_server_detail")) == 1 + RETRIES


@pytest.mark.parametrize("after", [False, True])
def test_a_5xx_reinstall_is_never_repeated(
    client: NodeClient, sandbox: Sandbox, after: bool
) -> None:
    sandbox.add_snapshot("anysnapshot", SERVER, created_at="2023-11-14 00:00:00", size_gb=1.0)
    sandbox.set_fault("reinstall_server", http_status=503, after=after)
    with pytest.raises(NodeTransportError) as caught:
        reinstall(client)
    assert caught.value.may_have_reached_server
    assert len(sandbox.calls("reinstall_server")) == 1
    assert len(sandbox.reinstalls()) == (1 if after else 0)


def test_a_detail_that_times_out_is_retried(client: NodeClient, sandbox: Sandbox) -> None:
    sandbox.set_fault("get_server_detail", latency=1.0)
    with pytest.raises(NodeTransportError, match="no answer in time"):
        detail(client)
    attempts = 1 + RETRIES  # each logged once its late answer is written
    assert len(sandbox.wait_for_calls("get_server_detail", attempts, timeout=10)) == attempts


def test_a_reinstall_that_times_out_is_not_repeated(client: NodeClient, sandbox: Sandbox) -> None:
    sandbox.add_snapshot("anysnapshot", SERVER, created_at="2023-11-14 00:00:00", size_gb=1.0)
    sandbox.set_fault("reinstall_server", latency=1.0, after=True)
    with pytest.raises(NodeTransportError, match="no answer in time"):
        reinstall(client)
    # The sandbox logs the call once its (late) answer is written; only one ever comes.
    assert len(sandbox.wait_for_calls("reinstall_server", 1, timeout=10)) == 1
    assert len(sandbox.reinstalls()) == 1
    assert len(sandbox.wait_for_calls("reinstall_server", 2, timeout=0.5)) == 1


ODD_BODIES = [
    b'{"code": "OK", "message": "", "data": "started"}',
    b'{"code": "OK", "message": "", "data": ["on"]}',
    b'{"code": "OK", "message": "", "data": {"server_status": {"a": 1}}}',
    b'{"code": "OK", "message": "", "data": {"retain_daily_snapshots": "seven"}}',
    b'{"code": ["OK"], "message": "", "data": {}}',
    b'{"message": "OK"}',
    b'{"code": "OK", "data": ' + b'{"a": ' * 40 + b"1" + b"}" * 41,
    b"<html>Service temporarily unavailable</html>",
]


@pytest.mark.parametrize("function", sorted(CALLS))
@pytest.mark.parametrize("body", ODD_BODIES)
def test_answers_of_odd_shapes_are_decode_errors_never_retried(
    client: NodeClient, sandbox: Sandbox, function: str, body: bytes
) -> None:
    sandbox.set_fault(function, body=body)
    with pytest.raises(NodeDecodeError) as caught:
        CALLS[function](client)
    assert caught.value.function == function
    assert len(sandbox.calls(function)) == 1


@pytest.mark.parametrize(
    "body",
    [
        b'{"code": "OK", "data": {"root_password": "' + PASSWORD.encode() + b'", ',
        b'{"root_password": "' + PASSWORD.encode() + b'"}',
        b'<?xml version="1.0"?><code>OK</code><data><root_password>'
        + PASSWORD.encode()
        + b"</root_password><oops></data>",
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_undecodable_detail_is_not_quoted(sandbox: Sandbox, body: bytes, fmt: str) -> None:
    sandbox.set_fault("get_server_detail", body=body)
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url, response_format=fmt) as node:
        with pytest.raises(NodeDecodeError) as caught:
            detail(node)
    assert caught.value.excerpt == ""
    assert PASSWORD not in str(caught.value) and PASSWORD not in repr(caught.value.args)


def test_any_other_excerpt_stops_before_a_password(client: NodeClient, sandbox: Sandbox) -> None:
    sandbox.set_fault(
        "get_snapshot_detail", body=b'{"code": "OK", "data": {"password": "' + b"x" * 10
    )
    with pytest.raises(NodeDecodeError) as caught:
        client.get_snapshot_detail("abc")
    assert caught.value.excerpt == '{"code": "OK", "data": {"[cut]'


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("daily_key", ["daiy_snapshots", "daily_snapshots"])
def test_a_detail_holds_no_root_password_and_one_daily_spelling(
    clock: StillClock, fmt: str, daily_key: str
) -> None:
    with Sandbox(USER_ID, API_KEY, clock=clock, daily_key=daily_key) as sandbox:
        node = NodeClient(USER_ID, API_KEY, endpoint=sandbox.url, response_format=fmt)
        node.set_server_snapshot_schedule(SERVER, daily_snapshot="yes", daily_snapshot_max_age=5)
        data = node.get_server_detail(SERVER)
        password = sandbox.root_password(SERVER)
    assert "root_password" not in data and password not in repr(data)
    assert "daiy_snapshots" not in data
    assert (data["daily_snapshots"], data["retain_daily_snapshots"]) == ("yes", 5)
    assert (data["weekly_snapshots"], data["retain_weekly_snapshots"]) == ("no", 0)
    assert data["server_status"] == "on"


# --- a restore --------------------------------------------------------------------------------


def plan_for(client: NodeClient, sandbox: Sandbox) -> Any:
    sandbox.add_snapshot("snap1", SERVER, created_at="2023-11-14 00:00:00", size_gb=1.0)
    return check_restore(client, SERVER, "snap1", client_ip_address=None)


def fast() -> Iterator[float]:
    return itertools.repeat(0.001)


def test_a_lost_reinstall_answer_with_the_server_reinstalling_is_waited_for(
    client: NodeClient, sandbox: Sandbox, clock: StillClock
) -> None:
    plan = plan_for(client, sandbox)
    sandbox.set_fault("reinstall_server", http_status=502, after=True, times=1)
    sandbox.set_fault("get_server_detail", body=_status_body("reinstall"), times=1)
    result = carry_out(client, plan, intervals=fast(), on_event=lambda e: None)
    assert result.status == "on"
    assert len(sandbox.calls("reinstall_server")) == 1 == len(sandbox.reinstalls())


def test_a_lost_reinstall_answer_with_the_server_on_is_uncertain(
    client: NodeClient, sandbox: Sandbox
) -> None:
    plan = plan_for(client, sandbox)
    sandbox.set_fault("reinstall_server", http_status=503)
    with pytest.raises(RestoreUncertainError) as caught:
        carry_out(client, plan, intervals=fast(), on_event=lambda e: None)
    assert caught.value.status == "on"
    assert "may or may not have started" in str(caught.value)
    assert len(sandbox.calls("reinstall_server")) == 1


def test_a_reinstall_never_sent_is_the_clients_error(client: NodeClient, sandbox: Sandbox) -> None:
    plan = plan_for(client, sandbox)
    url = sandbox.url
    sandbox.stop()  # nothing listens now: the connection is refused, so nothing was sent
    with NodeClient(USER_ID, API_KEY, endpoint=url, retries=0) as node:
        with pytest.raises(NodeTransportError) as caught:
            carry_out(node, plan, intervals=fast(), on_event=lambda e: None)
    assert not caught.value.may_have_reached_server


@pytest.mark.parametrize(
    ("fault", "attempts"),
    [
        ({"http_status": 503}, 1 + RETRIES),
        ({"latency": 1.0}, 1 + RETRIES),
        ({"body": b'{"code": "OK", "data": "on"}'}, 1),  # an odd answer is not retried
        ({"body": b"<html>Bad gateway</html>", "http_status": 502}, 1 + RETRIES),
    ],
)
def test_status_reads_that_fail_are_retried_until_the_server_is_on(
    client: NodeClient, sandbox: Sandbox, fault: dict[str, Any], attempts: int
) -> None:
    plan = plan_for(client, sandbox)
    events: list[RestoreEvent] = []
    # Every attempt of the first poll fails (the client's own retries included); then it clears.
    sandbox.set_fault("get_server_detail", times=attempts, **fault)
    result = carry_out(client, plan, intervals=fast(), on_event=events.append)
    assert result.status == "on" and result.polls == 2
    assert [e.kind for e in events] == ["started", "poll_failed", "status"]
    assert "trying again" in events[1].message


def test_status_reads_failing_to_the_deadline_are_a_timeout(
    client: NodeClient, sandbox: Sandbox
) -> None:
    plan = plan_for(client, sandbox)
    sandbox.set_fault("get_server_detail", body=b"not json")
    with pytest.raises(RestoreTimeoutError) as caught:
        carry_out(client, plan, timeout=0.05, intervals=fast(), on_event=lambda e: None)
    assert caught.value.status == "reinstall", "the reinstall's own answer"


def test_an_api_error_while_waiting_ends_the_wait(client: NodeClient, sandbox: Sandbox) -> None:
    plan = plan_for(client, sandbox)
    sandbox.set_fault("get_server_detail", error=("SERVER_NOT_FOUND", "Server 12345 not found."))
    with pytest.raises(RestoreWaitError) as caught:
        carry_out(client, plan, intervals=fast(), on_event=lambda e: None)
    assert "SERVER_NOT_FOUND" in str(caught.value) and "reinstalling" in str(caught.value)


def _status_body(status: str) -> bytes:
    return (
        '{"code": "OK", "message": "", "data": {"server_id": "12345", '
        f'"server_status": "{status}", "root_password": "{PASSWORD}"}}}}'
    ).encode()
