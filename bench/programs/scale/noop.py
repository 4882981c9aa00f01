"""A dynamic resource that does nothing: the engine's own cost per resource, for comparison."""

from typing import Any

from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class NoopProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"noop-{props['index']}", dict(props))


class Noop(Resource, module="bench", name="Noop"):
    def __init__(self, name: str, index: int) -> None:
        super().__init__(NoopProvider(), name, {"index": index})
