"""The engine protocol: a grpc.aio `ResourceProviderServicer` serving the plugin's resources.

Protocol only: each RPC is unmarshalled (camelCase to snake_case), handed to its resource
(snapshot_handler.py, rotating_handler.py, schedule_handler.py, get_snapshots.py), and the answer
marshalled back. Errors leave as clean messages: a `NodeError`'s text; a snapshot that exists but
did not become ready as partial state (``ErrorResourceInitFailed`` in ``grpc-status-details-bin``).
The API calls block, so they run on the event loop's default executor; waits are coroutines, so
there is no ceiling on how many snapshots wait at once beyond the engine's own ``--parallel``.
"""

from __future__ import annotations

import asyncio
import functools
import sys
import traceback
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeAlias, TypeVar

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc, status_pb2

from .. import __version__
from .._api.errors import NodeCancelledError, NodeError
from .call import Call, EngineLog, InitFailed
from .config import ProviderConfig, checked_config
from .get_snapshots import GET_SNAPSHOTS_ARGUMENTS, get_snapshots
from .handler import ResourceHandler
from .rotating_handler import RotatingHandler
from .schedule_handler import ScheduleHandler
from .schema import GET_SNAPSHOTS, schema_json
from .snapshot_handler import SnapshotHandler
from .values import camel_names, marshal, marshal_raw, to_camel, unmarshal, unmarshal_raw

API_THREADS = 512
"""Threads for API requests at most; started only as requests need them (waits hold none)."""

_KINDS = {
    ("add", False): provider_pb2.PropertyDiff.ADD,
    ("add", True): provider_pb2.PropertyDiff.ADD_REPLACE,
    ("delete", False): provider_pb2.PropertyDiff.DELETE,
    ("delete", True): provider_pb2.PropertyDiff.DELETE_REPLACE,
    ("update", False): provider_pb2.PropertyDiff.UPDATE,
    ("update", True): provider_pb2.PropertyDiff.UPDATE_REPLACE,
}

R = TypeVar("R")
Context: TypeAlias = "grpc.aio.ServicerContext[Any, Any]"
Handler = Callable[[Any, Any, Context], Awaitable[R]]


def _answered(handler: Handler[R]) -> Handler[R]:
    """Turn what a handler raises into what the engine shows: a message, never a traceback."""

    @functools.wraps(handler)
    async def answer(self: Any, request: Any, context: Context) -> R:
        try:
            return await handler(self, request, context)
        except InitFailed as exc:
            await context.abort(
                grpc.StatusCode.UNKNOWN,
                exc.reason,
                trailing_metadata=(("grpc-status-details-bin", await _init_failed(exc)),),
            )
        except NodeError as exc:
            await context.abort(grpc.StatusCode.UNKNOWN, str(exc))
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)  # kept in the engine's debug log
            await context.abort(
                grpc.StatusCode.INTERNAL,
                f"pulumi-resource-node: internal error: {type(exc).__name__}: {exc}",
            )
        raise AssertionError("context.abort returned")  # pragma: no cover

    return answer


async def _init_failed(exc: InitFailed) -> bytes:
    """The status details that make the engine record a created resource with init errors."""
    detail = provider_pb2.ErrorResourceInitFailed(
        id=exc.resource_id,
        properties=await marshal(exc.outputs),
        inputs=await marshal(exc.inputs),
        reasons=[exc.reason],
    )
    status = status_pb2.Status(code=grpc.StatusCode.UNKNOWN.value[0], message=exc.reason)
    status.details.add().Pack(detail)
    data: bytes = status.SerializeToString()
    return data


def _type_of(urn: str, token: str) -> str:
    """The resource type a request is about: its ``type``, or the last part of its URN's type."""
    return token or urn.split("::")[2].rsplit("$", 1)[-1]


