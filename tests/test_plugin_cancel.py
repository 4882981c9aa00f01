"""After the engine's Cancel the plugin starts nothing new, called over gRPC as the engine does.

The engine sends Cancel on the first Ctrl-C and at the end of every run; each run starts a fresh
`pulumi-resource-node`, so the state is per process, as here (one process per test). A Create or
Update that arrives after Cancel fails at once with a clean message and makes no API call; a
Read or Delete still works (the engine's own refresh and cleanup).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from node_pulumi.sandbox import Sandbox

from .conftest import API_KEY, USER_ID

SNAPSHOT = "urn:pulumi:dev::p::node:index:Snapshot::snap"
SCHEDULE = "urn:pulumi:dev::p::node:index:SnapshotSchedule::nightly"


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    result = struct_pb2.Struct()
    result.update(values)
    return result


@pytest.fixture
def plugin(sandbox: Sandbox) -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    """A fresh plugin process (as each run gets), configured for the sandbox."""
    command = Path(sys.executable).parent / "pulumi-resource-node"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NODE_")}
    process = subprocess.Popen(
        [str(command)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            args = {
                "userId": USER_ID,
                "apiKey": API_KEY,
                "endpoint": sandbox.url,
                "clientIpAddress": "203.0.113.7",
            }
            stub.Configure(provider_pb2.ConfigureRequest(args=struct(args)))
            yield stub
    finally:
        process.terminate()
        process.wait(timeout=30)


def refused(call: Any, request: Any) -> str:
    with pytest.raises(grpc.RpcError) as failure:
        call(request)
    details: str = failure.value.details()
    return details


def test_a_create_or_update_after_cancel_fails_at_once_with_no_api_call(
    plugin: provider_pb2_grpc.ResourceProviderStub, sandbox: Sandbox
) -> None:
    created = plugin.Create(
        provider_pb2.CreateRequest(
            urn=SNAPSHOT, properties=struct({"serverId": "12345", "waitUntilActive": False})
        )
    )
    outputs = created.properties
    sandbox.clear_calls()

    plugin.Cancel(empty_pb2.Empty())
    messages = [
        refused(
            plugin.Create,
            provider_pb2.CreateRequest(
                urn=SNAPSHOT, properties=struct({"serverId": "12345", "waitUntilActive": False})
            ),
        ),
        refused(
            plugin.Create,
            provider_pb2.CreateRequest(
                urn=SCHEDULE, properties=struct({"serverId": "12345", "dailyMaxAge": 7})
            ),
        ),
        refused(
            plugin.Update,
            provider_pb2.UpdateRequest(
                urn=SNAPSHOT,
                id=created.id,
                olds=outputs,
                news=struct({"serverId": "12345", "waitUntilActive": True}),
            ),
        ),
    ]
    assert sandbox.calls() == []
    for message in messages:
        assert "not started: the engine cancelled this run" in message
        assert "Traceback" not in message

    # What the engine still does after Cancel (a refresh's reads, a destroy's deletes) works.
    read = plugin.Read(provider_pb2.ReadRequest(urn=SNAPSHOT, id=created.id, properties=outputs))
    assert read.id == created.id
    plugin.Delete(provider_pb2.DeleteRequest(urn=SNAPSHOT, id=created.id, properties=outputs))
    assert [c.function for c in sandbox.calls()] == ["get_snapshot_detail", "delete_snapshot"]
