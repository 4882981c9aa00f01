"""The sandbox's get_server_list over a loopback socket: paging, filters and their documented
defaults, sort orders, servers in every status, seeding; and the client's walk of it."""

from __future__ import annotations

from typing import Any

import pytest

from node_pulumi import NodeClient
from node_pulumi.sandbox import Sandbox
from node_pulumi.sandbox.__main__ import _parse_args as parse_args

from .clock import StillClock
from .test_sandbox import API_KEY, START, USER_ID, api

SERVERS = tuple(str(n) for n in range(1, 26))  # 25 servers

pytestmark = pytest.mark.sandbox(servers=SERVERS)


def page(sandbox: Sandbox, fmt: str = "json", **params: str) -> dict[str, Any]:
    envelope = api(sandbox.url, "get_server_list", fmt=fmt, **params)
    assert envelope["code"] == "OK", envelope
    data: dict[str, Any] = envelope["data"]
    return data


def ids(data: dict[str, Any]) -> list[str]:
    return [record["server_id"] for record in data["records"].values()]


def test_records_are_keyed_0_1_and_paged_20_by_default(sandbox: Sandbox) -> None:
    data = page(sandbox)
    assert (data["total_records"], data["records_per_page"], data["total_pages"]) == (25, 20, 2)
    assert data["page"] == 1
    assert list(data["records"]) == [str(i) for i in range(20)]
    second = page(sandbox, page="2")
    assert len(second["records"]) == 5
    assert set(ids(data)) | set(ids(second)) == set(SERVERS)


def test_a_page_past_the_end_is_the_last_page(sandbox: Sandbox) -> None:
    assert page(sandbox, page="9", records_per_page="10")["page"] == 3
    assert ids(page(sandbox, page="9", records_per_page="10")) == ids(
        page(sandbox, page="3", records_per_page="10")
    )


@pytest.mark.parametrize("per_page", ["9", "101", "x"])
def test_records_per_page_is_10_to_100(sandbox: Sandbox, per_page: str) -> None:
    envelope = api(sandbox.url, "get_server_list", records_per_page=per_page)
    assert envelope["code"] == "INVALID_PARAMETER"


def test_records_carry_the_detail_fields_root_password_included(sandbox: Sandbox) -> None:
    (record,) = (
        r
        for r in page(sandbox, records_per_page="100")["records"].values()
        if r["server_id"] == "7"
    )
    detail = api(sandbox.url, "get_server_detail", server_id="7")["data"]
    assert record == detail
    assert record["root_password"] == sandbox.root_password("7")


def test_defaults_are_active_orders_and_servers_that_are_on(sandbox: Sandbox) -> None:
    sandbox.set_server("2", server_status="off")
    sandbox.set_server("3", server_status="suspended", order_status="suspended")
    sandbox.set_server("4", server_status="deleted", order_status="canceled")
    sandbox.set_server("5", server_status="install", order_status="pending")
    listed = set(ids(page(sandbox, records_per_page="100")))
    assert listed == set(SERVERS) - {"2", "3", "4", "5"}
    every = page(sandbox, records_per_page="100", server_status="all", order_status="all")
    assert every["total_records"] == 25
    statuses = {r["server_id"]: r["server_status"] for r in every["records"].values()}
    assert [statuses[i] for i in "2345"] == ["off", "suspended", "deleted", "install"]
    assert ids(page(sandbox, server_status="off")) == ["2"]
    assert ids(page(sandbox, server_status="all", order_status="canceled")) == ["4"]


def test_filters_by_package_ownership_and_custom_info(sandbox: Sandbox) -> None:
    sandbox.set_server("8", package="performance2", ownership="shared", custom_info_2="team-x")
    assert ids(page(sandbox, package="performance2")) == ["8"]
    assert ids(page(sandbox, ownership="shared")) == ["8"]
    assert ids(page(sandbox, custom_info_2="team-x")) == ["8"]
    assert page(sandbox, custom_info_2="team-y")["total_records"] == 0
    assert page(sandbox, ownership="owner")["total_records"] == 24
    assert api(sandbox.url, "get_server_list", package="vps")["code"] == "INVALID_PARAMETER"


