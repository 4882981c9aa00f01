"""SnapshotScheduleProvider against the sandbox over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from node_pulumi import NodeApiError, NodeClient, SnapshotScheduleProvider
from node_pulumi._core.inputs import is_unknown
from node_pulumi.sandbox import INVALID_CHECKSUM, SERVER_NOT_FOUND, Sandbox

from .conftest import API_KEY, USER_ID
from .conftest import configured as configured_provider
from .wire import UNKNOWN, from_wire


def configured(sandbox: Sandbox, fmt: str = "json") -> SnapshotScheduleProvider:
    return configured_provider(SnapshotScheduleProvider(), sandbox, fmt)


def schedule(sandbox: Sandbox, server_id: str) -> dict[str, Any]:
    (found,) = [s for s in sandbox.schedules() if s["server_id"] == server_id]
    return found


@pytest.mark.parametrize(
    ("inputs", "prop", "shown"),
    [
        ({"server_id": "1", "daily_max_age": 0}, "daily_max_age", ": 0"),
        ({"server_id": "1", "weekly_max_age": 100}, "weekly_max_age", ": 100"),
        ({"server_id": "1", "daily_max_age": -5}, "daily_max_age", ": -5"),
        ({"server_id": "1", "monthly_max_age": 2.5}, "monthly_max_age", ": 2.5"),
        ({"server_id": "1", "daily_max_age": float("nan")}, "daily_max_age", ": nan"),
        ({"server_id": "1", "weekly_max_age": float("inf")}, "weekly_max_age", ": inf"),
        ({"server_id": "1", "monthly_max_age": -float("inf")}, "monthly_max_age", ": -inf"),
        ({"server_id": "1", "daily_max_age": True}, "daily_max_age", ": True"),
        ({"server_id": "1", "daily_max_age": "7"}, "daily_max_age", ": '7'"),
        ({"server_id": "y" * 51}, "server_id", "at most 50"),
        ({"server_id": 2001.5}, "server_id", "a string or a whole number: 2001.5"),
    ],
)
def test_check_rejects(inputs: dict[str, Any], prop: str, shown: str) -> None:
    (failure,) = SnapshotScheduleProvider().check({}, from_wire(**inputs)).failures
    assert failure.property == prop
    assert failure.reason.endswith(shown)


def test_check_accepts_and_normalises_numbers_from_the_wire() -> None:
    result = SnapshotScheduleProvider().check(
        {}, from_wire(server_id=2001, daily_max_age=7, weekly_max_age=UNKNOWN)
    )
    assert result.failures == []
    assert result.inputs["server_id"] == "2001"
    assert result.inputs["daily_max_age"] == 7
    assert isinstance(result.inputs["daily_max_age"], int)
    assert is_unknown(result.inputs["weekly_max_age"])


def test_check_lets_every_value_unknown_in_preview_through() -> None:
    inputs = from_wire(
        server_id=UNKNOWN, daily_max_age=UNKNOWN, weekly_max_age=UNKNOWN, monthly_max_age=UNKNOWN
    )
    assert SnapshotScheduleProvider().check({}, inputs).failures == []


def test_create_update_delete(sandbox: Sandbox, response_format: str) -> None:
    provider = configured(sandbox, response_format)
    created = provider.create({"server_id": "12", "daily_max_age": 7, "monthly_max_age": 3})
    assert created.id == "12"
    assert created.outs == {"server_id": "12", "daily_max_age": 7, "monthly_max_age": 3}
    assert schedule(sandbox, "12")["daily_snapshot"] == "yes"
    assert schedule(sandbox, "12")["weekly_snapshot"] == "no"

    news = {"server_id": "12", "weekly_max_age": 2}
    diff = provider.diff("12", created.outs or {}, news)
    assert diff.changes is True and diff.replaces == []
    updated = provider.update("12", created.outs or {}, news)
    assert updated.outs == {"server_id": "12", "weekly_max_age": 2}
    assert schedule(sandbox, "12")["daily_snapshot"] == "no"

    provider.delete("12", updated.outs or {})
    off = schedule(sandbox, "12")
    assert [off[f"{c}_snapshot"] for c in ("daily", "weekly", "monthly")] == ["no"] * 3


def test_diff_replaces_on_a_new_server_and_ignores_equal_ages() -> None:
    olds = {"server_id": "1", "daily_max_age": 7}
    provider = SnapshotScheduleProvider()
    assert provider.diff("1", olds, {"server_id": "2", "daily_max_age": 7}).replaces == [
        "server_id"
    ]
    same = provider.diff("1", olds, {"server_id": "1", "daily_max_age": 7.0})
    assert same.changes is False


@pytest.mark.parametrize("age", ["daily_max_age", "weekly_max_age", "monthly_max_age"])
def test_diff_counts_an_age_unknown_in_preview_as_an_update(age: str) -> None:
    olds = {"server_id": "1", "daily_max_age": 7}
    news = from_wire(**{"server_id": "1", "daily_max_age": 7, age: UNKNOWN})
    result = SnapshotScheduleProvider().diff("1", olds, news)
    assert result.changes is True and result.replaces == []


def test_diff_replaces_on_a_server_id_unknown_in_preview() -> None:
    olds = {"server_id": "1", "daily_max_age": 7}
    news = from_wire(server_id=UNKNOWN, daily_max_age=UNKNOWN)
    assert SnapshotScheduleProvider().diff("1", olds, news).replaces == ["server_id"]


@pytest.mark.parametrize("daily_key", ["daiy_snapshots", "daily_snapshots"])
def test_read_reports_the_schedule_set_elsewhere_in_either_spelling(
    daily_key: str, response_format: str
) -> None:
    with Sandbox(USER_ID, API_KEY, daily_key=daily_key) as sandbox:
        with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as elsewhere:  # the web panel
            elsewhere.set_server_snapshot_schedule(
                "12", daily_snapshot="yes", daily_snapshot_max_age=3, weekly_snapshot="no"
            )
        sandbox.clear_calls()
        result = configured(sandbox, response_format).read(
            "12", {"server_id": "12", "daily_max_age": 7, "weekly_max_age": 4}
        )
        assert result.id == "12"
        assert result.outs == {"server_id": "12", "daily_max_age": 3}
        assert result.inputs == result.outs  # what the next diff compares the program with
        assert [c.function for c in sandbox.calls()] == ["get_server_detail"]


def test_read_of_a_server_with_no_schedule_reports_every_cycle_off(sandbox: Sandbox) -> None:
    result = configured(sandbox).read("12", {"server_id": "12", "daily_max_age": 7})
    assert result.outs == {"server_id": "12"}


def test_read_of_a_server_the_api_no_longer_knows_leaves_the_state() -> None:
    with Sandbox(USER_ID, API_KEY, servers=["12"]) as sandbox:
        assert configured(sandbox).read("1", {"server_id": "1"}).id == ""


def test_read_raises_a_credential_error_instead_of_leaving_the_state(sandbox: Sandbox) -> None:
    sandbox.set_fault("get_server_detail", error=(INVALID_CHECKSUM, "Invalid checksum."))
    with pytest.raises(NodeApiError) as raised:
        configured(sandbox).read("12", {"server_id": "12", "daily_max_age": 7})
    assert raised.value.is_credentials_error


def test_delete_of_a_server_the_api_no_longer_knows_is_done() -> None:
    with Sandbox(USER_ID, API_KEY, servers=["12"]) as sandbox:
        provider = configured(sandbox)
        provider.delete("1", {"server_id": "1", "daily_max_age": 7})
        (call,) = sandbox.calls("set_server_snapshot_schedule")
        assert call.code == SERVER_NOT_FOUND


def test_delete_raises_other_api_errors(sandbox: Sandbox) -> None:
    sandbox.set_fault("set_server_snapshot_schedule", error=("BUSY", "try later"))
    with pytest.raises(NodeApiError) as raised:
        configured(sandbox).delete("12", {"server_id": "12", "daily_max_age": 7})
    assert (raised.value.code, raised.value.message) == ("BUSY", "try later")
