"""``pulumi-resource-noop``: a provider plugin whose one resource does nothing, as a baseline.

The engine's own cost per custom resource served by an out-of-process plugin: the same
grpc.aio servicer from the pulumi wheel, the same handshake, the same Python, and outputs of the
same shape as a snapshot's that was not waited for (its inputs, ``snapshotId`` and
``snapshotStatus``), but no API call, no settings, no progress line and no (de)serialisation.
The node plugin's engine-scale figure is measured against it.

    python bench/noop_plugin.py [engine flags...] ENGINE_ADDRESS
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

TOKEN = "noop:index:Noop"


class NoopProvider(provider_pb2_grpc.ResourceProviderServicer):
    """Accepts every input, creates at once, reads back what it has, deletes nothing."""

    async def GetPluginInfo(self, request: Any, context: Any) -> Any:
        return plugin_pb2.PluginInfo(version="0.0.1")

    async def CheckConfig(self, request: Any, context: Any) -> Any:
        return provider_pb2.CheckResponse(inputs=request.news)

    async def Configure(self, request: Any, context: Any) -> Any:
        return provider_pb2.ConfigureResponse(acceptSecrets=False, supportsPreview=False)

    async def Check(self, request: Any, context: Any) -> Any:
        return provider_pb2.CheckResponse(inputs=request.news)

    async def Diff(self, request: Any, context: Any) -> Any:
        return provider_pb2.DiffResponse(changes=provider_pb2.DiffResponse.DIFF_NONE)

    async def Create(self, request: Any, context: Any) -> Any:
        snapshot_id = request.urn.rsplit("::", 1)[-1][-12:].rjust(12, "0")
        outputs = struct_pb2.Struct()
        outputs.CopyFrom(request.properties)
        outputs.update({"snapshotId": snapshot_id, "snapshotStatus": "processing"})
        return provider_pb2.CreateResponse(id=snapshot_id, properties=outputs)

    async def Read(self, request: Any, context: Any) -> Any:
        return provider_pb2.ReadResponse(
            id=request.id, properties=request.properties, inputs=request.inputs
        )

    async def Delete(self, request: Any, context: Any) -> Any:
        return empty_pb2.Empty()

    async def Cancel(self, request: Any, context: Any) -> Any:
        return empty_pb2.Empty()


async def serve() -> None:
    server = grpc.aio.server()
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(NoopProvider(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    await server.wait_for_termination()


if __name__ == "__main__":
    try:
        asyncio.run(serve())
    except KeyboardInterrupt:  # the engine's SIGINT when it shuts plugins down
        pass
