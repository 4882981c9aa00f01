"""``node-pulumi check``'s core (`run_check`) against the sandbox on loopback, with the test
clock: ages are exact, so each threshold is tested on both sides of its edge."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from node_pulumi import NodeClient
from node_pulumi._core.api_time import parse_zone, resolve_api_timezone
from node_pulumi._core.check import (
    GB,
    Policy,
    Report,
    Server,
    Snapshot,
    State,
    evaluate,
    run_check,
)
from node_pulumi._core.listing import IncompleteListingError, complete_listing
from node_pulumi.sandbox import Sandbox
from node_pulumi.sandbox._store import format_time

from .clock import StillClock
from .conftest import API_KEY, CLOCK_START, USER_ID

START = CLOCK_START
IP = "203.0.113.7"
HOUR = 3600.0
SERVERS = ("1", "2", "3", "4")

pytestmark = pytest.mark.sandbox(processing_seconds=HOUR, servers=SERVERS)


def taken(
    sandbox: Sandbox, snapshot_id: str, hours_ago: float, server: str = "1", **kw: Any
) -> None:
    """A snapshot of ``server`` taken ``hours_ago`` hours before the clock's time (UTC)."""
    created = format_time(START - hours_ago * HOUR)
    sandbox.add_snapshot(snapshot_id, server, created_at=created, size_gb=2.5, **kw)


def check(
    sandbox: Sandbox,
    clock: StillClock,
    servers: tuple[str, ...] | None = ("1",),
    *,
    max_age: float = 26,
    warn_age: float | None = None,
    min_count: int = 1,
    stuck_after: float = 12,
    zone: str = "UTC",
    response_format: str = "json",
) -> Report:
    policy = Policy(
        max_age * HOUR,
        None if warn_age is None else warn_age * HOUR,
        min_count,
        stuck_after * HOUR,
        parse_zone(zone),
    )
    with NodeClient(
        USER_ID, API_KEY, endpoint=sandbox.url, response_format=response_format, backoff=0
    ) as client:
        return run_check(client, policy, server_ids=servers, client_ip_address=IP, clock=clock)


def test_a_fresh_snapshot_is_ok(sandbox: Sandbox, clock: StillClock) -> None:
    taken(sandbox, "snap-a", 3)
    taken(sandbox, "snap-b", 27)
    report = check(sandbox, clock)
    assert report.state is State.OK and report.error is None
    (server,) = report.servers
    assert server.newest is not None and server.newest.snapshot_id == "snap-a"
    assert server.newest_age == 3 * HOUR
    assert (server.active, server.active_bytes) == (2, 5 * GB)


@pytest.mark.parametrize(
    ("hours_ago", "state"),
    [
        (20 - 1 / 3600, State.OK),
        (20, State.WARNING),
        (26 - 1 / 3600, State.WARNING),
        (26, State.CRITICAL),
    ],
)
def test_warn_age_and_max_age_on_both_sides_of_their_edges(
    sandbox: Sandbox, clock: StillClock, hours_ago: float, state: State
) -> None:
    taken(sandbox, "snap-a", hours_ago)
    report = check(sandbox, clock, warn_age=20, max_age=26)
    assert report.state is state, report.servers[0].reasons


def test_a_server_without_any_snapshot_is_critical(sandbox: Sandbox, clock: StillClock) -> None:
    report = check(sandbox, clock)
    assert report.state is State.CRITICAL
    assert "no active snapshot" in report.servers[0].reasons


def test_min_count(sandbox: Sandbox, clock: StillClock) -> None:
    taken(sandbox, "snap-a", 1)
    taken(sandbox, "snap-b", 25)
    assert check(sandbox, clock, min_count=2).state is State.OK
    report = check(sandbox, clock, min_count=3)
    assert report.state is State.CRITICAL
    assert report.servers[0].reasons == ("2 active, fewer than 3",)


def test_deleted_snapshots_do_not_count(sandbox: Sandbox, clock: StillClock) -> None:
    taken(sandbox, "snap-a", 1)
    taken(sandbox, "snap-b", 2)
    sandbox.delete_snapshot_behind_back("snap-a")
    report = check(sandbox, clock, min_count=2)
    assert report.state is State.CRITICAL
    assert report.servers[0].newest is not None
    assert report.servers[0].newest.snapshot_id == "snap-b"


