"""The restore operation (node_pulumi._core.restore) and `node_pulumi.restore_server` against the
sandbox over loopback, in both formats.

The sandbox's clock stands still; the test moves it past the reinstall time from the restore's
own status events, so the wait sees ``reinstall`` exactly as often as the test says, then
``on``. The sandbox's record of reinstalls proves which snapshot a server was restored from; its
call log proves that no reinstall_server call happens where none should.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import node_pulumi as node
from node_pulumi import (
    NodeApiError,
    NodeClient,
    NodeConfigError,
    RestoreCancelledError,
    RestoreEvent,
    RestoreFailedError,
    RestoreRefusedError,
    RestoreTimeoutError,
    Settings,
)
from node_pulumi._core.restore import carry_out, check_restore, latest_snapshot
from node_pulumi.sandbox import Sandbox

from .clock import StillClock
from .conftest import API_KEY, USER_ID

REINSTALL_SECONDS = 600.0
PROCESSING_SECONDS = 60.0
pytestmark = pytest.mark.sandbox(
    processing_seconds=PROCESSING_SECONDS, reinstall_seconds=REINSTALL_SECONDS
)
IP = "203.0.113.7"
SERVER = "12345"


class Reinstaller:
    """An `on_event` callback that records events and moves the sandbox's clock past the
    reinstall once the restore has polled ``after`` times (never, with None)."""

    def __init__(self, clock: StillClock, after: int | None = 2) -> None:
        self.clock = clock
        self.after = after
        self.events: list[RestoreEvent] = []

    def __call__(self, event: RestoreEvent) -> None:
        self.events.append(event)
        if event.kind == "status" and event.polls == self.after:
            self.clock.now += REINSTALL_SECONDS

    def statuses(self) -> list[str | None]:
        return [e.status for e in self.events if e.kind == "status"]


@pytest.fixture
def client(sandbox: Sandbox, response_format: str) -> Iterator[NodeClient]:
    with NodeClient(
        USER_ID, API_KEY, endpoint=sandbox.url, response_format=response_format, backoff=0
    ) as made:
        yield made


def snapshot(client: NodeClient, clock: StillClock, server_id: str = SERVER) -> str:
    """A new snapshot of ``server_id``, active."""
    snapshot_id = str(client.create_snapshot(server_id)["snapshot_id"])
    clock.now += PROCESSING_SECONDS
    return snapshot_id


def fast() -> Iterator[float]:
    return itertools.repeat(0.001)


def restore(client: NodeClient, snapshot_id: str, events: Reinstaller, **kw: Any) -> Any:
    allow = kw.pop("allow_other_server", False)
    plan = check_restore(
        client,
        kw.pop("server_id", SERVER),
        snapshot_id,
        client_ip_address=IP,
        allow_other_server=allow,
        on_event=events,
    )
    return carry_out(client, plan, intervals=fast(), on_event=events, **kw)


def test_a_restore_waits_until_the_server_is_on(
    client: NodeClient, sandbox: Sandbox, clock: StillClock
) -> None:
    snapshot_id = snapshot(client, clock)
    sandbox.clear_calls()
    events = Reinstaller(clock, after=2)
    result = restore(client, snapshot_id, events)
    assert events.statuses() == ["reinstall", "reinstall", "on"]
    assert [e.kind for e in events.events] == ["started", "status", "status", "status"]
    assert (result.server_id, result.snapshot_id, result.status, result.polls) == (
        SERVER,
        snapshot_id,
        "on",
        3,
    )
    assert result.snapshot_taken_at == "2023-11-14 22:13:20"
    assert [r["snapshot_id"] for r in sandbox.reinstalls(SERVER)] == [snapshot_id]
    assert [c.function for c in sandbox.calls()] == [
        "get_server_detail",
        "get_snapshot_detail",
        "reinstall_server",
        "get_server_detail",
        "get_server_detail",
        "get_server_detail",
    ]
    assert sandbox.calls("reinstall_server")[0].params["install_source"] == "snapshot"


def test_the_latest_active_snapshot_of_the_server_is_found(
    client: NodeClient, sandbox: Sandbox, clock: StillClock
) -> None:
    older = snapshot(client, clock)
    newest = snapshot(client, clock)
    snapshot(client, clock, server_id="67890")  # newer, of another server
    deleted = snapshot(client, clock)
    client.delete_snapshot(deleted)  # newer, deleted
    client.create_snapshot(SERVER)  # newer, still processing
    found = latest_snapshot(client, SERVER, client_ip_address=IP)
    assert found["snapshot_id"] == newest != older


def test_latest_needs_a_client_ip_address_and_an_active_snapshot(
    client: NodeClient, sandbox: Sandbox
) -> None:
    with pytest.raises(NodeConfigError, match="NODE_CLIENT_IP_ADDRESS"):
        latest_snapshot(client, SERVER, client_ip_address=None)
    with pytest.raises(RestoreRefusedError) as caught:
        latest_snapshot(client, SERVER, client_ip_address=IP)
    assert caught.value.reason == "no_active_snapshot"


@pytest.mark.parametrize(
    ("state", "reason", "words"),
    [
        ("processing", "snapshot_not_active", "is 'processing', not 'active'"),
        ("deleted", "snapshot_not_active", "is 'deleted', not 'active'"),
        ("missing", "snapshot_missing", "does not exist"),
        ("other", "other_server", "--allow-other-server"),
    ],
)
def test_a_snapshot_that_cannot_be_restored_is_refused_before_any_reinstall(
    client: NodeClient, sandbox: Sandbox, clock: StillClock, state: str, reason: str, words: str
) -> None:
    if state == "processing":
        snapshot_id = str(client.create_snapshot(SERVER)["snapshot_id"])
    elif state == "deleted":
        snapshot_id = snapshot(client, clock)
        client.delete_snapshot(snapshot_id)
    elif state == "other":
        snapshot_id = snapshot(client, clock, server_id="67890")
    else:
        snapshot_id = "nosuchsnapshot"
    with pytest.raises(RestoreRefusedError) as caught:
        restore(client, snapshot_id, Reinstaller(clock))
    error = caught.value
    assert (error.reason, error.server_id, error.snapshot_id) == (reason, SERVER, snapshot_id)
    assert words in str(error) and "nothing changed" in str(error)
    assert sandbox.calls("reinstall_server") == []


def test_a_snapshot_of_another_server_is_restored_when_allowed_with_a_warning(
    client: NodeClient, sandbox: Sandbox, clock: StillClock
) -> None:
    snapshot_id = snapshot(client, clock, server_id="67890")
    events = Reinstaller(clock, after=1)
    restore(client, snapshot_id, events, allow_other_server=True)
    (warning,) = [e for e in events.events if e.kind == "warning"]
    assert "taken of server 67890, not of server 12345" in warning.message
    assert events.events[0] is warning, "said before anything changes"
    assert [r["snapshot_id"] for r in sandbox.reinstalls(SERVER)] == [snapshot_id]


def test_a_server_reinstalling_already_or_unknown_is_refused(
    client: NodeClient, sandbox: Sandbox, clock: StillClock
) -> None:
    snapshot_id = snapshot(client, clock)
    client.reinstall_server(SERVER, "snapshot", snapshot_id=snapshot_id)
    with pytest.raises(RestoreRefusedError) as busy:
        restore(client, snapshot_id, Reinstaller(clock))
    assert (busy.value.reason, busy.value.status) == ("server_busy", "reinstall")
    with pytest.raises(RestoreRefusedError) as unknown:
        restore(client, snapshot_id, Reinstaller(clock), server_id="4040")
    assert unknown.value.reason == "server_missing"
    assert len(sandbox.calls("reinstall_server")) == 1, "only the test's own"


def test_refused_credentials_are_the_clients_error_and_nothing_is_reinstalled(
    sandbox: Sandbox, clock: StillClock
) -> None:
    with NodeClient(USER_ID, "wrong-key", endpoint=sandbox.url) as wrong:
        with pytest.raises(NodeApiError) as caught:
            restore(wrong, "anysnapshot", Reinstaller(clock))
    assert caught.value.is_credentials_error and caught.value.code == "INVALID_CHECKSUM"
    assert sandbox.calls("reinstall_server") == []


def test_the_api_refusing_the_reinstall_changes_nothing(
    client: NodeClient, sandbox: Sandbox, clock: StillClock
) -> None:
    snapshot_id = snapshot(client, clock)
    sandbox.set_fault("reinstall_server", error=("PACKAGE_TOO_SMALL", "Package too small."))
    with pytest.raises(RestoreRefusedError) as caught:
        restore(client, snapshot_id, Reinstaller(clock))
    assert caught.value.reason == "api_refused"
    assert "PACKAGE_TOO_SMALL" in str(caught.value)
    assert sandbox.reinstalls() == []


def test_a_server_not_on_by_the_deadline_is_a_timeout_naming_what_to_check(
    client: NodeClient, sandbox: Sandbox, clock: StillClock
) -> None:
    snapshot_id = snapshot(client, clock)
    events = Reinstaller(clock, after=None)
    with pytest.raises(RestoreTimeoutError) as caught:
        restore(client, snapshot_id, events, timeout=0.05)
    error = caught.value
    assert (error.status, error.timeout, error.snapshot_id) == ("reinstall", 0.05, snapshot_id)
    assert "still 'reinstall' 0.05s after" in str(error)
    assert "node.co.id panel" in str(error) and "do not restore again" in str(error)
    assert set(events.statuses()) == {"reinstall"}
    assert len(sandbox.calls("reinstall_server")) == 1


def _detail_answer(status: str, fmt: str) -> bytes:
    """A get_server_detail answer with this status, in the format the client asks for."""
    if fmt == "xml":
        return (
            '<?xml version="1.0"?>\n<code>OK</code><message></message><data>'
            f"<server_id>12345</server_id><server_status>{status}</server_status>"
            "<root_password>pw-in-a-fault</root_password></data>"
        ).encode()
    return (
        '{"code": "OK", "message": "", "data": {"server_id": "12345", "server_status": '
        f'"{status}", "root_password": "pw-in-a-fault"}}}}'
    ).encode()


def test_a_server_left_off_times_out_with_advice_to_turn_it_on(
    client: NodeClient, sandbox: Sandbox, clock: StillClock
) -> None:
    snapshot_id = snapshot(client, clock)
    plan = check_restore(client, SERVER, snapshot_id, client_ip_address=IP)
    sandbox.set_fault("get_server_detail", body=_detail_answer("off", client.response_format))
    with pytest.raises(RestoreTimeoutError) as caught:
        # a second of fast polls: time for one to see "off" on a loaded machine (xdist)
        carry_out(client, plan, timeout=1.0, intervals=fast(), on_event=Reinstaller(clock))
    assert caught.value.status == "off" and "turn it on" in str(caught.value)


def test_a_server_suspended_while_waiting_ends_the_wait(
    client: NodeClient, sandbox: Sandbox, clock: StillClock
) -> None:
    snapshot_id = snapshot(client, clock)
    plan = check_restore(client, SERVER, snapshot_id, client_ip_address=IP)
    sandbox.set_fault("get_server_detail", body=_detail_answer("suspended", client.response_format))
    with pytest.raises(RestoreFailedError) as caught:
        carry_out(client, plan, intervals=fast(), on_event=Reinstaller(clock))
    assert caught.value.status == "suspended"
    assert "pw-in-a-fault" not in str(caught.value)


def test_cancelling_stops_the_wait_and_says_the_reinstall_goes_on(
    client: NodeClient, sandbox: Sandbox, clock: StillClock
) -> None:
    snapshot_id = snapshot(client, clock)
    plan = check_restore(client, SERVER, snapshot_id, client_ip_address=IP)
    cancel = threading.Event()

    def on_event(event: RestoreEvent) -> None:
        if event.kind == "status":
            cancel.set()

    with pytest.raises(RestoreCancelledError) as caught:
        carry_out(client, plan, intervals=fast(), cancel=cancel, on_event=on_event)
    assert caught.value.started and caught.value.status == "reinstall"
    assert "goes on" in str(caught.value)
    assert len(sandbox.calls("get_server_detail")) == 2, "the check's and one poll"


def test_cancelled_before_the_reinstall_changes_nothing(
    client: NodeClient, sandbox: Sandbox, clock: StillClock
) -> None:
    snapshot_id = snapshot(client, clock)
    plan = check_restore(client, SERVER, snapshot_id, client_ip_address=IP)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(RestoreCancelledError) as caught:
        carry_out(client, plan, intervals=fast(), cancel=cancel)
    assert not caught.value.started and "nothing changed" in str(caught.value)
    assert sandbox.calls("reinstall_server") == []


def test_the_public_function_reads_the_environment_and_logs_no_credential(
    clock: StillClock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A reinstall that takes no time: the first poll sees the server on, with no clock moved.
    with Sandbox(USER_ID, API_KEY, clock=clock, reinstall_seconds=0) as sandbox:
        monkeypatch.setenv("NODE_USER_ID", USER_ID)
        monkeypatch.setenv("NODE_API_KEY", API_KEY)
        monkeypatch.setenv("NODE_ENDPOINT", sandbox.url)
        with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as setup:
            snapshot_id = snapshot(setup, clock)
        with caplog.at_level(logging.INFO, logger="node_pulumi.restore"):
            result = node.restore_server(SERVER, snapshot_id, poll_interval=0.001, timeout=30)
        assert result.status == "on" and result.snapshot_id == snapshot_id
        assert [r["snapshot_id"] for r in sandbox.reinstalls(SERVER)] == [snapshot_id]
        password = sandbox.root_password(SERVER)
    assert "reinstall of server 12345 from snapshot" in caplog.text
    assert "server 12345: on" in caplog.text
    for text in (caplog.text, repr(result)):
        assert API_KEY not in text and password not in text


def test_the_public_function_takes_settings(sandbox: Sandbox, clock: StillClock) -> None:
    settings = Settings(USER_ID, API_KEY, sandbox.url, "xml", 20.0, IP)
    with settings.client() as setup:
        snapshot_id = snapshot(setup, clock)
    events = Reinstaller(clock, after=1)
    result = node.restore_server(
        SERVER, snapshot_id, settings=settings, poll_interval=0.001, on_event=events, timeout=30
    )
    assert result.polls == 2
    assert all(c.format == "xml" for c in sandbox.calls())
