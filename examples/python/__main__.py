"""A snapshot retaken when the release changes, a schedule, and a look-up of the server's
snapshots, through the provider plugin (`node_pulumi.native`): the same program as
examples/typescript, examples/go and examples/yaml, with the same output names."""

import pulumi

from node_pulumi import native as node

config = pulumi.Config()
server_id = config.get("serverId") or "12345"
release = config.get("release") or "v1"

snap = node.Snapshot("before-deploy", server_id=server_id, triggers=[release], wait_timeout=600)

schedule = node.SnapshotSchedule("nightly", server_id=server_id, daily_max_age=7, weekly_max_age=4)

# The server's snapshots once this one is taken: a look-up, like a data source, that needs
# credentials and node:clientIpAddress. Its argument comes from the snapshot, so it waits for the
# snapshot, and a preview that would create the snapshot makes no call.
existing = node.get_snapshots(server_id=snap.server_id, status="all")

pulumi.export("snapshotId", snap.snapshot_id)
pulumi.export("snapshotStatus", snap.snapshot_status)
pulumi.export("dailyMaxAge", schedule.daily_max_age)
pulumi.export("snapshotIds", existing.apply(lambda found: [s["snapshot_id"] for s in found]))
