"""The core operations both front doors call, against the sandbox over real HTTP (JSON and XML)."""

from __future__ import annotations

import itertools
import socket

import pytest

from node_pulumi import (
    NodeApiError,
    NodeClient,
    NodeConfigError,
    NodeTransportError,
    SnapshotNotFoundError,
    SnapshotUncertainError,
)
from node_pulumi._core.drivers import Polling, take_snapshot
from node_pulumi._core.listing import list_snapshots
from node_pulumi._core.outputs import snapshot_outputs
from node_pulumi._core.schedule import clear_schedule, set_schedule
from node_pulumi._core.snapshots import (
    delete_snapshot,
    read_snapshot,
    require_snapshot,
    start_snapshot,
)
from node_pulumi.sandbox import NOT_FOUND, SERVER_NOT_FOUND, Sandbox

from .clock import StillClock
from .conftest import API_KEY, USER_ID

IP = "203.0.113.7"


def _client(sandbox: Sandbox) -> NodeClient:
    return NodeClient(USER_ID, API_KEY, endpoint=sandbox.url, backoff=0)


# start_snapshot / take_snapshot ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("waiting", "suffix"), [(False, ""), (True, "; waiting for it to become active")]
)
def test_start_sends_one_create_and_names_the_snapshot(
    client: NodeClient, sandbox: Sandbox, waiting: bool, suffix: str
) -> None:
    lines: list[str] = []
    created = start_snapshot(
        client, "42", client_ip_address=IP, notify=lines.append, waiting=waiting
    )
    (stored,) = sandbox.snapshots()
    assert created["snapshot_id"] == stored["snapshot_id"]
    assert created["snapshot_status"] == "processing"
    assert lines == [f"node: snapshot {created['snapshot_id']} of server 42 created{suffix}"]
    assert [c.function for c in sandbox.calls()] == ["create_snapshot"]


def test_a_lost_create_answer_is_looked_up_not_retried(held_sandbox: Sandbox) -> None:
    sandbox = held_sandbox  # the lost snapshot is still processing when it is looked up
    sandbox.set_fault("create_snapshot", http_status=503, after=True, times=1)
    lines: list[str] = []
    with _client(sandbox) as client, pytest.raises(SnapshotUncertainError) as raised:
        start_snapshot(client, "777", client_ip_address=IP, notify=lines.append)
    (stored,) = sandbox.snapshots()
    assert raised.value.candidates == [stored["snapshot_id"]]
    assert raised.value.server_id == "777"
    assert [c.function for c in sandbox.calls()] == ["create_snapshot", "get_snapshot_list"]
    assert len(lines) == 1 and "a snapshot may have been started" in lines[0]


def test_a_create_that_certainly_never_arrived_raises_as_is() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    lines: list[str] = []
    client = NodeClient(USER_ID, API_KEY, endpoint=f"http://127.0.0.1:{port}/", retries=0)
    with client, pytest.raises(NodeTransportError) as raised:
        start_snapshot(client, "42", client_ip_address=IP, notify=lines.append)
    assert raised.value.may_have_reached_server is False
    assert lines == []


def test_take_waits_until_active_and_merges_the_details(sandbox: Sandbox) -> None:
    lines: list[str] = []
    with _client(sandbox) as client:
        details = take_snapshot(
            Polling(client, IP, itertools.repeat(0.001), lines.append),
            "12345",
            wait=True,
            timeout=30,
        )
    assert details["snapshot_status"] == "active"
    assert details["snapshot_name"] == f"manual-{details['snapshot_id']}"
    assert [c.function for c in sandbox.calls()] == [
        "create_snapshot",
        "get_snapshot_detail",
    ]
    assert sandbox.calls("get_snapshot_detail")[0].params["client_ip_address"] == IP
    assert lines[0].endswith("created; waiting for it to become active")


# read / require / delete -------------------------------------------------------------------------


