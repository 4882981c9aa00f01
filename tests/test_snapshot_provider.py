"""SnapshotProvider's methods, called directly, against the sandbox over real HTTP."""

from __future__ import annotations

import base64
import itertools
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from node_pulumi import (
    NodeApiError,
    NodeConfigError,
    NodeDecodeError,
    NodeTransportError,
    SnapshotFailedError,
    SnapshotNotFoundError,
    SnapshotProvider,
    SnapshotTimeoutError,
    SnapshotUncertainError,
    SnapshotWaitError,
)
from node_pulumi._core.inputs import is_unknown
from node_pulumi.sandbox import Sandbox

from .conftest import API_KEY, USER_ID
from .conftest import configured as configured_provider
from .wire import UNKNOWN, from_wire


def configured(sandbox: Sandbox, fmt: str = "json", **config: str) -> SnapshotProvider:
    """A provider that polls every 50 ms, configured for ``sandbox``."""
    return configured_provider(
        SnapshotProvider(poll_interval=0.05, poll_growth=0), sandbox, fmt, **config
    )


def props(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"server_id": "12345", "wait_until_active": False, "wait_timeout": 60}
    return {**base, **overrides}


# check -------------------------------------------------------------------------------------------


def test_check_accepts_good_inputs_without_any_call(sandbox: Sandbox) -> None:
    result = configured(sandbox).check({}, props(triggers=["v1", {"n": 1}]))
    assert result.failures == []
    assert result.inputs["server_id"] == "12345"
    assert sandbox.calls() == []


@pytest.mark.parametrize(
    ("inputs", "prop", "reason"),
    [
        (props(server_id="x" * 51), "server_id", "51 characters"),
        (props(server_id=""), "server_id", "non-empty"),
        (props(server_id=["a"]), "server_id", "non-empty string"),
        (props(server_id=True), "server_id", "non-empty string: True"),
        ({"wait_timeout": 5}, "server_id", "required"),
        (props(wait_timeout=0), "wait_timeout", "positive"),
        (props(wait_timeout=True), "wait_timeout", "positive"),
        (props(wait_until_active="yes"), "wait_until_active", "true or false"),
        (props(triggers=[float("nan")]), "triggers", "JSON"),
        (props(triggers=[object()]), "triggers", "JSON"),
        (props(triggers=[UNKNOWN, object()]), "triggers", "JSON"),
    ],
)
def test_check_reports_bad_inputs(inputs: dict[str, Any], prop: str, reason: str) -> None:
    failures = SnapshotProvider().check({}, inputs).failures
    assert [f.property for f in failures] == [prop]
    assert reason in failures[0].reason


def test_check_takes_50_characters() -> None:
    assert SnapshotProvider().check({}, props(server_id="x" * 50)).failures == []


def test_check_turns_whole_numbers_from_the_wire_into_server_ids() -> None:
    result = SnapshotProvider().check({}, from_wire(**props(server_id=2001)))
    assert result.failures == []
    assert result.inputs["server_id"] == "2001"


@pytest.mark.parametrize(
    ("inputs", "prop", "shown"),
    [
        (props(server_id=2001.5), "server_id", "a string or a whole number: 2001.5"),
        (props(server_id=float("inf")), "server_id", "a string or a whole number: inf"),
        (props(server_id=float("nan")), "server_id", "a string or a whole number: nan"),
        (props(wait_timeout=-5), "wait_timeout", "positive number of seconds: -5"),
        (props(wait_until_active=2), "wait_until_active", "true or false: 2"),
        (props(server_id=[7]), "server_id", "non-empty string: [7]"),
    ],
)
def test_check_messages_show_numbers_as_written(
    inputs: dict[str, Any], prop: str, shown: str
) -> None:
    (failure,) = SnapshotProvider().check({}, from_wire(**inputs)).failures
    assert failure.property == prop
    assert failure.reason.endswith(shown)


def test_check_lets_values_unknown_in_preview_through_at_any_depth(sandbox: Sandbox) -> None:
    inputs = from_wire(
        server_id=UNKNOWN,
        triggers=["v1", UNKNOWN, {"deep": [UNKNOWN]}],
        wait_until_active=UNKNOWN,
        wait_timeout=UNKNOWN,
    )
    result = configured(sandbox).check({}, inputs)
    assert result.failures == []
    assert is_unknown(result.inputs["server_id"])
    assert is_unknown(result.inputs["triggers"][2]["deep"][0])
    assert sandbox.calls() == []


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
        (from_wire(**props(triggers=["v1"])), [], False),
        (props(triggers=["v2"]), ["triggers"], True),
        (props(), ["triggers"], True),
        (props(server_id="999", triggers=["v1"]), ["server_id"], True),
        (props(triggers=["v1"], wait_timeout=99), [], True),
        (props(triggers=["v1"], wait_until_active=True), [], True),
        (from_wire(**props(triggers=[UNKNOWN])), ["triggers"], True),
        (from_wire(**props(triggers=[{"deep": [UNKNOWN]}])), ["triggers"], True),
        (from_wire(**props(server_id=UNKNOWN, triggers=["v1"])), ["server_id"], True),
        (from_wire(**props(triggers=["v1"], wait_timeout=UNKNOWN)), [], True),
        (from_wire(**props(triggers=["v1"], wait_until_active=UNKNOWN)), [], True),
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


