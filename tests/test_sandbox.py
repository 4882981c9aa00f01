"""The sandbox API server, exercised over a real loopback socket with ``requests``."""

from __future__ import annotations

import hashlib
import http.client
import io
import ipaddress
import json
import re
import secrets
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
import xmltodict

from node_pulumi.sandbox import DEFAULT_SERVERS, Call, Sandbox
from node_pulumi.sandbox.__main__ import main as sandbox_main
from node_pulumi.sandbox._admin import handle_admin, is_loopback
from node_pulumi.sandbox._app import App
from node_pulumi.sandbox._http import SandboxHTTPServer

from .child import interruptible
from .clock import StillClock
from .conftest import API_KEY, CLOCK_START, USER_ID

IP = "203.0.113.7"
START = CLOCK_START  # where the `clock` fixture starts
pytestmark = pytest.mark.sandbox(processing_seconds=60.0)
REPO = Path(__file__).resolve().parents[1]


def sha1_hex(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def make_checksum(user_id: str, api_key: str, random: str) -> str:
    return sha1_hex(sha1_hex(sha1_hex(user_id + api_key + random)))


def call(
    base_url: str,
    function: str,
    *,
    method: str = "POST",
    fmt: str = "json",
    user_id: str = USER_ID,
    api_key: str = API_KEY,
    random: str | None = None,
    timeout: float = 10.0,
    **params: str,
) -> requests.Response:
    """Call one API function the way a client would, with a fresh random unless given one."""
    random = random or secrets.token_hex(8)
    fields = {
        "user_id": user_id,
        "random": random,
        "checksum": make_checksum(user_id, api_key, random),
        "format": fmt,
        **params,
    }
    if method == "GET":
        return requests.get(base_url + function, params=fields, timeout=timeout)
    return requests.post(base_url + function, data=fields, timeout=timeout)


def parse_xml(text: str) -> dict[str, Any]:
    """Parse the root-less XML envelope by wrapping its three siblings in a root element."""
    declaration = '<?xml version="1.0" encoding="utf-8"?>\n'
    assert text.startswith(declaration)
    wrapped = "<root>" + text[len(declaration) :] + "</root>"
    root: dict[str, Any] = xmltodict.parse(wrapped, force_list=("record",))["root"]
    return root


def api(base_url: str, function: str, **kwargs: Any) -> dict[str, Any]:
    """Call and decode the envelope (JSON or XML as requested)."""
    response = call(base_url, function, **kwargs)
    assert response.status_code == 200, response.text
    if kwargs.get("fmt") == "xml":
        return parse_xml(response.text)
    envelope: dict[str, Any] = response.json()
    return envelope


def create(sandbox: Sandbox, server_id: str = "12345") -> str:
    envelope = api(sandbox.url, "create_snapshot", server_id=server_id)
    assert envelope["code"] == "OK", envelope
    snapshot_id: str = envelope["data"]["snapshot_id"]
    return snapshot_id


def admin(sandbox: Sandbox, method: str, route: str, **kwargs: Any) -> requests.Response:
    return requests.request(
        method, f"http://127.0.0.1:{sandbox.port}/_sandbox/{route}", timeout=10, **kwargs
    )


# --- the happy path --------------------------------------------------------------------------


def test_create_and_detail_json(sandbox: Sandbox) -> None:
    response = call(sandbox.url, "create_snapshot", server_id="12345")
    assert response.status_code == 200
    # Like the PHP server: text/html whatever the format.
    assert response.headers["Content-Type"].startswith("text/html")
    created = response.json()
    assert created["code"] == "OK"
    assert created["message"] == "Snapshot creation has been strated."
    snapshot_id = created["data"]["snapshot_id"]
    assert re.fullmatch(r"[a-z0-9]{12}", snapshot_id)
    assert created["data"] == {
        "snapshot_id": snapshot_id,
        "server_id": "12345",
        "snapshot_status": "processing",
    }

    detail = api(sandbox.url, "get_snapshot_detail", snapshot_id=snapshot_id, client_ip_address=IP)
    assert detail["code"] == "OK"
    assert detail["data"] == {
        "snapshot_id": snapshot_id,
        "server_id": "12345",
        "server_label": "server-12345",
        "snapshot_name": f"manual-{snapshot_id}",
        "snapshot_add_time": "2023-11-14 22:13:20",
        "snapshot_end_time": "",
        "snapshot_cycle": "manual",
        "snapshot_status": "processing",
        "snapshot_size": 0.0,
        "snapshot_url": "",
        "snapshot_url_expires": 0,
    }
    assert sandbox.snapshots() == [detail["data"]]


@pytest.mark.sandbox(servers=("a&b<c>",))
def test_create_and_detail_xml_is_rootless(sandbox: Sandbox) -> None:
    response = call(sandbox.url, "create_snapshot", fmt="xml", server_id="a&b<c>")
    assert response.text.startswith(
        '<?xml version="1.0" encoding="utf-8"?>\n<code>OK</code>\n'
        "<message>Snapshot creation has been strated.</message>\n<data>"
    )
    with pytest.raises(ET.ParseError, match="junk after document element"):
        ET.fromstring(response.content)
    created = parse_xml(response.text)
    assert created["code"] == "OK"
    assert created["data"]["server_id"] == "a&b<c>"  # escaped on the wire, intact once parsed
    assert created["data"]["snapshot_status"] == "processing"

    snapshot_id = created["data"]["snapshot_id"]
    detail = api(sandbox.url, "get_snapshot_detail", fmt="xml", snapshot_id=snapshot_id)
    assert detail["code"] == "OK"
    assert detail["data"]["snapshot_id"] == snapshot_id
    assert detail["data"]["server_label"] == "server-a&b<c>"
    assert detail["data"]["snapshot_size"] == "0.0"  # XML: every value is text
    assert detail["data"]["snapshot_end_time"] is None  # an empty element


def test_errors_in_xml_are_rootless_envelopes(sandbox: Sandbox) -> None:
    response = call(sandbox.url, "get_snapshot_detail", fmt="xml", snapshot_id="nosuchid")
    assert parse_xml(response.text) == {
        "code": "NOT_FOUND",
        "message": "Snapshot not found.",
        "data": None,
    }


def test_get_and_post_both_work(sandbox: Sandbox) -> None:
    got = api(sandbox.url, "create_snapshot", method="GET", server_id="555")
    snapshot_id = got["data"]["snapshot_id"]
    posted = api(sandbox.url, "get_snapshot_detail", method="POST", snapshot_id=snapshot_id)
    assert posted["data"]["server_id"] == "555"
    assert [(c.function, c.method, c.code) for c in sandbox.calls()] == [
        ("create_snapshot", "GET", "OK"),
        ("get_snapshot_detail", "POST", "OK"),
    ]


def test_both_url_prefixes_serve_the_same_data(sandbox: Sandbox) -> None:
    assert sandbox.sandbox_url == f"http://127.0.0.1:{sandbox.port}/api-sandbox/v1/"
    assert sandbox.url == f"http://127.0.0.1:{sandbox.port}/api/v1/"
    created = api(sandbox.sandbox_url, "create_snapshot", server_id="777")
    snapshot_id = created["data"]["snapshot_id"]
    detail = api(sandbox.url, "get_snapshot_detail", snapshot_id=snapshot_id)
    assert detail["data"]["server_id"] == "777"


def test_unknown_function_is_404(sandbox: Sandbox) -> None:
    response = call(sandbox.url, "create_server", server_id="1")
    assert response.status_code == 404
    assert response.json()["code"] == "UNKNOWN_FUNCTION"
    assert sandbox.calls()[-1].code == "UNKNOWN_FUNCTION"
    assert sandbox.snapshots() == []


def test_invalid_format_is_rejected_in_json(sandbox: Sandbox) -> None:
    envelope = api(sandbox.url, "create_snapshot", fmt="yaml", server_id="1")
    assert envelope["code"] == "INVALID_PARAMETER"
    assert sandbox.snapshots() == []


# --- authentication --------------------------------------------------------------------------


def test_bad_checksum_is_rejected(sandbox: Sandbox) -> None:
    envelope = api(sandbox.url, "create_snapshot", api_key="not-the-key", server_id="1")
    assert envelope == {"code": "INVALID_CHECKSUM", "message": "Invalid checksum.", "data": {}}
    assert sandbox.snapshots() == []


def test_wrong_user_is_rejected(sandbox: Sandbox) -> None:
    envelope = api(sandbox.url, "create_snapshot", user_id="99999", server_id="1")
    assert envelope["code"] == "INVALID_USER"
    assert sandbox.snapshots() == []


def test_replayed_random_is_rejected(sandbox: Sandbox) -> None:
    first = api(sandbox.url, "create_snapshot", random="r-1", server_id="1")
    replay = api(sandbox.url, "create_snapshot", random="r-1", server_id="1")
    assert first["code"] == "OK"
    assert replay["code"] == "DUPLICATE_RANDOM"
    assert len(sandbox.snapshots()) == 1


def test_concurrent_replays_let_exactly_one_through(sandbox: Sandbox) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(
            pool.map(
                lambda _: api(sandbox.url, "create_snapshot", random="same", server_id="1")["code"],
                range(16),
            )
        )
    assert sorted(codes) == ["DUPLICATE_RANDOM"] * 15 + ["OK"]
    assert len(sandbox.snapshots()) == 1


def test_random_of_an_unauthenticated_call_is_not_used_up(sandbox: Sandbox) -> None:
    forged = api(sandbox.url, "create_snapshot", random="r-2", api_key="wrong", server_id="1")
    genuine = api(sandbox.url, "create_snapshot", random="r-2", server_id="1")
    assert (forged["code"], genuine["code"]) == ("INVALID_CHECKSUM", "OK")


def test_replayed_random_is_rejected_after_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.sqlite"
    with Sandbox(USER_ID, API_KEY, db=db) as first:
        assert api(first.url, "create_snapshot", random="r-3", server_id="1")["code"] == "OK"
    with Sandbox(USER_ID, API_KEY, db=db) as second:
        replay = api(second.url, "create_snapshot", random="r-3", server_id="1")
        assert replay["code"] == "DUPLICATE_RANDOM"
        assert len(second.snapshots()) == 1


# --- parameter checks ------------------------------------------------------------------------


@pytest.mark.sandbox(servers=("x" * 50, "x" * 20))
@pytest.mark.parametrize(
    ("function", "name", "limit", "extra"),
    [
        ("create_snapshot", "server_id", 50, {}),
        ("get_snapshot_detail", "snapshot_id", 50, {}),
        ("delete_snapshot", "snapshot_id", 50, {}),
        ("get_snapshot_list", "server_id", 20, {"client_ip_address": IP}),
        ("set_server_snapshot_schedule", "server_id", 50, {}),
    ],
)
def test_length_limits(
    sandbox: Sandbox, function: str, name: str, limit: int, extra: dict[str, str]
) -> None:
    at_limit = api(sandbox.url, function, **{name: "x" * limit, **extra})
    over_limit = api(sandbox.url, function, **{name: "x" * (limit + 1), **extra})
    # At the limit the value is accepted (an unknown snapshot id then is simply not found).
    assert at_limit["code"] in ("OK", "NOT_FOUND")
    assert over_limit["code"] == "INVALID_PARAMETER"
    assert name in over_limit["message"]


@pytest.mark.parametrize("address", ["999.1.1.1", "::1", "example.com", "1.2.3.4.5", "1" * 21])
def test_client_ip_address_must_be_ipv4(sandbox: Sandbox, address: str) -> None:
    for function in ("get_snapshot_list", "get_snapshot_detail"):
        envelope = api(sandbox.url, function, snapshot_id="x", client_ip_address=address)
        assert envelope["code"] == "INVALID_PARAMETER", function


def test_detail_client_ip_address_is_optional(sandbox: Sandbox) -> None:
    snapshot_id = create(sandbox)
    assert api(sandbox.url, "get_snapshot_detail", snapshot_id=snapshot_id)["code"] == "OK"


@pytest.mark.parametrize(
    ("function", "params", "missing"),
    [
        ("create_snapshot", {}, "server_id"),
        ("create_snapshot", {"server_id": ""}, "server_id"),
        ("get_snapshot_detail", {}, "snapshot_id"),
        ("delete_snapshot", {}, "snapshot_id"),
        ("get_snapshot_list", {}, "client_ip_address"),
        ("set_server_snapshot_schedule", {}, "server_id"),
    ],
)
def test_missing_parameter(
    sandbox: Sandbox, function: str, params: dict[str, str], missing: str
) -> None:
    envelope = api(sandbox.url, function, **params)
    assert envelope["code"] == "MISSING_PARAMETER"
    assert missing in envelope["message"]


def test_missing_authentication_parameter(sandbox: Sandbox) -> None:
    response = requests.post(
        sandbox.url + "create_snapshot", data={"user_id": USER_ID, "server_id": "1"}, timeout=10
    )
    assert response.json()["code"] == "MISSING_PARAMETER"
    assert sandbox.snapshots() == []


# --- snapshot lifecycle ----------------------------------------------------------------------


def test_processing_becomes_active_by_the_clock(sandbox: Sandbox, clock: StillClock) -> None:
    snapshot_id = create(sandbox)
    clock.now = START + 59.9
    assert sandbox.snapshots()[0]["snapshot_status"] == "processing"
    clock.now = START + 60.0
    detail = api(sandbox.url, "get_snapshot_detail", snapshot_id=snapshot_id)["data"]
    assert detail["snapshot_status"] == "active"
    assert detail["snapshot_end_time"] == "2023-11-14 22:14:20"
    assert detail["snapshot_size"] > 0
    assert detail["snapshot_url"].endswith(f"{snapshot_id}.img")
    assert detail["snapshot_url_expires"] > START + 60


def test_processing_seconds_zero_is_active_at_once() -> None:
    with Sandbox(USER_ID, API_KEY, processing_seconds=0.0) as sandbox:
        created = api(sandbox.url, "create_snapshot", server_id="1")
        assert created["data"]["snapshot_status"] == "processing"  # as published
        detail = api(sandbox.url, "get_snapshot_detail", snapshot_id=created["data"]["snapshot_id"])
        assert detail["data"]["snapshot_status"] == "active"


def test_delete_then_detail_shows_deleted(sandbox: Sandbox, clock: StillClock) -> None:
    snapshot_id = create(sandbox)
    clock.now += 120
    deleted = api(sandbox.url, "delete_snapshot", snapshot_id=snapshot_id)
    assert deleted["code"] == "OK"
    assert deleted["data"] == {"snapshot_id": snapshot_id, "snapshot_status": "deleted"}
    detail = api(sandbox.url, "get_snapshot_detail", snapshot_id=snapshot_id)["data"]
    assert detail["snapshot_status"] == "deleted"
    assert detail["snapshot_size"] > 0  # it did finish before it was deleted
    assert detail["snapshot_url"] == ""
    assert sandbox.snapshots(include_deleted=False) == []
    # Deleting again is idempotent.
    again = api(sandbox.url, "delete_snapshot", snapshot_id=snapshot_id)
    assert (again["code"], again["data"]["snapshot_status"]) == ("OK", "deleted")


def test_unknown_snapshot_is_not_found(sandbox: Sandbox) -> None:
    for function in ("get_snapshot_detail", "delete_snapshot"):
        envelope = api(sandbox.url, function, snapshot_id="nosuchsnapshot")
        assert envelope == {"code": "NOT_FOUND", "message": "Snapshot not found.", "data": {}}


def test_delete_behind_back_is_not_logged(sandbox: Sandbox) -> None:
    snapshot_id = create(sandbox)
    sandbox.clear_calls()
    sandbox.delete_snapshot_behind_back(snapshot_id)
    assert sandbox.calls() == []
    assert sandbox.snapshots()[0]["snapshot_status"] == "deleted"
    with pytest.raises(KeyError):
        sandbox.delete_snapshot_behind_back("nosuchsnapshot")


def test_an_added_snapshot_is_active_as_of_its_time_and_not_logged(sandbox: Sandbox) -> None:
    sandbox.add_snapshot("seeded123", "12345", created_at="2020-01-02 03:04:05", size_gb=2.5)
    assert sandbox.calls() == []
    detail = api(sandbox.url, "get_snapshot_detail", snapshot_id="seeded123")["data"]
    assert detail["server_id"] == "12345"
    assert detail["snapshot_status"] == "active"
    assert detail["snapshot_add_time"] == detail["snapshot_end_time"] == "2020-01-02 03:04:05"
    assert (detail["snapshot_name"], detail["snapshot_size"]) == ("manual-seeded123", 2.5)
    with pytest.raises(ValueError, match="exists already"):
        sandbox.add_snapshot("seeded123", "1", created_at="2020-01-02 03:04:05", size_gb=1.0)


# --- get_snapshot_list -----------------------------------------------------------------------


def test_list_pages_and_past_the_end(sandbox: Sandbox, clock: StillClock) -> None:
    created = [create(sandbox, server_id="1") for _ in range(25)]
    clock.now += 60
    pages = [
        api(sandbox.url, "get_snapshot_list", client_ip_address=IP, records_per_page="10", page=p)[
            "data"
        ]
        for p in ("1", "2", "3", "9")
    ]
    for data in pages:
        assert (data["total_records"], data["records_per_page"], data["total_pages"]) == (25, 10, 3)
    assert [data["page"] for data in pages] == [1, 2, 3, 3]
    assert list(pages[0]["records"]) == [str(i) for i in range(10)]  # an object keyed "0".."9"
    assert list(pages[2]["records"]) == [str(i) for i in range(5)]
    assert pages[3] == pages[2]
    listed = [record["snapshot_id"] for data in pages[:3] for record in data["records"].values()]
    # Default order: newest first (equal add times keep creation order, reversed).
    assert listed == created[::-1]


def test_list_defaults(sandbox: Sandbox, clock: StillClock) -> None:
    create(sandbox)
    clock.now += 60
    data = api(sandbox.url, "get_snapshot_list", client_ip_address=IP)["data"]
    assert (data["records_per_page"], data["page"], data["total_records"]) == (20, 1, 1)
    assert data["records"] == {"0": sandbox.snapshots()[0]}


def test_list_empty(sandbox: Sandbox) -> None:
    data = api(sandbox.url, "get_snapshot_list", client_ip_address=IP, page="4")["data"]
    assert data == {
        "total_records": 0,
        "records_per_page": 20,
        "total_pages": 0,
        "page": 1,
        "records": {},
    }


def test_list_filters_and_sorting(sandbox: Sandbox, clock: StillClock) -> None:
    first = create(sandbox, server_id="1")
    clock.now += 10
    second = create(sandbox, server_id="2")
    clock.now += 10
    gone = create(sandbox, server_id="1")
    clock.now += 60
    young = create(sandbox, server_id="1")  # still processing
    api(sandbox.url, "delete_snapshot", snapshot_id=gone)

    def ids(**filters: str) -> list[str]:
        envelope = api(sandbox.url, "get_snapshot_list", client_ip_address=IP, **filters)
        assert envelope["code"] == "OK", envelope
        return [record["snapshot_id"] for record in envelope["data"]["records"].values()]

    assert ids() == [second, first]
    assert ids(sorted_by="snapshot_add_time_ascending") == [first, second]
    assert ids(server_id="1") == [first]
    assert ids(snapshot_status="processing") == [young]
    assert ids(snapshot_status="deleted") == [gone]
    assert ids(snapshot_status="all") == [young, gone, second, first]
    assert ids(ownership="shared") == []
    assert ids(snapshot_cycle="daily") == []
    assert ids(snapshot_cycle="manual") == [second, first]
    sizes = {s["snapshot_id"]: s["snapshot_size"] for s in sandbox.snapshots()}
    ascending = ids(sorted_by="snapshot_size_ascending", snapshot_status="all")
    assert [sizes[i] for i in ascending] == sorted(sizes[i] for i in ascending)
    assert ascending[0] == young  # size 0 while processing
    descending = ids(sorted_by="snapshot_size_descending", snapshot_status="all")
    assert [sizes[i] for i in descending] == sorted((sizes[i] for i in descending), reverse=True)


def test_list_xml_records_are_record_elements(sandbox: Sandbox, clock: StillClock) -> None:
    created = [create(sandbox), create(sandbox)]
    clock.now += 60
    response = call(sandbox.url, "get_snapshot_list", fmt="xml", client_ip_address=IP)
    assert "<records>\n" in response.text
    assert response.text.count("<record>") == 2
    data = parse_xml(response.text)["data"]
    assert data["total_records"] == "2"
    assert [record["snapshot_id"] for record in data["records"]["record"]] == created[::-1]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("records_per_page", "9"),
        ("records_per_page", "101"),
        ("records_per_page", "ten"),
        ("page", "0"),
        ("page", "-1"),
        ("sorted_by", "snapshot_size"),
        ("ownership", "mine"),
        ("snapshot_status", "gone"),
        ("snapshot_cycle", "hourly"),
    ],
)
def test_list_rejects_invalid_values(sandbox: Sandbox, name: str, value: str) -> None:
    envelope = api(sandbox.url, "get_snapshot_list", client_ip_address=IP, **{name: value})
    assert envelope["code"] == "INVALID_PARAMETER"
    assert name in envelope["message"]