class NodeProviderServicer(provider_pb2_grpc.ResourceProviderServicer):
    """The ``node`` provider: configuration, schema, and the resources' operations."""

    def __init__(self, version: str, log: EngineLog) -> None:
        self._version = version
        self._log = log
        self._config = ProviderConfig()
        self._cancelled = asyncio.Event()
        self._resources: dict[str, ResourceHandler] = {
            r.token: r for r in (SnapshotHandler(), RotatingHandler(), ScheduleHandler())
        }

    def _resource(self, urn: str, token: str) -> ResourceHandler:
        found = self._resources.get(_type_of(urn, token))
        if found is None:
            raise NodeError(f"pulumi-resource-node has no resource type {_type_of(urn, token)!r}")
        return found

    def _call(self, urn: str, timeout: float = 0.0) -> Call:
        return Call(urn, self._config, self._log, self._cancelled, timeout)

    async def GetPluginInfo(self, request: Any, context: Context) -> Any:
        return plugin_pb2.PluginInfo(version=self._version)

    @_answered
    async def GetSchema(self, request: Any, context: Context) -> Any:
        return provider_pb2.GetSchemaResponse(schema=schema_json(self._version))

    @_answered
    async def CheckConfig(self, request: Any, context: Context) -> Any:
        news = checked_config(unmarshal_raw(request.news))
        return provider_pb2.CheckResponse(inputs=await marshal_raw(news))

    @_answered
    async def Configure(self, request: Any, context: Context) -> Any:
        self._config.configure(unmarshal_raw(request.args), dict(request.variables))
        # Without secrets support the engine hands over plain values and marks outputs secret
        # itself when their inputs were; without preview support it plans creates itself.
        return provider_pb2.ConfigureResponse(acceptSecrets=False, supportsPreview=False)

    @_answered
    async def Check(self, request: Any, context: Context) -> Any:
        resource = self._resource(request.urn, request.type)
        checked = resource.check(unmarshal(request.news))
        failures = [
            provider_pb2.CheckFailure(
                property=to_camel(name), reason=camel_names(reason, resource.names)
            )
            for name, reason in checked.failures
        ]
        return provider_pb2.CheckResponse(inputs=await marshal(checked.inputs), failures=failures)

    @_answered
    async def Diff(self, request: Any, context: Context) -> Any:
        resource = self._resource(request.urn, request.type)
        outputs = unmarshal(request.olds)
        found = resource.diff(
            unmarshal(request.old_inputs) or outputs, unmarshal(request.news), outputs
        )
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME
            if found
            else provider_pb2.DiffResponse.DIFF_NONE,
            replaces=[to_camel(k) for k, c in found.items() if c.replace],
            diffs=[to_camel(k) for k in found],
            detailedDiff={
                to_camel(k): provider_pb2.PropertyDiff(
                    kind=_KINDS[c.kind, c.replace], inputDiff=True
                )
                for k, c in found.items()
            },
            hasDetailedDiff=True,
            deleteBeforeReplace=False,
        )

    def _start(self, operation: str, urn: str) -> None:
        """Refuse to start anything once the engine has sent Cancel (`NodeCancelledError`).

        The engine sends Cancel on the first Ctrl-C (and at the end of every run; each run starts
        a fresh plugin process, so this state is per run): after it, a Create or Update that
        still arrives fails at once, before any API call, rather than take a snapshot nobody is
        waiting for.
        """
        if self._cancelled.is_set():
            raise NodeCancelledError(operation, urn)

    @_answered
    async def Create(self, request: Any, context: Context) -> Any:
        self._start("Create", request.urn)
        resource = self._resource(request.urn, request.type)
        call = self._call(request.urn, request.timeout)
        resource_id, outputs = await resource.create(call, unmarshal(request.properties))
        return provider_pb2.CreateResponse(id=resource_id, properties=await marshal(outputs))

    @_answered
    async def Read(self, request: Any, context: Context) -> Any:
        """Refresh, ``get`` and import; an empty answer says the object no longer exists."""
        resource = self._resource(request.urn, request.type)
        found = await resource.read(
            self._call(request.urn, request.timeout),
            request.id,
            unmarshal(request.properties),
            unmarshal(request.inputs),
        )
        if found is None:
            return provider_pb2.ReadResponse()
        return provider_pb2.ReadResponse(
            id=found.resource_id,
            properties=await marshal(found.outputs),
            inputs=await marshal(found.inputs),
        )

    @_answered
    async def Update(self, request: Any, context: Context) -> Any:
        self._start("Update", request.urn)
        resource = self._resource(request.urn, request.type)
        outputs = await resource.update(
            self._call(request.urn, request.timeout),
            request.id,
            unmarshal(request.olds),
            unmarshal(request.news),
        )
        return provider_pb2.UpdateResponse(properties=await marshal(outputs))

    @_answered
    async def Delete(self, request: Any, context: Context) -> Any:
        resource = self._resource(request.urn, request.type)
        call = self._call(request.urn, request.timeout)
        await resource.delete(call, request.id, unmarshal(request.properties))
        return empty_pb2.Empty()

    @_answered
    async def Invoke(self, request: Any, context: Context) -> Any:
        if request.tok != GET_SNAPSHOTS:
            raise NodeError(f"pulumi-resource-node has no function {request.tok!r}")
        result, failures = await get_snapshots(
            self._call(""), unmarshal(request.args), preview=request.preview
        )
        return provider_pb2.InvokeResponse(
            **{"return": await marshal_raw(result)},
            failures=[
                provider_pb2.CheckFailure(
                    property=to_camel(p), reason=camel_names(r, GET_SNAPSHOTS_ARGUMENTS)
                )
                for p, r in failures
            ],
        )

    async def Cancel(self, request: Any, context: Context) -> Any:
        """Stop every wait now and from now on (each waiting snapshot becomes partial state),
        and start nothing new: a later Create or Update fails at once (`_start`).

        The engine sends Cancel on the first Ctrl-C, and also at the end of every run.
        """
        self._cancelled.set()
        return empty_pb2.Empty()


async def serve(engine_address: str | None) -> None:
    """Serve on a free loopback port, announced as the first line on stdout (the handshake)."""
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(API_THREADS, thread_name_prefix="node-api"))
    log = EngineLog(engine_address)
    server = grpc.aio.server()
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(
        NodeProviderServicer(__version__, log), server
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    try:
        await server.wait_for_termination()
    finally:
        await log.close()


def main(argv: list[str] | None = None) -> None:
    """The ``pulumi-resource-node`` command: ``[--logtostderr] [-v=N] [--tracing X] ENGINE``."""
    args = sys.argv[1:] if argv is None else argv
    engine_address = args[-1] if args and not args[-1].startswith("-") else None
    try:
        asyncio.run(serve(engine_address))
    except KeyboardInterrupt:  # the engine's SIGINT when it shuts plugins down
        pass
