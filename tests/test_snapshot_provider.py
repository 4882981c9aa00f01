"""SnapshotProvider's methods, called directly, against the sandbox over real HTTP."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from node_pulumi import (
    NodeApiError,
    NodeConfigError,
    NodeDecodeError,
    NodeTransportError,
    SnapshotFailedError,
    SnapshotProvider,
    SnapshotTimeoutError,
    SnapshotUncertainError,
)
from node_pulumi._provider import UNKNOWN
from node_pulumi.sandbox import Sandbox

from .conftest import API_KEY, USER_ID
from .conftest import configured as configured_provider


@pytest.fixture
def slow_sandbox() -> Iterator[Sandbox]:
    """A sandbox whose snapshots stay processing for an hour."""
    with Sandbox(USER_ID, API_KEY, processing_seconds=3600) as server:
        yield server


@pytest.fixture
def instant_sandbox() -> Iterator[Sandbox]:
    """A sandbox whose snapshots are active as soon as they are created."""
    with Sandbox(USER_ID, API_KEY, processing_seconds=0) as server:
        yield server


def configured(sandbox: Sandbox, fmt: str = "json", **config: str) -> SnapshotProvider:
    """A provider that polls every 50 ms, configured for ``sandbox``."""
    return configured_provider(
        SnapshotProvider(poll_interval=0.05, poll_growth=0), sandbox, fmt, **config
    )


def props(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"server_id": "12345", "wait_until_active": False, "wait_timeout": 60}
    return {**base, **overrides}


# check -------------------------------------------------------------------------------------------


def test_check_accepts_good_inputs_without_credentials_or_calls(sandbox: Sandbox) -> None:
    result = SnapshotProvider().check({}, props(triggers=["v1", {"n": 1}]))
    assert result.failures == []
    assert result.inputs["server_id"] == "12345"
    assert sandbox.calls() == []


@pytest.mark.parametrize(
    ("inputs", "prop", "reason"),
    [
        (props(server_id="x" * 51), "server_id", "51 characters"),
        (props(server_id=""), "server_id", "non-empty"),
        (props(server_id=["a"]), "server_id", "non-empty string"),
        ({"wait_timeout": 5}, "server_id", "required"),
        (props(wait_timeout=0), "wait_timeout", "positive"),
        (props(wait_timeout=True), "wait_timeout", "positive"),
        (props(wait_until_active="yes"), "wait_until_active", "true or false"),
        (props(triggers=[float("nan")]), "triggers", "JSON"),
        (props(triggers=[object()]), "triggers", "JSON"),
    ],
)
def test_check_reports_bad_inputs(inputs: dict[str, Any], prop: str, reason: str) -> None:
    failures = SnapshotProvider().check({}, inputs).failures
    assert [f.property for f in failures] == [prop]
    assert reason in failures[0].reason


def test_check_takes_50_characters_and_numbers() -> None:
    assert SnapshotProvider().check({}, props(server_id="x" * 50)).failures == []
    result = SnapshotProvider().check({}, props(server_id=12345))
    assert result.failures == [] and result.inputs["server_id"] == "12345"


def test_check_lets_unknown_values_through_in_preview() -> None:
    unknown = props(server_id=UNKNOWN, triggers=[UNKNOWN], wait_timeout=UNKNOWN)
    assert SnapshotProvider().check({}, unknown).failures == []


# diff --------------------------------------------------------------------------------------------


def olds() -> dict[str, Any]:
    return {
        **props(triggers=["v1"]),
        "snapshot_id": "abc",
        "snapshot_status": "processing",
    }


@pytest.mark.parametrize(
    ("news", "replaces", "changes"),
    [
        (props(triggers=["v1"]), [], False),
        (props(triggers=["v2"]), ["triggers"], True),
        (props(), ["triggers"], True),
        (props(server_id="999", triggers=["v1"]), ["server_id"], True),
        (props(triggers=[UNKNOWN]), ["triggers"], True),
        (props(triggers=["v1"], wait_timeout=99), [], True),
        (props(triggers=["v1"], wait_until_active=True), [], True),
    ],
)
def test_diff(news: dict[str, Any], replaces: list[str], changes: bool) -> None:
    result = SnapshotProvider().diff("abc", olds(), news)
    assert result.replaces == replaces
    assert result.changes is changes


def test_update_keeps_every_output_and_calls_nothing(sandbox: Sandbox) -> None:
    provider = configured(sandbox)
    result = provider.update("abc", olds(), props(triggers=["v1"], wait_timeout=99))
    assert result.outs == {**olds(), "wait_timeout": 99}
    assert sandbox.calls() == []


# create ------------------------------------------------------------------------------------------


def test_create_without_waiting_makes_exactly_one_call(sandbox: Sandbox) -> None:
    result = configured(sandbox).create(props(triggers=["r1"]))
    (snapshot,) = sandbox.snapshots()
    assert result.id == snapshot["snapshot_id"]
    assert result.outs == {
        **props(triggers=["r1"]),
        "snapshot_id": snapshot["snapshot_id"],
        "snapshot_status": "processing",
    }
    assert [c.function for c in sandbox.calls()] == ["create_snapshot"]


def test_create_waits_until_active(sandbox: Sandbox, response_format: str) -> None:
    provider = configured(sandbox, response_format, **{"node:clientIpAddress": "203.0.113.7"})
    result = provider.create(props(wait_until_active=True))
    assert result.outs is not None
    assert result.outs["snapshot_status"] == "active"
    (snapshot,) = sandbox.snapshots()
    assert result.outs["snapshot_name"] == snapshot["snapshot_name"]
    assert result.outs["created_at"] == snapshot["snapshot_add_time"]
    assert result.outs["snapshot_size"] == snapshot["snapshot_size"]
    polls = sandbox.calls("get_snapshot_detail")
    assert polls and all(c.params["client_ip_address"] == "203.0.113.7" for c in polls)
    assert len(sandbox.calls("create_snapshot")) == 1


def test_create_deadline_names_the_snapshot(slow_sandbox: Sandbox) -> None:
    sandbox = slow_sandbox
    with pytest.raises(SnapshotTimeoutError) as caught:
        configured(sandbox).create(props(wait_until_active=True, wait_timeout=0.3))
    (snapshot,) = sandbox.snapshots()
    assert caught.value.snapshot_id == snapshot["snapshot_id"]
    assert snapshot["snapshot_id"] in str(caught.value)


def test_snapshot_deleted_while_waiting_fails_naming_it(slow_sandbox: Sandbox) -> None:
    sandbox = slow_sandbox
    sandbox.set_fault("get_snapshot_detail", error=("NOT_FOUND", "Snapshot not found."))
    with pytest.raises(Exception) as caught:
        configured(sandbox).create(props(wait_until_active=True))
    (snapshot,) = sandbox.snapshots()
    assert snapshot["snapshot_id"] in str(caught.value)
    assert "Snapshot not found." in str(caught.value)


def test_failure_status_while_waiting(slow_sandbox: Sandbox) -> None:
    slow_sandbox.set_fault(
        "get_snapshot_detail",
        body=b'{"code": "OK", "message": "", "data": {"snapshot_status": "deleted"}}',
    )
    with pytest.raises(SnapshotFailedError) as caught:
        configured(slow_sandbox).create(props(wait_until_active=True))
    (snapshot,) = slow_sandbox.snapshots()
    assert caught.value.status == "deleted"
    assert caught.value.snapshot_id == snapshot["snapshot_id"]


def test_create_api_error_carries_the_api_message(sandbox: Sandbox) -> None:
    sandbox.set_fault("create_snapshot", error=("SERVER_BUSY", "Server is being migrated."))
    with pytest.raises(NodeApiError, match="Server is being migrated"):
        configured(sandbox).create(props())
    assert sandbox.snapshots() == []


def test_lost_create_answer_is_not_retried_and_names_the_snapshot(sandbox: Sandbox) -> None:
    sandbox.set_fault("create_snapshot", http_status=503, after=True, times=1)
    provider = configured(sandbox, **{"node:clientIpAddress": "203.0.113.7"})
    with pytest.raises(SnapshotUncertainError) as caught:
        provider.create(props())
    assert len(sandbox.calls("create_snapshot")) == 1
    (snapshot,) = sandbox.snapshots()
    assert caught.value.candidates == [snapshot["snapshot_id"]]
    assert isinstance(caught.value.__cause__, NodeTransportError)
    assert "HTTP 503" in str(caught.value)
    assert "may have started a snapshot of server 12345" in str(caught.value)
    assert "processing just after the failure, outside Pulumi's state" in str(caught.value)
    assert str(snapshot["snapshot_id"]) in str(caught.value)


def test_lost_create_answer_without_a_new_snapshot_says_none_started(sandbox: Sandbox) -> None:
    sandbox.set_fault("create_snapshot", http_status=503, times=1)
    provider = configured(sandbox, **{"node:clientIpAddress": "203.0.113.7"})
    with pytest.raises(SnapshotUncertainError, match="none of its snapshots was processing"):
        provider.create(props())
    assert sandbox.snapshots() == []


def test_lost_create_answer_without_client_ip_asks_to_look(sandbox: Sandbox) -> None:
    sandbox.set_fault("create_snapshot", http_status=503, after=True, times=1)
    with pytest.raises(SnapshotUncertainError, match="look for it before rerunning"):
        configured(sandbox).create(props())
    assert sandbox.calls("get_snapshot_list") == []


def test_garbled_create_answer_is_uncertain_too(sandbox: Sandbox) -> None:
    sandbox.set_fault("create_snapshot", body=b"<html>proxy error</html>", after=True, times=1)
    provider = configured(sandbox, **{"node:clientIpAddress": "203.0.113.7"})
    with pytest.raises(SnapshotUncertainError) as caught:
        provider.create(props())
    (snapshot,) = sandbox.snapshots()
    assert caught.value.candidates == [snapshot["snapshot_id"]]
    assert isinstance(caught.value.__cause__, NodeDecodeError)


def test_ok_without_a_snapshot_id_is_uncertain(sandbox: Sandbox) -> None:
    sandbox.set_fault("create_snapshot", body=b'{"code": "OK", "message": "", "data": {}}')
    with pytest.raises(SnapshotUncertainError, match="no snapshot_id"):
        configured(sandbox).create(props())


def test_missing_credentials_fail_at_create_with_names(sandbox: Sandbox) -> None:
    with pytest.raises(NodeConfigError, match="NODE_USER_ID"):
        SnapshotProvider().create(props())
    assert sandbox.calls() == []


def test_credentials_from_the_environment(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NODE_USER_ID", USER_ID)
    monkeypatch.setenv("NODE_API_KEY", API_KEY)
    monkeypatch.setenv("NODE_ENDPOINT", sandbox.url)
    result = SnapshotProvider().create(props())
    assert result.id == sandbox.snapshots()[0]["snapshot_id"]


# read and delete ---------------------------------------------------------------------------------


def test_read_refreshes_from_the_api(instant_sandbox: Sandbox, response_format: str) -> None:
    sandbox = instant_sandbox
    provider = configured(sandbox, response_format)
    created = provider.create(props(triggers=["t"]))
    assert created.outs is not None
    result = provider.read(created.id, created.outs)
    assert result.id == created.id
    assert result.outs is not None and result.outs["snapshot_status"] == "active"
    assert result.outs["triggers"] == ["t"]
    assert result.inputs == props(triggers=["t"])


def test_read_adopts_from_inputs_alone(sandbox: Sandbox) -> None:
    provider = configured(sandbox)
    snapshot_id = provider.create(props(server_id="555")).id
    result = provider.read(snapshot_id, {})
    assert result.outs is not None and result.outs["server_id"] == "555"
    assert result.outs["snapshot_id"] == snapshot_id


def test_read_of_a_deleted_or_unknown_snapshot_leaves_state(sandbox: Sandbox) -> None:
    provider = configured(sandbox)
    created = provider.create(props())
    sandbox.delete_snapshot_behind_back(created.id)
    assert provider.read(created.id, created.outs or {}).id == ""
    assert provider.read("nosuchsnapshot", {}).id == ""


def test_read_surfaces_other_api_errors(sandbox: Sandbox) -> None:
    sandbox.set_fault("get_snapshot_detail", error=("INVALID_CHECKSUM", "Bad checksum."))
    with pytest.raises(NodeApiError, match="Bad checksum"):
        configured(sandbox).read("abc", {})


def test_delete(sandbox: Sandbox, response_format: str) -> None:
    provider = configured(sandbox, response_format)
    created = provider.create(props())
    provider.delete(created.id, created.outs or {})
    assert sandbox.snapshots()[0]["snapshot_status"] == "deleted"
    provider.delete(created.id, created.outs or {})  # already deleted: still fine
    provider.delete("nosuchsnapshot", {})


def test_delete_raises_real_failures(sandbox: Sandbox) -> None:
    provider = configured(sandbox)
    created = provider.create(props())
    sandbox.set_fault("delete_snapshot", error=("LOCKED", "Snapshot is locked."))
    with pytest.raises(NodeApiError, match="locked"):
        provider.delete(created.id, created.outs or {})
    assert sandbox.snapshots()[0]["snapshot_status"] != "deleted"


def test_polls_start_at_the_interval_then_grow_with_the_time_waited() -> None:
    intervals = SnapshotProvider().poll_intervals()
    waits = [next(intervals) for _ in range(40)]
    assert waits[:5] == [1.0, 1.0, 1.0, 1.0, 1.0]
    assert waits[5] == 1.25
    assert max(waits) == 60.0
    assert all(b >= a for a, b in itertools.pairwise(waits))
    # A snapshot that takes an hour is polled about 80 times.
    total, polls = 0.0, 0
    for wait in SnapshotProvider().poll_intervals():
        total, polls = total + wait, polls + 1
        if total >= 3600:
            break
    assert polls < 100


# pickling ----------------------------------------------------------------------------------------


def test_configured_provider_pickles_small_and_without_the_key(sandbox: Sandbox) -> None:
    provider = configured(sandbox)
    provider.create(props())
    pickled = base64.b64decode(serialize_provider(provider))
    assert API_KEY.encode() not in pickled
    assert b"node:apiKey" not in pickled
    assert len(pickled) < 400
    assert (
        base64.b64decode(serialize_provider(SnapshotProvider(poll_interval=0.05, poll_growth=0)))
        == pickled
    )