@pytest.mark.parametrize("per_page", ["10", "100"])
def test_list_accepts_records_per_page_bounds(sandbox: Sandbox, per_page: str) -> None:
    envelope = api(
        sandbox.url, "get_snapshot_list", client_ip_address=IP, records_per_page=per_page
    )
    assert envelope["data"]["records_per_page"] == int(per_page)


# --- set_server_snapshot_schedule ------------------------------------------------------------


def test_schedule_is_echoed_and_stored(sandbox: Sandbox) -> None:
    envelope = api(
        sandbox.url,
        "set_server_snapshot_schedule",
        server_id="12345",
        daily_snapshot="yes",
        daily_snapshot_max_age="7",
        weekly_snapshot="no",
        weekly_snapshot_max_age="junk",  # ignored while weekly is off
        monthly_snapshot="yes",
        monthly_snapshot_max_age="99",
    )
    expected = {
        "server_id": "12345",
        "daily_snapshot": "yes",
        "daily_snapshot_max_age": 7,
        "weekly_snapshot": "no",
        "weekly_snapshot_max_age": 0,
        "monthly_snapshot": "yes",
        "monthly_snapshot_max_age": 99,
    }
    assert envelope["code"] == "OK"
    assert envelope["data"] == expected
    assert sandbox.schedules() == [expected]


