"""`AppRelease`: a stand-in for whatever deploys to a server (a remote command, a server resource
of another provider, ...). It only records the version; in a real program, this is the resource
whose update could hurt the server."""

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider, UpdateResult


class AppReleaseProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"{props['server_id']}-release", dict(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(dict(news))


class AppRelease(Resource, module="example", name="AppRelease"):
    version: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        server_id: pulumi.Input[str],
        version: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            AppReleaseProvider(), name, {"server_id": server_id, "version": version}, opts
        )
