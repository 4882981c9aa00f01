"""What a resource operation sees of the engine: lines on its row, Cancel, deadlines, partial state.

A `Call` is made per RPC. The API calls themselves are blocking (`NodeClient` on ``requests``) and
run on the event loop's default executor; waits are coroutines, so a waiting snapshot holds no
thread and any number of them can wait at once.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

import grpc
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from .._core.settings import Settings
from .config import ProviderConfig

T = TypeVar("T")
P = ParamSpec("P")


class InitFailed(Exception):
    """The snapshot exists but did not become ready: the engine records it with this reason.

    The server answers the Create/Update with ``ErrorResourceInitFailed`` (partial state), so the
    resource lands in state with its id and outputs, and the next ``up`` sends an Update for it.
    """

    def __init__(
        self, resource_id: str, outputs: Mapping[str, Any], inputs: Mapping[str, Any], reason: str
    ) -> None:
        self.resource_id = resource_id
        self.outputs = dict(outputs)
        self.inputs = dict(inputs)
        self.reason = reason
        super().__init__(reason)


LOG_DEADLINE = 10.0
"""Seconds the engine has to take one ``Log`` line; past it the line goes to stderr instead, so
that an engine that stopped answering cannot hold an operation (or its worker thread) forever."""


class EngineLog:
    """Lines on a resource's row of the CLI, through the engine's ``Log`` RPC.

    A line that cannot be delivered (the RPC fails, or is not answered within ``deadline``
    seconds) is written to stderr instead (the engine keeps a plugin's stderr in its debug log);
    a progress line never fails the operation.
    """

    def __init__(self, address: str | None, *, deadline: float = LOG_DEADLINE) -> None:
        self._channel = grpc.aio.insecure_channel(address) if address else None
        # The generated stub is typed for a blocking channel; on a grpc.aio one it awaits.
        self._stub: Any = engine_pb2_grpc.EngineStub(self._channel) if self._channel else None
        self._deadline = deadline

    async def log(
        self,
        urn: str,
        message: str,
        *,
        ephemeral: bool = False,
        severity: engine_pb2.LogSeverity.ValueType = engine_pb2.INFO,
    ) -> None:
        """Show ``message`` on the resource ``urn``; ``ephemeral`` lines only update its status.

        ``severity`` is the engine's (``engine_pb2.WARNING`` shows under the CLI's warnings).
        """
        request = engine_pb2.LogRequest(
            severity=severity, message=message, urn=urn, ephemeral=ephemeral
        )
        if self._stub is not None:
            try:
                await self._stub.Log(request, timeout=self._deadline)
                return
            except grpc.aio.AioRpcError:
                pass
        sys.stderr.write(f"{message}\n")

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()


class Call:
    """One Create/Read/Update/Delete/Invoke: its resource, settings, progress lines and deadline.

    ``timeout`` is the request's (``customTimeouts``; 0 when unset): the operation's time limit.
    ``cancelled`` is set by the engine's Cancel and stays set: a wait that starts after it ends
    at once.
    """

    def __init__(
        self,
        urn: str,
        config: ProviderConfig,
        log: EngineLog,
        cancelled: asyncio.Event,
        timeout: float = 0.0,
    ) -> None:
        self.urn = urn
        self.timeout = timeout
        self._config = config
        self._log = log
        self.cancelled = cancelled
        self._loop = asyncio.get_running_loop()
        self._lines: set[asyncio.Task[None]] = set()

    def settings(self) -> Settings:
        """The provider's settings, resolved now (config, then environment, then defaults)."""
        return self._config.settings()

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a blocking API operation on a worker thread."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    def notify(self, message: str) -> None:
        """Put ``message`` on the resource's row before returning; called from a worker thread.

        Used for the line naming a snapshot the moment it exists: it must reach the engine
        before anything else can go wrong. The wait is bounded by the log's deadline.
        """
        self._deliver(message, engine_pb2.INFO)

    def warn(self, message: str) -> None:
        """`notify` as a warning: the CLI lists it under the resource's warnings."""
        self._deliver(message, engine_pb2.WARNING)

    def _deliver(self, message: str, severity: engine_pb2.LogSeverity.ValueType) -> None:
        line = self._log.log(self.urn, message, severity=severity)
        asyncio.run_coroutine_threadsafe(line, self._loop).result()

    def show_status(self, status: str) -> None:
        """Show a snapshot's status in the resource's status column (an ephemeral line)."""
        task = self._loop.create_task(self._log.log(self.urn, status, ephemeral=True))
        self._lines.add(task)
        task.add_done_callback(self._lines.discard)

    def status_line_for(self, snapshot_id: str, status: str | None) -> None:
        """Show a waited-for snapshot's status after each poll (the core's ``on_status``)."""
        self.show_status(f"snapshot {snapshot_id} is {status}")
