"""get_snapshots' arguments: one rule (the core's `check_lookup`) for both doors and the plugin.

A whole number is a server id ("12345", never the wire's "12345.0"); a bad status or cycle fails
at once, in a preview without credentials too, in either Python door; the plugin's Invoke checks
what other languages send with the same rule. Through the real CLI: tests/lifecycle/
test_doors_agree.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

import node_pulumi
from node_pulumi import NodeInputError, native
from node_pulumi._core.inputs import check_lookup
from node_pulumi.sandbox import Sandbox

from . import test_plugin_cancel
from .program import run_program

plugin, struct = test_plugin_cancel.plugin, test_plugin_cancel.struct

DOORS: dict[str, Callable[..., Any]] = {
    "dynamic": node_pulumi.get_snapshots,
    "native": native.get_snapshots,
}


@pytest.mark.parametrize(
    ("given", "asked"), [(12345, "12345"), (12345.0, "12345"), ("12345", "12345"), (None, None)]
)
def test_a_whole_number_is_a_server_id(given: Any, asked: str | None) -> None:
    args = {"server_id": given}
    assert check_lookup(args) == []
    assert args == {"server_id": asked, "status": "active", "cycle": "all"}


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ({"server_id": 12345.5}, "server_id must be a string or a whole number: 12345.5"),
        ({"server_id": True}, "server_id must be a non-empty string: True"),
        ({"server_id": ""}, "server_id must be a non-empty string: ''"),
        ({"server_id": "1" * 21}, "server_id is 21 characters long; the API accepts at most 20"),
        ({"status": "gone"}, "status must be one of all, processing, active, deleted, not 'gone'"),
        ({"cycle": "hourly"}, "cycle must be one of all, manual, daily, weekly, monthly"),
    ],
)
def test_bad_arguments_are_refused_with_a_reason(args: dict[str, Any], reason: str) -> None:
    (failure,) = check_lookup(args)
    assert reason in failure.reason


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(
    ("filters", "reason"),
    [
        ({"status": "gone"}, "status must be one of"),
        ({"cycle": "hourly"}, "cycle must be one of"),
        ({"server_id": 1.5}, "server_id must be a string or a whole number"),
    ],
)
def test_both_doors_refuse_bad_arguments_in_a_preview_without_credentials(
    door: str, filters: dict[str, Any], reason: str, sandbox: Sandbox
) -> None:
    async def body() -> None:
        DOORS[door](**filters)

    with pytest.raises(NodeInputError, match=reason) as refused:
        run_program(body, {"node:endpoint": sandbox.url}, preview=True)
    assert refused.value.function == "get_snapshots"
    assert isinstance(refused.value, ValueError)
    assert sandbox.calls() == []


def test_the_plugin_asks_for_a_whole_number_as_the_server_id_it_is(
    plugin: provider_pb2_grpc.ResourceProviderStub, sandbox: Sandbox
) -> None:
    """What TypeScript, Go or YAML send for ``serverId: 12345``: a number, which the wire makes
    a float. The plugin asks the API for "12345", as the dynamic door does."""
    args = struct({"serverId": 12345, "status": "all"})
    assert rpc.deserialize_properties(args)["serverId"] == 12345.0
    answer = plugin.Invoke(provider_pb2.InvokeRequest(tok="node:index:getSnapshots", args=args))
    assert list(answer.failures) == []
    (call,) = sandbox.calls("get_snapshot_list")
    assert call.params["server_id"] == "12345"


def test_the_plugin_refuses_bad_arguments_as_failures(
    plugin: provider_pb2_grpc.ResourceProviderStub, sandbox: Sandbox
) -> None:
    answer = plugin.Invoke(
        provider_pb2.InvokeRequest(
            tok="node:index:getSnapshots",
            args=struct({"serverId": 1.5, "status": "gone", "cycle": "hourly"}),
            preview=True,
        )
    )
    failures = {f.property: f.reason for f in answer.failures}
    assert set(failures) == {"serverId", "status", "cycle"}
    assert failures["serverId"].startswith("serverId must be a string or a whole number")
    assert sandbox.calls() == []
