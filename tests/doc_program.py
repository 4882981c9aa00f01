"""Run a Pulumi Python program, read from stdin, under the SDK's mocks (for tests/test_docs.py).

As `pulumi preview` runs it with no node.co.id credentials (pull-request CI): every resource
registers with the mocks, which echo its inputs as outputs, and a look-up is unknown. A
class, function or argument the program names that does not exist fails it. The
program's config (project `docs`) holds `release` and `prodKey`, which the docs' programs read.
Prints the type and name of each resource registered, one a line.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pulumi
from pulumi.runtime.stack import wait_for_rpcs


class Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registered.append(f"{args.typ} {args.name}")
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return {"snapshots": []}


def main() -> None:
    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, project="docs", stack="test", preview=True)
    pulumi.runtime.set_all_config({"docs:release": "v1", "docs:prodKey": "doc-key"})
    exec(compile(sys.stdin.read(), "<doc block>", "exec"), {"__name__": "__main__"})
    asyncio.get_event_loop().run_until_complete(wait_for_rpcs())
    print("\n".join(mocks.registered))


if __name__ == "__main__":
    main()
