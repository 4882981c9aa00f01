"""The `pulumi-resource-node` command over gRPC, as the engine starts and talks to it.

The process is the installed console script; the handshake (its port as the first stdout line)
and the schema, config and check/diff answers are read over a real loopback gRPC channel.
Each resource RPC against the sandbox is in test_plugin_rpcs.py; the lifecycle through the
engine in tests/lifecycle/ (test_lifecycle.py and test_faults.py for both doors).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

import node_pulumi

from .conftest import API_KEY


@pytest.fixture(scope="module")
def plugin() -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    command = Path(sys.executable).parent / "pulumi-resource-node"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NODE_")}
    process = subprocess.Popen(
        [str(command)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield provider_pb2_grpc.ResourceProviderStub(channel)
    finally:
        process.terminate()
        process.wait(timeout=30)


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    result = struct_pb2.Struct()
    result.update(values)
    return result


def test_plugin_info_and_schema_carry_the_package_version(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    # One version: node_pulumi.__version__, which the installed metadata is built from.
    assert version("node-pulumi") == node_pulumi.__version__
    assert plugin.GetPluginInfo(empty_pb2.Empty()).version == node_pulumi.__version__
    schema = json.loads(plugin.GetSchema(provider_pb2.GetSchemaRequest()).schema)
    assert schema["version"] == node_pulumi.__version__


def test_the_schema_describes_every_resource_function_property_and_config_key(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    schema = json.loads(plugin.GetSchema(provider_pb2.GetSchemaRequest()).schema)
    assert schema["name"] == "node"
    assert set(schema["resources"]) == {
        "node:index:Snapshot",
        "node:index:RotatingSnapshot",
        "node:index:SnapshotSchedule",
    }
    assert set(schema["functions"]) == {"node:index:getSnapshots"}
    assert schema["config"]["variables"]["apiKey"]["secret"] is True
    described: list[tuple[str, dict[str, Any]]] = [
        *(("config " + k, v) for k, v in schema["config"]["variables"].items()),
        *(("provider " + k, v) for k, v in schema["provider"]["inputProperties"].items()),
    ]
    for token, spec in [*schema["resources"].items(), *schema["types"].items()]:
        described.append((token, spec))
        for group in ("inputProperties", "properties"):
            described += [(f"{token}.{k}", v) for k, v in spec.get(group, {}).items()]
    for token, spec in schema["functions"].items():
        described.append((token, spec))
        for group in ("inputs", "outputs"):
            described += [(f"{token}.{k}", v) for k, v in spec[group]["properties"].items()]
    assert len(described) > 40
    undescribed = [name for name, spec in described if not spec.get("description")]
    assert undescribed == []
    snapshot = schema["resources"]["node:index:Snapshot"]
    assert set(snapshot["inputProperties"]) == {
        "serverId",
        "triggers",
        "waitUntilActive",
        "waitTimeout",
    }
    assert set(snapshot["properties"]) - set(snapshot["inputProperties"]) == {
        "snapshotId",
        "snapshotStatus",
        "snapshotName",
        "snapshotSize",
        "createdAt",
    }


def test_check_config_returns_a_plaintext_api_key_as_a_secret(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    news = struct({"userId": "10001", "apiKey": API_KEY, "endpoint": "http://127.0.0.1:1/"})
    answer = plugin.CheckConfig(provider_pb2.CheckRequest(urn="urn", news=news))
    inputs = rpc.deserialize_properties(answer.inputs)
    assert inputs["userId"] == "10001"
    assert inputs["apiKey"] == rpc.wrap_rpc_secret(API_KEY)


def test_check_names_bad_inputs_in_camel_case_and_turns_a_number_into_a_server_id(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    urn = "urn:pulumi:dev::p::node:index:Snapshot::snap"
    bad = plugin.Check(
        provider_pb2.CheckRequest(urn=urn, news=struct({"serverId": "x" * 51, "waitTimeout": -5}))
    )
    failures = {f.property: f.reason for f in bad.failures}
    assert failures == {
        "serverId": "serverId is 51 characters long; the API accepts at most 50",
        "waitTimeout": "waitTimeout must be a positive number of seconds: -5",
    }
    good = plugin.Check(provider_pb2.CheckRequest(urn=urn, news=struct({"serverId": 2001})))
    assert list(good.failures) == []
    assert rpc.deserialize_properties(good.inputs) == {"serverId": "2001"}


def test_diff_names_the_property_that_forces_a_replacement(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    urn = "urn:pulumi:dev::p::node:index:Snapshot::snap"
    olds = struct({"serverId": "12345", "triggers": ["v1"], "waitTimeout": 1800})
    news = struct({"serverId": "12345", "triggers": ["v2"], "waitTimeout": 600})
    diff = plugin.Diff(provider_pb2.DiffRequest(urn=urn, id="s1", olds=olds, news=news))
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(diff.replaces) == ["triggers"]
    assert diff.hasDetailedDiff
    assert dict(diff.detailedDiff) == {
        "triggers": provider_pb2.PropertyDiff(
            kind=provider_pb2.PropertyDiff.UPDATE_REPLACE, inputDiff=True
        ),
        "waitTimeout": provider_pb2.PropertyDiff(
            kind=provider_pb2.PropertyDiff.UPDATE, inputDiff=True
        ),
    }
    same = plugin.Diff(provider_pb2.DiffRequest(urn=urn, id="s1", olds=olds, news=olds))
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE


def test_an_api_call_without_credentials_fails_with_a_clean_message(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    urn = "urn:pulumi:dev::p::node:index:Snapshot::snap"
    plugin.Configure(provider_pb2.ConfigureRequest(args=struct({})))
    with pytest.raises(grpc.RpcError) as failure:
        plugin.Create(provider_pb2.CreateRequest(urn=urn, properties=struct({"serverId": "1"})))
    message = failure.value.details()
    assert "node:apiKey" in message and "NODE_API_KEY" in message
    assert "Traceback" not in message
