"""The doors-agree tests' program: the same resources through either door, by `test:door`.

`test:door` is `dynamic` (`import node_pulumi as node`) or `plugin` (`node_pulumi.native`, the
plugin); both take the same arguments. A snapshot of `test:serverId` (default 12345) unless
`test:snapshot` is false, waiting per `test:wait` / `test:waitTimeout`, with
`customTimeouts.create` from `test:createTimeout` (the dynamic door never sees it); with
`test:schedule`, a schedule of server 12345 that depends on nothing; with `test:lookup`, a
get_snapshots whose arguments are the JSON object in it (a number stays a number), exported as
the ids it found (`found`) and whole (`found_records`); with
`test:adopt`, that snapshot adopted with `Snapshot.get`.
"""

import json

import pulumi

import node_pulumi
from node_pulumi import native

config = pulumi.Config("test")
node = native if config.require("door") == "plugin" else node_pulumi

if config.get_bool("snapshot") is not False:
    create_timeout = config.get("createTimeout")
    snap = node.Snapshot(
        "snap",
        server_id=config.get("serverId") or "12345",
        wait_until_active=config.get_bool("wait") or False,
        wait_timeout=config.get_float("waitTimeout") or 1800,
        opts=pulumi.ResourceOptions(
            custom_timeouts=pulumi.CustomTimeouts(create=create_timeout) if create_timeout else None
        ),
    )
    pulumi.export("snapshot_id", snap.snapshot_id)
    pulumi.export("snapshot_status", snap.snapshot_status)

if config.get_bool("schedule"):
    schedule = node.SnapshotSchedule("schedule", server_id="12345", daily_max_age=7)
    pulumi.export("schedule_daily", schedule.daily_max_age)

lookup = config.get("lookup")
if lookup:
    found = node.get_snapshots(**json.loads(lookup))
    pulumi.export("found", found.apply(lambda r: sorted(s["snapshot_id"] for s in r)))
    pulumi.export("found_records", found)

adopt = config.get("adopt")
if adopt:
    adopted = node.Snapshot.get("adopted", adopt)
    pulumi.export("adopted_status", adopted.snapshot_status)