def test_schedule_defaults_to_off(sandbox: Sandbox) -> None:
    data = api(sandbox.url, "set_server_snapshot_schedule", server_id="1")["data"]
    assert [data[f"{c}_snapshot"] for c in ("daily", "weekly", "monthly")] == ["no"] * 3
    assert [data[f"{c}_snapshot_max_age"] for c in ("daily", "weekly", "monthly")] == [0] * 3


@pytest.mark.parametrize(
    ("params", "code", "named"),
    [
        ({"weekly_snapshot": "yes"}, "MISSING_PARAMETER", "weekly_snapshot_max_age"),
        ({"daily_snapshot": "yes", "daily_snapshot_max_age": "0"}, "INVALID_PARAMETER", "daily"),
        ({"daily_snapshot": "yes", "daily_snapshot_max_age": "100"}, "INVALID_PARAMETER", "daily"),
        ({"monthly_snapshot": "yes", "monthly_snapshot_max_age": "1.5"}, "INVALID_PARAMETER", "m"),
        ({"daily_snapshot": "maybe"}, "INVALID_PARAMETER", "daily_snapshot"),
    ],
)
def test_schedule_validation(
    sandbox: Sandbox, params: dict[str, str], code: str, named: str
) -> None:
    envelope = api(sandbox.url, "set_server_snapshot_schedule", server_id="1", **params)
    assert envelope["code"] == code
    assert named in envelope["message"]
    assert sandbox.schedules() == []


