"""get_snapshots, run as in a program, against the sandbox over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from node_pulumi import NodeClient, NodeConfigError, get_snapshots
from node_pulumi.sandbox import Sandbox

from .conftest import API_KEY, USER_ID
from .program import run_program


def program_config(sandbox: Sandbox, **extra: str) -> dict[str, str]:
    return {
        "node:userId": USER_ID,
        "node:apiKey": API_KEY,
        "node:endpoint": sandbox.url,
        "node:clientIpAddress": "203.0.113.7",
        **extra,
    }


def look_up(**filters: Any) -> Any:
    async def body() -> Any:
        output = get_snapshots(**filters)
        if not await output.is_known():
            return "unknown"
        return await output.future()

    return body


def test_returns_every_page_of_one_servers_snapshots(sandbox: Sandbox) -> None:
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
        ours = [client.create_snapshot("12345")["snapshot_id"] for _ in range(101)]
        client.create_snapshot("67890")
    sandbox.clear_calls()
    records, _ = run_program(
        look_up(server_id="12345", status="all"), program_config(sandbox, **{"node:format": "xml"})
    )
    assert sorted(r["snapshot_id"] for r in records) == sorted(ours)
    assert all(r["server_id"] == "12345" for r in records)
    pages = sandbox.calls("get_snapshot_list")
    assert [c.params["page"] for c in pages] == ["1", "2"]
    assert {c.params["client_ip_address"] for c in pages} == {"203.0.113.7"}
    assert {c.format for c in pages} == {"xml"}


def test_the_download_url_is_a_secret_output_in_each_record(sandbox: Sandbox) -> None:
    """Only the URL is secret: the result and the other fields stay readable (exported, the
    URL shows `[secret]`; tests/lifecycle/test_first_contact.py proves it through the CLI)."""
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
        snapshot_id = client.create_snapshot("12345")["snapshot_id"]

    async def body() -> Any:
        output = get_snapshots(server_id="12345")
        (record,) = await output.future()
        url = record["snapshot_url"]
        return (
            await output.is_secret(),
            record["snapshot_id"],
            await url.is_secret(),
            await url.future(),
        )

    (whole_secret, found_id, url_secret, url), _ = run_program(body, program_config(sandbox))
    assert (whole_secret, found_id, url_secret) == (False, snapshot_id, True)
    assert url.endswith(f"{snapshot_id}.img")


def test_filters_by_status(sandbox: Sandbox) -> None:
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
        client.create_snapshot("12345")
        gone = client.create_snapshot("12345")["snapshot_id"]
        client.delete_snapshot(gone)
    records, _ = run_program(look_up(status="deleted"), program_config(sandbox))
    assert [r["snapshot_id"] for r in records] == [gone]
    (call,) = sandbox.calls("get_snapshot_list")
    assert (call.params["snapshot_status"], call.params["snapshot_cycle"]) == ("deleted", "all")


def test_preview_without_credentials_is_unknown_with_a_warning(sandbox: Sandbox) -> None:
    config = {"node:endpoint": sandbox.url}
    result, logs = run_program(look_up(), config, preview=True)
    assert result == "unknown"
    assert any(
        level == "warning" and "get_snapshots: no node.co.id credentials" in message
        for level, message in logs
    )
    assert sandbox.calls() == []


def test_preview_with_credentials_calls_the_api(sandbox: Sandbox) -> None:
    with NodeClient(USER_ID, API_KEY, endpoint=sandbox.url) as client:
        snapshot_id = client.create_snapshot("2001")["snapshot_id"]
    sandbox.clear_calls()
    records, _ = run_program(look_up(status="all"), program_config(sandbox), preview=True)
    assert [r["snapshot_id"] for r in records] == [snapshot_id]
    assert len(sandbox.calls("get_snapshot_list")) == 1


def test_needs_a_client_ip_address(sandbox: Sandbox) -> None:
    config = program_config(sandbox)
    del config["node:clientIpAddress"]
    with pytest.raises(NodeConfigError, match="node:clientIpAddress"):
        run_program(look_up(), config)
    assert sandbox.calls() == []


@pytest.mark.parametrize("filters", [{"status": "gone"}, {"cycle": "hourly"}])
def test_refuses_unknown_filters(filters: dict[str, str], sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match=next(iter(filters.values()))):
        run_program(look_up(**filters), program_config(sandbox))
