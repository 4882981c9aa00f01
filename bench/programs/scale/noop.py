"""Resources that do nothing: the engine's own cost per resource, for comparison."""

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class NoopProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"noop-{props['index']}", dict(props))


class Noop(Resource, module="bench", name="Noop"):
    """A dynamic resource served by the dynamic provider host, like node_pulumi.Snapshot."""

    def __init__(self, name: str, index: int) -> None:
        super().__init__(NoopProvider(), name, {"index": index})


class NoopPlugin(pulumi.CustomResource):
    """A resource of bench/noop_plugin.py (`pulumi-resource-noop`) shaped like native.Snapshot:
    the same inputs and outputs, so the engine and the program do the same work for it."""

    def __init__(self, name: str, wait_until_active: bool) -> None:
        props: dict[str, Any] = {
            "serverId": "12345",
            "triggers": None,
            "waitUntilActive": wait_until_active,
            "waitTimeout": 1800,
            **dict.fromkeys(
                ("snapshotId", "snapshotStatus", "snapshotName", "snapshotSize", "createdAt")
            ),
        }
        super().__init__("noop:index:Noop", name, props)