def test_a_snapshot_processing_too_long_is_stuck(sandbox: Sandbox, clock: StillClock) -> None:
    taken(sandbox, "snap-a", 1)
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
        started = client.create_snapshot("1")["snapshot_id"]
    report = check(sandbox, clock, stuck_after=2)
    assert report.state is State.OK
    assert report.servers[0].processing == 1 and report.servers[0].stuck == ()
    taken(sandbox, "snap-stuck", 2 + 1 / 3600, processing=True)
    clock.now += 2 * HOUR  # started: 2 h processing, not longer; the sandbox's own turns active
    report = check(sandbox, clock, stuck_after=2, max_age=26)
    assert report.servers[0].stuck == ("snap-stuck",)
    assert report.state is State.CRITICAL
    assert any("snap-stuck processing for 4h" in r for r in report.servers[0].reasons)
    assert started not in report.servers[0].stuck


def test_servers_that_are_off_are_checked_and_deleted_ones_skipped(
    sandbox: Sandbox, clock: StillClock
) -> None:
    for server in SERVERS:
        taken(sandbox, f"snap-{server}", 1, server)
    sandbox.set_server("2", server_status="off")
    sandbox.set_server("3", server_status="deleted", order_status="canceled")
    sandbox.set_server("4", server_status="suspended", order_status="canceled")
    report = check(sandbox, clock, None)
    assert report.every_server and report.state is State.OK
    assert {c.server.server_id: c.server.server_status for c in report.servers} == {
        "1": "on",
        "2": "off",
    }
    assert sorted(s.server_id for s in report.skipped) == ["3", "4"]
    sandbox.delete_snapshot_behind_back("snap-2")
    assert check(sandbox, clock, None).state is State.CRITICAL


def test_a_server_asked_for_that_the_account_lacks_is_unknown(
    sandbox: Sandbox, clock: StillClock
) -> None:
    taken(sandbox, "snap-a", 1)
    report = check(sandbox, clock, ("1", "nope"))
    assert report.state is State.UNKNOWN
    assert [c.state for c in report.servers] == [State.OK, State.UNKNOWN]


def test_critical_takes_precedence_over_unknown_and_warning(
    sandbox: Sandbox, clock: StillClock
) -> None:
    taken(sandbox, "snap-a", 21)
    report = check(sandbox, clock, ("1", "2", "nope"), warn_age=20)
    assert [c.state for c in report.servers] == [State.WARNING, State.CRITICAL, State.UNKNOWN]
    assert report.state is State.CRITICAL


def test_an_api_failure_is_unknown_with_the_apis_code(sandbox: Sandbox, clock: StillClock) -> None:
    taken(sandbox, "snap-a", 1)
    sandbox.set_fault("get_snapshot_list", error=("RATE_LIMITED", "Slow down."))
    report = check(sandbox, clock)
    assert report.state is State.UNKNOWN and report.servers == ()
    assert report.error is not None and "RATE_LIMITED" in report.error


def test_a_partial_listing_is_unknown_never_ok(sandbox: Sandbox, clock: StillClock) -> None:
    taken(sandbox, "snap-a", 1)
    # One record where the answer announces two: a listing that is not whole.
    body = (
        '{"code": "OK", "message": "", "data": {"total_records": 2, "records_per_page": 100,'
        ' "total_pages": 1, "page": 1, "records": {"0": {"server_id": "1",'
        ' "server_status": "on", "order_status": "active"}}}}'
    )
    sandbox.set_fault("get_server_list", body=body.encode(), times=1)
    report = check(sandbox, clock)
    assert report.state is State.UNKNOWN
    assert report.error is not None and "2 records announced, 1 received" in report.error


def test_a_listing_that_changes_between_pages_is_incomplete(sandbox: Sandbox) -> None:
    sandbox.seed(150)
    # Page 1 as it was a moment before a server was added: 100 records of 149.
    records = {str(n): {"server_id": f"old-{n}"} for n in range(100)}
    data = {"total_records": 149, "records_per_page": 100, "total_pages": 2, "page": 1}
    body = json.dumps({"code": "OK", "message": "", "data": {**data, "records": records}})
    sandbox.set_fault("get_server_list", body=body.encode(), times=1)
    with (
        NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client,
        pytest.raises(
            IncompleteListingError,
            match=r"changed while it was read \(149 records in 2 pages, then 154 in 2\)",
        ),
    ):
        complete_listing(
            client, "get_server_list", "server_id", server_status="all", order_status="all"
        )