# --- persistence -----------------------------------------------------------------------------


def test_data_survives_a_restart_with_a_db_file(tmp_path: Path, clock: StillClock) -> None:
    db = tmp_path / "sandbox.sqlite"
    with Sandbox(USER_ID, API_KEY, db=db, clock=clock, processing_seconds=0.0) as first:
        kept = create(first, server_id="1")
        gone = create(first, server_id="2")
        api(first.url, "delete_snapshot", snapshot_id=gone)
        api(first.url, "set_server_snapshot_schedule", server_id="1", daily_snapshot="no")
        before = first.snapshots()
        schedules = first.schedules()
    with Sandbox(USER_ID, API_KEY, db=db, clock=clock, processing_seconds=0.0) as second:
        assert second.snapshots() == before
        detail = api(second.url, "get_snapshot_detail", snapshot_id=gone)["data"]
        assert detail["snapshot_status"] == "deleted"
        assert api(second.url, "get_snapshot_detail", snapshot_id=kept)["data"]["server_id"] == "1"
        assert second.schedules() == schedules


# --- faults ----------------------------------------------------------------------------------


def test_error_fault_answers_the_envelope_and_does_nothing(sandbox: Sandbox) -> None:
    sandbox.set_fault("create_snapshot", error=("SERVER_BUSY", "Try again later."))
    envelope = api(sandbox.url, "create_snapshot", server_id="1")
    assert envelope == {"code": "SERVER_BUSY", "message": "Try again later.", "data": {}}
    xml = api(sandbox.url, "create_snapshot", fmt="xml", server_id="1")
    assert xml["code"] == "SERVER_BUSY"
    assert sandbox.snapshots() == []
    assert [(c.code, c.faulted) for c in sandbox.calls()] == [("SERVER_BUSY", True)] * 2


