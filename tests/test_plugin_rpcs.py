"""Each resource RPC of the plugin's servicer, with requests shaped as the engine sends them.

`NodeProviderServicer` serves on a loopback gRPC port in this process, as `pulumi-resource-node`
serves it, and every API call goes to the sandbox on loopback. A fake engine takes the `Log`
lines the plugin sends about a resource. Requests carry what the engine puts in them: properties
as Structs (numbers as floats, `rpc.UNKNOWN` for a value not known in a preview, the provider's
secret config wrapped as a secret, engine keys such as ``__defaults``), old outputs and old
inputs where the engine sends both, and a custom timeout where the program set one. Errors are
read as the engine reads them: a gRPC status, and for a snapshot that exists but did not become
ready, an `ErrorResourceInitFailed` in the status details.

The plugin's process, handshake, schema and config checks are in test_plugin_server.py; the
whole lifecycle through the real engine in tests/lifecycle/.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import (
    engine_pb2_grpc,
    provider_pb2,
    provider_pb2_grpc,
    status_pb2,
)

from node_pulumi._plugin.call import Call, EngineLog
from node_pulumi._plugin.config import ProviderConfig
from node_pulumi._plugin.server import NodeProviderServicer
from node_pulumi.sandbox import Sandbox

from .conftest import API_KEY, USER_ID
from .seen import functions

SNAPSHOT_URN = "urn:pulumi:dev::p::node:index:Snapshot::snap"
SCHEDULE_URN = "urn:pulumi:dev::p::node:index:SnapshotSchedule::nightly"
UNKNOWN = rpc.UNKNOWN  # what the engine sends for a value not known yet


def struct(**props: Any) -> struct_pb2.Struct:
    """``props`` as the engine sends them: serialised as the SDK does (numbers become floats)."""
    result: struct_pb2.Struct = asyncio.run(rpc.serialize_properties(props, {}))
    return result


def plain(answer: struct_pb2.Struct) -> dict[str, Any]:
    """A Struct the plugin answered, as the engine reads it back (unknowns kept)."""
    return dict(rpc.deserialize_properties(answer, keep_unknowns=True))


class Engine(engine_pb2_grpc.EngineServicer):
    """The engine's `Log` service: keeps each line the plugin sends (urn, message, ephemeral)."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str, bool]] = []

    def Log(self, request: Any, context: Any) -> empty_pb2.Empty:
        self.lines.append((request.urn, request.message, request.ephemeral))
        return empty_pb2.Empty()