def test_missing_client_ip_address_is_unknown_naming_the_setting(
    sandbox: Sandbox, clock: StillClock
) -> None:
    policy = Policy(HOUR, None, 1, HOUR)
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
        report = run_check(client, policy, server_ids=None, client_ip_address=None, clock=clock)
    assert report.state is State.UNKNOWN
    assert report.error is not None and "NODE_CLIENT_IP_ADDRESS" in report.error
    assert sandbox.calls() == []


def test_times_read_in_the_zone_set(sandbox: Sandbox, clock: StillClock) -> None:
    taken(sandbox, "snap-a", 2)  # written as UTC by the sandbox
    assert check(sandbox, clock, max_age=8).state is State.OK
    report = check(sandbox, clock, max_age=8, zone="+07:00")  # read as WIB: 9 hours old
    assert report.state is State.CRITICAL
    assert report.servers[0].newest_age == 9 * HOUR
    assert check(sandbox, clock, max_age=8, zone="Asia/Jakarta").servers[0].newest_age == 9 * HOUR


def test_a_time_in_the_future_warns_that_the_zone_is_wrong() -> None:
    # An API writing WIB: a snapshot taken an hour ago is stamped 6 hours ahead of UTC. (The
    # sandbox writes UTC, so the records are made here.)
    ran_at = datetime.fromtimestamp(START, tz=timezone.utc)
    stamp = format_time(START + 6 * HOUR)
    record = {"snapshot_id": "snap-a", "server_id": "1", "snapshot_status": "active"}
    servers = [Server("1", "web", "on", "active")]

    def report(zone: str) -> Report:
        policy = Policy(26 * HOUR, None, 1, 12 * HOUR, parse_zone(zone))
        snapshot = Snapshot.of({**record, "snapshot_add_time": stamp}, policy.zone)
        return evaluate(servers, [snapshot], policy, ran_at, server_ids=None)

    utc = report("UTC")
    assert utc.state is State.WARNING
    (reason,) = utc.servers[0].reasons
    assert "6h in the future if the API's times are UTC" in reason
    assert "--api-timezone" in reason
    assert utc.servers[0].newest_age == -6 * HOUR
    wib = report("+07:00")
    assert wib.state is State.OK and wib.servers[0].newest_age == HOUR


def test_both_formats_give_the_same_report(sandbox: Sandbox, clock: StillClock) -> None:
    sandbox.seed(30, 90)
    json_report = check(sandbox, clock, None)
    xml_report = check(sandbox, clock, None, response_format="xml")
    assert json_report == xml_report


def test_calls_for_many_servers_are_a_few_pages(sandbox: Sandbox, clock: StillClock) -> None:
    sandbox.seed(300, 900)
    processing = sum(s["snapshot_status"] == "processing" for s in sandbox.snapshots())
    servers = len(sandbox.servers)
    report = check(sandbox, clock, None)
    assert report.error is None and len(report.servers) + len(report.skipped) == servers
    calls = sandbox.calls()
    by_function = {f: sum(c.function == f for c in calls) for f in {c.function for c in calls}}
    assert by_function == {
        "get_server_list": math.ceil(servers / 100),
        "get_snapshot_list": math.ceil((900 - processing) / 100)
        + max(1, math.ceil(processing / 100)),
    }
    assert len(calls) <= math.ceil(900 / 100) + math.ceil(servers / 100) + 2


@pytest.mark.parametrize(
    ("text", "offset"),
    [("UTC", 0), ("+07:00", 7), ("+0700", 7), ("UTC+7", 7), ("-03:30", -3.5)],
)
def test_zone_texts(text: str, offset: float) -> None:
    assert parse_zone(text).utcoffset(None) == timedelta(hours=offset)


def test_zone_setting_order_flag_config_environment() -> None:
    env = {"NODE_API_TIMEZONE": "+05:00"}
    config = {"node:apiTimezone": "+06:00"}
    assert resolve_api_timezone(None, None, {}) is timezone.utc
    assert resolve_api_timezone(None, None, env).utcoffset(None) == timedelta(hours=5)
    assert resolve_api_timezone(None, config, env).utcoffset(None) == timedelta(hours=6)
    assert resolve_api_timezone("+07:00", config, env).utcoffset(None) == timedelta(hours=7)
    with pytest.raises(Exception, match="NODE_API_TIMEZONE"):
        resolve_api_timezone(None, None, {"NODE_API_TIMEZONE": "Mars/Base"})