def test_http_status_fault(sandbox: Sandbox) -> None:
    sandbox.set_fault("create_snapshot", http_status=503)
    response = call(sandbox.url, "create_snapshot", server_id="1")
    assert (response.status_code, response.content) == (503, b"")
    sandbox.set_fault("create_snapshot", http_status=502, body=b"<html>Bad gateway</html>")
    response = call(sandbox.url, "create_snapshot", server_id="1")
    assert (response.status_code, response.content) == (502, b"<html>Bad gateway</html>")
    assert sandbox.snapshots() == []
    assert [(c.code, c.http_status) for c in sandbox.calls()] == [(None, 503), (None, 502)]


@pytest.mark.parametrize("body", [b'{"code": "OK", "data": {', b"<code>OK</code><data><"])
def test_raw_body_fault(sandbox: Sandbox, body: bytes) -> None:
    sandbox.set_fault("*", body=body)
    response = call(sandbox.url, "create_snapshot", server_id="1")
    assert (response.status_code, response.content) == (200, body)
    assert sandbox.snapshots() == []


def test_latency_fault_makes_the_client_time_out(sandbox: Sandbox) -> None:
    sandbox.set_fault("create_snapshot", latency=30.0, error=("LATE", "too late"), times=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        call(sandbox.url, "create_snapshot", server_id="1", timeout=0.2)
    assert sandbox.snapshots() == []
    started = time.monotonic()
    sandbox.stop()  # does not wait out the 30 s
    assert time.monotonic() - started < 10


def test_latency_only_fault_delays_then_performs(sandbox: Sandbox) -> None:
    sandbox.set_fault("create_snapshot", latency=0.3, times=1)
    started = time.monotonic()
    envelope = api(sandbox.url, "create_snapshot", server_id="1")
    assert time.monotonic() - started >= 0.3
    assert envelope["code"] == "OK"
    assert len(sandbox.snapshots()) == 1
    assert sandbox.calls()[0].faulted


def test_fault_times_and_wildcard(sandbox: Sandbox) -> None:
    sandbox.set_fault("*", error=("BUSY", "busy"), times=2)
    sandbox.set_fault("delete_snapshot", error=("NO", "no"))  # its own fault wins over "*"
    codes = [
        api(sandbox.url, "create_snapshot", server_id="1")["code"],
        api(sandbox.url, "get_snapshot_detail", snapshot_id="x")["code"],
        api(sandbox.url, "delete_snapshot", snapshot_id="x")["code"],
        api(sandbox.url, "create_snapshot", server_id="1")["code"],
        api(sandbox.url, "delete_snapshot", snapshot_id="x")["code"],
    ]
    assert codes == ["BUSY", "BUSY", "NO", "OK", "NO"]
    sandbox.clear_faults()
    assert api(sandbox.url, "delete_snapshot", snapshot_id="x")["code"] == "NOT_FOUND"


def test_after_fault_performs_the_operation_then_fails(sandbox: Sandbox) -> None:
    sandbox.set_fault("create_snapshot", http_status=502, after=True, times=1)
    response = call(sandbox.url, "create_snapshot", server_id="999")
    assert response.status_code == 502
    assert [s["server_id"] for s in sandbox.snapshots()] == ["999"]
    sandbox.set_fault("create_snapshot", error=("BUSY", "busy"), after=True, times=1)
    assert api(sandbox.url, "create_snapshot", server_id="999")["code"] == "BUSY"
    assert len(sandbox.snapshots()) == 2


def test_fault_arguments_are_checked(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="unknown function"):
        sandbox.set_fault("create_snapshots", error=("X", "y"))
    with pytest.raises(ValueError, match="latency"):
        sandbox.set_fault("*", latency=3600.0)
    with pytest.raises(ValueError, match="times"):
        sandbox.set_fault("*", error=("X", "y"), times=0)


# --- call log, reset, handler errors, secrets ------------------------------------------------


def test_call_log_omits_the_checksum(sandbox: Sandbox) -> None:
    call(sandbox.url, "create_snapshot", method="GET", fmt="xml", random="r-9", server_id="1")
    assert sandbox.calls("create_snapshot") == [
        Call(
            function="create_snapshot",
            method="GET",
            format="xml",
            params={"user_id": USER_ID, "random": "r-9", "format": "xml", "server_id": "1"},
            code="OK",
            http_status=200,
        )
    ]
    assert sandbox.calls("delete_snapshot") == []


def test_reset_drops_data_log_and_faults(sandbox: Sandbox) -> None:
    create(sandbox)
    api(sandbox.url, "set_server_snapshot_schedule", server_id="1")
    sandbox.set_fault("*", error=("BUSY", "busy"))
    sandbox.reset()
    assert (sandbox.snapshots(), sandbox.schedules(), sandbox.calls()) == ([], [], [])
    assert api(sandbox.url, "create_snapshot", server_id="1")["code"] == "OK"


def test_handler_exception_surfaces_on_stop() -> None:
    def broken_clock() -> float:
        raise RuntimeError("clock exploded")

    sandbox = Sandbox(USER_ID, API_KEY, clock=broken_clock).start()
    response = call(sandbox.url, "create_snapshot", server_id="1")
    assert response.status_code == 500
    assert [str(error) for error in sandbox.errors] == ["clock exploded"]
    with pytest.raises(RuntimeError, match="clock exploded"):
        sandbox.stop()


def test_the_api_key_is_never_sent_back(sandbox: Sandbox) -> None:
    snapshot_id = create(sandbox)
    responses = [
        call(sandbox.url, "get_snapshot_detail", snapshot_id=snapshot_id),
        call(sandbox.url, "get_snapshot_detail", fmt="xml", snapshot_id=snapshot_id),
        call(sandbox.url, "create_snapshot", api_key=API_KEY[:-1], server_id="1"),
        call(sandbox.url, "create_snapshot", random="r", server_id="1"),
        call(sandbox.url, "create_snapshot", random="r", server_id="1"),
        call(sandbox.url, "nope"),
        admin(sandbox, "GET", "calls"),
    ]
    for response in responses:
        assert API_KEY not in response.text
    assert API_KEY not in repr(sandbox.calls())
    assert API_KEY not in repr(sandbox)


# --- the admin HTTP interface ----------------------------------------------------------------


def test_admin_interface(sandbox: Sandbox) -> None:
    snapshot_id = create(sandbox)
    calls = admin(sandbox, "GET", "calls").json()
    assert [(c["function"], c["code"], c["faulted"]) for c in calls] == [
        ("create_snapshot", "OK", False)
    ]
    assert "checksum" not in calls[0]["params"]
    assert admin(sandbox, "GET", "snapshots").json() == sandbox.snapshots()

    assert admin(sandbox, "POST", f"delete/{snapshot_id}").json() == {"ok": True}
    assert sandbox.snapshots()[0]["snapshot_status"] == "deleted"
    assert admin(sandbox, "GET", "snapshots", params={"include_deleted": "0"}).json() == []
    assert admin(sandbox, "POST", "delete/nosuchsnapshot").status_code == 404

    fault = {"function": "create_snapshot", "error": ["BUSY", "busy"], "times": 1}
    assert admin(sandbox, "POST", "fault", json=fault).status_code == 200
    assert api(sandbox.url, "create_snapshot", server_id="1")["code"] == "BUSY"
    assert api(sandbox.url, "create_snapshot", server_id="1")["code"] == "OK"
    admin(sandbox, "POST", "fault", json={"function": "*", "body": "not json"})
    assert call(sandbox.url, "create_snapshot", server_id="1").content == b"not json"
    assert admin(sandbox, "POST", "clear_faults").status_code == 200
    assert api(sandbox.url, "create_snapshot", server_id="1")["code"] == "OK"
    assert admin(sandbox, "POST", "fault", json={"function": "nope"}).status_code == 400
    assert admin(sandbox, "POST", "fault", json={"function": "*", "bogus": 1}).status_code == 400

    admin(sandbox, "POST", "clear_calls")
    assert admin(sandbox, "GET", "calls").json() == []
    api(sandbox.url, "set_server_snapshot_schedule", server_id="999")
    assert [s["server_id"] for s in admin(sandbox, "GET", "schedules").json()] == ["999"]
    admin(sandbox, "POST", "reset")
    assert admin(sandbox, "GET", "snapshots").json() == []
    assert admin(sandbox, "GET", "nothing").status_code == 404


# --- the command line ------------------------------------------------------------------------


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_until_signalled(tmp_path: Path, stop_signal: signal.Signals) -> None:
    command = [
        sys.executable,
        "-m",
        "node_pulumi.sandbox",
        "--port",
        "0",
        "--user-id",
        USER_ID,
        "--api-key",
        API_KEY,
        "--db",
        str(tmp_path / "cli.sqlite"),
    ]
    process = subprocess.Popen(
        interruptible(command), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 30)
        assert ready, "the sandbox printed nothing within 30 s"
        line = process.stdout.readline()
        match = re.fullmatch(
            r"node\.co\.id sandbox listening on (http://127\.0\.0\.1:(\d+)/api/v1/)\n", line
        )
        assert match, line
        assert int(match[2]) != 0
        assert api(match[1], "create_snapshot", server_id="1")["code"] == "OK"
        process.send_signal(stop_signal)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert "POST create_snapshot format=json -> OK 200" in stderr
    assert API_KEY not in line + stdout + stderr


# --- known servers ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_server_is_refused(sandbox: Sandbox, fmt: str) -> None:
    refusals = [
        api(sandbox.url, "create_snapshot", fmt=fmt, server_id="13"),
        api(sandbox.url, "set_server_snapshot_schedule", fmt=fmt, server_id="13"),
        api(sandbox.url, "get_snapshot_list", fmt=fmt, server_id="13", client_ip_address=IP),
    ]
    for envelope in refusals:
        assert (envelope["code"], envelope["message"]) == (
            "SERVER_NOT_FOUND",
            "Server 13 not found.",
        )
    assert (sandbox.snapshots(), sandbox.schedules()) == ([], [])


def test_every_default_server_is_known(sandbox: Sandbox) -> None:
    assert sandbox.servers == frozenset(DEFAULT_SERVERS)
    for server_id in DEFAULT_SERVERS:
        create(sandbox, server_id=server_id)
        assert api(sandbox.url, "set_server_snapshot_schedule", server_id=server_id)["code"] == "OK"
    listed = api(sandbox.url, "get_snapshot_list", client_ip_address=IP, server_id="2001")
    assert (listed["code"], listed["data"]["total_records"]) == ("OK", 0)  # still processing


@pytest.mark.sandbox(servers=("web-1", "web-2"))
def test_servers_option_replaces_the_defaults(sandbox: Sandbox) -> None:
    assert sandbox.servers == {"web-1", "web-2"}
    create(sandbox, server_id="web-2")
    refused = api(sandbox.url, "create_snapshot", server_id="12345")
    assert refused["code"] == "SERVER_NOT_FOUND"
    assert [s["server_id"] for s in sandbox.snapshots()] == ["web-2"]


def test_servers_must_be_a_collection() -> None:
    with pytest.raises(TypeError, match="not one string"):
        Sandbox(USER_ID, API_KEY, servers="12345")


@pytest.mark.parametrize("servers", ["", "1,,2", "1, "])
def test_cli_refuses_an_empty_server_id(servers: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        sandbox_main(["--user-id", USER_ID, "--api-key", API_KEY, "--servers", servers])
    assert "non-empty server ids" in capsys.readouterr().err


# --- robustness: slow clients, many callers, log lines, admin peers, admin bodies ------------


def dropped(client: socket.socket) -> bool:
    """Whether the server closed the connection without answering (recv would block otherwise)."""
    try:
        return client.recv(4096) == b""
    except ConnectionResetError:
        return True


def test_slow_clients_are_dropped_after_the_connection_timeout() -> None:
    partial = [
        b"",  # connects and says nothing
        b"POST /api/v1/create_snapshot HTTP/1.1\r\nHost: sandbox\r\n",  # headers never end
        b"POST /api/v1/create_snapshot HTTP/1.1\r\nContent-Length: 100\r\n\r\nuser_id=1",
    ]
    with Sandbox(USER_ID, API_KEY, connection_timeout=0.2) as sandbox:
        clients = [
            socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) for _ in range(100)
        ]
        try:
            for index, client in enumerate(clients):
                client.sendall(partial[index % len(partial)])
            assert all(dropped(client) for client in clients)
        finally:
            for client in clients:
                client.close()
        assert api(sandbox.url, "create_snapshot", server_id="1")["code"] == "OK"
        assert [c.function for c in sandbox.calls()] == ["create_snapshot"]
        assert sandbox.errors == []


def test_connection_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="connection_timeout"):
        Sandbox(USER_ID, API_KEY, connection_timeout=0)


