"""The sandbox's server functions (get_server_detail, reinstall_server) over a loopback socket.

A restore is reinstall_server from an active snapshot: the server is ``reinstall`` for the
sandbox's reinstall time by its clock, here a `StillClock` the test moves, then ``on``.
"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from node_pulumi.sandbox import Sandbox
from node_pulumi.sandbox.__main__ import _parse_args as parse_args

from .clock import StillClock
from .test_sandbox import API_KEY, START, USER_ID, admin, api, call, create

REINSTALL_SECONDS = 300.0
PROCESSING_SECONDS = 60.0
pytestmark = pytest.mark.sandbox(
    processing_seconds=PROCESSING_SECONDS, reinstall_seconds=REINSTALL_SECONDS
)

DOCUMENTED_FIELDS = {
    "server_id",
    "server_label",
    "order_status",
    "server_status",
    "package",
    "vcpu",
    "ram",
    "ssd",
    "hdd",
    "price",
    "monthly_cap",
    "activated_time",
    "end_time",
    "install_method",
    "install_source",
    "os_template",
    "iso_url",
    "hostname",
    "os_variant",
    "arch",
    "root_password",
    "data_center",
    "extra_data_transfer_action",
    "ownership",
    "custom_info_1",
    "custom_info_2",
    "custom_info_3",
    "daiy_snapshots",
    "retain_daily_snapshots",
    "weekly_snapshots",
    "retain_weekly_snapshots",
    "monthly_snapshots",
    "retain_monthly_snapshots",
}


def active_snapshot(sandbox: Sandbox, clock: StillClock, server_id: str = "12345") -> str:
    snapshot_id = create(sandbox, server_id)
    clock.now += PROCESSING_SECONDS
    return snapshot_id


def detail(sandbox: Sandbox, server_id: str = "12345", fmt: str = "json") -> dict[str, object]:
    envelope = api(sandbox.url, "get_server_detail", fmt=fmt, server_id=server_id)
    assert envelope["code"] == "OK", envelope
    data: dict[str, object] = envelope["data"]
    return data


def reinstall(sandbox: Sandbox, **params: str) -> dict[str, object]:
    return api(sandbox.url, "reinstall_server", **params)


def test_detail_has_every_documented_field(sandbox: Sandbox) -> None:
    data = detail(sandbox)
    assert set(data) == DOCUMENTED_FIELDS
    assert data["server_id"] == "12345"
    assert data["order_status"] == "active"
    assert data["server_status"] == "on"
    assert data["install_source"] == "template"
    assert data["activated_time"] == "2023-11-14 22:13:20"
    assert data["end_time"] == "2023-12-14 22:13:20"
    assert data["root_password"] == sandbox.root_password("12345")
    assert data["root_password"] != sandbox.root_password("67890"), "one password per server"
    assert (data["daiy_snapshots"], data["retain_daily_snapshots"]) == ("no", 0)


def test_detail_in_xml_has_the_same_fields_as_text(sandbox: Sandbox) -> None:
    data = detail(sandbox, fmt="xml")
    assert set(data) == DOCUMENTED_FIELDS
    assert data["vcpu"] == "2" and data["retain_weekly_snapshots"] == "0"
    assert data["iso_url"] is None  # an empty element


def test_detail_shows_the_schedule_that_was_set(sandbox: Sandbox) -> None:
    set_ = api(
        sandbox.url,
        "set_server_snapshot_schedule",
        server_id="12345",
        daily_snapshot="yes",
        daily_snapshot_max_age="7",
        monthly_snapshot="yes",
        monthly_snapshot_max_age="3",
    )
    assert set_["code"] == "OK"
    data = detail(sandbox)
    assert {k: v for k, v in data.items() if "snapshots" in k} == {
        "daiy_snapshots": "yes",
        "retain_daily_snapshots": 7,
        "weekly_snapshots": "no",
        "retain_weekly_snapshots": 0,
        "monthly_snapshots": "yes",
        "retain_monthly_snapshots": 3,
    }
    assert detail(sandbox, "67890")["daiy_snapshots"] == "no", "another server's is its own"


def test_the_daily_field_can_be_spelled_correctly(clock: StillClock) -> None:
    with Sandbox(USER_ID, API_KEY, clock=clock, daily_key="daily_snapshots") as sandbox:
        data = detail(sandbox)
    assert "daily_snapshots" in data and "daiy_snapshots" not in data
    with pytest.raises(ValueError, match="daily_key"):
        Sandbox(USER_ID, API_KEY, daily_key="daily")


def test_a_restore_reinstalls_for_the_reinstall_time_then_the_server_is_on(
    sandbox: Sandbox, clock: StillClock
) -> None:
    snapshot_id = active_snapshot(sandbox, clock)
    answer = reinstall(
        sandbox, server_id="12345", install_source="snapshot", snapshot_id=snapshot_id
    )
    assert answer == {
        "code": "OK",
        "message": "The server re-installation process has been started",
        "data": {"server_id": "12345", "order_status": "active", "server_status": "reinstall"},
    }
    assert detail(sandbox)["server_status"] == "reinstall"
    clock.now += REINSTALL_SECONDS - 1
    assert detail(sandbox)["server_status"] == "reinstall"
    clock.now += 1
    after = detail(sandbox)
    assert (after["server_status"], after["install_source"]) == ("on", "snapshot")
    assert detail(sandbox, "67890")["server_status"] == "on", "other servers are untouched"
    record = {
        "server_id": "12345",
        "install_source": "snapshot",
        "snapshot_id": snapshot_id,
        "started_at": "2023-11-14 22:14:20",
        "ready_at": "2023-11-14 22:19:20",
    }
    assert sandbox.reinstalls() == sandbox.reinstalls("12345") == [record]
    assert sandbox.reinstalls("67890") == []
    assert admin(sandbox, "GET", "reinstalls").json() == [record]
    assert admin(sandbox, "GET", "reinstalls?server_id=67890").json() == []


def test_a_snapshot_of_another_server_is_accepted(sandbox: Sandbox, clock: StillClock) -> None:
    snapshot_id = active_snapshot(sandbox, clock, server_id="67890")
    answer = reinstall(
        sandbox, server_id="12345", install_source="snapshot", snapshot_id=snapshot_id
    )
    assert answer["code"] == "OK"
    assert [r["snapshot_id"] for r in sandbox.reinstalls("12345")] == [snapshot_id]


@pytest.mark.parametrize(
    ("state", "code", "message"),
    [
        ("processing", "SNAPSHOT_NOT_ACTIVE", "is processing, not active."),
        ("deleted", "SNAPSHOT_NOT_ACTIVE", "is deleted, not active."),
        ("missing", "NOT_FOUND", "Snapshot not found."),
    ],
)
def test_only_an_active_snapshot_is_restored(
    sandbox: Sandbox, clock: StillClock, state: str, code: str, message: str
) -> None:
    snapshot_id = "nosuchsnapshot" if state == "missing" else create(sandbox)
    if state == "deleted":
        clock.now += PROCESSING_SECONDS
        sandbox.delete_snapshot_behind_back(snapshot_id)
    answer = reinstall(
        sandbox, server_id="12345", install_source="snapshot", snapshot_id=snapshot_id
    )
    assert answer["code"] == code
    assert answer["message"].endswith(message)
    assert sandbox.reinstalls() == []
    assert detail(sandbox)["server_status"] == "on"


def test_a_server_reinstalling_already_is_busy(sandbox: Sandbox, clock: StillClock) -> None:
    snapshot_id = active_snapshot(sandbox, clock)
    params = {"server_id": "12345", "install_source": "snapshot", "snapshot_id": snapshot_id}
    assert reinstall(sandbox, **params)["code"] == "OK"
    busy = reinstall(sandbox, **params)
    assert (busy["code"], busy["message"]) == (
        "SERVER_BUSY",
        "Server 12345 is being reinstalled already.",
    )
    clock.now += REINSTALL_SECONDS
    assert reinstall(sandbox, **params)["code"] == "OK", "on again: it can be restored again"
    assert len(sandbox.reinstalls("12345")) == 2


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "MISSING_PARAMETER"),
        ({"install_source": "disk"}, "INVALID_PARAMETER"),
        ({"install_source": "snapshot"}, "MISSING_PARAMETER"),
        ({"install_source": "snapshot", "snapshot_id": "x" * 51}, "INVALID_PARAMETER"),
        ({"install_source": "template"}, "MISSING_PARAMETER"),
        ({"install_source": "iso"}, "MISSING_PARAMETER"),
    ],
)
def test_reinstall_parameters_are_checked(
    sandbox: Sandbox, params: dict[str, str], code: str
) -> None:
    assert reinstall(sandbox, server_id="12345", **params)["code"] == code
    assert sandbox.reinstalls() == []


def test_a_template_reinstall_records_no_snapshot(sandbox: Sandbox) -> None:
    answer = reinstall(
        sandbox, server_id="12345", install_source="template", os_template="debian-12"
    )
    assert answer["code"] == "OK"
    assert [(r["install_source"], r["snapshot_id"]) for r in sandbox.reinstalls()] == [
        ("template", None)
    ]


@pytest.mark.parametrize("function", ["get_server_detail", "reinstall_server"])
def test_an_unknown_server_is_not_found(sandbox: Sandbox, function: str) -> None:
    answer = api(sandbox.url, function, server_id="4040", install_source="template")
    assert (answer["code"], answer["message"]) == ("SERVER_NOT_FOUND", "Server 4040 not found.")
    with pytest.raises(KeyError):
        sandbox.root_password("4040")


def test_the_root_password_is_in_no_log(clock: StillClock) -> None:
    log = io.StringIO()
    with Sandbox(
        USER_ID,
        API_KEY,
        clock=clock,
        processing_seconds=PROCESSING_SECONDS,
        reinstall_seconds=REINSTALL_SECONDS,
        log=log,
    ) as sandbox:
        snapshot_id = active_snapshot(sandbox, clock)
        detail(sandbox, fmt="xml")
        reinstall(sandbox, server_id="12345", install_source="snapshot", snapshot_id=snapshot_id)
        detail(sandbox)
        password = sandbox.root_password("12345")
        assert "get_server_detail" in log.getvalue()
        assert password not in log.getvalue()
        assert password not in repr(sandbox.calls())
        assert password not in admin(sandbox, "GET", "calls").text
        assert password not in admin(sandbox, "GET", "reinstalls").text


def test_faults_apply_to_the_server_functions(sandbox: Sandbox, clock: StillClock) -> None:
    snapshot_id = active_snapshot(sandbox, clock)
    sandbox.set_fault("get_server_detail", http_status=503, times=1)
    sandbox.set_fault("reinstall_server", error=("BUSY", "Try later."), times=1)
    assert call(sandbox.url, "get_server_detail", server_id="12345").status_code == 503
    params = {"server_id": "12345", "install_source": "snapshot", "snapshot_id": snapshot_id}
    assert reinstall(sandbox, **params)["code"] == "BUSY"
    assert sandbox.reinstalls() == [], "a failing fault does not perform the call"
    fault = {"function": "reinstall_server", "http_status": 502, "after": True}
    assert admin(sandbox, "POST", "fault", json=fault).status_code == 200
    assert call(sandbox.url, "reinstall_server", **params).status_code == 502
    assert len(sandbox.reinstalls()) == 1, "an answer lost after the server acted"


def test_wait_for_calls_returns_once_they_are_logged(sandbox: Sandbox) -> None:
    assert sandbox.wait_for_calls("get_server_detail", 1, timeout=0.01) == []
    detail(sandbox)
    detail(sandbox, "67890")
    calls = sandbox.wait_for_calls("get_server_detail", 2, timeout=5)
    assert [c.params["server_id"] for c in calls] == ["12345", "67890"]


def test_reset_forgets_servers_and_reinstalls(sandbox: Sandbox, clock: StillClock) -> None:
    snapshot_id = active_snapshot(sandbox, clock)
    reinstall(sandbox, server_id="12345", install_source="snapshot", snapshot_id=snapshot_id)
    password = sandbox.root_password("12345")
    sandbox.reset()
    assert sandbox.reinstalls() == []
    assert detail(sandbox)["server_status"] == "on"
    assert sandbox.root_password("12345") != password


def test_a_version_1_database_gains_the_server_tables(tmp_path: Path, clock: StillClock) -> None:
    db = tmp_path / "v1.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(
            "CREATE TABLE snapshots (seq INTEGER PRIMARY KEY AUTOINCREMENT, snapshot_id TEXT NOT"
            " NULL UNIQUE, server_id TEXT NOT NULL, created_at REAL NOT NULL, ready_at REAL NOT"
            " NULL, size_gb REAL NOT NULL, deleted_at REAL);"
            "CREATE TABLE used_randoms (random TEXT PRIMARY KEY, used_at REAL NOT NULL);"
            "CREATE TABLE schedules (server_id TEXT PRIMARY KEY, daily_max_age INTEGER NOT NULL,"
            " weekly_max_age INTEGER NOT NULL, monthly_max_age INTEGER NOT NULL);"
            f"INSERT INTO snapshots VALUES (1, 'oldsnapshot1', '12345', {START}, {START}, 2.0,"
            " NULL);"
            "PRAGMA user_version = 1;"
        )
    conn.close()
    with Sandbox(USER_ID, API_KEY, db=db, clock=clock, reinstall_seconds=0) as sandbox:
        answer = reinstall(
            sandbox, server_id="12345", install_source="snapshot", snapshot_id="oldsnapshot1"
        )
        assert answer["code"] == "OK"
        assert detail(sandbox)["server_status"] == "on"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (3,)
    conn.close()


def test_the_sandbox_command_takes_a_reinstall_time() -> None:
    base = ["--user-id", USER_ID, "--api-key", API_KEY]
    assert parse_args([*base, "--reinstall-seconds", "7.5"]).reinstall_seconds == 7.5
    assert parse_args(base).reinstall_seconds == 5.0
    with pytest.raises(SystemExit):
        parse_args([*base, "--reinstall-seconds", "-1"])
