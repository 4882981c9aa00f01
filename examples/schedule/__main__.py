"""Keep a week of daily and a month of weekly snapshots; list what the server has."""

import pulumi

import node_pulumi as node

config = pulumi.Config()
server_id = config.get("serverId") or "12345"

schedule = node.SnapshotSchedule(
    "nightly",
    server_id=server_id,
    daily_max_age=config.get_int("dailyMaxAge") or 7,
    weekly_max_age=4,
)

# A look-up, like a data source: needs credentials and node:clientIpAddress, also in preview.
existing = node.get_snapshots(server_id=server_id, status="all")

pulumi.export("daily_max_age", schedule.daily_max_age)
pulumi.export("weekly_max_age", schedule.weekly_max_age)
pulumi.export("snapshot_ids", existing.apply(lambda records: [r["snapshot_id"] for r in records]))