def test_many_callers_queue_while_nothing_accepts() -> None:
    """200 connections wait in the listen queue (the standard library's backlog of 5 would make
    the 7th connect wait out SYN retransmissions), then each is answered once serving starts."""
    server = SandboxHTTPServer(
        ("127.0.0.1", 0), App(USER_ID, API_KEY, servers=DEFAULT_SERVERS, log=None), 10.0
    )
    serving: threading.Thread | None = None
    clients: list[socket.socket] = []
    try:
        port = server.server_address[1]
        for _ in range(200):
            clients.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        serving.start()
        for client in clients:
            client.sendall(b"GET /_sandbox/calls HTTP/1.0\r\n\r\n")
        for client in clients:
            with client.makefile("rb") as answer:
                assert answer.readline().startswith(b"HTTP/1.0 200 ")
    finally:
        for client in clients:
            client.close()
        if serving is not None:
            server.shutdown()
            serving.join()
        server.server_close()


def test_control_characters_in_the_path_cannot_forge_a_log_line() -> None:
    log = io.StringIO()
    forged = "delete_snapshot format=json -> OK 200"
    with Sandbox(USER_ID, API_KEY, log=log) as sandbox:
        for separator in ("%0A", "%0D", "%C2%85", "%E2%80%A8"):  # \n, \r, NEL, U+2028
            call(sandbox.url, f"create_snapshot{separator}POST%20{quote(forged)}", server_id="1")
        with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as client:
            client.sendall(b"GET /api/v1/create_snapshot\x1b[2Kx HTTP/1.0\r\n\r\n")
            with client.makefile("rb") as answer:
                assert answer.readline().startswith(b"HTTP/1.0 404 ")
    lines = log.getvalue().splitlines()
    assert len(lines) == 5, lines
    assert all(line.startswith(("POST ", "GET ")) for line in lines), lines
    assert lines[0].startswith("POST create_snapshot\\nPOST delete_snapshot")
    assert lines[2].startswith("POST create_snapshot\\x85POST")
    assert lines[3].startswith("POST create_snapshot\\u2028POST")
    assert lines[4].startswith("GET create_snapshot\\x1b[2Kx format=json -> UNKNOWN_FUNCTION")