def test_sorted_by_label(sandbox: Sandbox) -> None:
    sandbox.set_server("9", label="aaa")
    sandbox.set_server("10", label="zzz")
    ascending = ids(page(sandbox, sorted_by="server_label_ascending", records_per_page="100"))
    descending = ids(page(sandbox, sorted_by="server_label_descending", records_per_page="100"))
    assert ascending[0] == "9" and descending[0] == "10"
    assert ascending == descending[::-1]


def test_a_reinstalling_server_is_reinstall_then_on_again(sandbox: Sandbox) -> None:
    sandbox.set_server("11", server_status="off")
    envelope = api(
        sandbox.url,
        "reinstall_server",
        server_id="11",
        install_source="template",
        os_template="ubuntu",
    )
    assert envelope["code"] == "OK"
    assert "11" in ids(page(sandbox, server_status="reinstall"))


def test_set_server_refuses_what_the_api_does_not_document(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="server_status"):
        sandbox.set_server("1", server_status="sleeping")
    with pytest.raises(KeyError):
        sandbox.set_server("nope", server_status="off")


def test_xml_pages_decode_like_json(sandbox: Sandbox) -> None:
    with (
        NodeClient(USER_ID, API_KEY, endpoint=sandbox.url, response_format="xml") as xml,
        NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as json_client,
    ):
        assert list(xml.get_server_list(server_status="all")) == list(
            json_client.get_server_list(server_status="all")
        )


def test_the_client_walks_every_page_and_drops_root_passwords(sandbox: Sandbox) -> None:
    seeded = sandbox.seed(230)
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
        records = list(client.get_server_list(server_status="all", order_status="all"))
    assert sorted(r["server_id"] for r in records) == sorted([*SERVERS, *seeded])
    assert all("root_password" not in r for r in records)
    calls = sandbox.calls("get_server_list")
    assert [c.params["page"] for c in calls] == ["1", "2", "3"]
    assert {c.params["records_per_page"] for c in calls} == {"100"}


def test_seeding_gives_every_status_and_snapshots_of_realistic_ages(sandbox: Sandbox) -> None:
    seeded = sandbox.seed(400, 1200)
    assert len(seeded) == 400 and set(seeded) <= sandbox.servers
    every = page(sandbox, server_status="all", order_status="all", records_per_page="100")
    assert every["total_records"] == 425
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
        records = list(client.get_server_list(server_status="all", order_status="all"))
    assert {r["server_status"] for r in records} == {
        "install",
        "reinstall",
        "on",
        "off",
        "suspended",
        "deleted",
    }
    assert {r["order_status"] for r in records} == {"pending", "active", "suspended", "canceled"}
    snapshots = sandbox.snapshots()
    assert len(snapshots) == 1200
    assert {s["snapshot_status"] for s in snapshots} == {"active", "processing"}
    assert sandbox.seed(5) == [str(100001 + 400 + n) for n in range(5)]


def test_the_same_seed_gives_the_same_account() -> None:
    def statuses() -> list[tuple[str, str]]:
        with Sandbox(USER_ID, API_KEY, clock=StillClock(START), servers=["1"]) as sandbox:
            sandbox.seed(50, seed=3)
            with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
                return sorted(
                    (r["server_id"], r["server_status"])
                    for r in client.get_server_list(server_status="all", order_status="all")
                )

    assert statuses() == statuses()


def test_the_sandbox_command_seeds() -> None:
    base = ["--user-id", USER_ID, "--api-key", API_KEY]
    args = parse_args([*base, "--seed-servers", "1000", "--seed-snapshots", "3000"])
    assert (args.seed_servers, args.seed_snapshots) == (1000, 3000)
    with pytest.raises(SystemExit):
        parse_args([*base, "--seed-snapshots", "3"])
    with pytest.raises(SystemExit):
        parse_args([*base, "--seed-servers", "-1"])