def test_read_and_require_return_a_snapshots_details(client: NodeClient, sandbox: Sandbox) -> None:
    snapshot_id = client.create_snapshot("12")["snapshot_id"]
    for details in (
        read_snapshot(client, snapshot_id, IP),
        require_snapshot(client, snapshot_id, IP),
    ):
        assert details is not None
        assert (details["snapshot_id"], details["server_id"]) == (snapshot_id, "12")
    assert {c.params["client_ip_address"] for c in sandbox.calls("get_snapshot_detail")} == {IP}


def test_an_unknown_snapshot_is_gone(client: NodeClient, sandbox: Sandbox) -> None:
    assert read_snapshot(client, "nosuchsnapshot", None) is None
    with pytest.raises(SnapshotNotFoundError) as raised:
        require_snapshot(client, "nosuchsnapshot", None)
    assert raised.value.snapshot_id == "nosuchsnapshot"
    assert isinstance(raised.value.__cause__, NodeApiError)
    assert [c.code for c in sandbox.calls("get_snapshot_detail")] == [NOT_FOUND, NOT_FOUND]


def test_a_deleted_snapshot_is_gone(client: NodeClient, sandbox: Sandbox) -> None:
    snapshot_id = client.create_snapshot("12")["snapshot_id"]
    sandbox.delete_snapshot_behind_back(snapshot_id)
    assert read_snapshot(client, snapshot_id, None) is None
    with pytest.raises(SnapshotNotFoundError, match="the API reports it deleted"):
        require_snapshot(client, snapshot_id, None)


def test_read_and_require_raise_other_api_errors(client: NodeClient, sandbox: Sandbox) -> None:
    sandbox.set_fault("get_snapshot_detail", error=("E_BUSY", "Try later."))
    with pytest.raises(NodeApiError, match="E_BUSY"):
        read_snapshot(client, "abc", None)
    with pytest.raises(NodeApiError, match="E_BUSY"):
        require_snapshot(client, "abc", None)


def test_delete_deletes_and_a_gone_snapshot_counts_as_deleted(
    client: NodeClient, sandbox: Sandbox
) -> None:
    snapshot_id = client.create_snapshot("12")["snapshot_id"]
    delete_snapshot(client, snapshot_id)
    (stored,) = sandbox.snapshots()
    assert stored["snapshot_status"] == "deleted"
    delete_snapshot(client, "nosuchsnapshot")
    assert [c.code for c in sandbox.calls("delete_snapshot")] == ["OK", NOT_FOUND]


def test_delete_raises_other_api_errors(client: NodeClient, sandbox: Sandbox) -> None:
    sandbox.set_fault("delete_snapshot", error=("E_LOCKED", "Snapshot is locked."))
    with pytest.raises(NodeApiError) as raised:
        delete_snapshot(client, "abc")
    assert raised.value.code == "E_LOCKED"


# schedules ---------------------------------------------------------------------------------------


def test_set_schedule_returns_the_confirmed_ages(client: NodeClient, sandbox: Sandbox) -> None:
    confirmed = set_schedule(client, "2001", {"daily": 7, "weekly": None, "monthly": 0})
    assert confirmed == {"server_id": "2001", "daily": 7, "weekly": None, "monthly": None}
    (call,) = sandbox.calls("set_server_snapshot_schedule")
    assert {k: v for k, v in call.params.items() if "snapshot" in k} == {
        "daily_snapshot": "yes",
        "daily_snapshot_max_age": "7",
        "weekly_snapshot": "no",
        "monthly_snapshot": "no",
    }
    (stored,) = sandbox.schedules()
    assert (stored["daily_snapshot"], stored["weekly_snapshot"]) == ("yes", "no")


def test_a_cycle_the_api_says_is_off_has_no_age_whatever_age_it_echoes(sandbox: Sandbox) -> None:
    """The sandbox echoes age 0 for an off cycle; an API echoing the old age must not turn it on."""
    sandbox.set_fault(
        "set_server_snapshot_schedule",
        body=b'{"code": "OK", "message": "", "data": {"server_id": "2001", '
        b'"daily_snapshot": "no", "daily_snapshot_max_age": 7, '
        b'"weekly_snapshot": "yes", "weekly_snapshot_max_age": "2"}}',
    )
    with _client(sandbox) as client:
        confirmed = set_schedule(client, "2001", {"weekly": 2})
    assert confirmed == {"server_id": "2001", "daily": None, "weekly": 2, "monthly": None}