@pytest.mark.parametrize(
    ("peer", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("192.0.2.1", False),
        ("10.0.0.1", False),
        ("::ffff:192.0.2.1", False),
        ("fe80::1%eth0", False),
        ("2001:db8::1", False),
        ("not-an-address", False),
    ],
)
def test_loopback_peer_check(peer: str, loopback: bool) -> None:
    assert is_loopback(peer) is loopback


def test_admin_handler_refuses_a_non_loopback_peer(sandbox: Sandbox) -> None:
    app = App(USER_ID, API_KEY, servers=DEFAULT_SERVERS, log=None)
    refused = handle_admin(app, "192.0.2.1", "GET", "calls", b"")
    assert (refused.status, json.loads(refused.body)) == (
        403,
        {"error": "the admin API answers loopback clients only"},
    )
    assert handle_admin(app, "127.0.0.1", "GET", "calls", b"").status == 200


def non_loopback_address() -> str | None:
    """An IPv4 address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("198.51.100.1", 9))  # a UDP connect sends nothing: it picks a route
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if ipaddress.ip_address(address).is_loopback else address


def test_admin_refuses_non_loopback_peers_whatever_the_host() -> None:
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    with Sandbox(USER_ID, API_KEY, host="0.0.0.0") as sandbox:

        def request(method: str, path: str, body: str = "") -> tuple[int, bytes]:
            connection = http.client.HTTPConnection(
                address, sandbox.port, timeout=10, source_address=(address, 0)
            )
            try:
                connection.request(method, path, body=body)
                answer = connection.getresponse()
                return answer.status, answer.read()
            finally:
                connection.close()

        create(sandbox)
        assert request("GET", "/_sandbox/snapshots")[0] == 403
        assert request("POST", "/_sandbox/reset")[0] == 403
        assert request("POST", "/_sandbox/fault", '{"function": "*", "http_status": 500}')[0] == 403
        assert len(sandbox.snapshots()) == 1
        # The API itself is served to that peer; the loopback admin still works.
        status, body = request("GET", f"/api/v1/get_snapshot_list?format=json&user_id={USER_ID}")
        assert (status, json.loads(body)["code"]) == (200, "MISSING_PARAMETER")
        assert admin(sandbox, "GET", "snapshots").json() == sandbox.snapshots()


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,
        '{"function": "*", "error": ' + "[" * 50_000 + "]" * 50_000 + "}",
        '{"function": "*", "error": ["A", "b"], "times": 1.5}',
        '{"function": "*", "body": {"not": "a string"}}',
        '{"function": "*", "error": "BUSY"}',
        b"\xff\xfe",
    ],
)
def test_malformed_admin_fault_is_a_400(sandbox: Sandbox, body: str | bytes) -> None:
    response = admin(sandbox, "POST", "fault", data=body)
    assert response.status_code == 400, response.text
    assert "error" in response.json()
    assert api(sandbox.url, "create_snapshot", server_id="1")["code"] == "OK"  # no fault set
    assert sandbox.errors == []


def test_cli_servers_and_connection_timeout(tmp_path: Path) -> None:
    command = [
        *(sys.executable, "-m", "node_pulumi.sandbox", "--port", "0"),
        *("--user-id", USER_ID, "--api-key", API_KEY),
        *("--servers", "web-1,web-2", "--connection-timeout", "0.2"),
    ]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 30)
        assert ready, "the sandbox printed nothing within 30 s"
        match = re.search(
            r"listening on (http://127\.0\.0\.1:(\d+)/api/v1/)", process.stdout.readline()
        )
        assert match
        assert api(match[1], "create_snapshot", server_id="web-2")["code"] == "OK"
        assert api(match[1], "create_snapshot", server_id="12345")["code"] == "SERVER_NOT_FOUND"
        with socket.create_connection(("127.0.0.1", int(match[2])), timeout=10) as idle:
            assert dropped(idle)
        process.terminate()
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
