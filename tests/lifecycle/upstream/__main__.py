"""Resources whose inputs come from other resources created in the same `up`.

`Numbers` (test-only) computes numbers in its create, so they are unknown until it exists: in the
first preview, and again in a preview after `test:revision` changes (which replaces it).
`test:downstream` picks what else is declared: `snapshot`, `schedule`, or `literal` (a Snapshot
whose `test:serverId` and `test:waitTimeout` are JSON values written in the program).
"""

import json
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider

import node_pulumi as node

NUMBERS = {"server_id": 2001, "wait_timeout": 60, "daily_max_age": 7, "wait": False}


class NumbersProvider(ResourceProvider):
    """Test-only: outputs `NUMBERS`, computed at create; a new ``revision`` replaces it."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(
            f"numbers-{props['revision']}", {**NUMBERS, "revision": props["revision"]}
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = ["revision"] if olds.get("revision") != news.get("revision") else []
        return DiffResult(changes=bool(replaces), replaces=replaces)


class Numbers(Resource):
    """Test-only: numbers (and a bool) known only once this resource exists."""

    server_id: pulumi.Output[float]
    wait_timeout: pulumi.Output[float]
    daily_max_age: pulumi.Output[float]
    wait: pulumi.Output[bool]

    def __init__(self, name: str, revision: str) -> None:
        super().__init__(NumbersProvider(), name, {"revision": revision, **dict.fromkeys(NUMBERS)})


config = pulumi.Config("test")
revision = config.get("revision") or "r1"
numbers = Numbers("numbers", revision)
upstream = node.Snapshot("upstream", server_id=numbers.server_id, triggers=[revision])
pulumi.export("upstream_id", upstream.snapshot_id)

downstream_kind = config.require("downstream")
if downstream_kind == "snapshot":
    downstream = node.Snapshot(
        "downstream",
        server_id=upstream.server_id,
        triggers=[upstream.snapshot_id, {"nested": [upstream.snapshot_id]}],
        wait_until_active=numbers.wait,
        wait_timeout=numbers.wait_timeout,
    )
    from_program = node.Snapshot("from-program", server_id=2001)
    pulumi.export("downstream_id", downstream.snapshot_id)
    pulumi.export("downstream_server_id", downstream.server_id)
    pulumi.export("downstream_triggers", downstream.triggers)
    pulumi.export("downstream_wait_timeout", downstream.wait_timeout)
    pulumi.export("from_program_id", from_program.snapshot_id)
    pulumi.export("from_program_server_id", from_program.server_id)
elif downstream_kind == "literal":
    node.Snapshot(
        "literal",
        server_id=json.loads(config.require("serverId")),
        wait_timeout=json.loads(config.get("waitTimeout") or "60"),
    )
else:
    schedule = node.SnapshotSchedule(
        "schedule",
        server_id=upstream.server_id,
        daily_max_age=numbers.daily_max_age,
        weekly_max_age=4,
    )
    pulumi.export("schedule_server_id", schedule.server_id)
    pulumi.export("schedule_daily_max_age", schedule.daily_max_age)