class Plugin:
    """`NodeProviderServicer` on a loopback port, on an event loop of its own thread (as the
    plugin's process runs it), with its engine log going to ``engine_address``."""

    def __init__(self, engine_address: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.port = self._run(self._start(engine_address))

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=30)

    async def _start(self, engine_address: str) -> int:
        self._log = EngineLog(engine_address)
        self._server = grpc.aio.server()
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(
            NodeProviderServicer("0.0.0-test", self._log), self._server
        )
        port = self._server.add_insecure_port("127.0.0.1:0")
        await self._server.start()
        return port

    async def _stop(self) -> None:
        await self._server.stop(grace=None)
        await self._log.close()

    def close(self) -> None:
        self._run(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop.close()


@pytest.fixture
def engine() -> Iterator[tuple[Engine, str]]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    servicer = Engine()
    engine_pb2_grpc.add_EngineServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield servicer, f"127.0.0.1:{port}"
    finally:
        server.stop(grace=None)


@pytest.fixture
def plugin(engine: tuple[Engine, str]) -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    """A fresh servicer per test (Cancel stays in force once sent), not configured yet."""
    served = Plugin(engine[1])
    try:
        with grpc.insecure_channel(f"127.0.0.1:{served.port}") as channel:
            yield provider_pb2_grpc.ResourceProviderStub(channel)
    finally:
        served.close()


def configure(plugin: provider_pb2_grpc.ResourceProviderStub, sandbox: Sandbox) -> None:
    """Configure the default provider as the engine does from the stack's `node:*` config:
    ``args`` with the API key a secret (the engine keeps secrets in Configure), and
    ``variables`` in their old `node:config:` form."""
    args = struct_pb2.Struct()
    args.update(
        {"userId": USER_ID, "apiKey": rpc.wrap_rpc_secret(API_KEY), "endpoint": sandbox.url}
    )
    variables = {
        "node:config:userId": USER_ID,
        "node:config:apiKey": API_KEY,
        "node:config:endpoint": sandbox.url,
    }
    answer = plugin.Configure(
        provider_pb2.ConfigureRequest(
            args=args, variables=variables, acceptSecrets=True, acceptResources=True
        )
    )
    # The engine then sends plain values (no secrets) and plans creates itself in a preview.
    assert (answer.acceptSecrets, answer.supportsPreview) == (False, False)


def inputs(**changes: Any) -> dict[str, Any]:
    """A Snapshot's checked inputs, camelCase, as the engine keeps them."""
    return {
        "serverId": "12345",
        "triggers": ["v1"],
        "waitUntilActive": False,
        "waitTimeout": 1800,
        **changes,
    }


def create(
    plugin: provider_pb2_grpc.ResourceProviderStub, **changes: Any
) -> tuple[str, dict[str, Any]]:
    """Create a Snapshot of ``inputs(**changes)``; return its id and outputs."""
    answer = plugin.Create(
        provider_pb2.CreateRequest(
            urn=SNAPSHOT_URN,
            name="snap",
            type="node:index:Snapshot",
            properties=struct(**inputs(**changes)),
        )
    )
    return answer.id, plain(answer.properties)


def init_failed(error: grpc.RpcError) -> provider_pb2.ErrorResourceInitFailed:
    """The partial state in a failed Create/Update, as the engine unpacks it."""
    assert isinstance(error, grpc.Call)
    details = dict(error.trailing_metadata() or ())["grpc-status-details-bin"]
    status = status_pb2.Status.FromString(details)
    (detail,) = status.details
    found = provider_pb2.ErrorResourceInitFailed()
    assert detail.Unpack(found)
    return found


# --- Check ----------------------------------------------------------------------------------------


def test_check_takes_a_preview_s_unknowns_and_the_engine_s_keys(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    """A preview's Check: unknown values pass (the engine checks again once they are known),
    a program's number becomes a server id, engine keys are not inputs; no configuration, no
    API call needed."""
    news = struct(serverId=UNKNOWN, triggers=["v1", UNKNOWN], waitTimeout=60, __defaults=[])
    answer = plugin.Check(
        provider_pb2.CheckRequest(
            urn=SNAPSHOT_URN, name="snap", type="node:index:Snapshot", news=news, randomSeed=b"s"
        )
    )
    assert list(answer.failures) == []
    assert json_format.MessageToDict(answer.inputs) == {
        "serverId": UNKNOWN,
        "triggers": ["v1", UNKNOWN],
        "waitTimeout": 60,
    }

    known = plugin.Check(
        provider_pb2.CheckRequest(
            urn=SNAPSHOT_URN, olds=struct(**inputs()), news=struct(serverId=2001, waitTimeout=60)
        )
    )
    assert plain(known.inputs) == {"serverId": "2001", "waitTimeout": 60}


def test_check_names_a_schedule_s_bad_input_in_the_schema_s_names(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    answer = plugin.Check(
        provider_pb2.CheckRequest(urn=SCHEDULE_URN, news=struct(serverId="12345", dailyMaxAge=100))
    )
    ((prop, reason),) = [(f.property, f.reason) for f in answer.failures]
    assert prop == "dailyMaxAge"
    assert reason.startswith("dailyMaxAge must be a whole number of daily cycles from 1 to 99")


# --- Diff -----------------------------------------------------------------------------------------


def test_diff_reads_the_old_inputs_not_the_outputs(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    """The engine sends the old outputs (olds) and the old inputs: outputs only the API set
    (snapshotId, snapshotStatus) are no change."""
    outputs = {**inputs(), "snapshotId": "s1", "snapshotStatus": "active", "snapshotName": "n"}
    answer = plugin.Diff(
        provider_pb2.DiffRequest(
            urn=SNAPSHOT_URN,
            id="s1",
            olds=struct(**outputs),
            old_inputs=struct(**inputs()),
            news=struct(**inputs()),
        )
    )
    assert answer.changes == provider_pb2.DiffResponse.DIFF_NONE
    assert list(answer.replaces) == [] and list(answer.diffs) == []


def test_diff_replaces_on_a_value_unknown_in_preview(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    """A server id or trigger not known yet may differ: a replacement, planned as such; a wait
    setting not known yet changes in place."""
    olds = struct(**inputs())
    answer = plugin.Diff(
        provider_pb2.DiffRequest(
            urn=SNAPSHOT_URN,
            id="s1",
            olds=olds,
            old_inputs=olds,
            news=struct(**inputs(serverId=UNKNOWN, triggers=[UNKNOWN], waitTimeout=UNKNOWN)),
        )
    )
    assert answer.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert sorted(answer.replaces) == ["serverId", "triggers"]
    kinds = {name: diff.kind for name, diff in answer.detailedDiff.items()}
    assert kinds == {
        "serverId": provider_pb2.PropertyDiff.UPDATE_REPLACE,
        "triggers": provider_pb2.PropertyDiff.UPDATE_REPLACE,
        "waitTimeout": provider_pb2.PropertyDiff.UPDATE,
    }
    assert answer.deleteBeforeReplace is False  # the new snapshot first, then the old deleted


# --- Create ---------------------------------------------------------------------------------------


def test_create_takes_one_snapshot_and_names_it_on_the_resource_s_row(
    plugin: provider_pb2_grpc.ResourceProviderStub,
    engine: tuple[Engine, str],
    sandbox: Sandbox,
) -> None:
    configure(plugin, sandbox)
    snapshot_id, outputs = create(plugin)
    (snapshot,) = sandbox.snapshots()
    assert snapshot_id == snapshot["snapshot_id"]
    assert outputs == {
        **inputs(),
        "snapshotId": snapshot_id,
        "snapshotStatus": "processing",
    }
    assert functions(sandbox) == ["create_snapshot"]
    line = f"node: snapshot {snapshot_id} of server 12345 created"
    assert (SNAPSHOT_URN, line, False) in engine[0].lines


def test_create_waits_and_records_the_active_snapshot(
    plugin: provider_pb2_grpc.ResourceProviderStub,
    engine: tuple[Engine, str],
    sandbox: Sandbox,
) -> None:
    configure(plugin, sandbox)
    snapshot_id, outputs = create(plugin, waitUntilActive=True)
    (snapshot,) = sandbox.snapshots()
    assert outputs["snapshotStatus"] == "active"
    assert outputs["snapshotName"] == snapshot["snapshot_name"]
    assert outputs["createdAt"] == snapshot["snapshot_add_time"]
    assert functions(sandbox) == ["create_snapshot", "get_snapshot_detail"]
    line = f"node: snapshot {snapshot_id} of server 12345 created; waiting for it to become active"
    assert (SNAPSHOT_URN, line, False) in engine[0].lines


def test_create_whose_wait_times_out_answers_partial_state(
    plugin: provider_pb2_grpc.ResourceProviderStub, held_sandbox: Sandbox
) -> None:
    """A snapshot that exists but is not active by the deadline: the Create fails with the
    snapshot as partial state (id, outputs, inputs, the reason), so the engine keeps it. The
    request's custom timeout bounds the wait when it is shorter than waitTimeout."""
    configure(plugin, held_sandbox)
    request = provider_pb2.CreateRequest(
        urn=SNAPSHOT_URN,
        properties=struct(**inputs(waitUntilActive=True)),
        timeout=0.2,  # customTimeouts.create, in seconds
    )
    with pytest.raises(grpc.RpcError) as failed:
        plugin.Create(request)
    (snapshot,) = held_sandbox.snapshots()
    partial = init_failed(failed.value)
    assert partial.id == snapshot["snapshot_id"]
    assert plain(partial.properties)["snapshotStatus"] == "processing"
    assert plain(partial.inputs) == inputs(waitUntilActive=True)
    (reason,) = partial.reasons
    assert f"snapshot {partial.id} is still processing after 0.2s" in reason
    assert failed.value.details() == reason
    assert functions(held_sandbox)[0] == "create_snapshot"
    assert functions(held_sandbox).count("create_snapshot") == 1


def test_create_failing_at_the_api_is_a_clean_message(
    plugin: provider_pb2_grpc.ResourceProviderStub, sandbox: Sandbox
) -> None:
    configure(plugin, sandbox)
    sandbox.set_fault("create_snapshot", error=("QUOTA_EXCEEDED", "Snapshot quota exceeded."))
    with pytest.raises(grpc.RpcError) as failed:
        create(plugin)
    assert failed.value.code() == grpc.StatusCode.UNKNOWN
    assert failed.value.details() == (
        "node.co.id create_snapshot failed with QUOTA_EXCEEDED: Snapshot quota exceeded."
    )
    assert sandbox.snapshots() == []


# --- Read -----------------------------------------------------------------------------------------


def test_read_refreshes_imports_and_reports_a_deleted_snapshot_gone(
    plugin: provider_pb2_grpc.ResourceProviderStub, sandbox: Sandbox
) -> None:
    configure(plugin, sandbox)
    snapshot_id, outputs = create(plugin)

    refreshed = plugin.Read(
        provider_pb2.ReadRequest(
            urn=SNAPSHOT_URN,
            id=snapshot_id,
            properties=struct(**outputs),
            inputs=struct(**inputs()),
        )
    )
    assert refreshed.id == snapshot_id
    assert plain(refreshed.properties) == {
        **outputs,
        "snapshotStatus": "active",
        "snapshotName": sandbox.snapshots()[0]["snapshot_name"],
        "snapshotSize": sandbox.snapshots()[0]["snapshot_size"],
        "createdAt": sandbox.snapshots()[0]["snapshot_add_time"],
    }
    assert plain(refreshed.inputs) == inputs()

    # `pulumi import` and Snapshot.get send the id alone: the inputs are the snapshot's server.
    imported = plugin.Read(provider_pb2.ReadRequest(urn=SNAPSHOT_URN, id=snapshot_id))
    assert imported.id == snapshot_id
    assert plain(imported.inputs) == {"serverId": "12345"}

    sandbox.delete_snapshot_behind_back(snapshot_id)
    gone = plugin.Read(
        provider_pb2.ReadRequest(
            urn=SNAPSHOT_URN,
            id=snapshot_id,
            properties=struct(**outputs),
            inputs=struct(**inputs()),
        )
    )
    assert gone.id == "" and not gone.properties.fields  # the engine drops it from state
    assert set(functions(sandbox)) == {"create_snapshot", "get_snapshot_detail"}


# --- Update ---------------------------------------------------------------------------------------


def test_update_takes_new_wait_settings_with_no_call_or_resumes_a_wait(
    plugin: provider_pb2_grpc.ResourceProviderStub, sandbox: Sandbox
) -> None:
    configure(plugin, sandbox)
    snapshot_id, outputs = create(plugin)
    sandbox.clear_calls()

    def update(**news: Any) -> dict[str, Any]:
        answer = plugin.Update(
            provider_pb2.UpdateRequest(
                urn=SNAPSHOT_URN,
                id=snapshot_id,
                olds=struct(**outputs),
                old_inputs=struct(**inputs()),
                news=struct(**inputs(**news)),
            )
        )
        return plain(answer.properties)

    assert update(waitTimeout=600) == {**outputs, "waitTimeout": 600}
    assert sandbox.calls() == []

    # Waiting turned on for a snapshot recorded `processing`: the wait resumes, no new snapshot.
    resumed = update(waitUntilActive=True)
    assert resumed["snapshotStatus"] == "active" and resumed["snapshotId"] == snapshot_id
    assert functions(sandbox) == ["get_snapshot_detail"]
    assert len(sandbox.snapshots()) == 1


def test_update_sets_a_schedule_s_new_ages(
    plugin: provider_pb2_grpc.ResourceProviderStub, sandbox: Sandbox
) -> None:
    configure(plugin, sandbox)
    old = {"serverId": "12345", "dailyMaxAge": 7}
    created = plugin.Create(provider_pb2.CreateRequest(urn=SCHEDULE_URN, properties=struct(**old)))
    assert created.id == "12345"
    answer = plugin.Update(
        provider_pb2.UpdateRequest(
            urn=SCHEDULE_URN,
            id="12345",
            olds=created.properties,
            old_inputs=struct(**old),
            news=struct(serverId="12345", dailyMaxAge=3, weeklyMaxAge=4),
        )
    )
    assert plain(answer.properties) == {"serverId": "12345", "dailyMaxAge": 3, "weeklyMaxAge": 4}
    (schedule,) = sandbox.schedules()
    assert (schedule["daily_snapshot_max_age"], schedule["weekly_snapshot_max_age"]) == (3, 4)


# --- Delete ---------------------------------------------------------------------------------------


def test_delete_deletes_and_a_snapshot_already_gone_counts_as_deleted(
    plugin: provider_pb2_grpc.ResourceProviderStub, sandbox: Sandbox
) -> None:
    configure(plugin, sandbox)
    snapshot_id, outputs = create(plugin)
    request = provider_pb2.DeleteRequest(
        urn=SNAPSHOT_URN,
        id=snapshot_id,
        properties=struct(**outputs),
        old_inputs=struct(**inputs()),
    )
    plugin.Delete(request)
    (snapshot,) = sandbox.snapshots()
    assert snapshot["snapshot_status"] == "deleted"
    plugin.Delete(request)  # a second delete (a rerun after a lost answer) passes
    assert functions(sandbox) == ["create_snapshot", "delete_snapshot", "delete_snapshot"]


def test_delete_turns_every_cycle_of_a_schedule_off(
    plugin: provider_pb2_grpc.ResourceProviderStub, sandbox: Sandbox
) -> None:
    configure(plugin, sandbox)
    props = struct(serverId="12345", dailyMaxAge=7)
    created = plugin.Create(provider_pb2.CreateRequest(urn=SCHEDULE_URN, properties=props))
    plugin.Delete(
        provider_pb2.DeleteRequest(urn=SCHEDULE_URN, id=created.id, properties=created.properties)
    )
    (cleared,) = sandbox.schedules()
    assert [cleared[f"{c}_snapshot"] for c in ("daily", "weekly", "monthly")] == ["no"] * 3


# --- Cancel ---------------------------------------------------------------------------------------


def test_cancel_ends_a_waiting_create_at_once_as_partial_state(
    plugin: provider_pb2_grpc.ResourceProviderStub, held_sandbox: Sandbox
) -> None:
    """The engine's Cancel (the first Ctrl-C) while a Create waits: the Create answers at once
    with the snapshot as partial state, saying the wait was cancelled; the snapshot stays
    `processing` in the sandbox, untouched."""
    configure(plugin, held_sandbox)
    request = provider_pb2.CreateRequest(
        urn=SNAPSHOT_URN, properties=struct(**inputs(waitUntilActive=True))
    )
    waiting = plugin.Create.future(request)
    deadline = time.monotonic() + 30
    # Until the wait has polled once: it is under way.
    while not (held_sandbox.calls("get_snapshot_detail") or waiting.done()):
        assert time.monotonic() < deadline, "the Create never polled"
        time.sleep(0.05)
    assert not waiting.done(), "the Create ended before the Cancel"
    plugin.Cancel(empty_pb2.Empty())
    with pytest.raises(grpc.RpcError) as failed:
        waiting.result(timeout=30)
    (snapshot,) = held_sandbox.snapshots()
    partial = init_failed(failed.value)
    assert partial.id == snapshot["snapshot_id"]
    assert plain(partial.properties)["snapshotStatus"] == "processing"
    (reason,) = partial.reasons
    assert f"snapshot {partial.id} is still processing: waiting was cancelled" in reason
    assert snapshot["snapshot_status"] == "processing"
    assert "delete_snapshot" not in functions(held_sandbox)


# --- The engine's Log -----------------------------------------------------------------------------


class StuckEngine(engine_pb2_grpc.EngineServicer):
    """An engine whose `Log` takes the line and never answers (until the test releases it)."""

    def __init__(self) -> None:
        self.received = threading.Event()
        self.release = threading.Event()

    def Log(self, request: Any, context: Any) -> empty_pb2.Empty:
        self.received.set()
        self.release.wait()
        return empty_pb2.Empty()


def test_a_line_the_engine_never_answers_goes_to_stderr_past_the_log_s_deadline(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """`Call.notify` runs on a worker thread and waits for the engine's `Log`: with an engine
    that never answers, it gives up at the log's deadline and writes the line to stderr."""
    stuck = StuckEngine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    engine_pb2_grpc.add_EngineServicer_to_server(stuck, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()

    async def open_call() -> tuple[EngineLog, Call]:
        log = EngineLog(f"127.0.0.1:{port}", deadline=0.5)
        return log, Call(SNAPSHOT_URN, ProviderConfig(), log, asyncio.Event())

    log, call = asyncio.run_coroutine_threadsafe(open_call(), loop).result(timeout=30)
    line = "node: snapshot s1 of server 12345 created"
    notifier = threading.Thread(target=call.notify, args=(line,), daemon=True)
    try:
        notifier.start()
        notifier.join(timeout=60)  # a bound on a hang, not a timing: the deadline is 0.5 s
        assert not notifier.is_alive(), "notify still waits for the engine"
        assert stuck.received.is_set()
        assert line in capfd.readouterr().err
    finally:
        stuck.release.set()
        asyncio.run_coroutine_threadsafe(log.close(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        server.stop(grace=None)