def test_create_deadline_names_the_snapshot(held_sandbox: Sandbox) -> None:
    sandbox = held_sandbox
    with pytest.raises(SnapshotTimeoutError) as caught:
        configured(sandbox).create(props(wait_until_active=True, wait_timeout=0.3))
    (snapshot,) = sandbox.snapshots()
    assert caught.value.snapshot_id == snapshot["snapshot_id"]
    assert snapshot["snapshot_id"] in str(caught.value)


def test_snapshot_deleted_while_waiting_fails_naming_it(held_sandbox: Sandbox) -> None:
    sandbox = held_sandbox
    sandbox.set_fault("get_snapshot_detail", error=("NOT_FOUND", "Snapshot not found."))
    with pytest.raises(SnapshotWaitError) as caught:
        configured(sandbox).create(props(wait_until_active=True))
    (snapshot,) = sandbox.snapshots()
    assert caught.value.snapshot_id == snapshot["snapshot_id"]
    assert isinstance(caught.value.__cause__, NodeApiError)
    assert caught.value.__cause__.code == "NOT_FOUND"
    assert snapshot["snapshot_id"] in str(caught.value)
    assert "Snapshot not found." in str(caught.value)


def test_failure_status_while_waiting(held_sandbox: Sandbox) -> None:
    held_sandbox.set_fault(
        "get_snapshot_detail",
        body=b'{"code": "OK", "message": "", "data": {"snapshot_status": "deleted"}}',
    )
    with pytest.raises(SnapshotFailedError) as caught:
        configured(held_sandbox).create(props(wait_until_active=True))
    (snapshot,) = held_sandbox.snapshots()
    assert caught.value.status == "deleted"
    assert caught.value.snapshot_id == snapshot["snapshot_id"]


def test_create_api_error_carries_the_api_message(sandbox: Sandbox) -> None:
    sandbox.set_fault("create_snapshot", error=("SERVER_BUSY", "Server is being migrated."))
    with pytest.raises(NodeApiError, match="Server is being migrated"):
        configured(sandbox).create(props())
    assert sandbox.snapshots() == []


def test_lost_create_answer_is_not_retried_and_names_the_snapshot(held_sandbox: Sandbox) -> None:
    sandbox = held_sandbox  # the lost snapshot is still processing when the provider looks
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


def test_garbled_create_answer_is_uncertain_too(held_sandbox: Sandbox) -> None:
    sandbox = held_sandbox
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


def test_read_refreshes_from_the_api(sandbox: Sandbox, response_format: str) -> None:
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


def test_refresh_of_a_deleted_or_unknown_snapshot_leaves_state(sandbox: Sandbox) -> None:
    provider = configured(sandbox)
    created = provider.create(props())
    assert created.outs is not None
    sandbox.delete_snapshot_behind_back(created.id)
    assert provider.read(created.id, created.outs).id == ""
    gone = {**created.outs, "snapshot_id": "nosuchsnapshot"}
    assert provider.read("nosuchsnapshot", gone).id == ""
    assert [c.code for c in sandbox.calls("get_snapshot_detail")] == ["OK", "NOT_FOUND"]


def test_adopting_a_snapshot_that_does_not_exist_fails(sandbox: Sandbox) -> None:
    with pytest.raises(SnapshotNotFoundError) as caught:
        configured(sandbox).read("nosuchsnapshot", {})
    assert caught.value.snapshot_id == "nosuchsnapshot"
    assert "snapshot nosuchsnapshot does not exist" in str(caught.value)
    assert isinstance(caught.value.__cause__, NodeApiError)


def test_adopting_a_deleted_snapshot_fails(sandbox: Sandbox) -> None:
    provider = configured(sandbox)
    snapshot_id = provider.create(props()).id
    sandbox.delete_snapshot_behind_back(snapshot_id)
    with pytest.raises(SnapshotNotFoundError, match="the API reports it deleted"):
        provider.read(snapshot_id, {"server_id": "12345"})


def test_read_surfaces_other_api_errors(sandbox: Sandbox) -> None:
    sandbox.set_fault("get_snapshot_detail", error=("INVALID_CHECKSUM", "Bad checksum."))
    with pytest.raises(NodeApiError, match="Bad checksum"):
        configured(sandbox).read("abc", {})


def test_delete(sandbox: Sandbox, response_format: str) -> None:
    provider = configured(sandbox, response_format)
    created = provider.create(props())
    provider.delete(created.id, created.outs or {})
    assert sandbox.snapshots()[0]["snapshot_status"] == "deleted"
    provider.delete(created.id, created.outs or {})  # already deleted: the sandbox says OK
    assert [c.code for c in sandbox.calls("delete_snapshot")] == ["OK", "OK"]


def test_delete_of_a_snapshot_the_api_does_not_know_counts_as_done(sandbox: Sandbox) -> None:
    provider = configured(sandbox)
    provider.delete("nosuchsnapshot", {})
    sandbox.set_fault("delete_snapshot", error=("E_GONE", "Snapshot does not exist."))
    provider.delete("anothersnapshot", {})
    assert [c.code for c in sandbox.calls("delete_snapshot")] == ["NOT_FOUND", "E_GONE"]


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