def test_clear_schedule_turns_every_cycle_off(client: NodeClient, sandbox: Sandbox) -> None:
    set_schedule(client, "2001", {"daily": 7, "weekly": 2, "monthly": 1})
    clear_schedule(client, "2001")
    (stored,) = sandbox.schedules()
    assert [stored[f"{c}_snapshot"] for c in ("daily", "weekly", "monthly")] == ["no"] * 3


def test_clearing_the_schedule_of_a_server_the_api_no_longer_knows_is_done() -> None:
    with Sandbox(USER_ID, API_KEY, servers=["12"]) as sandbox, _client(sandbox) as client:
        clear_schedule(client, "1")
        (call,) = sandbox.calls("set_server_snapshot_schedule")
        assert call.code == SERVER_NOT_FOUND
        with pytest.raises(NodeApiError, match=SERVER_NOT_FOUND):
            set_schedule(client, "1", {"daily": 7})


def test_clear_schedule_raises_other_api_errors(client: NodeClient, sandbox: Sandbox) -> None:
    sandbox.set_fault("set_server_snapshot_schedule", error=("BUSY", "try later"))
    with pytest.raises(NodeApiError, match="BUSY"):
        clear_schedule(client, "12")


# list_snapshots ----------------------------------------------------------------------------------


def test_list_passes_the_filters_and_walks_every_page(response_format: str) -> None:
    """The sandbox's clock stands still: all 101 snapshots are still processing when listed."""
    with (
        Sandbox(USER_ID, API_KEY, processing_seconds=0.3, clock=StillClock()) as sandbox,
        NodeClient(
            USER_ID, API_KEY, endpoint=sandbox.url, response_format=response_format, backoff=0
        ) as client,
    ):
        _list_every_page(client, sandbox)


def _list_every_page(client: NodeClient, sandbox: Sandbox) -> None:
    ours = [client.create_snapshot("12345")["snapshot_id"] for _ in range(101)]
    client.create_snapshot("67890")
    sandbox.clear_calls()
    records = list_snapshots(
        client, client_ip_address=IP, server_id="12345", status="processing", cycle="manual"
    )
    assert sorted(r["snapshot_id"] for r in records) == sorted(ours)
    pages = sandbox.calls("get_snapshot_list")
    assert [c.params["page"] for c in pages] == ["1", "2"]
    assert {
        (c.params["client_ip_address"], c.params["snapshot_status"], c.params["snapshot_cycle"])
        for c in pages
    } == {(IP, "processing", "manual")}


def test_list_needs_a_client_ip_address_before_any_call(
    client: NodeClient, sandbox: Sandbox
) -> None:
    with pytest.raises(NodeConfigError, match="node:clientIpAddress"):
        list_snapshots(client, client_ip_address=None, server_id=None, status="all", cycle="all")
    assert sandbox.calls() == []


# outputs -----------------------------------------------------------------------------------------


def test_snapshot_outputs_hold_the_inputs_and_what_the_api_reported() -> None:
    details = {
        "snapshot_id": "s1",
        "server_id": "12",
        "snapshot_status": "active",
        "snapshot_name": "manual-s1",
        "snapshot_size": 2.5,
        "snapshot_add_time": "2026-01-02 03:04:05",
        "snapshot_url": "https://sandbox.invalid/s1.img",
    }
    inputs = {"server_id": "12", "triggers": ["v1"], "wait_until_active": False}
    assert snapshot_outputs(inputs, details) == {
        "server_id": "12",
        "wait_until_active": False,
        "wait_timeout": 1800.0,
        "snapshot_id": "s1",
        "snapshot_status": "active",
        "snapshot_name": "manual-s1",
        "snapshot_size": 2.5,
        "created_at": "2026-01-02 03:04:05",
        "triggers": ["v1"],
    }
    sparse = snapshot_outputs({"server_id": "12"}, {"snapshot_id": "s2"})
    assert sparse == {
        "server_id": "12",
        "wait_until_active": True,
        "wait_timeout": 1800.0,
        "snapshot_id": "s2",
    }
