"""The dynamic door's lifecycle program: one Snapshot, shaped by the stack's `test:*` config.

The same config as tests/lifecycle/native (the plugin's), for what both doors share: `serverId`,
`triggers` (JSON), `wait`, `waitTimeout`, `retain`, `adopt` (adopts a snapshot by id),
`dailyMaxAge` (adds a schedule of the snapshot's server) and `lookupServer` (calls get_snapshots
for that server).
"""

import json

import pulumi

import node_pulumi as node

config = pulumi.Config("test")

snap = node.Snapshot(
    "snap",
    server_id=config.get("serverId") or "12345",
    triggers=json.loads(config.get("triggers") or '["v1"]'),
    wait_until_active=config.get_bool("wait") or False,
    wait_timeout=config.get_float("waitTimeout") or 1800,
    opts=pulumi.ResourceOptions(retain_on_delete=config.get_bool("retain") or False),
)
pulumi.export("snapshot_id", snap.snapshot_id)
pulumi.export("snapshot_status", snap.snapshot_status)
pulumi.export("server_id", snap.server_id)

adopt = config.get("adopt")
if adopt:
    adopted = node.Snapshot.get("adopted", adopt)
    pulumi.export("adopted_id", adopted.snapshot_id)
    pulumi.export("adopted_server_id", adopted.server_id)
    pulumi.export("adopted_status", adopted.snapshot_status)

daily = config.get_int("dailyMaxAge")
if daily:
    schedule = node.SnapshotSchedule(
        "schedule", server_id=snap.server_id, daily_max_age=daily, weekly_max_age=4
    )
    pulumi.export("schedule_daily", schedule.daily_max_age)
    pulumi.export("schedule_weekly", schedule.weekly_max_age)

lookup_server = config.get("lookupServer")
if lookup_server:
    found = node.get_snapshots(server_id=lookup_server, status="all")
    pulumi.export("found", found.apply(lambda r: [(s["snapshot_id"], s["server_id"]) for s in r]))
